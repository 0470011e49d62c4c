// Bad input to the samplers: every case throws the right pure::Error subclass
// with a message that names the function, the argument and the offending value
// or shape, and a rejected call does not consume its key.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

// Only the layers under test, so this file does not wait on the rest of pure.
#include <pure/core/array.hpp>
#include <pure/core/creation.hpp>
#include <pure/core/error.hpp>
#include <pure/random/debug.hpp>
#include <pure/random/device.hpp>
#include <pure/random/key.hpp>
#include <pure/random/samplers.hpp>

namespace {

namespace r = pure::random;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

class SamplerErrors : public ::testing::Test {
 protected:
  void SetUp() override { r::reset_key_reuse_record(); }
  r::Key key() { return r::fold_in(r::key(99), counter_++); }

 private:
  std::uint32_t counter_ = 0;
};

// Runs `call` and checks it throws E (and so pure::Error) with every fragment in its message.
template <class E>
void expect_error(const std::function<void()>& call, const std::vector<std::string>& fragments) {
  try {
    call();
    ADD_FAILURE() << "no exception; expected one mentioning '" << fragments.front() << "'";
  } catch (const E& e) {
    const std::string msg = e.what();
    static_assert(std::is_base_of<pure::Error, E>::value, "pure errors derive from pure::Error");
    for (const std::string& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

TEST_F(SamplerErrors, NegativeShapes) {
  expect_error<pure::ShapeError>([&] { r::normal(key(), pure::Shape{3, -2}); }, {"negative", "(3,-2)"});
  expect_error<pure::ShapeError>([&] { r::randint(key(), pure::Shape{-1}, 0, 3); }, {"negative"});
}

// Bounds must give a finite, non-empty interval in the output dtype: before,
// uniform(f32, 0, 1e39) returned all inf.
TEST_F(SamplerErrors, UniformBoundsThatOverflowTheDtype) {
  const auto f32 = pure::DType::f32;
  expect_error<pure::ValueError>([&] { r::uniform(key(), pure::Shape{2}, f32, 0.0, 1e39); },
                                 {"pure::random::uniform", "hi=1e+39", "float32"});
  expect_error<pure::ValueError>([&] { r::uniform(key(), pure::Shape{2}, f32, -3e38, 3e38); }, {"float32", "overflow"});
  expect_error<pure::ValueError>([&] { r::uniform(key(), pure::Shape{2}, f32, 1.0, 1.0 + 1e-10); }, {"float32"});
  expect_error<pure::ValueError>([&] { r::uniform(key(), pure::Shape{2}, pure::DType::f64, -1e308, 1e308); },
                                 {"pure::random::uniform", "overflows float64"});
  // The widest float32 interval that does not overflow still draws finite values inside it.
  for (float v : r::uniform(key(), pure::Shape{1000}, f32, 0.0, 3e38).to_host<float>()) {
    EXPECT_TRUE(std::isfinite(v) && v >= 0.0f && v < 3e38f) << v;
  }
}

TEST_F(SamplerErrors, UniformBounds) {
  expect_error<pure::ValueError>([&] { r::uniform(key(), pure::Shape{2}, pure::DType::f32, 1.0, 0.0); },
                                 {"pure::random::uniform", "lo < hi", "lo=1", "hi=0"});
  expect_error<pure::ValueError>([&] { r::uniform(key(), pure::Shape{2}, pure::DType::f64, 2.5, 2.5); },
                                 {"pure::random::uniform", "lo=2.5", "hi=2.5"});
  expect_error<pure::ValueError>([&] { r::uniform(key(), pure::Shape{2}, pure::DType::f64, kNaN, 1.0); },
                                 {"pure::random::uniform", "lo=nan"});
  expect_error<pure::ValueError>([&] { r::uniform(key(), pure::Shape{2}, pure::DType::f64, 0.0, kInf); },
                                 {"pure::random::uniform", "hi=inf"});
}

TEST_F(SamplerErrors, FloatDTypes) {
  expect_error<pure::DTypeError>([&] { r::uniform(key(), pure::Shape{2}, pure::DType::i32); },
                                 {"pure::random::uniform", "'dtype'", "int32"});
  expect_error<pure::DTypeError>([&] { r::normal(key(), pure::Shape{2}, pure::DType::u64); },
                                 {"pure::random::normal", "'dtype'", "uint64"});
  expect_error<pure::DTypeError>([&] { r::exponential(key(), pure::Shape{2}, pure::DType::boolean); },
                                 {"pure::random::exponential", "'dtype'", "bool"});
  expect_error<pure::DTypeError>([&] { r::truncated_normal(key(), -1, 1, pure::Shape{2}, pure::DType::i64); },
                                 {"pure::random::truncated_normal", "'dtype'", "int64"});
  expect_error<pure::DTypeError>([&] { r::gamma(key(), 2.0, pure::Shape{2}, pure::DType::u32); },
                                 {"pure::random::gamma", "'dtype'", "uint32"});
  expect_error<pure::DTypeError>([&] { r::bits(key(), pure::Shape{2}, pure::DType::f32); },
                                 {"pure::random::bits", "'dtype'", "float32"});
}

TEST_F(SamplerErrors, TruncatedNormalBounds) {
  expect_error<pure::ValueError>([&] { r::truncated_normal(key(), 2.0, -1.0, pure::Shape{2}); },
                                 {"pure::random::truncated_normal", "lower < upper", "lower=2", "upper=-1"});
  expect_error<pure::ValueError>([&] { r::truncated_normal(key(), 0.5, 0.5, pure::Shape{2}, pure::DType::f64); },
                                 {"lower=0.5", "upper=0.5"});
  expect_error<pure::ValueError>([&] { r::truncated_normal(key(), kNaN, 1.0, pure::Shape{2}); }, {"lower=nan"});
  // Distinct doubles that round to the same float leave no open float interval.
  expect_error<pure::ValueError>([&] { r::truncated_normal(key(), 1.0, 1.0 + 1e-12, pure::Shape{2}); },
                                 {"float32", "lower=1"});
  // Infinite bounds are fine (a half-truncated or plain normal).
  EXPECT_NO_THROW(r::truncated_normal(key(), -kInf, 0.0, pure::Shape{4}));
}

TEST_F(SamplerErrors, BernoulliProbability) {
  for (double p : {-0.1, 1.5, kNaN, kInf}) {
    expect_error<pure::ValueError>([&] { r::bernoulli(key(), p, pure::Shape{2}); },
                                   {"pure::random::bernoulli", "0 <= p <= 1", "p="});
  }
  expect_error<pure::ValueError>([&] { r::bernoulli(key(), 1.25, pure::Shape{2}); }, {"p=1.25"});
}

TEST_F(SamplerErrors, RandintDType) {
  for (pure::DType dt : {pure::DType::f32, pure::DType::f64, pure::DType::boolean}) {
    expect_error<pure::DTypeError>([&] { r::randint(key(), pure::Shape{2}, 0, 5, dt); },
                                   {"pure::random::randint", "'dtype'", pure::dtype_name(dt)});
  }
}

TEST_F(SamplerErrors, RandintEmptyRangeGivesMinval) {
  // As jax.random.randint: not an error, every value is minval.
  for (std::int32_t v : r::randint(key(), pure::Shape{5}, 4, 4).to_host<std::int32_t>()) EXPECT_EQ(v, 4);
  for (std::int32_t v : r::randint(key(), pure::Shape{5}, 9, -3).to_host<std::int32_t>()) EXPECT_EQ(v, 9);
}

TEST_F(SamplerErrors, GammaShapeParameter) {
  for (double a : {0.0, -1.0, kNaN, kInf}) {
    expect_error<pure::ValueError>([&] { r::gamma(key(), a, pure::Shape{2}); }, {"pure::random::gamma", "a > 0", "a="});
  }
  expect_error<pure::ValueError>([&] { r::gamma(key(), -2.5, pure::Shape{2}, pure::DType::f64); }, {"a=-2.5"});
  // 1e-50 is positive as a double but 0 as a float32.
  expect_error<pure::ValueError>([&] { r::gamma(key(), 1e-50, pure::Shape{2}, pure::DType::f32); },
                                 {"float32", "a=1e-50"});
}

TEST_F(SamplerErrors, OffsetOverflow) {
  expect_error<pure::ValueError>(
      [&] { r::normal(key(), pure::Shape{10}, pure::DType::f32, std::numeric_limits<std::uint64_t>::max() - 3); },
      {"pure::random::normal", "'offset'", "overflows"});
  expect_error<pure::ValueError>(
      [&] { r::gamma(key(), 1.0, pure::Shape{10}, pure::DType::f32, std::numeric_limits<std::uint64_t>::max()); },
      {"pure::random::gamma", "'offset'"});
}

TEST_F(SamplerErrors, SplitCount) {
  expect_error<pure::ValueError>([&] { r::split(key(), 0); }, {"pure::random::split", "'n'", "got 0"});
  expect_error<pure::ValueError>([&] { r::split(key(), -4); }, {"got -4"});
}

TEST_F(SamplerErrors, Permutation) {
  expect_error<pure::ValueError>([&] { r::permutation(key(), -1); }, {"pure::random::permutation", "'n'", "got -1"});
  expect_error<pure::ValueError>([&] { r::permutation(key(), std::int64_t{1} << 40); }, {"int32", "1099511627776"});
  expect_error<pure::ShapeError>([&] { r::permutation(key(), pure::full(pure::Shape{}, 3.0)); },
                                 {"pure::random::permutation", "'x'", "()"});
  expect_error<pure::ValueError>([&] { r::permutation(key(), pure::Array()); }, {"'x'", "empty", "Array()"});
  EXPECT_EQ(r::permutation(key(), 0).size(), 0);
}

TEST_F(SamplerErrors, ChoicePopulationAndReplace) {
  expect_error<pure::ValueError>([&] { r::choice(key(), 0, pure::Shape{2}); },
                                 {"pure::random::choice", "'n'", "got 0"});
  expect_error<pure::ValueError>([&] { r::choice(key(), -3, pure::Shape{2}); }, {"got -3"});
  expect_error<pure::ValueError>(
      [&] {
        r::choice(key(), 5, pure::Shape{2, 3}, false);
      },
      {"pure::random::choice", "6 samples", "(2,3)", "n=5", "replace=false"});
  EXPECT_EQ(r::choice(key(), 5, pure::Shape{5}, false).size(), 5);  // exactly n is fine
}

TEST_F(SamplerErrors, ChoiceProbabilities) {
  const auto choice_p = [&](std::int64_t n, const pure::Array& p, bool replace = true) {
    r::choice(key(), n, pure::Shape{2}, replace, p);
  };
  expect_error<pure::ShapeError>(
      [&] {
        choice_p(4, pure::from_host(std::vector<float>{0.5f, 0.5f}));
      },
      {"pure::random::choice", "'p'", "n=4", "(2,)"});
  expect_error<pure::ShapeError>(
      [&] {
        choice_p(4, pure::from_host(std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f}, pure::Shape{2, 2}));
      },
      {"'p'", "(2,2)"});
  expect_error<pure::DTypeError>(
      [&] {
        choice_p(2, pure::from_host(std::vector<std::int32_t>{1, 1}));
      },
      {"pure::random::choice", "'p'", "int32"});
  expect_error<pure::ValueError>(
      [&] {
        choice_p(3, pure::from_host(std::vector<float>{0.5f, -0.25f, 0.75f}));
      },
      {"pure::random::choice", "'p'", ">= 0", "p[1]=-0.25"});
  expect_error<pure::ValueError>(
      [&] {
        choice_p(2, pure::from_host(std::vector<double>{0.5, std::numeric_limits<double>::quiet_NaN()}));
      },
      {"p[1]=nan"});
  expect_error<pure::ValueError>(
      [&] {
        choice_p(2, pure::from_host(std::vector<double>{0.0, 0.0}));
      },
      {"'p'", "no positive entry"});
  // Without replacement every draw needs its own positive-probability entry.
  expect_error<pure::ValueError>(
      [&] {
        choice_p(3, pure::from_host(std::vector<float>{0.0f, 1.0f, 0.0f}), false);
      },
      {"pure::random::choice", "2 samples without replacement", "1 positive"});
}

TEST_F(SamplerErrors, Categorical) {
  const pure::Array logits = pure::zeros(pure::Shape{2, 3});
  expect_error<pure::ValueError>([&] { r::categorical(key(), logits, 2); },
                                 {"pure::random::categorical", "'axis' 2", "(2,3)"});
  expect_error<pure::ValueError>([&] { r::categorical(key(), logits, -3); }, {"'axis' -3", "(2,3)"});
  expect_error<pure::ShapeError>([&] { r::categorical(key(), pure::zeros(pure::Shape{})); },
                                 {"pure::random::categorical", "'logits'", "rank >= 1", "()"});
  expect_error<pure::ShapeError>(
      [&] {
        r::categorical(key(), pure::zeros(pure::Shape{4, 0}), 1);
      },
      {"'logits'", "(4,0)", "no categories"});
  expect_error<pure::DTypeError>([&] { r::categorical(key(), pure::zeros(pure::Shape{3}, pure::DType::i32)); },
                                 {"pure::random::categorical", "'logits'", "int32"});
  expect_error<pure::ValueError>([&] { r::categorical(key(), pure::Array()); }, {"'logits'", "empty", "Array()"});
}

// jax.random.categorical returns 0 for a line with no mass; pure refuses it.
TEST_F(SamplerErrors, CategoricalLogitsThatCannotBeNormalised) {
  const double ninf = -kInf;
  // Line 1 of axis 1 (all -inf) and line (0, 2) of axis 0 (a NaN) are bad; the others are fine.
  const pure::Array logits = pure::from_host(std::vector<double>{0.0, ninf, kNaN,  //
                                                                 ninf, ninf, 1.0},
                                             pure::Shape{2, 3});
  expect_error<pure::ValueError>([&] { r::categorical(key(), logits, 1); },
                                 {"pure::random::categorical", "'logits'", "(2,3)", "axis 1", "(0)", "NaN"});
  expect_error<pure::ValueError>([&] { r::categorical(key(), logits, 0); }, {"axis 0", "index (1)", "only -inf"});
  const pure::Array all_ninf = pure::full(pure::Shape{4}, ninf, pure::DType::f32);
  expect_error<pure::ValueError>([&] { r::categorical(key(), all_ninf); }, {"'logits'", "only -inf"});
  const pure::Array nan = pure::from_host(std::vector<float>{0.0f, std::numeric_limits<float>::quiet_NaN()});
  expect_error<pure::ValueError>([&] { r::categorical(key(), nan); }, {"'logits'", "NaN"});
  // Some -inf entries are fine: those categories are never drawn.
  std::vector<float> some;
  for (int i = 0; i < 500; ++i) some.insert(some.end(), {-INFINITY, 0.0f, -INFINITY, 0.0f});
  const pure::Array many = pure::from_host(some, pure::Shape{500, 4});
  for (std::int32_t c : r::categorical(key(), many).to_host<std::int32_t>()) EXPECT_TRUE(c == 1 || c == 3) << c;
}

// Validation happens before the key is recorded as used: after a rejected call
// the same key still draws.
TEST_F(SamplerErrors, RejectedCallsDoNotConsumeTheKey) {
  const r::Key k = key();
  EXPECT_THROW(r::uniform(k, pure::Shape{2}, pure::DType::f32, 1.0, 0.0), pure::ValueError);
  EXPECT_THROW(r::gamma(k, -1.0, pure::Shape{2}), pure::ValueError);
  EXPECT_THROW(r::choice(k, 3, pure::Shape{2}, true, pure::from_host(std::vector<float>{1.0f, -1.0f, 0.0f})),
               pure::ValueError);
  EXPECT_THROW(r::choice(k, 3, pure::Shape{4}, false), pure::ValueError);
  EXPECT_THROW(r::categorical(k, pure::zeros(pure::Shape{3}), 1), pure::ValueError);
  EXPECT_THROW(r::permutation(k, -2), pure::ValueError);
  EXPECT_THROW(r::normal(k, pure::Shape{1000000000000}), pure::ResourceError);
  EXPECT_THROW(r::randint(k, pure::Shape{1000000000000}, 0, 3), pure::ResourceError);
  EXPECT_THROW(r::split(k, std::int64_t{1} << 40), pure::ResourceError);
  EXPECT_NO_THROW(r::normal(k, pure::Shape{3}));
  // ...and the successful draw did consume it.
  EXPECT_THROW(r::normal(k, pure::Shape{3}), pure::KeyReuseError);
}

// Sizes no memory holds (more than this machine has, checked before allocating)
// are ResourceErrors naming the sampler, the dtype and shape, and the bytes.
TEST_F(SamplerErrors, SizesNoMemoryHolds) {
  expect_error<pure::ResourceError>([&] { r::normal(key(), pure::Shape{1000000000000}); },
                                    {"pure::random::normal", "float32", "(1000000000000,)", "4000000000000 bytes"});
  expect_error<pure::ResourceError>([&] { r::uniform(key(), pure::Shape{std::int64_t{1} << 61}, pure::DType::f64); },
                                    {"pure::random::uniform", "float64", "overflows"});
  expect_error<pure::ResourceError>([&] { r::split(key(), std::int64_t{1} << 40); },
                                    {"pure::random::split", "1099511627776 keys", "bytes"});
  expect_error<pure::ResourceError>([&] { r::split_array(key(), std::int64_t{1} << 40); },
                                    {"pure::random::split", "uint32", "(1099511627776,2)", "8796093022208 bytes"});
}

// Samplers that split the key internally record the whole key, so even a
// disjoint offset range of the same key is reported.
TEST_F(SamplerErrors, SplittingSamplersConsumeTheWholeKey) {
  for (int which = 0; which < 5; ++which) {
    const r::Key k = key();
    switch (which) {
      case 0: r::randint(k, pure::Shape{4}, 0, 10); break;
      case 1: r::gamma(k, 2.0, pure::Shape{4}); break;
      case 2: r::permutation(k, 4); break;
      case 3: r::choice(k, 4, pure::Shape{2}); break;
      default: r::categorical(k, pure::zeros(pure::Shape{4})); break;
    }
    EXPECT_THROW(r::bits(k, pure::Shape{4}, pure::DType::u32, 1000), pure::KeyReuseError) << "case " << which;
  }
  // Elementwise samplers only record their own range.
  const r::Key k = key();
  r::exponential(k, pure::Shape{4});
  EXPECT_NO_THROW(r::exponential(k, pure::Shape{4}, pure::DType::f32, 4));
  EXPECT_THROW(r::bernoulli(k, 0.5, pure::Shape{2}, 3), pure::KeyReuseError);
}

}  // namespace
