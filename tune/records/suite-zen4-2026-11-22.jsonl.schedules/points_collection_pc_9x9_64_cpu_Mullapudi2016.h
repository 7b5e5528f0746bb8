Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func lower_scaled_1 = pipeline.get_func(1);
Func points_2 = pipeline.get_func(7);
Func sample_index_1 = pipeline.get_func(3);
Func sample_weight_1 = pipeline.get_func(4);

{
    Var k = lower_scaled_1.args()[0];
    Var pixel = lower_scaled_1.args()[1];
    Var b = lower_scaled_1.args()[2];
    lower_scaled_1
        .compute_root()
        .reorder(pixel, k, b)
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(b)
        .parallel(k);
}
{
    Var x = points_2.args()[0];
    Var y = points_2.args()[1];
    Var k = points_2.args()[2];
    Var n = points_2.args()[3];
    points_2
        .compute_root()
        .reorder(b, x, y, k, n)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var x = sample_index_1.args()[1];
    Var n = sample_index_1.args()[3];
    Var b = sample_index_1.args()[4];
    sample_index_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(b)
        .parallel(n);
}
{
    Var x = sample_weight_1.args()[1];
    Var n = sample_weight_1.args()[3];
    Var b = sample_weight_1.args()[4];
    sample_weight_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(b)
        .parallel(n);
}

