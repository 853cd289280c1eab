//! The engine shared by the four learning-curve figures: a set of *series* (one network
//! each — a γ, a target, a depth), theory curves on a fine grid and simulated points
//! from independent replicates, as work units, assembled into one long table.
//!
//! Work units, in this order for every series: the closed-form theory (Definition 4.2
//! → Theorem 3.1), optionally the Monte-Carlo theory (estimated Ω̂, ψ̂, E y² → Theorem
//! 3.1), then one unit per simulation replicate. Replicate r of every series uses the
//! data seed `sim_seed + r` (streams 0 and 1: training and held-out test samples), so
//! series see the same inputs (common random numbers), or, for an ensemble of
//! independent instances, a seed of its own (`DataSeeds`); either way a unit's result
//! does not depend on which shard or thread runs it. The network weights are fixed per series
//! (the theory is conditional on them); replicates redraw the data only.
//!
//! Each replicate is one call of `dsrf_sim::simulate_learning_curve` with one
//! replicate: one feature pass serves every n (nested prefixes) and one factorisation
//! per n serves the penalty.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The `Experiment` methods of a figure whose work is a `Curves` in the field `curves`
/// and whose mode is in the field `mode` (id, mode, raw columns, unit labels, running a
/// unit, assembling the table).
macro_rules! curve_units {
    ($id:expr) => {
        fn id(&self) -> &'static str {
            $id
        }

        fn mode(&self) -> Mode {
            self.mode
        }

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
use dsrf::budget::Budget;
use dsrf::rainbow::{NetworkSpec, VarianceConvention};
use dsrf::sim::{
    ClassificationConfig, Classifier, CurveConfig, FeatureSampler, NetworkTeacher, Penalties,
    SimulatedPoint, Summary, TestError, simulate_classification, simulate_learning_curve,
};
use dsrf::theory::{Labels, Loss, Penalty, Problem, RiskPoint, Units};
use dsrf::{NetworkModel, RealisedNetwork};
use dsrf_report::{Cell, Metadata, Table};
use serde_json::json;

use dsrf::compare::{highest_peak_in, interpolate};

use super::columns::{Rows, distinct, key};

/// One curve family member: the values of the figure's key columns and its network.
pub struct CurveSeries {
    /// Values of the key columns (e.g. γ), in the order of `CurveSetup::key_columns`.
    pub keys: Vec<Cell>,
    /// The learner and target networks, θ* and the label noise.
    pub model: NetworkModel,
}

/// One series per key value (key column: the value), e.g. a Figure 1 network per γ.
pub fn series_of(values: &[f64], model: impl Fn(f64) -> NetworkModel) -> Vec<CurveSeries> {
    values
        .iter()
        .map(|&v| CurveSeries {
            keys: vec![Cell::Number(v)],
            model: model(v),
        })
        .collect()
}

/// Monte-Carlo moments for the theory (the authors' route).
#[derive(Debug, Clone, Copy)]
pub struct MonteCarlo {
    /// Number of samples.
    pub samples: usize,
    /// Seed (stream 0).
    pub seed: u64,
}

/// The ridge penalty of every point of a curve figure.
#[derive(Debug, Clone)]
pub enum CurvePenalty {
    /// One penalty for every n.
    Fixed(Penalty),
    /// One fixed penalty per series (in series order), e.g. a λ per activation.
    PerSeries(Vec<Penalty>),
    /// At every n the penalty λ*(n) that minimises the closed-form theory (clamped into
    /// `OPTIMAL_RANGE`): the theory rows follow the optimal curve, the Monte-Carlo
    /// theory and the simulations use the same λ*(n).
    Optimal,
}

/// The estimator of a curve figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurveLoss {
    /// Ridge: Theorem 3.1 and the ridge simulator; errors are test MSEs.
    Ridge,
    /// A classifier (logistic or hinge) on the sign of the target's output: the
    /// Gaussian-covariate-model equations and held-out classification errors (the
    /// `test_error` column is then the classification error, `train_error` the mean
    /// training loss). Fixed penalties only.
    Classification(Loss),
    /// One classifier per series (in series order).
    ClassificationPerSeries(Vec<Loss>),
}

/// How the simulations' data seeds are assigned (streams 0 and 1 of a seed: the
/// training and held-out samples).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSeeds {
    /// Replicate r of every series uses `sim_seed + r`: the series see the same
    /// inputs (common random numbers, for comparing networks).
    Common,
    /// Replicate r of series s uses `sim_seed + s·replicates + r`: every series its
    /// own inputs (an ensemble whose instances are independent draws).
    PerSeries,
}

