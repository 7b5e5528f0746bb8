Var x_i("x_i");
Var x_i_vi("x_i_vi");
Var x_i_vo("x_i_vo");
Var x_o("x_o");
Var x_vi("x_vi");
Var x_vo("x_vo");

Func output_1 = pipeline.get_func(8);
Func warp_index_1 = pipeline.get_func(4);
Func warp_weight_1 = pipeline.get_func(5);

{
    Var x = output_1.args()[0];
    Var y = output_1.args()[1];
    Var c = output_1.args()[2];
    Var n = output_1.args()[3];
    output_1
        .compute_root()
        .split(x, x_o, x_i, 64)
        .reorder(x_i, y, c, n, x_o)
        .split(x_i, x_i_vo, x_i_vi, 16)
        .vectorize(x_i_vi)
        .parallel(x_o);
}
{
    Var x = warp_index_1.args()[1];
    warp_index_1
        .compute_at(output_1, x_o)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
}
{
    Var x = warp_weight_1.args()[1];
    warp_weight_1
        .compute_at(output_1, x_o)
        .split(x, x_vo, x_vi, 16)
        .vectorize(x_vi);
}

