// libFuzzer target: the PNG decoder (apps/common/png_io.h). Any input must
// either decode to a consistent image or throw pngio::PngError; anything
// else (a crash, a sanitizer report, another exception) is a bug. Decoded
// images must survive an encode/decode round trip unchanged.
//
// libpng rejects a chunk whose CRC does not match, so most mutations would
// only reach the CRC check; every input is therefore decoded twice: as it
// is, and with the CRC of every complete chunk recomputed, which lets the
// mutations reach the chunk parsers, zlib and the row filters.
// Built and run by tests/fuzz/run_fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <vector>

#include "png_io.h"

namespace {

// Headers asking for more pixels than this are skipped: png_io refuses only
// above 2^28 pixels (tested in png_io_test.cpp), which would spend the
// fuzzer's memory and time budget on zero-filling buffers.
constexpr uint64_t kMaxFuzzPixels = uint64_t(1) << 20;

uint32_t be32(const uint8_t *p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

void put_be32(uint8_t *p, uint32_t v) {
    for (int k = 0; k < 4; k++) p[k] = uint8_t(v >> (24 - 8 * k));
}

uint32_t crc32(const uint8_t *p, size_t n) {
    static uint32_t table[256];
    if (!table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    }
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

// Recomputes the CRC of every complete chunk; returns whether one changed.
bool fix_crcs(std::vector<uint8_t> &png) {
    bool changed = false;
    size_t pos = 8;
    while (pos + 12 <= png.size()) {
        const uint64_t len = be32(&png[pos]);
        if (len > png.size() - pos - 12) break;
        const uint32_t crc = crc32(&png[pos + 4], size_t(len) + 4);
        if (be32(&png[pos + 8 + len]) != crc) {
            put_be32(&png[pos + 8 + len], crc);
            changed = true;
        }
        pos += 12 + len;
    }
    return changed;
}

[[noreturn]] void bug(const char *what) {
    std::fprintf(stderr, "fuzz_png: %s\n", what);
    std::abort();
}

void decode(const uint8_t *data, size_t size);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // IHDR is the first chunk: width and height at bytes 16..23.
    if (size >= 24 && std::memcmp(data + 12, "IHDR", 4) == 0 &&
        uint64_t(be32(data + 16)) * be32(data + 20) > kMaxFuzzPixels) {
        return 0;
    }
    decode(data, size);
    std::vector<uint8_t> fixed(data, data + size);
    if (fix_crcs(fixed)) decode(fixed.data(), fixed.size());
    return 0;
}

namespace {

void decode(const uint8_t *data, size_t size) {
    pngio::Image img;
    try {
        img = pngio::decode_png(data, size, "fuzz");
    } catch (const pngio::PngError &e) {
        if (std::strncmp(e.what(), "fuzz: ", 6) != 0) bug("a PngError message does not name the input");
        return;
    }
    if (img.width < 1 || img.height < 1) bug("decoded an empty image");
    if (img.channels < 1 || img.channels > 4) bug("decoded a bad channel count");
    if (img.bit_depth != 8 && img.bit_depth != 16) bug("decoded a bad bit depth");
    if (img.pixels.size() != img.row_bytes() * size_t(img.height)) bug("pixel buffer size mismatch");

    // Round trip through the encoder.
    const std::vector<uint8_t> bytes = pngio::encode_png(img, 1);
    const pngio::Image back = pngio::decode_png(bytes.data(), bytes.size(), "round trip");
    if (back.width != img.width || back.height != img.height || back.channels != img.channels ||
        back.bit_depth != img.bit_depth || back.pixels != img.pixels) {
        bug("encode/decode round trip changed the image");
    }
    // The float conversion reads every sample.
    int channels = 0;
    const std::vector<float> planar = pngio::to_planar_float(img, false, 1.0f, &channels);
    if (planar.size() != size_t(channels) * img.width * img.height) bug("planar float size mismatch");
}

}  // namespace
