// Points collection: the hand-written backward of generators/points_collection.h
// against Halide's own automatic differentiation of the forward algorithm.
//
// The forward algorithm is JIT-compiled from the same header the AOT
// generators use, Halide::propagate_adjoints derives its backward, and that
// is compared with
//   * the header's hand-written backward (JIT, deterministic strips of
//     several heights and the atomic formulation), and
//   * the library's points_collection_backward (both accumulation options);
// and the JIT forward with the library's forward. The offsets keep 0.05
// (lower-grid units) from every integer position: at the kernel's kinks the
// specification picks a sign convention that autodiff need not follow.
//
// Every pipeline takes its sizes as Params, so each is compiled once and
// realized for every shape. Notes on Halide 14's autodiff (see the header):
// it is wrong through Tuple-valued Funcs and drops gradients through mux(),
// which the algorithm avoids; the output bounds given to propagate_adjoints
// are (min, max) pairs, not (min, extent).
#include "generators/points_collection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "points_cases.h"

namespace halconv_test {
namespace {

struct AdShape {
    int B, N, M, H, W, h, w;
    double spread;
    Shape t() const { return {B, 2 * N, H, W}; }
    Shape d() const { return {B, 2 * M, h, w}; }
    Shape p() const { return {B, 2 * N * M, H, W}; }
    std::string str() const {
        std::ostringstream os;
        os << "B " << B << ", N " << N << ", M " << M << ", image " << H << "x" << W << ", lower " << h << "x" << w
           << ", std " << spread;
        return os.str();
    }
};

const AdShape kShapes[] = {
    {1, 2, 3, 5, 6, 3, 4, 1.0},   // r < 1
    {2, 1, 2, 4, 3, 7, 5, 0.7},   // r > 1, batch 2
    {1, 2, 2, 6, 6, 6, 6, 2.0},   // r = 1, many samples partly outside
    {1, 3, 1, 7, 5, 1, 1, 1.0},   // 1x1 lower grid
    {1, 1, 2, 1, 1, 2, 3, 0.6},   // 1x1 image
    {1, 2, 1, 9, 4, 3, 8, 1.5},   // non-square ratios, odd height
};

// The inputs as ImageParams in the algorithm's layouts (NCHW memory):
// t (x, y, comp, n, b), d (q, p, k, b), g (x, y, k, n, b).
struct Inputs {
    Halide::ImageParam t{Halide::Float(32), 5, "t_in"}, d{Halide::Float(32), 4, "d_in"},
        g{Halide::Float(32), 5, "g_in"};
    Halide::Param<int> H{"H"}, W{"W"}, h{"h"}, w{"w"}, channels{"channels"}, N{"N"}, B{"B"}, strip_rows{"strip_rows"};
    Halide::Var x{"x"}, y{"y"}, c{"c"}, n{"n"}, b{"b"}, q{"q"}, p{"p"};
    Halide::Func tf{"t"}, df{"d"}, gf{"g"};
    Inputs() {
        tf(x, y, c, n, b) = t(x, y, c, n, b);
        df(q, p, c, b) = d(q, p, c, b);
        gf(x, y, c, n, b) = g(x, y, c, n, b);
    }
    void set(const AdShape &s, std::vector<float> &tv, std::vector<float> &dv, std::vector<float> &gv) {
        t.set(Halide::Buffer<float>(tv.data(), {s.W, s.H, 2, s.N, s.B}));
        d.set(Halide::Buffer<float>(dv.data(), {s.w, s.h, 2 * s.M, s.B}));
        g.set(Halide::Buffer<float>(gv.data(), {s.W, s.H, 2 * s.M, s.N, s.B}));
        H.set(s.H), W.set(s.W), h.set(s.h), w.set(s.w), channels.set(2 * s.M), N.set(s.N), B.set(s.B);
    }
};

struct Gradients {
    std::vector<float> grad_t, grad_d;
};

Gradients realize_gradients(Halide::Pipeline &pipeline, const AdShape &s) {
    Gradients out;
    out.grad_t.assign((size_t)numel(s.t()), std::nanf(""));
    out.grad_d.assign((size_t)numel(s.d()), std::nanf(""));
    Halide::Buffer<float> gt(out.grad_t.data(), {s.W, s.H, 2, s.N, s.B});
    Halide::Buffer<float> gd(out.grad_d.data(), {s.w, s.h, 2 * s.M, s.B});
    pipeline.realize({gt, gd});
    return out;
}

// a and b agree within the reference's scale of each element.
::testing::AssertionResult agree(const std::vector<float> &a, const std::vector<float> &b,
                                 const ref::PointsResult &scale) {
    if (a.size() != b.size() || a.size() != scale.value.size())
        return ::testing::AssertionFailure() << "size mismatch";
    int64_t bad = 0;
    std::string first;
    for (size_t i = 0; i < a.size(); i++) {
        const double tol = 1e-5 * (1.0 + scale.abs_sum[i]) + 1e-6 * scale.position_bound[i];
        if (!(std::fabs((double)a[i] - (double)b[i]) <= tol) && bad++ == 0) {
            std::ostringstream os;
            os << "element " << i << ": " << a[i] << " vs " << b[i] << " (reference " << scale.value[i]
               << ", tolerance " << tol << ")";
            first = os.str();
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << a.size() << " elements differ; first " << first;
}

struct ShapeData {
    std::vector<float> t, d, g;
};

ShapeData shape_data(const AdShape &s, uint32_t seed) {
    ShapeData data;
    data.t = points_offsets_away_from_kinks(s.t(), s.d(), s.spread, 0.05, seed);
    data.d = random_tensor(numel(s.d()), seed + 1);
    data.g = random_tensor(numel(s.p()), seed + 2);
    return data;
}

TEST(PointsAutodiff, BackwardMatchesPropagateAdjoints) {
    Inputs in;
    // Halide's autodiff of the forward algorithm.
    halconv::PointsCollectionAlgorithm forward;
    halconv::define_points_collection(forward, in.tf, in.df, in.H, in.W, in.channels, in.h, in.w);
    const Halide::Derivative adjoints =
        Halide::propagate_adjoints(forward.output, in.gf,
                                   {{0, in.W - 1}, {0, in.H - 1}, {0, in.channels - 1}, {0, in.N - 1}, {0, in.B - 1}});
    Halide::Pipeline autodiff({adjoints(in.tf), adjoints(in.df)});
    autodiff.compile_jit();
    // The hand-written backward, both formulations.
    halconv::PointsCollectionAlgorithm det, atomic;
    halconv::define_points_collection_backward(det, in.tf, in.df, in.gf, in.H, in.W, in.channels, in.h, in.w, in.N,
                                               true, in.strip_rows);
    halconv::define_points_collection_backward(atomic, in.tf, in.df, in.gf, in.H, in.W, in.channels, in.h, in.w,
                                               in.N, false, in.strip_rows);
    Halide::Pipeline hand_det({det.grad_t, det.grad_d}), hand_atomic({atomic.grad_t, atomic.grad_d});
    hand_det.compile_jit();
    hand_atomic.compile_jit();

    uint32_t seed = 1000;
    for (const AdShape &s : kShapes) {
        SCOPED_TRACE(s.str());
        ShapeData data = shape_data(s, seed += 10);
        const ref::PointsGradients want =
            ref::points_collection_backward(data.t.data(), s.t(), data.d.data(), s.d(), data.g.data());
        in.set(s, data.t, data.d, data.g);
        in.strip_rows.set(1);
        const Gradients ad = realize_gradients(autodiff, s);
        // Autodiff itself against the reference (so that a wrong autodiff
        // cannot make the comparisons below vacuous).
        EXPECT_TRUE(points_values_match(ad.grad_t, want.grad_t)) << "propagate_adjoints grad_t vs the reference";
        EXPECT_TRUE(points_values_match(ad.grad_d, want.grad_d)) << "propagate_adjoints grad_d vs the reference";
        for (int strip_rows : {1, 2, 3, s.H}) {
            SCOPED_TRACE("hand-written deterministic, strip_rows " + std::to_string(strip_rows));
            in.strip_rows.set(strip_rows);
            const Gradients hd = realize_gradients(hand_det, s);
            EXPECT_TRUE(agree(hd.grad_t, ad.grad_t, want.grad_t)) << "grad_t";
            EXPECT_TRUE(agree(hd.grad_d, ad.grad_d, want.grad_d)) << "grad_d";
        }
        {
            SCOPED_TRACE("hand-written atomic");
            const Gradients ha = realize_gradients(hand_atomic, s);
            EXPECT_TRUE(agree(ha.grad_t, ad.grad_t, want.grad_t)) << "grad_t";
            EXPECT_TRUE(agree(ha.grad_d, ad.grad_d, want.grad_d)) << "grad_d";
        }
        for (halconv::GradAccumulation acc : {halconv::GradAccumulation::Deterministic,
                                              halconv::GradAccumulation::Atomic}) {
            SCOPED_TRACE(std::string("library, ") + halconv::grad_accumulation_name(acc));
            halconv::PointsCollectionOptions opt;
            opt.accumulation = acc;
            const PointsGrads lib = run_points_backward(data.t, s.t(), data.d, s.d(), data.g, opt);
            ASSERT_FALSE(lib.grad_t.empty());
            EXPECT_TRUE(agree(lib.grad_t, ad.grad_t, want.grad_t)) << "grad_t";
            EXPECT_TRUE(agree(lib.grad_d, ad.grad_d, want.grad_d)) << "grad_d";
        }
    }
}

// The JIT forward of the header, the library's forward and the reference
// agree (the library runs the same algorithm under its schedules).
TEST(PointsAutodiff, JitForwardMatchesLibrary) {
    Inputs in;
    halconv::PointsCollectionAlgorithm forward;
    halconv::define_points_collection(forward, in.tf, in.df, in.H, in.W, in.channels, in.h, in.w);
    forward.output.compile_jit();
    uint32_t seed = 2000;
    for (const AdShape &s : kShapes) {
        SCOPED_TRACE(s.str());
        ShapeData data = shape_data(s, seed += 10);
        in.set(s, data.t, data.d, data.g);
        std::vector<float> jit((size_t)numel(s.p()), std::nanf(""));
        Halide::Buffer<float> jit_buffer(jit.data(), {s.W, s.H, 2 * s.M, s.N, s.B});
        forward.output.realize(jit_buffer);
        const ref::PointsResult want = ref::points_collection(data.t.data(), s.t(), data.d.data(), s.d());
        EXPECT_TRUE(points_values_match(jit, want)) << "JIT forward vs the reference";
        const std::vector<float> lib = run_points(data.t, s.t(), data.d, s.d());
        ASSERT_FALSE(lib.empty());
        EXPECT_TRUE(agree(lib, jit, want)) << "library forward vs JIT forward";
    }
}

}  // namespace
}  // namespace halconv_test
