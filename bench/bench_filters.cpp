// filters_image: halconv's image filters (halconv::filter2d,
// halconv::gradient_magnitude on interleaved images) against OpenCV 4.6, the
// peer of apps/common/opencv_filters.h: OpenCV's best function for the
// kernel (cv::blur, cv::GaussianBlur, cv::sepFilter2D, cv::filter2D,
// cv::Sobel) run on `threads` horizontal strips in cv::parallel_for_ (the
// uint8 GaussianBlur: one call, parallel inside), and the same function as
// one plain call on one thread. Writes bench/results/filters.*.
//
// Filters are memory-bound at these sizes: the report shows GB/s (input read
// once + output written once) and % of the measured copy bandwidth, plus
// megapixels/s, the max |halconv - OpenCV| and the speed targets in
// the notes. Built only when the OpenCV peer library is (HALCONV_BUILD_APPS).
#include <halconv/halconv.h>

#include "opencv_filters.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "bench.h"

namespace bench {
namespace {

// Column keys.
constexpr const char *kStrips = "opencv_strips";  // opencv_filters.h with opts.threads strips
constexpr const char *kPlain = "opencv_1call";    // the same function, one call, one thread

// The targets: t_OpenCV(strips) / t_halconv.
constexpr double kTargetInteger = 1.5;  // uint8 (and uint16) images
constexpr double kTargetFloat = 1.0;    // float images

enum class SampleType { U8, U16, F32 };

struct FilterParams {
    std::string id, kernel_name, dtype;
    int W = 0, H = 0, C = 0;
    SampleType type = SampleType::U8;
    halconv::Border border = halconv::Border::Mirror;
    bool gradient = false;
    halconv::GradientOperator op = halconv::GradientOperator::Sobel;
    halconv::FilterKernel kernel;  // !gradient

    // Parses "box3x3", "gaussian5x5" (sigma: the entry's "sigma", 1.1 by
    // default), "binomial5x5", "motion1x9" (horizontal; "motion9x1"
    // vertical), "sobel_magnitude", "prewitt_magnitude".
    static FilterParams from_json(const json::Value &e) {
        FilterParams p;
        p.id = e.at("id").str();
        p.W = int(e.at("W").integer());
        p.H = int(e.at("H").integer());
        p.C = int(e.get_int("channels", 1));
        p.dtype = e.get_string("dtype", "uint8");
        if (p.dtype == "uint8") p.type = SampleType::U8;
        else if (p.dtype == "uint16") p.type = SampleType::U16;
        else if (p.dtype == "float32") p.type = SampleType::F32;
        else throw std::runtime_error("filters_image/" + p.id + ": unknown dtype '" + p.dtype + "'");
        p.border = halconv::parse_border(e.get_string("border", "mirror"));
        p.kernel_name = e.at("kernel").str();
        const std::string &k = p.kernel_name;
        auto size_after = [&](const char *prefix, int &h, int &w) {
            const size_t n = std::strlen(prefix);
            if (k.compare(0, n, prefix) != 0) return false;
            return std::sscanf(k.c_str() + n, "%dx%d", &h, &w) == 2;
        };
        int h = 0, w = 0;
        if (k == "sobel_magnitude" || k == "prewitt_magnitude") {
            p.gradient = true;
            p.op = k[0] == 's' ? halconv::GradientOperator::Sobel : halconv::GradientOperator::Prewitt;
        } else if (size_after("box", h, w) && h == w) {
            p.kernel = halconv::FilterKernel::box(h);
        } else if (size_after("gaussian", h, w) && h == w) {
            p.kernel = halconv::FilterKernel::gaussian(e.get_number("sigma", 1.1), h);
        } else if (size_after("binomial", h, w) && h == w) {
            p.kernel = halconv::FilterKernel::binomial(h);
        } else if (size_after("motion", h, w) && (h == 1 || w == 1)) {
            p.kernel = halconv::FilterKernel::motion(std::max(h, w), h == 1 ? 0.0 : 90.0);
        } else {
            throw std::runtime_error("filters_image/" + p.id + ": unknown kernel '" + k + "'");
        }
        return p;
    }

    size_t samples() const { return size_t(W) * size_t(H) * size_t(C); }
    size_t sample_bytes() const { return type == SampleType::U8 ? 1 : type == SampleType::U16 ? 2 : 4; }
    bool integer_image() const { return type != SampleType::F32; }
    // halconv's result is exact (integer arithmetic, or the documented
    // fixed-point taps) on integer images; OpenCV may quantize a uint8
    // Gaussian's taps differently (+-1) and rounds float sums (+-1).
    bool exact_kernel() const { return gradient || kernel.integer; }
    double target() const { return integer_image() ? kTargetInteger : kTargetFloat; }

