// custom_jvp and custom_vjp (see include/pure/transforms/custom.hpp).
//
// A custom call asks the interpreter chain what to do, as JAX's
// process_custom_jvp_call / process_custom_vjp_call do per trace type:
//  - a JVP interpreter that owns one of the arguments runs the user's rule
//    under its parent (so enclosing transforms see, and differentiate, the
//    rule's own operations);
//  - a staging Builder that owns an argument records f's operations; one that
//    owns none passes the call to its parent (so a JVP further out still finds
//    the rule);
//  - anything else (evaluation) runs f.
// custom_vjp's JVP stages one linear primitive, custom_lin, whose transpose
// calls the user's bwd. The bwd closure travels as a "record token": a rank-0
// traced Array owned by no interpreter, so every interpreter treats it as a
// constant and the Builder captures it as a constvar of the linear program,
// which thereby keeps bwd alive exactly as long as the pullback needs it.
#include <pure/transforms/custom.hpp>

#include <pure/core/creation.hpp>
#include <pure/ir/builder.hpp>
#include <pure/ir/interpreter.hpp>

#include "interpreters.hpp"

namespace pure {
namespace {

using transforms::JvpInterpreter;

std::string who(const char* kind, const std::string& name) { return std::string("pure::") + kind + "(" + name + ")"; }

// Everything custom_lin's transpose needs besides its operands.
struct LinRecord {
  std::string name;
  VjpBwdFlat bwd;
  std::vector<ir::Aval> in_avals;            // every primal leaf of the call
  std::vector<ir::Aval> out_avals;           // every output leaf of the call
  std::vector<std::size_t> tangent_inputs;   // primal leaf of each tangent operand
  std::vector<std::size_t> tangent_outputs;  // output leaf of each custom_lin output
};

const int kTokenOwner = 0;  // its address marks tokens; no interpreter has it

class RecordToken : public detail::Tracer {
 public:
  explicit RecordToken(std::shared_ptr<const LinRecord> r) : record(std::move(r)) {}
  const void* owner() const override { return &kTokenOwner; }
  std::shared_ptr<const LinRecord> record;
};

// Output avals of custom_lin travel in its params so that abstract_eval (and
// Program::typecheck) need no record: shapes as (rank, extents...) runs.
void encode_avals(const std::vector<ir::Aval>& avals, ir::Params& params) {
  std::vector<std::int64_t> shapes, dtypes;
  for (const ir::Aval& a : avals) {
    shapes.push_back(a.shape.rank());
    for (std::int64_t d : a.shape.dims()) shapes.push_back(d);
    dtypes.push_back(static_cast<std::int64_t>(a.dtype));
  }
  params.set("out_shapes", shapes).set("out_dtypes", dtypes);
}

std::vector<ir::Aval> decode_avals(const ir::Params& params) {
  const std::vector<std::int64_t>& shapes = params.get_ints("out_shapes");
  const std::vector<std::int64_t>& dtypes = params.get_ints("out_dtypes");
  std::vector<ir::Aval> out;
  std::size_t pos = 0;
  for (std::int64_t d : dtypes) {
    const auto rank = static_cast<std::size_t>(shapes.at(pos++));
    std::vector<std::int64_t> dims(shapes.begin() + static_cast<std::ptrdiff_t>(pos),
                                   shapes.begin() + static_cast<std::ptrdiff_t>(pos + rank));
    pos += rank;
    out.push_back(ir::Aval{Shape(std::move(dims)), static_cast<DType>(d)});
  }
  return out;
}

Array zeros_of(const ir::Aval& a) { return pure::zeros(a.shape, a.dtype); }

const ir::Primitive& custom_lin_p = ir::register_primitive([] {
  ir::Primitive p;
  p.name = "custom_lin";
  // Operands: the record token, the residuals, then the tangents of the
  // differentiated inputs; outputs: tangents of the float outputs.
  p.abstract_eval = [](const std::vector<ir::Aval>& in, const ir::Params& params) {
    const auto num_res = static_cast<std::size_t>(params.get_int("num_res"));
    if (in.size() < 1 + num_res || in[0] != ir::Aval{Shape{}, DType::u32}) {
      throw Error("pure::custom_lin: needs a record token (u32[]) and " + std::to_string(num_res) +
                  " residuals before the tangents, got " + std::to_string(in.size()) + " operands");
    }
    return decode_avals(params);
  };
  p.impl = [](const std::vector<Array>&, const ir::Params& params) -> std::vector<Array> {
    throw Error(who("custom_vjp", params.get<std::string>("name")) +
                ": cannot evaluate the linear map forward; forward-mode differentiation (jvp, jacfwd, "
                "linearize) of a custom_vjp function is not supported, as in JAX; use custom_jvp");
  };
  p.transpose = [](const std::vector<Array>& cts, const std::vector<Array>& args, const std::vector<bool>& linear,
                   const std::vector<ir::Aval>& in_avals, const ir::Params& params) -> std::vector<Array> {
    const auto num_res = static_cast<std::size_t>(params.get_int("num_res"));
    const RecordToken* token = nullptr;
    if (!linear.at(0) && args.at(0).is_tracer()) token = dynamic_cast<const RecordToken*>(args[0].tracer().get());
    if (token == nullptr) {
      throw Error(
          "pure::custom_lin: operand 0 is not a custom_vjp record token (custom_lin equations are made by "
          "pure::custom_vjp only)");
    }
    const LinRecord& rec = *token->record;
    for (std::size_t k = 1; k <= num_res; ++k) {
      if (linear[k]) throw Error(who("custom_vjp", rec.name) + ": residual " + std::to_string(k - 1) + " is linear");
    }
    const std::vector<Array> res(args.begin() + 1, args.begin() + 1 + static_cast<std::ptrdiff_t>(num_res));
    // bwd sees every output's cotangent; symbolic zeros become arrays of zeros (as JAX).
    std::vector<Array> full(rec.out_avals.size());
    for (std::size_t j = 0; j < rec.tangent_outputs.size(); ++j) full[rec.tangent_outputs[j]] = cts.at(j);
    for (std::size_t k = 0; k < full.size(); ++k) {
      if (ir::is_zero(full[k])) full[k] = zeros_of(rec.out_avals[k]);
    }
    const std::vector<Array> in_cts = rec.bwd(res, full);
    if (in_cts.size() != rec.in_avals.size()) {
      throw Error(who("custom_vjp", rec.name) + ": bwd returned " + std::to_string(in_cts.size()) +
                  " cotangent leaves, the function takes " + std::to_string(rec.in_avals.size()) + " input leaves");
    }
    std::vector<Array> out(args.size());
    for (std::size_t j = 0; j < rec.tangent_inputs.size(); ++j) {
      const std::size_t leaf = rec.tangent_inputs[j];
      const Array& ct = in_cts[leaf];
      if (ir::is_zero(ct)) continue;
      const ir::Aval& want = in_avals.at(1 + num_res + j);
      if (ir::Aval::of(ct) != want) {
        ir::check_type(ir::Aval::of(ct), want,
                       who("custom_vjp", rec.name) + ": bwd returned a cotangent of type " + ir::Aval::of(ct).str() +
                           " for input leaf " + std::to_string(leaf) + " of type " + want.str());
      }
      out[1 + num_res + j] = ct;
    }
    return out;
  };
  return p;
}());

bool owned_by(const ir::Builder* b, const std::vector<Array>& args) {
  for (const Array& a : args) {
    if (b->owns(a)) return true;
  }
  return false;
}

// Splits args into primals and tangents for `jvp`; returns whether any tangent is nonzero.
bool unpack_all(const JvpInterpreter& jvp, const std::vector<Array>& args, std::vector<Array>& primals,
                std::vector<Array>& tangents) {
  bool any = false;
  for (const Array& a : args) {
    auto [p, t] = jvp.unpack(a);
    any = any || !ir::is_zero(t);
    primals.push_back(std::move(p));
    tangents.push_back(std::move(t));
  }
  return any;
}

void check_outputs(const std::string& name, const char* kind, const std::vector<Array>& outs,
                   const std::vector<Array>& touts) {
  if (touts.size() != outs.size()) {
    throw Error(who(kind, name) + ": the rule returned " + std::to_string(outs.size()) + " output leaves but " +
                std::to_string(touts.size()) + " tangent leaves");
  }
  for (std::size_t k = 0; k < outs.size(); ++k) {
    if (!ir::is_zero(touts[k]) && ir::Aval::of(touts[k]) != ir::Aval::of(outs[k])) {
      ir::check_type(ir::Aval::of(touts[k]), ir::Aval::of(outs[k]),
                     who(kind, name) + ": the rule's tangent for output leaf " + std::to_string(k) + " has type " +
                         ir::Aval::of(touts[k]).str() + " but the output is " + ir::Aval::of(outs[k]).str());
    }
  }
}

}  // namespace

std::vector<Array> custom_jvp_call_flat(const std::string& name, const FlatFn& f, const JvpRuleFlat& rule,
                                        const std::vector<Array>& args) {
  const std::shared_ptr<ir::Interpreter> cur = ir::current_interpreter();
  if (const auto* jvp = dynamic_cast<const JvpInterpreter*>(cur.get())) {
    std::vector<Array> primals, tangents;
    const bool any = unpack_all(*jvp, args, primals, tangents);
    ir::InterpreterGuard guard(jvp->parent());
    if (!any) return custom_jvp_call_flat(name, f, rule, primals);
    for (std::size_t k = 0; k < tangents.size(); ++k) {
      if (ir::is_zero(tangents[k])) tangents[k] = pure::zeros(primals[k].shape(), primals[k].dtype());
    }
    auto [outs, touts] = rule(primals, tangents);
    check_outputs(name, "custom_jvp", outs, touts);
    std::vector<Array> result;
    for (std::size_t k = 0; k < outs.size(); ++k) {
      // Integer outputs have no tangent (as jax's float0).
      result.push_back(jvp->pack(outs[k], is_floating(outs[k].dtype()) ? touts[k] : Array()));
    }
    return result;
  }
  if (const auto* builder = dynamic_cast<const ir::Builder*>(cur.get())) {
    if (!owned_by(builder, args)) {
      ir::InterpreterGuard guard(builder->parent());
      return custom_jvp_call_flat(name, f, rule, args);
    }
  }
  return f(args);
}

std::vector<Array> custom_vjp_call_flat(const std::string& name, const FlatFn& f, const VjpFwdFlat& fwd, VjpBwdFlat bwd,
                                        const std::vector<Array>& args) {
  const std::shared_ptr<ir::Interpreter> cur = ir::current_interpreter();
  if (const auto* jvp = dynamic_cast<const JvpInterpreter*>(cur.get())) {
    std::vector<Array> primals, tangents;
    const bool any = unpack_all(*jvp, args, primals, tangents);
    ir::InterpreterGuard guard(jvp->parent());
    if (!any) return custom_vjp_call_flat(name, f, fwd, std::move(bwd), primals);
    // Reverse mode linearizes: the JVP's parent is the Builder staging the
    // tangent program. Anything else is forward mode, which needs J.t and bwd
    // only gives J^T.ct.
    auto* builder = dynamic_cast<ir::Builder*>(jvp->parent().get());
    for (const Array& t : tangents) {
      if (!ir::is_zero(t) && (builder == nullptr || !builder->owns(t))) {
        throw Error(who("custom_vjp", name) +
                    ": forward-mode differentiation (jvp, jacfwd, linearize's linear map) of a custom_vjp function "
                    "is not supported, as in JAX; reverse mode (grad, vjp, jacrev) is. Use custom_jvp for a "
                    "forward-mode rule");
      }
    }
    auto [outs, res] = fwd(primals);
    auto rec = std::make_shared<LinRecord>();
    rec->name = name;
    rec->bwd = std::move(bwd);
    for (const Array& p : primals) rec->in_avals.push_back(ir::Aval::of(p));
    std::vector<ir::Aval> lin_out_avals;
    for (std::size_t k = 0; k < outs.size(); ++k) {
      rec->out_avals.push_back(ir::Aval::of(outs[k]));
      if (is_floating(outs[k].dtype())) {
        rec->tangent_outputs.push_back(k);
        lin_out_avals.push_back(rec->out_avals.back());
      }
    }
    std::vector<Array> operands;
    operands.push_back(Array::traced(Shape{}, DType::u32, std::make_shared<RecordToken>(rec)));
    for (const Array& r : res) operands.push_back(r);
    for (std::size_t k = 0; k < tangents.size(); ++k) {
      if (ir::is_zero(tangents[k])) continue;
      rec->tangent_inputs.push_back(k);
      operands.push_back(tangents[k]);
    }
    std::vector<Array> touts;
    if (!lin_out_avals.empty()) {
      ir::Params params;
      params.set("name", name).set("num_res", static_cast<std::int64_t>(res.size()));
      encode_avals(lin_out_avals, params);
      touts = ir::bind(custom_lin_p, operands, params);
    }
    std::vector<Array> result;
    for (std::size_t k = 0, j = 0; k < outs.size(); ++k) {
      const bool has = j < rec->tangent_outputs.size() && rec->tangent_outputs[j] == k;
      result.push_back(jvp->pack(outs[k], has ? touts[j++] : Array()));
    }
    return result;
  }
  if (const auto* builder = dynamic_cast<const ir::Builder*>(cur.get())) {
    if (!owned_by(builder, args)) {
      ir::InterpreterGuard guard(builder->parent());
      return custom_vjp_call_flat(name, f, fwd, std::move(bwd), args);
    }
  }
  return f(args);
}

}  // namespace pure
