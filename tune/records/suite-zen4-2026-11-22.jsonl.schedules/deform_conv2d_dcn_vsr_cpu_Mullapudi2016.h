Var block_vi("block_vi");
Var block_vo("block_vo");
Var c_vi("c_vi");
Var c_vo("c_vo");
Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func columns_8 = pipeline.get_func(12);
Func conv_3 = pipeline.get_func(15);
Func input_padded_3 = pipeline.get_func(5);
Func output_7 = pipeline.get_func(16);
Func packed_weight_3 = pipeline.get_func(14);

{
    Var lane = columns_8.args()[0];
    Var bi = columns_8.args()[1];
    Var g = columns_8.args()[2];
    Var tap = columns_8.args()[3];
    Var x = columns_8.args()[4];
    Var y = columns_8.args()[5];
    Var n = columns_8.args()[6];
    columns_8
        .compute_at(output_7, y)
        .reorder(lane, x, tap, y, bi, g, n)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
}
{
    Var x = conv_3.args()[0];
    Var y = conv_3.args()[1];
    RVar red$x(conv_3.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_3.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_3.update(0).get_schedule().rvars()[2].var);
    RVar red$w(conv_3.update(0).get_schedule().rvars()[3].var);
    conv_3
        .compute_at(output_7, y)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
    conv_3.update(0)
        .reorder(red$x, red$y, red$z, x, red$w, k, y, n)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi);
}
{
    Var pixel = input_padded_3.args()[1];
    Var block = input_padded_3.args()[2];
    Var n = input_padded_3.args()[3];
    RVar over_padded$x(input_padded_3.update(0).get_schedule().rvars()[0].var);
    RVar over_padded$y(input_padded_3.update(0).get_schedule().rvars()[1].var);
    input_padded_3
        .compute_root()
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(n)
        .parallel(block);
    input_padded_3.update(0)
        .reorder(n, over_padded$x, over_padded$y, lane, block)
        .split(block, block_vo, block_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(block_vi)
        .parallel(block_vo);
}
{
    Var x = output_7.args()[0];
    Var y = output_7.args()[1];
    Var k = output_7.args()[2];
    Var n = output_7.args()[3];
    output_7
        .compute_root()
        .reorder(x, k, n, y)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(y);
}
{
    Var ki = packed_weight_3.args()[0];
    Var c = packed_weight_3.args()[1];
    Var tap = packed_weight_3.args()[2];
    Var ko = packed_weight_3.args()[3];
    packed_weight_3
        .compute_root()
        .reorder(c, tap, ki, ko)
        .split(c, c_vo, c_vi, 16)
        .vectorize(c_vi)
        .parallel(ko);
}

