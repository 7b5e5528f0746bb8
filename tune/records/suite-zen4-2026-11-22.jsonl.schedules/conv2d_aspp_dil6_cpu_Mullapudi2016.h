Var _0_vi("_0_vi");
Var _0_vo("_0_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func constant_exterior_11 = pipeline.get_func(3);
Func conv_11 = pipeline.get_func(6);
Func output_11 = pipeline.get_func(7);

{
    Var _0 = constant_exterior_11.args()[0];
    constant_exterior_11
        .compute_at(output_11, y)
        .split(_0, _0_vo, _0_vi, 16)
        .vectorize(_0_vi);
}
{
    Var x = conv_11.args()[0];
    Var y = conv_11.args()[1];
    RVar red$x(conv_11.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_11.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_11.update(0).get_schedule().rvars()[2].var);
    conv_11
        .compute_at(output_11, y)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
    conv_11.update(0)
        .reorder(x, y, red$x, red$y, red$z, k, n)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi);
}
{
    Var x = output_11.args()[0];
    Var y = output_11.args()[1];
    Var k = output_11.args()[2];
    Var n = output_11.args()[3];
    output_11
        .compute_root()
        .reorder(x, k, n, y)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(y);
}

