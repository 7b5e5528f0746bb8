#!/usr/bin/env python3
"""Command-line tests of `halconv` (run by ctest, label "cli").

    cli_test.py --halconv PATH [--data DIR] GROUP [GROUP ...]

Each group runs the tool as a user would and checks exit statuses, messages,
outputs (valid PNGs of the right size, type and values) and that failures
leave no file behind. Test images are generated here with zlib + struct (no
numpy needed); outputs are decoded by the small PNG reader below.
"""

import argparse
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

# --- PNG writing and reading -----------------------------------------------------------


def _chunk(kind, data):
    c = struct.pack(">I", len(data)) + kind + data
    return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type


def png_bytes(width, height, rows, color_type, bit_depth=8, palette=None, trns=None, ihdr=None):
    """rows: list of lists of samples (palette: indices), already laid out."""
    raw = bytearray()
    for row in rows:
        raw.append(0)  # filter: none
        if bit_depth < 8:
            bits = 0
            nbits = 0
            out = bytearray()
            for v in row:
                bits = (bits << bit_depth) | v
                nbits += bit_depth
                if nbits == 8:
                    out.append(bits)
                    bits = nbits = 0
            if nbits:
                out.append(bits << (8 - nbits))
            raw += out
        elif bit_depth == 16:
            for v in row:
                raw += struct.pack(">H", v)
        else:
            raw += bytes(row)
    if ihdr is None:
        ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
    if palette is not None:
        data += _chunk(b"PLTE", bytes(c for rgb in palette for c in rgb))
    if trns is not None:
        data += _chunk(b"tRNS", trns)
    data += _chunk(b"IDAT", zlib.compress(bytes(raw)))
    data += _chunk(b"IEND", b"")
    return data


def write_png(path, width, height, channels, bit_depth, sample):
    """sample(x, y, c) -> int."""
    rows = [[sample(x, y, c) for x in range(width) for c in range(channels)] for y in range(height)]
    with open(path, "wb") as f:
        f.write(png_bytes(width, height, rows, COLOR_TYPES[channels], bit_depth))


class Png:
    def __init__(self, width, height, channels, bit_depth, samples):
        self.width, self.height, self.channels, self.bit_depth = width, height, channels, bit_depth
        self.samples = samples  # flat list, interleaved

    def at(self, x, y, c):
        return self.samples[(y * self.width + x) * self.channels + c]


