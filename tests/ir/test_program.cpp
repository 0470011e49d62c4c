// Golden texts of traced programs and the program type check. Every expected
// text below is derived by hand from the traced function and the tracing rules:
// names follow first appearance (constvars, invars, then equation outputs),
// scalars that are not traced print as literals "value:type", concrete arrays
// of rank > 0 become constvars, and operations on constants run right away
// instead of being staged.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <pure/pure.hpp>

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
namespace lax = pure::lax;
namespace ir = pure::ir;

Array f32(const std::vector<float>& v, const Shape& s) { return pure::from_host(v, s); }

// ---------------------------------------------------------------- golden texts

TEST(ProgramText, ElementwiseChain) {
  const auto f = [](const Array& x) { return lax::mul(lax::sin(x), x); };
  EXPECT_EQ(pure::make_program(f, pure::zeros({3})).str(),
            "{ lambda ; a:f32[3]. let\n"
            "    b:f32[3] = sin a\n"
            "    c:f32[3] = mul b a\n"
            "  in (c,) }");
}

TEST(ProgramText, PythonScalarsBecomeLiterals) {
  // x * 2 + 1 on a scalar: the numpy surface makes rank-0 constants of x's dtype.
  const auto f = [](const Array& x) { return x * 2.0 + 1.0; };
  EXPECT_EQ(pure::make_program(f, pure::zeros({})).str(),
            "{ lambda ; a:f32[]. let\n"
            "    b:f32[] = mul a 2.:f32[]\n"
            "    c:f32[] = add b 1.:f32[]\n"
            "  in (c,) }");
  const auto g = [](const Array& x) { return 0.5 * x; };
  EXPECT_EQ(pure::make_program(g, pure::zeros({}, DType::f64)).str(),
            "{ lambda ; a:f64[]. let\n"
            "    b:f64[] = mul 0.5:f64[] a\n"
            "  in (b,) }");
}

TEST(ProgramText, CapturedArraysBecomeConstvars) {
  // The broadcast of the captured row runs eagerly (it does not depend on x),
  // so only its result, a concrete f32[2,3], enters the program as a constvar.
  const Array row = f32({1, 2, 3}, Shape{3});
  const auto f = [&row](const Array& x) { return x * row; };
  const ir::Program p = pure::make_program(f, pure::zeros({2, 3}));
  EXPECT_EQ(p.str(),
            "{ lambda a:f32[2,3]; b:f32[2,3]. let\n"
            "    c:f32[2,3] = mul b a\n"
            "  in (c,) }");
  ASSERT_EQ(p.consts.size(), 1u);
  EXPECT_EQ(p.consts[0].to_host<float>(), (std::vector<float>{1, 2, 3, 1, 2, 3}));
}

TEST(ProgramText, ParamsPrintInOrder) {
  const auto f = [](const Array& x) {
    const Array b = lax::broadcast_in_dim(x, Shape{2, 3}, {1});
    const Array s = lax::reduce_sum(lax::integer_pow(b, 3), {0, 1});
    return lax::convert_element_type(s, DType::f64);
  };
  EXPECT_EQ(pure::make_program(f, pure::zeros({3})).str(),
            "{ lambda ; a:f32[3]. let\n"
            "    b:f32[2,3] = broadcast_in_dim[shape=(2, 3) broadcast_dimensions=(1,)] a\n"
            "    c:f32[2,3] = integer_pow[y=3] b\n"
            "    d:f32[] = reduce_sum[axes=(0, 1)] c\n"
            "    e:f64[] = convert_element_type[new_dtype=float64] d\n"
            "  in (e,) }");
}

TEST(ProgramText, SeveralInputsAndOutputs) {
  // Outputs may be inputs themselves; a pair of results is a tree of two leaves.
  const auto f = [](const Array& x, const Array& y) { return std::make_pair(lax::add(x, y), x); };
  EXPECT_EQ(pure::make_program(f, pure::zeros({2}), pure::zeros({2})).str(),
            "{ lambda ; a:f32[2] b:f32[2]. let\n"
            "    c:f32[2] = add a b\n"
            "  in (c, a) }");
}

TEST(ProgramText, NamesGoOnAfterZ) {
  // a is the input; equations define b..z (25 names), then ba, bb, bc, as jaxprs.
  const auto f = [](const Array& x) {
    Array y = x;
    for (int i = 0; i < 28; ++i) y = lax::neg(y);
    return y;
  };
  const std::string text = pure::make_program(f, pure::zeros({})).str();
  EXPECT_NE(text.find("    z:f32[] = neg y\n    ba:f32[] = neg z\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    bc:f32[] = neg bb\n  in (bc,) }"), std::string::npos) << text;
}

