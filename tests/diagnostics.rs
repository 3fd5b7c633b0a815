//! The broken-scenario corpus: every file under `tests/broken/` must give
//! the diagnostic stored beside it in `NAME.expected` (code, severity,
//! line:column, a fragment of the message and optionally of the help), and
//! nothing may panic. Plus: a broken file never stops the others in a folder
//! from loading, the CLI's exit codes and JSON, and the annotated example in
//! docs/scenario-format.md validates cleanly.

use counterpart_core::scenario::diag::{Diagnostic, Severity};
use counterpart_core::library::load::{LoadedFile, load_all, load_bytes};
use counterpart_core::scenario::parse::{MAX_FILE_BYTES};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn broken_dir() -> PathBuf {
    root().join("tests/broken")
}

/// What `NAME.expected` says, one `key: value` per line.
#[derive(Debug, Default)]
struct Expected {
    code: String,
    severity: Option<Severity>,
    line: usize,
    column: usize,
    message: String,
    help: Option<String>,
    path: Option<String>,
    /// Whether the file still loads as a playable script (warnings only).
    loads: bool,
}

fn parse_expected(text: &str, file: &Path) -> Expected {
    let mut e = Expected::default();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (key, value) = line.split_once(':').unwrap_or_else(|| panic!("{}: bad line {line:?}", file.display()));
        let value = value.trim();
        match key.trim() {
            "code" => e.code = value.to_string(),
            "severity" => {
                e.severity = Some(match value {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    other => panic!("{}: unknown severity {other}", file.display()),
                })
            }
            "at" => {
                let (l, c) = value.split_once(':').unwrap_or_else(|| panic!("{}: `at` needs line:column", file.display()));
                e.line = l.trim().parse().expect("line number");
                e.column = c.trim().parse().expect("column number");
            }
            "message" => e.message = value.to_string(),
            "help" => e.help = Some(value.to_string()),
            "path" => e.path = Some(value.to_string()),
            "loads" => e.loads = value == "yes",
            other => panic!("{}: unknown key {other}", file.display()),
        }
    }
    assert!(!e.code.is_empty(), "{}: no code", file.display());
    assert!(e.severity.is_some(), "{}: no severity", file.display());
    e
}

fn all_diagnostics(loaded: &LoadedFile) -> Vec<&Diagnostic> {
    loaded.errors().iter().chain(&loaded.warnings).collect()
}

/// Checks one file; returns a description of every mismatch.
fn check(ron: &Path) -> Vec<String> {
    let expected_path = ron.with_extension("expected");
    let Ok(expected_text) = std::fs::read_to_string(&expected_path) else {
        return vec![format!("{}: no .expected file beside it", ron.display())];
    };
    let expected = parse_expected(&expected_text, &expected_path);
    let bytes = std::fs::read(ron).expect("readable");
    let loaded = match std::panic::catch_unwind(|| load_bytes(&bytes, ron)) {
        Ok(loaded) => loaded,
        Err(_) => return vec![format!("{}: the loader panicked", ron.display())],
    };
    check_loaded(&loaded, &expected, &ron.display().to_string())
}

