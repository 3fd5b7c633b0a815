//! The operator's desk in a hotline call: the work-order panel beside the
//! conversation (keys, bad input explained in place, handing in), the
//! knowledge search (pinyin initials, opening an entry records a lookup),
//! and the debrief's field-by-field order, at 1280×720 and 1920×1080.

use super::harness;
use bevy_egui::egui;
use counterpart::app::run::{self, Run, Words};
use counterpart::app::screens::debrief::debrief_vm;
use counterpart::app::screens::encounter::{apply_desk, desk_vm, encounter_vm};
use counterpart::app::settings::Records;
use counterpart::app::views::debrief::debrief_view;
use counterpart::app::views::encounter::{EncounterAction, encounter_view_with_desk};
use counterpart::app::views::workorder::DeskAction;
use counterpart_core::library::knowledge::Desk;
use counterpart_core::library::load::load_file;
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::scenario::model::{Lang, RequestType, Text, Urgency};
use counterpart_core::workorder::{FieldName, Verdict, WorkOrder};
use egui_kittest::kittest::Queryable;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const WATER: &str = "scenarios/hotline-water-outage.ron";

fn water() -> Arc<Script> {
    load_file(Path::new(WATER)).script().expect("the worked example loads").clone()
}

fn run_at_start() -> Run {
    let mut run = Run::new(PathBuf::from(WATER), Encounter::new(water(), 7), 0.0, None, None);
    run.at_hand = Arc::new(Desk::for_file(Path::new(WATER)));
    run
}

fn option(script: &Script, turn: &str, id: &str) -> usize {
    let t = script.scenario.turns.iter().find(|t| t.id == turn).unwrap();
    t.options.iter().position(|o| o.id == id).unwrap()
}

/// The brisk good call of the main persona, to its end.
fn run_at_end() -> Run {
    let script = water();
    let route: Vec<usize> = [
        ("open", "own_brief"),
        ("details", "confirm_brief"),
        ("cause", "order_brief"),
        ("buck_passing", "joint_brief"),
        ("mother", "water_brief"),
        ("time", "limit_brief"),
        ("close", "sms_brief"),
    ]
    .iter()
    .map(|(t, o)| option(&script, t, o))
    .collect();
    let mut run = Run::new(PathBuf::from(WATER), Encounter::play_route_as(script, 7, 0, &route).unwrap(), 0.0, None, None);
    run.at_hand = Arc::new(Desk::for_file(Path::new(WATER)));
    assert!(run.encounter.is_over());
    run
}

/// What the screen holds: the run, the records (none: nothing is saved in
/// a view test) and the segmenter.
struct Screen {
    run: Run,
    records: Records,
    words: Words,
}

#[derive(Debug, Clone, PartialEq)]
enum Did {
    Encounter(EncounterAction),
    Desk(DeskAction),
}

/// The encounter screen's frame: view models built, the view drawn, desk
/// actions applied to the run as `screens::encounter` does.
fn frame(ui: &mut egui::Ui, s: &mut Screen) -> Option<Did> {
    let vm = encounter_vm(&s.run, Lang::En, 3.0);
    let mut desk = desk_vm(&s.run, Lang::En, s.words.get());
    let (action, desk_action) = encounter_view_with_desk(ui, &vm, desk.as_mut());
    if let (Some(a), Some(desk)) = (desk_action.clone(), &desk) {
        apply_desk(&mut s.run, &s.records, desk, a);
    }
    desk_action.map(Did::Desk).or(action.map(Did::Encounter))
}

fn screen(run: Run) -> Screen {
    Screen { run, records: Records::unavailable(Text::new("view test", "view test")), words: Words::default() }
}

const SIZES: [(f32, f32); 2] = [(1280.0, 720.0), (1920.0, 1080.0)];

#[test]
fn the_order_sits_beside_the_call_at_both_sizes_with_every_field() {
    for (w, h) in SIZES {
        let h = harness(screen(run_at_start()), egui::vec2(w, h), frame);
        let screen = h.ctx.content_rect();
        let tab = h.get_by_label("Work order (F3)").rect();
        let name = h.get_by_label("Caller's name").rect();
        assert!(screen.contains_rect(tab) && screen.contains_rect(name), "{w}: {tab:?} {name:?} in {screen:?}");
        // The conversation is still there, left of the desk, with its answers.
        let options = h.get_by_label_contains("Your answer").rect();
        assert!(options.right() <= name.left() + 1.0 || options.bottom() > name.bottom(), "{w}: answers beside or below the desk");
        for label in ["Contact number", "Address", "Request type", "Category", "Content", "Urgency", "Confidential", "Callback needed", "Handling unit", "Time limit"] {
            h.get_by_label(label);
        }
        for choice in ["Enquiry", "Request for help", "Complaint", "Report of wrongdoing", "Suggestion", "Praise", "Normal", "Urgent", "Critical", "Urban and rural construction"] {
            h.get_by_label(choice);
        }
        h.get_by_label("Hand in the order (Ctrl+Enter)");
    }
}

#[test]
fn f3_goes_to_the_order_and_typing_there_never_answers_the_caller() {
    let mut h = harness(screen(run_at_start()), egui::vec2(1280.0, 720.0), frame);
    h.key_press(egui::Key::F3);
    h.run();
    h.get_by_label("Caller's name");
    // Typing "2" in the name field is text, not the second answer.
    h.event(egui::Event::Text("周先生2".into()));
    h.run();
    assert_eq!(h.state().vm.run.desk.order.caller_name, "周先生2");
    assert!(h.state().vm.run.encounter.steps().is_empty(), "no answer was chosen");
    h.get_by_label_contains("The name has digits in it");
    // Tab to the contact number; an absurd number is explained in place.
    h.key_press(egui::Key::Tab);
    h.run();
    h.event(egui::Event::Text("123".into()));
    h.run();
    assert_eq!(h.state().vm.run.desk.order.contact, "123");
    h.get_by_label_contains("This number has 3 digits");
}

