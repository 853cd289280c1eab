//! `dsrf simulate`: the theory column is `dsrf curve --network`'s, the numbers are
//! reproducible from the seed whatever the thread count, errors name the flag.

use std::process::Command;

use serde_json::Value;

mod common;

use common::{dsrf, network, rounded, scratch};

fn write_network(name: &str) -> String {
    let dir = scratch("simulate-tests", name);
    let file = dir.join("net.json");
    std::fs::write(&file, serde_json::to_string_pretty(&network()).unwrap()).unwrap();
    file.to_str().unwrap().to_string()
}

fn simulate_with_threads(net: &str, threads: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "simulate",
        "--network",
        net,
        "--seeds",
        "6",
        "--test-size",
        "500",
    ];
    args.extend_from_slice(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_dsrf"))
        .args(&args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("run dsrf");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn theory_matches_curve_and_simulation_is_reproducible() {
    let net = write_network("agree");
    let one = simulate_with_threads(&net, "1", &[]);
    let two = simulate_with_threads(&net, "2", &[]);
    assert_eq!(one, two, "thread count changed the numbers");
    let rows: Vec<Value> = serde_json::from_str(&one).unwrap();
    let (ok, curve, stderr) = dsrf(&["curve", "--network", &net]);
    assert!(ok, "{stderr}");
    let curve: Vec<Value> = serde_json::from_str(&curve).unwrap();
    assert_eq!(rows.len(), curve.len());
    for (s, c) in rows.iter().zip(&curve) {
        assert_eq!(s["n"], c["n"]);
        assert_eq!(s["lambda"], c["lambda"]);
        assert_eq!(s["units"], "paper");
        assert_eq!(s["theory_test_error"], c["test_error"]);
        assert_eq!(s["seed"], 11);
        assert_eq!(s["network_seed"], 11);
        assert_eq!(s["replicates"], 6);
        // λ_c = pλ with p = 40.
        let lambda = s["lambda"].as_f64().unwrap();
        assert!((s["lambda_code"].as_f64().unwrap() - 40.0 * lambda).abs() < 1e-12);
        // A small network (d = 40) and six replicates: the theory is a guide, not exact;
        // the simulation must still land in its neighbourhood.
        let (mean, theory) = (
            s["test_error_mean"].as_f64().unwrap(),
            s["theory_test_error"].as_f64().unwrap(),
        );
        assert!((mean / theory - 1.0).abs() < 0.5, "{s}");
        assert!(s["test_error_stderr"].as_f64().unwrap() > 0.0);
    }
    // Another data seed gives other numbers; flags override the file's grid and units.
    let other = simulate_with_threads(&net, "2", &["--seed", "5"]);
    assert_ne!(other, one);
    let code = simulate_with_threads(
        &net,
        "2",
        &[
            "--units",
            "code",
            "--lambdas",
            "0.04",
            "--ns",
            "20,30",
            "--format",
            "csv",
        ],
    );
    let lines: Vec<&str> = code.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("20,0.04,code,0.04,"), "{}", lines[1]);
    insta::assert_snapshot!(rounded(&code, 6));
}

#[test]
fn bad_arguments_are_named() {
    let net = write_network("bad");
    for (extra, expected) in [
        (vec!["--seeds", "0"], "--seeds"),
        (vec!["--test-size", "0"], "--test-size"),
        (vec!["--lambdas", "0"], "--lambdas"),
        (vec!["--ns", "0"], "--ns"),
        (vec!["--units", "code"], "--units"),
    ] {
        let mut args = vec!["simulate", "--network", &net];
        args.extend(extra.iter().copied());
        let (ok, _, stderr) = dsrf(&args);
        assert!(!ok && stderr.contains(expected), "{extra:?}: {stderr}");
    }
    let (ok, _, stderr) = dsrf(&["simulate", "--network", "/nonexistent/net.json"]);
    assert!(!ok && stderr.contains("/nonexistent/net.json"), "{stderr}");
}

/// `--loss logistic|hinge`: classification errors beside the GCM theory, identical for
/// any thread count, within the replicate noise of the theory; ridge-only and
/// classifier-only flags are refused by name.
#[test]
fn classifiers_against_the_gcm_theory() {
    let net = write_network("classify");
    for loss in ["logistic", "hinge"] {
        let extra = [
            "--loss",
            loss,
            "--flip",
            "0.05",
            "--lambdas",
            "0.5",
            "--units",
            "code",
        ];
        let one = simulate_with_threads(&net, "1", &extra);
        let two = simulate_with_threads(&net, "2", &extra);
        assert_eq!(one, two, "{loss}: the thread count changed the numbers");
        let rows: Vec<Value> = serde_json::from_str(&one).unwrap();
        assert!(!rows.is_empty());
        for row in &rows {
            let sim = row["classification_error"].as_f64().unwrap();
            let theory = row["theory_classification_error"].as_f64().unwrap();
            let stderr = row["stderr"].as_f64().unwrap();
            assert!(theory > 0.05 && theory < 0.5, "{row}");
            // Six replicates of 500 test samples at small n and p: four standard errors
            // plus 10 % for the finite size.
            assert!(
                (sim - theory).abs() <= 4.0 * stderr + 0.1 * theory,
                "{loss}: {row}"
            );
            assert_eq!(row["loss"], loss);
        }
    }
    for (extra, expected) in [
        (vec!["--flip", "0.1"], "--flip"),
        (vec!["--loss", "hinge", "--flip", "0.7"], "flip"),
    ] {
        let mut args = vec!["simulate", "--network", &net];
        args.extend(extra.iter().copied());
        let (ok, _, stderr) = dsrf(&args);
        assert!(!ok && stderr.contains(expected), "{extra:?}: {stderr}");
    }
}
