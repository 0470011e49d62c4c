#include <pure/core/creation.hpp>
#include <pure/random/debug.hpp>
#include <pure/random/device.hpp>
#include <pure/random/samplers.hpp>

#include "core/allocation.hpp"
#include "core/host_simd_for.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace pure::random {
namespace {

using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;

// out(i) = draw(key, offset + i): the one kernel behind every elementwise sampler.
template <class T, class Draw>
struct DrawKernel {
  MutableView<T> out;
  Key key;
  std::uint64_t offset;
  Draw draw;
  KOKKOS_FORCEINLINE_FUNCTION void operator()(std::int64_t i) const {
    out(i) = draw(key, offset + static_cast<std::uint64_t>(i));
  }
};

// The generator is fixed per launch: with the key's impl a compile-time
// constant, the per-element branch in bits_at folds away and the loop can
// vectorise (measured in docs/benchmarks.md).
template <Impl kImpl, class Draw>
struct WithImpl {
  Draw draw;
  template <class... A>
  KOKKOS_FORCEINLINE_FUNCTION auto operator()(Key k, A... a) const {
    k.impl = kImpl;
    return draw(k, a...);
  }
};

// Draws marked kHostSimd are branch-free per element and vectorise: on host
// execution spaces they run through host_simd_for, one loop per instruction-set
// level. The others (rejection loops, integer division by a run-time span) would
// gain nothing from the extra versions, so they stay plain parallel_for.
template <class Draw, class Kernel>
void launch(const char* what, std::int64_t n, const Kernel& kernel) {
  if constexpr (Draw::kHostSimd) {
    pure::detail::host_simd_for(what, n, kernel);
  } else {
    Kokkos::parallel_for(what, Policy(0, n), kernel);
  }
}

// Runs DrawKernel without recording a key use: for keys the library derived
// itself (permutation rounds) and for callers that recorded the use already.
template <class T, class Draw>
Array run_elementwise(const Key& key, const Shape& shape, std::uint64_t offset, const Draw& draw, const char* what) {
  Array a = Array::allocate(shape, dtype_of<T>(), what);
  if (key.impl == Impl::philox) {
    launch<Draw>(what, shape.size(),
                 DrawKernel<T, WithImpl<Impl::philox, Draw>>{a.mutable_view<T>(what), key, offset, {draw}});
  } else {
    launch<Draw>(what, shape.size(),
                 DrawKernel<T, WithImpl<Impl::threefry, Draw>>{a.mutable_view<T>(what), key, offset, {draw}});
  }
  return a;
}

void check_offset(const Shape& shape, std::uint64_t offset, const char* what) {
  const auto n = static_cast<std::uint64_t>(shape.size());
  if (offset > ~std::uint64_t{0} - n) {
    throw ValueError(std::string(what) + ": argument 'offset' " + std::to_string(offset) + " plus " +
                     std::to_string(n) + " elements overflows the 64-bit stream index");
  }
}

// For samplers that read elements [offset, offset + n) of the key's own stream.
template <class T, class Draw>
Array draw_elementwise(const Key& key, const Shape& shape, std::uint64_t offset, const Draw& draw, const char* what,
                       Where where) {
  check_offset(shape, offset, what);
  pure::detail::array_bytes(what, shape, dtype_of<T>());  // a call that cannot be had keeps its key
  detail::consume(key, offset, offset + static_cast<std::uint64_t>(shape.size()), what, where);
  return run_elementwise<T>(key, shape, offset, draw, what);
}

// For samplers that split the key internally (randint, gamma): they consume it whole.
template <class T, class Draw>
Array draw_splitting(const Key& key, const Shape& shape, std::uint64_t offset, const Draw& draw, const char* what,
                     Where where) {
  check_offset(shape, offset, what);
  pure::detail::array_bytes(what, shape, dtype_of<T>());  // a call that cannot be had keeps its key
  detail::consume(key, 0, detail::kWholeKey, what, where);
  return run_elementwise<T>(key, shape, offset, draw, what);
}

// Shortest decimal text that reads back as the same double ("1", "0.1", "1e-300").
std::string num(double v) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v || v != v) break;
  }
  return buf;
}

void require_float(DType dtype, const char* what, const char* arg = "dtype") {
  if (!is_floating(dtype)) {
    throw DTypeError(std::string(what) + ": argument '" + arg + "' must be float32 or float64, got " +
                     dtype_name(dtype));
  }
}

