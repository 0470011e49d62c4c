#!/usr/bin/env python3
"""Writes jax_reference.txt: outputs of real jax.random for test_jax_compat.cpp.

Run from anywhere (needs jax and numpy):  python3 tests/data/make_jax_reference.py

File format, one record per line ('#' starts a comment line):

    <kind> <name>=<value> ... : <value> <value> ...

Keys are given as key=<hex word 0>,<hex word 1> (jax.random.key_data).
Floats, both parameters and outputs, are written as the hex digits of their
IEEE bit pattern (8 digits for float32, 16 for float64), so nothing is lost in
printing; integers are decimal. The first section runs in JAX's default 32-bit
mode; the second turns on jax_enable_x64 for 64-bit dtypes and seeds >= 2^31.
"""

import os
import platform
import sys

# XLA's transcendental functions differ between CPU and GPU backends; the ulp
# bounds in test_jax_compat.cpp were measured against the CPU backend.
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np
import jax
import jax.numpy as jnp

jax.config.update("jax_threefry_partitionable", True)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jax_reference.txt")
lines = []


def hexbits(x, dtype):
    a = np.asarray(x, dtype=dtype)
    if dtype == np.float32:
        return [f"{v:08x}" for v in a.reshape(-1).view(np.uint32)]
    return [f"{v:016x}" for v in a.reshape(-1).view(np.uint64)]


def fparam(v, dtype):
    return hexbits(np.asarray(v, dtype), dtype)[0]


def ints(x):
    return [str(int(v)) for v in np.asarray(x).reshape(-1)]


def key_words(k):
    w = np.asarray(jax.random.key_data(k)).reshape(-1)
    return f"{int(w[0]):08x},{int(w[1]):08x}"


def emit(kind, params, values):
    head = " ".join([kind] + [f"{n}={v}" for n, v in params])
    lines.append(f"{head} : {' '.join(values)}")


def ftag(dtype):
    return "f32" if dtype == np.float32 else "f64"


def keys_section(seeds):
    for s in seeds:
        k = jax.random.key(s)
        emit("key", [("seed", str(int(s)))], [key_words(k).replace(",", " ")])
        for n in (1, 2, 3, 5):
            ks = jax.random.split(k, n)
            vals = [f"{int(w):08x}" for w in np.asarray(jax.random.key_data(ks)).reshape(-1)]
            emit("split", [("key", key_words(k)), ("n", str(n))], vals)
        for d in (0, 1, 7, 123456789, 2**32 - 1):
            f = jax.random.fold_in(k, np.uint32(d))
            emit("fold_in", [("key", key_words(k)), ("data", str(d))], [key_words(f).replace(",", " ")])


def float_samplers(k, dtype, n):
    """uniform, normal, truncated_normal, exponential, gamma for one dtype."""
    tag = ftag(dtype)
    ks = iter(jax.random.split(k, 64))
    for lo, hi in ((0.0, 1.0), (-2.5, 7.25), (1e-3, 1e3), (-1.0, 1.0)):
        sk = next(ks)
        v = jax.random.uniform(sk, (n,), dtype, lo, hi)
        emit(f"uniform_{tag}", [("key", key_words(sk)), ("lo", fparam(lo, dtype)), ("hi", fparam(hi, dtype))],
             hexbits(v, dtype))
    sk = next(ks)
    emit(f"normal_{tag}", [("key", key_words(sk))], hexbits(jax.random.normal(sk, (4 * n,), dtype), dtype))
    for lo, hi in ((-1.0, 2.0), (0.5, 3.0), (-3.0, -2.9), (-10.0, 10.0)):
        sk = next(ks)
        v = jax.random.truncated_normal(sk, lo, hi, (n,), dtype)
        emit(f"truncated_normal_{tag}",
             [("key", key_words(sk)), ("lower", fparam(lo, dtype)), ("upper", fparam(hi, dtype))], hexbits(v, dtype))
    sk = next(ks)
    emit(f"exponential_{tag}", [("key", key_words(sk))], hexbits(jax.random.exponential(sk, (4 * n,), dtype), dtype))
    for a in (0.3, 0.9, 1.0, 2.5, 7.0):
        sk = next(ks)
        v = jax.random.gamma(sk, a, (n,), dtype)
        emit(f"gamma_{tag}", [("key", key_words(sk)), ("a", fparam(a, dtype))], hexbits(v, dtype))


