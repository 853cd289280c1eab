//! A disk cache of training runs, so that re-rendering a learned-feature figure, or
//! changing what is computed from its snapshots, never retrains a network — and so that
//! a change to anything that determines a run can never load a stale one.
//!
//! # The key
//!
//! A run is a function of four things, and its key is a canonical text of all four:
//!
//! 1. the whole [`TrainingConfig`], written by destructuring it without `..` — adding a
//!    field is a compile error here until the key includes it;
//! 2. the initial network: architecture (shapes, activation names) and a fingerprint of
//!    every initial weight and of the readout;
//! 3. the data actually trained on: shapes and fingerprints of the training inputs and
//!    labels and of the validation set (early stopping reads it);
//! 4. [`TRAINING_VERSION`] and this crate's version.
//!
//! Floats are written in Rust's shortest round-trip form (exact); fingerprints are
//! 64-bit FNV-1a hashes of the little-endian bytes. The entry's file name is the hash of
//! the key text, and the file stores the key text itself, which must equal the
//! requested key on load: a hash collision or a stale entry is a miss, never a wrong
//! network.
//!
//! # The entry
//!
//! One file `<hash>.run`: a signature, the layout version, the key, the run (history,
//! snapshots with every weight as little-endian f64) and an FNV-1a checksum of all the
//! bytes before it. Everything is verified on load — a truncated, corrupted or
//! unreadable entry is reported ([`Lookup::Discarded`]) and the run retrained and
//! stored again. Entries are written to a temporary name and renamed into place, so
//! that two processes storing the same run, or an interrupted write, cannot leave a
//! half-written entry under the real name.
//!
//! A network with a custom activation is trained without the cache: its function
//! cannot be fingerprinted ([`Lookup::CustomActivation`]).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use dsrf_rainbow::{Activation, Layer};
use faer::{Mat, MatRef, Par};

use super::{EpochRecord, Optimizer, Snapshot, TrainableNetwork, TrainingConfig, TrainingRun};
use crate::SimError;
use crate::error::{CacheProblem, io_error};

/// The version of the training algorithm, part of every key.
///
/// Bump it whenever the training code changes in a way that can change a trained
/// network's bits: the loop in `train` (batching, shuffling, snapshots, early stopping),
/// the optimizers and weight decay, the forward and backward passes, the activations
/// and derivatives they use (dsrf-rainbow), or the initialisation.
///
/// History: 2 — training in a working precision (f32 or f64) on preallocated buffers,
/// the readout gradient as a matrix product.
pub const TRAINING_VERSION: u64 = 2;

/// The layout of an entry file (signature, then this number).
const LAYOUT: u64 = 1;
const SIGNATURE: &[u8; 8] = b"DSRFRUN\0";

/// A folder of training runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingCache {
    /// Where the entries are (created on the first store).
    pub dir: PathBuf,
    /// [`TRAINING_VERSION`] (another value only in this module's tests).
    version: u64,
}

/// The canonical description of a run (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
struct CacheKey {
    text: String,
}

impl CacheKey {
    /// The entry's file name: the FNV-1a hash of the text.
    fn file_name(&self) -> String {
        format!("{:016x}.run", fnv1a(self.text.as_bytes()))
    }
}

/// What the cache found.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// A verified entry: the run comes from the disk.
    Hit,
    /// No entry: the run was trained.
    Absent,
    /// An entry that did not verify (the error says why): the run was retrained.
    Discarded(SimError),
    /// Hidden layer `layer` has a custom activation, whose function cannot be
    /// fingerprinted: the run was trained without the cache.
    CustomActivation {
        /// The layer index.
        layer: usize,
    },
}

/// What happened to a trained run.
#[derive(Debug, Clone, PartialEq)]
pub enum Store {
    /// Nothing to store (a hit, or a run that cannot be cached).
    NotNeeded,
    /// Stored.
    Written,
    /// Not stored (the run is still returned).
    Failed(SimError),
}

/// A run with how the cache handled it.
#[derive(Debug, Clone)]
pub struct CachedRun {
    /// The run.
    pub run: TrainingRun,
    /// Whether it was found.
    pub lookup: Lookup,
    /// Whether it was stored.
    pub store: Store,
    /// The entry file (none for a run that cannot be cached).
    pub entry: Option<PathBuf>,
}

/// `x` for a float: the shortest text that reads back to the same bits.
fn exact(x: f64) -> String {
    format!("{x:?}")
}

