// halconv tune, end to end in-process: the declared search spaces against
// the generators they tune, the correctness gate (a deliberately broken
// candidate is recorded as wrong, one that does not build as failed), the
// records of a run and its resumption, interruption, the autoschedulers,
// and a real pipeline (conv2d) on CPU and OpenCL.
#include <gtest/gtest.h>

#include <halconv/halconv.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "generators/common.h"
#include "tune/jit.h"
#include "tune/records.h"
#include "tune/strategy.h"
#include "tune/tuner.h"

namespace halconv {
namespace {

// A tiny pipeline that compiles in well under a second: a 3-tap blur whose
// schedule has one real knob (vector width) and two knobs that break it on
// purpose: toy_broken changes one output pixel, toy_fail makes the build throw.
class TuneToyGenerator : public Generator<TuneToyGenerator> {
public:
    GeneratorParam<int> vector_width{"toy_vector_width", 8};
    GeneratorParam<int> broken{"toy_broken", 0};
    GeneratorParam<int> fail{"toy_fail", 0};
    GeneratorParam<int> slow{"toy_slow", 0};  // same output, ~1000x the work
    AutoscheduleEstimates estimates;
    Input<Buffer<float>> input{"input", 2};
    Input<float> scale{"scale"};
    Output<Buffer<float>> output{"output", 2};

