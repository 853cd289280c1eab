//! The `dsrf linearize` command: SPEC §7.3 through the command line, the hand-over to
//! `dsrf curve`, and field-named errors.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod common;

use common::dsrf;

fn scratch(name: &str) -> PathBuf {
    common::scratch("linearize-tests", name)
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/linearize_tanh.json")
}

#[test]
fn spec_7_3_through_the_command_line() {
    let (ok, stdout, stderr) = dsrf(&["linearize", "--input", example().to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    let want = [
        [0.0591090657, -0.0463028886, -0.0361245984],
        [-0.0463028886, 0.1011592783, -0.0252895156],
        [-0.0361245984, -0.0252895156, 0.2199819127],
    ];
    for (i, row) in want.iter().enumerate() {
        for (j, w) in row.iter().enumerate() {
            assert!((out["omega"][i][j].as_f64().unwrap() - w).abs() < 1e-9);
        }
    }
    let psi = [0.063776222, -0.0871397885, 0.0694592517];
    for (i, w) in psi.iter().enumerate() {
        assert!((out["psi"][i].as_f64().unwrap() - w).abs() < 1e-9);
    }
    assert!((out["layers"][0]["kappa1"].as_f64().unwrap() - 0.723100835236).abs() < 1e-11);
    assert_eq!(out["variance"], "averaged");
}

#[test]
fn output_feeds_dsrf_curve_through_npy() {
    let dir = scratch("handover");
    let npy = dir.join("omega.npy");
    let (ok, stdout, stderr) = dsrf(&[
        "linearize",
        "--input",
        example().to_str().unwrap(),
        "--variance",
        "per-neuron",
        "--omega-npy",
        npy.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["omega"]["npy"], npy.to_str().unwrap());
    // The .npy file and ψ go straight into `dsrf curve` (E[y²] = 0.2 ≥ ψ₀ᵀψ₀ = 0.14).
    let problem = json!({
        "omega": {"npy": npy.to_str().unwrap()},
        "psi": out["psi"],
        "label_second_moment": 0.2,
        "lambdas": [0.01],
        "ns": [2, 5]
    });
    let file = dir.join("problem.json");
    std::fs::write(&file, problem.to_string()).unwrap();
    let (ok, stdout, stderr) = dsrf(&["curve", "--problem", file.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let rows: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert!(rows[0]["test_error"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_networks_name_the_field() {
    let base = json!({
        "omega0": [[1, 0], [0, 1]],
        "psi0": [0.1, 0.2],
        "layers": [{"weights": [[1, 0.5], [0.2, 1]], "activation": "tanh"}, {"weights": [[1, 0.5], [0.2, 1]], "activation": "relu"}]
    });
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown activation",
            json!({"layers": [{"weights": [[1, 0], [0, 1]], "activation": "swish"}]}),
            "layers[0].activation",
        ),
        (
            "widths",
            json!({"layers": [{"weights": [[1, 0], [0, 1]], "activation": "tanh"}, {"weights": [[1, 0, 0]], "activation": "tanh"}]}),
            "layers[1].weights",
        ),
        ("psi0 length", json!({"psi0": [0.1]}), "psi0"),
        (
            "asymmetric omega0",
            json!({"omega0": [[1, 0.5], [0, 1]]}),
            "omega0",
        ),
        ("unknown field", json!({"omega": [[1]]}), "omega"),
        ("no layers", json!({"layers": []}), "layers"),
        (
            "layer typo",
            json!({"layers": [{"weight": [[1, 0], [0, 1]], "activation": "tanh"}]}),
            "layers[0]",
        ),
    ];
    let dir = scratch("bad");
    for (name, patch, needle) in cases {
        let mut net = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            net[k] = v.clone();
        }
        let file = dir.join("net.json");
        std::fs::write(&file, net.to_string()).unwrap();
        let (ok, stdout, stderr) = dsrf(&["linearize", "--input", file.to_str().unwrap()]);
        assert!(!ok, "{name}: accepted");
        assert!(stdout.is_empty(), "{name}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}");
    }
}
