// The transforms on flat lists of arrays. The user-facing templates in
// autodiff.hpp flatten trees of arrays into these.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/ir/program.hpp>

namespace pure {

using FlatFn = std::function<std::vector<Array>(const std::vector<Array>&)>;

/// Forward mode: (f(primals), J_f(primals) . tangents). A tangent may be an
/// empty Array (symbolic zero); tangents must have their primal's shape and dtype.
std::pair<std::vector<Array>, std::vector<Array>> jvp_flat(const FlatFn& f, const std::vector<Array>& primals,
                                                           const std::vector<Array>& tangents);

/// The linear map t -> J_f(primals) . t as a program, plus f(primals).
struct Linearized {
  std::vector<Array> outs;          // f(primals)
  ir::Program program;              // tangents in, output tangents out (linear)
  std::vector<bool> out_is_zero;    // outputs whose tangent is identically zero
  std::vector<ir::Aval> in_avals;   // primal (= tangent) types of the inputs
  std::vector<ir::Aval> out_avals;  // types of the outputs
  /// Applies the linear map to tangents (empty = zero).
  std::vector<Array> apply(const std::vector<Array>& tangents) const;
  /// Applies the transposed map: cotangents of the outputs to cotangents of the inputs.
  std::vector<Array> transpose(const std::vector<Array>& cotangents) const;
};

/// Linearizes f at primals: JVP whose tangent computation is staged into a
/// program while primal values are computed right away.
Linearized linearize_flat(const FlatFn& f, const std::vector<Array>& primals);

/// Reverse mode: f(primals) and the pullback, cotangents of the outputs to
/// cotangents of the inputs (as jax.vjp). Implemented as linearize + transpose.
std::pair<std::vector<Array>, std::function<std::vector<Array>(const std::vector<Array>&)>> vjp_flat(
    const FlatFn& f, const std::vector<Array>& primals);

/// Transposes a linear program: cotangents of its outputs to cotangents of
/// its inputs (empty Array = zero). Consts are the non-linear operands.
std::vector<Array> backward_pass(const ir::Program& program, const std::vector<Array>& cotangents);

/// The program f computes on inputs of these types (as jax.make_jaxpr).
ir::Program make_program_flat(const FlatFn& f, const std::vector<ir::Aval>& in_avals);

}  // namespace pure
