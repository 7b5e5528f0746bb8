// The scratch cache of runtime/memory.cpp (halconv.h: set_scratch_cache_limit):
// large temporaries are kept after a call and reused, within the limit, and
// reuse never changes a result (a reused block holds the previous call's
// data, which no pipeline may read before writing).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "halconv/halconv.h"

namespace {

using halconv::ConstTensor;
using halconv::Tensor;

// A deformable backward large enough for several >= 1 MiB temporaries
// (the padded input alone is 32 x 99 x 99 floats).
struct Problem {
    int N = 1, C = 32, H = 96, W = 96, K = 16, G = 2;
    std::vector<float> input, offset, mask, weight, grad_output;
    explicit Problem(unsigned seed) {
        std::mt19937 rng(seed);
        std::normal_distribution<float> offsets(0.0f, 3.0f);
        std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
        auto fill = [&](std::vector<float> &v, size_t n, auto &dist) {
            v.resize(n);
            for (float &x : v) x = dist(rng);
        };
        fill(input, size_t(N) * C * H * W, unit);
        fill(offset, size_t(N) * 2 * G * 9 * H * W, offsets);
        fill(mask, size_t(N) * G * 9 * H * W, unit);
        fill(weight, size_t(K) * C * 9, unit);
        fill(grad_output, size_t(N) * K * H * W, unit);
    }
    // Every gradient, concatenated.
    std::vector<float> backward() const {
        std::vector<float> gi(input.size()), go(offset.size()), gm(mask.size()), gw(weight.size()), gb(K);
        halconv::DeformConv2dOptions o;
        o.padding = {1, 1};
        halconv::deform_conv2d_backward(
            ConstTensor(input.data(), {N, C, H, W}), ConstTensor(offset.data(), {N, 2 * G * 9, H, W}),
            ConstTensor(weight.data(), {K, C, 3, 3}), ConstTensor(mask.data(), {N, G * 9, H, W}),
            ConstTensor(grad_output.data(), {N, K, H, W}),
            {Tensor(gi.data(), {N, C, H, W}), Tensor(go.data(), {N, 2 * G * 9, H, W}), Tensor(gw.data(), {K, C, 3, 3}),
             Tensor(gb.data(), {K}), Tensor(gm.data(), {N, G * 9, H, W})},
            o);
        std::vector<float> all;
        for (auto *v : {&gi, &go, &gm, &gw, &gb}) all.insert(all.end(), v->begin(), v->end());
        return all;
    }
};

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

struct DefaultLimitAtExit {
    ~DefaultLimitAtExit() { halconv::set_scratch_cache_limit(halconv::kDefaultScratchCacheLimit); }
};

TEST(ScratchCache, KeepsLargeBlocksAndReuseGivesTheSameBits) {
    DefaultLimitAtExit restore;
    halconv::set_scratch_cache_limit(halconv::kDefaultScratchCacheLimit);
    halconv::release_scratch_cache();
    EXPECT_EQ(halconv::scratch_cache_bytes(), 0u);

    Problem a(1), b(2);
    const std::vector<float> first = a.backward();
    const size_t kept = halconv::scratch_cache_bytes();
    EXPECT_GE(kept, size_t(1) << 20) << "the call's large temporaries are kept";

    // Another problem in the kept (dirty) blocks, then the first again.
    const std::vector<float> other = b.backward();
    EXPECT_FALSE(same_bits(first, other));
    EXPECT_EQ(halconv::scratch_cache_bytes(), kept) << "a call of the same shape reuses, not adds";
    EXPECT_TRUE(same_bits(a.backward(), first));

    // Without the cache: the same bits, and nothing kept.
    halconv::set_scratch_cache_limit(0);
    EXPECT_EQ(halconv::scratch_cache_bytes(), 0u);
    EXPECT_TRUE(same_bits(a.backward(), first));
    EXPECT_EQ(halconv::scratch_cache_bytes(), 0u);
}

TEST(ScratchCache, StaysWithinTheLimit) {
    DefaultLimitAtExit restore;
    const size_t limit = size_t(3) << 20;
    halconv::set_scratch_cache_limit(limit);
    Problem p(3);
    const std::vector<float> cached = p.backward();
    EXPECT_LE(halconv::scratch_cache_bytes(), limit);
    EXPECT_TRUE(same_bits(p.backward(), cached));
    EXPECT_LE(halconv::scratch_cache_bytes(), limit);
    halconv::release_scratch_cache();
    EXPECT_EQ(halconv::scratch_cache_bytes(), 0u);
}

TEST(ScratchCache, ConcurrentCallsShareItSafely) {
    DefaultLimitAtExit restore;
    halconv::set_scratch_cache_limit(halconv::kDefaultScratchCacheLimit);
    Problem a(4), b(5);
    const std::vector<float> expect_a = a.backward(), expect_b = b.backward();
    std::vector<std::vector<float>> got(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 3; i++) got[t] = (t % 2 ? b : a).backward();
        });
    }
    for (auto &t : threads) t.join();
    for (int t = 0; t < 4; t++) EXPECT_TRUE(same_bits(got[t], t % 2 ? expect_b : expect_a)) << "thread " << t;
}

}  // namespace
