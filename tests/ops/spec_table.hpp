// Spec tables for the primitives, after JAX's lax_test_util.py / lax_autodiff_test.py:
// one table per primitive family (test_spec_elementwise.cpp, test_spec_structural.cpp,
// test_spec_reductions.cpp). A row names the op (a callable over pure::lax), the
// primitive it covers, the input domain of each argument, the dtypes and an
// accuracy class; the numbers behind the accuracy classes live in ONE per-dtype
// table below. The parameterised checks in test_spec_elementwise.cpp run every row:
//   forward        vs a plain host loop in long double (each listed dtype)
//   jvp            vs central differences in random directions (f64)
//   vjp identity   <J u, v> == <u, J^T v>
//   second order   jvp(grad) and grad(grad) vs differences of the first derivative
//   transpose      <A u, v> == <u, A^T v> through the primitive's own transpose rule
//   zero           ops whose derivative is zero by definition give zero tangents
// and a coverage test fails when a registered primitive has no row.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <pure/pure.hpp>

namespace spec {

using pure::Array;
using pure::DType;
using pure::Shape;
using Args = std::vector<Array>;
using LD = long double;

// ================================================================ tolerances

/// What forward error a row expects against the long-double host loop.
enum class Accuracy {
  exact,        // data movement, integer arithmetic, comparisons, one correctly rounded op
  rounded,      // one elementwise function: a few ulp
  accumulated,  // sums and other chains of roundings over many elements
};

struct Tol {
  double rtol, atol;  // |got - want| <= atol + rtol * |want| (inner products: rtol of the sum of |terms|)
};

/// The one tolerance table, one line per dtype. Columns: forward (rounded,
/// accumulated), jvp vs central differences, the vjp and transpose identities,
/// second derivatives vs differences of the first. exact is always 0.
/// Why these numbers:
///  - rounded: pure::math and libm are within ~1 ulp, the composite kernels
///    (logistic, rsqrt, integer_pow) add up to ~3 roundings: 4 ulp.
///  - accumulated: pairwise sums of up to ~600 positive terms: log2(n) + few roundings.
///  - jvp/second in f64 with step h = 1e-5 and |u| <~ 4: truncation h^2 |u|^3 f'''/6
///    is below 1e-6 relative for the domains in the tables; rounding eps |f| / h ~ 1e-11.
///    Linear rows use h = 1 (the difference quotient is exact), so in f32 only the
///    rounding of x +- u, ~ 6e-8 |x|, remains.
///  - identities: both sides are the same sum in another order: a few eps of the sum
///    of |terms|.
struct DTypeTolerances {
  DType dtype;
  Tol rounded, accumulated, jvp, identity, second;
};

inline const std::vector<DTypeTolerances>& tolerance_table() {
  static const std::vector<DTypeTolerances> table = {
      //            rounded         accumulated     jvp            identity        second
      {DType::f32, {5e-7, 1e-37}, {2e-6, 1e-37}, {1e-5, 1e-6}, {1e-5, 1e-30}, {1e-5, 1e-6}},
      {DType::f64, {1e-15, 1e-300}, {1e-14, 1e-300}, {1e-6, 1e-8}, {1e-13, 1e-300}, {1e-6, 1e-7}},
  };
  return table;
}

enum class Check { forward, jvp, identity, second };

/// The tolerance for a check in a dtype; integer and boolean dtypes are exact.
inline Tol tolerance(DType dtype, Check check, Accuracy accuracy = Accuracy::rounded) {
  if (check == Check::forward && accuracy == Accuracy::exact) return {0, 0};
  for (const DTypeTolerances& t : tolerance_table()) {
    if (t.dtype != dtype) continue;
    switch (check) {
      case Check::forward: return accuracy == Accuracy::rounded ? t.rounded : t.accumulated;
      case Check::jvp: return t.jvp;
      case Check::identity: return t.identity;
      case Check::second: return t.second;
    }
  }
  return {0, 0};
}

/// The coarser of two float dtypes (derivative checks of conversions run in the coarser one).
inline DType coarser(DType a, DType b) { return (a == DType::f32 || b == DType::f32) ? DType::f32 : DType::f64; }

// ================================================================ host values

/// An array on the host in long double: what the reference loops compute with.
struct Host {
  Shape shape;
  std::vector<LD> v;
};

inline Host to_host_ld(const Array& a) {
  Host h{a.shape(), {}};
  auto take = [&](const auto& xs) { h.v.assign(xs.begin(), xs.end()); };
  switch (a.dtype()) {
    case DType::f32: take(a.to_host<float>()); break;
    case DType::f64: take(a.to_host<double>()); break;
    case DType::i32: take(a.to_host<std::int32_t>()); break;
    case DType::u32: take(a.to_host<std::uint32_t>()); break;
    case DType::i64: take(a.to_host<std::int64_t>()); break;
    case DType::u64: take(a.to_host<std::uint64_t>()); break;
    case DType::boolean: take(pure::to_host_bool(a)); break;
  }
  return h;
}

/// An Array of `dtype` holding `v` (each value converted as static_cast would).
inline Array make_array(const std::vector<LD>& v, const Shape& shape, DType dtype) {
  auto conv = [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<T>(v[i]);
    return pure::from_host(out, shape);
  };
  switch (dtype) {
    case DType::f32: return conv(float{});
    case DType::f64: return conv(double{});
    case DType::i32: return conv(std::int32_t{});
    case DType::u32: return conv(std::uint32_t{});
    case DType::i64: return conv(std::int64_t{});
    case DType::u64: return conv(std::uint64_t{});
    case DType::boolean: {
      std::vector<std::uint8_t> b(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) b[i] = v[i] != 0;
      return pure::from_host_bool(b, shape);
    }
  }
  return Array();
}

/// A host value rounded to `dtype` (what a kernel writing `dtype` can at best return).
inline LD round_to(LD x, DType dtype) {
  switch (dtype) {
    case DType::f32: return static_cast<float>(x);
    case DType::f64: return static_cast<double>(x);
    case DType::i32: return static_cast<std::int32_t>(x);
    case DType::u32: return static_cast<std::uint32_t>(x);
    case DType::i64: return static_cast<std::int64_t>(x);
    case DType::u64: return static_cast<std::uint64_t>(x);
    case DType::boolean: return x != 0;
  }
  return x;
}

/// Row-major multi-index of flat position i.
inline std::vector<std::int64_t> unravel(std::int64_t i, const Shape& s) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(s.rank()));
  for (int d = s.rank() - 1; d >= 0; --d) {
    idx[static_cast<std::size_t>(d)] = i % s[d];
    i /= s[d];
  }
  return idx;
}

