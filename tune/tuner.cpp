#include "tune/tuner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <mutex>
#include <optional>
#include <thread>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "tune/jit.h"
#include "tune/records.h"
#include "tune/strategy.h"

#ifndef HALCONV_VERSION
#define HALCONV_VERSION "unknown"
#endif

namespace halconv {
namespace tune {

std::atomic<bool> interrupt_requested{false};

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void on_sigint(int) {
    // First Ctrl-C: finish cleanly at the next trial boundary. Second: die.
    if (interrupt_requested.exchange(true)) std::_Exit(130);
}

struct Timing {
    double median_ms = 0, spread_ms = 0, min_ms = 0;
    int repeats = 0;
    long page_faults = 0;  // minor + major faults during the timed calls
};

long faults_now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt + u.ru_majflt;
}

// Warm-up (at least 2 calls and 0.1 s: code, caches, the allocation cache
// of tune/jit.cpp), then calls timed one by one until min_time_s and
// min_repeats are both reached (at most 2000 calls).
std::string measure(Candidate &c, Problem &p, const TuneOptions &o, Timing &t) {
    const auto warm_start = Clock::now();
    for (int i = 0; i < 2 || seconds_since(warm_start) < 0.1; i++) {
        std::string err = c.run(p);
        if (!err.empty()) return err;
        if (i > 50) break;
    }
    std::vector<double> ms;
    const long faults_before = faults_now();
    const auto start = Clock::now();
    while ((int)ms.size() < o.min_repeats || seconds_since(start) < o.min_time_s) {
        const auto a = Clock::now();
        std::string err = c.run(p);
        if (!err.empty()) return err;
        ms.push_back(seconds_since(a) * 1e3);
        if (ms.size() >= 2000) break;
    }
    t.page_faults = faults_now() - faults_before;
    std::sort(ms.begin(), ms.end());
    auto quantile = [&](double q) { return ms[std::min(ms.size() - 1, size_t(q * (ms.size() - 1) + 0.5))]; };
    t.median_ms = quantile(0.5);
    t.spread_ms = quantile(0.75) - quantile(0.25);
    t.min_ms = ms.front();
    t.repeats = (int)ms.size();
    return "";
}

// Deep copies of the outputs: the reference the candidates must match.
std::vector<Halide::Buffer<>> snapshot(const Problem &p) {
    std::vector<Halide::Buffer<>> out;
    for (const std::string &name : p.outputs) out.push_back(p.buffers.at(name).copy());
    return out;
}

// Poisons the outputs so that a candidate which skips writing some of them
// cannot pass by inheriting the previous candidate's values.
void poison_outputs(Problem &p) {
    for (const std::string &name : p.outputs) {
        Halide::Buffer<> &b = p.buffers.at(name);
        std::memset(b.data(), 0xA5, b.size_in_bytes());
        b.set_host_dirty();
    }
}

// "" when every output matches the reference (floats within
// rel_tolerance * max|reference|, NaN where the reference has NaN; other
// types exactly); otherwise where and by how much it differs.
std::string compare(const Problem &p, const std::vector<Halide::Buffer<>> &reference) {
    for (size_t i = 0; i < p.outputs.size(); i++) {
        const Halide::Buffer<> &got = p.buffers.at(p.outputs[i]);
        const Halide::Buffer<> &want = reference[i];
        const size_t n = want.number_of_elements();
        if (got.number_of_elements() != n) return p.outputs[i] + ": size differs";
        if (want.type() == Halide::Float(32)) {
            const float *a = static_cast<const float *>(got.data()), *b = static_cast<const float *>(want.data());
            double scale = 0;
            for (size_t j = 0; j < n; j++)
                if (std::isfinite(b[j])) scale = std::max(scale, (double)std::fabs(b[j]));
            const double tolerance = p.rel_tolerance * std::max(scale, 1e-30);
            for (size_t j = 0; j < n; j++) {
                const bool nan_ok = std::isnan(a[j]) && std::isnan(b[j]);
                const double diff = std::fabs((double)a[j] - (double)b[j]);
                if (!nan_ok && !(diff <= tolerance) && !(a[j] == b[j])) {
                    std::ostringstream s;
                    s << p.outputs[i] << "[" << j << "] = " << a[j] << ", hand schedule gives " << b[j]
                      << " (tolerance " << tolerance << ")";
                    return s.str();
                }
            }
        } else if (std::memcmp(got.data(), want.data(), want.size_in_bytes()) != 0) {
            return p.outputs[i] + ": differs from the hand schedule (exact comparison)";
        }
    }
    return "";
}

// Watches a guarded scope from a thread: every `period` it asks `check`;
// a reason (non-empty) abandons the candidate: its record is written with
// status failed and that reason, and the process exits with
// kExitCompileTimeout (LLVM cannot be stopped from outside); running again
// resumes after it. Nothing happens once the scope has ended.
class CandidateGuard {
public:
    using Check = std::function<std::string(Record &)>;
    CandidateGuard(const std::string &records, Record r, std::chrono::duration<double> period, Check check)
        : record_(std::move(r)) {
        thread_ = std::thread([this, records, period, check] {
            std::unique_lock<std::mutex> lock(mutex_);
            while (!cv_.wait_for(lock, period, [this] { return done_; })) {
                const std::string why = check(record_);
                if (why.empty()) continue;
                record_.status = "failed";
                record_.error = why + ": abandoned (the process exits; running again resumes after it)";
                record_.time = utc_now();
                append_record(records, record_);
                std::fprintf(stderr, "\nhalconv tune: %s %s: %s\n", record_.op.c_str(), record_.entry.c_str(),
                             record_.error.c_str());
                std::_Exit(kExitCompileTimeout);
            }
        });
    }
    ~CandidateGuard() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            done_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }

private:
    Record record_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_;
};

