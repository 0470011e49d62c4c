// Fused groups one element per thread (the GPU path of the `fused` primitive,
// src/ir/fused.cpp). Each thread loads its element of the group's operands
// into registers, interprets the group's instructions on them, and stores its
// element of each output. No compiler runs: one switch over the elementwise
// primitives, each case calling the primitive's Op (scalar_ops.hpp) on the
// same dtype as its eager kernel does, so every element gets eager's bits.
//
// Everything a launch needs (instructions, operand addresses and strides) is
// in the kernel's functor, passed by value: a launch allocates nothing. Fixed
// limits keep the functor under CUDA's 4 KiB of kernel parameters and the
// registers in a small per-thread array; a group beyond them, or with a
// primitive the switch does not know, keeps the eager kernels.
#include "element_kernel.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Kokkos_Core.hpp>

#include "kernels.hpp"
#include "scalar_ops.hpp"

namespace pure::ops::detail {
namespace {

constexpr int kMaxRank = 8;
constexpr int kMaxLoads = 12;
constexpr int kMaxStores = 6;
constexpr int kMaxRegisters = 32;
constexpr int kMaxCode = 48;

enum class Code : std::uint8_t {
  load,  // imm: which Load
  neg,
  exp,
  log,
  log1p,
  expm1,
  sin,
  cos,
  tanh,
  logistic,
  sqrt,
  rsqrt,
  abs,
  sign,
  floor,
  erf,
  integer_pow,
  add,
  sub,
  mul,
  div,
  pow,
  max,
  min,
  atan2,
  logaddexp,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  select,
  convert
};

struct Instruction {
  Code code = Code::load;
  DType dtype = DType::f32;  // of the operands (select: of the chosen values)
  DType to = DType::f32;     // convert_element_type's result
  std::uint8_t out = 0, a = 0, b = 0, c = 0;
  std::int64_t imm = 0;  // integer_pow's exponent, or a load's index
};

// An operand read per element: its elements and its stride per axis of the
// group's shape (0 along broadcast axes).
struct Load {
  const void* data = nullptr;
  std::int64_t strides[kMaxRank] = {};
  std::uint8_t bytes = 0;
  bool contiguous = false;  // element i is data[i]
};

struct Store {
  void* data = nullptr;
  std::uint8_t bytes = 0, reg = 0;
};

// A register holds one value's bits in the first bytes of a 64-bit word.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T get(std::uint64_t bits) {
  union {
    std::uint64_t word;
    T v;
  } u;
  u.word = bits;
  return u.v;
}
template <class T>
KOKKOS_FORCEINLINE_FUNCTION std::uint64_t put(T value) {
  union {
    std::uint64_t word;
    T v;
  } u;
  u.word = 0;
  u.v = value;
  return u.word;
}

template <class T, class Op>
KOKKOS_FORCEINLINE_FUNCTION std::uint64_t unary_as(const Op& op, std::uint64_t x) {
  return put(op.template apply<T>(get<T>(x)));
}

// op on a value of dtype d (one of `types`: the instruction's compiler checked).
template <Types types, class Op>
KOKKOS_INLINE_FUNCTION std::uint64_t unary(const Op& op, DType d, std::uint64_t x) {
  if (d == DType::f32) return unary_as<float>(op, x);
  if (d == DType::f64) return unary_as<double>(op, x);
  if constexpr (types != Types::floating) {
    if (d == DType::i32) return unary_as<std::int32_t>(op, x);
    if (d == DType::u32) return unary_as<std::uint32_t>(op, x);
    if (d == DType::i64) return unary_as<std::int64_t>(op, x);
    if (d == DType::u64) return unary_as<std::uint64_t>(op, x);
  }
  return 0;
}

template <class T, class Op>
KOKKOS_FORCEINLINE_FUNCTION std::uint64_t binary_as(const Op& op, std::uint64_t x, std::uint64_t y) {
  return put(op.template apply<T>(get<T>(x), get<T>(y)));  // (a comparison's result is a bool)
}

template <Types types, class Op>
KOKKOS_INLINE_FUNCTION std::uint64_t binary(const Op& op, DType d, std::uint64_t x, std::uint64_t y) {
  if (d == DType::f32) return binary_as<float>(op, x, y);
  if (d == DType::f64) return binary_as<double>(op, x, y);
  if constexpr (types != Types::floating) {
    if (d == DType::i32) return binary_as<std::int32_t>(op, x, y);
    if (d == DType::u32) return binary_as<std::uint32_t>(op, x, y);
    if (d == DType::i64) return binary_as<std::int64_t>(op, x, y);
    if (d == DType::u64) return binary_as<std::uint64_t>(op, x, y);
  }
  return 0;
}

// convert_element_type's scalar code (the eager ConvertKernel's).
template <class From>
KOKKOS_INLINE_FUNCTION std::uint64_t convert_from(DType to, std::uint64_t x) {
  const From v = get<From>(x);
  switch (to) {
    case DType::f32: return put(pure::detail::convert<float>(v));
    case DType::f64: return put(pure::detail::convert<double>(v));
    case DType::i32: return put(pure::detail::convert<std::int32_t>(v));
    case DType::u32: return put(pure::detail::convert<std::uint32_t>(v));
    case DType::i64: return put(pure::detail::convert<std::int64_t>(v));
    case DType::u64: return put(pure::detail::convert<std::uint64_t>(v));
    case DType::boolean: return put(pure::detail::convert<bool>(v));
  }
  return 0;
}

KOKKOS_INLINE_FUNCTION std::uint64_t convert(DType from, DType to, std::uint64_t x) {
  switch (from) {
    case DType::f32: return convert_from<float>(to, x);
    case DType::f64: return convert_from<double>(to, x);
    case DType::i32: return convert_from<std::int32_t>(to, x);
    case DType::u32: return convert_from<std::uint32_t>(to, x);
    case DType::i64: return convert_from<std::int64_t>(to, x);
    case DType::u64: return convert_from<std::uint64_t>(to, x);
    case DType::boolean: return convert_from<bool>(to, x);
  }
  return 0;
}

KOKKOS_INLINE_FUNCTION std::uint64_t execute(const Instruction& ins, const std::uint64_t* r) {
  const DType d = ins.dtype;
  switch (ins.code) {
    case Code::load: break;  // (the kernel's loop does loads)
    case Code::neg: return unary<Types::numeric>(NegOp{}, d, r[ins.a]);
    case Code::exp: return unary<Types::floating>(ExpOp{}, d, r[ins.a]);
    case Code::log: return unary<Types::floating>(LogOp{}, d, r[ins.a]);
    case Code::log1p: return unary<Types::floating>(Log1pOp{}, d, r[ins.a]);
    case Code::expm1: return unary<Types::floating>(Expm1Op{}, d, r[ins.a]);
    case Code::sin: return unary<Types::floating>(SinOp{}, d, r[ins.a]);
    case Code::cos: return unary<Types::floating>(CosOp{}, d, r[ins.a]);
    case Code::tanh: return unary<Types::floating>(TanhOp{}, d, r[ins.a]);
    case Code::logistic: return unary<Types::floating>(LogisticOp{}, d, r[ins.a]);
    case Code::sqrt: return unary<Types::floating>(SqrtOp{}, d, r[ins.a]);
    case Code::rsqrt: return unary<Types::floating>(RsqrtOp{}, d, r[ins.a]);
    case Code::abs: return unary<Types::numeric>(AbsOp{}, d, r[ins.a]);
    case Code::sign: return unary<Types::numeric>(SignOp{}, d, r[ins.a]);
    case Code::floor: return unary<Types::floating>(FloorOp{}, d, r[ins.a]);
    case Code::erf: return unary<Types::floating>(ErfOp{}, d, r[ins.a]);
    case Code::integer_pow: {
      IntegerPowOp op;
      op.y = ins.imm;
      return unary<Types::floating>(op, d, r[ins.a]);
    }
    case Code::add: return binary<Types::numeric>(AddOp{}, d, r[ins.a], r[ins.b]);
    case Code::sub: return binary<Types::numeric>(SubOp{}, d, r[ins.a], r[ins.b]);
    case Code::mul: return binary<Types::numeric>(MulOp{}, d, r[ins.a], r[ins.b]);
    case Code::div: return binary<Types::numeric>(DivOp{}, d, r[ins.a], r[ins.b]);
    case Code::pow: return binary<Types::floating>(PowOp{}, d, r[ins.a], r[ins.b]);
    case Code::max: return binary<Types::numeric>(MaxOp{}, d, r[ins.a], r[ins.b]);
    case Code::min: return binary<Types::numeric>(MinOp{}, d, r[ins.a], r[ins.b]);
    case Code::atan2: return binary<Types::floating>(Atan2Op{}, d, r[ins.a], r[ins.b]);
    case Code::logaddexp: return binary<Types::floating>(LogAddExpOp{}, d, r[ins.a], r[ins.b]);
    case Code::lt: return binary<Types::numeric>(ltOp{}, d, r[ins.a], r[ins.b]);
    case Code::le: return binary<Types::numeric>(leOp{}, d, r[ins.a], r[ins.b]);
    case Code::gt: return binary<Types::numeric>(gtOp{}, d, r[ins.a], r[ins.b]);
    case Code::ge: return binary<Types::numeric>(geOp{}, d, r[ins.a], r[ins.b]);
    case Code::eq: return binary<Types::numeric>(eqOp{}, d, r[ins.a], r[ins.b]);
    case Code::ne: return binary<Types::numeric>(neOp{}, d, r[ins.a], r[ins.b]);
    case Code::select: return get<bool>(r[ins.a]) ? r[ins.b] : r[ins.c];  // the chosen value's bits, as eager
    case Code::convert: return convert(d, ins.to, r[ins.a]);
  }
  return 0;
}

KOKKOS_FORCEINLINE_FUNCTION std::uint64_t read(const Load& l, std::int64_t at) {
  switch (l.bytes) {
    case 1: return put(static_cast<const std::uint8_t*>(l.data)[at]);
    case 4: return put(static_cast<const std::uint32_t*>(l.data)[at]);
    default: return put(static_cast<const std::uint64_t*>(l.data)[at]);
  }
}

KOKKOS_FORCEINLINE_FUNCTION void write(const Store& s, std::int64_t at, std::uint64_t bits) {
  switch (s.bytes) {
    case 1: static_cast<std::uint8_t*>(s.data)[at] = get<std::uint8_t>(bits); break;
    case 4: static_cast<std::uint32_t*>(s.data)[at] = get<std::uint32_t>(bits); break;
    default: static_cast<std::uint64_t*>(s.data)[at] = get<std::uint64_t>(bits); break;
  }
}

// The kernel: one launch's instructions and operands, by value.
struct ElementLaunch {
  Instruction code[kMaxCode];
  Load loads[kMaxLoads];
  Store stores[kMaxStores];
  std::int64_t dims[kMaxRank] = {};
  int code_size = 0, store_count = 0, rank = 0;
  bool strided = false;  // some load needs the element's coordinates
  bool narrow = false;   // fewer than 2^31 elements: 32-bit division (64-bit is emulated on GPUs)

  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t coord[kMaxRank] = {};
    if (strided && narrow) {
      auto rest = static_cast<std::uint32_t>(i);
      for (int d = rank - 1; d >= 0; --d) {
        const auto extent = static_cast<std::uint32_t>(dims[d]);
        coord[d] = static_cast<std::int64_t>(rest % extent);
        rest /= extent;
      }
    } else if (strided) {
      std::int64_t rest = i;
      for (int d = rank - 1; d >= 0; --d) {
        coord[d] = rest % dims[d];
        rest /= dims[d];
      }
    }
    std::uint64_t r[kMaxRegisters];
    for (int k = 0; k < code_size; ++k) {
      const Instruction& ins = code[k];
      if (ins.code == Code::load) {
        const Load& l = loads[ins.imm];
        std::int64_t at = i;
        if (!l.contiguous) {
          at = 0;
          for (int d = 0; d < rank; ++d) at += coord[d] * l.strides[d];
        }
        r[ins.out] = read(l, at);
      } else {
        r[ins.out] = execute(ins, r);
      }
    }
    for (int j = 0; j < store_count; ++j) write(stores[j], i, r[stores[j].reg]);
  }
};

