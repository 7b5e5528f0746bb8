Var _0_vi("_0_vi");
Var _0_vo("_0_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func constant_exterior_1 = pipeline.get_func(3);
Func conv_1 = pipeline.get_func(6);
Func output_1 = pipeline.get_func(7);

{
    Var _0 = constant_exterior_1.args()[0];
    constant_exterior_1
        .compute_at(conv_1, y)
        .split(_0, _0_vo, _0_vi, 16)
        .vectorize(_0_vi);
}
{
    Var x = conv_1.args()[0];
    Var k = conv_1.args()[2];
    Var n = conv_1.args()[3];
    RVar red$x(conv_1.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_1.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_1.update(0).get_schedule().rvars()[2].var);
    conv_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
    conv_1.update(0)
        .reorder(x, y, red$x, red$y, red$z, k, n)
        .reorder(x, red$x, red$y, red$z, k, n, y)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi)
        .parallel(y);
}
{
    Var x = output_1.args()[0];
    Var k = output_1.args()[2];
    Var n = output_1.args()[3];
    output_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
}