    void generate() {
        if (fail) throw std::runtime_error("toy_fail: this candidate does not build");
        Var x("x"), y("y");
        Func clamped = BoundaryConditions::repeat_edge(input);
        Expr wrong = select(broken != 0 && x == 3 && y == 2, 1.0f, 0.0f);
        // (spin is never negative, but Halide cannot know: it is computed.)
        Func spin("spin");
        RDom r(0, 1000);
        spin(x, y) = 0.0f;
        spin(x, y) += sqrt(abs(clamped(x, y)) + cast<float>(r));
        Expr extra = slow ? select(spin(x, y) < -1.0f, 1.0f, 0.0f) : Expr(0.0f);
        output(x, y) = scale * (clamped(x - 1, y) + clamped(x, y) + clamped(x + 1, y)) + wrong + extra;
        if (get_auto_schedule()) {
            estimates.apply(input, scale, output);
        } else if (get_target().has_gpu_feature()) {
            Var xo, yo, xi, yi;
            output.gpu_tile(x, y, xo, yo, xi, yi, vector_width, 4, TailStrategy::GuardWithIf);
        } else {
            output.vectorize(x, vector_width, TailStrategy::GuardWithIf).parallel(y);
        }
    }
};

tune::Problem make_toy(const bench::json::Value &e) {
    tune::Problem p;
    p.op = "tune_toy";
    p.generator = "tune_toy";
    p.entry = e.get_string("id", "custom");
    p.shape = e;
    p.shape_class = "tune_toy:W=" + std::to_string(e.get_int("W", 64));
    Halide::Buffer<float> input(e.get_int("W", 64), e.get_int("H", 32)), output(input.width(), input.height());
    tune::fill_uniform(input, -1, 1, 7);
    p.buffers = {{"input", input}, {"output", output}};
    p.scalars = {{"scale", tune::Scalar::f32(0.5f)}};
    p.outputs = {"output"};
    return p;
}

tune::SearchSpace toy_space(const tune::TargetInfo &) {
    tune::SearchSpace s;
    s.knobs = {{"toy_vector_width", 8, {4, 8, 16}}, {"toy_broken", 0, {0, 1}}, {"toy_fail", 0, {0, 1}}};
    s.constraints = {{"broken and failing at once is pointless", [](const tune::Params &p, const tune::TargetInfo &) {
                          return !(p.at("toy_broken") && p.at("toy_fail"));
                      }}};
    return s;
}

const bool toy_registered =
    tune::register_op(tune::OpAdapter{"tune_toy", "tune_toy", [](const bench::json::Value &) { return true; },
                                      make_toy, toy_space});

// The same toy with one knob: toy_slow (the hand schedule is the fast one).
const bool toy_slow_registered = tune::register_op(tune::OpAdapter{
    "tune_toy_slow", "tune_toy_slow", [](const bench::json::Value &) { return true; },
    [](const bench::json::Value &e) {
        tune::Problem p = make_toy(e);
        p.op = "tune_toy_slow";
        return p;
    },
    [](const tune::TargetInfo &) {
        tune::SearchSpace s;
        s.knobs = {{"toy_slow", 0, {0, 1}}};
        return s;
    }});

// The toy again, for a shape the "library" would run with 16-wide vectors:
// the hand schedule is the overridden one (Problem::hand_overrides).
const bool toy_override_registered = tune::register_op(tune::OpAdapter{
    "tune_toy_override", "tune_toy_override", [](const bench::json::Value &) { return true; },
    [](const bench::json::Value &e) {
        tune::Problem p = make_toy(e);
        p.op = "tune_toy_override";
        p.hand_overrides = {{"toy_vector_width", 16}, {"a_knob_the_space_lacks", 3}};
        return p;
    },
    toy_space});

bench::json::Value toy_shape() {
    bench::json::Value v = bench::json::Value::object();
    v["id"] = "toy_64x32";
    v["W"] = 64;
    v["H"] = 32;
    return v;
}

std::string temp_path(const std::string &name) {
    std::string p = ::testing::TempDir() + "halconv_tune_" + name + "_" + std::to_string(getpid()) + ".jsonl";
    std::remove(p.c_str());
    return p;
}

tune::TuneOptions quick_options(const std::string &records) {
    tune::TuneOptions o;
    o.op = "tune_toy";
    o.shapes = {toy_shape()};
    o.records = records;
    o.strategy = "grid";
    o.min_time_s = 0.01;
    o.min_repeats = 3;
    o.progress_bar = false;
    o.confirm_top = 0;  // (the confirmation has its own tests)
    return o;
}

// --- the declared spaces against the generators ------------------------------

// GeneratorParam defaults as the generator itself declares them, read from
// the C++ stub Halide writes for it ("int32_t name{ 7 };").
std::map<std::string, int> generator_defaults(const std::string &generator) {
    auto gen = Halide::Internal::GeneratorRegistry::create(generator, Halide::GeneratorContext(Halide::get_host_target()));
    const std::string path = temp_path("stub_" + generator);
    gen->emit_cpp_stub(path);
    std::ifstream f(path);
    std::stringstream text;
    text << f.rdbuf();
    std::remove(path.c_str());
    std::map<std::string, int> defaults;
    const std::regex field(R"(int32_t (\w+)\{ (-?\d+) \};)");
    const std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), field); it != std::sregex_iterator(); ++it)
        defaults[(*it)[1]] = std::stoi((*it)[2]);
    return defaults;
}

TEST(TuneSpaces, EveryKnobIsAGeneratorParamWithItsDefault) {
    ASSERT_GE(tune::all_ops().size(), 5u) << "the op adapters are not linked in";
    for (const tune::OpAdapter &op : tune::all_ops()) {
        if (op.op.rfind("tune_toy", 0) == 0) continue;
        // The generator: the one the op's problems use (the op's own name when
        // the suite has no entry for it, e.g. the 16-bit filters).
        std::string generator = op.op;
        auto suite = bench::json::parse_file(HALCONV_SOURCE_DIR "/bench/suite.json");
        if (suite.contains(op.suite_family)) {
            for (const auto &e : suite.at(op.suite_family).elements()) {
                if (op.accepts(e)) {
                    generator = op.make(e).generator;
                    break;
                }
            }
        }
        const auto defaults = generator_defaults(generator);
        for (const std::string device : {"cpu", "opencl"}) {
            tune::TargetInfo info;
            info.device = device;
            const tune::SearchSpace space = op.space(info);
            EXPECT_FALSE(space.knobs.empty()) << op.op << " " << device;
            std::set<std::string> names;
            for (const tune::Knob &k : space.knobs) {
                EXPECT_TRUE(names.insert(k.name).second) << op.op << ": knob " << k.name << " twice";
                auto it = defaults.find(k.name);
                ASSERT_NE(it, defaults.end()) << op.op << " (" << device << "): knob " << k.name
                                              << " is not a GeneratorParam of generator " << generator;
                EXPECT_EQ(k.hand, it->second) << op.op << ": knob " << k.name
                                              << " declares a hand value other than the GeneratorParam's default";
                EXPECT_NE(std::find(k.values.begin(), k.values.end(), k.hand), k.values.end())
                    << op.op << ": knob " << k.name << " does not offer its hand value";
            }
            EXPECT_EQ(space.violation(space.hand(), info), "") << op.op << " " << device << ": the hand schedule violates its own space";
        }
    }
}

