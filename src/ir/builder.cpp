#include <pure/ir/builder.hpp>

#include <algorithm>

namespace pure::ir {
namespace {

class BuilderTracer : public detail::Tracer {
 public:
  BuilderTracer(const Builder* owner, int var) : owner_(owner), var_(var) {}
  const void* owner() const override { return owner_; }
  int var() const { return var_; }

 private:
  const Builder* owner_;
  int var_;
};

}  // namespace

Builder::Builder(std::shared_ptr<Interpreter> parent) : Interpreter(std::move(parent)) {}
Builder::~Builder() = default;

bool Builder::owns(const Array& a) const { return a.is_tracer() && a.tracer()->owner() == this; }

int Builder::new_var(const Aval& aval) {
  program_.avals.push_back(aval);
  return static_cast<int>(program_.avals.size()) - 1;
}

Array Builder::new_input(const Aval& aval) {
  const int v = new_var(aval);
  program_.invars.push_back(v);
  return Array::traced(aval.shape, aval.dtype, std::make_shared<BuilderTracer>(this, v));
}

Atom Builder::atom_for(const Array& a) {
  if (owns(a)) return Atom{static_cast<const BuilderTracer*>(a.tracer().get())->var(), Array()};
  if (!a.is_tracer() && a.rank() == 0) return Atom{-1, a};
  // A value from outside (concrete, or a tracer of an enclosing transform) is
  // captured once as a constvar: identified by its tracer, or by its storage
  // and type (reshape shares storage, so the type is part of the identity).
  const void* id = a.is_tracer() ? static_cast<const void*>(a.tracer().get()) : a.data();
  const Aval aval = Aval::of(a);
  for (const auto& c : const_ids_) {
    if (c.id == id && program_.avals[static_cast<std::size_t>(c.var)] == aval) return Atom{c.var, Array()};
  }
  const int v = new_var(aval);
  program_.constvars.push_back(v);
  program_.consts.push_back(a);
  const_ids_.push_back(ConstId{id, v});
  return Atom{v, Array()};
}

std::vector<Array> Builder::process(const Primitive& prim, const std::vector<Array>& args, const Params& params) {
  const bool depends = std::any_of(args.begin(), args.end(), [this](const Array& a) { return owns(a); });
  if (!depends) {
    InterpreterGuard guard(parent());
    return ir::bind(prim, args, params);
  }
  Eqn eqn;
  eqn.prim = &prim;
  eqn.params = params;
  std::vector<Aval> in;
  for (const Array& a : args) {
    eqn.inputs.push_back(atom_for(a));
    in.push_back(Aval::of(a));
  }
  const std::vector<Aval> out_avals = prim.abstract_eval(in, params);
  std::vector<Array> outs;
  for (const Aval& av : out_avals) {
    const int v = new_var(av);
    eqn.outputs.push_back(v);
    outs.push_back(Array::traced(av.shape, av.dtype, std::make_shared<BuilderTracer>(this, v)));
  }
  program_.eqns.push_back(std::move(eqn));
  return outs;
}

Program Builder::finish(const std::vector<Array>& outs) {
  if (finished_) throw Error("pure::ir::Builder::finish: called twice");
  finished_ = true;
  for (const Array& o : outs) program_.outs.push_back(atom_for(o));
  return std::move(program_);
}

Program trace_program(const std::function<std::vector<Array>(const std::vector<Array>&)>& f,
                      const std::vector<Aval>& in_avals) {
  auto builder = std::make_shared<Builder>(current_interpreter());
  std::vector<Array> ins;
  for (const Aval& a : in_avals) ins.push_back(builder->new_input(a));
  std::vector<Array> outs;
  {
    InterpreterGuard guard(builder);
    outs = f(ins);
  }
  Program p = builder->finish(outs);
  p.typecheck();
  return p;
}

}  // namespace pure::ir
