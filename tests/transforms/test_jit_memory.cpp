// pure::jit's memory plan and donation: jitted results stay eager's bits over
// many calls (the arena is reused), a steady-state step allocates nothing on
// the device (counted with a Kokkos Tools callback), donated buffers hold the
// outputs and the donated arrays throw, bad donate indices, two threads.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/core/buffer_cache.hpp>
#include <pure/pure.hpp>
#include <pure/transforms/jit.hpp>

#include "same_bits.hpp"
#include "small_mlp.hpp"

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
using pure::Tree;

using pure_test::expect_same_bits;

Tree mlp_params(std::uint32_t seed) { return pure_test::small_mlp_params(seed); }

Array mlp_loss(const Tree& p, const Array& x, const Array& y) {
  const Array h = pure::tanh(pure::matmul(x, p["dense0"]["w"]) + p["dense0"]["b"]);
  const Array out = pure::matmul(h, p["dense1"]["w"]) + p["dense1"]["b"];
  const Array err = out - y;
  return pure::mean(err * err);
}

Tree zeros_like(const Tree& t) {
  return pure::tree_map([](const Array& a) { return pure::zeros(a.shape(), a.dtype()); }, t);
}

using State = std::tuple<Tree, Tree, Tree>;  // params, first and second moments

// An Adam-like step: new parameters, moments and the loss.
std::tuple<Tree, Tree, Tree, Array> adam_step(const Tree& p, const Tree& m, const Tree& v, const Array& x,
                                              const Array& y) {
  const auto [loss, g] = pure::value_and_grad(mlp_loss)(p, x, y);
  const Tree m2 = pure::tree_map([](const Array& a, const Array& b) { return 0.9 * a + 0.1 * b; }, m, g);
  const Tree v2 = pure::tree_map([](const Array& a, const Array& b) { return 0.999 * a + 0.001 * (b * b); }, v, g);
  const Tree p2 = pure::tree_map(
      [](const Array& w, const Array& a, const Array& b) { return w - 0.01 * a / (pure::sqrt(b) + 1e-8); }, p, m2, v2);
  return {p2, m2, v2, loss};
}

struct Batches {
  std::vector<Array> x, y;
};

Batches batches() {
  pure::random::reset_key_reuse_record();
  Batches b;
  for (std::uint32_t i = 0; i < 2; ++i) {
    b.x.push_back(pure::random::normal(pure::random::key(10 + i), Shape{32, 8}));
    b.y.push_back(pure::random::normal(pure::random::key(20 + i), Shape{32, 1}));
  }
  return b;
}

// Device allocations seen by Kokkos Tools while counting is on. A callback
// set directly fires without a loaded tool library: Kokkos 3.4 and 4.x count
// a set callback as "a tool is loaded" (Kokkos::Tools::profileLibraryLoaded()).
std::atomic<long> g_allocations{0};
std::atomic<bool> g_counting{false};
void count_allocation(const Kokkos_Profiling_SpaceHandle, const char*, const void*, const std::uint64_t) {
  if (g_counting.load()) ++g_allocations;
}

struct CountAllocations {
  CountAllocations() {
    Kokkos::Tools::Experimental::set_allocate_data_callback(&count_allocation);
    g_allocations = 0;
    g_counting = true;
  }
  ~CountAllocations() {
    g_counting = false;
    Kokkos::Tools::Experimental::set_allocate_data_callback(nullptr);
  }
  long count() const { return g_allocations.load(); }
};

struct CacheLimit {
  std::size_t before = pure::buffer_cache_stats().limit_bytes;
  explicit CacheLimit(std::size_t bytes) { pure::set_buffer_cache_limit(bytes); }
  ~CacheLimit() { pure::set_buffer_cache_limit(before); }
};

TEST(JitMemory, AllocationCallbackFiresWithoutAToolLibrary) {
  const CountAllocations counter;
  const CacheLimit no_cache(0);
  const Array a = pure::zeros({1000});
  EXPECT_GE(counter.count(), 1);
}

