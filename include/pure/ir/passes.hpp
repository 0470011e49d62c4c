// Program -> Program passes run by jit before a program is cached. Each keeps
// results bitwise equal: it removes, shares or fuses equations, and its one
// rewrite (a transpose folded into a dot_general) computes every element with
// the same operations in the same order. Each lives in its own file under
// src/ir/passes/.
#pragma once

#include <string>

#include <pure/ir/program.hpp>

namespace pure::ir {

/// Drops equations whose outputs no output depends on, and consts no equation
/// or output reads (every primitive is pure, so nothing else is observable).
Program eliminate_dead_code(const Program& program);

/// Shares equations that apply the same primitive with the same params to the
/// same operands (variables, or literals of equal dtype and bits): later
/// copies are removed and their uses read the first one's outputs. A pure
/// primitive gives the same bits for the same inputs, so results do not change.
Program eliminate_common_subexpressions(const Program& program);

/// Removes equations whose result is bitwise one of their operands for every
/// input: x * 1, 1 * x, x / 1, x + (-0.0), x - 0.0 (integers: x + 0, x - 0),
/// convert_element_type / reshape / broadcast_in_dim to the operand's own type,
/// identity transposes; merges reshape(reshape(x)) and transpose(transpose(x));
/// a transpose that is the only reader of a dot_general without batch axes
/// and swaps its two operands' free axes becomes dot_general(y, x) (the same
/// products summed in the same order; the unread product is left for DCE).
/// (x + 0.0 stays: -0.0 + 0.0 is +0.0.) Operands that are scalar constants are
/// literals or broadcast_in_dim of a literal.
Program simplify(const Program& program);

/// Replaces every `jit` equation (a call of a jitted function staged into an
/// outer trace; its params hold the callee's program as `jaxpr`) by that
/// program's equations, recursively: the same equations in the same order, so
/// results do not change, and the later passes work across the call.
Program inline_jit_calls(const Program& program);

/// Replaces groups of elementwise equations over one shape (every primitive
/// with a block kernel, and broadcast_in_dim of values from outside the group)
/// by one `fused` equation holding the group as a program: one kernel that
/// reads the group's inputs once and writes only the values read outside it.
/// Each element runs the eager kernels' scalar code in the same order, so
/// results are bitwise equal. `label` prefixes the kernels' Kokkos labels
/// ("pure::jit::<function>" under jit). A group needs two computing equations.
Program fuse_elementwise(const Program& program, const std::string& label = "pure::fused");

/// How `fused` equations run. `automatic`: over cache-sized blocks on host
/// execution spaces, one element per thread on the others (GPUs).
/// `one_element_per_thread`: the GPU path on every execution space, so that
/// it runs, and is tested, on the host too. Both give eager's bits. The
/// environment variable PURE_FUSED_EXECUTION (`automatic` or
/// `one_element_per_thread`) sets the initial mode.
enum class FusedExecution { automatic, one_element_per_thread };
void set_fused_execution(FusedExecution mode);
FusedExecution fused_execution();

}  // namespace pure::ir
