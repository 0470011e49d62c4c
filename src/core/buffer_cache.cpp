// The buffer cache (pure/core/buffer_cache.hpp): size-classed free lists of
// Kokkos allocations, bounded, emptied when Kokkos finalises.
#include <pure/core/buffer_cache.hpp>

#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <pure/core/error.hpp>

#include "detail_buffer.hpp"

namespace pure {
namespace detail {

std::size_t buffer_size_class(std::size_t nbytes) {
  constexpr std::size_t kSmallest = 256;
  if (nbytes <= kSmallest) return kSmallest;
  // Four classes per power of two: round up to a multiple of 2^(floor(log2(n - 1)) - 2).
  int log2 = 0;
  for (std::size_t v = nbytes - 1; v > 1; v >>= 1) ++log2;
  const std::size_t step = std::size_t{1} << (log2 - 2);
  return (nbytes + step - 1) / step * step;
}

std::size_t parse_buffer_cache_bytes(const char* text) {
  const std::string s = text == nullptr ? "" : text;
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  std::size_t shift = 0;
  const std::string suffix = s.substr(digits);
  if (suffix == "K" || suffix == "k") {
    shift = 10;
  } else if (suffix == "M" || suffix == "m") {
    shift = 20;
  } else if (suffix == "G" || suffix == "g") {
    shift = 30;
  } else if (!suffix.empty()) {
    digits = 0;  // rejected below
  }
  if (digits == 0 || digits > 15) {
    throw ValueError("PURE_BUFFER_CACHE_BYTES: expected a byte count such as 0, 1048576, 512M or 2G, got '" + s + "'");
  }
  return static_cast<std::size_t>(std::stoull(s.substr(0, digits))) << shift;
}

namespace {

constexpr std::size_t kDefaultLimit = std::size_t{1} << 30;

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<Block>> free;  // by capacity (a size class)
  std::size_t cached = 0;
  std::size_t limit = kDefaultLimit;
  std::int64_t hits = 0, misses = 0;
  bool finalize_hook = false;  // registered with the current Kokkos instance
};

// Never destroyed: blocks must not outlive Kokkos, so they go at finalize (the
// hook) or stay allocated, never in a static destructor after finalize.
Cache& cache() {
  static Cache* const c = [] {
    auto* made = new Cache;
    if (const char* v = std::getenv("PURE_BUFFER_CACHE_BYTES")) made->limit = parse_buffer_cache_bytes(v);
    return made;
  }();
  return *c;
}

// Takes blocks out of the cache until at most `keep` bytes remain; the caller
// frees them (outside the lock).
std::vector<Block> evict_locked(Cache& c, std::size_t keep) {
  std::vector<Block> out;
  for (auto& [capacity, blocks] : c.free) {
    while (c.cached > keep && !blocks.empty()) {
      out.push_back(blocks.back());
      blocks.pop_back();
      c.cached -= capacity;
    }
  }
  return out;
}

}  // namespace

Block acquire_block(const char* label, std::size_t nbytes) {
  const auto allocate = [label](std::size_t n) {
    return Block(Kokkos::view_alloc(std::string(label), Kokkos::WithoutInitializing), n);
  };
  if (nbytes == 0) return allocate(0);
  Cache& c = cache();
  const std::size_t capacity = buffer_size_class(nbytes);
  bool caching = false;
  {
    const std::lock_guard<std::mutex> lock(c.mutex);
    caching = c.limit > 0;
    if (caching) {
      auto it = c.free.find(capacity);
      if (it != c.free.end() && !it->second.empty()) {
        Block b = it->second.back();
        it->second.pop_back();
        c.cached -= capacity;
        ++c.hits;
        return b;
      }
    }
    ++c.misses;
    if (!c.finalize_hook) {
      Kokkos::push_finalize_hook([] {
        release_buffer_cache();
        const std::lock_guard<std::mutex> hook_lock(cache().mutex);
        cache().finalize_hook = false;
      });
      c.finalize_hook = true;
    }
  }
  const std::size_t n = caching ? capacity : nbytes;  // uncached: exactly what was asked for
  try {
    return allocate(n);
  } catch (const std::exception&) {
    // Out of memory, perhaps only because of what the cache holds: give it back, try once more.
    if (release_buffer_cache() == 0) throw;
    return allocate(n);
  }
}

void recycle_block(Block& block, Block& bytes) {
  const std::size_t capacity = block.extent(0);
  // Blocks made while caching was off have no class size: they are just freed.
  if (capacity == 0 || buffer_size_class(capacity) != capacity || !Kokkos::is_initialized()) return;
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  if (c.cached + capacity > c.limit) return;  // over the bound: the caller's copies free it
  // Every reference change of the block happens under the lock. Kokkos 3.4's
  // View has no move constructor (its tracker declares only copies), so
  // std::move(block) would copy and leave the caller's reference to be dropped
  // after the lock, racing the thread that takes the block from the cache:
  // with Debian's non-atomic counts, a double free (the crash of
  // Concurrency.NestedGradsOnSeveralThreadsStayInTheirOwnTrace).
  bytes = Block();
  c.free[capacity].push_back(block);
  block = Block();
  c.cached += capacity;
}

}  // namespace detail

BufferCacheStats buffer_cache_stats() {
  detail::Cache& c = detail::cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  return {c.cached, c.limit, c.hits, c.misses};
}

void set_buffer_cache_limit(std::size_t bytes) {
  detail::Cache& c = detail::cache();
  std::vector<detail::Block> freed;
  {
    const std::lock_guard<std::mutex> lock(c.mutex);
    c.limit = bytes;
    freed = detail::evict_locked(c, bytes);
  }
}

std::size_t release_buffer_cache() {
  detail::Cache& c = detail::cache();
  std::vector<detail::Block> freed;
  std::size_t bytes = 0;
  {
    const std::lock_guard<std::mutex> lock(c.mutex);
    bytes = c.cached;
    freed = detail::evict_locked(c, 0);
  }
  return bytes;
}

}  // namespace pure
