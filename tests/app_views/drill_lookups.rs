//! Knowledge lookups in drills: an entry opened on the desk beside the
//! call is sent to the drill as a lookup, stored with the slot's attempt;
//! a resumed drill's desk has it (the last entry open again), and the
//! member's and the class's debriefs mark the entries the call needed as
//! looked up or not, as a solo debrief does.

use super::harness;
use bevy_egui::egui;
use counterpart::app::run::{Run, Words};
use counterpart::app::screens::drill::{lookup_event, slot_debrief, slot_debrief_at, slot_desk, vote_papers};
use counterpart::app::screens::encounter::desk_vm;
use counterpart::app::views::debrief::debrief_view;
use counterpart::app::views::drill::{VotePapersVm, vote_debrief_with_papers};
use counterpart::app::views::workorder::{DeskAction, DeskTab, DeskVm, desk_view};
use counterpart_core::analysis::analyze::{Objective, analyze_persona};
use counterpart_core::drill::{AtHand, Drill, Event, Member, Mode, Phase, Plan, Rotation};
use counterpart_core::library::Library;
use counterpart_core::library::knowledge::Desk;
use counterpart_core::library::load::load_file;
use counterpart_core::play::engine::Script;
use counterpart_core::records::store::Store;
use counterpart_core::scenario::model::Lang;
use egui_kittest::kittest::Queryable;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const WATER: &str = "scenarios/hotline-water-outage.ron";
/// The entry the water outage needs (its work order's knowledge).
const ENTRY: &str = "water-outage-repair";

fn water() -> Arc<Script> {
    load_file(Path::new(WATER)).script().expect("the worked example loads").clone()
}

fn desks(script: &Script) -> HashMap<String, Arc<Desk>> {
    [(script.scenario.id.clone(), Arc::new(Desk::for_file(Path::new(WATER))))].into()
}

fn plan(mode: Mode) -> Plan {
    Plan {
        title: "周三热线班".into(),
        mode,
        scenarios: vec!["hotline-water-outage".into()],
        roster: vec![Member::typed("李明"), Member::typed("王芳")],
        group: (mode == Mode::ClassVote).then(|| Member::typed("三班")),
        rotation: Rotation::Same,
        rounds: 1,
        seed: 11,
    }
}

/// The best route for the persona the slot's seed picks.
fn best_for(script: &Script, drill: &Drill, slot: usize) -> Vec<usize> {
    let persona = script.persona_for_seed(drill.states[slot].seed);
    analyze_persona(script, persona).unwrap().best(Objective::Overall).unwrap().route.clone()
}

/// The slot's desk as the drill screen builds it: the slot's encounter in
/// a frame-only run with the folder's desk and the slot's desk as the
/// drill holds it, on the knowledge tab, `query` typed if given.
fn desk_of(drill: &Drill, scripts: &Library, slot: usize, query: Option<&str>, lang: Lang, words: &Words) -> DeskVm {
    let encounter = drill.encounter(slot, scripts).unwrap().unwrap();
    let mut run = Run::new(PathBuf::from(WATER), encounter, 0.0, None, None);
    run.at_hand = Arc::new(Desk::for_file(Path::new(WATER)));
    run.desk = slot_desk(drill, slot);
    run.desk.tab = DeskTab::Knowledge;
    if let Some(query) = query {
        run.desk.query = query.to_string();
    }
    desk_vm(&run, lang, words.get()).expect("the water outage has a desk")
}

