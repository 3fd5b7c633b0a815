//! Knowledge lookups in drills: an entry opened from the desk beside the
//! call is an event kept in the slot (so a replayed log has it) and
//! recorded with the slot's attempt, after the answers given so far, in
//! every mode; refused between slots and for an entry the folder's
//! knowledge base does not hold; passed over by Undo. Uses the bundled
//! gas-leak scenario and the knowledge base of its folder.

use super::*;
use crate::analysis::analyze::{Objective, analyze_persona};
use crate::library::load::load_file;
use std::path::PathBuf;

const GAS: &str = "hotline-gas-smell";
/// The entry the gas-leak call needs, and another of the same folder.
const GAS_ENTRY: &str = "gas-leak-emergency";
const OTHER_ENTRY: &str = "water-outage-repair";

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
        let desks: HashMap<String, Arc<Desk>> = [(GAS.to_string(), Arc::new(Desk::for_file(&bundled(GAS))))].into_iter().collect();
        for entry in [GAS_ENTRY, OTHER_ENTRY] {
            assert!(desks[GAS].base.entry(entry).is_some(), "the folder's knowledge base holds {entry}");
        }
        Bench { scripts, desks, segmenter: Segmenter::new() }
    }

    fn at_hand(&self) -> AtHand<'_> {
        AtHand::new(&self.desks, &self.segmenter)
    }

    fn best_for(&self, drill: &Drill, slot: usize) -> Vec<usize> {
        let script = &self.scripts[GAS];
        let persona = script.persona_for_seed(drill.states[slot].seed);
        analyze_persona(script, persona).unwrap().best(Objective::Overall).unwrap().route.clone()
    }

    /// Applies the events like the store does (linking a started slot to
    /// attempt 1000 + slot), keeping the log; returns every effect.
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
}

fn plan(mode: Mode, members: usize) -> Plan {
    Plan {
        title: "查阅演练".into(),
        mode,
        scenarios: vec![GAS.to_string()],
        roster: (0..members).map(|i| Member::profile(10 + i as i64, format!("学员{i}"))).collect(),
        group: (mode == Mode::ClassVote).then(|| Member::profile(99, "全班")),
        rotation: Rotation::Same,
        rounds: 1,
        seed: 11,
    }
}

fn look(query: &str, entry: &str) -> Event {
    Event::Lookup { query: query.to_string(), entry: entry.to_string() }
}

fn pick(option: usize) -> Event {
    Event::Choose { option, response_secs: None }
}

fn lookup(query: &str, entry: &str, after_step: usize) -> Lookup {
    Lookup { query: query.to_string(), entry: entry.to_string(), after_step, recorded_at: String::new() }
}

fn recorded(effects: &[Effect]) -> Vec<(i64, Lookup)> {
    effects.iter().filter_map(|e| if let Effect::RecordLookup { attempt, lookup } = e { Some((*attempt, lookup.clone())) } else { None }).collect()
}

#[test]
fn a_hot_seat_members_lookups_are_recorded_with_their_attempt_after_the_answers_given_and_replay() {
    let bench = Bench::new();
    let (mut drill, mut log) = (Drill::new(plan(Mode::HotSeat, 2)).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let route = bench.best_for(&drill, 0);

    let effects = bench.run(&mut drill, &mut log, &[look("燃气", GAS_ENTRY), pick(route[0]), look("停水", OTHER_ENTRY)]);
    assert_eq!(
        recorded(&effects),
        vec![(1000, lookup("燃气", GAS_ENTRY, 0)), (1000, lookup("停水", OTHER_ENTRY, 1))],
        "each with the member's attempt and the answers given before it"
    );
    assert_eq!(drill.states[0].lookups, vec![lookup("燃气", GAS_ENTRY, 0), lookup("停水", OTHER_ENTRY, 1)]);
    // A lookup changes nothing in the call: the answer is still the first one.
    assert_eq!(drill.states[0].choices, vec![route[0]]);
    assert_eq!(drill.phase, Phase::Playing { slot: 0 });

    // The desk stays until the slot is recorded: after the call, too.
    bench.run(&mut drill, &mut log, &route[1..].iter().map(|&o| pick(o)).collect::<Vec<_>>());
    assert_eq!(drill.phase, Phase::Ended { slot: 0 });
    let effects = bench.run(&mut drill, &mut log, &[look("", GAS_ENTRY)]);
    assert_eq!(recorded(&effects), vec![(1000, lookup("", GAS_ENTRY, route.len()))]);
    bench.run(&mut drill, &mut log, &[Event::FinishSlot { disc_guess: None, outcome: None }]);

    // The next member's slot starts with no lookups; theirs go to their attempt.
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    assert!(drill.states[1].lookups.is_empty());
    let effects = bench.run(&mut drill, &mut log, &[look("燃气泄漏", GAS_ENTRY)]);
    assert_eq!(recorded(&effects), vec![(1001, lookup("燃气泄漏", GAS_ENTRY, 0))]);
    assert_eq!(drill.states[0].lookups.len(), 3, "the first member's stay with their slot");

    // The log replays to the same drill, lookups included.
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);
}

