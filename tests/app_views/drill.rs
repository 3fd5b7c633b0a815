//! Group drill views under egui_kittest: set-up, votes, the role-play
//! cue card and observer sheet, and that they fit a projector.

use super::*;
use counterpart::app::views::drill::{
    ProfilePick, RolePlayAction, RolePlayVm, ScenarioPick, SetupAction, SetupVm, VoteAction, VoteVm, role_play_view,
    setup_view, vote_view,
};
use counterpart_core::drill::{Mode, Observation, Rotation};
use counterpart::app::views::widgets::Seat;
use counterpart_core::scenario::model::{Item, Message, Outcome};

fn setup() -> SetupVm {
    SetupVm {
        lang: Lang::Zh,
        title: String::new(),
        mode: Mode::HotSeat,
        rotation: Rotation::Same,
        rounds: 1,
        scenarios: vec![ScenarioPick { id: "hotline-water-outage".into(), title: "停水第二天的来电".into(), picked: true }],
        profiles: vec![
            ProfilePick { id: 1, name: "王芳".into(), employee_id: Some("A-001".into()), picked: true },
            ProfilePick { id: 2, name: "赵强".into(), employee_id: None, picked: false },
        ],
        typed_names: "李明、 张伟,\n\n陈静 ".into(),
        group: String::new(),
        unfinished: Vec::new(),
        error: None,
    }
}

#[test]
fn the_roster_is_ticked_profiles_then_typed_names_and_f5_starts() {
    assert_eq!(setup().roster_names(), vec!["王芳", "李明", "张伟", "陈静"]);
    let mut h = harness(setup(), wide(), setup_view);
    h.get_by_label_contains("共 4");
    h.key_press(egui::Key::F5);
    h.run();
    assert_eq!(h.state().actions, vec![SetupAction::Start]);
}

fn vote(tied: Option<Vec<usize>>) -> VoteVm {
    VoteVm {
        lang: Lang::Zh,
        header: "第 1/1 场".into(),
        citizen: "周先生".into(),
        said: "你们12345管不管事？".into(),
        mood: "非常激动".into(),
        options: vec!["请说一下地址。".into(), "周先生您好，我是小林。".into(), "停水归自来水公司管。".into()],
        counts: vec![0, 0, 0],
        tied,
        present: Some(25),
        can_undo: false,
        error: None,
    }
}

#[test]
fn a_vote_needs_counts_before_enter_and_a_digit_marks_the_majority() {
    let mut h = harness(vote(None), wide(), vote_view);
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().actions.is_empty(), "no votes entered: Enter must do nothing");
    h.key_press(egui::Key::Num2);
    h.run();
    assert_eq!(h.state().actions, vec![VoteAction::Majority(1)]);

    let mut counted = vote(None);
    counted.counts = vec![3, 12, 5];
    let mut h = harness(counted, wide(), vote_view);
    h.get_by_label_contains("按票数继续 (20)");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().actions.is_empty(), "Enter never follows the votes: it also ends typing in a box");
    h.key_press(egui::Key::F5);
    h.run();
    assert_eq!(h.state().actions, vec![VoteAction::Counts]);

    // More votes than people present: refused on screen, with both numbers.
    let mut typo = vote(None);
    typo.counts = vec![30, 0, 0];
    let mut h = harness(typo, wide(), vote_view);
    h.get_by_label_contains("共 30 票，在场 25 人");
    h.key_press(egui::Key::F5);
    h.run();
    assert!(h.state().actions.is_empty(), "{:?}", h.state().actions);
}

#[test]
fn a_tie_offers_only_the_tied_options() {
    let mut h = harness(vote(Some(vec![0, 2])), wide(), vote_view);
    h.get_by_label_contains("票数并列第一");
    h.key_press(egui::Key::Num2);
    h.run();
    assert!(h.state().actions.is_empty(), "option 2 was not tied");
    h.key_press(egui::Key::Num3);
    h.run();
    assert_eq!(h.state().actions, vec![VoteAction::BreakTie(2)]);
}

/// A role-play screen on the reference scenario's first turn, with two
/// observers and no marks yet.
pub(super) fn role_play(lang: Lang) -> RolePlayVm {
    let script = reference_script();
    let encounter = Encounter::new(script.clone(), 7);
    let prompt = encounter.prompt().expect("a first turn");
    let card = counterpart_core::drill::CueCard {
        scenario_title: script.scenario.title.clone(),
        citizen: script.scenario.citizen.name.clone(),
        situation: script.scenario.citizen.situation.clone(),
        style: script.scenario.citizen.disc.primary,
        secondary: None,
        style_cues: counterpart_core::drill::style_cues(script.scenario.citizen.disc.primary),
        mood: prompt.mood,
        mood_label: counterpart_core::drill::mood_label(prompt.mood),
        turn_id: Some(prompt.turn.id.clone()),
        lines: vec![prompt.said.clone()],
        stage_direction: None,
        options: prompt.options.iter().map(|o| o.text.clone()).collect(),
        ending: None,
    };
    RolePlayVm {
        lang,
        header: "第 1/3 场".into(),
        card,
        observers: vec![(2, "王五".into()), (3, "赵六".into())],
        observer_tab: 0,
        marks: vec![None; Item::ALL.len()],
        red_flags: Vec::new(),
        order_ticks: None,
        outcome: None,
        trainer_view: false,
        can_undo: false,
        error: None,
    }
}

#[test]
fn the_cue_card_moves_on_by_the_closest_option_and_finishing_needs_an_outcome() {
    let mut vm = role_play(Lang::Zh);
    vm.trainer_view = true;
    let mut h = harness(vm.clone(), wide(), |ui, vm| role_play_view(ui, vm));
    h.get_by_label_contains("提示卡：扮演群众");
    h.key_press(egui::Key::F5);
    h.key_press(egui::Key::Num2);
    h.run();
    assert_eq!(h.state().actions, vec![RolePlayAction::Closest(1)], "F5 without an outcome must do nothing");

    let mut ended = vm;
    ended.outcome = Some(counterpart_core::scenario::model::Outcome::Resolved);
    let mut h = harness(ended, wide(), |ui, vm| role_play_view(ui, vm));
    h.key_press(egui::Key::F5);
    h.run();
    assert_eq!(h.state().actions, vec![RolePlayAction::Finish]);
}

/// The app's zoom on the drill screen: the trainee's text size times the
/// projector boost.
fn projector_zoom(text_scale: f32) -> f32 {
    text_scale * counterpart::app::screens::PROJECTOR_BOOST
}

/// The role-play screen as the app lays it out: a top bar, then the view,
/// on a screen of `size` pixels at the zoom of `text_scale`. The window
/// integration hands egui the screen in zoomed points, so that is what the
/// harness gets (kittest takes its size in points).
fn role_play_at(vm: RolePlayVm, size: egui::Vec2, text_scale: f32) -> Harness<'static, Probe<RolePlayVm, RolePlayAction>> {
    let zoom = projector_zoom(text_scale);
    let mut h = Harness::builder().with_size(size / zoom).with_pixels_per_point(zoom).build_ui_state(
        move |ui, probe: &mut Probe<RolePlayVm, RolePlayAction>| {
            egui::Panel::top("top-bar").show(ui, |ui| ui.heading("Counterpart · 学员 · 150%"));
            if let Some(action) = role_play_view(ui, &probe.vm) {
                probe.actions.push(action);
            }
        },
        Probe { vm, actions: Vec::new() },
    );
    h.run();
    h
}

