// The reproducible matrix product of gemm.hpp: one summation order per output
// element (sequential in t, one fma per term) on every path below.
//
// Host execution spaces: the GotoBLAS/BLIS loop nest (K. Goto and R. van de
// Geijn, "Anatomy of high-performance matrix multiplication", ACM TOMS 34(3),
// 2008; F. Van Zee and R. van de Geijn, "BLIS", ACM TOMS 41(3), 2015):
//   for jc over n by NC:
//     for pc over k by KC:   pack y[jc.., pc..] into B: KC x NC, in NR-column micro-panels
//       for ic over m by MC: pack x[ic.., pc..] into A: MC x KC, in MR-row micro-panels
//         for jr by NR, ir by MR: micro-kernel on the MR x NR tile of out
// A's block is sized for L2, B's micro-panel for L1. The micro-kernel keeps the
// tile in vector registers; per t it loads NR values of B (whole vectors),
// broadcasts MR values of A and does one fma per (row, vector). Lanes are
// output columns, never terms of a sum, and the pc > 0 blocks reload the tile
// and continue it: blocking changes nothing in any element's order.
//
// The micro-kernel is compiled per HostSimd level (GCC/Clang target
// attributes, as core/host_simd_for.hpp): AVX2+FMA and AVX-512 with
// intrinsics, and a portable loop with std::fma for baseline x86-64 (no FMA
// instruction: libm's correctly rounded fma, same bits, slow) and integers.
// Work items are (batch, row part, column part) blocks of out, spread over
// threads with Kokkos::parallel_for; each thread packs into its own buffers.
// Narrow products (out at most kNarrow wide on one side: matrix times vector)
// skip the packing and vectorise across the long side's rows (narrow_avx2).
//
// Device execution spaces: a tiled team kernel (TiledGemm), one output element
// per thread, with the same loop over t.
#include "gemm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <new>
#include <type_traits>

#include <pure/core/error.hpp>
#include <pure/core/host_simd.hpp>

#include "core/host_simd_for.hpp"

#if PURE_HOST_SIMD_X86
#include <immintrin.h>
#define PURE_GEMM_AVX2 __attribute__((target("avx2,fma")))
#define PURE_GEMM_AVX2_INLINE __attribute__((target("avx2,fma"), always_inline)) inline
#define PURE_GEMM_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
#define PURE_GEMM_AVX512_INLINE __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma"), always_inline)) inline
#endif

// Unroll hints for GCC and Clang. nvcc's front end does not know "GCC unroll"
// (warning #1675-D), and in CUDA builds the host kernels are not used.
#define PURE_GEMM_PRAGMA(x) _Pragma(#x)
#if defined(__NVCC__)
#define PURE_GEMM_UNROLL(n)
#else
#define PURE_GEMM_UNROLL(n) PURE_GEMM_PRAGMA(GCC unroll n)
#endif

namespace pure::ops::detail {
namespace {

// ---------------------------------------------------------------- the one step

KOKKOS_INLINE_FUNCTION float fused_multiply_add(float a, float b, float c) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  return ::fmaf(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
KOKKOS_INLINE_FUNCTION double fused_multiply_add(double a, double b, double c) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  return ::fma(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

/// acc + a * b: rounded once for floats, wrapping (unsigned arithmetic) for integers.
template <class T>
KOKKOS_INLINE_FUNCTION T multiply_add(T a, T b, T acc) {
  if constexpr (std::is_floating_point<T>::value) {
    return fused_multiply_add(a, b, acc);
  } else {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(acc) + static_cast<U>(a) * static_cast<U>(b));
  }
}

// ---------------------------------------------------------------- tuning hooks

std::mutex& tuning_mutex() {
  static std::mutex m;
  return m;
}
GemmTuning& tuning_slot() {
  static GemmTuning t;
  return t;
}

// ---------------------------------------------------------------- device kernel

// One team per kTile x kTile block of out; the block's rows of x and columns
// of y pass through team scratch kDepth terms at a time, and each output
// element's accumulator continues from slab to slab in t order.
template <class T>
struct TiledGemm {
  static constexpr int kTile = 16, kDepth = 16;
  using Member = Kokkos::TeamPolicy<ExecutionSpace>::member_type;
  using Scratch = Kokkos::View<T*, ExecutionSpace::scratch_memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

  GemmOperand<T> x, y;
  T* out;
  std::int64_t m, n, k, tiles_m, tiles_n;

  static std::size_t scratch_bytes() {
    return 2 * Scratch::shmem_size(kTile * kDepth) + Scratch::shmem_size(kTile * kTile);
  }

  KOKKOS_INLINE_FUNCTION void operator()(const Member& team) const {
    const std::int64_t tile = team.league_rank();
    const std::int64_t b = tile / (tiles_m * tiles_n);
    const std::int64_t i0 = tile / tiles_n % tiles_m * kTile, j0 = tile % tiles_n * kTile;
    const T* xb = x.data + x.batch(b);
    const T* yb = y.data + y.batch(b);
    const Scratch xs(team.team_scratch(0), kTile * kDepth);  // xs(r * kDepth + t) = x[b, i0 + r, t0 + t]
    const Scratch ys(team.team_scratch(0), kTile * kDepth);  // ys(c * kDepth + t) = y[b, j0 + c, t0 + t]
    const Scratch acc(team.team_scratch(0), kTile * kTile);
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, kTile * kTile), [&](int e) { acc(e) = T(0); });
    for (std::int64_t t0 = 0; t0 < k; t0 += kDepth) {
      const int depth = static_cast<int>(k - t0 < kDepth ? k - t0 : kDepth);
      team.team_barrier();
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, kTile * kDepth), [&](int e) {
        const int r = e / kDepth, t = e % kDepth;
        const bool in_k = t < depth;
        xs(e) = in_k && i0 + r < m ? xb[(i0 + r) * x.row_stride + (t0 + t) * x.k_stride] : T(0);
        ys(e) = in_k && j0 + r < n ? yb[(j0 + r) * y.row_stride + (t0 + t) * y.k_stride] : T(0);
      });
      team.team_barrier();
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, kTile * kTile), [&](int e) {
        const int r = e / kTile, c = e % kTile;
        T s = acc(e);
        for (int t = 0; t < depth; ++t) s = multiply_add(xs(r * kDepth + t), ys(c * kDepth + t), s);
        acc(e) = s;
      });
    }
    team.team_barrier();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, kTile * kTile), [&](int e) {
      const std::int64_t i = i0 + e / kTile, j = j0 + e % kTile;
      if (i < m && j < n) out[(b * m + i) * n + j] = acc(e);
    });
  }
};

