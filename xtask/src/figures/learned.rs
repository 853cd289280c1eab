//! The engine of the learned-feature figures on a finite data set (`real_*`, SPEC
//! §6.3): split a pool, train a network on one part (cached on disk), and for chosen
//! training snapshots compare Theorem 3.1 built from *empirical* feature covariances
//! with empirical ridge regression on the learned features.
//!
//! Following the authors' pipeline: the pool is normalised and split by proportions
//! (test, train_reg, train_w, emp_cov); the network trains on train_w with early
//! stopping on the test loss; for each snapshot the features of emp_cov give φ̄ (the
//! centre), Ω = mean (φ−φ̄)(φ−φ̄)ᵀ, ψ = mean (φ−φ̄)y and E y² (labels not centred);
//! empirical points fit ridge (no intercept) on random subsets of train_reg of the
//! centred features and measure the mean squared error on the test split. The last
//! facet is ridge on the raw inputs (φ = x, centred the same way).
//!
//! Work units: one per facet (a snapshot picked by index: first, last and evenly spaced
//! in between, as the authors do) plus one for the raw inputs. Each unit loads the data
//! and the (cached) training run on first use, so any shard can run any unit.

use std::sync::{Arc, Mutex};

/// The four `Experiment` methods of a figure whose work is a `Learned` in the field
/// `learned` (raw columns, unit labels, running a unit, assembling the table).
macro_rules! learned_units {
    () => {
        fn training_key(&self) -> Option<String> {
            Some(self.learned.training_key().to_string())
        }

        fn prepare(&self) -> Result<()> {
            self.learned.prepare()
        }

        fn raw_columns(&self) -> Vec<String> {
            super::learned::COLUMNS.map(String::from).to_vec()
        }

        fn units(&self) -> Vec<String> {
            self.learned.unit_labels()
        }

        fn run_unit(&self, unit: usize) -> Result<Vec<Vec<dsrf_report::Cell>>> {
            self.learned.run_unit(unit)
        }

        fn finish(&self, raw: &Table) -> Result<Table> {
            self.learned.finish(self.metadata(), raw)
        }
    };
}
pub(crate) use learned_units;

use anyhow::{Result, anyhow, bail};
use dsrf_rainbow::{Activation, Layer, forward};
use dsrf_report::{Cell, Table};
use dsrf_sim::{
    Dataset, Initialization, Optimizer, TrainableNetwork, TrainingConfig, TrainingRun, read_idx,
    split, stream, train,
};
use dsrf_theory::{CodeForm, Covariance, Penalty, Problem};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use serde_json::{Value, json};

use super::columns::Rows;
use super::training_cache::{cache_dir, cached_run};
use crate::data::Source;

/// Where the pool comes from.
#[derive(Debug, Clone)]
pub enum Pool {
    /// MNIST's 70 000 digits (training then test set, as `cargo xtask data` provides
    /// them), parity labels (even → +1).
    MnistParity,
    /// Fashion-MNIST's 28 000 images of the authors' four classes (training then test
    /// set): T-shirt/top, Shirt → −1; Pullover, Coat → +1.
    FashionTops,
    /// The authors' "art" data (SPEC §6.4): x ~ 𝒩(μ, S) with μ the mean and S the
    /// *uncentred* second moment of the normalised MNIST digits of the real figures'
    /// emp_cov split ([`MNIST_MOMENTS_SPLIT`]), or with μ = 0, S = diag(k^{-1/2}) in `d`
    /// dimensions when `mnist` is false (quick mode); labels y = θᵀtanh(Wᵀx), W
    /// (d × `teacher`) and θ i.i.d. 𝒩(0, 1/`teacher`).
    GaussianTeacher {
        /// Moments from MNIST (else the synthetic spectrum in `d` dimensions).
        mnist: bool,
        /// Input dimension when not from MNIST.
        d: usize,
        /// Pool size.
        n: usize,
        /// Teacher width.
        teacher: usize,
        /// Seed of every draw.
        seed: u64,
    },
    /// A synthetic stand-in for the quick mode (no real data): x ~ 𝒩(0, diag(k^{-1/2}))
    /// in d dimensions, y = sign(θᵀtanh(Wx)), `n` samples from `seed`.
    Standin {
        /// Input dimension.
        d: usize,
        /// Pool size.
        n: usize,
        /// Seed of every draw.
        seed: u64,
    },
}