inline std::int64_t ravel(const std::vector<std::int64_t>& idx, const Shape& s) {
  std::int64_t i = 0;
  for (int d = 0; d < s.rank(); ++d) i = i * s[d] + idx[static_cast<std::size_t>(d)];
  return i;
}

/// Inner product in long double (inputs may be any float dtype).
inline LD dot(const Host& a, const Host& b) {
  LD s = 0;
  for (std::size_t i = 0; i < a.v.size(); ++i) s += a.v[i] * b.v[i];
  return s;
}
inline LD abs_dot(const Host& a, const Host& b) {
  LD s = 0;
  for (std::size_t i = 0; i < a.v.size(); ++i) s += std::fabs(a.v[i] * b.v[i]);
  return s;
}

/// Expects got == want elementwise within tol, naming the first few bad elements.
inline void expect_close(const Host& got, const Host& want, Tol tol, const std::string& what) {
  ASSERT_EQ(got.shape, want.shape) << what;
  int reported = 0;
  for (std::size_t i = 0; i < want.v.size(); ++i) {
    const LD err = std::fabs(got.v[i] - want.v[i]);
    const bool ok =
        tol.rtol == 0 && tol.atol == 0 ? got.v[i] == want.v[i] : err <= tol.atol + tol.rtol * std::fabs(want.v[i]);
    if (!ok && reported++ < 5) {
      ADD_FAILURE() << what << ": element " << i << " got " << static_cast<double>(got.v[i]) << " want "
                    << static_cast<double>(want.v[i]) << " (error " << static_cast<double>(err) << ", rtol " << tol.rtol
                    << ", atol " << tol.atol << ")";
    }
  }
}

/// Expects two inner products of the same terms to agree: |a - b| <= atol + rtol * scale.
inline void expect_same_sum(LD a, LD b, LD scale, Tol tol, const std::string& what) {
  EXPECT_LE(std::fabs(a - b), tol.atol + tol.rtol * scale)
      << what << ": " << static_cast<double>(a) << " vs " << static_cast<double>(b) << " (sum of |terms| "
      << static_cast<double>(scale) << ")";
}

// ================================================================ rows

/// How an argument is drawn.
enum class Kind {
  real,     // the row's dtype under test (f64 for derivative checks)
  boolean,  // a random predicate
  index,    // int32 whole numbers in [lo, hi] (indices)
};

struct Arg {
  Shape shape;
  double lo = -3, hi = 3;  // domain: uniform in (lo, hi)
  Kind kind = Kind::real;
  bool fixed = false;     // real, but held constant by the derivative checks
  bool integral = false;  // draw whole numbers (ties for comparisons)
};

