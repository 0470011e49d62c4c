// pure::einsum: numpy.einsum on dot_general. Each operand first loses its
// repeated letters (diagonal) and the letters nobody else needs (reduce_sum);
// then operands are contracted pairwise, left to right, with dot_general, a
// letter summed by the first product after which no later operand and not the
// output uses it; a final transpose orders the output.
#include <pure/core/creation.hpp>
#include <pure/ops/numpy.hpp>

#include "entry.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace pure {
namespace {

// Letters of one operand (or the output); '.' entries do not occur: an
// ellipsis is expanded into reserved upper-range labels first.
using Labels = std::vector<int>;

struct Term {
  Array value;
  Labels labels;  // one per axis of value
};

// Labels 256.. stand for the axes an ellipsis covers, aligned from the right.
constexpr int kEllipsisBase = 256;

std::string label_text(int l) {
  return l >= kEllipsisBase ? "..." + std::to_string(l - kEllipsisBase) : std::string(1, static_cast<char>(l));
}

[[noreturn]] void fail(const std::string& spec, const std::string& why) {
  throw ShapeError("pure::einsum: subscripts \"" + spec + "\": " + why);
}

// Parses one term's subscripts. For an operand, `rank` is its rank and
// *ellipsis_rank grows to the axes its "..." covers; for the output (rank < 0)
// "..." covers *ellipsis_rank axes.
Labels parse_term(const std::string& spec, const std::string& t, int rank, int* ellipsis_rank, const std::string& who) {
  Labels out;
  int letters = 0;
  bool ellipsis = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '.') {
      if (ellipsis || t.compare(i, 3, "...") != 0) fail(spec, who + " has a stray '.' (an ellipsis is \"...\")");
      ellipsis = true;
      i += 2;
      out.push_back(-1);  // placeholder
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      out.push_back(c);
      ++letters;
    } else if (c != ' ') {
      fail(spec, who + " has the character '" + std::string(1, c) + "'; subscripts are letters and \"...\"");
    }
  }
  if (rank >= 0 && (ellipsis ? letters > rank : letters != rank)) {
    fail(spec, who + " names " + std::to_string(letters) + " axes" + (ellipsis ? " besides \"...\"" : "") +
                   ", the operand has rank " + std::to_string(rank));
  }
  if (!ellipsis) return out;
  const int e = rank >= 0 ? rank - letters : *ellipsis_rank;
  if (rank >= 0) *ellipsis_rank = std::max(*ellipsis_rank, e);
  Labels expanded;
  for (int l : out) {
    if (l != -1) {
      expanded.push_back(l);
      continue;
    }
    // Right-aligned: the last axis under "..." of every operand shares a label.
    for (int k = 0; k < e; ++k) expanded.push_back(kEllipsisBase + (64 - e + k));
  }
  return expanded;
}

// A letter repeated inside one term (extents checked equal by the caller): its
// diagonal, the label kept once (last axis).
Term take_diagonals(Term t) {
  for (;;) {
    int a = -1, b = -1;
    for (std::size_t i = 0; i < t.labels.size() && a < 0; ++i) {
      for (std::size_t j = i + 1; j < t.labels.size(); ++j) {
        if (t.labels[i] == t.labels[j]) {
          a = static_cast<int>(i);
          b = static_cast<int>(j);
          break;
        }
      }
    }
    if (a < 0) return t;
    const int l = t.labels[static_cast<std::size_t>(a)];
    t.value = diagonal(t.value, 0, a, b);
    Labels rest;
    for (std::size_t i = 0; i < t.labels.size(); ++i) {
      if (static_cast<int>(i) != a && static_cast<int>(i) != b) rest.push_back(t.labels[i]);
    }
    rest.push_back(l);
    t.labels = rest;
  }
}

bool contains(const Labels& ls, int l) { return std::find(ls.begin(), ls.end(), l) != ls.end(); }

// Sums the axes whose labels are not in `keep`.
Term sum_unneeded(Term t, const Labels& keep) {
  std::vector<std::int64_t> axes;
  Labels rest;
  for (std::size_t i = 0; i < t.labels.size(); ++i) {
    if (contains(keep, t.labels[i])) {
      rest.push_back(t.labels[i]);
    } else {
      axes.push_back(static_cast<std::int64_t>(i));
    }
  }
  if (axes.empty()) return t;
  const Array v = t.value.dtype() == DType::boolean ? astype(t.value, DType::i32) : t.value;
  return Term{lax::reduce_sum(v, axes), rest};
}

std::int64_t index_of(const Labels& ls, int l) {
  return static_cast<std::int64_t>(std::find(ls.begin(), ls.end(), l) - ls.begin());
}

// a * b summed over the shared labels not in `keep`; shared labels in `keep`
// are batch axes. Result labels: batch, a's free, b's free (dot_general's order).
Term contract(const Term& a, const Term& b, const Labels& keep) {
  std::vector<std::int64_t> ca, cb, ba, bb;
  Labels out;
  for (std::size_t i = 0; i < a.labels.size(); ++i) {
    const int l = a.labels[i];
    if (!contains(b.labels, l)) continue;
    if (contains(keep, l)) {
      ba.push_back(static_cast<std::int64_t>(i));
      bb.push_back(index_of(b.labels, l));
      out.push_back(l);
    } else {
      ca.push_back(static_cast<std::int64_t>(i));
      cb.push_back(index_of(b.labels, l));
    }
  }
  for (int l : a.labels) {
    if (!contains(b.labels, l)) out.push_back(l);
  }
  for (int l : b.labels) {
    if (!contains(a.labels, l)) out.push_back(l);
  }
  return Term{lax::dot_general(a.value, b.value, {ca, cb}, {ba, bb}), out};
}

