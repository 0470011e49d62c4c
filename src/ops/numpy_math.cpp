// More of the numpy-like surface: inverse and hyperbolic functions, log2/log10/exp2,
// logaddexp, integer powers, prod/cumprod, std, sort/argsort. Only calls
// pure::lax and the numpy surface; the two primitives they need are in
// logaddexp.cpp and sort.cpp. Accuracy and derivative conventions: docs/numpy_math.md.
#include <pure/core/creation.hpp>
#include <pure/ops/numpy.hpp>

#include "entry.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace pure {
namespace {

constexpr double kLn2 = 0.69314718055994530942;
constexpr double kLn10 = 2.30258509299404568402;
// Above this |x|, asinh(x) = log(2|x|) + 1/(4x^2) - ... and acosh too equal
// log(x) + ln 2 to below double rounding (1/(4x^2) < 2^-59 log(2x)), and x^2
// stays far from overflow below it.
constexpr double kLogRegime = 1e8;
// Above this |x|, sinh(x) = e^|x| / 2 to below double rounding (e^-2|x| < 2^-57).
constexpr double kExpRegime = 20;

// Integers in their inexact dtype, as jax with x64 (i32 -> f32, i64 -> f64): docs/promotion.md.
Array to_float(const Array& x) { return astype(x, to_inexact_dtype(x.dtype())); }
Array as_number(const Array& x) { return x.dtype() == DType::boolean ? astype(x, DType::i32) : x; }

// True where the sign bit of x is set, -0.0 included (1 / -0.0 = -inf); false for NaN.
Array sign_bit(const Array& x) {
  const Array negative = x < scalar_like(x, 0.0);
  return where(negative, negative, (1.0 / x) < scalar_like(x, 0.0));
}

std::int64_t count_over(const std::vector<std::int64_t>& axes, const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t a : axes) n *= shape[static_cast<int>(a)];
  return n;
}

// The shape after reducing `axes` (kept as extent 1 with keepdims).
Shape reduced_shape(const Shape& s, const std::vector<std::int64_t>& axes, bool keepdims) {
  std::vector<std::int64_t> d;
  for (int i = 0; i < s.rank(); ++i) {
    const bool reduced = std::binary_search(axes.begin(), axes.end(), static_cast<std::int64_t>(i));
    if (!reduced) {
      d.push_back(s[i]);
    } else if (keepdims) {
      d.push_back(1);
    }
  }
  return Shape(d);
}

DType index_dtype_for(std::int64_t n) { return n > std::numeric_limits<std::int32_t>::max() ? DType::i64 : DType::i32; }

// x with `before` ones put before its elements along `axis` and `after` ones
// after them; a negative count cuts that many elements instead (lax::pad).
Array pad_ones(const Array& x, std::int64_t axis, std::int64_t before, std::int64_t after) {
  std::vector<std::int64_t> low(static_cast<std::size_t>(x.rank()), 0), high = low;
  low[static_cast<std::size_t>(axis)] = before;
  high[static_cast<std::size_t>(axis)] = after;
  return lax::pad(x, scalar_like(x, 1.0), low, high);
}

// Elements start, start + 2, ... of the last axis.
Array every_other(const Array& x, std::int64_t start) {
  const int r = x.rank();
  std::vector<std::int64_t> begin(static_cast<std::size_t>(r), 0), strides(static_cast<std::size_t>(r), 1);
  begin.back() = start;
  strides.back() = 2;
  return lax::slice(x, begin, x.shape().dims(), strides);
}

// log(x) / ln b is within 2 ulp but misses whole numbers at many powers of b
// (jax's log2(8.0) is 2.9999999999999996); there the nearest whole number n is
// returned when b^n == x. Powers of 10 below the normal range are rounded too
// coarsely for that test, so it is made only from `smallest` up. n carries r's
// derivative: n + (r - stop_gradient(r)).
Array log_base(const Array& x, double b, double ln_b, bool subnormal_powers_exact) {
  const Array xf = to_float(x);
  const Array r = log(xf) / ln_b;
  const Array n = floor(r + 0.5);
  const double smallest = subnormal_powers_exact     ? 0.0
                          : xf.dtype() == DType::f32 ? std::numeric_limits<float>::min()
                                                     : std::numeric_limits<double>::min();
  const Array candidate = where(equal(r - r, scalar_like(r, 0.0)), xf >= scalar_like(xf, smallest),
                                less(xf, xf));  // false for +-inf and NaN
  const Array exact = where(candidate, equal(power(scalar_like(n, b), n), xf), candidate);
  return where(exact, n + (r - lax::stop_gradient(r)), r);
}

}  // namespace

