// Conversions and integer arithmetic whose C++ counterparts are undefined have
// one defined result (docs/conversions.md): float -> integer saturates with
// NaN -> 0, anything -> bool is x != 0, integer -> integer and integer
// add/sub/mul/neg/abs/div wrap modulo 2^n. The expected values are written out.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include <pure/core/detail/convert.hpp>
#include <pure/pure.hpp>

namespace {

using pure::Array;
using pure::DType;

template <class T>
using lim = std::numeric_limits<T>;

const double kNaN = lim<double>::quiet_NaN(), kInf = lim<double>::infinity();
const float kNaNf = lim<float>::quiet_NaN(), kInff = lim<float>::infinity();

// convert_element_type (and astype) of `in` gives exactly `want`, element by element.
template <class To, class From>
void expect_convert(const std::vector<From>& in, const std::vector<To>& want) {
  const Array x = pure::from_host(in);
  const std::vector<To> got = pure::lax::convert_element_type(x, pure::dtype_of<To>()).template to_host<To>();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << pure::dtype_name(x.dtype()) << " " << in[i] << " -> "
                               << pure::dtype_name(pure::dtype_of<To>());
  }
  EXPECT_EQ(pure::astype(x, pure::dtype_of<To>()).template to_host<To>(), got);
}

template <class From>
void expect_to_bool(const std::vector<From>& in, const std::vector<std::uint8_t>& want) {
  EXPECT_EQ(pure::to_host_bool(pure::astype(pure::from_host(in), DType::boolean)), want);
}

TEST(Conversions, FloatToInt32Saturates) {
  const std::int32_t lo = lim<std::int32_t>::min(), hi = lim<std::int32_t>::max();
  expect_convert<std::int32_t, double>({kNaN, kInf, -kInf, 2147483647.0, 2147483647.9, 2147483648.0, 1e300,
                                        -2147483648.0, -2147483648.9, -2147483649.0, -1e300, 2.9, -2.9, -0.5, -0.0},
                                       {0, hi, lo, hi, hi, hi, hi, lo, lo, lo, lo, 2, -2, 0, 0});
  // 2147483520 is the largest float below 2^31: in range. The next float is 2^31.
  expect_convert<std::int32_t, float>(
      {kNaNf, kInff, -kInff, 2147483520.0f, 2147483648.0f, 3e38f, -2147483648.0f, -2147483904.0f, -3e38f, 7.5f},
      {0, hi, lo, 2147483520, hi, hi, lo, lo, lo, 7});
}

TEST(Conversions, FloatToUint32Saturates) {
  const std::uint32_t hi = lim<std::uint32_t>::max();
  expect_convert<std::uint32_t, double>({kNaN, kInf, -kInf, -1.0, -0.9, 0.5, 4294967295.0, 4294967295.5, 4294967296.0},
                                        {0, hi, 0, 0, 0, 0, hi, hi, hi});
  // 4294967040 is the largest float below 2^32.
  expect_convert<std::uint32_t, float>({kNaNf, kInff, -1.0f, 4294967040.0f, 4294967296.0f, 1e20f},
                                       {0, hi, 0, 4294967040u, hi, hi});
}

TEST(Conversions, FloatToInt64Saturates) {
  const std::int64_t lo = lim<std::int64_t>::min(), hi = lim<std::int64_t>::max();
  // 9.2233720368547758e18 is 2^63; 9223372036854774784 the largest double below it.
  expect_convert<std::int64_t, double>({kNaN, kInf, -kInf, 9.2233720368547758e18, 9223372036854774784.0,
                                        -9.2233720368547758e18, -9223372036854777856.0, 1e19, -1e19, -3.5},
                                       {0, hi, lo, hi, 9223372036854774784, lo, lo, hi, lo, -3});
  // 9223371487098961920 is the largest float below 2^63.
  expect_convert<std::int64_t, float>(
      {kNaNf, kInff, -kInff, 9223372036854775808.0f, 9223371487098961920.0f, -9223372036854775808.0f, -1e19f},
      {0, hi, lo, hi, 9223371487098961920, lo, lo});
}

