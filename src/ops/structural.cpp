// Structural primitives: select, convert_element_type, broadcast_in_dim,
// reshape, stop_gradient.
#include <algorithm>

#include "rules.hpp"

namespace pure::ops {
namespace {

using namespace detail;

Array zeros_of(const Aval& a) { return pure::zeros(a.shape, a.dtype); }

// ---------------------------------------------------------------- select
// Operands may be broadcast views (where(x > 0, x, 0.0)): read in place.
template <class T>
struct SelectKernel {
  const bool* pred;
  const T* a;
  const T* b;
  T* out;
  pure::detail::StridedWalk<3> walk;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t off[3];
    walk.offsets(i, off);
    out[i] = pred[off[0]] ? a[off[1]] : b[off[2]];
  }
  PURE_HOST_SIMD_ALWAYS_INLINE void range(std::int64_t begin, std::int64_t end) const {
    auto cur = walk.start(begin);
    const std::int64_t sp = walk.inner_stride(0), sa = walk.inner_stride(1), sb = walk.inner_stride(2);
    for (std::int64_t i = begin; i < end;) {
      const std::int64_t len = walk.run_length(cur, end - i);
      const bool* KOKKOS_RESTRICT p = pred + cur.off[0];
      const T* KOKKOS_RESTRICT x = a + cur.off[1];
      const T* KOKKOS_RESTRICT y = b + cur.off[2];
      T* KOKKOS_RESTRICT o = out + i;
      if (sp == 1 && sa == 1 && sb == 1) {
        for (std::int64_t j = 0; j < len; ++j) o[j] = p[j] ? x[j] : y[j];
      } else if (sp == 1 && sa == 1 && sb == 0) {
        const T v = *y;
        for (std::int64_t j = 0; j < len; ++j) o[j] = p[j] ? x[j] : v;
      } else if (sp == 1 && sa == 0 && sb == 1) {
        const T v = *x;
        for (std::int64_t j = 0; j < len; ++j) o[j] = p[j] ? v : y[j];
      } else {
        for (std::int64_t j = 0; j < len; ++j) o[j] = p[j * sp] ? x[j * sa] : y[j * sb];
      }
      i += len;
      walk.advance(cur, len);
    }
  }
};

const ir::Primitive& select_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "select";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params&) {
    if (in.at(0).dtype != DType::boolean) {
      throw DTypeError("pure::select: argument 'pred' must be bool, got " + in[0].str());
    }
    check_same("select", in.at(1), in.at(2));
    if (in[0].shape != in[1].shape) {
      throw ShapeError("pure::select: 'pred' " + in[0].str() + " and the operands " + in[1].str() +
                       " must have equal shapes");
    }
    return std::vector<Aval>{in[1]};
  };
  p.impl = [](const Arrays& in, const Params&) -> Arrays {
    const char* label = "pure::select";
    Array out = Array::allocate(in[1].shape(), in[1].dtype(), label);
    if (out.size() == 0) return {out};
    const Operand pred = operand_of(in[0]), a = operand_of(in[1]), b = operand_of(in[2]);
    const std::vector<std::int64_t> strides[3] = {pred.strides, a.strides, b.strides};
    const std::int64_t base[3] = {0, 0, 0};
    const auto walk = pure::detail::make_strided_walk<3>(out.shape(), strides, base, label);
    dispatch<Types::all>(in[1].dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      pure::detail::host_simd_for(
          label, out.size(),
          SelectKernel<T>{static_cast<const bool*>(pred.data), static_cast<const T*>(a.data),
                          static_cast<const T*>(b.data), out.mutable_view<T>(label).data(), walk});
      return 0;
    });
    return {out};
  };
  p.block_kernel = [](const std::vector<Aval>& in, const Params&) -> ir::Primitive::BlockKernel {
    if (in.size() != 3 || in[0].dtype != DType::boolean || in[1].dtype != in[2].dtype) return {};
    // One contiguous axis, longer than any block: the kernel's all-contiguous loop.
    pure::detail::StridedWalk<3> walk;
    walk.dims[0] = std::int64_t{1} << 62;
    for (auto& st : walk.strides) st[0] = 1;
    return dispatch<Types::all>(in[1].dtype, "select", [&](auto tag) -> ir::Primitive::BlockKernel {
      using T = decltype(tag);
      return [walk](const void* const* pab, void* out, std::int64_t n, HostSimd level) {
        using K = SelectKernel<T>;
        const K k{static_cast<const bool*>(pab[0]), static_cast<const T*>(pab[1]), static_cast<const T*>(pab[2]),
                  static_cast<T*>(out), walk};
        pure::detail::host_simd_loop<K>(level)(k, 0, n);
      };
    });
  };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params&) -> Arrays {
    if (ir::is_zero(t[1]) && ir::is_zero(t[2])) return {Array()};
    const Array ta = ir::is_zero(t[1]) ? zeros_of(Aval::of(x[1])) : t[1];
    const Array tb = ir::is_zero(t[2]) ? zeros_of(Aval::of(x[2])) : t[2];
    return {lax::select(x[0], ta, tb)};
  };
  p.transpose = [](const Arrays& ct, const Arrays& args, const std::vector<bool>& linear,
                   const std::vector<Aval>& in_avals, const Params&) -> Arrays {
    if (linear[0]) throw Error("pure::select: transpose with respect to the predicate (not linear)");
    if (ir::is_zero(ct[0])) return {Array(), Array(), Array()};
    const Array zero = zeros_of(in_avals[1]);
    return {Array(), linear[1] ? lax::select(args[0], ct[0], zero) : Array(),
            linear[2] ? lax::select(args[0], zero, ct[0]) : Array()};
  };
  return p;
}());

