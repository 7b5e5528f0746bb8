// `halconv tune OP --shape ... [options]`: schedule autotuning by JIT
// compilation of the same generators the library is built from
// (tune/tuner.h); one JSON line per trial in the records file.
#include "commands.h"
#include "common.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "tune/jit.h"
#include "tune/problem.h"
#include "tune/strategy.h"
#include "tune/tuner.h"

namespace halconv_cli {

namespace json = bench::json;

void usage_tune(std::ostream &os) {
    os << "usage: halconv tune OP --shape SHAPE --records FILE [options]\n"
          "\n"
          "Autotunes the schedule of one pipeline: JIT-compiles candidates of its\n"
          "generator's tunable GeneratorParams (the schedule's declared search space),\n"
          "checks each candidate's output against the hand schedule on the same inputs\n"
          "(a wrong one is recorded as such), times it (warm-up, then the median of\n"
          "repeated calls) and appends one JSON line per trial to the records file.\n"
          "Ctrl-C stops after the current trial; running again with the same records\n"
          "file resumes.\n"
          "\n"
          "  OP                   pipeline: conv2d, deform_conv2d, max_pool2d, ...\n"
          "                       (`halconv tune --list` shows them and their shapes)\n"
          "  --shape SHAPE        a suite entry id (r50_3x3_56), several separated by\n"
          "                       commas, `all` (every suite entry of OP), or an inline\n"
          "                       shape `id=my,C=64,H=56,W=56,K=64,R=3,S=3,pad=1` with the\n"
          "                       suite's keys\n"
          "  --records FILE       JSON Lines records (appended; resumed)\n"
          "  --target T           cpu (default), cuda or opencl\n"
          "  --budget N           candidates per shape (default 30 unless --minutes)\n"
          "  --minutes M          wall-clock minutes per shape\n"
          "                       (both count the strategy's trials already in the\n"
          "                       records: a resumed run searches for what is left)\n"
          "  --strategy S         grid, random (default), anneal or evolve\n"
          "  --autoschedulers L   none (default), all, or a comma list of Mullapudi2016,\n"
          "                       Adams2019, Li2018 (CPU: all three; GPU: Li2018 only)\n"
          "  --no-hand            do not time the hand schedule (still built: it is the\n"
          "                       correctness reference)\n"
          "  --seed N             strategy seed (default 1)\n"
          "  --min-time S         timed seconds per candidate (default 0.3)\n"
          "  --repeats N          at least N timed calls per candidate (default 10)\n"
          "  --compile-timeout S  a candidate still compiling after S seconds (default 300)\n"
          "                       is recorded as failed and the process exits with status\n"
          "                       75; running the same command again resumes after it\n"
          "  --memory-limit GB    likewise for a candidate (compilation or runs) that takes\n"
          "                       the process past GB of resident memory (default: 3/4 of\n"
          "                       the machine's)\n"
          "  --confirm N          after the search, time the N fastest unconfirmed tuned\n"
          "                       candidates of each shape in the records again, alternating\n"
          "                       call by call with the hand schedule (default 3; 0: off)\n"
          "  --confirm-rounds R   alternation rounds (default 30)\n"
          "  --confirm-only       the confirmation alone (no hand timing, autoschedulers or\n"
          "                       search): for records of an earlier run\n"
          "  --suite FILE         shape suite (default: bench/suite.json of the source tree)\n"
          "  --no-progress        a line per trial instead of a progress bar\n"
          "  --list               list the ops, their suite family, how many of its entries\n"
          "                       they take and their search-space size\n";
}

namespace {

std::string default_suite() {
    for (const std::string &p : {std::string("bench/suite.json"), std::string(HALCONV_SOURCE_DIR) + "/bench/suite.json"}) {
        std::ifstream f(p);
        if (f) return p;
    }
    return "bench/suite.json";
}

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, sep))
        if (!item.empty()) out.push_back(item);
    return out;
}

