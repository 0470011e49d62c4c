// CheckpointManager: step-numbered files in one directory, pruning, and a
// restore that falls back past damaged files.
#include <pure/io/checkpoint.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <pure/core/error.hpp>

namespace pure::io {
namespace {

constexpr const char* kPrefix = "ckpt_";
constexpr const char* kSuffix = ".h5";

void make_dirs(const std::string& dir) {
  std::string sofar;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    sofar = dir.substr(0, pos);
    if (sofar.empty()) continue;
    if (::mkdir(sofar.c_str(), 0777) != 0 && errno != EEXIST) {
      throw Error("pure::io::CheckpointManager: cannot create directory " + sofar + ": " + std::strerror(errno));
    }
  }
}

}  // namespace

CheckpointManager::CheckpointManager(std::string dir, Options options) : dir_(std::move(dir)), options_(options) {
  if (dir_.empty()) throw ValueError("pure::io::CheckpointManager: dir must not be empty");
  if (options_.keep_last_n < 0) throw ValueError("pure::io::CheckpointManager: keep_last_n must be >= 0 (0 keeps all)");
  if (options_.every_n_steps < 1) throw ValueError("pure::io::CheckpointManager: every_n_steps must be >= 1");
  make_dirs(dir_);
}

bool CheckpointManager::should_save(std::int64_t step) const { return step % options_.every_n_steps == 0; }

std::string CheckpointManager::path_of(std::int64_t step) const {
  char name[64];
  std::snprintf(name, sizeof name, "%s%010lld%s", kPrefix, static_cast<long long>(step), kSuffix);
  return dir_ + "/" + name;
}

std::vector<std::int64_t> CheckpointManager::steps() const {
  std::vector<std::int64_t> out;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    const std::size_t np = std::strlen(kPrefix), ns = std::strlen(kSuffix);
    if (name.size() <= np + ns || name.compare(0, np, kPrefix) != 0 ||
        name.compare(name.size() - ns, ns, kSuffix) != 0) {
      continue;
    }
    const std::string digits = name.substr(np, name.size() - np - ns);
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    out.push_back(std::stoll(digits));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string CheckpointManager::save(std::int64_t step, const Tree& tree, Metadata meta) {
  if (step < 0) throw ValueError("pure::io::CheckpointManager::save: step must be >= 0, got " + std::to_string(step));
  meta.attributes["step"] = step;
  const std::string path = path_of(step);
  io::save(path, tree, meta);
  if (options_.keep_last_n > 0) {
    // Only steps up to this one count: the file just written is never pruned,
    // and later steps (another run's) are left alone.
    std::vector<std::int64_t> upto;
    for (std::int64_t s : steps())
      if (s <= step) upto.push_back(s);
    const std::size_t keep = static_cast<std::size_t>(options_.keep_last_n);
    for (std::size_t i = 0; i + keep < upto.size(); ++i) ::unlink(path_of(upto[i]).c_str());
  }
  return path;
}

std::optional<std::int64_t> CheckpointManager::restore(Tree* tree, Metadata* meta) const {
  return restore_with([&](const std::string& p, Metadata* m) { *tree = load(p, m); }, meta);
}

void CheckpointManager::warn_skipped(const std::string& path, const char* why) {
  std::cerr << "pure::io::CheckpointManager: skipping " << path << ": " << why << "\n";
}

}  // namespace pure::io
