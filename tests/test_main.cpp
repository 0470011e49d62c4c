// GoogleTest main for every pure test binary: Kokkos (and MPI) live for the
// whole run, arrays made by tests die before the guard.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include <pure/pure.hpp>

int main(int argc, char** argv) {
  // The key-reuse check is on for the whole suite (ctest also sets it); set it
  // here too so a binary run by hand behaves the same. Read on first use.
  setenv("PURE_DEBUG_KEY_REUSE", "1", /*overwrite=*/0);
  pure::ScopeGuard guard(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int status = RUN_ALL_TESTS();
  // pure's own leak check: every array the tests made is gone by now. It holds
  // where LeakSanitizer cannot run (builds with MPI: Open MPI leaks at exit).
  if (pure::live_buffers() != 0) {
    std::fprintf(stderr, "pure tests: %ld array buffer(s) still alive after the last test (leaked)\n",
                 pure::live_buffers());
    return 1;
  }
  return status;
}
