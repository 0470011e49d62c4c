#include <pure/config.hpp>
#include <pure/core/scope_guard.hpp>

#include <cstdio>

#include <Kokkos_Core.hpp>
#if PURE_HAVE_MPI
#include <mpi.h>
#endif

namespace pure {

ScopeGuard::ScopeGuard(int& argc, char**& argv) { start(&argc, &argv); }
ScopeGuard::ScopeGuard() { start(nullptr, nullptr); }

void ScopeGuard::start(int* argc, char*** argv) {
#if PURE_HAVE_MPI
  int mpi_up = 0;
  MPI_Initialized(&mpi_up);
  if (!mpi_up) {
    MPI_Init(argc, argv);
    owns_mpi_ = true;
  }
#endif
  if (!Kokkos::is_initialized()) {
    if (argc != nullptr) {
      Kokkos::initialize(*argc, *argv);
    } else {
      Kokkos::initialize();
    }
    owns_kokkos_ = true;
  }
}

ScopeGuard::~ScopeGuard() {
  if (owns_kokkos_) {
    if (live_buffers() > 0) {
      // Finalising now would free device memory under live arrays; a later
      // destructor would then crash far from the cause. Say so and leak instead.
      std::fprintf(stderr,
                   "pure::ScopeGuard: %ld array buffer(s) still alive at the end of the guard's scope; "
                   "declare the guard before any pure::Array so the arrays are destroyed first. "
                   "Kokkos is left initialised.\n",
                   live_buffers());
    } else {
      Kokkos::finalize();
    }
  }
#if PURE_HAVE_MPI
  if (owns_mpi_) {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
  }
#endif
}

}  // namespace pure
