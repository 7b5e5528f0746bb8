Var _0_vi("_0_vi");
Var _0_vo("_0_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func constant_exterior_3 = pipeline.get_func(3);
Func conv_3 = pipeline.get_func(6);
Func output_6 = pipeline.get_func(7);

{
    Var _0 = constant_exterior_3.args()[0];
    Var _2 = constant_exterior_3.args()[2];
    Var _3 = constant_exterior_3.args()[3];
    constant_exterior_3
        .compute_root()
        .split(_0, _0_vo, _0_vi, 16)
        .vectorize(_0_vi)
        .parallel(_3)
        .parallel(_2);
}
{
    Var x = conv_3.args()[0];
    Var k = conv_3.args()[2];
    Var n = conv_3.args()[3];
    RVar red$x(conv_3.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_3.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_3.update(0).get_schedule().rvars()[2].var);
    conv_3
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
    conv_3.update(0)
        .reorder(x, y, red$x, red$y, red$z, k, n)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
}
{
    Var x = output_6.args()[0];
    Var k = output_6.args()[2];
    Var n = output_6.args()[3];
    output_6
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
}