inline Arg real(Shape shape, double lo, double hi) { return Arg{std::move(shape), lo, hi}; }
inline Arg fixed_real(Shape shape, double lo, double hi) {
  Arg a = real(std::move(shape), lo, hi);
  a.fixed = true;
  return a;
}
inline Arg whole(Shape shape, double lo, double hi) {
  Arg a = real(std::move(shape), lo, hi);
  a.integral = true;
  return a;
}
inline Arg predicate(Shape shape) { return Arg{std::move(shape), 0, 1, Kind::boolean}; }
inline Arg indices(Shape shape, double lo, double hi) { return Arg{std::move(shape), lo, hi, Kind::index}; }

/// How a row is differentiated.
enum class Diff {
  none,       // not differentiable (integer or boolean only): forward check only
  zero,       // derivative is zero by definition (floor, sign, comparisons, stop_gradient)
  smooth,     // differentiable on the domain
  piecewise,  // differentiable except on a null set the random draws avoid (abs, max)
  linear,     // linear in its non-fixed real arguments: also the transpose identity
};

/// The reference: the arguments' values (exactly as stored) and the dtype of the
/// real arguments; most references compute in long double and ignore the dtype.
using HostRef = std::function<Host(const std::vector<Host>&, DType)>;
/// A scalar reference of the arguments' elements.
using ScalarRef = std::function<LD(const std::vector<LD>&, DType)>;

struct Row {
  std::string name;  // unique; the test-name suffix
  std::string prim;  // the registered primitive this row covers (op must bind it)
  std::vector<Arg> args;
  std::function<Array(const Args&)> op;  // calls pure::lax
  std::function<Array(DType)> constant;  // instead of op for ops without operands (iota): the result in a dtype
  HostRef ref;                           // plain host loop on the same inputs
  std::vector<DType> dtypes;             // dtypes of the real arguments for the forward check
  Accuracy accuracy = Accuracy::rounded;
  Diff diff = Diff::smooth;
  DType deriv_dtype = DType::f64;                   // real arguments' dtype in derivative checks
  std::function<DType(DType)> out_dtype = nullptr;  // result dtype given the real dtype (default: same)
  bool second_order = true;                         // run the second-derivative check
};

inline const std::vector<DType> kFloats = {DType::f32, DType::f64};
inline const std::vector<DType> kNumeric = {DType::f32, DType::f64, DType::i32};

/// An elementwise reference from a scalar function of the arguments' elements.
inline HostRef map_ref(ScalarRef f) {
  return [f](const std::vector<Host>& in, DType dtype) {
    Host out{in.at(0).shape, std::vector<LD>(in[0].v.size())};
    std::vector<LD> xs(in.size());
    for (std::size_t i = 0; i < out.v.size(); ++i) {
      for (std::size_t k = 0; k < in.size(); ++k) xs[k] = in[k].v[i];
      out.v[i] = f(xs, dtype);
    }
    return out;
  };
}

/// A scalar reference computed in long double (the true value, up to long double rounding).
template <class F>
ScalarRef in_long_double(F f) {
  return [f](const std::vector<LD>& x, DType) -> LD {
    if constexpr (std::is_invocable_v<F, LD>) {
      return f(x.at(0));
    } else {
      return f(x.at(0), x.at(1));
    }
  };
}

/// A scalar reference computed in the dtype itself (float, double, int32 arithmetic),
/// for ops that IEEE 754 or C++ define exactly: + - * / sqrt, integer division.
template <class F>
ScalarRef in_dtype(F f) {
  return [f](const std::vector<LD>& x, DType dtype) -> LD {
    auto call = [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_invocable_v<F, T>) {
        return static_cast<LD>(f(static_cast<T>(x.at(0))));
      } else {
        return static_cast<LD>(f(static_cast<T>(x.at(0)), static_cast<T>(x.at(1))));
      }
    };
    switch (dtype) {
      case DType::f32: return call(float{});
      case DType::f64: return call(double{});
      case DType::i32: return call(std::int32_t{});
      default: return call(LD{});
    }
  };
}

/// An elementwise row on `args` of equal shape.
inline Row elementwise(std::string name, std::vector<Arg> args, std::function<Array(const Args&)> op, ScalarRef ref,
                       Diff diff, std::vector<DType> dtypes = kFloats, Accuracy accuracy = Accuracy::rounded) {
  Row r;
  r.prim = name;
  r.name = std::move(name);
  r.args = std::move(args);
  r.op = std::move(op);
  r.ref = map_ref(std::move(ref));
  r.dtypes = std::move(dtypes);
  r.accuracy = accuracy;
  r.diff = diff;
  return r;
}

