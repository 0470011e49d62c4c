// HDF5 checkpoints (docs/checkpoint-format.md): writing through a temporary
// file and an atomic rename, CRC-32C per dataset and over the whole file, and
// reading back with every failure turned into a pure::Error naming the file.
#include <pure/io/checkpoint.hpp>

#include <fcntl.h>
#include <hdf5.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include <Kokkos_Core.hpp>

#include <pure/config.hpp>
#include <pure/core/creation.hpp>
#include <pure/core/error.hpp>

namespace pure::io {
namespace detail {
namespace {

// HDF5 skips the user block; pure's header lives there: 512 bytes in format 1,
// a power of two holding the header and the dataset table in format 2.
constexpr std::size_t kUserBlock = 512;
constexpr std::size_t kMaxUserBlock = std::size_t{1} << 26;
constexpr const char* kMagic = "pure-checkpoint";
constexpr std::int64_t kFormatVersion = 2;

// ---------------------------------------------------------------- CRC-32C

// Table-driven CRC-32C, eight bytes per step (slicing-by-8); the SSE4.2
// instruction computes the same polynomial where the CPU has it.
struct Crc32cTables {
  std::uint32_t t[8][256];
  Crc32cTables() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};

std::uint32_t crc32c_table(const unsigned char* p, std::size_t n, std::uint32_t c) {
  static const Crc32cTables tables;
  const auto& t = tables.t;
  while (n >= 8) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;  // little-endian hosts (x86, ARM, POWER LE); see the static_assert below
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][hi & 0xFF] ^
        t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ t[0][(c ^ *p++) & 0xFF];
  return c;
}

// Appending n zero bytes to a message is linear in the CRC register: the
// one-zero-byte operator (a 32x32 matrix over GF(2), columns as words) raised
// to n by binary powering, with its squares M^(2^k) made once.
struct ZeroByteOperators {
  std::uint32_t op[64][32];
  static std::uint32_t times(const std::uint32_t* mat, std::uint32_t v) {
    std::uint32_t out = 0;
    for (int i = 0; v != 0; ++i, v >>= 1)
      if (v & 1) out ^= mat[i];
    return out;
  }
  ZeroByteOperators() {
    std::uint32_t m[32];
    m[0] = 0x82F63B78u;  // one zero bit: c = (c >> 1) ^ (c & 1 ? poly : 0)
    for (int i = 1; i < 32; ++i) m[i] = 1u << (i - 1);
    for (int square = 0; square < 67; ++square) {  // 3 squarings: one byte; then 64 byte powers
      if (square >= 3) std::memcpy(op[square - 3], m, sizeof m);
      std::uint32_t sq[32];
      for (int i = 0; i < 32; ++i) sq[i] = times(m, m[i]);
      std::memcpy(m, sq, sizeof sq);
    }
  }
};
const ZeroByteOperators& zero_byte_operators() {
  static const ZeroByteOperators ops;
  return ops;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The CRC instruction has a latency of 3 cycles and a throughput of 1, so
// three independent streams over three lanes of one block run three times as
// fast; the lanes' registers are then combined: the operator appending kLane
// zero bytes (ZeroByteOperators), applied by four byte tables.
constexpr std::size_t kLane = 8192;

struct ShiftTables {
  std::uint32_t t[4][256];
  ShiftTables() {
    static_assert(kLane == std::size_t{1} << 13, "op[13] appends 2^13 zero bytes");
    const auto& op = zero_byte_operators().op[13];
    for (int b = 0; b < 4; ++b)
      for (std::uint32_t v = 0; v < 256; ++v) t[b][v] = ZeroByteOperators::times(op, v << (8 * b));
  }
  std::uint32_t shift(std::uint32_t c) const {
    return t[0][c & 0xFF] ^ t[1][(c >> 8) & 0xFF] ^ t[2][(c >> 16) & 0xFF] ^ t[3][c >> 24];
  }
};

__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(const unsigned char* p, std::size_t n, std::uint32_t c) {
  static const ShiftTables shift;
  std::uint64_t c64 = c;
  while (n >= 3 * kLane) {
    std::uint64_t c1 = 0, c2 = 0;
    for (std::size_t i = 0; i < kLane; i += 8) {
      std::uint64_t w0, w1, w2;
      std::memcpy(&w0, p + i, 8);
      std::memcpy(&w1, p + kLane + i, 8);
      std::memcpy(&w2, p + 2 * kLane + i, 8);
      c64 = __builtin_ia32_crc32di(c64, w0);
      c1 = __builtin_ia32_crc32di(c1, w1);
      c2 = __builtin_ia32_crc32di(c2, w2);
    }
    const std::uint32_t ab = shift.shift(static_cast<std::uint32_t>(c64)) ^ static_cast<std::uint32_t>(c1);
    c64 = shift.shift(ab) ^ static_cast<std::uint32_t>(c2);
    p += 3 * kLane;
    n -= 3 * kLane;
  }
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    c64 = __builtin_ia32_crc32di(c64, w);
    p += 8;
    n -= 8;
  }
  c = static_cast<std::uint32_t>(c64);
  while (n--) c = __builtin_ia32_crc32qi(c, *p++);
  return c;
}
bool have_sse42() {
  static const bool yes = __builtin_cpu_supports("sse4.2");
  return yes;
}
#endif

// ---------------------------------------------------------------- HDF5 helpers

// HDF5 keeps global state and this build is not thread-safe: one call at a time.
std::mutex& hdf5_mutex() {
  static std::mutex m;
  return m;
}

// Silences HDF5's own error printing for the scope (errors become pure::Error).
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5(const QuietHdf5&) = delete;
  QuietHdf5& operator=(const QuietHdf5&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// An HDF5 id closed by its closer on scope exit.
class Hid {
 public:
  Hid() = default;
  Hid(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Hid(Hid&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Hid& operator=(Hid&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid() {
    if (id_ >= 0 && close_ != nullptr) close_(id_);
  }
  hid_t get() const { return id_; }
  /// Gives up ownership (the caller closes, and checks the result).
  hid_t release() {
    const hid_t id = id_;
    id_ = -1;
    return id;
  }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw Error("pure::io: " + file + ": " + what);
}

Hid check(hid_t id, herr_t (*close)(hid_t), const std::string& file, const std::string& what) {
  if (id < 0) fail(file, what);
  return Hid(id, close);
}
void check(herr_t status, const std::string& file, const std::string& what) {
  if (status < 0) fail(file, what);
}

std::string join(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += "/" + p;
  return out.empty() ? "/" : out;
}

// bool as h5py stores numpy bools: an 8-bit enum {FALSE = 0, TRUE = 1}.
Hid bool_type() {
  hid_t t = H5Tenum_create(H5T_NATIVE_INT8);
  const std::int8_t f = 0, tr = 1;
  H5Tenum_insert(t, "FALSE", &f);
  H5Tenum_insert(t, "TRUE", &tr);
  return Hid(t, H5Tclose);
}

// Strings are fixed-length (UTF-8, null-padded), never variable-length: those
// live in HDF5's global heap, whose reader crashes on damaged heap entries
// (found by tests/io/fuzz), and pure refuses to read them.
Hid fixed_string_type(std::size_t size) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, size == 0 ? 1 : size);
  H5Tset_cset(t, H5T_CSET_UTF8);
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  return Hid(t, H5Tclose);
}

void write_string_attr(hid_t obj, const char* name, const std::string& value, const std::string& file) {
  // Attributes live in the object header, which HDF5 limits to 64 KiB.
  if (value.size() > 60000) {
    fail(file, std::string("attribute ") + name + ": strings are limited to 60000 bytes, got " +
                   std::to_string(value.size()));
  }
  Hid type = fixed_string_type(value.size());
  Hid space = check(H5Screate(H5S_SCALAR), H5Sclose, file, "cannot create a dataspace");
  Hid attr = check(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, file,
                   std::string("cannot create attribute ") + name);
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  check(H5Awrite(attr.get(), type.get(), padded.data()), file, std::string("cannot write attribute ") + name);
}

template <class T>
void write_scalar_attr(hid_t obj, const char* name, hid_t type, const T& value, const std::string& file) {
  Hid space = check(H5Screate(H5S_SCALAR), H5Sclose, file, "cannot create a dataspace");
  Hid attr = check(H5Acreate2(obj, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, file,
                   std::string("cannot create attribute ") + name);
  check(H5Awrite(attr.get(), type, &value), file, std::string("cannot write attribute ") + name);
}

std::string read_string_attr(hid_t attr, const std::string& file, const std::string& what) {
  Hid ftype = check(H5Aget_type(attr), H5Tclose, file, what);
  if (H5Tget_class(ftype.get()) != H5T_STRING) fail(file, what + " is not a string");
  if (H5Tis_variable_str(ftype.get()) != 0) fail(file, what + " is a variable-length string (pure writes none)");
  const std::size_t n = H5Tget_size(ftype.get());
  if (n == 0 || n > 65536) fail(file, what + " has an impossible size");
  Hid mtype = fixed_string_type(n);
  std::string out(n, '\0');
  check(H5Aread(attr, mtype.get(), out.data()), file, "cannot read " + what);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Hid creation_ordered_group_props(const std::string& file) {
  Hid gcpl = check(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, file, "cannot create group properties");
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), file,
        "cannot track link order");
  return gcpl;
}

struct DTypeInfo {
  DType dtype;
  const char* name;
};
constexpr DTypeInfo kDTypes[] = {{DType::f32, "f32"}, {DType::f64, "f64"}, {DType::i32, "i32"},     {DType::u32, "u32"},
                                 {DType::i64, "i64"}, {DType::u64, "u64"}, {DType::boolean, "bool"}};

const char* dtype_tag(DType d) {
  for (const auto& i : kDTypes)
    if (i.dtype == d) return i.name;
  return "?";
}

// The HDF5 type in the file (little-endian IEEE / two's complement) and in memory.
hid_t file_type(DType d) {
  switch (d) {
    case DType::f32: return H5T_IEEE_F32LE;
    case DType::f64: return H5T_IEEE_F64LE;
    case DType::i32: return H5T_STD_I32LE;
    case DType::u32: return H5T_STD_U32LE;
    case DType::i64: return H5T_STD_I64LE;
    case DType::u64: return H5T_STD_U64LE;
    case DType::boolean: return -1;  // the enum, made per use
  }
  return -1;
}
hid_t memory_type(DType d) {
  switch (d) {
    case DType::f32: return H5T_NATIVE_FLOAT;
    case DType::f64: return H5T_NATIVE_DOUBLE;
    case DType::i32: return H5T_NATIVE_INT32;
    case DType::u32: return H5T_NATIVE_UINT32;
    case DType::i64: return H5T_NATIVE_INT64;
    case DType::u64: return H5T_NATIVE_UINT64;
    case DType::boolean: return -1;
  }
  return -1;
}

// The array's elements as little-endian bytes in C order (what the dataset
// holds), in the host vector to_host made: one copy, no zero-fill.
struct HostBytes {
  std::shared_ptr<const void> owner;
  const unsigned char* data = nullptr;
  std::size_t size = 0;
};

HostBytes host_bytes(const Array& a) {
  auto hold = [](auto v) {
    auto p = std::make_shared<const decltype(v)>(std::move(v));
    return HostBytes{p, reinterpret_cast<const unsigned char*>(p->data()), p->size() * sizeof((*p)[0])};
  };
  switch (a.dtype()) {
    case DType::f32: return hold(a.to_host<float>());
    case DType::f64: return hold(a.to_host<double>());
    case DType::i32: return hold(a.to_host<std::int32_t>());
    case DType::u32: return hold(a.to_host<std::uint32_t>());
    case DType::i64: return hold(a.to_host<std::int64_t>());
    case DType::u64: return hold(a.to_host<std::uint64_t>());
    case DType::boolean: return hold(to_host_bool(a));
  }
  throw Error("pure::io: unknown dtype");
}

/// An uninitialised host buffer (HDF5 reads fill it completely).
std::unique_ptr<unsigned char[]> raw_buffer(std::size_t n) {
  return std::unique_ptr<unsigned char[]>(new unsigned char[n == 0 ? 1 : n]);
}

Array array_from_bytes(const unsigned char* bytes, std::size_t n, const Shape& shape, DType d) {
  switch (d) {
    case DType::f32: return from_host(reinterpret_cast<const float*>(bytes), shape);
    case DType::f64: return from_host(reinterpret_cast<const double*>(bytes), shape);
    case DType::i32: return from_host(reinterpret_cast<const std::int32_t*>(bytes), shape);
    case DType::u32: return from_host(reinterpret_cast<const std::uint32_t*>(bytes), shape);
    case DType::i64: return from_host(reinterpret_cast<const std::int64_t*>(bytes), shape);
    case DType::u64: return from_host(reinterpret_cast<const std::uint64_t*>(bytes), shape);
    case DType::boolean: return from_host_bool(std::vector<std::uint8_t>(bytes, bytes + n), shape);
  }
  throw Error("pure::io: unknown dtype");
}

// "f32[3,2]", as pure names array types in messages.
std::string describe(const Array& a) {
  std::string out = std::string(dtype_tag(a.dtype())) + "[";
  for (int i = 0; i < a.shape().rank(); ++i) out += (i ? "," : "") + std::to_string(a.shape()[i]);
  return out + "]";
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void check_name(const std::string& name, bool top, const std::string& file, const std::string& where) {
  if (name.empty() || name == "." || name.find('/') != std::string::npos) {
    fail(file, "entry '" + where + "': a name must be non-empty, not '.', and without '/' (got '" + name + "')");
  }
  if (top && name.rfind("pure_", 0) == 0) {
    fail(file, "entry '" + where + "': top-level names starting with 'pure_' are reserved for the format");
  }
}

// ---------------------------------------------------------------- POSIX helpers

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

std::string errno_text() { return std::strerror(errno); }

void read_exact(int fd, void* buf, std::size_t n, off_t at, const std::string& file) {
  auto* p = static_cast<unsigned char*>(buf);
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, at);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) fail(file, "read failed: " + (r < 0 ? errno_text() : std::string("unexpected end of file")));
    p += r;
    at += r;
    n -= static_cast<std::size_t>(r);
  }
}

// CRC-32C of the bytes [from, to) of a file, read (for the small gaps between datasets).
std::uint32_t region_crc(int fd, std::uint64_t from, std::uint64_t to, const std::string& file) {
  std::vector<unsigned char> buf(static_cast<std::size_t>(std::min<std::uint64_t>(to - from, 1 << 20)));
  std::uint32_t crc = 0;
  for (std::uint64_t at = from; at < to;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), to - at));
    read_exact(fd, buf.data(), n, static_cast<off_t>(at), file);
    crc = crc32c(buf.data(), n, crc);
    at += n;
  }
  return crc;
}