// Guards one compilation: still running after the timeout, it is abandoned.
std::optional<CandidateGuard> compile_watchdog(const TuneOptions &o, const Record &r) {
    if (o.compile_timeout_s <= 0) return std::nullopt;
    const double limit = o.compile_timeout_s;
    return std::optional<CandidateGuard>(std::in_place, o.records, r, std::chrono::duration<double>(limit),
                                         [limit](Record &rec) {
                                             rec.compile_s = limit;
                                             return "compilation took more than " + std::to_string((int)limit) + " s";
                                         });
}

// The process's resident memory in bytes (/proc/self/statm), 0 if unknown.
double resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    double pages_total = 0, pages_resident = 0;
    if (!(statm >> pages_total >> pages_resident)) return 0;
    return pages_resident * double(sysconf(_SC_PAGESIZE));
}

double memory_limit_bytes(const TuneOptions &o) {
    if (o.memory_limit_gb > 0) return o.memory_limit_gb * 1e9;
    const double physical = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
    return physical > 0 ? 0.75 * physical : 0;
}

// Guards one candidate, its compilation and its runs: past the memory
// limit (polled every 50 ms) it is abandoned. (On 2026-11-22 Adams2019's
// pipeline for deform_conv2d grew to 24 GB and the kernel's OOM killer
// ended scripts/tune-suite without a record.)
std::optional<CandidateGuard> memory_guard(const TuneOptions &o, const Record &r) {
    const double limit = memory_limit_bytes(o);
    if (limit <= 0) return std::nullopt;
    return std::optional<CandidateGuard>(std::in_place, o.records, r, std::chrono::milliseconds(50),
                                         [limit](Record &) {
                                             const double used = resident_bytes();
                                             if (used <= limit) return std::string();
                                             std::ostringstream why;
                                             why << std::fixed << std::setprecision(3) << "used " << used / 1e9
                                                 << " GB of memory, past the limit of " << limit / 1e9
                                                 << " GB (--memory-limit)";
                                             return why.str();
                                         });
}

Record base_record(const Problem &p, const TuneOptions &o, const Halide::Target &target, const Machine &machine) {
    Record r;
    r.op = p.op;
    r.entry = p.entry;
    r.shape = p.shape;
    r.shape_class = p.shape_class;
    r.target = o.device;
    r.halide_target = target.without_feature(Halide::Target::JIT).without_feature(Halide::Target::UserContext).to_string();
    r.halconv_version = HALCONV_VERSION;
    r.machine = machine;
    return r;
}

