Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func lower_scaled_5 = pipeline.get_func(1);
Func points_10 = pipeline.get_func(7);

{
    Var k = lower_scaled_5.args()[0];
    Var pixel = lower_scaled_5.args()[1];
    Var b = lower_scaled_5.args()[2];
    lower_scaled_5
        .compute_root()
        .reorder(pixel, k, b)
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(b);
}
{
    Var x = points_10.args()[0];
    Var b = points_10.args()[4];
    points_10
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(b);
}

