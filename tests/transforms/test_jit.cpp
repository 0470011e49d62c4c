// pure::jit: bitwise equality with eager (under grad too), the trace cache and
// its keys, static arguments, the compile log, lower() text, tracing errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pure/ir/passes.hpp>
#include <pure/pure.hpp>
#include <pure/transforms/jit.hpp>

#include "kernel_launches.hpp"
#include "same_bits.hpp"
#include "small_mlp.hpp"

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
using pure::Tree;

using pure_test::expect_same_bits;

Tree mlp_params(std::uint32_t seed) { return pure_test::small_mlp_params(seed); }

// An MLP loss with a repeated subexpression and some dead code, so the passes act.
Array mlp_loss(const Tree& p, const Array& x, const Array& y) {
  const Array h = pure::tanh(pure::matmul(x, p["dense0"]["w"]) + p["dense0"]["b"]);
  const Array unused = pure::exp(h);  // dead code
  (void)unused;
  const Array out = pure::matmul(h, p["dense1"]["w"]) + p["dense1"]["b"];
  const Array err = out - y;
  return pure::mean(err * err) + 1e-3 * pure::sum(pure::tanh(pure::matmul(x, p["dense0"]["w"]) + p["dense0"]["b"]));
}

TEST(Jit, MatchesEagerBitwiseWithGradInsideAndOutside) {
  const Tree p = mlp_params(1);
  const Array x = pure::random::normal(pure::random::key(2), Shape{32, 8});
  const Array y = pure::random::normal(pure::random::key(3), Shape{32, 1});
  const auto jitted = pure::jit(mlp_loss);
  expect_same_bits(jitted(p, x, y), mlp_loss(p, x, y));
  const Tree g = pure::grad(mlp_loss)(p, x, y);
  expect_same_bits(pure::grad(jitted)(p, x, y), g);               // grad(jit(f))
  expect_same_bits(pure::jit(pure::grad(mlp_loss))(p, x, y), g);  // jit(grad(f))
  const auto vg = pure::jit(pure::value_and_grad(mlp_loss));      // jit(value_and_grad(f)): a pair
  const auto [v, g2] = vg(p, x, y);
  expect_same_bits(v, mlp_loss(p, x, y));
  expect_same_bits(g2, g);
  expect_same_bits(pure::jit(jitted)(p, x, y), mlp_loss(p, x, y));  // jit(jit(f))
}

TEST(Jit, OneTracePerSignature) {
  int calls = 0;  // counts executions of f's body: only tracing runs it
  const auto f = [&calls](const Array& x) {
    ++calls;
    return pure::sin(x) * 2.0;
  };
  const auto jf = pure::jit(f);
  const Array a = pure::ones({3});
  jf(a);
  jf(pure::zeros({3}));  // other values, same signature
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(jf.trace_count(), 1u);
  jf(pure::ones({4}));  // new shape
  EXPECT_EQ(jf.trace_count(), 2u);
  jf(pure::ones({3}, DType::f64));  // new dtype
  EXPECT_EQ(jf.trace_count(), 3u);
  jf(pure::ones({3}));
  jf(pure::ones({4}));
  EXPECT_EQ(jf.trace_count(), 3u);
  EXPECT_EQ(jf.cache_size(), 3u);
  EXPECT_EQ(calls, 3);
  // Copies share the cache.
  const auto copy = jf;
  copy(pure::ones({4}));
  EXPECT_EQ(copy.trace_count(), 3u);
}

TEST(Jit, TreeStructureIsPartOfTheKey) {
  const auto f = [](const Tree& t) { return pure::sum(pure::tree_leaves(t).at(0)); };
  const auto jf = pure::jit(f);
  Tree a;
  a["w"] = pure::ones({2});
  jf(a);
  Tree b = a;
  b["v"] = pure::ones({2});  // one more leaf
  jf(b);
  Tree c;
  c["u"] = pure::ones({2});  // another key
  jf(c);
  EXPECT_EQ(jf.trace_count(), 3u);
  jf(a);
  EXPECT_EQ(jf.trace_count(), 3u);
}

