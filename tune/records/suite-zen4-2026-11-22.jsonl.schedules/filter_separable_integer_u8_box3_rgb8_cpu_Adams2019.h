Func output_5 = pipeline.get_func(6);
Func horizontal_narrow_2 = pipeline.get_func(5);
Func horizontal_2 = pipeline.get_func(4);
Func vertical_4 = pipeline.get_func(3);
Var fx(output_5.get_schedule().dims()[0].var);
Var fxi("fxi");
Var fxii("fxii");
Var left_border_x(vertical_4.update(1).get_schedule().dims()[0].var);
Var y(output_5.get_schedule().dims()[1].var);
Var yi("yi");
Var yii("yii");
RVar column_taps_x(vertical_4.update(0).get_schedule().dims()[0].var);
RVar right_border_x(vertical_4.update(2).get_schedule().dims()[0].var);
RVar row_taps_x(horizontal_narrow_2.update(0).get_schedule().dims()[0].var);
output_5
    .split(y, y, yi, 270, TailStrategy::ShiftInwards)
    .split(yi, yi, yii, 2, TailStrategy::ShiftInwards)
    .split(fx, fx, fxi, 192, TailStrategy::ShiftInwards)
    .split(fxi, fxi, fxii, 64, TailStrategy::ShiftInwards)
    .unroll(fxi)
    .vectorize(fxii)
    .compute_root()
    .reorder({fxii, fxi, fx, yii, yi, y})
    .parallel(y);
horizontal_narrow_2
    .store_in(MemoryType::Stack)
    .split(fx, fx, fxi, 32, TailStrategy::RoundUp)
    .unroll(fx)
    .vectorize(fxi)
    .compute_at(output_5, fxi)
    .reorder({fxi, fx, y});
horizontal_narrow_2.update(0)
    .split(fx, fx, fxi, 32, TailStrategy::GuardWithIf)
    .unroll(fx)
    .vectorize(fxi)
    .reorder({fxi, fx, y, row_taps_x});
horizontal_2
    .store_in(MemoryType::Stack)
    .split(fx, fx, fxi, 16, TailStrategy::RoundUp)
    .unroll(fx)
    .vectorize(fxi)
    .compute_at(output_5, fx)
    .reorder({fxi, fx, y});
horizontal_2.update(0)
    .split(fx, fx, fxi, 32, TailStrategy::GuardWithIf)
    .unroll(fx)
    .vectorize(fxi)
    .reorder({fxi, fx, y, row_taps_x});
vertical_4
    .store_in(MemoryType::Stack)
    .split(fx, fx, fxi, 32, TailStrategy::RoundUp)
    .vectorize(fxi)
    .compute_at(output_5, yi)
    .reorder({fxi, fx, y});
vertical_4.update(0)
    .split(fx, fx, fxi, 64, TailStrategy::GuardWithIf)
    .vectorize(fxi)
    .reorder({fxi, column_taps_x, fx, y});
vertical_4.update(1)
    .reorder({left_border_x, y});
vertical_4.update(2)
    .reorder({right_border_x, y});
