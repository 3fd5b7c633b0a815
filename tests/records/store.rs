//! The store: round trip, unfinished attempts, migrations from every old
//! schema, newer and corrupt files, late answers on resume.

use super::common::*;

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
    assert_eq!(store.best_by_scenario(s.profile_id).unwrap().get(&s.scenario_id), Some(&(enc.score().overall, enc.score().passed)));
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

#[test]
fn a_late_answer_replays_as_late_on_resume_and_in_reports() {
    // The fixture's opening turn has a time limit: answer it late, then
    // rebuild the attempt from the store as resume, reports and xAPI do.
    let dir = temp();
    let store = Store::open(&dir.path().join("late.sqlite3")).unwrap();
    let p = store.create_profile("晚答").unwrap();
    let script = script();
    let limit = script.scenario.turns[0].time_limit.expect("the opening turn is timed") as f32;
    let attempt = store.begin_attempt_for(p.id, &script, 5).unwrap();
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
    let statements = counterpart_core::records::xapi::statements(&record).unwrap();
    // statements[0] is `initialized`; the first step follows.
    assert_eq!(statements[1]["result"]["extensions"][counterpart_core::records::xapi::extension("timed-out")], true);
    assert_eq!(
        statements[1]["result"]["extensions"][counterpart_core::records::xapi::extension("shown-order")],
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

#[test]
fn a_v5_database_gains_the_outbox_and_keeps_its_attempts_readable() {
    let dir = temp();
    let db = dir.path().join("v5.sqlite3");
    let script = script();
    let route = best_route(&script);
    let (done, before) = {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("老学员").unwrap();
        let done = play_and_record(&store, p.id, &script, 3, &route).0;
        (done, store.attempt(done).unwrap())
    };
    // Exactly what a v5 build left: no content, outbox or employee numbers.
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch(
            "DROP TABLE attempt_content; DROP TABLE scenario_snapshots; DROP TABLE outbox;
             DROP INDEX profiles_by_employee_id; ALTER TABLE profiles DROP COLUMN employee_id;
             PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let old = store.attempt(done).unwrap();
    assert_eq!((&old.summary, &old.steps, &old.result), (&before.summary, &before.steps, &before.result), "read as it was");
    assert!(old.content.is_none(), "recorded before contents were stored");
    assert!(matches!(statements(&old), Err(xapi::XapiError::NoContent { .. })));
    // Its content comes once from the same scenario version, then never changes.
    let mut edited = script.scenario.clone();
    edited.version += 1;
    let edited = Script::new(edited).unwrap();
    assert!(matches!(store.attach_content(done, &edited), Err(StoreError::ContentMismatch { .. })));
    assert!(store.attach_content(done, &script).unwrap());
    assert!(!store.attach_content(done, &script).unwrap(), "never replaced");
    assert_eq!(statements(&store.attempt(done).unwrap()).unwrap(), statements(&before).unwrap());
    assert!(store.sent("http://lrs.example/xAPI/statements").unwrap().is_empty());
    let p = store.profiles().unwrap()[0].id;
    store.set_employee_id(p, Some("N-1")).unwrap();
    assert_eq!(store.employee_id(p).unwrap().as_deref(), Some("N-1"));
}

#[test]
fn the_last_trainee_is_who_played_last_or_was_chosen_after() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let route = best_route(&script);
    assert_eq!(store.last_trainee().unwrap(), None, "an empty store has no last trainee");
    // Created in alphabetical order, so "the first" would be 陈静.
    let chen = store.create_profile("陈静").unwrap();
    let wang = store.create_profile("王芳").unwrap();
    store.mark_profile_used(chen.id).unwrap();
    assert_eq!(store.last_trainee().unwrap(), Some(chen.id), "chosen, nothing played yet");
    play_and_record(&store, wang.id, &script, 3, &route[..1]);
    assert_eq!(store.last_trainee().unwrap(), Some(wang.id), "an attempt after the choice");
    store.mark_profile_used(chen.id).unwrap();
    assert_eq!(store.last_trainee().unwrap(), Some(chen.id), "chosen after the attempt");
    play_and_record(&store, wang.id, &script, 4, &route[..1]);
    drop(store);
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    assert_eq!(store.last_trainee().unwrap(), Some(wang.id), "kept across restarts");
}

#[test]
fn a_v10_database_gains_targeted_runs_and_keeps_its_attempts() {
    use counterpart_core::records::resume::continue_attempt;
    use counterpart_core::records::store::Situation;
    let dir = temp();
    let db = dir.path().join("v10.sqlite3");
    let script = script();
    let route = best_route(&script);
    let (old, before) = {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("老学员").unwrap();
        let (old, _) = play_and_record(&store, p.id, &script, 5, &route);
        (old, store.attempt(old).unwrap())
    };
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch("ALTER TABLE attempts DROP COLUMN situation_json; PRAGMA user_version = 10;").unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.attempt(old).unwrap(), before, "read exactly as it was");
    assert_eq!(before.summary.situation, None);
    // A targeted run from the second turn: stored with its situation, and
    // continued after a crash from there, not from the first turn.
    let second = Encounter::replay(script.clone(), 5, &route[..1]).unwrap();
    let situation = Situation {
        scenario_id: script.scenario.id.clone(),
        scenario_version: script.scenario.version,
        turn_id: second.prompt().unwrap().turn.id.clone(),
        persona: second.persona(),
        mood: second.mood(),
        flags: second.flags().into_iter().map(String::from).collect(),
    };
    let targeted = store.begin_targeted_attempt(before.summary.profile_id, &script, 77, &situation).unwrap();
    let mut run = situation.start(script.clone(), 77).unwrap();
    let step = run.choose(route[1], None).unwrap().clone();
    store.record_step(targeted, 0, &step).unwrap();
    drop(store);
    let store = Store::open(&db).unwrap();
    let record = store.attempt(targeted).unwrap();
    assert_eq!(record.summary.situation.as_ref(), Some(&situation));
    let resumed = continue_attempt(Some(&script), &record).unwrap();
    assert_eq!(resumed.steps(), run.steps(), "replayed from the situation, exactly");
    assert_eq!(resumed.position_id(), run.position_id());
    assert!(!store.best_by_scenario(before.summary.profile_id).unwrap().is_empty());
}