struct Activation {
  int kind = 0;
  bool operator==(const Activation& o) const { return kind == o.kind; }
};

}  // namespace

template <>
struct std::hash<Activation> {
  std::size_t operator()(const Activation& a) const { return std::hash<int>{}(a.kind); }
};

namespace {

TEST(Jit, NonArrayArgumentsAreStatic) {
  int calls = 0;
  const auto f = [&calls](const Array& x, int power, const Activation& act, const std::string& label) {
    ++calls;
    const Array y = pure::lax::integer_pow(x, power);
    return act.kind == 0 ? pure::tanh(y) : y * static_cast<double>(label.size());
  };
  const auto jf = pure::jit(f);
  const Array x = pure::from_host(std::vector<float>{0.5f, -1.5f});
  expect_same_bits(jf(x, 3, Activation{0}, std::string("ab")), f(x, 3, Activation{0}, "ab"));
  jf(x, 3, Activation{0}, std::string("ab"));
  EXPECT_EQ(jf.trace_count(), 1u);
  expect_same_bits(jf(x, 2, Activation{0}, std::string("ab")), f(x, 2, Activation{0}, "ab"));
  EXPECT_EQ(jf.trace_count(), 2u);
  expect_same_bits(jf(x, 2, Activation{1}, std::string("abc")), f(x, 2, Activation{1}, "abc"));
  EXPECT_EQ(jf.trace_count(), 3u);
  jf(x, 2, Activation{1}, std::string("abcd"));
  EXPECT_EQ(jf.trace_count(), 4u);
  jf(x, 3, Activation{0}, std::string("ab"));
  EXPECT_EQ(jf.trace_count(), 4u);
}

TEST(Jit, LogCompilesSaysWhatChanged) {
  ::setenv("PURE_LOG_COMPILES", "1", 1);
  const auto jf =
      pure::jit([](const Array& x, int n) { return pure::lax::integer_pow(x, n); }, pure::JitOptions{}.named("power"));
  ::testing::internal::CaptureStderr();
  jf(pure::ones({3}), 2);
  jf(pure::ones({4}), 2);
  jf(pure::ones({4}), 5);
  jf(pure::ones({4}), 5);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ::unsetenv("PURE_LOG_COMPILES");
  EXPECT_NE(log.find("pure::jit: tracing 'power' (trace 1): first call"), std::string::npos) << log;
  EXPECT_NE(log.find("(trace 2): argument 0: (root): f32[3] -> (root): f32[4]"), std::string::npos) << log;
  EXPECT_NE(log.find("(trace 3): argument 1: static 2 -> static 5"), std::string::npos) << log;
  EXPECT_EQ(log.find("(trace 4)"), std::string::npos) << log;
}

TEST(Jit, LowerShowsTheOptimisedProgram) {
  const auto f = [](const Array& x) {
    const Array unused = pure::lax::exp(x);
    (void)unused;
    return pure::lax::mul(pure::lax::sin(x), pure::lax::sin(x));
  };
  const auto jf = pure::jit(f, pure::JitOptions{}.named("square_of_sin"));
  EXPECT_EQ(jf.lower(pure::zeros({3})),
            "pure::jit 'square_of_sin'\n"
            "  arguments:\n"
            "    0: (root): f32[3]\n"
            "  passes: inline jit calls, dead code, simplify, common subexpressions, dead code, elementwise fusion\n"
            "  program (1 kernels, 1 of them fused groups, shown with their instructions):\n"
            "{ lambda ; a:f32[3]. let\n"
            "    b:f32[3] = fused[kernel=pure::jit::square_of_sin::fused0(sin,mul) device=one_element_per_thread "
            "program={ lambda ; a:f32[3]. let\n"
            "        b:f32[3] = sin a\n"
            "        c:f32[3] = mul b b\n"
            "      in (c,) }] a\n"
            "  in (b,) }\n");
  EXPECT_EQ(jf.trace_count(), 1u);  // lower traced; the call below reuses it
  jf(pure::ones({3}));
  EXPECT_EQ(jf.trace_count(), 1u);
}

TEST(Jit, ReadingATracedValueIsAConcretizationError) {
  const auto f = [](const Array& x) { return x.item<float>() > 0 ? x : -x; };
  const auto jf = pure::jit(f);
  try {
    jf(pure::ones({}));
    ADD_FAILURE() << "no exception";
  } catch (const pure::ConcretizationError& e) {
    EXPECT_NE(std::string(e.what()).find("traced"), std::string::npos) << e.what();
  }
  EXPECT_THROW(jf(Array()), pure::ValueError);
}

TEST(Jit, CapturedArraysAreBakedInAtTraceTime) {
  Array scale = pure::full({}, 2.0);
  const auto jf = pure::jit([&scale](const Array& x) { return x * scale; });
  EXPECT_EQ(jf(pure::ones({})).item<float>(), 2.0f);
  scale = pure::full({}, 3.0);  // as in JAX: the cached program keeps the traced value
  EXPECT_EQ(jf(pure::ones({})).item<float>(), 2.0f);
}

}  // namespace

