//! Trainee records: the SQLite store, crash safety, migrations, exports and
//! xAPI (against a real Ralph LRS when installed).
//!
//! Run with `cargo test --no-default-features --test records`.

use counterpart_core::analysis::analyze::{Objective, analyze};
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::library::load::load_file;
use counterpart_core::play::score::AttemptResult;
use counterpart_core::records::store::{SCHEMA_V1, SCHEMA_VERSION, Status, Store, StoreError};
use counterpart_core::library::Library;
use counterpart_core::records::report::{attempt_html, to_json, trainee_html, write_csv};
use counterpart_core::records::xapi::{self, Lrs, statement_id, statements};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCENARIO: &str = "tests/fixtures/hotline-water-outage.ron";

fn scenario_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SCENARIO)
}

fn script() -> Arc<Script> {
    load_file(&scenario_path()).script().expect("reference scenario loads").clone()
}

/// The analyzer's best route: a complete encounter that ends.
fn best_route(script: &Arc<Script>) -> Vec<usize> {
    analyze(script).expect("analysable").best(Objective::Overall).expect("has a best route").route.clone()
}

/// Plays `choices` and records every step as the app does, with response
/// times; finishes the attempt when the encounter ended.
fn play_and_record(store: &Store, profile: i64, script: &Arc<Script>, seed: u64, choices: &[usize]) -> (i64, Encounter) {
    let attempt = store.begin_attempt(profile, &script.scenario.id, script.scenario.version, seed).unwrap();
    let mut enc = Encounter::new(script.clone(), seed);
    for (i, &c) in choices.iter().enumerate() {
        let step = enc.choose(c, Some(2.0 + i as f32 * 0.5)).unwrap().clone();
        store.record_step(attempt, i, &step).unwrap();
    }
    if let Some(ending) = enc.ending() {
        let result = AttemptResult {
            card: enc.score(),
            ending_id: ending.id.clone(),
            outcome: ending.outcome,
            disc_guess: Some(counterpart_core::scenario::model::DiscStyle::S),
            persona: enc.persona_view().id,
        };
        store.finish_attempt(attempt, &result).unwrap();
    }
    (attempt, enc)
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn a_played_encounter_round_trips_and_survives_reopening() {
    let dir = temp();
    let db = dir.path().join("nested/records.sqlite3");
    let script = script();
    let route = best_route(&script);
    let (attempt, enc) = {
        let store = Store::open(&db).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let p = store.create_profile("  李明 ").unwrap();
        assert_eq!(p.name, "李明");
        assert!(matches!(store.create_profile("李明"), Err(StoreError::DuplicateProfile(_))));
        assert!(matches!(store.create_profile("  "), Err(StoreError::EmptyProfileName)));
        store.set_setting("language", "zh").unwrap();
        store.set_setting("language", "en").unwrap();
        play_and_record(&store, p.id, &script, 42, &route)
    };
    // A new connection, as after restarting the app.
    let store = Store::open(&db).unwrap();
    assert_eq!(store.setting("language").unwrap().as_deref(), Some("en"));
    assert_eq!(store.setting("text_scale").unwrap(), None);
    let record = store.attempt(attempt).unwrap();
    let s = &record.summary;
    assert_eq!((s.status, s.seed, s.scenario_id.as_str()), (Status::Completed, 42, script.scenario.id.as_str()));
    assert_eq!(s.scenario_version, script.scenario.version);
    assert!(s.finished_at.is_some());
    assert_eq!(record.choices(), route);
    let stored_steps: Vec<_> = record.steps.iter().map(|r| r.step.clone()).collect();
    assert_eq!(stored_steps, enc.steps(), "full transcript, moods, flags and response times");
    assert_eq!(record.response_secs()[1], Some(2.5));
    let result = record.result.as_ref().expect("completed");
    assert_eq!(result.card, enc.score());
    assert_eq!(result.ending_id, enc.ending().unwrap().id);
    assert_eq!(s.overall, Some(enc.score().overall));
    assert_eq!(s.dimensions, Some(enc.score().dimensions));
    assert_eq!(s.passed, Some(enc.score().passed));
    assert_eq!(store.best_by_scenario(s.profile_id).unwrap().get(&s.scenario_id), Some(&enc.score().overall));
    // Resume = replay with the stored choices.
    let resumed = Encounter::replay(script.clone(), s.seed, &record.choices()).unwrap();
    assert_eq!(resumed.steps().len(), enc.steps().len());
    // A finished attempt takes no more steps.
    let extra = store.record_step(attempt, route.len(), &enc.steps()[0]);
    assert!(matches!(extra, Err(StoreError::NotInProgress { status: Status::Completed, .. })), "{extra:?}");
}

#[test]
fn unfinished_attempts_are_offered_and_can_be_abandoned() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let route = best_route(&script);
    let p = store.create_profile("王芳").unwrap();
    let other = store.create_profile("other").unwrap();
    let (a, enc) = play_and_record(&store, p.id, &script, 3, &route[..2]);
    play_and_record(&store, other.id, &script, 3, &route[..1]);
    let open = store.unfinished_attempts(p.id).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].id, open[0].steps, open[0].status), (a, 2, Status::InProgress));
    assert_eq!(open[0].overall, None);
    // Steps must come in order; re-recording the last one is allowed.
    let skipped = store.record_step(a, 5, &enc.steps()[0]);
    assert!(matches!(skipped, Err(StoreError::StepOutOfOrder { index: 5, have: 2, .. })), "{skipped:?}");
    store.record_step(a, 1, &enc.steps()[1]).unwrap();
    store.mark_abandoned(a).unwrap();
    assert!(store.unfinished_attempts(p.id).unwrap().is_empty());
    assert_eq!(store.attempt(a).unwrap().summary.status, Status::Abandoned);
    assert_eq!(store.attempt(a).unwrap().steps.len(), 2, "abandoning keeps the transcript");
    assert!(matches!(store.mark_abandoned(a), Err(StoreError::NotInProgress { .. })));
    assert!(matches!(store.begin_attempt(999, "x", 1, 0), Err(StoreError::NoProfile(999))));
    assert!(matches!(store.attempt(999), Err(StoreError::NoAttempt(999))));
    assert_eq!(store.attempts(Some(p.id)).unwrap().len(), 1);
    assert_eq!(store.attempts(None).unwrap().len(), 2);
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `counterpart` binary records two turns (each committed) and then
/// keeps writing until SIGKILL arrives; the store must show the attempt in
/// progress with both turns, intact, and the completed attempt untouched.
// Drives the hidden records-crash-test command, built in `dev` builds only.
#[cfg(feature = "dev")]
#[test]
fn a_killed_process_leaves_the_attempt_in_progress_with_its_steps() {
    let dir = temp();
    let db = dir.path().join("records.sqlite3");
    let script = script();
    let route = best_route(&script);
    let completed = {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("crash-test").unwrap();
        play_and_record(&store, p.id, &script, 5, &route).0
    };
    let choices: Vec<String> = route[..3].iter().map(|c| (c + 1).to_string()).collect();
    let child = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["records-crash-test", "--db"])
        .arg(&db)
        .arg("--scenario")
        .arg(scenario_path())
        .args(["--choices", &choices.join(","), "--seed", "9"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn counterpart");
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut attempt = None;
    loop {
        let line = lines.next().expect("child ended early").unwrap();
        if let Some(id) = line.strip_prefix("attempt ") {
            attempt = Some(id.parse::<i64>().unwrap());
        }
        if line == "ready" {
            break;
        }
    }
    // Let it write for a while, then kill it in the middle of its writes.
    std::thread::sleep(Duration::from_millis(300));
    child.0.kill().unwrap(); // SIGKILL on Unix
    let status = child.0.wait().unwrap();
    assert!(!status.success());
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL");
    }
    let attempt = attempt.expect("child printed its attempt id");

    let raw = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = raw.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    let mode: String = raw.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(raw);

    let store = Store::open(&db).unwrap();
    let p = store.profile_by_name("crash-test").unwrap();
    let open = store.unfinished_attempts(p.id).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!((open[0].id, open[0].steps), (attempt, 3));
    let record = store.attempt(attempt).unwrap();
    let replayed = Encounter::replay(script.clone(), 9, &record.choices()).unwrap();
    let ids: Vec<_> = record.steps.iter().map(|s| s.step.choice_id.clone()).collect();
    let expected: Vec<_> = replayed.steps().iter().map(|s| s.choice_id.clone()).collect();
    assert_eq!(ids, expected);
    assert_eq!(record.response_secs(), vec![Some(1.5), Some(2.5), Some(3.5)]);
    let beats: u64 = store.setting("crash-test.heartbeat").unwrap().expect("child kept writing").parse().unwrap();
    assert!(beats > 0);
    let done = store.attempt(completed).unwrap();
    assert_eq!(done.summary.status, Status::Completed);
    assert_eq!(done.steps.len(), route.len());
    // Resume after the crash: replay, continue, finish.
    let mut enc = replayed;
    for (i, &c) in route.iter().enumerate().skip(3) {
        let step = enc.choose(c, None).unwrap().clone();
        store.record_step(attempt, i, &step).unwrap();
    }
    let end = enc.ending().expect("route ends").clone();
    store
        .finish_attempt(attempt, &AttemptResult { card: enc.score(), ending_id: end.id, outcome: end.outcome, disc_guess: None, persona: enc.persona_view().id })
        .unwrap();
    assert!(store.unfinished_attempts(p.id).unwrap().is_empty());
}

