// GoogleTest main for pure_mpi_tests, run under mpirun. Every rank runs every
// test (they are collective); rank 0 prints the usual report, the other ranks
// print only their failures, prefixed by their rank. The exit code is non-zero
// on every rank if any rank failed.
#include <cstdio>

#include <gtest/gtest.h>
#include <mpi.h>

#include <pure/pure.hpp>

namespace {

class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (!r.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", rank_, r.file_name() ? r.file_name() : "?", r.line_number(),
                 r.summary());
  }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result()->Failed()) {
      std::fprintf(stderr, "[rank %d] [  FAILED  ] %s.%s\n", rank_, info.test_suite_name(), info.name());
    }
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(rank));
  }
  int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  if (pure::live_buffers() != 0) {  // pure's own leak check (see tests/test_main.cpp)
    std::fprintf(stderr, "[rank %d] pure_mpi_tests: %ld array buffer(s) still alive after the last test (leaked)\n",
                 rank, pure::live_buffers());
    failed = 1;
  }
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0 && failed) std::fprintf(stderr, "pure_mpi_tests: a test failed on at least one rank\n");
  return failed;
}