namespace {

// A jitted function that captures a value traced by an enclosing grad: the
// program is valid for that call only, so it is traced every time, and the
// derivative flows through the capture.
TEST(Jit, CapturingATracerOfAnEnclosingTransform) {
  const Array* weight = nullptr;
  const auto inner = pure::jit([&weight](const Array& x) { return pure::sum(x * *weight * *weight); });
  const auto outer = [&](const Array& w) {
    weight = &w;
    return inner(pure::ones({2}));
  };
  // d/dw sum(x w^2) with x = 1: 2 w per element.
  const std::vector<float> g1 = pure::grad(outer)(pure::from_host(std::vector<float>{1.5f, -2.0f})).to_host<float>();
  EXPECT_EQ(g1, (std::vector<float>{3.0f, -4.0f}));
  // A cached program would still hold the first call's tracer.
  const std::vector<float> g2 = pure::grad(outer)(pure::from_host(std::vector<float>{0.5f, 4.0f})).to_host<float>();
  EXPECT_EQ(g2, (std::vector<float>{1.0f, 8.0f}));
  EXPECT_EQ(inner.trace_count(), 2u);
  EXPECT_EQ(inner.cache_size(), 0u);
}

}  // namespace

namespace {

// ---------------------------------------------------------------- fusion under jit

// Lennard-Jones energy of n particles: broadcasts, elementwise chains and
// reductions, so the jitted program has fused groups between reductions.
Array lj_energy(const Array& x) {
  const std::int64_t n = x.shape()[0];
  const Array d = pure::lax::sub(pure::lax::broadcast_in_dim(x, Shape{n, n, 3}, {0, 2}),
                                 pure::lax::broadcast_in_dim(x, Shape{n, n, 3}, {1, 2}));
  const Array r2 = pure::sum(d * d, {2}) + pure::eye(n);  // 1 on the diagonal: no 1/0
  const Array inv3 = 1.0 / (r2 * r2 * r2);
  const Array off_diagonal = 1.0 - pure::eye(n);
  return 4.0 * pure::sum((inv3 * inv3 - inv3) * off_diagonal);
}

Array lj_positions() {
  std::vector<float> v(3 * 7);
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = 1.3f * static_cast<float>(i % 3 == 0 ? i / 3 : (i * 7) % 5) + 0.1f * static_cast<float>(i);
  return pure::from_host(v, Shape{7, 3});
}

std::size_t fused_groups(const std::string& lowered) {
  std::size_t n = 0;
  for (std::size_t at = lowered.find("= fused["); at != std::string::npos; at = lowered.find("= fused[", at + 1)) ++n;
  return n;
}

TEST(JitFusion, LennardJonesEnergyAndForcesAreEagerBits) {
  const Array x = lj_positions();
  const auto energy = pure::jit(lj_energy, pure::JitOptions{}.named("lj"));
  EXPECT_GE(fused_groups(energy.lower(x)), 2u) << energy.lower(x);
  expect_same_bits(energy(x), lj_energy(x));
  const Array forces = pure::grad(lj_energy)(x);
  expect_same_bits(pure::grad(energy)(x), forces);              // grad(jit(f))
  const auto jitted_forces = pure::jit(pure::grad(lj_energy));  // jit(grad(f)): the backward pass fused too
  EXPECT_GE(fused_groups(jitted_forces.lower(x)), 2u);
  expect_same_bits(jitted_forces(x), forces);
}

// The chain of eight elementwise ops: one kernel under jit.
TEST(JitFusion, AChainOfEightOpsIsOneKernelWithEagerBits) {
  const auto chain = [](const Array& x) { return pure::tanh(0.7 * x + 0.2) * pure::exp(-(x * x)) + 1.5 * x - 0.25; };
  std::vector<float> v(5000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.01f * static_cast<float>(i)) * 3.0f;
  v[7] = -0.0f;
  v[8] = std::numeric_limits<float>::infinity();
  const Array x = pure::from_host(v);
  const auto jitted = pure::jit(chain, pure::JitOptions{}.named("chain8"));
  const std::string text = jitted.lower(x);
  EXPECT_EQ(fused_groups(text), 1u) << text;
  EXPECT_NE(text.find("program (1 kernels"), std::string::npos) << text;
  expect_same_bits(jitted(x), chain(x));
  // Another input, same signature: the cached kernel, still eager's bits.
  const Array y = pure::from_host(std::vector<float>(5000, 0.5f));
  expect_same_bits(jitted(y), chain(y));
  EXPECT_EQ(jitted.trace_count(), 1u);
}

// Runs fused groups one element per thread (their GPU path) while alive.
struct OneElementPerThread {
  pure::ir::FusedExecution saved = pure::ir::fused_execution();
  OneElementPerThread() { pure::ir::set_fused_execution(pure::ir::FusedExecution::one_element_per_thread); }
  ~OneElementPerThread() { pure::ir::set_fused_execution(saved); }
};

constexpr const char* kPerElement = ":one_element_per_thread";  // the element kernel's label suffix

bool per_element(const std::string& label) {
  return label.size() > std::strlen(kPerElement) &&
         label.compare(label.size() - std::strlen(kPerElement), std::string::npos, kPerElement) == 0;
}

// The GPU path of fused groups, one element per thread, run here on the host:
// a chain is one kernel and every program keeps eager's bits.
TEST(JitFusion, OneElementPerThreadIsOneKernelWithEagerBits) {
  const OneElementPerThread gpu_path;
  // Operands of every kind: an array, a broadcast view (`row`, broadcast
  // eagerly before the call), a broadcast_in_dim of a group input inside the
  // group (`col`), scalar literals; comparisons, select, conversions to f64,
  // int32 (saturating) and bool and back; two outputs.
  const auto chain = [](const Array& x, const Array& row, const Array& col) {
    const Array y = pure::tanh(0.7 * x + row) * pure::exp(-(x * x)) + 1.5 * x - 0.25;
    const Array picked =
        pure::where(pure::greater(y, row), y, pure::lax::broadcast_in_dim(col, Shape{40, 125}, {0, 1}));
    const Array as_int = pure::astype(picked * 1e9, DType::i32);
    const Array flag = pure::astype(pure::astype(as_int, DType::boolean), DType::f32);
    return std::make_pair(pure::astype(picked, DType::f64), flag + pure::astype(as_int, DType::f32));
  };
  std::vector<float> v(5000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.01f * static_cast<float>(i)) * 3.0f;
  v[7] = -0.0f;
  v[8] = std::numeric_limits<float>::infinity();
  v[9] = std::numeric_limits<float>::quiet_NaN();
  v[10] = 1e-12f;
  const Array x = pure::from_host(v, Shape{40, 125});
  std::vector<float> r(125);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = 0.01f * static_cast<float>(i) - 0.5f;
  const Array row = pure::lax::broadcast_in_dim(pure::from_host(r, Shape{1, 125}), Shape{40, 125}, {0, 1});
  ASSERT_TRUE(row.is_broadcast_view());
  const Array col = pure::from_host(std::vector<float>(40, 0.2f), Shape{40, 1});
  const auto jitted = pure::jit(chain, pure::JitOptions{}.named("chain"));
  ASSERT_EQ(fused_groups(jitted.lower(x, row, col)), 1u) << jitted.lower(x, row, col);
  EXPECT_NE(jitted.lower(x, row, col).find("device=one_element_per_thread"), std::string::npos);
  const auto want = chain(x, row, col);
  std::pair<Array, Array> got;
  {
    const pure_test::RecordKernels kernels;
    got = jitted(x, row, col);
  }
  expect_same_bits(got.first, want.first);
  expect_same_bits(got.second, want.second);
  const std::vector<std::string>& launched = pure_test::launched_kernels();
  ASSERT_EQ(launched.size(), 1u) << ::testing::PrintToString(launched);
  EXPECT_EQ(launched[0].rfind("pure::jit::chain::fused", 0), 0u) << launched[0];
  EXPECT_TRUE(per_element(launched[0])) << launched[0];

  // Groups ending in a reduction: the elementwise part one element per thread
  // (one kernel per group), the reduction as its eager kernel.
  const Array lj = lj_positions();
  const auto energy = pure::jit(lj_energy, pure::JitOptions{}.named("lj"));
  const std::size_t groups = fused_groups(energy.lower(lj));
  ASSERT_GE(groups, 2u);
  Array e;
  {
    const pure_test::RecordKernels kernels;
    e = energy(lj);
  }
  const auto& lj_launched = pure_test::launched_kernels();
  EXPECT_EQ(static_cast<std::size_t>(std::count_if(lj_launched.begin(), lj_launched.end(), per_element)), groups)
      << ::testing::PrintToString(lj_launched);
  expect_same_bits(e, lj_energy(lj));
  expect_same_bits(pure::jit(pure::grad(lj_energy))(lj), pure::grad(lj_energy)(lj));
  // A reduced value that is also an output; a group over a scalar (rank 0).
  const auto both = [](const Array& a) {
    const Array y = pure::tanh(a) * a;
    return std::make_pair(y, pure::sum(y, {1}));
  };
  const auto jitted_both = pure::jit(both, pure::JitOptions{}.named("both"));
  const auto want_both = both(x);
  std::pair<Array, Array> got_both;
  {
    const pure_test::RecordKernels kernels;
    got_both = jitted_both(x);
    const auto& k = pure_test::launched_kernels();
    EXPECT_EQ(std::count_if(k.begin(), k.end(), per_element), 1) << ::testing::PrintToString(k);
  }
  expect_same_bits(got_both.first, want_both.first);
  expect_same_bits(got_both.second, want_both.second);
  const auto scalar = [](const Array& s) { return pure::exp(s * 2.0) + s; };
  const Array s = pure::full({}, 0.3);
  {
    const pure_test::RecordKernels kernels;
    expect_same_bits(pure::jit(scalar)(s), scalar(s));
    const auto& k = pure_test::launched_kernels();
    EXPECT_EQ(std::count_if(k.begin(), k.end(), per_element), 1) << ::testing::PrintToString(k);
  }
  const Tree p = mlp_params(4);
  const Array mx = pure::random::normal(pure::random::key(5), Shape{32, 8});
  const Array my = pure::random::normal(pure::random::key(6), Shape{32, 1});
  expect_same_bits(pure::jit(pure::grad(mlp_loss))(p, mx, my), pure::grad(mlp_loss)(p, mx, my));
}

// A group beyond the element kernel's limits (14 distinct scalar constants:
// 14 loads) runs as eager kernels on the GPU path, says so in the dump, keeps
// eager's bits, and gives no output a donated input's memory while a later
// equation of the group still reads that input.
TEST(JitFusion, GroupsBeyondTheElementKernelRunAsEagerKernels) {
  const auto body = [](const Array& x) {
    Array y = x;
    for (int k = 1; k <= 7; ++k) y = y * (1.0 + 0.01 * k) + 0.001 * k;
    return std::make_pair(y, y * x);  // x read again after y's last equation
  };
  const auto f = pure::jit(body, pure::JitOptions{}.named("over").donate_args({0}));
  const std::string text = f.lower(pure::zeros(Shape{3000}));
  ASSERT_EQ(fused_groups(text), 1u) << text;
  EXPECT_NE(text.find("device=eager_kernels"), std::string::npos) << text;
  // Calls 0 and 1 run the host blocks (automatic mode), where y may take x's
  // memory; from call 2 the GPU path, where it must not: the plan recorded
  // in the other mode is recorded again.
  std::unique_ptr<OneElementPerThread> gpu_path;
  for (int call = 0; call < 5; ++call) {
    if (call == 2) gpu_path = std::make_unique<OneElementPerThread>();
    std::vector<float> v(3000);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.001f * static_cast<float>(i) - 1.0f + 0.1f * call;
    const Array x = pure::from_host(v, Shape{3000});
    const auto want = body(pure::from_host(v, Shape{3000}));  // on a copy
    std::pair<Array, Array> got;
    {
      const pure_test::RecordKernels kernels;
      got = f(x);
      for (const std::string& k : pure_test::launched_kernels()) EXPECT_FALSE(per_element(k)) << k;
      if (gpu_path) {
        EXPECT_GE(pure_test::launched_kernels().size(), 15u);  // one per equation
      }
    }
    expect_same_bits(got.first, want.first);
    expect_same_bits(got.second, want.second);
  }
}

}  // namespace

