// Scratch memory of the CPU pipelines (halide_malloc / halide_free of the
// shared runtime).
//
// Why: a pipeline's large intermediates (the deformable backward's
// grad_columns is 132 MB for dcn_vsr) come from glibc as fresh mmap()s, so
// every call paid a page fault per 4 KiB page on first touch plus the
// munmap() on free: ~60 ms of a 600 ms call, single-threaded. Large blocks
// (>= kLargeBlock) are therefore kept after a call and handed to the next
// one that fits, up to a byte limit (set_scratch_cache_limit); small ones go
// straight to malloc/free, without the lock.
//
// Every block carries a header just below the pointer Halide gets: the
// pointer malloc() returned and the block's usable size, or 0 for a small
// block.
#include <cstdint>
#include <cstdlib>
#include <list>
#include <mutex>

#include "internal.h"

namespace halconv {
namespace {

constexpr size_t kAlignment = 128;              // >= what Halide 14 assumes of halide_malloc
// Smaller blocks are not cached. (1 MB before: the 200-300 KB temporaries
// of a small image's deformable backward then came from glibc, which
// returned them to the kernel between calls (heap trimming) and faulted
// them in again: with 64 KB, 0.83-0.91x the time of dcn_r50's backward
// through the library, 7 paired process runs.)
constexpr size_t kLargeBlock = size_t(64) << 10;
constexpr size_t kGranule = size_t(64) << 10;    // large sizes rounded up to this

struct Header {
    void *raw;        // what std::malloc returned
    size_t capacity;  // usable bytes of a large block; 0 for a small one
};
static_assert(sizeof(Header) <= kAlignment, "the header fits in the alignment padding");

struct Cache {
    std::mutex mutex;
    std::list<void *> blocks;  // cached large blocks, most recently freed first
    size_t cached_bytes = 0;
    size_t limit = kDefaultScratchCacheLimit;
};

Cache &cache() {
    static Cache *c = new Cache;  // never destroyed: pipelines may run during static destruction
    return *c;
}

Header *header_of(void *p) { return reinterpret_cast<Header *>(static_cast<char *>(p) - sizeof(Header)); }

void *allocate_block(size_t bytes, size_t capacity) {
    void *raw = std::malloc(bytes + kAlignment);
    if (!raw) return nullptr;
    uintptr_t aligned = (reinterpret_cast<uintptr_t>(raw) + kAlignment) & ~uintptr_t(kAlignment - 1);
    void *p = reinterpret_cast<void *>(aligned);
    *header_of(p) = Header{raw, capacity};
    return p;
}

// Frees cached blocks (least recently freed first) until at most `keep`
// bytes remain. Called with the lock held.
void trim_locked(Cache &c, size_t keep) {
    while (c.cached_bytes > keep && !c.blocks.empty()) {
        void *p = c.blocks.back();
        c.blocks.pop_back();
        c.cached_bytes -= header_of(p)->capacity;
        std::free(header_of(p)->raw);
    }
}

void *scratch_malloc(void *, size_t bytes) {
    if (bytes < kLargeBlock) return allocate_block(bytes, 0);
    const size_t capacity = (bytes + kGranule - 1) / kGranule * kGranule;
    Cache &c = cache();
    {
        // The smallest cached block that fits and wastes at most half of itself.
        std::lock_guard<std::mutex> lock(c.mutex);
        auto best = c.blocks.end();
        for (auto it = c.blocks.begin(); it != c.blocks.end(); ++it) {
            const size_t have = header_of(*it)->capacity;
            if (have >= capacity && have / 2 <= capacity &&
                (best == c.blocks.end() || have < header_of(*best)->capacity)) {
                best = it;
            }
        }
        if (best != c.blocks.end()) {
            void *p = *best;
            c.cached_bytes -= header_of(p)->capacity;
            c.blocks.erase(best);
            return p;
        }
    }
    return allocate_block(capacity, capacity);
}

void scratch_free(void *, void *p) {
    if (!p) return;
    Header h = *header_of(p);
    if (h.capacity == 0) {
        std::free(h.raw);
        return;
    }
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (h.capacity > c.limit) {
        std::free(h.raw);
        return;
    }
    trim_locked(c, c.limit - h.capacity);
    c.blocks.push_front(p);
    c.cached_bytes += h.capacity;
}

}  // namespace

void detail::install_scratch_allocator() {
    halide_set_custom_malloc(scratch_malloc);
    halide_set_custom_free(scratch_free);
}

void set_scratch_cache_limit(size_t bytes) {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.limit = bytes;
    trim_locked(c, bytes);
}

size_t scratch_cache_bytes() {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    return c.cached_bytes;
}

void release_scratch_cache() {
    Cache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    trim_locked(c, 0);
}

}  // namespace halconv
