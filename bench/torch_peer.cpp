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

Result run(const Request &req) {
    Result res;
    const std::string py = python();
    if (access(py.c_str(), X_OK) != 0) {
        res.unavailable = py + " not found / not executable";
        return res;
    }
    if (access(script().c_str(), R_OK) != 0) {
        res.available = true;
        res.error = "cannot read " + script();
        return res;
    }
    try {
        TempDir dir;
        json::Value rq = json::Value::object();
        rq["op"] = req.op;
        rq["threads"] = req.threads;
        rq["min_runs"] = req.min_runs;
        rq["min_time"] = req.min_time;
        rq["rounds"] = req.rounds;
        json::Value ins = json::Value::object();
        for (const Input &in : req.inputs) {
            const std::string file = in.name + ".f32";
            write_raw(dir.path / file, in.data, numel(in.shape));
            json::Value j = json::Value::object();
            j["file"] = file;
            json::Value sh = json::Value::array();
            for (int64_t s : in.shape) sh.push_back(s);
            j["shape"] = sh;
            ins[in.name] = j;
        }
        rq["inputs"] = ins;
        rq["params"] = req.params;
        {
            std::ofstream f(dir.path / "request.json");
            f << rq.dump();
        }
        const fs::path log = dir.path / "log.txt";
        const int status = run_process({py, script(), req.op, dir.path.string()}, log, req.timeout_s);
        const std::string log_tail = tail(read_text(log), 1500);
        if (status == -1) {
            res.available = true;
            res.error = "timed out after " + std::to_string(int(req.timeout_s)) + " s; " + log_tail;
            return res;
        }
        const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (!fs::exists(dir.path / "result.json")) {
            if (rc == 127) {
                res.unavailable = "cannot run " + py + ": " + log_tail;
            } else {
                res.available = true;
                res.error = "no result.json (exit status " + std::to_string(rc) + "): " + log_tail;
            }
            return res;
        }
        const json::Value r = json::parse_file((dir.path / "result.json").string());
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
            const fs::path p = dir.path / kv.second.at("file").str();
            std::ifstream f(p, std::ios::binary);
            f.read(reinterpret_cast<char *>(o.data.data()), std::streamsize(o.data.size() * sizeof(float)));
            if (!f || f.gcount() != std::streamsize(o.data.size() * sizeof(float)))
                throw std::runtime_error("short output file " + p.string());
            res.outputs[kv.first] = std::move(o);
        }
    } catch (const std::exception &e) {
        res.available = true;
        res.error = e.what();
    }
    return res;
}

}  // namespace bench::torch_peer