#[test]
fn bad_input_is_explained_in_place_and_kept_as_typed() {
    let mut run = run_at_start();
    run.desk.order = WorkOrder {
        caller_name: "周\u{0007}先生".into(),
        address: "幸福里".repeat(80),
        content: "停水".repeat(1500),
        ..WorkOrder::default()
    };
    let mut h = harness(screen(run), egui::vec2(1280.0, 720.0), frame);
    h.get_by_label_contains("invisible control characters");
    assert!(h.query_all_by_label_contains("Too long").count() >= 2, "address and content");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run();
    let desk = &h.state().vm.run.desk;
    assert!(desk.submitted());
    assert_eq!(desk.order.caller_name, "周\u{0007}先生", "stored as typed");
    assert_eq!(desk.order.content.chars().count(), 3000);
    h.get_by_label_contains("The order is handed in");
    assert!(h.query_by_label("Hand in the order (Ctrl+Enter)").is_none());
}

#[test]
fn choices_are_made_and_taken_back_with_a_click() {
    let mut h = harness(screen(run_at_start()), egui::vec2(1920.0, 1080.0), frame);
    h.get_by_label("Request for help").click();
    h.run();
    h.get_by_label("Urban and rural construction").click();
    h.run();
    h.get_by_label("Water supply").click();
    h.run();
    h.get_by_label("Urgent").click();
    h.run();
    let order = &h.state().vm.run.desk.order;
    assert_eq!((order.request_type, order.category.as_deref(), order.urgency), (Some(RequestType::Help), Some("urban-water"), Some(Urgency::Urgent)));
    h.get_by_label("Urgent").click();
    h.run();
    assert_eq!(h.state().vm.run.desk.order.urgency, None, "a second click takes the choice back");
}

#[test]
fn f4_searches_the_knowledge_base_by_pinyin_initials_and_opening_an_entry_is_a_lookup() {
    let mut h = harness(screen(run_at_start()), egui::vec2(1280.0, 720.0), frame);
    h.key_press(egui::Key::F4);
    h.run();
    h.event(egui::Event::Text("gjj".into()));
    h.run();
    h.get_by_label_contains("Withdrawing the housing provident fund");
    h.key_press(egui::Key::Enter);
    h.run();
    let desk = &h.state().vm.run.desk;
    assert_eq!(desk.lookups.iter().map(|l| (l.query.as_str(), l.entry.as_str())).collect::<Vec<_>>(), vec![("gjj", "provident-fund-rent-withdrawal")]);
    h.get_by_label("Materials");
    h.get_by_label("Close").click();
    h.run();
    assert!(h.state().vm.run.desk.open.is_none());
    assert!(h.state().vm.run.encounter.steps().is_empty(), "typing gjj answered nothing");
}

#[test]
fn after_the_call_the_guess_offers_to_hand_the_order_in_and_the_debrief_shows_it_field_by_field() {
    let mut run = run_at_end();
    run.desk.order = WorkOrder {
        caller_name: "周先生".into(),
        address: "幸福里".into(),
        request_type: Some(RequestType::Enquiry),
        category: Some("urban-water".into()),
        content: "幸福里停水".into(),
        handling_unit: "物业".into(),
        ..WorkOrder::default()
    };
    run.disc_guess = Some(counterpart_core::scenario::model::DiscStyle::D);
    let mut h = harness(screen(run), egui::vec2(1280.0, 720.0), frame);
    h.get_by_label_contains("The call has ended");
    h.get_by_label("Hand in the order and see the debrief (Enter)");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().actions.contains(&Did::Encounter(EncounterAction::ConfirmGuess)));

    let mut s = h.into_state().vm;
    let plain = s.run.encounter.score();
    assert!(run::finish(&mut s.run, &s.records, &s.words));
    let report = s.run.desk.report.as_ref().expect("scored");
    assert_eq!(report.field(FieldName::RequestType).unwrap().verdict, Verdict::Wrong);
    assert!(s.run.card().overall < plain.overall, "the order's caps lower the score");
    for (w, hgt) in SIZES {
        let vm = debrief_vm(&s.run, Lang::En, false);
        assert_eq!(vm.overall, s.run.card().overall);
        let h = harness(vm, egui::vec2(w, hgt), |ui, vm| debrief_view(ui, vm));
        h.get_by_label("The work order, field by field");
        for heading in ["You wrote", "The call said", "Why it matters"] {
            h.get_by_label(heading);
        }
        h.get_by_label_contains("commonest quality-check fault");
        assert!(h.query_all_by_label("× Wrong").count() >= 2, "type and handling unit");
        h.get_by_label_contains("P4 ≤ 1");
        h.get_by_label("The knowledge this case needed");
        h.get_by_label("Not looked up during the call");
    }
}

#[test]
fn the_debrief_in_chinese_renders_the_order() {
    let mut s = screen(run_at_end());
    s.run.desk.order = WorkOrder { caller_name: "周先生".into(), ..WorkOrder::default() };
    assert!(run::finish(&mut s.run, &s.records, &s.words));
    let h = harness(debrief_vm(&s.run, Lang::Zh, false), egui::vec2(1920.0, 1080.0), |ui, vm| debrief_view(ui, vm));
    h.get_by_label("工单逐栏对照");
    h.get_by_label("你写的");
    assert!(h.query_all_by_label("× 漏填").count() >= 3);
}
