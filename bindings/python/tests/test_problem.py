"""Theorem 3.1 from Python against independent routes: the CLI (bit for bit), the
SPEC's test vectors, and a numpy re-implementation of the authors' formula."""

import json

import numpy as np
import pytest

import dsrf
from conftest import run_cli

COLUMNS = ["test_error", "excess_risk", "bias", "variance", "train_error", "m", "kappa",
           "degrees_of_freedom", "denominator"]


def cli_number(x):
    return float("inf") if x == "inf" else float(x)


def problem_of(doc, base):
    """The Problem a problem-file document describes (same fields as docs/curve.md)."""
    def arr(v):
        if isinstance(v, dict) and "npy" in v:
            return np.load(base / v["npy"])
        return np.asarray(v, dtype=float)
    om = doc["omega"]
    omega = arr(om.get("eigenvalues", om.get("matrix", om)))
    noise = doc.get("noise_variance", 0.0)
    if "phi" in doc:
        return dsrf.Problem.paper_form(omega, arr(doc["phi"]), arr(doc["psi_target"]), arr(doc["theta_star"]), noise)
    return dsrf.Problem.code_form(omega, arr(doc["psi"]), doc["label_second_moment"], noise)


@pytest.mark.parametrize("name", ["t1_isotropic.json", "t2_code_form.json", "paper_form.json"])
@pytest.mark.parametrize("units", ["code", "paper"])
def test_bit_identical_to_dsrf_curve(examples, tmp_path, name, units):
    doc = json.loads((examples / name).read_text())
    problem = problem_of(doc, examples)
    # Both unit conventions: convert the file's penalties, then ask the CLI the same.
    p = problem.p
    given = np.asarray(doc["lambdas"], dtype=float)
    file_units = doc.get("units", "code")
    lambdas = given if file_units == units else (given * p if units == "code" else given / p)
    doc = dict(doc, units=units, lambdas=lambdas.tolist())
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    rows = run_cli("curve", "--problem", str(path))
    curve = problem.learning_curve(doc["ns"], lambdas, units=units)
    assert len(rows) == len(curve)
    for i, row in enumerate(rows):
        assert curve.n[i] == row["n"]
        assert curve.units[i] == units
        for c in COLUMNS:
            assert curve[c][i] == cli_number(row[c]), (name, units, i, c)
        assert curve["lambda"][i] == cli_number(row["lambda"])


def test_optimal_lambda_is_bit_identical_to_the_cli(examples):
    doc = json.loads((examples / "t2_code_form.json").read_text())
    problem = problem_of(doc, examples)
    rows = run_cli("curve", "--problem", str(examples / "t2_code_form.json"), "--optimal-lambda")
    best = problem.optimal_lambda(doc["ns"], units=doc["units"])
    for i, row in enumerate(rows):
        assert best.optimum[i] == row["optimum"]
        for c in ["test_error", "lambda", "m"]:
            assert best[c][i] == cli_number(row[c])


def test_network_problem_is_the_cli_network_curve(examples):
    path = examples / "fig1_rainbow_d200.json"
    net = dsrf.Network.from_file(path)
    doc = json.loads(path.read_text())
    rows = run_cli("curve", "--network", str(path))
    curve = net.problem().learning_curve(doc["ns"], doc["lambdas"], units=doc["units"])
    assert [curve.test_error[i] for i in range(len(rows))] == [cli_number(r["test_error"]) for r in rows]


SPEC_T1 = [  # n, λ (paper), m, D, E (paper)
    (100, 1e-3, 1.99204765086, 0.498009936476, 0.748021778304),
    (100, 0.1, 1.48331477355, 0.362669636232, 0.659522483825),
    (200, 1e-3, 31.1267292017, 0.938715414867, 3.84513865073),
    (200, 0.1, 2.70156211872, 0.53267195507, 0.441129886846),
    (400, 1e-3, 500.499002989, 0.49900249203, 0.249006466178),
    (400, 0.1, 5.42214438511, 0.419135240615, 0.192664546473),
]
SPEC_T2 = [
    (2, 1e-3, 5.58479328696, 0.558809702281, 0.841302254518),
    (2, 0.1, 2.87580799808, 0.307970974893, 0.698597984747),
    (2, 1, 0.726556359881, 0.0517281457244, 0.871178209265),
    (4, 1e-3, 58.5215811078, 0.887939427379, 2.06123429761),
    (4, 0.1, 4.16424373377, 0.370984029265, 0.46589122662),
    (4, 1, 0.761314833811, 0.0739913601092, 0.67791499865),
    (8, 1e-3, 501.857585131, 0.496295233194, 0.376487189971),
    (8, 0.1, 6.07731671295, 0.315112537999, 0.293795987915),
    (8, 1, 0.809724056231, 0.0867259664498, 0.474453890952),
]