/// Everything a learning-curve figure computes.
pub struct CurveSetup {
    /// The columns that identify a series (e.g. `gamma`).
    pub key_columns: Vec<String>,
    /// Input dimension (α = n/d).
    pub d: usize,
    /// Feature dimension of every series' learner.
    pub p: usize,
    /// The penalty.
    pub penalty: CurvePenalty,
    /// Ridge or a classifier.
    pub loss: CurveLoss,
    /// Sample sizes of the theory curves (real numbers: n = αd).
    pub theory_ns: Vec<f64>,
    /// Sample sizes of the simulations.
    pub sim_ns: Vec<usize>,
    /// Simulation replicates per series.
    pub replicates: usize,
    /// Held-out test samples per replicate.
    pub test_size: usize,
    /// The first data seed (see [`DataSeeds`]).
    pub sim_seed: u64,
    /// Which series share data seeds.
    pub data_seeds: DataSeeds,
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

impl Unit {
    /// The series the unit belongs to.
    fn series(self) -> usize {
        match self {
            Unit::Theory(s) | Unit::MonteCarlo(s) | Unit::Simulation(s, _) => s,
        }
    }
}

/// The work units of `setup`, in order (see the module docs).
fn unit_list(setup: &CurveSetup) -> Vec<Unit> {
    let mut units = Vec::new();
    for s in 0..setup.series.len() {
        units.push(Unit::Theory(s));
        if setup.monte_carlo.is_some() {
            units.push(Unit::MonteCarlo(s));
        }
        units.extend((0..setup.replicates).map(|r| Unit::Simulation(s, r)));
    }
    units
}

/// Replaces the network of series s when it can only be built on demand (trained
/// weights): `Ok(None)` keeps the series' own network.
pub type SpecProvider = Arc<dyn Fn(usize) -> Result<Option<NetworkSpec>> + Send + Sync>;

/// A series' realised network and its sampler (built by the first unit of the series
/// that needs it, kept until the series' last unit has run).
struct Realised {
    network: RealisedNetwork,
    teacher: NetworkTeacher,
}

/// A learning-curve figure's computation (units, raw rows, final table).
pub struct Curves {
    setup: CurveSetup,
    cache: Vec<Mutex<Option<Arc<Realised>>>>,
    /// Per series, the units not run yet in this process: when none is left its
    /// realisation is dropped. Why: kept to the end of the figure, `fig1_ensemble`'s 80
    /// realisations (≈ 96 MB each at d = 1000) grew the process to 7.7 GB, every byte
    /// of it fresh pages, and the first touches took 15 % of the figure's CPU time in
    /// the kernel on the 2-core VM. A shard holds only some units of a series and so
    /// keeps its realisations to the end, as before. A unit run again after the release
    /// (a test does) realises the series again, with the same bits: the realisation
    /// depends only on the series' seed.
    open_units: Vec<AtomicUsize>,
    /// Per unit, whether it has run (so a unit run twice is counted once).
    has_run: Vec<AtomicBool>,
    provider: Option<SpecProvider>,
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

/// The raw columns of every unit.
const RAW_COLUMNS: [&str; 7] = [
    "series",
    "source",
    "replicate",
    "n",
    "test_error",
    "train_error",
    "lambda_code",
];

/// The closed-form theory of the paper (averaged variances).
const CONVENTION: VarianceConvention = VarianceConvention::Averaged;

impl Curves {
    /// Wraps a setup (nothing is computed yet).
    pub fn new(setup: CurveSetup) -> Self {
        let cache = setup.series.iter().map(|_| Mutex::new(None)).collect();
        let units = unit_list(&setup);
        let mut per_series = vec![0; setup.series.len()];
        units.iter().for_each(|u| per_series[u.series()] += 1);
        Curves {
            setup,
            cache,
            open_units: per_series.into_iter().map(AtomicUsize::new).collect(),
            has_run: units.iter().map(|_| AtomicBool::new(false)).collect(),
            provider: None,
        }
    }

    /// Like [`Curves::new`], with networks built on demand by `provider` (called by
    /// the first unit of a series that needs it; again only if a unit of the series is
    /// run after all of them have).
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