// ---------------------------------------------------------------- convert_element_type
template <class From, class To>
struct ConvertKernel {
  ConstView<From> in;
  MutableView<To> out;
  // Saturating float -> integer, wrapping integer -> integer: docs/conversions.md.
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const { out(i) = pure::detail::convert<To>(in(i)); }
};

const ir::Primitive& convert_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "convert_element_type";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    return std::vector<Aval>{Aval{in.at(0).shape, params.get<DType>("new_dtype")}};
  };
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    const char* label = "pure::convert_element_type";
    const DType to = params.get<DType>("new_dtype");
    Array out = Array::allocate(in[0].shape(), to, label);
    dispatch<Types::all>(in[0].dtype(), label, [&](auto from_tag) {
      using From = decltype(from_tag);
      return dispatch<Types::all>(to, label, [&](auto to_tag) {
        using To = decltype(to_tag);
        Kokkos::parallel_for(label, Policy(0, out.size()),
                             ConvertKernel<From, To>{in[0].view<From>(label), out.mutable_view<To>(label)});
        return 0;
      });
    });
    return {out};
  };
  // Conversions are not worth a vectorised copy per SIMD level: the baseline loop.
  p.block_kernel = [](const std::vector<Aval>& in, const Params& params) -> ir::Primitive::BlockKernel {
    if (in.size() != 1) return {};
    return dispatch<Types::all>(in[0].dtype, "convert_element_type", [&](auto from_tag) {
      using From = decltype(from_tag);
      return dispatch<Types::all>(params.get<DType>("new_dtype"), "convert_element_type",
                                  [&](auto to_tag) -> ir::Primitive::BlockKernel {
                                    using To = decltype(to_tag);
                                    return [](const void* const* x, void* out, std::int64_t n, HostSimd) {
                                      using K = ConvertKernel<From, To>;
                                      const auto count = static_cast<std::size_t>(n);
                                      const K k{ConstView<From>(static_cast<const From*>(x[0]), count),
                                                MutableView<To>(static_cast<To*>(out), count)};
                                      pure::detail::host_simd_loop<K>(HostSimd::baseline)(k, 0, n);
                                    };
                                  });
    });
  };
  p.jvp = [](const Arrays& x, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    const DType to = params.get<DType>("new_dtype");
    if (ir::is_zero(t[0]) || !is_floating(x[0].dtype()) || !is_floating(to)) return {Array()};
    return {lax::convert_element_type(t[0], to)};
  };
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>& in_avals,
                   const Params&) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array()};
    return {lax::convert_element_type(ct[0], in_avals[0].dtype)};
  };
  return p;
}());

// ---------------------------------------------------------------- broadcast_in_dim
// Axes of the result that the operand does not cover, or covers with extent 1:
// the transpose sums over them.
std::vector<std::int64_t> summed_axes(const Shape& operand, const Shape& shape, const std::vector<std::int64_t>& dims) {
  std::vector<std::int64_t> axes;
  for (int d = 0; d < shape.rank(); ++d) {
    const auto it = std::find(dims.begin(), dims.end(), d);
    if (it == dims.end()) {
      axes.push_back(d);
    } else if (operand[static_cast<int>(it - dims.begin())] == 1 && shape[d] != 1) {
      axes.push_back(d);
    }
  }
  return axes;
}

