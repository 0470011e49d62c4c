// pure::ScopeGuard: initialises MPI (when built with it) and Kokkos, in that
// order, and finalises them in reverse when it goes out of scope.
#pragma once

namespace pure {

/// Put one at the top of main(), before any Array exists:
///
///   int main(int argc, char** argv) {
///     pure::ScopeGuard guard(argc, argv);
///     pure::Array x = pure::zeros({3});
///     ...
///   }  // x is destroyed first, then Kokkos and MPI are finalised
///
/// MPI is initialised only if nobody did it before (and then finalised by the
/// guard); likewise Kokkos. If arrays are still alive when the guard is
/// destroyed, it reports how many on stderr and leaves Kokkos initialised
/// rather than crash in a later free.
class ScopeGuard {
 public:
  ScopeGuard(int& argc, char**& argv);
  ScopeGuard();
  ~ScopeGuard();
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  void start(int* argc, char*** argv);
  bool owns_mpi_ = false;
  bool owns_kokkos_ = false;
};

/// Number of array buffers currently allocated (for leak checks and the guard).
long live_buffers();

}  // namespace pure
