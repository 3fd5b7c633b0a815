//! The encounter in progress, and every way one starts, goes on and ends:
//! a recorded attempt (`begin`), a resumed one (`resume`), an author's
//! unrecorded practice from a chosen turn (`begin_practice`), an answer
//! (`answer`), the finish (`finish`) and leaving midway (`leave`). Screens
//! call these; none of them starts or saves a run by itself.

use crate::app::session::{Scenarios, Trainee};
use crate::app::settings::Records;
use crate::app::views::author::PracticeSetup;
use bevy::prelude::*;
use bevy::time::Real;
use counterpart_core::play::engine::Encounter;
use counterpart_core::play::score::AttemptResult;
use counterpart_core::scenario::model::DiscStyle;
use std::path::PathBuf;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<CurrentRun>();
}

/// The encounter on screen or just finished; None between encounters.
#[derive(Resource, Default)]
pub struct CurrentRun(pub Option<Run>);

/// An encounter in progress or just finished.
pub struct Run {
    /// The scenario file it was started from (its script may have been
    /// reloaded or removed since; the encounter keeps the version it plays).
    pub file: PathBuf,
    pub encounter: Encounter,
    /// Real time (seconds) when the encounter and the current turn began.
    pub started: f64,
    pub turn_started: f64,
    pub attempt: Option<i64>,
    pub ticket: String,
    pub disc_guess: Option<DiscStyle>,
    /// Set once the guess is confirmed and the attempt saved.
    pub finished: bool,
    pub save_error: Option<String>,
    /// The turn an author's practice run started from ("play from here");
    /// such a run is never recorded.
    pub practice_from: Option<String>,
}

impl Run {
    /// A run starting now; the queue ticket follows from the seed so a
    /// replayed attempt shows the same number.
    pub fn new(file: PathBuf, encounter: Encounter, now: f64, attempt: Option<i64>, save_error: Option<String>) -> Run {
        let ticket = format!("A{:03}", encounter.seed() % 200 + 1);
        Run {
            file,
            encounter,
            started: now,
            turn_started: now,
            attempt,
            ticket,
            disc_guess: None,
            finished: false,
            save_error,
            practice_from: None,
        }
    }

    pub fn is_practice(&self) -> bool {
        self.practice_from.is_some()
    }
}

/// Seconds since the app started, read at the moment of the call, for
/// answer timing. Not `Time<Real>::elapsed`: with the render world that is
/// the instant the *previous* frame finished rendering, so on the first
/// frame after the reactive loop slept (every key press on a counter turn)
/// it is behind by the whole idle time, and each answer's response time
/// would land on the next turn.
pub fn now_secs(time: &Time<Real>) -> f64 {
    time.startup().elapsed().as_secs_f64()
}

/// A fresh seed per attempt, so wording and option order vary between tries.
pub fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

/// Starts an encounter with the scenario in `file` and opens its record.
pub fn begin(
    In(file): In<PathBuf>,
    scenarios: Res<Scenarios>,
    trainee: Res<Trainee>,
    mut current: ResMut<CurrentRun>,
    records: Res<Records>,
    time: Res<Time<Real>>,
) {
    let Some(script) = scenarios.script_at(&file).cloned() else { return };
    let seed = fresh_seed();
    let encounter = Encounter::new(script.clone(), seed);
    let (attempt, save_error) = match &trainee.profile {
        Some(profile) => match records.begin_attempt(profile.id, &script, seed) {
            Ok(attempt) => (attempt, None),
            Err(e) => (None, Some(e)),
        },
        None => (None, None),
    };
    current.0 = Some(Run::new(file, encounter, now_secs(&time), attempt, save_error));
}

/// Continues an unfinished attempt: the replayed encounter goes on, and new
/// steps are committed to the same record after the ones already there.
pub fn resume(In((file, encounter, attempt)): In<(PathBuf, Encounter, i64)>, mut current: ResMut<CurrentRun>, time: Res<Time<Real>>) {
    current.0 = Some(Run::new(file, encounter, now_secs(&time), Some(attempt), None));
}

/// Starts an unrecorded practice run of `file` at turn `turn`.
pub fn begin_practice(scenarios: &Scenarios, current: &mut CurrentRun, file: PathBuf, turn: &str, setup: &PracticeSetup, now: f64) -> Result<(), String> {
    let script = scenarios.script_at(&file).cloned().ok_or_else(|| "the scenario is not loaded".to_string())?;
    let flags = setup.set_flags();
    let names: Vec<&str> = flags.iter().map(String::as_str).collect();
    let encounter = Encounter::from_situation(script, fresh_seed(), turn, setup.mood(), &names).map_err(|e| e.to_string())?;
    current.0 = Some(Run {
        file,
        encounter,
        started: now,
        turn_started: now,
        // No attempt: practice is never saved as a trainee's result.
        attempt: None,
        ticket: "P000".into(),
        disc_guess: None,
        finished: false,
        save_error: None,
        practice_from: Some(turn.to_string()),
    });
    Ok(())
}

/// Answers the current turn with option `choice` (in file order) after
/// `secs` on a timed turn, and commits the step. A stale choice is ignored.
pub fn answer(run: &mut Run, records: &Records, choice: usize, secs: Option<f32>, now: f64) {
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

/// Confirms the DISC guess and saves the finished attempt, once. False
/// when the encounter has not ended.
pub fn finish(run: &mut Run, records: &Records) -> bool {
    let Some(ending) = run.encounter.ending() else { return false };
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
    true
}

/// Leaves the run midway: an unfinished recorded attempt is marked abandoned.
pub fn leave(current: &mut CurrentRun, records: &Records) {
    if let Some(run) = current.0.take()
        && !run.finished
    {
        records.abandon(run.attempt);
    }
}
