// Decomposition invariance: element i of every elementwise draw depends only on
// (key, i). A whole draw must equal, byte for byte, the same draw made in
// uneven chunks with `offset`, and the values a user's own Kokkos kernel gets
// through the *_at device functions under any policy, chunk size, iteration
// order or multi-dimensional index space (flat row-major index), and the host
// API's loop at every SIMD level the CPU has.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <pure/pure.hpp>

namespace {

namespace r = pure::random;
using pure::Array;
using pure::DType;
using pure::Shape;
using Exec = pure::ExecutionSpace;
using Index = Kokkos::IndexType<std::int64_t>;

using Bytes = std::vector<unsigned char>;

Bytes host_bytes(const Array& a) {
  Bytes b(a.nbytes());
  if (b.empty()) return b;
  if (a.dtype() == DType::boolean) {
    const auto v = pure::to_host_bool(a);
    std::memcpy(b.data(), v.data(), v.size());
    return b;
  }
  pure::visit_dtype(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (!std::is_same<T, bool>::value) {
      const auto v = a.to_host<T>();
      std::memcpy(b.data(), v.data(), b.size());
    }
  });
  return b;
}

template <class View>
Bytes view_bytes(const View& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  Bytes b(h.span() * sizeof(typename View::value_type));
  std::memcpy(b.data(), h.data(), b.size());
  return b;
}

/// "" when equal, else where the first differing element is (for messages).
std::string mismatch(const Bytes& got, const Bytes& want, std::size_t elem_size) {
  if (got.size() != want.size()) {
    return "sizes differ: " + std::to_string(got.size()) + " vs " + std::to_string(want.size()) + " bytes";
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i]) return "first difference at element " + std::to_string(i / elem_size);
  }
  return "";
}

// ------------------------------------------------------------ user kernels

// out(i) = draw(key, offset + i), optionally visiting indices in reverse. K:
// r::Key, or r::ThreefryKey / r::PhiloxKey (generator fixed at compile time).
template <class T, class Draw, class K = r::Key>
struct FlatKernel {
  Kokkos::View<T*, pure::MemorySpace> out;
  K key;
  std::uint64_t offset;
  Draw draw;
  bool reverse;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t j = reverse ? static_cast<std::int64_t>(out.extent(0)) - 1 - i : i;
    out(j) = draw(key, offset + static_cast<std::uint64_t>(j));
  }
};

// Each team takes an uneven block of `block` consecutive indices.
template <class T, class Draw>
struct TeamKernel {
  using Member = Kokkos::TeamPolicy<Exec>::member_type;
  Kokkos::View<T*, pure::MemorySpace> out;
  r::Key key;
  std::uint64_t offset;
  Draw draw;
  std::int64_t block;
  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    const std::int64_t begin = team.league_rank() * block;
    const std::int64_t n = static_cast<std::int64_t>(out.extent(0));
    const std::int64_t end = begin + block < n ? begin + block : n;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, begin, end),
                         [&](std::int64_t i) { out(i) = draw(key, offset + static_cast<std::uint64_t>(i)); });
  }
};

// A rank-3 index space: element (i, j, k) is flat index (i * d1 + j) * d2 + k.
template <class T, class Draw>
struct Rank3Kernel {
  Kokkos::View<T***, Kokkos::LayoutRight, pure::MemorySpace> out;
  r::Key key;
  std::uint64_t offset;
  Draw draw;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i, std::int64_t j, std::int64_t k) const {
    const auto flat = static_cast<std::uint64_t>(
        (i * static_cast<std::int64_t>(out.extent(1)) + j) * static_cast<std::int64_t>(out.extent(2)) + k);
    out(i, j, k) = draw(key, offset + flat);
  }
};

// ------------------------------------------------------------ device-side draws