struct Bits32 {
  static constexpr bool kHostSimd = true;
  KOKKOS_FORCEINLINE_FUNCTION std::uint32_t operator()(const Key& k, std::uint64_t i) const { return bits_at(k, i); }
};
struct Bits64 {
  static constexpr bool kHostSimd = true;
  KOKKOS_FORCEINLINE_FUNCTION std::uint64_t operator()(const Key& k, std::uint64_t i) const { return bits64_at(k, i); }
};
// uniform_at, with its lo == 0 test hoisted out of the loop (kLoIsZero).
template <class T, bool kLoIsZero>
struct Uniform {
  static constexpr bool kHostSimd = true;
  T lo, hi;
  KOKKOS_FORCEINLINE_FUNCTION T operator()(const Key& k, std::uint64_t i) const {
    return detail::scale_unit<T, kLoIsZero>(detail::unit_at<T>(k, i), lo, hi);
  }
};
template <class T>
struct Normal {
  static constexpr bool kHostSimd = true;
  KOKKOS_FORCEINLINE_FUNCTION T operator()(const Key& k, std::uint64_t i) const { return normal_at<T>(k, i); }
};
template <class T>
struct TruncatedNormal {
  static constexpr bool kHostSimd = true;
  T a, b, clip_lo, clip_hi;
  KOKKOS_FORCEINLINE_FUNCTION T operator()(const Key& k, std::uint64_t i) const {
    return detail::truncated_normal_from<T>(k, i, a, b, clip_lo, clip_hi);
  }
};
struct Bernoulli {
  static constexpr bool kHostSimd = true;
  float p;
  KOKKOS_FORCEINLINE_FUNCTION bool operator()(const Key& k, std::uint64_t i) const {
    return bernoulli_at<float>(k, i, p);
  }
};
template <class T>
struct Randint {
  static constexpr bool kHostSimd = false;  // integer division by the span
  T minval;
  typename detail::UnsignedOf<T>::type span;
  KOKKOS_FORCEINLINE_FUNCTION T operator()(const Key& k, std::uint64_t i) const {
    return detail::randint_span_at<T>(k, i, minval, span);
  }
};
template <class T>
struct Exponential {
  static constexpr bool kHostSimd = true;
  KOKKOS_FORCEINLINE_FUNCTION T operator()(const Key& k, std::uint64_t i) const { return exponential_at<T>(k, i); }
};
template <class T>
struct Gamma {
  static constexpr bool kHostSimd = false;  // rejection loop
  T a;
  KOKKOS_FORCEINLINE_FUNCTION T operator()(const Key& k, std::uint64_t i) const { return gamma_at<T>(k, i, a); }
};

// -- randint ------------------------------------------------------------------

// jax's _randint bounds: minval and maxval clipped into T's range; a maxval above
// T's maximum widens the span by one (so [0, 2^31) covers every non-negative
// int32), and the full 2^nbits range is span 0.
template <class T>
Array randint_typed(const Key& key, const Shape& shape, std::int64_t minval, std::int64_t maxval, std::uint64_t offset,
                    const char* what, Where where, bool record) {
  using U = typename detail::UnsignedOf<T>::type;
  constexpr bool wide_unsigned = std::is_same<T, std::uint64_t>::value;
  const std::int64_t tmin = wide_unsigned ? 0 : static_cast<std::int64_t>(std::numeric_limits<T>::min());
  const std::int64_t tmax = wide_unsigned ? std::numeric_limits<std::int64_t>::max()
                                          : static_cast<std::int64_t>(std::numeric_limits<T>::max());
  const std::int64_t lo = std::min(std::max(minval, tmin), tmax);
  const std::int64_t hi = std::min(std::max(maxval, tmin), tmax);
  const bool maxval_out_of_range = !wide_unsigned && maxval > tmax;
  U span = hi <= lo ? U(1) : static_cast<U>(static_cast<U>(static_cast<T>(hi)) - static_cast<U>(static_cast<T>(lo)));
  if (maxval_out_of_range && hi > lo) span = static_cast<U>(span + 1u);
  const Randint<T> draw{static_cast<T>(lo), span};
  if (record) return draw_splitting<T>(key, shape, offset, draw, what, where);
  return run_elementwise<T>(key, shape, offset, draw, what);
}

