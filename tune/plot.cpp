#include "tune/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "apps/halconv/font.h"  // by its path from the root: the halconv target need not list apps/halconv

namespace halconv {
namespace tune {
namespace plot {

namespace {

using halconv_cli::Canvas;

constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kAxis{60, 60, 60};
constexpr Rgb kGrid{228, 228, 228};
constexpr Rgb kMuted{110, 110, 110};

constexpr int kSmall = 1;  // tick labels, legend
constexpr int kLarge = 2;  // titles
constexpr int kLineHeight = halconv_cli::kGlyphHeight;

Canvas canvas_of(pngio::Image &img) { return Canvas{img.pixels.data(), img.width, img.height}; }

pngio::Image white_image(int width, int height) {
    pngio::Image img(std::max(width, 200), std::max(height, 150), 3, 8);
    std::fill(img.pixels.begin(), img.pixels.end(), uint8_t(255));
    return img;
}

void text(Canvas &c, int x, int y, const std::string &s, int scale, Rgb col) {
    halconv_cli::draw_text(c, x, y, s, scale, col.r, col.g, col.b);
}

int width_of(const std::string &s, int scale) { return halconv_cli::text_width(s, scale); }

// `s` cut to at most max_px wide, with ".." marking the cut.
std::string fit(const std::string &s, int max_px, int scale) {
    if (width_of(s, scale) <= max_px) return s;
    std::string out = s;
    while (!out.empty() && width_of(out + "..", scale) > max_px) out.pop_back();
    return out + "..";
}

void line(Canvas &c, double x0, double y0, double x1, double y1, double thickness, Rgb col) {
    halconv_cli::draw_line(c, x0, y0, x1, y1, thickness, col.r, col.g, col.b);
}

void dashed_line(Canvas &c, double x0, double y0, double x1, double y1, double thickness, Rgb col,
                 double dash = 9, double gap = 6) {
    const double len = std::hypot(x1 - x0, y1 - y0);
    if (len <= 0) return;
    const double ux = (x1 - x0) / len, uy = (y1 - y0) / len;
    for (double s = 0; s < len; s += dash + gap) {
        const double e = std::min(len, s + dash);
        line(c, x0 + ux * s, y0 + uy * s, x0 + ux * e, y0 + uy * e, thickness, col);
    }
}

void rect_outline(Canvas &c, int x0, int y0, int x1, int y1, Rgb col) {
    for (int x = x0; x <= x1; x++) {
        c.put(x, y0, col.r, col.g, col.b);
        c.put(x, y1, col.r, col.g, col.b);
    }
    for (int y = y0; y <= y1; y++) {
        c.put(x0, y, col.r, col.g, col.b);
        c.put(x1, y, col.r, col.g, col.b);
    }
}

// Liang-Barsky: clips the segment to the rectangle; false if nothing is left.
bool clip_segment(double &x0, double &y0, double &x1, double &y1, double left, double top, double right,
                  double bottom) {
    const double dx = x1 - x0, dy = y1 - y0;
    double t0 = 0, t1 = 1;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {x0 - left, right - x0, y0 - top, bottom - y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0) {
            t0 = std::max(t0, t);
        } else {
            t1 = std::min(t1, t);
        }
        if (t0 > t1) return false;
    }
    const double ax = x0 + t0 * dx, ay = y0 + t0 * dy;
    x1 = x0 + t1 * dx;
    y1 = y0 + t1 * dy;
    x0 = ax;
    y0 = ay;
    return true;
}

std::string format_value(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// The plot area and the data range it shows.
struct Frame {
    int left, top, right, bottom;
    double x0, x1, y0, y1;
    double px(double x) const { return left + (x - x0) / (x1 - x0) * (right - left); }
    double py(double y) const { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }
};

void draw_title(Canvas &c, const std::string &title, int width) {
    const std::string t = fit(title, width - 20, kLarge);
    text(c, (width - width_of(t, kLarge)) / 2, 12, t, kLarge, kBlack);
}

}  // namespace

Rgb series_colour(int index) {
    static const Rgb kPalette[] = {
        {0, 114, 178},    // blue
        {213, 94, 0},     // vermillion
        {0, 158, 115},    // bluish green
        {204, 121, 167},  // reddish purple
        {230, 159, 0},    // orange
        {86, 180, 233},   // sky blue
        {90, 90, 90},     // dark grey
        {170, 150, 0},    // dark yellow
    };
    const int n = int(sizeof kPalette / sizeof kPalette[0]);
    return kPalette[((index % n) + n) % n];
}

double nice_step(double lo, double hi, int target_ticks) {
    if (!(hi > lo)) {
        const double m = std::max(std::abs(lo), 1e-12);
        lo -= 0.1 * m;
        hi += 0.1 * m;
    }
    const double raw = (hi - lo) / std::max(1, target_ticks);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double fraction = raw / magnitude;
    // The nearest of 1, 2, 5 (and 10) on a log scale.
    const double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
    return nice * magnitude;
}

std::vector<double> nice_ticks(double lo, double hi, int target_ticks) {
    if (!(hi > lo)) {
        const double m = std::max(std::abs(lo), 1e-12);
        lo -= 0.1 * m;
        hi += 0.1 * m;
    }
    const double step = nice_step(lo, hi, target_ticks);
    const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
    std::vector<double> ticks;
    for (double k = first; k <= last + 0.5; k += 1) {
        const double v = k * step;
        ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);  // no "-0"
    }
    return ticks;
}

std::string format_tick(double value, double step) {
    int decimals = 0;
    if (step > 0 && step < 1) decimals = std::min(9, int(std::ceil(-std::log10(step) - 1e-9)));
    // Steps such as 0.25 never occur (1/2/5 only), but 0.05 needs 2 decimals.
    return format_value(value, decimals);
}

pngio::Image render_line_chart(const LineChart &chart) {
    pngio::Image img = white_image(chart.width, chart.height);
    Canvas c = canvas_of(img);
    const int W = img.width, H = img.height;

    // --- data range -------------------------------------------------------
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
    double ymin = xmin, ymax = -xmin, must_show = -xmin;
    for (const Series &s : chart.series) {
        for (const auto &p : s.points) {
            xmin = std::min(xmin, p.first);
            xmax = std::max(xmax, p.first);
            ymin = std::min(ymin, p.second);
            ymax = std::max(ymax, p.second);
        }
        if (!s.points.empty()) must_show = std::max(must_show, s.points.back().second);
    }
    for (const ReferenceLine &r : chart.references) {
        ymin = std::min(ymin, r.y);
        ymax = std::max(ymax, r.y);
        if (r.keep_in_range) must_show = std::max(must_show, r.y);
    }
    if (!std::isfinite(xmin)) xmin = 1, xmax = 1;
    if (!std::isfinite(ymin)) ymin = 0, ymax = 1;
    if (ymin > 0 && chart.max_range_ratio > 1 && ymax > chart.max_range_ratio * ymin)
        ymax = std::max(chart.max_range_ratio * ymin, must_show);
    const double yspan = ymax > ymin ? ymax - ymin : std::max(std::abs(ymax), 1e-9) * 0.2;
    double ylo = ymin - 0.06 * yspan, yhi = ymax + 0.06 * yspan;
    if (ymin >= 0 && ylo < 0) ylo = 0;  // times are never negative
    const std::vector<double> yticks = nice_ticks(ylo, yhi, 6);
    const double ystep = yticks.size() > 1 ? yticks[1] - yticks[0] : 1;
    // The x axis runs from 0 to a little past the last point, so that a
    // final improvement (a vertical step) does not hide in the frame.
    const double x_lo = std::min(0.0, xmin), x_hi = std::max(xmax, x_lo + 1);
    const double x_end = x_hi + std::max(0.5, 0.02 * (x_hi - x_lo));
    // Trial numbers are integers: whole-number ticks only.
    std::vector<double> xticks;
    double xstep = std::max(1.0, nice_step(x_lo, x_hi, 8));
    for (double v = std::floor(x_lo / xstep) * xstep; v <= x_end + 1e-9; v += xstep) xticks.push_back(v);

    // --- layout -------------------------------------------------------------
    int ytick_width = 0;
    for (double v : yticks) ytick_width = std::max(ytick_width, width_of(format_tick(v, ystep), kSmall));
    // Reference lines outside the shown range are only named in the legend.
    std::vector<bool> off_scale(chart.references.size(), false);
    std::vector<std::string> legend_labels;
    for (const Series &s : chart.series) legend_labels.push_back(s.label);
    for (size_t i = 0; i < chart.references.size(); i++) {
        const ReferenceLine &r = chart.references[i];
        off_scale[i] = r.y > yticks.back() || r.y < yticks.front();
        legend_labels.push_back(r.label + (off_scale[i] ? " (off scale)" : ""));
    }
    for (const auto &n : chart.notes) legend_labels.push_back(n.first);
    int legend_width = 0;
    for (const std::string &l : legend_labels) legend_width = std::max(legend_width, width_of(l, kSmall));
    legend_width = std::clamp(legend_width + 36, 120, W * 2 / 5);

    Frame f;
    f.left = 16 + ytick_width + 8;
    f.top = 56;
    f.right = W - legend_width - 24;
    f.bottom = H - 52;
    f.x0 = xticks.front();
    f.x1 = x_end;
    f.y0 = yticks.front();
    f.y1 = yticks.back();

    draw_title(c, chart.title, W);
    text(c, 16, f.top - 18, fit(chart.y_label, f.right - 16, kSmall), kSmall, kAxis);
    const std::string xl = fit(chart.x_label, f.right - f.left, kSmall);
    text(c, (f.left + f.right - width_of(xl, kSmall)) / 2, H - 22, xl, kSmall, kAxis);

    // Grid, ticks and labels.
    for (double v : yticks) {
        const int y = int(std::lround(f.py(v)));
        line(c, f.left, y + 0.5, f.right, y + 0.5, 1, kGrid);
        line(c, f.left - 5, y + 0.5, f.left, y + 0.5, 1, kAxis);
        const std::string s = format_tick(v, ystep);
        text(c, f.left - 8 - width_of(s, kSmall), y - kLineHeight / 2, s, kSmall, kAxis);
    }
    for (double v : xticks) {
        const int x = int(std::lround(f.px(v)));
        line(c, x + 0.5, f.top, x + 0.5, f.bottom, 1, kGrid);
        line(c, x + 0.5, f.bottom, x + 0.5, f.bottom + 5, 1, kAxis);
        const std::string s = format_tick(v, xstep);
        text(c, x - width_of(s, kSmall) / 2, f.bottom + 9, s, kSmall, kAxis);
    }
    rect_outline(c, f.left, f.top, f.right, f.bottom, kAxis);

    // Reference lines under the series, so the curves stay readable.
    for (size_t i = 0; i < chart.references.size(); i++) {
        const ReferenceLine &r = chart.references[i];
        if (off_scale[i]) continue;
        const double y = f.py(r.y);
        dashed_line(c, f.left + 1, y, f.right - 1, y, 2, r.colour);
    }
    for (const Series &s : chart.series) {
        std::vector<std::pair<double, double>> pts;
        for (size_t i = 0; i < s.points.size(); i++) {
            if (s.steps && i > 0) pts.emplace_back(s.points[i].first, s.points[i - 1].second);
            pts.push_back(s.points[i]);
        }
        if (pts.size() == 1) {  // a lone point: a small square
            const double x = f.px(pts[0].first), y = f.py(pts[0].second);
            if (y >= f.top && y <= f.bottom) c.fill(int(x) - 2, int(y) - 2, 5, 5, s.colour.r, s.colour.g, s.colour.b);
        }
        for (size_t i = 1; i < pts.size(); i++) {
            double x0 = f.px(pts[i - 1].first), y0 = f.py(pts[i - 1].second);
            double x1 = f.px(pts[i].first), y1 = f.py(pts[i].second);
            if (clip_segment(x0, y0, x1, y1, f.left, f.top, f.right, f.bottom)) line(c, x0, y0, x1, y1, 2.2, s.colour);
        }
    }

    // Legend, right of the plot.
    const int lx = f.right + 14, label_x = lx + 30, label_px = W - label_x - 6;
    int ly = f.top + 2;
    for (const Series &s : chart.series) {
        line(c, lx, ly + 4, lx + 24, ly + 4, 2.2, s.colour);
        text(c, label_x, ly, fit(s.label, label_px, kSmall), kSmall, kBlack);
        ly += 16;
    }
    for (size_t i = 0; i < chart.references.size(); i++) {
        const ReferenceLine &r = chart.references[i];
        dashed_line(c, lx, ly + 4, lx + 24, ly + 4, 2, r.colour, 7, 4);
        text(c, label_x, ly, fit(legend_labels[chart.series.size() + i], label_px, kSmall), kSmall, kBlack);
        ly += 16;
    }
    for (const auto &n : chart.notes) {
        line(c, lx + 8, ly, lx + 16, ly + 8, 1.5, n.second);  // a cross: nothing to draw
        line(c, lx + 16, ly, lx + 8, ly + 8, 1.5, n.second);
        text(c, label_x, ly, fit(n.first, label_px, kSmall), kSmall, kMuted);
        ly += 16;
    }
    return img;
}

pngio::Image render_bar_chart(const BarChart &chart) {
    pngio::Image img = white_image(chart.width, chart.height);
    Canvas c = canvas_of(img);
    const int W = img.width, H = img.height;
    draw_title(c, chart.title, W);

    const int n = std::max<int>(1, int(chart.bars.size()));
    const int top = 52, bottom = H - 52;
    const double slot = double(bottom - top) / n;
    const int label_scale = slot >= 26 ? kLarge : kSmall;

    double vmax = 0;
    for (const Bar &b : chart.bars)
        if (b.value && std::isfinite(*b.value)) vmax = std::max(vmax, *b.value);
    if (chart.reference) vmax = std::max(vmax, chart.reference->y);
    if (!(vmax > 0)) vmax = 1;
    const std::vector<double> ticks = nice_ticks(0, vmax, 6);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;

    int label_width = 0, value_width = 0;
    for (const Bar &b : chart.bars) {
        label_width = std::max(label_width, width_of(b.label, label_scale));
        const std::string v = b.value ? format_value(*b.value, chart.value_decimals) + chart.unit : b.placeholder;
        value_width = std::max(value_width, width_of(v, label_scale));
    }
    label_width = std::min(label_width, int(W * 0.38));
    Frame f;
    f.left = 16 + label_width + 10;
    f.right = W - 16 - value_width - 8;
    f.top = top;
    f.bottom = bottom;
    f.x0 = 0;
    f.x1 = ticks.back();
    f.y0 = 0;
    f.y1 = 1;

    for (double v : ticks) {
        const int x = int(std::lround(f.px(v)));
        line(c, x + 0.5, f.top, x + 0.5, f.bottom, 1, kGrid);
        line(c, x + 0.5, f.bottom, x + 0.5, f.bottom + 5, 1, kAxis);
        const std::string s = format_tick(v, step);
        text(c, x - width_of(s, kSmall) / 2, f.bottom + 9, s, kSmall, kAxis);
    }
    line(c, f.left + 0.5, f.top, f.left + 0.5, f.bottom, 1, kAxis);
    line(c, f.left, f.bottom + 0.5, f.right, f.bottom + 0.5, 1, kAxis);
    const std::string vl = fit(chart.value_label, f.right - f.left, kSmall);
    text(c, (f.left + f.right - width_of(vl, kSmall)) / 2, H - 22, vl, kSmall, kAxis);

    const int glyph_h = kLineHeight * label_scale;
    for (size_t i = 0; i < chart.bars.size(); i++) {
        const Bar &b = chart.bars[i];
        const double centre = top + slot * (double(i) + 0.5);
        const int thickness = std::clamp(int(slot * 0.62), 3, 44);  // one bar need not fill the chart
        const int y0 = int(std::lround(centre - thickness / 2.0));
        const std::string label = fit(b.label, label_width, label_scale);
        text(c, f.left - 10 - width_of(label, label_scale), int(centre) - glyph_h / 2, label, label_scale, kBlack);
        if (b.value && std::isfinite(*b.value)) {
            const int x1 = std::max(f.left + 2, int(std::lround(f.px(*b.value))));
            c.fill(f.left + 1, y0, x1 - f.left, thickness, b.colour.r, b.colour.g, b.colour.b);
            text(c, x1 + 6, int(centre) - glyph_h / 2, format_value(*b.value, chart.value_decimals) + chart.unit,
                 label_scale, kBlack);
        } else {
            // Placeholder: a hatched outline a quarter of the axis long.
            const int x1 = f.left + std::max(20, (f.right - f.left) / 4);
            rect_outline(c, f.left + 1, y0, x1, y0 + thickness - 1, b.colour);
            for (int d = -thickness; d < x1 - f.left; d += 7) {
                double ax = f.left + 1 + d, ay = y0 + thickness - 1, bx = ax + thickness, by = y0;
                if (clip_segment(ax, ay, bx, by, f.left + 1, y0, x1, y0 + thickness - 1))
                    line(c, ax, ay, bx, by, 1, b.colour);
            }
            text(c, x1 + 6, int(centre) - glyph_h / 2, b.placeholder, label_scale, kMuted);
        }
    }
    if (chart.reference) {
        const ReferenceLine &r = *chart.reference;
        const double x = f.px(r.y);
        dashed_line(c, x, f.top - 4, x, f.bottom, 2, r.colour, 7, 4);
        const std::string s = fit(r.label, W / 2, kSmall);
        text(c, std::clamp(int(x) - width_of(s, kSmall) / 2, 4, W - 4 - width_of(s, kSmall)), f.top - 14, s, kSmall,
             r.colour);
    }
    return img;
}

}  // namespace plot
}  // namespace tune
}  // namespace halconv