template <class T>
void run_tiled(const GemmOperand<T>& x, const GemmOperand<T>& y, T* out, std::int64_t batches, std::int64_t m,
               std::int64_t n, std::int64_t k) {
  using Kernel = TiledGemm<T>;
  const std::int64_t tiles_m = (m + Kernel::kTile - 1) / Kernel::kTile,
                     tiles_n = (n + Kernel::kTile - 1) / Kernel::kTile;
  const std::int64_t league = batches * tiles_m * tiles_n;
  if (league > std::int64_t{0x7fffffff}) {
    throw ShapeError("pure::dot_general: " + std::to_string(league) + " output tiles exceed the device kernel's 2^31");
  }
  Kokkos::TeamPolicy<ExecutionSpace> policy(static_cast<int>(league), Kokkos::AUTO);
  policy.set_scratch_size(0, Kokkos::PerTeam(Kernel::scratch_bytes()));
  // Kokkos 3.4's Serial backend gives every team kernel the same process-wide
  // scratch buffer (serial_get_thread_team_data), so two host threads running
  // this kernel at once would overwrite each other's tiles: one at a time.
  // (Only the host-side `portable` tuning runs it on Serial; range kernels
  // keep no such state and need no lock.)
  std::unique_lock<std::mutex> serial_lock;
#ifdef KOKKOS_ENABLE_SERIAL
  if (std::is_same<ExecutionSpace, Kokkos::Serial>::value) {
    static std::mutex serial_team_mutex;
    serial_lock = std::unique_lock<std::mutex>(serial_team_mutex);
  }
#endif
  Kokkos::parallel_for("pure::dot_general::tiled", policy, Kernel{x, y, out, m, n, k, tiles_m, tiles_n});
}

template <class T>
struct Fill {
  T* out;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out[i] = T(0); }
};

// ---------------------------------------------------------------- host micro-kernels
// Each computes one MR x NR tile: c (row stride ldc) = (accumulate ? c : 0)
// continued by kc terms; a holds kc columns of MR values, b kc rows of NR values.

template <class T>
using MicroKernel = void (*)(std::int64_t kc, const T* a, const T* b, T* c, std::int64_t ldc, bool accumulate);
// Packs operand panels (see pack below).
template <class T>
using PackKernel = void (*)(const T* src, std::int64_t rs, std::int64_t ts, std::int64_t rows, std::int64_t kc, T* dst);