// -- permutation ----------------------------------------------------------------

// jax's _shuffle: ceil(3 ln n / ln(2^32 - 1)) rounds; each round splits the key,
// draws one 32-bit sort key per position and stably sorts by it. The sort keys
// are drawn on the device; the sort runs on the host.
std::vector<std::int32_t> permutation_indices(Key key, std::int64_t n) {
  std::vector<std::int32_t> x(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i);
  const double rounds_real = std::ceil(3.0 * std::log(static_cast<double>(std::max<std::int64_t>(1, n))) /
                                       std::log(static_cast<double>(std::numeric_limits<std::uint32_t>::max())));
  const int rounds = static_cast<int>(rounds_real);
  std::vector<std::uint64_t> packed(static_cast<std::size_t>(n));
  std::vector<std::int32_t> next(static_cast<std::size_t>(n));
  for (int r = 0; r < rounds; ++r) {
    const Key subkey = split_at(key, 1);
    key = split_at(key, 0);
    const std::vector<std::uint32_t> sort_keys =
        run_elementwise<std::uint32_t>(subkey, Shape{n}, 0, Bits32{}, "pure::random::permutation")
            .to_host<std::uint32_t>();
    // Sorting (sort key, position) pairs is a stable sort by sort key.
    for (std::size_t j = 0; j < packed.size(); ++j) packed[j] = (std::uint64_t{sort_keys[j]} << 32) | j;
    std::sort(packed.begin(), packed.end());
    for (std::size_t j = 0; j < packed.size(); ++j) next[j] = x[static_cast<std::uint32_t>(packed[j])];
    x.swap(next);
  }
  return x;
}

void check_permutation_size(std::int64_t n, const char* what, const char* arg) {
  if (n < 0 || n > std::numeric_limits<std::int32_t>::max()) {
    throw ValueError(std::string(what) + ": argument '" + arg + "' must be in [0, 2^31 - 1] (int32 indices), got " +
                     std::to_string(n));
  }
}

template <class T>
struct GatherRows {
  ConstView<T> in;
  MutableView<T> out;
  ConstView<std::int32_t> rows;
  std::int64_t row_size;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t j = i / row_size;
    out(i) = in(static_cast<std::int64_t>(rows(j)) * row_size + (i - j * row_size));
  }
};

template <class Word>
void gather_rows(const Array& x, Array& out, const ConstView<std::int32_t>& rows, std::int64_t row_size,
                 const char* what) {
  const auto n = static_cast<std::size_t>(x.size());
  const ConstView<Word> in(static_cast<const Word*>(x.data()), n);
  const MutableView<Word> dst(static_cast<Word*>(const_cast<void*>(out.data())), n);
  Kokkos::parallel_for(what, Policy(0, x.size()), GatherRows<Word>{in, dst, rows, row_size});
}

// -- choice -------------------------------------------------------------------

template <class T>
struct ChoiceCdf {
  ConstView<T> cdf;
  std::int64_t n;
  MutableView<std::int32_t> out;
  Key key;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const T r = cdf(n - 1) * (T(1) - uniform_at<T>(key, static_cast<std::uint64_t>(i)));
    // searchsorted(cdf, r, side='left'): the number of entries below r.
    std::int64_t lo = 0, hi = n;
    while (lo < hi) {
      const std::int64_t mid = lo + (hi - lo) / 2;
      if (cdf(mid) < r) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    out(i) = static_cast<std::int32_t>(lo);
  }
};

template <class T>
struct GumbelPlusLogP {
  ConstView<T> p;
  MutableView<T> out;
  Key key;
  T neg_inf;  // log(0): a zero probability is never chosen
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const T g = gumbel_at<T>(key, static_cast<std::uint64_t>(i));
    out(i) = p(i) > T(0) ? g + pure::math::log(p(i)) : neg_inf;
  }
};

