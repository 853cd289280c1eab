//! `cargo xtask figures`: regenerates the paper's random-feature figures from scratch,
//! theory and simulation side by side, as SVG pictures and data (CSV + JSON per
//! figure, with a metadata header), plus a summary per figure and a gallery
//! (`docs/figures.md` after a full run).
//!
//! ```text
//! cargo xtask figures [--quick] [--only ID,..] [--out DIR] [--jobs N] [--shard K/N]
//! cargo xtask figures --merge DIR [--jobs N]
//! ```
//!
//! Layout: `experiment` (the contract of a figure: work units → raw rows → table →
//! summary and picture), `driver` (running units, writing outputs), `shard`
//! (slicing and merging), `gallery` (the markdown page), `curves` (the engine of the
//! learning-curve figures: networks from the facade's presets), `learned` (the
//! learned-feature figures' side of `dsrf::learned`), `training_cache` (where trained
//! networks are kept), `columns` and `summary` (reading tables, agreement statistics),
//! `plot` (drawing helpers), `published` (the published curves of v1 Figure 1 and
//! `rf_emp`, read from the paper folder `$DSRF_PAPER`, default `../shared/paper`),
//! `ensemble` (those two figures averaged over draws and compared point by point with
//! the published curves), `plot_svg` and `published_plots` (the authors' `real_*` /
//! `art_*` SVG figures read back into data, committed as `xtask/published/*.csv`; the
//! real-image figures compare with them per facet), and one module per figure.

mod columns;
mod curves;
mod det;
mod driver;
mod ensemble;
mod experiment;
mod fig1_rainbow;
mod fig2_trained;
mod gallery;
mod learned;
mod plot;
mod plot_svg;
mod precursor_architecture;
mod precursor_depth;
mod precursor_logistic;
mod precursor_ridge;
mod precursor_spectrum;
mod published;
pub mod published_plots;
mod rainbow_classification;
mod real;
mod rf_emp;
mod shard;
mod summary;
mod training_cache;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use dsrf::sim::TrainingCache;

use crate::data::Source;

pub use driver::{Outputs, Progress, compute};
pub use experiment::{Experiment, Mode};
pub use gallery::write_all as write_gallery;
pub use shard::Shard;
pub use summary::{Agreement, Check, ReadOff, Summary};

/// Every figure, in gallery order.
pub const FIGURES: [&str; 18] = [
    fig1_rainbow::ID,
    ensemble::FIG1_ID,
    fig2_trained::ID,
    rf_emp::ID,
    ensemble::RF_EMP_ID,
    precursor_ridge::ID,
    precursor_logistic::ID,
    rainbow_classification::ID,
    precursor_depth::ID,
    precursor_spectrum::ID,
    precursor_architecture::ID,
    real::EMP_ID,
    det::REAL_ID,
    real::OPT_ID,
    real::FASHION_EMP_ID,
    real::ART_EMP_ID,
    det::ART_ID,
    real::ART_OPT_ID,
];

/// The experiment of figure `id` in `mode`, training through the default cache
/// (`$DSRF_CACHE` or `figures/cache/`).
pub fn experiment(id: &str, mode: Mode) -> Result<Box<dyn Experiment>> {
    experiment_in(id, mode, training_cache::default_cache())
}

/// The experiment of figure `id` in `mode`, its networks trained through `cache`.
pub fn experiment_in(id: &str, mode: Mode, cache: TrainingCache) -> Result<Box<dyn Experiment>> {
    Ok(match id {
        fig1_rainbow::ID => Box::new(fig1_rainbow::Fig1::new(mode)),
        fig2_trained::ID => Box::new(fig2_trained::Fig2::new(mode, cache)),
        rf_emp::ID => Box::new(rf_emp::RfEmp::new(mode)),
        ensemble::FIG1_ID | ensemble::RF_EMP_ID => Box::new(ensemble::Ensemble::new(id, mode)?),
        precursor_ridge::ID => Box::new(precursor_ridge::PrecursorRidge::new(mode)),
        precursor_logistic::ID => Box::new(precursor_logistic::PrecursorLogistic::new(mode)),
        rainbow_classification::ID => {
            Box::new(rainbow_classification::RainbowClassification::new(mode))
        }
        precursor_depth::ID => Box::new(precursor_depth::PrecursorDepth::new(mode)),
        precursor_architecture::ID => {
            Box::new(precursor_architecture::PrecursorArchitecture::new(mode))
        }
        precursor_spectrum::ID => Box::new(precursor_spectrum::PrecursorSpectrum::new(mode)),
        real::EMP_ID
        | real::OPT_ID
        | real::FASHION_EMP_ID
        | real::ART_EMP_ID
        | real::ART_OPT_ID => {
            let id = FIGURES.into_iter().find(|f| *f == id).expect("a figure id");
            Box::new(real::Real::new(id, mode, cache))
        }
        det::REAL_ID | det::ART_ID => {
            let id = FIGURES.into_iter().find(|f| *f == id).expect("a figure id");
            Box::new(det::Det::new(id, mode, cache))
        }
        other => bail!("unknown figure `{other}` (known: {})", FIGURES.join(", ")),
    })
}

