// The checks every spec row goes through (see spec_table.hpp), the coverage
// test, and the table of elementwise primitives.
#include <algorithm>
#include <set>

#include <pure/ir/passes.hpp>

#include "kernel_launches.hpp"
#include "spec_table.hpp"

namespace spec {
namespace {

namespace lax = pure::lax;
namespace ir = pure::ir;

// Runs fused groups one element per thread (their GPU path) while alive.
struct OneElementPerThread {
  ir::FusedExecution saved = ir::fused_execution();
  OneElementPerThread() { ir::set_fused_execution(ir::FusedExecution::one_element_per_thread); }
  ~OneElementPerThread() { ir::set_fused_execution(saved); }
};

// Finite-difference step: exact quotient for linear rows, else the f64 sweet spot
// between truncation (h^2) and rounding (eps / h).
constexpr double kStepLinear = 1.0;
constexpr double kStep = 1e-5;

// FNV-1a of the row name: a fixed seed per row and check that does not depend on
// the standard library's std::hash.
std::uint64_t seed_of(const std::string& name, std::uint64_t check) {
  std::uint64_t h = 1469598103934665603ull ^ check;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}

Array draw(const Arg& a, DType dtype, std::mt19937_64& rng) {
  std::vector<LD> v(static_cast<std::size_t>(a.shape.size()));
  DType d = dtype;
  if (a.kind == Kind::boolean) {
    std::bernoulli_distribution coin(0.5);
    for (auto& x : v) x = coin(rng);
    d = DType::boolean;
  } else if (a.kind == Kind::index || a.integral || !pure::is_floating(dtype)) {
    std::uniform_int_distribution<long> pick(static_cast<long>(std::ceil(a.lo)), static_cast<long>(std::floor(a.hi)));
    for (auto& x : v) x = pick(rng);
    if (a.kind == Kind::index) d = DType::i32;
  } else {
    std::uniform_real_distribution<double> u(a.lo, a.hi);
    for (auto& x : v) x = u(rng);
  }
  return make_array(v, a.shape, d);
}

Args draw_args(const Row& row, DType dtype, std::mt19937_64& rng) {
  Args out;
  for (const Arg& a : row.args) out.push_back(draw(a, dtype, rng));
  return out;
}

// Positions of the arguments the derivative checks differentiate.
std::vector<std::size_t> diff_positions(const Row& row) {
  std::vector<std::size_t> pos;
  for (std::size_t k = 0; k < row.args.size(); ++k) {
    if (row.args[k].kind == Kind::real && !row.args[k].fixed) pos.push_back(k);
  }
  return pos;
}

Args pick(const Args& all, const std::vector<std::size_t>& pos) {
  Args out;
  for (std::size_t k : pos) out.push_back(all[k]);
  return out;
}

// The row's op as a function of its differentiated arguments only; the others are captured.
pure::FlatFn restricted(const Row& row, const Args& all) {
  const std::vector<std::size_t> pos = diff_positions(row);
  return [&row, all, pos](const Args& xs) {
    Args a = all;
    for (std::size_t k = 0; k < pos.size(); ++k) a[pos[k]] = xs[k];
    return Args{row.op(a)};
  };
}

Array direction(const Array& like, std::mt19937_64& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  std::vector<LD> v(static_cast<std::size_t>(like.size()));
  for (auto& x : v) x = n(rng);
  return make_array(v, like.shape(), like.dtype());
}

Args directions(const Args& xs, std::mt19937_64& rng) {
  Args out;
  for (const Array& x : xs) out.push_back(direction(x, rng));
  return out;
}

// x + h u, computed on the host and rounded to x's dtype.
Args shifted(const Args& xs, const Args& us, double h) {
  Args out;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    Host x = to_host_ld(xs[k]);
    const Host u = to_host_ld(us[k]);
    for (std::size_t i = 0; i < x.v.size(); ++i) x.v[i] += h * u.v[i];
    out.push_back(make_array(x.v, x.shape, xs[k].dtype()));
  }
  return out;
}

Host central_difference(const Array& plus, const Array& minus, double h) {
  Host p = to_host_ld(plus);
  const Host m = to_host_ld(minus);
  for (std::size_t i = 0; i < p.v.size(); ++i) p.v[i] = (p.v[i] - m.v[i]) / (2 * h);
  return p;
}

// A symbolic zero (empty Array) as the zeros it stands for.
Host dense(const Array& t, const Array& like) {
  if (pure::ir::is_zero(t)) return Host{like.shape(), std::vector<LD>(static_cast<std::size_t>(like.size()), 0)};
  return to_host_ld(t);
}

void expect_bitwise(const Array& a, const Array& b, const std::string& what) {
  ASSERT_EQ(ir::Aval::of(a), ir::Aval::of(b)) << what;
  const Host x = to_host_ld(a), y = to_host_ld(b);
  for (std::size_t i = 0; i < x.v.size(); ++i) {
    ASSERT_EQ(x.v[i], y.v[i]) << what << ": element " << i;
  }
}

// Records the primitives bound through it, then lets its parent run them.
class Recorder : public ir::Interpreter {
 public:
  using ir::Interpreter::Interpreter;
  std::vector<Array> process(const ir::Primitive& prim, const std::vector<Array>& args,
                             const ir::Params& params) override {
    seen.insert(prim.name);
    ir::InterpreterGuard guard(parent());
    return ir::bind(prim, args, params);
  }
  std::set<std::string> seen;
};

bool has_primitive(const ir::Program& p, const std::string& name) {
  return std::any_of(p.eqns.begin(), p.eqns.end(), [&](const ir::Eqn& e) { return e.prim->name == name; });
}

std::vector<ir::Aval> avals_of(const Args& xs) {
  std::vector<ir::Aval> out;
  for (const Array& x : xs) out.push_back(ir::Aval::of(x));
  return out;
}

Array sum_all(const Array& y) {
  std::vector<std::int64_t> axes;
  for (int d = 0; d < y.rank(); ++d) axes.push_back(d);
  return lax::reduce_sum(y, axes);
}

DType out_dtype(const Row& row, DType dtype) { return row.out_dtype ? row.out_dtype(dtype) : dtype; }

// The dtype a derivative check is accurate to: the coarser of inputs and output.
DType working_dtype(const Row& row, DType dtype) { return coarser(dtype, out_dtype(row, dtype)); }

double step(const Row& row) { return row.diff == Diff::linear ? kStepLinear : kStep; }

}  // namespace

