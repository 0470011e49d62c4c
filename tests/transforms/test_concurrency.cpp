// Several host threads using pure at once (issue 9, item 9): each thread runs
// transforms (grad, vjp, jvp of a small MLP loss) and samplers (split,
// uniform, normal, bits with its own keys) while the others do the same, and
// every result must be bit for bit what the same work gives when run on one
// thread. This exercises pure's shared state from several threads: the buffer
// cache, the primitive registry, the key-reuse record (on in the suite), the
// debug flags and the per-thread trace context. scripts/test-sanitize runs
// this binary under ThreadSanitizer too, where any data race fails the run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include <pure/pure.hpp>

#include "../../src/ops/gemm.hpp"  // test hook: the team (device) matmul kernel on the host

namespace {

using pure::Array;
using pure::DType;
namespace random = pure::random;

template <class T>
std::vector<std::uint8_t> bytes_of(const Array& a) {
  const std::vector<T> h = a.to_host<T>();
  std::vector<std::uint8_t> bytes(h.size() * sizeof(T));
  if (!h.empty()) std::memcpy(bytes.data(), h.data(), bytes.size());
  return bytes;
}

// The raw bytes of an array: a bitwise comparison (NaN and -0.0 included).
std::vector<std::uint8_t> raw(const Array& a) {
  switch (a.dtype()) {
    case DType::f32: return bytes_of<float>(a);
    case DType::f64: return bytes_of<double>(a);
    case DType::u32: return bytes_of<std::uint32_t>(a);
    default: throw std::logic_error("raw: add a case for this dtype");
  }
}

// One unit of work: everything it computes, as raw bytes, in a fixed order.
using Bytes = std::vector<std::vector<std::uint8_t>>;

Array mlp_loss(const std::vector<Array>& p, const Array& x) {
  const Array h = pure::tanh(pure::matmul(x, p[0]) + p[1]);
  return pure::mean(pure::square(pure::matmul(h, p[2])));
}

constexpr int kThreads = 4;
constexpr int kRounds = 3;

// Task `task`, round `round`: draws its parameters, data and directions from
// its own key, then differentiates the loss three ways.
Bytes work(const random::Key& base, int task, int round) {
  const random::Key key = random::fold_in(base, static_cast<std::uint32_t>(round));
  const std::vector<random::Key> k = random::split(key, 8);
  const std::vector<Array> params = {random::normal(k[0], {6, 12}, DType::f64) * 0.4,
                                     random::uniform(k[1], {12}, DType::f64, -0.1, 0.1),
                                     random::normal(k[2], {12, 3}, DType::f64)};
  const Array x = random::uniform(k[3], {16, 6}, DType::f64, -1.0, 1.0);
  const auto loss = [&x](const std::vector<Array>& p) { return mlp_loss(p, x); };

  Bytes out;
  auto [value, g] = pure::value_and_grad(loss)(params);
  out.push_back(raw(value));
  for (const Array& a : g) out.push_back(raw(a));

  // jvp along a random direction, and vjp of the hidden layer with a random cotangent.
  const std::vector<Array> dir = {random::normal(k[4], {6, 12}, DType::f64), random::normal(k[5], {12}, DType::f64),
                                  pure::zeros({12, 3}, DType::f64)};
  auto [y, dy] = pure::jvp(loss, params, dir);
  out.push_back(raw(y));
  out.push_back(raw(dy));
  const auto hidden = [](const Array& xs, const Array& w) { return pure::tanh(pure::matmul(xs, w)); };
  auto [h, pullback] = pure::vjp(hidden, x, params[0]);
  const auto [cx, cw] = pullback(random::normal(k[6], h.shape(), DType::f64));
  out.push_back(raw(cx));
  out.push_back(raw(cw));

  // Samplers of both generators and several dtypes.
  const auto more = random::split(k[7]);
  out.push_back(raw(random::uniform(more[0], {257}, DType::f32)));
  out.push_back(raw(random::bits(random::fold_in(more[1], 1), {100}, DType::u32)));
  out.push_back(raw(random::normal(random::fold_in(more[1], 2), {33}, DType::f32)));
  const random::Key philox =
      random::key(1000 + static_cast<std::uint64_t>(task * kRounds + round), random::Impl::philox);
  out.push_back(raw(random::normal(philox, {65}, DType::f64)));
  return out;
}

std::vector<random::Key> task_keys() { return random::split(random::key(20261206), kThreads); }

// Runs body(t) on kThreads threads at once (they start together, to overlap as
// much as possible) while `meanwhile` runs on this thread; returns each
// thread's exception message ("" if none).
std::vector<std::string> on_threads(
    const std::function<void(int)>& body, const std::function<void()>& meanwhile = [] {}) {
  std::vector<std::string> errors(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      try {
        body(t);
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  }
  meanwhile();
  for (std::thread& th : threads) th.join();
  return errors;
}

TEST(Concurrency, ThreadsRunningTransformsAndSamplersGiveTheSingleThreadBits) {
  random::reset_key_reuse_record();
  const std::vector<random::Key> keys = task_keys();

  // The reference: every task's rounds, one after the other on this thread.
  std::vector<std::vector<Bytes>> want(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int r = 0; r < kRounds; ++r) want[t].push_back(work(keys[t], t, r));
  }
  // The same keys again: forget the reference run's draws, not a reuse.
  random::reset_key_reuse_record();

  std::vector<std::vector<Bytes>> got(kThreads);
  const std::vector<std::string> errors = on_threads(
      [&](int t) {
        for (int r = 0; r < kRounds; ++r) got[t].push_back(work(keys[t], t, r));
      },
      [] {
        // Every eager primitive reads the debug flag: flipping it meanwhile
        // must be race-free (the results are finite, so the check never fires).
        const bool before = pure::ir::debug_nans();
        for (int i = 0; i < 50; ++i) pure::ir::set_debug_nans(i % 2 == 0);
        pure::ir::set_debug_nans(before);
      });
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(errors[t], "") << "thread " << t;
    ASSERT_EQ(got[t].size(), want[t].size()) << "thread " << t;
    for (int r = 0; r < kRounds; ++r) {
      ASSERT_EQ(got[t][r].size(), want[t][r].size()) << "thread " << t << " round " << r;
      for (std::size_t i = 0; i < want[t][r].size(); ++i) {
        EXPECT_EQ(got[t][r][i], want[t][r][i]) << "thread " << t << " round " << r << " result " << i;
      }
    }
  }
  // The comparison means something only if the tasks differ from each other.
  EXPECT_NE(want[0][0], want[1][0]);
  EXPECT_NE(want[0][0], want[0][1]);
}

