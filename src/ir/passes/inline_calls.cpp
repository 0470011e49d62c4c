// Inlining: each `jit` equation (a nested jitted call, made when an outer
// trace called a jitted function) is replaced by its program's equations, so
// the outer program's passes (CSE, fusion) see across the call boundary.
#include <pure/ir/passes.hpp>

namespace pure::ir {
namespace {

struct Inliner {
  Program out;

  int fresh(const Aval& aval) {
    out.avals.push_back(aval);
    return static_cast<int>(out.avals.size()) - 1;
  }

  // Appends `p`'s equations with its inputs bound to `args`; returns its outputs.
  std::vector<Atom> splice(const Program& p, const std::vector<Atom>& args) {
    std::vector<Atom> env(p.avals.size());
    for (std::size_t i = 0; i < p.constvars.size(); ++i) {
      const int v = fresh(p.avals[static_cast<std::size_t>(p.constvars[i])]);
      out.constvars.push_back(v);
      out.consts.push_back(p.consts[i]);
      env[static_cast<std::size_t>(p.constvars[i])] = Atom{v, Array()};
    }
    for (std::size_t i = 0; i < p.invars.size(); ++i) env[static_cast<std::size_t>(p.invars[i])] = args.at(i);
    const auto read = [&](const Atom& a) { return a.is_literal() ? a : env[static_cast<std::size_t>(a.var)]; };
    for (const Eqn& e : p.eqns) {
      std::vector<Atom> ins;
      for (const Atom& a : e.inputs) ins.push_back(read(a));
      if (e.prim->name == "jit" && e.params.has("jaxpr")) {
        const std::vector<Atom> res = splice(*e.params.get<SubProgram>("jaxpr").program, ins);
        for (std::size_t j = 0; j < e.outputs.size(); ++j) env[static_cast<std::size_t>(e.outputs[j])] = res.at(j);
        continue;
      }
      Eqn copy = e;
      copy.inputs = std::move(ins);
      for (int& v : copy.outputs) {
        const int w = fresh(p.avals[static_cast<std::size_t>(v)]);
        env[static_cast<std::size_t>(v)] = Atom{w, Array()};
        v = w;
      }
      out.eqns.push_back(std::move(copy));
    }
    std::vector<Atom> outs;
    for (const Atom& a : p.outs) outs.push_back(read(a));
    return outs;
  }
};

}  // namespace

Program inline_jit_calls(const Program& program) {
  bool any = false;
  for (const Eqn& e : program.eqns) any = any || e.prim->name == "jit";
  if (!any) return program;
  Inliner in;
  std::vector<Atom> args;
  for (std::size_t i = 0; i < program.invars.size(); ++i) {
    const int v = in.fresh(program.avals[static_cast<std::size_t>(program.invars[i])]);
    in.out.invars.push_back(v);
    args.push_back(Atom{v, Array()});
  }
  in.out.outs = in.splice(program, args);
  return in.out;
}

}  // namespace pure::ir
