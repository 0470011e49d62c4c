// pure_bitstream: writes raw 32-bit words from pure's random keys to stdout,
// for statistical batteries that read a raw stream (dieharder -g 200).
//
// The stream is made the way a user's program consumes keys: a chain of
// splits, where each fresh key draws one block of `--block` words and the
// chain continues with the other child:
//
//   key = key(seed); loop { (key, sub) = split(key); write bits(sub, block) }
//
// so the battery sees both the within-key stream and the split tree.
//
//   pure_bitstream --seed 7 --impl philox --words 1000000 > words.bin
//   pure_bitstream | dieharder -g 200 -d 0
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <pure/pure.hpp>

namespace {

void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--seed S] [--impl threefry|philox] [--block WORDS] [--words N]\n"
               "  Writes raw native-endian 32-bit words to stdout. --words 0 (default)\n"
               "  writes until the reader closes the pipe. Default block: 1048576 words.\n",
               argv0);
}

bool parse_u64(const char* s, std::uint64_t* out) {
  char* end = nullptr;
  *out = std::strtoull(s, &end, 0);
  return end != s && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 0, block = 1u << 20, words = 0;
  pure::random::Impl impl = pure::random::Impl::threefry;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--help" || a == "-h") {
      usage(argv[0]);
      return 0;
    } else if (a == "--seed" && has_value && parse_u64(argv[i + 1], &seed)) {
      ++i;
    } else if (a == "--block" && has_value && parse_u64(argv[i + 1], &block) && block > 0) {
      ++i;
    } else if (a == "--words" && has_value && parse_u64(argv[i + 1], &words)) {
      ++i;
    } else if (a == "--impl" && has_value &&
               (std::strcmp(argv[i + 1], "threefry") == 0 || std::strcmp(argv[i + 1], "philox") == 0)) {
      impl = std::strcmp(argv[i + 1], "philox") == 0 ? pure::random::Impl::philox : pure::random::Impl::threefry;
      ++i;
    } else {
      std::fprintf(stderr, "pure_bitstream: bad argument '%s'\n", a.c_str());
      usage(argv[0]);
      return 2;
    }
  }
#ifdef SIGPIPE
  // A closed pipe is the normal end of an endless stream: see fwrite's result instead.
  std::signal(SIGPIPE, SIG_IGN);
#endif

  pure::ScopeGuard guard(argc, argv);
  // The record of a days-long stream would only grow; each key is used once by construction.
  pure::random::set_debug_key_reuse(false);

  pure::random::Key key = pure::random::key(seed, impl);
  std::uint64_t written = 0;
  while (words == 0 || written < words) {
    const std::uint64_t n = words == 0 ? block : std::min(block, words - written);
    const auto children = pure::random::split(key);
    key = children[0];
    const std::vector<std::uint32_t> w =
        pure::random::bits(children[1], pure::Shape{static_cast<std::int64_t>(n)}).to_host<std::uint32_t>();
    if (std::fwrite(w.data(), sizeof(std::uint32_t), w.size(), stdout) != w.size()) break;  // reader is done
    written += n;
  }
  std::fflush(stdout);
  return 0;
}
