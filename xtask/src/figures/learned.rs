//! The learned-feature figures' side of the facade's pipeline (`dsrf::learned`, SPEC
//! §6.3): which pool, which network and training, which snapshots become facets, and
//! the table rows of each unit. The arithmetic — the authors' splits, training, the
//! centring by the emp_cov mean, Theorem 3.1 from empirical (and linearised)
//! covariances, ridge on random train_reg subsets — is the facade's.
//!
//! Work units: one per facet (a snapshot picked by index: first, last and evenly spaced
//! in between, as the authors do) plus one for the raw inputs, or (theory-only figures)
//! one per training snapshot. Each unit loads the data and the training run (from the
//! training cache) on first use, so any shard can run any unit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// The `Experiment` methods of a figure whose work is a `Learned` in the field
/// `learned`, with fields `id` and `mode` (id, mode, training, raw columns, unit labels,
/// running a unit, assembling the table).
macro_rules! learned_units {
    () => {
        fn id(&self) -> &'static str {
            self.id
        }

        fn mode(&self) -> Mode {
            self.mode
        }

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
use dsrf::budget::Budget;
use dsrf::empirical::{Centring, column_mean, empirical_moments};
use dsrf::learned::{
    ComparisonPlan, EmpiricalTheory, FeatureComparison, LinearisedTheory, PenaltyChoice, Splits,
    compare_features, compare_features_with,
};
use dsrf::linalg::fixed_parallelism;
use dsrf::rainbow::Activation;
use dsrf::sim::{
    Dataset, GaussianInputs, Initialization, Optimizer, Precision, TrainableNetwork, TrainingCache,
    TrainingConfig, TrainingRun, read_idx, split, standard_normal, stream,
};
use dsrf::theory::Penalty;
use dsrf_report::{Cell, Metadata, Table};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef};
use serde_json::{Value, json};

use super::columns::Rows;
use super::experiment::Mode;
use super::training_cache::report;
use crate::data::Source;

/// Where the inputs of the "art" data come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moments {
    /// μ the mean and S the *uncentred* second moment of the normalised MNIST digits of
    /// the real figures' emp_cov split ([`MNIST_MOMENTS_SPLIT`]).
    Mnist,
    /// μ = 0, S = diag(k^{-1/2}) in `d` dimensions (quick mode).
    PowerLaw {
        /// Input dimension.
        d: usize,
    },
}

