// Keys as values: seeding, words, split and fold_in structure. (Bit-exactness
// with JAX lives in test_jax_compat.cpp; statistics in test_statistics.cpp.)
#include <gtest/gtest.h>

#include <set>
#include <type_traits>

#include <pure/pure.hpp>

namespace {

namespace r = pure::random;

class Keys : public ::testing::Test {
 protected:
  void SetUp() override { r::reset_key_reuse_record(); }
};

TEST_F(Keys, KeyIsASmallTriviallyCopyableValue) {
  static_assert(std::is_trivially_copyable<r::Key>::value, "Key must be capturable by device lambdas");
  EXPECT_LE(sizeof(r::Key), 12u);
}

TEST_F(Keys, SeedSplitsIntoHighAndLowWords) {
  EXPECT_EQ(r::key_data(r::key(42)), (std::array<std::uint32_t, 2>{0u, 42u}));
  EXPECT_EQ(r::key_data(r::key(0x123456789abcdef0ull)), (std::array<std::uint32_t, 2>{0x12345678u, 0x9abcdef0u}));
  EXPECT_EQ(r::key(7, r::Impl::philox).impl, r::Impl::philox);
}

TEST_F(Keys, WrapKeyDataInvertsKeyData) {
  const r::Key k = r::split(r::key(3))[1];
  EXPECT_EQ(r::wrap_key_data(r::key_data(k)), k);
  const r::Key p = r::key(3, r::Impl::philox);
  EXPECT_EQ(r::wrap_key_data(r::key_data(p), r::Impl::philox), p);
}

TEST_F(Keys, SplitChildrenAreDistinctAndPrefixStable) {
  const r::Key k = r::key(11);
  const std::vector<r::Key> many = r::split(k, 1000);
  std::set<std::array<std::uint32_t, 2>> seen;
  for (const r::Key& c : many) seen.insert(r::key_data(c));
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(seen.count(r::key_data(k)), 0u);
  r::reset_key_reuse_record();
  const auto two = r::split(k);
  EXPECT_EQ(two[0], many[0]);  // partitionable split: child i does not depend on n
  EXPECT_EQ(two[1], many[1]);
  EXPECT_EQ(r::split_at(k, 999), many[999]);
}

TEST_F(Keys, FoldInIsDeterministicAndDistinctPerValue) {
  for (r::Impl impl : {r::Impl::threefry, r::Impl::philox}) {
    const r::Key k = r::key(5, impl);
    EXPECT_EQ(r::fold_in(k, 17), r::fold_in(k, 17));
    EXPECT_NE(r::fold_in(k, 17), r::fold_in(k, 18));
    EXPECT_NE(r::fold_in(k, 0), k);
    EXPECT_EQ(r::fold_in(k, 3).impl, impl);
  }
}

TEST_F(Keys, ThreefryAndPhiloxStreamsDiffer) {
  const auto a = r::bits(r::key(9), {8}).to_host<std::uint32_t>();
  const auto b = r::bits(r::key(9, r::Impl::philox), {8}).to_host<std::uint32_t>();
  EXPECT_NE(a, b);
}

TEST_F(Keys, SplitArrayMatchesSplit) {
  const r::Key k = r::key(21);
  const auto words = r::split_array(k, 37).to_host<std::uint32_t>();
  r::reset_key_reuse_record();
  const auto keys = r::split(k, 37);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(words[2 * i], keys[i].words[0]);
    EXPECT_EQ(words[2 * i + 1], keys[i].words[1]);
  }
}

TEST_F(Keys, BadCountsAreValueErrors) {
  EXPECT_THROW(r::split(r::key(1), 0), pure::ValueError);
  EXPECT_THROW(r::split(r::key(2), -3), pure::ValueError);
  EXPECT_THROW(r::split_array(r::key(3), 0), pure::ValueError);
  try {
    r::split(r::key(4), -1);
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("'n'"), std::string::npos) << e.what();
  }
}

TEST_F(Keys, PrintsWordsAndGenerator) {
  EXPECT_EQ(r::to_string(r::key(0x100000002ull)), "[0x00000001, 0x00000002] (threefry2x32)");
}

}  // namespace
