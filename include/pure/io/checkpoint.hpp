// Checkpoints of trees in HDF5 files that h5py, h5dump and MATLAB read
// (docs/checkpoint-format.md has the layout):
//
//   pure::io::Metadata meta;
//   meta.attributes["step"] = std::int64_t{1200};
//   meta.keys["train"] = key;                       // stored as its words + generator
//   pure::io::save("run/ckpt.h5", params, meta);    // atomic: old file intact until the new one is complete
//   pure::Tree params = pure::io::load("run/ckpt.h5");            // any file, as a Tree
//   Params p = pure::io::load("run/ckpt.h5", Params{...});        // typed: structure, dtypes, shapes checked
//
// A save writes a temporary file beside the target, fsyncs it, renames it over
// the target and fsyncs the directory, so a crash or kill at any moment leaves
// either the old file or the new one. Every dataset carries a CRC-32C of its
// bytes and the file a CRC-32C of everything after its header, checked before
// HDF5 parses anything: a truncated or altered file is a pure::Error naming the
// file (and the entry), never a crash or silent garbage.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <pure/core/array.hpp>
#include <pure/core/tree.hpp>
#include <pure/random/key.hpp>

namespace pure::io {

/// A user attribute: an integer, a floating-point number or a string.
using Attribute = std::variant<std::int64_t, double, std::string>;

/// What a checkpoint holds besides the tree. On load, `library_version` and
/// `created_utc` are those of the writer; on save they are filled in.
struct Metadata {
  std::map<std::string, Attribute> attributes;  ///< e.g. "step", "loss", "config"
  std::map<std::string, random::Key> keys;      ///< random keys, by name
  std::string library_version;                  ///< read back: the pure that wrote the file
  std::string created_utc;                      ///< read back: ISO 8601 time of the save
};

/// One leaf as stored: its path components ("Dense_0", "kernel") and value.
struct Entry {
  std::vector<std::string> path;
  Array value;  ///< an empty Array marks an (empty) group
};

namespace detail {
/// CRC-32C (Castagnoli) of `n` bytes continuing from `crc` (0 to start).
std::uint32_t crc32c(const void* data, std::size_t n, std::uint32_t crc = 0);
/// The CRC-32C of A followed by B from crc32c(A), crc32c(B) and B's length
/// (zlib's crc32_combine, for this polynomial).
std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b);
/// "['a']['b']", "[0]", ".w" (tree_leaves_with_path) to {"a", "b"}, {"0"}, {"w"}.
std::vector<std::string> path_components(const std::string& tree_path);
void write_checkpoint(const std::string& path, const std::vector<Entry>& entries, const Metadata& meta);
/// The entries of the file in stored order (groups included), and its metadata.
std::vector<Entry> read_checkpoint(const std::string& path, Metadata* meta);
std::vector<Entry> entries_of(const Tree& tree);
Tree tree_of(const std::vector<Entry>& entries, const std::string& file);
/// The leaves of `like`'s structure from `entries`: exactly the same paths,
/// and each leaf's dtype and shape as like's (where like's leaf is not empty).
std::vector<Array> typed_leaves(const std::vector<Entry>& entries, const PathLeaves& like, const std::string& file);
}  // namespace detail

/// Writes `tree` (a Tree, a PURE_TREE struct, vectors, tuples, an Array) and
/// `meta` to `path` atomically. Dict keys must be non-empty, without '/', and
/// top-level names must not start with "pure_" (reserved for the format).
void save(const std::string& path, const Tree& tree, const Metadata& meta = {});
template <class T>
void save(const std::string& path, const T& tree, const Metadata& meta = {}) {
  std::vector<Entry> entries;
  for (const auto& [p, leaf] : tree_leaves_with_path(tree)) entries.push_back({detail::path_components(p), leaf});
  detail::write_checkpoint(path, entries, meta);
}

/// The tree in `path` as a Tree (groups become dicts, in stored order).
Tree load(const std::string& path, Metadata* meta = nullptr);
/// The tree in `path` with the structure of `like`: the file must hold exactly
/// like's leaf paths, with like's dtypes and shapes (leaves of `like` that are
/// empty Arrays take whatever is stored); otherwise pure::Error names the file
/// and the entry.
template <class T>
T load(const std::string& path, const T& like, Metadata* meta = nullptr) {
  const std::vector<Entry> entries = detail::read_checkpoint(path, meta);
  return tree_unflatten(like, detail::typed_leaves(entries, tree_leaves_with_path(like), path));
}
/// Only the metadata of `path` (the whole file is still verified).
Metadata load_metadata(const std::string& path);

/// A numeric dataset of any HDF5 file (not only pure's: data files made by
/// h5py, MATLAB, simulation codes), converted to `dtype` by HDF5 (f64 by
/// default). `dataset` is a path inside the file ("run1/energies"). Errors name
/// the file and the dataset, and list the datasets at the top level when the
/// name is not found.
Array read_hdf5_dataset(const std::string& file, const std::string& dataset, DType dtype = DType::f64);

/// Step-numbered checkpoints in a directory: `dir/ckpt_<step>.h5`.
///
///   CheckpointManager ckpt("run", /*keep_last_n=*/3, /*every_n_steps=*/100);
///   if (auto step = ckpt.restore(&params, &meta)) start = *step + 1;
///   ... if (ckpt.should_save(step)) ckpt.save(step, params, meta);
class CheckpointManager {
 public:
  struct Options {
    int keep_last_n = 3;    ///< older checkpoints are deleted after each save (0: keep all)
    int every_n_steps = 1;  ///< should_save(step) is true every n steps
  };
  CheckpointManager(std::string dir, Options options);
  CheckpointManager(std::string dir, int keep_last_n = 3, int every_n_steps = 1)
      : CheckpointManager(std::move(dir), Options{keep_last_n, every_n_steps}) {}

  const std::string& dir() const { return dir_; }
  bool should_save(std::int64_t step) const;
  /// Saves step `step` (its number also goes into meta as "step"), then deletes
  /// all but the newest keep_last_n; returns the file written.
  std::string save(std::int64_t step, const Tree& tree, Metadata meta = {});
  /// The steps present, oldest first.
  std::vector<std::int64_t> steps() const;
  std::string path_of(std::int64_t step) const;
  /// Loads the newest checkpoint that verifies; a damaged newer one is skipped
  /// with a warning on stderr. Returns its step, or nothing when none loads.
  std::optional<std::int64_t> restore(Tree* tree, Metadata* meta = nullptr) const;
  /// As restore, typed: each candidate must also match `like`'s structure.
  template <class T>
  std::optional<std::int64_t> restore(T* out, const T& like, Metadata* meta = nullptr) const {
    return restore_with([&](const std::string& p, Metadata* m) { *out = load(p, like, m); }, meta);
  }

 private:
  template <class F>
  std::optional<std::int64_t> restore_with(F load_one, Metadata* meta) const {
    const std::vector<std::int64_t> all = steps();
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      try {
        load_one(path_of(*it), meta);
        return *it;
      } catch (const std::exception& e) {
        warn_skipped(path_of(*it), e.what());
      }
    }
    return std::nullopt;
  }
  static void warn_skipped(const std::string& path, const char* why);

  std::string dir_;
  Options options_;
};

}  // namespace pure::io
