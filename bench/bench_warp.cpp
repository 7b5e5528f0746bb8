// flow_warp: halconv's flow_warp / flow_warp_backward (include/halconv/warp.h)
// on the CPU against PyTorch's grid_sample (align_corners=True, zeros
// padding, the flow converted to a normalised grid: the same operator, as in
// BasicVSR++), timed in the same run by bench/torch_peer.py (torch_peer.h) on
// opts.threads threads. Writes bench/results/warp.*.
//
// Memory-bound: the report shows GB/s (every tensor read or written once:
// forward input + flow + output, backward input + flow + grad_output +
// grad_input + grad_flow) and % of the measured copy bandwidth. No targets
// (no issue sets any for flow_warp): the notes just report. Backward:
// halconv's GradAccumulation::Deterministic is the row; Atomic is the same
// CPU path (warp.h / points.h), timed too, its time and bits in the notes.
// torch's backward is torch.autograd.grad on a graph built once
// (retain_graph=True): backward only, no forward.
#include <halconv/halconv.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.h"
#include "torch_peer.h"

namespace bench {
namespace {

constexpr const char *kPeer = "torch";
// Agreement required between halconv and torch (max |a - b| / max |b|).
constexpr double kTol = 1e-4;
constexpr float kFlowStd = 2.0f;  // pixels

struct Dims {
    int N = 1, C = 1, H = 1, W = 1;
    size_t x_size() const { return size_t(N) * C * H * W; }
    size_t f_size() const { return size_t(N) * 2 * H * W; }
    halconv::Shape x_shape() const { return {N, C, H, W}; }
    halconv::Shape f_shape() const { return {N, 2, H, W}; }
};

std::string fmtd(const char *f, double v) {
    char buf[96];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string describe(const Dims &s) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "N%d C%d %dx%d, flow N(0, %.0f px)", s.N, s.C, s.H, s.W, double(kFlowStd));
    return buf;
}

struct Inputs {
    std::vector<float> x, flow, g;
};
Inputs make_inputs(const Dims &s, uint64_t seed, bool with_g) {
    Inputs in;
    in.x.resize(s.x_size());
    fill_uniform(in.x, seed, 1.0f);
    in.flow.resize(s.f_size());
    std::mt19937_64 rng(seed + 1);
    std::normal_distribution<float> nd(0.0f, kFlowStd);
    for (float &v : in.flow) v = nd(rng);
    if (with_g) {
        in.g.resize(s.x_size());
        fill_uniform(in.g, seed + 2, 1.0f);
    }
    return in;
}

double max_abs_diff(const std::vector<float> &a, const std::vector<float> &b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); i++) {
        const double d = std::fabs(double(a[i]) - double(b[i]));
        if (!(d <= m)) m = d;
    }
    return m;
}
double rel(const std::vector<float> &a, const std::vector<float> &ref) { return max_rel_err(a.data(), ref.data(), a.size()); }
// Elements farther apart than kTol * max |ref| (where the disagreement is).
size_t count_over(const std::vector<float> &a, const std::vector<float> &ref) {
    double m = 0;
    for (float v : ref) m = std::max(m, double(std::fabs(v)));
    size_t n = 0;
    for (size_t i = 0; i < a.size(); i++)
        if (!(std::fabs(double(a[i]) - double(ref[i])) <= kTol * m)) n++;
    return n;
}
bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Naive double-precision flow_warp at one output element (warp.h's definition).
double naive_at(const Dims &s, const Inputs &in, size_t idx) {
    const size_t x = idx % s.W, y = (idx / s.W) % s.H, c = (idx / (size_t(s.W) * s.H)) % s.C,
                 n = idx / (size_t(s.W) * s.H * s.C);
    const size_t plane = size_t(s.H) * s.W;
    const double px = double(x) + in.flow[(n * 2 + 0) * plane + y * s.W + x];
    const double py = double(y) + in.flow[(n * 2 + 1) * plane + y * s.W + x];
    if (!(py > -1 && py < s.H && px > -1 && px < s.W)) return 0;
    const double y0 = std::floor(py), x0 = std::floor(px);
    double v = 0;
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            const double qy = y0 + dy, qx = x0 + dx;
            if (qy < 0 || qy >= s.H || qx < 0 || qx >= s.W) continue;
            const double w = std::max(0.0, 1 - std::fabs(py - qy)) * std::max(0.0, 1 - std::fabs(px - qx));
            v += w * in.x[(n * s.C + c) * plane + size_t(qy) * s.W + size_t(qx)];
        }
    return v;
}