// Kernels of a jitted call as Kokkos Tools sees them: each with the regions
// open at its launch.
struct Launch {
  std::string kernel;
  std::vector<std::string> regions;
};
std::vector<std::string> g_region_stack;
std::vector<Launch> g_launches;
void on_push(const char* name) { g_region_stack.emplace_back(name); }
void on_pop() { g_region_stack.pop_back(); }
void on_kernel(const char* name, const std::uint32_t, std::uint64_t* id) {
  g_launches.push_back(Launch{name, g_region_stack});
  *id = 0;
}
void on_end(const std::uint64_t) {}

struct RecordLaunches {
  RecordLaunches() {
    g_region_stack.clear();
    g_launches.clear();
    namespace tools = Kokkos::Tools::Experimental;
    tools::set_push_region_callback(&on_push);
    tools::set_pop_region_callback(&on_pop);
    tools::set_begin_parallel_for_callback(&on_kernel);
    tools::set_begin_parallel_reduce_callback(&on_kernel);
    tools::set_begin_parallel_scan_callback(&on_kernel);
    tools::set_end_parallel_for_callback(&on_end);
    tools::set_end_parallel_reduce_callback(&on_end);
    tools::set_end_parallel_scan_callback(&on_end);
  }
  ~RecordLaunches() {
    namespace tools = Kokkos::Tools::Experimental;
    tools::set_push_region_callback(nullptr);
    tools::set_pop_region_callback(nullptr);
    tools::set_begin_parallel_for_callback(nullptr);
    tools::set_begin_parallel_reduce_callback(nullptr);
    tools::set_begin_parallel_scan_callback(nullptr);
    tools::set_end_parallel_for_callback(nullptr);
    tools::set_end_parallel_reduce_callback(nullptr);
    tools::set_end_parallel_scan_callback(nullptr);
  }
};

// Every kernel of a jitted call runs inside its equation's Kokkos Tools region
// "pure::jit::<name>::<k>:<primitive>"; fused groups' kernels are labelled too.
TEST(JitLabels, EveryKernelRunsInItsEquationsRegion) {
  const auto f = [](const Array& x, const Array& w, const Array& b) {
    const Array h = pure::matmul(x, w) + b;  // dot_general, then a fused group
    return std::make_pair(pure::sum(pure::tanh(h)), pure::cumsum(h, 0));
  };
  const auto jitted = pure::jit(f, pure::JitOptions{}.named("labelled"));
  const Array x = pure::random::normal(pure::random::key(1), Shape{64, 32});
  const Array w = pure::random::normal(pure::random::key(2), Shape{32, 16});
  const Array b = pure::random::normal(pure::random::key(3), Shape{16});
  (void)jitted(x, w, b);  // traced and planned outside the recording
  std::vector<Launch> launches;
  {
    const RecordLaunches record;
    const auto out = jitted(x, w, b);
    launches = g_launches;
    EXPECT_TRUE(g_region_stack.empty()) << "a region was left open";
  }
  ASSERT_FALSE(launches.empty());
  const std::string prefix = "pure::jit::labelled::";
  bool dot_region = false, fused_kernel = false;
  for (const Launch& l : launches) {
    ASSERT_EQ(l.regions.size(), 1u) << l.kernel;
    EXPECT_EQ(l.regions[0].rfind(prefix, 0), 0u) << l.kernel << " in " << l.regions[0];
    dot_region = dot_region || l.regions[0] == prefix + "0:dot_general";
    if (l.kernel.rfind(prefix + "fused", 0) == 0) {
      fused_kernel = true;
      EXPECT_NE(l.regions[0].find(":fused"), std::string::npos) << l.kernel << " in " << l.regions[0];
    }
  }
  EXPECT_TRUE(dot_region) << "no kernel in region " << prefix << "0:dot_general";
  EXPECT_TRUE(fused_kernel);
}

