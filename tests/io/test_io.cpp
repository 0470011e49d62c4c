// pure::io checkpoints: bitwise round trips, metadata and keys, typed loads
// and their errors, damage detection (flipped bytes, truncation), atomic
// replacement under SIGKILL, and CheckpointManager.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <pure/io/checkpoint.hpp>
#include <pure/pure.hpp>

#include "message_of.hpp"

#include "io_trees.hpp"

extern char** environ;

namespace io = pure::io;
using pure::Array;
using pure::DType;
using pure::Shape;
using pure::Tree;

namespace {

using pure_test::message_of;

// A fresh directory under the build tree's temp space, removed at the end.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pure-io-test-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    if (d == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = d;
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::vector<std::string> list() const {
    std::vector<std::string> out;
    const std::string cmd = "ls -A '" + path_ + "'";
    FILE* p = ::popen(cmd.c_str(), "r");
    char line[512];
    while (p != nullptr && std::fgets(line, sizeof line, p) != nullptr) {
      std::string s = line;
      if (!s.empty() && s.back() == '\n') s.pop_back();
      out.push_back(s);
    }
    if (p != nullptr) ::pclose(p);
    return out;
  }

 private:
  std::string path_;
};

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}
void write_bytes(const std::string& path, const std::vector<unsigned char>& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::vector<unsigned char> bits_of(const Array& a) {
  switch (a.dtype()) {
    case DType::boolean: return pure::to_host_bool(a);
    default: {
      const auto f = a.dtype();
      std::vector<unsigned char> out;
      auto put = [&](const auto& v) {
        out.resize(v.size() * sizeof(v[0]));
        if (!v.empty()) std::memcpy(out.data(), v.data(), out.size());
      };
      if (f == DType::f32) put(a.to_host<float>());
      if (f == DType::f64) put(a.to_host<double>());
      if (f == DType::i32) put(a.to_host<std::int32_t>());
      if (f == DType::u32) put(a.to_host<std::uint32_t>());
      if (f == DType::i64) put(a.to_host<std::int64_t>());
      if (f == DType::u64) put(a.to_host<std::uint64_t>());
      return out;
    }
  }
}

// Same structure (keys in order), dtypes, shapes and bits.
void expect_same_tree(const Tree& a, const Tree& b, const std::string& where = "") {
  ASSERT_EQ(a.is_leaf(), b.is_leaf()) << where;
  if (a.is_leaf()) {
    EXPECT_EQ(a.array().dtype(), b.array().dtype()) << where;
    EXPECT_EQ(a.array().shape(), b.array().shape()) << where;
    EXPECT_EQ(bits_of(a.array()), bits_of(b.array())) << where;
    return;
  }
  ASSERT_EQ(a.keys(), b.keys()) << where;
  for (std::size_t i = 0; i < a.size(); ++i) expect_same_tree(a.child(i), b.child(i), where + "/" + a.keys()[i]);
}

struct Params {
  Array w;
  Array b;
  std::vector<Array> layers;
};
PURE_TREE(Params, w, b, layers)

}  // namespace

TEST(IoCrc, Crc32cKnownAnswers) {
  // RFC 3720 B.4 and the classic check value of CRC-32C.
  EXPECT_EQ(io::detail::crc32c("123456789", 9), 0xE3069283u);
  const std::vector<unsigned char> zeros(32, 0), ones(32, 0xFF);
  EXPECT_EQ(io::detail::crc32c(zeros.data(), 32), 0x8A9136AAu);
  EXPECT_EQ(io::detail::crc32c(ones.data(), 32), 0x62A8AB43u);
  // Incremental equals one shot, across odd split points.
  std::vector<unsigned char> data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 7 + 3);
  const std::uint32_t whole = io::detail::crc32c(data.data(), data.size());
  EXPECT_EQ(io::detail::crc32c(data.data() + 13, 987, io::detail::crc32c(data.data(), 13)), whole);
}

