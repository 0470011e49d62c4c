// Bad input to ops and transforms gives errors that name the operation, the
// argument and the shapes/dtypes involved, eagerly and under every transform.
#include <gtest/gtest.h>

#include <limits>

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <pure/pure.hpp>

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
namespace lax = pure::lax;
namespace ir = pure::ir;

// Runs f, expects an exception of type E whose message contains every part.
template <class E>
void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return;
  }
  ADD_FAILURE() << "no exception; expected one mentioning " << parts.at(0);
}

Array f32s(const Shape& s) { return pure::zeros(s); }

// ---------------------------------------------------------------- transforms

TEST(TransformErrors, GradWithRespectToAnIntegerInput) {
  const auto f = [](const Array& n) { return pure::sum(pure::astype(n, DType::f32)); };
  const Array n = pure::from_host(std::vector<std::int32_t>{1, 2, 3});
  expect_error<pure::DTypeError>([&] { pure::grad(f)(n); }, {"pure::grad", "leaf 0", "int32", "(3,)"});
  expect_error<pure::DTypeError>([&] { pure::value_and_grad(f)(n); }, {"pure::value_and_grad", "int32"});
  // The second selected argument names its own leaf.
  const auto g = [](const Array& x, const Array& m) { return pure::sum(x) + pure::sum(pure::astype(m, DType::f32)); };
  expect_error<pure::DTypeError>([&] { pure::grad<0, 1>(g)(pure::ones({2}), n); }, {"leaf 1", "int32"});
}

TEST(TransformErrors, GradOfANonScalarFunction) {
  const auto f = [](const Array& x) { return x * x; };
  expect_error<pure::ShapeError>([&] { pure::grad(f)(f32s({3})); }, {"pure::grad", "scalar", "(3,)"});
  const auto g = [](const Array& x) { return pure::sum(pure::astype(x, DType::i32)); };
  expect_error<pure::ShapeError>([&] { pure::grad(g)(f32s({3})); }, {"pure::grad", "scalar float", "int32"});
}

TEST(TransformErrors, JvpTangentOfAnotherShape) {
  const auto f = [](const Array& x) { return pure::exp(x); };
  expect_error<pure::ShapeError>([&] { pure::jvp(f, f32s({3}), f32s({4})); },
                                 {"pure::jvp", "the tangents have f32[4] at [0] where the primals have f32[3]"});
  expect_error<pure::DTypeError>([&] { pure::jvp(f, f32s({3}), pure::zeros({3}, DType::f64)); },
                                 {"pure::jvp", "f64[3]", "f32[3]", "dtypes must match"});
}

TEST(TransformErrors, VjpCotangentOfAnotherShape) {
  const auto f = [](const Array& x) { return pure::exp(x); };
  // Not a structured binding: Clang < 16 cannot capture one in a lambda.
  const auto result = pure::vjp(f, f32s({3}));
  const auto& pullback = result.second;
  expect_error<pure::ShapeError>(
      [&] {
        pullback(f32s({2, 2}));
      },
      {"pure::vjp", "the cotangents have f32[2,2] at (root) where the outputs of f have f32[3]"});
}

TEST(TransformErrors, FlatApiCountsArguments) {
  const pure::FlatFn f = [](const std::vector<Array>& x) { return x; };
  expect_error<pure::Error>([&] { pure::jvp_flat(f, {f32s({2})}, {}); }, {"pure::jvp", "1 primals", "0 tangents"});
  const auto result = pure::vjp_flat(f, {f32s({2})});
  const auto& pullback = result.second;
  expect_error<pure::Error>([&] { pullback({}); }, {"pure::vjp", "1 cotangents"});
}

TEST(TransformErrors, PrimitiveWithoutADerivativeRule) {
  static const ir::Primitive& p = ir::register_primitive([] {
    ir::Primitive q;
    q.name = "test_no_jvp";
    q.abstract_eval = [](const std::vector<ir::Aval>& in, const ir::Params&) { return in; };
    q.impl = [](const std::vector<Array>& in, const ir::Params&) { return in; };
    return q;
  }());
  const auto f = [](const Array& x) { return pure::sum(ir::bind1(p, {x})); };
  EXPECT_EQ(f(pure::ones({2})).item<float>(), 2);  // evaluates fine
  expect_error<pure::Error>([&] { pure::grad(f)(pure::ones({2})); }, {"pure::test_no_jvp", "no derivative"});
}

