#include "memory_plan.hpp"

#include <algorithm>
#include <utility>

namespace pure::detail {
namespace {

thread_local AllocationScope* t_scope = nullptr;

std::size_t align_up(std::size_t n, std::size_t alignment) { return (n + alignment - 1) / alignment * alignment; }

bool overlap_in_time(const AllocationRecord& a, const AllocationRecord& b) {
  return a.alloc_tick < b.free_tick && b.alloc_tick < a.free_tick;
}

bool overlap_in_memory(const AllocationRecord& a, const AllocationRecord& b) {
  return a.bytes > 0 && b.bytes > 0 && a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}

}  // namespace

AllocationScope::~AllocationScope() = default;

AllocationScope* current_allocation_scope() { return t_scope; }

AllocationScopeGuard::AllocationScopeGuard(AllocationScope* scope) : previous_(t_scope) { t_scope = scope; }
AllocationScopeGuard::~AllocationScopeGuard() { t_scope = previous_; }

// Buffers may be freed on any thread, and after the recorder is gone.
struct AllocationRecorder::Log final : BufferObserver {
  mutable std::mutex mutex;
  std::vector<AllocationRecord> records;
  long tick = 0;
  void freed(int seq) noexcept override {
    const std::lock_guard<std::mutex> lock(mutex);
    records[static_cast<std::size_t>(seq)].free_tick = ++tick;
  }
};

AllocationRecorder::AllocationRecorder() : log_(std::make_shared<Log>()) {}

std::shared_ptr<const Buffer> AllocationRecorder::allocate(const char* label, std::size_t nbytes, DType dtype) {
  auto buffer = std::make_shared<Buffer>(label, nbytes);
  const std::lock_guard<std::mutex> lock(log_->mutex);
  AllocationRecord r;
  r.bytes = nbytes;
  r.dtype = dtype;
  r.label = label;
  r.eqn = eqn_;
  r.alloc_tick = ++log_->tick;
  buffer->observer = log_;
  buffer->seq = static_cast<int>(log_->records.size());
  log_->records.push_back(std::move(r));
  return buffer;
}

std::vector<AllocationRecord> AllocationRecorder::records() const {
  const std::lock_guard<std::mutex> lock(log_->mutex);
  return log_->records;
}

int AllocationRecorder::sequence_of(const Buffer* b) const { return b != nullptr && b->observer == log_ ? b->seq : -1; }

ArenaPlan plan_arena(std::vector<AllocationRecord> records, std::size_t alignment) {
  ArenaPlan plan;
  plan.records = std::move(records);
  std::vector<AllocationRecord>& r = plan.records;
  std::vector<int> order;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (r[i].intermediate()) order.push_back(static_cast<int>(i));
  }
  // Largest first packs best; ties by allocation order keep the plan deterministic.
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return r[static_cast<std::size_t>(a)].bytes > r[static_cast<std::size_t>(b)].bytes;
  });
  std::vector<int> placed;
  for (int i : order) {
    AllocationRecord& me = r[static_cast<std::size_t>(i)];
    std::vector<const AllocationRecord*> busy;
    for (int j : placed) {
      const AllocationRecord& other = r[static_cast<std::size_t>(j)];
      if (overlap_in_time(me, other) && other.bytes > 0) busy.push_back(&other);
    }
    std::sort(busy.begin(), busy.end(),
              [](const AllocationRecord* a, const AllocationRecord* b) { return a->offset < b->offset; });
    std::size_t offset = 0;
    for (const AllocationRecord* b : busy) {
      if (offset + me.bytes <= b->offset) break;
      offset = std::max(offset, align_up(b->offset + b->bytes, alignment));
    }
    me.offset = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, align_up(offset + me.bytes, alignment));
    placed.push_back(i);
  }
  plan.conflicts.resize(r.size());
  for (std::size_t k = 0; k < r.size(); ++k) {
    if (!r[k].intermediate()) continue;
    for (std::size_t j = 0; j < k; ++j) {
      if (r[j].intermediate() && overlap_in_memory(r[j], r[k])) plan.conflicts[k].push_back(static_cast<int>(j));
    }
  }
  return plan;
}

struct AllocationReplayer::Live final : BufferObserver {
  std::mutex mutex;
  std::vector<char> alive;
  int arena_buffers = 0;
  void freed(int seq) noexcept override {
    const std::lock_guard<std::mutex> lock(mutex);
    alive[static_cast<std::size_t>(seq)] = 0;
    --arena_buffers;
  }
};

AllocationReplayer::AllocationReplayer(const ArenaPlan& plan, Block arena,
                                       std::vector<std::shared_ptr<const Buffer>> donors)
    : plan_(plan),
      arena_(std::move(arena)),
      donors_(std::move(donors)),
      used_(donors_.size(), false),
      live_(std::make_shared<Live>()) {
  live_->alive.assign(plan_.records.size(), 0);
}

std::shared_ptr<const Buffer> AllocationReplayer::allocate(const char*, std::size_t nbytes, DType dtype) {
  const std::size_t k = next_++;
  if (k >= plan_.records.size() || plan_.records[k].bytes != nbytes || plan_.records[k].dtype != dtype) {
    stale_ = true;
    return nullptr;
  }
  const AllocationRecord& r = plan_.records[k];
  if (r.donor >= 0) {
    const auto slot = static_cast<std::size_t>(r.donor);
    if (donors_[slot] && !used_[slot]) {
      used_[slot] = true;
      // The output takes the donor's block; the caller empties the donor after the call.
      return std::make_shared<const Buffer>(donors_[slot]->block, nbytes, true);
    }
    return nullptr;
  }
  if (r.offset == kNotInArena) return nullptr;
  const std::lock_guard<std::mutex> lock(live_->mutex);
  for (int c : plan_.conflicts[k]) {
    if (live_->alive[static_cast<std::size_t>(c)] != 0) {  // its memory is still in use: not as recorded
      stale_ = true;
      return nullptr;
    }
  }
  auto buffer =
      std::make_shared<Buffer>(Kokkos::subview(arena_, std::make_pair(r.offset, r.offset + nbytes)), nbytes, false);
  buffer->observer = live_;
  buffer->seq = static_cast<int>(k);
  live_->alive[k] = 1;
  ++live_->arena_buffers;
  return buffer;
}

int AllocationReplayer::live_arena_buffers() const {
  const std::lock_guard<std::mutex> lock(live_->mutex);
  return live_->arena_buffers;
}

}  // namespace pure::detail