TEST(Io, TreeRoundTripIsBitwiseForEveryDtype) {
  TempDir dir;
  const Tree t = pure_test::sample_tree();
  io::save(dir.file("a.h5"), t);
  const Tree back = io::load(dir.file("a.h5"));
  expect_same_tree(back, t);
  // NaN payloads and signed zeros survive.
  const Array odd = pure::from_host(std::vector<float>{-0.0f, std::nanf("0x123"), -INFINITY, 1e-45f});
  io::save(dir.file("b.h5"), Tree{{"x", odd}});
  EXPECT_EQ(bits_of(io::load(dir.file("b.h5"))["x"].array()), bits_of(odd));
  // A lone Array comes back as a leaf.
  io::save(dir.file("c.h5"), Tree(odd));
  EXPECT_TRUE(io::load(dir.file("c.h5")).is_leaf());
  // No temporary files are left behind.
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"a.h5", "b.h5", "c.h5"}));
}

TEST(Io, MetadataAndKeysRoundTrip) {
  TempDir dir;
  io::save(dir.file("m.h5"), pure_test::sample_tree(), pure_test::sample_metadata());
  io::Metadata m;
  io::load(dir.file("m.h5"), &m);
  const io::Metadata want = pure_test::sample_metadata();
  EXPECT_EQ(m.attributes, want.attributes);
  ASSERT_EQ(m.keys.size(), 2u);
  EXPECT_EQ(m.keys.at("train"), want.keys.at("train"));
  EXPECT_EQ(m.keys.at("data"), want.keys.at("data"));
  EXPECT_EQ(m.keys.at("data").impl, pure::random::Impl::philox);
  EXPECT_EQ(m.library_version, PURE_VERSION_STRING);
  EXPECT_EQ(m.created_utc.size(), 20u);  // 2026-12-06T21:00:00Z
  // The restored key draws the same numbers as the original.
  pure::random::reset_key_reuse_record();
  const auto a = pure::random::normal(m.keys.at("train"), Shape{8}).to_host<float>();
  pure::random::reset_key_reuse_record();
  EXPECT_EQ(a, pure::random::normal(want.keys.at("train"), Shape{8}).to_host<float>());
}

TEST(Io, TypedLoadChecksStructureDtypeAndShape) {
  TempDir dir;
  const Params p{pure::ones(Shape{3, 2}),
                 pure::zeros(Shape{2}, DType::f64),
                 {pure::arange(4, DType::i32), pure::full(Shape{1}, 2.5)}};
  const std::string f = dir.file("p.h5");
  io::save(f, p);
  const Params back = io::load(f, p);
  EXPECT_EQ(bits_of(back.w), bits_of(p.w));
  EXPECT_EQ(bits_of(back.layers[0]), bits_of(p.layers[0]));
  // As a Tree: struct fields and list indices become group names.
  const Tree t = io::load(f);
  EXPECT_EQ(t.keys(), (std::vector<std::string>{"w", "b", "layers"}));
  EXPECT_EQ(t["layers"].keys(), (std::vector<std::string>{"0", "1"}));

  Params wrong_shape = p;
  wrong_shape.w = pure::ones(Shape{2, 3});
  std::string m = message_of([&] { io::load(f, wrong_shape); });
  EXPECT_NE(m.find(f), std::string::npos) << m;
  EXPECT_NE(m.find("entry '/w' is f32[3,2], the tree expects f32[2,3]"), std::string::npos) << m;
  Params wrong_dtype = p;
  wrong_dtype.b = pure::zeros(Shape{2}, DType::f32);
  m = message_of([&] { io::load(f, wrong_dtype); });
  EXPECT_NE(m.find("entry '/b' is f64"), std::string::npos) << m;
  Params more = p;
  more.layers.push_back(pure::ones(Shape{1}));
  m = message_of([&] { io::load(f, more); });
  EXPECT_NE(m.find("entry '/layers/2' is missing"), std::string::npos) << m;
  Params fewer = p;
  fewer.layers.pop_back();
  m = message_of([&] { io::load(f, fewer); });
  EXPECT_NE(m.find("entry '/layers/1' is not part of the expected tree"), std::string::npos) << m;
}

