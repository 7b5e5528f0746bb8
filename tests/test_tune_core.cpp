// Tests of the plain-C++ core of `halconv tune`: the search space, the four
// search strategies (on a made-up space with a synthetic cost, no Halide)
// and the records database (JSON Lines, resume after a killed run).

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "tune/records.h"
#include "tune/space.h"
#include "tune/strategy.h"

namespace halconv {
namespace tune {
namespace {

// ---------------------------------------------------------------------------
// A small space shaped like a real schedule's: tile sizes bounded by the
// register file, one knob restricted to divisors.
//   a, b in {1, 2, 3, 4, 6, 8}, c in {0, 1, 2}; a * b <= 24 registers and b | 8
// admits 20 (a, b) pairs x 3 = 60 of 108 points.

TargetInfo test_target() {
    TargetInfo t;
    t.vector_registers = 24;
    return t;
}

SearchSpace test_space() {
    SearchSpace s;
    s.knobs = {{"a", 2, {1, 2, 3, 4, 6, 8}}, {"b", 2, {1, 2, 3, 4, 6, 8}}, {"c", 0, {0, 1, 2}}};
    s.constraints = {
        {"a * b <= vector registers",
         [](const Params &p, const TargetInfo &t) { return p.at("a") * p.at("b") <= t.vector_registers; }},
        {"b divides 8", [](const Params &p, const TargetInfo &) { return 8 % p.at("b") == 0; }},
    };
    return s;
}

// Smooth in log2 of the tiles, best at a=6, b=4, c=2 (on the register
// limit, as real optima tend to be); hand (2, 2, 0) costs ~3.56.
double synthetic_cost(const Params &p) {
    const double la = std::log2(p.at("a")), lb = std::log2(p.at("b"));
    const double c = p.at("c");
    return 1 + 0.5 * std::pow(la - std::log2(6.0), 2) + 0.5 * std::pow(lb - 2, 2) + 0.2 * std::pow(c - 2, 2) +
           0.1 * std::fabs(la - lb);
}

// Some candidates "fail to compile".
bool synthetic_failure(const Params &p) { return p.at("c") == 1 && p.at("b") == 8; }

std::vector<Params> admitted_points(const SearchSpace &space, const TargetInfo &target) {
    // Lexicographic over the knobs in declaration order.
    std::vector<Params> out;
    for (int a : space.knobs[0].values)
        for (int b : space.knobs[1].values)
            for (int c : space.knobs[2].values) {
                Params p{{"a", a}, {"b", b}, {"c", c}};
                if (space.admits(p, target)) out.push_back(p);
            }
    return out;
}

Trial measure(const Params &p) {
    Trial t;
    t.params = p;
    t.ok = !synthetic_failure(p);
    t.median_ms = synthetic_cost(p);
    return t;
}

struct TuneRun {
    std::vector<Params> proposals;
    std::vector<Trial> history;
    bool exhausted = false;  // the strategy returned nullopt
    double best_ms() const {
        double best = INFINITY;
        for (const Trial &t : history)
            if (t.ok) best = std::min(best, t.median_ms);
        return best;
    }
};

// The tuner's loop: propose, measure, record; `history` may start with
// trials of an earlier (interrupted) run.
TuneRun tune(Strategy &strategy, const SearchSpace &space, const TargetInfo &target, int budget,
             std::vector<Trial> history = {}) {
    TuneRun run;
    run.history = std::move(history);
    for (int i = 0; i < budget; i++) {
        std::optional<Params> p = strategy.propose(space, target, run.history);
        if (!p) {
            run.exhausted = true;
            break;
        }
        run.proposals.push_back(*p);
        run.history.push_back(measure(*p));
    }
    return run;
}

TuneRun tune(const std::string &name, uint64_t seed, int budget, std::vector<Trial> history = {}) {
    std::unique_ptr<Strategy> s = make_strategy(name, seed);
    return tune(*s, test_space(), test_target(), budget, std::move(history));
}

double optimum_ms() {
    double best = INFINITY;
    for (const Params &p : admitted_points(test_space(), test_target()))
        if (!synthetic_failure(p)) best = std::min(best, synthetic_cost(p));
    return best;
}

// ---------------------------------------------------------------------------
// SearchSpace

TEST(TuneSpace, HandCompleteSizeFind) {
    const SearchSpace s = test_space();
    EXPECT_EQ(s.hand(), (Params{{"a", 2}, {"b", 2}, {"c", 0}}));
    EXPECT_EQ(s.complete({{"b", 4}}), (Params{{"a", 2}, {"b", 4}, {"c", 0}}));
    EXPECT_EQ(s.complete({}), s.hand());
    EXPECT_EQ(s.size(), 6u * 6u * 3u);
    ASSERT_NE(s.find("c"), nullptr);
    EXPECT_EQ(s.find("c")->hand, 0);
    EXPECT_EQ(s.find("nope"), nullptr);
    EXPECT_EQ(SearchSpace{}.size(), 1u);  // one point: the generator defaults
    EXPECT_EQ(admitted_points(s, test_target()).size(), 60u);
}

TEST(TuneSpace, Violations) {
    const SearchSpace s = test_space();
    const TargetInfo t = test_target();
    EXPECT_EQ(s.violation(s.hand(), t), "");
    EXPECT_TRUE(s.admits({}, t));  // the hand point
    EXPECT_EQ(s.violation({{"tile", 4}}, t), "unknown knob 'tile'");
    EXPECT_EQ(s.violation({{"a", 5}}, t), "a=5 is not one of its candidates");
    EXPECT_EQ(s.violation({{"a", 8}, {"b", 4}}, t), "a * b <= vector registers");  // 32 > 24
    EXPECT_EQ(s.violation({{"b", 3}}, t), "b divides 8");
    // The first violated constraint is named.
    EXPECT_EQ(s.violation({{"a", 6}, {"b", 6}}, t), "a * b <= vector registers");
    // Constraints see the target.
    TargetInfo avx512 = t;
    avx512.vector_registers = 32;
    EXPECT_TRUE(s.admits({{"a", 8}, {"b", 4}}, avx512));
}

TEST(TuneSpace, ParamsKeyIsSortedAndCanonical) {
    EXPECT_EQ(params_key({{"b", 2}, {"a", 1}}), "a=1,b=2");
    EXPECT_EQ(params_key({}), "");
    EXPECT_EQ(params_key({{"x", -3}}), "x=-3");
}

// ---------------------------------------------------------------------------
// Strategies

TEST(TuneStrategy, NamesAndUnknownName) {
    EXPECT_EQ(strategy_names(), (std::vector<std::string>{"grid", "random", "anneal", "evolve"}));
    for (const std::string &name : strategy_names()) EXPECT_EQ(make_strategy(name, 1)->name(), name);
    try {
        make_strategy("hill_climb", 1);
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument &e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("hill_climb"), std::string::npos) << msg;
        for (const std::string &name : strategy_names()) EXPECT_NE(msg.find(name), std::string::npos) << msg;
    }
}

class EveryStrategy : public ::testing::TestWithParam<std::string> {};

// 200 proposals on a 60-point space: each admitted, complete, new; the
// whole admitted set is covered exactly once and then the strategy stops.
TEST_P(EveryStrategy, ProposesEachAdmittedPointOnceThenStops) {
    const SearchSpace space = test_space();
    const TargetInfo target = test_target();
    for (uint64_t seed : {1, 2, 3}) {
        const TuneRun run = tune(GetParam(), seed, 200);
        std::set<std::string> keys;
        for (const Params &p : run.proposals) {
            EXPECT_EQ(space.violation(p, target), "") << params_key(p);
            EXPECT_EQ(p.size(), space.knobs.size()) << "incomplete: " << params_key(p);
            EXPECT_TRUE(keys.insert(params_key(p)).second) << "proposed twice: " << params_key(p);
        }
        std::set<std::string> admitted;
        for (const Params &p : admitted_points(space, target)) admitted.insert(params_key(p));
        EXPECT_EQ(keys, admitted) << "seed " << seed;
        EXPECT_TRUE(run.exhausted) << "seed " << seed;
        EXPECT_EQ(run.proposals.size(), 60u);
    }
}

// Resuming: trials of an earlier run (here another strategy's, some
// failed) are never proposed again.
TEST_P(EveryStrategy, SkipsTrialsOfAnEarlierRun) {
    const TuneRun earlier = tune("random", 99, 25);
    std::set<std::string> measured;
    for (const Trial &t : earlier.history) measured.insert(params_key(t.params));
    const TuneRun resumed = tune(GetParam(), 7, 200, earlier.history);
    std::set<std::string> keys;
    for (const Params &p : resumed.proposals) {
        EXPECT_EQ(measured.count(params_key(p)), 0u) << "re-proposed " << params_key(p);
        EXPECT_TRUE(keys.insert(params_key(p)).second);
    }
    EXPECT_EQ(resumed.proposals.size(), 60u - measured.size());
    EXPECT_TRUE(resumed.exhausted);
}

TEST_P(EveryStrategy, DeterministicForSeedAndHistory) {
    // Two instances with the same seed fed the same measurements agree.
    const TuneRun first = tune(GetParam(), 42, 40);
    const TuneRun second = tune(GetParam(), 42, 40);
    ASSERT_EQ(first.proposals.size(), second.proposals.size());
    for (size_t i = 0; i < first.proposals.size(); i++)
        EXPECT_EQ(params_key(first.proposals[i]), params_key(second.proposals[i])) << "proposal " << i;
    // Fresh instances given the same history propose the same point.
    std::vector<Trial> history(first.history.begin(), first.history.begin() + 15);
    const auto a = make_strategy(GetParam(), 5)->propose(test_space(), test_target(), history);
    const auto b = make_strategy(GetParam(), 5)->propose(test_space(), test_target(), history);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(params_key(*a), params_key(*b));
}

TEST_P(EveryStrategy, SpacesWithOneOrNoAdmittedPoint) {
    const TargetInfo target = test_target();
    // No knobs: the single point (generator defaults), then nothing.
    auto strategy = make_strategy(GetParam(), 1);
    std::vector<Trial> history;
    const auto only = strategy->propose(SearchSpace{}, target, history);
    ASSERT_TRUE(only);
    EXPECT_TRUE(only->empty());
    history.push_back(Trial{*only, true, 1.0});
    EXPECT_FALSE(strategy->propose(SearchSpace{}, target, history));
    // A constraint nothing satisfies.
    SearchSpace none = test_space();
    none.constraints.push_back({"never", [](const Params &, const TargetInfo &) { return false; }});
    const TuneRun empty = tune(*make_strategy(GetParam(), 1), none, target, 10);
    EXPECT_TRUE(empty.proposals.empty());
    EXPECT_TRUE(empty.exhausted);
}

INSTANTIATE_TEST_SUITE_P(TuneStrategy, EveryStrategy, ::testing::Values("grid", "random", "anneal", "evolve"),
                         [](const ::testing::TestParamInfo<std::string> &info) { return info.param; });

TEST(TuneStrategy, GridIsHandFirstThenLexicographic) {
    const SearchSpace space = test_space();
    const TargetInfo target = test_target();
    std::vector<std::string> expected{params_key(space.hand())};
    for (const Params &p : admitted_points(space, target))
        if (p != space.hand()) expected.push_back(params_key(p));

    const TuneRun run = tune("grid", 0, 200);
    std::vector<std::string> got;
    for (const Params &p : run.proposals) got.push_back(params_key(p));
    EXPECT_EQ(got, expected);
    EXPECT_TRUE(run.exhausted);
}

TEST(TuneStrategy, GridReproposesAPointThatWasNotRecorded) {
    // The grid's scan position must not skip a proposal the tuner dropped.
    auto grid = make_strategy("grid", 0);
    std::vector<Trial> history{measure(test_space().hand())};
    const auto first = grid->propose(test_space(), test_target(), history);
    const auto again = grid->propose(test_space(), test_target(), history);
    ASSERT_TRUE(first && again);
    EXPECT_EQ(params_key(*first), params_key(*again));
}

TEST(TuneStrategy, RandomDependsOnTheSeed) {
    const TuneRun a = tune("random", 1, 20), b = tune("random", 2, 20);
    std::vector<std::string> ka, kb;
    for (const Params &p : a.proposals) ka.push_back(params_key(p));
    for (const Params &p : b.proposals) kb.push_back(params_key(p));
    EXPECT_NE(ka, kb);
}

// Search quality on the 60-point space with half of it as budget, over ten
// seeds: the guided strategies start from the hand point, always improve on
// it, usually reach the optimum and do better than random on average.
TEST(TuneStrategy, AnnealAndEvolveImproveOnTheHandPoint) {
    const double hand_ms = synthetic_cost(test_space().hand());
    const double best_ms = optimum_ms();
    ASSERT_LT(best_ms, hand_ms);
    std::map<std::string, double> mean;
    for (const std::string name : {"random", "anneal", "evolve"}) {
        int found_optimum = 0;
        double total = 0;
        for (uint64_t seed = 1; seed <= 10; seed++) {
            const TuneRun run = tune(name, seed, 30);
            if (name != "random") {
                EXPECT_EQ(params_key(run.proposals.at(0)), params_key(test_space().hand())) << name;
                EXPECT_LT(run.best_ms(), hand_ms) << name << " seed " << seed;
            }
            found_optimum += run.best_ms() == best_ms;
            total += run.best_ms();
        }
        mean[name] = total / 10;
        if (name != "random") {
            EXPECT_GE(found_optimum, 6) << name;
        }
    }
    EXPECT_LT(mean["anneal"], mean["random"]);
    EXPECT_LT(mean["evolve"], mean["random"]);
}

TEST(TuneStrategy, EveryStrategyFindsTheOptimumWithinSixtyTrials) {
    for (const std::string &name : strategy_names()) {
        const TuneRun run = tune(name, 3, 60);
        EXPECT_EQ(run.best_ms(), optimum_ms()) << name;
    }
}

// A larger space (8^4 points, 38% admitted) where luck alone rarely
// finds the optimum in 80 trials: the guided strategies must do better than
// random on average.
TEST(TuneStrategy, GuidedSearchBeatsRandomOnALargerSpace) {
    SearchSpace space;
    const std::vector<int> values{1, 2, 3, 4, 5, 6, 7, 8};
    space.knobs = {{"w", 1, values}, {"x", 1, values}, {"y", 1, values}, {"z", 1, values}};
    space.constraints = {{"w + x <= 10", [](const Params &p, const TargetInfo &) {
                              return p.at("w") + p.at("x") <= 10;
                          }},
                         {"y + z <= 9", [](const Params &p, const TargetInfo &) {
                              return p.at("y") + p.at("z") <= 9;
                          }}};
    auto cost = [](const Params &p) {
        double s = 1;
        const double target[] = {5, 4, 6, 3};
        int i = 0;
        for (const auto &kv : p) s += 0.05 * std::pow(kv.second - target[i++], 2);
        return s;
    };
    auto mean_best = [&](const std::string &name) {
        double total = 0;
        for (uint64_t seed = 1; seed <= 10; seed++) {
            auto strategy = make_strategy(name, seed);
            std::vector<Trial> history;
            double best = INFINITY;
            for (int i = 0; i < 80; i++) {
                std::optional<Params> p = strategy->propose(space, TargetInfo{}, history);
                if (!p) break;
                EXPECT_TRUE(space.admits(*p, TargetInfo{}));
                history.push_back(Trial{*p, true, cost(*p)});
                best = std::min(best, cost(*p));
            }
            total += best;
        }
        return total / 10;
    };
    const double random = mean_best("random");
    EXPECT_LT(mean_best("anneal"), random);
    EXPECT_LT(mean_best("evolve"), random);
}

// Failed trials are seen but never the current point / a parent, however
// fast their (meaningless) time.
TEST(TuneStrategy, FailedTrialsAreNeverTheBest) {
    const SearchSpace space = test_space();
    const TargetInfo target = test_target();
    // Steps along the values a knob takes in some admitted point (a move
    // skips b = 3 and 6, which no point admits).
    std::map<std::string, std::set<int>> useful;
    for (const Params &p : admitted_points(space, target))
        for (const auto &kv : p) useful[kv.first].insert(kv.second);
    auto steps = [&](const Knob &k, int from, int to) {
        const std::set<int> &v = useful[k.name];
        return std::abs(int(std::distance(v.begin(), v.find(from)) - std::distance(v.begin(), v.find(to))));
    };
    // Anneal: the hand point is the only ok trial, so proposals are its neighbours.
    const Params far{{"a", 8}, {"b", 1}, {"c", 2}};
    for (uint64_t seed = 1; seed <= 20; seed++) {
        std::vector<Trial> history{Trial{space.hand(), true, 3.0}, Trial{far, false, 0.001}};
        const auto p = make_strategy("anneal", seed)->propose(space, target, history);
        ASSERT_TRUE(p);
        int moved = 0;
        for (const Knob &k : space.knobs) {
            const int d = steps(k, space.hand().at(k.name), p->at(k.name));
            EXPECT_LE(d, 1) << params_key(*p);
            moved += d;
        }
        EXPECT_GE(moved, 1);
        EXPECT_LE(moved, 2);
    }
    // Evolve: parents all have b=1, c=0; failed trials with b=8, c=2 are
    // "faster". One mutation cannot produce both b=8 and c=2 from the parents.
    std::vector<Trial> history;
    for (int a : {1, 2, 3, 4}) history.push_back(Trial{{{"a", a}, {"b", 1}, {"c", 0}}, true, 2.0 + a});
    for (int a : {1, 2, 3}) history.push_back(Trial{{{"a", a}, {"b", 8}, {"c", 2}}, false, 0.001});
    for (uint64_t seed = 1; seed <= 20; seed++) {
        const auto p = make_strategy("evolve", seed)->propose(space, target, history);
        ASSERT_TRUE(p);
        EXPECT_FALSE(p->at("b") == 8 && p->at("c") == 2) << params_key(*p);
        EXPECT_LE(int(p->at("b") != 1) + int(p->at("c") != 0), 1) << params_key(*p);
    }
}

// ---------------------------------------------------------------------------
// Records

class TuneRecords : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "tune_records_XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        path_ = dir_ + "/records.jsonl";
    }
    void TearDown() override {
        std::remove(path_.c_str());
        rmdir(dir_.c_str());
    }
    void write_raw(const std::string &text, bool append = true) {
        std::ofstream f(path_, append ? std::ios::app | std::ios::binary : std::ios::binary);
        f << text;
    }
    std::string read_raw() const {
        std::ifstream f(path_, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }
    std::string dir_, path_;
};

Record full_record() {
    Record r;
    r.op = "conv2d";
    r.entry = "r50_3x3_56";
    r.shape = json::parse(R"({"id": "r50_3x3_56", "N": 1, "C": 64, "H": 56, "W": 56, "K": [3, 3], "note": "x"})");
    r.shape_class = "conv2d:C64:K64:k3x3:s1";
    r.target = "cpu";
    r.halide_target = "x86-64-linux-avx-avx2-f16c-fma-sse41";
    r.kind = "tuned";
    r.strategy = "random";
    r.trial = 12;
    r.params = {{"cpu_x_tile", 6}, {"cpu_rows", -1}};
    r.status = "ok";
    r.median_ms = 1.93;
    r.spread_ms = 0.08;
    r.min_ms = 1.85;
    r.repeats = 25;
    r.compile_s = 4.7;
    r.gflops = 119.8;
    r.halconv_version = "0.1.0";
    r.machine = {"AMD EPYC 7B13", 2, 2};
    r.time = "2026-11-21T10:00:00Z";
    return r;
}

Record minimal_record() {
    Record r;
    r.op = "max_pool2d";
    r.entry = "custom";
    r.target = "cuda";
    r.kind = "autoscheduler";
    r.scheduler = "Adams2019";
    r.trial = 1;
    r.status = "failed";
    r.error = "line one\n\"quoted\"\ttab";  // must stay on one line in the file
    return r;
}

void expect_same(const Record &a, const Record &b) {
    EXPECT_EQ(a.op, b.op);
    EXPECT_EQ(a.entry, b.entry);
    EXPECT_EQ(a.shape.dump(0), b.shape.dump(0));
    EXPECT_EQ(a.shape_class, b.shape_class);
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.halide_target, b.halide_target);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.strategy, b.strategy);
    EXPECT_EQ(a.scheduler, b.scheduler);
    EXPECT_EQ(a.trial, b.trial);
    EXPECT_EQ(a.params, b.params);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.error, b.error);
    EXPECT_EQ(a.median_ms, b.median_ms);
    EXPECT_EQ(a.spread_ms, b.spread_ms);
    EXPECT_EQ(a.min_ms, b.min_ms);
    EXPECT_EQ(a.repeats, b.repeats);
    EXPECT_EQ(a.compile_s, b.compile_s);
    EXPECT_EQ(a.gflops, b.gflops);
    EXPECT_EQ(a.speedup, b.speedup);
    EXPECT_EQ(a.speedup_spread, b.speedup_spread);
    EXPECT_EQ(a.hand_ms, b.hand_ms);
    EXPECT_EQ(a.halconv_version, b.halconv_version);
    EXPECT_EQ(a.machine.cpu, b.machine.cpu);
    EXPECT_EQ(a.machine.cores, b.machine.cores);
    EXPECT_EQ(a.machine.threads, b.machine.threads);
    EXPECT_EQ(a.time, b.time);
}

