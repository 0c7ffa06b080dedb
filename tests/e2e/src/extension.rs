//! What the browsers load: the built extension, and the tests' copy of it with the test hooks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::*;

/// `dist/` as built by `./build.sh` (PL_DIST overrides).
pub fn dist_root() -> PathBuf {
    std::env::var_os("PL_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"))
}

/// The built extension for `browser`, as shipped (the bench and the demo load it).
pub fn dist_dir(browser: Browser) -> PathBuf {
    dist_root().join(browser_dir(browser))
}

fn browser_dir(browser: Browser) -> &'static str {
    match browser {
        Browser::Chromium => "chrome",
        Browser::Firefox => "firefox",
    }
}

/// The extension the tests load: a copy of `dist_dir` (in `target/e2e/extension/`) whose
/// background starts from `tests/e2e/extension/test-hooks.js`, which raises the keyboard command
/// and context-menu events WebDriver cannot. The shipped package never carries the hooks.
pub fn extension_under_test(browser: Browser) -> PathBuf {
    static COPIES: [OnceLock<PathBuf>; 2] = [OnceLock::new(), OnceLock::new()];
    COPIES[browser as usize]
        .get_or_init(|| {
            let copy = workspace_root()
                .join("target/e2e/extension")
                .join(browser_dir(browser));
            add_test_hooks(&dist_dir(browser), &copy)
                .unwrap_or_else(|error| panic!("prepare {}: {error:#}", copy.display()));
            copy
        })
        .clone()
}

const TEST_HOOKS: &str = include_str!("../extension/test-hooks.js");

fn add_test_hooks(dist: &Path, copy: &Path) -> Result<()> {
    let mut manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join("manifest.json"))
            .context("the built extension (run ./build.sh)")?,
    )?;
    let background = &mut manifest["background"];
    if background.get("service_worker").is_some() {
        background["service_worker"] = "test-hooks.js".into();
    } else {
        background["scripts"] = serde_json::json!(["test-hooks.js"]);
    }
    let mut files = BTreeMap::new();
    files.insert(
        PathBuf::from("test-hooks.js"),
        TEST_HOOKS.as_bytes().to_vec(),
    );
    files.insert(
        PathBuf::from("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    );
    for file in files_under(dist)? {
        let relative = file.strip_prefix(dist)?.to_path_buf();
        if let std::collections::btree_map::Entry::Vacant(entry) = files.entry(relative) {
            entry.insert(std::fs::read(&file)?);
        }
    }
    // File by file and only where it differs, each through a rename: a browser another test
    // process started on this copy never reads half a file.
    for stale in files_under(copy).unwrap_or_default() {
        // Another process's file being written stays (its rename needs it).
        let writing = stale
            .extension()
            .is_some_and(|e| e.to_string_lossy().starts_with("partial-"));
        if !writing && !files.contains_key(stale.strip_prefix(copy)?) {
            // Gone already is fine: another process may have swept it.
            let _ = std::fs::remove_file(&stale);
        }
    }
    for (relative, bytes) in files {
        let target = copy.join(&relative);
        if std::fs::read(&target).is_ok_and(|old| old == bytes) {
            continue;
        }
        std::fs::create_dir_all(target.parent().context("a file in the copy")?)?;
        let partial = target.with_extension(format!("partial-{}", std::process::id()));
        std::fs::write(&partial, bytes)?;
        std::fs::rename(&partial, &target)?;
    }
    Ok(())
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}
