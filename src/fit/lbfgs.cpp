// L-BFGS: the two-loop recursion of J. Nocedal, "Updating quasi-Newton
// matrices with limited storage", Math. Comp. 35 (1980) 773-782, with the
// initial scaling gamma = s^T y / y^T y of D. C. Liu and J. Nocedal, "On the
// limited memory BFGS method for large scale optimization", Math. Prog. 45
// (1989) 503-528; and the line search of J. J. Moré and D. J. Thuente, "Line
// search algorithms with guaranteed sufficient decrease", ACM TOMS 20 (1994)
// 286-307, which finds a step satisfying the strong Wolfe conditions.
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <pure/core/creation.hpp>
#include <pure/core/error.hpp>
#include <pure/fit/lbfgs.hpp>
#include <pure/transforms/autodiff.hpp>
#include <pure/transforms/jit.hpp>

namespace pure::fit {
namespace {

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double inf_norm(const std::vector<double>& a) {
  double s = 0.0;
  for (double v : a) s = std::max(s, std::abs(v));
  return s;
}

// One safeguarded step of Moré–Thuente (section 4 of the paper): the new
// trial step from cubic and quadratic interpolants of the best step so far
// (stx), the other end of the interval (sty) and the current trial (stp), and
// the updated interval. f* are values and d* directional derivatives.
void interval_step(double& stx, double& fx, double& dx, double& sty, double& fy, double& dy, double& stp, double fp,
                   double dp, bool& bracketed, double stpmin, double stpmax) {
  const double sgnd = dp * (dx / std::abs(dx));
  double stpf;
  if (fp > fx) {
    // Case 1: higher value; the minimum is bracketed. Take the cubic step
    // unless the quadratic one is much closer to stx.
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::abs(theta), std::abs(dx), std::abs(dp)});
    double gamma = s * std::sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
    if (stp < stx) gamma = -gamma;
    const double p = (gamma - dx) + theta, q = ((gamma - dx) + gamma) + dp;
    const double stpc = stx + (p / q) * (stp - stx);
    const double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
    stpf = std::abs(stpc - stx) < std::abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0;
    bracketed = true;
  } else if (sgnd < 0.0) {
    // Case 2: lower value, derivatives of opposite sign: bracketed. Take
    // whichever of the cubic and secant steps is farther from stp.
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::abs(theta), std::abs(dx), std::abs(dp)});
    double gamma = s * std::sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
    if (stp > stx) gamma = -gamma;
    const double p = (gamma - dp) + theta, q = ((gamma - dp) + gamma) + dx;
    const double stpc = stp + (p / q) * (stx - stp);
    const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = std::abs(stpc - stp) > std::abs(stpq - stp) ? stpc : stpq;
    bracketed = true;
  } else if (std::abs(dp) < std::abs(dx)) {
    // Case 3: lower value, same sign, derivative magnitude decreasing. The
    // cubic step is used only if it heads the right way; safeguarded.
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::abs(theta), std::abs(dx), std::abs(dp)});
    double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const double p = (gamma - dp) + theta, q = (gamma + (dx - dp)) + gamma;
    const double r = p / q;
    double stpc;
    if (r < 0.0 && gamma != 0.0) {
      stpc = stp + r * (stx - stp);
    } else {
      stpc = stp > stx ? stpmax : stpmin;
    }
    const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (bracketed) {
      stpf = std::abs(stpc - stp) < std::abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? std::min(stp + 0.66 * (sty - stp), stpf) : std::max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = std::abs(stpc - stp) > std::abs(stpq - stp) ? stpc : stpq;
      stpf = std::clamp(stpf, stpmin, stpmax);
    }
  } else {
    // Case 4: lower value, same sign, derivative not decreasing: step to the
    // cubic minimiser between stp and sty, or to the end of the range.
    if (bracketed) {
      const double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
      const double s = std::max({std::abs(theta), std::abs(dy), std::abs(dp)});
      double gamma = s * std::sqrt((theta / s) * (theta / s) - (dy / s) * (dp / s));
      if (stp > sty) gamma = -gamma;
      const double p = (gamma - dp) + theta, q = ((gamma - dp) + gamma) + dy;
      stpf = stp + (p / q) * (sty - stp);
    } else {
      stpf = stp > stx ? stpmax : stpmin;
    }
  }
  if (fp > fx) {
    sty = stp;
    fy = fp;
    dy = dp;
  } else {
    if (sgnd < 0.0) {
      sty = stx;
      fy = fx;
      dy = dx;
    }
    stx = stp;
    fx = fp;
    dx = dp;
  }
  stp = stpf;
}

