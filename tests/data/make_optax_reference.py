#!/usr/bin/env python3
"""Writes tests/data/optax/*.txt: what real Optax (PyPI) computes, for pure::optim's tests.

    python3 -m venv /tmp/venv-optax && /tmp/venv-optax/bin/pip install optax jax numpy
    /tmp/venv-optax/bin/python tests/data/make_optax_reference.py

JAX runs on the CPU with 64-bit types on (pure's promotion rules are JAX's x64
rules), eagerly (no jax.jit around the update). Each optimizer runs twice, in
two processes:

- mode "xla": Optax as users run it. XLA's algebraic simplifier rewrites some
  of Optax's operations (x / broadcast(d) becomes x * broadcast(1 / d), for
  float32 always and for float64 depending on the tree), and XLA:CPU computes
  lax.rsqrt as a hardware estimate refined by one Newton step (up to 2 ulp
  from 1/sqrt, and CPU-dependent).
- mode "literal": the same Optax code with those rewrites off
  (XLA_FLAGS=--xla_disable_hlo_passes=algsimp) and lax.rsqrt(x) computed as
  1 / sqrt(x): Optax's formulas evaluated operation by operation with IEEE
  arithmetic, which is what pure::optim computes.

Values are hex floats (float.hex(), trailing zeros dropped), read back exactly.

updates_<mode>.txt: per case, the initial params {'w': (2, 3), 'b': (3,)} and
the gradients of each step (float64; the float32 runs round them), then per
dtype the updates Optax returned at each step (params move by
optax.apply_updates between steps) and the final params:
    case <name> : <steps>
    params <name> <leaf> : values...
    grads <name> <step> <leaf> : values...
    updates <name> <dtype> <step> <leaf> : values...
    final <name> <dtype> <leaf> : values...
schedules.txt: each schedule's dtype and value at counts 0..20:
    schedule <name> <dtype> : values...
"""

import contextlib
import os
import re
import subprocess
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

STEPS = 6
LEAVES = (("w", (2, 3)), ("b", (3,)))
LITERAL_XLA_FLAGS = "--xla_disable_hlo_passes=algsimp"


def hexes(a):
    # float.hex() pads the mantissa to 13 digits; float32 values need 6 of them.
    return " ".join(re.sub(r"\.?0+p", "p", float(x).hex()) for x in np.asarray(a, dtype=np.float64).ravel())


@contextlib.contextmanager
def rsqrt_as_one_over_sqrt(on):
    saved = jax.lax.rsqrt
    if on:
        jax.lax.rsqrt = lambda x: 1 / jnp.sqrt(x)
    try:
        yield
    finally:
        jax.lax.rsqrt = saved


def warmup_cosine():
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0, peak_value=0.05, warmup_steps=2, decay_steps=5, end_value=0.005)


# name -> (optimizer, gradient scale). Gradients of scale 3 make the global
# norm cross the clipping threshold of 3 in some steps and not in others.
def cases():
    decay_w_only = lambda params: {"w": True, "b": False}  # noqa: E731
    return {
        "sgd": (optax.sgd(0.1), 1.0),
        "sgd_momentum": (optax.sgd(0.1, momentum=0.9), 1.0),
        "sgd_nesterov": (optax.sgd(0.1, momentum=0.9, nesterov=True), 1.0),
        "adam": (optax.adam(0.01), 1.0),
        "adam_options": (optax.adam(0.02, b1=0.8, b2=0.99, eps=1e-6, eps_root=1e-8), 1.0),
        "nadam": (optax.adam(0.01, nesterov=True), 1.0),
        "adamw": (optax.adamw(0.01, weight_decay=0.1), 1.0),
        "adamw_masked": (optax.adamw(0.01, weight_decay=0.1, mask=decay_w_only), 1.0),
        "adamw_decay_schedules": (
            optax.adamw(optax.cosine_decay_schedule(0.02, 5), weight_decay=optax.exponential_decay(0.2, 2, 0.5)),
            1.0),
        "rmsprop": (optax.rmsprop(0.01), 1.0),
        "rmsprop_centered_momentum": (optax.rmsprop(0.01, centered=True, momentum=0.9), 1.0),
        "rmsprop_bias_correction": (optax.rmsprop(0.01, bias_correction=True, eps_in_sqrt=False), 1.0),
        "adagrad": (optax.adagrad(0.1), 1.0),
        "lion": (optax.lion(0.001, weight_decay=0.01), 1.0),
        "clip_adam_warmup_cosine": (
            optax.chain(optax.clip_by_global_norm(3.0), optax.adam(warmup_cosine())), 1.2),
        "sgd_exponential_decay": (
            optax.sgd(optax.exponential_decay(0.1, transition_steps=3, decay_rate=0.5)), 1.0),
        "sgd_exponential_staircase": (
            optax.sgd(optax.exponential_decay(0.1, 2, 0.7, transition_begin=1, staircase=True, end_value=0.03)),
            1.0),
        "sgd_piecewise_constant": (
            optax.sgd(optax.piecewise_constant_schedule(0.1, {2: 0.5, 4: 0.1}), momentum=0.5), 1.0),
    }


