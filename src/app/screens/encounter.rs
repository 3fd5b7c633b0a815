//! Encounter screen: plays the script, times the turns, saves each step.

use super::{Run, Screen, Session, UiSet};
use crate::app::portrait::Look;
use crate::app::settings::{Records, Settings};
use crate::app::views::encounter::{Bubble, EncounterAction, EncounterVm, EndingVm, PromptVm, Speaker, encounter_view};
use counterpart_core::play::engine::Encounter;
use counterpart_core::scenario::model::{Channel, Lang};
use counterpart_core::play::score::AttemptResult;
use bevy::prelude::*;
use bevy::time::Real;
use bevy::winit::{UpdateMode, WinitSettings};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Encounter)));
    app.add_systems(OnExit(Screen::Encounter), calm_redraws);
}

/// A fresh seed per attempt, so wording varies between tries.
pub fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

/// Starts an encounter with the scenario in `file` and opens its record.
pub fn begin(In(file): In<usize>, mut session: ResMut<Session>, records: Res<Records>, time: Res<Time<Real>>) {
    let Some(script) = session.script(file).cloned() else { return };
    let seed = fresh_seed();
    let encounter = Encounter::new(script.clone(), seed);
    let (attempt, save_error) = match &session.profile {
        Some(profile) => match records.begin_attempt(profile.id, &script.scenario.id, script.scenario.version, seed) {
            Ok(attempt) => (attempt, None),
            Err(e) => (None, Some(e)),
        },
        None => (None, None),
    };
    session.run = Some(Run::new(file, encounter, super::now_secs(&time), attempt, save_error));
}

/// Continues an unfinished attempt: the replayed encounter goes on, and new
/// steps are committed to the same record after the ones already there.
pub fn resume(In((file, encounter, attempt)): In<(usize, Encounter, i64)>, mut session: ResMut<Session>, time: Res<Time<Real>>) {
    session.run = Some(Run::new(file, encounter, super::now_secs(&time), Some(attempt), None));
}

fn calm_redraws(mut winit: ResMut<WinitSettings>) {
    *winit = crate::app::redraw::idle_winit();
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
    mut session: ResMut<Session>,
    records: Res<Records>,
    settings: Res<Settings>,
    time: Res<Time<Real>>,
    mut winit: ResMut<WinitSettings>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let now = super::now_secs(&time);
    let Some(run) = session.run.as_mut() else {
        // Nothing to play (the scenario vanished): back to the library.
        next.set(Screen::Library);
        return Ok(());
    };
    let vm = encounter_vm(run, settings.lang, now);
    // Timers only tick while visible: a hotline turn redraws twice a
    // second, everything else waits for input.
    let ticking = vm.channel == Channel::Hotline && vm.prompt.is_some();
    let wanted = if ticking {
        WinitSettings {
            focused_mode: UpdateMode::reactive(Duration::from_millis(500)),
            unfocused_mode: UpdateMode::reactive(Duration::from_millis(500)),
        }
    } else {
        crate::app::redraw::idle_winit()
    };
    if winit.focused_mode != wanted.focused_mode {
        *winit = wanted;
    }
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| encounter_view(ui, &vm)).inner;
    match action {
        Some(EncounterAction::Choose(position)) => {
            let secs = vm.prompt.as_ref().and_then(|p| p.time_limit).map(|_| vm.turn_secs);
            // The view offers positions as shown; a stale frame must not
            // crash the app: a position with no option is just ignored.
            let choice = vm.prompt.as_ref().and_then(|p| p.option_at(position)).unwrap_or(usize::MAX);
            if let Ok(step) = run.encounter.choose(choice, secs) {
                let step = step.clone();
                let index = run.encounter.steps().len() - 1;
                if let Err(e) = records.record_step(run.attempt, index, &step) {
                    warn!("could not save step: {e}");
                    run.save_error = Some(e);
                }
                run.turn_started = now;
            }
        }
        Some(EncounterAction::Guess(style)) => run.disc_guess = Some(style),
        Some(EncounterAction::ConfirmGuess) => {
            if let Some(ending) = run.encounter.ending() {
                let result = AttemptResult {
                    card: run.encounter.score(),
                    ending_id: ending.id.clone(),
                    outcome: ending.outcome,
                    disc_guess: run.disc_guess,
                    persona: run.encounter.persona_view().id,
                };
                if !run.finished
                    && let Err(e) = records.finish_attempt(run.attempt, &result)
                {
                    warn!("could not save the attempt: {e}");
                    run.save_error = Some(e);
                }
                run.finished = true;
                next.set(Screen::Debrief);
            }
        }
        None => {}
    }
    Ok(())
}
