//! `cargo xtask test` — the README's test command: the Rust test suite in release mode,
//! then the Python package built into a throw-away virtual environment and its pytest
//! suite (which compares against the `dsrf` binary just built).
//!
//! The environment lives in `target/python-venv` and is recreated on every run, so no
//! state of an earlier run (an old wheel, a stale dependency) can make a test pass; its
//! packages come from PyPI: maturin (the build backend), numpy (the only runtime
//! dependency), pytest, scikit-learn (the independent ridge route) and pandas
//! (`Curve.to_pandas`).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, workspace_root};

/// What the Python tests need from PyPI.
const PYTHON_TEST_PACKAGES: [&str; 5] = [
    "maturin>=1.16,<2",
    "numpy",
    "pytest",
    "scikit-learn",
    "pandas",
];

fn run(program: &Path, args: &[&str], what: &str) -> Result<()> {
    eprintln!("$ {} {}", program.display(), args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(workspace_root())
        .env("DSRF_CLI", workspace_root().join("target/release/dsrf"))
        .status()
        .with_context(|| format!("cannot run {}", program.display()))?;
    if !status.success() {
        bail!("{what} failed");
    }
    Ok(())
}

/// The Rust tests, then the Python tests.
pub fn main() -> Result<()> {
    cargo(&["test", "--workspace", "--release"])?;
    cargo(&["build", "--release", "-p", "dsrf-cli"])?;
    let venv = workspace_root().join("target").join("python-venv");
    if venv.exists() {
        std::fs::remove_dir_all(&venv)
            .with_context(|| format!("cannot remove {}", venv.display()))?;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    run(
        Path::new(&python),
        &["-m", "venv", venv.to_str().context("venv path")?],
        "creating the virtual environment",
    )?;
    let pip = venv.join("bin").join("pip");
    let mut install = vec!["install", "--quiet"];
    install.extend(PYTHON_TEST_PACKAGES);
    run(&pip, &install, "installing the Python test dependencies")?;
    run(
        &pip,
        &["install", "--quiet", "./bindings/python"],
        "building and installing the Python package",
    )?;
    run(
        &venv.join("bin").join("python"),
        &["-m", "pytest", "-q", "bindings/python/tests"],
        "the Python tests",
    )
}
