// Elementwise primitives: one block per primitive = its Op (the scalar code,
// in scalar_ops.hpp) + JVP rule (+ transpose rule when linear). Rules use lax
// ops, so they are differentiable.
#include "element_kernel.hpp"
#include "rules.hpp"
#include "scalar_ops.hpp"

namespace pure::ops {
namespace {

using namespace detail;
using Types = detail::Types;

constexpr double kTwoOverSqrtPi = 1.1283791670955126;

Array one_like(const Array& x) { return full_like(x, 1.0); }

// Transpose-rule helper: the cotangent for linear input k, empty for the others.
Arrays only(std::size_t n, std::size_t k, Array ct) {
  Arrays out(n);
  out[k] = std::move(ct);
  return out;
}

// ---------------------------------------------------------------- neg
const ir::Primitive& neg_p = ir::register_primitive([] {
  ir::Primitive p = make_unary<Types::numeric>(
      "neg", NegOp{}, [](const Array&, const Array& t, const Array&, const Params&) { return lax::neg(t); });
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>&, const std::vector<Aval>&,
                   const Params&) -> Arrays { return {ir::is_zero(ct[0]) ? Array() : lax::neg(ct[0])}; };
  return p;
}());

// ---------------------------------------------------------------- exp, log, log1p, expm1
const ir::Primitive& exp_p = ir::register_primitive(make_unary<Types::floating>(
    "exp", ExpOp{}, [](const Array&, const Array& t, const Array& y, const Params&) { return lax::mul(t, y); }));

const ir::Primitive& log_p = ir::register_primitive(make_unary<Types::floating>(
    "log", LogOp{}, [](const Array& x, const Array& t, const Array&, const Params&) { return lax::div(t, x); }));

const ir::Primitive& log1p_p = ir::register_primitive(make_unary<Types::floating>(
    "log1p", Log1pOp{},
    [](const Array& x, const Array& t, const Array&, const Params&) { return lax::div(t, lax::add(x, one_like(x))); }));

const ir::Primitive& expm1_p = ir::register_primitive(make_unary<Types::floating>(
    "expm1", Expm1Op{},
    [](const Array&, const Array& t, const Array& y, const Params&) { return lax::mul(t, lax::add(y, one_like(y))); }));

// ---------------------------------------------------------------- sin, cos, tanh, logistic
const ir::Primitive& sin_p = ir::register_primitive(make_unary<Types::floating>(
    "sin", SinOp{},
    [](const Array& x, const Array& t, const Array&, const Params&) { return lax::mul(t, lax::cos(x)); }));

const ir::Primitive& cos_p = ir::register_primitive(make_unary<Types::floating>(
    "cos", CosOp{},
    [](const Array& x, const Array& t, const Array&, const Params&) { return lax::neg(lax::mul(t, lax::sin(x))); }));

const ir::Primitive& tanh_p = ir::register_primitive(
    make_unary<Types::floating>("tanh", TanhOp{}, [](const Array&, const Array& t, const Array& y, const Params&) {
      // jax's form (t + t y)(1 - y), so values and higher derivatives round as jax's.
      return lax::mul(lax::add(t, lax::mul(t, y)), lax::sub(one_like(y), y));
    }));

const ir::Primitive& logistic_p = ir::register_primitive(make_unary<Types::floating>(
    "logistic", LogisticOp{}, [](const Array&, const Array& t, const Array& y, const Params&) {
      return lax::mul(t, lax::mul(y, lax::sub(one_like(y), y)));
    }));

// ---------------------------------------------------------------- sqrt, rsqrt
const ir::Primitive& sqrt_p = ir::register_primitive(
    make_unary<Types::floating>("sqrt", SqrtOp{}, [](const Array&, const Array& t, const Array& y, const Params&) {
      return lax::mul(t, lax::div(full_like(y, 0.5), y));  // jax's form: inf at 0
    }));

const ir::Primitive& rsqrt_p = ir::register_primitive(
    make_unary<Types::floating>("rsqrt", RsqrtOp{}, [](const Array& x, const Array& t, const Array& y, const Params&) {
      return lax::mul(t, lax::mul(full_like(y, -0.5), lax::div(y, x)));
    }));

// ---------------------------------------------------------------- abs, sign, floor
const ir::Primitive& abs_p = ir::register_primitive(
    make_unary<Types::numeric>("abs", AbsOp{}, [](const Array& x, const Array& t, const Array&, const Params&) {
      // JAX's rule: select(x >= 0, t, -t), so the derivative at 0 (and -0) is 1, not sign(0) = 0.
      return lax::select(lax::ge(x, full_like(x, 0.0)), t, lax::neg(t));
    }));

const ir::Primitive& sign_p = ir::register_primitive(make_unary<Types::numeric>(
    "sign", SignOp{}, [](const Array&, const Array&, const Array&, const Params&) { return Array(); }));

const ir::Primitive& floor_p = ir::register_primitive(make_unary<Types::floating>(
    "floor", FloorOp{}, [](const Array&, const Array&, const Array&, const Params&) { return Array(); }));

// ---------------------------------------------------------------- erf
const ir::Primitive& erf_p = ir::register_primitive(
    make_unary<Types::floating>("erf", ErfOp{}, [](const Array& x, const Array& t, const Array&, const Params&) {
      return lax::mul(full_like(x, kTwoOverSqrtPi), lax::mul(t, lax::exp(lax::neg(lax::mul(x, x)))));
    }));

// ---------------------------------------------------------------- integer_pow
const ir::Primitive& integer_pow_p = ir::register_primitive(make_unary<Types::floating>(
    "integer_pow", IntegerPowOp{}, [](const Array& x, const Array& t, const Array&, const Params& params) {
      const std::int64_t y = params.get_int("y");
      if (y == 0) return Array();
      if (y == 1) return t;
      return lax::mul(t, lax::mul(full_like(x, static_cast<double>(y)), lax::integer_pow(x, y - 1)));
    }));

// ================================================================ binary
const ir::Primitive& add_p = ir::register_primitive([] {
  ir::Primitive p = make_binary<Types::numeric>(
      "add", AddOp{},
      [](const Array&, const Array&, const Array& tx, const Array& ty, const Array&) { return add_tangents(tx, ty); });
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>& linear, const std::vector<Aval>&,
                   const Params&) -> Arrays {
    return {linear[0] ? ct[0] : Array(), linear[1] ? ct[0] : Array()};
  };
  return p;
}());

