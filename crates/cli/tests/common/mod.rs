//! Helpers shared by the command-line tests (each test binary uses a subset).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

/// Runs `dsrf` with `args`: (success, stdout, stderr).
pub fn dsrf(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dsrf"))
        .args(args)
        .output()
        .expect("run dsrf");
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A fresh folder under the target's scratch space, per test file and case.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Rounds every float in `text` to `digits` significant digits, so that snapshots pin
/// the numbers (the contract promises 1e-10) without pinning the last bits of a
/// summation order, which may change with an optimisation. Optimal-λ rows use fewer
/// digits: at a flat minimum λ* itself is only determined to about √ε.
pub fn rounded(text: &str, digits: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            || (chars[i] == '-' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()));
        let after_word = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if starts_number && !after_word {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_digit() || ".eE+-".contains(chars[j])) {
                j += 1;
            }
            let token: String = chars[i..j].iter().collect();
            match token.parse::<f64>() {
                Ok(x) if token.contains(['.', 'e', 'E']) => {
                    let r: f64 = format!("{x:.*e}", digits - 1).parse().unwrap();
                    out.push_str(&format!("{r}"));
                }
                _ => out.push_str(&token),
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A small Figure-1-like network (d = 40).
pub fn network() -> Value {
    let d = 40;
    let g = |name: &str| json!({"gaussian": {"name": name, "rows": d, "cols": d}});
    json!({
        "seed": 11,
        "input": {"identity": d},
        "matrices": [
            {"name": "Wstar", "value": {"rainbow": {"z": g("Zstar"), "covariance": {"power_law": {"dim": d, "exponent": 0.3}}}}},
            {"name": "W1", "value": {"sum": [
                {"scale": 0.5, "matrix": {"rainbow": {"z": g("Z1"), "covariance": {"power_law": {"dim": d, "exponent": 0.5}}}}},
                {"scale": 0.5, "matrix": {"ref": "Wstar"}}]}}
        ],
        "learner": [
            {"weights": {"ref": "W1"}, "activation": "tanh"},
            {"weights": {"rainbow": {"z": g("Z3"), "covariance": {"inverse_gram_plus": {"of": {"ref": "W1"}, "shift": 0.5}}}}, "activation": "tanh"}
        ],
        "target": [{"weights": {"ref": "Wstar"}, "activation": "tanh"}],
        "noise_variance": 0.01,
        "units": "paper",
        "lambdas": [1e-3, 0.1],
        "ns": [10, 40, 80]
    })
}