// Broadcasts extent-1 axes of `t` to the extent `extent[label]` (ellipsis axes, numpy broadcasting).
Term broadcast_labels(Term t, const std::map<int, std::int64_t>& extent) {
  std::vector<std::int64_t> dims;
  bool changed = false;
  for (std::size_t i = 0; i < t.labels.size(); ++i) {
    const std::int64_t n = extent.at(t.labels[i]);
    changed = changed || n != t.value.shape()[static_cast<int>(i)];
    dims.push_back(n);
  }
  if (changed) t.value = broadcast_to(t.value, Shape(dims));
  return t;
}

}  // namespace

Array einsum(const std::string& subscripts, const std::vector<Array>& operands) {
  const detail::Entry entry("pure::einsum", "operands", operands);
  const std::string& spec = subscripts;
  if (operands.empty()) fail(spec, "needs at least one operand");
  const std::size_t arrow = spec.find("->");
  const std::string lhs = spec.substr(0, arrow);
  std::vector<std::string> parts;
  for (std::size_t begin = 0;;) {
    const std::size_t comma = lhs.find(',', begin);
    parts.push_back(lhs.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  if (parts.size() != operands.size()) {
    fail(spec, "names " + std::to_string(parts.size()) + " operands, got " + std::to_string(operands.size()));
  }

  DType dtype = operands[0].dtype();
  for (const Array& x : operands) dtype = promote_types(dtype, x.dtype());

  // Parse, and find each label's extent (extent 1 broadcasts under "...").
  int ellipsis_rank = 0;
  std::vector<Term> terms;
  std::map<int, std::int64_t> extent;
  std::map<int, int> count;
  for (std::size_t k = 0; k < operands.size(); ++k) {
    const std::string who = "operand " + std::to_string(k) + " " + operands[k].shape().str();
    Term t{astype(operands[k], dtype), parse_term(spec, parts[k], operands[k].rank(), &ellipsis_rank, who)};
    std::map<int, std::int64_t> own;  // this operand's extents
    for (std::size_t i = 0; i < t.labels.size(); ++i) {
      const int l = t.labels[i];
      const std::int64_t n = t.value.shape()[static_cast<int>(i)];
      ++count[l];  // every occurrence: "ii" is a trace in implicit mode
      if (own.count(l)) {
        if (own[l] != n) {
          fail(spec, who + " repeats '" + label_text(l) + "' on axes of extents " + std::to_string(own[l]) + " and " +
                         std::to_string(n));
        }
        continue;
      }
      own[l] = n;
      auto it = extent.find(l);
      if (it == extent.end() || it->second == 1) {
        if (it != extent.end() && l < kEllipsisBase && n != 1) {
          fail(spec, who + " gives '" + label_text(l) + "' extent " + std::to_string(n) + ", an earlier operand 1");
        }
        extent[l] = n;
      } else if (n != it->second && !(l >= kEllipsisBase && n == 1)) {
        fail(spec, who + " gives '" + label_text(l) + "' extent " + std::to_string(n) + ", an earlier operand " +
                       std::to_string(it->second));
      }
    }
    terms.push_back(std::move(t));
  }

  // The output labels: explicit, or numpy's implicit ones ("..." first, then
  // the letters that occur once, sorted).
  Labels output;
  if (arrow != std::string::npos) {
    output = parse_term(spec, spec.substr(arrow + 2), -1, &ellipsis_rank, "the output");
    Labels fixed;
    for (int l : output) {
      if (contains(fixed, l)) fail(spec, "the output repeats '" + label_text(l) + "'");
      if (!extent.count(l)) fail(spec, "the output names '" + label_text(l) + "', which no operand has");
      fixed.push_back(l);
    }
    output = fixed;
  } else {
    for (int k = 0; k < ellipsis_rank; ++k) output.push_back(kEllipsisBase + 64 - ellipsis_rank + k);
    for (const auto& [l, c] : count) {
      if (l < kEllipsisBase && c == 1) output.push_back(l);
    }
  }

  // Per operand: broadcast "..." axes, diagonals, early sums.
  for (std::size_t k = 0; k < terms.size(); ++k) {
    terms[k] = take_diagonals(broadcast_labels(terms[k], extent));
    Labels keep = output;
    for (std::size_t j = 0; j < terms.size(); ++j) {
      if (j != k) keep.insert(keep.end(), terms[j].labels.begin(), terms[j].labels.end());
    }
    terms[k] = sum_unneeded(terms[k], keep);
  }
  Term acc = terms[0];
  for (std::size_t k = 1; k < terms.size(); ++k) {
    Labels keep = output;
    for (std::size_t j = k + 1; j < terms.size(); ++j) {
      keep.insert(keep.end(), terms[j].labels.begin(), terms[j].labels.end());
    }
    acc = sum_unneeded(contract(acc, terms[k], keep), keep);
  }
  std::vector<std::int64_t> perm;
  for (int l : output) perm.push_back(index_of(acc.labels, l));
  return lax::transpose(acc.value, perm);
}

}  // namespace pure
