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
                                 {"pure::jvp", "tangent 0", "f32[4]", "f32[3]"});
  expect_error<pure::ShapeError>([&] { pure::jvp(f, f32s({3}), pure::zeros({3}, DType::f64)); },
                                 {"pure::jvp", "f64[3]", "f32[3]"});
}

TEST(TransformErrors, VjpCotangentOfAnotherShape) {
  const auto f = [](const Array& x) { return pure::exp(x); };
  // Not a structured binding: Clang < 16 cannot capture one in a lambda.
  const auto result = pure::vjp(f, f32s({3}));
  const auto& pullback = result.second;
  expect_error<pure::ShapeError>([&] { pullback(f32s({2, 2})); }, {"pure::vjp", "cotangent 0", "f32[2,2]", "f32[3]"});
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

TEST(OpErrors, BinaryOpsNeedEqualDtypes) {
  expect_error<pure::ShapeError>([] { lax::sub(f32s({3}), pure::zeros({3}, DType::f64)); },
                                 {"pure::sub", "f32[3]", "f64[3]"});
  expect_error<pure::ShapeError>([] { lax::lt(f32s({3}), pure::zeros({3}, DType::i32)); },
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
  expect_error<pure::ShapeError>([] { pure::sum(f32s({2, 3}), {2}); }, {"pure::sum", "axis 2", "rank 2"});
  expect_error<pure::ShapeError>([] { pure::mean(f32s({2, 3}), {0, -2}); }, {"pure::mean", "repeated"});
  expect_error<pure::ShapeError>([] { pure::squeeze(f32s({2, 1}), {0}); }, {"pure::squeeze", "(2,1)"});
  expect_error<pure::ShapeError>([] { pure::expand_dims(f32s({2}), 3); }, {"pure::expand_dims", "(2,)"});
  expect_error<pure::ValueError>([] { pure::clip(f32s({2}), 1, 0); }, {"pure::clip", "lo=1", "hi=0"});
  expect_error<pure::DTypeError>([] { pure::where(f32s({2}), f32s({2}), f32s({2})); }, {"pure::where", "'cond'"});
}

}  // namespace
