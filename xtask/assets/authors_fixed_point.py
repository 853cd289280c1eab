"""Reference timing of the authors' algorithm for the deterministic equivalent.

Re-implements, from its description, the computation that the authors' code performs
for a learning curve from eigenvalues: for every (lambda_c, n) the plain fixed-point
iteration m_c <- 1 / (lambda_c + sum_i w_i / (n m_c w_i + 1)), stopped when the absolute
change is below 1e-8 and warm-started from the previous n on the same curve (the most
favourable reading of its cache), followed by the code-units test-error formula

    E = (sigma^2 - n lambda_c m_c psi^T (M + lambda_c M^2) psi)
        / (1 - n (m_c lambda_c)^2 Tr(Omega M Omega M)),   M = diag(1 / (n lambda_c m_c w + lambda_c)).

Usage: python3 authors_fixed_point.py PROBLEM.json  -> prints one JSON object
{"seconds": <compute time, excluding start-up and imports>, "iterations": <total>,
 "test_error": [[...per n...] per lambda]}.
The problem file is a `dsrf curve` code-form file with Omega given by eigenvalues.
"""

import json
import sys
import time

import numpy as np


def test_errors(w, psi2, sigma2, lambdas, ns):
    """The test errors [per lambda][per n] and the total number of iterations, from the
    eigenvalues w of Omega and the squared projections psi2 of psi on its eigenvectors
    (also used by bindings/python/bench/bench_curve.py)."""
    iterations = 0
    curves = []
    for lam in lambdas:
        m = 1.0
        curve = []
        for n in ns:
            while True:
                iterations += 1
                new = 1.0 / (lam + np.sum(w / (n * m * w + 1.0)))
                done = abs(new - m) < 1e-8
                m = new
                if done:
                    break
            big_m = 1.0 / (n * lam * m * w + lam)
            numerator = sigma2 - n * lam * m * np.sum(psi2 * (big_m + lam * big_m**2))
            denominator = 1.0 - n * (m * lam) ** 2 * np.sum(w**2 * big_m**2)
            curve.append(float(numerator / denominator))
        curves.append(curve)
    return curves, iterations


def main(path):
    with open(path) as handle:
        problem = json.load(handle)
    w = np.asarray(problem["omega"]["eigenvalues"], dtype=np.float64)
    psi2 = np.asarray(problem["psi"], dtype=np.float64) ** 2
    sigma2 = float(problem["label_second_moment"])
    lambdas = [float(x) for x in problem["lambdas"]]
    ns = [float(x) for x in problem["ns"]]

    start = time.perf_counter()
    curves, iterations = test_errors(w, psi2, sigma2, lambdas, ns)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "iterations": iterations, "test_error": curves}))


if __name__ == "__main__":
    main(sys.argv[1])
