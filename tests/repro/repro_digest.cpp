// pure_repro_digest: computes a battery of results through pure's public API
// that must be the same bits for any thread count and any backend, and prints
// one line per item:
//
//   <name> <16 hex digits: FNV-1a 64 of the raw bytes> <shape> <dtype>
//
// e.g. "normal_f32_1000x257 8c0f5a1e2d3b4c5d [1000,257] float32". Lines that
// start with '#' are comments (which backend and how many threads ran; they
// differ between runs by design) and are not part of the comparison.
//
// Usage: pure_repro_digest [--out FILE] [Kokkos options]
//   --out FILE  also write the lines (comments included) to FILE
// Kokkos options (--kokkos-threads=N, ...) are taken by Kokkos::initialize.
// OMP_NUM_THREADS chooses the OpenMP thread count.
//
// Compared by tests/repro/compare_digests.cmake across OMP_NUM_THREADS (ctest
// repro_digest_across_threads) and by scripts/gpu-check between a CUDA and a
// CPU build. Every item has a fixed key (fold_in of one root key by item
// number), so a run is deterministic and never reuses a key (it runs clean
// under PURE_DEBUG_KEY_REUSE=1). Sizes are chosen so that OpenMP splits every
// kernel over threads (>= 1e5 elements, matrices in the hundreds), with a few
// odd sizes so chunk boundaries fall differently for each thread count.
//
// Not covered on purpose: sin, cos, atan2 and pow (backend math library, no
// cross-backend claim; docs/reproducibility.md), the opt-in fast matmul.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <pure/pure.hpp>

namespace pr = pure::random;
using pure::Array;
using pure::DType;
using pure::Shape;

// ---------------------------------------------------------------- hashing

namespace {

std::uint64_t fnv1a64(const void* data, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hex16(std::uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string shape_text(const Shape& s) {
  std::string out = "[";
  for (int d = 0; d < s.rank(); ++d) {
    if (d) out += ",";
    out += std::to_string(s[d]);
  }
  return out + "]";
}

/// The array's raw bytes as they are in memory, copied to the host.
std::uint64_t hash_array(const Array& a) {
  if (a.dtype() == DType::boolean) {
    const std::vector<std::uint8_t> v = pure::to_host_bool(a);
    return fnv1a64(v.data(), v.size());
  }
  return pure::visit_dtype(a.dtype(), [&](auto zero) -> std::uint64_t {
    using T = decltype(zero);
    (void)zero;
    if constexpr (std::is_same<T, bool>::value) {
      return 0;  // not reached: booleans are handled above
    } else {
      const std::vector<T> v = a.to_host<T>();
      return fnv1a64(v.data(), v.size() * sizeof(T));
    }
  });
}

/// Prints each line as soon as it is known (stdout, and the --out file), so a
/// run that fails part-way shows how far it got.
class Digest {
 public:
  explicit Digest(std::ostream* file) : file_(file) {}
  void comment(const std::string& line) { emit("# " + line); }
  void add(const std::string& name, const Array& a) {
    emit(name + " " + hex16(hash_array(a)) + " " + shape_text(a.shape()) + " " + pure::dtype_name(a.dtype()));
  }
  /// A device View filled by a user kernel: hashed like an Array of the same dtype.
  template <class T>
  void add_view(const std::string& name, const Kokkos::View<T*, pure::MemorySpace>& v, const Shape& shape) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
    emit(name + " " + hex16(fnv1a64(h.data(), h.size() * sizeof(T))) + " " + shape_text(shape) + " " +
         pure::dtype_name(pure::dtype_of<T>()));
  }
  std::size_t items() const { return items_; }

 private:
  void emit(const std::string& line) {
    if (line[0] != '#') ++items_;
    std::cout << line << "\n" << std::flush;
    if (file_) *file_ << line << "\n";
  }
  std::ostream* file_;
  std::size_t items_ = 0;
};

// ---------------------------------------------------------------- user kernels (device API)

// Functors rather than lambdas, so the tool compiles unchanged with nvcc.
struct DeviceDraws {
  pr::Key key;
  std::int64_t cols;
  Kokkos::View<float*, pure::MemorySpace> normal32, uniform32, trunc32;
  Kokkos::View<double*, pure::MemorySpace> normal64, uniform64, expo64;
  Kokkos::View<std::uint32_t*, pure::MemorySpace> bits32;
  Kokkos::View<std::uint64_t*, pure::MemorySpace> bits64;
  Kokkos::View<std::int32_t*, pure::MemorySpace> randint32, bern;
  // A 2-D index space: element (r, c) is draw r * cols + c, whatever the tiling.
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t r, std::int64_t c) const {
    const std::int64_t i = r * cols + c;
    const auto u = static_cast<std::uint64_t>(i);
    normal32(i) = pr::normal_at<float>(key, u);
    normal64(i) = pr::normal_at<double>(key, u);
    uniform32(i) = pr::uniform_at<float>(key, u, -2.0f, 3.0f);
    uniform64(i) = pr::uniform_at<double>(key, u);
    trunc32(i) = pr::truncated_normal_at<float>(key, u, -1.5f, 2.0f);
    expo64(i) = pr::exponential_at<double>(key, u);
    bits32(i) = pr::bits_at(key, u);
    bits64(i) = pr::bits64_at(key, u);
    randint32(i) = pr::randint_at<std::int32_t>(key, u, -1000, 1000);
    bern(i) = pr::bernoulli_at<float>(key, u, 0.3f) ? 1 : 0;
  }
};

/// One key per step and particle, as a simulation would (fold_in inside the kernel).
struct DeviceFoldIn {
  pr::Key key;
  std::int64_t particles;
  Kokkos::View<double*, pure::MemorySpace> out;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t step = i / particles;
    const pr::Key k = pr::fold_in(key, static_cast<std::uint32_t>(step));
    out(i) = pr::normal_at<double>(k, static_cast<std::uint64_t>(i - step * particles));
  }
};

}  // namespace