fn optional(v: Option<usize>, none: &str) -> String {
    v.map_or(none.to_string(), |v| v.to_string())
}

/// Every field of the configuration, by destructuring (no `..`: a new field must be
/// added here before this compiles).
fn config_text(config: &TrainingConfig) -> String {
    let TrainingConfig {
        optimizer,
        weight_decay,
        batch_size,
        epochs,
        patience,
        snapshots,
        seed,
        precision,
        parallelism,
    } = config;
    let optimizer = match *optimizer {
        Optimizer::Sgd {
            learning_rate,
            momentum,
        } => format!(
            "sgd learning_rate={} momentum={}",
            exact(learning_rate),
            exact(momentum)
        ),
        Optimizer::Adam {
            learning_rate,
            beta1,
            beta2,
            epsilon,
        } => format!(
            "adam learning_rate={} beta1={} beta2={} epsilon={}",
            exact(learning_rate),
            exact(beta1),
            exact(beta2),
            exact(epsilon)
        ),
    };
    let parallelism = match parallelism {
        Par::Seq => "seq".to_string(),
        Par::Rayon(threads) => format!("rayon({threads})"),
    };
    format!(
        "optimizer {optimizer}\nweight_decay {}\nbatch_size {}\nepochs {epochs}\npatience {}\n\
         snapshots {snapshots}\nseed {seed}\nprecision {}\nparallelism {parallelism}\n",
        exact(*weight_decay),
        optional(*batch_size, "full"),
        optional(*patience, "none"),
        precision.name(),
    )
}

/// Architecture and weight fingerprint of the initial network, or the first layer with
/// a custom activation.
fn network_text(network: &TrainableNetwork) -> Result<String, usize> {
    let mut text = format!(
        "network layers={} readout={}\n",
        network.layers.len(),
        network.readout.len()
    );
    let mut hash = Fnv::new();
    for (l, layer) in network.layers.iter().enumerate() {
        if matches!(layer.activation, Activation::Custom(_)) {
            return Err(l);
        }
        let w = layer.weights.as_ref();
        text += &format!(
            "layer {l} rows={} cols={} activation={}\n",
            w.nrows(),
            w.ncols(),
            layer.activation.name()
        );
        hash.matrix(w);
    }
    hash.floats(&network.readout);
    text += &format!("initial_weights fnv1a64={:016x}\n", hash.0);
    Ok(text)
}

/// Shapes and fingerprints of the samples (columns) and labels.
fn data_text(name: &str, x: MatRef<'_, f64>, y: &[f64]) -> String {
    let mut inputs = Fnv::new();
    inputs.matrix(x);
    let mut labels = Fnv::new();
    labels.floats(y);
    format!(
        "{name} inputs={}x{} fnv1a64={:016x} labels={} fnv1a64={:016x}\n",
        x.nrows(),
        x.ncols(),
        inputs.0,
        y.len(),
        labels.0
    )
}