Record round_trip(const Record &r) {
    const std::string line = r.to_json().dump(0);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    return Record::from_json(json::parse(line));
}

std::vector<std::string> keys_of(const json::Value &v) {
    std::vector<std::string> keys;
    for (const auto &kv : v.items()) keys.push_back(kv.first);
    return keys;
}

TEST(TuneRecord, FullRecordRoundTripsWithDocumentedKeyOrder) {
    const Record r = full_record();
    expect_same(round_trip(r), r);
    EXPECT_EQ(keys_of(r.to_json()),
              (std::vector<std::string>{"v", "op", "entry", "shape", "shape_class", "target", "halide_target", "kind",
                                        "strategy", "trial", "params", "status", "median_ms", "spread_ms", "min_ms",
                                        "repeats", "compile_s", "gflops", "halconv_version", "machine", "time"}));
    EXPECT_EQ(r.to_json().at("v").integer(), 1);
    EXPECT_EQ(r.to_json().at("params").at("cpu_x_tile").integer(), 6);
}

TEST(TuneRecord, ConfirmRecordRoundTripsAndNeedsItsRatio) {
    Record r = full_record();
    r.kind = "confirm";
    r.repeats = 30;
    r.speedup = 1.042;
    r.speedup_spread = 0.031;
    r.hand_ms = 2.01;
    expect_same(round_trip(r), r);
    EXPECT_EQ(keys_of(r.to_json()),
              (std::vector<std::string>{"v", "op", "entry", "shape", "shape_class", "target", "halide_target", "kind",
                                        "strategy", "trial", "params", "status", "median_ms", "spread_ms", "min_ms",
                                        "repeats", "compile_s", "gflops", "speedup", "speedup_spread", "hand_ms",
                                        "halconv_version", "machine", "time"}));
    // An ok confirmation without its ratio or the hand time is unusable.
    for (const char *key : {"speedup", "hand_ms"}) {
        const json::Value full = r.to_json();
        json::Value v = json::Value::object();
        for (const auto &kv : full.items())
            if (kv.first != key) v[kv.first] = kv.second;
        try {
            Record::from_json(v);
            ADD_FAILURE() << "accepted without " << key;
        } catch (const std::runtime_error &e) {
            EXPECT_NE(std::string(e.what()).find(std::string("\"") + key + "\""), std::string::npos) << e.what();
        }
    }
    // A failed one needs neither.
    Record failed = minimal_record();
    failed.kind = "confirm";
    expect_same(round_trip(failed), failed);
}