// The file's first `size` bytes mapped read-only (the page cache read in
// place, no copy), or bytes == nullptr where mapping fails (unusual file
// systems): then span_crc reads them instead.
struct Mapping {
  const unsigned char* bytes = nullptr;
  std::size_t size = 0;
  Mapping(int fd, std::size_t n) : size(n) {
    if (n == 0) return;
    void* m = ::mmap(nullptr, n, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (m != MAP_FAILED) bytes = static_cast<const unsigned char*>(m);
  }
  ~Mapping() {
    if (bytes != nullptr) ::munmap(const_cast<unsigned char*>(bytes), size);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
};

// CRC-32C of the bytes [from, to) (to <= map.size), mapped or read.
std::uint32_t span_crc(const Mapping& map, int fd, std::uint64_t from, std::uint64_t to, const std::string& file) {
  if (map.bytes != nullptr) return crc32c(map.bytes + from, static_cast<std::size_t>(to - from));
  return region_crc(fd, from, to, file);
}

std::uint32_t file_crc(int fd, std::size_t from, std::size_t to, const std::string& file) {
  const Mapping map(fd, to);
  return span_crc(map, fd, from, to, file);
}

// ---------------------------------------------------------------- the header

// Format 2's header (docs/checkpoint-format.md): a first line with the file's
// length, the CRC-32C of everything after the user block, the block's size and
// the number of datasets, then one line per dataset with data (offset, length,
// CRC-32C of its bytes), in file order, then zeros up to the block's end.
struct TableRow {
  std::uint64_t offset = 0, length = 0;
  std::uint32_t crc = 0;
};

std::string header_v1(std::uint64_t length, std::uint32_t crc) {
  char line[160];
  std::snprintf(line, sizeof line, "%s 1 length=%llu crc32c=%08x\n", kMagic, static_cast<unsigned long long>(length),
                crc);
  return line;
}

std::string header_v2(std::uint64_t length, std::uint32_t crc, std::uint64_t block, const std::vector<TableRow>& rows) {
  char line[200];
  std::snprintf(line, sizeof line, "%s %lld length=%llu crc32c=%08x block=%llu entries=%zu\n", kMagic,
                static_cast<long long>(kFormatVersion), static_cast<unsigned long long>(length), crc,
                static_cast<unsigned long long>(block), rows.size());
  std::string out = line;
  for (const TableRow& r : rows) {
    std::snprintf(line, sizeof line, "%llu %llu %08x\n", static_cast<unsigned long long>(r.offset),
                  static_cast<unsigned long long>(r.length), r.crc);
    out += line;
  }
  return out;
}

/// The user block for `datasets` table rows: a power of two (HDF5's rule), at
/// least 512 bytes, with room for the longest possible lines.
std::uint64_t user_block_size(std::size_t datasets) {
  const std::uint64_t need = 200 + 52 * static_cast<std::uint64_t>(datasets);  // rows: 20 + 20 + 8 digits, 3 separators
  std::uint64_t block = kUserBlock;
  while (block < need) block *= 2;
  if (block > kMaxUserBlock) {
    throw ValueError("pure::io::save: " + std::to_string(datasets) + " datasets are more than a checkpoint holds");
  }
  return block;
}

/// What load learned before HDF5 parsed anything: the file's identity (so that
/// the file HDF5 opens is known to be the verified one) and, in format 2, the
/// table of verified datasets with the ones whose bytes do not match theirs.
struct VerifiedFile {
  std::int64_t version = 0;
  dev_t dev = 0;
  ino_t ino = 0;
  std::vector<TableRow> rows;  // by offset
  std::vector<bool> damaged;   // per row: its bytes do not match its checksum
};

// Format 1: a 512-byte header whose CRC covers the rest of the file.
void verify_v1(int fd, const char* head, std::uint64_t size, const std::string& path) {
  unsigned long long length = 0;
  unsigned crc = 0;
  if (std::sscanf(head, "pure-checkpoint 1 length=%llu crc32c=%x", &length, &crc) != 2) {
    fail(path, "damaged: its header block has been altered");
  }
  // The header block is exactly the header line and zeros: any other byte there is damage.
  const std::string line = header_v1(length, crc);
  bool clean = std::memcmp(head, line.data(), line.size()) == 0;
  for (std::size_t i = line.size(); i < kUserBlock; ++i) clean = clean && head[i] == 0;
  if (!clean) fail(path, "damaged: its header block has been altered");
  if (length != size) {
    fail(path, "damaged: the file has " + std::to_string(size) + " bytes, its header says " + std::to_string(length) +
                   " (truncated or appended to)");
  }
  const std::uint32_t actual = file_crc(fd, kUserBlock, size, path);
  if (actual != crc) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "damaged: checksum of its contents is %08x, the header says %08x", actual, crc);
    fail(path, msg);
  }
}