/// A row from its parts (the family tables' builders call this).
inline Row make_row(std::string name, std::string prim, std::vector<Arg> args, std::function<Array(const Args&)> op,
                    HostRef ref, Diff diff, Accuracy accuracy, std::vector<DType> dtypes = kNumeric) {
  Row r;
  r.name = std::move(name);
  r.prim = std::move(prim);
  r.args = std::move(args);
  r.op = std::move(op);
  r.ref = std::move(ref);
  r.dtypes = std::move(dtypes);
  r.accuracy = accuracy;
  r.diff = diff;
  return r;
}

/// The tables (each defined in its family's test file).
std::vector<Row> elementwise_rows();
std::vector<Row> structural_rows();
std::vector<Row> reduction_rows();
std::vector<Row> math_rows();       // test_spec_math.cpp
std::vector<Row> structure_rows();  // rev and the dynamic slices: test_numpy_structure.cpp

/// Primitives that need no row, each with the reason.
struct Exemption {
  std::string prim, why;
};
std::vector<Exemption> exempt_primitives();

// ================================================================ parameterised cases

struct Case {
  Row row;
  DType dtype;  // dtype of the real arguments
};

inline std::string dtype_tag(DType d) { return pure::ir::short_dtype_name(d); }

inline std::vector<Case> forward_cases(const std::vector<Row>& rows) {
  std::vector<Case> out;
  for (const Row& r : rows) {
    for (DType d : r.dtypes) out.push_back({r, d});
  }
  return out;
}

/// Cases for a derivative check: rows whose Diff is in `kinds`, in their derivative dtype.
inline std::vector<Case> derivative_cases(const std::vector<Row>& rows, std::vector<Diff> kinds,
                                          bool needs_second = false) {
  std::vector<Case> out;
  for (const Row& r : rows) {
    bool match = false;
    for (Diff k : kinds) match = match || r.diff == k;
    if (match && (!needs_second || r.second_order)) out.push_back({r, r.deriv_dtype});
  }
  return out;
}

// gtest prints a failing case's parameter with this.
inline void PrintTo(const Case& c, std::ostream* os) { *os << c.row.name << " in " << dtype_tag(c.dtype); }

inline std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.row.name + "_" + dtype_tag(info.param.dtype);
}

inline std::vector<Diff> differentiable() { return {Diff::smooth, Diff::piecewise, Diff::linear}; }

// The fixtures; their TEST_Ps live in test_spec_elementwise.cpp, and each family
// file instantiates them with its own rows.
class SpecForward : public ::testing::TestWithParam<Case> {};
class SpecJvp : public ::testing::TestWithParam<Case> {};
class SpecVjp : public ::testing::TestWithParam<Case> {};
class SpecSecondOrder : public ::testing::TestWithParam<Case> {};
class SpecTranspose : public ::testing::TestWithParam<Case> {};
class SpecZeroDerivative : public ::testing::TestWithParam<Case> {};

/// Instantiates every check for one family's table.
#define PURE_SPEC_INSTANTIATE(Family, rows_fn)                                                                       \
  INSTANTIATE_TEST_SUITE_P(Family, SpecForward, ::testing::ValuesIn(::spec::forward_cases(rows_fn())),               \
                           ::spec::case_name);                                                                       \
  INSTANTIATE_TEST_SUITE_P(Family, SpecJvp,                                                                          \
                           ::testing::ValuesIn(::spec::derivative_cases(rows_fn(), ::spec::differentiable())),       \
                           ::spec::case_name);                                                                       \
  INSTANTIATE_TEST_SUITE_P(Family, SpecVjp,                                                                          \
                           ::testing::ValuesIn(::spec::derivative_cases(rows_fn(), ::spec::differentiable())),       \
                           ::spec::case_name);                                                                       \
  INSTANTIATE_TEST_SUITE_P(Family, SpecSecondOrder,                                                                  \
                           ::testing::ValuesIn(::spec::derivative_cases(rows_fn(), ::spec::differentiable(), true)), \
                           ::spec::case_name);                                                                       \
  INSTANTIATE_TEST_SUITE_P(Family, SpecTranspose,                                                                    \
                           ::testing::ValuesIn(::spec::derivative_cases(rows_fn(), {::spec::Diff::linear})),         \
                           ::spec::case_name);                                                                       \
  INSTANTIATE_TEST_SUITE_P(Family, SpecZeroDerivative,                                                               \
                           ::testing::ValuesIn(::spec::derivative_cases(rows_fn(), {::spec::Diff::zero})),           \
                           ::spec::case_name)

}  // namespace spec