TEST(TuneRecord, MinimalRecordOmitsAbsentFields) {
    const Record r = minimal_record();
    expect_same(round_trip(r), r);
    EXPECT_EQ(keys_of(r.to_json()), (std::vector<std::string>{"v", "op", "entry", "target", "kind", "scheduler",
                                                              "trial", "params", "status", "error"}));
    EXPECT_FALSE(round_trip(r).gflops.has_value());
}

TEST(TuneRecord, FromJsonNamesTheBadField) {
    auto error_of = [](const std::string &text) -> std::string {
        try {
            Record::from_json(json::parse(text));
        } catch (const std::runtime_error &e) {
            return e.what();
        }
        return "(no error)";
    };
    auto contains = [](const std::string &haystack, const std::string &needle) {
        return haystack.find(needle) != std::string::npos;
    };
    const std::string good = full_record().to_json().dump(0);
    ASSERT_EQ(error_of(good), "(no error)");
    const json::Value good_json = json::parse(good);
    auto with = [&](const std::string &key, const std::string &value) {  // replaces or drops one field
        json::Value v = json::Value::object();
        for (const auto &kv : good_json.items()) {
            if (kv.first != key)
                v[kv.first] = kv.second;
            else if (!value.empty())
                v[kv.first] = json::parse(value);
        }
        return v.dump(0);
    };
    EXPECT_PRED2(contains, error_of(with("op", "")), "\"op\"");
    EXPECT_PRED2(contains, error_of(with("op", "3")), "\"op\"");
    EXPECT_PRED2(contains, error_of(with("v", "")), "\"v\"");
    EXPECT_PRED2(contains, error_of(with("v", "2")), "\"v\"");
    EXPECT_PRED2(contains, error_of(with("params", R"({"cpu_x_tile": 6.5})")), "params.cpu_x_tile");
    EXPECT_PRED2(contains, error_of(with("params", "[1]")), "\"params\"");
    EXPECT_PRED2(contains, error_of(with("status", R"("great")")), "\"status\"");
    EXPECT_PRED2(contains, error_of(with("kind", R"("manual")")), "\"kind\"");
    EXPECT_PRED2(contains, error_of(with("median_ms", "")), "\"median_ms\"");  // ok needs a time
    EXPECT_PRED2(contains, error_of(with("trial", R"("12")")), "\"trial\"");
    EXPECT_PRED2(contains, error_of(with("machine", R"({"cores": "two"})")), "cores");
    EXPECT_PRED2(contains, error_of("[1, 2]"), "object");
}

