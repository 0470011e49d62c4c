#include "config.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

#include "toml_file.hpp"

namespace pure_fit {
namespace {

enum class Kind { string, integer, real, integer_list };

struct Key {
  std::string name;  // "solver.steps"
  Kind kind;
  std::string help;
  std::function<std::string(const Config&)> get;  // the value as TOML text
  std::function<void(Config&, const TomlValue&)> set_toml;
  std::function<void(Config&, const std::string&)> set_text;
};

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

template <class T>
Key make_key(std::string name, Kind kind, std::string help, T Config::*member) {
  Key k{name, kind, std::move(help), nullptr, nullptr, nullptr};
  k.get = [member, kind](const Config& c) {
    std::ostringstream os;
    if constexpr (std::is_same_v<T, std::string>) {
      os << quote(c.*member);
    } else {
      os.precision(17);
      os << c.*member;
      if (kind == Kind::real && os.str().find_first_of(".eEn") == std::string::npos) os << ".0";
    }
    return os.str();
  };
  k.set_toml = [member, name](Config& c, const TomlValue& n) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (n.type != TomlValue::Type::string) throw ConfigError(name + ": expected a string");
      c.*member = n.text;
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
      if (n.type != TomlValue::Type::integer) throw ConfigError(name + ": expected an integer");
      c.*member = n.integer;
    } else {
      if (!n.is_number()) throw ConfigError(name + ": expected a number");
      c.*member = n.real;
    }
  };
  k.set_text = [member, name](Config& c, const std::string& text) {
    if constexpr (std::is_same_v<T, std::string>) {
      c.*member = text;
    } else {
      std::size_t used = 0;
      try {
        if constexpr (std::is_same_v<T, std::int64_t>) {
          c.*member = std::stoll(text, &used);
        } else {
          c.*member = std::stod(text, &used);
        }
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != text.size()) {
        throw ConfigError(name + ": '" + text + "' is not " +
                          (std::is_same_v<T, std::int64_t> ? "an integer" : "a number"));
      }
    }
  };
  return k;
}

Key column_key(const std::string& role) {
  Key k{"data." + role,
        Kind::string,
        "column (CSV) or dataset (HDF5) holding the model's '" + role + "' data",
        [role](const Config& c) { return quote(c.columns.count(role) ? c.columns.at(role) : role); },
        [role](Config& c, const TomlValue& n) {
          if (n.type != TomlValue::Type::string) throw ConfigError("data." + role + ": expected a string");
          c.columns[role] = n.text;
        },
        [role](Config& c, const std::string& t) { c.columns[role] = t; }};
  return k;
}

