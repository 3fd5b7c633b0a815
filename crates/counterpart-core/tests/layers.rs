//! The core's modules form layers with no cycles: each folder depends only
//! on folders before it in `LAYERS`, and no two files depend on each other,
//! directly or around a loop. Read from the sources, so a new `use` that
//! breaks the layering fails here with the file and the path it named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first: a folder may use folders above it in this list only.
const LAYERS: &[&str] = &["scenario", "knowledge", "play", "workorder", "notice", "analysis", "library", "drill", "exam", "records"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `scenario/model.rs` → ("scenario", "scenario::model"); `drill/mod.rs` → ("drill", "drill").
fn module_of(src: &Path, file: &Path) -> (String, String) {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    (parts[0].clone(), parts.join("::"))
}

/// The `crate::a::b` paths a file names outside its tests and comments.
fn crate_paths(text: &str) -> Vec<String> {
    let body = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = Vec::new();
    for line in body.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let path: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':').collect();
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty() && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())).collect();
            if !segments.is_empty() {
                out.push(segments.join("::"));
            }
        }
    }
    out
}

#[test]
fn the_core_is_layered_and_has_no_module_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&src, &mut paths);
    let files: Vec<(PathBuf, String)> = paths
        .iter()
        .filter(|f| !f.ends_with("lib.rs"))
        .map(|f| (f.strip_prefix(&src).unwrap().to_path_buf(), std::fs::read_to_string(f).unwrap()))
        .collect();
    let problems = layering_problems(&files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_upward_use_and_a_loop_are_both_found() {
    let files = [
        ("play/engine.rs", "use crate::records::store::Store;\nuse crate::play::flow::step;"),
        ("play/flow.rs", "// crate::records in a comment is fine\nuse crate::play::engine::Script;"),
        ("records/store.rs", "use crate::play::engine::Script;\n#[cfg(test)]\nmod tests { use crate::drill::Drill; }"),
    ]
    .map(|(p, t)| (PathBuf::from(p), t.to_string()));
    let problems = layering_problems(&files);
    assert_eq!(
        problems,
        [
            "play/engine.rs: play uses crate::records::store, a layer above it",
            "module cycle: play::engine → play::flow → play::engine",
            "module cycle: play::engine → records::store → play::engine",
        ],
        "the use inside tests and the one in a comment do not count"
    );
}

/// `files`: paths relative to `src/` and their text.
fn layering_problems(files: &[(PathBuf, String)]) -> Vec<String> {
    let src = Path::new("");
    let modules: BTreeSet<String> = files.iter().map(|(f, _)| module_of(src, f).1).collect();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in files {
        let (folder, module) = module_of(src, file);
        let Some(rank) = LAYERS.iter().position(|l| *l == folder) else {
            problems.push(format!("{}: the folder {folder:?} is not in LAYERS; add it where it belongs", file.display()));
            continue;
        };
        for path in crate_paths(text) {
            let target_folder = path.split("::").next().unwrap().to_string();
            match LAYERS.iter().position(|l| *l == target_folder) {
                Some(r) if r > rank => problems.push(format!("{}: {folder} uses crate::{path}, a layer above it", file.display())),
                _ => {}
            }
            // The longest module prefix of the path is the file depended on.
            let segments: Vec<&str> = path.split("::").collect();
            if let Some(target) = (1..=segments.len()).rev().map(|n| segments[..n].join("::")).find(|m| modules.contains(m))
                && target != module
                && !module.starts_with(&format!("{target}::"))
            {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    // A loop among files: depth-first search with the path so far.
    fn visit(node: &str, edges: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>, cycles: &mut Vec<String>) {
        if let Some(at) = path.iter().position(|p| p == node) {
            cycles.push(format!("{} → {node}", path[at..].join(" → ")));
            return;
        }
        if !done.insert(node.to_string()) {
            return;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, path, done, cycles);
        }
        path.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for module in &modules {
        visit(module, &edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    problems.extend(cycles.into_iter().map(|c| format!("module cycle: {c}")));
    problems
}
