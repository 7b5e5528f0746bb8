Func output_10 = pipeline.get_func(7);
Func conv_10 = pipeline.get_func(6);
Func input_padded_10 = pipeline.get_func(4);
Func constant_exterior_10 = pipeline.get_func(3);
Func repeat_edge_10 = pipeline.get_func(2);
Var _0(constant_exterior_10.get_schedule().dims()[0].var);
Var _0i("_0i");
Var _1(constant_exterior_10.get_schedule().dims()[1].var);
Var _2(constant_exterior_10.get_schedule().dims()[2].var);
Var _3(constant_exterior_10.get_schedule().dims()[3].var);
Var k(output_10.get_schedule().dims()[2].var);
Var n(output_10.get_schedule().dims()[3].var);
Var x(output_10.get_schedule().dims()[0].var);
Var xi("xi");
Var y(output_10.get_schedule().dims()[1].var);
Var yi("yi");
Var yii("yii");
RVar red_x(conv_10.update(0).get_schedule().dims()[0].var);
RVar red_y(conv_10.update(0).get_schedule().dims()[1].var);
RVar red_z(conv_10.update(0).get_schedule().dims()[2].var);
output_10
    .split(y, y, yi, 16, TailStrategy::ShiftInwards)
    .split(yi, yi, yii, 4, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, yii, yi, y, k, n})
    .parallel(k);
conv_10
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(output_10, yi)
    .reorder({xi, x, y, k, n});
conv_10.update(0)
    .split(x, x, xi, 16, TailStrategy::GuardWithIf)
    .split(y, y, yi, 2, TailStrategy::GuardWithIf)
    .vectorize(xi)
    .reorder({xi, red_x, red_y, yi, red_z, x, y, k, n});
input_padded_10
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(conv_10, red_z)
    .reorder({xi, x, y, k, n});
constant_exterior_10
    .store_in(MemoryType::Stack)
    .split(_0, _0, _0i, 16, TailStrategy::ShiftInwards)
    .vectorize(_0i)
    .compute_at(output_10, yi)
    .store_at(output_10, y)
    .reorder({_0i, _0, _1, _2, _3});