const ir::Primitive& sub_p = ir::register_primitive([] {
  ir::Primitive p = make_binary<Types::numeric>(
      "sub", SubOp{}, [](const Array&, const Array&, const Array& tx, const Array& ty, const Array&) {
        if (ir::is_zero(ty)) return tx;
        if (ir::is_zero(tx)) return lax::neg(ty);
        return lax::sub(tx, ty);
      });
  p.transpose = [](const Arrays& ct, const Arrays&, const std::vector<bool>& linear, const std::vector<Aval>&,
                   const Params&) -> Arrays {
    if (ir::is_zero(ct[0])) return {Array(), Array()};
    return {linear[0] ? ct[0] : Array(), linear[1] ? lax::neg(ct[0]) : Array()};
  };
  return p;
}());

const ir::Primitive& mul_p = ir::register_primitive([] {
  ir::Primitive p = make_binary<Types::numeric>(
      "mul", MulOp{}, [](const Array& x, const Array& y, const Array& tx, const Array& ty, const Array&) {
        // One statement per term: argument evaluation order is unspecified in C++,
        // and traced programs must be the same with every compiler.
        const Array dx = ir::is_zero(tx) ? Array() : lax::mul(tx, y);
        const Array dy = ir::is_zero(ty) ? Array() : lax::mul(x, ty);
        return add_tangents(dx, dy);
      });
  p.transpose = [](const Arrays& ct, const Arrays& args, const std::vector<bool>& linear, const std::vector<Aval>&,
                   const Params&) -> Arrays {
    if (linear[0] && linear[1]) throw Error("pure::mul: transpose of a product of two linear values (not linear)");
    if (ir::is_zero(ct[0])) return {Array(), Array()};
    if (linear[0]) return only(2, 0, lax::mul(ct[0], args[1]));
    return only(2, 1, lax::mul(args[0], ct[0]));
  };
  return p;
}());

