//! Helpers shared by the command-line tests.

use std::path::{Path, PathBuf};
use std::process::Command;

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
