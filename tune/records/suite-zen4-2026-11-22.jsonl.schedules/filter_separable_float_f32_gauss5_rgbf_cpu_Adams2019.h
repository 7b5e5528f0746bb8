Func output_2 = pipeline.get_func(5);
Func horizontal_2 = pipeline.get_func(4);
Func vertical_3 = pipeline.get_func(3);
Var fx(output_2.get_schedule().dims()[0].var);
Var fxi("fxi");
Var left_border_x(vertical_3.update(1).get_schedule().dims()[0].var);
Var y(output_2.get_schedule().dims()[1].var);
Var yi("yi");
Var yii("yii");
RVar column_taps_x(vertical_3.update(0).get_schedule().dims()[0].var);
RVar right_border_x(vertical_3.update(2).get_schedule().dims()[0].var);
RVar row_taps_x(horizontal_2.update(0).get_schedule().dims()[0].var);
output_2
    .split(y, y, yi, 68, TailStrategy::ShiftInwards)
    .split(yi, yi, yii, 4, TailStrategy::ShiftInwards)
    .split(fx, fx, fxi, 16, TailStrategy::ShiftInwards)
    .vectorize(fxi)
    .compute_root()
    .reorder({fxi, fx, yii, yi, y})
    .parallel(y);
horizontal_2
    .store_in(MemoryType::Stack)
    .split(fx, fx, fxi, 16, TailStrategy::RoundUp)
    .vectorize(fxi)
    .compute_at(output_2, yii)
    .reorder({fxi, fx, y});
horizontal_2.update(0)
    .split(fx, fx, fxi, 16, TailStrategy::GuardWithIf)
    .vectorize(fxi)
    .reorder({fxi, row_taps_x, fx, y});
vertical_3
    .split(fx, fx, fxi, 16, TailStrategy::RoundUp)
    .vectorize(fxi)
    .compute_at(output_2, yi)
    .reorder({fxi, fx, y});
vertical_3.update(0)
    .split(fx, fx, fxi, 16, TailStrategy::GuardWithIf)
    .vectorize(fxi)
    .reorder({fxi, column_taps_x, fx, y});
vertical_3.update(1)
    .reorder({left_border_x, y});
vertical_3.update(2)
    .reorder({right_border_x, y});
