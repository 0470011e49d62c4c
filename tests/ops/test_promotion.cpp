// Type promotion as JAX with 64-bit types on (issue 9, item 3): the table in
// tests/data/jax_promotion.txt is written by tests/data/make_jax_promotion.py
// with real JAX. pure::promote_types, the weak-scalar rules and to_inexact_dtype
// are compared with it, and so is the dtype that the numpy-surface functions and
// the operators with C++ scalars actually produce.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "reference_file.hpp"

namespace {

using pure::Array;
using pure::DType;

struct Line {
  std::vector<std::string> key;  // the words before ':'
  std::string want;              // a numpy dtype name, or "error"
  int line = 0;
};

std::vector<Line> table() {
  std::vector<Line> out;
  for (const auto& rec : pure_test::read_reference_file("jax_promotion.txt")) {
    out.push_back(Line{rec.head, rec.values.at(0), rec.line});
  }
  return out;
}

std::vector<Line> lines(const std::string& kind) {
  std::vector<Line> out;
  for (const Line& l : table()) {
    if (l.key.at(0) == kind) out.push_back(l);
  }
  return out;
}

DType dtype(const std::string& name) {
  static const std::map<std::string, DType> m = {
      {"bool", DType::boolean}, {"int32", DType::i32},   {"uint32", DType::u32}, {"int64", DType::i64},
      {"uint64", DType::u64},   {"float32", DType::f32}, {"float64", DType::f64}};
  const auto it = m.find(name);
  if (it == m.end()) throw std::runtime_error("jax_promotion.txt: unknown dtype " + name);
  return it->second;
}

// The dtype `f` produces, or "error" if it throws pure::DTypeError.
std::string result_of(const std::function<Array()>& f) {
  try {
    return pure::dtype_name(f().dtype());
  } catch (const pure::DTypeError&) {
    return "error";
  }
}

std::string where_line(const Line& l) { return "jax_promotion.txt line " + std::to_string(l.line); }

TEST(Promotion, PromoteTypesIsJaxsTable) {
  const auto rows = lines("promote");
  ASSERT_EQ(rows.size(), 49u);
  for (const Line& l : rows) {
    EXPECT_STREQ(pure::dtype_name(pure::promote_types(dtype(l.key[1]), dtype(l.key[2]))), l.want.c_str())
        << l.key[1] << " + " << l.key[2] << ", " << where_line(l);
  }
}

TEST(Promotion, WeakScalarsAndInexactDtypesAreJaxs) {
  int n = 0;
  for (const char* kind : {"weak_int", "weak_float", "inexact"}) {
    for (const Line& l : lines(kind)) {
      const DType a = dtype(l.key[1]);
      const DType got = l.key[0] == "weak_int"     ? pure::promote_types(a, pure::WeakType::integer)
                        : l.key[0] == "weak_float" ? pure::promote_types(a, pure::WeakType::floating)
                                                   : pure::to_inexact_dtype(a);
      EXPECT_STREQ(pure::dtype_name(got), l.want.c_str()) << kind << " " << l.key[1] << ", " << where_line(l);
      ++n;
    }
  }
  EXPECT_EQ(n, 21);
}

TEST(Promotion, NumpySurfaceFunctionsProduceJaxsDtypes) {
  using Binary = std::function<Array(const Array&, const Array&)>;
  const std::map<std::string, Binary> ops = {
      {"add", [](const Array& a, const Array& b) { return pure::add(a, b); }},
      {"subtract", [](const Array& a, const Array& b) { return pure::subtract(a, b); }},
      {"multiply", [](const Array& a, const Array& b) { return pure::multiply(a, b); }},
      {"maximum", [](const Array& a, const Array& b) { return pure::maximum(a, b); }},
      {"minimum", [](const Array& a, const Array& b) { return pure::minimum(a, b); }},
      {"divide", [](const Array& a, const Array& b) { return pure::divide(a, b); }},
      {"where", [](const Array& a, const Array& b) { return pure::where(pure::ones({3}, DType::boolean), a, b); }},
      {"concatenate",
       [](const Array& a, const Array& b) {
         return pure::concatenate({a, b});
       }},
      {"less", [](const Array& a, const Array& b) { return pure::less(a, b); }},
      {"equal", [](const Array& a, const Array& b) { return pure::equal(a, b); }},
  };
  const auto rows = lines("op");
  ASSERT_EQ(rows.size(), ops.size() * 49);
  for (const Line& l : rows) {
    const auto it = ops.find(l.key[1]);
    ASSERT_NE(it, ops.end()) << "no pure function for " << l.key[1];
    const Array a = pure::zeros({3}, dtype(l.key[2])), b = pure::zeros({3}, dtype(l.key[3]));
    EXPECT_EQ(result_of([&] { return it->second(a, b); }), l.want)
        << l.key[1] << "(" << l.key[2] << ", " << l.key[3] << "), " << where_line(l);
  }
}

TEST(Promotion, OperatorsWithCppScalarsAreWeaklyTyped) {
  using Unary = std::function<Array(const Array&)>;
  const std::map<std::string, Unary> exprs = {
      {"x+1", [](const Array& x) { return x + 1; }},
      {"x+1.0", [](const Array& x) { return x + 1.0; }},
      {"1-x", [](const Array& x) { return 1 - x; }},
      {"1.0-x", [](const Array& x) { return 1.0 - x; }},
      {"x*2", [](const Array& x) { return x * 2; }},
      {"2.0*x", [](const Array& x) { return 2.0 * x; }},
      {"x/2", [](const Array& x) { return x / 2; }},
      {"2.0/x", [](const Array& x) { return 2.0 / x; }},
      {"clip(x,0,2)", [](const Array& x) { return pure::clip(x, 0, 2); }},
      {"clip(x,0.5,2.5)", [](const Array& x) { return pure::clip(x, 0.5, 2.5); }},
  };
  const auto rows = lines("scalar");
  ASSERT_EQ(rows.size(), exprs.size() * 7);
  for (const Line& l : rows) {
    const auto it = exprs.find(l.key[1]);
    ASSERT_NE(it, exprs.end()) << "no C++ expression for " << l.key[1];
    const Array x = pure::zeros({3}, dtype(l.key[2]));
    EXPECT_EQ(result_of([&] { return it->second(x); }), l.want)
        << l.key[1] << " with x " << l.key[2] << ", " << where_line(l);
  }
}

// The values, not only the dtypes: the wrap-arounds of the old linear ranking.
TEST(Promotion, MixedSignednessNoLongerWraps) {
  const Array u = pure::from_host(std::vector<std::uint32_t>{4000000000u});
  const Array i = pure::from_host(std::vector<std::int32_t>{0});
  const Array s = u + i;
  ASSERT_EQ(s.dtype(), DType::i64);
  EXPECT_EQ(s.to_host<std::int64_t>()[0], 4000000000);
  const Array m = pure::from_host(std::vector<std::int32_t>{-1}) + pure::from_host(std::vector<std::uint64_t>{0});
  ASSERT_EQ(m.dtype(), DType::f64);
  EXPECT_EQ(m.to_host<double>()[0], -1.0);
}

TEST(Promotion, WeakIntegerScalarsAreExactAndWrapAsJax) {
  // 2^62 + 1 is not a double: it must not go through one.
  const std::int64_t big = (std::int64_t{1} << 62) + 1;
  const Array x = pure::from_host(std::vector<std::int64_t>{1});
  EXPECT_EQ((x + big).to_host<std::int64_t>()[0], big + 1);
  const Array u = pure::from_host(std::vector<std::uint64_t>{0});
  EXPECT_EQ((u + std::numeric_limits<std::uint64_t>::max()).to_host<std::uint64_t>()[0],
            std::numeric_limits<std::uint64_t>::max());
  // jax: jnp.zeros(2, uint32) + (-1) == 2^32 - 1 (the int wraps into the array's dtype).
  const Array u32 = pure::from_host(std::vector<std::uint32_t>{0});
  EXPECT_EQ((u32 + -1).to_host<std::uint32_t>()[0], 4294967295u);
  // An int32 array with a fractional float scalar is float64 (it used to truncate to int32).
  const Array i32 = pure::from_host(std::vector<std::int32_t>{2});
  const Array h = i32 + 0.5;
  ASSERT_EQ(h.dtype(), DType::f64);
  EXPECT_EQ(h.to_host<double>()[0], 2.5);
  EXPECT_EQ((i32 / 4).to_host<float>()[0], 0.5f);
}

TEST(Promotion, UnsignedScalarBeyondInt64IsAnErrorForSignedArrays) {
  const Array x = pure::from_host(std::vector<std::int32_t>{1});
  const std::uint64_t too_big = std::uint64_t{1} << 63;
  try {
    (void)(x + too_big);
    FAIL() << "expected pure::ValueError";
  } catch (const pure::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("9223372036854775808 does not fit int32"), std::string::npos) << e.what();
  }
  // A float array takes it as a float.
  EXPECT_EQ((pure::zeros({1}, DType::f64) + too_big).to_host<double>()[0], 9223372036854775808.0);
}

TEST(Promotion, BoolWithBoolIsLogical) {
  const Array t = pure::from_host_bool({1, 1, 0, 0}, {4}), f = pure::from_host_bool({1, 0, 1, 0}, {4});
  const auto bools = [](const Array& a) {
    EXPECT_EQ(a.dtype(), DType::boolean);
    std::vector<int> out;
    for (auto b : pure::astype(a, DType::i32).to_host<std::int32_t>()) out.push_back(b);
    return out;
  };
  EXPECT_EQ(bools(t + f), (std::vector<int>{1, 1, 1, 0}));
  EXPECT_EQ(bools(t * f), (std::vector<int>{1, 0, 0, 0}));
  EXPECT_EQ(bools(pure::maximum(t, f)), (std::vector<int>{1, 1, 1, 0}));
  EXPECT_EQ(bools(pure::minimum(t, f)), (std::vector<int>{1, 0, 0, 0}));
  EXPECT_EQ(bools(pure::less(f, t)), (std::vector<int>{0, 1, 0, 0}));
  EXPECT_THROW((void)(t - f), pure::DTypeError);
}

}  // namespace