TEST(TransformErrors, TransposingANonLinearProgram) {
  const ir::Program p = pure::make_program([](const Array& x) { return lax::sin(x); }, f32s({2}));
  expect_error<pure::Error>([&] { pure::backward_pass(p, {pure::ones({2})}); }, {"sin", "no transpose rule"});
}

TEST(TransformErrors, TreeWithTheWrongNumberOfLeaves) {
  const std::vector<Array> like = {f32s({1}), f32s({1})};
  expect_error<pure::Error>([&] { pure::tree_unflatten(like, {f32s({1})}); },
                            {"pure::tree_unflatten", "1 leaves", "2"});
}

// ---------------------------------------------------------------- strict lax ops

TEST(OpErrors, BinaryOpsNeedEqualShapes) {
  expect_error<pure::ShapeError>([] { lax::add(f32s({3}), f32s({4})); }, {"pure::add", "f32[3]", "f32[4]"});
  expect_error<pure::ShapeError>([] { lax::mul(f32s({2, 3}), f32s({3, 2})); }, {"pure::mul", "f32[2,3]", "f32[3,2]"});
  expect_error<pure::ShapeError>([] { lax::atan2(f32s({3}), f32s({})); }, {"pure::atan2", "f32[3]", "f32[]"});
}

TEST(OpErrors, ReductionAxesArePrintedWithTheShape) {
  expect_error<pure::ShapeError>(
      [] {
        lax::reduce_sum(f32s({2, 3}), {1, 0});
      },
      {"pure::reduce_sum: axes (1, 0) must be sorted", "f32[2,3]"});
  expect_error<pure::ShapeError>(
      [] {
        lax::reduce_max(f32s({2, 3}), {2});
      },
      {"pure::reduce_max: axes (2)", "f32[2,3]"});
}

TEST(OpErrors, BinaryOpsNeedEqualDtypes) {
  expect_error<pure::DTypeError>([] { lax::sub(f32s({3}), pure::zeros({3}, DType::f64)); },
                                 {"pure::sub", "f32[3]", "f64[3]"});
  expect_error<pure::DTypeError>([] { lax::lt(f32s({3}), pure::zeros({3}, DType::i32)); },
                                 {"pure::lt", "f32[3]", "i32[3]"});
}

TEST(OpErrors, FloatOnlyOpsRejectIntegers) {
  const Array n = pure::zeros({3}, DType::i32);
  expect_error<pure::DTypeError>([&] { lax::exp(n); }, {"pure::exp", "'x'", "i32[3]"});
  expect_error<pure::DTypeError>([&] { lax::integer_pow(n, 2); }, {"pure::integer_pow", "i32[3]"});
  expect_error<pure::DTypeError>([&] { lax::pow(n, n); }, {"pure::pow", "i32[3]"});
  expect_error<pure::DTypeError>([&] { lax::neg(pure::zeros({2}, DType::boolean)); }, {"pure::neg", "bool[2]"});
}

TEST(OpErrors, SelectNeedsABooleanPredicateOfTheOperandsShape) {
  expect_error<pure::DTypeError>([] { lax::select(f32s({3}), f32s({3}), f32s({3})); },
                                 {"pure::select", "'pred'", "f32[3]"});
  expect_error<pure::ShapeError>([] { lax::select(pure::zeros({2}, DType::boolean), f32s({3}), f32s({3})); },
                                 {"pure::select", "bool[2]", "f32[3]"});
  expect_error<pure::ShapeError>([] { lax::select(pure::zeros({3}, DType::boolean), f32s({3}), f32s({2})); },
                                 {"pure::select", "f32[3]", "f32[2]"});
}

TEST(OpErrors, BroadcastInDimNamesOperandShapeAndDims) {
  expect_error<pure::ShapeError>(
      [] {
        lax::broadcast_in_dim(f32s({3}), Shape{2, 4}, {1});
      },
      {"pure::broadcast_in_dim", "f32[3]", "(2,4)", "(1,)"});
  expect_error<pure::ShapeError>(
      [] {
        lax::broadcast_in_dim(f32s({3}), Shape{3, 3}, {2});
      },
      {"pure::broadcast_in_dim", "(2,)"});
  expect_error<pure::ShapeError>(
      [] {
        lax::broadcast_in_dim(f32s({2, 2}), Shape{2, 2}, {1, 0});
      },
      {"pure::broadcast_in_dim", "(1,0)"});
}

