//! Author screen: the selected scenario as a graph with the analyzer's
//! bounds (views::author), "play from here" as an unrecorded practice run,
//! and the F3 inspector over any play.

use super::{ContentRect, Screen, UiSet};
use crate::app::run::{self, CurrentRun};
use crate::app::session::Scenarios;
use crate::app::settings::Settings;
use crate::app::views::author::{
    AuthorAction, AuthorVm, BestRouteVm, BoundRow, EdgeVm, InspectorVm, NodeKind, NodeVm, OptionVm, PracticeSetup,
    ValidityVm, author_view, inspector_view,
};
use counterpart_core::analysis::analyze::{Analysis, AnalyzeError, Objective, analyze_personas};
use counterpart_core::analysis::gameability::{self, Validity};
use counterpart_core::scenario::diag::Diagnostic;
use counterpart_core::play::engine::{Encounter, Script, option_quality};
use counterpart_core::analysis::export::Quality;
use counterpart_core::analysis::graph::{EdgeKind, scenario_graph};
use counterpart_core::play::flow::Target;
use counterpart_core::library::load::display_path;
use counterpart_core::scenario::model::{Lang, Text};
use bevy::prelude::*;
use bevy::time::Real;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<AuthorState>();
    app.init_resource::<Inspector>();
    app.add_systems(EguiPrimaryContextPass, super::back_to(Screen::Author, Screen::Library).in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Author)));
    app.add_systems(EguiPrimaryContextPass, inspector.after(UiSet::Screen));
}

/// What the author screen remembers between frames and reloads.
#[derive(Resource, Default)]
pub struct AuthorState {
    /// The file the practice setup belongs to; another file resets it.
    pub file: Option<PathBuf>,
    /// Selected node by id, so a reload keeps the selection.
    pub selected: Option<String>,
    pub practice: PracticeSetup,
    pub error: Option<Text>,
    /// The training-validity panel is shown first (V).
    pub show_validity: bool,
    /// The training-validity check of the script on show.
    validity: Option<(Arc<Script>, Option<Arc<Validity>>)>,
}

impl AuthorState {
    /// The check reads the analyses loading made, so it costs the bots'
    /// plays only, once per version of the file.
    fn validity(&mut self, script: &Arc<Script>, analyses: Option<&[Analysis]>) -> Option<Arc<Validity>> {
        match &self.validity {
            Some((cached, result)) if Arc::ptr_eq(cached, script) => result.clone(),
            _ => {
                let result = analyses.map(|a| Arc::new(gameability::check(script, a)));
                self.validity = Some((script.clone(), result.clone()));
                result
            }
        }
    }
}

/// F3 shows the inspector over the encounter.
#[derive(Resource, Default, Debug, Clone, Copy)]
pub struct Inspector(pub bool);

/// The practice setup a script starts with: the citizen's opening mood, no flags.
pub fn default_practice(script: &Script) -> PracticeSetup {
    PracticeSetup {
        upset: script.flow.mood.upset,
        trust: script.flow.mood.trust,
        flags: script.flow.flags.iter().map(|f| (f.clone(), false)).collect(),
    }
}

