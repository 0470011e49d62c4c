// 04_force_matching: fitting a pair potential to forces, grad over grad.
//
// Eight particles in 3-D interact through a Morse potential
//   V(r) = D (1 - exp(-a (r - r0)))^2,   theta = (D, a, r0),
// and E(positions; theta) sums V over pairs. The forces are F = -dE/dpositions,
// one pure::grad. Force matching fits theta so that F(theta) matches reference
// forces: loss(theta) = mean |F(theta) - F_ref|^2, whose gradient d loss / d theta
// is a pure::grad of a function that itself calls pure::grad. Nothing special is
// needed for that: the inner grad's backward pass is made of pure ops, which
// the outer grad differentiates like any others.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <pure/pure.hpp>

namespace pr = pure::random;
using pure::Array;

struct Morse {
  Array D, a, r0;  // well depth, stiffness, equilibrium distance (scalars)
};
PURE_TREE(Morse, D, a, r0)

// Pairwise distances by broadcasting (N,1,3) - (1,N,3). The diagonal has r = 0,
// where sqrt has an infinite derivative: replace it by 1 *before* the sqrt, not
// only after, or grad would multiply that infinity by zero and give NaN.
Array energy(const Array& pos, const Morse& th) {
  const std::int64_t n = pos.shape()[0];
  const Array diff = pure::reshape(pos, {n, 1, 3}) - pure::reshape(pos, {1, n, 3});
  const Array r2 = pure::sum(pure::square(diff), {-1});
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(n * n), 1);  // a constant, not traced
  for (std::int64_t i = 0; i < n; ++i) mask[static_cast<std::size_t>(i * n + i)] = 0;
  const Array off_diagonal = pure::from_host_bool(mask, {n, n});
  const Array r = pure::sqrt(pure::where(off_diagonal, r2, pure::scalar_like(r2, 1.0)));
  const Array v = th.D * pure::square(1.0 - pure::exp(-th.a * (r - th.r0)));
  return 0.5 * pure::sum(pure::where(off_diagonal, v, pure::scalar_like(v, 0.0)));  // each pair counted twice
}

Array forces(const Array& pos, const Morse& th) { return -pure::grad<0>(energy)(pos, th); }

Array loss(const Morse& th, const Array& pos, const Array& f_ref) {
  return pure::mean(pure::square(forces(pos, th) - f_ref));
}

Morse make_morse(double D, double a, double r0) {
  return {pure::full({}, D, pure::DType::f64), pure::full({}, a, pure::DType::f64),
          pure::full({}, r0, pure::DType::f64)};
}
std::vector<double> values(const Morse& th) { return {th.D.item<double>(), th.a.item<double>(), th.r0.item<double>()}; }

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  bool ok = true;
  {
    // A 2x2x2 cube of side 1.2 with every coordinate jittered by U(-0.4, 0.4).
    std::vector<double> cube;
    for (int i = 0; i < 8; ++i)
      for (int k = 0; k < 3; ++k) cube.push_back(1.2 * ((i >> (2 - k)) & 1));
    const Array pos =
        pure::from_host(cube, {8, 3}) + pr::uniform(pr::split(pr::key(0))[0], {8, 3}, pure::DType::f64, -0.4, 0.4);

    const std::vector<double> truth = {0.8, 1.2, 1.1};
    const Array f_ref = forces(pos, make_morse(truth[0], truth[1], truth[2]));

    // Check 1, the inner grad: F_i = -sum_j V'(r_ij) (x_i - x_j) / r_ij with
    // V'(r) = 2 D a e (1 - e), e = exp(-a (r - r0)), in plain host code.
    const std::vector<double> x = pos.to_host<double>(), f = f_ref.to_host<double>();
    double worst = 0;
    for (int i = 0; i < 8; ++i) {
      double fi[3] = {0, 0, 0};
      for (int j = 0; j < 8; ++j) {
        if (j == i) continue;
        const double d[3] = {x[3 * i] - x[3 * j], x[3 * i + 1] - x[3 * j + 1], x[3 * i + 2] - x[3 * j + 2]};
        const double r = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        const double e = std::exp(-truth[1] * (r - truth[2]));
        for (int k = 0; k < 3; ++k) fi[k] -= 2 * truth[0] * truth[1] * e * (1 - e) * d[k] / r;
      }
      for (int k = 0; k < 3; ++k) worst = std::fmax(worst, std::abs(fi[k] - f[3 * i + k]));
    }
    std::printf("forces vs analytic: max |diff| = %.1e\n", worst);
    ok = ok && worst <= 1e-12;  // O(1) forces in f64: rounding is ~1e-15

    // Check 2, grad over grad: d loss / d theta against central differences.
    const std::vector<double> start = {0.5, 1.0, 1.3};
    const auto loss_and_grad = pure::value_and_grad(loss);
    const std::vector<double> g =
        values(std::get<1>(loss_and_grad(make_morse(start[0], start[1], start[2]), pos, f_ref)));
    for (int k = 0; k < 3; ++k) {
      const double h = 1e-5;
      std::vector<double> up = start, down = start;
      up[k] += h;
      down[k] -= h;
      const double fd = (loss(make_morse(up[0], up[1], up[2]), pos, f_ref).item<double>() -
                         loss(make_morse(down[0], down[1], down[2]), pos, f_ref).item<double>()) /
                        (2 * h);
      std::printf("d loss / d theta[%d]: grad %.10f  central difference %.10f\n", k, g[k], fd);
      // Truncation h^2 |loss'''| / 6 and rounding 1e-16 |loss| / h are both < 1e-8 here.
      ok = ok && std::abs(g[k] - fd) <= 1e-7 * (1 + std::abs(fd));
    }

    // The fit: plain gradient descent. Near the optimum the loss's Hessian has
    // eigenvalues 0.22 ... 6.6, so a step of 0.25 is stable (< 2 / 6.6) and
    // shrinks the error by 1 - 0.25 * 0.22 = 0.945 per step: 400 steps take it
    // from 0.3 to below 1e-10.
    Morse th = make_morse(start[0], start[1], start[2]);
    for (int step = 0; step <= 400; ++step) {
      const auto [value, grads] = loss_and_grad(th, pos, f_ref);
      if (step % 50 == 0) {
        const std::vector<double> t = values(th);
        std::printf("step %3d  loss %.3e  D %.6f  a %.6f  r0 %.6f\n", step, value.item<double>(), t[0], t[1], t[2]);
      }
      th = pure::tree_axpy(-0.25, grads, th);
    }
    const std::vector<double> fitted = values(th);
    double err = 0;
    for (int k = 0; k < 3; ++k) err = std::fmax(err, std::abs(fitted[k] - truth[k]));
    std::printf("fitted D %.10f  a %.10f  r0 %.10f  (true 0.8, 1.2, 1.1; max |error| %.1e)\n", fitted[0], fitted[1],
                fitted[2], err);
    ok = ok && err <= 1e-8;  // the rate above predicts ~1e-11
  }
  std::printf("%s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
