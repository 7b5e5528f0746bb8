#include "reference_filter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace ref {

using halconv::Border;
using halconv::FilterKernel;
using halconv::FilterOptions;
using halconv::SampleType;

int64_t border_index(int64_t i, int64_t n, Border border) {
    if (n <= 0) throw std::invalid_argument("border_index: empty axis");
    switch (border) {
    case Border::Zero: return (i < 0 || i >= n) ? -1 : i;
    case Border::Clamp: return std::min(std::max(i, int64_t(0)), n - 1);
    case Border::Mirror: {
        if (n == 1) return 0;
        const int64_t period = 2 * (n - 1);
        const int64_t m = ((i % period) + period) % period;
        return m < n ? m : period - m;
    }
    case Border::Wrap: return ((i % n) + n) % n;
    }
    throw std::invalid_argument("border_index: unknown border");
}

double EffectiveKernel::abs_sum() const {
    double s = 0;
    for (double w : weight) s += std::fabs(w);
    return s;
}

namespace {

bool is_integral(double v) { return std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15; }

void validate(const FilterKernel &k) {
    const std::string n = "ref: kernel '" + k.name + "': ";
    if (k.width < 1 || k.height < 1 || k.width % 2 == 0 || k.height % 2 == 0)
        throw std::invalid_argument(n + "width and height must be odd and positive");
    if (k.taps.size() != size_t(k.width) * size_t(k.height)) throw std::invalid_argument(n + "taps size");
    if (!(k.divisor != 0) || !std::isfinite(k.divisor)) throw std::invalid_argument(n + "divisor");
    if (!k.fixed_column.empty() &&
        (k.fixed_column.size() != size_t(k.height) || k.fixed_row.size() != size_t(k.width)))
        throw std::invalid_argument(n + "fixed-point factor sizes");
}

// floor(a / b) for b > 0.
int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && (a < 0)) q--;
    return q;
}

template<typename T>
constexpr double max_of() {
    if constexpr (std::is_integral_v<T>) return (double)std::numeric_limits<T>::max();
    return std::numeric_limits<double>::infinity();
}

template<typename T>
constexpr SampleType type_of() {
    if constexpr (std::is_same_v<T, uint8_t>) return SampleType::UInt8;
    if constexpr (std::is_same_v<T, uint16_t>) return SampleType::UInt16;
    return SampleType::Float32;
}

// The integer output for an exact integer response S / D (D > 0), after
// absolute (done by the caller) and offset: floor(S/D + offset + 1/2),
// saturated. Exact when the offset is an integer.
double exact_output(int64_t s, int64_t d, double offset, double max_value) {
    if (is_integral(offset)) {
        const int64_t sp = s + (int64_t)offset * d;
        const int64_t q = floor_div(2 * sp + d, 2 * d);
        return std::min(std::max((double)q, 0.0), max_value);
    }
    return round_saturate((double)s / (double)d + offset, max_value);
}

template<typename T>
FilterResult correlate(const T *in, int W, int H, int C, const FilterKernel &kernel, const FilterOptions &o,
                       bool convolve) {
    if (!in || W < 1 || H < 1 || C < 1) throw std::invalid_argument("ref::filter2d: bad image");
    const EffectiveKernel k = effective_kernel(kernel, type_of<T>());
    const bool integer_out = std::is_integral_v<T>;
    const bool exact = integer_out && k.exact;
    FilterResult r;
    r.width = W, r.height = H, r.channels = C;
    const size_t n = size_t(W) * H * C;
    r.value.resize(n);
    r.sample.resize(n);
    r.abs_sum.resize(n);
    r.kernel_abs_sum = k.abs_sum();
    r.exact = exact;
    const double offset = o.offset;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            for (int c = 0; c < C; c++) {
                double v = 0, a = 0;
                int64_t s = 0;
                for (int i = 0; i < k.height; i++) {
                    for (int j = 0; j < k.width; j++) {
                        const int dx = convolve ? k.width / 2 - j : j - k.width / 2;
                        const int dy = convolve ? k.height / 2 - i : i - k.height / 2;
                        const int64_t xi = border_index(int64_t(x) + dx, W, o.border);
                        const int64_t yi = border_index(int64_t(y) + dy, H, o.border);
                        if (xi < 0 || yi < 0) continue;
                        const T sample = in[(size_t(yi) * W + size_t(xi)) * C + c];
                        const double w = k.weight[size_t(i) * k.width + j];
                        v += w * (double)sample;
                        a += std::fabs(w) * std::fabs((double)sample);
                        if (exact) s += k.numerator[size_t(i) * k.width + j] * (int64_t)sample;
                    }
                }
                if (o.absolute) {
                    v = std::fabs(v);
                    s = s < 0 ? -s : s;
                }
                v += offset;
                a += std::fabs(offset);
                const size_t idx = (size_t(y) * W + x) * C + c;
                r.value[idx] = v;
                r.abs_sum[idx] = a;
                if (exact)
                    r.sample[idx] = exact_output(s, k.denominator, offset, max_of<T>());
                else if (integer_out)
                    r.sample[idx] = round_saturate(v, max_of<T>());
                else
                    r.sample[idx] = v;
            }
        }
    }
    return r;
}

