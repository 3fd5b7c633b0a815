//! Risk protocols against the bundled scenarios that carry them: required
//! actions taken in time pass, missed or late ones fail with their reason,
//! needless handovers fail, the actions replay exactly from the stored
//! steps, and no surface player that takes no action passes.

use counterpart_core::analysis::analyze::{Objective, analyze_personas};
use counterpart_core::analysis::gameability;
use counterpart_core::library::load::load_all;
use counterpart_core::play::engine::{Encounter, PlayError, Script, Step};
use counterpart_core::play::protocol::{ACTIONS, ActionStatus};
use counterpart_core::scenario::model::RedFlag;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn bundled(id: &str) -> Arc<Script> {
    let loaded = load_all(&[scenarios().join(format!("{id}.ron"))]);
    loaded[0].script().cloned().unwrap_or_else(|| panic!("{:#?}", loaded[0].errors()))
}

/// The analyzer's best route for the main persona.
fn best_route(script: &Arc<Script>) -> Vec<usize> {
    let analyses = analyze_personas(script).expect("analyses");
    analyses[0].best(Objective::Overall).expect("a best route").route.clone()
}

/// Plays `route` as the main persona, taking each `(turn, action)` while
/// facing that turn (first visit).
fn play(script: &Arc<Script>, route: &[usize], actions: &[(&str, &str)]) -> Encounter {
    let mut encounter = Encounter::with_persona(script.clone(), 5, 0);
    let mut left: Vec<(&str, &str)> = actions.to_vec();
    for &choice in route {
        let turn = encounter.position_id();
        for (_, action) in left.iter().filter(|(t, _)| *t == turn) {
            encounter.take_protocol_action(action).unwrap();
        }
        left.retain(|(t, _)| *t != turn);
        encounter.choose(choice, None).unwrap();
    }
    assert!(left.is_empty(), "turns never faced: {left:?}");
    assert!(encounter.is_over());
    encounter
}

const SUICIDE_PROTOCOL: &[(&str, &str)] =
    &[("cue", "report-shift-lead"), ("answer", "handover-crisis-line"), ("means", "handover-120"), ("means", "mark-critical")];

#[test]
fn the_suicide_protocol_followed_passes_and_skipped_fails_with_its_reasons() {
    let script = bundled("hotline-suicide-risk");
    let route = best_route(&script);
    let followed = play(&script, &route, SUICIDE_PROTOCOL);
    let report = followed.protocol_report();
    assert!(report.cues.iter().all(|c| c.heard), "{:?}", report.cues);
    assert_eq!(report.required.len(), 4);
    assert!(report.required.iter().all(|r| r.status == ActionStatus::Done), "{:#?}", report.required);
    assert!(report.needless.is_empty());
    assert!(followed.score().passed, "the best route passes as a conversation");
    assert_eq!(followed.score_with_protocol(), followed.score());

    let skipped = play(&script, &route, &[]);
    let report = skipped.protocol_report();
    assert!(report.required.iter().all(|r| r.status == ActionStatus::Missed));
    assert!(report.missed().all(|r| !r.why.zh.is_empty() && !r.why.en.is_empty()));
    let card = skipped.score_with_protocol();
    assert!(!card.passed);
    assert_eq!(card.red_flags, vec![RedFlag::MissedProtocol]);
    // The levels are the conversation's: only the verdict changes.
    assert_eq!(card.overall, skipped.score().overall);

    // Either of 110 and 120 does for the visit.
    let police = play(&script, &route, &[("cue", "report-shift-lead"), ("answer", "handover-crisis-line"), ("means", "handover-110"), ("means", "mark-critical")]);
    assert!(police.score_with_protocol().passed);
}