/// The graph, bounds and details of `script` for the author view. Rows are
/// breadth-first distance from the start over turn-to-turn edges; turns no
/// edge reaches come after, endings in the last row.
pub fn author_vm(
    script: &Arc<Script>,
    analysis: Result<&Analysis, &AnalyzeError>,
    lang: Lang,
    file: &str,
    rejected: &[Diagnostic],
    selected: Option<&str>,
    practice: PracticeSetup,
) -> AuthorVm {
    let s = &script.scenario;
    let flow = &script.flow;
    let turns = s.turns.len();
    let graph = scenario_graph(script, analysis.ok());
    // The view draws each option's targets once, and scenario-wide routes
    // as a mark on their endings rather than as edges from every turn.
    let mut seen = HashSet::new();
    let edges: Vec<EdgeVm> = graph
        .edges
        .iter()
        .filter(|e| e.kind != EdgeKind::ScenarioRoute)
        .filter(|e| e.option.is_none() || seen.insert((e.from, e.option, e.to)))
        .map(|e| EdgeVm { from: e.from, to: e.to, option: e.option, quality: e.quality, reachable: e.reachable, on_best: e.on_best })
        .collect();
    let ending_row = graph.rows.get(turns).copied().unwrap_or_else(|| graph.rows.iter().copied().max().unwrap_or(0) + 1);
    let best_vm = graph.best.as_ref().map(|best| {
        let mut lines: Vec<String> = best
            .steps
            .iter()
            .map(|&(t, o, _)| format!("{} → {}. {}", s.turns[t].id, o + 1, s.turns[t].options[o].id))
            .collect();
        if let Some(ending) = best.ending.map(|e| &s.endings[e]) {
            lines.push(format!("■ {} ({})", ending.id, ending.outcome.label().get(lang)));
        }
        BestRouteVm { score: best.score, steps: lines }
    });
    let reach_turn = &graph.reachable[..turns];
    let reach_end = &graph.reachable[turns..];
    let option_reachable = |t: usize, o: usize| graph.reachable_options.get(t).and_then(|v| v.get(o)).copied().unwrap_or(true);

    let global_targets: HashSet<usize> = flow.routes.iter().map(|r| graph.node_of(r.to)).collect();
    let mut slots = vec![0usize; ending_row + 1];
    let mut nodes = Vec::with_capacity(turns + s.endings.len());
    for (t, turn) in s.turns.iter().enumerate() {
        let row = graph.rows[t];
        let slot = slots[row];
        slots[row] += 1;
        let options = turn
            .options
            .iter()
            .enumerate()
            .map(|(o, option)| {
                let choice = &flow.turns[t].choices[o];
                let mut to = vec![target_id(script, choice.next)];
                for route in &option.routes {
                    if !to.contains(&route.to) {
                        to.push(route.to.clone());
                    }
                }
                OptionVm {
                    id: option.id.clone(),
                    text: option.text.get(lang).to_string(),
                    quality: Quality::of(script, t, o),
                    score: option_quality(script, t, o),
                    to,
                    reachable: option_reachable(t, o),
                    on_best: graph.best_takes(t, o),
                }
            })
            .collect();
        nodes.push(NodeVm {
            id: turn.id.clone(),
            said: turn.says.first().and_then(|l| l.variants.first()).map(|v| v.get(lang).to_string()).unwrap_or_default(),
            kind: NodeKind::Turn,
            layer: row,
            slot,
            reachable: reach_turn.get(t).copied().unwrap_or(true),
            on_best: graph.on_best_route(t),
            is_start: flow.start == Target::Turn(t),
            from_any_turn: false,
            options,
        });
    }
    for (e, ending) in s.endings.iter().enumerate() {
        let slot = slots[ending_row];
        slots[ending_row] += 1;
        nodes.push(NodeVm {
            id: ending.id.clone(),
            said: String::new(),
            kind: NodeKind::Ending {
                outcome: ending.outcome,
                label: ending.outcome.label().get(lang).to_string(),
                text: ending.text.get(lang).to_string(),
            },
            layer: ending_row,
            slot,
            reachable: reach_end.get(e).copied().unwrap_or(true),
            on_best: graph.on_best_route(turns + e),
            is_start: false,
            from_any_turn: global_targets.contains(&(turns + e)),
            options: Vec::new(),
        });
    }

    let selected = selected
        .and_then(|id| nodes.iter().position(|n| n.id == id))
        .or_else(|| nodes.iter().position(|n| n.is_start))
        .unwrap_or(0);
    let bounds = match analysis {
        Ok(a) => Ok(Objective::ALL
            .iter()
            .filter_map(|&objective| {
                let (min, max) = (a.worst(objective)?, a.best(objective)?);
                Some(BoundRow { name: objective_label(objective).get(lang).to_string(), min: min.score, max: max.score })
            })
            .collect()),
        Err(e) => Err(format!("{}{e}", crate::app::views::tr(lang, "无法分析：", "Cannot analyse: "))),
    };
    // Keep the author's choices for flags that still exist.
    let flags = flow
        .flags
        .iter()
        .map(|f| (f.clone(), practice.flags.iter().any(|(name, on)| name == f && *on)))
        .collect();
    AuthorVm {
        lang,
        title: s.title.get(lang).to_string(),
        file: file.to_string(),
        nodes,
        edges,
        selected,
        bounds,
        best: best_vm,
        rejected: rejected.iter().map(|d| format!("{}: {}", d.location(), d.message_in(lang))).collect(),
        practice: PracticeSetup { upset: practice.upset.min(100), trust: practice.trust.min(100), flags },
        error: None,
        validity: None,
        show_validity: false,
    }
}

/// The training-validity panel's view model from the gameability check.
pub fn validity_vm(validity: &Validity, lang: Lang) -> ValidityVm {
    ValidityVm {
        players: validity
            .bots
            .iter()
            .map(|b| (b.bot.label().get(lang).to_string(), b.persona_id.clone(), b.score, b.best, b.passed))
            .collect(),
        personas: validity
            .spread
            .iter()
            .map(|(id, best, worst)| {
                let route = validity.best_routes.iter().find(|(p, _)| p == id).map(|(_, r)| r.join(" → ")).unwrap_or_default();
                (id.clone(), *best, *worst, route)
            })
            .collect(),
        longest_share: validity.longest_share,
        same_best_share: validity.same_best_share,
        findings: validity.findings.iter().map(|f| (f.message.get(lang).to_string(), f.help.get(lang).to_string())).collect(),
    }
}

