// pure::nn against real Flax (tests/data/flax_reference.txt, made by
// tests/data/make_flax_reference.py): parameter names, nesting and values for
// a given key, layer outputs, Dropout masks; plus derivatives against finite
// differences, error messages, tabulate and a small training run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "reference_file.hpp"

namespace nn = pure::nn;
namespace pr = pure::random;
using pure::Array;
using pure::DType;
using pure::Shape;
using pure::Tree;

namespace {

struct Ref {
  Shape shape;
  std::vector<double> values;
};

const std::map<std::string, Ref>& flax() {
  static const std::map<std::string, Ref> table = [] {
    std::map<std::string, Ref> out;
    for (const auto& rec : pure_test::read_reference_file("flax_reference.txt")) {
      Ref r;
      std::vector<std::int64_t> dims;
      if (rec.head.at(1) != "scalar") {
        std::string s = rec.head.at(1);
        std::size_t pos = 0;
        while (pos <= s.size()) {
          const std::size_t x = s.find('x', pos);
          dims.push_back(std::stoll(s.substr(pos, x == std::string::npos ? std::string::npos : x - pos)));
          if (x == std::string::npos) break;
          pos = x + 1;
        }
      }
      r.shape = Shape(dims);
      for (const auto& v : rec.values) r.values.push_back(std::stod(v));
      out[rec.head.at(0)] = r;
    }
    return out;
  }();
  return table;
}

const Ref& ref(const std::string& name) {
  const auto it = flax().find(name);
  if (it == flax().end()) throw std::runtime_error("no record " + name + " in flax_reference.txt");
  return it->second;
}

Array ref_array(const std::string& name) {
  const Ref& r = ref(name);
  std::vector<float> v(r.values.begin(), r.values.end());
  return pure::from_host(v, r.shape);
}

// arange(n) * scale + offset in f32, as the script's ramp (separate roundings).
Array ramp(const Shape& shape, double scale = 0.1, double offset = -0.5) {
  return pure::reshape(pure::arange(shape.size(), DType::f32) * scale + offset, shape);
}

std::int64_t ulp(float a, float b) {
  auto ordered = [](float x) {
    std::int32_t i;
    std::memcpy(&i, &x, 4);
    return i < 0 ? static_cast<std::int64_t>(INT32_MIN) - i : static_cast<std::int64_t>(i);
  };
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

// The largest ulp distance between `got` and the record; fails on a shape mismatch.
std::int64_t max_ulp(const Array& got, const std::string& name) {
  const Ref& r = ref(name);
  EXPECT_EQ(got.shape(), r.shape) << name;
  EXPECT_EQ(got.dtype(), DType::f32) << name;
  if (got.shape() != r.shape) return INT64_MAX;
  const std::vector<float> g = got.to_host<float>();
  std::int64_t worst = 0;
  for (std::size_t i = 0; i < g.size(); ++i) worst = std::max(worst, ulp(g[i], static_cast<float>(r.values[i])));
  std::cout << "  ulp vs flax " << name << ": " << worst << "\n";  // the figures in docs/nn.md
  return worst;
}

// Largest |got - want| / (1e-6 + |want|) ... as an absolute + relative tolerance check.
void expect_close(const Array& got, const std::string& name, double tol) {
  const Ref& r = ref(name);
  ASSERT_EQ(got.shape(), r.shape) << name;
  const std::vector<float> g = pure::astype(got, DType::f32).to_host<float>();
  for (std::size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(g[i], r.values[i], tol * (1.0 + std::abs(r.values[i]))) << name << "[" << i << "]";
}

// Every leaf of `params` against the record "<prefix>/<path>", within `ulps`;
// also checks that the tree has exactly the record's leaves.
void expect_params(const Tree& params, const std::string& prefix, std::int64_t ulps) {
  std::vector<std::string> want;
  for (const auto& [name, r] : flax())
    if (name.rfind(prefix + "/", 0) == 0 && name.find("/apply") == std::string::npos) want.push_back(name);
  std::vector<std::string> got;
  std::function<void(const Tree&, const std::string&)> walk = [&](const Tree& t, const std::string& path) {
    if (t.is_leaf()) {
      got.push_back(path);
      EXPECT_LE(max_ulp(t.array(), path), ulps) << path;
      return;
    }
    for (std::size_t i = 0; i < t.size(); ++i) walk(t.child(i), path + "/" + t.keys()[i]);
  };
  walk(params, prefix);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want);
}

// Flax's parameters for `prefix` as a Tree ("a/b/kernel" -> tree["a"]["b"]["kernel"]).
Tree flax_params(const std::string& prefix) {
  Tree out;
  for (const auto& [name, r] : flax()) {
    if (name.rfind(prefix + "/", 0) != 0 || name.find("/apply") != std::string::npos) continue;
    Tree* node = &out;
    std::string rest = name.substr(prefix.size() + 1);
    for (std::size_t slash; (slash = rest.find('/')) != std::string::npos; rest = rest.substr(slash + 1))
      node = &(*node)[rest.substr(0, slash)];
    node->set(rest, ref_array(name));
  }
  return out;
}

class Flax : public ::testing::Test {
 protected:
  // The reference draws several initializers from one key, as Flax users do.
  void SetUp() override { pr::reset_key_reuse_record(); }
};

struct Model : nn::Module<Model> {  // the seed's model: one Dense
  Array call(nn::Scope& s, const Array& x) const { return s.child(nn::Dense(4), x); }
};

struct Nested : nn::Module<Nested> {
  Array call(nn::Scope& s, const Array& x) const {
    const Array h = s.child(nn::MLP({3, 2}), x);
    return s.child(nn::LayerNorm{}, h);
  }
};

struct DropModel : nn::Module<DropModel> {
  Array call(nn::Scope& s, const Array& x, bool deterministic) const {
    return s.child(nn::Dropout(0.5), x, deterministic);
  }
};

}  // namespace

TEST(NnHash, Sha1KnownAnswersFromFips180) {
  // First four bytes of SHA-1("abc") = a9993e36..., SHA-1("") = da39a3ee...,
  // and the two-block message of FIPS 180-2 appendix A.2 = 84983e44...
  EXPECT_EQ(nn::detail::flax_fold_hash({"abc"}, 0), 0xa9993e36u);
  EXPECT_EQ(nn::detail::flax_fold_hash({}, 0), 0xda39a3eeu);
  EXPECT_EQ(nn::detail::flax_fold_hash({"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"}, 0), 0x84983e44u);
  // Strings are concatenated without separators and integers appended as bytes:
  // ("ab", "c") hashes as "abc", and counter 0x61 is the byte 'a'.
  EXPECT_EQ(nn::detail::flax_fold_hash({"ab", "c"}, 0), 0xa9993e36u);
  EXPECT_EQ(nn::detail::flax_fold_hash({"ab", "c"}, 0), nn::detail::flax_fold_hash({"abc"}, 0));
  EXPECT_EQ(nn::detail::flax_fold_hash({"ab"}, 0x63), 0xa9993e36u);
}

TEST_F(Flax, InitializersMatchJax) {
  const pr::Key k = pr::key(1);
  // truncated_normal is within 2 ulp of JAX in f32 (docs/random.md); the
  // scale factor is computed in f32 as JAX does, so the product adds at most 1.
  EXPECT_LE(max_ulp(nn::initializers::lecun_normal()(k, Shape{4, 5}, DType::f32), "init/lecun_normal"), 3);
  pr::reset_key_reuse_record();
  EXPECT_LE(max_ulp(nn::initializers::he_normal()(k, Shape{4, 5}, DType::f32), "init/he_normal"), 3);
  pr::reset_key_reuse_record();
  EXPECT_LE(max_ulp(nn::initializers::lecun_normal()(k, Shape{3, 3, 2, 4}, DType::f32), "init/lecun_normal_conv"), 3);
  pr::reset_key_reuse_record();
  EXPECT_LE(max_ulp(nn::initializers::normal(0.02)(k, Shape{4, 5}, DType::f32), "init/normal"), 4);
  // uniform is bit-exact.
  pr::reset_key_reuse_record();
  EXPECT_EQ(max_ulp(nn::initializers::glorot_uniform()(k, Shape{4, 5}, DType::f32), "init/glorot_uniform"), 0);
}

TEST_F(Flax, InitializerStatisticsFollowTheFan) {
  // Independent of Flax: lecun_normal's variance is 1 / fan_in, he_normal's 2 / fan_in.
  const Array w = nn::initializers::lecun_normal()(pr::key(9), Shape{400, 300}, DType::f64);
  const double var = pure::var(w).item<double>();
  EXPECT_NEAR(var, 1.0 / 400, 0.03 / 400);  // 120000 draws: a 1% standard error
  const Array h = nn::initializers::he_normal()(pr::key(10), Shape{400, 300}, DType::f64);
  EXPECT_NEAR(pure::var(h).item<double>(), 2.0 / 400, 0.06 / 400);
  // glorot_uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), so |w| <= a.
  const Array g = nn::initializers::glorot_uniform()(pr::key(11), Shape{400, 300}, DType::f64);
  EXPECT_LE(pure::max(pure::abs(g)).item<double>(), std::sqrt(6.0 / 700));
  EXPECT_GT(pure::max(pure::abs(g)).item<double>(), 0.99 * std::sqrt(6.0 / 700));
}

TEST_F(Flax, DenseParamsAndOutput) {
  const Array x = ramp(Shape{2, 4});
  const Tree p = nn::Dense(3).init(pr::key(0), x);
  EXPECT_EQ(p.keys(), (std::vector<std::string>{"kernel", "bias"}));
  expect_params(p, "dense", 3);
  expect_close(nn::Dense(3).apply(flax_params("dense"), x), "dense/apply", 2e-7);
}

TEST_F(Flax, MlpNamesKeysAndOutputFollowFlax) {
  const Array x = ramp(Shape{3, 6}, 0.05);
  const nn::MLP mlp({5, 4, 1});
  const Tree p = mlp.init(pr::key(42), x);
  EXPECT_EQ(p.keys(), (std::vector<std::string>{"Dense_0", "Dense_1", "Dense_2"}));
  expect_params(p, "mlp", 3);
  expect_close(mlp.apply(flax_params("mlp"), x), "mlp/apply", 5e-7);
}

TEST_F(Flax, SeedModelAndNestedModules) {
  expect_params(Model{}.init(pr::key(1), ramp(Shape{2, 3})), "model", 3);
  const Array x = ramp(Shape{2, 5}, 0.3);
  const Tree p = Nested{}.init(pr::key(5), x);
  EXPECT_EQ(p.keys(), (std::vector<std::string>{"MLP_0", "LayerNorm_0"}));
  expect_params(p, "nested", 3);
  expect_close(Nested{}.apply(flax_params("nested"), x), "nested/apply", 2e-6);
}

TEST_F(Flax, LayerNormOutput) {
  Tree p;
  p.set("scale", ramp(Shape{5}, 0.2, 0.5));
  p.set("bias", ramp(Shape{5}, 0.1, -0.2));
  expect_close(nn::LayerNorm{}.apply(p, ramp(Shape{2, 5}, 0.37, -1.0)), "layernorm/apply", 1e-6);
}

TEST_F(Flax, EmbedParamsAndLookup) {
  const Array idx = pure::from_host(std::vector<std::int32_t>{1, 2, 9, 0}, Shape{2, 2});
  const nn::Embed e(10, 4);
  const Tree p = e.init(pr::key(7), idx);
  expect_params(p, "embed", 4);
  EXPECT_EQ(max_ulp(e.apply(flax_params("embed"), idx), "embed/apply"), 0);
}

TEST_F(Flax, ConvParamsAndOutput) {
  const nn::Conv c2(3, {3, 3});
  const Array x2 = ramp(Shape{1, 5, 5, 2}, 0.02);
  expect_params(c2.init(pr::key(11), x2), "conv2d", 3);
  expect_close(c2.apply(flax_params("conv2d"), x2), "conv2d/apply", 1e-6);

  const nn::Conv c1(2, {3}, {2}, nn::Padding::valid);
  const Array x1 = ramp(Shape{2, 7, 2}, 0.05);
  expect_params(c1.init(pr::key(12), x1), "conv1d", 3);
  expect_close(c1.apply(flax_params("conv1d"), x1), "conv1d/apply", 1e-6);

  const nn::Conv c3(2, {2, 3}, {2, 1});
  const Array x3 = ramp(Shape{1, 5, 4, 3}, 0.03);
  expect_params(c3.init(pr::key(13), x3), "conv2d_strided", 3);
  expect_close(c3.apply(flax_params("conv2d_strided"), x3), "conv2d_strided/apply", 1e-6);
}

TEST_F(Flax, SequentialNamesLayersByIndex) {
  const nn::Sequential s({nn::Dense(4), nn::relu, nn::Dense(2)});
  const Array x = ramp(Shape{2, 3});
  const Tree p = s.init(pr::key(3), x);
  EXPECT_EQ(p.keys(), (std::vector<std::string>{"layers_0", "layers_2"}));
  expect_params(p, "sequential", 3);
  expect_close(s.apply(flax_params("sequential"), x), "sequential/apply", 5e-7);
}

TEST_F(Flax, DropoutMaskIsFlaxsBitForBit) {
  const Array x = ramp(Shape{4, 8}, 0.01, 0.2);
  const DropModel m;
  const Tree p = m.init(pr::key(0), x, true);
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(max_ulp(m.apply(p, pr::key(3), x, false), "dropout/apply"), 0);
  // Deterministic: the input unchanged, no key needed.
  EXPECT_EQ(m.apply(p, x, true).to_host<float>(), x.to_host<float>());
  // Statistics, independent of Flax: about half the elements dropped, the rest doubled.
  pr::reset_key_reuse_record();
  const Array big = pure::ones(Shape{100000});
  const std::vector<float> d = DropModel{}.apply(Tree{}, pr::key(4), big, false).to_host<float>();
  std::int64_t kept = 0;
  for (float v : d) {
    ASSERT_TRUE(v == 0.0f || v == 2.0f) << v;
    kept += v == 2.0f;
  }
  EXPECT_NEAR(static_cast<double>(kept) / 100000, 0.5, 0.006);  // 4 standard deviations
}

TEST_F(Flax, StreamsAtApplyTimeAreIndependent) {
  struct TwoStreams : nn::Module<TwoStreams> {
    Array call(nn::Scope& s, const Array& x) const {
      const pr::Key a = s.make_rng("dropout"), b = s.make_rng("noise");
      EXPECT_NE(a, b);
      return x;
    }
  };
  TwoStreams{}.apply(Tree{}, pr::key(1), pure::ones(Shape{1}));
  struct AsksForParams : nn::Module<AsksForParams> {
    Array call(nn::Scope& s, const Array& x) const {
      if (!s.is_initializing()) s.make_rng("params");
      return x;
    }
  };
  try {
    AsksForParams{}.apply(Tree{}, pr::key(1), pure::ones(Shape{1}));
    FAIL() << "no error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("drawn only by init"), std::string::npos) << e.what();
  }
}

TEST_F(Flax, ActivationsMatchJax) {
  const Array x = ramp(Shape{2, 6}, 0.7, -2.0);
  EXPECT_EQ(max_ulp(nn::relu(x), "act/relu"), 0);
  // 1 + tanh(z) cancels for z near -2 (gelu(-2) = -0.045), multiplying the
  // few-ulp difference between pure's and XLA's tanh by up to 1 / (1 + tanh).
  EXPECT_LE(max_ulp(nn::gelu(x), "act/gelu"), 32);
  EXPECT_LE(max_ulp(nn::gelu_exact(x), "act/gelu_exact"), 8);
  EXPECT_LE(max_ulp(nn::silu(x), "act/silu"), 4);
  EXPECT_LE(max_ulp(nn::tanh(x), "act/tanh"), 4);
  EXPECT_LE(max_ulp(nn::softplus(x), "act/softplus"), 4);
  EXPECT_LE(max_ulp(nn::sigmoid(x), "act/sigmoid"), 4);
  EXPECT_LE(max_ulp(nn::log_softmax(x), "act/log_softmax"), 4);
}

TEST_F(Flax, ReluDerivativeAtZeroIsZeroAsInJax) {
  const Array x = pure::from_host(std::vector<float>{-1.0f, 0.0f, 2.0f});
  const Array g = pure::grad([](const Array& v) { return pure::sum(nn::relu(v)); })(x);
  EXPECT_EQ(g.to_host<float>(), (std::vector<float>{0.0f, 0.0f, 1.0f}));
  const Array nan = pure::from_host(std::vector<float>{NAN});
  EXPECT_TRUE(std::isnan(nn::relu(nan).to_host<float>()[0]));
}

TEST_F(Flax, LossGradientsMatchFiniteDifferences) {
  // A small conv + layernorm + MLP in f64, its gradient against central differences.
  struct Net : nn::Module<Net> {
    Array call(nn::Scope& s, const Array& x) const {
      nn::Conv conv(2, {3}, {}, nn::Padding::same);
      conv.param_dtype = DType::f64;
      Array h = nn::gelu(s.child(conv, x));
      nn::LayerNorm ln;
      ln.param_dtype = DType::f64;
      h = s.child(ln, h);
      nn::Dense d(1);
      d.param_dtype = DType::f64;
      return s.child(d, nn::silu(h));
    }
  };
  const Array x = pure::astype(ramp(Shape{2, 5, 3}, 0.07, -0.4), DType::f64);
  const Tree p0 = Net{}.init(pr::key(21), x);
  // Perturb LayerNorm's scale and bias so their gradients are not trivial.
  Tree p = pure::tree_map(
      [](const Array& a) {
        return a + 0.1 * pure::sin(pure::reshape(pure::arange(a.shape().size(), DType::f64), a.shape()) + 1.0);
      },
      p0);
  auto loss = [&](const Tree& q) { return pure::sum(pure::square(Net{}.apply(q, x))); };
  const Tree g = pure::grad(loss)(p);
  const auto leaves = pure::tree_leaves_with_path(p);
  const auto gleaves = pure::tree_leaves(g);
  for (std::size_t l = 0; l < leaves.size(); ++l) {
    const std::vector<double> w = leaves[l].second.to_host<double>();
    const std::vector<double> gw = gleaves[l].to_host<double>();
    for (std::size_t i = 0; i < w.size(); i += 3) {
      auto at = [&](double delta) {
        std::vector<Array> ls = pure::tree_leaves(p);
        std::vector<double> v = w;
        v[i] += delta;
        ls[l] = pure::from_host(v, leaves[l].second.shape());
        return loss(pure::tree_unflatten(p, ls)).item<double>();
      };
      const double h = 1e-6, fd = (at(h) - at(-h)) / (2 * h);
      EXPECT_NEAR(gw[i], fd, 1e-6 * (1 + std::abs(fd))) << leaves[l].first << "[" << i << "]";
    }
  }
}

TEST_F(Flax, WrongFeatureSizeNamesLayerAndShapes) {
  const nn::MLP mlp({4, 1});
  const Tree p = mlp.init(pr::key(0), pure::zeros(Shape{2, 3}));
  try {
    mlp.apply(p, pure::zeros(Shape{2, 5}));
    FAIL() << "no error";
  } catch (const pure::ShapeError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("Dense 'Dense_0'"), std::string::npos) << m;
    EXPECT_NE(m.find("f32[2,5]"), std::string::npos) << m;  // the input
    EXPECT_NE(m.find("f32[3,4]"), std::string::npos) << m;  // the kernel it has
    EXPECT_NE(m.find("f32[5,4]"), std::string::npos) << m;  // the kernel the input needs
  }
}

