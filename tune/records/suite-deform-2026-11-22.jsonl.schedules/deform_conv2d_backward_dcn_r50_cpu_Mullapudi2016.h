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
Var tap_vi("tap_vi");
Var tap_vo("tap_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func columns_46 = pipeline.get_func(27);
Func f2703 = pipeline.get_func(33);
Func grad_bias_47 = pipeline.get_func(34);
Func grad_columns_48 = pipeline.get_func(4);
Func grad_input_50 = pipeline.get_func(14);
Func grad_input_scatter_42 = pipeline.get_func(12);
Func grad_mask_46 = pipeline.get_func(24);
Func grad_offset_47 = pipeline.get_func(22);
Func grad_out_42 = pipeline.get_func(1);
Func grad_weight_81 = pipeline.get_func(32);
Func input_padded_46 = pipeline.get_func(17);
Func lane_sums_45 = pipeline.get_func(19);
Func row_weight_grads_61 = pipeline.get_func(29);
Func sample_fraction_42 = pipeline.get_func(10);
Func sample_pixel_43 = pipeline.get_func(8);
Func sample_position_44 = pipeline.get_func(7);
Func sample_weight_50 = pipeline.get_func(26);
Func scatter_factors_45 = pipeline.get_func(11);
Func summed_weight_grads_51 = pipeline.get_func(30);
Func weight_t_49 = pipeline.get_func(3);

{
    Var lane = columns_46.args()[0];
    Var bi = columns_46.args()[1];
    Var g = columns_46.args()[2];
    Var tap = columns_46.args()[3];
    Var x = columns_46.args()[4];
    Var y = columns_46.args()[5];
    Var n = columns_46.args()[6];
    columns_46
        .compute_at(summed_weight_grads_51, lane)
        .reorder(lane, x, y, tap, bi, g, n)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi);
}
{
    Var k = f2703.args()[0];
    RVar over_pixels$x(f2703.update(0).get_schedule().rvars()[0].var);
    RVar over_pixels$y(f2703.update(0).get_schedule().rvars()[1].var);
    RVar over_pixels$z(f2703.update(0).get_schedule().rvars()[2].var);
    f2703
        .compute_root()
        .split(k, k_vo, k_vi, 8)
        .vectorize(k_vi)
        .parallel(k_vo);
    f2703.update(0)
        .reorder(over_pixels$x, over_pixels$y, k, over_pixels$z)
        .reorder(over_pixels$z, over_pixels$x, over_pixels$y, k)
        .split(k, k_vo, k_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(k_vo);
}
{
    Var k = grad_bias_47.args()[0];
    grad_bias_47
        .compute_root()
        .split(k, k_vo, k_vi, 8)
        .vectorize(k_vi)
        .parallel(k_vo);
}
{
    Var c = grad_columns_48.args()[0];
    Var pixel = grad_columns_48.args()[2];
    Var n = grad_columns_48.args()[3];
    RVar over_group_out$x(grad_columns_48.update(0).get_schedule().rvars()[0].var);
    grad_columns_48
        .compute_root()
        .split(c, c_vo, c_vi, 8)
        .vectorize(c_vi)
        .parallel(n)
        .parallel(pixel);
    grad_columns_48.update(0)
        .reorder(over_group_out$x, tap, pixel, c, n)
        .split(c, c_o, c_i, 64, TailStrategy::GuardWithIf)
        .reorder(over_group_out$x, tap, pixel, c_i, n, c_o)
        .split(tap, tap_vo, tap_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(tap_vi)
        .parallel(c_o);
}
{
    Var x = grad_input_50.args()[0];
    Var c = grad_input_50.args()[2];
    Var n = grad_input_50.args()[3];
    grad_input_50
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(c);
}
{
    Var pixel = grad_input_scatter_42.args()[1];
    Var block = grad_input_scatter_42.args()[2];
    Var n = grad_input_scatter_42.args()[3];
    RVar over_samples$x(grad_input_scatter_42.update(0).get_schedule().rvars()[0].var);
    RVar over_samples$y(grad_input_scatter_42.update(0).get_schedule().rvars()[1].var);
    RVar over_samples$z(grad_input_scatter_42.update(0).get_schedule().rvars()[2].var);
    RVar over_samples$w(grad_input_scatter_42.update(0).get_schedule().rvars()[3].var);
    grad_input_scatter_42
        .compute_root()
        .split(pixel, pixel_vo, pixel_vi, 8)
        .vectorize(pixel_vi)
        .parallel(n)
        .parallel(block);
    grad_input_scatter_42.update(0)
        .reorder(lane, over_samples$x, over_samples$y, over_samples$z, over_samples$w, block, n)
        .reorder(n, lane, over_samples$x, over_samples$y, over_samples$z, over_samples$w, block)
        .split(block, block_vo, block_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(block_vi)
        .parallel(block_vo);
}
{
    Var x = grad_mask_46.args()[0];
    Var y = grad_mask_46.args()[1];
    Var c = grad_mask_46.args()[2];
    Var n = grad_mask_46.args()[3];
    grad_mask_46
        .compute_root()
        .reorder(c, x, y, n)
        .reorder(n, c, x, y)
        .split(c, c_vo, c_vi, 8)
        .vectorize(c_vi)
        .parallel(y);
}
{
    Var x = grad_offset_47.args()[0];
    Var y = grad_offset_47.args()[1];
    Var c = grad_offset_47.args()[2];
    Var n = grad_offset_47.args()[3];
    grad_offset_47
        .compute_root()
        .reorder(x, c, y, n)
        .reorder(n, x, c, y)
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(y);
}
{
    Var x = grad_out_42.args()[0];
    Var k = grad_out_42.args()[2];
    Var n = grad_out_42.args()[3];
    grad_out_42
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(k);
}
{
    Var c = grad_weight_81.args()[2];
    Var n = grad_weight_81.args()[3];
    grad_weight_81
        .compute_root()
        .split(c, c_vo, c_vi, 8)
        .vectorize(c_vi)
        .parallel(n);
}
{
    Var lane = input_padded_46.args()[0];
    Var pixel = input_padded_46.args()[1];
    Var block = input_padded_46.args()[2];
    Var n = input_padded_46.args()[3];
    input_padded_46
        .compute_root()
        .reorder(pixel, lane, block, n)
        .reorder(n, pixel, lane, block)
        .split(pixel, pixel_vo, pixel_vi, 8)
        .vectorize(pixel_vi)
        .parallel(block);
}
{
    Var tap = lane_sums_45.args()[3];
    Var y = lane_sums_45.args()[5];
    Var n = lane_sums_45.args()[6];
    RVar over_blocks$x(lane_sums_45.update(0).get_schedule().rvars()[0].var);
    lane_sums_45
        .compute_root()
        .split(tap, tap_vo, tap_vi, 8)
        .vectorize(tap_vi)
        .parallel(n)
        .parallel(y);
    lane_sums_45.update(0)
        .reorder(lane, part, tap, x, over_blocks$x, y, g, n)
        .reorder(g, n, lane, part, tap, x, over_blocks$x, y)
        .split(tap, tap_vo, tap_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(tap_vi)
        .parallel(y);
}
{
    Var k = row_weight_grads_61.args()[0];
    Var lane = row_weight_grads_61.args()[1];
    row_weight_grads_61
        .compute_at(summed_weight_grads_51, lane)
        .split(k, k_vo, k_vi, 8)
        .vectorize(k_vi);
    row_weight_grads_61.update(0)
        .split(k, k_vo, k_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(k_vi);
}
{
    Var x = sample_fraction_42.args()[1];
    Var tap = sample_fraction_42.args()[3];
    Var g = sample_fraction_42.args()[4];
    Var n = sample_fraction_42.args()[5];
    sample_fraction_42
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var x = sample_pixel_43.args()[0];
    Var tap = sample_pixel_43.args()[2];
    Var g = sample_pixel_43.args()[3];
    Var n = sample_pixel_43.args()[4];
    sample_pixel_43
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var x = sample_position_44.args()[1];
    Var tap = sample_position_44.args()[3];
    Var g = sample_position_44.args()[4];
    Var n = sample_position_44.args()[5];
    sample_position_44
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var x = sample_weight_50.args()[1];
    Var tap = sample_weight_50.args()[3];
    Var g = sample_weight_50.args()[4];
    Var n = sample_weight_50.args()[5];
    sample_weight_50
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var x = scatter_factors_45.args()[1];
    Var tap = scatter_factors_45.args()[3];
    Var g = scatter_factors_45.args()[4];
    Var n = scatter_factors_45.args()[5];
    scatter_factors_45
        .compute_root()
        .split(x, x_vo, x_vi, 8)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(g)
        .parallel(tap);
}
{
    Var k = summed_weight_grads_51.args()[0];
    Var tap = summed_weight_grads_51.args()[4];
    RVar over_rows$x(summed_weight_grads_51.update(0).get_schedule().rvars()[0].var);
    RVar over_rows$y(summed_weight_grads_51.update(0).get_schedule().rvars()[1].var);
    summed_weight_grads_51
        .compute_root()
        .split(k, k_vo, k_vi, 8)
        .vectorize(k_vi)
        .parallel(tap);
    summed_weight_grads_51.update(0)
        .reorder(k, over_rows$x, lane, bi, over_rows$y, g, tap)
        .reorder(k, over_rows$x, over_rows$y, g, lane, bi, tap)
        .split(k, k_vo, k_vi, 8, TailStrategy::GuardWithIf)
        .vectorize(k_vi)
        .parallel(tap);
}
{
    Var ci = weight_t_49.args()[0];
    weight_t_49
        .compute_at(grad_columns_48, c_o)
        .split(ci, ci_vo, ci_vi, 8)
        .vectorize(ci_vi);
}

