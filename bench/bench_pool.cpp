// pool2d: halconv's max_pool2d (with and without int64 indices) and
// avg_pool2d (NCHW in/out, as a PyTorch user has it) against oneDNN's
// pooling_forward on plain nchw and on its own blocked layouts nChw8c (the
// AVX2 block) and nChw16c (the AVX-512 block), the data already in that
// layout (reorders outside the timed loop). Writes bench/results/pool.*.
//
// Pooling is memory-bound: the report shows GB/s (minimum traffic: input read
// once, outputs written once) and % of the measured copy bandwidth instead of
// GFLOP/s. "max_with_indices": halconv writes PyTorch's int64 flat indices
// h*W + w; oneDNN (prop_kind::forward_training) writes its workspace, a
// 1-byte in-window offset kh*S + kw per output, so halconv moves more bytes.
#include <halconv/halconv.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "bench.h"
#include "onednn_peer.h"

namespace bench {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

// Column keys.
constexpr const char *kNchw = "onednn_nchw";  // == onednn::kNchw, the conv column
constexpr const char *kBlocked8 = "onednn_nChw8c";
constexpr const char *kBlocked16 = "onednn_nChw16c";
constexpr const char *kBestBlocked = "onednn_best_blocked";  // ratio column only

enum class Kind { Max, MaxWithIndices, Avg };

// suite.json allows "stride": 2 or "stride": [2, 1] (h, w).
std::array<int, 2> pair_param(const json::Value &e, const char *key, std::array<int, 2> def) {
    if (!e.contains(key)) return def;
    const json::Value &v = e.at(key);
    if (v.is_array()) return {int(v[0].integer()), int(v[1].integer())};
    return {int(v.integer()), int(v.integer())};
}

struct PoolParams {
    std::string id, kind_name;
    Kind kind = Kind::Max;
    int64_t N, C, H, W, R, S;
    std::array<int, 2> stride, pad;
    int64_t OH, OW;

    bool is_max() const { return kind != Kind::Avg; }
    bool with_indices() const { return kind == Kind::MaxWithIndices; }

    static PoolParams from_json(const json::Value &e) {
        PoolParams p;
        p.id = e.at("id").str();
        p.kind_name = e.get_string("kind", "max");
        if (p.kind_name == "max") p.kind = Kind::Max;
        else if (p.kind_name == "max_with_indices") p.kind = Kind::MaxWithIndices;
        else if (p.kind_name == "avg") p.kind = Kind::Avg;
        else throw std::runtime_error("pool2d/" + p.id + ": unknown kind '" + p.kind_name + "'");
        p.N = e.at("N").integer();
        p.C = e.at("C").integer();
        p.H = e.at("H").integer();
        p.W = e.at("W").integer();
        p.R = e.at("R").integer();
        p.S = e.at("S").integer();
        // PyTorch: stride defaults to the kernel size.
        p.stride = pair_param(e, "stride", {int(p.R), int(p.S)});
        p.pad = pair_param(e, "pad", {0, 0});
        // PyTorch's floor-mode rule (ceil_mode = False, dilation 1).
        p.OH = (p.H + 2 * p.pad[0] - (p.R - 1) - 1) / p.stride[0] + 1;
        p.OW = (p.W + 2 * p.pad[1] - (p.S - 1) - 1) / p.stride[1] + 1;
        return p;
    }

    size_t in_n() const { return size_t(N * C * H * W); }
    size_t out_n() const { return size_t(N * C * OH * OW); }

    std::string shape() const {
        auto hw = [](const std::array<int, 2> &v) {
            return v[0] == v[1] ? std::to_string(v[0]) : std::to_string(v[0]) + "x" + std::to_string(v[1]);
        };
        const char *what = kind == Kind::Avg ? "avg" : kind == Kind::Max ? "max" : "max+int64 indices";
        char buf[240];
        std::snprintf(buf, sizeof buf, "N%lld C%lld %lldx%lld -> %lldx%lld, %s %lldx%lld s%s p%s", (long long)N,
                      (long long)C, (long long)H, (long long)W, (long long)OH, (long long)OW, what, (long long)R,
                      (long long)S, hw(stride).c_str(), hw(pad).c_str());
        return buf;
    }