void fill_timing(Record &r, const Timing &t, const Problem &p) {
    r.status = "ok";
    r.median_ms = t.median_ms;
    r.spread_ms = t.spread_ms;
    r.min_ms = t.min_ms;
    r.repeats = t.repeats;
    if (p.flops > 0) r.gflops = p.flops / (t.median_ms * 1e6);
}

// The gate, then the timing: status ok with the timing, or failed (did not
// build or run) or wrong (differs from the hand schedule) with the reason.
void evaluate(Candidate &c, Problem &p, const std::vector<Halide::Buffer<>> &reference, const TuneOptions &o,
              Record &r) {
    std::string err;
    Timing t;
    if (!c.ok()) {
        r.status = "failed";
        r.error = c.error();
        return;
    }
    poison_outputs(p);
    if (!(err = c.run(p)).empty()) {
        r.status = "failed";
    } else if (!(err = compare(p, reference)).empty()) {
        r.status = "wrong";
    } else if (!(err = measure(c, p, o, t)).empty()) {
        r.status = "failed";
    } else {
        fill_timing(r, t, p);
        return;
    }
    r.error = err;
}

double quantile_of(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(q * (v.size() - 1) + 0.5))];
}

// The confirmation of TuneOptions: candidates[0] is the hand schedule. Each
// round times every candidate once, `calls` calls in a row, in an order
// rotated from round to round; returns per candidate the per-call times of
// each round ("" or the first error).
std::string alternate(std::vector<Candidate *> &candidates, Problem &p, int rounds, int calls,
                      std::vector<std::vector<double>> &ms) {
    ms.assign(candidates.size(), {});
    for (Candidate *c : candidates)
        for (int i = 0; i < 2; i++)
            if (std::string err = c->run(p); !err.empty()) return err;
    for (int round = 0; round < rounds && !interrupt_requested; round++) {
        for (size_t k = 0; k < candidates.size(); k++) {
            const size_t i = (k + round) % candidates.size();
            const auto a = Clock::now();
            for (int call = 0; call < calls; call++)
                if (std::string err = candidates[i]->run(p); !err.empty()) return err;
            ms[i].push_back(seconds_since(a) * 1e3 / calls);
        }
    }
    return "";
}

std::string fmt_ms(double ms) {
    std::ostringstream s;
    s << std::setprecision(ms < 10 ? 3 : 4) << ms << " ms";
    return s.str();
}

class Progress {
public:
    Progress(std::ostream &log, bool bar, int total) : log_(log), bar_(bar && isatty(fileno(stderr))), total_(total) {}
    void update(int done, double best_ms, double hand_ms, const std::string &last) {
        std::ostringstream s;
        if (total_ > 0) {
            const int width = 24, filled = std::min(width, done * width / std::max(1, total_));
            s << "[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done << "/" << total_;
        } else {
            s << done << " trials";
        }
        if (best_ms > 0) {
            s << "  best " << fmt_ms(best_ms);
            if (hand_ms > 0) s << " (" << std::fixed << std::setprecision(2) << hand_ms / best_ms << "x hand)";
        }
        s << "  last: " << last;
        if (bar_) {
            std::string line = s.str();
            if (line.size() > 118) line = line.substr(0, 118);
            std::fprintf(stderr, "\r%-118s", line.c_str());
            std::fflush(stderr);
        } else {
            log_ << "  " << s.str() << "\n";
        }
    }
    void finish() {
        if (bar_) std::fprintf(stderr, "\n");
    }

private:
    std::ostream &log_;
    bool bar_;
    int total_;
};