/// The split (proportions, seed) of the real MNIST figures whose emp_cov part gives the
/// "art" moments.
pub const MNIST_MOMENTS_SPLIT: ([f64; 4], u64) = ([0.1, 0.25, 0.25, 0.4], 1);

impl Pool {
    fn describe(&self) -> Value {
        match self {
            Pool::MnistParity => json!(
                "MNIST, 70 000 digits (training + test sets, `cargo xtask data`), parity labels (even -> +1)"
            ),
            Pool::FashionTops => json!(
                "Fashion-MNIST, 28 000 images of 4 classes (training + test sets, `cargo xtask data`): T-shirt/top, Shirt -> -1; Pullover, Coat -> +1"
            ),
            Pool::GaussianTeacher {
                mnist,
                d,
                n,
                teacher,
                seed,
            } => json!({
                "gaussian_teacher": "x ~ N(mu, S), y = theta' tanh(W' x), W, theta ~ N(0, 1/teacher)",
                "moments": if *mnist { "mean and uncentred second moment of the emp_cov split (28 000) of the 70 000 normalised MNIST digits".to_string() } else { format!("mu = 0, S = diag(k^-1/2), d = {d}") },
                "n": n, "teacher": teacher, "seed": seed
            }),
            Pool::Standin { d, n, seed } => json!({
                "standin": "x ~ N(0, diag(k^-1/2)), y = sign(theta' tanh(W x))",
                "d": d, "n": n, "seed": seed
            }),
        }
    }

    fn load(&self) -> Result<Dataset> {
        match self {
            Pool::MnistParity => idx_pool(Source::Mnist, dsrf_sim::parity),
            Pool::FashionTops => idx_pool(Source::FashionMnist, dsrf_sim::fashion_tops),
            &Pool::GaussianTeacher {
                mnist,
                d,
                n,
                teacher,
                seed,
            } => {
                let inputs = if mnist {
                    let (mean, second) = mnist_moments()?;
                    dsrf_sim::GaussianInputs::from_covariance(second.as_ref())
                        .and_then(|g| g.with_mean(mean))
                } else {
                    dsrf_sim::GaussianInputs::from_spectrum(
                        &(1..=d).map(|k| (k as f64).powf(-0.5)).collect::<Vec<_>>(),
                    )
                }
                .map_err(|e| anyhow!("{e}"))?;
                let d = inputs.dim();
                let x = inputs.sample(&mut stream(seed, 0), n);
                let sd = (1.0 / teacher as f64).sqrt();
                let w = dsrf_sim::standard_normal(&mut stream(seed, 1), teacher, d);
                let theta = dsrf_sim::standard_normal(&mut stream(seed, 2), teacher, 1);
                let mut h = Mat::<f64>::zeros(teacher, n);
                matmul(
                    h.as_mut(),
                    Accum::Replace,
                    w.as_ref(),
                    x.as_ref(),
                    sd,
                    Par::rayon(0),
                );
                let labels = (0..n)
                    .map(|j| {
                        (0..teacher)
                            .map(|i| sd * theta[(i, 0)] * h[(i, j)].tanh())
                            .sum()
                    })
                    .collect();
                Ok(Dataset { inputs: x, labels })
            }
            &Pool::Standin { d, n, seed } => {
                let inputs = dsrf_sim::GaussianInputs::from_spectrum(
                    &(1..=d).map(|k| (k as f64).powf(-0.5)).collect::<Vec<_>>(),
                )
                .map_err(|e| anyhow!("{e}"))?;
                let x = inputs.sample(&mut stream(seed, 0), n);
                let w = dsrf_sim::standard_normal(&mut stream(seed, 1), d, d);
                let theta = dsrf_sim::standard_normal(&mut stream(seed, 2), d, 1);
                let mut h = Mat::<f64>::zeros(d, n);
                matmul(
                    h.as_mut(),
                    Accum::Replace,
                    w.as_ref(),
                    x.as_ref(),
                    1.0,
                    Par::Seq,
                );
                let labels = (0..n)
                    .map(|j| {
                        let s: f64 = (0..d).map(|i| theta[(i, 0)] * h[(i, j)].tanh()).sum();
                        if s >= 0.0 { 1.0 } else { -1.0 }
                    })
                    .collect();
                Ok(Dataset { inputs: x, labels })
            }
        }
    }
}