TEST(JitMemory, MlpLossKeepsEagerBitsOverManyCallsWithTheArena) {
  const Tree p1 = mlp_params(1), p2 = mlp_params(2);
  const Batches b = batches();
  const auto loss = pure::jit(mlp_loss, pure::JitOptions{}.named("mlp_loss"));
  for (int call = 0; call < 8; ++call) {
    const Tree& p = call % 2 == 0 ? p1 : p2;
    const int i = call % 3 == 0 ? 0 : 1;
    expect_same_bits(loss(p, b.x[i], b.y[i]), mlp_loss(p, b.x[i], b.y[i]));
  }
  EXPECT_EQ(loss.trace_count(), 1u);
  const std::string plan = loss.memory_plan(p1, b.x[0], b.y[0]);
  EXPECT_NE(plan.find("pure::jit::mlp_loss::arena"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("arena: 0 bytes"), std::string::npos) << plan;
  EXPECT_NE(plan.find("at offset 0,"), std::string::npos) << plan;
  EXPECT_NE(plan.find("output 0:"), std::string::npos) << plan;
}

TEST(JitMemory, MemoryPlanBeforeTheFirstCallSaysSo) {
  const auto loss = pure::jit(mlp_loss);
  const Batches b = batches();
  EXPECT_NE(loss.memory_plan(mlp_params(1), b.x[0], b.y[0]).find("no call"), std::string::npos);
}

// Runs `calls` steps of jitted Adam from the same start as eager, comparing
// every step's bits, and returns the device allocations of calls 3 to `calls`.
long adam_allocations(const pure::JitOptions& options, int calls) {
  const Batches b = batches();
  const auto step = pure::jit(adam_step, options);
  Tree p = mlp_params(3), m = zeros_like(p), v = zeros_like(p);
  Tree ep = p, em = m, ev = v;  // eager's copies: the jitted calls may donate p, m, v
  long allocations = 0;
  for (int call = 1; call <= calls; ++call) {
    const int i = call % 2;
    auto [ep2, em2, ev2, eloss] = adam_step(ep, em, ev, b.x[i], b.y[i]);
    std::tuple<Tree, Tree, Tree, Array> out;
    if (call >= 3) {
      const CountAllocations counter;
      out = step(p, m, v, b.x[i], b.y[i]);
      allocations += counter.count();
    } else {
      out = step(p, m, v, b.x[i], b.y[i]);
    }
    p = std::get<0>(out);
    m = std::get<1>(out);
    v = std::get<2>(out);
    expect_same_bits(p, ep2);
    expect_same_bits(m, em2);
    expect_same_bits(v, ev2);
    expect_same_bits(std::get<3>(out), eloss);
    ep = ep2;
    em = em2;
    ev = ev2;
  }
  return allocations;
}

TEST(JitMemory, DonatedAdamStepAllocatesNothingInSteadyState) {
  const long n = adam_allocations(pure::JitOptions{}.named("adam").donate_args({0, 1, 2}), 10);
  EXPECT_EQ(n, 0);
}

TEST(JitMemory, WithoutTheBufferCacheOnlyUndonatedOutputsAllocate) {
  const CacheLimit no_cache(0);
  // Donated: parameters and moments take the old ones' memory; the loss is new.
  EXPECT_EQ(adam_allocations(pure::JitOptions{}.named("adam").donate_args({0, 1, 2}), 10), 8);
  // Not donated: 3 trees of 4 leaves and the loss per call; no intermediate allocates.
  EXPECT_EQ(adam_allocations(pure::JitOptions{}.named("adam"), 10), 8 * 13);
}

TEST(JitMemory, WithoutDonationTheBufferCacheServesTheOutputs) {
  EXPECT_EQ(adam_allocations(pure::JitOptions{}.named("adam"), 10), 0);
}

// A donated argument the function also captures: its memory would be given
// away while the cached program still reads it as a constant, so every later
// call would fail. The first call refuses, naming the argument, and donates nothing.
TEST(JitMemory, DonatingAnArrayTheFunctionAlsoCapturesIsRefused) {
  const Array a = pure::random::normal(pure::random::key(7), Shape{16});
  const std::vector<float> a_before = a.to_host<float>();
  const auto f =
      pure::jit([&a](const Array& x) { return x * 2.0 + a; }, pure::JitOptions{}.named("cap").donate_args({0}));
  try {
    (void)f(a);
    ADD_FAILURE() << "no error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("pure::jit 'cap': argument 0 is donated, but the function also captures"),
              std::string::npos)
        << e.what();
  }
  expect_same_bits(f(a * 1.0), a * 2.0 + a);  // a is intact; another array is donated as usual
  EXPECT_EQ(a.to_host<float>(), a_before);    // the refused call wrote nothing into a (a key is never drawn twice)
}

