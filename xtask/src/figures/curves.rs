//! The engine shared by the four learning-curve figures: a set of *series* (one network
//! each — a γ, a target, a depth), theory curves on a fine grid and simulated points
//! from independent replicates, as work units, assembled into one long table.
//!
//! Work units, in this order for every series: the closed-form theory (Definition 4.2
//! → Theorem 3.1), optionally the Monte-Carlo theory (estimated Ω̂, ψ̂, E y² → Theorem
//! 3.1), then one unit per simulation replicate. Replicate r of every series uses the
//! data seed `sim_seed + r` (streams 0 and 1: training and held-out test samples), so
//! series see the same inputs (common random numbers) and a unit's result does not
//! depend on which shard or thread runs it. The network weights are fixed per series
//! (the theory is conditional on them); replicates redraw the data only.
//!
//! Each replicate is one call of `dsrf_sim::simulate_learning_curve` with one
//! replicate: one feature pass serves every n (nested prefixes) and one factorisation
//! per n serves the penalty.

use std::sync::{Arc, Mutex};

/// The four `Experiment` methods of a figure whose work is a `Curves` in the field
/// `curves` (raw columns, unit labels, running a unit, assembling the table).
macro_rules! curve_units {
    () => {
        fn raw_columns(&self) -> Vec<String> {
            Curves::raw_columns()
        }

        fn units(&self) -> Vec<String> {
            self.curves.unit_labels()
        }

        fn run_unit(&self, unit: usize) -> Result<Vec<Vec<dsrf_report::Cell>>> {
            self.curves.run_unit(unit)
        }

        fn finish(&self, raw: &Table) -> Result<Table> {
            self.curves.finish(self.metadata(), raw)
        }
    };
}
pub(crate) use curve_units;

use anyhow::{Result, anyhow, bail};
use dsrf_report::{Cell, Metadata, Table};
use dsrf_sim::{CurveConfig, FeatureSampler, Penalties, TestError, simulate_learning_curve};
use dsrf_theory::{Penalty, Problem, Units};
use serde_json::json;

use super::columns::{Rows, distinct, key};
use super::models::Realised;

/// One curve family member: the values of the figure's key columns and its network.
pub struct CurveSeries {
    /// Values of the key columns (e.g. γ), in the order of `CurveSetup::key_columns`.
    pub keys: Vec<Cell>,
    /// The learner and target networks.
    pub network: dsrf_rainbow::NetworkSpec,
}

/// Monte-Carlo moments for the theory (the authors' route).
#[derive(Debug, Clone, Copy)]
pub struct MonteCarlo {
    /// Number of samples.
    pub samples: usize,
    /// Seed (stream 0).
    pub seed: u64,
}

/// Everything a learning-curve figure computes.
pub struct CurveSetup {
    /// The columns that identify a series (e.g. `gamma`).
    pub key_columns: Vec<String>,
    /// Input dimension (α = n/d).
    pub d: usize,
    /// Feature dimension of every series' learner.
    pub p: usize,
    /// The ridge penalty.
    pub penalty: Penalty,
    /// Sample sizes of the theory curves (real numbers: n = αd).
    pub theory_ns: Vec<f64>,
    /// Sample sizes of the simulations.
    pub sim_ns: Vec<usize>,
    /// Simulation replicates per series.
    pub replicates: usize,
    /// Held-out test samples per replicate.
    pub test_size: usize,
    /// Replicate r uses data seed `sim_seed + r`.
    pub sim_seed: u64,
    /// Also compute the theory from Monte-Carlo moments.
    pub monte_carlo: Option<MonteCarlo>,
    /// The series.
    pub series: Vec<CurveSeries>,
}

#[derive(Debug, Clone, Copy)]
enum Unit {
    Theory(usize),
    MonteCarlo(usize),
    Simulation(usize, usize),
}

