// Random123's published known-answer vectors (file tests/kat_vectors of the
// Random123 distribution, github.com/DEShawResearch/random123, lines
// "threefry2x32 20 ..." and "philox4x32 10 ..."), checked against the block
// functions that every pure key and sampler is built on, on the host and inside
// a kernel of the default execution space.
#include <gtest/gtest.h>

#include <cstdint>

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

// counter words, key words, expected output words (all as in kat_vectors).
struct Threefry2x32Kat {
  std::uint32_t ctr[2], key[2], out[2];
};
struct Philox4x32Kat {
  std::uint32_t ctr[4], key[2], out[4];
};

constexpr Threefry2x32Kat kThreefry[] = {
    {{0x00000000u, 0x00000000u}, {0x00000000u, 0x00000000u}, {0x6b200159u, 0x99ba4efeu}},
    {{0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}, {0x1cb996fcu, 0xbb002be7u}},
    {{0x243f6a88u, 0x85a308d3u}, {0x13198a2eu, 0x03707344u}, {0xc4923a9cu, 0x483df7a0u}},
};

constexpr Philox4x32Kat kPhilox[] = {
    {{0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u},
     {0x00000000u, 0x00000000u},
     {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
    {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
     {0xffffffffu, 0xffffffffu},
     {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
    {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
     {0xa4093822u, 0x299f31d0u},
     {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
};

// Device-callable (wrap_key_data is host-only).
KOKKOS_INLINE_FUNCTION r::Key make_key(const std::uint32_t words[2], r::Impl impl) {
  r::Key k;
  k.words[0] = words[0];
  k.words[1] = words[1];
  k.impl = impl;
  return k;
}

TEST(KnownAnswers, Threefry2x32_20OnHost) {
  for (const auto& v : kThreefry) {
    std::uint32_t out[2];
    r::detail::threefry_block(make_key(v.key, r::Impl::threefry), v.ctr[0], v.ctr[1], out);
    EXPECT_EQ(out[0], v.out[0]);
    EXPECT_EQ(out[1], v.out[1]);
  }
}

TEST(KnownAnswers, Philox4x32_10OnHost) {
  for (const auto& v : kPhilox) {
    std::uint32_t out[4];
    r::detail::philox_block(make_key(v.key, r::Impl::philox), v.ctr[0], v.ctr[1], v.ctr[2], v.ctr[3], out);
    for (int j = 0; j < 4; ++j) EXPECT_EQ(out[j], v.out[j]) << "word " << j;
  }
}

// Runs every vector in one kernel; out holds 2 threefry words then 4 philox words
// per vector. The vectors travel in the functor (host globals are not visible on GPUs).
struct KatKernel {
  Kokkos::View<std::uint32_t*> out;
  Threefry2x32Kat threefry[3];
  Philox4x32Kat philox[3];
  KOKKOS_INLINE_FUNCTION void operator()(int v) const {
    const Threefry2x32Kat& t = threefry[v];
    std::uint32_t w2[2];
    r::detail::threefry_block(make_key(t.key, r::Impl::threefry), t.ctr[0], t.ctr[1], w2);
    const Philox4x32Kat& p = philox[v];
    std::uint32_t w4[4];
    r::detail::philox_block(make_key(p.key, r::Impl::philox), p.ctr[0], p.ctr[1], p.ctr[2], p.ctr[3], w4);
    for (int j = 0; j < 2; ++j) out(6 * v + j) = w2[j];
    for (int j = 0; j < 4; ++j) out(6 * v + 2 + j) = w4[j];
  }
};

TEST(KnownAnswers, BothGeneratorsInsideAKernel) {
  constexpr int n = 3;
  static_assert(sizeof(kThreefry) / sizeof(kThreefry[0]) == n && sizeof(kPhilox) / sizeof(kPhilox[0]) == n, "");
  Kokkos::View<std::uint32_t*> out("pure::test::kat", 6 * n);
  KatKernel kernel{out, {kThreefry[0], kThreefry[1], kThreefry[2]}, {kPhilox[0], kPhilox[1], kPhilox[2]}};
  Kokkos::parallel_for("pure::test::kat", Kokkos::RangePolicy<pure::ExecutionSpace>(0, n), kernel);
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  for (int v = 0; v < n; ++v) {
    for (int j = 0; j < 2; ++j) EXPECT_EQ(host(6 * v + j), kThreefry[v].out[j]) << "threefry vector " << v;
    for (int j = 0; j < 4; ++j) EXPECT_EQ(host(6 * v + 2 + j), kPhilox[v].out[j]) << "philox vector " << v;
  }
}

// The all-zero threefry vector is also jax.random.split(key(0))[0]: jax's
// partitionable split of key (0, 0) hashes counter (0, 0).
TEST(KnownAnswers, ThreefryVectorIsJaxSplitOfKeyZero) {
  EXPECT_EQ(r::key_data(r::split_at(r::key(0), 0)), (std::array<std::uint32_t, 2>{0x6b200159u, 0x99ba4efeu}));
}

}  // namespace