// Each thread in its own trace: nested transforms on one thread must not see
// another thread's trace (the current interpreter is per thread). Many rounds:
// the threads also recycle each other's buffers through the buffer cache, which
// once crashed this test in 2-4% of runs with 20 rounds (Kokkos 3.4's View has
// no move constructor, so a block "moved" into the cache kept the recycling
// thread's reference, dropped later outside the cache's lock: with Debian's
// non-atomic reference counts, a double free; fixed in recycle_block). With 400
// rounds that bug crashed most runs.
TEST(Concurrency, NestedGradsOnSeveralThreadsStayInTheirOwnTrace) {
  const auto cube = [](const Array& x) { return pure::sum(x * x * x); };
  const auto second = [&cube](const Array& x) { return pure::sum(pure::grad(cube)(x)); };
  std::vector<std::vector<double>> got(kThreads);
  constexpr int kNestedRounds = 400;
  const std::vector<std::string> errors = on_threads([&](int t) {
    for (int r = 0; r < kNestedRounds; ++r) {
      const double x0 = t + 0.25 * r;
      got[t].push_back(pure::grad(second)(pure::from_host(std::vector<double>{x0})).to_host<double>()[0]);
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(errors[t], "") << "thread " << t;
    ASSERT_EQ(got[t].size(), static_cast<std::size_t>(kNestedRounds));
    // d/dx sum(3 x^2) = 6 x, exact in binary for these x.
    for (int r = 0; r < kNestedRounds; ++r)
      EXPECT_EQ(got[t][r], 6 * (t + 0.25 * r)) << "thread " << t << " round " << r;
  }
}

// The matmul's team kernel (the device kernel, run on the host with the
// `portable` tuning) from several threads: Kokkos 3.4's Serial backend shares
// one scratch buffer between all team kernels, which pure serialises.
TEST(Concurrency, TeamKernelMatmulsOnSeveralThreadsGiveTheSingleThreadBits) {
#ifdef KOKKOS_ENABLE_SERIAL
  constexpr bool kSerial = std::is_same<pure::ExecutionSpace, Kokkos::Serial>::value;
#else
  constexpr bool kSerial = false;
#endif
  // Kokkos 3.4's OpenMP backend refuses team kernels from threads other than
  // the one that initialised it (it throws "in parallel or not initialized").
  if (!kSerial) GTEST_SKIP() << "team kernels from several host threads: Serial backend only";
  pure::ops::detail::GemmTuning tuning;
  tuning.portable = true;
  pure::ops::detail::set_gemm_tuning(tuning);
  struct Restore {
    ~Restore() { pure::ops::detail::set_gemm_tuning({}); }
  } restore;

  const auto product = [](int t) {
    // Integer-valued inputs, different per thread: exact, so any mixed-up tile shows.
    std::vector<double> a(40 * 35), b(35 * 50);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>((i * 7 + static_cast<std::size_t>(t)) % 13);
    for (std::size_t i = 0; i < b.size(); ++i)
      b[i] = static_cast<double>((i * 5 + 3 * static_cast<std::size_t>(t)) % 11);
    return raw(pure::matmul(pure::from_host(a, {40, 35}), pure::from_host(b, {35, 50})));
  };
  std::vector<std::vector<std::uint8_t>> want(kThreads), got(kThreads);
  for (int t = 0; t < kThreads; ++t) want[t] = product(t);
  const std::vector<std::string> errors = on_threads([&](int t) {
    for (int r = 0; r < 10; ++r) {
      std::vector<std::uint8_t> p = product(t);
      if (r == 0 || p != got[t]) got[t] = std::move(p);  // keeps a differing result
      if (got[t] != want[t]) break;
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(errors[t], "") << "thread " << t;
    EXPECT_EQ(got[t], want[t]) << "thread " << t;
  }
  EXPECT_NE(want[0], want[1]);
}

}  // namespace
