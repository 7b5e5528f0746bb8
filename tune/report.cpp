#include "tune/report.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include "png_io.h"
#include "tune/plot.h"

namespace halconv {
namespace tune {

namespace fs = std::filesystem;

namespace {

const char *const kKnownSchedulers[] = {"Mullapudi2016", "Adams2019", "Li2018"};
constexpr double kNoiseFloor = 0.02;     // noise is at least 2% of the hand time
constexpr double kClearWin = 1.10;       // "tuned is clearly faster": hand/tuned >= 1.10
constexpr double kNearBest = 1.05;       // "within 5% of the final best"

// --- formatting -----------------------------------------------------------

std::string format_fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// Milliseconds with about four significant digits.
int ms_decimals(double ms) {
    const double a = std::abs(ms);
    return a >= 100 ? 1 : a >= 10 ? 2 : a >= 0.1 ? 3 : 4;
}
std::string format_ms(double ms) { return std::isfinite(ms) ? format_fixed(ms, ms_decimals(ms)) : "?"; }
// "1.930 ±0.080": the spread with the median's decimals.
std::string format_ms_spread(double ms, double spread) {
    return format_ms(ms) + " ±" + (std::isfinite(spread) ? format_fixed(spread, ms_decimals(ms)) : "?");
}

std::string format_ratio(double r) { return format_fixed(r, 2) + "x"; }

std::string percent(size_t part, size_t whole) {
    if (whole == 0) return "n/a";
    return format_fixed(100.0 * double(part) / double(whole), 0) + "%";
}

// Markdown table cells must not contain '|' or newlines.
std::string md_cell(std::string s) {
    std::string out;
    for (char ch : s) {
        if (ch == '|') {
            out += "\\|";
        } else if (ch == '\n' || ch == '\r') {
            out += ' ';
        } else {
            out += ch;
        }
    }
    return out;
}

std::string shorten(const std::string &s, size_t max_chars) {
    return s.size() <= max_chars ? s : s.substr(0, max_chars - 3) + "...";
}

std::string safe_name(const std::string &s) {
    std::string out;
    for (char ch : s) {
        const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                          ch == '.' || ch == '_' || ch == '-';
        out += keep ? ch : '_';
    }
    return out.empty() ? "_" : out;
}

std::string key_text(const RecordKey &k) { return k.op + " " + k.entry + " " + k.target; }
std::string key_file_part(const RecordKey &k) {
    return safe_name(k.op) + "_" + safe_name(k.entry) + "_" + safe_name(k.target);
}

// --- files ------------------------------------------------------------------

[[noreturn]] void fail_errno(const std::string &what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

// Same guarantee as pngio::write_png: readers never see a partial file.
void write_text_atomically(const std::string &path, const std::string &text) {
    const fs::path target(path);
    fs::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) fail_errno("cannot create a temporary file for " + path);
    const std::string tmp(name.data());
    auto fail_and_remove = [&](const std::string &what) {
        const int saved = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        errno = saved;
        fail_errno(what);
    };
    // mkstemp creates the file 0600; give it the usual 0666 & ~umask.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_and_remove("cannot write " + path);
        }
        written += size_t(n);
    }
    if (::fsync(fd) != 0) fail_and_remove("cannot write " + path);
    if (::close(fd) != 0) {
        const int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        fail_errno("cannot write " + path);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        fail_errno("cannot rename a temporary file into place as " + path);
    }
}

// load_records treats a missing file as an empty database (right for a
// tuner that resumes); for a report it is a mistake worth naming.
void check_readable(const std::string &path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw std::runtime_error("cannot read records file '" + path + "': is a directory");
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) fail_errno("cannot read records file '" + path + "'");
    std::fclose(f);
}

bool usable(const Record &r) {
    return !r.op.empty() && !r.entry.empty() && !r.target.empty() &&
           (r.kind == "hand" || r.kind == "tuned" || r.kind == "autoscheduler" || r.kind == "confirm");
}

