// A primitive: a named operation with the rules every transform needs. The ops
// layer fills these in (one block per primitive); transforms only read them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/core/host_simd.hpp>
#include <pure/ir/aval.hpp>
#include <pure/ir/params.hpp>

namespace pure::ir {

/// An empty (invalid) Array stands for a symbolic zero tangent or cotangent:
/// rules must handle it without materialising zeros.
inline bool is_zero(const Array& t) { return !t.valid(); }

struct Primitive {
  /// Shape/dtype rule: output avals from input avals; throws ShapeError/DTypeError
  /// naming the op, argument and shapes.
  using AbstractEval = std::function<std::vector<Aval>(const std::vector<Aval>& in, const Params& params)>;
  /// Kernel: concrete inputs to concrete outputs (runs Kokkos kernels).
  using Impl = std::function<std::vector<Array>(const std::vector<Array>& in, const Params& params)>;
  /// Forward-mode rule: tangents of the outputs given primals, their tangents
  /// (empty Array = zero) and the already computed primal outputs. Written with
  /// pure's own ops, so it can itself be differentiated.
  using Jvp = std::function<std::vector<Array>(const std::vector<Array>& primals, const std::vector<Array>& tangents,
                                               const std::vector<Array>& outs, const Params& params)>;
  /// Transpose rule of a linear primitive: cotangents of the linear inputs given
  /// the output cotangents. `args[k]` is the value of a non-linear input and an
  /// empty Array for a linear one (`linear[k]`); `in_avals` gives every input's
  /// shape. Returns one entry per input (empty = zero or non-linear).
  using Transpose = std::function<std::vector<Array>(const std::vector<Array>& cts, const std::vector<Array>& args,
                                                     const std::vector<bool>& linear, const std::vector<Aval>& in_avals,
                                                     const Params& params)>;

  /// Elementwise primitives only: the kernel over one contiguous block of n
  /// elements, out[j] = op(in[0][j], in[1][j], ...), run by jit's fused kernels
  /// on the host. It is the eager kernel's own loop (same type, same code per
  /// SIMD level), so a fused result is bitwise the eager one.
  using BlockKernel = std::function<void(const void* const* in, void* out, std::int64_t n, HostSimd level)>;
  /// The block kernel for these input types and params; an empty function when
  /// the primitive cannot run them elementwise (then it is not fused).
  using MakeBlockKernel = std::function<BlockKernel(const std::vector<Aval>& in, const Params& params)>;

  /// Reductions only: the first level of the eager kernel over trailing axes,
  /// for a contiguous run of n values that starts at a block boundary of its
  /// output's row: partial[b] = the combination of values [b * kReduceBlock,
  /// min(n, (b + 1) * kReduceBlock)), in the eager kernel's order. jit's fused
  /// kernels end in it; the eager kernel's later levels finish the partials.
  using ReduceBlocks = std::function<void(const void* values, std::int64_t n, void* partials, HostSimd level)>;
  using MakeReduceBlocks = std::function<ReduceBlocks(const Aval& in, const Params& params)>;
  static constexpr std::int64_t kReduceBlock = 256;

  std::string name;
  int num_outputs = 1;
  AbstractEval abstract_eval;
  Impl impl;
  Jvp jvp;                         // empty: not differentiable (error names the primitive)
  Transpose transpose;             // empty: not linear in any input
  MakeBlockKernel block_kernel;    // empty: not elementwise (never fused)
  MakeReduceBlocks reduce_blocks;  // empty: not a reduction that fusion can end in
};

}  // namespace pure::ir

namespace pure::ir {

/// Adds a primitive to the process-wide table and returns a reference that
/// stays valid for the program's life. Throws pure::Error if the name is taken.
/// Users register their own kernels this way (see examples/ on custom primitives).
const Primitive& register_primitive(Primitive prim);
/// The registered primitive called `name`, or nullptr.
const Primitive* find_primitive(const std::string& name);
/// Every registered primitive, in registration order.
std::vector<const Primitive*> all_primitives();

}  // namespace pure::ir
