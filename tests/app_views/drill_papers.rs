//! The work order in drills: the class's one order beside the class vote
//! and in its debrief ("you wrote / the call said"), the hot seat member's
//! own order in their debrief, and the role-play observers' ticks beside
//! the truth; at 1280×720 and 1920×1080, in Chinese and English.

use super::Probe;
use bevy_egui::egui;
use counterpart::app::run::{Run, Words};
use counterpart::app::screens::drill::{slot_debrief, vote_papers};
use counterpart::app::screens::encounter::desk_vm;
use counterpart::app::views::debrief::debrief_view;
use counterpart::app::views::drill::{AgreementVm, RolePlayAction, VoteAction, VoteDebriefAction, VotePapersVm, VoteVm, agreement_view, vote_debrief_with_papers, vote_with_desk};
use counterpart::app::views::workorder::{DeskAction, DeskVm};
use counterpart_core::drill::{AtHand, Drill, Event, FieldTicks, Member, Mode, Phase, Plan, Rotation};
use counterpart_core::knowledge::Segmenter;
use counterpart_core::library::Library;
use counterpart_core::library::knowledge::Desk;
use counterpart_core::library::load::load_file;
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::records::store::Store;
use counterpart_core::scenario::model::{Lang, RequestType, Text, Urgency};
use counterpart_core::workorder::{FieldName, WorkOrder};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const WATER: &str = "scenarios/hotline-water-outage.ron";
const SIZES: [egui::Vec2; 2] = [egui::vec2(1280.0, 720.0), egui::vec2(1920.0, 1080.0)];

fn water() -> Arc<Script> {
    load_file(Path::new(WATER)).script().expect("the worked example loads").clone()
}

fn desks(script: &Script) -> HashMap<String, Arc<Desk>> {
    [(script.scenario.id.clone(), Arc::new(Desk::for_file(Path::new(WATER))))].into()
}

pub(super) fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

/// A harness with the app's fonts, so Chinese lays out as on screen.
fn screen<'a, V: 'a, A: 'a>(vm: V, size: egui::Vec2, mut view: impl FnMut(&mut egui::Ui, &mut V) -> Option<A> + 'a) -> Harness<'a, Probe<V, A>> {
    let mut h = Harness::builder().with_size(size).build_ui_state(
        move |ui, probe: &mut Probe<V, A>| {
            if let Some(action) = view(ui, &mut probe.vm) {
                probe.actions.push(action);
            }
        },
        Probe { vm, actions: Vec::new() },
    );
    h.ctx.set_fonts(counterpart::app::fonts::font_definitions(true));
    h.run();
    h.run();
    h
}

/// Nothing that can be clicked runs off the side of the screen.
fn assert_within_width<V, A>(h: &Harness<'_, Probe<V, A>>, case: &str) {
    use egui::accesskit::Role;
    let screen = h.ctx.content_rect();
    for role in [Role::Button, Role::SpinButton, Role::TextInput, Role::MultilineTextInput] {
        for node in h.query_all_by_role(role) {
            let r = node.rect();
            assert!(r.min.x >= screen.min.x - 0.5 && r.max.x <= screen.max.x + 0.5, "{case}: {role:?} {r:?} runs off the side of {screen:?}");
        }
    }
}

/// What a class writes for the water outage when it is in a hurry.
pub(super) fn hurried_order() -> WorkOrder {
    WorkOrder {
        caller_name: "周先生".into(),
        address: "幸福里".into(),
        request_type: Some(RequestType::Enquiry),
        content: "停水了".into(),
        urgency: Some(Urgency::Normal),
        handling_unit: "物业公司".into(),
        ..WorkOrder::default()
    }
}

fn vote_vm(encounter: &Encounter, lang: Lang) -> VoteVm {
    let prompt = encounter.prompt().unwrap();
    VoteVm {
        lang,
        header: t(lang, "第 1/1 场：全班一起应对《停水第二天》", "Turn 1/1: the class faces “Day two without water”").into(),
        citizen: encounter.scenario().citizen.name.get(lang).into(),
        said: prompt.said.get(lang).into(),
        mood: String::new(),
        options: prompt.shown().map(|(_, o)| o.text.get(lang).to_string()).collect(),
        counts: vec![0; prompt.options.len()],
        tied: None,
        present: Some(4),
        can_undo: false,
        error: None,
    }
}