/// Replaces the network of series s when it can only be built on demand (trained
/// weights): `Ok(None)` keeps the series' own `network`.
pub type SpecProvider =
    Arc<dyn Fn(usize) -> Result<Option<dsrf_rainbow::NetworkSpec>> + Send + Sync>;

/// A learning-curve figure's computation (units, raw rows, final table).
pub struct Curves {
    setup: CurveSetup,
    cache: Vec<Mutex<Option<Arc<Realised>>>>,
    provider: Option<SpecProvider>,
    optimal: bool,
}

/// Optimal penalties are clamped into this range of code units (a boundary optimum,
/// λ* = 0 or ∞, cannot be simulated).
const OPTIMAL_RANGE: (f64, f64) = (1e-6, 1e6);

/// Source labels in the published tables.
pub const THEORY: &str = "theory";
/// Theory from Monte-Carlo moments.
pub const THEORY_MC: &str = "theory_mc";
/// Simulation means.
pub const SIMULATION: &str = "simulation";

/// The final columns after the key columns.
const VALUE_COLUMNS: [&str; 10] = [
    "source",
    "alpha",
    "n",
    "lambda_paper",
    "lambda_code",
    "test_error",
    "std",
    "stderr",
    "train_error",
    "replicates",
];

impl Curves {
    /// Wraps a setup (nothing is computed yet).
    pub fn new(setup: CurveSetup) -> Self {
        let cache = setup.series.iter().map(|_| Mutex::new(None)).collect();
        Curves {
            setup,
            cache,
            provider: None,
            optimal: false,
        }
    }

    /// Every point at the penalty λ*(n) that minimises the closed-form theory at that n
    /// (clamped into `OPTIMAL_RANGE`), instead of the setup's fixed penalty: the theory
    /// rows follow the optimal curve, the Monte-Carlo theory and the simulations use the
    /// same λ*(n).
    pub fn optimal_lambda(mut self) -> Self {
        self.optimal = true;
        self
    }

    /// λ*(n) in code units at every n, from the closed-form theory of series s.
    fn optimal_penalties(&self, s: usize, ns: &[f64]) -> Result<Vec<f64>> {
        let problem = self.realised(s)?.closed_form_problem()?;
        Ok(problem
            .optimal_curve(ns)?
            .iter()
            .map(|o| o.point.lambda_code.clamp(OPTIMAL_RANGE.0, OPTIMAL_RANGE.1))
            .collect())
    }

    /// Like [`Curves::new`], with networks built on demand by `provider` (called at
    /// most once per series and process, from the first unit that needs it).
    pub fn with_provider(setup: CurveSetup, provider: SpecProvider) -> Self {
        Curves {
            provider: Some(provider),
            ..Curves::new(setup)
        }
    }

    /// The setup.
    pub fn setup(&self) -> &CurveSetup {
        &self.setup
    }

    fn unit_list(&self) -> Vec<Unit> {
        let mut units = Vec::new();
        for s in 0..self.setup.series.len() {
            units.push(Unit::Theory(s));
            if self.setup.monte_carlo.is_some() {
                units.push(Unit::MonteCarlo(s));
            }
            units.extend((0..self.setup.replicates).map(|r| Unit::Simulation(s, r)));
        }
        units
    }

    /// Labels of the work units.
    pub fn unit_labels(&self) -> Vec<String> {
        let name = |s: usize| {
            self.setup
                .key_columns
                .iter()
                .zip(&self.setup.series[s].keys)
                .map(|(c, v)| format!("{c}={}", key(v)))
                .collect::<Vec<_>>()
                .join(",")
        };
        self.unit_list()
            .into_iter()
            .map(|u| match u {
                Unit::Theory(s) => format!("theory {}", name(s)),
                Unit::MonteCarlo(s) => format!("theory_mc {}", name(s)),
                Unit::Simulation(s, r) => format!("simulation {} replicate {r}", name(s)),
            })
            .collect()
    }