    /// λ*(n) in code units at every n, from the closed-form theory of series s.
    fn optimal_penalties(&self, s: usize, ns: &[f64]) -> Result<Vec<f64>> {
        let problem = self.realised(s)?.network.problem(CONVENTION)?;
        Ok(problem
            .optimal_curve(ns)?
            .iter()
            .map(|o| o.point.lambda_code.clamp(OPTIMAL_RANGE.0, OPTIMAL_RANGE.1))
            .collect())
    }

    fn unit_list(&self) -> Vec<Unit> {
        unit_list(&self.setup)
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
        RAW_COLUMNS.map(String::from).to_vec()
    }

    /// The common parameters and seeds, added to a figure's metadata.
    pub fn describe(&self, metadata: Metadata) -> Metadata {
        let s = &self.setup;
        let mut m = metadata.parameter("d", s.d).parameter("p", s.p);
        m = match s.penalty {
            CurvePenalty::Optimal => m.parameter(
                "lambda",
                format!(
                    "optimal per n for the closed-form theory, clamped to [{:e}, {:e}] (code units)",
                    OPTIMAL_RANGE.0, OPTIMAL_RANGE.1
                ),
            ),
            CurvePenalty::Fixed(penalty) => m
                .parameter("lambda_paper", penalty.in_units(Units::Paper, s.p))
                .parameter("lambda_code", penalty.in_units(Units::Code, s.p)),
            CurvePenalty::PerSeries(ref penalties) => m.parameter(
                "lambda_paper_per_series",
                json!(penalties.iter().map(|p| p.in_units(Units::Paper, s.p)).collect::<Vec<_>>()),
            ),
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
            if !seeds.contains(&series.model.spec.seed) {
                seeds.push(series.model.spec.seed);
            }
        }
        if let Some(mc) = s.monte_carlo {
            seeds.push(mc.seed);
        }
        let data_seeds = match s.data_seeds {
            DataSeeds::Common => s.replicates,
            DataSeeds::PerSeries => s.replicates * s.series.len(),
        };
        seeds.extend((0..data_seeds as u64).map(|r| s.sim_seed + r));
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
        let own = &self.setup.series[s].model;
        let model = match &self.provider {
            Some(provider) => provider(s)?.map(|spec| NetworkModel {
                spec,
                ..own.clone()
            }),
            None => None,
        };
        // The figures' sizes are fixed and known to fit: no budget.
        let network = model
            .as_ref()
            .unwrap_or(own)
            .realise(&Budget::unlimited())?;
        if network.p() != self.setup.p {
            bail!(
                "series {s} has p = {} but the figure says {}",
                network.p(),
                self.setup.p
            );
        }
        let teacher = network.teacher()?;
        let r = Arc::new(Realised { network, teacher });
        *slot = Some(r.clone());
        Ok(r)
    }

    fn theory_rows(&self, s: usize, source: &str, problem: &Problem) -> Result<Vec<Vec<Cell>>> {
        let mut ns = self.setup.theory_ns.clone();
        ns.extend(self.setup.sim_ns.iter().map(|&n| n as f64));
        ns.sort_by(f64::total_cmp);
        ns.dedup();
        if let Some(loss) = self.classifier_of(s) {
            let Some(penalty) = self.fixed_penalty(s) else {
                bail!("classification curves take a fixed penalty");
            };
            let curve = problem.gcm_curve(&ns, penalty, loss, Labels::Sign { flip: 0.0 })?;
            return Ok(curve
                .iter()
                .map(|pt| {
                    let error = pt.classification_error.unwrap_or(f64::NAN);
                    raw_row(
                        s,
                        source,
                        None,
                        pt.n,
                        [error, pt.train_loss, pt.lambda_code],
                    )
                })
                .collect());
        }
        let curve: Vec<RiskPoint> = match &self.setup.penalty {
            CurvePenalty::Optimal => {
                let lambdas = self.optimal_penalties(s, &ns)?;
                ns.iter()
                    .zip(lambdas)
                    .map(|(&n, l)| problem.risk(n, Penalty::code(l)))
                    .collect::<std::result::Result<_, _>>()?
            }
            CurvePenalty::Fixed(penalty) => problem.learning_curve(&ns, &[*penalty])?,
            CurvePenalty::PerSeries(penalties) => problem.learning_curve(&ns, &[penalties[s]])?,
        };
        Ok(curve
            .iter()
            .map(|pt| {
                raw_row(
                    s,
                    source,
                    None,
                    pt.n,
                    [pt.test_error, pt.train_error, pt.lambda_code],
                )
            })
            .collect())
    }

