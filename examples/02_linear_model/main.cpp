// 02_linear_model: the seed of the project, JAX style.
//
// A model is a definition plus a value: `forward(params, x)` is a plain
// function, and its parameters are a struct of arrays passed in and out. The
// struct is registered as a tree (PURE_TREE), so pure::grad returns the
// gradient in the same struct, field for field, just as jax.grad does with a
// dict of parameters. Randomness comes only from the key handed to init_params.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <vector>

#include <pure/pure.hpp>

namespace pr = pure::random;

struct Params {
  pure::Array w;  // slope, a scalar (rank-0 array)
  pure::Array b;  // intercept
};
PURE_TREE(Params, w, b)

// split consumes `key` and gives one fresh key per parameter, so w and b are
// independent draws and the caller's key is never reused.
Params init_params(pr::Key key) {
  const auto [k_w, k_b] = pr::split(key);
  return {pr::normal(k_w, pure::Shape{}), pr::normal(k_b, pure::Shape{})};
}

// The rank-0 w and b broadcast against x of any shape.
pure::Array forward(const Params& p, const pure::Array& x) { return p.w * x + p.b; }

pure::Array loss(const Params& p, const pure::Array& x, const pure::Array& y) {
  return pure::mean(pure::square(forward(p, x) - y));
}

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  bool ok = true;
  {
    // One root key, split once per use: no key is ever consumed twice.
    const std::vector<pr::Key> keys = pr::split(pr::key(0), 3);
    const pr::Key k_init = keys[0], k_x = keys[1], k_noise = keys[2];

    // Data from the line y = 2x - 1 plus a little noise.
    const std::int64_t n = 16;
    const pure::Array x = pr::uniform(k_x, {n}, pure::DType::f32, -1.0, 1.0);
    const pure::Array y = 2.0 * x - 1.0 + 0.1 * pr::normal(k_noise, {n});

    const Params params = init_params(k_init);
    std::cout << "w = " << params.w << ", b = " << params.b << "\n";
    std::cout << "loss = " << loss(params, x, y) << "\n";

    // grad differentiates with respect to argument 0 (the Params) and returns a Params.
    const Params g = pure::grad(loss)(params, x, y);
    std::cout << "dloss/dw = " << g.w << ", dloss/db = " << g.b << "\n";

    // Independent check, in plain double host code: for L = mean((w x + b - y)^2),
    // dL/dw = 2/n sum(r_i x_i) and dL/db = 2/n sum(r_i) with r_i = w x_i + b - y_i.
    const std::vector<float> xs = x.to_host<float>(), ys = y.to_host<float>();
    const double w = params.w.item<float>(), b = params.b.item<float>();
    double dw = 0, db = 0, scale_w = 0, scale_b = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double r = w * xs[i] + b - ys[i];
      dw += 2.0 * r * xs[i] / n;
      db += 2.0 * r / n;
      scale_w += std::abs(2.0 * r * xs[i] / n);
      scale_b += std::abs(2.0 * r / n);
    }
    // float32 rounding of n = 16 terms: the error is a few ulp (6e-8) of the
    // sum of their magnitudes; 1e-5 of that leaves a wide margin.
    const double err_w = std::abs(g.w.item<float>() - dw), err_b = std::abs(g.b.item<float>() - db);
    std::printf("analytic: dloss/dw = %.7f, dloss/db = %.7f (errors %.1e, %.1e)\n", dw, db, err_w, err_b);
    ok = err_w <= 1e-5 * scale_w + 1e-7 && err_b <= 1e-5 * scale_b + 1e-7;

    // Parameters are a value: one gradient step makes a new Params.
    const Params stepped = pure::tree_axpy(-0.1, g, params);
    const float before = loss(params, x, y).item<float>(), after = loss(stepped, x, y).item<float>();
    std::cout << "one SGD step: loss " << before << " -> " << after << "\n";
    ok = ok && after < before;
  }
  std::cout << (ok ? "OK" : "FAILED") << "\n";
  return ok ? 0 : 1;
}