// ---------------------------------------------------------------- forward

TEST_P(SpecForward, MatchesHostLoop) {
  const Row& row = GetParam().row;
  const DType dtype = GetParam().dtype;
  std::mt19937_64 rng(seed_of(row.name, 1));
  const Args in = draw_args(row, dtype, rng);
  const auto call = [&row, dtype](const Args& a) { return row.constant ? row.constant(dtype) : row.op(a); };
  auto recorder = std::make_shared<Recorder>(ir::current_interpreter());
  Array out;
  {
    ir::InterpreterGuard guard(recorder);
    out = call(in);
  }
  // The row really exercises the primitive it covers.
  EXPECT_TRUE(recorder->seen.count(row.prim)) << row.name << " does not bind " << row.prim;
  const DType odt = out_dtype(row, dtype);
  ASSERT_EQ(out.dtype(), odt);
  std::vector<Host> host;
  for (const Array& a : in) host.push_back(to_host_ld(a));
  Host want = row.ref(host, dtype);
  for (LD& v : want.v) v = round_to(v, odt);
  expect_close(to_host_ld(out), want, tolerance(odt, Check::forward, row.accuracy), row.name + " forward");

  // Eager evaluation is the one-equation case of evaluating the traced program.
  const pure::FlatFn f = [&call](const Args& a) { return Args{call(a)}; };
  const ir::Program program = pure::make_program_flat(f, avals_of(in));
  expect_bitwise(ir::eval_program(program, in).at(0), out, row.name + " eval_program vs eager");

  // jit(op) is eager's bits (issue 10).
  const auto jitted = pure::jit([&call](const Args& a) { return call(a); });
  expect_bitwise(jitted(in), out, row.name + " jit vs eager");

  // An elementwise primitive fused with a conversion to its own dtype runs its
  // block kernel inside a fused kernel: still eager's bits.
  const ir::Primitive* prim = ir::find_primitive(row.prim);
  if (prim != nullptr && prim->block_kernel && !row.constant) {
    const pure::FlatFn g = [&call, odt](const Args& a) {
      return Args{ir::bind1(*ir::find_primitive("convert_element_type"), {call(a)}, ir::Params{{"new_dtype", odt}})};
    };
    const ir::Program fused = ir::fuse_elementwise(pure::make_program_flat(g, avals_of(in)));
    std::size_t fused_eqns = 0;
    for (const ir::Eqn& e : fused.eqns) fused_eqns += e.prim->name == "fused" ? 1 : 0;
    if (out.size() > 0 && program.eqns.size() == 1 && program.eqns[0].prim == prim) {
      EXPECT_EQ(fused_eqns, 1u) << row.name << ": not fused\n" << fused.str();
    }
    expect_bitwise(ir::eval_program(fused, in).at(0), out, row.name + " fused vs eager");
    // The GPU path of the same group (one element per thread, run on the
    // host here): one kernel, eager's bits.
    if (fused_eqns == 1 && out.size() > 0) {
      const OneElementPerThread gpu_path;
      const pure_test::RecordKernels kernels;
      const Array per_element = ir::eval_program(fused, in).at(0);
      ASSERT_EQ(pure_test::launched_kernels().size(), 1u) << row.name << ": not one kernel";
      const std::string& label = pure_test::launched_kernels()[0];
      const std::string suffix = ":one_element_per_thread";  // the element kernel's, not the host blocks'
      EXPECT_TRUE(label.rfind("pure::fused", 0) == 0 && label.size() > suffix.size() &&
                  label.compare(label.size() - suffix.size(), std::string::npos, suffix) == 0)
          << row.name << ": " << label;
      expect_bitwise(per_element, out, row.name + " fused one element per thread vs eager");
    }
  }
}