// Format 2: the header and table checked, then one pass over the mapped file
// computes the CRC of every dataset and of the gaps between them; combined they
// must give the whole-file CRC. Datasets whose bytes fail their own CRC while
// everything else (the metadata HDF5 parses) is intact are marked, so that the
// caller can name the damaged entry; any other damage fails here.
void verify_v2(int fd, const char* first, std::uint64_t size, const std::string& path, VerifiedFile& out) {
  unsigned long long length = 0, block = 0, entries = 0;
  unsigned crc = 0;
  if (std::sscanf(first, "pure-checkpoint 2 length=%llu crc32c=%x block=%llu entries=%llu", &length, &crc, &block,
                  &entries) != 4) {
    fail(path, "damaged: its header block has been altered");
  }
  if (length != size) {
    fail(path, "damaged: the file has " + std::to_string(size) + " bytes, its header says " + std::to_string(length) +
                   " (truncated or appended to)");
  }
  if (block < kUserBlock || block > kMaxUserBlock || (block & (block - 1)) != 0 || block > size ||
      entries > block / 8) {
    fail(path, "damaged: its header block has been altered");
  }
  std::string head(block, '\0');
  read_exact(fd, head.data(), block, 0, path);
  std::vector<TableRow> rows;
  std::size_t at = head.find('\n');
  if (at == std::string::npos) fail(path, "damaged: its header block has been altered");
  ++at;
  for (unsigned long long i = 0; i < entries; ++i) {
    unsigned long long off = 0, len = 0;
    unsigned c = 0;
    int used = 0;
    if (std::sscanf(head.c_str() + at, "%llu %llu %x\n%n", &off, &len, &c, &used) != 3 || used <= 0) {
      fail(path, "damaged: its header block has been altered");
    }
    rows.push_back(TableRow{off, len, c});
    at += static_cast<std::size_t>(used);
  }
  // Exactly the text the writer makes, then zeros: any other byte is damage.
  const std::string text = header_v2(length, crc, block, rows);
  bool clean = text.size() <= block && std::memcmp(head.data(), text.data(), text.size()) == 0;
  for (std::size_t i = text.size(); clean && i < block; ++i) clean = head[i] == 0;
  if (!clean) fail(path, "damaged: its header block has been altered");
  std::uint64_t end = block;
  for (const TableRow& r : rows) {  // in file order, inside the file, not overlapping
    if (r.offset < end || r.offset > size || r.length == 0 || r.length > size - r.offset) {
      fail(path, "damaged: its header block has been altered");
    }
    end = r.offset + r.length;
  }
  // One pass: gaps chained into `whole`; each dataset's own CRC combined in.
  const Mapping map(fd, size);
  std::uint32_t actual = 0, expected = 0;  // with each dataset's actual CRC, and with its table CRC
  std::uint64_t pos = block;
  out.damaged.assign(rows.size(), false);
  for (std::size_t i = 0; i <= rows.size(); ++i) {
    const std::uint64_t gap_end = i < rows.size() ? rows[i].offset : size;
    const std::uint32_t gap = span_crc(map, fd, pos, gap_end, path);
    actual = crc32c_combine(actual, gap, gap_end - pos);
    expected = crc32c_combine(expected, gap, gap_end - pos);
    if (i == rows.size()) break;
    const std::uint32_t data = span_crc(map, fd, rows[i].offset, rows[i].offset + rows[i].length, path);
    out.damaged[i] = data != rows[i].crc;
    actual = crc32c_combine(actual, data, rows[i].length);
    expected = crc32c_combine(expected, rows[i].crc, rows[i].length);
    pos = rows[i].offset + rows[i].length;
  }
  bool any_damaged = false;
  for (bool d : out.damaged) any_damaged = any_damaged || d;
  if (actual == crc && any_damaged) fail(path, "damaged: its header block has been altered");
  if (actual != crc && (expected != crc || !any_damaged)) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "damaged: checksum of its contents is %08x, the header says %08x", actual, crc);
    fail(path, msg);
  }
  out.rows = std::move(rows);  // actual != crc here only when just dataset bytes are damaged
}

