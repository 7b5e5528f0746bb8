Var _0_vi("_0_vi");
Var _0_vo("_0_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func constant_exterior_5 = pipeline.get_func(3);
Func conv_5 = pipeline.get_func(6);
Func output_5 = pipeline.get_func(7);

{
    Var _0 = constant_exterior_5.args()[0];
    Var _2 = constant_exterior_5.args()[2];
    Var _3 = constant_exterior_5.args()[3];
    constant_exterior_5
        .compute_root()
        .split(_0, _0_vo, _0_vi, 16)
        .vectorize(_0_vi)
        .parallel(_3)
        .parallel(_2);
}
{
    Var x = conv_5.args()[0];
    Var y = conv_5.args()[1];
    Var k = conv_5.args()[2];
    Var n = conv_5.args()[3];
    RVar red$x(conv_5.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_5.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_5.update(0).get_schedule().rvars()[2].var);
    conv_5
        .compute_at(output_5, y)
        .reorder(x, y, n, k)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
    conv_5.update(0)
        .reorder(x, y, red$x, red$y, red$z, k, n)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi);
}
{
    Var x = output_5.args()[0];
    Var y = output_5.args()[1];
    Var k = output_5.args()[2];
    Var n = output_5.args()[3];
    output_5
        .compute_root()
        .reorder(x, n, y, k)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(k);
}

