//! A disk cache of training runs, so that re-rendering a learned-feature figure, or
//! changing its penalties, never retrains a network.
//!
//! A run is keyed by a canonical JSON description of *everything* that determines it
//! (architecture, initialisation seed, data, optimizer, epochs, snapshot schedule, …):
//! the directory name is a 64-bit FNV-1a hash of that JSON, and the manifest stores the
//! JSON itself, which must equal the requested key on load (a hash collision or a stale
//! entry is a miss, never a wrong network). Weights are raw little-endian f64 in one
//! `weights.bin`; the manifest records every matrix's shape, the byte length and an
//! FNV-1a checksum of the bytes, all verified on load — a truncated or corrupted entry
//! is discarded and the run is recomputed.
//!
//! Location: `$DSRF_CACHE` if set, else `figures/cache/` in the workspace (ignored by
//! git, next to the default outputs).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use dsrf_rainbow::{Activation, Layer};
use dsrf_sim::{EpochRecord, Snapshot, TrainableNetwork, TrainingRun};
use faer::Mat;
use serde_json::{Value, json};

/// Bumped when the file layout changes (part of every key).
const FORMAT: u64 = 1;

/// The cache folder (`$DSRF_CACHE` or `figures/cache/` in the workspace).
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("DSRF_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => crate::workspace_root().join("figures").join("cache"),
    }
}

/// FNV-1a, 64 bit.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The canonical text of a key (serde_json's maps are sorted by key).
fn canonical(key: &Value) -> String {
    json!({"format": FORMAT, "key": key}).to_string()
}

/// The run for `key` from `dir`, or `compute()` stored under `dir` (a failed store is
/// reported on stderr and does not fail the figure).
pub fn cached_run(
    dir: &Path,
    key: &Value,
    compute: impl FnOnce() -> Result<TrainingRun>,
) -> Result<TrainingRun> {
    let text = canonical(key);
    let entry = dir.join(format!("{:016x}", fnv1a(text.as_bytes())));
    match load(&entry, &text) {
        Ok(Some(run)) => return Ok(run),
        Ok(None) => {}
        Err(e) => eprintln!(
            "training cache: discarding {} ({e:#}); retraining",
            entry.display()
        ),
    }
    let run = compute()?;
    if let Err(e) = store(&entry, &text, &run) {
        eprintln!("training cache: cannot write {} ({e:#})", entry.display());
    }
    Ok(run)
}

