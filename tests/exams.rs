//! Exams through the command line, as trainers drive them: checking exam
//! files (located diagnostics, `validate` included), a candidate's draw,
//! and the results of stored sittings (the sheet, the class list as CSV
//! and Excel, the printable transcript); and the records file migrating
//! from v8 to v9 with its attempts intact.
//!
//! Runs without the app: `cargo test --no-default-features --test exams`.

use counterpart_core::analysis::analyze::{Objective, analyze_personas};
use counterpart_core::exam::draw::draw;
use counterpart_core::exam::load::load_file;
use counterpart_core::library::Library;
use counterpart_core::library::load::load_all;
use counterpart_core::play::engine::Encounter;
use counterpart_core::play::score::AttemptResult;
use counterpart_core::records::sittings::{Sitting, exam_persona};
use counterpart_core::records::store::{SCHEMA_VERSION, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAM: &str = "scenarios/exams/new-operator-certification.ron";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn counterpart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .current_dir(root())
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("COUNTERPART_DB")
        .output()
        .expect("runs")
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The scenarios the bundled exam draws from.
fn library() -> Library {
    Library::from_files(load_all(&[root().join("scenarios")]))
}

#[test]
fn the_bundled_exam_checks_cleanly_and_validate_includes_it() {
    let out = counterpart(&["exam", "check", "--strict", "scenarios"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("new-operator-certification.ron"), "{}", text(&out));
    let out = counterpart(&["validate", "--strict", "--lang", "en", "scenarios"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("ok  scenarios/exams/new-operator-certification.ron  (exam"), "{}", text(&out));
}

#[test]
fn a_broken_exam_is_reported_in_place_and_fails_validate() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir_all(scenarios.join("exams")).unwrap();
    std::fs::copy(root().join("scenarios/hotline-parking-lock.ron"), scenarios.join("hotline-parking-lock.ron")).unwrap();
    std::fs::copy(root().join("scenarios/hotline-shop-noise.ron"), scenarios.join("hotline-shop-noise.ron")).unwrap();
    for shared in ["city", "knowledge"] {
        let status = Command::new("cp").arg("-r").arg(root().join("scenarios").join(shared)).arg(&scenarios).status().unwrap();
        assert!(status.success());
    }
    let broken = r#"(
    id: "broken",
    version: 1,
    title: (zh: "坏的考核", en: "A broken exam"),
    pool: [
        (scenario: "hotline-parking-lok"),
        (scenario: "hotline-shop-noise", personas: ["nobody"]),
    ],
    draw: 3,
    time: (per_scenario_minutes: 0, exam_minutes: 30),
)"#;
    let file = scenarios.join("exams/broken.ron");
    std::fs::write(&file, broken).unwrap();
    let out = counterpart(&["exam", "check", "--lang", "en", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = text(&out);
    for expected in [
        "broken.ron:6:20: error[unknown-scenario]: the pool names the scenario \"hotline-parking-lok\", which is not in the library",
        "help: did you mean \"hotline-parking-lock\"?",
        "broken.ron:7:53: error[unknown-persona]: the scenario \"hotline-shop-noise\" has no persona \"nobody\"",
        "broken.ron:9:5: error[pool-too-small]: the exam draws 3 scenarios but the pool has only 2",
        "broken.ron:10:12: error[zero-time-limit]: the time limit per scenario is 0 minutes",
    ] {
        assert!(report.contains(expected), "missing {expected:?} in\n{report}");
    }
    // Chinese by default, as the other diagnostics.
    let zh = text(&counterpart(&["exam", "check", file.to_str().unwrap()]));
    assert!(zh.contains("抽题池里的场景 \"hotline-parking-lok\" 不在场景库中") && zh.contains("是不是 \"hotline-parking-lock\"？"), "{zh}");
    let out = counterpart(&["validate", scenarios.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "validate fails on the broken exam:\n{}", text(&out));
    assert!(text(&out).contains("FAILED  ") && text(&out).contains("exams/broken.ron"), "{}", text(&out));
}

#[test]
fn the_draw_is_printed_reproducibly_and_a_re_sit_differs() {
    let first = counterpart(&["exam", "draw", EXAM, "--employee-id", "0571-0042", "--lang", "en"]);
    assert!(first.status.success(), "{}", text(&first));
    let again = counterpart(&["exam", "draw", EXAM, "--employee-id", "0571-0042", "--lang", "en"]);
    assert_eq!(first.stdout, again.stdout);
    let resit = counterpart(&["exam", "draw", EXAM, "--employee-id", "0571-0042", "--sitting", "2", "--lang", "en"]);
    assert_ne!(first.stdout, resit.stdout);
    let exam = load_file(&root().join(EXAM), &library()).exam().cloned().unwrap();
    let drawn = draw(&exam, "0571-0042", 1);
    let out = String::from_utf8_lossy(&first.stdout).into_owned();
    assert_eq!(out.lines().count(), 1 + 3, "{out}");
    for slot in &drawn.slots {
        assert!(out.contains(&format!("({})", slot.scenario)), "{out}");
    }
}

/// Plays drawn scenario `slot` of a sitting along `route` (or the best
/// route) and records it as the app would, with its clock.
fn sit_slot(store: &Store, library: &Library, sitting: &Sitting, slot: usize, worst: bool, secs: u64) {
    let drawn = &sitting.draw.slots[slot];
    let script = library.script(&drawn.scenario).unwrap().clone();
    let attempt = store.begin_exam_attempt(sitting.id, slot, &script).unwrap();
    let persona = exam_persona(&script, drawn);
    let analysis = analyze_personas(&script).unwrap().remove(persona);
    let extreme = if worst { analysis.worst(Objective::Overall) } else { analysis.best(Objective::Overall) };
    let played = Encounter::play_route_as(script, drawn.seed, persona, &extreme.unwrap().route).unwrap();
    for (i, step) in played.steps().iter().enumerate() {
        store.record_step(attempt, i, step).unwrap();
    }
    let ending = played.ending().unwrap();
    let result = AttemptResult {
        card: played.score_with_protocol(),
        ending_id: ending.id.clone(),
        outcome: ending.outcome,
        disc_guess: None,
        persona: played.persona_view().id,
    };
    store.finish_attempt(attempt, &result).unwrap();
    store.record_exam_clock(sitting.id, slot, secs * 1000).unwrap();
}

/// A records file with two candidates' sittings of the bundled exam: one
/// passed (the best routes), one failed (a worst route, then time ran out).
fn sat(db: &Path) -> (i64, i64) {
    let library = library();
    let exam = load_file(&root().join(EXAM), &library).exam().cloned().unwrap();
    let store = Store::open(db).unwrap();
    let good = store.create_profile("李明").unwrap().id;
    store.set_employee_id(good, Some("0571-0042")).unwrap();
    let poor = store.create_profile("<b>王芳</b>").unwrap().id;
    store.set_employee_id(poor, Some("0571-0043")).unwrap();
    let passed = store.open_sitting(&exam, good).unwrap();
    for slot in 0..3 {
        sit_slot(&store, &library, &passed, slot, false, 300);
    }
    store.finish_sitting(passed.id).unwrap();
    let failed = store.open_sitting(&exam, poor).unwrap();
    sit_slot(&store, &library, &failed, 0, true, 200);
    sit_slot(&store, &library, &failed, 1, false, 800);
    store.finish_sitting(failed.id).unwrap();
    (passed.id, failed.id)
}

#[test]
fn results_sheet_class_list_and_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("records.sqlite3");
    let (passed, failed) = sat(&db);
    let db_arg = db.to_str().unwrap();

    let out = counterpart(&["exam", "result", "--db", db_arg, "--sitting", &passed.to_string(), "--lang", "en"]);
    assert!(out.status.success(), "{}", text(&out));
    let sheet = text(&out);
    assert!(sheet.contains("Result: PASS (3/3"), "{sheet}");
    assert!(sheet.contains("debrief is shown once the trainer releases it"), "{sheet}");

    let out = counterpart(&["exam", "result", "--db", db_arg, "--sitting", &failed.to_string()]);
    let sheet = text(&out);
    assert!(sheet.contains("结果: 未通过 (0/3"), "{sheet}");
    assert!(sheet.contains("超时：用时 13:20，限时 12:00"), "{sheet}");
    assert!(sheet.contains("未作答"), "the third scenario was never begun:\n{sheet}");

    let out = counterpart(&["exam", "result", "--db", db_arg, "--sitting", "999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("no exam sitting with id 999"), "{}", text(&out));

    let csv = dir.path().join("class.csv");
    let xlsx = dir.path().join("class.xlsx");
    let out = counterpart(&["exam", "list", "--db", db_arg, "--exam", "new-operator-certification", "--csv", csv.to_str().unwrap(), "--xlsx", xlsx.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "CSV starts with the UTF-8 BOM");
    let body = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 3, "{body}");
    assert!(lines[0].starts_with("sitting_id,exam_id,exam_version,employee_id,name"), "{body}");
    assert!(lines[1].contains(",0571-0042,李明,1,finished,") && lines[1].contains(",pass,3,3,"), "{body}");
    assert!(lines[2].contains(",0571-0043,<b>王芳</b>,1,finished,") && lines[2].contains(",fail,0,3,"), "{body}");
    let book = std::fs::read(&xlsx).unwrap();
    assert!(book.starts_with(b"PK"), "an xlsx is a zip");

    // The practice export marks exam attempts with their exam and sitting.
    let attempts = dir.path().join("attempts.csv");
    let out = counterpart(&["export", "--db", db_arg, "--csv", attempts.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let bytes = std::fs::read(&attempts).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5, "three attempts of one sitting, two of the other");
    assert!(rows.iter().all(|r| &r[col("exam_id")] == "new-operator-certification" && &r[col("exam_sitting")] == "1"));

    let html = dir.path().join("t.html");
    let out = counterpart(&["exam", "transcript", "--db", db_arg, "--employee-id", "0571-0043", "--html", html.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("&lt;b&gt;王芳&lt;/b&gt;") && !page.contains("<b>王芳"), "names are escaped");
    assert!(page.contains("未通过 FAIL") && page.contains("新员工上岗考核（热线）") && page.contains("@media print"), "{page}");
    let out = counterpart(&["exam", "transcript", "--db", db_arg, "--employee-id", "nobody", "--html", html.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_trainer_releases_a_withheld_debrief_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("records.sqlite3");
    let (passed, _) = sat(&db);
    let db_arg = db.to_str().unwrap();
    let shown = |id: i64| Store::open(&db).unwrap().sitting(id).unwrap().debrief_visible();
    assert!(!shown(passed), "the bundled exam withholds the debrief");
    let out = counterpart(&["exam", "release", "--db", db_arg, "--sitting", &passed.to_string()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("已发布") && text(&out).contains("0571-0042"), "{}", text(&out));
    assert!(shown(passed));
    let out = counterpart(&["exam", "release", "--db", db_arg, "--sitting", "999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("no exam sitting with id 999"), "{}", text(&out));
    // Abandoning is for sittings left open; a finished one says so.
    let out = counterpart(&["exam", "abandon", "--db", db_arg, "--sitting", &passed.to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn a_v8_records_file_migrates_to_v9_and_keeps_its_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v8.sqlite3");
    let library = library();
    let script = library.script("hotline-parking-lock").unwrap().clone();
    let (attempt, before) = {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("老学员").unwrap().id;
        store.set_employee_id(p, Some("0571-0001")).unwrap();
        let a = store.begin_attempt_for(p, &script, 4).unwrap();
        let step = Encounter::new(script.clone(), 4).choose(0, None).unwrap().clone();
        store.record_step(a, 0, &step).unwrap();
        (a, store.attempt(a).unwrap())
    };
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch("DROP TABLE exam_slots; DROP TABLE exam_sittings; PRAGMA user_version = 8;").unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.attempt(attempt).unwrap(), before, "read exactly as it was");
    assert_eq!(store.unfinished_attempts(before.summary.profile_id).unwrap().len(), 1, "a practice attempt is still offered for resume");
    let exam = load_file(&root().join(EXAM), &library).exam().cloned().unwrap();
    let sitting = store.open_sitting(&exam, before.summary.profile_id).unwrap();
    assert_eq!(sitting.sitting, 1);
    drop(store);
    assert_eq!(Store::open(&db).unwrap().sitting(sitting.id).unwrap(), sitting, "reopening changes nothing");
}
