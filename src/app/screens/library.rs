//! Library screen: scenario cards from the loaded files.

use super::{Screen, UiSet};
use crate::app::run::CurrentRun;
use crate::app::session::{Scenarios, Trainee};
use crate::app::views::tr;
use counterpart_core::play::engine::Encounter;
use counterpart_core::records::resume::{continue_attempt, plan_resume};
use crate::app::views::library::LibraryFilter;
use std::path::PathBuf;
use crate::app::settings::{Records, Settings};
use counterpart_core::scenario::fix::{FileFix, FixFileError, fix_file, is_repairable};
use crate::app::views::library::{Card, ErrorCard, LibraryAction, LibraryVm, ResumeOffer, ScenarioCard, library_view};
use crate::app::views::drill::UnfinishedDrill;
use super::drill::{DrillScreen, unfinished_drills};
use counterpart_core::library::Library;
use counterpart_core::library::load::{LoadedFile, display_path};
use counterpart_core::library::sources::Source;
use counterpart_core::scenario::model::{Lang, Message, Text};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::collections::HashMap;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<LibraryState>();
    app.add_systems(OnEnter(Screen::Library), refresh_best);
    app.add_systems(EguiPrimaryContextPass, super::back_to(Screen::Library, Screen::Start).in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Library)));
}

/// The library screen's own state. The filter stays while the same trainee
/// goes in and out of encounters; another trainee starts afresh.
#[derive(Resource, Default)]
pub struct LibraryState {
    /// The trainee the state belongs to.
    profile: Option<i64>,
    pub filter: LibraryFilter,
    pub best: HashMap<String, (f32, bool)>,
    /// An unfinished attempt of the current trainee, offered in the library.
    pub resume: Option<PendingResume>,
    /// Group drills left unfinished, whoever the trainee.
    pub unfinished_drills: Vec<UnfinishedDrill>,
    /// Closing an unfinished drill failed.
    pub error: Option<Text>,
    /// What the last repair of a file that failed to load did: the file,
    /// whether it now loads, and what to say.
    pub repair: Option<(std::path::PathBuf, bool, String)>,
}

/// An attempt the app was closed or killed in the middle of. Its committed
/// steps are replayed on the current script; `encounter` is None when that
/// is impossible (`problem` says why).
pub struct PendingResume {
    pub attempt: i64,
    pub scenario_id: String,
    pub started_at: String,
    pub steps: usize,
    pub file: Option<PathBuf>,
    pub encounter: Option<Encounter>,
    pub problem: Option<Text>,
}

fn refresh_best(mut state: ResMut<LibraryState>, trainee: Res<Trainee>, scenarios: Res<Scenarios>, current: Res<CurrentRun>, records: Res<Records>, settings: Res<Settings>, zone: Res<crate::app::session::LocalZone>) {
    let profile = trainee.profile.as_ref().map(|p| p.id);
    if state.profile != profile {
        *state = LibraryState { profile, ..default() };
    }
    state.best = profile.map(|p| records.best(p)).unwrap_or_default();
    state.resume = profile.and_then(|p| pending_resume(&scenarios, &current, &records, p, &zone.0));
    state.unfinished_drills = unfinished_drills(&records, settings.lang, &zone.0);
    state.error = None;
}

/// The trainee's most recent unfinished attempt, replayed on the current
/// script (records::resume decides which, and which older ones to abandon).
fn pending_resume(scenarios: &Scenarios, current: &CurrentRun, records: &Records, profile: i64, zone: &counterpart_core::records::when::Zone) -> Option<PendingResume> {
    let unfinished = records.unfinished(profile).ok()?;
    // This session's own encounter is not a crash.
    let in_session = current.0.as_ref().filter(|r| !r.finished).and_then(|r| r.attempt);
    let plan = plan_resume(unfinished, in_session);
    for id in plan.abandon {
        records.abandon(Some(id));
    }
    let latest = plan.offer?;
    let file = scenarios.path_of(&latest.scenario_id);
    let script = file.as_deref().and_then(|f| scenarios.script_at(f));
    let replayed = records.attempt(latest.id).and_then(|record| continue_attempt(script, &record).map_err(|p| p.message()));
    let (encounter, problem) = match replayed {
        Ok(e) => (Some(e), None),
        Err(p) => (None, Some(p)),
    };
    Some(PendingResume {
        attempt: latest.id,
        scenario_id: latest.scenario_id.clone(),
        started_at: zone.minute(&latest.started_at),
        steps: latest.steps,
        file,
        encounter,
        problem,
    })
}

