// conv2d and conv_transpose2d: halconv (NCHW in/out, as a PyTorch user has
// it) against oneDNN convolution_forward / deconvolution_forward, measured
// three ways (see onednn_peer.h). Both families write bench/results/conv.*.
#include <halconv/halconv.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "bench.h"
#include "onednn_peer.h"

namespace bench {

// halconv's plain call, weights repacked inside every call.
inline const char *kHalconvPlain = "halconv_plain";
namespace {

using dnnl::memory;
using tag = memory::format_tag;

// suite.json allows "stride": 2 or "stride": [2, 1] (h, w).
std::array<int, 2> pair_param(const json::Value &e, const char *key, int def) {
    if (!e.contains(key)) return {def, def};
    const json::Value &v = e.at(key);
    if (v.is_array()) return {int(v[0].integer()), int(v[1].integer())};
    return {int(v.integer()), int(v.integer())};
}

struct ConvParams {
    std::string id;
    bool transposed = false;
    int64_t N, C, H, W, K, R, S;
    std::array<int, 2> stride, pad, dil, out_pad;
    int groups;
    int64_t OH, OW;

    static ConvParams from_json(const json::Value &e, bool transposed) {
        ConvParams p;
        p.id = e.at("id").str();
        p.transposed = transposed;
        p.N = e.at("N").integer();
        p.C = e.at("C").integer();
        p.H = e.at("H").integer();
        p.W = e.at("W").integer();
        p.K = e.at("K").integer();
        p.R = e.at("R").integer();
        p.S = e.at("S").integer();
        p.stride = pair_param(e, "stride", 1);
        p.pad = pair_param(e, "pad", 0);
        p.dil = pair_param(e, "dil", 1);
        p.out_pad = pair_param(e, "output_pad", 0);
        p.groups = int(e.get_int("groups", 1));
        if (transposed) {
            p.OH = (p.H - 1) * p.stride[0] - 2 * p.pad[0] + p.dil[0] * (p.R - 1) + p.out_pad[0] + 1;
            p.OW = (p.W - 1) * p.stride[1] - 2 * p.pad[1] + p.dil[1] * (p.S - 1) + p.out_pad[1] + 1;
        } else {
            p.OH = (p.H + 2 * p.pad[0] - p.dil[0] * (p.R - 1) - 1) / p.stride[0] + 1;
            p.OW = (p.W + 2 * p.pad[1] - p.dil[1] * (p.S - 1) - 1) / p.stride[1] + 1;
        }
        return p;
    }

    // PyTorch weight shapes: conv2d [K, C/g, R, S], conv_transpose2d [C, K/g, R, S].
    halconv::Shape weight_shape() const {
        return transposed ? halconv::Shape{C, K / groups, R, S} : halconv::Shape{K, C / groups, R, S};
    }
    double flops() const {
        return transposed ? 2.0 * N * C * H * W * (K / groups) * R * S
                          : 2.0 * N * K * OH * OW * (C / groups) * R * S;
    }
    std::string shape() const {
        auto hw = [](const std::array<int, 2> &v) {
            return v[0] == v[1] ? std::to_string(v[0]) : std::to_string(v[0]) + "x" + std::to_string(v[1]);
        };
        char buf[240];
        std::snprintf(buf, sizeof buf, "N%lld C%lld %lldx%lld -> K%lld %lldx%lld, %lldx%lld s%s p%s d%s%s g%d",
                      (long long)N, (long long)C, (long long)H, (long long)W, (long long)K, (long long)OH,
                      (long long)OW, (long long)R, (long long)S, hw(stride).c_str(), hw(pad).c_str(),
                      hw(dil).c_str(), transposed ? (" op" + hw(out_pad)).c_str() : "", groups);
        return buf;
    }

