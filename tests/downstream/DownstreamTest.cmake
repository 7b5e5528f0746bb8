# Registers the downstream test: install this build into a scratch prefix,
# then build and run tests/downstream/main.cpp against it with
# find_package(halconv) (shared and static) and with pkg-config (shared).
# See tests/downstream/run.sh. Include after enable_testing(), e.g. from
# tests/CMakeLists.txt:
#   include(${PROJECT_SOURCE_DIR}/tests/downstream/DownstreamTest.cmake)
find_program(HALCONV_BASH bash REQUIRED)
find_program(HALCONV_PKG_CONFIG NAMES pkg-config pkgconf)
if (NOT HALCONV_PKG_CONFIG)
    message(WARNING "pkg-config not found: the downstream test will fail (scripts/setup-deps installs it)")
endif ()

add_test(NAME downstream.install_and_use
         COMMAND "${HALCONV_BASH}" "${CMAKE_CURRENT_LIST_DIR}/run.sh"
                 --build "${PROJECT_BINARY_DIR}"
                 --work "${CMAKE_CURRENT_BINARY_DIR}/downstream"
                 --version "${PROJECT_VERSION}"
                 --generator "${CMAKE_GENERATOR}"
                 --make-program "${CMAKE_MAKE_PROGRAM}"
                 --cxx "${CMAKE_CXX_COMPILER}"
                 --config "$<CONFIG>")
set_tests_properties(downstream.install_and_use PROPERTIES
    SKIP_RETURN_CODE 77
    TIMEOUT 900
    LABELS "downstream;install")