def read_png(path):
    """Decodes the PNGs halconv writes: colour types 0/2/4/6, 8/16 bits, not interlaced."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "%s: bad signature" % path
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, "%s: bad CRC in %s" % (path, kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, bd, ct, _, _, interlace = ihdr
    assert interlace == 0 and bd in (8, 16) and ct in (0, 2, 4, 6), ihdr
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[ct]
    bpp = channels * bd // 8
    stride = w * bpp
    raw = zlib.decompress(idat)
    assert len(raw) == h * (stride + 1), "%s: wrong IDAT size" % path
    prev = bytearray(stride)
    out = []
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
            else:
                assert ft == 0, "bad filter type %d" % ft
        prev = line
        if bd == 8:
            out.extend(line)
        else:
            out.extend(struct.unpack(">%dH" % (stride // 2), bytes(line)))
    return Png(w, h, channels, bd, out)


# --- reference filters ---------------------------------------------------------------------


def mirror(i, n):
    if n == 1:
        return 0
    period = 2 * (n - 1)
    m = i % period
    return m if m < n else period - m


def box3_reference(img, x, y, c):
    """box:3 with the default mirror border, rounded half up (exact integer path)."""
    s = 0
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            s += img.at(mirror(x + dx, img.width), mirror(y + dy, img.height), c)
    return (2 * s + 9) // 18


# --- running halconv -------------------------------------------------------------------------

HALCONV = None
DATA = None
failures = []
checks = 0


def run(*args, cwd=None, env=None):
    p = subprocess.run([HALCONV] + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       cwd=cwd, timeout=240, env=None if env is None else dict(os.environ, **env))
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(cond, what, detail=""):
    global checks
    checks += 1
    if not cond:
        failures.append(what + (("\n    " + detail.replace("\n", "\n    ")) if detail else ""))
        print("FAIL: " + what)


def expect(args, status, stderr_has=(), stdout_has=(), cwd=None, what=None):
    rc, out, err = run(*args, cwd=cwd)
    name = what or ("halconv " + " ".join(str(a) for a in args))
    detail = "exit %d\nstdout: %s\nstderr: %s" % (rc, out.strip()[:2000], err.strip()[:2000])
    check(rc == status, "%s: exit status %d, expected %d" % (name, rc, status), detail)
    for s in stderr_has:
        check(s.lower() in err.lower(), "%s: stderr should contain %r" % (name, s), detail)
    for s in stdout_has:
        check(s.lower() in out.lower(), "%s: stdout should contain %r" % (name, s), detail)
    return rc, out, err


def listing(d):
    return sorted(os.listdir(d))


def expect_failure_leaves_nothing(args, status, outdir, stderr_has=(), what=None):
    """Runs a failing command; `outdir` must be unchanged (no output, no temp file)."""
    before = listing(outdir)
    rc, out, err = expect(args, status, stderr_has=stderr_has, what=what)
    after = listing(outdir)
    check(before == after, "%s: left files behind: %s" % (what or args, sorted(set(after) - set(before))))
    check(err.count("\n") >= 1 and (err.startswith("halconv") or "usage" in err.lower()),
          "%s: message should start with 'halconv'" % (what or args), err)
    return rc, out, err


# --- the groups -------------------------------------------------------------------------------


def gradient(x, y, c, maxv=255, w=16, h=12):
    return (x * 37 + y * 91 + c * 53 + (x * y) % 7 * 11) % (maxv + 1)


def group_usage(tmp):
    expect([], 2, stderr_has=["usage: halconv"])
    expect(["--help"], 0, stdout_has=["usage: halconv", "filter", "gabor-bank", "sampling-points", "demo"])
    expect(["-h"], 0, stdout_has=["usage: halconv"])
    expect(["help"], 0, stdout_has=["usage: halconv"])
    expect(["help", "filter"], 0, stdout_has=["--kernel", "--border", "268435456"])
    expect(["help", "nope"], 2, stderr_has=["unknown command 'nope'", "usage:"])
    rc, out, _ = expect(["--version"], 0, stdout_has=["halconv "])
    check(len(out.split()) == 2, "--version prints 'halconv X.Y.Z'", out)
    expect(["frobnicate"], 2, stderr_has=["unknown command 'frobnicate'", "usage: halconv"])
    expect(["--frobnicate"], 2, stderr_has=["unknown option '--frobnicate'", "usage: halconv"])
    expect(["filter", "--help"], 0, stdout_has=["usage: halconv filter", "box:N", "gabor:", "--compare opencv",
                                                 "2^28"])
    expect(["gabor-bank", "--help"], 0, stdout_has=["usage: halconv gabor-bank", "--orientations"])
    expect(["demo", "--help"], 0, stdout_has=["usage: halconv demo", "--runs", "--no-sampling-points"])
    expect(["sampling-points", "--help"], 0,
           stdout_has=["usage: halconv sampling-points", "--layers", "--field", "--dump-points", "256 MiB"])
    expect(["help", "sampling-points"], 0, stdout_has=["usage: halconv sampling-points"])
    img = os.path.join(tmp, "a.png")
    write_png(img, 8, 8, 1, 8, gradient)
    out = os.path.join(tmp, "out.png")
    expect(["filter", "--bogus", "-k", "box:3", img, out], 2,
           stderr_has=["unknown option '--bogus'", "usage: halconv filter"])
    expect(["filter", img, out], 2, stderr_has=["missing --kernel", "usage: halconv filter"])
    expect(["filter", "-k", "box:3"], 2, stderr_has=["missing IN.png and OUT.png", "usage:"])
    expect(["filter", "-k", "box:3", img], 2, stderr_has=["missing OUT.png", "usage:"])
    expect(["filter", "-k", "box:3", img, out, "extra"], 2, stderr_has=["too many arguments", "usage:"])
    expect(["filter", img, out, "--kernel"], 2, stderr_has=["--kernel needs a value", "usage:"])
    expect(["gabor-bank", img], 2, stderr_has=["missing OUT.png", "usage: halconv gabor-bank"])
    expect(["gabor-bank", "--nope", img, out], 2, stderr_has=["unknown option '--nope'"])
    expect(["demo", "--nope"], 2, stderr_has=["unknown option '--nope'", "usage: halconv demo"])
    check(not os.path.exists(out), "usage errors must not write the output")


def group_errors_input(tmp):
    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    out = os.path.join(outdir, "o.png")
    missing = os.path.join(tmp, "does_not_exist.png")
    expect_failure_leaves_nothing(["filter", "-k", "box:3", missing, out], 1, outdir,
                                  stderr_has=["halconv: error:", "does_not_exist.png"], what="missing input")
    expect_failure_leaves_nothing(["filter", "-k", "box:3", tmp, out], 1, outdir,
                                  stderr_has=["halconv: error:"], what="input is a directory")
    unreadable = os.path.join(tmp, "unreadable.png")
    write_png(unreadable, 4, 4, 1, 8, gradient)
    os.chmod(unreadable, 0)
    if os.access(unreadable, os.R_OK):  # root reads anything
        print("note: running as root, the unreadable-file case reads the file")
    else:
        expect_failure_leaves_nothing(["filter", "-k", "box:3", unreadable, out], 1, outdir,
                                      stderr_has=["halconv: error:", "unreadable.png"], what="unreadable input")
    expect_failure_leaves_nothing(["gabor-bank", missing, out], 1, outdir, stderr_has=["does_not_exist.png"],
                                  what="gabor-bank: missing input")
    expect_failure_leaves_nothing(["demo", "--out", outdir, "--runs", "0", missing], 1, outdir,
                                  stderr_has=["does_not_exist.png"], what="demo: missing photo")


def group_errors_png(tmp):
    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    out = os.path.join(outdir, "o.png")
    good = png_bytes(16, 16, [[(x * y) % 256 for x in range(16)] for y in range(16)], 0, 8)

    def case(name, data, message):
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        expect_failure_leaves_nothing(["filter", "-k", "box:3", p, out], 1, outdir,
                                      stderr_has=["halconv: error:", name, message], what=name)

    case("text.png", b"this is not an image\n" * 10, "not a PNG")
    case("empty.png", b"", "empty")
    case("jpeg.png", b"\xff\xd8\xff\xe0" + b"\0" * 100, "not a PNG")
    case("signature_only.png", good[:5], "truncated")
    case("truncated.png", good[:len(good) // 2], "truncated")
    corrupt = bytearray(good)
    corrupt[40] ^= 0xFF  # inside the IDAT data: CRC mismatch
    case("corrupt.png", bytes(corrupt), "corrupt")
    zero = png_bytes(1, 1, [[0]], 0, 8, ihdr=struct.pack(">IIBBBBB", 0, 16, 8, 0, 0, 0, 0))
    case("zero_width.png", zero, "corrupt")
    zero_h = png_bytes(1, 1, [[0]], 0, 8, ihdr=struct.pack(">IIBBBBB", 16, 0, 8, 0, 0, 0, 0))
    case("zero_height.png", zero_h, "corrupt")
    huge = png_bytes(1, 1, [[0]], 0, 8, ihdr=struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
    case("huge.png", huge, "too large")
    limit = png_bytes(1, 1, [[0]], 0, 8, ihdr=struct.pack(">IIBBBBB", 16385, 16384, 8, 0, 0, 0, 0))
    case("just_over_limit.png", limit, "268435456")
    # A valid PNG whose output cannot be in a missing directory (checked before reading).
    p = os.path.join(tmp, "good.png")
    with open(p, "wb") as f:
        f.write(good)
    expect(["filter", "-k", "box:3", p, out], 0)
    check(read_png(out).width == 16, "the good PNG filters fine")


def group_errors_spec(tmp):
    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    img = os.path.join(tmp, "in.png")
    write_png(img, 12, 10, 3, 8, gradient)
    out = os.path.join(outdir, "o.png")

    def bad(spec, *messages, normalize=False):
        args = ["filter", "-k", spec] + (["--normalize"] if normalize else []) + [img, out]
        rc, _, err = expect_failure_leaves_nothing(args, 2, outdir, stderr_has=("halconv: error:",) + messages,
                                                   what="spec %r" % spec)
        check("^" in err, "spec %r: the message shows a caret" % spec, err)
        check("Try 'halconv filter --help'" in err, "spec %r: points at --help" % spec, err)
        return err

    err = bad("box:4", "odd")
    # The caret sits under the '4'.
    lines = err.splitlines()
    first = next(l for l in lines if "box:4" in l)
    caret = next(l for l in lines if l.strip() == "^")
    check(caret.index("^") == first.index("box:4") + 4, "box:4: the caret is under the 4", err)
    bad("box:0")
    bad("box:x", "box:x")
    bad("gaussian:abc")
    bad("gaussian:-1")
    bad("motion:4,30", "odd")
    bad("shift:1")
    bad("blur:3")
    bad("gabor:30")
    bad("1 2; 3 4", "odd")
    bad("1 2 1; 2 4", "")
    bad("1 2 x")
    bad("")
    bad("box:100001")
    kfile = os.path.join(tmp, "even.txt")
    with open(kfile, "w") as f:
        f.write("# an even kernel\n1 1\n1 1\n")
    bad("@" + kfile, "even.txt")
    bad("@" + os.path.join(tmp, "no_such_kernel.txt"), "no_such_kernel.txt")
    check(listing(outdir) == [], "no output after spec errors")


def group_errors_output(tmp):
    img = os.path.join(tmp, "in.png")
    write_png(img, 12, 10, 3, 8, gradient)
    out = os.path.join(tmp, "no", "such", "dir", "o.png")
    expect(["filter", "-k", "box:3", img, out], 1, stderr_has=["halconv: error:", "does not exist"],
           what="missing output directory")
    check(not os.path.exists(os.path.join(tmp, "no")), "the missing output directory is not created")
    expect(["gabor-bank", img, out], 1, stderr_has=["does not exist"], what="gabor-bank: missing output directory")
    d = os.path.join(tmp, "adir")
    os.mkdir(d)
    expect(["filter", "-k", "box:3", img, d], 1, stderr_has=["is a directory"], what="output is a directory")
    check(listing(d) == [], "nothing written into the directory given as output")
    f = os.path.join(tmp, "afile")
    with open(f, "w") as fh:
        fh.write("x")
    expect(["filter", "-k", "box:3", img, os.path.join(f, "o.png")], 1, stderr_has=["not a directory"],
           what="output directory is a file")
    # An existing output is replaced atomically; a failure keeps the old one.
    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    out = os.path.join(outdir, "o.png")
    expect(["filter", "-k", "box:3", img, out], 0)
    before = open(out, "rb").read()
    expect_failure_leaves_nothing(["filter", "-k", "box:3", os.path.join(tmp, "missing.png"), out], 1, outdir)
    check(open(out, "rb").read() == before, "a failed run leaves an existing output untouched")
    expect(["filter", "-k", "box:3", "--", img, out], 0, what="'--' ends the options")
    # Output in the working directory (no directory part).
    expect(["filter", "-k", "box:3", img, "rel.png"], 0, cwd=outdir, what="relative output")
    check(os.path.exists(os.path.join(outdir, "rel.png")), "relative output written")


def group_errors_options(tmp):
    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    img = os.path.join(tmp, "in.png")
    write_png(img, 12, 10, 3, 8, gradient)
    out = os.path.join(outdir, "o.png")
    for args, msg in [(["--border", "reflect"], "--border"), (["--device", "tpu"], "--device"),
                      (["--time", "0"], "--time"), (["--time", "abc"], "--time"),
                      (["--compare", "scipy"], "--compare"), (["--threads", "-1"], "--threads"),
                      (["--offset", "nan"], "--offset")]:
        expect_failure_leaves_nothing(["filter", "-k", "box:3"] + args + [img, out], 2, outdir,
                                      stderr_has=["halconv: error:", msg], what=" ".join(args))
    for args, msg in [(["--orientations", "0"], "--orientations"), (["--wavelength", "1"], "--wavelength"),
                      (["--sigma", "1000"], "--sigma")]:
        expect_failure_leaves_nothing(["gabor-bank"] + args + [img, out], 2, outdir, stderr_has=[msg],
                                      what="gabor-bank " + " ".join(args))
    expect(["demo", "--runs", "x"], 2, stderr_has=["--runs"])
    expect(["demo", "--devices", "tpu"], 2, stderr_has=["--device"])
    # A GPU device that is not there: a runtime error naming the reason.
    # (OpenCL with an empty PoCL kernel cache, so that PoCL compiles the
    # kernels in this process with its own LLVM: with libHalide's LLVM
    # loaded too, as before halconv-tune was split off, that crashed.)
    for dev in ("cuda", "opencl"):
        rc, out_text, err = run("filter", "-k", "box:3", "--device", dev, img, out,
                                env={"POCL_CACHE_DIR": tempfile.mkdtemp(dir=tmp)}
                                if dev == "opencl" else None)
        if rc == 0:
            print("note: %s is available here" % dev)
            check(os.path.exists(out), "%s: output written" % dev)
            os.remove(out)
        else:
            check(rc == 1 and "not available" in err, "--device %s unavailable: exit 1 and 'not available'" % dev,
                  err)
            check(listing(outdir) == [], "--device %s: nothing written" % dev)


# Colour types: (name, channels of the file, PNG colour type, bit depth, palette, tRNS,
# expected channels and bit depth of the output).
def make_typed(tmp, name, w=13, h=9):
    p = os.path.join(tmp, name + ".png")
    if name == "gray8":
        write_png(p, w, h, 1, 8, gradient)
    elif name == "gray_alpha8":
        write_png(p, w, h, 2, 8, lambda x, y, c: gradient(x, y, c) if c == 0 else (x * 19 + y * 7) % 256)
    elif name == "rgb8":
        write_png(p, w, h, 3, 8, gradient)
    elif name == "rgba8":
        write_png(p, w, h, 4, 8, lambda x, y, c: gradient(x, y, c) if c < 3 else (x * 29 + y * 13) % 256)
    elif name == "gray16":
        write_png(p, w, h, 1, 16, lambda x, y, c: gradient(x, y, c, 65535) * 97 % 65536)
    elif name == "gray_alpha16":
        write_png(p, w, h, 2, 16, lambda x, y, c: (gradient(x, y, c) * 257 + 3) if c == 0 else (x * 4099 + y * 77) % 65536)
    elif name == "rgb16":
        write_png(p, w, h, 3, 16, lambda x, y, c: (gradient(x, y, c) * 251 + x * 13) % 65536)
    elif name == "rgba16":
        write_png(p, w, h, 4, 16, lambda x, y, c: (gradient(x, y, c) * 251) % 65536 if c < 3 else (x * 3001 + y * 5) % 65536)
    elif name == "palette":
        pal = [((i * 40) % 256, (i * 90) % 256, (i * 150) % 256) for i in range(8)]
        rows = [[(x + 2 * y) % 8 for x in range(w)] for y in range(h)]
        with open(p, "wb") as f:
            f.write(png_bytes(w, h, rows, 3, 8, palette=pal))
    elif name == "palette_trns":
        pal = [((i * 40) % 256, (i * 90) % 256, (i * 150) % 256) for i in range(8)]
        rows = [[(x + 2 * y) % 8 for x in range(w)] for y in range(h)]
        with open(p, "wb") as f:
            f.write(png_bytes(w, h, rows, 3, 8, palette=pal, trns=bytes([0, 128, 255])))
    elif name == "gray1":
        rows = [[(x + y) % 2 for x in range(w)] for y in range(h)]
        with open(p, "wb") as f:
            f.write(png_bytes(w, h, rows, 0, 1))
    else:
        raise ValueError(name)
    return p


TYPES = {  # name -> (output channels, output bit depth)
    "gray8": (1, 8), "gray_alpha8": (2, 8), "rgb8": (3, 8), "rgba8": (4, 8),
    "gray16": (1, 16), "gray_alpha16": (2, 16), "rgb16": (3, 16), "rgba16": (4, 16),
    "palette": (3, 8), "palette_trns": (4, 8), "gray1": (1, 8),
}


def group_filter_types(tmp):
    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    for name, (channels, depth) in TYPES.items():
        src = make_typed(tmp, name)
        out = os.path.join(outdir, name + "_box.png")
        expect(["filter", "-k", "box:3", src, out], 0, stdout_has=["box:3"], what="box:3 on " + name)
        if not os.path.exists(out):
            continue
        img = read_png(out)
        check((img.width, img.height) == (13, 9), "%s: output size %dx%d" % (name, img.width, img.height))
        check((img.channels, img.bit_depth) == (channels, depth),
              "%s: output has %d channels, %d bits; expected %d, %d" % (name, img.channels, img.bit_depth,
                                                                       channels, depth))
        if name.startswith(("gray8", "rgb8", "gray16", "rgb16")) and "alpha" not in name:
            src_img = read_png(src)
            bad = [(x, y, c) for y in range(9) for x in range(13) for c in range(channels)
                   if img.at(x, y, c) != box3_reference(src_img, x, y, c)]
            check(not bad, "%s: box:3 matches the exact rounded mean" % name, "first mismatches %s" % bad[:5])
    check(sorted(listing(outdir)) == sorted(n + "_box.png" for n in TYPES), "only the outputs in the directory",
          str(listing(outdir)))


def group_filter_16bit(tmp):
    src = make_typed(tmp, "rgb16", 20, 14)
    s = read_png(src)
    out = os.path.join(tmp, "shift.png")
    expect(["filter", "-k", "shift:3,2", "--border", "zero", src, out], 0)
    o = read_png(out)
    check(o.bit_depth == 16 and o.channels == 3, "16-bit RGB stays 16-bit RGB")
    bad = [(x, y, c) for y in range(14) for x in range(20) for c in range(3)
           if o.at(x, y, c) != (s.at(x - 3, y - 2, c) if x >= 3 and y >= 2 else 0)]
    check(not bad, "shift:3,2 with zero border moves 16-bit samples exactly", str(bad[:5]))
    check(max(o.samples) > 255, "16-bit values above 255 survive")
    out = os.path.join(tmp, "gauss.png")
    expect(["filter", "-k", "gaussian:1.2", src, out], 0)
    o = read_png(out)
    check(o.bit_depth == 16, "gaussian on 16-bit stays 16-bit")
    # A smooth 16-bit ramp: a blur keeps it (up to rounding), which 8 bits could not.
    ramp = os.path.join(tmp, "ramp16.png")
    write_png(ramp, 32, 8, 1, 16, lambda x, y, c: 1000 + 3 * x)
    out = os.path.join(tmp, "ramp_out.png")
    expect(["filter", "-k", "box:3", ramp, out], 0)
    o = read_png(out)
    bad = [x for x in range(1, 31) for y in range(8) if o.at(x, y, 0) != 1000 + 3 * x]
    check(not bad, "box:3 keeps a linear 16-bit ramp exactly inside", str(bad[:5]))


def group_filter_alpha(tmp):
    for name in ("rgba8", "gray_alpha8", "rgba16", "gray_alpha16", "palette_trns"):
        src = make_typed(tmp, name, 17, 11)
        s = read_png(src) if not name.startswith("palette") else None
        for spec in ("gaussian:1.5", "sobel", "emboss", "1 0 -1; 2 0 -2; 1 0 -1"):
            out = os.path.join(tmp, name + "_o.png")
            expect(["filter", "-k", spec, src, out], 0, stdout_has=["alpha copied"], what="%s on %s" % (spec, name))
            o = read_png(out)
            a = o.channels - 1
            if s is not None:
                same = all(o.at(x, y, a) == s.at(x, y, a) for y in range(11) for x in range(17))
                check(same, "%s on %s: alpha unchanged" % (spec, name))
                changed = any(o.at(x, y, 0) != s.at(x, y, 0) for y in range(11) for x in range(17))
                check(changed, "%s on %s: colour changed" % (spec, name))
            else:
                alphas = set(o.at(x, y, a) for y in range(11) for x in range(17))
                check(alphas <= {0, 128, 255}, "%s on %s: palette alpha unchanged (%s)" % (spec, name, alphas))


def group_filter_options(tmp):
    src = make_typed(tmp, "gray8", 15, 11)
    s = read_png(src)
    W, H = 15, 11

    def filt(*args):
        out = os.path.join(tmp, "o.png")
        if os.path.exists(out):
            os.remove(out)
        expect(["filter"] + list(args) + [src, out], 0)
        return read_png(out)

    # Cross-correlation picks the right neighbour; --flip (true convolution) the left one.
    k = "0 0 0; 0 0 1; 0 0 0"
    o = filt("-k", k, "--border", "zero")
    check(all(o.at(x, y, 0) == (s.at(x + 1, y, 0) if x + 1 < W else 0) for y in range(H) for x in range(W)),
          "custom kernel is a cross-correlation")
    o = filt("-k", k, "--flip", "--border", "zero")
    check(all(o.at(x, y, 0) == (s.at(x - 1, y, 0) if x >= 1 else 0) for y in range(H) for x in range(W)),
          "--flip gives true convolution")
    # Borders, seen through a shift.
    for border, f in [("wrap", lambda x: x % W), ("clamp", lambda x: min(max(x, 0), W - 1)),
                      ("mirror", lambda x: mirror(x, W))]:
        o = filt("-k", "shift:2,0", "--border", border)
        check(all(o.at(x, y, 0) == s.at(f(x - 2), y, 0) for y in range(H) for x in range(W)),
              "--border %s" % border)
    # Kernel files, with and without '@'; --normalize.
    kf = os.path.join(tmp, "k.txt")
    with open(kf, "w") as f:
        f.write("# binomial 3x3\n1 2 1\n2 4 2\n1 2 1\n")
    a = filt("-k", "@" + kf, "--normalize")
    b = filt("-k", kf, "--normalize")
    c = filt("-k", "1 2 1; 2 4 2; 1 2 1", "--normalize")
    d = filt("-k", "binomial:3")
    check(a.samples == b.samples == c.samples == d.samples, "kernel file, inline kernel and binomial:3 agree")
    e = filt("-k", "1 2 1; 2 4 2; 1 2 1")
    check(max(e.samples) == 255, "without --normalize the sum saturates")
    # --signed / --offset.
    o = filt("-k", "emboss", "--signed", "--offset", "128")
    check(128 in o.samples or len(set(o.samples)) > 3, "emboss with offset 128")
    flat = os.path.join(tmp, "flat.png")
    write_png(flat, 9, 9, 1, 8, lambda x, y, c: 77)
    out = os.path.join(tmp, "flat_o.png")
    expect(["filter", "-k", "laplacian", "--signed", "--offset", "100", flat, out], 0)
    check(set(read_png(out).samples) == {100}, "laplacian of a flat image + offset 100 is 100")
    # Named filters all run.
    for spec in ("box:5", "gaussian:1", "gaussian:1,5", "binomial:5", "motion:7,30", "motion:5,90", "shift:-1.5,0.5",
                 "sobel", "prewitt", "laplacian", "sharpen", "emboss", "gabor:45,6", "gabor:30,5,2"):
        filt("-k", spec)
    # Timing and the OpenCV comparison.
    out = os.path.join(tmp, "t.png")
    expect(["filter", "-k", "box:3", "--time", "3", src, out], 0, stdout_has=["ms", "MP/s", "median of 3"])
    rc, text, _ = expect(["filter", "-k", "gaussian:2", "--compare", "opencv", "--time", "2", src, out], 0,
                         stdout_has=["opencv", "cv::", "ratio", "max |halconv - opencv|"])
    expect(["filter", "-k", "sobel", "--compare=opencv", src, out], 0, stdout_has=["cv::", "median of 5"])
    rc, text, _ = expect(["filter", "-k", "box:3", "-q", src, out], 0)
    check(text == "", "--quiet prints nothing", text)
    expect(["filter", "--kernel=box:3", "--threads=1", src, out], 0, what="--opt=value")


def stripes(path, angle_deg, n=64, period=8):
    """Sinusoidal stripes whose intensity varies along angle_deg (ccw from +x, y down)."""
    a = math.radians(angle_deg)
    ux, uy = math.cos(a), -math.sin(a)
    write_png(path, n, n, 1, 8,
              lambda x, y, c: int(round(127.5 + 120 * math.cos(2 * math.pi * (x * ux + y * uy) / period))))


def hue_of(r, g, b):
    mx, mn = max(r, g, b), min(r, g, b)
    if mx == mn:
        return None
    if mx == r:
        h = (60 * (g - b) / (mx - mn)) % 360
    elif mx == g:
        h = 60 * (b - r) / (mx - mn) + 120
    else:
        h = 60 * (r - g) / (mx - mn) + 240
    return h


def group_gabor_bank(tmp):
    for angle in (0, 45, 90, 135):
        src = os.path.join(tmp, "stripes%d.png" % angle)
        stripes(src, angle)
        out = os.path.join(tmp, "gb%d.png" % angle)
        expect(["gabor-bank", "--orientations", "8", "--no-legend", src, out], 0, stdout_has=["8 orientations"])
        o = read_png(out)
        check((o.width, o.height, o.channels, o.bit_depth) == (64, 64, 3, 8), "gabor-bank output is 64x64 RGB8")
        # The centre pixel's hue is 2 * angle.
        hues = [hue_of(*[o.at(x, y, c) for c in range(3)]) for y in range(24, 40) for x in range(24, 40)]
        want = (2 * angle) % 360
        ok = [h for h in hues if h is not None and min(abs(h - want), 360 - abs(h - want)) < 10]
        check(len(ok) > 0.9 * len(hues), "stripes at %d deg: hue %d in the centre" % (angle, want),
              "hues %s" % sorted(set(int(h) for h in hues if h is not None))[:20])
    src = make_typed(tmp, "rgba16", 80, 60)
    out = os.path.join(tmp, "gb.png")
    expect(["gabor-bank", "-K", "4", "--wavelength", "6", "--sigma", "3", "--time", "1", src, out], 0,
           stdout_has=["4 orientations", "MP/s"])
    o = read_png(out)
    check((o.width, o.height, o.channels, o.bit_depth) == (80, 60, 3, 8), "gabor-bank on RGBA16 gives RGB8")
    flat = os.path.join(tmp, "flat.png")
    write_png(flat, 40, 40, 1, 8, lambda x, y, c: 50)
    expect(["gabor-bank", flat, out], 0)
    check(max(read_png(out).samples[:40 * 30 * 3]) == 0, "a flat image has no orientation energy")


def group_demo(tmp):
    p1 = os.path.join(tmp, "small_rgb.png")
    write_png(p1, 96, 64, 3, 8, lambda x, y, c: (x * 3 + y * 5 * (c + 1) + (x // 8 + y // 8) % 2 * 60) % 256)
    p2 = os.path.join(tmp, "small16.png")
    write_png(p2, 64, 80, 2, 16, lambda x, y, c: (x * 997 + y * 513) % 65536 if c == 0 else 40000)
    outdir = os.path.join(tmp, "demo_out")
    rc, out, err = expect(["demo", "--out", outdir, "--runs", "1", "--threads", "2", p1, p2], 0,
                          stdout_has=["small_rgb_sheet.png", "small16_sheet.png", "timings.md", "box:7",
                                      "gabor bank", "small_rgb_sampling_points.png", "729 sampling points",
                                      "all results match", "closed-form grid"])
    check(listing(outdir) == ["small16_sheet.png", "small_rgb_sampling_points.png", "small_rgb_sheet.png",
                              "timings.md"],
          "demo writes two sheets, the sampling-points figure (first photo) and timings.md", str(listing(outdir)))
    fig = read_png(os.path.join(outdir, "small_rgb_sampling_points.png"))
    check((fig.width, fig.height) == sampling_figure_size(96, 64),
          "the demo's sampling-points figure has the command's layout", "%dx%d" % (fig.width, fig.height))
    sheet = read_png(os.path.join(outdir, "small_rgb_sheet.png"))
    check(sheet.channels == 3 and sheet.bit_depth == 8 and sheet.width > 4 * 96 and sheet.height > 2 * 64,
          "contact sheet is an RGB8 grid of 4 x 2 tiles", "%dx%d" % (sheet.width, sheet.height))
    md = open(os.path.join(outdir, "timings.md")).read()
    for s in ("| filter", "CPU ms", "CPU MP/s", "gaussian:3", "sobel", "gabor bank", "OpenCV", "| sampling points",
              "points_collection", "3 x 3x3, 3 px"):
        check(s in md, "timings.md mentions %r" % s, md)
    check(("CUDA" in md) and ("OpenCL" in md), "timings.md has a CUDA and an OpenCL column or reason", md)
    outdir4 = os.path.join(tmp, "demo_out4")
    expect(["demo", "--out", outdir4, "--runs", "0", "--no-sampling-points", p1], 0)
    check(listing(outdir4) == ["small_rgb_sheet.png"], "--no-sampling-points leaves the figure out",
          str(listing(outdir4)))
    # A GPU backend asked for by name (OpenCL on PoCL counts): timed and checked against the CPU.
    rc, _, err = run("filter", "-k", "box:3", "--device", "opencl", p1, os.path.join(tmp, "probe.png"))
    if rc == 0:
        outdir3 = os.path.join(tmp, "demo_ocl")
        expect(["demo", "--out", outdir3, "--runs", "1", "--no-opencv", "--devices", "opencl", p1], 0,
               stdout_has=["OpenCL ms", "GPU results match the CPU's"])
    else:
        print("note: OpenCL not available, forced-device demo skipped: " + err.strip())
    if DATA and os.path.exists(os.path.join(DATA, "camera.png")):
        outdir2 = os.path.join(tmp, "demo_out2")
        expect(["demo", "--out", outdir2, "--runs", "0", "--no-opencv", "--devices", "none",
                os.path.join(DATA, "camera.png")], 0, stdout_has=["camera_sampling_points.png"])
        check(listing(outdir2) == ["camera_sampling_points.png", "camera_sheet.png"],
              "--runs 0 writes the sheet and the sampling-points figure, no table", str(listing(outdir2)))
        fig = read_png(os.path.join(outdir2, "camera_sampling_points.png"))
        check((fig.width, fig.height) == sampling_figure_size(512, 512), "camera figure size",
              "%dx%d" % (fig.width, fig.height))



# --- sampling-points ----------------------------------------------------------------------------


def sampling_figure_size(w, h):
    """The documented layout: (2 Z W + 24) x (Z H + 4 (8 T + 6) + 16)."""
    longer = max(w, h)
    z = 1 if longer >= 256 else min(16, (256 + longer - 1) // longer)
    t = 2 if z * w >= 480 else 1
    return 2 * z * w + 24, z * h + 4 * (8 * t + 6) + 16


def read_points(path):
    """--dump-points CSV -> {(stack, pixel, depth): [(dx, dy), ...]} in point order, plus the pixels."""
    pts, pixels = {}, {}
    with open(path) as f:
        header = f.readline().strip()
        assert header == "stack,pixel,px,py,depth,point,dx,dy", header
        for line in f:
            stack, k, px, py, depth, n, dx, dy = line.strip().split(",")
            key = (stack, int(k), int(depth))
            lst = pts.setdefault(key, [])
            assert int(n) == len(lst), "points out of order at %s" % line
            lst.append((float(dx), float(dy)))
            pixels[int(k)] = (int(px), int(py))
    return pts, pixels


def closed_form(n, depth, steps):
    """Regular stack: point n at depth d = sum of the taps m_j (n's base-9 digits, top layer first)."""
    x = y = 0
    for j in range(depth, 0, -1):
        m = n % 9
        n //= 9
        x += (m % 3 - 1) * steps[j - 1]
        y += (m // 3 - 1) * steps[j - 1]
    return x, y


def object_image(path, w=65, h=49):
    """A bright disc and a darker square on a dark background: edges for the gradient field."""
    def px(x, y, c):
        if (x - 20) ** 2 + (y - 24) ** 2 <= 100:
            return (230, 200, 60)[c]
        if 40 <= x <= 56 and 12 <= y <= 36:
            return (90, 140, 200)[c]
        return (30, 30, 35)[c]
    write_png(path, w, h, 3, 8, px)


def group_sampling_points(tmp):
    src = os.path.join(tmp, "obj.png")
    object_image(src)
    out = os.path.join(tmp, "sp.png")
    # Defaults: 3 layers, growth 3, gradient field, 3 pixels, automatic dilation (1 here).
    rc, text, _ = expect(["sampling-points", src, out], 0,
                         stdout_has=["3 layers of 3x3", "steps 9, 3, 1 px", "729 points per pixel", "gradient",
                                     "(16,12)", "(32,24)", "(48,36)", "points_collection calls on cpu"])
    o = read_png(out)
    check((o.width, o.height, o.channels, o.bit_depth) == sampling_figure_size(65, 49) + (3, 8),
          "sampling-points writes an RGB8 PNG of the documented size", "%dx%d" % (o.width, o.height))
    check("(%dx%d RGB, 8-bit)" % (o.width, o.height) in text, "stdout names the figure's size", text)
    # The pixel colours appear in both panels (red, cyan, yellow pixels' points).
    half = o.width // 2
    def has_colour(x0, x1, rgb):
        for y in range(o.height):
            for x in range(x0, x1):
                if all(abs(o.at(x, y, c) - rgb[c]) <= 2 for c in range(3)):
                    return True
        return False
    for rgb in ((255, 64, 48), (0, 200, 255), (255, 214, 10)):
        check(has_colour(0, half, rgb) and has_colour(half, o.width, rgb), "both panels show colour %s" % (rgb,))
    # Big images are drawn 1:1 (no zoom), text at scale 2.
    big = os.path.join(tmp, "big.png")
    write_png(big, 300, 260, 1, 8, lambda x, y, c: 200 if (x - 150) ** 2 + (y - 130) ** 2 < 3600 else 40)
    expect(["sampling-points", "-q", "--layers", "2", big, out], 0)
    check((read_png(out).width, read_png(out).height) == sampling_figure_size(300, 260), "300x260: 1:1 panels")
    # Every field and layer count runs; one layer needs no points collection.
    for field in ("gradient", "zoom", "rotate", "swirl"):
        expect(["sampling-points", "--field", field, "--strength", "-0.5", "--layers", "2", src, out], 0,
               stdout_has=[field])
    expect(["sampling-points", "--layers", "1", "--points", "5,5", src, out], 0,
           stdout_has=["9 points per pixel", "no points collection"])
    expect(["sampling-points", "--layers=4", "--growth", "1", "--dilation", "2", "--points", "32,24", "--time", "2",
            "--threads", "1", src, out], 0, stdout_has=["6561 points per pixel", "median of 2 runs"])
    rc, text, _ = expect(["sampling-points", "-q", src, out], 0)
    check(text == "", "--quiet prints nothing", text)

    # Gradient field: a vertical edge at x = 32 pulls the points toward it.
    edge = os.path.join(tmp, "edge.png")
    write_png(edge, 65, 49, 1, 8, lambda x, y, c: 20 if x < 32 else 220)
    dump = os.path.join(tmp, "edge.csv")
    expect(["sampling-points", "--layers", "2", "--growth", "1", "--dilation", "6", "--points", "24,24",
            "--dump-points", dump, edge, out], 0, stdout_has=[dump])
    pts, _ = read_points(dump)
    reg = sum(abs(24 + dx - 31.5) for dx, dy in pts[("regular", 0, 2)]) / 81
    dfm = sum(abs(24 + dx - 31.5) for dx, dy in pts[("deformable", 0, 2)]) / 81
    check(dfm < 0.7 * reg, "gradient field: points gather on the edge (mean distance %.2f -> %.2f)" % (reg, dfm))
    check(all(abs(dy - rdy) < 1e-4 for (dx, dy), (rdx, rdy) in zip(pts[("deformable", 0, 2)], pts[("regular", 0, 2)])),
          "gradient field: a vertical edge moves the points only horizontally")
    # A flat image has no edges: the deformable points are the regular ones.
    flat = os.path.join(tmp, "flat.png")
    write_png(flat, 40, 30, 1, 8, lambda x, y, c: 90)
    expect(["sampling-points", "--layers", "3", "--dump-points", dump, flat, out], 0)
    pts, _ = read_points(dump)
    worst = max(abs(a - b) for key in pts if key[0] == "deformable"
                for p, q in zip(pts[key], pts[("regular",) + key[1:]]) for a, b in zip(p, q))
    check(worst < 1e-5, "flat image: deformable points == regular points (max diff %g)" % worst)


def group_sampling_points_grid(tmp):
    src = os.path.join(tmp, "obj.png")
    object_image(src)
    out = os.path.join(tmp, "sp.png")
    dump = os.path.join(tmp, "points.csv")
    # The regular stack's points are exactly the closed-form dilated grid, every depth.
    for layers, growth, dilation, points in ((1, 3, 4, "32,24"), (2, 2, 3, "10,40;60,5"), (3, 3, 1, "32,24;0,0"),
                                             (3, 1, 5, "32,24"), (4, 3, 1, "32,24"), (4, 1, 2, "64,48")):
        expect(["sampling-points", "-q", "--layers", layers, "--growth", growth, "--dilation", dilation,
                "--points", points, "--dump-points", dump, src, out], 0)
        pts, pixels = read_points(dump)
        steps = [dilation * growth ** (layers - l) for l in range(1, layers + 1)]
        worst, count = 0.0, 0
        for k in pixels:
            for depth in range(1, layers + 1):
                lst = pts[("regular", k, depth)]
                check(len(lst) == 9 ** depth, "depth %d has 9^%d points" % (depth, depth))
                for n, (dx, dy) in enumerate(lst):
                    x, y = closed_form(n, depth, steps)
                    worst = max(worst, abs(dx - x), abs(dy - y))
                    count += 1
        check(worst == 0.0, "L=%d growth %d dilation %d: regular points are the closed-form grid (max error %g)"
              % (layers, growth, dilation, worst))
        if growth == 3:
            final = set(pts[("regular", 0, layers)])
            side = 3 ** layers
            check(len(final) == side * side, "growth 3: the %d points are a %dx%d grid of distinct points"
                  % (9 ** layers, side, side))
            coords = sorted(set(x for x, y in final))
            check(coords == [dilation * (i - side // 2) for i in range(side)], "growth 3: grid step = dilation")
    # Rotate: every layer turns its grid by S x 30 degrees, so the whole stack turns (ccw on screen, y down).
    expect(["sampling-points", "-q", "--layers", "3", "--field", "rotate", "--strength", "1.5", "--dilation", "1",
            "--points", "32,24", "--dump-points", dump, src, out], 0)
    pts, _ = read_points(dump)
    th = math.radians(45)
    worst = 0.0
    for depth in (1, 2, 3):
        for (dx, dy), (rx, ry) in zip(pts[("deformable", 0, depth)], pts[("regular", 0, depth)]):
            ex, ey = rx * math.cos(th) + ry * math.sin(th), -rx * math.sin(th) + ry * math.cos(th)
            worst = max(worst, abs(dx - ex), abs(dy - ey))
    check(worst < 1e-3, "rotate 1.5: the deformable points are the regular ones turned by 45 degrees (max %g)" % worst)
    # Zoom and swirl at the image centre (65x49: pixel (32,24)): the top layer's taps are scaled by 2^S / turned.
    for field, strength in (("zoom", 1.0), ("zoom", -1.0), ("swirl", 1.0)):
        expect(["sampling-points", "-q", "--layers", "2", "--field", field, "--strength", strength, "--dilation", "2",
                "--points", "32,24", "--dump-points", dump, src, out], 0)
        pts, _ = read_points(dump)
        worst = 0.0
        for (dx, dy), (rx, ry) in zip(pts[("deformable", 0, 1)], pts[("regular", 0, 1)]):
            if field == "zoom":
                ex, ey = rx * 2 ** strength, ry * 2 ** strength
            else:
                a = math.radians(90 * strength)
                ex, ey = rx * math.cos(a) + ry * math.sin(a), -rx * math.sin(a) + ry * math.cos(a)
            worst = max(worst, abs(dx - ex), abs(dy - ey))
        check(worst < 1e-3, "%s %g at the centre: the top layer's taps (max error %g)" % (field, strength, worst))
        reg = sum(dx * dx + dy * dy for dx, dy in pts[("regular", 0, 2)])
        dfm = sum(dx * dx + dy * dy for dx, dy in pts[("deformable", 0, 2)])
        if field == "zoom":
            check((dfm > reg) == (strength > 0), "zoom %g: the field grows/shrinks" % strength)
    # A GPU backend, when there is one, gives the CPU's points.
    expect(["sampling-points", "-q", "--layers", "3", "--points", "20,24;48,24", "--dump-points", dump, src, out], 0)
    cpu, _ = read_points(dump)
    for dev in ("cuda", "opencl"):
        gdump = os.path.join(tmp, dev + ".csv")
        rc, _, err = run("sampling-points", "-q", "--layers", "3", "--points", "20,24;48,24", "--device", dev,
                         "--dump-points", gdump, src, os.path.join(tmp, dev + ".png"))
        if rc != 0:
            check(rc == 1 and "not available" in err, "--device %s: exit 1 and 'not available'" % dev, err)
            print("note: %s not available: %s" % (dev, err.strip().splitlines()[0] if err.strip() else ""))
            continue
        gpu, _ = read_points(gdump)
        worst = max(abs(a - b) for key in cpu for p, q in zip(cpu[key], gpu[key]) for a, b in zip(p, q))
        check(worst < 1e-3, "--device %s: the CPU's points (max diff %g)" % (dev, worst))


def group_sampling_points_errors(tmp):
    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    src = os.path.join(tmp, "obj.png")
    object_image(src)
    out = os.path.join(outdir, "o.png")
    dump = os.path.join(outdir, "o.csv")

    def bad(args, status, *messages):
        expect_failure_leaves_nothing(["sampling-points"] + args + [src, out], status, outdir, stderr_has=messages,
                                      what="sampling-points " + " ".join(map(str, args)))

    expect_failure_leaves_nothing(["sampling-points"], 2, outdir,
                                  stderr_has=["missing IN.png and OUT.png", "usage: halconv sampling-points"])
    expect_failure_leaves_nothing(["sampling-points", src], 2, outdir, stderr_has=["missing OUT.png"])
    expect_failure_leaves_nothing(["sampling-points", src, out, "x.png"], 2, outdir, stderr_has=["too many arguments"])
    bad(["--bogus"], 2, "unknown option '--bogus'", "usage: halconv sampling-points")
    bad(["--layers"], 2, "halconv: error:", "--layers")  # its value is src: not an integer
    for args, msg in [(["--layers", "0"], "--layers expects an integer from 1 to 4"),
                      (["--layers", "5"], "--layers expects an integer from 1 to 4"),
                      (["--layers", "x"], "--layers"), (["--field", "spiral"], "--field expects gradient, zoom"),
                      (["--strength", "3"], "--strength"), (["--strength", "nan"], "--strength"),
                      (["--dilation", "0"], "--dilation"), (["--dilation", "257"], "--dilation"),
                      (["--growth", "5"], "--growth"), (["--device", "tpu"], "--device"),
                      (["--time", "0"], "--time"), (["--threads", "0"], "--threads"),
                      (["--points", "1,2;3"], "--points expects pixels as 'X,Y"),
                      (["--points", "a,b"], "--points expects"), (["--points", ""], "--points expects"),
                      (["--points", "1,2;;3,4"], "--points expects"), (["--points", "-1,2"], "--points expects"),
                      (["--points", ";".join("%d,%d" % (i, i) for i in range(9))], "at most 8 pixels"),
                      (["--points", "65,10"], "pixel (65,10) is outside the 65x49 image"),
                      (["--points", "3,49"], "outside the 65x49 image"),
                      (["--dump-points", out], "--dump-points must name another file")]:
        bad(args, 2, "halconv: error:", msg)
    # Beyond the memory bound: refused with the reach, the size and what to lower.
    rc, _, err = expect_failure_leaves_nothing(
        ["sampling-points", "--layers", "4", "--dilation", "64", src, out], 2, outdir,
        stderr_has=["halconv: error:", "MiB", "256 MiB", "--layers", "--dilation"], what="memory bound")
    rc, _, err = expect_failure_leaves_nothing(
        ["sampling-points", "--layers", "3", "--growth", "1", "--dilation", "100", "--strength", "2", src, out], 2,
        outdir, stderr_has=["more than the 256 MiB", "gradient offsets"], what="memory bound (deformable reach)")
    expect(["sampling-points", "-q", "--layers", "3", "--growth", "1", "--dilation", "100", "--strength", "0",
            "--points", "32,24", src, os.path.join(tmp, "regular_fits.png")], 0,
           what="the same stack without offsets fits")
    # Just inside it works (a 1024 window): 4 layers, growth 3, dilation 6, reach 6*(27+9+3)*2 = 468 px.
    expect(["sampling-points", "-q", "--layers", "4", "--dilation", "6", "--points", "32,24", src,
            os.path.join(tmp, "near_bound.png")], 0, what="near the memory bound")
    # Runtime errors: exit 1, nothing written.
    missing = os.path.join(tmp, "missing.png")
    expect_failure_leaves_nothing(["sampling-points", missing, out], 1, outdir,
                                  stderr_has=["halconv: error:", "missing.png"], what="missing input")
    notpng = os.path.join(tmp, "text.png")
    with open(notpng, "w") as f:
        f.write("not a png\n")
    expect_failure_leaves_nothing(["sampling-points", notpng, out], 1, outdir, stderr_has=["not a PNG"],
                                  what="not a PNG")
    expect_failure_leaves_nothing(["sampling-points", src, os.path.join(tmp, "no", "dir", "o.png")], 1, outdir,
                                  stderr_has=["does not exist"], what="missing output directory")
    expect_failure_leaves_nothing(["sampling-points", "--dump-points", os.path.join(tmp, "no", "p.csv"), src, out], 1,
                                  outdir, stderr_has=["does not exist"], what="missing dump directory")
    check(not os.path.exists(os.path.join(tmp, "no")), "no directory created")
    for dev in ("cuda", "opencl"):
        rc, _, err = run("sampling-points", "--device", dev, src, out)
        if rc == 0:
            os.remove(out)
        else:
            check(rc == 1 and "not available" in err, "--device %s unavailable: exit 1, 'not available'" % dev, err)
        check(listing(outdir) == [], "--device %s: no stray files" % dev, str(listing(outdir)))
    # Success writes both outputs; a later failure leaves them as they were.
    expect(["sampling-points", "--dump-points", dump, src, out], 0)
    check(listing(outdir) == ["o.csv", "o.png"], "PNG and CSV written", str(listing(outdir)))
    before = (open(out, "rb").read(), open(dump, "rb").read())
    expect_failure_leaves_nothing(["sampling-points", "--dump-points", dump, missing, out], 1, outdir)
    check((open(out, "rb").read(), open(dump, "rb").read()) == before, "a failed run keeps the old outputs")


GROUPS = {
    "usage": group_usage,
    "errors_input": group_errors_input,
    "errors_png": group_errors_png,
    "errors_spec": group_errors_spec,
    "errors_output": group_errors_output,
    "errors_options": group_errors_options,
    "filter_types": group_filter_types,
    "filter_16bit": group_filter_16bit,
    "filter_alpha": group_filter_alpha,
    "filter_options": group_filter_options,
    "gabor_bank": group_gabor_bank,
    "demo": group_demo,
    "sampling_points": group_sampling_points,
    "sampling_points_grid": group_sampling_points_grid,
    "sampling_points_errors": group_sampling_points_errors,
}


def main():
    global HALCONV, DATA
    ap = argparse.ArgumentParser()
    ap.add_argument("--halconv", required=True)
    ap.add_argument("--data")
    ap.add_argument("groups", nargs="*", help="default: all")
    args = ap.parse_args()
    HALCONV, DATA = os.path.abspath(args.halconv), args.data
    names = args.groups or list(GROUPS)
    for n in names:
        if n not in GROUPS:
            print("unknown group %s (have: %s)" % (n, ", ".join(GROUPS)))
            return 2
    for n in names:
        tmp = tempfile.mkdtemp(prefix="halconv_cli_%s_" % n)
        try:
            GROUPS[n](tmp)
        finally:
            for root, dirs, files in os.walk(tmp):
                for d in dirs:
                    os.chmod(os.path.join(root, d), 0o755)
                for f in files:
                    os.chmod(os.path.join(root, f), 0o644)
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d checks, %d failed" % (checks, len(failures)))
    for f in failures:
        print("FAILED: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
