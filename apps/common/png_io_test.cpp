// Standalone tests of png_io (no halconv, no gtest): round trips of every
// layout, libpng's expansions (low-bit gray, palette, tRNS, interlace), and
// every error path (not a PNG, truncated at every length, corrupt, too large,
// unwritable directory). Sections 10-11: every colour type and bit depth,
// interlaced and not, decoded sample by sample; and a corpus of broken PNGs
// (truncated at every offset, a bad CRC in each chunk, wrong or invalid
// dimensions and header fields, bad image data, absurd chunk lengths) that
// must all fail cleanly with a PngError. Exit status 0 = all passed.
#include "png_io.h"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace fs = std::filesystem;
using pngio::Image;
using pngio::PngError;

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        g_checks++;                                                                    \
        if (!(cond)) {                                                                 \
            g_failures++;                                                              \
            std::cerr << __FILE__ << ":" << __LINE__ << ": CHECK failed: " #cond "\n"; \
        }                                                                              \
    } while (0)

// Runs f, expects a PngError whose message contains `needle`.
static void expect_error(const std::function<void()> &f, const std::string &needle, int line) {
    g_checks++;
    try {
        f();
    } catch (const PngError &e) {
        if (std::string(e.what()).find(needle) == std::string::npos) {
            g_failures++;
            std::cerr << __FILE__ << ":" << line << ": error message \"" << e.what()
                      << "\" does not contain \"" << needle << "\"\n";
        }
        return;
    } catch (const std::exception &e) {
        g_failures++;
        std::cerr << __FILE__ << ":" << line << ": wrong exception type: " << e.what() << "\n";
        return;
    }
    g_failures++;
    std::cerr << __FILE__ << ":" << line << ": expected a PngError containing \"" << needle << "\"\n";
}
#define EXPECT_ERROR(expr, needle) expect_error([&] { expr; }, needle, __LINE__)

static Image random_image(int w, int h, int c, int bd, unsigned seed) {
    Image img(w, h, c, bd);
    std::mt19937 rng(seed);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < c; k++) img.set_sample(x, y, k, rng() % (img.max_value() + 1));
    return img;
}

static bool same(const Image &a, const Image &b) {
    return a.width == b.width && a.height == b.height && a.channels == b.channels &&
           a.bit_depth == b.bit_depth && a.pixels == b.pixels;
}

// --- raw libpng writer for layouts png_io does not write ---------------------
// (plain C data only in this frame: it calls setjmp)
struct RawSpec {
    int width, height, bit_depth, color_type, interlace;
    const png_color *palette;
    int num_palette;
    const png_byte *trns;  // palette alpha values
    int num_trns;
    const png_color_16 *trns_color;  // gray/RGB transparent colour
    png_bytepp rows;
};

__attribute__((noinline)) static int write_raw(const char *path, const RawSpec *s) {
    FILE *f = std::fopen(path, "wb");
    if (!f) return 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        std::fclose(f);
        return 0;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, s->width, s->height, s->bit_depth, s->color_type, s->interlace,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (s->palette) png_set_PLTE(png, info, s->palette, s->num_palette);
    if (s->trns || s->trns_color) png_set_tRNS(png, info, s->trns, s->num_trns, s->trns_color);
    png_write_info(png, info);
    if (s->interlace != PNG_INTERLACE_NONE) png_set_interlace_handling(png);
    png_write_image(png, s->rows);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return std::fclose(f) == 0;
}

static std::vector<uint8_t> slurp(const std::string &path) {
    FILE *f = std::fopen(path.c_str(), "rb");
    std::vector<uint8_t> out;
    if (!f) return out;
    uint8_t buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
    std::fclose(f);
    return out;
}

static void put_be32(std::vector<uint8_t> &v, uint32_t x) {
    for (int s = 24; s >= 0; s -= 8) v.push_back(uint8_t(x >> s));
}

static void add_chunk(std::vector<uint8_t> &png, const char *type, const std::vector<uint8_t> &data) {
    put_be32(png, uint32_t(data.size()));
    const size_t start = png.size();
    png.insert(png.end(), type, type + 4);
    png.insert(png.end(), data.begin(), data.end());
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, png.data() + start, uInt(png.size() - start));
    put_be32(png, uint32_t(crc));
}


// --- PNG chunk surgery for the broken-file corpus ----------------------------
struct Chunk {
    size_t offset;  // of the length field
    uint32_t length;
    std::string type;
};