/// The training and test sets of `source`, one after the other, labelled by
/// `class_map` (classes it maps to `None` are dropped).
fn idx_pool(source: Source, class_map: fn(u8) -> Option<f64>) -> Result<Dataset> {
    let files = crate::data::require(source)?;
    let mut halves = Vec::with_capacity(2);
    for pair in files.chunks(2) {
        let images = read_idx(&pair[0]).map_err(|e| anyhow!("{e}"))?;
        let labels = read_idx(&pair[1]).map_err(|e| anyhow!("{e}"))?;
        halves.push(
            dsrf_sim::load_idx_dataset(&images, &labels, class_map).map_err(|e| anyhow!("{e}"))?,
        );
    }
    let (train, test) = (&halves[0], &halves[1]);
    let split_at = train.labels.len();
    let inputs = Mat::from_fn(
        train.inputs.nrows(),
        split_at + test.labels.len(),
        |i, j| {
            if j < split_at {
                train.inputs[(i, j)]
            } else {
                test.inputs[(i, j - split_at)]
            }
        },
    );
    let mut labels = train.labels.clone();
    labels.extend(&test.labels);
    Ok(Dataset { inputs, labels })
}

/// Mean and uncentred second moment of the normalised MNIST digits of the real
/// figures' emp_cov split (exactly symmetric).
fn mnist_moments() -> Result<(Vec<f64>, Mat<f64>)> {
    let mut digits = idx_pool(Source::Mnist, dsrf_sim::parity)?;
    digits.normalize();
    let (proportions, seed) = MNIST_MOMENTS_SPLIT;
    let parts = split(digits.labels.len(), &proportions, seed).map_err(|e| anyhow!("{e}"))?;
    let x = digits.subset(&parts[3]).inputs;
    let n = x.ncols() as f64;
    let mean = (0..x.nrows())
        .map(|i| (0..x.ncols()).map(|j| x[(i, j)]).sum::<f64>() / n)
        .collect();
    let mut s = Mat::<f64>::zeros(x.nrows(), x.nrows());
    matmul(
        s.as_mut(),
        Accum::Replace,
        x.as_ref(),
        x.transpose(),
        1.0 / n,
        Par::rayon(0),
    );
    let s = Mat::from_fn(s.nrows(), s.ncols(), |i, j| 0.5 * (s[(i, j)] + s[(j, i)]));
    Ok((mean, s))
}

/// Everything a learned-feature figure computes.
#[derive(Debug, Clone)]
pub struct LearnedSetup {
    /// Figure id (part of the cache key only through the training description).
    pub pool: Pool,
    /// Proportions of test, train_reg, train_w, emp_cov.
    pub proportions: [f64; 4],
    /// Seed of the split.
    pub split_seed: u64,
    /// Hidden widths.
    pub widths: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Seed of the Glorot-uniform initialisation.
    pub init_seed: u64,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Mini-batch size.
    pub batch: usize,
    /// Maximum epochs.
    pub epochs: usize,
    /// Early-stopping patience (epochs, on the test loss).
    pub patience: usize,
    /// Log-spaced snapshot steps requested.
    pub snapshots: usize,
    /// Network facets (snapshots shown).
    pub facets: usize,
    /// Penalties λ_c (code units).
    pub lambdas: Vec<f64>,
    /// Sample sizes of the theory curves.
    pub theory_ns: Vec<f64>,
    /// Sample sizes of the empirical points (≤ train_reg).
    pub empirical_ns: Vec<usize>,
    /// Random train_reg subsets per empirical point.
    pub repeats: usize,
    /// Seed of the subsets (repeat r: stream r).
    pub subset_seed: u64,
    /// Optimal-λ curves instead of fixed penalties.
    pub optimal: bool,
    /// Also the "lin" theory: `linearize_label_features` of the current weights from
    /// Ω₀ = E x xᵀ and ψ₀ = E x y of the emp_cov split (SPEC §4.4, averaged variances).
    pub lin: bool,
    /// Theory only, one unit per snapshot (all of them, up to `snapshots` + 2: the
    /// initial and final networks), no empirical ridge and no raw-input unit.
    pub det: bool,
}

