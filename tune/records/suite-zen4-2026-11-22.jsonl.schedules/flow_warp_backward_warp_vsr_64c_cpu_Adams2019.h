Func grad_flow_2 = pipeline.get_func(13);
Func grad_flow_lanes_2 = pipeline.get_func(12);
Func warp_slope_2 = pipeline.get_func(11);
Func grad_output_blocked_2 = pipeline.get_func(10);
Func blocked_input_2 = pipeline.get_func(9);
Func input_rows_2 = pipeline.get_func(8);
Func grad_input_2 = pipeline.get_func(6);
Func grad_input_scatter_2 = pipeline.get_func(5);
Func warp_weight_2 = pipeline.get_func(4);
Func warp_index_2 = pipeline.get_func(3);
Func grad_output_channels_2 = pipeline.get_func(1);
Var block(grad_output_blocked_2.get_schedule().dims()[3].var);
Var c(grad_input_2.get_schedule().dims()[2].var);
Var ci("ci");
Var cii("cii");
Var comp(grad_flow_2.get_schedule().dims()[2].var);
Var lane(grad_flow_lanes_2.get_schedule().dims()[0].var);
Var lanei("lanei");
Var n(grad_flow_2.get_schedule().dims()[3].var);
Var part(warp_slope_2.get_schedule().dims()[0].var);
Var x(grad_flow_2.get_schedule().dims()[0].var);
Var xi("xi");
Var xii("xii");
Var y(grad_flow_2.get_schedule().dims()[1].var);
Var yi("yi");
RVar over_blocks_x(grad_flow_lanes_2.update(0).get_schedule().dims()[0].var);
RVar over_lanes_x(grad_flow_2.update(0).get_schedule().dims()[0].var);
RVar over_lanes_xi("over_lanes$xi");
RVar over_samples_x(grad_input_scatter_2.update(0).get_schedule().dims()[0].var);
RVar over_samples_y(grad_input_scatter_2.update(0).get_schedule().dims()[1].var);
RVar over_samples_yi("over_samples$yi");
RVar over_samples_z(grad_input_scatter_2.update(0).get_schedule().dims()[2].var);
grad_flow_2
    .split(x, x, xi, 160, TailStrategy::ShiftInwards)
    .split(y, y, yi, 12, TailStrategy::ShiftInwards)
    .split(xi, xi, xii, 16, TailStrategy::ShiftInwards)
    .vectorize(xii)
    .compute_root()
    .reorder({xii, xi, yi, comp, x, y, n})
    .fuse(x, y, x)
    .parallel(x);
grad_flow_2.update(0)
    .split(x, x, xi, 160, TailStrategy::GuardWithIf)
    .split(y, y, yi, 12, TailStrategy::GuardWithIf)
    .split(over_lanes_x, over_lanes_x, over_lanes_xi, 2, TailStrategy::GuardWithIf)
    .split(xi, xi, xii, 16, TailStrategy::GuardWithIf)
    .vectorize(xii)
    .reorder({xii, over_lanes_xi, xi, yi, comp, over_lanes_x, x, y, n})
    .fuse(x, y, x)
    .parallel(x);
grad_flow_lanes_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(grad_flow_2, over_lanes_x)
    .reorder({xi, x, lane, comp, y, n})
    .reorder_storage(x, lane, comp, y, n);
grad_flow_lanes_2.update(0)
    .split(x, x, xi, 16, TailStrategy::GuardWithIf)
    .vectorize(xi)
    .reorder({xi, x, lane, comp, y, over_blocks_x, n});
warp_slope_2
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(grad_flow_2, x)
    .reorder({xi, x, part, y, n})
    .reorder_storage(x, part, y, n);
grad_output_blocked_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(grad_flow_lanes_2, over_blocks_x)
    .reorder({xi, x, lane, y, block, n})
    .reorder_storage(x, lane, y, block, n);
grad_input_2
    .split(c, c, ci, 32, TailStrategy::ShiftInwards)
    .split(ci, ci, cii, 16, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, y, cii, ci, c, n})
    .parallel(c);
grad_input_scatter_2
    .split(lane, lane, lanei, 16, TailStrategy::RoundUp)
    .vectorize(lanei)
    .compute_at(grad_input_2, ci)
    .reorder({lanei, lane, x, y, block, n});
grad_input_scatter_2.update(0)
    .split(over_samples_y, over_samples_y, over_samples_yi, 64, TailStrategy::GuardWithIf)
    .split(lane, lane, lanei, 16, TailStrategy::GuardWithIf)
    .vectorize(lanei)
    .reorder({lanei, lane, over_samples_x, over_samples_yi, over_samples_y, over_samples_z, block, n});
warp_weight_2
    .split(y, y, yi, 90, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, part, yi, y, n})
    .parallel(y)
    .reorder_storage(x, part, y, n);
warp_index_2
    .split(y, y, yi, 90, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, part, yi, y, n})
    .parallel(y)
    .reorder_storage(x, part, y, n);
grad_output_channels_2
    .store_in(MemoryType::Stack)
    .split(c, c, ci, 16, TailStrategy::ShiftInwards)
    .vectorize(ci)
    .compute_at(grad_input_scatter_2, over_samples_y)
    .reorder({ci, c, x, y, n});
