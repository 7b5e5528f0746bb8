Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");
Var q_vi("q_vi");
Var q_vo("q_vo");
Var x_i("x_i");
Var x_i_vi("x_i_vi");
Var x_i_vo("x_i_vo");
Var x_o("x_o");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func grad_d_partial_3 = pipeline.get_func(11);
Func grad_d_scatter_3 = pipeline.get_func(12);
Func grad_offsets_3 = pipeline.get_func(14);
Func grad_t_3 = pipeline.get_func(7);
Func grad_targets_3 = pipeline.get_func(8);
Func lower_scaled_3 = pipeline.get_func(1);

{
    Var k = grad_d_partial_3.args()[0];
    Var pixel = grad_d_partial_3.args()[1];
    RVar over_samples$x(grad_d_partial_3.update(0).get_schedule().rvars()[0].var);
    RVar over_samples$y(grad_d_partial_3.update(0).get_schedule().rvars()[1].var);
    RVar over_samples$z(grad_d_partial_3.update(0).get_schedule().rvars()[2].var);
    RVar over_samples$w(grad_d_partial_3.update(0).get_schedule().rvars()[3].var);
    grad_d_partial_3
        .compute_at(grad_offsets_3, k)
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi);
    grad_d_partial_3.update(0)
        .reorder(over_samples$x, over_samples$y, over_samples$z, strip, k, over_samples$w, b);
}
{
    Var k = grad_d_scatter_3.args()[0];
    Var pixel = grad_d_scatter_3.args()[1];
    RVar over_strips$x(grad_d_scatter_3.update(0).get_schedule().rvars()[0].var);
    grad_d_scatter_3
        .compute_at(grad_offsets_3, k)
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi);
    grad_d_scatter_3.update(0)
        .reorder(k, pixel, over_strips$x, b)
        .split(pixel, pixel_vo, pixel_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(pixel_vi);
}
{
    Var q = grad_offsets_3.args()[0];
    Var b = grad_offsets_3.args()[3];
    grad_offsets_3
        .compute_root()
        .split(q, q_vo, q_vi, 16)
        .vectorize(q_vi)
        .parallel(b);
}
{
    Var x = grad_t_3.args()[0];
    RVar over_k$x(grad_t_3.update(0).get_schedule().rvars()[0].var);
    grad_t_3
        .compute_at(grad_targets_3, x_o)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
    grad_t_3.update(0)
        .reorder(x, comp, y, over_k$x, n, b)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi);
}
{
    Var x = grad_targets_3.args()[0];
    Var y = grad_targets_3.args()[1];
    Var comp = grad_targets_3.args()[2];
    Var n = grad_targets_3.args()[3];
    Var b = grad_targets_3.args()[4];
    grad_targets_3
        .compute_root()
        .split(x, x_o, x_i, 64)
        .reorder(x_i, x_o, y, comp, n, b)
        .split(x_i, x_i_vo, x_i_vi, 16)
        .vectorize(x_i_vi)
        .parallel(b);
}
{
    Var k = lower_scaled_3.args()[0];
    Var pixel = lower_scaled_3.args()[1];
    Var b = lower_scaled_3.args()[2];
    lower_scaled_3
        .compute_root()
        .reorder(pixel, k, b)
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(b);
}