struct Prepared {
    /// test, train_reg, train_w, emp_cov.
    parts: Vec<Dataset>,
    run: TrainingRun,
}

/// A learned-feature computation (lazy data and training, shared by all units).
pub struct Learned {
    setup: LearnedSetup,
    prepared: Mutex<Option<Arc<Prepared>>>,
}

/// Raw and published columns.
pub const COLUMNS: [&str; 10] = [
    "facet",
    "features",
    "epoch",
    "source",
    "n",
    "lambda_code",
    "test_error",
    "std",
    "repeats",
    "p",
];
/// Sources.
pub const THEORY: &str = "theory";
/// Empirical ridge (mean over subsets).
pub const EMPIRICAL: &str = "empirical";
/// Theorem 3.1 with the linearised covariances of the current weights.
pub const THEORY_LIN: &str = "theory_lin";
/// Empirical ridge (mean over subsets), its error measured on the emp_cov split — the
/// distribution (Ω̂, ψ̂, E y²) the theory is given — instead of the test split.
pub const EMPIRICAL_EMP: &str = "empirical_on_emp_cov";
/// The network's own test MSE (n = NaN-free: repeated at the first and last theory n).
pub const NN_LOSS: &str = "nn_loss";

impl Learned {
    /// Wraps a setup.
    pub fn new(setup: LearnedSetup) -> Self {
        Learned {
            setup,
            prepared: Mutex::new(None),
        }
    }

    /// The setup.
    pub fn setup(&self) -> &LearnedSetup {
        &self.setup
    }

    /// The training configuration and data, as the cache key and metadata.
    pub fn training_key(&self) -> Value {
        let s = &self.setup;
        json!({
            "pool": s.pool.describe(),
            "normalisation": "pixel mean removed, divided by the global std",
            "proportions": s.proportions,
            "split_seed": s.split_seed,
            "widths": s.widths,
            "activation": s.activation.name(),
            "init": "glorot_uniform, no biases",
            "init_seed": s.init_seed,
            "optimizer": "adam(0.9, 0.999, 1e-8)",
            "learning_rate": s.learning_rate,
            "batch": s.batch,
            "epochs": s.epochs,
            "patience": s.patience,
            "snapshots": s.snapshots,
            "parallelism": "sequential",
        })
    }

