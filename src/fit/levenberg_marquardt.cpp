// Levenberg–Marquardt as in J. J. Moré, "The Levenberg-Marquardt algorithm:
// implementation and theory", Numerical Analysis (Dundee 1977), LNM 630,
// Springer 1978, pp. 105-116 (the algorithm of MINPACK's lmder): a trust
// region in the norm ||D x|| with D the running maximum of the Jacobian's
// column norms, the Levenberg parameter found by a safeguarded Newton
// iteration on ||D p(lambda)|| = Delta, and each trial step solved through a
// pivoted Householder QR of J plus Givens rotations for the damping rows, so
// J^T J is never formed (it would square the condition number).
//
// Matrices are column-major: a(i, j) = a[i + j * rows].
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <pure/core/creation.hpp>
#include <pure/core/error.hpp>
#include <pure/fit/levenberg_marquardt.hpp>
#include <pure/transforms/jacobian.hpp>
#include <pure/transforms/jit.hpp>

namespace pure::fit {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kDwarf = std::numeric_limits<double>::min();

double enorm(const double* v, std::size_t n) {
  // Scaled so that squares of very small or large entries neither underflow nor overflow.
  double scale = 0.0, ssq = 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = std::abs(v[i]);
    if (a == 0.0) continue;
    if (scale < a) {
      ssq = 1.0 + ssq * (scale / a) * (scale / a);
      scale = a;
    } else {
      ssq += (a / scale) * (a / scale);
    }
  }
  return scale * std::sqrt(ssq);
}
double enorm(const std::vector<double>& v) { return enorm(v.data(), v.size()); }

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double a) { return std::isfinite(a); });
}

// Householder QR with column pivoting of a (m x n, m >= n): on return the
// strict upper triangle of a holds R's off-diagonal, rdiag R's diagonal, the
// lower trapezoid (with the diagonal) the Householder vectors, and column j of
// A P is column perm[j] of A. acnorm gets the column norms of the input.
void qr_pivoted(std::size_t m, std::size_t n, std::vector<double>& a, std::vector<std::size_t>& perm,
                std::vector<double>& rdiag, std::vector<double>& acnorm) {
  auto col = [&](std::size_t j) { return a.data() + j * m; };
  std::vector<double> wa(n);
  perm.resize(n);
  rdiag.assign(n, 0.0);
  acnorm.assign(n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    acnorm[j] = enorm(col(j), m);
    rdiag[j] = wa[j] = acnorm[j];
    perm[j] = j;
  }
  for (std::size_t j = 0; j < std::min(m, n); ++j) {
    // Largest remaining column norm first: R's diagonal then decreases, which
    // exposes rank deficiency.
    std::size_t kmax = j;
    for (std::size_t k = j; k < n; ++k) {
      if (rdiag[k] > rdiag[kmax]) kmax = k;
    }
    if (kmax != j) {
      std::swap_ranges(col(j), col(j) + m, col(kmax));
      rdiag[kmax] = rdiag[j];
      wa[kmax] = wa[j];
      std::swap(perm[j], perm[kmax]);
    }
    double ajnorm = enorm(col(j) + j, m - j);
    if (ajnorm != 0.0) {
      if (col(j)[j] < 0.0) ajnorm = -ajnorm;
      for (std::size_t i = j; i < m; ++i) col(j)[i] /= ajnorm;
      col(j)[j] += 1.0;
      for (std::size_t k = j + 1; k < n; ++k) {
        double sum = 0.0;
        for (std::size_t i = j; i < m; ++i) sum += col(j)[i] * col(k)[i];
        const double t = sum / col(j)[j];
        for (std::size_t i = j; i < m; ++i) col(k)[i] -= t * col(j)[i];
        if (rdiag[k] != 0.0) {
          // Downdate the remaining column norm; recompute it when cancellation
          // has eaten its digits.
          const double r = col(k)[j] / rdiag[k];
          rdiag[k] *= std::sqrt(std::max(0.0, 1.0 - r * r));
          if (0.05 * (rdiag[k] / wa[k]) * (rdiag[k] / wa[k]) <= kEps) {
            rdiag[k] = enorm(col(k) + j + 1, m - j - 1);
            wa[k] = rdiag[k];
          }
        }
      }
    }
    rdiag[j] = -ajnorm;
  }
}

