"""dsrf — exact, fast test errors of ridge regression on deep structured features.

Theorem 3.1 of Schröder, Dmitriev, Cui & Loureiro, *Asymptotics of Learning with Deep
Structured (Random) Features* (ICML 2024): the test error of ridge regression on the
features φ of a network depends only on the population covariances Ω, Φ, Ψ through
one scalar fixed point. This package gives that number from numpy, the closed-form
covariances of Gaussian rainbow networks, simulations, and the same comparison for
features you computed yourself.

Units of λ are always explicit (a required keyword ``units``):

* ``"code"`` — predictor wᵀφ, penalty λ_c‖w‖²: scikit-learn's ``Ridge(alpha=λ_c,
  fit_intercept=False)`` and the authors' code;
* ``"paper"`` — predictor θᵀφ/√p, penalty λ‖θ‖²; λ_c = pλ.

Every error is a :class:`DsrfError` (a ``ValueError``) whose message names the
argument. See ``docs/python.md`` in the repository for a tour.
"""

from __future__ import annotations

import json as _json
import os as _os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as _np

from . import _dsrf
from ._dsrf import DsrfError, __version__

__all__ = [
    "Curve",
    "DsrfError",
    "Network",
    "Problem",
    "compare_features",
    "compare_network",
    "linearize",
    "__version__",
]

ArrayLike = Any


def _array(name: str, value: ArrayLike, ndim: Union[int, Tuple[int, ...]]) -> _np.ndarray:
    """``value`` as a C-contiguous float64 array of the given dimension(s), or a
    DsrfError naming ``name``. Copies only when dtype or layout require it."""
    try:
        array = _np.asarray(value, dtype=_np.float64)
    except (TypeError, ValueError) as e:
        raise DsrfError(f"{name}: expected an array of numbers ({e})") from None
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if array.ndim not in dims:
        want = " or ".join(f"{d}-D" for d in dims)
        raise DsrfError(f"{name}: expected a {want} array, got shape {array.shape}")
    return _np.ascontiguousarray(array)


def _units(units: str) -> str:
    if units not in ("code", "paper"):
        raise DsrfError(
            f'units: expected "code" (λ_c, scikit-learn\'s alpha) or "paper" (λ = λ_c/p), got {units!r}'
        )
    return units