    /// Unit labels: the facets, then the raw inputs.
    /// The published table: the raw rows minus the driver's `unit` column (the units
    /// already produce the published rows).
    pub fn finish(&self, metadata: dsrf_report::Metadata, raw: &Table) -> Result<Table> {
        let skip = raw.column_index("unit");
        let rows = raw
            .rows()
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != skip)
                    .map(|(_, c)| c.clone())
                    .collect()
            })
            .collect();
        Ok(Table::new(
            metadata,
            COLUMNS.map(String::from).to_vec(),
            rows,
        )?)
    }

    pub fn unit_labels(&self) -> Vec<String> {
        if self.setup.det {
            return (0..self.setup.snapshots + 2)
                .map(|k| format!("snapshot {k}"))
                .collect();
        }
        let mut u: Vec<String> = (0..self.setup.facets)
            .map(|k| format!("snapshot facet {k}"))
            .collect();
        u.push("raw inputs".into());
        u
    }

    /// Loads the data and trains (or loads) the network now.
    pub fn prepare(&self) -> Result<()> {
        self.prepared().map(|_| ())
    }

    fn prepared(&self) -> Result<Arc<Prepared>> {
        let mut slot = self
            .prepared
            .lock()
            .map_err(|_| anyhow!("data preparation panicked"))?;
        if let Some(p) = slot.as_ref() {
            return Ok(p.clone());
        }
        let s = &self.setup;
        let mut data = s.pool.load()?;
        // The authors normalise the real images, not their synthetic "art" samples.
        if !matches!(s.pool, Pool::GaussianTeacher { .. }) {
            data.normalize();
        }
        let parts: Vec<Dataset> = split(data.labels.len(), &s.proportions, s.split_seed)
            .map_err(|e| anyhow!("{e}"))?
            .iter()
            .map(|idx| data.subset(idx))
            .collect();
        let run = cached_run(&cache_dir(), &self.training_key(), || {
            let hidden: Vec<(usize, Activation)> = s
                .widths
                .iter()
                .map(|&w| (w, s.activation.clone()))
                .collect();
            let network = TrainableNetwork::new(
                data.inputs.nrows(),
                &hidden,
                Initialization::GlorotUniform,
                &mut stream(s.init_seed, 0),
            )
            .map_err(|e| anyhow!("{e}"))?;
            let config = TrainingConfig {
                optimizer: Optimizer::adam(s.learning_rate),
                weight_decay: 0.0,
                batch_size: Some(s.batch),
                epochs: s.epochs,
                patience: Some(s.patience),
                snapshots: s.snapshots,
                seed: s.init_seed,
                parallelism: Par::Seq,
            };
            let (test, train_w) = (&parts[0], &parts[2]);
            train(
                network,
                train_w.inputs.as_ref(),
                &train_w.labels,
                Some((test.inputs.as_ref(), &test.labels)),
                &config,
            )
            .map_err(|e| anyhow!("training failed: {e}"))
        })?;
        let p = Arc::new(Prepared { parts, run });
        *slot = Some(p.clone());
        Ok(p)
    }

    /// Runs unit `unit`: rows in `COLUMNS` order.
    pub fn run_unit(&self, unit: usize) -> Result<Vec<Vec<Cell>>> {
        let s = &self.setup;
        if s.det {
            return self.det_unit(unit);
        }
        if unit > s.facets {
            bail!("no unit {unit} (there are {})", s.facets + 1);
        }
        let prep = self.prepared()?;
        let (layers, epoch, features, nn_loss): (Vec<Layer>, f64, &str, Option<f64>) =
            if unit == s.facets {
                (vec![], -1.0, "raw inputs", None)
            } else {
                let snaps = &prep.run.snapshots;
                let idx = if s.facets == 1 {
                    snaps.len() - 1
                } else {
                    ((unit * (snaps.len() - 1)) as f64 / (s.facets - 1) as f64).round() as usize
                };
                let snap = &snaps[idx];
                let test = &prep.parts[0];
                let loss = snap
                    .network
                    .loss(test.inputs.as_ref(), &test.labels, Par::Seq);
                (
                    snap.network.layers.clone(),
                    snap.epoch,
                    "network",
                    Some(loss),
                )
            };
        let centred = |data: &Dataset, centre: Option<&[f64]>| -> (Mat<f64>, Vec<f64>) {
            let mut f = forward(&layers, &data.inputs, Par::Seq);
            let mean: Vec<f64> = match centre {
                Some(c) => c.to_vec(),
                None => (0..f.nrows())
                    .map(|i| (0..f.ncols()).map(|j| f[(i, j)]).sum::<f64>() / f.ncols() as f64)
                    .collect(),
            };
            for j in 0..f.ncols() {
                for (v, m) in f.col_as_slice_mut(j).iter_mut().zip(&mean) {
                    *v -= m;
                }
            }
            (f, mean)
        };
        let (emp, centre) = centred(&prep.parts[3], None);
        let (reg, _) = centred(&prep.parts[1], Some(&centre));
        let (test, _) = centred(&prep.parts[0], Some(&centre));
        let problem = moments_problem(emp.as_ref(), &prep.parts[3].labels)?;
        let lin_problem = if s.lin && !layers.is_empty() {
            Some(lin_problem(&layers, &prep.parts[3])?)
        } else {
            None
        };
        let p = emp.nrows();
        let row = |source: &str, n: f64, lambda: f64, err: f64, std: f64, repeats: usize| {
            vec![
                Cell::from(unit),
                Cell::from(features),
                Cell::Number(epoch),
                Cell::from(source),
                Cell::Number(n),
                Cell::Number(lambda),
                Cell::Number(err),
                Cell::Number(std),
                Cell::from(repeats),
                Cell::from(p),
            ]
        };
        let mut rows = Vec::new();
        let mut ns = s.theory_ns.clone();
        ns.extend(s.empirical_ns.iter().map(|&n| n as f64));
        ns.sort_by(f64::total_cmp);
        ns.dedup();
        // Penalties per empirical n: fixed, or the theory's optimum.
        let mut lambda_at: Vec<Vec<f64>> = vec![s.lambdas.clone(); s.empirical_ns.len()];
        if let Some(lin) = &lin_problem {
            if s.optimal {
                for o in lin.optimal_curve(&ns)? {
                    let pt = o.point;
                    rows.push(row(
                        THEORY_LIN,
                        pt.n,
                        pt.lambda_code,
                        pt.test_error,
                        f64::NAN,
                        0,
                    ));
                }
            } else {
                let penalties: Vec<Penalty> = s.lambdas.iter().map(|&l| Penalty::code(l)).collect();
                for pt in lin.learning_curve(&ns, &penalties)? {
                    rows.push(row(
                        THEORY_LIN,
                        pt.n,
                        pt.lambda_code,
                        pt.test_error,
                        f64::NAN,
                        0,
                    ));
                }
            }
        }
        if s.optimal {
            let curve = problem.optimal_curve(&ns)?;
            for o in &curve {
                let l = o.point.lambda_code;
                rows.push(row(THEORY, o.point.n, l, o.point.test_error, f64::NAN, 0));
                if let Some(k) = s.empirical_ns.iter().position(|&m| m as f64 == o.point.n) {
                    lambda_at[k] = vec![l];
                }
            }
        } else {
            let penalties: Vec<Penalty> = s.lambdas.iter().map(|&l| Penalty::code(l)).collect();
            for point in problem.learning_curve(&ns, &penalties)? {
                rows.push(row(
                    THEORY,
                    point.n,
                    point.lambda_code,
                    point.test_error,
                    f64::NAN,
                    0,
                ));
            }
        }
        let labels = &prep.parts[1].labels;
        let test_labels = &prep.parts[0].labels;
        let pool = reg.ncols();
        // errors[k][l][r]
        let mut errors: Vec<Vec<Vec<f64>>> = lambda_at
            .iter()
            .map(|ls| vec![Vec::with_capacity(s.repeats); ls.len()])
            .collect();
        let mut errors_emp = errors.clone();
        let emp_labels = &prep.parts[3].labels;
        for r in 0..s.repeats {
            // A seeded permutation of the pool (the subsets of one repeat are nested).
            let order = split(pool, &[1.0], s.subset_seed + r as u64)
                .map_err(|e| anyhow!("{e}"))?
                .concat();
            for (k, &n) in s.empirical_ns.iter().enumerate() {
                let n = n.min(pool);
                let x = Mat::from_fn(p, n, |i, j| reg[(i, order[j])]);
                let y: Vec<f64> = order[..n].iter().map(|&j| labels[j]).collect();
                let lambdas = &lambda_at[k];
                if !lambdas.iter().all(|l| l.is_finite() && *l > 0.0) {
                    continue;
                }
                let (w, _) = dsrf_linalg::ridge_path(x.as_ref(), &y, lambdas, Par::Seq)
                    .map_err(|e| anyhow!("ridge failed: {e}"))?;
                let on_test = mse_per_penalty(w.as_ref(), test.as_ref(), test_labels);
                let on_emp = mse_per_penalty(w.as_ref(), emp.as_ref(), emp_labels);
                for l in 0..lambdas.len() {
                    errors[k][l].push(on_test[l]);
                    errors_emp[k][l].push(on_emp[l]);
                }
            }
        }
        for (k, &n) in s.empirical_ns.iter().enumerate() {
            for (l, &lambda) in lambda_at[k].iter().enumerate() {
                let e = &errors[k][l];
                if e.is_empty() {
                    continue;
                }
                let (mean, std) = super::curves::mean_std(e);
                rows.push(row(EMPIRICAL, n as f64, lambda, mean, std, e.len()));
                let (mean, std) = super::curves::mean_std(&errors_emp[k][l]);
                rows.push(row(EMPIRICAL_EMP, n as f64, lambda, mean, std, e.len()));
            }
        }
        if let Some(loss) = nn_loss {
            rows.push(row(NN_LOSS, f64::NAN, f64::NAN, loss, f64::NAN, 0));
        }
        Ok(rows)
    }
}

