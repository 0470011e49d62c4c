#include <pure/random/debug.hpp>
#include <pure/random/key.hpp>

#include "core/allocation.hpp"

#include <cstdio>
#include <new>
#include <ostream>
#include <string>

namespace pure::random {

const char* impl_name(Impl impl) { return impl == Impl::philox ? "philox4x32" : "threefry2x32"; }

void detail::check_generator(const Key& key, Impl want) {
  if (key.impl != want) {
    const auto type_name = [](Impl impl) { return impl == Impl::philox ? "PhiloxKey" : "ThreefryKey"; };
    throw ValueError(std::string("pure::random::") + type_name(want) + ": argument 'key' " + to_string(key) + " is a " +
                     impl_name(key.impl) + " key, not " + impl_name(want) + "; use " + type_name(key.impl) + " for it");
  }
}

std::string to_string(const Key& key) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[0x%08x, 0x%08x] (%s)", key.words[0], key.words[1], impl_name(key.impl));
  return buf;
}

std::ostream& operator<<(std::ostream& os, const Key& key) { return os << to_string(key); }

Key key(std::uint64_t seed, Impl impl) {
  return wrap_key_data({static_cast<std::uint32_t>(seed >> 32), static_cast<std::uint32_t>(seed)}, impl);
}

std::array<Key, 2> split(const Key& key, Where where) {
  detail::consume(key, 0, detail::kWholeKey, "pure::random::split", where);
  return {split_at(key, 0), split_at(key, 1)};
}

std::vector<Key> split(const Key& key, std::int64_t n, Where where) {
  if (n <= 0) {
    throw ValueError("pure::random::split: argument 'n' (number of keys) must be > 0, got " + std::to_string(n));
  }
  // Checked before the key counts as used: a split that cannot be had leaves it unspent.
  const std::size_t bytes = pure::detail::host_bytes("pure::random::split", n, sizeof(Key), "keys");
  detail::consume(key, 0, detail::kWholeKey, "pure::random::split", where);
  std::vector<Key> out;
  try {
    out.resize(static_cast<std::size_t>(n));
  } catch (const std::bad_alloc& e) {
    pure::detail::resource_error("pure::random::split", std::to_string(n) + " keys", bytes,
                                 std::string("the allocation failed (") + e.what() + ")");
  }
  for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = split_at(key, static_cast<std::uint64_t>(i));
  return out;
}

namespace {
struct SplitKernel {
  MutableView<std::uint32_t> out;
  Key key;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const Key c = split_at(key, static_cast<std::uint64_t>(i));
    out(2 * i) = c.words[0];
    out(2 * i + 1) = c.words[1];
  }
};
}  // namespace

Array split_array(const Key& key, std::int64_t n, Where where) {
  if (n <= 0) {
    throw ValueError("pure::random::split_array: argument 'n' (number of keys) must be > 0, got " + std::to_string(n));
  }
  Array a = Array::allocate(Shape{n, 2}, DType::u32, "pure::random::split");
  detail::consume(key, 0, detail::kWholeKey, "pure::random::split_array", where);
  Kokkos::parallel_for("pure::random::split",
                       Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>(0, n),
                       SplitKernel{a.mutable_view<std::uint32_t>("pure::random::split_array"), key});
  return a;
}

}  // namespace pure::random
