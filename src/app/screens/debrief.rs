//! Debrief screen: the finished encounter's score and replay.

use super::{Screen, UiSet};
use crate::app::run::{self, CurrentRun, Run};
use crate::app::session::Scenarios;
use crate::app::settings::Settings;
use crate::app::views::debrief::{DebriefAction, DebriefVm, ReplayTurn, debrief_view};
use counterpart_core::scenario::model::Lang;
use counterpart_core::play::rubric::Dimension;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Debrief)));
}

/// A practice run's debrief goes back to the author view, a trainee's to the library.
fn back(mut back: MessageReader<super::Back>, screen: Res<State<Screen>>, current: Res<CurrentRun>, mut next: ResMut<NextState<Screen>>) {
    if super::back_on(Screen::Debrief, &mut back, &screen) {
        next.set(if current.0.as_ref().is_some_and(Run::is_practice) { Screen::Author } else { Screen::Library });
    }
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
    mut scenarios: ResMut<Scenarios>,
    mut current: ResMut<CurrentRun>,
    settings: Res<Settings>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
    mut author: ResMut<super::author::AuthorState>,
    time: Res<Time<Real>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(run) = current.0.as_ref() else {
        next.set(Screen::Library);
        return Ok(());
    };
    let file = run.file.clone();
    let next_file = scenarios.next_playable(&file);
    let vm = debrief_vm(run, settings.lang, next_file.is_some());
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| debrief_view(ui, &vm)).inner;
    if let Some(turn) = run.practice_from.clone() {
        match action {
            Some(DebriefAction::TryAgain) => {
                // The same starting point and setup, a fresh wording seed.
                match run::begin_practice(&scenarios, &mut current, file, &turn, &author.practice, run::now_secs(&time)) {
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
            commands.run_system_cached_with(run::begin, file);
            next.set(Screen::Encounter);
        }
        Some(DebriefAction::Next) => {
            if let Some(next_file) = next_file {
                scenarios.select(&next_file);
                commands.run_system_cached_with(run::begin, next_file);
                next.set(Screen::Encounter);
            }
        }
        Some(DebriefAction::Library) => next.set(Screen::Library),
        None => {}
    }
    Ok(())
}