// Q^T v for the Householder vectors left in a by qr_pivoted (first n entries kept).
void apply_qt(std::size_t m, std::size_t n, const std::vector<double>& a, std::vector<double>& v) {
  for (std::size_t j = 0; j < std::min(m, n); ++j) {
    const double* c = a.data() + j * m;
    if (c[j] == 0.0) continue;
    double sum = 0.0;
    for (std::size_t i = j; i < m; ++i) sum += c[i] * v[i];
    const double t = -sum / c[j];
    for (std::size_t i = j; i < m; ++i) v[i] += t * c[i];
  }
}

// Solves min || [R; D_p] z - [qtb; 0] || where R P^T is the QR of J and
// D_p = P^T diag P, by Givens rotations that fold D into R (Moré 1978, eq. 3.4).
// r is n x n column-major with R in its upper triangle (diagonal included);
// on return its strict lower triangle holds the transposed triangular factor
// S (sdiag its diagonal), the upper triangle is unchanged. x = P z.
void qr_solve(std::size_t n, std::vector<double>& r, const std::vector<std::size_t>& perm,
              const std::vector<double>& diag, const std::vector<double>& qtb, std::vector<double>& x,
              std::vector<double>& sdiag) {
  auto R = [&](std::size_t i, std::size_t j) -> double& { return r[i + j * n]; };
  std::vector<double> wa(qtb.begin(), qtb.begin() + static_cast<std::ptrdiff_t>(n));
  // Keep R's diagonal in x and copy R's upper triangle to the lower one, where it is worked on.
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = j; i < n; ++i) R(i, j) = R(j, i);
    x[j] = R(j, j);
  }
  for (std::size_t j = 0; j < n; ++j) {
    const double d = diag[perm[j]];
    if (d != 0.0) {
      std::fill(sdiag.begin() + static_cast<std::ptrdiff_t>(j), sdiag.end(), 0.0);
      sdiag[j] = d;
      double qtbpj = 0.0;
      for (std::size_t k = j; k < n; ++k) {
        if (sdiag[k] == 0.0) continue;
        double c, s;
        if (std::abs(R(k, k)) < std::abs(sdiag[k])) {
          const double cot = R(k, k) / sdiag[k];
          s = 0.5 / std::sqrt(0.25 + 0.25 * cot * cot);
          c = s * cot;
        } else {
          const double tan = sdiag[k] / R(k, k);
          c = 0.5 / std::sqrt(0.25 + 0.25 * tan * tan);
          s = c * tan;
        }
        R(k, k) = c * R(k, k) + s * sdiag[k];
        const double t = c * wa[k] + s * qtbpj;
        qtbpj = -s * wa[k] + c * qtbpj;
        wa[k] = t;
        for (std::size_t i = k + 1; i < n; ++i) {
          const double u = c * R(i, k) + s * sdiag[i];
          sdiag[i] = -s * R(i, k) + c * sdiag[i];
          R(i, k) = u;
        }
      }
    }
    sdiag[j] = R(j, j);
    R(j, j) = x[j];
  }
  // Back substitution with S; a singular S gives the least-squares solution
  // with the unresolved components set to zero.
  std::size_t nsing = n;
  for (std::size_t j = 0; j < n; ++j) {
    if (sdiag[j] == 0.0 && nsing == n) nsing = j;
    if (nsing < n) wa[j] = 0.0;
  }
  for (std::size_t k = nsing; k-- > 0;) {
    double sum = 0.0;
    for (std::size_t i = k + 1; i < nsing; ++i) sum += R(i, k) * wa[i];
    wa[k] = (wa[k] - sum) / sdiag[k];
  }
  for (std::size_t j = 0; j < n; ++j) x[perm[j]] = wa[j];
}

