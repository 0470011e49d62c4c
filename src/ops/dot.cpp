// dot_general, as jax.lax.dot_general: contract lhs_contract[i] of x with
// rhs_contract[i] of y, batch over lhs_batch[i] / rhs_batch[i]; the result's
// axes are (batch, x free, y free), free axes in increasing order.
//
// Every operand is read as batches of strided (rows, k) matrices: rows are its
// free axes flattened row-major, k its contracted axes flattened row-major in
// the order of lhs_contract (for y: rhs_contract, paired). That is a view, no
// copy, whenever the free axes and the contracted axes each step with a single
// stride -- every layout of A.B, A^T.B, A.B^T, batch axes anywhere (what a
// dense layer and its backward pass use). Otherwise (e.g. contracted axes that
// are not adjacent, or listed out of their memory order) the operand is first
// copied once into (batch, rows, k) order; detail::dot_operand_copies() counts
// these copies.
//
// Two kernels:
// - reproducible (the default): gemm.hpp. Each output element is
//   acc = +0; for t = 0..k-1 in order: acc = fma(x[.., t], y[.., t], acc),
//   on every backend, SIMD level, thread count and block size
//   (docs/reproducibility.md, "gemm order").
// - fast (opt in: pure::set_matmul_precision(MatmulPrecision::fast) or
//   PURE_MATMUL_PRECISION=fast): KokkosKernels gemm (vendor BLAS) per batch for
//   float32/float64, when pure is built with KokkosKernels, with N/T flags for
//   the operands' layouts. Its summation order is the vendor's: results may
//   differ in the last bits between backends, libraries and thread counts.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <type_traits>

#include <pure/config.hpp>

#include "gemm.hpp"
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

// The operand with its axes in `perm` order, contiguous: one strided copy.
Array copy_in_order(const Array& a, const std::vector<std::int64_t>& perm) {
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
  return strided_copy(a, s, strides, 0, "pure::dot_general::pack");
}

std::atomic<std::int64_t>& operand_copies() {
  static std::atomic<std::int64_t> count{0};
  return count;
}

// The single stride that steps through `axes` of a row-major array flattened
// in that order (the last one fastest), or -1 if there is none. Axes of
// extent 1 do not matter; with no other axis the stride is 0.
std::int64_t merged_stride(const Shape& s, const std::vector<std::int64_t>& strides,
                           const std::vector<std::int64_t>& axes) {
  std::int64_t stride = 0, span = 0;  // of the axes seen so far (from the last)
  for (auto it = axes.rbegin(); it != axes.rend(); ++it) {
    const std::int64_t extent = s[static_cast<int>(*it)], st = strides[uz(*it)];
    if (extent == 1) continue;
    if (span == 0) {
      stride = st;
      span = extent;
    } else if (st == stride * span) {
      span *= extent;
    } else {
      return -1;
    }
  }
  return stride;
}

// An operand as batches of (rows, k) matrices: element (b, r, t) at
// batch(b) + r * row_stride + t * k_stride of `storage`.
struct MatrixView {
  Array storage;  // the operand itself, or its copy
  IndexMap batch;
  std::int64_t row_stride, k_stride;
};

// In place, or nullopt when the rows or the contracted axes have no single stride.
std::optional<MatrixView> view_in_place(const Array& a, const std::vector<std::int64_t>& batch,
                                        const std::vector<std::int64_t>& rows,
                                        const std::vector<std::int64_t>& contract) {
  const auto st = row_major_strides(a.shape());
  const std::int64_t row_stride = merged_stride(a.shape(), st, rows), k_stride = merged_stride(a.shape(), st, contract);
  if (row_stride < 0 || k_stride < 0) return std::nullopt;
  std::vector<std::int64_t> dims, strides;
  for (auto ax : batch) {
    dims.push_back(a.shape()[static_cast<int>(ax)]);
    strides.push_back(st[uz(ax)]);
  }
  return MatrixView{a, make_index_map(Shape(dims), strides, 0, "dot_general"), row_stride, k_stride};
}

// One strided copy into (batch, rows, contracted) order, then a view of that.
MatrixView view_of_copy(const Array& a, const std::vector<std::int64_t>& batch, const std::vector<std::int64_t>& rows,
                        const std::vector<std::int64_t>& contract) {
  ++operand_copies();
  const std::size_t nb = batch.size(), nr = rows.size();
  return *view_in_place(copy_in_order(a, concat(concat(batch, rows), contract)), range_of(0, nb), range_of(nb, nr),
                        range_of(nb + nr, contract.size()));
}

