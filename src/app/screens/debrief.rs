//! Debrief screen: the finished encounter's score and replay.

use super::{Run, Screen, Session, UiSet};
use crate::app::settings::Settings;
use crate::app::views::debrief::{DebriefAction, DebriefVm, ReplayTurn, debrief_view};
use counterpart_core::scenario::model::Lang;
use counterpart_core::play::rubric::Dimension;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Debrief)));
}

pub fn debrief_vm(run: &Run, lang: Lang, has_next: bool) -> DebriefVm {
    let encounter = &run.encounter;
    let scenario = encounter.scenario();
    let card = encounter.score();
    let ending = encounter.ending();
    let persona = encounter.persona_view();
    DebriefVm {
        lang,
        title: scenario.title.get(lang).to_string(),
        dimensions: Dimension::ALL
            .iter()
            .map(|d| (d.label().get(lang).to_string(), card.dimension(*d)))
            .collect(),
        overall: card.overall,
        passed: card.passed,
        outcome: ending.map(|e| e.outcome.label().get(lang).to_string()).unwrap_or_default(),
        ending_text: ending.map(|e| e.text.get(lang).to_string()).unwrap_or_default(),
        red_flags: card.red_flags.iter().map(|f| f.label().get(lang).to_string()).collect(),
        notes: card.notes.iter().map(|n| n.text().get(lang).to_string()).collect(),
        disc_guess: run.disc_guess,
        disc_primary: persona.disc.primary,
        disc_secondary: persona.disc.secondary,
        rating: card.rating,
        persona: (scenario.citizen.persona_count() > 1)
            .then(|| if persona.label.get(lang).is_empty() { persona.id.clone() } else { persona.label.get(lang).to_string() }),
        turns: encounter
            .debrief()
            .into_iter()
            .map(|t| ReplayTurn {
                stage: t.stage.label().get(lang).to_string(),
                said: t.said.get(lang).to_string(),
                chosen: t.chosen.get(lang).to_string(),
                mood_before: t.mood_before,
                mood_after: t.mood_after,
                quality: t.quality,
                feedback: t.feedback.get(lang).to_string(),
                red_flag: t.red_flag.map(|f| f.label().get(lang).to_string()),
                premature_solution: t.premature_solution,
                timed_out: t.timed_out,
                better: t.better.map(|b| (b.text.get(lang).to_string(), b.feedback.get(lang).to_string())),
            })
            .collect(),
        has_next: has_next && run.practice_from.is_none(),
        save_error: run.save_error.clone(),
        practice_from: run.practice_from.clone(),
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut session: ResMut<Session>,
    settings: Res<Settings>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
    mut author: ResMut<super::author::AuthorState>,
    time: Res<Time<Real>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(run) = session.run.as_ref() else {
        next.set(Screen::Library);
        return Ok(());
    };
    let file = run.file;
    let next_file = session.next_playable(file);
    let vm = debrief_vm(run, settings.lang, next_file.is_some());
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| debrief_view(ui, &vm)).inner;
    if let Some(turn) = run.practice_from.clone() {
        match action {
            Some(DebriefAction::TryAgain) => {
                // The same starting point and setup, a fresh wording seed.
                match super::author::begin_practice(&mut session, file, &turn, &author.practice, super::now_secs(&time)) {
                    Ok(()) => next.set(Screen::Encounter),
                    Err(e) => {
                        author.error = Some(e);
                        next.set(Screen::Author);
                    }
                }
            }
            Some(DebriefAction::Library | DebriefAction::Next) => next.set(Screen::Author),
            None => {}
        }
        return Ok(());
    }
    match action {
        Some(DebriefAction::TryAgain) => {
            commands.run_system_cached_with(super::encounter::begin, file);
            next.set(Screen::Encounter);
        }
        Some(DebriefAction::Next) => {
            if let Some(next_file) = next_file {
                session.selected = next_file;
                commands.run_system_cached_with(super::encounter::begin, next_file);
                next.set(Screen::Encounter);
            }
        }
        Some(DebriefAction::Library) => next.set(Screen::Library),
        None => {}
    }
    Ok(())
}