TEST(ProgramText, ComparisonsAndSelect) {
  // |x| = select(x > 0, x, -x): the zeros do not depend on x, so they are a constvar.
  const auto f = [](const Array& x) {
    const Array zero = pure::zeros(x.shape(), x.dtype());
    const Array positive = lax::gt(x, zero);
    return lax::select(positive, x, lax::neg(x));
  };
  EXPECT_EQ(pure::make_program(f, pure::zeros({4})).str(),
            "{ lambda a:f32[4]; b:f32[4]. let\n"
            "    c:bool[4] = gt b a\n"
            "    d:f32[4] = neg b\n"
            "    e:f32[4] = select c b d\n"
            "  in (e,) }");
}

TEST(ProgramText, ArrayCapturedTwiceIsOneConstvar) {
  // As in jax, where a captured constant is one constvar however often it is used.
  const Array c = f32({1, 2, 3}, Shape{3});
  const auto f = [&c](const Array& x) { return lax::add(lax::mul(x, c), c); };
  const ir::Program p = pure::make_program(f, pure::zeros({3}));
  EXPECT_EQ(p.str(),
            "{ lambda a:f32[3]; b:f32[3]. let\n"
            "    c:f32[3] = mul b a\n"
            "    d:f32[3] = add c a\n"
            "  in (d,) }");
  EXPECT_EQ(p.consts.size(), 1u);
}

// The program of a derivative: grad(sin) at a traced x. linearize runs sin's JVP
// rule t * cos(x): the primal sin x and cos x are staged in the outer program,
// the tangent product in the linear program; transposing that product with the
// seed cotangent 1 stages 1 * cos x. (The primal sin x stays: there is no
// dead-code elimination yet.)
TEST(ProgramText, GradOfSin) {
  const auto df = pure::grad([](const Array& x) { return lax::sin(x); });
  EXPECT_EQ(pure::make_program(df, pure::zeros({})).str(),
            "{ lambda ; a:f32[]. let\n"
            "    b:f32[] = sin a\n"
            "    c:f32[] = cos a\n"
            "    d:f32[] = mul 1.:f32[] c\n"
            "  in (d,) }");
}

// jvp(sin)(x, x): primal sin x and tangent x * cos x, all staged in one program.
TEST(ProgramText, JvpOfSin) {
  const auto f = [](const Array& x) { return pure::jvp([](const Array& y) { return lax::sin(y); }, x, x); };
  EXPECT_EQ(pure::make_program(f, pure::zeros({})).str(),
            "{ lambda ; a:f32[]. let\n"
            "    b:f32[] = sin a\n"
            "    c:f32[] = cos a\n"
            "    d:f32[] = mul a c\n"
            "  in (b, d) }");
}

// grad(x * x): mul's JVP is tx*y + x*ty, two products and an add in the linear
// program (in source order: t*x, then x*t). The transpose walks it backwards:
// add hands the cotangent 1 to both products; the later one (x*t) gives x*1,
// the earlier (t*x) gives 1*x, and the two contributions to t are added in that
// order.
TEST(ProgramText, GradOfSquare) {
  const auto df = pure::grad([](const Array& x) { return lax::mul(x, x); });
  const std::string text = pure::make_program(df, pure::zeros({}, DType::f64)).str();
  EXPECT_EQ(text,
            "{ lambda ; a:f64[]. let\n"
            "    b:f64[] = mul a a\n"
            "    c:f64[] = mul a 1.:f64[]\n"
            "    d:f64[] = mul 1.:f64[] a\n"
            "    e:f64[] = add c d\n"
            "  in (e,) }");
}

TEST(ProgramText, StreamOperatorPrintsTheSameText) {
  const ir::Program p = pure::make_program([](const Array& x) { return lax::exp(x); }, pure::zeros({2}));
  std::ostringstream os;
  os << p;
  EXPECT_EQ(os.str(), p.str());
  EXPECT_EQ(p.str(), "{ lambda ; a:f32[2]. let\n    b:f32[2] = exp a\n  in (b,) }");
}

// ---------------------------------------------------------------- evaluation

TEST(ProgramEval, TracedProgramComputesWhatTheFunctionComputes) {
  const Array row = f32({1, -2, 3}, Shape{3});
  const auto f = [&row](const Array& x) { return pure::exp(x) * row - x; };
  const Array x = f32({0.5f, -1, 2, 0, 1, -0.25f}, Shape{2, 3});
  const ir::Program p = pure::make_program(f, x);
  const std::vector<float> got = ir::eval_program(p, {x}).at(0).to_host<float>();
  EXPECT_EQ(got, f(x).to_host<float>());
}