// Passed as a kernel argument (HintLightWeight below): CUDA allows 4 KiB,
// with room left for the policy. (Without the hint Kokkos copies functors over
// 512 bytes to constant memory, which waits for the previous such kernel.)
static_assert(sizeof(ElementLaunch) <= 3 * 1024, "the element kernel's functor must stay a kernel argument");

// The primitives the switch knows, with the dtypes their eager kernels take.
struct Known {
  const char* name;
  Code code;
  int arity;
  Types types;
};
constexpr Known kKnown[] = {
    {"neg", Code::neg, 1, Types::numeric},
    {"exp", Code::exp, 1, Types::floating},
    {"log", Code::log, 1, Types::floating},
    {"log1p", Code::log1p, 1, Types::floating},
    {"expm1", Code::expm1, 1, Types::floating},
    {"sin", Code::sin, 1, Types::floating},
    {"cos", Code::cos, 1, Types::floating},
    {"tanh", Code::tanh, 1, Types::floating},
    {"logistic", Code::logistic, 1, Types::floating},
    {"sqrt", Code::sqrt, 1, Types::floating},
    {"rsqrt", Code::rsqrt, 1, Types::floating},
    {"abs", Code::abs, 1, Types::numeric},
    {"sign", Code::sign, 1, Types::numeric},
    {"floor", Code::floor, 1, Types::floating},
    {"erf", Code::erf, 1, Types::floating},
    {"integer_pow", Code::integer_pow, 1, Types::floating},
    {"add", Code::add, 2, Types::numeric},
    {"sub", Code::sub, 2, Types::numeric},
    {"mul", Code::mul, 2, Types::numeric},
    {"div", Code::div, 2, Types::numeric},
    {"pow", Code::pow, 2, Types::floating},
    {"max", Code::max, 2, Types::numeric},
    {"min", Code::min, 2, Types::numeric},
    {"atan2", Code::atan2, 2, Types::floating},
    {"logaddexp", Code::logaddexp, 2, Types::floating},
    {"lt", Code::lt, 2, Types::numeric},
    {"le", Code::le, 2, Types::numeric},
    {"gt", Code::gt, 2, Types::numeric},
    {"ge", Code::ge, 2, Types::numeric},
    {"eq", Code::eq, 2, Types::numeric},
    {"ne", Code::ne, 2, Types::numeric},
    {"select", Code::select, 3, Types::all},
    {"convert_element_type", Code::convert, 1, Types::all},
};