fn key(
    version: u64,
    network: &TrainableNetwork,
    x: MatRef<'_, f64>,
    y: &[f64],
    validation: Option<(MatRef<'_, f64>, &[f64])>,
    config: &TrainingConfig,
) -> Result<CacheKey, usize> {
    let mut text = format!(
        "dsrf-sim training run\ntraining_version {version}\ncrate_version {}\n",
        env!("CARGO_PKG_VERSION")
    );
    text += &config_text(config);
    text += &network_text(network)?;
    text += &data_text("train", x, y);
    text += &match validation {
        Some((vx, vy)) => data_text("validation", vx, vy),
        None => "validation none\n".to_string(),
    };
    Ok(CacheKey { text })
}

impl TrainingCache {
    /// The cache in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        TrainingCache {
            dir: dir.into(),
            version: TRAINING_VERSION,
        }
    }

    /// The entry file of `key`.
    fn entry(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// The run [`super::train`] computes from these arguments: from the cache when a
    /// verified entry exists, else trained and stored. Errors are training errors
    /// only; a cache that cannot be read or written is reported in [`CachedRun`].
    pub fn load_or_train(
        &self,
        network: TrainableNetwork,
        x: MatRef<'_, f64>,
        y: &[f64],
        validation: Option<(MatRef<'_, f64>, &[f64])>,
        config: &TrainingConfig,
    ) -> Result<CachedRun, SimError> {
        let key = match key(self.version, &network, x, y, validation, config) {
            Ok(key) => key,
            Err(layer) => {
                return Ok(CachedRun {
                    run: super::train(network, x, y, validation, config)?,
                    lookup: Lookup::CustomActivation { layer },
                    store: Store::NotNeeded,
                    entry: None,
                });
            }
        };
        let path = self.entry(&key);
        let lookup = match read_entry(&path, &key) {
            Ok(Some(run)) => {
                return Ok(CachedRun {
                    run,
                    lookup: Lookup::Hit,
                    store: Store::NotNeeded,
                    entry: Some(path),
                });
            }
            Ok(None) => Lookup::Absent,
            Err(e) => Lookup::Discarded(e),
        };
        let run = super::train(network, x, y, validation, config)?;
        let store = match write_entry(&self.dir, &path, &key, &run) {
            Ok(()) => Store::Written,
            Err(e) => Store::Failed(e),
        };
        Ok(CachedRun {
            run,
            lookup,
            store,
            entry: Some(path),
        })
    }
}

/// FNV-1a, 64 bit, fed incrementally.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn floats(&mut self, values: &[f64]) {
        for v in values {
            self.bytes(&v.to_le_bytes());
        }
    }

    /// Row-major, so that the storage layout of the matrix does not matter.
    fn matrix(&mut self, m: MatRef<'_, f64>) {
        for i in 0..m.nrows() {
            for j in 0..m.ncols() {
                self.bytes(&m[(i, j)].to_le_bytes());
            }
        }
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.bytes(bytes);
    h.0
}

/// A buffered writer that hashes what it writes.
struct Writer {
    out: BufWriter<File>,
    hash: Fnv,
}

impl Writer {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.bytes(bytes);
        self.out.write_all(bytes)
    }

    fn u64(&mut self, v: u64) -> std::io::Result<()> {
        self.put(&v.to_le_bytes())
    }

    fn f64(&mut self, v: f64) -> std::io::Result<()> {
        self.put(&v.to_le_bytes())
    }

    fn text(&mut self, s: &str) -> std::io::Result<()> {
        self.u64(s.len() as u64)?;
        self.put(s.as_bytes())
    }
}

fn write_run(w: &mut Writer, key: &CacheKey, run: &TrainingRun) -> std::io::Result<()> {
    w.put(SIGNATURE)?;
    w.u64(LAYOUT)?;
    w.text(&key.text)?;
    w.u64(run.steps_per_epoch as u64)?;
    w.u64(u64::from(run.stopped_early))?;
    w.u64(run.history.len() as u64)?;
    for h in &run.history {
        w.u64(h.epoch as u64)?;
        w.f64(h.train_loss)?;
        w.u64(u64::from(h.validation_loss.is_some()))?;
        w.f64(h.validation_loss.unwrap_or(0.0))?;
    }
    w.u64(run.snapshots.len() as u64)?;
    for s in &run.snapshots {
        w.u64(s.step as u64)?;
        w.f64(s.epoch)?;
        w.u64(s.network.layers.len() as u64)?;
        for layer in &s.network.layers {
            let m = &layer.weights;
            w.text(&layer.activation.name())?;
            w.u64(m.nrows() as u64)?;
            w.u64(m.ncols() as u64)?;
            for i in 0..m.nrows() {
                for j in 0..m.ncols() {
                    w.f64(m[(i, j)])?;
                }
            }
        }
        w.u64(s.network.readout.len() as u64)?;
        for &a in &s.network.readout {
            w.f64(a)?;
        }
    }
    let checksum = w.hash.0;
    w.out.write_all(&checksum.to_le_bytes())?;
    w.out.flush()
}

/// Distinguishes the temporary files of concurrent stores within one process.
static TEMPORARY: AtomicU64 = AtomicU64::new(0);

fn write_entry(dir: &Path, path: &Path, key: &CacheKey, run: &TrainingRun) -> Result<(), SimError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", &e))?;
    let temporary = path.with_extension(format!(
        "tmp-{}-{}",
        std::process::id(),
        TEMPORARY.fetch_add(1, Ordering::Relaxed)
    ));
    let file = File::create(&temporary).map_err(|e| io_error(&temporary, "create", &e))?;
    let mut writer = Writer {
        out: BufWriter::new(file),
        hash: Fnv::new(),
    };
    if let Err(e) = write_run(&mut writer, key, run) {
        let _ = std::fs::remove_file(&temporary);
        return Err(io_error(&temporary, "write", &e));
    }
    drop(writer);
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        io_error(path, "rename", &e)
    })
}