def discrete_samplers(k, n):
    ks = iter(jax.random.split(k, 64))
    sk = next(ks)
    emit("bits_u32", [("key", key_words(sk))], [f"{int(v):08x}" for v in np.asarray(jax.random.bits(sk, (n,), jnp.uint32))])
    for p in (0.5, 0.1, 0.9, 0.0, 1.0):
        sk = next(ks)
        v = jax.random.bernoulli(sk, p, (n,))
        emit("bernoulli", [("key", key_words(sk)), ("p", fparam(p, np.float32))], ints(v.astype(np.int32)))
    for lo, hi in ((0, 10), (-100, 37), (0, 1024), (0, 65537), (-2**31, 2**31 - 1), (-1000000007, 2000000000),
                   (5, 5), (10, 3)):
        sk = next(ks)
        v = jax.random.randint(sk, (n,), lo, hi, jnp.int32)
        emit("randint_i32", [("key", key_words(sk)), ("minval", str(lo)), ("maxval", str(hi))], ints(v))
    for m in (1, 2, 10, 100, 2000):
        sk = next(ks)
        emit("permutation", [("key", key_words(sk)), ("n", str(m))], ints(jax.random.permutation(sk, m)))
    sk = next(ks)
    x = jnp.arange(15, dtype=jnp.float32).reshape(5, 3) * 0.5
    emit("permutation_rows", [("key", key_words(sk)), ("rows", "5"), ("cols", "3")],
         hexbits(jax.random.permutation(sk, x), np.float32))
    p = np.array([0.05, 0.2, 0.1, 0.0, 0.3, 0.15, 0.07, 0.13], np.float32)
    for replace in (True, False):
        sk = next(ks)
        v = jax.random.choice(sk, 10, (6,), replace=replace)
        emit("choice", [("key", key_words(sk)), ("n", "10"), ("draws", "6"), ("replace", str(int(replace)))], ints(v))
        sk = next(ks)
        m = n if replace else 5
        v = jax.random.choice(sk, 8, (m,), replace=replace, p=jnp.asarray(p))
        emit("choice_p", [("key", key_words(sk)), ("n", "8"), ("draws", str(m)), ("replace", str(int(replace))),
                          ("p", ",".join(hexbits(p, np.float32)))], ints(v))
    logits = (np.arange(35, dtype=np.float32).reshape(5, 7) % 6) * np.float32(0.37) - np.float32(1.0)
    for axis in (-1, 0):
        sk = next(ks)
        v = jax.random.categorical(sk, jnp.asarray(logits), axis=axis)
        emit("categorical_f32", [("key", key_words(sk)), ("rows", "5"), ("cols", "7"), ("axis", str(axis)),
                                 ("logits", ",".join(hexbits(logits, np.float32)))], ints(v))


def main():
    lines.append("# Generated by tests/data/make_jax_reference.py with real JAX; do not edit.")
    lines.append(f"jax_version {jax.__version__}")
    lines.append(f"# backend {jax.default_backend()} on {platform.machine()}, numpy {np.__version__}")
    lines.append("# section x32: jax default mode (jax_enable_x64=False)")
    keys_section([0, 42, 1234567, 2**31 - 1])
    for seed in (0, 42, 1234567):
        k = jax.random.key(seed)
        float_samplers(jax.random.fold_in(k, 1), np.float32, 32)
        discrete_samplers(jax.random.fold_in(k, 2), 32)

    jax.config.update("jax_enable_x64", True)
    lines.append("# section x64: jax_enable_x64=True (64-bit dtypes, seeds >= 2^31)")
    big = [2**31, 2**32 + 1, 2**40 + 3, 0x7FFFFFFFFFFFFFFF, np.uint64(0xDEADBEEFCAFEF00D)]
    keys_section(big)
    for seed in (42, 2**40 + 3, np.uint64(0xDEADBEEFCAFEF00D)):
        k = jax.random.key(seed)
        ks = iter(jax.random.split(k, 16))
        float_samplers(next(ks), np.float64, 32)
        float_samplers(next(ks), np.float32, 32)  # f32 under x64 must not change
        sk = next(ks)
        emit("bits_u64", [("key", key_words(sk))],
             [f"{int(v):016x}" for v in np.asarray(jax.random.bits(sk, (32,), jnp.uint64))])
        for lo, hi in ((0, 10), (-2**62, 2**62), (-5, 2**40 + 3), (-2**63, 2**63 - 1), (3, 3)):
            sk = next(ks)
            v = jax.random.randint(sk, (32,), lo, hi, jnp.int64)
            emit("randint_i64", [("key", key_words(sk)), ("minval", str(lo)), ("maxval", str(hi))], ints(v))
        # int32 with an int64 maxval above the int32 range: jax widens the span by one.
        for lo, hi in ((0, 2**31), (-2**31, 2**31), (-7, 2**33)):
            sk = next(ks)
            v = jax.random.randint(sk, (32,), lo, hi, jnp.int32)
            emit("randint_i32", [("key", key_words(sk)), ("minval", str(lo)), ("maxval", str(hi))], ints(v))
        logits = np.linspace(-2.0, 1.5, 24).reshape(4, 6)
        sk = next(ks)
        v = jax.random.categorical(sk, jnp.asarray(logits), axis=-1)
        emit("categorical_f64", [("key", key_words(sk)), ("rows", "4"), ("cols", "6"), ("axis", "-1"),
                                 ("logits", ",".join(hexbits(logits, np.float64)))], ints(v))

    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} lines to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