/// The class's desk as the drill screen builds it: a run of the slot's
/// encounter with the scenario folder's desk.
fn class_desk(encounter: Encounter, order: WorkOrder, lang: Lang, words: &Words) -> DeskVm {
    let mut run = Run::new(PathBuf::from(WATER), encounter, 0.0, None, None);
    run.at_hand = Arc::new(Desk::for_file(Path::new(WATER)));
    run.desk.order = order;
    desk_vm(&run, lang, words.get()).expect("the water outage asks for a work order")
}

#[test]
fn the_class_fills_its_one_order_beside_the_vote_on_both_projectors() {
    let words = Words::default();
    let encounter = Encounter::new(water(), 7);
    for size in SIZES {
        for lang in [Lang::Zh, Lang::En] {
            let case = format!("class vote with order at {}x{} {lang:?}", size.x, size.y);
            let vm = (vote_vm(&encounter, lang), class_desk(encounter.clone(), WorkOrder::default(), lang, &words));
            let mut h = screen(vm, size, |ui, (vote, desk): &mut (VoteVm, DeskVm)| {
                let (a, d) = egui::CentralPanel::default().show(ui, |ui| vote_with_desk(ui, vote, Some(desk))).inner;
                a.map(Ok).or(d.map(Err))
            });
            assert_within_width(&h, &case);
            h.get_by_label(t(lang, "工单 (F3)", "Work order (F3)"));
            h.get_by_label(t(lang, "提交工单 (Ctrl+Enter)", "Hand in the order (Ctrl+Enter)"));
            assert_eq!(h.query_all_by_label(t(lang, "多数", "Majority")).count(), encounter.prompt().unwrap().options.len(), "{case}");
            // The vote and the order side by side: the order is to the right.
            let vote = h.get_by_label_contains(t(lang, "全班一起应对", "the class faces")).rect();
            let order = h.get_by_label(t(lang, "工单 (F3)", "Work order (F3)")).rect();
            assert!(order.min.x > vote.min.x, "{case}: the order {order:?} beside the vote {vote:?}");
            // The trainer types what the class agrees: the order changes in
            // place and the screen is told; digits typed there vote for nothing.
            // The order's first text field is the caller's name.
            h.get_all_by_role(egui::accesskit::Role::TextInput).next().expect("the order's fields").click();
            h.run();
            h.get_all_by_role(egui::accesskit::Role::TextInput).next().unwrap().type_text("周先生2");
            h.run();
            assert_eq!(h.state().vm.1.order.as_ref().unwrap().order.caller_name, "周先生2", "{case}");
            assert!(h.state().actions.iter().all(|a| matches!(a, Err(DeskAction::Edited))), "{case}: {:?}", h.state().actions.iter().map(|a| a.as_ref().ok()).collect::<Vec<Option<&VoteAction>>>());
            assert!(!h.state().actions.is_empty(), "{case}");
        }
    }
}

/// A class vote of the water outage through the store: the class votes the
/// best route, writes `order`, and hands it in after the call.
pub(super) fn class_vote_with_order(dir: &Path, order: WorkOrder) -> (Library, Drill, HashMap<String, Arc<Desk>>) {
    let script = water();
    let scripts = Library::from_scripts([script.clone()]);
    let desks = desks(&script);
    let words = Segmenter::new();
    let at_hand = AtHand::new(&desks, &words);
    let store = Store::open(&dir.join("records.sqlite3")).unwrap();
    let plan = Plan {
        title: "周三热线班".into(),
        mode: Mode::ClassVote,
        scenarios: vec![script.scenario.id.clone()],
        roster: ["李明", "王芳", "张伟", "陈静"].into_iter().map(Member::typed).collect(),
        group: Some(Member::typed("三班")),
        rotation: Rotation::Same,
        rounds: 1,
        seed: 11,
    };
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    let route = counterpart_core::analysis::analyze::analyze(&script).unwrap().best(counterpart_core::analysis::analyze::Objective::Overall).unwrap().route.clone();
    store.apply_drill_event_at(id, &mut drill, &Event::StartSlot, &scripts, at_hand).unwrap();
    for option in route {
        store.apply_drill_event_at(id, &mut drill, &Event::Majority { option }, &scripts, at_hand).unwrap();
    }
    assert!(matches!(drill.phase, Phase::Ended { .. }));
    store.apply_drill_event_at(id, &mut drill, &Event::Order { order }, &scripts, at_hand).unwrap();
    store.apply_drill_event_at(id, &mut drill, &Event::SubmitOrder, &scripts, at_hand).unwrap();
    (scripts, drill, desks)
}

