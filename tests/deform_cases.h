// Deformable convolution (include/halconv/deform.h): the sweep cases, their
// deterministic data, the comparison against the double-precision reference
// (reference_deform.h) and the checks the CPU and OpenCL sweeps share
// (tests/test_deform_conv2d.cpp is compiled once per device).
//
// Tolerances. The reference gives, per element, abs_sum (the sum of |terms|)
// and position_bound (how much the element moves per unit of relative error
// of the sampling positions). A float evaluation of a sum of n terms, each a
// product of a few rounded factors, in any order, is within about
// (n + 16) * 2^-24 * abs_sum of the exact value (gamma_n of recursive
// summation plus the roundings inside each term: the bilinear weights, the
// mask and weight products). The sampling positions base + offset are one
// float rounding away from the exact ones (relative error 2^-24; 8 ulps are
// allowed). So an element passes when
//     |got - ref| <= max(2e-6, (n + 16) 2^-24) * abs_sum + 8 * 2^-24 * position_bound
// with n the number of terms of that quantity (deform_terms()). A bug (a
// missing or wrong tap, a wrong corner, a wrong kink convention) moves an
// element by a whole term, far more than this. The position term is only
// valid while a perturbed position stays in its cell: Gaussian offsets keep
// every position kDeformKinkMargin away from integers, Integer offsets put
// positions exactly on integers (exact in float).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "pool_cases.h"
#include "reference_deform.h"
#include "test_util.h"

namespace halconv_test {

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------
enum class DeformOffsets {
    // Gaussian offsets of std `spread` px, moved (by a few 1e-3 px) so that
    // no sampling position lies within kDeformKinkMargin of an integer.
    Gaussian,
    // Gaussian rounded to integers: every position is an integer (exact in
    // float), the kinks of the bilinear kernel and the borders -1, 0, H-1,
    // H of torchvision's conventions included.
    Integer,
    // Gaussian with about 1/6 of the components replaced by NaN, +-Inf,
    // +-1e30 or +-3e38 (sample 0, derivative 0).
    NonFinite,
    // All zero (the regular grid: exactly conv2d).
    Zero,
};

enum class DeformMask {
    Uniform,  // uniform in [-0.25, 1.25) (signs and values above 1 included)
    WithNaN,  // uniform with about 3% NaN (NaN propagates by IEEE arithmetic)
};

constexpr double kDeformKinkMargin = 1e-3;  // pixels

const char *deform_offsets_name(DeformOffsets d);

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
struct DeformCase {
    std::string label;
    DeformConv2dSpec spec;
    DeformOffsets offsets = DeformOffsets::Gaussian;
    double spread = 1.0;  // std of the offsets, pixels
    DeformMask mask_data = DeformMask::Uniform;

    DeformCase &s(int h, int w) { spec.stride = {h, w}; return *this; }
    DeformCase &s(int v) { return s(v, v); }
    DeformCase &p(int h, int w) { spec.padding = {h, w}; return *this; }
    DeformCase &p(int v) { return p(v, v); }
    DeformCase &d(int h, int w) { spec.dilation = {h, w}; return *this; }
    DeformCase &d(int v) { return d(v, v); }
    DeformCase &g(int v) { spec.groups = v; return *this; }
    DeformCase &og(int v) { spec.offset_groups = v; return *this; }
    DeformCase &masked() { spec.has_mask = true; return *this; }
    DeformCase &nan_mask() { spec.has_mask = true; mask_data = DeformMask::WithNaN; return *this; }
    DeformCase &with_bias() { spec.has_bias = true; return *this; }
    DeformCase &std_px(double v) { spread = v; return *this; }
    DeformCase &with(DeformOffsets kind) { offsets = kind; return *this; }

