// Algebraic simplification that is exact in IEEE arithmetic: each rewrite
// gives the same bits as the equation it removes, for every input (signed
// zeros and NaN included). So x * 1, x / 1, x + (-0.0), x - (+0.0) go (but not
// x + 0.0: -0.0 + 0.0 is +0.0), as do conversions to the same dtype, reshapes
// and broadcasts to the operand's own shape, identity transposes, and chains of
// reshapes or transposes, which become one. One rewrite keeps the arithmetic
// instead of removing it: a transpose that swaps the two operands' free axes
// of a dot_general's result becomes the dot_general of the swapped operands
// (what the VJP of a dense layer produces for its weight gradient), so no
// transposed copy is written.
#include <pure/ir/passes.hpp>

#include <cmath>
#include <optional>
#include <type_traits>

namespace pure::ir {
namespace {

struct Constant {
  double value = 0;
  bool negative_zero = false;
};

// Where the values of a program's variables are known: consts, and equations.
struct Known {
  std::vector<const Eqn*> producer;    // by variable; nullptr for inputs and consts
  std::vector<const Array*> constant;  // by variable; the const bound to a constvar
};

// The value of an operand that is one scalar everywhere: a rank-0 literal, a
// broadcast_in_dim of one (a traced `x * 2.0`), or a const that is a broadcast
// view of one element (an eager `x * 2.0` captured by the trace).
std::optional<Constant> constant_of(const Atom& a, const Known& known) {
  Array one;  // the single element, as a concrete array of size 1
  if (a.is_literal()) {
    one = a.literal;
  } else if (const Eqn* e = known.producer[static_cast<std::size_t>(a.var)];
             e != nullptr && e->prim->name == "broadcast_in_dim" && e->inputs[0].is_literal()) {
    one = e->inputs[0].literal;
  } else if (const Array* c = known.constant[static_cast<std::size_t>(a.var)]; c != nullptr) {
    if (c->rank() == 0)
      one = *c;
    else if (c->is_broadcast_view() && c->broadcast_source().size() == 1)
      one = c->broadcast_source();
  }
  if (!one.valid() || one.size() != 1 || one.is_tracer() || one.dtype() == DType::boolean) return std::nullopt;
  // Exact for every dtype's 0 and 1, which is all the rewrites ask about.
  const double v = visit_dtype(one.dtype(), [&](auto zero) {
    using T = decltype(zero);
    if constexpr (std::is_same_v<T, bool>) {
      return 0.0;  // excluded above
    } else {
      return static_cast<double>(one.to_host<T>()[0]);
    }
  });
  return Constant{v, v == 0 && std::signbit(v)};
}

bool is_one(const std::optional<Constant>& c) { return c && c->value == 1.0; }

// transpose(dot_general(x, y)) as dot_general(y, x), if `transpose` (with its
// operand's producer `dot`) puts all of y's free axes before all of x's, each
// group in order, and there are no batch axes. Every element is then the same
// sum of the same products in the same order (x * y == y * x; fma is symmetric
// in its factors): bitwise the same in the reproducible matmul mode. (With
// PURE_MATMUL_PRECISION=fast the vendor BLAS may round the two layouts
// differently, as it may any two calls; XLA folds transposes into dots alike.)
std::optional<Eqn> swapped_dot(const Eqn& transpose, const Eqn& dot, const std::vector<Aval>& avals) {
  if (dot.prim->name != "dot_general" || !dot.params.get_ints("lhs_batch").empty() ||
      !dot.params.get_ints("rhs_batch").empty()) {
    return std::nullopt;
  }
  auto rank = [&](const Atom& a) {
    return static_cast<std::int64_t>(a.is_literal() ? a.literal.rank()
                                                    : avals[static_cast<std::size_t>(a.var)].shape.rank());
  };
  const auto& lhs_contract = dot.params.get_ints("lhs_contract");
  const auto& rhs_contract = dot.params.get_ints("rhs_contract");
  const std::int64_t lhs_free = rank(dot.inputs[0]) - static_cast<std::int64_t>(lhs_contract.size());
  const std::int64_t rhs_free = rank(dot.inputs[1]) - static_cast<std::int64_t>(rhs_contract.size());
  const auto& perm = transpose.params.get_ints("permutation");
  if (static_cast<std::int64_t>(perm.size()) != lhs_free + rhs_free || lhs_free == 0 || rhs_free == 0) {
    return std::nullopt;
  }
  for (std::int64_t i = 0; i < lhs_free + rhs_free; ++i) {
    if (perm[static_cast<std::size_t>(i)] != (i < rhs_free ? lhs_free + i : i - rhs_free)) return std::nullopt;
  }
  Eqn swapped = dot;
  swapped.inputs = {dot.inputs[1], dot.inputs[0]};
  swapped.outputs = transpose.outputs;
  swapped.params.set("lhs_contract", rhs_contract);
  swapped.params.set("rhs_contract", lhs_contract);
  return swapped;
}

}  // namespace

Program simplify(const Program& program) {
  std::vector<int> rename(program.avals.size());
  for (std::size_t v = 0; v < rename.size(); ++v) rename[v] = static_cast<int>(v);
  Known known{std::vector<const Eqn*>(program.avals.size(), nullptr),
              std::vector<const Array*>(program.avals.size(), nullptr)};
  for (std::size_t i = 0; i < program.constvars.size(); ++i) {
    known.constant[static_cast<std::size_t>(program.constvars[i])] = &program.consts[i];
  }
  // Readers of each variable (equations and outputs); a variable that a
  // removed equation stood for passes its readers to its replacement.
  std::vector<int> readers(program.avals.size(), 0);
  for (const Eqn& e : program.eqns)
    for (const Atom& a : e.inputs)
      if (!a.is_literal()) ++readers[static_cast<std::size_t>(a.var)];
  for (const Atom& a : program.outs)
    if (!a.is_literal()) ++readers[static_cast<std::size_t>(a.var)];
  auto renamed = [&](Atom a) {
    if (!a.is_literal()) a.var = rename[static_cast<std::size_t>(a.var)];
    return a;
  };
  auto aval_of = [&](const Atom& a) {
    return a.is_literal() ? Aval::of(a.literal) : program.avals[static_cast<std::size_t>(a.var)];
  };

  Program out;
  out.avals = program.avals;
  out.constvars = program.constvars;
  out.consts = program.consts;
  out.invars = program.invars;
  out.eqns.reserve(program.eqns.size());
  for (const Eqn& original : program.eqns) {
    Eqn e = original;
    for (Atom& a : e.inputs) a = renamed(a);
    const std::string& name = e.prim->name;
    const Aval result = program.avals[static_cast<std::size_t>(e.outputs[0])];
    // An operand that can stand for the result (same type, same bits).
    std::optional<Atom> same;
    auto takes = [&](const Atom& a) { return !a.is_literal() && aval_of(a) == result; };
    if (name == "mul") {
      if (is_one(constant_of(e.inputs[1], known)) && takes(e.inputs[0]))
        same = e.inputs[0];
      else if (is_one(constant_of(e.inputs[0], known)) && takes(e.inputs[1]))
        same = e.inputs[1];
    } else if (name == "div") {
      if (is_one(constant_of(e.inputs[1], known)) && takes(e.inputs[0])) same = e.inputs[0];
    } else if (name == "add" || name == "sub") {
      // x + c with c = -0.0 (or integer 0) and x - c with c = +0.0 (or 0) are x.
      const bool floating = is_floating(result.dtype);
      auto zero_keeping_x = [&](const std::optional<Constant>& c, bool subtracting) {
        return c && c->value == 0 && (!floating || c->negative_zero != subtracting);
      };
      if (zero_keeping_x(constant_of(e.inputs[1], known), name == "sub") && takes(e.inputs[0])) {
        same = e.inputs[0];
      } else if (name == "add" && zero_keeping_x(constant_of(e.inputs[0], known), false) && takes(e.inputs[1])) {
        same = e.inputs[1];
      }
    } else if (name == "convert_element_type" || name == "reshape" || name == "broadcast_in_dim") {
      // To the operand's own type: nothing moves (broadcast dims are then 0..r-1).
      if (takes(e.inputs[0])) same = e.inputs[0];
    } else if (name == "transpose") {
      const auto& perm = e.params.get_ints("permutation");
      bool identity = true;
      for (std::size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<std::int64_t>(i);
      if (identity && takes(e.inputs[0])) same = e.inputs[0];
    }
    if (same) {
      rename[static_cast<std::size_t>(e.outputs[0])] = same->var;
      readers[static_cast<std::size_t>(same->var)] += readers[static_cast<std::size_t>(e.outputs[0])] - 1;
      continue;
    }
    // transpose(dot_general(x, y)) -> dot_general(y, x) when the transpose is
    // the product's only reader (dead code elimination then drops the product).
    if (name == "transpose" && !e.inputs[0].is_literal() && readers[static_cast<std::size_t>(e.inputs[0].var)] == 1) {
      const Eqn* dot = known.producer[static_cast<std::size_t>(e.inputs[0].var)];
      if (dot != nullptr) {
        if (std::optional<Eqn> swapped = swapped_dot(e, *dot, program.avals)) {
          out.eqns.push_back(std::move(*swapped));
          for (int v : out.eqns.back().outputs) known.producer[static_cast<std::size_t>(v)] = &out.eqns.back();
          continue;
        }
      }
    }
    // reshape(reshape(x)) -> reshape(x); transpose(transpose(x)) -> one transpose.
    if (!e.inputs[0].is_literal()) {
      const Eqn* inner = known.producer[static_cast<std::size_t>(e.inputs[0].var)];
      if (inner != nullptr && inner->prim == e.prim && name == "reshape") {
        e.inputs[0] = inner->inputs[0];
      } else if (inner != nullptr && inner->prim == e.prim && name == "transpose") {
        const auto& outer_perm = e.params.get_ints("permutation");
        const auto& inner_perm = inner->params.get_ints("permutation");
        std::vector<std::int64_t> composed(outer_perm.size());
        for (std::size_t i = 0; i < outer_perm.size(); ++i) {
          composed[i] = inner_perm[static_cast<std::size_t>(outer_perm[i])];
        }
        e.inputs[0] = inner->inputs[0];
        e.params.set("permutation", composed);
        bool identity = true;
        for (std::size_t i = 0; i < composed.size(); ++i)
          identity = identity && composed[i] == static_cast<std::int64_t>(i);
        if (identity && takes(e.inputs[0])) {
          rename[static_cast<std::size_t>(e.outputs[0])] = e.inputs[0].var;
          continue;
        }
      }
    }
    out.eqns.push_back(std::move(e));
    for (int v : out.eqns.back().outputs) known.producer[static_cast<std::size_t>(v)] = &out.eqns.back();
  }
  for (const Atom& a : program.outs) out.outs.push_back(renamed(a));
  return out;
}

}  // namespace pure::ir
