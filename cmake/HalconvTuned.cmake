# Shipping the winners of `halconv tune`: bakes the tuned schedules that beat
# the hand schedule into the library as extra pipelines, dispatched at run
# time by shape class (runtime/tuned.h, runtime/shape_class.h).
#
#   HALCONV_TUNED_RECORDS (FILEPATH, default tune/records/winners.jsonl; empty
#   = bake nothing): a records file of `halconv tune` (JSON Lines, one trial
#   per line, format in tune/records.h). A relative path given as
#   -DHALCONV_TUNED_RECORDS=... is made absolute from the current directory
#   (CMake's rule for FILEPATH entries); any other relative value is taken
#   relative to the source tree. A missing file is an error. The build
#   re-configures when the file changes.
#
# Rule, per (op, shape_class, target, CPU variant) over the records with
# status "ok" and kind "hand" or "tuned": the winner is the record with the
# lowest median_ms (a hand record wins ties). The CPU variant is the first of
# HALCONV_CPU_TARGETS whose features the record's "halide_target" (where the
# tuner ran) all has: the variant the library's own multi-target dispatch
# runs on that machine. A CPU winner with a "halide_target" is compiled for
# that one target and dispatched only on CPUs where the library picks that
# same variant (winners tuned on an AVX2 machine do not drive the AVX-512
# code, and the other way round); records without one, and GPU records,
# apply to every CPU variant. Nothing is baked when the winner is a hand record
# or when its params equal those of the fastest hand record of the key.
# Otherwise the winner becomes the pipeline
#   halconv_add_pipeline(<op>_tuned_<n> FROM <exe> GENERATOR <op>
#                        PARAMS <k=v ...> FEATURES <f ...> VARIANTS <target>
#                        [CPU_TARGETS <the winner's CPU variant>])
# with the generator executable and target features of the op's own pipeline
# (the table below; it must follow the top-level CMakeLists.txt). Winners of
# one op, target and CPU variant with the same params share one pipeline.
# The generated ${CMAKE_BINARY_DIR}/halconv_tuned_variants.inc lists every
# baked variant for runtime/tuned.cpp: it includes each pipeline's header
# and expands
#   HALCONV_TUNED_VARIANTS(X) -> X(op, shape_class, Device enumerator,
#                                  function, params text, CPU variant) ...
# (CPU variant: an index into HALCONV_CPU_TARGETS, -1 = every one), and
#   HALCONV_CPU_TARGET_TABLE -> {"target", {halide_target_feature_..., ...}}, ...
# the library's CPU targets and their features, for the run-time check.
#
# Included from the top-level CMakeLists.txt after the last
# halconv_add_pipeline() and before add_subdirectory(runtime).

set(HALCONV_TUNED_RECORDS "${PROJECT_SOURCE_DIR}/tune/records/winners.jsonl"
    CACHE FILEPATH "Records file of `halconv tune` (JSON Lines) whose winners are baked into the library as tuned pipelines, dispatched by shape class; empty = none")

# --- op -> generator executable and target features ----------------------------
# Only the pipelines whose call sites dispatch through detail::tuned_or()
# (runtime/*.cpp); the FROM and FEATURES of each must match its
# halconv_add_pipeline() call in the top-level CMakeLists.txt.
set(_halconv_tuned_ops "")
function(_halconv_tuned_op FROM FEATURES)
    foreach (op IN LISTS ARGN)
        set(_halconv_tuned_from_${op} "${FROM}" PARENT_SCOPE)
        set(_halconv_tuned_features_${op} "${FEATURES}" PARENT_SCOPE)
    endforeach ()
    set(_halconv_tuned_ops ${_halconv_tuned_ops} ${ARGN} PARENT_SCOPE)
endfunction()
_halconv_tuned_op(halconv_generators "" conv2d conv_transpose2d avg_pool2d)
# Max pooling must see NaNs: strict_float, like its own pipelines.
_halconv_tuned_op(halconv_generators "strict_float" max_pool2d max_pool2d_with_indices)
_halconv_tuned_op(halconv_generators ""
    filter_separable_integer_u8 filter_separable_integer_u16
    filter_separable_float_u8 filter_separable_float_u16 filter_separable_float_f32
    filter_direct_u8 filter_direct_u16 filter_direct_f32
    gradient_magnitude_u8 gradient_magnitude_u16 gradient_magnitude_f32)
# The backward passes: the default (deterministic) accumulation; the CUDA
# atomic variants are never replaced.
_halconv_tuned_op(halconv_sampling_generators ""
    points_collection points_collection_backward flow_warp flow_warp_backward)
_halconv_tuned_op(halconv_deform_generators "" deform_conv2d deform_conv2d_backward)

