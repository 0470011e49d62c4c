// GoogleTest main for every pure test binary: Kokkos (and MPI) live for the
// whole run, arrays made by tests die before the guard.
#include <gtest/gtest.h>

#include <pure/pure.hpp>

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
