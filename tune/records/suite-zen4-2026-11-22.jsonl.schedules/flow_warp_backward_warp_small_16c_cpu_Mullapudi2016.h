Var lane_vi("lane_vi");
Var lane_vo("lane_vo");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func blocked_input_5 = pipeline.get_func(9);
Func grad_flow_5 = pipeline.get_func(13);
Func grad_flow_lanes_6 = pipeline.get_func(12);
Func grad_input_5 = pipeline.get_func(6);
Func grad_input_scatter_5 = pipeline.get_func(5);
Func grad_output_blocked_5 = pipeline.get_func(10);
Func grad_output_channels_5 = pipeline.get_func(1);
Func warp_index_6 = pipeline.get_func(3);
Func warp_slope_5 = pipeline.get_func(11);
Func warp_weight_5 = pipeline.get_func(4);

{
    Var lane = blocked_input_5.args()[0];
    Var x = blocked_input_5.args()[1];
    Var y = blocked_input_5.args()[2];
    Var block = blocked_input_5.args()[3];
    Var n = blocked_input_5.args()[4];
    blocked_input_5
        .compute_root()
        .reorder(x, y, lane, block, n)
        .reorder(block, x, y, lane, n)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var x = grad_flow_5.args()[0];
    Var n = grad_flow_5.args()[3];
    grad_flow_5
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
    grad_flow_5.update(0)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var lane = grad_flow_lanes_6.args()[0];
    Var y = grad_flow_lanes_6.args()[3];
    RVar over_blocks$x(grad_flow_lanes_6.update(0).get_schedule().rvars()[0].var);
    grad_flow_lanes_6
        .compute_at(grad_flow_5, y)
        .split(lane, lane_vo, lane_vi, 16)
        .vectorize(lane_vi);
    grad_flow_lanes_6.update(0)
        .reorder(lane, comp, x, y, over_blocks$x, n)
        .split(lane, lane_vo, lane_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(lane_vi);
}
{
    Var x = grad_input_5.args()[0];
    Var n = grad_input_5.args()[3];
    grad_input_5
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var lane = grad_input_scatter_5.args()[0];
    Var n = grad_input_scatter_5.args()[4];
    RVar over_samples$x(grad_input_scatter_5.update(0).get_schedule().rvars()[0].var);
    RVar over_samples$y(grad_input_scatter_5.update(0).get_schedule().rvars()[1].var);
    RVar over_samples$z(grad_input_scatter_5.update(0).get_schedule().rvars()[2].var);
    grad_input_scatter_5
        .compute_root()
        .split(lane, lane_vo, lane_vi, 16)
        .vectorize(lane_vi)
        .parallel(n);
    grad_input_scatter_5.update(0)
        .reorder(lane, over_samples$x, over_samples$y, over_samples$z, block, n)
        .split(lane, lane_vo, lane_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(lane_vi)
        .parallel(n);
}
{
    Var lane = grad_output_blocked_5.args()[0];
    Var x = grad_output_blocked_5.args()[1];
    Var y = grad_output_blocked_5.args()[2];
    Var block = grad_output_blocked_5.args()[3];
    Var n = grad_output_blocked_5.args()[4];
    grad_output_blocked_5
        .compute_root()
        .reorder(x, y, lane, block, n)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var c = grad_output_channels_5.args()[0];
    Var x = grad_output_channels_5.args()[1];
    Var y = grad_output_channels_5.args()[2];
    Var n = grad_output_channels_5.args()[3];
    grad_output_channels_5
        .compute_root()
        .reorder(x, y, c, n)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var x = warp_index_6.args()[1];
    Var n = warp_index_6.args()[3];
    warp_index_6
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var x = warp_slope_5.args()[1];
    Var n = warp_slope_5.args()[3];
    warp_slope_5
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var x = warp_weight_5.args()[1];
    Var n = warp_weight_5.args()[3];
    warp_weight_5
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}

