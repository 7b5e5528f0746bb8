// halconv demo [options] [photo.png ...]
//
// The lecture's filters on real photos: for each photo a labelled contact
// sheet (original, box blur, Gaussian blur, motion blur, shift, Sobel,
// Laplacian, Gabor bank) written as OUT/<photo>_sheet.png, and a timing
// table for the first photo (CPU, each GPU backend that is available, and
// the OpenCV peer) printed and written to OUT/timings.md. Plus the sampling
// points of a 3-layer deformable stack (`halconv sampling-points`) on one
// photo, OUT/<photo>_sampling_points.png, with its own row in the table.
//
// Every result is checked: CPU results against a direct evaluation of the
// filter sum at sampled pixels (the shift must be an exact translation), GPU
// results against the CPU's; the regular stack's sampling points must be
// the closed-form grid, and GPU points the CPU's. A failed check makes the
// demo exit with status 3.
#include "commands.h"
#include "common.h"
#include "font.h"
#include "gabor_bank.h"
#include "opencv_filters.h"
#include "sampling_points.h"

#include <dlfcn.h>

#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#ifndef HALCONV_SOURCE_DIR
#define HALCONV_SOURCE_DIR ""
#endif

namespace fs = std::filesystem;

namespace halconv_cli {

namespace {

const char *const kDefaultPhotos[] = {"data/astronaut.png", "data/camera.png", "data/chelsea.png", "data/coffee.png"};

// The filters of the sheet, as `halconv filter --kernel` specs.
struct DemoFilter {
    const char *spec;
    const char *note;  // after the spec in the label
    bool stretch;      // edge images: scale so that the 99.5th percentile is white
    halconv::Border border;
};
const DemoFilter kFilters[] = {
    {"box:7", "7x7 mean", false, halconv::Border::Mirror},
    {"gaussian:3", "sigma 3", false, halconv::Border::Mirror},
    {"motion:15,45", "15 px at 45 deg", false, halconv::Border::Mirror},
    // Zero border: the black band shows how far the picture moved.
    {"shift:20,10", "20 right, 10 down", false, halconv::Border::Zero},
    {"sobel", "|gx|+|gy|", true, halconv::Border::Mirror},
    {"laplacian", "|response|", true, halconv::Border::Mirror},
};
constexpr int kShiftDx = 20, kShiftDy = 10;
// The sheet's Gabor bank: 19x19 kernels (wavelength 6, sigma 3; about one
// octave) keep the demo quick; `halconv gabor-bank` defaults to wavelength 8.
constexpr double kGaborWavelength = 6.0, kGaborSigma = 3.0;
// Timing: each table cell stops after the runs that fit in this budget
// (at least one after the warm-up), so slow devices do not stall the demo.
constexpr double kCellBudgetMs = 1000.0;
// The sampling-points figure: on the bundled camera.png (found among the
// photos by name and size) at hand-picked pixels, as in the paper's
// figures: background (sky), a small object (the tower), a large object (the
// man's head); otherwise on the first photo at the command's default pixels.
const char *const kSamplingPhoto = "camera.png";
constexpr int kSamplingPhotoSize = 512;
const std::array<int, 2> kSamplingPixels[] = {{70, 70}, {421, 165}, {212, 125}};
// GPU points may differ from the CPU's by float rounding only.
constexpr double kPointsTolerance = 1e-3;

struct DemoArgs {
    std::vector<std::string> photos;
    std::string out_dir = "out";
    int runs = 5;
    int threads = 0;
    int orientations = 8;
    bool opencv = true;
    bool sampling_points = true;
    bool auto_devices = true;  // only real GPUs (OpenCL CPU devices such as PoCL are skipped)
    std::vector<halconv::Device> gpus{halconv::Device::CUDA, halconv::Device::OpenCL};
};

}  // namespace

void usage_demo(std::ostream &os) {
    os << "usage: halconv demo [options] [photo.png ...]\n"
          "\n"
          "Applies the lecture's filters (box blur, Gaussian blur, motion blur, shift,\n"
          "Sobel and Laplacian edges, and a Gabor filter bank) to each photo and writes\n"
          "one labelled contact sheet per photo, OUT/<photo>_sheet.png. Times every\n"
          "filter on the first photo on the CPU, on each GPU backend that is available\n"
          "and through OpenCV, prints the table and writes it to OUT/timings.md.\n"
          "Every result is checked against a direct evaluation of the filter sum\n"
          "(the shift must be an exact translation) and GPU results against the CPU's.\n"
          "Also draws the sampling points of 3 stacked 3x3 deformable layers (halconv\n"
          "sampling-points: 729 points per pixel, regular vs gradient-driven offsets)\n"
          "on camera.png when it is among the photos (else on the first photo) as\n"
          "OUT/<photo>_sampling_points.png, times points collection for it (a row of\n"
          "the table) and checks the regular stack against the closed-form grid.\n"
          "\n"
          "  photo.png          photos (default: the bundled data/astronaut.png,\n"
          "                     camera.png, chelsea.png, coffee.png)\n"
          "  --out DIR          output directory, created if needed (default: out)\n"
          "  --runs N           timed runs per filter and device; the median is shown\n"
          "                     (default: 5; fewer when a device needs more than 1 s\n"
          "                     per filter; 0 = no timing table)\n"
          "  --threads N        CPU threads (default: one per core)\n"
          "  --devices LIST     GPU backends to time, comma separated: cuda, opencl, or\n"
          "                     none (default: auto = CUDA and OpenCL where there is a\n"
          "                     GPU; an OpenCL platform with only CPU devices, such as\n"
          "                     PoCL, is timed only when asked for by name)\n"
          "  --orientations K   Gabor bank orientations (default: 8)\n"
          "  --no-opencv        leave the OpenCV columns out\n"
          "  --no-sampling-points  leave the sampling-points figure and row out\n"
          "  -h, --help         this text\n"
          "\n"
          "Exit status: 0 ok, 1 error, 2 bad usage, 3 a result failed its check.\n";
}

namespace {

DemoArgs parse(int argc, char **argv, int first, bool *help) {
    DemoArgs a;
    ArgReader r(argc, argv, first);
    while (!r.done()) {
        bool pos = false;
        const std::string o = r.next(&pos);
        if (pos) {
            a.photos.push_back(o);
        } else if (o == "-h" || o == "--help") {
            *help = true;
            return a;
        } else if (o == "--out") {
            a.out_dir = r.value(o);
            if (a.out_dir.empty()) throw ArgError("--out needs a directory");
        } else if (o == "--runs") {
            a.runs = parse_int(o, r.value(o), 0, 10000);
        } else if (o == "--threads") {
            a.threads = parse_int(o, r.value(o), 1, 1024);
        } else if (o == "--orientations") {
            a.orientations = parse_int(o, r.value(o), 1, 36);
        } else if (o == "--no-opencv") {
            a.opencv = false;
        } else if (o == "--no-sampling-points") {
            a.sampling_points = false;
        } else if (o == "--devices") {
            a.gpus.clear();
            a.auto_devices = false;
            std::string list = r.value(o);
            if (list == "auto") {
                a.auto_devices = true;
                list = "cuda,opencl";
            }
            std::stringstream ss(list);
            std::string name;
            while (std::getline(ss, name, ',')) {
                if (name.empty() || name == "none") continue;
                const halconv::Device d = parse_device_arg(name);
                if (d == halconv::Device::CPU) continue;  // always runs
                if (std::find(a.gpus.begin(), a.gpus.end(), d) == a.gpus.end()) a.gpus.push_back(d);
            }
        } else {
            throw UsageError("unknown option '" + o + "'");
        }
    }
    if (a.photos.empty()) {
        // Relative to the working directory (scripts/demo runs in the repo
        // root), else the source tree halconv was built from.
        for (const char *p : kDefaultPhotos) {
            std::error_code ec;
            const fs::path src = fs::path(HALCONV_SOURCE_DIR) / p;
            if (!fs::exists(p, ec) && !std::string(HALCONV_SOURCE_DIR).empty() && fs::exists(src, ec)) {
                a.photos.push_back(src.string());
            } else {
                a.photos.push_back(p);
            }
        }
    }
    return a;
}

// --- reference evaluation -------------------------------------------------------------

int border_index(int i, int n, halconv::Border b, bool *zero) {
    *zero = false;
    if (i >= 0 && i < n) return i;
    switch (b) {
    case halconv::Border::Zero: *zero = true; return 0;
    case halconv::Border::Clamp: return std::clamp(i, 0, n - 1);
    case halconv::Border::Wrap: return ((i % n) + n) % n;
    case halconv::Border::Mirror:
        if (n == 1) return 0;
        {
            const int period = 2 * (n - 1);
            int m = ((i % period) + period) % period;
            return m < n ? m : period - m;
        }
    }
    return 0;
}

// The exact response at (x, y, c) before rounding, as the library defines it.
template<typename T>
double reference_at(const FilterJob &job, const std::vector<T> &in, int W, int H, int C, int x, int y, int c) {
    auto px = [&](int xx, int yy) -> double {
        bool z1 = false, z2 = false;
        const int sx = border_index(xx, W, job.options.border, &z1), sy = border_index(yy, H, job.options.border, &z2);
        if (z1 || z2) return 0.0;
        return double(in[(size_t(sy) * size_t(W) + size_t(sx)) * size_t(C) + size_t(c)]);
    };
    double v = 0;
    if (job.filter.kind == ParsedFilter::Kind::Gradient) {
        const double w = job.filter.gradient == halconv::GradientOperator::Sobel ? 2.0 : 1.0;
        const double s[3] = {1.0, w, 1.0};
        double gx = 0, gy = 0;
        for (int i = 0; i < 3; i++) {
            gx += s[i] * (px(x + 1, y + i - 1) - px(x - 1, y + i - 1));
            gy += s[i] * (px(x + i - 1, y + 1) - px(x + i - 1, y - 1));
        }
        return std::fabs(gx) + std::fabs(gy) + job.options.offset;
    }
    const halconv::FilterKernel &k = job.filter.kernel;
    const bool fixed = sizeof(T) == 1 && !k.fixed_column.empty();
    for (int i = 0; i < k.height; i++) {
        for (int j = 0; j < k.width; j++) {
            const double wt = fixed ? double(k.fixed_column[size_t(i)]) * k.fixed_row[size_t(j)] / 65536.0 : k.weight(i, j);
            if (wt == 0.0) continue;
            v += wt * px(x + j - k.width / 2, y + i - k.height / 2);
        }
    }
    if (job.options.absolute) v = std::fabs(v);
    return v + job.options.offset;
}

template<typename T>
double to_sample(double v) {
    const double maxv = sizeof(T) == 1 ? 255.0 : 65535.0;
    return std::clamp(std::floor(v + 0.5), 0.0, maxv);
}

// Largest |result - reference| over the corners and random pixels.
template<typename T>
double check_sampled(const FilterJob &job, const std::vector<T> &in, const std::vector<T> &out, int W, int H, int C) {
    std::mt19937 rng(12345);
    std::vector<std::array<int, 2>> pts = {{0, 0}, {W - 1, 0}, {0, H - 1}, {W - 1, H - 1}};
    for (int i = 0; i < 300; i++) pts.push_back({int(rng() % unsigned(W)), int(rng() % unsigned(H))});
    double worst = 0;
    for (const auto &p : pts) {
        for (int c = 0; c < C; c++) {
            const double ref = to_sample<T>(reference_at(job, in, W, H, C, p[0], p[1], c));
            const double got = out[(size_t(p[1]) * size_t(W) + size_t(p[0])) * size_t(C) + size_t(c)];
            worst = std::max(worst, std::fabs(got - ref));
        }
    }
    return worst;
}

// Where the source pixel is inside the image, the shift is a translation.
template<typename T>
double check_shift(const std::vector<T> &in, const std::vector<T> &out, int W, int H, int C) {
    double worst = 0;
    for (int y = std::max(0, kShiftDy); y < H && y - kShiftDy < H; y++)
        for (int x = std::max(0, kShiftDx); x < W && x - kShiftDx < W; x++)
            for (int c = 0; c < C; c++) {
                const double a = out[(size_t(y) * size_t(W) + size_t(x)) * size_t(C) + size_t(c)];
                const double b = in[(size_t(y - kShiftDy) * size_t(W) + size_t(x - kShiftDx)) * size_t(C) + size_t(c)];
                worst = std::max(worst, std::fabs(a - b));
            }
    return worst;
}

// --- the contact sheet ------------------------------------------------------------------

struct Tile {
    pngio::Image rgb;  // 8-bit RGB, the photo's size
    std::string label;
};

// Integer-factor area downscale of an 8-bit RGB image.
pngio::Image downscale(const pngio::Image &img, int f) {
    if (f <= 1) return img;
    const int w = std::max(1, img.width / f), h = std::max(1, img.height / f);
    pngio::Image out(w, h, 3, 8);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                uint32_t sum = 0, n = 0;
                for (int dy = 0; dy < f && y * f + dy < img.height; dy++)
                    for (int dx = 0; dx < f && x * f + dx < img.width; dx++, n++)
                        sum += img.pixels[(size_t(y * f + dy) * size_t(img.width) + size_t(x * f + dx)) * 3 + size_t(c)];
                out.pixels[(size_t(y) * size_t(w) + size_t(x)) * 3 + size_t(c)] = uint8_t((sum + n / 2) / n);
            }
    return out;
}

pngio::Image contact_sheet(const std::vector<Tile> &tiles, const std::string &title, int columns) {
    const int f = std::max(1, (std::max(tiles[0].rgb.width, tiles[0].rgb.height) + 639) / 640);
    std::vector<pngio::Image> small;
    for (const Tile &t : tiles) small.push_back(downscale(t.rgb, f));
    const int tw = small[0].width, th = small[0].height;
    const int scale = std::max(1, std::min(2, tw / 200));
    const int label_h = kGlyphHeight * scale + 10, gap = 8, title_h = kGlyphHeight * 2 + 16;
    const int rows = int((tiles.size() + size_t(columns) - 1) / size_t(columns));
    const int W = gap + columns * (tw + gap), H = title_h + rows * (label_h + th + gap);
    pngio::Image sheet(W, H, 3, 8);
    Canvas cv{sheet.pixels.data(), W, H};
    cv.fill(0, 0, W, H, 36, 36, 40);
    draw_text(cv, gap, 8, title, 2, 255, 255, 255);
    for (size_t i = 0; i < small.size(); i++) {
        const int col = int(i) % columns, row = int(i) / columns;
        const int x0 = gap + col * (tw + gap), y0 = title_h + row * (label_h + th + gap);
        // Label: shortened to fit the tile.
        std::string label = tiles[i].label;
        int s = scale;
        if (text_width(label, s) > tw && s > 1) s = 1;
        while (!label.empty() && text_width(label, s) > tw) label.pop_back();
        draw_text(cv, x0, y0 + (label_h - kGlyphHeight * s) / 2, label, s, 235, 235, 235);
        const pngio::Image &t = small[i];
        for (int y = 0; y < th && y < t.height; y++) {
            std::memcpy(&sheet.pixels[(size_t(y0 + label_h + y) * size_t(W) + size_t(x0)) * 3],
                        &t.pixels[size_t(y) * size_t(t.width) * 3], size_t(std::min(tw, t.width)) * 3);
        }
    }
    return sheet;
}

// The filtered image for display: `colour` put into a copy of the photo
// (alpha kept), stretched for edge images, as 8-bit RGB.
template<typename T>
pngio::Image display(const pngio::Image &photo, std::vector<T> colour, bool stretch, double *gain) {
    *gain = 1.0;
    if (stretch) {
        std::vector<float> f(colour.begin(), colour.end());
        const double p = percentile(std::move(f), 99.5);
        const double maxv = photo.max_value();
        if (p > 0 && p < maxv) {
            *gain = maxv / p;
            for (T &v : colour) v = T(std::min(maxv, std::floor(double(v) * *gain + 0.5)));
        }
    }
    pngio::Image img = photo;
    set_colour_samples(img, colour);
    return to_rgb8(img);
}

// --- timing --------------------------------------------------------------------------------

// Whether an OpenCL platform offers a GPU or accelerator device (not only
// CPU devices such as PoCL's). Probed through the ICD loader, like halconv's
// device_available().
bool opencl_has_gpu(std::string *why) {
    void *lib = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libOpenCL.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        *why = "no OpenCL ICD loader";
        return false;
    }
    using GetPlatforms = int32_t (*)(uint32_t, void **, uint32_t *);
    using GetDevices = int32_t (*)(void *, uint64_t, uint32_t, void **, uint32_t *);
    auto get_platforms = reinterpret_cast<GetPlatforms>(dlsym(lib, "clGetPlatformIDs"));
    auto get_devices = reinterpret_cast<GetDevices>(dlsym(lib, "clGetDeviceIDs"));
    bool found = false;
    if (get_platforms && get_devices) {
        uint32_t n = 0;
        if (get_platforms(0, nullptr, &n) == 0 && n > 0) {
            std::vector<void *> platforms(n);
            if (get_platforms(n, platforms.data(), nullptr) == 0) {
                const uint64_t kGpuOrAccelerator = (1u << 2) | (1u << 3);  // CL_DEVICE_TYPE_GPU | _ACCELERATOR
                for (void *p : platforms) {
                    uint32_t nd = 0;
                    if (get_devices(p, kGpuOrAccelerator, 0, nullptr, &nd) == 0 && nd > 0) found = true;
                }
            }
        }
    }
    dlclose(lib);
    if (!found) {
        *why = "the OpenCL platforms have only CPU devices (e.g. PoCL), no GPU; "
               "--devices opencl times them anyway";
    }
    return found;
}