// Baseline and integers: plain loops; std::fma is libm's on CPUs without the instruction.
template <class T, int MR, int NR>
void micro_portable(std::int64_t kc, const T* a, const T* b, T* c, std::int64_t ldc, bool accumulate) {
  T acc[MR][NR];
  for (int r = 0; r < MR; ++r) {
    for (int j = 0; j < NR; ++j) acc[r][j] = accumulate ? c[r * ldc + j] : T(0);
  }
  for (std::int64_t t = 0; t < kc; ++t, a += MR, b += NR) {
    for (int r = 0; r < MR; ++r) {
      for (int j = 0; j < NR; ++j) acc[r][j] = multiply_add(a[r], b[j], acc[r][j]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    for (int j = 0; j < NR; ++j) c[r * ldc + j] = acc[r][j];
  }
}

#if PURE_HOST_SIMD_X86
// Vector operations per level. fmadd(a, b, c) is a * b + c with one rounding,
// lane by lane: the same operation as std::fma.
template <class T>
struct Avx2;
template <>
struct Avx2<float> {
  using V = __m256;
  static constexpr int kLanes = 8;
  PURE_GEMM_AVX2_INLINE static V zero() { return _mm256_setzero_ps(); }
  PURE_GEMM_AVX2_INLINE static V load(const float* p) { return _mm256_loadu_ps(p); }
  PURE_GEMM_AVX2_INLINE static V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  PURE_GEMM_AVX2_INLINE static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  PURE_GEMM_AVX2_INLINE static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
};
template <>
struct Avx2<double> {
  using V = __m256d;
  static constexpr int kLanes = 4;
  PURE_GEMM_AVX2_INLINE static V zero() { return _mm256_setzero_pd(); }
  PURE_GEMM_AVX2_INLINE static V load(const double* p) { return _mm256_loadu_pd(p); }
  PURE_GEMM_AVX2_INLINE static V broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  PURE_GEMM_AVX2_INLINE static V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  PURE_GEMM_AVX2_INLINE static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
};

template <class T>
struct Avx512;
template <>
struct Avx512<float> {
  using V = __m512;
  static constexpr int kLanes = 16;
  PURE_GEMM_AVX512_INLINE static V zero() { return _mm512_setzero_ps(); }
  PURE_GEMM_AVX512_INLINE static V load(const float* p) { return _mm512_loadu_ps(p); }
  PURE_GEMM_AVX512_INLINE static V broadcast(const float* p) { return _mm512_set1_ps(*p); }
  PURE_GEMM_AVX512_INLINE static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  PURE_GEMM_AVX512_INLINE static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
};
template <>
struct Avx512<double> {
  using V = __m512d;
  static constexpr int kLanes = 8;
  PURE_GEMM_AVX512_INLINE static V zero() { return _mm512_setzero_pd(); }
  PURE_GEMM_AVX512_INLINE static V load(const double* p) { return _mm512_loadu_pd(p); }
  PURE_GEMM_AVX512_INLINE static V broadcast(const double* p) { return _mm512_set1_pd(*p); }
  PURE_GEMM_AVX512_INLINE static V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  PURE_GEMM_AVX512_INLINE static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
};

// MR rows x 2 vectors. The two bodies are the same text: a target attribute
// cannot be a template parameter, and the vector operations must be inlined
// into a function of their own level.
template <class T, int MR>
PURE_GEMM_AVX2 void micro_avx2(std::int64_t kc, const T* a, const T* b, T* c, std::int64_t ldc, bool accumulate) {
  using Vec = Avx2<T>;
  using V = typename Vec::V;
  constexpr int L = Vec::kLanes;
  V c0[MR], c1[MR];
  PURE_GEMM_UNROLL(16)
  for (int r = 0; r < MR; ++r) {
    c0[r] = accumulate ? Vec::load(c + r * ldc) : Vec::zero();
    c1[r] = accumulate ? Vec::load(c + r * ldc + L) : Vec::zero();
  }
  for (std::int64_t t = 0; t < kc; ++t, a += MR, b += 2 * L) {
    const V b0 = Vec::load(b), b1 = Vec::load(b + L);
    PURE_GEMM_UNROLL(16)
    for (int r = 0; r < MR; ++r) {
      const V ar = Vec::broadcast(a + r);
      c0[r] = Vec::fmadd(ar, b0, c0[r]);
      c1[r] = Vec::fmadd(ar, b1, c1[r]);
    }
  }
  PURE_GEMM_UNROLL(16)
  for (int r = 0; r < MR; ++r) {
    Vec::store(c + r * ldc, c0[r]);
    Vec::store(c + r * ldc + L, c1[r]);
  }
}

template <class T, int MR>
PURE_GEMM_AVX512 void micro_avx512(std::int64_t kc, const T* a, const T* b, T* c, std::int64_t ldc, bool accumulate) {
  using Vec = Avx512<T>;
  using V = typename Vec::V;
  constexpr int L = Vec::kLanes;
  V c0[MR], c1[MR];
  PURE_GEMM_UNROLL(16)
  for (int r = 0; r < MR; ++r) {
    c0[r] = accumulate ? Vec::load(c + r * ldc) : Vec::zero();
    c1[r] = accumulate ? Vec::load(c + r * ldc + L) : Vec::zero();
  }
  for (std::int64_t t = 0; t < kc; ++t, a += MR, b += 2 * L) {
    const V b0 = Vec::load(b), b1 = Vec::load(b + L);
    PURE_GEMM_UNROLL(16)
    for (int r = 0; r < MR; ++r) {
      const V ar = Vec::broadcast(a + r);
      c0[r] = Vec::fmadd(ar, b0, c0[r]);
      c1[r] = Vec::fmadd(ar, b1, c1[r]);
    }
  }
  PURE_GEMM_UNROLL(16)
  for (int r = 0; r < MR; ++r) {
    Vec::store(c + r * ldc, c0[r]);
    Vec::store(c + r * ldc + L, c1[r]);
  }
}

// The AVX2 level does not promise FMA (AVX2 CPUs without it are rare, not impossible).
bool cpu_has_fma() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma") != 0;
  }();
  return has;
}
#endif

// ---------------------------------------------------------------- host blocked driver

struct Blocking {
  std::int64_t mc, kc, nc;
};

template <class T>
struct Plan {
  GemmOperand<T> x, y;
  T* out;
  std::int64_t m, n, k;
  Blocking block;
  std::int64_t row_parts, col_parts, part_rows, part_cols;
};

// Per-thread packing space, grown on demand and kept, as BLAS libraries keep
// theirs (no page faults from fresh large allocations on every call).
struct PackSpace {
  void* data = nullptr;
  std::size_t size = 0;
  ~PackSpace() { std::free(data); }
};

// At least `bytes` of this thread's packing space, 64-byte aligned.
// [[maybe_unused]]: device builds never run the host path (nvcc #177-D otherwise).
[[maybe_unused]] inline void* pack_buffer(std::size_t bytes) {
  static thread_local PackSpace space;
  if (bytes > space.size) {
    std::free(space.data);
    space.size = (bytes + 63) / 64 * 64;
    space.data = std::aligned_alloc(64, space.size);
    if (space.data == nullptr) {
      space.size = 0;
      throw std::bad_alloc();
    }
  }
  return space.data;
}

