#include "fused.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include <Kokkos_Core.hpp>

#include <pure/ir/interpreter.hpp>
#include <pure/ir/passes.hpp>

#include "../core/strided_walk.hpp"

namespace pure::ir::detail {
namespace {

// Where a value of the group lives during a block: an input array, a
// per-thread register of kFusedBlock elements, or an output array.
enum class Where { input, reg, output };
struct Loc {
  Where where = Where::reg;
  int index = 0;
};

// One instruction: an equation's block kernel, or a broadcast_in_dim of an
// input (or of a literal) gathered into its destination.
struct Instr {
  Primitive::BlockKernel kernel;  // empty for a load
  std::vector<Loc> in;
  Loc out;
  std::size_t out_bytes = 0;  // element size of the result
  // Loads only:
  int source = -1;  // input index, or -1 for `literal`
  Array literal;
  std::vector<std::int64_t> dims;  // broadcast_dimensions
  Shape source_shape;
  bool constant = false;  // one source element: filled once per thread and call, in its own register
};

// A group may end in a reduction over trailing axes: each block of a row's
// values gets its first-level partial (Primitive::reduce_blocks), and the
// eager kernel finishes the (rows, blocks) partials.
struct Reduction {
  const Primitive* prim = nullptr;
  Primitive::ReduceBlocks blocks_of;
  Loc in;         // the reduced value
  int out = -1;   // the group output it makes
  Params params;  // the reduction equation's
  Aval operand;   // of the reduced value
  std::int64_t extent = 0, rows = 0, blocks = 0;
};

struct Plan {
  std::shared_ptr<const Program> program;
  std::shared_ptr<const ElementKernel> element;  // one element per thread (nullptr: cannot)
  std::string label;
  Shape shape;  // of every value in the group (a reduction's operand too)
  std::vector<Instr> code;
  int registers = 0;
  std::vector<Aval> in_avals, out_avals;
  Reduction reduction;
};

// The elements `a` reads and its stride per axis of its own shape.
std::pair<const void*, std::vector<std::int64_t>> elements_of(const Array& a) {
  if (a.is_broadcast_view()) return {a.broadcast_source().data(), a.broadcast_strides()};
  return {a.data(), pure::detail::row_major_strides(a.shape())};
}

std::atomic<ElementCompiler> g_element_compiler{nullptr};

FusedExecution execution_from_environment() {
  const char* v = std::getenv("PURE_FUSED_EXECUTION");
  if (v == nullptr || std::string(v).empty() || std::string(v) == "automatic") return FusedExecution::automatic;
  if (std::string(v) == "one_element_per_thread") return FusedExecution::one_element_per_thread;
  throw Error(std::string("pure: environment variable PURE_FUSED_EXECUTION='") + v +
              "' is not one of 'automatic', 'one_element_per_thread'");
}

std::atomic<FusedExecution>& execution_mode() {
  static std::atomic<FusedExecution> mode{execution_from_environment()};
  return mode;
}

std::shared_ptr<const Plan> compile(Program group, const std::string& label) {
  auto plan = std::make_shared<Plan>();
  plan->label = label;
  for (int v : group.invars) plan->in_avals.push_back(group.avals[static_cast<std::size_t>(v)]);
  for (const Atom& a : group.outs) plan->out_avals.push_back(group.avals[static_cast<std::size_t>(a.var)]);
  for (const Eqn& e : group.eqns) {
    if (!e.prim->reduce_blocks) {
      plan->shape = group.avals[static_cast<std::size_t>(e.outputs.at(0))].shape;
      break;
    }
  }

  std::vector<Loc> loc(group.avals.size());
  std::vector<bool> placed(group.avals.size(), false);
  for (std::size_t k = 0; k < group.invars.size(); ++k) {
    loc[static_cast<std::size_t>(group.invars[k])] = {Where::input, static_cast<int>(k)};
    placed[static_cast<std::size_t>(group.invars[k])] = true;
  }
  for (std::size_t j = 0; j < group.outs.size(); ++j) {
    const auto v = static_cast<std::size_t>(group.outs[j].var);
    if (!placed[v]) loc[v] = {Where::output, static_cast<int>(j)};
    placed[v] = true;
  }
  // Registers: a value's register is free after its last reader.
  std::vector<std::size_t> last_use(group.avals.size(), 0);
  for (std::size_t k = 0; k < group.eqns.size(); ++k) {
    for (const Atom& a : group.eqns[k].inputs) {
      if (!a.is_literal()) last_use[static_cast<std::size_t>(a.var)] = k;
    }
  }
  std::vector<int> free_regs;
  std::vector<bool> freed(group.avals.size(), false);
  for (std::size_t k = 0; k < group.eqns.size(); ++k) {
    const Eqn& e = group.eqns[k];
    Instr ins;
    const auto out = static_cast<std::size_t>(e.outputs.at(0));
    ins.out_bytes = dtype_size(group.avals[out].dtype);
    std::vector<Aval> in_avals;
    for (const Atom& a : e.inputs) {
      in_avals.push_back(a.is_literal() ? Aval::of(a.literal) : group.avals[static_cast<std::size_t>(a.var)]);
    }
    if (e.prim->reduce_blocks) {
      Reduction& r = plan->reduction;
      const Atom& a = e.inputs.at(0);
      if (a.is_literal() || k + 1 != group.eqns.size() || loc[out].where != Where::output) {
        throw Error("pure::ir::fused: a reduction must end its group (fusion pass bug)");
      }
      r.prim = e.prim;
      r.params = e.params;
      r.operand = in_avals[0];
      r.blocks_of = e.prim->reduce_blocks(in_avals[0], e.params);
      r.in = loc[static_cast<std::size_t>(a.var)];
      r.out = loc[out].index;
      r.extent = 1;
      for (std::int64_t axis : e.params.get_ints("axes")) r.extent *= in_avals[0].shape[static_cast<int>(axis)];
      r.rows = plan->shape.size() / r.extent;
      r.blocks = (r.extent + Primitive::kReduceBlock - 1) / Primitive::kReduceBlock;
      break;
    }
    if (e.prim->name == "broadcast_in_dim") {
      const Atom& a = e.inputs.at(0);
      if (a.is_literal()) {
        ins.literal = a.literal;
      } else if (loc[static_cast<std::size_t>(a.var)].where == Where::input) {
        ins.source = loc[static_cast<std::size_t>(a.var)].index;
      } else {
        throw Error("pure::ir::fused: broadcast_in_dim of a value computed in the group (fusion pass bug)");
      }
      ins.dims = e.params.get_ints("broadcast_dimensions");
      ins.source_shape = in_avals[0].shape;
    } else {
      if (e.prim->block_kernel) ins.kernel = e.prim->block_kernel(in_avals, e.params);
      if (!ins.kernel) throw Error("pure::ir::fused: primitive '" + e.prim->name + "' has no block kernel");
      for (const Atom& a : e.inputs) {
        if (a.is_literal()) throw Error("pure::ir::fused: literal operand of '" + e.prim->name + "' (fusion pass bug)");
        ins.in.push_back(loc[static_cast<std::size_t>(a.var)]);
      }
    }
    ins.constant = !ins.kernel && ins.source_shape.size() == 1;
    if (ins.constant && !placed[out]) {  // never freed: it must survive from block to block
      loc[out] = {Where::reg, plan->registers++};
      placed[out] = true;
      freed[out] = true;
    }
    if (!placed[out]) {
      int r = plan->registers;
      if (free_regs.empty()) {
        ++plan->registers;
      } else {
        r = free_regs.back();
        free_regs.pop_back();
      }
      loc[out] = {Where::reg, r};
      placed[out] = true;
    }
    ins.out = loc[out];
    plan->code.push_back(std::move(ins));
    // Freed after the result is placed: a kernel never writes over its own operand.
    for (const Atom& a : e.inputs) {
      if (a.is_literal()) continue;
      const auto v = static_cast<std::size_t>(a.var);
      if (last_use[v] == k && loc[v].where == Where::reg && !freed[v]) {
        free_regs.push_back(loc[v].index);
        freed[v] = true;
      }
    }
  }
  if (ElementCompiler compiler = g_element_compiler.load()) {
    if (!plan->reduction.prim) {
      plan->element = compiler(group);
    } else {
      // A group ending in a reduction: one element per thread for the
      // elementwise part, which writes the reduced value (after the group's
      // other outputs) for the eager reduction kernel: its tree, its bits.
      Program elementwise = group;
      const Eqn reduction = elementwise.eqns.back();
      elementwise.eqns.pop_back();
      std::vector<Atom> outs;
      for (const Atom& a : elementwise.outs) {
        if (a.var != reduction.outputs.at(0)) outs.push_back(a);
      }
      outs.push_back(reduction.inputs.at(0));
      elementwise.outs = std::move(outs);
      plan->element = compiler(elementwise);
    }
  }
  plan->program = std::make_shared<const Program>(std::move(group));
  return plan;
}

// dst[0, len) = the elements [begin, begin + len) of a strided operand.
template <class Word>
void gather_words(const pure::detail::StridedWalk<1>& walk, const Word* src, Word* dst, std::int64_t begin,
                  std::int64_t len) {
  auto cur = walk.start(begin);
  const std::int64_t s = walk.inner_stride(0);
  for (std::int64_t i = 0; i < len;) {
    const std::int64_t run = walk.run_length(cur, len - i);
    const Word* in = src + cur.off[0];
    if (s == 0) {
      std::fill(dst + i, dst + i + run, *in);
    } else {
      for (std::int64_t j = 0; j < run; ++j) dst[i + j] = in[j * s];
    }
    i += run;
    walk.advance(cur, run);
  }
}

void gather(const pure::detail::StridedWalk<1>& walk, const void* src, std::size_t bytes, void* dst, std::int64_t begin,
            std::int64_t len) {
  switch (bytes) {
    case 1:
      return gather_words(walk, static_cast<const std::uint8_t*>(src), static_cast<std::uint8_t*>(dst), begin, len);
    case 4:
      return gather_words(walk, static_cast<const std::uint32_t*>(src), static_cast<std::uint32_t*>(dst), begin, len);
    default:
      return gather_words(walk, static_cast<const std::uint64_t*>(src), static_cast<std::uint64_t*>(dst), begin, len);
  }
}

// dst[0, count) = the one element at src.
void fill(const void* src, std::size_t bytes, void* dst, std::int64_t count) {
  switch (bytes) {
    case 1: {
      const auto v = *static_cast<const std::uint8_t*>(src);
      return std::fill(static_cast<std::uint8_t*>(dst), static_cast<std::uint8_t*>(dst) + count, v);
    }
    case 4: {
      const auto v = *static_cast<const std::uint32_t*>(src);
      return std::fill(static_cast<std::uint32_t*>(dst), static_cast<std::uint32_t*>(dst) + count, v);
    }
    default: {
      const auto v = *static_cast<const std::uint64_t*>(src);
      return std::fill(static_cast<std::uint64_t*>(dst), static_cast<std::uint64_t*>(dst) + count, v);
    }
  }
}

// What one call binds: the arrays' addresses and the walks of strided reads.
struct Load {
  pure::detail::StridedWalk<1> walk;
  const void* source = nullptr;
  std::size_t bytes = 0;
  Loc out;
  bool constant = false;  // one source element (a scalar broadcast): filled once per thread and call
};

struct Bound {
  const Plan* plan = nullptr;
  std::vector<const char*> in;  // nullptr: read through a load into register in_reg[k]
  std::vector<int> in_reg;
  std::vector<Load> input_loads;  // inputs that are broadcast views, into extra registers
  std::vector<Load> instr_loads;  // per instruction (loads only)
  std::vector<char*> out;
  std::vector<int> out_reg;  // >= 0: the output shares an input's memory (donated): computed
                             // into this register, written after the block's last read
  std::vector<std::size_t> in_bytes, out_bytes;
  int registers = 0;
  std::int64_t n = 0;
  HostSimd level = HostSimd::baseline;
  std::uint64_t call = 0;  // unique per call (constants' fill stamp)
};

std::atomic<std::uint64_t> g_calls{0};

char* where_is(const Bound& b, const Loc& l, char* regs, std::int64_t begin, std::size_t bytes) {
  if (l.where == Where::input && b.in_reg[static_cast<std::size_t>(l.index)] >= 0) {
    return regs + static_cast<std::int64_t>(b.in_reg[static_cast<std::size_t>(l.index)]) * kFusedBlock * 8;
  }
  if (l.where == Where::output && b.out_reg[static_cast<std::size_t>(l.index)] >= 0) {
    return regs + static_cast<std::int64_t>(b.out_reg[static_cast<std::size_t>(l.index)]) * kFusedBlock * 8;
  }
  switch (l.where) {
    case Where::input: return const_cast<char*>(b.in[static_cast<std::size_t>(l.index)]) + begin * std::int64_t(bytes);
    case Where::output: return b.out[static_cast<std::size_t>(l.index)] + begin * std::int64_t(bytes);
    default: return regs + static_cast<std::int64_t>(l.index) * kFusedBlock * 8;
  }
}

// The elements of chunk c: blocks of kFusedBlock, except that with a
// reduction a chunk is whole rows (short rows) or starts at a multiple of
// kFusedBlock within one row, so no reduction block straddles two chunks.
std::pair<std::int64_t, std::int64_t> chunk_range(const Plan& plan, std::int64_t c) {
  const Reduction& r = plan.reduction;
  if (!r.prim) return {c * kFusedBlock, std::min(kFusedBlock, plan.shape.size() - c * kFusedBlock)};
  if (r.extent <= kFusedBlock) {
    const std::int64_t per = kFusedBlock / r.extent, first = c * per, last = std::min(r.rows, first + per);
    return {first * r.extent, (last - first) * r.extent};
  }
  const std::int64_t per_row = (r.extent + kFusedBlock - 1) / kFusedBlock, row = c / per_row;
  const std::int64_t at = (c % per_row) * kFusedBlock;
  return {row * r.extent + at, std::min(kFusedBlock, r.extent - at)};
}

std::int64_t chunk_count(const Plan& plan) {
  const Reduction& r = plan.reduction;
  if (!r.prim) return (plan.shape.size() + kFusedBlock - 1) / kFusedBlock;
  if (r.extent <= kFusedBlock) {
    const std::int64_t per = kFusedBlock / r.extent;
    return (r.rows + per - 1) / per;
  }
  return r.rows * ((r.extent + kFusedBlock - 1) / kFusedBlock);
}

void run_block(const Bound& b, std::int64_t block) {
  thread_local std::vector<std::uint64_t> scratch;
  const auto words = static_cast<std::size_t>(b.registers) * static_cast<std::size_t>(kFusedBlock);
  if (scratch.size() < words) scratch.resize(words);
  char* regs = reinterpret_cast<char*>(scratch.data());
  const auto [begin, len] = chunk_range(*b.plan, block);
  // Constants: written once per thread and call (blocks of one call on one
  // thread share them; a later call may have other values, or another plan).
  thread_local std::uint64_t filled_for = 0;
  if (filled_for != b.call) {
    const std::vector<Instr>& code = b.plan->code;
    for (std::size_t k = 0; k < code.size(); ++k) {
      if (!code[k].constant) continue;
      const Load& l = b.instr_loads[k];
      fill(l.source, l.bytes, where_is(b, code[k].out, regs, 0, l.bytes), std::min(kFusedBlock, b.n));
    }
    for (const Load& l : b.input_loads) {
      if (l.constant) fill(l.source, l.bytes, where_is(b, l.out, regs, 0, l.bytes), std::min(kFusedBlock, b.n));
    }
    filled_for = b.call;
  }
  for (const Load& l : b.input_loads) {
    if (!l.constant) gather(l.walk, l.source, l.bytes, where_is(b, l.out, regs, begin, l.bytes), begin, len);
  }
  const void* args[8];
  const std::vector<Instr>& code = b.plan->code;
  for (std::size_t k = 0; k < code.size(); ++k) {
    const Instr& ins = code[k];
    char* out = where_is(b, ins.out, regs, begin, ins.out_bytes);
    if (!ins.kernel) {
      if (!ins.constant) {
        const Load& l = b.instr_loads[k];
        gather(l.walk, l.source, l.bytes, out, begin, len);
      }
      continue;
    }
    for (std::size_t i = 0; i < ins.in.size(); ++i) {
      const Loc& l = ins.in[i];
      args[i] = where_is(b, l, regs, begin,
                         l.where == Where::input    ? b.in_bytes[static_cast<std::size_t>(l.index)]
                         : l.where == Where::output ? b.out_bytes[static_cast<std::size_t>(l.index)]
                                                    : 0);
    }
    ins.kernel(args, out, len, b.level);
  }
  const Reduction& r = b.plan->reduction;
  if (r.prim) {
    // Row segments of the chunk, each from a block boundary of its row.
    const std::size_t bytes = r.in.where == Where::input    ? b.in_bytes[static_cast<std::size_t>(r.in.index)]
                              : r.in.where == Where::output ? b.out_bytes[static_cast<std::size_t>(r.in.index)]
                                                            : 0;
    const char* values = where_is(b, r.in, regs, begin, bytes);
    const std::size_t item = b.out_bytes[static_cast<std::size_t>(r.out)];
    for (std::int64_t at = begin; at < begin + len;) {
      const std::int64_t row = at / r.extent, in_row = at % r.extent;
      const std::int64_t n = std::min(begin + len, (row + 1) * r.extent) - at;
      r.blocks_of(values + (at - begin) * static_cast<std::int64_t>(item), n,
                  b.out[static_cast<std::size_t>(r.out)] +
                      (row * r.blocks + in_row / Primitive::kReduceBlock) * static_cast<std::int64_t>(item),
                  b.level);
      at += n;
    }
  }
  for (std::size_t j = 0; j < b.out.size(); ++j) {
    if (b.out_reg[j] < 0) continue;
    std::memcpy(b.out[j] + begin * static_cast<std::int64_t>(b.out_bytes[j]),
                regs + static_cast<std::int64_t>(b.out_reg[j]) * kFusedBlock * 8,
                static_cast<std::size_t>(len) * b.out_bytes[j]);
  }
}

// Inputs that are broadcast views are read through an extra register.
void bind_inputs(Bound& b, const std::vector<Array>& in) {
  for (std::size_t k = 0; k < in.size(); ++k) {
    b.in_bytes.push_back(dtype_size(in[k].dtype()));
    if (!in[k].is_broadcast_view()) {
      b.in.push_back(static_cast<const char*>(in[k].data()));
      b.in_reg.push_back(-1);
      continue;
    }
    b.in.push_back(nullptr);
    b.in_reg.push_back(b.registers);
    const auto [data, strides] = elements_of(in[k]);
    const std::vector<std::int64_t> st[1] = {strides};
    const std::int64_t base[1] = {0};
    Load l;
    l.walk = pure::detail::make_strided_walk<1>(in[k].shape(), st, base, "pure::fused");
    l.source = data;
    l.bytes = b.in_bytes.back();
    l.out = {Where::input, static_cast<int>(k)};
    l.constant = in[k].broadcast_source().size() == 1;
    ++b.registers;
    b.input_loads.push_back(l);
  }
}

// The walk of broadcast_in_dim(source) over the group's shape.
Load bind_load(const Bound& b, const Instr& ins, const std::vector<Array>& in) {
  const Array& src = ins.source >= 0 ? in[static_cast<std::size_t>(ins.source)] : ins.literal;
  const auto [data, src_strides] = elements_of(src);
  const Shape& shape = b.plan->shape;
  std::vector<std::int64_t> strides(static_cast<std::size_t>(shape.rank()), 0);
  for (std::size_t i = 0; i < ins.dims.size(); ++i) {
    if (ins.source_shape[static_cast<int>(i)] != 1) strides[static_cast<std::size_t>(ins.dims[i])] = src_strides[i];
  }
  const std::vector<std::int64_t> st[1] = {strides};
  const std::int64_t base[1] = {0};
  Load l;
  l.walk = pure::detail::make_strided_walk<1>(shape, st, base, "pure::fused");
  l.source = data;
  l.bytes = ins.out_bytes;
  return l;
}

// Whether fused groups take the GPU path here: the element kernel, or eager
// kernels for groups it cannot run.
template <class Space>
bool gpu_path() {
  constexpr bool host = std::is_same<typename Space::memory_space, Kokkos::HostSpace>::value;
  return !host || fused_execution() == FusedExecution::one_element_per_thread;
}

template <class Space>
std::vector<Array> run_fused(const Plan& plan, const std::vector<Array>& in) {
  if (gpu_path<Space>()) {
    if (!plan.element) {
      // Groups the element kernel cannot run: their equations as eager
      // kernels (same bits).
      return eval_program(*plan.program, in);
    }
    const Reduction& r = plan.reduction;
    std::vector<Array> outs;  // the element kernel's (see compile)
    for (std::size_t j = 0; j < plan.out_avals.size(); ++j) {
      const Aval& a = plan.out_avals[j];
      if (static_cast<int>(j) != r.out) outs.push_back(Array::allocate(a.shape, a.dtype, plan.label.c_str()));
    }
    if (r.prim) outs.push_back(Array::allocate(r.operand.shape, r.operand.dtype, plan.label.c_str()));
    if (plan.shape.size() > 0) plan.element->run(in, outs, plan.label);
    if (r.prim) {
      Array reduced = bind(*r.prim, {outs.back()}, r.params).at(0);
      outs.pop_back();
      outs.insert(outs.begin() + r.out, std::move(reduced));
    }
    return outs;
  }
  const Reduction& r = plan.reduction;
  std::vector<Array> outs;
  for (std::size_t j = 0; j < plan.out_avals.size(); ++j) {
    const Aval& a = plan.out_avals[j];
    // A reduction's output starts as its (rows, blocks) partials.
    const Shape shape = static_cast<int>(j) == r.out ? Shape{r.rows, r.blocks} : a.shape;
    outs.push_back(Array::allocate(shape, a.dtype, plan.label.c_str()));
  }
  const std::int64_t n = plan.shape.size();
  if (n == 0) return outs;  // (a reduction's operand is never empty: see the pass)
  if constexpr (std::is_same<typename Space::memory_space, Kokkos::HostSpace>::value) {
    Bound b;
    b.plan = &plan;
    b.n = n;
    b.level = host_simd();
    b.call = ++g_calls;
    b.registers = plan.registers;
    bind_inputs(b, in);
    b.instr_loads.resize(plan.code.size());
    for (std::size_t k = 0; k < plan.code.size(); ++k) {
      if (!plan.code[k].kernel) b.instr_loads[k] = bind_load(b, plan.code[k], in);
    }
    for (Array& o : outs) {
      b.out_bytes.push_back(dtype_size(o.dtype()));
      b.out.push_back(static_cast<char*>(const_cast<void*>(o.data())));
      bool shared = false;
      for (const char* p : b.in) shared = shared || p == b.out.back();
      b.out_reg.push_back(shared ? b.registers++ : -1);
    }
    const Bound* bp = &b;
    Kokkos::parallel_for(plan.label, Kokkos::RangePolicy<Space, Kokkos::IndexType<std::int64_t>>(0, chunk_count(plan)),
                         [bp](std::int64_t block) { run_block(*bp, block); });
    Kokkos::fence();
    if (r.prim) {  // the eager kernel's later levels, on the partials
      Array& partials = outs[static_cast<std::size_t>(r.out)];
      partials = bind(*r.prim, {partials}, Params{{"axes", std::vector<std::int64_t>{1}}})
                     .at(0)
                     .with_shape(plan.out_avals[static_cast<std::size_t>(r.out)].shape);
    }
  }
  return outs;
}

const Plan& plan_of(const Params& params) {
  return *static_cast<const Plan*>(params.get<SubProgram>("program").compiled.get());
}

const Primitive& fused_p = register_primitive([] {
  Primitive p;
  p.name = "fused";
  p.abstract_eval = [](const std::vector<Aval>& in, const Params& params) {
    const Plan& plan = plan_of(params);
    if (in != plan.in_avals) throw Error("pure::fused: inputs do not match the group's program");
    return plan.out_avals;
  };
  p.impl = [](const std::vector<Array>& in, const Params& params) {
    return run_fused<ExecutionSpace>(plan_of(params), in);
  };
  return p;
}());

}  // namespace

const Primitive& fused_primitive() { return fused_p; }

bool fused_runs_in_one_kernel(const Params& params) {
  return !gpu_path<ExecutionSpace>() || static_cast<bool>(plan_of(params).element);
}

bool set_element_compiler(ElementCompiler compiler) {
  g_element_compiler.store(compiler);
  return true;
}

Params fused_params(Program group, const std::string& label) {
  std::shared_ptr<const Plan> plan = compile(std::move(group), label);
  // `device`: how the group runs on GPUs (dumps show it; hosts run blocks).
  const char* device = plan->element ? "one_element_per_thread" : "eager_kernels";
  return Params{{"kernel", label}, {"device", std::string(device)}, {"program", SubProgram{plan->program, plan}}};
}

}  // namespace pure::ir::detail

namespace pure::ir {

void set_fused_execution(FusedExecution mode) { detail::execution_mode().store(mode); }

FusedExecution fused_execution() { return detail::execution_mode().load(); }

}  // namespace pure::ir
