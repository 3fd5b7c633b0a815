//! The app's views, driven without a window through egui_kittest: real
//! scenario data goes in through the same view-model builders the screens
//! use, keys and clicks go in, and the returned actions and visible labels
//! are checked.
#![cfg(feature = "app")]

use bevy_egui::egui;
use counterpart::app::portrait::Look;
use counterpart::app::screens::debrief::debrief_vm;
use counterpart::app::screens::encounter::encounter_vm;
use counterpart::app::screens::library::cards;
use counterpart::app::run::Run;
use counterpart::app::views::debrief::{DebriefAction, debrief_view};
use counterpart::app::views::encounter::{EncounterAction, EncounterVm, encounter_view};
use counterpart::app::views::library::{Card, LibraryAction, LibraryFilter, LibraryVm, library_view};
use counterpart::app::views::start::{StartAction, StartVm, start_view};
use counterpart::app::views::widgets::{TopBarVm, top_bar};
use counterpart::app::views::{GlobalAction, global_keys};
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::library::load::{load_all, load_file};
use counterpart_core::scenario::model::{Channel, DiscStyle, Lang, Mood};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

#[path = "app_views/author.rs"]
mod author;
#[path = "app_views/class.rs"]
mod class;
#[path = "app_views/drill.rs"]
mod drill;
#[path = "app_views/drill_lookups.rs"]
mod drill_lookups;
#[path = "app_views/drill_papers.rs"]
mod drill_papers;
#[path = "app_views/drill_protocol.rs"]
mod drill_protocol;
#[path = "app_views/exam.rs"]
mod exam;
#[path = "app_views/mistakes.rs"]
mod mistakes;
#[path = "app_views/notice.rs"]
mod notice;
#[path = "app_views/sources.rs"]
mod sources;
#[path = "app_views/tables.rs"]
mod tables;
#[path = "app_views/workorder.rs"]
mod workorder;

const REFERENCE: &str = "tests/fixtures/hotline-water-outage.ron";

fn reference_script() -> Arc<Script> {
    load_file(Path::new(REFERENCE)).outcome.expect("the reference scenario loads")
}

/// Runs `view` in a harness, collecting every action it returns.
pub struct Probe<V, A> {
    pub vm: V,
    pub actions: Vec<A>,
}

fn harness<'a, V: 'a, A: 'a>(
    vm: V,
    size: egui::Vec2,
    mut view: impl FnMut(&mut egui::Ui, &mut V) -> Option<A> + 'a,
) -> Harness<'a, Probe<V, A>> {
    let mut harness = Harness::builder().with_size(size).build_ui_state(
        move |ui, probe: &mut Probe<V, A>| {
            if let Some(action) = view(ui, &mut probe.vm) {
                probe.actions.push(action);
            }
        },
        Probe { vm, actions: Vec::new() },
    );
    harness.run();
    harness
}

fn wide() -> egui::Vec2 {
    egui::vec2(1280.0, 720.0)
}

fn library_with_broken_file() -> (tempfile::TempDir, LibraryVm) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(REFERENCE, dir.path().join("a-good.ron")).unwrap();
    let broken = std::fs::read_to_string(REFERENCE).unwrap().replacen("minutes:", "minuts:", 1);
    std::fs::write(dir.path().join("b-broken.ron"), broken).unwrap();
    let files = load_all(&[dir.path().to_path_buf()]);
    let mut best = HashMap::new();
    best.insert("hotline-water-outage".to_string(), (82.0, true));
    let vm = LibraryVm { lang: Lang::En, cards: cards(&files, Lang::En, &best), selected: 0, filter: LibraryFilter::default(), resume: None, unfinished_drills: Vec::new() };
    (dir, vm)
}

#[test]
fn library_shows_an_error_card_beside_the_working_ones() {
    let (_dir, vm) = library_with_broken_file();
    assert!(matches!(vm.cards[0], Card::Scenario(_)));
    assert!(matches!(vm.cards[1], Card::Error(_)));
    let h = harness(vm, wide(), library_view);
    h.get_by_label("Day two without water");
    h.get_by_label_contains("Best result: 82");
    h.get_by_label("⚠ Scenario file failed to load");
    // The diagnostic is located: file:line:column and the message.
    let source = std::fs::read_to_string(REFERENCE).unwrap();
    let line = source.lines().position(|l| l.contains("minutes:")).unwrap() + 1;
    h.get_by_label_contains(&format!("b-broken.ron:{line}:"));
    assert!(h.query_all_by_label_contains("minuts").next().is_some(), "the message names the bad field");
}