impl Learned {
    /// Theory rows of snapshot `unit` (none when training kept fewer snapshots).
    fn det_unit(&self, unit: usize) -> Result<Vec<Vec<Cell>>> {
        let s = &self.setup;
        let prep = self.prepared()?;
        let Some(snap) = prep.run.snapshots.get(unit) else {
            return Ok(Vec::new());
        };
        let emp = &prep.parts[3];
        let mut f = forward(&snap.network.layers, &emp.inputs, Par::Seq);
        let n = f.ncols() as f64;
        let mean: Vec<f64> = (0..f.nrows())
            .map(|i| (0..f.ncols()).map(|j| f[(i, j)]).sum::<f64>() / n)
            .collect();
        for j in 0..f.ncols() {
            for (v, m) in f.col_as_slice_mut(j).iter_mut().zip(&mean) {
                *v -= m;
            }
        }
        let p = f.nrows();
        let problem = moments_problem(f.as_ref(), &emp.labels)?;
        let penalties: Vec<Penalty> = s.lambdas.iter().map(|&l| Penalty::code(l)).collect();
        let test = &prep.parts[0];
        let loss = snap
            .network
            .loss(test.inputs.as_ref(), &test.labels, Par::Seq);
        let row = |source: &str, n: f64, lambda: f64, err: f64| {
            vec![
                Cell::from(unit),
                Cell::from("network"),
                Cell::Number(snap.epoch),
                Cell::from(source),
                Cell::Number(n),
                Cell::Number(lambda),
                Cell::Number(err),
                Cell::Number(f64::NAN),
                Cell::from(0usize),
                Cell::from(p),
            ]
        };
        let mut rows: Vec<Vec<Cell>> = problem
            .learning_curve(&s.theory_ns, &penalties)?
            .iter()
            .map(|pt| row(THEORY, pt.n, pt.lambda_code, pt.test_error))
            .collect();
        rows.push(row(NN_LOSS, f64::NAN, f64::NAN, loss));
        Ok(rows)
    }
}