const ir::Primitive& div_p = ir::register_primitive([] {
  ir::Primitive p = make_binary<Types::numeric>(
      "div", DivOp{}, [](const Array& x, const Array& y, const Array& tx, const Array& ty, const Array&) {
        // jax's form -t x / y^2: at x = 0, y = 0 it is NaN (0 * inf), at x != 0, y = 0 an infinity.
        const Array dx = ir::is_zero(tx) ? Array() : lax::div(tx, y);
        const Array dy = ir::is_zero(ty) ? Array() : lax::mul(lax::mul(lax::neg(ty), x), lax::integer_pow(y, -2));
        return add_tangents(dx, dy);
      });
  p.transpose = [](const Arrays& ct, const Arrays& args, const std::vector<bool>& linear, const std::vector<Aval>&,
                   const Params&) -> Arrays {
    if (linear[1]) throw Error("pure::div: transpose with respect to the divisor (not linear)");
    if (ir::is_zero(ct[0])) return {Array(), Array()};
    return only(2, 0, lax::div(ct[0], args[1]));
  };
  return p;
}());

const ir::Primitive& pow_p = ir::register_primitive(make_binary<Types::floating>(
    "pow", PowOp{}, [](const Array& x, const Array& y, const Array& tx, const Array& ty, const Array& out) {
      Array dx, dy;
      if (!ir::is_zero(tx)) dx = lax::mul(tx, lax::mul(y, lax::pow(x, lax::sub(y, one_like(y)))));
      if (!ir::is_zero(ty)) {
        // d/dy x^y = x^y log x, taken as 0 where x == 0 (as jax does). The
        // "double where": log sees 1 instead of 0, so neither log(0) = -inf nor
        // its derivative 1/0 enters the graph, and higher derivatives stay 0 there.
        const Array zero = full_like(x, 0.0);
        const Array at_zero = lax::eq(x, zero);
        const Array safe_log = lax::select(at_zero, zero, lax::log(lax::select(at_zero, full_like(x, 1.0), x)));
        dy = lax::mul(ty, lax::mul(out, safe_log));
      }
      return add_tangents(dx, dy);
    }));

// max/min (jax's _balanced_eq): the weight of x is [x == out] / (y == out ? 2 : 1),
// so ties split the tangent evenly, and where out is NaN neither operand gets any.
Array balanced_weight(const Array& x, const Array& out, const Array& y) {
  const Array zero = full_like(out, 0.0), one = one_like(out);
  return lax::div(lax::select(lax::eq(x, out), one, zero), lax::select(lax::eq(y, out), full_like(out, 2.0), one));
}

Array max_min_jvp(const Array& x, const Array& y, const Array& tx, const Array& ty, const Array& out) {
  const Array dx = ir::is_zero(tx) ? Array() : lax::mul(tx, balanced_weight(x, out, y));
  const Array dy = ir::is_zero(ty) ? Array() : lax::mul(ty, balanced_weight(y, out, x));
  return add_tangents(dx, dy);
}

const ir::Primitive& max_p = ir::register_primitive(make_binary<Types::numeric>("max", MaxOp{}, max_min_jvp));

const ir::Primitive& min_p = ir::register_primitive(make_binary<Types::numeric>("min", MinOp{}, max_min_jvp));