TEST(JitMemory, DonatedBufferHoldsTheOutputAndTheDonatedArrayThrows) {
  const auto sgd = pure::jit([](const Array& w, const Array& g) { return w - 0.1 * g; },
                             pure::JitOptions{}.named("sgd").donate_args({0}));
  const Array g = pure::random::normal(pure::random::key(5), Shape{64});
  const Array w0 = pure::random::normal(pure::random::key(6), Shape{64});
  const Array want1 = w0 - 0.1 * g;
  const Array want2 = want1 - 0.1 * g;
  const Array w1 = sgd(w0, g);  // first call: records, w0 is donated (its memory not reused yet)
  expect_same_bits(w1, want1);
  const void* memory = w1.data();
  const Array w2 = sgd(w1, g);
  EXPECT_EQ(w2.data(), memory);  // the output lives in the donated input's memory
  expect_same_bits(w2, want2);
  const auto expect_donation_error = [](const std::function<void()>& use) {
    try {
      use();
      ADD_FAILURE() << "no error";
    } catch (const pure::ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("donated to jitted function 'sgd'"), std::string::npos) << e.what();
    }
  };
  for (const Array* donated : {&w0, &w1}) {
    expect_donation_error([&] { (void)donated->data(); });
    expect_donation_error([&] { (void)donated->to_host<float>(); });
    expect_donation_error([&] { (void)donated->view<float>(); });
    expect_donation_error([&] { (void)pure::exp(*donated); });
    expect_donation_error([&] { (void)(*donated + g); });
    expect_donation_error([&] { (void)sgd(*donated, g); });
  }
  const Array copy = w2;  // every copy of a donated array is donated
  (void)sgd(w2, g);
  expect_donation_error([&] { (void)copy.to_host<float>(); });
  EXPECT_NE(sgd.memory_plan(w2, g).find("donated: output 0 <- argument 0 leaf (root)"), std::string::npos)
      << sgd.memory_plan(w2, g);
}

TEST(JitMemory, TreeDonationNamesTheLeafInThePlan) {
  const auto step = pure::jit(
      [](const Tree& p, const Tree& g) {
        return pure::tree_map([](const Array& w, const Array& d) { return w - 0.5 * d; }, p, g);
      },
      pure::JitOptions{}.named("tree_sgd").donate_args({0}));
  Tree p, g;
  p["w"] = pure::ones({4, 4});
  g["w"] = pure::full({4, 4}, 2.0);
  Tree p1 = step(p, g);
  Tree p2 = step(p1, g);
  EXPECT_EQ(p2["w"].array().to_host<float>(), std::vector<float>(16, -1.0f));
  const std::string plan = step.memory_plan(p2, g);
  EXPECT_NE(plan.find("donated: output 0 <- argument 0 leaf ['w']"), std::string::npos) << plan;
}

TEST(JitMemory, ADonatedArrayPassedTwiceIsNotReused) {
  const auto f = pure::jit([](const Array& a, const Array& b) { return a * b; },
                           pure::JitOptions{}.named("twice").donate_args({0}));
  const Array x0 = pure::arange(8, DType::f32);
  (void)f(x0, x0);
  const Array x = pure::arange(8, DType::f32);
  const void* memory = x.data();
  const Array out = f(x, x);  // b reads x's buffer too: not given away
  EXPECT_NE(out.data(), memory);
  EXPECT_EQ(out.to_host<float>()[3], 9.0f);
  EXPECT_THROW((void)x.data(), pure::ValueError);
}

