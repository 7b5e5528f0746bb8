Var block_vi("block_vi");
Var block_vo("block_vo");
Var c_vi("c_vi");
Var c_vo("c_vo");
Var ci_vi("ci_vi");
Var ci_vo("ci_vo");
Var g_vi("g_vi");
Var g_vo("g_vo");
Var k_vi("k_vi");
Var k_vo("k_vo");
Var pixel_vi("pixel_vi");
Var pixel_vo("pixel_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");
Var y_vi("y_vi");
Var y_vo("y_vo");

Func columns_3 = pipeline.get_func(29);
Func f211 = pipeline.get_func(35);
Func grad_bias_4 = pipeline.get_func(36);
Func grad_columns_3 = pipeline.get_func(4);
Func grad_input_4 = pipeline.get_func(14);
Func grad_input_scatter_3 = pipeline.get_func(12);
Func grad_mask_4 = pipeline.get_func(26);
Func grad_offset_5 = pipeline.get_func(24);
Func grad_out_4 = pipeline.get_func(1);
Func grad_weight_12 = pipeline.get_func(34);
Func input_padded_3 = pipeline.get_func(19);
Func lane_sums_3 = pipeline.get_func(21);
Func row_weight_grads_5 = pipeline.get_func(31);
Func sample_position_7 = pipeline.get_func(7);
Func summed_weight_grads_6 = pipeline.get_func(32);
Func weight_t_6 = pipeline.get_func(3);

{
    Var lane = columns_3.args()[0];
    Var bi = columns_3.args()[1];
    Var g = columns_3.args()[2];
    Var tap = columns_3.args()[3];
    Var x = columns_3.args()[4];
    Var y = columns_3.args()[5];
    Var n = columns_3.args()[6];
    columns_3
        .compute_at(summed_weight_grads_6, lane)
        .reorder(lane, x, y, tap, bi, g, n)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
}
{
    Var k = f211.args()[0];
    RVar over_pixels$x(f211.update(0).get_schedule().rvars()[0].var);
    RVar over_pixels$y(f211.update(0).get_schedule().rvars()[1].var);
    RVar over_pixels$z(f211.update(0).get_schedule().rvars()[2].var);
    f211
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(k_vo);
    f211.update(0)
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
    Var c = grad_columns_3.args()[0];
    Var pixel = grad_columns_3.args()[2];
    Var n = grad_columns_3.args()[3];
    RVar over_group_out$x(grad_columns_3.update(0).get_schedule().rvars()[0].var);
    grad_columns_3
        .compute_root()
        .split(c, c_vo, c_vi, 16)
        .vectorize(c_vi)
        .parallel(n)
        .parallel(pixel);
    grad_columns_3.update(0)
        .reorder(tap, pixel, over_group_out$x, c, n)
        .split(pixel, pixel_vo, pixel_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(pixel_vi)
        .parallel(n)
        .parallel(c);
}
{
    Var x = grad_input_4.args()[0];
    Var c = grad_input_4.args()[2];
    Var n = grad_input_4.args()[3];
    grad_input_4
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(c);
}
{
    Var pixel = grad_input_scatter_3.args()[1];
    Var block = grad_input_scatter_3.args()[2];
    Var n = grad_input_scatter_3.args()[3];
    RVar over_samples$x(grad_input_scatter_3.update(0).get_schedule().rvars()[0].var);
    RVar over_samples$y(grad_input_scatter_3.update(0).get_schedule().rvars()[1].var);
    RVar over_samples$z(grad_input_scatter_3.update(0).get_schedule().rvars()[2].var);
    RVar over_samples$w(grad_input_scatter_3.update(0).get_schedule().rvars()[3].var);
    grad_input_scatter_3
        .compute_root()
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(n)
        .parallel(block);
    grad_input_scatter_3.update(0)
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
        .reorder(x, c, y, n)
        .reorder(n, x, c, y)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
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
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(y);
}
{
    Var x = grad_out_4.args()[0];
    Var k = grad_out_4.args()[2];
    Var n = grad_out_4.args()[3];
    grad_out_4
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
}
{
    Var x = grad_weight_12.args()[0];
    Var y = grad_weight_12.args()[1];
    Var c = grad_weight_12.args()[2];
    Var n = grad_weight_12.args()[3];
    grad_weight_12
        .compute_root()
        .reorder(c, n, x, y)
        .split(c, c_vo, c_vi, 16)
        .vectorize(c_vi)
        .parallel(y);
}
{
    Var pixel = input_padded_3.args()[1];
    Var block = input_padded_3.args()[2];
    Var n = input_padded_3.args()[3];
    RVar over_padded$x(input_padded_3.update(0).get_schedule().rvars()[0].var);
    RVar over_padded$y(input_padded_3.update(0).get_schedule().rvars()[1].var);
    input_padded_3
        .compute_root()
        .split(pixel, pixel_vo, pixel_vi, 16)
        .vectorize(pixel_vi)
        .parallel(n)
        .parallel(block);
    input_padded_3.update(0)
        .reorder(n, over_padded$x, over_padded$y, lane, block)
        .split(block, block_vo, block_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(block_vi)
        .parallel(block_vo);
}
{
    Var g = lane_sums_3.args()[2];
    Var y = lane_sums_3.args()[5];
    Var n = lane_sums_3.args()[6];
    RVar over_blocks$x(lane_sums_3.update(0).get_schedule().rvars()[0].var);
    lane_sums_3
        .compute_root()
        .split(g, g_vo, g_vi, 16)
        .vectorize(g_vi)
        .parallel(n)
        .parallel(y);
    lane_sums_3.update(0)
        .reorder(lane, part, x, tap, over_blocks$x, y, g, n)
        .reorder(over_blocks$x, n, lane, part, x, tap, y, g)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi)
        .parallel(g);
}
{
    Var k = row_weight_grads_5.args()[0];
    Var lane = row_weight_grads_5.args()[1];
    RVar over_row$x(row_weight_grads_5.update(0).get_schedule().rvars()[0].var);
    row_weight_grads_5
        .compute_at(summed_weight_grads_6, lane)
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi);
    row_weight_grads_5.update(0)
        .reorder(over_row$x, lane, bi, g, tap, y, k, n)
        .split(y, y_vo, y_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(y_vi);
}
{
    Var x = sample_position_7.args()[1];
    Var g = sample_position_7.args()[4];
    Var n = sample_position_7.args()[5];
    sample_position_7
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g);
}
{
    Var k = summed_weight_grads_6.args()[0];
    Var tap = summed_weight_grads_6.args()[4];
    RVar over_rows$x(summed_weight_grads_6.update(0).get_schedule().rvars()[0].var);
    RVar over_rows$y(summed_weight_grads_6.update(0).get_schedule().rvars()[1].var);
    summed_weight_grads_6
        .compute_root()
        .split(k, k_vo, k_vi, 16)
        .vectorize(k_vi)
        .parallel(tap);
    summed_weight_grads_6.update(0)
        .reorder(k, over_rows$x, lane, bi, g, tap, over_rows$y)
        .reorder(k, over_rows$x, bi, over_rows$y, lane, g, tap)
        .split(k, k_vo, k_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(tap);
}
{
    Var ci = weight_t_6.args()[0];
    Var co = weight_t_6.args()[3];
    weight_t_6
        .compute_root()
        .split(ci, ci_vo, ci_vi, 16)
        .vectorize(ci_vi)
        .parallel(co);
}