#[test]
fn lookups_are_refused_between_slots_and_for_an_entry_the_knowledge_base_lacks() {
    let bench = Bench::new();
    let (mut drill, mut log) = (Drill::new(plan(Mode::HotSeat, 1)).unwrap(), Vec::new());
    assert_eq!(drill.apply_at(&look("燃气", GAS_ENTRY), &bench.scripts, bench.at_hand()), Err(DrillError::NoSlotInPlay), "not before the slot starts");
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let before = drill.clone();
    assert_eq!(
        drill.apply_at(&look("燃气", "no-such-entry"), &bench.scripts, bench.at_hand()),
        Err(DrillError::UnknownEntry { entry: "no-such-entry".into() })
    );
    assert_eq!(drill, before, "a refused lookup leaves no trace");
    let said = crate::scenario::model::Message::message(&DrillError::UnknownEntry { entry: "x".into() });
    assert!(said.zh.contains("知识库中没有条目“x”") && said.en.contains("\"x\" is not in"), "{said:?}");

    // Without the folder's desk there is nothing to check the id against.
    let effects = drill.apply(&look("燃气", "no-such-entry"), &bench.scripts).unwrap();
    log.push(look("燃气", "no-such-entry"));
    assert_eq!(recorded(&effects), vec![(1000, lookup("燃气", "no-such-entry", 0))]);
    // A log is replayed as it was accepted, even against a desk without
    // the entry (removed from the folder since): the drill still resumes.
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);

    // Once the slot is recorded, and once the drill is over, no more.
    let route = bench.best_for(&drill, 0);
    bench.run(&mut drill, &mut log, &route.iter().map(|&o| pick(o)).collect::<Vec<_>>());
    bench.run(&mut drill, &mut log, &[Event::FinishSlot { disc_guess: None, outcome: None }]);
    assert_eq!(drill.phase, Phase::Finished);
    assert_eq!(drill.apply_at(&look("燃气", GAS_ENTRY), &bench.scripts, bench.at_hand()), Err(DrillError::Over));

    let mut two = Drill::new(plan(Mode::HotSeat, 2)).unwrap();
    bench.run(&mut two, &mut Vec::new(), &[Event::StartSlot, Event::SkipSlot]);
    assert_eq!(two.phase, Phase::Ready { slot: 1 });
    assert_eq!(two.apply_at(&look("燃气", GAS_ENTRY), &bench.scripts, bench.at_hand()), Err(DrillError::NoSlotInPlay), "between slots");
}

#[test]
fn undo_passes_over_lookups_to_the_action_before_them_and_the_lookups_stay() {
    let bench = Bench::new();
    let (mut drill, mut log) = (Drill::new(plan(Mode::HotSeat, 1)).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot, look("燃气", GAS_ENTRY)]);
    assert!(!drill.can_undo(), "a lookup alone is nothing to undo");
    assert_eq!(drill.apply(&Event::Undo, &bench.scripts), Err(DrillError::NothingToUndo));

    let route = bench.best_for(&drill, 0);
    bench.run(&mut drill, &mut log, &[pick(route[0]), look("燃气泄漏", GAS_ENTRY)]);
    // Undo takes back the answer before the lookup, not the lookup.
    let effects = bench.run(&mut drill, &mut log, &[Event::Undo]);
    assert_eq!(effects, vec![Effect::UnrecordStep { attempt: 1000, index: 0 }]);
    assert!(drill.states[0].choices.is_empty());
    assert_eq!(
        drill.states[0].lookups,
        vec![lookup("燃气", GAS_ENTRY, 0), lookup("燃气泄漏", GAS_ENTRY, 1)],
        "read is read: both stay as they happened"
    );
    assert!(!drill.can_undo());

    // Played on: the replayed log agrees, and the slot finishes with them.
    bench.run(&mut drill, &mut log, &route.iter().map(|&o| pick(o)).collect::<Vec<_>>());
    bench.run(&mut drill, &mut log, &[Event::FinishSlot { disc_guess: None, outcome: None }]);
    assert_eq!(drill.states[0].lookups.len(), 2);
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);
}

#[test]
fn the_class_looks_up_for_its_attempt_while_a_tie_waits_and_a_responders_lookups_are_theirs() {
    let bench = Bench::new();
    let (mut drill, mut log) = (Drill::new(plan(Mode::ClassVote, 4)).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let options = drill.encounter(0, &bench.scripts).unwrap().unwrap().prompt().unwrap().options.len();
    let mut counts = vec![0; options];
    counts[0] = 2;
    counts[options - 1] = 2;
    bench.run(&mut drill, &mut log, &[Event::Votes { counts }]);
    assert!(matches!(drill.phase, Phase::TieBreak { .. }));
    let effects = bench.run(&mut drill, &mut log, &[look("燃气", GAS_ENTRY)]);
    assert_eq!(recorded(&effects), vec![(1000, lookup("燃气", GAS_ENTRY, 0))], "the class's attempt");
    assert!(matches!(drill.phase, Phase::TieBreak { .. }), "the tie still waits");
    // Undo takes back the tie's counts, passing over the lookup.
    bench.run(&mut drill, &mut log, &[Event::Undo]);
    assert_eq!((drill.phase.clone(), drill.states[0].pending_counts.clone()), (Phase::Playing { slot: 0 }, None));
    assert_eq!(drill.states[0].lookups.len(), 1);
    assert_eq!(Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap(), drill);

    // Role-play: the responder's attempt, after the cue card's moves.
    let (mut drill, mut log) = (Drill::new(plan(Mode::RolePlay, 3)).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot, Event::CueNext { closest: 0 }]);
    let effects = bench.run(&mut drill, &mut log, &[look("燃气", GAS_ENTRY)]);
    assert_eq!(recorded(&effects), vec![(1000, lookup("燃气", GAS_ENTRY, 1))]);
    assert_eq!(drill.slots[0].player, Some(0), "slot 0's attempt is the responder's");
}
