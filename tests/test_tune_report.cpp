// `halconv tune-report` (tune/report.h, tune/plot.h): synthetic records ->
// report directory; the charts decode to the expected size and are not
// blank, report.md holds the expected numbers; bad inputs fail with clear
// messages.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "png_io.h"
#include "tune/plot.h"
#include "tune/records.h"
#include "tune/report.h"

namespace {

namespace fs = std::filesystem;
using halconv::tune::Record;

// A fresh directory under the system temp dir, removed at the end.
struct TempDir {
    fs::path path;
    TempDir() {
        const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
        path = fs::temp_directory_path() /
               ("halconv_tune_report_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string &name) const { return (path / name).string(); }
};

std::string stamp(int seconds_after_ten) {
    char buf[32];
    const int h = 10 + seconds_after_ten / 3600, m = seconds_after_ten / 60 % 60, s = seconds_after_ten % 60;
    std::snprintf(buf, sizeof buf, "2026-11-21T%02d:%02d:%02dZ", h, m, s);
    return buf;
}

Record base(const std::string &entry, const std::string &target, const std::string &kind) {
    Record r;
    r.op = "conv2d";
    r.entry = entry;
    r.target = target;
    r.halide_target = target == "cpu" ? "x86-64-linux-avx-avx2-f16c-fma-sse41" : "x86-64-linux-cuda";
    r.kind = kind;
    r.trial = 1;
    r.repeats = 25;
    r.compile_s = 4;
    r.halconv_version = "0.1.0";
    r.machine = {"AMD EPYC 7B13", 2, 2};
    return r;
}

Record ok(Record r, double ms, double spread, halconv::tune::Params p) {
    r.status = "ok";
    r.median_ms = ms;
    r.min_ms = ms * 0.95;
    r.spread_ms = spread;
    r.params = std::move(p);
    return r;
}

Record bad(Record r, const std::string &status, const std::string &error) {
    r.status = status;
    r.error = error;
    return r;
}

struct Trial {
    double ms;          // <= 0: not ok
    const char *status;  // for the not-ok ones
};

// Three cpu entries and one cuda entry:
//   cpu r50_3x3_56: hand 2.0; random best 1.6 (speedup 1.25x), anneal best
//                   1.7; Adams2019 2.5, Li2018 failed; peer onednn_reorders 1.5
//   cpu r50_1x1_56: hand 1.0; tuned 0.995 (within noise, not 10%); both
//                   autoschedulers failed
//   cpu r50_3x3_28: hand 1.0 ±0.01; tuned 1.05 (slower beyond the 2% noise);
//                   Adams2019 0.9 beats hand
//   cuda r50_3x3_56: hand 0.5; tuned 0.4
std::vector<Record> synthetic_records() {
    std::vector<Record> out;
    const halconv::tune::Params hand_params{{"cpu_strip_rows", 4}, {"cpu_x_tile", 7}};
    int t = 0;
    auto at = [&](Record r) {
        r.time = stamp(t);
        t += 30;  // every record is written 30 s after the previous one
        out.push_back(std::move(r));
    };

    at(ok(base("r50_3x3_56", "cpu", "hand"), 2.0, 0.04, hand_params));
    const std::vector<Trial> random = {{2.4, ""}, {0, "failed"}, {2.1, ""}, {1.9, ""}, {0, "invalid"}, {1.6, ""}};
    const std::vector<Trial> anneal = {{2.2, ""}, {1.8, ""}, {0, "wrong"}, {1.75, ""}, {1.7, ""}};
    for (const auto &[strategy, trials] : {std::make_pair("random", random), std::make_pair("anneal", anneal)}) {
        for (size_t i = 0; i < trials.size(); i++) {
            Record r = base("r50_3x3_56", "cpu", "tuned");
            r.strategy = strategy;
            r.trial = int(i) + 1;
            // The winner differs from hand in cpu_x_tile only.
            const halconv::tune::Params p{{"cpu_strip_rows", 4}, {"cpu_x_tile", 6 - int(i) % 3}};
            at(trials[i].ms > 0 ? ok(r, trials[i].ms, 0.03, trials[i].ms == 1.6 ? halconv::tune::Params{
                                                                                     {"cpu_strip_rows", 4},
                                                                                     {"cpu_x_tile", 6}}
                                                                                 : p)
                                : bad(r, trials[i].status, "synthetic " + std::string(trials[i].status)));
        }
    }
    Record adams = base("r50_3x3_56", "cpu", "autoscheduler");
    adams.scheduler = "Adams2019";
    at(ok(adams, 2.5, 0.05, {}));
    Record li = base("r50_3x3_56", "cpu", "autoscheduler");
    li.scheduler = "Li2018";
    at(bad(li, "failed", "Li2018 cannot schedule | this pipeline"));

    at(ok(base("r50_1x1_56", "cpu", "hand"), 1.0, 0.01, hand_params));
    Record t1 = base("r50_1x1_56", "cpu", "tuned");
    t1.strategy = "random";
    at(ok(t1, 1.01, 0.01, {{"cpu_strip_rows", 8}, {"cpu_x_tile", 7}}));
    t1.trial = 2;
    at(ok(t1, 0.995, 0.01, {{"cpu_strip_rows", 2}, {"cpu_x_tile", 7}}));
    for (const char *s : {"Mullapudi2016", "Adams2019"}) {
        Record a = base("r50_1x1_56", "cpu", "autoscheduler");
        a.scheduler = s;
        at(bad(a, "failed", "does not compile"));
    }

    at(ok(base("r50_3x3_28", "cpu", "hand"), 1.0, 0.01, hand_params));
    Record t2 = base("r50_3x3_28", "cpu", "tuned");
    t2.strategy = "grid";
    at(ok(t2, 1.05, 0.01, {{"cpu_strip_rows", 2}, {"cpu_x_tile", 5}}));
    Record a2 = base("r50_3x3_28", "cpu", "autoscheduler");
    a2.scheduler = "Adams2019";
    at(ok(a2, 0.9, 0.01, {}));

    at(ok(base("r50_3x3_56", "cuda", "hand"), 0.5, 0.01, {{"gpu_tile", 16}}));
    Record t3 = base("r50_3x3_56", "cuda", "tuned");
    t3.strategy = "evolve";
    at(ok(t3, 0.4, 0.01, {{"gpu_tile", 32}}));
    return out;
}

void write_records(const std::string &path, const std::vector<Record> &records) {
    std::ofstream f(path, std::ios::binary);
    for (const Record &r : records) f << r.to_json().dump(0) << "\n";
}

void write_text(const std::string &path, const std::string &text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

std::string read_text(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

const char *kPeersJson = R"({"benchmark": "conv", "families": [{"family": "conv2d", "rows": [
  {"id": "r50_3x3_56", "halconv": {"median_ms": 2.05},
   "peers": {"onednn_prim": {"median_ms": 1.56}, "onednn_reorders": {"median_ms": 1.5},
             "halconv_plain": {"median_ms": 1.0}}},
  {"id": "r50_1x1_56", "peers": {"onednn_prim": {"median_ms": 0.8}}},
  {"id": "r50_3x3_28", "status": "SKIPPED"}]}]})";