namespace {

// ---------------------------------------------------------------- jit as a primitive

TEST(JitPrimitive, AStagedCallIsOneNestedJitEquation) {
  const auto inner =
      pure::jit([](const Array& x) { return pure::lax::exp(pure::lax::sin(x)); }, pure::JitOptions{}.named("inner"));
  const auto f = [&inner](const Array& x) { return pure::lax::mul(inner(x), x); };
  const pure::ir::Program p = pure::make_program(f, pure::zeros({3}));
  EXPECT_EQ(p.str(),
            "{ lambda ; a:f32[3]. let\n"
            "    b:f32[3] = jit[name=inner jaxpr={ lambda ; a:f32[3]. let\n"
            "        b:f32[3] = sin a\n"
            "        c:f32[3] = exp b\n"
            "      in (c,) }] a\n"
            "    c:f32[3] = mul b a\n"
            "  in (c,) }");
  // The outer jit inlines the call, then fuses across it: one kernel.
  const auto outer = pure::jit(f, pure::JitOptions{}.named("outer"));
  const Array x = pure::from_host(std::vector<float>{0.5f, -1.0f, 3.0f});
  const std::string text = outer.lower(x);
  EXPECT_EQ(fused_groups(text), 1u) << text;
  EXPECT_EQ(text.find("jit[name"), std::string::npos) << text;
  expect_same_bits(outer(x), f(x));
  // Evaluating and differentiating the program with the jit equation in it:
  // its impl and its JVP rule.
  expect_same_bits(pure::ir::eval_program(p, {x}).at(0), f(x));
  const auto via_program = [&p](const Array& y) { return pure::sum(pure::ir::eval_program(p, {y}).at(0)); };
  const auto eager = [&f](const Array& y) { return pure::sum(f(y)); };
  expect_same_bits(pure::grad(via_program)(x), pure::grad(eager)(x));
  const auto [y, t] = pure::jvp([&p](const Array& z) { return pure::ir::eval_program(p, {z}).at(0); }, x, x);
  const auto [y0, t0] = pure::jvp(f, x, x);
  expect_same_bits(y, y0);
  expect_same_bits(t, t0);
}

TEST(JitPrimitive, TransformsOfNestedJitsAreEagerBits) {
  const Array x = lj_positions();
  const auto energy = pure::jit(lj_energy, pure::JitOptions{}.named("lj"));
  const auto twice = pure::jit(energy, pure::JitOptions{}.named("lj_outer"));  // jit(jit(f))
  expect_same_bits(twice(x), lj_energy(x));
  expect_same_bits(pure::grad(twice)(x), pure::grad(lj_energy)(x));  // grad(jit(jit(f)))
  const auto [e, de] = pure::jvp(twice, x, x);                       // jvp(jit(jit(f)))
  const auto [e0, de0] = pure::jvp(lj_energy, x, x);
  expect_same_bits(e, e0);
  expect_same_bits(de, de0);
  const auto vg = pure::jit(pure::value_and_grad(energy));  // jit(value_and_grad(jit(f)))
  const auto [v, g] = vg(x);
  expect_same_bits(v, lj_energy(x));
  expect_same_bits(g, pure::grad(lj_energy)(x));
}

}  // namespace