// jax.random.choice with p: cumsum + searchsorted with replacement, Gumbel
// top-k without. The cumulative sum is taken on the host, left to right.
template <class T>
Array choice_with_p(const Key& key, std::int64_t n, const Shape& shape, bool replace, const Array& p, const char* what,
                    Where where) {
  const std::vector<T> ph = p.to_host<T>();
  std::int64_t positive = 0;
  for (std::size_t j = 0; j < ph.size(); ++j) {
    if (!(ph[j] >= T(0)) || !std::isfinite(ph[j])) {
      throw ValueError(std::string(what) + ": argument 'p' needs finite probabilities >= 0, got p[" +
                       std::to_string(j) + "]=" + num(static_cast<double>(ph[j])));
    }
    positive += ph[j] > T(0);
  }
  if (positive == 0) throw ValueError(std::string(what) + ": argument 'p' has no positive entry (sum is 0)");
  const std::int64_t draws = shape.size();
  if (!replace && draws > positive) {
    throw ValueError(std::string(what) + ": cannot take " + std::to_string(draws) +
                     " samples without replacement from p with only " + std::to_string(positive) + " positive entries");
  }
  detail::consume(key, 0, detail::kWholeKey, what, where);
  Array out = Array::allocate(shape, DType::i32, what);
  if (replace) {
    std::vector<T> cdf(ph.size());
    T sum = 0;
    for (std::size_t j = 0; j < ph.size(); ++j) cdf[j] = sum = sum + ph[j];
    const Array cdf_dev = from_host(cdf);
    Kokkos::parallel_for(what, Policy(0, draws),
                         ChoiceCdf<T>{cdf_dev.view<T>(what), n, out.mutable_view<std::int32_t>(what), key});
    return out;
  }
  Array g = Array::allocate(Shape{n}, dtype_of<T>(), what);
  Kokkos::parallel_for(
      what, Policy(0, n),
      GumbelPlusLogP<T>{p.view<T>(what), g.mutable_view<T>(what), key, -std::numeric_limits<T>::infinity()});
  const std::vector<T> gh = g.to_host<T>();
  std::vector<std::int32_t> order(static_cast<std::size_t>(n));
  for (std::int64_t j = 0; j < n; ++j) order[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j);
  // lax.top_k: largest first, equal values in index order.
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return gh[static_cast<std::size_t>(a)] > gh[static_cast<std::size_t>(b)];
  });
  order.resize(static_cast<std::size_t>(draws));
  return from_host(order, shape);
}

// -- categorical ----------------------------------------------------------------

template <class T>
struct CategoricalKernel {
  ConstView<T> logits;
  MutableView<std::int32_t> out;
  Key key;
  std::int64_t classes, inner;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t o) const {
    const std::int64_t outer = o / inner;
    const std::int64_t base = outer * classes * inner + (o - outer * inner);
    // argmax of gumbel + logits along the axis: first maximum; a NaN wins (as jnp.argmax).
    std::int32_t best_k = 0;
    T best = T(0);
    for (std::int64_t k = 0; k < classes; ++k) {
      const std::int64_t idx = base + k * inner;
      const T v = gumbel_at<T>(key, static_cast<std::uint64_t>(idx)) + logits(idx);
      if (v != v) {
        best_k = static_cast<std::int32_t>(k);
        break;
      }
      if (k == 0 || v > best) {
        best = v;
        best_k = static_cast<std::int32_t>(k);
      }
    }
    out(o) = best_k;
  }
};

// The first line of logits along the axis that no distribution comes from: one
// with a NaN, or with every entry -inf (jax.random.categorical returns 0 there).
template <class T>
struct FirstUnnormalisableLine {
  ConstView<T> logits;
  std::int64_t classes, inner;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t o, std::int64_t& first) const {
    const std::int64_t outer = o / inner;
    const std::int64_t base = outer * classes * inner + (o - outer * inner);
    bool nan = false, some_mass = false;
    for (std::int64_t k = 0; k < classes; ++k) {
      const T v = logits(base + k * inner);
      nan = nan || v != v;
      some_mass = some_mass || v > -Kokkos::Experimental::infinity<T>::value;
    }
    // 2 o + 1 for a NaN, 2 o for a line of -inf: the minimum is the first bad line and why.
    const std::int64_t code = 2 * o + (nan ? 1 : 0);
    if ((nan || !some_mass) && code < first) first = code;
  }
};

// Position of output element o as "(i, j, ...)".
std::string index_text(std::int64_t o, const Shape& shape) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(shape.rank()));
  for (int d = shape.rank() - 1; d >= 0; --d) {
    idx[static_cast<std::size_t>(d)] = o % shape[d];
    o /= shape[d];
  }
  std::string t = "(";
  for (std::size_t d = 0; d < idx.size(); ++d) t += (d ? ", " : "") + std::to_string(idx[d]);
  return t + ")";
}

