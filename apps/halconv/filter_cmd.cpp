// halconv filter --kernel SPEC [options] IN.png OUT.png
#include "commands.h"
#include "common.h"

#include <iostream>
#include <sstream>

namespace halconv_cli {

void usage_filter(std::ostream &os) {
    os << "usage: halconv filter --kernel SPEC [options] IN.png OUT.png\n"
          "\n"
          "Filters IN.png with one kernel (cross-correlation, anchor at the centre) and\n"
          "writes OUT.png with the same size, channels and bit depth: 8-bit images are\n"
          "filtered as 8-bit, 16-bit ones as 16-bit; an alpha channel is copied through\n"
          "untouched; palette images become RGB(A). Integer results round half up and\n"
          "saturate.\n"
          "\n"
          "SPEC (cross-correlation; --flip for true convolution):\n"
          "  box:N                      N x N mean (N odd)\n"
          "  gaussian:SIGMA[,SIZE]      Gaussian blur (SIZE odd, default 2*ceil(3*SIGMA)+1)\n"
          "  binomial:N                 exact integer Gaussian (Pascal's triangle), N odd\n"
          "  motion:LENGTH,ANGLE_DEG    motion blur along a line (LENGTH odd; degrees\n"
          "                             counter-clockwise from +x)\n"
          "  shift:DX,DY                moves the picture DX px right, DY px down\n"
          "  sobel | prewitt            edge strength |gx| + |gy|\n"
          "  laplacian | sharpen | emboss\n"
          "  gabor:THETA_DEG,WAVELENGTH[,SIGMA]   even Gabor filter, |response|\n"
          "  \"1 2 1; 2 4 2; 1 2 1\"      custom kernel: rows separated by ';' (or newlines),\n"
          "                             taps by spaces or commas; odd width and height\n"
          "  @FILE or FILE              the same text from a file ('#' starts a comment)\n"
          "  Kernels are at most " << kMaxKernelSize << " x " << kMaxKernelSize << ".\n"
          "\n"
          "options:\n"
          "  -k, --kernel SPEC   the filter (required)\n"
          "  --normalize         custom kernels: divide by the sum of the taps (by the sum\n"
          "                      of the positive taps when that is 0)\n"
          "  --flip              true convolution: rotate the kernel by 180 degrees\n"
          "  --border MODE       outside the image: zero, clamp, mirror (default; cb|abcd|cb)\n"
          "                      or wrap\n"
          "  --abs, --signed     show |response| or the signed response (default: |response|\n"
          "                      for edge detectors, gabor and zero-sum kernels)\n"
          "  --offset V          add V to the response (e.g. 128 for an 8-bit emboss)\n"
          "  --device DEV        cpu (default), cuda or opencl\n"
          "  --threads N         CPU threads (default: one per core)\n"
          "  --time N            time the filter: median of N runs after one warm-up, in ms\n"
          "                      and megapixels/s\n"
          "  --compare opencv    run the same filter through OpenCV too (in this process):\n"
          "                      the OpenCV function used, its time (median of the --time N\n"
          "                      runs, default 5), the ratio and the max abs difference\n"
          "  -q, --quiet         print nothing on success\n"
          "  -h, --help          this text\n"
          "\n"
          "Input: any PNG (gray, gray+alpha, RGB, RGBA, palette; 1-16 bits), at most\n"
          << pngio::kMaxPixels << " pixels (2^28); larger images are refused before decoding.\n"
          "The output directory must exist; OUT.png is written to a temporary file and\n"
          "renamed, so a failed run never leaves a partial or stray file.\n"
          "\n"
          "examples:\n"
          "  halconv filter --kernel gaussian:2 in.png blurred.png\n"
          "  halconv filter -k sobel --time 20 --compare opencv in.png edges.png\n"
          "  halconv filter -k \"1 2 1; 2 4 2; 1 2 1\" --normalize in.png out.png\n"
          "  halconv filter -k emboss --signed --offset 128 in.png embossed.png\n"
          "\n"
          "Exit status: 0 ok, 1 error, 2 bad usage or option value.\n";
}

namespace {

struct FilterArgs {
    std::string spec, in, out;
    bool have_spec = false, normalize = false, flip = false, quiet = false;
    int absolute = -1;  // -1: the filter's default
    float offset = 0.0f;
    halconv::Border border = halconv::Border::Mirror;
    halconv::Device device = halconv::Device::CPU;
    int threads = 0;
    int time_runs = 0;
    bool compare = false;
};

FilterArgs parse(int argc, char **argv, int first, bool *help) {
    FilterArgs a;
    std::vector<std::string> positional;
    ArgReader r(argc, argv, first);
    while (!r.done()) {
        bool pos = false;
        const std::string o = r.next(&pos);
        if (pos) {
            positional.push_back(o);
        } else if (o == "-h" || o == "--help") {
            *help = true;
            return a;
        } else if (o == "-k" || o == "--kernel") {
            a.spec = r.value(o);
            a.have_spec = true;
        } else if (o == "--normalize") {
            a.normalize = true;
        } else if (o == "--flip") {
            a.flip = true;
        } else if (o == "--border") {
            a.border = parse_border_arg(r.value(o));
        } else if (o == "--abs") {
            a.absolute = 1;
        } else if (o == "--signed") {
            a.absolute = 0;
        } else if (o == "--offset") {
            a.offset = float(parse_double(o, r.value(o), -1e9, 1e9));
        } else if (o == "--device") {
            a.device = parse_device_arg(r.value(o));
        } else if (o == "--threads") {
            a.threads = parse_int(o, r.value(o), 1, 1024);
        } else if (o == "--time") {
            a.time_runs = parse_int(o, r.value(o), 1, 100000);
        } else if (o == "--compare") {
            const std::string v = r.value(o);
            if (v != "opencv") throw ArgError("--compare supports only 'opencv', got '" + v + "'");
            a.compare = true;
        } else if (o == "-q" || o == "--quiet") {
            a.quiet = true;
        } else {
            throw UsageError("unknown option '" + o + "'");
        }
    }
    if (!a.have_spec) throw UsageError("missing --kernel SPEC");
    if (positional.size() < 2) {
        throw UsageError(positional.empty() ? "missing IN.png and OUT.png" : "missing OUT.png");
    }
    if (positional.size() > 2) throw UsageError("too many arguments: '" + positional[2] + "'");
    a.in = positional[0];
    a.out = positional[1];
    return a;
}

struct Report {
    std::string path;
    double ms = -1;
    std::string cv_function;
    double cv_ms = -1;
    double cv_diff = 0;
};

template<typename T>
Report process(const FilterArgs &a, const FilterJob &job, pngio::Image &img) {
    Report rep;
    const int W = img.width, H = img.height, C = colour_channels(img);
    const std::vector<T> in = colour_samples<T>(img);
    std::vector<T> out(in.size());
    const auto iv = view(in, W, H, C);
    const auto ov = view(out, W, H, C);
    rep.path = job.path(sizeof(T) == 1 ? halconv::SampleType::UInt8 : halconv::SampleType::UInt16);

    const int runs = a.time_runs > 0 ? a.time_runs : (a.compare ? 5 : 0);
    if (runs > 0) {
        rep.ms = time_median_ms(runs, [&] { run_halconv(job, iv, ov); });
    } else {
        run_halconv(job, iv, ov);
    }
    if (a.compare) {
        std::vector<T> ref(in.size());
        const auto rv = view(ref, W, H, C);
        const int threads = a.threads > 0 ? a.threads : default_threads();
        try {
            rep.cv_ms = time_median_ms(runs, [&] { rep.cv_function = run_opencv(job, iv, rv, threads); });
        } catch (const halconv::Error &) {
            throw;
        } catch (const std::exception &e) {
            throw std::runtime_error(std::string("--compare opencv: ") + e.what());
        }
        rep.cv_diff = max_abs_diff(out, ref);
    }
    set_colour_samples(img, out);
    return rep;
}

}  // namespace

int cmd_filter(int argc, char **argv, int first) {
    bool help = false;
    const FilterArgs a = parse(argc, argv, first, &help);
    if (help) {
        usage_filter(std::cout);
        return kExitOk;
    }

    // Everything that can be checked before reading the image.
    FilterJob job;
    job.filter = parse_filter_spec(a.spec, a.normalize);
    if (a.flip && job.filter.kind == ParsedFilter::Kind::Kernel) {
        job.filter.kernel = job.filter.kernel.flipped();
        job.filter.name += " flipped";
    }
    job.options.border = a.border;
    job.options.absolute = a.absolute < 0 ? job.filter.default_absolute : a.absolute == 1;
    job.options.offset = a.offset;
    job.options.device = a.device;
    check_output_path(a.out);
    std::string why;
    if (!halconv::device_available(a.device, &why)) {
        throw std::runtime_error("device " + std::string(halconv::device_name(a.device)) +
                                 " is not available: " + why);
    }
    if (a.threads > 0) halconv::set_num_threads(a.threads);

    pngio::Image img = pngio::read_png(a.in);
    const Report rep = img.bit_depth == 16 ? process<uint16_t>(a, job, img) : process<uint8_t>(a, job, img);
    pngio::write_png(a.out, img);

    if (a.quiet) return kExitOk;
    const double pixels = double(img.width) * img.height;
    std::ostringstream os;
    os << a.in << " (" << img.width << "x" << img.height << " " << pngio::channels_name(img.channels) << ", "
       << img.bit_depth << "-bit) -> " << a.out << "\n";
    os << "  filter   " << job.describe() << ", border " << halconv::border_name(job.options.border)
       << (job.options.absolute ? ", |response|" : "")
       << (job.options.offset != 0.0f ? ", offset " + fmt(job.options.offset, 2) : std::string()) << ", "
       << halconv::device_name(a.device) << ", " << rep.path
       << (img.has_alpha() ? ", alpha copied" : "") << "\n";
    const int runs = a.time_runs > 0 ? a.time_runs : 5;
    if (rep.ms >= 0) {
        os << "  halconv  " << fmt(rep.ms, 3) << " ms, " << fmt(mpix_per_s(pixels, rep.ms), 1)
           << " MP/s (median of " << runs << " runs after one warm-up)\n";
    }
    if (a.compare) {
        os << "  opencv   " << rep.cv_function << ": " << fmt(rep.cv_ms, 3) << " ms, "
           << fmt(mpix_per_s(pixels, rep.cv_ms), 1) << " MP/s (median of " << runs << ")\n";
        const double ratio = rep.ms > 0 ? rep.cv_ms / rep.ms : 0.0;
        os << "  ratio    opencv/halconv time = " << fmt(ratio, 2) << " (halconv is "
           << (ratio >= 1 ? fmt(ratio, 2) + "x faster" : fmt(ratio > 0 ? 1.0 / ratio : 0.0, 2) + "x slower")
           << ")\n";
        os << "  max |halconv - opencv| = " << fmt(rep.cv_diff, 0) << " (samples 0.." << img.max_value() << ")\n";
    }
    std::cout << os.str();
    return kExitOk;
}

}  // namespace halconv_cli