struct Timed {
    double ms = -1;
    int runs = 0;
};

// Median of up to `max_runs` runs after one warm-up; stops early once the
// timed runs have taken kCellBudgetMs (at least one run).
template<typename F>
Timed time_budgeted(int max_runs, F &&f) {
    f();
    std::vector<double> ms;
    double total = 0;
    while (int(ms.size()) < max_runs && (ms.empty() || total < kCellBudgetMs)) {
        const auto a = std::chrono::steady_clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
        total += ms.back();
    }
    return Timed{median(ms), int(ms.size())};
}

struct Gpu {
    halconv::Device device;
    bool available;
    std::string why;
};

struct TimingRow {
    std::string filter, kernel, path;
    bool per_pixel = true;           // MP/s makes sense (not for sampling points)
    int diff_digits = 0;             // decimals of the max diff cells
    Timed cpu;
    std::vector<Timed> gpu;          // per available GPU, ms -1 = failed
    std::vector<double> gpu_diff;    // max |GPU - CPU|
    std::string cv_function;
    Timed cv;
    double cv_diff = -1;
};

struct Checks {
    std::vector<std::string> failures;
    std::vector<std::string> notes;
};

template<typename T>
std::vector<Tile> process_photo(const DemoArgs &a, const pngio::Image &photo, const std::string &name, bool timed,
                                const std::vector<Gpu> &gpus, std::vector<TimingRow> &table, Checks &checks) {
    const int W = photo.width, H = photo.height, C = colour_channels(photo);
    const std::vector<T> in = colour_samples<T>(photo);
    const auto iv = view(in, W, H, C);
    const halconv::SampleType st = sizeof(T) == 1 ? halconv::SampleType::UInt8 : halconv::SampleType::UInt16;
    const int threads = a.threads > 0 ? a.threads : default_threads();

    std::vector<Tile> tiles;
    tiles.push_back({to_rgb8(photo), "original " + std::to_string(W) + "x" + std::to_string(H) + " " +
                                         pngio::channels_name(photo.channels)});
    for (const DemoFilter &df : kFilters) {
        FilterJob job;
        job.filter = parse_filter_spec(df.spec);
        job.options.absolute = job.filter.default_absolute;
        job.options.border = df.border;
        std::vector<T> out(in.size());
        const auto ov = view(out, W, H, C);
        TimingRow row;
        if (timed) {
            row.filter = df.spec;
            row.kernel = job.filter.kind == ParsedFilter::Kind::Gradient
                             ? "3x3"
                             : std::to_string(job.filter.kernel.width) + "x" + std::to_string(job.filter.kernel.height);
            row.path = job.path(st);
            row.cpu = time_budgeted(a.runs, [&] { run_halconv(job, iv, ov); });
        } else {
            run_halconv(job, iv, ov);
        }

        // Correctness on the CPU.
        const double err = check_sampled(job, in, out, W, H, C);
        if (!(err <= 1.0)) {
            checks.failures.push_back(name + ": " + df.spec + " on the CPU differs from the direct sum by " +
                                      fmt(err, 0));
        }
        if (std::string(df.spec).rfind("shift:", 0) == 0) {
            const double e = check_shift(in, out, W, H, C);
            if (e != 0.0) {
                checks.failures.push_back(name + ": the shift is not an exact translation (max error " + fmt(e, 0) +
                                          ")");
            }
        }

        if (timed) {
            for (const Gpu &g : gpus) {
                if (!g.available) continue;
                FilterJob gjob = job;
                gjob.options.device = g.device;
                std::vector<T> gout(in.size());
                try {
                    row.gpu.push_back(time_budgeted(a.runs, [&] { run_halconv(gjob, iv, view(gout, W, H, C)); }));
                    const double d = max_abs_diff(gout, out);
                    row.gpu_diff.push_back(d);
                    if (!(d <= 1.0)) {
                        checks.failures.push_back(name + ": " + df.spec + " on " + device_display_name(g.device) +
                                                  " differs from the CPU by " + fmt(d, 0));
                    }
                } catch (const halconv::Error &e) {
                    row.gpu.push_back(Timed{});
                    row.gpu_diff.push_back(-1);
                    checks.failures.push_back(device_display_name(g.device) + " failed on " + df.spec + ": " +
                                              e.what());
                }
            }
            if (a.opencv) {
                std::vector<T> ref(in.size());
                try {
                    row.cv = time_budgeted(
                        a.runs, [&] { row.cv_function = run_opencv(job, iv, view(ref, W, H, C), threads); });
                    row.cv_diff = max_abs_diff(out, ref);
                } catch (const std::exception &e) {
                    checks.notes.push_back(std::string("OpenCV cannot run ") + df.spec + ": " + e.what());
                }
            }
            table.push_back(row);
        }

        double gain = 1.0;
        std::string label = std::string(df.spec) + "  " + df.note;
        tiles.push_back({display(photo, std::move(out), df.stretch, &gain), label});
        if (gain != 1.0) tiles.back().label += " x" + fmt(gain, 1);
    }

    // The Gabor bank.
    GaborBankOptions gopt;
    gopt.orientations = a.orientations;
    gopt.wavelength = kGaborWavelength;
    gopt.sigma = kGaborSigma;
    const GaborBank bank(gopt);
    const std::vector<float> lum = luminance(photo);
    std::vector<float> energy;
    std::vector<int> winner;
    TimingRow row;
    if (timed) {
        row.filter = "gabor bank";
        row.kernel = std::to_string(2 * bank.orientations()) + " x " + std::to_string(bank.kernel_size()) + "x" +
                     std::to_string(bank.kernel_size());
        row.path = halconv::filter_path(halconv::FilterKernel::gabor(0, gopt.wavelength), halconv::SampleType::Float32);
        row.cpu = time_budgeted(a.runs, [&] { bank.run(lum, W, H, energy, winner); });
        for (const Gpu &g : gpus) {
            if (!g.available) continue;
            GaborBankOptions o2 = gopt;
            o2.filter.device = g.device;
            const GaborBank gbank(o2);
            std::vector<float> ge;
            std::vector<int> gw;
            try {
                row.gpu.push_back(time_budgeted(a.runs, [&] { gbank.run(lum, W, H, ge, gw); }));
                row.gpu_diff.push_back(max_abs_diff(ge, energy));
            } catch (const halconv::Error &e) {
                row.gpu.push_back(Timed{});
                row.gpu_diff.push_back(-1);
                checks.failures.push_back(device_display_name(g.device) + " failed on the Gabor bank: " + e.what());
            }
        }
        if (a.opencv) {
            std::vector<float> ce;
            std::vector<int> cw;
            try {
                std::string fn;
                row.cv = time_budgeted(a.runs, [&] {
                    bank.run(lum, W, H, ce, cw,
                             [&](halconv::ImageView<const float> i, halconv::ImageView<float> o,
                                 const halconv::FilterKernel &k) {
                                 fn = halconv_peer::opencv_filter2d(i, o, k, gopt.filter, threads);
                             });
                });
                row.cv_function = fn;
                row.cv_diff = max_abs_diff(ce, energy);
            } catch (const std::exception &e) {
                checks.notes.push_back(std::string("OpenCV cannot run the Gabor bank: ") + e.what());
            }
        }
        table.push_back(row);
    } else {
        bank.run(lum, W, H, energy, winner);
    }
    pngio::Image gabor = bank.render(energy, winner, W, H);
    bank.draw_legend(gabor);
    tiles.push_back({std::move(gabor), "gabor bank  " + std::to_string(bank.orientations()) + " orientations, " +
                                           std::to_string(bank.kernel_size()) + "x" +
                                           std::to_string(bank.kernel_size())});
    return tiles;
}

