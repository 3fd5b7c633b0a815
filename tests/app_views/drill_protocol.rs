//! Risk protocols in drills: the strip under the hot seat's call and the
//! class vote, its actions sent as drill events through the store (so a
//! resumed drill shows them taken), and the debriefs saying how they went
//! — a slot that missed the required handover fails as a solo attempt does.

use super::{Probe, harness};
use bevy_egui::egui;
use counterpart::app::screens::drill::{protocol_lines, protocol_strip, slot_debrief};
use counterpart::app::views::debrief::debrief_view;
use counterpart::app::views::drill::{VoteDebriefAction, VotePapersVm, vote_debrief_with_papers};
use counterpart::app::views::protocol::{ProtocolVm, protocol_panel};
use counterpart_core::analysis::analyze::{Objective, analyze_persona};
use counterpart_core::drill::{Drill, Event, Member, Mode, Phase, Plan, Rotation};
use counterpart_core::library::Library;
use counterpart_core::library::load::load_file;
use counterpart_core::play::engine::Script;
use counterpart_core::records::store::Store;
use counterpart_core::scenario::model::{Lang, RedFlag};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::Path;
use std::sync::Arc;

const GAS: &str = "scenarios/hotline-gas-smell.ron";

fn gas() -> Arc<Script> {
    load_file(Path::new(GAS)).script().expect("the gas-leak scenario loads").clone()
}

fn best_for(script: &Script, drill: &Drill, slot: usize) -> Vec<usize> {
    let persona = script.persona_for_seed(drill.states[slot].seed);
    analyze_persona(script, persona).unwrap().best(Objective::Overall).unwrap().route.clone()
}

fn strip_of(drill: &Drill, scripts: &Library, lang: Lang) -> Option<ProtocolVm> {
    let slot = match drill.phase {
        Phase::Ready { slot } | Phase::Playing { slot } | Phase::TieBreak { slot, .. } | Phase::Ended { slot } => slot,
        _ => return None,
    };
    protocol_strip(drill, drill.encounter(slot, scripts).unwrap().as_ref(), lang)
}

/// The strip as drawn at the bottom of a 1280×720 projector.
fn strip(vm: ProtocolVm) -> Harness<'static, Probe<ProtocolVm, String>> {
    harness(vm, egui::vec2(1280.0, 720.0), |ui, vm: &mut ProtocolVm| {
        egui::Panel::bottom("drill-protocol").show(ui, |ui| protocol_panel(ui, vm)).inner
    })
}

