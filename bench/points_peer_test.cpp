// Checks the benchmark's plain OpenMP peer of points collection
// (points_peer.h) against the naive double-precision reference of the spec,
// forward and backward, on random cases and the spec's edge cases: samples
// partly / wholly outside the lower grid, integer positions, N = 1, M = 1,
// r = 1, an upsampled lower layer (h > H), batch > 1, non-finite offsets.
// Exit status 0 when all agree (1e-5 of the largest |value|, NaN / Inf in the
// same places). Needs no halconv: the bench compares halconv with this peer.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "points_peer.h"

namespace {

using points_peer::Dims;

void fill(std::vector<float> &v, uint64_t seed, float lo, float hi) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 12345;
    for (auto &x : v) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        const double u = double((s * 0x2545F4914F6CDD1Dull) >> 11) / double(uint64_t(1) << 53);
        x = float(lo + (hi - lo) * u);
    }
}

// max |a - b| / max |b| over finite pairs; non-finite values must match.
bool agree(const char *what, const std::vector<float> &a, const std::vector<float> &b, double tol) {
    double max_diff = 0, max_ref = 0;
    size_t mismatched = 0;
    for (size_t i = 0; i < a.size(); i++) {
        if (!std::isfinite(a[i]) || !std::isfinite(b[i])) {
            const bool same = (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
            if (!same) mismatched++;
            continue;
        }
        max_diff = std::max(max_diff, std::fabs(double(a[i]) - double(b[i])));
        max_ref = std::max(max_ref, std::fabs(double(b[i])));
    }
    const double rel = max_ref > 0 ? max_diff / max_ref : max_diff;
    const bool ok = mismatched == 0 && rel <= tol;
    if (!ok) std::printf("    %s: max rel diff %.3g, %zu non-finite mismatches\n", what, rel, mismatched);
    return ok;
}

struct Case {
    std::string name;
    Dims s;
    float offset = 3.0f;  // t uniform in [-offset, offset]
    int special = 0;      // 1: integer positions, 2: non-finite and far-away offsets
};

bool run(const Case &c, uint64_t seed) {
    const Dims &s = c.s;
    std::vector<float> t(s.t_size()), d(s.d_size()), g(s.p_size());
    fill(t, seed, -c.offset, c.offset);
    fill(d, seed + 1, -3.0f, 3.0f);
    fill(g, seed + 2, -1.0f, 1.0f);
    if (c.special == 1)
        for (auto &v : t) v = std::round(v);  // with r = 1 or 1/2: integer positions (half of them at r = 1/2)
    if (c.special == 2) {
        const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
        const float specials[] = {nan, inf, -inf, 1e30f, -1e30f, 3e9f, -2.5f * float(s.H)};
        for (size_t k = 0; k < t.size(); k += 3) t[k] = specials[(k / 3) % 7];
    }
    std::vector<float> p(s.p_size()), p_ref(s.p_size());
    std::vector<float> gt(s.t_size()), gd(s.d_size()), gt_ref(s.t_size()), gd_ref(s.d_size());
    bool ok = true;
    for (int threads : {1, 2, 3}) {
        points_peer::forward(s, t.data(), d.data(), p.data(), threads);
        points_peer::reference_forward(s, t.data(), d.data(), p_ref.data());
        ok &= agree("forward", p, p_ref, 1e-5);
        points_peer::backward(s, t.data(), d.data(), g.data(), gt.data(), gd.data(), threads);
        points_peer::reference_backward(s, t.data(), d.data(), g.data(), gt_ref.data(), gd_ref.data());
        ok &= agree("grad_t", gt, gt_ref, 1e-5);
        ok &= agree("grad_d", gd, gd_ref, 1e-5);
    }
    // A sample at a non-finite position outputs t itself (the spec's p = t).
    if (c.special == 2) {
        const size_t HW = size_t(s.H) * s.W;
        for (int b = 0; b < s.B; b++)
            for (int n = 0; n < s.N; n++)
                for (size_t pix = 0; pix < HW; pix++) {
                    const float y = t[(size_t(b) * 2 * s.N + 2 * n) * HW + pix];
                    const float x = t[(size_t(b) * 2 * s.N + 2 * n + 1) * HW + pix];
                    if (std::isfinite(y) && std::isfinite(x)) continue;
                    for (int m = 0; m < s.M; m++) {
                        const float *o = &p[((size_t(b) * s.N + n) * s.M + m) * 2 * HW + pix];
                        const bool same = (std::isnan(o[0]) ? std::isnan(y) : o[0] == y) &&
                                          (std::isnan(o[HW]) ? std::isnan(x) : o[HW] == x);
                        if (!same) {
                            std::printf("    non-finite sample: p != t\n");
                            return false;
                        }
                    }
                }
    }
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name.c_str());
    return ok;
}

}  // namespace

int main() {
    std::vector<Case> cases = {
        {"random B2 N3 M2 7x9 -> 5x4", {2, 3, 2, 7, 9, 5, 4}},
        {"suite-like B1 N9 M9 16x16 -> 8x8", {1, 9, 9, 16, 16, 8, 8}},
        {"N=1 M=1 r=1", {1, 1, 1, 6, 5, 6, 5}},
        {"upsampled h > H", {1, 2, 3, 5, 4, 11, 9}},
        {"far out of the grid", {2, 2, 2, 6, 6, 3, 3}, 12.0f},
        {"integer positions r=1", {1, 2, 2, 6, 7, 6, 7}, 3.0f, 1},
        {"integer positions r=1/2", {1, 2, 2, 8, 6, 4, 3}, 3.0f, 1},
        {"non-finite and huge offsets", {2, 2, 3, 6, 5, 4, 3}, 3.0f, 2},
        {"1x1 lower grid", {1, 2, 2, 4, 4, 1, 1}},
    };
    bool ok = true;
    uint64_t seed = 1;
    for (auto &c : cases) ok &= run(c, seed += 10);
    std::printf("%s\n", ok ? "points peer: all agree with the reference" : "points peer: FAILED");
    return ok ? 0 : 1;
}
