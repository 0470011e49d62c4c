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
  if (!(o.gradient_tolerance >= 0.0 && o.step_tolerance >= 0.0 && o.value_tolerance >= 0.0)) {
    throw ValueError(std::string(who) +
                     ": options gradient_tolerance, step_tolerance and value_tolerance must be >= 0");
  }
  const std::size_t n = x0.size();
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
  std::deque<std::vector<double>> s_hist, y_hist;
  std::deque<double> rho_hist;
  std::vector<double> alpha(static_cast<std::size_t>(o.history));
  for (int iter = 1; iter <= o.max_iterations; ++iter) {
    // Two-loop recursion: d = -H g.
    d = g;
    const std::size_t k = s_hist.size();
    for (std::size_t i = k; i-- > 0;) {
      alpha[i] = rho_hist[i] * dot(s_hist[i], d);
      for (std::size_t j = 0; j < n; ++j) d[j] -= alpha[i] * y_hist[i][j];
    }
    const double gamma = k > 0 ? dot(s_hist[k - 1], y_hist[k - 1]) / dot(y_hist[k - 1], y_hist[k - 1]) : 1.0;
    for (double& v : d) v *= gamma;
    for (std::size_t i = 0; i < k; ++i) {
      const double beta = rho_hist[i] * dot(y_hist[i], d);
      for (std::size_t j = 0; j < n; ++j) d[j] += (alpha[i] - beta) * s_hist[i][j];
    }
    for (double& v : d) v = -v;
    double g0 = dot(g, d);
    if (!(g0 < 0.0)) {
      // Not a descent direction (rounding in H): restart from steepest descent.
      s_hist.clear();
      y_hist.clear();
      rho_hist.clear();
      for (std::size_t j = 0; j < n; ++j) d[j] = -g[j];
      g0 = dot(g, d);
    }
    // Without curvature information, a first step of length 1 in x.
    double stp = s_hist.empty() ? std::min(1.0, 1.0 / std::sqrt(dot(d, d))) : 1.0;
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
    // Curvature pair; skipped when s^T y is not safely positive (keeps H positive definite).
    std::vector<double> s(n), y(n);
    double smax = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      s[j] = xt[j] - x[j];
      y[j] = gt[j] - g[j];
      smax = std::max(smax, std::abs(s[j]));
    }
    const double sy = dot(s, y);
    const double f_old = f;
    x = xt;
    g = gt;
    f = ft;
    if (sy > std::numeric_limits<double>::epsilon() * dot(y, y)) {
      if (static_cast<int>(s_hist.size()) == o.history) {
        s_hist.pop_front();
        y_hist.pop_front();
        rho_hist.pop_front();
      }
      s_hist.push_back(std::move(s));
      y_hist.push_back(std::move(y));
      rho_hist.push_back(1.0 / sy);
    }
    if (inf_norm(g) <= o.gradient_tolerance * std::max(1.0, std::abs(f)))
      return finish(StopReason::gradient_tolerance, iter);
    if (smax <= o.step_tolerance * std::max(1.0, inf_norm(x))) return finish(StopReason::step_tolerance, iter);
    if (f_old - f <= o.value_tolerance * std::max({std::abs(f_old), std::abs(f), 1.0})) {
      return finish(StopReason::value_tolerance, iter);
    }
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
