// halconv_demo: the lecture's cross-correlation examples on a real photo.
//
// Loads a PNG, turns it into a float NCHW tensor [1, C, H, W] in [0, 1] and
// filters it with halconv::conv2d as a depthwise convolution (groups = C):
// box blur, Gaussian blur, motion blur, shift and two edge detectors. Writes
// one PNG per filter and prints a timing table for the CPU and for each GPU
// backend that halconv::device_available() reports.
//
// Every result is checked against a direct evaluation of the convolution sum
// at sampled pixels (the shift exactly, everywhere), and GPU results against
// the CPU's; a mismatch makes the demo exit with status 3.
//
// Usage: halconv_demo [--out DIR] [--runs N] [--threads N] [--devices LIST] [image.png]
#include <halconv/halconv.h>

#include "png_io.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#ifndef HALCONV_DEMO_SOURCE_DIR
#define HALCONV_DEMO_SOURCE_DIR ""
#endif

namespace fs = std::filesystem;

namespace {

constexpr const char *kDefaultImage = "data/astronaut.png";

struct Options {
    std::string image;
    std::string out_dir = "out";
    int runs = 5;
    int threads = 0;
    std::vector<halconv::Device> gpus{halconv::Device::CUDA, halconv::Device::OpenCL};
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void print_usage(std::ostream &os) {
    os << "usage: halconv_demo [options] [image.png]\n"
          "\n"
          "Filters a photo with halconv::conv2d (depthwise, groups = channels) using the\n"
          "lecture's kernels, writes one PNG per filter and prints a timing table.\n"
          "\n"
          "  image.png        input photo (default: " << kDefaultImage << ")\n"
          "  --out DIR        output directory (default: out)\n"
          "  --runs N         timed runs per filter and device; the median is shown (default: 5)\n"
          "  --threads N      CPU threads (default: 0 = one per core)\n"
          "  --devices LIST   GPU backends to try besides the CPU, comma separated:\n"
          "                   cuda, opencl, or none (default: cuda,opencl)\n"
          "  -h, --help       this text\n"
          "\n"
          "Exit status: 0 ok, 1 error (bad image, I/O, halconv error), 2 bad usage,\n"
          "3 a result failed its correctness check.\n";
}

int parse_int(const std::string &flag, const std::string &v, int lo, int hi) {
    char *end = nullptr;
    errno = 0;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || x < lo || x > hi) {
        throw UsageError(flag + " expects an integer in [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "], got '" + v + "'");
    }
    return int(x);
}

Options parse_args(int argc, char **argv) {
    Options o;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        std::string value;
        bool has_value = false;
        const auto eq = a.find('=');
        if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_value = true;
        }
        auto next = [&]() -> std::string {
            if (has_value) return value;
            if (i + 1 >= argc) throw UsageError(a + " needs a value");
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            print_usage(std::cout);
            std::exit(0);
        } else if (a == "--out") {
            o.out_dir = next();
            if (o.out_dir.empty()) throw UsageError("--out needs a directory");
        } else if (a == "--runs") {
            o.runs = parse_int("--runs", next(), 1, 10000);
        } else if (a == "--threads") {
            o.threads = parse_int("--threads", next(), 0, 4096);
        } else if (a == "--devices") {
            o.gpus.clear();
            std::stringstream ss(next());
            std::string name;
            while (std::getline(ss, name, ',')) {
                if (name.empty() || name == "none") continue;
                halconv::Device d;
                try {
                    d = halconv::parse_device(name);
                } catch (const halconv::Error &e) {
                    throw UsageError("--devices: " + std::string(e.what()));
                }
                if (d == halconv::Device::CPU) continue;  // always run
                if (std::find(o.gpus.begin(), o.gpus.end(), d) == o.gpus.end()) o.gpus.push_back(d);
            }
        } else if (a.size() > 1 && a[0] == '-') {
            throw UsageError("unknown option " + a);
        } else {
            positional.push_back(a);
        }
    }
    if (positional.size() > 1) throw UsageError("expected at most one image, got " + std::to_string(positional.size()));
    if (!positional.empty()) {
        o.image = positional[0];
    } else {
        // Relative to the working directory (scripts/demo runs in the repo
        // root); fall back to the source tree the demo was built from.
        o.image = kDefaultImage;
        const fs::path src = fs::path(HALCONV_DEMO_SOURCE_DIR) / kDefaultImage;
        std::error_code ec;
        if (!fs::exists(o.image, ec) && !std::string(HALCONV_DEMO_SOURCE_DIR).empty() && fs::exists(src, ec)) {
            o.image = src.string();
        }
    }
    return o;
}