struct Bits32 {
  template <class K>
  KOKKOS_INLINE_FUNCTION std::uint32_t operator()(const K& k, std::uint64_t i) const {
    return r::bits_at(k, i);
  }
};
struct Bits64 {
  template <class K>
  KOKKOS_INLINE_FUNCTION std::uint64_t operator()(const K& k, std::uint64_t i) const {
    return r::bits64_at(k, i);
  }
};
template <class T>
struct UniformAt {
  T lo, hi;
  template <class K>
  KOKKOS_INLINE_FUNCTION T operator()(const K& k, std::uint64_t i) const {
    return r::uniform_at<T>(k, i, lo, hi);
  }
};
template <class T>
struct NormalAt {
  template <class K>
  KOKKOS_INLINE_FUNCTION T operator()(const K& k, std::uint64_t i) const {
    return r::normal_at<T>(k, i);
  }
};
template <class T>
struct TruncatedNormalAt {
  T lower, upper;
  template <class K>
  KOKKOS_INLINE_FUNCTION T operator()(const K& k, std::uint64_t i) const {
    return r::truncated_normal_at<T>(k, i, lower, upper);
  }
};
template <class T>
struct ExponentialAt {
  template <class K>
  KOKKOS_INLINE_FUNCTION T operator()(const K& k, std::uint64_t i) const {
    return r::exponential_at<T>(k, i);
  }
};
template <class T>
struct GammaAt {
  T a;
  template <class K>
  KOKKOS_INLINE_FUNCTION T operator()(const K& k, std::uint64_t i) const {
    return r::gamma_at<T>(k, i, a);
  }
};
struct BernoulliAt {
  float p;
  template <class K>
  KOKKOS_INLINE_FUNCTION bool operator()(const K& k, std::uint64_t i) const {
    return r::bernoulli_at<float>(k, i, p);
  }
};
template <class T>
struct RandintAt {
  T lo, hi;
  template <class K>
  KOKKOS_INLINE_FUNCTION T operator()(const K& k, std::uint64_t i) const {
    return r::randint_at<T>(k, i, lo, hi);
  }
};

// ------------------------------------------------------------ the check

/// Checks one sampler: `host(key, shape, offset)` is the host API, `draw` the
/// matching device function, T its element type. `whole_key`: the host
/// sampler consumes the whole key (it splits it inside), so even disjoint
/// chunks count as reuse and the record is reset before each.
template <class T, class Draw, class Host>
void check_sampler(const Host& host, const Draw& draw, bool whole_key = false) {
  constexpr std::int64_t n = 5003;  // odd: philox's 4-word blocks split across chunks
  for (r::Impl impl : {r::Impl::threefry, r::Impl::philox}) {
    SCOPED_TRACE(r::impl_name(impl));
    r::reset_key_reuse_record();
    const r::Key key = r::key(0x5eed0000000000a1ull, impl);
    const Array whole = host(key, Shape{n}, 0);
    ASSERT_EQ(whole.dtype(), pure::dtype_of<T>());
    const Bytes expect = host_bytes(whole);

    // Every instruction-set version of the host loop (pure/core/host_simd.hpp)
    // gives the same bytes: n = 5003 is several full work items plus a ragged
    // one, so vector bodies and scalar tails are both compared. (On a CPU
    // without AVX2 only the baseline loop exists; the log line says so.)
    if (pure::host_simd_supported() == pure::HostSimd::baseline) {
      std::printf("[ random   ] only the baseline host loop exists on this CPU or build\n");
    }
    {
      const pure::HostSimd saved = pure::host_simd();
      for (int l = 0; l <= static_cast<int>(pure::host_simd_supported()); ++l) {
        const auto level = static_cast<pure::HostSimd>(l);
        pure::set_host_simd(level);
        r::reset_key_reuse_record();
        EXPECT_EQ(mismatch(host_bytes(host(key, Shape{n}, 0)), expect, sizeof(T)), "")
            << "host loop at SIMD level " << pure::host_simd_name(level);
      }
      pure::set_host_simd(saved);
    }

    // The same elements again, on purpose: forget the whole draw. The chunks
    // themselves are disjoint and must not trip the key-reuse check.
    r::reset_key_reuse_record();
    Bytes chunks;
    std::int64_t at = 0;
    for (std::int64_t len : {std::int64_t{1}, std::int64_t{7}, std::int64_t{1000}, std::int64_t{0}, n - 1008}) {
      if (whole_key) r::reset_key_reuse_record();
      const Bytes b = host_bytes(host(key, Shape{len}, static_cast<std::uint64_t>(at)));
      chunks.insert(chunks.end(), b.begin(), b.end());
      at += len;
    }
    EXPECT_EQ(mismatch(chunks, expect, sizeof(T)), "") << "chunked draw with offsets differs from the whole draw";

    Kokkos::View<T*, pure::MemorySpace> out("pure::test::decomposition", n);
    using Range = Kokkos::RangePolicy<Exec, Index>;
    for (bool reverse : {false, true}) {
      for (int chunk : {0, 1, 37, 4096}) {
        Kokkos::deep_copy(out, T{});
        Range policy(0, n);
        if (chunk > 0) policy.set_chunk_size(chunk);
        Kokkos::parallel_for("pure::test::flat", policy, FlatKernel<T, Draw>{out, key, 0, draw, reverse});
        EXPECT_EQ(mismatch(view_bytes(out), expect, sizeof(T)), "")
            << "user kernel, chunk size " << chunk << (reverse ? ", reversed" : "");
      }
    }
    // The same kernel with the generator fixed at compile time (ThreefryKey,
    // PhiloxKey): the same bytes.
    Kokkos::deep_copy(out, T{});
    if (impl == r::Impl::threefry) {
      Kokkos::parallel_for("pure::test::flat_threefry", Range(0, n),
                           FlatKernel<T, Draw, r::ThreefryKey>{out, r::ThreefryKey(key), 0, draw, false});
    } else {
      Kokkos::parallel_for("pure::test::flat_philox", Range(0, n),
                           FlatKernel<T, Draw, r::PhiloxKey>{out, r::PhiloxKey(key), 0, draw, false});
    }
    EXPECT_EQ(mismatch(view_bytes(out), expect, sizeof(T)), "") << "user kernel over a GeneratorKey";
    for (std::int64_t block : {std::int64_t{1}, std::int64_t{333}, n}) {
      Kokkos::deep_copy(out, T{});
      const int league = static_cast<int>((n + block - 1) / block);
      Kokkos::parallel_for("pure::test::team", Kokkos::TeamPolicy<Exec>(league, Kokkos::AUTO),
                           TeamKernel<T, Draw>{out, key, 0, draw, block});
      EXPECT_EQ(mismatch(view_bytes(out), expect, sizeof(T)), "") << "team kernel, block " << block;
    }

    // Multi-dimensional shape with an offset whose element indices cross 2^32
    // (the counter's high word), against a rank-3 user kernel.
    r::reset_key_reuse_record();
    const std::uint64_t offset = (std::uint64_t{1} << 32) - 50;
    const Array cube = host(key, Shape{3, 5, 7}, offset);
    ASSERT_EQ(cube.shape(), (Shape{3, 5, 7}));
    Kokkos::View<T***, Kokkos::LayoutRight, pure::MemorySpace> out3("pure::test::decomposition3", 3, 5, 7);
    Kokkos::parallel_for("pure::test::rank3", Kokkos::MDRangePolicy<Exec, Kokkos::Rank<3>, Index>({0, 0, 0}, {3, 5, 7}),
                         Rank3Kernel<T, Draw>{out3, key, offset, draw});
    EXPECT_EQ(mismatch(view_bytes(out3), host_bytes(cube), sizeof(T)), "") << "rank-3 shape vs flat row-major index";
    // ... and equals the 1-D draw of the same 105 elements.
    r::reset_key_reuse_record();
    EXPECT_EQ(mismatch(host_bytes(host(key, Shape{105}, offset)), host_bytes(cube), sizeof(T)), "")
        << "rank-3 vs 1-D draw";
  }
}