enum class LineSearch { ok, failed, evaluations, non_finite };

// Moré–Thuente search along d from x (value f0, directional derivative g0 < 0),
// starting at `stp`. On return x, f, g hold the last evaluated point, which
// is the accepted one when the result is ok.
template <class Eval>
LineSearch more_thuente(const Eval& eval, double f0, double g0, double& stp, double c1, double c2, int max_evals,
                        double& f, double& gd) {
  constexpr double kXtol = 1e-16;  // relative width below which the interval is rounding noise
  const double stpmin = 0.0, stpmax = 1e20;
  bool bracketed = false;
  int stage = 1;
  const double gtest = c1 * g0;
  double width = stpmax - stpmin, width1 = 2.0 * width;
  double stx = 0.0, fx = f0, gx = g0, sty = 0.0, fy = f0, gy = g0;
  double stmin = 0.0, stmax = stp + 4.0 * stp;
  for (int k = 0; k < max_evals; ++k) {
    if (!eval(stp, f, gd)) {
      // Overflow past the trial step (exp of a large argument, a pole):
      // treat it as too long and back off towards the best step.
      if (k + 1 == max_evals) return LineSearch::non_finite;
      stp = stx + 0.25 * (stp - stx);
      if (!bracketed) stmax = stp + 4.0 * (stp - stx);
      continue;
    }
    const double ftest = f0 + stp * gtest;
    if (stage == 1 && f <= ftest && gd >= 0.0) stage = 2;
    if (f <= ftest && std::abs(gd) <= c2 * (-g0)) return LineSearch::ok;
    if (bracketed && (stp <= stmin || stp >= stmax)) return LineSearch::failed;
    if (bracketed && stmax - stmin <= kXtol * stmax) return LineSearch::failed;
    if (stp == stpmax && f <= ftest && gd <= gtest) return LineSearch::failed;
    if (stp == stpmin && (f > ftest || gd >= gtest)) return LineSearch::failed;
    if (stage == 1 && f <= fx && f > ftest) {
      // Work on the modified function psi(a) = f(a) - f0 - c1 a g0 until a
      // point of sufficient decrease with nonnegative slope is found.
      double fxm = fx - stx * gtest, fym = fy - sty * gtest, gxm = gx - gtest, gym = gy - gtest;
      interval_step(stx, fxm, gxm, sty, fym, gym, stp, f - stp * gtest, gd - gtest, bracketed, stmin, stmax);
      fx = fxm + stx * gtest;
      fy = fym + sty * gtest;
      gx = gxm + gtest;
      gy = gym + gtest;
    } else {
      interval_step(stx, fx, gx, sty, fy, gy, stp, f, gd, bracketed, stmin, stmax);
    }
    if (bracketed) {
      // Force sufficient shrinking of the interval (bisect if it did not shrink by 1/3).
      if (std::abs(sty - stx) >= 0.66 * width1) stp = stx + 0.5 * (sty - stx);
      width1 = width;
      width = std::abs(sty - stx);
      stmin = std::min(stx, sty);
      stmax = std::max(stx, sty);
    } else {
      stmin = stp + 1.1 * (stp - stx);
      stmax = stp + 4.0 * (stp - stx);
    }
    stp = std::clamp(stp, stpmin, stpmax);
    // With rounding errors or a collapsed interval, fall back to the best step.
    if (bracketed && (stp <= stmin || stp >= stmax || stmax - stmin <= kXtol * stmax)) stp = stx;
  }
  return LineSearch::evaluations;
}

// The L-BFGS memory: the last m pairs (s, y) = (x step, gradient change).
class History {
 public:
  explicit History(int m) : m_(static_cast<std::size_t>(m)), alpha_(m_) {}
  bool empty() const { return s_.empty(); }
  void clear() {
    s_.clear();
    y_.clear();
    rho_.clear();
  }
  // Kept only when s^T y is safely positive, so the implicit inverse Hessian
  // stays positive definite.
  void push(std::vector<double> s, std::vector<double> y, double sy) {
    if (!(sy > std::numeric_limits<double>::epsilon() * dot(y, y))) return;
    if (s_.size() == m_) {
      s_.pop_front();
      y_.pop_front();
      rho_.pop_front();
    }
    s_.push_back(std::move(s));
    y_.push_back(std::move(y));
    rho_.push_back(1.0 / sy);
  }
  // v <- H v by the two-loop recursion (Nocedal 1980), H0 = gamma I with
  // gamma = s^T y / y^T y of the newest pair (Liu & Nocedal 1989).
  void apply_inverse_hessian(std::vector<double>& v) {
    const std::size_t k = s_.size(), n = v.size();
    for (std::size_t i = k; i-- > 0;) {
      alpha_[i] = rho_[i] * dot(s_[i], v);
      for (std::size_t j = 0; j < n; ++j) v[j] -= alpha_[i] * y_[i][j];
    }
    const double gamma = k > 0 ? dot(s_[k - 1], y_[k - 1]) / dot(y_[k - 1], y_[k - 1]) : 1.0;
    for (double& a : v) a *= gamma;
    for (std::size_t i = 0; i < k; ++i) {
      const double beta = rho_[i] * dot(y_[i], v);
      for (std::size_t j = 0; j < n; ++j) v[j] += (alpha_[i] - beta) * s_[i][j];
    }
  }

