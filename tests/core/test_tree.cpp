// Trees of arrays: pure::Tree, PURE_TREE structs, flatten/unflatten with
// paths, tree_map, the arithmetic helpers, printing, and grad over trees.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <pure/pure.hpp>

#include "message_of.hpp"

namespace {

using pure_test::message_of;

using pure::Array;
using pure::Tree;

Array vec(const std::vector<float>& v) { return pure::from_host(v); }
Array vecd(const std::vector<double>& v) { return pure::from_host(v); }
std::vector<float> host(const Array& a) { return a.to_host<float>(); }

struct Linear {
  Array w, b;
  int features = 0;  // not a leaf: carried over by unflatten
};
PURE_TREE(Linear, w, b)

struct Model {
  std::vector<Linear> layers;
  Tree extra;
  Array scale;
};
PURE_TREE(Model, layers, extra, scale)

// A tree registered by hand, without the optional path hook.
struct Pair2 {
  Array first, second;
};

}  // namespace

template <>
struct pure::TreeTraits<Pair2> {
  static void flatten(const Pair2& p, std::vector<Array>& out) {
    out.push_back(p.first);
    out.push_back(p.second);
  }
  static Pair2 unflatten(const Pair2&, const Array*& it) {
    Pair2 p;
    p.first = *it++;
    p.second = *it++;
    return p;
  }
};