fn target_id(script: &Script, target: Target) -> String {
    match target {
        Target::Ending(e) => script.scenario.endings.get(e).map(|x| x.id.clone()).unwrap_or_default(),
        Target::Turn(t) => script.scenario.turns.get(t).map(|x| x.id.clone()).unwrap_or_default(),
    }
}

pub fn objective_label(objective: Objective) -> Text {
    match objective {
        Objective::Overall => Text::new("总分", "Overall"),
        Objective::Dimension(d) => d.label(),
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<ContentRect>,
    scenarios: Res<Scenarios>,
    mut current: ResMut<CurrentRun>,
    mut state: ResMut<AuthorState>,
    settings: Res<Settings>,
    time: Res<Time<Real>>,
    rejected: Option<Res<crate::app::reload::ReloadStatus>>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let lang = settings.lang;
    let Some(loaded) = scenarios.selected_file() else {
        next.set(Screen::Library);
        return Ok(());
    };
    let path = loaded.path.clone();
    let Some(script) = loaded.script().cloned() else {
        // The file has no good version: its diagnostics are all there is.
        let lines: Vec<String> = loaded.errors().iter().map(|d| format!("{}: {}", d.location(), d.message_in(lang))).collect();
        egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| {
            crate::app::views::screen_title(ui, crate::app::views::tr(lang, "作者视图", "Author view"));
            crate::app::views::author::rejected_banner(ui, lang, &lines);
        });
        return Ok(());
    };
    if state.file.as_ref() != Some(&path) {
        state.file = Some(path.clone());
        state.selected = None;
        state.practice = default_practice(&script);
        state.error = None;
    }
    // Loading analysed every persona; a file from elsewhere is analysed here.
    let analyses = loaded.analyses.clone().unwrap_or_else(|| analyze_personas(&script).map(Arc::from));
    let rejected: Vec<Diagnostic> = rejected.map(|r| r.rejected_for(&path)).unwrap_or_default();
    let mut vm = author_vm(
        &script,
        analyses.as_ref().map(|all| &all[0]),
        lang,
        &display_path(&path),
        &rejected,
        state.selected.as_deref(),
        state.practice.clone(),
    );
    vm.error = state.error.as_ref().map(|e| e.get(lang).to_string());
    vm.validity = state.validity(&script, analyses.as_deref().ok()).map(|v| validity_vm(&v, lang));
    vm.show_validity = state.show_validity;
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| author_view(ui, &mut vm)).inner;
    state.practice = vm.practice.clone();
    match action {
        Some(AuthorAction::ToggleValidity) => state.show_validity = !state.show_validity,
        Some(AuthorAction::Select(index)) => {
            state.selected = vm.nodes.get(index).map(|n| n.id.clone());
            state.error = None;
        }
        Some(AuthorAction::PlayFrom(index)) => {
            if let Some(node) = vm.nodes.get(index).filter(|n| n.is_turn()) {
                state.selected = Some(node.id.clone());
                match run::begin_practice(&scenarios, &mut current, path.clone(), &node.id, &vm.practice, run::now_secs(&time)) {
                    Ok(()) => {
                        state.error = None;
                        next.set(Screen::Encounter);
                    }
                    Err(e) => state.error = Some(e),
                }
            }
        }
        None => {}
    }
    Ok(())
}

pub fn inspector_vm(encounter: &Encounter, lang: Lang) -> InspectorVm {
    let set = encounter.flags();
    InspectorVm {
        lang,
        position: encounter.position_id(),
        ended: encounter.is_over(),
        mood: encounter.mood(),
        flags: encounter.script().flow.flags.iter().map(|f| (f.clone(), set.contains(&f.as_str()))).collect(),
        steps: encounter.steps().len(),
        practice: encounter.is_from_situation(),
    }
}

fn inspector(
    mut contexts: EguiContexts,
    mut shown: ResMut<Inspector>,
    current: Res<CurrentRun>,
    settings: Res<Settings>,
    screen: Res<State<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if !ctx.text_edit_focused() && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F3)) {
        shown.0 = !shown.0;
        ctx.request_repaint();
    }
    if !shown.0 || *screen.get() != Screen::Encounter {
        return Ok(());
    }
    let Some(run) = current.0.as_ref() else { return Ok(()) };
    let vm = inspector_vm(&run.encounter, settings.lang);
    egui::Area::new(egui::Id::new("inspector"))
        .order(egui::Order::Foreground)
        // Bottom left, over the citizen's background notes rather than the conversation.
        .anchor(egui::Align2::LEFT_BOTTOM, egui::vec2(8.0, -8.0))
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_width(220.0);
                inspector_view(ui, &vm);
            });
        });
    Ok(())
}