/// Parsed command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// Quick or full sizes.
    pub mode: Mode,
    /// The figures to run (all by default).
    pub only: Vec<String>,
    /// Output folder.
    pub out: PathBuf,
    /// Thread count (rayon and faer), if given.
    pub jobs: Option<usize>,
    /// Run only this slice of the work units.
    pub shard: Option<Shard>,
    /// Merge the shards found in this folder instead of computing.
    pub merge: Option<PathBuf>,
    /// Progress bars or none.
    pub progress: Progress,
    /// Where the gallery for the docs goes (written after complete full runs).
    pub docs: Option<PathBuf>,
    /// Only rewrite the gallery pages from the files already in this folder.
    pub gallery: Option<PathBuf>,
    /// Where trained networks are kept.
    pub cache: TrainingCache,
}

impl Options {
    /// Defaults: full mode, every figure, `figures/` in the workspace root.
    pub fn new(mode: Mode) -> Self {
        Options {
            mode,
            only: FIGURES.iter().map(|s| s.to_string()).collect(),
            out: crate::workspace_root().join("figures"),
            jobs: None,
            shard: None,
            merge: None,
            progress: Progress::Bars,
            docs: Some(crate::workspace_root().join("docs").join("figures.md")),
            gallery: None,
            cache: training_cache::default_cache(),
        }
    }
}

fn usage() -> &'static str {
    "usage: cargo xtask figures [--quick] [--only ID,..] [--out DIR] [--jobs N] [--shard K/N]\n       \
     cargo xtask figures --merge DIR [--jobs N]\n\n\
     Regenerates the paper's figures (theory and simulation) as SVG + CSV + JSON.\n\n\
     options:\n  \
     --quick      small sizes and few seeds (all figures in well under a minute)\n  \
     --only IDS   comma-separated figure ids (default: all)\n  \
     --out DIR    output folder (default: figures/ in the workspace root)\n  \
     --jobs N     number of threads (rayon pool and faer)\n  \
     --shard K/N  compute only the K-th of N slices of the work units (partial tables\n               \
     in DIR/shards/); assemble them with --merge DIR\n  \
     --merge DIR  assemble the shards in DIR/shards into the figures, tables and gallery\n  \
     --gallery DIR  only rewrite the gallery pages from the outputs already in DIR\n\n\
     figures: fig1_rainbow, fig1_ensemble, fig2_trained, rf_emp, rf_emp_ensemble, precursor_ridge,
         precursor_logistic, rainbow_classification, precursor_depth, precursor_spectrum,
         precursor_architecture,
         real_emp, real_det, real_opt, fashion_emp, art_emp, art_det, art_opt\n\
     After a complete full run (or merge) the gallery docs/figures.md is regenerated."
}

