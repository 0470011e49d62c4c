// GoogleTest main for every pure test binary: Kokkos (and MPI) live for the
// whole run, arrays made by tests die before the guard.
#include <gtest/gtest.h>

#include <cstdlib>

#include <pure/pure.hpp>

int main(int argc, char** argv) {
  // The key-reuse check is on for the whole suite (ctest also sets it); set it
  // here too so a binary run by hand behaves the same. Read on first use.
  setenv("PURE_DEBUG_KEY_REUSE", "1", /*overwrite=*/0);
  pure::ScopeGuard guard(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
