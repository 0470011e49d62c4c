// strided_copy_words: the strided copy kernel and its host loops.
//
// Its own translation unit because the host loops are templates: a kernel
// instantiated by host_simd_for in several translation units is one COMDAT
// symbol, and the linker keeps whichever copy it meets first. When the kernel
// lived in strided_walk.hpp, array.cpp's copy (built with GCC's -O2 "very
// cheap" cost model, which leaves these loops scalar) won over shape.cpp's
// (built with the full cost model): slice with step 2 of f32 (1024, 1024) ran
// at 1.9x the plain loop in the default build on Zen 4. Here the kernel has
// internal linkage and this file is built with the full cost model (CMakeLists.txt).
#include <string>

#include "strided_walk.hpp"

namespace pure::detail {
namespace {

/// out[i] = in[offset of i]: the copy behind transpose, slice and written-out
/// broadcasts. Words of the element's width, so one kernel serves every dtype.
template <class Word>
struct StridedCopyKernel {
  const Word* in;
  Word* out;
  StridedWalk<1> walk;
  KOKKOS_INLINE_FUNCTION void operator()(std::int64_t i) const {
    std::int64_t off[1];
    walk.offsets(i, off);
    out[i] = in[off[0]];
  }
  PURE_HOST_SIMD_ALWAYS_INLINE void range(std::int64_t begin, std::int64_t end) const {
    auto cur = walk.start(begin);
    const std::int64_t s = walk.inner_stride(0);
    for (std::int64_t i = begin; i < end;) {
      const std::int64_t len = walk.run_length(cur, end - i);
      const Word* KOKKOS_RESTRICT src = in + cur.off[0];
      Word* KOKKOS_RESTRICT dst = out + i;
      if (s == 1) {
        for (std::int64_t j = 0; j < len; ++j) dst[j] = src[j];
      } else if (s == 0) {
        const Word v = *src;
        for (std::int64_t j = 0; j < len; ++j) dst[j] = v;
      } else if (sizeof(Word) <= 4 && s == 2) {
        // Every other element (a slice with step 2): with the stride a constant,
        // GCC vectorises 4-byte words with shuffles (8-byte ones measured slower).
        for (std::int64_t j = 0; j < len; ++j) dst[j] = src[2 * j];
      } else if (sizeof(Word) == 8) {
        // GCC at -O3 turns the plain loop into emulated gathers for 8-byte
        // words, 2.2x slower than this on Zen 3 (slice_f64 in bench_ops):
        // four independent loads per step, stored in order.
        std::int64_t j = 0;
        for (; j + 4 <= len; j += 4) {
          const Word a = src[j * s], b = src[(j + 1) * s], c = src[(j + 2) * s], d = src[(j + 3) * s];
          dst[j] = a;
          dst[j + 1] = b;
          dst[j + 2] = c;
          dst[j + 3] = d;
        }
        for (; j < len; ++j) dst[j] = src[j * s];
      } else {
        for (std::int64_t j = 0; j < len; ++j) dst[j] = src[j * s];
      }
      i += len;
      walk.advance(cur, len);
    }
  }
};

}  // namespace

void strided_copy_words(std::size_t width, const void* in, void* out, const StridedWalk<1>& walk, std::int64_t n,
                        const char* label) {
  switch (width) {
    case 1:
      host_simd_for(
          label, n,
          StridedCopyKernel<std::uint8_t>{static_cast<const std::uint8_t*>(in), static_cast<std::uint8_t*>(out), walk});
      break;
    case 4:
      host_simd_for(label, n,
                    StridedCopyKernel<std::uint32_t>{static_cast<const std::uint32_t*>(in),
                                                     static_cast<std::uint32_t*>(out), walk});
      break;
    case 8:
      host_simd_for(label, n,
                    StridedCopyKernel<std::uint64_t>{static_cast<const std::uint64_t*>(in),
                                                     static_cast<std::uint64_t*>(out), walk});
      break;
    default: throw RuntimeError(std::string(label) + ": unsupported element width " + std::to_string(width));
  }
}

}  // namespace pure::detail