class Decomposition : public ::testing::Test {
 protected:
  void SetUp() override { r::reset_key_reuse_record(); }
};

TEST_F(Decomposition, Bits) {
  check_sampler<std::uint32_t>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::bits(k, s, DType::u32, o); }, Bits32{});
  check_sampler<std::uint64_t>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::bits(k, s, DType::u64, o); }, Bits64{});
}

TEST_F(Decomposition, Uniform) {
  check_sampler<float>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::uniform(k, s, DType::f32, -3.0, 0.5, o); },
      UniformAt<float>{-3.0f, 0.5f});
  check_sampler<double>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::uniform(k, s, DType::f64, 0.0, 1.0, o); },
      UniformAt<double>{0.0, 1.0});
  // The other host loop of each type: lo == 0 for f32, lo != 0 (emulated FMA) for f64.
  check_sampler<float>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::uniform(k, s, DType::f32, 0.0, 7.0, o); },
      UniformAt<float>{0.0f, 7.0f});
  check_sampler<double>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::uniform(k, s, DType::f64, -2.5, 1e3, o); },
      UniformAt<double>{-2.5, 1e3});
}

TEST_F(Decomposition, Normal) {
  check_sampler<float>([](const r::Key& k, const Shape& s, std::uint64_t o) { return r::normal(k, s, DType::f32, o); },
                       NormalAt<float>{});
  check_sampler<double>([](const r::Key& k, const Shape& s, std::uint64_t o) { return r::normal(k, s, DType::f64, o); },
                        NormalAt<double>{});
}

TEST_F(Decomposition, TruncatedNormal) {
  check_sampler<float>([](const r::Key& k, const Shape& s,
                          std::uint64_t o) { return r::truncated_normal(k, -1.5, 0.75, s, DType::f32, o); },
                       TruncatedNormalAt<float>{-1.5f, 0.75f});
  check_sampler<double>([](const r::Key& k, const Shape& s,
                           std::uint64_t o) { return r::truncated_normal(k, 0.5, 3.0, s, DType::f64, o); },
                        TruncatedNormalAt<double>{0.5, 3.0});
}