TEST_F(Flax, WrongTreeNamesMissingOrExtraPath) {
  const nn::MLP mlp({4, 1});
  const Array x = pure::zeros(Shape{2, 3});
  Tree p = mlp.init(pr::key(0), x);
  Tree missing = p;
  missing["Dense_1"].erase("bias");
  try {
    mlp.apply(missing, x);
    FAIL() << "no error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("'Dense_1/bias'"), std::string::npos) << e.what();
  }
  Tree extra = p;
  extra["Dense_7"].set("kernel", pure::zeros(Shape{1}));
  try {
    mlp.apply(extra, x);
    FAIL() << "no error";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("extra entry 'Dense_7/kernel'"), std::string::npos) << e.what();
  }
}

TEST_F(Flax, BadSettingsAndInputs) {
  const Array x = pure::ones(Shape{2, 3});
  EXPECT_THROW(DropModel{}.apply(Tree{}, x, false), pure::ValueError);  // no key for dropout
  EXPECT_THROW(nn::Dropout(1.5).apply(Tree{}, pr::key(0), x, false), pure::ValueError);
  EXPECT_THROW(nn::Embed(4, 2).init(pr::key(0), x), pure::DTypeError);   // float indices
  EXPECT_THROW(nn::Conv(2, {3}).init(pr::key(0), x), pure::ShapeError);  // 1-D conv needs rank 3
  EXPECT_THROW(nn::Dense(0).init(pr::key(0), x), pure::ValueError);
  EXPECT_THROW(nn::initializers::lecun_normal()(pr::key(0), Shape{5}, DType::f32), pure::ValueError);
  EXPECT_THROW(nn::initializers::lecun_normal()(pr::key(0), Shape{5, 2}, DType::i32), pure::DTypeError);
}

