//! `dsrf covariance --network` and `dsrf curve --network`: the same numbers by both
//! routes, reproducibility from the seed, and field-named errors.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod common;

use common::{dsrf, network};

fn scratch(name: &str) -> PathBuf {
    common::scratch("network-tests", name)
}

fn write(dir: &Path, value: &Value) -> PathBuf {
    let file = dir.join("net.json");
    std::fs::write(&file, serde_json::to_string_pretty(value).unwrap()).unwrap();
    file
}

#[test]
fn covariance_files_and_direct_curve_agree() {
    let dir = scratch("agree");
    let net = write(&dir, &network());
    let out = dir.join("cov");
    let (ok, _, stderr) = dsrf(&[
        "covariance",
        "--network",
        net.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    for f in [
        "omega.npy",
        "phi.npy",
        "psi.npy",
        "problem.json",
        "linearization.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("linearization.json")).unwrap())
            .unwrap();
    assert_eq!(summary["seed"], 11);
    let (ok, via_files, stderr) = dsrf(&[
        "curve",
        "--problem",
        out.join("problem.json").to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let (ok, direct, stderr) = dsrf(&["curve", "--network", net.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert_eq!(via_files, direct);
    let rows: Value = serde_json::from_str(&direct).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 6);
    // Same seed, same numbers; another seed, other numbers.
    let (_, again, _) = dsrf(&["curve", "--network", net.to_str().unwrap()]);
    assert_eq!(again, direct);
    let mut other = network();
    other["seed"] = json!(12);
    let other_file = write(&scratch("agree-other"), &other);
    let (_, different, _) = dsrf(&["curve", "--network", other_file.to_str().unwrap()]);
    assert_ne!(different, direct);
}

/// A change to a valid network file.
type Patch = Box<dyn Fn(&mut Value)>;

#[test]
fn bad_network_files_name_the_field() {
    let cases: Vec<(&str, Patch, &str)> = vec![
        (
            "unknown matrix form",
            Box::new(|v| v["learner"][0]["weights"] = json!({"random": 3})),
            "learner[0].weights",
        ),
        (
            "undefined ref",
            Box::new(|v| v["target"][0]["weights"] = json!({"ref": "Nope"})),
            "target[0].weights",
        ),
        (
            "widths",
            Box::new(|v| {
                v["learner"][1]["weights"] =
                    json!({"gaussian": {"name": "Q", "rows": 5, "cols": 7}})
            }),
            "learner[1].weights",
        ),
        (
            "unknown activation",
            Box::new(|v| v["learner"][0]["activation"] = json!("swish")),
            "learner[0].activation",
        ),
        (
            "negative shift",
            Box::new(|v| {
                v["learner"][1]["weights"]["rainbow"]["covariance"]["inverse_gram_plus"]["shift"] =
                    json!(-1.0)
            }),
            "shift",
        ),
        (
            "unknown field",
            Box::new(|v| v["seeds"] = json!(3)),
            "seeds",
        ),
        (
            "bad readout",
            Box::new(|v| v["readout"] = json!({"theta_star": [1.0, 2.0]})),
            "readout.theta_star",
        ),
        (
            "missing learner",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("learner");
            }),
            "learner",
        ),
    ];
    for (name, patch, needle) in cases {
        let mut net = network();
        patch(&mut net);
        let file = write(&scratch("bad"), &net);
        let (ok, stdout, stderr) = dsrf(&["curve", "--network", file.to_str().unwrap()]);
        assert!(!ok && stdout.is_empty(), "{name}: accepted");
        assert!(stderr.contains(needle), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}");
    }
}