TEST(TuneSpaces, NoStrategyProposesAViolatingCandidate) {
    for (const tune::OpAdapter &op : tune::all_ops()) {
        for (const std::string device : {"cpu", "opencl"}) {
            tune::TargetInfo info;
            info.device = device;
            const tune::SearchSpace space = op.space(info);
            for (const std::string &name : tune::strategy_names()) {
                auto strategy = tune::make_strategy(name, 3);
                std::vector<tune::Trial> history;
                for (int i = 0; i < 40; i++) {
                    auto p = strategy->propose(space, info, history);
                    if (!p) break;
                    ASSERT_EQ(space.violation(*p, info), "") << op.op << " " << device << " " << name;
                    history.push_back({space.complete(*p), true, 1.0 + (i % 7)});
                }
            }
        }
    }
}

// --- the tuning loop -------------------------------------------------------------

TEST(TuneLoop, BrokenCandidatesAreRecordedAsWrongOrFailedNeverAsFast) {
    const std::string records = temp_path("gate");
    tune::TuneOptions o = quick_options(records);
    o.budget_trials = 100;  // grid: every admitted point (3 x (1 + 1 + 1) = 9)
    std::ostringstream log;
    tune::run_tune(o, log);
    const auto all = tune::load_records(records);
    int ok = 0, wrong = 0, failed = 0, hand = 0;
    std::set<std::string> seen;
    for (const tune::Record &r : all) {
        if (r.kind == "hand") {
            hand++;
            EXPECT_TRUE(r.ok());
            continue;
        }
        EXPECT_TRUE(seen.insert(tune::params_key(r.params)).second) << "measured twice: " << tune::params_key(r.params);
        if (r.params.at("toy_broken")) {
            EXPECT_EQ(r.status, "wrong") << tune::params_key(r.params);
            EXPECT_NE(r.error.find("output["), std::string::npos) << r.error;
            EXPECT_EQ(r.median_ms, 0);
            wrong++;
        } else if (r.params.at("toy_fail")) {
            EXPECT_EQ(r.status, "failed");
            EXPECT_NE(r.error.find("toy_fail"), std::string::npos) << r.error;
            failed++;
        } else {
            EXPECT_TRUE(r.ok()) << r.error;
            EXPECT_GT(r.median_ms, 0);
            EXPECT_GT(r.repeats, 2);
            ok++;
        }
        EXPECT_EQ(r.op, "tune_toy");
        EXPECT_EQ(r.entry, "toy_64x32");
        EXPECT_EQ(r.target, "cpu");
        EXPECT_EQ(r.strategy, "grid");
        EXPECT_FALSE(r.machine.cpu.empty());
        EXPECT_GT(r.machine.cores, 0);
    }
    EXPECT_EQ(hand, 2);  // before and after the search
    EXPECT_EQ(ok, 3);
    EXPECT_EQ(wrong, 3);
    EXPECT_EQ(failed, 3);
    std::remove(records.c_str());
}