TEST(OpErrors, ReshapeNeedsTheSameSize) {
  expect_error<pure::ShapeError>(
      [] {
        lax::reshape(f32s({2, 3}), Shape{4});
      },
      {"pure::reshape", "f32[2,3]", "6 elements", "(4,)"});
}

TEST(OpErrors, ReductionAxesMustBeValid) {
  expect_error<pure::ShapeError>([] { lax::reduce_sum(f32s({2, 3}), {2}); }, {"pure::reduce_sum", "f32[2,3]"});
  expect_error<pure::ShapeError>([] { lax::reduce_max(f32s({2, 3}), {1, 0}); }, {"pure::reduce_max", "sorted"});
  expect_error<pure::DTypeError>([] { lax::reduce_sum(pure::zeros({2}, DType::boolean), {0}); },
                                 {"pure::reduce_sum", "bool[2]"});
  // max/min of nothing has no identity.
  expect_error<pure::ValueError>([] { lax::reduce_max(f32s({0, 3}), {0}); }, {"pure::reduce_max", "empty", "(0,3)"});
}

TEST(OpErrors, SameErrorsWhileTracingAndDifferentiating) {
  const auto bad = [](const Array& x) { return pure::sum(lax::add(x, pure::zeros({4}))); };
  expect_error<pure::ShapeError>([&] { pure::make_program(bad, f32s({3})); }, {"pure::add", "f32[3]", "f32[4]"});
  expect_error<pure::ShapeError>([&] { pure::grad(bad)(f32s({3})); }, {"pure::add", "f32[3]", "f32[4]"});
  expect_error<pure::ShapeError>([&] { pure::jvp(bad, f32s({3}), f32s({3})); }, {"pure::add", "f32[3]", "f32[4]"});
}

TEST(OpErrors, IntegerDivisionEdgeCasesFollowXla) {
  // x / 0 gives -1 and INT_MIN / -1 gives INT_MIN (XLA's CPU results), no trap.
  const Array num = pure::from_host(std::vector<std::int32_t>{7, -7, std::numeric_limits<std::int32_t>::min()});
  const Array den = pure::from_host(std::vector<std::int32_t>{0, 0, -1});
  EXPECT_EQ(lax::div(num, den).to_host<std::int32_t>(),
            (std::vector<std::int32_t>{-1, -1, std::numeric_limits<std::int32_t>::min()}));
  const Array un = pure::from_host(std::vector<std::uint32_t>{5});
  EXPECT_EQ(lax::div(un, pure::zeros({1}, DType::u32)).to_host<std::uint32_t>(),
            (std::vector<std::uint32_t>{0xffffffffu}));
}

