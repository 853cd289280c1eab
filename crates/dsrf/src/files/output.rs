//! Writing results so that a failed or interrupted run never leaves a truncated file or
//! a mixed set: everything is written to a temporary name in the destination's own
//! folder (same file system) and renamed into place, which replaces the previous result
//! in one step.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{DsrfError, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name beside `path` that no other writer uses: `.NAME.dsrf-KIND-PID-K`.
fn sibling(path: &Path, kind: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let k = COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.dsrf-{kind}-{}-{k}", std::process::id()))
}

/// The folder `path` lives in ("." for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.is_dir() {
        return Err(DsrfError::io(
            "write",
            path,
            std::io::Error::other("it is a folder, not a file"),
        ));
    }
    let folder = folder_of(path);
    if !folder.is_dir() {
        return Err(DsrfError::io(
            "write",
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the folder {} does not exist", folder.display()),
            ),
        ));
    }
    let temporary = sibling(path, "tmp");
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(DsrfError::io("write", path, e));
    }
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        DsrfError::io("write", path, e)
    })
}

/// Makes `dir` a folder holding exactly `files` (name, bytes), all of them or — on any
/// failure — none: the files are written into a fresh folder beside `dir`, which then
/// takes `dir`'s place. A `dir` that holds anything else is refused rather than
/// deleted.
pub fn replace_folder(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(DsrfError::io(
            "write the folder",
            dir,
            std::io::Error::other("it exists and is not a folder"),
        ));
    }
    if dir.is_dir() {
        let entries =
            std::fs::read_dir(dir).map_err(|e| DsrfError::io("read the folder", dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| DsrfError::io("read the folder", dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !files.iter().any(|(f, _)| *f == name) {
                return Err(DsrfError::io(
                    "replace the folder",
                    dir,
                    std::io::Error::other(format!(
                        "it holds `{name}`, which this command does not write; the folder is replaced as a whole, so give a new or empty folder"
                    )),
                ));
            }
        }
    }
    let parent = folder_of(dir);
    std::fs::create_dir_all(&parent).map_err(|e| DsrfError::io("create the folder", &parent, e))?;
    let staging = sibling(dir, "new");
    let written = (|| -> std::io::Result<()> {
        std::fs::create_dir(&staging)?;
        for (name, bytes) in files {
            let mut file = std::fs::File::create(staging.join(name))?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(DsrfError::io("write the folder", dir, e));
    }
    swap_into_place(&staging, dir)
}

/// Renames `staging` to `dir`, moving a previous `dir` aside first and deleting it
/// after; on failure the previous folder is restored.
fn swap_into_place(staging: &Path, dir: &Path) -> Result<()> {
    let previous = dir.is_dir().then(|| sibling(dir, "old"));
    if let Some(old) = &previous {
        if let Err(e) = std::fs::rename(dir, old) {
            let _ = std::fs::remove_dir_all(staging);
            return Err(DsrfError::io("replace the folder", dir, e));
        }
    }
    if let Err(e) = std::fs::rename(staging, dir) {
        if let Some(old) = &previous {
            let _ = std::fs::rename(old, dir);
        }
        let _ = std::fs::remove_dir_all(staging);
        return Err(DsrfError::io("replace the folder", dir, e));
    }
    if let Some(old) = previous {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dsrf-output-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn atomic_file_replaces_or_keeps_the_old_one() {
        let dir = scratch("file");
        let path = dir.join("out.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let err = write_atomic(&dir, b"x").unwrap_err().to_string();
        assert!(
            err.contains(&dir.display().to_string()) && err.contains("folder"),
            "{err}"
        );
        let missing = dir.join("nowhere/out.json");
        let err = write_atomic(&missing, b"x").unwrap_err().to_string();
        assert!(err.contains("nowhere"), "{err}");
        // Nothing but the result is left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[test]
    fn folders_are_replaced_as_a_whole() {
        let root = scratch("folder");
        let out = root.join("cov");
        replace_folder(&out, &[("a.npy", b"1".to_vec()), ("b.json", b"2".to_vec())]).unwrap();
        replace_folder(&out, &[("a.npy", b"3".to_vec()), ("b.json", b"4".to_vec())]).unwrap();
        assert_eq!(std::fs::read(out.join("a.npy")).unwrap(), b"3");
        assert_eq!(std::fs::read(out.join("b.json")).unwrap(), b"4");
        // A foreign file is never deleted: the call is refused and nothing changes.
        std::fs::write(out.join("notes.txt"), b"mine").unwrap();
        let err = replace_folder(&out, &[("a.npy", b"5".to_vec()), ("b.json", b"6".to_vec())])
            .unwrap_err()
            .to_string();
        assert!(err.contains("notes.txt"), "{err}");
        assert_eq!(std::fs::read(out.join("a.npy")).unwrap(), b"3");
        // Only the folder itself remains beside it (no staging leftovers).
        assert_eq!(std::fs::read_dir(&root).unwrap().count(), 1);
    }
}
