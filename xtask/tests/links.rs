//! Every relative link in the repository's markdown (README, ARCHITECTURE, docs/, the
//! crates' and bindings' pages) must resolve: to a file or folder that exists, and, for
//! a `#fragment`, to a heading of the target page (GitHub's anchor rule). Output
//! folders (`target/`, `figures/`, `data/`) are not part of the repository and are
//! not searched; a link into them is broken for a reader of the repository.

use std::path::{Path, PathBuf};

/// Folders that hold build output, downloaded data or run output, never sources.
const SKIPPED: [&str; 6] = ["target", "figures", "data", ".git", "node_modules", ".venv"];

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !SKIPPED.contains(&name.as_str()) && !name.starts_with('.') {
                markdown_files(&path, out);
            }
        } else if name.ends_with(".md") {
            out.push(path);
        }
    }
}

/// The link targets of `text`: the `(...)` after `](`, without an optional title,
/// outside fenced code blocks and inline code.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Inline code spans are not links.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or("");
            targets.push(target.trim_matches(['<', '>']).to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// GitHub's anchor of a heading: lower case, spaces to `-`, and only letters, digits,
/// `-` and `_` kept.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// The skipped folder at the top of `path` inside the workspace, if any (these exist
/// on a machine that ran the project, never in a fresh clone).
fn output_folder(path: &Path) -> Option<&'static str> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()?
        .canonicalize()
        .ok()?;
    let inside = path.canonicalize().ok()?;
    let first = inside.strip_prefix(&root).ok()?.components().next()?;
    let name = first.as_os_str().to_str()?;
    SKIPPED.iter().copied().find(|s| *s == name)
}

/// Why `target` (a link in `page`) does not resolve, if it does not.
fn broken(page: &Path, target: &str) -> Option<String> {
    let external = ["http://", "https://", "mailto:"];
    if target.is_empty() || external.iter().any(|p| target.starts_with(p)) {
        return None;
    }
    let (file, fragment) = match target.split_once('#') {
        Some((file, fragment)) => (file, Some(fragment)),
        None => (target, None),
    };
    let path = if file.is_empty() {
        page.to_path_buf()
    } else {
        page.parent().unwrap().join(file)
    };
    if !path.exists() {
        return Some(format!("{} does not exist", path.display()));
    }
    if let Some(folder) = output_folder(&path) {
        return Some(format!(
            "{} is inside the output folder {folder}/",
            path.display()
        ));
    }
    let fragment = fragment.filter(|f| !f.is_empty())?;
    if path.extension().is_some_and(|e| e == "md") {
        let text = std::fs::read_to_string(&path).unwrap();
        if !anchors(&text).iter().any(|a| a == fragment) {
            return Some(format!(
                "no heading with anchor #{fragment} in {}",
                path.display()
            ));
        }
    }
    None
}

#[test]
fn every_relative_link_in_the_markdown_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut pages = Vec::new();
    markdown_files(root, &mut pages);
    assert!(
        pages.iter().any(|p| p.ends_with("docs/figures.md")),
        "the gallery page is among the pages checked"
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for target in link_targets(&text) {
            checked += 1;
            if let Some(why) = broken(page, &target) {
                let shown = page.strip_prefix(root).unwrap_or(page);
                failures.push(format!("{}: ({target}): {why}", shown.display()));
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} links found: is the scan broken?"
    );
    assert!(
        failures.is_empty(),
        "broken links:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_link_scanner_finds_links_and_anchors() {
    let text = "# Title One\n[a](x.md) `[not](y.md)` [b](#title-one \"t\")\n```\n[c](z.md)\n```\n## γ = 0: peak\n";
    assert_eq!(link_targets(text), vec!["x.md", "#title-one"]);
    assert_eq!(anchors(text), vec!["title-one", "γ--0-peak"]);
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    assert!(broken(&page, "src/main.rs").is_none());
    assert!(broken(&page, "src/nowhere.rs").is_some());
    assert!(broken(&page, "https://example.org/x").is_none());
    std::fs::create_dir_all(page.parent().unwrap().join("../target")).unwrap();
    assert!(
        broken(&page, "../target").is_some(),
        "a link into an output folder"
    );
}
