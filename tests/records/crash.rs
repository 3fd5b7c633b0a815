//! Crash safety: a process killed with SIGKILL mid-write.

use super::common::*;

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
