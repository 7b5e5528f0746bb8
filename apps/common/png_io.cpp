// PNG I/O for the halconv apps; see png_io.h.
//
// libpng reports errors by calling an error function that must not return;
// ours records the message and longjmp()s back to a setjmp() point. In C++ a
// longjmp is only well defined if it skips no frame that owns an object with a
// non-trivial destructor, so every call into libpng that can fail is made from
// a small helper below (read_header, configure_read, read_rows, write_all)
// whose frame, like the callbacks', holds only plain C data. The C++ code
// around the helpers owns the memory (RAII) and turns a failed helper into a
// PngError.
#include "png_io.h"

#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pngio {
namespace {

enum class Failure { None, LibPng, Truncated, Io, OutOfMemory };

// Shared with libpng callbacks: plain data only.
struct ErrorState {
    Failure failure = Failure::None;
    char message[512] = {0};
};

// Where bytes come from (reading) or go to (writing).
struct Stream {
    FILE *file = nullptr;
    const uint8_t *data = nullptr;  // reading from memory
    size_t size = 0;
    size_t pos = 0;
    std::vector<uint8_t> *sink = nullptr;  // writing to memory
};

void set_failure(ErrorState *st, Failure f, const char *fmt, const char *arg) {
    if (st->failure != Failure::None) return;  // keep the first, most specific one
    st->failure = f;
    std::snprintf(st->message, sizeof st->message, fmt, arg);
}

void on_error(png_structp png, png_const_charp msg) {
    auto *st = static_cast<ErrorState *>(png_get_error_ptr(png));
    set_failure(st, Failure::LibPng, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

// Warnings (e.g. "iCCP: known incorrect sRGB profile") do not affect pixels.
void on_warning(png_structp, png_const_charp) {}

void read_callback(png_structp png, png_bytep out, size_t n) {
    auto *s = static_cast<Stream *>(png_get_io_ptr(png));
    auto *st = static_cast<ErrorState *>(png_get_error_ptr(png));
    if (s->file) {
        size_t got = std::fread(out, 1, n, s->file);
        if (got == n) return;
        if (std::ferror(s->file)) {
            set_failure(st, Failure::Io, "read error: %s", std::strerror(errno));
        } else {
            set_failure(st, Failure::Truncated, "%s", "unexpected end of file");
        }
    } else {
        if (s->size - s->pos >= n) {
            std::memcpy(out, s->data + s->pos, n);
            s->pos += n;
            return;
        }
        set_failure(st, Failure::Truncated, "%s", "unexpected end of data");
    }
    png_error(png, "read failed");
}

void write_callback(png_structp png, png_bytep in, size_t n) {
    auto *s = static_cast<Stream *>(png_get_io_ptr(png));
    auto *st = static_cast<ErrorState *>(png_get_error_ptr(png));
    bool ok = true;
    if (s->file) {
        if (std::fwrite(in, 1, n, s->file) != n) {
            set_failure(st, Failure::Io, "write error: %s", std::strerror(errno));
            ok = false;
        }
    } else {
        try {
            s->sink->insert(s->sink->end(), in, in + n);
        } catch (...) {
            ok = false;
        }
        if (!ok) set_failure(st, Failure::OutOfMemory, "%s", "out of memory");
    }
    // png_error is called outside the catch block: never longjmp out of one.
    if (!ok) png_error(png, "write failed");
}

void flush_callback(png_structp png) {
    auto *s = static_cast<Stream *>(png_get_io_ptr(png));
    if (s->file) std::fflush(s->file);
}

bool host_is_little_endian() {
    const uint16_t one = 1;
    uint8_t first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

// --- setjmp helpers: plain C data only in these frames ----------------------
// (noinline keeps each setjmp in its own small frame; GCC never inlines a
// function that calls setjmp anyway.)
#define PNGIO_NOINLINE __attribute__((noinline))

struct Header {
    png_uint_32 width, height;
    int bit_depth, color_type, interlace;
};

PNGIO_NOINLINE int read_header(png_structp png, png_infop info, Header *h) {
    if (setjmp(png_jmpbuf(png))) return 0;
    png_read_info(png, info);
    png_get_IHDR(png, info, &h->width, &h->height, &h->bit_depth, &h->color_type,
                 &h->interlace, nullptr, nullptr);
    return 1;
}

struct Layout {
    int channels, bit_depth;
    size_t rowbytes;
};

PNGIO_NOINLINE int configure_read(png_structp png, png_infop info, int swap16, Layout *out) {
    if (setjmp(png_jmpbuf(png))) return 0;
    // Palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha channel.
    png_set_expand(png);
    if (swap16) png_set_swap(png);  // PNG stores 16-bit samples big-endian
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    out->channels = png_get_channels(png, info);
    out->bit_depth = png_get_bit_depth(png, info);
    out->rowbytes = png_get_rowbytes(png, info);
    return 1;
}

PNGIO_NOINLINE int read_rows(png_structp png, png_infop info, png_bytepp rows) {
    if (setjmp(png_jmpbuf(png))) return 0;
    png_read_image(png, rows);
    png_read_end(png, info);
    return 1;
}

PNGIO_NOINLINE int write_all(png_structp png, png_infop info, const Header *h, int level, int swap16,
              png_bytepp rows) {
    if (setjmp(png_jmpbuf(png))) return 0;
    png_set_IHDR(png, info, h->width, h->height, h->bit_depth, h->color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (level >= 0) png_set_compression_level(png, level);
    png_write_info(png, info);
    if (swap16) png_set_swap(png);
    png_write_image(png, rows);
    png_write_end(png, info);
    return 1;
}

// --- C++ side ---------------------------------------------------------------

struct ReadStructs {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~ReadStructs() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

struct WriteStructs {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~WriteStructs() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

[[noreturn]] void fail(const std::string &name, const std::string &what) {
    throw PngError(name + ": " + what);
}

[[noreturn]] void fail_read(const std::string &name, const ErrorState &st) {
    switch (st.failure) {
    case Failure::Truncated:
        fail(name, std::string("truncated PNG (") + st.message + ")");
    case Failure::Io:
        fail(name, st.message);
    case Failure::OutOfMemory:
        fail(name, "out of memory");
    default:
        fail(name, std::string("corrupt PNG: ") + st.message);
    }
}

std::string pixel_limit_text() {
    return std::to_string(kMaxPixels) + " pixels (2^28)";
}

// Decodes from `stream`, whose first 8 bytes (the signature) were consumed
// and checked already.
Image decode(Stream &stream, const std::string &name) {
    ErrorState st;
    ReadStructs s;
    s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &st, on_error, on_warning);
    if (!s.png) fail(name, "cannot initialise libpng (out of memory?)");
    s.info = png_create_info_struct(s.png);
    if (!s.info) fail(name, "cannot initialise libpng (out of memory?)");
    png_set_read_fn(s.png, &stream, read_callback);
    png_set_sig_bytes(s.png, 8);
    // libpng's own limit is 1,000,000 per side; lift it so that our pixel
    // limit decides and gives its clearer message.
    png_set_user_limits(s.png, 0x7fffffff, 0x7fffffff);
    // Skip the ancillary chunks png_io does not use instead of letting libpng
    // buffer them: libpng allocates whatever a text or profile chunk's length
    // field claims (up to 2 GB) before reading it.
    static const png_byte kIgnored[] = "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0"
                                       "sBIT\0sCAL\0sPLT\0sRGB\0tEXt\0tIME\0zTXt";
    png_set_keep_unknown_chunks(s.png, PNG_HANDLE_CHUNK_NEVER, kIgnored, int(sizeof kIgnored / 5));

    Header h{};
    if (!read_header(s.png, s.info, &h)) fail_read(name, st);
    const uint64_t pixels = uint64_t(h.width) * uint64_t(h.height);
    if (pixels > kMaxPixels) {
        fail(name, "image too large: " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                       " = " + std::to_string(pixels) + " pixels, the limit is " + pixel_limit_text());
    }

    Layout layout{};
    const int swap16 = h.bit_depth == 16 && host_is_little_endian();
    if (!configure_read(s.png, s.info, swap16, &layout)) fail_read(name, st);
    if (layout.channels < 1 || layout.channels > 4 ||
        (layout.bit_depth != 8 && layout.bit_depth != 16)) {
        fail(name, "unsupported PNG layout after expansion (" + std::to_string(layout.channels) +
                       " channels, " + std::to_string(layout.bit_depth) + " bits)");
    }

    Image img;
    img.width = int(h.width);
    img.height = int(h.height);
    img.channels = layout.channels;
    img.bit_depth = layout.bit_depth;
    if (layout.rowbytes != img.row_bytes()) {
        fail(name, "unexpected row size " + std::to_string(layout.rowbytes) + " (expected " +
                       std::to_string(img.row_bytes()) + ")");
    }
    std::vector<png_bytep> rows;
    try {
        img.pixels.resize(img.row_bytes() * size_t(img.height));
        rows.resize(size_t(img.height));
    } catch (const std::bad_alloc &) {
        fail(name, "out of memory for a " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                       " image");
    }
    for (size_t y = 0; y < rows.size(); y++) rows[y] = img.pixels.data() + y * img.row_bytes();
    if (!read_rows(s.png, s.info, rows.data())) fail_read(name, st);
    return img;
}

void check_signature(const uint8_t *sig, size_t n, const std::string &name) {
    if (n == 0) fail(name, "not a PNG file (it is empty)");
    if (n < 8 || png_sig_cmp(sig, 0, n) != 0) {
        // png_sig_cmp accepts a correct prefix, so test the length separately.
        if (n < 8 && png_sig_cmp(sig, 0, n) == 0) {
            fail(name, "truncated PNG (only " + std::to_string(n) + " bytes)");
        }
        fail(name, "not a PNG file (bad signature)");
    }
}

struct FileCloser {
    void operator()(FILE *f) const {
        if (f) std::fclose(f);
    }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

int color_type_for(int channels) {
    switch (channels) {
    case 1: return PNG_COLOR_TYPE_GRAY;
    case 2: return PNG_COLOR_TYPE_GRAY_ALPHA;
    case 3: return PNG_COLOR_TYPE_RGB;
    default: return PNG_COLOR_TYPE_RGB_ALPHA;
    }
}

void check_image(const Image &img, const std::string &name) {
    if (img.width < 1 || img.height < 1) fail(name, "cannot write an empty image");
    if (img.channels < 1 || img.channels > 4) {
        fail(name, "cannot write an image with " + std::to_string(img.channels) + " channels (1-4)");
    }
    if (img.bit_depth != 8 && img.bit_depth != 16) {
        fail(name, "cannot write bit depth " + std::to_string(img.bit_depth) + " (8 or 16)");
    }
    if (uint64_t(img.width) * uint64_t(img.height) > kMaxPixels) {
        fail(name, "image too large to write (limit " + pixel_limit_text() + ")");
    }
    if (img.pixels.size() != img.row_bytes() * size_t(img.height)) {
        fail(name, "pixel buffer holds " + std::to_string(img.pixels.size()) + " bytes, expected " +
                       std::to_string(img.row_bytes() * size_t(img.height)));
    }
}

void encode(Stream &stream, const Image &img, int level, const std::string &name) {
    check_image(img, name);
    ErrorState st;
    WriteStructs s;
    s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &st, on_error, on_warning);
    if (!s.png) fail(name, "cannot initialise libpng (out of memory?)");
    s.info = png_create_info_struct(s.png);
    if (!s.info) fail(name, "cannot initialise libpng (out of memory?)");
    png_set_write_fn(s.png, &stream, write_callback, flush_callback);

    std::vector<png_bytep> rows(size_t(img.height));
    auto *base = const_cast<uint8_t *>(img.pixels.data());  // libpng does not modify rows
    for (size_t y = 0; y < rows.size(); y++) rows[y] = base + y * img.row_bytes();

    Header h{png_uint_32(img.width), png_uint_32(img.height), img.bit_depth,
             color_type_for(img.channels), PNG_INTERLACE_NONE};
    const int swap16 = img.bit_depth == 16 && host_is_little_endian();
    if (!write_all(s.png, s.info, &h, std::clamp(level, -1, 9), swap16, rows.data())) {
        fail(name, std::string("cannot write PNG: ") + st.message);
    }
}

}  // namespace

// --- Image ---------------------------------------------------------------------

Image::Image(int w, int h, int c, int bd) {
    if (w < 1 || h < 1) throw PngError("image size must be positive, got " + std::to_string(w) + "x" + std::to_string(h));
    if (c < 1 || c > 4) throw PngError("image channels must be 1-4, got " + std::to_string(c));
    if (bd != 8 && bd != 16) throw PngError("bit depth must be 8 or 16, got " + std::to_string(bd));
    if (uint64_t(w) * uint64_t(h) > kMaxPixels) {
        throw PngError("image too large: " + std::to_string(w) + "x" + std::to_string(h) +
                       ", the limit is " + pixel_limit_text());
    }
    width = w;
    height = h;
    channels = c;
    bit_depth = bd;
    pixels.assign(row_bytes() * size_t(h), 0);
}

uint32_t Image::sample(int x, int y, int c) const {
    const size_t i = (size_t(y) * size_t(width) + size_t(x)) * size_t(channels) + size_t(c);
    if (bit_depth == 8) return pixels[i];
    uint16_t v;
    std::memcpy(&v, pixels.data() + 2 * i, 2);
    return v;
}

void Image::set_sample(int x, int y, int c, uint32_t value) {
    const size_t i = (size_t(y) * size_t(width) + size_t(x)) * size_t(channels) + size_t(c);
    value = std::min(value, max_value());
    if (bit_depth == 8) {
        pixels[i] = uint8_t(value);
    } else {
        const uint16_t v = uint16_t(value);
        std::memcpy(pixels.data() + 2 * i, &v, 2);
    }
}

const char *channels_name(int channels) {
    switch (channels) {
    case 1: return "gray";
    case 2: return "gray+alpha";
    case 3: return "RGB";
    case 4: return "RGBA";
    default: return "?";
    }
}

// --- reading ---------------------------------------------------------------------

Image read_png(const std::string &path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a PNG file");
    FilePtr f(std::fopen(path.c_str(), "rb"));
    if (!f) fail(path, std::string("cannot open: ") + std::strerror(errno));
    uint8_t sig[8];
    const size_t n = std::fread(sig, 1, sizeof sig, f.get());
    if (n < sizeof sig && std::ferror(f.get())) {
        fail(path, std::string("read error: ") + std::strerror(errno));
    }
    check_signature(sig, n, path);
    Stream stream;
    stream.file = f.get();
    return decode(stream, path);
}

Image decode_png(const void *data, size_t size, const std::string &name) {
    const auto *bytes = static_cast<const uint8_t *>(data);
    check_signature(bytes, std::min<size_t>(size, 8), name);
    Stream stream;
    stream.data = bytes;
    stream.size = size;
    stream.pos = 8;
    return decode(stream, name);
}

// --- writing ---------------------------------------------------------------------

std::vector<uint8_t> encode_png(const Image &image, int level) {
    std::vector<uint8_t> out;
    Stream stream;
    stream.sink = &out;
    encode(stream, image, level, "<memory>");
    return out;
}

void write_png(const std::string &path, const Image &image, int level) {
    namespace fs = std::filesystem;
    check_image(image, path);
    const fs::path target(path);
    fs::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    std::vector<char> tmp_name(tmpl.begin(), tmpl.end());
    tmp_name.push_back('\0');

    const int fd = ::mkstemp(tmp_name.data());
    if (fd < 0) {
        fail(path, "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno));
    }
    const std::string tmp(tmp_name.data());
    // From here on, remove the temporary file on any failure.
    struct Remover {
        const std::string &name;
        bool armed = true;
        ~Remover() {
            if (armed) ::unlink(name.c_str());
        }
    } remover{tmp};

    // mkstemp creates the file 0600; give it the usual 0666 & ~umask.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);

    FilePtr f(::fdopen(fd, "wb"));
    if (!f) {
        ::close(fd);
        fail(path, std::string("cannot open temporary file: ") + std::strerror(errno));
    }
    Stream stream;
    stream.file = f.get();
    encode(stream, image, level, path);
    if (std::fflush(f.get()) != 0 || ::fsync(::fileno(f.get())) != 0) {
        fail(path, std::string("write error: ") + std::strerror(errno));
    }
    if (std::fclose(f.release()) != 0) fail(path, std::string("write error: ") + std::strerror(errno));
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        fail(path, std::string("cannot rename temporary file into place: ") + std::strerror(errno));
    }
    remover.armed = false;
}

// --- conversions -----------------------------------------------------------------

std::vector<float> to_planar_float(const Image &img, bool keep_alpha, float background,
                                   int *out_channels) {
    if (img.width < 1 || img.height < 1 || img.channels < 1 || img.channels > 4 ||
        img.pixels.size() != img.row_bytes() * size_t(img.height)) {
        throw PngError("to_planar_float: invalid image");
    }
    const bool composite = img.has_alpha() && !keep_alpha;
    const int color = composite ? img.channels - 1 : img.channels;
    const size_t plane = size_t(img.width) * size_t(img.height);
    const float scale = 1.0f / float(img.max_value());
    std::vector<float> out(plane * size_t(color));
    for (int y = 0; y < img.height; y++) {
        for (int x = 0; x < img.width; x++) {
            const size_t p = size_t(y) * size_t(img.width) + size_t(x);
            const float a = composite ? float(img.sample(x, y, img.channels - 1)) * scale : 1.0f;
            for (int c = 0; c < color; c++) {
                const float v = float(img.sample(x, y, c)) * scale;
                out[size_t(c) * plane + p] = composite ? v * a + background * (1.0f - a) : v;
            }
        }
    }
    if (out_channels) *out_channels = color;
    return out;
}

Image from_planar_float(const float *data, int channels, int height, int width, int bit_depth) {
    Image img(width, height, channels, bit_depth);
    const size_t plane = size_t(width) * size_t(height);
    const float maxv = float(img.max_value());
    for (int c = 0; c < channels; c++) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float v = data[size_t(c) * plane + size_t(y) * size_t(width) + size_t(x)];
                if (!(v > 0.0f)) v = 0.0f;  // also NaN
                if (v > 1.0f) v = 1.0f;
                img.set_sample(x, y, c, uint32_t(std::lround(v * maxv)));
            }
        }
    }
    return img;
}

}  // namespace pngio
