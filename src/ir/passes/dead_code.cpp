// Dead-code elimination: one backward sweep marking what the outputs need.
#include <pure/ir/passes.hpp>

namespace pure::ir {

Program eliminate_dead_code(const Program& program) {
  std::vector<bool> live(program.avals.size(), false);
  auto use = [&](const Atom& a) {
    if (!a.is_literal()) live[static_cast<std::size_t>(a.var)] = true;
  };
  for (const Atom& a : program.outs) use(a);
  std::vector<bool> keep(program.eqns.size(), false);
  for (std::size_t k = program.eqns.size(); k-- > 0;) {
    const Eqn& e = program.eqns[k];
    for (int v : e.outputs) keep[k] = keep[k] || live[static_cast<std::size_t>(v)];
    if (keep[k]) {
      for (const Atom& a : e.inputs) use(a);
    }
  }
  Program out;
  out.avals = program.avals;
  out.invars = program.invars;  // inputs stay: they are the function's signature
  out.outs = program.outs;
  for (std::size_t i = 0; i < program.constvars.size(); ++i) {
    if (live[static_cast<std::size_t>(program.constvars[i])]) {
      out.constvars.push_back(program.constvars[i]);
      out.consts.push_back(program.consts[i]);
    }
  }
  for (std::size_t k = 0; k < program.eqns.size(); ++k) {
    if (keep[k]) out.eqns.push_back(program.eqns[k]);
  }
  return out;
}

}  // namespace pure::ir