const Known* known(const std::string& name) {
  for (const Known& k : kKnown) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

// What a call binds to a load: group input `input` (or `literal`), read
// through a broadcast_in_dim (`dims`, `source_shape`) or at the group's shape.
struct LoadSpec {
  int input = -1;
  Array literal;
  bool broadcast = false;
  std::vector<std::int64_t> dims;
  Shape source_shape;
  std::uint8_t bytes = 0;
};

class Compiled final : public ir::detail::ElementKernel {
 public:
  ElementLaunch launch;  // instructions and shape; operands bound per call
  std::vector<LoadSpec> loads;
  Shape shape;

  void run(const std::vector<Array>& in, const std::vector<Array>& out, const std::string& label) const override {
    ElementLaunch l = launch;
    for (std::size_t k = 0; k < loads.size(); ++k) {
      const LoadSpec& s = loads[k];
      const Array& src = s.input >= 0 ? in[static_cast<std::size_t>(s.input)] : s.literal;
      const auto [data, own] = operand_of(src);  // (strides per axis of src's own shape)
      Load& d = l.loads[k];
      d.data = data;
      d.bytes = s.bytes;
      if (!s.broadcast) {  // at the group's shape
        for (std::size_t a = 0; a < own.size(); ++a) d.strides[a] = own[a];
        d.contiguous = !src.is_broadcast_view();
      } else {
        for (std::size_t a = 0; a < s.dims.size(); ++a) {
          if (s.source_shape[static_cast<int>(a)] != 1) d.strides[s.dims[a]] = own[a];
        }
        d.contiguous = false;
      }
      l.strided = l.strided || !d.contiguous;
    }
    for (int j = 0; j < l.store_count; ++j)
      l.stores[j].data = const_cast<void*>(out[static_cast<std::size_t>(j)].data());
    l.narrow = shape.size() < (std::int64_t{1} << 31);
    Kokkos::parallel_for(
        label + ":one_element_per_thread",
        Kokkos::Experimental::require(Policy(0, shape.size()), Kokkos::Experimental::WorkItemProperty::HintLightWeight),
        l);
  }
};

}  // namespace