std::vector<Key> keys() {
  std::vector<Key> k;
  k.push_back(make_key("model.name", Kind::string, "the model to fit (see --list-models)", &Config::model));
  k.push_back(
      make_key("seed", Kind::integer, "root of every random key (initial parameters, demo data)", &Config::seed));
  k.push_back(
      make_key("data.file", Kind::string, "data file: .csv (a header row of column names) or .h5", &Config::data_file));
  for (const char* role : {"x", "y", "positions", "energies", "forces"}) k.push_back(column_key(role));
  k.push_back(make_key("solver.name", Kind::string,
                       "lm (Levenberg-Marquardt) | lbfgs | adam | adamw | sgd | rmsprop | adagrad | lion",
                       &Config::solver));
  k.push_back(
      make_key("solver.steps", Kind::integer, "gradient solvers: steps; lm, lbfgs: iteration limit", &Config::steps));
  k.push_back(make_key("solver.learning_rate", Kind::real, "gradient solvers: learning rate", &Config::learning_rate));
  k.push_back(make_key("solver.clip_norm", Kind::real, "gradient solvers: clip by global norm first (0: off)",
                       &Config::clip_norm));
  k.push_back(make_key("solver.tolerance", Kind::real, "lm, lbfgs: convergence tolerance", &Config::tolerance));
  k.push_back(
      make_key("output.dir", Kind::string, "results, loss history and checkpoints go here", &Config::output_dir));
  k.push_back(make_key("output.checkpoint_every", Kind::integer, "gradient solvers: checkpoint every n steps",
                       &Config::checkpoint_every));
  k.push_back(make_key("output.keep_checkpoints", Kind::integer, "checkpoints kept (older ones deleted)",
                       &Config::keep_checkpoints));
  k.push_back(make_key("output.progress_seconds", Kind::real, "seconds between progress lines on stderr",
                       &Config::progress_seconds));
  k.push_back(make_key("demo.points", Kind::integer, "--demo: number of synthetic observations", &Config::demo_points));
  k.push_back(make_key("demo.noise", Kind::real, "--demo: standard deviation of the noise", &Config::demo_noise));
  Key act = make_key("model.activation", Kind::string, "mlp: tanh | relu | gelu | silu", &Config::model);
  act.get = [](const Config& c) { return quote(c.settings.activation); };
  act.set_toml = [](Config& c, const TomlValue& n) {
    if (n.type != TomlValue::Type::string) throw ConfigError("model.activation: expected a string");
    c.settings.activation = n.text;
  };
  act.set_text = [](Config& c, const std::string& t) { c.settings.activation = t; };
  k.push_back(act);
  Key fw = make_key("model.force_weight", Kind::real, "pair potentials: weight of the force residuals",
                    &Config::learning_rate);
  fw.get = [](const Config& c) {
    std::ostringstream os;
    os.precision(17);
    os << c.settings.force_weight;
    if (os.str().find_first_of(".eEn") == std::string::npos) os << ".0";
    return os.str();
  };
  fw.set_toml = [](Config& c, const TomlValue& n) {
    if (!n.is_number()) throw ConfigError("model.force_weight: expected a number");
    c.settings.force_weight = n.real;
  };
  fw.set_text = [](Config& c, const std::string& t) {
    std::size_t used = 0;
    try {
      c.settings.force_weight = std::stod(t, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != t.size()) throw ConfigError("model.force_weight: '" + t + "' is not a number");
  };
  k.push_back(fw);
  Key hidden{"model.hidden",
             Kind::integer_list,
             "mlp: hidden layer widths, e.g. [32, 32] (command line: 32,32)",
             [](const Config& c) {
               std::string s = "[";
               for (std::size_t i = 0; i < c.settings.hidden.size(); ++i)
                 s += (i ? ", " : "") + std::to_string(c.settings.hidden[i]);
               return s + "]";
             },
             [](Config& c, const TomlValue& n) {
               if (n.type != TomlValue::Type::array) throw ConfigError("model.hidden: expected an array of integers");
               c.settings.hidden.clear();
               for (const TomlValue& e : n.items) {
                 if (e.type != TomlValue::Type::integer) {
                   throw ConfigError("model.hidden: expected an array of integers");
                 }
                 c.settings.hidden.push_back(e.integer);
               }
             },
             [](Config& c, const std::string& t) {
               c.settings.hidden.clear();
               std::stringstream ss(t);
               std::string item;
               while (std::getline(ss, item, ',')) {
                 std::size_t used = 0;
                 try {
                   c.settings.hidden.push_back(std::stoll(item, &used));
                 } catch (const std::exception&) {
                   used = 0;
                 }
                 if (used == 0 || used != item.size()) {  // "3x" is no width
                   throw ConfigError("model.hidden: '" + t + "' is not a comma-separated list of integers");
                 }
               }
             }};
  k.push_back(hidden);
  return k;
}

void validate(const Config& c) {
  if (c.solver != "lm" && c.solver != "lbfgs" && !is_gradient_solver(c.solver)) {
    throw ConfigError("solver.name: '" + c.solver +
                      "' is not one of lm, lbfgs, adam, adamw, sgd, rmsprop, adagrad, lion");
  }
  // The solvers and the checkpoint manager count in int: larger values would wrap.
  constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
  const auto finite = [](double v) { return std::isfinite(v); };
  if (!(c.clip_norm >= 0) || !finite(c.clip_norm))
    throw ConfigError("solver.clip_norm: must be finite and >= 0 (0: no clipping)");
  if (c.steps <= 0 || c.steps > kIntMax) {
    throw ConfigError("solver.steps: must be between 1 and " + std::to_string(kIntMax) + ", got " +
                      std::to_string(c.steps));
  }
  if (!(c.learning_rate > 0) || !finite(c.learning_rate))
    throw ConfigError("solver.learning_rate: must be finite and positive");
  if (!(c.tolerance >= 0) || !finite(c.tolerance)) throw ConfigError("solver.tolerance: must be finite and >= 0");
  if (c.checkpoint_every <= 0) throw ConfigError("output.checkpoint_every: must be positive");
  if (c.keep_checkpoints < 0 || c.keep_checkpoints > kIntMax) {
    throw ConfigError("output.keep_checkpoints: must be between 0 and " + std::to_string(kIntMax) + ", got " +
                      std::to_string(c.keep_checkpoints));
  }
  if (!(c.progress_seconds >= 0) || !finite(c.progress_seconds)) {
    throw ConfigError("output.progress_seconds: must be finite and >= 0");
  }
  if (c.demo_points < 10 || c.demo_points > kIntMax) {
    throw ConfigError("demo.points: must be between 10 and " + std::to_string(kIntMax));
  }
  if (!(c.demo_noise > 0) || !finite(c.demo_noise)) throw ConfigError("demo.noise: must be finite and positive");
  if (c.output_dir.empty()) throw ConfigError("output.dir: must not be empty");
  if (!(c.settings.force_weight >= 0) || !std::isfinite(c.settings.force_weight)) {
    throw ConfigError("model.force_weight: must be a finite number >= 0");
  }
  for (auto w : c.settings.hidden)
    if (w <= 0) throw ConfigError("model.hidden: widths must be positive");
  const std::string& a = c.settings.activation;
  if (a != "tanh" && a != "relu" && a != "gelu" && a != "silu") {
    throw ConfigError("model.activation: '" + a + "' is not one of tanh, relu, gelu, silu");
  }
  find_model(c.model);  // throws std::invalid_argument naming the known models
  if (!c.demo && c.data_file.empty()) throw ConfigError("data.file: no data file given (or run --demo)");
}

}  // namespace