torch_peer::Request request(const char *op, const Options &opts) {
    torch_peer::Request r;
    r.op = op;
    r.threads = opts.threads;
    r.min_runs = opts.min_runs;
    r.min_time = opts.min_time;
    r.rounds = opts.rounds;
    return r;
}

// The torch measurement from a peer result (timing `key`); error when missing.
Measurement torch_measurement(const torch_peer::Result &tr, const std::string &key, const std::string &what) {
    Measurement m(kPeer);
    m.impl = "torch " + tr.torch_version + " " + what + ", torch.set_num_threads(" +
             (tr.info.contains("threads") ? std::to_string(tr.info.at("threads").integer()) : std::string("?")) +
             "), bench/torch_peer.py";
    if (!tr.available)
        m.error = "unavailable: " + tr.unavailable;
    else if (!tr.error.empty())
        m.error = tr.error;
    else if (!tr.timings.count(key))
        m.error = "no timing " + key;
    else
        m.t = tr.timings.at(key);
    return m;
}

void note_peer_state(Row &row, const torch_peer::Result &tr, const Measurement &peer) {
    row.info["torch_version"] = tr.torch_version;
    row.info["torch"] = tr.info;
    if (!tr.available) {
        row.info["torch_unavailable"] = tr.unavailable;
        row.notes.push_back("torch peer unavailable (not a failure): " + tr.unavailable);
    } else if (!peer.ok()) {
        row.fail("torch peer failed: " + peer.error);
    }
}

void add_bandwidth_notes(Row &row, const Measurement &peer, const Options &opts) {
    const double floor_ms = opts.copy_gbs > 0 ? row.bytes / (opts.copy_gbs * 1e9) * 1e3 : kNaN;
    row.info["floor_ms"] = floor_ms;
    row.info["copy_gbs"] = opts.copy_gbs;
    const double h = row.halconv.ok() ? row.halconv.t.median_ms / floor_ms : kNaN;
    const double p = peer.ok() ? peer.t.median_ms / floor_ms : kNaN;
    row.notes.push_back("time / floor: halconv " + fmtd("%.2f", h) + ", torch " + fmtd("%.2f", p) + " (floor " +
                        fmtd("%.3g", floor_ms) + " ms = " + fmtd("%.1f", row.bytes / 1e6) +
                        " MB at the measured copy bandwidth " + fmtd("%.1f", opts.copy_gbs) + " GB/s)");
    row.notes.push_back("halconv and torch are timed interleaved: torch's process (bench/torch_peer.py --serve) "
                        "times its segments between halconv's, in the same rounds");
}

void compare(Row &row, const char *name, const std::vector<float> &h, const std::vector<float> &t, double &worst) {
    const double r = rel(h, t), a = max_abs_diff(h, t);
    json::Value j = json::Value::object();
    j["max_abs_diff"] = a;
    j["max_rel_diff"] = r;
    j["elements_over_tol"] = double(count_over(h, t));
    row.info["vs_torch"][name] = j;
    row.notes.push_back(std::string("max |halconv - torch| ") + name + " = " + fmtd("%.3g", a) + " (" +
                        fmtd("%.2g", r) + " of max |torch|)");
    if (!(r <= worst)) worst = r;
}

struct Entry {
    std::string id;
    Dims s;
    static Entry from_json(const json::Value &e) {
        Entry x;
        x.id = e.at("id").str();
        auto get = [&](const char *k) {
            const int64_t v = e.at(k).integer();
            if (v < 1 || v > (int64_t(1) << 20)) throw std::runtime_error("flow_warp/" + x.id + ": bad " + k);
            return int(v);
        };
        x.s = Dims{get("N"), get("C"), get("H"), get("W")};
        return x;
    }
};

