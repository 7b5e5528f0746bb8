Var k_vi("k_vi");
Var k_vo("k_vo");
Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");
Var q_vi("q_vi");
Var q_vo("q_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func grad_d_partial_1 = pipeline.get_func(11);
Func grad_d_scatter_1 = pipeline.get_func(12);
Func grad_offsets_1 = pipeline.get_func(14);
Func grad_t_1 = pipeline.get_func(7);
Func grad_targets_1 = pipeline.get_func(8);
Func lower_scaled_1 = pipeline.get_func(1);
Func sample_index_1 = pipeline.get_func(3);
Func sample_slope_1 = pipeline.get_func(4);
Func sample_weight_1 = pipeline.get_func(10);

{
    Var k = grad_d_partial_1.args()[0];
    Var strip = grad_d_partial_1.args()[2];
    Var b = grad_d_partial_1.args()[3];
    RVar over_samples$x(grad_d_partial_1.update(0).get_schedule().rvars()[0].var);
    RVar over_samples$y(grad_d_partial_1.update(0).get_schedule().rvars()[1].var);
    RVar over_samples$z(grad_d_partial_1.update(0).get_schedule().rvars()[2].var);
    RVar over_samples$w(grad_d_partial_1.update(0).get_schedule().rvars()[3].var);
    grad_d_partial_1
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(b)
        .parallel(strip);
    grad_d_partial_1.update(0)
        .reorder(over_samples$x, over_samples$y, over_samples$z, k, strip, over_samples$w, b)
        .reorder(b, over_samples$x, over_samples$y, over_samples$z, k, strip, over_samples$w)
        .split(k, k_vo, k_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .reorder(over_samples$w, strip)
        .parallel(strip);
}
{
    Var k = grad_d_scatter_1.args()[0];
    Var pixel = grad_d_scatter_1.args()[1];
    Var b = grad_d_scatter_1.args()[2];
    RVar over_strips$x(grad_d_scatter_1.update(0).get_schedule().rvars()[0].var);
    grad_d_scatter_1
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(b)
        .parallel(pixel);
    grad_d_scatter_1.update(0)
        .reorder(k, pixel, over_strips$x, b)
        .split(k, k_vo, k_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(b)
        .reorder(over_strips$x, pixel)
        .parallel(pixel);
}
{
    Var q = grad_offsets_1.args()[0];
    Var p = grad_offsets_1.args()[1];
    Var k = grad_offsets_1.args()[2];
    grad_offsets_1
        .compute_root()
        .reorder(b, q, p, k)
        .split(q, q_vo, q_vi, 16)
        .vectorize(q_vi)
        .parallel(k);
}
{
    Var x = grad_t_1.args()[0];
    Var n = grad_t_1.args()[3];
    Var b = grad_t_1.args()[4];
    RVar over_k$x(grad_t_1.update(0).get_schedule().rvars()[0].var);
    grad_t_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(b)
        .parallel(n);
    grad_t_1.update(0)
        .reorder(x, over_k$x, y, comp, n, b)
        .reorder(x, over_k$x, y, comp, b, n)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var x = grad_targets_1.args()[0];
    Var n = grad_targets_1.args()[3];
    Var b = grad_targets_1.args()[4];
    grad_targets_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(b)
        .parallel(n);
}
{
    Var k = lower_scaled_1.args()[0];
    Var pixel = lower_scaled_1.args()[1];
    Var b = lower_scaled_1.args()[2];
    lower_scaled_1
        .compute_root()
        .reorder(pixel, k, b)
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(b)
        .parallel(k);
}
{
    Var x = sample_index_1.args()[1];
    Var n = sample_index_1.args()[3];
    Var b = sample_index_1.args()[4];
    sample_index_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(b)
        .parallel(n);
}
{
    Var x = sample_slope_1.args()[1];
    Var n = sample_slope_1.args()[3];
    sample_slope_1
        .compute_at(grad_t_1, n)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
}
{
    Var x = sample_weight_1.args()[1];
    Var n = sample_weight_1.args()[3];
    Var b = sample_weight_1.args()[4];
    sample_weight_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(b)
        .parallel(n);
}

