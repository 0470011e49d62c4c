// pure::optim beyond the Optax tables: steps worked out by hand, the tree
// types params may have, the state's layout, errors, jit, and a small fit.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <pure/optim/optim.hpp>
#include <pure/pure.hpp>

#include "message_of.hpp"

namespace optim_structs {
struct Linear {
  pure::Array w, b;
  int features = 0;
};
PURE_TREE(Linear, w, b)
}  // namespace optim_structs

namespace {

using pure_test::message_of;

namespace optim = pure::optim;
using optim_structs::Linear;

pure::Array f64(const std::vector<double>& v) { return pure::from_host(v); }
pure::Array f32(const std::vector<float>& v) { return pure::from_host(v); }

pure::Tree linear_tree(pure::Array w, pure::Array b) { return pure::Tree{{"w", std::move(w)}, {"b", std::move(b)}}; }

// ---------------------------------------------------------------- steps by hand

TEST(Optim, SgdMomentumTwoStepsByHand) {
  const double lr = 0.1, momentum = 0.9;
  const std::vector<double> g1{0.5, -1.0}, g2{1.0, 0.25};
  const auto opt = optim::sgd(lr, momentum);
  pure::Array params = f64({1.0, 2.0});
  pure::Tree state = opt.init(params);
  auto [u1, s1] = opt.update(f64(g1), state, params);
  auto [u2, s2] = opt.update(f64(g2), s1, params);
  // trace_1 = g1, trace_2 = g2 + momentum * g1; update = -lr * trace.
  const std::vector<double> got1 = u1.to_host<double>(), got2 = u2.to_host<double>();
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(got1[i], -lr * g1[i]);
    EXPECT_EQ(got2[i], -lr * (g2[i] + momentum * g1[i]));
  }
  // The trace is the state: {"0": {"trace"}, "1": {}}.
  const std::vector<double> trace = s2["0"]["trace"].array().to_host<double>();
  EXPECT_EQ(trace[0], 1.0 + 0.9 * 0.5);
  EXPECT_EQ(trace[1], 0.25 + 0.9 * -1.0);
}

TEST(Optim, NesterovLooksOneTraceAhead) {
  const auto opt = optim::sgd(1.0, 0.5, true);
  pure::Array params = f64({0.0});
  auto [u1, s1] = opt.update(f64({2.0}), opt.init(params), params);
  auto [u2, s2] = opt.update(f64({4.0}), s1, params);
  // trace: 2, then 4 + 0.5 * 2 = 5; update = -(g + 0.5 * trace): -3, then -6.5.
  EXPECT_EQ(u1.item<double>(), -3.0);
  EXPECT_EQ(u2.item<double>(), -6.5);
}

TEST(Optim, AdamFirstStepIsLearningRateTimesSign) {
  // After one step the bias corrections undo the averages: mu_hat = g,
  // nu_hat = g^2, so the update is -lr g / (|g| + eps).
  const auto opt = optim::adam(0.01);
  const pure::Array params = f32({1.0f, 1.0f, 1.0f});
  auto [u, s] = opt.update(f32({3.0f, -0.5f, 1e-3f}), opt.init(params), params);
  const std::vector<float> got = u.to_host<float>();
  EXPECT_NEAR(got[0], -0.01f, 1e-8f);
  EXPECT_NEAR(got[1], 0.01f, 1e-8f);
  EXPECT_NEAR(got[2], -0.01f * 1e-3f / (1e-3f + 1e-8f), 1e-8f);
  EXPECT_EQ(s["0"]["count"].array().item<std::int32_t>(), 1);
}

TEST(Optim, AdamWDecaysTowardsZeroWithZeroGradients) {
  // Zero gradients leave only the decay: update = -lr * wd * param.
  const auto opt = optim::adamw(0.5, 0.9, 0.999, 1e-8, 0.0, 0.1);
  const pure::Array params = f64({2.0, -4.0});
  auto [u, s] = opt.update(f64({0.0, 0.0}), opt.init(params), params);
  const std::vector<double> got = u.to_host<double>();
  EXPECT_EQ(got[0], -0.5 * (0.1 * 2.0));
  EXPECT_EQ(got[1], -0.5 * (0.1 * -4.0));
}

