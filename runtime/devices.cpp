// Device checks done before any dispatch. Halide 14's GPU runtimes abort the
// whole process when the driver or ICD is missing ("CUDA API not found:
// cuInit"), so the API probes the driver itself and refuses with a clear
// error instead.
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "internal.h"

namespace halconv {
namespace {

struct Probe {
    bool ok = false;
    std::string why;
};

Probe probe_cpu() {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        return {false, "this CPU lacks AVX2/FMA, the minimum halconv's CPU pipelines are built for"};
    }
    return {true, ""};
}

// Opens the first library that loads, RTLD_GLOBAL so that Halide's runtime,
// which looks its symbols up in the process first, finds this one even where
// only the versioned soname (libcuda.so.1, libOpenCL.so.1) is installed.
void *open_first(std::initializer_list<const char *> names, std::string *tried) {
    for (const char *name : names) {
        if (void *h = dlopen(name, RTLD_NOW | RTLD_GLOBAL)) return h;
        *tried += std::string(tried->empty() ? "" : ", ") + name;
    }
    return nullptr;
}

Probe probe_cuda() {
    std::string tried;
    void *lib = open_first({"libcuda.so.1", "libcuda.so"}, &tried);
    if (!lib) return {false, "no CUDA driver (could not load " + tried + ")"};
    using InitFn = int (*)(unsigned);
    using CountFn = int (*)(int *);
    auto init = reinterpret_cast<InitFn>(dlsym(lib, "cuInit"));
    auto count = reinterpret_cast<CountFn>(dlsym(lib, "cuDeviceGetCount"));
    if (!init || !count) return {false, "the CUDA driver library lacks cuInit/cuDeviceGetCount"};
    int status = init(0);
    if (status != 0) {
        return {false, "cuInit failed with CUDA error " + std::to_string(status) + " (no usable GPU or driver)"};
    }
    int devices = 0;
    if (count(&devices) != 0 || devices <= 0) return {false, "the CUDA driver reports no GPU"};
    // Halide 14's CUDA runtime caps kernels at 64 registers unless told
    // otherwise. halconv's schedules fit in 64 (checked by ptxas -v in the
    // tests); allow up to 128 so a tuned schedule with a larger register tile
    // is not silently spilled. A value set by the user wins.
    setenv("HL_CUDA_JIT_MAX_REGISTERS", "128", 0);
    return {true, ""};
}

Probe probe_opencl() {
    std::string tried;
    void *lib = open_first({"libOpenCL.so.1", "libOpenCL.so"}, &tried);
    if (!lib) return {false, "no OpenCL ICD loader (could not load " + tried + ")"};
    using PlatformsFn = int (*)(unsigned, void **, unsigned *);
    using DevicesFn = int (*)(void *, unsigned long, unsigned, void **, unsigned *);
    auto platforms = reinterpret_cast<PlatformsFn>(dlsym(lib, "clGetPlatformIDs"));
    auto devices = reinterpret_cast<DevicesFn>(dlsym(lib, "clGetDeviceIDs"));
    if (!platforms || !devices) return {false, "the OpenCL library lacks clGetPlatformIDs/clGetDeviceIDs"};
    unsigned n_platforms = 0;
    if (platforms(0, nullptr, &n_platforms) != 0 || n_platforms == 0) {
        return {false, "no OpenCL platform is installed (no ICD, e.g. apt-get install pocl-opencl-icd)"};
    }
    std::vector<void *> ids(n_platforms);
    platforms(n_platforms, ids.data(), nullptr);
    const unsigned long kAllDevices = 0xFFFFFFFF;  // CL_DEVICE_TYPE_ALL
    for (void *p : ids) {
        unsigned n = 0;
        if (devices(p, kAllDevices, 0, nullptr, &n) == 0 && n > 0) return {true, ""};
    }
    return {false, "the OpenCL platforms report no device"};
}

const Probe &probe(Device device) {
    static std::once_flag once[3];
    static Probe result[3];
    int i = static_cast<int>(device);
    std::call_once(once[i], [&] {
        switch (device) {
        case Device::CPU: result[i] = probe_cpu(); break;
        case Device::CUDA: result[i] = probe_cuda(); break;
        case Device::OpenCL: result[i] = probe_opencl(); break;
        }
    });
    return result[i];
}

}  // namespace

const char *device_name(Device d) {
    switch (d) {
    case Device::CPU: return "cpu";
    case Device::CUDA: return "cuda";
    case Device::OpenCL: return "opencl";
    }
    return "unknown";
}

Device parse_device(const std::string &name) {
    if (name == "cpu") return Device::CPU;
    if (name == "cuda") return Device::CUDA;
    if (name == "opencl") return Device::OpenCL;
    throw Error(ErrorCode::InvalidArgument, "device must be one of cpu, cuda, opencl; got '" + name + "'");
}

bool device_available(Device device, std::string *why) {
    if (device != Device::CPU && !probe(Device::CPU).ok) {
        if (why) *why = probe(Device::CPU).why;  // GPU pipelines' host code needs it too
        return false;
    }
    const Probe &p = probe(device);
    if (!p.ok && why) *why = p.why;
    return p.ok;
}

}  // namespace halconv