// ---------------------------------------------------------------- first derivatives

TEST_P(SpecJvp, MatchesCentralDifferences) {
  const Row& row = GetParam().row;
  const DType dtype = GetParam().dtype;
  std::mt19937_64 rng(seed_of(row.name, 2));
  const Args all = draw_args(row, dtype, rng);
  const Args xs = pick(all, diff_positions(row));
  const Args us = directions(xs, rng);
  const pure::FlatFn f = restricted(row, all);

  auto [outs, tangents] = pure::jvp_flat(f, xs, us);
  expect_bitwise(outs.at(0), row.op(all), row.name + " jvp primal vs eager");
  const double h = step(row);
  const Host fd = central_difference(f(shifted(xs, us, h))[0], f(shifted(xs, us, -h))[0], h);
  expect_close(dense(tangents.at(0), outs[0]), fd, tolerance(working_dtype(row, dtype), Check::jvp),
               row.name + " jvp vs central differences");
}

TEST_P(SpecVjp, MatchesJvpTransposed) {
  const Row& row = GetParam().row;
  const DType dtype = GetParam().dtype;
  std::mt19937_64 rng(seed_of(row.name, 3));
  const Args all = draw_args(row, dtype, rng);
  const Args xs = pick(all, diff_positions(row));
  const Args us = directions(xs, rng);
  const pure::FlatFn f = restricted(row, all);

  auto [outs, pullback] = pure::vjp_flat(f, xs);
  expect_bitwise(outs.at(0), row.op(all), row.name + " vjp primal vs eager");
  const Array v = direction(outs[0], rng);
  const Args cts = pullback({v});
  ASSERT_EQ(cts.size(), xs.size());
  const Array ju = pure::jvp_flat(f, xs, us).second.at(0);

  const Host vh = to_host_ld(v), juh = dense(ju, outs[0]);
  const LD lhs = dot(juh, vh);
  LD rhs = 0, scale = abs_dot(juh, vh);
  for (std::size_t k = 0; k < xs.size(); ++k) {
    ASSERT_EQ(ir::Aval::of(cts[k]), ir::Aval::of(xs[k])) << row.name << " cotangent " << k;
    const Host u = to_host_ld(us[k]), c = to_host_ld(cts[k]);
    rhs += dot(u, c);
    scale += abs_dot(u, c);
  }
  expect_same_sum(lhs, rhs, scale, tolerance(working_dtype(row, dtype), Check::identity),
                  row.name + " <J u, v> vs <u, J^T v>");
}