// Reads and checks the header and the checksums: after this, HDF5 only ever
// parses bytes that pure wrote.
VerifiedFile verify_file(const std::string& path) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) fail(path, "cannot open: " + errno_text());
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) fail(path, "cannot stat: " + errno_text());
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < kUserBlock) fail(path, "not a pure checkpoint or truncated (" + std::to_string(size) + " bytes)");
  char head[kUserBlock + 1] = {};
  read_exact(f.fd, head, kUserBlock, 0, path);
  long long version = 0;
  char magic[32] = {};
  if (std::sscanf(head, "%31s %lld", magic, &version) != 2 || std::string(magic) != kMagic) {
    fail(path, "not a pure checkpoint (no pure-checkpoint header in its first 512 bytes)");
  }
  VerifiedFile out;
  out.version = version;
  out.dev = st.st_dev;
  out.ino = st.st_ino;
  if (version == 1) {
    verify_v1(f.fd, head, size, path);
  } else if (version == kFormatVersion) {
    verify_v2(f.fd, head, size, path, out);
  } else {
    fail(path, "checkpoint format version " + std::to_string(version) + ", this pure reads versions 1 and " +
                   std::to_string(kFormatVersion));
  }
  return out;
}

std::string dir_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}
std::string base_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void fsync_path(const std::string& path, int flags, const std::string& what) {
  Fd f(::open(path.c_str(), flags | O_CLOEXEC));
  if (f.fd < 0) fail(path, "cannot open " + what + " to sync it: " + errno_text());
  if (::fsync(f.fd) != 0) fail(path, "fsync of " + what + " failed: " + errno_text());
}

// ---------------------------------------------------------------- writing

