// pure::Tree and the non-template parts of the tree utilities. The arithmetic
// helpers call the ops layer's numpy surface; they are compiled here, in the
// one library, so that core/tree.hpp itself depends on nothing above core.
#include <pure/core/tree.hpp>

#include <algorithm>
#include <ostream>
#include <unordered_map>

#include <pure/core/creation.hpp>
#include <pure/ops/numpy.hpp>

namespace pure {

// ---------------------------------------------------------------- Tree

Tree::Tree(std::initializer_list<std::pair<std::string, Tree>> items) {
  for (const auto& [key, value] : items) {
    if (contains(key)) throw Error("pure::Tree: key '" + key + "' appears twice in the initializer list");
    keys_.push_back(key);
    children_.push_back(value);
  }
}

const Array& Tree::array() const {
  if (!is_leaf_) {
    throw Error("pure::Tree::array: this node is a dict with " + std::to_string(keys_.size()) +
                " keys, not a leaf; index it with a key");
  }
  return leaf_;
}

std::ptrdiff_t Tree::find(const std::string& key) const {
  // Linear search: parameter dicts have a handful of keys per level, and it
  // keeps insertion order without a second index.
  const auto it = std::find(keys_.begin(), keys_.end(), key);
  return it == keys_.end() ? -1 : it - keys_.begin();
}

bool Tree::contains(const std::string& key) const { return !is_leaf_ && find(key) >= 0; }

const Tree& Tree::missing(const std::string& key) const {
  if (is_leaf_) throw Error("pure::Tree::at: cannot look up key '" + key + "' in a leaf");
  std::string present;
  for (const std::string& k : keys_) present += (present.empty() ? "'" : ", '") + k + "'";
  throw Error("pure::Tree::at: no key '" + key + "' (keys: " + (present.empty() ? "none" : present) + ")");
}

const Tree& Tree::at(const std::string& key) const {
  const std::ptrdiff_t i = is_leaf_ ? -1 : find(key);
  return i < 0 ? missing(key) : children_[static_cast<std::size_t>(i)];
}

Tree& Tree::at(const std::string& key) {
  const std::ptrdiff_t i = is_leaf_ ? -1 : find(key);
  if (i < 0) missing(key);
  return children_[static_cast<std::size_t>(i)];
}

Tree& Tree::operator[](const std::string& key) {
  if (is_leaf_) throw Error("pure::Tree::operator[]: cannot index a leaf with key '" + key + "'");
  const std::ptrdiff_t i = find(key);
  if (i >= 0) return children_[static_cast<std::size_t>(i)];
  keys_.push_back(key);
  children_.emplace_back();
  return children_.back();
}

Tree& Tree::set(const std::string& key, Tree value) {
  (*this)[key] = std::move(value);
  return *this;
}

bool Tree::erase(const std::string& key) {
  const std::ptrdiff_t i = is_leaf_ ? -1 : find(key);
  if (i < 0) return false;
  keys_.erase(keys_.begin() + i);
  children_.erase(children_.begin() + i);
  return true;
}

std::ostream& operator<<(std::ostream& os, const Tree& tree) { return os << tree_str(tree); }

namespace detail {

namespace {

std::string type_text(const Array& a) {
  if (!a.valid()) return "<empty>";
  std::string s = dtype_short_name(a.dtype());
  s += "[";
  for (int i = 0; i < a.rank(); ++i) s += (i ? "," : "") + std::to_string(a.shape()[i]);
  return s + "]";
}

std::string shown(const std::string& path) { return path.empty() ? "(root)" : path; }

void check_pair(const char* who, const std::string& path, const Array& x, const Array& y) {
  if (!x.valid() || !y.valid()) {
    throw ValueError(std::string(who) + ": leaf " + shown(path) + " is an empty (default-constructed) Array");
  }
  if (x.shape() != y.shape()) {
    throw ShapeError(std::string(who) + ": leaves at " + shown(path) + " have different shapes, " + type_text(x) +
                     " and " + type_text(y));
  }
}

void check_valid(const char* who, const std::string& path, const Array& x) {
  if (!x.valid())
    throw ValueError(std::string(who) + ": leaf " + shown(path) + " is an empty (default-constructed) Array");
}

Array rank0(const char* who, const Array& s, DType dtype) {
  if (s.rank() != 0) {
    throw ShapeError(std::string(who) + ": the scale must be a rank-0 array, got " + type_text(s));
  }
  return astype(s, dtype);
}

}  // namespace

std::vector<std::string> split_field_names(const char* names) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    const auto b = cur.find_first_not_of(" \t\n");
    const auto e = cur.find_last_not_of(" \t\n");
    out.push_back(b == std::string::npos ? std::string() : cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (const char* p = names; *p != '\0'; ++p) {
    if (*p == ',') {
      flush();
    } else {
      cur += *p;
    }
  }
  flush();
  return out;
}

std::string tree_text(const PathLeaves& leaves) {
  std::string s;
  for (const auto& [path, leaf] : leaves) s += shown(path) + ": " + type_text(leaf) + "\n";
  return s;
}

std::vector<Array> aligned_leaves(const PathLeaves& first, const PathLeaves& other, const char* who,
                                  std::size_t index) {
  return aligned_leaves(first, other, who, "tree 0", "tree " + std::to_string(index), false);
}

std::vector<Array> aligned_leaves(const PathLeaves& first, const PathLeaves& other, const char* who,
                                  const std::string& first_name, const std::string& other_name, bool same_types) {
  bool same_order = first.size() == other.size();
  for (std::size_t i = 0; same_order && i < first.size(); ++i) same_order = first[i].first == other[i].first;
  std::vector<Array> out;
  out.reserve(first.size());
  if (same_order) {
    for (const auto& pl : other) out.push_back(pl.second);
  } else {
    std::unordered_map<std::string, std::size_t> where;
    for (std::size_t i = 0; i < other.size(); ++i) where.emplace(other[i].first, i);
    for (const auto& pl : first) {
      const auto it = where.find(pl.first);
      if (it == where.end()) {
        throw ValueError(std::string(who) + ": the trees differ in structure: no leaf at " + shown(pl.first) + " in " +
                         other_name + (pl.second.valid() ? " (" + first_name + ": " + type_text(pl.second) + ")" : ""));
      }
      out.push_back(other[it->second].second);
      where.erase(it);
    }
    if (!where.empty()) {
      // Report the extra leaf that comes first in the other tree's order.
      std::size_t first_extra = other.size();
      for (const auto& kv : where) first_extra = std::min(first_extra, kv.second);
      throw ValueError(std::string(who) + ": the trees differ in structure: a leaf at " +
                       shown(other[first_extra].first) + " in " + other_name + " but not in " + first_name);
    }
  }
  if (same_types) {
    for (std::size_t i = 0; i < first.size(); ++i) {
      if (!first[i].second.valid()) throw_empty_leaf(first, i, who, first_name);
      if (!out[i].valid()) throw_empty_leaf(first, i, who, other_name);
      const Array& a = first[i].second;
      const Array& b = out[i];
      if (a.dtype() != b.dtype()) {
        throw DTypeError(std::string(who) + ": " + other_name + " have " + type_text(b) + " at " +
                         shown(first[i].first) + " where " + first_name + " have " + type_text(a) +
                         " (dtypes must match)");
      }
      if (a.shape() != b.shape()) {
        throw ShapeError(std::string(who) + ": " + other_name + " have " + type_text(b) + " at " +
                         shown(first[i].first) + " where " + first_name + " have " + type_text(a) +
                         " (shapes must match)");
      }
    }
  }
  return out;
}

void throw_empty_leaf(const PathLeaves& leaves, std::size_t index, const char* who, const std::string& what) {
  const std::string& path = leaves.at(index).first;
  throw ValueError(std::string(who) + ": " + what + (path.empty() ? std::string() : " at " + path) +
                   " is an empty (default-constructed) Array");
}

Array tree_add_leaf(const std::string& path, const Array& x, const Array& y) {
  check_pair("pure::tree_add", path, x, y);
  return add(x, y);
}

Array tree_sub_leaf(const std::string& path, const Array& x, const Array& y) {
  check_pair("pure::tree_sub", path, x, y);
  return subtract(x, y);
}

Array tree_scale_leaf(const std::string& path, double s, const Array& x) {
  check_valid("pure::tree_scale", path, x);
  return x * s;
}

Array tree_scale_leaf(const std::string& path, const Array& s, const Array& x) {
  check_valid("pure::tree_scale", path, x);
  return multiply(x, rank0("pure::tree_scale", s, x.dtype()));
}

Array tree_axpy_leaf(const std::string& path, double a, const Array& x, const Array& y) {
  check_pair("pure::tree_axpy", path, x, y);
  return add(x * a, y);
}

Array tree_axpy_leaf(const std::string& path, const Array& a, const Array& x, const Array& y) {
  check_pair("pure::tree_axpy", path, x, y);
  return add(multiply(x, rank0("pure::tree_axpy", a, x.dtype())), y);
}

Array tree_vdot_leaves(const PathLeaves& x, const std::vector<Array>& y) {
  Array total;
  for (std::size_t i = 0; i < x.size(); ++i) {
    check_pair("pure::tree_vdot", x[i].first, x[i].second, y[i]);
    const Array term = sum(multiply(x[i].second, y[i]));
    total = total.valid() ? add(total, term) : term;
  }
  return total.valid() ? total : zeros(Shape{}, DType::f32);
}

Array tree_zeros_leaf(const std::string& path, const Array& x) {
  check_valid("pure::tree_zeros_like", path, x);
  return zeros(x.shape(), x.dtype());
}

}  // namespace detail
}  // namespace pure
