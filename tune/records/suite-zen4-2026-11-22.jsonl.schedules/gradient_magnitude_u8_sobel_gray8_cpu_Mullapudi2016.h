Var fx_i("fx_i");
Var fx_i_vi("fx_i_vi");
Var fx_i_vo("fx_i_vo");
Var fx_o("fx_o");
Var fx_vi("fx_vi");
Var fx_vo("fx_vo");
Var y_i("y_i");
Var y_o("y_o");
Var y_vi("y_vi");
Var y_vo("y_vo");

Func diff_y_1 = pipeline.get_func(2);
Func output_1 = pipeline.get_func(5);
Func rows_1 = pipeline.get_func(1);
Func smooth_y_2 = pipeline.get_func(3);

{
    Var fx = diff_y_1.args()[0];
    diff_y_1
        .compute_at(output_1, fx_o)
        .split(fx, fx_vo, fx_vi, 32)
        .vectorize(fx_vi);
}
{
    Var fx = output_1.args()[0];
    Var y = output_1.args()[1];
    output_1
        .compute_root()
        .split(fx, fx_o, fx_i, 64)
        .split(y, y_o, y_i, 64)
        .reorder(fx_i, y_i, fx_o, y_o)
        .split(fx_i, fx_i_vo, fx_i_vi, 64)
        .vectorize(fx_i_vi)
        .parallel(y_o);
}
{
    Var fx = rows_1.args()[0];
    rows_1
        .compute_at(output_1, fx_o)
        .split(fx, fx_vo, fx_vi, 32)
        .vectorize(fx_vi);
    rows_1.update(0)
        .split(y, y_vo, y_vi, 32, TailStrategy::GuardWithIf)
        .vectorize(y_vi);
    rows_1.update(1)
        .split(y, y_vo, y_vi, 32, TailStrategy::GuardWithIf)
        .vectorize(y_vi);
}
{
    Var fx = smooth_y_2.args()[0];
    smooth_y_2
        .compute_at(output_1, fx_o)
        .split(fx, fx_vo, fx_vi, 32)
        .vectorize(fx_vi);
}