// Writes one leaf; adds its table row (where HDF5 put its bytes, their length
// and CRC) to `rows` unless it has no data.
void write_dataset(hid_t parent, const std::string& name, const Array& a, const std::string& file,
                   const std::string& where, std::vector<TableRow>& rows) {
  const Shape& shape = a.shape();
  std::vector<hsize_t> dims(shape.dims().begin(), shape.dims().end());
  Hid space = check(shape.rank() == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(shape.rank(), dims.data(), nullptr),
                    H5Sclose, file, "cannot create the dataspace of " + where);
  Hid btype;
  if (a.dtype() == DType::boolean) btype = bool_type();
  const hid_t ftype = a.dtype() == DType::boolean ? btype.get() : file_type(a.dtype());
  const hid_t mtype = a.dtype() == DType::boolean ? btype.get() : memory_type(a.dtype());
  Hid dset = check(H5Dcreate2(parent, name.c_str(), ftype, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose, file, "cannot create dataset " + where);
  const HostBytes bytes = host_bytes(a);
  if (bytes.size > 0) {
    check(H5Dwrite(dset.get(), mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data), file, "cannot write " + where);
  }
  write_string_attr(dset.get(), "pure_dtype", dtype_tag(a.dtype()), file);
  const std::uint32_t crc = crc32c(bytes.data, bytes.size);
  write_scalar_attr(dset.get(), "crc32c", H5T_STD_U32LE, crc, file);
  if (bytes.size > 0) {
    const haddr_t offset = H5Dget_offset(dset.get());
    if (offset == HADDR_UNDEF || H5Dget_storage_size(dset.get()) != bytes.size) {
      fail(file, "HDF5 did not store " + where + " as one contiguous block");
    }
    rows.push_back(TableRow{static_cast<std::uint64_t>(offset), bytes.size, crc});
  }
}

void write_hdf5(const std::string& tmp, const std::string& target, const std::vector<Entry>& entries,
                const Metadata& meta, std::uint64_t block, bool* created, std::vector<TableRow>& rows) {
  Hid fcpl = check(H5Pcreate(H5P_FILE_CREATE), H5Pclose, target, "cannot create file properties");
  check(H5Pset_userblock(fcpl.get(), block), target, "cannot reserve the header block");
  check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), target,
        "cannot track link order");
  Hid fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, target, "cannot create file access properties");
  check(H5Pset_fapl_sec2(fapl.get()), target, "cannot select the POSIX driver");
  Hid fid = check(H5Fcreate(tmp.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()), H5Fclose, target,
                  "cannot create the temporary file " + tmp);
  *created = true;
  Hid gcpl = creation_ordered_group_props(target);

  // Groups by path, created on first use in entry order (which is leaf order).
  std::map<std::string, Hid> groups;
  std::function<hid_t(const std::vector<std::string>&, std::size_t)> group_at =
      [&](const std::vector<std::string>& path, std::size_t n) -> hid_t {
    if (n == 0) return fid.get();
    const std::vector<std::string> prefix(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(n));
    const std::string key = join(prefix);
    auto it = groups.find(key);
    if (it != groups.end()) return it->second.get();
    const hid_t parent = group_at(path, n - 1);
    Hid g = check(H5Gcreate2(parent, path[n - 1].c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose, target,
                  "cannot create group " + key + " (a leaf and a group of the same name?)");
    return groups.emplace(key, std::move(g)).first->second.get();
  };

  std::set<std::string> seen;
  for (const Entry& e : entries) {
    const std::string where = join(e.path);
    for (std::size_t i = 0; i < e.path.size(); ++i) check_name(e.path[i], i == 0, target, where);
    if (!seen.insert(where).second) fail(target, "entry '" + where + "' appears twice");
    if (!e.value.valid()) {  // an empty dict
      group_at(e.path, e.path.size());
      continue;
    }
    if (e.value.is_tracer()) fail(target, "entry '" + where + "' is a traced value; save concrete arrays");
    if (e.path.empty()) {
      // A lone Array: stored as the dataset "value", flagged so load gives an Array back.
      write_dataset(fid.get(), "value", e.value, target, "/value", rows);
      write_scalar_attr(fid.get(), "pure_root_is_leaf", H5T_STD_I64LE, std::int64_t{1}, target);
      continue;
    }
    const hid_t parent = group_at(e.path, e.path.size() - 1);
    write_dataset(parent, e.path.back(), e.value, target, where, rows);
  }

  const hid_t root = fid.get();
  write_string_attr(root, "pure_format", kMagic, target);
  write_scalar_attr(root, "pure_format_version", H5T_STD_I64LE, kFormatVersion, target);
  write_string_attr(root, "pure_version", PURE_VERSION_STRING, target);
  write_string_attr(root, "pure_created_utc", now_utc(), target);
  for (const auto& [name, value] : meta.attributes) {
    if (name.empty() || name.rfind("pure_", 0) == 0 || name == "crc32c") {
      fail(target, "metadata attribute '" + name + "': names must be non-empty and not start with 'pure_'");
    }
    if (const auto* i = std::get_if<std::int64_t>(&value))
      write_scalar_attr(root, name.c_str(), H5T_STD_I64LE, *i, target);
    if (const auto* d = std::get_if<double>(&value)) write_scalar_attr(root, name.c_str(), H5T_IEEE_F64LE, *d, target);
    if (const auto* s = std::get_if<std::string>(&value)) write_string_attr(root, name.c_str(), *s, target);
  }
  if (!meta.keys.empty()) {
    Hid g = check(H5Gcreate2(root, "pure_keys", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose, target,
                  "cannot create group /pure_keys");
    for (const auto& [name, key] : meta.keys) {
      check_name(name, false, target, "/pure_keys/" + name);
      const std::vector<std::uint32_t> words{key.words[0], key.words[1]};
      write_dataset(g.get(), name, from_host(words, Shape{2}), target, "/pure_keys/" + name, rows);
      Hid d = check(H5Dopen2(g.get(), name.c_str(), H5P_DEFAULT), H5Dclose, target, "cannot reopen a key");
      write_string_attr(d.get(), "generator", key.impl == random::Impl::threefry ? "threefry2x32" : "philox4x32",
                        target);
    }
  }
  groups.clear();
  check(H5Fflush(fid.get(), H5F_SCOPE_GLOBAL), target, "cannot flush the temporary file");
  // Closed here, result checked: a file HDF5 could not finish must not replace the old one.
  check(H5Fclose(fid.release()), target, "cannot close the temporary file");
}

// ---------------------------------------------------------------- reading

DType dtype_of_dataset(hid_t dset, const std::string& file, const std::string& where) {
  if (H5Aexists(dset, "pure_dtype") > 0) {
    Hid attr = check(H5Aopen(dset, "pure_dtype", H5P_DEFAULT), H5Aclose, file, "cannot open " + where + "@pure_dtype");
    const std::string tag = read_string_attr(attr.get(), file, where + "@pure_dtype");
    for (const auto& i : kDTypes)
      if (tag == i.name) return i.dtype;
    fail(file, "entry '" + where + "' has unknown dtype '" + tag + "'");
  }
  fail(file, "entry '" + where + "' has no pure_dtype attribute (not written by pure::io::save)");
}

// What reading needs besides HDF5's handles: the file's name and what
// verify_file found. `trusted`: HDF5 has the verified file open (same inode),
// so a format-2 dataset found in the table at its offset, length and CRC holds
// verified bytes, and its CRC need not be computed again.
struct ReadContext {
  std::string file;
  VerifiedFile verified;
  bool trusted = false;
  std::vector<bool> used;  // per table row
};

Entry read_dataset(hid_t dset, std::vector<std::string> path, ReadContext& ctx) {
  const std::string& file = ctx.file;
  const std::string where = join(path);
  const DType dtype = dtype_of_dataset(dset, file, where);
  Hid space = check(H5Dget_space(dset), H5Sclose, file, "cannot read the shape of " + where);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 32) fail(file, "entry '" + where + "' has an unreadable shape");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::vector<std::int64_t> d(dims.begin(), dims.end());
  const Shape shape(d);
  const std::size_t n = static_cast<std::size_t>(shape.size()) * dtype_size(dtype);
  // A damaged file that passed the checksums cannot make us allocate more than it stores.
  if (n > 0 && H5Dget_storage_size(dset) < n) {
    fail(file, "entry '" + where + "' is damaged: it stores fewer bytes than its shape needs");
  }
  if (H5Aexists(dset, "crc32c") <= 0) fail(file, "entry '" + where + "' has no crc32c attribute");
  std::uint32_t want = 0;
  Hid attr = check(H5Aopen(dset, "crc32c", H5P_DEFAULT), H5Aclose, file, "cannot open " + where + "@crc32c");
  check(H5Aread(attr.get(), H5T_NATIVE_UINT32, &want), file, "cannot read " + where + "@crc32c");
  auto damaged = [&] { fail(file, "entry '" + where + "' is damaged: its data does not match its checksum"); };
  bool verified = false;
  if (ctx.verified.version >= 2 && n > 0) {
    // Every dataset with data is in the table, at the offset HDF5 reads from.
    const haddr_t offset = H5Dget_offset(dset);
    const auto& rows = ctx.verified.rows;
    const auto row = std::lower_bound(rows.begin(), rows.end(), static_cast<std::uint64_t>(offset),
                                      [](const TableRow& r, std::uint64_t o) { return r.offset < o; });
    if (offset == HADDR_UNDEF || row == rows.end() || row->offset != offset || row->length != n ||
        H5Dget_storage_size(dset) != n || row->crc != want) {
      fail(file, "entry '" + where + "' is damaged: it does not match the checkpoint's table of datasets");
    }
    const auto i = static_cast<std::size_t>(row - rows.begin());
    if (ctx.verified.damaged[i]) damaged();
    ctx.used[i] = true;
    verified = ctx.trusted;
  }
  if constexpr (Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemorySpace>::accessible) {
    // Host memory: HDF5 reads straight into the new array (no staging copy).
    if (dtype != DType::boolean && n > 0) {
      Array out = Array::allocate(shape, dtype, "io::load");
      void* dst = const_cast<void*>(out.data());
      check(H5Dread(dset, memory_type(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, dst), file,
            "cannot read entry '" + where + "'");
      if (!verified && crc32c(dst, n) != want) damaged();
      return Entry{std::move(path), out};
    }
  }
  const std::unique_ptr<unsigned char[]> bytes = raw_buffer(n);
  Hid btype;
  if (dtype == DType::boolean) btype = bool_type();
  const hid_t mtype = dtype == DType::boolean ? btype.get() : memory_type(dtype);
  if (n > 0) {
    check(H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.get()), file, "cannot read entry '" + where + "'");
  }
  if (!verified && crc32c(bytes.get(), n) != want) damaged();
  return Entry{std::move(path), array_from_bytes(bytes.get(), n, shape, dtype)};
}