#[test]
fn the_vote_debrief_hands_the_order_in_then_shows_what_the_class_wrote_beside_the_call() {
    let words = Words::default();
    let dir = tempfile::tempdir().unwrap();
    let (scripts, drill, desks) = class_vote_with_order(dir.path(), hurried_order());
    let turns = drill.vote_debrief(0, &scripts).unwrap();
    let encounter = drill.encounter(0, &scripts).unwrap().unwrap();
    for size in SIZES {
        for lang in [Lang::Zh, Lang::En] {
            // Still to hand in: the desk beside, Enter hands it in first.
            let case = format!("vote debrief, order pending, at {}x{} {lang:?}", size.x, size.y);
            let pending = VotePapersVm { pending: true, ..VotePapersVm::default() };
            let vm = (turns.clone(), pending, class_desk(encounter.clone(), hurried_order(), lang, &words));
            let mut h = screen(vm, size, move |ui, (turns, papers, desk): &mut (Vec<_>, VotePapersVm, DeskVm)| {
                egui::CentralPanel::default().show(ui, |ui| vote_debrief_with_papers(ui, lang, turns, papers, Some(desk))).inner.0
            });
            assert_within_width(&h, &case);
            h.get_by_label(t(lang, "提交全班的工单，逐栏对照 (Enter)", "Hand in the class's order and compare (Enter)"));
            h.get_by_label(t(lang, "提交工单 (Ctrl+Enter)", "Hand in the order (Ctrl+Enter)"));
            assert!(h.query_by_label(t(lang, "记录结果，下一位 (Enter)", "Record and go on (Enter)")).is_none(), "{case}");
            h.key_press(egui::Key::Enter);
            h.run();
            assert_eq!(h.state().actions, vec![VoteDebriefAction::HandIn], "{case}");

            // Handed in: compared field by field above the turns, no desk.
            let case = format!("vote debrief, order compared, at {}x{} {lang:?}", size.x, size.y);
            let papers = vote_papers(&drill, &scripts, AtHand::new(&desks, words.get()), 0, lang);
            assert!(papers.order.is_some() && !papers.pending, "{case}");
            let vm = (turns.clone(), papers);
            let mut h = screen(vm, size, move |ui, (turns, papers): &mut (Vec<_>, VotePapersVm)| {
                egui::CentralPanel::default().show(ui, |ui| vote_debrief_with_papers(ui, lang, turns, papers, None)).inner.0
            });
            assert_within_width(&h, &case);
            h.get_by_label(t(lang, "工单逐栏对照", "The work order, field by field"));
            h.get_by_label(t(lang, "你写的", "You wrote"));
            h.get_by_label(t(lang, "来电说的", "The call said"));
            // The class's wrong unit beside the right one.
            h.get_by_label("物业公司");
            h.get_by_label(t(lang, "市供水公司", "City Water Supply Company"));
            assert!(h.query_all_by_label_contains(t(lang, "× 错误", "× Wrong")).count() >= 2, "{case}: the type and the unit are wrong");
            assert!(h.query_by_label(t(lang, "提交工单 (Ctrl+Enter)", "Hand in the order (Ctrl+Enter)")).is_none(), "{case}: handed in, the form is gone");
            h.key_press(egui::Key::Enter);
            h.run();
            assert_eq!(h.state().actions, vec![VoteDebriefAction::Finish], "{case}");
        }
    }
}

#[test]
fn a_hot_seat_members_own_order_is_in_their_debrief() {
    let dir = tempfile::tempdir().unwrap();
    let script = water();
    let scripts = Library::from_scripts([script.clone()]);
    let desks = desks(&script);
    let words = Segmenter::new();
    let at_hand = AtHand::new(&desks, &words);
    let store = Store::open(&dir.path().join("records.sqlite3")).unwrap();
    let plan = Plan {
        title: "周三热线班".into(),
        mode: Mode::HotSeat,
        scenarios: vec![script.scenario.id.clone()],
        roster: vec![Member::typed("李明"), Member::typed("王芳")],
        group: None,
        rotation: Rotation::Same,
        rounds: 1,
        seed: 11,
    };
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    let route = counterpart_core::analysis::analyze::analyze(&script).unwrap().best(counterpart_core::analysis::analyze::Objective::Overall).unwrap().route.clone();
    let apply = |drill: &mut Drill, event: Event| store.apply_drill_event_at(id, drill, &event, &scripts, at_hand).unwrap();
    apply(&mut drill, Event::StartSlot);
    apply(&mut drill, Event::Order { order: hurried_order() });
    for option in route {
        apply(&mut drill, Event::Choose { option, response_secs: Some(3.0) });
    }
    apply(&mut drill, Event::FinishSlot { disc_guess: None, outcome: None });
    let attempt = drill.states[0].attempt.unwrap();
    assert_eq!(store.attempt(attempt).unwrap().work_order.unwrap().order, hurried_order(), "李明's own order is in 李明's attempt");
    for size in SIZES {
        for lang in [Lang::Zh, Lang::En] {
            let case = format!("hot seat debrief at {}x{} {lang:?}", size.x, size.y);
            let vm = slot_debrief(&drill, &scripts, 0, lang).unwrap();
            assert!(vm.order.is_some(), "{case}");
            let h = screen(vm, egui::vec2(size.x, 4000.0), |ui, vm: &mut _| debrief_view(ui, vm));
            h.get_by_label(t(lang, "工单逐栏对照", "The work order, field by field"));
            h.get_by_label("物业公司");
            h.get_by_label(t(lang, "市供水公司", "City Water Supply Company"));
        }
    }
}

