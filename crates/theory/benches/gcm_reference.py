"""GCMProject's algorithm for the logistic GCM equations, re-implemented with numpy/scipy
as the speed anchor of `benches/gcm.rs` (same spectrum, λ_c = 0.1, sign labels).

Like GCMProject (Loureiro et al. 2021): the loss-side expectations by `scipy.integrate.quad`
over ξ, the proximal map by `scipy.optimize.minimize_scalar` at every quadrature node,
a damped plain iteration (damping 0.5) to an absolute tolerance 1e-8 on (V, q, m).

    pip install numpy scipy
    python3 crates/theory/benches/gcm_reference.py [points]

Prints the time per learning-curve point and the classification errors, to be read
beside `cargo bench -p dsrf-theory --bench gcm` (50 points) and `dsrf curve --loss`.
"""
import sys
import time

import numpy as np
from scipy.integrate import quad
from scipy.optimize import minimize_scalar
from scipy.special import erfc

P = 1000
LAMBDA = 0.1
omega = np.arange(1, P + 1, dtype=float) ** -0.8
a = np.where(np.arange(P) % 3 == 1, -1.0, 1.0) * omega**0.6 * 2.0 / np.sqrt(P)
rho = float(np.sum(a * a / omega) + 0.1)


def prox(y, w, v):
    res = minimize_scalar(lambda z: np.log1p(np.exp(-y * z)) + (z - w) ** 2 / (2 * v))
    return res.x


def channel(vv, q, m, n):
    sq = np.sqrt(q)
    cond = max(rho - m * m / q, 1e-300)

    def parts(xi):
        w = sq * xi
        mu = m / sq * xi
        out = np.zeros(3)
        for y in (1.0, -1.0):
            z = 0.5 * erfc(-y * mu / np.sqrt(2 * cond))
            dz = y * np.exp(-mu * mu / (2 * cond)) / np.sqrt(2 * np.pi * cond)
            h = prox(y, w, vv)
            f = (h - w) / vv
            c = 1.0 / (1.0 + np.exp(y * h)) * 1.0 / (1.0 + np.exp(-y * h))
            out += [z * c / (1 + vv * c), z * f * f, dz * f]
        return out * np.exp(-xi * xi / 2) / np.sqrt(2 * np.pi)

    return [n * quad(lambda x, k=k: parts(x)[k], -10, 10)[0] for k in range(3)]


def prior(vh, qh, mh):
    d = 1.0 / (LAMBDA + vh * omega)
    return (
        float(np.sum(omega * d)),
        float(np.sum((qh * omega + mh * mh * a * a) * omega * d * d)),
        float(mh * np.sum(a * a * d)),
    )


def point(n, damping=0.5, tol=1e-8, max_iter=10_000):
    vv, q, m = 1.0, 0.01 * rho, 0.0
    hats = channel(vv, q, m, n) if m != 0 else [n / 2, n / 2 * rho, n / 2 / np.sqrt(rho)]
    for it in range(max_iter):
        new = prior(*hats)
        diff = max(abs(new[0] - vv), abs(new[1] - q), abs(new[2] - m))
        vv, q, m = new
        if diff < tol:
            return np.arccos(m / np.sqrt(q * rho)) / np.pi, it
        target = channel(vv, q, m, n)
        hats = [(1 - damping) * h + damping * t for h, t in zip(hats, target)]
    raise RuntimeError("no convergence")


if __name__ == "__main__":
    points = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    ns = 0.1 * P * 30 ** (np.arange(50) / 49)
    picks = np.linspace(0, 49, points).round().astype(int)
    total = 0.0
    for k in picks:
        t = time.perf_counter()
        err, iterations = point(ns[k])
        dt = time.perf_counter() - t
        total += dt
        print(f"n = {ns[k]:.1f}: classification error {err:.8f} ({iterations} iterations, {dt:.2f} s)")
    print(f"GCMProject-style: {total / points:.2f} s per point ({points} points)")
