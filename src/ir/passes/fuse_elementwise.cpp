// Elementwise fusion: groups of elementwise equations over one shape become
// one `fused` equation (src/ir/fused.hpp), one kernel at run time.
//
// One forward sweep. An elementwise equation joins (and merges) the open groups
// of its shape that produce its operands, or starts a group; broadcast_in_dim
// of a value from outside starts a group as a load; a reduction over trailing
// axes of a group's value ends that group (sum(x * x) reads x once and writes
// no x * x). A group closes as soon as
// an equation outside it reads one of its values, so the fused equation can
// stand where its last member stood: every input is defined before, every
// outside reader comes after.
#include <pure/ir/passes.hpp>

#include <numeric>
#include <string>
#include <vector>

#include "../fused.hpp"

namespace pure::ir {
namespace {

bool is_load(const Eqn& e, const std::vector<Aval>& avals) {
  return e.prim->name == "broadcast_in_dim" && avals[static_cast<std::size_t>(e.outputs.at(0))].shape.size() > 0;
}

bool is_elementwise(const Eqn& e, const std::vector<Aval>& avals) {
  if (!e.prim->block_kernel || e.outputs.size() != 1) return false;
  const Shape& shape = avals[static_cast<std::size_t>(e.outputs[0])].shape;
  if (shape.size() == 0) return false;
  std::vector<Aval> in;
  for (const Atom& a : e.inputs) {
    if (a.is_literal()) return false;  // lax ops take arrays of the result's shape
    in.push_back(avals[static_cast<std::size_t>(a.var)]);
    if (in.back().shape != shape) return false;
  }
  return static_cast<bool>(e.prim->block_kernel(in, e.params));
}

// A reduction over trailing axes of a non-empty operand with a non-empty
// result: a group can end in it (its operand is then never written out).
bool is_trailing_reduction(const Eqn& e, const std::vector<Aval>& avals) {
  if (!e.prim->reduce_blocks || e.inputs.size() != 1 || e.inputs[0].is_literal() || !e.params.has("axes")) return false;
  const Aval& in = avals[static_cast<std::size_t>(e.inputs[0].var)];
  const auto& axes = e.params.get_ints("axes");
  if (axes.empty() || in.shape.size() == 0 || avals[static_cast<std::size_t>(e.outputs.at(0))].shape.size() == 0) {
    return false;
  }
  for (std::size_t k = 0; k < axes.size(); ++k) {
    if (axes[k] != in.shape.rank() - static_cast<std::int64_t>(axes.size()) + static_cast<std::int64_t>(k))
      return false;
  }
  return static_cast<bool>(e.prim->reduce_blocks(in, e.params));
}

struct Groups {
  std::vector<int> parent;
  std::vector<bool> open;
  int root(int g) {
    while (parent[static_cast<std::size_t>(g)] != g) g = parent[static_cast<std::size_t>(g)];
    return g;
  }
  int make() {
    parent.push_back(static_cast<int>(parent.size()));
    open.push_back(true);
    return parent.back();
  }
};

}  // namespace

Program fuse_elementwise(const Program& program, const std::string& label) {
  const std::size_t n = program.eqns.size();
  Groups groups;
  std::vector<int> group_of_eqn(n, -1);
  std::vector<int> producer(program.avals.size(), -1);  // equation defining each variable
  for (std::size_t k = 0; k < n; ++k) {
    const Eqn& e = program.eqns[k];
    const bool load = is_load(e, program.avals);
    const bool elementwise = !load && is_elementwise(e, program.avals);
    const bool reduction = !load && !elementwise && is_trailing_reduction(e, program.avals);
    int joined = -1;
    if (elementwise || reduction) {
      // The group's shape: the result's, or a reduction's operand's.
      const Shape& shape = program.avals[static_cast<std::size_t>(reduction ? e.inputs[0].var : e.outputs[0])].shape;
      for (const Atom& a : e.inputs) {
        const int p = producer[static_cast<std::size_t>(a.var)];
        if (p < 0 || group_of_eqn[static_cast<std::size_t>(p)] < 0) continue;
        const int g = groups.root(group_of_eqn[static_cast<std::size_t>(p)]);
        const Shape& gshape =
            program.avals[static_cast<std::size_t>(program.eqns[static_cast<std::size_t>(p)].outputs[0])].shape;
        if (!groups.open[static_cast<std::size_t>(g)] || gshape != shape) continue;
        if (joined < 0) {
          joined = g;
        } else if (g != joined) {
          groups.parent[static_cast<std::size_t>(g)] = joined;  // merge: both open, both of this shape
        }
      }
    }
    // Any group read by an equation that does not join it is closed.
    for (const Atom& a : e.inputs) {
      if (a.is_literal()) continue;
      const int p = producer[static_cast<std::size_t>(a.var)];
      if (p < 0 || group_of_eqn[static_cast<std::size_t>(p)] < 0) continue;
      const int g = groups.root(group_of_eqn[static_cast<std::size_t>(p)]);
      if (g != joined) groups.open[static_cast<std::size_t>(g)] = false;
    }
    if (elementwise || load) group_of_eqn[k] = joined >= 0 ? joined : groups.make();
    if (reduction && joined >= 0) {  // the group ends here: its result has another shape
      group_of_eqn[k] = joined;
      groups.open[static_cast<std::size_t>(joined)] = false;
    }
    for (int v : e.outputs) producer[static_cast<std::size_t>(v)] = static_cast<int>(k);
  }

  // Members per group; a group needs two computing equations to be worth a kernel.
  std::vector<std::vector<std::size_t>> members(groups.parent.size());
  for (std::size_t k = 0; k < n; ++k) {
    if (group_of_eqn[k] >= 0) members[static_cast<std::size_t>(groups.root(group_of_eqn[k]))].push_back(k);
  }
  std::vector<int> fused_at(n, -1);  // equation index -> group emitted there
  std::vector<bool> in_fused(n, false);
  for (std::size_t g = 0; g < members.size(); ++g) {
    std::size_t computing = 0;
    for (std::size_t k : members[g]) computing += is_load(program.eqns[k], program.avals) ? 0 : 1;
    if (computing < 2) continue;
    fused_at[members[g].back()] = static_cast<int>(g);
    for (std::size_t k : members[g]) in_fused[k] = true;
  }

  // Who reads each variable outside its group (or as a program output).
  std::vector<bool> read_outside(program.avals.size(), false);
  for (const Atom& a : program.outs) {
    if (!a.is_literal()) read_outside[static_cast<std::size_t>(a.var)] = true;
  }
  for (std::size_t k = 0; k < n; ++k) {
    for (const Atom& a : program.eqns[k].inputs) {
      if (a.is_literal()) continue;
      const int p = producer[static_cast<std::size_t>(a.var)];
      if (p < 0 || !in_fused[static_cast<std::size_t>(p)]) continue;
      const bool same =
          in_fused[k] && groups.root(group_of_eqn[k]) == groups.root(group_of_eqn[static_cast<std::size_t>(p)]);
      if (!same) read_outside[static_cast<std::size_t>(a.var)] = true;
    }
  }

  Program out = program;
  out.eqns.clear();
  int fused_count = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const Eqn& e = program.eqns[k];
    // A load also read outside stays as its own (free, view-making) equation.
    const bool load_kept =
        in_fused[k] && is_load(e, program.avals) && read_outside[static_cast<std::size_t>(e.outputs[0])];
    if (!in_fused[k] || load_kept) out.eqns.push_back(e);
    if (fused_at[k] < 0) continue;
    // The group's own program, its variables renumbered.
    Program group;
    std::vector<int> inner(program.avals.size(), -1);
    auto var = [&](int v) {
      int& i = inner[static_cast<std::size_t>(v)];
      if (i < 0) {
        i = static_cast<int>(group.avals.size());
        group.avals.push_back(program.avals[static_cast<std::size_t>(v)]);
      }
      return i;
    };
    Eqn call;
    std::string ops;
    for (std::size_t m : members[static_cast<std::size_t>(fused_at[k])]) {
      const Eqn& me = program.eqns[m];
      Eqn copy = me;
      for (Atom& a : copy.inputs) {
        if (a.is_literal()) continue;
        const int p = producer[static_cast<std::size_t>(a.var)];
        const bool from_group = p >= 0 && in_fused[static_cast<std::size_t>(p)] &&
                                groups.root(group_of_eqn[static_cast<std::size_t>(p)]) == fused_at[k];
        if (!from_group && inner[static_cast<std::size_t>(a.var)] < 0) {
          group.invars.push_back(var(a.var));
          call.inputs.push_back(a);
        }
        a.var = var(a.var);
      }
      for (int& v : copy.outputs) {
        const int outer = v;
        v = var(outer);
        if (read_outside[static_cast<std::size_t>(outer)] && !is_load(me, program.avals)) {
          group.outs.push_back(Atom{v, Array()});
          call.outputs.push_back(outer);
        }
      }
      group.eqns.push_back(std::move(copy));
      if (!is_load(me, program.avals)) ops += (ops.empty() ? "" : ",") + me.prim->name;
    }
    if (call.outputs.empty()) continue;  // nothing read outside: dead (DCE runs first, so never)
    call.prim = &detail::fused_primitive();
    call.params =
        detail::fused_params(std::move(group), label + "::fused" + std::to_string(fused_count++) + "(" + ops + ")");
    out.eqns.push_back(std::move(call));
  }
  return out;
}

}  // namespace pure::ir
