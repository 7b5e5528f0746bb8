#include "tune/jit.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cctype>
#include <cstring>
#include <mutex>
#include <set>
#include <unordered_map>

namespace halconv {
namespace tune {

using namespace Halide;
using Halide::Internal::JITModule;
using Halide::Internal::JITSharedRuntime;

namespace {

// The JIT runtime's allocations go through a cache: a freed block is kept
// for the next request of the same size, so after the warm-up a trial's
// timed calls allocate nothing and take no page faults.
struct BlockCache {
    std::mutex mutex;
    std::unordered_multimap<size_t, void *> free_blocks;
    std::unordered_map<void *, size_t> sizes;
};
BlockCache &block_cache() {
    static BlockCache *cache = new BlockCache;  // never destroyed: JIT threads may outlive main
    return *cache;
}
void *cached_malloc(JITUserContext *, size_t size) {
    BlockCache &c = block_cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free_blocks.find(size);
    if (it != c.free_blocks.end()) {
        void *p = it->second;
        c.free_blocks.erase(it);
        return p;
    }
    void *p = nullptr;
    // Halide may read a little past either end of a block: pad both sides.
    if (posix_memalign(&p, 128, size + 256) != 0) return nullptr;
    void *user = static_cast<char *>(p) + 128;
    c.sizes[user] = size;
    return user;
}
void cached_free(JITUserContext *, void *user) {
    if (!user) return;
    BlockCache &c = block_cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.free_blocks.emplace(c.sizes.at(user), user);
}

// The user context handed to the pipeline: Halide's handlers, plus where
// its error messages go.
struct TrialContext {
    JITUserContext base;  // first: the runtime sees a JITUserContext *
    std::string *errors = nullptr;
};
void capture_error(JITUserContext *ctx, const char *msg) {
    auto *c = reinterpret_cast<TrialContext *>(ctx);
    if (c->errors) *c->errors += msg;
}
void quiet_print(JITUserContext *, const char *) {}

void load_plugin_once(const std::string &path) {
    static std::mutex mutex;
    static std::set<std::string> loaded;
    std::lock_guard<std::mutex> lock(mutex);
    if (loaded.insert(path).second) load_plugin(path);
}

// "name:e0,e1,...;scalar:v": the extents of every buffer and the value of
// every scalar, for the autoschedulers' estimates (generators/common.h; the
// ':' form, which GenGen's command line also takes, so that the same text
// builds the autoscheduled pipeline AOT).
std::string estimates_spec(const Problem &p) {
    std::string s;
    for (const auto &kv : p.buffers) {
        if (!s.empty()) s += ';';
        s += kv.first + ':';
        for (int d = 0; d < kv.second.dimensions(); d++)
            s += (d ? "," : "") + std::to_string(kv.second.dim(d).extent());
    }
    for (const auto &kv : p.scalars) {
        if (!s.empty()) s += ';';
        const Scalar &v = kv.second;
        std::string value = v.type.is_float() ? std::to_string(v.value.u.f32)
                            : v.type.is_bool() ? std::to_string(int(v.value.u.b))
                                               : std::to_string(v.value.u.i32);
        s += kv.first + ':' + value;
    }
    return s;
}

}  // namespace

struct Candidate::Impl {
    JITModule module;
    std::vector<Internal::LoweredArgument> args;  // the pipeline's arguments in call order
    bool gpu = false;
};

Candidate::~Candidate() = default;

std::unique_ptr<Candidate> Candidate::build(const Problem &problem, const Params &params, const Target &target,
                                            const Autoscheduler *autoscheduler) {
    std::unique_ptr<Candidate> c(new Candidate);
    const auto start = std::chrono::steady_clock::now();
    try {
        MachineParams machine = MachineParams::generic();
        if (autoscheduler) {
            load_plugin_once(autoscheduler->plugin);
            Pipeline::set_default_autoscheduler_name(autoscheduler->name);
            if (!autoscheduler->machine_params.empty()) machine = MachineParams(autoscheduler->machine_params);
        }
        // The library builds some pipelines with extra target features
        // (strict_float for the max pools): candidates get the same.
        Target build_target = target;
        for (Target::Feature f : problem.target_features) build_target = build_target.with_feature(f);
        GeneratorContext context(build_target, autoscheduler != nullptr, machine);
        auto gen = Internal::GeneratorRegistry::create(problem.generator, context);
        Internal::GeneratorParamsMap values;
        for (const auto &kv : problem.fixed_params) values[kv.first] = kv.second;
        for (const auto &kv : params) values[kv.first] = std::to_string(kv.second);
        if (autoscheduler) values["estimates"] = estimates_spec(problem);
        gen->set_generator_param_values(values);
        const std::string name = "halconv_tune_candidate";
        Module m = gen->build_module(name);
        if (autoscheduler && m.get_auto_scheduler_results())
            c->schedule_source_ = m.get_auto_scheduler_results()->schedule_source;
        c->impl_.reset(new Impl);
        const Internal::LoweredFunc &fn = m.get_function_by_name(name);
        c->impl_->module = JITModule(m, fn);
        c->impl_->args = fn.args;
        c->impl_->gpu = build_target.has_gpu_feature();
    } catch (const Halide::Error &e) {
        c->error_ = std::string("Halide: ") + e.what();
    } catch (const std::exception &e) {
        c->error_ = e.what();
    }
    if (c->error_.empty() && !c->impl_) c->error_ = "build failed";
    c->compile_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return c;
}

std::string Candidate::run(Problem &problem) {
    if (!ok()) return error_;
    std::string errors;
    TrialContext ctx;
    ctx.errors = &errors;
    JITHandlers handlers;
    handlers.custom_error = capture_error;
    handlers.custom_print = quiet_print;
    handlers.custom_malloc = cached_malloc;
    handlers.custom_free = cached_free;
    JITSharedRuntime::populate_jit_handlers(&ctx.base, handlers);
    JITUserContext *user_context = &ctx.base;

    std::vector<const void *> argv;
    for (const Internal::LoweredArgument &lowered : impl_->args) {
        // Halide makes Func names unique within a process ("output$3" for
        // the third generator instance's output): bind by the declared name.
        // Only the "$n" goes: a Tuple output "output$3.1" is "output.1".
        Internal::LoweredArgument a = lowered;
        const size_t dollar = a.name.find('$');
        if (dollar != std::string::npos) {
            size_t end = dollar + 1;
            while (end < a.name.size() && std::isdigit((unsigned char)a.name[end])) end++;
            a.name.erase(dollar, end - dollar);
        }
        if (a.name == "__user_context") {
            argv.push_back(&user_context);
        } else if (a.is_buffer()) {
            auto it = problem.buffers.find(a.name);
            if (it == problem.buffers.end()) return "no buffer for the pipeline's argument '" + a.name + "'";
            // An input the device has not seen yet: its host data is the
            // truth (a fresh buffer is not marked dirty, and Halide would
            // leave the device copy uninitialised).
            const bool is_output =
                std::find(problem.outputs.begin(), problem.outputs.end(), a.name) != problem.outputs.end();
            if (impl_->gpu && !is_output && !it->second.has_device_allocation()) it->second.set_host_dirty();
            argv.push_back(it->second.raw_buffer());
        } else {
            auto it = problem.scalars.find(a.name);
            if (it == problem.scalars.end()) return "no value for the pipeline's argument '" + a.name + "'";
            if (it->second.type != a.type)
                return "argument '" + a.name + "' has type " + type_to_c_type(a.type, false) +
                       ", the problem gives another";
            argv.push_back(&it->second.value);
        }
    }
    const int status = impl_->module.argv_function()(argv.data());
    if (status != 0) return errors.empty() ? "pipeline returned " + std::to_string(status) : errors;
    if (impl_->gpu) {
        for (const std::string &o : problem.outputs) {
            Buffer<> &b = problem.buffers.at(o);
            if (b.copy_to_host(&ctx.base) != 0) return "copy_to_host(" + o + ") failed: " + errors;
        }
    }
    return "";
}

// PoCL (the CPU OpenCL driver) links its own LLVM, a newer one than
// libHalide's; loaded normally in this process its calls bind to Halide's
// LLVM symbols and crash. Loading the ICD's drivers first with DEEPBIND makes
// them prefer their own dependencies; the ICD loader later gets the same
// handle.
void preload_opencl_drivers() {
    static bool done = false;
    if (done) return;
    done = true;
    for (const char *lib : {"libpocl.so.2", "libpocl.so"})
        if (dlopen(lib, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)) break;
}

namespace {

// True when this machine can run code compiled for `t` (its architecture,
// OS and every feature it names).
bool host_can_run(const Target &t) {
    const Target host = get_host_target();
    if (t.arch != host.arch || t.bits != host.bits || t.os != host.os) return false;
    for (int f = 0; f < Target::FeatureEnd; f++) {
        const auto feature = static_cast<Target::Feature>(f);
        if (t.has_feature(feature) && !host.has_feature(feature)) return false;
    }
    return true;
}

std::vector<std::string> split_targets(const std::string &list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t end = std::min(list.find(',', start), list.size());
        if (end > start) out.push_back(list.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

}  // namespace

Target library_target(const std::string &device) {
    // The tuner times the code the library ships: the library's own target
    // for the device, not the host's (on a Zen 4, Halide's host target adds
    // avx512_sapphirerapids and avx512_cannonlake, which the AOT CPU variant
    // does not use). The CPU variant is the one the library's multi-target
    // dispatch picks here: the first of HALCONV_CPU_TARGETS the host can run.
    if (device == "cuda") return Target(HALCONV_LIBRARY_CUDA_TARGET);
    if (device == "opencl") return Target(HALCONV_LIBRARY_OPENCL_TARGET);
    for (const std::string &s : split_targets(HALCONV_LIBRARY_CPU_TARGETS)) {
        const Target t(s);
        if (host_can_run(t)) return t;
    }
    // A machine none of the library's CPU targets runs on (the library
    // refuses it): tune for the host itself.
    return get_host_target();
}

Target jit_target(const std::string &device) {
    if (device == "opencl") preload_opencl_drivers();
    return library_target(device).with_feature(Target::JIT).with_feature(Target::UserContext);
}

TargetInfo target_info(const Target &t) {
    TargetInfo info;
    info.device = t.has_feature(Target::CUDA) ? "cuda" : t.has_feature(Target::OpenCL) ? "opencl" : "cpu";
    const bool avx512 = t.has_feature(Target::AVX512);
    info.vector_lanes = avx512 ? 16 : 8;
    info.vector_registers = avx512 ? 32 : 16;
    return info;
}

}  // namespace tune
}  // namespace halconv