// The Levenberg parameter par >= 0 such that the step x solving
// (J^T J + par D^2) x = -J^T r has ||D x|| within 10% of delta (or par = 0 if
// the Gauss-Newton step is already inside), by Moré's safeguarded Newton
// iteration on phi(par) = ||D x(par)|| - delta (Moré 1978, section 5).
// r, perm, qtb as for qr_solve; x receives the step with the sign of
// -(J^T J)^-1 J^T r folded out: the caller subtracts it.
void levenberg_parameter(std::size_t n, std::vector<double>& r, const std::vector<std::size_t>& perm,
                         const std::vector<double>& diag, const std::vector<double>& qtb, double delta, double& par,
                         std::vector<double>& x, std::vector<double>& sdiag) {
  auto R = [&](std::size_t i, std::size_t j) -> double& { return r[i + j * n]; };
  std::vector<double> wa1(n), wa2(n);
  // Gauss-Newton direction (least-squares solution if R is singular).
  std::size_t nsing = n;
  for (std::size_t j = 0; j < n; ++j) {
    wa1[j] = qtb[j];
    if (R(j, j) == 0.0 && nsing == n) nsing = j;
    if (nsing < n) wa1[j] = 0.0;
  }
  for (std::size_t k = nsing; k-- > 0;) {
    wa1[k] /= R(k, k);
    for (std::size_t i = 0; i < k; ++i) wa1[i] -= R(i, k) * wa1[k];
  }
  for (std::size_t j = 0; j < n; ++j) x[perm[j]] = wa1[j];
  for (std::size_t j = 0; j < n; ++j) wa2[j] = diag[j] * x[j];
  double dxnorm = enorm(wa2);
  double fp = dxnorm - delta;
  if (fp <= 0.1 * delta) {
    par = 0.0;
    return;
  }
  // Lower bound parl from the Newton step at par = 0 (only if J has full rank).
  double parl = 0.0;
  if (nsing >= n) {
    for (std::size_t j = 0; j < n; ++j) wa1[j] = diag[perm[j]] * (wa2[perm[j]] / dxnorm);
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (std::size_t i = 0; i < j; ++i) sum += R(i, j) * wa1[i];
      wa1[j] = (wa1[j] - sum) / R(j, j);
    }
    const double t = enorm(wa1);
    parl = ((fp / delta) / t) / t;
  }
  // Upper bound paru = ||D^-1 J^T r|| / delta.
  for (std::size_t j = 0; j < n; ++j) {
    double sum = 0.0;
    for (std::size_t i = 0; i <= j; ++i) sum += R(i, j) * qtb[i];
    wa1[j] = sum / diag[perm[j]];
  }
  const double gnorm = enorm(wa1);
  double paru = gnorm / delta;
  if (paru == 0.0) paru = kDwarf / std::min(delta, 0.1);
  par = std::min(std::max(par, parl), paru);
  if (par == 0.0) par = gnorm / dxnorm;
  for (int iter = 1;; ++iter) {
    if (par == 0.0) par = std::max(kDwarf, 0.001 * paru);
    const double sp = std::sqrt(par);
    for (std::size_t j = 0; j < n; ++j) wa1[j] = sp * diag[j];
    qr_solve(n, r, perm, wa1, qtb, x, sdiag);
    for (std::size_t j = 0; j < n; ++j) wa2[j] = diag[j] * x[j];
    dxnorm = enorm(wa2);
    const double previous = fp;
    fp = dxnorm - delta;
    // Close enough, or par = parl = 0 with phi increasing (no better par exists), or 10 tries.
    if (std::abs(fp) <= 0.1 * delta || (parl == 0.0 && fp <= previous && previous < 0.0) || iter == 10) break;
    // Newton correction from phi'(par), using S from qr_solve.
    for (std::size_t j = 0; j < n; ++j) wa1[j] = diag[perm[j]] * (wa2[perm[j]] / dxnorm);
    for (std::size_t j = 0; j < n; ++j) {
      wa1[j] /= sdiag[j];
      for (std::size_t i = j + 1; i < n; ++i) wa1[i] -= R(i, j) * wa1[j];
    }
    const double t = enorm(wa1);
    const double parc = ((fp / delta) / t) / t;
    if (fp > 0.0) parl = std::max(parl, par);
    if (fp < 0.0) paru = std::min(paru, par);
    par = std::max(parl, par + parc);
  }
}

std::vector<double> residual_host(const detail::FlatArrayFn& f, const std::vector<double>& x, std::int64_t n) {
  const Array r = f(from_host(x));
  const char* who = "pure::fit::levenberg_marquardt";
  if (r.rank() != 1) {
    throw ShapeError(std::string(who) + ": the residual function must return a 1-D array, got " +
                     dtype_name(r.dtype()) + r.shape().str());
  }
  if (!is_floating(r.dtype())) {
    throw DTypeError(std::string(who) + ": the residual function must return float32 or float64, got " +
                     dtype_name(r.dtype()) + r.shape().str());
  }
  if (n >= 0 && r.size() != n) {
    throw ShapeError(std::string(who) + ": the residual function returned " + std::to_string(r.size()) +
                     " residuals, earlier " + std::to_string(n));
  }
  if (r.dtype() == DType::f64) return r.to_host<double>();
  const std::vector<float> v = r.to_host<float>();
  return {v.begin(), v.end()};
}