namespace {

// Force matching: fit (epsilon, sigma) of a Lennard-Jones pair potential so
// that its forces, minus the gradient of the energy in the positions, match
// reference forces. The loss has a gradient inside, so its gradient is second
// order through jit.
Array lj_energy_of(const Tree& p, const Array& x) {
  const std::int64_t n = x.shape()[0];
  const Array d = pure::lax::sub(pure::lax::broadcast_in_dim(x, Shape{n, n, 3}, {0, 2}),
                                 pure::lax::broadcast_in_dim(x, Shape{n, n, 3}, {1, 2}));
  const Array r2 = pure::sum(d * d, {2}) + pure::eye(n);
  const Array s2 = p["sigma"] * p["sigma"];
  const Array q = s2 / r2;
  const Array q3 = q * q * q;
  return 4.0 * p["epsilon"] * pure::sum((q3 * q3 - q3) * (1.0 - pure::eye(n)));
}

Array force_matching_loss(const Tree& p, const Array& x, const Array& reference) {
  const Array forces = -pure::grad([&p](const Array& y) { return lj_energy_of(p, y); })(x);
  const Array e = forces - reference;
  return pure::mean(e * e);
}

TEST(JitFusion, ForceMatchingLossAndItsGradientAreEagerBits) {
  Tree p;
  p["epsilon"] = pure::full({}, 0.8);
  p["sigma"] = pure::full({}, 1.1);
  const Array x = lj_positions();
  const Array reference = pure::from_host(std::vector<float>(21, 0.05f), Shape{7, 3});
  const auto loss = pure::jit(force_matching_loss, pure::JitOptions{}.named("force_matching"));
  expect_same_bits(loss(p, x, reference), force_matching_loss(p, x, reference));
  const Tree g = pure::grad(force_matching_loss)(p, x, reference);
  expect_same_bits(pure::grad(loss)(p, x, reference), g);                            // grad(jit(f))
  expect_same_bits(pure::jit(pure::grad(force_matching_loss))(p, x, reference), g);  // jit(grad(f))
  EXPECT_GE(fused_groups(pure::jit(pure::grad(force_matching_loss)).lower(p, x, reference)), 2u);
}

}  // namespace