TEST_F(TuneRecords, MissingFileIsAnEmptyDatabase) {
    std::vector<std::string> warnings;
    EXPECT_TRUE(load_records(path_, &warnings).empty());
    EXPECT_TRUE(warnings.empty());
}

TEST_F(TuneRecords, AppendThenLoadKeepsOrder) {
    std::vector<Record> written;
    for (int i = 1; i <= 4; i++) {
        Record r = i % 2 ? full_record() : minimal_record();
        r.trial = i;
        append_record(path_, r);
        written.push_back(r);
    }
    const std::string text = read_raw();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
    std::vector<std::string> warnings;
    const std::vector<Record> loaded = load_records(path_, &warnings);
    EXPECT_TRUE(warnings.empty());
    ASSERT_EQ(loaded.size(), written.size());
    for (size_t i = 0; i < loaded.size(); i++) expect_same(loaded[i], written[i]);
}

TEST_F(TuneRecords, AppendFailureNamesThePath) {
    const std::string bad = dir_ + "/no/such/dir/records.jsonl";
    try {
        append_record(bad, full_record());
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
}

// A run killed while writing leaves a partial last line: loading skips it
// with a warning, and the resumed run's first append drops it.
TEST_F(TuneRecords, ResumeAfterARunKilledMidWrite) {
    Record r1 = full_record(), r2 = minimal_record(), r3 = full_record();
    r3.trial = 13;
    append_record(path_, r1);
    append_record(path_, r2);
    const std::string partial = r3.to_json().dump(0);
    write_raw(partial.substr(0, partial.size() / 2));

    std::vector<std::string> warnings;
    std::vector<Record> loaded = load_records(path_, &warnings);
    ASSERT_EQ(loaded.size(), 2u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find(path_ + ":3"), std::string::npos) << warnings[0];
    EXPECT_NO_THROW(load_records(path_));  // warnings are optional

    append_record(path_, r3);
    warnings.clear();
    loaded = load_records(path_, &warnings);
    EXPECT_TRUE(warnings.empty());
    ASSERT_EQ(loaded.size(), 3u);
    expect_same(loaded[0], r1);
    expect_same(loaded[1], r2);
    expect_same(loaded[2], r3);
    const std::string text = read_raw();
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
}

TEST_F(TuneRecords, PartialFirstLineIsDroppedToo) {
    write_raw("{\"v\":1,\"op\":\"con");
    std::vector<std::string> warnings;
    EXPECT_TRUE(load_records(path_, &warnings).empty());
    EXPECT_EQ(warnings.size(), 1u);
    append_record(path_, full_record());
    EXPECT_EQ(load_records(path_).size(), 1u);
    EXPECT_EQ(read_raw(), full_record().to_json().dump(0) + "\n");
}

// A whole record missing only its newline (a hand-edited file) is data,
// not a killed write: it is read, and kept when appending.
TEST_F(TuneRecords, CompleteLastLineWithoutNewlineIsKept) {
    write_raw(full_record().to_json().dump(0));
    std::vector<std::string> warnings;
    EXPECT_EQ(load_records(path_, &warnings).size(), 1u);
    EXPECT_TRUE(warnings.empty());
    append_record(path_, minimal_record());
    const std::vector<Record> loaded = load_records(path_);
    ASSERT_EQ(loaded.size(), 2u);
    expect_same(loaded[0], full_record());
    expect_same(loaded[1], minimal_record());
}

TEST_F(TuneRecords, MalformedMiddleLineThrowsWithFileAndLine) {
    append_record(path_, full_record());
    write_raw("{\"v\": 1, \"op\": \n");
    append_record(path_, minimal_record());
    try {
        load_records(path_);
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find(path_ + ":2:"), std::string::npos) << e.what();
    }
    // A valid JSON line that is not a valid record is just as bad.
    write_raw(full_record().to_json().dump(0) + "\n{\"v\": 1}\n", /*append=*/false);
    try {
        load_records(path_);
        FAIL() << "expected std::runtime_error";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find(path_ + ":2:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("\"op\""), std::string::npos) << e.what();
    }
}

