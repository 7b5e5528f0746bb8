// libFuzzer target: the `--kernel SPEC` parser (apps/common/kernel_spec.h)
// with the FilterKernel factories (runtime/filter_kernels.cpp, compiled in:
// no Halide here). Any input must either parse to a well-formed kernel or
// throw SpecError with a message and a caret line; anything else (a crash,
// a sanitizer report, halconv::Error or another exception escaping) is a
// bug. Built and run by tests/fuzz/run_fuzz.sh.
//
// The fuzzer works in a scratch directory ($HALCONV_FUZZ_SCRATCH or the
// temp directory, removed at exit) holding a few kernel files
// (k3.txt, bad.txt, crlf.txt) so that "@FILE" and plain paths are reached;
// inputs containing '/' are skipped so that no other file is ever read.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "kernel_spec.h"

namespace {

std::filesystem::path scratch_dir;

void remove_scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(scratch_dir, ec);
}

[[noreturn]] void bug(const std::string &spec, const char *what) {
    std::fprintf(stderr, "fuzz_kernel_spec: %s (spec of %zu bytes)\n", what, spec.size());
    std::abort();
}

void check_kernel(const std::string &spec, const halconv::FilterKernel &k) {
    if (k.name.empty()) bug(spec, "empty kernel name");
    if (k.width < 1 || k.height < 1 || k.width % 2 == 0 || k.height % 2 == 0 ||
        k.width > halconv_cli::kMaxKernelSize || k.height > halconv_cli::kMaxKernelSize) {
        bug(spec, "kernel size not odd or out of range");
    }
    if (k.taps.size() != size_t(k.width) * size_t(k.height)) bug(spec, "tap count mismatch");
    if (!(k.divisor != 0) || !std::isfinite(k.divisor)) bug(spec, "bad divisor");
    for (float t : k.taps) {
        if (!std::isfinite(t)) bug(spec, "non-finite tap");
        if (k.integer && t != std::nearbyint(t)) bug(spec, "non-integer tap in an integer kernel");
    }
    if (k.separable()) {
        if (k.column.size() != size_t(k.height) || k.row.size() != size_t(k.width)) bug(spec, "factor sizes");
        for (int i = 0; i < k.height; i++)
            for (int j = 0; j < k.width; j++)
                if (k.column[i] * k.row[j] != k.taps[size_t(i) * k.width + j]) bug(spec, "factors do not multiply to taps");
    }
    if (!k.fixed_row.empty()) {
        float s = 0;
        for (float v : k.fixed_row) s += v;
        if (s != 256 || k.fixed_column.size() != size_t(k.height)) bug(spec, "fixed-point factor does not sum to 256");
    }
    const halconv::FilterKernel f = k.flipped();
    if (f.taps.size() != k.taps.size() || (!k.taps.empty() && f.taps.front() != k.taps.back())) bug(spec, "flipped");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    namespace fs = std::filesystem;
    // run_fuzz.sh puts it in the build tree; by hand, in the temp directory.
    const char *base = std::getenv("HALCONV_FUZZ_SCRATCH");
    const fs::path dir = (base && *base ? fs::path(base) : fs::temp_directory_path()) /
                         ("halconv-fuzz-spec-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    scratch_dir = dir;
    std::atexit(remove_scratch_dir);
    std::ofstream(dir / "k3.txt") << "# a 3x3 blur\n1 2 1\n2 4 2\n1 2 1\n";
    std::ofstream(dir / "bad.txt") << "1 2 1\n2 x\n";
    std::ofstream(dir / "crlf.txt", std::ios::binary) << "-1,0,1\r\n-2,0,2\r\n-1,0,1\r\n";
    fs::current_path(dir);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string spec(reinterpret_cast<const char *>(data), size);
    if (spec.find('/') != std::string::npos) return 0;  // stay in the scratch directory
    for (bool normalize : {false, true}) {
        try {
            const halconv_cli::ParsedFilter p = halconv_cli::parse_filter_spec(spec, normalize);
            if (p.name.empty()) bug(spec, "empty canonical name");
            if (p.kind == halconv_cli::ParsedFilter::Kind::Kernel) check_kernel(spec, p.kernel);
        } catch (const halconv_cli::SpecError &e) {
            const std::string m = e.what();
            const size_t nl = m.find('\n');
            if (m.rfind("bad kernel ", 0) != 0 || nl == std::string::npos || m.back() != '^') {
                bug(spec, "SpecError message lacks the spec and caret lines");
            }
        }
    }
    return 0;
}