TEST(Conversions, FloatToUint64Saturates) {
  const std::uint64_t hi = lim<std::uint64_t>::max();
  // 18446744073709549568 is the largest double below 2^64, 18446742974197923840 the largest float.
  expect_convert<std::uint64_t, double>({kNaN, kInf, -kInf, -1.0, 18446744073709549568.0, 18446744073709551616.0, 1e30},
                                        {0, hi, 0, 0, 18446744073709549568ull, hi, hi});
  expect_convert<std::uint64_t, float>({kNaNf, kInff, -kInff, -1.0f, 18446742974197923840.0f, 18446744073709551616.0f},
                                       {0, hi, 0, 0, 18446742974197923840ull, hi});
}

TEST(Conversions, ToBoolIsNonZero) {
  expect_to_bool<double>({kNaN, 0.0, -0.0, 0.5, -kInf, 1e-300}, {1, 0, 0, 1, 1, 1});
  expect_to_bool<float>({kNaNf, 0.0f, -0.0f, -2.0f}, {1, 0, 0, 1});
  // Not the low bits: 256 and 2^32 are true.
  expect_to_bool<std::int32_t>({0, 256, -1}, {0, 1, 1});
  expect_to_bool<std::uint64_t>({0, 1ull << 32}, {0, 1});
}

