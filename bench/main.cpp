// halconv_bench: runs every registered operator family (bench/bench_*.cpp)
// over its entries of bench/suite.json, halconv against its peers in the same
// process, and writes bench/results/<group>.{json,md}.
#include <halconv/halconv.h>
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>

#include <unistd.h>

#include "bench.h"
#include "onednn_peer.h"
#include "peak.h"
#include "report.h"

#ifndef HALCONV_SOURCE_DIR
#define HALCONV_SOURCE_DIR "."
#endif

namespace {

void usage(const char *argv0) {
    std::printf(
        "usage: %s [options]\n"
        "  --filter SUBSTR   only entries whose \"family/id\" contains SUBSTR\n"
        "  --min-time SEC    timed work per measurement, at least (default 0.3)\n"
        "  --min-runs N      timed runs per measurement, at least (default 20)\n"
        "  --rounds N        interleaved timing rounds over halconv and its peers (default 3)\n"
        "  --threads N       threads for halconv and the peers (default 2)\n"
        "  --out DIR         results directory (default %s/bench/results)\n"
        "  --suite FILE      shape suite (default %s/bench/suite.json)\n"
        "  --samples N       output points checked against a naive reference (default 2000)\n"
        "  --wait-idle SEC   before each measurement, wait up to SEC seconds for other\n"
        "                    processes to use < 5%% of the CPU, and re-measure (twice\n"
        "                    at most) when they disturbed it (default 0: don't)\n"
        "  --list            list the selected entries and exit\n",
        argv0, HALCONV_SOURCE_DIR, HALCONV_SOURCE_DIR);
}

}  // namespace