/// Where the pool comes from.
#[derive(Debug, Clone)]
pub enum Pool {
    /// MNIST's 70 000 digits (training then test set, as `cargo xtask data` provides
    /// them), parity labels (even → +1).
    MnistParity,
    /// Fashion-MNIST's 28 000 images of the authors' four classes (training then test
    /// set): T-shirt/top, Shirt → −1; Pullover, Coat → +1.
    FashionTops,
    /// The authors' "art" data (SPEC §6.4): x ~ 𝒩(μ, S), labels y = θᵀtanh(Wᵀx), W
    /// (d × `teacher`) and θ i.i.d. 𝒩(0, 1/`teacher`).
    GaussianTeacher {
        /// μ and S.
        moments: Moments,
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

/// x ~ 𝒩(0, diag(k^{-1/2})), k = 1..d.
fn power_law_inputs(d: usize) -> Result<GaussianInputs> {
    let spectrum: Vec<f64> = (1..=d).map(|k| (k as f64).powf(-0.5)).collect();
    Ok(GaussianInputs::from_spectrum(&spectrum)?)
}

/// The teacher of both synthetic pools: Σᵢ s θᵢ tanh(s (W x)ᵢ) for every column x, with
/// W (`width` × d) and θ i.i.d. 𝒩(0, 1) from streams 1 and 2 of `seed`.
fn tanh_teacher(x: MatRef<'_, f64>, width: usize, scale: f64, seed: u64) -> Vec<f64> {
    let w = standard_normal(&mut stream(seed, 1), width, x.nrows());
    let theta = standard_normal(&mut stream(seed, 2), width, 1);
    let mut h = Mat::<f64>::zeros(width, x.ncols());
    // A fixed degree: the same bits in a pool of any size (ARCHITECTURE, Parallelism).
    matmul(
        h.as_mut(),
        Accum::Replace,
        w.as_ref(),
        x,
        scale,
        dsrf::linalg::fixed_parallelism(),
    );
    (0..x.ncols())
        .map(|j| {
            (0..width)
                .map(|i| scale * theta[(i, 0)] * h[(i, j)].tanh())
                .sum()
        })
        .collect()
}

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
                moments,
                n,
                teacher,
                seed,
            } => json!({
                "gaussian_teacher": "x ~ N(mu, S), y = theta' tanh(W' x), W, theta ~ N(0, 1/teacher)",
                "moments": match moments {
                    Moments::Mnist => "mean and uncentred second moment of the emp_cov split (28 000) of the 70 000 normalised MNIST digits".to_string(),
                    Moments::PowerLaw { d } => format!("mu = 0, S = diag(k^-1/2), d = {d}"),
                },
                "n": n, "teacher": teacher, "seed": seed
            }),
            Pool::Standin { d, n, seed } => json!({
                "standin": "x ~ N(0, diag(k^-1/2)), y = sign(theta' tanh(W x))",
                "d": d, "n": n, "seed": seed
            }),
        }
    }

    fn load(&self) -> Result<Dataset> {
        match *self {
            Pool::MnistParity => idx_pool(Source::Mnist, dsrf::sim::parity),
            Pool::FashionTops => idx_pool(Source::FashionMnist, dsrf::sim::fashion_tops),
            Pool::GaussianTeacher {
                moments,
                n,
                teacher,
                seed,
            } => {
                let inputs = match moments {
                    Moments::Mnist => {
                        let (mean, second) = mnist_moments()?;
                        GaussianInputs::from_covariance(second.as_ref())?.with_mean(mean)?
                    }
                    Moments::PowerLaw { d } => power_law_inputs(d)?,
                };
                let x = inputs.sample(&mut stream(seed, 0), n);
                let sd = (1.0 / teacher as f64).sqrt();
                let labels = tanh_teacher(x.as_ref(), teacher, sd, seed);
                Ok(Dataset { inputs: x, labels })
            }
            Pool::Standin { d, n, seed } => {
                let x = power_law_inputs(d)?.sample(&mut stream(seed, 0), n);
                let labels = tanh_teacher(x.as_ref(), d, 1.0, seed)
                    .into_iter()
                    .map(|s| if s >= 0.0 { 1.0 } else { -1.0 })
                    .collect();
                Ok(Dataset { inputs: x, labels })
            }
        }
    }

    /// The authors normalise the real images (and so the stand-in), not their synthetic
    /// "art" samples.
    fn normalised(&self) -> bool {
        !matches!(self, Pool::GaussianTeacher { .. })
    }
}

/// The training and test sets of `source`, one after the other, labelled by
/// `class_map` (classes it maps to `None` are dropped).
fn idx_pool(source: Source, class_map: fn(u8) -> Option<f64>) -> Result<Dataset> {
    let files = crate::data::require(source)?;
    let mut halves = Vec::with_capacity(2);
    for pair in files.chunks(2) {
        let (images, labels) = (read_idx(&pair[0])?, read_idx(&pair[1])?);
        halves.push(dsrf::sim::load_idx_dataset(&images, &labels, class_map)?);
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
/// figures' emp_cov split.
fn mnist_moments() -> Result<(Vec<f64>, Mat<f64>)> {
    let mut digits = idx_pool(Source::Mnist, dsrf::sim::parity)?;
    digits.normalize();
    let (proportions, seed) = MNIST_MOMENTS_SPLIT;
    let parts = split(digits.labels.len(), &proportions, seed)?;
    let emp_cov = digits.subset(&parts[3]);
    let second = empirical_moments(
        emp_cov.inputs.as_ref(),
        &emp_cov.labels,
        &Centring::Uncentred,
        &Budget::unlimited(),
    )?;
    Ok((column_mean(emp_cov.inputs.as_ref()), second.omega))
}

/// Fixed penalties or the theory's optimum per n.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Penalties {
    /// The setup's `lambdas` (code units).
    Fixed,
    /// The optimal λ of the empirical-covariance theory at every n (ridge fitted there).
    Optimal,
}

/// Which units a figure has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// This many snapshots as facets (first, last, evenly spaced between), each with
    /// theory and empirical ridge, then one unit of ridge on the raw inputs.
    Facets(usize),
    /// Theory only, one unit per snapshot (all of them, up to `snapshots` + 2: the
    /// initial and final networks).
    EverySnapshot,
}