fn resume_offer(pending: &PendingResume, scenarios: &Scenarios, lang: Lang) -> ResumeOffer {
    ResumeOffer {
        title: pending
            .file
            .as_deref()
            .and_then(|f| scenarios.script_at(f))
            .map_or_else(|| pending.scenario_id.clone(), |s| s.scenario.title.get(lang).to_string()),
        started: pending.started_at.clone(),
        steps: pending.steps,
        problem: pending.problem.as_ref().map(|p| p.get(lang).to_string()),
    }
}

/// One card per loaded file, in file order, without saying where the
/// files came from (a library of loose files, and tests).
pub fn cards(files: &[LoadedFile], lang: Lang, best: &HashMap<String, (f32, bool)>) -> Vec<Card> {
    files.iter().map(|file| card(file, None, lang, best)).collect()
}

/// One card per file of `library`, each naming the folder it came from
/// and, for a scenario that replaces one with the same id, which.
pub fn library_cards(library: &Library, lang: Lang, best: &HashMap<String, (f32, bool)>) -> Vec<Card> {
    library.files().iter().map(|file| card(file, Some(library), lang, best)).collect()
}

fn source_label(source: &Source, lang: Lang) -> String {
    format!("{} · {}", source.kind.label().get(lang), display_path(&source.folder))
}

