// Decomposition invariance across MPI ranks: every rank draws its block (an
// uneven split) of a random array, through the host API with `offset` and
// through the device API (*_at) in its own kernel; rank 0 gathers the blocks
// and compares them byte for byte with a whole draw of its own.
#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <mpi.h>

#include <pure/pure.hpp>

namespace {

namespace pr = pure::random;
using Policy = Kokkos::RangePolicy<pure::ExecutionSpace, Kokkos::IndexType<std::int64_t>>;

int rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

// Block [begin, end) of n for this rank; the first n % size ranks get one more,
// so for n not divisible by the rank count the blocks differ in length.
std::pair<std::int64_t, std::int64_t> my_block(std::int64_t n) {
  const std::int64_t base = n / size(), extra = n % size(), r = rank();
  const std::int64_t begin = r * base + (r < extra ? r : extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

// Concatenation of every rank's bytes in rank order, on rank 0 (empty elsewhere).
std::vector<unsigned char> gather_to_root(const std::vector<unsigned char>& mine) {
  const int n = size();
  int count = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(n)), displs(static_cast<std::size_t>(n));
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<unsigned char> all;
  if (rank() == 0) {
    int total = 0;
    for (int r = 0; r < n; ++r) {
      displs[static_cast<std::size_t>(r)] = total;
      total += counts[static_cast<std::size_t>(r)];
    }
    all.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(mine.data(), count, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
  return all;
}

template <class T>
std::vector<unsigned char> bytes_of(const std::vector<T>& v) {
  std::vector<unsigned char> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<unsigned char> host_bytes(const pure::Array& a) {
  switch (a.dtype()) {
    case pure::DType::u32: return bytes_of(a.to_host<std::uint32_t>());
    case pure::DType::u64: return bytes_of(a.to_host<std::uint64_t>());
    case pure::DType::f32: return bytes_of(a.to_host<float>());
    case pure::DType::f64: return bytes_of(a.to_host<double>());
    default: throw pure::DTypeError("host_bytes: unexpected dtype");
  }
}

// The test compares a whole draw with its own slices on rank 0, which is a
// deliberate second use of the key: pause the reuse check for that draw only.
class ReuseCheckPaused {
 public:
  ReuseCheckPaused() : was_(pr::debug_key_reuse()) { pr::set_debug_key_reuse(false); }
  ~ReuseCheckPaused() { pr::set_debug_key_reuse(was_); }

 private:
  bool was_;
};

enum class Kind { bits, uniform, normal };

struct Sampler {
  const char* name;
  Kind kind;
  pure::DType dtype;
};

const Sampler kSamplers[] = {
    {"bits_u32", Kind::bits, pure::DType::u32},       {"bits_u64", Kind::bits, pure::DType::u64},
    {"uniform_f32", Kind::uniform, pure::DType::f32}, {"uniform_f64", Kind::uniform, pure::DType::f64},
    {"normal_f32", Kind::normal, pure::DType::f32},   {"normal_f64", Kind::normal, pure::DType::f64},
};
// Not [0, 1), so a slice that ignored lo/hi would differ.
constexpr double kLo = -2.0, kHi = 3.0;

pure::Array host_draw(const Sampler& s, const pr::Key& key, const pure::Shape& shape, std::uint64_t offset) {
  switch (s.kind) {
    case Kind::bits: return pr::bits(key, shape, s.dtype, offset);
    case Kind::uniform: return pr::uniform(key, shape, s.dtype, kLo, kHi, offset);
    case Kind::normal: return pr::normal(key, shape, s.dtype, offset);
  }
  throw pure::ValueError("host_draw: unknown sampler");
}

// A user's kernel: out(j) = draw(key, first + j).
template <class T, class Draw>
struct AtKernel {
  Kokkos::View<T*, pure::MemorySpace> out;
  pr::Key key;
  std::uint64_t first;
  Draw draw;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t j) const {
    out(j) = draw(key, first + static_cast<std::uint64_t>(j));
  }
};
struct BitsAt {
  KOKKOS_INLINE_FUNCTION std::uint32_t operator()(const pr::Key& k, std::uint64_t i) const { return pr::bits_at(k, i); }
};
struct Bits64At {
  KOKKOS_INLINE_FUNCTION std::uint64_t operator()(const pr::Key& k, std::uint64_t i) const {
    return pr::bits64_at(k, i);
  }
};
template <class T>
struct UniformAt {
  KOKKOS_INLINE_FUNCTION T operator()(const pr::Key& k, std::uint64_t i) const {
    return pr::uniform_at<T>(k, i, static_cast<T>(kLo), static_cast<T>(kHi));
  }
};
template <class T>
struct NormalAt {
  KOKKOS_INLINE_FUNCTION T operator()(const pr::Key& k, std::uint64_t i) const { return pr::normal_at<T>(k, i); }
};

template <class T, class Draw>
std::vector<unsigned char> run_at(const pr::Key& key, std::int64_t count, std::uint64_t first) {
  Kokkos::View<T*, pure::MemorySpace> out("pure::mpi_tests::draw_at", static_cast<std::size_t>(count));
  Kokkos::parallel_for("pure::mpi_tests::draw_at", Policy(0, count), AtKernel<T, Draw>{out, key, first, Draw{}});
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  std::vector<T> v(host.data(), host.data() + count);
  return bytes_of(v);
}

std::vector<unsigned char> device_draw(const Sampler& s, const pr::Key& key, std::int64_t count, std::uint64_t first) {
  const bool f32 = s.dtype == pure::DType::f32;
  switch (s.kind) {
    case Kind::bits:
      return s.dtype == pure::DType::u32 ? run_at<std::uint32_t, BitsAt>(key, count, first)
                                         : run_at<std::uint64_t, Bits64At>(key, count, first);
    case Kind::uniform:
      return f32 ? run_at<float, UniformAt<float>>(key, count, first)
                 : run_at<double, UniformAt<double>>(key, count, first);
    case Kind::normal:
      return f32 ? run_at<float, NormalAt<float>>(key, count, first)
                 : run_at<double, NormalAt<double>>(key, count, first);
  }
  throw pure::ValueError("device_draw: unknown sampler");
}

// Index of the first differing element, or -1.
std::int64_t first_difference(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b,
                              std::size_t elem) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] != b[i]) return static_cast<std::int64_t>(i / elem);
  }
  return a.size() == b.size() ? -1 : static_cast<std::int64_t>(std::min(a.size(), b.size()) / elem);
}

