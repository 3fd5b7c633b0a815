//! The broken-scenario corpus: every file under `tests/broken/` must give
//! the diagnostic stored beside it in `NAME.expected` (code, severity,
//! line:column, a fragment of the message and optionally of its Chinese
//! wording and of the help), and nothing may panic. Where `NAME.expected`
//! lists `fix:` lines, `counterpart fix` must make exactly those changes and
//! give `fixed/NAME.ron`. Plus: a broken file never stops the others in a folder
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
    message_zh: Option<String>,
    help: Option<String>,
    path: Option<String>,
    /// The changes `counterpart fix` makes, as it prints them in English
    /// without the file name.
    fixes: Vec<String>,
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
            "message_zh" => e.message_zh = Some(value.to_string()),
            "fix" => e.fixes.push(value.to_string()),
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
    if let Some(zh) = &expected.message_zh
        && !d.message_zh.as_deref().unwrap_or("").contains(zh.as_str())
    {
        problems.push(format!("{name}: Chinese message {:?} lacks {zh:?}", d.message_zh));
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

/// Chinese wording that is really Chinese: present, not blank, with at
/// least one Chinese character (an English line copied across would pass
/// a mere presence check).
fn is_chinese(text: Option<&str>) -> bool {
    text.is_some_and(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
}

/// What is missing from `d`'s Chinese wording, if anything.
fn untranslated(d: &Diagnostic, place: &str) -> Option<String> {
    if !is_chinese(d.message_zh.as_deref()) {
        return Some(format!("{place}: [{}] has no Chinese message: {}", d.code, d.message));
    }
    if let Some(help) = &d.help
        && !is_chinese(d.help_zh.as_deref())
    {
        return Some(format!("{place}: [{}] has no Chinese help: {help}", d.code));
    }
    None
}

/// `validate --lang zh` is what trainers run by default: every diagnostic
/// anything in the repository's scenario, knowledge, city-profile and exam
/// folders gives (the broken corpus included), and those of a broken
/// knowledge base and a broken exam, must say itself in Chinese too.
#[test]
fn every_diagnostic_is_worded_in_chinese_too() {
    use counterpart_core::exam::load::{load_bytes as load_exam, load_folder as load_exams};
    use counterpart_core::knowledge::load::{Source, load_sources};
    use counterpart_core::library::Library;
    let mut problems = Vec::new();
    let mut codes = std::collections::BTreeSet::new();
    let mut note = |d: &Diagnostic, place: &str, problems: &mut Vec<String>| {
        codes.insert(d.code);
        problems.extend(untranslated(d, place));
    };

    for folder in ["tests/broken", "tests/fixtures", "scenarios", "docs/examples"] {
        for file in load_all(&[root().join(folder)]) {
            for d in all_diagnostics(&file) {
                note(d, &file.path.display().to_string(), &mut problems);
            }
        }
    }
    let library = Library::from_files(load_all(&[root().join("scenarios")]));
    for exam in load_exams(&root().join("scenarios/exams"), &library) {
        for d in exam.errors().iter().chain(&exam.warnings) {
            note(d, &exam.path.display().to_string(), &mut problems);
        }
    }

    // A knowledge base with one of each mistake.
    let tree = r#"(categories: [(id: "housing", name: (zh: "住房", en: "")), (id: "housing", name: (zh: "", en: "")), (id: "bad id", name: (zh: "坏", en: "Bad"))])"#;
    let entries = r#"(entries: [
        (id: "a", kind: Guide, title: (zh: "", en: "Title"), summary: (zh: "摘要", en: "Summary"),
         steps: [(zh: "申请", en: "Apply")], handling_unit: (zh: "中心", en: "Centre"), source: (zh: "示例", en: "Example"),
         keywords: [" "], category: "housnig", follow_on: ["a", "nowhere"], local_rules: ["complaint-reply", "no-such-rule"]),
        (id: "a", kind: Policy, title: (zh: "重复", en: "Again"), summary: (zh: "摘要", en: "Summary"),
         handling_unit: (zh: "中心", en: "Centre"), source: (zh: "示例", en: "Example")),
        (id: "b c", kind: Policy, title: (zh: "坏编号", en: "Bad id"), summary: (zh: "摘要", en: "Summary"),
         handling_unit: (zh: "中心", en: "Centre"), source: (zh: "示例", en: "Example")),
    ])"#;
    let profile_text = std::fs::read_to_string(broken_dir().join("city/profile.ron")).expect("profile");
    let profile: counterpart_core::scenario::model::CityProfile =
        counterpart_core::scenario::parse::parse_ron(&profile_text, "profile.ron").expect("the corpus profile parses");
    let source = |file: &str, text: &str| Source { file: file.into(), bytes: text.as_bytes().to_vec() };
    let sources = [
        source("k/categories.ron", tree),
        source("k/entries.ron", entries),
        source("k/categories.ron", tree),
        source("k/empty.ron", ""),
        source("k/typo.ron", "(entries: [(id: \"x\", kidn: Guide)])"),
    ];
    for d in &load_sources(&sources, Some(&profile)).findings {
        note(d, "a broken knowledge base", &mut problems);
    }
    let broken_exam = r#"(id: "Bad Exam", version: 1, title: (zh: "", en: ""),
        pool: [(scenario: "hotline-parking-lok"), (scenario: "hotline-shop-noise", personas: ["nobody", "nobody"]), (scenario: "hotline-shop-noise")],
        draw: 0, time: (per_scenario_minutes: 0, exam_minutes: 0), pass: (overall: 120.0, each_dimension: 50.0, scenarios: Some(5)), retakes: (sittings: 0))"#;
    let exam = load_exam(broken_exam.as_bytes(), Path::new("exams/broken.ron"), &library);
    for d in exam.errors().iter().chain(&exam.warnings) {
        note(d, "a broken exam", &mut problems);
    }
    let missing = load_all(&[root().join("tests/no-such-folder")]);
    for d in all_diagnostics(&missing[0]) {
        note(d, "a missing folder", &mut problems);
    }

    assert!(problems.is_empty(), "{} diagnostic(s) without Chinese:\n{}", problems.len(), problems.join("\n"));
    // The net is wide: the corpus and the broken inputs above reach most checks.
    for code in ["unknown-field", "unreachable-ending", "flag-never-set", "no-red-flag-trap", "no-passing-route", "duplicate-id", "bad-id", "out-of-range", "guide-incomplete", "unknown-category", "unknown-scenario", "unreadable"] {
        assert!(codes.contains(code), "no {code} among {codes:?}");
    }
    assert!(codes.len() >= 60, "only {} codes reached: {codes:?}", codes.len());
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
    // Same id as a-good, in a file named like a backup copy: reported on
    // the copy only, though it is the newer file.
    std::fs::write(dir.path().join("d-duplicate - 副本.ron"), &good).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a scenario").expect("write");

    let loaded = load_all(&[dir.path().to_path_buf()]);
    let names: Vec<String> = loaded.iter().map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(loaded.len(), 8, "{names:?}");
    let ok: Vec<&str> = loaded.iter().filter(|f| f.script().is_some()).map(|f| f.path.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(ok, ["a-good.ron", "c-good.ron"]);
    let duplicate = loaded.iter().find(|f| f.path.ends_with("d-duplicate - 副本.ron")).expect("listed");
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

fn cli_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_counterpart")).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("runs")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn set_saved(path: &Path, seconds_ago: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(seconds_ago);
    std::fs::File::options().write(true).open(path).expect("open").set_modified(when).expect("set mtime");
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

#[test]
fn fix_makes_exactly_the_expected_changes_and_nothing_else() {
    use counterpart_core::scenario::fix::fix_source;
    use counterpart_core::scenario::model::Lang;
    let mut fixed_files = 0;
    for ron in corpus() {
        let expected_path = ron.with_extension("expected");
        let expected = parse_expected(&std::fs::read_to_string(&expected_path).expect("expected"), &expected_path);
        let golden = broken_dir().join("fixed").join(ron.file_name().expect("name"));
        let Ok(source) = std::fs::read_to_string(&ron) else { continue };
        let fixed = fix_source(&source, &ron.display().to_string());
        let changes: Vec<String> = fixed.changes.iter().map(|c| format!("{}:{}: {}", c.line, c.column, c.text(Lang::En))).collect();
        assert_eq!(changes, expected.fixes, "{}", ron.display());
        if expected.fixes.is_empty() {
            // Not a typing slip: left byte for byte, and no golden file.
            assert_eq!(fixed.source, source, "{}", ron.display());
            assert!(!golden.exists(), "{} has a fixed/ file but no fix: lines", ron.display());
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| panic!("{} is missing", golden.display()));
        assert_eq!(fixed.source, want, "{}", ron.display());
        assert!(fixed.remaining.is_none(), "{}: {:?}", ron.display(), fixed.remaining);
        let loaded = load_bytes(fixed.source.as_bytes(), &golden);
        assert!(loaded.errors().is_empty(), "{}: {:?}", golden.display(), loaded.errors());
        fixed_files += 1;
    }
    assert!(fixed_files >= 7, "only {fixed_files} fixed files");
}

#[test]
fn fix_keeps_a_backup_prints_its_changes_and_never_overwrites_an_older_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("counter-third-trip.ron");
    let path = file.to_str().unwrap();
    let quote = std::fs::read_to_string(broken_dir().join("quote-in-chinese-text.ron")).expect("fixture");
    std::fs::write(&file, &quote).expect("write");

    let out = cli(&["fix", path, "--lang", "en"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with(&format!("{path}:66:44: plain quotes inside a text: \"负责办完\" → 「负责办完」\n")), "{text}");
    assert!(text.contains("1 change(s) made; the original is kept in") && text.contains("the file loads: 0 errors, 0 warning(s)"), "{text}");
    let backup = dir.path().join("counter-third-trip.ron.bak");
    assert_eq!(std::fs::read_to_string(&backup).expect("backup"), quote);
    let golden = std::fs::read_to_string(broken_dir().join("fixed/quote-in-chinese-text.ron")).expect("golden");
    assert_eq!(std::fs::read_to_string(&file).expect("fixed"), golden);

    // A second slip: a second backup, the first one kept as it was.
    let comma = std::fs::read_to_string(broken_dir().join("full-width-comma.ron")).expect("fixture");
    std::fs::write(&file, &comma).expect("write");
    let text = stdout(&cli(&["fix", path]));
    assert!(text.contains("19:15: 引号外的全角「，」改成了半角「,」") && text.contains("共修正 1 处"), "{text}");
    assert_eq!(std::fs::read_to_string(&backup).expect("backup"), quote);
    assert_eq!(std::fs::read_to_string(dir.path().join("counter-third-trip.ron.1.bak")).expect("second backup"), comma);

    // Nothing left to fix: nothing written, no third backup.
    let out = cli(&["fix", path]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("没有可以自动修正的问题"), "{}", stdout(&out));
    assert!(!dir.path().join("counter-third-trip.ron.2.bak").exists());

    // --dry-run says what it would do and writes nothing.
    std::fs::write(&file, &quote).expect("write");
    let text = stdout(&cli(&["fix", "--dry-run", path, "--lang", "en"]));
    assert!(text.contains("66:44: plain quotes") && text.contains("--dry-run: nothing written"), "{text}");
    assert_eq!(std::fs::read_to_string(&file).expect("unchanged"), quote);
    assert!(!dir.path().join("counter-third-trip.ron.2.bak").exists());

    // What fix cannot repair is reported as validate would, exit 1.
    let single = quote.replace("一句\"负责办完\"，", "一句\"负责办完，");
    std::fs::write(&file, &single).expect("write");
    let out = cli(&["fix", path, "--lang", "en"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("nothing to fix automatically") && text.contains("error[unescaped-quote]"), "{text}");
    assert_eq!(std::fs::read_to_string(&file).expect("unchanged"), single);

    // The backups are never read as scenarios.
    std::fs::write(&file, &golden).expect("write");
    assert_eq!(load_all(&[dir.path().to_path_buf()]).len(), 1);
}

#[test]
fn a_backup_copy_never_disables_the_real_file_and_list_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = example_source();
    let real = dir.path().join("counter-third-trip.ron");
    std::fs::write(&real, &good).expect("write");
    set_saved(&real, 3600);
    // Newer, and one sorts before the real file: neither may win.
    std::fs::write(dir.path().join("counter-third-trip - 副本.ron"), &good).expect("write");
    std::fs::write(dir.path().join("0 copy of third trip.ron"), &good).expect("write");

    let loaded = load_all(&[dir.path().to_path_buf()]);
    let used: Vec<&Path> = loaded.iter().filter(|f| f.script().is_some()).map(|f| f.path.as_path()).collect();
    assert_eq!(used, [real.as_path()]);
    for copy in loaded.iter().filter(|f| f.script().is_none()) {
        let error = &copy.errors()[0];
        assert_eq!(error.code, "duplicate-scenario-id");
        assert!(error.message.contains(&real.display().to_string()) && error.message.contains("looks like a backup copy"), "{error}");
        assert!(error.line > 0, "located at the id: {error}");
    }

    let folder = dir.path().to_str().unwrap();
    let out = cli(&["list", folder, "--lang", "en"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let row = text.lines().find(|l| l.contains("副本")).expect("the copy is listed");
    assert!(row.contains("ERROR") && row.contains("[duplicate-scenario-id]") && row.contains("counter-third-trip.ron, which is used instead"), "{text}");
    assert!(stdout(&cli(&["list", folder])).contains("这个文件的名字像是备份副本"));
    let text = stdout(&cli(&["validate", folder, "--lang", "en"]));
    assert!(text.contains(&format!("    ok  {}", real.display())), "{text}");
    assert_eq!(text.matches("error[duplicate-scenario-id]").count(), 2, "{text}");

    // Two ordinary names: the one saved last is used, and the other says so.
    std::fs::remove_file(dir.path().join("counter-third-trip - 副本.ron")).expect("rm");
    std::fs::remove_file(dir.path().join("0 copy of third trip.ron")).expect("rm");
    let second = dir.path().join("counter-third-trip-v2.ron");
    std::fs::write(&second, &good).expect("write");
    let loaded = load_all(&[dir.path().to_path_buf()]);
    let file = |path: &Path| loaded.iter().find(|f| f.path == path).expect("listed");
    assert!(file(&second).script().is_some(), "the newer file is used");
    let error = &file(&real).errors()[0];
    assert!(error.message.contains("counter-third-trip-v2.ron") && error.message.contains("saved more recently"), "{error}");
}

/// The checker's output shown in the trainer docs, each block after a
/// `<!-- checker-output: COMMAND FIXTURE as PATH [ARGS] -->` marker, is
/// what the command prints when FIXTURE is saved as PATH.
#[test]
fn the_docs_show_exactly_what_the_checker_prints() {
    let mut checked = 0;
    for doc in ["docs/scenario-format.md", "docs/authoring.md"] {
        let text = std::fs::read_to_string(root().join(doc)).expect("doc");
        let mut rest = text.as_str();
        while let Some(at) = rest.find("<!-- checker-output: ") {
            rest = &rest[at + "<!-- checker-output: ".len()..];
            let marker = &rest[..rest.find(" -->").expect("marker end")];
            let words: Vec<&str> = marker.split_whitespace().collect();
            let [command, fixture, "as", path, args @ ..] = words.as_slice() else { panic!("{doc}: bad marker {marker:?}") };
            let open = rest.find("```text\n").expect("a text block after the marker") + "```text\n".len();
            let close = rest[open..].find("```\n").expect("closing fence");
            let shown = &rest[open..open + close];
            let dir = tempfile::tempdir().expect("tempdir");
            let target = dir.path().join(path);
            std::fs::create_dir_all(target.parent().unwrap()).expect("mkdir");
            std::fs::copy(broken_dir().join(fixture), &target).expect("copy");
            let mut all = vec![*command, *path];
            all.extend(args);
            let printed = stdout(&cli_in(dir.path(), &all));
            assert_eq!(shown, printed, "{doc}: `counterpart {}` prints something else", all.join(" "));
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} examples checked");
}

/// Trainer docs (all but the two written for developers) speak of what a
/// trainer sees and does, never of the program's code: no source paths,
/// test files, type or function names, build commands.
#[test]
fn trainer_docs_never_mention_code() {
    let developer_docs = ["scoring-internals.md", "fuzzing.md"];
    let code = ["src/", "crates/", "tests/", ".rs`", ".rs)", "cargo ", "::", "fn ", "Code:", "PRAGMA", "schema v"];
    let mut read = 0;
    for entry in std::fs::read_dir(root().join("docs")).expect("docs/") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".md") || developer_docs.contains(&name.as_str()) {
            continue;
        }
        read += 1;
        let text = std::fs::read_to_string(&path).expect("doc");
        for (n, line) in text.lines().enumerate() {
            for word in code {
                assert!(!line.contains(word), "docs/{name}:{}: mentions code ({word:?}): {line}", n + 1);
            }
        }
    }
    assert!(read >= 10, "only {read} trainer docs found");
}
