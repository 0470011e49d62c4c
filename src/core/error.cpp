// Out-of-line anchor for the error hierarchy's vtables, so every library that
// catches pure::Error agrees on one type_info.
#include <pure/core/error.hpp>

#include <cstring>

namespace pure {
namespace {

struct ContextStack {
  const char* outermost = nullptr;
  int depth = 0;
};

ContextStack& context_stack() {
  thread_local ContextStack stack;
  return stack;
}

}  // namespace

ErrorContext::ErrorContext(const char* function) noexcept {
  ContextStack& s = context_stack();
  if (s.depth++ == 0) s.outermost = function;
}

ErrorContext::~ErrorContext() {
  ContextStack& s = context_stack();
  if (--s.depth == 0) s.outermost = nullptr;
}

const char* ErrorContext::current() noexcept { return context_stack().outermost; }

namespace detail {

std::string in_error_context(const std::string& message) {
  const char* function = ErrorContext::current();
  if (function == nullptr) return message;
  const std::size_t n = std::strlen(function);
  // The function's own errors already start with its name.
  if (message.compare(0, n, function) == 0 && message.size() > n && message[n] == ':') return message;
  return std::string(function) + ": " + message;
}

}  // namespace detail
}  // namespace pure