#[test]
fn observers_tick_order_fields_and_the_comparison_shows_them_beside_the_truth() {
    use counterpart::app::views::drill::{RolePlayVm, role_play_view};
    // The observer sheet: √ ticks, a second click takes it back.
    let mut vm: RolePlayVm = super::drill::role_play(Lang::En);
    vm.order_ticks = Some(FieldName::ALL.iter().map(|&f| (f, (f == FieldName::Address).then_some(true))).collect());
    let mut h = screen(vm, egui::vec2(1920.0, 3000.0), |ui, vm: &mut RolePlayVm| role_play_view(ui, vm));
    h.get_by_label("Work order: which fields did the responder get right?");
    // Fields in order: caller's name first, the address third.
    h.query_all_by_label("√").next().unwrap().click();
    h.run();
    h.query_all_by_label("√").nth(2).unwrap().click();
    h.run();
    h.query_all_by_label("×").nth(3).unwrap().click();
    h.run();
    assert_eq!(
        h.state().actions,
        vec![
            RolePlayAction::OrderTick(FieldName::CallerName, Some(true)),
            RolePlayAction::OrderTick(FieldName::Address, None),
            RolePlayAction::OrderTick(FieldName::RequestType, Some(false)),
        ]
    );

    // The comparison after the slot, on both projectors in both languages.
    let agreement = counterpart_core::drill::RoundAgreement {
        observers: vec![2, 3],
        items: Vec::new(),
        red_flags: Vec::new(),
        kappa_linear: counterpart_core::drill::Kappa::Value(0.5),
        kappa_quadratic: counterpart_core::drill::Kappa::Value(0.6),
    };
    let order = vec![
        FieldTicks { field: FieldName::Address, said: Text::new("幸福里小区3栋", "Block 3, Xingfuli estate"), revealed: true, ticks: vec![Some(true), Some(false)] },
        FieldTicks { field: FieldName::HandlingUnit, said: Text::new("市供水公司", "City Water Supply Company"), revealed: true, ticks: vec![Some(true), Some(true)] },
        FieldTicks { field: FieldName::Contact, said: Text::default(), revealed: false, ticks: vec![None, Some(false)] },
    ];
    for size in SIZES {
        for lang in [Lang::Zh, Lang::En] {
            let case = format!("observers compared at {}x{} {lang:?}", size.x, size.y);
            let vm = AgreementVm { responder: "李明".into(), style: None, observers: vec!["王五".into(), "赵六".into()], agreement: agreement.clone(), order: order.clone(), protocol: Vec::new() };
            let h = screen(vm, size, move |ui, vm: &mut AgreementVm| {
                agreement_view(ui, lang, vm);
                None::<()>
            });
            assert_within_width(&h, &case);
            h.get_by_label(t(lang, "工单栏目：观察员的判断与来电实情对照", "The work order: the observers' ticks beside what the call said"));
            h.get_by_label(t(lang, "幸福里小区3栋", "Block 3, Xingfuli estate"));
            h.get_by_label(t(lang, "（来电没说）", "(not said in this call)"));
            assert_eq!(h.query_all_by_label(t(lang, "分歧，讨论", "split: discuss")).count(), 1, "{case}");
            assert_eq!(h.query_all_by_label(t(lang, "一致", "agree")).count(), 1, "{case}");
            assert_eq!(h.query_all_by_label("√").count(), 3, "{case}");
        }
    }
}