// --- the filters ----------------------------------------------------------------

enum class Post { Clamp, Magnitude, Abs };

struct Filter {
    std::string name;         // file name part
    std::string description;  // one line
    int R = 1, S = 1;         // kernel height, width
    int pad_h = 0, pad_w = 0;
    int multiplier = 1;       // output channels per input channel
    std::vector<std::vector<float>> kernels;  // `multiplier` kernels of R*S taps, row-major
    Post post = Post::Clamp;

    std::string size() const { return std::to_string(R) + "x" + std::to_string(S); }
};

Filter box_blur(int n) {
    Filter f;
    f.name = "box_blur";
    f.description = "box blur: mean of a " + std::to_string(n) + "x" + std::to_string(n) + " window";
    f.R = f.S = n;
    f.pad_h = f.pad_w = n / 2;
    f.kernels = {std::vector<float>(size_t(n * n), 1.0f / float(n * n))};
    return f;
}

Filter gaussian_blur(float sigma) {
    const int radius = int(std::ceil(3.0f * sigma));
    const int n = 2 * radius + 1;
    Filter f;
    f.name = "gaussian_blur";
    std::ostringstream d;
    d << "Gaussian blur, sigma " << sigma << " px";
    f.description = d.str();
    f.R = f.S = n;
    f.pad_h = f.pad_w = radius;
    std::vector<float> k(size_t(n * n));
    double sum = 0;
    for (int r = 0; r < n; r++)
        for (int s = 0; s < n; s++) {
            const double dy = r - radius, dx = s - radius;
            const double v = std::exp(-(dx * dx + dy * dy) / (2.0 * sigma * sigma));
            k[size_t(r * n + s)] = float(v);
            sum += v;
        }
    for (float &v : k) v = float(v / sum);
    f.kernels = {k};
    return f;
}

Filter motion_blur(int n) {
    Filter f;
    f.name = "motion_blur";
    f.description = "motion blur: mean along a " + std::to_string(n) + "-pixel diagonal line";
    f.R = f.S = n;
    f.pad_h = f.pad_w = n / 2;
    std::vector<float> k(size_t(n * n), 0.0f);
    for (int i = 0; i < n; i++) k[size_t(i * n + i)] = 1.0f / float(n);
    f.kernels = {k};
    return f;
}

// Cross-correlation with a single 1 at (r0, s0) and padding p computes
// out(y, x) = in(y + r0 - p, x + s0 - p): the picture moves by (dx, dy) =
// (p - s0, p - r0). Output size equals input size because the kernel is
// (2p+1) x (2p+1).
Filter shift(int dx, int dy, int radius) {
    Filter f;
    f.name = "shift";
    f.description = "shift: content moves right " + std::to_string(dx) + ", down " + std::to_string(dy) +
                    " (one 1 off-centre)";
    const int n = 2 * radius + 1;
    f.R = f.S = n;
    f.pad_h = f.pad_w = radius;
    std::vector<float> k(size_t(n * n), 0.0f);
    k[size_t((radius - dy) * n + (radius - dx))] = 1.0f;
    f.kernels = {k};
    return f;
}

Filter sobel() {
    Filter f;
    f.name = "edges_sobel";
    f.description = "edge detector: Sobel gradient magnitude (2 kernels per channel), scaled";
    f.R = f.S = 3;
    f.pad_h = f.pad_w = 1;
    f.multiplier = 2;
    f.kernels = {{-1, 0, 1, -2, 0, 2, -1, 0, 1},    // d/dx
                 {-1, -2, -1, 0, 0, 0, 1, 2, 1}};   // d/dy
    f.post = Post::Magnitude;
    return f;
}

Filter laplacian() {
    Filter f;
    f.name = "edges_laplacian";
    f.description = "edge detector: |Laplacian|, scaled";
    f.R = f.S = 3;
    f.pad_h = f.pad_w = 1;
    f.kernels = {{0, 1, 0, 1, -4, 1, 0, 1, 0}};
    f.post = Post::Abs;
    return f;
}

// Weight tensor [C * multiplier, 1, R, S] for groups = C.
std::vector<float> depthwise_weight(const Filter &f, int C) {
    std::vector<float> w;
    w.reserve(size_t(C) * size_t(f.multiplier) * size_t(f.R * f.S));
    for (int c = 0; c < C; c++)
        for (const auto &k : f.kernels) w.insert(w.end(), k.begin(), k.end());
    return w;
}

// --- running and checking ----------------------------------------------------------