// "id=x,C=64,...": numbers become numbers, true/false booleans, the rest strings.
json::Value inline_shape(const std::string &text) {
    json::Value v = json::Value::object();
    for (const std::string &kv : split(text, ',')) {
        const size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) throw ArgError("--shape: expected KEY=VALUE, got '" + kv + "'");
        const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
        char *end = nullptr;
        const double d = std::strtod(value.c_str(), &end);
        if (value == "true" || value == "false") v[key] = json::Value(value == "true");
        else if (!value.empty() && end && *end == '\0') v[key] = json::Value(d);
        else v[key] = json::Value(value);
    }
    if (!v.contains("id")) v["id"] = json::Value("custom");
    return v;
}

}  // namespace

int cmd_tune(int argc, char **argv, int first) {
    using namespace halconv::tune;
    TuneOptions o;
    std::string shape_text, suite_path = default_suite(), autoschedulers = "none";
    bool list = false, budget_given = false;
    ArgReader args(argc, argv, first);
    while (!args.done()) {
        bool positional = false;
        const std::string a = args.next(&positional);
        if (positional) {
            if (!o.op.empty()) throw UsageError("unexpected argument '" + a + "'");
            o.op = a;
        } else if (a == "-h" || a == "--help") {
            usage_tune(std::cout);
            return kExitOk;
        } else if (a == "--shape") {
            shape_text = args.value(a);
        } else if (a == "--records") {
            o.records = args.value(a);
        } else if (a == "--target") {
            o.device = args.value(a);
            if (o.device != "cpu" && o.device != "cuda" && o.device != "opencl")
                throw ArgError("--target: expected cpu, cuda or opencl, got '" + o.device + "'");
        } else if (a == "--budget") {
            o.budget_trials = parse_int(a, args.value(a), 1, 1000000);
            budget_given = true;
        } else if (a == "--minutes") {
            o.budget_minutes = parse_double(a, args.value(a), 0.01, 1e6);
            budget_given = true;
        } else if (a == "--strategy") {
            o.strategy = args.value(a);
        } else if (a == "--autoschedulers") {
            autoschedulers = args.value(a);
        } else if (a == "--no-hand") {
            o.measure_hand = false;
        } else if (a == "--seed") {
            o.seed = (uint64_t)parse_int(a, args.value(a), 0, 2147483647);
        } else if (a == "--min-time") {
            o.min_time_s = parse_double(a, args.value(a), 0.0, 60.0);
        } else if (a == "--repeats") {
            o.min_repeats = parse_int(a, args.value(a), 1, 100000);
        } else if (a == "--compile-timeout") {
            o.compile_timeout_s = parse_double(a, args.value(a), 1.0, 1e6);
        } else if (a == "--memory-limit") {
            o.memory_limit_gb = parse_double(a, args.value(a), 0.001, 1e6);
        } else if (a == "--confirm") {
            o.confirm_top = parse_int(a, args.value(a), 0, 100);
        } else if (a == "--confirm-rounds") {
            o.confirm_rounds = parse_int(a, args.value(a), 3, 10000);
        } else if (a == "--confirm-only") {
            o.confirm_only = true;
        } else if (a == "--suite") {
            suite_path = args.value(a);
        } else if (a == "--no-progress") {
            o.progress_bar = false;
        } else if (a == "--list") {
            list = true;
        } else {
            throw UsageError("unknown option '" + a + "'");
        }
    }
    if (list) {
        const TargetInfo cpu;
        json::Value suite = json::Value::object();
        try {
            suite = json::parse_file(suite_path);
        } catch (const std::exception &e) {
            throw std::runtime_error("--suite " + suite_path + ": " + e.what());
        }
        for (const OpAdapter &op : all_ops()) {
            // (How many entries `--shape all` takes: 0 for ops the suite
            // does not exercise, e.g. the 16-bit filters.)
            int entries = 0;
            if (suite.contains(op.suite_family))
                for (const json::Value &e : suite.at(op.suite_family).elements()) entries += op.accepts(e);
            std::cout << op.op << "  (suite family " << op.suite_family << ", " << entries << " suite entries, "
                      << op.space(cpu).size() << " CPU candidates before constraints)\n";
        }
        return kExitOk;
    }
    if (o.op.empty()) throw UsageError("missing OP");
    const OpAdapter *adapter = find_op(o.op);
    if (!adapter) {
        std::string known;
        for (const OpAdapter &op : all_ops()) known += (known.empty() ? "" : ", ") + op.op;
        throw ArgError("unknown op '" + o.op + "' (expected one of: " + known + ")");
    }
    if (shape_text.empty()) throw UsageError("missing --shape");
    if (o.records.empty()) throw UsageError("missing --records FILE");
    try {
        make_strategy(o.strategy, o.seed);
    } catch (const std::invalid_argument &e) {
        throw ArgError(std::string("--strategy: ") + e.what());
    }
    if (o.confirm_only && o.confirm_top == 0) throw ArgError("--confirm-only: nothing to do with --confirm 0");
    if (!budget_given) o.budget_trials = 30;
    if (autoschedulers == "all") o.autoschedulers = autoscheduler_names(o.device);
    else if (autoschedulers != "none") o.autoschedulers = split(autoschedulers, ',');
    for (const std::string &name : o.autoschedulers) {
        if (name != "Mullapudi2016" && name != "Adams2019" && name != "Li2018")
            throw ArgError("--autoschedulers: unknown '" + name + "' (expected Mullapudi2016, Adams2019, Li2018, all or none)");
        if (o.device != "cpu" && name != "Li2018")
            throw ArgError("--autoschedulers: " + name + " schedules CPUs only; for --target " + o.device + " use Li2018");
    }

    if (shape_text.find('=') != std::string::npos) {
        o.shapes.push_back(inline_shape(shape_text));
    } else {
        json::Value suite;
        try {
            suite = json::parse_file(suite_path);
        } catch (const std::exception &e) {
            throw std::runtime_error("--suite " + suite_path + ": " + e.what());
        }
        if (!suite.contains(adapter->suite_family)) throw std::runtime_error(suite_path + ": no family '" + adapter->suite_family + "'");
        const json::Value &family = suite.at(adapter->suite_family);
        std::vector<std::string> wanted = split(shape_text, ',');
        for (const json::Value &e : family.elements()) {
            if (!adapter->accepts(e)) continue;
            const std::string id = e.get_string("id", "");
            if (shape_text == "all" || std::find(wanted.begin(), wanted.end(), id) != wanted.end()) o.shapes.push_back(e);
        }
        if (shape_text != "all") {
            for (const std::string &w : wanted) {
                bool found = false;
                for (const auto &s : o.shapes) found |= s.get_string("id", "") == w;
                if (!found) {
                    std::string ids;
                    for (const json::Value &e : family.elements())
                        if (adapter->accepts(e)) ids += (ids.empty() ? "" : ", ") + e.get_string("id", "");
                    throw ArgError("--shape: no " + o.op + " entry '" + w + "' in " + suite_path + " (entries: " + ids + ")");
                }
            }
        }
        if (o.shapes.empty()) throw ArgError("--shape all: " + suite_path + " has no " + o.op + " entry");
    }
    // Before anything loads an OpenCL driver (tune/jit.cpp isolates PoCL's
    // LLVM from Halide's).
    halconv::tune::jit_target(o.device);
    if (o.device != "cpu" && !halconv::device_available(o.device == "cuda" ? halconv::Device::CUDA : halconv::Device::OpenCL)) {
        throw std::runtime_error("--target " + o.device + ": no " + o.device + " device available on this machine");
    }

    install_interrupt_handler();
    const int n = run_tune(o, std::cerr);
    std::cerr << n << " records appended to " << o.records << "\n";
    return interrupt_requested ? 130 : kExitOk;
}

}  // namespace halconv_cli
