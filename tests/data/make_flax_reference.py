"""Writes tests/data/flax_reference.txt: parameters and outputs of real Flax
(linen) modules that tests/nn/test_nn.cpp rebuilds with pure::nn.

Run: python3 -m venv /tmp/venv-flax && /tmp/venv-flax/bin/pip install flax jax
     /tmp/venv-flax/bin/python tests/data/make_flax_reference.py > tests/data/flax_reference.txt

Each record is `<name> <shape> : <values>` with float32 values written so they
read back exactly; inputs are built from arange so the C++ test makes the same.
"""
from typing import Sequence

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


def show(name, a):
    a = np.asarray(a)
    shape = "x".join(str(d) for d in a.shape) if a.ndim else "scalar"
    if a.dtype.kind == "f":
        vals = " ".join(repr(float(v)) for v in a.ravel())
    else:
        vals = " ".join(str(int(v)) for v in a.ravel())
    print(f"{name} {shape} : {vals}")


def show_tree(prefix, tree):
    for path, leaf in jax.tree_util.tree_leaves_with_path(tree):
        show(prefix + "/" + "/".join(p.key for p in path), leaf)


def ramp(shape, scale=0.1, offset=-0.5):
    """arange(n) * scale + offset in float32, the test's `ramp`."""
    n = int(np.prod(shape))
    return (jnp.arange(n, dtype=jnp.float32) * jnp.float32(scale) + jnp.float32(offset)).reshape(shape)


class MLP(nn.Module):
    features: Sequence[int]

    @nn.compact
    def __call__(self, x):
        for i, f in enumerate(self.features):
            x = nn.Dense(f)(x)
            if i + 1 < len(self.features):
                x = nn.tanh(x)
        return x


class Model(nn.Module):  # the seed's example: one Dense
    @nn.compact
    def __call__(self, x):
        return nn.Dense(4)(x)


class DropModel(nn.Module):
    @nn.compact
    def __call__(self, x, deterministic):
        return nn.Dropout(rate=0.5)(x, deterministic=deterministic)


class Nested(nn.Module):  # a module inside a module: the rng suffix grows
    @nn.compact
    def __call__(self, x):
        x = MLP([3, 2])(x)
        return nn.LayerNorm()(x)


print(f"# flax {flax.__version__}, jax {jax.__version__}; see the docstring of make_flax_reference.py")

x = ramp((2, 4))
p = nn.Dense(3).init(jax.random.key(0), x)["params"]
show_tree("dense", p)
show("dense/apply", nn.Dense(3).apply({"params": p}, x))

x = ramp((3, 6), 0.05)
m = MLP([5, 4, 1])
p = m.init(jax.random.key(42), x)["params"]
show_tree("mlp", p)
show("mlp/apply", m.apply({"params": p}, x))

x = ramp((2, 3))
p = Model().init(jax.random.key(1), x)["params"]
show_tree("model", p)

x = ramp((2, 5), 0.3)
p = Nested().init(jax.random.key(5), x)["params"]
show_tree("nested", p)
show("nested/apply", Nested().apply({"params": p}, x))

x = ramp((2, 5), 0.37, -1.0)
ln = nn.LayerNorm()
p = {"scale": ramp((5,), 0.2, 0.5), "bias": ramp((5,), 0.1, -0.2)}
show("layernorm/apply", ln.apply({"params": p}, x))

e = nn.Embed(num_embeddings=10, features=4)
idx = jnp.array([[1, 2], [9, 0]], dtype=jnp.int32)
p = e.init(jax.random.key(7), idx)["params"]
show_tree("embed", p)
show("embed/apply", e.apply({"params": p}, idx))

c2 = nn.Conv(features=3, kernel_size=(3, 3), padding="SAME")
x = ramp((1, 5, 5, 2), 0.02)
p = c2.init(jax.random.key(11), x)["params"]
show_tree("conv2d", p)
show("conv2d/apply", c2.apply({"params": p}, x))

c1 = nn.Conv(features=2, kernel_size=(3,), strides=(2,), padding="VALID")
x = ramp((2, 7, 2), 0.05)
p = c1.init(jax.random.key(12), x)["params"]
show_tree("conv1d", p)
show("conv1d/apply", c1.apply({"params": p}, x))

c3 = nn.Conv(features=2, kernel_size=(2, 3), strides=(2, 1), padding="SAME")
x = ramp((1, 5, 4, 3), 0.03)
p = c3.init(jax.random.key(13), x)["params"]
show("conv2d_strided/apply", c3.apply({"params": p}, x))
show_tree("conv2d_strided", p)

s = nn.Sequential([nn.Dense(4), nn.relu, nn.Dense(2)])
x = ramp((2, 3))
p = s.init(jax.random.key(3), x)["params"]
show_tree("sequential", p)
show("sequential/apply", s.apply({"params": p}, x))

x = ramp((4, 8), 0.01, 0.2)
show("dropout/apply", DropModel().apply({}, x, False, rngs={"dropout": jax.random.key(3)}))

k = jax.random.key(1)
init = nn.initializers
show("init/lecun_normal", init.lecun_normal()(k, (4, 5), jnp.float32))
show("init/glorot_uniform", init.glorot_uniform()(k, (4, 5), jnp.float32))
show("init/he_normal", init.he_normal()(k, (4, 5), jnp.float32))
show("init/normal", init.normal(0.02)(k, (4, 5), jnp.float32))
show("init/lecun_normal_conv", init.lecun_normal()(k, (3, 3, 2, 4), jnp.float32))

x = ramp((2, 6), 0.7, -2.0)
show("act/relu", nn.relu(x))
show("act/gelu", nn.gelu(x))
show("act/gelu_exact", nn.gelu(x, approximate=False))
show("act/silu", nn.silu(x))
show("act/tanh", nn.tanh(x))
show("act/softplus", nn.softplus(x))
show("act/sigmoid", nn.sigmoid(x))
show("act/log_softmax", nn.log_softmax(x))
