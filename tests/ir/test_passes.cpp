// The jit passes (pure/ir/passes.hpp): golden texts of what they remove, and
// bitwise equality of the optimised program with the traced one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
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

TEST(Passes, SimplifyRemovesOnlyExactIdentities) {
  const auto f = [](const Array& x) {
    const Array a = x * 1.0;                                               // goes
    const Array b = a + (-0.0);                                            // goes: x + (-0.0) is x for every x
    const Array c = b + 0.0;                                               // stays: -0.0 + 0.0 is +0.0
    const Array d = pure::astype(c, DType::f32);                           // goes: same dtype
    const Array e = lax::reshape(lax::reshape(d, Shape{3, 2}), Shape{6});  // one reshape
    const Array g = e - 0.0;                                               // goes
    const Array h = lax::transpose(lax::transpose(x, {1, 0}), {1, 0});     // goes entirely
    const Array k = h / 1.0;                                               // goes
    return std::vector<Array>{g, k * 2.0};
  };
  const ir::Program traced = pure::make_program(f, pure::zeros({2, 3}));
  const ir::Program p = ir::eliminate_dead_code(ir::simplify(traced));
  // The scalars were broadcast eagerly, so they are consts (a = +0.0, b = 2.0);
  // the consts for 1.0, -0.0 and the subtracted 0.0 are gone with their equations.
  EXPECT_EQ(p.str(),
            "{ lambda a:f32[2,3] b:f32[2,3]; c:f32[2,3]. let\n"
            "    d:f32[2,3] = add c a\n"
            "    e:f32[6] = reshape[new_sizes=(6,)] d\n"
            "    f:f32[2,3] = mul c b\n"
            "  in (e, f) }");
  ASSERT_EQ(p.consts.size(), 2u);
  EXPECT_EQ(p.consts[0].to_host<float>().at(0), 0.0f);
  EXPECT_FALSE(std::signbit(p.consts[0].to_host<float>().at(0)));
  EXPECT_EQ(p.consts[1].to_host<float>().at(0), 2.0f);
  // Bitwise equal on the inputs where a wrong rewrite would show: signed zeros, NaN, infinities.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const Array x = pure::from_host(std::vector<float>{-0.0f, 0.0f, nan, -inf, 1e-45f, -3.5f}, Shape{2, 3});
  expect_same_bits(ir::eval_program(traced, {x}), ir::eval_program(p, {x}));
}

TEST(Passes, SimplifyRemovesIntegerZerosAndConstOnes) {
  // Integer x + 0 goes; so does a product with a const that is all ones.
  const auto f = [](const Array& n, const Array& row) {
    const Array a = n + 0;  // an int scalar: n + 0.0 would be float64 (docs/promotion.md)
    const Array ones_matrix = lax::broadcast_in_dim(row, Shape{2, 3}, {1});
    return std::vector<Array>{a, lax::mul(ones_matrix, lax::broadcast_in_dim(pure::full({}, 1.0), Shape{2, 3}, {}))};
  };
  const ir::Program traced = pure::make_program(f, pure::zeros({3}, DType::i32), pure::zeros({3}));
  const ir::Program p = ir::eliminate_dead_code(ir::simplify(traced));
  EXPECT_EQ(p.str(),
            "{ lambda ; a:i32[3] b:f32[3]. let\n"
            "    c:f32[2,3] = broadcast_in_dim[shape=(2, 3) broadcast_dimensions=(1,)] b\n"
            "  in (a, c) }");
}

