#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan, every report fatal)
# and runs it for a bounded time from its seed corpus. Registered as a ctest
# test by tests/fuzz/FuzzTests.cmake; also usable by hand:
#
#   tests/fuzz/run_fuzz.sh --target png|spec [--src REPO] [--work DIR]
#                          [--seconds N] [--cxx CLANG++]
#
# Targets:
#   png   fuzz_png.cpp + apps/common/png_io.cpp (libpng): pngio::decode_png
#   spec  fuzz_kernel_spec.cpp + apps/common/kernel_spec.cpp +
#         runtime/filter_kernels.cpp: halconv_cli::parse_filter_spec
#
# Exit status: 0 no finding; 1 a crash, sanitizer report, leak, timeout or
# build failure (the log's tail is printed, the reproducer is kept in
# WORK/artifacts/); 77 skipped because clang++ or libFuzzer is missing,
# except under CI=true, where that is a failure too.
# Environment: HALCONV_FUZZ_SECONDS overrides --seconds.
set -uo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=""
WORK=""
SECONDS_PER_TARGET=20
CXX_BIN=""

while (($#)); do
    case "$1" in
    --target) TARGET=$2; shift 2 ;;
    --src) SRC=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
    --cxx) CXX_BIN=$2; shift 2 ;;
    *) echo "run_fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
SECONDS_PER_TARGET=${HALCONV_FUZZ_SECONDS:-$SECONDS_PER_TARGET}
case "$TARGET" in
png | spec) ;;
*) echo "run_fuzz.sh: --target must be png or spec" >&2; exit 2 ;;
esac
WORK=${WORK:-$SRC/build/fuzz/$TARGET}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)  # absolute: the spec fuzzer changes directory

log() { printf 'run_fuzz.sh[%s]: %s\n' "$TARGET" "$*"; }

# Missing tools: skip (77), or fail under CI.
unavailable() {
    if [[ "${CI:-}" == "true" ]]; then
        log "FAIL: $*; CI requires the fuzz tests (scripts/setup-deps installs clang and libclang-rt-14-dev)"
        exit 1
    fi
    log "SKIP: $*"
    exit 77
}

# --- the compiler and libFuzzer ------------------------------------------------
if [[ -z "$CXX_BIN" || "$CXX_BIN" == *NOTFOUND ]]; then
    CXX_BIN=$(command -v clang++ || command -v clang++-14 || true)
fi
[[ -n "$CXX_BIN" && -x "$CXX_BIN" ]] || unavailable "clang++ not found"

SAN_FLAGS=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
CXXFLAGS=(-std=c++17 -g -O1 "${SAN_FLAGS[@]}")

probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
    'extern "C" int LLVMFuzzerTestOneInput(const uint8_t *, size_t) { return 0; }' >"$probe_dir/probe.cpp"
if ! "$CXX_BIN" "${CXXFLAGS[@]}" "$probe_dir/probe.cpp" -o "$probe_dir/probe" >"$probe_dir/probe.log" 2>&1; then
    sed 's/^/  /' "$probe_dir/probe.log" | tail -5
    unavailable "$CXX_BIN cannot build a libFuzzer target (is libclang-rt-14-dev installed?)"
fi

# --- build -------------------------------------------------------------------
FUZZ_DIR=$SRC/tests/fuzz
case "$TARGET" in
png)
    BIN=$WORK/fuzz_png
    if PNG_FLAGS=$(pkg-config --cflags --libs libpng 2>/dev/null); then :; else PNG_FLAGS="-lpng"; fi
    # shellcheck disable=SC2206  # word splitting of the flags is intended
    BUILD=("$CXX_BIN" "${CXXFLAGS[@]}" -I "$SRC/apps/common" "$FUZZ_DIR/fuzz_png.cpp"
        "$SRC/apps/common/png_io.cpp" $PNG_FLAGS -o "$BIN")
    SEEDS=$FUZZ_DIR/corpus/png
    EXTRA=()
    ;;
spec)
    BIN=$WORK/fuzz_kernel_spec
    BUILD=("$CXX_BIN" "${CXXFLAGS[@]}" -I "$SRC/include" -I "$SRC/apps/common" "$FUZZ_DIR/fuzz_kernel_spec.cpp"
        "$SRC/apps/common/kernel_spec.cpp" "$SRC/runtime/filter_kernels.cpp" -o "$BIN")
    SEEDS=$FUZZ_DIR/corpus/spec
    EXTRA=(-dict="$FUZZ_DIR/spec.dict" -max_len=4096)
    ;;
esac

log "building $(basename "$BIN") with $CXX_BIN"
if ! "${BUILD[@]}" >"$WORK/build.log" 2>&1; then
    log "FAIL: the fuzz target does not build:"
    tail -30 "$WORK/build.log"
    exit 1
fi

# --- run ---------------------------------------------------------------------
# New inputs go to a fresh scratch corpus, never into the source tree.
rm -rf "$WORK/corpus" "$WORK/artifacts" "$WORK/scratch"
mkdir -p "$WORK/corpus" "$WORK/artifacts" "$WORK/scratch"
LOG=$WORK/fuzz.log
log "running for ${SECONDS_PER_TARGET}s (seeds: $SEEDS, log: $LOG)"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
HALCONV_FUZZ_SCRATCH=$WORK/scratch \
    "$BIN" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$WORK/artifacts/" "${EXTRA[@]}" "$WORK/corpus" "$SEEDS" >"$LOG" 2>&1
rc=$?

findings=$(grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error:|==[0-9]+==ERROR|fuzz_png:|fuzz_kernel_spec:' "$LOG" | head -5)
if ((rc != 0)) || [[ -n "$findings" ]]; then
    log "FAIL: the fuzzer exited with status $rc"
    tail -60 "$LOG"
    ls -1 "$WORK/artifacts" | sed "s|^|  reproducer: $WORK/artifacts/|"
    log "reproduce with: $BIN $WORK/artifacts/<file>"
    exit 1
fi
grep -E '^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units' "$LOG" | tail -2
log "OK: no findings in ${SECONDS_PER_TARGET}s"
exit 0
