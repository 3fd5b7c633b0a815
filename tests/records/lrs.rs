//! Sending to an LRS: the real Ralph LRS.

use super::common::*;
use crate::ralph::{Ralph, ralph_or_skip, same_json};

#[test]
fn statements_reach_a_real_lrs_once_and_survive_an_outage() {
    // Runs whenever Ralph is installed; CI sets COUNTERPART_REQUIRE_LRS so
    // a missing Ralph fails there instead of skipping.
    let Some(exe) = ralph_or_skip("statements_reach_a_real_lrs_once_and_survive_an_outage") else { return };
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
    let sent: Vec<Value> = records.iter().flat_map(|r| statements(r).unwrap()).collect();
    // Finished: initialized, the steps, completed, verdict, terminated;
    // in progress: initialized and two steps.
    assert_eq!(sent.len(), route.len() + 4 + 3);

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
    let one = lrs.get_statement(sent[1]["id"].as_str().unwrap()).unwrap().expect("found by id");
    assert!(same_json(&one["result"], &sent[1]["result"]));
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
        .args(["export", "--resend", "--retries", "1", "--backoff-ms", "10", "--lrs", &ralph.url(), "--user", Ralph::USER, "--db"])
        .arg(&db)
        .env("COUNTERPART_LRS_PASSWORD", Ralph::PASSWORD)
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(stderr.contains("NOT sent") && stderr.contains(all[0]), "{stderr}");
    let store = Store::open(&db).unwrap();
    let again: Vec<Value> = [done, open].iter().flat_map(|&a| statements(&store.attempt(a).unwrap()).unwrap()).collect();
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
