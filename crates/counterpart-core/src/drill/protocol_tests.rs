//! Risk protocols in drills: actions taken as events in every mode, kept
//! with the answer that follows them, judged at the slot's end exactly as
//! a solo attempt is — a missed required action fails the slot with the
//! same red flag. Uses the bundled gas-leak scenario (the frozen fixtures
//! have no protocol truth).

use super::*;
use crate::analysis::analyze::{Objective, analyze_persona};
use crate::library::load::load_file;
use crate::play::protocol::ActionStatus;
use crate::scenario::model::RedFlag;
use std::path::PathBuf;

const GAS: &str = "hotline-gas-smell";

fn bundled(id: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios")).join(format!("{id}.ron"))
}

struct Bench {
    scripts: Library,
    desks: HashMap<String, Arc<Desk>>,
    segmenter: Segmenter,
}

impl Bench {
    fn new() -> Bench {
        let scripts = Library::from_scripts([load_file(&bundled(GAS)).script().expect("bundled scenario loads").clone()]);
        let desks = [(GAS.to_string(), Arc::new(Desk::for_file(&bundled(GAS))))].into_iter().collect();
        Bench { scripts, desks, segmenter: Segmenter::new() }
    }

    fn at_hand(&self) -> AtHand<'_> {
        AtHand::new(&self.desks, &self.segmenter)
    }

    /// The best route for the persona the slot's seed picks.
    fn best_for(&self, drill: &Drill, slot: usize) -> Vec<usize> {
        let script = &self.scripts[GAS];
        let persona = script.persona_for_seed(drill.states[slot].seed);
        analyze_persona(script, persona).unwrap().best(Objective::Overall).unwrap().route.clone()
    }

    /// Applies the events like the store does (linking a started slot),
    /// keeping the log; returns every effect.
    fn run(&self, drill: &mut Drill, log: &mut Vec<Event>, events: &[Event]) -> Vec<Effect> {
        let mut all = Vec::new();
        for event in events {
            let effects = drill.apply_at(event, &self.scripts, self.at_hand()).unwrap_or_else(|e| panic!("{event:?}: {e}"));
            log.push(event.clone());
            if let Some(Effect::BeginAttempt { slot, scenario_version, .. }) = effects.first() {
                let link = Event::Linked { slot: *slot, attempt: 1000 + *slot as i64, scenario_version: *scenario_version, started_at: None };
                drill.apply_at(&link, &self.scripts, self.at_hand()).unwrap();
                log.push(link);
            }
            all.extend(effects);
        }
        all
    }

    /// A slot's card as the app scores a solo attempt of the same call:
    /// the conversation, the blank order handed in at the end, the notice
    /// (none here), then the protocol's verdict.
    fn solo_card(&self, encounter: &Encounter) -> ScoreCard {
        let desk = &self.desks[GAS];
        let (card, _) = card_with_order(encounter, Some(&WorkOrder::default()), desk.context(&self.segmenter));
        let (card, _) = card_with_notice(&card, encounter.scenario().notice.as_ref(), Some(&Notice::default()), &desk.base);
        apply_protocol(&card, &encounter.protocol_report())
    }
}

fn plan(mode: Mode, members: usize) -> Plan {
    Plan {
        title: "风险处置演练".into(),
        mode,
        scenarios: vec![GAS.to_string()],
        roster: (0..members).map(|i| Member::profile(10 + i as i64, format!("学员{i}"))).collect(),
        group: (mode == Mode::ClassVote).then(|| Member::profile(99, "全班")),
        rotation: Rotation::Same,
        rounds: 1,
        seed: 11,
    }
}

fn act(action: &str) -> Event {
    Event::Protocol { action: action.to_string() }
}

fn finish() -> Event {
    Event::FinishSlot { disc_guess: None, outcome: None }
}

fn result_of(effects: &[Effect]) -> &AttemptResult {
    effects.iter().find_map(|e| if let Effect::FinishAttempt { result, .. } = e { Some(result) } else { None }).expect("the slot finished")
}

/// The gas protocol: the two handovers on the opening turn, the report
/// and the mark on the next (both due only before the call ends).
fn followed(route: &[usize], choose: impl Fn(usize) -> Event) -> Vec<Event> {
    let mut events = vec![act("handover-gas"), act("handover-119"), choose(route[0]), act("report-shift-lead"), act("mark-critical")];
    events.extend(route[1..].iter().map(|&o| choose(o)));
    events
}

