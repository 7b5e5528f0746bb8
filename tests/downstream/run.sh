#!/usr/bin/env bash
# Installs a halconv build into a scratch prefix and uses it from outside, the
# way a downstream project would:
#   1. cmake --install <build> --prefix <work>/prefix
#   2. the CMake project in this directory: find_package(halconv CONFIG) with
#      CMAKE_PREFIX_PATH=<prefix>; links halconv::halconv and
#      halconv::halconv_static; builds and runs both
#   3. pkg-config: c++ main.cpp $(pkg-config --cflags --libs halconv), linked
#      against the shared library, run with LD_LIBRARY_PATH
# Exit status: 0 passed, 77 skipped (the CPU backend cannot run on this
# machine; everything was still built), anything else failed.
#
# Usage: run.sh --build DIR --work DIR [--version V] [--generator G]
#               [--make-program P] [--cxx CXX] [--config CFG]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD= WORK= VERSION= GENERATOR=Ninja MAKE_PROGRAM= CXX_COMPILER=${CXX:-c++} CONFIG=Release
while (($#)); do
    case "$1" in
        --build) BUILD=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --version) VERSION=$2; shift 2 ;;
        --generator) GENERATOR=$2; shift 2 ;;
        --make-program) MAKE_PROGRAM=$2; shift 2 ;;
        --cxx) CXX_COMPILER=$2; shift 2 ;;
        --config) CONFIG=${2:-Release}; shift 2 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ -n "$BUILD" && -n "$WORK" ]] || { echo "run.sh: --build and --work are required" >&2; exit 2; }

step() { printf '\n--- %s\n' "$*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

PREFIX=$WORK/prefix
rm -rf "$WORK"
mkdir -p "$WORK"

step "install $BUILD -> $PREFIX"
cmake --install "$BUILD" --prefix "$PREFIX" --config "$CONFIG" >"$WORK/install.log" ||
    { cat "$WORK/install.log"; die "cmake --install failed"; }
(cd "$PREFIX" && find . -type f -o -type l | sort)

PC=$(find "$PREFIX" -name halconv.pc -path '*/pkgconfig/*' -print -quit)
CONFIG_FILE=$(find "$PREFIX" -name halconvConfig.cmake -print -quit)
[[ -f "$PREFIX/include/halconv/halconv.h" ]] || die "include/halconv/halconv.h was not installed"
[[ -n "$PC" ]] || die "halconv.pc was not installed"
[[ -n "$CONFIG_FILE" ]] || die "halconvConfig.cmake was not installed"
LIBDIR=$(dirname "$(dirname "$PC")")
for f in libhalconv.a libhalconv.so; do
    [[ -e "$LIBDIR/$f" ]] || die "$LIBDIR/$f was not installed"
done

skipped=0
# Prints the resolved path of the libhalconv.so that binary $1 loads (ldd).
loaded_halconv() {
    local path
    path=$(ldd "$1" | awk '$1 ~ /^libhalconv\.so/ && $2 == "=>" { print $3 }')
    [[ -n "$path" ]] && realpath "$path"
}
# Runs a downstream binary; returns 0, or records a skip (77), or fails.
run_bin() {
    local rc=0
    "$@" || rc=$?
    if ((rc == 77)); then
        skipped=1
    elif ((rc != 0)); then
        die "$* exited with status $rc"
    fi
}

step "CMake: find_package(halconv ${VERSION}) with CMAKE_PREFIX_PATH=$PREFIX"
cmake_args=(-S "$HERE" -B "$WORK/cmake-build" -G "$GENERATOR"
            -DCMAKE_BUILD_TYPE="$CONFIG" -DCMAKE_CXX_COMPILER="$CXX_COMPILER"
            -DCMAKE_PREFIX_PATH="$PREFIX" -DHALCONV_REQUIRE_VERSION="$VERSION")
[[ -n "$MAKE_PROGRAM" ]] && cmake_args+=(-DCMAKE_MAKE_PROGRAM="$MAKE_PROGRAM")
cmake "${cmake_args[@]}"
found=$(sed -n 's/^halconv_DIR:PATH=//p' "$WORK/cmake-build/CMakeCache.txt")
[[ "$(realpath "$found")" == "$(realpath "$PREFIX")"/* ]] ||
    die "find_package found halconv in '$found', not in the scratch prefix $PREFIX"
cmake --build "$WORK/cmake-build" --config "$CONFIG"
shared_exe=$(find "$WORK/cmake-build" -type f -name downstream_shared -print -quit)
static_exe=$(find "$WORK/cmake-build" -type f -name downstream_static -print -quit)

step "run downstream_shared (halconv::halconv)"
[[ "$(loaded_halconv "$shared_exe")" == "$(realpath "$LIBDIR")"/libhalconv.so* ]] ||
    { ldd "$shared_exe"; die "downstream_shared does not load the installed libhalconv.so"; }
run_bin "$shared_exe" $VERSION

step "run downstream_static (halconv::halconv_static)"
if ldd "$static_exe" | grep libhalconv; then
    ldd "$static_exe"
    die "downstream_static depends on libhalconv.so"
fi
run_bin "$static_exe" $VERSION

step "pkg-config ($PC)"
export PKG_CONFIG_PATH=$(dirname "$PC")
pc_version=$(pkg-config --modversion halconv)
echo "pkg-config --modversion halconv: $pc_version"
[[ -z "$VERSION" || "$pc_version" == "$VERSION" ]] || die "halconv.pc says version $pc_version, expected $VERSION"
pc_prefix=$(pkg-config --variable=prefix halconv)
[[ "$(realpath "$pc_prefix")" == "$(realpath "$PREFIX")" ]] ||
    die "halconv.pc's prefix resolves to $pc_prefix, not $PREFIX"
flags=$(pkg-config --cflags --libs halconv)
echo "pkg-config --cflags --libs halconv: $flags"
# shellcheck disable=SC2086  # $flags is a list of compiler arguments
"$CXX_COMPILER" -std=c++17 -O1 "$HERE/main.cpp" $flags -o "$WORK/pkgconfig_shared"
export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
[[ "$(loaded_halconv "$WORK/pkgconfig_shared")" == "$(realpath "$LIBDIR")"/libhalconv.so* ]] ||
    { ldd "$WORK/pkgconfig_shared"; die "pkgconfig_shared does not load the installed libhalconv.so"; }
run_bin "$WORK/pkgconfig_shared" $VERSION

if ((skipped)); then
    step "SKIPPED: built everything, but the CPU backend cannot run on this machine"
    exit 77
fi
step "downstream: all passed"