template<typename T>
FilterResult gradient(const T *in, int W, int H, int C, halconv::GradientOperator op, const FilterOptions &o) {
    if (!in || W < 1 || H < 1 || C < 1) throw std::invalid_argument("ref::gradient_magnitude: bad image");
    const double w = op == halconv::GradientOperator::Sobel ? 2.0 : 1.0;
    const double s[3] = {1.0, w, 1.0};
    FilterResult r;
    r.width = W, r.height = H, r.channels = C;
    const size_t n = size_t(W) * H * C;
    r.value.resize(n);
    r.sample.resize(n);
    r.abs_sum.resize(n);
    r.kernel_abs_sum = 4 * (2 + w);
    r.exact = std::is_integral_v<T>;
    auto at = [&](int64_t x, int64_t y, int c) -> double {
        const int64_t xi = border_index(x, W, o.border), yi = border_index(y, H, o.border);
        if (xi < 0 || yi < 0) return 0.0;
        return (double)in[(size_t(yi) * W + size_t(xi)) * C + c];
    };
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            for (int c = 0; c < C; c++) {
                double gx = 0, gy = 0, a = 0;
                for (int d = -1; d <= 1; d++) {
                    const double sd = s[d + 1];
                    const double r1 = at(x + 1, y + d, c), l1 = at(x - 1, y + d, c);
                    const double b1 = at(x + d, y + 1, c), t1 = at(x + d, y - 1, c);
                    gx += sd * (r1 - l1);
                    gy += sd * (b1 - t1);
                    a += sd * (std::fabs(r1) + std::fabs(l1) + std::fabs(b1) + std::fabs(t1));
                }
                // Integer images: gx, gy are exact integers in double, and
                // adding a float offset to an integer below 2^24 is exact.
                const double v = std::fabs(gx) + std::fabs(gy) + (double)o.offset;
                const size_t idx = (size_t(y) * W + x) * C + c;
                r.value[idx] = v;
                r.abs_sum[idx] = a + std::fabs((double)o.offset);
                r.sample[idx] = std::is_integral_v<T> ? round_saturate(v, max_of<T>()) : v;
            }
        }
    }
    return r;
}

}  // namespace

double round_saturate(double v, double max_value) {
    if (std::isnan(v)) return 0.0;
    return std::min(std::max(std::floor(v + 0.5), 0.0), max_value);
}

EffectiveKernel effective_kernel(const FilterKernel &kernel, SampleType type) {
    validate(kernel);
    EffectiveKernel k;
    k.width = kernel.width;
    k.height = kernel.height;
    const size_t n = size_t(k.width) * k.height;
    k.weight.resize(n);
    k.numerator.resize(n);
    if (type == SampleType::UInt8 && !kernel.fixed_column.empty()) {
        k.fixed_point = true;
        k.exact = true;
        k.denominator = 65536;
        for (int i = 0; i < k.height; i++) {
            for (int j = 0; j < k.width; j++) {
                const double t = (double)kernel.fixed_column[size_t(i)] * (double)kernel.fixed_row[size_t(j)];
                const size_t idx = size_t(i) * k.width + j;
                k.weight[idx] = t / 65536.0;
                if (is_integral(t))
                    k.numerator[idx] = (int64_t)t;
                else
                    k.exact = false;
            }
        }
        return k;
    }
    const double divisor = kernel.divisor;
    k.exact = is_integral(divisor);
    const int64_t sign = divisor < 0 ? -1 : 1;
    k.denominator = k.exact ? (int64_t)std::fabs(divisor) : 1;
    for (size_t idx = 0; idx < n; idx++) {
        const double t = (double)kernel.taps[idx];
        k.weight[idx] = t / divisor;
        if (is_integral(t))
            k.numerator[idx] = sign * (int64_t)t;
        else
            k.exact = false;
    }
    if (!k.exact) std::fill(k.numerator.begin(), k.numerator.end(), 0);
    return k;
}

FilterKernel rotate180(const FilterKernel &kernel) {
    FilterKernel r = kernel;
    std::reverse(r.taps.begin(), r.taps.end());  // row-major: reversing the whole array rotates by 180
    std::reverse(r.column.begin(), r.column.end());
    std::reverse(r.row.begin(), r.row.end());
    std::reverse(r.fixed_column.begin(), r.fixed_column.end());
    std::reverse(r.fixed_row.begin(), r.fixed_row.end());
    return r;
}

FilterResult filter2d(const uint8_t *in, int w, int h, int c, const FilterKernel &k, const FilterOptions &o) {
    return correlate(in, w, h, c, k, o, false);
}
FilterResult filter2d(const uint16_t *in, int w, int h, int c, const FilterKernel &k, const FilterOptions &o) {
    return correlate(in, w, h, c, k, o, false);
}
FilterResult filter2d(const float *in, int w, int h, int c, const FilterKernel &k, const FilterOptions &o) {
    return correlate(in, w, h, c, k, o, false);
}
FilterResult convolve2d(const uint8_t *in, int w, int h, int c, const FilterKernel &k, const FilterOptions &o) {
    return correlate(in, w, h, c, k, o, true);
}
FilterResult convolve2d(const uint16_t *in, int w, int h, int c, const FilterKernel &k, const FilterOptions &o) {
    return correlate(in, w, h, c, k, o, true);
}
FilterResult convolve2d(const float *in, int w, int h, int c, const FilterKernel &k, const FilterOptions &o) {
    return correlate(in, w, h, c, k, o, true);
}
FilterResult gradient_magnitude(const uint8_t *in, int w, int h, int c, halconv::GradientOperator op,
                                const FilterOptions &o) {
    return gradient(in, w, h, c, op, o);
}
FilterResult gradient_magnitude(const uint16_t *in, int w, int h, int c, halconv::GradientOperator op,
                                const FilterOptions &o) {
    return gradient(in, w, h, c, op, o);
}
FilterResult gradient_magnitude(const float *in, int w, int h, int c, halconv::GradientOperator op,
                                const FilterOptions &o) {
    return gradient(in, w, h, c, op, o);
}

}  // namespace ref
