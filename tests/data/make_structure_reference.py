"""Prints the real-JAX values that tests/ops/test_numpy_structure.cpp embeds
(slicing, dynamic slices, einsum, linspace, eye, tril, diag, one_hot and a few
gradients). Run: python3 tests/data/make_structure_reference.py"""
import jax
import jax.numpy as jnp
from jax import lax

jax.config.update("jax_enable_x64", True)


def show(name, a):
    a = jnp.asarray(a)
    flat = ", ".join(repr(float(v)) if a.dtype.kind == "f" else str(int(v)) for v in a.ravel())
    print(f"{name}: shape {tuple(a.shape)} dtype {a.dtype}\n  {{{flat}}}")


x = jnp.arange(24.0).reshape(2, 3, 4)
show("x[1:, ::-2, 3]", x[1:, ::-2, 3])
show("x[..., None, -1]", x[..., None, -1])
show("x[-5:10, 2, 1:-1:2]", x[-5:10, 2, 1:-1:2])
show("x[7, -9]", x[7, -9])
show("x[:, 3:0:-1, ::-3]", x[:, 3:0:-1, ::-3])
show("dynamic_slice(x, (1, -1, 3), (1, 2, 2))", lax.dynamic_slice(x, (1, -1, 3), (1, 2, 2)))
show("dynamic_update_slice(arange(6), [-1,-2], (-1,))",
     lax.dynamic_update_slice(jnp.arange(6.0), jnp.array([-1.0, -2.0]), (-1,)))

a = jnp.arange(6.0).reshape(2, 3) / 4 - 0.5
b = jnp.arange(12.0).reshape(3, 4) / 8 - 0.7
c = jnp.arange(8.0).reshape(4, 2) / 3 - 1.0
show("einsum('ij,jk,kl->li', a, b, c)", jnp.einsum("ij,jk,kl->li", a, b, c))
show("einsum('ij,jk', a, b)", jnp.einsum("ij,jk", a, b))

show("linspace(0, 1, 7) f32", jnp.linspace(0.0, 1.0, 7, dtype=jnp.float32))
show("linspace(-1.5, 2.25, 5, endpoint=False) f64", jnp.linspace(-1.5, 2.25, 5, endpoint=False, dtype=jnp.float64))
show("linspace(0, 10, 4, dtype=int32)", jnp.linspace(0, 10, 4, dtype=jnp.int32))
show("eye(3, 4, k=-1)", jnp.eye(3, 4, k=-1))
show("tril(arange(12).reshape(3,4), k=1)", jnp.tril(jnp.arange(12.0).reshape(3, 4), k=1))
show("triu(arange(12).reshape(3,4), k=-1)", jnp.triu(jnp.arange(12.0).reshape(3, 4), k=-1))
show("diag([1,2,3], k=-1)", jnp.diag(jnp.array([1.0, 2.0, 3.0]), k=-1))
show("diag(arange(12).reshape(3,4), k=1)", jnp.diag(jnp.arange(12.0).reshape(3, 4), k=1))
show("one_hot([0,2,-1,5,1], 3)", jax.nn.one_hot(jnp.array([0, 2, -1, 5, 1]), 3))

# Gradients through slicing and einsum.
y = jnp.arange(12.0).reshape(3, 4) / 5 - 1.0
show("grad sum(sin(y[::-2, 1:3]) * [[1,2],[3,4]])",
     jax.grad(lambda y: jnp.sum(jnp.sin(y[::-2, 1:3]) * jnp.array([[1.0, 2.0], [3.0, 4.0]])))(y))
show("grad sum(einsum('ii->i', y[:, :3]) ** 3)", jax.grad(lambda y: jnp.sum(jnp.einsum("ii->i", y[:, :3]) ** 3))(y))
show("grad sum(dynamic_slice(y, (2, 1), (2, 2)) ** 2)",
     jax.grad(lambda y: jnp.sum(lax.dynamic_slice(y, (2, 1), (2, 2)) ** 2))(y))