TEST(OpErrors, IntegerDivisionByZeroDoesNotCrash) {
  // C++ integer division by zero is undefined (SIGFPE on x86); XLA defines it
  // (an implementation-defined value, no trap). Run in a child process.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const Array one = pure::ones({1}, DType::i32);
        const Array zero = pure::zeros({1}, DType::i32);
        lax::div(one, zero).to_host<std::int32_t>();
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// ---------------------------------------------------------------- numpy surface

TEST(NumpyErrors, BroadcastingFailureNamesTheOpAndBothShapes) {
  expect_error<pure::ShapeError>([] { pure::add(f32s({3, 4}), f32s({5})); }, {"pure::add", "(3,4)", "(5,)"});
  expect_error<pure::ShapeError>([] { f32s({3, 4}) * f32s({3}); }, {"pure::multiply", "(3,4)", "(3,)"});
  expect_error<pure::ShapeError>([] { f32s({2}) - f32s({3}); }, {"pure::subtract", "(2,)", "(3,)"});
  expect_error<pure::ShapeError>([] { pure::where(pure::zeros({2}, DType::boolean), f32s({3}), f32s({3})); },
                                 {"pure::where", "(2,)", "(3,)"});
}

TEST(NumpyErrors, AxesAndValues) {
  expect_error<pure::ShapeError>(
      [] {
        pure::sum(f32s({2, 3}), {2});
      },
      {"pure::sum: axis 2 of axes (2,) is out of range for shape (2,3) (rank 2)"});
  expect_error<pure::ShapeError>(
      [] {
        pure::mean(f32s({2, 3}), {0, -2});
      },
      {"pure::mean: axes (0, -2) name axis 0 of shape (2,3) more than once"});
  expect_error<pure::ShapeError>([] { pure::argmax(f32s({2, 3}), -3); }, {"pure::argmax", "axis -3", "shape (2,3)"});
  expect_error<pure::ShapeError>(
      [] {
        pure::stack({f32s({2}), f32s({2})}, 3);
      },
      {"pure::stack", "axis 3", "rank-2 result", "(2,)"});
  expect_error<pure::ShapeError>([] { pure::squeeze(f32s({2, 1}), {0}); }, {"pure::squeeze", "(2,1)"});
  expect_error<pure::ShapeError>([] { pure::expand_dims(f32s({2}), 3); }, {"pure::expand_dims", "(2,)"});
  expect_error<pure::ValueError>([] { pure::clip(f32s({2}), 1, 0); }, {"pure::clip", "lo=1", "hi=0"});
  expect_error<pure::DTypeError>([] { pure::where(f32s({2}), f32s({2}), f32s({2})); }, {"pure::where", "'cond'"});
}

// ---------------------------------------------------------------- error context

// A numpy-surface function names itself before the inner primitive's message,
// so the user reads the function they called.
TEST(ErrorContext, CompositesReportUnderTheirOwnName) {
  expect_error<pure::ShapeError>([] { pure::softmax(f32s({2, 3}), 2); }, {"pure::softmax: ", "axis 2", "shape (2,3)"});
  expect_error<pure::ShapeError>([] { pure::norm(f32s({2, 3}), {5}); }, {"pure::norm: pure::sum: axis 5", "(2,3)"});
  expect_error<pure::ShapeError>([] { pure::logsumexp(f32s({2}), {1}); }, {"pure::logsumexp: ", "axis 1"});
  expect_error<pure::ShapeError>([] { pure::var(f32s({2}), {0, 0}); }, {"pure::var: ", "more than once"});
  // Thin wrappers whose primitive has another name: the user's name comes first.
  expect_error<pure::DTypeError>([] { pure::negative(pure::zeros({2}, DType::boolean)); },
                                 {"pure::negative: pure::neg: ", "bool[2]"});
  // The context ends with the call: a later lax error is not attributed to it.
  EXPECT_THROW(pure::softmax(f32s({2}), 1), pure::ShapeError);
  expect_error<pure::ShapeError>([] { lax::add(f32s({3}), f32s({4})); }, {"pure::add: operands"});
  try {
    lax::add(f32s({3}), f32s({4}));
  } catch (const pure::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("pure::add: ", 0), 0u) << e.what();
  }
}

TEST(ErrorContext, NestsAndNamesTheOutermostFunction) {
  EXPECT_EQ(pure::ErrorContext::current(), nullptr);
  {
    const pure::ErrorContext outer("user::step");
    const pure::ErrorContext inner("pure::softmax");
    EXPECT_STREQ(pure::ErrorContext::current(), "user::step");
    EXPECT_EQ(std::string(pure::ValueError("pure::x: bad").what()), "user::step: pure::x: bad");
    // A message that already starts with the function is left alone.
    EXPECT_EQ(std::string(pure::ValueError("user::step: bad").what()), "user::step: bad");
  }
  EXPECT_EQ(pure::ErrorContext::current(), nullptr);
  EXPECT_EQ(std::string(pure::ValueError("pure::x: bad").what()), "pure::x: bad");
}

TEST(ErrorContext, LaxDtypeMismatchIsADTypeError) {
  expect_error<pure::DTypeError>([] { lax::pad(f32s({2}), pure::zeros({}, DType::f64), {1}, {1}, {0}); },
                                 {"pure::pad", "'padding_value'", "float32", "f64[]"});
  expect_error<pure::ShapeError>([] { lax::pad(f32s({2}), f32s({1}), {1}, {1}, {0}); },
                                 {"pure::pad", "'padding_value'", "rank 0"});
}

// ---------------------------------------------------------------- empty arrays (as jax.numpy)