TEST(Io, BadInputsAreErrorsAndLeaveTheOldFile) {
  TempDir dir;
  const std::string f = dir.file("x.h5");
  io::save(f, Tree{{"a", pure::ones(Shape{2})}});
  const auto before = read_bytes(f);
  EXPECT_NE(message_of([&] {
              io::save(f, Tree{{"a/b", pure::ones(Shape{2})}});
            }).find("without '/'"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              io::save(f, Tree{{"pure_x", pure::ones(Shape{2})}});
            }).find("reserved"),
            std::string::npos);
  io::Metadata bad;
  bad.attributes["pure_step"] = std::int64_t{1};
  EXPECT_NE(message_of([&] {
              io::save(f, Tree{{"a", pure::ones(Shape{1})}}, bad);
            }).find("pure_step"),
            std::string::npos);
  EXPECT_EQ(read_bytes(f), before);                           // untouched
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"x.h5"}));  // no temporary left
  EXPECT_NE(message_of([&] { io::load(dir.file("missing.h5")); }).find("missing.h5: cannot open"), std::string::npos);
  EXPECT_NE(message_of([&] {
              io::save(dir.file("no/such/dir/y.h5"), Tree{{"a", pure::ones(Shape{1})}});
            }).find("cannot create the temporary file"),
            std::string::npos);
  write_bytes(dir.file("text.h5"), std::vector<unsigned char>(600, 'x'));
  EXPECT_NE(message_of([&] { io::load(dir.file("text.h5")); }).find("not a pure checkpoint"), std::string::npos);
}

TEST(Io, FlippedBytesAndTruncationAreDetected) {
  TempDir dir;
  const std::string f = dir.file("c.h5");
  io::save(f, pure_test::sample_tree(), pure_test::sample_metadata());
  const auto good = read_bytes(f);
  ASSERT_GT(good.size(), 1024u);
  const std::string damaged = dir.file("d.h5");
  // Every 7th byte flipped, one at a time: each is an error, none a crash.
  int detected = 0, tried = 0;
  for (std::size_t i = 0; i < good.size(); i += 7) {
    auto b = good;
    b[i] ^= 0x5A;
    write_bytes(damaged, b);
    ++tried;
    try {
      io::load(damaged);
    } catch (const pure::Error& e) {
      ++detected;
      EXPECT_NE(std::string(e.what()).find(damaged), std::string::npos);
    }
  }
  EXPECT_EQ(detected, tried);
  // Truncated at many lengths, and appended to.
  for (std::size_t n = 0; n < good.size(); n += 61) {
    write_bytes(damaged, std::vector<unsigned char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)));
    EXPECT_THROW(io::load(damaged), pure::Error) << n;
  }
  auto longer = good;
  longer.push_back(0);
  write_bytes(damaged, longer);
  EXPECT_NE(message_of([&] { io::load(damaged); }).find("truncated or appended"), std::string::npos);
}

// Format 2's header: the first line's fields, and the table rows (offset,
// length, crc) that follow it.
struct Header {
  std::string first;
  std::vector<std::array<unsigned long long, 3>> rows;
};
Header header_of(const std::vector<unsigned char>& b) {
  Header h;
  std::size_t at = 0;
  while (at < b.size() && b[at] != '\n') h.first.push_back(static_cast<char>(b[at++]));
  unsigned long long entries = 0;
  const std::size_t e = h.first.find("entries=");
  if (e != std::string::npos) entries = std::stoull(h.first.substr(e + 8));
  for (unsigned long long i = 0; i < entries; ++i) {
    std::string line;
    for (++at; at < b.size() && b[at] != '\n';) line.push_back(static_cast<char>(b[at++]));
    std::array<unsigned long long, 3> r{};
    std::sscanf(line.c_str(), "%llu %llu %llx", &r[0], &r[1], &r[2]);
    h.rows.push_back(r);
  }
  return h;
}

