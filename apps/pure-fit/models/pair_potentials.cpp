// Pair potentials fitted to energies and forces of small clusters (force
// matching): E = sum over pairs i < j of phi(r_ij), F = -dE/dpositions by
// pure::grad inside the residual, so every solver differentiates through a
// gradient. Data: positions (M, N, 3), energies (M), forces (M, N, 3).
//   lennard_jones: phi(r) = 4 epsilon ((sigma / r)^12 - (sigma / r)^6)
//   morse:         phi(r) = depth ((1 - exp(-a (r - r0)))^2 - 1)
#include <cmath>

#include "../model.hpp"

namespace pure_fit {
namespace {

using pure::Array;
using Phi = Array (*)(const pure::Tree& p, const Array& r);

Array lj(const pure::Tree& p, const Array& r) {
  const Array s6 = pure::power(p["sigma"].array() / r, 6);
  return 4.0 * p["epsilon"].array() * (s6 * s6 - s6);
}

Array morse(const pure::Tree& p, const Array& r) {
  const Array e = 1.0 - pure::exp(-p["a"].array() * (r - p["r0"].array()));
  return p["depth"].array() * (e * e - 1.0);
}

// Total energy of each configuration, (M,). Pairs i < j only; the other
// entries get r = 1 before phi so that no infinity (r = 0 on the diagonal)
// reaches a gradient, and are then dropped.
Array energies(Phi phi, const pure::Tree& p, const Array& pos) {
  const std::int64_t n = pos.shape()[1];
  const Array diff = pure::expand_dims(pos, 2) - pure::expand_dims(pos, 1);  // (M, N, N, 3)
  const Array r2 = pure::sum(diff * diff, {-1});
  const Array upper =
      pure::astype(pure::triu(pure::ones(pure::Shape{n, n}, pure::DType::f64), 1), pure::DType::boolean);
  const Array mask = pure::broadcast_to(upper, r2.shape());
  const Array r = pure::sqrt(pure::where(mask, r2, pure::scalar_like(r2, 1.0)));
  return pure::sum(pure::where(mask, phi(p, r), pure::zeros(r2.shape(), pure::DType::f64)), {1, 2});
}

Array forces(Phi phi, const pure::Tree& p, const Array& pos) {
  return -pure::grad([&](const Array& x) { return pure::sum(energies(phi, p, x)); })(pos);
}

// Residuals: energies per configuration, then forces scaled by sqrt(weight).
Array residuals(Phi phi, const pure::Tree& p, const Dataset& d, const ModelSettings& s) {
  const Array de = energies(phi, p, d.at("positions")) - d.at("energies");
  const Array df = forces(phi, p, d.at("positions")) - d.at("forces");
  return pure::concatenate({de, std::sqrt(s.force_weight) * pure::reshape(df, pure::Shape{df.shape().size()})}, 0);
}

// Clusters of 6 atoms on a jittered 3 x 2 grid, spacing `spacing`.
Dataset clusters(Phi phi, const pure::Tree& truth, const pure::random::Key& key, std::int64_t m, double spacing,
                 double noise) {
  const auto keys = pure::random::split(key, 3);
  std::vector<double> grid;
  for (int i = 0; i < 6; ++i) grid.insert(grid.end(), {spacing * (i % 3), spacing * (i / 3), 0.0});
  const Array base = pure::broadcast_to(pure::from_host(grid, pure::Shape{1, 6, 3}), pure::Shape{m, 6, 3});
  Dataset d;
  d["positions"] = base + pure::random::uniform(keys[0], pure::Shape{m, 6, 3}, pure::DType::f64, -0.12, 0.12);
  d["energies"] =
      energies(phi, truth, d["positions"]) + noise * pure::random::normal(keys[1], pure::Shape{m}, pure::DType::f64);
  d["forces"] = forces(phi, truth, d["positions"]) +
                noise * pure::random::normal(keys[2], pure::Shape{m, 6, 3}, pure::DType::f64);
  return d;
}

// The smallest pair distance of the first configuration: the potential's length scale.
double nearest(const Dataset& d) {
  const std::vector<double> x = pure::index(d.at("positions"), 0).to_host<double>();
  double best = 1e300;
  for (std::size_t i = 0; i < x.size() / 3; ++i)
    for (std::size_t j = i + 1; j < x.size() / 3; ++j) {
      double r2 = 0;
      for (int k = 0; k < 3; ++k) r2 += (x[3 * i + k] - x[3 * j + k]) * (x[3 * i + k] - x[3 * j + k]);
      best = std::min(best, std::sqrt(r2));
    }
  return best;
}

const Register lj_reg(FitModel{
    "lennard_jones",
    "E = sum_{i<j} 4 epsilon ((sigma/r)^12 - (sigma/r)^6), fitted to energies and forces",
    {"positions", "energies", "forces"},
    [](const Dataset& d, const ModelSettings&, const pure::random::Key&) {
      return pure::Tree{{"epsilon", scalar(1.0)}, {"sigma", scalar(nearest(d) / std::pow(2.0, 1.0 / 6))}};
    },
    [](const pure::Tree& p, const Dataset& d, const ModelSettings& s) { return residuals(&lj, p, d, s); },
    [](const pure::Tree& p, const Dataset& d, const ModelSettings&) { return energies(&lj, p, d.at("positions")); },
    [](const ModelSettings&, const pure::random::Key&) {
      return pure::Tree{{"epsilon", scalar(0.8)}, {"sigma", scalar(1.1)}};
    },
    [](const pure::Tree& truth, const ModelSettings&, const pure::random::Key& key, std::int64_t n, double noise) {
      return clusters(&lj, truth, key, n, 1.25, noise);
    }});

const Register morse_reg(FitModel{
    "morse",
    "E = sum_{i<j} depth ((1 - exp(-a (r - r0)))^2 - 1), fitted to energies and forces",
    {"positions", "energies", "forces"},
    [](const Dataset& d, const ModelSettings&, const pure::random::Key&) {
      return pure::Tree{{"depth", scalar(1.0)}, {"a", scalar(1.0)}, {"r0", scalar(nearest(d))}};
    },
    [](const pure::Tree& p, const Dataset& d, const ModelSettings& s) { return residuals(&morse, p, d, s); },
    [](const pure::Tree& p, const Dataset& d, const ModelSettings&) { return energies(&morse, p, d.at("positions")); },
    [](const ModelSettings&, const pure::random::Key&) {
      return pure::Tree{{"depth", scalar(0.9)}, {"a", scalar(1.6)}, {"r0", scalar(1.2)}};
    },
    [](const pure::Tree& truth, const ModelSettings&, const pure::random::Key& key, std::int64_t n, double noise) {
      return clusters(&morse, truth, key, n, 1.2, noise);
    }});

}  // namespace
}  // namespace pure_fit