TEST(EmptyArrays, SoftmaxLogsumexpAndReductionsWithoutIdentity) {
  const Array s = pure::softmax(f32s({0}));
  EXPECT_EQ(s.shape(), Shape({0}));
  EXPECT_EQ(s.dtype(), DType::f32);
  EXPECT_EQ(pure::softmax(f32s({2, 0})).shape(), Shape({2, 0}));
  // Softmax over a non-empty axis of an empty array is empty too.
  EXPECT_EQ(pure::softmax(f32s({0, 3}), 1).shape(), Shape({0, 3}));
  // log(sum(exp(nothing))) = log(0) = -inf.
  const float lse = pure::logsumexp(f32s({0})).item<float>();
  EXPECT_TRUE(std::isinf(lse) && lse < 0) << lse;
  const std::vector<double> rows = pure::logsumexp(pure::zeros({3, 0}, DType::f64), {1}).to_host<double>();
  ASSERT_EQ(rows.size(), 3u);
  for (double v : rows) EXPECT_TRUE(std::isinf(v) && v < 0) << v;
  EXPECT_EQ(pure::logsumexp(pure::zeros({3, 0}, DType::f64), {1}, true).shape(), Shape({3, 1}));
  // Sum and mean of nothing: 0 and NaN (0 / 0), as numpy.
  EXPECT_EQ(pure::sum(f32s({0})).item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(pure::mean(f32s({0})).item<float>()));
  // max/min/argmax have no identity: an error naming the empty axis and the shape.
  expect_error<pure::ValueError>([] { pure::max(f32s({0})); }, {"pure::max", "axis 0", "(0,)", "empty"});
  expect_error<pure::ValueError>([] { pure::min(f32s({2, 0}), {1}); }, {"pure::min", "axis 1", "(2,0)"});
  expect_error<pure::ValueError>([] { pure::argmax(f32s({2, 0}), 1); }, {"pure::argmax", "axis 1", "(2,0)"});
  // Reducing the non-empty axis of an empty array is fine (an empty result).
  EXPECT_EQ(pure::max(f32s({0, 3}), {1}).shape(), Shape({0}));
}

// ---------------------------------------------------------------- empty (invalid) Arrays

TEST(InvalidArrays, OpsNameTheFunctionAndTheArgument) {
  const Array none;
  expect_error<pure::ValueError>([&] { pure::sum(none); }, {"pure::sum", "'x'", "empty (default-constructed)"});
  expect_error<pure::ValueError>([&] { pure::add(f32s({2}), none); }, {"pure::add", "'y'", "empty"});
  expect_error<pure::ValueError>([&] { f32s({2}) * none; }, {"pure::multiply", "'y'"});
  expect_error<pure::ValueError>([&] { pure::where(none, f32s({2}), f32s({2})); }, {"pure::where", "'cond'"});
  expect_error<pure::ValueError>([&] { pure::concatenate({f32s({2}), none}); }, {"pure::concatenate", "'xs[1]'"});
  expect_error<pure::ValueError>([&] { pure::softmax(none); }, {"pure::softmax", "'x'"});
  // The strict layer names the primitive and the operand's position.
  expect_error<pure::ValueError>([&] { lax::add(f32s({2}), none); }, {"pure::add", "argument 1", "empty"});
}

// Before: inside a transform an empty Array passed for a symbolic zero tangent
// and the gradient came back as zeros.
TEST(InvalidArrays, TransformsRejectThemWithThePath) {
  const Array none;
  const auto f = [](const Array& x) { return pure::sum(x * x); };
  expect_error<pure::ValueError>([&] { pure::grad(f)(none); }, {"pure::grad", "argument 0", "empty"});
  expect_error<pure::ValueError>([&] { pure::value_and_grad(f)(none); }, {"pure::value_and_grad", "argument 0"});
  pure::Tree params;
  params["dense"]["w"] = pure::ones({2});
  params["dense"]["b"] = none;
  const auto loss = [](const pure::Tree& p, const Array& x) { return pure::sum(p["dense"]["w"] * x); };
  expect_error<pure::ValueError>([&] { pure::grad(loss)(params, pure::ones({2})); },
                                 {"pure::grad", "argument 0 at ['dense']['b']", "empty"});
  expect_error<pure::ValueError>([&] { pure::grad<1>(loss)(params, none); }, {"pure::grad", "argument 0"});
  expect_error<pure::ValueError>([&] { pure::vjp(f, none); }, {"pure::vjp", "argument 0"});
  expect_error<pure::ValueError>([&] { pure::jvp(f, none, pure::ones({2})); }, {"pure::jvp", "the primals", "empty"});
  expect_error<pure::ValueError>([&] { pure::jvp(f, pure::ones({2}), none); }, {"pure::jvp", "the tangents", "empty"});
  expect_error<pure::ValueError>([&] { pure::linearize(f, none); }, {"pure::linearize", "argument 0"});
  expect_error<pure::ValueError>([&] { pure::jacfwd(f)(none); }, {"pure::jacfwd", "empty"});
  expect_error<pure::ValueError>([&] { pure::jacrev(f)(none); }, {"pure::jacrev", "empty"});
  // Captured by the function rather than passed: the op inside names it.
  const auto g = [&none](const Array& x) { return pure::sum(x * none); };
  expect_error<pure::ValueError>([&] { pure::grad(g)(pure::ones({2})); }, {"pure::multiply", "'y'", "empty"});
  // Tree utilities name the leaf.
  expect_error<pure::ValueError>([&] { pure::tree_add(params, params); }, {"pure::tree_add", "['dense']['b']"});
  expect_error<pure::ValueError>([&] { pure::tree_zeros_like(params); }, {"pure::tree_zeros_like", "['dense']['b']"});
}

