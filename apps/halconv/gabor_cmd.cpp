// halconv gabor-bank [options] IN.png OUT.png
#include "commands.h"
#include "common.h"
#include "gabor_bank.h"

#include <iostream>
#include <sstream>

namespace halconv_cli {

void usage_gabor_bank(std::ostream &os) {
    os << "usage: halconv gabor-bank [options] IN.png OUT.png\n"
          "\n"
          "A Gabor filter bank, the model of orientation-selective cells in the visual\n"
          "cortex (V1). The image's luminance is filtered with K orientations\n"
          "theta = 0, 180/K, ... degrees, each with an even (cosine) and an odd (sine)\n"
          "Gabor filter; their energy sqrt(even^2 + odd^2) measures how much structure\n"
          "runs at that orientation. OUT.png (8-bit RGB, the input's size) shows, per\n"
          "pixel, the winning orientation as the hue (hue = 2*theta, so 0 and 180 degrees\n"
          "meet) and its energy as the brightness (the --percentile energy is white).\n"
          "A legend in the bottom-right corner shows each orientation's colour with a\n"
          "bar along the edges it responds to.\n"
          "\n"
          "options:\n"
          "  --orientations K   number of orientations, 1-36 (default 8)\n"
          "  --wavelength W     carrier wavelength in pixels, 2-64 (default 8)\n"
          "  --sigma S          Gaussian envelope in pixels, 0.5-40 (default 0.56 * W,\n"
          "                     one octave); the kernels are 2*ceil(3*S)+1 wide\n"
          "  --percentile P     energy percentile shown at full brightness (default 99.5)\n"
          "  --border MODE      zero, clamp, mirror (default) or wrap\n"
          "  --device DEV       cpu (default), cuda or opencl\n"
          "  --threads N        CPU threads (default: one per core)\n"
          "  --time N           time the whole bank: median of N runs, ms and megapixels/s\n"
          "  --no-legend        do not draw the legend\n"
          "  -q, --quiet        print nothing on success\n"
          "  -h, --help         this text\n"
          "\n"
          "Input: any PNG, at most "
       << pngio::kMaxPixels
       << " pixels (2^28). The output directory must exist.\n"
          "\n"
          "Exit status: 0 ok, 1 error, 2 bad usage or option value.\n";
}

int cmd_gabor_bank(int argc, char **argv, int first) {
    GaborBankOptions opt;
    std::vector<std::string> positional;
    bool legend = true, quiet = false;
    int threads = 0, time_runs = 0;
    ArgReader r(argc, argv, first);
    while (!r.done()) {
        bool pos = false;
        const std::string o = r.next(&pos);
        if (pos) {
            positional.push_back(o);
        } else if (o == "-h" || o == "--help") {
            usage_gabor_bank(std::cout);
            return kExitOk;
        } else if (o == "--orientations" || o == "-K") {
            opt.orientations = parse_int(o, r.value(o), 1, 36);
        } else if (o == "--wavelength") {
            opt.wavelength = parse_double(o, r.value(o), 2, 64);
        } else if (o == "--sigma") {
            opt.sigma = parse_double(o, r.value(o), 0.5, 40);
        } else if (o == "--percentile") {
            opt.percentile = parse_double(o, r.value(o), 50, 100);
        } else if (o == "--border") {
            opt.filter.border = parse_border_arg(r.value(o));
        } else if (o == "--device") {
            opt.filter.device = parse_device_arg(r.value(o));
        } else if (o == "--threads") {
            threads = parse_int(o, r.value(o), 1, 1024);
        } else if (o == "--time") {
            time_runs = parse_int(o, r.value(o), 1, 100000);
        } else if (o == "--no-legend") {
            legend = false;
        } else if (o == "-q" || o == "--quiet") {
            quiet = true;
        } else {
            throw UsageError("unknown option '" + o + "'");
        }
    }
    if (positional.size() < 2) {
        throw UsageError(positional.empty() ? "missing IN.png and OUT.png" : "missing OUT.png");
    }
    if (positional.size() > 2) throw UsageError("too many arguments: '" + positional[2] + "'");
    const std::string in_path = positional[0], out_path = positional[1];

    check_output_path(out_path);
    std::string why;
    if (!halconv::device_available(opt.filter.device, &why)) {
        throw std::runtime_error("device " + std::string(halconv::device_name(opt.filter.device)) +
                                 " is not available: " + why);
    }
    if (threads > 0) halconv::set_num_threads(threads);

    const pngio::Image img = pngio::read_png(in_path);
    const std::vector<float> lum = luminance(img);
    const GaborBank bank(opt);
    std::vector<float> energy;
    std::vector<int> winner;
    double ms = -1;
    if (time_runs > 0) {
        ms = time_median_ms(time_runs, [&] { bank.run(lum, img.width, img.height, energy, winner); });
    } else {
        bank.run(lum, img.width, img.height, energy, winner);
    }
    double scale = 0;
    pngio::Image out = bank.render(energy, winner, img.width, img.height, &scale);
    const bool drawn = legend && bank.draw_legend(out);
    pngio::write_png(out_path, out);

    if (quiet) return kExitOk;
    std::ostringstream os;
    os << in_path << " (" << img.width << "x" << img.height << " " << pngio::channels_name(img.channels) << ", "
       << img.bit_depth << "-bit) -> " << out_path << " (RGB, 8-bit)\n";
    os << "  Gabor bank: " << bank.orientations() << " orientations x {even, odd}, wavelength "
       << fmt(opt.wavelength, 2) << " px, " << bank.kernel_size() << "x" << bank.kernel_size() << " kernels, border "
       << halconv::border_name(opt.filter.border) << ", " << halconv::device_name(opt.filter.device) << "\n";
    os << "  energy at the " << fmt(opt.percentile, 1) << "th percentile (white): " << fmt(scale, 4)
       << (legend && !drawn ? "; image too small for the legend" : "") << "\n";
    if (ms >= 0) {
        os << "  time     " << fmt(ms, 2) << " ms, " << fmt(mpix_per_s(double(img.width) * img.height, ms), 2)
           << " MP/s (median of " << time_runs << " runs after one warm-up)\n";
    }
    std::cout << os.str();
    return kExitOk;
}

}  // namespace halconv_cli
