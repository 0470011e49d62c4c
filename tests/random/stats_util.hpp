// Host-side statistics for the random tests: distribution functions, the
// Kolmogorov-Smirnov and chi-square goodness-of-fit tests, moment checks and
// Pearson correlation. Everything here is plain double-precision host code that
// does not use pure, so the thresholds it gives are independent of the code
// under test.
//
// Conventions: every check reports a p-value (or a z-score) and the tests
// compare it against an explicit false-failure probability `alpha`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace pure_test::stats {

constexpr double kPi = 3.14159265358979323846;

// ------------------------------------------------------------ normal

inline double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi); }
/// Phi(x); erfc keeps full relative accuracy in the lower tail.
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
/// 1 - Phi(x), accurate in the upper tail.
inline double normal_sf(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }

/// z with P(Z > z) = p for a standard normal Z (0 < p < 1). Bisection on erfc:
/// slow but needs no rational approximation whose coefficients could be mistyped.
inline double normal_upper_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("normal_upper_quantile: needs 0 < p < 1");
  double lo = -40.0, hi = 40.0;
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const double mid = 0.5 * (lo + hi);
    (normal_sf(mid) > p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

/// z such that |Z| > z has probability alpha (two-sided bound).
inline double two_sided_z(double alpha) { return normal_upper_quantile(0.5 * alpha); }

/// CDF of the standard normal truncated to (a, b). Uses the upper tail when
/// both bounds are positive so that far tails (e.g. (3, 6)) keep precision.
inline double truncated_normal_cdf(double x, double a, double b) {
  if (x <= a) return 0.0;
  if (x >= b) return 1.0;
  if (a >= 0.0) return (normal_sf(a) - normal_sf(x)) / (normal_sf(a) - normal_sf(b));
  return (normal_cdf(x) - normal_cdf(a)) / (normal_cdf(b) - normal_cdf(a));
}

// ------------------------------------------------------------ incomplete gamma

/// Regularised lower incomplete gamma P(a, x) = gamma(a, x) / Gamma(a).
/// Series for x < a + 1, Lentz's continued fraction for Q otherwise (as in
/// Numerical Recipes, 3rd ed., sec. 6.2); both converge to ~1e-15 relative.
inline double gamma_p(double a, double x);
inline double gamma_q(double a, double x);

namespace detail {
inline double gamma_series(double a, double x) {
  // P(a, x) = x^a e^-x / Gamma(a+1) * sum_n x^n / ((a+1)...(a+n))
  double term = 1.0 / a, sum = term;
  for (int n = 1; n < 100000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}
inline double gamma_cf(double a, double x) {
  // Q(a, x) = e^-x x^a / Gamma(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...)))
  constexpr double tiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-16) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}
}  // namespace detail

inline double gamma_p(double a, double x) {
  if (!(a > 0.0)) throw std::invalid_argument("gamma_p: needs a > 0");
  if (x <= 0.0) return 0.0;
  return x < a + 1.0 ? detail::gamma_series(a, x) : 1.0 - detail::gamma_cf(a, x);
}
inline double gamma_q(double a, double x) {
  if (!(a > 0.0)) throw std::invalid_argument("gamma_q: needs a > 0");
  if (x <= 0.0) return 1.0;
  return x < a + 1.0 ? 1.0 - detail::gamma_series(a, x) : detail::gamma_cf(a, x);
}

// ------------------------------------------------------------ chi-square

/// P(X > x) for X ~ chi-square with `dof` degrees of freedom.
inline double chi2_sf(double x, double dof) { return gamma_q(0.5 * dof, 0.5 * x); }

/// Critical value c with P(X > c) ~= alpha, by the Wilson-Hilferty cube-root
/// normal approximation (Wilson & Hilferty 1931). Good to ~1% for dof >= 10;
/// for small dof it overestimates c (a more lenient test). The tests use the
/// exact chi2_sf instead and keep this for messages and cross-checks.
inline double chi2_critical_wh(double dof, double alpha) {
  const double z = normal_upper_quantile(alpha);
  const double v = 2.0 / (9.0 * dof);
  const double t = 1.0 - v + z * std::sqrt(v);
  return dof * t * t * t;
}

struct Chi2Result {
  double statistic = 0.0;
  int dof = 0;
  double p_value = 1.0;
  std::string str() const {
    return "chi2 = " + std::to_string(statistic) + " with " + std::to_string(dof) +
           " dof, p = " + std::to_string(p_value);
  }
};

/// Pearson's chi-square goodness of fit of `counts` against cell probabilities
/// `probs` (normalised here). dof = cells - 1 - `fitted`. Throws if an expected
/// count is below 5, where the chi-square approximation is poor.
inline Chi2Result chi2_gof(const std::vector<std::int64_t>& counts, const std::vector<double>& probs, int fitted = 0) {
  if (counts.size() != probs.size() || counts.size() < 2) {
    throw std::invalid_argument("chi2_gof: counts and probs need the same size >= 2");
  }
  double total = 0.0, psum = 0.0;
  for (auto c : counts) total += static_cast<double>(c);
  for (double p : probs) psum += p;
  Chi2Result r;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double e = total * probs[i] / psum;
    if (e < 5.0) throw std::invalid_argument("chi2_gof: expected count " + std::to_string(e) + " < 5 in a cell");
    const double d = static_cast<double>(counts[i]) - e;
    r.statistic += d * d / e;
  }
  r.dof = static_cast<int>(counts.size()) - 1 - fitted;
  r.p_value = chi2_sf(r.statistic, r.dof);
  return r;
}

