"""Networks, simulation and the empirical route from Python, against the CLI and
scikit-learn."""

import json
import math

import numpy as np
import pytest

import dsrf
from conftest import run_cli

SMALL = {
    "seed": 5,
    "input": {"identity": 30},
    "matrices": [{"name": "W", "value": {"rainbow": {"z": {"gaussian": {"name": "Z", "rows": 30, "cols": 30}},
                                                     "covariance": {"power_law": {"dim": 30, "exponent": 0.5}}}}}],
    "learner": [{"weights": {"ref": "W"}, "activation": "tanh"},
                {"weights": {"gaussian": {"name": "Z2", "rows": 30, "cols": 30}}, "activation": "tanh"}],
    "target": [{"weights": {"ref": "W"}, "activation": "tanh"}],
    "readout": {"gaussian": {"name": "theta", "variance": 1.0}},
    "noise_variance": 0.05,
    "units": "code", "lambdas": [0.3, 3.0], "ns": [20, 60],
}


def write(tmp_path, spec, name="net.json"):
    path = tmp_path / name
    path.write_text(json.dumps(spec))
    return path


def test_simulation_is_bit_identical_to_dsrf_simulate(tmp_path):
    path = write(tmp_path, SMALL)
    rows = run_cli("simulate", "--network", str(path), "--seeds", "3", "--test-size", "500", "--seed", "9")
    sim = dsrf.Network.from_file(path).simulate([20, 60], [0.3, 3.0], units="code", seeds=3, seed=9, test_size=500)
    assert len(rows) == len(sim)
    for i, row in enumerate(rows):
        for c in ["test_error_mean", "test_error_std", "train_error_mean", "theory_test_error"]:
            assert sim[c][i] == row[c], c
        assert sim.seed[i] == 9 and row["seed"] == 9


def test_simulator_ridge_equals_scikit_learn(tmp_path):
    sklearn = pytest.importorskip("sklearn.linear_model")
    net = dsrf.Network.from_file(write(tmp_path, SMALL))
    n, test_size, lam_c, seed = 60, 700, 0.3, 11
    # Replicate 0 trains on stream 0 and tests on stream 1 of the seed.
    x, y = net.sample(n, seed=seed, stream=0)
    xt, yt = net.sample(test_size, seed=seed, stream=1)
    model = sklearn.Ridge(alpha=lam_c, fit_intercept=False, solver="cholesky").fit(x, y)
    ours = net.simulate([n], [lam_c], units="code", seeds=1, seed=seed, test_size=test_size)
    reference = np.mean((yt - model.predict(xt)) ** 2)
    train = np.mean((y - model.predict(x)) ** 2)
    assert abs(ours.test_error_mean[0] / reference - 1) < 1e-10
    assert abs(ours.train_error_mean[0] / train - 1) < 1e-10


def test_covariances_match_dsrf_covariance(tmp_path):
    path = write(tmp_path, SMALL)
    out = tmp_path / "cov"
    import subprocess
    from conftest import cli_binary
    subprocess.run([str(cli_binary()), "covariance", "--network", str(path), "--out", str(out)], check=True)
    omega, phi, psi = dsrf.Network.from_file(path).covariances()
    assert np.array_equal(omega, np.load(out / "omega.npy"))
    assert np.array_equal(phi, np.load(out / "phi.npy"))
    assert np.array_equal(psi, np.load(out / "psi.npy"))
    assert omega.shape == (30, 30) and phi.shape == (30, 30)


def test_a_network_built_in_python_round_trips(tmp_path):
    net = dsrf.Network.from_dict(SMALL)
    again = dsrf.Network.from_json(net.to_json())
    assert np.array_equal(again.covariances()[0], net.covariances()[0])
    assert [w.shape for w in net.weights()] == [(30, 30), (30, 30)]


def test_linearize_matches_the_cli_and_accepts_callables(examples, tmp_path):
    doc = json.loads((examples / "linearize_tanh.json").read_text())
    weights = [np.asarray(l["weights"], dtype=float) for l in doc["layers"]]
    names = [l["activation"] for l in doc["layers"]]
    omega, psi, layers = dsrf.linearize(doc["omega0"], doc["psi0"], weights, names)
    cli = run_cli("linearize", "--input", str(examples / "linearize_tanh.json"))
    assert np.array_equal(omega, np.asarray(cli["omega"]))
    assert np.array_equal(psi, np.asarray(cli["psi"]))
    # tanh as a Python callable: the same moments by the same quadrature, to rounding.
    custom, _, _ = dsrf.linearize(doc["omega0"], doc["psi0"], weights, [math.tanh] * len(weights))
    assert np.max(np.abs(custom - omega)) < 1e-10


def test_compare_features_matches_dsrf_empirical(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2000, 15))
    y = x @ (np.arange(15) / 15.0) + 0.3 * rng.standard_normal(2000)
    np.save(tmp_path / "X.npy", x)
    np.save(tmp_path / "y.npy", y)
    rows = run_cli("empirical", "--features", str(tmp_path / "X.npy"), "--labels", str(tmp_path / "y.npy"),
                   "--units", "code", "--lambdas", "0.5,5", "--ns", "30,300", "--seeds", "4",
                   "--covariance-fraction", "0.3", "--seed", "3")
    ours = dsrf.compare_features(x, y, [30, 300], [0.5, 5], units="code", seeds=4,
                                 covariance_fraction=0.3, seed=3)
    for i, row in enumerate(rows):
        for c in ["test_error_mean", "theory_test_error", "train_error_mean"]:
            assert ours[c][i] == row[c]
    # Float32 and Fortran-ordered inputs are converted.
    again = dsrf.compare_features(np.asfortranarray(x), y, [30, 300], [0.5, 5], units="code", seeds=4,
                                  covariance_fraction=0.3, seed=3)
    assert np.array_equal(again.test_error_mean, ours.test_error_mean)