TEST_F(TuneRecords, EmptyLinesAreSkipped) {
    write_raw("\n" + full_record().to_json().dump(0) + "\n\n  \n" + minimal_record().to_json().dump(0) + "\n\n");
    std::vector<std::string> warnings;
    EXPECT_EQ(load_records(path_, &warnings).size(), 2u);
    EXPECT_TRUE(warnings.empty());
}

// A trial's wall time: the gap since the entry's previous record, its
// measured work where the whole-second stamps round the gap below it, and
// the work alone where there is no previous stamp or the gap is a resumed
// run's pause.
TEST(TuneRecord, TrialSecondsFromTheStampsOrTheWork) {
    auto rec = [](std::string entry, std::string time, double compile_s, double ms) {
        Record r;
        r.op = "conv2d";
        r.entry = std::move(entry);
        r.target = "cpu";
        r.kind = "tuned";
        r.status = "ok";
        r.time = std::move(time);
        r.compile_s = compile_s;
        r.median_ms = ms;
        r.repeats = 10;  // work: compile_s + 10 * ms / 1000
        return r;
    };
    const std::vector<Record> records{
        rec("a", "2026-11-21T10:00:00Z", 1.0, 100),  // no previous stamp: the work, 2 s
        rec("a", "2026-11-21T10:00:05Z", 1.0, 100),  // the gap, 5 s
        rec("b", "2026-11-21T10:00:06Z", 0.5, 10),   // another entry: its own first, 0.6 s
        rec("a", "2026-11-21T10:00:05Z", 0.2, 10),   // same second: the work, 0.3 s
        rec("a", "2026-11-21T11:00:00Z", 1.0, 100),  // an hour's pause: the work, 2 s
        rec("a", "not a time", 3.0, 0),              // no stamp: the work, 3 s
    };
    const std::vector<double> s = trial_seconds(records);
    ASSERT_EQ(s.size(), records.size());
    EXPECT_DOUBLE_EQ(s[0], 2.0);
    EXPECT_DOUBLE_EQ(s[1], 5.0);
    EXPECT_DOUBLE_EQ(s[2], 0.6);
    EXPECT_DOUBLE_EQ(s[3], 0.3);
    EXPECT_DOUBLE_EQ(s[4], 2.0);
    EXPECT_DOUBLE_EQ(s[5], 3.0);
}

