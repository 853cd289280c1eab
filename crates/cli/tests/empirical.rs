//! `dsrf empirical`: features and labels from `.npy` files.

mod common;

use common::{dsrf, scratch};
use dsrf::files::npy::encode_f64;
use serde_json::Value;

/// N × p Gaussian-like features (a deterministic hash) and linear labels with noise.
fn write_data(dir: &std::path::Path, n: usize, p: usize) -> (String, String) {
    let hash = |k: usize| {
        let mut x = (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
        x ^= x >> 31;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        ((x >> 11) as f64 / (1u64 << 53) as f64) * 3.46 - 1.73
    };
    let x: Vec<f64> = (0..n * p).map(hash).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            (0..p)
                .map(|j| x[i * p + j] * (j as f64 + 1.0) / p as f64)
                .sum::<f64>()
                + 0.3 * hash(10 * n * p + i)
        })
        .collect();
    let (xf, yf) = (dir.join("X.npy"), dir.join("y.npy"));
    std::fs::write(&xf, encode_f64(&[n, p], &x)).unwrap();
    std::fs::write(&yf, encode_f64(&[n], &y)).unwrap();
    (xf.to_str().unwrap().into(), yf.to_str().unwrap().into())
}

#[test]
fn theory_and_ridge_from_a_data_set() {
    let dir = scratch("empirical", "ok");
    let (x, y) = write_data(&dir, 3000, 20);
    let args = [
        "empirical",
        "--features",
        &x,
        "--labels",
        &y,
        "--units",
        "code",
        "--lambdas",
        "0.5,5",
        "--ns",
        "40,400",
        "--covariance-fraction",
        "0.4",
        "--seeds",
        "8",
    ];
    let (ok, out, err) = dsrf(&args);
    assert!(ok, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 4);
    for r in &rows {
        assert_eq!(
            (
                r["test_size"].as_u64(),
                r["pool_size"].as_u64(),
                r["covariance_samples"].as_u64()
            ),
            (Some(600), Some(1200), Some(1200))
        );
        let dev = r["relative_deviation"].as_f64().unwrap();
        // Uniform (non-Gaussian) features: universality keeps ridge near the theory.
        let tolerance = if r["n"] == 40 { 0.25 } else { 0.05 };
        assert!(dev.abs() < tolerance, "{r}");
    }
    // Reproducible and independent of the thread count.
    let with = |threads: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_dsrf"))
            .args(args)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(with("1"), out.as_bytes());
    assert_eq!(with("2"), out.as_bytes());
}

#[test]
fn bad_inputs_are_named() {
    let dir = scratch("empirical", "bad");
    let (x, y) = write_data(&dir, 100, 5);
    let (_, short) = write_data(&scratch("empirical", "short"), 90, 5);
    let base = [
        "empirical",
        "--features",
        &x,
        "--units",
        "code",
        "--lambdas",
        "1",
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--labels", &short, "--ns", "10"], "90 entries"),
        (vec!["--labels", &y, "--ns", "81"], "1..=80"),
        (
            vec!["--labels", &y, "--ns", "10", "--test-fraction", "1.5"],
            "test_fraction",
        ),
        (vec!["--labels", &x, "--ns", "10"], "expected a vector"),
        (
            vec!["--labels", "/nonexistent.npy", "--ns", "10"],
            "/nonexistent.npy",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = base.to_vec();
        args.extend(extra);
        let (ok, out, err) = dsrf(&args);
        assert!(
            !ok && out.is_empty() && err.contains(needle),
            "{args:?}: {err}"
        );
    }
    // Units have no default.
    let (ok, _, err) = dsrf(&[
        "empirical",
        "--features",
        &x,
        "--labels",
        &y,
        "--lambdas",
        "1",
        "--ns",
        "10",
    ]);
    assert!(!ok && err.contains("--units"), "{err}");
}