int main(int argc, char **argv) {
    // The OpenMP peers (oneDNN, the plain loops) are timed interleaved with
    // halconv, whose pipelines use Halide's own thread pool. libgomp's idle
    // workers spin after each parallel region by default, which on 2 cores
    // takes the CPU from halconv's next call (measured: points forward
    // 0.51-1.3 ms from run to run instead of 0.51-0.55). Passive waiting is
    // read by libgomp when it loads, so the harness re-executes itself once
    // with it set (unless the caller chose a policy).
    if (!std::getenv("OMP_WAIT_POLICY")) {
        setenv("OMP_WAIT_POLICY", "passive", 1);
        execv("/proc/self/exe", argv);
        // execv failed: carry on with the default policy.
    }
    using namespace bench;
    Options opts;
    opts.suite_path = HALCONV_SOURCE_DIR "/bench/suite.json";
    opts.out_dir = HALCONV_SOURCE_DIR "/bench/results";
    bool list_only = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](const char *name) -> std::string {
            std::string prefix = std::string(name) + "=";
            if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        auto is = [&](const char *name) { return a == name || a.rfind(std::string(name) + "=", 0) == 0; };
        try {
            if (a == "-h" || a == "--help") {
                usage(argv[0]);
                return 0;
            } else if (is("--filter")) {
                opts.filter = value("--filter");
            } else if (is("--min-time")) {
                opts.min_time = std::stod(value("--min-time"));
            } else if (is("--min-runs")) {
                opts.min_runs = std::stoi(value("--min-runs"));
            } else if (is("--rounds")) {
                opts.rounds = std::stoi(value("--rounds"));
            } else if (is("--threads")) {
                opts.threads = std::stoi(value("--threads"));
            } else if (is("--out")) {
                opts.out_dir = value("--out");
            } else if (is("--suite")) {
                opts.suite_path = value("--suite");
            } else if (is("--samples")) {
                opts.check_samples = std::stoi(value("--samples"));
            } else if (is("--wait-idle")) {
                opts.wait_idle = std::stod(value("--wait-idle"));
            } else if (a == "--list") {
                list_only = true;
            } else {
                std::fprintf(stderr, "unknown option %s\n", a.c_str());
                usage(argv[0]);
                return 2;
            }
        } catch (const std::logic_error &) {
            std::fprintf(stderr, "bad value for %s\n", a.c_str());
            return 2;
        }
    }
    if (opts.threads < 1 || opts.min_runs < 1 || opts.rounds < 1 || !(opts.min_time >= 0)) {
        std::fprintf(stderr, "bad --threads / --min-runs / --rounds / --min-time\n");
        return 2;
    }

    json::Value suite;
    try {
        suite = json::parse_file(opts.suite_path);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }

    // Families in suite.json order, grouped by output file.
    std::vector<std::string> group_order;
    std::map<std::string, std::vector<std::pair<const FamilySpec *, json::Value>>> groups;
    for (const auto &kv : suite.items()) {
        const FamilySpec *spec = nullptr;
        for (const auto &f : family_registry())
            if (f.name == kv.first) spec = &f;
        if (!spec || !kv.second.is_array()) continue;  // no harness for it (yet)
        json::Value selected = json::Value::array();
        for (const auto &e : kv.second.elements()) {
            std::string key = kv.first + "/" + e.get_string("id", "?");
            if (opts.filter.empty() || key.find(opts.filter) != std::string::npos) selected.push_back(e);
        }
        if (selected.size() == 0) continue;
        if (!groups.count(spec->group)) group_order.push_back(spec->group);
        groups[spec->group].emplace_back(spec, selected);
    }
    if (list_only) {
        for (auto &g : group_order)
            for (auto &fe : groups[g])
                for (auto &e : fe.second.elements())
                    std::printf("%s: %s/%s\n", g.c_str(), fe.first->name.c_str(), e.at("id").str().c_str());
        return 0;
    }
    if (group_order.empty()) {
        std::fprintf(stderr, "error: no suite entry matches --filter '%s'\n", opts.filter.c_str());
        return 2;
    }

    // Threads: oneDNN here uses OpenMP (Debian's build); libgomp has read
    // OMP_NUM_THREADS at load time, so set the ICV directly as well.
    omp_set_num_threads(opts.threads);
    halconv::set_num_threads(opts.threads);

    RunInfo info;
    info.date = utc_now_iso();
    info.machine = describe_machine();
    info.settings["suite"] = opts.suite_path;
    info.settings["filter"] = opts.filter;
    info.settings["min_time_s"] = opts.min_time;
    info.settings["min_runs"] = opts.min_runs;
    info.settings["rounds"] = opts.rounds;
    info.settings["threads"] = opts.threads;
    info.settings["wait_idle_s"] = opts.wait_idle;
    info.settings["omp_max_threads"] = omp_get_max_threads();
    const char *omp_env = std::getenv("OMP_NUM_THREADS");
    info.settings["OMP_NUM_THREADS"] = omp_env ? json::Value(omp_env) : json::Value();
    const char *tunables = std::getenv("GLIBC_TUNABLES");
    info.settings["GLIBC_TUNABLES"] = tunables ? json::Value(tunables) : json::Value();
    info.settings["onednn"] = onednn::version();
    info.settings["halconv"] = halconv::version();
    info.settings["compiler"] = __VERSION__;
    std::string why;
    const bool cpu_ok = halconv::device_available(halconv::Device::CPU, &why);
    info.settings["halconv_cpu_available"] = cpu_ok;
    if (!cpu_ok) {
        info.settings["halconv_cpu_unavailable_reason"] = why;
        std::fprintf(stderr, "warning: halconv CPU unavailable: %s\n", why.c_str());
    }

    const CpuSnapshot start = CpuSnapshot::now();
    if (opts.wait_idle > 0) wait_for_idle(opts.wait_idle);
    std::fprintf(stderr, "measuring machine peak (%d threads)...\n", opts.threads);
    info.peak = measure_peak(opts.threads);
    opts.copy_gbs = info.peak.copy_gbs;  // for families that relate times to the bandwidth floor
    std::fprintf(stderr, "  fp32 peak %.1f GFLOP/s (%s), copy %.1f GB/s, read %.1f GB/s\n",
                 info.peak.peak_gflops, info.peak.peak_isa.c_str(), info.peak.copy_gbs, info.peak.read_gbs);

    std::map<std::string, std::vector<FamilyRows>> results;
    for (auto &g : group_order) {
        for (auto &fe : groups[g]) {
            std::fprintf(stderr, "%s (%zu entries)\n", fe.first->name.c_str(), fe.second.size());
            FamilyRows fr{fe.first, {}};
            try {
                fr.rows = fe.first->run(fe.second, opts);
            } catch (const std::exception &e) {
                std::fprintf(stderr, "error in %s: %s\n", fe.first->name.c_str(), e.what());
                Row r;
                r.family = fe.first->name;
                r.id = "(family)";
                r.status = Status::ERROR;
                r.notes.push_back(e.what());
                fr.rows.push_back(r);
            }
            results[g].push_back(std::move(fr));
        }
    }

    const CpuSnapshot end = CpuSnapshot::now();
    info.foreign_cpu_fraction = end.foreign_since(start);
    info.steal_fraction = end.steal_since(start);

    bool ok = true;
    for (auto &g : group_order) {
        std::string md;
        try {
            md = write_report(g, results[g], info, opts.out_dir);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 2;
        }
        std::cout << md << std::flush;
        for (auto &fr : results[g])
            for (auto &r : fr.rows)
                if (r.status != Status::OK) ok = false;
        std::fprintf(stderr, "wrote %s/%s.json and %s.md\n", opts.out_dir.c_str(), g.c_str(), g.c_str());
    }
    if (!ok) std::fprintf(stderr, "FAILED: at least one row failed its correctness gate or errored\n");
    return ok ? 0 : 1;
}
