//! The author view, the inspector, and live reload as the app applies it.

use super::{harness, reference_script, wide, REFERENCE};
use bevy_egui::egui;
use counterpart::app::reload::apply_reload;
use counterpart::app::screens::author::{author_vm, default_practice, inspector_vm};
use counterpart::app::run::{CurrentRun, begin_practice};
use counterpart::app::screens::library::cards;
use counterpart::app::screens::debrief::debrief_vm;
use counterpart::app::run::Run;
use counterpart::app::session::Scenarios;
use counterpart::app::views::debrief::{DebriefAction, debrief_view};
use counterpart::app::views::author::{AuthorAction, AuthorVm, NodeKind, author_view, inspector_view, neighbour};
use counterpart::app::views::library::{LibraryAction, LibraryFilter, LibraryVm, library_view};
use counterpart_core::analysis::analyze::analyze;
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::analysis::export::Quality;
use counterpart_core::scenario::model::{Lang, Mood};
use counterpart_core::library::reload::{Change, Reloader};
use egui_kittest::kittest::Queryable;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

fn vm_of(script: &Arc<Script>, lang: Lang) -> AuthorVm {
    let analysis = analyze(script);
    author_vm(script, analysis.as_ref(), lang, REFERENCE, &[], None, default_practice(script))
}

/// The reference scenario with one turn nothing leads to.
fn with_orphan_turn() -> Arc<Script> {
    let mut scenario = reference_script().scenario.clone();
    let mut orphan = scenario.turns[1].clone();
    orphan.id = "orphan".into();
    scenario.turns.push(orphan);
    Script::new(scenario).unwrap()
}

#[test]
fn the_graph_has_every_turn_and_ending_in_rows_with_the_best_route_traced() {
    let script = reference_script();
    let vm = vm_of(&script, Lang::En);
    let s = &script.scenario;
    assert_eq!(vm.nodes.len(), s.turns.len() + s.endings.len());
    let start = &vm.nodes[vm.selected];
    assert!(start.is_start && start.id == "open" && start.layer == 0, "the start is selected and on top");
    let last_turn_row = vm.nodes.iter().filter(|n| n.is_turn()).map(|n| n.layer).max().unwrap();
    for node in vm.nodes.iter().filter(|n| !n.is_turn()) {
        assert!(node.layer > last_turn_row, "endings sit below every turn");
        assert!(matches!(node.kind, NodeKind::Ending { .. }));
    }
    // Every option is an edge coloured by the export's quality measure.
    let options: usize = s.turns.iter().map(|t| t.options.len()).sum();
    assert!(vm.edges.iter().filter(|e| e.option.is_some()).count() >= options);
    for edge in vm.edges.iter().filter(|e| e.option.is_some()) {
        assert_eq!(edge.quality, Some(Quality::of(&script, edge.from, edge.option.unwrap())));
    }
    assert!(vm.edges.iter().any(|e| e.quality == Some(Quality::RedFlag)), "the reference has a red-flag trap");
    // The best route: one gold edge per step, ending at a resolved ending.
    let best = vm.best.as_ref().expect("the reference has a best route");
    let analysis = analyze(&script).unwrap();
    let route = &analysis.best(counterpart_core::analysis::analyze::Objective::Overall).unwrap().route;
    assert_eq!(vm.edges.iter().filter(|e| e.on_best).count(), route.len());
    assert_eq!(best.steps.len(), route.len() + 1);
    let bounds = vm.bounds.as_ref().unwrap();
    assert_eq!(bounds[0].name, "Overall");
    assert_eq!(bounds.len(), 6);
    assert!(bounds.iter().all(|b| b.min <= b.max));
    assert!((bounds[0].max - best.score).abs() < 1e-3);
    // Flags the scenario uses, all off to begin with, and the citizen's opening mood.
    assert!(vm.practice.flags.iter().any(|(f, on)| f == "promised_tonight" && !on));
    assert_eq!(vm.practice.mood(), Mood { upset: 82, trust: 22 });
}