// ---------------------------------------------------------------- trigonometric

Array tan(const Array& x) {
  const detail::Entry entry("pure::tan", {{"x", x}});
  const Array xf = to_float(x);
  return lax::div(lax::sin(xf), lax::cos(xf));
}

// atan2(x, sqrt(1 - x) sqrt(1 + x)): 1 - x and 1 + x are exact near |x| = 1,
// where 1 - x * x would lose the low bits. The square roots are taken before
// the product so that at x = +-1 reverse mode gives +inf (as jax's
// rsqrt(1 - x^2)): a cotangent of inf never meets a factor 0, which would give NaN.
Array arcsin(const Array& x) {
  const detail::Entry entry("pure::arcsin", {{"x", x}});
  const Array xf = to_float(x);
  return arctan2(xf, sqrt(1.0 - xf) * sqrt(1.0 + xf));
}

// 2 atan2(sqrt(1 - x), sqrt(1 + x)): no cancellation near either end (1 - x
// and 1 + x are exact there), pi at x = -1, and derivative -inf at both ends, as jax.
Array arccos(const Array& x) {
  const detail::Entry entry("pure::arccos", {{"x", x}});
  const Array xf = to_float(x);
  return 2.0 * arctan2(sqrt(1.0 - xf), sqrt(1.0 + xf));
}

Array arctan(const Array& x) {
  const detail::Entry entry("pure::arctan", {{"x", x}});
  const Array xf = to_float(x);
  return arctan2(xf, scalar_like(xf, 1.0));
}

// ---------------------------------------------------------------- hyperbolic

// (expm1(x) - expm1(-x)) / 2 adds two terms of one sign (no cancellation near
// 0, and -0.0 stays -0.0). Beyond |x| = 20 it is e^|x| / 2, taken as
// (h / 2) h with h = e^(|x|/2) so that it overflows only where sinh does.
Array sinh(const Array& x) {
  const detail::Entry entry("pure::sinh", {{"x", x}});
  const Array xf = to_float(x);
  const Array a = abs(xf);
  const Array near = a < scalar_like(a, kExpRegime);
  // Each branch sees only inputs it is meant for ("double where"), so the
  // other branch's inf or NaN cannot leak into derivatives.
  const Array xs = where(near, xf, scalar_like(xf, 0.0));
  const Array middle = 0.5 * (expm1(xs) - expm1(-xs));
  const Array h = exp(0.5 * where(near, scalar_like(a, kExpRegime), a));
  const Array far = (0.5 * h) * h;
  return where(near, middle, where(xf < scalar_like(xf, 0.0), -far, far));
}

// (h / 2) h + (1 / 2h) / h with h = e^(|x|/2): two positive terms, and
// overflow only where cosh itself overflows.
Array cosh(const Array& x) {
  const detail::Entry entry("pure::cosh", {{"x", x}});
  const Array h = exp(0.5 * abs(to_float(x)));
  return (0.5 * h) * h + (0.5 / h) / h;
}

// asinh(a) = log1p(a + a^2 / (1 + sqrt(1 + a^2))) for a = |x| (accurate near 0),
// log(a) + ln 2 beyond 1e8, with the sign of x put back (-0.0 included); all
// derivatives, at 0 too, are those of the odd function.
Array arcsinh(const Array& x) {
  const detail::Entry entry("pure::arcsinh", {{"x", x}});
  const Array xf = to_float(x);
  const Array neg = sign_bit(xf);
  const Array a = where(neg, -xf, xf);
  const Array far = a >= scalar_like(a, kLogRegime);
  const Array an = where(far, scalar_like(a, 0.0), a);
  const Array a2 = an * an;
  const Array r_near = log1p(an + a2 / (1.0 + sqrt(1.0 + a2)));
  const Array r_far = log(where(far, a, scalar_like(a, 1.0))) + kLn2;
  const Array r = where(far, r_far, r_near);
  return where(neg, -r, r);
}

