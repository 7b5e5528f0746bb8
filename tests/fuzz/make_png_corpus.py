#!/usr/bin/env python3
"""Writes the PNG fuzzer's seed corpus (tests/fuzz/corpus/png/): small valid
PNGs of every colour type and bit depth, interlaced and not, every row
filter type, ancillary chunks (tRNS, gAMA, tEXt), and a few broken ones
(truncated, bad CRC, short image data) so that the error paths are reached
from the start. Pure Python (zlib, struct): no imaging library needed.

    tests/fuzz/make_png_corpus.py [OUTPUT_DIR]
"""
import os
import random
import struct
import sys
import zlib

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(pixels, bit_depth):
    """pixels: list of tuples of samples -> raw bytes of one scanline."""
    if bit_depth == 16:
        return b"".join(struct.pack(">H", s) for p in pixels for s in p)
    if bit_depth == 8:
        return bytes(s for p in pixels for s in p)
    out, acc, nbits = bytearray(), 0, 0
    for p in pixels:
        acc = (acc << bit_depth) | p[0]
        nbits += bit_depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_rows(rows, bpp, first_filter):
    """Applies filter type (first_filter + y) % 5 to each scanline."""
    out, prev = bytearray(), None
    for y, row in enumerate(rows):
        ft = (first_filter + y) % 5
        up = prev if prev is not None else bytes(len(row))
        f = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = up[i]
            c = up[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ft]
            f.append((x - pred) & 0xFF)
        out += bytes([ft]) + f
        prev = row
    return bytes(out)


def make_png(width, height, color_type, bit_depth, interlace=0, palette=None, trns=None, extra=(), seed=0,
             first_filter=0, header_height=None):
    rng = random.Random(seed)
    ch = CHANNELS[color_type]
    maxv = (1 << bit_depth) - 1
    if color_type == 3:
        maxv = min(maxv, len(palette) - 1)
    image = [[tuple(rng.randint(0, maxv) for _ in range(ch)) for _ in range(width)] for _ in range(height)]
    bpp = max(1, ch * bit_depth // 8)
    if interlace:
        data = b""
        for x0, y0, dx, dy in ADAM7:
            sub = [row[x0::dx] for row in image[y0::dy]]
            if not sub or not sub[0]:
                continue
            data += filter_rows([pack_row(r, bit_depth) for r in sub], bpp, first_filter)
    else:
        data = filter_rows([pack_row(r, bit_depth) for r in image], bpp, first_filter)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, header_height or height, bit_depth, color_type, 0, 0,
                                      interlace))
    for kind, payload in extra:
        out += chunk(kind, payload)
    if palette is not None:
        out += chunk(b"PLTE", b"".join(bytes(c) for c in palette))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    z = zlib.compress(data, 9)
    half = len(z) // 2
    out += chunk(b"IDAT", z[:half]) + chunk(b"IDAT", z[half:])  # image data split over two chunks
    out += chunk(b"IEND", b"")
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "png")
    os.makedirs(out_dir, exist_ok=True)
    pal = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 0, 0), (255, 255, 255)]
    files = {
        "gray1.png": make_png(13, 5, 0, 1, seed=1),
        "gray2_adam7.png": make_png(9, 9, 0, 2, interlace=1, seed=2),
        "gray4.png": make_png(7, 3, 0, 4, seed=3, first_filter=1),
        "gray8.png": make_png(8, 6, 0, 8, seed=4),
        "gray8_trns.png": make_png(5, 4, 0, 8, trns=struct.pack(">H", 7), seed=5),
        "gray16_adam7.png": make_png(11, 7, 0, 16, interlace=1, seed=6, first_filter=2),
        "gray_alpha8.png": make_png(6, 5, 4, 8, seed=7, first_filter=3),
        "gray_alpha16.png": make_png(4, 4, 4, 16, seed=8),
        "rgb8_filters.png": make_png(10, 10, 2, 8, seed=9),
        "rgb8_trns_gama_text.png": make_png(5, 5, 2, 8, trns=struct.pack(">HHH", 1, 2, 3),
                                            extra=[(b"gAMA", struct.pack(">I", 45455)),
                                                   (b"tEXt", b"Comment\x00halconv fuzz seed")], seed=10),
        "rgb16_adam7.png": make_png(9, 5, 2, 16, interlace=1, seed=11, first_filter=4),
        "rgba8_adam7.png": make_png(12, 9, 6, 8, interlace=1, seed=12),
        "rgba16.png": make_png(3, 7, 6, 16, seed=13, first_filter=4),
        "palette1.png": make_png(17, 3, 3, 1, palette=pal[:2], seed=14),
        "palette2_adam7.png": make_png(6, 6, 3, 2, interlace=1, palette=pal[:4], seed=15),
        "palette4_trns.png": make_png(9, 4, 3, 4, palette=pal, trns=bytes([255, 128, 0]), seed=16),
        "palette8.png": make_png(5, 5, 3, 8, palette=pal, seed=17, first_filter=2),
        "one_pixel.png": make_png(1, 1, 0, 8, seed=18),
    }
    good = files["rgb8_filters.png"]
    files["broken_truncated.png"] = good[: len(good) // 2]
    bad_crc = bytearray(good)
    bad_crc[29] ^= 0xFF  # the IHDR CRC
    files["broken_ihdr_crc.png"] = bytes(bad_crc)
    files["broken_short_data.png"] = make_png(4, 4, 0, 8, seed=19, header_height=9)  # IHDR says 9 rows
    files["broken_signature.png"] = b"\x89PNG\r\n\x1b\n" + good[8:]
    # Regression: a text chunk whose length field claims ~2 GB made png_io
    # allocate that much before noticing that the data is not there.
    files["regress_text_length_2gb.png"] = (make_png(5, 5, 2, 8)[:33] + struct.pack(">I", 0x7FFFFFF0) +
                                            b"tEXtComment\x00x")
    for name, data in files.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print("wrote %d files to %s" % (len(files), out_dir))


if __name__ == "__main__":
    main()