// Fills the result: solution, residuals, counts, and the covariance from the
// Jacobian at the solution (one more evaluation: the loop's last Jacobian, if
// any, belongs to the point before the last step). No jacobian: NaN covariance.
void finish_fit(LmFlatResult& out, const std::vector<double>& x, const std::vector<double>& fvec, StopReason reason,
                int njev, int nfev, const std::function<std::vector<double>(const std::vector<double>&)>& jacobian) {
  const std::size_t n = x.size(), m = fvec.size();
  out.x = x;
  out.residuals = fvec;
  out.num_residuals = static_cast<std::int64_t>(m);
  out.rss = 0.0;
  for (double v : fvec) out.rss += v * v;
  out.iterations = njev;
  out.evaluations = nfev;
  out.reason = reason;
  out.message = to_string(reason);
  if (jacobian && all_finite(x) && all_finite(fvec)) {
    const std::vector<double> j = jacobian(x);
    if (all_finite(j)) {
      Covariance c = least_squares_covariance(j, static_cast<std::int64_t>(m), static_cast<std::int64_t>(n), out.rss);
      out.covariance = std::move(c.matrix);
      out.standard_errors = std::move(c.standard_errors);
      out.sigma2 = c.sigma2;
      out.rank = c.rank;
    }
  }
  if (out.covariance.empty()) {
    out.covariance.assign(n * n, std::numeric_limits<double>::quiet_NaN());
    out.standard_errors.assign(n, std::numeric_limits<double>::quiet_NaN());
    out.sigma2 = std::numeric_limits<double>::quiet_NaN();
  }
}

std::vector<double> host_f64(const Array& a) {
  return (a.dtype() == DType::f64 ? a : lax::convert_element_type(a, DType::f64)).to_host<double>();
}

// Matrix-free Levenberg–Marquardt. Each iteration linearizes r at x once
// (pure::linearize_flat: the residual plus a staged linear program), then
// solves min ||J h + r||^2 + lambda ||h||^2 by CGLS (Hestenes & Stiefel 1952;
// Björck, Numerical Methods for Least Squares Problems, 1996, sec. 7.4) on
// the augmented system [J; sqrt(lambda) I] h = [-r; 0], using only J v
// (Linearized::apply) and J^T u (Linearized::transpose). lambda follows
// H. B. Nielsen's rule (IMM-REP-1999-05): after a step with gain ratio rho > 0,
// lambda *= max(1/3, 1 - (2 rho - 1)^3), nu = 2; after a failed step,
// lambda *= nu, nu *= 2. The predicted reduction ||r||^2 - ||r + J h||^2 comes
// from CGLS's own residual, so it is exact for the inexact step.
// Jitted Jacobian products for the matrix-free solver: x and the vector are
// both arguments, so each program is traced once for the whole run.
struct JacobianProducts {
  std::function<Array(const Array&, const Array&)> jv, jtu;
  DType residual_dtype;
};

// The residuals at the start; fewer residuals than parameters is an error.
std::vector<double> starting_residuals(const detail::FlatArrayFn& residual, const std::vector<double>& x,
                                       const char* who) {
  std::vector<double> fvec = residual_host(residual, x, -1);
  if (fvec.size() < x.size()) {
    throw ShapeError(std::string(who) + ": the residual function returned " + std::to_string(fvec.size()) +
                     " residuals for " + std::to_string(x.size()) + " parameters; needs at least as many residuals");
  }
  return fvec;
}

