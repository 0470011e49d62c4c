#include "job.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csignal>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "data.hpp"

namespace pure_fit {
namespace {

namespace io = pure::io;
using pure::Array;
using pure::Tree;
using Clock = std::chrono::steady_clock;

// Set by the signal handler, read by the main loop (which saves the checkpoint).
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

// Installed only while a gradient solver runs (the loop that checks the flag);
// the previous handlers come back when it ends, so lm, lbfgs and the results
// writer keep the default behaviour (a signal ends the process).
class SignalHandlers {
 public:
  SignalHandlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~SignalHandlers() {
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &old_[i], nullptr);
  }
  SignalHandlers(const SignalHandlers&) = delete;
  SignalHandlers& operator=(const SignalHandlers&) = delete;

 private:
  static constexpr int kSignals[3] = {SIGTERM, SIGINT, SIGUSR1};
  struct sigaction old_[3]{};
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

Array history_array(const std::vector<double>& h) {
  return pure::from_host(h, pure::Shape{static_cast<std::int64_t>(h.size())});
}

double mean_square(const Array& r) { return pure::mean(pure::square(r)).item<double>(); }

struct Outcome {
  Tree params;
  std::vector<double> history;
  Tree standard_errors;  // lm only
  Array covariance;      // lm only
  std::string stop_reason;
  bool converged = true;  // false: an iteration limit, a failed line search or a non-finite loss
  int iterations = 0;
  int exit_status = 0;  // non-zero: stopped by a signal
};

// "table.key" -> value text, from a Config::to_toml() text.
std::map<std::string, std::string> toml_entries(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line, table;
  while (std::getline(in, line)) {
    if (!line.empty() && line.front() == '[') {
      table = line.substr(1, line.size() - 2) + ".";
      continue;
    }
    const auto eq = line.find(" = ");
    if (eq != std::string::npos) out[table + line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

// The keys whose values differ between a checkpoint's configuration and this
// run's, among those that change the steps taken: all but output.* (where
// results and checkpoints go, how often) and solver.steps (a run may be
// resumed to go further).
std::string resume_mismatch(const std::string& saved, const std::string& now) {
  const auto a = toml_entries(saved), b = toml_entries(now);
  std::set<std::string> names;
  for (const auto& [k, v] : a) names.insert(k);
  for (const auto& [k, v] : b) names.insert(k);
  std::string diff;
  for (const std::string& k : names) {
    if (k.rfind("output.", 0) == 0 || k == "solver.steps") continue;
    const std::string va = a.count(k) ? a.at(k) : "(absent)", vb = b.count(k) ? b.at(k) : "(absent)";
    if (va != vb) diff += (diff.empty() ? "" : "; ") + k + " = " + va + " there, " + vb + " now";
  }
  return diff;
}

// ---------------------------------------------------------------- gradient solvers, with checkpoints and resume

pure::optim::GradientTransformation optimizer(const Config& c) {
  namespace o = pure::optim;
  const double lr = c.learning_rate;
  o::GradientTransformation base = c.solver == "adamw"     ? o::adamw(lr)
                                   : c.solver == "sgd"     ? o::sgd(lr, 0.9)
                                   : c.solver == "rmsprop" ? o::rmsprop(lr)
                                   : c.solver == "adagrad" ? o::adagrad(lr)
                                   : c.solver == "lion"    ? o::lion(lr)
                                                           : o::adam(lr);
  return c.clip_norm > 0 ? o::chain({o::clip_by_global_norm(c.clip_norm), base}) : base;
}

Outcome run_gradient(const Config& c, const FitModel& m, const Dataset& data, Tree params) {
  const auto loss = [&](const Tree& p) { return pure::mean(pure::square(m.residuals(p, data, c.settings))); };
  const pure::optim::GradientTransformation opt = optimizer(c);
  Tree state = opt.init(params);
  std::vector<double> history;
  std::int64_t start = 0;
  io::CheckpointManager ckpt(c.output_dir + "/checkpoints", static_cast<int>(c.keep_checkpoints), 1);
  const std::string config_text = c.to_toml();
  if (!c.resume && !ckpt.steps().empty()) {
    throw ConfigError("output.dir: " + ckpt.dir() + " holds checkpoints of an earlier run; pass --resume to " +
                      "continue it, or choose another output.dir");
  }
  if (c.resume) {
    Tree saved;
    io::Metadata meta;
    const std::size_t present = ckpt.steps().size();
    if (const auto step = ckpt.restore(&saved, &meta)) {
      const auto it = meta.attributes.find("config");
      if (it == meta.attributes.end()) {
        throw ConfigError("--resume: " + ckpt.path_of(*step) + " holds no configuration (not written by pure-fit?)");
      }
      const std::string diff = resume_mismatch(std::get<std::string>(it->second), config_text);
      if (!diff.empty()) {
        throw ConfigError("--resume: " + ckpt.path_of(*step) + " was written with another configuration (" + diff +
                          "); use the same one or another output.dir");
      }
      if (*step > c.steps) {
        throw ConfigError("--resume: " + ckpt.path_of(*step) + " is at step " + std::to_string(*step) +
                          ", past solver.steps = " + std::to_string(c.steps));
      }
      params = saved["params"];
      state = saved["opt_state"];
      history = saved["loss_history"].array().to_host<double>();
      start = *step;
      std::cerr << "pure-fit: resuming from step " << start << " (" << ckpt.path_of(start) << ")\n";
    } else if (present > 0) {
      // Starting again from step 0 would silently discard the run asked for.
      throw pure::Error("--resume: none of the " + std::to_string(present) + " checkpoints in " + ckpt.dir() +
                        " can be read (the warnings above say why); move them away to start again");
    } else {
      std::cerr << "pure-fit: --resume: no checkpoint in " << ckpt.dir() << ", starting from step 0\n";
    }
  }
  auto save = [&](std::int64_t done) {
    io::Metadata meta;
    meta.attributes["config"] = config_text;
    meta.attributes["model"] = c.model;
    const std::string path =
        ckpt.save(done, Tree{{"params", params}, {"opt_state", state}, {"loss_history", history_array(history)}}, meta);
    return path;
  };

  Outcome out;
  const SignalHandlers handlers;
  const auto t0 = Clock::now();
  auto last_print = t0;
  for (std::int64_t step = start; step < c.steps; ++step) {
    const auto [value, grads] = pure::value_and_grad(loss)(params);
    history.push_back(value.item<double>());
    if (!std::isfinite(history.back())) {  // diverged: further steps cannot recover
      out.params = params;
      out.history = history;
      out.iterations = static_cast<int>(step + 1);
      out.stop_reason = "the loss became " + fmt("%g", history.back()) + " at step " + std::to_string(step + 1);
      out.converged = false;
      return out;
    }
    auto [updates, next] = opt.update(grads, state, params);
    params = pure::optim::apply_updates(params, updates);
    state = next;
    const std::int64_t done = step + 1;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_print).count() >= c.progress_seconds || done == c.steps) {
      const double rate = static_cast<double>(done - start) / std::chrono::duration<double>(now - t0).count();
      std::cerr << "pure-fit: step " << done << "/" << c.steps << "  loss " << fmt("%.6e", history.back()) << "  "
                << fmt("%.0f", rate) << " steps/s  remaining " << fmt("%.1f", (c.steps - done) / rate) << " s\n";
      last_print = now;
    }
    // Taken and cleared before saving: a signal that comes during the save is
    // seen after the next step, not lost.
    const int sig = g_signal;
    if (sig != 0) g_signal = 0;
    if (done % c.checkpoint_every == 0 || sig != 0) {
      const std::string path = save(done);
      if (sig != 0) {
        std::cerr << "pure-fit: signal " << sig << ": checkpoint " << path << "\n";
        if (sig != SIGUSR1) {
          out.exit_status = 128 + sig;
          return out;
        }
      }
    }
  }
  out.params = params;
  out.history = history;
  out.iterations = static_cast<int>(c.steps);
  out.stop_reason = "completed " + std::to_string(c.steps) + " steps";
  out.converged = std::isfinite(history.back());
  return out;
}

// ---------------------------------------------------------------- lbfgs and lm

Outcome run_lbfgs(const Config& c, const FitModel& m, const Dataset& data, const Tree& params) {
  const auto loss = [&](const Tree& p) { return pure::mean(pure::square(m.residuals(p, data, c.settings))); };
  pure::fit::LbfgsOptions o;
  o.max_iterations = static_cast<int>(c.steps);
  o.gradient_tolerance = c.tolerance;
  Outcome out;
  out.history.push_back(loss(params).item<double>());
  std::cerr << "pure-fit: L-BFGS from loss " << fmt("%.6e", out.history.back()) << "\n";
  const auto r = pure::fit::lbfgs(loss, params, o);
  out.params = r.params;
  out.history.push_back(r.value);
  out.iterations = r.iterations;
  out.stop_reason = r.message;
  out.converged = pure::fit::converged(r.reason) && std::isfinite(r.value);
  return out;
}

Outcome run_lm(const Config& c, const FitModel& m, const Dataset& data, const Tree& params) {
  const auto residual = [&](const Tree& p) { return m.residuals(p, data, c.settings); };
  pure::fit::LmOptions o;
  o.max_iterations = static_cast<int>(c.steps);
  o.value_tolerance = c.tolerance;
  o.step_tolerance = c.tolerance;
  Outcome out;
  out.history.push_back(mean_square(residual(params)));
  std::cerr << "pure-fit: Levenberg-Marquardt from loss " << fmt("%.6e", out.history.back()) << "\n";
  const auto r = pure::fit::levenberg_marquardt(residual, params, o);
  out.params = r.params;
  out.standard_errors = r.standard_errors;
  out.covariance = r.covariance;
  out.history.push_back(mean_square(residual(r.params)));
  out.iterations = r.iterations;
  out.stop_reason = r.message;
  out.converged = pure::fit::converged(r.reason) && std::isfinite(out.history.back());
  return out;
}

// ---------------------------------------------------------------- reporting

double scalar_of(const Tree& t) { return pure::astype(t.array(), pure::DType::f64).item<double>(); }

// --demo: fitted against true values. Returns whether the recovery passes.
bool report_demo(const Config& c, const FitModel& m, const Dataset& data, const Tree& truth, const Outcome& out) {
  if (truth.empty()) {  // a surrogate: no true parameters; compare the fit's RMS with the noise
    const double rms = std::sqrt(mean_square(m.residuals(out.params, data, c.settings)));
    const bool ok = rms < 2.0 * c.demo_noise;
    std::cout << "residual RMS " << fmt("%.4g", rms) << " vs noise " << fmt("%.4g", c.demo_noise) << ": "
              << (ok ? "recovered" : "NOT recovered") << " (target: RMS < 2 x noise)\n";
    return ok;
  }
  const bool have_se = !out.standard_errors.empty();
  std::printf("%-12s %14s %14s %12s %8s\n", "parameter", "true", "fitted", have_se ? "std. error" : "", "dev");
  bool ok = true;
  for (const std::string& name : truth.keys()) {
    const double t = scalar_of(truth[name]), f = scalar_of(out.params[name]);
    if (have_se) {
      const double se = scalar_of(out.standard_errors[name]);
      const double dev = std::abs(f - t) / se;
      ok = ok && dev <= 3.0;
      std::printf("%-12s %14.6g %14.6g %12.3g %7.2fσ\n", name.c_str(), t, f, se, dev);
    } else {
      const double rel = std::abs(f - t) / std::abs(t);
      ok = ok && rel <= 0.05;
      std::printf("%-12s %14.6g %14.6g %12s %7.2f%%\n", name.c_str(), t, f, "", 100 * rel);
    }
  }
  std::cout << (ok ? "recovered: every parameter within " : "NOT recovered: a parameter is outside ")
            << (have_se ? "3 standard errors" : "5% (no standard errors with this solver)") << "\n";
  return ok;
}

void write_results(const Config& c, const FitModel& m, const Dataset& data, const Outcome& out) {
  Tree results;
  results.set("params", out.params);
  if (!out.standard_errors.empty()) {
    results.set("standard_errors", out.standard_errors);
    results.set("covariance", out.covariance);
  }
  results.set("loss_history", history_array(out.history));
  results.set("prediction", m.predict(out.params, data, c.settings));
  Tree d;
  for (const auto& [role, a] : data) d.set(role, a);
  results.set("data", d);
  io::Metadata meta;
  meta.attributes["config"] = c.to_toml();
  meta.attributes["model"] = c.model;
  meta.attributes["solver"] = c.solver;
  meta.attributes["seed"] = c.seed;
  meta.attributes["stop_reason"] = out.stop_reason;
  meta.attributes["iterations"] = std::int64_t{out.iterations};
  io::save(c.output_dir + "/results.h5", results, meta);

  // The loss history as CSV, written beside and renamed into place.
  const std::string csv = c.output_dir + "/loss.csv", tmp = csv + ".tmp";
  {
    std::ofstream f(tmp);
    f << "step,loss\n";
    char line[64];
    for (std::size_t i = 0; i < out.history.size(); ++i) {
      std::snprintf(line, sizeof line, "%zu,%.17g\n", i, out.history[i]);
      f << line;
    }
    f.close();  // errors at close (a full disk) count too
    if (!f) throw pure::Error("pure-fit: cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), csv.c_str()) != 0) throw pure::Error("pure-fit: cannot rename " + tmp);
}

}  // namespace

int run_job(const Config& c) {
  const FitModel& m = find_model(c.model);
  const pure::random::Key root = pure::random::key(static_cast<std::uint64_t>(c.seed));
  Tree truth;
  Dataset data;
  if (c.demo) {
    truth = m.demo_truth(c.settings, pure::random::fold_in(root, 3));
    data = m.synthesize(truth, c.settings, pure::random::fold_in(root, 1), c.demo_points, c.demo_noise);
  } else {
    data = read_data(c, m);
  }
  Tree params = m.init(data, c.settings, pure::random::fold_in(root, 2));
  // Found out before the fit, not after it: a directory we can write in.
  if (::mkdir(c.output_dir.c_str(), 0777) != 0 && errno != EEXIST) {
    throw ConfigError("output.dir: cannot create '" + c.output_dir + "': " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(c.output_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw ConfigError("output.dir: '" + c.output_dir + "' exists and is not a directory");
  }
  if (::access(c.output_dir.c_str(), W_OK | X_OK) != 0) {
    throw ConfigError("output.dir: cannot write in '" + c.output_dir + "': " + std::strerror(errno));
  }
  if (c.demo && !c.data_file.empty()) {
    std::cerr << "pure-fit: note: --demo fits synthetic data; data.file '" << c.data_file << "' is not read\n";
  }
  std::cerr << "pure-fit: model " << c.model << " (" << m.description << "), solver " << c.solver << ", "
            << (c.demo ? "synthetic data" : c.data_file) << "\n";
  const Outcome out = is_gradient_solver(c.solver) ? run_gradient(c, m, data, params)
                      : c.solver == "lbfgs"        ? run_lbfgs(c, m, data, params)
                                                   : run_lm(c, m, data, params);
  if (out.exit_status != 0) return out.exit_status;
  write_results(c, m, data, out);
  std::cerr << "pure-fit: " << out.stop_reason << "; final loss " << fmt("%.6e", out.history.back()) << "; results in "
            << c.output_dir << "/results.h5\n";
  const bool recovered = !c.demo || report_demo(c, m, data, truth, out);
  if (!out.converged) {
    // Results are written (they show where it stopped), but a job script must see it.
    std::cerr << "pure-fit: the fit did not converge (" << out.stop_reason << "); exit status 4\n";
    return 4;
  }
  return recovered ? 0 : 1;
}

}  // namespace pure_fit
