// The key-reuse debug mode: consuming the same key (or overlapping elements of
// its stream) twice throws pure::KeyReuseError naming both call sites.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <pure/pure.hpp>

namespace {

namespace r = pure::random;
using pure::Array;
using pure::DType;
using pure::Shape;

/// Sets the debug mode for one scope and restores the previous state after,
/// also when an assertion fails, so no other test sees the change.
class DebugKeyReuse {
 public:
  explicit DebugKeyReuse(bool on) : before_(r::debug_key_reuse()) { r::set_debug_key_reuse(on); }
  ~DebugKeyReuse() { r::set_debug_key_reuse(before_); }
  DebugKeyReuse(const DebugKeyReuse&) = delete;
  DebugKeyReuse& operator=(const DebugKeyReuse&) = delete;

 private:
  bool before_;
};

// The suite runs with PURE_DEBUG_KEY_REUSE=1; the fixture also switches the
// mode on itself, so running the binary by hand tests the same thing.
class KeyReuse : public ::testing::Test {
 protected:
  void SetUp() override { r::reset_key_reuse_record(); }
  DebugKeyReuse on_{true};
};

/// The KeyReuseError message `f` throws, or "" if it throws nothing.
template <class F>
std::string reuse_message(F&& f) {
  try {
    f();
  } catch (const pure::KeyReuseError& e) {
    return e.what();
  }
  return "";
}

std::string at_line(int line) { return "test_key_reuse.cpp:" + std::to_string(line); }

// Not a fixture test: the fixture switches the mode on itself. This one sees
// the state the environment variable set (every test restores what it changes).
TEST(KeyReuseMode, IsOnInTheTestSuite) {
  const char* env = std::getenv("PURE_DEBUG_KEY_REUSE");
  if (env == nullptr || std::strcmp(env, "1") != 0) {
    GTEST_SKIP() << "PURE_DEBUG_KEY_REUSE=1 is not set (binary not run by ctest)";
  }
  EXPECT_TRUE(r::debug_key_reuse());
}

TEST_F(KeyReuse, DrawingTwiceNamesBothCallSites) {
  const r::Key k = r::key(1);
  const int first = __LINE__ + 1;
  (void)r::bits(k, Shape{4});
  const int second = __LINE__ + 1;
  const std::string msg = reuse_message([&] { (void)r::uniform(k, Shape{4}); });
  ASSERT_FALSE(msg.empty()) << "second draw from the same key did not throw";
  EXPECT_NE(msg.find("pure::random::uniform"), std::string::npos) << msg;
  EXPECT_NE(msg.find("pure::random::bits"), std::string::npos) << msg;
  EXPECT_NE(msg.find(r::to_string(k)), std::string::npos) << msg;
  // The new call site first ("drawn at"), then the earlier one ("consumed by ... at").
  const auto pos_second = msg.find(at_line(second));
  const auto pos_first = msg.find(at_line(first));
  EXPECT_NE(pos_second, std::string::npos) << "second call site missing: " << msg;
  EXPECT_NE(pos_first, std::string::npos) << "first call site missing: " << msg;
  EXPECT_LT(pos_second, pos_first) << msg;
}

// Where's default argument must record the caller's line, not a line inside
// pure's headers (where a naive default would point).
TEST_F(KeyReuse, CallSiteIsTheCallerNotTheLibrary) {
  const r::Key k = r::key(2);
  const int first = __LINE__ + 1;
  const auto children = r::split(k);
  const std::string msg = reuse_message([&] { (void)r::split(k, 3); });
  ASSERT_FALSE(msg.empty());
  for (const char* header : {"key.hpp", "samplers.hpp", "where.hpp", "key.cpp", "samplers.cpp"}) {
    EXPECT_EQ(msg.find(header), std::string::npos) << "names " << header << ": " << msg;
  }
  EXPECT_NE(msg.find(at_line(first)), std::string::npos) << msg;
  EXPECT_NE(children[0], children[1]);
}

TEST_F(KeyReuse, KeyReuseErrorIsAPureError) {
  const r::Key k = r::key(3);
  (void)r::normal(k, Shape{2});
  EXPECT_THROW((void)r::normal(k, Shape{2}), pure::Error);
}

TEST_F(KeyReuse, OverlappingOffsetRangesThrowDisjointOnesDoNot) {
  const r::Key k = r::key(4);
  EXPECT_NO_THROW((void)r::bits(k, Shape{10}, DType::u32, 0));                     // [0, 10)
  EXPECT_NO_THROW((void)r::bits(k, Shape{10}, DType::u32, 10));                    // [10, 20): adjacent
  EXPECT_NO_THROW((void)r::bits(k, Shape{2, 5}, DType::u32, 100));                 // [100, 110)
  EXPECT_NO_THROW((void)r::bits(k, Shape{0}, DType::u32, 5));                      // empty: consumes nothing
  EXPECT_THROW((void)r::bits(k, Shape{1}, DType::u32, 19), pure::KeyReuseError);   // last element of [10, 20)
  EXPECT_THROW((void)r::bits(k, Shape{30}, DType::u32, 95), pure::KeyReuseError);  // covers [100, 110)
  EXPECT_THROW((void)r::bits(k, Shape{3}, DType::u32, 8), pure::KeyReuseError);    // straddles 10
  EXPECT_NO_THROW((void)r::bits(k, Shape{80}, DType::u32, 20));                    // [20, 100): the gap
  // A different sampler reads the same stream elements, so it counts as reuse too.
  EXPECT_THROW((void)r::uniform(k, Shape{1}, DType::f32, 0.0, 1.0, 50), pure::KeyReuseError);
  EXPECT_NO_THROW((void)r::normal(k, Shape{5}, DType::f64, 110));
}

TEST_F(KeyReuse, OverlapMessageNamesTheRanges) {
  const r::Key k = r::key(5);
  (void)r::uniform(k, Shape{10}, DType::f32, 0.0, 1.0, 0);
  const std::string msg = reuse_message([&] { (void)r::normal(k, Shape{10}, DType::f32, 5); });
  EXPECT_NE(msg.find("[5, 15)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[0, 10)"), std::string::npos) << msg;
}

TEST_F(KeyReuse, SplitConsumesTheWholeKey) {
  const r::Key a = r::key(6);
  (void)r::split(a);
  EXPECT_THROW((void)r::bits(a, Shape{1}, DType::u32, 123456), pure::KeyReuseError);  // draw from the parent
  EXPECT_THROW((void)r::split(a), pure::KeyReuseError);                               // split it again
  EXPECT_THROW((void)r::split(a, 5), pure::KeyReuseError);
  EXPECT_THROW((void)r::split_array(a, 5), pure::KeyReuseError);

  const r::Key b = r::key(7);
  (void)r::uniform(b, Shape{3});
  EXPECT_THROW((void)r::split(b), pure::KeyReuseError);  // split after a draw

  // The children are fresh keys: each can be used once.
  const std::vector<r::Key> kids = r::split(r::key(8), 3);
  for (const r::Key& c : kids) EXPECT_NO_THROW((void)r::normal(c, Shape{4}));
  EXPECT_THROW((void)r::normal(kids[1], Shape{4}), pure::KeyReuseError);
}

TEST_F(KeyReuse, FoldInAndSplitAtDoNotConsume) {
  const r::Key k = r::key(9);
  const r::Key f3 = r::fold_in(k, 3);
  EXPECT_EQ(r::fold_in(k, 3), f3);
  (void)r::split_at(k, 0);
  EXPECT_NO_THROW((void)r::bits(k, Shape{4}));  // k itself is still unused
  EXPECT_NO_THROW((void)r::bits(f3, Shape{4}));
  EXPECT_THROW((void)r::bits(r::fold_in(k, 3), Shape{4}), pure::KeyReuseError);  // the same folded key again
  EXPECT_NO_THROW((void)r::bits(r::fold_in(k, 4), Shape{4}));
}

TEST_F(KeyReuse, GeneratorsAreDistinctKeys) {
  EXPECT_NO_THROW((void)r::bits(r::key(10, r::Impl::threefry), Shape{4}));
  EXPECT_NO_THROW((void)r::bits(r::key(10, r::Impl::philox), Shape{4}));  // same words, other generator
  EXPECT_THROW((void)r::bits(r::key(10, r::Impl::philox), Shape{4}), pure::KeyReuseError);
}

TEST_F(KeyReuse, CanBeSwitchedOffAndOn) {
  const r::Key k = r::key(11);
  {
    DebugKeyReuse off(false);
    EXPECT_FALSE(r::debug_key_reuse());
    (void)r::bits(k, Shape{4});
    EXPECT_NO_THROW((void)r::bits(k, Shape{4}));
    EXPECT_NO_THROW((void)r::split(k));
  }
  EXPECT_TRUE(r::debug_key_reuse());  // restored
  // Draws made while off were not recorded, so k counts as fresh now.
  (void)r::bits(k, Shape{4});
  EXPECT_THROW((void)r::bits(k, Shape{4}), pure::KeyReuseError);
}

TEST_F(KeyReuse, ResetForgetsEverything) {
  const r::Key k = r::key(12);
  (void)r::bits(k, Shape{4});
  r::reset_key_reuse_record();
  EXPECT_NO_THROW((void)r::bits(k, Shape{4}));
  EXPECT_THROW((void)r::bits(k, Shape{4}), pure::KeyReuseError);
}

// Samplers that are not elementwise (they split their key inside) still
// consume it: the same call twice is reuse.
TEST_F(KeyReuse, EverySamplerConsumes) {
  const std::vector<r::Key> ks = r::split(r::key(13), 9);
  const Array logits = pure::zeros(Shape{2, 3});
  const Array x = pure::arange(5);
  const std::vector<std::function<Array(const r::Key&)>> calls = {
      [](const r::Key& k) { return r::truncated_normal(k, -1.0, 1.0, Shape{3}); },
      [](const r::Key& k) { return r::bernoulli(k, 0.3, Shape{3}); },
      [](const r::Key& k) { return r::randint(k, Shape{3}, 0, 10); },
      [](const r::Key& k) { return r::exponential(k, Shape{3}); },
      [](const r::Key& k) { return r::gamma(k, 2.0, Shape{3}); },
      [](const r::Key& k) { return r::permutation(k, 5); },
      [&](const r::Key& k) { return r::permutation(k, x); },
      [](const r::Key& k) { return r::choice(k, 5, Shape{2}, false); },
      [&](const r::Key& k) { return r::categorical(k, logits); },
  };
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_NO_THROW(calls[i](ks[i])) << "call " << i;
    EXPECT_THROW(calls[i](ks[i]), pure::KeyReuseError) << "call " << i;
  }
}

}  // namespace