LmFlatResult levenberg_marquardt_matrix_free(const detail::FlatArrayFn& residual, const std::vector<double>& x0,
                                             const LmOptions& options, const detail::FlatArrayFn& residual_for_jacobian,
                                             const std::optional<JacobianProducts>& products) {
  const char* who = "pure::fit::levenberg_marquardt";
  const std::size_t n = x0.size();
  std::vector<double> x = x0;
  std::vector<double> fvec = starting_residuals(residual, x, who);
  const std::size_t m = fvec.size();
  const int max_cg = options.max_linear_iterations > 0 ? options.max_linear_iterations : static_cast<int>(2 * n);
  int nfev = 1, nlin = 0;
  StopReason reason = all_finite(fvec) ? StopReason::max_iterations : StopReason::non_finite;
  double lambda = -1.0, nu = 2.0;
  auto sq = [](const std::vector<double>& v) {
    const double e = enorm(v);
    return e * e;
  };
  while (reason == StopReason::max_iterations && nlin < options.max_iterations) {
    // J v and J^T u at x: from one linearization per iteration, or (jit) from
    // two programs traced once, jvp and vjp of r taking x as an argument.
    std::optional<Linearized> lin;
    if (!products) {
      lin.emplace(linearize_flat([&](const std::vector<Array>& in) { return std::vector<Array>{residual(in[0])}; },
                                 {from_host(x)}));
    }
    ++nlin;
    const Array xa = from_host(x);
    const DType rdtype = products ? products->residual_dtype : lin->out_avals[0].dtype;
    const auto jv = [&](const std::vector<double>& v) {
      return host_f64(products ? products->jv(xa, from_host(v)) : lin->apply({from_host(v)})[0]);
    };
    const auto jtu = [&](const std::vector<double>& u) {
      Array ct = from_host(u);
      if (rdtype != DType::f64) ct = lax::convert_element_type(ct, rdtype);
      return host_f64(products ? products->jtu(xa, ct) : lin->transpose({ct})[0]);
    };
    std::vector<double> minus_r(m);
    for (std::size_t i = 0; i < m; ++i) minus_r[i] = -fvec[i];
    const std::vector<double> grad = jtu(minus_r);  // -J^T r
    if (!all_finite(grad)) {
      reason = StopReason::non_finite;
      break;
    }
    double gmax = 0.0;
    for (double v : grad) gmax = std::max(gmax, std::abs(v));
    const double fnorm2 = sq(fvec);
    if (gmax <= options.gradient_tolerance * std::max(1.0, fnorm2) || fnorm2 == 0.0 || gmax == 0.0) {
      reason = StopReason::gradient_tolerance;
      break;
    }
    if (lambda < 0.0) {
      // First damping: 1e-3 times the Rayleigh quotient of J^T J along the gradient.
      const double gg = sq(grad);
      lambda = 1e-3 * sq(jv(grad)) / gg;
      if (!(lambda > 0.0)) lambda = 1e-3;
    }
    for (;;) {
      // CGLS on [J; sqrt(lambda) I] h = [-r; 0].
      const double sl = std::sqrt(lambda);
      std::vector<double> h(n, 0.0), top = minus_r, bottom(n, 0.0), s = grad, q = grad;
      double gamma = sq(s);
      const double gamma0 = gamma;
      for (int k = 0; k < max_cg && gamma > 1e-30 * gamma0; ++k) {
        const std::vector<double> t_top = jv(q);
        double tt = sq(t_top);
        for (std::size_t j = 0; j < n; ++j) tt += lambda * q[j] * q[j];
        if (!(tt > 0.0)) break;
        const double alpha = gamma / tt;
        for (std::size_t j = 0; j < n; ++j) {
          h[j] += alpha * q[j];
          bottom[j] -= alpha * sl * q[j];
        }
        for (std::size_t i = 0; i < m; ++i) top[i] -= alpha * t_top[i];
        s = jtu(top);
        for (std::size_t j = 0; j < n; ++j) s[j] += sl * bottom[j];
        const double gamma_new = sq(s);
        for (std::size_t j = 0; j < n; ++j) q[j] = s[j] + (gamma_new / gamma) * q[j];
        gamma = gamma_new;
      }
      std::vector<double> xt(n);
      for (std::size_t j = 0; j < n; ++j) xt[j] = x[j] + h[j];
      std::vector<double> ft = residual_host(residual, xt, static_cast<std::int64_t>(m));
      ++nfev;
      const double ft2 = all_finite(ft) ? sq(ft) : std::numeric_limits<double>::infinity();
      const double predicted = fnorm2 - sq(top);  // ||r||^2 - ||r + J h||^2
      const double actual = fnorm2 - ft2;
      const double rho = predicted > 0.0 ? actual / predicted : -1.0;
      const double hnorm = enorm(h), xnorm = enorm(x);
      if (rho > 0.0) {
        x = std::move(xt);
        fvec = std::move(ft);
        lambda *= std::max(1.0 / 3.0, 1.0 - std::pow(2.0 * rho - 1.0, 3));
        nu = 2.0;
        if (actual <= options.value_tolerance * fnorm2 && predicted <= options.value_tolerance * fnorm2) {
          reason = StopReason::value_tolerance;
        } else if (hnorm <= options.step_tolerance * (xnorm + options.step_tolerance)) {
          reason = StopReason::step_tolerance;
        }
        break;
      }
      lambda *= nu;
      nu *= 2.0;
      if (hnorm <= kEps * (xnorm + kEps) || !std::isfinite(lambda) || nu > 1e30) {
        reason = StopReason::no_further_progress;
        break;
      }
      if (nfev >= options.max_evaluations) {
        reason = StopReason::max_evaluations;
        break;
      }
    }
    if (reason == StopReason::max_iterations && nfev >= options.max_evaluations) reason = StopReason::max_evaluations;
  }
  LmFlatResult out;
  std::function<std::vector<double>(const std::vector<double>&)> jacobian;
  if (options.covariance) {
    jacobian = [&](const std::vector<double>& at) {
      return flat_jacobian(residual_for_jacobian, at, options.jacobian);
    };
  }
  finish_fit(out, x, fvec, reason, nlin, nfev, jacobian);
  return out;
}

}  // namespace

