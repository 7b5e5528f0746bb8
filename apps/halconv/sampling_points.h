// The effective sampling points of stacked 3x3 deformable layers (the
// sampling-location figures of Dai et al. 2017, "Deformable Convolutional
// Networks", Fig. 5-6), computed with halconv::points_collection and drawn
// over an image: `halconv sampling-points` and the demo's figure.
//
// The stack. Layers are numbered from the top, l = 1..L. Layer l is a 3x3
// (dilated) convolution with step s_l pixels: tap m = 3*ky + kx (ky, kx in
// 0..2, torchvision's deform_conv2d order) sits at the regular offset
// g_m = ((ky-1) s_l, (kx-1) s_l) (rows, columns), moved by the layer's
// deformable offset D_l,m(q) at position q. Steps grow upwards by the
// growth factor G: s_l = D * G^(L-l) (D = the bottom layer's step). Every
// layer works at the image's resolution (as the three deformable layers of
// the paper's network share one feature resolution), so offsets are in image
// pixels throughout.
//
// A pixel q of the top layer samples the 9 points q + g_m + D_1,m(q) (depth
// 1). Each of them, q', is a unit of layer 2, which samples its own 9 points
// q' + g_m + D_2,m(q') with D_2 bilinearly interpolated at q' (depth 2: 81
// points), and so on: 9^d points at depth d, 9^L through the whole stack.
// That is exactly points collection with t = the points so far (N = 9^(d-1)
// per pixel) and d = layer d's offsets g_m + D_d,m (M = 9).
//
// Memory. t's spatial position matters (the spec samples d at (i + y, j + x)
// for t at pixel (i, j)), so full-image tensors would hold 2 * 9^(L-1)
// floats at every pixel (1.5 GB for L = 4 on 512x512 as t alone) when only a
// few pixels are drawn. Instead, per chosen pixel, each lower layer's offsets
// are evaluated on a window of S x S positions centred on it that holds
// every point the layers above can reach (S a power of two, at least twice
// the reach plus the bilinear neighbours; the reach bound comes from the
// field's maximum displacement), and t is a 1x1 target: t [K, 2N, 1, 1]
// with K = the chosen pixels as the batch, d [K, 18, S, S]. Then the spec's
// ratio is r = S / 1, and a point y pixels from the chosen pixel is stored
// as (y + S/2) / S, which points collection maps to window position
// a = y + S/2 and returns as (y + u + S/2) / S: exactly the full-image
// result (the window never clips a sample) in O(K * (9^L + 18 S^2)) floats.
// With S a power of two the scaling is exact, so the regular stack's points
// are the integer grid bit for bit. One points-collection call is limited
// to kMaxCallBytes; the chosen pixels are split into batches under it, and
// a stack whose window for a single pixel exceeds it is refused.
#pragma once

#include <halconv/halconv.h>

#include "png_io.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace halconv_cli {

enum class OffsetField { Gradient, Zoom, Rotate, Swirl };
const char *offset_field_name(OffsetField f);
// "gradient", "zoom", "rotate" or "swirl"; throws ArgError otherwise.
OffsetField parse_offset_field_arg(const std::string &text);

constexpr int kMaxSamplingLayers = 4;
constexpr int kMaxSamplingPixels = 8;
constexpr int kMaxSamplingDilation = 256;
constexpr int kMaxSamplingGrowth = 4;
constexpr double kMaxSamplingStrength = 2.0;
// The tensors of one points-collection call (t, d window, p) at most.
constexpr int64_t kMaxCallBytes = int64_t(256) << 20;
// Rotate: degrees per unit of strength; swirl: at the image centre.
constexpr double kRotateDegrees = 30.0, kSwirlDegrees = 90.0;

struct SamplingPointsOptions {
    int layers = 3;
    int dilation = 0;  // the bottom layer's step in pixels; 0: automatic
    int growth = 3;
    OffsetField field = OffsetField::Gradient;
    double strength = 1.0;
    std::vector<std::array<int, 2>> pixels;  // (x, y); empty: the default three
    halconv::Device device = halconv::Device::CPU;
};

// "x,y;x,y..." -> pixels; throws ArgError naming --points.
std::vector<std::array<int, 2>> parse_points_arg(const std::string &text);

// Everything resolved for one image.
struct SamplingPlan {
    int width = 0, height = 0;
    int layers = 0, growth = 1, dilation = 1;
    bool auto_dilation = false;
    OffsetField field = OffsetField::Gradient;
    double strength = 0;
    halconv::Device device = halconv::Device::CPU;
    std::vector<std::array<int, 2>> pixels;  // (x, y)
    std::vector<int> steps;                  // s_l, top layer first
    std::vector<double> max_shift;           // bound on |D_l| in pixels, top first
    // Window side S of layer l (index l-1; 0 for the top layer, which is
    // evaluated at the pixel itself), for the regular and deformable stacks.
    std::vector<int> window_regular, window_deformable;
    // Chosen pixels per points-collection call (layer l, index l-1).
    std::vector<int> batch_regular, batch_deformable;
    int64_t largest_call_bytes = 0;