    std::string what() const {
        return gradient ? (op == halconv::GradientOperator::Sobel ? "sobel |gx|+|gy|" : "prewitt |gx|+|gy|")
                        : kernel.name;
    }
    std::string shape() const {
        char buf[200];
        std::snprintf(buf, sizeof buf, "%dx%d x%d %s, %s, %s border", W, H, C, dtype.c_str(), what().c_str(),
                      halconv::border_name(border));
        return buf;
    }
};

// --- a photo-like deterministic image ---------------------------------------
// Smooth shading (low-frequency waves), hard edges (a grid of tiles of
// different brightness, a disc), fine texture (hashed noise): a mix of flat
// areas, gradients and edges like a photo, identical on every run.
double scene(int x, int y, int c, int W, int H) {
    const double u = double(x) / W, v = double(y) / H;
    double s = 0.45 + 0.2 * std::sin(6.1 * u + 1.3 * c) * std::cos(4.3 * v - 0.7 * c) + 0.1 * std::sin(17.0 * (u + 0.6 * v));
    const int tile = ((x / 97) * 7 + (y / 83) * 3 + c) % 5;
    s += 0.06 * (tile - 2);
    const double dx = u - 0.62, dy = v - 0.41;
    if (dx * dx + dy * dy < 0.04) s = 0.85 - 0.3 * (dx * dx + dy * dy) / 0.04 - 0.05 * c;
    uint64_t h = (uint64_t(uint32_t(x)) * 0x9E3779B1u) ^ (uint64_t(uint32_t(y)) * 0x85EBCA77u) ^ (uint64_t(c) << 40);
    h ^= h >> 15;
    h *= 0x2C1B3C6D;
    h ^= h >> 12;
    s += 0.04 * (double(h & 0xFFFF) / 65535.0 - 0.5);
    return std::clamp(s, 0.0, 1.0);
}

template<typename T>
std::vector<T> make_image(const FilterParams &p) {
    std::vector<T> img(p.samples());
    for (int y = 0; y < p.H; y++)
        for (int x = 0; x < p.W; x++)
            for (int c = 0; c < p.C; c++) {
                const double s = scene(x, y, c, p.W, p.H);
                T &o = img[(size_t(y) * p.W + x) * p.C + c];
                if constexpr (std::is_same_v<T, float>) o = float(s);
                else o = T(std::lround(s * double(std::numeric_limits<T>::max())));
            }
    return img;
}

// --- the formula, at sampled outputs -------------------------------------------
int border_index(int q, int n, halconv::Border b) {
    if (q >= 0 && q < n) return q;
    switch (b) {
    case halconv::Border::Zero: return -1;
    case halconv::Border::Clamp: return std::clamp(q, 0, n - 1);
    case halconv::Border::Wrap: return ((q % n) + n) % n;
    case halconv::Border::Mirror: {
        if (n == 1) return 0;
        const int period = 2 * (n - 1);
        const int r = ((q % period) + period) % period;
        return r < n ? r : period - r;
    }
    }
    return -1;
}

// filter.h's definition: sum of taps * samples / divisor (uint8 with
// fixed-point factors: fixed_column[i] * fixed_row[j] / 65536), or
// |gx| + |gy|; integer outputs rounded half up and saturated.
template<typename T>
double naive(const FilterParams &p, const std::vector<T> &in, size_t at) {
    const int c = int(at % size_t(p.C));
    const int x = int((at / size_t(p.C)) % size_t(p.W));
    const int y = int(at / (size_t(p.C) * size_t(p.W)));
    auto sample = [&](int sx, int sy) -> double {
        const int bx = border_index(sx, p.W, p.border), by = border_index(sy, p.H, p.border);
        return bx < 0 || by < 0 ? 0.0 : double(in[(size_t(by) * p.W + bx) * p.C + c]);
    };
    double v;
    if (p.gradient) {
        const double w = p.op == halconv::GradientOperator::Sobel ? 2 : 1;
        double gx = 0, gy = 0;
        for (int i = -1; i <= 1; i++) {
            const double s = i == 0 ? w : 1;
            gx += s * (sample(x + 1, y + i) - sample(x - 1, y + i));
            gy += s * (sample(x + i, y + 1) - sample(x + i, y - 1));
        }
        v = std::fabs(gx) + std::fabs(gy);
    } else {
        const halconv::FilterKernel &k = p.kernel;
        const bool fixed = std::is_same_v<T, uint8_t> && !k.fixed_column.empty();
        double s = 0;
        for (int i = 0; i < k.height; i++)
            for (int j = 0; j < k.width; j++) {
                const double t = fixed ? double(k.fixed_column[size_t(i)]) * k.fixed_row[size_t(j)]
                                       : double(k.taps[size_t(i) * k.width + j]);
                if (t != 0) s += t * sample(x + j - k.width / 2, y + i - k.height / 2);
            }
        v = s / (fixed ? 65536.0 : k.divisor);
    }
    if constexpr (std::is_integral_v<T>)
        v = std::clamp(std::floor(v + 0.5), 0.0, double(std::numeric_limits<T>::max()));
    return v;
}

// max |a - b| over the whole image (NaN propagates).
template<typename T>
double max_abs_diff(const std::vector<T> &a, const std::vector<T> &b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); i++) {
        const double d = std::fabs(double(a[i]) - double(b[i]));
        if (!(d <= m)) m = d;
    }
    return m;
}