#[test]
fn the_observer_sheet_fits_a_projector_at_every_text_size() {
    for size in [egui::vec2(1280.0, 720.0), egui::vec2(1920.0, 1080.0)] {
        for text_scale in [1.0, 1.5, 2.0] {
            for (lang, trainer_view) in [(Lang::Zh, false), (Lang::En, false), (Lang::Zh, true), (Lang::En, true)] {
                let mut vm = role_play(lang);
                vm.outcome = Some(Outcome::Resolved);
                vm.trainer_view = trainer_view;
                let mut h = role_play_at(vm, size, text_scale);
                let case = format!("{size:?} at {:.0}% text, {lang:?}, cue card shown: {trainer_view}", text_scale * 100.0);
                let screen = h.ctx.content_rect();
                assert!((screen.width() - size.x / projector_zoom(text_scale)).abs() < 1.0, "{case}: the zoom applies: {screen:?}");
                // "Scoring done" is pinned: on screen without scrolling.
                let finish = h.get_by_label_contains(if lang == Lang::Zh { "评分完成" } else { "Scoring done" }).rect();
                assert!(screen.contains_rect(finish), "{case}: Scoring done {finish:?} outside {screen:?}");
                // Every item's five buttons fit the width: nothing off the right edge.
                for label in ["0", "1", "2", "3", "—"] {
                    let rects: Vec<egui::Rect> = h.query_all_by_label(label).map(|n| n.rect()).collect();
                    assert_eq!(rects.len(), Item::ALL.len(), "{case}: one \"{label}\" per item");
                    for r in rects {
                        assert!(r.min.x >= screen.min.x && r.max.x <= screen.max.x + 0.5, "{case}: \"{label}\" at {r:?} is cut off ({screen:?})");
                    }
                }
                // The last item's buttons scroll into view above the pinned footer.
                h.query_all_by_label("—").last().unwrap().scroll_to_me();
                h.run();
                let last = h.query_all_by_label("—").last().unwrap().rect();
                let finish = h.get_by_label_contains(if lang == Lang::Zh { "评分完成" } else { "Scoring done" }).rect();
                assert!(last.min.y >= screen.min.y && last.max.y <= finish.min.y, "{case}: the last \"—\" {last:?} is not reachable above {finish:?}");
                // And a click there marks the last item.
                h.query_all_by_label("—").last().unwrap().click();
                h.run();
                assert_eq!(
                    h.state().actions.last(),
                    Some(&RolePlayAction::Mark(*Item::ALL.last().unwrap(), Observation::NotObserved)),
                    "{case}"
                );
            }
        }
    }
}

#[test]
fn the_projected_role_play_hides_the_options_and_the_style_until_the_trainer_shows_them() {
    for lang in [Lang::Zh, Lang::En] {
        let vm = role_play(lang);
        let option_texts: Vec<String> = vm.card.options.iter().map(|o| o.get(lang).to_string()).collect();
        let style = counterpart::app::views::disc_label(lang, vm.card.style);
        let situation = vm.card.situation.get(lang).to_string();
        let cues: Vec<String> = vm.card.style_cues.iter().map(|c| c.get(lang).to_string()).collect();
        let said = vm.card.lines[0].get(lang).to_string();
        let mut h = harness(vm.clone(), wide(), |ui, vm| role_play_view(ui, vm));
        // The citizen's side is on screen: what they say now.
        h.get_by_label_contains(&said);
        for text in option_texts.iter().chain(&cues).chain([&situation]) {
            assert!(h.query_by_label_contains(text).is_none(), "{lang:?}: {text:?} is on the projected screen");
        }
        assert!(h.query_by_label_contains(style).is_none(), "{lang:?}: the DISC style is on the projected screen");
        // A digit picks nothing while the options are hidden.
        h.key_press(egui::Key::Num1);
        h.run();
        assert!(h.state().actions.is_empty(), "{lang:?}: {:?}", h.state().actions);
        h.key_press(egui::Key::T);
        h.run();
        assert_eq!(h.state().actions, vec![RolePlayAction::ToggleTrainerView]);

        let mut shown = vm;
        shown.trainer_view = true;
        let h = harness(shown, wide(), |ui, vm| role_play_view(ui, vm));
        h.get_by_label_contains(style);
        h.get_by_label_contains(&format!("1. {}", option_texts[0]));
    }
}

#[test]
fn the_role_play_debrief_reveals_the_style() {
    use counterpart::app::views::drill::{AgreementVm, agreement_view};
    let drill_agreement = counterpart_core::drill::RoundAgreement {
        observers: vec![2, 3],
        items: Vec::new(),
        red_flags: Vec::new(),
        kappa_linear: counterpart_core::drill::Kappa::Value(0.5),
        kappa_quadratic: counterpart_core::drill::Kappa::Value(0.6),
    };
    let vm = AgreementVm { responder: "李明".into(), style: Some("D · Dominance".into()), observers: vec!["王五".into(), "赵六".into()], agreement: drill_agreement, order: Vec::new(), protocol: Vec::new() };
    let h = Harness::builder().with_size(wide()).build_ui(|ui| agreement_view(ui, Lang::En, &vm));
    h.get_by_label_contains("The citizen's style (revealed): D · Dominance");
}

#[test]
fn undo_is_a_button_only_when_there_is_something_to_take_back() {
    let mut h = harness(vote(None), wide(), vote_view);
    h.get_by_label_contains("撤销上一步").click();
    h.run();
    assert!(h.state().actions.is_empty(), "nothing to undo: the button is disabled");
    let mut undoable = vote(None);
    undoable.can_undo = true;
    let mut h = harness(undoable, wide(), vote_view);
    h.get_by_label_contains("撤销上一步").click();
    h.run();
    assert_eq!(h.state().actions, vec![VoteAction::Undo]);
    let mut marked = role_play(Lang::En);
    marked.can_undo = true;
    let mut h = harness(marked, wide(), |ui, vm| role_play_view(ui, vm));
    h.get_by_label_contains("Undo last (Ctrl+Z)").click();
    h.run();
    assert_eq!(h.state().actions, vec![RolePlayAction::Undo]);
}