#[test]
fn an_error_card_offers_the_repair_only_for_typing_slips() {
    let (dir, vm) = library_with_broken_file();
    let h = harness(vm, wide(), library_view);
    // A misspelt field is for the trainer to correct: no repair button.
    assert!(h.query_by_label("🛠 Repair the typing slips").is_none());
    drop(h);

    // A full-width comma typed with a Chinese input method is certain.
    let slipped = std::fs::read_to_string(REFERENCE).unwrap().replacen("minutes: 8,", "minutes: 8，", 1);
    assert!(slipped.contains("minutes: 8，"), "the fixture still has `minutes: 8,`");
    let path = dir.path().join("b-broken.ron");
    std::fs::write(&path, slipped).unwrap();
    let files = load_all(&[dir.path().to_path_buf()]);
    let vm = LibraryVm { lang: Lang::En, cards: cards(&files, Lang::En, &HashMap::new()), selected: 0, filter: LibraryFilter::default(), resume: None, unfinished_drills: Vec::new() };
    let Card::Error(card) = &vm.cards[1] else { panic!("the slipped file fails to load") };
    assert!(card.repairable);
    let mut h = harness(vm, wide(), library_view);
    h.get_by_label("🛠 Repair the typing slips").click();
    h.run();
    assert_eq!(h.state().actions, vec![LibraryAction::Repair(path)]);
}

#[test]
fn library_filters_hide_scenarios_but_never_error_cards() {
    let (_dir, mut vm) = library_with_broken_file();
    vm.filter.channel = Some(Channel::Counter);
    assert!(vm.playable().is_empty());
    let h = harness(vm.clone(), wide(), library_view);
    assert!(h.query_by_label("Day two without water").is_none());
    h.get_by_label("⚠ Scenario file failed to load");

    vm.filter = LibraryFilter { search: "WATER".into(), ..Default::default() };
    assert_eq!(vm.playable(), vec![0]);
    vm.filter = LibraryFilter { tag: Some("elderly".into()), ..Default::default() };
    assert_eq!(vm.playable(), vec![0]);
    vm.filter = LibraryFilter { search: "no such words".into(), ..Default::default() };
    assert!(vm.playable().is_empty());
}

#[test]
fn library_keys_start_the_selected_scenario_and_open_history() {
    let (_dir, vm) = library_with_broken_file();
    let mut h = harness(vm.clone(), wide(), library_view);
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().actions, vec![LibraryAction::Start("hotline-water-outage".into())]);

    let mut h = harness(vm, wide(), library_view);
    h.key_press(egui::Key::H);
    h.run();
    assert_eq!(h.state().actions, vec![LibraryAction::OpenHistory]);
}

fn run_of(encounter: Encounter) -> Run {
    Run {
        file: std::path::PathBuf::from(REFERENCE),
        encounter,
        started: 0.0,
        turn_started: 0.0,
        attempt: None,
        ticket: "A007".into(),
        disc_guess: None,
        finished: false,
        save_error: None,
        practice_from: None,
        at_hand: Default::default(),
        desk: Default::default(),
        exam: None,
    }
}