// ---------------------------------------------------------------- second derivatives

// g(x) = sum(w * op(x)) for fixed random w; its Hessian-vector product H u is
// computed as jvp(grad g) and as grad(<grad g, u>), and compared with central
// differences of grad g.
TEST_P(SpecSecondOrder, MatchesDifferencesOfTheGradient) {
  const Row& row = GetParam().row;
  const DType dtype = GetParam().dtype;
  std::mt19937_64 rng(seed_of(row.name, 4));
  const Args all = draw_args(row, dtype, rng);
  const Args xs = pick(all, diff_positions(row));
  const Args us = directions(xs, rng);
  const pure::FlatFn f = restricted(row, all);
  const Array w = direction(f(xs)[0], rng);

  const pure::FlatFn g = [&](const Args& x) { return Args{sum_all(lax::mul(w, f(x)[0]))}; };
  const pure::FlatFn grad = [&](const Args& x) {
    auto [out, pullback] = pure::vjp_flat(g, x);
    return pullback({pure::ones({}, out[0].dtype())});
  };
  const pure::FlatFn grad_dot_u = [&](const Args& x) {
    const Args gx = grad(x);
    Array s = sum_all(lax::mul(gx[0], us[0]));
    for (std::size_t k = 1; k < gx.size(); ++k) s = lax::add(s, sum_all(lax::mul(gx[k], us[k])));
    return Args{s};
  };
  const Args hu_fwd = pure::jvp_flat(grad, xs, us).second;
  auto [s, pullback] = pure::vjp_flat(grad_dot_u, xs);
  const Args hu_rev = pullback({pure::ones({}, s[0].dtype())});

  const double h = step(row);
  const Args gp = grad(shifted(xs, us, h)), gm = grad(shifted(xs, us, -h));
  const Tol tol = tolerance(working_dtype(row, dtype), Check::second);
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const Host fd = central_difference(gp[k], gm[k], h);
    const std::string arg = " argument " + std::to_string(k);
    expect_close(dense(hu_fwd.at(k), xs[k]), fd, tol, row.name + " jvp(grad) vs differences of grad" + arg);
    expect_close(dense(hu_rev.at(k), xs[k]), fd, tol, row.name + " grad(grad) vs differences of grad" + arg);
  }
}

// ---------------------------------------------------------------- linear rows

// A linear op traced into a program and transposed by backward_pass, i.e. by
// the primitive's own transpose rule, independent of its JVP rule.
TEST_P(SpecTranspose, SatisfiesTheAdjointIdentity) {
  const Row& row = GetParam().row;
  const DType dtype = GetParam().dtype;
  std::mt19937_64 rng(seed_of(row.name, 5));
  const Args all = draw_args(row, dtype, rng);
  const Args xs = pick(all, diff_positions(row));
  const ir::Program program = pure::make_program_flat(restricted(row, all), avals_of(xs));
  ASSERT_TRUE(has_primitive(program, row.prim)) << program;

  const Args us = directions(xs, rng);
  const Array au = ir::eval_program(program, us).at(0);
  const Array v = direction(au, rng);
  const Args atv = pure::backward_pass(program, {v});
  ASSERT_EQ(atv.size(), xs.size());

  const Host auh = to_host_ld(au), vh = to_host_ld(v);
  const LD lhs = dot(auh, vh);
  LD rhs = 0, scale = abs_dot(auh, vh);
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const Host u = to_host_ld(us[k]), c = dense(atv[k], xs[k]);
    rhs += dot(u, c);
    scale += abs_dot(u, c);
  }
  expect_same_sum(lhs, rhs, scale, tolerance(working_dtype(row, dtype), Check::identity),
                  row.name + " <A u, v> vs <u, A^T v>");
}

