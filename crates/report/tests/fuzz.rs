//! The table readers (CSV and JSON, used to merge the shards of a sweep) are total:
//! random and mutated text gives `Ok` or a `ReportError`, never a panic.

use dsrf_report::{Cell, Metadata, Table, from_csv, from_json, to_csv, to_json};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let seed = std::env::var("DSRF_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_201);
    ProptestConfig {
        cases: 1000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn sample() -> Table {
    let mut metadata = Metadata::new("fuzz", "0");
    metadata.seeds = vec![1, 2];
    Table::new(
        metadata,
        vec!["n".into(), "source".into(), "error".into()],
        vec![
            vec![Cell::Number(1.0), Cell::from("theory"), Cell::Number(0.5)],
            vec![
                Cell::Number(2.5),
                Cell::from("simulation"),
                Cell::Number(f64::NAN),
            ],
        ],
    )
    .unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let _ = from_csv(&text);
        let _ = from_json(&text);
    }

    #[test]
    fn mutated_tables_never_panic(
        json in any::<bool>(),
        edits in prop::collection::vec((any::<usize>(), any::<char>()), 1..6),
    ) {
        let table = sample();
        let text = if json { to_json(&table) } else { to_csv(&table) };
        let mut chars: Vec<char> = text.chars().collect();
        for (at, c) in edits {
            let k = at % chars.len();
            chars[k] = c;
        }
        let text: String = chars.into_iter().collect();
        let _ = from_csv(&text);
        let _ = from_json(&text);
    }
}
