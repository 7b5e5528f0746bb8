#include "tune/records.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace halconv {
namespace tune {

namespace {

constexpr double kResumeGapSlackS = 300;  // a longer pause between records is a resumed run

constexpr int kRecordVersion = 1;

[[noreturn]] void bad_field(const std::string &field, const std::string &why) {
    throw std::runtime_error("record field \"" + field + "\": " + why);
}

const json::Value *find_field(const json::Value &v, const std::string &key, bool required) {
    if (v.contains(key)) return &v.at(key);
    if (required) bad_field(key, "missing");
    return nullptr;
}

std::string string_field(const json::Value &v, const std::string &key, bool required) {
    const json::Value *f = find_field(v, key, required);
    if (!f) return "";
    if (!f->is_string()) bad_field(key, "not a string");
    return f->str();
}

double number_field(const json::Value &v, const std::string &key, bool required, double def = 0) {
    const json::Value *f = find_field(v, key, required);
    if (!f) return def;
    if (!f->is_number()) bad_field(key, "not a number");
    return f->number();
}

int int_value(const json::Value &f, const std::string &field) {
    if (!f.is_number()) bad_field(field, "not a number");
    const double d = f.number();
    if (d != std::floor(d) || d < INT_MIN || d > INT_MAX) bad_field(field, "not an int");
    return int(d);
}

int int_field(const json::Value &v, const std::string &key, bool required, int def = 0) {
    const json::Value *f = find_field(v, key, required);
    return f ? int_value(*f, key) : def;
}

void require_one_of(const std::string &field, const std::string &value,
                    std::initializer_list<const char *> allowed) {
    std::string list;
    for (const char *a : allowed) {
        if (value == a) return;
        list += list.empty() ? a : std::string(" | ") + a;
    }
    bad_field(field, "\"" + value + "\" is not one of " + list);
}

std::string errno_text() { return std::strerror(errno); }

// A Record parsed from one line, or nullopt: used to tell a complete record
// that merely lacks its newline from a line cut off mid-write.
std::optional<Record> try_parse_record(const std::string &line) {
    try {
        return Record::from_json(json::parse(line));
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

bool blank(const std::string &line) {
    return line.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

json::Value Record::to_json() const {
    json::Value v = json::Value::object();
    auto put_string = [&](const char *key, const std::string &s) {
        if (!s.empty()) v[key] = s;
    };
    v["v"] = kRecordVersion;
    v["op"] = op;
    v["entry"] = entry;
    if (!(shape.is_object() && shape.size() == 0)) v["shape"] = shape;
    put_string("shape_class", shape_class);
    v["target"] = target;
    put_string("halide_target", halide_target);
    v["kind"] = kind;
    put_string("strategy", strategy);
    put_string("scheduler", scheduler);
    v["trial"] = trial;
    json::Value p = json::Value::object();
    for (const auto &kv : params) p[kv.first] = kv.second;
    v["params"] = p;
    v["status"] = status;
    put_string("error", error);
    // Timings mean something only for a measured, correct run.
    if (ok()) {
        v["median_ms"] = median_ms;
        v["spread_ms"] = spread_ms;
        v["min_ms"] = min_ms;
    }
    if (repeats > 0) v["repeats"] = repeats;
    if (compile_s > 0) v["compile_s"] = compile_s;
    if (gflops) v["gflops"] = *gflops;
    if (speedup) v["speedup"] = *speedup;
    if (speedup_spread) v["speedup_spread"] = *speedup_spread;
    if (hand_ms) v["hand_ms"] = *hand_ms;
    put_string("halconv_version", halconv_version);
    if (!machine.cpu.empty() || machine.cores || machine.threads) {
        json::Value m = json::Value::object();
        m["cpu"] = machine.cpu;
        m["cores"] = machine.cores;
        m["threads"] = machine.threads;
        v["machine"] = m;
    }
    put_string("time", time);
    return v;
}

Record Record::from_json(const json::Value &v) {
    if (!v.is_object()) throw std::runtime_error("record is not a JSON object");
    const int version = int_field(v, "v", true);
    if (version != kRecordVersion)
        bad_field("v", "unsupported record version " + std::to_string(version) + " (expected " +
                           std::to_string(kRecordVersion) + ")");
    Record r;
    r.op = string_field(v, "op", true);
    r.entry = string_field(v, "entry", true);
    if (const json::Value *s = find_field(v, "shape", false)) {
        if (!s->is_object()) bad_field("shape", "not an object");
        r.shape = *s;
    }
    r.shape_class = string_field(v, "shape_class", false);
    r.target = string_field(v, "target", true);
    r.halide_target = string_field(v, "halide_target", false);
    r.kind = string_field(v, "kind", true);
    require_one_of("kind", r.kind, {"hand", "tuned", "autoscheduler", "confirm"});
    r.strategy = string_field(v, "strategy", false);
    r.scheduler = string_field(v, "scheduler", false);
    r.trial = int_field(v, "trial", true);
    const json::Value &p = *find_field(v, "params", true);
    if (!p.is_object()) bad_field("params", "not an object");
    for (const auto &kv : p.items()) r.params[kv.first] = int_value(kv.second, "params." + kv.first);
    r.status = string_field(v, "status", true);
    require_one_of("status", r.status, {"ok", "failed", "wrong", "invalid"});
    r.error = string_field(v, "error", false);
    // A record that claims to be ok without its timing is unusable for
    // picking the best: reject it rather than read it as 0 ms.
    r.median_ms = number_field(v, "median_ms", r.ok());
    r.spread_ms = number_field(v, "spread_ms", false);
    r.min_ms = number_field(v, "min_ms", false);
    r.repeats = int_field(v, "repeats", false);
    r.compile_s = number_field(v, "compile_s", false);
    if (v.contains("gflops")) r.gflops = number_field(v, "gflops", true);
    // A confirmation that claims to be ok without its ratio is unusable.
    const bool confirmed = r.kind == "confirm" && r.ok();
    if (v.contains("speedup") || confirmed) r.speedup = number_field(v, "speedup", true);
    if (v.contains("speedup_spread")) r.speedup_spread = number_field(v, "speedup_spread", true);
    if (v.contains("hand_ms") || confirmed) r.hand_ms = number_field(v, "hand_ms", true);
    r.halconv_version = string_field(v, "halconv_version", false);
    if (const json::Value *m = find_field(v, "machine", false)) {
        if (!m->is_object()) bad_field("machine", "not an object");
        try {
            r.machine.cpu = string_field(*m, "cpu", false);
            r.machine.cores = int_field(*m, "cores", false);
            r.machine.threads = int_field(*m, "threads", false);
        } catch (const std::runtime_error &e) {
            throw std::runtime_error(std::string("record field \"machine\": ") + e.what());
        }
    }
    r.time = string_field(v, "time", false);
    return r;
}

Machine this_machine() {
    Machine m;
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.compare(0, 10, "model name") != 0) continue;
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        const size_t start = line.find_first_not_of(" \t", colon + 1);
        if (start != std::string::npos) m.cpu = line.substr(start);
        break;
    }
    if (m.cpu.empty()) m.cpu = "unknown";  // e.g. ARM kernels list no model name

    m.cores = int(std::thread::hardware_concurrency());
    if (m.cores <= 0) {
        const long n = sysconf(_SC_NPROCESSORS_ONLN);
        m.cores = n > 0 ? int(n) : 1;
    }
    // Halide's thread pool honours HL_NUM_THREADS; otherwise it uses every CPU.
    m.threads = m.cores;
    if (const char *env = std::getenv("HL_NUM_THREADS")) {
        char *end = nullptr;
        const long n = std::strtol(env, &end, 10);
        if (end != env && *end == '\0' && n > 0 && n <= INT_MAX) m.threads = int(n);
    }
    return m;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void append_record(const std::string &path, const Record &r) {
    // dump(0) is compact and escapes control characters, so the line holds
    // no newline of its own.
    const std::string line = r.to_json().dump(0) + "\n";
    auto fail = [&](const std::string &what) {
        const std::string why = errno_text();  // before anything else can touch errno
        throw std::runtime_error("cannot append a record to " + path + ": " + what + ": " + why);
    };

    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) fail("open");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    // Two tuners writing the same file must not interleave the repair below
    // with each other's writes.
    while (::flock(fd, LOCK_EX) != 0)
        if (errno != EINTR) fail("lock");

    // Resuming after a run killed mid-write: the file may end in a partial
    // line. Appending after it would glue the new record onto it and make a
    // malformed complete line that load_records rejects, so cut the file back
    // to just after its last newline first. A tail that is a whole record
    // (only its newline missing, e.g. a hand-edited file) is kept and given
    // its newline instead.
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail("stat");
    if (st.st_size > 0) {
        char last = 0;
        if (::pread(fd, &last, 1, st.st_size - 1) != 1) fail("read");
        if (last != '\n') {
            // Find the last newline, reading backwards in blocks.
            off_t keep = 0;  // bytes to keep
            std::string tail;
            char buf[4096];
            for (off_t end = st.st_size; end > 0 && keep == 0;) {
                const off_t start = end > off_t(sizeof buf) ? end - off_t(sizeof buf) : 0;
                const ssize_t n = ::pread(fd, buf, size_t(end - start), start);
                if (n != end - start) fail("read");
                for (ssize_t i = n - 1; i >= 0; i--) {
                    if (buf[i] == '\n') {
                        keep = start + i + 1;
                        tail.insert(0, buf + i + 1, size_t(n - i - 1));
                        break;
                    }
                }
                if (keep == 0) tail.insert(0, buf, size_t(n));
                end = start;
            }
            if (try_parse_record(tail)) {
                if (::write(fd, "\n", 1) != 1) fail("write");
            } else if (::ftruncate(fd, keep) != 0) {
                fail("truncate");
            }
        }
    }

    size_t written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write");
        }
        written += size_t(n);
    }
    if (::fsync(fd) != 0) fail("fsync");
}

std::vector<Record> load_records(const std::string &path, std::vector<std::string> *warnings) {
    std::vector<Record> records;
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return records;  // no trials yet
        throw std::runtime_error("cannot read records " + path + ": " + errno_text());
    }
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();