// Confirms the fastest tuned candidates of the entry against the hand
// schedule (TuneOptions::confirm_top): the gate again, then alternation.
void confirm_best(Problem &p, const SearchSpace &space, const Halide::Target &target,
                  const std::vector<Halide::Buffer<>> &reference, const Record &base, const TuneOptions &o, int top,
                  std::ostream &log, const std::function<void(const Record &)> &append) {
    std::vector<std::string> warnings;
    const std::vector<Record> records = load_records(o.records, &warnings);
    auto same_entry = [&](const Record &r) { return r.op == p.op && r.entry == p.entry && r.target == o.device; };
    const std::string hand_key = params_key(space.hand());
    std::set<std::string> taken{hand_key};
    for (const Record &r : records)
        if (same_entry(r) && r.kind == "confirm") taken.insert(params_key(space.complete(r.params)));
    std::vector<const Record *> ranked;
    for (const Record &r : records)
        if (same_entry(r) && r.kind == "tuned" && r.ok()) ranked.push_back(&r);
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Record *a, const Record *b) { return a->median_ms < b->median_ms; });
    std::vector<Record> chosen;
    for (const Record *r : ranked) {
        if ((int)chosen.size() >= top) break;
        const Params params = space.complete(r->params);
        if (!taken.insert(params_key(params)).second) continue;
        Record c = base;
        c.kind = "confirm";
        c.strategy = r->strategy;
        c.trial = r->trial;
        c.params = params;
        chosen.push_back(c);
    }
    if (chosen.empty()) {
        log << "  confirmation: no unconfirmed tuned candidate\n";
        return;
    }

    auto hand = Candidate::build(p, space.hand(), target);
    if (!hand->ok()) throw std::runtime_error(p.op + " " + p.entry + ": the hand schedule does not build: " + hand->error());
    std::vector<std::unique_ptr<Candidate>> built;
    std::vector<Record> measured;
    std::vector<Candidate *> alternating{hand.get()};
    for (Record &c : chosen) {
        if (interrupt_requested) return;
        std::unique_ptr<Candidate> candidate;
        {
            auto watchdog = compile_watchdog(o, c);
            candidate = Candidate::build(p, c.params, target);
        }
        c.compile_s = candidate->compile_seconds();
        std::string err;
        if (!candidate->ok()) {
            c.status = "failed";
            c.error = candidate->error();
        } else {
            poison_outputs(p);
            if (!(err = candidate->run(p)).empty()) {
                c.status = "failed";
            } else if (!(err = compare(p, reference)).empty()) {
                c.status = "wrong";
            }
            c.error = err;
        }
        if (!c.status.empty()) {
            append(c);
            log << "  confirmation of " << c.strategy << " trial " << c.trial << ": " << c.status << ": "
                << c.error.substr(0, 200) << "\n";
            continue;
        }
        alternating.push_back(candidate.get());
        built.push_back(std::move(candidate));
        measured.push_back(c);
    }
    if (measured.empty()) return;

    // Calls per sample: enough for confirm_sample_ms (a short call alone
    // would time the clock and the thread pool's wake-up).
    Timing probe;
    TuneOptions quick = o;
    quick.min_time_s = 0.05;
    quick.min_repeats = 3;
    if (std::string err = measure(*hand, p, quick, probe); !err.empty())
        throw std::runtime_error(p.op + " " + p.entry + ": timing the hand schedule: " + err);
    const int calls = std::max(1, (int)std::ceil(o.confirm_sample_ms / std::max(probe.median_ms, 1e-3)));
    std::vector<std::vector<double>> ms;
    if (std::string err = alternate(alternating, p, o.confirm_rounds, calls, ms); !err.empty())
        throw std::runtime_error(p.op + " " + p.entry + ": confirmation run: " + err);
    if (interrupt_requested || ms[0].empty()) return;  // an interrupted comparison is not recorded
    const double hand_median = quantile_of(ms[0], 0.5);
    for (size_t i = 0; i < measured.size(); i++) {
        Record &c = measured[i];
        const std::vector<double> &t = ms[i + 1];
        std::vector<double> ratio;
        for (size_t r = 0; r < t.size(); r++) ratio.push_back(ms[0][r] / t[r]);
        c.status = "ok";
        c.median_ms = quantile_of(t, 0.5);
        c.spread_ms = quantile_of(t, 0.75) - quantile_of(t, 0.25);
        c.min_ms = *std::min_element(t.begin(), t.end());
        c.repeats = (int)t.size();
        if (p.flops > 0) c.gflops = p.flops / (c.median_ms * 1e6);
        c.hand_ms = hand_median;
        c.speedup = quantile_of(ratio, 0.5);
        c.speedup_spread = quantile_of(ratio, 0.75) - quantile_of(ratio, 0.25);
        append(c);
        log << "  confirmed " << c.strategy << " trial " << c.trial << ": " << fmt_ms(c.median_ms) << " vs hand "
            << fmt_ms(hand_median) << " alternating, " << c.repeats << " rounds of " << calls
            << " calls: hand/tuned " << std::fixed << std::setprecision(3) << *c.speedup << " (IQR "
            << *c.speedup_spread << ")" << std::defaultfloat << "\n";
    }
}

