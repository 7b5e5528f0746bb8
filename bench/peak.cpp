// fp32 FMA peak: every thread runs a loop of independent FMA chains (12 ymm
// accumulators for AVX2, 24 zmm for AVX-512: more than latency x ports on any
// current x86 core), so the FMA ports, not latency, are the limit. The
// kernels carry target attributes so the harness runs on any x86-64 CPU and
// the AVX-512 one is only called where __builtin_cpu_supports says so.
#include "peak.h"

#include "bench.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace bench {

namespace {

using clock_t_ = std::chrono::steady_clock;

constexpr int kAvx2Acc = 12;
constexpr int kAvx512Acc = 24;
constexpr double kAvx2FlopsPerIter = kAvx2Acc * 8 * 2;
constexpr double kAvx512FlopsPerIter = kAvx512Acc * 16 * 2;

__attribute__((target("avx2,fma"), noinline)) float fma_loop_avx2(int64_t iters) {
    const __m256 m = _mm256_set1_ps(0.9999999f);
    const __m256 c = _mm256_set1_ps(1e-7f);
    __m256 a[kAvx2Acc];
    for (int k = 0; k < kAvx2Acc; k++) a[k] = _mm256_set1_ps(1.0f + 0.01f * k);
    for (int64_t i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (int k = 0; k < kAvx2Acc; k++) a[k] = _mm256_fmadd_ps(a[k], m, c);
    }
    __m256 s = a[0];
    for (int k = 1; k < kAvx2Acc; k++) s = _mm256_add_ps(s, a[k]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[7];
}

__attribute__((target("avx512f"), noinline)) float fma_loop_avx512(int64_t iters) {
    const __m512 m = _mm512_set1_ps(0.9999999f);
    const __m512 c = _mm512_set1_ps(1e-7f);
    __m512 a[kAvx512Acc];
    for (int k = 0; k < kAvx512Acc; k++) a[k] = _mm512_set1_ps(1.0f + 0.01f * k);
    for (int64_t i = 0; i < iters; i++) {
#pragma GCC unroll 24
        for (int k = 0; k < kAvx512Acc; k++) a[k] = _mm512_fmadd_ps(a[k], m, c);
    }
    __m512 s = a[0];
    for (int k = 1; k < kAvx512Acc; k++) s = _mm512_add_ps(s, a[k]);
    float out[16];
    _mm512_storeu_ps(out, s);
    return out[0] + out[15];
}

__attribute__((target("avx2"), noinline)) float read_sum_avx2(const float *p, size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(p + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(p + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(p + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(p + i + 24));
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    float out[8];
    _mm256_storeu_ps(out, s);
    float r = 0;
    for (float v : out) r += v;
    for (; i < n; i++) r += p[i];
    return r;
}

std::atomic<float> g_sink{0};

// Runs body(thread_index) on `threads` std::threads released together;
// returns the wall time from release to the last one finishing.
template<typename F>
double run_parallel(int threads, F body) {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++) {
        pool.emplace_back([&, t] {
            ready.fetch_add(1);
            while (!go.load(std::memory_order_acquire)) {
            }
            body(t);
        });
    }
    while (ready.load() < threads) {
    }
    auto t0 = clock_t_::now();
    go.store(true, std::memory_order_release);
    for (auto &th : pool) th.join();
    return std::chrono::duration<double>(clock_t_::now() - t0).count();
}

template<typename Loop>
double fma_gflops(int threads, Loop loop, double flops_per_iter) {
    // Calibrate to ~0.25 s per trial on one thread.
    int64_t iters = 1 << 16;
    while (true) {
        auto t0 = clock_t_::now();
        g_sink = g_sink + loop(iters);
        double dt = std::chrono::duration<double>(clock_t_::now() - t0).count();
        if (dt > 0.02) {
            iters = int64_t(iters * 0.25 / dt) + 1;
            break;
        }
        iters *= 4;
    }
    double best = 0;
    for (int trial = 0; trial < 3; trial++) {
        double dt = run_parallel(threads, [&](int) { g_sink = g_sink + loop(iters); });
        best = std::max(best, flops_per_iter * double(iters) * threads / dt / 1e9);
    }
    return best;
}

// The peak is the best of several trials; trials during which other
// processes took CPU time are retried (a few times, a second apart), since an
// underestimated peak would inflate every "% of peak".
template<typename Loop>
double fma_gflops_clean(int threads, Loop loop, double flops_per_iter, bool *noisy) {
    double best = 0;
    *noisy = true;
    for (int attempt = 0; attempt < 6; attempt++) {
        const CpuSnapshot before = CpuSnapshot::now();
        best = std::max(best, fma_gflops(threads, loop, flops_per_iter));
        const CpuSnapshot after = CpuSnapshot::now();
        if (!is_noisy(after.foreign_ticks_since(before), after.total_ticks_since(before))) {
            *noisy = false;
            break;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    return best;
}

}  // namespace

MachinePeak measure_peak(int threads) {
    MachinePeak p;
    p.threads = threads;
    bool noisy1 = false, noisy2 = false, noisy3 = false;
    p.avx2_gflops_1t = fma_gflops_clean(1, fma_loop_avx2, kAvx2FlopsPerIter, &noisy1);
    p.avx2_gflops = fma_gflops_clean(threads, fma_loop_avx2, kAvx2FlopsPerIter, &noisy2);
    p.peak_gflops = p.avx2_gflops;
    p.peak_isa = "avx2";
    if (__builtin_cpu_supports("avx512f")) {
        p.avx512_gflops = fma_gflops_clean(threads, fma_loop_avx512, kAvx512FlopsPerIter, &noisy3);
        if (p.avx512_gflops > p.peak_gflops) {
            p.peak_gflops = p.avx512_gflops;
            p.peak_isa = "avx512";
        }
    }

    p.noisy = noisy1 || noisy2 || noisy3;

    // Bandwidth: two 256 MiB buffers (far beyond any LLC), touched first.
    const size_t bytes = size_t(256) << 20;
    const size_t n = bytes / sizeof(float);
    p.buffer_bytes = bytes;
    float *src = static_cast<float *>(std::aligned_alloc(4096, bytes));
    float *dst = static_cast<float *>(std::aligned_alloc(4096, bytes));
    if (!src || !dst) {
        std::free(src);
        std::free(dst);
        return p;
    }
    const size_t chunk = n / size_t(threads);
    run_parallel(threads, [&](int t) {
        size_t b = chunk * size_t(t), e = t == threads - 1 ? n : b + chunk;
        for (size_t i = b; i < e; i++) src[i] = float(i & 1023);
        std::memset(dst + b, 0, (e - b) * sizeof(float));
    });
    double best_copy = 1e30, best_read = 1e30;
    const CpuSnapshot bw0 = CpuSnapshot::now();
    for (int trial = 0; trial < 5; trial++) {
        best_copy = std::min(best_copy, run_parallel(threads, [&](int t) {
            size_t b = chunk * size_t(t), e = t == threads - 1 ? n : b + chunk;
            std::memcpy(dst + b, src + b, (e - b) * sizeof(float));
        }));
        best_read = std::min(best_read, run_parallel(threads, [&](int t) {
            size_t b = chunk * size_t(t), e = t == threads - 1 ? n : b + chunk;
            g_sink = g_sink + read_sum_avx2(src + b, e - b);
        }));
    }
    p.bandwidth_foreign_cpu = CpuSnapshot::now().foreign_since(bw0);
    p.copy_gbs = 2.0 * double(bytes) / best_copy / 1e9;
    p.read_gbs = double(bytes) / best_read / 1e9;
    std::free(src);
    std::free(dst);
    return p;
}

json::Value MachinePeak::to_json() const {
    json::Value v = json::Value::object();
    v["threads"] = threads;
    v["fp32_peak_gflops"] = peak_gflops;
    v["fp32_peak_isa"] = peak_isa;
    v["avx2_fma_gflops"] = avx2_gflops;
    v["avx2_fma_gflops_1thread"] = avx2_gflops_1t;
    v["avx512_fma_gflops"] = avx512_gflops > 0 ? json::Value(avx512_gflops) : json::Value();
    v["copy_gbs"] = copy_gbs;
    v["copy_gbs_note"] = "memcpy, 2 x 256 MiB buffers, (bytes read + bytes written) / s";
    v["read_gbs"] = read_gbs;
    v["bandwidth_buffer_bytes"] = int64_t(buffer_bytes);
    v["fma_noisy"] = noisy;
    v["bandwidth_foreign_cpu"] = bandwidth_foreign_cpu;
    return v;
}

}  // namespace bench