#[test]
fn pressing_two_in_the_encounter_chooses_the_second_option() {
    let run = run_of(Encounter::new(reference_script(), 7));
    let vm = encounter_vm(&run, Lang::En, 3.0);
    assert!(vm.prompt.as_ref().is_some_and(|p| p.options.len() >= 2));
    let mut h = harness(vm, wide(), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
    h.key_press(egui::Key::Num2);
    h.run();
    assert_eq!(h.state().actions, vec![EncounterAction::Choose(1)]);
}

#[test]
fn a_hotline_turn_shows_the_call_timer_and_the_time_limit() {
    let run = run_of(Encounter::new(reference_script(), 7));
    let mut vm = encounter_vm(&run, Lang::En, 65.0);
    vm.turn_secs = 3.0;
    let h = harness(vm, wide(), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
    h.get_by_label("1:05");
    h.get_by_label_contains("s to answer");
    // The mood cue is words, not numbers.
    h.get_by_label_contains("very upset");

    let mut vm = encounter_vm(&run, Lang::En, 30.0);
    vm.turn_secs = 30.0;
    let h = harness(vm, wide(), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
    h.get_by_label_contains("Time is up");
}

/// The encounter as the app lays it out at `zoom` on a screen of `size`
/// pixels: the top bar, in a drill the running-order banner, then the view.
fn encounter_at(vm: EncounterVm, size: egui::Vec2, zoom: f32, drill: bool) -> Harness<'static, Probe<EncounterVm, EncounterAction>> {
    let mut h = Harness::builder().with_size(size / zoom).with_pixels_per_point(zoom).build_ui_state(
        move |ui, probe: &mut Probe<EncounterVm, EncounterAction>| {
            egui::Panel::top("top-bar").show(ui, |ui| ui.heading("Counterpart · 学员 · 200%"));
            if drill {
                egui::Panel::top("banner").show(ui, |ui| ui.label("正在进行：李明 下一位：王芳 顺序：1. 李明 2. 王芳"));
            }
            if let Some(action) = encounter_view(ui, &probe.vm) {
                probe.actions.push(action);
            }
        },
        Probe { vm, actions: Vec::new() },
    );
    h.run();
    h.run();
    h
}

#[test]
fn at_200_percent_text_the_answer_heading_clears_the_timer_and_the_conversation_keeps_its_room() {
    // Two answers in: the citizen's first line, the trainee's answer, and
    // the citizen's current line are the conversation.
    let mut encounter = Encounter::new(reference_script(), 7);
    encounter.choose(0, Some(3.0)).unwrap();
    let run = run_of(encounter);
    for size in [egui::vec2(1280.0, 720.0), egui::vec2(1920.0, 1080.0)] {
        // Solo play at 200 %, and a hot-seat slot, which draws a quarter larger for the room.
        for (zoom, drill) in [(2.0, false), (2.0 * counterpart::app::screens::PROJECTOR_BOOST, true)] {
            for lang in [Lang::Zh, Lang::En] {
                let mut vm = encounter_vm(&run, lang, 40.0);
                vm.turn_secs = 5.0;
                vm.prompt.as_mut().unwrap().time_limit = Some(20);
                let said = vm.transcript.last().unwrap().text.clone();
                let citizen = vm.citizen_name.clone();
                let answered = vm.transcript.iter().rev().find(|b| b.speaker == counterpart::app::views::encounter::Speaker::Trainee).unwrap().text.clone();
                let options = vm.prompt.as_ref().unwrap().options.clone();
                let mut h = encounter_at(vm, size, zoom, drill);
                let case = format!("{size:?} zoom {zoom} {lang:?}");
                let screen = h.ctx.content_rect();
                let heading = h.get_by_label(if lang == Lang::Zh { "你的回答（按数字键选择）" } else { "Your answer (press its number)" }).rect();
                let timer = h.get_by_label_contains(if lang == Lang::Zh { "剩 15 秒" } else { "15 s left" }).rect();
                assert!(!heading.intersects(timer), "{case}: the heading {heading:?} overlaps the timer {timer:?}");
                assert!(screen.contains_rect(timer), "{case}: the countdown {timer:?} is off screen {screen:?}");
                // Every option can be brought on screen whole, none wider than the screen.
                for (k, text) in options.iter().enumerate() {
                    let label = format!("{}.  {text}", k + 1);
                    h.get_by_label(&label).scroll_to_me();
                    h.run();
                    let r = h.get_by_label(&label).rect();
                    assert!(screen.contains_rect(r), "{case}: option {} {r:?} cannot be seen whole in {screen:?}", k + 1);
                }
                // The trainee's answer and the citizen's reply to it can be
                // read together, clear of the top panels and the answers:
                // the conversation is not a one-bubble slit. Centred on the
                // citizen's name between the two bubbles.
                let mine = h.get_by_label(&answered).rect();
                let between = h.get_all_by_label(&citizen).map(|n| n.rect()).filter(|r| r.min.y > mine.max.y).min_by(|a, b| a.min.y.total_cmp(&b.min.y));
                let between = between.unwrap_or_else(|| panic!("{case}: no name label between the two bubbles"));
                h.get_all_by_label(&citizen).find(|n| n.rect() == between).unwrap().scroll_to_me();
                h.run();
                let (mine, theirs) = (h.get_by_label(&answered).rect(), h.get_by_label(&said).rect());
                let heading = h.get_by_label(if lang == Lang::Zh { "你的回答（按数字键选择）" } else { "Your answer (press its number)" }).rect();
                let top = h.get_by_label_contains("Counterpart · 学员").rect().max.y.max(if drill { h.get_by_label_contains("正在进行").rect().max.y } else { 0.0 });
                assert!(
                    mine.min.y >= top && theirs.max.y <= screen.max.y.min(heading.min.y),
                    "{case}: the last answer {mine:?} and the reply {theirs:?} are not in view together (below {top}, above {heading:?}, {screen:?})"
                );
                // Number keys still answer.
                h.key_press(egui::Key::Num1);
                h.run();
                assert_eq!(h.state().actions, vec![EncounterAction::Choose(0)], "{case}");
            }
        }
    }
}

#[test]
fn a_counter_encounter_shows_a_queue_ticket() {
    let run = run_of(Encounter::new(reference_script(), 7));
    let mut vm = encounter_vm(&run, Lang::Zh, 0.0);
    vm.channel = Channel::Counter;
    let h = harness(vm, wide(), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
    h.get_by_label("A007");
    h.get_by_label("服务窗口 · 排队号");
    assert!(h.query_by_label_contains("通话中").is_none());
}

/// Plays the reference scenario pushing the caller away first (a red flag),
/// then the first option to the end.
fn finished_with_red_flag() -> Encounter {
    let mut encounter = Encounter::new(reference_script(), 3);
    encounter.choose(3, Some(4.0)).expect("open has a fourth option");
    for _ in 0..50 {
        if encounter.is_over() {
            break;
        }
        encounter.choose(0, None).unwrap();
    }
    assert!(encounter.is_over());
    encounter
}

#[test]
fn the_disc_guess_comes_before_the_debrief_and_says_styles_are_blends() {
    let mut run = run_of(finished_with_red_flag());
    let vm = encounter_vm(&run, Lang::En, 100.0);
    assert!(vm.prompt.is_none());
    let mut h = harness(vm, wide(), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
    h.get_by_label_contains("blends");
    // Enter does nothing until a style is picked.
    h.key_press(egui::Key::Enter);
    h.run();
    h.key_press(egui::Key::D);
    h.run();
    assert_eq!(h.state().actions, vec![EncounterAction::Guess(DiscStyle::D)]);

    run.disc_guess = Some(DiscStyle::D);
    let vm = encounter_vm(&run, Lang::En, 100.0);
    let mut h = harness(vm, wide(), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().actions, vec![EncounterAction::ConfirmGuess]);
}

#[test]
fn the_debrief_states_red_flags_and_the_better_option() {
    let mut run = run_of(finished_with_red_flag());
    run.disc_guess = Some(DiscStyle::S);
    let vm = debrief_vm(&run, Lang::En, true);
    assert!(!vm.passed);
    let mut h = harness(vm, egui::vec2(1280.0, 3000.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label("Not passed");
    h.get_by_label_contains("Red flags");
    assert!(h.query_all_by_label_contains("Pushed the citizen away").count() >= 2, "stated in the summary and on the turn");
    assert!(!h.query_all_by_label_contains("A better answer: ").collect::<Vec<_>>().is_empty());
    h.get_by_label_contains("Your DISC read: S · Steadiness");
    h.get_by_label_contains("The citizen's style this time: D · Dominance");
    h.get_by_label_contains("The citizen's rating");
    h.key_press(egui::Key::R);
    h.run();
    assert_eq!(h.state().actions, vec![DebriefAction::TryAgain]);
}

#[test]
fn the_debrief_in_chinese_has_next_and_back() {
    let run = run_of(finished_with_red_flag());
    let vm = debrief_vm(&run, Lang::Zh, true);
    let mut h = harness(vm, wide(), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label("未通过");
    h.get_by_label("下一个场景 (N)").click();
    h.run();
    h.key_press(egui::Key::N);
    h.run();
    assert_eq!(h.state().actions, vec![DebriefAction::Next, DebriefAction::Next]);
}

#[test]
fn the_language_switch_changes_labels() {
    let zh = StartVm { lang: Lang::Zh, profiles: vec!["小林".into()], ..Default::default() };
    let mut h = harness(zh.clone(), wide(), start_view);
    h.get_by_label("选择学员");
    h.get_by_label("English").click();
    h.run();
    assert_eq!(h.state().actions, vec![StartAction::SetLanguage(Lang::En)]);

    let en = StartVm { lang: Lang::En, ..zh };
    let h = harness(en, wide(), start_view);
    h.get_by_label("Choose a trainee");
    assert!(h.query_by_label("选择学员").is_none());

    let bar = |lang| TopBarVm { lang, profile: Some("小林".into()), seat: None, text_scale: 1.0, can_go_back: true };
    let h = harness(bar(Lang::Zh), wide(), |ui, vm: &mut TopBarVm| top_bar(ui, vm));
    h.get_by_label("English (F2)");
    h.get_by_label("← 返回 (Esc)");
    let h = harness(bar(Lang::En), wide(), |ui, vm: &mut TopBarVm| top_bar(ui, vm));
    h.get_by_label("中文 (F2)");
}

#[test]
fn global_keys_toggle_language_resize_text_and_go_back() {
    let mut h = harness((), wide(), |ui, _: &mut ()| {
        let actions = global_keys(ui.ctx());
        actions.first().copied()
    });
    h.key_press(egui::Key::F2);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Equals);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Minus);
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(
        h.state().actions,
        vec![GlobalAction::ToggleLanguage, GlobalAction::TextLarger, GlobalAction::TextSmaller, GlobalAction::Back]
    );
}

#[test]
fn start_keys_pick_a_profile_and_create_one() {
    let vm = StartVm { lang: Lang::En, profiles: vec!["Lin".into(), "Wang".into()], ..Default::default() };
    let mut h = harness(vm.clone(), wide(), start_view);
    h.key_press(egui::Key::ArrowDown);
    h.run();
    h.state_mut().vm.selected = 1;
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().actions, vec![StartAction::Select(1), StartAction::Continue(1)]);

    let mut h = harness(vm, wide(), start_view);
    h.key_press(egui::Key::N);
    h.run();
    // Into the field N focused (the name), not the employee-number fields.
    h.get_all_by_role(egui::accesskit::Role::TextInput).find(|n| n.is_focused()).expect("N focuses the name field").type_text("Zhao");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().vm.new_name, "Zhao", "N moved focus without typing an n");
    assert_eq!(h.state().actions, vec![StartAction::Create("Zhao".into())]);
}

#[test]
fn the_start_screen_edits_and_creates_employee_numbers() {
    let vm = StartVm {
        lang: Lang::En,
        profiles: vec!["Lin".into(), "Wang".into()],
        employee_ids: vec![None, Some("A-1024".into())],
        selected: 1,
        employee_input: "A-1024".into(),
        ..Default::default()
    };
    let mut h = harness(vm.clone(), wide(), start_view);
    h.get_by_label("Wang（No. A-1024）");
    h.get_by_label("Save number").click();
    h.run();
    assert!(h.state().actions.is_empty(), "nothing to save while the number is unchanged");
    h.state_mut().vm.employee_input = "A-2048".into();
    h.run();
    h.get_by_label("Save number").click();
    h.run();
    assert_eq!(h.state().actions, vec![StartAction::SetEmployeeId(1, "A-2048".into())]);

    // Cleared and saved, the number is removed (an empty value).
    h.state_mut().vm.employee_input = "  ".into();
    h.run();
    h.get_by_label("Save number").click();
    h.run();
    assert_eq!(h.state().actions.last(), Some(&StartAction::SetEmployeeId(1, String::new())));

    // A new trainee's number is typed beside the name; Enter in either field creates.
    let mut h = harness(vm, wide(), start_view);
    // Text fields in order: the selected trainee's number, the new name, the new number.
    assert_eq!(h.get_all_by_role(egui::accesskit::Role::TextInput).count(), 3);
    h.get_all_by_role(egui::accesskit::Role::TextInput).nth(1).unwrap().focus();
    h.run();
    h.get_all_by_role(egui::accesskit::Role::TextInput).nth(1).unwrap().type_text("Zhao");
    h.run();
    h.get_all_by_role(egui::accesskit::Role::TextInput).nth(2).unwrap().focus();
    h.run();
    h.get_all_by_role(egui::accesskit::Role::TextInput).nth(2).unwrap().type_text("B-7");

    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().vm.new_employee_id, "B-7");
    assert_eq!(h.state().actions, vec![StartAction::Create("Zhao".into())]);
}

#[test]
fn the_protocol_strip_takes_actions_by_click_and_alt_number_and_the_debrief_says_how_they_went() {
    use counterpart::app::views::protocol::{ProtocolVm, protocol_notes, protocol_panel};
    use counterpart_core::play::protocol::{ActionStatus, NeedlessAction, ProtocolReport, RequirementResult};
    use counterpart_core::scenario::model::Text;

    let vm = ProtocolVm::new(Lang::Zh, &["handover-110".to_string()]);
    assert_eq!(vm.actions.len(), counterpart_core::play::protocol::ACTIONS.len());
    let mut h = harness(vm, wide(), |ui, vm: &mut ProtocolVm| protocol_panel(ui, vm));
    h.get_by_label("√ 转110").click();
    h.run();
    assert!(h.state().actions.is_empty(), "an action taken is not taken twice");
    h.get_by_label("报告班长").click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Num3);
    h.run();
    h.key_press(egui::Key::Num3);
    h.run();
    assert_eq!(h.state().actions, vec!["report-shift-lead".to_string(), "handover-120".to_string()], "a bare number answers the citizen, not the protocol");

    let requirement = |status, taken_at: Option<&str>| RequirementResult {
        action: "handover-crisis-line".into(),
        label: Text::new("转心理援助热线（三方通话）", "Hand over to the psychological crisis line (three-way call)"),
        cue: "plan".into(),
        status,
        taken_at: taken_at.map(String::from),
        by: Some("safety".into()),
        why: Text::new("来电人说出了具体打算，必须转介专业援助。", "He has a plan: he must be put through to professional help."),
    };
    let report = ProtocolReport {
        required: vec![requirement(ActionStatus::Missed, None), requirement(ActionStatus::Done, Some("safety")), requirement(ActionStatus::NotRequired, None)],
        needless: vec![NeedlessAction {
            action: "handover-119".into(),
            label: Text::new("转119（三方通话）", "Hand over to 119"),
            taken_at: "open".into(),
            why: Text::new("没有火情。", "There was no fire."),
        }],
        ..Default::default()
    };
    let notes = protocol_notes(&report, Lang::Zh);
    assert_eq!(notes.len(), 3, "the requirement that never came up says nothing: {notes:?}");
    assert!(notes[0].starts_with("⚠ ") && notes[0].contains("未处置") && notes[0].contains("最迟应在这一轮：safety") && notes[0].contains("必须转介"), "{}", notes[0]);
    assert!(notes[1].starts_with("风险处置") && notes[1].contains("已及时处置") && notes[1].contains("做于这一轮：safety"), "{}", notes[1]);
    assert!(notes[2].contains("不必要的转接") && notes[2].contains("没有火情"), "{}", notes[2]);
    assert!(protocol_notes(&ProtocolReport::default(), Lang::En).is_empty());
}

#[test]
fn the_portrait_changes_with_the_mood() {
    // Two moods must paint different pictures: compare the painted shapes.
    let shapes = |mood: Mood| {
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            counterpart::app::portrait::portrait(ui, 200.0, mood, Look::for_citizen("x", 40));
        });
        output.textures_delta.clear();
        format!("{:?}", output.shapes)
    };
    let calm = shapes(Mood { upset: 5, trust: 90 });
    let angry = shapes(Mood { upset: 95, trust: 5 });
    assert_ne!(calm, angry);
}

