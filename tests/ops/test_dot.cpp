// dot_general and the numpy products on top of it: dimension numbers vs a
// host loop, the reproducible summation order, the bilinear JVP, both
// transpose rules, grad of grad, and the opt-in gemm path.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include <pure/pure.hpp>

#include "ops_test_util.hpp"

namespace {

using pure::Array;
using pure::DType;
using pure::Shape;
using Arrays = std::vector<Array>;
using Dims = std::vector<std::int64_t>;
namespace lax = pure::lax;

using namespace pure_test;

// Small integers, so integer products and sums are exact in every dtype.
Array small_ints(const Shape& s, DType dtype, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(-5, 5);
  std::vector<double> v(static_cast<std::size_t>(s.size()));
  for (auto& x : v) x = dist(gen);
  return pure::astype(pure::from_host(v, s), dtype);
}

bool contains(const Dims& v, std::int64_t a) { return std::find(v.begin(), v.end(), a) != v.end(); }

struct HostDot {
  Shape shape;
  std::vector<long double> value, magnitude;  // sum of products, sum of |products|
};

// jax.lax.dot_general's definition, written out as loops.
HostDot host_dot_general(const Array& x, const Array& y, const lax::DimensionPair& c, const lax::DimensionPair& b) {
  Dims xf, yf, dims;
  for (int d = 0; d < x.rank(); ++d) {
    if (!contains(c.first, d) && !contains(b.first, d)) xf.push_back(d);
  }
  for (int d = 0; d < y.rank(); ++d) {
    if (!contains(c.second, d) && !contains(b.second, d)) yf.push_back(d);
  }
  for (auto a : b.first) dims.push_back(x.shape()[static_cast<int>(a)]);
  for (auto a : xf) dims.push_back(x.shape()[static_cast<int>(a)]);
  for (auto a : yf) dims.push_back(y.shape()[static_cast<int>(a)]);
  Dims kdims;
  for (auto a : c.first) kdims.push_back(x.shape()[static_cast<int>(a)]);
  const Shape out(dims), ks(kdims);
  const auto hx = host(x), hy = host(y);
  HostDot r{out, std::vector<long double>(static_cast<std::size_t>(out.size())),
            std::vector<long double>(static_cast<std::size_t>(out.size()))};
  for (std::int64_t o = 0; o < out.size(); ++o) {
    const auto oc = coords(o, out);
    std::vector<std::int64_t> xc(static_cast<std::size_t>(x.rank())), yc(static_cast<std::size_t>(y.rank()));
    std::size_t p = 0;
    for (std::size_t i = 0; i < b.first.size(); ++i, ++p) {
      xc[static_cast<std::size_t>(b.first[i])] = oc[p];
      yc[static_cast<std::size_t>(b.second[i])] = oc[p];
    }
    for (auto a : xf) xc[static_cast<std::size_t>(a)] = oc[p++];
    for (auto a : yf) yc[static_cast<std::size_t>(a)] = oc[p++];
    for (std::int64_t k = 0; k < ks.size(); ++k) {
      const auto kc = coords(k, ks);
      for (std::size_t i = 0; i < c.first.size(); ++i) {
        xc[static_cast<std::size_t>(c.first[i])] = kc[i];
        yc[static_cast<std::size_t>(c.second[i])] = kc[i];
      }
      const long double t = static_cast<long double>(hx[static_cast<std::size_t>(flat(xc, x.shape()))]) *
                            hy[static_cast<std::size_t>(flat(yc, y.shape()))];
      r.value[static_cast<std::size_t>(o)] += t;
      r.magnitude[static_cast<std::size_t>(o)] += std::fabs(t);
    }
  }
  return r;
}

struct DotCase {
  const char* name;
  Shape x, y;
  lax::DimensionPair contract, batch;
};

std::vector<DotCase> dot_cases() {
  return {
      {"matmul", {3, 4}, {4, 5}, {{1}, {0}}, {}},
      {"batch_in_the_middle", {2, 3, 4}, {5, 2, 3}, {{1}, {2}}, {{0}, {1}}},
      {"two_contracted_axes_out_of_order", {3, 4, 5}, {5, 3, 6}, {{0, 2}, {1, 0}}, {}},
      {"outer_product", {2, 3}, {4}, {}, {}},
      {"batch_only", {2, 3}, {3, 2}, {}, {{0, 1}, {1, 0}}},
      {"two_batch_axes", {2, 3, 4, 5}, {3, 5, 2, 6}, {{3}, {1}}, {{0, 1}, {2, 0}}},
  };
}

TEST(DotGeneral, MatchesHostLoop) {
  std::uint32_t seed = 1;
  for (const auto& c : dot_cases()) {
    SCOPED_TRACE(c.name);
    for (DType d : {DType::f64, DType::f32, DType::i32}) {
      const Array x = d == DType::i32 ? small_ints(c.x, d, seed) : random_array(c.x, d, seed);
      const Array y = d == DType::i32 ? small_ints(c.y, d, seed + 1) : random_array(c.y, d, seed + 1);
      const Array z = lax::dot_general(x, y, c.contract, c.batch);
      const HostDot want = host_dot_general(x, y, c.contract, c.batch);
      ASSERT_EQ(z.shape(), want.shape);
      ASSERT_EQ(z.dtype(), d);
      const auto got = host(z);
      // Pairwise sums of <= 15 products: a few roundings of the sum of |terms|.
      const double rtol = d == DType::f64 ? 1e-15 : d == DType::f32 ? 1e-6 : 0.0;
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_NEAR(got[i], static_cast<double>(want.value[i]), rtol * static_cast<double>(want.magnitude[i]))
            << "element " << i;
      }
      seed += 2;
    }
  }
  const Array empty = lax::dot_general(pure::ones({2, 0}), pure::ones({0, 3}), {{1}, {0}});
  EXPECT_EQ(host(empty), std::vector<double>(6, 0.0));
}