std::string pad(const std::string &s, size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string timing_markdown(const DemoArgs &a, const std::string &photo_desc, double pixels,
                            const std::vector<Gpu> &gpus, const std::vector<TimingRow> &rows,
                            const std::vector<std::string> &footnotes) {
    std::vector<std::vector<std::string>> cells;
    std::vector<std::string> head = {"filter", "kernel", "halconv path", "CPU ms", "CPU MP/s"};
    for (const Gpu &g : gpus) {
        if (!g.available) continue;
        const std::string n = device_display_name(g.device);
        head.push_back(n + " ms");
        head.push_back(n + " MP/s");
        head.push_back(n + " max diff");
    }
    if (a.opencv) {
        head.push_back("OpenCV function");
        head.push_back("OpenCV ms");
        head.push_back("OpenCV / halconv CPU");
        head.push_back("max diff");
    }
    cells.push_back(head);
    bool fewer = false;
    auto ms_cell = [&](const Timed &t) {
        if (t.runs >= a.runs) return fmt(t.ms, 2);
        fewer = true;
        return fmt(t.ms, 2) + " (" + std::to_string(t.runs) + (t.runs == 1 ? " run)" : " runs)");
    };
    for (const TimingRow &r : rows) {
        const int digits = r.diff_digits > 0 ? r.diff_digits : r.filter == "gabor bank" ? 5 : 0;
        auto rate = [&](double ms) { return r.per_pixel ? fmt(mpix_per_s(pixels, ms), 1) : std::string("-"); };
        std::vector<std::string> c = {r.filter, r.kernel, r.path, ms_cell(r.cpu), rate(r.cpu.ms)};
        for (size_t i = 0; i < r.gpu.size(); i++) {
            if (r.gpu[i].ms < 0) {
                c.insert(c.end(), {"error", "", ""});
            } else {
                c.push_back(ms_cell(r.gpu[i]));
                c.push_back(rate(r.gpu[i].ms));
                c.push_back(fmt(r.gpu_diff[i], digits));
            }
        }
        if (a.opencv) {
            if (r.cv.ms < 0) {
                c.insert(c.end(), {"n/a", "", "", ""});
            } else {
                c.push_back(r.cv_function);
                c.push_back(ms_cell(r.cv));
                c.push_back(fmt(r.cpu.ms > 0 ? r.cv.ms / r.cpu.ms : 0.0, 2) + "x");
                c.push_back(fmt(r.cv_diff, digits));
            }
        }
        cells.push_back(c);
    }
    std::vector<size_t> width(head.size(), 0);
    for (const auto &row : cells)
        for (size_t i = 0; i < row.size(); i++) width[i] = std::max(width[i], row[i].size());
    std::ostringstream os;
    os << "# halconv demo: timings\n\n"
       << "halconv " << halconv::version() << ", " << photo_desc << ", " << (a.threads > 0 ? a.threads : default_threads())
       << " CPU threads. Median of " << a.runs
       << " runs after one warm-up"
       << (fewer ? " (fewer where shown: a cell stops after about " + fmt(kCellBudgetMs / 1000, 0) + " s)" : "")
       << "; MP/s = megapixels (all channels) per second.\n"
       << "GPU times include the host<->device copies; GPU max diff = largest |GPU - CPU| sample.\n";
    if (a.opencv) {
        os << "OpenCV " << "/ halconv CPU = OpenCV time / halconv CPU time (above 1: halconv is faster); "
           << "max diff = largest |halconv - OpenCV| sample (Gabor bank: energy).\n";
    }
    os << "\n";
    for (size_t r = 0; r < cells.size(); r++) {
        os << "|";
        for (size_t i = 0; i < cells[r].size(); i++) os << " " << pad(cells[r][i], width[i]) << " |";
        os << "\n";
        if (r == 0) {
            os << "|";
            for (size_t i = 0; i < width.size(); i++) os << std::string(width[i] + 2, '-') << "|";
            os << "\n";
        }
    }
    if (!footnotes.empty()) os << "\n";
    for (const std::string &f : footnotes) os << f << "\n";
    bool any_missing = false;
    for (const Gpu &g : gpus) {
        if (g.available) continue;
        if (!any_missing) os << "\n";
        any_missing = true;
        os << "- " << device_display_name(g.device) << ": not available: " << g.why << "\n";
    }
    return os.str();
}

// Median of up to `max_runs` runs of f() after one warm-up, where f()
// returns the time to count (ms); stops early like time_budgeted.
template<typename F>
Timed time_budgeted_inner(int max_runs, F &&f) {
    f();
    std::vector<double> ms;
    double total = 0;
    while (int(ms.size()) < max_runs && (ms.empty() || total < kCellBudgetMs)) {
        ms.push_back(f());
        total += ms.back();
    }
    return Timed{median(ms), int(ms.size())};
}

// The sampling-points figure (OUT/<photo>_sampling_points.png), its checks
// and, when timed, its row of the table. Returns the figure's path.
std::string sampling_points_figure(const DemoArgs &a, const std::vector<pngio::Image> &photos,
                                   const std::vector<Gpu> &gpus, bool timed, std::vector<TimingRow> &table,
                                   std::vector<std::string> &footnotes, Checks &checks) {
    size_t idx = 0;
    bool bundled = false;
    for (size_t i = 0; i < photos.size() && !bundled; i++) {
        if (fs::path(a.photos[i]).filename() == kSamplingPhoto && photos[i].width == kSamplingPhotoSize &&
            photos[i].height == kSamplingPhotoSize) {
            idx = i;
            bundled = true;
        }
    }
    const pngio::Image &photo = photos[idx];
    const std::string file = fs::path(a.photos[idx]).filename().string();
    SamplingPointsOptions opt;  // 3 layers, growth 3, gradient field, strength 1, automatic dilation
    if (bundled) opt.pixels.assign(std::begin(kSamplingPixels), std::end(kSamplingPixels));
    const SamplingPlan plan = plan_sampling_points(opt, photo.width, photo.height);
    const OffsetFields fields(plan, photo);
    auto run = [&](const SamplingPlan &p, SamplingStack &regular, SamplingStack &deformable) {
        CollectStats s1, s2;
        regular = collect_sampling_points(p, nullptr, &s1);
        deformable = collect_sampling_points(p, &fields, &s2);
        return s1.library_ms + s2.library_ms;
    };
    SamplingStack regular, deformable;
    TimingRow row;
    if (timed) {
        row.filter = "sampling points";
        row.kernel = std::to_string(plan.layers) + " x 3x3, " + std::to_string(plan.pixels.size()) + " px";
        row.path = "points_collection";
        row.per_pixel = false;
        row.diff_digits = 6;
        row.cpu = time_budgeted_inner(a.runs, [&] { return run(plan, regular, deformable); });
    } else {
        run(plan, regular, deformable);
    }
    const double err = regular_grid_error(plan, regular);
    if (err != 0.0) {
        checks.failures.push_back(file + ": the regular stack's sampling points differ from the closed-form grid by " +
                                  fmt(err, 6) + " px");
    }
    if (timed) {
        for (const Gpu &g : gpus) {
            if (!g.available) continue;
            SamplingPlan gplan = plan;
            gplan.device = g.device;
            SamplingStack greg, gdef;
            try {
                row.gpu.push_back(time_budgeted_inner(a.runs, [&] { return run(gplan, greg, gdef); }));
                const double d = std::max(max_points_diff(greg, regular), max_points_diff(gdef, deformable));
                row.gpu_diff.push_back(d);
                if (!(d <= kPointsTolerance)) {
                    checks.failures.push_back(file + ": sampling points on " + device_display_name(g.device) +
                                              " differ from the CPU's by " + fmt(d, 6) + " px");
                }
            } catch (const halconv::Error &e) {
                row.gpu.push_back(Timed{});
                row.gpu_diff.push_back(-1);
                checks.failures.push_back(device_display_name(g.device) + " failed on the sampling points: " +
                                          e.what());
            }
        }
        table.push_back(row);
        size_t collected = 0;  // points produced by the calls, both stacks
        for (int d = 2; d <= plan.layers; d++) collected += 2 * plan.pixels.size() * size_t(plan.points(d));
        const std::vector<int> windows(plan.window_deformable.begin() + 1, plan.window_deformable.end());
        footnotes.push_back("sampling points: halconv::points_collection through a " + std::to_string(plan.layers) +
                            "-layer 3x3 stack for " + std::to_string(plan.pixels.size()) + " pixels of " + file +
                            " (regular and deformable stacks, " + std::to_string(collected) +
                            " points collected, " + join_ints(windows, "/") +
                            " px offset windows); ms = time inside the points_collection calls; max diff in pixels.");
    }
    const pngio::Image figure = render_sampling_points(photo, plan, regular, deformable);
    const std::string path =
        (fs::path(a.out_dir) / (fs::path(a.photos[idx]).stem().string() + "_sampling_points.png")).string();
    pngio::write_png(path, figure);
    std::cout << "  " << path << "  (" << file << ": " << plan.layers << " layers, steps "
              << join_ints(plan.steps, ",") << " px, " << plan.points(plan.layers) << " sampling points per pixel, "
              << plan.pixels.size() << " pixels, regular vs " << offset_field_name(plan.field) << " offsets)\n";
    return path;
}

}  // namespace

