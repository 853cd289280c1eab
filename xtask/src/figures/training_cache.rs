//! Where the figures keep their trained networks, and what the terminal is told about
//! them. The cache itself — keys, verification, storage — is dsrf-sim's
//! `TrainingCache`.
//!
//! Location: `$DSRF_CACHE` if set, else `figures/cache/` in the workspace (ignored by
//! git, next to the default outputs). Tests pass their own temporary folder.

use std::path::PathBuf;

use dsrf::sim::{CachedRun, Lookup, Store, TrainingCache};

/// The cache folder (`$DSRF_CACHE` or `figures/cache/` in the workspace).
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("DSRF_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => crate::workspace_root().join("figures").join("cache"),
    }
}

/// The default cache (at [`cache_dir`]).
pub fn default_cache() -> TrainingCache {
    TrainingCache::new(cache_dir())
}

/// Says on stderr when an entry was discarded, a run could not be cached or stored
/// (hits and ordinary misses are silent; the driver reports the training phase).
pub fn report(cached: &CachedRun, what: &str) {
    match &cached.lookup {
        Lookup::Discarded(e) => eprintln!("training cache: {what}: {e}; retrained"),
        Lookup::CustomActivation { layer } => eprintln!(
            "training cache: {what}: layer {layer} has a custom activation; trained without the cache"
        ),
        Lookup::Hit | Lookup::Absent => {}
    }
    if let Store::Failed(e) = &cached.store {
        eprintln!("training cache: {what}: not stored ({e})");
    }
}
