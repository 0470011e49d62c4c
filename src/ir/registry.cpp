#include <pure/ir/primitive.hpp>

#include <deque>
#include <mutex>

namespace pure::ir {
namespace {

struct Registry {
  std::mutex mutex;
  std::deque<Primitive> prims;  // deque: references stay valid as it grows
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

const Primitive& register_primitive(Primitive prim) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const Primitive& p : r.prims) {
    if (p.name == prim.name) throw Error("pure::ir::register_primitive: a primitive named '" + prim.name + "' exists");
  }
  if (!prim.abstract_eval) {
    throw Error("pure::ir::register_primitive: primitive '" + prim.name + "' has no shape/dtype rule");
  }
  r.prims.push_back(std::move(prim));
  return r.prims.back();
}

const Primitive* find_primitive(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const Primitive& p : r.prims) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<const Primitive*> all_primitives() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<const Primitive*> out;
  for (const Primitive& p : r.prims) out.push_back(&p);
  return out;
}

}  // namespace pure::ir