    size_t line_start = 0;
    for (int line_no = 1; line_start < text.size(); line_no++) {
        const size_t newline = text.find('\n', line_start);
        const bool complete = newline != std::string::npos;
        const size_t line_end = complete ? newline : text.size();
        std::string line = text.substr(line_start, line_end - line_start);
        line_start = line_end + 1;
        if (blank(line)) continue;
        if (!complete) {
            // The run was killed while writing this line; append_record drops
            // it before its next write. A whole record without its newline
            // (a hand-edited file) is still read, as append_record keeps it.
            if (std::optional<Record> r = try_parse_record(line)) {
                records.push_back(std::move(*r));
            } else if (warnings) {
                warnings->push_back(path + ":" + std::to_string(line_no) +
                                    ": ignoring an incomplete last line (a run killed while writing it?)");
            }
            break;
        }
        try {
            records.push_back(Record::from_json(json::parse(line)));
        } catch (const std::exception &e) {
            throw std::runtime_error(path + ":" + std::to_string(line_no) + ": " + e.what());
        }
    }
    return records;
}

std::map<RecordKey, Record> best_by_entry(const std::vector<Record> &records) {
    std::map<RecordKey, Record> best;
    for (const Record &r : records) {
        if (!r.ok() || (r.kind != "hand" && r.kind != "tuned")) continue;
        const RecordKey key{r.op, r.entry, r.target};
        auto it = best.find(key);
        // Strictly faster: on a tie the earlier record (usually the hand one) stays.
        if (it == best.end())
            best.emplace(key, r);
        else if (r.median_ms < it->second.median_ms)
            it->second = r;
    }
    return best;
}

