Var block_vi("block_vi");
Var block_vo("block_vo");
Var c_i("c_i");
Var c_o("c_o");
Var c_vi("c_vi");
Var c_vo("c_vo");
Var ci_vi("ci_vi");
Var ci_vo("ci_vo");
Var k_vi("k_vi");
Var k_vo("k_vo");
Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");

Func columns_4 = pipeline.get_func(29);
Func f290 = pipeline.get_func(35);
Func grad_bias_4 = pipeline.get_func(36);
Func grad_columns_4 = pipeline.get_func(4);
Func grad_input_4 = pipeline.get_func(14);
Func grad_input_scatter_4 = pipeline.get_func(12);
Func grad_mask_4 = pipeline.get_func(26);
Func grad_offset_5 = pipeline.get_func(24);
Func grad_out_5 = pipeline.get_func(1);
Func grad_weight_14 = pipeline.get_func(34);
Func input_padded_4 = pipeline.get_func(19);
Func lane_sums_4 = pipeline.get_func(21);
Func row_weight_grads_6 = pipeline.get_func(31);
Func sample_fraction_4 = pipeline.get_func(10);
Func sample_pixel_4 = pipeline.get_func(8);
Func sample_position_6 = pipeline.get_func(7);
Func sample_weight_4 = pipeline.get_func(28);
Func scatter_factors_4 = pipeline.get_func(11);
Func summed_weight_grads_8 = pipeline.get_func(32);
Func weight_t_4 = pipeline.get_func(3);

