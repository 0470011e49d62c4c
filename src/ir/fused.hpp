// The `fused` primitive: a group of elementwise equations over one shape, run
// as one kernel (made by the fusion pass, src/ir/passes/fuse_elementwise.cpp).
//
// Its program's equations are elementwise primitives (each with a block kernel,
// Primitive::block_kernel) and broadcast_in_dim of the group's inputs. On the
// host the kernel walks the output in blocks that stay in L1; per block it
// loads broadcast operands, then runs each equation's block kernel (the eager
// kernel's own loop) from and into small per-thread registers, reading inputs
// and writing outputs in place. No compiler runs and each element goes through
// the same scalar code as eager, so the results are bitwise eager's. On device
// execution spaces (GPUs) it runs one element per thread: each thread loads its
// element of every input into registers and interprets the group's
// instructions on them (an ElementKernel, made by the ops layer, which holds
// every primitive's scalar code: src/ops/element_kernel.cpp); a group ending
// in a reduction writes the reduced value there and the eager reduction kernel
// finishes. A group that kernel cannot run (too large for its fixed register
// file) runs its equations as eager kernels there: the same bits.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <pure/ir/primitive.hpp>
#include <pure/ir/program.hpp>

namespace pure::ir::detail {

/// The registered `fused` primitive.
const Primitive& fused_primitive();

/// The params of a fused equation running `group` (its invars are the
/// equation's inputs, its outs the outputs), with its kernel prepared once;
/// `label` names the Kokkos kernel.
Params fused_params(Program group, const std::string& label);

/// A fused group compiled to run one element per thread.
class ElementKernel {
 public:
  virtual ~ElementKernel() = default;
  /// Writes the group's outputs (`out`, allocated by the caller with the
  /// group's output avals, none empty) from its inputs `in`; `label` names the kernel.
  virtual void run(const std::vector<Array>& in, const std::vector<Array>& out, const std::string& label) const = 0;
};

/// Makes a group's element kernel, or nullptr where it cannot run the group.
using ElementCompiler = std::shared_ptr<const ElementKernel> (*)(const Program& group);

/// Installs the compiler of element kernels (the ops layer does, at start-up).
bool set_element_compiler(ElementCompiler compiler);

/// Whether a fused equation (its params) runs as one kernel that reads each
/// element of its inputs before writing that element of its outputs, so an
/// output may share a same-shape input's memory (jit's donation): true for the
/// host's blocks and for the element kernel, false where its equations run
/// as eager kernels (a later one may still read an input an earlier one's
/// output would overwrite).
bool fused_runs_in_one_kernel(const Params& params);

/// Elements per block: 1024 (4 KiB of f32), so a few live registers and the
/// inputs' blocks stay in L1.
constexpr std::int64_t kFusedBlock = 1024;

}  // namespace pure::ir::detail
