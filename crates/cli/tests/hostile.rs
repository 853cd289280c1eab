//! Hostile and extreme input, command by command: every case is refused with a message
//! that names the field, flag or file and the value given — or, where the input is
//! valid, answered correctly. Never a panic, a NaN, a silent 0 or a half-written file.
//!
//! Data-driven: each case is (name, command line, files, expectation).

mod common;

use std::path::{Path, PathBuf};

use common::{dsrf, network, scratch};
use serde_json::{Value, json};

/// What a case must produce.
enum Expect {
    /// Exit 1, nothing on stdout, every needle in stderr, no panic.
    Refused(&'static [&'static str]),
    /// Exit 0 and a check on the parsed JSON output.
    Answer(fn(&Value)),
}

fn write_json(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

fn run(name: &str, args: &[&str], expect: &Expect) {
    let (ok, stdout, stderr) = dsrf(args);
    assert!(!stderr.contains("panicked"), "{name}: panicked: {stderr}");
    match expect {
        Expect::Refused(needles) => {
            assert!(!ok, "{name}: accepted: {stdout}");
            assert!(stdout.is_empty(), "{name}: wrote output on failure");
            for needle in *needles {
                assert!(
                    stderr.contains(needle),
                    "{name}: `{needle}` not in: {stderr}"
                );
            }
        }
        Expect::Answer(check) => {
            assert!(ok, "{name}: {stderr}");
            assert!(!stdout.contains("NaN"), "{name}");
            check(&serde_json::from_str(&stdout).unwrap());
        }
    }
}

/// A network-file case: a patch of the small Figure-1-like network.
type Patch = fn(&mut Value);

fn network_cases() -> Vec<(&'static str, &'static str, Patch, Expect)> {
    vec![
        (
            "misspelt key one level down (readout)",
            "curve",
            |v| v["readout"] = json!({"gaussian": {"name": "theta", "varaince": 100.0}}),
            Expect::Refused(&["readout.gaussian.varaince", "did you mean `variance`"]),
        ),
        (
            "misspelt key in a sum term",
            "curve",
            |v| v["matrices"][1]["value"]["sum"][0]["scael"] = json!(0.5),
            Expect::Refused(&["matrices[1].value.sum[0].scael", "did you mean `scale`"]),
        ),
        (
            "extra key inside a gaussian matrix",
            "curve",
            |v| v["matrices"][0]["value"]["rainbow"]["z"]["gaussian"]["seed"] = json!(3),
            Expect::Refused(&["matrices[0].value.rainbow.z.gaussian.seed", "unknown field"]),
        ),
        (
            "misspelt top-level key",
            "curve",
            |v| v["lamdbas"] = json!([0.1]),
            Expect::Refused(&["lamdbas", "did you mean `lambdas`"]),
        ),
        (
            "width 10^9 (allocation)",
            "curve",
            |v| {
                v["learner"][0]["weights"] =
                    json!({"gaussian": {"name": "W", "rows": 1_000_000_000u64, "cols": 40}})
            },
            Expect::Refused(&["memory", "bytes", "--max-memory"]),
        ),
        (
            "input dimension 10^9",
            "curve",
            |v| v["input"] = json!({"identity": 1_000_000_000u64}),
            Expect::Refused(&["memory", "bytes"]),
        ),
        (
            "size 10^20 (capacity overflow)",
            "curve",
            |v| v["input"] = json!({"identity": 1e20}),
            Expect::Refused(&["input.identity", "whole number", "1e+20"]),
        ),
        (
            "fractional size",
            "curve",
            |v| v["matrices"][0]["value"]["rainbow"]["z"]["gaussian"]["rows"] = json!(40.5),
            Expect::Refused(&["gaussian.rows", "40.5"]),
        ),
        (
            "seed as a float loses digits",
            "curve",
            |v| v["seed"] = json!(1e17),
            Expect::Refused(&["seed", "integer"]),
        ),
        (
            "negative noise",
            "curve",
            |v| v["noise_variance"] = json!(-0.1),
            Expect::Refused(&["noise_variance", "-0.1"]),
        ),
        (
            "ns 1e20 in a simulation",
            "simulate",
            |v| v["ns"] = json!([1e20]),
            Expect::Refused(&["ns[0]", "whole sample sizes", "1e20"]),
        ),
        (
            "labels of variance 1e308 overflow",
            "simulate",
            |v| v["readout"] = json!({"gaussian": {"name": "theta", "variance": 1e308}}),
            Expect::Refused(&["overflow"]),
        ),
        (
            "a zero target has an undefined relative deviation",
            "simulate",
            |v| {
                v["readout"] = json!({"theta_star": vec![0.0; 40]});
                v["noise_variance"] = json!(0.0);
            },
            Expect::Answer(|out| {
                for row in out.as_array().unwrap() {
                    assert_eq!(row["relative_deviation"], Value::Null, "{row}");
                    assert_eq!(row["theory_test_error"], json!(0), "{row}");
                }
            }),
        ),
        (
            "labels of scale 1e150: finite summaries",
            "simulate",
            |v| v["readout"] = json!({"gaussian": {"name": "theta", "variance": 1e300}}),
            Expect::Answer(|out| {
                for row in out.as_array().unwrap() {
                    let mean = row["test_error_mean"].as_f64().unwrap();
                    let std = row["test_error_std"].as_f64().unwrap();
                    assert!(mean > 1e290 && std.is_finite() && std < mean, "{row}");
                }
            }),
        ),
    ]
}

#[test]
fn network_files() {
    let dir = scratch("hostile", "network");
    for (name, command, patch, expect) in network_cases() {
        let mut net = network();
        patch(&mut net);
        let file = write_json(&dir, "net.json", &net);
        let mut args = vec![command, "--network", &file];
        if command == "simulate" {
            args.extend(["--seeds", "2", "--test-size", "200", "--ns", "20"]);
            if name.starts_with("ns 1e20") {
                args.truncate(args.len() - 2);
            }
        }
        run(name, &args, &expect);
    }
}

#[test]
fn linearize_inputs() {
    let dir = scratch("hostile", "linearize");
    let layer = |w: Value| json!({"weights": w, "activation": "tanh"});
    let cases: Vec<(&str, Value, Expect)> = vec![
        (
            "indefinite omega0",
            json!({"omega0": [[1.0, 2.0], [2.0, 1.0]], "psi0": [0.1, 0.2],
                   "layers": [layer(json!([[1.0, 0.0], [0.0, 1.0]]))]}),
            Expect::Refused(&["omega0", "positive semi-definite"]),
        ),
        (
            "empty network input (d = 0)",
            json!({"omega0": [], "psi0": [], "layers": [layer(json!([[1.0]]))]}),
            Expect::Refused(&["omega0"]),
        ),
        (
            "overflowing weights",
            json!({"omega0": [[1.0, 0.0], [0.0, 1.0]], "psi0": [0.1, 0.2],
                   "layers": [layer(json!([[1e200, 0.0], [0.0, 1e200]]))]}),
            Expect::Refused(&["layers[0]", "overflow"]),
        ),
        (
            "no layers",
            json!({"omega0": [[1.0]], "psi0": [0.1], "layers": []}),
            Expect::Refused(&["layers", "at least one layer"]),
        ),
        (
            "misspelt layer key",
            json!({"omega0": [[1.0]], "psi0": [0.1],
                   "layers": [{"weigths": [[1.0]], "activation": "tanh"}]}),
            Expect::Refused(&["layers[0].weigths", "did you mean `weights`"]),
        ),
    ];
    for (name, input, expect) in cases {
        let file = write_json(&dir, "lin.json", &input);
        run(name, &["linearize", "--input", &file], &expect);
    }
}

/// A `.npy` header announcing `shape` (and no data).
fn npy_header(shape: &str) -> Vec<u8> {
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out
}

#[test]
fn npy_references() {
    let dir = scratch("hostile", "npy");
    let huge = dir.join("huge.npy");
    std::fs::write(&huge, npy_header("(10000000000, 10000000000)")).unwrap();
    let big = dir.join("big.npy");
    std::fs::write(&big, npy_header("(100000, 100000)")).unwrap();
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "an endless file",
            "/dev/zero".into(),
            &["/dev/zero", "magic"],
        ),
        (
            "a 10^10 × 10^10 header",
            huge.display().to_string(),
            &["huge.npy", "does not fit"],
        ),
        (
            "a 10^5 × 10^5 header beyond the limit",
            big.display().to_string(),
            &["big.npy", "memory"],
        ),
        ("a folder", dir.display().to_string(), &["folder"]),
    ];
    for (name, path, needles) in cases {
        let problem = json!({"omega": {"npy": path}, "psi": [0.1], "label_second_moment": 1.0,
                             "lambdas": [0.1], "ns": [1]});
        let file = write_json(&dir, "p.json", &problem);
        run(
            name,
            &["curve", "--problem", &file, "--max-memory", "1G"],
            &Expect::Refused(needles),
        );
    }
}

