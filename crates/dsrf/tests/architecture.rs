//! ARCHITECTURE.md's dependency edges are the workspace's real ones (`cargo metadata`),
//! so the diagram cannot drift from the code.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The edges listed after the `<!-- edges` marker (first code block).
fn documented() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let after = &text[text.find("<!-- edges").expect("edges marker")..];
    let block = after
        .split("```")
        .nth(1)
        .expect("a code block after the marker");
    block
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// Workspace-internal dependency edges, as `a -> b` or `a -(dev)-> b`.
fn actual() -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let names: BTreeSet<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let mut edges = BTreeSet::new();
    for p in packages {
        for d in p["dependencies"].as_array().unwrap() {
            let to = d["name"].as_str().unwrap();
            if !names.contains(to) {
                continue;
            }
            let arrow = if d["kind"] == "dev" { "-(dev)->" } else { "->" };
            edges.insert(format!("{} {arrow} {to}", p["name"].as_str().unwrap()));
        }
    }
    edges
}

#[test]
fn documented_edges_are_the_real_ones() {
    let (doc, real) = (documented(), actual());
    let missing: Vec<_> = real.difference(&doc).collect();
    let stale: Vec<_> = doc.difference(&real).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "ARCHITECTURE.md edges differ from cargo metadata:\n  not documented: {missing:?}\n  documented but absent: {stale:?}"
    );
}

#[test]
fn no_library_depends_upwards() {
    // Layer order: a crate may depend only on crates of a lower rank.
    let rank = |name: &str| match name {
        "dsrf-linalg" | "dsrf-report" => 0,
        "dsrf-theory" | "dsrf-rainbow" => 1,
        "dsrf-sim" => 2,
        "dsrf" => 3,
        _ => 4,
    };
    for edge in actual().iter().filter(|e| e.contains(" -> ")) {
        let (from, to) = edge.split_once(" -> ").unwrap();
        assert!(
            rank(to) < rank(from) || rank(from) == 4,
            "{edge} points upwards"
        );
        assert!(
            from != "dsrf" || to != "dsrf-report",
            "the facade must not depend on report"
        );
    }
}
