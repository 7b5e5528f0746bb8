// halconv sampling-points [options] IN.png OUT.png
#include "commands.h"
#include "common.h"
#include "sampling_points.h"

#include <iostream>
#include <memory>
#include <sstream>

namespace halconv_cli {

void usage_sampling_points(std::ostream &os) {
    os << "usage: halconv sampling-points [options] IN.png OUT.png\n"
          "\n"
          "The effective sampling points of L stacked 3x3 deformable layers, as in the\n"
          "deformable-convolution paper (Dai et al. 2017, Fig. 5-6). A pixel of the top\n"
          "layer samples 9 points; each of them is a unit of the layer below, which\n"
          "samples its own 9 points moved by that layer's offsets, and so on: 9^L points\n"
          "of the image per pixel. halconv::points_collection chains them through the\n"
          "stack. OUT.png shows the regular stack (zero offsets, left) and the\n"
          "deformable one (right) over the image, one colour per chosen pixel: the\n"
          "9^L points as dots, the points after the upper layers as larger, lighter\n"
          "rings.\n"
          "\n"
          "options:\n"
          "  --layers L          stacked layers, 1-4 (default 3: 729 points per pixel)\n"
          "  --field F           the deformable offsets (default gradient):\n"
          "                        gradient  each tap moves toward the centroid of the\n"
          "                                  edge energy around it (smoothed Sobel of the\n"
          "                                  luminance, window sigma = step/2), at most\n"
          "                                  |S| x its layer's step; points gather on edges\n"
          "                        zoom      grids scaled by 2^(S b), b = 1 at the image\n"
          "                                  centre, Gaussian fall-off (sigma = shorter\n"
          "                                  side / 4)\n"
          "                        rotate    every grid turned by S x 30 degrees\n"
          "                                  (counter-clockwise): the whole field turns\n"
          "                        swirl     grids turned by S x 90 degrees x b\n"
          "  --strength S        -2 to 2 (default 1); negative: away from edges, shrink,\n"
          "                      clockwise\n"
          "  --dilation D        the bottom layer's step in pixels, 1-256 (default: the\n"
          "                      regular field spans about 1/4 of the shorter side, or\n"
          "                      less where the memory bound below needs it)\n"
          "  --growth G          each layer's step is G times the one below it, 1-4\n"
          "                      (default 3: the regular points form a 3^L x 3^L grid;\n"
          "                      1: one dilation for all layers, as in the paper)\n"
          "  --points \"X,Y;...\"  the pixels to draw, up to 8 (default: (W/4,H/4),\n"
          "                      (W/2,H/2), (3W/4,3H/4))\n"
          "  --dump-points FILE  also write every point as CSV: stack,pixel,px,py,depth,\n"
          "                      point,dx,dy; depth d = 1..L has 9^d points per pixel,\n"
          "                      point n = sum_j m_j 9^(d-j) with m_j = 3 ky + kx the tap\n"
          "                      taken at layer j (from the top), at (dx, dy) from (px, py)\n"
          "  --device DEV        where points collection runs: cpu (default), cuda, opencl\n"
          "  --threads N         CPU threads (default: one per core)\n"
          "  --time N            time points collection: median of N runs of both stacks\n"
          "  -q, --quiet         print nothing on success\n"
          "  -h, --help          this text\n"
          "\n"
          "Layers share the image's resolution; layer l (from the top) has step\n"
          "D x G^(L-l). Memory: only the chosen pixels are computed. Per pixel, each\n"
          "lower layer's offsets are evaluated on a window of S x S positions around it\n"
          "that holds every point the layers above can reach (S a power of two), and\n"
          "points collection runs on t [K, 2N, 1, 1] (the K pixels' N points so far, in\n"
          "window units) and d [K, 18, S, S], which gives exactly the full-image points:\n"
          "72 S^2 bytes per pixel and layer instead of 8 N W H. One call may use\n"
          "at most 256 MiB (S <= 1024: a reach of 510 px); larger stacks are refused.\n"
          "\n"
          "OUT.png: 8-bit RGB, (2 Z W + 24) x (Z H + 4 (8 T + 6) + 16) for a W x H\n"
          "input, Z = 1 when the longer side is at least 256 px (else the integer that\n"
          "brings it there), T = 2 when Z W >= 480 (else 1). Points outside the image are\n"
          "not drawn. OUT.png (and FILE) are written to a temporary file and renamed: a\n"
          "failed run leaves neither.\n"
          "\n"
          "examples:\n"
          "  halconv sampling-points data/camera.png points.png\n"
          "  halconv sampling-points --layers 2 --field swirl --points \"256,256\" in.png out.png\n"
          "\n"
          "Exit status: 0 ok, 1 error, 2 bad usage or option value.\n";
}

int cmd_sampling_points(int argc, char **argv, int first) {
    SamplingPointsOptions opt;
    std::vector<std::string> positional;
    std::string dump_path;
    bool quiet = false;
    int threads = 0, time_runs = 0;
    ArgReader r(argc, argv, first);
    while (!r.done()) {
        bool pos = false;
        const std::string o = r.next(&pos);
        if (pos) {
            positional.push_back(o);
        } else if (o == "-h" || o == "--help") {
            usage_sampling_points(std::cout);
            return kExitOk;
        } else if (o == "--layers" || o == "-L") {
            opt.layers = parse_int(o, r.value(o), 1, kMaxSamplingLayers);
        } else if (o == "--field") {
            opt.field = parse_offset_field_arg(r.value(o));
        } else if (o == "--strength") {
            opt.strength = parse_double(o, r.value(o), -kMaxSamplingStrength, kMaxSamplingStrength);
        } else if (o == "--dilation") {
            opt.dilation = parse_int(o, r.value(o), 1, kMaxSamplingDilation);
        } else if (o == "--growth") {
            opt.growth = parse_int(o, r.value(o), 1, kMaxSamplingGrowth);
        } else if (o == "--points") {
            opt.pixels = parse_points_arg(r.value(o));
        } else if (o == "--dump-points") {
            dump_path = r.value(o);
            if (dump_path.empty()) throw ArgError("--dump-points needs a file name");
        } else if (o == "--device") {
            opt.device = parse_device_arg(r.value(o));
        } else if (o == "--threads") {
            threads = parse_int(o, r.value(o), 1, 1024);
        } else if (o == "--time") {
            time_runs = parse_int(o, r.value(o), 1, 100000);
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

    // Everything that can be checked before reading the image.
    check_output_path(out_path);
    if (!dump_path.empty()) {
        check_output_path(dump_path);
        if (dump_path == out_path) throw ArgError("--dump-points must name another file than OUT.png");
    }
    std::string why;
    if (!halconv::device_available(opt.device, &why)) {
        throw std::runtime_error("device " + std::string(halconv::device_name(opt.device)) +
                                 " is not available: " + why);
    }
    if (threads > 0) halconv::set_num_threads(threads);

    const pngio::Image img = pngio::read_png(in_path);
    const SamplingPlan plan = plan_sampling_points(opt, img.width, img.height);
    const OffsetFields fields(plan, img);
    CollectStats reg_stats, def_stats;
    SamplingStack regular = collect_sampling_points(plan, nullptr, &reg_stats);
    SamplingStack deformable = collect_sampling_points(plan, &fields, &def_stats);
    double ms = -1;
    if (time_runs > 0) {
        std::vector<double> runs;
        for (int i = 0; i < time_runs; i++) {
            CollectStats a, b;
            regular = collect_sampling_points(plan, nullptr, &a);
            deformable = collect_sampling_points(plan, &fields, &b);
            runs.push_back(a.library_ms + b.library_ms);
        }
        ms = median(runs);
    }
    const pngio::Image figure = render_sampling_points(img, plan, regular, deformable);

    // The CSV is staged first and renamed after the PNG is in place: a
    // failure on either leaves neither.
    std::unique_ptr<StagedTextFile> dump;
    if (!dump_path.empty()) {
        dump = std::make_unique<StagedTextFile>(dump_path, sampling_points_csv(plan, regular, deformable));
    }
    pngio::write_png(out_path, figure);
    if (dump) dump->commit();

    if (quiet) return kExitOk;
    const int L = plan.layers;
    std::ostringstream os;
    os << in_path << " (" << img.width << "x" << img.height << " " << pngio::channels_name(img.channels) << ", "
       << img.bit_depth << "-bit) -> " << out_path << " (" << figure.width << "x" << figure.height
       << " RGB, 8-bit)\n";
    os << "  stack    " << L << " layer" << (L > 1 ? "s" : "") << " of 3x3, steps " << join_ints(plan.steps)
       << " px (top to bottom; bottom " << plan.dilation << (plan.auto_dilation ? " (auto)" : "") << ", growth "
       << plan.growth << "), image resolution: " << plan.points(L) << " points per pixel\n";
    os << "  field    " << describe_field(plan) << "\n";
    for (size_t k = 0; k < plan.pixels.size(); k++) {
        const SpreadStats a = spread(plan, regular, k), b = spread(plan, deformable, k);
        os << "  pixel    (" << plan.pixels[k][0] << "," << plan.pixels[k][1] << "): rms distance "
           << fmt(a.rms, 1) << " px regular, " << fmt(b.rms, 1) << " px deformable";
        if (a.outside || b.outside) {
            os << "; outside the image (not drawn): " << a.outside << " regular, " << b.outside << " deformable";
        }
        os << "\n";
    }
    if (L > 1) {
        const std::vector<int> windows(plan.window_deformable.begin() + 1, plan.window_deformable.end());
        os << "  windows  " << join_ints(windows) << " (deformable, per layer below the top), largest call "
           << fmt(plan.largest_call_bytes / 1048576.0, 1) << " MiB; " << reg_stats.calls + def_stats.calls
           << " points_collection calls on " << halconv::device_name(plan.device) << ", "
           << fmt(reg_stats.library_ms + def_stats.library_ms, 2) << " ms\n";
    } else {
        os << "  (one layer: its 9 taps, no points collection)\n";
    }
    if (ms >= 0) os << "  time     " << fmt(ms, 3) << " ms (both stacks, median of " << time_runs << " runs)\n";
    if (!dump_path.empty()) os << "  points   " << dump_path << "\n";
    std::cout << os.str();
    return kExitOk;
}

}  // namespace halconv_cli
