#!/usr/bin/env python3
"""Writes math_reference.txt (next to this script): erfinv reference values for
tests/core/test_math.cpp.

Each line is `<tag> <x> <y>` with x and y as C99 hex floats (float32 values are
written as the doubles they convert to exactly):

  erfinv_f64_scipy  x float64, y = scipy.special.erfinv(x)          (Boost's erf_inv)
  erfinv_f32_scipy  x float32, y = scipy.special.erfinv(float64(x)) (not rounded to f32)
  erfinv_f64_jax    x float64, y = jax.scipy.special.erfinv(x)      (XLA's ErfInv64, CPU)
  erfinv_f32_jax    x float32, y = jax.scipy.special.erfinv(x)      (XLA's ErfInv32, CPU)

The inputs are fixed: a uniform grid, 1 - 2^-k and 2^-k ladders and seeded
random draws, so rerunning the script reproduces the file (given the same
scipy and jax versions, recorded in the header).

Usage: python3 tests/data/make_math_reference.py   (needs numpy, scipy, jax)
"""
import os

import numpy as np
import scipy
import scipy.special

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
import jax.numpy as jnp  # noqa: E402
import jax.scipy.special  # noqa: E402


def inputs(dtype):
    finfo = np.finfo(dtype)
    nmant = finfo.nmant + 1  # 53 or 24
    rng = np.random.default_rng(20240611)
    parts = [
        np.linspace(-1.0, 1.0, 201)[1:-1],
        [1.0 - 2.0**-k for k in range(1, nmant + 1)],
        [2.0**-k for k in range(1, -finfo.minexp + nmant, 13)],
        [0.0, float(finfo.smallest_subnormal)],
        rng.uniform(-1.0, 1.0, 600),
        1.0 - 10.0 ** rng.uniform(-16.0, 0.0, 300),
    ]
    x = np.concatenate([np.asarray(p, dtype=np.float64) for p in parts]).astype(dtype)
    x = x[(x > -1) & (x < 1)]
    x = np.concatenate([x, -x[x > 0]])  # both signs
    return np.unique(x)


def hexf(v):
    return float(v).hex()


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "math_reference.txt")
    lines = [
        "# erfinv reference values for tests/core/test_math.cpp, written by make_math_reference.py",
        f"# numpy {np.__version__}, scipy {scipy.__version__}, jax {jax.__version__} (CPU)",
        "# <tag> <x> <y> as hex floats",
    ]
    x64 = inputs(np.float64)
    x32 = inputs(np.float32)
    y64_scipy = scipy.special.erfinv(x64)
    y32_scipy = scipy.special.erfinv(x32.astype(np.float64))
    erfinv = jax.jit(jax.scipy.special.erfinv)
    y64_jax = np.asarray(erfinv(jnp.asarray(x64, dtype=jnp.float64)))
    y32_jax = np.asarray(erfinv(jnp.asarray(x32, dtype=jnp.float32)))
    assert y64_jax.dtype == np.float64 and y32_jax.dtype == np.float32
    for tag, xs, ys in [
        ("erfinv_f64_scipy", x64, y64_scipy),
        ("erfinv_f32_scipy", x32, y32_scipy),
        ("erfinv_f64_jax", x64, y64_jax),
        ("erfinv_f32_jax", x32, y32_jax),
    ]:
        lines += [f"{tag} {hexf(a)} {hexf(b)}" for a, b in zip(xs, ys)]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {out}: {len(x64)} float64 and {len(x32)} float32 inputs")


if __name__ == "__main__":
    main()