 private:
  std::size_t m_;
  std::deque<std::vector<double>> s_, y_;
  std::deque<double> rho_;
  std::vector<double> alpha_;
};

// Moves to the accepted trial point, stores the curvature pair and returns
// the tolerance that the step meets, if any. `gradient_norm` measures the
// (projected, with bounds) gradient at the new point.
template <class GradientNorm>
std::optional<StopReason> advance(std::vector<double>& x, std::vector<double>& g, double& f,
                                  const std::vector<double>& xt, const std::vector<double>& gt, double ft,
                                  History& history, const LbfgsOptions& o, const GradientNorm& gradient_norm) {
  const std::size_t n = x.size();
  std::vector<double> s(n), y(n);
  double smax = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    s[j] = xt[j] - x[j];
    y[j] = gt[j] - g[j];
    smax = std::max(smax, std::abs(s[j]));
  }
  const double sy = dot(s, y), f_old = f;
  x = xt;
  g = gt;
  f = ft;
  history.push(std::move(s), std::move(y), sy);
  if (gradient_norm(x, g) <= o.gradient_tolerance * std::max(1.0, std::abs(f))) return StopReason::gradient_tolerance;
  if (smax <= o.step_tolerance * std::max(1.0, inf_norm(x))) return StopReason::step_tolerance;
  if (f_old - f <= o.value_tolerance * std::max({std::abs(f_old), std::abs(f), 1.0})) {
    return StopReason::value_tolerance;
  }
  return std::nullopt;
}

// L-BFGS with box bounds by projection, after the active-set projected
// quasi-Newton method of D. Kim, S. Sra and I. S. Dhillon, "Tackling
// box-constrained optimization via a new projected quasi-Newton approach",
// SIAM J. Sci. Comput. 32 (2010): variables at a bound whose gradient pushes
// outwards are held fixed, the quasi-Newton direction is computed for the
// others, and a backtracking (Armijo) search runs along the projected path
// P(x + a d). The strong Wolfe conditions do not apply on a bent path, so the
// Moré–Thuente search is not used here.
LbfgsFlatResult lbfgs_bounded(const detail::ValueGradFn& fn, const std::vector<double>& x0, const LbfgsOptions& o,
                              const std::vector<double>& lo, const std::vector<double>& hi) {
  const std::size_t n = x0.size();
  auto project = [&](std::vector<double>& v) {
    for (std::size_t j = 0; j < n; ++j) v[j] = std::clamp(v[j], lo[j], hi[j]);
  };
  // The projected gradient: zero where a bound stops the descent.
  auto projected_gradient_norm = [&](const std::vector<double>& x, const std::vector<double>& g) {
    double m = 0.0;
    for (std::size_t j = 0; j < n; ++j) m = std::max(m, std::abs(std::clamp(x[j] - g[j], lo[j], hi[j]) - x[j]));
    return m;
  };
  auto finite = [](double v, const std::vector<double>& gr) {
    return std::isfinite(v) && std::all_of(gr.begin(), gr.end(), [](double a) { return std::isfinite(a); });
  };
  LbfgsFlatResult out;
  std::vector<double> x = x0, g(n), d(n), xt(n), gt(n);
  project(x);
  double f = fn(x, g);
  int nfev = 1;
  auto finish = [&](StopReason reason, int iterations) {
    out.x = x;
    out.value = f;
    out.gradient_norm = projected_gradient_norm(x, g);
    out.iterations = iterations;
    out.evaluations = nfev;
    out.reason = reason;
    out.message = to_string(reason);
    return out;
  };
  if (!finite(f, g)) return finish(StopReason::non_finite, 0);
  History history(o.history);
  for (int iter = 1; iter <= o.max_iterations; ++iter) {
    if (projected_gradient_norm(x, g) <= o.gradient_tolerance * std::max(1.0, std::abs(f))) {
      return finish(StopReason::gradient_tolerance, iter - 1);
    }
    std::vector<bool> fixed(n);
    for (std::size_t j = 0; j < n; ++j) fixed[j] = (x[j] <= lo[j] && g[j] > 0.0) || (x[j] >= hi[j] && g[j] < 0.0);
    for (int attempt = 0; attempt < 2; ++attempt) {
      for (std::size_t j = 0; j < n; ++j) d[j] = fixed[j] ? 0.0 : g[j];
      if (attempt == 0) history.apply_inverse_hessian(d);
      for (std::size_t j = 0; j < n; ++j) d[j] = fixed[j] ? 0.0 : -d[j];
      if (dot(g, d) < 0.0) break;
      history.clear();  // not a descent direction: steepest descent on the free variables
    }
    double stp = history.empty() ? std::min(1.0, 1.0 / std::sqrt(dot(d, d))) : 1.0;
    bool accepted = false;
    double ft = f;
    for (int k = 0; k < o.max_line_search_evaluations && nfev < o.max_evaluations; ++k, stp *= 0.5) {
      for (std::size_t j = 0; j < n; ++j) xt[j] = x[j] + stp * d[j];
      project(xt);
      double decrease = 0.0;  // g^T (xt - x), the first-order change along the projected path
      for (std::size_t j = 0; j < n; ++j) decrease += g[j] * (xt[j] - x[j]);
      if (xt == x) break;  // the step rounds away
      ft = fn(xt, gt);
      ++nfev;
      if (finite(ft, gt) && ft < f && ft <= f + o.wolfe_c1 * std::min(decrease, 0.0)) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      if (!history.empty()) {
        history.clear();
        continue;
      }
      if (nfev >= o.max_evaluations) return finish(StopReason::max_evaluations, iter - 1);
      return finish(StopReason::line_search_failed, iter - 1);
    }
    if (const auto reason = advance(x, g, f, xt, gt, ft, history, o, projected_gradient_norm)) {
      return finish(*reason, iter);
    }
  }
  return finish(StopReason::max_iterations, o.max_iterations);
}

}  // namespace

