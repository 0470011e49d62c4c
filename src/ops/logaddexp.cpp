// logaddexp as a primitive: one kernel with jax's stable formula, and a JVP
// rule that fixes the derivative at ties and infinities (jax uses a custom_jvp
// for the same reason: the chain rule through max, abs and log1p gives
// d/dx = 0, d/dy = 1 at x == y, because abs's derivative at 0 is 1).
#include "rules.hpp"
#include "scalar_ops.hpp"

namespace pure::ops {
namespace {

using namespace detail;

// d out = t_x w + t_y (1 - w) with w = exp(x) / (exp(x) + exp(y)) = logistic(x - y),
// and 1 - w as logistic(y - x) (no cancellation where w is near 1). At
// infinities of one sign (x == y == +-inf, where x - y is NaN) w = 1/2: the
// limit along x == y and the finite tie's value (jax gives NaN at -inf, and
// 1 and 1 at +inf). A NaN operand gives NaN, as jax. logistic sees 0 instead of
// the NaN difference there ("double where"), so no NaN enters the higher
// derivatives; the rule is written in lax ops, so it differentiates again.
Array logaddexp_jvp(const Array& x, const Array& y, const Array& tx, const Array& ty, const Array&) {
  const Array delta = lax::sub(x, y);
  const Array delta_is_nan = lax::ne(delta, delta);
  const Array same_infinity = lax::select(delta_is_nan, lax::eq(x, y), delta_is_nan);
  const Array safe = lax::select(same_infinity, full_like(delta, 0.0), delta);
  const Array dx = ir::is_zero(tx) ? Array() : lax::mul(tx, lax::logistic(safe));
  const Array dy = ir::is_zero(ty) ? Array() : lax::mul(ty, lax::logistic(lax::neg(safe)));
  return add_tangents(dx, dy);
}

const ir::Primitive& logaddexp_p =
    ir::register_primitive(make_binary<Types::floating>("logaddexp", LogAddExpOp{}, logaddexp_jvp));

}  // namespace
}  // namespace pure::ops

namespace pure::lax {

Array logaddexp(const Array& x, const Array& y) { return ir::bind1(ops::logaddexp_p, {x, y}); }

}  // namespace pure::lax
