// 03_least_squares: fitting a model by gradient descent with value_and_grad.
//
// We draw noisy samples of y = 1.5 x^2 - 0.7 x + 0.3 and fit the three
// coefficients of a quadratic by plain gradient descent on the mean squared
// error. value_and_grad gives the loss (for the progress print) and the
// gradient (for the step) from one call. The loss is quadratic in the
// coefficients, so the exact minimiser is the least-squares solution of the
// normal equations; we solve those in plain host double code and check that
// gradient descent found the same coefficients.
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include <pure/pure.hpp>

namespace pr = pure::random;

struct Quadratic {
  pure::Array a, b, c;  // scalars: y = a x^2 + b x + c
};
PURE_TREE(Quadratic, a, b, c)

pure::Array predict(const Quadratic& p, const pure::Array& x) { return p.a * pure::square(x) + p.b * x + p.c; }

pure::Array mse(const Quadratic& p, const pure::Array& x, const pure::Array& y) {
  return pure::mean(pure::square(predict(p, x) - y));
}

// The reference: solve (Phi^T Phi) theta = Phi^T y with Phi = [x^2, x, 1], by
// Gaussian elimination with partial pivoting; host code only, no pure.
std::array<double, 3> normal_equations(const std::vector<double>& x, const std::vector<double>& y) {
  double m[3][4] = {};
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double phi[3] = {x[i] * x[i], x[i], 1.0};
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) m[r][c] += phi[r] * phi[c];
      m[r][3] += phi[r] * y[i];
    }
  }
  for (int col = 0; col < 3; ++col) {
    int piv = col;
    for (int r = col + 1; r < 3; ++r)
      if (std::abs(m[r][col]) > std::abs(m[piv][col])) piv = r;
    for (int c = 0; c < 4; ++c) std::swap(m[col][c], m[piv][c]);
    for (int r = col + 1; r < 3; ++r) {
      const double f = m[r][col] / m[col][col];
      for (int c = col; c < 4; ++c) m[r][c] -= f * m[col][c];
    }
  }
  std::array<double, 3> theta{};
  for (int r = 2; r >= 0; --r) {
    double s = m[r][3];
    for (int c = r + 1; c < 3; ++c) s -= m[r][c] * theta[c];
    theta[r] = s / m[r][r];
  }
  return theta;
}

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  bool ok = true;
  {
    const std::vector<pr::Key> keys = pr::split(pr::key(3), 2);
    const std::int64_t n = 64;
    const pure::DType f64 = pure::DType::f64;  // f64 so the check can be tight
    const pure::Array x = pr::uniform(keys[0], {n}, f64, -1.0, 1.0);
    const pure::Array y = 1.5 * pure::square(x) - 0.7 * x + 0.3 + 0.05 * pr::normal(keys[1], {n}, f64);

    Quadratic p{pure::zeros({}, f64), pure::zeros({}, f64), pure::zeros({}, f64)};
    const auto loss_and_grad = pure::value_and_grad(mse);

    // The Hessian of the loss is 2 mean(phi phi^T); for x uniform on [-1, 1]
    // its eigenvalues are about 0.16, 0.67 and 2.24. A step of 0.5 is stable
    // (< 2 / 2.24) and shrinks the error by at least 1 - 0.5 * 0.16 = 0.92 per
    // step, so 500 steps take the initial error of ~1 down to ~1e-18.
    const double learning_rate = 0.5;
    const int steps = 500;
    for (int step = 0; step <= steps; ++step) {
      const auto [loss, grads] = loss_and_grad(p, x, y);
      if (step % 50 == 0) std::printf("step %4d  loss %.10f\n", step, loss.item<double>());
      if (step < steps) p = pure::tree_axpy(-learning_rate, grads, p);  // p - lr * grads
    }

    const std::array<double, 3> got = {p.a.item<double>(), p.b.item<double>(), p.c.item<double>()};
    const std::array<double, 3> want = normal_equations(x.to_host<double>(), y.to_host<double>());
    const char* names[3] = {"a", "b", "c"};
    for (int k = 0; k < 3; ++k) {
      const double err = std::abs(got[k] - want[k]);
      std::printf("%s: gradient descent %.12f  normal equations %.12f  |diff| %.1e\n", names[k], got[k], want[k], err);
      // 1e-9: far above the leftover descent error (~1e-18) and the rounding
      // of either computation (~1e-15), far below any real disagreement.
      ok = ok && err <= 1e-9;
    }
  }
  std::printf("%s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