TEST(TuneLoop, ResumesWhereTheRecordsStop) {
    const std::string records = temp_path("resume");
    tune::TuneOptions o = quick_options(records);
    o.budget_trials = 4;
    std::ostringstream log;
    tune::run_tune(o, log);
    // A run killed while writing leaves half a line: the next run drops it.
    {
        std::ofstream f(records, std::ios::app);
        f << R"({"v": 1, "op": "tune_toy", "entry": "toy_)";
    }
    o.budget_trials = 100;
    tune::run_tune(o, log);
    std::vector<std::string> warnings;
    const auto all = tune::load_records(records, &warnings);
    EXPECT_TRUE(warnings.empty());
    std::set<std::string> seen;
    std::vector<int> trials;
    for (const tune::Record &r : all) {
        if (r.kind != "tuned") continue;
        EXPECT_TRUE(seen.insert(tune::params_key(r.params)).second) << "resumed run re-measured " << tune::params_key(r.params);
        trials.push_back(r.trial);
    }
    EXPECT_EQ(seen.size(), 9u);  // the grid, once
    for (size_t i = 0; i < trials.size(); i++) EXPECT_EQ(trials[i], int(i) + 1);
    EXPECT_NE(log.str().find("resuming after 4"), std::string::npos) << log.str();
    std::remove(records.c_str());
}

int records_of_kind(const std::string &records, const std::string &kind) {
    int n = 0;
    for (const tune::Record &r : tune::load_records(records)) n += r.kind == kind;
    return n;
}

// A run resumed after an exit 75 searches for what is left of its budget,
// not for a fresh one (trials and minutes alike).
TEST(TuneLoop, TheBudgetCountsTheTrialsAlreadyRecorded) {
    const std::string records = temp_path("budget");
    tune::TuneOptions o = quick_options(records);
    auto tuned_trials = [&] { return records_of_kind(records, "tuned"); };
    o.budget_trials = 4;
    std::ostringstream log;
    tune::run_tune(o, log);
    EXPECT_EQ(tuned_trials(), 4);
    tune::run_tune(o, log);
    EXPECT_EQ(tuned_trials(), 4);
    EXPECT_NE(log.str().find("the budget is spent by the recorded trials"), std::string::npos) << log.str();
    o.budget_trials = 6;
    tune::run_tune(o, log);
    EXPECT_EQ(tuned_trials(), 6);
    // Minutes: the recorded trials' wall time counts against --minutes.
    double spent_s = 0;
    const auto all = tune::load_records(records);
    const std::vector<double> seconds = tune::trial_seconds(all);
    for (size_t i = 0; i < all.size(); i++)
        if (all[i].kind == "tuned") spent_s += seconds[i];
    ASSERT_GT(spent_s, 0);
    o.budget_trials = 0;
    o.budget_minutes = 0.99 * spent_s / 60;
    tune::run_tune(o, log);
    EXPECT_EQ(tuned_trials(), 6);
    o.budget_minutes = spent_s / 60 + 10;
    tune::run_tune(o, log);
    EXPECT_EQ(tuned_trials(), 9);  // the rest of the grid
    std::remove(records.c_str());
}

// A resumed run that searched nothing new does not confirm more candidates;
// it only completes a confirmation that was cut short.
TEST(TuneLoop, AResumedRunDoesNotConfirmAgain) {
    const std::string records = temp_path("confirm_resume");
    tune::TuneOptions o = quick_options(records);
    o.budget_trials = 100;  // the whole grid: 2 correct candidates besides the hand params
    o.confirm_top = 1;
    o.confirm_rounds = 2;
    o.confirm_sample_ms = 1;
    auto confirmations = [&] { return records_of_kind(records, "confirm"); };
    std::ostringstream log;
    tune::run_tune(o, log);
    EXPECT_EQ(confirmations(), 1);
    tune::run_tune(o, log);
    EXPECT_EQ(confirmations(), 1);
    EXPECT_NE(log.str().find("confirmation: already in the records"), std::string::npos) << log.str();
    o.confirm_top = 2;  // one of two recorded: one is owed
    tune::run_tune(o, log);
    EXPECT_EQ(confirmations(), 2);
    std::remove(records.c_str());
}