fn pick(option: usize) -> Event {
    Event::Choose { option, response_secs: None }
}

#[test]
fn a_hot_seat_slot_that_follows_the_protocol_passes_and_one_that_misses_it_fails_as_solo() {
    let bench = Bench::new();
    let (mut drill, mut log) = (Drill::new(plan(Mode::HotSeat, 2)).unwrap(), Vec::new());

    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let route = bench.best_for(&drill, 0);
    let effects = bench.run(&mut drill, &mut log, &followed(&route, pick));
    // Each recorded step carries the actions taken before its answer.
    let steps: Vec<&Step> = effects.iter().filter_map(|e| if let Effect::RecordStep { step, .. } = e { Some(step) } else { None }).collect();
    assert_eq!(steps.len(), route.len());
    assert_eq!(steps[0].actions, ["handover-gas", "handover-119"]);
    assert_eq!(steps[1].actions, ["report-shift-lead", "mark-critical"]);
    assert!(steps[2..].iter().all(|s| s.actions.is_empty()));
    let report = drill.protocol_report(0, &bench.scripts).unwrap().unwrap();
    assert!(report.required.iter().all(|r| r.status == ActionStatus::Done), "{:#?}", report.required);
    let effects = bench.run(&mut drill, &mut log, &[finish()]);
    let kept = result_of(&effects).card.clone();
    assert!(!kept.red_flags.contains(&RedFlag::MissedProtocol), "{:?}", kept.red_flags);
    // The same call played solo, the same steps replayed: the same card.
    let solo = Encounter::replay_steps(bench.scripts[GAS].clone(), drill.states[0].seed, &steps.iter().map(|s| (*s).clone()).collect::<Vec<_>>()).unwrap();
    assert_eq!(kept, bench.solo_card(&solo));

    // The second member plays the best route and takes no action: the
    // required handovers are missed, and the slot fails as solo would.
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let route = bench.best_for(&drill, 1);
    bench.run(&mut drill, &mut log, &route.iter().map(|&o| pick(o)).collect::<Vec<_>>());
    let effects = bench.run(&mut drill, &mut log, &[finish()]);
    let missed = result_of(&effects).card.clone();
    assert!(!missed.passed);
    assert!(missed.red_flags.contains(&RedFlag::MissedProtocol), "{:?}", missed.red_flags);
    let solo = Encounter::replay(bench.scripts[GAS].clone(), drill.states[1].seed, &route).unwrap();
    assert_eq!(missed, bench.solo_card(&solo));
    let report = drill.protocol_report(1, &bench.scripts).unwrap().unwrap();
    assert!(report.missed().any(|r| r.action == "handover-gas" && !r.why.zh.is_empty()), "{:#?}", report.required);

    // The log replays to the same drill, actions and verdicts included.
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);
}

#[test]
fn actions_are_refused_as_in_solo_play_and_undo_takes_one_back() {
    let bench = Bench::new();
    let (mut drill, mut log) = (Drill::new(plan(Mode::HotSeat, 1)).unwrap(), Vec::new());
    assert!(matches!(drill.apply(&act("handover-119"), &bench.scripts), Err(DrillError::WrongPhase { event: "Protocol", .. })), "not before the slot starts");
    bench.run(&mut drill, &mut log, &[Event::StartSlot, act("handover-119")]);
    assert_eq!(drill.apply(&act("handover-119"), &bench.scripts), Err(DrillError::Play(PlayError::ActionAlreadyTaken("handover-119".into()))));
    assert_eq!(drill.apply(&act("handover-999"), &bench.scripts), Err(DrillError::Play(PlayError::UnknownAction("handover-999".into()))));
    assert!(drill.can_undo());
    bench.run(&mut drill, &mut log, &[Event::Undo]);
    assert!(drill.states[0].actions.is_empty());
    assert!(drill.encounter(0, &bench.scripts).unwrap().unwrap().protocol_actions().is_empty());
    // Undoing an answer keeps the action taken before it, on its turn.
    let route = bench.best_for(&drill, 0);
    bench.run(&mut drill, &mut log, &[act("handover-gas"), pick(route[0])]);
    let effects = bench.run(&mut drill, &mut log, &[Event::Undo]);
    assert_eq!(effects, vec![Effect::UnrecordStep { attempt: 1000, index: 0 }]);
    let encounter = drill.encounter(0, &bench.scripts).unwrap().unwrap();
    assert_eq!(encounter.pending_actions(), ["handover-gas"]);
    // Once the call is over nothing more can be taken.
    bench.run(&mut drill, &mut log, &route.iter().map(|&o| pick(o)).collect::<Vec<_>>());
    assert_eq!(drill.phase, Phase::Ended { slot: 0 });
    assert!(matches!(drill.apply(&act("report-shift-lead"), &bench.scripts), Err(DrillError::WrongPhase { .. })));
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);
}