std::vector<double> flat_jacobian(const detail::FlatArrayFn& residual, const std::vector<double>& x,
                                  JacobianMode mode) {
  const Array j = mode == JacobianMode::forward ? jacfwd(residual)(from_host(x)) : jacrev(residual)(from_host(x));
  const Array j64 = j.dtype() == DType::f64 ? j : lax::convert_element_type(j, DType::f64);
  return j64.to_host<double>();  // row-major (n, p)
}

Covariance least_squares_covariance(const std::vector<double>& jacobian_row_major, std::int64_t n_rows,
                                    std::int64_t p_cols, double rss) {
  const auto m = static_cast<std::size_t>(n_rows), n = static_cast<std::size_t>(p_cols);
  if (m < n || jacobian_row_major.size() != m * n) {
    throw ShapeError("pure::fit::least_squares_covariance: needs a Jacobian of n x p with n >= p, got " +
                     std::to_string(m) + " x " + std::to_string(n) + " (" + std::to_string(jacobian_row_major.size()) +
                     " values)");
  }
  std::vector<double> a(m * n);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) a[i + j * m] = jacobian_row_major[i * n + j];
  }
  std::vector<std::size_t> perm;
  std::vector<double> rdiag, acnorm;
  qr_pivoted(m, n, a, perm, rdiag, acnorm);
  Covariance out;
  // Numerical rank: diagonal entries of R below n eps |R_00| are noise.
  const double tol = static_cast<double>(n) * kEps * (n > 0 ? std::abs(rdiag[0]) : 0.0);
  std::size_t rank = 0;
  while (rank < n && std::abs(rdiag[rank]) > tol) ++rank;
  out.rank = static_cast<int>(rank);
  // Rinv: inverse of the leading rank x rank block of R (upper triangular).
  auto R = [&](std::size_t i, std::size_t j) { return i == j ? rdiag[i] : a[i + j * m]; };
  std::vector<double> rinv(n * n, 0.0);
  for (std::size_t j = 0; j < rank; ++j) {
    rinv[j + j * n] = 1.0 / R(j, j);
    for (std::size_t i = j; i-- > 0;) {
      double sum = 0.0;
      for (std::size_t k = i + 1; k <= j; ++k) sum += R(i, k) * rinv[k + j * n];
      rinv[i + j * n] = -sum / R(i, i);
    }
  }
  out.sigma2 = m > n ? rss / static_cast<double>(m - n) : std::numeric_limits<double>::quiet_NaN();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.matrix.assign(n * n, nan);
  // (J^T J)^-1 = P Rinv Rinv^T P^T.
  for (std::size_t i = 0; i < rank; ++i) {
    for (std::size_t j = 0; j < rank; ++j) {
      double sum = 0.0;
      for (std::size_t k = std::max(i, j); k < rank; ++k) sum += rinv[i + k * n] * rinv[j + k * n];
      out.matrix[perm[i] * n + perm[j]] = sum * out.sigma2;
    }
  }
  out.standard_errors.resize(n);
  for (std::size_t j = 0; j < n; ++j) out.standard_errors[j] = std::sqrt(out.matrix[j * n + j]);
  return out;
}