// ---------------------------------------------------------------- the battery

// The parameters of grad_items' MLP: a tree, found by PURE_TREE's ADL in this namespace.
struct ReproMlp {
  Array w1, b1, w2, b2;
};
PURE_TREE(ReproMlp, w1, b1, w2, b2)

namespace {

void random_items(Digest& d, const pr::Key& root) {
  std::uint32_t n = 0;  // item counter: one fresh key per draw
  auto next = [&] { return pr::fold_in(root, n++); };
  const Shape big{1000, 257};  // 257000 elements, an odd row length
  const Shape odd{10007};      // chunk boundaries differ per thread count

  d.add("bits_u32_1000x257", pr::bits(next(), big, DType::u32));
  d.add("bits_u64_1000x257", pr::bits(next(), big, DType::u64));
  d.add("bits_u32_10007", pr::bits(next(), odd, DType::u32));
  for (DType t : {DType::f32, DType::f64}) {
    const std::string s = t == DType::f32 ? "f32" : "f64";
    d.add("uniform_" + s + "_1000x257", pr::uniform(next(), big, t));
    d.add("uniform_ab_" + s + "_10007", pr::uniform(next(), odd, t, -3.0, 7.5));
    d.add("normal_" + s + "_1000x257", pr::normal(next(), big, t));
    d.add("normal_" + s + "_10007", pr::normal(next(), odd, t));
    d.add("normal_offset_" + s + "_10007", pr::normal(next(), odd, t, 123456));
    d.add("truncated_normal_" + s + "_1000x257", pr::truncated_normal(next(), -1.0, 2.5, big, t));
    d.add("exponential_" + s + "_1000x257", pr::exponential(next(), big, t));
    d.add("gamma_a0.3_" + s + "_50000", pr::gamma(next(), 0.3, {50000}, t));
    d.add("gamma_a2.5_" + s + "_50000", pr::gamma(next(), 2.5, {50000}, t));
  }
  d.add("randint_i32_1000x257", pr::randint(next(), big, -5, 1000003, DType::i32));
  d.add("randint_i64_100000",
        pr::randint(next(), {100000}, -(std::int64_t{1} << 40), std::int64_t{1} << 41, DType::i64));
  d.add("bernoulli_1000x257", pr::bernoulli(next(), 0.37, big));
  d.add("permutation_100003", pr::permutation(next(), 100003));
  d.add("permutation_rows_3000x40",
        pr::permutation(next(), pure::reshape(pure::arange(120000, DType::i32), {3000, 40})));
  d.add("choice_replace_100000", pr::choice(next(), 5000, {100000}));
  d.add("choice_no_replace_2000", pr::choice(next(), 100000, {2000}, false));
  {
    const Array p = pr::uniform(next(), {1000}, DType::f32);
    d.add("choice_p_replace_100000", pr::choice(next(), 1000, {100000}, true, p));
    d.add("choice_p_no_replace_500", pr::choice(next(), 1000, {500}, false, p));
  }
  for (DType t : {DType::f32, DType::f64}) {
    const std::string s = t == DType::f32 ? "f32" : "f64";
    const Array logits = pr::normal(next(), {2000, 100}, t);
    d.add("categorical_last_" + s + "_2000x100", pr::categorical(next(), logits));
    d.add("categorical_axis0_" + s + "_2000x100", pr::categorical(next(), logits, 0));
  }
  d.add("split_array_100000", pr::split_array(next(), 100000));

  // philox keys take their own paths through every sampler.
  const pr::Key ph = pr::key(20240601, pr::Impl::philox);
  std::uint32_t m = 0;
  auto pnext = [&] { return pr::fold_in(ph, m++); };
  d.add("philox_bits_u32_1000x257", pr::bits(pnext(), big, DType::u32));
  d.add("philox_bits_u64_10007", pr::bits(pnext(), odd, DType::u64));
  d.add("philox_uniform_f32_1000x257", pr::uniform(pnext(), big, DType::f32));
  d.add("philox_normal_f64_1000x257", pr::normal(pnext(), big, DType::f64));
  d.add("philox_normal_f32_10007_offset3", pr::normal(pnext(), odd, DType::f32, 3));
  d.add("philox_randint_i32_100000", pr::randint(pnext(), {100000}, 0, 97, DType::i32));
  d.add("philox_gamma_f32_50000", pr::gamma(pnext(), 1.7, {50000}, DType::f32));
  d.add("philox_split_array_50000", pr::split_array(pnext(), 50000));
}

void device_items(Digest& d, const pr::Key& root) {
  const std::int64_t rows = 401, cols = 263;  // 105463 elements
  const auto n = static_cast<std::size_t>(rows * cols);
  const Shape shape{rows, cols};
  auto vf = [&](const char* l) { return Kokkos::View<float*, pure::MemorySpace>(std::string(l), n); };
  auto vd = [&](const char* l) { return Kokkos::View<double*, pure::MemorySpace>(std::string(l), n); };
  auto vi = [&](const char* l) { return Kokkos::View<std::int32_t*, pure::MemorySpace>(std::string(l), n); };
  DeviceDraws k{pr::fold_in(root, 1),
                cols,
                vf("normal32"),
                vf("uniform32"),
                vf("trunc32"),
                vd("normal64"),
                vd("uniform64"),
                vd("expo64"),
                Kokkos::View<std::uint32_t*, pure::MemorySpace>("bits32", n),
                Kokkos::View<std::uint64_t*, pure::MemorySpace>("bits64", n),
                vi("randint32"),
                vi("bern")};
  using MD = Kokkos::MDRangePolicy<pure::ExecutionSpace, Kokkos::Rank<2>, Kokkos::IndexType<std::int64_t>>;
  Kokkos::parallel_for("pure_repro_digest::device_draws", MD({0, 0}, {rows, cols}, {7, 33}), k);
  d.add_view("device_normal_at_f32", k.normal32, shape);
  d.add_view("device_normal_at_f64", k.normal64, shape);
  d.add_view("device_uniform_at_ab_f32", k.uniform32, shape);
  d.add_view("device_uniform_at_f64", k.uniform64, shape);
  d.add_view("device_truncated_normal_at_f32", k.trunc32, shape);
  d.add_view("device_exponential_at_f64", k.expo64, shape);
  d.add_view("device_bits_at_u32", k.bits32, shape);
  d.add_view("device_bits64_at_u64", k.bits64, shape);
  d.add_view("device_randint_at_i32", k.randint32, shape);
  d.add_view("device_bernoulli_at_as_i32", k.bern, shape);

  const std::int64_t particles = 1001, steps = 100;
  DeviceFoldIn f{pr::fold_in(root, 2), particles,
                 Kokkos::View<double*, pure::MemorySpace>("foldin", static_cast<std::size_t>(particles * steps))};
  Kokkos::parallel_for("pure_repro_digest::device_fold_in",
                       Kokkos::RangePolicy<pure::ExecutionSpace, Kokkos::IndexType<std::int64_t>>(0, particles * steps),
                       f);
  d.add_view("device_fold_in_normal_at_f64", f.out, Shape{steps, particles});
}

void reduction_items(Digest& d, const pr::Key& root) {
  std::uint32_t n = 0;
  auto next = [&] { return pr::fold_in(root, n++); };
  for (DType t : {DType::f32, DType::f64}) {
    const std::string s = t == DType::f32 ? "f32" : "f64";
    const Array x = pr::normal(next(), {613, 509}, t);  // 312017 elements
    d.add("sum_all_" + s, pure::sum(x));
    d.add("sum_axis1_contiguous_" + s, pure::sum(x, {1}));
    d.add("sum_axis0_strided_" + s, pure::sum(x, {0}));
    d.add("max_axis1_" + s, pure::max(x, {1}));
    d.add("max_axis0_" + s, pure::max(x, {0}));
    d.add("min_all_" + s, pure::min(x));
    d.add("min_axis0_" + s, pure::min(x, {0}));
    d.add("argmax_axis1_" + s, pure::argmax(x, 1));
    d.add("argmax_axis0_" + s, pure::argmax(x, 0));
    d.add("argmin_axis0_" + s, pure::argmin(x, 0));
    d.add("mean_axis0_" + s, pure::mean(x, {0}));
    d.add("mean_all_" + s, pure::mean(x));
    d.add("var_axis1_" + s, pure::var(x, {1}));
    d.add("logsumexp_axis1_" + s, pure::logsumexp(x, {1}));
    d.add("logsumexp_axis0_" + s, pure::logsumexp(x, {0}));
    d.add("softmax_axis1_" + s, pure::softmax(x, 1));
    d.add("norm_all_" + s, pure::norm(x));
    d.add("cumsum_axis1_" + s, pure::cumsum(x, 1));
    d.add("cumsum_axis0_" + s, pure::cumsum(x, 0));
    d.add("cumsum_flat_" + s, pure::cumsum(pure::reshape(x, {613 * 509})));
    d.add("cumsum_reverse_axis1_" + s, pure::lax::cumsum(x, 1, true));
    const Array x3 = pure::reshape(x, {613, 1, 509});
    d.add("sum_axes02_3d_" + s, pure::sum(x3, {0, 2}));
    // One long reduction: several levels of the canonical tree.
    const Array big = pr::uniform(next(), {1000003}, t);
    d.add("sum_1000003_" + s, pure::sum(big));
    d.add("reduce_max_1000003_" + s, pure::lax::reduce_max(big, {0}));
  }
  const Array ints = pr::randint(next(), {700, 300}, -1000, 1000, DType::i32);
  d.add("sum_axis0_i32", pure::sum(ints, {0}));
  d.add("cumsum_axis1_i32", pure::cumsum(ints, 1));
}

void dot_items(Digest& d, const pr::Key& root) {
  std::uint32_t n = 0;
  auto next = [&] { return pr::fold_in(root, n++); };
  using pure::lax::dot_general;
  for (DType t : {DType::f32, DType::f64}) {
    const std::string s = t == DType::f32 ? "f32" : "f64";
    const Array a = pr::normal(next(), {300, 200}, t);
    const Array b = pr::normal(next(), {200, 150}, t);
    d.add("matmul_300x200x150_" + s, pure::matmul(a, b));
    // Transposed layouts: contract over a's rows and/or b's columns.
    const Array at = pr::normal(next(), {200, 300}, t);
    const Array bt = pr::normal(next(), {150, 200}, t);
    d.add("dot_general_aT_b_" + s, dot_general(at, b, {{0}, {0}}));
    d.add("dot_general_a_bT_" + s, dot_general(a, bt, {{1}, {1}}));
    d.add("dot_general_aT_bT_" + s, dot_general(at, bt, {{0}, {1}}));
    d.add("matmul_transpose_" + s, pure::matmul(pure::transpose(at), pure::transpose(bt)));
    // Batched: [8, 64, 96] x [8, 96, 72], and batch dims not in front.
    const Array x = pr::normal(next(), {8, 64, 96}, t);
    const Array y = pr::normal(next(), {8, 96, 72}, t);
    d.add("matmul_batched_8x64x96x72_" + s, pure::matmul(x, y));
    const Array yb = pr::normal(next(), {72, 96, 8}, t);
    d.add("dot_general_batch_last_" + s, dot_general(x, yb, {{2}, {1}}, {{0}, {2}}));
    // Long contraction (several 256-blocks) and matrix-vector.
    const Array l = pr::normal(next(), {40, 5000}, t);
    const Array r = pr::normal(next(), {5000, 30}, t);
    d.add("matmul_long_k_40x5000x30_" + s, pure::matmul(l, r));
    const Array v = pr::normal(next(), {200}, t);
    d.add("matvec_300x200_" + s, pure::matmul(a, v));
    d.add("dot_vec_5000_" + s, pure::dot(pure::reshape(pure::lax::slice(l, {0, 0}, {1, 5000}), {5000}),
                                         pure::reshape(pure::lax::slice(l, {1, 0}, {2, 5000}), {5000})));
  }
}

void elementwise_items(Digest& d, const pr::Key& root) {
  std::uint32_t n = 0;
  auto next = [&] { return pr::fold_in(root, n++); };
  for (DType t : {DType::f32, DType::f64}) {
    const std::string s = t == DType::f32 ? "f32" : "f64";
    const Array x = pr::uniform(next(), {200003}, t, -6.0, 6.0);
    const Array pos = pr::uniform(next(), {200003}, t, 1e-6, 50.0);
    d.add("exp_" + s, pure::exp(x));
    d.add("log_" + s, pure::log(pos));
    d.add("log1p_" + s, pure::log1p(pos));
    d.add("expm1_" + s, pure::expm1(x));
    d.add("tanh_" + s, pure::tanh(x));
    d.add("sigmoid_" + s, pure::sigmoid(x));
    d.add("erf_" + s, pure::erf(x));
    d.add("sqrt_" + s, pure::sqrt(pos));
    d.add("rsqrt_" + s, pure::lax::rsqrt(pos));
    d.add("integer_pow3_" + s, pure::lax::integer_pow(x, 3));
    d.add("arith_mix_" + s, (x * pos - 2.5 * x) / (pos + 1.0));
    d.add("where_clip_" + s, pure::where(x > pure::scalar_like(x, 0.0), pure::clip(x, -1.0, 2.0), pure::abs(x)));
    d.add("broadcast_add_" + s, pure::reshape(x, {200003, 1}) + pure::reshape(pure::arange(0.0, 3.0, 1.0, t), {1, 3}));
    d.add("astype_" + s + "_to_i32", pure::astype(x * 1000.0, DType::i32));
    d.add("floor_sign_" + s, pure::floor(x) * pure::sign(x));
  }
  const Array a = pr::uniform(next(), {200003}, DType::f32, -3.0, 3.0);
  d.add("astype_f32_to_f64", pure::astype(a, DType::f64));
  d.add("compare_lt_bool", pure::less(a, pure::scalar_like(a, 0.25)));
}

void structural_items(Digest& d, const pr::Key& root) {
  std::uint32_t n = 0;
  auto next = [&] { return pr::fold_in(root, n++); };
  const Array x = pr::normal(next(), {300, 411}, DType::f64);
  d.add("transpose_2d_f64", pure::transpose(x));
  const Array y = pr::normal(next(), {40, 50, 61}, DType::f32);
  d.add("transpose_3d_201_f32", pure::transpose(y, {2, 0, 1}));
  d.add("transpose_3d_120_f32", pure::transpose(y, {1, 2, 0}));
  const Array idx = pr::randint(next(), {50000}, 0, 300, DType::i32);
  d.add("take_rows_f64", pure::take(x, idx, 0));
  const Array idx_cols = pr::randint(next(), {300, 97}, 0, 411, DType::i32);
  d.add("take_along_axis1_f64", pure::take_along_axis(x, idx_cols, 1));
  d.add("take_axis1_f32", pure::take(y, pr::randint(next(), {500}, 0, 50, DType::i32), 1));
  d.add("gather_axis1_f32", pure::lax::gather(y, pr::randint(next(), {40, 100, 61}, 0, 50, DType::i32), 1));
  const Array upd = pr::normal(next(), {50000, 24}, DType::f64);
  d.add("scatter_add_rows_f64",
        pure::lax::scatter_add(pure::zeros({300, 24}, DType::f64), pure::reshape(idx, {50000, 1}), upd, 0));
  d.add("slice_strided_f64", pure::lax::slice(x, {1, 2}, {299, 409}, {3, 2}));
  d.add("pad_f32", pure::pad(y, {{1, 2}, {0, 3}, {4, 0}}, -1.5));
  d.add("concatenate_f64", pure::concatenate({x, pure::transpose(pure::lax::slice(x, {0, 0}, {300, 300}))}, 1));
  d.add("broadcasted_iota_i32", pure::lax::broadcasted_iota(DType::i32, {300, 411}, 1));
}

void grad_items(Digest& d, const pr::Key& root) {
  std::uint32_t n = 0;
  auto next = [&] { return pr::fold_in(root, n++); };
  for (DType t : {DType::f32, DType::f64}) {
    const std::string s = t == DType::f32 ? "f32" : "f64";
    const std::int64_t batch = 512, in = 64, hidden = 128, out = 10;
    ReproMlp p{pr::normal(next(), {in, hidden}, t) * 0.125, pr::normal(next(), {hidden}, t) * 0.1,
               pr::normal(next(), {hidden, out}, t) * 0.09, pure::zeros({out}, t)};
    const Array x = pr::normal(next(), {batch, in}, t);
    const Array labels = pr::randint(next(), {batch}, 0, out, DType::i32);
    // Softmax cross-entropy of a tanh MLP; the labels pick log-probabilities by take_along_axis.
    auto loss = [labels](const ReproMlp& q, const Array& xs) {
      const Array h = pure::tanh(pure::matmul(xs, q.w1) + q.b1);
      const Array logits = pure::matmul(h, q.w2) + q.b2;
      const Array logp = logits - pure::logsumexp(logits, {1}, true);
      const Array picked = pure::take_along_axis(logp, pure::reshape(labels, {labels.size(), 1}), 1);
      return -pure::mean(picked);
    };
    auto [value, g] = pure::value_and_grad(loss)(p, x);
    d.add("mlp_loss_" + s, value);
    d.add("mlp_grad_w1_" + s, g.w1);
    d.add("mlp_grad_b1_" + s, g.b1);
    d.add("mlp_grad_w2_" + s, g.w2);
    d.add("mlp_grad_b2_" + s, g.b2);
    // grad with respect to the input as well (a different reverse path), and grad of grad.
    d.add("mlp_grad_x_" + s, pure::grad<1>(loss)(p, x));
    auto energy = [](const Array& r) { return pure::sum(pure::exp(-pure::square(r)) * pure::log1p(r * r)); };
    auto force_norm = [energy](const Array& r) { return pure::sum(pure::square(pure::grad(energy)(r))); };
    d.add("grad_of_grad_" + s, pure::grad(force_norm)(pr::normal(next(), {100003}, t)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);  // Kokkos takes its --kokkos-* options out of argv
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) {
      out_path = argv[++i];
    } else if (a.rfind("--out=", 0) == 0) {
      out_path = a.substr(6);
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: pure_repro_digest [--out FILE] [--kokkos-threads=N ...]\n"
                   "Prints '<name> <16-hex FNV-1a 64 of the raw bytes> <shape> <dtype>' per item;\n"
                   "'#' lines say which backend ran and are not compared.\n";
      return 0;
    } else {
      std::cerr << "pure_repro_digest: unknown argument '" << a << "' (see --help)\n";
      return 2;
    }
  }
  std::ofstream file;
  if (!out_path.empty()) {
    file.open(out_path);
    if (!file) {
      std::cerr << "pure_repro_digest: cannot write '" << out_path << "'\n";
      return 1;
    }
  }
  int status = 0;
  try {
    Digest d(file.is_open() ? &file : nullptr);
    {
      std::ostringstream h;
      h << "pure_repro_digest: Kokkos " << KOKKOS_VERSION / 10000 << "." << KOKKOS_VERSION / 100 % 100 << "."
        << KOKKOS_VERSION % 100 << ", execution space " << pure::ExecutionSpace::name() << ", concurrency "
        << pure::ExecutionSpace().concurrency() << ", host SIMD " << pure::host_simd_name(pure::host_simd());
      d.comment(h.str());
    }
    const pr::Key root = pr::key(20240519);
    random_items(d, pr::fold_in(root, 0));
    device_items(d, pr::fold_in(root, 1));
    reduction_items(d, pr::fold_in(root, 2));
    dot_items(d, pr::fold_in(root, 3));
    elementwise_items(d, pr::fold_in(root, 4));
    structural_items(d, pr::fold_in(root, 5));
    grad_items(d, pr::fold_in(root, 6));
    std::cerr << "pure_repro_digest: " << d.items() << " items\n";
  } catch (const std::exception& e) {
    std::cerr << "pure_repro_digest: " << e.what() << "\n";
    status = 1;
  }
  if (file.is_open() && !file.flush()) {
    std::cerr << "pure_repro_digest: writing '" << out_path << "' failed\n";
    status = 1;
  }
  return status;
}
