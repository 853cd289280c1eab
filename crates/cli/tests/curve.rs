//! The `dsrf curve` contract: outputs, equivalent input forms, and every bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

mod common;

use common::rounded;

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn dsrf(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_dsrf"))
        .args(args)
        .output()
        .expect("run dsrf");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("curve-tests")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `problem` to a scratch file and runs `dsrf curve` on it with `extra` flags.
fn curve(name: &str, problem: &Value, extra: &[&str]) -> Run {
    let dir = scratch(name);
    let file = dir.join("problem.json");
    std::fs::write(&file, serde_json::to_string_pretty(problem).unwrap()).unwrap();
    let mut args = vec!["curve", "--problem", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    dsrf(&args)
}

fn rows(run: &Run) -> Vec<Value> {
    assert!(run.ok, "dsrf failed: {}", run.stderr);
    serde_json::from_str::<Value>(&run.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn num(row: &Value, key: &str) -> f64 {
    row[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {row}"))
}

fn t2_code_form() -> Value {
    json!({
        "units": "paper",
        "omega": {"eigenvalues": [1.0, 0.5, 0.25, 0.125]},
        "psi": [0.8, 0.3, -0.2, 0.1],
        "label_second_moment": 1.3,
        "noise_variance": 0.1,
        "lambdas": [0.001, 0.1, 1.0],
        "ns": [2, 4, 8]
    })
}

#[test]
fn t2_vectors_through_the_command_line() {
    let out = rows(&curve("t2", &t2_code_form(), &[]));
    assert_eq!(out.len(), 9);
    // SPEC §7.1 T2: (n, λ, m, E paper) — the CLI adds the test noise 0.1.
    let want = [
        (2.0, 0.001, 5.58479328696, 0.841302254518),
        (8.0, 0.1, 6.07731671295, 0.293795987915),
        (4.0, 1.0, 0.761314833811, 0.67791499865),
    ];
    for (n, lambda, m, e) in want {
        let row = out
            .iter()
            .find(|r| num(r, "n") == n && num(r, "lambda") == lambda)
            .unwrap();
        assert!((num(row, "m") / m - 1.0).abs() < 1e-10);
        assert!((num(row, "excess_risk") / e - 1.0).abs() < 1e-10);
        assert!((num(row, "test_error") / (e + 0.1) - 1.0).abs() < 1e-10);
        assert_eq!(row["units"], "paper");
    }
}

#[test]
fn csv_and_json_carry_the_same_rows() {
    let json_rows = rows(&curve("csv-json", &t2_code_form(), &[]));
    let csv = curve("csv-json", &t2_code_form(), &["--format", "csv"]);
    assert!(csv.ok);
    let mut lines = csv.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..5],
        &["n", "lambda", "units", "test_error", "excess_risk"]
    );
    for (line, row) in lines.zip(&json_rows) {
        for (name, cell) in header.iter().zip(line.split(',')) {
            match &row[*name] {
                Value::Number(x) => {
                    assert_eq!(cell.parse::<f64>().unwrap(), x.as_f64().unwrap(), "{name}")
                }
                Value::String(s) => assert_eq!(cell, s),
                other => panic!("unexpected {other}"),
            }
        }
    }
}

#[test]
fn out_flag_writes_a_file() {
    let dir = scratch("out-flag");
    let target = dir.join("curve.csv");
    let run = curve(
        "out-flag",
        &t2_code_form(),
        &["--format", "csv", "--out", target.to_str().unwrap()],
    );
    assert!(run.ok && run.stdout.is_empty());
    assert!(
        std::fs::read_to_string(target)
            .unwrap()
            .starts_with("n,lambda,units,")
    );
}

/// A rotated, full-matrix version of a spectrum, in code and paper form, must give the
/// numbers of the eigenvalue form.
#[test]
fn matrix_eigenvalue_and_paper_forms_agree() {
    let eig = [2.0, 1.0, 0.5, 0.1];
    let a = [0.5, -0.3, 0.2, 0.05];
    // Orthogonal U: a product of two Householder reflections written out.
    let v1 = [1.0, 2.0, -1.0, 0.5];
    let v2 = [0.3, -1.0, 0.7, 2.0];
    let reflect = |x: [f64; 4], v: [f64; 4]| {
        let vv: f64 = v.iter().map(|t| t * t).sum();
        let vx: f64 = v.iter().zip(&x).map(|(a, b)| a * b).sum();
        std::array::from_fn::<f64, 4, _>(|i| x[i] - 2.0 * vx / vv * v[i])
    };
    let u: Vec<[f64; 4]> = (0..4)
        .map(|j| {
            reflect(
                reflect(std::array::from_fn(|i| (i == j) as u8 as f64), v1),
                v2,
            )
        })
        .collect();
    // Ω = Σ ω_j u_j u_jᵀ, ψ = Σ a_j u_j.
    let omega: Vec<Vec<f64>> = (0..4)
        .map(|r| {
            (0..4)
                .map(|c| (0..4).map(|j| eig[j] * u[j][r] * u[j][c]).sum())
                .collect()
        })
        .collect();
    let psi: Vec<f64> = (0..4)
        .map(|r| (0..4).map(|j| a[j] * u[j][r]).sum())
        .collect();
    let base = json!({"lambdas": [1e-3, 0.5], "ns": [1, 3, 4, 6], "noise_variance": 0.05});
    let with = |extra: Value| {
        let mut v = base.clone();
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let eig_rows = rows(&curve(
        "forms-eig",
        &with(json!({"omega": {"eigenvalues": eig}, "psi": a, "label_second_moment": 0.9})),
        &[],
    ));
    let mat_rows = rows(&curve(
        "forms-mat",
        &with(json!({"omega": {"matrix": omega}, "psi": psi, "label_second_moment": 0.9})),
        &[],
    ));
    // Paper form with k = 2: Φ = [ψ·√2, 0], θ* = (1, 0), Ψ = diag(0.85·2... ) so that
    // ψ = Φθ*/√k and ρ = θ*ᵀΨθ*/k = 0.9 − 0.05.
    let k = 2.0f64;
    let phi: Vec<Vec<f64>> = psi.iter().map(|x| vec![x * k.sqrt(), 0.0]).collect();
    let paper = with(
        json!({"omega": {"matrix": omega}, "phi": phi, "psi_target": [[0.85 * k, 0.0], [0.0, 1.0]], "theta_star": [1.0, 0.0]}),
    );
    let paper_rows = rows(&curve("forms-paper", &paper, &[]));
    for ((e, m), p) in eig_rows.iter().zip(&mat_rows).zip(&paper_rows) {
        for key in [
            "test_error",
            "train_error",
            "m",
            "kappa",
            "bias",
            "variance",
        ] {
            let (x, y, z) = (num(e, key), num(m, key), num(p, key));
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(1e-300),
                "{key}: eigen {x} vs matrix {y}"
            );
            assert!(
                (x - z).abs() <= 1e-12 * x.abs().max(1e-300),
                "{key}: eigen {x} vs paper {z}"
            );
        }
    }
}

/// Encodes a float64 array as NumPy's `np.save` would (format 1.0).
fn npy(shape: &[usize], data: &[f64], fortran: bool) -> Vec<u8> {
    let shape_text = if shape.len() == 1 {
        format!("({},)", shape[0])
    } else {
        format!("({}, {})", shape[0], shape[1])
    };
    let mut header = format!(
        "{{'descr': '<f8', 'fortran_order': {}, 'shape': {shape_text}, }}",
        if fortran { "True" } else { "False" }
    );
    while (11 + header.len()) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    data.iter()
        .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
    out
}

#[test]
fn npy_inputs_in_either_memory_order() {
    let omega = [[2.0, 0.3, 0.0], [0.3, 1.0, 0.1], [0.0, 0.1, 0.5]];
    let psi = [0.4, -0.2, 0.1];
    let dir = scratch("npy");
    let c_order: Vec<f64> = omega.iter().flatten().copied().collect();
    let f_order: Vec<f64> = (0..3)
        .flat_map(|j| (0..3).map(move |i| omega[i][j]))
        .collect();
    std::fs::write(dir.join("omega_c.npy"), npy(&[3, 3], &c_order, false)).unwrap();
    std::fs::write(dir.join("omega_f.npy"), npy(&[3, 3], &f_order, true)).unwrap();
    std::fs::write(dir.join("psi.npy"), npy(&[3], &psi, false)).unwrap();
    let run = |omega: Value, psi: Value| {
        let problem = json!({"omega": omega, "psi": psi, "label_second_moment": 1.0, "lambdas": [0.01], "ns": [2, 5]});
        let file = dir.join("p.json");
        std::fs::write(&file, problem.to_string()).unwrap();
        rows(&dsrf(&["curve", "--problem", file.to_str().unwrap()]))
    };
    let inline = run(json!({"matrix": omega}), json!(psi));
    let from_c = run(json!({"npy": "omega_c.npy"}), json!({"npy": "psi.npy"}));
    let from_f = run(json!({"npy": "omega_f.npy"}), json!(psi));
    assert_eq!(inline, from_c);
    assert_eq!(inline, from_f);
}

#[test]
fn json_floats_are_parsed_exactly() {
    // Without serde_json's float_roundtrip feature some of these lose their last bit.
    let mut state = 0x9e3779b97f4a7c15u64;
    for _ in 0..20000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let x = f64::from_bits(state >> 2);
        if !x.is_finite() {
            continue;
        }
        let text = format!("{x:?}");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed.as_f64().unwrap().to_bits(), x.to_bits(), "{text}");
    }
}

#[test]
fn optimal_lambda_rows_report_the_optimum() {
    let mut problem = t2_code_form();
    problem.as_object_mut().unwrap().remove("lambdas");
    let out = rows(&curve("optimal", &problem, &["--optimal-lambda"]));
    assert_eq!(out.len(), 3);
    for row in &out {
        assert_eq!(row["optimum"], "interior");
        // Nothing on the fixed grid beats it.
        let grid = rows(&curve("optimal-grid", &t2_code_form(), &[]));
        for g in grid.iter().filter(|g| g["n"] == row["n"]) {
            assert!(num(row, "test_error") <= num(g, "test_error") + 1e-15);
        }
    }
}

#[test]
fn interpolation_peak_is_reported_as_infinite_not_nan() {
    let problem = json!({
        "omega": {"eigenvalues": [1.0, 0.5, 0.0]},
        "psi": [0.3, 0.2, 0.0],
        "label_second_moment": 0.5,
        "noise_variance": 0.1,
        "lambdas": [0],
        "ns": [1, 2, 3]
    });
    let run = curve("peak", &problem, &[]);
    assert!(!run.stdout.contains("NaN") && !run.stdout.contains("null"));
    let out = rows(&run);
    assert_eq!(out[1]["test_error"], "inf");
    assert_eq!(out[1]["m"], "inf");
    assert_eq!(num(&out[1], "train_error"), 0.0);
    assert!(num(&out[0], "test_error").is_finite() && num(&out[2], "test_error").is_finite());
}

/// Every bad input exits non-zero, names the field, and never panics.
#[test]
fn bad_inputs_are_rejected_with_the_field_named() {
    let good = t2_code_form();
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "non-square omega",
            json!({"omega": {"matrix": [[1, 0, 0], [0, 1, 0]]}}),
            "omega",
        ),
        (
            "asymmetric omega",
            json!({"omega": {"matrix": [[1, 0.5], [0, 1]]}, "psi": [0.1, 0.1]}),
            "not symmetric",
        ),
        (
            "non-PSD omega",
            json!({"omega": {"matrix": [[1, 2], [2, 1]]}, "psi": [0.1, 0.1]}),
            "not positive semi-definite",
        ),
        (
            "negative eigenvalue",
            json!({"omega": {"eigenvalues": [1, -0.5, 0.25, 0.125]}}),
            "omega.eigenvalues",
        ),
        ("psi length", json!({"psi": [0.8, 0.3, -0.2]}), "`psi`"),
        (
            "negative lambda",
            json!({"lambdas": [0.1, -1]}),
            "lambdas[1]",
        ),
        ("zero n", json!({"ns": [2, 0]}), "ns[1]"),
        ("negative n", json!({"ns": [-4]}), "ns[0]"),
        (
            "impossible E[y²]",
            json!({"label_second_moment": 0.5}),
            "label_second_moment",
        ),
        (
            "noise above E[y²]",
            json!({"noise_variance": 2.0}),
            "label_second_moment",
        ),
        (
            "negative noise",
            json!({"noise_variance": -0.1}),
            "noise_variance",
        ),
        (
            "psi outside range",
            json!({"omega": {"eigenvalues": [1, 0.5, 0.25, 0]}}),
            "null space",
        ),
        ("unknown field", json!({"lamdbas": [1]}), "lamdbas"),
        ("bad units", json!({"units": "cm"}), "units"),
        (
            "text where a number goes",
            json!({"label_second_moment": "1.3"}),
            "label_second_moment",
        ),
        ("missing ns", json!({"ns": null}), "ns"),
        ("mixed forms", json!({"theta_star": [1.0]}), "one form"),
        (
            "ragged rows",
            json!({"omega": {"matrix": [[1, 0], [0]]}}),
            "row 1",
        ),
        (
            "missing npy",
            json!({"omega": {"npy": "does-not-exist.npy"}}),
            "omega",
        ),
    ];
    for (name, patch, needle) in cases {
        let mut problem = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                problem.as_object_mut().unwrap().remove(k);
            } else {
                problem[k] = v.clone();
            }
        }
        let run = curve("bad", &problem, &[]);
        assert!(!run.ok, "{name}: accepted");
        assert!(
            run.stderr.contains(needle),
            "{name}: message does not mention {needle:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{name}: panicked");
        assert!(run.stdout.is_empty(), "{name}: wrote output");
    }
    // Missing lambdas without --optimal-lambda.
    let mut problem = good.clone();
    problem.as_object_mut().unwrap().remove("lambdas");
    let run = curve("bad", &problem, &[]);
    assert!(!run.ok && run.stderr.contains("lambdas"));
    // Not JSON at all.
    let dir = scratch("bad");
    std::fs::write(dir.join("broken.json"), "{\"omega\": ").unwrap();
    let run = dsrf(&[
        "curve",
        "--problem",
        dir.join("broken.json").to_str().unwrap(),
    ]);
    assert!(!run.ok && run.stderr.contains("not valid JSON"));
}