    /// Replicate r of series s: one penalty, or λ*(n) of every simulated n (one ridge
    /// path serves all; the point of n_k is kept at λ*(n_k) only).
    fn simulation_rows(&self, s: usize, r: usize) -> Result<Vec<Vec<Cell>>> {
        if let Some(loss) = self.classifier_of(s) {
            return self.classification_rows(s, r, loss);
        }
        let net = self.realised(s)?;
        let sim_ns: Vec<f64> = self.setup.sim_ns.iter().map(|&n| n as f64).collect();
        let lambdas = match self.fixed_penalty(s) {
            None => self.optimal_penalties(s, &sim_ns)?,
            Some(penalty) => vec![penalty.to_code(self.setup.p)],
        };
        let keep = |pt: &SimulatedPoint| match self.setup.penalty {
            CurvePenalty::Fixed(_) | CurvePenalty::PerSeries(_) => true,
            CurvePenalty::Optimal => self
                .setup
                .sim_ns
                .iter()
                .zip(&lambdas)
                .any(|(&m, &lm)| m == pt.n && lm == pt.lambda_code),
        };
        let config = CurveConfig {
            ns: self.setup.sim_ns.clone(),
            penalties: Penalties::Code(lambdas.clone()),
            replicates: 1,
            seed: self.data_seed(s, r),
            test: TestError::HeldOut(self.setup.test_size),
        }
        .check(net.teacher.feature_dim())?;
        let points = simulate_learning_curve(&net.teacher, &config, None)?;
        Ok(points
            .iter()
            .filter(|pt| keep(pt))
            .map(|pt| {
                let values = [pt.test.mean, pt.train.mean, pt.lambda_code];
                raw_row(s, SIMULATION, Some(r), pt.n as f64, values)
            })
            .collect())
    }

    /// Replicate r of series s of a classification figure: one fit per simulated n,
    /// scored on held-out samples.
    fn classification_rows(&self, s: usize, r: usize, loss: Loss) -> Result<Vec<Vec<Cell>>> {
        let net = self.realised(s)?;
        let Some(penalty) = self.fixed_penalty(s) else {
            bail!("classification curves take a fixed penalty");
        };
        let classifier = match loss {
            Loss::Logistic => Classifier::Logistic,
            Loss::Hinge => Classifier::Hinge,
            Loss::Square => bail!("the square loss is the ridge figure's"),
        };
        let lambda_code = penalty.to_code(self.setup.p);
        let config = ClassificationConfig {
            ns: self.setup.sim_ns.clone(),
            lambda_code,
            classifier,
            flip: 0.0,
            seed: self.data_seed(s, r),
            replicate: 0,
            test_size: self.setup.test_size,
        };
        let points = simulate_classification(&net.teacher, &config)?;
        Ok(points
            .iter()
            .map(|pt| {
                let values = [pt.classification_error, pt.train_loss, lambda_code];
                raw_row(s, SIMULATION, Some(r), pt.n as f64, values)
            })
            .collect())
    }

    /// The classifier of series s (none for ridge).
    fn classifier_of(&self, s: usize) -> Option<Loss> {
        match &self.setup.loss {
            CurveLoss::Ridge => None,
            CurveLoss::Classification(loss) => Some(*loss),
            CurveLoss::ClassificationPerSeries(losses) => losses.get(s).copied(),
        }
    }

    /// The fixed penalty of series s (none for optimal penalties).
    fn fixed_penalty(&self, s: usize) -> Option<Penalty> {
        match &self.setup.penalty {
            CurvePenalty::Fixed(p) => Some(*p),
            CurvePenalty::PerSeries(p) => p.get(s).copied(),
            CurvePenalty::Optimal => None,
        }
    }

    /// The data seed of replicate r of series s.
    fn data_seed(&self, s: usize, r: usize) -> u64 {
        let index = match self.setup.data_seeds {
            DataSeeds::Common => r,
            DataSeeds::PerSeries => s * self.setup.replicates + r,
        };
        self.setup.sim_seed + index as u64
    }

    /// Runs unit `unit`.
    pub fn run_unit(&self, unit: usize) -> Result<Vec<Vec<Cell>>> {
        let units = self.unit_list();
        let u = *units
            .get(unit)
            .ok_or_else(|| anyhow!("no unit {unit} (there are {})", units.len()))?;
        let rows = self.run(u);
        if !self.has_run[unit].swap(true, Ordering::AcqRel) {
            self.unit_done(u);
        }
        rows
    }

