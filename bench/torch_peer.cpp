#include "torch_peer.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef HALCONV_SOURCE_DIR
#define HALCONV_SOURCE_DIR "."
#endif

namespace bench::torch_peer {
namespace fs = std::filesystem;

std::string python() {
    const char *p = std::getenv("HALCONV_BENCH_PYTHON");
    return p && *p ? p : "/usr/bin/python3";
}

std::string script() { return HALCONV_SOURCE_DIR "/bench/torch_peer.py"; }

namespace {

size_t numel(const std::vector<int64_t> &shape) {
    size_t n = 1;
    for (int64_t s : shape) n *= size_t(s);
    return n;
}

void write_raw(const fs::path &path, const float *data, size_t n) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char *>(data), std::streamsize(n * sizeof(float)));
    if (!f) throw std::runtime_error("cannot write " + path.string());
}

std::string read_text(const fs::path &path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string tail(const std::string &s, size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

struct TempDir {
    fs::path path;
    TempDir() {
        const char *t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t && *t ? t : "/tmp") + "/halconv_torch_peer.XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back(0);
        if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
        path = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Runs argv with stdout and stderr to `log`; returns the wait status, or -1
// on timeout (the child is killed).
int run_process(const std::vector<std::string> &args, const fs::path &log, double timeout_s) {
    std::vector<char *> argv;
    for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv.data());
        std::fprintf(stderr, "execv %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    int status = 0;
    while (true) {
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace

namespace {

// The request (inputs as raw float32 files + request.json) in `dir`.
void write_request(const fs::path &dir, const Request &req) {
    json::Value rq = json::Value::object();
    rq["op"] = req.op;
    rq["threads"] = req.threads;
    rq["min_runs"] = req.min_runs;
    rq["min_time"] = req.min_time;
    rq["rounds"] = req.rounds;
    json::Value ins = json::Value::object();
    for (const Input &in : req.inputs) {
        const std::string file = in.name + ".f32";
        write_raw(dir / file, in.data, numel(in.shape));
        json::Value j = json::Value::object();
        j["file"] = file;
        json::Value sh = json::Value::array();
        for (int64_t s : in.shape) sh.push_back(s);
        j["shape"] = sh;
        ins[in.name] = j;
    }
    rq["inputs"] = ins;
    rq["params"] = req.params;
    std::ofstream f(dir / "request.json");
    f << rq.dump();
    if (!f) throw std::runtime_error("cannot write " + (dir / "request.json").string());
}

// The script's result.json in `dir` (rc: its exit status, -1 if still running).
Result parse_result(const fs::path &dir, int rc, const std::string &log_tail) {
    Result res;
    if (!fs::exists(dir / "result.json")) {
        if (rc == 127) {
            res.unavailable = "cannot run " + python() + ": " + log_tail;
        } else {
            res.available = true;
            res.error = "no result.json (exit status " + std::to_string(rc) + "): " + log_tail;
        }
        return res;
    }
    const json::Value r = json::parse_file((dir / "result.json").string());
    if (r.contains("unavailable")) {
        res.unavailable = r.at("unavailable").str();
        return res;
    }
    res.available = true;
    if (!r.get_bool("ok", false)) {
        res.error = r.get_string("error", "failed") + " (exit status " + std::to_string(rc) + ")";
        if (r.contains("traceback")) res.info["traceback"] = r.at("traceback");
        return res;
    }
    res.torch_version = r.get_string("torch", "?");
    for (const char *k : {"python", "threads", "method", "parallel_info"})
        if (r.contains(k)) res.info[k] = r.at(k);
    for (const auto &kv : r.at("timings").items()) {
        TimingStats t;
        t.median_ms = kv.second.get_number("median_ms", kNaN);
        t.min_ms = kv.second.get_number("min_ms", kNaN);
        t.mean_ms = kv.second.get_number("mean_ms", kNaN);
        t.runs = int(kv.second.get_int("runs", 0));
        t.foreign_ticks = kv.second.get_int("foreign_ticks", 0);
        t.total_ticks = kv.second.get_int("total_ticks", 0);
        t.foreign_cpu = t.total_ticks > 0 ? double(t.foreign_ticks) / double(t.total_ticks) : kNaN;
        res.timings[kv.first] = t;
    }
    for (const auto &kv : r.at("outputs").items()) {
        Output o;
        for (const auto &s : kv.second.at("shape").elements()) o.shape.push_back(s.integer());
        o.data.resize(numel(o.shape));
        const fs::path p = dir / kv.second.at("file").str();
        std::ifstream f(p, std::ios::binary);
        f.read(reinterpret_cast<char *>(o.data.data()), std::streamsize(o.data.size() * sizeof(float)));
        if (!f || f.gcount() != std::streamsize(o.data.size() * sizeof(float)))
            throw std::runtime_error("short output file " + p.string());
        res.outputs[kv.first] = std::move(o);
    }
    return res;
}

// Why the peer cannot start at all (no interpreter, no script); empty if it can.
bool cannot_start(Result &res) {
    const std::string py = python();
    if (access(py.c_str(), X_OK) != 0) {
        res.unavailable = py + " not found / not executable";
        return true;
    }
    if (access(script().c_str(), R_OK) != 0) {
        res.available = true;
        res.error = "cannot read " + script();
        return true;
    }
    return false;
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

Result run(const Request &req) {
    Result res;
    if (cannot_start(res)) return res;
    try {
        TempDir dir;
        write_request(dir.path, req);
        const fs::path log = dir.path / "log.txt";
        const int status = run_process({python(), script(), req.op, dir.path.string()}, log, req.timeout_s);
        const std::string log_tail = tail(read_text(log), 1500);
        if (status == -1) {
            res.available = true;
            res.error = "timed out after " + std::to_string(int(req.timeout_s)) + " s; " + log_tail;
            return res;
        }
        res = parse_result(dir.path, exit_code(status), log_tail);
    } catch (const std::exception &e) {
        res.available = true;
        res.error = e.what();
    }
    return res;
}

// --- Session ---------------------------------------------------------------------

struct Session::Dir : TempDir {};

Session::Session(const Request &req) : req_(req) {
    if (cannot_start(res_)) return;
    try {
        dir_ = std::make_unique<Dir>();
        write_request(dir_->path, req_);
        // One socket pair is the child's stdin and stdout: send() with
        // MSG_NOSIGNAL cannot kill the harness if the child has died.
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
        const std::string py = python(), sc = script(), log = (dir_->path / "log.txt").string(),
                          dir = dir_->path.string();
        std::vector<char *> argv;
        for (const std::string *a : {&py, &sc}) argv.push_back(const_cast<char *>(a->c_str()));
        std::string serve = "--serve";
        argv.push_back(serve.data());
        argv.push_back(const_cast<char *>(req_.op.c_str()));
        argv.push_back(const_cast<char *>(dir.c_str()));
        argv.push_back(nullptr);
        const pid_t pid = fork();
        if (pid < 0) {
            close(sv[0]);
            close(sv[1]);
            throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
        }
        if (pid == 0) {
            const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(sv[1], 0);
            dup2(sv[1], 1);
            if (fd >= 0) dup2(fd, 2);
            execv(argv[0], argv.data());
            std::fprintf(stderr, "execv %s: %s\n", argv[0], std::strerror(errno));
            _exit(127);
        }
        close(sv[1]);
        pid_ = pid;
        to_child_ = from_child_ = sv[0];
        std::string line;
        try {
            line = read_line(req_.timeout_s);
        } catch (const std::exception &) {
            // Exited (or hung) before it was ready: its result.json says why.
        }
        const bool ready = line.find("\"ready\": true") != std::string::npos;
        if (!ready) stop();
        const int rc = ready ? 0 : last_status_;
        res_ = parse_result(dir_->path, rc, tail(read_text(dir_->path / "log.txt"), 1500));
        if (ready && !res_.ok()) stop();
        if (!ready && res_.ok()) {
            res_.error = "the peer process did not become ready: " + tail(read_text(dir_->path / "log.txt"), 1500);
        }
    } catch (const std::exception &e) {
        stop();
        res_ = Result{};
        res_.available = true;
        res_.error = e.what();
    }
}

Session::~Session() { stop(); }

std::string Session::read_line(double timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (true) {
        const size_t nl = pending_.find('\n');
        if (nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            return line;
        }
        const double left = std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) throw std::runtime_error("no reply within " + std::to_string(int(timeout_s)) + " s");
        pollfd p{from_child_, POLLIN, 0};
        const int r = poll(&p, 1, int(std::min(left * 1e3 + 1, 1e9)));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        if (r == 0) continue;
        char buf[65536];
        const ssize_t n = read(from_child_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("the peer process ended");
        pending_.append(buf, size_t(n));
    }
}

RemoteSegment Session::segment(const std::string &timing, int runs, double min_time) {
    if (pid_ <= 0) throw std::runtime_error("the peer process is not running");
    json::Value rq = json::Value::object();
    rq["cmd"] = "time";
    rq["timing"] = timing;
    rq["runs"] = runs;
    rq["min_time"] = min_time;
    const std::string msg = rq.dump(0) + "\n";  // one line
    for (size_t off = 0; off < msg.size();) {
        const ssize_t n = send(to_child_, msg.data() + off, msg.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("the peer process ended: " + tail(read_text(dir_->path / "log.txt"), 1500));
        off += size_t(n);
    }
    std::string line;
    try {
        line = read_line(req_.timeout_s);
    } catch (const std::exception &e) {
        stop();
        throw std::runtime_error(std::string(e.what()) + "; " + tail(read_text(dir_->path / "log.txt"), 1500));
    }
    const json::Value r = json::parse(line);
    if (r.contains("error")) throw std::runtime_error("torch peer: " + r.at("error").str());
    RemoteSegment seg;
    for (const auto &v : r.at("ms").elements()) seg.ms.push_back(v.number());
    seg.own_ticks = r.get_int("own_ticks", 0);
    return seg;
}

std::vector<Timed> Session::timed(const std::vector<std::string> &names, const std::vector<Measurement *> &into) {
    if (names.size() != into.size()) throw std::logic_error("torch_peer::Session::timed: names and measurements");
    std::vector<Timed> items;
    if (pid_ <= 0 || !res_.ok()) return items;
    for (size_t i = 0; i < names.size(); i++) {
        const std::string name = names[i];
        timed_.push_back({name, into[i]});
        items.push_back({into[i], nullptr, [this, name](int runs, double t) { return segment(name, runs, t); }});
    }
    return items;
}

Result Session::finish() {
    stop();
    for (const auto &[name, m] : timed_) {
        if (m->ok())
            res_.timings[name] = m->t;
        else if (res_.error.empty())
            res_.error = "timing " + name + ": " + (m->error.empty() ? std::string("not measured") : m->error);
    }
    return res_;
}

void Session::stop() {
    if (pid_ <= 0) return;
    static const char quit[] = "{\"cmd\": \"quit\"}\n";
    (void)!send(to_child_, quit, sizeof quit - 1, MSG_NOSIGNAL);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (true) {
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_ || (r < 0 && errno != EINTR)) break;
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    last_status_ = exit_code(status);
    close(to_child_);
    to_child_ = from_child_ = -1;
    pid_ = -1;
}

}  // namespace bench::torch_peer