/// A score card as builds before scoring rules v2 stored it: no rating,
/// no outcome, no rules version.
fn old_card_json(card: &counterpart_core::play::score::ScoreCard) -> String {
    let mut json = serde_json::to_value(card).unwrap();
    for key in ["rating", "outcome", "rules"] {
        json.as_object_mut().unwrap().remove(key);
    }
    json.to_string()
}

/// A v1 file as an older build wrote it: no response-time column, no
/// attempt UUIDs. One step's JSON has a response time (kept by a build that
/// timed answers), one has none.
fn make_v1(path: &Path, script: &Arc<Script>, route: &[usize]) -> Encounter {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(SCHEMA_V1).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute("INSERT INTO profiles (id, name, created_at) VALUES (1, '老用户', '2025-01-02T03:04:05.000Z')", []).unwrap();
    let mut enc = Encounter::new(script.clone(), 77);
    for &c in route {
        enc.choose(c, Some(4.0)).unwrap();
    }
    let card = enc.score();
    let d = card.dimensions;
    conn.execute(
        "INSERT INTO attempts (id, profile_id, scenario_id, scenario_version, seed, started_at, finished_at, status,
           ending_id, outcome, overall, listening, empathy, clarity, disc, process, passed, red_flags, card_json)
         VALUES (1, 1, ?1, ?2, 77, '2025-01-02T03:05:00.000Z', '2025-01-02T03:09:00.000Z', 'completed', ?3, ?4, ?5,
           ?6, ?7, ?8, ?9, ?10, ?11, '', ?12)",
        rusqlite::params![
            script.scenario.id,
            script.scenario.version,
            enc.ending().unwrap().id,
            format!("{:?}", enc.ending().unwrap().outcome),
            card.overall,
            d[0],
            d[1],
            d[2],
            d[3],
            d[4],
            card.passed,
            old_card_json(&card)
        ],
    )
    .unwrap();
    for (i, step) in enc.steps().iter().enumerate() {
        let mut json = serde_json::to_value(step).unwrap();
        if i > 0 {
            json.as_object_mut().unwrap().remove("response_secs");
        }
        conn.execute(
            "INSERT INTO steps (attempt_id, idx, turn_id, choice, choice_id, red_flag, step_json, recorded_at)
             VALUES (1, ?1, ?2, ?3, ?4, NULL, ?5, '2025-01-02T03:06:00.000Z')",
            rusqlite::params![i as i64, step.turn_id, step.choice as i64, step.choice_id, json.to_string()],
        )
        .unwrap();
    }
    enc
}

#[test]
fn a_v1_database_is_migrated_to_the_current_schema() {
    let dir = temp();
    let db = dir.path().join("old.sqlite3");
    let script = script();
    let route = best_route(&script);
    let enc = make_v1(&db, &script, &route);

    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let record = store.attempt(1).unwrap();
    assert_eq!(record.summary.profile_name, "老用户");
    assert_eq!(record.summary.status, Status::Completed);
    assert_eq!(record.choices(), route);
    // The stored score is kept as it was, marked as scored under rules 1.
    let kept = &record.result.as_ref().unwrap().card;
    assert_eq!(kept.overall, enc.score().overall);
    assert_eq!(kept.dimensions, enc.score().dimensions);
    assert_eq!((kept.rules, kept.rating), (1, None));
    assert_eq!(record.summary.rules, Some(1));
    let mut expected_secs = vec![None; route.len()];
    expected_secs[0] = Some(4.0);
    assert_eq!(record.response_secs(), expected_secs, "backfilled from the step JSON where present");
    let uuid = record.summary.uuid.clone();
    assert_eq!(uuid::Uuid::parse_str(&uuid).unwrap().get_version_num(), 4);
    // New attempts work on the migrated file; reopening changes nothing.
    let (fresh, _) = play_and_record(&store, 1, &script, 1, &route[..1]);
    assert_eq!(store.attempt(fresh).unwrap().response_secs(), vec![Some(2.0)]);
    drop(store);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.attempt(1).unwrap().summary.uuid, uuid);
    let raw = rusqlite::Connection::open(&db).unwrap();
    let cols: Vec<String> = raw
        .prepare("SELECT name FROM pragma_table_info('steps')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(cols.contains(&"response_secs".to_string()), "{cols:?}");
}

