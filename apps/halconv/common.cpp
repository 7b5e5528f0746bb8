#include "common.h"

#include "opencv_filters.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace halconv_cli {

// --- arguments -----------------------------------------------------------------

std::string ArgReader::next(bool *positional) {
    has_inline_ = false;
    std::string a = argv_[i_++];
    if (!only_positional_ && a == "--") {
        only_positional_ = true;
        if (done()) {
            *positional = false;
            return "--";
        }
        a = argv_[i_++];
    }
    if (only_positional_ || a.size() < 2 || a[0] != '-') {
        *positional = true;
        return a;
    }
    *positional = false;
    const auto eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
        has_inline_ = true;
        inline_value_ = a.substr(eq + 1);
        a = a.substr(0, eq);
    }
    return a;
}

std::string ArgReader::value(const std::string &option) {
    if (has_inline_) {
        has_inline_ = false;
        return inline_value_;
    }
    if (done()) throw UsageError("option " + option + " needs a value");
    return argv_[i_++];
}

int parse_int(const std::string &option, const std::string &text, int lo, int hi) {
    char *end = nullptr;
    errno = 0;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || v < lo || v > hi) {
        throw ArgError(option + " expects an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                       ", got '" + text + "'");
    }
    return int(v);
}

double parse_double(const std::string &option, const std::string &text, double lo, double hi) {
    char *end = nullptr;
    errno = 0;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v) || v < lo || v > hi) {
        std::ostringstream os;
        os << option << " expects a number from " << lo << " to " << hi << ", got '" << text << "'";
        throw ArgError(os.str());
    }
    return v;
}

halconv::Device parse_device_arg(const std::string &text) {
    if (text == "cpu") return halconv::Device::CPU;
    if (text == "cuda") return halconv::Device::CUDA;
    if (text == "opencl") return halconv::Device::OpenCL;
    throw ArgError("--device expects cpu, cuda or opencl, got '" + text + "'");
}

halconv::Border parse_border_arg(const std::string &text) {
    if (text == "zero") return halconv::Border::Zero;
    if (text == "clamp") return halconv::Border::Clamp;
    if (text == "mirror") return halconv::Border::Mirror;
    if (text == "wrap") return halconv::Border::Wrap;
    throw ArgError("--border expects zero, clamp, mirror or wrap, got '" + text + "'");
}

void check_output_path(const std::string &path) {
    if (path.empty()) throw ArgError("the output file name is empty");
    const fs::path p(path);
    fs::path dir = p.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw std::runtime_error("output directory '" + dir.string() + "' does not exist");
    if (!fs::is_directory(dir, ec)) throw std::runtime_error("'" + dir.string() + "' is not a directory");
    if (fs::is_directory(p, ec)) throw std::runtime_error("output '" + path + "' is a directory");
}

// --- images ----------------------------------------------------------------------

namespace {

template<typename T>
void check_type(const pngio::Image &img) {
    if (int(sizeof(T)) != img.bytes_per_sample()) {
        throw std::logic_error("sample type does not match the image's bit depth");
    }
}

}  // namespace

template<typename T>
std::vector<T> colour_samples(const pngio::Image &img) {
    check_type<T>(img);
    const int C = img.channels, cc = colour_channels(img);
    const size_t pixels = size_t(img.width) * size_t(img.height);
    std::vector<T> out(pixels * size_t(cc));
    const uint8_t *src = img.pixels.data();
    if (cc == C) {
        std::memcpy(out.data(), src, out.size() * sizeof(T));
        return out;
    }
    for (size_t i = 0; i < pixels; i++) {
        std::memcpy(&out[i * size_t(cc)], src + i * size_t(C) * sizeof(T), size_t(cc) * sizeof(T));
    }
    return out;
}

template<typename T>
void set_colour_samples(pngio::Image &img, const std::vector<T> &colour) {
    check_type<T>(img);
    const int C = img.channels, cc = colour_channels(img);
    const size_t pixels = size_t(img.width) * size_t(img.height);
    if (colour.size() != pixels * size_t(cc)) throw std::logic_error("colour buffer has the wrong size");
    uint8_t *dst = img.pixels.data();
    if (cc == C) {
        std::memcpy(dst, colour.data(), colour.size() * sizeof(T));
        return;
    }
    for (size_t i = 0; i < pixels; i++) {
        std::memcpy(dst + i * size_t(C) * sizeof(T), &colour[i * size_t(cc)], size_t(cc) * sizeof(T));
    }
}

template std::vector<uint8_t> colour_samples<uint8_t>(const pngio::Image &);
template std::vector<uint16_t> colour_samples<uint16_t>(const pngio::Image &);
template void set_colour_samples<uint8_t>(pngio::Image &, const std::vector<uint8_t> &);
template void set_colour_samples<uint16_t>(pngio::Image &, const std::vector<uint16_t> &);

