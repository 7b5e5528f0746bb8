#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "bench.h"

namespace bench {

const char *status_name(Status s) {
    switch (s) {
    case Status::OK: return "OK";
    case Status::FAILED: return "FAILED";
    case Status::ERROR: return "ERROR";
    }
    return "?";
}

std::vector<FamilySpec> &family_registry() {
    static std::vector<FamilySpec> r;
    return r;
}

const Measurement *Row::peer(const std::string &key) const {
    for (auto &m : peers)
        if (m.key == key) return &m;
    return nullptr;
}

CpuSnapshot CpuSnapshot::now() {
    CpuSnapshot s;
    if (std::FILE *f = std::fopen("/proc/stat", "r")) {
        long long user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
        if (std::fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &user, &nice, &sys, &idle, &iowait,
                        &irq, &softirq, &steal) == 8) {
            s.busy_ticks = user + nice + sys + irq + softirq;
            s.steal_ticks = steal;
            s.total_ticks = s.busy_ticks + idle + iowait + steal;
        }
        std::fclose(f);
    }
    if (std::FILE *f = std::fopen("/proc/self/stat", "r")) {
        char buf[1024];
        size_t n = std::fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        std::fclose(f);
        // After the ")" closing the command name: field 3 (state) onwards;
        // utime and stime are fields 14 and 15.
        if (const char *p = std::strrchr(buf, ')')) {
            p += 2;
            long long utime = 0, stime = 0;
            for (int field = 3; field <= 15 && *p; field++) {
                if (field == 14) utime = std::atoll(p);
                if (field == 15) stime = std::atoll(p);
                while (*p && *p != ' ') p++;
                while (*p == ' ') p++;
            }
            s.self_ticks = utime + stime;
        }
    }
    return s;
}

double CpuSnapshot::foreign_since(const CpuSnapshot &b) const {
    const double total = double(total_ticks - b.total_ticks);
    if (!(total > 0)) return kNaN;
    const double foreign = double((busy_ticks - b.busy_ticks) - (self_ticks - b.self_ticks));
    return std::max(0.0, foreign / total);
}

long long CpuSnapshot::foreign_ticks_since(const CpuSnapshot &b) const {
    return std::max(0LL, (busy_ticks - b.busy_ticks) - (self_ticks - b.self_ticks));
}

long long CpuSnapshot::total_ticks_since(const CpuSnapshot &b) const {
    return total_ticks - b.total_ticks;
}

double CpuSnapshot::steal_since(const CpuSnapshot &b) const {
    const double total = double(total_ticks - b.total_ticks);
    return total > 0 ? double(steal_ticks - b.steal_ticks) / total : kNaN;
}

bool wait_for_idle(double max_s) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::duration<double>(max_s);
    bool warned = false;
    while (true) {
        CpuSnapshot a = CpuSnapshot::now();
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const CpuSnapshot b = CpuSnapshot::now();
        const double f = b.foreign_since(a);
        if (!is_noisy(b.foreign_ticks_since(a), b.total_ticks_since(a))) return true;
        if (clock::now() >= deadline) return false;
        if (!warned) {
            std::fprintf(stderr, "  (waiting for the machine to be idle: other processes use %.0f%%)\n", 100 * f);
            warned = true;
        }
    }
}

namespace {

using bench_clock = std::chrono::steady_clock;

double secs_since(bench_clock::time_point t0) {
    return std::chrono::duration<double>(bench_clock::now() - t0).count();
}

void settle() {
    // Let spinning OpenMP / Halide workers of the previous segment sleep.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
}

TimingStats stats_of(std::vector<double> ms, long long foreign_ticks, long long total_ticks) {
    TimingStats st;
    if (ms.empty()) return st;
    st.foreign_ticks = foreign_ticks;
    st.total_ticks = total_ticks;
    st.foreign_cpu = total_ticks > 0 ? double(foreign_ticks) / double(total_ticks) : 0.0;
    st.runs = int(ms.size());
    double sum = 0;
    for (double v : ms) sum += v;
    st.mean_ms = sum / double(ms.size());
    st.min_ms = *std::min_element(ms.begin(), ms.end());
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    double hi = ms[ms.size() / 2];
    if (ms.size() % 2 == 0) {
        double lo = *std::max_element(ms.begin(), ms.begin() + ms.size() / 2);
        st.median_ms = 0.5 * (lo + hi);
    } else {
        st.median_ms = hi;
    }
    return st;
}

}  // namespace