TEST(TuneLoop, InterruptKeepsWhatWasMeasured) {
    const std::string records = temp_path("interrupt");
    tune::TuneOptions o = quick_options(records);
    o.budget_trials = 100;
    tune::interrupt_requested = true;
    std::ostringstream log;
    tune::run_tune(o, log);
    tune::interrupt_requested = false;
    const auto all = tune::load_records(records);
    for (const tune::Record &r : all) EXPECT_NE(r.kind, "tuned");  // stopped before the search
    tune::run_tune(o, log);
    EXPECT_EQ(tune::load_records(records).size(), all.size() + 2 + 9);  // hand twice, the grid
    std::remove(records.c_str());
}

// A candidate that crashes the process (a fatal signal inside an
// autoscheduler or its code) is recorded as failed, and the process exits
// with the resume status, so that running again skips it; with no
// candidate in flight the signal is not swallowed.
TEST(TuneLoop, ACrashingCandidateIsRecordedAsFailedAndSkippedOnResume) {
    // (The default "fast" death tests fork: the child writes to this path.)
    const std::string records = temp_path("crash");
    tune::Record r;
    r.op = "tune_toy";
    r.entry = "toy_64x32";
    r.target = "cpu";
    r.kind = "autoscheduler";
    r.scheduler = "Adams2019";
    r.trial = 1;
    EXPECT_EXIT(
        {
            tune::CrashGuard guard(records, r);
            std::raise(SIGSEGV);
        },
        ::testing::ExitedWithCode(tune::kExitCompileTimeout), "crashed the process");
    const auto loaded = tune::load_records(records);
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].status, "failed");
    EXPECT_EQ(loaded[0].scheduler, "Adams2019");
    EXPECT_NE(loaded[0].error.find("crashed"), std::string::npos) << loaded[0].error;

    EXPECT_EXIT(
        {
            { tune::CrashGuard guard(records, r); }
            std::raise(SIGSEGV);
        },
        ::testing::KilledBySignal(SIGSEGV), "");
    EXPECT_EQ(tune::load_records(records).size(), 1u);
    std::remove(records.c_str());
}

TEST(TuneLoop, ConfirmationAlternatesTheFastestCandidatesWithTheHandSchedule) {
    const std::string records = temp_path("confirm");
    tune::TuneOptions o = quick_options(records);
    o.budget_trials = 100;  // the grid: 3 ok (one of them the hand params), 3 wrong, 3 failed
    o.confirm_top = 5;
    o.confirm_rounds = 4;
    o.confirm_sample_ms = 1;
    std::ostringstream log;
    tune::run_tune(o, log);
    std::map<std::string, int> tuned_trial;
    for (const tune::Record &r : tune::load_records(records))
        if (r.kind == "tuned" && r.ok()) tuned_trial[tune::params_key(r.params)] = r.trial;
    std::set<int> widths;
    for (const tune::Record &r : tune::load_records(records)) {
        if (r.kind != "confirm") continue;
        // Only correct candidates, never the hand params, each once.
        EXPECT_TRUE(r.ok()) << r.error;
        EXPECT_EQ(r.params.at("toy_broken"), 0);
        EXPECT_EQ(r.params.at("toy_fail"), 0);
        EXPECT_NE(r.params.at("toy_vector_width"), 8);
        EXPECT_TRUE(widths.insert(r.params.at("toy_vector_width")).second);
        EXPECT_EQ(r.strategy, "grid");
        EXPECT_EQ(r.trial, tuned_trial.at(tune::params_key(r.params)));  // the confirmed trial
        EXPECT_EQ(r.repeats, 4);
        ASSERT_TRUE(r.speedup && r.hand_ms && r.speedup_spread);
        EXPECT_GT(*r.speedup, 0);
        EXPECT_GT(*r.hand_ms, 0);
        EXPECT_GT(r.median_ms, 0);
    }
    EXPECT_EQ(widths, (std::set<int>{4, 16}));
    // Confirmed candidates are not confirmed again.
    o.confirm_only = true;
    tune::run_tune(o, log);
    int confirmations = 0;
    for (const tune::Record &r : tune::load_records(records)) confirmations += r.kind == "confirm";
    EXPECT_EQ(confirmations, 2);
    EXPECT_NE(log.str().find("no unconfirmed tuned candidate"), std::string::npos) << log.str();
    std::remove(records.c_str());
}

