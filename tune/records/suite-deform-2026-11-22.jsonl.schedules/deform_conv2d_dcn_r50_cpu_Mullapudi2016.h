Var c_vi("c_vi");
Var c_vo("c_vo");
Var k_i("k_i");
Var k_o("k_o");
Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func columns_68 = pipeline.get_func(10);
Func conv_57 = pipeline.get_func(13);
Func input_padded_53 = pipeline.get_func(3);
Func output_52 = pipeline.get_func(14);
Func packed_weight_50 = pipeline.get_func(12);
Func sample_pixel_56 = pipeline.get_func(6);
Func sample_position_59 = pipeline.get_func(5);
Func sample_weight_56 = pipeline.get_func(9);

{
    Var lane = columns_68.args()[0];
    Var bi = columns_68.args()[1];
    Var g = columns_68.args()[2];
    Var tap = columns_68.args()[3];
    Var x = columns_68.args()[4];
    Var y = columns_68.args()[5];
    Var n = columns_68.args()[6];
    columns_68
        .compute_root()
        .reorder(lane, x, tap, bi, y, g, n)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g)
        .parallel(y);
}
{
    Var x = conv_57.args()[0];
    Var k = conv_57.args()[2];
    Var n = conv_57.args()[3];
    RVar red$x(conv_57.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_57.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_57.update(0).get_schedule().rvars()[2].var);
    RVar red$w(conv_57.update(0).get_schedule().rvars()[3].var);
    conv_57
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
    conv_57.update(0)
        .reorder(red$x, red$y, red$z, x, red$w, y, k, n)
        .split(k, k_o, k_i, 16, TailStrategy::GuardWithIf)
        .reorder(red$x, red$y, red$z, x, red$w, y, k_i, n, k_o)
        .split(x, x_vo, x_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(x_vi)
        .parallel(k_o);
}
{
    Var lane = input_padded_53.args()[0];
    Var pixel = input_padded_53.args()[1];
    Var block = input_padded_53.args()[2];
    Var n = input_padded_53.args()[3];
    input_padded_53
        .compute_root()
        .reorder(pixel, lane, block, n)
        .reorder(n, pixel, lane, block)
        .split(pixel, pixel_vo, pixel_vi, 8)
        .vectorize(pixel_vi)
        .parallel(block);
}
{
    Var x = output_52.args()[0];
    Var k = output_52.args()[2];
    Var n = output_52.args()[3];
    output_52
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
}
{
    Var ki = packed_weight_50.args()[0];
    Var c = packed_weight_50.args()[1];
    Var tap = packed_weight_50.args()[2];
    Var ko = packed_weight_50.args()[3];
    packed_weight_50
        .compute_at(conv_57, k_o)
        .reorder(c, tap, ki, ko)
        .split(c, c_vo, c_vi, 8)
        .vectorize(c_vi);
}
{
    Var x = sample_pixel_56.args()[0];
    Var tap = sample_pixel_56.args()[2];
    Var g = sample_pixel_56.args()[3];
    Var n = sample_pixel_56.args()[4];
    sample_pixel_56
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var x = sample_position_59.args()[1];
    Var tap = sample_position_59.args()[3];
    Var g = sample_position_59.args()[4];
    Var n = sample_position_59.args()[5];
    sample_position_59
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var part = sample_weight_56.args()[0];
    Var x = sample_weight_56.args()[1];
    Var y = sample_weight_56.args()[2];
    Var tap = sample_weight_56.args()[3];
    Var n = sample_weight_56.args()[5];
    sample_weight_56
        .compute_root()
        .reorder(g, n, part, x, y, tap)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(tap);
}

