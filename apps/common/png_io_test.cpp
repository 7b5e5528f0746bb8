// Standalone tests of png_io (no halconv, no gtest): round trips of every
// layout, libpng's expansions (low-bit gray, palette, tRNS, interlace), and
// every error path (not a PNG, truncated at every length, corrupt, too large,
// unwritable directory). Exit status 0 = all passed.
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

    std::error_code ec;
    fs::remove_all(dir, ec);
    if (g_failures) {
        std::cerr << "png_io_test: " << g_failures << " of " << g_checks << " checks FAILED\n";
        return 1;
    }
    std::cout << "png_io_test: all " << g_checks << " checks passed\n";
    return 0;
}