void time_interleaved(const std::vector<Timed> &items, const Options &opts) {
    struct State {
        std::vector<double> ms;
        double est_s = 0;       // seconds per call, from the warm-up
        long long foreign_ticks = 0, total_ticks = 0;  // over accepted segments
        bool alive = true;
    };
    std::vector<State> st(items.size());
    auto guard = [&](size_t i, const std::function<void()> &body) {
        try {
            body();
        } catch (const std::exception &e) {
            items[i].m->error = e.what();
            st[i].alive = false;
            st[i].ms.clear();
        }
    };

    // After a remote segment the peer's worker threads still spin for ~0.1 s
    // (OpenBLAS's idle threads poll before they sleep), and the next segment
    // ran slower for a while longer: on dcn_r50's backward, the halconv
    // call timed right after torch's segment took 1.07-1.08x the same
    // call's time after another halconv segment with a 250 ms pause,
    // 1.01-1.03x with 1.5 s. Pause 1 s.
    auto after_remote = [&](size_t i) {
        if (items[i].remote) std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    };

    // Warm-up.
    const double warm_target = std::max(0.05, 0.1 * opts.min_time);
    for (size_t i = 0; i < items.size(); i++) {
        items[i].m->error.clear();
        guard(i, [&] {
            settle();
            if (items[i].remote) {
                const RemoteSegment w = items[i].remote(2, warm_target);
                after_remote(i);
                double sum = 0;
                for (double v : w.ms) sum += v;
                if (!w.ms.empty()) st[i].est_s = sum / double(w.ms.size()) / 1e3;
                return;
            }
            items[i].fn();
            auto w0 = bench_clock::now();
            int warm = 0;
            double elapsed = 0;
            while (warm < 2 || elapsed < warm_target) {
                items[i].fn();
                warm++;
                elapsed = secs_since(w0);
                if (warm >= 1000000) break;
            }
            st[i].est_s = elapsed / warm;
        });
    }

    // Timed rounds.
    const int rounds = std::max(1, opts.rounds);
    const double seg_time = opts.min_time / rounds;
    const int seg_min_runs = (opts.min_runs + rounds - 1) / rounds;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < items.size(); i++) {
            if (!st[i].alive) continue;
            guard(i, [&] {
                int runs = seg_min_runs;
                if (st[i].est_s > 0)
                    runs = int(std::min(2e6, std::max<double>(runs, std::ceil(seg_time / st[i].est_s))));
                // With --wait-idle, a segment disturbed by other processes is
                // measured again (twice at most) after waiting for quiet.
                const int attempts = opts.wait_idle > 0 ? 3 : 1;
                std::vector<double> best;
                long long best_foreign = -1, best_total = 0;
                for (int a = 0; a < attempts; a++) {
                    if (opts.wait_idle > 0) wait_for_idle(opts.wait_idle);
                    settle();
                    std::vector<double> ms;
                    long long own_remote = 0;
                    CpuSnapshot cpu0, cpu1;
                    if (items[i].remote) {
                        cpu0 = CpuSnapshot::now();
                        RemoteSegment seg = items[i].remote(runs, seg_time);
                        cpu1 = CpuSnapshot::now();
                        after_remote(i);
                        ms = std::move(seg.ms);
                        own_remote = seg.own_ticks;
                    } else {
                        items[i].fn();  // re-warm after the sleep, untimed
                        ms.reserve(size_t(runs) + 256);
                        cpu0 = CpuSnapshot::now();
                        double total = 0;
                        // Keep going past the estimate if calls got faster than it.
                        while (int(ms.size()) < runs || total < seg_time) {
                            auto t0 = bench_clock::now();
                            items[i].fn();
                            double dt = secs_since(t0);
                            ms.push_back(dt * 1e3);
                            total += dt;
                            if (ms.size() >= 4000000) break;
                        }
                        cpu1 = CpuSnapshot::now();
                    }
                    if (ms.empty()) throw std::runtime_error("the timed segment returned no samples");
                    const long long f = std::max(0LL, cpu1.foreign_ticks_since(cpu0) - own_remote),
                                    t = cpu1.total_ticks_since(cpu0);
                    // Keep the least disturbed attempt (share of foreign ticks).
                    if (best_foreign < 0 || double(f) * double(std::max(1LL, best_total)) <
                                                double(best_foreign) * double(std::max(1LL, t))) {
                        best = std::move(ms);
                        best_foreign = f;
                        best_total = t;
                    }
                    if (!is_noisy(best_foreign, best_total)) break;
                }
                st[i].ms.insert(st[i].ms.end(), best.begin(), best.end());
                st[i].foreign_ticks += best_foreign;
                st[i].total_ticks += best_total;
            });
        }
    }
    for (size_t i = 0; i < items.size(); i++) {
        if (st[i].alive) items[i].m->t = stats_of(std::move(st[i].ms), st[i].foreign_ticks, st[i].total_ticks);
        else items[i].m->t = TimingStats{};
    }
}