    /// Unit `u`'s raw rows.
    fn run(&self, u: Unit) -> Result<Vec<Vec<Cell>>> {
        match u {
            Unit::Theory(s) => {
                let problem = self.realised(s)?.network.problem(CONVENTION)?;
                self.theory_rows(s, THEORY, &problem)
            }
            Unit::MonteCarlo(s) => {
                let mc = self
                    .setup
                    .monte_carlo
                    .expect("listed only with Monte Carlo");
                let problem = self
                    .realised(s)?
                    .network
                    .monte_carlo_problem(mc.samples, mc.seed)?;
                self.theory_rows(s, THEORY_MC, &problem)
            }
            Unit::Simulation(s, r) => self.simulation_rows(s, r),
        }
    }

    /// Counts unit `u` as run for the first time (whether it succeeded or not) and
    /// drops its series' realisation after the last one.
    fn unit_done(&self, u: Unit) {
        let s = u.series();
        if self.open_units[s].fetch_sub(1, Ordering::AcqRel) == 1 {
            // A poisoned slot only means a build panicked; there is nothing to drop then.
            if let Ok(mut slot) = self.cache[s].lock() {
                *slot = None;
            }
        }
    }

    /// The published long table: per series, the theory rows, the Monte-Carlo theory
    /// rows and the simulation means (± std and standard error over replicates).
    pub fn finish(&self, metadata: Metadata, raw: &Table) -> Result<Table> {
        let raw = RawRows::read(raw)?;
        let mut columns = self.setup.key_columns.clone();
        columns.extend(VALUE_COLUMNS.map(String::from));
        let mut out = Vec::new();
        for (index, spec) in self.setup.series.iter().enumerate() {
            let mine = |src: &str| -> Vec<usize> {
                (0..raw.series.len())
                    .filter(|&i| raw.series[i] as usize == index && raw.source[i] == src)
                    .collect()
            };
            for src in [THEORY, THEORY_MC] {
                let mut idx = mine(src);
                idx.sort_by(|&a, &b| raw.n[a].total_cmp(&raw.n[b]));
                for i in idx {
                    let values = [raw.test[i], f64::NAN, f64::NAN, raw.train[i]];
                    out.push(self.published_row(spec, src, raw.n[i], values, 0, raw.lambda[i]));
                }
            }
            out.extend(self.simulation_means(spec, &raw, &mine(SIMULATION)));
        }
        Ok(Table::new(metadata, columns, out)?)
    }

    /// One simulation row per simulated n: mean, std and standard error over the
    /// replicates, in replicate order whatever order the units arrived in.
    fn simulation_means(
        &self,
        spec: &CurveSeries,
        raw: &RawRows,
        sims: &[usize],
    ) -> Vec<Vec<Cell>> {
        let mut sim_ns: Vec<f64> = sims.iter().map(|&i| raw.n[i]).collect();
        sim_ns.sort_by(f64::total_cmp);
        sim_ns.dedup();
        sim_ns
            .into_iter()
            .map(|n| {
                let mut at: Vec<usize> = sims.iter().copied().filter(|&i| raw.n[i] == n).collect();
                at.sort_by(|&a, &b| raw.replicate[a].total_cmp(&raw.replicate[b]));
                let tests: Vec<f64> = at.iter().map(|&i| raw.test[i]).collect();
                let trains: Vec<f64> = at.iter().map(|&i| raw.train[i]).collect();
                let (test, train) = (Summary::of(&tests), Summary::of(&trains));
                let values = [test.mean, test.std, test.stderr, train.mean];
                self.published_row(spec, SIMULATION, n, values, tests.len(), raw.lambda[at[0]])
            })
            .collect()
    }

