Func output_16 = pipeline.get_func(8);
Func warped_6 = pipeline.get_func(7);
Func interp_6 = pipeline.get_func(6);
Func warp_weight_6 = pipeline.get_func(5);
Func warp_index_6 = pipeline.get_func(4);
Func blocked_input_6 = pipeline.get_func(2);
Func input_rows_6 = pipeline.get_func(1);
Var block(interp_6.get_schedule().dims()[3].var);
Var c(output_16.get_schedule().dims()[2].var);
Var ci("ci");
Var lane(interp_6.get_schedule().dims()[0].var);
Var lanei("lanei");
Var n(output_16.get_schedule().dims()[3].var);
Var part(warp_weight_6.get_schedule().dims()[0].var);
Var x(output_16.get_schedule().dims()[0].var);
Var xi("xi");
Var xii("xii");
Var y(output_16.get_schedule().dims()[1].var);
Var yi("yi");
output_16
    .split(x, x, xi, 32, TailStrategy::ShiftInwards)
    .split(y, y, yi, 8, TailStrategy::ShiftInwards)
    .split(xi, xi, xii, 16, TailStrategy::ShiftInwards)
    .vectorize(xii)
    .compute_root()
    .reorder({xii, yi, c, xi, y, x, n})
    .fuse(x, n, x)
    .parallel(x);
warped_6
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(output_16, yi)
    .reorder({xi, x, y, c, n});
interp_6
    .store_in(MemoryType::Stack)
    .split(lane, lane, lanei, 16, TailStrategy::RoundUp)
    .vectorize(lanei)
    .compute_at(output_16, yi)
    .store_at(output_16, xi)
    .reorder({lanei, lane, x, y, block, n});
warp_weight_6
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(output_16, xi)
    .store_at(output_16, y)
    .reorder({xi, x, part, y, n})
    .reorder_storage(x, part, y, n);
warp_index_6
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(output_16, xi)
    .reorder({xi, x, part, y, n})
    .reorder_storage(x, part, y, n);
blocked_input_6
    .split(y, y, yi, 32, TailStrategy::ShiftInwards)
    .split(x, x, xi, 4, TailStrategy::ShiftInwards)
    .split(lane, lane, lanei, 16, TailStrategy::ShiftInwards)
    .unroll(xi)
    .vectorize(lanei)
    .compute_root()
    .reorder({lanei, lane, xi, x, yi, n, y, block})
    .parallel(y);
input_rows_6
    .store_in(MemoryType::Stack)
    .split(c, c, ci, 16, TailStrategy::ShiftInwards)
    .vectorize(ci)
    .compute_at(blocked_input_6, x)
    .reorder({ci, c, x, y, n})
    .reorder_storage(c, x, y, n);
