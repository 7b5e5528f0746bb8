#include "filter_cases.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "pool_cases.h"  // Guarded<T>, pool_seed

namespace halconv_test {

// ---------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------
const char *filter_data_name(FilterData d) {
    switch (d) {
    case FilterData::Random: return "random";
    case FilterData::Extremes: return "extremes";
    case FilterData::Wide: return "wide";
    case FilterData::Constant: return "constant";
    }
    return "?";
}

const char *sample_type_name(SampleType t) {
    switch (t) {
    case SampleType::UInt8: return "u8";
    case SampleType::UInt16: return "u16";
    case SampleType::Float32: return "f32";
    }
    return "?";
}

template<typename T>
Image<T> make_image(int width, int height, int channels, FilterData kind, uint32_t seed) {
    Image<T> im;
    im.width = width, im.height = height, im.channels = channels;
    im.data.resize(size_t(width) * height * channels);
    std::mt19937 gen(seed);
    auto unit = [&] { return (float)(gen() >> 8) * (1.0f / 16777216.0f); };  // [0, 1), 24 bits
    for (T &v : im.data) {
        if constexpr (std::is_same_v<T, float>) {
            switch (kind) {
            case FilterData::Random: v = -1.0f + 2.0f * unit(); break;
            case FilterData::Extremes: v = (gen() >> 31) ? 1.0f : -1.0f; break;
            case FilterData::Wide: v = -1000.0f + 2000.0f * unit(); break;
            case FilterData::Constant: v = 0.75f; break;
            }
        } else {
            constexpr uint32_t maxv = std::numeric_limits<T>::max();
            switch (kind) {
            case FilterData::Random:
            case FilterData::Wide: v = T((gen() >> 8) % (maxv + 1)); break;
            case FilterData::Extremes: v = (gen() >> 31) ? T(maxv) : T(0); break;
            case FilterData::Constant: v = std::is_same_v<T, uint8_t> ? T(200) : T(40000); break;
            }
        }
    }
    return im;
}

template Image<uint8_t> make_image<uint8_t>(int, int, int, FilterData, uint32_t);
template Image<uint16_t> make_image<uint16_t>(int, int, int, FilterData, uint32_t);
template Image<float> make_image<float>(int, int, int, FilterData, uint32_t);

template<typename T>
double max_abs(const Image<T> &image) {
    double m = 0;
    for (T v : image.data) m = std::max(m, std::fabs((double)v));
    return m;
}
template double max_abs<uint8_t>(const Image<uint8_t> &);
template double max_abs<uint16_t>(const Image<uint16_t> &);
template double max_abs<float>(const Image<float> &);

// ---------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------
namespace {

std::vector<float> fixed_random_taps(int count, uint32_t seed, float lo, float hi, bool integers) {
    std::mt19937 gen(seed);
    std::vector<float> t((size_t)count);
    for (float &v : t) {
        const float u = (float)(gen() >> 8) * (1.0f / 16777216.0f);
        v = lo + (hi - lo) * u;
        if (integers) v = std::floor(v + 0.5f);
    }
    return t;
}

}  // namespace

std::vector<NamedKernel> filter_kernels() {
    using K = FilterKernel;
    std::vector<NamedKernel> k = {
        {"box1", [] { return K::box(1); }},
        {"box3", [] { return K::box(3); }},
        {"box5", [] { return K::box(5); }},
        {"box9", [] { return K::box(9); }},
        {"gauss_s0p5", [] { return K::gaussian(0.5); }},
        {"gauss_s0p8_3", [] { return K::gaussian(0.8, 3); }},
        {"gauss_s1", [] { return K::gaussian(1.0); }},
        {"gauss_s1p5_5", [] { return K::gaussian(1.5, 5); }},
        {"gauss_s2", [] { return K::gaussian(2.0); }},
        {"gauss_s3_9", [] { return K::gaussian(3.0, 9); }},
        {"binomial1", [] { return K::binomial(1); }},
        {"binomial3", [] { return K::binomial(3); }},
        {"binomial5", [] { return K::binomial(5); }},
        {"binomial7", [] { return K::binomial(7); }},
        {"motion5_0", [] { return K::motion(5, 0); }},
        {"motion7_90", [] { return K::motion(7, 90); }},
        {"motion7_180", [] { return K::motion(7, 180); }},
        {"motion9_30", [] { return K::motion(9, 30); }},
        {"motion7_45", [] { return K::motion(7, 45); }},
        {"motion5_200", [] { return K::motion(5, 200); }},
        {"shift_2_m1", [] { return K::shift(2, -1); }},
        {"shift_m3_0", [] { return K::shift(-3, 0); }},
        {"shift_0_4", [] { return K::shift(0, 4); }},
        {"shift_0_0", [] { return K::shift(0, 0); }},
        {"shift_0p5_0p25", [] { return K::shift(0.5, 0.25); }},
        {"shift_m1p5_2p75", [] { return K::shift(-1.5, 2.75); }},
        {"laplacian", [] { return K::laplacian(); }},
        {"sharpen", [] { return K::sharpen(); }},
        {"emboss", [] { return K::emboss(); }},
        {"gabor_0_4", [] { return K::gabor(0, 4); }},
        {"gabor_45_6_ph90", [] { return K::gabor(45, 6, 0, 90); }},
        {"gabor_30_3_s1", [] { return K::gabor(30, 3, 1.0); }},
        // custom(height, width, taps, normalize)
        {"custom_1x5_norm", [] { return K::custom(1, 5, {1, 2, 3, 2, 1}, true); }},
        {"custom_5x1", [] { return K::custom(5, 1, {1, -2, 3, 4, -1}); }},
        {"custom_3x7", [] { return K::custom(3, 7, fixed_random_taps(21, 37, -3.f, 3.f, true)); }},
        {"custom_7x3_float_norm", [] { return K::custom(7, 3, fixed_random_taps(21, 73, -0.3f, 1.0f, false), true); }},
        {"custom_3x3_norm", [] { return K::custom(3, 3, {1, 2, 1, 2, 4, 2, 1, 2, 1}, true); }},
        {"custom_3x3_zero_sum_norm", [] { return K::custom(3, 3, {-1, 0, 1, -2, 0, 2, -1, 0, 1}, true); }},
        {"custom_3x3_float",
         [] { return K::custom(3, 3, {0.1f, -0.25f, 0.3f, 0.05f, 0.6f, -0.1f, 0.2f, 0.15f, -0.05f}); }},
        {"custom_5x5_float", [] { return K::custom(5, 5, fixed_random_taps(25, 55, -0.2f, 0.3f, false)); }},
        {"custom_1x1_3", [] { return K::custom(1, 1, {3}); }},
        {"custom_1x1_half", [] { return K::custom(1, 1, {0.5f}); }},
        // true convolution: the asymmetric kernels flipped
        {"custom_3x7_flip", [] { return K::custom(3, 7, fixed_random_taps(21, 37, -3.f, 3.f, true)).flipped(); }},
        {"custom_5x1_flip", [] { return K::custom(5, 1, {1, -2, 3, 4, -1}).flipped(); }},
        {"emboss_flip", [] { return K::emboss().flipped(); }},
        {"motion9_30_flip", [] { return K::motion(9, 30).flipped(); }},
        {"shift_2_m1_flip", [] { return K::shift(2, -1).flipped(); }},
        {"shift_m1p5_2p75_flip", [] { return K::shift(-1.5, 2.75).flipped(); }},
        {"gauss_s1p5_5_flip", [] { return K::gaussian(1.5, 5).flipped(); }},
        {"gabor_45_6_ph90_flip", [] { return K::gabor(45, 6, 0, 90).flipped(); }},
    };
    return k;
}

NamedKernel filter_kernel(const std::string &label) {
    for (NamedKernel &k : filter_kernels())
        if (k.label == label) return k;
    throw std::out_of_range("filter_kernel: no kernel '" + label + "'");
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
FilterOptions FilterCase::options(halconv::Device device) const {
    FilterOptions o;
    o.border = border;
    o.absolute = absolute;
    o.offset = offset;
    o.device = device;
    return o;
}

const char *border_label(Border b) {
    switch (b) {
    case Border::Zero: return "zero";
    case Border::Clamp: return "clamp";
    case Border::Mirror: return "mirror";
    case Border::Wrap: return "wrap";
    }
    return "?";
}

namespace {

std::string number_token(double v) {
    std::ostringstream os;
    os << v;
    std::string s;
    for (char ch : os.str()) {
        if (ch == '-') s += 'm';
        else if (ch == '.') s += 'p';
        else if (ch == '+') continue;
        else s += ch;
    }
    return s;
}

}  // namespace

std::string FilterCase::describe() const {
    std::ostringstream os;
    os << (gradient ? "gradient_magnitude(" : "filter2d(") << (gradient ? "operator " : "kernel ") << label
       << ", " << sample_type_name(type) << " " << width << "x" << height << "x" << channels << ", border "
       << border_label(border);
    if (absolute) os << ", absolute";
    if (offset != 0) os << ", offset " << offset;
    os << ", data " << filter_data_name(data) << ")";
    return os.str();
}

std::string FilterCase::name() const {
    std::ostringstream os;
    os << label << "_" << sample_type_name(type) << "_" << width << "x" << height << "x" << channels << "_"
       << border_label(border);
    if (absolute) os << "_abs";
    if (offset != 0) os << "_off" << number_token(offset);
    if (data != FilterData::Random) os << "_" << filter_data_name(data);
    return os.str();
}

void PrintTo(const FilterCase &c, std::ostream *os) { *os << c.describe(); }

FilterCase filter_case(const NamedKernel &k) {
    FilterCase c;
    c.label = k.label;
    c.make_kernel = k.make;
    return c;
}

FilterCase gradient_case(GradientOperator op) {
    FilterCase c;
    c.label = op == GradientOperator::Sobel ? "sobel" : "prewitt";
    c.gradient = true;
    c.op = op;
    return c;
}

namespace {

constexpr Border kBorders[] = {Border::Zero, Border::Clamp, Border::Mirror, Border::Wrap};
constexpr SampleType kTypes[] = {SampleType::UInt8, SampleType::UInt16, SampleType::Float32};

// Absolute value, offsets (integer, fractional, negative), saturation at
// both ends, rounding ties.
void add_special_cases(std::vector<FilterCase> &v, int w, int h) {
    const auto K = [](const char *label) { return filter_case(filter_kernel(label)); };
    using B = Border;
    using S = SampleType;
    v.push_back(K("laplacian").on(S::UInt8).size(w, h, 1).abs());
    v.push_back(K("laplacian").on(S::UInt16).size(w, h, 2).b(B::Clamp).abs());
    v.push_back(K("laplacian").on(S::Float32).size(w, h, 3).b(B::Wrap).abs());
    v.push_back(K("laplacian").on(S::UInt8).size(w, h, 1).b(B::Zero).with(FilterData::Extremes));
    v.push_back(K("sharpen").on(S::UInt8).size(w, h, 3).b(B::Clamp).with(FilterData::Extremes));
    v.push_back(K("sharpen").on(S::UInt16).size(w, h, 1).b(B::Zero).with(FilterData::Extremes));
    v.push_back(K("sharpen").on(S::Float32).size(w, h, 4).with(FilterData::Extremes));
    v.push_back(K("emboss").on(S::UInt8).size(w, h, 3).off(128));
    v.push_back(K("emboss").on(S::UInt16).size(w, h, 1).b(B::Wrap).off(32768));
    v.push_back(K("emboss").on(S::Float32).size(w, h, 2).off(0.5f));
    v.push_back(K("box3").on(S::UInt8).size(w, h, 1).off(0.5f));
    v.push_back(K("binomial3").on(S::UInt8).size(w, h, 2).b(B::Zero).off(-0.5f));
    v.push_back(K("gauss_s1").on(S::UInt8).size(w, h, 3).off(-0.25f));
    v.push_back(K("gauss_s1").on(S::UInt8).size(w, h, 1).b(B::Clamp).off(20).with(FilterData::Extremes));
    v.push_back(K("gauss_s1").on(S::UInt16).size(w, h, 1).off(3));
    v.push_back(K("motion9_30").on(S::UInt8).size(w, h, 1).b(B::Wrap).abs().off(10));
    v.push_back(K("gabor_0_4").on(S::Float32).size(w, h, 1).abs());
    v.push_back(K("gabor_0_4").on(S::UInt8).size(w, h, 3).b(B::Wrap).abs().off(10));
    v.push_back(K("gabor_45_6_ph90").on(S::UInt16).size(w, h, 1).b(B::Zero).off(32768));
    v.push_back(K("custom_3x3_zero_sum_norm").on(S::UInt16).size(w, h, 1).abs().off(-100));
    v.push_back(K("custom_3x3_zero_sum_norm").on(S::UInt8).size(w, h, 2).b(B::Zero).abs());
    v.push_back(K("shift_2_m1").on(S::UInt16).size(w, h, 1).off(-300));
    v.push_back(K("custom_3x3_norm").on(S::UInt8).size(w, h, 1).b(B::Wrap).off(0.5f));
    v.push_back(K("custom_1x1_3").on(S::UInt16).size(w, h, 1).b(B::Zero).with(FilterData::Extremes));
    v.push_back(K("custom_1x1_half").on(S::UInt16).size(w, h, 2).b(B::Clamp).off(0.25f));
    v.push_back(K("custom_5x5_float").on(S::Float32).size(w, h, 1).b(B::Wrap).abs().off(-2));
    v.push_back(K("box5").on(S::Float32).size(w, h, 1).b(B::Zero).off(1e3f).with(FilterData::Wide));

    v.push_back(gradient_case(GradientOperator::Sobel).on(S::UInt8).size(w, h, 1).off(3));
    v.push_back(gradient_case(GradientOperator::Prewitt).on(S::UInt8).size(w, h, 2).off(0.5f));
    v.push_back(gradient_case(GradientOperator::Prewitt).on(S::Float32).size(w, h, 1).off(0.5f));
    v.push_back(gradient_case(GradientOperator::Sobel).on(S::UInt8).size(w, h, 3).b(B::Zero)
                    .with(FilterData::Extremes));
    v.push_back(gradient_case(GradientOperator::Sobel).on(S::UInt16).size(w, h, 1).b(B::Wrap)
                    .with(FilterData::Extremes));
    v.push_back(gradient_case(GradientOperator::Prewitt).on(S::UInt16).size(w, h, 1).b(B::Clamp).off(-7));
}

}  // namespace

std::vector<FilterCase> filter_cpu_cases() {
    std::vector<FilterCase> v;
    const auto kernels = filter_kernels();
    // Every kernel x type x border on odd and vector-unfriendly sizes.
    const int sizes[4][2] = {{37, 23}, {40, 17}, {19, 31}, {64, 5}};
    for (size_t k = 0; k < kernels.size(); k++) {
        const int *sz = sizes[(k / 4) % 4];
        const int ch = 1 + int(k % 4);
        for (SampleType t : kTypes) {
            for (Border b : kBorders) {
                FilterCase c = filter_case(kernels[k]).on(t).size(sz[0], sz[1], ch).b(b);
                if (t == SampleType::Float32 && k % 2) c.with(FilterData::Wide);
                v.push_back(c);
            }
        }
    }
    // Larger images (several vectors and row tiles per call), one border per kernel and type.
    for (size_t k = 0; k < kernels.size(); k++) {
        for (size_t t = 0; t < 3; t++) {
            v.push_back(filter_case(kernels[k])
                            .on(kTypes[t])
                            .size(k % 2 ? 131 : 96, k % 3 ? 67 : 40, 1 + int((k + 2 * t) % 4))
                            .b(kBorders[(k + t) % 4]));
        }
    }
    // Small and degenerate images, kernels larger than the image.
    const char *shape_kernels[] = {"box3",       "box9",       "gauss_s1",   "gauss_s2",  "binomial7", "motion7_45",
                                   "custom_3x7", "custom_1x5_norm", "custom_5x1", "shift_m3_0", "laplacian",
                                   "gabor_0_4"};
    const int shapes[][2] = {{1, 1}, {1, 9}, {9, 1}, {3, 3}, {2, 2}, {5, 3}};
    int n = 0;
    for (const char *label : shape_kernels) {
        for (size_t s = 0; s < std::size(shapes); s++, n++) {
            for (Border b : kBorders) {
                v.push_back(filter_case(filter_kernel(label))
                                .on(kTypes[n % 3])
                                .size(shapes[s][0], shapes[s][1], 1 + int(s % 4))
                                .b(b));
            }
        }
    }
    // The gradient magnitude: both operators, every type and border, small shapes.
    for (GradientOperator op : {GradientOperator::Sobel, GradientOperator::Prewitt}) {
        int k = 0;
        for (SampleType t : kTypes) {
            for (Border b : kBorders) {
                FilterCase c = gradient_case(op).on(t).size(37, 23, 1 + (k++ % 4)).b(b);
                if (t == SampleType::Float32 && k % 2) c.with(FilterData::Wide);
                v.push_back(c);
            }
        }
        for (size_t s = 0; s < std::size(shapes); s++) {
            for (Border b : kBorders) {
                v.push_back(gradient_case(op).on(kTypes[(s + (size_t)b) % 3]).size(shapes[s][0], shapes[s][1], 1).b(b));
            }
        }
    }
    add_special_cases(v, 29, 13);
    return v;
}

std::vector<FilterCase> filter_opencl_cases() {
    std::vector<FilterCase> v;
    const auto kernels = filter_kernels();
    // Every kernel x type, three of the four borders per kernel.
    for (size_t k = 0; k < kernels.size(); k++) {
        for (size_t t = 0; t < 3; t++) {
            v.push_back(filter_case(kernels[k])
                            .on(kTypes[t])
                            .size(k % 2 ? 13 : 10, k % 3 ? 9 : 7, 1 + int((k + t) % 4))
                            .b(kBorders[(k + t) % 4]));
        }
    }
    const char *shape_kernels[] = {"box9", "gauss_s1", "motion7_45", "custom_3x7", "binomial7"};
    const int shapes[][2] = {{1, 1}, {1, 5}, {5, 1}, {3, 3}};
    int n = 0;
    for (const char *label : shape_kernels) {
        for (size_t s = 0; s < std::size(shapes); s++, n++) {
            v.push_back(filter_case(filter_kernel(label))
                            .on(kTypes[n % 3])
                            .size(shapes[s][0], shapes[s][1], 1 + int(s % 4))
                            .b(kBorders[n % 4]));
        }
    }
    int k = 0;
    for (GradientOperator op : {GradientOperator::Sobel, GradientOperator::Prewitt}) {
        for (size_t t = 0; t < 3; t++, k++) v.push_back(gradient_case(op).on(kTypes[t]).size(11, 7, 1 + k % 4).b(kBorders[k % 4]));
        v.push_back(gradient_case(op).on(kTypes[k % 3]).size(1, 1, 1).b(kBorders[k % 4]));
        v.push_back(gradient_case(op).on(kTypes[(k + 1) % 3]).size(2, 3, 2).b(kBorders[(k + 1) % 4]));
    }
    add_special_cases(v, 9, 7);
    return v;
}

::testing::AssertionResult filter_cases_valid(const std::vector<FilterCase> &cases) {
    std::set<std::string> names, labels;
    std::set<int> borders, types, channels;
    std::set<bool> gradients;
    std::vector<std::string> problems;
    for (const FilterCase &c : cases) {
        const std::string n = c.name();
        if (!names.insert(n).second) problems.push_back("duplicate name " + n);
        for (char ch : n)
            if (!std::isalnum((unsigned char)ch) && ch != '_') {
                problems.push_back("not a gtest name: " + n);
                break;
            }
        if (c.width < 1 || c.height < 1 || c.channels < 1) problems.push_back("empty image: " + n);
        if (!c.gradient && !c.make_kernel) problems.push_back("no kernel: " + n);
        labels.insert(c.label);
        borders.insert((int)c.border);
        types.insert((int)c.type);
        channels.insert(c.channels);
    }
    for (const NamedKernel &k : filter_kernels())
        if (!labels.count(k.label)) problems.push_back("kernel not covered: " + k.label);
    for (const char *g : {"sobel", "prewitt"})
        if (!labels.count(g)) problems.push_back(std::string("gradient operator not covered: ") + g);
    if (borders.size() != 4) problems.push_back("not every border");
    if (types.size() != 3) problems.push_back("not every sample type");
    for (int ch = 1; ch <= 4; ch++)
        if (!channels.count(ch)) problems.push_back("no case with " + std::to_string(ch) + " channel(s)");
    if (problems.empty()) return ::testing::AssertionSuccess();
    auto r = ::testing::AssertionFailure();
    for (const auto &p : problems) r << p << "\n";
    return r;
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------
const char *exactness_name(Exactness e) {
    switch (e) {
    case Exactness::Exact: return "exact";
    case Exactness::WithinOne: return "within 1 at rounding ties";
    case Exactness::Float: return "float 1e-5 relative";
    }
    return "?";
}

Exactness filter_exactness(const FilterKernel &kernel, SampleType type, const FilterOptions &options) {
    if (type == SampleType::Float32) return Exactness::Float;
    const ref::EffectiveKernel e = ref::effective_kernel(kernel, type);
    if (!e.exact) return Exactness::WithinOne;
    const std::string path = halconv::filter_path(kernel, type, options);
    if (path == "integer-separable") return Exactness::Exact;
    // The header promises exact integer arithmetic for integer separable
    // kernels on integer images, whichever pipeline runs them.
    if (kernel.separable() && kernel.integer) return Exactness::Exact;
    // Float passes over integer taps: exact when the divisor is a power of
    // two and every partial sum stays below 2^24.
    const bool pow2 = (e.denominator & (e.denominator - 1)) == 0;
    double num_abs = 0;
    for (int64_t t : e.numerator) num_abs += std::fabs((double)t);
    const double maxv = type == SampleType::UInt8 ? 255.0 : 65535.0;
    if (pow2 && num_abs * maxv < 16777216.0) return Exactness::Exact;
    return Exactness::WithinOne;
}

namespace {

template<typename T>
std::string sample_str(T v) {
    std::ostringstream os;
    if constexpr (std::is_same_v<T, float>)
        os << std::setprecision(9) << v;
    else
        os << (unsigned)v;
    return os.str();
}

std::string position(size_t i, int width, int height, int channels) {
    const size_t c = i % size_t(channels);
    const size_t x = (i / size_t(channels)) % size_t(width);
    const size_t y = i / (size_t(channels) * size_t(width));
    (void)height;
    std::ostringstream os;
    os << "(x=" << x << ", y=" << y << ", c=" << c << ")";
    return os.str();
}

}  // namespace

template<typename T>
::testing::AssertionResult matches_filter_reference(const std::vector<T> &got, const ref::FilterResult &want,
                                                    Exactness rule, double max_abs_input) {
    const size_t n = want.sample.size();
    if (got.size() != n)
        return ::testing::AssertionFailure() << "size mismatch: got " << got.size() << " samples, expected " << n;
    size_t bad = 0, first = n, worst = n;
    double worst_err = -1;
    auto tolerance = [&](size_t i) {
        return 1e-5 * want.kernel_abs_sum * max_abs_input + 1e-6 * want.abs_sum[i] + 1e-30;
    };
    for (size_t i = 0; i < n; i++) {
        const double g = (double)got[i];
        const double err = std::fabs(g - want.sample[i]);
        bool ok;
        switch (rule) {
        case Exactness::Exact: ok = err == 0; break;
        case Exactness::WithinOne: {
            const double v = want.value[i];
            const double tie_distance = std::fabs(v - std::floor(v) - 0.5);
            ok = err == 0 || (err == 1 && tie_distance <= 1e-5 * want.abs_sum[i] + 1e-9);
            break;
        }
        default: ok = std::isfinite(g) && err <= tolerance(i); break;
        }
        if (!ok) {
            bad++;
            if (first == n) first = i;
            const double e = std::isfinite(err) ? err : std::numeric_limits<double>::max();
            if (e > worst_err) worst_err = e, worst = i;
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    auto describe = [&](size_t i) {
        std::ostringstream os;
        os << std::setprecision(10) << position(i, want.width, want.height, want.channels) << ": got "
           << sample_str(got[i]) << ", expected " << want.sample[i] << " (response " << want.value[i] << ")";
        if (rule == Exactness::Float) os << ", tolerance " << tolerance(i);
        return os.str();
    };
    return ::testing::AssertionFailure() << bad << " of " << n << " samples of " << want.width << "x" << want.height
                                         << "x" << want.channels << " wrong (" << exactness_name(rule)
                                         << ")\n  first " << describe(first) << "\n  worst " << describe(worst);
}

template<typename T>
::testing::AssertionResult images_identical(const std::vector<T> &a, const std::vector<T> &b, int width, int height,
                                            int channels) {
    if (a.size() != b.size())
        return ::testing::AssertionFailure() << "size mismatch: " << a.size() << " vs " << b.size();
    size_t bad = 0, first = a.size();
    for (size_t i = 0; i < a.size(); i++) {
        if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) {
            bad++;
            if (first == a.size()) first = i;
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << a.size() << " samples differ; first at "
                                         << position(first, width, height, channels) << ": "
                                         << sample_str(a[first]) << " vs " << sample_str(b[first]);
}

template ::testing::AssertionResult matches_filter_reference<uint8_t>(const std::vector<uint8_t> &,
                                                                     const ref::FilterResult &, Exactness, double);
template ::testing::AssertionResult matches_filter_reference<uint16_t>(const std::vector<uint16_t> &,
                                                                      const ref::FilterResult &, Exactness, double);
template ::testing::AssertionResult matches_filter_reference<float>(const std::vector<float> &,
                                                                   const ref::FilterResult &, Exactness, double);
template ::testing::AssertionResult images_identical<uint8_t>(const std::vector<uint8_t> &,
                                                             const std::vector<uint8_t> &, int, int, int);
template ::testing::AssertionResult images_identical<uint16_t>(const std::vector<uint16_t> &,
                                                              const std::vector<uint16_t> &, int, int, int);
template ::testing::AssertionResult images_identical<float>(const std::vector<float> &, const std::vector<float> &,
                                                           int, int, int);

template<typename T>
ref::FilterResult ref_filter2d(const Image<T> &input, const FilterKernel &kernel, const FilterOptions &options) {
    return ref::filter2d(input.data.data(), input.width, input.height, input.channels, kernel, options);
}
template ref::FilterResult ref_filter2d<uint8_t>(const Image<uint8_t> &, const FilterKernel &, const FilterOptions &);
template ref::FilterResult ref_filter2d<uint16_t>(const Image<uint16_t> &, const FilterKernel &,
                                                  const FilterOptions &);
template ref::FilterResult ref_filter2d<float>(const Image<float> &, const FilterKernel &, const FilterOptions &);

namespace {

template<typename T>
Image<T> run_call(const Image<T> &input, const std::function<void(halconv::ImageView<T>)> &fn, const char *what) {
    Image<T> out;
    out.width = input.width, out.height = input.height, out.channels = input.channels;
    out.data.assign(input.data.size(), T(0));
    try {
        fn(halconv::ImageView<T>(out.data.data(), out.width, out.height, out.channels));
    } catch (const halconv::Error &e) {
        ADD_FAILURE() << what << " threw halconv::Error: " << e.what();
        return Image<T>{};
    } catch (const std::exception &e) {
        ADD_FAILURE() << what << " threw: " << e.what();
        return Image<T>{};
    }
    return out;
}

}  // namespace

template<typename T>
Image<T> run_filter2d(const Image<T> &input, const FilterKernel &kernel, const FilterOptions &options) {
    return run_call<T>(
        input, [&](halconv::ImageView<T> out) { halconv::filter2d(input.view(), out, kernel, options); }, "filter2d");
}
template<typename T>
Image<T> run_gradient_magnitude(const Image<T> &input, GradientOperator op, const FilterOptions &options) {
    return run_call<T>(
        input, [&](halconv::ImageView<T> out) { halconv::gradient_magnitude(input.view(), out, op, options); },
        "gradient_magnitude");
}
template Image<uint8_t> run_filter2d<uint8_t>(const Image<uint8_t> &, const FilterKernel &, const FilterOptions &);
template Image<uint16_t> run_filter2d<uint16_t>(const Image<uint16_t> &, const FilterKernel &,
                                                const FilterOptions &);
template Image<float> run_filter2d<float>(const Image<float> &, const FilterKernel &, const FilterOptions &);
template Image<uint8_t> run_gradient_magnitude<uint8_t>(const Image<uint8_t> &, GradientOperator,
                                                        const FilterOptions &);
template Image<uint16_t> run_gradient_magnitude<uint16_t>(const Image<uint16_t> &, GradientOperator,
                                                          const FilterOptions &);
template Image<float> run_gradient_magnitude<float>(const Image<float> &, GradientOperator, const FilterOptions &);

namespace {

template<typename T>
struct Fills;
template<>
struct Fills<uint8_t> {
    static constexpr uint8_t a = 0xA5, b = 0x5A, guard = 0x3C;
};
template<>
struct Fills<uint16_t> {
    static constexpr uint16_t a = 0xA5A5, b = 0x5A5A, guard = 0x3C3C;
};
template<>
struct Fills<float> {
    static constexpr float a = std::numeric_limits<float>::quiet_NaN(), b = 7777.25f, guard = -12345.5f;
};

template<typename T>
void check_typed(const FilterCase &c, halconv::Device device) {
    FilterKernel kernel;
    if (!c.gradient) {
        try {
            kernel = c.make_kernel();
        } catch (const std::exception &e) {
            FAIL() << "the kernel factory threw: " << e.what();
        }
    }
    const Image<T> input = make_image<T>(c.width, c.height, c.channels, c.data, pool_seed(c.name(), 11));
    const std::vector<T> input_copy = input.data;
    const FilterOptions opt = c.options(device);
    const int64_t n = input.samples();

    Guarded<T> out_a(n, Fills<T>::a, Fills<T>::guard), out_b(n, Fills<T>::b, Fills<T>::guard);
    auto call = [&](T *out) {
        const halconv::ImageView<T> view(out, c.width, c.height, c.channels);
        if (c.gradient)
            halconv::gradient_magnitude(input.view(), view, c.op, opt);
        else
            halconv::filter2d(input.view(), view, kernel, opt);
    };
    try {
        call(out_a.data());
        call(out_b.data());
    } catch (const halconv::Error &e) {
        FAIL() << "halconv::Error: " << e.what();
    } catch (const std::exception &e) {
        FAIL() << "exception: " << e.what();
    }
    EXPECT_TRUE(out_a.guards_intact());
    EXPECT_TRUE(out_b.guards_intact());
    EXPECT_TRUE(images_identical(input.data, input_copy, c.width, c.height, c.channels)) << "the input was modified";
    const std::vector<T> got = out_a.values();
    EXPECT_TRUE(images_identical(got, out_b.values(), c.width, c.height, c.channels))
        << "two calls on differently pre-filled outputs differ: samples left unwritten";

    ref::FilterResult want;
    Exactness rule;
    if (c.gradient) {
        want = ref::gradient_magnitude(input.data.data(), c.width, c.height, c.channels, c.op, opt);
        rule = std::is_same_v<T, float> ? Exactness::Float : Exactness::Exact;
    } else {
        want = ref_filter2d(input, kernel, opt);
        rule = filter_exactness(kernel, sample_type_of<T>(), opt);
    }
    EXPECT_TRUE(matches_filter_reference(got, want, rule, max_abs(input)))
        << (c.gradient ? std::string()
                       : "kernel '" + kernel.name + "' " + std::to_string(kernel.height) + "x" +
                             std::to_string(kernel.width) + ", path " +
                             halconv::filter_path(kernel, sample_type_of<T>(), opt));

    if (device != halconv::Device::CPU && rule == Exactness::Exact) {
        FilterOptions cpu_opt = opt;
        cpu_opt.device = halconv::Device::CPU;
        const Image<T> cpu = c.gradient ? run_gradient_magnitude(input, c.op, cpu_opt)
                                        : run_filter2d(input, kernel, cpu_opt);
        if (!cpu.data.empty()) {
            EXPECT_TRUE(images_identical(got, cpu.data, c.width, c.height, c.channels))
                << "not bit-identical to the CPU result";
        }
    }
}

}  // namespace

void check_filter_case(const FilterCase &c, halconv::Device device) {
    switch (c.type) {
    case SampleType::UInt8: check_typed<uint8_t>(c, device); break;
    case SampleType::UInt16: check_typed<uint16_t>(c, device); break;
    case SampleType::Float32: check_typed<float>(c, device); break;
    }
}

}  // namespace halconv_test