#[test]
fn the_class_takes_the_actions_it_decides_on_and_misses_fail_its_slot() {
    let bench = Bench::new();
    let plan = Plan { rounds: 2, ..plan(Mode::ClassVote, 4) };
    let (mut drill, mut log) = (Drill::new(plan).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let route = bench.best_for(&drill, 0);
    bench.run(&mut drill, &mut log, &followed(&route, |option| Event::Majority { option }));
    let effects = bench.run(&mut drill, &mut log, &[finish()]);
    let card = result_of(&effects).card.clone();
    let encounter = drill.encounter(0, &bench.scripts).unwrap().unwrap();
    assert_eq!(card, bench.solo_card(&encounter));
    assert!(!card.red_flags.contains(&RedFlag::MissedProtocol));

    // Round two: the class hands over to the gas line only.
    bench.run(&mut drill, &mut log, &[Event::StartSlot, act("handover-gas")]);
    let route = bench.best_for(&drill, 1);
    bench.run(&mut drill, &mut log, &route.iter().map(|&option| Event::Majority { option }).collect::<Vec<_>>());
    let report = drill.protocol_report(1, &bench.scripts).unwrap().unwrap();
    let status = |action: &str| report.required.iter().find(|r| r.action == action).unwrap().status;
    assert_eq!((status("handover-gas"), status("handover-119")), (ActionStatus::Done, ActionStatus::Missed));
    let effects = bench.run(&mut drill, &mut log, &[finish()]);
    let card = &result_of(&effects).card;
    assert!(!card.passed && card.red_flags.contains(&RedFlag::MissedProtocol));
    assert_eq!(*card, bench.solo_card(&drill.encounter(1, &bench.scripts).unwrap().unwrap()));
}

#[test]
fn a_role_play_responder_is_judged_along_the_cue_cards_path_where_the_trainer_ends_it() {
    let bench = Bench::new();
    let (mut drill, mut log) = (Drill::new(plan(Mode::RolePlay, 3)).unwrap(), Vec::new());
    let observer = drill.slots[0].observers[0];
    let marks: Vec<Event> = Item::ALL.iter().map(|&item| Event::Observe { observer, item, mark: Observation::Level(2) }).collect();
    let resolved = Event::FinishSlot { disc_guess: None, outcome: Some(Outcome::Resolved) };

    // The responder hands over to both services and reports; the call
    // ends on the opening turn with the mark not made: missed.
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    bench.run(&mut drill, &mut log, &marks);
    bench.run(&mut drill, &mut log, &[act("handover-gas"), act("handover-119"), act("report-shift-lead")]);
    let effects = bench.run(&mut drill, &mut log, &[resolved.clone()]);
    let card = &result_of(&effects).card;
    assert!(!card.passed && card.red_flags.contains(&RedFlag::MissedProtocol), "{card:?}");
    let report = drill.protocol_report(0, &bench.scripts).unwrap().unwrap();
    assert_eq!(report.missed().map(|r| r.action.as_str()).collect::<Vec<_>>(), ["mark-critical"]);

    // The next responder takes all four: the observers' card stands.
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let observer = drill.slots[1].observers[0];
    let marks: Vec<Event> = Item::ALL.iter().map(|&item| Event::Observe { observer, item, mark: Observation::Level(2) }).collect();
    bench.run(&mut drill, &mut log, &marks);
    bench.run(&mut drill, &mut log, &[act("handover-gas"), act("handover-119"), act("report-shift-lead"), act("mark-critical")]);
    let effects = bench.run(&mut drill, &mut log, &[resolved]);
    assert_eq!(result_of(&effects).card, observed_card(&drill.states[1].sheets));
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);
}
