// What pure::io's safety costs (issue 12, item 3), each row next to a floor:
//   io/write/checkpoint  pure::io::save of a 100 MB tree (25 f32 leaves of
//       1 Mi elements): HDF5, CRC-32C of every dataset and of the whole file,
//       temporary file, fsync, rename, directory fsync.
//   io/write/raw         the same 100 MB with write() to a temporary file,
//       fsync, rename: the floor of a durable save.
//   io/read/checkpoint   pure::io::load of that file (whole-file and per-dataset
//       checksums verified, arrays created).
//   io/read/raw          read() of the same file into one buffer.
//   fit/mlp_surrogate/adam_step  one step of pure-fit's `mlp` model (hidden
//       32, 32, tanh; 200 points; adam): counter steps_per_s.
// Target (printed at exit, not asserted): checkpoint throughput at least 0.7x
// raw, for writing and for reading. Files go to $PURE_BENCH_IO_DIR (default:
// the current directory; use a real disk, not tmpfs, for the fsync figures).
// Reads come from the page cache for both rows (the file was just written).
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "summary.hpp"

namespace bench_io {

using pure::Array;
using pure::Tree;
using pure_bench::summarize;

constexpr int kLeaves = 25;
constexpr std::int64_t kLeafElements = std::int64_t(1) << 20;  // 4 MiB of f32
constexpr std::int64_t kBytes = kLeaves * kLeafElements * 4;

std::string dir() {
  const char* d = std::getenv("PURE_BENCH_IO_DIR");
  return d != nullptr ? d : ".";
}

const Tree& tree() {
  static const Tree t = [] {
    Tree out;
    for (int i = 0; i < kLeaves; ++i) {
      out["layer_" + std::to_string(i / 5)].set(
          "w" + std::to_string(i % 5),
          pure::random::uniform(pure::random::fold_in(pure::random::key(7), static_cast<std::uint32_t>(i)),
                                pure::Shape{kLeafElements}));
    }
    return out;
  }();
  return t;
}

void set_bytes(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kBytes);
}

void bm_write_checkpoint(benchmark::State& state) {
  const std::string path = dir() + "/bench_io_checkpoint.h5";
  for (auto _ : state) pure::io::save(path, tree());
  set_bytes(state);
}

// The floor: the same bytes, durably, by the same temporary-file protocol.
void bm_write_raw(benchmark::State& state) {
  std::vector<std::vector<float>> host;
  for (const Array& a : pure::tree_leaves(tree())) host.push_back(a.to_host<float>());
  const std::string path = dir() + "/bench_io_raw.bin", tmp = path + ".tmp";
  for (auto _ : state) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    for (const auto& h : host) {
      const char* p = reinterpret_cast<const char*>(h.data());
      std::size_t left = h.size() * sizeof(float);
      while (left > 0) {
        const ssize_t w = ::write(fd, p, left);
        if (w <= 0) std::abort();
        p += w;
        left -= static_cast<std::size_t>(w);
      }
    }
    ::fsync(fd);
    ::close(fd);
    ::rename(tmp.c_str(), path.c_str());
    const int dfd = ::open(dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::fsync(dfd);
    ::close(dfd);
  }
  set_bytes(state);
}

void bm_read_checkpoint(benchmark::State& state) {
  const std::string path = dir() + "/bench_io_checkpoint.h5";
  pure::io::save(path, tree());
  for (auto _ : state) benchmark::DoNotOptimize(pure::io::load(path));
  set_bytes(state);
}

void bm_read_raw(benchmark::State& state) {
  const std::string path = dir() + "/bench_io_raw.bin";
  std::vector<char> buf(static_cast<std::size_t>(kBytes));
  for (auto _ : state) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    std::size_t got = 0;
    while (got < buf.size()) {
      const ssize_t r = ::read(fd, buf.data() + got, buf.size() - got);
      if (r <= 0) std::abort();
      got += static_cast<std::size_t>(r);
    }
    ::close(fd);
    benchmark::DoNotOptimize(buf.data());
  }
  set_bytes(state);
}

// pure-fit's mlp model, step for step (apps/pure-fit/models/mlp_surrogate.cpp
// and job.cpp's adam loop), on its --demo data.
void bm_mlp_surrogate_step(benchmark::State& state) {
  const pure::nn::MLP mlp({32, 32, 1}, pure::nn::tanh);
  const Array x = pure::linspace(-2.0, 2.0, 200, true, pure::DType::f64);
  const Array y = pure::sin(2.0 * x) + 0.3 * x * x;
  const Array features = pure::expand_dims(x, 1);
  auto loss = [&](const Tree& p) {
    return pure::mean(pure::square(pure::reshape(mlp.apply(p, features), pure::Shape{200}) - y));
  };
  const pure::optim::GradientTransformation opt = pure::optim::adam(1e-2);
  Tree params = mlp.init(pure::random::key(2), features);
  Tree opt_state = opt.init(params);
  for (auto _ : state) {
    const auto [value, grads] = pure::value_and_grad(loss)(params);
    auto [updates, next] = opt.update(grads, opt_state, params);
    params = pure::optim::apply_updates(params, updates);
    opt_state = next;
    benchmark::DoNotOptimize(value.item<double>());
  }
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void register_all() {
  benchmark::RegisterBenchmark("io/write/checkpoint", bm_write_checkpoint)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("io/write/raw", bm_write_raw)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("io/read/checkpoint", bm_read_checkpoint)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("io/read/raw", bm_read_raw)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("fit/mlp_surrogate/adam_step", bm_mlp_surrogate_step)->Unit(benchmark::kMicrosecond);
  // Time ratios (throughput >= 0.7x raw is time <= 1 / 0.7 = 1.43x), in wall
  // time: fsync's waits are not CPU time.
  summarize("time write checkpoint / raw (throughput >= 0.7x)", "io/write/checkpoint/real_time",
            "io/write/raw/real_time", 1.0, "x", 1.0 / 0.7, pure_bench::SummaryClock::wall);
  summarize("time read checkpoint / raw (throughput >= 0.7x)", "io/read/checkpoint/real_time", "io/read/raw/real_time",
            1.0, "x", 1.0 / 0.7, pure_bench::SummaryClock::wall);
}

}  // namespace bench_io

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  std::fprintf(stderr, "bench_io: files in %s (PURE_BENCH_IO_DIR), 100 MB trees\n", bench_io::dir().c_str());
  bench_io::register_all();
  const int rc = pure_bench::run_benchmarks(argc, argv, "bench_io");
  for (const char* f : {"/bench_io_checkpoint.h5", "/bench_io_raw.bin"}) std::remove((bench_io::dir() + f).c_str());
  return rc;
}
