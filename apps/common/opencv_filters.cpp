// The OpenCV peer of halconv's image filters (opencv_filters.h).
//
// Each request goes to the OpenCV 4.6 function a user would call for it:
//   box kernels (all taps equal)        cv::boxFilter (cv::blur when normalized)
//   uint8 Gaussians                     cv::GaussianBlur, once on the whole image
//                                       (bit-exact fixed point, parallel inside)
//   other separable kernels             cv::sepFilter2D
//   dense kernels                       cv::filter2D
//   Sobel / Prewitt magnitude           cv::Sobel / cv::filter2D (CV_16S for uint8),
//                                       then sat(|gx| + |gy|)
// run on `threads` horizontal strips in cv::parallel_for_. A strip is a row
// range (an ROI) of the whole image, so OpenCV's filters read the real
// neighbouring rows beyond it and apply the border only at the image's own
// edges: the strips give the same result as one call.
//
// Exactness: halconv's integer outputs are the exactly rounded (half up),
// saturated value of |response| + offset. Where OpenCV's own rounding or
// fixed-point taps would differ from that, the filter computes the raw
// response in float (integer taps unnormalized, so the sums are exact) and
// a final pass per strip divides, takes |.|, adds the offset, rounds half up
// and saturates. Paths that are exact as they are write the output directly:
// normalized box filters (integer sums over an odd area: no ties), the uint8
// Gaussian (OpenCV's bit-exact fixed point, which is what halconv mimics;
// its taps may be quantized differently: +-1) and the uint8 Sobel/Prewitt
// magnitude without offset (exact in CV_16S).
//
// Borders: zero, clamp, mirror map to BORDER_CONSTANT (0), BORDER_REPLICATE,
// BORDER_REFLECT_101. OpenCV's FilterEngine rejects BORDER_WRAP, so wrap is
// emulated: the input is padded by the kernel radius with
// cv::copyMakeBorder(BORDER_WRAP) (periodic at any distance) and the filter
// runs on the centre ROI of the padded image, reading the padding as real
// neighbours (one extra copy of the image). cv::GaussianBlur handles
// BORDER_WRAP itself and gets it directly.
#include "opencv_filters.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace halconv_peer {
namespace {

using halconv::Border;
using halconv::FilterKernel;
using halconv::FilterOptions;
using halconv::GradientOperator;
using halconv::ImageView;

[[noreturn]] void fail(const std::string &what) { throw std::runtime_error("opencv peer: " + what); }

template<typename T>
constexpr int cv_depth() {
    if constexpr (std::is_same_v<T, uint8_t>) return CV_8U;
    else if constexpr (std::is_same_v<T, uint16_t>) return CV_16U;
    else return CV_32F;
}

template<typename T>
constexpr bool is_integer_sample() {
    return std::is_integral_v<T>;
}

int cv_border(Border b) {
    switch (b) {
    case Border::Zero: return cv::BORDER_CONSTANT;
    case Border::Clamp: return cv::BORDER_REPLICATE;
    case Border::Mirror: return cv::BORDER_REFLECT_101;
    case Border::Wrap: return cv::BORDER_WRAP;
    }
    fail("unknown border mode");
}

template<typename T>
cv::Mat as_mat(const ImageView<T> &v) {
    using U = std::remove_const_t<T>;
    if (v.channels > CV_CN_MAX)
        fail("OpenCV images have at most " + std::to_string(CV_CN_MAX) + " channels, got " +
             std::to_string(v.channels));
    return cv::Mat(v.height, v.width, CV_MAKETYPE(cv_depth<U>(), v.channels), const_cast<U *>(v.data));
}

template<typename T>
void check_images(const ImageView<const T> &in, const ImageView<T> &out) {
    if (!in.data || !out.data) fail("null image data");
    if (in.width < 1 || in.height < 1 || in.channels < 1)
        fail("bad input size " + std::to_string(in.width) + "x" + std::to_string(in.height) + "x" +
             std::to_string(in.channels));
    if (out.width != in.width || out.height != in.height || out.channels != in.channels)
        fail("output " + std::to_string(out.width) + "x" + std::to_string(out.height) + "x" +
             std::to_string(out.channels) + " differs from the input " + std::to_string(in.width) + "x" +
             std::to_string(in.height) + "x" + std::to_string(in.channels));
    const auto *ib = reinterpret_cast<const char *>(in.data);
    const auto *ob = reinterpret_cast<const char *>(out.data);
    const size_t bytes = size_t(in.samples()) * sizeof(T);
    if (ib < ob + bytes && ob < ib + bytes) fail("output overlaps the input");
}

void check_kernel(const FilterKernel &k) {
    if (k.width < 1 || k.height < 1 || k.width % 2 == 0 || k.height % 2 == 0)
        fail("kernel '" + k.name + "': sizes must be odd and positive, got " + std::to_string(k.height) + "x" +
             std::to_string(k.width));
    if (k.taps.size() != size_t(k.width) * size_t(k.height))
        fail("kernel '" + k.name + "': " + std::to_string(k.taps.size()) + " taps for " +
             std::to_string(k.height) + "x" + std::to_string(k.width));
    if (!(k.divisor != 0) || !std::isfinite(k.divisor)) fail("kernel '" + k.name + "': divisor must be non-zero");
    if (k.separable() && (k.column.size() != size_t(k.height) || k.row.size() != size_t(k.width)))
        fail("kernel '" + k.name + "': separable factors do not match its size");
    if (!k.fixed_column.empty() &&
        (k.fixed_column.size() != size_t(k.height) || k.fixed_row.size() != size_t(k.width)))
        fail("kernel '" + k.name + "': fixed-point factors do not match its size");
}

// cv's thread count for the strips (and for GaussianBlur's own parallel
// loop). Changing it re-creates OpenCV's thread pool, so only on change.
void set_threads(int threads) {
    if (cv::getNumThreads() != threads) cv::setNumThreads(threads);
}

// ---------------------------------------------------------------------------
// Strips. `src` is the whole (possibly wrap-padded-then-ROI'd) input, `dst`
// the whole output; op(src_strip, dst_strip) filters one row range.
// ---------------------------------------------------------------------------
using StripOp = std::function<void(const cv::Mat &src, cv::Mat &dst)>;

void run_strips(const cv::Mat &src, cv::Mat &dst, int threads, const StripOp &op) {
    const int n = std::max(1, std::min(threads, src.rows));
    if (n == 1) {
        op(src, dst);
        return;
    }
    cv::parallel_for_(
        cv::Range(0, n),
        [&](const cv::Range &r) {
            for (int i = r.start; i < r.end; i++) {
                const int y0 = int(int64_t(src.rows) * i / n), y1 = int(int64_t(src.rows) * (i + 1) / n);
                const cv::Mat s = src.rowRange(y0, y1);
                cv::Mat d = dst.rowRange(y0, y1);
                op(s, d);
            }
        },
        n);
}

// Input prepared for a border mode: for wrap, the centre ROI of a padded copy
// (the filter reads the padding as real rows/columns) and a border mode that
// OpenCV accepts (never used: the ROI reads stay inside the padding).
struct Prepared {
    cv::Mat padded;  // keeps the padded copy alive
    cv::Mat src;     // what the filter reads
    int border = cv::BORDER_REFLECT_101;
    bool wrap_emulated = false;
};

Prepared prepare(const cv::Mat &in, Border border, int rx, int ry) {
    Prepared p;
    if (border != Border::Wrap) {
        p.src = in;
        p.border = cv_border(border);
        return p;
    }
    cv::copyMakeBorder(in, p.padded, ry, ry, rx, rx, cv::BORDER_WRAP);
    p.src = p.padded(cv::Rect(rx, ry, in.cols, in.rows));
    p.border = cv::BORDER_REPLICATE;
    p.wrap_emulated = true;
    return p;
}

// ---------------------------------------------------------------------------
// Final pass: v = response * mul / div (two responses: |a| + |b|), then |v| if
// absolute, + offset, and for integer outputs round half up and saturate.
// ---------------------------------------------------------------------------
template<typename T>
T finish_value(double v, bool absolute, double offset) {
    if (absolute) v = std::fabs(v);
    v += offset;
    if constexpr (is_integer_sample<T>()) {
        const double r = std::floor(v + 0.5);
        constexpr double hi = double(std::numeric_limits<T>::max());
        if (!(r > 0)) return T(0);  // NaN too
        return r >= hi ? T(hi) : T(r);
    } else {
        return T(v);
    }
}

// mul / div rather than one factor: an exact integer sum divided by the
// divisor is correctly rounded (ties stay ties).
template<typename T, typename A>
void finish_rows(const cv::Mat &a, const cv::Mat *b, double mul, double div, bool absolute, double offset,
                 cv::Mat &dst) {
    const int n = dst.cols * dst.channels();
    for (int y = 0; y < dst.rows; y++) {
        const A *pa = a.ptr<A>(y);
        const A *pb = b ? b->ptr<A>(y) : nullptr;
        T *pd = dst.ptr<T>(y);
        if (pb) {
            for (int i = 0; i < n; i++)
                pd[i] = finish_value<T>(std::fabs(double(pa[i])) + std::fabs(double(pb[i])), false, offset);
        } else {
            for (int i = 0; i < n; i++) pd[i] = finish_value<T>(double(pa[i]) * mul / div, absolute, offset);
        }
    }
}

template<typename T>
void finish(const cv::Mat &a, const cv::Mat *b, double mul, double div, bool absolute, double offset, cv::Mat &dst) {
    switch (a.depth()) {
    case CV_32F: finish_rows<T, float>(a, b, mul, div, absolute, offset, dst); break;
    case CV_64F: finish_rows<T, double>(a, b, mul, div, absolute, offset, dst); break;
    case CV_16S: finish_rows<T, int16_t>(a, b, mul, div, absolute, offset, dst); break;
    case CV_32S: finish_rows<T, int32_t>(a, b, mul, div, absolute, offset, dst); break;
    default: fail("internal: unexpected intermediate depth");
    }
}

// ---------------------------------------------------------------------------
// Kernel classification.
// ---------------------------------------------------------------------------
bool all_integers(const std::vector<float> &v) {
    for (float x : v)
        if (!(std::isfinite(x) && x == std::nearbyint(x))) return false;
    return true;
}

double abs_sum(const std::vector<float> &v) {
    double s = 0;
    for (float x : v) s += std::fabs(double(x));
    return s;
}

// All taps equal and non-zero: a (scaled) box.
bool is_box(const FilterKernel &k) {
    if (k.taps.empty() || k.taps[0] == 0) return false;
    for (float t : k.taps)
        if (t != k.taps[0]) return false;
    return true;
}

bool all_nonnegative(const std::vector<float> &v) {
    for (float x : v)
        if (x < 0) return false;
    return true;
}

// sigma from the name ("gaussian:1.1,5", "gaussian(1.1)", ...): the first
// number after "gaussian"; 0 when there is none.
double sigma_from_name(const std::string &name) {
    std::string lower(name);
    for (char &c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    const size_t at = lower.find("gauss");
    if (at == std::string::npos) return 0;
    const char *p = name.c_str() + at;
    while (*p && !(std::isdigit(static_cast<unsigned char>(*p)) || (*p == '.' && std::isdigit(static_cast<unsigned char>(p[1])))))
        p++;
    if (!*p) return 0;
    char *end = nullptr;
    const double s = std::strtod(p, &end);
    return end != p && std::isfinite(s) && s > 0 ? s : 0;
}

// Whether `f` (normalized) is OpenCV's sampled Gaussian of this size and sigma.
bool matches_gaussian(const std::vector<float> &f, double sigma) {
    if (!(sigma > 0)) return false;
    double sum = 0;
    for (float x : f) sum += x;
    if (!(sum > 0)) return false;
    const cv::Mat g = cv::getGaussianKernel(int(f.size()), sigma, CV_64F);
    for (size_t i = 0; i < f.size(); i++)
        if (std::fabs(f[i] / sum - g.at<double>(int(i))) > 1e-5) return false;
    return true;
}

// sigma of a sampled Gaussian factor from the ratio of its two central taps
// (w[c+1] / w[c] = exp(-1 / (2 sigma^2))); 0 when it is not one.
double sigma_from_taps(const std::vector<float> &f) {
    if (f.size() < 3) return 0;
    const size_t c = f.size() / 2;
    if (!(f[c] > 0) || !(f[c + 1] > 0) || !(f[c + 1] < f[c])) return 0;
    const double r = double(f[c + 1]) / double(f[c]);
    return std::sqrt(-1.0 / (2.0 * std::log(r)));
}

// The Gaussian sigma of one factor (name first, then the taps); 0: not one.
double gaussian_sigma(const std::vector<float> &f, const std::string &name) {
    const double from_name = sigma_from_name(name);
    if (matches_gaussian(f, from_name)) return from_name;
    const double from_taps = sigma_from_taps(f);
    if (matches_gaussian(f, from_taps)) return from_taps;
    return 0;
}

cv::Mat as_kernel(const std::vector<float> &v, double scale, int rows, int cols, int depth) {
    cv::Mat k(rows, cols, depth);
    for (int i = 0; i < rows * cols; i++) {
        if (depth == CV_64F) k.at<double>(i) = double(v[size_t(i)]) * scale;
        else k.at<float>(i) = float(double(v[size_t(i)]) * scale);
    }
    return k;
}

std::string strips_text(int threads, int rows, const Prepared &p) {
    const int n = std::max(1, std::min(threads, rows));
    std::string s = n == 1 ? ", 1 call" : ", " + std::to_string(n) + " strips";
    if (p.wrap_emulated) s += ", wrap emulated (copyMakeBorder BORDER_WRAP + ROI)";
    return s;
}

// Largest possible |sample| of the input type (for exactness of float sums).
template<typename T>
double max_sample() {
    if constexpr (is_integer_sample<T>()) return double(std::numeric_limits<T>::max());
    else return 1.0;
}

// ---------------------------------------------------------------------------
// filter2d
// ---------------------------------------------------------------------------
template<typename T>
std::string filter2d_impl(ImageView<const T> input, ImageView<T> output, const FilterKernel &k,
                          const FilterOptions &o, int threads) {
    check_images(input, output);
    check_kernel(k);
    if (threads < 1) fail("threads must be >= 1");
    set_threads(threads);

    const cv::Mat in = as_mat(input);
    cv::Mat out = as_mat(output);
    const int rx = k.width / 2, ry = k.height / 2;
    const double offset = double(o.offset);
    const bool has_post = o.absolute || offset != 0;
    constexpr bool integer_image = is_integer_sample<T>();
    constexpr int depth = cv_depth<T>();
    const cv::Point anchor(-1, -1);

    try {
        // --- uint8 Gaussian: GaussianBlur, one call (parallel inside) --------
        if constexpr (std::is_same_v<T, uint8_t>) {
            if (k.separable() && !k.fixed_column.empty() && all_nonnegative(k.taps) &&
                (offset == std::nearbyint(offset))) {
                const double sx = gaussian_sigma(k.row, k.name), sy = gaussian_sigma(k.column, k.name);
                double colsum = 0, rowsum = 0, tapsum = 0;
                for (float v : k.column) colsum += v;
                for (float v : k.row) rowsum += v;
                for (float v : k.taps) tapsum += v;
                // The kernel must be normalized (weights sum to 1).
                if (sx > 0 && sy > 0 && std::fabs(tapsum / k.divisor - 1.0) < 1e-5) {
                    const cv::Size ksize(k.width, k.height);
                    cv::GaussianBlur(in, out, ksize, sx, sy, cv_border(o.border));
                    if (offset != 0) {
                        // Responses lie in [0, 255]: adding an integer offset
                        // to the rounded value is exact.
                        const int off = int(offset);
                        for (int y = 0; y < out.rows; y++) {
                            uint8_t *p = out.ptr<uint8_t>(y);
                            for (int i = 0; i < out.cols * out.channels(); i++)
                                p[i] = cv::saturate_cast<uint8_t>(int(p[i]) + off);
                        }
                    }
                    std::ostringstream s;
                    s << "cv::GaussianBlur " << k.width << "x" << k.height << " sigma " << sx;
                    if (sy != sx) s << "," << sy;
                    const int nt = cv::getNumThreads();
                    s << " (bit-exact uint8, one call, " << nt << (nt == 1 ? " thread)" : " threads)");
                    return s.str();
                }
            }
        }

        const Prepared p = prepare(in, o.border, rx, ry);
        const std::string strips = strips_text(threads, in.rows, p);

        // Intermediate depth for raw (unnormalized integer-tap) sums: float
        // while they stay exact, else double.
        auto raw_depth = [&](double tap_abs_sum) {
            return tap_abs_sum * max_sample<T>() < 16777216.0 ? CV_32F : CV_64F;
        };

        // --- box ----------------------------------------------------------
        if (is_box(k)) {
            const double area = double(k.width) * k.height;
            const double weight = double(k.taps[0]) / k.divisor;
            const bool normalized = std::fabs(weight * area - 1.0) < 1e-7;
            const cv::Size ksize(k.width, k.height);
            if (normalized && (!integer_image || (!has_post || (offset == std::nearbyint(offset))))) {
                // Integer images: the normalized mean is in range and its
                // rounding exact (odd area: no ties); an integer offset adds
                // exactly; |.| of a non-negative mean is a no-op.
                const int off = int(offset);
                run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                    cv::boxFilter(s, d, depth, ksize, anchor, true, p.border);
                    if (!has_post) return;
                    if constexpr (integer_image) {
                        for (int y = 0; y < d.rows; y++) {
                            T *q = d.ptr<T>(y);
                            for (int i = 0; i < d.cols * d.channels(); i++)
                                q[i] = cv::saturate_cast<T>(int(q[i]) + off);
                        }
                    } else {
                        finish<T>(d, nullptr, 1.0, 1.0, o.absolute, offset, d);
                    }
                });
                return "cv::blur " + std::to_string(k.width) + "x" + std::to_string(k.height) + strips;
            }
            // Raw sums (exact), then scale, |.|, offset, rounding.
            const int rd = raw_depth(area);
            run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                cv::Mat raw;
                cv::boxFilter(s, raw, rd, ksize, anchor, false, p.border);
                finish<T>(raw, nullptr, double(k.taps[0]), k.divisor, o.absolute, offset, d);
            });
            return "cv::boxFilter " + std::to_string(k.width) + "x" + std::to_string(k.height) +
                   " (unnormalized) + final pass" + strips;
        }

        // --- separable ------------------------------------------------------
        if (k.separable()) {
            // uint8 with fixed-point taps (a Gaussian that GaussianBlur could
            // not take, e.g. with a fractional offset): halconv's exact
            // fixed-point semantics, integer taps over 65536.
            if (std::is_same_v<T, uint8_t> && !k.fixed_column.empty()) {
                const cv::Mat kx = as_kernel(k.fixed_row, 1.0, 1, k.width, CV_32F);
                const cv::Mat ky = as_kernel(k.fixed_column, 1.0, k.height, 1, CV_32F);
                const int rd = raw_depth(abs_sum(k.fixed_row) * abs_sum(k.fixed_column));
                run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                    cv::Mat raw;
                    cv::sepFilter2D(s, raw, rd, kx, ky, anchor, 0, p.border);
                    finish<T>(raw, nullptr, 1.0, 65536.0, o.absolute, offset, d);
                });
                return "cv::sepFilter2D (fixed-point taps) + final pass" + strips;
            }
            const bool exact_int = integer_image && k.integer && all_integers(k.row) && all_integers(k.column);
            if (exact_int) {
                const int rd = raw_depth(abs_sum(k.row) * abs_sum(k.column));
                const cv::Mat kx = as_kernel(k.row, 1.0, 1, k.width, rd);
                const cv::Mat ky = as_kernel(k.column, 1.0, k.height, 1, rd);
                run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                    cv::Mat raw;
                    cv::sepFilter2D(s, raw, rd, kx, ky, anchor, 0, p.border);
                    finish<T>(raw, nullptr, 1.0, k.divisor, o.absolute, offset, d);
                });
                return "cv::sepFilter2D (integer taps) + final pass" + strips;
            }
            const cv::Mat kx = as_kernel(k.row, 1.0, 1, k.width, CV_32F);
            const cv::Mat ky = as_kernel(k.column, 1.0 / k.divisor, k.height, 1, CV_32F);
            const double sg = gaussian_sigma(k.row, k.name);
            const std::string what = sg > 0 && gaussian_sigma(k.column, k.name) > 0 ? " (Gaussian factors)" : "";
            if constexpr (!integer_image) {
                run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                    cv::sepFilter2D(s, d, CV_32F, kx, ky, anchor, 0, p.border);
                    if (has_post) finish<T>(d, nullptr, 1.0, 1.0, o.absolute, offset, d);
                });
                return "cv::sepFilter2D" + what + strips;
            } else {
                run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                    cv::Mat resp;
                    cv::sepFilter2D(s, resp, CV_32F, kx, ky, anchor, 0, p.border);
                    finish<T>(resp, nullptr, 1.0, 1.0, o.absolute, offset, d);
                });
                return "cv::sepFilter2D" + what + " -> CV_32F + final pass" + strips;
            }
        }

        // --- dense ------------------------------------------------------------
        if (integer_image && k.integer && all_integers(k.taps)) {
            const int rd = raw_depth(abs_sum(k.taps));
            const cv::Mat kk = as_kernel(k.taps, 1.0, k.height, k.width, rd);
            run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                cv::Mat raw;
                cv::filter2D(s, raw, rd, kk, anchor, 0, p.border);
                finish<T>(raw, nullptr, 1.0, k.divisor, o.absolute, offset, d);
            });
            return "cv::filter2D (integer taps) + final pass" + strips;
        }
        const cv::Mat kk = as_kernel(k.taps, 1.0 / k.divisor, k.height, k.width, CV_32F);
        if constexpr (!integer_image) {
            run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                cv::filter2D(s, d, CV_32F, kk, anchor, 0, p.border);
                if (has_post) finish<T>(d, nullptr, 1.0, 1.0, o.absolute, offset, d);
            });
            return "cv::filter2D" + strips;
        } else {
            run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                cv::Mat resp;
                cv::filter2D(s, resp, CV_32F, kk, anchor, 0, p.border);
                finish<T>(resp, nullptr, 1.0, 1.0, o.absolute, offset, d);
            });
            return "cv::filter2D -> CV_32F + final pass" + strips;
        }
    } catch (const cv::Exception &e) {
        fail("OpenCV failed on kernel '" + k.name + "': " + e.what());
    }
}