# A C string literal of `text`.
function(_halconv_tuned_c_string OUT text)
    string(REPLACE "\\" "\\\\" text "${text}")
    string(REPLACE "\"" "\\\"" text "${text}")
    set(${OUT} "\"${text}\"" PARENT_SCOPE)
endfunction()

# The index in HALCONV_CPU_TARGETS of the variant that a machine whose Halide
# host target is `halide_target` runs (the first whose parts it all has:
# arch, bits, OS and features), or "" when none.
function(_halconv_tuned_cpu_variant OUT halide_target)
    string(REPLACE "-" ";" have "${halide_target}")
    set(index 0)
    foreach (candidate IN LISTS HALCONV_CPU_TARGETS)
        string(REPLACE "-" ";" needs "${candidate}")
        set(runs TRUE)
        foreach (part IN LISTS needs)
            if (NOT part IN_LIST have)
                set(runs FALSE)
                break ()
            endif ()
        endforeach ()
        if (runs)
            set(${OUT} ${index} PARENT_SCOPE)
            return ()
        endif ()
        math(EXPR index "${index} + 1")
    endforeach ()
    set(${OUT} "" PARENT_SCOPE)
endfunction()

# HALCONV_CPU_TARGET_TABLE's rows: each target and its features as
# halide_target_feature_t enumerators (the parts after arch-bits-os), ended
# by halide_target_feature_end.
function(_halconv_tuned_cpu_table OUT)
    set(rows "")
    foreach (candidate IN LISTS HALCONV_CPU_TARGETS)
        string(REPLACE "-" ";" parts "${candidate}")
        list(SUBLIST parts 3 -1 features)
        list(APPEND features end)
        list(TRANSFORM features PREPEND "halide_target_feature_")
        list(JOIN features ", " features_text)
        string(APPEND rows "    {\"${candidate}\", {${features_text}}}, \\\n")
    endforeach ()
    set(${OUT} "${rows}" PARENT_SCOPE)
endfunction()

