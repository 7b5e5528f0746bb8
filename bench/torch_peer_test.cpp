// Checks the torch peer's interleaved mode (torch_peer::Session, the
// benchmarks' way of timing torch between halconv's segments):
//  - no interpreter / an interpreter that fails: a clear Result, no timed
//    items, no hang;
//  - with /usr/bin/python3 and torch: the outputs of a small flow_warp equal
//    the naive bilinear warp; segments return the calls asked for (and more
//    when min_time asks for it); an unknown timing is an error naming it;
//    time_interleaved alternates a local fn with the peer and finish()
//    carries the peer's statistics; a killed peer process fails the next
//    segment with a message instead of hanging.
// Without torch the torch part is skipped with a message (exit 0).
// Exit status 0 when everything holds.
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "torch_peer.h"

namespace {

int failures = 0;

void check(bool ok, const std::string &what) {
    std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) failures++;
}

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

struct WarpInputs {
    int N = 1, C = 2, H = 5, W = 7;
    std::vector<float> x, flow;
    WarpInputs() {
        x.resize(size_t(N * C * H * W));
        flow.resize(size_t(N * 2 * H * W));
        for (size_t i = 0; i < x.size(); i++) x[i] = float(std::sin(0.7 * double(i)));
        for (size_t i = 0; i < flow.size(); i++) flow[i] = float(1.3 * std::cos(1.1 * double(i)));
    }
    bench::torch_peer::Request request() const {
        bench::torch_peer::Request r;
        r.op = "flow_warp";
        r.threads = 1;
        r.timeout_s = 120;
        r.inputs = {{"input", {N, C, H, W}, x.data()}, {"flow", {N, 2, H, W}, flow.data()}};
        return r;
    }
    // Bilinear with zeros outside, flow channel 0 = dx, 1 = dy.
    double warp(int n, int c, int y, int xx) const {
        const size_t plane = size_t(H * W);
        const double px = xx + flow[(size_t(n) * 2 + 0) * plane + size_t(y * W + xx)];
        const double py = y + flow[(size_t(n) * 2 + 1) * plane + size_t(y * W + xx)];
        const double x0 = std::floor(px), y0 = std::floor(py);
        double v = 0;
        for (int dy = 0; dy < 2; dy++)
            for (int dx = 0; dx < 2; dx++) {
                const double qx = x0 + dx, qy = y0 + dy;
                if (qx < 0 || qx >= W || qy < 0 || qy >= H) continue;
                const double w = (1 - std::fabs(px - qx)) * (1 - std::fabs(py - qy));
                v += w * x[(size_t(n) * C + size_t(c)) * plane + size_t(qy) * W + size_t(qx)];
            }
        return v;
    }
};

// A peer that cannot start: a Result that says why, no timed items, no hang.
void test_start_failure(const char *interpreter, const std::string &what, bool available, const std::string &says) {
    setenv("HALCONV_BENCH_PYTHON", interpreter, 1);
    const WarpInputs in;
    bench::torch_peer::Session s(in.request());
    bench::Measurement m("torch");
    check(s.timed({"forward"}, {&m}).empty(), what + ": no timed items");
    const bench::torch_peer::Result r = s.finish();
    const std::string why = available ? r.error : r.unavailable;
    check(r.available == available && contains(why, says), what + ": says why (" + why + ")");
    unsetenv("HALCONV_BENCH_PYTHON");
}

// Returns false when torch is missing (the rest is skipped).
bool test_with_torch() {
    const WarpInputs in;
    bench::torch_peer::Session peer(in.request());
    bench::Measurement forward("torch"), local("local");
    std::vector<bench::Timed> timed = peer.timed({"forward"}, {&forward});
    if (timed.empty()) {
        const bench::torch_peer::Result r = peer.finish();
        if (!r.available) {
            std::printf("skipped: torch peer unavailable: %s\n", r.unavailable.c_str());
            return false;
        }
        check(false, "the torch peer started: " + r.error);
        return true;
    }
    check(timed.size() == 1 && bool(timed[0].remote) && !timed[0].fn, "one remote item per timing");

    // Segments.
    const bench::RemoteSegment a = peer.segment("forward", 3, 0.0);
    check(a.ms.size() == 3, "a segment of 3 calls returns 3 samples (" + std::to_string(a.ms.size()) + ")");
    bool positive = !a.ms.empty();
    for (double v : a.ms) positive = positive && v > 0 && std::isfinite(v);
    check(positive, "the samples are positive times");
    const bench::RemoteSegment b = peer.segment("forward", 1, 0.05);
    double sum = 0;
    for (double v : b.ms) sum += v;
    check(b.ms.size() >= 2 && sum >= 40, "min_time keeps the segment going (" + std::to_string(b.ms.size()) +
                                             " calls, " + std::to_string(sum) + " ms)");
    try {
        peer.segment("no_such_timing", 1, 0);
        check(false, "an unknown timing throws");
    } catch (const std::exception &e) {
        check(contains(e.what(), "no_such_timing"), std::string("an unknown timing throws, naming it: ") + e.what());
    }

    // Interleaved with a local implementation.
    int local_calls = 0;
    volatile double sink = 0;
    timed.push_back({&local, [&] {
                         local_calls++;
                         for (int i = 0; i < 20000; i++) sink = sink + std::sqrt(double(i));
                     }});
    bench::Options opts;
    opts.min_runs = 6;
    opts.min_time = 0.06;
    opts.rounds = 2;
    bench::time_interleaved(timed, opts);
    check(forward.ok() && forward.t.runs >= 6, "the peer was timed interleaved (" + std::to_string(forward.t.runs) +
                                                   " runs, " + forward.error + ")");
    check(local.ok() && local_calls > 6, "the local implementation too");
    const bench::torch_peer::Result r = peer.finish();
    check(r.ok() && r.timings.count("forward") && r.timings.at("forward").median_ms == forward.t.median_ms,
          "finish() carries the interleaved statistics");
    bool outputs_ok = r.outputs.count("output") == 1;
    if (outputs_ok) {
        const auto &o = r.outputs.at("output");
        outputs_ok = o.shape == std::vector<int64_t>{in.N, in.C, in.H, in.W};
        double worst = 0;
        for (int c = 0; outputs_ok && c < in.C; c++)
            for (int y = 0; y < in.H; y++)
                for (int x = 0; x < in.W; x++)
                    worst = std::max(worst, std::fabs(o.data[size_t((c * in.H + y) * in.W + x)] - in.warp(0, c, y, x)));
        outputs_ok = outputs_ok && worst < 1e-5;
    }
    check(outputs_ok, "the peer's output is the bilinear warp");

    // A peer process that dies: the next segment fails with a message.
    bench::torch_peer::Session doomed(in.request());
    bench::Measurement m("torch");
    if (doomed.timed({"forward"}, {&m}).size() == 1) {
        kill(doomed.pid(), SIGKILL);
        try {
            doomed.segment("forward", 1, 0);
            check(false, "a killed peer fails the next segment");
        } catch (const std::exception &e) {
            check(contains(e.what(), "ended"), std::string("a killed peer fails the next segment: ") + e.what());
        }
    } else {
        check(false, "a second session started");
    }
    return true;
}

}  // namespace

int main() {
    try {
        test_start_failure("/nonexistent/python3", "no interpreter", false, "/nonexistent/python3");
        test_start_failure("/bin/false", "failing interpreter", true, "exit status 1");
        test_with_torch();
    } catch (const std::exception &e) {
        check(false, std::string("unexpected exception: ") + e.what());
    }
    std::printf("%s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
