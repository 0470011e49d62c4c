// Sizes no memory can hold: an element count past int64 is a ShapeError (from
// Shape); a byte count past 64 bits, or past what the memory space holds, or an
// allocation that fails, is a ResourceError naming the op, the dtype and shape
// and the bytes. Never a crash, a hang, std::bad_alloc or Kokkos' runtime_error.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#if defined(__linux__)
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#endif

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// Runs `call`, which must throw E whose message holds every fragment.
template <class E, class F>
void expect_error(F&& call, const std::vector<std::string>& fragments) {
  try {
    call();
    ADD_FAILURE() << "no exception; expected one mentioning '" << fragments.front() << "'";
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const std::string& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

TEST(Resources, ElementCountPastInt64IsShapeError) {
  const std::int64_t big = std::int64_t{1} << 40;
  expect_error<pure::ShapeError>([&] { pure::Shape s{big, big}; }, {"pure::Shape", "overflows int64"});
  expect_error<pure::ShapeError>([&] { pure::zeros({big, big}); }, {"(1099511627776,1099511627776)"});
  expect_error<pure::ShapeError>([&] { pure::ones({3, kInt64Max}, pure::DType::boolean); }, {"overflows int64"});
  expect_error<pure::ShapeError>([] { pure::arange(0.0, 1e300, 1.0, pure::DType::f64); },
                                 {"pure::arange", "overflow int64"});
}

TEST(Resources, ByteCountPast64BitsIsResourceError) {
  // 2^61 elements are a Shape; 2^64 bytes are no size_t.
  expect_error<pure::ResourceError>([] { pure::zeros({std::int64_t{1} << 61}, pure::DType::f64); },
                                    {"pure::zeros", "float64", "(2305843009213693952,)", "overflows"});
  expect_error<pure::ResourceError>([] { pure::ones({kInt64Max}); },
                                    {"pure::ones", "float32", "(9223372036854775807,)", "overflows"});
  expect_error<pure::ResourceError>(
      [] {
        pure::full({std::int64_t{1} << 61, 2}, 3.0, pure::DType::i32);
      },
      {"pure::full", "int32", "(2305843009213693952,2)", "overflows"});
  expect_error<pure::ResourceError>([] { pure::arange(kInt64Max, pure::DType::u64); },
                                    {"pure::arange", "uint64", "overflows"});
}

TEST(Resources, MoreThanTheMemorySpaceHoldsIsResourceError) {
  // 4 TB (and 2^63 - 1 bytes): more than this machine's memory, checked before allocating.
  expect_error<pure::ResourceError>([] { pure::zeros({1000000000000}, pure::DType::f32); },
                                    {"pure::zeros", "float32", "(1000000000000,)", "4000000000000 bytes"});
  expect_error<pure::ResourceError>([] { pure::ones({kInt64Max}, pure::DType::boolean); },
                                    {"pure::ones", "bool", "9223372036854775807 bytes"});
  expect_error<pure::ResourceError>([] { pure::arange(1000000000000, pure::DType::f64); },
                                    {"pure::arange", "float64", "(1000000000000,)", "8000000000000 bytes"});
  expect_error<pure::ResourceError>([] { pure::arange(0.0, 1e12, 1.0, pure::DType::i64); },
                                    {"pure::arange", "int64", "8000000000000 bytes"});
  // broadcast_in_dim makes a view, but one that must be writable out.
  const pure::Array one = pure::ones({1}, pure::DType::f64);
  expect_error<pure::ResourceError>(
      [&] {
        pure::lax::broadcast_in_dim(one, {1000000, 1000000}, {1});
      },
      {"pure::broadcast_in_dim", "(1000000,1000000)", "8000000000000 bytes"});
  // What fits still works.
  EXPECT_EQ(pure::zeros({3}, pure::DType::f32).to_host<float>(), (std::vector<float>{0, 0, 0}));
}

#if defined(__linux__)
// Lowers the soft address-space limit for its lifetime, so that an allocation
// the memory-size check lets through fails in the allocator itself.
class AddressSpaceLimit {
 public:
  explicit AddressSpaceLimit(rlim_t bytes) {
    ok_ = getrlimit(RLIMIT_AS, &saved_) == 0;
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    ok_ = ok_ && (saved_.rlim_cur == RLIM_INFINITY || saved_.rlim_cur > bytes) && setrlimit(RLIMIT_AS, &lowered) == 0;
  }
  ~AddressSpaceLimit() {
    if (ok_) setrlimit(RLIMIT_AS, &saved_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// Bytes of address space this process maps now (first field of /proc/self/statm, in pages).
rlim_t address_space_in_use() {
  unsigned long long pages = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  return static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGE_SIZE));
}

TEST(Resources, FailedAllocationIsResourceError) {
  if (!std::is_same<pure::MemorySpace, Kokkos::HostSpace>::value) GTEST_SKIP() << "host memory only";
  const std::int64_t n = std::int64_t{1} << 32;  // 16 GiB of f32, 4 GiB of bool
  std::string arange_message, view_message;
  {
    const AddressSpaceLimit limit(address_space_in_use() + (rlim_t{4} << 30));
    if (!limit.ok()) GTEST_SKIP() << "cannot lower RLIMIT_AS";
    try {
      pure::arange(n, pure::DType::f32);
    } catch (const pure::ResourceError& e) {
      arange_message = e.what();
    }
    try {
      (void)pure::ones({n}, pure::DType::f32).data();  // ones makes a view; data() writes it out
    } catch (const pure::ResourceError& e) {
      view_message = e.what();
    }
  }
  // Either the allocation failed or (on a small machine) the size check refused it.
  for (const char* f : {"pure::arange", "float32", "(4294967296,)", "17179869184 bytes"}) {
    EXPECT_NE(arange_message.find(f), std::string::npos) << "'" << f << "' not in: '" << arange_message << "'";
  }
  for (const char* f : {"pure::ones", "float32", "(4294967296,)", "17179869184 bytes"}) {
    EXPECT_NE(view_message.find(f), std::string::npos) << "'" << f << "' not in: '" << view_message << "'";
  }
  // The failure left everything usable.
  EXPECT_EQ(pure::arange(3, pure::DType::f32).to_host<float>(), (std::vector<float>{0, 1, 2}));
}
#endif

}  // namespace
