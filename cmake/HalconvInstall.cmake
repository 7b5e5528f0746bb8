# Installation of the halconv library:
#   <prefix>/include/halconv/*.h
#   <prefix>/<libdir>/libhalconv.so* (halconv::halconv) and libhalconv.a
#       (halconv::halconv_static); both hold every AOT pipeline and the single
#       Halide runtime, so consumers need only Threads and libdl besides them.
#   <prefix>/<libdir>/cmake/halconv/  find_package(halconv CONFIG) package
#   <prefix>/<libdir>/pkgconfig/halconv.pc
#
# Included from the top-level CMakeLists.txt after add_subdirectory(runtime).
include(CMakePackageConfigHelpers)

set(HALCONV_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/halconv"
    CACHE STRING "Where to install halconv's CMake package files (relative to the prefix)")

# In the build tree the shared library's alias is halconv::halconv; give the
# installed target the same name (the static one is halconv::halconv_static
# in both).
set_target_properties(halconv_shared PROPERTIES EXPORT_NAME halconv)
# The public header needs C++17 (std::is_same_v, std::enable_if_t); tell
# consumers through the imported targets.
target_compile_features(halconv_shared INTERFACE cxx_std_17)
target_compile_features(halconv_static INTERFACE cxx_std_17)

install(TARGETS halconv_shared halconv_static
        EXPORT halconvTargets
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/halconv"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h")

# --- CMake package ------------------------------------------------------------
install(EXPORT halconvTargets
        NAMESPACE halconv::
        FILE halconvTargets.cmake
        DESTINATION "${HALCONV_INSTALL_CMAKEDIR}")

configure_package_config_file(
    "${CMAKE_CURRENT_LIST_DIR}/halconvConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/halconvConfig.cmake"
    INSTALL_DESTINATION "${HALCONV_INSTALL_CMAKEDIR}")
# 0.x: a new minor version may change the API.
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/halconvConfigVersion.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY SameMinorVersion)
install(FILES
            "${PROJECT_BINARY_DIR}/halconvConfig.cmake"
            "${PROJECT_BINARY_DIR}/halconvConfigVersion.cmake"
        DESTINATION "${HALCONV_INSTALL_CMAKEDIR}")

# --- pkg-config -----------------------------------------------------------------
# Relocatable: prefix is computed from the .pc file's own location, so the
# file stays right with `cmake --install --prefix <elsewhere>` and DESTDIR.
if (IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(HALCONV_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
    set(HALCONV_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else ()
    file(RELATIVE_PATH _halconv_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
    string(REGEX REPLACE "/+$" "" _halconv_up "${_halconv_up}")
    set(HALCONV_PC_PREFIX "\${pcfiledir}/${_halconv_up}")
    set(HALCONV_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif ()
if (IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(HALCONV_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else ()
    set(HALCONV_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif ()
configure_file("${CMAKE_CURRENT_LIST_DIR}/halconv.pc.in" "${PROJECT_BINARY_DIR}/halconv.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/halconv.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