// Identity of a record for dropping the same trial given twice (e.g. a
// records file and a copy of it).
std::string identity(const Record &r) {
    std::ostringstream os;
    os << r.op << '\x1f' << r.entry << '\x1f' << r.target << '\x1f' << r.kind << '\x1f' << r.strategy << '\x1f'
       << r.scheduler << '\x1f' << r.trial << '\x1f' << params_key(r.params) << '\x1f' << r.status << '\x1f'
       << r.median_ms << '\x1f' << r.time;
    return os.str();
}

// --- charts -------------------------------------------------------------------

const plot::Rgb kHandColour{40, 40, 40};
const plot::Rgb kTunedColour = plot::series_colour(2);
const plot::Rgb kAutoschedulerColour = plot::series_colour(4);
const plot::Rgb kPeerColour = plot::series_colour(3);

pngio::Image convergence_chart(const EntryReport &e) {
    plot::LineChart chart;
    chart.title = key_text(e.key) + ": best-so-far median time";
    chart.x_label = "trial (failed, wrong and invalid trials count but never improve the best)";
    chart.y_label = "best median time so far (ms)";
    int colour = 0;
    for (const StrategyRun &run : e.strategies) {
        plot::Series s;
        s.colour = plot::series_colour(colour++);
        double best = std::numeric_limits<double>::quiet_NaN();
        for (size_t i = 0; i < run.trials.size(); i++) {
            if (std::isnan(run.best_so_far[i])) continue;
            best = run.best_so_far[i];
            s.points.emplace_back(double(run.trials[i].trial), best);
        }
        s.label = run.strategy + ": " + (std::isnan(best) ? "no ok trial" : format_ms(best) + " ms") + ", " +
                  std::to_string(run.trials.size()) + (run.trials.size() == 1 ? " trial" : " trials");
        chart.series.push_back(std::move(s));
    }
    if (e.hand) {
        chart.references.push_back({"hand " + format_ms(e.hand->median_ms) + " ms", kHandColour, e.hand->median_ms,
                                    /*keep_in_range=*/true});
    } else if (e.hand_failed) {
        chart.notes.push_back({"hand: failed", kHandColour});
    }
    // Autoschedulers and the peer take the colours after the strategies'.
    for (const AutoschedulerResult &a : e.autoschedulers) {
        const plot::Rgb c = plot::series_colour(colour++);
        if (a.ok) {
            chart.references.push_back({a.scheduler + " " + format_ms(a.median_ms) + " ms", c, a.median_ms});
        } else {
            chart.notes.push_back({a.scheduler + ": failed", c});
        }
    }
    if (e.peer) {
        chart.references.push_back(
            {"peer " + e.peer->name + " " + format_ms(e.peer->median_ms) + " ms", plot::series_colour(colour++),
             e.peer->median_ms});
    }
    return plot::render_line_chart(chart);
}

pngio::Image bar_chart(const EntryReport &e) {
    plot::BarChart chart;
    chart.title = key_text(e.key) + ": median time (lower is better)";
    chart.value_label = "median time (ms)";
    if (e.hand) {
        chart.bars.push_back({"hand", kHandColour, e.hand->median_ms});
    } else if (e.hand_failed) {
        chart.bars.push_back({"hand", kHandColour, std::nullopt, "failed"});
    }
    for (const AutoschedulerResult &a : e.autoschedulers) {
        chart.bars.push_back({a.scheduler, kAutoschedulerColour,
                              a.ok ? std::optional<double>(a.median_ms) : std::nullopt, "failed"});
    }
    if (e.best_tuned) {
        chart.bars.push_back({"tuned (" + e.best_tuned->strategy + ")", kTunedColour, e.best_tuned->median_ms});
    } else if (!e.strategies.empty()) {
        chart.bars.push_back({"tuned", kTunedColour, std::nullopt, "no ok trial"});
    }
    if (e.peer) chart.bars.push_back({"peer (" + e.peer->name + ")", kPeerColour, e.peer->median_ms});
    return plot::render_bar_chart(chart);
}

