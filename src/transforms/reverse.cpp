// Reverse mode as linearize + transpose (as JAX): the JVP runs under a
// staging Builder, so tangent operations are recorded into a linear program
// while primal operations (which do not depend on the tangent inputs) run
// right away; the program is then walked backwards with each primitive's
// transpose rule.
#include <pure/core/creation.hpp>
#include <pure/ir/builder.hpp>
#include <pure/ops/lax.hpp>
#include <pure/transforms/flat.hpp>

#include "interpreters.hpp"

namespace pure {
namespace {

Array add_cts(const Array& a, const Array& b) {
  if (ir::is_zero(a)) return b;
  if (ir::is_zero(b)) return a;
  return lax::add(a, b);
}

}  // namespace

Linearized linearize_flat(const FlatFn& f, const std::vector<Array>& primals) {
  auto builder = std::make_shared<ir::Builder>(ir::current_interpreter());
  auto jvp = std::make_shared<transforms::JvpInterpreter>(builder);
  Linearized lin;
  std::vector<Array> ins;
  for (const Array& p : primals) {
    lin.in_avals.push_back(ir::Aval::of(p));
    // Only float inputs get a tangent; integer inputs are constants (as jax's float0).
    const bool differentiable = is_floating(p.dtype());
    ins.push_back(differentiable ? jvp->pack(p, builder->new_input(ir::Aval::of(p))) : p);
    if (!differentiable) builder->new_input(ir::Aval::of(p));  // keeps inputs aligned; never used
  }
  std::vector<Array> outs;
  {
    ir::InterpreterGuard guard(jvp);
    outs = f(ins);
  }
  std::vector<Array> tangent_outs;
  for (const Array& o : outs) {
    auto [p, t] = jvp->unpack(o);
    lin.outs.push_back(p);
    lin.out_avals.push_back(ir::Aval::of(p));
    lin.out_is_zero.push_back(!builder->owns(t));
    tangent_outs.push_back(builder->owns(t) ? t : Array());
  }
  std::vector<Array> staged;
  for (std::size_t k = 0; k < tangent_outs.size(); ++k) {
    // Zero outputs still need an atom; a scalar zero literal of the right dtype is cheapest.
    staged.push_back(lin.out_is_zero[k] ? pure::zeros({}, lin.out_avals[k].dtype) : tangent_outs[k]);
  }
  lin.program = builder->finish(staged);
#ifndef NDEBUG
  lin.program.typecheck();
#endif
  return lin;
}

std::vector<Array> Linearized::apply(const std::vector<Array>& tangents) const {
  if (tangents.size() != in_avals.size()) {
    throw Error("pure::linearize: the linear map takes " + std::to_string(in_avals.size()) + " tangents, got " +
                std::to_string(tangents.size()));
  }
  std::vector<Array> ins;
  for (std::size_t k = 0; k < tangents.size(); ++k) {
    ins.push_back(ir::is_zero(tangents[k]) ? pure::zeros(in_avals[k].shape, in_avals[k].dtype) : tangents[k]);
  }
  std::vector<Array> outs = ir::eval_program(program, ins);
  for (std::size_t k = 0; k < outs.size(); ++k) {
    if (out_is_zero[k]) outs[k] = pure::zeros(out_avals[k].shape, out_avals[k].dtype);
  }
  return outs;
}

std::vector<Array> Linearized::transpose(const std::vector<Array>& cotangents) const {
  if (cotangents.size() != out_avals.size()) {
    throw Error("pure::vjp: the pullback takes " + std::to_string(out_avals.size()) + " cotangents, got " +
                std::to_string(cotangents.size()));
  }
  std::vector<Array> cts;
  for (std::size_t k = 0; k < cotangents.size(); ++k) {
    if (!ir::is_zero(cotangents[k]) && ir::Aval::of(cotangents[k]) != out_avals[k]) {
      ir::check_type(ir::Aval::of(cotangents[k]), out_avals[k],
                     "pure::vjp: cotangent " + std::to_string(k) + " has type " + ir::Aval::of(cotangents[k]).str() +
                         " but the output is " + out_avals[k].str());
    }
    cts.push_back(out_is_zero[k] ? Array() : cotangents[k]);
  }
  std::vector<Array> in_cts = backward_pass(program, cts);
  for (std::size_t k = 0; k < in_cts.size(); ++k) {
    if (ir::is_zero(in_cts[k])) in_cts[k] = pure::zeros(in_avals[k].shape, in_avals[k].dtype);
  }
  return in_cts;
}

std::pair<std::vector<Array>, std::function<std::vector<Array>(const std::vector<Array>&)>> vjp_flat(
    const FlatFn& f, const std::vector<Array>& primals) {
  auto lin = std::make_shared<Linearized>(linearize_flat(f, primals));
  std::vector<Array> outs = lin->outs;
  return {outs, [lin](const std::vector<Array>& cts) { return lin->transpose(cts); }};
}

std::vector<Array> backward_pass(const ir::Program& program, const std::vector<Array>& cotangents) {
  const std::size_t n = program.avals.size();
  std::vector<bool> linear(n, false);
  std::vector<Array> value(n);  // values of the non-linear variables (consts)
  std::vector<Array> ct(n);
  for (int v : program.invars) linear[static_cast<std::size_t>(v)] = true;
  for (const ir::Eqn& e : program.eqns) {
    for (int v : e.outputs) linear[static_cast<std::size_t>(v)] = true;
  }
  for (std::size_t i = 0; i < program.constvars.size(); ++i) {
    value[static_cast<std::size_t>(program.constvars[i])] = program.consts[i];
  }
  for (std::size_t k = 0; k < program.outs.size(); ++k) {
    const ir::Atom& a = program.outs[k];
    if (!a.is_literal() && linear[static_cast<std::size_t>(a.var)]) {
      ct[static_cast<std::size_t>(a.var)] = add_cts(ct[static_cast<std::size_t>(a.var)], cotangents.at(k));
    }
  }
  for (auto it = program.eqns.rbegin(); it != program.eqns.rend(); ++it) {
    const ir::Eqn& e = *it;
    std::vector<Array> cts_out;
    bool any = false;
    for (int v : e.outputs) {
      cts_out.push_back(std::move(ct[static_cast<std::size_t>(v)]));  // freed as soon as it is consumed
      any = any || !ir::is_zero(cts_out.back());
    }
    if (!any) continue;
    std::vector<Array> args;
    std::vector<bool> lin;
    std::vector<ir::Aval> in_avals;
    for (const ir::Atom& a : e.inputs) {
      const bool l = !a.is_literal() && linear[static_cast<std::size_t>(a.var)];
      lin.push_back(l);
      args.push_back(l ? Array() : (a.is_literal() ? a.literal : value[static_cast<std::size_t>(a.var)]));
      in_avals.push_back(a.is_literal() ? ir::Aval::of(a.literal) : program.avals[static_cast<std::size_t>(a.var)]);
    }
    if (!e.prim->transpose) {
      throw Error("pure::vjp: primitive '" + e.prim->name +
                  "' appears in a tangent computation but has no transpose rule (it is not linear)");
    }
    const std::vector<Array> in_cts = e.prim->transpose(cts_out, args, lin, in_avals, e.params);
    for (std::size_t k = 0; k < e.inputs.size(); ++k) {
      if (lin[k] && !ir::is_zero(in_cts.at(k))) {
        const auto v = static_cast<std::size_t>(e.inputs[k].var);
        ct[v] = add_cts(ct[v], in_cts[k]);
      }
    }
  }
  std::vector<Array> result;
  for (int v : program.invars) result.push_back(ct[static_cast<std::size_t>(v)]);
  return result;
}

ir::Program make_program_flat(const FlatFn& f, const std::vector<ir::Aval>& in_avals) {
  return ir::trace_program(f, in_avals);
}

}  // namespace pure
