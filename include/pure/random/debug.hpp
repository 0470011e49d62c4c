// Key-reuse detection: a debug mode that throws when the same key (or the same
// elements of a key's stream) are consumed twice by the host API.
#pragma once

#include <cstdint>

#include <pure/random/key.hpp>

namespace pure::random {

/// Turns the key-reuse check on or off. Initially on iff the environment
/// variable PURE_DEBUG_KEY_REUSE is set to something other than "0" or "".
/// When on, every host call that consumes a key (split, bits, uniform, ...)
/// records the key, the element range it drew and the call site; drawing an
/// overlapping range of the same key again throws KeyReuseError naming both
/// call sites. Costs a lock and a map look-up per call, and memory per key:
/// meant for tests and debugging, not production runs. Device-side draws
/// (bits_at, normal_at, ...) are not tracked.
void set_debug_key_reuse(bool on);
bool debug_key_reuse();
/// Forgets every recorded consumption (e.g. between independent test cases).
void reset_key_reuse_record();

namespace detail {
/// Records that `what` drew elements [begin, end) of key's stream at `where`;
/// throws KeyReuseError if they overlap an earlier draw. end = UINT64_MAX
/// stands for the whole key (split, and samplers that split internally).
void consume(const Key& key, std::uint64_t begin, std::uint64_t end, const char* what, Where where);
constexpr std::uint64_t kWholeKey = ~std::uint64_t{0};
}  // namespace detail

}  // namespace pure::random
