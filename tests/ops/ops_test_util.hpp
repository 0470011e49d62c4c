// Helpers shared by the op-specific tests in tests/ops (not the spec tables,
// which have spec_table.hpp).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <pure/pure.hpp>

namespace pure_test {

/// Elements of a float or integer array as doubles, for host-loop comparisons.
inline std::vector<double> host(const pure::Array& a) {
  switch (a.dtype()) {
    case pure::DType::f64: return a.to_host<double>();
    case pure::DType::f32: {
      const auto v = a.to_host<float>();
      return {v.begin(), v.end()};
    }
    case pure::DType::i32: {
      const auto v = a.to_host<std::int32_t>();
      return {v.begin(), v.end()};
    }
    case pure::DType::i64: {
      const auto v = a.to_host<std::int64_t>();
      return {v.begin(), v.end()};
    }
    default: throw pure::Error("test host(): unsupported dtype");
  }
}

/// Normal(0,1) test data from a fixed host generator, converted to `dtype`.
inline pure::Array random_array(const pure::Shape& s, pure::DType dtype, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist;
  std::vector<double> v(static_cast<std::size_t>(s.size()));
  for (auto& x : v) x = dist(gen);
  return pure::astype(pure::from_host(v, s), dtype);
}

using Arrays = std::vector<pure::Array>;
using pure::Array;
using pure::DType;
using pure::Shape;

// Row-major coordinates of flat index i.
inline std::vector<std::int64_t> coords(std::int64_t i, const Shape& s) {
  std::vector<std::int64_t> c(static_cast<std::size_t>(s.rank()));
  for (int d = s.rank() - 1; d >= 0; --d) {
    c[static_cast<std::size_t>(d)] = i % s[d];
    i /= s[d];
  }
  return c;
}
inline std::int64_t flat(const std::vector<std::int64_t>& c, const Shape& s) {
  std::int64_t i = 0;
  for (int d = 0; d < s.rank(); ++d) i = i * s[d] + c[static_cast<std::size_t>(d)];
  return i;
}

// (sum a*b, sum |a*b|) on the host in long double.
inline std::pair<long double, long double> inner(const Array& a, const Array& b) {
  const auto x = host(a), y = host(b);
  long double s = 0, m = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    s += static_cast<long double>(x[i]) * y[i];
    m += std::fabs(static_cast<long double>(x[i]) * y[i]);
  }
  return {s, m};
}

// <J u, v> == <u, J^T v> for f linear in its inputs: J u through the staged
// linear program (JVP rules), J^T v through the transpose rules. Both sides
// are the same sum in another order, so they agree to rtol times sum |terms|.
inline void expect_adjoint(const pure::FlatFn& f, const Arrays& primals, std::uint32_t seed, double rtol) {
  const pure::Linearized lin = pure::linearize_flat(f, primals);
  Arrays us, vs;
  for (std::size_t k = 0; k < primals.size(); ++k) {
    us.push_back(random_array(primals[k].shape(), primals[k].dtype(), seed + static_cast<std::uint32_t>(k)));
  }
  for (std::size_t k = 0; k < lin.outs.size(); ++k) {
    vs.push_back(random_array(lin.outs[k].shape(), lin.outs[k].dtype(), seed + 100 + static_cast<std::uint32_t>(k)));
  }
  const Arrays ju = lin.apply(us);
  const Arrays jtv = lin.transpose(vs);
  long double lhs = 0, rhs = 0, scale = 0;
  for (std::size_t k = 0; k < ju.size(); ++k) {
    const auto [s, m] = inner(ju[k], vs[k]);
    lhs += s;
    scale += m;
  }
  for (std::size_t k = 0; k < us.size(); ++k) rhs += inner(us[k], jtv[k]).first;
  EXPECT_NEAR(static_cast<double>(lhs), static_cast<double>(rhs), rtol * static_cast<double>(scale) + 1e-300);
  EXPECT_GT(static_cast<double>(scale), 0.0);  // the identity must not hold trivially
}

// JVP vs central differences in f64 with step h, tolerance 1e-7 (1 + |fd|).
// Callers pick h so truncation (h^2 |f'''| / 6) and rounding (eps |f| / h) stay
// well below that, e.g. 1e-6 for y sin(y) with |y| <~ 20.
inline void expect_jvp_matches_differences(const pure::FlatFn& f, const Arrays& x, std::uint32_t seed, double h) {
  Arrays u, xp, xm;
  for (std::size_t k = 0; k < x.size(); ++k) {
    u.push_back(random_array(x[k].shape(), DType::f64, seed + static_cast<std::uint32_t>(k)));
    xp.push_back(x[k] + u[k] * h);
    xm.push_back(x[k] - u[k] * h);
  }
  const auto [outs, touts] = pure::jvp_flat(f, x, u);
  const Arrays fp = f(xp), fm = f(xm);
  ASSERT_EQ(touts.size(), fp.size());
  for (std::size_t k = 0; k < fp.size(); ++k) {
    const auto a = host(fp[k]), b = host(fm[k]);
    const auto t = pure::ir::is_zero(touts[k]) ? std::vector<double>(a.size(), 0.0) : host(touts[k]);
    ASSERT_EQ(t.size(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double fd = (a[i] - b[i]) / (2 * h);
      EXPECT_NEAR(t[i], fd, 1e-7 * (1 + std::fabs(fd))) << "output " << k << " element " << i;
    }
  }
}

// H w for a scalar f two ways, grad(grad) and jvp(grad), against central
// differences of grad f (tolerance as in expect_jvp_matches_differences).
inline void expect_second_order(const std::function<Array(const Array&)>& f, const Array& x, std::uint32_t seed) {
  const Array w = random_array(x.shape(), DType::f64, seed);
  const auto g = pure::grad(f);
  const Array hw_rev = pure::grad([&](const Array& z) { return pure::sum(g(z) * w); })(x);
  const Array hw_fwd = pure::jvp(g, x, w).second;
  const double h = 1e-5;
  const auto gp = host(g(x + w * h)), gm = host(g(x - w * h));
  const auto r = host(hw_rev), fw = host(hw_fwd);
  double norm = 0;
  for (std::size_t i = 0; i < gp.size(); ++i) norm = std::max(norm, std::fabs((gp[i] - gm[i]) / (2 * h)));
  EXPECT_GT(norm, 1e-3);  // a second derivative that is really there
  for (std::size_t i = 0; i < gp.size(); ++i) {
    const double fd = (gp[i] - gm[i]) / (2 * h);
    EXPECT_NEAR(r[i], fd, 1e-7 * (1 + norm)) << "grad(grad) element " << i;
    EXPECT_NEAR(fw[i], fd, 1e-7 * (1 + norm)) << "jvp(grad) element " << i;
  }
}

// A smooth nonlinear scalar of an op's output, so second derivatives pass
// through the op's rules twice.
inline Array smooth_sum(const Array& y) { return pure::sum(pure::sin(y) * y); }

/// Expects `f` to throw E whose message contains `fragment`.
template <class E, class F>
void expect_error(F f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing '" << fragment << "'";
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace pure_test