size_t distinct_colours(const pngio::Image &img) {
    std::set<uint32_t> colours;
    for (size_t i = 0; i + 2 < img.pixels.size(); i += 3)
        colours.insert(uint32_t(img.pixels[i]) << 16 | uint32_t(img.pixels[i + 1]) << 8 | img.pixels[i + 2]);
    return colours.size();
}

std::string expect_throw_message(const halconv::tune::ReportOptions &opt) {
    try {
        halconv::tune::write_report(opt);
    } catch (const std::runtime_error &e) {
        return e.what();
    }
    ADD_FAILURE() << "write_report did not throw";
    return "";
}

}  // namespace

TEST(TuneReportPlot, NiceTicks) {
    EXPECT_DOUBLE_EQ(halconv::tune::plot::nice_step(0, 2.4, 6), 0.5);
    const std::vector<double> ticks = halconv::tune::plot::nice_ticks(0, 2.4, 6);
    ASSERT_EQ(ticks.size(), 6u);
    EXPECT_DOUBLE_EQ(ticks.front(), 0);
    EXPECT_DOUBLE_EQ(ticks.back(), 2.5);
    const std::vector<double> narrow = halconv::tune::plot::nice_ticks(1.55, 2.45, 6);
    EXPECT_NEAR(narrow[1] - narrow[0], 0.2, 1e-12);
    EXPECT_LE(narrow.front(), 1.55);
    EXPECT_GE(narrow.back(), 2.45);
    for (double range : {0.003, 0.7, 13.0, 420.0, 9e5}) {
        const double step = halconv::tune::plot::nice_step(0, range, 6);
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
        EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9)
            << "range " << range << " step " << step;
    }
    EXPECT_EQ(halconv::tune::plot::format_tick(0.5, 0.5), "0.5");
    EXPECT_EQ(halconv::tune::plot::format_tick(10, 5), "10");
    EXPECT_EQ(halconv::tune::plot::format_tick(0.15, 0.05), "0.15");
    // A degenerate range still gets an axis.
    EXPECT_GE(halconv::tune::plot::nice_ticks(3, 3, 5).size(), 2u);
}