std::vector<float> luminance(const pngio::Image &img) {
    int C = 0;
    const std::vector<float> planar = pngio::to_planar_float(img, false, 1.0f, &C);
    const size_t n = size_t(img.width) * size_t(img.height);
    if (C == 1) return planar;
    std::vector<float> lum(n);
    for (size_t i = 0; i < n; i++) {
        lum[i] = 0.299f * planar[i] + 0.587f * planar[n + i] + 0.114f * planar[2 * n + i];
    }
    return lum;
}

float percentile(std::vector<float> v, double p) {
    if (v.empty()) return 0.0f;
    const size_t q = std::min(v.size() - 1, size_t(double(v.size() - 1) * p / 100.0 + 0.5));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(q), v.end());
    return v[q];
}

void hsv_to_rgb(double hue_deg, double s, double v, uint8_t rgb[3]) {
    double h = std::fmod(hue_deg, 360.0);
    if (h < 0) h += 360.0;
    const double c = v * s, hp = h / 60.0, x = c * (1.0 - std::fabs(std::fmod(hp, 2.0) - 1.0)), m = v - c;
    double r = 0, g = 0, b = 0;
    switch (int(hp) % 6) {
    case 0: r = c, g = x; break;
    case 1: r = x, g = c; break;
    case 2: g = c, b = x; break;
    case 3: g = x, b = c; break;
    case 4: r = x, b = c; break;
    default: r = c, b = x; break;
    }
    auto to8 = [](double t) { return uint8_t(std::lround(std::clamp(t, 0.0, 1.0) * 255.0)); };
    rgb[0] = to8(r + m);
    rgb[1] = to8(g + m);
    rgb[2] = to8(b + m);
}

pngio::Image to_rgb8(const pngio::Image &img) {
    pngio::Image out(img.width, img.height, 3, 8);
    const double maxv = img.max_value();
    const bool alpha = img.has_alpha();
    const int cc = colour_channels(img);
    for (int y = 0; y < img.height; y++) {
        for (int x = 0; x < img.width; x++) {
            const double a = alpha ? img.sample(x, y, img.channels - 1) / maxv : 1.0;
            for (int c = 0; c < 3; c++) {
                const double v = img.sample(x, y, cc == 1 ? 0 : c) / maxv;
                const double composited = v * a + (1.0 - a);  // over white
                out.set_sample(x, y, c, uint32_t(std::lround(std::clamp(composited, 0.0, 1.0) * 255.0)));
            }
        }
    }
    return out;
}

// --- filters -----------------------------------------------------------------------

std::string FilterJob::describe() const {
    if (filter.kind == ParsedFilter::Kind::Gradient) return filter.name + " (3x3, |gx|+|gy|)";
    return filter.name + " (" + std::to_string(filter.kernel.width) + "x" + std::to_string(filter.kernel.height) +
           ")";
}

std::string FilterJob::path(halconv::SampleType type) const {
    if (filter.kind == ParsedFilter::Kind::Gradient) return "gradient";
    return halconv::filter_path(filter.kernel, type, options);
}

template<typename T>
void run_halconv(const FilterJob &job, halconv::ImageView<const T> in, halconv::ImageView<T> out) {
    if (job.filter.kind == ParsedFilter::Kind::Gradient) {
        halconv::gradient_magnitude(in, out, job.filter.gradient, job.options);
    } else {
        halconv::filter2d(in, out, job.filter.kernel, job.options);
    }
}

template<typename T>
std::string run_opencv(const FilterJob &job, halconv::ImageView<const T> in, halconv::ImageView<T> out,
                       int threads) {
    if (job.filter.kind == ParsedFilter::Kind::Gradient) {
        return halconv_peer::opencv_gradient_magnitude(in, out, job.filter.gradient, job.options, threads);
    }
    return halconv_peer::opencv_filter2d(in, out, job.filter.kernel, job.options, threads);
}

template void run_halconv<uint8_t>(const FilterJob &, halconv::ImageView<const uint8_t>, halconv::ImageView<uint8_t>);
template void run_halconv<uint16_t>(const FilterJob &, halconv::ImageView<const uint16_t>,
                                    halconv::ImageView<uint16_t>);
template void run_halconv<float>(const FilterJob &, halconv::ImageView<const float>, halconv::ImageView<float>);
template std::string run_opencv<uint8_t>(const FilterJob &, halconv::ImageView<const uint8_t>,
                                         halconv::ImageView<uint8_t>, int);
template std::string run_opencv<uint16_t>(const FilterJob &, halconv::ImageView<const uint16_t>,
                                          halconv::ImageView<uint16_t>, int);
template std::string run_opencv<float>(const FilterJob &, halconv::ImageView<const float>, halconv::ImageView<float>,
                                       int);

// --- timing and formatting ------------------------------------------------------------

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string fmt(double v, int precision) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", precision, v);
    return buf;
}

std::string device_display_name(halconv::Device d) {
    switch (d) {
    case halconv::Device::CPU: return "CPU";
    case halconv::Device::CUDA: return "CUDA";
    case halconv::Device::OpenCL: return "OpenCL";
    }
    return halconv::device_name(d);
}

int default_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : int(n);
}

}  // namespace halconv_cli
