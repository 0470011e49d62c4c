// Common-subexpression elimination: one forward sweep with a table keyed by
// (primitive, params, operands). Operands are compared after earlier
// replacements, so chains of duplicates collapse in one pass.
#include <pure/ir/passes.hpp>

#include <cstring>
#include <string>
#include <unordered_map>

namespace pure::ir {
namespace {

// A literal's identity: its dtype and bits (so 0.0 and -0.0 stay apart, and
// NaN literals with equal bits are shared).
std::string literal_key(const Array& a) {
  std::string key = dtype_short_name(a.dtype());
  key += ':';
  visit_dtype(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T v = a.item<T>();
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    key.append(bytes, sizeof(T));
  });
  return key;
}

}  // namespace

Program eliminate_common_subexpressions(const Program& program) {
  std::vector<int> rename(program.avals.size());
  for (std::size_t v = 0; v < rename.size(); ++v) rename[v] = static_cast<int>(v);
  auto renamed = [&](const Atom& a) {
    Atom b = a;
    if (!a.is_literal()) b.var = rename[static_cast<std::size_t>(a.var)];
    return b;
  };
  Program out;
  out.avals = program.avals;
  out.constvars = program.constvars;
  out.consts = program.consts;
  out.invars = program.invars;
  std::unordered_map<std::string, std::size_t> seen;  // key -> index in out.eqns
  for (const Eqn& e : program.eqns) {
    Eqn r = e;
    std::string key = e.prim->name + e.params.str();
    for (Atom& a : r.inputs) {
      a = renamed(a);
      key += a.is_literal() ? "|L" + literal_key(a.literal) : "|v" + std::to_string(a.var);
    }
    const auto it = seen.find(key);
    // Params::str() prints every param, but compare them exactly as well.
    if (it != seen.end() && out.eqns[it->second].params == r.params && out.eqns[it->second].prim == r.prim) {
      const Eqn& first = out.eqns[it->second];
      for (std::size_t i = 0; i < r.outputs.size(); ++i) {
        rename[static_cast<std::size_t>(r.outputs[i])] = first.outputs[i];
      }
      continue;
    }
    seen.emplace(std::move(key), out.eqns.size());
    out.eqns.push_back(std::move(r));
  }
  for (const Atom& a : program.outs) out.outs.push_back(renamed(a));
  return out;
}

}  // namespace pure::ir