// ---------------------------------------------------------------------------
// gradient_magnitude
// ---------------------------------------------------------------------------
template<typename T>
std::string gradient_impl(ImageView<const T> input, ImageView<T> output, GradientOperator op,
                          const FilterOptions &o, int threads) {
    check_images(input, output);
    if (threads < 1) fail("threads must be >= 1");
    if (op != GradientOperator::Sobel && op != GradientOperator::Prewitt) fail("unknown gradient operator");
    set_threads(threads);

    const cv::Mat in = as_mat(input);
    cv::Mat out = as_mat(output);
    const double offset = double(o.offset);
    const bool sobel = op == GradientOperator::Sobel;
    const cv::Point anchor(-1, -1);
    // Prewitt: gx = [-1 0 1] across x, [1 1 1] along y; gy its transpose.
    const cv::Mat px = (cv::Mat_<float>(3, 3) << -1, 0, 1, -1, 0, 1, -1, 0, 1);
    const cv::Mat py = px.t();

    try {
        const Prepared p = prepare(in, o.border, 1, 1);
        const std::string strips = strips_text(threads, in.rows, p);
        const std::string name = sobel ? "cv::Sobel 3x3" : "cv::filter2D (Prewitt)";
        auto gradients = [&](const cv::Mat &s, cv::Mat &gx, cv::Mat &gy, int ddepth) {
            if (sobel) {
                cv::Sobel(s, gx, ddepth, 1, 0, 3, 1, 0, p.border);
                cv::Sobel(s, gy, ddepth, 0, 1, 3, 1, 0, p.border);
            } else {
                cv::filter2D(s, gx, ddepth, px, anchor, 0, p.border);
                cv::filter2D(s, gy, ddepth, py, anchor, 0, p.border);
            }
        };
        if (std::is_same_v<T, uint8_t> && offset == 0) {
            // |gx| <= 4 * 255: exact in CV_16S; convertScaleAbs saturates each
            // to 255 and cv::add saturates the sum, which is sat(|gx| + |gy|).
            run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
                cv::Mat gx, gy, ax, ay;
                gradients(s, gx, gy, CV_16S);
                cv::convertScaleAbs(gx, ax);
                cv::convertScaleAbs(gy, ay);
                cv::add(ax, ay, d);
            });
            return name + " CV_16S + convertScaleAbs + add" + strips;
        }
        run_strips(p.src, out, threads, [&](const cv::Mat &s, cv::Mat &d) {
            cv::Mat gx, gy;
            gradients(s, gx, gy, CV_32F);
            finish<T>(gx, &gy, 1.0, 1.0, true, offset, d);
        });
        return name + " CV_32F + |gx|+|gy| pass" + strips;
    } catch (const cv::Exception &e) {
        fail(std::string("OpenCV failed on the gradient magnitude: ") + e.what());
    }
}

}  // namespace

