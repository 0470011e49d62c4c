// Fuzzing pure::io::load: any bytes given as a checkpoint file must give a
// tree or a pure::Error, never a crash, a hang or another exception.
//
// Two builds of this file:
//  - with clang and PURE_ENABLE_FUZZ=ON, a libFuzzer target (pure_fuzz_load,
//    -fsanitize=fuzzer,address) for open-ended runs:
//        build-fuzz/tests/pure_fuzz_load -max_total_time=600 corpus/
//  - always, a replay driver (pure_io_fuzz_replay, run by ctest) that makes a
//    valid checkpoint and feeds `load` a fixed number of deterministic
//    mutations of it: bit flips, byte runs overwritten, truncations,
//    insertions, header edits. With --crafted it also rewrites each mutant's
//    header so that the whole-file checksum matches, which hands corrupted
//    HDF5 structures to HDF5 itself (see docs/checkpoint-format.md).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <pure/io/checkpoint.hpp>
#include <pure/pure.hpp>

namespace {

std::string scratch_path() {
  static const std::string p = "/tmp/pure-fuzz-load-" + std::to_string(::getpid()) + ".h5";
  return p;
}

// Loads `data` as a file; only pure::Error may come out. Returns whether it loaded.
bool load_bytes(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(scratch_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    pure::io::Metadata meta;
    const pure::Tree t = pure::io::load(scratch_path(), &meta);
    return t.is_leaf() || t.is_dict();
  } catch (const pure::Error&) {
    return false;  // expected for damaged input
  }
}

}  // namespace

#if defined(PURE_LIBFUZZER)
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  static pure::ScopeGuard guard(*argc, *argv);
  return 0;
}
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  load_bytes(data, size);
  return 0;
}
#else
namespace {

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Rewrites the 512-byte header so that length and whole-file CRC match the body.
void fix_header(std::vector<std::uint8_t>& b) {
  if (b.size() < 512) return;
  const std::uint32_t crc = pure::io::detail::crc32c(b.data() + 512, b.size() - 512);
  char head[512] = {};
  std::snprintf(head, sizeof head, "pure-checkpoint 1 length=%zu crc32c=%08x\n", b.size(), crc);
  std::memcpy(b.data(), head, 512);
}

std::vector<std::uint8_t> mutate(const std::vector<std::uint8_t>& good, std::mt19937_64& rng) {
  std::vector<std::uint8_t> b = good;
  auto pos = [&](std::size_t n) { return static_cast<std::size_t>(rng() % (n == 0 ? 1 : n)); };
  const int kind = static_cast<int>(rng() % 6);
  const int count = 1 + static_cast<int>(rng() % 4);
  for (int c = 0; c < count; ++c) {
    switch (kind) {
      case 0: b[pos(b.size())] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;  // one bit
      case 1: {                                                                         // a run of random bytes
        const std::size_t at = pos(b.size()), n = std::min<std::size_t>(1 + rng() % 64, b.size() - at);
        for (std::size_t i = 0; i < n; ++i) b[at + i] = static_cast<std::uint8_t>(rng());
        break;
      }
      case 2: b.resize(pos(b.size())); break;  // truncation
      case 3: b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos(b.size())), static_cast<std::uint8_t>(rng())); break;
      case 4: b[pos(std::min<std::size_t>(b.size(), 512))] = static_cast<std::uint8_t>(rng()); break;  // header
      case 5: {  // a run of 0x00 or 0xFF (zeroed or erased blocks)
        const std::size_t at = pos(b.size()), n = std::min<std::size_t>(1 + rng() % 4096, b.size() - at);
        std::memset(b.data() + at, (rng() & 1) ? 0xFF : 0x00, n);
        break;
      }
    }
    if (b.empty()) break;
  }
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  pure::ScopeGuard guard(argc, argv);
  bool crafted = false;
  long runs = 2000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--crafted") == 0) crafted = true;
    if (std::strncmp(argv[i], "--runs=", 7) == 0) runs = std::atol(argv[i] + 7);
  }
  // A checkpoint with every dtype, nesting, metadata and keys, as the seed.
  pure::Tree t;
  t["params"]["Dense_0"].set("kernel", pure::reshape(pure::arange(12, pure::DType::f32), pure::Shape{3, 4}));
  t["params"]["Dense_0"].set("bias", pure::zeros(pure::Shape{4}, pure::DType::f64));
  t.set("count", pure::from_host(std::vector<std::int32_t>{7}, pure::Shape{}));
  t.set("mask", pure::from_host_bool({1, 0, 1}, pure::Shape{3}));
  pure::io::Metadata meta;
  meta.attributes["step"] = std::int64_t{3};
  meta.attributes["note"] = std::string("fuzz seed");
  meta.keys["k"] = pure::random::key(1);
  const std::string seed_path = scratch_path() + ".seed";
  pure::io::save(seed_path, t, meta);
  const std::vector<std::uint8_t> good = read_file(seed_path);
  std::remove(seed_path.c_str());

  std::mt19937_64 rng(crafted ? 0xC0FFEE : 0xF00D);
  long errors = 0, loaded = 0, unchanged = 0, undetected = 0;
  for (long r = 0; r < runs; ++r) {
    std::vector<std::uint8_t> b = mutate(good, rng);
    if (crafted) fix_header(b);
    if (b == good) {  // e.g. zeros written over zeros
      ++unchanged;
      continue;
    }
    if (load_bytes(b.data(), b.size())) {
      ++loaded;
      // Without --crafted every change must be caught by a checksum.
      if (!crafted && ++undetected <= 5) std::fprintf(stderr, "pure_io_fuzz_replay: mutant %ld loaded\n", r);
    } else {
      ++errors;
    }
  }
  std::remove(scratch_path().c_str());
  std::printf(
      "pure_io_fuzz_replay%s: %ld mutants (%ld unchanged), %ld rejected with pure::Error, %ld loaded, no crash\n",
      crafted ? " --crafted" : "", runs, unchanged, errors, loaded);
  return undetected == 0 ? 0 : 1;
}
#endif