// The paired ratio tells a much slower candidate from the hand schedule (a
// confirmation that cannot fail this is measuring nothing).
TEST(TuneLoop, ConfirmationSeesASlowerCandidate) {
    const std::string records = temp_path("confirm_slow");
    tune::TuneOptions o = quick_options(records);
    o.op = "tune_toy_slow";
    o.budget_trials = 10;
    o.confirm_top = 1;
    o.confirm_rounds = 5;
    o.confirm_sample_ms = 1;
    std::ostringstream log;
    tune::run_tune(o, log);
    int confirmations = 0;
    for (const tune::Record &r : tune::load_records(records)) {
        if (r.kind != "confirm") continue;
        confirmations++;
        ASSERT_TRUE(r.ok()) << r.error;
        EXPECT_EQ(r.params.at("toy_slow"), 1);
        ASSERT_TRUE(r.speedup.has_value());
        EXPECT_LT(*r.speedup, 0.5) << log.str();
        EXPECT_GT(r.median_ms, 2 * *r.hand_ms);
    }
    EXPECT_EQ(confirmations, 1);
    std::remove(records.c_str());
}

// Where the library dispatches a shape to another pipeline of the generator,
// the hand schedule (timed before and after the search) is that pipeline's.
TEST(TuneLoop, HandOverridesMakeTheHandSchedule) {
    const std::string records = temp_path("hand_override");
    tune::TuneOptions o = quick_options(records);
    o.op = "tune_toy_override";
    o.budget_trials = 3;
    std::ostringstream log;
    tune::run_tune(o, log);
    int hands = 0;
    for (const tune::Record &r : tune::load_records(records)) {
        if (r.kind == "hand") {
            hands++;
            EXPECT_EQ(r.params.at("toy_vector_width"), 16);
            EXPECT_EQ(r.params.count("a_knob_the_space_lacks"), 0u);
        }
    }
    EXPECT_EQ(hands, 2) << log.str();
    std::remove(records.c_str());
}

TEST(TuneLoop, HalideAutoschedulersRunOnTheSameAlgorithm) {
    const std::string records = temp_path("autoschedulers");
    tune::TuneOptions o = quick_options(records);
    o.budget_trials = 1;
    o.autoschedulers = tune::autoscheduler_names("cpu");
    ASSERT_EQ(o.autoschedulers.size(), 3u);
    std::ostringstream log;
    tune::run_tune(o, log);
    std::set<std::string> schedulers;
    for (const tune::Record &r : tune::load_records(records)) {
        if (r.kind != "autoscheduler") continue;
        schedulers.insert(r.scheduler);
        EXPECT_TRUE(r.ok()) << r.scheduler << ": " << r.error;
        // Its schedule is kept next to the records, to study.
        std::ifstream schedule(records + ".schedules/tune_toy_toy_64x32_cpu_" + r.scheduler + ".h");
        std::stringstream text;
        text << schedule.rdbuf();
        EXPECT_NE(text.str().find("output"), std::string::npos) << r.scheduler << ": no schedule file";
    }
    EXPECT_EQ(schedulers, (std::set<std::string>{"Mullapudi2016", "Adams2019", "Li2018"}));
    // Resumed: already measured, not run again.
    tune::run_tune(o, log);
    int count = 0;
    for (const tune::Record &r : tune::load_records(records)) count += r.kind == "autoscheduler";
    EXPECT_EQ(count, 3);
    std::remove(records.c_str());
    std::filesystem::remove_all(records + ".schedules");
}