#[test]
fn unreachable_turns_are_marked_and_named_so() {
    let script = with_orphan_turn();
    let vm = vm_of(&script, Lang::En);
    let orphan = vm.nodes.iter().position(|n| n.id == "orphan").unwrap();
    assert!(!vm.nodes[orphan].reachable);
    assert!(vm.edges.iter().filter(|e| e.from == orphan).all(|e| !e.reachable));
    assert!(vm.nodes.iter().filter(|n| n.id != "orphan" && n.is_turn()).all(|n| n.reachable));
    let h = harness(vm, wide(), author_view);
    h.get_by_label("Turn orphan (unreachable)");
    h.get_by_label("Turn open");
}

#[test]
fn arrows_walk_the_graph_and_p_plays_from_the_selected_turn() {
    let script = reference_script();
    let vm = vm_of(&script, Lang::En);
    let start = vm.selected;
    let below = neighbour(&vm.nodes, start, egui::Key::ArrowDown).expect("a row below the start");
    assert_eq!(vm.nodes[below].layer, vm.nodes[start].layer + 1);
    assert_eq!(neighbour(&vm.nodes, below, egui::Key::ArrowUp), Some(start));
    assert_eq!(neighbour(&vm.nodes, start, egui::Key::ArrowUp), None, "nothing above the start");

    let mut h = harness(vm.clone(), wide(), author_view);
    h.key_press(egui::Key::ArrowDown);
    h.run();
    assert_eq!(h.state().actions, vec![AuthorAction::Select(below)]);

    let mut h = harness(vm.clone(), wide(), author_view);
    h.key_press(egui::Key::P);
    h.run();
    assert_eq!(h.state().actions, vec![AuthorAction::PlayFrom(start)]);

    // Clicking a node selects it.
    let mut h = harness(vm, wide(), author_view);
    h.get_by_label(&format!("Turn {}", h.state().vm.nodes[below].id)).click();
    h.run();
    assert!(h.state().actions.contains(&AuthorAction::Select(below)));
}

#[test]
fn the_author_view_in_chinese_shows_bounds_and_play_controls() {
    let script = reference_script();
    let vm = vm_of(&script, Lang::Zh);
    let h = harness(vm, wide(), author_view);
    h.get_by_label_contains("作者视图");
    h.get_by_label("可得分数范围（分析器）");
    h.get_by_label("总分");
    h.get_by_label("▶ 从这里开始 (P)");
    h.get_by_label("promised_tonight");
}

#[test]
fn play_from_here_starts_an_unrecorded_run_in_the_chosen_situation() {
    let script = reference_script();
    let scenarios = Scenarios::new(PathBuf::new(), counterpart_core::library::Library::load(&[REFERENCE.into()]));
    let mut current = CurrentRun::default();
    let file = scenarios.files()[0].path.clone();
    let mut setup = default_practice(&script);
    setup.upset = 95;
    setup.trust = 5;
    setup.flags.iter_mut().filter(|(f, _)| f == "promised_tonight").for_each(|(_, on)| *on = true);
    begin_practice(&scenarios, &mut current, file.clone(), "cause", &setup, 0.0).unwrap();
    let run = current.0.as_ref().unwrap();
    assert_eq!(run.attempt, None, "practice is never saved as an attempt");
    assert_eq!(run.encounter.position_id(), "cause");
    assert_eq!(run.encounter.mood(), Mood { upset: 95, trust: 5 });
    assert_eq!(run.encounter.flags(), vec!["promised_tonight"]);

    let inspector = inspector_vm(&run.encounter, Lang::En);
    assert!(inspector.practice);
    let h = harness(inspector, egui::vec2(300.0, 400.0), |ui, vm| {
        inspector_view(ui, vm);
        None::<()>
    });
    h.get_by_label("cause");
    h.get_by_label("95");
    h.get_by_label("■ promised_tonight");
    h.get_by_label("□ order_raised");

    let refused = begin_practice(&scenarios, &mut current, file.clone(), "no-such-turn", &setup, 0.0).unwrap_err();
    assert!(refused.en.contains("no-such-turn") && refused.zh.contains("no-such-turn"), "{refused:?}");
}