#[test]
fn an_action_after_its_turn_is_late_and_fails() {
    let script = bundled("hotline-suicide-risk");
    let route = best_route(&script);
    // The shift lead is due by the answer to "honest"; told at "handover".
    let late = play(&script, &route, &[("handover", "report-shift-lead"), ("answer", "handover-crisis-line"), ("means", "handover-120"), ("means", "mark-critical")]);
    let report = late.protocol_report();
    let lead = report.required.iter().find(|r| r.action == "report-shift-lead").unwrap();
    assert_eq!(lead.status, ActionStatus::Late);
    assert_eq!(lead.taken_at.as_deref(), Some("handover"));
    assert!(!late.score_with_protocol().passed);
    // While facing the turn it is due by is still in time.
    let just = play(&script, &route, &[("honest", "report-shift-lead"), ("answer", "handover-crisis-line"), ("means", "handover-120"), ("means", "mark-critical")]);
    assert!(just.score_with_protocol().passed, "{:#?}", just.protocol_report().required);
}

#[test]
fn mid_call_a_requirement_is_pending_until_its_turn_is_answered() {
    let script = bundled("hotline-gas-smell");
    let mut encounter = Encounter::with_persona(script.clone(), 5, 0);
    let report = encounter.protocol_report();
    let gas = report.required.iter().find(|r| r.action == "handover-gas").unwrap();
    assert_eq!(gas.status, ActionStatus::Pending, "the cue is in the opening line");
    encounter.take_protocol_action("handover-gas").unwrap();
    assert_eq!(encounter.pending_actions(), ["handover-gas"]);
    let report = encounter.protocol_report();
    assert_eq!(report.required.iter().find(|r| r.action == "handover-gas").unwrap().status, ActionStatus::Done);
    assert_eq!(report.taken, vec![("handover-gas".to_string(), "open".to_string())]);
}

#[test]
fn needless_handovers_fail_and_extra_reports_do_not() {
    let script = bundled("hotline-water-outage");
    let route = best_route(&script);
    let plain = play(&script, &route, &[]);
    assert!(plain.score_with_protocol().passed, "no protocol, nothing required");
    let lead = play(&script, &route, &[("open", "report-shift-lead"), ("open", "mark-critical")]);
    assert_eq!(lead.score_with_protocol(), plain.score_with_protocol());
    let pushed = play(&script, &route, &[("open", "handover-110")]);
    let report = pushed.protocol_report();
    assert_eq!(report.needless.len(), 1);
    assert_eq!(report.needless[0].taken_at, "open");
    let card = pushed.score_with_protocol();
    assert!(!card.passed);
    assert_eq!(card.red_flags, vec![RedFlag::PushingAway]);

    // In the gas call, 120 is needless beside the required handovers.
    let gas = bundled("hotline-gas-smell");
    let route = best_route(&gas);
    let all = [("open", "handover-gas"), ("open", "handover-119"), ("open", "report-shift-lead"), ("open", "mark-critical")];
    assert!(play(&gas, &route, &all).score_with_protocol().passed);
    let mut extra = all.to_vec();
    extra.push(("open", "handover-120"));
    assert!(!play(&gas, &route, &extra).score_with_protocol().passed);
}

#[test]
fn actions_replay_exactly_from_the_stored_steps() {
    let script = bundled("hotline-suicide-risk");
    let route = best_route(&script);
    let played = play(&script, &route, SUICIDE_PROTOCOL);
    // As the store keeps them: each step as JSON.
    let stored: Vec<String> = played.steps().iter().map(|s| serde_json::to_string(s).unwrap()).collect();
    let steps: Vec<Step> = stored.iter().map(|j| serde_json::from_str(j).unwrap()).collect();
    assert!(steps.iter().any(|s| !s.actions.is_empty()));
    let replayed = Encounter::replay_steps(script.clone(), played.seed(), &steps).unwrap();
    assert_eq!(replayed.steps(), played.steps());
    assert_eq!(replayed.protocol_report(), played.protocol_report());
    assert_eq!(replayed.score_with_protocol(), played.score_with_protocol());
    // A step without actions stores exactly as before.
    let plain = serde_json::to_string(&play(&script, &route, &[]).steps()[0]).unwrap();
    assert!(!plain.contains("actions"), "{plain}");
    // Mid-call, the pending actions carry over to a reloaded script.
    let mut live = Encounter::with_persona(script.clone(), 5, 0);
    live.choose(route[0], None).unwrap();
    live.take_protocol_action("report-shift-lead").unwrap();
    let carried = live.carry_over(script.clone()).unwrap();
    assert_eq!(carried.protocol_actions(), live.protocol_actions());
}

