"""The paper's Figure 1 theory curves from Python (v1, SPEC §6.1).

Learner tanh(W₃ tanh(W₁ tanh(W₁ x))) with structured first layers
W₁ = ½ Z₁ diag(k^{-γ})^{1/2} + ½ W*, target tanh(W* x), x ~ 𝒩(0, I_d); ridge with
λ = 1e-4 (paper units); test error against α = n/d for γ ∈ {0, 0.2, 0.5, 0.8}.

    python examples/python/figure1.py [d]        # d = 1000 as in the paper (≈ 10 s)

Plots with matplotlib when it is installed (figure1.png), prints a table otherwise.
"""

import json
import pathlib
import sys

import numpy as np

import dsrf

HERE = pathlib.Path(__file__).resolve().parent


def figure1_spec(d: int, gamma: float, seed: int = 2024) -> dict:
    """The network of examples/fig1_rainbow.json at input dimension d and decay γ."""
    spec = json.loads((HERE.parent / "fig1_rainbow_d200.json").read_text())
    text = json.dumps(spec).replace('"dim": 200', f'"dim": {d}').replace('"rows": 200', f'"rows": {d}')
    text = text.replace('"cols": 200', f'"cols": {d}').replace('"identity": 200', f'"identity": {d}')
    spec = json.loads(text)
    spec["seed"] = seed
    spec["matrices"][1]["value"]["sum"][0]["matrix"]["rainbow"]["covariance"]["power_law"]["exponent"] = gamma
    return spec


def curves(d: int, alphas: np.ndarray):
    out = {}
    for gamma in (0.0, 0.2, 0.5, 0.8):
        problem = dsrf.Network.from_dict(figure1_spec(d, gamma)).problem(variance="averaged")
        out[gamma] = problem.learning_curve(alphas * d, [1e-4], units="paper").test_error
    return out


def main():
    d = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    alphas = np.linspace(0.1, 2.0, 60)
    result = curves(d, alphas)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("alpha," + ",".join(f"gamma={g}" for g in result))
        for i, a in enumerate(alphas):
            print(f"{a:.3f}," + ",".join(f"{result[g][i]:.6f}" for g in result))
        return
    for gamma, error in result.items():
        plt.plot(alphas, error, label=f"γ = {gamma}")
    plt.xlabel("α = n/d")
    plt.ylabel("test error")
    plt.yscale("log")
    plt.legend()
    plt.title(f"Figure 1 theory (d = {d}, λ = 1e-4)")
    plt.savefig("figure1.png", dpi=120)
    print("wrote figure1.png")


if __name__ == "__main__":
    main()