fn simulate_args<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "simulate",
        "--network",
        file,
        "--test-size",
        "100",
        "--ns",
        "10",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn simulation_flags() {
    let dir = scratch("hostile", "flags");
    let file = write_json(&dir, "net.json", &network());
    let cases: Vec<(&str, Vec<&str>, Expect)> = vec![
        (
            "10^9 replicates need ~100 GB",
            vec!["--seeds", "1000000000"],
            Expect::Refused(&["replicates", "memory", "--max-memory"]),
        ),
        (
            "work beyond the limit",
            vec!["--seeds", "4", "--max-work", "0.0001"],
            Expect::Refused(&["floating-point operations", "--max-work"]),
        ),
        (
            "a penalty that overflows in code units reports the value given",
            vec!["--seeds", "2", "--lambdas", "1e307", "--units", "paper"],
            Expect::Refused(&["1e307", "paper"]),
        ),
        (
            "zero penalty",
            vec!["--seeds", "2", "--lambdas", "0"],
            Expect::Refused(&["--lambdas", "> 0"]),
        ),
        (
            "no replicates",
            vec!["--seeds", "0"],
            Expect::Refused(&["seeds"]),
        ),
        (
            "no test samples",
            vec!["--test-size", "0"],
            Expect::Refused(&["test-size"]),
        ),
        (
            "a seed beyond 2^53 is written exactly",
            vec!["--seeds", "2", "--seed", "9007199254740993"],
            Expect::Answer(|out| {
                let text = out.to_string();
                assert!(text.contains("\"seed\":9007199254740993"), "{text}");
            }),
        ),
    ];
    for (name, extra, expect) in cases {
        run(name, &simulate_args(&file, &extra), &expect);
    }
}

