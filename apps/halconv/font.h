// A tiny built-in 5x7 bitmap font (plus a descender row) (printable ASCII) for labelling the
// contact sheets and the Gabor legend: no font file, no dependency.
#pragma once

#include <cstdint>
#include <string>

namespace halconv_cli {

// An 8-bit RGB canvas: rows top to bottom, 3 bytes per pixel.
struct Canvas {
    uint8_t *rgb = nullptr;
    int width = 0;
    int height = 0;

    void put(int x, int y, uint8_t r, uint8_t g, uint8_t b) {
        if (x < 0 || y < 0 || x >= width || y >= height) return;
        uint8_t *p = rgb + (size_t(y) * size_t(width) + size_t(x)) * 3;
        p[0] = r;
        p[1] = g;
        p[2] = b;
    }
    void fill(int x0, int y0, int w, int h, uint8_t r, uint8_t g, uint8_t b) {
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++) put(x, y, r, g, b);
    }
};

constexpr int kGlyphWidth = 5;
constexpr int kGlyphHeight = 8;  // 7 rows + the descender row
constexpr int kGlyphAdvance = 6;  // 5 columns + 1 column of spacing

// Width in pixels of `text` drawn at `scale` (no trailing spacing).
int text_width(const std::string &text, int scale);

// Draws `text` with its top-left corner at (x, y), each font pixel a
// scale x scale square; characters outside printable ASCII draw as '?'.
// Clipped to the canvas.
void draw_text(Canvas &canvas, int x, int y, const std::string &text, int scale, uint8_t r, uint8_t g,
               uint8_t b);

// Antialiasing-free line from (x0, y0) to (x1, y1), `thickness` pixels wide.
void draw_line(Canvas &canvas, double x0, double y0, double x1, double y1, double thickness, uint8_t r,
               uint8_t g, uint8_t b);

}  // namespace halconv_cli
