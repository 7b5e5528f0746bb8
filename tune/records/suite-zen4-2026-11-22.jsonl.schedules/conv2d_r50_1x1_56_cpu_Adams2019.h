Func output_6 = pipeline.get_func(7);
Func conv_6 = pipeline.get_func(6);
Func input_padded_6 = pipeline.get_func(4);
Func constant_exterior_6 = pipeline.get_func(3);
Func repeat_edge_6 = pipeline.get_func(2);
Var k(output_6.get_schedule().dims()[2].var);
Var ki("ki");
Var n(output_6.get_schedule().dims()[3].var);
Var x(output_6.get_schedule().dims()[0].var);
Var xi("xi");
Var y(output_6.get_schedule().dims()[1].var);
Var yi("yi");
RVar red_x(conv_6.update(0).get_schedule().dims()[0].var);
RVar red_y(conv_6.update(0).get_schedule().dims()[1].var);
RVar red_z(conv_6.update(0).get_schedule().dims()[2].var);
output_6
    .split(y, y, yi, 7, TailStrategy::ShiftInwards)
    .split(k, k, ki, 64, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, ki, yi, y, k, n})
    .fuse(y, k, y)
    .parallel(y);
conv_6.update(0)
    .split(k, k, ki, 16, TailStrategy::GuardWithIf)
    .vectorize(ki)
    .reorder({ki, k, x, red_x, red_y, red_z, y, n});
input_padded_6
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(conv_6, red_x)
    .reorder({xi, x, y, k, n});
conv_6
    .store_in(MemoryType::Stack)
    .split(k, k, ki, 16, TailStrategy::ShiftInwards)
    .vectorize(ki)
    .compute_at(output_6, yi)
    .reorder({ki, k, x, y, n})
    .reorder_storage(k, x, y, n);