TEST(Conversions, BoolToNumberIsZeroOrOne) {
  const Array b = pure::from_host_bool({1, 0, 1}, {3});
  EXPECT_EQ(pure::astype(b, DType::f32).to_host<float>(), (std::vector<float>{1, 0, 1}));
  EXPECT_EQ(pure::astype(b, DType::i64).to_host<std::int64_t>(), (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(pure::astype(b, DType::u32).to_host<std::uint32_t>(), (std::vector<std::uint32_t>{1, 0, 1}));
}

TEST(Conversions, IntegerToIntegerWraps) {
  expect_convert<std::int32_t, std::int64_t>({4294967301, 2147483648, -2147483649, -1, 7},
                                             {5, lim<std::int32_t>::min(), lim<std::int32_t>::max(), -1, 7});
  expect_convert<std::uint32_t, std::int64_t>({-1, 4294967296}, {4294967295u, 0});
  expect_convert<std::int64_t, std::uint64_t>({lim<std::uint64_t>::max(), 1ull << 63}, {-1, lim<std::int64_t>::min()});
  expect_convert<std::uint64_t, std::int32_t>({-1, lim<std::int32_t>::min()},
                                              {lim<std::uint64_t>::max(), 18446744071562067968ull});
  expect_convert<std::int32_t, std::uint32_t>({4294967295u, 2147483648u}, {-1, lim<std::int32_t>::min()});
}

const auto div_op = [](const Array& x, const Array& y) { return pure::lax::div(x, y); };
const auto add_op = [](const Array& x, const Array& y) { return pure::lax::add(x, y); };
const auto sub_op = [](const Array& x, const Array& y) { return pure::lax::sub(x, y); };
const auto mul_op = [](const Array& x, const Array& y) { return pure::lax::mul(x, y); };

// lax op `op` on the two i32 or i64 operands gives exactly `want`.
template <class T, class Op>
void expect_binary(Op op, std::vector<T> x, std::vector<T> y, std::vector<T> want) {
  EXPECT_EQ(op(pure::from_host(x), pure::from_host(y)).template to_host<T>(), want);
}

template <class T>
void expect_signed_wraparound() {
  const T lo = lim<T>::min(), hi = lim<T>::max();
  expect_binary<T>(div_op, {lo, lo, 7, -7}, {-1, 1, -1, 2}, {lo, lo, -7, -3});
  expect_binary<T>(add_op, {hi, lo, hi}, {1, -1, hi}, {lo, hi, -2});
  expect_binary<T>(sub_op, {lo, hi, 0}, {1, -1, lo}, {hi, lo, lo});
  expect_binary<T>(mul_op, {hi, lo, lo, hi}, {2, -1, 2, hi}, {-2, lo, 0, 1});
  const Array x = pure::from_host(std::vector<T>{lo, hi, -3, 0});
  EXPECT_EQ(pure::lax::neg(x).template to_host<T>(), (std::vector<T>{lo, static_cast<T>(-hi), 3, 0}));
  EXPECT_EQ(pure::lax::abs(x).template to_host<T>(), (std::vector<T>{lo, hi, 3, 0}));
}

// The device-safe bounds that convert() saturates to are numeric_limits'.
template <class T>
constexpr bool bounds_match() {
  return pure::detail::integer_max<T>() == std::numeric_limits<T>::max() &&
         pure::detail::integer_min<T>() == std::numeric_limits<T>::min();
}
static_assert(bounds_match<std::int8_t>() && bounds_match<std::uint8_t>() && bounds_match<std::int16_t>() &&
              bounds_match<std::uint16_t>() && bounds_match<std::int32_t>() && bounds_match<std::uint32_t>() &&
              bounds_match<std::int64_t>() && bounds_match<std::uint64_t>());

TEST(IntegerArithmetic, SignedOverflowWraps) {
  expect_signed_wraparound<std::int32_t>();
  expect_signed_wraparound<std::int64_t>();
}

TEST(IntegerArithmetic, UnsignedOverflowWraps) {
  const std::uint32_t hi = lim<std::uint32_t>::max();
  expect_binary<std::uint32_t>(add_op, {hi}, {2}, {1});
  expect_binary<std::uint32_t>(sub_op, {0}, {1}, {hi});
  expect_binary<std::uint32_t>(mul_op, {hi}, {hi}, {1});
  EXPECT_EQ(pure::lax::neg(pure::from_host(std::vector<std::uint32_t>{1, 0})).to_host<std::uint32_t>(),
            (std::vector<std::uint32_t>{hi, 0}));
}

// Sums, cumulative sums, scatter_add and integer products wrap modulo 2^n as in
// XLA; they run in unsigned arithmetic, so the UBSan job (signed-integer-overflow)
// fails if any kernel relies on signed overflow.
template <class T>
void expect_accumulations_wrap() {
  const T hi = lim<T>::max(), lo = lim<T>::min();
  const Array x = pure::from_host(std::vector<T>{hi, 1, 1, lo});
  EXPECT_EQ(pure::lax::reduce_sum(x, {0}).template item<T>(), T(1));  // hi + 1 + 1 + lo = 1 mod 2^n
  EXPECT_EQ(pure::cumsum(x).template to_host<T>(), (std::vector<T>{hi, lo, T(lo + 1), 1}));
  // Long enough for the blocked paths: 600 copies of hi (leading-axis lanes and trailing blocks).
  std::vector<T> many(600 * 3, hi);
  const Array m = pure::from_host(many, pure::Shape{600, 3});
  const T want = static_cast<T>(static_cast<std::make_unsigned_t<T>>(hi) * 600u);
  for (T v : pure::lax::reduce_sum(m, {0}).template to_host<T>()) EXPECT_EQ(v, want);
  for (T v : pure::lax::reduce_sum(pure::transpose(m), {1}).template to_host<T>()) EXPECT_EQ(v, want);
  EXPECT_EQ(pure::cumsum(m, 0).template to_host<T>().back(), want);
  const Array idx = pure::from_host(std::vector<std::int32_t>{0, 0});
  const Array upd = pure::from_host(std::vector<T>{hi, hi});
  EXPECT_EQ(pure::lax::scatter_add(pure::from_host(std::vector<T>{2}), idx, upd, 0).template item<T>(),
            static_cast<T>(static_cast<std::make_unsigned_t<T>>(hi) * 2u + 2u));
  const Array a = pure::from_host(std::vector<T>{hi, hi}, pure::Shape{1, 2});
  const Array b = pure::from_host(std::vector<T>{hi, hi}, pure::Shape{2, 1});
  EXPECT_EQ(pure::matmul(a, b).template item<T>(),
            static_cast<T>(static_cast<std::make_unsigned_t<T>>(hi) * static_cast<std::make_unsigned_t<T>>(hi) * 2u));
}

TEST(IntegerArithmetic, AccumulationsWrap) {
  expect_accumulations_wrap<std::int32_t>();
  expect_accumulations_wrap<std::int64_t>();
}

}  // namespace