TEST(ProgramEval, RejectsWrongInputs) {
  const ir::Program p = pure::make_program([](const Array& x) { return lax::exp(x); }, pure::zeros({3}));
  EXPECT_THROW(ir::eval_program(p, {}), pure::Error);
  try {
    ir::eval_program(p, {pure::zeros({4})});
    FAIL() << "expected a ShapeError";
  } catch (const pure::ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("f32[4]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("f32[3]"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------- typecheck

// { lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[3] = mul b a in (c,) }, built by hand.
ir::Program hand_program() {
  ir::Program p;
  p.avals = {ir::Aval{Shape{3}, DType::f32}, ir::Aval{Shape{3}, DType::f32}, ir::Aval{Shape{3}, DType::f32}};
  p.invars = {0};
  ir::Eqn sin;
  sin.prim = ir::find_primitive("sin");
  sin.inputs = {ir::Atom{0, Array()}};
  sin.outputs = {1};
  ir::Eqn mul;
  mul.prim = ir::find_primitive("mul");
  mul.inputs = {ir::Atom{1, Array()}, ir::Atom{0, Array()}};
  mul.outputs = {2};
  p.eqns = {sin, mul};
  p.outs = {ir::Atom{2, Array()}};
  return p;
}

std::string typecheck_error(const ir::Program& p) {
  try {
    p.typecheck();
  } catch (const pure::Error& e) {
    return e.what();
  }
  return "";
}

TEST(ProgramTypecheck, AcceptsAWellTypedProgram) {
  const ir::Program p = hand_program();
  ASSERT_NE(p.eqns[0].prim, nullptr);
  EXPECT_EQ(typecheck_error(p), "");
  EXPECT_EQ(p.str(),
            pure::make_program([](const Array& x) { return lax::mul(lax::sin(x), x); }, pure::zeros({3})).str());
}

TEST(ProgramTypecheck, NamesTheEquationWhoseDeclaredTypeIsWrong) {
  ir::Program p = hand_program();
  p.avals[1] = ir::Aval{Shape{4}, DType::f32};  // sin's output declared f32[4]
  const std::string msg = typecheck_error(p);
  EXPECT_NE(msg.find("equation 0 (sin)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("f32[4]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("f32[3]"), std::string::npos) << msg;
}

TEST(ProgramTypecheck, RejectsUseBeforeDefinition) {
  ir::Program p = hand_program();
  std::swap(p.eqns[0], p.eqns[1]);  // mul reads b before sin defines it
  const std::string msg = typecheck_error(p);
  EXPECT_NE(msg.find("equation 0 (mul)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("before it is defined"), std::string::npos) << msg;
}

TEST(ProgramTypecheck, RejectsAVariableDefinedTwice) {
  ir::Program p = hand_program();
  p.eqns[1].outputs = {1};  // mul writes b again
  p.outs = {ir::Atom{1, Array()}};
  EXPECT_NE(typecheck_error(p).find("defined twice"), std::string::npos);
}

TEST(ProgramTypecheck, RunsThePrimitivesShapeRule) {
  ir::Program p = hand_program();
  p.avals[0] = ir::Aval{Shape{3}, DType::i32};  // sin of an integer
  p.avals[1] = p.avals[0];
  const std::string msg = typecheck_error(p);
  EXPECT_NE(msg.find("pure::sin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("i32[3]"), std::string::npos) << msg;
}

TEST(ProgramTypecheck, ChecksConstsAgainstTheirVariables) {
  ir::Program p = hand_program();
  p.avals.push_back(ir::Aval{Shape{3}, DType::f32});
  p.constvars = {3};
  p.consts = {pure::zeros({2})};
  const std::string msg = typecheck_error(p);
  EXPECT_NE(msg.find("const 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("f32[2]"), std::string::npos) << msg;
}

TEST(ProgramTypecheck, TransformedProgramsTypecheck) {
  // linearize's linear program and make_program of nested transforms are checked
  // on construction; check them again here explicitly.
  const auto f = [](const Array& x) { return pure::sum(pure::tanh(x) * x); };
  const auto hvp = [&](const Array& x) {
    return pure::jvp([&](const Array& y) { return pure::grad(f)(y); }, x, pure::ones(x.shape())).second;
  };
  const ir::Program p = pure::make_program(hvp, pure::zeros({3}));
  EXPECT_EQ(typecheck_error(p), "");
  const pure::Linearized lin = pure::linearize_flat(
      [&](const std::vector<Array>& xs) { return std::vector<Array>{f(xs[0])}; }, {pure::ones({3})});
  EXPECT_EQ(typecheck_error(lin.program), "");
}

}  // namespace