// Writes an autoscheduler's schedule next to the records:
// RECORDS.schedules/OP_ENTRY_TARGET_SCHEDULER.h. Returns the path, or ""
// when it cannot be written (the record stands either way).
std::string save_autoschedule(const std::string &records, const Problem &p, const std::string &device,
                              const std::string &scheduler, const std::string &source) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path dir = records + ".schedules";
    fs::create_directories(dir, ec);
    const fs::path path = dir / (p.op + "_" + p.entry + "_" + device + "_" + scheduler + ".h");
    std::ofstream f(path);
    f << source;
    return f.good() ? path.string() : std::string();
}

int tune_shape(const OpAdapter &adapter, const bench::json::Value &shape, const TuneOptions &o, std::ostream &log,
               const Machine &machine) {
    Problem p = adapter.make(shape);
    const Halide::Target target = jit_target(o.device);
    const TargetInfo info = target_info(target);
    SearchSpace space = adapter.space(info);
    // The library's own choice for this shape where it picks another
    // pipeline of the generator (Problem::hand_overrides).
    for (Knob &k : space.knobs) {
        auto it = p.hand_overrides.find(k.name);
        if (it != p.hand_overrides.end()) k.hand = it->second;
    }
    const Record base = base_record(p, o, target, machine);

    std::vector<std::string> warnings;
    const std::vector<Record> previous = load_records(o.records, &warnings);
    for (const std::string &w : warnings) log << "note: " << w << "\n";
    auto same_run = [&](const Record &r) { return r.op == p.op && r.entry == p.entry && r.target == o.device; };
    auto next_trial = [&](const std::string &kind, const std::string &which) {
        int n = 0;
        for (const Record &r : previous)
            if (same_run(r) && r.kind == kind && (r.strategy == which || r.scheduler == which)) n = std::max(n, r.trial);
        return n + 1;
    };
    int recorded = 0;
    auto append = [&](const Record &r) {
        Record stamped = r;
        stamped.time = utc_now();
        append_record(o.records, stamped);
        recorded++;
    };

    log << p.op << " " << p.entry << " on " << o.device << " (" << base.halide_target << "), space of "
        << space.size() << " points, strategy " << o.strategy << "\n";

    // The hand schedule: the correctness reference of every candidate.
    auto hand = Candidate::build(p, space.hand(), target);
    if (!hand->ok()) throw std::runtime_error(p.op + " " + p.entry + ": the hand schedule does not build: " + hand->error());
    poison_outputs(p);
    std::string err = hand->run(p);
    if (!err.empty()) throw std::runtime_error(p.op + " " + p.entry + ": the hand schedule fails: " + err);
    const std::vector<Halide::Buffer<>> reference = snapshot(p);
    double hand_ms = 0;
    if (o.confirm_only) {
        confirm_best(p, space, target, reference, base, o, o.confirm_top, log, append);
        return recorded;
    }
    if (o.measure_hand) {
        Timing t;
        err = measure(*hand, p, o, t);
        if (!err.empty()) throw std::runtime_error(p.op + " " + p.entry + ": timing the hand schedule: " + err);
        Record r = base;
        r.kind = "hand";
        r.trial = next_trial("hand", "");
        r.params = space.hand();
        r.compile_s = hand->compile_seconds();
        fill_timing(r, t, p);
        append(r);
        hand_ms = t.median_ms;
        log << "  hand schedule: " << fmt_ms(t.median_ms);
        if (r.gflops) log << " (" << std::fixed << std::setprecision(1) << *r.gflops << " GFLOP/s)" << std::defaultfloat;
        if (t.page_faults) log << ", " << t.page_faults << " page faults while timed";
        log << "\n";
    }
    hand.reset();

    // Halide 14's autoschedulers on the same algorithm, once per shape.
    for (const std::string &name : o.autoschedulers) {
        if (interrupt_requested) break;
        bool done = false;
        for (const Record &r : previous) done |= same_run(r) && r.kind == "autoscheduler" && r.scheduler == name;
        if (done) {
            log << "  " << name << ": already in the records\n";
            continue;
        }
        Autoscheduler as{name, autoscheduler_plugin(name), machine_params_for_this_machine()};
        Record r = base;
        r.kind = "autoscheduler";
        r.scheduler = name;
        r.trial = 1;
        std::unique_ptr<Candidate> c;
        {
            auto guard = memory_guard(o, r);
            CrashGuard crash_guard(o.records, r);
            {
                auto watchdog = compile_watchdog(o, r);
                c = Candidate::build(p, {}, target, &as);
            }
            r.compile_s = c->compile_seconds();
            if (interrupt_requested) break;
            evaluate(*c, p, reference, o, r);
        }
        append(r);
        log << "  " << name << ": " << (r.ok() ? fmt_ms(r.median_ms) : r.status + ": " + r.error.substr(0, 200)) << "\n";
        // The schedule it chose, to study where it wins.
        if (!c->schedule_source().empty()) {
            const std::string path = save_autoschedule(o.records, p, o.device, name, c->schedule_source());
            if (!path.empty()) log << "    its schedule: " << path << "\n";
        }
    }

    // The search.
    std::vector<Trial> history;
    double best_ms = 0;
    for (const Record &r : previous) {
        if (!same_run(r) || r.kind != "tuned" || r.strategy != o.strategy) continue;
        history.push_back(Trial{space.complete(r.params), r.ok(), r.median_ms});
        if (r.ok() && (best_ms == 0 || r.median_ms < best_ms)) best_ms = r.median_ms;
    }
    // The budget covers the trials of this strategy already in the records:
    // a run resumed after an exit 75 or a Ctrl-C searches for what is left
    // of it, not for a fresh budget.
    const int spent_trials = int(history.size());
    double spent_s = 0;
    {
        const std::vector<double> seconds = trial_seconds(previous);
        for (size_t i = 0; i < previous.size(); i++)
            if (same_run(previous[i]) && previous[i].kind == "tuned" && previous[i].strategy == o.strategy)
                spent_s += seconds[i];
    }
    auto budget_spent = [&](int done, double elapsed_s) {
        return (o.budget_trials > 0 && spent_trials + done >= o.budget_trials) ||
               (o.budget_minutes > 0 && spent_s + elapsed_s >= o.budget_minutes * 60);
    };
    if (!history.empty()) {
        log << "  resuming after " << history.size() << " recorded " << o.strategy << " trials ("
            << std::fixed << std::setprecision(1) << spent_s / 60 << std::defaultfloat << " min)\n";
        if (budget_spent(0, 0))
            log << "  " << o.strategy << ": the budget is spent by the recorded trials (raise --budget or --minutes "
                << "to search further)\n";
    }
    auto strategy = make_strategy(o.strategy, o.seed);
    int trial = next_trial("tuned", o.strategy);
    Progress progress(log, o.progress_bar, o.budget_trials);
    const auto start = Clock::now();
    int searched = 0;
    for (int done = 0;; done++) {
        if (interrupt_requested) break;
        if (budget_spent(done, seconds_since(start))) break;
        auto proposal = strategy->propose(space, info, history);
        if (!proposal) {
            log << "  " << o.strategy << ": no unmeasured candidate left\n";
            break;
        }
        Record r = base;
        r.kind = "tuned";
        r.strategy = o.strategy;
        r.trial = trial;
        r.params = space.complete(*proposal);
        const std::string invalid = space.violation(r.params, info);
        if (!invalid.empty()) {
            r.status = "invalid";
            r.error = invalid;
        } else {
            std::unique_ptr<Candidate> c;
            auto guard = memory_guard(o, r);
            CrashGuard crash_guard(o.records, r);
            {
                auto watchdog = compile_watchdog(o, r);
                c = Candidate::build(p, r.params, target);
            }
            r.compile_s = c->compile_seconds();
            if (interrupt_requested) break;  // not measured: not recorded
            evaluate(*c, p, reference, o, r);
        }
        if (interrupt_requested && !r.ok()) break;
        append(r);
        trial++;
        searched++;
        history.push_back(Trial{r.params, r.ok(), r.median_ms});
        if (r.ok() && (best_ms == 0 || r.median_ms < best_ms)) best_ms = r.median_ms;
        progress.update(spent_trials + done + 1, best_ms, hand_ms, r.ok() ? fmt_ms(r.median_ms) : r.status);
    }
    progress.finish();
    // The hand schedule again, after the search: the report takes the
    // faster of its measurements, so a hand time taken while the machine
    // (or the process's first JIT module) was still settling cannot make
    // the candidates look better than they are.
    if (o.measure_hand && !interrupt_requested) {
        auto again = Candidate::build(p, space.hand(), target);
        Timing t;
        if (again->ok() && again->run(p).empty() && measure(*again, p, o, t).empty()) {
            Record r = base;
            r.kind = "hand";
            r.trial = next_trial("hand", "") + 1;
            r.params = space.hand();
            r.compile_s = again->compile_seconds();
            fill_timing(r, t, p);
            append(r);
            log << "  hand schedule again: " << fmt_ms(t.median_ms) << "\n";
            if (t.median_ms < hand_ms) hand_ms = t.median_ms;
        }
    }
    if (interrupt_requested) log << "  interrupted: " << recorded << " records kept in " << o.records << "\n";
    if (best_ms > 0) {
        log << "  best " << o.strategy << ": " << fmt_ms(best_ms);
        if (hand_ms > 0) log << " vs hand " << fmt_ms(hand_ms) << " (" << std::fixed << std::setprecision(2) << hand_ms / best_ms << "x)" << std::defaultfloat;
        log << "\n";
    }
    if (o.confirm_top > 0 && !interrupt_requested) {
        // A resumed run that searched nothing new owes only what is missing
        // of the last confirmation (cut short by an exit 75): the
        // confirmations recorded after the entry's last tuned trial.
        int owed = o.confirm_top;
        if (searched == 0) {
            std::vector<std::string> ignored;
            for (const Record &r : load_records(o.records, &ignored)) {
                if (!same_run(r)) continue;
                if (r.kind == "tuned") owed = o.confirm_top;
                if (r.kind == "confirm") owed = std::max(0, owed - 1);
            }
        }
        if (owed > 0)
            confirm_best(p, space, target, reference, base, o, owed, log, append);
        else
            log << "  confirmation: already in the records\n";
    }
    return recorded;
}