TEST(IoCrc, CombineGivesTheChecksumOfTheConcatenation) {
  std::vector<unsigned char> data(200000);
  std::mt19937 gen(5);
  for (auto& c : data) c = static_cast<unsigned char>(gen());
  for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{99999},
                            std::size_t{199999}, std::size_t{200000}}) {
    const std::uint32_t a = io::detail::crc32c(data.data(), split);
    const std::uint32_t b = io::detail::crc32c(data.data() + split, data.size() - split);
    EXPECT_EQ(io::detail::crc32c_combine(a, b, data.size() - split), io::detail::crc32c(data.data(), data.size()))
        << split;
  }
}

TEST(Io, DamagedDataIsNamedByTheHeaderTable) {
  // A byte of a dataset's data flipped, the rest intact: the table's per-dataset
  // checksums show that only that dataset is damaged, so HDF5 may parse the
  // (verified) metadata and the error names the entry.
  TempDir dir;
  const std::string f = dir.file("t.h5");
  const std::vector<float> v(64, 1.5f);
  io::save(f, Tree{{"a", pure::ones(Shape{4})}, {"weights", pure::from_host(v)}});
  const auto good = read_bytes(f);
  const Header h = header_of(good);
  ASSERT_EQ(h.first.rfind("pure-checkpoint 2 ", 0), 0u) << h.first;
  ASSERT_EQ(h.rows.size(), 2u);
  for (const auto& r : h.rows) {
    const bool weights = r[1] == 64 * sizeof(float);
    auto b = good;
    b[r[0] + r[1] / 2] ^= 0x10;
    write_bytes(f, b);
    const std::string m = message_of([&] { io::load(f); });
    EXPECT_NE(m.find(weights ? "entry '/weights' is damaged" : "entry '/a' is damaged"), std::string::npos) << m;
  }
  // A flipped byte outside every dataset (HDF5's superblock after the header
  // block): caught before HDF5 parses anything.
  auto b = good;
  const std::size_t block = std::stoull(h.first.substr(h.first.find("block=") + 6));
  b[block + 9] ^= 0x01;
  write_bytes(f, b);
  EXPECT_NE(message_of([&] { io::load(f); }).find("checksum of its contents"), std::string::npos);
  // A table row altered (its checksum, then its offset): an error, not a load.
  for (const char* field : {"crc", "offset"}) {
    auto t = good;
    const std::string first_row = std::to_string(h.rows[0][0]) + " ";
    const std::string text(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(block));
    const std::size_t crc_at = first_row.size() + std::to_string(h.rows[0][1]).size() + 1;
    const std::size_t at = text.find(first_row, h.first.size()) + (field[0] == 'c' ? crc_at : 0);
    t[at] = t[at] == '1' ? '2' : '1';
    write_bytes(f, t);
    EXPECT_THROW(io::load(f), pure::Error) << field;
  }
}

TEST(Io, TableRowsOutsideTheFileAreErrors) {
  // Well-formed header text whose rows point past the end, overlap or wrap
  // around (found by the fuzz replay: an offset past the end once made the
  // check's length arithmetic wrap and the CRC read out of bounds).
  TempDir dir;
  const std::string f = dir.file("rows.h5");
  io::save(f, Tree{{"w", pure::ones(Shape{16})}});
  const auto good = read_bytes(f);
  const Header h = header_of(good);
  ASSERT_EQ(h.rows.size(), 1u);
  const std::string first = h.first + "\n";
  const std::size_t block = std::stoull(h.first.substr(h.first.find("block=") + 6));
  const unsigned long long size = good.size();
  for (const std::string& row : std::vector<std::string>{
           std::to_string(size + 4096) + " 8 00000000\n", std::to_string(size - 4) + " 8 00000000\n",
           "18446744073709551615 8 00000000\n", std::to_string(h.rows[0][0]) + " 18446744073709551615 00000000\n",
           "100 8 00000000\n"}) {
    auto b = good;
    std::fill(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(block), 0);
    const std::string text = first + row;
    std::copy(text.begin(), text.end(), b.begin());
    write_bytes(f, b);
    EXPECT_NE(message_of([&] { io::load(f); }).find("damaged"), std::string::npos) << row;
  }
}