#[test]
fn a_recorded_attempt_keeps_the_protocol_verdict_and_its_actions() {
    let script = bundled("hotline-suicide-risk");
    let route = best_route(&script);
    let dir = tempfile::tempdir().unwrap();
    let store = counterpart_core::records::store::Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let profile = store.create_profile("李明").unwrap();
    let skipped = store.record_encounter_with_order(profile.id, &play(&script, &route, &[]), None, None).unwrap();
    let followed = store.record_encounter_with_order(profile.id, &play(&script, &route, SUICIDE_PROTOCOL), None, None).unwrap();
    let card = |attempt| store.attempt(attempt).unwrap().result.expect("finished").card;
    assert!(!card(skipped).passed, "a missed required action fails the stored attempt");
    assert_eq!(card(skipped).red_flags, vec![RedFlag::MissedProtocol]);
    assert!(card(followed).passed);
    let stored = store.attempt(followed).unwrap();
    assert!(stored.steps.iter().any(|s| !s.step.actions.is_empty()), "the actions are kept with their steps");
}

#[test]
fn bad_actions_are_errors_not_panics() {
    let script = bundled("hotline-gas-smell");
    let mut encounter = Encounter::with_persona(script.clone(), 5, 0);
    assert_eq!(encounter.take_protocol_action("handover-999"), Err(PlayError::UnknownAction("handover-999".into())));
    encounter.take_protocol_action("handover-119").unwrap();
    assert_eq!(encounter.take_protocol_action("handover-119"), Err(PlayError::ActionAlreadyTaken("handover-119".into())));
    let route = best_route(&script);
    let mut ended = play(&script, &route, &[]);
    assert_eq!(ended.take_protocol_action("handover-119"), Err(PlayError::Ended));
    // A record naming an action this build does not know does not replay.
    let mut steps = ended.steps().to_vec();
    steps[0].actions.push("nope".into());
    assert!(matches!(Encounter::replay_steps(script, 5, &steps), Err(PlayError::UnknownAction(_))));
}

/// A test-wise player: any surface strategy, no protocol action, or every
/// action at the first turn. None may pass where a protocol is required.
#[test]
fn no_surface_player_passes_a_protocol_scenario() {
    for id in ["hotline-suicide-risk", "hotline-gas-smell", "hotline-public-opinion", "hotline-harassing-caller"] {
        let script = bundled(id);
        assert!(script.scenario.protocol.is_some(), "{id} has protocol truth");
        let analyses = analyze_personas(&script).unwrap();
        let validity = gameability::check(&script, &analyses);
        assert!(!validity.bots.is_empty());
        for run in &validity.bots {
            assert!(!run.passed_with_protocol, "{id}: {:?} as {} passes without taking any action", run.bot, run.persona_id);
        }
        assert!(validity.findings.iter().all(|f| f.code != "protocol-avoidable"), "{id}");
        // Pressing every button at once fails too: some handover is needless.
        for analysis in &analyses {
            let route = &analysis.best(Objective::Overall).unwrap().route;
            let mut encounter = Encounter::with_persona(script.clone(), 5, analysis.persona);
            for a in ACTIONS {
                encounter.take_protocol_action(a.id).unwrap();
            }
            for &c in route {
                encounter.choose(c, None).unwrap();
            }
            assert!(!encounter.score_with_protocol().passed, "{id}: every action at once passes");
        }
    }
}
