#include "report.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace bench {

namespace {

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string fmt(const char *f, double v) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// 3 significant digits, no exponent for the usual range: 0.0377, 9.46, 17.3, 206.
std::string fmt_ms(double v) {
    if (!std::isfinite(v)) return "-";
    if (v >= 100) return fmt("%.0f", v);
    return fmt("%.3g", v);
}

// A measurement's median, marked with * when other processes disturbed it.
std::string fmt_meas(const Measurement *m) {
    if (!m || !m->ok()) return "-";
    return fmt_ms(m->t.median_ms) + (m->t.noisy() ? "\\*" : "");
}

json::Value timing_json(const Measurement &m) {
    json::Value v = json::Value::object();
    if (m.ok()) {
        v["median_ms"] = m.t.median_ms;
        v["min_ms"] = m.t.min_ms;
        v["mean_ms"] = m.t.mean_ms;
        v["runs"] = m.t.runs;
        v["foreign_cpu"] = m.t.foreign_cpu;
    } else {
        v["median_ms"] = json::Value();
    }
    if (!m.impl.empty()) v["impl"] = m.impl;
    if (!m.error.empty()) v["error"] = m.error;
    return v;
}

double geomean(const std::vector<double> &v) {
    double s = 0;
    int n = 0;
    for (double x : v)
        if (std::isfinite(x) && x > 0) {
            s += std::log(x);
            n++;
        }
    return n ? std::exp(s / n) : kNaN;
}

double gflops(const Row &r) {
    return r.flops > 0 && r.halconv.ok() ? r.flops / (r.halconv.t.median_ms * 1e6) : kNaN;
}

// Rows of memory-bound operators (no flops, a byte count) get GB/s instead of
// GFLOP/s; a family whose rows all are gets "GB/s | % copy bw" table columns.
bool memory_bound(const Row &r) { return !(r.flops > 0) && r.bytes > 0; }

// Bytes moved by one implementation of a row: row.info["bytes"][key] when the
// family recorded it (peers that move a different amount), else row.bytes.
double bytes_of(const Row &r, const Measurement &m) {
    if (r.info.is_object() && r.info.contains("bytes") && r.info.at("bytes").is_object() &&
        r.info.at("bytes").contains(m.key) && r.info.at("bytes").at(m.key).is_number())
        return r.info.at("bytes").at(m.key).number();
    return r.bytes;
}

double gbs_of(const Row &r, const Measurement &m) {
    return memory_bound(r) && m.ok() ? bytes_of(r, m) / (m.t.median_ms * 1e6) : kNaN;
}

// A peer column's label without its unit ("oneDNN prim ms" -> "oneDNN prim").
std::string peer_label(const FamilySpec &spec, const std::string &key) {
    for (const auto &c : spec.peers)
        if (c.key == key) {
            const std::string &l = c.label;
            return l.size() > 3 && l.compare(l.size() - 3, 3, " ms") == 0 ? l.substr(0, l.size() - 3) : l;
        }
    return key;
}

// What a family's ratios and max rel err are taken against, from its columns
// and the rows' reference peers: "Ratios: `ratio vs prim` = t(oneDNN prim) /
// t(halconv), ...; max rel err against oneDNN NCHW."
std::string family_peers_line(const FamilySpec &spec, const std::vector<Row> &rows) {
    std::string s;
    if (!spec.ratios.empty()) {
        s = "Ratios (> 1: halconv faster):";
        for (size_t i = 0; i < spec.ratios.size(); i++) {
            const Column &c = spec.ratios[i];
            std::string peer;
            if (c.best_of.empty()) {
                peer = peer_label(spec, c.key);
            } else {
                peer = "the fastest of ";
                for (size_t k = 0; k < c.best_of.size(); k++)
                    peer += (k ? ", " : "") + peer_label(spec, c.best_of[k]);
            }
            s += std::string(i ? ";" : "") + " `" + c.label + "` = t(" + peer + ") / t(halconv)";
        }
        s += ".";
    }
    std::vector<std::string> refs;
    for (const Row &r : rows)
        if (!r.reference.empty() && std::find(refs.begin(), refs.end(), r.reference) == refs.end())
            refs.push_back(r.reference);
    if (!refs.empty()) {
        s += std::string(s.empty() ? "" : " ") + "Max rel err against ";
        for (size_t k = 0; k < refs.size(); k++) s += (k ? ", " : "") + peer_label(spec, refs[k]);
        s += ".";
    }
    return s;
}

}  // namespace

