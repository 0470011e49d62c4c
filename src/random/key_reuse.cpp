#include <pure/core/error.hpp>
#include <pure/random/debug.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pure::random {
namespace {

bool env_default() {
  const char* v = std::getenv("PURE_DEBUG_KEY_REUSE");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

std::atomic<bool>& enabled() {
  static std::atomic<bool> on{env_default()};
  return on;
}

struct Use {
  std::uint64_t begin, end;
  const char* what;
  Where where;
};

struct Record {
  std::mutex mutex;
  // Keyed by (impl, word0, word1) packed into a pair.
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::vector<Use>> uses;
};

Record& record() {
  static Record r;
  return r;
}

std::string range_text(std::uint64_t b, std::uint64_t e) {
  if (e == detail::kWholeKey) return "the whole key";
  return "elements [" + std::to_string(b) + ", " + std::to_string(e) + ")";
}

}  // namespace

void set_debug_key_reuse(bool on) { enabled().store(on); }
bool debug_key_reuse() { return enabled().load(); }

void reset_key_reuse_record() {
  std::lock_guard<std::mutex> lock(record().mutex);
  record().uses.clear();
}

namespace detail {

void consume(const Key& key, std::uint64_t begin, std::uint64_t end, const char* what, Where where) {
  if (!debug_key_reuse() || begin >= end) return;
  Record& r = record();
  std::lock_guard<std::mutex> lock(r.mutex);
  const auto id =
      std::make_pair((std::uint64_t{key.words[0]} << 32) | key.words[1], static_cast<std::uint32_t>(key.impl));
  auto& uses = r.uses[id];
  for (const Use& u : uses) {
    const bool whole = end == kWholeKey || u.end == kWholeKey;
    if (whole || (begin < u.end && u.begin < end)) {
      throw KeyReuseError(std::string(what) + ": key " + to_string(key) + " is reused: " + range_text(begin, end) +
                          " drawn at " + where.file + ":" + std::to_string(where.line) + ", but " +
                          range_text(u.begin, u.end) + " of it were already consumed by " + u.what + " at " +
                          u.where.file + ":" + std::to_string(u.where.line) +
                          ". Split the key (pure::random::split) or fold in a distinct value (fold_in) instead.");
    }
  }
  uses.push_back(Use{begin, end, what, where});
}

}  // namespace detail
}  // namespace pure::random
