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

}  // namespace pure::random

// fold_in and split_at are defined with the generators (device-callable).
#include <pure/random/device.hpp>