TimingStats time_fn(const std::function<void()> &fn, const Options &opts) {
    Measurement m;
    time_interleaved({{&m, fn}}, opts);
    if (!m.error.empty()) throw std::runtime_error(m.error);
    return m.t;
}

double max_rel_err(const float *a, const float *b, size_t n) {
    double max_diff = 0, max_ref = 0;
    for (size_t i = 0; i < n; i++) {
        double d = std::fabs(double(a[i]) - double(b[i]));
        if (!(d <= max_diff)) max_diff = d;  // propagates NaN
        max_ref = std::max(max_ref, std::fabs(double(b[i])));
    }
    if (std::isnan(max_diff)) return kNaN;
    if (max_ref == 0) return max_diff == 0 ? 0 : std::numeric_limits<double>::infinity();
    return max_diff / max_ref;
}

void check_against(Row &row, const float *out, const float *ref, size_t n, const std::string &ref_key) {
    row.reference = ref_key;
    row.max_rel_err = max_rel_err(out, ref, n);
    if (!(row.max_rel_err < kMaxRelErr)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "halconv vs %s: max rel err %.3g >= %.0e", ref_key.c_str(),
                      row.max_rel_err, kMaxRelErr);
        row.fail(buf);
    }
}

double sampled_err(const float *out, const std::vector<size_t> &idx, const std::vector<double> &expected) {
    double max_diff = 0, max_ref = 0;
    for (size_t i = 0; i < idx.size(); i++) {
        double d = std::fabs(double(out[idx[i]]) - expected[i]);
        if (!(d <= max_diff)) max_diff = d;
        max_ref = std::max(max_ref, std::fabs(expected[i]));
    }
    if (std::isnan(max_diff)) return kNaN;
    return max_ref > 0 ? max_diff / max_ref : max_diff;
}

std::vector<size_t> sample_indices(size_t n, int count, uint64_t seed) {
    std::vector<size_t> idx;
    if (n == 0) return idx;
    if (size_t(count) >= n) {
        for (size_t i = 0; i < n; i++) idx.push_back(i);
        return idx;
    }
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    // Always include the first and last elements (borders are where bugs hide).
    idx.push_back(0);
    idx.push_back(n - 1);
    while (int(idx.size()) < count) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        idx.push_back(size_t((s * 0x2545F4914F6CDD1Dull) % n));
    }
    return idx;
}

void fill_uniform(std::vector<float> &v, uint64_t seed, float scale) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    for (auto &x : v) {
        // xorshift64*
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        uint64_t r = s * 0x2545F4914F6CDD1Dull;
        x = scale * (float((r >> 40) & 0xFFFFFF) / float(1 << 23) - 1.0f);
    }
}

double speed_ratio(const Measurement &peer, const Measurement &halconv) {
    if (!peer.ok() || !halconv.ok()) return kNaN;
    return peer.t.median_ms / halconv.t.median_ms;
}

double column_ratio(const Row &row, const Column &col) {
    if (col.best_of.empty()) {
        const Measurement *m = row.peer(col.key);
        return m ? speed_ratio(*m, row.halconv) : kNaN;
    }
    const Measurement *best = nullptr;
    for (const auto &k : col.best_of) {
        const Measurement *m = row.peer(k);
        if (m && m->ok() && (!best || m->t.median_ms < best->t.median_ms)) best = m;
    }
    return best ? speed_ratio(*best, row.halconv) : kNaN;
}

}  // namespace bench