std::string opencv_filter2d(halconv::ImageView<const uint8_t> input, halconv::ImageView<uint8_t> output,
                            const halconv::FilterKernel &kernel, const halconv::FilterOptions &options,
                            int threads) {
    return filter2d_impl<uint8_t>(input, output, kernel, options, threads);
}
std::string opencv_filter2d(halconv::ImageView<const uint16_t> input, halconv::ImageView<uint16_t> output,
                            const halconv::FilterKernel &kernel, const halconv::FilterOptions &options,
                            int threads) {
    return filter2d_impl<uint16_t>(input, output, kernel, options, threads);
}
std::string opencv_filter2d(halconv::ImageView<const float> input, halconv::ImageView<float> output,
                            const halconv::FilterKernel &kernel, const halconv::FilterOptions &options,
                            int threads) {
    return filter2d_impl<float>(input, output, kernel, options, threads);
}

std::string opencv_gradient_magnitude(halconv::ImageView<const uint8_t> input, halconv::ImageView<uint8_t> output,
                                      halconv::GradientOperator op, const halconv::FilterOptions &options,
                                      int threads) {
    return gradient_impl<uint8_t>(input, output, op, options, threads);
}
std::string opencv_gradient_magnitude(halconv::ImageView<const uint16_t> input,
                                      halconv::ImageView<uint16_t> output, halconv::GradientOperator op,
                                      const halconv::FilterOptions &options, int threads) {
    return gradient_impl<uint16_t>(input, output, op, options, threads);
}
std::string opencv_gradient_magnitude(halconv::ImageView<const float> input, halconv::ImageView<float> output,
                                      halconv::GradientOperator op, const halconv::FilterOptions &options,
                                      int threads) {
    return gradient_impl<float>(input, output, op, options, threads);
}

}  // namespace halconv_peer
