// Labels of the parallel_for kernels launched while a RecordKernels is alive,
// seen through Kokkos Tools callbacks (they fire without a tool library
// loaded: Kokkos 3.4 and 4.x count a set callback as a loaded tool).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <Kokkos_Core.hpp>

namespace pure_test {

inline std::vector<std::string>& launched_kernels() {
  static std::vector<std::string> labels;
  return labels;
}

struct RecordKernels {
  RecordKernels() {
    launched_kernels().clear();
    Kokkos::Tools::Experimental::set_begin_parallel_for_callback(&on_kernel);
    Kokkos::Tools::Experimental::set_end_parallel_for_callback(&on_end);
  }
  ~RecordKernels() {
    Kokkos::Tools::Experimental::set_begin_parallel_for_callback(nullptr);
    Kokkos::Tools::Experimental::set_end_parallel_for_callback(nullptr);
  }
  RecordKernels(const RecordKernels&) = delete;
  RecordKernels& operator=(const RecordKernels&) = delete;

  /// How many of the launches so far have a label starting with `prefix`.
  static std::size_t count(const std::string& prefix) {
    const auto& k = launched_kernels();
    return static_cast<std::size_t>(
        std::count_if(k.begin(), k.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; }));
  }

 private:
  static void on_kernel(const char* name, const std::uint32_t, std::uint64_t* id) {
    launched_kernels().emplace_back(name);
    *id = 0;
  }
  static void on_end(const std::uint64_t) {}
};

}  // namespace pure_test