std::optional<double> parse_utc(const std::string &stamp) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, consumed = 0;
    double s = 0;
    if (std::sscanf(stamp.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6)
        return std::nullopt;
    if (stamp.substr(size_t(consumed)) != "Z") return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s < 0 || s >= 61) return std::nullopt;
    // Days from the civil date (Howard Hinnant's algorithm): no timegm, no TZ.
    const int yy = y - (mo <= 2 ? 1 : 0);
    const int era = (yy >= 0 ? yy : yy - 399) / 400;
    const unsigned yoe = unsigned(yy - era * 400);
    const unsigned doy = unsigned((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const long long days = (long long)era * 146097 + (long long)doe - 719468;
    return double(days) * 86400.0 + h * 3600.0 + mi * 60.0 + s;
}

// Records are appended as trials finish, so the gap between stamps is the
// trial's wall time, unless it is implausible (clock trouble, a resumed run).
std::vector<double> trial_seconds(const std::vector<Record> &records) {
    std::vector<double> durations(records.size(), 0);
    std::map<RecordKey, double> last_stamp;
    for (size_t i = 0; i < records.size(); i++) {
        const Record &r = records[i];
        const double work = r.compile_s + (r.ok() ? r.repeats * r.median_ms / 1000.0 : 0.0);
        const RecordKey key{r.op, r.entry, r.target};
        const std::optional<double> stamp = parse_utc(r.time);
        double d = work;
        if (stamp) {
            auto it = last_stamp.find(key);
            if (it != last_stamp.end()) {
                const double gap = *stamp - it->second;
                // (Stamps are whole seconds: a gap below the measured work
                // is rounding, as when several short trials share a second.)
                if (gap >= 0 && gap <= work + kResumeGapSlackS) d = std::max(gap, work);
            }
            last_stamp[key] = *stamp;
        }
        durations[i] = d;
    }
    return durations;
}

}  // namespace tune
}  // namespace halconv