TEST(Optim, ClipByGlobalNormScalesOnlyAboveTheThreshold) {
  const auto clip = optim::clip_by_global_norm(1.0);
  const pure::Tree small = linear_tree(f64({0.3}), f64({0.4}));  // norm 0.5
  const pure::Tree large = linear_tree(f64({3.0}), f64({4.0}));  // norm 5
  auto [same, s1] = clip.update(small, clip.init(small));
  EXPECT_EQ(same["w"].array().item<double>(), 0.3);
  EXPECT_EQ(same["b"].array().item<double>(), 0.4);
  auto [clipped, s2] = clip.update(large, s1);
  EXPECT_DOUBLE_EQ(clipped["w"].array().item<double>(), 0.6);
  EXPECT_DOUBLE_EQ(clipped["b"].array().item<double>(), 0.8);
}

TEST(Optim, MaskedPassesUnselectedLeavesThrough) {
  const optim::Mask only_w = [](const std::string& path, const pure::Array&) { return path == "['w']"; };
  const auto opt = optim::masked(optim::adam(0.1), only_w);
  const pure::Tree params = linear_tree(f32({1.0f, 2.0f}), f32({5.0f}));
  const pure::Tree state = opt.init(params);
  // The inner state exists for the selected leaf only.
  EXPECT_EQ(pure::tree_str(state["inner_state"]["0"]["mu"]), "['w']: f32[2]\n");
  const pure::Tree grads = linear_tree(f32({0.5f, -0.5f}), f32({7.0f}));
  auto [u, s] = opt.update(grads, state, params);
  EXPECT_EQ(u["b"].array().item<float>(), 7.0f);  // untouched
  EXPECT_NEAR(u["w"].array().to_host<float>()[0], -0.1f, 1e-6f);
}

TEST(Optim, CountSaturatesAtTheInt32Maximum) {
  const auto opt = optim::scale_by_adam();
  const pure::Array params = f64({1.0});
  pure::Tree state = opt.init(params);
  state["count"] = pure::full({}, 2147483647.0, pure::DType::i32);
  auto [u, s] = opt.update(f64({1.0}), state, params);
  EXPECT_EQ(s["count"].array().item<std::int32_t>(), 2147483647);
  EXPECT_TRUE(std::isfinite(u.item<double>()));
}

// ---------------------------------------------------------------- tree types

TEST(Optim, ParamsMayBeAnArrayAStructOrAVectorAndGiveTheTreesBits) {
  const pure::Array w = f32({1.0f, -2.0f, 3.0f}), b = f32({0.5f});
  const pure::Array gw = f32({0.1f, 0.2f, -0.3f}), gb = f32({-1.0f});
  const auto opt = optim::adam(0.05);
  const auto step_twice = [&](const auto& params, const auto& grads) {
    auto [u1, s1] = opt.update(grads, opt.init(params), params);
    return opt.update(grads, s1, optim::apply_updates(params, u1)).first;
  };
  const pure::Tree expected = step_twice(linear_tree(w, b), linear_tree(gw, gb));
  const auto same_bits = [](const pure::Array& a, const pure::Array& e) {
    EXPECT_EQ(a.to_host<float>(), e.to_host<float>());
  };

  const Linear s = step_twice(Linear{w, b, 7}, Linear{gw, gb, 7});
  same_bits(s.w, expected["w"]);
  same_bits(s.b, expected["b"]);
  EXPECT_EQ(s.features, 7);  // static fields ride along

  const std::vector<pure::Array> v = step_twice(std::vector<pure::Array>{w, b}, std::vector<pure::Array>{gw, gb});
  same_bits(v[0], expected["w"]);
  same_bits(v[1], expected["b"]);

  const pure::Array a = step_twice(w, gw);
  same_bits(a, expected["w"]);
}

TEST(Optim, StateMirrorsTheParamsAsATreeView) {
  const auto opt = optim::adam(0.1);
  EXPECT_EQ(pure::tree_str(opt.init(Linear{f32({1.0f}), f64({2.0}), 0})),
            "['0']['count']: i32[]\n['0']['mu']['w']: f32[1]\n['0']['mu']['b']: f64[1]\n"
            "['0']['nu']['w']: f32[1]\n['0']['nu']['b']: f64[1]\n");
  EXPECT_EQ(pure::tree_str(opt.init(std::vector<pure::Array>{f32({1.0f})})),
            "['0']['count']: i32[]\n['0']['mu']['0']: f32[1]\n['0']['nu']['0']: f32[1]\n");
  EXPECT_EQ(pure::tree_str(opt.init(f32({1.0f}))), "['0']['count']: i32[]\n['0']['mu']: f32[1]\n['0']['nu']: f32[1]\n");
  // A schedule keeps its own count in the last entry.
  EXPECT_EQ(pure::tree_str(optim::sgd(optim::constant_schedule(0.1)).init(f32({1.0f}))), "['1']['count']: i32[]\n");
}

