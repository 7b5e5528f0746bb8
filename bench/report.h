// Machine description, CPU-noise accounting and the JSON / markdown report.
#pragma once

#include <string>
#include <vector>

#include "bench.h"
#include "peak.h"

namespace bench {

struct RunInfo {
    json::Value machine = json::Value::object();   // cpu model, cores, peak...
    json::Value settings = json::Value::object();  // options, versions, threads
    MachinePeak peak;
    std::string date;
    // Filled at the end: share of the machine's CPU time used by other
    // processes (and stolen by the hypervisor) while the benchmark ran.
    double foreign_cpu_fraction = 0;
    double steal_fraction = 0;
};

json::Value describe_machine();
std::string utc_now_iso();

struct FamilyRows {
    const FamilySpec *spec;
    std::vector<Row> rows;
};

// Writes <out_dir>/<group>.json and <group>.md; returns the markdown.
std::string write_report(const std::string &group, const std::vector<FamilyRows> &families,
                         const RunInfo &info, const std::string &out_dir);

}  // namespace bench