// ------------------------------------------------------------ Kolmogorov-Smirnov

/// Q_KS(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2), the limiting
/// distribution of sqrt(n) D_n (Kolmogorov 1933).
inline double kolmogorov_q(double lambda) {
  if (lambda < 0.2) return 1.0;  // the series converges slowly there, and Q is 1 to 1e-15
  double sum = 0.0, sign = 1.0;
  for (int k = 1; k <= 200; ++k) {
    const double term = sign * std::exp(-2.0 * k * k * lambda * lambda);
    sum += term;
    if (std::fabs(term) < 1e-18) break;
    sign = -sign;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

/// p-value of the one-sample KS statistic D for n samples, with Stephens'
/// small-sample correction lambda = (sqrt(n) + 0.12 + 0.11/sqrt(n)) D
/// (Stephens 1970; accurate for n >= 35, which every test here exceeds by far).
inline double ks_pvalue(double d, std::size_t n) {
  const double sn = std::sqrt(static_cast<double>(n));
  return kolmogorov_q((sn + 0.12 + 0.11 / sn) * d);
}

/// The D with ks_pvalue(D, n) = alpha (for messages).
inline double ks_critical(std::size_t n, double alpha) {
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 100; ++it) {
    const double mid = 0.5 * (lo + hi);
    (ks_pvalue(mid, n) > alpha ? lo : hi) = mid;
  }
  return hi;
}

struct KsResult {
  double d = 0.0;
  std::size_t n = 0;
  double p_value = 1.0;
  std::string str() const {
    return "KS D = " + std::to_string(d) + " for n = " + std::to_string(n) + ", p = " + std::to_string(p_value);
  }
};

/// One-sample KS test of `x` (sorted in place) against the continuous CDF `cdf`.
/// With ties (float grids) the sup over both one-sided gaps is still exact.
template <class Cdf>
KsResult ks_test(std::vector<double>& x, Cdf cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  KsResult r;
  r.n = x.size();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    r.d = std::max({r.d, (static_cast<double>(i) + 1.0) / n - f, f - static_cast<double>(i) / n});
  }
  r.p_value = ks_pvalue(r.d, r.n);
  return r;
}

// ------------------------------------------------------------ moments