TEST_F(Decomposition, Exponential) {
  check_sampler<float>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::exponential(k, s, DType::f32, o); },
      ExponentialAt<float>{});
  check_sampler<double>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::exponential(k, s, DType::f64, o); },
      ExponentialAt<double>{});
}

TEST_F(Decomposition, Gamma) {
  check_sampler<float>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::gamma(k, 0.7, s, DType::f32, o); },
      GammaAt<float>{0.7f}, true);
  check_sampler<double>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::gamma(k, 2.5, s, DType::f64, o); },
      GammaAt<double>{2.5}, true);
}

TEST_F(Decomposition, Bernoulli) {
  check_sampler<bool>([](const r::Key& k, const Shape& s, std::uint64_t o) { return r::bernoulli(k, 0.3, s, o); },
                      BernoulliAt{0.3f});
}

TEST_F(Decomposition, Randint) {
  check_sampler<std::int32_t>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::randint(k, s, -7, 1000, DType::i32, o); },
      RandintAt<std::int32_t>{-7, 1000}, true);
  check_sampler<std::uint32_t>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::randint(k, s, 3, 3000000000ll, DType::u32, o); },
      RandintAt<std::uint32_t>{3u, 3000000000u}, true);
  check_sampler<std::int64_t>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) {
        return r::randint(k, s, -(1ll << 40), 123456789012ll, DType::i64, o);
      },
      RandintAt<std::int64_t>{-(1ll << 40), 123456789012ll}, true);
  check_sampler<std::uint64_t>(
      [](const r::Key& k, const Shape& s, std::uint64_t o) { return r::randint(k, s, 0, 1000003, DType::u64, o); },
      RandintAt<std::uint64_t>{0u, 1000003u}, true);
}

// ------------------------------------------------------------ keys

TEST_F(Decomposition, SplitArrayEqualsSplitAndSplitAt) {
  for (r::Impl impl : {r::Impl::threefry, r::Impl::philox}) {
    SCOPED_TRACE(r::impl_name(impl));
    const r::Key key = r::key(77, impl);
    const std::int64_t n = 1029;
    const std::vector<std::uint32_t> words = r::split_array(key, n).to_host<std::uint32_t>();
    r::reset_key_reuse_record();  // the same split again, on purpose
    const std::vector<r::Key> keys = r::split(key, n);
    ASSERT_EQ(words.size(), static_cast<std::size_t>(2 * n));
    for (std::int64_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      const r::Key from_array = r::wrap_key_data({words[2 * u], words[2 * u + 1]}, impl);
      ASSERT_EQ(from_array, keys[u]) << "key " << i;
      ASSERT_EQ(r::split_at(key, static_cast<std::uint64_t>(i)), keys[u]) << "key " << i;
    }
    // The 2-key split is a prefix of the n-key split (partitionable split).
    r::reset_key_reuse_record();
    const auto two = r::split(key);
    EXPECT_EQ(two[0], keys[0]);
    EXPECT_EQ(two[1], keys[1]);
    EXPECT_EQ(r::split_array(r::split_at(key, 5), 1).shape(), (Shape{1, 2}));
  }
}

// GeneratorKey: the same words, so split_at and fold_in give the same child
// keys as on a Key (the generator is the key's own), and converting a key of
// the other generator is an error that names both.
template <class GK>
void check_generator_key(const r::Key& key) {
  const GK g(key);
  EXPECT_EQ(g.key(), key);
  for (std::uint64_t i : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{12345}, (std::uint64_t{1} << 32) + 3}) {
    EXPECT_EQ(r::split_at(g, i).key(), r::split_at(key, i)) << "split_at " << i;
  }
  for (std::uint32_t d : {0u, 7u, 0xffffffffu})
    EXPECT_EQ(r::fold_in(g, d).key(), r::fold_in(key, d)) << "fold_in " << d;
}

TEST_F(Decomposition, GeneratorKeyDerivesTheSameKeys) {
  check_generator_key<r::ThreefryKey>(r::key(2024, r::Impl::threefry));
  check_generator_key<r::PhiloxKey>(r::key(2024, r::Impl::philox));
  try {
    const r::ThreefryKey wrong(r::key(5, r::Impl::philox));
    ADD_FAILURE() << "ThreefryKey took a philox key";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("ThreefryKey: argument 'key'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is a philox4x32 key"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("use PhiloxKey"), std::string::npos) << e.what();
  }
  EXPECT_THROW(r::PhiloxKey(r::key(5, r::Impl::threefry)), pure::ValueError);
}

}  // namespace