/// The "lin" theory: Ω₀ = E x xᵀ (uncentred), ψ₀ = E x y and E y² of `data`, pushed
/// through `layers` by `linearize_label_features` (averaged variances, SPEC §4.4).
fn lin_problem(layers: &[Layer], data: &Dataset) -> Result<Problem> {
    let x = &data.inputs;
    let (d, n) = (x.nrows(), x.ncols());
    let mut omega0 = Mat::<f64>::zeros(d, d);
    matmul(
        omega0.as_mut(),
        Accum::Replace,
        x.as_ref(),
        x.transpose(),
        1.0 / n as f64,
        Par::rayon(0),
    );
    let omega0 = Mat::from_fn(d, d, |i, j| 0.5 * (omega0[(i, j)] + omega0[(j, i)]));
    let psi0: Vec<f64> = (0..d)
        .map(|i| (0..n).map(|j| x[(i, j)] * data.labels[j]).sum::<f64>() / n as f64)
        .collect();
    let lin = dsrf_rainbow::linearize_label_features(
        omega0.as_ref(),
        &psi0,
        layers,
        dsrf_rainbow::VarianceConvention::Averaged,
    )
    .map_err(|e| anyhow!("linearisation failed: {e}"))?;
    Ok(CodeForm {
        omega: Covariance::Matrix(lin.omega),
        psi: lin.psi,
        label_second_moment: data.labels.iter().map(|y| y * y).sum::<f64>() / n as f64,
        noise_variance: 0.0,
    }
    .check()?)
}

