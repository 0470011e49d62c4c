// The storage behind Array: a block from the buffer cache (one Kokkos
// allocation, possibly larger than asked for), shared by all copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <pure/core/array.hpp>

namespace pure::detail {

using Block = Kokkos::View<unsigned char*, MemorySpace>;

/// The cache's size class of `nbytes`: at least 256 bytes, four classes per
/// power of two (pure/core/buffer_cache.hpp).
std::size_t buffer_size_class(std::size_t nbytes);
/// PURE_BUFFER_CACHE_BYTES's value: a byte count with an optional K, M or G
/// (powers of 1024). Throws pure::ValueError naming the variable otherwise.
std::size_t parse_buffer_cache_bytes(const char* text);

/// A block of at least `nbytes` (exactly, with caching off): a cached one of
/// the same size class, or a new allocation labelled `label`.
Block acquire_block(const char* label, std::size_t nbytes);
/// Hands a block to the cache when it fits under the bound; otherwise it is
/// freed with the caller's last copy.
void recycle_block(const Block& block);

struct Buffer {
  Block block;  // the allocation
  Block bytes;  // its first nbytes: what the array sees
  explicit Buffer(const char* label, std::size_t nbytes);
  ~Buffer();
};

/// What a broadcast view holds: the contiguous source, the source stride per
/// axis of the view, and the written-out elements once somebody needed them
/// (made at most once, shared by every copy of the view).
struct BroadcastSource {
  Array source;
  const char* label = "pure::broadcast_in_dim";  // of the op that made the view, for the written-out copy
  std::vector<std::int64_t> strides;
  mutable std::once_flag once;
  mutable std::shared_ptr<const Buffer> written;
};

}  // namespace pure::detail