/// Everything a learned-feature figure computes.
#[derive(Debug, Clone)]
pub struct LearnedSetup {
    /// The data.
    pub pool: Pool,
    /// Proportions of test, train_reg, train_w, emp_cov.
    pub proportions: [f64; 4],
    /// Seed of the split.
    pub split_seed: u64,
    /// Hidden widths.
    pub widths: Vec<usize>,
    /// Hidden activation.
    pub activation: Activation,
    /// Seed of the Glorot-uniform initialisation (and of the batch shuffling).
    pub init_seed: u64,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Mini-batch size.
    pub batch: usize,
    /// The floating-point type of training (the authors trained in Keras' float32).
    pub precision: Precision,
    /// Maximum epochs.
    pub epochs: usize,
    /// Early-stopping patience (epochs, on the test loss).
    pub patience: usize,
    /// Log-spaced snapshot steps requested.
    pub snapshots: usize,
    /// The units.
    pub layout: Layout,
    /// Penalties λ_c (code units) of the fixed-penalty curves.
    pub lambdas: Vec<f64>,
    /// Fixed or optimal penalties.
    pub penalties: Penalties,
    /// Sample sizes of the theory curves.
    pub theory_ns: Vec<f64>,
    /// Sample sizes of the empirical points (≤ train_reg).
    pub empirical_ns: Vec<usize>,
    /// Random train_reg subsets per empirical point.
    pub repeats: usize,
    /// Seed of the subsets (repeat r permutes train_reg with seed `subset_seed + r`).
    pub subset_seed: u64,
    /// Also the "lin" theory: `linearize_label_features` of the current weights from
    /// Ω₀ = E x xᵀ and ψ₀ = E x y of the emp_cov split (SPEC §4.4).
    pub linearised: LinearisedTheory,
}

/// The data and training run of one training key, and the plan-independent part of
/// each feature map's comparison as far as some figure has computed it.
struct Prepared {
    splits: Splits,
    run: TrainingRun,
    theories: Mutex<HashMap<FeatureMap, Arc<EmpiricalTheory>>>,
}

/// The features of a unit: the raw inputs or a training snapshot (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FeatureMap {
    RawInputs,
    Snapshot(usize),
}

/// Where a training key's [`Prepared`] lives once loaded.
type Slot = Mutex<Option<Arc<Prepared>>>;

/// The slot of every training key (and cache) some live figure uses. The figures of one
/// process with the same key hold the same slot: the data are loaded and the training
/// run read once, and each snapshot's Ω̂ is reduced once however many figures show it
/// (`real_emp`, `real_det` and `real_opt` share a network, as do the three "art"
/// figures). The slot is dropped with the last figure holding it.
static SLOTS: Mutex<Option<HashMap<String, Weak<Slot>>>> = Mutex::new(None);

/// The slot of `key`: a live figure's, or a new one.
fn shared_slot(key: String) -> Arc<Slot> {
    let mut slots = SLOTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let slots = slots.get_or_insert_with(HashMap::new);
    slots.retain(|_, slot| slot.strong_count() > 0);
    if let Some(slot) = slots.get(&key).and_then(Weak::upgrade) {
        return slot;
    }
    let slot = Arc::new(Mutex::new(None));
    slots.insert(key, Arc::downgrade(&slot));
    slot
}

/// A learned-feature computation (lazy data and training, shared by all units and by
/// the other figures of the same training key).
pub struct Learned {
    setup: LearnedSetup,
    cache: TrainingCache,
    prepared: Arc<Slot>,
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

/// What a unit's rows are about.
struct Facet<'a> {
    unit: usize,
    features: &'a str,
    epoch: f64,
    nn_loss: Option<f64>,
}

