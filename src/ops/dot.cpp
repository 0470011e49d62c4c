// dot_general, as jax.lax.dot_general: contract lhs_contract[i] of x with
// rhs_contract[i] of y, batch over lhs_batch[i] / rhs_batch[i]; the result's
// axes are (batch, x free, y free), free axes in increasing order.
//
// Two kernels:
// - reproducible (the default): both operands are packed so the contracted
//   axes are last, flattened in the order of lhs_contract; each output element
//   sums its products x*y by the pairwise tree of reduce.cpp (a binary counter
//   over aligned runs of 2^l terms), fixed by the indices alone. A dot product
//   therefore equals reduce_sum(mul(x, y)) bit for bit, on every backend.
// - fast (opt in: pure::set_matmul_precision(MatmulPrecision::fast) or
//   PURE_MATMUL_PRECISION=fast): KokkosKernels gemm (vendor BLAS) per batch for
//   float32/float64, when pure is built with KokkosKernels. Its summation
//   order is the vendor's: results may differ in the last bits between
//   backends, libraries and thread counts.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include <pure/config.hpp>

#include "rules.hpp"
#include "strided.hpp"

#if defined(PURE_HAVE_KOKKOSKERNELS) && PURE_HAVE_KOKKOSKERNELS
#include <KokkosBlas3_gemm.hpp>
#define PURE_DOT_HAVE_GEMM 1
#else
#define PURE_DOT_HAVE_GEMM 0
#endif

namespace pure {
namespace {

int precision_from_env() {
  const char* v = std::getenv("PURE_MATMUL_PRECISION");
  if (v == nullptr || *v == '\0' || std::strcmp(v, "reproducible") == 0) {
    return static_cast<int>(MatmulPrecision::reproducible);
  }
  if (std::strcmp(v, "fast") == 0) return static_cast<int>(MatmulPrecision::fast);
  throw ValueError(std::string("pure::matmul_precision: environment variable PURE_MATMUL_PRECISION must be "
                               "'reproducible' or 'fast', got '") +
                   v + "'");
}

std::atomic<int>& precision_slot() {
  static std::atomic<int> slot{precision_from_env()};
  return slot;
}

}  // namespace

void set_matmul_precision(MatmulPrecision precision) { precision_slot().store(static_cast<int>(precision)); }
MatmulPrecision matmul_precision() { return static_cast<MatmulPrecision>(precision_slot().load()); }
bool matmul_fast_available() { return PURE_DOT_HAVE_GEMM != 0; }

}  // namespace pure

