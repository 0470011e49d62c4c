// y = amplitude * exp(-gamma x) * cos(omega x + phase): a damped harmonic
// oscillator's displacement (ringdown of a resonator, a pendulum).
#include <cmath>

#include "../model.hpp"

namespace pure_fit {
namespace {

pure::Array predict(const pure::Tree& p, const Dataset& d, const ModelSettings&) {
  const pure::Array& x = d.at("x");
  return p["amplitude"].array() * pure::exp(-p["gamma"].array() * x) *
         pure::cos(p["omega"].array() * x + p["phase"].array());
}

const Register reg(FitModel{
    "damped_oscillator",
    "y = amplitude * exp(-gamma x) * cos(omega x + phase)",
    {"x", "y"},
    [](const Dataset& d, const ModelSettings&, const pure::random::Key&) {
      // omega from the zero crossings of y (a robust start for an oscillation).
      const std::vector<double> x = d.at("x").to_host<double>(), y = d.at("y").to_host<double>();
      int crossings = 0;
      for (std::size_t i = 1; i < y.size(); ++i) crossings += (y[i - 1] < 0) != (y[i] < 0);
      const double span = x.back() - x.front();
      const double omega = crossings > 0 ? M_PI * crossings / span : 1.0;
      double amp = 0;
      for (double v : y) amp = std::max(amp, std::abs(v));
      return pure::Tree{
          {"amplitude", scalar(amp)}, {"gamma", scalar(1.0 / span)}, {"omega", scalar(omega)}, {"phase", scalar(0.0)}};
    },
    [](const pure::Tree& p, const Dataset& d, const ModelSettings& s) { return predict(p, d, s) - d.at("y"); },
    predict,
    [](const ModelSettings&, const pure::random::Key&) {
      return pure::Tree{
          {"amplitude", scalar(2.0)}, {"gamma", scalar(0.3)}, {"omega", scalar(3.0)}, {"phase", scalar(0.4)}};
    },
    [](const pure::Tree& truth, const ModelSettings& s, const pure::random::Key& key, std::int64_t n, double noise) {
      return noisy_curve(predict, truth, s, key, n, noise, 0.0, 10.0);
    }});

}  // namespace
}  // namespace pure_fit
