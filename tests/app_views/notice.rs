//! The counter clerk's one-time notice on the desk: picked from the open
//! knowledge entry with "+", reordered, removed, a note, handed over; bad
//! input said in place; the debrief's "you wrote / the notice needed". At
//! 1280×720 and 1920×1080, 100 % and 200 % text, nothing cut off.

use super::Probe;
use bevy_egui::egui;
use counterpart::app::run::{self, Run, Words};
use counterpart::app::screens::debrief::debrief_vm;
use counterpart::app::screens::encounter::{apply_desk, desk_vm, encounter_vm};
use counterpart::app::settings::Records;
use counterpart::app::views::debrief::{DebriefAction, debrief_view};
use counterpart::app::views::encounter::{EncounterAction, encounter_view_with_desk};
use counterpart::app::views::notice::{NoticeEdit, Part, apply_edit};
use counterpart::app::views::workorder::DeskAction;
use counterpart_core::analysis::analyze::{Objective, analyze_personas};
use counterpart_core::library::knowledge::Desk;
use counterpart_core::library::load::load_file;
use counterpart_core::notice::{MAX_NOTE_CHARS, Notice, Pick, complete_notice};
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::scenario::model::{DiscStyle, Item, Lang, Text};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const LICENCE: &str = "scenarios/counter-business-licence.ron";
const PERMIT: &str = "food-business-permit-application";

fn licence() -> Arc<Script> {
    load_file(Path::new(LICENCE)).script().expect("the counter scenario loads").clone()
}

fn with_desk(encounter: Encounter) -> Run {
    let mut run = Run::new(PathBuf::from(LICENCE), encounter, 0.0, None, None);
    run.at_hand = Arc::new(Desk::for_file(Path::new(LICENCE)));
    run
}

fn run_at_start() -> Run {
    with_desk(Encounter::with_persona(licence(), 7, 0))
}

/// The main persona's best conversation, to its end.
fn run_at_end() -> Run {
    let script = licence();
    let route = analyze_personas(&script).unwrap()[0].best(Objective::Overall).unwrap().route.clone();
    let run = with_desk(Encounter::play_route_as(script, 7, 0, &route).unwrap());
    assert!(run.encounter.is_over());
    run
}

fn model_notice(run: &Run) -> Notice {
    complete_notice(run.encounter.scenario().notice.as_ref().unwrap(), &run.at_hand.base)
}

struct Screen {
    run: Run,
    records: Records,
    words: Words,
    lang: Lang,
}

#[derive(Debug, Clone, PartialEq)]
enum Did {
    Encounter(EncounterAction),
    Desk(DeskAction),
}

fn frame(ui: &mut egui::Ui, s: &mut Screen) -> Option<Did> {
    let vm = encounter_vm(&s.run, s.lang, 3.0);
    let mut desk = desk_vm(&s.run, s.lang, s.words.get());
    let (action, desk_action) = encounter_view_with_desk(ui, &vm, desk.as_mut());
    if let (Some(a), Some(desk)) = (desk_action.clone(), &desk) {
        apply_desk(&mut s.run, &s.records, desk, a);
    }
    desk_action.map(Did::Desk).or(action.map(Did::Encounter))
}

fn screen(run: Run, lang: Lang) -> Screen {
    Screen { run, records: Records::unavailable(Text::new("view test", "view test")), words: Words::default(), lang }
}

/// `view` on a screen of `size` pixels with text at `zoom` (the app's text
/// size setting zooms the whole UI, so 200 % text is half the points).
fn zoomed<'a, V: 'a, A: 'a>(vm: V, size: egui::Vec2, zoom: f32, mut view: impl FnMut(&mut egui::Ui, &mut V) -> Option<A> + 'a) -> Harness<'a, Probe<V, A>> {
    let mut h = Harness::builder().with_size(size / zoom).with_pixels_per_point(zoom).build_ui_state(
        move |ui, probe: &mut Probe<V, A>| {
            if let Some(action) = view(ui, &mut probe.vm) {
                probe.actions.push(action);
            }
        },
        Probe { vm, actions: Vec::new() },
    );
    h.run();
    h
}

const CASES: [(f32, f32, f32); 4] = [(1280.0, 720.0, 1.0), (1280.0, 720.0, 2.0), (1920.0, 1080.0, 1.0), (1920.0, 1080.0, 2.0)];