mod history {
    use super::*;
    use counterpart::app::views::history::{
        ChartPoint, HistoryAction, HistoryRow, HistoryVm, RowKind, ScenarioRow, Suggestion, WeakestVm, history_view,
    };

    fn vm(can_export: bool) -> HistoryVm {
        HistoryVm {
            lang: Lang::Zh,
            profile: "王芳".into(),
            dimension_names: ["倾听", "共情", "清晰", "DISC 适配", "投诉流程"].map(String::from),
            chart: vec![
                ChartPoint { dimensions: [40.0, 50.0, 60.0, 20.0, 55.0], overall: 47.0 },
                ChartPoint { dimensions: [70.0, 75.0, 80.0, 35.0, 72.0], overall: 69.0 },
            ],
            scenarios: vec![ScenarioRow {
                title: "停水报修".into(),
                attempts: 2,
                best: 69.0,
                best_passed: false,
                latest: 69.0,
                latest_passed: false,
            }],
            weakest: Some(WeakestVm {
                dimension: "DISC 适配".into(),
                mean: 27.5,
                over_attempts: 2,
                open_mistakes: 3,
                practise: vec![
                    Suggestion { scenario_id: "counter-d-business-licence".into(), title: "营业执照".into() },
                    Suggestion { scenario_id: "hotline-water-outage".into(), title: "停水报修".into() },
                ],
            }),
            rows: vec![
                HistoryRow {
                    id: 7,
                    kind: RowKind::Practice,
                    when: "2026-11-22 09:00".into(),
                    scenario: "停水报修".into(),
                    overall: Some(69.0),
                    passed: Some(false),
                    status: "已完成".into(),
                },
                HistoryRow {
                    id: 8,
                    kind: RowKind::Exam { label: "考核 · 新员工上岗考核（热线） · 第 1 次 · 第 2 题".into(), withheld: true },
                    when: "2026-11-23 09:00".into(),
                    scenario: "噪音投诉".into(),
                    overall: Some(81.0),
                    passed: Some(true),
                    status: "已完成".into(),
                },
            ],
            note: None,
            export_status: None,
            can_export,
        }
    }