// Chains of reshapes and transposes (as transforms can produce them; the lax
// functions already fold them when tracing), written as a program by hand.
TEST(Passes, SimplifyMergesReshapeAndTransposeChains) {
  const ir::Primitive* reshape = ir::find_primitive("reshape");
  const ir::Primitive* transpose = ir::find_primitive("transpose");
  ASSERT_NE(reshape, nullptr);
  ASSERT_NE(transpose, nullptr);
  ir::Program p;
  p.avals = {ir::Aval{Shape{2, 3, 4}}, ir::Aval{Shape{6, 4}},    ir::Aval{Shape{24}},        // x, reshape, reshape
             ir::Aval{Shape{3, 4, 2}}, ir::Aval{Shape{4, 2, 3}}, ir::Aval{Shape{2, 3, 4}}};  // transposes
  p.invars = {0};
  auto eqn = [](const ir::Primitive* prim, int in, int out, ir::Params params) {
    ir::Eqn e;
    e.prim = prim;
    e.inputs = {ir::Atom{in, Array()}};
    e.outputs = {out};
    e.params = std::move(params);
    return e;
  };
  p.eqns.push_back(eqn(reshape, 0, 1, ir::Params{{"new_sizes", std::vector<std::int64_t>{6, 4}}}));
  p.eqns.push_back(eqn(reshape, 1, 2, ir::Params{{"new_sizes", std::vector<std::int64_t>{24}}}));
  p.eqns.push_back(eqn(transpose, 0, 3, ir::Params{{"permutation", std::vector<std::int64_t>{1, 2, 0}}}));
  p.eqns.push_back(eqn(transpose, 3, 4, ir::Params{{"permutation", std::vector<std::int64_t>{1, 2, 0}}}));
  p.eqns.push_back(eqn(transpose, 4, 5, ir::Params{{"permutation", std::vector<std::int64_t>{1, 2, 0}}}));
  p.outs = {ir::Atom{2, Array()}, ir::Atom{4, Array()}, ir::Atom{5, Array()}};
  p.typecheck();
  const ir::Program q = ir::eliminate_dead_code(ir::simplify(p));
  q.typecheck();
  // Output 2 is x itself (three rotations of three axes are the identity).
  EXPECT_EQ(q.str(),
            "{ lambda ; a:f32[2,3,4]. let\n"
            "    b:f32[24] = reshape[new_sizes=(24,)] a\n"
            "    c:f32[4,2,3] = transpose[permutation=(2, 0, 1)] a\n"
            "  in (b, c, a) }");
  std::vector<float> v(24);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.25f - 3.0f;
  const Array x = pure::from_host(v, Shape{2, 3, 4});
  expect_same_bits(ir::eval_program(p, {x}), ir::eval_program(q, {x}));
}

// transpose(dot_general(x, y)) -> dot_general(y, x) where the transpose swaps
// the free axes of both operands, with bitwise equal results; other transposes
// of products (partial permutations, batch axes, a second reader) stay.
TEST(Passes, SimplifyFoldsTransposesIntoDotGeneral) {
  const auto dense_weight_grad = [](const Array& x, const Array& y) {
    return lax::transpose(lax::dot_general(x, y, {{1}, {1}}), {1, 0});
  };
  const ir::Program one = ir::eliminate_dead_code(
      ir::simplify(pure::make_program(dense_weight_grad, pure::zeros({3, 4}), pure::zeros({5, 4}))));
  EXPECT_EQ(one.str(),
            "{ lambda ; a:f32[3,4] b:f32[5,4]. let\n"
            "    c:f32[5,3] = dot_general[lhs_contract=(1,) rhs_contract=(1,) lhs_batch=() rhs_batch=()] b a\n"
            "  in (c,) }");

  const auto f = [](const Array& x, const Array& y, const Array& w, const Array& b1, const Array& b2) {
    const Array folded = lax::transpose(lax::dot_general(x, y, {{1}, {1}}), {1, 0});           // (5, 3)
    const Array folded_3d = lax::transpose(lax::dot_general(w, y, {{1}, {1}}), {2, 0, 1});     // (5, 2, 6)
    const Array kept_partial = lax::transpose(lax::dot_general(w, y, {{1}, {1}}), {1, 0, 2});  // (6, 2, 5)
    const Array kept_batch = lax::transpose(lax::dot_general(b1, b2, {{2}, {1}}, {{0}, {0}}), {0, 2, 1});
    const Array twice = lax::dot_general(x, x, {{0}, {0}});  // read by a transpose and as an output
    return std::vector<Array>{folded, folded_3d, kept_partial, kept_batch, lax::transpose(twice, {1, 0}), twice};
  };
  auto filled = [](Shape shape, double phase) {
    std::vector<float> v(static_cast<std::size_t>(shape.size()));
    // Mixed signs and magnitudes, so that another summation order would show.
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = static_cast<float>(std::sin(1.7 * static_cast<double>(i) + phase) *
                                std::pow(10.0, static_cast<double>(i % 5) - 2));
    return pure::from_host(v, shape);
  };
  const std::vector<Array> args = {filled({3, 4}, 0.1), filled({5, 4}, 0.2), filled({2, 4, 6}, 0.3),
                                   filled({2, 3, 4}, 0.4), filled({2, 4, 5}, 0.5)};
  const ir::Program traced = pure::make_program(f, args[0], args[1], args[2], args[3], args[4]);
  const ir::Program p = ir::eliminate_dead_code(ir::simplify(traced));
  p.typecheck();
  std::size_t transposes = 0, dots = 0;
  for (const ir::Eqn& e : p.eqns) {
    transposes += e.prim->name == "transpose" ? 1 : 0;
    dots += e.prim->name == "dot_general" ? 1 : 0;
  }
  EXPECT_EQ(transposes, 3u) << p.str();  // the partial, batched and twice-read ones
  EXPECT_EQ(dots, 5u) << p.str();
  expect_same_bits(ir::eval_program(traced, args), ir::eval_program(p, args));
}