namespace pure::ops {
namespace {

using namespace detail;

struct DotDims {
  std::vector<std::int64_t> lc, rc, lb, rb;  // lhs/rhs contracting, lhs/rhs batch
};

DotDims dims_of(const Params& p) {
  return {p.get_ints("lhs_contract"), p.get_ints("rhs_contract"), p.get_ints("lhs_batch"), p.get_ints("rhs_batch")};
}

std::string dims_text(const DotDims& d) {
  return "contracting " + ints_text(d.lc) + "/" + ints_text(d.rc) + " and batch " + ints_text(d.lb) + "/" +
         ints_text(d.rb);
}

// Axes of a rank-r operand that are neither contracted nor batched, in order.
std::vector<std::int64_t> free_axes(int rank, const std::vector<std::int64_t>& contract,
                                    const std::vector<std::int64_t>& batch) {
  std::vector<std::int64_t> out;
  for (int d = 0; d < rank; ++d) {
    if (std::find(contract.begin(), contract.end(), d) == contract.end() &&
        std::find(batch.begin(), batch.end(), d) == batch.end()) {
      out.push_back(d);
    }
  }
  return out;
}

std::vector<std::int64_t> concat(std::vector<std::int64_t> a, const std::vector<std::int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::int64_t> argsort(const std::vector<std::int64_t>& v) {
  std::vector<std::int64_t> idx(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) idx[i] = static_cast<std::int64_t>(i);
  std::stable_sort(idx.begin(), idx.end(), [&](std::int64_t a, std::int64_t b) { return v[uz(a)] < v[uz(b)]; });
  return idx;
}

std::vector<std::int64_t> range_of(std::size_t start, std::size_t n) {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::int64_t>(start + i));
  return out;
}

// Each axis of a rank-r operand used at most once, all in range.
void check_axes(const char* side, const std::vector<std::int64_t>& contract, const std::vector<std::int64_t>& batch,
                const Aval& a, const DotDims& d) {
  std::vector<bool> used(uz(a.shape.rank()), false);
  for (auto ax : concat(contract, batch)) {
    if (ax < 0 || ax >= a.shape.rank() || used[uz(ax)]) {
      throw ShapeError(std::string("pure::dot_general: ") + side + " axes of " + dims_text(d) +
                       " must be distinct and in range for operand " + a.str());
    }
    used[uz(ax)] = true;
  }
}

std::vector<Aval> dot_rule(const std::vector<Aval>& in, const Params& params) {
  const Aval& x = in.at(0);
  const Aval& y = in.at(1);
  const DotDims d = dims_of(params);
  if (x.dtype != y.dtype || x.dtype == DType::boolean) {
    throw DTypeError("pure::dot_general: operands must have the same numeric dtype, got " + x.str() + " and " +
                     y.str());
  }
  if (d.lc.size() != d.rc.size() || d.lb.size() != d.rb.size()) {
    throw ShapeError("pure::dot_general: " + dims_text(d) + " must pair up one lhs axis with one rhs axis");
  }
  check_axes("lhs", d.lc, d.lb, x, d);
  check_axes("rhs", d.rc, d.rb, y, d);
  auto check_pairs = [&](const std::vector<std::int64_t>& l, const std::vector<std::int64_t>& r, const char* what) {
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (x.shape[static_cast<int>(l[i])] != y.shape[static_cast<int>(r[i])]) {
        throw ShapeError(std::string("pure::dot_general: ") + what + " axis " + std::to_string(l[i]) + " of " +
                         x.str() + " and axis " + std::to_string(r[i]) + " of " + y.str() +
                         " have different extents (" + dims_text(d) + ")");
      }
    }
  };
  check_pairs(d.lc, d.rc, "contracting");
  check_pairs(d.lb, d.rb, "batch");
  std::vector<std::int64_t> dims;
  for (auto a : d.lb) dims.push_back(x.shape[static_cast<int>(a)]);
  for (auto a : free_axes(x.shape.rank(), d.lc, d.lb)) dims.push_back(x.shape[static_cast<int>(a)]);
  for (auto a : free_axes(y.shape.rank(), d.rc, d.rb)) dims.push_back(y.shape[static_cast<int>(a)]);
  return {Aval{Shape(dims), x.dtype}};
}

// Canonical summation order of reduce.cpp: a binary counter whose level l
// holds the sum of an aligned run of 2^l terms; the tree depends only on the
// term count. 40 levels allow 2^40 terms per output.
constexpr int kLevels = 40;

template <class T>
struct PairwiseSum {
  T stack[kLevels];
  std::int64_t count = 0;
  // Adds the sum of an aligned run of 2^level terms (count must be a multiple of 2^level).
  KOKKOS_INLINE_FUNCTION void push(T v, int level = 0) {
    const std::int64_t step = std::int64_t{1} << level;
    std::int64_t c = count >> level;
    while (c & 1) {
      v = static_cast<T>(stack[level] + v);
      c >>= 1;
      ++level;
    }
    stack[level] = v;
    count += step;
  }
  KOKKOS_INLINE_FUNCTION T result() const {
    T acc = T(0);
    bool have = false;
    for (int level = 0; level < kLevels; ++level) {
      if ((count >> level) & 1) {
        acc = have ? static_cast<T>(stack[level] + acc) : stack[level];
        have = true;
      }
    }
    return acc;
  }
};

// out[b, r, c] = sum_t x[b, r, t] * y[b, c, t] over packed operands.
template <class T>
struct DotKernel {
  ConstView<T> x, y;
  MutableView<T> out;
  std::int64_t m, n, k;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    const std::int64_t c = i % n, r = (i / n) % m, b = i / (n * m);
    const std::int64_t xr = (b * m + r) * k, yr = (b * n + c) * k;
    PairwiseSum<T> acc;
    std::int64_t t = 0;
    // Whole aligned runs of 8 as the fixed tree the counter would build (level 3), then the rest one by one.
    for (; t + 8 <= k; t += 8) {
      T p[8];
      for (int j = 0; j < 8; ++j) p[j] = static_cast<T>(x(xr + t + j) * y(yr + t + j));
      const T a = static_cast<T>(static_cast<T>(p[0] + p[1]) + static_cast<T>(p[2] + p[3]));
      const T b = static_cast<T>(static_cast<T>(p[4] + p[5]) + static_cast<T>(p[6] + p[7]));
      acc.push(static_cast<T>(a + b), 3);
    }
    for (; t < k; ++t) acc.push(static_cast<T>(x(xr + t) * y(yr + t)));
    out(i) = acc.result();
  }
};