// ---------------------------------------------------------------- zero-derivative rows

TEST_P(SpecZeroDerivative, GivesZeroTangentsAndCotangents) {
  const Row& row = GetParam().row;
  const DType dtype = GetParam().dtype;
  std::mt19937_64 rng(seed_of(row.name, 6));
  const Args all = draw_args(row, dtype, rng);
  const Args xs = pick(all, diff_positions(row));
  const Args us = directions(xs, rng);
  const pure::FlatFn f = restricted(row, all);

  auto [outs, tangents] = pure::jvp_flat(f, xs, us);
  for (LD t : dense(tangents.at(0), outs[0]).v) ASSERT_EQ(t, 0) << row.name << " tangent";
  if (!pure::is_floating(outs[0].dtype())) return;  // no cotangent for integer/boolean results
  auto [vouts, pullback] = pure::vjp_flat(f, xs);
  const Args cts = pullback({direction(vouts[0], rng)});
  for (std::size_t k = 0; k < cts.size(); ++k) {
    for (LD c : to_host_ld(cts[k]).v) ASSERT_EQ(c, 0) << row.name << " cotangent " << k;
  }
}

// ---------------------------------------------------------------- coverage

std::vector<Exemption> exempt_primitives() {
  // A primitive listed here needs a reason and its own tests elsewhere.
  return {
      {"custom_lin",
       "internal to pure::custom_vjp: operand 0 is a record token only custom_vjp makes, and it has no forward "
       "kernel; tested through custom_vjp in tests/transforms/test_custom.cpp"},
      {"fused",
       "made only by jit's fusion pass (a group of the other primitives); every elementwise row runs through it in "
       "SpecForward, and tests/ir/test_passes.cpp tests its grouping and kernels"},
      {"jit",
       "a staged call of a jitted function (it holds the callee's program); its impl and JVP rule are tested in "
       "tests/transforms/test_jit.cpp (JitPrimitive.*), and SpecForward runs every row under jit"},
  };
}

namespace {
std::vector<Row> all_rows() {
  std::vector<Row> rows = elementwise_rows();
  for (auto table : {structural_rows, reduction_rows, math_rows, structure_rows}) {
    for (Row& r : table()) rows.push_back(std::move(r));
  }
  return rows;
}
}  // namespace

// A new primitive cannot skip the table: registering it without a row fails here.
// Primitives named "test_*" are ones that tests register for themselves.
TEST(SpecCoverage, EveryRegisteredPrimitiveHasARow) {
  std::set<std::string> covered;
  for (const Row& r : all_rows()) covered.insert(r.prim);
  for (const Exemption& e : exempt_primitives()) covered.insert(e.prim);
  std::size_t checked = 0;
  for (const ir::Primitive* p : ir::all_primitives()) {
    if (p->name.rfind("test_", 0) == 0) continue;
    ++checked;
    EXPECT_TRUE(covered.count(p->name)) << "primitive '" << p->name
                                        << "' has no spec row: add one to tests/ops/test_spec_<family>.cpp";
  }
  EXPECT_GE(checked, 37u) << "fewer primitives registered than the library defines";
}

TEST(SpecCoverage, RowsAreUniqueAndNameRegisteredPrimitives) {
  std::set<std::string> names;
  for (const Row& r : all_rows()) {
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate row name " << r.name;
    EXPECT_NE(ir::find_primitive(r.prim), nullptr) << "row " << r.name << " names unknown primitive " << r.prim;
    EXPECT_EQ(r.args.empty(), static_cast<bool>(r.constant)) << r.name << ": operands xor a constant maker";
  }
}

// ================================================================ the elementwise table

