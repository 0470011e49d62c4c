// Levenberg–Marquardt for nonlinear least squares: minimise sum_i r_i(params)^2
// for a residual function r returning a 1-D array, with the Jacobian from
// pure::jacfwd (or jacrev) and the trust-region strategy of MINPACK's lmder
// (Moré 1978). Returns the parameters with their covariance and standard errors.
//
//   auto residual = [&](const pure::Array& b) { return b[0] * pure::exp(-b[1] * x) - y; };
//   auto fit = pure::fit::levenberg_marquardt(residual, pure::from_host(std::vector<double>{1, 0.1}));
//   fit.params, fit.standard_errors, fit.rss, fit.reason
//
// Parameters may be any tree of float arrays (Array, pure::Tree, PURE_TREE
// structs); the solver works in f64 whatever the leaves' dtype.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/core/creation.hpp>
#include <pure/core/tree.hpp>
#include <pure/fit/common.hpp>

namespace pure::fit {

/// How the Jacobian is computed: forward mode (one linearization, p tangents;
/// best when residuals outnumber parameters, the usual case) or reverse mode.
enum class JacobianMode { forward, reverse };

struct LmOptions {
  /// Stop when both the actual and the predicted relative reduction of the
  /// sum of squares are at most this (MINPACK's ftol).
  double value_tolerance = 1e-15;
  /// Stop when the trust-region radius is at most this times the scaled
  /// parameter norm (MINPACK's xtol).
  double step_tolerance = 1e-15;
  /// Stop when the cosine between the residuals and every Jacobian column is
  /// at most this (MINPACK's gtol).
  double gradient_tolerance = 0.0;
  int max_iterations = 1000;    ///< Jacobian evaluations
  int max_evaluations = 10000;  ///< residual evaluations
  /// Initial trust-region radius as a multiple of the scaled norm of the start.
  double initial_step_factor = 100.0;
  JacobianMode jacobian = JacobianMode::forward;
  /// Trace the residual and Jacobian once with pure::jit and reuse the
  /// programs (the residual function must then be traceable: no item()).
  bool jit = false;
  /// Matrix-free variant for many parameters: J is never formed; each
  /// iteration linearizes the residual once and solves the damped step by
  /// CGLS with products J v and J^T u (see docs/fitting.md). Levenberg damping
  /// (D = I) with Nielsen's update of lambda, instead of lmder's scaled trust
  /// region. `jacobian` is not used by the iterations.
  bool matrix_free = false;
  /// Matrix-free: CGLS iterations per step (0: twice the parameter count).
  int max_linear_iterations = 0;
  /// Compute the covariance and standard errors at the solution (needs the
  /// dense n x p Jacobian once; turn off for large matrix-free problems).
  bool covariance = true;
};

/// Result of a flat (f64 vector) fit; see LmResult.
struct LmFlatResult : RunInfo {
  std::vector<double> x;
  std::vector<double> residuals;
  std::vector<double> covariance;  ///< p x p, row-major
  std::vector<double> standard_errors;
  double rss = 0.0;
  double sigma2 = 0.0;
  std::int64_t num_residuals = 0;
  int rank = 0;
};

/// The result of levenberg_marquardt. The covariance is (J^T J)^-1 sigma^2 at
/// the solution with sigma^2 = rss / (n - p) (n residuals, p parameters),
/// computed from a pivoted QR of J (no normal equations); a rank-deficient J
/// gives NaN covariances for the unresolved parameters (rank < p).
template <class P>
struct LmResult : RunInfo {
  P params;             ///< the solution
  P standard_errors;    ///< sqrt(diag(covariance)), shaped like params
  Array covariance;     ///< f64 (p, p), parameters in tree-leaf order, raveled
  Array residuals;      ///< f64 (n,): r(params)
  double rss = 0.0;     ///< sum of squared residuals
  double sigma2 = 0.0;  ///< rss / (n - p) (NaN when n == p)
  int rank = 0;         ///< numerical rank of J
};

namespace detail {
LmFlatResult levenberg_marquardt_flat(const FlatArrayFn& residual, const std::vector<double>& x0,
                                      const LmOptions& options);
}  // namespace detail

/// Covariance (J^T J)^-1 sigma^2 and standard errors for a Jacobian J (n, p)
/// at a least-squares solution with the given residual sum of squares, from a
/// pivoted Householder QR of J. Used by levenberg_marquardt; exposed to rate
/// solutions found otherwise (e.g. by L-BFGS on the sum of squares).
struct Covariance {
  std::vector<double> matrix;  ///< p x p, row-major
  std::vector<double> standard_errors;
  double sigma2 = 0.0;
  int rank = 0;
};
Covariance least_squares_covariance(const std::vector<double>& jacobian_row_major, std::int64_t n, std::int64_t p,
                                    double rss);

/// The Jacobian of `residual` (f64 vector of p parameters -> 1-D array of n
/// residuals) at x, row-major n x p, by forward or reverse mode.
std::vector<double> flat_jacobian(const detail::FlatArrayFn& residual, const std::vector<double>& x,
                                  JacobianMode mode = JacobianMode::forward);

/// Minimises sum(square(residual(params))) from params0 (see the file comment).
/// `residual` takes a tree shaped like params0 and returns a 1-D float array
/// with at least as many elements as params0 has parameters.
template <class F, class P>
LmResult<P> levenberg_marquardt(F residual, const P& params0, const LmOptions& options = {}) {
  const char* who = "pure::fit::levenberg_marquardt";
  const detail::Layout layout = detail::layout_of(tree_leaves_with_path(params0), who, "params0");
  const detail::FlatArrayFn flat = [residual, params0, layout](const Array& x) {
    return Array(residual(tree_unflatten(params0, detail::unravel(x, layout))));
  };
  LmFlatResult r = detail::levenberg_marquardt_flat(flat, detail::ravel_to_host(tree_leaves(params0)), options);
  LmResult<P> out;
  out.params = tree_unflatten(params0, detail::unravel_host(r.x, layout));
  out.standard_errors = tree_unflatten(params0, detail::unravel_host(r.standard_errors, layout));
  const std::int64_t p = layout.size;
  out.covariance = from_host(r.covariance, Shape{p, p});
  out.residuals = from_host(r.residuals, Shape{r.num_residuals});
  out.rss = r.rss;
  out.sigma2 = r.sigma2;
  out.rank = r.rank;
  static_cast<RunInfo&>(out) = std::move(static_cast<RunInfo&>(r));
  return out;
}

}  // namespace pure::fit
