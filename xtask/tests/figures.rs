//! The figures' regression suite: every figure's quick-mode table is pinned by a
//! snapshot (floats rounded to 6 significant digits, so that thread counts and faer's
//! parallel summation order cannot matter — the simulator is bit-identical across
//! thread counts and the theory is deterministic up to such rounding), and a sharded
//! run merged afterwards must give the same table as a single run.

use std::path::PathBuf;

use dsrf_report::{Table, from_json, to_csv};
use xtask::figures::{self, FIGURES, Mode, Options, Shard};

/// Significant digits kept in the snapshots.
const DIGITS: u32 = 6;

/// The table without the run-dependent metadata (commit, wall time).
fn stable(table: &Table) -> Table {
    let mut t = table.clone();
    t.metadata_mut().commit = None;
    t.metadata_mut().wall_time_seconds = None;
    t
}

fn quick_table(id: &str) -> Table {
    let exp = figures::experiment(id, Mode::Quick).unwrap();
    figures::compute(exp.as_ref(), false).unwrap().table
}

#[test]
fn quick_tables_are_pinned() {
    for id in FIGURES {
        let table = stable(&quick_table(id).rounded(DIGITS));
        insta::assert_snapshot!(format!("{id}_quick"), to_csv(&table));
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dsrf-figures-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn options(out: PathBuf) -> Options {
    let mut o = Options::new(Mode::Quick);
    o.only = vec![
        "fig1_rainbow".into(),
        "precursor_spectrum".into(),
        "fig2_trained".into(),
        "real_emp".into(),
        "art_det".into(),
    ];
    o.out = out;
    o.progress = false;
    o.docs = None;
    o
}

#[test]
fn sharded_and_merged_equals_a_single_run() {
    let single = scratch("single");
    figures::run(&options(single.clone())).unwrap();
    let sharded = scratch("sharded");
    for k in 1..=3 {
        let mut o = options(sharded.clone());
        o.shard = Some(Shard { index: k, count: 3 });
        figures::run(&o).unwrap();
    }
    // Nothing is assembled before the merge.
    assert!(!sharded.join("fig1_rainbow.json").exists());
    let mut merge = options(sharded.clone());
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
    let _ = std::fs::remove_dir_all(&single);
    let _ = std::fs::remove_dir_all(&sharded);
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