// ---------------------------------------------------------------- elementwise fusion

// Same dtype, shape and bytes (so -0.0 vs 0.0 and NaN payloads count).
void expect_same_bytes(const std::vector<Array>& a, const std::vector<Array>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].dtype(), b[i].dtype()) << "output " << i;
    ASSERT_EQ(a[i].shape(), b[i].shape()) << "output " << i;
    const std::size_t bytes = a[i].nbytes();
    std::vector<unsigned char> x(bytes), y(bytes);
    if (bytes == 0) continue;
    Kokkos::deep_copy(
        Kokkos::View<unsigned char*, Kokkos::HostSpace>(x.data(), bytes),
        Kokkos::View<const unsigned char*, pure::MemorySpace>(static_cast<const unsigned char*>(a[i].data()), bytes));
    Kokkos::deep_copy(
        Kokkos::View<unsigned char*, Kokkos::HostSpace>(y.data(), bytes),
        Kokkos::View<const unsigned char*, pure::MemorySpace>(static_cast<const unsigned char*>(b[i].data()), bytes));
    EXPECT_EQ(x, y) << "output " << i;
  }
}

std::size_t count_fused(const ir::Program& p) {
  std::size_t n = 0;
  for (const ir::Eqn& e : p.eqns) n += e.prim->name == "fused" ? 1 : 0;
  return n;
}

TEST(Fusion, GoldenTextOfAChain) {
  const auto f = [](const Array& x, const Array& y) { return lax::add(lax::exp(lax::mul(x, y)), y); };
  const ir::Program p = ir::fuse_elementwise(pure::make_program(f, pure::zeros({4}), pure::zeros({4})), "t");
  p.typecheck();
  EXPECT_EQ(p.str(),
            "{ lambda ; a:f32[4] b:f32[4]. let\n"
            "    c:f32[4] = fused[kernel=t::fused0(mul,exp,add) device=one_element_per_thread program={ lambda ; "
            "a:f32[4] b:f32[4]. let\n"
            "        c:f32[4] = mul a b\n"
            "        d:f32[4] = exp c\n"
            "        e:f32[4] = add d b\n"
            "      in (e,) }] a b\n"
            "  in (c,) }");
}

TEST(Fusion, ValuesReadOutsideAreOutputsAndReductionsEndGroups) {
  // e = exp(-x) is read by the sum, which ends its group, and by the second
  // group (so it is an output of the first); the sum's broadcast is a load of
  // the second: x*e*s - x.
  const auto f = [](const Array& x) {
    const Array e = lax::exp(lax::neg(x));
    const Array s = lax::broadcast_in_dim(lax::reduce_sum(e, {0}), Shape{5000}, {});
    return lax::sub(lax::mul(lax::mul(x, e), s), x);
  };
  const ir::Program traced = pure::make_program(f, pure::zeros({5000}));
  const ir::Program p = ir::fuse_elementwise(traced);
  p.typecheck();
  ASSERT_EQ(p.eqns.size(), 2u) << p.str();  // fused(neg, exp, reduce_sum), fused(load, mul, mul, sub)
  EXPECT_EQ(count_fused(p), 2u) << p.str();
  EXPECT_EQ(p.eqns[0].outputs.size(), 2u) << p.str();  // e and the sum
  std::vector<float> v(5000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<float>(i)) * 3.0f;
  const Array x = pure::from_host(v);
  expect_same_bytes(ir::eval_program(p, {x}), ir::eval_program(traced, {x}));
}

