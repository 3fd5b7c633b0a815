//! Exam mode: the exam list with the employee number, the page between
//! drawn scenarios, a drawn scenario with its clocks and without hints,
//! and the result sheet built from a sitting stored as the app stores it.

use super::*;
use counterpart::app::run::ExamRun;
use counterpart::app::screens::exam::sheet_vm;
use counterpart::app::views::exam::{
    BetweenVm, ExamAction, ExamCardVm, ExamChooseVm, ExamSheetVm, OpenSittingVm, TrainerRowVm, exam_between_view, exam_choose_view, exam_sheet_view,
};
use counterpart_core::analysis::analyze::{Objective, analyze_personas};
use counterpart_core::exam::load::load_file as load_exam;
use counterpart_core::library::Library;
use counterpart_core::play::score::AttemptResult;
use counterpart_core::records::sittings::{Sitting, exam_persona};
use counterpart_core::records::store::Store;
use std::path::PathBuf;

fn sizes() -> [egui::Vec2; 2] {
    [egui::vec2(1280.0, 720.0), egui::vec2(1920.0, 1080.0)]
}

fn choose() -> ExamChooseVm {
    ExamChooseVm {
        lang: Lang::Zh,
        exams: vec![ExamCardVm {
            title: "新员工上岗考核（热线）".into(),
            description: "三通来电".into(),
            facts: "抽 3 题（共 8 题）· 每题限时 12 分钟 · 全场限时 40 分钟".into(),
            debrief: "交卷后只显示成绩单；讲评由培训师发布后查看。".into(),
        }],
        selected: 0,
        employee_id: String::new(),
        candidate: Some("李明".into()),
        message: None,
        open: Vec::new(),
        trainer: Vec::new(),
        problems: Vec::new(),
        focus_field: false,
    }
}

#[test]
fn the_employee_number_is_typed_and_enter_starts_the_exam() {
    for size in sizes() {
        let mut h = harness(choose(), size, exam_choose_view);
        h.get_by_label_contains("考核中没有提示");
        h.get_by_label("新员工上岗考核（热线）");
        h.get_by_role(egui::accesskit::Role::TextInput).click();
        h.run();
        h.get_by_role(egui::accesskit::Role::TextInput).type_text("0571-0042");
        h.run();
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(h.state().vm.employee_id, "0571-0042");
        assert_eq!(h.state().actions, vec![ExamAction::Begin]);
    }
    // Without a number the button does nothing.
    let mut h = harness(choose(), wide(), exam_choose_view);
    h.get_by_label("开始考试 (Enter)").click();
    h.run();
    assert!(h.state().actions.is_empty());
}

#[test]
fn a_refusal_is_shown_an_open_sitting_goes_on_and_the_trainer_releases() {
    let mut vm = choose();
    vm.message = Some("工号“0571-0042”已在本场考试中使用，不能再次参加".into());
    vm.open = vec![OpenSittingVm { sitting: 4, label: "未结束的考试：新员工上岗考核（热线） · 王芳 · 工号 0571-0043 · 第 1 次考试 · 已用 6:10".into() }];
    vm.trainer = vec![
        TrainerRowVm { sitting: 3, label: "2026-12-01 09:00 · 李明".into(), result: "通过 3/3".into(), passed: Some(true), can_release: true, released: false },
        TrainerRowVm { sitting: 2, label: "2026-11-30 09:00 · 张伟".into(), result: "未通过 1/3".into(), passed: Some(false), can_release: false, released: true },
    ];
    for size in sizes() {
        let mut h = harness(vm.clone(), size, exam_choose_view);
        h.get_by_label_contains("已在本场考试中使用");
        h.get_by_label_contains("已用 6:10");
        h.get_by_label("讲评已发布");
        h.key_press(egui::Key::C);
        h.run();
        h.get_by_label("发布讲评").click();
        h.run();
        assert_eq!(h.state().actions, vec![ExamAction::Resume(4), ExamAction::Release(3)]);
    }
}

#[test]
fn between_scenarios_enter_begins_the_next_and_a_begun_one_says_it_goes_on() {
    let vm = BetweenVm {
        lang: Lang::Zh,
        title: "新员工上岗考核（热线）".into(),
        candidate: "李明 · 工号 0571-0042 · 第 1 次考试".into(),
        next: 1,
        of: 3,
        scenario_left: 11 * 60 + 5,
        exam_left: 33 * 60,
        goes_on: true,
    };
    for size in sizes() {
        let mut h = harness(vm.clone(), size, |ui, vm: &mut BetweenVm| exam_between_view(ui, vm));
        h.get_by_label("第 2 题，共 3 题");
        h.get_by_label("本题剩余 11:05 · 全场剩余 33:00");
        h.get_by_label_contains("将从中断处继续");
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(h.state().actions, vec![ExamAction::Continue]);
    }
}

