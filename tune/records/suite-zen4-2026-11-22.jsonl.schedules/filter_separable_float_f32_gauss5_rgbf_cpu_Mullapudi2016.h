Var fx_vi("fx_vi");
Var fx_vo("fx_vo");

Func horizontal_1 = pipeline.get_func(4);
Func output_1 = pipeline.get_func(5);
Func vertical_2 = pipeline.get_func(3);

{
    Var fx = horizontal_1.args()[0];
    Var y = horizontal_1.args()[1];
    horizontal_1
        .compute_at(output_1, y)
        .split(fx, fx_vo, fx_vi, 16)
        .vectorize(fx_vi);
    horizontal_1.update(0)
        .split(fx, fx_vo, fx_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(fx_vi);
}
{
    Var fx = output_1.args()[0];
    Var y = output_1.args()[1];
    output_1
        .compute_root()
        .split(fx, fx_vo, fx_vi, 16)
        .vectorize(fx_vi)
        .parallel(y);
}
{
    Var fx = vertical_2.args()[0];
    Var y = vertical_2.args()[1];
    RVar column_taps$x(vertical_2.update(0).get_schedule().rvars()[0].var);
    vertical_2
        .compute_at(output_1, y)
        .split(fx, fx_vo, fx_vi, 16)
        .vectorize(fx_vi);
    vertical_2.update(0)
        .reorder(fx, column_taps$x, y)
        .split(fx, fx_vo, fx_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(fx_vi);
}