// Every kind of operand (contiguous, broadcast views passed in, broadcasts of
// rows, columns and scalars in the group, literals), mixed dtypes, and a size
// that is not a multiple of the block: the fused program's bytes are eager's.
TEST(Fusion, MixedDtypesAndBroadcastsMatchEagerBytes) {
  const Shape shape{7, 523};  // 3661 elements: three full blocks and a partial one
  const auto f = [&](const Array& x, const Array& row, const Array& col, const Array& scalar_view, const Array& n) {
    const Array r = lax::broadcast_in_dim(row, shape, {1});
    const Array c = lax::broadcast_in_dim(col, shape, {0});
    const Array t = lax::tanh(lax::add(lax::mul(x, r), c));
    const Array big = lax::gt(t, scalar_view);  // a broadcast view argument
    const Array d = lax::convert_element_type(x, DType::f64);
    const Array e = lax::mul(lax::exp(lax::neg(lax::mul(d, d))), d);
    const Array sel = lax::select(big, t, lax::convert_element_type(e, DType::f32));
    const Array k = lax::add(lax::convert_element_type(n, DType::i32),
                             lax::broadcast_in_dim(pure::full({}, 7.0, DType::i32), shape, {}));
    const Array m = lax::mul(k, k);  // wraps
    return std::vector<Array>{sel, e, m, lax::lt(m, lax::convert_element_type(x, DType::i32))};
  };
  std::vector<float> xv(static_cast<std::size_t>(shape.size())), nv(xv.size());
  for (std::size_t i = 0; i < xv.size(); ++i) {
    xv[i] = std::cos(static_cast<float>(i) * 0.37f) * 4.0f;
    nv[i] = static_cast<float>(i % 977) * 51.0f;
  }
  xv[5] = -0.0f;
  xv[6] = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> rv(523), cv(7);
  for (std::size_t i = 0; i < rv.size(); ++i) rv[i] = 0.01f * static_cast<float>(i) - 2.0f;
  for (std::size_t i = 0; i < cv.size(); ++i) cv[i] = static_cast<float>(i) - 3.5f;
  const std::vector<Array> args = {pure::from_host(xv, shape), pure::from_host(rv), pure::from_host(cv),
                                   pure::full(shape, 0.25, DType::f32), pure::from_host(nv, shape)};
  ASSERT_TRUE(args[3].is_broadcast_view());
  const pure::FlatFn flat = [&](const std::vector<Array>& a) { return f(a[0], a[1], a[2], a[3], a[4]); };
  std::vector<ir::Aval> avals;
  for (const Array& a : args) avals.push_back(ir::Aval::of(a));
  const ir::Program traced = pure::make_program_flat(flat, avals);
  const ir::Program p = ir::fuse_elementwise(traced);
  p.typecheck();
  // Two unconnected groups: everything from x, row, col; and everything from n.
  EXPECT_EQ(count_fused(p), 2u) << p.str();
  EXPECT_EQ(p.eqns.size(), 2u) << p.str();
  expect_same_bytes(ir::eval_program(p, args), ir::eval_program(traced, args));
  expect_same_bytes(ir::eval_program(p, args), f(args[0], args[1], args[2], args[3], args[4]));
}