// The reproducible kernel sums in reduce_sum's canonical order, so a dot
// product is bit for bit reduce_sum(mul(x, y)) -- also beyond one block of
// 256 terms and beyond 256 blocks (70007 terms), where reduce_sum switches
// to more levels.
TEST(DotGeneral, DotProductEqualsReduceSumBitwise) {
  ASSERT_EQ(pure::matmul_precision(), pure::MatmulPrecision::reproducible);
  for (std::int64_t k : {7, 1007, 70007}) {
    const Array x = random_array({k}, DType::f32, 10);
    const Array y = random_array({k}, DType::f32, 11);
    const float dot = lax::dot_general(x, y, {{0}, {0}}).item<float>();
    const float sum = lax::reduce_sum(lax::mul(x, y), {0}).item<float>();
    EXPECT_EQ(dot, sum) << "k=" << k;
    const Array m = random_array({3, k}, DType::f32, 12);
    const auto rows = lax::dot_general(m, y, {{1}, {0}}).to_host<float>();
    const auto sums = lax::reduce_sum(lax::mul(m, lax::broadcast_in_dim(y, {3, k}, {1})), {1}).to_host<float>();
    EXPECT_EQ(rows, sums) << "k=" << k;
  }
}

// The order is fixed by the indices, not by how the operands sit in memory.
TEST(DotGeneral, ResultDoesNotDependOnOperandLayout) {
  const Array x = random_array({5, 700}, DType::f32, 20);
  const Array y = random_array({700, 4}, DType::f32, 21);
  const auto a = lax::dot_general(x, y, {{1}, {0}}).to_host<float>();
  const auto b = lax::dot_general(lax::transpose(x, {1, 0}), lax::transpose(y, {1, 0}), {{0}, {1}}).to_host<float>();
  EXPECT_EQ(a, b);
}