    /// The raw columns of every unit.
    pub fn raw_columns() -> Vec<String> {
        [
            "series",
            "source",
            "replicate",
            "n",
            "test_error",
            "train_error",
            "lambda_code",
        ]
        .map(String::from)
        .to_vec()
    }

    /// The common parameters and seeds, added to a figure's metadata.
    pub fn describe(&self, metadata: Metadata) -> Metadata {
        let s = &self.setup;
        let mut m = metadata.parameter("d", s.d).parameter("p", s.p);
        m = if self.optimal {
            m.parameter(
                "lambda",
                format!(
                    "optimal per n for the closed-form theory, clamped to [{:e}, {:e}] (code units)",
                    OPTIMAL_RANGE.0, OPTIMAL_RANGE.1
                ),
            )
        } else {
            m.parameter("lambda_paper", s.penalty.in_units(Units::Paper, s.p))
                .parameter("lambda_code", s.penalty.in_units(Units::Code, s.p))
        };
        m = m
            .parameter("theory_ns", json!(s.theory_ns))
            .parameter("sim_ns", json!(s.sim_ns))
            .parameter("replicates", s.replicates)
            .parameter("test_size", s.test_size)
            .parameter("sim_seed", s.sim_seed)
            .parameter(
                "series",
                json!(
                    s.series
                        .iter()
                        .map(|c| c.keys.iter().map(key).collect::<Vec<_>>())
                        .collect::<Vec<_>>()
                ),
            )
            .parameter(
                "labels",
                "y = θ*ᵀφ*(x)/√k, θ* ~ 𝒩(0, I_k) (stream \"theta\"), no noise",
            )
            .parameter(
                "network_weights",
                "fixed per series; replicates redraw the data",
            )
            .parameter("variance_convention", "averaged");
        if let Some(mc) = s.monte_carlo {
            m = m
                .parameter("monte_carlo_samples", mc.samples)
                .parameter("monte_carlo_seed", mc.seed);
        }
        let mut seeds: Vec<u64> = Vec::new();
        for series in &s.series {
            if !seeds.contains(&series.network.seed) {
                seeds.push(series.network.seed);
            }
        }
        if let Some(mc) = s.monte_carlo {
            seeds.push(mc.seed);
        }
        seeds.extend((0..s.replicates as u64).map(|r| s.sim_seed + r));
        m.seeds = seeds;
        m
    }

    fn realised(&self, s: usize) -> Result<Arc<Realised>> {
        let mut slot = self.cache[s]
            .lock()
            .map_err(|_| anyhow!("a network build panicked"))?;
        if let Some(r) = slot.as_ref() {
            return Ok(r.clone());
        }
        let provided = match &self.provider {
            Some(provider) => provider(s)?,
            None => None,
        };
        let spec = provided.as_ref().unwrap_or(&self.setup.series[s].network);
        let r = Arc::new(Realised::new(spec)?);
        if r.p() != self.setup.p {
            bail!(
                "series {s} has p = {} but the figure says {}",
                r.p(),
                self.setup.p
            );
        }
        *slot = Some(r.clone());
        Ok(r)
    }

    fn theory_rows(&self, s: usize, source: &str, problem: &Problem) -> Result<Vec<Vec<Cell>>> {
        let mut ns = self.setup.theory_ns.clone();
        ns.extend(self.setup.sim_ns.iter().map(|&n| n as f64));
        ns.sort_by(f64::total_cmp);
        ns.dedup();
        let curve = if self.optimal {
            let lambdas = self.optimal_penalties(s, &ns)?;
            ns.iter()
                .zip(lambdas)
                .map(|(&n, l)| problem.risk(n, Penalty::code(l)))
                .collect::<std::result::Result<Vec<_>, _>>()?
        } else {
            problem.learning_curve(&ns, &[self.setup.penalty])?
        };
        Ok(curve
            .iter()
            .map(|point| {
                vec![
                    Cell::from(s),
                    Cell::from(source),
                    Cell::Integer(-1),
                    Cell::Number(point.n),
                    Cell::Number(point.test_error),
                    Cell::Number(point.train_error),
                    Cell::Number(point.lambda_code),
                ]
            })
            .collect())
    }