    #[test]
    fn history_names_the_weakest_dimension_and_starts_a_suggested_scenario() {
        let mut h = harness(vm(true), wide(), |ui, vm| history_view(ui, vm));
        h.get_by_label_contains("最需要加强：DISC 适配（最近 2 次平均 28 分）");
        h.get_by_label_contains("各维度得分变化");
        h.key_press(egui::Key::Num2);
        h.run();
        assert_eq!(h.state().actions, vec![HistoryAction::Practise("hotline-water-outage".into())]);
    }

    #[test]
    fn exam_attempts_are_marked_and_a_withheld_debrief_does_not_open() {
        for size in [wide(), egui::vec2(1920.0, 1080.0)] {
            let mut h = harness(vm(true), size, |ui, vm| history_view(ui, vm));
            h.get_by_label("练习");
            h.get_by_label_contains("考核 · 新员工上岗考核（热线） · 第 1 次 · 第 2 题 · 讲评待发布");
            let buttons: Vec<_> = h.get_all_by_label("复盘").collect();
            assert_eq!(buttons.len(), 2);
            buttons[1].click();
            h.run();
            assert!(h.state().actions.is_empty(), "a withheld exam debrief must not open");
            h.get_all_by_label("复盘").next().unwrap().click();
            h.run();
            assert_eq!(h.state().actions, vec![HistoryAction::Open(7)]);
        }
        let mut released = vm(true);
        released.rows[1].kind = RowKind::Exam { label: "考核 · 新员工上岗考核（热线） · 第 1 次 · 第 2 题".into(), withheld: false };
        let mut h = harness(released, wide(), |ui, vm| history_view(ui, vm));
        assert!(h.query_by_label_contains("讲评待发布").is_none());
        h.get_all_by_label("复盘").nth(1).unwrap().click();
        h.run();
        assert_eq!(h.state().actions, vec![HistoryAction::Open(8)]);
    }