template <class T>
void check_logits(const Array& logits, int axis, const Shape& out_shape, const char* what) {
  const auto& dims = logits.shape().dims();
  std::int64_t inner = 1;
  for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < dims.size(); ++d) inner *= dims[d];
  std::int64_t first_bad = std::numeric_limits<std::int64_t>::max();
  Kokkos::parallel_reduce(what, Policy(0, out_shape.size()),
                          FirstUnnormalisableLine<T>{logits.view<T>(what), dims[static_cast<std::size_t>(axis)], inner},
                          Kokkos::Min<std::int64_t>(first_bad));
  if (first_bad != std::numeric_limits<std::int64_t>::max()) {
    throw ValueError(std::string(what) + ": argument 'logits' of shape " + logits.shape().str() +
                     " cannot be normalised along axis " + std::to_string(axis) + ": the line at output index " +
                     index_text(first_bad / 2, out_shape) + (first_bad % 2 ? " has a NaN" : " has only -inf entries"));
  }
}

template <class T>
Array categorical_typed(const Key& key, const Array& logits, int axis, const Shape& out_shape, const char* what) {
  const auto& dims = logits.shape().dims();
  std::int64_t inner = 1;
  for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < dims.size(); ++d) inner *= dims[d];
  Array out = Array::allocate(out_shape, DType::i32, what);
  Kokkos::parallel_for(what, Policy(0, out_shape.size()),
                       CategoricalKernel<T>{logits.view<T>(what), out.mutable_view<std::int32_t>(what), key,
                                            dims[static_cast<std::size_t>(axis)], inner});
  return out;
}

}  // namespace

Array bits(const Key& key, const Shape& shape, DType dtype, std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::bits";
  if (dtype == DType::u32) return draw_elementwise<std::uint32_t>(key, shape, offset, Bits32{}, what, where);
  if (dtype == DType::u64) return draw_elementwise<std::uint64_t>(key, shape, offset, Bits64{}, what, where);
  throw DTypeError(std::string(what) + ": argument 'dtype' must be uint32 or uint64, got " + dtype_name(dtype));
}

namespace {
template <class T>
Array draw_uniform(const Key& key, const Shape& shape, std::uint64_t offset, T lo, T hi, Where where) {
  constexpr const char* what = "pure::random::uniform";
  if (lo == T(0)) return draw_elementwise<T>(key, shape, offset, Uniform<T, true>{lo, hi}, what, where);
  return draw_elementwise<T>(key, shape, offset, Uniform<T, false>{lo, hi}, what, where);
}
}  // namespace

Array uniform(const Key& key, const Shape& shape, DType dtype, double lo, double hi, std::uint64_t offset,
              Where where) {
  constexpr const char* what = "pure::random::uniform";
  require_float(dtype, what);
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi)) {
    throw ValueError(std::string(what) + ": needs finite lo < hi, got lo=" + num(lo) + " hi=" + num(hi));
  }
  if (dtype == DType::f32) {
    // The bounds and their span must be finite and ordered in float32 too, or
    // every draw would be inf (1e39) or one value (1 and 1 + 1e-9).
    constexpr double kMax = std::numeric_limits<float>::max();
    const bool in_range = std::fabs(lo) <= kMax && std::fabs(hi) <= kMax;  // else the cast is undefined
    const float lo32 = in_range ? static_cast<float>(lo) : 0.0f, hi32 = in_range ? static_cast<float>(hi) : 0.0f;
    if (!(in_range && std::isfinite(hi32 - lo32) && lo32 < hi32)) {
      throw ValueError(std::string(what) + ": lo=" + num(lo) + " and hi=" + num(hi) +
                       " do not give a finite interval lo < hi of float32 values (hi - lo must not overflow)");
    }
    return draw_uniform(key, shape, offset, lo32, hi32, where);
  }
  if (!std::isfinite(hi - lo)) {
    throw ValueError(std::string(what) + ": the span hi - lo of lo=" + num(lo) + " and hi=" + num(hi) +
                     " overflows float64");
  }
  return draw_uniform(key, shape, offset, lo, hi, where);
}

Array normal(const Key& key, const Shape& shape, DType dtype, std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::normal";
  require_float(dtype, what);
  if (dtype == DType::f32) return draw_elementwise<float>(key, shape, offset, Normal<float>{}, what, where);
  return draw_elementwise<double>(key, shape, offset, Normal<double>{}, what, where);
}