    /// Runs unit `unit`.
    pub fn run_unit(&self, unit: usize) -> Result<Vec<Vec<Cell>>> {
        let units = self.unit_list();
        let u = *units
            .get(unit)
            .ok_or_else(|| anyhow!("no unit {unit} (there are {})", units.len()))?;
        match u {
            Unit::Theory(s) => {
                let problem = self.realised(s)?.closed_form_problem()?;
                self.theory_rows(s, THEORY, &problem)
            }
            Unit::MonteCarlo(s) => {
                let mc = self
                    .setup
                    .monte_carlo
                    .expect("listed only with Monte Carlo");
                let problem = self.realised(s)?.monte_carlo_problem(mc.samples, mc.seed)?;
                self.theory_rows(s, THEORY_MC, &problem)
            }
            Unit::Simulation(s, r) => {
                let net = self.realised(s)?;
                let sim_ns: Vec<f64> = self.setup.sim_ns.iter().map(|&n| n as f64).collect();
                // One penalty, or λ*(n) of every simulated n (one ridge path serves all;
                // the point of n_k is kept at λ*(n_k) only).
                let lambdas = if self.optimal {
                    self.optimal_penalties(s, &sim_ns)?
                } else {
                    vec![self.setup.penalty.to_code(self.setup.p)]
                };
                let keep = |n: usize, l: f64| {
                    !self.optimal
                        || self
                            .setup
                            .sim_ns
                            .iter()
                            .zip(&lambdas)
                            .any(|(&m, &lm)| m == n && lm == l)
                };
                let config = CurveConfig {
                    ns: self.setup.sim_ns.clone(),
                    penalties: Penalties::Code(lambdas.clone()),
                    replicates: 1,
                    seed: self.setup.sim_seed + r as u64,
                    test: TestError::HeldOut(self.setup.test_size),
                }
                .check(net.teacher.feature_dim())
                .map_err(|e| anyhow!("simulation failed: {e}"))?;
                let points = simulate_learning_curve(&net.teacher, &config, None)
                    .map_err(|e| anyhow!("simulation failed: {e}"))?;
                Ok(points
                    .iter()
                    .filter(|pt| keep(pt.n, pt.lambda_code))
                    .map(|pt| {
                        vec![
                            Cell::from(s),
                            Cell::from(SIMULATION),
                            Cell::from(r),
                            Cell::Number(pt.n as f64),
                            Cell::Number(pt.test.mean),
                            Cell::Number(pt.train.mean),
                            Cell::Number(pt.lambda_code),
                        ]
                    })
                    .collect())
            }
        }
    }