/// Every node labelled `label` lies inside the screen, left to right.
fn inside<S>(h: &Harness<'_, S>, label: &str, case: &str) {
    let screen = h.ctx.content_rect();
    let mut seen = false;
    for node in h.query_all_by_label(label) {
        let r = node.rect();
        assert!(r.left() >= screen.left() - 0.5 && r.right() <= screen.right() + 0.5, "{case}: “{label}” {r:?} cut off in {screen:?}");
        seen = true;
    }
    assert!(seen, "{case}: “{label}” is on screen");
}

#[test]
fn the_notice_sits_beside_the_conversation_and_takes_lines_from_the_open_entry_at_every_size() {
    for (w, hgt, zoom) in CASES {
        let case = format!("{w}x{hgt} at {:.0}% text", zoom * 100.0);
        let mut h = zoomed(screen(run_at_start(), Lang::En), egui::vec2(w, hgt), zoom, frame);
        inside(&h, "Notice (F3)", &case);
        inside(&h, "Knowledge base (F4)", &case);
        h.get_by_label_contains("The notice is empty");
        inside(&h, "Hand it over (Ctrl+Enter)", &case);
        // The conversation is still there with its answers.
        h.get_by_label_contains("Your answer");

        h.key_press(egui::Key::F4);
        h.run();
        h.event(egui::Event::Text("食品经营许可申请".into()));
        h.run();
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(h.state().vm.run.desk.open.as_deref(), Some(PERMIT), "{case}");
        assert!(h.query_all_by_label("+ Notice").count() >= 9, "{case}: every material and step offers +");
        inside(&h, "+ Notice", &case);
        h.query_all_by_label("+ Notice").next().unwrap().click_accesskit();
        h.run();
        inside(&h, "√ On the notice", &case);
        assert_eq!(h.state().vm.run.desk.notice.materials, vec![Pick { entry: PERMIT.into(), index: 0 }], "{case}");
        assert!(h.state().vm.run.encounter.steps().is_empty(), "{case}: typing and clicking answered nothing");

        h.key_press(egui::Key::F3);
        h.run();
        h.get_by_label_contains("1. The business licence");
        for label in ["↑", "↓", "×"] {
            inside(&h, label, &case);
        }
        inside(&h, "Hand it over (Ctrl+Enter)", &case);
    }
}

#[test]
fn lines_are_reordered_and_removed_the_note_is_typed_and_bad_input_is_said_in_place() {
    let mut run = run_at_start();
    run.desk.notice = model_notice(&run);
    let steps_before = run.desk.notice.steps.clone();
    let materials_before = run.desk.notice.materials.len();
    let mut h = zoomed(screen(run, Lang::En), egui::vec2(1280.0, 720.0), 1.0, frame);
    h.key_press(egui::Key::F3);
    h.run();
    // F3 shows the notice and focuses nothing: a digit still answers.
    assert!(!h.ctx.text_edit_focused());
    // In the note, digits typed are text and never answer.
    h.get_by_role(egui::accesskit::Role::MultilineTextInput).focus();
    h.run();
    h.event(egui::Event::Text("带原件 2".into()));
    h.run();
    assert_eq!(h.state().vm.run.desk.notice.note, "带原件 2");
    assert!(h.state().vm.run.encounter.steps().is_empty());
    // The second step's ↑ (the first ↑ of all is the first material's, disabled).
    let materials = materials_before;
    h.query_all_by_label("↑").nth(materials + 1).unwrap().click_accesskit();
    h.run();
    let steps = &h.state().vm.run.desk.notice.steps;
    assert_eq!((&steps[0], &steps[1]), (&steps_before[1], &steps_before[0]), "the second step moved up");
    h.query_all_by_label("×").next().unwrap().click_accesskit();
    h.run();
    assert_eq!(h.state().vm.run.desk.notice.materials.len(), materials_before - 1, "the first material removed");

    // A pasted control character and a note far too long are explained, and kept as typed.
    let mut run = run_at_start();
    run.desk.notice.note = format!("{}\u{0007}", "字".repeat(MAX_NOTE_CHARS + 20));
    run.desk.notice.steps.push(Pick { entry: "nowhere".into(), index: usize::MAX });
    let mut h = zoomed(screen(run, Lang::En), egui::vec2(1280.0, 720.0), 2.0, frame);
    h.get_by_label_contains("invisible control characters");
    h.get_by_label_contains("The note is too long");
    h.get_by_label_contains("points to entry content that no longer exists");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run();
    let desk = &h.state().vm.run.desk;
    assert!(desk.notice_handed());
    assert_eq!(desk.notice.note.chars().count(), MAX_NOTE_CHARS + 21, "kept as typed");
    h.get_by_label_contains("The notice is handed over");
    assert!(h.query_by_label("Hand it over (Ctrl+Enter)").is_none());
}