/// `--out` and `covariance --out`: a failed run leaves the previous result intact.
#[test]
fn outputs_survive_failures() {
    let dir = scratch("hostile", "outputs");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    let good = write_json(&dir, "net.json", &network());
    let mut broken = network();
    broken["learner"][0]["activation"] = json!("swish");
    let bad = write_json(&dir, "bad.json", &broken);
    // A curve file.
    let out = dir.join("curve.json");
    let out_s = out.to_str().unwrap();
    let (ok, _, stderr) = dsrf(&["curve", "--network", &good, "--out", out_s]);
    assert!(ok, "{stderr}");
    let before = std::fs::read(&out).unwrap();
    let (ok, _, _) = dsrf(&["curve", "--network", &bad, "--out", out_s]);
    assert!(!ok);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        before,
        "previous result changed"
    );
    // An --out that is a folder names the path.
    let (ok, _, stderr) = dsrf(&["curve", "--network", &good, "--out", dir.to_str().unwrap()]);
    assert!(
        !ok && stderr.contains(dir.to_str().unwrap()) && stderr.contains("folder"),
        "{stderr}"
    );
    // A covariance folder is replaced as a whole or not at all.
    let folder = dir.join("cov");
    let folder_s = folder.to_str().unwrap();
    let (ok, _, stderr) = dsrf(&["covariance", "--network", &good, "--out", folder_s]);
    assert!(ok, "{stderr}");
    let files = |p: &PathBuf| {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().into_string().unwrap(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = files(&folder);
    assert_eq!(before.len(), 5);
    let (ok, _, _) = dsrf(&["covariance", "--network", &bad, "--out", folder_s]);
    assert!(!ok);
    assert_eq!(files(&folder), before, "a failed run changed the folder");
    std::fs::write(folder.join("mine.txt"), b"keep").unwrap();
    let (ok, _, stderr) = dsrf(&["covariance", "--network", &good, "--out", folder_s]);
    assert!(!ok && stderr.contains("mine.txt"), "{stderr}");
    assert!(folder.join("mine.txt").exists());
    // Nothing but the results is left in the output folder's parent.
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Every result is bit-identical for any thread count, at several sizes (not only at
/// one that happens to pass).
#[test]
fn thread_count_does_not_change_results() {
    let dir = scratch("hostile", "threads");
    for d in [100usize, 120, 128] {
        let mut net = network();
        let text = serde_json::to_string(&net)
            .unwrap()
            .replace(":40", &format!(":{d}"));
        net = serde_json::from_str(&text).unwrap();
        let file = write_json(&dir, &format!("net{d}.json"), &net);
        let with = |threads: &str| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_dsrf"))
                .args(["curve", "--network", &file])
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let one = with("1");
        assert_eq!(one, with("2"), "d = {d}: 1 vs 2 threads");
        assert_eq!(one, with("3"), "d = {d}: 1 vs 3 threads");
    }
}

#[test]
fn extreme_grids() {
    let dir = scratch("hostile", "grids");
    let problem = |lambdas: Value, ns: Value| {
        json!({"units": "paper", "omega": {"eigenvalues": [1.0, 0.5]}, "psi": [0.3, 0.1],
               "label_second_moment": 1.0, "lambdas": lambdas, "ns": ns})
    };
    let cases: Vec<(&str, Value, Expect)> = vec![
        (
            "λ = 1e300 at n = 1e-300 is the null predictor (it was an error quoting λ_c = 0)",
            problem(json!([1e300]), json!([1e-300, 10])),
            Expect::Answer(|out| {
                for row in out.as_array().unwrap() {
                    assert_eq!(row["test_error"], json!(1), "{row}");
                }
            }),
        ),
        (
            "n = 0",
            problem(json!([0.1]), json!([0])),
            Expect::Refused(&["ns[0]", "> 0"]),
        ),
        (
            "negative λ",
            problem(json!([-1.0]), json!([3])),
            Expect::Refused(&["lambdas[0]", "-1.0"]),
        ),
    ];
    for (name, doc, expect) in cases {
        let file = write_json(&dir, "p.json", &doc);
        run(name, &["curve", "--problem", &file], &expect);
    }
}