std::string utc_now_iso() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

json::Value describe_machine() {
    json::Value m = json::Value::object();
    std::ifstream f("/proc/cpuinfo");
    std::string line, model = "unknown", family, modelno, stepping, flags, cores;
    while (std::getline(f, line)) {
        size_t c = line.find(':');
        if (c == std::string::npos) continue;
        std::string k = trim(line.substr(0, c)), v = trim(line.substr(c + 1));
        if (k == "model name" && model == "unknown") model = v;
        else if (k == "cpu family" && family.empty()) family = v;
        else if (k == "model" && modelno.empty()) modelno = v;
        else if (k == "stepping" && stepping.empty()) stepping = v;
        else if (k == "flags" && flags.empty()) flags = " " + v + " ";
        else if (k == "cpu cores" && cores.empty()) cores = v;
    }
    m["cpu_model"] = model;
    m["cpu_family_model_stepping"] = family + "/" + modelno + "/" + stepping;
    m["logical_cpus"] = int(std::thread::hardware_concurrency());
    m["cores_per_socket"] = cores.empty() ? json::Value() : json::Value(std::atoi(cores.c_str()));
    std::string isa;
    for (const char *fl : {"sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
                           "avx512_vnni", "avx512_bf16", "amx_tile"})
        if (flags.find(std::string(" ") + fl + " ") != std::string::npos) isa += (isa.empty() ? "" : " ") + std::string(fl);
    m["isa"] = isa;
    m["hypervisor"] = flags.find(" hypervisor ") != std::string::npos;
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    m["hostname"] = std::string(host);
    return m;
}

