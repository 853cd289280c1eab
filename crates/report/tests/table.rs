//! Table round trips (bit-exact floats) and the metadata header.

use dsrf_report::{
    Cell, Metadata, ReportError, Table, from_csv, from_json, round_significant, to_csv, to_json,
    write,
};
use serde_json::json;

fn metadata() -> Metadata {
    let mut meta = Metadata::new("fig2", "0.1.0")
        .parameter("d", 400)
        .parameter("lambda", 1e-3)
        .parameter("activation", "tanh")
        .parameter("gammas", json!([0.5, 1.0, 2.0]))
        .parameter("target", json!({"kind": "network", "depth": 2}));
    meta.seeds = vec![0, 1, u64::MAX];
    meta.commit = Some("0123456789abcdef0123456789abcdef01234567".into());
    meta.wall_time_seconds = Some(12.25);
    meta
}

fn awkward_table() -> Table {
    let floats = [
        0.1 + 0.2,
        1.0 / 3.0,
        -0.0,
        1.0,
        1e-300,
        5e-324,
        f64::MAX,
        -f64::MIN_POSITIVE,
        1e16,
        123_456_789.012_345_68,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    let texts = [
        "",
        "nan",
        "inf",
        "1",
        "-2.5",
        "1e5",
        "a,b",
        "say \"hi\"",
        "two\nlines",
        "#hash",
        " padded ",
        "ε_g(α = n/d)",
        "plain",
    ];
    let integers = [0, -1, 42, i64::MIN, i64::MAX, 7, 8, 9, 10, 11, 12, 13, 14];
    let rows = floats
        .iter()
        .zip(texts)
        .zip(integers)
        .map(|((&x, s), i)| vec![Cell::Number(x), Cell::Text(s.into()), Cell::Integer(i)])
        .collect();
    Table::new(
        metadata(),
        vec!["x".into(), "label, with comma".into(), "#n".into()],
        rows,
    )
    .unwrap()
}

#[test]
fn csv_round_trip_is_exact() {
    let table = awkward_table();
    let back = from_csv(&to_csv(&table)).unwrap();
    assert_eq!(back, table);
}

#[test]
fn json_round_trip_is_exact_except_non_finite_words_as_text() {
    let table = awkward_table();
    let back = from_json(&to_json(&table)).unwrap();
    assert_eq!(back.metadata(), table.metadata());
    assert_eq!(back.columns(), table.columns());
    for (got, want) in back.rows().iter().zip(table.rows()) {
        assert_eq!(got[0], want[0]);
        assert_eq!(got[2], want[2]);
        match &want[1] {
            // Documented ambiguity: JSON spells non-finite floats as these words.
            Cell::Text(s) if s == "nan" || s == "inf" => assert!(matches!(got[1], Cell::Number(_))),
            other => assert_eq!(&got[1], other),
        }
    }
}

/// Deterministic pseudo-random bit patterns: every finite f64 must survive both formats.
#[test]
fn arbitrary_floats_survive_bit_for_bit() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut rows = Vec::new();
    while rows.len() < 2000 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let x = f64::from_bits(state ^ (state >> 29));
        rows.push(vec![Cell::Number(x)]);
    }
    let table = Table::new(Metadata::new("bits", "0"), vec!["x".into()], rows).unwrap();
    assert_eq!(from_csv(&to_csv(&table)).unwrap(), table);
    assert_eq!(from_json(&to_json(&table)).unwrap(), table);
}

#[test]
fn metadata_strings_that_need_quoting_survive_csv() {
    let mut meta = Metadata::new("fig: 2", " padded");
    meta.commit = Some("\"quoted\"".into());
    let table = Table::new(meta, vec!["x".into()], vec![vec![1.5.into()]]).unwrap();
    assert_eq!(from_csv(&to_csv(&table)).unwrap(), table);
    let empty = Table::new(Metadata::new("", ""), vec!["x".into()], vec![]).unwrap();
    assert_eq!(from_csv(&to_csv(&empty)).unwrap(), empty);
}

#[test]
fn wrong_shapes_are_rejected_when_reading() {
    let json = r#"{"metadata": {"figure": "f", "version": "1"}, "columns": ["a", "b"], "rows": [[1.0, 2.0], [3.0]]}"#;
    assert!(matches!(
        from_json(json),
        Err(ReportError::RowLength {
            row: 1,
            expected: 2,
            found: 1
        })
    ));
    assert!(matches!(from_json("{"), Err(ReportError::Json(_))));
    let misspelt = r#"{"metadata": {"figure": "f", "version": "1", "seed": [1]}, "columns": ["a"], "rows": []}"#;
    assert!(matches!(from_json(misspelt), Err(ReportError::Json(_))));
    assert!(matches!(
        from_csv("# figure: f\n# version: 1\n# colour: red\nx\n1\n"),
        Err(ReportError::Csv { line: 3, .. })
    ));
}

#[test]
fn write_creates_the_directory_and_both_files() {
    let dir = std::env::temp_dir().join(format!("dsrf-report-write-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let table = awkward_table();
    let (csv, json) = write(&table, &dir.join("nested"), "fig2").unwrap();
    assert!(csv.ends_with("nested/fig2.csv") && json.ends_with("nested/fig2.json"));
    assert_eq!(
        from_csv(&std::fs::read_to_string(&csv).unwrap()).unwrap(),
        table
    );
    assert_eq!(
        from_json(&std::fs::read_to_string(&json).unwrap())
            .unwrap()
            .rows()[0],
        table.rows()[0]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn write_reports_the_path_on_failure() {
    let file = std::env::temp_dir().join(format!("dsrf-report-file-{}", std::process::id()));
    std::fs::write(&file, "not a directory").unwrap();
    let err = write(&awkward_table(), &file.join("sub"), "x").unwrap_err();
    assert!(
        matches!(&err, ReportError::Io { path, .. } if path.starts_with(&file)),
        "{err}"
    );
    std::fs::remove_file(&file).unwrap();
}

fn small_table() -> Table {
    let mut meta = metadata();
    meta.commit = None;
    meta.wall_time_seconds = None;
    let rows = [0.5, 1.0, 2.0]
        .iter()
        .map(|&alpha: &f64| {
            vec![
                Cell::Number(alpha),
                Cell::Number(1.0 / (3.0 * alpha)),
                Cell::Integer(400),
                Cell::Text("theory".into()),
            ]
        })
        .chain([vec![
            Cell::Number(1.0),
            Cell::Number(f64::INFINITY),
            Cell::Integer(400),
            Cell::Text("ridgeless".into()),
        ]])
        .collect();
    Table::new(
        meta,
        vec![
            "alpha".into(),
            "test_error".into(),
            "d".into(),
            "method".into(),
        ],
        rows,
    )
    .unwrap()
    .rounded(6)
}

#[test]
fn csv_layout_snapshot() {
    insta::assert_snapshot!(to_csv(&small_table()));
}

#[test]
fn json_layout_snapshot() {
    insta::assert_snapshot!(to_json(&small_table()));
}

#[test]
fn metadata_json_snapshot() {
    insta::assert_json_snapshot!(small_table().metadata());
}

#[test]
fn rounding_for_snapshots() {
    assert_eq!(round_significant(1.234_567_891e-5, 4), 1.235e-5);
    let rounded = small_table();
    assert_eq!(rounded.rows()[0][1], Cell::Number(0.666667));
}
