#include <pure/ir/interpreter.hpp>
#include <pure/ir/program.hpp>

#include <ostream>
#include <sstream>

namespace pure::ir {
namespace {

// Variable names as jaxprs print them: a, b, ..., z, ba, bb, ...
std::string var_name(int v) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('a' + v % 26));
    v /= 26;
  } while (v > 0);
  return s;
}

std::string literal_text(const Array& a) {
  std::string s = a.str();
  return s + ":" + Aval::of(a).str();
}

}  // namespace

std::string Program::str() const {
  // Names follow first appearance (constvars, invars, then equation outputs),
  // so golden texts do not depend on internal numbering.
  std::vector<int> name(avals.size(), -1);
  int next = 0;
  auto named = [&](int v) {
    if (name[static_cast<std::size_t>(v)] < 0) name[static_cast<std::size_t>(v)] = next++;
    return var_name(name[static_cast<std::size_t>(v)]);
  };
  auto binder = [&](int v) { return named(v) + ":" + avals[static_cast<std::size_t>(v)].str(); };
  auto atom = [&](const Atom& a) { return a.is_literal() ? literal_text(a.literal) : named(a.var); };

  std::ostringstream os;
  os << "{ lambda ";
  for (std::size_t i = 0; i < constvars.size(); ++i) os << (i ? " " : "") << binder(constvars[i]);
  os << "; ";
  for (std::size_t i = 0; i < invars.size(); ++i) os << (i ? " " : "") << binder(invars[i]);
  os << ". let\n";
  for (const Eqn& e : eqns) {
    os << "    ";
    for (std::size_t i = 0; i < e.outputs.size(); ++i) os << (i ? " " : "") << binder(e.outputs[i]);
    os << " = " << e.prim->name << e.params.str();
    for (const Atom& a : e.inputs) os << " " << atom(a);
    os << "\n";
  }
  os << "  in (";
  for (std::size_t i = 0; i < outs.size(); ++i) os << (i ? ", " : "") << atom(outs[i]);
  os << (outs.size() == 1 ? ",) }" : ") }");
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Program& p) { return os << p.str(); }

void Program::typecheck() const {
  std::vector<bool> defined(avals.size(), false);
  auto define = [&](int v, const char* where) {
    if (v < 0 || static_cast<std::size_t>(v) >= avals.size() || defined[static_cast<std::size_t>(v)]) {
      throw Error(std::string("pure::ir::Program::typecheck: variable ") + std::to_string(v) + " in " + where +
                  " is out of range or defined twice");
    }
    defined[static_cast<std::size_t>(v)] = true;
  };
  auto check_use = [&](const Atom& a, const std::string& where) {
    if (a.is_literal()) return;
    if (a.var < 0 || static_cast<std::size_t>(a.var) >= avals.size() || !defined[static_cast<std::size_t>(a.var)]) {
      throw Error("pure::ir::Program::typecheck: " + where + " uses variable " + std::to_string(a.var) +
                  " before it is defined");
    }
  };
  if (consts.size() != constvars.size()) throw Error("pure::ir::Program::typecheck: consts/constvars mismatch");
  for (std::size_t i = 0; i < constvars.size(); ++i) {
    define(constvars[i], "constvars");
    if (Aval::of(consts[i]) != avals[static_cast<std::size_t>(constvars[i])]) {
      throw Error("pure::ir::Program::typecheck: const " + std::to_string(i) + " has type " +
                  Aval::of(consts[i]).str() + ", its variable " + avals[static_cast<std::size_t>(constvars[i])].str());
    }
  }
  for (int v : invars) define(v, "invars");
  for (std::size_t k = 0; k < eqns.size(); ++k) {
    const Eqn& e = eqns[k];
    const std::string where = "equation " + std::to_string(k) + " (" + e.prim->name + ")";
    std::vector<Aval> in;
    for (const Atom& a : e.inputs) {
      check_use(a, where);
      in.push_back(a.is_literal() ? Aval::of(a.literal) : avals[static_cast<std::size_t>(a.var)]);
    }
    const std::vector<Aval> out = e.prim->abstract_eval(in, e.params);
    if (out.size() != e.outputs.size()) throw Error("pure::ir::Program::typecheck: " + where + ": output count");
    for (std::size_t i = 0; i < out.size(); ++i) {
      define(e.outputs[i], where.c_str());
      if (out[i] != avals[static_cast<std::size_t>(e.outputs[i])]) {
        throw Error("pure::ir::Program::typecheck: " + where + " output " + std::to_string(i) + " is declared " +
                    avals[static_cast<std::size_t>(e.outputs[i])].str() + " but its rule gives " + out[i].str());
      }
    }
  }
  for (const Atom& a : outs) check_use(a, "the outputs");
}

std::vector<Array> eval_program(const Program& program, const std::vector<Array>& args) {
  if (args.size() != program.invars.size()) {
    throw Error("pure::ir::eval_program: program takes " + std::to_string(program.invars.size()) + " inputs, got " +
                std::to_string(args.size()));
  }
  std::vector<Array> env(program.avals.size());
  for (std::size_t i = 0; i < program.constvars.size(); ++i) {
    env[static_cast<std::size_t>(program.constvars[i])] = program.consts[i];
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const Aval& want = program.avals[static_cast<std::size_t>(program.invars[i])];
    if (Aval::of(args[i]) != want) {
      check_type(Aval::of(args[i]), want,
                 "pure::ir::eval_program: input " + std::to_string(i) + " has type " + Aval::of(args[i]).str() +
                     ", the program expects " + want.str());
    }
    env[static_cast<std::size_t>(program.invars[i])] = args[i];
  }
  auto read = [&](const Atom& a) { return a.is_literal() ? a.literal : env[static_cast<std::size_t>(a.var)]; };
  for (const Eqn& e : program.eqns) {
    std::vector<Array> in;
    in.reserve(e.inputs.size());
    for (const Atom& a : e.inputs) in.push_back(read(a));
    std::vector<Array> out = ir::bind(*e.prim, in, e.params);
    for (std::size_t i = 0; i < out.size(); ++i) env[static_cast<std::size_t>(e.outputs[i])] = std::move(out[i]);
  }
  std::vector<Array> outs;
  for (const Atom& a : program.outs) outs.push_back(read(a));
  return outs;
}

}  // namespace pure::ir