TEST_F(Flax, ListsCallsShapesAndCounts) {
  const std::string t = nn::tabulate(nn::MLP({5, 4, 1}), pr::key(0), pure::zeros(Shape{3, 6}));
  // (6*5 + 5) + (5*4 + 4) + (4*1 + 1) = 64 parameters, 256 bytes in f32.
  EXPECT_NE(t.find("Total parameters: 64 (256 bytes)"), std::string::npos) << t;
  EXPECT_NE(t.find("Dense_1"), std::string::npos) << t;
  EXPECT_NE(t.find("kernel f32[5,4], bias f32[4] (24)"), std::string::npos) << t;
  // Rows in call order: the MLP first, then its layers.
  EXPECT_LT(t.find("(top)"), t.find("Dense_0")) << t;
  EXPECT_LT(t.find("Dense_0"), t.find("Dense_2")) << t;
}

TEST_F(Flax, JittedApplyIsBitwiseEager) {
  const nn::MLP mlp({8, 8, 1}, nn::gelu);
  const Array x = ramp(Shape{4, 3});
  const Tree p = mlp.init(pr::key(2), x);
  auto f = [&](const Tree& q, const Array& v) { return mlp.apply(q, v); };
  const Array eager = f(p, x);
  const Array jitted = pure::jit(f)(p, x);
  EXPECT_EQ(eager.to_host<float>(), jitted.to_host<float>());
}

TEST_F(Flax, SeedModelFitsALinearMap) {
  // y = x W + b with W, b known; Model (one Dense(4)) trained by plain gradient descent.
  const auto ks = pr::split(pr::key(0), 3);
  const Array x = pr::normal(ks[0], Shape{64, 3});
  const Array w_true = pure::reshape(pure::arange(12, DType::f32) * 0.25 - 1.0, Shape{3, 4});
  const Array y = pure::matmul(x, w_true) + 0.5;
  const Model model;
  Tree params = model.init(ks[1], x);
  auto loss = [&](const Tree& p) { return pure::mean(pure::square(model.apply(p, x) - y)); };
  const double first = loss(params).item<float>();
  for (int step = 0; step < 300; ++step) {
    const Tree g = pure::grad(loss)(params);
    params = pure::tree_map([](const Array& p, const Array& d) { return p - 0.1 * d; }, params, g);
  }
  const double last = loss(params).item<float>();
  EXPECT_GT(first, 0.5);
  EXPECT_LT(last, 1e-6);
  const std::vector<float> w = params["Dense_0"]["kernel"].array().to_host<float>();
  const std::vector<float> wt = w_true.to_host<float>();
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(w[i], wt[i], 1e-3);
}
