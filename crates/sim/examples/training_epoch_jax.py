"""The anchor of `training_epoch`: the same epoch in JAX (jit-compiled Adam step).

Same network (d-A-B, no biases, scalar readout, Glorot-uniform), mean-squared loss,
Adam(1e-3, 0.9, 0.999, 1e-8), shuffled mini-batches, Gaussian inputs, labels tanh(x_0).
The first (compiling) epoch is not timed; the next `--repeats` epochs are, one by one.

    python training_epoch_jax.py [--samples N] [--widths A,B] [--batch B]
        [--activation tanh|relu] [--d D] [--precision f32|f64] [--repeats R] [--epochs E]

One core: `taskset -c 0 python ... ` (XLA then runs its thread pool on one CPU), as for
`training_epoch --seq` under `taskset -c 0`.
"""
import argparse
import time

import jax

parser = argparse.ArgumentParser()
parser.add_argument("--samples", type=int, default=40_000)
parser.add_argument("--widths", default="1500,1400")
parser.add_argument("--batch", type=int, default=256)
parser.add_argument("--activation", default="tanh", choices=["tanh", "relu"])
parser.add_argument("--d", type=int, default=784)
parser.add_argument("--precision", default="f32", choices=["f32", "f64"])
parser.add_argument("--repeats", type=int, default=2)
parser.add_argument("--epochs", type=int, default=1, help="epochs per timed repeat")
args = parser.parse_args()
if args.precision == "f64":
    jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

dtype = jnp.float32 if args.precision == "f32" else jnp.float64
act = jnp.tanh if args.activation == "tanh" else jax.nn.relu
widths = [int(w) for w in args.widths.split(",")]
key = jax.random.PRNGKey(1)
k_x, k_init, k_perm = jax.random.split(key, 3)
x = jax.random.normal(k_x, (args.samples, args.d), dtype)
y = jnp.tanh(x[:, 0])
init = jax.nn.initializers.glorot_uniform()
shapes = [(args.d, widths[0]), (widths[0], widths[1]), (widths[1], 1)]
params = [init(k, s, dtype) for k, s in zip(jax.random.split(k_init, 3), shapes)]


def loss(params, xb, yb):
    h = act(xb @ params[0])
    h = act(h @ params[1])
    return jnp.mean(((h @ params[2])[:, 0] - yb) ** 2)


b1, b2, eps, lr = 0.9, 0.999, 1e-8, 1e-3


@jax.jit
def step(params, m, v, t, xb, yb):
    value, grads = jax.value_and_grad(loss)(params, xb, yb)
    m = [b1 * mi + (1 - b1) * g for mi, g in zip(m, grads)]
    v = [b2 * vi + (1 - b2) * g * g for vi, g in zip(v, grads)]
    c1, c2 = 1 - b1**t, 1 - b2**t
    params = [p - lr * (mi / c1) / (jnp.sqrt(vi / c2) + eps) for p, mi, vi in zip(params, m, v)]
    return params, m, v, value


def epoch(params, m, v, t, perm):
    total = 0.0
    for start in range(0, args.samples, args.batch):
        idx = perm[start : start + args.batch]
        t += 1
        params, m, v, value = step(params, m, v, t, x[idx], y[idx])
        total += value
    return params, m, v, t, total


m = [jnp.zeros_like(p) for p in params]
v = [jnp.zeros_like(p) for p in params]
t = 0
perm = jax.random.permutation(k_perm, args.samples)
params, m, v, t, total = epoch(params, m, v, t, perm)  # compiles (every batch shape)
jax.block_until_ready(params)
times = []
for r in range(args.repeats):
    perm = jax.random.permutation(jax.random.fold_in(k_perm, r + 1), args.samples)
    start = time.perf_counter()
    for _ in range(args.epochs):
        params, m, v, t, total = epoch(params, m, v, t, perm)
    jax.block_until_ready(params)
    times.append(time.perf_counter() - start)
print(
    f"jax {jax.__version__} {args.precision}: {args.epochs} epoch(s) of {args.samples} samples, "
    f"batch {args.batch}: "
    + ", ".join(f"{s:.2f} s" for s in times)
)