#[test]
fn a_database_from_a_newer_build_is_refused_and_left_alone() {
    let dir = temp();
    let db = dir.path().join("new.sqlite3");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    match Store::open(&db) {
        Err(StoreError::TooNew { path, found: 99, supported }) => {
            assert_eq!(path, db);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_corrupt_file_is_reported_with_its_path_and_kept_until_the_user_starts_fresh() {
    let dir = temp();
    let db = dir.path().join("records.sqlite3");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    let err = Store::open(&db).expect_err("garbage is not a database");
    match &err {
        StoreError::Corrupt { path, .. } => assert_eq!(path, &db),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&db.display().to_string()), "{message}");
    assert!(message.contains("损坏"), "{message}");
    // Opening again still refuses, and never touched the file.
    assert!(matches!(Store::open(&db), Err(StoreError::Corrupt { .. })));
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
    let names = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(names(dir.path()), vec!["records.sqlite3"]);

    let (store, moved) = Store::start_fresh(&db).unwrap();
    let moved = moved.expect("the old file was moved aside");
    assert!(moved.file_name().unwrap().to_string_lossy().starts_with("records.sqlite3.corrupt-"), "{moved:?}");
    assert_eq!(std::fs::read(&moved).unwrap(), garbage, "kept byte for byte");
    assert!(store.profiles().unwrap().is_empty());
    store.create_profile("新的开始").unwrap();
    drop(store);
    assert_eq!(Store::open(&db).unwrap().profiles().unwrap().len(), 1);
}

/// A scenario whose texts try to inject markup, and a trainee named like a
/// script tag and a spreadsheet formula.
fn hostile_records() -> (tempfile::TempDir, Store, Library, Vec<counterpart_core::records::store::AttemptRecord>) {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let mut scenario = script().scenario.clone();
    scenario.title.zh = "<b>停水</b> & 投诉".into();
    scenario.citizen.name.zh = "<img src=x onerror=alert(1)>".into();
    for turn in &mut scenario.turns {
        for line in &mut turn.says {
            for v in &mut line.variants {
                v.zh = format!("<script>alert('said')</script>{}", v.zh);
            }
        }
        for o in &mut turn.options {
            o.text.zh = format!("<i>{}</i>", o.text.zh);
        }
    }
    let script = Script::new(scenario).unwrap();
    let route = best_route(&script);
    let p = store.create_profile("<script>alert(1)</script>").unwrap();
    let q = store.create_profile("=HYPERLINK(\"http://x\",\"y\")").unwrap();
    play_and_record(&store, p.id, &script, 1, &route);
    play_and_record(&store, q.id, &script, 2, &route[..2]);
    let scripts = Library::from_scripts([script.clone()]);
    let records: Vec<_> = store.attempts(None).unwrap().iter().map(|s| store.attempt(s.id).unwrap()).collect();
    (dir, store, scripts, records)
}

#[test]
fn exports_escape_names_and_scenario_text() {
    let (_dir, _store, scripts, records) = hostile_records();
    let html = attempt_html(&records[0], &scripts);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "trainee name shown, escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;b&gt;停水&lt;/b&gt; &amp; 投诉"));
    assert!(html.contains("&lt;i&gt;"), "chosen option text from the debrief");
    for bad in ["<script", "<img", "<b>", "<i>"] {
        assert!(!html.contains(bad), "unescaped {bad} in attempt report");
    }
    let trainee = trainee_html("<script>alert(1)</script>", &records[..1], &scripts, &|_| Some("a\"b.html".into()));
    assert!(!trainee.contains("<script") && !trainee.contains("<b>"));
    assert!(trainee.contains("href=\"a&quot;b.html\""));

    let mut csv_bytes = Vec::new();
    write_csv(&records, &mut csv_bytes).unwrap();
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][col("profile")], "<script>alert(1)</script>");
    assert_eq!(&rows[1][col("profile")], "'=HYPERLINK(\"http://x\",\"y\")", "formula defused");
    assert_eq!(&rows[0][col("status")], "completed");
    assert_eq!(&rows[1][col("status")], "in_progress");
    let overall: f32 = rows[0][col("overall")].parse().unwrap();
    assert!((overall - records[0].summary.overall.unwrap()).abs() < 0.06);
    let choices: Vec<usize> = rows[0][col("choices")].split(';').map(|c| c.parse().unwrap()).collect();
    assert_eq!(choices, records[0].choices().iter().map(|c| c + 1).collect::<Vec<_>>());

    let json: Value = serde_json::from_str(&to_json(&records).unwrap()).unwrap();
    let attempts = json["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["summary"]["profile_name"], "<script>alert(1)</script>");
    assert_eq!(attempts[0]["steps"].as_array().unwrap().len(), records[0].steps.len());
    let back: Vec<counterpart_core::records::store::AttemptRecord> = serde_json::from_value(json["attempts"].clone()).unwrap();
    assert_eq!(back, records);
}

#[test]
fn the_export_command_writes_every_format() {
    let (dir, store, _scripts, _records) = hostile_records();
    let db = store.path().to_path_buf();
    drop(store);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for (flag, target) in [("--csv", "a.csv"), ("--json", "a.json"), ("--html", "html"), ("--xapi", "x.json")] {
        let status = Command::new(env!("CARGO_BIN_EXE_counterpart"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["export", flag])
            .arg(out.join(target))
            .env("COUNTERPART_DB", &db)
            .status()
            .unwrap();
        assert!(status.success(), "{flag}");
    }
    assert!(std::fs::read_to_string(out.join("a.csv")).unwrap().lines().count() == 3);
    let html: Vec<_> = std::fs::read_dir(out.join("html")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(html.len(), 4, "two attempt and two trainee reports: {html:?}");
    for name in &html {
        let text = std::fs::read_to_string(out.join("html").join(name)).unwrap();
        assert!(!text.contains("<script"), "{name:?}");
    }
    let xapi: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(out.join("x.json")).unwrap()).unwrap();
    assert!(!xapi.is_empty());
    // --profile filters; --db wins over the environment; a missing profile is an error.
    let only = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["export", "--profile", "<script>alert(1)</script>", "--db"])
        .arg(&db)
        .arg("--csv")
        .arg(out.join("one.csv"))
        .env("COUNTERPART_DB", dir.path().join("nonexistent.sqlite3"))
        .status()
        .unwrap();
    assert!(only.success());
    assert_eq!(std::fs::read_to_string(out.join("one.csv")).unwrap().lines().count(), 2);
    let missing = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["export", "--profile", "nobody", "--csv"])
        .arg(out.join("none.csv"))
        .env("COUNTERPART_DB", &db)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nobody"));
}

#[test]
fn xapi_statements_are_complete_and_their_ids_stable() {
    let dir = temp();
    let db = dir.path().join("r.sqlite3");
    let script = script();
    let route = best_route(&script);
    let (first, second) = {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("张伟").unwrap();
        let a = play_and_record(&store, p.id, &script, 1, &route).0;
        let b = play_and_record(&store, p.id, &script, 1, &route).0;
        let (a, b) = (store.attempt(a).unwrap(), store.attempt(b).unwrap());
        (statements(&a, Some(&*script)), statements(&b, Some(&*script)))
    };
    assert_eq!(first.len(), route.len() + 2);
    let store = Store::open(&db).unwrap();
    let a = store.attempt(1).unwrap();
    assert_eq!(statements(&a, Some(&*script)), first, "rebuilt after reopening: identical");
    let ids: std::collections::HashSet<&str> = first.iter().chain(&second).map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2 * first.len(), "two identical plays still get distinct ids");
    assert_eq!(first[0]["id"], statement_id(&a.summary.uuid, "step/0").to_string());
    assert_eq!(uuid::Uuid::parse_str(first[0]["id"].as_str().unwrap()).unwrap().get_version_num(), 5);

    let responded = &first[0];
    assert_eq!(responded["verb"]["id"], xapi::VERB_RESPONDED);
    assert_eq!(responded["actor"]["account"]["homePage"], "https://counterpart.local");
    assert_eq!(responded["actor"]["account"]["name"], "张伟");
    assert_eq!(responded["result"]["response"], a.steps[0].step.choice_id);
    assert_eq!(responded["result"]["duration"], "PT2.00S");
    assert_eq!(responded["context"]["registration"], a.summary.uuid);
    let evidence = &responded["result"]["extensions"][xapi::extension("evidence")];
    let debrief = Encounter::replay(script.clone(), 1, &route).unwrap().debrief();
    assert_eq!(evidence.as_object().unwrap().len(), debrief[0].evidence.len());
    for (item, level) in &debrief[0].evidence {
        assert_eq!(evidence[format!("{item:?}")], *level as u64);
    }
    let card = a.result.as_ref().unwrap().card.clone();
    let completed = &first[route.len()];
    let verdict = &first[route.len() + 1];
    assert_eq!(completed["verb"]["id"], xapi::VERB_COMPLETED);
    assert_eq!(verdict["verb"]["id"], if card.passed { xapi::VERB_PASSED } else { xapi::VERB_FAILED });
    for s in [completed, verdict] {
        let score = &s["result"]["score"];
        assert!((score["raw"].as_f64().unwrap() - card.overall as f64).abs() < 0.01);
        assert!((score["scaled"].as_f64().unwrap() - card.overall as f64 / 100.0).abs() < 0.0001);
        assert_eq!(s["result"]["success"], card.passed);
        for (i, d) in ["listening", "empathy", "clarity", "disc", "process"].iter().enumerate() {
            let v = s["result"]["extensions"][xapi::extension(&format!("dimension/{d}"))].as_f64().unwrap();
            assert!((v - card.dimensions[i] as f64).abs() < 0.01, "{d}");
        }
    }
    // Without the scenario at hand the statements still carry the record.
    let plain = statements(&a, None);
    assert_eq!(plain.len(), first.len());
    assert_eq!(plain[0]["id"], first[0]["id"]);
    assert!(plain[0]["result"]["extensions"].get(xapi::extension("evidence")).is_none());
}