namespace {

Tree two_layer() {
  Tree t;
  t["dense0"]["w"] = vec({1, 2, 3, 4, 5, 6});
  t["dense0"]["b"] = vec({0.5f, -0.5f});
  t["out"] = pure::full({}, 2.0, pure::DType::f64);
  return t;
}

std::vector<std::string> paths_of(const pure::PathLeaves& pl) {
  std::vector<std::string> out;
  for (const auto& p : pl) out.push_back(p.first);
  return out;
}

TEST(Tree, BuildsNestedDictsInInsertionOrder) {
  Tree t = two_layer();
  EXPECT_TRUE(t.is_dict());
  EXPECT_EQ(t.keys(), (std::vector<std::string>{"dense0", "out"}));
  EXPECT_EQ(t["dense0"].keys(), (std::vector<std::string>{"w", "b"}));
  EXPECT_TRUE(t["dense0"]["w"].is_leaf());
  EXPECT_EQ(host(t["dense0"]["b"]), (std::vector<float>{0.5f, -0.5f}));
  EXPECT_TRUE(t.contains("out"));
  EXPECT_FALSE(t.contains("dense1"));

  const Tree lit{{"w", vec({1})}, {"inner", Tree{{"b", vec({2})}}}};
  EXPECT_EQ(lit.keys(), (std::vector<std::string>{"w", "inner"}));
  EXPECT_EQ(host(lit["inner"]["b"]), std::vector<float>{2});

  t.set("out", vec({7}));  // replaces in place, keeps the position
  EXPECT_EQ(t.keys(), (std::vector<std::string>{"dense0", "out"}));
  EXPECT_EQ(host(t["out"]), std::vector<float>{7});
  EXPECT_TRUE(t.erase("dense0"));
  EXPECT_FALSE(t.erase("dense0"));
  EXPECT_EQ(t.size(), 1u);
}

TEST(Tree, LookupErrorsNameTheKey) {
  const Tree t = two_layer();
  const std::string m = message_of<pure::Error>([&] { (void)t["dense1"]; });
  EXPECT_NE(m.find("no key 'dense1'"), std::string::npos) << m;
  EXPECT_NE(m.find("'dense0', 'out'"), std::string::npos) << m;
  EXPECT_THROW((void)t["dense0"].array(), pure::Error);
  Tree leaf = vec({1});
  EXPECT_THROW(leaf["x"], pure::Error);
  EXPECT_THROW((Tree{{"a", vec({1})}, {"a", vec({2})}}), pure::Error);
}

TEST(Tree, FlattensWithPathsAndRebuilds) {
  const Tree t = two_layer();
  const auto pl = pure::tree_leaves_with_path(t);
  EXPECT_EQ(paths_of(pl), (std::vector<std::string>{"['dense0']['w']", "['dense0']['b']", "['out']"}));
  const std::vector<Array> leaves = pure::tree_leaves(t);
  ASSERT_EQ(leaves.size(), 3u);
  EXPECT_EQ(leaves[0].data(), t["dense0"]["w"].array().data());  // leaves are shared, not copied

  auto [flat, def] = pure::tree_flatten(t);
  EXPECT_EQ(def.num_leaves(), 3u);
  EXPECT_EQ(def.paths(), paths_of(pl));
  const Tree rebuilt = def.unflatten({vec({9}), vec({8}), vec({7})});
  EXPECT_EQ(rebuilt["dense0"].keys(), (std::vector<std::string>{"w", "b"}));
  EXPECT_EQ(host(rebuilt["dense0"]["w"]), std::vector<float>{9});
  EXPECT_EQ(host(rebuilt["out"]), std::vector<float>{7});
  EXPECT_THROW(def.unflatten({vec({1})}), pure::Error);
  EXPECT_THROW(pure::tree_unflatten(t, {vec({1})}), pure::Error);
  EXPECT_EQ(pure::tree_size(t), 6 + 2 + 1);
}

TEST(Tree, PrintsPathsWithTypes) {
  const std::string want = "['dense0']['w']: f32[6]\n['dense0']['b']: f32[2]\n['out']: f64[]\n";
  EXPECT_EQ(pure::tree_str(two_layer()), want);
  std::ostringstream os;
  os << two_layer();
  EXPECT_EQ(os.str(), want);
  EXPECT_EQ(pure::tree_structure(two_layer()).str(), want);
  EXPECT_EQ(pure::tree_str(vec({1, 2})), "(root): f32[2]\n");
}

TEST(Tree, RegisteredStructsFlattenInFieldOrder) {
  Linear l{vec({1, 2}), vec({3}), 42};
  const auto leaves = pure::tree_leaves(l);
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(host(leaves[0]), (std::vector<float>{1, 2}));
  const Linear r = pure::tree_unflatten(l, {vec({5, 6}), vec({7})});
  EXPECT_EQ(host(r.w), (std::vector<float>{5, 6}));
  EXPECT_EQ(host(r.b), std::vector<float>{7});
  EXPECT_EQ(r.features, 42);

  Model m;
  m.layers = {l, Linear{vec({0}), vec({0}), 1}};
  m.extra["k"] = vec({1});
  m.scale = vec({2});
  EXPECT_EQ(paths_of(pure::tree_leaves_with_path(m)),
            (std::vector<std::string>{".layers[0].w", ".layers[0].b", ".layers[1].w", ".layers[1].b", ".extra['k']",
                                      ".scale"}));
  EXPECT_EQ(paths_of(pure::tree_leaves_with_path(std::make_pair(vec({1}), std::vector<Array>{vec({1})}))),
            (std::vector<std::string>{"[0]", "[1][0]"}));
  // Hand-written traits without flatten_with_path: leaves are named by index.
  const std::vector<Pair2> hand{Pair2{vec({1}), vec({2})}};
  EXPECT_EQ(paths_of(pure::tree_leaves_with_path(hand)), (std::vector<std::string>{"[0][0]", "[0][1]"}));
}

TEST(Tree, MapMatchesLeavesByPath) {
  const Tree a{{"x", vec({1, 2})}, {"y", vec({10})}};
  const Tree b{{"y", vec({20})}, {"x", vec({3, 4})}};  // same paths, other order
  const Tree doubled = pure::tree_map([](const Array& v) { return v * 2.0; }, a);
  EXPECT_EQ(host(doubled["x"]), (std::vector<float>{2, 4}));
  const Tree sum = pure::tree_map([](const Array& u, const Array& v) { return u + v; }, a, b);
  EXPECT_EQ(sum.keys(), (std::vector<std::string>{"x", "y"}));  // the first tree's order
  EXPECT_EQ(host(sum["x"]), (std::vector<float>{4, 6}));
  EXPECT_EQ(host(sum["y"]), std::vector<float>{30});

  std::vector<std::string> seen;
  (void)pure::tree_map_with_path(
      [&](const std::string& p, const Array& v) {
        seen.push_back(p);
        return v;
      },
      a);
  EXPECT_EQ(seen, (std::vector<std::string>{"['x']", "['y']"}));
}

TEST(Tree, StructureMismatchNamesThePath) {
  const Tree a = two_layer();
  Tree b = two_layer();
  b["dense0"].erase("b");
  const auto id2 = [](const Array& u, const Array&) { return u; };
  std::string m = message_of<pure::Error>([&] { (void)pure::tree_map(id2, a, b); });
  EXPECT_NE(m.find("pure::tree_map"), std::string::npos) << m;
  EXPECT_NE(m.find("no leaf at ['dense0']['b'] in tree 1"), std::string::npos) << m;
  Tree c = two_layer();
  c["extra"] = vec({1});
  m = message_of<pure::Error>([&] { (void)pure::tree_add(a, c); });
  EXPECT_NE(m.find("a leaf at ['extra'] in tree 1 but not in tree 0"), std::string::npos) << m;
  Tree d = two_layer();
  d["dense0"]["b"] = vec({1, 2, 3});
  m = message_of<pure::ShapeError>([&] { (void)pure::tree_sub(a, d); });
  EXPECT_NE(m.find("['dense0']['b']"), std::string::npos) << m;
  EXPECT_NE(m.find("f32[2] and f32[3]"), std::string::npos) << m;
}

TEST(Tree, Arithmetic) {
  const Tree x{{"a", vec({1, 2})}, {"b", vec({3})}};
  const Tree y{{"a", vec({10, 20})}, {"b", vec({30})}};
  EXPECT_EQ(host(pure::tree_add(x, y)["a"]), (std::vector<float>{11, 22}));
  EXPECT_EQ(host(pure::tree_sub(y, x)["b"]), std::vector<float>{27});
  EXPECT_EQ(host(pure::tree_scale(0.5, y)["a"]), (std::vector<float>{5, 10}));
  EXPECT_EQ(host(pure::tree_scale(pure::full({}, 2.0, pure::DType::f64), x)["a"]), (std::vector<float>{2, 4}));
  EXPECT_EQ(pure::tree_scale(pure::full({}, 2.0, pure::DType::f64), x)["a"].array().dtype(), pure::DType::f32);
  const Tree step = pure::tree_axpy(-0.5, y, x);  // x - 0.5 y
  EXPECT_EQ(host(step["a"]), (std::vector<float>{-4, -8}));
  EXPECT_EQ(host(step["b"]), std::vector<float>{-12});
  EXPECT_EQ(host(pure::tree_axpy(pure::full({}, 2.0), x, y)["b"]), std::vector<float>{36});
  // 1*10 + 2*20 + 3*30
  EXPECT_EQ(pure::tree_vdot(x, y).item<float>(), 140.0f);
  EXPECT_EQ(pure::tree_dot(x, x).item<float>(), 14.0f);
  EXPECT_EQ(pure::tree_vdot(Tree{}, Tree{}).item<float>(), 0.0f);
  const Tree z = pure::tree_zeros_like(x);
  EXPECT_EQ(host(z["a"]), (std::vector<float>{0, 0}));
  EXPECT_THROW(pure::tree_scale(vec({1, 2}), x), pure::ShapeError);

  const Linear l{vec({1, 2}), vec({3}), 7};
  const Linear l2 = pure::tree_axpy(2.0, l, l);
  EXPECT_EQ(host(l2.w), (std::vector<float>{3, 6}));
  EXPECT_EQ(l2.features, 7);
}

TEST(Tree, GradWithRespectToATreeReturnsATree) {
  // loss = sum((w x + b)^2): d/dw = 2 (w x + b) x, d/db = 2 (w x + b).
  Tree params;
  params["lin"]["w"] = vecd({1.0, -2.0, 0.5});
  params["lin"]["b"] = vecd({0.25, 0.0, -1.0});
  const Array x = vecd({2.0, 3.0, -4.0});
  auto loss = [](const Tree& p, const Array& x) {
    const Array r = p["lin"]["w"] * x + p["lin"]["b"];
    return pure::sum(r * r);
  };
  const Tree g = pure::grad(loss)(params, x);
  EXPECT_EQ(pure::tree_str(g), pure::tree_str(params));
  const std::vector<double> w{1.0, -2.0, 0.5}, b{0.25, 0.0, -1.0}, xs{2.0, 3.0, -4.0};
  const auto gw = g["lin"]["w"].array().to_host<double>();
  const auto gb = g["lin"]["b"].array().to_host<double>();
  for (std::size_t i = 0; i < 3; ++i) {
    const double r = w[i] * xs[i] + b[i];
    EXPECT_DOUBLE_EQ(gw[i], 2 * r * xs[i]);
    EXPECT_DOUBLE_EQ(gb[i], 2 * r);
  }
}

TEST(Tree, GradWithRespectToAStructReturnsTheStruct) {
  const Linear p{vecd({1.0, 2.0}), vecd({0.5}), 3};
  auto loss = [](const Linear& q, const Array& x) { return pure::sum(pure::square(q.w * x)) + pure::sum(q.b * 3.0); };
  const Linear g = pure::grad(loss)(p, vecd({3.0, -1.0}));
  EXPECT_EQ(g.features, 3);
  // d/dw sum((w x)^2) = 2 w x^2; d/db 3 b = 3.
  EXPECT_EQ(g.w.to_host<double>(), (std::vector<double>{18.0, 4.0}));
  EXPECT_EQ(g.b.to_host<double>(), std::vector<double>{3.0});

  Model m;
  m.layers = {Linear{vecd({1.0}), vecd({2.0}), 0}, Linear{vecd({3.0}), vecd({4.0}), 0}};
  m.extra["k"] = vecd({5.0});
  m.scale = pure::full({}, 2.0, pure::DType::f64);
  auto model_loss = [](const Model& q) {
    Array s = q.scale * pure::sum(q.extra["k"]);
    for (const Linear& l : q.layers) s = s + pure::sum(l.w * l.b);
    return s;
  };
  auto [value, gm] = pure::value_and_grad(model_loss)(m);
  EXPECT_DOUBLE_EQ(value.item<double>(), 2.0 * 5.0 + 1.0 * 2.0 + 3.0 * 4.0);
  EXPECT_EQ(pure::tree_str(gm), pure::tree_str(m));
  EXPECT_EQ(gm.layers[1].w.to_host<double>(), std::vector<double>{4.0});
  EXPECT_EQ(gm.layers[1].b.to_host<double>(), std::vector<double>{3.0});
  EXPECT_EQ(gm.extra["k"].array().to_host<double>(), std::vector<double>{2.0});
  EXPECT_DOUBLE_EQ(gm.scale.item<double>(), 5.0);
}

}  // namespace