// ---------------------------------------------------------------- derivatives

// JVP vs central differences in f64 (h = 1e-5: truncation and rounding both ~1e-11).
TEST(DotGeneral, JvpMatchesCentralDifferences) {
  std::uint32_t seed = 30;
  for (const auto& c : dot_cases()) {
    SCOPED_TRACE(c.name);
    const auto f = [&](const Arrays& in) {
      return Arrays{pure::sin(lax::dot_general(in[0], in[1], c.contract, c.batch))};
    };
    const Arrays x{random_array(c.x, DType::f64, seed), random_array(c.y, DType::f64, seed + 1)};
    const Arrays u{random_array(c.x, DType::f64, seed + 2), random_array(c.y, DType::f64, seed + 3)};
    const double h = 1e-5;
    const auto [outs, touts] = pure::jvp_flat(f, x, u);
    const auto fp = host(f({x[0] + u[0] * h, x[1] + u[1] * h})[0]);
    const auto fm = host(f({x[0] - u[0] * h, x[1] - u[1] * h})[0]);
    const auto t = host(touts[0]);
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double fd = (fp[i] - fm[i]) / (2 * h);
      EXPECT_NEAR(t[i], fd, 1e-7 * (1 + std::fabs(fd))) << "element " << i;
    }
    seed += 4;
  }
}

// <J u, v> == <u, J^T v> with J the linearization in (x, y) jointly (both
// transpose rules at once) and in each operand alone.
TEST(DotGeneral, TransposeRulesSatisfyTheAdjointIdentity) {
  std::uint32_t seed = 50;
  for (const auto& c : dot_cases()) {
    SCOPED_TRACE(c.name);
    const Array x = random_array(c.x, DType::f64, seed), y = random_array(c.y, DType::f64, seed + 1);
    const std::vector<std::pair<const char*, pure::FlatFn>> fns = {
        {"both", [&](const Arrays& in) { return Arrays{lax::dot_general(in[0], in[1], c.contract, c.batch)}; }},
        {"lhs", [&](const Arrays& in) { return Arrays{lax::dot_general(in[0], y, c.contract, c.batch)}; }},
        {"rhs", [&](const Arrays& in) { return Arrays{lax::dot_general(x, in[0], c.contract, c.batch)}; }},
    };
    for (const auto& [which, f] : fns) {
      SCOPED_TRACE(which);
      const Arrays primals = std::string(which) == "both" ? Arrays{x, y} : Arrays{std::string(which) == "lhs" ? x : y};
      const pure::Linearized lin = pure::linearize_flat(f, primals);
      Arrays us;
      for (std::size_t k = 0; k < primals.size(); ++k) {
        us.push_back(random_array(primals[k].shape(), DType::f64, seed + 7 + static_cast<std::uint32_t>(k)));
      }
      const Array v = random_array(lin.outs[0].shape(), DType::f64, seed + 9);
      const auto [lhs, scale] = inner(lin.apply(us)[0], v);
      const Arrays jtv = lin.transpose({v});
      long double rhs = 0;
      for (std::size_t k = 0; k < us.size(); ++k) rhs += inner(us[k], jtv[k]).first;
      // f64 sums of < 1000 products each way: far below 1e-13 of sum |terms|.
      EXPECT_NEAR(static_cast<double>(lhs), static_cast<double>(rhs), 1e-13 * static_cast<double>(scale));
      EXPECT_GT(static_cast<double>(scale), 0.0);
    }
    seed += 10;
  }
}