// The operand with its axes in `perm` order, contiguous (no copy if already so).
Array pack(const Array& a, const std::vector<std::int64_t>& perm) {
  bool identity = true;
  for (std::size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<std::int64_t>(i);
  if (identity) return a;
  const auto st = row_major_strides(a.shape());
  std::vector<std::int64_t> dims, strides;
  for (auto ax : perm) {
    dims.push_back(a.shape()[static_cast<int>(ax)]);
    strides.push_back(st[uz(ax)]);
  }
  const Shape s(dims);
  return strided_copy(a, s, make_index_map(s, strides, 0, "dot_general"), "pure::dot_general::pack");
}

#if PURE_DOT_HAVE_GEMM
// Row-major (M, K) is column-major (K, M), so C = X Y^T in row-major is
// C^T = Y X^T in column-major: gemm("T", "N") on the packed buffers as they are.
template <class T>
void gemm_batches(const Array& x, const Array& y, Array& out, std::int64_t batches, std::int64_t m, std::int64_t n,
                  std::int64_t k, const char* label) {
  using In = Kokkos::View<const T**, Kokkos::LayoutLeft, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using Out = Kokkos::View<T**, Kokkos::LayoutLeft, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  const T* xp = x.view<T>(label).data();
  const T* yp = y.view<T>(label).data();
  T* cp = out.mutable_view<T>(label).data();
  for (std::int64_t b = 0; b < batches; ++b) {
    const In yv(yp + b * n * k, uz(k), uz(n));
    const In xv(xp + b * m * k, uz(k), uz(m));
    const Out cv(cp + b * m * n, uz(n), uz(m));
    KokkosBlas::gemm("T", "N", T(1), yv, xv, T(0), cv);
  }
}
#endif

Array dot_impl(const Array& x, const Array& y, const Params& params) {
  const char* label = "pure::dot_general";
  const DotDims d = dims_of(params);
  const Shape out_shape = dot_rule({Aval::of(x), Aval::of(y)}, params)[0].shape;
  const auto x_free = free_axes(x.rank(), d.lc, d.lb);
  const auto y_free = free_axes(y.rank(), d.rc, d.rb);
  std::int64_t batches = 1, m = 1, n = 1, k = 1;
  for (auto a : d.lb) batches *= x.shape()[static_cast<int>(a)];
  for (auto a : x_free) m *= x.shape()[static_cast<int>(a)];
  for (auto a : y_free) n *= y.shape()[static_cast<int>(a)];
  for (auto a : d.lc) k *= x.shape()[static_cast<int>(a)];
  if (k >= (std::int64_t{1} << kLevels)) {
    throw ShapeError("pure::dot_general: contraction of " + std::to_string(k) + " terms exceeds the supported 2^" +
                     std::to_string(kLevels));
  }
  Array out = Array::allocate(out_shape, x.dtype(), label);
  if (out.size() == 0) return out;
  const Array xp = pack(x, concat(concat(d.lb, x_free), d.lc));
  const Array yp = pack(y, concat(concat(d.rb, y_free), d.rc));
  dispatch<Types::numeric>(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
#if PURE_DOT_HAVE_GEMM
    if constexpr (kIsFloat<T>) {
      if (matmul_precision() == MatmulPrecision::fast && k > 0) {
        gemm_batches<T>(xp, yp, out, batches, m, n, k, label);
        return 0;
      }
    }
#endif
    Kokkos::parallel_for(label, Policy(0, out.size()),
                         DotKernel<T>{xp.view<T>(label), yp.view<T>(label), out.mutable_view<T>(label), m, n, k});
    return 0;
  });
  return out;
}

