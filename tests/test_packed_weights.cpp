// Weights packed once (conv2d_pack_weights / conv_transpose2d_pack_weights)
// give the same bits as the plain calls, which pack on every call, and a
// packing that does not match the call's options is refused.
#include <gmock/gmock.h>

#include "test_util.h"

namespace halconv_test {
namespace {

using halconv::ConstTensor;
using halconv::Tensor;
using ::testing::HasSubstr;

struct PackCase {
    Shape input, weight;
    std::array<int, 2> stride, padding, dilation;
    int groups;
    bool flip;
};

class Conv2dPacked : public ::testing::TestWithParam<PackCase> {};

TEST_P(Conv2dPacked, SameBitsAsPlainCall) {
    const PackCase &c = GetParam();
    halconv::Conv2dOptions o;
    o.stride = c.stride;
    o.padding = c.padding;
    o.dilation = c.dilation;
    o.groups = c.groups;
    o.flip_kernel = c.flip;
    auto x = random_tensor(numel(c.input), 11), w = random_tensor(numel(c.weight), 12);
    auto b = random_tensor(c.weight[0], 13);
    Shape out_shape = halconv::conv2d_output_shape(c.input, c.weight, o);
    std::vector<float> plain(numel(out_shape)), packed(numel(out_shape));
    halconv::conv2d(ConstTensor(x, c.input), ConstTensor(w, c.weight), ConstTensor(b, {c.weight[0]}),
                    Tensor(plain, out_shape), o);
    halconv::PackedWeights pw = halconv::conv2d_pack_weights(ConstTensor(w, c.weight), o);
    halconv::conv2d(ConstTensor(x, c.input), pw, ConstTensor(b, {c.weight[0]}), Tensor(packed, out_shape), o);
    EXPECT_EQ(plain, packed);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv2dPacked,
    ::testing::Values(PackCase{{1, 16, 20, 23}, {24, 16, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, false},
                      PackCase{{2, 8, 17, 15}, {5, 8, 3, 5}, {2, 1}, {2, 3}, {1, 2}, 1, true},
                      PackCase{{1, 12, 9, 9}, {12, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 4, false},
                      PackCase{{1, 40, 14, 14}, {40, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 40, true}));

class ConvTranspose2dPacked : public ::testing::TestWithParam<PackCase> {};

TEST_P(ConvTranspose2dPacked, SameBitsAsPlainCall) {
    const PackCase &c = GetParam();
    halconv::ConvTranspose2dOptions o;
    o.stride = c.stride;
    o.padding = c.padding;
    o.dilation = c.dilation;
    o.groups = c.groups;
    auto x = random_tensor(numel(c.input), 21), w = random_tensor(numel(c.weight), 22);
    const int64_t K = c.weight[1] * c.groups;
    auto b = random_tensor(K, 23);
    Shape out_shape = halconv::conv_transpose2d_output_shape(c.input, c.weight, o);
    std::vector<float> plain(numel(out_shape)), packed(numel(out_shape));
    halconv::conv_transpose2d(ConstTensor(x, c.input), ConstTensor(w, c.weight), ConstTensor(b, {K}),
                              Tensor(plain, out_shape), o);
    halconv::PackedWeights pw = halconv::conv_transpose2d_pack_weights(ConstTensor(w, c.weight), o);
    halconv::conv_transpose2d(ConstTensor(x, c.input), pw, ConstTensor(b, {K}), Tensor(packed, out_shape), o);
    EXPECT_EQ(plain, packed);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvTranspose2dPacked,
    ::testing::Values(PackCase{{1, 16, 11, 13}, {16, 8, 4, 4}, {2, 2}, {1, 1}, {1, 1}, 1, false},
                      PackCase{{2, 6, 7, 9}, {6, 5, 3, 3}, {3, 2}, {1, 0}, {2, 1}, 1, false},
                      PackCase{{1, 8, 6, 6}, {8, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 4, false}));

TEST(PackedWeightsBadInput, FlipMismatchIsRefused) {
    Shape is{1, 4, 8, 8}, ws{4, 4, 3, 3};
    auto x = random_tensor(numel(is), 1), w = random_tensor(numel(ws), 2);
    std::vector<float> y(numel({1, 4, 6, 6}), 0.0f);
    halconv::Conv2dOptions packed_for;
    packed_for.flip_kernel = true;
    halconv::PackedWeights pw = halconv::conv2d_pack_weights(ConstTensor(w, ws), packed_for);
    try {
        halconv::conv2d(ConstTensor(x, is), pw, ConstTensor{}, Tensor(y, {1, 4, 6, 6}), halconv::Conv2dOptions{});
        FAIL() << "expected halconv::Error";
    } catch (const halconv::Error &e) {
        EXPECT_EQ(e.code(), halconv::ErrorCode::InvalidArgument);
        EXPECT_THAT(e.what(), HasSubstr("flip_kernel"));
    }
}

TEST(PackedWeightsBadInput, ConvTransposeStrideMismatchIsRefused) {
    Shape is{1, 4, 5, 5}, ws{4, 2, 3, 3};
    auto x = random_tensor(numel(is), 1), w = random_tensor(numel(ws), 2);
    halconv::ConvTranspose2dOptions o;
    o.stride = {2, 2};
    Shape os = halconv::conv_transpose2d_output_shape(is, ws, o);
    std::vector<float> y(numel(os), 0.0f);
    halconv::PackedWeights pw = halconv::conv_transpose2d_pack_weights(ConstTensor(w, ws));  // stride 1
    try {
        halconv::conv_transpose2d(ConstTensor(x, is), pw, ConstTensor{}, Tensor(y, os), o);
        FAIL() << "expected halconv::Error";
    } catch (const halconv::Error &e) {
        EXPECT_EQ(e.code(), halconv::ErrorCode::InvalidArgument);
        EXPECT_THAT(e.what(), HasSubstr("stride"));
    }
}

TEST(PackedWeightsBadInput, Conv2dPackingUsedForTransposeIsRefused) {
    Shape is{1, 4, 5, 5}, ws{4, 2, 3, 3};
    auto x = random_tensor(numel(is), 1), w = random_tensor(numel(ws), 2);
    halconv::ConvTranspose2dOptions o;
    Shape os = halconv::conv_transpose2d_output_shape(is, ws, o);
    std::vector<float> y(numel(os), 0.0f);
    halconv::PackedWeights pw = halconv::conv2d_pack_weights(ConstTensor(w, ws));
    try {
        halconv::conv_transpose2d(ConstTensor(x, is), pw, ConstTensor{}, Tensor(y, os), o);
        FAIL() << "expected halconv::Error";
    } catch (const halconv::Error &e) {
        EXPECT_THAT(e.what(), HasSubstr("conv_transpose2d_pack_weights"));
    }
}

}  // namespace
}  // namespace halconv_test