bool is_gradient_solver(const std::string& name) {
  for (const char* n : {"adam", "adamw", "sgd", "rmsprop", "adagrad", "lion"})
    if (name == n) return true;
  return false;
}

std::string Config::to_toml() const {
  std::map<std::string, std::map<std::string, std::string>> tables;
  for (const Key& k : keys()) {
    const std::size_t dot = k.name.find('.');
    const std::string table = dot == std::string::npos ? "" : k.name.substr(0, dot);
    tables[table][dot == std::string::npos ? k.name : k.name.substr(dot + 1)] = k.get(*this);
  }
  std::string out;
  for (const auto& [name, value] : tables[""]) out += name + " = " + value + "\n";
  for (const auto& [table, entries] : tables) {
    if (table.empty()) continue;
    out += "\n[" + table + "]\n";
    for (const auto& [name, value] : entries) out += name + " = " + value + "\n";
  }
  return out;
}

Config parse_command_line(int argc, char** argv) {
  Config config;
  const std::vector<Key> table = keys();
  CLI::App app{
      "pure-fit: fits a physics model to data (or to synthetic data with --demo), with checkpoints and resume.\n"
      "Every configuration key can be set in the TOML file given by --config and overridden here as --<key>."};
  app.get_formatter()->column_width(36);
  std::string config_file;
  bool list_models = false;
  app.add_option("--config", config_file, "TOML configuration file");
  app.add_flag("--demo", config.demo, "fit synthetic data from the model's known parameters and check the recovery");
  app.add_flag("--resume", config.resume, "continue from the newest checkpoint in output.dir");
  app.add_flag("--list-models", list_models, "list the models and exit");
  std::map<std::string, std::string> given;
  for (const Key& k : table) {
    app.add_option_function<std::string>(
           "--" + k.name, [&given, name = k.name](const std::string& v) { given[name] = v; },
           k.help + " [default: " + k.get(config) + "]")
        ->type_name(k.kind == Kind::string    ? "TEXT"
                    : k.kind == Kind::integer ? "INT"
                    : k.kind == Kind::real    ? "REAL"
                                              : "LIST");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    throw ConfigError(e.what());
  }
  if (list_models) {
    for (const auto& [name, m] : registry()) std::cout << name << ": " << m.description << "\n";
    std::exit(0);
  }
  if (!config_file.empty()) {
    std::vector<std::pair<std::string, TomlValue>> entries;
    try {
      entries = read_toml_file(config_file);
    } catch (const TomlError& e) {
      throw ConfigError(e.what());
    }
    for (const auto& [name, value] : entries) {
      const std::string key = name == "model" ? "model.name" : name;  // `model = "x"` as a shorthand
      bool found = false;
      for (const Key& k : table) {
        if (k.name == key) {
          k.set_toml(config, value);
          found = true;
        }
      }
      if (!found) throw ConfigError(config_file + ": unknown key '" + name + "' (pure-fit --help lists them)");
    }
  }
  for (const auto& [name, value] : given) {
    for (const Key& k : table)
      if (k.name == name) k.set_text(config, value);
  }
  if (config.demo && config_file.empty() && given.count("solver.name") == 0 && config.model == "mlp") {
    config.solver = "adam";  // an MLP has no small covariance to report; adam is the natural default
  }
  try {
    validate(config);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  return config;
}

}  // namespace pure_fit