pngio::Image summary_chart(const std::vector<const EntryReport *> &entries, const std::string &title) {
    plot::BarChart chart;
    chart.title = title + ": best tuned speedup over hand";
    chart.value_label = "hand ms / best tuned ms, higher is better (green >= 1.10, blue within noise, red slower)";
    chart.unit = "x";
    chart.value_decimals = 2;
    for (const EntryReport *e : entries) {
        const double s = *e->judged_speedup();
        const plot::Rgb c = s >= kClearWin ? kTunedColour : e->tuned_matches_hand() ? plot::series_colour(0)
                                                                                     : plot::series_colour(1);
        chart.bars.push_back({key_text(e->key), c, s});
    }
    chart.reference = plot::ReferenceLine{"hand = 1.0", kHandColour, 1.0};
    return plot::render_bar_chart(chart);
}

// --- markdown -----------------------------------------------------------------

struct Reach {
    std::optional<size_t> trials;  // number of trials run until reached
    double minutes = 0;
};

// The first trial at which the run's best-so-far is within 5% of `best`.
Reach reach_within(const StrategyRun &run, double best) {
    Reach r;
    for (size_t i = 0; i < run.trials.size(); i++) {
        if (!std::isnan(run.best_so_far[i]) && run.best_so_far[i] <= kNearBest * best) {
            r.trials = i + 1;
            r.minutes = run.elapsed_s[i] / 60.0;
            break;
        }
    }
    return r;
}

std::string reach_cells(const Reach &r) {
    if (!r.trials) return "not reached | -";
    return std::to_string(*r.trials) + " | " + format_fixed(r.minutes, r.minutes < 10 ? 1 : 0);
}

std::string hand_vs_autoschedulers(const EntryReport &e) {
    if (e.autoschedulers.empty()) return "-";
    const AutoschedulerResult *best = e.best_autoscheduler();
    if (!best) return "all failed";
    if (!e.hand) return "-";
    const double h = e.hand->median_ms, a = best->median_ms;
    if (h <= a) return "hand " + format_ratio(a / h) + " faster than " + best->scheduler;
    return best->scheduler + " " + format_ratio(h / a) + " faster than hand";
}