// jvp pairs tangents with primals by path (as jax.jvp compares tree structures),
// not by position: {w} with {b} is an error, keys in another order pair correctly.
TEST(TreeStructure, JvpTangentsMatchPrimalsByPath) {
  const auto f = [](const pure::Tree& t) { return pure::sum(t["a"] * 2.0) + pure::sum(t["b"] * 3.0); };
  pure::Tree primal;
  primal["a"] = pure::ones({2});
  primal["b"] = pure::ones({2});
  pure::Tree reordered;  // same keys, inserted the other way round
  reordered["b"] = pure::full({2}, 10.0);
  reordered["a"] = pure::full({2}, 1.0);
  const auto [y, t] = pure::jvp(f, primal, reordered);
  // d f = 2 sum(t_a) + 3 sum(t_b) = 2 * 2 + 3 * 20 = 64 (positional pairing would give 2 * 20 + 3 * 2 = 46).
  EXPECT_EQ(t.item<float>(), 64.0f);
  EXPECT_EQ(y.item<float>(), 10.0f);
  pure::Tree w, b;
  w["w"] = pure::ones({2});
  b["b"] = pure::ones({2});
  const auto g = [](const pure::Tree& p) { return pure::sum(pure::tree_leaves(p).at(0)); };
  expect_error<pure::ValueError>(
      [&] { pure::jvp(g, w, b); },
      {"pure::jvp: the trees differ in structure: no leaf at [0]['w'] in the tangents (the primals: f32[2])"});
  pure::Tree wrong_dtype;
  wrong_dtype["w"] = pure::ones({2}, DType::f64);
  expect_error<pure::DTypeError>([&] { pure::jvp(g, w, wrong_dtype); },
                                 {"pure::jvp", "the tangents have f64[2] at [0]['w'] where the primals have f32[2]"});
}

TEST(TreeStructure, VjpAndLinearizeCheckTheirTrees) {
  const auto f = [](const Array& x) {
    pure::Tree out;
    out["u"] = x * 2.0;
    out["v"] = x * 3.0;
    return out;
  };
  const auto result = pure::vjp(f, pure::ones({2}));
  const auto& pullback = result.second;
  pure::Tree ct;  // keys in the other order pair by path
  ct["v"] = pure::ones({2});
  ct["u"] = pure::zeros({2});
  const std::vector<float> g = std::get<0>(pullback(ct)).to_host<float>();
  EXPECT_EQ(g, (std::vector<float>{3.0f, 3.0f}));
  pure::Tree missing;
  missing["u"] = pure::ones({2});
  expect_error<pure::ValueError>([&] { pullback(missing); }, {"pure::vjp", "no leaf at ['v'] in the cotangents"});
  const auto lin = pure::linearize([](const pure::Tree& t) { return pure::sum(t["u"]); }, ct);
  const auto& f_jvp = lin.second;
  pure::Tree other;
  other["v"] = pure::ones({2});
  other["u"] = pure::ones({3});
  expect_error<pure::ShapeError>(
      [&] { f_jvp(other); }, {"pure::linearize", "the tangents have f32[3] at [0]['u'] where the primals have f32[2]"});
}

}  // namespace