fn card(file: &LoadedFile, library: Option<&Library>, lang: Lang, best: &HashMap<String, (f32, bool)>) -> Card {
    let source = library.and_then(|l| l.source_of(&file.path)).map(|s| source_label(s, lang));
    match &file.outcome {
        Ok(script) => {
            let s = &script.scenario;
            let replaces = library.and_then(|l| l.replaced_by(&file.path)).map(|o| {
                let from = format!("{} ({})", display_path(&o.replaced), o.replaced_source.kind.label().get(lang));
                match lang {
                    Lang::Zh => format!("替换了同一编号的场景：{from}"),
                    Lang::En => format!("Replaces the scenario with the same id in {from}"),
                }
            });
            Card::Scenario(ScenarioCard {
                id: s.id.clone(),
                title: s.title.get(lang).to_string(),
                summary: s.summary.get(lang).to_string(),
                channel: s.channel,
                difficulty: s.difficulty,
                minutes: s.minutes,
                objectives: s.objectives.iter().map(|o| o.get(lang).to_string()).collect(),
                tags: s.tags.clone(),
                best: best.get(&s.id).copied(),
                source,
                replaces,
            })
        }
        Err(diagnostics) => Card::Error(ErrorCard {
            file: display_path(&file.path),
            diagnostics: diagnostics.iter().map(|d| format!("{}: {}", d.location(), d.message_in(lang))).collect(),
            source,
            path: file.path.clone(),
            repairable: diagnostics.first().is_some_and(|d| is_repairable(d.code)),
            repair_note: None,
        }),
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut scenarios: ResMut<Scenarios>,
    mut state: ResMut<LibraryState>,
    trainee: Res<Trainee>,
    settings: Res<Settings>,
    records: Res<Records>,
    zone: Res<crate::app::session::LocalZone>,
    mut drill: ResMut<DrillScreen>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut vm = LibraryVm {
        lang: settings.lang,
        cards: with_repair_note(library_cards(&scenarios.library, settings.lang, &state.best), state.repair.as_ref()),
        selected: scenarios.selected_index(),
        filter: std::mem::take(&mut state.filter),
        resume: state.resume.as_ref().map(|p| resume_offer(p, &scenarios, settings.lang)),
        unfinished_drills: state.unfinished_drills.clone(),
    };
    let error = state.error.as_ref().map(|e| e.get(settings.lang).to_string());
    let repaired = state.repair.clone();
    let action = egui::CentralPanel::default()
        .show(&mut super::root_ui(ctx, content.0, "screen"), |ui| {
            if let Some(e) = &error {
                ui.colored_label(crate::app::views::widgets::FAIL, e);
            }
            if let Some((_, true, note)) = &repaired {
                ui.colored_label(crate::app::views::widgets::PASS, note);
            }
            library_view(ui, &mut vm)
        })
        .inner;
    state.filter = vm.filter;
    match action {
        Some(LibraryAction::Select(index)) => scenarios.select_index(index),
        Some(LibraryAction::Start(id)) => {
            if let Some(file) = scenarios.path_of(&id) {
                scenarios.select(&file);
                commands.run_system_cached_with(crate::app::run::begin, file);
                next.set(Screen::Encounter);
            }
        }
        Some(LibraryAction::OpenHistory) => next.set(Screen::History),
        Some(LibraryAction::OpenDrill) => next.set(Screen::Drill),
        Some(LibraryAction::OpenExams) => next.set(Screen::Exam),
        Some(LibraryAction::Resume) => {
            if let Some(pending) = state.resume.take()
                && let (Some(file), Some(encounter)) = (pending.file, pending.encounter)
            {
                scenarios.select(&file);
                commands.run_system_cached_with(crate::app::run::resume, (file, encounter, pending.attempt));
                next.set(Screen::Encounter);
            }
        }
        Some(LibraryAction::Discard) => {
            if let Some(pending) = state.resume.take() {
                records.abandon(Some(pending.attempt));
                state.best = trainee.profile.as_ref().map(|p| records.best(p.id)).unwrap_or_default();
            }
        }
        Some(LibraryAction::Drill(a)) => match drill.offer_unfinished(a, records.store(), &scenarios.library) {
            Ok(Some(screen)) => next.set(screen),
            Ok(None) => {
                state.unfinished_drills = unfinished_drills(&records, settings.lang, &zone.0);
                state.error = None;
            }
            Err(e) => state.error = Some(e),
        },
        Some(LibraryAction::Author(id)) => {
            if let Some(file) = scenarios.path_of(&id) {
                scenarios.select(&file);
                next.set(Screen::Author);
            }
        }
        Some(LibraryAction::Repair(path)) => {
            state.repair = Some(repair(&path, settings.lang));
            commands.run_system_cached(crate::app::reload::rescan_now);
        }
        None => {}
    }
    Ok(())
}

/// Repairs a file's typing slips in place (its original kept as .bak) and
/// says what happened in the UI language.
fn repair(path: &std::path::Path, lang: Lang) -> (std::path::PathBuf, bool, String) {
    let name = display_path(path);
    let said = match fix_file(path, false) {
        Ok(FileFix { fixed, backup: Some(backup) }) => {
            let kept = display_path(&backup);
            let n = fixed.changes.len();
            let loads = fixed.remaining.is_none();
            let text = match (lang, loads) {
                (Lang::Zh, true) => format!("已修正 {name} 中的 {n} 处输入法符号，文件可以加载了；原文件备份在 {kept}"),
                (Lang::En, true) => format!("Repaired {n} typing slip(s) in {name}; it loads now. The original is kept in {kept}"),
                (Lang::Zh, false) => format!("已修正 {name} 中的 {n} 处输入法符号；还有问题需要手动修改（见上）。原文件备份在 {kept}"),
                (Lang::En, false) => format!("Repaired {n} typing slip(s) in {name}; a problem is left to fix by hand (above). The original is kept in {kept}"),
            };
            (loads, text)
        }
        Ok(FileFix { backup: None, .. }) => (false, tr(lang, "没有可以自动修正的地方，请按上面的提示手动修改。", "Nothing could be repaired for certain: change the file as the message above says.").to_string()),
        Err(FixFileError::NotText(d)) => (false, d.message_in(lang).to_string()),
        Err(e) => (false, match lang {
            Lang::Zh => format!("无法修正 {name}：{e}"),
            Lang::En => format!("Could not repair {name}: {e}"),
        }),
    };
    (path.to_path_buf(), said.0, said.1)
}

/// Puts the last repair's note on its file's card while it still fails.
fn with_repair_note(mut cards: Vec<Card>, repair: Option<&(std::path::PathBuf, bool, String)>) -> Vec<Card> {
    if let Some((path, ok, note)) = repair {
        for card in &mut cards {
            if let Card::Error(c) = card
                && &c.path == path
            {
                c.repair_note = Some((*ok, note.clone()));
            }
        }
    }
    cards
}