TEST(Io, ManyDatasetsGetALargerHeaderBlock) {
  TempDir dir;
  const std::string f = dir.file("many.h5");
  Tree t;
  for (int i = 0; i < 300; ++i) t.set("leaf_" + std::to_string(i), pure::full(Shape{3}, static_cast<double>(i)));
  io::save(f, t);
  expect_same_tree(io::load(f), t);
  const Header h = header_of(read_bytes(f));
  EXPECT_NE(h.first.find(" block=16384 entries=300"), std::string::npos) << h.first;
  auto b = read_bytes(f);
  b[h.rows[250][0]] ^= 0x40;
  write_bytes(f, b);
  const std::string m = message_of([&] { io::load(f); });
  EXPECT_NE(m.find("is damaged: its data does not match its checksum"), std::string::npos) << m;
}

TEST(Io, ReadsFormatVersion1Checkpoints) {
  // Written by pure before format 2 (tests/io/tools/io_writer.cpp --sample):
  // one 512-byte header, per-dataset checksums verified as each is read.
  io::Metadata meta;
  const Tree t = io::load(std::string(PURE_TEST_DATA_DIR) + "/checkpoint_v1_sample.h5", &meta);
  expect_same_tree(t, pure_test::sample_tree());
  EXPECT_EQ(std::get<std::int64_t>(meta.attributes.at("step")), 1200);
  EXPECT_EQ(std::get<double>(meta.attributes.at("loss")), 0.125);
  EXPECT_EQ(meta.keys.size(), 2u);
}

TEST(Io, DatasetChecksumNamesTheDamagedEntry) {
  // Format 1 (no table): a file whose header checksum was recomputed after
  // its data changed (as a tool that rewrites files would do): the per-dataset
  // checksum catches it.
  TempDir dir;
  const std::string f = dir.file("e.h5");
  const std::vector<float> v(64, 1.5f);
  io::save(f, Tree{{"a", pure::ones(Shape{4})}, {"weights", pure::from_host(v)}});
  auto b = read_bytes(f);
  const float x = 1.5f;
  unsigned char pat[4];
  std::memcpy(pat, &x, 4);
  std::size_t at = 0;
  for (std::size_t i = 512; i + 4 <= b.size(); ++i)
    if (std::memcmp(&b[i], pat, 4) == 0) {
      at = i;
      break;
    }
  ASSERT_GT(at, 0u);
  b[at + 1] ^= 1;  // 1.5f -> another float
  const std::uint32_t crc = io::detail::crc32c(b.data() + 512, b.size() - 512);
  char head[512] = {};
  std::snprintf(head, sizeof head, "pure-checkpoint 1 length=%zu crc32c=%08x\n", b.size(), crc);
  std::memcpy(b.data(), head, 512);
  write_bytes(f, b);
  const std::string m = message_of([&] { io::load(f); });
  EXPECT_NE(m.find("entry '/weights' is damaged"), std::string::npos) << m;
}

TEST(Io, KilledWriterNeverDamagesTheCheckpoint) {
  // A child saves trees A and B alternately over one file; it is SIGKILLed at
  // random moments. The file must always load and be exactly A or B.
  TempDir dir;
  const std::string f = dir.file("k.h5");
  const Tree a = pure_test::big_tree(0), b = pure_test::big_tree(1);
  io::save(f, a);
  std::mt19937 rng(12345);
  const char* writer = PURE_IO_WRITER;
  int rounds = 0;
  for (; rounds < 40; ++rounds) {
    pid_t pid = 0;
    std::vector<std::string> args{writer, "--loop", f};
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    ASSERT_EQ(::posix_spawn(&pid, writer, nullptr, nullptr, argv.data(), environ), 0);
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 60000)(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const Tree back = io::load(f);
    const float first = back["layer_0"]["w"].array().to_host<float>()[0];
    if (first == 1.0f) {
      expect_same_tree(back, a);
    } else {
      expect_same_tree(back, b);
    }
  }
  EXPECT_EQ(rounds, 40);
}