namespace {
template <class T>
TruncatedNormal<T> truncated_normal_params(double lower, double upper) {
  const T lo = static_cast<T>(lower), hi = static_cast<T>(upper);
  const T sqrt2 = static_cast<T>(1.4142135623730951);
  return {pure::math::erf(lo / sqrt2), pure::math::erf(hi / sqrt2), detail::next_float(lo, true),
          detail::next_float(hi, false)};
}
}  // namespace

Array truncated_normal(const Key& key, double lower, double upper, const Shape& shape, DType dtype,
                       std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::truncated_normal";
  require_float(dtype, what);
  const bool f32 = dtype == DType::f32;
  // Compare in the output dtype: bounds that round to the same value leave no open interval.
  const bool ordered = f32 ? static_cast<float>(lower) < static_cast<float>(upper) : lower < upper;
  if (!ordered) {
    throw ValueError(std::string(what) + ": needs lower < upper (in " + dtype_name(dtype) +
                     "), got lower=" + num(lower) + " upper=" + num(upper));
  }
  if (f32) {
    return draw_elementwise<float>(key, shape, offset, truncated_normal_params<float>(lower, upper), what, where);
  }
  return draw_elementwise<double>(key, shape, offset, truncated_normal_params<double>(lower, upper), what, where);
}

Array bernoulli(const Key& key, double p, const Shape& shape, std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::bernoulli";
  if (!(p >= 0.0 && p <= 1.0)) {
    throw ValueError(std::string(what) + ": needs a probability 0 <= p <= 1, got p=" + num(p));
  }
  // As jax's default 32-bit mode: p and the uniform draw are float32.
  return draw_elementwise<bool>(key, shape, offset, Bernoulli{static_cast<float>(p)}, what, where);
}

Array randint(const Key& key, const Shape& shape, std::int64_t minval, std::int64_t maxval, DType dtype,
              std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::randint";
  switch (dtype) {
    case DType::i32: return randint_typed<std::int32_t>(key, shape, minval, maxval, offset, what, where, true);
    case DType::u32: return randint_typed<std::uint32_t>(key, shape, minval, maxval, offset, what, where, true);
    case DType::i64: return randint_typed<std::int64_t>(key, shape, minval, maxval, offset, what, where, true);
    case DType::u64: return randint_typed<std::uint64_t>(key, shape, minval, maxval, offset, what, where, true);
    default: break;
  }
  throw DTypeError(std::string(what) + ": argument 'dtype' must be int32, uint32, int64 or uint64, got " +
                   dtype_name(dtype));
}

Array exponential(const Key& key, const Shape& shape, DType dtype, std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::exponential";
  require_float(dtype, what);
  if (dtype == DType::f32) return draw_elementwise<float>(key, shape, offset, Exponential<float>{}, what, where);
  return draw_elementwise<double>(key, shape, offset, Exponential<double>{}, what, where);
}

Array gamma(const Key& key, double a, const Shape& shape, DType dtype, std::uint64_t offset, Where where) {
  constexpr const char* what = "pure::random::gamma";
  require_float(dtype, what);
  const bool f32 = dtype == DType::f32;
  const double a_t = f32 ? static_cast<double>(static_cast<float>(a)) : a;
  if (!(std::isfinite(a_t) && a_t > 0.0)) {
    throw ValueError(std::string(what) + ": needs a finite shape parameter a > 0 (in " + dtype_name(dtype) +
                     "), got a=" + num(a));
  }
  if (f32) return draw_splitting<float>(key, shape, offset, Gamma<float>{static_cast<float>(a)}, what, where);
  return draw_splitting<double>(key, shape, offset, Gamma<double>{a}, what, where);
}

Array permutation(const Key& key, std::int64_t n, Where where) {
  constexpr const char* what = "pure::random::permutation";
  check_permutation_size(n, what, "n");
  detail::consume(key, 0, detail::kWholeKey, what, where);
  return from_host(permutation_indices(key, n));
}