// acosh(x) = log1p((x - 1) + sqrt(x - 1) sqrt(x + 1)) (x - 1 exact near 1; the
// roots taken apart as in arcsin, for the derivative +inf at 1 in both modes,
// as jax), and log(x) + ln 2 beyond 1e8. NaN below 1.
Array arccosh(const Array& x) {
  const detail::Entry entry("pure::arccosh", {{"x", x}});
  const Array xf = to_float(x);
  const Array far = xf >= scalar_like(xf, kLogRegime);
  const Array xn = where(far, scalar_like(xf, 2.0), xf);
  const Array r_near = log1p((xn - 1.0) + sqrt(xn - 1.0) * sqrt(xn + 1.0));
  const Array r_far = log(where(far, xf, scalar_like(xf, 1.0))) + kLn2;
  return where(far, r_far, r_near);
}

// (log1p(x) - log1p(-x)) / 2: the two logs have opposite signs, so no
// cancellation anywhere in (-1, 1); +-inf at +-1, NaN beyond.
Array arctanh(const Array& x) {
  const detail::Entry entry("pure::arctanh", {{"x", x}});
  const Array xf = to_float(x);
  return 0.5 * (log1p(xf) - log1p(-xf));
}

// ---------------------------------------------------------------- logs and powers

Array log2(const Array& x) {
  const detail::Entry entry("pure::log2", {{"x", x}});
  return log_base(x, 2, kLn2, true);
}
Array log10(const Array& x) {
  const detail::Entry entry("pure::log10", {{"x", x}});
  return log_base(x, 10, kLn10, false);
}
Array exp2(const Array& x) {
  const detail::Entry entry("pure::exp2", {{"x", x}});
  const Array xf = to_float(x);
  return power(scalar_like(xf, 2.0), xf);
}

Array logaddexp(const Array& x, const Array& y) {
  const detail::Entry entry("pure::logaddexp", {{"x", x}, {"y", y}});
  const DType d = to_inexact_dtype(promote_types(x.dtype(), y.dtype()));
  const Shape s = broadcast_shapes(x.shape(), y.shape(), "pure::logaddexp");
  return lax::logaddexp(broadcast_to(astype(x, d), s), broadcast_to(astype(y, d), s));
}

namespace detail {
Array integer_power(const Array& x, std::int64_t n, const char* op) {
  const Array xi = as_number(x);
  if (is_floating(xi.dtype())) return lax::integer_pow(xi, n);
  if (n < 0) {
    throw ValueError(std::string(op) + ": integers cannot be raised to negative powers, got n = " + std::to_string(n) +
                     " for " + dtype_name(xi.dtype()) + xi.shape().str());
  }
  // Binary exponentiation by lax::mul, which wraps modulo 2^bits for integers.
  Array acc, base = xi;
  for (std::uint64_t k = static_cast<std::uint64_t>(n); k > 0; k >>= 1) {
    if (k & 1u) acc = acc.valid() ? lax::mul(acc, base) : base;
    if (k > 1) base = lax::mul(base, base);
  }
  return acc.valid() ? acc : pure::ones(xi.shape(), xi.dtype());
}
}  // namespace detail

Array integer_pow(const Array& x, std::int64_t n) {
  const detail::Entry entry("pure::integer_pow", {{"x", x}});
  return detail::integer_power(x, n, "pure::integer_pow");
}
Array power(const Array& x, double y) {
  const detail::Entry entry("pure::power", {{"x", x}});
  return power(x, weak_scalar(x, y));  // a weak float: int32 x gives float64, as jnp.power(x, 2.5)
}

// ---------------------------------------------------------------- products

