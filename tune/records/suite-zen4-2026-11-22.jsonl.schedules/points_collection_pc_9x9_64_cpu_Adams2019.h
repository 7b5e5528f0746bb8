Func points_4 = pipeline.get_func(7);
Func points_5 = pipeline.get_func(6);
Func interp_2 = pipeline.get_func(5);
Func sample_weight_2 = pipeline.get_func(4);
Func sample_index_2 = pipeline.get_func(3);
Func lower_scaled_2 = pipeline.get_func(1);
Var b(points_4.get_schedule().dims()[4].var);
Var k(points_4.get_schedule().dims()[2].var);
Var ki("ki");
Var n(points_4.get_schedule().dims()[3].var);
Var ni("ni");
Var part(sample_weight_2.get_schedule().dims()[0].var);
Var pixel(lower_scaled_2.get_schedule().dims()[1].var);
Var pixeli("pixeli");
Var x(points_4.get_schedule().dims()[0].var);
Var xi("xi");
Var y(points_4.get_schedule().dims()[1].var);
Var yi("yi");
points_4
    .split(y, y, yi, 32, TailStrategy::ShiftInwards)
    .split(n, n, ni, 3, TailStrategy::ShiftInwards)
    .split(k, k, ki, 3, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, ki, ni, k, yi, n, y, b})
    .parallel(y);
points_5
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(points_4, x)
    .reorder({xi, x, y, k, n, b});
interp_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(points_4, k)
    .reorder({xi, x, k, y, n, b})
    .reorder_storage(x, k, y, n, b);
sample_weight_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(points_4, yi)
    .reorder({xi, x, part, y, n, b})
    .reorder_storage(x, part, y, n, b);
sample_index_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(points_4, yi)
    .reorder({xi, x, part, y, n, b})
    .reorder_storage(x, part, y, n, b);
lower_scaled_2
    .split(k, k, ki, 9, TailStrategy::ShiftInwards)
    .split(pixel, pixel, pixeli, 16, TailStrategy::ShiftInwards)
    .vectorize(pixeli)
    .compute_root()
    .reorder({pixeli, pixel, ki, k, b})
    .parallel(k)
    .reorder_storage(pixel, k, b);
