// The storage behind Array: one Kokkos allocation, shared by all copies.
#pragma once

#include <pure/core/array.hpp>

namespace pure::detail {

struct Buffer {
  Kokkos::View<unsigned char*, MemorySpace> bytes;
  explicit Buffer(const char* label, std::size_t nbytes);
  ~Buffer();
};

}  // namespace pure::detail