Row run_forward(const Entry &e, const Options &opts, uint64_t seed) {
    const Dims &s = e.s;
    Row row;
    row.family = "flow_warp";
    row.id = e.id + " fwd";
    row.shape = describe(s) + ", forward";
    row.bytes = 4.0 * double(2 * s.x_size() + s.f_size());
    row.info["pass"] = "forward";
    row.info["vs_torch"] = json::Value::object();
    const Inputs in = make_inputs(s, seed, false);
    std::vector<float> out(s.x_size(), 0.0f);
    auto call = [&] {
        halconv::flow_warp(halconv::ConstTensor(in.x.data(), s.x_shape()),
                           halconv::ConstTensor(in.flow.data(), s.f_shape()), halconv::Tensor(out.data(), s.x_shape()));
    };
    row.halconv.impl = std::string("halconv ") + halconv::version() + ", flow_warp (CPU)";
    std::vector<Timed> timed;
    try {
        call();
        timed.push_back({&row.halconv, call});
    } catch (const std::exception &ex) {
        row.halconv.error = ex.what();
    }
    // torch in its own process, timed interleaved with halconv.
    torch_peer::Request rq = request("flow_warp", opts);
    rq.inputs = {{"input", s.x_shape(), in.x.data()}, {"flow", s.f_shape(), in.flow.data()}};
    torch_peer::Session peer_session(rq);
    Measurement peer_forward(kPeer), peer_sample_only("torch_grid_sample_only");
    for (Timed &t : peer_session.timed({"forward", "grid_sample_only"}, {&peer_forward, &peer_sample_only}))
        timed.push_back(std::move(t));
    time_interleaved(timed, opts);
    const torch_peer::Result tr = peer_session.finish();
    if (!row.halconv.error.empty()) {
        row.status = Status::ERROR;
        row.notes.push_back("halconv: " + row.halconv.error);
    }

    Measurement peer = torch_measurement(tr, "forward", "flow -> grid + F.grid_sample (no_grad)");
    note_peer_state(row, tr, peer);
    if (tr.ok() && tr.timings.count("grid_sample_only")) {
        const TimingStats &g = tr.timings.at("grid_sample_only");
        row.info["torch_grid_sample_only_ms"] = g.median_ms;
        row.notes.push_back("torch grid_sample alone (grid precomputed): " + fmtd("%.3g", g.median_ms) + " ms");
    }
    row.peers = {peer};

    // Correctness: halconv and torch vs the naive double reference at
    // sampled outputs; halconv vs torch over the whole output.
    const std::vector<size_t> idx = sample_indices(s.x_size(), opts.check_samples, seed + 7);
    std::vector<double> expected(idx.size());
    for (size_t i = 0; i < idx.size(); i++) expected[i] = naive_at(s, in, idx[i]);
    const bool have_torch = tr.ok() && tr.outputs.count("output") && tr.outputs.at("output").data.size() == out.size();
    if (tr.ok() && !have_torch) row.fail("torch peer: missing or mis-sized output");
    if (have_torch) {
        row.sampled_err_peer = sampled_err(tr.outputs.at("output").data.data(), idx, expected);
        if (!(row.sampled_err_peer <= kTol)) row.fail("torch disagrees with the naive reference (harness bug?)");
    }
    if (row.halconv.ok()) {
        row.sampled_err_halconv = sampled_err(out.data(), idx, expected);
        if (!(row.sampled_err_halconv <= kTol))
            row.fail("halconv disagrees with the naive reference: " + fmtd("%.3g", row.sampled_err_halconv));
        if (have_torch) {
            double worst = 0;
            compare(row, "(output)", out, tr.outputs.at("output").data, worst);
            row.reference = kPeer;
            row.max_rel_err = worst;
            if (!(worst < kTol)) row.fail("halconv vs torch: max rel diff >= " + fmtd("%.0e", kTol));
        }
    }
    add_bandwidth_notes(row, peer, opts);
    return row;
}