void read_group(hid_t group, const std::vector<std::string>& path, ReadContext& ctx, bool top,
                std::vector<Entry>& out) {
  const std::string& file = ctx.file;
  H5G_info_t info{};
  check(H5Gget_info(group, &info), file, "cannot list group " + join(path));
  if (info.nlinks == 0 && !path.empty()) out.push_back(Entry{path, Array()});
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t n = H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0) fail(file, "cannot list group " + join(path));
    std::string name(static_cast<std::size_t>(n), '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name.data(), static_cast<std::size_t>(n) + 1,
                       H5P_DEFAULT);
    if (top && name.rfind("pure_", 0) == 0) continue;  // the format's own entries
    std::vector<std::string> child = path;
    child.push_back(name);
    H5O_info_t oinfo{};
#if H5_VERSION_GE(1, 12, 0)
    check(H5Oget_info_by_name3(group, name.c_str(), &oinfo, H5O_INFO_BASIC, H5P_DEFAULT), file,
          "cannot inspect " + join(child));
#else
    check(H5Oget_info_by_name2(group, name.c_str(), &oinfo, H5O_INFO_BASIC, H5P_DEFAULT), file,
          "cannot inspect " + join(child));
#endif
    if (oinfo.type == H5O_TYPE_GROUP) {
      Hid g = check(H5Gopen2(group, name.c_str(), H5P_DEFAULT), H5Gclose, file, "cannot open " + join(child));
      read_group(g.get(), child, ctx, false, out);
    } else if (oinfo.type == H5O_TYPE_DATASET) {
      Hid d = check(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose, file, "cannot open " + join(child));
      out.push_back(read_dataset(d.get(), child, ctx));
    }
  }
}

void read_metadata(hid_t root, ReadContext& ctx, Metadata* meta) {
  const std::string& file = ctx.file;
  const int n = static_cast<int>(H5Aget_num_attrs(root));
  for (int i = 0; i < n; ++i) {
    Hid attr =
        check(H5Aopen_by_idx(root, ".", H5_INDEX_NAME, H5_ITER_INC, static_cast<hsize_t>(i), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, file, "cannot open a file attribute");
    const ssize_t len = H5Aget_name(attr.get(), 0, nullptr);
    std::string name(static_cast<std::size_t>(std::max<ssize_t>(len, 0)), '\0');
    H5Aget_name(attr.get(), name.size() + 1, name.data());
    if (name == "pure_version") meta->library_version = read_string_attr(attr.get(), file, name);
    if (name == "pure_created_utc") meta->created_utc = read_string_attr(attr.get(), file, name);
    if (name.rfind("pure_", 0) == 0) continue;
    Hid type = check(H5Aget_type(attr.get()), H5Tclose, file, "cannot read attribute " + name);
    switch (H5Tget_class(type.get())) {
      case H5T_INTEGER: {
        std::int64_t v = 0;
        check(H5Aread(attr.get(), H5T_NATIVE_INT64, &v), file, "cannot read attribute " + name);
        meta->attributes[name] = v;
        break;
      }
      case H5T_FLOAT: {
        double v = 0;
        check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v), file, "cannot read attribute " + name);
        meta->attributes[name] = v;
        break;
      }
      case H5T_STRING: meta->attributes[name] = read_string_attr(attr.get(), file, "attribute " + name); break;
      default: break;  // attributes of other types (added by other tools) are not pure's
    }
  }
  if (H5Lexists(root, "pure_keys", H5P_DEFAULT) > 0) {
    std::vector<Entry> keys;
    Hid g = check(H5Gopen2(root, "pure_keys", H5P_DEFAULT), H5Gclose, file, "cannot open /pure_keys");
    read_group(g.get(), {"pure_keys"}, ctx, false, keys);
    for (const Entry& e : keys) {
      const std::string where = join(e.path);
      if (!e.value.valid() || e.value.dtype() != DType::u32 || e.value.shape() != Shape{2}) {
        fail(file, "key '" + where + "' must be two uint32 words");
      }
      const std::vector<std::uint32_t> w = e.value.to_host<std::uint32_t>();
      Hid d = check(H5Dopen2(g.get(), e.path.back().c_str(), H5P_DEFAULT), H5Dclose, file, "cannot open " + where);
      Hid a = check(H5Aopen(d.get(), "generator", H5P_DEFAULT), H5Aclose, file, "key '" + where + "' has no generator");
      const std::string gen = read_string_attr(a.get(), file, where + "@generator");
      random::Impl impl;
      if (gen == "threefry2x32") {
        impl = random::Impl::threefry;
      } else if (gen == "philox4x32") {
        impl = random::Impl::philox;
      } else {
        fail(file, "key '" + where + "' has unknown generator '" + gen + "'");
      }
      meta->keys[e.path.back()] = random::wrap_key_data({w[0], w[1]}, impl);
    }
  }
}

}  // namespace

