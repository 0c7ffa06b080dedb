//! The UI's modules import each other without a cycle (docs/architecture.md "Where each feature
//! lives"): the shell imports the feature components and the state they share, the components
//! import that state, and the state imports no component. Read from the `use` statements of
//! `src/ui`, so a new cycle fails `cargo test` before review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`sidebar::state`) → its source, for every file under `src/ui`.
fn ui_modules() -> BTreeMap<Vec<String>, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, String>) {
        for entry in std::fs::read_dir(dir).expect("src/ui is readable") {
            let path = entry.expect("a directory entry").path();
            let name = path
                .file_stem()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if path.is_dir() {
                walk(&path, &[prefix, &[name]].concat(), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = if name == "mod" {
                    prefix.to_vec()
                } else {
                    [prefix, &[name]].concat()
                };
                out.insert(
                    module,
                    std::fs::read_to_string(&path).expect("a source file"),
                );
            }
        }
    }
    let mut modules = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui"),
        &[],
        &mut modules,
    );
    modules
}

/// The paths each `use` statement names (`super::{a::B, c}` gives `super::a::B` and `super::c`).
fn used_paths(source: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for statement in source.split(';') {
        let Some(body) = statement
            .lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix("use ").or(line.strip_prefix("pub use ")))
        else {
            continue;
        };
        let rest = &statement[statement.find(body).unwrap_or_default()..];
        let compact: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        match compact.split_once("::{") {
            Some((base, items)) => {
                for item in items.trim_end_matches('}').split(',') {
                    let item = item.split(['{', ':']).next().unwrap_or_default();
                    if !item.is_empty() {
                        paths.push(format!("{base}::{item}"));
                    }
                }
            }
            None => paths.push(compact),
        }
    }
    paths
}

/// The UI module a path lands in, if it is one (the longest module prefix of the path).
fn target(from: &[String], path: &str, modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<String> = from.to_vec();
    match parts.first() {
        Some(&"crate") if parts.get(1) == Some(&"ui") => {
            base.clear();
            parts.drain(..2);
        }
        Some(&"self") => {
            parts.remove(0);
        }
        Some(&"super") => {
            while parts.first() == Some(&"super") {
                parts.remove(0);
                base.pop();
            }
        }
        _ => return None,
    }
    let full: Vec<String> = base
        .into_iter()
        .chain(parts.iter().map(|p| (*p).to_owned()))
        .collect();
    (1..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|candidate| modules.contains(candidate))
}

#[test]
fn the_ui_modules_import_each_other_without_a_cycle() {
    let sources = ui_modules();
    let names: BTreeSet<Vec<String>> = sources.keys().cloned().collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, source) in &sources {
        for path in used_paths(source) {
            if let Some(to) = target(module, &path, &names) {
                if &to != module {
                    edges.entry(module.clone()).or_default().insert(to);
                }
            }
        }
    }
    assert!(
        edges.values().map(BTreeSet::len).sum::<usize>() > 10,
        "the import graph was not read: {edges:?}"
    );
    // Depth-first search; a module met again on the current path closes a cycle.
    fn visit(
        module: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            return Some(path[start..].to_vec());
        }
        if !done.insert(module.clone()) {
            return None;
        }
        path.push(module.clone());
        for next in edges.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        let cycle = visit(module, &edges, &mut Vec::new(), &mut done);
        assert!(cycle.is_none(), "an import cycle in src/ui: {cycle:?}");
    }
}
