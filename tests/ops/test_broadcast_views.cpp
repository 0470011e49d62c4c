// Broadcasts are views: broadcast_in_dim (and zeros/ones/full) write nothing,
// elementwise ops and select read the operand in place, and every result is
// bit-identical to the same op on a written-out copy, on every SIMD level.
// Also the strided copies (transpose, slice) against host loops.
#include "ops_test_util.hpp"

#include <cstring>

namespace {

using namespace pure_test;
namespace lax = pure::lax;

// The same elements in a plain (contiguous) array: from a host copy, so no
// pure kernel that reads views is involved.
Array written_out(const Array& a) {
  switch (a.dtype()) {
    case DType::f32: return pure::from_host(a.to_host<float>(), a.shape());
    case DType::f64: return pure::from_host(a.to_host<double>(), a.shape());
    case DType::i32: return pure::from_host(a.to_host<std::int32_t>(), a.shape());
    default: throw pure::Error("written_out: unsupported dtype");
  }
}

std::vector<unsigned char> bytes(const Array& a) {
  std::vector<unsigned char> b(a.nbytes());
  if (a.dtype() == DType::boolean) {
    const auto v = pure::to_host_bool(a);
    std::memcpy(b.data(), v.data(), b.size());
  } else if (a.dtype() == DType::f32) {
    const auto v = a.to_host<float>();
    std::memcpy(b.data(), v.data(), b.size());
  } else if (a.dtype() == DType::f64) {
    const auto v = a.to_host<double>();
    std::memcpy(b.data(), v.data(), b.size());
  } else {
    const auto v = a.to_host<std::int32_t>();
    std::memcpy(b.data(), v.data(), b.size());
  }
  return b;
}

struct Case {
  const char* name;
  Shape out;
  Shape operand;
  std::vector<std::int64_t> dims;
};

// Shapes chosen so that runs cross the host loops' chunk boundaries (4096) in
// the middle of a row, and so that every stride pattern of the inner loop occurs.
const std::vector<Case> kCases = {
    {"scalar", {37, 301}, {}, {}},
    {"row (bias)", {37, 301}, {301}, {1}},
    {"column", {37, 301}, {37, 1}, {0, 1}},
    {"middle axis", {5, 3, 7, 11}, {5, 1, 7, 11}, {0, 1, 2, 3}},
    {"leading and trailing", {6, 13, 4}, {13}, {1}},
    {"outer only", {64, 65}, {64}, {0}},
};

using Binary = Array (*)(const Array&, const Array&);
const std::vector<std::pair<const char*, Binary>> kBinary = {{"add", lax::add}, {"sub", lax::sub},    {"mul", lax::mul},
                                                             {"div", lax::div}, {"max", lax::max},    {"pow", lax::pow},
                                                             {"lt", lax::lt},   {"atan2", lax::atan2}};

TEST(BroadcastView, BroadcastInDimWritesNothing) {
  const Array b = random_array({301}, DType::f32, 1);
  const long before = pure::live_buffers();
  const Array v = lax::broadcast_in_dim(b, {37, 301}, {1});
  EXPECT_TRUE(v.is_broadcast_view());
  EXPECT_EQ(pure::live_buffers(), before) << "broadcast_in_dim allocated a buffer";
  // Its elements, when asked for, are the operand's rows.
  const auto got = v.to_host<float>();
  const auto row = b.to_host<float>();
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], row[i % 301]) << "element " << i;
}

TEST(BroadcastView, ScalarTimesArrayAllocatesOnlyTheScalarAndTheResult) {
  const Array x = random_array({1 << 16}, DType::f32, 2);
  const auto before = pure::buffer_cache_stats();
  const Array y = x * 2.0;
  const auto after = pure::buffer_cache_stats();
  // One one-element constant and the result; before views there was a third,
  // full-size block (the written-out broadcast).
  EXPECT_EQ((after.hits + after.misses) - (before.hits + before.misses), 2);
  const auto xs = x.to_host<float>(), ys = y.to_host<float>();
  for (std::size_t i = 0; i < xs.size(); ++i) ASSERT_EQ(ys[i], xs[i] * 2.0f) << "element " << i;
}

TEST(BroadcastView, BinaryOpsMatchTheWrittenOutOperandOnEverySimdLevel) {
  const pure::HostSimd saved = pure::host_simd();
  const int top = static_cast<int>(pure::host_simd_supported());
  for (DType d : {DType::f32, DType::f64}) {
    for (const Case& c : kCases) {
      const Array small = pure::abs(random_array(c.operand, d, 3)) + 0.5;  // pow needs x > 0
      const Array big = random_array(c.out, d, 4);
      const Array view = lax::broadcast_in_dim(small, c.out, c.dims);
      ASSERT_TRUE(view.is_broadcast_view() || view.size() == small.size()) << c.name;
      const Array plain = written_out(view);
      for (int l = 0; l <= top; ++l) {
        pure::set_host_simd(static_cast<pure::HostSimd>(l));
        for (const auto& [name, f] : kBinary) {
          const std::string where = std::string(name) + " " + pure::dtype_name(d) + " " + c.name + " at " +
                                    pure::host_simd_name(static_cast<pure::HostSimd>(l));
          EXPECT_EQ(bytes(f(view, big)), bytes(f(plain, big))) << where << " (view on the left)";
          EXPECT_EQ(bytes(f(big, view)), bytes(f(big, plain))) << where << " (view on the right)";
          EXPECT_EQ(bytes(f(view, view)), bytes(f(plain, plain))) << where << " (both views)";
        }
      }
    }
  }
  pure::set_host_simd(saved);
}