struct Problem {
    const std::vector<float> *input;
    int C, H, W;
    std::vector<float> weight;
    halconv::Shape input_shape, weight_shape, output_shape;
    halconv::Conv2dOptions options;
};

Problem make_problem(const std::vector<float> &input, int C, int H, int W, const Filter &f) {
    Problem p;
    p.input = &input;
    p.C = C;
    p.H = H;
    p.W = W;
    p.weight = depthwise_weight(f, C);
    p.input_shape = {1, C, H, W};
    p.weight_shape = {int64_t(C) * f.multiplier, 1, f.R, f.S};
    p.options.padding = {f.pad_h, f.pad_w};
    p.options.groups = C;
    p.output_shape = halconv::conv2d_output_shape(p.input_shape, p.weight_shape, p.options);
    return p;
}

void run_once(const Problem &p, halconv::Device device, std::vector<float> &out) {
    halconv::Conv2dOptions o = p.options;
    o.device = device;
    size_t n = 1;
    for (int64_t d : p.output_shape) n *= size_t(d);
    out.resize(n);
    halconv::conv2d(halconv::ConstTensor(p.input->data(), p.input_shape),
                    halconv::ConstTensor(p.weight.data(), p.weight_shape), halconv::ConstTensor{},
                    halconv::Tensor(out.data(), p.output_shape), o);
}

// Median wall time in milliseconds of `runs` calls, after one warm-up call
// (which includes one-off costs: GPU context, kernel compilation).
double time_ms(const Problem &p, halconv::Device device, int runs, std::vector<float> &out) {
    run_once(p, device, out);
    std::vector<double> ms;
    for (int i = 0; i < runs; i++) {
        const auto t0 = std::chrono::steady_clock::now();
        run_once(p, device, out);
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const size_t n = ms.size();
    return n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
}

// Direct evaluation of the cross-correlation sum at sampled output points.
// Returns the largest error relative to the kernel's L1 norm.
double check_against_reference(const Problem &p, const Filter &f, const std::vector<float> &out) {
    const int K = int(p.output_shape[1]), OH = int(p.output_shape[2]), OW = int(p.output_shape[3]);
    std::mt19937 rng(12345);
    std::vector<std::array<int, 3>> points;
    for (int k = 0; k < K; k++) {  // corners of every channel, then random points
        for (int y : {0, OH - 1})
            for (int x : {0, OW - 1}) points.push_back({k, y, x});
    }
    for (int i = 0; i < 400; i++) {
        points.push_back({int(rng() % unsigned(K)), int(rng() % unsigned(OH)), int(rng() % unsigned(OW))});
    }
    const auto &in = *p.input;
    double worst = 0;
    for (const auto &pt : points) {
        const int k = pt[0], y = pt[1], x = pt[2];
        const int c = k / f.multiplier;
        const float *w = p.weight.data() + size_t(k) * size_t(f.R * f.S);
        double acc = 0, l1 = 0;
        for (int r = 0; r < f.R; r++) {
            for (int s = 0; s < f.S; s++) {
                const int iy = y - f.pad_h + r, ix = x - f.pad_w + s;
                const double wv = w[r * f.S + s];
                l1 += std::fabs(wv);
                if (iy < 0 || iy >= p.H || ix < 0 || ix >= p.W) continue;
                acc += wv * double(in[(size_t(c) * size_t(p.H) + size_t(iy)) * size_t(p.W) + size_t(ix)]);
            }
        }
        const double got = out[(size_t(k) * size_t(OH) + size_t(y)) * size_t(OW) + size_t(x)];
        worst = std::max(worst, std::fabs(got - acc) / std::max(1.0, l1));
    }
    return worst;
}

// The shift filter must move every pixel exactly (zeros enter at the border).
double check_shift(const Problem &p, int dx, int dy, const std::vector<float> &out) {
    double worst = 0;
    const auto &in = *p.input;
    for (int c = 0; c < p.C; c++)
        for (int y = 0; y < p.H; y++)
            for (int x = 0; x < p.W; x++) {
                const int sy = y - dy, sx = x - dx;
                const float expect = (sy < 0 || sy >= p.H || sx < 0 || sx >= p.W)
                                         ? 0.0f
                                         : in[(size_t(c) * size_t(p.H) + size_t(sy)) * size_t(p.W) + size_t(sx)];
                const float got = out[(size_t(c) * size_t(p.H) + size_t(y)) * size_t(p.W) + size_t(x)];
                worst = std::max(worst, double(std::fabs(got - expect)));
            }
    return worst;
}

double max_abs_diff(const std::vector<float> &a, const std::vector<float> &b) {
    if (a.size() != b.size()) return INFINITY;
    double worst = 0;
    for (size_t i = 0; i < a.size(); i++) {
        const double d = std::fabs(double(a[i]) - double(b[i]));
        if (!(d <= worst)) worst = d;  // NaN propagates as the worst
    }
    return worst;
}

// Converts the conv2d output [1, K, H, W] to a displayable [C, H, W] in [0, 1].
std::vector<float> to_display(const Filter &f, const std::vector<float> &out, int C, int H, int W,
                              std::string *note) {
    const size_t plane = size_t(H) * size_t(W);
    if (f.post == Post::Clamp) return out;
    std::vector<float> img(size_t(C) * plane);
    for (int c = 0; c < C; c++) {
        for (size_t i = 0; i < plane; i++) {
            if (f.post == Post::Magnitude) {
                const float gx = out[size_t(2 * c) * plane + i], gy = out[size_t(2 * c + 1) * plane + i];
                img[size_t(c) * plane + i] = std::sqrt(gx * gx + gy * gy);
            } else {
                img[size_t(c) * plane + i] = std::fabs(out[size_t(c) * plane + i]);
            }
        }
    }
    // Scale so that the 99.5th percentile maps to white: edges stay visible
    // whatever the photo's contrast.
    std::vector<float> sorted = img;
    const size_t q = std::min(sorted.size() - 1, size_t(double(sorted.size()) * 0.995));
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(q), sorted.end());
    const float p995 = sorted[q];
    const float scale = p995 > 1e-6f ? 1.0f / p995 : 1.0f;
    for (float &v : img) v *= scale;
    std::ostringstream os;
    os << "|response| x " << scale;
    *note = os.str();
    return img;
}

