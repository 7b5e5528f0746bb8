#include "onednn_peer.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <numeric>
#include <unordered_map>

namespace bench::onednn {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine &cpu_engine() {
    static dnnl::engine e(dnnl::engine::kind::cpu, 0);
    return e;
}

dnnl::stream &cpu_stream() {
    static dnnl::stream s(cpu_engine());
    return s;
}

std::string version() {
    const dnnl_version_t *v = dnnl_version();
    std::string runtime = "unknown";
    switch (v->cpu_runtime) {
    case DNNL_RUNTIME_OMP: runtime = "OpenMP"; break;
    case DNNL_RUNTIME_TBB: runtime = "TBB"; break;
    case DNNL_RUNTIME_SEQ: runtime = "sequential"; break;
    case DNNL_RUNTIME_THREADPOOL: runtime = "threadpool"; break;
    default: break;
    }
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
           std::to_string(v->patch) + " (cpu runtime: " + runtime + ")";
}

std::string layout_name(const memory::desc &md, const char *dims) {
    const dnnl_memory_desc_t &d = md.data;
    if (dims && int(std::strlen(dims)) != d.ndims) dims = nullptr;
    auto letter = [&](int i, bool upper) {
        char c = dims ? dims[i] : char('a' + i);
        return upper ? char(std::toupper(c)) : c;
    };
    if (d.ndims == 0) return "none";
    if (d.format_kind == dnnl_format_kind_any) return "any";
    if (d.format_kind != dnnl_blocked) return "opaque";
    const auto &b = d.format_desc.blocking;
    // Outer order: dims sorted by stride, descending (ties: logical order).
    std::vector<int> order(size_t(d.ndims));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int x, int y) { return b.strides[x] > b.strides[y]; });
    std::vector<bool> blocked(size_t(d.ndims), false);
    for (int k = 0; k < b.inner_nblks; k++) blocked[size_t(b.inner_idxs[k])] = true;
    std::string s;
    for (int i : order) s += letter(i, blocked[size_t(i)]);
    for (int k = 0; k < b.inner_nblks; k++) s += std::to_string(b.inner_blks[k]) + letter(int(b.inner_idxs[k]), false);
    return s;
}

namespace {

// First touch of fresh memory happens here, never inside a timed loop.
void touch(const memory &m) {
    std::memset(m.get_data_handle(), 0, m.get_desc().get_size());
}

size_t numel(const memory::dims &d) {
    size_t n = 1;
    for (auto x : d) n *= size_t(x);
    return n;
}

std::vector<float> read_plain(const memory &m, size_t n) {
    std::vector<float> out(n);
    std::memcpy(out.data(), m.get_data_handle(), n * sizeof(float));
    return out;
}

}  // namespace