#[test]
fn the_hot_seat_takes_protocol_actions_from_the_strip_keeps_them_on_resume_and_a_missed_one_fails_the_slot() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("records.sqlite3");
    let script = gas();
    let scripts = Library::from_scripts([script.clone()]);
    let store = Store::open(&db).unwrap();
    let plan = Plan {
        title: "风险处置演练".into(),
        mode: Mode::HotSeat,
        scenarios: vec![script.scenario.id.clone()],
        roster: vec![Member::typed("李明"), Member::typed("王芳")],
        group: None,
        rotation: Rotation::Same,
        rounds: 1,
        seed: 11,
    };
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    assert!(strip_of(&drill, &scripts, Lang::Zh).is_none(), "no strip between slots");
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();

    // 李明 hands over to the gas line by click and to 119 by Alt+2.
    let vm = strip_of(&drill, &scripts, Lang::Zh).expect("a hotline slot in play has the strip");
    assert!(vm.actions.iter().all(|a| !a.taken));
    let mut h = strip(vm);
    h.get_by_label("转燃气抢修").click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Num2);
    h.run();
    assert_eq!(h.state().actions, vec!["handover-gas".to_string(), "handover-119".to_string()]);
    for action in h.state().actions.clone() {
        store.apply_drill_event(id, &mut drill, &Event::Protocol { action }, &scripts).unwrap();
    }
    drop(h);
    drop(store);

    // Reopened as after a crash: the strip shows them taken.
    let store = Store::open(&db).unwrap();
    let mut drill = store.load_drill(id, &scripts).unwrap();
    let mut h = strip(strip_of(&drill, &scripts, Lang::En).unwrap());
    h.get_by_label("√ Gas line");
    h.get_by_label("√ 119");
    h.get_by_label("√ 119").click();
    h.run();
    assert!(h.state().actions.is_empty(), "an action taken is not taken twice");

    let route = best_for(&script, &drill, 0);
    store.apply_drill_event(id, &mut drill, &Event::Choose { option: route[0], response_secs: None }, &scripts).unwrap();
    for action in ["report-shift-lead", "mark-critical"] {
        store.apply_drill_event(id, &mut drill, &Event::Protocol { action: action.into() }, &scripts).unwrap();
    }
    for &option in &route[1..] {
        store.apply_drill_event(id, &mut drill, &Event::Choose { option, response_secs: None }, &scripts).unwrap();
    }
    assert!(strip_of(&drill, &scripts, Lang::Zh).is_none(), "the call is over: no more actions");
    store.apply_drill_event(id, &mut drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
    let record = store.attempt(drill.states[0].attempt.unwrap()).unwrap();
    assert_eq!(record.steps[0].step.actions, ["handover-gas", "handover-119"], "stored with the step, as a solo attempt's");
    assert!(!record.result.unwrap().card.red_flags.contains(&RedFlag::MissedProtocol));
    let vm = slot_debrief(&drill, &scripts, 0, Lang::Zh).unwrap();
    assert!(vm.notes.iter().any(|n| n.starts_with("风险处置：转燃气抢修热线") && n.contains("已及时处置")), "{:?}", vm.notes);
    assert!(vm.notes.iter().all(|n| !n.starts_with('⚠')), "{:?}", vm.notes);

    // 王芳 answers well but takes no action: the slot fails with its reason.
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    for option in best_for(&script, &drill, 1) {
        store.apply_drill_event(id, &mut drill, &Event::Choose { option, response_secs: None }, &scripts).unwrap();
    }
    store.apply_drill_event(id, &mut drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
    let vm = slot_debrief(&drill, &scripts, 1, Lang::Zh).unwrap();
    assert!(!vm.passed);
    let h = harness(vm, egui::vec2(1280.0, 2400.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label_contains("风险处置缺项");
    h.get_by_label_contains("⚠ 风险处置：转燃气抢修热线（三方通话） — 未处置");
}

#[test]
fn the_class_vote_has_the_strip_while_it_votes_and_its_debrief_says_how_the_protocol_went() {
    let dir = tempfile::tempdir().unwrap();
    let script = gas();
    let scripts = Library::from_scripts([script.clone()]);
    let store = Store::open(&dir.path().join("records.sqlite3")).unwrap();
    let plan = Plan {
        title: "三班".into(),
        mode: Mode::ClassVote,
        scenarios: vec![script.scenario.id.clone()],
        roster: vec![Member::typed("李明"), Member::typed("王芳"), Member::typed("张伟")],
        group: Some(Member::typed("三班")),
        rotation: Rotation::Same,
        rounds: 1,
        seed: 5,
    };
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    let route = best_for(&script, &drill, 0);
    // A tie waiting for the trainer still takes actions.
    let options = drill.encounter(0, &scripts).unwrap().unwrap().prompt().unwrap().options.len();
    let mut counts = vec![0; options];
    counts[0] = 1;
    counts[options - 1] = 1;
    store.apply_drill_event(id, &mut drill, &Event::Votes { counts }, &scripts).unwrap();
    assert!(matches!(drill.phase, Phase::TieBreak { .. }));
    assert!(strip_of(&drill, &scripts, Lang::Zh).is_some(), "the strip stays while a tie waits");
    store.apply_drill_event(id, &mut drill, &Event::Protocol { action: "handover-gas".into() }, &scripts).unwrap();
    store.apply_drill_event(id, &mut drill, &Event::Majority { option: route[0] }, &scripts).unwrap();
    for &option in &route[1..] {
        store.apply_drill_event(id, &mut drill, &Event::Majority { option }, &scripts).unwrap();
    }
    assert!(matches!(drill.phase, Phase::Ended { .. }));

    for lang in [Lang::Zh, Lang::En] {
        let papers = VotePapersVm { pending: true, protocol: protocol_lines(&drill, &scripts, 0, lang), ..VotePapersVm::default() };
        assert!(papers.protocol.iter().any(|n| n.starts_with('⚠')), "119 was not joined: {:?}", papers.protocol);
        let turns = drill.vote_debrief(0, &scripts).unwrap();
        let mut h = harness((turns, papers), egui::vec2(1280.0, 720.0), move |ui, (turns, papers): &mut (Vec<_>, VotePapersVm)| {
            egui::CentralPanel::default().show(ui, |ui| vote_debrief_with_papers(ui, lang, turns, papers, None)).inner.0
        });
        let (done, missed) = match lang {
            Lang::Zh => ("风险处置：转燃气抢修热线（三方通话） — 已及时处置", "⚠ 风险处置：转119（三方通话） — 未处置"),
            Lang::En => ("Risk protocol: Hand over to the gas emergency line (three-way call) — Done in time", "⚠ Risk protocol: Hand over to 119, fire and rescue (three-way call) — Not done"),
        };
        h.get_by_label_contains(done);
        h.get_by_label_contains(missed);
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(h.state().actions, vec![VoteDebriefAction::HandIn]);
    }
}