static uint32_t get_be32(const uint8_t *p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

static void set_be32(std::vector<uint8_t> &v, size_t at, uint32_t x) {
    for (int k = 0; k < 4; k++) v[at + k] = uint8_t(x >> (24 - 8 * k));
}

static std::vector<Chunk> chunks_of(const std::vector<uint8_t> &png) {
    std::vector<Chunk> out;
    size_t pos = 8;
    while (pos + 12 <= png.size()) {
        const uint32_t len = get_be32(&png[pos]);
        out.push_back({pos, len, std::string(png.begin() + long(pos) + 4, png.begin() + long(pos) + 8)});
        pos += 12 + size_t(len);
    }
    return out;
}

static const Chunk *find_chunk(const std::vector<Chunk> &cs, const std::string &type) {
    for (const Chunk &c : cs)
        if (c.type == type) return &c;
    return nullptr;
}

// Recomputes the CRC of the chunk at `c` (after editing its data).
static void fix_crc(std::vector<uint8_t> &png, const Chunk &c) {
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, png.data() + c.offset + 4, uInt(c.length + 4));
    set_be32(png, c.offset + 8 + c.length, uint32_t(crc));
}

// A copy of `png` with IHDR byte `at` (0-12 within the chunk data) set to
// `value`, CRC fixed, so that libpng judges the content, not the checksum.
static std::vector<uint8_t> with_ihdr_byte(std::vector<uint8_t> png, size_t at, uint8_t value) {
    const auto cs = chunks_of(png);
    png[cs[0].offset + 8 + at] = value;
    fix_crc(png, cs[0]);
    return png;
}

static std::vector<uint8_t> with_ihdr_size(std::vector<uint8_t> png, uint32_t w, uint32_t h) {
    const auto cs = chunks_of(png);
    set_be32(png, cs[0].offset + 8, w);
    set_be32(png, cs[0].offset + 12, h);
    fix_crc(png, cs[0]);
    return png;
}

// A copy of `png` with `chunk` (complete, CRC included) inserted before the
// chunk of type `before`.
static std::vector<uint8_t> with_chunk_before(std::vector<uint8_t> png, const std::string &before,
                                              const std::vector<uint8_t> &chunk) {
    const auto cs = chunks_of(png);
    const Chunk *c = find_chunk(cs, before);
    png.insert(png.begin() + long(c->offset), chunk.begin(), chunk.end());
    return png;
}

// Raw scanline bytes for one row of samples (packed for bit depths < 8,
// big-endian for 16).
static std::vector<png_byte> pack_row(const std::vector<uint32_t> &samples, int bit_depth) {
    std::vector<png_byte> row;
    if (bit_depth == 16) {
        for (uint32_t v : samples) {
            row.push_back(png_byte(v >> 8));
            row.push_back(png_byte(v));
        }
    } else if (bit_depth == 8) {
        for (uint32_t v : samples) row.push_back(png_byte(v));
    } else {
        row.assign((samples.size() * size_t(bit_depth) + 7) / 8, 0);
        for (size_t i = 0; i < samples.size(); i++) {
            const size_t bit = i * size_t(bit_depth);
            row[bit / 8] |= png_byte(samples[i] << (8 - bit_depth - int(bit % 8)));
        }
    }
    return row;
}

