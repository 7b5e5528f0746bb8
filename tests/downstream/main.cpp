// A downstream user of the installed halconv: a small conv2d on caller-owned
// memory, checked against a direct evaluation, plus error reporting across
// the library boundary. Built by tests/downstream/run.sh twice: with CMake
// (find_package(halconv)) and with pkg-config.
//
// Usage: halconv_downstream [expected-version]
// Exit status: 0 ok, 1 failure, 77 skipped (the CPU backend cannot run here).
#include <halconv/halconv.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char **argv) {
    std::printf("halconv %s\n", halconv::version());
    if (argc > 1 && std::strcmp(argv[1], halconv::version()) != 0) {
        std::fprintf(stderr, "FAIL: expected version %s, the library says %s\n", argv[1], halconv::version());
        return 1;
    }
    std::string why;
    if (!halconv::device_available(halconv::Device::CPU, &why)) {
        std::printf("SKIP: the CPU backend cannot run here: %s\n", why.c_str());
        return 77;
    }

    // input [1, 2, 5, 6], weight [3, 2, 3, 3], bias [3]; stride (2, 1), padding (1, 1)
    const int N = 1, C = 2, H = 5, W = 6, K = 3, R = 3, S = 3;
    std::vector<float> input(N * C * H * W), weight(K * C * R * S), bias = {0.5f, -1.0f, 2.0f};
    for (size_t i = 0; i < input.size(); i++) input[i] = float(int(i % 7) - 3) * 0.25f;
    for (size_t i = 0; i < weight.size(); i++) weight[i] = float(int(i % 5) - 2) * 0.5f;

    halconv::Conv2dOptions opt;
    opt.stride = {2, 1};
    opt.padding = {1, 1};
    const halconv::Shape out_shape = halconv::conv2d_output_shape({N, C, H, W}, {K, C, R, S}, opt);
    if (out_shape != halconv::Shape{1, 3, 3, 6}) {
        std::fprintf(stderr, "FAIL: conv2d_output_shape gave [%lld, %lld, %lld, %lld], expected [1, 3, 3, 6]\n",
                     (long long)out_shape[0], (long long)out_shape[1], (long long)out_shape[2],
                     (long long)out_shape[3]);
        return 1;
    }
    const int OH = 3, OW = 6;
    std::vector<float> output(K * OH * OW, NAN);
    halconv::conv2d(halconv::ConstTensor(input, {N, C, H, W}), halconv::ConstTensor(weight, {K, C, R, S}),
                    halconv::ConstTensor(bias, {K}), halconv::Tensor(output, out_shape), opt);

    double worst = 0;
    for (int k = 0; k < K; k++)
        for (int y = 0; y < OH; y++)
            for (int x = 0; x < OW; x++) {
                double acc = bias[k];
                for (int c = 0; c < C; c++)
                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++) {
                            const int iy = y * 2 - 1 + r, ix = x - 1 + s;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                            acc += double(input[(c * H + iy) * W + ix]) * weight[((k * C + c) * R + r) * S + s];
                        }
                const double d = std::fabs(acc - output[(k * OH + y) * OW + x]);
                if (!(d <= worst)) worst = d;
            }
    std::printf("conv2d [1,2,5,6] * [3,2,3,3], stride (2,1), padding (1,1): max |error| = %g\n", worst);
    std::printf("output[0,1,1,2] = %.4f\n", output[(1 * OH + 1) * OW + 2]);
    if (!(worst <= 1e-4)) {
        std::fprintf(stderr, "FAIL: conv2d result differs from the direct sum by %g\n", worst);
        return 1;
    }

    // Errors cross the library boundary as halconv::Error with a code.
    try {
        std::vector<float> bad_weight(K * 1 * R * S);
        halconv::conv2d(halconv::ConstTensor(input, {N, C, H, W}), halconv::ConstTensor(bad_weight, {K, 1, R, S}),
                        halconv::ConstTensor{}, halconv::Tensor(output, out_shape), opt);
        std::fprintf(stderr, "FAIL: a weight with the wrong channel count was accepted\n");
        return 1;
    } catch (const halconv::Error &e) {
        if (e.code() != halconv::ErrorCode::InvalidArgument) {
            std::fprintf(stderr, "FAIL: wrong error code for a bad weight: %s\n", e.what());
            return 1;
        }
        std::printf("bad weight rejected: %s\n", e.what());
    }
    std::printf("downstream OK\n");
    return 0;
}