    // Naive reference for one output element (n, k, oh, ow), double accumulation.
    double reference(const std::vector<float> &x, const std::vector<float> &w,
                     const std::vector<float> &b, size_t flat) const {
        const int64_t ow = int64_t(flat % size_t(OW));
        const int64_t oh = int64_t(flat / size_t(OW) % size_t(OH));
        const int64_t k = int64_t(flat / size_t(OW * OH) % size_t(K));
        const int64_t n = int64_t(flat / size_t(OW * OH * K));
        const int64_t Cg = C / groups, Kg = K / groups, g = k / Kg;
        double acc = b.empty() ? 0.0 : b[size_t(k)];
        for (int64_t c = 0; c < Cg; c++) {
            const int64_t ci = g * Cg + c;
            for (int64_t r = 0; r < R; r++) {
                for (int64_t s = 0; s < S; s++) {
                    int64_t ih, iw;
                    if (transposed) {
                        // out[oh] += x[ih] * w[r] where oh = ih*stride - pad + r*dil.
                        const int64_t th = oh + pad[0] - r * dil[0], tw = ow + pad[1] - s * dil[1];
                        if (th < 0 || tw < 0 || th % stride[0] || tw % stride[1]) continue;
                        ih = th / stride[0];
                        iw = tw / stride[1];
                    } else {
                        ih = oh * stride[0] - pad[0] + r * dil[0];
                        iw = ow * stride[1] - pad[1] + s * dil[1];
                    }
                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                    const double xv = x[size_t(((n * C + ci) * H + ih) * W + iw)];
                    const double wv = transposed ? w[size_t(((ci * Kg + (k % Kg)) * R + r) * S + s)]
                                                 : w[size_t(((k * Cg + c) * R + r) * S + s)];
                    acc += xv * wv;
                }
            }
        }
        return acc;
    }
};

onednn::Problem onednn_problem(const ConvParams &p, const std::vector<float> &x,
                               const std::vector<float> &w, const std::vector<float> &b) {
    onednn::Problem op;
    const int64_t g = p.groups;
    op.src_dims = {p.N, p.C, p.H, p.W};
    op.dst_dims = {p.N, p.K, p.OH, p.OW};
    op.bias_dims = {p.K};
    // oneDNN's logical weight dims are always (G,) O, I, H, W, O being the
    // primitive's output channels. For deconvolution, PyTorch's [Cin, Cout/g,
    // R, S] is the physical order i, o, h, w: tags iohw / giohw.
    if (g == 1) {
        op.wei_dims = {p.K, p.C, p.R, p.S};
        op.wei_tag = p.transposed ? tag::iohw : tag::oihw;
    } else {
        op.wei_dims = {g, p.K / g, p.C / g, p.R, p.S};
        op.wei_tag = p.transposed ? tag::giohw : tag::goihw;
    }
    op.src = x.data();
    op.wei = w.data();
    op.bias = b.data();
    const memory::dims strides = {p.stride[0], p.stride[1]};
    const memory::dims dilates = {p.dil[0] - 1, p.dil[1] - 1};  // oneDNN: 0 = dense
    const memory::dims pad_l = {p.pad[0], p.pad[1]};
    // conv2d: PyTorch's floor rule is oneDNN's with pad_r = pad.
    // conv_transpose2d: output_padding adds rows at the bottom/right.
    const memory::dims pad_r = p.transposed ? memory::dims{p.pad[0] - p.out_pad[0], p.pad[1] - p.out_pad[1]}
                                            : pad_l;
    const bool transposed = p.transposed;
    op.make_pd = [=](const memory::desc &src, const memory::desc &wei, const memory::desc &bias,
                     const memory::desc &dst) -> dnnl::primitive_desc {
        auto &eng = onednn::cpu_engine();
        if (transposed) {
            dnnl::deconvolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                                dnnl::algorithm::deconvolution_direct, src, wei, bias, dst,
                                                strides, dilates, pad_l, pad_r);
            return dnnl::deconvolution_forward::primitive_desc(d, eng);
        }
        dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                          dnnl::algorithm::convolution_direct, src, wei, bias, dst, strides,
                                          dilates, pad_l, pad_r);
        return dnnl::convolution_forward::primitive_desc(d, eng);
    };
    return op;
}