class Curve:
    """Columns of numpy arrays (one row per point), e.g. ``curve.test_error``.

    ``units`` is the λ convention of ``lambda`` and ``m``. ``to_pandas()`` and
    ``to_polars()`` import those libraries only when called.
    """

    def __init__(self, columns: Dict[str, Any]):
        rows = max((len(v) for v in columns.values() if isinstance(v, _np.ndarray)), default=0)
        self._columns: Dict[str, Any] = {}
        for key, value in columns.items():
            if isinstance(value, (list, _np.ndarray)):
                self._columns[key] = _np.asarray(value)
            else:  # a constant column (units, seeds): broadcast
                self._columns[key] = _np.full(rows, value, dtype=object if isinstance(value, str) else None)

    @property
    def columns(self) -> List[str]:
        """The column names, in order."""
        return list(self._columns)

    def __getattr__(self, name: str) -> _np.ndarray:
        try:
            return self.__dict__["_columns"][name]
        except KeyError:
            raise AttributeError(f"no column {name!r} (columns: {', '.join(self.columns)})") from None

    def __getitem__(self, name: str) -> _np.ndarray:
        return self._columns[name]

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def __repr__(self) -> str:
        return f"Curve({len(self)} rows: {', '.join(self.columns)})"

    def to_dict(self) -> Dict[str, _np.ndarray]:
        """The columns as a dict of arrays."""
        return dict(self._columns)

    def to_pandas(self):
        """A pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self._columns)

    def to_polars(self):
        """A polars DataFrame (needs polars)."""
        import polars as pl

        return pl.DataFrame({k: list(v) if v.dtype == object else v for k, v in self._columns.items()})


def _omega_args(omega: ArrayLike) -> Tuple[Optional[_np.ndarray], Optional[_np.ndarray]]:
    array = _array("omega", omega, (1, 2))
    return (array, None) if array.ndim == 2 else (None, array)


class Problem:
    """Theorem 3.1's validated input: the eigenvalues of Ω, the projections of ψ on its
    eigenvectors, the target power ρ and the noise s² — after one spectral reduction,
    every evaluation is O(p). Build it with :meth:`code_form`, :meth:`paper_form`,
    :meth:`from_spectrum` or :meth:`from_features`."""

    def __init__(self, inner: "_dsrf.Problem"):
        self._inner = inner

    @classmethod
    def code_form(cls, omega: ArrayLike, psi: ArrayLike, label_second_moment: float, noise_variance: float = 0.0) -> "Problem":
        """The authors' form: Ω = E[φφᵀ] (p × p, or its p eigenvalues — then ψ is in Ω's
        eigenbasis), ψ = E[φ y], E[y²] (label noise included), s² (part of E[y²])."""
        m, e = _omega_args(omega)
        return cls(_dsrf.code_form(m, e, _array("psi", psi, 1), float(label_second_moment), float(noise_variance)))

    @classmethod
    def paper_form(cls, omega: ArrayLike, phi: ArrayLike, psi_target: ArrayLike, theta_star: ArrayLike, noise_variance: float = 0.0) -> "Problem":
        """The paper's form (Assumption 2.1, y = θ*ᵀφ*/√k + ε): Ω (p × p), Φ = E[φφ*ᵀ]
        (p × k), Ψ = E[φ*φ*ᵀ] (k × k), θ* (k), ⟨Σ⟩."""
        m, e = _omega_args(omega)
        return cls(
            _dsrf.paper_form(
                m, e, _array("phi", phi, 2), _array("psi_target", psi_target, 2),
                _array("theta_star", theta_star, 1), float(noise_variance),
            )
        )

    @classmethod
    def from_spectrum(cls, eigenvalues: ArrayLike, projections: ArrayLike, rho: float, noise_variance: float = 0.0) -> "Problem":
        """Eigen-quantities directly: ωᵢ, aᵢ = uᵢᵀψ, the target power ρ, s²."""
        return cls(_dsrf.from_spectrum(_array("eigenvalues", eigenvalues, 1), _array("projections", projections, 1), float(rho), float(noise_variance)))

    @classmethod
    def from_features(cls, features: ArrayLike, labels: ArrayLike, centring: str = "mean", noise_variance: float = 0.0) -> "Problem":
        """The empirical route: Ω̂, ψ̂, E y² of features (N × p, rows = samples) and
        labels (N), features centred by their mean (``centring="mean"``, the authors')
        or not (``"none"``); labels are never centred."""
        return cls(_dsrf.empirical_problem(_array("features", features, 2), _array("labels", labels, 1), centring, float(noise_variance)))

    @property
    def p(self) -> int:
        """The feature dimension."""
        return self._inner.p

    @property
    def rank(self) -> int:
        """The rank of Ω."""
        return self._inner.rank

    @property
    def eigenvalues(self) -> _np.ndarray:
        """The eigenvalues of Ω, ascending."""
        return self._inner.eigenvalues

    @property
    def target_power(self) -> float:
        """ρ (E[y²] − s² in the code form, θ*ᵀΨθ*/k in the paper form)."""
        return self._inner.target_power

    def learning_curve(self, ns: ArrayLike, lambdas: ArrayLike, *, units: str) -> Curve:
        """Every (λ, n) pair, λ-major (all n for the first λ, …); λ = 0 is the
        ridgeless limit. Columns: n, alpha = n/p, lambda, lambda_code, units,
        test_error (label noise included), excess_risk, bias, variance,
        noise_variance, train_error, m, kappa, degrees_of_freedom, denominator."""
        return Curve(self._inner.learning_curve(_array("ns", ns, 1), _array("lambdas", lambdas, 1), _units(units)))

    def risk(self, n: float, lam: float, *, units: str) -> Dict[str, float]:
        """One point of :meth:`learning_curve`, as a dict of floats."""
        curve = self.learning_curve([n], [lam], units=units)
        return {k: (v[0].item() if hasattr(v[0], "item") else v[0]) for k, v in curve.to_dict().items()}

    def optimal_lambda(self, ns: ArrayLike, *, units: str) -> Curve:
        """The penalty minimising the test error at every n (searched on log λ), with
        ``optimum`` = interior, lambda_to_zero or lambda_to_infinity."""
        return Curve(self._inner.optimal_lambda(_array("ns", ns, 1), _units(units)))

    def ridgeless(self, ns: ArrayLike, *, units: str) -> Curve:
        """The limit λ → 0⁺ at every n (+∞ at n = rank Ω)."""
        return Curve(self._inner.ridgeless(_array("ns", ns, 1), _units(units)))

    def __repr__(self) -> str:
        return f"Problem(p={self.p}, rank={self.rank}, target_power={self.target_power:.6g})"


class Network:
    """A learner and a target network on Gaussian inputs (the JSON specification of
    docs/network.md), realised from its seed: every weight is fixed by the spec."""

    def __init__(self, inner: "_dsrf.Network"):
        self._inner = inner

    @classmethod
    def from_json(cls, text: str, base: str = ".", max_memory: Optional[int] = None) -> "Network":
        """From JSON text; relative ``.npy`` paths resolve from ``base``; requests
        beyond ``max_memory`` bytes (default: ¾ of the physical memory) are refused."""
        return cls(_dsrf.network_from_json(text, base, max_memory))

    @classmethod
    def from_file(cls, path: Union[str, "_os.PathLike[str]"], max_memory: Optional[int] = None) -> "Network":
        """From a network file."""
        path = _os.fspath(path)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise DsrfError(f"cannot read {path}: {e.strerror}") from None
        try:
            return cls.from_json(text, _os.path.dirname(path) or ".", max_memory)
        except DsrfError as e:
            raise DsrfError(f"invalid network file {path}: {e}") from None

    @classmethod
    def from_dict(cls, spec: Dict[str, Any], base: str = ".") -> "Network":
        """From a specification built in Python (the file's structure as dicts/lists)."""
        return cls.from_json(_json.dumps(spec), base)

    p = property(lambda self: self._inner.p, doc="Feature dimension p.")
    k = property(lambda self: self._inner.k, doc="Target width k.")
    d = property(lambda self: self._inner.d, doc="Input dimension d.")
    seed = property(lambda self: self._inner.seed, doc="The seed of every weight.")
    theta_star = property(lambda self: self._inner.theta_star, doc="θ* (length k).")

    def weights(self) -> List[_np.ndarray]:
        """The learner's weights, out × in (``nn.Linear.weight`` orientation)."""
        return self._inner.weights()

    def to_json(self) -> str:
        """The specification as JSON text."""
        return self._inner.to_json()

    def covariances(self, variance: str = "averaged") -> Tuple[_np.ndarray, _np.ndarray, _np.ndarray]:
        """(Ω, Φ, Ψ) of Definition 4.2, ``variance="averaged"`` (the paper) or
        ``"per-neuron"``."""
        return self._inner.covariances(variance)

    def problem(self, variance: str = "averaged") -> Problem:
        """Theorem 3.1's input from the closed-form covariances."""
        return Problem(self._inner.problem(variance))

    def sample(self, n: int, seed: int = 0, stream: int = 0) -> Tuple[_np.ndarray, _np.ndarray]:
        """n samples: features (n × p) and labels (n) from stream ``stream`` of ``seed``
        (replicate r of :meth:`simulate` trains on stream 2r, tests on 2r + 1)."""
        return self._inner.sample(int(n), int(seed), int(stream))

    def simulate(self, ns: Sequence[int], lambdas: ArrayLike, *, units: str, seeds: int = 10,
                 seed: Optional[int] = None, test_size: int = 10_000, variance: str = "averaged") -> Curve:
        """Ridge on freshly sampled data (``seeds`` replicates, each tested on
        ``test_size`` held-out samples) next to the theory. Runs without the GIL and
        answers Ctrl-C. ``relative_deviation`` is NaN where the theory is 0."""
        ns = [int(n) for n in ns]
        seed = self.seed if seed is None else int(seed)
        return Curve(self._inner.simulate(ns, _array("lambdas", lambdas, 1), _units(units), int(seeds), seed, int(test_size), variance))

    def __repr__(self) -> str:
        return f"Network(d={self.d}, p={self.p}, k={self.k}, seed={self.seed})"


def linearize(omega0: ArrayLike, psi0: ArrayLike, weights: Sequence[ArrayLike],
              activations: Sequence[Union[str, Callable[[float], float]]], *,
              variance: str = "averaged") -> Tuple[_np.ndarray, _np.ndarray, List[Dict[str, List[float]]]]:
    """Ω_L, ψ_L and every layer's (r, κ₁, κ*²) of a network with given weights.

    ``weights`` are **out × in** (PyTorch's ``nn.Linear.weight``; Keras kernels are the
    transpose); ``activations`` are names (``"tanh"``, ``"relu"``, ``"tanh(2x)"``, …) or
    Python callables f(x) -> float, whose Gaussian moments are computed by adaptive
    quadrature — a few hundred to a few thousand Python calls per layer (milliseconds),
    per neuron with ``variance="per-neuron"``.
    """
    ws = [_array(f"weights[{i}]", w, 2) for i, w in enumerate(weights)]
    acts = list(activations)
    return _dsrf.linearize(_array("omega0", omega0, 2), _array("psi0", psi0, 1), ws, acts, variance)


def compare_features(features: ArrayLike, labels: ArrayLike, ns: Sequence[int], lambdas: ArrayLike, *,
                     units: str, test_fraction: float = 0.2, covariance_fraction: float = 0.0,
                     centring: str = "mean", seeds: int = 10, seed: int = 0) -> Curve:
    """The empirical route on your features (N × p, rows = samples) and labels: the rows
    are split once (test, optional covariance part, training pool), Theorem 3.1 is
    evaluated from Ω̂, ψ̂, E y² of the covariance rows (the pool when
    ``covariance_fraction=0``), and ridge is fitted on ``seeds`` random size-n subsets
    of the pool and tested on the held-out rows — the same as ``dsrf empirical``."""
    return Curve(
        _dsrf.compare_features(
            _array("features", features, 2), _array("labels", labels, 1), [int(n) for n in ns],
            _array("lambdas", lambdas, 1), _units(units), float(test_fraction), float(covariance_fraction),
            centring, int(seeds), int(seed),
        )
    )


def compare_network(inputs: ArrayLike, labels: ArrayLike, weights: Sequence[ArrayLike], readout: ArrayLike, *,
                    activation: str, units: str, lambdas: Optional[ArrayLike] = None,
                    theory_ns: ArrayLike, empirical_ns: Sequence[int], repeats: int = 10,
                    proportions: Tuple[float, float, float, float] = (0.1, 0.25, 0.25, 0.4),
                    split_seed: int = 1, subset_seed: int = 0,
                    linearised: Optional[str] = "averaged") -> Dict[str, Any]:
    """The learned-features comparison (paper §5) for a network trained elsewhere.

    ``inputs`` (N × d, rows = samples) and ``labels`` are split the authors' way into
    test, train_reg, train_w and emp_cov (``proportions``, ``split_seed``); the hidden
    ``weights`` (**out × in**, PyTorch's ``nn.Linear.weight``) with one ``activation``
    give the features, centred by their emp_cov mean. Returned: ``theory`` (Theorem 3.1
    from the empirical covariances of emp_cov), ``theory_linearised`` (from the
    linearisation of the weights, unless ``linearised=None``), ``empirical`` (ridge on
    ``repeats`` random train_reg subsets, tested on the test split),
    ``empirical_on_emp_cov`` and ``network_test_loss`` (the network's own MSE, with
    ``readout``). Penalties are ``lambdas`` in ``units``, or the optimal one per n when
    ``lambdas`` is None.
    """
    out = _dsrf.compare_network(
        _array("inputs", inputs, 2), _array("labels", labels, 1),
        [_array(f"weights[{i}]", w, 2) for i, w in enumerate(weights)], activation,
        _array("readout", readout, 1), tuple(float(p) for p in proportions), int(split_seed),
        None if lambdas is None else _array("lambdas", lambdas, 1), _units(units),
        _array("theory_ns", theory_ns, 1), [int(n) for n in empirical_ns], int(repeats), int(subset_seed),
        linearised,
    )
    return {k: Curve(v) if isinstance(v, dict) else v for k, v in out.items()}
