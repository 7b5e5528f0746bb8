Var _0_vi("_0_vi");
Var _0_vo("_0_vo");
Var k_vi("k_vi");
Var k_vo("k_vo");

Func constant_exterior_4 = pipeline.get_func(3);
Func conv_4 = pipeline.get_func(6);
Func output_4 = pipeline.get_func(7);

{
    Var _0 = constant_exterior_4.args()[0];
    Var _2 = constant_exterior_4.args()[2];
    Var _3 = constant_exterior_4.args()[3];
    constant_exterior_4
        .compute_root()
        .split(_0, _0_vo, _0_vi, 16)
        .vectorize(_0_vi)
        .parallel(_3)
        .parallel(_2);
}
{
    Var k = conv_4.args()[2];
    Var n = conv_4.args()[3];
    RVar red$x(conv_4.update(0).get_schedule().rvars()[0].var);
    RVar red$y(conv_4.update(0).get_schedule().rvars()[1].var);
    RVar red$z(conv_4.update(0).get_schedule().rvars()[2].var);
    conv_4
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(n)
        .parallel(k_vo);
    conv_4.update(0)
        .reorder(x, y, red$x, red$y, red$z, k, n)
        .split(k, k_vo, k_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(n)
        .parallel(k_vo);
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