TEST(TuneReportPlot, ChartsAreDrawn) {
    halconv::tune::plot::LineChart line;
    line.title = "test";
    line.series.push_back({"a", halconv::tune::plot::series_colour(0), {{1, 5}, {2, 4}, {3, 4}, {4, 2}}});
    line.references.push_back({"hand", {0, 0, 0}, 3, true});
    line.references.push_back({"slow", {200, 0, 0}, 100});  // beyond the cut range: off scale
    const pngio::Image a = halconv::tune::plot::render_line_chart(line);
    EXPECT_EQ(a.width, 900);
    EXPECT_EQ(a.height, 560);
    EXPECT_GE(distinct_colours(a), 4u);

    halconv::tune::plot::BarChart bars;
    bars.bars.push_back({"x", halconv::tune::plot::series_colour(1), 2.0});
    bars.bars.push_back({"y", halconv::tune::plot::series_colour(2), std::nullopt, "failed"});
    const pngio::Image b = halconv::tune::plot::render_bar_chart(bars);
    EXPECT_EQ(b.width, 900);
    EXPECT_GE(distinct_colours(b), 4u);
}

TEST(TuneReport, ParseUtcAndParamsDiff) {
    using halconv::tune::parse_utc;
    ASSERT_TRUE(parse_utc("1970-01-02T00:00:01Z"));
    EXPECT_DOUBLE_EQ(*parse_utc("1970-01-02T00:00:01Z"), 86401);
    EXPECT_DOUBLE_EQ(*parse_utc("2026-11-21T10:00:30Z") - *parse_utc("2026-11-21T09:59:00Z"), 90);
    EXPECT_DOUBLE_EQ(*parse_utc("2024-03-01T00:00:00Z") - *parse_utc("2024-02-28T00:00:00Z"), 2 * 86400);  // leap year
    EXPECT_FALSE(parse_utc("yesterday"));
    EXPECT_FALSE(parse_utc("2026-11-21T10:00:00+01:00"));
    EXPECT_EQ(halconv::tune::params_diff({{"a", 1}, {"b", 3}}, {{"a", 1}, {"b", 2}}), "b=3");
    EXPECT_EQ(halconv::tune::params_diff({{"a", 1}}, {{"a", 1}}), "same as hand");
}

TEST(TuneReport, BestSoFarIgnoresFailedTrials) {
    const auto entries = halconv::tune::build_entry_reports(synthetic_records(), {});
    ASSERT_EQ(entries.size(), 4u);
    const auto &e = entries[0];
    EXPECT_EQ(e.key.entry, "r50_3x3_56");
    ASSERT_EQ(e.strategies.size(), 2u);
    EXPECT_EQ(e.strategies[0].strategy, "anneal");
    const auto &random = e.strategies[1];
    EXPECT_EQ(random.strategy, "random");
    const std::vector<double> expected = {2.4, 2.4, 2.1, 1.9, 1.9, 1.6};
    ASSERT_EQ(random.best_so_far.size(), expected.size());
    for (size_t i = 0; i < expected.size(); i++) EXPECT_DOUBLE_EQ(random.best_so_far[i], expected[i]) << i;
    // Every record 30 s after the previous one of the entry.
    EXPECT_DOUBLE_EQ(random.elapsed_s.back(), 180);
    ASSERT_TRUE(e.best_tuned);
    EXPECT_EQ(e.best_tuned->strategy, "random");
    ASSERT_TRUE(e.speedup());
    EXPECT_DOUBLE_EQ(*e.speedup(), 1.25);
    ASSERT_EQ(e.autoschedulers.size(), 2u);
    EXPECT_EQ(e.autoschedulers[0].scheduler, "Adams2019");
    EXPECT_TRUE(e.autoschedulers[0].ok);
    EXPECT_FALSE(e.autoschedulers[1].ok);
    EXPECT_FALSE(e.peer);  // no peers given
}

