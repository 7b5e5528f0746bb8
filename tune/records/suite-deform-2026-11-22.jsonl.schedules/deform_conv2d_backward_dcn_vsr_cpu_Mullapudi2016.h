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
Var tap_vi("tap_vi");
Var tap_vo("tap_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");
Var y_vi("y_vi");
Var y_vo("y_vo");

Func columns_27 = pipeline.get_func(27);
Func f1539 = pipeline.get_func(33);
Func grad_bias_25 = pipeline.get_func(34);
Func grad_columns_26 = pipeline.get_func(4);
Func grad_input_31 = pipeline.get_func(14);
Func grad_input_scatter_22 = pipeline.get_func(12);
Func grad_mask_23 = pipeline.get_func(24);
Func grad_offset_25 = pipeline.get_func(22);
Func grad_out_22 = pipeline.get_func(1);
Func grad_weight_44 = pipeline.get_func(32);
Func input_padded_26 = pipeline.get_func(17);
Func lane_sums_25 = pipeline.get_func(19);
Func row_weight_grads_27 = pipeline.get_func(29);
Func sample_position_26 = pipeline.get_func(7);
Func summed_weight_grads_23 = pipeline.get_func(30);
Func weight_t_30 = pipeline.get_func(3);

{
    Var lane = columns_27.args()[0];
    Var bi = columns_27.args()[1];
    Var g = columns_27.args()[2];
    Var tap = columns_27.args()[3];
    Var x = columns_27.args()[4];
    Var y = columns_27.args()[5];
    Var n = columns_27.args()[6];
    columns_27
        .compute_at(summed_weight_grads_23, lane)
        .reorder(lane, x, y, tap, bi, g, n)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi);
}
{
    Var k = f1539.args()[0];
    RVar over_pixels$x(f1539.update(0).get_schedule().rvars()[0].var);
    RVar over_pixels$y(f1539.update(0).get_schedule().rvars()[1].var);
    RVar over_pixels$z(f1539.update(0).get_schedule().rvars()[2].var);
    f1539
        .compute_root()
        .split(k, k_vo, k_vi, 8)
        .vectorize(k_vi)
        .parallel(k_vo);
    f1539.update(0)
        .reorder(over_pixels$x, over_pixels$y, k, over_pixels$z)
        .reorder(over_pixels$z, over_pixels$x, over_pixels$y, k)
        .split(k, k_vo, k_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(k_vo);
}
{
    Var k = grad_bias_25.args()[0];
    grad_bias_25
        .compute_root()
        .split(k, k_vo, k_vi, 8)
        .vectorize(k_vi)
        .parallel(k_vo);
}
{
    Var c = grad_columns_26.args()[0];
    Var pixel = grad_columns_26.args()[2];
    Var n = grad_columns_26.args()[3];
    RVar over_group_out$x(grad_columns_26.update(0).get_schedule().rvars()[0].var);
    grad_columns_26
        .compute_root()
        .split(c, c_vo, c_vi, 8)
        .vectorize(c_vi)
        .parallel(n)
        .parallel(pixel);
    grad_columns_26.update(0)
        .reorder(tap, pixel, over_group_out$x, c, n)
        .split(tap, tap_vo, tap_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(tap_vi)
        .parallel(n)
        .parallel(c);
}
{
    Var x = grad_input_31.args()[0];
    Var c = grad_input_31.args()[2];
    Var n = grad_input_31.args()[3];
    grad_input_31
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(c);
}
{
    Var pixel = grad_input_scatter_22.args()[1];
    Var block = grad_input_scatter_22.args()[2];
    Var n = grad_input_scatter_22.args()[3];
    RVar over_samples$x(grad_input_scatter_22.update(0).get_schedule().rvars()[0].var);
    RVar over_samples$y(grad_input_scatter_22.update(0).get_schedule().rvars()[1].var);
    RVar over_samples$z(grad_input_scatter_22.update(0).get_schedule().rvars()[2].var);
    RVar over_samples$w(grad_input_scatter_22.update(0).get_schedule().rvars()[3].var);
    grad_input_scatter_22
        .compute_root()
        .split(pixel, pixel_vo, pixel_vi, 8)
        .vectorize(pixel_vi)
        .parallel(n)
        .parallel(block);
    grad_input_scatter_22.update(0)
        .reorder(lane, over_samples$x, over_samples$y, over_samples$z, over_samples$w, block, n)
        .reorder(n, lane, over_samples$x, over_samples$y, over_samples$z, over_samples$w, block)
        .split(block, block_vo, block_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(block_vi)
        .parallel(block_vo);
}
{
    Var x = grad_mask_23.args()[0];
    Var y = grad_mask_23.args()[1];
    Var c = grad_mask_23.args()[2];
    Var n = grad_mask_23.args()[3];
    grad_mask_23
        .compute_root()
        .reorder(x, c, y, n)
        .reorder(n, x, c, y)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(y);
}
{
    Var x = grad_offset_25.args()[0];
    Var y = grad_offset_25.args()[1];
    Var c = grad_offset_25.args()[2];
    Var n = grad_offset_25.args()[3];
    grad_offset_25
        .compute_root()
        .reorder(x, c, y, n)
        .reorder(n, x, c, y)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(y);
}
{
    Var x = grad_out_22.args()[0];
    Var k = grad_out_22.args()[2];
    Var n = grad_out_22.args()[3];
    grad_out_22
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
}
{
    Var x = grad_weight_44.args()[0];
    Var y = grad_weight_44.args()[1];
    Var c = grad_weight_44.args()[2];
    Var n = grad_weight_44.args()[3];
    grad_weight_44
        .compute_root()
        .reorder(c, n, x, y)
        .split(c, c_vo, c_vi, 8)
        .vectorize(c_vi)
        .parallel(y);
}
{
    Var lane = input_padded_26.args()[0];
    Var pixel = input_padded_26.args()[1];
    Var block = input_padded_26.args()[2];
    Var n = input_padded_26.args()[3];
    input_padded_26
        .compute_root()
        .reorder(pixel, lane, block, n)
        .reorder(n, pixel, lane, block)
        .split(pixel, pixel_vo, pixel_vi, 8)
        .vectorize(pixel_vi)
        .parallel(block);
}
{
    Var g = lane_sums_25.args()[2];
    Var y = lane_sums_25.args()[5];
    Var n = lane_sums_25.args()[6];
    RVar over_blocks$x(lane_sums_25.update(0).get_schedule().rvars()[0].var);
    lane_sums_25
        .compute_root()
        .split(g, g_vo, g_vi, 8)
        .vectorize(g_vi)
        .parallel(n)
        .parallel(y);
    lane_sums_25.update(0)
        .reorder(lane, part, x, tap, over_blocks$x, y, g, n)
        .reorder(over_blocks$x, n, lane, part, x, tap, y, g)
        .split(x, x_vo, x_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(x_vi)
        .parallel(g);
}
{
    Var k = row_weight_grads_27.args()[0];
    Var lane = row_weight_grads_27.args()[1];
    RVar over_row$x(row_weight_grads_27.update(0).get_schedule().rvars()[0].var);
    row_weight_grads_27
        .compute_at(summed_weight_grads_23, lane)
        .split(k, k_vo, k_vi, 8)
        .vectorize(k_vi);
    row_weight_grads_27.update(0)
        .reorder(over_row$x, lane, bi, g, tap, y, k, n)
        .split(y, y_vo, y_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(y_vi);
}
{
    Var x = sample_position_26.args()[1];
    Var g = sample_position_26.args()[4];
    Var n = sample_position_26.args()[5];
    sample_position_26
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g);
}
{
    Var k = summed_weight_grads_23.args()[0];
    Var tap = summed_weight_grads_23.args()[4];
    RVar over_rows$x(summed_weight_grads_23.update(0).get_schedule().rvars()[0].var);
    RVar over_rows$y(summed_weight_grads_23.update(0).get_schedule().rvars()[1].var);
    summed_weight_grads_23
        .compute_root()
        .split(k, k_vo, k_vi, 8)
        .vectorize(k_vi)
        .parallel(tap);
    summed_weight_grads_23.update(0)
        .reorder(k, over_rows$x, lane, bi, g, tap, over_rows$y)
        .reorder(k, over_rows$x, bi, over_rows$y, lane, g, tap)
        .split(k, k_vo, k_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(tap);
}
{
    Var ci = weight_t_30.args()[0];
    Var co = weight_t_30.args()[3];
    weight_t_30
        .compute_root()
        .split(ci, ci_vo, ci_vi, 8)
        .vectorize(ci_vi)
        .parallel(co);
}