impl Learned {
    /// Wraps a setup; trained networks are read from and stored in `cache`.
    pub fn new(setup: LearnedSetup, cache: TrainingCache) -> Self {
        let mut learned = Learned {
            setup,
            cache,
            prepared: Arc::new(Mutex::new(None)),
        };
        let key = format!(
            "{} in {}",
            learned.training_key(),
            learned.cache.dir.display()
        );
        learned.prepared = shared_slot(key);
        learned
    }

    /// The setup.
    pub fn setup(&self) -> &LearnedSetup {
        &self.setup
    }

    /// What is trained on which data, for the metadata; figures with the same
    /// description share one training run (the driver trains it once).
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
            "precision": s.precision.name(),
            "parallelism": "faer degree 4 (thread-count independent)",
        })
    }

    /// The parameters every learned figure records (figures add their own).
    pub fn metadata(&self, id: &str, mode: Mode) -> Metadata {
        let s = &self.setup;
        let mut m = Metadata::new(id, env!("CARGO_PKG_VERSION"))
            .parameter("mode", mode.name())
            .parameter("training", self.training_key())
            .parameter("lambdas_code", json!(s.lambdas))
            .parameter("theory_ns", json!(s.theory_ns));
        m.seeds = vec![s.split_seed, s.init_seed];
        m
    }

    /// The published table: the raw rows minus the driver's `unit` column (the units
    /// already produce the published rows).
    pub fn finish(&self, metadata: Metadata, raw: &Table) -> Result<Table> {
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

    /// Unit labels: the facets, then the raw inputs (or every snapshot).
    pub fn unit_labels(&self) -> Vec<String> {
        match self.setup.layout {
            Layout::EverySnapshot => (0..self.setup.snapshots + 2)
                .map(|k| format!("snapshot {k}"))
                .collect(),
            Layout::Facets(count) => (0..count)
                .map(|k| format!("snapshot facet {k}"))
                .chain(["raw inputs".to_string()])
                .collect(),
        }
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
        if s.pool.normalised() {
            data.normalize();
        }
        let splits = Splits::of(&data, s.proportions, s.split_seed)?;
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
        )?;
        let config = TrainingConfig {
            optimizer: Optimizer::adam(s.learning_rate),
            weight_decay: 0.0,
            batch_size: Some(s.batch),
            epochs: s.epochs,
            patience: Some(s.patience),
            snapshots: s.snapshots,
            seed: s.init_seed,
            precision: s.precision,
            // faer's fixed degree, so that the weights do not depend on the thread count
            // while a lone training still uses every core.
            parallelism: fixed_parallelism(),
        };
        // Early stopping monitors the test split, as the authors do.
        let (train_w, test) = (&splits.train_w, &splits.test);
        let cached = self.cache.load_or_train(
            network,
            train_w.inputs.as_ref(),
            &train_w.labels,
            Some((test.inputs.as_ref(), &test.labels)),
            &config,
        )?;
        report(&cached, &format!("{:?} network", s.widths));
        let p = Arc::new(Prepared {
            splits,
            run: cached.run,
            theories: Mutex::new(HashMap::new()),
        });
        *slot = Some(p.clone());
        Ok(p)
    }

    /// What a unit computes: the empirical points only in the facet layout.
    fn plan(&self) -> ComparisonPlan {
        let s = &self.setup;
        let (empirical_ns, repeats) = match s.layout {
            Layout::Facets(_) => (s.empirical_ns.clone(), s.repeats),
            Layout::EverySnapshot => (Vec::new(), 0),
        };
        ComparisonPlan {
            penalties: match s.penalties {
                Penalties::Fixed => {
                    PenaltyChoice::Given(s.lambdas.iter().map(|&l| Penalty::code(l)).collect())
                }
                Penalties::Optimal => PenaltyChoice::Optimal,
            },
            theory_ns: s.theory_ns.clone(),
            empirical_ns,
            repeats,
            subset_seed: s.subset_seed,
            linearised: s.linearised,
        }
    }

    /// Runs unit `unit`: rows in `COLUMNS` order.
    pub fn run_unit(&self, unit: usize) -> Result<Vec<Vec<Cell>>> {
        let prep = self.prepared()?;
        let snapshots = &prep.run.snapshots;
        let index = match self.setup.layout {
            // Training may have kept fewer snapshots: no rows.
            Layout::EverySnapshot if unit >= snapshots.len() => return Ok(Vec::new()),
            Layout::EverySnapshot => unit,
            Layout::Facets(count) if unit == count => {
                let facet = Facet {
                    unit,
                    features: "raw inputs",
                    epoch: -1.0,
                    nn_loss: None,
                };
                let c = prep.compare(FeatureMap::RawInputs, &[], &self.plan())?;
                return Ok(rows(&facet, &c));
            }
            Layout::Facets(count) if unit > count => {
                bail!("no unit {unit} (there are {})", count + 1)
            }
            Layout::Facets(1) => snapshots.len() - 1,
            Layout::Facets(count) => {
                ((unit * (snapshots.len() - 1)) as f64 / (count - 1) as f64).round() as usize
            }
        };
        let snapshot = &snapshots[index];
        let test = &prep.splits.test;
        let facet = Facet {
            unit,
            features: "network",
            epoch: snapshot.epoch,
            nn_loss: Some(snapshot.network.loss(
                test.inputs.as_ref(),
                &test.labels,
                faer::Par::Seq,
            )),
        };
        let layers = &snapshot.network.layers;
        let c = prep.compare(FeatureMap::Snapshot(index), layers, &self.plan())?;
        Ok(rows(&facet, &c))
    }
}

