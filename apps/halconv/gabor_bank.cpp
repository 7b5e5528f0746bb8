#include "gabor_bank.h"

#include "common.h"
#include "font.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace halconv_cli {

GaborBank::GaborBank(const GaborBankOptions &options) : options_(options) {
    for (int k = 0; k < options.orientations; k++) {
        const double theta = 180.0 * k / options.orientations;
        even_.push_back(halconv::FilterKernel::gabor(theta, options.wavelength, options.sigma, 0.0));
        odd_.push_back(halconv::FilterKernel::gabor(theta, options.wavelength, options.sigma, 90.0));
    }
}

void GaborBank::run(const std::vector<float> &lum, int width, int height, std::vector<float> &energy,
                    std::vector<int> &winner, const FloatFilterFn &filter) const {
    const size_t n = size_t(width) * size_t(height);
    energy.assign(n, -1.0f);
    winner.assign(n, 0);
    std::vector<float> e(n), o(n);
    const halconv::ImageView<const float> in(lum.data(), width, height, 1);
    for (int k = 0; k < orientations(); k++) {
        if (filter) {
            filter(in, view(e, width, height, 1), even_[size_t(k)]);
            filter(in, view(o, width, height, 1), odd_[size_t(k)]);
        } else {
            halconv::filter2d(in, view(e, width, height, 1), even_[size_t(k)], options_.filter);
            halconv::filter2d(in, view(o, width, height, 1), odd_[size_t(k)], options_.filter);
        }
        for (size_t i = 0; i < n; i++) {
            const float en = std::sqrt(e[i] * e[i] + o[i] * o[i]);
            if (en > energy[i]) {
                energy[i] = en;
                winner[i] = k;
            }
        }
    }
}

pngio::Image GaborBank::render(const std::vector<float> &energy, const std::vector<int> &winner, int width,
                               int height, double *scale_out) const {
    // Energies are in luminance units (the filters' positive taps sum to 1);
    // below 1e-4 (a flat image: float rounding only) nothing is shown.
    double scale = std::max(1e-4, double(percentile(energy, options_.percentile)));
    if (scale_out) *scale_out = scale;
    pngio::Image out(width, height, 3, 8);
    uint8_t *p = out.pixels.data();
    for (size_t i = 0; i < energy.size(); i++, p += 3) {
        const double v = std::min(1.0, std::max(0.0, double(energy[i]) / scale));
        hsv_to_rgb(2.0 * theta_deg(winner[i]), 1.0, v, p);
    }
    return out;
}

bool GaborBank::draw_legend(pngio::Image &rgb) const {
    const int K = orientations();
    const int cell = 15, gap = 2, margin = 4;
    const int w = K * (cell + gap) + gap, h = cell + 2 * gap;
    if (rgb.channels != 3 || rgb.bit_depth != 8 || rgb.width < w + 2 * margin || rgb.height < h + 2 * margin) {
        return false;
    }
    Canvas canvas{rgb.pixels.data(), rgb.width, rgb.height};
    const int x0 = rgb.width - margin - w, y0 = rgb.height - margin - h;
    canvas.fill(x0, y0, w, h, 32, 32, 32);
    for (int k = 0; k < K; k++) {
        uint8_t c[3];
        hsv_to_rgb(2.0 * theta_deg(k), 1.0, 1.0, c);
        const int cx0 = x0 + gap + k * (cell + gap), cy0 = y0 + gap;
        canvas.fill(cx0, cy0, cell, cell, 0, 0, 0);
        // The filter's carrier runs along theta (counter-clockwise from +x,
        // image y down), so it prefers stripes and edges at theta + 90.
        const double a = (theta_deg(k) + 90.0) * M_PI / 180.0;
        const double r = 0.5 * cell - 1.5, cx = cx0 + 0.5 * cell, cy = cy0 + 0.5 * cell;
        const double dx = r * std::cos(a), dy = -r * std::sin(a);
        draw_line(canvas, cx - dx, cy - dy, cx + dx, cy + dy, 2.2, c[0], c[1], c[2]);
    }
    return true;
}

}  // namespace halconv_cli
