Var bi_vi("bi_vi");
Var bi_vo("bi_vo");
Var block_vi("block_vi");
Var block_vo("block_vo");
Var c_vi("c_vi");
Var c_vo("c_vo");
Var k_i("k_i");
Var k_i_vi("k_i_vi");
Var k_i_vo("k_i_vo");
Var k_o("k_o");
Var k_vi("k_vi");
Var k_vo("k_vo");
Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");

Func columns_9 = pipeline.get_func(12);
Func conv_4 = pipeline.get_func(15);
Func input_padded_4 = pipeline.get_func(5);
Func output_4 = pipeline.get_func(16);
Func packed_weight_4 = pipeline.get_func(14);
Func sample_pixel_8 = pipeline.get_func(8);
Func sample_position_4 = pipeline.get_func(7);
Func sample_weight_5 = pipeline.get_func(11);

{
    Var lane = columns_9.args()[0];
    Var bi = columns_9.args()[1];
    Var g = columns_9.args()[2];
    Var tap = columns_9.args()[3];
    Var x = columns_9.args()[4];
    Var y = columns_9.args()[5];
    Var n = columns_9.args()[6];
    columns_9
        .compute_root()
        .reorder(lane, x, tap, bi, y, g, n)
        .split(bi, bi_vo, bi_vi, 16)
        .vectorize(bi_vi)
        .parallel(n)
        .parallel(g)
        .parallel(y);
}
{
    Var k = conv_4.args()[2];
    Var n = conv_4.args()[3];
    RVar red$x(conv_4.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_4.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_4.update(0).get_schedule().rvars()[2].var);
    RVar red$w(conv_4.update(0).get_schedule().rvars()[3].var);
    conv_4
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(n)
        .parallel(k_vo);
    conv_4.update(0)
        .reorder(red$x, red$y, red$z, x, red$w, y, k, n)
        .split(k, k_o, k_i, 16, TailStrategy::GuardWithIf)
        .reorder(red$x, red$y, red$z, x, red$w, y, k_i, n, k_o)
        .split(k_i, k_i_vo, k_i_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(k_i_vi)
        .parallel(k_o);
}
{
    Var pixel = input_padded_4.args()[1];
    Var block = input_padded_4.args()[2];
    Var n = input_padded_4.args()[3];
    RVar over_padded$x(input_padded_4.update(0).get_schedule().rvars()[0].var);
    RVar over_padded$y(input_padded_4.update(0).get_schedule().rvars()[1].var);
    input_padded_4
        .compute_root()
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(n)
        .parallel(block);
    input_padded_4.update(0)
        .reorder(n, over_padded$x, over_padded$y, lane, block)
        .split(block, block_vo, block_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(block_vi)
        .parallel(block_vo);
}
{
    Var k = output_4.args()[2];
    Var n = output_4.args()[3];
    output_4
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(n)
        .parallel(k_vo);
}
{
    Var ki = packed_weight_4.args()[0];
    Var c = packed_weight_4.args()[1];
    Var tap = packed_weight_4.args()[2];
    Var ko = packed_weight_4.args()[3];
    packed_weight_4
        .compute_at(conv_4, k_o)
        .reorder(c, tap, ki, ko)
        .split(c, c_vo, c_vi, 16)
        .vectorize(c_vi);
}
{
    Var tap = sample_pixel_8.args()[2];
    Var g = sample_pixel_8.args()[3];
    Var n = sample_pixel_8.args()[4];
    sample_pixel_8
        .compute_root()
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var tap = sample_position_4.args()[3];
    Var g = sample_position_4.args()[4];
    Var n = sample_position_4.args()[5];
    sample_position_4
        .compute_root()
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var part = sample_weight_5.args()[0];
    Var x = sample_weight_5.args()[1];
    Var y = sample_weight_5.args()[2];
    Var tap = sample_weight_5.args()[3];
    Var n = sample_weight_5.args()[5];
    sample_weight_5
        .compute_root()
        .reorder(g, n, part, x, y, tap)
        .parallel(tap);
}

