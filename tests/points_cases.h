// Points collection: the sweep cases, their deterministic data, the
// comparison against the reference (reference_points.h) and the checks the
// CPU and OpenCL sweeps share.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "pool_cases.h"
#include "reference_points.h"
#include "test_util.h"

namespace halconv_test {

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------
// Target offsets t.
enum class OffsetData {
    // Gaussian offsets of std `spread` px, then moved (by a few 1e-3 px) so
    // that no sample position lies within kKinkMargin of an integer of the
    // lower grid: the kernel's kinks, where float and double positions could
    // land on different sides and the gradient jumps.
    Gaussian,
    // Each component, with probability 1/2, puts its sample exactly on a
    // lower-grid integer (position k in [-2, size + 1] near the pixel's own
    // position, so boundaries -1, 0, size - 1 and size included); the others
    // are Gaussian as above. Needs power-of-two ratios (exact in float).
    Integer,
    // Gaussian, with about 1/6 of the components replaced by NaN, +-Inf,
    // +-1e30 or +-3e38 (huge finite: still no sample, no overflow).
    NonFinite,
    // Every sample is wholly outside the lower grid on its rows, its
    // columns or both (|a - p| >= 1 for every p), some by exactly 1.
    Outside,
};

// Lower-layer offsets d.
enum class LowerData {
    Uniform,    // uniform in [-1, 1)
    NonFinite,  // uniform with about 6% NaN, 3% +Inf and 3% -Inf
};

constexpr double kKinkMargin = 1e-3;  // lower-grid units

const char *offset_data_name(OffsetData d);
const char *lower_data_name(LowerData d);

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
struct PointsCase {
    std::string label;
    int64_t B = 1, N = 1, M = 1, H = 1, W = 1, h = 1, w = 1;
    OffsetData t_data = OffsetData::Gaussian;
    double spread = 1.0;  // std of the offsets, image pixels
    LowerData d_data = LowerData::Uniform;

    PointsCase &std_px(double s) { spread = s; return *this; }
    PointsCase &with(OffsetData kind) { t_data = kind; return *this; }
    PointsCase &lower(LowerData kind) { d_data = kind; return *this; }

    Shape t_shape() const { return {B, 2 * N, H, W}; }
    Shape d_shape() const { return {B, 2 * M, h, w}; }
    Shape p_shape() const { return {B, 2 * N * M, H, W}; }
    ref::PointsDims dims() const;
    halconv::PointsCollectionOptions options(Device device,
                                             halconv::GradAccumulation acc = halconv::GradAccumulation::Deterministic) const;
    std::string describe() const;
    std::string name() const;  // label + compact parameters, a valid gtest name
};

// points(label, B, N, M, H, W, h, w): chain .std_px() .with() .lower().
inline PointsCase points(std::string label, int64_t B, int64_t N, int64_t M, int64_t H, int64_t W, int64_t h,
                         int64_t w) {
    PointsCase c;
    c.label = std::move(label);
    c.B = B, c.N = N, c.M = M, c.H = H, c.W = W, c.h = h, c.w = w;
    return c;
}

void PrintTo(const PointsCase &c, std::ostream *os);

// The sweep (the OpenCL sweep runs the same list).
std::vector<PointsCase> points_cases();
// Every case is valid (shapes, power-of-two ratios for Integer data) and
// has a unique name.
::testing::AssertionResult points_cases_valid(const std::vector<PointsCase> &cases);
// The edge cases of the specification no case of `cases` has; empty when
// all are covered.
std::vector<std::string> points_coverage_missing(const std::vector<PointsCase> &cases);

// Deterministic data of a case.
std::vector<float> points_offsets(const PointsCase &c, uint32_t seed);  // t
std::vector<float> points_lower(const PointsCase &c, uint32_t seed);    // d
std::vector<float> points_grad(const PointsCase &c, uint32_t seed);     // g, uniform in [-1, 1)

// Gaussian offsets for `shape` (any [B, 2N, H, W]) whose sample positions
// keep at least `margin` (lower-grid units) from every integer.
std::vector<float> points_offsets_away_from_kinks(const Shape &t_shape, const Shape &d_shape, double spread,
                                                  double margin, uint32_t seed);
// Distance of a position to the nearest integer.
double kink_distance(double position);

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
struct PointsTolerance {
    double rel = 1e-5;            // times (1 + abs_sum)
    double position = 8.0 / 16777216.0;  // times position_bound (8 float ulps of the positions)
};

// NaN must match NaN and +-Inf must match exactly; finite values within
// rel * (1 + abs_sum) + position * position_bound. The message gives the
// count, the first and the worst element (NCHW position, got, expected).
::testing::AssertionResult points_values_match(const std::vector<float> &got, const ref::PointsResult &want,
                                               PointsTolerance tol = {});
// Bitwise equality (NaN payloads aside: NaN matches NaN).
::testing::AssertionResult points_bits_equal(const std::vector<float> &a, const std::vector<float> &b,
                                             const Shape &shape);

// ---------------------------------------------------------------------------
// Checks run by the sweeps
// ---------------------------------------------------------------------------
// Forward on `device`: points_collection_output_shape, both overloads, every
// element against the reference, p == t exactly for samples that take
// nothing from d, guard zones, inputs unmodified.
void check_points_forward_case(const PointsCase &c, Device device);
// Backward on `device` with `acc`: grad_t and grad_d against the reference,
// guard zones, inputs unmodified; Deterministic: a second run gives the
// same bits.
void check_points_backward_case(const PointsCase &c, Device device, halconv::GradAccumulation acc);

// ---------------------------------------------------------------------------
// Library calls returning fresh outputs. A halconv::Error is reported with
// ADD_FAILURE and gives an empty result.
// ---------------------------------------------------------------------------
std::vector<float> run_points(const std::vector<float> &t, const Shape &t_shape, const std::vector<float> &d,
                              const Shape &d_shape, const halconv::PointsCollectionOptions &opt = {});
struct PointsGrads {
    std::vector<float> grad_t, grad_d;
};
PointsGrads run_points_backward(const std::vector<float> &t, const Shape &t_shape, const std::vector<float> &d,
                                const Shape &d_shape, const std::vector<float> &g,
                                const halconv::PointsCollectionOptions &opt = {});

}  // namespace halconv_test
