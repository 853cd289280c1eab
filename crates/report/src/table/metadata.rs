//! What a table was computed from: figure id, parameters, seeds, version, commit, time.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;
use std::process::{Command, Stdio};

/// The provenance of a table, written at the top of every CSV (as `# key: value`
/// comment lines) and as the `"metadata"` object of every JSON file.
///
/// The rule is that a table alone must be enough to reproduce it: `parameters` holds
/// *every* parameter of the run (including defaults), `seeds` every seed used.
///
/// Reading rejects unknown keys in both formats, so that a misspelt field is an
/// error rather than silently lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The figure or experiment this table belongs to (e.g. `"fig2"`).
    pub figure: String,
    /// Every parameter of the run, by name.
    #[serde(default)]
    pub parameters: Map<String, Value>,
    /// Every random seed used, in the order used.
    #[serde(default)]
    pub seeds: Vec<u64>,
    /// The version of the program that produced the table.
    pub version: String,
    /// The git commit of the source tree, when known (see [`git_commit`]).
    #[serde(default)]
    pub commit: Option<String>,
    /// The wall-clock time the computation took, when measured.
    #[serde(default)]
    pub wall_time_seconds: Option<f64>,
}

impl Metadata {
    /// Metadata with no parameters, seeds, commit or time.
    pub fn new(figure: impl Into<String>, version: impl Into<String>) -> Self {
        Metadata {
            figure: figure.into(),
            parameters: Map::new(),
            seeds: Vec::new(),
            version: version.into(),
            commit: None,
            wall_time_seconds: None,
        }
    }

    /// Adds (or replaces) one parameter.
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.parameters.insert(name.into(), value.into());
        self
    }
}

/// The commit checked out in the git work tree containing `dir` (`git rev-parse
/// HEAD`, run quietly), or `None` if git is missing, `dir` is not in a repository, or
/// anything else fails.
pub fn git_commit(dir: &Path) -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    let is_hash = !commit.is_empty() && commit.bytes().all(|b| b.is_ascii_hexdigit());
    is_hash.then_some(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_commit_outside_a_repository_is_none() {
        assert_eq!(git_commit(Path::new("/this/does/not/exist")), None);
    }

    #[test]
    fn git_commit_inside_this_repository_is_a_hash_or_none() {
        if let Some(commit) = git_commit(Path::new(env!("CARGO_MANIFEST_DIR"))) {
            assert!(commit.len() >= 40, "{commit}");
        }
    }
}