Result run_three_ways(const Problem &p, const Options &opts, const std::vector<Timed> &also) {
    Result r;
    auto &eng = cpu_engine();
    auto &s = cpu_stream();
    const bool has_w = !p.wei_dims.empty();
    const bool has_b = !p.bias_dims.empty();

    const memory::desc src_plain(p.src_dims, dt::f32, p.src_tag);
    const memory::desc dst_plain(p.dst_dims, dt::f32, p.dst_tag);
    const memory::desc wei_plain = has_w ? memory::desc(p.wei_dims, dt::f32, p.wei_tag) : memory::desc();
    const memory::desc bias_md = has_b ? memory::desc(p.bias_dims, dt::f32, tag::x) : memory::desc();
    const size_t dst_n = numel(p.dst_dims);
    // Letters for layout names: activations n,c,(d,)h,w; weights (g,)o,i,h,w.
    const char *act_dims = p.src_dims.size() == 4 ? "nchw" : p.src_dims.size() == 5 ? "ncdhw" : nullptr;
    const char *wei_dims = p.wei_dims.size() == 4 ? "oihw" : p.wei_dims.size() == 5 ? "goihw" : nullptr;

    memory src_user(src_plain, eng, const_cast<float *>(p.src));
    memory wei_user = has_w ? memory(wei_plain, eng, const_cast<float *>(p.wei)) : memory();
    memory bias_user = has_b ? memory(bias_md, eng, const_cast<float *>(p.bias)) : memory();

    std::vector<Timed> timed = also;

    // --- (a) primitive alone on its preferred layouts, (b) + NCHW reorders ---
    bool any_ok = false, src_same = true, dst_same = true;
    memory src_m, dst_m, dst_user, wei_m;
    dnnl::reorder r_in, r_out;
    dnnl::primitive prim_any;
    std::unordered_map<int, memory> args_any;
    try {
        const memory::desc src_any(p.src_dims, dt::f32, tag::any);
        const memory::desc dst_any(p.dst_dims, dt::f32, tag::any);
        const memory::desc wei_any = has_w ? memory::desc(p.wei_dims, dt::f32, tag::any) : memory::desc();
        dnnl::primitive_desc pd = p.make_pd(src_any, wei_any, bias_md, dst_any);
        const std::string impl = pd.impl_info_str();
        const memory::desc src_md = pd.src_desc(), dst_md = pd.dst_desc();
        const memory::desc wei_md = has_w ? pd.weights_desc() : memory::desc();
        src_same = src_md == src_plain;
        dst_same = dst_md == dst_plain;
        r.info["prim_impl"] = impl;
        r.info["prim_src_layout"] = layout_name(src_md, act_dims);
        if (has_w) r.info["prim_weights_layout"] = layout_name(wei_md, wei_dims);
        r.info["prim_dst_layout"] = layout_name(dst_md, act_dims);

        src_m = src_same ? src_user : memory(src_md, eng);
        dst_m = memory(dst_md, eng);
        dst_user = memory(dst_plain, eng);
        if (!src_same) touch(src_m);
        touch(dst_m);
        touch(dst_user);
        if (!src_same) {
            r_in = dnnl::reorder(src_user, src_m);
            r_in.execute(s, src_user, src_m);
        }
        if (!dst_same) r_out = dnnl::reorder(dst_m, dst_user);
        if (has_w) {
            // Weights: reordered once, outside the timed loop.
            wei_m = wei_md == wei_plain ? wei_user : memory(wei_md, eng);
            if (wei_md != wei_plain) {
                touch(wei_m);
                dnnl::reorder(wei_user, wei_m).execute(s, wei_user, wei_m);
            }
        }
        s.wait();

        args_any = {{DNNL_ARG_SRC, src_m}, {DNNL_ARG_DST, dst_m}};
        if (has_w) args_any[DNNL_ARG_WEIGHTS] = wei_m;
        if (has_b) args_any[DNNL_ARG_BIAS] = bias_user;
        // Scratchpad is library-managed (the default): allocated once, cached.
        prim_any = dnnl::primitive(pd);
        r.prim.impl = impl + " src:" + layout_name(src_md, act_dims) +
                      (has_w ? " wei:" + layout_name(wei_md, wei_dims) : "") + " dst:" + layout_name(dst_md, act_dims);
        r.reorders.impl = r.prim.impl + (src_same ? "" : " +src reorder") + (dst_same ? "" : " +dst reorder");
        any_ok = true;
    } catch (const dnnl::error &e) {
        r.prim.error = r.reorders.error = std::string("oneDNN: ") + e.what();
    }
    if (any_ok) {
        timed.push_back({&r.prim, [&] {
                             prim_any.execute(s, args_any);
                             s.wait();
                         }});
        timed.push_back({&r.reorders, [&] {
                             if (!src_same) r_in.execute(s, src_user, src_m);
                             prim_any.execute(s, args_any);
                             if (!dst_same) r_out.execute(s, dst_m, dst_user);
                             s.wait();
                         }});
    }

    // --- (c) primitive on the plain layouts -----------------------------------
    bool nchw_ok = false;
    memory dst_c;
    dnnl::primitive prim_nchw;
    std::unordered_map<int, memory> args_nchw;
    try {
        dnnl::primitive_desc pd = p.make_pd(src_plain, wei_plain, bias_md, dst_plain);
        const std::string impl = pd.impl_info_str();
        r.info["nchw_impl"] = impl;
        dst_c = memory(dst_plain, eng);
        touch(dst_c);
        args_nchw = {{DNNL_ARG_SRC, src_user}, {DNNL_ARG_DST, dst_c}};
        if (has_w) args_nchw[DNNL_ARG_WEIGHTS] = wei_user;
        if (has_b) args_nchw[DNNL_ARG_BIAS] = bias_user;
        prim_nchw = dnnl::primitive(pd);
        r.nchw.impl = impl;
        nchw_ok = true;
    } catch (const dnnl::error &e) {
        r.nchw.error = std::string("oneDNN: ") + e.what();
    }
    if (nchw_ok) {
        timed.push_back({&r.nchw, [&] {
                             prim_nchw.execute(s, args_nchw);
                             s.wait();
                         }});
    }

    time_interleaved(timed, opts);

    std::vector<float> reorders_out;
    if (any_ok && r.reorders.error.empty()) reorders_out = read_plain(dst_same ? dst_m : dst_user, dst_n);
    if (nchw_ok && r.nchw.error.empty()) {
        r.dst_plain = read_plain(dst_c, dst_n);
        r.dst_plain_from = kNchw;
    }
    if (r.dst_plain.empty() && !reorders_out.empty()) {
        r.dst_plain = std::move(reorders_out);
        r.dst_plain_from = kReorders;
    } else if (!reorders_out.empty()) {
        r.variants_rel_err = max_rel_err(reorders_out.data(), r.dst_plain.data(), dst_n);
    }
    return r;
}

}  // namespace bench::onednn