    int points(int depth) const;  // 9^depth
};

// Resolves the options for a W x H image: default pixels and dilation,
// steps, displacement bounds, windows and batches. Throws ArgError for a
// pixel outside the image or a stack beyond the memory bound (the message
// says how far it reaches, what it would need and what to lower).
SamplingPlan plan_sampling_points(const SamplingPointsOptions &options, int width, int height);

// The deformable offsets of every layer, evaluated anywhere in the plane
// (beyond the image: the analytic fields continue, the gradient field is 0).
class OffsetFields {
public:
    // gradient: builds the edge-energy centroid maps from the image's
    // luminance (halconv filters, on the CPU).
    OffsetFields(const SamplingPlan &plan, const pngio::Image &image);
    // D_l,m at image position (y, x) (rows, columns; need not be integers),
    // for the 9 taps of layer `layer` (0 = top): out[2m] rows, out[2m+1]
    // columns.
    void at(int layer, double y, double x, float out[18]) const;

private:
    const SamplingPlan *plan_;
    // gradient: per layer, the centroid displacement (rows, columns, in
    // pixels) of the edge energy around each f x f block of the image.
    struct ShiftMap {
        int f = 1, w = 0, h = 0;
        std::vector<float> y, x;
    };
    std::vector<ShiftMap> maps_;
    double cy_ = 0, cx_ = 0, bump_sigma_ = 1;
};

// One stack's points for every chosen pixel: points[d-1][k] holds
// 2 * 9^d floats, the offsets (rows, columns) from pixel k of its 9^d
// points at depth d, n-major as points collection orders them (point n at
// depth d = sum_j m_j 9^(d-j), m_j the tap taken at layer j).
struct SamplingStack {
    std::vector<std::vector<std::vector<float>>> points;
};

struct CollectStats {
    double library_ms = 0;  // time inside points_collection
    int calls = 0;
};

// The regular stack (fields == nullptr: zero offsets) or the deformable one.
SamplingStack collect_sampling_points(const SamplingPlan &plan, const OffsetFields *fields, CollectStats *stats);

// Largest |a - b| over the points of two stacks of the same plan.
double max_points_diff(const SamplingStack &a, const SamplingStack &b);
// Largest distance of the regular stack's points from the closed form
// sum_j g_{m_j} (0 when exact).
double regular_grid_error(const SamplingPlan &plan, const SamplingStack &regular);

// The figure: two panels of the (gray, dimmed) image, regular stack left and
// deformable right; per chosen pixel (one colour each) the 9^L points as
// dots, the intermediate depths' points as larger, lighter rings, the pixel
// as a ringed disc; title, panel labels and legend in the built-in font.
// 8-bit RGB, sampling_figure_size() large.
pngio::Image render_sampling_points(const pngio::Image &image, const SamplingPlan &plan,
                                    const SamplingStack &regular, const SamplingStack &deformable);
// Zoom Z (1 when the longer side is at least 256 px, else the integer that
// brings it there, at most 16) and the figure's size:
// (2 Z W + 24) x (Z H + 4 (8 T + 6) + 16), T = 2 when Z W >= 480 else 1.
int sampling_figure_zoom(int width, int height);
std::array<int, 2> sampling_figure_size(int width, int height);

// Every depth of both stacks as CSV (header line first):
// stack,pixel,px,py,depth,point,dx,dy
std::string sampling_points_csv(const SamplingPlan &plan, const SamplingStack &regular,
                                const SamplingStack &deformable);

// A text file written to a temporary file in the target's directory and
// renamed into place by commit(); removed if never committed (so a failure
// between writing it and writing the PNG leaves neither). Throws
// std::runtime_error naming the file.
class StagedTextFile {
public:
    StagedTextFile(const std::string &path, const std::string &text);
    StagedTextFile(const StagedTextFile &) = delete;
    StagedTextFile &operator=(const StagedTextFile &) = delete;
    ~StagedTextFile();
    void commit();

private:
    std::string path_, tmp_;
};

// "45, 15, 5"
std::string join_ints(const std::vector<int> &v, const char *sep = ", ");
// A one-line description of the field, e.g. "gradient (taps pulled toward
// nearby edges), strength 1".
std::string describe_field(const SamplingPlan &plan);

// Per chosen pixel and stack: RMS distance of the final points from the
// pixel, and how many of them fall outside the image.
struct SpreadStats {
    double rms = 0;
    int outside = 0;
};
SpreadStats spread(const SamplingPlan &plan, const SamplingStack &stack, size_t pixel);

}  // namespace halconv_cli