{
    Var lane = columns_4.args()[0];
    Var bi = columns_4.args()[1];
    Var g = columns_4.args()[2];
    Var tap = columns_4.args()[3];
    Var x = columns_4.args()[4];
    Var y = columns_4.args()[5];
    Var n = columns_4.args()[6];
    columns_4
        .compute_at(summed_weight_grads_8, lane)
        .reorder(lane, x, y, tap, bi, g, n);
}
{
    Var k = f290.args()[0];
    RVar over_pixels$x(f290.update(0).get_schedule().rvars()[0].var);
    RVar over_pixels$y(f290.update(0).get_schedule().rvars()[1].var);
    RVar over_pixels$z(f290.update(0).get_schedule().rvars()[2].var);
    f290
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(k_vo);
    f290.update(0)
        .reorder(over_pixels$x, over_pixels$y, k, over_pixels$z)
        .reorder(over_pixels$z, over_pixels$x, over_pixels$y, k)
        .split(k, k_vo, k_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(k_vo);
}
{
    Var k = grad_bias_4.args()[0];
    grad_bias_4
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(k_vo);
}
{
    Var c = grad_columns_4.args()[0];
    Var pixel = grad_columns_4.args()[2];
    Var n = grad_columns_4.args()[3];
    RVar over_group_out$x(grad_columns_4.update(0).get_schedule().rvars()[0].var);
    grad_columns_4
        .compute_root()
        .split(c, c_vo, c_vi, 16)
        .vectorize(c_vi)
        .parallel(n)
        .parallel(pixel);
    grad_columns_4.update(0)
        .reorder(over_group_out$x, tap, pixel, c, n)
        .split(c, c_o, c_i, 64, TailStrategy::GuardWithIf)
        .reorder(over_group_out$x, tap, pixel, c_i, n, c_o)
        .split(pixel, pixel_vo, pixel_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(pixel_vi)
        .parallel(c_o);
}
{
    Var c = grad_input_4.args()[2];
    Var n = grad_input_4.args()[3];
    grad_input_4
        .compute_root()
        .split(c, c_vo, c_vi, 16)
        .vectorize(c_vi)
        .parallel(n)
        .parallel(c_vo);
}
{
    Var pixel = grad_input_scatter_4.args()[1];
    Var block = grad_input_scatter_4.args()[2];
    Var n = grad_input_scatter_4.args()[3];
    RVar over_samples$x(grad_input_scatter_4.update(0).get_schedule().rvars()[0].var);
    RVar over_samples$y(grad_input_scatter_4.update(0).get_schedule().rvars()[1].var);
    RVar over_samples$z(grad_input_scatter_4.update(0).get_schedule().rvars()[2].var);
    RVar over_samples$w(grad_input_scatter_4.update(0).get_schedule().rvars()[3].var);
    grad_input_scatter_4
        .compute_root()
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(n)
        .parallel(block);
    grad_input_scatter_4.update(0)
        .reorder(lane, over_samples$x, over_samples$y, over_samples$z, over_samples$w, block, n)
        .reorder(n, lane, over_samples$x, over_samples$y, over_samples$z, over_samples$w, block)
        .split(block, block_vo, block_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(block_vi)
        .parallel(block_vo);
}
{
    Var x = grad_mask_4.args()[0];
    Var y = grad_mask_4.args()[1];
    Var c = grad_mask_4.args()[2];
    Var n = grad_mask_4.args()[3];
    grad_mask_4
        .compute_root()
        .reorder(c, x, y, n)
        .reorder(n, c, x, y)
        .parallel(y);
}
{
    Var x = grad_offset_5.args()[0];
    Var y = grad_offset_5.args()[1];
    Var c = grad_offset_5.args()[2];
    Var n = grad_offset_5.args()[3];
    grad_offset_5
        .compute_root()
        .reorder(x, c, y, n)
        .reorder(n, x, c, y)
        .split(c, c_vo, c_vi, 16)
        .vectorize(c_vi)
        .parallel(y);
}
{
    Var k = grad_out_5.args()[2];
    Var n = grad_out_5.args()[3];
    grad_out_5
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(n)
        .parallel(k_vo);
}
{
    Var c = grad_weight_14.args()[2];
    Var n = grad_weight_14.args()[3];
    grad_weight_14
        .compute_root()
        .split(c, c_vo, c_vi, 16)
        .vectorize(c_vi)
        .parallel(n);
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
    Var y = lane_sums_4.args()[5];
    Var n = lane_sums_4.args()[6];
    RVar over_blocks$x(lane_sums_4.update(0).get_schedule().rvars()[0].var);
    lane_sums_4
        .compute_root()
        .parallel(n)
        .parallel(y);
    lane_sums_4.update(0)
        .reorder(lane, part, tap, x, over_blocks$x, y, g, n)
        .reorder(g, n, lane, part, tap, x, over_blocks$x, y)
        .parallel(y);
}
{
    Var k = row_weight_grads_6.args()[0];
    Var lane = row_weight_grads_6.args()[1];
    row_weight_grads_6
        .compute_at(summed_weight_grads_8, lane)
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi);
    row_weight_grads_6.update(0)
        .split(k, k_vo, k_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(k_vi);
}
{
    Var tap = sample_fraction_4.args()[3];
    Var g = sample_fraction_4.args()[4];
    Var n = sample_fraction_4.args()[5];
    sample_fraction_4
        .compute_root()
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var tap = sample_pixel_4.args()[2];
    Var g = sample_pixel_4.args()[3];
    Var n = sample_pixel_4.args()[4];
    sample_pixel_4
        .compute_root()
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var tap = sample_position_6.args()[3];
    Var g = sample_position_6.args()[4];
    Var n = sample_position_6.args()[5];
    sample_position_6
        .compute_root()
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var tap = sample_weight_4.args()[3];
    Var g = sample_weight_4.args()[4];
    Var n = sample_weight_4.args()[5];
    sample_weight_4
        .compute_root()
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var tap = scatter_factors_4.args()[3];
    Var g = scatter_factors_4.args()[4];
    Var n = scatter_factors_4.args()[5];
    scatter_factors_4
        .compute_root()
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var k = summed_weight_grads_8.args()[0];
    Var tap = summed_weight_grads_8.args()[4];
    RVar over_rows$x(summed_weight_grads_8.update(0).get_schedule().rvars()[0].var);
    RVar over_rows$y(summed_weight_grads_8.update(0).get_schedule().rvars()[1].var);
    summed_weight_grads_8
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(tap);
    summed_weight_grads_8.update(0)
        .reorder(k, over_rows$x, lane, bi, over_rows$y, g, tap)
        .reorder(k, over_rows$x, over_rows$y, g, lane, bi, tap)
        .split(k, k_vo, k_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(tap);
}
{
    Var ci = weight_t_4.args()[0];
    weight_t_4
        .compute_at(grad_columns_4, c_o)
        .split(ci, ci_vo, ci_vi, 16)
        .vectorize(ci_vi);
}