/// Parses the arguments after `figures`.
pub fn parse(args: &[String]) -> Result<Option<Options>> {
    let mut options = Options::new(Mode::Full);
    let mut out_given = false;
    let mut compute_flags = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| anyhow!("{name} needs a value\n\n{}", usage()))
        };
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{}", usage());
                return Ok(None);
            }
            "--quick" => {
                options.mode = Mode::Quick;
                compute_flags.push("--quick");
            }
            "--only" => {
                let list = value("--only")?;
                options.only = Vec::new();
                for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if !FIGURES.contains(&id) {
                        bail!("unknown figure `{id}` (known: {})", FIGURES.join(", "));
                    }
                    if !options.only.iter().any(|o| o == id) {
                        options.only.push(id.to_string());
                    }
                }
                if options.only.is_empty() {
                    bail!("--only needs at least one figure id");
                }
                compute_flags.push("--only");
            }
            "--out" => {
                options.out = PathBuf::from(value("--out")?);
                out_given = true;
            }
            "--jobs" => {
                let v = value("--jobs")?;
                let n: usize = v
                    .parse()
                    .with_context(|| format!("--jobs: bad number `{v}`"))?;
                if n == 0 {
                    bail!("--jobs must be at least 1");
                }
                options.jobs = Some(n);
            }
            "--shard" => {
                options.shard = Some(Shard::parse(&value("--shard")?)?);
                compute_flags.push("--shard");
            }
            "--merge" => options.merge = Some(PathBuf::from(value("--merge")?)),
            "--gallery" => options.gallery = Some(PathBuf::from(value("--gallery")?)),
            other => bail!("unknown option `{other}`\n\n{}", usage()),
        }
    }
    if options.merge.is_some() && (!compute_flags.is_empty() || out_given) {
        bail!(
            "--merge DIR reads and writes DIR and takes the mode and figures from the shards; \
             it cannot be combined with {}",
            if out_given {
                "--out".to_string()
            } else {
                compute_flags.join(", ")
            }
        );
    }
    Ok(Some(options))
}

/// Figures that read real images in full mode (quick mode uses a synthetic stand-in),
/// and which data set.
const NEEDS_DATA: [(&str, Source); 7] = [
    (real::EMP_ID, Source::Mnist),
    (det::REAL_ID, Source::Mnist),
    (real::OPT_ID, Source::Mnist),
    (real::FASHION_EMP_ID, Source::FashionMnist),
    (real::ART_EMP_ID, Source::Mnist),
    (det::ART_ID, Source::Mnist),
    (real::ART_OPT_ID, Source::Mnist),
];

/// How the figures were selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selection {
    /// By name (`--only`): a figure that cannot run is an error.
    Named,
    /// The default (all): a figure without its data is skipped with a message.
    Default,
}

/// Full-mode figures on real images need `cargo xtask data`. When a data set is missing
/// it is provided here as that command would; if that fails, figures the user named with
/// `--only` are an error and the default selection goes on without them, saying which
/// command provides the data.
fn provide_data(options: &mut Options, selection: Selection) -> Result<()> {
    if options.mode != Mode::Full || options.merge.is_some() || options.gallery.is_some() {
        return Ok(());
    }
    for source in [Source::Mnist, Source::FashionMnist] {
        let needing: Vec<String> = options
            .only
            .iter()
            .filter(|id| NEEDS_DATA.contains(&(id.as_str(), source)))
            .cloned()
            .collect();
        if needing.is_empty() || crate::data::require(source).is_ok() {
            continue;
        }
        eprintln!(
            "{} need {source:?}: fetching it as `cargo xtask data` would",
            needing.join(", ")
        );
        if let Err(e) = crate::data::provide(source) {
            if selection == Selection::Named {
                return Err(e.context(format!(
                    "{} need {source:?}: run `cargo xtask data`",
                    needing.join(", ")
                )));
            }
            eprintln!(
                "warning: skipping {} ({e:#}); run `cargo xtask data`, then `cargo xtask figures --only {}`",
                needing.join(", "),
                needing.join(",")
            );
            options.only.retain(|id| !needing.contains(id));
        }
    }
    Ok(())
}

/// `cargo xtask figures ...`.
pub fn main(args: &[String]) -> Result<()> {
    let Some(mut options) = parse(args)? else {
        return Ok(());
    };
    let selection = if args
        .iter()
        .any(|a| a == "--only" || a.starts_with("--only="))
    {
        Selection::Named
    } else {
        Selection::Default
    };
    provide_data(&mut options, selection)?;
    if let Some(n) = options.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot build the thread pool")?;
        faer::set_global_parallelism(faer::Par::rayon(n));
    }
    run(&options)
}

