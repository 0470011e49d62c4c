// Byte counts checked before anything is allocated, and the ResourceError
// every failed allocation becomes (see pure::ResourceError in error.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <pure/core/dtype.hpp>
#include <pure/core/shape.hpp>

namespace pure::detail {

/// Total bytes of host memory (RAM plus swap); SIZE_MAX where it cannot be asked.
std::size_t host_memory_bytes();
/// Total bytes of pure's memory space (pure::MemorySpace): the device's memory on
/// CUDA, host memory on host backends, SIZE_MAX where it cannot be asked.
std::size_t memory_space_bytes();

/// The bytes of an array of `dtype` and `shape` made by `what` (its allocation
/// label). Throws ResourceError naming all four when the count overflows
/// 64 bits or is more than pure's memory space holds, so no allocation and no
/// kernel range ever sees such a size.
std::size_t array_bytes(const char* what, const Shape& shape, DType dtype);

/// The same check for a host allocation of `count` items of `item_bytes` each;
/// `items` names them in the message ("keys").
std::size_t host_bytes(const char* what, std::int64_t count, std::size_t item_bytes, const char* items);

/// Throws ResourceError: `what` could not allocate `object` (`bytes` bytes) because of `reason`.
[[noreturn]] void resource_error(const char* what, const std::string& object, std::size_t bytes,
                                 const std::string& reason);

}  // namespace pure::detail