// The armed CrashGuard's record line and records path (null: none armed).
std::atomic<const char *> crash_line{nullptr};
std::atomic<const char *> crash_path{nullptr};
size_t crash_line_length = 0;

void on_fatal_signal(int sig) {
    const char *line = crash_line.exchange(nullptr);
    const char *path = crash_path.load();
    if (line && path) {
        const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ssize_t unused = ::write(fd, line, crash_line_length);
            (void)unused;
            ::close(fd);
        }
        static const char msg[] =
            "\nhalconv tune: the candidate crashed the process (fatal signal): recorded as failed; "
            "running again resumes after it\n";
        ssize_t unused = ::write(2, msg, sizeof msg - 1);
        (void)unused;
        ::_exit(kExitCompileTimeout);
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

}  // namespace

CrashGuard::CrashGuard(const std::string &records_path, Record failed) : path_(records_path) {
    // (On an alternate stack: a stack overflow, deep recursion in a
    // scheduler, is a SIGSEGV that has no stack left to run the handler on.
    // Per thread: the guarding thread is the one that compiles.)
    thread_local const bool alternate_stack = [] {
        static thread_local std::vector<char> memory(size_t(1) << 16);
        stack_t st{};
        st.ss_sp = memory.data();
        st.ss_size = memory.size();
        return ::sigaltstack(&st, nullptr) == 0;
    }();
    (void)alternate_stack;
    static const bool installed = [] {
        struct sigaction action {};
        action.sa_handler = on_fatal_signal;
        action.sa_flags = SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::sigaction(sig, &action, nullptr);
        return true;
    }();
    (void)installed;
    failed.status = "failed";
    failed.error = "the process crashed (fatal signal) while compiling or running it: abandoned (running again "
                   "resumes after it)";
    failed.time = utc_now();
    line_ = failed.to_json().dump(0) + "\n";
    crash_line_length = line_.size();
    crash_path.store(path_.c_str());
    crash_line.store(line_.c_str());
}

