#!/usr/bin/env python3
"""Writes jax_derivatives.txt: JAX's derivatives at non-differentiable and singular points.

Run from anywhere (needs jax and numpy):  python3 tests/data/make_jax_derivatives.py
Read by tests/transforms/test_jax_derivatives.cpp, which evaluates the function
of the same name with pure. Every case is a function f(x, y) of two scalars
(unary cases ignore y), float64 and float32. One record per line ('#' starts a
comment):

    <case> dtype=<f64|f32> x=<hex> y=<hex> smooth=<0|1> : f jvp_x jvp_y grad_x grad_y gg_xx gg_xy gg_yx gg_yy

jvp_x, jvp_y: forward mode (jax.jvp) with tangent (1, 0) and (0, 1);
grad_x, grad_y: reverse mode (jax.grad); gg_ij: d/dj of grad_i, reverse over
reverse (jax.grad of jax.grad), as pure's test computes it. Forward and reverse
mode can differ at singular points (0 * inf in a transpose), so both are kept.
smooth=1 marks a point where f is smooth (the points of the table that are not
singular, for comparison): there pure's derivatives are also checked against
central differences. Floats are the 16 hex digits of their IEEE float64 bit
pattern (16 digits for float64, 8 for float32).
"""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp
import numpy as np
from jax import lax

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jax_derivatives.txt")
INF, NAN = float("inf"), float("nan")


class S(tuple):
    """A point where f is smooth: S((x, y)) or S((x,))."""


def pair(x, y):
    return jnp.stack([x, y])


# name -> (f, points). Unary cases list x only (y = 0).
CASES = {
    "abs": (lambda x, y: jnp.abs(x), [0.0, -0.0, S((2.0,)), S((-2.0,))]),
    "sign": (lambda x, y: jnp.sign(x), [0.0, S((1.5,))]),
    "floor": (lambda x, y: jnp.floor(x), [2.0, S((2.5,))]),
    "maximum": (jnp.maximum, [(1.0, 1.0), (0.0, -0.0), S((2.0, 1.0)), (NAN, 1.0), (1.0, NAN)]),
    "minimum": (jnp.minimum, [(1.0, 1.0), (0.0, -0.0), S((2.0, 1.0)), (NAN, 1.0)]),
    "max_reduce": (lambda x, y: jnp.max(pair(x, y)), [(1.0, 1.0), S((1.0, 2.0))]),
    "min_reduce": (lambda x, y: jnp.min(pair(x, y)), [(1.0, 1.0), S((1.0, 2.0))]),
    "power": (jnp.power, [(0.0, 2.0), (0.0, 0.5), (0.0, 0.0), (0.0, 1.0), (0.0, -1.0), (0.0, 3.0),
                          (0.0, 1.5), S((2.0, 0.0)), (-2.0, 2.0), S((2.0, 3.0))]),
    "sqrt": (lambda x, y: jnp.sqrt(x), [0.0, S((4.0,))]),
    "rsqrt": (lambda x, y: lax.rsqrt(x), [0.0, S((4.0,))]),
    "log": (lambda x, y: jnp.log(x), [0.0, S((1.0,)), -1.0]),
    "log1p": (lambda x, y: jnp.log1p(x), [-1.0, S((0.0,))]),
    "where_sqrt": (lambda x, y: jnp.where(x > 0, jnp.sqrt(x), 0.0), [0.0, -1.0, S((4.0,))]),
    "where_sqrt_safe": (lambda x, y: jnp.where(x > 0, jnp.sqrt(jnp.where(x > 0, x, 1.0)), 0.0), [0.0, S((-1.0,)), S((4.0,))]),
    "select_xy": (lambda x, y: jnp.where(x > y, x, y), [(1.0, 1.0), S((2.0, 1.0))]),
    "integer_pow0": (lambda x, y: lax.integer_pow(x, 0), [S((0.0,)), S((2.0,))]),
    "integer_pow1": (lambda x, y: lax.integer_pow(x, 1), [S((0.0,)), S((2.0,))]),
    "integer_pow2": (lambda x, y: lax.integer_pow(x, 2), [S((0.0,)), S((2.0,))]),
    "integer_pow3": (lambda x, y: lax.integer_pow(x, 3), [S((0.0,)), S((2.0,))]),
    "integer_pow_neg1": (lambda x, y: lax.integer_pow(x, -1), [0.0, S((2.0,))]),
    "integer_pow_neg2": (lambda x, y: lax.integer_pow(x, -2), [0.0, S((2.0,))]),
    "clip": (lambda x, y: jnp.clip(x, -1.0, 1.0), [-1.0, 1.0, S((0.0,)), S((2.0,))]),
    "arctan2": (jnp.arctan2, [(0.0, 0.0), S((1.0, 0.0)), S((0.0, 1.0)), (0.0, -1.0)]),
    "logsumexp": (lambda x, y: jax.nn.logsumexp(pair(x, y)), [(1.0, -INF), (-INF, -INF), S((1.0, 1.0)), (INF, 1.0)]),
    "softmax0": (lambda x, y: jax.nn.softmax(pair(x, y))[0], [(1.0, -INF), (-INF, -INF), S((1.0, 1.0)), (-INF, 1.0)]),
    "tanh": (lambda x, y: jnp.tanh(x), [S((0.0,)), S((0.5,)), 20.0, 400.0, -400.0]),
    "sigmoid": (lambda x, y: jax.nn.sigmoid(x), [S((0.0,)), 40.0, 800.0, -800.0]),
    "exp": (lambda x, y: jnp.exp(x), [800.0, -800.0, S((1.0,))]),
    "divide": (jnp.divide, [(1.0, 0.0), (0.0, 0.0), (-1.0, 0.0), S((1.0, 2.0))]),
    "erf": (lambda x, y: jax.scipy.special.erf(x), [S((0.0,)), 30.0]),
}