    #[test]
    fn history_opens_the_mistake_book_by_key_and_from_the_weakest_dimension() {
        let mut h = harness(vm(true), wide(), |ui, vm| history_view(ui, vm));
        h.get_by_label_contains("错题集里这一维度还有 3 道错题待改正");
        h.key_press(egui::Key::M);
        h.run();
        h.get_by_label("打开错题集 (M)").click();
        h.run();
        assert_eq!(h.state().actions, vec![HistoryAction::Mistakes, HistoryAction::Mistakes]);
    }

    #[test]
    fn export_is_a_key_and_a_button_and_only_when_there_is_something_to_save() {
        let mut h = harness(vm(true), wide(), |ui, vm| history_view(ui, vm));
        h.key_press(egui::Key::E);
        h.run();
        assert_eq!(h.state().actions, vec![HistoryAction::Export]);

        let mut h = harness(vm(false), wide(), |ui, vm| history_view(ui, vm));
        h.key_press(egui::Key::E);
        h.get_by_label_contains("导出报告").click();
        h.run();
        assert!(h.state().actions.is_empty(), "export without a store must do nothing");

        let mut done = vm(true);
        done.export_status = Some(Ok("/tmp/王芳-20261122".into()));
        let h = harness(done, wide(), |ui, vm| history_view(ui, vm));
        h.get_by_label_contains("已导出到：/tmp/王芳-20261122");
    }
}