// (sampler, generator, stream offset of element 0). The large offset makes the
// blocks straddle the 2^32 boundary of the 64-bit counter.
using Param = std::tuple<int, pr::Impl, std::uint64_t>;

class RankSlices : public ::testing::TestWithParam<Param> {
 protected:
  const Sampler& sampler() const { return kSamplers[std::get<0>(GetParam())]; }
  // A distinct key per parameter set, so the reuse check stays quiet across tests.
  pr::Key test_key(std::uint32_t salt) const {
    const auto [s, impl, base] = GetParam();
    const std::uint32_t id = static_cast<std::uint32_t>(s * 16 + static_cast<int>(impl) * 4 + (base != 0 ? 2 : 0));
    return pr::fold_in(pr::key(20240611, impl), id * 8 + salt);
  }
  std::uint64_t base() const { return std::get<2>(GetParam()); }
};

// Rows of a (rows, cols) array split over ranks by rows: each rank's slice is
// the flat range [begin * cols, end * cols) of the whole draw.
TEST_P(RankSlices, HostOffsetDrawsGatherToWholeDraw) {
  const Sampler& s = sampler();
  const std::int64_t rows = 101, cols = 7;  // 101 rows: uneven for 2 and 3 ranks
  const pr::Key key = test_key(0);
  const auto [begin, end] = my_block(rows);
  const pure::Array mine =
      host_draw(s, key, pure::Shape{end - begin, cols}, base() + static_cast<std::uint64_t>(begin * cols));
  const auto gathered = gather_to_root(host_bytes(mine));
  if (rank() == 0) {
    ReuseCheckPaused pause;
    const auto whole = host_bytes(host_draw(s, key, pure::Shape{rows, cols}, base()));
    ASSERT_EQ(gathered.size(), whole.size()) << s.name;
    EXPECT_EQ(first_difference(gathered, whole, pure::dtype_size(s.dtype)), -1)
        << s.name << ": gathered slices differ from the whole draw at this element";
  }
}

// The same through a user kernel calling bits_at / uniform_at / normal_at with
// global indices, on a key made with fold_in as a simulation would.
TEST_P(RankSlices, DeviceAtDrawsGatherToWholeDraw) {
  const Sampler& s = sampler();
  const std::int64_t n = 1001;
  const pr::Key key = pr::fold_in(test_key(1), 17);
  const auto [begin, end] = my_block(n);
  const auto gathered = gather_to_root(device_draw(s, key, end - begin, base() + static_cast<std::uint64_t>(begin)));
  if (rank() == 0) {
    const auto whole = host_bytes(host_draw(s, key, pure::Shape{n}, base()));
    ASSERT_EQ(gathered.size(), whole.size()) << s.name;
    EXPECT_EQ(first_difference(gathered, whole, pure::dtype_size(s.dtype)), -1)
        << s.name << ": gathered *_at slices differ from the whole host draw at this element";
  }
}

INSTANTIATE_TEST_SUITE_P(AllSamplers, RankSlices,
                         ::testing::Combine(::testing::Range(0, 6),
                                            ::testing::Values(pr::Impl::threefry, pr::Impl::philox),
                                            ::testing::Values(std::uint64_t{0}, (std::uint64_t{1} << 32) - 3000)),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           return std::string(kSamplers[std::get<0>(info.param)].name) + "_" +
                                  pr::impl_name(std::get<1>(info.param)) +
                                  (std::get<2>(info.param) != 0 ? "_offset2p32" : "_offset0");
                         });

// The reuse check is per process: ranks drawing disjoint slices of one key are
// fine, but a rank that draws an overlapping slice twice is caught.
TEST(RankSlicesReuse, OverlappingSliceOnOneRankIsCaught) {
  ASSERT_TRUE(pr::debug_key_reuse()) << "pure_mpi_tests must run with PURE_DEBUG_KEY_REUSE=1";
  const pr::Key key = pr::key(99);
  const auto [begin, end] = my_block(30);
  (void)pr::bits(key, pure::Shape{end - begin}, pure::DType::u32, static_cast<std::uint64_t>(begin));
  EXPECT_THROW((void)pr::bits(key, pure::Shape{1}, pure::DType::u32, static_cast<std::uint64_t>(begin)),
               pure::KeyReuseError);
}

}  // namespace
