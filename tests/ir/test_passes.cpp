// The jit passes (pure/ir/passes.hpp): golden texts of what they remove, and
// bitwise equality of the optimised program with the traced one.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <pure/ir/passes.hpp>
#include <pure/pure.hpp>

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
namespace lax = pure::lax;
namespace ir = pure::ir;

// Same dtype, shape and bits, element by element.
void expect_same_bits(const std::vector<Array>& a, const std::vector<Array>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].dtype(), b[i].dtype());
    ASSERT_EQ(a[i].shape(), b[i].shape());
    const std::vector<float> x = lax::convert_element_type(a[i], DType::f32).to_host<float>();
    const std::vector<float> y = lax::convert_element_type(b[i], DType::f32).to_host<float>();
    EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(float)), 0) << "output " << i;
  }
}

TEST(Passes, DeadCodeDropsUnusedEquationsAndConsts) {
  const Array unused_const = pure::from_host(std::vector<float>{1, 2, 3});
  const auto f = [&](const Array& x) {
    const Array dead = lax::exp(lax::mul(x, unused_const));  // feeds nothing
    (void)dead;
    return lax::sin(x);
  };
  const ir::Program p = pure::make_program(f, pure::zeros({3}));
  EXPECT_EQ(p.eqns.size(), 3u);
  const ir::Program q = ir::eliminate_dead_code(p);
  EXPECT_EQ(q.str(),
            "{ lambda ; a:f32[3]. let\n"
            "    b:f32[3] = sin a\n"
            "  in (b,) }");
  EXPECT_TRUE(q.consts.empty());
  const Array x = pure::from_host(std::vector<float>{0.5f, -1.0f, 2.0f});
  expect_same_bits(ir::eval_program(p, {x}), ir::eval_program(q, {x}));
}

TEST(Passes, CommonSubexpressionsAreShared) {
  const auto f = [](const Array& x) {
    const Array a = lax::sin(x), b = lax::sin(x);                        // same primitive, same operand
    const Array c = lax::mul(a, b), d = lax::mul(b, a);                  // operands in another order: not the same
    const Array e = lax::integer_pow(x, 2), g = lax::integer_pow(x, 3);  // other params: kept apart
    // One statement per equation: C++ leaves the order of argument evaluation open.
    const Array cd = lax::add(c, d);
    const Array eg = lax::add(e, g);
    return lax::add(cd, eg);
  };
  const ir::Program p =
      ir::eliminate_dead_code(ir::eliminate_common_subexpressions(pure::make_program(f, pure::zeros({2}))));
  EXPECT_EQ(p.str(),
            "{ lambda ; a:f32[2]. let\n"
            "    b:f32[2] = sin a\n"
            "    c:f32[2] = mul b b\n"
            "    d:f32[2] = integer_pow[y=2] a\n"
            "    e:f32[2] = integer_pow[y=3] a\n"
            "    f:f32[2] = add c c\n"
            "    g:f32[2] = add d e\n"
            "    h:f32[2] = add f g\n"
            "  in (h,) }");
  const ir::Program traced = pure::make_program(f, pure::zeros({2}));
  const Array x = pure::from_host(std::vector<float>{0.3f, -2.5f});
  expect_same_bits(ir::eval_program(traced, {x}), ir::eval_program(p, {x}));
}

TEST(Passes, LiteralsAreComparedByDtypeAndBits) {
  // x * 0.0 and x * -0.0 differ (the sign of zero results), x * 2 twice is shared.
  const auto f = [](const Array& x) {
    const Array zero = x * 0.0;
    const Array negative_zero = x * -0.0;
    const Array zeros = zero + negative_zero;
    const Array two = x * 2.0;
    const Array two_again = x * 2.0;
    const Array twos = two + two_again;
    return zeros + twos;
  };
  const ir::Program p =
      ir::eliminate_dead_code(ir::eliminate_common_subexpressions(pure::make_program(f, pure::zeros({}))));
  EXPECT_EQ(p.str(),
            "{ lambda ; a:f32[]. let\n"
            "    b:f32[] = mul a 0.:f32[]\n"
            "    c:f32[] = mul a -0.:f32[]\n"
            "    d:f32[] = add b c\n"
            "    e:f32[] = mul a 2.:f32[]\n"
            "    f:f32[] = add e e\n"
            "    g:f32[] = add d f\n"
            "  in (g,) }");
}

TEST(Passes, OutputsAndInputsSurvive) {
  // An unused input stays (it is the signature); a repeated output reads one variable.
  const auto f = [](const Array& x, const Array& y) {
    (void)y;
    return std::vector<Array>{lax::exp(x), lax::exp(x)};
  };
  const ir::Program p = ir::eliminate_dead_code(
      ir::eliminate_common_subexpressions(pure::make_program(f, pure::zeros({}), pure::zeros({2}))));
  EXPECT_EQ(p.str(),
            "{ lambda ; a:f32[] b:f32[2]. let\n"
            "    c:f32[] = exp a\n"
            "  in (c, c) }");
}

}  // namespace