    // Naive reference over the whole output, double precision. max: the first
    // maximum in window scan order (rows, then columns) and its flat index
    // ih*W + iw, as PyTorch; avg: PyTorch's count_include_pad=True divisor
    // (the window clipped to the padded input).
    void reference(const std::vector<float> &x, std::vector<double> &val, std::vector<int64_t> &idx) const {
        val.assign(out_n(), 0.0);
        idx.assign(is_max() ? out_n() : 0, -1);
        size_t o = 0;
        for (int64_t nc = 0; nc < N * C; nc++) {
            const float *plane = x.data() + size_t(nc * H * W);
            for (int64_t oh = 0; oh < OH; oh++) {
                for (int64_t ow = 0; ow < OW; ow++, o++) {
                    const int64_t h0 = oh * stride[0] - pad[0], w0 = ow * stride[1] - pad[1];
                    if (is_max()) {
                        double best = -std::numeric_limits<double>::infinity();
                        int64_t at = -1;
                        for (int64_t r = 0; r < R; r++) {
                            const int64_t ih = h0 + r;
                            if (ih < 0 || ih >= H) continue;
                            for (int64_t s = 0; s < S; s++) {
                                const int64_t iw = w0 + s;
                                if (iw < 0 || iw >= W) continue;
                                const double v = plane[ih * W + iw];
                                if (at < 0 || v > best) {
                                    best = v;
                                    at = ih * W + iw;
                                }
                            }
                        }
                        val[o] = best;
                        idx[o] = at;
                    } else {
                        const int64_t h1 = std::min(h0 + R, H + pad[0]), w1 = std::min(w0 + S, W + pad[1]);
                        const double divisor = double((h1 - h0) * (w1 - w0));
                        double sum = 0;
                        for (int64_t ih = std::max<int64_t>(h0, 0); ih < std::min(h1, H); ih++)
                            for (int64_t iw = std::max<int64_t>(w0, 0); iw < std::min(w1, W); iw++)
                                sum += plane[ih * W + iw];
                        val[o] = sum / divisor;
                    }
                }
            }
        }
    }
};

// Distinct values (no ties: max-pool indices are unambiguous): a deterministic
// permutation of k * 2^-e, |k| < n/2 <= 2^23, all exact in float32.
void fill_distinct(std::vector<float> &v, uint64_t seed) {
    const size_t n = v.size();
    if (n >= (size_t(1) << 24)) throw std::runtime_error("input too large for distinct float32 values");
    size_t pow2 = 1;
    while (pow2 < n) pow2 <<= 1;
    const float scale = 2.0f / float(pow2);  // values in [-1, 1)
    std::vector<int32_t> k(n);
    for (size_t i = 0; i < n; i++) k[i] = int32_t(i) - int32_t(n / 2);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    for (size_t i = n - 1; i > 0; i--) {  // Fisher-Yates, xorshift64*
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        const uint64_t r = s * 0x2545F4914F6CDD1Dull;
        std::swap(k[i], k[size_t(r % (i + 1))]);
    }
    for (size_t i = 0; i < n; i++) v[i] = float(k[i]) * scale;
}

void touch(const memory &m) { std::memset(m.get_data_handle(), 0, m.get_desc().get_size()); }

const char *dt_name(dt t) {
    switch (t) {
    case dt::u8: return "u8";
    case dt::s8: return "s8";
    case dt::s32: return "s32";
    case dt::f32: return "f32";
    default: return "?";
    }
}

// One oneDNN pooling_forward on a given activation layout (src and dst).
struct OnednnVariant {
    Measurement m;
    tag layout = tag::nchw;
    memory src, dst, ws;
    dnnl::pooling_forward prim;
    std::unordered_map<int, memory> args;
    bool ok = false;
    double bytes = 0;  // input read + dst (+ workspace) written
};

void setup_variant(OnednnVariant &v, const PoolParams &p, const memory &src_user, json::Value &info) {
    auto &eng = onednn::cpu_engine();
    auto &s = onednn::cpu_stream();
    const memory::dims src_dims = {p.N, p.C, p.H, p.W}, dst_dims = {p.N, p.C, p.OH, p.OW};
    try {
        const memory::desc src_md(src_dims, dt::f32, v.layout), dst_md(dst_dims, dt::f32, v.layout);
        // max: forward_inference (no workspace); max_with_indices:
        // forward_training, so that oneDNN writes its workspace (the argmax).
        // avg: PyTorch's default count_include_pad=True.
        const auto prop = p.with_indices() ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
        const auto alg = p.is_max() ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_include_padding;
        // PyTorch's floor rule: oneDNN's dst = (H + pad_l + pad_r - R) / stride + 1
        // with pad_r = pad gives the same size (oneDNN checks dst against it).
        const memory::dims strides = {p.stride[0], p.stride[1]}, kernel = {p.R, p.S};
        const memory::dims pad_l = {p.pad[0], p.pad[1]}, pad_r = {p.pad[0], p.pad[1]};
        dnnl::pooling_forward::desc d(prop, alg, src_md, dst_md, strides, kernel, pad_l, pad_r);
        dnnl::pooling_forward::primitive_desc pd(d, eng);
        const std::string impl = pd.impl_info_str();
        const memory::desc ws_md = pd.workspace_desc();
        const bool has_ws = ws_md.get_size() > 0;
        if (p.with_indices() && !has_ws) throw std::runtime_error("oneDNN gave no workspace for forward_training");

        v.src = v.layout == tag::nchw ? src_user : memory(src_md, eng);
        v.dst = memory(dst_md, eng);
        touch(v.dst);
        if (v.layout != tag::nchw) {
            // Input reordered once, outside the timed loop: oneDNN's own
            // blocked-layout figure.
            touch(v.src);
            memory from = src_user;  // a handle copy: execute() takes non-const
            dnnl::reorder(from, v.src).execute(s, from, v.src);
        }
        v.args = {{DNNL_ARG_SRC, v.src}, {DNNL_ARG_DST, v.dst}};
        if (has_ws) {
            v.ws = memory(ws_md, eng);
            touch(v.ws);
            v.args[DNNL_ARG_WORKSPACE] = v.ws;
        }
        s.wait();
        v.prim = dnnl::pooling_forward(pd);
        const std::string lay = onednn::layout_name(pd.src_desc(), "nchw");
        v.m.impl = impl + " src:" + lay + " dst:" + onednn::layout_name(pd.dst_desc(), "nchw");
        if (has_ws)
            v.m.impl += " ws:" + onednn::layout_name(ws_md, "nchw") + " " + dt_name(ws_md.data_type());
        v.bytes = double(src_md.get_size() + dst_md.get_size() + (has_ws ? ws_md.get_size() : 0));
        json::Value vi = json::Value::object();
        vi["impl"] = impl;
        vi["layout"] = lay;
        if (has_ws) {
            vi["workspace_layout"] = onednn::layout_name(ws_md, "nchw");
            vi["workspace_dtype"] = dt_name(ws_md.data_type());
            vi["workspace_bytes"] = int64_t(ws_md.get_size());
        }
        info[v.m.key] = vi;
        v.ok = true;
    } catch (const dnnl::error &e) {
        v.m.error = std::string("oneDNN: ") + e.what();
    } catch (const std::exception &e) {
        v.m.error = e.what();
    }
}

// The variant's dst (and workspace) as plain nchw.
std::vector<float> read_dst_plain(const OnednnVariant &v, const PoolParams &p) {
    auto &eng = onednn::cpu_engine();
    auto &s = onednn::cpu_stream();
    const memory::desc plain({p.N, p.C, p.OH, p.OW}, dt::f32, tag::nchw);
    memory out(plain, eng);
    memory dst = v.dst;
    dnnl::reorder(dst, out).execute(s, dst, out);
    s.wait();
    std::vector<float> r(p.out_n());
    std::memcpy(r.data(), out.get_data_handle(), r.size() * sizeof(float));
    return r;
}

// Harness self-check of the workspace caveat: oneDNN's workspace, read as an
// in-window offset kh*S + kw, against the naive flat indices. Returns "ok",
// "K of N differ", or "n/a: why".
std::string check_workspace(const OnednnVariant &v, const PoolParams &p, const std::vector<int64_t> &want) {
    if (!v.ws) return "n/a: no workspace";
    const memory::desc ws_md = v.ws.get_desc();
    const dt wdt = ws_md.data_type();
    if (wdt != dt::u8 && wdt != dt::s32) return std::string("n/a: workspace type ") + dt_name(wdt);
    if (ws_md.dims() != memory::dims{p.N, p.C, p.OH, p.OW}) return "n/a: workspace dims differ from dst";
    std::vector<int64_t> off(p.out_n());
    try {
        auto &eng = onednn::cpu_engine();
        auto &s = onednn::cpu_stream();
        memory plain(memory::desc(ws_md.dims(), wdt, tag::nchw), eng);
        memory ws = v.ws;
        dnnl::reorder(ws, plain).execute(s, ws, plain);
        s.wait();
        for (size_t i = 0; i < off.size(); i++)
            off[i] = wdt == dt::u8 ? int64_t(static_cast<const uint8_t *>(plain.get_data_handle())[i])
                                   : int64_t(static_cast<const int32_t *>(plain.get_data_handle())[i]);
    } catch (const dnnl::error &e) {
        return std::string("n/a: ") + e.what();
    }
    size_t bad = 0, o = 0;
    for (int64_t nc = 0; nc < p.N * p.C; nc++)
        for (int64_t oh = 0; oh < p.OH; oh++)
            for (int64_t ow = 0; ow < p.OW; ow++, o++) {
                const int64_t kh = off[o] / p.S, kw = off[o] % p.S;
                const int64_t flat = (oh * p.stride[0] - p.pad[0] + kh) * p.W + (ow * p.stride[1] - p.pad[1] + kw);
                if (flat != want[o]) bad++;
            }
    return bad ? std::to_string(bad) + " of " + std::to_string(off.size()) + " differ" : "ok";
}

Row run_one(const PoolParams &p, const Options &opts, uint64_t seed) {
    Row row;
    row.family = "pool2d";
    row.id = p.id;
    row.shape = p.shape();
    const size_t in_n = p.in_n(), out_n = p.out_n();
    const halconv::Shape in_shape{p.N, p.C, p.H, p.W}, out_shape{p.N, p.C, p.OH, p.OW};
    // Minimum traffic of halconv's call: input read once, outputs written once
    // (int64 indices: 8 bytes each).
    row.bytes = 4.0 * double(in_n + out_n) + (p.with_indices() ? 8.0 * double(out_n) : 0.0);
    json::Value bytes = json::Value::object();
    bytes["halconv"] = row.bytes;
    row.info["kind"] = p.kind_name;

    std::vector<float> x(in_n);
    fill_distinct(x, seed);

    // --- halconv: caller-owned outputs, allocated and touched before timing --
    std::vector<float> y(out_n, 0.0f);
    std::vector<int64_t> ind(p.with_indices() ? out_n : 0, 0);
    const halconv::ConstTensor xi(x, in_shape);
    const halconv::Tensor yo(y, out_shape);
    const halconv::IndexTensor io(ind, out_shape);
    halconv::MaxPool2dOptions mo;
    halconv::AvgPool2dOptions ao;
    std::function<void()> halconv_call;
    try {
        halconv::Shape got;
        if (p.is_max()) {
            mo.kernel_size = {int(p.R), int(p.S)};
            mo.stride = p.stride;
            mo.padding = p.pad;
            got = halconv::max_pool2d_output_shape(in_shape, mo);
            if (p.with_indices()) halconv_call = [&] { halconv::max_pool2d(xi, yo, io, mo); };
            else halconv_call = [&] { halconv::max_pool2d(xi, yo, mo); };
        } else {
            ao.kernel_size = {int(p.R), int(p.S)};
            ao.stride = p.stride;
            ao.padding = p.pad;
            ao.count_include_pad = true;  // PyTorch's default
            got = halconv::avg_pool2d_output_shape(in_shape, ao);
            halconv_call = [&] { halconv::avg_pool2d(xi, yo, ao); };
        }
        if (got != out_shape) throw std::runtime_error("output shape differs from PyTorch's rule");
        row.halconv.impl = "halconv " + std::string(halconv::version()) + ", NCHW" +
                           (p.with_indices() ? ", int64 flat indices h*W+w" : "");
    } catch (const std::exception &e) {
        row.halconv.error = e.what();
        halconv_call = nullptr;
    }

    // --- oneDNN: nchw, nChw8c, nChw16c ---------------------------------------
    auto &eng = onednn::cpu_engine();
    const memory src_user(memory::desc({p.N, p.C, p.H, p.W}, dt::f32, tag::nchw), eng, x.data());
    std::vector<OnednnVariant> vars(3);
    vars[0].m = Measurement(kNchw);
    vars[0].layout = tag::nchw;
    vars[1].m = Measurement(kBlocked8);
    vars[1].layout = tag::nChw8c;
    vars[2].m = Measurement(kBlocked16);
    vars[2].layout = tag::nChw16c;
    json::Value onednn_info = json::Value::object();
    for (auto &v : vars) setup_variant(v, p, src_user, onednn_info);
    row.info["onednn"] = onednn_info;

    // --- timing: all interleaved ---------------------------------------------
    std::vector<Timed> timed;
    if (halconv_call) timed.push_back({&row.halconv, halconv_call});
    auto &s = onednn::cpu_stream();
    for (auto &v : vars) {
        if (!v.ok) continue;
        OnednnVariant *pv = &v;
        timed.push_back({&v.m, [pv, &s] {
                             pv->prim.execute(s, pv->args);
                             s.wait();
                         }});
    }
    time_interleaved(timed, opts);

    if (!row.halconv.error.empty()) {
        row.status = Status::ERROR;
        row.notes.push_back("halconv: " + row.halconv.error);
    }
    for (auto &v : vars) {
        if (!v.m.error.empty()) row.notes.push_back(v.m.key + ": " + v.m.error);
        if (v.ok) bytes[v.m.key] = v.bytes;
        row.peers.push_back(v.m);
    }
    row.info["bytes"] = bytes;

    // --- correctness -------------------------------------------------------
    std::vector<double> ref_val;
    std::vector<int64_t> ref_idx;
    p.reference(x, ref_val, ref_idx);
    const std::vector<size_t> sidx = sample_indices(out_n, opts.check_samples, seed + 17);
    std::vector<double> expected(sidx.size());
    for (size_t i = 0; i < sidx.size(); i++) expected[i] = ref_val[sidx[i]];

    // oneDNN's outputs as nchw; the reference peer is the nchw variant (the
    // first blocked one when oneDNN has no nchw implementation).
    std::vector<std::vector<float>> outs(vars.size());
    int ref_var = -1;
    for (size_t i = 0; i < vars.size(); i++) {
        if (!vars[i].ok || !vars[i].m.error.empty()) continue;
        try {
            outs[i] = read_dst_plain(vars[i], p);
        } catch (const dnnl::error &e) {
            row.notes.push_back(vars[i].m.key + ": reading dst back: " + e.what());
            continue;
        }
        if (ref_var < 0) ref_var = int(i);
        if (p.with_indices()) {
            const std::string ws = check_workspace(vars[i], p, ref_idx);
            row.info["onednn"][vars[i].m.key]["workspace_as_in_window_offset_vs_naive"] = ws;
            if (ws != "ok") row.notes.push_back(vars[i].m.key + ": workspace read as kh*S+kw: " + ws);
        }
    }
    if (ref_var >= 0) {
        const std::vector<float> &ref = outs[size_t(ref_var)];
        row.sampled_err_peer = sampled_err(ref.data(), sidx, expected);
        if (!(row.sampled_err_peer < kMaxRelErr)) row.fail("oneDNN disagrees with the naive reference (harness bug?)");
        double variants = kNaN;
        for (size_t i = 0; i < vars.size(); i++) {
            if (int(i) == ref_var || outs[i].empty()) continue;
            const double e = max_rel_err(outs[i].data(), ref.data(), out_n);
            variants = std::isfinite(variants) ? std::max(variants, e) : e;
            if (!(e < kMaxRelErr)) row.fail(vars[i].m.key + " disagrees with " + vars[size_t(ref_var)].m.key);
        }
        if (std::isfinite(variants)) row.info["onednn_variants_rel_err"] = variants;
    }
    if (row.halconv.ok()) {
        row.sampled_err_halconv = sampled_err(y.data(), sidx, expected);
        if (ref_var >= 0) check_against(row, y.data(), outs[size_t(ref_var)].data(), out_n, vars[size_t(ref_var)].m.key);
        else row.fail("no oneDNN output to check against");
        if (p.with_indices()) {
            // Indices: exact, over the whole output, against the naive
            // reference (first maximum in window scan order; inputs are
            // distinct, so there are no ties).
            size_t bad = 0, first = out_n;
            for (size_t i = 0; i < out_n; i++)
                if (ind[i] != ref_idx[i]) {
                    if (!bad) first = i;
                    bad++;
                }
            row.info["index_mismatches"] = int64_t(bad);
            if (bad) {
                char buf[200];
                std::snprintf(buf, sizeof buf, "halconv indices: %zu of %zu differ from the naive reference "
                              "(first at output %zu: %lld, want %lld)", bad, out_n, first, (long long)ind[first],
                              (long long)ref_idx[first]);
                row.fail(buf);
            }
        }
    }
    return row;
}

std::vector<Row> run_family(const json::Value &entries, const Options &opts) {
    std::vector<Row> rows;
    uint64_t seed = 2000;
    for (const auto &e : entries.elements()) {
        const PoolParams p = PoolParams::from_json(e);
        std::fprintf(stderr, "  pool2d/%s: %s\n", p.id.c_str(), p.shape().c_str());
        rows.push_back(run_one(p, opts, seed++));
    }
    return rows;
}

const char *kDoc =
    "What is measured: halconv on NCHW in/out (caller-owned outputs, allocated and touched before timing); "
    "oneDNN `pooling_forward` on plain `nchw` src/dst (**oneDNN NCHW**) and on its own blocked layouts "
    "`nChw8c` (the AVX2 block) and `nChw16c` (the AVX-512 block) with the data already in that layout "
    "(the reorders are outside the timed loop: oneDNN's own blocked-layout figure). All four are timed "
    "interleaved. `max` runs oneDNN with `forward_inference`; `avg` with `pooling_avg_include_padding` "
    "(PyTorch's default `count_include_pad=True`; with p0 the same as exclude). Output size: PyTorch's "
    "floor rule, oneDNN given pad_l = pad_r = pad.\n\n"
    "**max_with_indices**: halconv writes PyTorch's int64 flat indices `h*W + w` (8 bytes per output); "
    "oneDNN runs with `forward_training` so that it writes its workspace, which is a 1-byte (u8) "
    "in-window offset `kh*S + kw` per output (checked against the naive argmax: "
    "`info.onednn.*.workspace_as_in_window_offset_vs_naive` in the JSON). halconv thus moves more bytes "
    "(4 + 4 + 8 = 16 per output vs oneDNN's 4 + 4 + 1, plus the input) for the same work; each "
    "implementation's own byte count and GB/s are in the JSON (`peers.*.bytes`, `peers.*.gbs`) and in "
    "the peer implementations list below.\n\n"
    "GB/s = minimum traffic (input read once + outputs written once) / median time; % copy bw = "
    "GB/s / the measured copy bandwidth (256 MiB buffers) in the header. A call touches 4-23 MB, which "
    "may stay in a large last-level cache between the timed calls, so % copy bw can exceed 100. "
    "Where the CPU lacks AVX-512, oneDNN 2.x has no JIT pooling kernel for `nChw16c` and runs its "
    "reference code (`ref:any`, see the peer implementations), hence the best-of-two blocked ratio. "
    "ratio vs NCHW = t_oneDNN_nchw / t_halconv; "
    "ratio vs best blocked = min(t_nChw8c, t_nChw16c) / t_halconv. Gate: max rel err of halconv's "
    "values vs oneDNN NCHW < 1e-3 and, for indices, every halconv index equal to the naive reference's "
    "(first maximum in window scan order; the inputs are distinct values, so there are no ties).";

}  // namespace

BENCH_REGISTER_FAMILY(FamilySpec{
    "pool2d", "pool",
    {{kNchw, "oneDNN NCHW ms"}, {kBlocked8, "oneDNN nChw8c ms"}, {kBlocked16, "oneDNN nChw16c ms"}},
    {{kNchw, "ratio vs NCHW"}, {kBestBlocked, "ratio vs best blocked", {kBlocked8, kBlocked16}}},
    [](const json::Value &entries, const Options &opts) { return run_family(entries, opts); },
    kDoc});

}  // namespace bench