std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b) {
  const ZeroByteOperators& ops = zero_byte_operators();
  for (int k = 0; length_b != 0; ++k, length_b >>= 1)
    if (length_b & 1) crc_a = ZeroByteOperators::times(ops.op[k], crc_a);
  return crc_a ^ crc_b;
}

std::uint32_t crc32c(const void* data, std::size_t n, std::uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (have_sse42()) return ~crc32c_sse42(p, n, crc);
#endif
  return ~crc32c_table(p, n, crc);
}

std::vector<std::string> path_components(const std::string& p) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < p.size()) {
    if (p.compare(i, 2, "['") == 0) {
      const std::size_t end = p.find("']", i + 2);
      if (end == std::string::npos) throw Error("pure::io: cannot parse tree path " + p);
      out.push_back(p.substr(i + 2, end - i - 2));
      i = end + 2;
    } else if (p[i] == '[') {
      const std::size_t end = p.find(']', i);
      if (end == std::string::npos) throw Error("pure::io: cannot parse tree path " + p);
      out.push_back(p.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (p[i] == '.') {
      std::size_t end = p.find_first_of(".[", i + 1);
      if (end == std::string::npos) end = p.size();
      out.push_back(p.substr(i + 1, end - i - 1));
      i = end;
    } else {
      throw Error("pure::io: cannot parse tree path " + p);
    }
  }
  return out;
}

void write_checkpoint(const std::string& path, const std::vector<Entry>& entries, const Metadata& meta) {
  // pid, clock and counter: distinct from a temporary a killed earlier run
  // (perhaps with the same pid, in a container) left behind.
  static std::atomic<unsigned> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  const std::string tmp = dir_of(path) + "/." + base_of(path) + ".tmp-" + std::to_string(::getpid()) + "-" +
                          std::to_string(now) + "-" + std::to_string(counter++);
  bool created = false;  // only a temporary this call made is removed on failure
  try {
    const std::uint64_t block = user_block_size(entries.size() + meta.keys.size());
    std::vector<TableRow> rows;
    {
      std::lock_guard<std::mutex> lock(hdf5_mutex());
      QuietHdf5 quiet;
      write_hdf5(tmp, path, entries, meta, block, &created, rows);
    }  // the file is closed here
    // The header: length and checksum of everything HDF5 wrote, and the table.
    {
      Fd f(::open(tmp.c_str(), O_RDWR | O_CLOEXEC));
      if (f.fd < 0) fail(path, "cannot reopen the temporary file " + tmp + ": " + errno_text());
      struct stat st {};
      if (::fstat(f.fd, &st) != 0) fail(path, "cannot stat " + tmp + ": " + errno_text());
      const auto size = static_cast<std::uint64_t>(st.st_size);
      std::sort(rows.begin(), rows.end(), [](const TableRow& a, const TableRow& b) { return a.offset < b.offset; });
      // The whole-file CRC without reading the data again: the gaps between
      // datasets (HDF5's metadata) are read, the datasets' own CRCs combined in.
      std::uint32_t whole = 0;
      std::uint64_t pos = block;
      for (std::size_t i = 0; i <= rows.size(); ++i) {
        const std::uint64_t gap_end = i < rows.size() ? rows[i].offset : size;
        if (gap_end < pos || gap_end > size) fail(path, "HDF5 stored the datasets of " + tmp + " overlapping");
        whole = crc32c_combine(whole, region_crc(f.fd, pos, gap_end, path), gap_end - pos);
        if (i == rows.size()) break;
        whole = crc32c_combine(whole, rows[i].crc, rows[i].length);
        pos = rows[i].offset + rows[i].length;
      }
      std::string head = header_v2(size, whole, block, rows);
      if (head.size() > block) fail(path, "internal error: the header of " + tmp + " does not fit its block");
      head.resize(block, '\0');
      if (::pwrite(f.fd, head.data(), block, 0) != static_cast<ssize_t>(block)) {
        fail(path, "cannot write the header of " + tmp + ": " + errno_text());
      }
      if (::fsync(f.fd) != 0) fail(path, "fsync of " + tmp + " failed: " + errno_text());
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail(path, "cannot rename " + tmp + " over it: " + errno_text());
  } catch (...) {
    if (created) ::unlink(tmp.c_str());
    throw;
  }
  // The rename is durable once the directory is synced.
  fsync_path(dir_of(path), O_RDONLY | O_DIRECTORY, "its directory");
}

std::vector<Entry> read_checkpoint(const std::string& path, Metadata* meta) {
  ReadContext ctx;
  ctx.file = path;
  ctx.verified = verify_file(path);
  ctx.used.assign(ctx.verified.rows.size(), false);
  std::lock_guard<std::mutex> lock(hdf5_mutex());
  QuietHdf5 quiet;
  Hid fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "cannot create file access properties");
  check(H5Pset_fapl_sec2(fapl.get()), path, "cannot select the POSIX driver");
  Hid fid = check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, path, "HDF5 cannot open it");
  // The file HDF5 opened by name must be the one verified (not one renamed
  // over it since); otherwise every dataset's CRC is computed as it is read.
  {
    void* handle = nullptr;
    struct stat st {};
    ctx.trusted = H5Fget_vfd_handle(fid.get(), fapl.get(), &handle) >= 0 && handle != nullptr &&
                  ::fstat(*static_cast<int*>(handle), &st) == 0 && st.st_dev == ctx.verified.dev &&
                  st.st_ino == ctx.verified.ino;
  }
  Hid root = check(H5Gopen2(fid.get(), "/", H5P_DEFAULT), H5Gclose, path, "cannot open the root group");
  std::vector<Entry> out;
  if (H5Aexists(root.get(), "pure_root_is_leaf") > 0) {
    Hid d = check(H5Dopen2(root.get(), "value", H5P_DEFAULT), H5Dclose, path, "cannot open /value");
    out.push_back(read_dataset(d.get(), {"value"}, ctx));
    out.back().path.clear();
  } else {
    read_group(root.get(), {}, ctx, true, out);
  }
  Metadata unused;  // read anyway: the keys' datasets are in the table too
  Metadata* m = meta != nullptr ? meta : &unused;
  *m = Metadata{};
  read_metadata(root.get(), ctx, m);
  for (std::size_t i = 0; i < ctx.used.size(); ++i) {
    if (!ctx.used[i]) {
      fail(path, ctx.verified.damaged[i] ? "damaged: the data at byte " + std::to_string(ctx.verified.rows[i].offset) +
                                               " does not match its checksum"
                                         : "damaged: its table lists data at byte " +
                                               std::to_string(ctx.verified.rows[i].offset) + " that no entry holds");
    }
  }
  return out;
}