// Copies `rows` rows x kc terms of a strided matrix (element (r, t) at
// src[r * rs + t * ts]) into panels of R rows: panel p holds, term after term,
// the R values of rows pR .. pR+R-1 (zeros past `rows`), so the micro-kernel
// reads it front to back. Only moves values: every packing routine gives the
// same bits.
template <class T, int R>
void pack(const T* __restrict src, std::int64_t rs, std::int64_t ts, std::int64_t rows, std::int64_t kc,
          T* __restrict dst) {
  for (std::int64_t p = 0; p < rows; p += R) {
    const T* s = src + p * rs;
    T* d = dst + p * kc;
    const std::int64_t live = rows - p < R ? rows - p : R;
    if (live == R && rs == 1) {  // R consecutive elements per term: vector copies
      for (std::int64_t t = 0; t < kc; ++t) {
        PURE_GEMM_UNROLL(32)
        for (int r = 0; r < R; ++r) d[t * R + r] = s[t * ts + r];
      }
    } else if (live == R && ts == 1) {  // R rows, each contiguous in t: interleave them
      for (std::int64_t t = 0; t < kc; ++t) {
        PURE_GEMM_UNROLL(32)
        for (int r = 0; r < R; ++r) d[t * R + r] = s[r * rs + t];
      }
    } else {
      for (std::int64_t t = 0; t < kc; ++t) {
        for (int r = 0; r < R; ++r) d[t * R + r] = r < live ? s[r * rs + t * ts] : T(0);
      }
    }
  }
}

#if PURE_HOST_SIMD_X86
// AVX2 packing for the AVX2 and AVX-512 levels. The case that matters is a
// row-major operand contracted over its last axis (x of x.W, both operands of
// g.W^T): R rows each contiguous in t, interleaved term by term. The scalar
// loop above does that one element at a time (perf: about a tenth of the MLP
// step); here L x L blocks (L = lanes) are loaded as rows and transposed in
// registers, so each term's R values leave as whole or partial vectors.