namespace detail {

LmFlatResult levenberg_marquardt_flat(const FlatArrayFn& residual_in, const std::vector<double>& x0,
                                      const LmOptions& options) {
  const char* who = "pure::fit::levenberg_marquardt";
  if (!(options.value_tolerance >= 0.0) || !(options.step_tolerance >= 0.0) || !(options.gradient_tolerance >= 0.0)) {
    throw ValueError(std::string(who) +
                     ": options value_tolerance, step_tolerance and gradient_tolerance must be >= 0");
  }
  if (options.max_iterations < 1 || options.max_evaluations < 1 || !(options.initial_step_factor > 0.0)) {
    throw ValueError(std::string(who) +
                     ": options max_iterations and max_evaluations must be >= 1 and initial_step_factor > 0");
  }
  if (options.max_linear_iterations < 0) {
    throw ValueError(std::string(who) + ": options max_linear_iterations must be >= 0, got " +
                     std::to_string(options.max_linear_iterations));
  }
  if (options.matrix_free) {
    if (!options.jit) return levenberg_marquardt_matrix_free(residual_in, x0, options, residual_in, std::nullopt);
    JacobianProducts products;
    products.jv =
        pure::jit([residual_in](const Array& x, const Array& v) { return pure::jvp(residual_in, x, v).second; });
    products.jtu = pure::jit(
        [residual_in](const Array& x, const Array& u) { return std::get<0>(pure::vjp(residual_in, x).second(u)); });
    products.residual_dtype = residual_in(from_host(x0)).dtype();
    return levenberg_marquardt_matrix_free(pure::jit(residual_in), x0, options, residual_in, products);
  }
  FlatArrayFn residual = residual_in;
  FlatArrayFn jac_fn;
  if (options.jit) {
    residual = pure::jit(residual_in);
    if (options.jacobian == JacobianMode::forward) {
      jac_fn = pure::jit(pure::jacfwd(residual_in));
    } else {
      jac_fn = pure::jit(pure::jacrev(residual_in));
    }
  }
  const std::size_t n = x0.size();
  LmFlatResult out;
  std::vector<double> x = x0;
  std::vector<double> fvec = starting_residuals(residual, x, who);
  const std::size_t m = fvec.size();
  out.num_residuals = static_cast<std::int64_t>(m);
  int nfev = 1, njev = 0;
  auto jacobian = [&](const std::vector<double>& at) {
    ++njev;
    if (!jac_fn) return flat_jacobian(residual_in, at, options.jacobian);
    const Array j = jac_fn(from_host(at));  // f32 residuals give an f32 Jacobian
    return (j.dtype() == DType::f64 ? j : lax::convert_element_type(j, DType::f64)).to_host<double>();
  };
  StopReason reason = StopReason::max_iterations;
  bool done = !all_finite(fvec);
  if (done) reason = StopReason::non_finite;
  double fnorm = enorm(fvec);
  double par = 0.0, delta = 0.0, xnorm = 0.0;
  std::vector<double> diag(n), qtf(n), wa1(n), wa2(n), wa3(n), wa4(m), sdiag(n), rdiag, acnorm, r(n * n);
  std::vector<std::size_t> perm;
  std::vector<double> a;
  for (int iter = 1; !done; ++iter) {
    if (njev >= options.max_iterations) {
      reason = StopReason::max_iterations;
      break;
    }
    const std::vector<double> jrow = jacobian(x);
    if (!all_finite(jrow)) {
      reason = StopReason::non_finite;
      break;
    }
    a.assign(m * n, 0.0);
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < n; ++j) a[i + j * m] = jrow[i * n + j];
    }
    qr_pivoted(m, n, a, perm, rdiag, acnorm);
    if (iter == 1) {
      // Scale each parameter by its Jacobian column norm (Marquardt scaling).
      for (std::size_t j = 0; j < n; ++j) diag[j] = acnorm[j] == 0.0 ? 1.0 : acnorm[j];
      for (std::size_t j = 0; j < n; ++j) wa3[j] = diag[j] * x[j];
      xnorm = enorm(wa3);
      delta = options.initial_step_factor * xnorm;
      if (delta == 0.0) delta = options.initial_step_factor;
    }
    wa4 = fvec;
    apply_qt(m, n, a, wa4);
    for (std::size_t j = 0; j < n; ++j) {
      qtf[j] = wa4[j];
      for (std::size_t i = 0; i < j; ++i) r[i + j * n] = a[i + j * m];
      r[j + j * n] = rdiag[j];
    }
    // Scaled gradient: the largest cosine between r and a column of J.
    double gnorm = 0.0;
    if (fnorm != 0.0) {
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t l = perm[j];
        if (acnorm[l] == 0.0) continue;
        double sum = 0.0;
        for (std::size_t i = 0; i <= j; ++i) sum += r[i + j * n] * (qtf[i] / fnorm);
        gnorm = std::max(gnorm, std::abs(sum / acnorm[l]));
      }
    }
    if (gnorm <= options.gradient_tolerance) {
      reason = StopReason::gradient_tolerance;
      break;
    }
    for (std::size_t j = 0; j < n; ++j) diag[j] = std::max(diag[j], acnorm[j]);
    // Inner loop: shrink the trust region until a step reduces the sum of squares.
    for (;;) {
      levenberg_parameter(n, r, perm, diag, qtf, delta, par, wa1, sdiag);
      for (std::size_t j = 0; j < n; ++j) {
        wa1[j] = -wa1[j];
        wa2[j] = x[j] + wa1[j];
        wa3[j] = diag[j] * wa1[j];
      }
      const double pnorm = enorm(wa3);
      if (iter == 1) delta = std::min(delta, pnorm);
      std::vector<double> ftrial = residual_host(residual, wa2, static_cast<std::int64_t>(m));
      ++nfev;
      const double fnorm1 = all_finite(ftrial) ? enorm(ftrial) : std::numeric_limits<double>::infinity();
      const double actred = 0.1 * fnorm1 < fnorm ? 1.0 - (fnorm1 / fnorm) * (fnorm1 / fnorm) : -1.0;
      // Predicted reduction of the linear model, and the directional derivative.
      for (std::size_t j = 0; j < n; ++j) {
        wa3[j] = 0.0;
        const double t = wa1[perm[j]];
        for (std::size_t i = 0; i <= j; ++i) wa3[i] += r[i + j * n] * t;
      }
      const double t1 = enorm(wa3) / fnorm, t2 = std::sqrt(par) * pnorm / fnorm;
      const double prered = t1 * t1 + t2 * t2 / 0.5;
      const double dirder = -(t1 * t1 + t2 * t2);
      const double ratio = prered != 0.0 ? actred / prered : 0.0;
      if (ratio <= 0.25) {
        double t = actred >= 0.0 ? 0.5 : 0.5 * dirder / (dirder + 0.5 * actred);
        if (0.1 * fnorm1 >= fnorm || t < 0.1) t = 0.1;
        delta = t * std::min(delta, pnorm / 0.1);
        par /= t;
      } else if (par == 0.0 || ratio >= 0.75) {
        delta = pnorm / 0.5;
        par *= 0.5;
      }
      if (ratio >= 1e-4) {
        x = wa2;
        for (std::size_t j = 0; j < n; ++j) wa2[j] = diag[j] * x[j];
        fvec = std::move(ftrial);
        xnorm = enorm(wa2);
        fnorm = fnorm1;
      }
      const bool ftest =
          std::abs(actred) <= options.value_tolerance && prered <= options.value_tolerance && 0.5 * ratio <= 1.0;
      const bool xtest = delta <= options.step_tolerance * xnorm;
      if (ftest || xtest) {
        reason = ftest ? StopReason::value_tolerance : StopReason::step_tolerance;
        done = true;
        break;
      }
      if (nfev >= options.max_evaluations) {
        reason = StopReason::max_evaluations;
        done = true;
        break;
      }
      if ((std::abs(actred) <= kEps && prered <= kEps && 0.5 * ratio <= 1.0) || delta <= kEps * xnorm ||
          gnorm <= kEps) {
        reason = StopReason::no_further_progress;
        done = true;
        break;
      }
      if (ratio >= 1e-4) break;
    }
  }
  finish_fit(out, x, fvec, reason, njev, nfev, options.covariance ? std::function(jacobian) : nullptr);
  return out;
}

}  // namespace detail
}  // namespace pure::fit