// Cotangent of x given the output cotangent g and y (jax's
// _dot_general_transpose_lhs): contract g's y-free axes with y's free axes,
// batch over the batch axes, then put the axes back in x's order.
Array transpose_lhs(const Array& g, const Array& y, int x_rank, int y_rank, const DotDims& d, bool swap_ans) {
  const auto x_kept = free_axes(x_rank, d.lc, d.lb);
  const auto y_kept = free_axes(y_rank, d.rc, d.rb);
  const std::size_t nb = d.lb.size();
  const auto ans_batch = range_of(0, nb);
  const auto ans_y = swap_ans ? range_of(nb, y_kept.size()) : range_of(nb + x_kept.size(), y_kept.size());
  std::vector<std::int64_t> x_contract_sorted_by_y;
  for (auto i : argsort(d.rc)) x_contract_sorted_by_y.push_back(d.lc[uz(i)]);
  const auto out_axes = argsort(concat(concat(d.lb, x_kept), x_contract_sorted_by_y));
  return lax::transpose(lax::dot_general(g, y, {ans_y, y_kept}, {ans_batch, d.rb}), out_axes);
}

const ir::Primitive& dot_general_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "dot_general";
  p.abstract_eval = dot_rule;
  p.impl = [](const Arrays& in, const Params& params) -> Arrays { return {dot_impl(in[0], in[1], params)}; };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    const DotDims d = dims_of(params);
    const lax::DimensionPair contract{d.lc, d.rc}, batch{d.lb, d.rb};
    return {add_tangents(ir::is_zero(t[0]) ? Array() : lax::dot_general(t[0], x[1], contract, batch),
                         ir::is_zero(t[1]) ? Array() : lax::dot_general(x[0], t[1], contract, batch))};
  };
  p.transpose = [](const Arrays& ct, const Arrays& args, const std::vector<bool>& linear,
                   const std::vector<Aval>& in_avals, const Params& params) -> Arrays {
    if (linear[0] && linear[1]) {
      throw Error("pure::dot_general: transpose of a product of two linear values (not linear)");
    }
    if (ir::is_zero(ct[0])) return {Array(), Array()};
    const DotDims d = dims_of(params);
    const int xr = in_avals[0].shape.rank(), yr = in_avals[1].shape.rank();
    if (linear[0]) return {transpose_lhs(ct[0], args[1], xr, yr, d, false), Array()};
    const DotDims swapped{d.rc, d.lc, d.rb, d.lb};
    return {Array(), transpose_lhs(ct[0], args[0], yr, xr, swapped, true)};
  };
  return p;
}());

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array dot_general(const Array& x, const Array& y, const DimensionPair& contracting_dims,
                  const DimensionPair& batch_dims) {
  return ir::bind1(ops::dot_general_p, {x, y},
                   ir::Params{{"lhs_contract", contracting_dims.first},
                              {"rhs_contract", contracting_dims.second},
                              {"lhs_batch", batch_dims.first},
                              {"rhs_batch", batch_dims.second}});
}

}  // namespace pure::lax
