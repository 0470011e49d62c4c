// pure-fit's configuration: one table of keys shared by the TOML file and the
// command line (--solver.steps 500 overrides [solver] steps = 2000), so every
// key has one name, one type, one default and one help text.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "model.hpp"

namespace pure_fit {

/// A configuration error: printed as one line, exit status 2.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string model = "exp_decay";
  std::int64_t seed = 0;
  std::string data_file;                       // .csv or .h5; empty with --demo
  std::map<std::string, std::string> columns;  // role -> column / dataset name
  std::string solver = "lm";                   // lm | lbfgs | a pure::optim optimizer (is_gradient_solver)
  std::int64_t steps = 2000;                   // adam steps; lbfgs/lm iteration limit
  double learning_rate = 1e-2;
  double clip_norm = 0.0;  // gradient solvers: clip_by_global_norm first when > 0
  double tolerance = 1e-12;
  std::string output_dir = "pure-fit-out";
  std::int64_t checkpoint_every = 200;
  std::int64_t keep_checkpoints = 3;
  double progress_seconds = 1.0;
  std::int64_t demo_points = 200;
  double demo_noise = 0.05;
  ModelSettings settings;
  bool demo = false;
  bool resume = false;

  /// The effective configuration as TOML (stored in results and checkpoints).
  std::string to_toml() const;
};

/// adam, adamw, sgd (momentum 0.9), rmsprop, adagrad, lion: pure::optim optimizers.
bool is_gradient_solver(const std::string& name);

/// Parses argv (and the file named by --config): defaults, then the file,
/// then command-line keys. Prints help and exits 0 for --help; throws
/// ConfigError for anything wrong.
Config parse_command_line(int argc, char** argv);

}  // namespace pure_fit