const ir::Primitive& atan2_p = ir::register_primitive(make_binary<Types::floating>(
    "atan2", Atan2Op{}, [](const Array& x, const Array& y, const Array& tx, const Array& ty, const Array&) {
      // jax's form t * (y / (x^2 + y^2)): NaN at the origin (0 / 0), as jax.
      const Array xx = lax::mul(x, x);
      const Array yy = lax::mul(y, y);
      const Array denom = lax::add(xx, yy);
      const Array dx = ir::is_zero(tx) ? Array() : lax::mul(tx, lax::div(y, denom));
      const Array dy = ir::is_zero(ty) ? Array() : lax::mul(ty, lax::div(lax::neg(x), denom));
      return add_tangents(dx, dy);
    }));

// ================================================================ comparisons
#define PURE_COMPARISON(NAME) \
  const ir::Primitive& NAME##_p = ir::register_primitive(make_binary<Types::numeric, true>(#NAME, NAME##Op{}, nullptr));
PURE_COMPARISON(lt)
PURE_COMPARISON(le)
PURE_COMPARISON(gt)
PURE_COMPARISON(ge)
PURE_COMPARISON(eq)
PURE_COMPARISON(ne)
#undef PURE_COMPARISON

// Fused groups of these primitives run one element per thread on GPUs
// (element_kernel.cpp); installed here, in a file every program links.
const bool element_compiler_installed = ir::detail::set_element_compiler(&compile_element_kernel);

}  // namespace

}  // namespace pure::ops

namespace pure::lax {
using pure::ir::bind1;
using pure::ir::Params;

Array neg(const Array& x) { return bind1(ops::neg_p, {x}); }
Array exp(const Array& x) { return bind1(ops::exp_p, {x}); }
Array log(const Array& x) { return bind1(ops::log_p, {x}); }
Array log1p(const Array& x) { return bind1(ops::log1p_p, {x}); }
Array expm1(const Array& x) { return bind1(ops::expm1_p, {x}); }
Array sin(const Array& x) { return bind1(ops::sin_p, {x}); }
Array cos(const Array& x) { return bind1(ops::cos_p, {x}); }
Array tanh(const Array& x) { return bind1(ops::tanh_p, {x}); }
Array logistic(const Array& x) { return bind1(ops::logistic_p, {x}); }
Array sqrt(const Array& x) { return bind1(ops::sqrt_p, {x}); }
Array rsqrt(const Array& x) { return bind1(ops::rsqrt_p, {x}); }
Array abs(const Array& x) { return bind1(ops::abs_p, {x}); }
Array sign(const Array& x) { return bind1(ops::sign_p, {x}); }
Array floor(const Array& x) { return bind1(ops::floor_p, {x}); }
Array erf(const Array& x) { return bind1(ops::erf_p, {x}); }
Array integer_pow(const Array& x, std::int64_t y) { return bind1(ops::integer_pow_p, {x}, Params{{"y", y}}); }
Array add(const Array& x, const Array& y) { return bind1(ops::add_p, {x, y}); }
Array sub(const Array& x, const Array& y) { return bind1(ops::sub_p, {x, y}); }
Array mul(const Array& x, const Array& y) { return bind1(ops::mul_p, {x, y}); }
Array div(const Array& x, const Array& y) { return bind1(ops::div_p, {x, y}); }
Array pow(const Array& x, const Array& y) { return bind1(ops::pow_p, {x, y}); }
Array max(const Array& x, const Array& y) { return bind1(ops::max_p, {x, y}); }
Array min(const Array& x, const Array& y) { return bind1(ops::min_p, {x, y}); }
Array atan2(const Array& x, const Array& y) { return bind1(ops::atan2_p, {x, y}); }
Array lt(const Array& x, const Array& y) { return bind1(ops::lt_p, {x, y}); }
Array le(const Array& x, const Array& y) { return bind1(ops::le_p, {x, y}); }
Array gt(const Array& x, const Array& y) { return bind1(ops::gt_p, {x, y}); }
Array ge(const Array& x, const Array& y) { return bind1(ops::ge_p, {x, y}); }
Array eq(const Array& x, const Array& y) { return bind1(ops::eq_p, {x, y}); }
Array ne(const Array& x, const Array& y) { return bind1(ops::ne_p, {x, y}); }

}  // namespace pure::lax