int cmd_demo(int argc, char **argv, int first) {
    bool help = false;
    const DemoArgs a = parse(argc, argv, first, &help);
    if (help) {
        usage_demo(std::cout);
        return kExitOk;
    }
    if (a.threads > 0) halconv::set_num_threads(a.threads);

    // Read every photo first: a bad one stops the demo before any output.
    std::vector<pngio::Image> photos;
    for (const std::string &p : a.photos) photos.push_back(pngio::read_png(p));

    std::error_code ec;
    fs::create_directories(a.out_dir, ec);
    if (ec) throw std::runtime_error("cannot create output directory '" + a.out_dir + "': " + ec.message());

    std::vector<Gpu> gpus;
    for (halconv::Device d : a.gpus) {
        std::string why;
        bool ok = halconv::device_available(d, &why);
        if (ok && a.auto_devices && d == halconv::Device::OpenCL) ok = opencl_has_gpu(&why);
        gpus.push_back({d, ok, why});
    }

    std::cout << "halconv " << halconv::version() << " demo: " << photos.size() << " photo(s) -> " << a.out_dir
              << "/\n";
    Checks checks;
    std::vector<TimingRow> table;
    std::string timed_desc;
    double timed_pixels = 0;
    for (size_t i = 0; i < photos.size(); i++) {
        const pngio::Image &photo = photos[i];
        const std::string file = fs::path(a.photos[i]).filename().string();
        const std::string stem = fs::path(a.photos[i]).stem().string();
        const std::string desc = file + " " + std::to_string(photo.width) + "x" + std::to_string(photo.height) + " " +
                                 pngio::channels_name(photo.channels) + " " + std::to_string(photo.bit_depth) + "-bit";
        const bool timed = i == 0 && a.runs > 0;
        if (timed) {
            timed_desc = desc;
            timed_pixels = double(photo.width) * photo.height;
        }
        const std::vector<Tile> tiles =
            photo.bit_depth == 16 ? process_photo<uint16_t>(a, photo, file, timed, gpus, table, checks)
                                  : process_photo<uint8_t>(a, photo, file, timed, gpus, table, checks);
        const pngio::Image sheet = contact_sheet(tiles, "halconv  " + desc, 4);
        const std::string path = (fs::path(a.out_dir) / (stem + "_sheet.png")).string();
        pngio::write_png(path, sheet);
        std::cout << "  " << path << "  (" << desc << ", " << tiles.size() << " tiles)\n";
    }
    std::vector<std::string> footnotes;
    if (a.sampling_points) sampling_points_figure(a, photos, gpus, a.runs > 0, table, footnotes, checks);

    if (!table.empty()) {
        const std::string md = timing_markdown(a, timed_desc, timed_pixels, gpus, table, footnotes);
        const std::string path = (fs::path(a.out_dir) / "timings.md").string();
        const std::string tmp = path + ".tmp";
        {
            std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
            f << md;
            f.close();
            if (!f) {
                fs::remove(tmp, ec);
                throw std::runtime_error("cannot write " + path);
            }
        }
        fs::rename(tmp, path, ec);
        if (ec) {
            fs::remove(tmp, ec);
            throw std::runtime_error("cannot write " + path + ": " + ec.message());
        }
        std::cout << "  " << path << "\n\n" << md;
    }

    for (const std::string &n : checks.notes) std::cout << "note: " << n << "\n";
    for (const std::string &f : checks.failures) std::cerr << "CHECK FAILED: " << f << "\n";
    if (!checks.failures.empty()) {
        std::cerr << "halconv demo: some results failed their checks (see above)\n";
        return kExitCheckFailed;
    }
    std::cout << "\nall results match the direct evaluation of the filter sum"
              << (a.sampling_points ? "; the regular stack's sampling points are the closed-form grid" : "")
              << (std::any_of(gpus.begin(), gpus.end(), [](const Gpu &g) { return g.available; }) && a.runs > 0
                      ? ", and the GPU results match the CPU's"
                      : "")
              << ".\n";
    return kExitOk;
}

}  // namespace halconv_cli