fn check_loaded(loaded: &LoadedFile, expected: &Expected, name: &str) -> Vec<String> {
    let diagnostics = all_diagnostics(loaded);
    let listing = || diagnostics.iter().map(|d| format!("    {d}")).collect::<Vec<_>>().join("\n");
    let Some(d) = diagnostics.iter().find(|d| d.code == expected.code) else {
        return vec![format!("{name}: expected `{}`, got:\n{}", expected.code, listing())];
    };
    let mut problems = Vec::new();
    if Some(d.severity) != expected.severity {
        problems.push(format!("{name}: severity {:?}, expected {:?}", d.severity, expected.severity));
    }
    if (d.line, d.column) != (expected.line, expected.column) {
        problems.push(format!("{name}: at {}:{}, expected {}:{}\n    {d}", d.line, d.column, expected.line, expected.column));
    }
    if !d.message.contains(&expected.message) {
        problems.push(format!("{name}: message {:?} lacks {:?}", d.message, expected.message));
    }
    if let Some(help) = &expected.help
        && !d.help.as_deref().unwrap_or("").contains(help.as_str())
    {
        problems.push(format!("{name}: help {:?} lacks {help:?}", d.help));
    }
    if let Some(path) = &expected.path
        && &d.path != path
    {
        problems.push(format!("{name}: path {:?}, expected {path:?}", d.path));
    }
    if d.line > 0 && d.source_line.is_none() {
        problems.push(format!("{name}: located but shows no source line"));
    }
    if loaded.script().is_some() != expected.loads {
        problems.push(format!("{name}: loads = {}, expected {}\n{}", loaded.script().is_some(), expected.loads, listing()));
    }
    problems
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(broken_dir())
        .expect("tests/broken exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_broken_file_gives_its_expected_diagnostic() {
    let files = corpus();
    assert!(files.len() >= 20, "only {} broken files", files.len());
    let problems: Vec<String> = files.iter().flat_map(|f| check(f)).collect();
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn every_expectation_has_its_file() {
    for entry in std::fs::read_dir(broken_dir()).expect("tests/broken exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "expected") {
            assert!(path.with_extension("ron").exists(), "{} has no .ron", path.display());
        }
    }
}

#[test]
fn every_error_is_located_and_explained() {
    // Whatever else a file gets wrong, each error names a place (or is about
    // the whole file) and says something a trainer can act on.
    for file in corpus() {
        let bytes = std::fs::read(&file).expect("readable");
        let loaded = load_bytes(&bytes, &file);
        for d in all_diagnostics(&loaded) {
            assert!(d.message.len() > 10, "{}: vague message {d}", file.display());
            assert!(!d.message.contains("Error("), "{}: internal wording {d}", file.display());
            let whole_file = matches!(d.code, "empty-file" | "file-too-large" | "no-passing-route");
            assert!(d.line > 0 || whole_file, "{}: unlocated {d}", file.display());
        }
    }
}

#[test]
fn an_oversized_file_is_refused_before_parsing() {
    let mut bytes = b"// padding\n".to_vec();
    bytes.resize(MAX_FILE_BYTES as usize + 1, b' ');
    let loaded = load_bytes(&bytes, Path::new("huge.ron"));
    let expected = Expected {
        code: "file-too-large".into(),
        severity: Some(Severity::Error),
        line: 0,
        column: 0,
        message: "may be at most".into(),
        ..Expected::default()
    };
    let problems = check_loaded(&loaded, &expected, "huge.ron");
    assert!(problems.is_empty(), "{problems:?}");

    // And from disk, via the metadata check.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.ron");
    std::fs::write(&path, &bytes).expect("write");
    let loaded = counterpart_core::library::load::load_file(&path);
    assert_eq!(loaded.errors()[0].code, "file-too-large");
}

#[test]
fn nesting_far_past_the_limit_does_not_overflow_the_stack() {
    // Far deeper than the stored corpus file: the recursion limit must stop
    // it before the stack does.
    let deep = format!("(routes: [(when: {}Always{}, to: \"x\")])", "All([".repeat(50_000), "])".repeat(50_000));
    let loaded = load_bytes(deep.as_bytes(), Path::new("deep.ron"));
    assert_eq!(loaded.errors()[0].code, "too-deep", "{:?}", loaded.errors());
}

fn example_source() -> String {
    let doc = std::fs::read_to_string(root().join("docs/scenario-format.md")).expect("docs/scenario-format.md");
    let start = doc.find("<!-- example:start -->").expect("example start marker");
    let rest = &doc[start..];
    let open = rest.find("```ron\n").expect("```ron block after the marker") + "```ron\n".len();
    let close = rest[open..].find("\n```").expect("closing fence");
    rest[open..open + close + 1].to_string()
}

#[test]
fn the_documented_example_validates_without_errors_or_warnings() {
    let source = example_source();
    let loaded = load_bytes(source.as_bytes(), Path::new("docs/scenario-format.md#example"));
    let problems: Vec<String> = all_diagnostics(&loaded).iter().map(|d| d.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let script = loaded.script().expect("loads");
    let analysis = counterpart_core::analysis::analyze::analyze(script).expect("analysable");
    assert!(analysis.passing_route.is_some());
}

#[test]
fn one_broken_file_never_stops_the_others_from_loading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = example_source();
    std::fs::write(dir.path().join("a-good.ron"), &good).expect("write");
    std::fs::write(dir.path().join("c-good.ron"), good.replace("counter-third-trip", "counter-third-trip-2")).expect("write");
    for name in ["gbk-encoding.ron", "unclosed-string.ron", "too-deep.ron", "empty-file.ron", "cycle-no-way-out.ron"] {
        std::fs::copy(broken_dir().join(name), dir.path().join(format!("b-{name}"))).expect("copy");
    }
    // Same id as a-good: reported on the later file only.
    std::fs::write(dir.path().join("d-duplicate.ron"), &good).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a scenario").expect("write");

    let loaded = load_all(&[dir.path().to_path_buf()]);
    let names: Vec<String> = loaded.iter().map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(loaded.len(), 8, "{names:?}");
    let ok: Vec<&str> = loaded.iter().filter(|f| f.script().is_some()).map(|f| f.path.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(ok, ["a-good.ron", "c-good.ron"]);
    let duplicate = loaded.iter().find(|f| f.path.ends_with("d-duplicate.ron")).expect("listed");
    assert_eq!(duplicate.errors()[0].code, "duplicate-scenario-id");
    assert!(loaded.iter().all(|f| f.script().is_some() || !f.errors().is_empty()));

    // A missing folder is one error, not a crash, and the rest still load.
    let loaded = load_all(&[dir.path().join("nope"), dir.path().join("a-good.ron")]);
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded[0].errors()[0].code, "unreadable");
    assert!(loaded[1].script().is_some());
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_counterpart")).args(args).env("NO_COLOR", "1").output().expect("runs")
}

#[test]
fn validate_exits_non_zero_on_errors_and_zero_on_a_clean_file() {
    let bad = broken_dir().join("dangling-next.ron");
    let out = cli(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unknown-target") && text.contains("cloze"), "{text}");

    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.ron");
    std::fs::write(&good, example_source()).expect("write");
    let out = cli(&["validate", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // Warnings alone pass, unless --strict.
    let warned = broken_dir().join("no-red-flag-trap.ron");
    assert_eq!(cli(&["validate", warned.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(cli(&["validate", "--strict", warned.to_str().unwrap()]).status.code(), Some(1));
}

#[test]
fn validate_json_is_valid_json_for_the_whole_corpus() {
    let out = cli(&["validate", "--json", broken_dir().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let files = value["files"].as_array().expect("files array");
    assert_eq!(files.len(), corpus().len());
    assert!(value["errors"].as_u64().unwrap() > 0);
    for file in files {
        let diagnostics = file["diagnostics"].as_array().expect("diagnostics array");
        assert!(!diagnostics.is_empty(), "{file}");
        for d in diagnostics {
            assert!(d["code"].is_string() && d["line"].is_u64() && d["column"].is_u64() && d["message"].is_string(), "{d}");
        }
    }
}

#[test]
fn a_broken_city_profile_is_one_located_error_and_the_scenarios_still_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("city")).expect("mkdir");
    let profile = std::fs::read_to_string(broken_dir().join("city/profile.ron")).expect("profile");
    // Two rules with one id: no scenario citing it could be checked.
    let broken = profile.replace("id: \"complaint-reply\"", "id: \"residence-certificate-issue\"");
    std::fs::write(dir.path().join("city/profile.ron"), &broken).expect("write");
    let citing = example_source().replace("    minutes: 5,\n", "    minutes: 5,\n    local_rules: [\"residence-certificate-issue\"],\n");
    std::fs::write(dir.path().join("a-citing.ron"), &citing).expect("write");
    std::fs::write(dir.path().join("b-plain.ron"), example_source().replace("counter-third-trip", "counter-third-trip-2")).expect("write");

    let loaded = load_all(&[dir.path().to_path_buf()]);
    assert_eq!(loaded.len(), 3, "two scenarios and the profile");
    assert!(loaded[0].script().is_some() && loaded[1].script().is_some(), "the scenarios still load");
    assert!(loaded[0].warnings.iter().any(|d| d.code == "city-profile-broken"));
    assert!(loaded[1].warnings.iter().all(|d| !d.code.starts_with("city-profile")), "a scenario citing nothing is not concerned");
    assert!(loaded[2].path.ends_with("city/profile.ron"));
    let error = &loaded[2].errors()[0];
    assert_eq!(error.code, "duplicate-rule-id");
    let second = broken.match_indices("\"residence-certificate-issue\"").nth(1).expect("two").0;
    assert_eq!(error.line, broken[..second].matches('\n').count() + 1, "located at the second id");

    // With the profile fixed, the citing scenario is clean of profile findings.
    std::fs::write(dir.path().join("city/profile.ron"), &profile).expect("write");
    let loaded = load_all(&[dir.path().to_path_buf()]);
    assert_eq!(loaded.len(), 2);
    assert!(loaded[0].warnings.iter().all(|d| !d.code.contains("local-rule") && !d.code.contains("city")), "{:?}", loaded[0].warnings);
}
