// Allocation plan scopes: how a jitted call serves its intermediates from one
// arena (docs/jit.md, "Memory plan and donation"). The first call of an
// executable records every allocation with its lifetime; the plan gives each
// intermediate (freed before the call ends) an offset in one arena; later
// calls replay, serving the k-th allocation at its offset. Programs allocate
// in a fixed order for fixed shapes (each primitive's kernel allocates the
// same arrays in the same order), so the k-th allocation is the same array.
#pragma once

#include <atomic>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "detail_buffer.hpp"

namespace pure::detail {

/// Consulted by Array::allocate: the buffer to use, or nullptr to allocate normally.
class AllocationScope {
 public:
  virtual ~AllocationScope();
  virtual std::shared_ptr<const Buffer> allocate(const char* label, std::size_t nbytes, DType dtype) = 0;
};

/// This thread's scope (nullptr: none).
AllocationScope* current_allocation_scope();

/// Makes `scope` (may be nullptr) current for its lifetime, then restores the
/// previous one, so scopes nest (a jitted call inside a custom kernel).
class AllocationScopeGuard {
 public:
  explicit AllocationScopeGuard(AllocationScope* scope);
  ~AllocationScopeGuard();
  AllocationScopeGuard(const AllocationScopeGuard&) = delete;
  AllocationScopeGuard& operator=(const AllocationScopeGuard&) = delete;

 private:
  AllocationScope* previous_;
};

constexpr std::size_t kNotInArena = std::numeric_limits<std::size_t>::max();

/// One allocation of a recorded call.
struct AllocationRecord {
  std::size_t bytes = 0;
  DType dtype = DType::f32;
  std::string label;
  int eqn = -1;         // the equation that allocated it
  long alloc_tick = 0;  // ticks count allocations and frees of the call's buffers
  long free_tick = -1;  // -1: alive when the call ended (an output, or escaped)
  std::size_t offset = kNotInArena;
  int output = -1;  // the program output whose storage it is
  int donor = -1;   // replay takes the memory of this donated argument slot
  bool intermediate() const { return free_tick >= 0; }
};

/// Record mode: allocates normally and logs every allocation and free.
class AllocationRecorder final : public AllocationScope {
 public:
  AllocationRecorder();
  void set_equation(int eqn) { eqn_ = eqn; }
  std::shared_ptr<const Buffer> allocate(const char* label, std::size_t nbytes, DType dtype) override;
  /// The log so far (free ticks as of now).
  std::vector<AllocationRecord> records() const;
  /// The record number of `b` when this recorder made it, else -1.
  int sequence_of(const Buffer* b) const;

 private:
  struct Log;
  std::shared_ptr<Log> log_;
  int eqn_ = -1;
};

/// Records with arena offsets for the intermediates, and per intermediate the
/// earlier intermediates that share its memory (replay checks they are gone).
struct ArenaPlan {
  std::vector<AllocationRecord> records;
  std::vector<std::vector<int>> conflicts;
  std::size_t arena_bytes = 0;
};

/// Offsets for the intermediates of `records`: largest first, each at the
/// lowest `alignment`-aligned offset clear of every placed one alive at the same time.
ArenaPlan plan_arena(std::vector<AllocationRecord> records, std::size_t alignment = 128);

/// Replay mode: the k-th allocation at its planned offset in `arena` (or from
/// its donor), falling back to a normal allocation, and marking the plan
/// stale, when the call departs from the record.
class AllocationReplayer final : public AllocationScope {
 public:
  /// `donors[slot]` is the buffer of donated argument `slot`, nullptr when not usable now.
  AllocationReplayer(const ArenaPlan& plan, Block arena, std::vector<std::shared_ptr<const Buffer>> donors);
  void set_equation(int) {}
  std::shared_ptr<const Buffer> allocate(const char* label, std::size_t nbytes, DType dtype) override;
  bool stale() const { return stale_; }
  /// Arena buffers still alive (0 after a call, or the plan is wrong).
  int live_arena_buffers() const;
  /// Donor slots whose memory went to an output.
  const std::vector<bool>& donors_used() const { return used_; }

 private:
  struct Live;
  const ArenaPlan& plan_;
  Block arena_;
  std::vector<std::shared_ptr<const Buffer>> donors_;
  std::vector<bool> used_;
  std::shared_ptr<Live> live_;
  std::size_t next_ = 0;
  bool stale_ = false;
};

}  // namespace pure::detail