std::string write_report(const std::string &group, const std::vector<FamilyRows> &families,
                         const RunInfo &info, const std::string &out_dir) {
    const double peak = info.peak.peak_gflops;
    const double bw = info.peak.copy_gbs;  // the "% copy bw" denominator (read + write bytes / s)
    json::Value root = json::Value::object();
    root["benchmark"] = group;
    root["date"] = info.date;
    json::Value machine = info.machine;
    machine["peak"] = info.peak.to_json();
    machine["foreign_cpu_fraction"] = info.foreign_cpu_fraction;
    machine["steal_fraction"] = info.steal_fraction;
    root["machine"] = machine;
    root["settings"] = info.settings;
    root["ratio_definition"] = "t_peer / t_halconv (> 1: halconv faster)";
    root["max_rel_err_definition"] =
        "max|halconv - reference| / max|reference| over the whole output; gate < " + fmt("%.0e", kMaxRelErr);

    std::ostringstream md;
    md << "# halconv benchmark: " << group << "\n\n";
    md << "- date: " << info.date << "\n";
    md << "- machine: " << info.machine.get_string("cpu_model", "?") << " (family/model/stepping "
       << info.machine.get_string("cpu_family_model_stepping", "?") << "), "
       << (info.machine.at("cores_per_socket").is_number()
               ? std::to_string(info.machine.at("cores_per_socket").integer()) + " cores, "
               : std::string())
       << info.machine.get_int("logical_cpus", 0) << " logical CPUs, ISA: " << info.machine.get_string("isa", "?")
       << "\n";
    md << "- threads: " << info.peak.threads << " (halconv and its peers; oneDNN "
       << info.settings.get_string("onednn", "?") << ")\n";
    md << "- fp32 peak (" << info.peak.peak_isa << " FMA, " << info.peak.threads
       << " threads, measured): " << fmt("%.1f", peak) << " GFLOP/s (AVX2 1 thread "
       << fmt("%.1f", info.peak.avx2_gflops_1t) << ")" << (info.peak.noisy ? " NOISY: other processes were running" : "")
       << "\n";
    md << "- memory bandwidth (256 MiB buffers): copy " << fmt("%.1f", info.peak.copy_gbs) << " GB/s (read+write), read "
       << fmt("%.1f", info.peak.read_gbs) << " GB/s\n";
    // Disturbance by other processes, over the timed measurements only (the
    // whole-run figure also counts --wait-idle pauses).
    int n_meas = 0, n_noisy = 0;
    double max_foreign = 0;
    for (const auto &fr : families)
        for (const Row &r : fr.rows) {
            std::vector<const Measurement *> ms{&r.halconv};
            for (auto &m : r.peers) ms.push_back(&m);
            for (const Measurement *m : ms) {
                if (!m->ok() || !std::isfinite(m->t.foreign_cpu)) continue;
                n_meas++;
                n_noisy += m->t.noisy();
                max_foreign = std::max(max_foreign, m->t.foreign_cpu);
            }
        }
    machine["timed_measurements"] = n_meas;
    machine["noisy_measurements"] = n_noisy;
    machine["max_foreign_cpu_in_a_measurement"] = max_foreign;
    root["machine"] = machine;
    md << "- other load: during the timed measurements other processes used at most "
       << fmt("%.1f", 100 * max_foreign) << "% of the machine's CPU time (" << n_noisy << " of " << n_meas
       << " measurements above " << fmt("%.0f", 100 * kNoisyForeignCpu) << "%" << (n_noisy ? ", marked \\*: NOISY" : "")
       << "); over the whole run " << fmt("%.1f", 100 * info.foreign_cpu_fraction) << "%, hypervisor steal "
       << fmt("%.1f", 100 * info.steal_fraction) << "%\n";
    md << "- times: median ms over >= " << info.settings.get_int("min_runs", 0) << " runs and >= "
       << info.settings.get_number("min_time_s", 0) << " s, in " << info.settings.get_int("rounds", 1)
       << " rounds interleaved with the peers; ratio = t_peer / t_halconv (> 1: halconv faster); "
       << "max rel err = max|halconv - reference| / max|reference| (gate < " << fmt("%.0e", kMaxRelErr)
       << " unless the family states a stricter one); each family names its peers and its reference under "
       << "its heading\n";
    if (!info.settings.get_string("filter", "").empty())
        md << "- filter: `" << info.settings.get_string("filter", "") << "` (partial run)\n";

    json::Value fams = json::Value::array();
    std::vector<std::vector<double>> all_ratios;
    std::vector<std::string> all_ratio_labels;
    bool any_failed = false, any_noisy = false;
    for (const auto &fr : families) {
        const FamilySpec &spec = *fr.spec;
        json::Value jf = json::Value::object();
        jf["family"] = spec.name;
        json::Value jrows = json::Value::array();

        bool fam_mem = !fr.rows.empty();
        bool fam_bytes = false;
        for (const Row &r : fr.rows) {
            if (r.flops > 0) fam_mem = false;
            if (r.bytes > 0) fam_bytes = true;
        }
        fam_mem = fam_mem && fam_bytes;  // memory-bound family: GB/s, % copy bw
        if (fam_mem) {
            root["gbs_definition"] =
                "GB/s = bytes / median time, bytes = minimum traffic of that implementation (inputs read + "
                "outputs written once); pct_copy_bw = 100 * GB/s / machine.peak.copy_gbs";
        }

        md << "\n## " << spec.name << "\n\n";
        const std::string peers_line = family_peers_line(spec, fr.rows);
        if (!peers_line.empty()) md << peers_line << "\n\n";
        md << (fam_mem ? "| id | halconv ms | GB/s | % copy bw |" : "| id | halconv ms | GFLOP/s | % peak |");
        for (auto &c : spec.peers) md << " " << c.label << " |";
        for (auto &c : spec.ratios) md << " " << c.label << " |";
        md << " max rel err | status |\n|---|";
        for (size_t i = 0; i < 3 + spec.peers.size() + spec.ratios.size() + 2; i++) md << "---:|";
        md << "\n";

        std::vector<double> col_h, col_gf, col_pct;
        std::vector<std::vector<double>> col_peer(spec.peers.size()), col_ratio(spec.ratios.size());
        std::vector<std::string> notes;
        for (const Row &r : fr.rows) {
            const double gf = gflops(r), pct = peak > 0 ? 100 * gf / peak : kNaN;
            const double gbs = gbs_of(r, r.halconv), pct_bw = bw > 0 ? 100 * gbs / bw : kNaN;
            json::Value jr = json::Value::object();
            jr["id"] = r.id;
            jr["family"] = r.family;
            jr["shape"] = r.shape;
            jr["status"] = status_name(r.status);
            jr["flops"] = r.flops;
            jr["min_bytes"] = r.bytes;
            jr["halconv"] = timing_json(r.halconv);
            jr["halconv_gflops"] = gf;
            jr["halconv_pct_peak"] = pct;
            if (memory_bound(r)) {
                jr["halconv_bytes"] = bytes_of(r, r.halconv);
                jr["halconv_gbs"] = gbs;
                jr["halconv_pct_copy_bw"] = pct_bw;
            }
            json::Value jp = json::Value::object();
            for (auto &m : r.peers) {
                json::Value t = timing_json(m);
                if (r.flops > 0 && m.ok()) t["gflops"] = r.flops / (m.t.median_ms * 1e6);
                if (memory_bound(r)) {
                    t["bytes"] = bytes_of(r, m);
                    if (m.ok()) t["gbs"] = gbs_of(r, m);
                }
                jp[m.key] = t;
            }
            jr["peers"] = jp;
            json::Value jratio = json::Value::object();
            for (size_t i = 0; i < spec.ratios.size(); i++) {
                double ratio = column_ratio(r, spec.ratios[i]);
                jratio[spec.ratios[i].key] = ratio;
                col_ratio[i].push_back(ratio);
            }
            jr["ratios"] = jratio;
            jr["reference"] = r.reference;
            jr["max_rel_err"] = r.max_rel_err;
            jr["sampled_err_halconv_vs_naive"] = r.sampled_err_halconv;
            jr["sampled_err_peer_vs_naive"] = r.sampled_err_peer;
            json::Value jn = json::Value::array();
            for (auto &n : r.notes) jn.push_back(n);
            jr["notes"] = jn;
            jr["info"] = r.info;
            jrows.push_back(jr);

            const double shown = fam_mem ? gbs : gf, shown_pct = fam_mem ? pct_bw : pct;
            md << "| " << r.id << " | " << fmt_meas(&r.halconv) << " | "
               << fmt("%.1f", shown) << " | " << fmt("%.1f", shown_pct) << " |";
            col_h.push_back(r.halconv.ok() ? r.halconv.t.median_ms : kNaN);
            col_gf.push_back(shown);
            col_pct.push_back(shown_pct);
            for (size_t i = 0; i < spec.peers.size(); i++) {
                const Measurement *m = r.peer(spec.peers[i].key);
                double v = m && m->ok() ? m->t.median_ms : kNaN;
                col_peer[i].push_back(v);
                md << " " << fmt_meas(m) << " |";
                if (m && m->ok() && m->t.noisy()) any_noisy = true;
            }
            for (size_t i = 0; i < spec.ratios.size(); i++) md << " " << fmt("%.2f", col_ratio[i].back()) << " |";
            md << " " << fmt("%.1e", r.max_rel_err) << " | " << status_name(r.status) << " |\n";
            if (r.status != Status::OK) any_failed = true;
            if (r.halconv.ok() && r.halconv.t.noisy()) any_noisy = true;
            for (auto &n : r.notes) notes.push_back(r.id + ": " + n);
        }
        if (!fr.rows.empty()) {
            md << "| **geomean** | " << fmt_ms(geomean(col_h)) << " | " << fmt("%.1f", geomean(col_gf)) << " | "
               << fmt("%.1f", geomean(col_pct)) << " |";
            for (auto &c : col_peer) md << " " << fmt_ms(geomean(c)) << " |";
            for (auto &c : col_ratio) md << " " << fmt("%.2f", geomean(c)) << " |";
            md << " | |\n";
        }
        if (!spec.doc.empty()) md << "\n" << spec.doc << "\n";
        json::Value jg = json::Value::object();
        jg["halconv_ms"] = geomean(col_h);
        jg[fam_mem ? "halconv_gbs" : "halconv_gflops"] = geomean(col_gf);
        jg[fam_mem ? "halconv_pct_copy_bw" : "halconv_pct_peak"] = geomean(col_pct);
        for (size_t i = 0; i < spec.peers.size(); i++) jg[spec.peers[i].key + "_ms"] = geomean(col_peer[i]);
        for (size_t i = 0; i < spec.ratios.size(); i++) jg["ratio_" + spec.ratios[i].key] = geomean(col_ratio[i]);
        jf["geomean"] = jg;
        jf["rows"] = jrows;
        fams.push_back(jf);

        // Peer implementations chosen (what oneDNN ran), for the record.
        if (!fr.rows.empty()) {
            md << "\n<details><summary>peer implementations</summary>\n\n";
            for (const Row &r : fr.rows) {
                md << "- " << r.id << ":";
                for (auto &m : r.peers) {
                    md << " " << m.key << " = `" << (m.impl.empty() ? "n/a" : m.impl) << "`";
                    if (memory_bound(r) && m.ok())
                        md << " (" << fmt("%.1f", gbs_of(r, m)) << " GB/s of " << fmt("%.2f", bytes_of(r, m) / 1e6)
                           << " MB)";
                    md << ";";
                }
                md << "\n";
            }
            md << "\n</details>\n";
        }
        if (!notes.empty()) {
            md << "\nNotes:\n";
            for (auto &n : notes) md << "- " << n << "\n";
        }

        for (size_t i = 0; i < spec.ratios.size(); i++) {
            size_t k = 0;
            while (k < all_ratio_labels.size() && all_ratio_labels[k] != spec.ratios[i].label) k++;
            if (k == all_ratio_labels.size()) {
                all_ratio_labels.push_back(spec.ratios[i].label);
                all_ratios.emplace_back();
            }
            all_ratios[k].insert(all_ratios[k].end(), col_ratio[i].begin(), col_ratio[i].end());
        }
    }
    root["families"] = fams;
    if (families.size() > 1 && !all_ratio_labels.empty()) {
        md << "\n**Geomean over all " << group << " rows:**";
        json::Value jo = json::Value::object();
        for (size_t k = 0; k < all_ratio_labels.size(); k++) {
            double g = geomean(all_ratios[k]);
            md << " " << all_ratio_labels[k] << " " << fmt("%.2f", g) << (k + 1 < all_ratio_labels.size() ? ";" : "");
            jo[all_ratio_labels[k]] = g;
        }
        md << "\n";
        root["geomean_all"] = jo;
    }
    if (any_noisy)
        md << "\n\\* measured while other processes used more than " << fmt("%.0f", 100 * kNoisyForeignCpu)
           << "% of the machine's CPU time: noisy.\n";
    root["status"] = any_failed ? "FAILED" : "OK";
    md << "\nOverall: " << (any_failed ? "**FAILED**" : "OK") << "\n";

    std::filesystem::create_directories(out_dir);
    const std::string md_text = md.str();
    {
        std::ofstream fj(out_dir + "/" + group + ".json");
        fj << root.dump(2) << "\n";
        if (!fj) throw std::runtime_error("cannot write " + out_dir + "/" + group + ".json");
    }
    {
        std::ofstream fm(out_dir + "/" + group + ".md");
        fm << md_text;
        if (!fm) throw std::runtime_error("cannot write " + out_dir + "/" + group + ".md");
    }
    return md_text;
}

}  // namespace bench
