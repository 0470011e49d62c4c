#include "model.hpp"

#include <stdexcept>

namespace pure_fit {

std::map<std::string, FitModel>& registry() {
  static std::map<std::string, FitModel> models;
  return models;
}

Register::Register(FitModel m) { registry().emplace(m.name, std::move(m)); }

const FitModel& find_model(const std::string& name) {
  const auto it = registry().find(name);
  if (it == registry().end()) {
    std::string names;
    for (const auto& [n, m] : registry()) names += (names.empty() ? "" : ", ") + n;
    throw std::invalid_argument("model.name: unknown model '" + name + "' (known: " + names + ")");
  }
  return it->second;
}

pure::Array scalar(double v) { return pure::full(pure::Shape{}, v, pure::DType::f64); }

Dataset noisy_curve(CurveFn curve, const pure::Tree& truth, const ModelSettings& s, const pure::random::Key& key,
                    std::int64_t n, double noise, double x0, double x1) {
  Dataset d;
  d["x"] = pure::linspace(x0, x1, n, true, pure::DType::f64);
  d["y"] = curve(truth, d, s) + noise * pure::random::normal(key, pure::Shape{n}, pure::DType::f64);
  return d;
}

}  // namespace pure_fit