Row run_backward(const Entry &e, const Options &opts, uint64_t seed) {
    const Dims &s = e.s;
    Row row;
    row.family = "flow_warp";
    row.id = e.id + " bwd";
    row.shape = describe(s) + ", backward";
    row.bytes = 4.0 * double(3 * s.x_size() + 2 * s.f_size());
    row.info["pass"] = "backward";
    row.info["vs_torch"] = json::Value::object();
    const Inputs in = make_inputs(s, seed, true);
    using halconv::GradAccumulation;
    std::vector<float> gi(s.x_size(), 0.0f), gf(s.f_size(), 0.0f), gi_a(s.x_size(), 0.0f), gf_a(s.f_size(), 0.0f);
    auto call = [&](GradAccumulation acc, std::vector<float> &a, std::vector<float> &b) {
        halconv::FlowWarpOptions o;
        o.accumulation = acc;
        halconv::flow_warp_backward(halconv::ConstTensor(in.x.data(), s.x_shape()),
                                    halconv::ConstTensor(in.flow.data(), s.f_shape()),
                                    halconv::ConstTensor(in.g.data(), s.x_shape()), halconv::Tensor(a.data(), s.x_shape()),
                                    halconv::Tensor(b.data(), s.f_shape()), o);
    };
    Measurement atomic("halconv_atomic");
    row.halconv.impl = std::string("halconv ") + halconv::version() +
                       ", flow_warp_backward (CPU, GradAccumulation::Deterministic)";
    atomic.impl = "halconv, GradAccumulation::Atomic (on the CPU the deterministic path)";
    std::vector<Timed> timed;
    bool det_ok = false, atomic_ok = false;
    try {
        call(GradAccumulation::Deterministic, gi, gf);
        det_ok = true;
        timed.push_back({&row.halconv, [&] { call(GradAccumulation::Deterministic, gi, gf); }});
    } catch (const std::exception &ex) {
        row.halconv.error = ex.what();
    }
    try {
        call(GradAccumulation::Atomic, gi_a, gf_a);
        atomic_ok = true;
        timed.push_back({&atomic, [&] { call(GradAccumulation::Atomic, gi_a, gf_a); }});
    } catch (const std::exception &ex) {
        atomic.error = ex.what();
    }
    const std::vector<float> gi_first = gi, gf_first = gf;
    // torch in its own process, timed interleaved with halconv.
    torch_peer::Request rq = request("flow_warp_backward", opts);
    rq.inputs = {{"input", s.x_shape(), in.x.data()},
                 {"flow", s.f_shape(), in.flow.data()},
                 {"grad_output", s.x_shape(), in.g.data()}};
    torch_peer::Session peer_session(rq);
    Measurement peer_backward(kPeer), peer_fwd_bwd("torch_forward_backward");
    for (Timed &t : peer_session.timed({"backward", "forward_backward"}, {&peer_backward, &peer_fwd_bwd}))
        timed.push_back(std::move(t));
    time_interleaved(timed, opts);
    const torch_peer::Result tr = peer_session.finish();
    if (!row.halconv.error.empty()) {
        row.status = Status::ERROR;
        row.notes.push_back("halconv: " + row.halconv.error);
    }
    if (!atomic.error.empty()) row.notes.push_back("halconv Atomic: " + atomic.error);
    row.info["halconv_atomic"] = atomic.ok() ? json::Value(atomic.t.median_ms) : json::Value();

    Measurement peer = torch_measurement(tr, "backward", "autograd.grad of flow -> grid + F.grid_sample (retained graph)");
    note_peer_state(row, tr, peer);
    if (tr.ok() && tr.timings.count("forward_backward")) {
        const TimingStats &g = tr.timings.at("forward_backward");
        row.info["torch_forward_backward_ms"] = g.median_ms;
        row.notes.push_back("torch forward + backward (fresh graph per call): " + fmtd("%.3g", g.median_ms) + " ms");
    }
    row.peers = {peer};

    if (det_ok && row.halconv.ok()) {
        const bool repeat = same_bits(gi, gi_first) && same_bits(gf, gf_first);
        row.info["deterministic_same_bits_every_call"] = repeat;
        if (!repeat) row.fail("GradAccumulation::Deterministic gave different bits from one call to the next");
        if (atomic_ok) {
            const bool same = same_bits(gi_a, gi) && same_bits(gf_a, gf);
            row.info["atomic_same_bits_as_deterministic"] = same;
            row.notes.push_back(std::string("GradAccumulation::Atomic (the CPU's deterministic path): ") +
                                (atomic.ok() ? fmtd("%.3g", atomic.t.median_ms) + " ms" : std::string("not timed")) +
                                ", " + (same ? "same bits" : "DIFFERENT bits"));
        }
        const bool have_torch = tr.ok() && tr.outputs.count("grad_input") && tr.outputs.count("grad_flow") &&
                                tr.outputs.at("grad_input").data.size() == gi.size() &&
                                tr.outputs.at("grad_flow").data.size() == gf.size();
        if (tr.ok() && !have_torch) row.fail("torch peer: missing or mis-sized gradients");
        if (have_torch) {
            double worst = 0;
            compare(row, "(grad_input)", gi, tr.outputs.at("grad_input").data, worst);
            compare(row, "(grad_flow)", gf, tr.outputs.at("grad_flow").data, worst);
            row.reference = kPeer;
            row.max_rel_err = worst;
            if (!(worst < kTol)) row.fail("halconv vs torch: max rel diff >= " + fmtd("%.0e", kTol));
        }
    }
    add_bandwidth_notes(row, peer, opts);
    return row;
}

