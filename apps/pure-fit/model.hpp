// The models pure-fit can fit. A model is one small file in models/ that
// registers a FitModel: its parameters (a Tree), its residuals on a data set,
// and how to make synthetic data for --demo. Residuals are what least squares
// minimises: the loss of the gradient-based solvers is their mean square.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <pure/pure.hpp>

namespace pure_fit {

/// Named f64 arrays: columns of a CSV file or datasets of an HDF5 file, under
/// the model's role names ("x", "y", "positions", ...).
using Dataset = std::map<std::string, pure::Array>;

/// Settings a model may read (the [model] table of the configuration).
struct ModelSettings {
  std::vector<std::int64_t> hidden{32, 32};  ///< mlp: hidden layer widths
  std::string activation = "tanh";           ///< mlp: tanh | relu | gelu | silu
  double force_weight = 1.0;                 ///< pair potentials: weight of force residuals
};

struct FitModel {
  std::string name;
  std::string description;
  /// The data roles the model reads, e.g. {"x", "y"}; the configuration maps
  /// each to a column or dataset name.
  std::vector<std::string> roles;
  /// Initial parameters (may look at the data, e.g. for scales).
  std::function<pure::Tree(const Dataset& data, const ModelSettings& s, const pure::random::Key& key)> init;
  /// Residuals: a 1-D f64 array, (prediction - observation), weighted.
  std::function<pure::Array(const pure::Tree& params, const Dataset& data, const ModelSettings& s)> residuals;
  /// The model's prediction of the observed quantity (for plots and results).
  std::function<pure::Array(const pure::Tree& params, const Dataset& data, const ModelSettings& s)> predict;
  /// --demo: true parameters, and n noisy observations made from them.
  std::function<pure::Tree(const ModelSettings& s, const pure::random::Key& key)> demo_truth;
  std::function<Dataset(const pure::Tree& truth, const ModelSettings& s, const pure::random::Key& key, std::int64_t n,
                        double noise)>
      synthesize;
};

/// All registered models, by name.
std::map<std::string, FitModel>& registry();
/// Registers a model at static-initialisation time (one per file in models/).
struct Register {
  explicit Register(FitModel m);
};
const FitModel& find_model(const std::string& name);

/// A scalar parameter as an f64 rank-0 array (models of a few named numbers).
pure::Array scalar(double v);

using CurveFn = pure::Array (*)(const pure::Tree& params, const Dataset& data, const ModelSettings& s);
/// --demo data of a curve model: n points x evenly on [x0, x1], y = curve + noise * N(0, 1).
Dataset noisy_curve(CurveFn curve, const pure::Tree& truth, const ModelSettings& s, const pure::random::Key& key,
                    std::int64_t n, double noise, double x0, double x1);

}  // namespace pure_fit