TEST(TuneRecord, BestByEntryPicksTheFastestOkHandOrTuned) {
    auto rec = [](std::string entry, std::string target, std::string kind, std::string status, double ms) {
        Record r;
        r.op = "conv2d";
        r.entry = std::move(entry);
        r.target = std::move(target);
        r.kind = std::move(kind);
        r.status = std::move(status);
        r.median_ms = ms;
        r.trial = int(ms * 10);
        return r;
    };
    const std::vector<Record> records{
        rec("a", "cpu", "hand", "ok", 3.0),
        rec("a", "cpu", "tuned", "ok", 2.0),
        rec("a", "cpu", "tuned", "failed", 0.5),
        rec("a", "cpu", "tuned", "wrong", 0.6),
        rec("a", "cpu", "autoscheduler", "ok", 1.0),
        rec("a", "cpu", "tuned", "ok", 2.5),
        rec("a", "cuda", "hand", "ok", 0.9),
        rec("a", "cuda", "tuned", "ok", 0.9),  // a tie keeps the earlier (hand)
        rec("b", "cpu", "tuned", "invalid", 0.1),
        rec("c", "cpu", "autoscheduler", "ok", 0.1),
    };
    const std::map<RecordKey, Record> best = best_by_entry(records);
    ASSERT_EQ(best.size(), 2u);
    const Record &a_cpu = best.at({"conv2d", "a", "cpu"});
    EXPECT_EQ(a_cpu.kind, "tuned");
    EXPECT_EQ(a_cpu.median_ms, 2.0);
    EXPECT_EQ(best.at({"conv2d", "a", "cuda"}).kind, "hand");
    EXPECT_EQ(best.count({"conv2d", "b", "cpu"}), 0u);
    EXPECT_EQ(best.count({"conv2d", "c", "cpu"}), 0u);
}

