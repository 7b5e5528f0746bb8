Func output_12 = pipeline.get_func(7);
Func pool_index_4 = pipeline.get_func(6);
Func pool_3 = pipeline.get_func(5);
Func input_padded_8 = pipeline.get_func(4);
Func constant_exterior_2 = pipeline.get_func(3);
Func repeat_edge_2 = pipeline.get_func(2);
Func first_tap_x_10 = pipeline.get_func(0);
Var _0(constant_exterior_2.get_schedule().dims()[0].var);
Var _0i("_0i");
Var _1(constant_exterior_2.get_schedule().dims()[1].var);
Var _2(constant_exterior_2.get_schedule().dims()[2].var);
Var _3(constant_exterior_2.get_schedule().dims()[3].var);
Var c(output_12.get_schedule().dims()[2].var);
Var n(output_12.get_schedule().dims()[3].var);
Var x(output_12.get_schedule().dims()[0].var);
Var xi("xi");
Var xii("xii");
Var y(output_12.get_schedule().dims()[1].var);
Var yi("yi");
RVar taps_x(pool_index_4.update(0).get_schedule().dims()[0].var);
RVar taps_y(pool_index_4.update(0).get_schedule().dims()[1].var);
output_12
    .split(y, y, yi, 56, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, yi, c, y, n})
    .parallel(y);
pool_index_4
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(output_12, x)
    .reorder({xi, x, y, c, n});
pool_index_4.update(0)
    .split(x, x, xi, 16, TailStrategy::GuardWithIf)
    .vectorize(xi)
    .reorder({xi, x, y, c, n, taps_x, taps_y});
pool_3
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(output_12, x)
    .reorder({xi, x, y, c, n});
pool_3.update(0)
    .split(x, x, xi, 16, TailStrategy::GuardWithIf)
    .vectorize(xi)
    .reorder({xi, x, y, c, n, taps_x, taps_y});
input_padded_8
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(output_12, x)
    .reorder({xi, x, y, c, n});
constant_exterior_2
    .store_in(MemoryType::Stack)
    .split(_0, _0, _0i, 16, TailStrategy::RoundUp)
    .vectorize(_0i)
    .compute_at(output_12, x)
    .reorder({_0i, _0, _1, _2, _3});
repeat_edge_2
    .store_in(MemoryType::Stack)
    .split(_0, _0, _0i, 16, TailStrategy::ShiftInwards)
    .vectorize(_0i)
    .compute_at(output_12, x)
    .reorder({_0i, _0, _1, _2, _3});
first_tap_x_10
    .split(x, x, xi, 64, TailStrategy::RoundUp)
    .split(xi, xi, xii, 16, TailStrategy::RoundUp)
    .unroll(xi)
    .vectorize(xii)
    .compute_root()
    .reorder({xii, xi, x})
    .parallel(x);
