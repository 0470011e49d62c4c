// y = amplitude * exp(-x / tau) + background: a decay curve (activity,
// fluorescence lifetime, relaxation) on a constant background.
#include "../model.hpp"

namespace pure_fit {
namespace {

pure::Array predict(const pure::Tree& p, const Dataset& d, const ModelSettings&) {
  return p["amplitude"].array() * pure::exp(-d.at("x") / p["tau"].array()) + p["background"].array();
}

const Register reg(FitModel{
    "exp_decay",
    "y = amplitude * exp(-x / tau) + background",
    {"x", "y"},
    [](const Dataset& d, const ModelSettings&, const pure::random::Key&) {
      // Start from the data's own scales: amplitude = y range, tau = x span / 3.
      const double ymin = pure::min(d.at("y")).item<double>(), ymax = pure::max(d.at("y")).item<double>();
      const double xspan = pure::max(d.at("x")).item<double>() - pure::min(d.at("x")).item<double>();
      return pure::Tree{{"amplitude", scalar(ymax - ymin)}, {"tau", scalar(xspan / 3)}, {"background", scalar(ymin)}};
    },
    [](const pure::Tree& p, const Dataset& d, const ModelSettings& s) { return predict(p, d, s) - d.at("y"); },
    predict,
    [](const ModelSettings&, const pure::random::Key&) {
      return pure::Tree{{"amplitude", scalar(5.0)}, {"tau", scalar(2.5)}, {"background", scalar(0.8)}};
    },
    [](const pure::Tree& truth, const ModelSettings& s, const pure::random::Key& key, std::int64_t n, double noise) {
      return noisy_curve(predict, truth, s, key, n, noise, 0.0, 10.0);
    }});

}  // namespace
}  // namespace pure_fit