mod resume {
    use super::*;
    use counterpart::app::views::library::ResumeOffer;

    fn library_with(offer: ResumeOffer) -> LibraryVm {
        let files = load_all(&[Path::new(REFERENCE).to_path_buf()]);
        LibraryVm {
            lang: Lang::Zh,
            cards: cards(&files, Lang::Zh, &HashMap::new()),
            selected: 0,
            filter: LibraryFilter::default(),
            resume: Some(offer),
            unfinished_drills: Vec::new(),
        }
    }

    fn offer(problem: Option<&str>) -> ResumeOffer {
        ResumeOffer {
            title: "停水报修".into(),
            started: "2026-11-22 09:00".into(),
            steps: 3,
            problem: problem.map(String::from),
        }
    }

    #[test]
    fn an_unfinished_attempt_is_offered_for_resume_or_set_aside() {
        let mut h = harness(library_with(offer(None)), wide(), library_view);
        h.get_by_label_contains("上次的练习《停水报修》没有做完（2026-11-22 09:00 开始，已答 3 轮）");
        h.key_press(egui::Key::C);
        h.run();
        assert_eq!(h.state().actions, vec![LibraryAction::Resume]);

        let mut h = harness(library_with(offer(None)), wide(), library_view);
        h.key_press(egui::Key::X);
        h.run();
        assert_eq!(h.state().actions, vec![LibraryAction::Discard]);
    }

