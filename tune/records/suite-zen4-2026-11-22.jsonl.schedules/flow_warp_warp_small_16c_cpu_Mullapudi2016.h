Var x_vi("x_vi");
Var x_vo("x_vo");

Func output_15 = pipeline.get_func(8);
Func warp_index_5 = pipeline.get_func(4);
Func warp_weight_5 = pipeline.get_func(5);

{
    Var x = output_15.args()[0];
    Var n = output_15.args()[3];
    output_15
        .compute_root()
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi)
        .parallel(n);
}
{
    Var x = warp_index_5.args()[1];
    Var n = warp_index_5.args()[3];
    warp_index_5
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