/// Mean, variance and fourth central moment of a distribution (analytic or by quadrature).
struct Moments {
  double mean = 0.0, var = 0.0, mu4 = 0.0;
};

inline Moments uniform_moments(double lo, double hi) {
  const double w = hi - lo;
  return {0.5 * (lo + hi), w * w / 12.0, w * w * w * w / 80.0};
}
inline Moments normal_moments() { return {0.0, 1.0, 3.0}; }
inline Moments exponential_moments() { return {1.0, 1.0, 9.0}; }
/// Gamma(a, 1): excess kurtosis 6/a, so mu4 = var^2 (3 + 6/a).
inline Moments gamma_moments(double a) { return {a, a, 3.0 * a * a + 6.0 * a}; }

/// Moments of a density on [lo, hi] by composite Simpson quadrature (for the
/// truncated normal, whose fourth moment has no short closed form).
template <class Pdf>
Moments moments_by_quadrature(Pdf pdf, double lo, double hi, int intervals = 20000) {
  const double h = (hi - lo) / intervals;
  auto integrate = [&](auto g) {
    double s = g(lo) + g(hi);
    for (int i = 1; i < intervals; ++i) s += (i % 2 ? 4.0 : 2.0) * g(lo + i * h);
    return s * h / 3.0;
  };
  const double mass = integrate([&](double x) { return pdf(x); });
  const double mean = integrate([&](double x) { return x * pdf(x); }) / mass;
  const double var = integrate([&](double x) { return (x - mean) * (x - mean) * pdf(x); }) / mass;
  const double mu4 = integrate([&](double x) {
                       const double d = (x - mean) * (x - mean);
                       return d * d * pdf(x);
                     }) /
                     mass;
  return {mean, var, mu4};
}

inline Moments truncated_normal_moments(double a, double b) { return moments_by_quadrature(normal_pdf, a, b); }

struct MomentZ {
  double mean_z = 0.0;  // (sample mean - mean) / its standard error
  double var_z = 0.0;   // (sample variance - var) / its standard error
  std::string str() const { return "mean z = " + std::to_string(mean_z) + ", variance z = " + std::to_string(var_z); }
};

/// z-scores of the sample mean and (unbiased) sample variance against `m`.
/// By the CLT the sample mean has s.e. sqrt(var/n) and the sample variance
/// s.e. sqrt((mu4 - var^2)/n); both z are ~N(0, 1) for large n.
inline MomentZ moment_z(const std::vector<double>& x, const Moments& m) {
  const double n = static_cast<double>(x.size());
  // Two-pass with compensated sums: n ~ 1e6 float-rounded terms stay exact enough.
  long double s = 0;
  for (double v : x) s += v;
  const double mean = static_cast<double>(s / n);
  long double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  const double var = static_cast<double>(ss / (n - 1.0));
  MomentZ z;
  z.mean_z = (mean - m.mean) / std::sqrt(m.var / n);
  z.var_z = (var - m.var) / std::sqrt((m.mu4 - m.var * m.var) / n);
  return z;
}

// ------------------------------------------------------------ correlation

/// Pearson's r. For independent samples sqrt(n) r is ~N(0, 1) for large n.
inline double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2) throw std::invalid_argument("pearson: needs equal sizes >= 2");
  const double n = static_cast<double>(x.size());
  long double sx = 0, sy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
  }
  const double mx = static_cast<double>(sx / n), my = static_cast<double>(sy / n);
  long double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return static_cast<double>(sxy / std::sqrt(sxx * syy));
}

/// |r| bound for n independent pairs that is exceeded with probability alpha.
inline double correlation_bound(std::size_t n, double alpha) {
  return two_sided_z(alpha) / std::sqrt(static_cast<double>(n));
}

/// Converts any numeric host vector to double for the helpers above.
template <class T>
std::vector<double> to_double(const std::vector<T>& v) {
  return std::vector<double>(v.begin(), v.end());
}

}  // namespace pure_test::stats