// "CPU", "CUDA", "OpenCL" for the table (device_name() gives the parse names).
std::string display_name(halconv::Device d) {
    switch (d) {
    case halconv::Device::CPU: return "CPU";
    case halconv::Device::CUDA: return "CUDA";
    case halconv::Device::OpenCL: return "OpenCL";
    }
    return halconv::device_name(d);
}

std::string sci(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1e", v);
    return buf;
}

std::string fmt(double v, int prec) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", prec, v);
    return buf;
}

std::string pad(const std::string &s, size_t w, bool right = false) {
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

int run(const Options &opt) {
    std::cout << "halconv " << halconv::version() << " demo\n";
    std::string why;
    if (!halconv::device_available(halconv::Device::CPU, &why)) {
        std::cerr << "halconv_demo: the CPU backend cannot run here: " << why << "\n";
        return 1;
    }
    if (opt.threads > 0) halconv::set_num_threads(opt.threads);

    // Load and convert: [1, C, H, W] float in [0, 1]; alpha composited on white.
    const pngio::Image png = pngio::read_png(opt.image);
    int C = 0;
    const std::vector<float> input = pngio::to_planar_float(png, false, 1.0f, &C);
    const int H = png.height, W = png.width;
    std::cout << "input:  " << opt.image << " (" << W << "x" << H << " " << pngio::channels_name(png.channels)
              << ", " << png.bit_depth << "-bit) -> tensor [1, " << C << ", " << H << ", " << W
              << "] float32" << (png.has_alpha() ? ", alpha composited on white" : "") << "\n";

    std::error_code ec;
    fs::create_directories(opt.out_dir, ec);
    if (ec) throw std::runtime_error("cannot create output directory " + opt.out_dir + ": " + ec.message());
    std::cout << "output: " << opt.out_dir << "/\n\n";

    // Which GPU backends can run here.
    struct Gpu {
        halconv::Device device;
        bool available;
        std::string why;
    };
    std::vector<Gpu> gpus;
    for (halconv::Device d : opt.gpus) {
        std::string reason;
        const bool ok = halconv::device_available(d, &reason);
        gpus.push_back({d, ok, reason});
    }

    const int shift_dx = 20, shift_dy = 10;
    const std::vector<Filter> filters = {box_blur(7),        gaussian_blur(3.0f), motion_blur(15),
                                         shift(shift_dx, shift_dy, 20), sobel(), laplacian()};
    const std::string stem = fs::path(opt.image).stem().string();
    const double mpix = double(H) * double(W) / 1e6;

    // Table header.
    std::ostringstream header;
    header << pad("filter", 17) << pad("kernel", 8) << pad("out ch", 7, true) << pad("CPU ms", 11, true)
           << pad("CPU MP/s", 10, true);
    for (const auto &g : gpus) {
        if (!g.available) continue;
        const std::string n = display_name(g.device);
        header << pad(n + " ms", 11, true) << pad(n + " MP/s", 12, true) << pad("max diff", 11, true);
    }
    std::vector<std::string> rows, notes, files;
    bool all_ok = true;

    for (const Filter &f : filters) {
        const Problem p = make_problem(input, C, H, W, f);
        std::vector<float> cpu_out;
        const double cpu_ms = time_ms(p, halconv::Device::CPU, opt.runs, cpu_out);

        // Correctness: direct sum at sampled points; the shift exactly.
        const double err = check_against_reference(p, f, cpu_out);
        if (!(err <= 1e-4)) {
            all_ok = false;
            notes.push_back("CHECK FAILED: " + f.name + " on CPU differs from the direct sum by " + fmt(err, 6));
        }
        if (f.name == "shift") {
            const double e = check_shift(p, shift_dx, shift_dy, cpu_out);
            if (!(e <= 1e-6)) {
                all_ok = false;
                notes.push_back("CHECK FAILED: shift is not an exact translation (max error " + fmt(e, 6) + ")");
            }
        }

        std::ostringstream row;
        row << pad(f.name, 17) << pad(f.size(), 8) << pad(std::to_string(p.output_shape[1]), 7, true)
            << pad(fmt(cpu_ms, 2), 11, true) << pad(fmt(mpix / (cpu_ms / 1e3), 1), 10, true);
        for (const auto &g : gpus) {
            if (!g.available) continue;
            const std::string n = display_name(g.device);
            try {
                std::vector<float> gpu_out;
                const double ms = time_ms(p, g.device, opt.runs, gpu_out);
                const double d = max_abs_diff(gpu_out, cpu_out);
                const bool ok = d <= 1e-3;
                row << pad(fmt(ms, 2), 11, true) << pad(fmt(mpix / (ms / 1e3), 1), 12, true)
                    << pad((ok ? "" : "!") + sci(d), 11, true);
                if (!ok) {
                    all_ok = false;
                    notes.push_back("CHECK FAILED: " + f.name + " on " + n + " differs from the CPU by " + fmt(d, 6));
                }
            } catch (const halconv::Error &e) {
                all_ok = false;
                row << pad("error", 11, true) << pad("", 12) << pad("", 11);
                notes.push_back(n + " failed on " + f.name + ": " + e.what());
            }
        }
        rows.push_back(row.str());

        std::string note;
        const std::vector<float> shown = to_display(f, cpu_out, C, H, W, &note);
        const pngio::Image img = pngio::from_planar_float(shown.data(), C, H, W, png.bit_depth);
        const std::string path = (fs::path(opt.out_dir) / (stem + "_" + f.name + ".png")).string();
        pngio::write_png(path, img);
        files.push_back(pad(path, 46) + "  " + f.description + (note.empty() ? "" : " (" + note + ")"));
    }

    std::cout << "conv2d, depthwise (groups = " << C << "), stride 1, zero padding so output size = input size;\n"
              << "median of " << opt.runs << " runs after one warm-up; MP/s = image megapixels (" << fmt(mpix, 3)
              << ", all channels) per second;\n"
              << "GPU times include host<->device copies; max diff = largest |GPU - CPU| over the output.\n\n";
    std::cout << header.str() << "\n" << std::string(header.str().size(), '-') << "\n";
    for (const auto &r : rows) std::cout << r << "\n";
    for (const auto &g : gpus) {
        if (!g.available) std::cout << display_name(g.device) << ": n/a (" << g.why << ")\n";
    }
    std::cout << "\nwritten:\n";
    for (const auto &f : files) std::cout << "  " << f << "\n";
    for (const auto &n : notes) std::cerr << n << "\n";
    if (!all_ok) {
        std::cerr << "halconv_demo: some results failed their checks (see above)\n";
        return 3;
    }
    std::cout << "\nall results match the direct convolution sum"
              << (std::any_of(gpus.begin(), gpus.end(), [](const Gpu &g) { return g.available; })
                      ? " and the GPU results match the CPU's"
                      : "")
              << ".\n";
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    try {
        return run(parse_args(argc, argv));
    } catch (const UsageError &e) {
        std::cerr << "halconv_demo: " << e.what() << "\n\n";
        print_usage(std::cerr);
        return 2;
    } catch (const pngio::PngError &e) {
        std::cerr << "halconv_demo: cannot use image: " << e.what() << "\n";
        return 1;
    } catch (const halconv::Error &e) {
        std::cerr << "halconv_demo: halconv error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "halconv_demo: " << e.what() << "\n";
        return 1;
    }
}
