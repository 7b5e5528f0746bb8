Var c_vi("c_vi");
Var c_vo("c_vo");
Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func columns_41 = pipeline.get_func(10);
Func conv_41 = pipeline.get_func(13);
Func input_padded_40 = pipeline.get_func(3);
Func output_32 = pipeline.get_func(14);
Func packed_weight_30 = pipeline.get_func(12);

{
    Var lane = columns_41.args()[0];
    Var bi = columns_41.args()[1];
    Var g = columns_41.args()[2];
    Var tap = columns_41.args()[3];
    Var x = columns_41.args()[4];
    Var y = columns_41.args()[5];
    Var n = columns_41.args()[6];
    columns_41
        .compute_at(output_32, y)
        .reorder(lane, x, tap, y, bi, g, n)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi);
}
{
    Var x = conv_41.args()[0];
    Var y = conv_41.args()[1];
    RVar red$x(conv_41.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_41.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_41.update(0).get_schedule().rvars()[2].var);
    RVar red$w(conv_41.update(0).get_schedule().rvars()[3].var);
    conv_41
        .compute_at(output_32, y)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi);
    conv_41.update(0)
        .reorder(red$x, red$y, red$z, x, red$w, k, y, n)
        .split(x, x_vo, x_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(x_vi);
}
{
    Var lane = input_padded_40.args()[0];
    Var pixel = input_padded_40.args()[1];
    Var block = input_padded_40.args()[2];
    Var n = input_padded_40.args()[3];
    input_padded_40
        .compute_root()
        .reorder(pixel, lane, block, n)
        .reorder(n, pixel, lane, block)
        .split(pixel, pixel_vo, pixel_vi, 8)
        .vectorize(pixel_vi)
        .parallel(block);
}
{
    Var x = output_32.args()[0];
    Var y = output_32.args()[1];
    Var k = output_32.args()[2];
    Var n = output_32.args()[3];
    output_32
        .compute_root()
        .reorder(x, k, n, y)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(y);
}
{
    Var ki = packed_weight_30.args()[0];
    Var c = packed_weight_30.args()[1];
    Var tap = packed_weight_30.args()[2];
    Var ko = packed_weight_30.args()[3];
    packed_weight_30
        .compute_root()
        .reorder(c, tap, ki, ko)
        .split(c, c_vo, c_vi, 8)
        .vectorize(c_vi)
        .parallel(ko);
}

