// Helper of tests/io: writes checkpoints for the kill test and the h5py test.
//   pure_io_writer --loop PATH     saves tree A, then B, then A, ... to PATH until killed
//   pure_io_writer --sample PATH   saves the sample tree that check_h5py.py verifies
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <pure/io/checkpoint.hpp>
#include <pure/pure.hpp>

#include "io_trees.hpp"

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: pure_io_writer --loop PATH | --sample PATH\n");
    return 2;
  }
  const std::string mode = argv[1], path = argv[2];
  if (mode == "--sample") {
    pure::io::save(path, pure_test::sample_tree(), pure_test::sample_metadata());
    return 0;
  }
  if (mode == "--loop") {
    const pure::Tree a = pure_test::big_tree(0), b = pure_test::big_tree(1);
    for (long i = 0;; ++i) pure::io::save(path, i % 2 ? b : a);
  }
  std::fprintf(stderr, "pure_io_writer: unknown mode %s\n", mode.c_str());
  return 2;
}
