// Dispatch through the current interpreter, leaked tracers, and the NaN check
// (PURE_DEBUG_NANS / ir::set_debug_nans).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <pure/pure.hpp>

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
namespace lax = pure::lax;
namespace ir = pure::ir;

// Records the primitives bound through it and hands them to its parent.
class Recorder : public ir::Interpreter {
 public:
  using ir::Interpreter::Interpreter;
  std::vector<Array> process(const ir::Primitive& prim, const std::vector<Array>& args,
                             const ir::Params& params) override {
    seen.push_back(prim.name + params.str());
    ir::InterpreterGuard guard(parent());
    return ir::bind(prim, args, params);
  }
  std::vector<std::string> seen;
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------- dispatch

TEST(Dispatch, EveryOpGoesThroughTheCurrentInterpreter) {
  const std::shared_ptr<ir::Interpreter> before = ir::current_interpreter();
  auto rec = std::make_shared<Recorder>(before);
  const Array x = pure::from_host(std::vector<float>{1, 2, 3});
  Array y;
  {
    ir::InterpreterGuard guard(rec);
    EXPECT_EQ(ir::current_interpreter(), rec);
    y = pure::sum(lax::exp(x) * 2.0, {0});
  }
  EXPECT_EQ(ir::current_interpreter(), before);
  // exp, the scalar product, the sum; the scalar 2 broadcasts to (3,) first.
  EXPECT_EQ(rec->seen, (std::vector<std::string>{"exp", "broadcast_in_dim[shape=(3,) broadcast_dimensions=()]", "mul",
                                                 "reduce_sum[axes=(0,)]"}));
  const float want = 2 * std::exp(1.0f) + 2 * std::exp(2.0f) + 2 * std::exp(3.0f);
  EXPECT_NEAR(y.item<float>(), want, 1e-5f * want);
  lax::neg(x);  // after the guard: not recorded
  EXPECT_EQ(rec->seen.size(), 4u);
}

TEST(Dispatch, GuardsNestAndRestoreInOrder) {
  const std::shared_ptr<ir::Interpreter> root = ir::current_interpreter();
  auto outer = std::make_shared<Recorder>(root);
  auto inner = std::make_shared<Recorder>(outer);
  const Array x = pure::ones({2});
  {
    ir::InterpreterGuard g1(outer);
    {
      ir::InterpreterGuard g2(inner);
      lax::sin(x);
      EXPECT_EQ(ir::current_interpreter(), inner);
    }
    EXPECT_EQ(ir::current_interpreter(), outer);
    lax::cos(x);
  }
  EXPECT_EQ(ir::current_interpreter(), root);
  // The inner recorder runs sin under its parent, so the outer one sees it too.
  EXPECT_EQ(inner->seen, (std::vector<std::string>{"sin"}));
  EXPECT_EQ(outer->seen, (std::vector<std::string>{"sin", "cos"}));
}

TEST(Dispatch, EagerCallIsTheOneEquationCaseOfTheKernel) {
  const Array x = pure::from_host(std::vector<double>{0.25, -1.5, 3});
  const ir::Primitive* exp = ir::find_primitive("exp");
  ASSERT_NE(exp, nullptr);
  const std::vector<Array> direct = exp->impl({x}, {});
  EXPECT_EQ(lax::exp(x).to_host<double>(), direct.at(0).to_host<double>());
  EXPECT_EQ(ir::bind1(*exp, {x}).to_host<double>(), direct.at(0).to_host<double>());
  EXPECT_EQ(ir::find_primitive("no_such_primitive"), nullptr);
}

TEST(Dispatch, EagerCallsCheckShapesBeforeRunningAKernel) {
  const ir::Primitive* add = ir::find_primitive("add");
  ASSERT_NE(add, nullptr);
  try {
    ir::bind1(*add, {pure::zeros({3}), pure::zeros({4})});
    FAIL() << "expected a ShapeError";
  } catch (const pure::ShapeError& e) {
    EXPECT_TRUE(contains(e.what(), "pure::add")) << e.what();
    EXPECT_TRUE(contains(e.what(), "f32[3]")) << e.what();
    EXPECT_TRUE(contains(e.what(), "f32[4]")) << e.what();
  }
  EXPECT_THROW(ir::bind1(*add, {pure::zeros({3}), Array()}), pure::Error);  // an empty Array is no value
}

TEST(Dispatch, RegisteringATakenNameFails) {
  ir::Primitive p;
  p.name = "exp";
  p.abstract_eval = [](const std::vector<ir::Aval>& in, const ir::Params&) { return in; };
  EXPECT_THROW(ir::register_primitive(p), pure::Error);
  ir::Primitive q;
  q.name = "test_no_shape_rule";
  EXPECT_THROW(ir::register_primitive(q), pure::Error);
}

// ---------------------------------------------------------------- leaked tracers

TEST(LeakedTracer, UsingATracerAfterItsTransformNamesTheOp) {
  Array leaked;
  const auto f = [&leaked](const Array& x) {
    leaked = x;  // the bug: a traced value stored outside the function
    return lax::sin(x);
  };
  pure::grad(f)(pure::ones({}));
  ASSERT_TRUE(leaked.is_tracer());
  try {
    lax::exp(leaked);
    FAIL() << "expected an error";
  } catch (const pure::Error& e) {
    EXPECT_TRUE(contains(e.what(), "pure::exp")) << e.what();
    EXPECT_TRUE(contains(e.what(), "escaped")) << e.what();
  }
  EXPECT_THROW(leaked.to_host<float>(), pure::ConcretizationError);
}

TEST(LeakedTracer, FromMakeProgramToo) {
  Array leaked;
  pure::make_program(
      [&leaked](const Array& x) {
        leaked = lax::neg(x);
        return leaked;
      },
      pure::zeros({2}));
  EXPECT_THROW(lax::add(leaked, leaked), pure::Error);
}

TEST(LeakedTracer, ElementsOfATracerAreNotAvailableWhileTracing) {
  const auto f = [](const Array& x) {
    EXPECT_THROW(x.item<float>(), pure::ConcretizationError);
    try {
      x.to_host<float>();
    } catch (const pure::ConcretizationError& e) {
      EXPECT_TRUE(contains(e.what(), "float32")) << e.what();
    }
    return lax::exp(x);
  };
  pure::make_program(f, pure::zeros({}));
  pure::grad(f)(pure::ones({}));
}

// ---------------------------------------------------------------- NaN check

// Turns the check on (or off) for one scope.
class NanCheck {
 public:
  explicit NanCheck(bool on) : before_(ir::debug_nans()) { ir::set_debug_nans(on); }
  ~NanCheck() { ir::set_debug_nans(before_); }