namespace detail {

LineSearchResult strong_wolfe_line_search(const std::function<std::pair<double, double>(double)>& phi, double f0,
                                          double g0, double step, double c1, double c2, int max_evaluations) {
  if (!(g0 < 0.0) || !(step > 0.0) || !(c1 > 0.0 && c1 <= c2 && c2 < 1.0)) {
    throw ValueError("pure::fit::strong_wolfe_line_search: needs g0 < 0, step > 0 and 0 < c1 <= c2 < 1, got g0 " +
                     std::to_string(g0) + ", step " + std::to_string(step));
  }
  LineSearchResult out;
  const auto eval = [&](double a, double& f, double& g) {
    ++out.evaluations;
    std::tie(f, g) = phi(a);
    return std::isfinite(f) && std::isfinite(g);
  };
  out.ok = more_thuente(eval, f0, g0, step, c1, c2, max_evaluations, out.value, out.derivative) == LineSearch::ok;
  out.step = step;
  return out;
}

LbfgsFlatResult lbfgs_host(const ValueGradFn& fn, const std::vector<double>& x0, const LbfgsOptions& o) {
  const char* who = "pure::fit::lbfgs";
  if (o.history < 1)
    throw ValueError(std::string(who) + ": options history must be >= 1, got " + std::to_string(o.history));
  if (!(o.wolfe_c1 > 0.0 && o.wolfe_c1 < o.wolfe_c2 && o.wolfe_c2 < 1.0)) {
    throw ValueError(std::string(who) + ": options need 0 < wolfe_c1 < wolfe_c2 < 1, got " +
                     std::to_string(o.wolfe_c1) + " and " + std::to_string(o.wolfe_c2));
  }
  if (o.max_iterations < 1 || o.max_evaluations < 1 || o.max_line_search_evaluations < 1) {
    throw ValueError(std::string(who) +
                     ": options max_iterations, max_evaluations and max_line_search_evaluations must be >= 1");
  }
  if (!(o.gradient_tolerance >= 0.0 && o.step_tolerance >= 0.0 && o.value_tolerance >= 0.0)) {
    throw ValueError(std::string(who) +
                     ": options gradient_tolerance, step_tolerance and value_tolerance must be >= 0");
  }
  const std::size_t n = x0.size();
  if (!o.lower.empty() || !o.upper.empty()) {
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> lo = o.lower.empty() ? std::vector<double>(n, -inf) : o.lower;
    const std::vector<double> hi = o.upper.empty() ? std::vector<double>(n, inf) : o.upper;
    if (lo.size() != n || hi.size() != n) {
      throw ValueError(std::string(who) + ": options lower and upper need one bound per parameter (" +
                       std::to_string(n) + "), got " + std::to_string(lo.size()) + " and " + std::to_string(hi.size()));
    }
    for (std::size_t j = 0; j < n; ++j) {
      if (!(lo[j] <= hi[j])) {
        throw ValueError(std::string(who) + ": options lower[" + std::to_string(j) + "] = " + std::to_string(lo[j]) +
                         " is not <= upper[" + std::to_string(j) + "] = " + std::to_string(hi[j]));
      }
    }
    return lbfgs_bounded(fn, x0, o, lo, hi);
  }
  LbfgsFlatResult out;
  std::vector<double> x = x0, g(n), d(n), xt(n), gt(n);
  double f = fn(x, g);
  int nfev = 1;
  auto finish = [&](StopReason reason, int iterations) {
    out.x = x;
    out.value = f;
    out.gradient_norm = inf_norm(g);
    out.iterations = iterations;
    out.evaluations = nfev;
    out.reason = reason;
    out.message = to_string(reason);
    return out;
  };
  auto finite = [](double v, const std::vector<double>& gr) {
    return std::isfinite(v) && std::all_of(gr.begin(), gr.end(), [](double a) { return std::isfinite(a); });
  };
  if (!finite(f, g)) return finish(StopReason::non_finite, 0);
  if (inf_norm(g) <= o.gradient_tolerance * std::max(1.0, std::abs(f)))
    return finish(StopReason::gradient_tolerance, 0);
  History history(o.history);
  for (int iter = 1; iter <= o.max_iterations; ++iter) {
    d = g;
    history.apply_inverse_hessian(d);
    for (double& v : d) v = -v;
    double g0 = dot(g, d);
    if (!(g0 < 0.0)) {
      // Not a descent direction (rounding in H): restart from steepest descent.
      history.clear();
      for (std::size_t j = 0; j < n; ++j) d[j] = -g[j];
      g0 = dot(g, d);
    }
    // Without curvature information, a first step of length 1 in x.
    double stp = history.empty() ? std::min(1.0, 1.0 / std::sqrt(dot(d, d))) : 1.0;
    double ft = f, gdt = 0.0;
    auto eval = [&](double a, double& fa, double& ga) {
      for (std::size_t j = 0; j < n; ++j) xt[j] = x[j] + a * d[j];
      fa = fn(xt, gt);
      ++nfev;
      ga = dot(gt, d);
      return finite(fa, gt);
    };
    const int budget = std::min(o.max_line_search_evaluations, o.max_evaluations - nfev);
    if (budget <= 0) return finish(StopReason::max_evaluations, iter - 1);
    const LineSearch ls = more_thuente(eval, f, g0, stp, o.wolfe_c1, o.wolfe_c2, budget, ft, gdt);
    if (ls != LineSearch::ok) {
      // Accept a last point that still decreases f; else stop where we are.
      const bool better = ls != LineSearch::non_finite && ft < f;
      if (!better) {
        if (nfev >= o.max_evaluations) return finish(StopReason::max_evaluations, iter - 1);
        return finish(ls == LineSearch::non_finite ? StopReason::non_finite : StopReason::line_search_failed, iter - 1);
      }
    }
    const auto max_abs = [](const std::vector<double>&, const std::vector<double>& gr) { return inf_norm(gr); };
    if (const auto reason = advance(x, g, f, xt, gt, ft, history, o, max_abs)) return finish(*reason, iter);
    if (nfev >= o.max_evaluations) return finish(StopReason::max_evaluations, iter);
  }
  return finish(StopReason::max_iterations, o.max_iterations);
}

LbfgsFlatResult lbfgs_flat(const FlatArrayFn& f, const std::vector<double>& x0, const LbfgsOptions& options) {
  const char* who = "pure::fit::lbfgs";
  using VG = std::function<std::pair<Array, Array>(const Array&)>;
  VG vg = pure::value_and_grad(f);
  if (options.jit) vg = pure::jit(pure::value_and_grad(f));
  const ValueGradFn host = [&](const std::vector<double>& x, std::vector<double>& g) {
    const auto [v, gr] = vg(from_host(x));
    if (v.rank() != 0 || !is_floating(v.dtype())) {
      throw ShapeError(std::string(who) + ": the function must return a scalar float array, got " +
                       dtype_name(v.dtype()) + v.shape().str());
    }
    g = gr.to_host<double>();  // the flat parameters are f64, so is the gradient
    return v.dtype() == DType::f64 ? v.item<double>() : static_cast<double>(v.item<float>());
  };
  return lbfgs_host(host, x0, options);
}

}  // namespace detail
}  // namespace pure::fit