TEST(Fusion, LonelyOpsAndOtherShapesStayUnfused) {
  const auto f = [](const Array& x, const Array& y) {
    const Array a = lax::exp(x);                           // one op: no kernel saved
    const Array b = lax::reduce_sum(lax::mul(y, y), {1});  // a group: mul and the sum
    return std::vector<Array>{a, lax::add(b, b)};          // add on another shape, alone
  };
  const ir::Program p = ir::fuse_elementwise(pure::make_program(f, pure::zeros({3}), pure::zeros({2, 3})));
  EXPECT_EQ(count_fused(p), 1u) << p.str();
  EXPECT_EQ(p.eqns.size(), 3u) << p.str();
}

// A reduction over trailing axes ends its group: the reduced value is never
// written, and the sums are the eager kernel's bits for every row length
// (shorter than a fused block, longer and not a multiple of it, whole arrays).
TEST(Fusion, ReductionsEndGroupsWithEagerBits) {
  const auto f = [](const Array& x, const Array& k) {
    const Array sq = lax::mul(x, x);
    const Array d = lax::convert_element_type(x, DType::f64);
    const Array kk = lax::mul(k, k);  // wraps
    return std::vector<Array>{lax::reduce_sum(lax::mul(sq, x), {1}), lax::reduce_max(lax::exp(lax::neg(x)), {1}),
                              lax::reduce_sum(lax::sin(d), {0, 1}), lax::reduce_sum(lax::add(kk, k), {1}),
                              lax::reduce_min(lax::add(sq, x), {0, 1})};
  };
  for (const Shape& shape : {Shape{5, 300}, Shape{3, 2500}, Shape{2, 1024}, Shape{9, 7}}) {
    const std::int64_t n = shape.size();
    std::vector<float> xv(static_cast<std::size_t>(n));
    std::vector<std::int32_t> kv(xv.size());
    for (std::size_t i = 0; i < xv.size(); ++i) {
      xv[i] = std::sin(static_cast<float>(i) * 0.731f) * 2.0f;
      kv[i] = static_cast<std::int32_t>(i * 2654435761u);
    }
    const Array x = pure::from_host(xv, shape), k = pure::from_host(kv, shape);
    const ir::Program traced = pure::make_program(f, x, k);
    const ir::Program p = ir::fuse_elementwise(traced);
    p.typecheck();
    std::size_t reductions = 0;
    for (const ir::Eqn& e : p.eqns) reductions += e.prim->name.rfind("reduce_", 0) == 0 ? 1 : 0;
    EXPECT_EQ(reductions, 0u) << shape.str() << "\n" << p.str();  // all absorbed
    expect_same_bytes(ir::eval_program(p, {x, k}), ir::eval_program(traced, {x, k}));
  }
}

TEST(Fusion, OnlyTrailingReductionsAreAbsorbed) {
  const auto f = [](const Array& x) { return lax::reduce_sum(lax::exp(lax::neg(x)), {0}); };
  const ir::Program traced = pure::make_program(f, pure::zeros({40, 30}));
  const ir::Program p = ir::fuse_elementwise(traced);
  ASSERT_EQ(p.eqns.size(), 2u) << p.str();
  EXPECT_EQ(p.eqns[1].prim->name, "reduce_sum");
  const Array x = pure::from_host(std::vector<float>(1200, 0.3f), Shape{40, 30});
  expect_same_bytes(ir::eval_program(p, {x}), ir::eval_program(traced, {x}));
}

// Scalar constants are written once per thread and call: groups smaller than
// a block, of one element, and over several blocks all read them right.
TEST(Fusion, ScalarConstantsInGroupsOfEverySize) {
  const auto f = [](const Array& x) { return pure::tanh(x * 0.5 + 1.0) - 2.0 * x; };
  for (std::int64_t n : {1, 5, 1024, 3000}) {
    std::vector<float> v(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::cos(static_cast<float>(i)) * 3.0f;
    const Array x = pure::from_host(v);
    const ir::Program traced = pure::make_program(f, x);
    const ir::Program p = ir::fuse_elementwise(traced);
    EXPECT_EQ(count_fused(p), 1u) << p.str();
    expect_same_bytes(ir::eval_program(p, {x}), {f(x)});
    // Twice: the second call refills the constants it shares a thread with.
    expect_same_bytes(ir::eval_program(p, {x}), {f(x)});
  }
}

}  // namespace
