//! Crash safety: a process killed with SIGKILL mid-write.

use super::common::*;

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a hidden crash-test command until it prints "ready", lets it write
/// for a while, then SIGKILLs it in the middle of its writes. Returns the id
/// it printed after `id_prefix` (its attempt or sitting) and how it ended.
#[cfg(feature = "dev")]
fn kill_mid_write(command: &mut Command, id_prefix: &str) -> (Option<i64>, std::process::ExitStatus) {
    let child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("spawn counterpart");
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut id = None;
    loop {
        let line = lines.next().expect("child ended early").unwrap();
        if let Some(n) = line.strip_prefix(id_prefix) {
            id = Some(n.parse::<i64>().unwrap());
        }
        if line == "ready" {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    child.0.kill().unwrap(); // SIGKILL on Unix
    (id, child.0.wait().unwrap())
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
    let (attempt, status) = kill_mid_write(
        Command::new(env!("CARGO_BIN_EXE_counterpart"))
            .args(["records-crash-test", "--db"])
            .arg(&db)
            .arg("--scenario")
            .arg(scenario_path())
            .args(["--choices", &choices.join(","), "--seed", "9"]),
        "attempt ",
    );
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

/// An exam sat until SIGKILL mid-scenario: the sitting stays open, and the
/// app's resume path (`run::begin_exam`) takes it up at the second drawn
/// scenario, its answers replayed and its clock as last written; the
/// first scenario's clock and result are untouched.
#[cfg(feature = "dev")]
#[test]
fn a_killed_exam_resumes_at_the_scenario_it_stopped_with_its_clock() {
    use counterpart::app::run::begin_exam;
    use counterpart::app::session::Scenarios;
    let dir = temp();
    let db = dir.path().join("records.sqlite3");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exam = root.join("scenarios/exams/new-operator-certification.ron");
    let (sitting, status) = kill_mid_write(
        Command::new(env!("CARGO_BIN_EXE_counterpart"))
            .args(["exam-crash-test", "--db"])
            .arg(&db)
            .arg("--exam")
            .arg(&exam)
            .args(["--employee-id", "0571-0099", "--answers", "2"]),
        "sitting ",
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL");
    }
    let sitting = sitting.expect("child printed its sitting");
    let raw = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = raw.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    drop(raw);

    let store = Store::open(&db).unwrap();
    let s = store.sitting(sitting).unwrap();
    assert_eq!(s.status, counterpart_core::records::sittings::SittingStatus::Open);
    assert_eq!(store.open_sittings().unwrap().len(), 1);
    assert_eq!(s.slots[0].elapsed_ms, 300_000);
    let clock = s.slots[1].elapsed_ms;
    assert!(clock > 60_000, "the clock kept being written until the kill: {clock}");
    let first = store.attempt(s.slots[0].attempt.unwrap()).unwrap();
    assert_eq!(first.summary.status, Status::Completed);

    let folder = root.join("scenarios");
    let scenarios = Scenarios::new(folder.clone(), Library::load(&[folder]));
    let run = begin_exam(&scenarios, &store, sitting, 10.0).unwrap().expect("a scenario to go on with");
    let exam_run = run.exam.as_ref().unwrap();
    assert_eq!((exam_run.slot, exam_run.slots), (1, 3));
    assert_eq!((exam_run.slot_base_ms, exam_run.others_ms), (clock, 300_000));
    assert_eq!(run.attempt, s.slots[1].attempt, "the same attempt goes on");
    assert_eq!(run.encounter.steps().len(), 2, "both answers replayed");
    assert!(run.encounter.prompt().is_some(), "the call goes on at its third turn");
    assert_eq!(run.encounter.scenario().id, s.draw.slots[1].scenario);
    // The clock goes on from where it stopped, not from zero.
    assert_eq!(exam_run.slot_ms(12.5), clock + 2_500);
    let per = u64::from(s.exam.time.per_scenario_minutes) * 60;
    assert!((exam_run.scenario_left_secs(10.0) - (per as f32 - clock as f32 / 1000.0)).abs() < 0.01);
    // Nothing was begun twice: the third scenario is still untouched.
    assert!(store.sitting(sitting).unwrap().slots[2].attempt.is_none());
}