Array permutation(const Key& key, const Array& x, Where where) {
  constexpr const char* what = "pure::random::permutation";
  if (!x.valid()) throw ValueError(std::string(what) + ": argument 'x' is an empty (default-constructed) Array()");
  if (x.rank() < 1) {
    throw ShapeError(std::string(what) + ": argument 'x' must be an array of rank >= 1, got shape " + x.shape().str() +
                     " (use permutation(key, n) for a range)");
  }
  const std::int64_t n = x.shape()[0];
  check_permutation_size(n, what, "x.shape[0]");
  detail::consume(key, 0, detail::kWholeKey, what, where);
  const Array rows = from_host(permutation_indices(key, n));
  Array out = Array::allocate(x.shape(), x.dtype(), what);
  const std::int64_t row_size = n == 0 ? 1 : x.size() / n;
  if (x.size() == 0) return out;
  // Rows move as raw elements of the dtype's width: one kernel per width, not per dtype.
  const ConstView<std::int32_t> order = rows.view<std::int32_t>(what);
  switch (dtype_size(x.dtype())) {
    case 1: gather_rows<std::uint8_t>(x, out, order, row_size, what); break;
    case 4: gather_rows<std::uint32_t>(x, out, order, row_size, what); break;
    default: gather_rows<std::uint64_t>(x, out, order, row_size, what); break;
  }
  return out;
}

Array choice(const Key& key, std::int64_t n, const Shape& shape, bool replace, const Array& p, Where where) {
  constexpr const char* what = "pure::random::choice";
  if (n <= 0 || n > std::numeric_limits<std::int32_t>::max()) {
    throw ValueError(std::string(what) + ": argument 'n' (population size) must be in [1, 2^31 - 1], got " +
                     std::to_string(n));
  }
  const std::int64_t draws = shape.size();
  if (!replace && draws > n) {
    throw ValueError(std::string(what) + ": cannot take " + std::to_string(draws) + " samples (shape " + shape.str() +
                     ") from a population of n=" + std::to_string(n) + " with replace=false");
  }
  if (p.valid()) {
    require_float(p.dtype(), what, "p");
    if (p.rank() != 1 || p.size() != n) {
      throw ShapeError(std::string(what) + ": argument 'p' must be a 1-D array of n=" + std::to_string(n) +
                       " probabilities, got shape " + p.shape().str());
    }
    if (p.dtype() == DType::f32) return choice_with_p<float>(key, n, shape, replace, p, what, where);
    return choice_with_p<double>(key, n, shape, replace, p, what, where);
  }
  detail::consume(key, 0, detail::kWholeKey, what, where);
  if (replace) return randint_typed<std::int32_t>(key, shape, 0, n, 0, what, where, false);
  std::vector<std::int32_t> perm = permutation_indices(key, n);
  perm.resize(static_cast<std::size_t>(draws));
  return from_host(perm, shape);
}

Array categorical(const Key& key, const Array& logits, int axis, Where where) {
  constexpr const char* what = "pure::random::categorical";
  if (!logits.valid()) {
    throw ValueError(std::string(what) + ": argument 'logits' is an empty (default-constructed) Array()");
  }
  if (logits.rank() < 1) {
    throw ShapeError(std::string(what) + ": argument 'logits' must have rank >= 1, got shape " + logits.shape().str());
  }
  require_float(logits.dtype(), what, "logits");
  const int rank = logits.rank();
  if (axis < -rank || axis >= rank) {
    throw ValueError(std::string(what) + ": argument 'axis' " + std::to_string(axis) +
                     " is out of range for logits of shape " + logits.shape().str());
  }
  const int ax = axis < 0 ? axis + rank : axis;
  if (logits.shape()[ax] == 0) {
    throw ShapeError(std::string(what) + ": argument 'logits' of shape " + logits.shape().str() +
                     " has no categories along axis " + std::to_string(axis));
  }
  std::vector<std::int64_t> out_dims;
  for (int d = 0; d < rank; ++d) {
    if (d != ax) out_dims.push_back(logits.shape()[d]);
  }
  const Shape out_shape(out_dims);
  // Validated before the key is marked used, so a rejected call leaves the key fresh.
  if (logits.dtype() == DType::f32) {
    check_logits<float>(logits, ax, out_shape, what);
  } else {
    check_logits<double>(logits, ax, out_shape, what);
  }
  detail::consume(key, 0, detail::kWholeKey, what, where);
  if (logits.dtype() == DType::f32) return categorical_typed<float>(key, logits, ax, out_shape, what);
  return categorical_typed<double>(key, logits, ax, out_shape, what);
}

}  // namespace pure::random