CrashGuard::~CrashGuard() {
    crash_line.store(nullptr);
    crash_path.store(nullptr);
}

void install_interrupt_handler() { std::signal(SIGINT, on_sigint); }

std::string autoscheduler_plugin(const std::string &name) {
    std::string lib;
    if (name == "Mullapudi2016") lib = "libautoschedule_mullapudi2016.so";
    else if (name == "Adams2019") lib = "libautoschedule_adams2019.so";
    else if (name == "Li2018") lib = "libautoschedule_li2018.so";
    else throw std::invalid_argument("unknown autoscheduler '" + name + "' (expected Mullapudi2016, Adams2019 or Li2018)");
    for (const char *dir : {"/usr/lib/x86_64-linux-gnu/halide14/", "/usr/lib/halide14/", "/usr/local/lib/"}) {
        std::string path = std::string(dir) + lib;
        if (access(path.c_str(), R_OK) == 0) return path;
    }
    throw std::runtime_error("autoscheduler " + name + ": plugin " + lib +
                             " not found (Debian: apt-get install libhalide14-0-dev)");
}

std::vector<std::string> autoscheduler_names(const std::string &device) {
    // Li2018 is the only one of Halide 14's three that schedules GPUs.
    if (device == "cpu") return {"Mullapudi2016", "Adams2019", "Li2018"};
    return {"Li2018"};
}