    /// A published row: keys, source, α, n, both penalties, [test, std, stderr, train]
    /// and the replicate count.
    fn published_row(
        &self,
        spec: &CurveSeries,
        source: &str,
        n: f64,
        values: [f64; 4],
        count: usize,
        lambda_code: f64,
    ) -> Vec<Cell> {
        let s = &self.setup;
        let (paper, code) = match &s.penalty {
            CurvePenalty::Optimal | CurvePenalty::PerSeries(_) => {
                (lambda_code / s.p as f64, lambda_code)
            }
            CurvePenalty::Fixed(penalty) => (
                penalty.in_units(Units::Paper, s.p),
                penalty.in_units(Units::Code, s.p),
            ),
        };
        let mut r = spec.keys.clone();
        r.extend([
            Cell::from(source),
            Cell::Number(n / s.d as f64),
            Cell::Number(n),
            Cell::Number(paper),
            Cell::Number(code),
        ]);
        r.extend(values.map(Cell::Number));
        r.push(Cell::from(count));
        r
    }
}

/// The raw table's columns.
struct RawRows {
    series: Vec<f64>,
    source: Vec<String>,
    replicate: Vec<f64>,
    n: Vec<f64>,
    test: Vec<f64>,
    train: Vec<f64>,
    lambda: Vec<f64>,
}

impl RawRows {
    fn read(raw: &Table) -> Result<Self> {
        let rows = Rows::new(raw);
        Ok(RawRows {
            series: rows.numbers("series")?,
            source: rows.texts("source")?,
            replicate: rows.numbers("replicate")?,
            n: rows.numbers("n")?,
            test: rows.numbers("test_error")?,
            train: rows.numbers("train_error")?,
            lambda: rows.numbers("lambda_code")?,
        })
    }
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
        self.at_alpha(THEORY, alpha)
    }

    /// The theory of `source` at α by linear interpolation on the grid (NaN without
    /// points).
    pub fn at_alpha(&self, source: &str, alpha: f64) -> f64 {
        interpolate(&self.points(source), alpha).unwrap_or(f64::NAN)
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

    /// (α, ε_g) of the curve of `source`.
    fn points(&self, source: &str) -> Vec<(f64, f64)> {
        self.curve(source).iter().map(|t| (t.0, t.2)).collect()
    }

    /// The largest local maximum of the closed-form theory with α in [lo, hi].
    pub fn peak_in(&self, lo: f64, hi: f64) -> Option<(f64, f64)> {
        self.peak_in_source(THEORY, lo, hi)
    }

    /// The largest local maximum of the curve of `source` with α in [lo, hi].
    pub fn peak_in_source(&self, source: &str, lo: f64, hi: f64) -> Option<(f64, f64)> {
        highest_peak_in(&self.points(source), lo, hi)
    }
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

/// Simulation against theory: over every series (`overall`, with the figure's bound),
/// then per series (`simulation vs theory (<name>)`, reported only).
pub fn simulation_agreements(
    series: &[SeriesData],
    overall: &str,
    name: impl Fn(&SeriesData) -> String,
    required: Option<f64>,
) -> Vec<super::summary::Agreement> {
    use super::summary::Agreement;
    let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.pairs(THEORY)).collect();
    let mut out = vec![Agreement::of(overall, &all, required)];
    out.extend(series.iter().map(|s| {
        let label = format!("simulation vs theory ({})", name(s));
        Agreement::of(&label, &s.pairs(THEORY), None)
    }));
    out
}

/// One raw row (`RAW_COLUMNS`): series, source, replicate (−1 for theory), n and
/// [test error, train error, λ_c].
fn raw_row(
    s: usize,
    source: &str,
    replicate: Option<usize>,
    n: f64,
    values: [f64; 3],
) -> Vec<Cell> {
    vec![
        Cell::from(s),
        Cell::from(source),
        replicate.map_or(Cell::Integer(-1), Cell::from),
        Cell::Number(n),
        Cell::Number(values[0]),
        Cell::Number(values[1]),
        Cell::Number(values[2]),
    ]
}

/// The check of a classification curve: more data, fewer mistakes — the theory falls
/// at every step, the simulation (noisy point to point) from its first to its last n.
pub fn falls_with_alpha(s: &SeriesData, name: &str) -> super::summary::Check {
    let theory: Vec<f64> = s.curve(THEORY).iter().map(|t| t.2).collect();
    let sims: Vec<f64> = s.pairs(THEORY).iter().map(|p| p.0).collect();
    let ends = |v: &[f64]| {
        (
            v.first().copied().unwrap_or(f64::NAN),
            v.last().copied().unwrap_or(f64::NAN),
        )
    };
    let ((t0, t1), (s0, s1)) = (ends(&theory), ends(&sims));
    super::summary::Check {
        claim: format!(
            "{name}: the classification error falls with α (theory at every step, simulation \
             from the first to the last α)"
        ),
        holds: theory.windows(2).all(|w| w[1] < w[0]) && s1 < s0,
        detail: format!("theory {t0:.4} → {t1:.4}; simulation {s0:.4} → {s1:.4}"),
    }
}
