// Host API: draw whole arrays from a key (as jax.random.*). Element i of every
// elementwise sampler is a function of (key, offset + i) only, so a draw made
// whole, in chunks (with `offset`), on any number of threads or MPI ranks, or
// through the device API (*_at in device.hpp) gives the same bits.
//
// Every call consumes its key: draw again with a new key from split or fold_in.
// `offset` lets a caller draw a slice [offset, offset + shape.size()) of the
// flat (row-major) stream that a whole draw would give, e.g. one MPI rank's part.
#pragma once

#include <cstdint>

#include <pure/core/array.hpp>
#include <pure/random/key.hpp>

namespace pure::random {

/// Uniform random bits; dtype u32 (jax.random.bits) or u64.
Array bits(const Key& key, const Shape& shape, DType dtype = DType::u32, std::uint64_t offset = 0,
           Where where = Where::here());

/// Uniform in [lo, hi); dtype f32 or f64; needs lo < hi, both finite.
Array uniform(const Key& key, const Shape& shape, DType dtype = DType::f32, double lo = 0.0, double hi = 1.0,
              std::uint64_t offset = 0, Where where = Where::here());

/// Standard normal; dtype f32 or f64.
Array normal(const Key& key, const Shape& shape, DType dtype = DType::f32, std::uint64_t offset = 0,
             Where where = Where::here());

/// Standard normal truncated to (lower, upper); needs lower < upper.
Array truncated_normal(const Key& key, double lower, double upper, const Shape& shape, DType dtype = DType::f32,
                       std::uint64_t offset = 0, Where where = Where::here());

/// true with probability p (0 <= p <= 1); boolean array. p is rounded to
/// float32 first, as jax.random.bernoulli does with a Python float.
Array bernoulli(const Key& key, double p, const Shape& shape, std::uint64_t offset = 0, Where where = Where::here());

/// Integers in [minval, maxval); dtype i32, u32, i64 or u64. As jax.random.randint:
/// the bounds are clipped to the dtype, maxval <= minval gives minval, a maxval
/// above the dtype's maximum widens the span by one, and two subkeys are split
/// from `key`, so the whole key is consumed.
Array randint(const Key& key, const Shape& shape, std::int64_t minval, std::int64_t maxval, DType dtype = DType::i32,
              std::uint64_t offset = 0, Where where = Where::here());

/// Exponential with rate 1; dtype f32 or f64.
Array exponential(const Key& key, const Shape& shape, DType dtype = DType::f32, std::uint64_t offset = 0,
                  Where where = Where::here());

/// Gamma with shape parameter a > 0 and scale 1; dtype f32 or f64. Element i
/// uses split_at(key, i) in Marsaglia–Tsang rejection loops (as jax), so the
/// whole key is consumed.
Array gamma(const Key& key, double a, const Shape& shape, DType dtype = DType::f32, std::uint64_t offset = 0,
            Where where = Where::here());

/// A random permutation of 0 .. n-1 (int32), as jax.random.permutation(key, n).
/// The random sort keys are drawn on the device; jax's rounds of stable sort run
/// on the host (O(n log n) time and O(n) host memory).
Array permutation(const Key& key, std::int64_t n, Where where = Where::here());
/// `x` with its first axis shuffled, as jax.random.permutation(key, x).
Array permutation(const Key& key, const Array& x, Where where = Where::here());

/// Indices in [0, n) of `shape` (int32), as jax.random.choice(key, n, shape, replace, p).
/// `p`, if given, is a 1-D float array of n finite probabilities >= 0, at least one
/// positive (normalised by their sum; computed in p's dtype, so float32 p matches
/// jax). Without replacement, shape.size() must be <= n and, with p, <= the
/// number of positive entries of p.
Array choice(const Key& key, std::int64_t n, const Shape& shape, bool replace = true, const Array& p = Array(),
             Where where = Where::here());

/// Samples indices from unnormalised log-probabilities along `axis` (int32),
/// as jax.random.categorical(key, logits, axis).
Array categorical(const Key& key, const Array& logits, int axis = -1, Where where = Where::here());

}  // namespace pure::random
