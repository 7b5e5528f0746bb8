# One call adds an operator's CPU, CUDA and OpenCL pipelines.
#
# Every pipeline is built with `no_runtime` and points at the single shared
# runtime `halconv.runtime`, whose target is the union of all their features
# (host + cuda + opencl), so one library holds all variants without duplicate
# runtimes.

# CPU: most specific first; the last one is the unconditional fallback. The
# public API refuses CPUs without AVX2/FMA with a clear error before dispatch.
set(HALCONV_CPU_TARGETS
    "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41"
    "x86-64-linux-avx-avx2-f16c-fma-sse41"
    CACHE STRING "Halide targets of the CPU pipelines (most specific first)")
# Hopper is not named by Halide 14: compile PTX for sm_80, the driver JITs it.
set(HALCONV_CUDA_TARGET "x86-64-linux-avx-avx2-f16c-fma-sse41-cuda-cuda_capability_80"
    CACHE STRING "Halide target of the CUDA pipelines")
set(HALCONV_OPENCL_TARGET "x86-64-linux-avx-avx2-f16c-fma-sse41-opencl"
    CACHE STRING "Halide target of the OpenCL pipelines")

set(HALCONV_PIPELINE_OBJECTS "" CACHE INTERNAL "")
set(HALCONV_PIPELINE_LIBS "" CACHE INTERNAL "")
set(HALCONV_PIPELINE_HEADER_DIR "${CMAKE_CURRENT_BINARY_DIR}" CACHE INTERNAL "")

function(_halconv_collect_objects LIB)
    get_target_property(srcs ${LIB} SOURCES)
    foreach (s IN LISTS srcs)
        set(abs "${CMAKE_CURRENT_BINARY_DIR}/${s}")
        set_source_files_properties("${abs}" PROPERTIES GENERATED TRUE EXTERNAL_OBJECT TRUE)
        set(HALCONV_PIPELINE_OBJECTS "${HALCONV_PIPELINE_OBJECTS};${abs}" CACHE INTERNAL "")
    endforeach ()
    set(HALCONV_PIPELINE_LIBS "${HALCONV_PIPELINE_LIBS};${LIB}" CACHE INTERNAL "")
endfunction()

function(halconv_add_runtime)
    # Halide 14 has no public add_halide_runtime; its internal helper makes the
    # runtime object, and each add_halide_library(... USE_RUNTIME) adds its
    # target to the runtime's list.
    # The helper reads the enclosing ${TARGET}: the runtime is "halconv.runtime".
    set(TARGET halconv)
    _Halide_add_halide_runtime(halconv.runtime FROM halconv_generators
                               TARGETS ${HALCONV_CUDA_TARGET} ${HALCONV_OPENCL_TARGET})
    _halconv_collect_objects(halconv.runtime)
endfunction()

# halconv_add_pipeline(NAME [FROM exe] [GENERATOR gen] [PARAMS k=v ...]
#                      [FEATURES f ...] [VARIANTS cpu cuda opencl]
#                      [CPU_TARGETS t ...])
#   -> static pipeline libraries NAME_cpu, NAME_cuda, NAME_opencl with C
#      functions halconv_NAME_cpu / _cuda / _opencl and headers NAME_*.h.
#   FROM: the generator executable (default halconv_generators; an operator
#   family with its own executable only regenerates its own pipelines when
#   its generator changes). FEATURES are Halide target features added to
#   every target (e.g. strict_float for pipelines that must see NaNs).
#   VARIANTS: a subset, for pipelines that only exist for some devices.
#   CPU_TARGETS: instead of HALCONV_CPU_TARGETS (a tuned variant built for
#   one of them alone; its caller must check that the CPU can run it).
function(halconv_add_pipeline NAME)
    cmake_parse_arguments(ARG "" "GENERATOR;FROM" "PARAMS;FEATURES;VARIANTS;CPU_TARGETS" ${ARGN})
    if (NOT ARG_CPU_TARGETS)
        set(ARG_CPU_TARGETS ${HALCONV_CPU_TARGETS})
    endif ()
    if (NOT ARG_GENERATOR)
        set(ARG_GENERATOR ${NAME})
    endif ()
    if (NOT ARG_FROM)
        set(ARG_FROM halconv_generators)
    endif ()
    if (NOT ARG_VARIANTS)
        set(ARG_VARIANTS cpu cuda opencl)
    endif ()
    foreach (variant IN LISTS ARG_VARIANTS)
        if (variant STREQUAL "cpu")
            set(targets ${ARG_CPU_TARGETS})
        elseif (variant STREQUAL "cuda")
            set(targets ${HALCONV_CUDA_TARGET})
        else ()
            set(targets ${HALCONV_OPENCL_TARGET})
        endif ()
        foreach (feature IN LISTS ARG_FEATURES)
            list(TRANSFORM targets APPEND "-${feature}")
        endforeach ()
        add_halide_library(${NAME}_${variant}
            FROM ${ARG_FROM}
            GENERATOR ${ARG_GENERATOR}
            FUNCTION_NAME halconv_${NAME}_${variant}
            TARGETS ${targets}
            USE_RUNTIME halconv.runtime
            PARAMS ${ARG_PARAMS})
        _halconv_collect_objects(${NAME}_${variant})
    endforeach ()
endfunction()
