// `halconv tune-report`: turns records files of `halconv tune` (tune/records.h)
// into convergence plots, bar charts and a markdown summary.
//
// Written into the output directory (created if missing; every file is
// written to a temporary name and renamed into place):
//   convergence_<op>_<entry>_<target>.png   best-so-far median time against
//       the trial number, one line per strategy; dashed lines for the hand
//       schedule, each autoscheduler that succeeded and the peer. Trials that
//       failed, were wrong or invalid count on the x axis but never improve
//       the best. (Only for entries with tuned trials.)
//   bars_<op>_<entry>_<target>.png          hand, each autoscheduler (failed
//       ones as a labelled placeholder), the best tuned trial and the fastest
//       peer, in ms.
//   summary.png                             best tuned / hand speedup of every
//       entry that has both.
//   report.md                               a table per target and the
//       summary numbers (see write_report).
// Characters other than [A-Za-z0-9._-] in file names become '_'.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tune/records.h"

namespace halconv {
namespace tune {

// The fastest peer of one benchmark row (bench/results/*.json:
// families[].rows[] with .id and .peers.{name}.median_ms).
struct PeerTiming {
    std::string name;    // e.g. "onednn_reorders"
    double median_ms = 0;
    std::string source;  // the results file it came from
};

// Row id -> its fastest peer over all `paths`. Peers named "halconv..." are
// halconv itself in another configuration and are skipped. Throws
// std::runtime_error naming the file when one cannot be read, is not JSON or
// is not a benchmark results file (no families[].rows[]).
std::map<std::string, PeerTiming> load_peer_timings(const std::vector<std::string> &paths);

// An autoscheduler's result for one entry: the fastest ok record, or the
// last failed one when none succeeded.
struct AutoschedulerResult {
    std::string scheduler;
    bool ok = false;
    double median_ms = 0, spread_ms = 0;
    std::string error;  // status and message when !ok
};

// The tuned trials of one strategy on one entry, in trial order.
struct StrategyRun {
    std::string strategy;
    std::vector<Record> trials;
    // best_so_far[i]: the fastest ok median_ms among trials[0..i]; NaN until
    // the first ok trial.
    std::vector<double> best_so_far;
    // Seconds from the start of the strategy's run to the end of trials[i]
    // (see elapsed note in report.md).
    std::vector<double> elapsed_s;
};

struct EntryReport {
    RecordKey key;
    std::string halide_target;  // of the hand record (or any record)
    std::optional<Record> hand;  // fastest ok hand record
    bool hand_failed = false;    // hand records exist, none ok
    std::vector<StrategyRun> strategies;          // sorted by name
    std::optional<Record> best_tuned;             // fastest ok tuned record
    std::optional<Record> best_confirmed;         // ok confirm record with the highest speedup
    std::vector<AutoschedulerResult> autoschedulers;  // Mullapudi2016, Adams2019, Li2018 first
    std::optional<PeerTiming> peer;               // target cpu only (benchmarks run on the CPU)

    int tuned_trials() const;
    // hand_ms / best_tuned_ms as the search timed them (separately), when
    // both exist.
    std::optional<double> speedup() const;
    // The figure the summary judges by: the best confirmed speedup (hand and
    // tuned alternating in one process) when the entry has a confirmation,
    // speedup() otherwise.
    std::optional<double> judged_speedup() const;
    // max(IQR of hand, IQR of best tuned, 2% of hand) in ms.
    double noise_ms() const;
    // Confirmed: speedup >= 1 - max(2%, IQR of the ratios / 2). Otherwise
    // best tuned <= hand + noise.
    bool tuned_matches_hand() const;
    // The fastest successful autoscheduler, if any.
    const AutoschedulerResult *best_autoscheduler() const;
};

// Groups `records` by (op, entry, target), in order of first appearance.
// `peers` are looked up by entry (see peer_for).
std::vector<EntryReport> build_entry_reports(const std::vector<Record> &records,
                                             const std::map<std::string, PeerTiming> &peers);

// The peer row for an entry: the row whose id is `entry`; failing that
// "<entry> fwd" (or "<entry> bwd" for ops ending in "_backward"), the ids of
// the forward/backward benchmark families.
std::optional<PeerTiming> peer_for(const std::map<std::string, PeerTiming> &peers, const std::string &op,
                                   const std::string &entry);

// "a=1, b=2" for the knobs of `tuned` whose value differs from `hand`
// ("same as hand" when none does).
std::string params_diff(const Params &tuned, const Params &hand);

struct ReportOptions {
    std::vector<std::string> records_paths;
    std::string out_dir;
    std::vector<std::string> peers_paths;
    std::string title = "halconv tuning report";
};

struct ReportOutput {
    std::vector<std::string> files;     // paths written, report.md last
    std::vector<std::string> warnings;  // from the records files (a cut-off last line, duplicates)
    std::vector<std::string> summary;   // the summary lines of report.md, for the CLI to print
    size_t records = 0;
    size_t entries = 0;
};

// Loads the records and peers, writes every file and returns what it did.
// Throws std::runtime_error (message naming the file) when no records file
// is given, a records file cannot be read, is malformed or holds no usable
// record (one with op, entry, target and kind hand, tuned or autoscheduler),
// out_dir is empty or cannot be created, or a peers file is bad.
ReportOutput write_report(const ReportOptions &options);

}  // namespace tune
}  // namespace halconv