// ---------------------------------------------------------------- Ralph LRS

/// A Ralph LRS (`ralph runserver -b fs`) on 127.0.0.1 for one test, with its
/// data, credentials and log in the test's temporary directory.
struct Ralph {
    exe: std::ffi::OsString,
    dir: PathBuf,
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

impl Ralph {
    const USER: &str = "counterpart";
    const PASSWORD: &str = "s3cret-lrs";

    /// `COUNTERPART_RALPH` (the `ralph` executable, e.g. in a venv) or
    /// `ralph` on PATH, when it runs.
    fn find() -> Option<std::ffi::OsString> {
        let exe = std::env::var_os("COUNTERPART_RALPH").filter(|v| !v.is_empty()).unwrap_or_else(|| "ralph".into());
        let runs = Command::new(&exe).arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status();
        runs.is_ok_and(|s| s.success()).then_some(exe)
    }

    /// Everything Ralph reads is set here, so a developer's own RALPH_*
    /// settings cannot point the test at another store.
    fn command(&self) -> Command {
        let mut c = Command::new(&self.exe);
        // Ralph 5.1's fs backend only takes the first POST; see the module.
        let fix = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ralph");
        let mut path = vec![fix];
        path.extend(std::env::var_os("PYTHONPATH").iter().flat_map(std::env::split_paths));
        c.env("PYTHONPATH", std::env::join_paths(path).unwrap())
            // No __pycache__ next to the fix in the source tree.
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("RALPH_APP_DIR", self.dir.join("ralph-app"))
            .env("RALPH_RUNSERVER_BACKEND", "fs")
            .env("RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH", self.data_dir())
            // runserver's reloader watches its working directory.
            .current_dir(&self.dir);
        c
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("ralph-data")
    }

    /// Writes credentials for `USER` and starts the server.
    fn setup(exe: std::ffi::OsString, dir: &Path) -> Ralph {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut r = Ralph { exe, dir: dir.to_path_buf(), child: None, port, log: dir.join("ralph.log") };
        std::fs::create_dir_all(r.dir.join("ralph-app")).unwrap();
        std::fs::create_dir_all(r.data_dir()).unwrap();
        let auth = r
            .command()
            .args(["auth", "-u", Self::USER, "-p", Self::PASSWORD, "-s", "all", "-M", "mailto:lrs-client@example.org", "-w"])
            .output()
            .expect("run ralph auth");
        assert!(auth.status.success(), "ralph auth failed: {}", String::from_utf8_lossy(&auth.stderr));
        r.start();
        r
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn answers(&self) -> bool {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(2))).build().into();
        agent.get(format!("{}/__heartbeat__", self.url())).call().is_ok_and(|r| r.status().as_u16() == 200)
    }

