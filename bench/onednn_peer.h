// oneDNN as the peer, measured three ways for any forward primitive with
// src, optional weights, optional bias and dst:
//   prim      the primitive alone on the layouts it picks (format_tag::any);
//             weights reordered once, outside the timed loop;
//   reorders  the same plus the plain->chosen src reorder and chosen->plain
//             dst reorder inside the loop (what a PyTorch/NCHW user pays);
//   nchw      the primitive created on the plain layouts (nchw / oihw ...).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "bench.h"

namespace bench::onednn {

// Column keys produced by run_three_ways().
inline const char *kPrim = "onednn_prim";
inline const char *kReorders = "onednn_reorders";
inline const char *kNchw = "onednn_nchw";

dnnl::engine &cpu_engine();
dnnl::stream &cpu_stream();
std::string version();  // "2.6.3 (cpu runtime: OpenMP)"

// A oneDNN-style name of a memory layout, in letters of `dims` when given
// (one letter per logical dimension, e.g. "nchw" or "oihw"): "nchw", "nhwc",
// "nChw8c", "OIhw8i8o"; else in abc letters: "abcd", "acdb", "aBcd8b".
std::string layout_name(const dnnl::memory::desc &md, const char *dims = nullptr);

struct Problem {
    // Plain user data, described by dims + plain tag. wei/bias may be absent
    // (empty dims). Pointers must stay valid during run_three_ways().
    dnnl::memory::dims src_dims, wei_dims, bias_dims, dst_dims;
    dnnl::memory::format_tag src_tag = dnnl::memory::format_tag::nchw;
    dnnl::memory::format_tag wei_tag = dnnl::memory::format_tag::oihw;
    dnnl::memory::format_tag dst_tag = dnnl::memory::format_tag::nchw;
    const float *src = nullptr;
    const float *wei = nullptr;
    const float *bias = nullptr;
    // Creates the primitive descriptor from the four memory descriptors
    // (wei/bias are zero descs when absent; src/wei/dst are format_tag::any in
    // the "prim" variants and the plain tags in the "nchw" variant).
    std::function<dnnl::primitive_desc(const dnnl::memory::desc &src, const dnnl::memory::desc &wei,
                                       const dnnl::memory::desc &bias, const dnnl::memory::desc &dst)>
        make_pd;
};

struct Result {
    Measurement prim{kPrim}, reorders{kReorders}, nchw{kNchw};
    // Plain-layout output: from the nchw variant, or from the reorders variant
    // when oneDNN has no implementation for the plain layouts.
    std::vector<float> dst_plain;
    std::string dst_plain_from;  // key of the variant that produced dst_plain
    // Output of the reorders variant vs dst_plain (both variants agree?).
    double variants_rel_err = kNaN;
    json::Value info = json::Value::object();  // chosen layouts, impl names
};

// Times the three variants, interleaved (time_interleaved) with `also`: pass
// halconv's call there so that it and its peers share the machine's moods.
// dnnl errors at primitive creation become Measurement::error.
Result run_three_ways(const Problem &p, const Options &opts, const std::vector<Timed> &also = {});

}  // namespace bench::onednn
