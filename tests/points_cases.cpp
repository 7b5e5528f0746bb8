#include "points_cases.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <random>
#include <set>
#include <sstream>

namespace halconv_test {

using halconv::ConstTensor;
using halconv::GradAccumulation;
using halconv::Tensor;

// ---------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------
const char *offset_data_name(OffsetData d) {
    switch (d) {
    case OffsetData::Gaussian: return "gauss";
    case OffsetData::Integer: return "integer";
    case OffsetData::NonFinite: return "nonfinite";
    case OffsetData::Outside: return "outside";
    }
    return "?";
}

const char *lower_data_name(LowerData d) {
    switch (d) {
    case LowerData::Uniform: return "uniform";
    case LowerData::NonFinite: return "nonfinite";
    }
    return "?";
}

namespace {

bool power_of_two_ratio(int64_t a, int64_t b) {
    const int64_t hi = std::max(a, b), lo = std::min(a, b);
    if (hi % lo != 0) return false;
    const int64_t q = hi / lo;
    return (q & (q - 1)) == 0;
}

// An offset (image pixels) whose position (pixel + offset) * ratio keeps
// `margin` from every integer.
float offset_away_from_kinks(double offset, int64_t pixel, double ratio, double margin) {
    float y = (float)offset;
    for (int guard = 0; guard < 64; guard++) {
        const double pos = ((double)pixel + (double)y) * ratio;
        if (kink_distance(pos) >= margin) break;
        y = (float)((double)y + 2.5 * margin / ratio);
    }
    return y;
}

// Index of element (b, ch, i, j) of t.
int64_t t_index(const Shape &s, int64_t b, int64_t ch, int64_t i, int64_t j) { return idx4(s, b, ch, i, j); }

}  // namespace

double kink_distance(double position) { return std::fabs(position - std::nearbyint(position)); }

std::vector<float> points_offsets_away_from_kinks(const Shape &t_shape, const Shape &d_shape, double spread,
                                                  double margin, uint32_t seed) {
    Rng rng(seed);
    std::vector<float> t((size_t)numel(t_shape));
    const double ratio[2] = {(double)d_shape[2] / (double)t_shape[2], (double)d_shape[3] / (double)t_shape[3]};
    for (int64_t b = 0; b < t_shape[0]; b++)
        for (int64_t ch = 0; ch < t_shape[1]; ch++)
            for (int64_t i = 0; i < t_shape[2]; i++)
                for (int64_t j = 0; j < t_shape[3]; j++) {
                    const int comp = (int)(ch % 2);
                    t[(size_t)t_index(t_shape, b, ch, i, j)] =
                        offset_away_from_kinks(spread * rng.normal(), comp == 0 ? i : j, ratio[comp], margin);
                }
    return t;
}

std::vector<float> points_offsets(const PointsCase &c, uint32_t seed) {
    const Shape ts = c.t_shape();
    if (c.t_data == OffsetData::Gaussian)
        return points_offsets_away_from_kinks(ts, c.d_shape(), c.spread, kKinkMargin, seed);
    Rng rng(seed);
    std::vector<float> t((size_t)numel(ts));
    const double ratio[2] = {(double)c.h / (double)c.H, (double)c.w / (double)c.W};
    const int64_t size[2] = {c.h, c.w};
    const bool exact[2] = {power_of_two_ratio(c.h, c.H), power_of_two_ratio(c.w, c.W)};
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const float specials[] = {nan, inf, -inf, 1e30f, -1e30f, 3e38f, -3e38f};
    auto gauss = [&](int64_t pixel, int comp) {
        return offset_away_from_kinks(c.spread * rng.normal(), pixel, ratio[comp], kKinkMargin);
    };
    // An offset putting the sample at lower-grid position k exactly.
    auto at_position = [&](double k, int64_t pixel, int comp) { return (float)(k / ratio[comp] - (double)pixel); };
    for (int64_t b = 0; b < c.B; b++)
        for (int64_t n = 0; n < c.N; n++)
            for (int64_t i = 0; i < c.H; i++)
                for (int64_t j = 0; j < c.W; j++) {
                    const int64_t pixel[2] = {i, j};
                    float v[2];
                    switch (c.t_data) {
                    case OffsetData::Integer:
                        for (int comp = 0; comp < 2; comp++) {
                            if (rng.below(2) == 0) {
                                double k = std::nearbyint(((double)pixel[comp] + c.spread * rng.normal()) * ratio[comp]);
                                k = std::min(std::max(k, -2.0), (double)size[comp] + 1.0);
                                v[comp] = at_position(k, pixel[comp], comp);
                            } else {
                                v[comp] = gauss(pixel[comp], comp);
                            }
                        }
                        break;
                    case OffsetData::NonFinite:
                        for (int comp = 0; comp < 2; comp++) {
                            v[comp] = gauss(pixel[comp], comp);
                            if (rng.below(6) == 0) v[comp] = specials[rng.below(7)];
                        }
                        break;
                    case OffsetData::Outside: {
                        // Which axes are outside: rows, columns or both.
                        const uint32_t mode = rng.below(3);
                        for (int comp = 0; comp < 2; comp++) {
                            const bool out = mode == 2 || (int)mode == comp;
                            if (!out) {
                                v[comp] = gauss(pixel[comp], comp);
                                continue;
                            }
                            const bool before = rng.below(2) == 0;
                            const bool boundary = exact[comp] && rng.below(3) == 0;
                            // Exactly -1 or size (power-of-two ratios: exact in
                            // float), else at least 0.01 beyond them.
                            const double extra = boundary ? 0.0 : 0.01 + std::fabs(c.spread * rng.normal());
                            const double k = before ? -1.0 - extra : (double)size[comp] + extra;
                            float o = at_position(k, pixel[comp], comp);
                            // Float rounding of the offset must not bring it back.
                            const double pos = ((double)pixel[comp] + (double)o) * ratio[comp];
                            if (before && pos > -1.0) o = std::nextafter(o, -inf);
                            if (!before && pos < (double)size[comp]) o = std::nextafter(o, inf);
                            v[comp] = o;
                        }
                        break;
                    }
                    case OffsetData::Gaussian: break;
                    }
                    t[(size_t)t_index(ts, b, 2 * n, i, j)] = v[0];
                    t[(size_t)t_index(ts, b, 2 * n + 1, i, j)] = v[1];
                }
    return t;
}

std::vector<float> points_lower(const PointsCase &c, uint32_t seed) {
    std::vector<float> d = random_tensor(numel(c.d_shape()), seed);
    if (c.d_data == LowerData::NonFinite) {
        Rng rng(seed ^ 0x9e3779b9u);
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        for (float &v : d) {
            const uint32_t r = rng.below(100);
            if (r < 6) v = nan;
            else if (r < 9) v = inf;
            else if (r < 12) v = -inf;
        }
    }
    return d;
}

std::vector<float> points_grad(const PointsCase &c, uint32_t seed) { return random_tensor(numel(c.p_shape()), seed); }

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------
ref::PointsDims PointsCase::dims() const {
    ref::PointsDims d;
    d.B = B, d.N = N, d.M = M, d.H = H, d.W = W, d.h = h, d.w = w;
    return d;
}

halconv::PointsCollectionOptions PointsCase::options(Device device, GradAccumulation acc) const {
    halconv::PointsCollectionOptions o;
    o.device = device;
    o.accumulation = acc;
    return o;
}

std::string PointsCase::describe() const {
    std::ostringstream os;
    os << "points_collection case '" << label << "': t " << shape_str(t_shape()) << ", d " << shape_str(d_shape())
       << " (B " << B << ", N " << N << ", M " << M << ", image " << H << "x" << W << ", lower " << h << "x" << w
       << ", r_h " << (double)h / (double)H << ", r_w " << (double)w / (double)W << "), offsets "
       << offset_data_name(t_data) << " std " << spread << " px, d " << lower_data_name(d_data);
    return os.str();
}

std::string PointsCase::name() const {
    std::ostringstream os;
    os << label << "__B" << B << "N" << N << "M" << M << "_" << H << "x" << W << "_to_" << h << "x" << w << "_"
       << offset_data_name(t_data);
    // std as e.g. 0p5
    std::string s = std::to_string(spread);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    std::replace(s.begin(), s.end(), '.', 'p');
    os << "_std" << s;
    if (d_data != LowerData::Uniform) os << "_d" << lower_data_name(d_data);
    return os.str();
}

void PrintTo(const PointsCase &c, std::ostream *os) { *os << c.label; }

std::vector<PointsCase> points_cases() {
    using O = OffsetData;
    using L = LowerData;
    return {
        points("basic", 1, 2, 3, 8, 10, 4, 5).std_px(1.0),
        points("n1_m1", 1, 1, 1, 6, 7, 3, 4).std_px(0.5),
        points("n1_m4", 1, 1, 4, 9, 8, 5, 4).std_px(1.5),
        points("n3_m1", 1, 3, 1, 7, 9, 4, 3).std_px(1.0),
        points("ratio1", 1, 2, 2, 9, 9, 9, 9).std_px(1.5),
        points("ratio1_integer", 1, 2, 2, 7, 8, 7, 8).with(O::Integer).std_px(2.0),
        points("half_integer_even", 1, 2, 2, 8, 12, 4, 6).with(O::Integer).std_px(2.0),
        points("upsampled_x2", 1, 2, 2, 4, 5, 8, 10).std_px(0.5),
        points("upsampled_x2_integer", 1, 1, 3, 5, 4, 10, 8).with(O::Integer).std_px(1.0),
        points("upsampled_fractional", 1, 2, 2, 5, 6, 7, 11).std_px(1.0),
        points("downsampled_odd", 1, 2, 3, 13, 11, 5, 3).std_px(1.0),
        points("nonsquare_ratio", 1, 2, 2, 8, 16, 4, 2).std_px(2.0),
        points("mixed_up_down", 1, 2, 2, 6, 6, 12, 3).std_px(1.0),
        points("image_1x1", 1, 2, 2, 1, 1, 3, 3).std_px(1.0),
        points("lower_1x1", 1, 2, 2, 7, 5, 1, 1).std_px(3.0),
        points("both_1x1", 2, 1, 1, 1, 1, 1, 1).std_px(0.5),
        points("lower_one_row", 1, 2, 2, 5, 9, 1, 6).std_px(1.0),
        points("lower_one_column", 1, 2, 2, 9, 5, 5, 1).std_px(1.0),
        points("batch3", 3, 2, 2, 6, 8, 3, 4).std_px(1.0),
        points("partly_outside", 1, 2, 2, 6, 6, 3, 3).std_px(2.0),
        points("outside_std5", 1, 2, 2, 10, 10, 5, 5).std_px(5.0),
        points("outside_std20", 2, 2, 2, 16, 16, 8, 8).std_px(20.0),
        points("wholly_outside", 1, 2, 3, 8, 12, 4, 3).with(O::Outside).std_px(2.0),
        points("wholly_outside_fractional", 1, 1, 2, 7, 9, 3, 5).with(O::Outside).std_px(2.0),
        points("nonfinite_t", 2, 2, 2, 6, 7, 4, 3).with(O::NonFinite).std_px(1.5),
        points("nonfinite_d_integer", 1, 2, 2, 8, 8, 8, 8).with(O::Integer).lower(L::NonFinite).std_px(1.0),
        points("nonfinite_d", 1, 2, 2, 6, 9, 3, 5).lower(L::NonFinite).std_px(1.0),
        points("stacked_3x3", 1, 9, 9, 10, 10, 5, 5).std_px(1.0),
        points("tall_strips", 2, 1, 1, 37, 3, 11, 2).std_px(1.0),
        points("larger", 2, 4, 3, 24, 20, 12, 10).std_px(1.0),
        // Shapes at the edges of the schedules' blocks (schedules/cpu/points.h:
        // vectors of 8 or 16 samples and channels, a specialization for
        // 2M = 18, strips of 16 rows; schedules/cuda/points.h: 32 x 8
        // threads, 32 channels per block).
        points("stacked_3x3_wide", 1, 2, 9, 12, 35, 6, 18).std_px(1.0),
        points("m8_exact_vectors", 1, 1, 8, 9, 16, 5, 8).std_px(1.0),
        points("m10_channel_tail", 2, 1, 10, 6, 17, 3, 9).std_px(1.0),
        points("m17_channel_blocks", 1, 1, 17, 5, 6, 3, 3).std_px(1.0),
        points("strip_plus_one_row", 1, 2, 2, 17, 9, 9, 5).std_px(1.0),
        points("wide_rows", 1, 1, 2, 3, 70, 2, 35).std_px(1.5),
    };
}

::testing::AssertionResult points_cases_valid(const std::vector<PointsCase> &cases) {
    std::set<std::string> names;
    for (const auto &c : cases) {
        if (ref::points_output_shape(c.t_shape(), c.d_shape()).empty())
            return ::testing::AssertionFailure() << "invalid shapes: " << c.describe();
        if (c.t_data == OffsetData::Integer && !(power_of_two_ratio(c.h, c.H) && power_of_two_ratio(c.w, c.W)))
            return ::testing::AssertionFailure() << "integer positions need power-of-two ratios: " << c.describe();
        if (!(c.spread > 0.0)) return ::testing::AssertionFailure() << "spread must be positive: " << c.describe();
        if (!names.insert(c.name()).second) return ::testing::AssertionFailure() << "duplicate name " << c.name();
    }
    return ::testing::AssertionSuccess();
}

std::vector<std::string> points_coverage_missing(const std::vector<PointsCase> &cases) {
    std::vector<std::pair<std::string, bool>> features = {
        {"N = 1", false},
        {"M = 1", false},
        {"N = 1 and M = 1", false},
        {"N > 1 and M > 1", false},
        {"r = 1 (h == H, w == W)", false},
        {"h > H (upsampled lower layer)", false},
        {"r < 1 on both axes", false},
        {"non-square ratios (r_h != r_w)", false},
        {"non-integer ratio", false},
        {"odd sizes", false},
        {"1x1 image", false},
        {"1x1 lower grid", false},
        {"1 x w lower grid", false},
        {"h x 1 lower grid", false},
        {"batch > 1", false},
        {"offsets std <= 0.5 px", false},
        {"offsets std >= 5 px", false},
        {"offsets std >= 20 px", false},
        {"integer positions with r = 1", false},
        {"integer positions with r = 1/2 (even positions)", false},
        {"integer positions with r > 1", false},
        {"wholly outside samples", false},
        {"non-finite t", false},
        {"non-finite d", false},
        {"non-finite d with integer positions (weight-0 neighbours)", false},
        {"image taller than 32 rows (several strips)", false},
        {"H = 17 (a strip of 16 rows and one more)", false},
        {"2M = 18 (3x3 layers) with W >= 16", false},
        {"2M = 16", false},
        {"2M > 16, not a multiple of 8", false},
        {"2M > 32", false},
        {"W >= 16, not a multiple of 8", false},
        {"W > 64", false},
        {"W < 8", false},
    };
    auto set = [&](const std::string &name, bool v) {
        for (auto &f : features)
            if (f.first == name) f.second = f.second || v;
    };
    for (const auto &c : cases) {
        const bool integer = c.t_data == OffsetData::Integer;
        set("N = 1", c.N == 1);
        set("M = 1", c.M == 1);
        set("N = 1 and M = 1", c.N == 1 && c.M == 1);
        set("N > 1 and M > 1", c.N > 1 && c.M > 1);
        set("r = 1 (h == H, w == W)", c.h == c.H && c.w == c.W);
        set("h > H (upsampled lower layer)", c.h > c.H);
        set("r < 1 on both axes", c.h < c.H && c.w < c.W);
        set("non-square ratios (r_h != r_w)", c.h * c.W != c.w * c.H);
        set("non-integer ratio", c.h % c.H != 0 && c.H % c.h != 0);
        set("odd sizes", c.H % 2 == 1 && c.W % 2 == 1 && (c.h % 2 == 1 || c.w % 2 == 1) && c.H > 1);
        set("1x1 image", c.H == 1 && c.W == 1);
        set("1x1 lower grid", c.h == 1 && c.w == 1);
        set("1 x w lower grid", c.h == 1 && c.w > 1);
        set("h x 1 lower grid", c.h > 1 && c.w == 1);
        set("batch > 1", c.B > 1);
        set("offsets std <= 0.5 px", c.spread <= 0.5);
        set("offsets std >= 5 px", c.spread >= 5.0);
        set("offsets std >= 20 px", c.spread >= 20.0);
        set("integer positions with r = 1", integer && c.h == c.H && c.w == c.W);
        set("integer positions with r = 1/2 (even positions)", integer && 2 * c.h == c.H && 2 * c.w == c.W);
        set("integer positions with r > 1", integer && c.h > c.H && c.w > c.W);
        set("wholly outside samples", c.t_data == OffsetData::Outside);
        set("non-finite t", c.t_data == OffsetData::NonFinite);
        set("non-finite d", c.d_data == LowerData::NonFinite);
        set("non-finite d with integer positions (weight-0 neighbours)", integer && c.d_data == LowerData::NonFinite);
        set("image taller than 32 rows (several strips)", c.H > 32);
        set("H = 17 (a strip of 16 rows and one more)", c.H == 17);
        set("2M = 18 (3x3 layers) with W >= 16", c.M == 9 && c.W >= 16);
        set("2M = 16", c.M == 8);
        set("2M > 16, not a multiple of 8", c.M > 8 && (2 * c.M) % 8 != 0);
        set("2M > 32", c.M > 16);
        set("W >= 16, not a multiple of 8", c.W >= 16 && c.W % 8 != 0);
        set("W > 64", c.W > 64);
        set("W < 8", c.W < 8);
    }
    std::vector<std::string> missing;
    for (const auto &f : features)
        if (!f.second) missing.push_back(f.first);
    return missing;
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
namespace {



bool same_value(float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

::testing::AssertionResult points_values_match(const std::vector<float> &got, const ref::PointsResult &want,
                                               PointsTolerance tol) {
    if (got.size() != want.value.size())
        return ::testing::AssertionFailure() << "size mismatch: got " << got.size() << ", expected "
                                             << want.value.size();
    int64_t bad = 0, worst = -1;
    double worst_ratio = 0.0;
    std::string first;
    for (size_t i = 0; i < got.size(); i++) {
        const double w = want.value[i];
        const double g = got[i];
        bool ok;
        double t = 0.0, ratio = 0.0;
        if (std::isnan(w)) {
            ok = std::isnan(g);
        } else if (std::isinf(w)) {
            ok = g == w;
        } else {
            t = tol.rel * (1.0 + want.abs_sum[i]) + tol.position * want.position_bound[i];
            ok = std::isfinite(g) && std::fabs(g - w) <= t;
            ratio = std::isfinite(g) ? std::fabs(g - w) / t : 1e300;
        }
        if (!ok) {
            if (bad++ == 0) {
                first = position_str(want.shape, (int64_t)i, "c", "b") + ": got " + float_str(g) + ", expected " +
                        float_str(w) + (t > 0 ? ", tolerance " + float_str(t) : std::string()) +
                        (got[i] == kFiniteFill ? " (unwritten?)" : "");
            }
            if (worst < 0 || ratio > worst_ratio) worst = (int64_t)i, worst_ratio = ratio;
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << got.size() << " elements of shape "
                                         << shape_str(want.shape) << " differ from the reference\n  first bad "
                                         << first << "\n  worst " << position_str(want.shape, worst, "c", "b") << ": got "
                                         << float_str(got[(size_t)worst]) << ", expected "
                                         << float_str(want.value[(size_t)worst]);
}

::testing::AssertionResult points_bits_equal(const std::vector<float> &a, const std::vector<float> &b,
                                             const Shape &shape) {
    if (a.size() != b.size())
        return ::testing::AssertionFailure() << "size mismatch: " << a.size() << " vs " << b.size();
    int64_t bad = 0;
    std::string first;
    for (size_t i = 0; i < a.size(); i++) {
        const bool same = (std::isnan(a[i]) && std::isnan(b[i])) || std::memcmp(&a[i], &b[i], sizeof(float)) == 0;
        if (!same && bad++ == 0)
            first = position_str(shape, (int64_t)i, "c", "b") + ": " + float_str(a[i]) + " vs " + float_str(b[i]);
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << bad << " of " << a.size() << " elements of shape " << shape_str(shape)
                                         << " differ in their bits; first " << first;
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------
namespace {

template<typename Call>
bool call_ok(Call &&call) {
    try {
        call();
        return true;
    } catch (const halconv::Error &e) {
        ADD_FAILURE() << "halconv::Error thrown: " << pool_error_str(e);
    } catch (const std::exception &e) {
        ADD_FAILURE() << "unexpected exception (not halconv::Error): " << e.what();
    }
    return false;
}

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::string on(Device device) { return std::string(" on ") + halconv::device_name(device); }

uint32_t seed_of(const PointsCase &c, uint32_t salt) { return pool_seed(c.name(), salt); }

}  // namespace

void check_points_forward_case(const PointsCase &c, Device device) {
    SCOPED_TRACE(c.describe() + on(device));
    const Shape ts = c.t_shape(), ds = c.d_shape(), ps = c.p_shape();
    const std::vector<float> t = points_offsets(c, seed_of(c, 1));
    const std::vector<float> d = points_lower(c, seed_of(c, 2));
    const std::vector<float> t0 = t, d0 = d;
    const ref::PointsResult want = ref::points_collection(t.data(), ts, d.data(), ds);
    ASSERT_EQ(want.shape, ps);
    const halconv::PointsCollectionOptions opt = c.options(device);

    Shape got_shape;
    ASSERT_TRUE(call_ok([&] { got_shape = halconv::points_collection_output_shape(ts, ds); }));
    ASSERT_EQ(got_shape, ps) << "points_collection_output_shape";

    Guarded<float> out = guarded_output(want.value);
    ASSERT_TRUE(call_ok([&] {
        halconv::points_collection(ConstTensor(t.data(), ts), ConstTensor(d.data(), ds), Tensor(out.data(), ps), opt);
    }));
    EXPECT_TRUE(out.guards_intact()) << "p";
    const std::vector<float> p = out.values();
    EXPECT_TRUE(points_values_match(p, want));

    // Samples that take nothing from d (wholly outside, non-finite): p = t
    // exactly, for every m.
    {
        const ref::PointsDims dims = c.dims();
        int64_t bad = 0, count = 0;
        std::string first;
        for (int64_t b = 0; b < c.B; b++)
            for (int64_t n = 0; n < c.N; n++)
                for (int64_t i = 0; i < c.H; i++)
                    for (int64_t j = 0; j < c.W; j++) {
                        const float y = t[(size_t)idx4(ts, b, 2 * n, i, j)];
                        const float x = t[(size_t)idx4(ts, b, 2 * n + 1, i, j)];
                        if (ref::points_sample(y, x, i, j, dims).samples()) continue;
                        count++;
                        for (int64_t m = 0; m < c.M; m++) {
                            const int64_t ch = 2 * (n * c.M + m);
                            const float py = p[(size_t)idx4(ps, b, ch, i, j)];
                            const float px = p[(size_t)idx4(ps, b, ch + 1, i, j)];
                            if ((!same_value(py, y) || !same_value(px, x)) && bad++ == 0) {
                                std::ostringstream os;
                                os << "(b=" << b << ", n=" << n << ", m=" << m << ", i=" << i << ", j=" << j
                                   << "): t = (" << float_str(y) << ", " << float_str(x) << "), p = ("
                                   << float_str(py) << ", " << float_str(px) << ")";
                                first = os.str();
                            }
                        }
                    }
        EXPECT_EQ(bad, 0) << "samples with no neighbour in the lower grid must give p = t exactly; " << bad
                          << " of " << count * c.M << " (sample, m) differ, first " << first;
    }

    // The allocating overload gives the same bits.
    Shape alloc_shape;
    std::vector<float> alloc;
    ASSERT_TRUE(call_ok([&] {
        alloc = halconv::points_collection(ConstTensor(t.data(), ts), ConstTensor(d.data(), ds), opt, &alloc_shape);
    }));
    EXPECT_EQ(alloc_shape, ps) << "shape from the allocating overload";
    EXPECT_TRUE(points_bits_equal(alloc, p, ps)) << "allocating overload vs in-place call";

    EXPECT_TRUE(same_bits(t, t0)) << "t was modified";
    EXPECT_TRUE(same_bits(d, d0)) << "d was modified";
}

void check_points_backward_case(const PointsCase &c, Device device, GradAccumulation acc) {
    SCOPED_TRACE(c.describe() + on(device) + ", accumulation " + halconv::grad_accumulation_name(acc));
    const Shape ts = c.t_shape(), ds = c.d_shape(), ps = c.p_shape();
    const std::vector<float> t = points_offsets(c, seed_of(c, 1));
    const std::vector<float> d = points_lower(c, seed_of(c, 2));
    const std::vector<float> g = points_grad(c, seed_of(c, 3));
    const std::vector<float> t0 = t, d0 = d, g0 = g;
    const ref::PointsGradients want = ref::points_collection_backward(t.data(), ts, d.data(), ds, g.data());
    const halconv::PointsCollectionOptions opt = c.options(device, acc);

    auto run = [&](std::vector<float> *gt_values, std::vector<float> *gd_values) {
        Guarded<float> gt = guarded_output(want.grad_t.value);
        Guarded<float> gd = guarded_output(want.grad_d.value);
        const bool ok = call_ok([&] {
            halconv::points_collection_backward(ConstTensor(t.data(), ts), ConstTensor(d.data(), ds),
                                                ConstTensor(g.data(), ps), Tensor(gt.data(), ts),
                                                Tensor(gd.data(), ds), opt);
        });
        EXPECT_TRUE(gt.guards_intact()) << "grad_t";
        EXPECT_TRUE(gd.guards_intact()) << "grad_d";
        *gt_values = gt.values();
        *gd_values = gd.values();
        return ok;
    };
    std::vector<float> gt, gd;
    ASSERT_TRUE(run(&gt, &gd));
    EXPECT_TRUE(points_values_match(gt, want.grad_t)) << "grad_t";
    EXPECT_TRUE(points_values_match(gd, want.grad_d)) << "grad_d";
    if (acc == GradAccumulation::Deterministic) {
        std::vector<float> gt2, gd2;
        ASSERT_TRUE(run(&gt2, &gd2));
        EXPECT_TRUE(points_bits_equal(gt2, gt, ts)) << "grad_t of a second Deterministic run";
        EXPECT_TRUE(points_bits_equal(gd2, gd, ds)) << "grad_d of a second Deterministic run";
    }
    EXPECT_TRUE(same_bits(t, t0)) << "t was modified";
    EXPECT_TRUE(same_bits(d, d0)) << "d was modified";
    EXPECT_TRUE(same_bits(g, g0)) << "grad_p was modified";
}

// ---------------------------------------------------------------------------
// Library calls
// ---------------------------------------------------------------------------
std::vector<float> run_points(const std::vector<float> &t, const Shape &t_shape, const std::vector<float> &d,
                              const Shape &d_shape, const halconv::PointsCollectionOptions &opt) {
    const Shape ps = ref::points_output_shape(t_shape, d_shape);
    std::vector<float> p((size_t)numel(ps), std::numeric_limits<float>::quiet_NaN());
    if (!call_ok([&] {
            halconv::points_collection(ConstTensor(t.data(), t_shape), ConstTensor(d.data(), d_shape),
                                       Tensor(p.data(), ps), opt);
        }))
        return {};
    return p;
}

PointsGrads run_points_backward(const std::vector<float> &t, const Shape &t_shape, const std::vector<float> &d,
                                const Shape &d_shape, const std::vector<float> &g,
                                const halconv::PointsCollectionOptions &opt) {
    const Shape ps = ref::points_output_shape(t_shape, d_shape);
    PointsGrads r;
    r.grad_t.assign(t.size(), std::numeric_limits<float>::quiet_NaN());
    r.grad_d.assign(d.size(), std::numeric_limits<float>::quiet_NaN());
    if (!call_ok([&] {
            halconv::points_collection_backward(ConstTensor(t.data(), t_shape), ConstTensor(d.data(), d_shape),
                                                ConstTensor(g.data(), ps), Tensor(r.grad_t.data(), t_shape),
                                                Tensor(r.grad_d.data(), d_shape), opt);
        }))
        return {};
    return r;
}

}  // namespace halconv_test