def hexbits(v, dtype):
    a = np.asarray(v)
    assert a.dtype == dtype, (a.dtype, dtype)
    if dtype == np.float32:
        return f"{a.reshape(()).view(np.uint32):08x}"
    return f"{a.reshape(()).view(np.uint64):016x}"


def record(name, f, x, y, smooth, dtype):
    x, y = dtype(x), dtype(y)
    one, zero = dtype(1), dtype(0)
    value = f(x, y)
    jx = jax.jvp(f, (x, y), (one, zero))[1]
    jy = jax.jvp(f, (x, y), (zero, one))[1]
    gx, gy = jax.grad(f, argnums=(0, 1))(x, y)
    gxx, gxy = jax.grad(lambda a, b: jax.grad(f, argnums=0)(a, b), argnums=(0, 1))(x, y)
    gyx, gyy = jax.grad(lambda a, b: jax.grad(f, argnums=1)(a, b), argnums=(0, 1))(x, y)
    vals = [value, jx, jy, gx, gy, gxx, gxy, gyx, gyy]
    tag = "f32" if dtype == np.float32 else "f64"
    head = f"{name} dtype={tag} x={hexbits(x, dtype)} y={hexbits(y, dtype)} smooth={int(smooth)}"
    return head + " : " + " ".join(hexbits(v, dtype) for v in vals)


lines = [f"# written by make_jax_derivatives.py with jax {jax.__version__} (CPU), jax_enable_x64 on"]
for dtype in (np.float64, np.float32):
    for name, (f, points) in CASES.items():
        for p in points:
            x, y = (tuple(p) + (0.0,))[:2] if isinstance(p, tuple) else (p, 0.0)
            lines.append(f"# {name}({x!r}, {y!r}) {np.dtype(dtype).name}")
            lines.append(record(name, f, x, y, isinstance(p, S), dtype))

with open(OUT, "w") as fh:
    fh.write("\n".join(lines) + "\n")
print(f"wrote {len(lines)} lines to {OUT}")
