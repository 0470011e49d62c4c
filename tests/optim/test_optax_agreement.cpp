// pure::optim against real Optax: the updates of each optimizer over 6 steps of
// committed gradients, and each schedule's values, in float32 and float64.
// The reference values come from tests/data/make_optax_reference.py.
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include <pure/optim/optim.hpp>
#include <pure/pure.hpp>

#include "optim/optax_reference.hpp"

namespace {

namespace optim = pure::optim;
using optim_test::max_ulp;

// Against Optax's formulas evaluated operation by operation (mode "literal"),
// the agreement this suite promises: at most 1 ulp per element (docs/optim.md).
constexpr std::int64_t kMaxUlp = 1;
// Against Optax as XLA compiles it by default (mode "xla"), whose rewrites
// (x / d as x * (1 / d), rsqrt as an estimate) move intermediates by an ulp or
// two that later additions can magnify: a bound relative to each leaf's scale.
double xla_relative_tolerance(pure::DType dtype) { return dtype == pure::DType::f32 ? 1e-5 : 1e-13; }

optim::Schedule reference_warmup_cosine() { return optim::warmup_cosine_decay_schedule(0.0, 0.05, 2, 5, 0.005); }

// Each case of updates_*.txt, built as the script builds it with Optax.
std::map<std::string, std::function<optim::GradientTransformation()>> optimizers() {
  const optim::Mask decay_w_only = [](const std::string& path, const pure::Array&) { return path == "['w']"; };
  return {
      {"sgd", [] { return optim::sgd(0.1); }},
      {"sgd_momentum", [] { return optim::sgd(0.1, 0.9); }},
      {"sgd_nesterov", [] { return optim::sgd(0.1, 0.9, true); }},
      {"adam", [] { return optim::adam(0.01); }},
      {"adam_options", [] { return optim::adam(0.02, 0.8, 0.99, 1e-6, 1e-8); }},
      {"nadam", [] { return optim::adam(0.01, 0.9, 0.999, 1e-8, 0.0, true); }},
      {"adamw", [] { return optim::adamw(0.01, 0.9, 0.999, 1e-8, 0.0, 0.1); }},
      {"adamw_masked", [=] { return optim::adamw(0.01, 0.9, 0.999, 1e-8, 0.0, 0.1, decay_w_only); }},
      {"adamw_decay_schedules",
       [] {
         return optim::adamw(optim::cosine_decay_schedule(0.02, 5), 0.9, 0.999, 1e-8, 0.0,
                             optim::exponential_decay(0.2, 2, 0.5));
       }},
      {"rmsprop", [] { return optim::rmsprop(0.01); }},
      {"rmsprop_centered_momentum", [] { return optim::rmsprop(0.01, 0.9, 1e-8, 0.0, true, true, 0.9); }},
      {"rmsprop_bias_correction",
       [] { return optim::rmsprop(0.01, 0.9, 1e-8, 0.0, false, false, std::nullopt, false, true); }},
      {"adagrad", [] { return optim::adagrad(0.1); }},
      {"lion", [] { return optim::lion(0.001, 0.9, 0.99, 0.01); }},
      {"clip_adam_warmup_cosine",
       [] {
         return optim::chain({optim::clip_by_global_norm(3.0), optim::adam(reference_warmup_cosine())});
       }},
      {"sgd_exponential_decay", [] { return optim::sgd(optim::exponential_decay(0.1, 3, 0.5)); }},
      {"sgd_exponential_staircase", [] { return optim::sgd(optim::exponential_decay(0.1, 2, 0.7, 1, true, 0.03)); }},
      {"sgd_piecewise_constant",
       [] {
         return optim::sgd(optim::piecewise_constant_schedule(0.1, {{2, 0.5}, {4, 0.1}}), 0.5);
       }},
  };
}

const std::map<std::string, pure::Shape>& leaf_shapes() {
  static const std::map<std::string, pure::Shape> shapes{{"w", pure::Shape{2, 3}}, {"b", pure::Shape{3}}};
  return shapes;
}

pure::Array leaf(const std::vector<double>& values, const pure::Shape& shape, pure::DType dtype) {
  if (dtype == pure::DType::f64) return pure::from_host(values, shape);
  return pure::from_host(std::vector<float>(values.begin(), values.end()), shape);
}

pure::Tree tree_of(const std::map<std::string, std::vector<double>>& values, pure::DType dtype) {
  pure::Tree t;
  for (const char* key : {"w", "b"}) t[key] = leaf(values.at(key), leaf_shapes().at(key), dtype);
  return t;
}

/// How far pure's run of one case is from Optax's: per compared leaf, its ulp
/// distance and its error relative to the leaf's scale.
struct Distance {
  std::int64_t update_ulp = 0;  // over the updates of every step
  std::int64_t final_ulp = 0;   // over the final params (updates summed: cancellation can magnify)
  double relative = 0.0;        // over both
  std::int64_t ulp() const { return std::max(update_ulp, final_ulp); }
};

/// Runs `opt` over the case's steps, calling `check(what, pure's leaf, Optax's values)`
/// for every update and final param.
template <class Check>
void run_case(const optim::GradientTransformation& opt, const optim_test::Case& c, const optim_test::Case::Run& run,
              pure::DType dtype, Check check) {
  pure::Tree params = tree_of(c.params, dtype);
  pure::Tree state = opt.init(params);
  ASSERT_EQ(run.updates.size(), static_cast<std::size_t>(c.steps));
  for (std::size_t step = 0; step < run.updates.size(); ++step) {
    auto [updates, new_state] = opt.update(tree_of(c.grads[step], dtype), state, params);
    for (const char* key : {"w", "b"}) {
      ASSERT_EQ(updates[key].array().dtype(), dtype);
      check("update at step " + std::to_string(step) + ", leaf " + key, updates[key], run.updates[step].at(key));
    }
    params = optim::apply_updates(params, updates);
    state = new_state;
  }
  for (const char* key : {"w", "b"}) {
    check(std::string("final params, leaf ") + key, params[key], run.final_params.at(key));
  }
}

/// Runs every case in both dtypes against updates_<mode>.txt; returns the
/// distances per "case dtype" and prints them.
std::map<std::string, Distance> compare_with_optax(const std::string& mode) {
  const auto cases = optim_test::read_update_cases(mode);
  const auto builders = optimizers();
  EXPECT_EQ(cases.size(), builders.size()) << "every case of updates_" << mode << ".txt needs a builder here";
  std::map<std::string, Distance> distances;
  for (const auto& [name, c] : cases) {
    if (!builders.count(name)) {
      ADD_FAILURE() << "no builder for case " << name;
      continue;
    }
    EXPECT_EQ(c.runs.size(), 2u) << name;
    for (const auto& [dtype_name, run] : c.runs) {
      const pure::DType dtype = dtype_name == "float32" ? pure::DType::f32 : pure::DType::f64;
      Distance& d = distances[name + " " + dtype_name];
      run_case(builders.at(name)(), c, run, dtype,
               [&](const std::string& what, const pure::Array& a, const std::vector<double>& expected) {
                 std::int64_t& ulp = what.rfind("final", 0) == 0 ? d.final_ulp : d.update_ulp;
                 ulp = std::max(ulp, max_ulp(a, expected));
                 d.relative = std::max(d.relative, optim_test::max_relative_error(a, expected));
               });
    }
  }
  std::cout << "pure::optim vs Optax (" << mode
            << "): max ulp of the updates / of the final params, max error relative to the leaf's scale\n";
  for (const auto& [what, d] : distances) {
    std::cout << "  " << what << ": " << d.update_ulp << " / " << d.final_ulp << " ulp, " << d.relative << "\n";
  }
  return distances;
}

TEST(OptaxAgreement, EveryOptimizerMatchesOptaxsFormulasWithinOneUlp) {
  for (const auto& [what, d] : compare_with_optax("literal")) EXPECT_LE(d.ulp(), kMaxUlp) << what;
}

TEST(OptaxAgreement, EveryOptimizerIsCloseToOptaxAsXlaCompilesIt) {
  for (const auto& [what, d] : compare_with_optax("xla")) {
    const bool f32 = what.find("float32") != std::string::npos;
    EXPECT_LE(d.relative, xla_relative_tolerance(f32 ? pure::DType::f32 : pure::DType::f64)) << what;
  }
}

TEST(OptaxAgreement, SchedulesMatchOptaxInValueAndDtype) {
  const std::map<std::string, optim::Schedule> schedules{
      {"constant", optim::constant_schedule(0.3)},
      {"linear", optim::linear_schedule(0.1, 0.01, 7, 2)},
      {"exponential_decay", optim::exponential_decay(0.1, 3, 0.5)},
      {"exponential_staircase_end", optim::exponential_decay(0.1, 2, 0.7, 1, true, 0.03)},
      {"exponential_growth_end", optim::exponential_decay(0.01, 4, 1.5, 0, false, 0.04)},
      {"piecewise_constant", optim::piecewise_constant_schedule(0.1, {{2, 0.5}, {5, 0.1}, {9, 3.0}})},
      {"cosine_decay", optim::cosine_decay_schedule(0.2, 12, 0.1)},
      {"warmup_cosine_decay", optim::warmup_cosine_decay_schedule(0.0, 0.05, 3, 7, 0.005)},
      {"warmup_cosine_decay_no_warmup", optim::warmup_cosine_decay_schedule(0.0, 0.5, 0, 10, 0.05)},
  };
  const auto records = pure_test::read_reference_file("optax/schedules.txt");
  ASSERT_EQ(records.size(), schedules.size());
  std::ostringstream report;
  for (const auto& rec : records) {
    const std::string& name = rec.head.at(1);
    SCOPED_TRACE(name);
    ASSERT_TRUE(schedules.count(name));
    const std::vector<double> expected = optim_test::hex_values(rec.values);
    std::int64_t worst = 0;
    for (std::size_t count = 0; count < expected.size(); ++count) {
      const pure::Array value = schedules.at(name)(pure::full({}, static_cast<double>(count), pure::DType::i32));
      ASSERT_EQ(value.rank(), 0);
      ASSERT_EQ(value.dtype(), rec.head.at(2) == "float32" ? pure::DType::f32 : pure::DType::f64);
      const std::int64_t d = max_ulp(value, {expected[count]});
      EXPECT_LE(d, kMaxUlp) << "count " << count;
      worst = std::max(worst, d);
    }
    report << "  " << name << " " << rec.head.at(2) << ": max " << worst << " ulp\n";
  }
  std::cout << "pure::optim schedules vs Optax:\n" << report.str();
}

// The helper the assertions above rely on must itself be right.
TEST(OptaxAgreement, UlpDistanceCountsRepresentableSteps) {
  EXPECT_EQ(optim_test::ulp_distance(1.0f, 1.0f), 0);
  EXPECT_EQ(optim_test::ulp_distance(1.0f, std::nextafter(1.0f, 2.0f)), 1);
  EXPECT_EQ(optim_test::ulp_distance(0.0f, -0.0f), 0);
  EXPECT_EQ(
      optim_test::ulp_distance(-std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::denorm_min()), 2);
  EXPECT_EQ(optim_test::ulp_distance(1.0, std::nextafter(std::nextafter(1.0, 0.0), 0.0)), 2);
  EXPECT_EQ(optim_test::ulp_distance(1.0, std::nan("")), INT64_MAX);
}

}  // namespace