Row run_one(const ConvParams &p, const Options &opts, uint64_t seed) {
    Row row;
    row.family = p.transposed ? "conv_transpose2d" : "conv2d";
    row.id = p.id;
    row.shape = p.shape();
    row.flops = p.flops();
    const halconv::Shape in_shape{p.N, p.C, p.H, p.W}, w_shape = p.weight_shape(), b_shape{p.K};
    const halconv::Shape out_shape{p.N, p.K, p.OH, p.OW};
    const size_t in_n = size_t(p.N * p.C * p.H * p.W), out_n = size_t(p.N * p.K * p.OH * p.OW);
    size_t w_n = 1;
    for (auto d : w_shape) w_n *= size_t(d);
    row.bytes = 4.0 * double(in_n + w_n + size_t(p.K) + out_n);

    std::vector<float> x(in_n), w(w_n), b(size_t(p.K));
    fill_uniform(x, seed * 3 + 1);
    // Kaiming-like scale keeps outputs O(1) whatever the fan-in.
    const int64_t fan_in = (p.transposed ? p.K : p.C) / p.groups * p.R * p.S;
    fill_uniform(w, seed * 3 + 2, float(1.0 / std::sqrt(double(fan_in))));
    fill_uniform(b, seed * 3 + 3, 0.1f);

    // --- halconv: set up its call (timed below, interleaved with the peer) ---
    std::vector<float> y;  // allocated (and touched: zero-filled) before timing
    // halconv: the main column runs with weights packed once outside the
    // loop (as oneDNN's primitive gets its weights reordered once); the
    // "plain call" column repacks them on every call.
    std::function<void()> halconv_call, halconv_plain_call;
    halconv::PackedWeights packed;
    Measurement plain{kHalconvPlain};
    const halconv::ConstTensor xi(x, in_shape), wi(w, w_shape), bi(b, b_shape);
    halconv::Tensor yo;
    halconv::Conv2dOptions co;
    halconv::ConvTranspose2dOptions to;
    try {
        halconv::Shape got;
        if (p.transposed) {
            to.stride = p.stride;
            to.padding = p.pad;
            to.output_padding = p.out_pad;
            to.dilation = p.dil;
            to.groups = p.groups;
            got = halconv::conv_transpose2d_output_shape(in_shape, w_shape, to);
            packed = halconv::conv_transpose2d_pack_weights(wi, to);
            halconv_call = [&] { halconv::conv_transpose2d(xi, packed, bi, yo, to); };
            halconv_plain_call = [&] { halconv::conv_transpose2d(xi, wi, bi, yo, to); };
        } else {
            co.stride = p.stride;
            co.padding = p.pad;
            co.dilation = p.dil;
            co.groups = p.groups;
            got = halconv::conv2d_output_shape(in_shape, w_shape, co);
            packed = halconv::conv2d_pack_weights(wi, co);
            halconv_call = [&] { halconv::conv2d(xi, packed, bi, yo, co); };
            halconv_plain_call = [&] { halconv::conv2d(xi, wi, bi, yo, co); };
        }
        if (got != out_shape) throw std::runtime_error("output shape differs from PyTorch's rule");
        y.assign(out_n, 0.0f);
        yo = halconv::Tensor(y, out_shape);
        row.halconv.impl = "halconv " + std::string(halconv::version()) + ", weights packed once";
        plain.impl = "halconv " + std::string(halconv::version()) + ", weights packed in every call";
    } catch (const std::exception &e) {
        row.halconv.error = e.what();
        halconv_call = nullptr;
    }

    // --- timing: halconv and oneDNN three ways, interleaved ------------------
    onednn::Problem op = onednn_problem(p, x, w, b);
    std::vector<Timed> also;
    if (halconv_call) {
        also.push_back({&row.halconv, halconv_call});
        also.push_back({&plain, halconv_plain_call});
    }
    onednn::Result peer = onednn::run_three_ways(op, opts, also);
    if (!row.halconv.error.empty()) {
        row.status = Status::ERROR;
        row.notes.push_back("halconv: " + row.halconv.error);
    }
    for (auto &kv : peer.info.items()) row.info[kv.first] = kv.second;
    row.peers = {peer.prim, peer.reorders, peer.nchw, plain};
    for (auto *m : {&peer.prim, &peer.reorders, &peer.nchw})
        if (!m->error.empty()) row.notes.push_back(m->key + ": " + m->error);
    if (std::isfinite(peer.variants_rel_err)) {
        row.info["onednn_variants_rel_err"] = peer.variants_rel_err;
        if (!(peer.variants_rel_err < kMaxRelErr)) row.fail("oneDNN variants disagree (harness bug?)");
    }

    // --- correctness -------------------------------------------------------
    // Harness self-check: the peer (and halconv) against a naive double-
    // precision reference on sampled output points; a peer mismatch means the
    // harness set oneDNN up wrong (weights layout, padding...).
    const std::vector<size_t> idx = sample_indices(out_n, opts.check_samples, seed + 17);
    std::vector<double> expected(idx.size());
    for (size_t i = 0; i < idx.size(); i++) expected[i] = p.reference(x, w, b, idx[i]);
    if (!peer.dst_plain.empty()) {
        row.sampled_err_peer = sampled_err(peer.dst_plain.data(), idx, expected);
        if (!(row.sampled_err_peer < kMaxRelErr)) row.fail("oneDNN disagrees with the naive reference (harness bug?)");
    }
    if (row.halconv.ok()) {
        row.sampled_err_halconv = sampled_err(y.data(), idx, expected);
        if (!peer.dst_plain.empty()) {
            check_against(row, y.data(), peer.dst_plain.data(), out_n, peer.dst_plain_from);
        } else {
            row.fail("no oneDNN output to check against");
        }
    }
    return row;
}

std::vector<Row> run_family(const json::Value &entries, const Options &opts, bool transposed) {
    std::vector<Row> rows;
    uint64_t seed = transposed ? 1000 : 1;
    for (const auto &e : entries.elements()) {
        const ConvParams p = ConvParams::from_json(e, transposed);
        std::fprintf(stderr, "  %s/%s: %s\n", transposed ? "conv_transpose2d" : "conv2d", p.id.c_str(),
                     p.shape().c_str());
        rows.push_back(run_one(p, opts, seed++));
    }
    return rows;
}

const std::vector<Column> kPeerColumns = {
    {kHalconvPlain, "halconv plain call ms"},
    {onednn::kPrim, "oneDNN prim ms"},
    {onednn::kReorders, "oneDNN+reorders ms"},
    {onednn::kNchw, "oneDNN NCHW ms"},
};
const std::vector<Column> kRatioColumns = {
    {onednn::kPrim, "ratio vs prim"},
    {onednn::kReorders, "ratio vs +reorders"},
};

}  // namespace

BENCH_REGISTER_FAMILY(FamilySpec{"conv2d", "conv", kPeerColumns, kRatioColumns,
                                 [](const json::Value &e, const Options &o) { return run_family(e, o, false); }});
BENCH_REGISTER_FAMILY(FamilySpec{"conv_transpose2d", "conv", kPeerColumns, kRatioColumns,
                                 [](const json::Value &e, const Options &o) { return run_family(e, o, true); }});

}  // namespace bench
