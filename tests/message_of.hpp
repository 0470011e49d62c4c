// The message of the exception a call must throw, for tests that check what
// an error says (the call not throwing fails the test).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include <pure/core/error.hpp>

namespace pure_test {

template <class E = pure::Error, class F>
std::string message_of(F call) {
  try {
    call();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an exception";
  return "";
}

}  // namespace pure_test
