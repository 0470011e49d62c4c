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
// execution spaces it runs the group's equations one kernel each (eager).
#pragma once

#include <string>

#include <pure/ir/primitive.hpp>
#include <pure/ir/program.hpp>

namespace pure::ir::detail {

/// The registered `fused` primitive.
const Primitive& fused_primitive();

/// The params of a fused equation running `group` (its invars are the
/// equation's inputs, its outs the outputs), with its kernel prepared once;
/// `label` names the Kokkos kernel.
Params fused_params(Program group, const std::string& label);

/// Elements per block: 1024 (4 KiB of f32), so a few live registers and the
/// inputs' blocks stay in L1.
constexpr std::int64_t kFusedBlock = 1024;

}  // namespace pure::ir::detail