/// Theorem 3.1's input from centred features (p × N) and labels.
fn moments_problem(features: MatRef<'_, f64>, labels: &[f64]) -> Result<Problem> {
    let (p, n) = (features.nrows(), features.ncols());
    let mut omega = Mat::<f64>::zeros(p, p);
    matmul(
        omega.as_mut(),
        Accum::Replace,
        features,
        features.transpose(),
        1.0 / n as f64,
        Par::rayon(0),
    );
    // Exact symmetry (the product's summation order may differ between triangles).
    let omega = Mat::from_fn(p, p, |i, j| 0.5 * (omega[(i, j)] + omega[(j, i)]));
    let psi: Vec<f64> = (0..p)
        .map(|i| (0..n).map(|j| features[(i, j)] * labels[j]).sum::<f64>() / n as f64)
        .collect();
    let label_second_moment = labels.iter().map(|y| y * y).sum::<f64>() / n as f64;
    Ok(CodeForm {
        omega: Covariance::Matrix(omega),
        psi,
        label_second_moment,
        noise_variance: 0.0,
    }
    .check()?)
}

/// (empirical mean, theory) pairs at matching (facet, n, λ) with n ≥ `n_min`.
pub fn empirical_pairs(table: &Table, which: &str, n_min: f64) -> Result<Vec<(f64, f64)>> {
    let rows = Rows::new(table);
    let facet = rows.numbers("facet")?;
    let source = rows.texts("source")?;
    let n = rows.numbers("n")?;
    let lambda = rows.numbers("lambda_code")?;
    let err = rows.numbers("test_error")?;
    let mut out = Vec::new();
    for i in (0..n.len()).filter(|&i| source[i] == which && n[i] >= n_min) {
        let same = |j: usize| {
            source[j] == THEORY
                && facet[j] == facet[i]
                && n[j] == n[i]
                && ((lambda[j] - lambda[i]) / lambda[i]).abs() < 1e-12
        };
        if let Some(j) = (0..n.len()).find(|&j| same(j)) {
            out.push((err[i], err[j]));
        }
    }
    Ok(out)
}

/// `count` sample sizes spaced geometrically from `lo` to `hi`, rounded, distinct.
pub fn geomspace(lo: f64, hi: f64, count: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..count)
        .map(|i| {
            let t = i as f64 / (count - 1).max(1) as f64;
            (lo * (hi / lo).powf(t)).round() as usize
        })
        .collect();
    v.dedup();
    v
}

/// Mean squared error of every column of `w` (one fitted readout per penalty) on the
/// samples in the columns of `features`.
fn mse_per_penalty(w: MatRef<'_, f64>, features: MatRef<'_, f64>, labels: &[f64]) -> Vec<f64> {
    let mut pred = Mat::<f64>::zeros(w.ncols(), features.ncols());
    matmul(
        pred.as_mut(),
        Accum::Replace,
        w.transpose(),
        features,
        1.0,
        Par::Seq,
    );
    (0..w.ncols())
        .map(|l| {
            (0..features.ncols())
                .map(|j| (pred[(l, j)] - labels[j]).powi(2))
                .sum::<f64>()
                / features.ncols() as f64
        })
        .collect()
}