TEST(BroadcastView, IntegerOpsReadViewsToo) {
  const Array x = pure::arange(37 * 301, DType::i32).with_shape({37, 301});
  const Array b = lax::broadcast_in_dim(pure::arange(301, DType::i32), {37, 301}, {1});
  const auto got = (x + b).to_host<std::int32_t>();
  for (std::int64_t i = 0; i < 37 * 301; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], i + i % 301) << i;
}

TEST(BroadcastView, SelectReadsViewsInPlace) {
  const pure::HostSimd saved = pure::host_simd();
  const int top = static_cast<int>(pure::host_simd_supported());
  const Array x = random_array({37, 301}, DType::f64, 5);
  const Array zero = pure::zeros({37, 301}, DType::f64);
  ASSERT_TRUE(zero.is_broadcast_view());
  const Array row = lax::broadcast_in_dim(random_array({301}, DType::f64, 6), {37, 301}, {1});
  const Array pred = lax::gt(x, zero);
  const Array pred_col = lax::broadcast_in_dim(
      lax::gt(random_array({37, 1}, DType::f64, 7), pure::zeros({37, 1}, DType::f64)), {37, 301}, {0, 1});
  for (int l = 0; l <= top; ++l) {
    pure::set_host_simd(static_cast<pure::HostSimd>(l));
    const char* level = pure::host_simd_name(static_cast<pure::HostSimd>(l));
    EXPECT_EQ(bytes(lax::select(pred, x, zero)), bytes(lax::select(pred, x, written_out(zero)))) << level;
    EXPECT_EQ(bytes(lax::select(pred, zero, x)), bytes(lax::select(pred, written_out(zero), x))) << level;
    EXPECT_EQ(bytes(lax::select(pred, row, x)), bytes(lax::select(pred, written_out(row), x))) << level;
    const Array p_plain = pure::from_host_bool(pure::to_host_bool(pred_col), pred_col.shape());
    EXPECT_EQ(bytes(lax::select(pred_col, x, row)), bytes(lax::select(p_plain, x, written_out(row)))) << level;
  }
  // relu through where: x where x > 0, else the scalar 0.
  const auto got = pure::where(x > pure::zeros({}, DType::f64), x, pure::zeros({}, DType::f64)).to_host<double>();
  const auto xs = x.to_host<double>();
  for (std::size_t i = 0; i < xs.size(); ++i) ASSERT_EQ(got[i], xs[i] > 0 ? xs[i] : 0.0) << i;
  pure::set_host_simd(saved);
}

TEST(BroadcastView, GradientsThroughBroadcastsAreUnchanged) {
  // d/db sum((x + b)^2) = 2 * sum over rows of (x + b): computed on the host.
  const Array x = random_array({33, 17}, DType::f64, 8);
  const Array b = random_array({17}, DType::f64, 9);
  const Array g = pure::grad([&](const Array& bb) { return pure::sum(pure::square(x + bb)); })(b);
  const auto xs = x.to_host<double>(), bs = b.to_host<double>(), gs = g.to_host<double>();
  for (int j = 0; j < 17; ++j) {
    double want = 0;
    for (int i = 0; i < 33; ++i)
      want += 2 * (xs[static_cast<std::size_t>(i * 17 + j)] + bs[static_cast<std::size_t>(j)]);
    EXPECT_NEAR(gs[static_cast<std::size_t>(j)], want, 1e-12 * (1 + std::fabs(want))) << "column " << j;
  }
}

TEST(StridedCopy, TransposeAndSliceMatchHostLoopsOnEverySimdLevel) {
  const pure::HostSimd saved = pure::host_simd();
  const int top = static_cast<int>(pure::host_simd_supported());
  const Shape s{3, 67, 129};
  const Array x = random_array(s, DType::f32, 10);
  const auto xs = x.to_host<float>();
  const std::vector<std::vector<std::int64_t>> perms = {{0, 2, 1}, {2, 1, 0}, {1, 0, 2}, {2, 0, 1}};
  for (int l = 0; l <= top; ++l) {
    pure::set_host_simd(static_cast<pure::HostSimd>(l));
    const char* level = pure::host_simd_name(static_cast<pure::HostSimd>(l));
    for (const auto& perm : perms) {
      const Array t = lax::transpose(x, perm);
      const auto ts = t.to_host<float>();
      for (std::int64_t i = 0; i < t.size(); ++i) {
        const auto c = coords(i, t.shape());
        std::vector<std::int64_t> src(3);
        for (std::size_t k = 0; k < 3; ++k) src[static_cast<std::size_t>(perm[k])] = c[k];
        ASSERT_EQ(ts[static_cast<std::size_t>(i)], xs[static_cast<std::size_t>(flat(src, s))])
            << "transpose " << perm[0] << perm[1] << perm[2] << " element " << i << " at " << level;
      }
    }
    const Array sl = lax::slice(x, {1, 3, 2}, {3, 66, 129}, {1, 2, 3});
    const auto ss = sl.to_host<float>();
    for (std::int64_t i = 0; i < sl.size(); ++i) {
      const auto c = coords(i, sl.shape());
      const std::vector<std::int64_t> src = {1 + c[0], 3 + 2 * c[1], 2 + 3 * c[2]};
      ASSERT_EQ(ss[static_cast<std::size_t>(i)], xs[static_cast<std::size_t>(flat(src, s))]) << i << " at " << level;
    }
    // A transpose of a broadcast view writes the view out first: same values.
    const Array v = lax::broadcast_in_dim(random_array({129}, DType::f32, 11), {5, 129}, {1});
    EXPECT_EQ(bytes(lax::transpose(v, {1, 0})), bytes(lax::transpose(written_out(v), {1, 0}))) << level;
  }
  pure::set_host_simd(saved);
}

}  // namespace
