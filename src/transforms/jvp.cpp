// Forward mode: an interpreter whose values are (primal, tangent) pairs.
#include <pure/ir/interpreter.hpp>
#include <pure/transforms/flat.hpp>

#include "interpreters.hpp"

namespace pure::transforms {
namespace {

class JvpTracer : public detail::Tracer {
 public:
  JvpTracer(const JvpInterpreter* owner, Array primal, Array tangent)
      : owner_(owner), primal(std::move(primal)), tangent(std::move(tangent)) {}
  const void* owner() const override { return owner_; }

 private:
  const JvpInterpreter* owner_;

 public:
  Array primal, tangent;
};

}  // namespace

Array JvpInterpreter::pack(const Array& primal, const Array& tangent) const {
  if (ir::is_zero(tangent)) return primal;  // constant with respect to this interpreter
  return Array::traced(primal.shape(), primal.dtype(), std::make_shared<JvpTracer>(this, primal, tangent));
}

std::pair<Array, Array> JvpInterpreter::unpack(const Array& x) const {
  if (x.is_tracer() && x.tracer()->owner() == this) {
    const auto* t = static_cast<const JvpTracer*>(x.tracer().get());
    return {t->primal, t->tangent};
  }
  return {x, Array()};
}

std::vector<Array> JvpInterpreter::process(const ir::Primitive& prim, const std::vector<Array>& args,
                                           const ir::Params& params) {
  std::vector<Array> primals, tangents;
  bool any = false;
  for (const Array& a : args) {
    auto [p, t] = unpack(a);
    any = any || !ir::is_zero(t);
    primals.push_back(std::move(p));
    tangents.push_back(std::move(t));
  }
  // The rules run under the parent, so their own ops are seen by enclosing transforms.
  ir::InterpreterGuard guard(parent());
  std::vector<Array> outs = ir::bind(prim, primals, params);
  if (!any) return outs;
  if (!prim.jvp) {
    throw Error("pure::" + prim.name + ": primitive has no derivative (JVP) rule, so it cannot be differentiated");
  }
  std::vector<Array> touts = prim.jvp(primals, tangents, outs, params);
  std::vector<Array> result;
  for (std::size_t k = 0; k < outs.size(); ++k) result.push_back(pack(outs[k], touts.at(k)));
  return result;
}

}  // namespace pure::transforms

namespace pure {

namespace {
void check_tangents(const std::vector<Array>& primals, const std::vector<Array>& tangents, const char* who) {
  if (primals.size() != tangents.size()) {
    throw Error(std::string(who) + ": got " + std::to_string(primals.size()) + " primals and " +
                std::to_string(tangents.size()) + " tangents");
  }
  for (std::size_t k = 0; k < primals.size(); ++k) {
    if (ir::is_zero(tangents[k])) continue;
    if (ir::Aval::of(primals[k]) != ir::Aval::of(tangents[k])) {
      ir::check_type(ir::Aval::of(tangents[k]), ir::Aval::of(primals[k]),
                     std::string(who) + ": tangent " + std::to_string(k) + " has type " +
                         ir::Aval::of(tangents[k]).str() + " but its primal is " + ir::Aval::of(primals[k]).str());
    }
  }
}
}  // namespace

std::pair<std::vector<Array>, std::vector<Array>> jvp_flat(const FlatFn& f, const std::vector<Array>& primals,
                                                           const std::vector<Array>& tangents) {
  check_tangents(primals, tangents, "pure::jvp");
  auto interp = std::make_shared<transforms::JvpInterpreter>(ir::current_interpreter());
  std::vector<Array> ins;
  for (std::size_t k = 0; k < primals.size(); ++k) ins.push_back(interp->pack(primals[k], tangents[k]));
  std::vector<Array> outs;
  {
    ir::InterpreterGuard guard(interp);
    outs = f(ins);
  }
  std::pair<std::vector<Array>, std::vector<Array>> result;
  for (const Array& o : outs) {
    auto [p, t] = interp->unpack(o);
    result.first.push_back(std::move(p));
    result.second.push_back(std::move(t));
  }
  return result;
}

}  // namespace pure