/// A buffered reader that hashes what it reads and knows how much is left, so that a
/// corrupted length is an error before anything is allocated for it.
struct Reader {
    input: BufReader<File>,
    hash: Fnv,
    left: u64,
}

impl Reader {
    fn take(&mut self, buf: &mut [u8]) -> Result<(), CacheProblem> {
        if (buf.len() as u64) > self.left {
            return Err(CacheProblem::Truncated);
        }
        self.input
            .read_exact(buf)
            .map_err(|_| CacheProblem::Truncated)?;
        self.left -= buf.len() as u64;
        self.hash.bytes(buf);
        Ok(())
    }

    fn u64(&mut self) -> Result<u64, CacheProblem> {
        let mut b = [0u8; 8];
        self.take(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn f64(&mut self) -> Result<f64, CacheProblem> {
        Ok(f64::from_bits(self.u64()?))
    }

    /// A count of items of `size` bytes each that must fit in what is left.
    fn count(&mut self, size: u64) -> Result<usize, CacheProblem> {
        let n = self.u64()?;
        if n.checked_mul(size).is_none_or(|bytes| bytes > self.left) {
            return Err(CacheProblem::Truncated);
        }
        usize::try_from(n).map_err(|_| CacheProblem::Truncated)
    }

    fn text(&mut self) -> Result<String, CacheProblem> {
        let mut buf = vec![0u8; self.count(1)?];
        self.take(&mut buf)?;
        String::from_utf8(buf).map_err(|_| invalid("text", "not UTF-8"))
    }

    fn floats(&mut self, count: usize) -> Result<Vec<f64>, CacheProblem> {
        (0..count).map(|_| self.f64()).collect()
    }
}

fn invalid(what: &'static str, message: impl Into<String>) -> CacheProblem {
    CacheProblem::Invalid {
        what,
        message: message.into(),
    }
}

/// `Ok(None)` when there is no entry; an error when one exists and does not verify.
fn read_entry(path: &Path, key: &CacheKey) -> Result<Option<TrainingRun>, SimError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, "read", &e)),
    };
    let left = file
        .metadata()
        .map_err(|e| io_error(path, "read", &e))?
        .len();
    let mut reader = Reader {
        input: BufReader::new(file),
        hash: Fnv::new(),
        left,
    };
    read_run(&mut reader, key)
        .map(Some)
        .map_err(|problem| SimError::CacheEntry {
            path: path.to_path_buf(),
            problem,
        })
}

fn read_run(r: &mut Reader, key: &CacheKey) -> Result<TrainingRun, CacheProblem> {
    let mut signature = [0u8; 8];
    r.take(&mut signature)
        .map_err(|_| CacheProblem::NotAnEntry)?;
    if &signature != SIGNATURE {
        return Err(CacheProblem::NotAnEntry);
    }
    let layout = r.u64()?;
    if layout != LAYOUT {
        return Err(CacheProblem::Layout {
            found: layout,
            expected: LAYOUT,
        });
    }
    if r.text()? != key.text {
        return Err(CacheProblem::KeyMismatch);
    }
    let steps_per_epoch = usize::try_from(r.u64()?).map_err(|_| invalid("steps", "too large"))?;
    let stopped_early = r.u64()? != 0;
    let history = (0..r.count(32)?)
        .map(|_| {
            let epoch = r.u64()? as usize;
            let train_loss = r.f64()?;
            let has_validation = r.u64()? != 0;
            let validation = r.f64()?;
            Ok(EpochRecord {
                epoch,
                train_loss,
                validation_loss: has_validation.then_some(validation),
            })
        })
        .collect::<Result<Vec<_>, CacheProblem>>()?;
    let snapshots = (0..r.count(24)?)
        .map(|_| read_snapshot(r))
        .collect::<Result<Vec<_>, CacheProblem>>()?;
    let computed = r.hash.0;
    if r.u64()? != computed {
        return Err(CacheProblem::Checksum);
    }
    if r.left != 0 {
        return Err(CacheProblem::TrailingBytes);
    }
    if snapshots.is_empty() {
        return Err(invalid("snapshots", "none stored"));
    }
    Ok(TrainingRun {
        snapshots,
        history,
        steps_per_epoch,
        stopped_early,
    })
}