    #[test]
    fn a_changed_scenario_cannot_be_resumed_but_can_be_set_aside() {
        let mut h = harness(library_with(offer(Some("场景在这次练习之后修改过"))), wide(), library_view);
        h.get_by_label_contains("场景在这次练习之后修改过");
        h.key_press(egui::Key::C);
        h.get_by_label_contains("继续这次练习").click();
        h.run();
        assert!(h.state().actions.is_empty(), "resume must be refused: {:?}", h.state().actions);
        h.key_press(egui::Key::X);
        h.run();
        assert_eq!(h.state().actions, vec![LibraryAction::Discard]);
    }
}

#[test]
fn answer_timing_reads_the_clock_now_not_the_last_rendered_frame() {
    use bevy::time::{Real, Time};
    use std::time::{Duration, Instant};
    // As after the app slept half a minute on a counter turn: the render
    // world's last instant is from before the sleep.
    let startup = Instant::now() - Duration::from_secs(40);
    let mut time = Time::<Real>::new(startup);
    // The first update only starts the clock; the second advances it.
    time.update_with_instant(startup);
    time.update_with_instant(startup + Duration::from_secs(10));
    assert!((time.elapsed_secs_f64() - 10.0).abs() < 0.01, "Time<Real> still says the frame before the sleep");
    let now = counterpart::app::run::now_secs(&time);
    assert!((39.0..45.0).contains(&now), "{now}");
}

#[test]
fn the_start_screen_preselects_the_trainee_at_the_keyboard_else_who_played_last() {
    use counterpart::app::screens::start::preselected;
    use counterpart_core::records::store::{Profile, Store};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    store.create_profile("陈静").unwrap();
    store.create_profile("王芳").unwrap();
    // Whoever comes second by name played last.
    let profiles: Vec<Profile> = store.profiles().unwrap();
    let (first, second) = (profiles[0].id, profiles[1].id);
    store.begin_attempt_for(second, &reference_script(), 3).unwrap();
    let last = store.last_trainee().unwrap();
    assert_eq!(preselected(&profiles, None, last), 1, "who played last, not the first by name");
    assert_eq!(preselected(&profiles, Some(first), last), 0, "the trainee at the keyboard this session");
    assert_eq!(preselected(&profiles, None, None), 0);
    assert_eq!(preselected(&profiles, None, Some(999)), 0, "a profile no longer there");
}