static long max_rss_kb() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main() {
    const fs::path dir = fs::temp_directory_path() / ("png_io_test-" + std::to_string(::getpid()));
    fs::create_directories(dir);

    // 1. Round trips of every layout, in memory and through files.
    for (int bd : {8, 16}) {
        for (int c = 1; c <= 4; c++) {
            const Image img = random_image(37, 23, c, bd, unsigned(c * 100 + bd));
            const Image back = pngio::decode_png(pngio::encode_png(img).data(),
                                                 pngio::encode_png(img).size());
            CHECK(same(img, back));
            const std::string path = (dir / ("rt" + std::to_string(c) + "_" + std::to_string(bd) + ".png")).string();
            pngio::write_png(path, img, 9);
            CHECK(same(img, pngio::read_png(path)));
        }
    }
    {  // 16-bit values survive exactly, incl. byte order
        Image img(2, 1, 1, 16);
        img.set_sample(0, 0, 0, 0x1234);
        img.set_sample(1, 0, 0, 0xfedc);
        const auto bytes = pngio::encode_png(img);
        const Image back = pngio::decode_png(bytes.data(), bytes.size());
        CHECK(back.sample(0, 0, 0) == 0x1234 && back.sample(1, 0, 0) == 0xfedc);
    }

    // 2. Low-bit gray expands to 8 bits (full range), interlaced too.
    for (int bd : {1, 2, 4}) {
        for (int interlace : {PNG_INTERLACE_NONE, PNG_INTERLACE_ADAM7}) {
            const int w = 13, h = 9, maxv = (1 << bd) - 1;
            std::vector<std::vector<png_byte>> rows(h, std::vector<png_byte>((w * bd + 7) / 8, 0));
            std::vector<png_bytep> ptrs;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    const int v = (x + y) % (maxv + 1);
                    const int bit = x * bd;
                    rows[y][bit / 8] |= png_byte(v << (8 - bd - bit % 8));
                }
                ptrs.push_back(rows[y].data());
            }
            RawSpec s{w, h, bd, PNG_COLOR_TYPE_GRAY, interlace, nullptr, 0, nullptr, 0, nullptr, ptrs.data()};
            const std::string path = (dir / "lowbit.png").string();
            CHECK(write_raw(path.c_str(), &s));
            const Image img = pngio::read_png(path);
            CHECK(img.channels == 1 && img.bit_depth == 8 && img.width == w && img.height == h);
            bool ok = true;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    ok = ok && img.sample(x, y, 0) == uint32_t(((x + y) % (maxv + 1)) * 255 / maxv);
            CHECK(ok);
        }
    }

    // 3. Palette -> RGB; palette + tRNS -> RGBA; gray + tRNS -> gray+alpha.
    {
        const png_color pal[3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
        const png_byte alpha[3] = {255, 128, 0};
        std::vector<png_byte> row = {0, 1, 2, 1};
        png_bytep rows[2] = {row.data(), row.data()};
        for (int with_trns : {0, 1}) {
            RawSpec s{4, 2, 8, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, pal, 3,
                      with_trns ? alpha : nullptr, with_trns ? 3 : 0, nullptr, rows};
            const std::string path = (dir / "palette.png").string();
            CHECK(write_raw(path.c_str(), &s));
            const Image img = pngio::read_png(path);
            CHECK(img.channels == (with_trns ? 4 : 3) && img.bit_depth == 8);
            CHECK(img.sample(0, 0, 0) == 255 && img.sample(1, 0, 1) == 255 && img.sample(2, 1, 2) == 255);
            if (with_trns) CHECK(img.sample(0, 0, 3) == 255 && img.sample(1, 0, 3) == 128 && img.sample(2, 0, 3) == 0);
        }
        png_color_16 key{};
        key.gray = 7;
        std::vector<png_byte> grow = {7, 8, 7};
        png_bytep grows[1] = {grow.data()};
        RawSpec s{3, 1, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, nullptr, 0, nullptr, 0, &key, grows};
        const std::string path = (dir / "graytrns.png").string();
        CHECK(write_raw(path.c_str(), &s));
        const Image img = pngio::read_png(path);
        CHECK(img.channels == 2 && img.sample(0, 0, 1) == 0 && img.sample(1, 0, 1) == 255);
    }

    // 4. Planar float conversions.
    {
        Image img(2, 1, 2, 8);  // gray+alpha
        img.set_sample(0, 0, 0, 255);
        img.set_sample(0, 0, 1, 0);  // transparent white -> background
        img.set_sample(1, 0, 0, 0);
        img.set_sample(1, 0, 1, 255);  // opaque black
        int c = 0;
        auto f = pngio::to_planar_float(img, false, 0.5f, &c);
        CHECK(c == 1 && f.size() == 2 && std::fabs(f[0] - 0.5f) < 1e-6f && f[1] == 0.0f);
        f = pngio::to_planar_float(img, true, 0.5f, &c);
        CHECK(c == 2 && f.size() == 4 && f[0] == 1.0f && f[2] == 0.0f && f[3] == 1.0f);
        const float planar[6] = {-1.0f, 0.5f, 2.0f, NAN, 1.0f, 0.25f};  // 2 channels, 1x3
        const Image q = pngio::from_planar_float(planar, 2, 1, 3);
        CHECK(q.channels == 2 && q.sample(0, 0, 0) == 0 && q.sample(1, 0, 0) == 128 &&
              q.sample(2, 0, 0) == 255 && q.sample(0, 0, 1) == 0 && q.sample(1, 0, 1) == 255 &&
              q.sample(2, 0, 1) == 64);
        const Image q16 = pngio::from_planar_float(planar, 2, 1, 3, 16);
        CHECK(q16.sample(2, 0, 0) == 65535 && q16.sample(1, 0, 0) == 32768);
    }

    // 5. Not a PNG, empty, missing, directory.
    {
        const char text[] = "hello, I am not a PNG file";
        EXPECT_ERROR(pngio::decode_png(text, sizeof text), "not a PNG");
        EXPECT_ERROR(pngio::decode_png(text, 0), "empty");
        const std::string path = (dir / "text.png").string();
        FILE *f = std::fopen(path.c_str(), "wb");
        std::fputs(text, f);
        std::fclose(f);
        EXPECT_ERROR(pngio::read_png(path), "not a PNG");
        EXPECT_ERROR(pngio::read_png((dir / "missing.png").string()), "cannot open");
        EXPECT_ERROR(pngio::read_png(dir.string()), "directory");
    }

    // 6. Truncated at every length: always a PngError, never a crash.
    {
        const auto full = pngio::encode_png(random_image(16, 8, 3, 8, 7));
        int bad = 0;
        for (size_t n = 1; n < full.size(); n++) {
            try {
                pngio::decode_png(full.data(), n);
                bad++;
                std::cerr << "truncated to " << n << " bytes decoded without error\n";
            } catch (const PngError &e) {
                const std::string m = e.what();
                if (m.find("truncated") == std::string::npos && m.find("corrupt") == std::string::npos) {
                    bad++;
                    std::cerr << "truncated to " << n << " bytes: unexpected message: " << m << "\n";
                }
            }
        }
        CHECK(bad == 0);
        EXPECT_ERROR(pngio::decode_png(full.data(), full.size() / 2), "truncated");
        // and through a file
        const std::string path = (dir / "cut.png").string();
        FILE *f = std::fopen(path.c_str(), "wb");
        std::fwrite(full.data(), 1, full.size() - 20, f);
        std::fclose(f);
        EXPECT_ERROR(pngio::read_png(path), "truncated");
    }

    // 7. Corrupt: flipped bytes in the image data break its CRC.
    {
        auto bytes = pngio::encode_png(random_image(16, 8, 3, 8, 9));
        const uint8_t idat[4] = {'I', 'D', 'A', 'T'};
        auto it = std::search(bytes.begin(), bytes.end(), idat, idat + 4);
        CHECK(it != bytes.end());
        it[8] ^= 0x5a;
        EXPECT_ERROR(pngio::decode_png(bytes.data(), bytes.size()), "corrupt");
    }

    // 8. Too large: a valid header for 32768 x 16385 pixels (> 2^28) is
    // refused before any pixel memory is allocated.
    {
        std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        std::vector<uint8_t> ihdr;
        put_be32(ihdr, 32768);
        put_be32(ihdr, 16385);
        ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit RGB
        add_chunk(png, "IHDR", ihdr);
        add_chunk(png, "IDAT", {0x78, 0x9c, 0x03, 0x00});  // never reached
        add_chunk(png, "IEND", {});
        EXPECT_ERROR(pngio::decode_png(png.data(), png.size()), "too large");
        EXPECT_ERROR(Image(32768, 16385, 3, 8), "too large");
    }

    // 9. Writing: atomic replace, no temporary files left; clear errors.
    {
        const std::string path = (dir / "atomic.png").string();
        pngio::write_png(path, random_image(8, 8, 3, 8, 1));
        const Image second = random_image(8, 8, 3, 8, 2);
        pngio::write_png(path, second);
        CHECK(same(second, pngio::read_png(path)));
        int stray = 0;
        for (const auto &e : fs::directory_iterator(dir))
            if (e.path().filename().string().find(".tmp-") != std::string::npos) stray++;
        CHECK(stray == 0);
        EXPECT_ERROR(pngio::write_png((dir / "no" / "such" / "dir.png").string(), second), "temporary file");
        Image broken = second;
        broken.pixels.pop_back();
        EXPECT_ERROR(pngio::write_png(path, broken), "pixel buffer");
        CHECK(same(second, pngio::read_png(path)));  // untouched
        CHECK(slurp(path).size() > 8);
    }

    // 10. Every colour type and bit depth, interlaced and not, written by
    // libpng itself and decoded sample by sample: gray 1/2/4/8/16,
    // gray+alpha 8/16, RGB 8/16, RGBA 8/16, palette 1/2/4/8 with and
    // without tRNS, gray/RGB 8/16 with a tRNS colour key.
    {
        struct Layout {
            int color_type, bit_depth;
            bool trns;
        };
        const std::vector<Layout> layouts = {
            {PNG_COLOR_TYPE_GRAY, 1, false},      {PNG_COLOR_TYPE_GRAY, 2, false},
            {PNG_COLOR_TYPE_GRAY, 4, false},      {PNG_COLOR_TYPE_GRAY, 8, false},
            {PNG_COLOR_TYPE_GRAY, 16, false},     {PNG_COLOR_TYPE_GRAY, 8, true},
            {PNG_COLOR_TYPE_GRAY, 16, true},      {PNG_COLOR_TYPE_GRAY_ALPHA, 8, false},
            {PNG_COLOR_TYPE_GRAY_ALPHA, 16, false}, {PNG_COLOR_TYPE_RGB, 8, false},
            {PNG_COLOR_TYPE_RGB, 16, false},      {PNG_COLOR_TYPE_RGB, 8, true},
            {PNG_COLOR_TYPE_RGB, 16, true},       {PNG_COLOR_TYPE_RGB_ALPHA, 8, false},
            {PNG_COLOR_TYPE_RGB_ALPHA, 16, false}, {PNG_COLOR_TYPE_PALETTE, 1, false},
            {PNG_COLOR_TYPE_PALETTE, 2, false},   {PNG_COLOR_TYPE_PALETTE, 4, false},
            {PNG_COLOR_TYPE_PALETTE, 8, false},   {PNG_COLOR_TYPE_PALETTE, 2, true},
            {PNG_COLOR_TYPE_PALETTE, 8, true},
        };
        png_color palette[256];
        png_byte palette_alpha[256];
        for (int i = 0; i < 256; i++) {
            palette[i] = {png_byte(i * 37 + 11), png_byte(255 - i), png_byte(i * 91)};
            palette_alpha[i] = png_byte(255 - i * 53 % 256);
        }
        int layouts_ok = 0;
        for (const Layout &l : layouts) {
            for (int interlace : {PNG_INTERLACE_NONE, PNG_INTERLACE_ADAM7}) {
                const int w = 19, h = 11;  // odd sizes: partial Adam7 blocks, partial bytes
                const int in_channels = l.color_type == PNG_COLOR_TYPE_GRAY || l.color_type == PNG_COLOR_TYPE_PALETTE ? 1
                                        : l.color_type == PNG_COLOR_TYPE_GRAY_ALPHA                                   ? 2
                                        : l.color_type == PNG_COLOR_TYPE_RGB                                          ? 3
                                                                                                                      : 4;
                const bool palette_type = l.color_type == PNG_COLOR_TYPE_PALETTE;
                const int entries = palette_type ? std::min(1 << l.bit_depth, 200) : 0;
                const uint32_t maxv = palette_type ? uint32_t(entries - 1) : (1u << l.bit_depth) - 1;
                std::mt19937 rng(unsigned(l.color_type * 100 + l.bit_depth * 3 + interlace + l.trns));
                std::vector<std::vector<uint32_t>> samples(h, std::vector<uint32_t>(size_t(w) * in_channels));
                for (auto &row : samples)
                    for (auto &v : row) v = rng() % (maxv + 1);
                // The colour key: the first pixel's value, so that it occurs.
                png_color_16 key{};
                if (l.trns && !palette_type) {
                    key.gray = png_uint_16(samples[0][0]);
                    if (in_channels == 3) {
                        key.red = png_uint_16(samples[0][0]);
                        key.green = png_uint_16(samples[0][1]);
                        key.blue = png_uint_16(samples[0][2]);
                    }
                }
                std::vector<std::vector<png_byte>> rows;
                std::vector<png_bytep> ptrs;
                for (auto &row : samples) rows.push_back(pack_row(row, l.bit_depth));
                for (auto &r : rows) ptrs.push_back(r.data());
                RawSpec spec{w, h, l.bit_depth, l.color_type, interlace,
                             palette_type ? palette : nullptr, entries,
                             palette_type && l.trns ? palette_alpha : nullptr, palette_type && l.trns ? entries : 0,
                             l.trns && !palette_type ? &key : nullptr, ptrs.data()};
                const std::string path = (dir / "layout.png").string();
                CHECK(write_raw(path.c_str(), &spec));
                Image img;
                try {
                    img = pngio::read_png(path);
                } catch (const PngError &e) {
                    std::cerr << "layout " << l.color_type << "/" << l.bit_depth << ": " << e.what() << "\n";
                    CHECK(false);
                    continue;
                }
                // What png_io promises (png_io.h).
                const int out_bits = l.bit_depth == 16 ? 16 : 8;
                const int out_channels = palette_type ? (l.trns ? 4 : 3) : in_channels + (l.trns ? 1 : 0);
                bool ok = img.width == w && img.height == h && img.bit_depth == out_bits && img.channels == out_channels;
                for (int y = 0; ok && y < h; y++) {
                    for (int x = 0; ok && x < w; x++) {
                        const uint32_t *px = &samples[y][size_t(x) * in_channels];
                        std::vector<uint32_t> want;
                        if (palette_type) {
                            const png_color &c = palette[px[0]];
                            want = {c.red, c.green, c.blue};
                            if (l.trns) want.push_back(palette_alpha[px[0]]);
                        } else {
                            const uint32_t scale = l.bit_depth < 8 ? 255 / maxv : 1;
                            for (int c = 0; c < in_channels; c++) want.push_back(px[c] * scale);
                            if (l.trns) {
                                const bool keyed = in_channels == 1 ? px[0] == key.gray
                                                                    : px[0] == key.red && px[1] == key.green && px[2] == key.blue;
                                want.push_back(keyed ? 0 : img.max_value());
                            }
                        }
                        for (int c = 0; c < out_channels; c++) ok = ok && img.sample(x, y, c) == want[size_t(c)];
                        if (!ok) {
                            std::cerr << "layout colour type " << l.color_type << ", " << l.bit_depth << " bits"
                                      << (l.trns ? " + tRNS" : "") << (interlace ? ", interlaced" : "")
                                      << ": wrong sample at (" << x << ", " << y << ")\n";
                        }
                    }
                }
                CHECK(ok);
                layouts_ok += ok;
                // and through memory, identically
                const auto bytes = slurp(path);
                CHECK(same(img, pngio::decode_png(bytes.data(), bytes.size())));
            }
        }
        CHECK(layouts_ok == int(layouts.size()) * 2);
    }

    // 11. A corpus of broken PNGs: every one must fail with a PngError (never
    // a crash, another exception, a partial image or an absurd allocation),
    // from memory and from a file.
    {
        // Sources: 8-bit RGB, 16-bit gray interlaced, 4-bit palette + tRNS,
        // 16-bit RGBA interlaced.
        std::vector<std::vector<uint8_t>> sources;
        sources.push_back(pngio::encode_png(random_image(9, 7, 3, 8, 21)));
        {
            std::vector<std::vector<png_byte>> rows;
            std::vector<png_bytep> ptrs;
            std::mt19937 rng(5);
            for (int y = 0; y < 9; y++) {
                std::vector<uint32_t> r(13);
                for (auto &v : r) v = rng() % 65536;
                rows.push_back(pack_row(r, 16));
            }
            for (auto &r : rows) ptrs.push_back(r.data());
            RawSpec s{13, 9, 16, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_ADAM7, nullptr, 0, nullptr, 0, nullptr, ptrs.data()};
            const std::string path = (dir / "src16.png").string();
            CHECK(write_raw(path.c_str(), &s));
            sources.push_back(slurp(path));
        }
        {
            const png_color pal[5] = {{1, 2, 3}, {40, 50, 60}, {200, 100, 0}, {0, 0, 255}, {9, 9, 9}};
            const png_byte alpha[2] = {0, 128};
            std::vector<std::vector<png_byte>> rows;
            std::vector<png_bytep> ptrs;
            for (int y = 0; y < 6; y++) {
                std::vector<uint32_t> r(11);
                for (int x = 0; x < 11; x++) r[size_t(x)] = uint32_t((x + y) % 5);
                rows.push_back(pack_row(r, 4));
            }
            for (auto &r : rows) ptrs.push_back(r.data());
            RawSpec s{11, 6, 4, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, pal, 5, alpha, 2, nullptr, ptrs.data()};
            const std::string path = (dir / "srcpal.png").string();
            CHECK(write_raw(path.c_str(), &s));
            sources.push_back(slurp(path));
        }
        {
            std::vector<std::vector<png_byte>> rows;
            std::vector<png_bytep> ptrs;
            std::mt19937 rng(6);
            for (int y = 0; y < 10; y++) {
                std::vector<uint32_t> r(6 * 4);
                for (auto &v : r) v = rng() % 65536;
                rows.push_back(pack_row(r, 16));
            }
            for (auto &r : rows) ptrs.push_back(r.data());
            RawSpec s{6, 10, 16, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_ADAM7, nullptr, 0, nullptr, 0, nullptr,
                      ptrs.data()};
            const std::string path = (dir / "srcrgba16.png").string();
            CHECK(write_raw(path.c_str(), &s));
            sources.push_back(slurp(path));
        }
        for (const auto &src : sources) CHECK(pngio::decode_png(src.data(), src.size()).width > 0);

        struct Broken {
            std::string what;
            std::vector<uint8_t> bytes;
        };
        std::vector<Broken> corpus;
        for (size_t k = 0; k < sources.size(); k++) {
            const auto &src = sources[k];
            const std::string tag = "source " + std::to_string(k) + ": ";
            const auto cs = chunks_of(src);
            // truncated at every offset (the signature, inside and between chunks)
            for (size_t n = 1; n < src.size(); n++) {
                corpus.push_back({tag + "truncated to " + std::to_string(n) + " bytes",
                                  std::vector<uint8_t>(src.begin(), src.begin() + long(n))});
            }
            // a bad CRC in each critical chunk, and a flipped data byte in each
            for (const Chunk &c : cs) {
                if (!(c.type[0] >= 'A' && c.type[0] <= 'Z')) continue;  // ancillary: libpng only warns
                auto b = src;
                b[c.offset + 8 + c.length] ^= 0x01;
                corpus.push_back({tag + "bad " + c.type + " CRC", b});
                if (c.length > 0) {
                    b = src;
                    b[c.offset + 8 + c.length / 2] ^= 0x40;
                    corpus.push_back({tag + "flipped " + c.type + " byte", b});
                }
            }
            // wrong dimensions (CRC fixed): more rows or columns than the data
            // holds, zero, and beyond PNG's 2^31 - 1
            const uint32_t w = get_be32(&src[16]), h = get_be32(&src[20]);
            corpus.push_back({tag + "IHDR height + 1", with_ihdr_size(src, w, h + 1)});
            corpus.push_back({tag + "IHDR height * 3", with_ihdr_size(src, w, h * 3)});
            corpus.push_back({tag + "IHDR width + 8", with_ihdr_size(src, w + 8, h)});  // + 1 may fit the same bytes
            corpus.push_back({tag + "IHDR width * 4", with_ihdr_size(src, w * 4, h)});
            corpus.push_back({tag + "IHDR width 0", with_ihdr_size(src, 0, h)});
            corpus.push_back({tag + "IHDR height 0", with_ihdr_size(src, w, 0)});
            corpus.push_back({tag + "IHDR width 2^31", with_ihdr_size(src, 0x80000000u, h)});
            corpus.push_back({tag + "IHDR height 2^32 - 1", with_ihdr_size(src, w, 0xffffffffu)});
            // invalid header fields (CRC fixed)
            corpus.push_back({tag + "bit depth 3", with_ihdr_byte(src, 8, 3)});
            corpus.push_back({tag + "bit depth 32", with_ihdr_byte(src, 8, 32)});
            corpus.push_back({tag + "colour type 5", with_ihdr_byte(src, 9, 5)});
            corpus.push_back({tag + "colour type 7", with_ihdr_byte(src, 9, 7)});
            corpus.push_back({tag + "compression method 1", with_ihdr_byte(src, 10, 1)});
            corpus.push_back({tag + "filter method 1", with_ihdr_byte(src, 11, 1)});
            corpus.push_back({tag + "interlace method 2", with_ihdr_byte(src, 12, 2)});
            // a chunk length running past the end of the file
            {
                auto b = src;
                const Chunk *idat = find_chunk(cs, "IDAT");
                set_be32(b, idat->offset, idat->length + 1000);
                corpus.push_back({tag + "IDAT length past the end", b});
            }
            // no image data at all
            {
                const Chunk *idat = find_chunk(cs, "IDAT");
                auto b = src;
                size_t end = idat->offset;
                while (end + 12 <= b.size() && std::string(b.begin() + long(end) + 4, b.begin() + long(end) + 8) == "IDAT")
                    end += 12 + get_be32(&b[end]);
                b.erase(b.begin() + long(idat->offset), b.begin() + long(end));
                corpus.push_back({tag + "no IDAT", b});
            }
        }
        {
            const auto &src = sources[0];  // 8-bit RGB, one IDAT
            const auto cs = chunks_of(src);
            const Chunk *idat = find_chunk(cs, "IDAT");
            // image data that is not zlib (CRC fixed)
            auto b = src;
            for (uint32_t i = 0; i < idat->length; i++) b[idat->offset + 8 + i] = uint8_t(i * 37 + 5);
            fix_crc(b, *idat);
            corpus.push_back({"IDAT not zlib", b});
            // valid zlib, a row with filter type 7
            {
                std::vector<uint8_t> raw(size_t(7) * (1 + 9 * 3), 0);
                raw[size_t(3) * (1 + 9 * 3)] = 7;
                uLongf n = compressBound(uLong(raw.size()));
                std::vector<uint8_t> z(n);
                compress(z.data(), &n, raw.data(), uLong(raw.size()));
                z.resize(n);
                std::vector<uint8_t> png(src.begin(), src.begin() + long(idat->offset));
                add_chunk(png, "IDAT", z);
                add_chunk(png, "IEND", {});
                corpus.push_back({"row filter type 7", png});
            }
            // a palette image without PLTE (CRC fixed)
            corpus.push_back({"palette without PLTE", with_ihdr_byte(src, 9, 3)});
            // an unknown critical chunk
            {
                std::vector<uint8_t> tmp;
                add_chunk(tmp, "XYZW", {1, 2, 3});
                corpus.push_back({"unknown critical chunk", with_chunk_before(src, "IDAT", tmp)});
            }
            // a chunk type with a non-letter byte
            {
                std::vector<uint8_t> tmp;
                add_chunk(tmp, "ab1d", {1, 2, 3});
                corpus.push_back({"invalid chunk type", with_chunk_before(src, "IDAT", tmp)});
            }
            // a second IHDR
            corpus.push_back({"two IHDR chunks",
                              with_chunk_before(src, "IDAT", std::vector<uint8_t>(src.begin() + 8, src.begin() + 33))});
            // IDAT before IHDR
            {
                std::vector<uint8_t> b(src.begin(), src.begin() + 8);
                b.insert(b.end(), src.begin() + long(idat->offset), src.begin() + long(idat->offset + 12 + idat->length));
                b.insert(b.end(), src.begin() + 8, src.begin() + long(idat->offset));
                b.insert(b.end(), src.begin() + long(idat->offset + 12 + idat->length), src.end());
                corpus.push_back({"IDAT before IHDR", b});
            }
            // text and profile chunks whose length claims ~2 GB (CRC of the
            // few bytes present is irrelevant: the data is not there)
            for (const char *type : {"tEXt", "zTXt", "iCCP", "iTXt", "sPLT", "abCd"}) {
                std::vector<uint8_t> tmp;
                put_be32(tmp, 0x7ffffff0u);
                tmp.insert(tmp.end(), type, type + 4);
                tmp.insert(tmp.end(), {'k', 0, 'v', 0, 0, 0, 0});
                std::vector<uint8_t> b(src.begin(), src.begin() + 33);  // signature + IHDR
                b.insert(b.end(), tmp.begin(), tmp.end());
                corpus.push_back({std::string(type) + " claiming 2 GB", b});
            }
        }
        // the corpus must not make the decoder allocate absurd amounts
        const long rss_before = max_rss_kb();
        int unclean = 0;
        size_t index = 0;
        for (const Broken &b : corpus) {
            // every file through read_png too would be slow for the thousands of
            // truncations: every 16th one, and all the crafted ones
            const bool via_file = b.what.find("truncated") == std::string::npos || index++ % 16 == 0;
            for (int from_file = 0; from_file <= int(via_file); from_file++) {
                try {
                    Image img;
                    if (from_file) {
                        const std::string path = (dir / "broken.png").string();
                        FILE *f = std::fopen(path.c_str(), "wb");
                        std::fwrite(b.bytes.data(), 1, b.bytes.size(), f);
                        std::fclose(f);
                        img = pngio::read_png(path);
                    } else {
                        img = pngio::decode_png(b.bytes.data(), b.bytes.size(), "broken");
                    }
                    unclean++;
                    std::cerr << "broken PNG (" << b.what << ") decoded as " << img.width << "x" << img.height
                              << (from_file ? " from a file" : "") << "\n";
                } catch (const PngError &e) {
                    const std::string m = e.what();
                    if (m.find("corrupt") == std::string::npos && m.find("truncated") == std::string::npos &&
                        m.find("not a PNG") == std::string::npos && m.find("too large") == std::string::npos) {
                        unclean++;
                        std::cerr << "broken PNG (" << b.what << "): unexpected message: " << m << "\n";
                    }
                } catch (const std::exception &e) {
                    unclean++;
                    std::cerr << "broken PNG (" << b.what << "): not a PngError: " << e.what() << "\n";
                }
            }
        }
        CHECK(unclean == 0);
        CHECK(corpus.size() > 1000);
        const long grown_mb = (max_rss_kb() - rss_before) / 1024;
        if (grown_mb > 256) {
            std::cerr << "the broken-PNG corpus raised the peak memory by " << grown_mb
                      << " MB: some chunk length is trusted before the data is there\n";
        }
        CHECK(grown_mb <= 256);
    }

    // 12. Not an error: image data longer than the header says is ignored
    // (libpng treats it as benign); the header's size wins.
    {
        const Image img = random_image(6, 8, 1, 8, 33);
        const auto full = pngio::encode_png(img);
        const auto shorter = with_ihdr_size(full, 6, 5);
        const Image back = pngio::decode_png(shorter.data(), shorter.size());
        CHECK(back.width == 6 && back.height == 5);
        CHECK(std::equal(back.pixels.begin(), back.pixels.end(), img.pixels.begin()));
    }

    std::error_code ec;
    fs::remove_all(dir, ec);
    if (g_failures) {
        std::cerr << "png_io_test: " << g_failures << " of " << g_checks << " checks FAILED\n";
        return 1;
    }
    std::cout << "png_io_test: all " << g_checks << " checks passed\n";
    return 0;
}
