// halconv tune-report RECORDS.jsonl [RECORDS2.jsonl ...] -o DIR [--peers FILE ...] [--title TEXT]
#include "commands.h"
#include "common.h"

#include <iostream>
#include <sstream>

#include "tune/report.h"

namespace halconv_cli {

void usage_tune_report(std::ostream &os) {
    os << "usage: halconv tune-report RECORDS.jsonl [RECORDS2.jsonl ...] -o DIR [--peers FILE ...]\n"
          "                           [--title TEXT]\n"
          "\n"
          "Plots and summarises the records files of `halconv tune` (JSON Lines, one trial\n"
          "per line). Writes into DIR (created if missing):\n"
          "  convergence_<op>_<entry>_<target>.png  best-so-far median time against the\n"
          "                                         trial number, one line per strategy,\n"
          "                                         dashed lines for the hand schedule,\n"
          "                                         the autoschedulers and the peer\n"
          "  bars_<op>_<entry>_<target>.png         hand, autoschedulers (failed ones\n"
          "                                         marked), best tuned and peer, in ms\n"
          "  summary.png                            best tuned / hand speedup per entry\n"
          "  report.md                              a table per target and the summary:\n"
          "                                         tuned vs hand within noise, >= 10%\n"
          "                                         faster, hand vs autoschedulers, trials\n"
          "                                         and minutes to within 5% of the best\n"
          "\n"
          "options:\n"
          "  -o, --output DIR   output directory (required)\n"
          "  --peers FILE       benchmark results (bench/results/*.json) to take peer\n"
          "                     timings from: the fastest peer of the row whose id is the\n"
          "                     entry; repeatable; used for target cpu only\n"
          "  --title TEXT       heading of report.md (default \"halconv tuning report\")\n"
          "  -q, --quiet        print nothing on success\n"
          "  -h, --help         this text\n"
          "\n"
          "Exit status: 0 ok, 1 error (unreadable or malformed records or peers file, no\n"
          "usable records, output not writable), 2 bad usage.\n";
}

int cmd_tune_report(int argc, char **argv, int first) {
    halconv::tune::ReportOptions opt;
    bool quiet = false;
    ArgReader r(argc, argv, first);
    while (!r.done()) {
        bool pos = false;
        const std::string o = r.next(&pos);
        if (pos) {
            opt.records_paths.push_back(o);
        } else if (o == "-h" || o == "--help") {
            usage_tune_report(std::cout);
            return kExitOk;
        } else if (o == "-o" || o == "--output") {
            opt.out_dir = r.value(o);
            if (opt.out_dir.empty()) throw ArgError(o + ": the output directory name is empty");
        } else if (o == "--peers") {
            const std::string path = r.value(o);
            if (path.empty()) throw ArgError("--peers: the file name is empty");
            opt.peers_paths.push_back(path);
        } else if (o == "--title") {
            opt.title = r.value(o);
        } else if (o == "-q" || o == "--quiet") {
            quiet = true;
        } else {
            throw UsageError("unknown option '" + o + "'");
        }
    }
    if (opt.records_paths.empty()) throw UsageError("missing RECORDS.jsonl (no records file given)");
    if (opt.out_dir.empty()) throw UsageError("missing -o DIR (the output directory)");

    const halconv::tune::ReportOutput out = halconv::tune::write_report(opt);

    // Warnings go to stderr even with --quiet: they say some input was skipped.
    for (const std::string &w : out.warnings) std::cerr << "halconv tune-report: warning: " << w << "\n";
    if (quiet) return kExitOk;
    std::ostringstream os;
    os << out.records << " records, " << out.entries << " op/entry/target combinations -> " << opt.out_dir << "\n";
    for (const std::string &line : out.summary) os << "  " << line << "\n";
    os << "wrote " << out.files.size() << " files:\n";
    for (const std::string &f : out.files) os << "  " << f << "\n";
    std::cout << os.str();
    return kExitOk;
}

}  // namespace halconv_cli