#[test]
fn a_practice_debrief_says_it_was_practice_and_leads_back_to_the_author_view() {
    let script = reference_script();
    let scenarios = Scenarios::new(PathBuf::new(), counterpart_core::library::Library::load(&[REFERENCE.into()]));
    let mut current = CurrentRun::default();
    let file = scenarios.files()[0].path.clone();
    begin_practice(&scenarios, &mut current, file.clone(), "cause", &default_practice(&script), 0.0).unwrap();
    let run = current.0.as_mut().unwrap();
    while !run.encounter.is_over() {
        run.encounter.choose(0, None).unwrap();
    }
    // A next scenario exists, but practice does not move on to it.
    let vm = debrief_vm(run, Lang::En, true);
    assert_eq!(vm.practice_from.as_deref(), Some("cause"));
    let mut h = harness(vm, egui::vec2(1280.0, 2400.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label_contains("Author practice from turn “cause”");
    h.get_by_label_contains("nothing is recorded");
    h.get_by_label("Back to the author view (Esc)");
    assert!(h.query_by_label("Next scenario (N)").is_none());
    h.key_press(egui::Key::N);
    h.run();
    h.get_by_label("Practise again from there (R)").click();
    h.run();
    assert_eq!(h.state().actions, vec![DebriefAction::TryAgain]);

    let vm = debrief_vm(current.0.as_ref().unwrap(), Lang::Zh, true);
    let h = harness(vm, egui::vec2(1280.0, 2400.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label_contains("作者练习：从「cause」这一轮开始");
    h.get_by_label("返回作者视图 (Esc)");
}

/// The author's practice debrief says why the route scored what it did,
/// with the same figures as the score card; a trainee's debrief does not.
#[test]
fn a_practice_debrief_explains_the_score_and_a_trainee_debrief_does_not() {
    let script = reference_script();
    let scenarios = Scenarios::new(PathBuf::new(), counterpart_core::library::Library::load(&[REFERENCE.into()]));
    let mut current = CurrentRun::default();
    let file = scenarios.files()[0].path.clone();
    begin_practice(&scenarios, &mut current, file.clone(), "cause", &default_practice(&script), 0.0).unwrap();
    let run = current.0.as_mut().unwrap();
    while !run.encounter.is_over() {
        run.encounter.choose(0, None).unwrap();
    }
    let vm = debrief_vm(run, Lang::En, false);
    let explain = vm.explain.clone().expect("a practice debrief explains its score");
    assert_eq!(explain.steps.len(), run.encounter.steps().len());
    // Each step's mood is the one before plus the author's change plus the DISC reaction (held at 0–100).
    let mut mood = explain.start;
    for step in &explain.steps {
        let add = |v: u8, a: i16, r: i16, l: i16| (i16::from(v) + a + r + l).clamp(0, 100) as u8;
        let (lu, lt) = step.late.unwrap_or((0, 0));
        assert_eq!(step.after.upset, add(mood.upset, step.authored.0, step.reaction.0, lu), "{step:?}");
        assert_eq!(step.after.trust, add(mood.trust, step.authored.1, step.reaction.1, lt), "{step:?}");
        mood = step.after;
    }
    for ((label, score), dim) in vm.dimensions.iter().zip(&explain.dimensions) {
        assert_eq!(label, &dim.name);
        assert!((score - dim.score).abs() < 0.05, "{label}: card {score}, explained {}", dim.score);
    }
    assert!(explain.overall.ends_with(&format!("= {:.1}", vm.overall)), "{}", explain.overall);
    let first = &explain.steps[0];
    let reaction = format!("DISC {}/{}", signed(first.reaction.0), signed(first.reaction.1));
    let h = harness(vm, egui::vec2(1280.0, 3200.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label_contains("Why this score (author view)");
    h.get_by_label_contains("the reaction to the DISC fit");
    assert!(h.query_all_by_label(&reaction).next().is_some(), "no {reaction} label");
    assert!(h.query_all_by_label_contains("best answer counts").count() >= 2, "each item says its rule");

    let vm = debrief_vm(current.0.as_ref().unwrap(), Lang::Zh, false);
    let h = harness(vm, egui::vec2(1280.0, 3200.0), |ui, vm: &mut _| debrief_view(ui, vm));
    h.get_by_label_contains("为什么是这个分数（作者视图）");
    assert!(h.query_all_by_label_contains("取最好的一次").count() >= 2);

    let mut trainee = run_in(&scenarios, &[1]);
    while !trainee.encounter.is_over() {
        trainee.encounter.choose(0, None).unwrap();
    }
    assert!(debrief_vm(&trainee, Lang::En, false).explain.is_none(), "a trainee's debrief does not explain the rules");
}

fn signed(n: i16) -> String {
    if n >= 0 { format!("+{n}") } else { n.to_string() }
}

#[test]
fn a_library_card_opens_the_author_view_with_a() {
    let files = counterpart_core::library::load::load_all(&[REFERENCE.into()]);
    let vm = LibraryVm { lang: Lang::En, cards: cards(&files, Lang::En, &HashMap::new()), selected: 0, filter: LibraryFilter::default(), resume: None, unfinished_drills: Vec::new() };
    let mut h = harness(vm.clone(), wide(), library_view);
    h.key_press(egui::Key::A);
    h.run();
    assert_eq!(h.state().actions, vec![LibraryAction::Author("hotline-water-outage".into())]);
    let mut h = harness(vm, wide(), library_view);
    h.get_by_label("Author view (A)").click();
    h.run();
    assert_eq!(h.state().actions, vec![LibraryAction::Author("hotline-water-outage".into())]);
}

fn run_in(scenarios: &Scenarios, choices: &[usize]) -> Run {
    let script = scenarios.files()[0].script().unwrap().clone();
    Run {
        file: scenarios.files()[0].path.clone(),
        encounter: Encounter::replay(script, 11, choices).unwrap(),
        started: 0.0,
        turn_started: 0.0,
        attempt: None,
        ticket: "A001".into(),
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
fn a_saved_edit_reaches_the_library_and_the_encounter_and_a_broken_one_keeps_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("water.ron");
    let source = std::fs::read_to_string(REFERENCE).unwrap();
    std::fs::write(&path, &source).unwrap();
    let mut reloader = Reloader::new(dir.path().to_path_buf());
    let mut scenarios = Scenarios::new(dir.path().to_path_buf(), counterpart_core::library::Library::from_files(reloader.files()));
    let mut current = CurrentRun(Some(run_in(&scenarios, &[1])));
    let at = current.0.as_ref().unwrap().encounter.position_id();

    // A reworded title and opening line: the library and the run both follow.
    let edited = source.replacen("Day two without water", "Day two, still no water", 1);
    std::fs::write(&path, &edited).unwrap();
    let changes = reloader.rescan();
    assert_eq!(changes, vec![Change::Updated(path.clone())]);
    let notes = apply_reload(&mut scenarios, &mut current, reloader.files(), &changes);
    let card = cards(scenarios.files(), Lang::En, &HashMap::new());
    let h = harness(
        LibraryVm { lang: Lang::En, cards: card, selected: 0, filter: LibraryFilter::default(), resume: None, unfinished_drills: Vec::new() },
        wide(),
        library_view,
    );
    h.get_by_label("Day two, still no water");
    let run = current.0.as_ref().unwrap();
    assert!(Arc::ptr_eq(run.encounter.script(), scenarios.files()[0].script().unwrap()), "the encounter moved to the new version");
    assert_eq!(run.encounter.position_id(), at);
    assert!(notes.iter().any(|n| n.en.contains("continues on the new version")), "{notes:?}");

    // A broken edit: the library keeps the last good version, the run goes on, the error is reported.
    let broken = edited.replacen("minutes:", "minuts:", 1);
    std::fs::write(&path, &broken).unwrap();
    let changes = reloader.rescan();
    assert_eq!(changes, vec![Change::Kept(path.clone())]);
    let before = current.0.as_ref().unwrap().encounter.script().clone();
    let notes = apply_reload(&mut scenarios, &mut current, reloader.files(), &changes);
    assert_eq!(scenarios.files()[0].script().unwrap().scenario.title.en, "Day two, still no water");
    assert!(Arc::ptr_eq(current.0.as_ref().unwrap().encounter.script(), &before));
    assert!(notes.iter().any(|n| n.en.contains("last good version")));
    let rejected = &reloader.entries()[0].rejected;
    assert!(rejected[0].message.contains("minuts") && rejected[0].line > 0);
    let script = scenarios.files()[0].script().unwrap().clone();
    let analysis = analyze(&script);
    let vm = author_vm(&script, analysis.as_ref(), Lang::En, "water.ron", rejected, None, default_practice(&script));
    let h = harness(vm, wide(), author_view);
    h.get_by_label_contains("the last good version is still in use");
    h.get_by_label_contains(&format!("water.ron:{}:", rejected[0].line));

    // An edit that moves the current turn away keeps the encounter on the old version.
    let renamed = source.replace(&format!("\"{at}\""), "\"renamed_turn\"");
    std::fs::write(&path, &renamed).unwrap();
    let changes = reloader.rescan();
    assert_eq!(changes, vec![Change::Updated(path.clone())]);
    let notes = apply_reload(&mut scenarios, &mut current, reloader.files(), &changes);
    assert!(Arc::ptr_eq(current.0.as_ref().unwrap().encounter.script(), &before), "still the old version");
    assert!(notes.iter().any(|n| n.en.contains("stays on the old version")), "{notes:?}");
}

#[test]
fn an_edge_that_skips_rows_goes_round_the_turns_between() {
    use counterpart::app::views::author::edge_path;
    let node = |x: f32, row: f32| egui::Rect::from_min_size(egui::pos2(x, 14.0 + row * 92.0), egui::vec2(170.0, 48.0));
    // Three rows; the middle one has a turn right under the source.
    let (from, middle, side, to) = (node(200.0, 0.0), node(200.0, 1.0), node(396.0, 1.0), node(200.0, 2.0));
    let rects = [from, middle, side, to];
    let path = edge_path(from, to, from.center().x, &rects, 800.0);
    for inner in [middle, side] {
        let hits = path.iter().filter(|p| inner.shrink(1.0).contains(**p)).count();
        assert_eq!(hits, 0, "the edge runs behind {inner:?}");
    }
    assert!(path.first().unwrap().distance(egui::pos2(from.center().x, from.max.y)) < 0.5);
    assert!((path.last().unwrap().y - to.min.y).abs() < 0.5, "it arrives on top of the target");
    // Between two adjacent rows it stays a single curve with nothing to avoid.
    let short = edge_path(from, middle, from.center().x, &rects, 800.0);
    assert!(short.iter().all(|p| p.y >= from.max.y - 0.5 && p.y <= middle.min.y + 0.5));
}

fn with_validity(script: &Arc<Script>, lang: Lang) -> AuthorVm {
    use counterpart::app::screens::author::validity_vm;
    let mut vm = vm_of(script, lang);
    let analyses = counterpart_core::analysis::analyze::analyze_personas(script).unwrap();
    vm.validity = Some(validity_vm(&counterpart_core::analysis::gameability::check(script, &analyses), lang));
    vm
}

#[test]
fn the_validity_panel_names_the_shortcuts_of_a_gameable_scenario() {
    // The frozen reference was written the old way: its model answers are
    // the long ones, so the panel must say a guesser gets far.
    let mut vm = with_validity(&reference_script(), Lang::En);
    vm.show_validity = true;
    let h = harness(vm, wide(), author_view);
    h.get_by_label("Training validity (V)");
    h.get_by_label("⚠ Shortcuts exist:");
    assert!(h.query_all_by_label_contains("always the longest answer").count() >= 1);
    assert!(h.query_all_by_label_contains("is also the longest").count() >= 1, "best-is-longest findings are listed");
    assert!(h.query_all_by_label_contains("Cut the best answer to one turn's worth").count() >= 1, "each finding says what to change");
}

#[test]
fn the_validity_panel_passes_a_rewritten_scenario_and_v_toggles_it() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hotline-water-outage.ron");
    let script = counterpart_core::library::load::load_file(&path).script().expect("bundled scenario loads").clone();
    let mut vm = with_validity(&script, Lang::Zh);
    vm.show_validity = true;
    let mut h = harness(vm, wide(), author_view);
    h.get_by_label("√ 不读内容拿不到分");
    assert!(h.query_all_by_label_contains("不通过").count() >= 4, "every surface player fails");
    h.key_press(egui::Key::V);
    h.run();
    assert_eq!(h.state().actions, vec![AuthorAction::ToggleValidity]);
}