#[test]
fn snapshot_t2_csv() {
    let csv = curve("snap-csv", &t2_code_form(), &["--format", "csv"]).stdout;
    insta::assert_snapshot!(rounded(&csv, 10));
}

#[test]
fn snapshot_isotropic_optimal_and_ridgeless_json() {
    let p = 50;
    let problem = json!({
        "omega": {"eigenvalues": vec![1.0; p]},
        "psi": vec![(1.0f64 / p as f64).sqrt(); p],
        "label_second_moment": 1.25,
        "noise_variance": 0.25,
        "ns": [10, 50, 100]
    });
    insta::assert_snapshot!(
        "isotropic_optimal",
        rounded(
            &curve("snap-opt", &problem, &["--optimal-lambda"]).stdout,
            6
        )
    );
    let mut ridgeless = problem.clone();
    ridgeless["lambdas"] = json!([0, 1e-3]);
    insta::assert_snapshot!(
        "isotropic_ridgeless",
        rounded(&curve("snap-ridgeless", &ridgeless, &[]).stdout, 10)
    );
}

/// `--loss` / `--labels`: the square loss with sign labels is ridge on y = sign(ν + ε),
/// i.e. the linear-label curve of the projected target ψ' = √(2/π)ψ/√(ρ + s²),
/// E y² = 1; logistic and hinge give classification errors that fall with n; and the
/// combinations the equations do not describe are refused with the flag's name.
#[test]
fn losses_and_label_channels() {
    let problem = t2_code_form();
    let sign = rows(&curve(
        "loss-square-sign",
        &problem,
        &["--loss", "square", "--labels", "sign"],
    ));
    // ρ + s² = E[y²] of the file = 1.3.
    let c = (2.0 / std::f64::consts::PI).sqrt() / 1.3f64.sqrt();
    let mut projected = problem.clone();
    projected["psi"] = json!(
        problem["psi"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| c * v.as_f64().unwrap())
            .collect::<Vec<_>>()
    );
    projected["label_second_moment"] = json!(1.0);
    projected["noise_variance"] = json!(0.0);
    let ridge = rows(&curve("loss-square-projected", &projected, &[]));
    assert_eq!(sign.len(), ridge.len());
    for (a, b) in sign.iter().zip(&ridge) {
        let (x, y) = (num(a, "test_mse"), num(b, "test_error"));
        assert!((x / y - 1.0).abs() < 1e-10, "{x} vs {y}");
        assert!(num(a, "classification_error") < 0.5);
    }
    for loss in ["logistic", "hinge"] {
        let out = rows(&curve(
            &format!("loss-{loss}"),
            &problem,
            &["--loss", loss, "--labels", "sign", "--flip", "0.05"],
        ));
        assert_eq!(out.len(), 9);
        for lambda_rows in out.chunks(3) {
            let e: Vec<f64> = lambda_rows
                .iter()
                .map(|r| num(r, "classification_error"))
                .collect();
            assert!(e[0] > e[1] && e[1] > e[2] && e[2] > 0.05, "{loss}: {e:?}");
            assert_eq!(lambda_rows[0]["loss"], json!(loss));
        }
    }
    let refused = |extra: &[&str], needle: &str| {
        let run = curve("loss-refused", &problem, extra);
        assert!(!run.ok, "{extra:?} was accepted");
        assert!(run.stderr.contains(needle), "{extra:?}: {}", run.stderr);
    };
    refused(&["--loss", "logistic"], "sign labels");
    refused(
        &["--loss", "hinge", "--labels", "sign", "--flip", "0.5"],
        "flip",
    );
    refused(&["--flip", "0.1"], "--labels sign");
    refused(
        &["--loss", "hinge", "--labels", "sign", "--optimal-lambda"],
        "--optimal-lambda",
    );
}
