//! Encounter screen: plays the script, times the turns, saves each step.

use super::{Screen, UiSet};
use crate::app::run::{self, CurrentRun, Run};
use crate::app::portrait::Look;
use crate::app::settings::{Records, Settings};
use crate::app::views::encounter::{Bubble, EncounterAction, EncounterVm, EndingVm, PromptVm, Speaker, encounter_view};
use counterpart_core::scenario::model::Lang;
use bevy::prelude::*;
use bevy::time::Real;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Encounter)));
}

/// An author's practice run goes back to the author view (the run stays:
/// the screen still draws this frame); a trainee's encounter is left,
/// abandoned if unfinished, for the library.
fn back(
    mut back: MessageReader<super::Back>,
    screen: Res<State<Screen>>,
    mut current: ResMut<CurrentRun>,
    records: Res<Records>,
    mut next: ResMut<NextState<Screen>>,
) {
    if !super::back_on(Screen::Encounter, &mut back, &screen) {
        return;
    }
    if current.0.as_ref().is_some_and(Run::is_practice) {
        next.set(Screen::Author);
    } else {
        run::leave(&mut current, &records);
        next.set(Screen::Library);
    }
}

pub fn encounter_vm(run: &Run, lang: Lang, now: f64) -> EncounterVm {
    let encounter = &run.encounter;
    let scenario = encounter.scenario();
    let mut transcript = Vec::new();
    for step in encounter.steps() {
        let turn = scenario.turns.get(step.turn);
        transcript.push(Bubble {
            speaker: Speaker::Citizen,
            text: step.said.get(lang).to_string(),
            cue: turn.and_then(|t| t.cue.as_ref()).map(|c| c.get(lang).to_string()),
        });
        let chosen = turn.and_then(|t| t.options.get(step.choice)).map(|o| o.text.get(lang).to_string());
        transcript.push(Bubble { speaker: Speaker::Trainee, text: chosen.unwrap_or_default(), cue: None });
    }
    let prompt = encounter.prompt().map(|prompt| {
        transcript.push(Bubble {
            speaker: Speaker::Citizen,
            text: prompt.said.get(lang).to_string(),
            cue: prompt.turn.cue.as_ref().map(|c| c.get(lang).to_string()),
        });
        PromptVm {
            options: prompt.shown().map(|(_, o)| o.text.get(lang).to_string()).collect(),
            order: prompt.order.to_vec(),
            time_limit: prompt.time_limit,
        }
    });
    let ending = encounter.ending().map(|e| EndingVm { outcome: e.outcome.label().get(lang).to_string(), text: e.text.get(lang).to_string() });
    EncounterVm {
        lang,
        title: scenario.title.get(lang).to_string(),
        channel: scenario.channel,
        citizen_name: scenario.citizen.name.get(lang).to_string(),
        citizen_age: scenario.citizen.age,
        situation: scenario.citizen.situation.get(lang).to_string(),
        look: Look::for_citizen(&scenario.id, scenario.citizen.age),
        mood: encounter.mood(),
        transcript,
        prompt,
        ending,
        elapsed_secs: (now - run.started) as f32,
        turn_secs: (now - run.turn_started) as f32,
        ticket: run.ticket.clone(),
        disc_guess: run.disc_guess,
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut current: ResMut<CurrentRun>,
    records: Res<Records>,
    settings: Res<Settings>,
    time: Res<Time<Real>>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let now = run::now_secs(&time);
    let Some(run) = current.0.as_mut() else {
        // Nothing to play (the scenario vanished): back to the library.
        next.set(Screen::Library);
        return Ok(());
    };
    let vm = encounter_vm(run, settings.lang, now);
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| encounter_view(ui, &vm)).inner;
    match action {
        Some(EncounterAction::Choose(position)) => {
            let secs = vm.prompt.as_ref().and_then(|p| p.time_limit).map(|_| vm.turn_secs);
            // The view offers positions as shown; a stale frame must not
            // crash the app: a position with no option is just ignored.
            let choice = vm.prompt.as_ref().and_then(|p| p.option_at(position)).unwrap_or(usize::MAX);
            run::answer(run, &records, choice, secs, now);
        }
        Some(EncounterAction::Guess(style)) => run.disc_guess = Some(style),
        Some(EncounterAction::ConfirmGuess) => {
            if run::finish(run, &records) {
                next.set(Screen::Debrief);
            }
        }
        None => {}
    }
    Ok(())
}