 private:
  bool before_;
};

std::string nan_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const pure::FloatingPointError& e) {
    return e.what();
  }
  return "";
}

TEST(DebugNans, NamesThePrimitiveThatMadeANaN) {
  NanCheck on(true);
  const Array x = pure::from_host(std::vector<float>{1, -1, 2});
  const std::string msg = nan_error([&] { lax::log(x); });
  EXPECT_TRUE(contains(msg, "pure::log")) << msg;
  EXPECT_TRUE(contains(msg, "(3,)")) << msg;
  // Inf counts too: 1 / 0.
  const std::string div = nan_error([&] { lax::div(pure::ones({2}, DType::f64), pure::zeros({2}, DType::f64)); });
  EXPECT_TRUE(contains(div, "pure::div")) << div;
  // Finite results pass.
  EXPECT_EQ(nan_error([&] { lax::log(lax::abs(x)); }), "");
}

TEST(DebugNans, NamesTheFirstPrimitiveInAChain) {
  NanCheck on(true);
  // sqrt(-1) is the first NaN; the mul after it is never reached.
  const Array x = pure::from_host(std::vector<double>{-1});
  const std::string msg = nan_error([&] { lax::mul(lax::sqrt(x), x); });
  EXPECT_TRUE(contains(msg, "pure::sqrt")) << msg;
}

// Inside a numpy-surface function the message starts with that function, then
// names the primitive; a primitive called directly is named alone.
TEST(DebugNans, NamesTheFunctionTheUserCalledAndThePrimitive) {
  NanCheck on(true);
  const Array x = pure::from_host(std::vector<float>{INFINITY, 1.0f});
  const std::string msg = nan_error([&] { pure::softmax(x); });
  EXPECT_EQ(msg.rfind("pure::softmax: primitive '", 0), 0u) << msg;
  const std::string sig = nan_error([&] { pure::sqrt(pure::full({2}, -1.0)); });
  EXPECT_EQ(sig.rfind("pure::sqrt: primitive 'sqrt' produced NaN or Inf in output 0 of shape (2,)", 0), 0u) << sig;
  const std::string direct = nan_error([&] { lax::log(pure::full({1}, -1.0)); });
  EXPECT_EQ(direct.rfind("pure::log: produced NaN or Inf", 0), 0u) << direct;
}

TEST(DebugNans, ChecksThePrimalComputationUnderGrad) {
  NanCheck on(true);
  const std::string msg =
      nan_error([] { pure::grad([](const Array& x) { return lax::log(x); })(pure::full({}, -2.0)); });
  EXPECT_TRUE(contains(msg, "pure::log")) << msg;
}

TEST(DebugNans, OffMeansNoCheck) {
  NanCheck off(false);
  const Array y = lax::log(pure::full({}, -1.0));
  EXPECT_TRUE(std::isnan(y.item<float>()));
}

TEST(DebugNans, TracingEvaluatesNothingSoNothingIsChecked) {
  NanCheck on(true);
  EXPECT_EQ(nan_error([] { pure::make_program([](const Array& x) { return lax::log(lax::neg(x)); }, pure::ones({})); }),
            "");
}

// The initial state comes from the environment. The child runs only the test
// below, in a clean environment (no MPI launcher variables from this process)
// that keeps what MPI's singleton start needs to find its tools.
TEST(DebugNans, EnvironmentVariableSetsTheInitialState) {
  if (!std::filesystem::exists("/proc/self/exe")) GTEST_SKIP() << "needs Linux's /proc/self/exe to rerun itself";
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string keep;
  // The sanitizers' settings too: without them an instrumented child would use
  // the defaults (e.g. LeakSanitizer, which reports Open MPI's exit leaks).
  for (const char* name :
       {"PATH", "HOME", "LD_LIBRARY_PATH", "OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "ASAN_OPTIONS",
        "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* v = std::getenv(name)) keep += std::string(" ") + name + "='" + v + "'";
  }
  for (const char* value : {"1", "0"}) {
    const std::string cmd = "env -i" + keep + " PURE_DEBUG_NANS=" + value + " PURE_EXPECT_DEBUG_NANS=" + value + " " +
                            self + " --gtest_filter=DebugNans.InitialStateMatchesTheEnvironment > /dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
}

TEST(DebugNans, InitialStateMatchesTheEnvironment) {
  const char* want = std::getenv("PURE_EXPECT_DEBUG_NANS");
  const char* have = std::getenv("PURE_DEBUG_NANS");
  const bool expected = have != nullptr && std::string(have) != "" && std::string(have) != "0";
  if (want != nullptr) {
    EXPECT_EQ(expected, std::string(want) == "1");
  }
  EXPECT_EQ(ir::debug_nans(), expected);
}

}  // namespace
