// Limits of the machine, measured by the harness itself: fp32 FMA throughput
// and memory bandwidth with the benchmark's thread count.
#pragma once

#include <string>

#include "json.h"

namespace bench {

struct MachinePeak {
    int threads = 0;
    double avx2_gflops_1t = 0;    // one thread, AVX2 FMA
    double avx2_gflops = 0;       // `threads` threads, AVX2 FMA
    double avx512_gflops = 0;     // `threads` threads, AVX-512 FMA; 0 if unsupported
    double peak_gflops = 0;       // max of the above: the "% peak" denominator
    std::string peak_isa;         // "avx2" or "avx512"
    double copy_gbs = 0;          // memcpy of a large buffer, (read + write) bytes / s
    double read_gbs = 0;          // AVX2 sum over a large buffer
    size_t buffer_bytes = 0;      // size of each bandwidth buffer
    bool noisy = false;           // other processes disturbed every FMA attempt
    double bandwidth_foreign_cpu = 0;

    json::Value to_json() const;
};

MachinePeak measure_peak(int threads);

}  // namespace bench
