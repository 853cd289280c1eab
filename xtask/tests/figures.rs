//! The figures' regression suite: every figure's quick-mode table and summary
//! (agreement, the paper's claims, read-offs) are pinned by snapshots, one test per
//! figure so that a mismatch in one cannot hide the others, and a sharded run merged
//! afterwards must give the same files as a single run.
//!
//! Nothing can pass by accident: every test trains its networks into its own empty
//! temporary cache (never `figures/cache`), so a change to the training code changes
//! the snapshots of the learned figures. Floats are rounded to 6 significant digits;
//! the CSV snapshots keep the structured parameters and seeds but not the prose inside
//! the parameters (a description's wording is not data) nor the program version.

use std::path::PathBuf;

use dsrf::sim::TrainingCache;
use dsrf_report::{Table, from_json, round_significant, to_csv};
use serde_json::Value;
use xtask::figures::{self, FIGURES, Mode, Options, Progress, Shard, Summary};

/// The allocator of the `xtask` binary, keeping blocks from 64 KiB on instead of 16 MiB
/// so that the quick figures' matrices are reused too: reused blocks are not cleared
/// unless asked for, so a read of memory never written would change a snapshot.
#[global_allocator]
static ALLOCATOR: dsrf::retain::Retaining = dsrf::retain::Retaining::new(64 << 10, 512 << 20);

/// Significant digits kept in the snapshots.
const DIGITS: u32 = 6;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dsrf-figures-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A value without its prose: strings with whitespace are descriptions, not data.
fn without_prose(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) if s.chars().any(char::is_whitespace) => None,
        Value::Object(map) => Some(Value::Object(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), without_prose(v)?)))
                .collect(),
        )),
        Value::Array(items) => Some(Value::Array(
            items.iter().filter_map(without_prose).collect(),
        )),
        other => Some(other.clone()),
    }
}

/// The table without the run-dependent metadata (commit, wall time).
fn stable(table: &Table) -> Table {
    let mut t = table.clone();
    t.metadata_mut().commit = None;
    t.metadata_mut().wall_time_seconds = None;
    t
}

/// Magnitudes below this are rounding noise in every figure table (e.g. the standard
/// deviation of ridge errors that are equal up to the last bits, ~1e-17): pinned as 0,
/// so that a rounding-level change of a reduction does not churn the snapshots.
const NOISE_FLOOR: f64 = 1e-12;

fn without_noise(line: &str) -> String {
    if line.starts_with('#') {
        return line.to_string();
    }
    line.split(',')
        .map(|cell| match cell.parse::<f64>() {
            Ok(x) if x != 0.0 && x.abs() < NOISE_FLOOR => "0".to_string(),
            _ => cell.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The pinned CSV: rounded, without run-dependent metadata, prose or version.
fn pinned_csv(table: &Table) -> String {
    let mut t = stable(&table.rounded(DIGITS));
    let parameters = &mut t.metadata_mut().parameters;
    *parameters = parameters
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), without_prose(v)?)))
        .collect();
    to_csv(&t)
        .lines()
        .filter(|line| !line.starts_with("# version:"))
        .map(|line| format!("{}\n", without_noise(line)))
        .collect()
}

fn round_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            let x = round_significant(n.as_f64().expect("an f64"), DIGITS);
            *value = serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number);
        }
        Value::Array(items) => items.iter_mut().for_each(round_numbers),
        Value::Object(map) => map.values_mut().for_each(round_numbers),
        _ => {}
    }
}

/// The pinned summary: agreement, checks and read-offs, rounded; the notes are prose.
fn pinned_summary(summary: &Summary) -> Value {
    let mut value = serde_json::to_value(summary).unwrap();
    value.as_object_mut().unwrap().remove("notes");
    round_numbers(&mut value);
    value
}

/// Runs figure `id` in quick mode with its own empty training cache and compares its
/// table and summary with the snapshots.
fn check_figure(id: &str) {
    let cache = scratch(&format!("cache-{id}"));
    let exp = figures::experiment_in(id, Mode::Quick, TrainingCache::new(&cache)).unwrap();
    let outputs = figures::compute(exp.as_ref(), Progress::Hidden).unwrap();
    let _ = std::fs::remove_dir_all(&cache);
    insta::assert_snapshot!(format!("{id}_quick"), pinned_csv(&outputs.table));
    insta::assert_json_snapshot!(
        format!("{id}_quick_summary"),
        pinned_summary(&outputs.summary)
    );
}

/// One test per figure, and the list of figures they cover.
macro_rules! figure_tests {
    ($($id:ident),* $(,)?) => {
        $(
            #[test]
            fn $id() {
                check_figure(stringify!($id));
            }
        )*
        const TESTED: &[&str] = &[$(stringify!($id)),*];
    };
}

figure_tests!(
    fig1_rainbow,
    fig1_ensemble,
    fig2_trained,
    rf_emp,
    rf_emp_ensemble,
    precursor_ridge,
    precursor_logistic,
    rainbow_classification,
    precursor_depth,
    precursor_spectrum,
    precursor_architecture,
    real_emp,
    real_det,
    real_opt,
    fashion_emp,
    art_emp,
    art_det,
    art_opt,
);

#[test]
fn every_figure_has_a_test() {
    assert_eq!(TESTED, FIGURES.as_slice());
}