TEST(Io, CheckpointManagerKeepsLastNAndSkipsDamaged) {
  TempDir dir;
  io::CheckpointManager ckpt(dir.file("run/ckpts"), 2, 10);
  EXPECT_FALSE(ckpt.should_save(5));
  EXPECT_TRUE(ckpt.should_save(20));
  Tree restored;
  EXPECT_FALSE(ckpt.restore(&restored).has_value());
  for (std::int64_t step : {10, 20, 30}) ckpt.save(step, Tree{{"x", pure::full(Shape{3}, double(step))}});
  EXPECT_EQ(ckpt.steps(), (std::vector<std::int64_t>{20, 30}));
  io::Metadata meta;
  EXPECT_EQ(ckpt.restore(&restored, &meta), std::optional<std::int64_t>(30));
  EXPECT_EQ(std::get<std::int64_t>(meta.attributes.at("step")), 30);
  EXPECT_EQ(restored["x"].array().to_host<float>()[0], 30.0f);
  // The newest damaged: restore falls back to the one before.
  auto bytes = read_bytes(ckpt.path_of(30));
  bytes.resize(bytes.size() / 2);
  write_bytes(ckpt.path_of(30), bytes);
  EXPECT_EQ(ckpt.restore(&restored), std::optional<std::int64_t>(20));
  EXPECT_EQ(restored["x"].array().to_host<float>()[0], 20.0f);
  // Checkpoints of a later step (another run's) are never pruned in favour of
  // older ones, and the step just written is never the one deleted.
  io::CheckpointManager other(dir.file("other"), 2, 1);
  for (std::int64_t step : {100, 200, 300}) other.save(step, Tree{{"x", pure::zeros(Shape{1})}});
  other.save(5, Tree{{"x", pure::ones(Shape{1})}});
  EXPECT_EQ(other.steps(), (std::vector<std::int64_t>{5, 200, 300}));
  // Typed restore.
  Tree like{{"x", pure::zeros(Shape{3})}};
  Tree typed;
  EXPECT_EQ(ckpt.restore(&typed, like), std::optional<std::int64_t>(20));
  EXPECT_THROW(io::CheckpointManager(dir.file("z"), -1, 1), pure::ValueError);
}

TEST(Io, ReadsDatasetsOfAnyHdf5File) {
  TempDir dir;
  const std::string f = dir.file("data.h5");
  io::save(f, pure_test::sample_tree());
  // An i32 dataset read as f64, and a nested path.
  const Array a = io::read_hdf5_dataset(f, "ints/i32");
  EXPECT_EQ(a.dtype(), DType::f64);
  EXPECT_EQ(a.to_host<double>(), (std::vector<double>{-2147483648.0, -1.0, 0.0, 7.0}));
  EXPECT_EQ(io::read_hdf5_dataset(f, "params/Dense_0/kernel", DType::f32).shape(), (Shape{2, 3}));
  const std::string m = message_of([&] { io::read_hdf5_dataset(f, "energies"); });
  EXPECT_NE(m.find("no dataset 'energies'"), std::string::npos) << m;
  EXPECT_NE(m.find("ints"), std::string::npos) << m;  // the names it has
  EXPECT_NE(message_of([&] { io::read_hdf5_dataset(dir.file("none.h5"), "x"); }).find("none.h5"), std::string::npos);
}

TEST(IoCrc, LongBuffersMatchTheBytewiseDefinition) {
  // Past 3 x 8 KiB the fast path splits into lanes and combines them; a plain
  // bit-at-a-time CRC-32C written here is the reference.
  std::vector<unsigned char> data(100000);
  std::uint32_t s = 12345;
  for (auto& b : data) b = static_cast<unsigned char>((s = s * 1103515245u + 12345u) >> 24);
  auto reference = [](const unsigned char* p, std::size_t n) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) {
      c ^= p[i];
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
  };
  for (std::size_t n : {24575u, 24576u, 24577u, 49160u, 100000u}) {
    EXPECT_EQ(io::detail::crc32c(data.data(), n), reference(data.data(), n)) << n;
    EXPECT_EQ(io::detail::crc32c(data.data() + 3, n - 3), reference(data.data() + 3, n - 3)) << n;
  }
}