#[test]
fn an_entry_opened_in_the_hot_seat_is_stored_with_the_members_attempt_back_on_resume_and_marked_in_their_debrief() {
    let words = Words::default();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("records.sqlite3");
    let script = water();
    let scripts = Library::from_scripts([script.clone()]);
    let desks = desks(&script);
    let at_hand = AtHand::new(&desks, words.get());
    let store = Store::open(&db).unwrap();
    let (id, mut drill) = store.create_drill(&plan(Mode::HotSeat)).unwrap();
    store.apply_drill_event_at(id, &mut drill, &Event::StartSlot, &scripts, at_hand).unwrap();
    let attempt = drill.states[0].attempt.unwrap();

    // 李明 searches and clicks the entry: the desk says Open, which the
    // drill screen sends as a lookup; typing in the box is none.
    let vm = desk_of(&drill, &scripts, 0, Some("停水"), Lang::Zh, &words);
    let hit = vm.knowledge.hits.iter().find(|h| h.id == ENTRY).expect("停水 finds the water outage entry").clone();
    assert_eq!(lookup_event(&DeskAction::Searched, &vm), None);
    let mut h = harness(vm, egui::vec2(1280.0, 720.0), |ui, vm: &mut DeskVm| desk_view(ui, vm));
    h.get_by_label(&format!("{} · {}", hit.title, hit.kind)).click();
    h.run();
    assert_eq!(h.state().actions, vec![DeskAction::Open(ENTRY.into())]);
    let event = lookup_event(&h.state().actions[0], &h.state().vm).expect("opening an entry is a lookup");
    assert_eq!(event, Event::Lookup { query: "停水".into(), entry: ENTRY.into() });
    store.apply_drill_event_at(id, &mut drill, &event, &scripts, at_hand).unwrap();
    let stored = store.attempt(attempt).unwrap().lookups;
    assert_eq!(stored.iter().map(|l| (l.query.as_str(), l.entry.as_str(), l.after_step)).collect::<Vec<_>>(), [("停水", ENTRY, 0)], "in 李明's own attempt");
    drop(h);
    drop(store);

    // Reopened as after a crash: the desk has the lookup, the entry open again.
    let store = Store::open(&db).unwrap();
    let mut drill = store.load_drill_at(id, &scripts, at_hand).unwrap();
    let desk = slot_desk(&drill, 0);
    assert_eq!((desk.open.as_deref(), desk.query.as_str(), desk.lookups.len()), (Some(ENTRY), "停水", 1));
    let vm = desk_of(&drill, &scripts, 0, None, Lang::En, &words);
    let title = vm.knowledge.open.as_ref().expect("the last entry opened is shown again").title.clone();
    let h = harness(vm, egui::vec2(1280.0, 720.0), |ui, vm: &mut DeskVm| desk_view(ui, vm));
    h.get_by_label(&title);
    drop(h);

    for option in best_for(&script, &drill, 0) {
        store.apply_drill_event_at(id, &mut drill, &Event::Choose { option, response_secs: Some(3.0) }, &scripts, at_hand).unwrap();
    }
    store.apply_drill_event_at(id, &mut drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts, at_hand).unwrap();
    assert_eq!(store.attempt(attempt).unwrap().lookups.len(), 1, "kept with the finished attempt");
    assert!(slot_debrief(&drill, &scripts, 0, Lang::Zh).unwrap().knowledge.is_empty(), "without the folder's desk nothing to list");
    for (lang, looked) in [(Lang::Zh, "√ 通话中查过"), (Lang::En, "√ Looked up during the call")] {
        let vm = slot_debrief_at(&drill, &scripts, at_hand, 0, lang).unwrap();
        assert_eq!(vm.knowledge.iter().map(|(e, opened)| (e.id.as_str(), *opened)).collect::<Vec<_>>(), [(ENTRY, true)]);
        let h = harness(vm, egui::vec2(1280.0, 4000.0), |ui, vm: &mut _| debrief_view(ui, vm));
        h.get_by_label(looked);
    }

    // 王芳 looks nothing up: her debrief says so.
    store.apply_drill_event_at(id, &mut drill, &Event::StartSlot, &scripts, at_hand).unwrap();
    for option in best_for(&script, &drill, 1) {
        store.apply_drill_event_at(id, &mut drill, &Event::Choose { option, response_secs: Some(3.0) }, &scripts, at_hand).unwrap();
    }
    store.apply_drill_event_at(id, &mut drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts, at_hand).unwrap();
    let vm = slot_debrief_at(&drill, &scripts, at_hand, 1, Lang::En).unwrap();
    assert_eq!(vm.knowledge.iter().map(|(_, opened)| *opened).collect::<Vec<_>>(), [false]);
    let h = harness(vm, egui::vec2(1280.0, 4000.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label("Not looked up during the call");
}

#[test]
fn the_class_votes_debrief_marks_the_entry_the_trainer_opened_for_the_class() {
    let words = Words::default();
    let dir = tempfile::tempdir().unwrap();
    let script = water();
    let scripts = Library::from_scripts([script.clone()]);
    let desks = desks(&script);
    let at_hand = AtHand::new(&desks, words.get());
    let store = Store::open(&dir.path().join("records.sqlite3")).unwrap();
    let (id, mut drill) = store.create_drill(&plan(Mode::ClassVote)).unwrap();
    store.apply_drill_event_at(id, &mut drill, &Event::StartSlot, &scripts, at_hand).unwrap();
    let route = best_for(&script, &drill, 0);
    store.apply_drill_event_at(id, &mut drill, &Event::Majority { option: route[0] }, &scripts, at_hand).unwrap();
    store.apply_drill_event_at(id, &mut drill, &Event::Lookup { query: "ts".into(), entry: ENTRY.into() }, &scripts, at_hand).unwrap();
    for &option in &route[1..] {
        store.apply_drill_event_at(id, &mut drill, &Event::Majority { option }, &scripts, at_hand).unwrap();
    }
    assert!(matches!(drill.phase, Phase::Ended { .. }));
    store.apply_drill_event_at(id, &mut drill, &Event::SubmitOrder, &scripts, at_hand).unwrap();
    let record = store.attempt(drill.states[0].attempt.unwrap()).unwrap();
    assert_eq!(record.lookups.iter().map(|l| (l.entry.as_str(), l.after_step)).collect::<Vec<_>>(), [(ENTRY, 1)], "in the class's attempt");

    let turns = drill.vote_debrief(0, &scripts).unwrap();
    for (lang, looked) in [(Lang::Zh, "√ 通话中查过"), (Lang::En, "√ Looked up during the call")] {
        let papers = vote_papers(&drill, &scripts, at_hand, 0, lang);
        assert_eq!(papers.knowledge.iter().map(|(e, opened)| (e.id.as_str(), *opened)).collect::<Vec<_>>(), [(ENTRY, true)]);
        let h = harness((turns.clone(), papers), egui::vec2(1280.0, 4000.0), move |ui, (turns, papers): &mut (Vec<_>, VotePapersVm)| {
            egui::CentralPanel::default().show(ui, |ui| vote_debrief_with_papers(ui, lang, turns, papers, None)).inner.0
        });
        h.get_by_label(looked);
    }
}
