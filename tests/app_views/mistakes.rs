//! The mistake book: built from attempts stored as the app stores them, by
//! the screen's own view-model builder, at 1280×720 and 1920×1080.

use super::*;
use counterpart::app::screens::mistakes::mistakes_vm;
use counterpart::app::views::mistakes::{Grouping, MistakesAction, mistakes_view};
use counterpart_core::library::Library;
use counterpart_core::records::mistakes::{Judged, MistakeBook, judge_answer};
use counterpart_core::records::store::Store;
use counterpart_core::records::when::Zone;

/// A book with the reference scenario's first turn answered wrongly.
fn book() -> (Library, MistakeBook) {
    let library = Library::from_files(load_all(&[Path::new(REFERENCE).to_path_buf()]));
    let script = library.script("hotline-water-outage").unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let me = store.create_profile("王芳").unwrap().id;
    let seed = 3;
    let persona = script.persona_for_seed(seed);
    let a = store.begin_attempt_for(me, &script, seed).unwrap();
    let mut e = Encounter::with_persona(script.clone(), seed, persona);
    let mut i = 0;
    while !e.is_over() {
        let turn = script.scenario.turns.iter().position(|t| t.id == e.prompt().unwrap().turn.id).unwrap();
        let flow = &script.flow_for(persona).turns[turn];
        let c = (0..flow.choices.len()).find(|&c| judge_answer(&script, persona, turn, c, flow.choices[c].red_flag.is_some(), false) == Judged::Wrong).unwrap_or(0);
        let step = e.choose(c, None).unwrap().clone();
        store.record_step(a, i, &step).unwrap();
        i += 1;
    }
    let book = store.mistake_book(me, &library, &Zone::utc()).unwrap();
    assert!(!book.open.is_empty());
    (library, book)
}

#[test]
fn the_mistake_book_lists_mistakes_by_skill_and_practises_from_one() {
    let (library, book) = book();
    for size in [egui::vec2(1280.0, 720.0), egui::vec2(1920.0, 1080.0)] {
        let vm = mistakes_vm(&book, &library, Grouping::Item, Lang::Zh, &Zone::utc(), "王芳", None);
        assert!(!vm.groups.is_empty());
        let first = vm.groups[0].mistakes[0].clone();
        assert!(first.better.is_some(), "the debrief's better answer is shown");
        let mut h = harness(vm, size, |ui, vm| mistakes_view(ui, vm));
        h.get_by_label("错题集");
        h.get_by_label_contains(&format!("待改正 {} 题 · 已改正 0 题", book.open.len()));
        h.get_all_by_label_contains(&format!("你的回答：{}", first.chosen)).next().unwrap();
        h.get_all_by_label_contains("更好的回答：").next().unwrap();
        h.get_all_by_label_contains("此后答好 0 次").next().unwrap();
        h.get_by_label_contains("已改正（0）");
        h.get_all_by_label_contains("从这里练习").next().unwrap().click();
        h.run();
        h.key_press(egui::Key::S);
        h.run();
        assert_eq!(h.state().actions, vec![MistakesAction::Practise(first.index), MistakesAction::Group(Grouping::Stage)]);
        // Nothing is cut off: every card fits the window's width.
        for node in h.get_all_by_label_contains("你的回答：") {
            assert!(node.rect().max.x <= size.x + 0.5, "{:?}", node.rect());
        }
    }
    let by_stage = mistakes_vm(&book, &library, Grouping::Stage, Lang::En, &Zone::utc(), "王芳", None);
    let h = harness(by_stage, wide(), |ui, vm| mistakes_view(ui, vm));
    h.get_by_label("Mistake book");
    h.get_all_by_label_contains("Practise from here").next().unwrap();
    h.get_by_label_contains("Cleared (0)");
}

#[test]
fn cleared_mistakes_are_shown_apart_and_collapsed() {
    let (library, book) = book();
    let mut vm = mistakes_vm(&book, &library, Grouping::Item, Lang::Zh, &Zone::utc(), "王芳", None);
    vm.cleared = vec!["停水报修 · 第 1 轮 · 主要人物".into()];
    let h = harness(vm, wide(), |ui, vm| mistakes_view(ui, vm));
    assert!(h.query_by_label_contains("√ 停水报修").is_none(), "collapsed at first");
    h.get_by_label_contains("已改正（1）");
}

/// History's debrief of a targeted run (practise from here, played to the
/// end and stored as the app stores it) is the run that was played: its
/// turns from the situation on, not the same answers from the first turn.
#[test]
fn a_targeted_runs_past_debrief_is_the_run_played() {
    use counterpart::app::screens::debrief::{encounter_debrief, record_debrief};
    use counterpart::app::views::debrief::debrief_view;
    use counterpart_core::play::score::AttemptResult;
    let (library, book) = book();
    let script = library.script("hotline-water-outage").unwrap().clone();
    // A mistake after the first turn, so that replaying from turn 1 differs.
    let m = book.open.iter().find(|m| m.situation.turn_id != script.scenario.turns[0].id).expect("a later turn was answered wrongly");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let me = store.create_profile("王芳").unwrap().id;
    let seed = 31;
    let a = store.begin_targeted_attempt(me, &script, seed, &m.situation).unwrap();
    let mut played = m.situation.start(script.clone(), seed).unwrap();
    let mut i = 0;
    while !played.is_over() {
        let step = played.choose(0, Some(5.0)).unwrap().clone();
        store.record_step(a, i, &step).unwrap();
        i += 1;
    }
    let ending = played.ending().unwrap();
    let result = AttemptResult { card: played.score(), ending_id: ending.id.clone(), outcome: ending.outcome, disc_guess: None, persona: played.persona_view().id };
    store.finish_attempt(a, &result).unwrap();
    let record = store.attempt(a).unwrap();
    let past = record_debrief(&record, &library, Lang::Zh).unwrap();
    let live = encounter_debrief(&played, &played.score(), None, Lang::Zh);
    assert_eq!(past.turns, live.turns);
    assert_eq!((past.overall, past.passed, &past.outcome), (live.overall, live.passed, &live.outcome));
    let mut vm = past;
    vm.show_replay = true;
    let h = harness(vm, wide(), |ui, vm| debrief_view(ui, vm));
    let said = played.steps()[0].said.zh.clone();
    assert_eq!(played.steps()[0].turn_id, m.situation.turn_id);
    h.get_all_by_label_contains(&said).next().expect("the replay starts at the situation's turn");
    for line in &script.scenario.turns[0].says {
        for v in &line.variants {
            assert!(h.query_all_by_label_contains(&v.zh).next().is_none(), "the first turn was never played: {}", v.zh);
        }
    }
}
