Func output_2 = pipeline.get_func(8);
Func warped_2 = pipeline.get_func(7);
Func interp_2 = pipeline.get_func(6);
Func warp_weight_2 = pipeline.get_func(5);
Func warp_index_2 = pipeline.get_func(4);
Func blocked_input_2 = pipeline.get_func(2);
Func input_rows_2 = pipeline.get_func(1);
Var block(interp_2.get_schedule().dims()[3].var);
Var c(output_2.get_schedule().dims()[2].var);
Var ci("ci");
Var lane(interp_2.get_schedule().dims()[0].var);
Var lanei("lanei");
Var n(output_2.get_schedule().dims()[3].var);
Var part(warp_weight_2.get_schedule().dims()[0].var);
Var x(output_2.get_schedule().dims()[0].var);
Var xi("xi");
Var y(output_2.get_schedule().dims()[1].var);
Var yi("yi");
output_2
    .split(y, y, yi, 6, TailStrategy::ShiftInwards)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .split(c, c, ci, 32, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, ci, x, c, yi, y, n})
    .parallel(y);
warped_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::RoundUp)
    .vectorize(xi)
    .compute_at(output_2, ci)
    .reorder({xi, x, y, c, n});
interp_2
    .store_in(MemoryType::Stack)
    .split(lane, lane, lanei, 16, TailStrategy::RoundUp)
    .vectorize(lanei)
    .compute_at(output_2, ci)
    .store_at(output_2, x)
    .reorder({lanei, lane, x, y, block, n});
warp_weight_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(output_2, x)
    .store_at(output_2, yi)
    .reorder({xi, x, part, y, n})
    .reorder_storage(x, part, y, n);
warp_index_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(output_2, yi)
    .store_at(output_2, y)
    .reorder({xi, x, part, y, n})
    .reorder_storage(x, part, y, n);
blocked_input_2
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_root()
    .reorder({xi, x, lane, y, block, n})
    .parallel(block)
    .reorder_storage(x, lane, y, block, n);
input_rows_2
    .store_in(MemoryType::Stack)
    .split(x, x, xi, 16, TailStrategy::ShiftInwards)
    .vectorize(xi)
    .compute_at(blocked_input_2, x)
    .reorder({xi, x, y, c, n});
