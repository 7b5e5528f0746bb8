// Small chart renderer for `halconv tune-report`: line charts (best-so-far
// convergence) and horizontal bar charts, drawn into an 8-bit RGB image with
// the CLI's built-in 5x7 font (apps/halconv/font.h). No plotting library:
// the report must build wherever halconv builds.
//
// Both charts have axes with "nice" tick values (1, 2 or 5 x 10^k), tick
// labels, a title and a legend; horizontal reference lines are dashed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "png_io.h"

namespace halconv {
namespace tune {
namespace plot {

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
};

// Distinct, colour-blind-friendly colours (Okabe-Ito order); cycles.
Rgb series_colour(int index);

// A step of 1, 2 or 5 x 10^k such that [lo, hi] holds about `target_ticks`
// ticks. hi <= lo is treated as a small range around lo.
double nice_step(double lo, double hi, int target_ticks);
// The multiples of nice_step(lo, hi, target_ticks) from floor(lo / step) *
// step to ceil(hi / step) * step: the tick values of an axis covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target_ticks);
// A tick label with just enough decimals for `step` ("0.25", "10", "1.5").
std::string format_tick(double value, double step);

// One polyline of a line chart. With `steps`, the points are joined as a
// staircase (horizontal to the next x, then vertical), the honest picture of
// a best-so-far curve.
struct Series {
    std::string label;
    Rgb colour;
    std::vector<std::pair<double, double>> points;  // (x, y), x increasing
    bool steps = true;
};

// A dashed reference line across the plot: horizontal at y in a line chart
// (e.g. the hand schedule's time), vertical at that value in a bar chart.
// When it lies above a line chart's cut y range (see max_range_ratio) it is
// not drawn and its legend entry says "off scale".
struct ReferenceLine {
    std::string label;
    Rgb colour;
    double y = 0;
    // Keep this line inside the y range even beyond max_range_ratio (the
    // hand schedule: the baseline every curve is read against).
    bool keep_in_range = false;
};

struct LineChart {
    std::string title;
    std::string x_label;  // under the x axis
    std::string y_label;  // above the y axis (the font cannot rotate)
    std::vector<Series> series;
    std::vector<ReferenceLine> references;
    // Extra legend lines without a drawn line (e.g. "Li2018: failed").
    std::vector<std::pair<std::string, Rgb>> notes;
    // When the largest value exceeds this multiple of the smallest, the y
    // range is cut there (but never below a series' last value or a
    // keep_in_range line), so that a slow first trial does not squash the
    // interesting part; lines above are clipped.
    double max_range_ratio = 3.0;
    int width = 900;
    int height = 560;
};

// One bar. Without a value the bar is a hatched placeholder labelled with
// `placeholder` (e.g. "failed").
struct Bar {
    std::string label;  // left of the bar
    Rgb colour;
    std::optional<double> value;
    std::string placeholder = "failed";
};

struct BarChart {
    std::string title;
    std::string value_label;  // under the value axis, e.g. "median time (ms)"
    std::string unit = " ms";  // appended to the value printed after each bar
    int value_decimals = 3;
    std::vector<Bar> bars;     // drawn top to bottom
    // An optional vertical dashed line at this value (e.g. speedup 1.0).
    std::optional<ReferenceLine> reference;
    int width = 900;
    int height = 560;
};

pngio::Image render_line_chart(const LineChart &chart);
pngio::Image render_bar_chart(const BarChart &chart);

}  // namespace plot
}  // namespace tune
}  // namespace halconv