#[test]
fn a_drawn_scenario_shows_its_clocks_and_no_hints() {
    let mut run = run_of(Encounter::new(reference_script(), 7));
    let practice = encounter_vm(&run, Lang::Zh, 5.0);
    run.exam = Some(ExamRun {
        sitting: 1,
        slot: 0,
        slots: 3,
        per_scenario_ms: 12 * 60_000,
        exam_ms: 40 * 60_000,
        slot_base_ms: 60_000,
        others_ms: 0,
        since: 0.0,
        written: 0.0,
    });
    let vm = encounter_vm(&run, Lang::Zh, 5.0);
    let clock = vm.exam.as_ref().unwrap();
    assert_eq!(clock.scenario_left_secs, 12.0 * 60.0 - 65.0);
    for size in sizes() {
        let h = harness(vm.clone(), size, |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
        h.get_by_label("考核 · 第 1/3 题");
        h.get_by_label("本题剩余 10:55 · 全场剩余 38:55");
        let words = counterpart::app::views::widgets::upset_word(Lang::Zh, practice.mood.upset);
        assert!(h.query_by_label_contains(words).is_none(), "the mood words are a hint");
        let h = harness(practice.clone(), size, |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
        h.get_by_label_contains(words);
    }
    // At the end of the call: the DISC buttons without their cues, and the hand-in.
    let script = reference_script();
    let route = analyze_personas(&script).unwrap().remove(script.persona_for_seed(7)).best(Objective::Overall).unwrap().route.clone();
    run.encounter = Encounter::replay(script, 7, &route).unwrap();
    let mut vm = encounter_vm(&run, Lang::Zh, 5.0);
    vm.disc_guess = Some(DiscStyle::S);
    let mut h = harness(vm, wide(), |ui, vm: &mut EncounterVm| encounter_view(ui, vm));
    assert!(h.query_by_label_contains(counterpart::app::views::disc_cues(Lang::Zh, DiscStyle::S)).is_none());
    assert!(h.query_by_label_contains("提示：").is_none());
    h.get_by_label("交卷 (Enter)").click();
    h.run();
    assert_eq!(h.state().actions, vec![EncounterAction::ConfirmGuess]);
}

/// The bundled exam sat by one candidate, as the app stores it: the first
/// scenario played well, the second badly, the third never begun.
pub fn sat_sitting(store: &Store) -> (Library, Sitting) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let library = Library::load(&[root.join("scenarios")]);
    let exam = load_exam(&root.join("scenarios/exams/new-operator-certification.ron"), &library).exam().cloned().unwrap();
    let p = store.create_profile("李明").unwrap().id;
    store.set_employee_id(p, Some("0571-0042")).unwrap();
    let sitting = store.open_sitting(&exam, p).unwrap();
    for (slot, worst) in [(0, false), (1, true)] {
        let drawn = &sitting.draw.slots[slot];
        let script = library.script(&drawn.scenario).unwrap().clone();
        let attempt = store.begin_exam_attempt(sitting.id, slot, &script).unwrap();
        let persona = exam_persona(&script, drawn);
        let analysis = analyze_personas(&script).unwrap().remove(persona);
        let route = if worst { analysis.worst(Objective::Overall) } else { analysis.best(Objective::Overall) }.unwrap().route.clone();
        let played = Encounter::play_route_as(script, drawn.seed, persona, &route).unwrap();
        for (i, step) in played.steps().iter().enumerate() {
            store.record_step(attempt, i, step).unwrap();
        }
        let ending = played.ending().unwrap();
        let result = AttemptResult { card: played.score_with_protocol(), ending_id: ending.id.clone(), outcome: ending.outcome, disc_guess: None, persona: played.persona_view().id };
        store.finish_attempt(attempt, &result).unwrap();
        store.record_exam_clock(sitting.id, slot, 250_000).unwrap();
    }
    store.finish_sitting(sitting.id).unwrap();
    (library, store.sitting(sitting.id).unwrap())
}

#[test]
fn the_result_sheet_says_pass_or_fail_per_scenario_and_opens_debriefs_only_once_released() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let (library, sitting) = sat_sitting(&store);
    let (s, records, verdict) = store.judge_sitting(sitting.id).unwrap();
    let vm = sheet_vm(&s, &records, &verdict, &library, Lang::Zh, true);
    assert!(!vm.passed);
    assert_eq!(vm.rows.len(), 3);
    assert!(vm.rows[0].passed, "{:?}", vm.rows[0]);
    assert!(!vm.rows[1].passed && !vm.rows[2].passed);
    assert!(vm.rows[2].reasons.contains(&"未作答".to_string()));
    assert!(vm.rows.iter().all(|r| !r.can_open), "withheld until released");
    for size in sizes() {
        let mut h = harness(vm.clone(), size, |ui, vm: &mut ExamSheetVm| exam_sheet_view(ui, vm));
        h.get_by_label("考核成绩单");
        h.get_by_label("考核未通过");
        h.get_by_label_contains("通过 1/3 道");
        h.get_by_label("· 未作答");
        h.get_by_label_contains("讲评由培训师发布后");
        assert!(h.query_by_label_contains("讲评 1").is_none());
        h.key_press(egui::Key::Num1);
        h.key_press(egui::Key::Enter);
        h.run();
        assert_eq!(h.state().actions, vec![ExamAction::Done]);
    }
    store.release_sitting(sitting.id).unwrap();
    let (s, records, verdict) = store.judge_sitting(sitting.id).unwrap();
    let vm = sheet_vm(&s, &records, &verdict, &library, Lang::En, true);
    assert_eq!(vm.rows.iter().map(|r| r.can_open).collect::<Vec<_>>(), vec![true, true, false]);
    let mut h = harness(vm, wide(), |ui, vm: &mut ExamSheetVm| exam_sheet_view(ui, vm));
    h.get_by_label("NOT PASSED");
    assert!(h.query_by_label_contains("Once the trainer releases").is_none());
    h.key_press(egui::Key::Num2);
    h.run();
    h.get_by_label("Debrief 1").click();
    h.run();
    assert_eq!(h.state().actions, vec![ExamAction::OpenDebrief(1), ExamAction::OpenDebrief(0)]);
}