// v[c] = column c of the L x L block whose rows are v[0..L-1].
PURE_GEMM_AVX2_INLINE void transpose_block(__m256 v[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
  const __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
  const __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]), t5 = _mm256_unpackhi_ps(v[4], v[5]);
  const __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]), t7 = _mm256_unpackhi_ps(v[6], v[7]);
  // u0 = columns 0 | 4 of rows 0-3, u1 = 1 | 5, u2 = 2 | 6, u3 = 3 | 7; u4..u7 the same for rows 4-7.
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  v[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  v[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  v[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  v[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  v[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  v[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  v[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  v[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}
PURE_GEMM_AVX2_INLINE void transpose_block(__m256d v[4]) {
  const __m256d t0 = _mm256_unpacklo_pd(v[0], v[1]), t1 = _mm256_unpackhi_pd(v[0], v[1]);  // cols 0|2, 1|3
  const __m256d t2 = _mm256_unpacklo_pd(v[2], v[3]), t3 = _mm256_unpackhi_pd(v[2], v[3]);
  v[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
  v[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
  v[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
  v[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// Lanes [0, w) of v to p (1 <= w <= lanes), nothing past them.
PURE_GEMM_AVX2_INLINE void store_first(float* p, __m256 v, int w) {
  if (w == 8) return _mm256_storeu_ps(p, v);
  __m128 rest = _mm256_castps256_ps128(v);
  if (w >= 4) {
    _mm_storeu_ps(p, rest);
    rest = _mm256_extractf128_ps(v, 1);
    p += 4;
    w -= 4;
  }
  if (w >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(p), rest);
    rest = _mm_movehl_ps(rest, rest);
    p += 2;
    w -= 2;
  }
  if (w == 1) _mm_store_ss(p, rest);
}
PURE_GEMM_AVX2_INLINE void store_first(double* p, __m256d v, int w) {
  if (w == 4) return _mm256_storeu_pd(p, v);
  __m128d rest = _mm256_castpd256_pd128(v);
  if (w >= 2) {
    _mm_storeu_pd(p, rest);
    rest = _mm256_extractf128_pd(v, 1);
    p += 2;
    w -= 2;
  }
  if (w == 1) _mm_store_sd(p, rest);
}

// Copies n <= 8 floats (n <= 4 doubles) with vector loads and stores that
// touch nothing past them (the scalar loop became one insert per element).
PURE_GEMM_AVX2_INLINE void copy_short(float* __restrict d, const float* __restrict s, int n) {
  if (n == 8) return _mm256_storeu_ps(d, _mm256_loadu_ps(s));
  if (n >= 4) {
    _mm_storeu_ps(d, _mm_loadu_ps(s));
    d += 4;
    s += 4;
    n -= 4;
  }
  if (n >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(d), _mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(s)));
    d += 2;
    s += 2;
    n -= 2;
  }
  if (n == 1) *d = *s;
}
PURE_GEMM_AVX2_INLINE void copy_short(double* __restrict d, const double* __restrict s, int n) {
  if (n == 4) return _mm256_storeu_pd(d, _mm256_loadu_pd(s));
  if (n >= 2) {
    _mm_storeu_pd(d, _mm_loadu_pd(s));
    d += 2;
    s += 2;
    n -= 2;
  }
  if (n == 1) *d = *s;
}

template <class T, int R>
PURE_GEMM_AVX2 void pack_avx2(const T* __restrict src, std::int64_t rs, std::int64_t ts, std::int64_t rows,
                              std::int64_t kc, T* __restrict dst) {
  using Vec = Avx2<T>;
  using V = typename Vec::V;
  constexpr int L = Vec::kLanes;
  const std::int64_t full = rows / R * R;  // rows in whole panels
  if (rs == 1 && ts != 1) {
    // The rows of a term are consecutive (x^T of x^T.g, W of x.W): one term
    // at a time, its values read front to back and dealt to the panels. Panel
    // by panel would reread every cache line of the block once per panel.
    for (std::int64_t t = 0; t < kc; ++t) {
      const T* s = src + t * ts;
      for (std::int64_t p = 0; p < full; p += R) {
        PURE_GEMM_UNROLL(8)
        for (int g = 0; g < R; g += L) copy_short(dst + p * kc + t * R + g, s + p + g, R - g < L ? R - g : L);
      }
    }
    if (full < rows) pack<T, R>(src + full, rs, ts, rows - full, kc, dst + full * kc);
    return;
  }
  for (std::int64_t p = 0; p < rows; p += R) {
    const T* s = src + p * rs;
    T* d = dst + p * kc;
    if (p >= full || ts != 1) {  // edges and general strides: the scalar loops
      pack<T, R>(s, rs, ts, p >= full ? rows - p : R, kc, d);
      continue;
    }
    std::int64_t t = 0;
    for (; t + L <= kc; t += L) {
      for (int g = 0; g < R; g += L) {  // rows g .. g+w-1 of the panel, w <= L
        const int w = R - g < L ? R - g : L;
        V v[L];
        PURE_GEMM_UNROLL(8)
        for (int r = 0; r < L; ++r) v[r] = r < w ? Vec::load(s + (g + r) * rs + t) : Vec::zero();
        transpose_block(v);
        PURE_GEMM_UNROLL(8)
        for (int c = 0; c < L; ++c) store_first(d + (t + c) * R + g, v[c], w);
      }
    }
    for (; t < kc; ++t) {
      for (int r = 0; r < R; ++r) d[t * R + r] = s[r * rs + t];
    }
  }
}
#endif

// ---------------------------------------------------------------- narrow products (matrix times vector)
// When out has at most kNarrow columns (or rows), the packed path wastes most
// of its tile (a 6 x 16 tile for one column) and copies the whole long
// operand to use each of its elements once: matrix-vector products ran at a
// third of OpenBLAS's speed. Here the lanes are rows of the long operand
// instead (still output elements, never terms of a sum): per term t, the
// values of L consecutive rows times each short row's value, one fma each, in
// t order from +0. The same order as every other path, so the same bits.

#if PURE_HOST_SIMD_X86
constexpr std::int64_t kNarrow = 4;

/// out(r, c) = sum over t of x(r, t) * y(c, t), r < rows (long), c < C <= kNarrow.
template <class T>
struct Narrow {
  const T* x;
  std::int64_t x_rs, x_ts;  // x(r, t) = x[r * x_rs + t * x_ts]
  const T* y;
  std::int64_t y_rs, y_ts;  // y(c, t) = y[c * y_rs + t * y_ts]
  T* out;
  std::int64_t o_rs, o_cs;  // out(r, c) = out[r * o_rs + c * o_cs]
  std::int64_t k;
};

// Lanes [0, w) of acc[c] to out(r0 + lane, c).
template <class T, int C, class V>
PURE_GEMM_AVX2_INLINE void narrow_store(const Narrow<T>& g, std::int64_t r0, const V* acc, int w) {
  using Vec = Avx2<T>;
  for (int c = 0; c < C; ++c) {
    T* o = g.out + r0 * g.o_rs + c * g.o_cs;
    if (g.o_rs == 1 && w == Vec::kLanes) {
      Vec::store(o, acc[c]);
    } else {
      alignas(32) T lanes[Vec::kLanes];
      Vec::store(lanes, acc[c]);
      for (int i = 0; i < w; ++i) o[i * g.o_rs] = lanes[i];
    }
  }
}

// Rows [r0, r1) of a narrow product with C short rows, AVX2 + FMA (also run
// at the AVX-512 level: the loops are bound by loads and shuffles, not by
// vector width).
template <class T, int C>
PURE_GEMM_AVX2 void narrow_avx2(const Narrow<T>& g, std::int64_t r0, std::int64_t r1) {
  using Vec = Avx2<T>;
  using V = typename Vec::V;
  constexpr int L = Vec::kLanes;
  std::int64_t r = r0;
  if (g.x_rs == 1) {
    // Consecutive rows per term (x^T of x^T.v): the axpy form. The sums of a
    // chunk of rows (8 KiB in all) stay in L1 while each term's values for
    // the chunk stream in, front to back; a vector of rows per term instead
    // would touch a new page at every term of a large x.
    constexpr int kChunk = 8192 / (C * static_cast<int>(sizeof(T))) / L * L;  // whole vectors
    alignas(32) T acc[C][kChunk];
    for (; r + L <= r1; r += kChunk) {
      const int vecs = static_cast<int>(std::min<std::int64_t>(kChunk, r1 - r) / L);
      for (int c = 0; c < C; ++c) {
        for (int v = 0; v < vecs; ++v) Vec::store(acc[c] + v * L, Vec::zero());
      }
      const T* xs = g.x + r;
      for (std::int64_t t = 0; t < g.k; ++t, xs += g.x_ts) {
        V yc[C];
        for (int c = 0; c < C; ++c) yc[c] = Vec::broadcast(g.y + c * g.y_rs + t * g.y_ts);
        for (int v = 0; v < vecs; ++v) {
          const V xv = Vec::load(xs + v * L);
          PURE_GEMM_UNROLL(4)
          for (int c = 0; c < C; ++c) Vec::store(acc[c] + v * L, Vec::fmadd(xv, yc[c], Vec::load(acc[c] + v * L)));
        }
      }
      for (int v = 0; v < vecs; ++v) {
        V lanes[C];
        for (int c = 0; c < C; ++c) lanes[c] = Vec::load(acc[c] + v * L);
        narrow_store<T, C>(g, r + v * L, lanes, L);
      }
      if (vecs * L < kChunk) {
        r += vecs * L;  // fewer than L rows left: the gathering loop below
        break;
      }
    }
  } else if (g.x_ts == 1) {
    // Rows contiguous in t (x of x.v): L x L blocks loaded as rows and
    // transposed in registers; U blocks of rows at once, so that U fma
    // chains per column overlap.
    constexpr int U = 2;
    for (; r + U * L <= r1; r += U * L) {
      V acc[U][C];
      for (int u = 0; u < U; ++u) {
        for (int c = 0; c < C; ++c) acc[u][c] = Vec::zero();
      }
      const T* xs = g.x + r * g.x_rs;
      // Two blocks of terms per row (64 bytes: a whole cache line) before the
      // next rows: rows n * 4 KiB apart share one L1 set, and a line left half
      // read would be evicted by the other blocks' rows before its second half.
      std::int64_t t = 0;
      for (; t + 2 * L <= g.k; t += 2 * L) {
        PURE_GEMM_UNROLL(4)
        for (int u = 0; u < U; ++u) {
          PURE_GEMM_UNROLL(2)
          for (int h = 0; h < 2; ++h) {
            V v[L];
            PURE_GEMM_UNROLL(8)
            for (int i = 0; i < L; ++i) v[i] = Vec::load(xs + (u * L + i) * g.x_rs + t + h * L);
            transpose_block(v);
            PURE_GEMM_UNROLL(8)
            for (int s = 0; s < L; ++s) {
              PURE_GEMM_UNROLL(4)
              for (int c = 0; c < C; ++c) {
                acc[u][c] = Vec::fmadd(v[s], Vec::broadcast(g.y + c * g.y_rs + (t + h * L + s) * g.y_ts), acc[u][c]);
              }
            }
          }
        }
      }
      for (; t < g.k; ++t) {
        for (int u = 0; u < U; ++u) {
          alignas(32) T lanes[L];
          for (int i = 0; i < L; ++i) lanes[i] = xs[(u * L + i) * g.x_rs + t];
          const V v = Vec::load(lanes);
          for (int c = 0; c < C; ++c)
            acc[u][c] = Vec::fmadd(v, Vec::broadcast(g.y + c * g.y_rs + t * g.y_ts), acc[u][c]);
        }
      }
      for (int u = 0; u < U; ++u) narrow_store<T, C>(g, r + u * L, acc[u], L);
    }
  }
  // The rows left (and any other layout): L at a time, each term's values
  // gathered into a vector (lanes past the rows are zeros, never stored).
  for (; r < r1; r += L) {
    const int w = static_cast<int>(r1 - r < L ? r1 - r : L);
    V acc[C];
    for (int c = 0; c < C; ++c) acc[c] = Vec::zero();
    for (std::int64_t t = 0; t < g.k; ++t) {
      alignas(32) T lanes[L] = {};
      for (int i = 0; i < w; ++i) lanes[i] = g.x[(r + i) * g.x_rs + t * g.x_ts];
      const V v = Vec::load(lanes);
      for (int c = 0; c < C; ++c) acc[c] = Vec::fmadd(v, Vec::broadcast(g.y + c * g.y_rs + t * g.y_ts), acc[c]);
    }
    narrow_store<T, C>(g, r, acc, w);
  }
}

template <class T>
void narrow_rows(const Narrow<T>& g, std::int64_t cols, std::int64_t r0, std::int64_t r1) {
  switch (cols) {
    case 1: return narrow_avx2<T, 1>(g, r0, r1);
    case 2: return narrow_avx2<T, 2>(g, r0, r1);
    case 3: return narrow_avx2<T, 3>(g, r0, r1);
    default: return narrow_avx2<T, 4>(g, r0, r1);
  }
}
#endif

// A tile at the edge of out (fewer than MR rows or NR columns) goes through a
// full-size scratch tile; the padding rows and columns are zeros and are
// never stored.
template <class T, int MR, int NR, MicroKernel<T> kMicro>
void edge_tile(std::int64_t kc, const T* a, const T* b, T* c, std::int64_t ldc, bool accumulate, std::int64_t rows,
               std::int64_t cols) {
  alignas(64) T tile[MR * NR] = {};
  if (accumulate) {
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t j = 0; j < cols; ++j) tile[r * NR + j] = c[r * ldc + j];
    }
  }
  kMicro(kc, a, b, tile, NR, accumulate);
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t j = 0; j < cols; ++j) c[r * ldc + j] = tile[r * NR + j];
  }
}

template <class T, int MR, int NR, MicroKernel<T> kMicro, PackKernel<T> kPackA, PackKernel<T> kPackB>
void run_item(const Plan<T>& p, std::int64_t item) {
  const std::int64_t parts = p.row_parts * p.col_parts;
  const std::int64_t b = item / parts, rp = item % parts / p.col_parts, cp = item % p.col_parts;
  const std::int64_t i_begin = rp * p.part_rows, i_end = std::min(p.m, i_begin + p.part_rows);
  const std::int64_t j_begin = cp * p.part_cols, j_end = std::min(p.n, j_begin + p.part_cols);
  if (i_begin >= i_end || j_begin >= j_end) return;
  const T* xb = p.x.data + p.x.batch(b);
  const T* yb = p.y.data + p.y.batch(b);
  T* cb = p.out + b * p.m * p.n;
  const std::int64_t mc = p.block.mc, kc = p.block.kc, nc = p.block.nc;
  const std::int64_t a_size = (mc + MR - 1) / MR * MR * kc, b_size = (nc + NR - 1) / NR * NR * kc;
  T* const abuf = static_cast<T*>(pack_buffer(static_cast<std::size_t>(a_size + b_size) * sizeof(T)));
  T* const bbuf = abuf + a_size;
  for (std::int64_t jc = j_begin; jc < j_end; jc += nc) {
    const std::int64_t ncur = std::min(nc, j_end - jc);
    for (std::int64_t pc = 0; pc < p.k; pc += kc) {
      const std::int64_t kcur = std::min(kc, p.k - pc);
      const bool accumulate = pc > 0;  // continue the sums of the previous terms
      kPackB(yb + jc * p.y.row_stride + pc * p.y.k_stride, p.y.row_stride, p.y.k_stride, ncur, kcur, bbuf);
      for (std::int64_t ic = i_begin; ic < i_end; ic += mc) {
        const std::int64_t mcur = std::min(mc, i_end - ic);
        kPackA(xb + ic * p.x.row_stride + pc * p.x.k_stride, p.x.row_stride, p.x.k_stride, mcur, kcur, abuf);
        for (std::int64_t jr = 0; jr < ncur; jr += NR) {
          const std::int64_t cols = std::min<std::int64_t>(NR, ncur - jr);
          for (std::int64_t ir = 0; ir < mcur; ir += MR) {
            const std::int64_t rows = std::min<std::int64_t>(MR, mcur - ir);
            const T* a = abuf + ir * kcur;
            const T* bp = bbuf + jr * kcur;
            T* c = cb + (ic + ir) * p.n + jc + jr;
            if (rows == MR && cols == NR) {
              kMicro(kcur, a, bp, c, p.n, accumulate);
            } else {
              edge_tile<T, MR, NR, kMicro>(kcur, a, bp, c, p.n, accumulate, rows, cols);
            }
          }
        }
      }
    }
  }
}

[[maybe_unused]] inline std::int64_t round_up(std::int64_t v, std::int64_t to) { return (v + to - 1) / to * to; }

template <class T, int MR, int NR, MicroKernel<T> kMicro, PackKernel<T> kPackA = pack<T, MR>,
          PackKernel<T> kPackB = pack<T, NR>>
void run_blocked(Plan<T> p, Blocking defaults, const GemmTuning& tuning, std::int64_t batches) {
  p.block.mc = tuning.mc > 0 ? tuning.mc : defaults.mc;
  p.block.kc = tuning.kc > 0 ? tuning.kc : defaults.kc;
  p.block.nc = tuning.nc > 0 ? tuning.nc : defaults.nc;
  // Enough work items for every thread (about two each), cutting the longer
  // side of out first; on one thread, one item per batch.
  std::int64_t rp = 1, cp = 1;
  if (tuning.row_parts > 0 || tuning.col_parts > 0) {
    rp = std::max(tuning.row_parts, 1);
    cp = std::max(tuning.col_parts, 1);
  } else {
    const std::int64_t threads = ExecutionSpace().concurrency();
    const std::int64_t want = threads > 1 ? (2 * threads + batches - 1) / batches : 1;
    while (rp * cp < want) {
      const bool rows_left = p.m / (rp + 1) >= MR, cols_left = p.n / (cp + 1) >= NR;
      if (rows_left && (p.m / rp >= p.n / cp || !cols_left)) {
        ++rp;
      } else if (cols_left) {
        ++cp;
      } else {
        break;
      }
    }
  }
  p.row_parts = rp;
  p.col_parts = cp;
  p.part_rows = round_up((p.m + rp - 1) / rp, tuning.row_parts > 0 ? 1 : MR);
  p.part_cols = round_up((p.n + cp - 1) / cp, tuning.col_parts > 0 ? 1 : NR);
  using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;
  Kokkos::parallel_for("pure::dot_general::gemm", Policy(0, batches * rp * cp),
                       [=](std::int64_t item) { run_item<T, MR, NR, kMicro, kPackA, kPackB>(p, item); });
}

#if PURE_HOST_SIMD_X86
// A narrow product (see narrow_avx2) when out is at most kNarrow wide on one
// side and at least a vector long on the other; false (nothing done) otherwise.
// Work items are (batch, part of the long side), as run_blocked splits.
template <class T>
bool run_narrow(const Plan<T>& p, const GemmTuning& tuning, std::int64_t batches) {
  constexpr std::int64_t L = Avx2<T>::kLanes;
  const bool long_x = p.n <= kNarrow && p.m >= L;             // out(i, j): i the lanes
  const bool long_y = !long_x && p.m <= kNarrow && p.n >= L;  // out(i, j): j the lanes
  if (!long_x && !long_y) return false;
  const GemmOperand<T> lo = long_x ? p.x : p.y, sh = long_x ? p.y : p.x;
  const std::int64_t rows = long_x ? p.m : p.n, cols = long_x ? p.n : p.m;
  const std::int64_t o_rs = long_x ? p.n : 1, o_cs = long_x ? 1 : p.n;
  const std::int64_t forced = long_x ? tuning.row_parts : tuning.col_parts;
  std::int64_t parts = forced;
  if (parts <= 0) {
    const std::int64_t threads = ExecutionSpace().concurrency();
    parts =
        threads > 1 ? std::max<std::int64_t>(1, std::min((2 * threads + batches - 1) / batches, rows / (2 * L))) : 1;
  }
  const std::int64_t part_rows = round_up((rows + parts - 1) / parts, forced > 0 ? 1 : 2 * L);
  T* const out = p.out;
  const std::int64_t k = p.k, size = p.m * p.n;
  using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;
  Kokkos::parallel_for("pure::dot_general::narrow", Policy(0, batches * parts), [=](std::int64_t item) {
    const std::int64_t b = item / parts, r0 = item % parts * part_rows, r1 = std::min(rows, r0 + part_rows);
    if (r0 >= r1) return;
    const T* const long_rows = lo.data + lo.batch(b);
    const T* const short_rows = sh.data + sh.batch(b);
    const Narrow<T> g{long_rows,   lo.row_stride,  lo.k_stride, short_rows, sh.row_stride,
                      sh.k_stride, out + b * size, o_rs,        o_cs,       k};
    narrow_rows<T>(g, cols, r0, r1);
  });
  return true;
}
#endif

// Block sizes: MC x KC of A in L2, KC x NR of B in L1 (16 KiB for AVX2, 32
// KiB for AVX-512), B's KC x NC panel in L3. Measured for AVX2 on Zen 3 and
// for AVX-512 on Zen 4, where KC = 256 ran 1-6% faster than 192
// (docs/benchmarks.md).
template <class T>
void gemm_host(const Plan<T>& p, const GemmTuning& tuning, std::int64_t batches) {
  if constexpr (std::is_floating_point<T>::value) {
#if PURE_HOST_SIMD_X86
    constexpr bool f32 = std::is_same<T, float>::value;
    const HostSimd level = host_simd();
    if (level != HostSimd::baseline && cpu_has_fma() && run_narrow(p, tuning, batches)) return;
    if (level == HostSimd::avx512) {
      constexpr int NR = 2 * Avx512<T>::kLanes;
      return run_blocked<T, 12, NR, micro_avx512<T, 12>, pack_avx2<T, 12>, pack_avx2<T, NR>>(
          p, {f32 ? 192 : 96, 256, 4080}, tuning, batches);
    }
    if (level == HostSimd::avx2 && cpu_has_fma()) {
      constexpr int NR = 2 * Avx2<T>::kLanes;
      return run_blocked<T, 6, NR, micro_avx2<T, 6>, pack_avx2<T, 6>, pack_avx2<T, NR>>(p, {f32 ? 144 : 72, 256, 4080},
                                                                                        tuning, batches);
    }
#endif
  }
  run_blocked<T, 4, 4, micro_portable<T, 4, 4>>(p, {64, 256, 1024}, tuning, batches);
}

}  // namespace

void set_gemm_tuning(const GemmTuning& tuning) {
  const std::lock_guard<std::mutex> lock(tuning_mutex());
  tuning_slot() = tuning;
}

GemmTuning gemm_tuning() {
  const std::lock_guard<std::mutex> lock(tuning_mutex());
  return tuning_slot();
}

template <class T>
void gemm(const GemmOperand<T>& x, const GemmOperand<T>& y, T* out, std::int64_t batches, std::int64_t m,
          std::int64_t n, std::int64_t k) {
  using Policy = Kokkos::RangePolicy<ExecutionSpace, Kokkos::IndexType<std::int64_t>>;
  if (batches * m * n == 0) return;
  if (k == 0) {
    Kokkos::parallel_for("pure::dot_general::zeros", Policy(0, batches * m * n), Fill<T>{out});
    return;
  }
  const GemmTuning tuning = gemm_tuning();
  if constexpr (std::is_same<ExecutionSpace::memory_space, Kokkos::HostSpace>::value) {
    if (!tuning.portable) {
      gemm_host<T>(Plan<T>{x, y, out, m, n, k, {}, 0, 0, 0, 0}, tuning, batches);
      return;
    }
  }
  run_tiled<T>(x, y, out, batches, m, n, k);
}

template void gemm<float>(const GemmOperand<float>&, const GemmOperand<float>&, float*, std::int64_t, std::int64_t,
                          std::int64_t, std::int64_t);
template void gemm<double>(const GemmOperand<double>&, const GemmOperand<double>&, double*, std::int64_t, std::int64_t,
                           std::int64_t, std::int64_t);
template void gemm<std::int32_t>(const GemmOperand<std::int32_t>&, const GemmOperand<std::int32_t>&, std::int32_t*,
                                 std::int64_t, std::int64_t, std::int64_t, std::int64_t);
template void gemm<std::uint32_t>(const GemmOperand<std::uint32_t>&, const GemmOperand<std::uint32_t>&, std::uint32_t*,
                                  std::int64_t, std::int64_t, std::int64_t, std::int64_t);
template void gemm<std::int64_t>(const GemmOperand<std::int64_t>&, const GemmOperand<std::int64_t>&, std::int64_t*,
                                 std::int64_t, std::int64_t, std::int64_t, std::int64_t);
template void gemm<std::uint64_t>(const GemmOperand<std::uint64_t>&, const GemmOperand<std::uint64_t>&, std::uint64_t*,
                                  std::int64_t, std::int64_t, std::int64_t, std::int64_t);

}  // namespace pure::ops::detail
