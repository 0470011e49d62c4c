#include <gtest/gtest.h>

#include <pure/pure.hpp>

namespace {

TEST(Array, ZerosOnesFullHaveShapeDtypeAndValues) {
  pure::Array z = pure::zeros({2, 3}, pure::DType::f64);
  EXPECT_EQ(z.shape(), pure::Shape({2, 3}));
  EXPECT_EQ(z.dtype(), pure::DType::f64);
  EXPECT_EQ(z.size(), 6);
  for (double v : z.to_host<double>()) EXPECT_EQ(v, 0.0);
  for (float v : pure::ones({4}).to_host<float>()) EXPECT_EQ(v, 1.0f);
  for (std::int64_t v : pure::full({3}, -7, pure::DType::i64).to_host<std::int64_t>()) EXPECT_EQ(v, -7);
}

TEST(Array, ArangeCountsAndSteps) {
  EXPECT_EQ(pure::arange(5).to_host<std::int32_t>(), (std::vector<std::int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(pure::arange(0.5, 2.0, 0.5, pure::DType::f64).to_host<double>(), (std::vector<double>{0.5, 1.0, 1.5}));
  EXPECT_EQ(pure::arange(3.0, 0.0, -1.0, pure::DType::i32).to_host<std::int32_t>(),
            (std::vector<std::int32_t>{3, 2, 1}));
  EXPECT_EQ(pure::arange(0).size(), 0);
}

TEST(Array, FromHostRoundTripsEveryDtype) {
  std::vector<std::uint64_t> big{0, 1, 0xffffffffffffffffull, 1ull << 63};
  EXPECT_EQ(pure::from_host(big).to_host<std::uint64_t>(), big);
  std::vector<float> f{1.5f, -2.25f, 3e-38f, 1e38f, 0.1f, -0.0f};
  pure::Array a = pure::from_host(f, {2, 3});
  EXPECT_EQ(a.shape(), pure::Shape({2, 3}));
  EXPECT_EQ(a.to_host<float>(), f);
  std::vector<std::uint8_t> b{1, 0, 1};
  EXPECT_EQ(pure::to_host_bool(pure::from_host_bool(b, {3})), b);
}

TEST(Array, CopiesShareStorageAndNeverAlias) {
  pure::Array a = pure::arange(4, pure::DType::f32);
  pure::Array b = a;
  EXPECT_EQ(a.data(), b.data());
  b = pure::zeros({4});  // rebinding b leaves a alone
  EXPECT_EQ(a.to_host<float>(), (std::vector<float>{0, 1, 2, 3}));
}

TEST(Array, ItemOfScalar) {
  EXPECT_EQ(pure::full({}, 2.5, pure::DType::f64).item<double>(), 2.5);
  EXPECT_EQ(pure::full({1, 1}, 7, pure::DType::u32).item<std::uint32_t>(), 7u);
  EXPECT_THROW(pure::zeros({2}).item<float>(), pure::ShapeError);
}

TEST(Array, LiveBufferCountFollowsLifetimes) {
  const long before = pure::live_buffers();
  {
    pure::Array a = pure::zeros({10});
    pure::Array b = a;
    EXPECT_EQ(pure::live_buffers(), before + 1);
  }
  EXPECT_EQ(pure::live_buffers(), before);
}

TEST(Array, PrintsLikeNumpy) {
  std::ostringstream os;
  os << pure::from_host(std::vector<float>{0, 1, 2.5f, -3}, {2, 2});
  EXPECT_EQ(os.str(), "[[ 0.   1. ]\n [ 2.5 -3. ]]");
  EXPECT_EQ(pure::arange(3).str(), "[0 1 2]");
  EXPECT_EQ(pure::full({}, 0.1, pure::DType::f64).str(), "0.1");
  EXPECT_EQ(pure::from_host_bool({1, 0}, {2}).str(), "[ True False]");
  EXPECT_EQ(pure::arange(2000).str(), "[   0    1    2 ... 1997 1998 1999]");
  EXPECT_EQ(pure::zeros({0}).str(), "[]");
}

}  // namespace
