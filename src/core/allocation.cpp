#include "allocation.hpp"

#include <cstdint>
#include <limits>
#include <type_traits>

#include <Kokkos_Core.hpp>

#include <pure/core/array.hpp>
#include <pure/core/error.hpp>

#if defined(__linux__)
#include <sys/sysinfo.h>
#elif defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace pure::detail {
namespace {

constexpr std::size_t kUnknown = std::numeric_limits<std::size_t>::max();

std::size_t query_host_memory() {
#if defined(__linux__)
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return kUnknown;
  const auto total = static_cast<unsigned long long>(info.totalram) + info.totalswap;
  if (info.mem_unit != 0 && total > kUnknown / info.mem_unit) return kUnknown;
  return static_cast<std::size_t>(total * (info.mem_unit == 0 ? 1 : info.mem_unit));
#elif defined(__unix__) || defined(__APPLE__)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return kUnknown;
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page);
#else
  return kUnknown;
#endif
}

std::size_t query_memory_space() {
#if defined(KOKKOS_ENABLE_CUDA)
  if constexpr (std::is_same_v<MemorySpace, Kokkos::CudaSpace>) {
    std::size_t free = 0, total = 0;
    return cudaMemGetInfo(&free, &total) == cudaSuccess ? total : kUnknown;
  }
#endif
  if constexpr (std::is_same_v<MemorySpace, Kokkos::HostSpace>) return host_memory_bytes();
  return kUnknown;  // other spaces: only the allocation itself can tell
}

// `count` items of `item_bytes` that do not fit in `capacity` bytes of `space`.
[[noreturn]] void too_large(const char* what, const std::string& object, std::uint64_t count, std::size_t item_bytes,
                            std::size_t capacity, const std::string& space) {
  if (count > kUnknown / item_bytes) {
    throw ResourceError(std::string(what) + ": cannot allocate " + object + ": " + std::to_string(count) + " x " +
                        std::to_string(item_bytes) + " bytes overflows a 64-bit byte count");
  }
  resource_error(what, object, count * item_bytes,
                 "more than the " + space + " memory holds (" + std::to_string(capacity) + " bytes)");
}

}  // namespace

std::size_t host_memory_bytes() {
  static const std::size_t bytes = query_host_memory();
  return bytes;
}

std::size_t memory_space_bytes() {
  static const std::size_t bytes = query_memory_space();
  return bytes;
}

std::size_t array_bytes(const char* what, const Shape& shape, DType dtype) {
  const auto count = static_cast<std::uint64_t>(shape.size());  // >= 0: Shape rejects negative extents
  const std::size_t item = dtype_size(dtype), capacity = memory_space_bytes();
  if (count <= capacity / item) return count * item;
  too_large(what, std::string(dtype_name(dtype)) + " " + shape.str(), count, item, capacity, MemorySpace::name());
}

std::size_t host_bytes(const char* what, std::int64_t count, std::size_t item_bytes, const char* items) {
  const std::size_t capacity = host_memory_bytes();
  const auto n = static_cast<std::uint64_t>(count < 0 ? 0 : count);
  if (n <= capacity / item_bytes) return n * item_bytes;
  too_large(what, std::to_string(n) + " " + items, n, item_bytes, capacity, Kokkos::HostSpace::name());
}

void resource_error(const char* what, const std::string& object, std::size_t bytes, const std::string& reason) {
  throw ResourceError(std::string(what) + ": cannot allocate " + object + " = " + std::to_string(bytes) +
                      " bytes: " + reason);
}

}  // namespace pure::detail