def write_updates(out, literal):
    rng = np.random.default_rng(20261206)
    for name, (opt, gscale) in cases().items():
        params64 = {k: rng.standard_normal(s) for k, s in LEAVES}
        grads64 = [{k: gscale * rng.standard_normal(s) for k, s in LEAVES} for _ in range(STEPS)]
        out.write(f"case {name} : {STEPS}\n")
        for k, _ in LEAVES:
            out.write(f"params {name} {k} : {hexes(params64[k])}\n")
        for step in range(STEPS):
            for k, _ in LEAVES:
                out.write(f"grads {name} {step} {k} : {hexes(grads64[step][k])}\n")
        for dtype in ("float32", "float64"):
            params = {k: jnp.asarray(v, dtype=dtype) for k, v in params64.items()}
            state = opt.init(params)
            for step in range(STEPS):
                grads = {k: jnp.asarray(v, dtype=dtype) for k, v in grads64[step].items()}
                with rsqrt_as_one_over_sqrt(literal):
                    updates, state = opt.update(grads, state, params)
                params = optax.apply_updates(params, updates)
                for k, _ in LEAVES:
                    assert updates[k].dtype == jnp.dtype(dtype), (name, updates[k].dtype)
                    out.write(f"updates {name} {dtype} {step} {k} : {hexes(updates[k])}\n")
            for k, _ in LEAVES:
                out.write(f"final {name} {dtype} {k} : {hexes(params[k])}\n")


def write_schedules(out):
    schedules = {
        "constant": optax.constant_schedule(0.3),
        "linear": optax.linear_schedule(0.1, 0.01, transition_steps=7, transition_begin=2),
        "exponential_decay": optax.exponential_decay(0.1, transition_steps=3, decay_rate=0.5),
        "exponential_staircase_end": optax.exponential_decay(
            0.1, 2, 0.7, transition_begin=1, staircase=True, end_value=0.03),
        "exponential_growth_end": optax.exponential_decay(0.01, 4, 1.5, end_value=0.04),
        "piecewise_constant": optax.piecewise_constant_schedule(0.1, {2: 0.5, 5: 0.1, 9: 3.0}),
        "cosine_decay": optax.cosine_decay_schedule(0.2, decay_steps=12, alpha=0.1),
        "warmup_cosine_decay": optax.warmup_cosine_decay_schedule(0.0, 0.05, 3, 7, 0.005),
        "warmup_cosine_decay_no_warmup": optax.warmup_cosine_decay_schedule(0.0, 0.5, 0, 10, 0.05),
    }
    for name, schedule in schedules.items():
        values = [jnp.asarray(schedule(jnp.asarray(c, dtype=jnp.int32))) for c in range(21)]
        dtype = str(values[0].dtype)
        assert all(str(v.dtype) == dtype for v in values), name
        out.write(f"schedule {name} {dtype} : {hexes(jnp.stack(values))}\n")


def header(mode):
    return (f"# Written by tests/data/make_optax_reference.py ({mode}) with optax {optax.__version__}, "
            f"jax {jax.__version__}, numpy {np.__version__} (x64 on, CPU, eager).\n")


def main():
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "optax")
    os.makedirs(folder, exist_ok=True)
    if len(sys.argv) > 1:
        mode = sys.argv[1]
        with open(os.path.join(folder, f"updates_{mode}.txt"), "w") as out:
            out.write(header(f"mode {mode}, XLA_FLAGS='{os.environ.get('XLA_FLAGS', '')}'"))
            write_updates(out, literal=mode == "literal")
        return 0
    # XLA reads its flags once per process, so each mode runs in its own.
    for mode, flags in (("xla", ""), ("literal", LITERAL_XLA_FLAGS)):
        subprocess.run([sys.executable, os.path.abspath(__file__), mode], check=True,
                       env=dict(os.environ, XLA_FLAGS=flags))
    with open(os.path.join(folder, "schedules.txt"), "w") as out:
        out.write(header("schedules"))
        write_schedules(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
