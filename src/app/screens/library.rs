//! Library screen: scenario cards from the loaded files.

use super::{PendingResume, Screen, Session, UiSet};
use counterpart_core::play::engine::Encounter;
use crate::app::settings::{Records, Settings};
use crate::app::views::library::{Card, ErrorCard, LibraryAction, LibraryVm, ResumeOffer, ScenarioCard, library_view};
use counterpart_core::library::load::{LoadedFile, display_path};
use counterpart_core::scenario::model::Lang;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::collections::HashMap;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Library), refresh_best);
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Library)));
}

fn refresh_best(mut session: ResMut<Session>, records: Res<Records>) {
    session.best = session.profile.as_ref().map(|p| records.best(p.id)).unwrap_or_default();
    session.resume = session.profile.as_ref().and_then(|p| pending_resume(&session, &records, p.id));
}

/// The trainee's most recent unfinished attempt, replayed on the current
/// script. Older unfinished attempts are marked abandoned: only the latest
/// is worth continuing, and the library should not nag about each.
fn pending_resume(session: &Session, records: &Records, profile: i64) -> Option<PendingResume> {
    let mut unfinished = records.unfinished(profile).ok()?;
    unfinished.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
    if session.run.as_ref().is_some_and(|r| !r.finished) {
        // This session's own encounter is not a crash.
        let current = session.run.as_ref().and_then(|r| r.attempt);
        unfinished.retain(|a| Some(a.id) != current);
    }
    let (latest, older) = unfinished.split_first()?;
    for a in older {
        records.abandon(Some(a.id));
    }
    let file = session.find(&latest.scenario_id);
    let replayed = match (file.and_then(|f| session.script(f)), records.attempt(latest.id)) {
        (None, _) => Err(tr_both("这个场景已不在场景库中", "the scenario is no longer in the library")),
        (_, Err(e)) => Err(e),
        (Some(script), Ok(_)) if script.scenario.version != latest.scenario_version => Err(tr_both(
            "场景在这次练习之后修改过，无法接着做",
            "the scenario was changed since, so it cannot be continued",
        )),
        (Some(script), Ok(record)) => Encounter::replay_answers(script.clone(), latest.seed, &record.answers())
            .map_err(|e| format!("{} ({e})", tr_both("无法重放已答的轮次", "the answered turns cannot be replayed"))),
    };
    let (encounter, problem) = match replayed {
        Ok(e) => (Some(e), None),
        Err(p) => (None, Some(p)),
    };
    Some(PendingResume {
        attempt: latest.id,
        scenario_id: latest.scenario_id.clone(),
        started_at: latest.started_at.replace('T', " ").chars().take(16).collect(),
        steps: latest.steps,
        file,
        encounter,
        problem,
    })
}

fn tr_both(zh: &str, en: &str) -> String {
    format!("{zh} / {en}")
}

fn resume_offer(pending: &PendingResume, session: &Session, lang: Lang) -> ResumeOffer {
    ResumeOffer {
        title: pending
            .file
            .and_then(|f| session.script(f))
            .map_or_else(|| pending.scenario_id.clone(), |s| s.scenario.title.get(lang).to_string()),
        started: pending.started_at.clone(),
        steps: pending.steps,
        problem: pending.problem.clone(),
    }
}

/// One card per loaded file, in file order.
pub fn cards(files: &[LoadedFile], lang: Lang, best: &HashMap<String, (f32, bool)>) -> Vec<Card> {
    files
        .iter()
        .map(|file| match &file.outcome {
            Ok(script) => {
                let s = &script.scenario;
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
                })
            }
            Err(diagnostics) => Card::Error(ErrorCard {
                file: display_path(&file.path),
                diagnostics: diagnostics.iter().map(|d| format!("{}: {}", d.location(), d.message)).collect(),
            }),
        })
        .collect()
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut session: ResMut<Session>,
    settings: Res<Settings>,
    records: Res<Records>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut vm = LibraryVm {
        lang: settings.lang,
        cards: cards(&session.library.files(), settings.lang, &session.best),
        selected: session.selected,
        filter: std::mem::take(&mut session.filter),
        resume: session.resume.as_ref().map(|p| resume_offer(p, &session, settings.lang)),
    };
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| library_view(ui, &mut vm)).inner;
    session.filter = vm.filter;
    match action {
        Some(LibraryAction::Select(index)) => session.selected = index,
        Some(LibraryAction::Start(id)) => {
            if let Some(file) = session.find(&id) {
                session.selected = file;
                commands.run_system_cached_with(super::encounter::begin, file);
                next.set(Screen::Encounter);
            }
        }
        Some(LibraryAction::OpenHistory) => next.set(Screen::History),
        Some(LibraryAction::OpenDrill) => next.set(Screen::Drill),
        Some(LibraryAction::Resume) => {
            if let Some(pending) = session.resume.take()
                && let (Some(file), Some(encounter)) = (pending.file, pending.encounter)
            {
                session.selected = file;
                commands.run_system_cached_with(super::encounter::resume, (file, encounter, pending.attempt));
                next.set(Screen::Encounter);
            }
        }
        Some(LibraryAction::Discard) => {
            if let Some(pending) = session.resume.take() {
                records.abandon(Some(pending.attempt));
                session.best = session.profile.as_ref().map(|p| records.best(p.id)).unwrap_or_default();
            }
        }
        Some(LibraryAction::Author(id)) => {
            if let Some(file) = session.find(&id) {
                session.selected = file;
                next.set(Screen::Author);
            }
        }
        None => {}
    }
    Ok(())
}
