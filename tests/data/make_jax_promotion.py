#!/usr/bin/env python3
"""Writes jax_promotion.txt: JAX's type promotion (jax_enable_x64 on) for pure's dtypes.

Run from anywhere (needs jax and numpy):  python3 tests/data/make_jax_promotion.py
Read by tests/ops/test_promotion.cpp. One record per line ('#' starts a comment):

    promote <a> <b> : <jnp.promote_types(a, b)>
    weak_int <a> : <dtype of jnp.zeros(3, a) + 1>        (a Python int: weakly typed)
    weak_float <a> : <dtype of jnp.zeros(3, a) + 1.0>    (a Python float: weakly typed)
    inexact <a> : <dtype of jnp.sqrt(jnp.zeros(3, a))>   (what float functions and
                                                          true division compute integers in)
    op <name> <a> <b> : <dtype of the jax.numpy function applied to arrays of a and b>
    scalar <expr> <a> : <dtype of expr with x = jnp.zeros(3, a)>   (expr as in SCALAR_EXPRS)

"error" stands for a TypeError from jax.

Dtypes are numpy names (bool, int32, uint32, int64, uint64, float32, float64).
"""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jax_promotion.txt")
DTYPES = ["bool", "int32", "uint32", "int64", "uint64", "float32", "float64"]


def name(d):
    return np.dtype(d).name


def arr(d):
    return jnp.zeros((3,), d)


# The numpy-surface functions whose result dtype the C++ test also checks.
OPS = {
    "add": jnp.add,
    "subtract": jnp.subtract,
    "multiply": jnp.multiply,
    "maximum": jnp.maximum,
    "minimum": jnp.minimum,
    "divide": jnp.divide,
    "where": lambda a, b: jnp.where(jnp.ones((3,), bool), a, b),
    "concatenate": lambda a, b: jnp.concatenate([a, b]),
    "less": jnp.less,
    "equal": jnp.equal,
}

# Operators with Python scalars (C++ scalars in pure); names are the C++ test's.
SCALAR_EXPRS = {
    "x+1": lambda x: x + 1,
    "x+1.0": lambda x: x + 1.0,
    "1-x": lambda x: 1 - x,
    "1.0-x": lambda x: 1.0 - x,
    "x*2": lambda x: x * 2,
    "2.0*x": lambda x: 2.0 * x,
    "x/2": lambda x: x / 2,
    "2.0/x": lambda x: 2.0 / x,
    "clip(x,0,2)": lambda x: jnp.clip(x, 0, 2),
    "clip(x,0.5,2.5)": lambda x: jnp.clip(x, 0.5, 2.5),
}


def result(f, *args):
    try:
        return name(f(*args).dtype)
    except TypeError:
        return "error"


lines = [f"# written by make_jax_promotion.py with jax {jax.__version__}, jax_enable_x64 on"]
for a in DTYPES:
    for b in DTYPES:
        lines.append(f"promote {a} {b} : {name(jnp.promote_types(a, b))}")
for a in DTYPES:
    lines.append(f"weak_int {a} : {name((arr(a) + 1).dtype)}")
    lines.append(f"weak_float {a} : {name((arr(a) + 1.0).dtype)}")
    lines.append(f"inexact {a} : {name(jnp.sqrt(arr(a)).dtype)}")
for op, f in OPS.items():
    for a in DTYPES:
        for b in DTYPES:
            lines.append(f"op {op} {a} {b} : {result(f, arr(a), arr(b))}")
for expr, f in SCALAR_EXPRS.items():
    for a in DTYPES:
        lines.append(f"scalar {expr} {a} : {result(f, arr(a))}")

with open(OUT, "w") as fh:
    fh.write("\n".join(lines) + "\n")
print(f"wrote {len(lines)} lines to {OUT}")