@pytest.mark.parametrize(
    "problem,vectors",
    [
        (lambda: dsrf.Problem.from_spectrum(np.ones(200), np.full(200, 200 ** -0.5), 1.0, 0.25), SPEC_T1),
        (lambda: dsrf.Problem.from_spectrum([1, 0.5, 0.25, 0.125], [0.8, 0.3, -0.2, 0.1], 1.2, 0.1), SPEC_T2),
    ],
)
def test_spec_vectors(problem, vectors):
    problem = problem()
    for n, lam, m, denominator, excess in vectors:
        point = problem.risk(n, lam, units="paper")
        assert abs(point["m"] / m - 1) < 1e-10
        assert abs(point["excess_risk"] / excess - 1) < 1e-10
        # The table's D is the paper's; dsrf reports the denominator 1 − D.
        assert abs(point["denominator"] - (1 - denominator)) < 1e-10


def authors_test_error(omega, psi, sigma2, n, lam_c):
    """The authors' regression.py route (SPEC §3.6): eigh, plain fixed-point iteration
    for m_c from 1 to |Δm| < 1e-8 (here 1e-15 relative, to compare to 1e-10), then
    genErrRMT."""
    w, u = np.linalg.eigh(omega)
    m = 1.0
    for _ in range(1_000_000):
        new = 1.0 / (lam_c + np.sum(w / (n * m * w + 1.0)))
        if abs(new - m) <= 1e-15 * new:
            m = new
            break
        m = new
    mdiag = 1.0 / (n * lam_c * m * w + lam_c)
    a = u.T @ psi
    numerator = sigma2 - n * lam_c * m * np.sum(a * a * (mdiag + lam_c * mdiag ** 2))
    denominator = 1.0 - n * (m * lam_c) ** 2 * np.sum((w * mdiag) ** 2)
    return numerator / denominator


def test_against_the_authors_formula():
    rng = np.random.default_rng(4)
    p = 60
    g = rng.standard_normal((p, 3 * p)) / np.sqrt(3 * p)
    omega = g @ g.T
    beta = rng.standard_normal(p) / np.sqrt(p)
    psi = omega @ beta
    sigma2 = beta @ omega @ beta + 0.2
    problem = dsrf.Problem.code_form(omega, psi, sigma2, 0.2)
    ns, lambdas = [10.0, 60.0, 240.0], [1e-2, 1.0, 30.0]
    curve = problem.learning_curve(ns, lambdas, units="code")
    k = 0
    for lam in lambdas:
        for n in ns:
            ref = authors_test_error(omega, psi, sigma2, n, lam)
            assert abs(curve.test_error[k] / ref - 1) < 1e-9, (n, lam)
            k += 1


def test_curves_are_tables(tmp_path):
    problem = dsrf.Problem.from_spectrum([1, 0.5, 0.25, 0.125], [0.8, 0.3, -0.2, 0.1], 1.2, 0.1)
    curve = problem.learning_curve([2, 4, 8], [0.1, 1.0], units="paper")
    assert len(curve) == 6 and curve.columns[:3] == ["n", "alpha", "lambda"]
    assert list(curve.alpha[:3]) == [0.5, 1.0, 2.0]
    pd = pytest.importorskip("pandas")
    frame = curve.to_pandas()
    assert isinstance(frame, pd.DataFrame) and list(frame["test_error"]) == list(curve.test_error)
    ridgeless = problem.ridgeless([2, 4, 8], units="code")
    assert ridgeless.test_error[1] == float("inf")  # n = rank Ω