std::vector<Entry> entries_of(const Tree& tree) {
  std::vector<Entry> out;
  std::function<void(const Tree&, std::vector<std::string>&)> walk = [&](const Tree& t, std::vector<std::string>& p) {
    if (t.is_leaf()) {
      out.push_back(Entry{p, t.array()});
      return;
    }
    if (t.empty() && !p.empty()) out.push_back(Entry{p, Array()});
    for (std::size_t i = 0; i < t.size(); ++i) {
      p.push_back(t.keys()[i]);
      walk(t.child(i), p);
      p.pop_back();
    }
  };
  std::vector<std::string> p;
  walk(tree, p);
  return out;
}

Tree tree_of(const std::vector<Entry>& entries, const std::string& file) {
  if (entries.size() == 1 && entries[0].path.empty()) return Tree(entries[0].value);
  Tree out;
  for (const Entry& e : entries) {
    Tree* node = &out;
    for (std::size_t i = 0; i + 1 < e.path.size(); ++i) node = &(*node)[e.path[i]];
    if (e.path.empty()) fail(file, "an unnamed entry inside a tree");
    if (e.value.valid()) {
      node->set(e.path.back(), e.value);
    } else {
      (*node)[e.path.back()];  // an empty dict
    }
  }
  return out;
}

std::vector<Array> typed_leaves(const std::vector<Entry>& entries, const PathLeaves& like, const std::string& file) {
  std::map<std::string, const Entry*> by_path;
  for (const Entry& e : entries)
    if (e.value.valid()) by_path[join(e.path)] = &e;
  std::vector<Array> out;
  std::set<std::string> wanted;
  for (const auto& [tree_path, leaf] : like) {
    const std::string where = join(path_components(tree_path));
    wanted.insert(where);
    const auto it = by_path.find(where);
    if (it == by_path.end()) fail(file, "entry '" + where + "' is missing (the tree expects it)");
    const Array& a = it->second->value;
    if (leaf.valid() && (a.dtype() != leaf.dtype() || a.shape() != leaf.shape())) {
      fail(file, "entry '" + where + "' is " + describe(a) + ", the tree expects " + describe(leaf));
    }
    out.push_back(a);
  }
  for (const auto& [where, e] : by_path) {
    if (wanted.count(where) == 0) fail(file, "entry '" + where + "' is not part of the expected tree (extra entry)");
  }
  return out;
}

}  // namespace detail

static_assert(sizeof(std::uint32_t) == 4, "CRC words");

void save(const std::string& path, const Tree& tree, const Metadata& meta) {
  detail::write_checkpoint(path, detail::entries_of(tree), meta);
}

Tree load(const std::string& path, Metadata* meta) {
  return detail::tree_of(detail::read_checkpoint(path, meta), path);
}

Array read_hdf5_dataset(const std::string& file, const std::string& dataset, DType dtype) {
  using namespace detail;
  if (dtype == DType::boolean) throw ValueError("pure::io::read_hdf5_dataset: dtype must be numeric, not bool");
  std::lock_guard<std::mutex> lock(hdf5_mutex());
  QuietHdf5 quiet;
  if (::access(file.c_str(), R_OK) != 0) fail(file, "cannot open: " + errno_text());
  Hid fid = check(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, file, "HDF5 cannot open it");
  if (H5Lexists(fid.get(), dataset.c_str(), H5P_DEFAULT) <= 0) {
    std::string names;
    H5G_info_t info{};
    if (H5Gget_info(fid.get(), &info) >= 0) {
      for (hsize_t i = 0; i < info.nlinks && i < 20; ++i) {
        char name[256] = {};
        H5Lget_name_by_idx(fid.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        names += (names.empty() ? "" : ", ") + std::string(name);
      }
    }
    fail(file, "no dataset '" + dataset + "' (the file has: " + names + ")");
  }
  Hid d =
      check(H5Dopen2(fid.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose, file, "'" + dataset + "' is not a dataset");
  Hid ftype = check(H5Dget_type(d.get()), H5Tclose, file, "cannot read the type of '" + dataset + "'");
  const H5T_class_t cls = H5Tget_class(ftype.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail(file, "dataset '" + dataset + "' is not numeric");
  Hid space = check(H5Dget_space(d.get()), H5Sclose, file, "cannot read the shape of '" + dataset + "'");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 32) fail(file, "dataset '" + dataset + "' has an unreadable shape");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  const Shape shape(std::vector<std::int64_t>(dims.begin(), dims.end()));
  const std::size_t n = static_cast<std::size_t>(shape.size()) * dtype_size(dtype);
  const std::unique_ptr<unsigned char[]> bytes = raw_buffer(n);
  if (n > 0) {
    check(H5Dread(d.get(), memory_type(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.get()), file,
          "cannot read dataset '" + dataset + "' as " + dtype_tag(dtype));
  }
  return array_from_bytes(bytes.get(), n, shape, dtype);
}

Metadata load_metadata(const std::string& path) {
  Metadata meta;
  detail::read_checkpoint(path, &meta);
  return meta;
}

}  // namespace pure::io
