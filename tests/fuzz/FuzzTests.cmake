# libFuzzer targets for the PNG decoder (pngio::decode_png) and the kernel-spec
# parser (halconv_cli::parse_filter_spec), built with clang (ASan + UBSan) by
# tests/fuzz/run_fuzz.sh, independently of the main build's compiler, and run
# for HALCONV_FUZZ_SECONDS each from the seed corpora in tests/fuzz/corpus/.
# Label "fuzz" (skip with `ctest -LE fuzz`). Without clang/libFuzzer the tests
# are skipped, except under CI=true, where they fail.
# Included by tests/CMakeLists.txt.
find_program(HALCONV_BASH bash REQUIRED)
find_program(HALCONV_FUZZ_CXX NAMES clang++ clang++-14
             DOC "clang++ for the libFuzzer tests (tests/fuzz/run_fuzz.sh)")
set(HALCONV_FUZZ_SECONDS 20 CACHE STRING "Seconds each libFuzzer target runs in the fuzz tests")

foreach (target IN ITEMS png spec)
    if (target STREQUAL "png")
        set(name fuzz.png_decoder)
    else ()
        set(name fuzz.kernel_spec)
    endif ()
    add_test(NAME ${name}
             COMMAND "${HALCONV_BASH}" "${CMAKE_CURRENT_LIST_DIR}/run_fuzz.sh"
                     --target ${target}
                     --src "${PROJECT_SOURCE_DIR}"
                     --work "${CMAKE_CURRENT_BINARY_DIR}/fuzz/${target}"
                     --seconds ${HALCONV_FUZZ_SECONDS}
                     --cxx "${HALCONV_FUZZ_CXX}")
    # the build (~20 s) + the run + the sanitizers' start-up
    math(EXPR timeout "${HALCONV_FUZZ_SECONDS} + 240")
    set_tests_properties(${name} PROPERTIES
        LABELS "fuzz"
        SKIP_RETURN_CODE 77
        TIMEOUT ${timeout})
endforeach ()