function(_halconv_tuned_bake)
    set(inc "${CMAKE_BINARY_DIR}/halconv_tuned_variants.inc")
    set(HALCONV_TUNED_INC_DIR "${CMAKE_BINARY_DIR}" CACHE INTERNAL "")
    set(records "${HALCONV_TUNED_RECORDS}")
    set(includes "")
    set(entries "")
    set(summary "")
    set(count 0)
    if (NOT records STREQUAL "")
        if (NOT IS_ABSOLUTE "${records}")
            get_filename_component(records "${records}" ABSOLUTE BASE_DIR "${PROJECT_SOURCE_DIR}")
        endif ()
        if (NOT EXISTS "${records}")
            message(FATAL_ERROR "HALCONV_TUNED_RECORDS: ${records} does not exist "
                                "(set it to a records file of `halconv tune`, or to \"\" to bake no tuned schedules)")
        endif ()
        set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${records}")

        # Lines without list splitting surprises: ';', '[' and ']' are
        # encoded before the split and restored per line.
        file(READ "${records}" text)
        string(REPLACE "\r" "" text "${text}")
        string(REPLACE ";" "@HALCONV_SEMI@" text "${text}")
        string(REPLACE "[" "@HALCONV_LB@" text "${text}")
        string(REPLACE "]" "@HALCONV_RB@" text "${text}")
        set(complete_last TRUE)
        if (NOT text MATCHES "\n$")
            set(complete_last FALSE)
        endif ()
        string(REPLACE "\n" ";" lines "${text}")
        list(LENGTH lines nlines)
        set(keys "")
        set(lineno 0)
        foreach (line IN LISTS lines)
            math(EXPR lineno "${lineno} + 1")
            if (line STREQUAL "")
                continue ()
            endif ()
            # Only ok records matter: skip the rest without parsing them.
            if (NOT line MATCHES "\"status\"[ \t]*:[ \t]*\"ok\"")
                continue ()
            endif ()
            string(REPLACE "@HALCONV_SEMI@" ";" line "${line}")
            string(REPLACE "@HALCONV_LB@" "[" line "${line}")
            string(REPLACE "@HALCONV_RB@" "]" line "${line}")
            string(JSON status ERROR_VARIABLE err GET "${line}" status)
            if (err)
                if (lineno EQUAL nlines AND NOT complete_last)
                    message(WARNING "HALCONV_TUNED_RECORDS: ${records}:${lineno}: incomplete last line ignored")
                else ()
                    message(WARNING "HALCONV_TUNED_RECORDS: ${records}:${lineno}: not a JSON record (${err}); ignored")
                endif ()
                continue ()
            endif ()
            string(JSON kind ERROR_VARIABLE err GET "${line}" kind)
            if (NOT status STREQUAL "ok" OR NOT (kind STREQUAL "hand" OR kind STREQUAL "tuned"))
                continue ()
            endif ()
            set(fields "")
            foreach (field IN ITEMS op shape_class target median_ms)
                string(JSON ${field} ERROR_VARIABLE err GET "${line}" ${field})
                if (err OR "${${field}}" STREQUAL "")
                    message(WARNING "HALCONV_TUNED_RECORDS: ${records}:${lineno}: no \"${field}\"; record ignored")
                    break ()
                endif ()
                list(APPEND fields ${field})
            endforeach ()
            list(LENGTH fields nfields)
            if (NOT nfields EQUAL 4)
                continue ()
            endif ()
            if (NOT target MATCHES "^(cpu|cuda|opencl)$")
                message(WARNING "HALCONV_TUNED_RECORDS: ${records}:${lineno}: unknown target \"${target}\"; record ignored")
                continue ()
            endif ()
            # params -> sorted "k=v" (the canonical text of tune/space.h's
            # params_key, and the generator's PARAMS).
            # (The object is read from its own text: string(JSON) parses
            # its whole argument on every call.)
            set(params "")
            string(JSON ptype ERROR_VARIABLE err TYPE "${line}" params)
            if (NOT err AND ptype STREQUAL "OBJECT")
                string(JSON pobj GET "${line}" params)
                string(JSON plen LENGTH "${pobj}")
                if (plen GREATER 0)
                    math(EXPR plast "${plen} - 1")
                    foreach (i RANGE ${plast})
                        string(JSON name MEMBER "${pobj}" ${i})
                        string(JSON vtype TYPE "${pobj}" ${name})
                        string(JSON value GET "${pobj}" ${name})
                        if (vtype STREQUAL "BOOLEAN")
                            if (value)
                                set(value true)
                            else ()
                                set(value false)
                            endif ()
                        endif ()
                        list(APPEND params "${name}=${value}")
                    endforeach ()
                endif ()
            elseif (NOT err AND NOT ptype STREQUAL "NULL")
                message(WARNING "HALCONV_TUNED_RECORDS: ${records}:${lineno}: \"params\" is not an object; record ignored")
                continue ()
            endif ()
            list(SORT params)
            list(JOIN params "," params_text)

            # The CPU variant it was tuned on (-1: every variant).
            set(cpu_variant -1)
            if (target STREQUAL "cpu")
                string(JSON halide_target ERROR_VARIABLE err GET "${line}" halide_target)
                if (NOT err AND NOT halide_target STREQUAL "")
                    _halconv_tuned_cpu_variant(cpu_variant "${halide_target}")
                    if (cpu_variant STREQUAL "")
                        message(WARNING "HALCONV_TUNED_RECORDS: ${records}:${lineno}: halide_target "
                                        "\"${halide_target}\" runs none of HALCONV_CPU_TARGETS "
                                        "(${HALCONV_CPU_TARGETS}); record ignored")
                        continue ()
                    endif ()
                endif ()
            endif ()

            string(MD5 id "${op}|${shape_class}|${target}|${cpu_variant}")
            if (NOT DEFINED best_ms_${id})
                list(APPEND keys ${id})
                set(key_op_${id} "${op}")
                set(key_class_${id} "${shape_class}")
                set(key_target_${id} "${target}")
                set(key_cpu_variant_${id} ${cpu_variant})
            endif ()
            # Strictly faster wins: the first record keeps ties, and a hand
            # record wins a tie with a tuned one.
            if (NOT DEFINED best_ms_${id} OR median_ms LESS best_ms_${id}
                OR (median_ms EQUAL best_ms_${id} AND kind STREQUAL "hand" AND NOT best_kind_${id} STREQUAL "hand"))
                set(best_ms_${id} "${median_ms}")
                set(best_kind_${id} "${kind}")
                set(best_params_${id} "${params_text}")
                set(best_line_${id} ${lineno})
            endif ()
            if (kind STREQUAL "hand" AND (NOT DEFINED hand_ms_${id} OR median_ms LESS hand_ms_${id}))
                set(hand_ms_${id} "${median_ms}")
                set(hand_params_${id} "${params_text}")
            endif ()
        endforeach ()

        set(pipelines "")
        foreach (id IN LISTS keys)
            set(op "${key_op_${id}}")
            set(shape_class "${key_class_${id}}")
            set(target "${key_target_${id}}")
            set(cpu_variant ${key_cpu_variant_${id}})
            set(params_text "${best_params_${id}}")
            if (best_kind_${id} STREQUAL "hand")
                continue ()
            endif ()
            if (DEFINED hand_ms_${id} AND params_text STREQUAL hand_params_${id})
                continue ()
            endif ()
            if (NOT DEFINED _halconv_tuned_from_${op})
                message(WARNING "HALCONV_TUNED_RECORDS: ${records}:${best_line_${id}}: op \"${op}\" has no tuned "
                                "dispatch (cmake/HalconvTuned.cmake knows: ${_halconv_tuned_ops}); winner skipped")
                continue ()
            endif ()
            # One pipeline per (op, target, CPU variant, params).
            string(MD5 pid "${op}|${target}|${cpu_variant}|${params_text}")
            if (NOT DEFINED pipe_name_${pid})
                if (NOT DEFINED next_${op})
                    set(next_${op} 1)
                endif ()
                set(name "${op}_tuned_${next_${op}}")
                math(EXPR next_${op} "${next_${op}} + 1")
                set(pipe_name_${pid} "${name}")
                string(REPLACE "," ";" plist "${params_text}")
                set(features_arg "")
                if (NOT _halconv_tuned_features_${op} STREQUAL "")
                    set(features_arg FEATURES ${_halconv_tuned_features_${op}})
                endif ()
                set(params_arg "")
                if (NOT params_text STREQUAL "")
                    set(params_arg PARAMS ${plist})
                endif ()
                set(cpu_targets_arg "")
                if (cpu_variant GREATER_EQUAL 0)
                    list(GET HALCONV_CPU_TARGETS ${cpu_variant} cpu_target)
                    set(cpu_targets_arg CPU_TARGETS ${cpu_target})
                endif ()
                halconv_add_pipeline(${name} FROM ${_halconv_tuned_from_${op}} GENERATOR ${op}
                                     ${params_arg} ${features_arg} VARIANTS ${target} ${cpu_targets_arg})
                string(APPEND includes "#include \"${name}_${target}.h\"\n")
                list(APPEND pipelines "${name}_${target}")
            endif ()
            set(name "${pipe_name_${pid}}")
            if (target STREQUAL "cpu")
                set(device CPU)
            elseif (target STREQUAL "cuda")
                set(device CUDA)
            else ()
                set(device OpenCL)
            endif ()
            _halconv_tuned_c_string(c_op "${op}")
            _halconv_tuned_c_string(c_class "${shape_class}")
            _halconv_tuned_c_string(c_params "${params_text}")
            string(APPEND entries "    X(${c_op}, ${c_class}, ${device}, halconv_${name}_${target}, ${c_params}, ${cpu_variant}) \\\n")
            set(shown_params "${params_text}")
            if (shown_params STREQUAL "")
                set(shown_params "generator defaults")
            endif ()
            set(shown_target "${target}")
            if (cpu_variant GREATER_EQUAL 0)
                list(GET HALCONV_CPU_TARGETS ${cpu_variant} shown_target)
            endif ()
            string(APPEND summary "\n    ${shape_class} [${shown_target}] -> halconv_${name}_${target} (${shown_params}; "
                                  "${best_ms_${id}} ms")
            if (DEFINED hand_ms_${id})
                string(APPEND summary " vs hand ${hand_ms_${id}} ms)")
            else ()
                string(APPEND summary ", no hand record)")
            endif ()
            math(EXPR count "${count} + 1")
        endforeach ()
        if (count EQUAL 0)
            message(STATUS "halconv: tuned schedules: none baked from ${records} (no tuned winner beats the hand schedule)")
        else ()
            list(LENGTH pipelines npipelines)
            message(STATUS "halconv: tuned schedules: ${count} variant(s) in ${npipelines} pipeline(s) baked from ${records}:${summary}")
        endif ()
    else ()
        message(STATUS "halconv: tuned schedules: none (HALCONV_TUNED_RECORDS is empty)")
    endif ()
    set(HALCONV_TUNED_VARIANT_COUNT ${count} CACHE INTERNAL "Tuned variants baked into the library")
    if (records STREQUAL "${PROJECT_SOURCE_DIR}/tune/records/winners.jsonl")
        set(HALCONV_TUNED_RECORDS_IS_DEFAULT ON CACHE INTERNAL "")
    else ()
        set(HALCONV_TUNED_RECORDS_IS_DEFAULT OFF CACHE INTERNAL "")
    endif ()
    _halconv_tuned_cpu_table(cpu_table)
    file(CONFIGURE OUTPUT "${inc}" CONTENT
"// Generated by cmake/HalconvTuned.cmake from HALCONV_TUNED_RECORDS = ${records}
// (the tuned variants baked into this build; do not edit).
#pragma once
${includes}
#define HALCONV_TUNED_VARIANT_COUNT ${count}
// X(op, shape_class, halconv::Device enumerator, function, params text,
//   CPU variant: index in HALCONV_CPU_TARGET_TABLE, -1 = every one)
#define HALCONV_TUNED_VARIANTS(X) \\
${entries}
// The library's CPU targets (HALCONV_CPU_TARGETS), most specific first.
#define HALCONV_CPU_TARGET_TABLE \\
${cpu_table}
" @ONLY)
endfunction()

_halconv_tuned_bake()