    fn start(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let mut cmd = self.command();
        cmd.args(["runserver", "-b", "fs", "-h", "127.0.0.1", "-p", &self.port.to_string(), "--fs-default-directory-path"])
            .arg(self.data_dir())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        // runserver serves from a child process of its reloader: a group of
        // its own lets `stop` end both.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        self.child = Some(cmd.spawn().expect("start ralph runserver"));
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.answers() {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("ralph runserver exited ({status}): {}", self.log_text());
            }
            assert!(Instant::now() < deadline, "ralph did not answer within 120 s: {}", self.log_text());
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Stops the server and waits until its port is closed.
    fn stop(&mut self) {
        self.end();
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.answers() {
            assert!(Instant::now() < deadline, "ralph still answers after being stopped");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Ends the process group without asserting, so it is safe in `drop`
    /// while a failed assertion unwinds.
    fn end(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        #[cfg(unix)]
        {
            let group = format!("-{}", child.id());
            let signal = |sig: &str| {
                let _ = Command::new("kill").args([sig, "--", &group]).stderr(Stdio::null()).status();
            };
            signal("-TERM");
            let deadline = Instant::now() + Duration::from_secs(15);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            // Whatever is left of the group, reloader or worker.
            signal("-KILL");
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Ralph {
    fn drop(&mut self) {
        self.end();
    }
}

/// Numbers compared by value: the LRS may store 100 as 100.0.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < 1e-9,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w))),
        _ => a == b,
    }
}

#[test]
fn statements_reach_a_real_lrs_once_and_survive_an_outage() {
    // Runs whenever Ralph is installed; CI sets COUNTERPART_REQUIRE_LRS so
    // a missing Ralph fails there instead of skipping.
    let required = std::env::var_os("COUNTERPART_REQUIRE_LRS").is_some_and(|v| !v.is_empty());
    let Some(exe) = Ralph::find() else {
        let how = "pip install 'ralph-malph[cli,lrs]==5.1.0' requests, then put `ralph` on PATH or set COUNTERPART_RALPH";
        assert!(!required, "COUNTERPART_REQUIRE_LRS is set but Ralph does not run: {how}");
        println!("SKIPPED statements_reach_a_real_lrs_once_and_survive_an_outage: Ralph not found ({how})");
        return;
    };
    let dir = temp();
    let mut ralph = Ralph::setup(exe, dir.path());
    let db = dir.path().join("r.sqlite3");
    let script = script();
    let route = best_route(&script);
    let store = Store::open(&db).unwrap();
    let p = store.create_profile("<陈静>").unwrap();
    let done = play_and_record(&store, p.id, &script, 4, &route).0;
    let open = play_and_record(&store, p.id, &script, 4, &route[..2]).0;
    let records = [store.attempt(done).unwrap(), store.attempt(open).unwrap()];
    let sent: Vec<Value> = records.iter().flat_map(|r| statements(r, Some(&*script))).collect();
    assert_eq!(sent.len(), route.len() + 2 + 2);

    let mut lrs = Lrs::new(&ralph.url(), Ralph::USER, Ralph::PASSWORD);
    lrs.batch = 5; // several batches
    lrs.backoff = Duration::from_millis(100);
    let report = lrs.send(&sent);
    assert!(report.is_complete(), "{:?}", report.unsent);
    assert_eq!(report.accepted.len(), sent.len());

    let read_back = |lrs: &Lrs| -> Vec<Value> {
        records.iter().flat_map(|r| lrs.get_registration(&r.summary.uuid).unwrap()).collect()
    };
    let stored = read_back(&lrs);
    assert_eq!(stored.len(), sent.len(), "one stored statement per sent statement");
    for s in &sent {
        let id = s["id"].as_str().unwrap();
        let got = stored.iter().find(|g| g["id"] == id).unwrap_or_else(|| panic!("{id} not in the LRS"));
        for field in ["actor", "verb", "object", "result", "context", "timestamp", "version"] {
            let (a, b) = (&s[field], &got[field]);
            let ok = if field == "timestamp" {
                // The LRS may normalise the timestamp's format, not its instant.
                a.as_str().unwrap()[..19] == b.as_str().unwrap()[..19]
            } else {
                same_json(a, b)
            };
            assert!(ok, "{id} {field}: sent {a} stored {b}");
        }
    }
    let one = lrs.get_statement(sent[0]["id"].as_str().unwrap()).unwrap().expect("found by id");
    assert!(same_json(&one["result"], &sent[0]["result"]));
    assert_eq!(lrs.get_statement(&statement_id("no-such-attempt", "completed").to_string()).unwrap(), None);

    // A re-send (e.g. the export run twice) stores nothing new.
    let again = lrs.send(&sent);
    assert!(again.is_complete(), "{:?}", again.unsent);
    assert_eq!(read_back(&lrs).len(), sent.len(), "no duplicates after re-sending");
    // Through the CLI too, which re-reads the store.
    drop(store);
    let cli = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--scenarios", "tests/fixtures", "export", "--lrs", &ralph.url(), "--user", Ralph::USER, "--password", Ralph::PASSWORD, "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    assert_eq!(read_back(&lrs).len(), sent.len(), "no duplicates after the CLI re-sent everything");

    // The LRS goes down: a clear error naming every unsent statement, and
    // the local records are untouched.
    ralph.stop();
    lrs.retries = 2;
    lrs.backoff = Duration::from_millis(50);
    let started = Instant::now();
    let down = lrs.send(&sent);
    assert!(started.elapsed() >= Duration::from_millis(150), "backed off before giving up");
    assert!(!down.is_complete());
    assert!(down.accepted.is_empty());
    let unsent: Vec<&str> = down.unsent.iter().map(|u| u.id.as_str()).collect();
    let all: Vec<&str> = sent.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(unsent, all);
    assert!(down.unsent[0].reason.contains("unreachable"), "{}", down.unsent[0].reason);
    let cli = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["export", "--retries", "1", "--backoff-ms", "10", "--lrs", &ralph.url(), "--user", Ralph::USER, "--db"])
        .arg(&db)
        .env("COUNTERPART_LRS_PASSWORD", Ralph::PASSWORD)
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(stderr.contains("NOT sent") && stderr.contains(all[0]), "{stderr}");
    let store = Store::open(&db).unwrap();
    let again: Vec<Value> = [done, open].iter().flat_map(|&a| statements(&store.attempt(a).unwrap(), Some(&*script))).collect();
    assert_eq!(again, sent, "nothing lost locally");

    // Back up: sending again completes, still without duplicates.
    ralph.start();
    let resent = lrs.send(&again);
    assert!(resent.is_complete(), "{:?}", resent.unsent);
    assert_eq!(read_back(&lrs).len(), sent.len());

    // Wrong password: refused, not retried forever, reported.
    let wrong = Lrs::new(&ralph.url(), Ralph::USER, "wrong");
    let refused = wrong.send(&sent[..1]);
    assert_eq!(refused.unsent.len(), 1);
    assert!(refused.unsent[0].reason.contains("401"), "{}", refused.unsent[0].reason);
}

// ------------------------------------------------------------ group drills

mod drills {
    use super::*;
    use counterpart_core::drill::{DrillError, Event, Member, Mode, Phase, Plan, Rotation, SlotStatus};
    use counterpart_core::records::store::DrillStatus;
    use counterpart_core::records::report::{DRILL_CSV_HEADER, common_mistakes, discussion_prompts, drill_html, drill_mistakes, write_drill_csv};

    fn scripts_with(script: &Arc<Script>) -> Library {
        Library::from_scripts([script.clone()])
    }

    fn hot_seat(script: &Arc<Script>, roster: Vec<Member>, title: &str) -> Plan {
        Plan {
            title: title.into(),
            mode: Mode::HotSeat,
            scenarios: vec![script.scenario.id.clone()],
            roster,
            group: None,
            rotation: Rotation::Same,
            rounds: 1,
            seed: 2026,
        }
    }

    fn worst_route(script: &Arc<Script>) -> Vec<usize> {
        analyze(script).unwrap().worst(Objective::Overall).unwrap().route.clone()
    }

    #[test]
    fn a_drill_resumes_from_its_log_after_the_store_is_reopened() {
        let dir = temp();
        let db = dir.path().join("records.sqlite3");
        let script = script();
        let scripts = scripts_with(&script);
        let route = best_route(&script);
        let store = Store::open(&db).unwrap();
        let known = store.create_profile("王芳").unwrap();
        let plan = hot_seat(&script, vec![Member::profile(known.id, "ignored"), Member::typed(" 李雷 ")], "周三窗口班");
        let (id, mut drill) = store.create_drill(&plan).unwrap();
        let typed = store.profile_by_name("李雷").expect("a typed name gets a profile");
        assert_eq!(drill.plan.roster, vec![Member::profile(known.id, "王芳"), Member::profile(typed.id, "李雷")]);

        store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
        assert_eq!(drill.phase, Phase::Playing { slot: 0 }, "the store links the attempt in the same step");
        let attempt = drill.states[0].attempt.unwrap();
        for &o in &route[..2] {
            store.apply_drill_event(id, &mut drill, &Event::Choose { option: o, response_secs: Some(2.5) }, &scripts).unwrap();
        }
        assert!(store.unfinished_attempts(known.id).unwrap().is_empty(), "a slot's attempt resumes with its drill only");
        drop(store);

        // As after a crash: nothing but the file.
        let store = Store::open(&db).unwrap();
        let unfinished = store.unfinished_drills().unwrap();
        assert_eq!(unfinished.len(), 1);
        assert_eq!((unfinished[0].id, unfinished[0].status, unfinished[0].events), (id, DrillStatus::Running, 4));
        assert_eq!(unfinished[0].title, "周三窗口班");
        let mut resumed = store.load_drill(id, &scripts).unwrap();
        assert_eq!(resumed, drill);
        let record = store.attempt(attempt).unwrap();
        assert_eq!(record.summary.profile_id, known.id);
        assert_eq!(record.choices(), route[..2]);
        assert_eq!(record.response_secs(), vec![Some(2.5); 2]);

        for &o in &route[2..] {
            store.apply_drill_event(id, &mut resumed, &Event::Choose { option: o, response_secs: None }, &scripts).unwrap();
        }
        store.apply_drill_event(id, &mut resumed, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
        let record = store.attempt(attempt).unwrap();
        assert_eq!(record.summary.status, Status::Completed);
        let played = Encounter::replay(script.clone(), record.summary.seed, &route).unwrap();
        assert_eq!(record.result.unwrap().card, played.score());
        // The absent second member: skipped, and the drill is over.
        store.apply_drill_event(id, &mut resumed, &Event::SkipSlot, &scripts).unwrap();
        assert_eq!(resumed.phase, Phase::Finished);
        assert!(store.unfinished_drills().unwrap().is_empty());
        assert_eq!(store.drills().unwrap()[0].status, DrillStatus::Finished);
        assert_eq!(store.load_drill(id, &scripts).unwrap(), resumed);
        assert_eq!(store.drill_snapshot(id).unwrap(), resumed, "the stored state matches the replay");
        // An edited scenario stops a replay but not the snapshot reports use.
        let mut edited = script.scenario.clone();
        edited.version += 1;
        let edited = scripts_with(&Script::new(edited).unwrap());
        assert!(matches!(store.load_drill(id, &edited), Err(StoreError::Drill { source: DrillError::Replay { .. }, .. })));
        assert_eq!(store.drill_snapshot(id).unwrap(), resumed);
    }

    #[test]
    fn a_rejected_or_stale_event_writes_nothing() {
        let dir = temp();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let script = script();
        let scripts = scripts_with(&script);
        let (id, mut drill) = store.create_drill(&hot_seat(&script, vec![Member::typed("甲")], "t")).unwrap();
        let stale = drill.clone();
        let err = store.apply_drill_event(id, &mut drill, &Event::Choose { option: 0, response_secs: None }, &scripts);
        assert!(matches!(err, Err(StoreError::Drill { source: DrillError::WrongPhase { .. }, .. })), "{err:?}");
        assert_eq!(store.drill_log(id).unwrap().1.len(), 0);
        store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
        let mut stale = stale;
        let err = store.apply_drill_event(id, &mut stale, &Event::StartSlot, &scripts);
        assert!(matches!(err, Err(StoreError::DrillOutOfStep { stored: 2, applied: 0, .. })), "{err:?}");
        assert_eq!(store.attempts(None).unwrap().len(), 1, "the stale start opened no second attempt");
        assert!(matches!(store.load_drill(999, &scripts), Err(StoreError::NoDrill(999))));
        // Closing abandons the open attempt in the same transaction.
        store.apply_drill_event(id, &mut drill, &Event::Close, &scripts).unwrap();
        assert_eq!(store.attempts(None).unwrap()[0].status, Status::Abandoned);
        assert_eq!(store.drills().unwrap()[0].status, DrillStatus::Closed);
        // A plan the store cannot run is refused before anything is written.
        let empty = Plan { roster: vec![], ..hot_seat(&script, vec![], "x") };
        assert!(matches!(store.create_drill(&empty), Err(StoreError::Drill { .. })));
        assert_eq!(store.drills().unwrap().len(), 1);
    }

    #[test]
    fn a_v2_database_gains_the_drill_tables_and_keeps_its_attempts() {
        let dir = temp();
        let db = dir.path().join("v2.sqlite3");
        let script = script();
        let route = best_route(&script);
        {
            let store = Store::open(&db).unwrap();
            let p = store.create_profile("老学员").unwrap();
            play_and_record(&store, p.id, &script, 3, &route);
        }
        // Turn it into exactly what a v2 build left: no drill tables, no group column.
        {
            let raw = rusqlite::Connection::open(&db).unwrap();
            raw.execute_batch(
                "DROP TABLE drill_attempts; DROP TABLE drill_events; DROP TABLE drills;
                 ALTER TABLE profiles DROP COLUMN is_group;
                 ALTER TABLE attempts DROP COLUMN persona; ALTER TABLE attempts DROP COLUMN rating;
                 ALTER TABLE attempts DROP COLUMN rules;",
            )
            .unwrap();
            raw.pragma_update(None, "user_version", 2).unwrap();
        }
        let store = Store::open(&db).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(SCHEMA_VERSION, 5);
        let attempts = store.attempts(None).unwrap();
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0].status, Status::Completed);
        assert!(store.drills().unwrap().is_empty());
        let (id, _) = store.create_drill(&hot_seat(&script, vec![Member::typed("老学员")], "迁移后")).unwrap();
        assert_eq!(store.drills().unwrap()[0].id, id);
        assert_eq!(store.profiles().unwrap().len(), 1, "the typed name matched the existing profile");
    }

    #[test]
    fn a_v3_database_marks_its_class_vote_groups_and_only_them() {
        let dir = temp();
        let db = dir.path().join("v3.sqlite3");
        let script = script();
        let route = best_route(&script);
        {
            let store = Store::open(&db).unwrap();
            let trainee = store.create_profile("小王").unwrap();
            play_and_record(&store, trainee.id, &script, 3, &route);
            // As a v3 build did: the group is a plain profile named in the plan.
            let raw = rusqlite::Connection::open(&db).unwrap();
            raw.execute("INSERT INTO profiles (name, created_at) VALUES ('三班', '2026-11-01T09:00:00Z')", []).unwrap();
            let group = raw.last_insert_rowid();
            let plan = Plan {
                mode: Mode::ClassVote,
                group: Some(Member::profile(group, "三班")),
                roster: vec![Member::profile(trainee.id, "小王")],
                ..hot_seat(&script, vec![], "表决")
            };
            // A drill that (wrongly, but v3 allowed it) used the trainee as a group too.
            let odd = Plan { group: Some(Member::profile(trainee.id, "小王")), ..plan.clone() };
            for plan in [plan, odd] {
                raw.execute(
                    "INSERT INTO drills (title, mode, plan_json, state_json, status, created_at, updated_at)
                     VALUES ('表决', 'ClassVote', ?1, '{}', 'closed', '2026-11-01', '2026-11-01')",
                    [serde_json::to_string(&plan).unwrap()],
                )
                .unwrap();
            }
            raw.execute_batch(
                "ALTER TABLE profiles DROP COLUMN is_group;
                 DROP INDEX drills_by_uuid; ALTER TABLE drills DROP COLUMN uuid;
                 ALTER TABLE attempts DROP COLUMN persona; ALTER TABLE attempts DROP COLUMN rating;
                 ALTER TABLE attempts DROP COLUMN rules;
                 PRAGMA user_version = 3;",
            )
            .unwrap();
        }
        let store = Store::open(&db).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let trainees: Vec<String> = store.profiles().unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(trainees, ["小王"], "the group is hidden; the trainee it shared a drill with is not");
        assert_eq!(store.attempts(None).unwrap().len(), 1);
    }

    #[test]
    fn the_session_report_ranks_common_mistakes_and_escapes_names() {
        let dir = temp();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let script = script();
        let scripts = scripts_with(&script);
        let worst = worst_route(&script);
        let best = best_route(&script);
        let roster = vec![Member::typed("<script>alert(1)</script>"), Member::typed("=HYPERLINK(\"x\")"), Member::typed("张三 & 李四")];
        let (id, mut drill) = store.create_drill(&hot_seat(&script, roster, "<b>班</b>")).unwrap();
        for route in [&worst, &worst, &best] {
            store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
            for &o in route.iter() {
                store.apply_drill_event(id, &mut drill, &Event::Choose { option: o, response_secs: None }, &scripts).unwrap();
            }
            store.apply_drill_event(id, &mut drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
        }
        assert!(drill.states.iter().all(|s| s.status == SlotStatus::Done));
        let attempts = store.drill_attempts(&drill).unwrap();
        assert_eq!(attempts.len(), 3);

        let mistakes = common_mistakes(&attempts, &scripts);
        assert!(!mistakes.is_empty(), "the worst route has options scoring 0–1");
        assert!(mistakes.windows(2).all(|w| w[0].times >= w[1].times), "most chosen first");
        let top = &mistakes[0];
        assert_eq!(top.times, 2);
        let mut both = vec!["<script>alert(1)</script>".to_string(), "=HYPERLINK(\"x\")".to_string()];
        both.sort();
        assert_eq!(top.by, both);
        assert!(top.quality <= 33 || top.red_flag.is_some());
        // Every low-quality option of the worst route is listed, chosen twice.
        let turns = Encounter::replay(script.clone(), 0, &worst).unwrap().steps().to_vec();
        for step in &turns {
            let q = counterpart_core::play::engine::option_quality(&script, step.turn, step.choice);
            let listed = mistakes.iter().find(|m| m.turn_id == step.turn_id && m.option_id == step.choice_id);
            if q <= 33 {
                assert_eq!(listed.map(|m| m.times), Some(2), "{}", step.choice_id);
            }
        }
        let prompts = discussion_prompts(top);
        let steps: Vec<String> = prompts.iter().map(|p| p.step.label().zh).collect();
        assert_eq!(steps, ["感受", "经过", "分析", "总结"]);
        assert!(prompts[0].text.zh.contains(&top.option.zh));
        assert!(prompts[2].text.zh.contains(&top.feedback.zh));

        let html = drill_html(&drill, &attempts, &scripts);
        assert!(!html.contains("<script>alert"), "names are escaped");
        assert!(!html.contains("<b>班</b>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("张三 &amp; 李四"));
        for label in ["感受", "经过", "分析", "总结", "Reactions", "Summary", "常见失误"] {
            assert!(html.contains(label), "{label}");
        }

        let mut csv_bytes = Vec::new();
        write_drill_csv(&drill, &mut csv_bytes).unwrap();
        let mut reader = csv::Reader::from_reader(&csv_bytes[..]);
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), DRILL_CSV_HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[1][3], "'=HYPERLINK(\"x\")", "a formula stays text");
        let overall: f32 = rows[2][10].parse().unwrap();
        let best_score = Encounter::replay(script.clone(), drill.states[2].seed, &best).unwrap().score().overall;
        assert!((overall - best_score).abs() < 0.051);
        assert_eq!(&rows[0][8], "done");

        // The CLI writes the same report from the stored drill.
        let db = store.path().to_path_buf();
        drop(store);
        let (html_path, csv_path) = (dir.path().join("drill.html"), dir.path().join("drill.csv"));
        let run = Command::new(env!("CARGO_BIN_EXE_counterpart"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["--scenarios", "tests/fixtures", "drill", "report", "--drill", &id.to_string(), "--html"])
            .arg(&html_path)
            .arg("--csv")
            .arg(&csv_path)
            .env("COUNTERPART_DB", &db)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        assert_eq!(std::fs::read_to_string(&html_path).unwrap(), html);
        assert_eq!(std::fs::read(&csv_path).unwrap(), csv_bytes);
        let listed = Command::new(env!("CARGO_BIN_EXE_counterpart")).args(["drill", "list"]).env("COUNTERPART_DB", &db).output().unwrap();
        assert!(String::from_utf8_lossy(&listed.stdout).starts_with(&format!("{id}\tHotSeat\tFinished\t")));
        let missing = Command::new(env!("CARGO_BIN_EXE_counterpart"))
            .args(["drill", "report", "--drill", "999", "--csv"])
            .arg(dir.path().join("none.csv"))
            .env("COUNTERPART_DB", &db)
            .output()
            .unwrap();
        assert_eq!(missing.status.code(), Some(2));
    }

    #[test]
    fn drill_statements_name_the_class_as_a_group_and_group_by_drill_and_reach_a_real_lrs() {
        let dir = temp();
        let store = Store::open(&dir.path().join("x.sqlite3")).unwrap();
        let script = script();
        let scripts = scripts_with(&script);
        let best = best_route(&script);
        let vote = Plan {
            mode: Mode::ClassVote,
            group: Some(Member::typed("三班")),
            roster: vec![Member::typed("到场学员")],
            ..hot_seat(&script, vec![], "周五表决")
        };
        let (vote_id, mut vote_drill) = store.create_drill(&vote).unwrap();
        store.apply_drill_event(vote_id, &mut vote_drill, &Event::StartSlot, &scripts).unwrap();
        for &o in &best {
            store.apply_drill_event(vote_id, &mut vote_drill, &Event::Majority { option: o }, &scripts).unwrap();
        }
        store.apply_drill_event(vote_id, &mut vote_drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
        let (seat_id, mut seat_drill) = store.create_drill(&hot_seat(&script, vec![Member::typed("李雷")], "周五轮换")).unwrap();
        store.apply_drill_event(seat_id, &mut seat_drill, &Event::StartSlot, &scripts).unwrap();
        store.apply_drill_event(seat_id, &mut seat_drill, &Event::Choose { option: best[0], response_secs: Some(3.0) }, &scripts).unwrap();
        // A solo attempt besides, which belongs to no drill.
        let solo_profile = store.create_profile("独自练习").unwrap();
        let solo = play_and_record(&store, solo_profile.id, &script, 5, &best[..1]).0;

        let vote_record = store.drill_attempts(&vote_drill).unwrap().remove(0);
        let seat_record = store.drill_attempts(&seat_drill).unwrap().remove(0);
        let solo_record = store.attempt(solo).unwrap();
        let (vote_link, seat_link) = (vote_record.summary.drill.clone().unwrap(), seat_record.summary.drill.clone().unwrap());
        assert_eq!((vote_link.mode.as_str(), vote_link.slot, vote_link.title.as_str()), ("ClassVote", 0, "周五表决"));
        assert_eq!(seat_link.mode, "HotSeat");
        assert_ne!(vote_link.uuid, seat_link.uuid);
        assert!(vote_record.summary.by_group && !seat_record.summary.by_group);
        assert!(solo_record.summary.drill.is_none());

        let vote_statements = statements(&vote_record, Some(&*script));
        let seat_statements = statements(&seat_record, Some(&*script));
        let solo_statements = statements(&solo_record, Some(&*script));
        assert_eq!(vote_statements.len(), best.len() + 2);
        for s in &vote_statements {
            assert_eq!(s["actor"]["objectType"], "Group", "the class chose, not a trainee");
            assert_eq!(s["actor"]["account"]["name"], "三班");
            let grouping = &s["context"]["contextActivities"]["grouping"][0];
            assert_eq!(grouping["id"], xapi::drill_activity_id(&vote_link.uuid));
            assert_eq!(grouping["definition"]["name"]["zh-CN"], "周五表决");
            assert_eq!(s["context"]["extensions"][xapi::extension("drill-mode")], "ClassVote");
            assert_eq!(s["context"]["extensions"][xapi::extension("drill-slot")], 1);
        }
        for s in &seat_statements {
            assert_eq!(s["actor"]["objectType"], "Agent");
            assert_eq!(s["context"]["contextActivities"]["grouping"][0]["id"], xapi::drill_activity_id(&seat_link.uuid));
        }
        for s in &solo_statements {
            assert!(s["context"]["contextActivities"].get("grouping").is_none());
            assert!(s["context"]["extensions"].get(xapi::extension("drill-mode")).is_none());
        }

        let required = std::env::var_os("COUNTERPART_REQUIRE_LRS").is_some_and(|v| !v.is_empty());
        let Some(exe) = Ralph::find() else {
            assert!(!required, "COUNTERPART_REQUIRE_LRS is set but Ralph does not run");
            println!("SKIPPED the LRS half of the drill statements test: Ralph not found");
            return;
        };
        let ralph = Ralph::setup(exe, dir.path());
        let lrs = Lrs::new(&ralph.url(), Ralph::USER, Ralph::PASSWORD);
        let sent: Vec<Value> = [vote_statements, seat_statements, solo_statements].concat();
        let report = lrs.send(&sent);
        assert!(report.is_complete(), "the LRS accepts group actors and drill groupings: {:?}", report.unsent);
        for record in [&vote_record, &seat_record] {
            for got in lrs.get_registration(&record.summary.uuid).unwrap() {
                let mine = sent.iter().find(|s| s["id"] == got["id"]).expect("sent");
                assert!(same_json(&mine["actor"], &got["actor"]), "actor: sent {} stored {}", mine["actor"], got["actor"]);
                assert!(same_json(&mine["context"], &got["context"]), "context: sent {} stored {}", mine["context"], got["context"]);
            }
        }
    }

    #[test]
    fn every_vote_for_a_poor_option_counts_in_the_class_report() {
        let dir = temp();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let script = script();
        let scripts = scripts_with(&script);
        let best = best_route(&script);
        let first = &script.scenario.turns[0];
        let poor = (0..first.options.len())
            .find(|&i| i != best[0] && counterpart_core::play::engine::option_quality(&script, 0, i) <= 33)
            .expect("the first turn has a poor option besides the best");
        let plan = Plan {
            mode: Mode::ClassVote,
            group: Some(Member::typed("2026 春季班")),
            roster: vec![Member::typed("到场学员")],
            ..hot_seat(&script, vec![], "表决")
        };
        let (id, mut drill) = store.create_drill(&plan).unwrap();
        store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
        let mut counts = vec![0u32; first.options.len()];
        counts[best[0]] = 9;
        counts[poor] = 7;
        store.apply_drill_event(id, &mut drill, &Event::Votes { counts }, &scripts).unwrap();
        for &o in &best[1..] {
            store.apply_drill_event(id, &mut drill, &Event::Majority { option: o }, &scripts).unwrap();
        }
        store.apply_drill_event(id, &mut drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
        let attempts = store.drill_attempts(&drill).unwrap();
        assert_eq!(attempts[0].summary.profile_name, "2026 春季班", "the run is the group's, not a trainee's");
        assert!(store.profile_by_name("到场学员").is_ok());
        // The group keeps its record but is no trainee to pick on the start screen.
        let trainees: Vec<String> = store.profiles().unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(trainees, ["到场学员"]);
        assert!(store.profile_by_name("2026 春季班").is_ok());
        // A trainee's name cannot become a group, nor a group's a trainee.
        let clash = Plan { group: Some(Member::typed("到场学员")), ..plan.clone() };
        assert!(matches!(store.create_drill(&clash), Err(StoreError::ProfileKindClash { group: true, .. })));
        let clash = Plan { roster: vec![Member::typed("2026 春季班")], ..hot_seat(&script, vec![], "x") };
        let err = store.create_drill(&clash).unwrap_err();
        assert!(matches!(err, StoreError::ProfileKindClash { group: false, .. }), "{err}");
        assert!(err.to_string().contains("class group"), "{err}");
        assert!(matches!(store.create_profile("2026 春季班"), Err(StoreError::DuplicateProfile(_))));

        let poor_id = &first.options[poor].id;
        assert!(common_mistakes(&attempts, &scripts).iter().all(|m| &m.option_id != poor_id), "not followed, not a step");
        let mistakes = drill_mistakes(&drill, &attempts, &scripts);
        let m = mistakes.iter().find(|m| &m.option_id == poor_id).expect("its votes count");
        assert_eq!((m.times, m.by.clone()), (7, vec!["2026 春季班".to_string()]));
        let mut alone = Encounter::new(script.clone(), attempts[0].summary.seed);
        let step = alone.choose(poor, None).unwrap();
        assert_eq!((m.upset_before, m.upset_after), (step.mood_before.upset as f32, step.mood_after.upset as f32));
        let html = drill_html(&drill, &attempts, &scripts);
        assert!(html.contains("× 7"), "the poor option ranks by its votes");
        assert!(html.contains(&format!("{}: 7 (44%)", poor + 1)), "the split: 7 of 16");
    }

    #[test]
    fn a_role_play_result_lands_in_the_responders_record() {
        use counterpart_core::drill::Observation::Level;
        use counterpart_core::scenario::model::{Item, Outcome, RedFlag};
        let dir = temp();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let script = script();
        let scripts = scripts_with(&script);
        let roster = ["答", "演", "观一", "观二"].map(Member::typed).to_vec();
        let plan = Plan { mode: Mode::RolePlay, ..hot_seat(&script, roster, "角色扮演") };
        let (id, mut drill) = store.create_drill(&plan).unwrap();
        let apply = |drill: &mut counterpart_core::drill::Drill, e: Event| store.apply_drill_event(id, drill, &e, &scripts).unwrap();
        apply(&mut drill, Event::StartSlot);
        assert!(drill.cue_card(&scripts).unwrap().is_some());
        apply(&mut drill, Event::CueNext { closest: 0 });
        for (observer, level) in [(2, 3), (3, 2)] {
            apply(&mut drill, Event::Observe { observer, item: Item::E1, mark: Level(level) });
            apply(&mut drill, Event::Observe { observer, item: Item::P1, mark: Level(level) });
        }
        apply(&mut drill, Event::RedFlag { observer: 3, flag: RedFlag::DataLeak, raised: true });
        apply(&mut drill, Event::FinishSlot { disc_guess: None, outcome: Some(Outcome::Escalated) });
        let responder = store.profile_by_name("答").unwrap();
        let record = store.attempt(drill.states[0].attempt.unwrap()).unwrap();
        assert_eq!(record.summary.profile_id, responder.id);
        assert_eq!(record.summary.status, Status::Completed);
        assert!(record.steps.is_empty(), "the responder spoke freely: no scripted steps");
        let result = record.result.unwrap();
        assert_eq!(result.outcome, Outcome::Escalated);
        assert_eq!(result.card.item(Item::E1), 2, "lower median of 3 and 2");
        assert_eq!(result.card.red_flags, vec![RedFlag::DataLeak], "one of two observers is half");
        assert!(!result.card.passed);
        let html = drill_html(&drill, &store.drill_attempts(&drill).unwrap(), &scripts);
        assert!(html.contains("Weighted kappa") && html.contains("观二"));
        assert!(html.contains("Leaked personal data"));
        // Replaying the whole log gives the same drill.
        assert_eq!(store.load_drill(id, &scripts).unwrap(), drill);
    }
}

#[test]
fn a_late_answer_replays_as_late_on_resume_and_in_reports() {
    // The fixture's opening turn has a time limit: answer it late, then
    // rebuild the attempt from the store as resume, reports and xAPI do.
    let dir = temp();
    let store = Store::open(&dir.path().join("late.sqlite3")).unwrap();
    let p = store.create_profile("晚答").unwrap();
    let script = script();
    let limit = script.scenario.turns[0].time_limit.expect("the opening turn is timed") as f32;
    let attempt = store.begin_attempt(p.id, &script.scenario.id, script.scenario.version, 5).unwrap();
    let mut enc = Encounter::new(script.clone(), 5);
    let step = enc.choose(1, Some(limit + 3.0)).unwrap().clone();
    assert!(step.timed_out);
    store.record_step(attempt, 0, &step).unwrap();
    let step = enc.choose(0, Some(1.0)).unwrap().clone();
    store.record_step(attempt, 1, &step).unwrap();

    let record = store.attempt(attempt).unwrap();
    let replayed = Encounter::replay_answers(script.clone(), 5, &record.answers()).unwrap();
    assert!(replayed.steps()[0].timed_out, "the late answer is still late");
    assert_eq!(replayed.mood(), enc.mood(), "the same mood as when it was played");
    assert_eq!(replayed.steps(), enc.steps(), "the same steps, shown order included");
    // Untimed, the same choices leave a calmer caller: the times matter.
    let untimed = Encounter::replay(script.clone(), 5, &record.choices()).unwrap();
    assert_ne!(untimed.mood(), enc.mood());
    // The xAPI statement of the late step says so.
    let statements = counterpart_core::records::xapi::statements(&record, Some(&*script));
    assert_eq!(statements[0]["result"]["extensions"][counterpart_core::records::xapi::extension("timed-out")], true);
    assert_eq!(
        statements[0]["result"]["extensions"][counterpart_core::records::xapi::extension("shown-order")],
        serde_json::json!(enc.steps()[0].shown.iter().map(|i| i + 1).collect::<Vec<_>>())
    );
}

#[test]
fn a_v4_database_keeps_its_scores_under_rules_1() {
    let dir = temp();
    let db = dir.path().join("v4.sqlite3");
    let script = script();
    let route = best_route(&script);
    {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("老学员").unwrap();
        play_and_record(&store, p.id, &script, 3, &route);
        let unfinished = store.begin_attempt(p.id, &script.scenario.id, script.scenario.version, 4).unwrap();
        assert!(unfinished > 0);
    }
    let before: (f64, String) = {
        let raw = rusqlite::Connection::open(&db).unwrap();
        let card: String = raw.query_row("SELECT card_json FROM attempts WHERE id = 1", [], |r| r.get(0)).unwrap();
        let card: counterpart_core::play::score::ScoreCard = serde_json::from_str(&card).unwrap();
        raw.execute("UPDATE attempts SET card_json = ?1 WHERE id = 1", [old_card_json(&card)]).unwrap();
        raw.execute_batch(
            "ALTER TABLE attempts DROP COLUMN persona; ALTER TABLE attempts DROP COLUMN rating;
             ALTER TABLE attempts DROP COLUMN rules; PRAGMA user_version = 4;",
        )
        .unwrap();
        raw.query_row("SELECT overall, card_json FROM attempts WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap()
    };
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let old = store.attempt(1).unwrap();
    assert_eq!(old.summary.rules, Some(1), "finished before ratings: scored under rules 1");
    assert_eq!(old.summary.overall.map(f64::from), Some(before.0 as f32 as f64), "its score is not recomputed");
    assert_eq!(old.result.as_ref().unwrap().card.rules, 1);
    assert_eq!(store.attempt(2).unwrap().summary.rules, None, "an unfinished attempt has no rules yet");
    // A new attempt is stored with the current rules, its rating and persona.
    let p = store.profiles().unwrap()[0].id;
    let (fresh, enc) = play_and_record(&store, p, &script, 9, &route);
    let fresh = store.attempt(fresh).unwrap();
    assert_eq!(fresh.summary.rules, Some(counterpart_core::play::score::RULES_VERSION));
    assert_eq!(fresh.summary.rating.as_deref(), enc.score().rating.map(|r| r.code()));
    assert_eq!(fresh.summary.persona.as_deref(), Some("main"));
}