TEST(TuneReport, WritesChartsAndMarkdown) {
    TempDir tmp;
    const std::string records = tmp.file("records.jsonl"), peers = tmp.file("conv.json");
    write_records(records, synthetic_records());
    write_text(peers, kPeersJson);

    halconv::tune::ReportOptions opt;
    opt.records_paths = {records};
    opt.out_dir = tmp.file("out/nested");  // created
    opt.peers_paths = {peers};
    opt.title = "Synthetic tuning";
    const halconv::tune::ReportOutput out = halconv::tune::write_report(opt);
    EXPECT_EQ(out.records, synthetic_records().size());
    EXPECT_EQ(out.entries, 4u);

    const std::vector<std::string> images = {
        "convergence_conv2d_r50_3x3_56_cpu.png", "bars_conv2d_r50_3x3_56_cpu.png",
        "convergence_conv2d_r50_1x1_56_cpu.png", "bars_conv2d_r50_1x1_56_cpu.png",
        "convergence_conv2d_r50_3x3_28_cpu.png", "bars_conv2d_r50_3x3_28_cpu.png",
        "convergence_conv2d_r50_3x3_56_cuda.png", "bars_conv2d_r50_3x3_56_cuda.png",
        "summary.png"};
    for (const std::string &name : images) {
        const std::string path = opt.out_dir + "/" + name;
        ASSERT_TRUE(fs::exists(path)) << path;
        const pngio::Image img = pngio::read_png(path);
        EXPECT_EQ(img.width, 900) << name;
        EXPECT_EQ(img.height, 560) << name;
        EXPECT_EQ(img.channels, 3) << name;
        EXPECT_GE(distinct_colours(img), 5u) << name;
    }
    // No temporary files left behind.
    for (const auto &f : fs::directory_iterator(opt.out_dir))
        EXPECT_EQ(f.path().filename().string().find(".tmp"), std::string::npos) << f.path();

    const std::string md = read_text(opt.out_dir + "/report.md");
    EXPECT_NE(md.find("# Synthetic tuning"), std::string::npos);
    EXPECT_NE(md.find("halconv version: 0.1.0"), std::string::npos);
    EXPECT_NE(md.find("AMD EPYC 7B13, 2 cores, 2 threads"), std::string::npos);
    EXPECT_NE(md.find("## Target cpu"), std::string::npos);
    EXPECT_NE(md.find("## Target cuda"), std::string::npos);
    EXPECT_NE(md.find("x86-64-linux-avx-avx2-f16c-fma-sse41"), std::string::npos);
    // Entry r50_3x3_56: best tuned 1.6 by random, differing from hand in
    // cpu_x_tile; 1.25x; Adams2019 2.5, Li2018 failed; the fastest peer
    // (halconv_plain is not a peer); hand beats Adams2019 by 1.25x.
    EXPECT_NE(md.find("| r50_3x3_56 | conv2d | 2.000 ±0.040 | 1.600 ±0.030 (random; cpu_x_tile=6) | 1.25x | - | - | "
                      "2.500 | failed | 1.500 (onednn_reorders) | hand 1.25x faster than Adams2019 |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("| r50_1x1_56 | conv2d | 1.000 ±0.010 | 0.995 ±0.010 (random; cpu_strip_rows=2) | 1.01x | - | "
                      "failed | failed | - | 0.800 (onednn_prim) | all failed |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("| r50_3x3_28 | conv2d | 1.000 ±0.010 | 1.050 ±0.010 (grid; cpu_strip_rows=2, cpu_x_tile=5) | "
                      "0.95x | - | - | 0.900 | - | - | Adams2019 1.11x faster than hand |"),
              std::string::npos)
        << md;
    // Summary: within noise 2 of 3 (1.6 and 0.995 yes; 1.05 > 1.0 + 0.02 no),
    // >= 10% faster 1 of 3, hand beats every successful autoscheduler on 2
    // of 3 (one of them because all failed); cuda 1 of 1.
    EXPECT_NE(md.find("Best tuned at least as fast as hand within noise: 2 of 3 entries"), std::string::npos) << md;
    EXPECT_NE(md.find("Best tuned at least 10% faster than hand (hand/tuned >= 1.10): 1 of 3 entries."),
              std::string::npos);
    EXPECT_NE(md.find("Hand schedule faster than every autoscheduler that succeeded: 2 of 3 entries (67%); on 1 of "
                      "them every autoscheduler failed."),
              std::string::npos);
    EXPECT_NE(md.find("Best tuned at least 10% faster than hand (hand/tuned >= 1.10): 1 of 1 entries."),
              std::string::npos);
    EXPECT_NE(md.find("Peer timings are CPU benchmarks and are shown for target cpu only."), std::string::npos);
    // Trials and minutes to within 5% of the final best (1.6 ms): random gets
    // there at its 6th trial after 3 minutes; anneal's best 1.7 never does,
    // but reaches 5% of its own best at trial 4 (1.75), 2 minutes in.
    EXPECT_NE(md.find("| r50_3x3_56 | random | 6 | 1.600 | 6 | 3.0 | 6 | 3.0 |"), std::string::npos) << md;
    EXPECT_NE(md.find("| r50_3x3_56 | anneal | 5 | 1.700 | not reached | - | 4 | 2.0 |"), std::string::npos) << md;
    // The failure messages, with the table-breaking '|' kept out of tables.
    EXPECT_NE(md.find("conv2d r50_3x3_56 cpu Li2018: failed: Li2018 cannot schedule | this pipeline"), std::string::npos);
    for (const std::string &name : images) EXPECT_NE(md.find("](" + name + ")"), std::string::npos) << name;

    ASSERT_FALSE(out.summary.empty());
    EXPECT_EQ(out.files.back(), opt.out_dir + "/report.md");
    EXPECT_EQ(out.files.size(), images.size() + 1);
}