fn read_snapshot(r: &mut Reader) -> Result<Snapshot, CacheProblem> {
    let step = r.u64()? as usize;
    let epoch = r.f64()?;
    let layers = (0..r.count(24)?)
        .map(|_| {
            let name = r.text()?;
            let activation =
                Activation::from_name(&name).map_err(|e| invalid("activation", e.to_string()))?;
            let (rows, cols) = (r.u64()?, r.u64()?);
            let size = rows
                .checked_mul(cols)
                .filter(|&s| s.checked_mul(8).is_some_and(|b| b <= r.left))
                .ok_or(CacheProblem::Truncated)?;
            let values = r.floats(size as usize)?;
            let cols = cols as usize;
            Ok(Layer {
                weights: Mat::from_fn(rows as usize, cols, |i, j| values[i * cols + j]),
                activation,
            })
        })
        .collect::<Result<Vec<_>, CacheProblem>>()?;
    let readout_len = r.count(8)?;
    let readout = r.floats(readout_len)?;
    let network = TrainableNetwork { layers, readout };
    network
        .validate()
        .map_err(|e| invalid("network", e.to_string()))?;
    Ok(Snapshot {
        step,
        epoch,
        network,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Initialization, Precision, standard_normal, stream};

    struct Problem {
        network: TrainableNetwork,
        x: Mat<f64>,
        y: Vec<f64>,
        vx: Mat<f64>,
        vy: Vec<f64>,
        config: TrainingConfig,
    }

    fn problem() -> Problem {
        let network = TrainableNetwork::new(
            4,
            &[(6, Activation::Tanh)],
            Initialization::GlorotUniform,
            &mut stream(1, 0),
        )
        .unwrap();
        let x = standard_normal(&mut stream(2, 0), 4, 40);
        let vx = standard_normal(&mut stream(2, 1), 4, 10);
        let label = |m: &Mat<f64>, j: usize| (m[(0, j)] - 0.5 * m[(2, j)]).tanh();
        Problem {
            network,
            y: (0..40).map(|j| label(&x, j)).collect(),
            vy: (0..10).map(|j| label(&vx, j)).collect(),
            x,
            vx,
            config: TrainingConfig {
                optimizer: Optimizer::adam(1e-2),
                weight_decay: 1e-4,
                batch_size: Some(8),
                epochs: 4,
                patience: Some(2),
                snapshots: 3,
                seed: 5,
                precision: Precision::F32,
                parallelism: Par::Seq,
            },
        }
    }

    fn scratch(name: &str) -> TrainingCache {
        let dir = std::env::temp_dir().join(format!(
            "dsrf-sim-training-cache-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        TrainingCache::new(dir)
    }

    impl Problem {
        fn run(&self, cache: &TrainingCache, version: u64) -> CachedRun {
            TrainingCache {
                version,
                ..cache.clone()
            }
            .load_or_train(
                self.network.clone(),
                self.x.as_ref(),
                &self.y,
                Some((self.vx.as_ref(), &self.vy)),
                &self.config,
            )
            .unwrap()
        }
    }

    fn assert_bit_identical(a: &TrainingRun, b: &TrainingRun) {
        assert_eq!(a.snapshots.len(), b.snapshots.len());
        for (s, t) in a.snapshots.iter().zip(&b.snapshots) {
            assert_eq!((s.step, s.epoch.to_bits()), (t.step, t.epoch.to_bits()));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&s.network.readout), bits(&t.network.readout));
            for (l, m) in s.network.layers.iter().zip(&t.network.layers) {
                assert_eq!(l.activation.name(), m.activation.name());
                assert_eq!(l.weights.nrows(), m.weights.nrows());
                for i in 0..l.weights.nrows() {
                    for j in 0..l.weights.ncols() {
                        assert_eq!(l.weights[(i, j)].to_bits(), m.weights[(i, j)].to_bits());
                    }
                }
            }
        }
        assert_eq!(a.history, b.history);
        assert_eq!(
            (a.steps_per_epoch, a.stopped_early),
            (b.steps_per_epoch, b.stopped_early)
        );
    }

    #[test]
    fn a_stored_run_reads_back_bit_exactly() {
        let cache = scratch("round-trip");
        let p = problem();
        let first = p.run(&cache, TRAINING_VERSION);
        assert_eq!(
            (first.lookup, first.store),
            (Lookup::Absent, Store::Written)
        );
        let second = p.run(&cache, TRAINING_VERSION);
        assert_eq!(second.lookup, Lookup::Hit);
        assert_bit_identical(&first.run, &second.run);
        let _ = std::fs::remove_dir_all(&cache.dir);
    }

    #[test]
    fn every_ingredient_of_the_key_misses_when_changed() {
        let cache = scratch("misses");
        let p = problem();
        p.run(&cache, TRAINING_VERSION);
        let mut decay = problem();
        decay.config.weight_decay = 2e-4;
        let mut double = problem();
        double.config.precision = Precision::F64;
        let mut data = problem();
        // One byte of one input: the lowest bit of one f64.
        data.x[(1, 7)] = f64::from_bits(data.x[(1, 7)].to_bits() ^ 1);
        let mut validation = problem();
        validation.vy[3] = -validation.vy[3];
        let mut initial = problem();
        initial.network.readout[2] += 1e-3;
        for (what, changed) in [
            ("weight decay", &decay),
            ("the precision", &double),
            ("a data byte", &data),
            ("the validation set", &validation),
            ("an initial weight", &initial),
        ] {
            assert_eq!(
                changed.run(&cache, TRAINING_VERSION).lookup,
                Lookup::Absent,
                "{what}"
            );
        }
        assert_eq!(
            p.run(&cache, TRAINING_VERSION + 1).lookup,
            Lookup::Absent,
            "another training version"
        );
        // The original is still there.
        assert_eq!(p.run(&cache, TRAINING_VERSION).lookup, Lookup::Hit);
        let _ = std::fs::remove_dir_all(&cache.dir);
    }

    #[test]
    fn a_corrupted_or_stale_entry_is_retrained() {
        let cache = scratch("corrupt");
        let p = problem();
        let original = p.run(&cache, TRAINING_VERSION).run;
        let path = cache.entry(&key_for(&p, &p.config));
        let mut bytes = std::fs::read(&path).unwrap();
        // A bit of the last readout weight (the checksum is the last 8 bytes).
        let last_weight = bytes.len() - 12;
        bytes[last_weight] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let again = p.run(&cache, TRAINING_VERSION);
        assert!(
            matches!(
                &again.lookup,
                Lookup::Discarded(SimError::CacheEntry {
                    problem: CacheProblem::Checksum,
                    ..
                })
            ),
            "{:?}",
            again.lookup
        );
        assert_eq!(again.store, Store::Written);
        assert_bit_identical(&original, &again.run);
        assert_eq!(p.run(&cache, TRAINING_VERSION).lookup, Lookup::Hit);
        // Truncated.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 9]).unwrap();
        assert!(matches!(
            p.run(&cache, TRAINING_VERSION).lookup,
            Lookup::Discarded(SimError::CacheEntry {
                problem: CacheProblem::Truncated,
                ..
            })
        ));
        // Another run's entry under this name (a hash collision): a miss, not its network.
        let other = problem();
        let mut other_config = other.config.clone();
        other_config.epochs = 2;
        let other_key = key_for(&other, &other_config);
        write_entry(&cache.dir, &path, &other_key, &original).unwrap();
        assert!(matches!(
            p.run(&cache, TRAINING_VERSION).lookup,
            Lookup::Discarded(SimError::CacheEntry {
                problem: CacheProblem::KeyMismatch,
                ..
            })
        ));
        let _ = std::fs::remove_dir_all(&cache.dir);
    }

    fn key_for(p: &Problem, config: &TrainingConfig) -> CacheKey {
        key(
            TRAINING_VERSION,
            &p.network,
            p.x.as_ref(),
            &p.y,
            Some((p.vx.as_ref(), &p.vy)),
            config,
        )
        .unwrap()
    }

    #[test]
    fn the_key_names_every_configuration_field() {
        let p = problem();
        let text = key_for(&p, &p.config).text;
        for field in [
            "training_version 2",
            "optimizer adam learning_rate=0.01 beta1=0.9 beta2=0.999 epsilon=1e-8",
            "weight_decay 0.0001",
            "batch_size 8",
            "epochs 4",
            "patience 2",
            "snapshots 3",
            "seed 5",
            "precision f32",
            "parallelism seq",
            "layer 0 rows=6 cols=4 activation=tanh",
            "train inputs=4x40",
            "validation inputs=4x10",
        ] {
            assert!(text.contains(field), "{field} not in\n{text}");
        }
    }
}