std::vector<Row> elementwise_rows() {
  using std::vector;
  const Shape s{3, 4};
  auto un = [](Array (*fn)(const Array&)) { return [fn](const Args& a) { return fn(a[0]); }; };
  auto bin = [](Array (*fn)(const Array&, const Array&)) { return [fn](const Args& a) { return fn(a[0], a[1]); }; };
  auto to_bool = [](DType) { return DType::boolean; };
  vector<Row> rows;
  auto add = [&](Row r) { rows.push_back(std::move(r)); };

  // ---- unary
  add(elementwise("neg", {real(s, -3, 3)}, un(lax::neg), in_dtype([](auto x) { return -x; }), Diff::linear, kNumeric,
                  Accuracy::exact));
  add(elementwise("exp", {real(s, -3, 3)}, un(lax::exp), in_long_double([](LD x) { return std::exp(x); }),
                  Diff::smooth));
  add(elementwise("log", {real(s, 0.1, 3)}, un(lax::log), in_long_double([](LD x) { return std::log(x); }),
                  Diff::smooth));
  add(elementwise("log1p", {real(s, -0.9, 3)}, un(lax::log1p), in_long_double([](LD x) { return std::log1p(x); }),
                  Diff::smooth));
  add(elementwise("expm1", {real(s, -3, 3)}, un(lax::expm1), in_long_double([](LD x) { return std::expm1(x); }),
                  Diff::smooth));
  add(elementwise("sin", {real(s, -3, 3)}, un(lax::sin), in_long_double([](LD x) { return std::sin(x); }),
                  Diff::smooth));
  add(elementwise("cos", {real(s, -3, 3)}, un(lax::cos), in_long_double([](LD x) { return std::cos(x); }),
                  Diff::smooth));
  add(elementwise("tanh", {real(s, -3, 3)}, un(lax::tanh), in_long_double([](LD x) { return std::tanh(x); }),
                  Diff::smooth));
  add(elementwise("logistic", {real(s, -4, 4)}, un(lax::logistic),
                  in_long_double([](LD x) { return 1 / (1 + std::exp(-x)); }), Diff::smooth));
  // sqrt is correctly rounded (IEEE 754), so it must equal the host's sqrt exactly.
  add(elementwise("sqrt", {real(s, 0.1, 4)}, un(lax::sqrt), in_dtype([](auto x) { return std::sqrt(x); }), Diff::smooth,
                  kFloats, Accuracy::exact));
  add(elementwise("rsqrt", {real(s, 0.1, 4)}, un(lax::rsqrt), in_long_double([](LD x) { return 1 / std::sqrt(x); }),
                  Diff::smooth));
  add(elementwise("abs", {real(s, -3, 3)}, un(lax::abs), in_long_double([](LD x) { return std::fabs(x); }),
                  Diff::piecewise, kNumeric, Accuracy::exact));
  add(elementwise("sign", {real(s, -3, 3)}, un(lax::sign),
                  in_long_double([](LD x) { return static_cast<LD>((x > 0) - (x < 0)); }), Diff::zero, kNumeric,
                  Accuracy::exact));
  add(elementwise("floor", {real(s, -3, 3)}, un(lax::floor), in_long_double([](LD x) { return std::floor(x); }),
                  Diff::zero, kFloats, Accuracy::exact));
  add(elementwise("erf", {real(s, -2, 2)}, un(lax::erf), in_long_double([](LD x) { return std::erf(x); }),
                  Diff::smooth));
  for (std::int64_t y : {0, 1, 2, 3, 5, -1, -2}) {
    const bool negative = y < 0;
    Row r = elementwise(
        "integer_pow_" + std::string(negative ? "m" : "") + std::to_string(negative ? -y : y),
        {negative ? real(s, 0.3, 2) : real(s, -2, 2)}, [y](const Args& a) { return lax::integer_pow(a[0], y); },
        in_long_double([y](LD x) { return std::pow(x, static_cast<LD>(y)); }), Diff::smooth);
    r.prim = "integer_pow";
    add(std::move(r));
  }

  // ---- binary: + - * / are correctly rounded, so compared exactly with the host's
  add(elementwise("add", {real(s, -3, 3), real(s, -3, 3)}, bin(lax::add),
                  in_dtype([](auto x, auto y) { return x + y; }), Diff::linear, kNumeric, Accuracy::exact));
  add(elementwise("sub", {real(s, -3, 3), real(s, -3, 3)}, bin(lax::sub),
                  in_dtype([](auto x, auto y) { return x - y; }), Diff::linear, kNumeric, Accuracy::exact));
  add(elementwise("mul", {real(s, -3, 3), real(s, -3, 3)}, bin(lax::mul),
                  in_dtype([](auto x, auto y) { return x * y; }), Diff::smooth, kNumeric, Accuracy::exact));
  // Integer division truncates toward zero, as C++ does: int32 is compared with the host's.
  add(elementwise("div", {real(s, -9, 9), real(s, 0.5, 3)}, bin(lax::div),
                  in_dtype([](auto x, auto y) { return x / y; }), Diff::smooth, kNumeric, Accuracy::exact));
  {
    Row r = elementwise("div_negative_divisor", {real(s, -9, 9), real(s, -3, -0.5)}, bin(lax::div),
                        in_dtype([](auto x, auto y) { return x / y; }), Diff::smooth, kNumeric, Accuracy::exact);
    r.prim = "div";
    add(std::move(r));
  }
  // Linear in one argument: the transpose rules of mul and div with a constant operand.
  {
    Row r = elementwise("mul_by_constant", {real(s, -3, 3), fixed_real(s, -3, 3)}, bin(lax::mul),
                        in_dtype([](auto x, auto y) { return x * y; }), Diff::linear, kFloats, Accuracy::exact);
    r.prim = "mul";
    add(std::move(r));
    Row q = elementwise("constant_mul", {fixed_real(s, -3, 3), real(s, -3, 3)}, bin(lax::mul),
                        in_dtype([](auto x, auto y) { return x * y; }), Diff::linear, kFloats, Accuracy::exact);
    q.prim = "mul";
    add(std::move(q));
    Row d = elementwise("div_by_constant", {real(s, -3, 3), fixed_real(s, 0.5, 3)}, bin(lax::div),
                        in_dtype([](auto x, auto y) { return x / y; }), Diff::linear, kFloats, Accuracy::exact);
    d.prim = "div";
    add(std::move(d));
  }
  add(elementwise("pow", {real(s, 0.2, 3), real(s, -2, 2)}, bin(lax::pow),
                  in_long_double([](LD x, LD y) { return std::pow(x, y); }), Diff::smooth));
  add(elementwise("max", {real(s, -3, 3), real(s, -3, 3)}, bin(lax::max),
                  in_long_double([](LD x, LD y) { return std::max(x, y); }), Diff::piecewise, kNumeric,
                  Accuracy::exact));
  add(elementwise("min", {real(s, -3, 3), real(s, -3, 3)}, bin(lax::min),
                  in_long_double([](LD x, LD y) { return std::min(x, y); }), Diff::piecewise, kNumeric,
                  Accuracy::exact));
  // Away from the branch cut (x = 0, y < 0), covering two quadrants.
  add(elementwise("atan2", {real(s, 0.3, 3), real(s, -3, 3)}, bin(lax::atan2),
                  in_long_double([](LD x, LD y) { return std::atan2(x, y); }), Diff::smooth));

  // ---- comparisons: whole numbers in [-2, 2], so ties occur
  auto cmp = [&](const char* name, Array (*fn)(const Array&, const Array&), bool (*ref)(LD, LD)) {
    Row r = elementwise(name, {whole(s, -2, 2), whole(s, -2, 2)}, bin(fn),
                        in_long_double([ref](LD x, LD y) { return static_cast<LD>(ref(x, y)); }), Diff::zero, kNumeric,
                        Accuracy::exact);
    r.out_dtype = to_bool;
    add(std::move(r));
  };
  cmp("lt", lax::lt, [](LD x, LD y) { return x < y; });
  cmp("le", lax::le, [](LD x, LD y) { return x <= y; });
  cmp("gt", lax::gt, [](LD x, LD y) { return x > y; });
  cmp("ge", lax::ge, [](LD x, LD y) { return x >= y; });
  cmp("eq", lax::eq, [](LD x, LD y) { return x == y; });
  cmp("ne", lax::ne, [](LD x, LD y) { return x != y; });
  return rows;
}

PURE_SPEC_INSTANTIATE(Elementwise, elementwise_rows);

}  // namespace spec