std::string join(const std::vector<std::string> &items, const std::string &sep) {
    std::string out;
    for (const std::string &s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

struct TargetSummary {
    size_t compared = 0;          // entries with a hand time and an ok tuned trial
    size_t confirmed = 0;         // of them, judged by a confirmation
    size_t matches = 0;           // tuned within noise of hand, or faster
    size_t clear_wins = 0;        // hand/tuned >= 1.10
    size_t with_autoschedulers = 0;  // entries with a hand time and autoscheduler records
    size_t hand_beats_all = 0;
    size_t all_autoschedulers_failed = 0;
};

TargetSummary summarize_target(const std::vector<const EntryReport *> &entries) {
    TargetSummary s;
    for (const EntryReport *e : entries) {
        if (e->judged_speedup()) {
            s.compared++;
            if (e->best_confirmed) s.confirmed++;
            if (e->tuned_matches_hand()) s.matches++;
            if (*e->judged_speedup() >= kClearWin) s.clear_wins++;
        }
        if (e->hand && !e->autoschedulers.empty()) {
            s.with_autoschedulers++;
            const AutoschedulerResult *best = e->best_autoscheduler();
            if (!best) s.all_autoschedulers_failed++;
            if (!best || e->hand->median_ms < best->median_ms) s.hand_beats_all++;
        }
    }
    return s;
}

std::vector<std::string> summary_lines(const TargetSummary &s) {
    std::vector<std::string> lines;
    lines.push_back("Judged by the confirmation (the fastest tuned candidates and the hand schedule timed "
                    "alternately in one process) on " + std::to_string(s.confirmed) + " of " +
                    std::to_string(s.compared) + " entries; by the search's separate timings on the rest.");
    lines.push_back("Best tuned at least as fast as hand within noise: " + std::to_string(s.matches) + " of " +
                    std::to_string(s.compared) +
                    " entries (confirmed: hand/tuned >= 1 - max(2%, IQR of the per-round ratios / 2); otherwise "
                    "noise = max(IQR of hand, IQR of best tuned, 2% of hand)).");
    lines.push_back("Best tuned at least 10% faster than hand (hand/tuned >= 1.10): " + std::to_string(s.clear_wins) +
                    " of " + std::to_string(s.compared) + " entries.");
    std::string as = "Hand schedule faster than every autoscheduler that succeeded: " +
                     std::to_string(s.hand_beats_all) + " of " + std::to_string(s.with_autoschedulers) + " entries (" +
                     percent(s.hand_beats_all, s.with_autoschedulers) + ")";
    if (s.all_autoschedulers_failed > 0)
        as += "; on " + std::to_string(s.all_autoschedulers_failed) + " of them every autoscheduler failed";
    lines.push_back(as + ".");
    return lines;
}

std::string render_markdown(const ReportOptions &opt, const std::vector<Record> &records,
                            const std::vector<EntryReport> &entries, const std::vector<std::string> &image_files,
                            bool has_summary_png, std::vector<std::string> *summary_out) {
    std::ostringstream md;
    md << "# " << (opt.title.empty() ? "halconv tuning report" : opt.title) << "\n\n";
    std::vector<std::string> quoted;
    for (const std::string &p : opt.records_paths) quoted.push_back("`" + p + "`");
    md << "Generated by `halconv tune-report` from " << records.size() << " records (" << entries.size()
       << " op/entry/target combinations) in " << join(quoted, ", ") << ".";
    if (!opt.peers_paths.empty()) {
        quoted.clear();
        for (const std::string &p : opt.peers_paths) quoted.push_back("`" + p + "`");
        md << " Peer timings from " << join(quoted, ", ") << ".";
    }
    md << "\n\n";

    std::set<std::string> versions, machines;
    for (const Record &r : records) {
        if (!r.halconv_version.empty()) versions.insert(r.halconv_version);
        if (!r.machine.cpu.empty() || r.machine.cores > 0) {
            std::string m = r.machine.cpu.empty() ? "unknown CPU" : r.machine.cpu;
            m += ", " + std::to_string(r.machine.cores) + " cores";
            if (r.machine.threads > 0) m += ", " + std::to_string(r.machine.threads) + " threads";
            machines.insert(m);
        }
    }
    md << "- halconv version: " << (versions.empty() ? "not recorded" : join({versions.begin(), versions.end()}, ", "))
       << "\n";
    md << "- machine: " << (machines.empty() ? "not recorded" : join({machines.begin(), machines.end()}, "; "))
       << "\n\n";
    if (versions.size() > 1 || machines.size() > 1)
        md << "**Note:** the records come from more than one halconv version or machine; times are only "
              "comparable within one.\n\n";

    std::vector<std::string> targets;
    for (const EntryReport &e : entries)
        if (std::find(targets.begin(), targets.end(), e.key.target) == targets.end()) targets.push_back(e.key.target);

    for (const std::string &target : targets) {
        std::vector<const EntryReport *> te;
        std::set<std::string> halide_targets;
        std::vector<std::string> schedulers(std::begin(kKnownSchedulers), std::end(kKnownSchedulers));
        for (const EntryReport &e : entries) {
            if (e.key.target != target) continue;
            te.push_back(&e);
            if (!e.halide_target.empty()) halide_targets.insert(e.halide_target);
            for (const AutoschedulerResult &a : e.autoschedulers)
                if (std::find(schedulers.begin(), schedulers.end(), a.scheduler) == schedulers.end())
                    schedulers.push_back(a.scheduler);
        }
        md << "## Target " << target << "\n\n";
        if (!halide_targets.empty()) {
            quoted.clear();
            for (const std::string &h : halide_targets) quoted.push_back("`" + h + "`");
            md << "Halide target: " << join(quoted, ", ") << "\n\n";
        }

        md << "| entry | op | hand ms | best tuned ms (strategy; params that differ from hand) | tuned/hand speedup | "
              "confirmed hand/tuned (A/B) |";
        for (const std::string &s : schedulers) md << " " << s << " ms |";
        md << " peer ms (name) | hand vs best autoscheduler |\n";
        md << "|---|---|---:|---|---:|---|";
        for (size_t i = 0; i < schedulers.size(); i++) md << "---:|";
        md << "---|---|\n";
        for (const EntryReport *e : te) {
            md << "| " << md_cell(e->key.entry) << " | " << md_cell(e->key.op) << " | ";
            if (e->hand) {
                md << format_ms_spread(e->hand->median_ms, e->hand->spread_ms);
            } else {
                md << (e->hand_failed ? "failed" : "-");
            }
            md << " | ";
            if (e->best_tuned) {
                md << format_ms_spread(e->best_tuned->median_ms, e->best_tuned->spread_ms) << " ("
                   << md_cell(e->best_tuned->strategy) << "; "
                   << md_cell(e->hand ? params_diff(e->best_tuned->params, e->hand->params)
                                      : params_key(e->best_tuned->params))
                   << ")";
            } else {
                md << (e->strategies.empty() ? "-" : "no ok trial of " + std::to_string(e->tuned_trials()));
            }
            md << " | " << (e->speedup() ? format_ratio(*e->speedup()) : "-") << " | ";
            if (e->best_confirmed) {
                const Record &c = *e->best_confirmed;
                md << format_ratio(*c.speedup) << " IQR " << format_fixed(c.speedup_spread.value_or(0), 3) << " ("
                   << md_cell(c.strategy) << " trial " << c.trial << "; " << format_ms(c.median_ms) << " vs "
                   << format_ms(c.hand_ms.value_or(0)) << ", " << c.repeats << " rounds)";
            } else {
                md << "-";
            }
            md << " |";
            for (const std::string &s : schedulers) {
                const auto a = std::find_if(e->autoschedulers.begin(), e->autoschedulers.end(),
                                            [&](const AutoschedulerResult &x) { return x.scheduler == s; });
                md << " " << (a == e->autoschedulers.end() ? "-" : a->ok ? format_ms(a->median_ms) : "failed") << " |";
            }
            md << " " << (e->peer ? format_ms(e->peer->median_ms) + " (" + md_cell(e->peer->name) + ")" : "-") << " | "
               << hand_vs_autoschedulers(*e) << " |\n";
        }
        md << "\n";
        md << "Times are medians; ± is the interquartile range of the repeats. The confirmed column: the "
              "best of the entry's confirmations, in which the fastest tuned candidates and the hand schedule "
              "ran alternately in one process; hand/tuned is the median over the rounds of the paired ratio.";
        if (target != "cpu" && !opt.peers_paths.empty())
            md << " Peer timings are CPU benchmarks and are shown for target cpu only.";
        md << "\n\n";

        const TargetSummary summary = summarize_target(te);
        md << "### Summary (target " << target << ")\n\n";
        for (const std::string &line : summary_lines(summary)) {
            md << "- " << line << "\n";
            if (summary_out) summary_out->push_back(target + ": " + line);
        }
        md << "\n";

        // Convergence speed on conv2d, the op the tuning targets are set for.
        std::ostringstream conv;
        for (const EntryReport *e : te) {
            if (e->key.op != "conv2d" || !e->best_tuned) continue;
            const double overall = e->best_tuned->median_ms;
            for (const StrategyRun &run : e->strategies) {
                const double own = run.best_so_far.empty() ? std::nan("") : run.best_so_far.back();
                conv << "| " << md_cell(e->key.entry) << " | " << md_cell(run.strategy) << " | " << run.trials.size()
                     << " | " << (std::isnan(own) ? "-" : format_ms(own)) << " | "
                     << reach_cells(reach_within(run, overall)) << " | "
                     << (std::isnan(own) ? "not reached | -" : reach_cells(reach_within(run, own))) << " |\n";
            }
        }
        if (!conv.str().empty()) {
            md << "### Trials and minutes to within 5% of the final best (conv2d, target " << target << ")\n\n";
            md << "| entry | strategy | trials | best ms | trials to 5% of overall best | minutes | "
                  "trials to 5% of own best | minutes |\n";
            md << "|---|---|---:|---:|---:|---:|---:|---:|\n" << conv.str() << "\n";
            md << "The overall best is the fastest tuned trial of any strategy on the entry. Minutes are wall "
                  "time from the records' time stamps (the gap to the previous record of the same entry); where a "
                  "stamp is missing or the gap exceeds the trial's compile time plus its repeats x median by more "
                  "than 5 minutes (a resumed run), the trial's compile plus measure time is used instead.\n\n";
        }

        std::ostringstream failures;
        for (const EntryReport *e : te) {
            if (e->hand_failed) failures << "- " << key_text(e->key) << " hand: failed\n";
            for (const AutoschedulerResult &a : e->autoschedulers)
                if (!a.ok)
                    failures << "- " << key_text(e->key) << " " << a.scheduler << ": " << shorten(a.error, 200) << "\n";
        }
        if (!failures.str().empty()) md << "### Failures (target " << target << ")\n\n" << failures.str() << "\n";
    }

    md << "## Images\n\n";
    for (const std::string &f : image_files) md << "- [" << f << "](" << f << ")\n";
    if (has_summary_png) md << "\n![best tuned speedup over hand](summary.png)\n";
    return md.str();
}

}  // namespace

// --- entry reports --------------------------------------------------------------

int EntryReport::tuned_trials() const {
    int n = 0;
    for (const StrategyRun &r : strategies) n += int(r.trials.size());
    return n;
}

std::optional<double> EntryReport::speedup() const {
    if (!hand || !best_tuned || !(best_tuned->median_ms > 0)) return std::nullopt;
    return hand->median_ms / best_tuned->median_ms;
}

double EntryReport::noise_ms() const {
    double n = hand ? kNoiseFloor * hand->median_ms : 0;
    if (hand) n = std::max(n, hand->spread_ms);
    if (best_tuned) n = std::max(n, best_tuned->spread_ms);
    return n;
}

std::optional<double> EntryReport::judged_speedup() const {
    if (best_confirmed) return best_confirmed->speedup;
    return speedup();
}

bool EntryReport::tuned_matches_hand() const {
    if (best_confirmed)
        return *best_confirmed->speedup >= 1.0 - std::max(kNoiseFloor, best_confirmed->speedup_spread.value_or(0) / 2);
    return hand && best_tuned && best_tuned->median_ms <= hand->median_ms + noise_ms();
}

const AutoschedulerResult *EntryReport::best_autoscheduler() const {
    const AutoschedulerResult *best = nullptr;
    for (const AutoschedulerResult &a : autoschedulers)
        if (a.ok && (!best || a.median_ms < best->median_ms)) best = &a;
    return best;
}

std::optional<PeerTiming> peer_for(const std::map<std::string, PeerTiming> &peers, const std::string &op,
                                   const std::string &entry) {
    auto it = peers.find(entry);
    if (it != peers.end()) return it->second;
    const std::string backward = "_backward";
    const bool is_backward = op.size() > backward.size() && op.compare(op.size() - backward.size(), backward.size(),
                                                                       backward) == 0;
    it = peers.find(entry + (is_backward ? " bwd" : " fwd"));
    if (it != peers.end()) return it->second;
    return std::nullopt;
}

std::string params_diff(const Params &tuned, const Params &hand) {
    std::vector<std::string> parts;
    for (const auto &kv : tuned) {
        auto it = hand.find(kv.first);
        if (it == hand.end() || it->second != kv.second) parts.push_back(kv.first + "=" + std::to_string(kv.second));
    }
    return parts.empty() ? "same as hand" : join(parts, ", ");
}

std::map<std::string, PeerTiming> load_peer_timings(const std::vector<std::string> &paths) {
    std::map<std::string, PeerTiming> best;
    for (const std::string &path : paths) {
        json::Value doc;
        try {
            doc = json::parse_file(path);
        } catch (const std::exception &e) {
            throw std::runtime_error("bad peers file '" + path + "': " + e.what());
        }
        auto bad = [&](const std::string &why) {
            return std::runtime_error("bad peers file '" + path + "': " + why +
                                      " (expected a benchmark results file, bench/results/*.json)");
        };
        if (!doc.is_object() || !doc.contains("families") || !doc.at("families").is_array())
            throw bad("no \"families\" array");
        size_t rows = 0;
        for (const json::Value &family : doc.at("families").elements()) {
            if (!family.is_object() || !family.contains("rows") || !family.at("rows").is_array())
                throw bad("a family without a \"rows\" array");
            for (const json::Value &row : family.at("rows").elements()) {
                if (!row.is_object() || !row.contains("id") || !row.at("id").is_string())
                    throw bad("a row without an \"id\"");
                rows++;
                if (!row.contains("peers") || !row.at("peers").is_object()) continue;  // a row whose peers did not run
                const std::string &id = row.at("id").str();
                for (const auto &peer : row.at("peers").items()) {
                    // halconv_plain etc. are halconv itself, not a peer library.
                    if (peer.first.rfind("halconv", 0) == 0 || !peer.second.is_object()) continue;
                    const double ms = peer.second.get_number("median_ms", 0);
                    if (!(ms > 0) || !std::isfinite(ms)) continue;
                    auto it = best.find(id);
                    if (it == best.end() || ms < it->second.median_ms) best[id] = PeerTiming{peer.first, ms, path};
                }
            }
        }
        if (rows == 0) throw bad("no rows");
    }
    return best;
}

std::vector<EntryReport> build_entry_reports(const std::vector<Record> &records,
                                             const std::map<std::string, PeerTiming> &peers) {
    const std::vector<double> durations = trial_seconds(records);
    std::vector<RecordKey> order;
    std::map<RecordKey, std::vector<size_t>> groups;
    for (size_t i = 0; i < records.size(); i++) {
        if (!usable(records[i])) continue;
        const RecordKey key{records[i].op, records[i].entry, records[i].target};
        auto &g = groups[key];
        if (g.empty()) order.push_back(key);
        g.push_back(i);
    }

    std::vector<EntryReport> out;
    for (const RecordKey &key : order) {
        EntryReport e;
        e.key = key;
        std::map<std::string, std::vector<size_t>> by_strategy, by_scheduler;
        for (size_t i : groups[key]) {
            const Record &r = records[i];
            if (e.halide_target.empty()) e.halide_target = r.halide_target;
            if (r.kind == "hand") {
                if (r.ok() && (!e.hand || r.median_ms < e.hand->median_ms)) e.hand = r;
                if (!r.ok()) e.hand_failed = true;
            } else if (r.kind == "tuned") {
                by_strategy[r.strategy.empty() ? "tuned" : r.strategy].push_back(i);
                if (r.ok() && (!e.best_tuned || r.median_ms < e.best_tuned->median_ms)) e.best_tuned = r;
            } else if (r.kind == "confirm") {
                if (r.ok() && r.speedup && (!e.best_confirmed || *r.speedup > *e.best_confirmed->speedup))
                    e.best_confirmed = r;
            } else {
                by_scheduler[r.scheduler.empty() ? "autoscheduler" : r.scheduler].push_back(i);
            }
        }
        // A tuned trial of exactly the hand params (anneal and evolve start
        // there) is one more measurement of the hand schedule: the hand time
        // is the fastest of them all, so a noisy hand run cannot make a
        // tuned schedule look better than it is.
        if (e.hand) {
            const std::string hand_params = params_key(e.hand->params);
            for (size_t i : groups[key]) {
                const Record &r = records[i];
                if (r.kind == "tuned" && r.ok() && params_key(r.params) == hand_params &&
                    r.median_ms < e.hand->median_ms) {
                    e.hand->median_ms = r.median_ms;
                    e.hand->spread_ms = r.spread_ms;
                }
            }
        }
        if (e.hand) {
            e.hand_failed = false;  // a failed re-measurement does not undo an ok one
            if (!e.hand->halide_target.empty()) e.halide_target = e.hand->halide_target;
        }
        if (e.best_tuned && e.best_tuned->strategy.empty()) e.best_tuned->strategy = "tuned";

        for (auto &[name, idx] : by_strategy) {
            StrategyRun run;
            run.strategy = name;
            std::stable_sort(idx.begin(), idx.end(),
                             [&](size_t a, size_t b) { return records[a].trial < records[b].trial; });
            double best = std::numeric_limits<double>::quiet_NaN(), elapsed = 0;
            for (size_t i : idx) {
                const Record &r = records[i];
                // Failed, wrong and invalid trials cost time but never improve the best.
                if (r.ok() && (std::isnan(best) || r.median_ms < best)) best = r.median_ms;
                elapsed += durations[i];
                run.trials.push_back(r);
                run.best_so_far.push_back(best);
                run.elapsed_s.push_back(elapsed);
            }
            e.strategies.push_back(std::move(run));
        }

        std::vector<std::string> names;
        for (const char *s : kKnownSchedulers)
            if (by_scheduler.count(s)) names.push_back(s);
        for (const auto &kv : by_scheduler)
            if (std::find(names.begin(), names.end(), kv.first) == names.end()) names.push_back(kv.first);
        for (const std::string &name : names) {
            AutoschedulerResult a;
            a.scheduler = name;
            for (size_t i : by_scheduler[name]) {
                const Record &r = records[i];
                if (r.ok()) {
                    if (!a.ok || r.median_ms < a.median_ms) {
                        a.ok = true;
                        a.median_ms = r.median_ms;
                        a.spread_ms = r.spread_ms;
                        a.error.clear();
                    }
                } else if (!a.ok) {
                    a.error = r.status + (r.error.empty() ? "" : ": " + r.error);
                }
            }
            e.autoschedulers.push_back(std::move(a));
        }
        // The benchmark results are CPU runs: a GPU schedule against them would mislead.
        if (key.target == "cpu") e.peer = peer_for(peers, key.op, key.entry);
        out.push_back(std::move(e));
    }
    return out;
}

ReportOutput write_report(const ReportOptions &options) {
    if (options.records_paths.empty()) throw std::runtime_error("no records file given");
    if (options.out_dir.empty()) throw std::runtime_error("no output directory given (-o DIR)");

    ReportOutput result;
    std::vector<Record> records;
    std::set<std::string> seen;
    size_t duplicates = 0;
    for (const std::string &path : options.records_paths) {
        check_readable(path);
        std::vector<Record> loaded = load_records(path, &result.warnings);
        size_t usable_count = 0;
        for (Record &r : loaded) {
            if (!usable(r)) continue;
            usable_count++;
            if (!seen.insert(identity(r)).second) {
                duplicates++;
                continue;
            }
            records.push_back(std::move(r));
        }
        if (usable_count == 0) {
            throw std::runtime_error("records file '" + path + "' has no usable records" +
                                     (loaded.empty() ? " (it is empty)"
                                                     : " (" + std::to_string(loaded.size()) +
                                                           " records, none with op, entry, target and kind)") +
                                     "; expected the JSON Lines written by `halconv tune`");
        }
    }
    if (duplicates > 0)
        result.warnings.push_back(std::to_string(duplicates) + " duplicate records (the same trial in more than "
                                                               "one file) ignored");

    const std::map<std::string, PeerTiming> peers = load_peer_timings(options.peers_paths);
    const std::vector<EntryReport> entries = build_entry_reports(records, peers);

    std::error_code ec;
    fs::create_directories(options.out_dir, ec);
    if (!fs::is_directory(options.out_dir)) {
        throw std::runtime_error("cannot create output directory '" + options.out_dir +
                                 "': " + (ec ? ec.message() : "a file of that name exists"));
    }
    const fs::path dir(options.out_dir);

    std::vector<std::string> image_files;
    auto save = [&](const std::string &name, const pngio::Image &img) {
        const std::string path = (dir / name).string();
        pngio::write_png(path, img);
        image_files.push_back(name);
        result.files.push_back(path);
    };
    for (const EntryReport &e : entries) {
        if (!e.strategies.empty()) save("convergence_" + key_file_part(e.key) + ".png", convergence_chart(e));
        save("bars_" + key_file_part(e.key) + ".png", bar_chart(e));
    }
    std::vector<const EntryReport *> compared;
    for (const EntryReport &e : entries)
        if (e.judged_speedup()) compared.push_back(&e);
    const bool has_summary = !compared.empty();
    if (has_summary) save("summary.png", summary_chart(compared, options.title.empty() ? "halconv" : options.title));

    const std::string md = render_markdown(options, records, entries, image_files, has_summary, &result.summary);
    const std::string md_path = (dir / "report.md").string();
    write_text_atomically(md_path, md);
    result.files.push_back(md_path);
    result.records = records.size();
    result.entries = entries.size();
    return result;
}

}  // namespace tune
}  // namespace halconv