    /// The published long table: per series, the theory rows, the Monte-Carlo theory
    /// rows and the simulation means (± std and standard error over replicates).
    pub fn finish(&self, metadata: Metadata, raw: &Table) -> Result<Table> {
        let rows = Rows::new(raw);
        let series = rows.numbers("series")?;
        let source = rows.texts("source")?;
        let replicate = rows.numbers("replicate")?;
        let ns = rows.numbers("n")?;
        let test = rows.numbers("test_error")?;
        let train = rows.numbers("train_error")?;
        let lambdas = rows.numbers("lambda_code")?;
        let s = &self.setup;
        let (lambda_paper, lambda_code) = (
            s.penalty.in_units(Units::Paper, s.p),
            s.penalty.in_units(Units::Code, s.p),
        );
        let mut columns = s.key_columns.clone();
        columns.extend(VALUE_COLUMNS.map(String::from));
        let mut out = Vec::new();
        for (index, spec) in s.series.iter().enumerate() {
            let mine = |src: &str| -> Vec<usize> {
                (0..series.len())
                    .filter(|&i| series[i] as usize == index && source[i] == src)
                    .collect()
            };
            let row = |src: &str, n: f64, values: [f64; 4], count: usize, i: usize| -> Vec<Cell> {
                let mut r = spec.keys.clone();
                let (paper, code) = if self.optimal {
                    (lambdas[i] / s.p as f64, lambdas[i])
                } else {
                    (lambda_paper, lambda_code)
                };
                r.extend([
                    Cell::from(src),
                    Cell::Number(n / s.d as f64),
                    Cell::Number(n),
                    Cell::Number(paper),
                    Cell::Number(code),
                    Cell::Number(values[0]),
                    Cell::Number(values[1]),
                    Cell::Number(values[2]),
                    Cell::Number(values[3]),
                    Cell::from(count),
                ]);
                r
            };
            for src in [THEORY, THEORY_MC] {
                let mut idx = mine(src);
                idx.sort_by(|&a, &b| ns[a].total_cmp(&ns[b]));
                for i in idx {
                    out.push(row(
                        src,
                        ns[i],
                        [test[i], f64::NAN, f64::NAN, train[i]],
                        0,
                        i,
                    ));
                }
            }
            let sims = mine(SIMULATION);
            let mut sim_ns: Vec<f64> = sims.iter().map(|&i| ns[i]).collect();
            sim_ns.sort_by(f64::total_cmp);
            sim_ns.dedup();
            for n in sim_ns {
                // Replicate order, whatever order the units arrived in.
                let mut at: Vec<usize> = sims.iter().copied().filter(|&i| ns[i] == n).collect();
                at.sort_by(|&a, &b| replicate[a].total_cmp(&replicate[b]));
                let tests: Vec<f64> = at.iter().map(|&i| test[i]).collect();
                let trains: Vec<f64> = at.iter().map(|&i| train[i]).collect();
                let (mean, std) = mean_std(&tests);
                let (train_mean, _) = mean_std(&trains);
                let stderr = std / (tests.len() as f64).sqrt();
                out.push(row(
                    SIMULATION,
                    n,
                    [mean, std, stderr, train_mean],
                    tests.len(),
                    at[0],
                ));
            }
        }
        Ok(Table::new(metadata, columns, out)?)
    }
}

/// Mean and sample standard deviation (0 for one value).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = if values.len() > 1 {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mean, std)
}

/// One series of a published curve table, typed.
#[derive(Debug, Clone)]
pub struct SeriesData {
    /// The key values as text, in key-column order.
    pub keys: Vec<String>,
    /// (α, n, ε_g) of the closed-form theory, by increasing n.
    pub theory: Vec<(f64, f64, f64)>,
    /// (α, n, ε_g) of the Monte-Carlo theory.
    pub theory_mc: Vec<(f64, f64, f64)>,
    /// (α, n, mean, std, stderr) of the simulations.
    pub simulation: Vec<(f64, f64, f64, f64, f64)>,
}

impl SeriesData {
    /// The first key column as a number (γ for the Figure 1 families; NaN if not one).
    pub fn first_key(&self) -> f64 {
        self.keys
            .first()
            .and_then(|k| k.parse().ok())
            .unwrap_or(f64::NAN)
    }
}

impl SeriesData {
    /// The curve of `source` (`theory` or `theory_mc`).
    pub fn curve(&self, source: &str) -> &[(f64, f64, f64)] {
        if source == THEORY_MC {
            &self.theory_mc
        } else {
            &self.theory
        }
    }

    /// The theory of `source` at sample size n (exact grid point required).
    pub fn theory_at_n(&self, source: &str, n: f64) -> Option<f64> {
        self.curve(source).iter().find(|t| t.1 == n).map(|t| t.2)
    }

    /// The closed-form theory at α by linear interpolation on the grid.
    pub fn theory_at_alpha(&self, alpha: f64) -> f64 {
        interpolate(&self.theory, alpha)
    }

    /// The theory of `source` at α by linear interpolation on the grid.
    pub fn at_alpha(&self, source: &str, alpha: f64) -> f64 {
        interpolate(self.curve(source), alpha)
    }

