// The cache of array buffers: memory of arrays that died, kept for the next
// array of a similar size, so repeated operations on large arrays reuse pages
// instead of faulting in fresh ones (and skip the allocator) on every call.
//
// Buffers are grouped in size classes (four per power of two, at least 256
// bytes: at most 25% of a block unused). The cache holds at most a bound of
// bytes (default 1 GiB; environment PURE_BUFFER_CACHE_BYTES, read when the
// cache is first used, or set_buffer_cache_limit); a buffer that would exceed
// it is freed instead. Everything cached goes back to the system when Kokkos
// finalises, on release_buffer_cache(), and when an allocation fails (then
// the allocation is tried once more).
//
// Results do not depend on the cache: every operation writes all of its
// output. Kokkos Tools see the cache's real allocations, each with the label
// of the array that first needed it; PURE_BUFFER_CACHE_BYTES=0 turns the
// cache off, so that every array is its own labelled allocation again.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pure {

struct BufferCacheStats {
  std::size_t cached_bytes = 0;  // held for reuse now
  std::size_t limit_bytes = 0;   // the bound
  std::int64_t hits = 0;         // arrays that got a cached block
  std::int64_t misses = 0;       // arrays that needed a new allocation
};

BufferCacheStats buffer_cache_stats();

/// Sets the bound (0 turns caching off) and frees cached blocks above it.
void set_buffer_cache_limit(std::size_t bytes);

/// Frees every cached block; returns how many bytes went back to the system.
std::size_t release_buffer_cache();

}  // namespace pure