std::vector<Row> run_family(const json::Value &entries, const Options &opts) {
    std::string why;
    if (!halconv::device_available(halconv::Device::CPU, &why))
        throw std::runtime_error("halconv CPU unavailable: " + why);
    std::vector<Row> rows;
    uint64_t seed = 7000;
    for (const auto &je : entries.elements()) {
        Entry e;
        try {
            e = Entry::from_json(je);
        } catch (const std::exception &ex) {
            Row r;
            r.family = "flow_warp";
            r.id = je.get_string("id", "?");
            r.status = Status::ERROR;
            r.notes.push_back(ex.what());
            rows.push_back(r);
            continue;
        }
        std::fprintf(stderr, "  flow_warp/%s: %s, forward\n", e.id.c_str(), describe(e.s).c_str());
        rows.push_back(run_forward(e, opts, seed));
        std::fprintf(stderr, "  flow_warp/%s: %s, backward\n", e.id.c_str(), describe(e.s).c_str());
        rows.push_back(run_backward(e, opts, seed + 100));
        seed += 1000;
    }
    return rows;
}

const char *kDoc =
    "What is measured: halconv's `flow_warp` (fwd) and `flow_warp_backward` (bwd, "
    "`GradAccumulation::Deterministic`) on the CPU, NCHW float32, caller-owned outputs allocated and touched "
    "before timing, against **torch** (`torch.nn.functional.grid_sample`, bilinear, `padding_mode=\"zeros\"`, "
    "`align_corners=True`, the flow converted to a normalised grid: the same operator, as BasicVSR++ writes "
    "it), run by `bench/torch_peer.py` in its own process on the same inputs with `torch.set_num_threads(--threads)`, "
    "interleaved with halconv (the process stays up, `torch_peer.py --serve`, and times its segments of calls "
    "between halconv's, in the same rounds). torch fwd = grid conversion + grid_sample under `no_grad` (allocates "
    "its output; grid_sample alone is in the notes); torch bwd = `torch.autograd.grad` of a graph built once "
    "(`retain_graph=True`): backward only, including the backward of the grid conversion (fwd + bwd in the notes). "
    "Inputs: input and grad_output uniform in [-1, 1), flow Gaussian (std 2 px), fixed seeds. GB/s = bytes / "
    "median time with every tensor read or written once (fwd: input + flow + output; bwd: input + flow + "
    "grad_output + grad_input + grad_flow); % copy bw of the measured copy bandwidth. Ratio = t_torch / "
    "t_halconv (> 1: halconv faster). No targets. `GradAccumulation::Atomic` is the same path as Deterministic "
    "on the CPU: timed too, its time and a bit comparison in the notes. Gate (1e-4): max |halconv - torch| / "
    "max |torch| over the whole output (bwd: grad_input and grad_flow, the max rel err column is the larger), "
    "both vs a naive double-precision flow_warp at sampled outputs (fwd), the deterministic backward "
    "bit-identical from call to call. Without /usr/bin/python3 or torch the torch column is empty and the notes "
    "say why (not a failure).";

}  // namespace

BENCH_REGISTER_FAMILY(FamilySpec{"flow_warp", "warp", {{kPeer, "torch ms"}}, {{kPeer, "ratio vs torch"}},
                                 [](const json::Value &entries, const Options &opts) {
                                     return run_family(entries, opts);
                                 },
                                 kDoc});

}  // namespace bench
