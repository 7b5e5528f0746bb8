Func output_2 = pipeline.get_func(5);
Func pool_2 = pipeline.get_func(4);
Func input_padded_2 = pipeline.get_func(3);
Func constant_exterior_2 = pipeline.get_func(2);
Func repeat_edge_2 = pipeline.get_func(1);
Var _0(constant_exterior_2.get_schedule().dims()[0].var);
Var _0i("_0i");
Var _1(constant_exterior_2.get_schedule().dims()[1].var);
Var _2(constant_exterior_2.get_schedule().dims()[2].var);
Var _3(constant_exterior_2.get_schedule().dims()[3].var);
Var c(output_2.get_schedule().dims()[2].var);
Var n(output_2.get_schedule().dims()[3].var);
Var x(output_2.get_schedule().dims()[0].var);
Var xi("xi");
Var y(output_2.get_schedule().dims()[1].var);
Var yi("yi");
RVar taps_x(pool_2.update(0).get_schedule().dims()[0].var);
RVar taps_y(pool_2.update(0).get_schedule().dims()[1].var);
output_2
    .split(y, y, yi, 14, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, yi, c, y, n})
    .parallel(y);
pool_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(output_2, yi)
    .reorder({xi, x, y, c, n});
pool_2.update(0)
    .split(x, x, xi, 16, TailStrategy::GuardWithIf)
    .vectorize(xi)
    .reorder({xi, taps_x, taps_y, x, y, c, n});
input_padded_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(pool_2, taps_y)
    .reorder({xi, x, y, c, n});
constant_exterior_2
    .store_in(MemoryType::Stack)
    .split(_0, _0, _0i, 16, TailStrategy::ShiftInwards)
    .vectorize(_0i)
    .compute_at(output_2, yi)
    .reorder({_0i, _0, _1, _2, _3});
repeat_edge_2
    .store_in(MemoryType::Stack)
    .split(_0, _0, _0i, 16, TailStrategy::ShiftInwards)
    .vectorize(_0i)
    .compute_at(constant_exterior_2, _0)
    .reorder({_0i, _0, _1, _2, _3});