// Second derivatives through dot_general's rules: the Hessian-vector product
// of sum(tanh(x . y)) in x, and the mixed derivative d/dy <grad_x f, w> of
// force matching, against central differences of first derivatives.
TEST(DotGeneral, GradOfGradAndJvpOfGrad) {
  const DotCase c = dot_cases()[1];
  const Array x = random_array(c.x, DType::f64, 70), y = random_array(c.y, DType::f64, 71);
  const Array w = random_array(c.x, DType::f64, 72);
  const auto f = [&](const Array& a, const Array& b) {
    return pure::sum(pure::tanh(lax::dot_general(a, b, c.contract, c.batch)));
  };
  const auto gx = pure::grad<0>(f);
  const auto gy = pure::grad<1>(f);
  const double h = 1e-5;

  const Array hw_rev = pure::grad<0>([&](const Array& a, const Array& b) { return pure::sum(gx(a, b) * w); })(x, y);
  const Array hw_fwd = pure::jvp([&](const Array& a) { return gx(a, y); }, x, w).second;
  const Array mixed = pure::grad<1>([&](const Array& a, const Array& b) { return pure::sum(gx(a, b) * w); })(x, y);
  const auto hp = host(gx(x + w * h, y)), hm = host(gx(x - w * h, y));
  const auto mp = host(gy(x + w * h, y)), mm = host(gy(x - w * h, y));
  const auto r = host(hw_rev), fw = host(hw_fwd), mx = host(mixed);
  for (std::size_t i = 0; i < hp.size(); ++i) {
    const double fd = (hp[i] - hm[i]) / (2 * h);
    EXPECT_NEAR(r[i], fd, 1e-7 * (1 + std::fabs(fd))) << "grad(grad) element " << i;
    EXPECT_NEAR(fw[i], fd, 1e-7 * (1 + std::fabs(fd))) << "jvp(grad) element " << i;
  }
  double norm = 0;
  for (std::size_t i = 0; i < mp.size(); ++i) {
    const double fd = (mp[i] - mm[i]) / (2 * h);
    norm = std::max(norm, std::fabs(fd));
    EXPECT_NEAR(mx[i], fd, 1e-7 * (1 + std::fabs(fd))) << "mixed element " << i;
  }
  EXPECT_GT(norm, 1e-3);
}

// ---------------------------------------------------------------- numpy surface

TEST(DotGeneral, NumpyMatmulBroadcastsAndDropsVectorAxes) {
  const Array a = random_array({2, 1, 3, 4}, DType::f64, 80);
  const Array b = random_array({5, 4, 2}, DType::f64, 81);
  const Array c = pure::matmul(a, b);
  ASSERT_EQ(c.shape(), (Shape{2, 5, 3, 2}));
  const auto ha = host(a), hb = host(b), hc = host(c);
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const auto o = coords(i, c.shape());  // (p, q, r, s) = sum_t a[p, 0, r, t] b[q, t, s]
    long double want = 0;
    for (std::int64_t t = 0; t < 4; ++t) {
      want += static_cast<long double>(ha[static_cast<std::size_t>(flat({o[0], 0, o[2], t}, a.shape()))]) *
              hb[static_cast<std::size_t>(flat({o[1], t, o[3]}, b.shape()))];
    }
    EXPECT_NEAR(hc[static_cast<std::size_t>(i)], static_cast<double>(want), 1e-14);
  }
  const Array v = random_array({4}, DType::f64, 82);
  const Array m = random_array({4, 3}, DType::f64, 83);
  EXPECT_EQ(pure::matmul(v, m).shape(), (Shape{3}));
  EXPECT_EQ(pure::matmul(a, v).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(pure::matmul(v, v).shape(), Shape{});
  EXPECT_EQ(host(pure::matmul(v, m)), host(lax::dot_general(v, m, {{0}, {0}})));
  // int32 times float32 computes in float32, as numpy's promotion
  EXPECT_EQ(pure::matmul(pure::ones({2, 2}, DType::i32), pure::ones({2, 2})).dtype(), DType::f32);
}

