Func grad_flow_6 = pipeline.get_func(13);
Func grad_flow_lanes_7 = pipeline.get_func(12);
Func warp_slope_6 = pipeline.get_func(11);
Func grad_output_blocked_6 = pipeline.get_func(10);
Func blocked_input_6 = pipeline.get_func(9);
Func input_rows_7 = pipeline.get_func(8);
Func grad_input_6 = pipeline.get_func(6);
Func grad_input_scatter_6 = pipeline.get_func(5);
Func warp_weight_6 = pipeline.get_func(4);
Func warp_index_7 = pipeline.get_func(3);
Func grad_output_channels_6 = pipeline.get_func(1);
Var block(grad_output_blocked_6.get_schedule().dims()[3].var);
Var c(grad_input_6.get_schedule().dims()[2].var);
Var ci("ci");
Var comp(grad_flow_6.get_schedule().dims()[2].var);
Var lane(grad_flow_lanes_7.get_schedule().dims()[0].var);
Var lanei("lanei");
Var n(grad_flow_6.get_schedule().dims()[3].var);
Var part(warp_slope_6.get_schedule().dims()[0].var);
Var parti("parti");
Var x(grad_flow_6.get_schedule().dims()[0].var);
Var xi("xi");
Var y(grad_flow_6.get_schedule().dims()[1].var);
Var yi("yi");
Var yii("yii");
RVar over_blocks_x(grad_flow_lanes_7.update(0).get_schedule().dims()[0].var);
RVar over_lanes_x(grad_flow_6.update(0).get_schedule().dims()[0].var);
RVar over_samples_x(grad_input_scatter_6.update(0).get_schedule().dims()[0].var);
RVar over_samples_y(grad_input_scatter_6.update(0).get_schedule().dims()[1].var);
RVar over_samples_yi("over_samples$yi");
RVar over_samples_z(grad_input_scatter_6.update(0).get_schedule().dims()[2].var);
grad_flow_6
    .split(y, y, yi, 4, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, yi, comp, y, n})
    .fuse(y, n, y)
    .parallel(y);
grad_flow_6.update(0)
    .split(y, y, yi, 4, TailStrategy::GuardWithIf)
    .split(yi, yi, yii, 2, TailStrategy::GuardWithIf)
    .split(x, x, xi, 16, TailStrategy::GuardWithIf)
    .vectorize(xi)
    .reorder({xi, x, yii, comp, over_lanes_x, yi, y, n})
    .fuse(y, n, y)
    .parallel(y);
grad_flow_lanes_7
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(grad_flow_6, over_lanes_x)
    .reorder({xi, x, lane, comp, y, n})
    .reorder_storage(x, lane, comp, y, n);
grad_flow_lanes_7.update(0)
    .split(x, x, xi, 16, TailStrategy::GuardWithIf)
    .vectorize(xi)
    .reorder({xi, over_blocks_x, x, lane, comp, y, n});
warp_slope_6
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(grad_flow_6, yi)
    .reorder({xi, x, part, y, n})
    .reorder_storage(x, part, y, n);
grad_output_blocked_6
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(grad_flow_6, over_lanes_x)
    .reorder({xi, x, lane, y, block, n})
    .reorder_storage(x, lane, y, block, n);
grad_input_6
    .split(c, c, ci, 2, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, y, ci, c, n})
    .parallel(n);
grad_input_scatter_6
    .split(lane, lane, lanei, 16, TailStrategy::RoundUp)
    .vectorize(lanei)
    .compute_at(grad_input_6, n)
    .reorder({lanei, lane, x, y, block, n});
grad_input_scatter_6.update(0)
    .split(over_samples_y, over_samples_y, over_samples_yi, 8, TailStrategy::GuardWithIf)
    .split(lane, lane, lanei, 16, TailStrategy::GuardWithIf)
    .vectorize(lanei)
    .reorder({lanei, lane, over_samples_x, over_samples_yi, over_samples_y, over_samples_z, block, n});
warp_weight_6
    .split(part, part, parti, 3, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, parti, y, n, part})
    .parallel(part)
    .reorder_storage(x, part, y, n);
warp_index_7
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, part, y, n})
    .parallel(n)
    .reorder_storage(x, part, y, n);
grad_output_channels_6
    .store_in(MemoryType::Stack)
    .split(c, c, ci, 16, TailStrategy::ShiftInwards)
    .vectorize(ci)
    .compute_at(grad_input_scatter_6, over_samples_y)
    .reorder({ci, c, x, y, n});