// Confirmations (kind confirm) decide where they exist: r50_3x3_56's 1.25x
// of separate timings was 1.02x when hand and tuned alternated, and
// r50_3x3_28's 0.95x was 1.00x (within noise); r50_1x1_56 has none and is
// judged by its separate timings (1.01x).
TEST(TuneReport, ConfirmationsDecideWhereTheyExist) {
    TempDir tmp;
    std::vector<Record> records = synthetic_records();
    auto confirm = [](const std::string &entry, const std::string &strategy, int trial, double ms, double hand_ms,
                      double speedup, double spread, halconv::tune::Params p) {
        Record r = ok(base(entry, "cpu", "confirm"), ms, 0.02, std::move(p));
        r.strategy = strategy;
        r.trial = trial;
        r.repeats = 30;
        r.hand_ms = hand_ms;
        r.speedup = speedup;
        r.speedup_spread = spread;
        return r;
    };
    records.push_back(confirm("r50_3x3_56", "random", 6, 1.56, 1.591, 1.02, 0.04, {{"cpu_strip_rows", 4}, {"cpu_x_tile", 6}}));
    // A worse confirmation of another candidate does not hide the better one.
    records.push_back(confirm("r50_3x3_56", "anneal", 5, 1.7, 1.6, 0.94, 0.03, {{"cpu_strip_rows", 4}, {"cpu_x_tile", 5}}));
    records.push_back(confirm("r50_3x3_28", "grid", 1, 1.0, 1.0, 1.0, 0.01, {{"cpu_strip_rows", 2}, {"cpu_x_tile", 5}}));
    // A failed confirmation counts for nothing.
    Record failed = bad(base("r50_1x1_56", "cpu", "confirm"), "failed", "did not build");
    records.push_back(failed);
    write_records(tmp.file("records.jsonl"), records);
    halconv::tune::ReportOptions opt;
    opt.records_paths = {tmp.file("records.jsonl")};
    opt.out_dir = tmp.file("out");
    const auto out = halconv::tune::write_report(opt);
    EXPECT_EQ(out.entries, 4u);  // confirmations add no entry
    const std::string md = read_text(opt.out_dir + "/report.md");
    EXPECT_NE(md.find("| 1.25x | 1.02x IQR 0.040 (random trial 6; 1.560 vs 1.591, 30 rounds) |"), std::string::npos)
        << md;
    EXPECT_NE(md.find("| 0.95x | 1.00x IQR 0.010 (grid trial 1; 1.000 vs 1.000, 30 rounds) |"), std::string::npos)
        << md;
    EXPECT_NE(md.find("Judged by the confirmation (the fastest tuned candidates and the hand schedule timed "
                      "alternately in one process) on 2 of 3 entries"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("Best tuned at least as fast as hand within noise: 3 of 3 entries"), std::string::npos) << md;
    EXPECT_NE(md.find("Best tuned at least 10% faster than hand (hand/tuned >= 1.10): 0 of 3 entries."),
              std::string::npos)
        << md;
    // Confirmations are not autoschedulers.
    EXPECT_EQ(md.find("| confirm ms |"), std::string::npos) << md;
}

TEST(TuneReport, DuplicateRecordsAcrossFilesCountOnce) {
    TempDir tmp;
    write_records(tmp.file("a.jsonl"), synthetic_records());
    write_records(tmp.file("b.jsonl"), synthetic_records());
    halconv::tune::ReportOptions opt;
    opt.records_paths = {tmp.file("a.jsonl"), tmp.file("b.jsonl")};
    opt.out_dir = tmp.file("out");
    const auto out = halconv::tune::write_report(opt);
    EXPECT_EQ(out.records, synthetic_records().size());
    ASSERT_FALSE(out.warnings.empty());
    EXPECT_NE(out.warnings.back().find("duplicate"), std::string::npos);
}

TEST(TuneReport, Errors) {
    TempDir tmp;
    const std::string records = tmp.file("records.jsonl");
    write_records(records, synthetic_records());
    halconv::tune::ReportOptions opt;
    opt.out_dir = tmp.file("out");

    EXPECT_NE(expect_throw_message(opt).find("no records file given"), std::string::npos);

    opt.records_paths = {tmp.file("missing.jsonl")};
    std::string msg = expect_throw_message(opt);
    EXPECT_NE(msg.find("cannot read records file"), std::string::npos) << msg;
    EXPECT_NE(msg.find("missing.jsonl"), std::string::npos) << msg;

    opt.records_paths = {tmp.path.string()};
    EXPECT_NE(expect_throw_message(opt).find("is a directory"), std::string::npos);

    opt.records_paths = {records};
    opt.out_dir.clear();
    EXPECT_NE(expect_throw_message(opt).find("no output directory"), std::string::npos);
    opt.out_dir = tmp.file("out");

    write_text(tmp.file("empty.jsonl"), "");
    opt.records_paths = {records, tmp.file("empty.jsonl")};
    msg = expect_throw_message(opt);
    EXPECT_NE(msg.find("empty.jsonl' has no usable records"), std::string::npos) << msg;

    write_text(tmp.file("garbage.jsonl"), "{\"v\": 1, \"op\": \"conv2d\"}\n");
    opt.records_paths = {tmp.file("garbage.jsonl")};
    msg = expect_throw_message(opt);
    EXPECT_NE(msg.find("garbage.jsonl:1"), std::string::npos) << msg;

    opt.records_paths = {records};
    write_text(tmp.file("notjson.json"), "this is not json");
    opt.peers_paths = {tmp.file("notjson.json")};
    msg = expect_throw_message(opt);
    EXPECT_NE(msg.find("bad peers file"), std::string::npos) << msg;
    EXPECT_NE(msg.find("notjson.json"), std::string::npos) << msg;

    write_text(tmp.file("nofamilies.json"), "{\"rows\": []}");
    opt.peers_paths = {tmp.file("nofamilies.json")};
    msg = expect_throw_message(opt);
    EXPECT_NE(msg.find("no \"families\" array"), std::string::npos) << msg;

    opt.peers_paths = {tmp.file("absent.json")};
    EXPECT_NE(expect_throw_message(opt).find("absent.json"), std::string::npos);

    // The output "directory" is a file.
    opt.peers_paths.clear();
    write_text(tmp.file("a_file"), "x");
    opt.out_dir = tmp.file("a_file");
    EXPECT_NE(expect_throw_message(opt).find("cannot create output directory"), std::string::npos);
}
