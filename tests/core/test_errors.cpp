#include <gtest/gtest.h>

#include <pure/pure.hpp>

namespace {

// Expects `stmt` to throw E whose message contains every fragment.
template <class E, class F>
void expect_error(F&& stmt, std::initializer_list<const char*> fragments) {
  try {
    stmt();
    FAIL() << "no exception";
  } catch (const E& e) {
    for (const char* f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

TEST(Errors, NegativeExtentNamesAxisAndShape) {
  expect_error<pure::ShapeError>([] { pure::zeros({3, -2}); }, {"pure::Shape", "axis 1", "(3,-2)"});
}

TEST(Errors, FromHostSizeMismatchNamesShapeAndCount) {
  expect_error<pure::ShapeError>(
      [] {
        pure::from_host(std::vector<float>(10), {3, 4});
      },
      {"pure::from_host", "'shape'", "(3,4)", "12", "10"});
}

TEST(Errors, WrongDtypeNamesBoth) {
  expect_error<pure::DTypeError>([] { pure::zeros({2}, pure::DType::f32).to_host<double>(); },
                                 {"to_host", "float32", "float64", "(2,)"});
}

TEST(Errors, AllDeriveFromPureError) {
  EXPECT_THROW(pure::zeros({-1}), pure::Error);
  EXPECT_THROW(pure::arange(-1), pure::ValueError);
  EXPECT_THROW(pure::arange(0.0, 1.0, 0.0), pure::ValueError);
  EXPECT_THROW(pure::Array().to_host<float>(), pure::Error);
}

}  // namespace
