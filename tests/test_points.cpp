// Points collection on the CPU: forward and backward against the reference
// (reference_points.h) over the sweep (points_cases.cpp), the documented edge
// cases (wholly outside samples, non-finite t and d), determinism of the
// backward (runs, thread counts, the two accumulation options), central
// finite differences of grad_t and grad_d, and the mathematics of the
// operator as properties of halconv's own results.
#include <cmath>
#include <cstring>
#include <limits>

#include "points_cases.h"

namespace halconv_test {
namespace {

using halconv::ConstTensor;
using halconv::GradAccumulation;
using halconv::PointsCollectionOptions;
using halconv::Tensor;

const GradAccumulation kBothAccumulations[] = {GradAccumulation::Deterministic, GradAccumulation::Atomic};

PointsCollectionOptions cpu_options(GradAccumulation acc = GradAccumulation::Deterministic) {
    PointsCollectionOptions o;
    o.device = Device::CPU;
    o.accumulation = acc;
    return o;
}

bool same_value(float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// Restores the default thread count (0: one per core) at scope exit.
struct DefaultThreadsAtExit {
    ~DefaultThreadsAtExit() { halconv::set_num_threads(0); }
};

// ---------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------
class PointsForwardCpu : public ::testing::TestWithParam<PointsCase> {};
TEST_P(PointsForwardCpu, MatchesReference) { check_points_forward_case(GetParam(), Device::CPU); }
INSTANTIATE_TEST_SUITE_P(PointsSweep, PointsForwardCpu, ::testing::ValuesIn(points_cases()), CaseName());

class PointsBackwardDeterministicCpu : public ::testing::TestWithParam<PointsCase> {};
TEST_P(PointsBackwardDeterministicCpu, MatchesReference) {
    check_points_backward_case(GetParam(), Device::CPU, GradAccumulation::Deterministic);
}
INSTANTIATE_TEST_SUITE_P(PointsSweep, PointsBackwardDeterministicCpu, ::testing::ValuesIn(points_cases()),
                         CaseName());

class PointsBackwardAtomicCpu : public ::testing::TestWithParam<PointsCase> {};
TEST_P(PointsBackwardAtomicCpu, MatchesReference) {
    check_points_backward_case(GetParam(), Device::CPU, GradAccumulation::Atomic);
}
INSTANTIATE_TEST_SUITE_P(PointsSweep, PointsBackwardAtomicCpu, ::testing::ValuesIn(points_cases()), CaseName());

TEST(PointsCases, ListIsValidAndCoversTheSpecification) {
    const auto cases = points_cases();
    EXPECT_GE(cases.size(), 20u);
    EXPECT_TRUE(points_cases_valid(cases));
    EXPECT_EQ(points_coverage_missing(cases), std::vector<std::string>{});
}

// The data generators do what the case kinds promise.
TEST(PointsCases, DataKindsHoldTheirPromises) {
    for (const PointsCase &c : points_cases()) {
        SCOPED_TRACE(c.describe());
        const std::vector<float> t = points_offsets(c, 11);
        const ref::PointsDims dims = c.dims();
        int64_t integer = 0, fractional_near_kink = 0, sampling = 0, nonfinite = 0;
        for (int64_t b = 0; b < c.B; b++)
            for (int64_t n = 0; n < c.N; n++)
                for (int64_t i = 0; i < c.H; i++)
                    for (int64_t j = 0; j < c.W; j++) {
                        const float y = t[(size_t)idx4(c.t_shape(), b, 2 * n, i, j)];
                        const float x = t[(size_t)idx4(c.t_shape(), b, 2 * n + 1, i, j)];
                        nonfinite += !std::isfinite(y) || !std::isfinite(x);
                        const ref::PointsSample s = ref::points_sample(y, x, i, j, dims);
                        sampling += s.samples();
                        for (int axis = 0; axis < 2; axis++) {
                            // Positions that can matter: near or inside the grid.
                            const double pos = axis == 0 ? s.rows.position : s.cols.position;
                            const double size = axis == 0 ? (double)c.h : (double)c.w;
                            if (!std::isfinite(pos) || pos <= -1.5 || pos >= size + 0.5) continue;
                            const double k = kink_distance(pos);
                            integer += k == 0.0;
                            fractional_near_kink += k > 0.0 && k < kKinkMargin;
                        }
                    }
        EXPECT_EQ(fractional_near_kink, 0) << "positions within " << kKinkMargin << " of an integer, not on it";
        if (c.t_data == OffsetData::Integer) {
            EXPECT_GT(integer, 0);
        }
        if (c.t_data == OffsetData::Gaussian) {
            EXPECT_EQ(integer, 0) << "integer positions in a Gaussian case";
        }
        if (c.t_data == OffsetData::Outside) {
            EXPECT_EQ(sampling, 0) << "a sample of an Outside case samples d";
        }
        if (c.t_data == OffsetData::NonFinite) {
            EXPECT_GT(nonfinite, 0);
        }
        if (c.t_data != OffsetData::NonFinite) {
            EXPECT_EQ(nonfinite, 0);
        }
    }
}

// ---------------------------------------------------------------------------
// The reference itself, on values computed by hand from the specification.
// ---------------------------------------------------------------------------
TEST(PointsReference, HandComputedValues) {
    // r = 1, 2x2 image and lower grid, N = M = 1.
    const ref::Shape ts{1, 2, 2, 2}, ds{1, 2, 2, 2};
    // u = [[1, 2], [3, 4]], v = [[10, 20], [30, 40]] (rows p, columns q)
    const std::vector<float> d{1, 2, 3, 4, 10, 20, 30, 40};
    {
        // Pixel (0, 0): y = 0.5, x = 0.25 -> a = 0.5, c = 0.25, K = [[.375, .125], [.375, .125]].
        std::vector<float> t(8, 100.0f);  // the other pixels far outside
        t[0] = 0.5f;
        t[4] = 0.25f;
        const ref::PointsResult p = ref::points_collection(t.data(), ts, d.data(), ds);
        EXPECT_DOUBLE_EQ(p.value[0], 2.25 + 0.5);
        EXPECT_DOUBLE_EQ(p.value[4], 22.5 + 0.25);
        EXPECT_DOUBLE_EQ(p.value[1], 100.0);  // pixel (0, 1): p = t
        std::vector<float> g(8, 0.0f);
        g[0] = 1.0f;  // G0 of pixel (0, 0)
        const ref::PointsGradients gr = ref::points_collection_backward(t.data(), ts, d.data(), ds, g.data());
        // grad_y = 1 + sum u gx s_y = 1 + (-(1 * .75 + 2 * .25) + (3 * .75 + 4 * .25)) = 3
        EXPECT_DOUBLE_EQ(gr.grad_t.value[0], 3.0);
        // grad_x = sum u gy s_x = .5 * (-1 + 2) + .5 * (-3 + 4) = 1
        EXPECT_DOUBLE_EQ(gr.grad_t.value[4], 1.0);
        EXPECT_EQ(gr.grad_d.value, (std::vector<double>{.375, .125, .375, .125, 0, 0, 0, 0}));
        g[0] = 0.0f;
        g[4] = 1.0f;  // G1 of pixel (0, 0)
        const ref::PointsGradients g1 = ref::points_collection_backward(t.data(), ts, d.data(), ds, g.data());
        // grad_y = (r_h / r_w) sum v gx s_y = -(10 * .75 + 20 * .25) + (30 * .75 + 40 * .25) = 20
        EXPECT_DOUBLE_EQ(g1.grad_t.value[0], 20.0);
        EXPECT_DOUBLE_EQ(g1.grad_t.value[4], 1.0 + 0.5 * (-10 + 20) + 0.5 * (-30 + 40));
        EXPECT_EQ(g1.grad_d.value, (std::vector<double>{0, 0, 0, 0, .375, .125, .375, .125}));
    }
    {
        // Integer position: pixel (0, 0) with y = 1, x = 0 -> a = 1, c = 0: the
        // value of lower pixel (1, 0); signs +1 at p = a and q = c, 0 at q = 1
        // (distance 1).
        std::vector<float> t(8, 100.0f);
        t[0] = 1.0f;
        t[4] = 0.0f;
        const ref::PointsResult p = ref::points_collection(t.data(), ts, d.data(), ds);
        EXPECT_DOUBLE_EQ(p.value[0], 3.0 + 1.0);
        EXPECT_DOUBLE_EQ(p.value[4], 30.0 + 0.0);
        std::vector<float> g(8, 0.0f);
        g[0] = 1.0f;
        const ref::PointsGradients gr = ref::points_collection_backward(t.data(), ts, d.data(), ds, g.data());
        EXPECT_DOUBLE_EQ(gr.grad_t.value[0], 1.0 + 3.0);  // 1 + u(1, 0) * 1 * (+1)
        EXPECT_DOUBLE_EQ(gr.grad_t.value[4], 3.0);        // u(1, 0) * 1 * (+1) + u(1, 1) * 1 * 0
        const ref::PointsAxis axis = ref::points_axis(1.0, 0, 1.0, 2);
        ASSERT_EQ(axis.count, 1);  // row 2 is outside the grid
        EXPECT_EQ(axis.index[0], 1);
        EXPECT_EQ(axis.sign[0], 1.0);
        const ref::PointsAxis inner = ref::points_axis(1.0, 0, 1.0, 3);
        ASSERT_EQ(inner.count, 2);  // row 2, weight 0, is a neighbour (non-finite d reaches p)
        EXPECT_EQ(inner.weight[1], 0.0);
        EXPECT_EQ(inner.sign[1], 0.0);
    }
    {
        // r_h = 1/2, r_w = 1/2: constant u = 1, v = 2 seen from inside the grid
        // gives u / r_h = 2, v / r_w = 4 on top of t.
        const ref::Shape t2{1, 2, 4, 4}, d2{1, 2, 2, 2};
        std::vector<float> t(32, 0.0f), dd{1, 1, 1, 1, 2, 2, 2, 2};
        t[0] = 0.5f;   // pixel (0, 0): a = 0.25
        t[16] = 1.0f;  // c = 0.5
        const ref::PointsResult p = ref::points_collection(t.data(), t2, dd.data(), d2);
        EXPECT_DOUBLE_EQ(p.value[0], 2.0 + 0.5);
        EXPECT_DOUBLE_EQ(p.value[16], 4.0 + 1.0);
    }
    // Positions: wholly outside at exactly -1 and size; NaN and Inf sample nothing.
    EXPECT_EQ(ref::points_axis(-1.0, 0, 1.0, 4).count, 0);
    EXPECT_EQ(ref::points_axis(-0.5, 0, 1.0, 4).count, 1);
    EXPECT_EQ(ref::points_axis(4.0, 0, 1.0, 4).count, 0);
    EXPECT_EQ(ref::points_axis(3.5, 0, 1.0, 4).count, 1);
    EXPECT_EQ(ref::points_axis(std::nan(""), 0, 1.0, 4).count, 0);
    EXPECT_EQ(ref::points_axis(INFINITY, 0, 1.0, 4).count, 0);
    EXPECT_EQ(ref::points_axis(-INFINITY, 0, 1.0, 4).count, 0);
}

TEST(PointsOutputShape, IsBatch2NMHW) {
    EXPECT_EQ(halconv::points_collection_output_shape({2, 6, 5, 7}, {2, 4, 3, 2}), (Shape{2, 12, 5, 7}));
    EXPECT_EQ(halconv::points_collection_output_shape({1, 2, 1, 1}, {1, 2, 1, 1}), (Shape{1, 2, 1, 1}));
    EXPECT_EQ(halconv::points_collection_output_shape({1, 18, 32, 32}, {1, 18, 64, 64}), (Shape{1, 162, 32, 32}));
    // Stacking: the output of one layer is the target of the next.
    const Shape p1 = halconv::points_collection_output_shape({1, 18, 8, 8}, {1, 18, 4, 4});
    EXPECT_EQ(halconv::points_collection_output_shape(p1, {1, 18, 2, 2}), (Shape{1, 2 * 9 * 9 * 9, 8, 8}));
}

// ---------------------------------------------------------------------------
// Documented edge cases
// ---------------------------------------------------------------------------

// A sample wholly outside the lower grid gives p = t exactly and no gradient
// to d (here: every sample, so grad_d is exactly zero).
TEST(PointsCpu, WhollyOutsideGivesTExactlyAndNoGradientToD) {
    for (const PointsCase &c : {points("out", 2, 2, 3, 8, 12, 4, 3).with(OffsetData::Outside).std_px(3.0),
                                points("out_frac", 1, 3, 2, 7, 9, 3, 5).with(OffsetData::Outside).std_px(1.0)}) {
        SCOPED_TRACE(c.describe());
        const std::vector<float> t = points_offsets(c, 21), d = points_lower(c, 22), g = points_grad(c, 23);
        const std::vector<float> p = run_points(t, c.t_shape(), d, c.d_shape());
        ASSERT_EQ(p.size(), (size_t)numel(c.p_shape()));
        int64_t bad = 0;
        for (int64_t b = 0; b < c.B; b++)
            for (int64_t n = 0; n < c.N; n++)
                for (int64_t m = 0; m < c.M; m++)
                    for (int64_t comp = 0; comp < 2; comp++)
                        for (int64_t i = 0; i < c.H; i++)
                            for (int64_t j = 0; j < c.W; j++)
                                bad += !same_value(p[(size_t)idx4(c.p_shape(), b, 2 * (n * c.M + m) + comp, i, j)],
                                                   t[(size_t)idx4(c.t_shape(), b, 2 * n + comp, i, j)]);
        EXPECT_EQ(bad, 0) << "elements of p that are not exactly t";
        const ref::PointsGradients want = ref::points_collection_backward(t.data(), c.t_shape(), d.data(),
                                                                          c.d_shape(), g.data());
        for (GradAccumulation acc : kBothAccumulations) {
            SCOPED_TRACE(halconv::grad_accumulation_name(acc));
            const PointsGrads gr = run_points_backward(t, c.t_shape(), d, c.d_shape(), g, cpu_options(acc));
            ASSERT_FALSE(gr.grad_d.empty());
            int64_t nonzero = 0;
            for (float v : gr.grad_d) nonzero += !(v == 0.0f);
            EXPECT_EQ(nonzero, 0) << "non-zero grad_d elements";
            // grad_t is the +t term only: the sum of the g of matching parity.
            EXPECT_TRUE(points_values_match(gr.grad_t, want.grad_t));
        }
    }
}

// Non-finite target offsets sample nothing: p = t for the sample's components
// (NaN / Inf carried, the finite component unchanged), no gradient to d, and
// grad_t is the +t term only.
TEST(PointsCpu, NonFiniteOffsetsSampleNothing) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const PointsCase c = points("nonfinite_pattern", 1, 2, 2, 6, 6, 3, 3).std_px(0.5);
    const Shape ts = c.t_shape(), ds = c.d_shape();
    std::vector<float> t = points_offsets(c, 31);
    const std::vector<float> d = points_lower(c, 32), g = points_grad(c, 33);
    // (n, i, j, y, x): each pattern on a pixel whose other samples stay finite.
    struct Special {
        int64_t n, i, j;
        float y, x;
    };
    const Special specials[] = {{0, 1, 1, nan, 0.3f},   {0, 2, 3, inf, 0.2f},    {1, 2, 2, -inf, -0.4f},
                                {1, 3, 1, 0.1f, nan},   {0, 4, 4, 0.2f, -inf},   {1, 0, 5, nan, nan},
                                {0, 5, 0, 1e30f, 0.1f}, {1, 5, 5, -0.2f, -3e38f}, {0, 3, 3, inf, -inf}};
    std::vector<float> t_far = t;  // the same samples moved far outside (finite)
    for (const Special &s : specials) {
        t[(size_t)idx4(ts, 0, 2 * s.n, s.i, s.j)] = s.y;
        t[(size_t)idx4(ts, 0, 2 * s.n + 1, s.i, s.j)] = s.x;
        t_far[(size_t)idx4(ts, 0, 2 * s.n, s.i, s.j)] = 1000.0f;
        t_far[(size_t)idx4(ts, 0, 2 * s.n + 1, s.i, s.j)] = std::isfinite(s.x) ? s.x : 0.0f;
    }
    const std::vector<float> p = run_points(t, ts, d, ds);
    ASSERT_FALSE(p.empty());
    EXPECT_TRUE(points_values_match(p, ref::points_collection(t.data(), ts, d.data(), ds)));
    for (const Special &s : specials) {
        for (int64_t m = 0; m < c.M; m++) {
            const int64_t ch = 2 * (s.n * c.M + m);
            const float py = p[(size_t)idx4(c.p_shape(), 0, ch, s.i, s.j)];
            const float px = p[(size_t)idx4(c.p_shape(), 0, ch + 1, s.i, s.j)];
            EXPECT_TRUE(same_value(py, s.y)) << "n " << s.n << " (" << s.i << ", " << s.j << ") m " << m
                                             << ": p_y " << py << ", t_y " << s.y;
            EXPECT_TRUE(same_value(px, s.x)) << "n " << s.n << " (" << s.i << ", " << s.j << ") m " << m
                                             << ": p_x " << px << ", t_x " << s.x;
        }
    }
    const ref::PointsGradients want = ref::points_collection_backward(t.data(), ts, d.data(), ds, g.data());
    for (GradAccumulation acc : kBothAccumulations) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        const PointsGrads gr = run_points_backward(t, ts, d, ds, g, cpu_options(acc));
        const PointsGrads far = run_points_backward(t_far, ts, d, ds, g, cpu_options(acc));
        ASSERT_FALSE(gr.grad_d.empty());
        ASSERT_FALSE(far.grad_d.empty());
        EXPECT_TRUE(points_values_match(gr.grad_t, want.grad_t)) << "grad_t";
        EXPECT_TRUE(points_values_match(gr.grad_d, want.grad_d)) << "grad_d";
        int64_t nonfinite = 0;
        for (float v : gr.grad_t) nonfinite += !std::isfinite(v);
        EXPECT_EQ(nonfinite, 0) << "grad_t must stay finite (the non-finite t is not used)";
        // No contribution to d: the same grad_d as with those samples far outside.
        int64_t differ = 0;
        for (size_t i = 0; i < gr.grad_d.size(); i++) differ += !(gr.grad_d[i] == far.grad_d[i]);
        EXPECT_EQ(differ, 0) << "grad_d elements that differ from the run with the samples moved outside";
    }
}

// Non-finite values in d reach exactly the outputs whose sample has them as a
// bilinear neighbour, a weight-0 neighbour at an integer position included.
TEST(PointsCpu, NonFiniteLowerReachesItsNeighboursOnly) {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const Shape ts{1, 2, 5, 5}, ds{1, 4, 5, 5}, ps{1, 4, 5, 5};  // N = 1, M = 2, r = 1
    std::vector<float> d = random_tensor(numel(ds), 41);
    d[(size_t)idx4(ds, 0, 0, 2, 2)] = nan;  // u of m = 0 at (2, 2)
    d[(size_t)idx4(ds, 0, 1, 0, 3)] = inf;  // v of m = 0 at (0, 3)
    // Every sample far outside except the listed ones.
    std::vector<float> t(numel(ts), -50.0f);
    auto place = [&](int64_t i, int64_t j, float a, float c) {
        t[(size_t)idx4(ts, 0, 0, i, j)] = a - (float)i;
        t[(size_t)idx4(ts, 0, 1, i, j)] = c - (float)j;
    };
    struct Expect {
        int64_t i, j;
        float a, c;
        bool u_nan;   // p_y of m = 0 is NaN
        int v_class;  // p_x of m = 0: 0 finite, 1 +Inf, 2 NaN
    };
    const Expect expects[] = {
        {0, 0, 1.0f, 2.0f, true, 0},    // rows 1 (w 1), 2 (w 0): the NaN has weight 0
        {0, 1, 3.0f, 2.0f, false, 0},   // rows 3, 4: not a neighbour
        {0, 2, 2.5f, 2.25f, true, 0},   // a genuine neighbour
        {1, 0, 0.0f, 3.0f, false, 1},   // v = +Inf at weight 1
        {1, 1, 0.0f, 2.0f, false, 2},   // columns 2 (w 1), 3 (w 0): 0 * Inf = NaN
        {1, 2, 0.5f, 3.5f, false, 1},   // Inf with positive weights
        {2, 2, 1.0f, 1.0f, true, 0},    // rows 1, 2 and columns 1, 2: (2, 2) has weight 0 * 0
        {3, 3, 4.0f, 4.0f, false, 0},   // last row and column: rows 4 only
    };
    for (const Expect &e : expects) place(e.i, e.j, e.a, e.c);
    const std::vector<float> p = run_points(t, ts, d, ds);
    ASSERT_FALSE(p.empty());
    const ref::PointsResult want = ref::points_collection(t.data(), ts, d.data(), ds);
    EXPECT_TRUE(points_values_match(p, want));
    for (const Expect &e : expects) {
        SCOPED_TRACE("a = " + std::to_string(e.a) + ", c = " + std::to_string(e.c));
        const float py = p[(size_t)idx4(ps, 0, 0, e.i, e.j)], px = p[(size_t)idx4(ps, 0, 1, e.i, e.j)];
        EXPECT_EQ((bool)std::isnan(py), e.u_nan) << "p_y " << py;
        if (e.v_class == 0) {
            EXPECT_TRUE(std::isfinite(px)) << "p_x " << px;
        }
        if (e.v_class == 1) {
            EXPECT_EQ(px, inf) << "p_x " << px;
        }
        if (e.v_class == 2) {
            EXPECT_TRUE(std::isnan(px)) << "p_x " << px;
        }
        // m = 1 is untouched by the non-finite values.
        EXPECT_TRUE(std::isfinite(p[(size_t)idx4(ps, 0, 2, e.i, e.j)]));
        EXPECT_TRUE(std::isfinite(p[(size_t)idx4(ps, 0, 3, e.i, e.j)]));
    }
    // Wholly outside samples never see them.
    EXPECT_EQ(p[(size_t)idx4(ps, 0, 0, 4, 4)], -50.0f);
}

// On the CPU the Atomic option is the deterministic path (points.h).
TEST(PointsCpu, AtomicOnCpuIsTheDeterministicPath) {
    const PointsCase c = points("atomic_cpu", 2, 3, 2, 29, 23, 11, 9).std_px(1.5);
    const std::vector<float> t = points_offsets(c, 51), d = points_lower(c, 52), g = points_grad(c, 53);
    const PointsGrads det = run_points_backward(t, c.t_shape(), d, c.d_shape(), g, cpu_options());
    const PointsGrads atom =
        run_points_backward(t, c.t_shape(), d, c.d_shape(), g, cpu_options(GradAccumulation::Atomic));
    ASSERT_FALSE(det.grad_t.empty());
    ASSERT_FALSE(atom.grad_t.empty());
    EXPECT_TRUE(points_bits_equal(atom.grad_t, det.grad_t, c.t_shape())) << "grad_t";
    EXPECT_TRUE(points_bits_equal(atom.grad_d, det.grad_d, c.d_shape())) << "grad_d";
}

// Deterministic: the same bits over repeated runs and for 1 and 2 threads
// (forward too).
TEST(PointsCpu, DeterministicIsBitIdenticalAcrossRunsAndThreads) {
    DefaultThreadsAtExit restore;
    for (const PointsCase &c : {points("threads", 2, 4, 3, 45, 31, 15, 11).std_px(1.5),
                                points("threads_up", 1, 2, 2, 19, 17, 38, 34).std_px(2.0)}) {
        SCOPED_TRACE(c.describe());
        const std::vector<float> t = points_offsets(c, 61), d = points_lower(c, 62), g = points_grad(c, 63);
        const ref::PointsGradients want = ref::points_collection_backward(t.data(), c.t_shape(), d.data(),
                                                                          c.d_shape(), g.data());
        halconv::set_num_threads(0);
        const std::vector<float> p0 = run_points(t, c.t_shape(), d, c.d_shape());
        EXPECT_TRUE(points_values_match(p0, ref::points_collection(t.data(), c.t_shape(), d.data(), c.d_shape())))
            << "p";
        const PointsGrads first = run_points_backward(t, c.t_shape(), d, c.d_shape(), g);
        ASSERT_FALSE(first.grad_t.empty());
        EXPECT_TRUE(points_values_match(first.grad_t, want.grad_t)) << "grad_t";
        EXPECT_TRUE(points_values_match(first.grad_d, want.grad_d)) << "grad_d";
        for (int run = 1; run < 3; run++) {
            const PointsGrads again = run_points_backward(t, c.t_shape(), d, c.d_shape(), g);
            EXPECT_TRUE(points_bits_equal(again.grad_t, first.grad_t, c.t_shape())) << "grad_t, run " << run;
            EXPECT_TRUE(points_bits_equal(again.grad_d, first.grad_d, c.d_shape())) << "grad_d, run " << run;
        }
        for (int threads : {1, 2}) {
            halconv::set_num_threads(threads);
            const PointsGrads other = run_points_backward(t, c.t_shape(), d, c.d_shape(), g);
            EXPECT_TRUE(points_bits_equal(other.grad_t, first.grad_t, c.t_shape())) << "grad_t, threads " << threads;
            EXPECT_TRUE(points_bits_equal(other.grad_d, first.grad_d, c.d_shape())) << "grad_d, threads " << threads;
            EXPECT_TRUE(points_bits_equal(run_points(t, c.t_shape(), d, c.d_shape()), p0, c.p_shape()))
                << "p, threads " << threads;
        }
        halconv::set_num_threads(0);
    }
}

// Both accumulation options agree with each other and with the reference on
// a case with many samples per lower pixel (r = 1/4, N = 9).
TEST(PointsCpu, AccumulationOptionsAgree) {
    const PointsCase c = points("dense_scatter", 1, 9, 2, 32, 28, 8, 7).std_px(2.0);
    const std::vector<float> t = points_offsets(c, 71), d = points_lower(c, 72), g = points_grad(c, 73);
    const ref::PointsGradients want =
        ref::points_collection_backward(t.data(), c.t_shape(), d.data(), c.d_shape(), g.data());
    for (GradAccumulation acc : kBothAccumulations) {
        SCOPED_TRACE(halconv::grad_accumulation_name(acc));
        const PointsGrads gr = run_points_backward(t, c.t_shape(), d, c.d_shape(), g, cpu_options(acc));
        EXPECT_TRUE(points_values_match(gr.grad_t, want.grad_t)) << "grad_t";
        EXPECT_TRUE(points_values_match(gr.grad_d, want.grad_d)) << "grad_d";
    }
}

// ---------------------------------------------------------------------------
// Finite differences of L = sum(g * p), accumulated in double. p is
// piecewise linear in each offset and linear in d, so central differences
// are exact up to float rounding as long as the step crosses no kink: the
// offsets keep 0.05 (lower-grid units) from every integer position and the
// step moves a position by at most 0.035.
// ---------------------------------------------------------------------------
double loss(const std::vector<float> &p, const std::vector<float> &g) {
    double s = 0.0;
    for (size_t i = 0; i < p.size(); i++) s += (double)g[i] * (double)p[i];
    return s;
}

struct FdShape {
    Shape t, d;
};
const FdShape kFdShapes[] = {
    {{1, 4, 5, 6}, {1, 4, 3, 4}},  // r = 0.6, 0.67; N = 2, M = 2
    {{2, 2, 3, 4}, {2, 6, 5, 7}},  // r = 1.67, 1.75; N = 1, M = 3, B = 2
};

TEST(PointsCpu, FiniteDifferencesOfGradT) {
    for (const FdShape &s : kFdShapes) {
        SCOPED_TRACE("t " + shape_str(s.t) + ", d " + shape_str(s.d));
        const Shape ps = ref::points_output_shape(s.t, s.d);
        const double max_ratio = std::max((double)s.d[2] / s.t[2], (double)s.d[3] / s.t[3]);
        const double step = 0.035 / max_ratio;
        std::vector<float> t = points_offsets_away_from_kinks(s.t, s.d, 1.0, 0.05, 81);
        const std::vector<float> d = random_tensor(numel(s.d), 82), g = random_tensor(numel(ps), 83);
        for (GradAccumulation acc : kBothAccumulations) {
            SCOPED_TRACE(halconv::grad_accumulation_name(acc));
            const PointsGrads an = run_points_backward(t, s.t, d, s.d, g, cpu_options(acc));
            ASSERT_FALSE(an.grad_t.empty());
            int64_t bad = 0;
            std::string first;
            for (size_t e = 0; e < t.size(); e++) {
                const float orig = t[e];
                const float plus = (float)(orig + step), minus = (float)(orig - step);
                t[e] = plus;
                const double lp = loss(run_points(t, s.t, d, s.d), g);
                t[e] = minus;
                const double lm = loss(run_points(t, s.t, d, s.d), g);
                t[e] = orig;
                const double fd = (lp - lm) / ((double)plus - (double)minus);
                const double got = an.grad_t[e];
                if (!(std::fabs(fd - got) <= 5e-4 * (1.0 + std::fabs(fd))) && bad++ == 0)
                    first = "element " + std::to_string(e) + ": grad_t " + std::to_string(got) +
                            ", central difference " + std::to_string(fd);
            }
            EXPECT_EQ(bad, 0) << "of " << t.size() << " elements of grad_t; first " << first;
        }
    }
}

TEST(PointsCpu, FiniteDifferencesOfGradD) {
    for (const FdShape &s : kFdShapes) {
        SCOPED_TRACE("t " + shape_str(s.t) + ", d " + shape_str(s.d));
        const Shape ps = ref::points_output_shape(s.t, s.d);
        const std::vector<float> t = points_offsets_away_from_kinks(s.t, s.d, 1.0, 0.05, 91);
        std::vector<float> d = random_tensor(numel(s.d), 92);
        const std::vector<float> g = random_tensor(numel(ps), 93);
        for (GradAccumulation acc : kBothAccumulations) {
            SCOPED_TRACE(halconv::grad_accumulation_name(acc));
            const PointsGrads an = run_points_backward(t, s.t, d, s.d, g, cpu_options(acc));
            ASSERT_FALSE(an.grad_d.empty());
            int64_t bad = 0;
            std::string first;
            for (size_t e = 0; e < d.size(); e++) {
                const float orig = d[e];
                const float plus = orig + 0.125f, minus = orig - 0.125f;
                d[e] = plus;
                const double lp = loss(run_points(t, s.t, d, s.d), g);
                d[e] = minus;
                const double lm = loss(run_points(t, s.t, d, s.d), g);
                d[e] = orig;
                const double fd = (lp - lm) / ((double)plus - (double)minus);
                const double got = an.grad_d[e];
                if (!(std::fabs(fd - got) <= 5e-4 * (1.0 + std::fabs(fd))) && bad++ == 0)
                    first = "element " + std::to_string(e) + ": grad_d " + std::to_string(got) +
                            ", central difference " + std::to_string(fd);
            }
            EXPECT_EQ(bad, 0) << "of " << d.size() << " elements of grad_d; first " << first;
        }
    }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------
const PointsCase kPropertyCases[] = {
    points("prop_down", 2, 2, 3, 9, 11, 4, 5).std_px(1.5),
    points("prop_up", 1, 3, 2, 5, 4, 9, 10).std_px(1.0),
    points("prop_outside", 1, 2, 2, 6, 6, 3, 3).std_px(4.0),
};

// p(t, a d1 + d2) - t = a (p(t, d1) - t) + (p(t, d2) - t).
TEST(PointsProperties, OutputMinusTIsLinearInD) {
    const float alpha = -1.75f;
    for (const PointsCase &c : kPropertyCases) {
        SCOPED_TRACE(c.describe());
        const std::vector<float> t = points_offsets(c, 101), d1 = random_tensor(numel(c.d_shape()), 102),
                                 d2 = random_tensor(numel(c.d_shape()), 103);
        std::vector<float> d3(d1.size());
        for (size_t i = 0; i < d1.size(); i++) d3[i] = alpha * d1[i] + d2[i];
        const std::vector<float> p1 = run_points(t, c.t_shape(), d1, c.d_shape());
        const std::vector<float> p2 = run_points(t, c.t_shape(), d2, c.d_shape());
        const std::vector<float> p3 = run_points(t, c.t_shape(), d3, c.d_shape());
        ASSERT_FALSE(p1.empty() || p2.empty() || p3.empty());
        const Shape ps = c.p_shape();
        int64_t bad = 0;
        std::string first;
        for (int64_t b = 0; b < c.B; b++)
            for (int64_t n = 0; n < c.N; n++)
                for (int64_t m = 0; m < c.M; m++)
                    for (int64_t comp = 0; comp < 2; comp++)
                        for (int64_t i = 0; i < c.H; i++)
                            for (int64_t j = 0; j < c.W; j++) {
                                const size_t o = (size_t)idx4(ps, b, 2 * (n * c.M + m) + comp, i, j);
                                const double tv = t[(size_t)idx4(c.t_shape(), b, 2 * n + comp, i, j)];
                                const double lhs = p3[o] - tv;
                                const double rhs = alpha * (p1[o] - tv) + (p2[o] - tv);
                                const double tol = 1e-5 * (1.0 + std::fabs(tv) + std::fabs(alpha * p1[o]) +
                                                           std::fabs(p2[o]) + std::fabs(p3[o]));
                                if (!(std::fabs(lhs - rhs) <= tol) && bad++ == 0)
                                    first = "element " + std::to_string(o) + ": " + std::to_string(lhs) + " vs " +
                                            std::to_string(rhs);
                            }
        EXPECT_EQ(bad, 0) << "elements violate linearity; first " << first;
    }
}

// With d = 0, p is t repeated M times (n-major) exactly, and so is a chain of
// two layers (N M1 M2 copies, channel 2((n M1 + m1) M2 + m2)).
TEST(PointsProperties, ZeroOffsetsChainToRepeatedT) {
    PointsCase c = points("chain", 2, 3, 2, 6, 7, 3, 4).with(OffsetData::NonFinite).std_px(2.0);
    const std::vector<float> t = points_offsets(c, 111);
    const Shape ts = c.t_shape();
    const Shape d1s{2, 4, 3, 4}, d2s{2, 6, 12, 14};  // M1 = 2 (downsampled), M2 = 3 (upsampled)
    const std::vector<float> zero1((size_t)numel(d1s), 0.0f), zero2((size_t)numel(d2s), 0.0f);
    const std::vector<float> p1 = run_points(t, ts, zero1, d1s);
    const Shape p1s = ref::points_output_shape(ts, d1s);
    ASSERT_FALSE(p1.empty());
    const std::vector<float> p2 = run_points(p1, p1s, zero2, d2s);
    const Shape p2s = ref::points_output_shape(p1s, d2s);
    ASSERT_FALSE(p2.empty());
    ASSERT_EQ(p2s, (Shape{2, 2 * 3 * 2 * 3, 6, 7}));
    int64_t bad1 = 0, bad2 = 0;
    for (int64_t b = 0; b < 2; b++)
        for (int64_t n = 0; n < 3; n++)
            for (int64_t comp = 0; comp < 2; comp++)
                for (int64_t i = 0; i < 6; i++)
                    for (int64_t j = 0; j < 7; j++) {
                        const float tv = t[(size_t)idx4(ts, b, 2 * n + comp, i, j)];
                        for (int64_t m1 = 0; m1 < 2; m1++) {
                            bad1 += !same_value(p1[(size_t)idx4(p1s, b, 2 * (n * 2 + m1) + comp, i, j)], tv);
                            for (int64_t m2 = 0; m2 < 3; m2++)
                                bad2 += !same_value(
                                    p2[(size_t)idx4(p2s, b, 2 * ((n * 2 + m1) * 3 + m2) + comp, i, j)], tv);
                        }
                    }
    EXPECT_EQ(bad1, 0) << "one layer: elements of p that are not the repeated t";
    EXPECT_EQ(bad2, 0) << "two layers: elements of p that are not the repeated t";
}

// p is linear in d, so <grad_d, delta> = <g, p(t, d + delta) - p(t, d)>.
TEST(PointsProperties, AdjointIdentityInD) {
    for (const PointsCase &c : kPropertyCases) {
        SCOPED_TRACE(c.describe());
        const std::vector<float> t = points_offsets(c, 121), d = random_tensor(numel(c.d_shape()), 122),
                                 g = points_grad(c, 123);
        const std::vector<float> delta0 = random_tensor(numel(c.d_shape()), 124);
        std::vector<float> d2(d.size());
        std::vector<double> delta(d.size());
        for (size_t i = 0; i < d.size(); i++) {
            d2[i] = d[i] + delta0[i];
            delta[i] = (double)d2[i] - (double)d[i];  // the step actually taken
        }
        const std::vector<float> p1 = run_points(t, c.t_shape(), d, c.d_shape());
        const std::vector<float> p2 = run_points(t, c.t_shape(), d2, c.d_shape());
        ASSERT_FALSE(p1.empty() || p2.empty());
        for (GradAccumulation acc : kBothAccumulations) {
            SCOPED_TRACE(halconv::grad_accumulation_name(acc));
            const PointsGrads gr = run_points_backward(t, c.t_shape(), d, c.d_shape(), g, cpu_options(acc));
            ASSERT_FALSE(gr.grad_d.empty());
            double lhs = 0, rhs = 0, scale = 0;
            for (size_t i = 0; i < d.size(); i++) {
                lhs += (double)gr.grad_d[i] * delta[i];
                scale += std::fabs((double)gr.grad_d[i] * delta[i]);
            }
            for (size_t o = 0; o < p1.size(); o++) {
                rhs += (double)g[o] * ((double)p2[o] - (double)p1[o]);
                scale += std::fabs((double)g[o]) * (std::fabs((double)p1[o]) + std::fabs((double)p2[o]));
            }
            EXPECT_NEAR(lhs, rhs, 2e-6 * scale + 1e-9) << "<grad_d, delta> vs <g, p(d + delta) - p(d)>";
        }
    }
}

// The backward pass is linear in grad_p.
TEST(PointsProperties, BackwardIsLinearInGradP) {
    const float alpha = 0.625f;
    for (const PointsCase &c : kPropertyCases) {
        SCOPED_TRACE(c.describe());
        const std::vector<float> t = points_offsets(c, 131), d = points_lower(c, 132);
        const std::vector<float> g1 = points_grad(c, 133), g2 = points_grad(c, 134);
        std::vector<float> g3(g1.size());
        for (size_t i = 0; i < g1.size(); i++) g3[i] = g1[i] + alpha * g2[i];
        const auto r1 = ref::points_collection_backward(t.data(), c.t_shape(), d.data(), c.d_shape(), g1.data());
        const auto r2 = ref::points_collection_backward(t.data(), c.t_shape(), d.data(), c.d_shape(), g2.data());
        const auto r3 = ref::points_collection_backward(t.data(), c.t_shape(), d.data(), c.d_shape(), g3.data());
        for (GradAccumulation acc : kBothAccumulations) {
            SCOPED_TRACE(halconv::grad_accumulation_name(acc));
            const PointsGrads a = run_points_backward(t, c.t_shape(), d, c.d_shape(), g1, cpu_options(acc));
            const PointsGrads b = run_points_backward(t, c.t_shape(), d, c.d_shape(), g2, cpu_options(acc));
            const PointsGrads s = run_points_backward(t, c.t_shape(), d, c.d_shape(), g3, cpu_options(acc));
            ASSERT_FALSE(a.grad_t.empty() || b.grad_t.empty() || s.grad_t.empty());
            auto check = [&](const std::vector<float> &x1, const std::vector<float> &x2, const std::vector<float> &x3,
                             const ref::PointsResult &w1, const ref::PointsResult &w2, const ref::PointsResult &w3,
                             const char *what) {
                int64_t bad = 0;
                for (size_t i = 0; i < x1.size(); i++) {
                    const double lhs = x3[i], rhs = (double)x1[i] + alpha * (double)x2[i];
                    const double tol = 1e-5 * (1.0 + w1.abs_sum[i] + alpha * w2.abs_sum[i] + w3.abs_sum[i]);
                    bad += !(std::fabs(lhs - rhs) <= tol);
                }
                EXPECT_EQ(bad, 0) << what << ": elements violate linearity in grad_p";
            };
            check(a.grad_t, b.grad_t, s.grad_t, r1.grad_t, r2.grad_t, r3.grad_t, "grad_t");
            check(a.grad_d, b.grad_d, s.grad_d, r1.grad_d, r2.grad_d, r3.grad_d, "grad_d");
        }
    }
}

// Constant lower offsets (u = U, v = V everywhere) move every sample whose
// four neighbours are in the grid by exactly (U / r_h, V / r_w), and the
// interpolation's slope there is 0: grad_t is the +t term only.
TEST(PointsProperties, ConstantLowerOffsetsTranslate) {
    const PointsCase c = points("constant_d", 1, 2, 2, 8, 10, 4, 5).std_px(1.0);
    const std::vector<float> t = points_offsets(c, 141), g = points_grad(c, 142);
    std::vector<float> d((size_t)numel(c.d_shape()));
    const float U[2] = {0.75f, -0.5f}, V[2] = {-1.25f, 0.25f};
    for (int64_t m = 0; m < c.M; m++)
        for (int64_t i = 0; i < c.h * c.w; i++) {
            d[(size_t)((2 * m) * c.h * c.w + i)] = U[m];
            d[(size_t)((2 * m + 1) * c.h * c.w + i)] = V[m];
        }
    const double rh = (double)c.h / c.H, rw = (double)c.w / c.W;
    const std::vector<float> p = run_points(t, c.t_shape(), d, c.d_shape());
    const PointsGrads gr = run_points_backward(t, c.t_shape(), d, c.d_shape(), g);
    ASSERT_FALSE(p.empty() || gr.grad_t.empty());
    int64_t inside = 0, bad_p = 0, bad_g = 0;
    for (int64_t n = 0; n < c.N; n++)
        for (int64_t i = 0; i < c.H; i++)
            for (int64_t j = 0; j < c.W; j++) {
                const size_t iy = (size_t)idx4(c.t_shape(), 0, 2 * n, i, j), ix = (size_t)idx4(c.t_shape(), 0, 2 * n + 1, i, j);
                const ref::PointsSample s = ref::points_sample(t[iy], t[ix], i, j, c.dims());
                if (s.rows.count != 2 || s.cols.count != 2) continue;
                inside++;
                double gy = 0, gx = 0;
                for (int64_t m = 0; m < c.M; m++) {
                    const size_t oy = (size_t)idx4(c.p_shape(), 0, 2 * (n * c.M + m), i, j);
                    const size_t ox = (size_t)idx4(c.p_shape(), 0, 2 * (n * c.M + m) + 1, i, j);
                    bad_p += !(std::fabs(p[oy] - (U[m] / rh + t[iy])) <= 1e-5 * (1 + std::fabs(t[iy]) + 4));
                    bad_p += !(std::fabs(p[ox] - (V[m] / rw + t[ix])) <= 1e-5 * (1 + std::fabs(t[ix]) + 4));
                    gy += g[oy];
                    gx += g[ox];
                }
                bad_g += !(std::fabs(gr.grad_t[iy] - gy) <= 1e-5 * (1 + 4 * c.M));
                bad_g += !(std::fabs(gr.grad_t[ix] - gx) <= 1e-5 * (1 + 4 * c.M));
            }
    EXPECT_GT(inside, 20);
    EXPECT_EQ(bad_p, 0) << "p of inner samples is not t + (U / r_h, V / r_w)";
    EXPECT_EQ(bad_g, 0) << "grad_t of inner samples is not the +t term only";
}

}  // namespace
}  // namespace halconv_test