    halconv::DeformConv2dOptions options(Device device,
                                         halconv::GradAccumulation acc = halconv::GradAccumulation::Deterministic) const;
    std::string describe() const;
    std::string name() const;  // label + compact parameters, a valid gtest name
};

// deform(label, N, C, H, W, K, R, S): chain .s() .p() .d() .g() .og()
// .masked() .nan_mask() .with_bias() .std_px() .with().
DeformCase deform(std::string label, int64_t N, int64_t C, int64_t H, int64_t W, int64_t K, int64_t R, int64_t S);

void PrintTo(const DeformCase &c, std::ostream *os);

// The sweep (the OpenCL executable runs the same list).
std::vector<DeformCase> deform_cases();
// Every case is valid and has a unique name.
::testing::AssertionResult deform_cases_valid(const std::vector<DeformCase> &cases);
// The features of the test plan no case of `cases` has; empty when all are covered.
std::vector<std::string> deform_coverage_missing(const std::vector<DeformCase> &cases);

// halconv's options for a spec.
halconv::DeformConv2dOptions deform_options(const DeformConv2dSpec &s, Device device,
                                            halconv::GradAccumulation acc = halconv::GradAccumulation::Deterministic);

// The float tensors of one problem (bias / mask empty unless the spec has
// them) and grad_output.
struct DeformTensors {
    std::vector<float> input, offset, weight, bias, mask, grad_output;
    DeformConv2dData data() const;  // widened for the reference (grad_output excluded)
};

// Offsets for `spec` of the given kind: Gaussian positions keep `margin`
// pixels from every integer.
std::vector<float> deform_offsets(const DeformConv2dSpec &spec, DeformOffsets kind, double spread, double margin,
                                  uint32_t seed);
// Everything for `spec`: input, weight, bias, grad_output uniform in [-1, 1),
// the offsets as above, the mask as `mask_data`.
DeformTensors deform_tensors(const DeformConv2dSpec &spec, DeformOffsets kind, double spread, double margin,
                             DeformMask mask_data, uint32_t seed);
DeformTensors deform_tensors(const DeformCase &c, uint32_t seed);

// Distance of a position to the nearest integer.
double deform_kink_distance(double position);

// The reference on float tensors. With a NaN in the mask the reference's
// bounds are NaN wherever that mask value's sample could reach, a little
// beyond where its value reaches (grad_input's position_bound covers the 4x4
// grid points around a sample, its NaN value only the 2x2 corners): finite
// expected values with NaN bounds get the bounds of the same data with every
// NaN mask value replaced by 1.25 (the largest |mask| of the data).
DeformResult deform_forward_reference(const DeformConv2dSpec &s, const DeformTensors &t);
DeformConv2dGrads deform_backward_reference(const DeformConv2dSpec &s, const DeformTensors &t,
                                            const std::vector<float> &grad_output);

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
// Number of terms summed per element of each quantity (see the top of the file).
struct DeformTerms {
    int64_t output, input, offset, mask, weight, bias;
};
DeformTerms deform_terms(const DeformConv2dSpec &s);

struct DeformTolerance {
    double rel = 2e-6;                    // times abs_sum
    double position = 8.0 / 16777216.0;  // times position_bound (8 float ulps of the positions)
};
// max(2e-6, (terms + 16) 2^-24).
DeformTolerance deform_tolerance(int64_t terms);

// NaN must match NaN and +-Inf must match exactly; finite values within
// tol.rel * abs_sum + tol.position * position_bound. The message gives the
// number of bad elements, the first and the worst with their positions.
::testing::AssertionResult deform_values_match(const std::vector<float> &got, const DeformResult &want,
                                               DeformTolerance tol, const char *channel = "c");
// Bitwise equality (NaN payloads aside).
::testing::AssertionResult deform_bits_equal(const std::vector<float> &a, const std::vector<float> &b,
                                             const Shape &shape);

// ---------------------------------------------------------------------------
// Checks run by the sweeps
// ---------------------------------------------------------------------------
// Forward on `device`: deform_conv2d_output_shape, the in-place call (every
// element against the reference, guard zones), the allocating overload
// (same bits), inputs unmodified.
void check_deform_forward_case(const DeformCase &c, Device device);
// Backward on `device` with `acc`: all gradients (grads.bias when the case
// has a bias, grads.mask when it has a mask) against the reference, guard
// zones, inputs unmodified; Deterministic: a second run gives the same bits.
void check_deform_backward_case(const DeformCase &c, Device device, halconv::GradAccumulation acc);

// ---------------------------------------------------------------------------
// Library calls returning fresh outputs. A halconv::Error (or any other
// exception) is reported with ADD_FAILURE and gives an empty result.
// ---------------------------------------------------------------------------
std::vector<float> run_deform(const DeformConv2dSpec &s, const DeformTensors &t,
                              const halconv::DeformConv2dOptions &opt);
struct DeformGradTensors {
    std::vector<float> input, offset, weight, bias, mask;  // bias only when requested, mask only with a mask
};
// grad_output of spec.output_shape(); grads.bias is requested when want_bias.
DeformGradTensors run_deform_backward(const DeformConv2dSpec &s, const DeformTensors &t,
                                      const std::vector<float> &grad_output, const halconv::DeformConv2dOptions &opt,
                                      bool want_bias);

}  // namespace halconv_test