std::string machine_params_for_this_machine() {
    // Parallelism: the threads the pipelines use; last-level cache from
    // sysfs (L3), the balance the Halide apps use (40).
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long llc = 0;
    for (int index = 0; index < 8; index++) {
        std::ifstream f("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size");
        std::string s;
        if (!(f >> s)) continue;
        long v = std::atol(s.c_str());
        if (!s.empty() && (s.back() == 'K')) v *= 1024;
        if (!s.empty() && (s.back() == 'M')) v *= 1024 * 1024;
        llc = std::max(llc, v);
    }
    if (llc <= 0) llc = 16 * 1024 * 1024;
    return std::to_string(std::max(1L, cpus)) + "," + std::to_string(llc) + ",40";
}

int run_tune(const TuneOptions &o, std::ostream &log) {
    const OpAdapter *adapter = find_op(o.op);
    if (!adapter) {
        std::string known;
        for (const OpAdapter &a : all_ops()) known += (known.empty() ? "" : ", ") + a.op;
        throw std::invalid_argument("unknown op '" + o.op + "' (expected one of: " + known + ")");
    }
    if (o.device != "cpu" && o.device != "cuda" && o.device != "opencl")
        throw std::invalid_argument("--target must be cpu, cuda or opencl, got '" + o.device + "'");
    if (o.records.empty()) throw std::invalid_argument("--records FILE is required");
    make_strategy(o.strategy, o.seed);  // validates the name
    for (const std::string &name : o.autoschedulers) autoscheduler_plugin(name);  // validates early
    if (o.shapes.empty()) throw std::invalid_argument("no shape to tune");
    for (const auto &s : o.shapes)
        if (!adapter->accepts(s))
            throw std::invalid_argument("shape '" + s.get_string("id", "?") + "' is not a " + o.op + " shape");
    const Machine machine = this_machine();
    int recorded = 0;
    for (const auto &s : o.shapes) {
        if (interrupt_requested) break;
        recorded += tune_shape(*adapter, s, o, log, machine);
    }
    return recorded;
}

}  // namespace tune
}  // namespace halconv