TEST(TuneRecord, ThisMachineAndTime) {
    const char *saved = std::getenv("HL_NUM_THREADS");
    const std::string saved_value = saved ? saved : "";
    unsetenv("HL_NUM_THREADS");
    Machine m = this_machine();
    EXPECT_FALSE(m.cpu.empty());
    EXPECT_GT(m.cores, 0);
    EXPECT_EQ(m.threads, m.cores);
    setenv("HL_NUM_THREADS", "3", 1);
    EXPECT_EQ(this_machine().threads, 3);
    setenv("HL_NUM_THREADS", "lots", 1);
    EXPECT_EQ(this_machine().threads, m.cores);
    if (saved) setenv("HL_NUM_THREADS", saved_value.c_str(), 1);
    else unsetenv("HL_NUM_THREADS");

    // YYYY-MM-DDTHH:MM:SSZ
    const std::string now = utc_now(), shape = "dddd-dd-ddTdd:dd:ddZ";
    ASSERT_EQ(now.size(), shape.size()) << now;
    for (size_t i = 0; i < now.size(); i++)
        EXPECT_TRUE(shape[i] == 'd' ? std::isdigit((unsigned char)now[i]) : now[i] == shape[i]) << now;
}

}  // namespace
}  // namespace tune
}  // namespace halconv