template<typename T>
double max_abs(const std::vector<T> &a) {
    double m = 0;
    for (const T &v : a) m = std::max(m, std::fabs(double(v)));
    return m;
}

std::string fmtd(const char *f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

template<typename T>
Row run_typed(const FilterParams &p, const Options &opts, uint64_t seed) {
    Row row;
    row.family = "filters_image";
    row.id = p.id;
    row.shape = p.shape();
    row.bytes = 2.0 * double(p.samples()) * double(p.sample_bytes());  // read + write once
    row.info["kernel"] = p.kernel_name;
    row.info["dtype"] = p.dtype;
    row.info["border"] = halconv::border_name(p.border);

    const std::vector<T> x = make_image<T>(p);
    // Outputs allocated and touched before timing.
    std::vector<T> y(p.samples(), T(0)), ys(p.samples(), T(0)), yp(p.samples(), T(0));
    const halconv::ImageView<const T> in(x.data(), p.W, p.H, p.C);
    const halconv::ImageView<T> out_h(y.data(), p.W, p.H, p.C), out_s(ys.data(), p.W, p.H, p.C),
        out_p(yp.data(), p.W, p.H, p.C);
    halconv::FilterOptions fo;
    fo.border = p.border;

    // --- halconv ---------------------------------------------------------------
    std::function<void()> halconv_call;
    try {
        if (p.gradient) halconv_call = [&] { halconv::gradient_magnitude(in, out_h, p.op, fo); };
        else halconv_call = [&] { halconv::filter2d(in, out_h, p.kernel, fo); };
        if (p.gradient) {
            row.halconv.impl = std::string("halconv ") + halconv::version() + ", gradient_magnitude";
        } else {
            const halconv::SampleType st = p.type == SampleType::U8    ? halconv::SampleType::UInt8
                                           : p.type == SampleType::U16 ? halconv::SampleType::UInt16
                                                                       : halconv::SampleType::Float32;
            row.halconv.impl = std::string("halconv ") + halconv::version() + ", " +
                               halconv::filter_path(p.kernel, st, fo);
        }
    } catch (const std::exception &e) {
        row.halconv.error = e.what();
        halconv_call = nullptr;
    }

    // --- OpenCV: strips (opts.threads) and one plain call ----------------------
    Measurement strips(kStrips), plain(kPlain);
    auto peer = [&](const halconv::ImageView<T> &o, int threads) {
        return p.gradient ? halconv_peer::opencv_gradient_magnitude(in, o, p.op, fo, threads)
                          : halconv_peer::opencv_filter2d(in, o, p.kernel, fo, threads);
    };
    bool strips_ok = false, plain_ok = false;
    try {
        strips.impl = peer(out_s, opts.threads);
        strips_ok = true;
    } catch (const std::exception &e) {
        strips.error = e.what();
    }
    try {
        plain.impl = peer(out_p, 1);
        plain_ok = true;
    } catch (const std::exception &e) {
        plain.error = e.what();
    }

    std::vector<Timed> timed;
    if (halconv_call) timed.push_back({&row.halconv, halconv_call});
    if (strips_ok) timed.push_back({&strips, [&] { peer(out_s, opts.threads); }});
    if (plain_ok) timed.push_back({&plain, [&] { peer(out_p, 1); }});
    time_interleaved(timed, opts);

    if (!row.halconv.error.empty()) {
        row.status = Status::ERROR;
        row.notes.push_back("halconv: " + row.halconv.error);
    }
    for (Measurement *m : {&strips, &plain})
        if (!m->error.empty()) row.notes.push_back(m->key + ": " + m->error);
    row.peers = {strips, plain};

    // --- correctness -------------------------------------------------------------
    // Allowed max |difference| in sample units: integer images exact for
    // integer kernels and the gradient, 1 otherwise (the uint8 Gaussian's
    // fixed-point taps quantized differently by OpenCV, float sums near a
    // tie); float images 1e-4 of the largest |output|.
    const bool integer = p.integer_image();
    const double allowed_peer = integer ? (p.exact_kernel() ? 0.0 : 1.0) : 1e-4;
    const std::vector<size_t> idx = sample_indices(p.samples(), opts.check_samples, seed + 17);
    std::vector<double> expected(idx.size());
    for (size_t i = 0; i < idx.size(); i++) expected[i] = naive(p, x, idx[i]);
    double max_expected = 0;
    for (double v : expected) max_expected = std::max(max_expected, std::fabs(v));
    auto sampled_abs = [&](const std::vector<T> &out) {
        double m = 0;
        for (size_t i = 0; i < idx.size(); i++) {
            const double d = std::fabs(double(out[idx[i]]) - expected[i]);
            if (!(d <= m)) m = d;
        }
        return m;
    };
    auto within = [&](double abs_err, double allowed, double scale) {
        return integer ? abs_err <= allowed : abs_err <= allowed * std::max(scale, 1e-30);
    };
    if (strips_ok) {
        const double e = sampled_abs(ys);
        row.sampled_err_peer = max_expected > 0 ? e / max_expected : e;
        row.info["sampled_max_abs_err_peer_vs_naive"] = e;
        if (!within(e, allowed_peer, max_expected)) row.fail("OpenCV disagrees with the naive formula (harness bug?)");
        if (plain_ok) {
            const double d = max_abs_diff(ys, yp);
            row.info["max_abs_diff_strips_vs_1call"] = d;
            if (d != 0) row.fail("OpenCV strips differ from one plain call (" + fmtd("%g", d) + ")");
        }
    }
    if (row.halconv.ok()) {
        // halconv against its own definition: exact on integer images for
        // integer kernels and uint8 fixed-point taps (float sums otherwise:
        // +-1 near a tie).
        const bool fixed = p.type == SampleType::U8 && !p.gradient && !p.kernel.fixed_column.empty();
        const double allowed_halconv = integer ? (p.exact_kernel() || fixed ? 0.0 : 1.0) : 1e-4;
        const double e = sampled_abs(y);
        row.sampled_err_halconv = max_expected > 0 ? e / max_expected : e;
        row.info["sampled_max_abs_err_halconv_vs_naive"] = e;
        if (!within(e, allowed_halconv, max_expected))
            row.fail("halconv disagrees with the naive formula: max abs err " + fmtd("%g", e));
        if (strips_ok) {
            const double d = max_abs_diff(y, ys), ref = max_abs(ys);
            row.reference = kStrips;
            row.max_rel_err = std::isnan(d) ? kNaN : ref > 0 ? d / ref : d;
            row.info["max_abs_diff_vs_opencv"] = d;
            row.notes.push_back("max |halconv - OpenCV| = " + fmtd(integer ? "%.0f" : "%.3g", d) +
                                (integer ? " (sample units)" : ""));
            if (!within(d, allowed_peer, ref))
                row.fail("halconv vs OpenCV: max abs diff " + fmtd("%g", d) + " > " + fmtd("%g", allowed_peer) +
                         (integer ? "" : " x max|out|"));
        } else {
            row.fail("no OpenCV output to check against");
        }
    }

    // --- speed: megapixels/s and the target ---------------------------
    const double mpix = double(p.W) * p.H / 1e6;
    json::Value mps = json::Value::object();
    for (const Measurement *m : {&row.halconv, &strips, &plain})
        if (m->ok()) mps[m->key] = mpix / (m->t.median_ms / 1e3);
    row.info["megapixels_per_s"] = mps;
    const double ratio = speed_ratio(strips, row.halconv);
    json::Value target = json::Value::object();
    target["ratio_min"] = p.target();
    target["ratio"] = ratio;
    target["met"] = std::isfinite(ratio) ? json::Value(ratio >= p.target()) : json::Value();
    row.info["target"] = target;
    if (row.halconv.ok())
        row.notes.push_back("halconv " + fmtd("%.0f", mpix / (row.halconv.t.median_ms / 1e3)) + " MP/s; target " +
                            "OpenCV " + std::to_string(opts.threads) + "-strip / halconv >= " +
                            fmtd("%.1f", p.target()) + ": " +
                            (!std::isfinite(ratio) ? std::string("n/a")
                                                   : (ratio >= p.target() ? "met" : "MISSED") +
                                                         std::string(" (") + fmtd("%.2f", ratio) + ")"));
    return row;
}

Row run_one(const FilterParams &p, const Options &opts, uint64_t seed) {
    switch (p.type) {
    case SampleType::U8: return run_typed<uint8_t>(p, opts, seed);
    case SampleType::U16: return run_typed<uint16_t>(p, opts, seed);
    case SampleType::F32: return run_typed<float>(p, opts, seed);
    }
    throw std::logic_error("unreachable");
}

std::vector<Row> run_family(const json::Value &entries, const Options &opts) {
    std::vector<Row> rows;
    uint64_t seed = 4000;
    for (const auto &e : entries.elements()) {
        FilterParams p;
        try {
            p = FilterParams::from_json(e);
        } catch (const std::exception &ex) {
            // A kernel halconv cannot build (or an unknown one): an ERROR row.
            Row r;
            r.family = "filters_image";
            r.id = e.get_string("id", "?");
            r.status = Status::ERROR;
            r.notes.push_back(ex.what());
            rows.push_back(r);
            continue;
        }
        std::fprintf(stderr, "  filters_image/%s: %s\n", p.id.c_str(), p.shape().c_str());
        rows.push_back(run_one(p, opts, seed++));
    }
    return rows;
}

const char *kDoc =
    "What is measured: halconv's `filter2d` / `gradient_magnitude` on interleaved images (caller-owned "
    "output, allocated and touched before timing) against OpenCV 4.6 through the peer of "
    "`apps/common/opencv_filters.h`: OpenCV's function for the kernel (`cv::blur` for box and the 1x9 "
    "motion blur, `cv::GaussianBlur` for uint8 Gaussians, `cv::sepFilter2D` for other separable kernels "
    "(the float Gaussian: its exact factors), `cv::filter2D` for dense ones, `cv::Sobel` to CV_16S then "
    "`convertScaleAbs` + saturating `add` for the Sobel magnitude). **OpenCV strips**: the function run on "
    "as many horizontal strips as threads in `cv::parallel_for_` (each strip an ROI of the whole image, so "
    "it reads its neighbours' rows as real border), except the uint8 `GaussianBlur`, which is one call "
    "parallel inside (Debian's OpenCV has no IPP and runs the other filters on one thread). **OpenCV 1 "
    "call**: the same function called once on the whole image with one OpenCV thread. All three are timed "
    "interleaved. Image: a deterministic photo-like synthetic scene (smooth shading, tiles, a disc, fine "
    "texture), 1920x1080, border mirror (OpenCV's default `BORDER_REFLECT_101`).\n\n"
    "GB/s = (input read once + output written once) / median time; % copy bw of the measured copy "
    "bandwidth (a call touches 4-50 MB, which may partly stay in the last-level cache, so it can exceed "
    "100). Ratios = t_OpenCV / t_halconv (> 1: halconv faster). Targets (issue 4): OpenCV strips / halconv "
    ">= 1.5 for uint8 images, >= 1.0 for float; met / MISSED per row in the notes (also megapixels/s and "
    "max |halconv - OpenCV|). The max rel err column is max |halconv - OpenCV strips| / max |OpenCV|. "
    "Gate: integer images exact against OpenCV for integer kernels and the gradient, +-1 for the uint8 "
    "Gaussian (halconv and OpenCV quantize its taps to 8-bit fixed point by different rules); float images "
    "within 1e-4 of the largest output; both also checked against filter.h's formula at sampled outputs "
    "(halconv exact for integer kernels and uint8 fixed-point taps), and the OpenCV strips identical to the "
    "one call.";

}  // namespace

BENCH_REGISTER_FAMILY(FamilySpec{
    "filters_image", "filters",
    {{kStrips, "OpenCV strips ms"}, {kPlain, "OpenCV 1 call ms"}},
    {{kStrips, "ratio vs strips"}, {kPlain, "ratio vs 1 call"}},
    [](const json::Value &entries, const Options &opts) { return run_family(entries, opts); },
    kDoc});

}  // namespace bench