const ir::Primitive& broadcast_in_dim_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "broadcast_in_dim";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const Shape shape(params.get_ints("shape"));
    const auto& dims = params.get_ints("broadcast_dimensions");
    const Shape& op = in.at(0).shape;
    bool ok = static_cast<int>(dims.size()) == op.rank();
    for (std::size_t i = 0; ok && i < dims.size(); ++i) {
      ok = dims[i] >= 0 && dims[i] < shape.rank() && (i == 0 || dims[i] > dims[i - 1]) &&
           (op[static_cast<int>(i)] == 1 || op[static_cast<int>(i)] == shape[static_cast<int>(dims[i])]);
    }
    if (!ok) {
      throw ShapeError("pure::broadcast_in_dim: cannot broadcast operand " + in[0].str() + " to shape " + shape.str() +
                       " with broadcast_dimensions " + ints_text(dims));
    }
    return std::vector<Aval>{Aval{shape, in[0].dtype}};
  };
  // A view: the operand is read in place by elementwise ops and select, and
  // written out only when something else needs the elements.
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    return {Array::broadcast_view(in[0], Shape(params.get_ints("shape")), params.get_ints("broadcast_dimensions"))};
  };
  p.jvp = [](const Arrays&, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {lax::broadcast_in_dim(t[0], Shape(params.get_ints("shape")), params.get_ints("broadcast_dimensions"))};
  };
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>& in_avals,
                   const Params& params) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array()};
    const Shape shape(params.get_ints("shape"));
    const auto axes = summed_axes(in_avals[0].shape, shape, params.get_ints("broadcast_dimensions"));
    const Array summed = axes.empty() ? ct[0] : lax::reduce_sum(ct[0], axes);
    return {lax::reshape(summed, in_avals[0].shape)};
  };
  return p;
}());

// ---------------------------------------------------------------- reshape
const ir::Primitive& reshape_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "reshape";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const Shape shape(params.get_ints("new_sizes"));
    if (shape.size() != in.at(0).shape.size()) {
      throw ShapeError("pure::reshape: cannot reshape " + in[0].str() + " (" + std::to_string(in[0].shape.size()) +
                       " elements) into shape " + shape.str());
    }
    return std::vector<Aval>{Aval{shape, in[0].dtype}};
  };
  // Arrays are immutable, so the result shares the operand's storage.
  p.impl = [](const Arrays& in, const Params& params) -> Arrays {
    return {in[0].with_shape(Shape(params.get_ints("new_sizes")))};
  };
  p.jvp = [](const Arrays&, const Arrays& t, const Arrays&, const Params& params) -> Arrays {
    if (ir::is_zero(t[0])) return {Array()};
    return {lax::reshape(t[0], Shape(params.get_ints("new_sizes")))};
  };
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>& in_avals,
                   const Params&) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array()};
    return {lax::reshape(ct[0], in_avals[0].shape)};
  };
  return p;
}());

// ---------------------------------------------------------------- stop_gradient
const ir::Primitive& stop_gradient_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "stop_gradient";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params&) { return std::vector<Aval>{in.at(0)}; };
  p.impl = [](const Arrays& in, const Params&) -> Arrays { return {in[0]}; };
  p.jvp = [](const Arrays&, const Arrays&, const Arrays&, const Params&) -> Arrays { return {Array()}; };
  return p;
}());

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array select(const Array& pred, const Array& on_true, const Array& on_false) {
  return ir::bind1(ops::select_p, {pred, on_true, on_false});
}
Array convert_element_type(const Array& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  return ir::bind1(ops::convert_p, {x}, ir::Params{{"new_dtype", dtype}});
}
Array broadcast_in_dim(const Array& x, const Shape& shape, const std::vector<std::int64_t>& broadcast_dimensions) {
  return ir::bind1(ops::broadcast_in_dim_p, {x},
                   ir::Params{{"shape", shape.dims()}, {"broadcast_dimensions", broadcast_dimensions}});
}
Array reshape(const Array& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  return ir::bind1(ops::reshape_p, {x}, ir::Params{{"new_sizes", shape.dims()}});
}
Array stop_gradient(const Array& x) { return ir::bind1(ops::stop_gradient_p, {x}); }

}  // namespace pure::lax