std::shared_ptr<const ir::detail::ElementKernel> compile_element_kernel(const ir::Program& group) {
  if (group.eqns.empty()) return nullptr;
  auto kernel = std::make_shared<Compiled>();
  ElementLaunch& l = kernel->launch;
  const auto aval = [&group](int v) -> const Aval& { return group.avals[static_cast<std::size_t>(v)]; };
  kernel->shape = aval(group.eqns.back().outputs.at(0)).shape;
  if (kernel->shape.rank() > kMaxRank || group.outs.size() > static_cast<std::size_t>(kMaxStores)) return nullptr;
  l.rank = kernel->shape.rank();
  for (int d = 0; d < l.rank; ++d) l.dims[d] = kernel->shape[d];

  // Registers: a value's register is free after its last reader; outputs keep theirs.
  constexpr std::size_t kForever = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> last_use(group.avals.size(), 0);
  for (std::size_t k = 0; k < group.eqns.size(); ++k) {
    const ir::Eqn& e = group.eqns[k];
    if (e.prim->name == "broadcast_in_dim") continue;  // (reads memory, not a register)
    for (const ir::Atom& a : e.inputs) {
      if (!a.is_literal()) last_use[static_cast<std::size_t>(a.var)] = k;
    }
  }
  for (const ir::Atom& a : group.outs) {
    if (a.is_literal()) return nullptr;
    last_use[static_cast<std::size_t>(a.var)] = kForever;
  }
  std::vector<int> reg(group.avals.size(), -1), free_regs;
  int registers = 0;
  const auto take = [&]() {
    if (!free_regs.empty()) {
      const int r = free_regs.back();
      free_regs.pop_back();
      return r;
    }
    return registers++;
  };
  const auto emit = [&](const Instruction& ins) {
    if (l.code_size < kMaxCode) l.code[l.code_size] = ins;
    ++l.code_size;
  };
  const auto add_load = [&](LoadSpec spec, int var) {
    Instruction ins;
    ins.code = Code::load;
    ins.imm = static_cast<std::int64_t>(kernel->loads.size());
    reg[static_cast<std::size_t>(var)] = take();
    ins.out = static_cast<std::uint8_t>(reg[static_cast<std::size_t>(var)]);
    kernel->loads.push_back(std::move(spec));
    emit(ins);
  };

  std::vector<int> input_of(group.avals.size(), -1);
  for (std::size_t k = 0; k < group.invars.size(); ++k) {
    input_of[static_cast<std::size_t>(group.invars[k])] = static_cast<int>(k);
  }
  // A group input is loaded just before its first reader, so its register is
  // taken no earlier than needed.
  const auto load_input = [&](int v) {
    if (reg[static_cast<std::size_t>(v)] >= 0 || input_of[static_cast<std::size_t>(v)] < 0) return true;
    if (aval(v).shape != kernel->shape) return false;
    LoadSpec s;
    s.input = input_of[static_cast<std::size_t>(v)];
    s.bytes = static_cast<std::uint8_t>(dtype_size(aval(v).dtype));
    add_load(std::move(s), v);
    return true;
  };

  for (std::size_t k = 0; k < group.eqns.size(); ++k) {
    const ir::Eqn& e = group.eqns[k];
    if (e.outputs.size() != 1) return nullptr;
    const int out = e.outputs[0];
    if (aval(out).shape != kernel->shape) return nullptr;  // (a reduction's result)
    if (e.prim->name == "broadcast_in_dim") {
      const ir::Atom& a = e.inputs.at(0);
      LoadSpec s;
      if (a.is_literal()) {
        s.literal = a.literal;
      } else if (input_of[static_cast<std::size_t>(a.var)] >= 0) {
        s.input = input_of[static_cast<std::size_t>(a.var)];
      } else {
        return nullptr;  // (a broadcast of a value computed in the group: the pass never makes one)
      }
      s.broadcast = true;
      s.dims = e.params.get_ints("broadcast_dimensions");
      s.source_shape = a.is_literal() ? a.literal.shape() : aval(a.var).shape;
      s.bytes = static_cast<std::uint8_t>(dtype_size(aval(out).dtype));
      add_load(std::move(s), out);
    } else {
      const Known* op = known(e.prim->name);
      if (op == nullptr || static_cast<int>(e.inputs.size()) != op->arity) return nullptr;
      Instruction ins;
      ins.code = op->code;
      std::uint8_t operand[3] = {0, 0, 0};
      for (std::size_t i = 0; i < e.inputs.size(); ++i) {
        if (e.inputs[i].is_literal() || !load_input(e.inputs[i].var)) return nullptr;
        if (reg[static_cast<std::size_t>(e.inputs[i].var)] < 0) return nullptr;
        operand[i] = static_cast<std::uint8_t>(reg[static_cast<std::size_t>(e.inputs[i].var)]);
      }
      // select(pred, a, b) is typed by its values; the others by their first operand.
      const DType dtype = aval(e.inputs[op->code == Code::select ? 1 : 0].var).dtype;
      if (op->code != Code::select && op->code != Code::convert && !dtype_ok(op->types, dtype)) return nullptr;
      ins.dtype = dtype;
      ins.to = aval(out).dtype;
      ins.a = operand[0];
      ins.b = operand[1];
      ins.c = operand[2];
      if (op->code == Code::integer_pow) ins.imm = e.params.get_int("y");
      // Operands whose last reader this is free their registers first: an
      // instruction reads its operands before it writes its result.
      for (const ir::Atom& a : e.inputs) {
        const auto v = static_cast<std::size_t>(a.var);
        if (last_use[v] == k && reg[v] >= 0) {
          free_regs.push_back(reg[v]);
          reg[v] = -1;
        }
      }
      reg[static_cast<std::size_t>(out)] = take();
      ins.out = static_cast<std::uint8_t>(reg[static_cast<std::size_t>(out)]);
      emit(ins);
    }
  }
  for (const ir::Atom& a : group.outs) {
    if (!load_input(a.var)) return nullptr;  // (an input returned as it is)
  }
  if (l.code_size > kMaxCode || registers > kMaxRegisters ||
      kernel->loads.size() > static_cast<std::size_t>(kMaxLoads)) {
    return nullptr;
  }
  l.store_count = static_cast<int>(group.outs.size());
  for (std::size_t j = 0; j < group.outs.size(); ++j) {
    const int v = group.outs[j].var;
    l.stores[j].bytes = static_cast<std::uint8_t>(dtype_size(aval(v).dtype));
    l.stores[j].reg = static_cast<std::uint8_t>(reg[static_cast<std::size_t>(v)]);
  }
  return kernel;
}

}  // namespace pure::ops::detail