TEST(TuneLoop, Conv2dCandidatesMatchTheHandScheduleAndAutoschedulerRuns) {
    const std::string records = temp_path("conv2d");
    tune::TuneOptions o;
    o.op = "conv2d";
    bench::json::Value shape = bench::json::Value::object();
    for (auto kv : std::vector<std::pair<const char *, int>>{
             {"N", 1}, {"C", 16}, {"H", 20}, {"W", 23}, {"K", 32}, {"R", 3}, {"S", 3}, {"stride", 1}, {"pad", 1}, {"dil", 1}, {"groups", 1}})
        shape[kv.first] = kv.second;
    shape["id"] = "small_conv";
    o.shapes = {shape};
    o.records = records;
    o.strategy = "random";
    o.budget_trials = 2;
    o.min_time_s = 0.01;
    o.min_repeats = 3;
    o.progress_bar = false;
    o.autoschedulers = {"Mullapudi2016"};
    o.confirm_top = 0;
    std::ostringstream log;
    tune::run_tune(o, log);
    int tuned = 0;
    for (const tune::Record &r : tune::load_records(records)) {
        EXPECT_EQ(r.shape_class, "conv2d:C=16,H=20,W=23,K=32,R=3,S=3,sy=1,sx=1,py=1,px=1,dy=1,dx=1,g=1");
        if (r.kind == "tuned") {
            tuned++;
            EXPECT_TRUE(r.ok()) << tune::params_key(r.params) << ": " << r.error;
            ASSERT_TRUE(r.gflops.has_value());
        }
        if (r.kind == "autoscheduler") EXPECT_TRUE(r.ok()) << r.error;
    }
    EXPECT_EQ(tuned, 2);
    std::remove(records.c_str());
}

TEST(TuneLoop, OpenClCandidatesRunOnPocl) {
    tune::jit_target("opencl");  // loads PoCL first, isolated from Halide's LLVM (tune/jit.cpp)
    if (!halconv::device_available(halconv::Device::OpenCL)) GTEST_SKIP() << "no OpenCL device (PoCL not installed)";
    const std::string records = temp_path("opencl");
    tune::TuneOptions o = quick_options(records);
    o.device = "opencl";
    o.budget_trials = 100;
    std::ostringstream log;
    tune::run_tune(o, log);
    int ok = 0, wrong = 0;
    for (const tune::Record &r : tune::load_records(records)) {
        EXPECT_EQ(r.target, "opencl");
        if (r.kind != "tuned") continue;
        ok += r.ok();
        wrong += r.status == "wrong";
        EXPECT_NE(r.halide_target.find("opencl"), std::string::npos);
    }
    EXPECT_EQ(ok, 3);
    EXPECT_EQ(wrong, 3);
    std::remove(records.c_str());
}

TEST(TuneLoop, BadOptionsAreRefusedWithTheirName) {
    std::ostringstream log;
    tune::TuneOptions o = quick_options(temp_path("bad"));
    o.op = "no_such_op";
    try {
        tune::run_tune(o, log);
        FAIL();
    } catch (const std::invalid_argument &e) {
        EXPECT_NE(std::string(e.what()).find("unknown op 'no_such_op'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("conv2d"), std::string::npos) << e.what();
    }
    o = quick_options(temp_path("bad"));
    o.strategy = "hillclimb";
    EXPECT_THROW(tune::run_tune(o, log), std::invalid_argument);
    o = quick_options(temp_path("bad"));
    o.autoschedulers = {"Adams2020"};
    EXPECT_THROW(tune::run_tune(o, log), std::invalid_argument);
}

}  // namespace
}  // namespace halconv

HALIDE_REGISTER_GENERATOR(halconv::TuneToyGenerator, tune_toy)
