"""dsrf from Python against the authors' algorithm on the same input, side by side in
one run (the machine is noisy: compare the ratio, not the seconds).

Input: a p = 2000 full-matrix Ω (a Wishart matrix), ψ = Ωβ, E y² = βᵀΩβ + 0.1, and a
200 n × 4 λ grid (code units). The authors' route (their regression.py, SPEC §3.6):
`np.linalg.eigh(Ω)`, then per (λ, n) the plain fixed-point iteration for m_c, started
from the previous n's m_c on the same curve (their cache of the nearest (λ, n)),
stopped at |Δm_c| < 1e-8, then genErrRMT (xtask/assets/authors_fixed_point.py, the
same code `cargo xtask bench-curve` times). dsrf: `Problem.code_form` (its spectral reduction
without eigenvectors) and `learning_curve`, end to end including the Python call.

Also: the per-point overhead of a vectorised `learning_curve` (p = 1, 10⁵ points).

    python bindings/python/bench/bench_curve.py
"""

import time

import numpy as np

import dsrf


def _authors_module():
    """The project's re-implementation of the authors' fixed point (xtask/assets)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[3] / "xtask" / "assets" / "authors_fixed_point.py"
    spec = importlib.util.spec_from_file_location("authors_fixed_point", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


AUTHORS = _authors_module()


def authors(omega, psi, sigma2, ns, lambdas):
    """eigh, then the fixed point and genErrRMT per point."""
    w, u = np.linalg.eigh(omega)
    curves, _ = AUTHORS.test_errors(w, (u.T @ psi) ** 2, sigma2, list(lambdas), list(ns))
    return np.array(curves).ravel()


def best_of(k, f):
    times, value = [], None
    for _ in range(k):
        t = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - t)
    return min(times), value


def main():
    rng = np.random.default_rng(0)
    p = 2000
    g = rng.standard_normal((p, 2 * p)) / np.sqrt(2 * p)
    omega = g @ g.T
    beta = rng.standard_normal(p) / np.sqrt(p)
    psi = omega @ beta
    sigma2 = float(beta @ omega @ beta + 0.1)
    ns = np.unique(np.geomspace(10, 10_000, 200))
    for lambdas in (np.array([0.1, 1.0, 10.0, 100.0]), np.array([1e-3, 1e-2, 0.1, 1.0])):
        compare(omega, psi, sigma2, ns, lambdas)
    small = dsrf.Problem.from_spectrum([1.0], [0.5], 1.0, 0.1)
    many = np.linspace(1, 100, 100_000)
    t_small, _ = best_of(3, lambda: small.learning_curve(many, [0.1], units="code"))
    print(f"per-point cost of a vectorised learning_curve (p = 1): {t_small / len(many) * 1e6:.2f} us")


def compare(omega, psi, sigma2, ns, lambdas):
    p = omega.shape[0]
    t_dsrf, curve = best_of(3, lambda: dsrf.Problem.code_form(omega, psi, sigma2, 0.1)
                            .learning_curve(ns, lambdas, units="code"))
    t_auth, ref = best_of(1, lambda: authors(omega, psi, sigma2, ns, lambdas))
    worst = np.max(np.abs(curve.test_error / ref - 1))
    print(f"p = {p}, {len(ns)} n x lambda_c in {lambdas.tolist()} = {len(ns) * len(lambdas)} points")
    print(f"dsrf (reduction + curve, from Python): {t_dsrf:.3f} s")
    print(f"authors' algorithm (eigh + fixed point): {t_auth:.3f} s")
    print(f"speed-up: {t_auth / t_dsrf:.1f}x; largest relative difference {worst:.1e} (their 1e-8 stopping rule)")

if __name__ == "__main__":
    main()
