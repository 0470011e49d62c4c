// The buffer cache: a dead array's memory goes to the next array of its size
// class, the bound holds, and release gives everything back.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "../../src/core/detail_buffer.hpp"  // size classes, the environment parser

namespace {

using pure::Array;
using pure::DType;

constexpr std::size_t kMiB = std::size_t{1} << 20;

class BufferCache : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = pure::buffer_cache_stats().limit_bytes;
    pure::release_buffer_cache();
  }
  void TearDown() override { pure::set_buffer_cache_limit(saved_); }
  std::size_t saved_ = 0;
};

// n float64 elements, allocated and filled (arange writes every element; zeros
// would be a broadcast view of one element).
Array f64s(std::int64_t n) { return pure::arange(n, DType::f64); }

TEST_F(BufferCache, TheNextArrayOfTheSizeClassGetsTheMemory) {
  pure::set_buffer_cache_limit(64 * kMiB);
  const void* first = nullptr;
  {
    const Array a = f64s(1 << 20);  // 8 MiB
    first = a.data();
  }
  EXPECT_EQ(pure::buffer_cache_stats().cached_bytes, 8 * kMiB);
  const auto before = pure::buffer_cache_stats();
  const Array b = f64s((1 << 20) - 60000);  // 7.5 MiB: the same class (multiples of 1 MiB up to 8 MiB)
  EXPECT_EQ(b.data(), first);
  const auto after = pure::buffer_cache_stats();
  EXPECT_EQ(after.hits, before.hits + 1);
  EXPECT_EQ(after.misses, before.misses);
  EXPECT_EQ(after.cached_bytes, 0u);
  // A size of another class does not take it.
  const Array c = f64s(1 << 21);
  EXPECT_NE(c.data(), first);
  EXPECT_EQ(pure::buffer_cache_stats().misses, before.misses + 1);
}

TEST_F(BufferCache, ReusedMemoryGivesTheSameResults) {
  pure::set_buffer_cache_limit(64 * kMiB);
  const Array x = pure::random::normal(pure::random::key(11), {100003}, DType::f64);
  const std::vector<double> want = (x * 3.0 + 1.0).to_host<double>();
  for (int round = 0; round < 3; ++round) {
    const Array garbage = pure::full({100003}, 12345.0, DType::f64);
    (void)garbage.data();  // writes the constant out: its bytes stay in the cache
    EXPECT_EQ((x * 3.0 + 1.0).to_host<double>(), want) << "round " << round;
  }
  EXPECT_GT(pure::buffer_cache_stats().hits, 0);
}

TEST_F(BufferCache, TheBoundHolds) {
  pure::set_buffer_cache_limit(10 * kMiB);
  {
    std::vector<Array> arrays;
    for (int i = 0; i < 4; ++i) arrays.push_back(f64s(1 << 19));  // 4 MiB each
  }
  // Two fit under 10 MiB; the other two were freed.
  EXPECT_EQ(pure::buffer_cache_stats().cached_bytes, 8 * kMiB);
  pure::set_buffer_cache_limit(5 * kMiB);  // lowering the bound frees down to it
  EXPECT_LE(pure::buffer_cache_stats().cached_bytes, 5 * kMiB);
  EXPECT_EQ(pure::buffer_cache_stats().cached_bytes, 4 * kMiB);
}

TEST_F(BufferCache, ReleaseReturnsEverything) {
  pure::set_buffer_cache_limit(64 * kMiB);
  { const Array a = f64s(1 << 18), b = f64s(1 << 17); }
  const std::size_t held = pure::buffer_cache_stats().cached_bytes;
  EXPECT_EQ(held, 3 * kMiB);
  EXPECT_EQ(pure::release_buffer_cache(), held);
  EXPECT_EQ(pure::buffer_cache_stats().cached_bytes, 0u);
  EXPECT_EQ(pure::release_buffer_cache(), 0u);
}

TEST_F(BufferCache, LimitZeroTurnsCachingOff) {
  pure::set_buffer_cache_limit(0);
  const auto before = pure::buffer_cache_stats();
  for (int i = 0; i < 3; ++i) {
    const Array a = f64s(1 << 16);
    (void)a;
  }
  const auto after = pure::buffer_cache_stats();
  EXPECT_EQ(after.cached_bytes, 0u);
  EXPECT_EQ(after.hits, before.hits);
  EXPECT_EQ(after.misses, before.misses + 3);
}

TEST(BufferCacheSizes, FourClassesPerPowerOfTwo) {
  using pure::detail::buffer_size_class;
  EXPECT_EQ(buffer_size_class(1), 256u);
  EXPECT_EQ(buffer_size_class(256), 256u);
  EXPECT_EQ(buffer_size_class(257), 320u);
  EXPECT_EQ(buffer_size_class(1024), 1024u);
  EXPECT_EQ(buffer_size_class(1025), 1280u);
  EXPECT_EQ(buffer_size_class(3 * kMiB + 1), 3 * kMiB + kMiB / 2);
  // Never more than a quarter unused, always a fixed point.
  for (std::size_t n = 257; n < 5000000; n = n * 9 / 7 + 13) {
    const std::size_t c = buffer_size_class(n);
    EXPECT_GE(c, n);
    EXPECT_LE(c - n, n / 4) << n;
    EXPECT_EQ(buffer_size_class(c), c) << n;
  }
}

TEST(BufferCacheSizes, EnvironmentValue) {
  using pure::detail::parse_buffer_cache_bytes;
  EXPECT_EQ(parse_buffer_cache_bytes("0"), 0u);
  EXPECT_EQ(parse_buffer_cache_bytes("1048576"), kMiB);
  EXPECT_EQ(parse_buffer_cache_bytes("512M"), 512 * kMiB);
  EXPECT_EQ(parse_buffer_cache_bytes("2G"), 2048 * kMiB);
  EXPECT_EQ(parse_buffer_cache_bytes("4k"), 4096u);
  for (const char* bad : {"", "-1", "1.5G", "12MB", "G", "lots"}) {
    try {
      parse_buffer_cache_bytes(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const pure::ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("PURE_BUFFER_CACHE_BYTES"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