/// Runs (or merges) as the options say, writes every output, and fails at the end if
/// a required agreement (full mode) is not met.
pub fn run(options: &Options) -> Result<()> {
    if let Some(dir) = &options.gallery {
        for path in gallery::write_all(dir, options.docs.as_deref())? {
            eprintln!("gallery: {}", path.display());
        }
        return Ok(());
    }
    let start = Instant::now();
    let dir = match &options.merge {
        Some(dir) => dir.clone(),
        None => options.out.clone(),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut failures = Vec::new();
    if options.merge.is_some() {
        let build = |id: &str, mode| experiment_in(id, mode, options.cache.clone());
        for merged in shard::merge(&dir, build)? {
            let exp = merged.experiment.as_ref();
            let outputs = driver::assemble(exp, &merged.raw, Some(merged.seconds))?;
            driver::write(&dir, exp.id(), &outputs)?;
            eprintln!(
                "{}: merged {} partial table(s); {}",
                exp.id(),
                merged.partials,
                headline(&outputs.summary)
            );
            failures.extend(requirement_failures(&outputs.summary));
        }
    } else {
        let experiments: Vec<Box<dyn Experiment>> = options
            .only
            .iter()
            .map(|id| experiment_in(id, options.mode, options.cache.clone()))
            .collect::<Result<_>>()?;
        let counts: Vec<usize> = experiments.iter().map(|e| e.units().len()).collect();
        let slices: Vec<Vec<usize>> = match options.shard {
            Some(shard) => shard.assign(&counts),
            None => counts.iter().map(|&c| (0..c).collect()).collect(),
        };
        let prepared = driver::prepare(
            experiments
                .iter()
                .zip(&slices)
                .filter(|(_, units)| !units.is_empty())
                .map(|(e, _)| e.as_ref()),
        )?;
        if let (Some((ids, seconds)), None) = (prepared, options.shard) {
            gallery::write_training_time(&dir, &ids, seconds)?;
        }
        // Consumed one by one: a finished figure drops its data and trained snapshots
        // (gigabytes for the real-image figures) before the next one runs.
        for (exp, units) in experiments.into_iter().zip(slices) {
            let exp = exp.as_ref();
            let t0 = Instant::now();
            let bar = driver::progress_bar(exp.id(), units.len(), options.progress);
            let results = driver::run_units(exp, &units, &bar)?;
            bar.finish_and_clear();
            let seconds = t0.elapsed().as_secs_f64();
            match options.shard {
                Some(shard) => {
                    let path = shard::write_partial(&dir, exp, shard, results, seconds)?;
                    eprintln!(
                        "{}: {} unit(s) of shard {}/{} in {seconds:.1} s → {}",
                        exp.id(),
                        units.len(),
                        shard.index,
                        shard.count,
                        path.display()
                    );
                }
                None => {
                    let raw = driver::raw_table(exp, exp.metadata(), results)?;
                    let outputs = driver::assemble(exp, &raw, Some(seconds))?;
                    driver::write(&dir, exp.id(), &outputs)?;
                    eprintln!(
                        "{}: {seconds:.1} s; {}",
                        exp.id(),
                        headline(&outputs.summary)
                    );
                    failures.extend(requirement_failures(&outputs.summary));
                }
            }
        }
    }
    if options.shard.is_none() {
        let written = gallery::write_all(&dir, options.docs.as_deref())?;
        for path in written {
            eprintln!("gallery: {}", path.display());
        }
    }
    eprintln!("total: {:.1} s", start.elapsed().as_secs_f64());
    if !failures.is_empty() {
        bail!("required agreement not met:\n  {}", failures.join("\n  "));
    }
    Ok(())
}

/// One line of a summary for the terminal.
fn headline(summary: &Summary) -> String {
    let agreement: Vec<String> = summary
        .agreement
        .iter()
        .map(|a| {
            format!(
                "{}: median {:.2} %",
                a.comparison,
                100.0 * a.median_relative_deviation
            )
        })
        .collect();
    let held = summary.checks.iter().filter(|c| c.holds).count();
    let claims = format!("claims {held}/{} hold", summary.checks.len());
    if agreement.is_empty() {
        claims
    } else {
        format!("{}; {claims}", agreement.join(", "))
    }
}

fn requirement_failures(summary: &Summary) -> Vec<String> {
    summary
        .agreement
        .iter()
        .filter(|a| !a.passes())
        .map(|a| {
            format!(
                "{}: {} median relative deviation {:.2} % ≥ {:.1} %",
                summary.figure,
                a.comparison,
                100.0 * a.median_relative_deviation,
                100.0 * a.required_below.unwrap_or(0.0)
            )
        })
        .collect()
}