impl Prepared {
    /// `compare_features` of the feature map `map` (by `layers`), from its
    /// plan-independent part if some figure computed it before; the part is kept for
    /// the figures that follow.
    fn compare(
        &self,
        map: FeatureMap,
        layers: &[dsrf::rainbow::Layer],
        plan: &ComparisonPlan,
    ) -> Result<FeatureComparison> {
        let theories = || {
            self.theories
                .lock()
                .map_err(|_| anyhow!("a comparison panicked"))
        };
        let known = theories()?.get(&map).cloned();
        let (splits, budget) = (&self.splits, Budget::unlimited());
        let c = match known.as_deref() {
            Some(theory) => compare_features_with(theory, layers, splits, plan, &budget)?,
            None => compare_features(layers, splits, plan, &budget)?,
        };
        // Kept unless one is known already that carries as much (a theory-only figure's
        // lacks the held-out moments a later figure with empirical points computed).
        let mut kept = theories()?;
        if kept
            .get(&map)
            .is_none_or(|t| t.held_out.is_none() && c.empirical_theory.held_out.is_some())
        {
            kept.insert(map, Arc::new(c.empirical_theory.clone()));
        }
        Ok(c)
    }
}

/// The rows of one unit: the linearised theory, the theory, the empirical points (on the
/// test split and on emp_cov) and the network's test loss.
fn rows(facet: &Facet, c: &FeatureComparison) -> Vec<Vec<Cell>> {
    let row = |source: &str, n: f64, lambda: f64, err: f64, std: f64, repeats: usize| {
        vec![
            Cell::from(facet.unit),
            Cell::from(facet.features),
            Cell::Number(facet.epoch),
            Cell::from(source),
            Cell::Number(n),
            Cell::Number(lambda),
            Cell::Number(err),
            Cell::Number(std),
            Cell::from(repeats),
            Cell::from(c.p),
        ]
    };
    let theory = |source: &'static str, points: &[dsrf::learned::TheoryPoint]| {
        points
            .iter()
            .map(move |t| row(source, t.n, t.lambda_code, t.test_error, f64::NAN, 0))
            .collect::<Vec<_>>()
    };
    let mut out = theory(THEORY_LIN, c.theory_linearised.as_deref().unwrap_or(&[]));
    out.extend(theory(THEORY, &c.theory));
    for (test, emp) in c.empirical.iter().zip(&c.empirical_on_emp_cov) {
        for (source, e) in [(EMPIRICAL, test), (EMPIRICAL_EMP, emp)] {
            out.push(row(
                source,
                e.n as f64,
                e.lambda_code,
                e.error.mean,
                e.error.std,
                test.repeats,
            ));
        }
    }
    if let Some(loss) = facet.nn_loss {
        out.push(row(NN_LOSS, f64::NAN, f64::NAN, loss, f64::NAN, 0));
    }
    out
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