#[test]
fn stale_edits_change_nothing_and_never_panic() {
    let pick = Pick { entry: PERMIT.into(), index: 0 };
    let mut notice = Notice { materials: vec![pick.clone()], ..Notice::default() };
    for edit in [
        NoticeEdit::Up(Part::Materials, 0),
        NoticeEdit::Down(Part::Materials, 0),
        NoticeEdit::Up(Part::Steps, 5),
        NoticeEdit::Down(Part::FollowOn, usize::MAX),
        NoticeEdit::Remove(Part::Steps, 3),
        NoticeEdit::Add { part: Part::Materials, pick: pick.clone() },
    ] {
        apply_edit(&mut notice, &edit, "");
    }
    assert_eq!(notice.materials, vec![pick], "nothing moved, nothing added twice");
    apply_edit(&mut notice, &NoticeEdit::AddFollowOn("tax".into()), "");
    apply_edit(&mut notice, &NoticeEdit::AddFollowOn("tax".into()), "");
    assert_eq!(notice.follow_on, vec!["tax".to_string()]);
}

#[test]
fn an_empty_notice_handed_over_at_the_guess_caps_clarity_and_the_debrief_shows_it_line_by_line() {
    let mut run = run_at_end();
    run.disc_guess = Some(DiscStyle::C);
    let mut h = zoomed(screen(run, Lang::En), egui::vec2(1280.0, 720.0), 1.0, frame);
    h.get_by_label_contains("The conversation has ended: complete the notice");
    h.get_by_label_contains("The notice is not handed over yet");
    h.get_by_label("Hand over the notice and see the debrief (Enter)");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().actions.contains(&Did::Encounter(EncounterAction::ConfirmGuess)));
    let mut s = h.into_state().vm;
    let plain = s.run.encounter.score();
    assert!(run::finish(&mut s.run, &s.records, &s.words));
    let card = s.run.card();
    assert_eq!((card.item(Item::C2), card.item(Item::C4)), (1, 1), "no notice caps C2 and C4 at 1");
    assert!(card.overall < plain.overall);
    for (w, hgt, zoom) in CASES {
        let case = format!("{w}x{hgt} at {:.0}% text", zoom * 100.0);
        let vm = debrief_vm(&s.run, Lang::En, false);
        assert_eq!(vm.overall, card.overall);
        let mut h = zoomed(vm, egui::vec2(w, hgt), zoom, |ui, vm| debrief_view(ui, vm));
        h.get_by_label("The one-time notice, line by line");
        for heading in ["You wrote", "The notice needed", "Why it matters"] {
            inside(&h, heading, &case);
        }
        assert!(h.query_all_by_label("(left off)").count() >= 9, "{case}: every material and step was left off");
        h.get_by_label_contains("C2 ≤ 1");
        h.get_by_label_contains("C4 ≤ 1");
        assert!(h.query_all_by_label_contains("comes back again for this one").count() >= 5, "{case}: why, per missing material");
        inside(&h, "Print the citizen's copy (P)", &case);
        h.key_press(egui::Key::P);
        h.run();
        assert!(h.state().actions.contains(&DebriefAction::PrintNotice), "{case}");
    }
}

#[test]
fn a_notice_with_faults_shows_what_was_written_beside_what_was_needed_in_chinese() {
    let mut s = screen(run_at_end(), Lang::Zh);
    let mut notice = model_notice(&s.run);
    notice.materials.remove(0);
    notice.steps.swap(0, 1);
    notice.materials.push(Pick { entry: "new-business-tax-confirmation".into(), index: 0 });
    notice.note = "请带原件".into();
    s.run.desk.notice = notice;
    assert!(run::finish(&mut s.run, &s.records, &s.words));
    let report = s.run.desk.notice_report.as_ref().unwrap();
    assert_eq!(report.cap(Item::C2), Some(1));
    assert_eq!(report.cap(Item::C4), Some(2));
    let h = zoomed(debrief_vm(&s.run, Lang::Zh, false), egui::vec2(1920.0, 1080.0), 1.0, |ui, vm| debrief_view(ui, vm));
    h.get_by_label("一次性告知单逐项对照");
    h.get_by_label("你写的");
    h.get_by_label("告知单应有的");
    h.get_by_label("× 漏了");
    h.get_by_label("× 不是这件事的");
    h.get_by_label("× 办理步骤的顺序排乱了。");
    h.get_by_label_contains("备注：请带原件");
    assert!(h.query_all_by_label("√ 已告知").count() >= 3);
}