TEST(Optim, EachLeafKeepsItsDtype) {
  const auto opt = optim::rmsprop(0.01);
  const pure::Tree params = linear_tree(f32({1.0f}), f64({1.0}));
  auto [u, s] = opt.update(linear_tree(f32({0.5f}), f64({0.5})), opt.init(params), params);
  EXPECT_EQ(u["w"].array().dtype(), pure::DType::f32);
  EXPECT_EQ(u["b"].array().dtype(), pure::DType::f64);
  const pure::Tree next = optim::apply_updates(params, u);
  EXPECT_EQ(next["w"].array().dtype(), pure::DType::f32);
  // apply_updates adds in the promoted dtype and casts back to the param's.
  const pure::Array p32 = optim::apply_updates(f32({1.0f}), pure::astype(f64({1e-9}), pure::DType::f32));
  EXPECT_EQ(p32.dtype(), pure::DType::f32);
}

// ---------------------------------------------------------------- errors

TEST(OptimErrors, GradientsWithAMissingOrExtraLeafNameThePath) {
  const auto opt = optim::adam(0.1);
  const pure::Tree params = linear_tree(f32({1.0f}), f32({2.0f}));
  const pure::Tree state = opt.init(params);
  const pure::Tree missing{{"w", f32({1.0f})}};
  const std::string m = message_of([&] { opt.update(missing, state, missing); });
  EXPECT_NE(m.find("pure::optim::adam"), std::string::npos) << m;
  EXPECT_NE(m.find("['b']"), std::string::npos) << m;
  EXPECT_NE(m.find("mu"), std::string::npos) << m;
  pure::Tree extra = params;
  extra["c"] = f32({3.0f});
  const std::string x = message_of([&] { opt.update(extra, state, extra); });
  EXPECT_NE(x.find("['c']"), std::string::npos) << x;
}

TEST(OptimErrors, ALeafOfAnotherDtypeOrShapeIsNamed) {
  const auto opt = optim::sgd(0.1, 0.9);
  const pure::Tree params = linear_tree(f32({1.0f, 2.0f}), f32({2.0f}));
  const pure::Tree state = opt.init(params);
  const std::string d = message_of([&] { opt.update(linear_tree(f32({1.0f, 2.0f}), f64({2.0})), state); });
  EXPECT_NE(d.find("['b']"), std::string::npos) << d;
  EXPECT_NE(d.find("f64[1]"), std::string::npos) << d;
  const std::string s = message_of([&] { opt.update(linear_tree(f32({1.0f, 2.0f, 3.0f}), f32({2.0f})), state); });
  EXPECT_NE(s.find("['w']"), std::string::npos) << s;
  EXPECT_NE(s.find("[3]"), std::string::npos) << s;
}

TEST(OptimErrors, WeightDecayWithoutParamsSaysSo) {
  const auto opt = optim::adamw(0.1);
  const pure::Array p = f32({1.0f});
  const std::string e = message_of([&] { opt.update(p, opt.init(p)); });
  EXPECT_NE(e.find("add_decayed_weights"), std::string::npos) << e;
  EXPECT_NE(e.find("needs the params"), std::string::npos) << e;
}

TEST(OptimErrors, AStateFromAnotherOptimizerIsRejected) {
  const pure::Array p = f32({1.0f});
  const pure::Tree sgd_state = optim::sgd(0.1).init(p);
  const std::string e = message_of([&] { optim::adam(0.1).update(p, sgd_state, p); });
  EXPECT_NE(e.find("count"), std::string::npos) << e;
  const std::string n = message_of([&] { optim::adamw(0.1).update(p, optim::adam(0.1).init(p), p); });
  EXPECT_NE(n.find("2 entries for a chain of 3"), std::string::npos) << n;
}