fn options(out: PathBuf, cache: &TrainingCache) -> Options {
    let mut o = Options::new(Mode::Quick);
    o.only = vec![
        "fig1_rainbow".into(),
        "precursor_spectrum".into(),
        "fig2_trained".into(),
        "real_emp".into(),
        "art_det".into(),
    ];
    o.out = out;
    o.progress = Progress::Hidden;
    o.docs = None;
    o.cache = cache.clone();
    o
}

#[test]
fn sharded_and_merged_equals_a_single_run() {
    let cache = TrainingCache::new(scratch("cache-shards"));
    let single = scratch("single");
    figures::run(&options(single.clone(), &cache)).unwrap();
    let sharded = scratch("sharded");
    for k in 1..=3 {
        let mut o = options(sharded.clone(), &cache);
        o.shard = Some(Shard { index: k, count: 3 });
        figures::run(&o).unwrap();
    }
    // Nothing is assembled before the merge.
    assert!(!sharded.join("fig1_rainbow.json").exists());
    let mut merge = options(sharded.clone(), &cache);
    merge.merge = Some(sharded.clone());
    figures::run(&merge).unwrap();
    for id in [
        "fig1_rainbow",
        "precursor_spectrum",
        "fig2_trained",
        "real_emp",
        "art_det",
    ] {
        let read = |dir: &PathBuf| {
            stable(
                &from_json(&std::fs::read_to_string(dir.join(format!("{id}.json"))).unwrap())
                    .unwrap(),
            )
        };
        assert_eq!(read(&single), read(&sharded), "{id}");
        let svg = |dir: &PathBuf| std::fs::read_to_string(dir.join(format!("{id}.svg"))).unwrap();
        assert_eq!(svg(&single), svg(&sharded), "{id}");
        let summary = |dir: &PathBuf| {
            std::fs::read_to_string(dir.join(format!("{id}.summary.json"))).unwrap()
        };
        assert_eq!(summary(&single), summary(&sharded), "{id}");
    }
    assert!(sharded.join("gallery.md").exists());
    // A missing shard is an error that names the missing units.
    std::fs::remove_file(
        sharded
            .join("shards")
            .join("fig1_rainbow.shard-2-of-3.json"),
    )
    .unwrap();
    let err = figures::run(&merge).unwrap_err().to_string();
    assert!(err.contains("in no shard"), "{err}");
    for dir in [&single, &sharded, &cache.dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The figures of one network in one run share its data, training run and each
/// snapshot's reduced Ω̂ (`real_det` and `real_opt` reuse what `real_emp` computed):
/// the same tables as each figure on its own.
#[test]
fn figures_sharing_a_network_equal_each_on_its_own() {
    let table = |dir: &PathBuf, id: &str| {
        let json = std::fs::read_to_string(dir.join(format!("{id}.json"))).unwrap();
        stable(&from_json(&json).unwrap())
    };
    let run = |name: &str, only: &[&str]| {
        let cache = TrainingCache::new(scratch(&format!("cache-{name}")));
        let out = scratch(name);
        let mut o = options(out.clone(), &cache);
        o.only = only.iter().map(|id| id.to_string()).collect();
        figures::run(&o).unwrap();
        let _ = std::fs::remove_dir_all(&cache.dir);
        out
    };
    let together = run("sharing", &["real_emp", "real_det", "real_opt"]);
    for id in ["real_det", "real_opt"] {
        let alone = run(&format!("alone-{id}"), &[id]);
        assert_eq!(table(&together, id), table(&alone, id), "{id}");
        let _ = std::fs::remove_dir_all(&alone);
    }
    let _ = std::fs::remove_dir_all(&together);
}

/// A curve figure drops a series' realised network after the series' last unit; a
/// unit run again afterwards (as a shard or a retry would) realises it again from its
/// seed and gives the same rows, bit for bit.
#[test]
fn units_run_again_after_their_series_is_released_give_the_same_rows() {
    let cache = TrainingCache::new(scratch("cache-rerun"));
    let exp = figures::experiment_in("rf_emp_ensemble", Mode::Quick, cache).unwrap();
    let units = exp.units().len();
    let pass = || -> Vec<_> { (0..units).map(|u| exp.run_unit(u).unwrap()).collect() };
    let first = pass();
    assert_eq!(first, pass());
    // Backwards too: the last series is released first, then rebuilt first.
    let reversed: Vec<_> = (0..units).rev().map(|u| exp.run_unit(u).unwrap()).collect();
    assert!(reversed.into_iter().rev().eq(first));
}

#[test]
fn command_line_is_checked() {
    let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let o = figures::parse(&args(
        "--quick --only rf_emp,fig1_rainbow --jobs 2 --shard 2/4",
    ))
    .unwrap()
    .unwrap();
    assert_eq!(o.mode, Mode::Quick);
    assert_eq!(o.only, vec!["rf_emp", "fig1_rainbow"]);
    assert_eq!(o.jobs, Some(2));
    assert_eq!(o.shard, Some(Shard { index: 2, count: 4 }));
    assert!(figures::parse(&args("--only nope")).is_err());
    assert!(figures::parse(&args("--merge x --quick")).is_err());
    assert!(figures::parse(&args("--jobs 0")).is_err());
    assert!(figures::parse(&args("--bogus")).is_err());
}