MatrixView matrix_view(const Array& a, const std::vector<std::int64_t>& batch, const std::vector<std::int64_t>& rows,
                       const std::vector<std::int64_t>& contract) {
  if (auto v = view_in_place(a, batch, rows, contract)) return *v;
  return view_of_copy(a, batch, rows, contract);
}

#if PURE_DOT_HAVE_GEMM
// A (rows, k) matrix with unit stride along one axis is a column-major BLAS
// matrix: stored (k, rows) when its k terms are contiguous, else (rows, k);
// `ld` is its leading dimension. Other layouts have no BLAS form.
struct BlasForm {
  bool ok, k_contiguous;
  std::int64_t ld;
};

BlasForm blas_form(std::int64_t rows, std::int64_t k, std::int64_t row_stride, std::int64_t k_stride) {
  if ((k_stride == 1 || k == 1) && (rows == 1 || row_stride >= k)) return {true, true, rows == 1 ? k : row_stride};
  if ((row_stride == 1 || rows == 1) && (k == 1 || k_stride >= rows)) return {true, false, k == 1 ? rows : k_stride};
  return {false, false, 0};
}

// Row-major out (m, n) is column-major out^T (n, m) = Y (n, k) X^T (k, m):
// gemm with Y and X as they lie in memory, transposed by the flags.
template <class T>
void vendor_gemm(const GemmOperand<T>& x, const GemmOperand<T>& y, T* out, std::int64_t batches, std::int64_t m,
                 std::int64_t n, std::int64_t k) {
  using In = Kokkos::View<const T**, Kokkos::LayoutLeft, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using Out = Kokkos::View<T**, Kokkos::LayoutLeft, MemorySpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  const BlasForm fx = blas_form(m, k, x.row_stride, x.k_stride), fy = blas_form(n, k, y.row_stride, y.k_stride);
  // A LayoutLeft subview keeps the parent's leading dimension, which gemm passes on as lda.
  const auto matrix = [](const T* p, std::int64_t rows, std::int64_t cols, std::int64_t ld) {
    return Kokkos::subview(In(p, uz(ld), uz(cols)), std::make_pair(std::size_t{0}, uz(rows)), Kokkos::ALL());
  };
  for (std::int64_t b = 0; b < batches; ++b) {
    const T* xb = x.data + x.batch(b);
    const T* yb = y.data + y.batch(b);
    const auto yv = fy.k_contiguous ? matrix(yb, k, n, fy.ld) : matrix(yb, n, k, fy.ld);
    const auto xv = fx.k_contiguous ? matrix(xb, k, m, fx.ld) : matrix(xb, m, k, fx.ld);
    static_assert(std::is_same<typename decltype(yv)::array_layout, Kokkos::LayoutLeft>::value,
                  "the BLAS path needs LayoutLeft views");
    KokkosBlas::gemm(fy.k_contiguous ? "T" : "N", fx.k_contiguous ? "N" : "T", T(1), yv, xv, T(0),
                     Out(out + b * m * n, uz(n), uz(m)));
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
  Array out = Array::allocate(out_shape, x.dtype(), label);
  if (out.size() == 0) return out;
  MatrixView xv = matrix_view(x, d.lb, x_free, d.lc);
  MatrixView yv = matrix_view(y, d.rb, y_free, d.rc);
  dispatch<Types::numeric>(x.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    T* c = out.mutable_view<T>(label).data();
#if PURE_DOT_HAVE_GEMM
    if constexpr (kIsFloat<T>) {
      if (matmul_precision() == MatmulPrecision::fast && k > 0) {
        // BLAS needs unit stride along one axis of each operand (else: a copy).
        if (!blas_form(m, k, xv.row_stride, xv.k_stride).ok) xv = view_of_copy(x, d.lb, x_free, d.lc);
        if (!blas_form(n, k, yv.row_stride, yv.k_stride).ok) yv = view_of_copy(y, d.rb, y_free, d.rc);
        vendor_gemm<T>({xv.storage.view<T>(label).data(), xv.batch, xv.row_stride, xv.k_stride},
                       {yv.storage.view<T>(label).data(), yv.batch, yv.row_stride, yv.k_stride}, c, batches, m, n, k);
        return 0;
      }
    }
#endif
    gemm<T>({xv.storage.view<T>(label).data(), xv.batch, xv.row_stride, xv.k_stride},
            {yv.storage.view<T>(label).data(), yv.batch, yv.row_stride, yv.k_stride}, c, batches, m, n, k);
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

namespace detail {
std::int64_t dot_operand_copies() { return operand_copies().load(); }
}  // namespace detail

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