/// A hot-seat drill of the reference scenario for 李明 and 王芳, recorded
/// in a store in `dir`, with 李明's slot played along the worst route
/// (a red flag on the way) and finished with a DISC guess.
fn hot_seat_played(dir: &Path) -> (counterpart_core::records::store::Store, counterpart_core::library::Library, counterpart_core::drill::Drill) {
    use counterpart_core::analysis::analyze::{Objective, analyze};
    use counterpart_core::drill::{Event, Member, Plan};
    let script = reference_script();
    let scripts = counterpart_core::library::Library::from_scripts([script.clone()]);
    let store = counterpart_core::records::store::Store::open(&dir.join("records.sqlite3")).unwrap();
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
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    let route = analyze(&script).unwrap().worst(Objective::Overall).unwrap().route.clone();
    for option in route {
        store.apply_drill_event(id, &mut drill, &Event::Choose { option, response_secs: Some(3.0) }, &scripts).unwrap();
    }
    store.apply_drill_event(id, &mut drill, &Event::FinishSlot { disc_guess: Some(DiscStyle::S), outcome: None }, &scripts).unwrap();
    (store, scripts, drill)
}

#[test]
fn a_hot_seat_slot_ends_in_the_members_debrief_scores_only_or_with_the_replay() {
    use counterpart::app::screens::drill::slot_debrief;
    let dir = tempfile::tempdir().unwrap();
    let (_store, scripts, drill) = hot_seat_played(dir.path());
    let vm = slot_debrief(&drill, &scripts, 0, Lang::En).expect("a finished slot has a debrief");
    assert!(!vm.show_replay, "the trainer shows the scores only unless they choose the replay");
    let mut h = harness(vm.clone(), egui::vec2(1280.0, 720.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label_contains("Turn 1/2 · 李明's debrief");
    h.get_by_label("Not passed");
    h.get_by_label_contains("Red flags");
    h.get_by_label_contains("Your DISC read: S · Steadiness");
    h.get_by_label_contains("The turn-by-turn replay is hidden");
    assert!(h.query_by_label("Turn by turn").is_none(), "scores only: no replay on the projector");
    assert!(h.query_by_label_contains("Try again").is_none(), "a drill's debrief has no solo buttons");
    h.key_press(egui::Key::R);
    h.run();
    assert!(h.state().actions.is_empty(), "R is not 'try again' in a drill");
    h.key_press(egui::Key::V);
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().actions, vec![DebriefAction::ToggleReplay, DebriefAction::Continue]);

    let mut replay = vm;
    replay.show_replay = true;
    let h = harness(replay, egui::vec2(1920.0, 3000.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label("Turn by turn");
    h.get_by_label("Scores only (V)");
    assert!(h.query_all_by_label_contains("A better answer: ").count() > 0);
}

#[test]
fn every_history_row_opens_its_debrief_and_drill_slots_say_what_they_were() {
    use counterpart::app::screens::debrief::record_debrief;
    use counterpart::app::views::history::{HistoryAction, HistoryRow, HistoryVm, history_view};
    let dir = tempfile::tempdir().unwrap();
    let (store, scripts, drill) = hot_seat_played(dir.path());
    let attempt = drill.states[0].attempt.unwrap();
    let record = store.attempt(attempt).unwrap();
    let vm = record_debrief(&record, &scripts, Lang::Zh).unwrap();
    assert_eq!(vm.overall, drill.states[0].result.as_ref().unwrap().card.overall, "the stored score");
    assert_eq!(vm.turns.len(), record.steps.len(), "every stored answer replayed");
    assert!(vm.no_replay.is_none() && vm.unscored.is_none());
    let h = harness(vm, egui::vec2(1280.0, 3000.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label("逐轮回放");
    h.get_by_label_contains("你判断的风格：S");

    let rows = vec![HistoryRow {
        id: attempt,
        when: "2026-12-01 09:00".into(),
        scenario: "停水".into(),
        overall: Some(20.0),
        passed: Some(false),
        status: "已完成".into(),
        kind: counterpart::app::views::history::RowKind::Drill("分组演练 · 轮流上场 · 周三热线班".into()),
    }];
    let history = HistoryVm { lang: Lang::Zh, rows, ..Default::default() };
    let mut h = harness(history, egui::vec2(1280.0, 720.0), |ui, vm: &mut _| history_view(ui, vm));
    h.get_by_label("分组演练 · 轮流上场 · 周三热线班");
    h.get_by_label("复盘").click();
    h.run();
    assert_eq!(h.state().actions, vec![HistoryAction::Open(attempt)]);

    // The second member's slot, skipped before it began, has no attempt;
    // an abandoned solo attempt opens with no score.
    let solo = store.begin_attempt_for(record.summary.profile_id, &reference_script(), 5).unwrap();
    store.mark_abandoned(solo).unwrap();
    let vm = record_debrief(&store.attempt(solo).unwrap(), &scripts, Lang::En).unwrap();
    assert_eq!(vm.unscored.as_deref(), Some("Abandoned: no score."));
    let h = harness(vm, egui::vec2(1280.0, 720.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label("Abandoned: no score.");
    assert!(h.query_by_label("Not passed").is_none());
}

#[test]
fn skip_end_and_leaving_a_slot_are_asked_about_and_only_y_says_yes() {
    use counterpart::app::views::drill::{Confirm, confirm_view};
    for confirm in [Confirm::Skip("李明".into()), Confirm::Close, Confirm::Leave] {
        let mut h = harness(confirm.clone(), egui::vec2(1280.0, 720.0), |ui, c: &mut Confirm| confirm_view(ui, Lang::En, c));
        for key in [egui::Key::Enter, egui::Key::S, egui::Key::Space] {
            h.key_press(key);
            h.run();
        }
        assert!(h.state().actions.is_empty(), "{confirm:?}: no single stray key answers");
        h.key_press(egui::Key::N);
        h.run();
        h.key_press(egui::Key::Y);
        h.run();
        assert_eq!(h.state().actions, vec![false, true], "{confirm:?}");
    }
    let h = harness(Confirm::Skip("李明".into()), egui::vec2(1280.0, 720.0), |ui, c: &mut Confirm| confirm_view(ui, Lang::Zh, c));
    h.get_by_label_contains("跳过 李明 这一场");
    h.get_by_label("跳过 (Y)");
}

#[test]
fn the_agreement_says_a_red_flag_failed_the_attempt_explains_the_marks_and_kappa_once() {
    use counterpart::app::views::drill::{AgreementVm, agreement_view};
    use counterpart_core::drill::{Kappa, KappaUndefined};
    use counterpart_core::scenario::model::RedFlag;
    let agreement = counterpart_core::drill::RoundAgreement {
        observers: vec![2, 3],
        items: Vec::new(),
        red_flags: vec![(RedFlag::DataLeak, vec![3])],
        kappa_linear: Kappa::Undefined(KappaUndefined::NoVariance),
        kappa_quadratic: Kappa::Undefined(KappaUndefined::NoVariance),
    };
    let vm = AgreementVm { responder: "李明".into(), style: None, observers: vec!["王五".into(), "赵六".into()], agreement, order: Vec::new(), protocol: Vec::new() };
    let h = Harness::builder().with_size(wide()).build_ui(|ui| agreement_view(ui, Lang::En, &vm));
    h.get_by_label_contains("raised by 赵六 — at least half of the observers: it failed the attempt");
    h.get_by_label("— not observed · · not marked");
    assert_eq!(h.query_all_by_label_contains("no variation").count(), 1, "the reason is said once");
}

/// `view` on a projector of `size` pixels at `text_scale`, as the app zooms drills.
fn projected<'a, V: 'a, A: 'a>(vm: V, size: egui::Vec2, text_scale: f32, mut view: impl FnMut(&mut egui::Ui, &mut V) -> Option<A> + 'a) -> Harness<'a, Probe<V, A>> {
    let zoom = projector_zoom(text_scale);
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

#[test]
fn the_banner_gives_the_running_order_and_the_top_bar_names_the_member_in_the_seat() {
    use counterpart::app::screens::drill::running_order;
    use counterpart::app::views::drill::{OrderMark, running_order_view};
    let dir = tempfile::tempdir().unwrap();
    let (_store, _scripts, drill) = hot_seat_played(dir.path());
    let order = running_order(&drill, Lang::En);
    assert_eq!(order.now, None, "between slots nobody is playing");
    assert_eq!(order.next.as_deref(), Some("王芳"));
    assert_eq!(order.order, vec![("1. 李明".to_string(), OrderMark::Done), ("2. 王芳".to_string(), OrderMark::Next)]);
    let h = Harness::builder().with_size(wide()).build_ui(|ui| running_order_view(ui, &order));
    h.get_by_label("Next up: 王芳");
    h.get_by_label("1. 李明 √");

    let bar = TopBarVm { lang: Lang::En, profile: Some("trainer".into()), seat: Some(Seat::Playing("王芳".into())), text_scale: 1.0, can_go_back: true };
    let h = Harness::builder().with_size(wide()).build_ui(|ui| {
        top_bar(ui, &bar);
    });
    h.get_by_label("In the seat: 王芳");
    assert!(h.query_by_label_contains("Trainee: trainer").is_none());
}

#[test]
fn the_scoreboard_keeps_overall_and_red_flags_on_a_720p_projector_at_every_text_size() {
    use counterpart::app::views::drill::scoreboard_view;
    let dir = tempfile::tempdir().unwrap();
    let (_store, _scripts, drill) = hot_seat_played(dir.path());
    let board = drill.scoreboard();
    assert_eq!(board.rows[0].red_flagged, 1, "the worst route is failed by a red flag");
    for text_scale in [1.0, 1.5, 2.0] {
        for lang in [Lang::Zh, Lang::En] {
            let h = projected(board.clone(), egui::vec2(1280.0, 720.0), text_scale, move |ui, b: &mut counterpart_core::drill::Scoreboard| {
                scoreboard_view(ui, lang, b);
                None::<()>
            });
            let screen = h.ctx.content_rect();
            let overall = h.get_by_label(if lang == Lang::Zh { "总分" } else { "Overall" }).rect();
            assert!(overall.max.x <= screen.max.x + 0.5, "{lang:?} {text_scale}: Overall {overall:?} cut off in {screen:?}");
            let flag = h.get_by_label("⚠ 1").rect();
            assert!(flag.max.x <= screen.max.x + 0.5, "{lang:?} {text_scale}: the red-flag count is on screen");
        }
    }
}

#[test]
fn a_tie_shows_the_counts_and_goes_back_to_correct_them() {
    let mut tied = vote(Some(vec![0, 2]));
    tied.counts = vec![8, 3, 8];
    tied.can_undo = true;
    let mut h = harness(tied, wide(), vote_view);
    h.get_by_label_contains("1. 请说一下地址。（8 票）");
    h.get_by_label_contains("3. 停水归自来水公司管。（8 票）");
    h.get_by_label_contains("其他选项：2.（3 票）");
    h.get_by_label_contains("返回，改正票数").click();
    h.run();
    assert_eq!(h.state().actions, vec![VoteAction::Undo]);
}

#[test]
fn the_mode_description_wraps_and_the_roster_stays_on_a_720p_projector() {
    for text_scale in [1.0, 1.5, 2.0] {
        for mode in [Mode::HotSeat, Mode::ClassVote, Mode::RolePlay] {
            let mut vm = setup();
            vm.lang = Lang::En;
            vm.mode = mode;
            let h = projected(vm, egui::vec2(1280.0, 720.0), text_scale, setup_view);
            let screen = h.ctx.content_rect();
            let help = h.get_by_label_contains(match mode {
                Mode::HotSeat => "Trainees take turns",
                Mode::ClassVote => "The class votes",
                Mode::RolePlay => "One plays the citizen",
            });
            assert!(help.rect().max.x <= screen.max.x + 0.5, "{mode:?} {text_scale}: the description {:?} runs off {screen:?}", help.rect());
            let roster = h.get_by_label("Roster").rect();
            assert!(roster.max.x <= screen.max.x + 0.5, "{mode:?} {text_scale}: the roster {roster:?} is cut off");
        }
    }
}

#[test]
fn the_roster_shows_employee_numbers_reads_them_typed_beside_names_and_refuses_a_taken_one_in_place() {
    use counterpart::app::screens::drill::plan_from;
    // 王芳 (ticked) holds A-001; 赵强 has no number.
    let mut vm = setup();
    vm.lang = Lang::Zh;
    vm.typed_names = "李明 B-7\n张伟\t0571-0042\n陈静".into();
    let h = harness(vm.clone(), wide(), setup_view);
    h.get_by_label("王芳（工号 A-001）");
    h.get_by_label("赵强");
    h.get_by_label("+ 李明（工号 B-7）");
    h.get_by_label("+ 张伟（工号 0571-0042）");
    h.get_by_label("+ 陈静");
    h.get_by_label_contains("共 4");
    assert!(vm.roster_problems().is_empty(), "{:?}", vm.roster_problems());
    let plan = plan_from(&vm, 1);
    let numbers: Vec<(String, Option<String>)> = plan.roster.iter().map(|m| (m.name.clone(), m.employee_id.clone())).collect();
    assert_eq!(
        numbers,
        vec![("王芳".into(), None), ("李明".into(), Some("B-7".into())), ("张伟".into(), Some("0571-0042".into())), ("陈静".into(), None)],
        "a ticked profile keeps its own number; typed ones go with the plan"
    );
    assert_eq!(plan.roster[0].profile_id, Some(1));

    // The store gives the typed numbers to the new profiles.
    let dir = tempfile::tempdir().unwrap();
    let store = counterpart_core::records::store::Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let mut real = vm.clone();
    let wang = store.create_profile("王芳").unwrap();
    store.set_employee_id(wang.id, Some("A-001")).unwrap();
    real.profiles = vec![ProfilePick { id: wang.id, name: "王芳".into(), employee_id: Some("A-001".into()), picked: true }];
    store.create_drill(&plan_from(&real, 1)).unwrap();
    assert_eq!(store.employee_id(store.profile_by_name("李明").unwrap().id).unwrap().as_deref(), Some("B-7"));

    // A number another trainee holds is refused on screen, in both
    // languages, and F5 does not clear what was typed.
    let mut taken = vm.clone();
    taken.typed_names = "李明 A-001\n张伟".into();
    let problems = taken.roster_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let said = problems[0].message();
    assert!(said.zh.contains("已属于“王芳”") && said.en.contains("already belongs to 王芳"), "{problems:?}");
    let mut h = harness(taken, wide(), setup_view);
    h.get_by_label_contains("工号 A-001 已属于“王芳”");
    h.key_press(egui::Key::F5);
    h.run();
    assert_eq!(h.state().vm.typed_names, "李明 A-001\n张伟", "the typed roster stays to be corrected");
    // Unusable and repeated numbers are said too.
    let mut twice = vm;
    twice.typed_names = "李明 工号 B 7\n张伟 C-1\n陈静 C-1".into();
    let problems = twice.roster_problems();
    let said: Vec<String> = problems.iter().map(|p| p.message().zh).collect();
    assert!(said.iter().any(|p| p.contains("B 7") && p.contains("只能包含")), "{said:?}");
    assert!(said.iter().any(|p| p.contains("C-1") && p.contains("两次")), "{said:?}");
}

#[test]
fn an_unfinished_drill_is_offered_on_the_start_screen_and_in_the_library_as_in_the_set_up() {
    use counterpart::app::views::drill::{UnfinishedAction, UnfinishedDrill};
    let drills = vec![UnfinishedDrill { id: 7, title: "周三热线班".into(), mode: "轮流上场".into(), updated: "2026-12-01 09:30".into() }];
    let start = StartVm { lang: Lang::Zh, profiles: vec!["李明".into()], unfinished_drills: drills.clone(), ..Default::default() };
    let mut h = harness(start, wide(), start_view);
    h.get_by_label("周三热线班 · 轮流上场 · 2026-12-01 09:30");
    h.get_by_label("继续演练").click();
    h.run();
    h.get_by_label("结束它").click();
    h.run();
    assert_eq!(h.state().actions, vec![StartAction::Drill(UnfinishedAction::Resume(7)), StartAction::Drill(UnfinishedAction::Close(7))]);

    let files = load_all(&[Path::new(REFERENCE).to_path_buf()]);
    let library = LibraryVm { lang: Lang::En, cards: cards(&files, Lang::En, &HashMap::new()), unfinished_drills: drills.clone(), ..Default::default() };
    let mut h = harness(library, wide(), library_view);
    h.get_by_label("Unfinished group drills (continue where they stopped)");
    h.get_by_label("Continue the drill").click();
    h.run();
    assert_eq!(h.state().actions, vec![LibraryAction::Drill(UnfinishedAction::Resume(7))]);

    let mut set_up = setup();
    set_up.unfinished = drills;
    let mut h = harness(set_up, wide(), setup_view);
    h.get_by_label("继续演练").click();
    h.run();
    h.get_by_label("结束它").click();
    h.run();
    assert_eq!(h.state().actions, vec![SetupAction::Resume(7), SetupAction::CloseUnfinished(7)]);
}

#[test]
fn continuing_from_start_or_library_opens_the_drill_screen_and_closing_closes_it_in_place() {
    use counterpart::app::screens::Screen;
    use counterpart::app::screens::drill::DrillScreen;
    use counterpart::app::views::drill::UnfinishedAction;
    let dir = tempfile::tempdir().unwrap();
    let (store, scripts, _drill) = hot_seat_played(dir.path());
    let id = store.unfinished_drills().unwrap()[0].id;
    let mut screen = DrillScreen::default();
    assert_eq!(screen.offer_unfinished(UnfinishedAction::Resume(id), Some(&store), &scripts), Ok(Some(Screen::Drill)));
    assert_eq!(store.unfinished_drills().unwrap().len(), 1, "continuing changes nothing in the store");
    assert_eq!(screen.offer_unfinished(UnfinishedAction::Close(id), Some(&store), &scripts), Ok(None));
    assert!(store.unfinished_drills().unwrap().is_empty(), "closed in place");
    assert!(screen.offer_unfinished(UnfinishedAction::Close(id), None, &scripts).is_err(), "no store: an error to show, not a panic");
}

#[test]
fn during_a_members_debrief_the_top_bar_names_that_member_not_the_trainer() {
    use counterpart::app::screens::drill::seat_of;
    let dir = tempfile::tempdir().unwrap();
    let (_store, _scripts, drill) = hot_seat_played(dir.path());
    // 李明's slot is finished: the drill is at 王芳's Ready while 李明's
    // debrief is on screen.
    assert_eq!(seat_of(&drill, Some(0)), Some(Seat::Debrief("李明".into())));
    assert_eq!(seat_of(&drill, None), None, "between slots, with no debrief, nobody");
    for (lang, shown) in [(Lang::En, "Debrief: 李明"), (Lang::Zh, "复盘：李明")] {
        let bar = TopBarVm { lang, profile: Some("trainer".into()), seat: seat_of(&drill, Some(0)), text_scale: 1.0, can_go_back: true };
        let h = Harness::builder().with_size(wide()).build_ui(|ui| {
            top_bar(ui, &bar);
        });
        h.get_by_label(shown);
        assert!(h.query_by_label_contains("trainer").is_none(), "{lang:?}: the trainer is named during 李明's debrief");
    }
}

// ------------------------------------------------ drill screens as the app draws them

const SIZES: [egui::Vec2; 2] = [egui::vec2(1280.0, 720.0), egui::vec2(1920.0, 1080.0)];
const TEXT_SCALES: [f32; 3] = [1.0, 1.5, 2.0];

/// What the top bar shows on the drill screen for `seat` at `text_scale`,
/// and the texts of its items, in order.
fn drill_bar(lang: Lang, seat: Option<Seat>, text_scale: f32) -> (TopBarVm, Vec<String>) {
    let bar = TopBarVm { lang, profile: Some("培训师 trainer".into()), seat: seat.clone(), text_scale, can_go_back: true };
    let who = match (&seat, lang) {
        (Some(Seat::Playing(n)), Lang::Zh) => format!("正在上场：{n}"),
        (Some(Seat::Playing(n)), Lang::En) => format!("In the seat: {n}"),
        (Some(Seat::Debrief(n)), Lang::Zh) => format!("复盘：{n}"),
        (Some(Seat::Debrief(n)), Lang::En) => format!("Debrief: {n}"),
        (None, Lang::Zh) => "学员：培训师 trainer".into(),
        (None, Lang::En) => "Trainee: 培训师 trainer".into(),
    };
    let texts = match lang {
        Lang::Zh => ["← 返回 (Esc)", "Counterpart 对练", &who, "文字大小", "A−", &format!("{:.0}%", text_scale * 100.0), "A+", "关于 (F1)", "English (F2)"].map(str::to_string),
        Lang::En => ["← Back (Esc)", "Counterpart 对练", &who, "Text size", "A−", &format!("{:.0}%", text_scale * 100.0), "A+", "About (F1)", "中文 (F2)"].map(str::to_string),
    };
    (bar, texts.to_vec())
}

/// `view` as the drill screen draws it: the app's fonts and text styles,
/// the real top bar, the running-order banner, on a screen of `size`
/// pixels at the drill's zoom for `text_scale` (kittest takes points).
fn on_drill_screen<'a, V: 'a, A: 'a>(
    vm: V,
    size: egui::Vec2,
    bar: TopBarVm,
    banner: Option<counterpart::app::views::drill::RunningOrderVm>,
    mut view: impl FnMut(&mut egui::Ui, &mut V) -> Option<A> + 'a,
) -> Harness<'a, Probe<V, A>> {
    let zoom = projector_zoom(bar.text_scale);
    let mut h = Harness::builder().with_size(size / zoom).with_pixels_per_point(zoom).build_ui_state(
        move |ui, probe: &mut Probe<V, A>| {
            egui::Panel::top("top-bar").show(ui, |ui| {
                ui.add_space(2.0);
                counterpart::app::views::widgets::top_bar_about(ui, &bar, true);
                ui.add_space(2.0);
            });
            if let Some(banner) = &banner {
                egui::Panel::top("drill-running-order").show(ui, |ui| counterpart::app::views::drill::running_order_view(ui, banner));
            }
            if let Some(action) = view(ui, &mut probe.vm) {
                probe.actions.push(action);
            }
        },
        Probe { vm, actions: Vec::new() },
    );
    h.ctx.set_fonts(counterpart::app::fonts::font_definitions(true));
    h.ctx.all_styles_mut(counterpart::app::screens::readable_text);
    h.run();
    h.run();
    h
}

/// The bar's items are all on screen and none is drawn over another;
/// returns the bar's bottom edge.
fn assert_bar_fits<V, A>(h: &Harness<'_, Probe<V, A>>, case: &str, texts: &[String]) -> f32 {
    let screen = h.ctx.content_rect();
    let rects: Vec<(String, egui::Rect)> = texts.iter().map(|t| (t.clone(), h.get_by_label(t).rect())).collect();
    for (i, (a, ra)) in rects.iter().enumerate() {
        assert!(screen.expand(0.5).contains_rect(*ra), "{case}: the top bar's \"{a}\" {ra:?} is off the screen {screen:?}");
        for (b, rb) in &rects[i + 1..] {
            let overlap = ra.intersect(*rb);
            assert!(overlap.width() <= 0.5 || overlap.height() <= 0.5, "{case}: the top bar's \"{a}\" {ra:?} overlaps \"{b}\" {rb:?}");
        }
    }
    rects.iter().map(|(_, r)| r.max.y).fold(0.0, f32::max)
}

/// No button, toggle, check box or number box sticks out of the screen
/// sideways (the drill screens scroll only up and down).
fn assert_controls_within_width<V, A>(h: &Harness<'_, Probe<V, A>>, case: &str) {
    use egui::accesskit::Role;
    let screen = h.ctx.content_rect();
    for role in [Role::Button, Role::CheckBox, Role::RadioButton, Role::SpinButton] {
        for node in h.query_all_by_role(role) {
            let r = node.rect();
            let label = egui_kittest::kittest::NodeT::accesskit_node(&node).label().unwrap_or_default();
            assert!(r.min.x >= screen.min.x - 0.5 && r.max.x <= screen.max.x + 0.5, "{case}: {role:?} \"{label}\" {r:?} runs off the side of {screen:?}");
        }
    }
}

/// `label` (the whole label, or else the one label containing it) can be
/// scrolled into view whole, below the bar.
fn assert_reachable<V, A>(h: &mut Harness<'_, Probe<V, A>>, case: &str, label: &str, below: f32) {
    let find = |h: &Harness<'_, Probe<V, A>>| match h.query_by_label(label) {
        Some(node) => node.rect(),
        None => h.get_by_label_contains(label).rect(),
    };
    match h.query_by_label(label) {
        Some(node) => node.scroll_to_me(),
        None => h.get_by_label_contains(label).scroll_to_me(),
    }
    h.run();
    let screen = h.ctx.content_rect();
    let r = find(h);
    assert!(screen.expand(0.5).contains_rect(r) && r.min.y >= below - 0.5, "{case}: \"{label}\" {r:?} cannot be brought into view below the bar ({below}) in {screen:?}");
}

fn banner(lang: Lang, now: Option<&str>) -> counterpart::app::views::drill::RunningOrderVm {
    use counterpart::app::views::drill::{OrderMark, RunningOrderVm};
    RunningOrderVm {
        lang,
        now: now.map(str::to_string),
        next: Some("王芳".into()),
        order: vec![("1. 李明".into(), if now.is_some() { OrderMark::Now } else { OrderMark::Done }), ("2. 王芳".into(), OrderMark::Next), ("3. 张伟".into(), OrderMark::Later)],
    }
}

/// Every case: both projector sizes, every text size, both languages.
fn cases() -> Vec<(egui::Vec2, f32, Lang)> {
    let mut all = Vec::new();
    for size in SIZES {
        for text_scale in TEXT_SCALES {
            for lang in [Lang::Zh, Lang::En] {
                all.push((size, text_scale, lang));
            }
        }
    }
    all
}

fn case_name(size: egui::Vec2, text_scale: f32, lang: Lang, screen: &str) -> String {
    format!("{screen} at {}x{} {:.0}% {lang:?}", size.x, size.y, text_scale * 100.0)
}

#[test]
fn the_top_bar_never_overlaps_itself_in_solo_play_or_drills() {
    for (size, text_scale, lang) in cases() {
        for seat in [None, Some(Seat::Playing("欧阳明月".into())), Some(Seat::Debrief("欧阳明月".into()))] {
            // Solo screens zoom by the text size alone, drills a quarter more.
            for drill in [false, true] {
                let (bar, texts) = drill_bar(lang, seat.clone(), text_scale);
                let zoom = if drill { projector_zoom(text_scale) } else { text_scale };
                let mut h = Harness::builder().with_size(size / zoom).with_pixels_per_point(zoom).build_ui_state(
                    move |ui, probe: &mut Probe<TopBarVm, counterpart::app::views::GlobalAction>| {
                        let action = egui::Panel::top("top-bar").show(ui, |ui| counterpart::app::views::widgets::top_bar_about(ui, &probe.vm, true)).inner;
                        probe.actions.extend(action);
                    },
                    Probe { vm: bar, actions: Vec::new() },
                );
                h.ctx.set_fonts(counterpart::app::fonts::font_definitions(true));
                h.ctx.all_styles_mut(counterpart::app::screens::readable_text);
                h.run();
                h.run();
                let case = format!("{} {seat:?} drill {drill}", case_name(size, text_scale, lang, "top bar"));
                let bottom = assert_bar_fits(&h, &case, &texts);
                // Stacked only when it must be: one line at 100 % text.
                let line = h.get_by_label(&texts[1]).rect().height() + 12.0;
                if text_scale == 1.0 && !drill {
                    assert!(bottom <= line + 8.0, "{case}: the bar takes two lines ({bottom}) at 100 % text");
                }
                // Its buttons still work wherever they went.
                h.get_by_label(&texts[6]).click();
                h.run();
                h.get_by_label(&texts[8]).click();
                h.run();
                use counterpart::app::views::GlobalAction;
                assert_eq!(h.state().actions, vec![GlobalAction::TextLarger, GlobalAction::ToggleLanguage], "{case}");
            }
        }
    }
}

#[test]
fn in_the_hot_seat_the_line_just_said_is_in_view_without_scrolling_at_every_text_size() {
    for (size, text_scale, lang) in cases() {
        let mut encounter = Encounter::new(reference_script(), 7);
        encounter.choose(0, Some(3.0)).unwrap();
        let vm_after = |encounter: &Encounter| {
            let mut vm = encounter_vm(&run_of(encounter.clone()), lang, 40.0);
            vm.turn_secs = 5.0;
            vm
        };
        let (bar, texts) = drill_bar(lang, Some(Seat::Playing("李明".into())), text_scale);
        let mut h = on_drill_screen(vm_after(&encounter), size, bar, Some(banner(lang, Some("李明"))), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
        for turn in 0..3 {
            let case = format!("{} after {} answers", case_name(size, text_scale, lang, "hot seat"), turn + 1);
            let top = assert_bar_fits(&h, &case, &texts).max(h.get_by_label_contains(if lang == Lang::Zh { "正在进行：" } else { "Now playing: " }).rect().max.y);
            let screen = h.ctx.content_rect();
            let said = h.state().vm.transcript.last().unwrap().text.clone();
            let line = h.get_by_label(&said).rect();
            assert!(line.min.y >= top - 0.5 && line.min.y + 20.0 <= screen.max.y, "{case}: the line just said {line:?} is out of view (below {top}, in {screen:?})");
            assert_controls_within_width(&h, &case);
            if encounter.is_over() {
                break;
            }
            // The next answer, as the drill screen redraws after it.
            encounter.choose(0, Some(4.0)).unwrap();
            h.state_mut().vm = vm_after(&encounter);
            h.run();
            h.run();
        }
    }
}

/// A class vote on the reference scenario for four present, the first turn
/// voted by counts, the rest by majority to the end.
fn class_vote_played(dir: &Path) -> (counterpart_core::library::Library, counterpart_core::drill::Drill) {
    use counterpart_core::drill::{Event, Member, Phase, Plan};
    let script = reference_script();
    let scripts = counterpart_core::library::Library::from_scripts([script.clone()]);
    let store = counterpart_core::records::store::Store::open(&dir.join("records.sqlite3")).unwrap();
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
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    let options = drill.encounter(0, &scripts).unwrap().unwrap().prompt().unwrap().options.len();
    let mut counts = vec![0; options];
    counts[0] = 3;
    counts[1] = 1;
    store.apply_drill_event(id, &mut drill, &Event::Votes { counts }, &scripts).unwrap();
    for _ in 0..50 {
        if matches!(drill.phase, Phase::Ended { .. }) {
            break;
        }
        store.apply_drill_event(id, &mut drill, &Event::Majority { option: 0 }, &scripts).unwrap();
    }
    assert!(matches!(drill.phase, Phase::Ended { .. }), "{:?}", drill.phase);
    (scripts, drill)
}

#[test]
fn every_drill_screen_fits_both_projectors_at_every_text_size() {
    use counterpart::app::screens::drill::slot_debrief;
    use counterpart::app::views::drill::{AgreementVm, Confirm, ReadyVm, confirm_view, ready_view, vote_debrief_view};
    let dir = tempfile::tempdir().unwrap();
    let (_store, scripts, drill) = hot_seat_played(dir.path());
    let votes_dir = tempfile::tempdir().unwrap();
    let (vote_scripts, voted) = class_vote_played(votes_dir.path());
    let turns = voted.vote_debrief(0, &vote_scripts).unwrap();
    let agreement = counterpart_core::drill::RoundAgreement {
        observers: vec![2, 3],
        items: Vec::new(),
        red_flags: vec![(counterpart_core::scenario::model::RedFlag::DataLeak, vec![3])],
        kappa_linear: counterpart_core::drill::Kappa::Value(0.5),
        kappa_quadratic: counterpart_core::drill::Kappa::Value(0.6),
    };
    for (size, text_scale, lang) in cases() {
        let zh = lang == Lang::Zh;
        let t = |zh_text: &'static str, en_text: &'static str| if zh { zh_text } else { en_text };
        let nobody = drill_bar(lang, None, text_scale);
        let playing = drill_bar(lang, Some(Seat::Playing("李明".into())), text_scale);

        // The set-up: the mode's description wraps without running into
        // the next row; Start is reachable.
        let mut vm = setup();
        vm.lang = lang;
        let mut h = on_drill_screen(vm, size, nobody.0.clone(), None, setup_view);
        let case = case_name(size, text_scale, lang, "set-up");
        let below = assert_bar_fits(&h, &case, &nobody.1);
        assert_controls_within_width(&h, &case);
        let help = h.get_by_label_contains(t("学员轮流上场应答", "Trainees take turns")).rect();
        let next_row = h.get_by_label(t("情景分配", "Scenarios per member")).rect();
        assert!(help.max.y <= next_row.min.y + 0.5, "{case}: the description {help:?} runs into the next row {next_row:?}");
        assert_reachable(&mut h, &case, t("开始演练 (F5)", "Start the drill (F5)"), below);

        // The scoreboard between slots, with the role-play's agreement, and
        // the end of the drill with the report exported.
        for finished in [false, true] {
            let vm = ReadyVm {
                lang,
                title: "演练 Drill 2026-12-01 19:29".into(),
                mode: Mode::HotSeat,
                next: (!finished).then(|| t("第 2/2 场：王芳 应对《停水第二天》", "Turn 2/2: 王芳 faces “Day two without water”").to_string()),
                progress: "1/2".into(),
                scoreboard: drill.scoreboard(),
                last_agreement: Some(AgreementVm { responder: "李明".into(), style: Some("D · Dominance".into()), observers: vec!["王五".into(), "赵六".into()], agreement: agreement.clone(), order: Vec::new(), protocol: Vec::new() }),
                finished,
                report: finished.then(|| Ok("/home/trainer/Documents/Counterpart/drill-演练_Drill_2026-12-01_19_29-20261201192920".to_string())),
                error: None,
            };
            let mut h = on_drill_screen(vm, size, nobody.0.clone(), Some(banner(lang, None)), |ui, vm: &mut ReadyVm| ready_view(ui, vm));
            let case = case_name(size, text_scale, lang, if finished { "report" } else { "scoreboard" });
            let banner_bottom = [t("下一位", "Next up"), "3. 张伟"].iter().filter_map(|l| h.query_by_label_contains(l)).map(|n| n.rect().max.y).fold(0.0, f32::max);
            let below = assert_bar_fits(&h, &case, &nobody.1).max(banner_bottom);
            assert_controls_within_width(&h, &case);
            assert_reachable(&mut h, &case, if finished { t("导出演练报告 (E)", "Export the session report (E)") } else { t("开始 (Enter)", "Start (Enter)") }, below);
            if finished {
                assert_reachable(&mut h, &case, t("已导出到", "Exported to"), below);
            }
            assert_reachable(&mut h, &case, t("观察员对 李明 的评分比较", "How the observers scored 李明"), below);
            // The scoreboard's grid scrolls sideways in a scroll area of its
            // own, which keeps scroll requests from inside it: scrolled to by
            // the note under it, the grid above the note is in view.
            assert_reachable(&mut h, &case, t("红线：触碰红线的场次", "Red flags: slots failed"), below);
            let screen = h.ctx.content_rect();
            for label in [t("总分", "Overall"), "⚠ 1"] {
                let r = h.get_by_label(label).rect();
                assert!(screen.contains_rect(r) && r.min.y >= below - 0.5, "{case}: the scoreboard's \"{label}\" {r:?} is not in view with the note under the board");
            }
        }

        // The member's debrief after their slot.
        let vm = slot_debrief(&drill, &scripts, 0, lang).unwrap();
        let debrief = drill_bar(lang, Some(Seat::Debrief("李明".into())), text_scale);
        let mut h = on_drill_screen(vm, size, debrief.0.clone(), Some(banner(lang, None)), |ui, vm: &mut _| debrief_view(ui, vm));
        let case = case_name(size, text_scale, lang, "debrief");
        let below = assert_bar_fits(&h, &case, &debrief.1);
        assert_controls_within_width(&h, &case);
        assert_reachable(&mut h, &case, t("继续：记分板 (Enter)", "Continue: the scoreboard (Enter)"), below);

        // The hot seat's DISC guess after the call.
        let mut guess = encounter_vm(&run_of(finished_with_red_flag()), lang, 100.0);
        guess.disc_guess = Some(DiscStyle::S);
        let mut h = on_drill_screen(guess, size, playing.0.clone(), Some(banner(lang, Some("李明"))), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
        let case = case_name(size, text_scale, lang, "DISC guess");
        let below = assert_bar_fits(&h, &case, &playing.1);
        assert_controls_within_width(&h, &case);
        assert_reachable(&mut h, &case, t("查看复盘 (Enter)", "See the debrief (Enter)"), below);

        // The class vote, its tie and its debrief.
        let mut counted = vote(None);
        counted.lang = lang;
        counted.counts = vec![3, 12, 5];
        let class = drill_bar(lang, Some(Seat::Playing("三班".into())), text_scale);
        let mut h = on_drill_screen(counted, size, class.0.clone(), Some(banner(lang, Some("三班"))), vote_view);
        let case = case_name(size, text_scale, lang, "class vote");
        let below = assert_bar_fits(&h, &case, &class.1);
        assert_controls_within_width(&h, &case);
        let majority = t("多数", "Majority");
        assert_eq!(h.query_all_by_label(majority).count(), 3, "{case}");
        h.query_all_by_label(majority).last().unwrap().scroll_to_me();
        h.run();
        let last = h.query_all_by_label(majority).last().unwrap().rect();
        assert!(h.ctx.content_rect().contains_rect(last) && last.min.y >= below - 0.5, "{case}: the last option's Majority {last:?} cannot be brought into view");
        assert_reachable(&mut h, &case, t("按票数继续 (20) (F5)", "Follow the votes (20) (F5)"), below);
        h.key_press(egui::Key::F5);
        h.run();
        assert_eq!(h.state().actions, vec![VoteAction::Counts], "{case}: F5 follows the votes wherever the page is scrolled");

        let mut tied = vote(Some(vec![2, 0]));
        tied.lang = lang;
        tied.counts = vec![8, 3, 8];
        tied.can_undo = true;
        let mut h = on_drill_screen(tied, size, class.0.clone(), Some(banner(lang, Some("三班"))), vote_view);
        let case = case_name(size, text_scale, lang, "tie");
        let below = assert_bar_fits(&h, &case, &class.1);
        assert_controls_within_width(&h, &case);
        let first = h.get_by_label_contains("1. 请说一下地址。").rect();
        let third = h.get_by_label_contains("3. 停水归自来水公司管。").rect();
        assert!(first.min.y < third.min.y, "{case}: the tied options in the order shown");
        assert_reachable(&mut h, &case, "3. 停水归自来水公司管。", below);
        assert_reachable(&mut h, &case, t("返回，改正票数 (Ctrl+Z)", "Back: correct the counts (Ctrl+Z)"), below);

        let mut h = on_drill_screen(turns.clone(), size, class.0.clone(), Some(banner(lang, Some("三班"))), move |ui, turns: &mut Vec<_>| vote_debrief_view(ui, lang, turns));
        let case = case_name(size, text_scale, lang, "class vote debrief");
        let below = assert_bar_fits(&h, &case, &class.1);
        assert_controls_within_width(&h, &case);
        assert_reachable(&mut h, &case, t("记录结果，下一位 (Enter)", "Record and go on (Enter)"), below);
        assert_reachable(&mut h, &case, t("第 1 轮 · ", "Turn 1 · "), below);

        // Role-play: the projected view and the trainer's, each with the sheet.
        for trainer_view in [false, true] {
            let mut vm = role_play(lang);
            vm.outcome = Some(Outcome::Resolved);
            vm.trainer_view = trainer_view;
            let mut h = on_drill_screen(vm, size, playing.0.clone(), Some(banner(lang, Some("李明（群众：王芳）"))), |ui, vm: &mut RolePlayVm| role_play_view(ui, vm));
            let case = format!("{} cue card {trainer_view}", case_name(size, text_scale, lang, "role-play"));
            let below = assert_bar_fits(&h, &case, &playing.1);
            assert_controls_within_width(&h, &case);
            assert_reachable(&mut h, &case, t("评分完成", "Scoring done"), below);
            h.query_all_by_label("—").last().unwrap().scroll_to_me();
            h.run();
            let last = h.query_all_by_label("—").last().unwrap().rect();
            let finish = h.get_by_label_contains(t("评分完成", "Scoring done")).rect();
            assert!(last.min.y >= below - 0.5 && last.max.y <= finish.min.y, "{case}: the last item's \"—\" {last:?} is not reachable between the bar and {finish:?}");
        }

        // Asked before skipping.
        let mut h = on_drill_screen(Confirm::Skip("李明".into()), size, nobody.0.clone(), Some(banner(lang, None)), move |ui, c: &mut Confirm| confirm_view(ui, lang, c));
        let case = case_name(size, text_scale, lang, "confirm skip");
        let below = assert_bar_fits(&h, &case, &nobody.1);
        assert_controls_within_width(&h, &case);
        assert_reachable(&mut h, &case, t("不，返回 (N / Esc)", "No, go back (N / Esc)"), below);
    }
}

#[test]
fn on_a_short_screen_the_banner_says_now_and_next_without_the_whole_order() {
    for (size, text_scale, short) in [(egui::vec2(1280.0, 720.0), 2.0, true), (egui::vec2(1280.0, 720.0), 1.0, false), (egui::vec2(1920.0, 1080.0), 2.0, false)] {
        let (bar, _) = drill_bar(Lang::En, Some(Seat::Playing("李明".into())), text_scale);
        let h = on_drill_screen((), size, bar, Some(banner(Lang::En, Some("李明"))), |_, _: &mut ()| None::<()>);
        h.get_by_label("Now playing: 李明");
        h.get_by_label("Next up: 王芳");
        assert_eq!(h.query_by_label("Order:").is_none(), short, "{size:?} at {text_scale}");
    }
}
