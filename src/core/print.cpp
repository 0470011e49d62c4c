// numpy-like printing of arrays: nested brackets, aligned columns, "..." for
// arrays over 1000 elements (first and last 3 along each axis), as numpy does.
#include <pure/core/array.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <sstream>

namespace pure {
namespace {

constexpr std::int64_t kThreshold = 1000;
constexpr std::int64_t kEdge = 3;

// Shortest decimal text that reads back as the same value, numpy style ("1.", "0.5", "1e-08").
template <class T>
std::string format_float(T v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, static_cast<double>(v));
    if (static_cast<T>(std::strtod(buf, nullptr)) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".";
  return s;
}

std::string format_element(const std::vector<unsigned char>& bytes, DType dtype, std::int64_t i) {
  const unsigned char* p = bytes.data() + static_cast<std::size_t>(i) * dtype_size(dtype);
  auto load = [p](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (dtype) {
    case DType::f32: return format_float(load(float{}));
    case DType::f64: return format_float(load(double{}));
    case DType::i32: return std::to_string(load(std::int32_t{}));
    case DType::u32: return std::to_string(load(std::uint32_t{}));
    case DType::i64: return std::to_string(load(std::int64_t{}));
    case DType::u64: return std::to_string(load(std::uint64_t{}));
    case DType::boolean: return *p ? "True" : "False";
  }
  return "?";
}

// numpy lines floats up on the decimal point: "[ 0.   1. ]" / "[ 2.5 -3. ]".
// Pads each plain decimal on the right to the longest fraction (the left side
// is padded when printing). Scientific notation is left as it is.
void align_decimal_points(std::vector<std::string>& text) {
  std::size_t frac = 0;
  for (const auto& s : text) {
    const auto dot = s.find('.');
    if (s.empty()) continue;
    if (dot == std::string::npos || s.find('e') != std::string::npos) return;
    frac = std::max(frac, s.size() - dot - 1);
  }
  for (auto& s : text) {
    if (!s.empty()) s.append(frac - (s.size() - s.find('.') - 1), ' ');
  }
}

struct Printer {
  const std::vector<std::int64_t>& dims;
  std::vector<std::string> text;  // formatted elements, row-major (only those shown)
  std::size_t width = 0;
  bool summarize;
  std::vector<std::int64_t> strides;

  bool skipped(int axis, std::int64_t j) const {
    return summarize && dims[axis] > 2 * kEdge && j >= kEdge && j < dims[axis] - kEdge;
  }

  void print(std::ostream& os, int axis, std::int64_t offset, int indent) const {
    const int rank = static_cast<int>(dims.size());
    os << "[";
    for (std::int64_t j = 0; j < dims[axis]; ++j) {
      if (skipped(axis, j)) {
        if (j == kEdge) {
          if (axis + 1 == rank) {
            os << " ...";
          } else {
            os << "\n" << std::string(static_cast<std::size_t>(indent + 1), ' ') << "...";
          }
          if (axis + 1 < rank)
            os << std::string(static_cast<std::size_t>(rank - axis - 1), '\n')
               << std::string(static_cast<std::size_t>(indent + 1), ' ');
          else
            os << " ";
        }
        continue;
      }
      if (j > 0 && !(skipped(axis, j - 1))) {
        if (axis + 1 == rank) {
          os << " ";
        } else {
          os << std::string(static_cast<std::size_t>(rank - axis - 1), '\n')
             << std::string(static_cast<std::size_t>(indent + 1), ' ');
        }
      }
      const std::int64_t at = offset + j * strides[axis];
      if (axis + 1 == rank) {
        const std::string& s = text[static_cast<std::size_t>(at)];
        os << std::string(width - s.size(), ' ') << s;
      } else {
        print(os, axis + 1, at, indent + 1);
      }
    }
    os << "]";
  }
};

}  // namespace

std::string Array::str() const {
  if (!valid()) return "Array(<empty>)";
  if (is_tracer()) return std::string("Traced<") + dtype_name(dtype_) + shape_.str() + ">";
  std::vector<unsigned char> bytes(nbytes());
  if (!bytes.empty()) copy_to_host(bytes.data());
  const auto& dims = shape_.dims();
  if (dims.empty()) return format_element(bytes, dtype_, 0);

  Printer p{dims, {}, 0, size() > kThreshold, std::vector<std::int64_t>(dims.size(), 1)};
  for (int a = static_cast<int>(dims.size()) - 2; a >= 0; --a) p.strides[a] = p.strides[a + 1] * dims[a + 1];
  p.text.resize(static_cast<std::size_t>(size()));
  for (std::int64_t i = 0; i < size(); ++i) {
    // Only elements whose every index is shown are formatted (and count for the width).
    bool shown = true;
    std::int64_t rest = i;
    for (std::size_t a = 0; a < dims.size() && shown; ++a) {
      const std::int64_t j = rest / p.strides[a];
      rest %= p.strides[a];
      shown = !p.skipped(static_cast<int>(a), j);
    }
    if (!shown) continue;
    p.text[static_cast<std::size_t>(i)] = format_element(bytes, dtype_, i);
  }
  align_decimal_points(p.text);
  for (const auto& s : p.text) p.width = std::max(p.width, s.size());
  std::ostringstream os;
  p.print(os, 0, 0, 0);
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Array& a) { return os << a.str(); }

}  // namespace pure
