// The storage behind Array: a block from the buffer cache (one Kokkos
// allocation, possibly larger than asked for), shared by all copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
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
/// Hands a buffer's block to the cache when it fits under the bound (emptying
/// `block` and `bytes`, its subview); otherwise it is freed with the caller's
/// copies. Debian's Serial-only Kokkos counts view references without atomics,
/// so every reference change of a cached block happens under the cache's lock:
/// a thread that takes the block from the cache never races the recycling
/// thread's last decrements.
void recycle_block(Block& block, Block& bytes);

/// Told when a buffer made under an allocation scope (memory_plan.hpp) is freed.
struct BufferObserver {
  virtual ~BufferObserver();
  virtual void freed(int seq) noexcept = 0;
};

struct Buffer {
  // Mutable: a buffer donated to a jitted function hands its block to an
  // output and is emptied (pure::JitOptions::donate_args).
  mutable Block block;                       // the allocation
  mutable Block bytes;                       // its first nbytes: what the array sees
  bool recycle = true;                       // false for arena slices: they are not the cache's
  std::shared_ptr<BufferObserver> observer;  // set under an allocation scope
  int seq = -1;                              // the scope's number for this allocation
  /// Set once the array was donated: the jitted function's name.
  mutable std::shared_ptr<const std::string> donated_to;
  explicit Buffer(const char* label, std::size_t nbytes);
  /// The first nbytes of `memory`, which is not acquired from the cache.
  Buffer(Block memory, std::size_t nbytes, bool recycle_memory);
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();
};

/// Array's storage as the memory planner needs it, without side effects
/// (data() would write a broadcast view out).
struct ArrayAccess {
  /// The buffer whose memory `a` reads: its own, or a broadcast view's
  /// source's; nullptr for tracers and empty arrays.
  static const Buffer* root_buffer(const Array& a);
  /// The buffer `a` holds itself (nullptr for views, tracers, empty arrays).
  static const std::shared_ptr<const Buffer>& own_buffer(const Array& a);
  /// A plain array of `shape` and `dtype` over `buffer`.
  static Array make(std::shared_ptr<const Buffer> buffer, const Shape& shape, DType dtype);
  /// A plain copy of a broadcast view's elements (writes them out).
  static Array written_out(const Array& view);
  /// Marks `a` (its buffer, or its view) as donated to `function`.
  static void poison(const Array& a, const std::shared_ptr<const std::string>& function);
  /// Throws the donation error when `a` was donated.
  static void check_not_donated(const Array& a, const char* caller);
};
/// The error for using an array donated to jitted function `function`.
[[noreturn]] void donated_error(const char* caller, const std::string& function);

/// What a broadcast view holds: the contiguous source, the source stride per
/// axis of the view, and the written-out elements once somebody needed them
/// (made at most once, shared by every copy of the view).
struct BroadcastSource {
  Array source;
  const char* label = "pure::broadcast_in_dim";  // of the op that made the view, for the written-out copy
  std::vector<std::int64_t> strides;
  mutable std::once_flag once;
  mutable std::shared_ptr<const Buffer> written;
  mutable std::shared_ptr<const std::string> donated_to;  // as Buffer::donated_to
};

}  // namespace pure::detail
