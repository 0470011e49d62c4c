// pure::random::Key: an explicit, splittable random key (as jax.random.key).
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <Kokkos_Macros.hpp>

#include <pure/core/array.hpp>
#include <pure/random/where.hpp>

namespace pure::random {

/// Which counter-based generator a key drives. threefry2x32-20 is the default
/// and gives jax.random's bits; philox4x32-10 is faster on some GPUs and has
/// its own (documented, non-JAX) streams.
enum class Impl : std::uint8_t { threefry = 0, philox = 1 };

const char* impl_name(Impl impl);

/// A random key: two 32-bit words plus the generator. A trivially copyable
/// value, so it can be captured by device lambdas. Every random value pure
/// draws is a function of (key, element index) only.
struct Key {
  std::uint32_t words[2] = {0, 0};
  Impl impl = Impl::threefry;

  KOKKOS_INLINE_FUNCTION friend bool operator==(const Key& a, const Key& b) {
    return a.words[0] == b.words[0] && a.words[1] == b.words[1] && a.impl == b.impl;
  }
  KOKKOS_INLINE_FUNCTION friend bool operator!=(const Key& a, const Key& b) { return !(a == b); }
};

std::ostream& operator<<(std::ostream& os, const Key& key);
std::string to_string(const Key& key);

/// A key from a 64-bit seed: words {seed >> 32, seed & 0xffffffff}, as
/// jax.random.key(seed) with 64-bit seeds (jax_enable_x64); for seeds below
/// 2^31 that is also JAX's default 32-bit mode.
Key key(std::uint64_t seed, Impl impl = Impl::threefry);

/// Two new keys. Consumes `key` (see set_debug_key_reuse).
std::array<Key, 2> split(const Key& key, Where where = Where::here());
/// `n` new keys (n > 0). Consumes `key`.
std::vector<Key> split(const Key& key, std::int64_t n, Where where = Where::here());
/// `n` new keys as a (n, 2) uint32 array of key words, for n too large for a
/// host vector; element i equals split(key, n)[i]. Consumes `key`.
Array split_array(const Key& key, std::int64_t n, Where where = Where::here());

/// The words of a key, as jax.random.key_data.
inline std::array<std::uint32_t, 2> key_data(const Key& key) { return {key.words[0], key.words[1]}; }
/// A key from its words, as jax.random.wrap_key_data.
inline Key wrap_key_data(const std::array<std::uint32_t, 2>& words, Impl impl = Impl::threefry) {
  Key k;
  k.words[0] = words[0];
  k.words[1] = words[1];
  k.impl = impl;
  return k;
}

namespace detail {
/// Throws pure::ValueError unless key.impl == want (GeneratorKey's constructor).
void check_generator(const Key& key, Impl want);
}  // namespace detail

/// A key whose generator is part of its type: ThreefryKey or PhiloxKey. The
/// device API (bits_at, uniform_at, normal_at, fold_in, ...) takes it like a
/// Key and gives the same bits, but has no run-time choice of generator left,
/// so the compiler can vectorise a user's loop over it as it does a plain
/// Random123 loop (docs/benchmarks.md). Convert once, outside the kernel:
///
///   const pure::random::ThreefryKey k(key);   // throws if key is a philox key
///   Kokkos::parallel_for(n, KOKKOS_LAMBDA(std::int64_t i) { x(i) = normal_at<double>(k, i); });
template <Impl kImpl>
struct GeneratorKey {
  static constexpr Impl impl = kImpl;
  std::uint32_t words[2] = {0, 0};

  GeneratorKey() = default;
  /// The same key with its generator fixed; a key of the other generator is
  /// an error (pure::ValueError naming both).
  explicit GeneratorKey(const Key& key) : words{key.words[0], key.words[1]} { detail::check_generator(key, kImpl); }
  /// Back to a run-time Key, e.g. for the host API (pure::random::normal).
  KOKKOS_INLINE_FUNCTION Key key() const {
    Key k;
    k.words[0] = words[0];
    k.words[1] = words[1];
    k.impl = kImpl;
    return k;
  }
  KOKKOS_INLINE_FUNCTION friend bool operator==(const GeneratorKey& a, const GeneratorKey& b) {
    return a.words[0] == b.words[0] && a.words[1] == b.words[1];
  }
  KOKKOS_INLINE_FUNCTION friend bool operator!=(const GeneratorKey& a, const GeneratorKey& b) { return !(a == b); }
};
using ThreefryKey = GeneratorKey<Impl::threefry>;
using PhiloxKey = GeneratorKey<Impl::philox>;

}  // namespace pure::random

// fold_in and split_at are defined with the generators (device-callable).
#include <pure/random/device.hpp>
