//! A targeted run (the mistake book's "practise from here") starts at a
//! stored situation, not at the first turn. Every reader of a stored
//! attempt — the debrief rebuilt from the record, the printable report,
//! the statements' content attached afterwards, resuming — must replay it
//! from there and find exactly what was played.

use counterpart_core::library::Library;
use counterpart_core::library::load::load_file;
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::play::score::AttemptResult;
use counterpart_core::records::report::attempt_html;
use counterpart_core::records::resume::continue_attempt;
use counterpart_core::records::store::{Situation, Store};
use counterpart_core::records::xapi::statements;
use std::path::Path;
use std::sync::Arc;

fn script() -> Arc<Script> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hotline-water-outage.ron");
    load_file(&path).script().expect("the fixture loads").clone()
}

/// The situation after the first turn of a run answered with option 0.
fn second_turn(script: &Arc<Script>) -> Situation {
    let after_one = Encounter::replay(script.clone(), 5, &[0]).unwrap();
    Situation {
        scenario_id: script.scenario.id.clone(),
        scenario_version: script.scenario.version,
        turn_id: after_one.prompt().expect("a second turn").turn.id.clone(),
        persona: after_one.persona(),
        mood: after_one.mood(),
        flags: after_one.flags().into_iter().map(String::from).collect(),
    }
}

/// Plays a targeted run from `situation` to its end (the last option
/// every turn), recording and finishing it as the app does.
fn play_targeted(store: &Store, script: &Arc<Script>, situation: &Situation) -> (i64, Encounter) {
    let me = store.create_profile("王芳").unwrap().id;
    let seed = 77;
    let attempt = store.begin_targeted_attempt(me, script, seed, situation).unwrap();
    let mut run = situation.start(script.clone(), seed).unwrap();
    let mut i = 0;
    while let Some(prompt) = run.prompt() {
        let last = prompt.options.len() - 1;
        let step = run.choose(last, Some(4.0)).unwrap().clone();
        store.record_step(attempt, i, &step).unwrap();
        i += 1;
    }
    let ending = run.ending().unwrap();
    let result = AttemptResult { card: run.score(), ending_id: ending.id.clone(), outcome: ending.outcome, disc_guess: None, persona: run.persona_view().id };
    store.finish_attempt(attempt, &result).unwrap();
    (attempt, run)
}

#[test]
fn a_targeted_run_replays_from_its_situation_for_every_reader() {
    let script = script();
    let situation = second_turn(&script);
    assert_ne!(situation.turn_id, script.scenario.turns[0].id);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.sqlite3");
    let store = Store::open(&db).unwrap();
    let (attempt, played) = play_targeted(&store, &script, &situation);
    let record = store.attempt(attempt).unwrap();
    assert_eq!(record.summary.situation.as_ref(), Some(&situation));

    // The shared replay: exactly the run played, debrief and all.
    let replayed = record.replay_on(&script, record.steps.len()).unwrap();
    assert_eq!(replayed.steps(), played.steps());
    assert_eq!(replayed.debrief(), played.debrief());
    assert_eq!(replayed.score(), played.score());
    assert_eq!(record.persona_on(&script), situation.persona);
    // What the readers did before: the same answers from the first turn
    // are another conversation (or none at all).
    let from_start = Encounter::replay_answers(script.clone(), record.summary.seed, &record.answers());
    assert!(from_start.is_err() || from_start.unwrap().steps() != played.steps(), "the test must tell the two replays apart");
    // The first k steps, as the class-vote report reads them.
    let before_last = record.replay_on(&script, record.steps.len() - 1).unwrap();
    assert_eq!(before_last.prompt().unwrap().turn.id, played.steps().last().unwrap().turn_id);

    // The printable report shows each played turn's debrief: the option
    // chosen in words and its feedback, not the bare option number.
    let library = Library::from_scripts(vec![script.clone()]);
    let html = attempt_html(&record, &library);
    for d in played.debrief() {
        assert!(html.contains(&d.feedback.zh), "feedback of {} missing from the report", d.turn_id);
        assert!(html.contains(&d.chosen.zh), "the chosen words of {} missing from the report", d.turn_id);
    }

    // Resuming after a crash mid-run goes on from the situation.
    let resumed = continue_attempt(Some(&script), &record).unwrap();
    assert_eq!(resumed.steps(), played.steps());

    // A record whose statement content is attached afterwards (as for
    // records from before content was stored) is checked by replaying it:
    // a targeted run passes and keeps its persona.
    let before = statements(&record).unwrap();
    drop(store);
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute("DELETE FROM attempt_content WHERE attempt_id = ?1", [attempt]).unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert!(store.attempt(attempt).unwrap().content.is_none());
    assert!(store.attach_content(attempt, &script).unwrap(), "attached");
    let again = store.attempt(attempt).unwrap();
    assert_eq!(again.content.as_ref().map(|c| c.scenario.persona.clone()), record.content.as_ref().map(|c| c.scenario.persona.clone()));
    assert_eq!(statements(&again).unwrap(), before, "the same statements as before");
}
