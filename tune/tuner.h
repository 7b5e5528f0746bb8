// The tuning loop of `halconv tune`: for one op and one or more shapes,
// measures the hand schedule, optionally Halide 14's autoschedulers, and the
// candidates a strategy proposes, appending one record per trial
// (tune/records.h). Every candidate's output is checked against the hand
// schedule's on the same inputs before it is timed: a wrong schedule is
// recorded as "wrong", never as fast.
#pragma once

#include <atomic>
#include <ostream>
#include <string>
#include <vector>

#include "bench/json.h"
#include "tune/records.h"

namespace halconv {
namespace tune {

struct TuneOptions {
    std::string op;                    // pipeline name (tune/problem.h find_op)
    std::vector<bench::json::Value> shapes;  // suite entries (objects with "id")
    std::string device = "cpu";        // cpu | cuda | opencl
    int budget_trials = 0;             // candidates per shape (0: no limit)
    double budget_minutes = 0;         // wall time per shape (0: no limit)
    std::string strategy = "random";   // grid | random | anneal | evolve
    std::string records;               // JSON Lines file (appended, resumed)
    uint64_t seed = 1;
    bool measure_hand = true;          // time the hand schedule first (always built: it is the reference)
    std::vector<std::string> autoschedulers;  // Mullapudi2016, Adams2019, Li2018
    double min_time_s = 0.3;           // timed time per trial (at least)
    int min_repeats = 10;              // timed calls per trial (at least)
    bool progress_bar = true;          // a redrawn line on a terminal; a line per trial otherwise
    // A candidate whose compilation takes longer is recorded as failed and
    // the process exits with kExitCompileTimeout (LLVM cannot be stopped
    // from outside); running again resumes after it.
    double compile_timeout_s = 300;
    // A candidate (its compilation and its runs) that takes the process's
    // resident memory past this many GB (an autoscheduled pipeline with a
    // huge intermediate, say) is recorded as failed and the process exits
    // with kExitCompileTimeout before the kernel's OOM killer ends it without
    // a record; running again resumes after it. 0: 3/4 of the machine's
    // physical memory.
    double memory_limit_gb = 0;
    // Confirmation (after the search): the confirm_top fastest tuned
    // candidates of the entry in the records (any strategy, any run; not the
    // hand params, not confirmed before) are timed again against the hand
    // schedule in one process, alternating call by call, confirm_rounds
    // rounds of at least confirm_sample_ms each; one record of kind confirm
    // per candidate with the paired hand/candidate speedup. On this kind of
    // machine (a shared VM, +-15% from minute to minute) a single timing per
    // candidate cannot tell a 5% gain from the machine's drift; the
    // alternation can. confirm_only: the confirmation alone, no search.
    int confirm_top = 3;
    int confirm_rounds = 30;
    double confirm_sample_ms = 25;
    bool confirm_only = false;
};

constexpr int kExitCompileTimeout = 75;

// While one is alive, a fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
// SIGABRT) in any thread appends `failed` (a record with status failed) to
// `records_path` and exits with kExitCompileTimeout, so that running again
// resumes after the candidate instead of crashing on it again. (Adams2019's
// pipeline for gradient_magnitude_u8 crashed `halconv tune` with a
// segmentation fault, Zen 4, 2026-11-22, and scripts/tune-suite stopped
// there.) The line is written by the handler with write(2) alone, prepared
// beforehand. One guard at a time; not nestable.
class CrashGuard {
public:
    CrashGuard(const std::string &records_path, Record failed);
    ~CrashGuard();
    CrashGuard(const CrashGuard &) = delete;
    CrashGuard &operator=(const CrashGuard &) = delete;

private:
    std::string path_, line_;
};

// Set by SIGINT: the loop stops at the next trial boundary (what was
// measured is already on disk).
extern std::atomic<bool> interrupt_requested;
void install_interrupt_handler();

// Returns the number of trials recorded. Throws std::runtime_error /
// std::invalid_argument for bad options (unknown op or strategy, a shape
// the op does not accept, unwritable records file).
int run_tune(const TuneOptions &options, std::ostream &log);

// Autoscheduler plugin path (Debian's libhalide14-0-dev) for a name.
std::string autoscheduler_plugin(const std::string &name);
std::vector<std::string> autoscheduler_names(const std::string &device);
// "parallelism,last_level_cache_bytes,balance" for this machine.
std::string machine_params_for_this_machine();

}  // namespace tune
}  // namespace halconv