fn store(entry: &Path, key_text: &str, run: &TrainingRun) -> Result<()> {
    let mut bytes = Vec::new();
    let mut push = |v: f64| bytes.extend_from_slice(&v.to_le_bytes());
    let mut snapshots = Vec::new();
    for s in &run.snapshots {
        let mut layers = Vec::new();
        for layer in &s.network.layers {
            let w = &layer.weights;
            // Row-major.
            for i in 0..w.nrows() {
                for j in 0..w.ncols() {
                    push(w[(i, j)]);
                }
            }
            layers.push(json!({
                "rows": w.nrows(), "cols": w.ncols(), "activation": layer.activation.name()
            }));
        }
        for &a in &s.network.readout {
            push(a);
        }
        snapshots.push(json!({
            "step": s.step, "epoch": s.epoch, "layers": layers, "readout": s.network.readout.len()
        }));
    }
    let history: Vec<Value> = run
        .history
        .iter()
        .map(|h| json!([h.epoch, h.train_loss, h.validation_loss]))
        .collect();
    let manifest = json!({
        "key": serde_json::from_str::<Value>(key_text)?,
        "snapshots": snapshots,
        "history": history,
        "steps_per_epoch": run.steps_per_epoch,
        "stopped_early": run.stopped_early,
        "bytes": bytes.len(),
        "checksum": format!("{:016x}", fnv1a(&bytes)),
    });
    std::fs::create_dir_all(entry)?;
    // Weights first, manifest last: an entry without a manifest is simply a miss.
    std::fs::write(entry.join("weights.bin"), &bytes)?;
    std::fs::write(
        entry.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    Ok(())
}

/// `Ok(None)` when there is no entry; an error when it exists but does not verify.
fn load(entry: &Path, key_text: &str) -> Result<Option<TrainingRun>> {
    let manifest_path = entry.join("manifest.json");
    if !manifest_path.exists() {
        return Ok(None);
    }
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path)?)
        .context("unreadable manifest")?;
    if manifest["key"] != serde_json::from_str::<Value>(key_text)? {
        bail!("its key differs from the requested configuration");
    }
    let bytes = std::fs::read(entry.join("weights.bin")).context("no weights.bin")?;
    let usize_of = |v: &Value, what: &str| -> Result<usize> {
        v.as_u64()
            .map(|x| x as usize)
            .ok_or_else(|| anyhow!("manifest: bad {what}"))
    };
    if bytes.len() != usize_of(&manifest["bytes"], "bytes")? {
        bail!(
            "weights.bin has {} bytes, the manifest says {}",
            bytes.len(),
            manifest["bytes"]
        );
    }
    if manifest["checksum"].as_str() != Some(format!("{:016x}", fnv1a(&bytes)).as_str()) {
        bail!("checksum mismatch");
    }
    let mut values = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")));
    let mut next = |count: usize| -> Result<Vec<f64>> {
        let v: Vec<f64> = values.by_ref().take(count).collect();
        if v.len() != count {
            bail!("weights.bin is too short");
        }
        Ok(v)
    };
    let mut snapshots = Vec::new();
    for s in manifest["snapshots"]
        .as_array()
        .ok_or_else(|| anyhow!("manifest: no snapshots"))?
    {
        let mut layers = Vec::new();
        for l in s["layers"]
            .as_array()
            .ok_or_else(|| anyhow!("manifest: no layers"))?
        {
            let (rows, cols) = (usize_of(&l["rows"], "rows")?, usize_of(&l["cols"], "cols")?);
            let w = next(rows * cols)?;
            let activation = Activation::from_name(
                l["activation"]
                    .as_str()
                    .ok_or_else(|| anyhow!("manifest: bad activation"))?,
            )?;
            layers.push(Layer {
                weights: Mat::from_fn(rows, cols, |i, j| w[i * cols + j]),
                activation,
            });
        }
        let readout = next(usize_of(&s["readout"], "readout")?)?;
        let network = TrainableNetwork { layers, readout };
        network.validate()?;
        snapshots.push(Snapshot {
            step: usize_of(&s["step"], "step")?,
            epoch: s["epoch"]
                .as_f64()
                .ok_or_else(|| anyhow!("manifest: bad epoch"))?,
            network,
        });
    }
    if next(1).is_ok() {
        bail!("weights.bin is longer than the manifest says");
    }
    if snapshots.is_empty() {
        bail!("no snapshots");
    }
    let history = manifest["history"]
        .as_array()
        .ok_or_else(|| anyhow!("manifest: no history"))?
        .iter()
        .map(|h| {
            Ok(EpochRecord {
                epoch: usize_of(&h[0], "history epoch")?,
                train_loss: h[1].as_f64().ok_or_else(|| anyhow!("manifest: bad loss"))?,
                validation_loss: h[2].as_f64(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(TrainingRun {
        snapshots,
        history,
        steps_per_epoch: usize_of(&manifest["steps_per_epoch"], "steps_per_epoch")?,
        stopped_early: manifest["stopped_early"]
            .as_bool()
            .ok_or_else(|| anyhow!("manifest: bad stopped_early"))?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(scale: f64) -> TrainingRun {
        let net = |s: f64| TrainableNetwork {
            layers: vec![Layer {
                weights: Mat::from_fn(3, 2, |i, j| s * (i as f64 + 0.1 * j as f64) - 0.7),
                activation: Activation::Tanh,
            }],
            readout: vec![0.5 * s, -1.0 / 3.0, 1e-300],
        };
        TrainingRun {
            snapshots: vec![
                Snapshot {
                    step: 0,
                    epoch: 0.0,
                    network: net(scale),
                },
                Snapshot {
                    step: 7,
                    epoch: 7.0 / 3.0,
                    network: net(scale * 1.1),
                },
            ],
            history: vec![EpochRecord {
                epoch: 1,
                train_loss: 0.25,
                validation_loss: None,
            }],
            steps_per_epoch: 3,
            stopped_early: true,
        }
    }

    #[test]
    fn round_trip_is_exact_and_corruption_is_detected() {
        let dir = std::env::temp_dir().join(format!("dsrf-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let key = json!({"seed": 3, "epochs": 2});
        let mut calls = 0;
        let first = cached_run(&dir, &key, || {
            calls += 1;
            Ok(run(1.0))
        })
        .unwrap();
        let second = cached_run(&dir, &key, || {
            calls += 1;
            Ok(run(2.0))
        })
        .unwrap();
        assert_eq!(calls, 1, "the second call must come from the cache");
        assert_eq!(second.snapshots.len(), 2);
        for (a, b) in first.snapshots.iter().zip(&second.snapshots) {
            assert_eq!(a.step, b.step);
            assert_eq!(a.epoch.to_bits(), b.epoch.to_bits());
            assert_eq!(a.network.readout, b.network.readout);
            assert_eq!(a.network.layers[0].weights, b.network.layers[0].weights);
        }
        assert_eq!(second.history, first.history);
        assert!(second.stopped_early);
        // Another key is another entry.
        let other = cached_run(&dir, &json!({"seed": 4, "epochs": 2}), || Ok(run(3.0))).unwrap();
        assert_eq!(other.snapshots[0].network.readout[0], 1.5);
        // Corrupt one byte: the entry is discarded and recomputed.
        let entry = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                std::fs::read_to_string(p.join("manifest.json"))
                    .unwrap()
                    .contains("\"seed\": 3")
            })
            .unwrap();
        let mut bytes = std::fs::read(entry.join("weights.bin")).unwrap();
        bytes[5] ^= 1;
        std::fs::write(entry.join("weights.bin"), &bytes).unwrap();
        assert!(load(&entry, &canonical(&key)).is_err());
        let again = cached_run(&dir, &key, || Ok(run(5.0))).unwrap();
        assert_eq!(again.snapshots[0].network.readout[0], 2.5);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
