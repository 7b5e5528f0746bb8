// A Gabor filter bank, the model of V1 simple and complex cells: K
// orientations theta_k = k * 180 / K, each an even (cosine) and an odd (sine)
// Gabor filter; the energy sqrt(even^2 + odd^2) is the complex-cell
// response. Per pixel the orientation with the largest energy gives the hue
// (hue = 2 * theta, so that 0 and 180 degrees meet) and the energy, divided
// by a high percentile of all pixels' energies, gives the brightness.
#pragma once

#include <halconv/halconv.h>

#include "png_io.h"

#include <functional>
#include <string>
#include <vector>

namespace halconv_cli {

struct GaborBankOptions {
    int orientations = 8;
    double wavelength = 8.0;  // pixels
    double sigma = 0.0;       // 0: FilterKernel::gabor's default (0.56 * wavelength)
    double percentile = 99.5; // energy at this percentile maps to full brightness
    halconv::FilterOptions filter;  // border, device
};

// Filters a one-channel float image with one kernel (halconv or a peer).
using FloatFilterFn = std::function<void(halconv::ImageView<const float>, halconv::ImageView<float>,
                                         const halconv::FilterKernel &)>;

class GaborBank {
public:
    explicit GaborBank(const GaborBankOptions &options);

    int orientations() const { return int(even_.size()); }
    double theta_deg(int k) const { return 180.0 * k / orientations(); }
    int kernel_size() const { return even_.empty() ? 0 : even_[0].width; }
    const GaborBankOptions &options() const { return options_; }

    // Energy of the winning orientation (energy) and its index (winner),
    // for a width x height luminance image. `filter` runs one kernel; the
    // default is halconv::filter2d with the bank's FilterOptions.
    void run(const std::vector<float> &lum, int width, int height, std::vector<float> &energy,
             std::vector<int> &winner, const FloatFilterFn &filter = {}) const;

    // The colour-coded 8-bit RGB image of run()'s result; `scale_out`
    // receives the energy that maps to full brightness.
    pngio::Image render(const std::vector<float> &energy, const std::vector<int> &winner, int width, int height,
                        double *scale_out = nullptr) const;

    // Draws the legend (one swatch per orientation with a bar along the
    // preferred stripe direction, in its colour) in the bottom-right corner
    // when the image is large enough; returns whether it fitted.
    bool draw_legend(pngio::Image &rgb) const;

private:
    GaborBankOptions options_;
    std::vector<halconv::FilterKernel> even_, odd_;
};

}  // namespace halconv_cli