TEST(JitMemory, AnOutputThatIsTheDonatedArgumentKeepsItsValue) {
  const auto f = pure::jit(
      [](const Array& a) {
        return std::make_pair(pure::reshape(a, {2, 2}), a + 1.0);
      },
      pure::JitOptions{}.named("alias").donate_args({0}));
  for (int call = 0; call < 3; ++call) {
    const Array x = pure::arange(4, DType::f32);
    const auto [r, s] = f(x);
    EXPECT_EQ(r.to_host<float>(), (std::vector<float>{0, 1, 2, 3}));
    EXPECT_EQ(s.to_host<float>(), (std::vector<float>{1, 2, 3, 4}));
    EXPECT_THROW((void)x.data(), pure::ValueError);
  }
}

TEST(JitMemory, InPlaceFusedOutputWaitsForTheLastReadOfTheDonatedInput) {
  // One fused group whose output takes the donated x's memory while later
  // instructions still read x: each block's output must be written only after
  // the block's last read of x, or x * x and tanh(x) would see new values.
  // 3000 elements: two whole 1024-element blocks and a partial one.
  const auto body = [](const Array& x) { return pure::tanh(x) * 0.5 + (x * x - x) * 0.25 + pure::exp(-x); };
  const auto f = pure::jit(body, pure::JitOptions{}.named("inplace").donate_args({0}));
  for (int call = 0; call < 3; ++call) {
    pure::random::reset_key_reuse_record();
    const Array x = pure::random::normal(pure::random::key(40), Shape{3000});
    const Array want = body(pure::from_host(x.to_host<float>(), Shape{3000}));  // on a copy
    const void* memory = x.data();
    const Array y = f(x);
    expect_same_bits(y, want);
    if (call > 0) {
      EXPECT_EQ(y.data(), memory) << "call " << call;  // recorded at call 0, reused after
    }
  }
  const std::string program = f.lower(pure::zeros(Shape{3000}));
  EXPECT_NE(program.find("fused"), std::string::npos) << program;  // really one fused group
}

TEST(JitMemory, BadDonateIndicesNameTheIndex) {
  const auto f = pure::jit([](const Array& a, int k) { return a * static_cast<float>(k); },
                           pure::JitOptions{}.named("scale").donate_args({2}));
  const Array x = pure::ones({3});
  try {
    (void)f(x, 2);
    ADD_FAILURE() << "no error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("donate_args index 2 is out of range"), std::string::npos) << e.what();
  }
  const auto g = pure::jit([](const Array& a, int k) { return a * static_cast<float>(k); },
                           pure::JitOptions{}.named("scale").donate_args({1}));
  try {
    (void)g(x, 2);
    ADD_FAILURE() << "no error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("donate_args index 1 names a static argument"), std::string::npos) << e.what();
  }
  EXPECT_EQ(x.to_host<float>()[0], 1.0f);  // nothing was donated
}

TEST(JitMemory, TwoThreadsCallingOneJittedFunctionGetEagerBits) {
  const Tree p = mlp_params(4);
  const Batches b = batches();
  const auto loss = pure::jit(mlp_loss, pure::JitOptions{}.named("shared"));
  (void)loss(p, b.x[0], b.y[0]);
  std::vector<Array> want = {mlp_loss(p, b.x[0], b.y[0]), mlp_loss(p, b.x[1], b.y[1])};
  std::vector<std::vector<Array>> got(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < 30; ++r) got[t].push_back(loss(p, b.x[(t + r) % 2], b.y[(t + r) % 2]));
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < 2; ++t) {
    ASSERT_EQ(got[t].size(), 30u);
    for (int r = 0; r < 30; ++r) expect_same_bits(got[t][r], want[(t + r) % 2]);
  }
}

}  // namespace