// The reduced axes are moved last and flattened; then each step multiplies
// elements 2i and 2i+1 (an odd count gets a 1 appended), a fixed pairwise
// tree: no division, so derivatives are exact where elements are 0.
Array prod(const Array& x, std::vector<std::int64_t> axes, bool keepdims) {
  const detail::Entry entry("pure::prod", {{"x", x}});
  const char* op = "pure::prod";
  axes = detail::normalize_axes(axes, x.shape(), op);
  const Array xi = as_number(x);
  std::vector<std::int64_t> perm, dims;
  for (int d = 0; d < x.rank(); ++d) {
    if (!std::binary_search(axes.begin(), axes.end(), static_cast<std::int64_t>(d))) {
      perm.push_back(d);
      dims.push_back(x.shape()[d]);
    }
  }
  perm.insert(perm.end(), axes.begin(), axes.end());
  std::int64_t m = count_over(axes, x.shape());
  dims.push_back(m);
  Array y = lax::reshape(lax::transpose(xi, perm), Shape(dims));
  const std::int64_t last = y.rank() - 1;
  if (m == 0) {
    y = pad_ones(y, last, 0, 1);
    m = 1;
  }
  while (m > 1) {
    if (m % 2 == 1) {
      y = pad_ones(y, last, 0, 1);
      ++m;
    }
    y = lax::mul(every_other(y, 0), every_other(y, 1));
    m /= 2;
  }
  return lax::reshape(y, reduced_shape(x.shape(), axes, keepdims));
}

// Hillis-Steele scan: after the step with shift s, element k holds the product
// of elements k - 2s + 1 .. k; each step multiplies by the array shifted by s
// (ones shifted in). log2(n) steps, no division.
Array cumprod(const Array& x, std::int64_t axis) {
  const detail::Entry entry("pure::cumprod", {{"x", x}});
  const std::int64_t a = detail::normalize_axis(axis, x.shape(), "pure::cumprod");
  const std::int64_t n = x.shape()[static_cast<int>(a)];
  Array y = as_number(x);
  for (std::int64_t s = 1; s < n; s *= 2) y = lax::mul(y, pad_ones(y, a, s, -s));
  return y;
}
Array cumprod(const Array& x) {
  const detail::Entry entry("pure::cumprod", {{"x", x}});
  return cumprod(lax::reshape(x, Shape{x.size()}), 0);
}

// ---------------------------------------------------------------- var, std

Array var(const Array& x, std::vector<std::int64_t> axes, bool keepdims, double ddof) {
  const detail::Entry entry("pure::var", {{"x", x}});
  const char* op = "pure::var";
  axes = detail::normalize_axes(axes, x.shape(), op);
  const Array xf = to_float(x);
  const Array centered = xf - mean(xf, axes, true);
  const Array ss = sum(centered * centered, axes, keepdims);
  const double dof = static_cast<double>(count_over(axes, x.shape())) - ddof;
  // As jnp.var: NaN (not inf or a negative value) when no degrees of freedom
  // are left, and a NaN derivative too (ss times NaN, not a constant).
  if (!(dof > 0)) return ss * pure::full(Shape{}, std::numeric_limits<double>::quiet_NaN(), ss.dtype());
  return ss / dof;
}

Array std(const Array& x, std::vector<std::int64_t> axes, bool keepdims, double ddof) {
  const detail::Entry entry("pure::std", {{"x", x}});
  detail::normalize_axes(axes, x.shape(), "pure::std");
  return sqrt(var(x, std::move(axes), keepdims, ddof));
}

// ---------------------------------------------------------------- sorting

Array argsort(const Array& x, std::int64_t axis) {
  const detail::Entry entry("pure::argsort", {{"x", x}});
  const std::int64_t a = detail::normalize_axis(axis, x.shape(), "pure::argsort");
  return lax::argsort(as_number(x), a, index_dtype_for(x.shape()[static_cast<int>(a)]));
}

Array sort(const Array& x, std::int64_t axis) {
  const detail::Entry entry("pure::sort", {{"x", x}});
  const std::int64_t a = detail::normalize_axis(axis, x.shape(), "pure::sort");
  const Array order = lax::argsort(as_number(x), a, index_dtype_for(x.shape()[static_cast<int>(a)]));
  return lax::gather(x, order, a);
}

}  // namespace pure