    /// The simulation at the point nearest to α: (α, mean).
    pub fn simulation_near(&self, alpha: f64) -> Option<(f64, f64)> {
        self.simulation
            .iter()
            .min_by(|a, b| (a.0 - alpha).abs().total_cmp(&(b.0 - alpha).abs()))
            .map(|s| (s.0, s.2))
    }

    /// (simulation mean, theory of `source`) at every simulated n.
    pub fn pairs(&self, source: &str) -> Vec<(f64, f64)> {
        self.simulation
            .iter()
            .filter_map(|s| self.theory_at_n(source, s.1).map(|t| (s.2, t)))
            .collect()
    }

    /// Local maxima (α, ε_g) of the curve of `source`, interior points only.
    pub fn peaks(&self, source: &str) -> Vec<(f64, f64)> {
        let t = self.curve(source);
        (1..t.len().saturating_sub(1))
            .filter(|&i| t[i].2 > t[i - 1].2 && t[i].2 >= t[i + 1].2)
            .map(|i| (t[i].0, t[i].2))
            .collect()
    }

    /// The largest local maximum of the closed-form theory with α in [lo, hi].
    pub fn peak_in(&self, lo: f64, hi: f64) -> Option<(f64, f64)> {
        self.peak_in_source(THEORY, lo, hi)
    }

    /// The largest local maximum of the curve of `source` with α in [lo, hi].
    pub fn peak_in_source(&self, source: &str, lo: f64, hi: f64) -> Option<(f64, f64)> {
        self.peaks(source)
            .into_iter()
            .filter(|p| (lo..=hi).contains(&p.0))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Linear interpolation of (α, ·, y) points at α (clamped at the ends).
pub fn interpolate(points: &[(f64, f64, f64)], alpha: f64) -> f64 {
    if points.is_empty() {
        return f64::NAN;
    }
    if alpha <= points[0].0 {
        return points[0].2;
    }
    for w in points.windows(2) {
        if alpha <= w[1].0 {
            let f = (alpha - w[0].0) / (w[1].0 - w[0].0);
            return w[0].2 * (1.0 - f) + w[1].2 * f;
        }
    }
    points[points.len() - 1].2
}

/// Splits a published curve table into its series, in order of appearance.
pub fn read_series(table: &Table, key_columns: &[&str]) -> Result<Vec<SeriesData>> {
    let rows = Rows::new(table);
    let keys: Vec<Vec<String>> = key_columns
        .iter()
        .map(|c| rows.texts(c))
        .collect::<Result<_>>()?;
    let joined: Vec<String> = (0..table.rows().len())
        .map(|i| {
            keys.iter()
                .map(|k| k[i].clone())
                .collect::<Vec<_>>()
                .join("\u{1f}")
        })
        .collect();
    let source = rows.texts("source")?;
    let alpha = rows.numbers("alpha")?;
    let n = rows.numbers("n")?;
    let test = rows.numbers("test_error")?;
    let std = rows.numbers("std")?;
    let stderr = rows.numbers("stderr")?;
    Ok(distinct(&joined)
        .into_iter()
        .map(|k| {
            let idx: Vec<usize> = (0..joined.len()).filter(|&i| joined[i] == k).collect();
            let pick = |src: &str| -> Vec<(f64, f64, f64)> {
                idx.iter()
                    .filter(|&&i| source[i] == src)
                    .map(|&i| (alpha[i], n[i], test[i]))
                    .collect()
            };
            SeriesData {
                keys: k.split('\u{1f}').map(String::from).collect(),
                theory: pick(THEORY),
                theory_mc: pick(THEORY_MC),
                simulation: idx
                    .iter()
                    .filter(|&&i| source[i] == SIMULATION)
                    .map(|&i| (alpha[i], n[i], test[i], std[i], stderr[i]))
                    .collect(),
            }
        })
        .collect())
}