TEST(OptimErrors, ApplyUpdatesChecksPathsAndShapes) {
  const pure::Tree params = linear_tree(f32({1.0f}), f32({2.0f}));
  const std::string p = message_of([&] { optim::apply_updates(params, pure::Tree{{"w", f32({1.0f})}}); });
  EXPECT_NE(p.find("['b']"), std::string::npos) << p;
  const std::string s = message_of([&] { optim::apply_updates(f32({1.0f}), f32({1.0f, 2.0f})); });
  EXPECT_NE(s.find("shape"), std::string::npos) << s;
}

TEST(OptimErrors, SchedulesRejectInvalidArguments) {
  EXPECT_THROW(optim::piecewise_constant_schedule(0.1, {{3, -0.5}}), pure::ValueError);
  EXPECT_THROW(optim::cosine_decay_schedule(0.1, 0), pure::ValueError);
  EXPECT_THROW(optim::warmup_cosine_decay_schedule(0.0, 0.1, 10, 10), pure::ValueError);
}

// ---------------------------------------------------------------- transforms

TEST(Optim, AJittedStepGivesTheEagerBits) {
  const auto opt = optim::chain(
      {optim::clip_by_global_norm(1.0), optim::adamw(optim::warmup_cosine_decay_schedule(0.0, 0.1, 2, 6, 0.01))});
  const auto step = [&opt](const pure::Tree& params, const pure::Tree& state, const pure::Tree& grads) {
    auto [updates, new_state] = opt.update(grads, state, params);
    return std::make_pair(optim::apply_updates(params, updates), new_state);
  };
  const auto jitted = pure::jit(step);
  pure::Tree params = linear_tree(f32({1.0f, -2.0f, 0.5f}), f64({3.0}));
  pure::Tree eager_params = params, state = opt.init(params), eager_state = state;
  for (int i = 0; i < 4; ++i) {
    const pure::Tree grads = linear_tree(f32({0.3f * static_cast<float>(i + 1), -0.7f, 2.0f}), f64({-1.5 + i}));
    std::tie(params, state) = jitted(params, state, grads);
    std::tie(eager_params, eager_state) = step(eager_params, eager_state, grads);
  }
  EXPECT_EQ(params["w"].array().to_host<float>(), eager_params["w"].array().to_host<float>());
  EXPECT_EQ(params["b"].array().to_host<double>(), eager_params["b"].array().to_host<double>());
  EXPECT_EQ(state["1"]["0"]["count"].array().item<std::int32_t>(), 4);
  EXPECT_EQ(pure::tree_str(state), pure::tree_str(eager_state));
}

TEST(Optim, AdamFitsALinearModel) {
  // y = X w_true + b_true, fitted from zeros with adam and value_and_grad.
  const std::int64_t n = 64;
  std::vector<double> x(static_cast<std::size_t>(2 * n)), y(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const double a = std::sin(0.37 * static_cast<double>(i)), c = std::cos(0.11 * static_cast<double>(i));
    x[static_cast<std::size_t>(2 * i)] = a;
    x[static_cast<std::size_t>(2 * i + 1)] = c;
    y[static_cast<std::size_t>(i)] = 1.5 * a - 0.7 * c + 0.3;
  }
  const pure::Array X = pure::from_host(x, {n, 2}), Y = pure::from_host(y, {n});
  const auto loss = [](const Linear& p, const pure::Array& xs, const pure::Array& ys) {
    return pure::mean(pure::square(pure::matmul(xs, p.w) + p.b - ys));
  };
  Linear params{pure::zeros({2}, pure::DType::f64), pure::zeros({}, pure::DType::f64), 0};
  const auto opt = optim::adam(0.05);
  pure::Tree state = opt.init(params);
  const double initial = loss(params, X, Y).item<double>();
  double last = initial;
  for (int i = 0; i < 600; ++i) {
    auto [value, grads] = pure::value_and_grad(loss)(params, X, Y);
    last = value.item<double>();
    auto [updates, new_state] = opt.update(grads, state, params);
    params = optim::apply_updates(params, updates);
    state = new_state;
  }
  EXPECT_GT(initial, 0.5);
  EXPECT_LT(last, 1e-6);
  const std::vector<double> w = params.w.to_host<double>();
  EXPECT_NEAR(w[0], 1.5, 1e-3);
  EXPECT_NEAR(w[1], -0.7, 1e-3);
  EXPECT_NEAR(params.b.item<double>(), 0.3, 1e-3);
}

}  // namespace