BAD = [
    (lambda: dsrf.Problem.code_form([[1, 0], [0, 1]], [0.1], 1.0), "psi"),
    (lambda: dsrf.Problem.code_form([[1, 2], [2, 1]], [0.1, 0.1], 1.0), "Ω"),
    (lambda: dsrf.Problem.code_form("abc", [0.1], 1.0), "omega"),
    (lambda: dsrf.Problem.code_form(np.ones((2, 2, 2)), [0.1], 1.0), "omega"),
    (lambda: dsrf.Problem.from_spectrum([1.0, np.nan], [0.1, 0.1], 1.0), "eigenvalues"),
    (lambda: dsrf.Problem.from_spectrum([1.0], [0.1], 1.0).learning_curve([10], [0.1], units="codes"), "units"),
    (lambda: dsrf.Network.from_dict({**SMALL, "readout": {"gaussian": {"varaince": 2}}}), "did you mean `variance`"),
    (lambda: dsrf.Network.from_dict({**SMALL, "input": {"identity": 10 ** 9}}), "memory"),
    (lambda: dsrf.linearize([[1.0]], [0.1], [[[1.0]]], ["swish"]), "activations[0]"),
    (lambda: dsrf.linearize([[1.0]], [0.1], [[[1.0]]], [lambda x: "no"]), "not finite"),
]


@pytest.mark.parametrize("call,needle", BAD)
def test_errors_are_value_errors_naming_the_argument(call, needle):
    with pytest.raises(dsrf.DsrfError) as e:
        call()
    assert needle in str(e.value)
    assert isinstance(e.value, ValueError)


def test_units_are_required():
    problem = dsrf.Problem.from_spectrum([1.0], [0.1], 1.0)
    with pytest.raises(TypeError):
        problem.learning_curve([10], [0.1])


def test_a_network_trained_elsewhere():
    """A two-layer tanh network given as PyTorch-oriented weights: the empirical ridge
    error on its features sits near the theory from their covariances at n ≫ p, and the
    linearised theory of the same weights is close at initialisation-like weights."""
    rng = np.random.default_rng(8)
    d, h, n = 10, 12, 12000
    x = rng.standard_normal((n, d))
    teacher = rng.standard_normal(d) / np.sqrt(d)
    y = np.tanh(x @ teacher) + 0.1 * rng.standard_normal(n)
    w1 = rng.standard_normal((h, d)) / np.sqrt(d)       # out × in
    w2 = rng.standard_normal((h, h)) / np.sqrt(h)
    readout = rng.standard_normal(h) / np.sqrt(h)
    out = dsrf.compare_network(x, y, [w1, w2], readout, activation="tanh", units="code",
                               lambdas=[0.1, 1.0], theory_ns=[20, 200, 1000], empirical_ns=[1000],
                               repeats=3)
    assert out["p"] == h
    theory, emp = out["theory"], out["empirical_on_emp_cov"]
    for i in range(len(emp)):
        t = [theory.test_error[j] for j in range(len(theory)) if theory.n[j] == 1000 and theory.lambda_code[j] == emp.lambda_code[i]]
        assert abs(emp.test_error_mean[i] / t[0] - 1) < 0.05
    assert "theory_linearised" in out and len(out["theory_linearised"]) == len(theory)
    assert out["network_test_loss"] > 0
    with pytest.raises(dsrf.DsrfError, match="layers\\[1\\]"):
        dsrf.compare_network(x, y, [w1, w2[:, :5]], readout, activation="tanh", units="code",
                             theory_ns=[20], empirical_ns=[20])


def test_the_figure_one_script_runs(examples):
    """docs/python.md's worked example (at d = 60): larger γ gives a lower error at α = 2,
    as the paper says, and γ = 0.5 at d = 200 is the preset network of the examples."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("figure1", examples / "python" / "figure1.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.curves(60, np.array([0.5, 2.0]))
    assert result[0.8][1] < result[0.0][1]
    built = dsrf.Network.from_dict(module.figure1_spec(200, 0.5))
    from_file = dsrf.Network.from_file(examples / "fig1_rainbow_d200.json")
    assert np.array_equal(built.covariances()[0], from_file.covariances()[0])


def _long_simulation(examples):
    net = dsrf.Network.from_file(examples / "fig1_rainbow_d200.json")
    return lambda: net.simulate([200, 400], [1e-3], units="paper", seeds=40, test_size=4000)


def test_long_calls_release_the_gil(examples):
    import threading
    import time

    run = _long_simulation(examples)
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.01)

    counter = threading.Thread(target=count)
    counter.start()
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    done.set()
    counter.join()
    # The other Python thread kept running during the call (it would stall on the GIL).
    during = [t for t in ticks if start < t < start + elapsed]
    assert elapsed > 0.3 and len(during) > 0.5 * elapsed / 0.01, (elapsed, len(during))


def test_ctrl_c_interrupts_a_long_call(examples):
    import _thread
    import threading
    import time

    run = _long_simulation(examples)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        run()
    # The uninterrupted call takes ≈ 2.4 s on the project machine.
    assert time.perf_counter() - start < 1.2