TEST(DotGeneral, NumpyDotContractsLastWithSecondToLast) {
  const Array a = random_array({2, 3, 4}, DType::f64, 90);
  const Array b = random_array({5, 4, 6}, DType::f64, 91);
  const Array c = pure::dot(a, b);
  ASSERT_EQ(c.shape(), (Shape{2, 3, 5, 6}));
  const auto ha = host(a), hb = host(b), hc = host(c);
  for (std::int64_t i = 0; i < c.size(); ++i) {
    const auto o = coords(i, c.shape());
    long double want = 0;
    for (std::int64_t t = 0; t < 4; ++t) {
      want += static_cast<long double>(ha[static_cast<std::size_t>(flat({o[0], o[1], t}, a.shape()))]) *
              hb[static_cast<std::size_t>(flat({o[2], t, o[3]}, b.shape()))];
    }
    EXPECT_NEAR(hc[static_cast<std::size_t>(i)], static_cast<double>(want), 1e-14);
  }
  EXPECT_EQ(pure::dot(a, random_array({4}, DType::f64, 92)).shape(), (Shape{2, 3}));
  EXPECT_EQ(host(pure::dot(a, pure::full({}, 2.0, DType::f64))), host(a * 2.0));
}

// ---------------------------------------------------------------- precision switch

TEST(DotGeneral, FastPathAgreesWithTheReproducibleKernel) {
  struct Restore {
    ~Restore() { pure::set_matmul_precision(pure::MatmulPrecision::reproducible); }
  } restore;
  pure::set_matmul_precision(pure::MatmulPrecision::fast);
  EXPECT_EQ(pure::matmul_precision(), pure::MatmulPrecision::fast);
  const Array x = random_array({3, 17, 33}, DType::f64, 100);
  const Array y = random_array({33, 3, 9}, DType::f64, 101);
  const lax::DimensionPair contract{{2}, {0}}, batch{{0}, {1}};
  const auto fast = host(lax::dot_general(x, y, contract, batch));
  pure::set_matmul_precision(pure::MatmulPrecision::reproducible);
  const auto repro = host(lax::dot_general(x, y, contract, batch));
  const HostDot want = host_dot_general(x, y, contract, batch);
  ASSERT_EQ(fast.size(), want.value.size());
  for (std::size_t i = 0; i < fast.size(); ++i) {
    // Any summation order of 33 f64 products: within 1e-14 of the sum of |terms|.
    EXPECT_NEAR(fast[i], static_cast<double>(want.value[i]), 1e-14 * static_cast<double>(want.magnitude[i]));
    EXPECT_NEAR(repro[i], static_cast<double>(want.value[i]), 1e-14 * static_cast<double>(want.magnitude[i]));
  }
  if (!pure::matmul_fast_available()) {
    EXPECT_EQ(fast, repro);  // without KokkosKernels "fast" falls back to the reproducible kernel
  }
}

// ---------------------------------------------------------------- errors

TEST(DotGeneral, BadArgumentsGiveClearErrors) {
  const Array x = pure::zeros({2, 3}), y = pure::zeros({4, 5});
  expect_error<pure::ShapeError>(
      [&] {
        lax::dot_general(x, y, {{1}, {0}});
      },
      "pure::dot_general: contracting axis 1 of f32[2,3] and axis 0 of f32[4,5]");
  expect_error<pure::DTypeError>(
      [&] {
        lax::dot_general(x, pure::zeros({3}, DType::f64), {{1}, {0}});
      },
      "pure::dot_general: operands must have the same numeric dtype");
  expect_error<pure::ShapeError>(
      [&] {
        lax::dot_general(x, x, {{1}, {1}}, {{1}, {0}});
      },
      "pure::dot_general: lhs axes");
  expect_error<pure::ShapeError>([&] { lax::dot_general(x, x, {{1}, {}}); }, "must pair up");
  expect_error<pure::ShapeError>([&] { pure::matmul(x, y); }, "pure::matmul: the last axis of a (2,3)");
  expect_error<pure::ShapeError>([&] { pure::matmul(x, pure::zeros({})); }, "pure::matmul: operands must have rank");
}

}  // namespace
