//! The library half of `cargo xtask`: everything that tests want to call directly.
//!
//! The binary (`main.rs`) only parses the task name; the figure pipeline lives here so
//! that `xtask/tests/figures.rs` can run every figure in quick mode and pin its data
//! with snapshots, and check that sharded + merged runs equal a single run.

pub mod data;
pub mod figures;

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}
