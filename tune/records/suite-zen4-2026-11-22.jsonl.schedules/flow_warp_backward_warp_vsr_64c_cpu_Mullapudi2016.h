Var lane_vi("lane_vi");
Var lane_vo("lane_vo");
Var x_i("x_i");
Var x_i_vi("x_i_vi");
Var x_i_vo("x_i_vo");
Var x_o("x_o");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func grad_flow_1 = pipeline.get_func(13);
Func grad_flow_lanes_1 = pipeline.get_func(12);
Func grad_input_1 = pipeline.get_func(6);
Func grad_input_scatter_1 = pipeline.get_func(5);
Func warp_index_1 = pipeline.get_func(3);
Func warp_weight_1 = pipeline.get_func(4);

{
    Var x = grad_flow_1.args()[0];
    Var comp = grad_flow_1.args()[2];
    Var n = grad_flow_1.args()[3];
    grad_flow_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(comp);
    grad_flow_1.update(0)
        .split(x, x_o, x_i, 64, TailStrategy::GuardWithIf)
        .reorder(over_lanes$x, x_i, n, x_o, y, comp)
        .split(x_i, x_i_vo, x_i_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_i_vi)
        .parallel(comp);
}
{
    Var lane = grad_flow_lanes_1.args()[0];
    RVar over_blocks$x(grad_flow_lanes_1.update(0).get_schedule().rvars()[0].var);
    grad_flow_lanes_1
        .compute_at(grad_flow_1, x_o)
        .split(lane, lane_vo, lane_vi, 16)
        .vectorize(lane_vi);
    grad_flow_lanes_1.update(0)
        .reorder(comp, x, y, over_blocks$x, lane, n)
        .split(x, x_vo, x_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(x_vi);
}
{
    Var x = grad_input_1.args()[0];
    Var c = grad_input_1.args()[2];
    Var n = grad_input_1.args()[3];
    grad_input_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(c);
}
{
    Var lane = grad_input_scatter_1.args()[0];
    Var block = grad_input_scatter_1.args()[3];
    Var n = grad_input_scatter_1.args()[4];
    RVar over_samples$x(grad_input_scatter_1.update(0).get_schedule().rvars()[0].var);
    RVar over_samples$y(grad_input_scatter_1.update(0).get_schedule().rvars()[1].var);
    RVar over_samples$z(grad_input_scatter_1.update(0).get_schedule().rvars()[2].var);
    grad_input_scatter_1
        .compute_root()
        .split(lane, lane_vo, lane_vi, 16)
        .vectorize(lane_vi)
        .parallel(n)
        .parallel(block);
    grad_input_scatter_1.update(0)
        .reorder(n, over_samples$x, over_samples$y, over_samples$z, lane, block)
        .split(lane, lane_vo, lane_vi, 16, TailStrategy::GuardWithIf)
        .vectorize(lane_vi)
        .parallel(block);
}
{
    Var x = warp_index_1.args()[1];
    Var y = warp_index_1.args()[2];
    Var n = warp_index_1.args()[3];
    warp_index_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(y);
}
{
    Var x = warp_weight_1.args()[1];
    Var y = warp_weight_1.args()[2];
    Var n = warp_weight_1.args()[3];
    warp_weight_1
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n)
        .parallel(y);
}

