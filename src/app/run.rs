//! The encounter in progress, and every way one starts, goes on and ends:
//! a recorded attempt (`begin`), a resumed one (`resume`), an author's
//! unrecorded practice from a chosen turn (`begin_practice`), an answer
//! (`answer`), the finish (`finish`) and leaving midway (`leave`); a
//! drawn scenario of an exam sitting (`begin_exam`) and its clock. Screens
//! call these; none of them starts or saves a run by itself.

use crate::app::session::{Scenarios, Trainee};
use crate::app::settings::Records;
use crate::app::views::author::PracticeSetup;
use bevy::prelude::*;
use bevy::time::Real;
use counterpart_core::play::engine::Encounter;
use counterpart_core::play::score::AttemptResult;
use counterpart_core::knowledge::Segmenter;
use counterpart_core::library::knowledge::Desk;
use counterpart_core::records::store::Lookup;
use counterpart_core::scenario::model::{DiscStyle, Message, Text};
use counterpart_core::notice::{Notice, NoticeOutcome, NoticeReport, card_with_notice};
use counterpart_core::workorder::{OrderOutcome, OrderReport, WorkOrder, card_with_order};
use crate::app::views::workorder::DeskTab;
use std::path::PathBuf;
use std::sync::Arc;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<CurrentRun>();
    app.init_resource::<Words>();
}

/// jieba's segmenter for search and order scoring, one for the app's run.
/// It reads its dictionary the first time text is cut (a Chinese search, a
/// work order scored), so neither start-up nor an encounter waits for it.
#[derive(Resource, Default)]
pub struct Words(Segmenter);

impl Words {
    pub fn get(&self) -> &Segmenter {
        &self.0
    }
}

/// The desk beside one encounter: the work order as typed, the knowledge
/// search, and what was looked up.
#[derive(Debug, Clone, Default)]
pub struct DeskState {
    pub tab: DeskTab,
    pub order: WorkOrder,
    /// The answers given when the order was handed in; None until then.
    pub submitted_after: Option<usize>,
    /// The order as last stored, so a draft is written only when it changed.
    pub saved: WorkOrder,
    pub query: String,
    pub open: Option<String>,
    pub lookups: Vec<Lookup>,
    /// The order scored, once the attempt finished.
    pub report: Option<OrderReport>,
    /// The one-time notice as assembled (counter scenarios with notice truth).
    pub notice: Notice,
    /// The answers given when the notice was handed over; None until then.
    pub notice_handed_after: Option<usize>,
    /// The notice as last stored, so a draft is written only when it changed.
    pub notice_saved: Notice,
    /// The notice scored, once the attempt finished.
    pub notice_report: Option<NoticeReport>,
    /// Where the citizen's copy was last written, or why it could not be.
    pub printed: Option<Result<PathBuf, Text>>,
}

impl DeskState {
    pub fn submitted(&self) -> bool {
        self.submitted_after.is_some()
    }

    pub fn notice_handed(&self) -> bool {
        self.notice_handed_after.is_some()
    }
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
    /// Why this run is not (fully) being saved, shown in the interface's language.
    pub save_error: Option<Text>,
    /// The turn an author's practice run started from ("play from here");
    /// such a run is never recorded.
    pub practice_from: Option<String>,
    /// The knowledge base, categories and city rules of the scenario's folder.
    pub at_hand: Arc<Desk>,
    pub desk: DeskState,
    /// Set for a drawn scenario of an exam sitting.
    pub exam: Option<ExamRun>,
}

impl Run {
    /// A run starting now; the queue ticket follows from the seed so a
    /// replayed attempt shows the same number.
    pub fn new(file: PathBuf, encounter: Encounter, now: f64, attempt: Option<i64>, save_error: Option<Text>) -> Run {
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
            // Loaded by `begin`, `resume` and `begin_practice`: a drill
            // builds a Run each frame to draw its hot seat, and must not
            // read the knowledge folder each time.
            at_hand: Arc::default(),
            desk: DeskState::default(),
            exam: None,
        }
    }

    /// The card as it stands: the conversation's score, the order's caps
    /// and the notice's once they have been scored, then the risk
    /// protocol's verdict (last, so no cap can lift a missed protocol's fail).
    pub fn card(&self) -> counterpart_core::play::score::ScoreCard {
        let card = self.encounter.score();
        let card = match &self.desk.report {
            Some(report) => counterpart_core::workorder::apply_caps(&card, report),
            None => card,
        };
        let card = match &self.desk.notice_report {
            Some(report) => counterpart_core::notice::apply_notice(&card, report),
            None => card,
        };
        counterpart_core::play::protocol::apply_protocol(&card, &self.encounter.protocol_report())
    }

    /// Whether this scenario's record is scored: an order, or rightly none.
    pub fn wants_order(&self) -> bool {
        let scenario = self.encounter.scenario();
        scenario.work_order.is_some() || scenario.no_order.is_some()
    }

    /// Whether this counter scenario scores a one-time notice.
    pub fn wants_notice(&self) -> bool {
        self.encounter.scenario().notice.is_some()
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
    let desk = Arc::new(Desk::for_file(&file));
    let mut run = Run::new(file, encounter, now_secs(&time), attempt, save_error);
    run.at_hand = desk;
    current.0 = Some(run);
}

/// Continues an unfinished attempt: the replayed encounter goes on, and new
/// steps are committed to the same record after the ones already there.
/// The work order as it was last saved and the lookups made come back too,
/// so the desk is as the trainee left it.
pub fn resume(
    In((file, encounter, attempt)): In<(PathBuf, Encounter, i64)>,
    mut current: ResMut<CurrentRun>,
    records: Res<Records>,
    time: Res<Time<Real>>,
) {
    let desk = Arc::new(Desk::for_file(&file));
    let mut run = Run::new(file, encounter, now_secs(&time), Some(attempt), None);
    run.at_hand = desk;
    match records.attempt(attempt) {
        Ok(record) => restore_desk(&mut run.desk, &record),
        Err(e) => run.save_error = Some(e),
    }
    current.0 = Some(run);
}

/// The desk of a stored attempt: its order (draft or handed in) and lookups,
/// the last entry opened shown again.
pub fn restore_desk(desk: &mut DeskState, record: &counterpart_core::records::store::AttemptRecord) {
    if let Some(stored) = &record.work_order {
        desk.order = stored.order.clone();
        desk.saved = stored.order.clone();
        desk.submitted_after = stored.submitted_after_step;
    }
    if let Some(stored) = &record.notice {
        desk.notice = stored.notice.clone();
        desk.notice_saved = stored.notice.clone();
        desk.notice_handed_after = stored.handed_after_step;
    }
    desk.lookups = record.lookups.clone();
    if let Some(last) = record.lookups.last() {
        desk.open = Some(last.entry.clone());
        desk.query = last.query.clone();
    }
}

/// Stores the order as a draft when it changed since the last save.
pub fn save_draft(run: &mut Run, records: &Records) {
    if run.desk.submitted() || run.desk.order == run.desk.saved {
        return;
    }
    if let (Some(store), Some(attempt)) = (records.store(), run.attempt) {
        if let Err(e) = store.save_work_order(attempt, &run.desk.order, None) {
            warn!("could not save the work order: {e}");
            run.save_error = Some(e.message());
            return;
        }
    }
    run.desk.saved = run.desk.order.clone();
}

/// Stores the notice as a draft when it changed since the last save.
pub fn save_notice_draft(run: &mut Run, records: &Records) {
    if run.desk.notice_handed() || run.desk.notice == run.desk.notice_saved {
        return;
    }
    if let (Some(store), Some(attempt)) = (records.store(), run.attempt) {
        if let Err(e) = store.save_notice(attempt, &run.desk.notice, None) {
            warn!("could not save the notice: {e}");
            run.save_error = Some(e.message());
            return;
        }
    }
    run.desk.notice_saved = run.desk.notice.clone();
}

/// Hands the notice over, as assembled, after the answers given so far; once.
pub fn hand_over_notice(run: &mut Run, records: &Records) {
    if run.desk.notice_handed() {
        return;
    }
    let after = run.encounter.steps().len();
    if let (Some(store), Some(attempt)) = (records.store(), run.attempt) {
        if let Err(e) = store.save_notice(attempt, &run.desk.notice, Some(after)) {
            warn!("could not save the notice: {e}");
            run.save_error = Some(e.message());
        }
    }
    run.desk.notice_saved = run.desk.notice.clone();
    run.desk.notice_handed_after = Some(after);
}

/// Hands the order in, as typed, after the answers given so far; once.
pub fn submit_order(run: &mut Run, records: &Records) {
    if run.desk.submitted() {
        return;
    }
    let after = run.encounter.steps().len();
    if let (Some(store), Some(attempt)) = (records.store(), run.attempt) {
        if let Err(e) = store.save_work_order(attempt, &run.desk.order, Some(after)) {
            warn!("could not save the work order: {e}");
            run.save_error = Some(e.message());
        }
    }
    run.desk.saved = run.desk.order.clone();
    run.desk.submitted_after = Some(after);
}

/// Opens knowledge entry `entry` beside the call and records the lookup.
pub fn open_entry(run: &mut Run, records: &Records, entry: &str) {
    run.desk.open = Some(entry.to_string());
    let lookup = Lookup { query: run.desk.query.clone(), entry: entry.to_string(), after_step: run.encounter.steps().len(), recorded_at: String::new() };
    if let (Some(store), Some(attempt)) = (records.store(), run.attempt) {
        if let Err(e) = store.record_lookup(attempt, &lookup) {
            warn!("could not save the lookup: {e}");
            run.save_error = Some(e.message());
        }
    }
    run.desk.lookups.push(lookup);
}

/// Starts an unrecorded practice run of `file` at turn `turn`.
pub fn begin_practice(scenarios: &Scenarios, current: &mut CurrentRun, file: PathBuf, turn: &str, setup: &PracticeSetup, now: f64) -> Result<(), Text> {
    let script = scenarios.script_at(&file).cloned().ok_or_else(|| Text::new("这个场景没有载入", "the scenario is not loaded"))?;
    let flags = setup.set_flags();
    let names: Vec<&str> = flags.iter().map(String::as_str).collect();
    let encounter = Encounter::from_situation(script, fresh_seed(), turn, setup.mood(), &names).map_err(|e| e.message())?;
    let file_for_desk = file.clone();
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
        at_hand: Arc::new(Desk::for_file(&file_for_desk)),
        desk: DeskState::default(),
        exam: None,
    });
    Ok(())
}

/// Starts a recorded targeted practice run from `situation` (the mistake
/// book's "practise from here"): the author's play-from-here start, as the
/// persona met there, with hints as in practice; the store keeps the
/// situation so the run replays from it and its answer counts for that mistake.
pub fn begin_targeted(
    scenarios: &Scenarios,
    trainee: &Trainee,
    records: &Records,
    current: &mut CurrentRun,
    situation: &counterpart_core::records::store::Situation,
    now: f64,
) -> Result<(), Text> {
    let missing = || not_in_library(&situation.scenario_id);
    let script = scenarios.library.script(&situation.scenario_id).cloned().ok_or_else(missing)?;
    let file = scenarios.path_of(&situation.scenario_id).ok_or_else(missing)?;
    let seed = fresh_seed();
    let encounter = situation.start(script.clone(), seed).map_err(|e| e.message())?;
    let (attempt, save_error) = match (&trainee.profile, records.store()) {
        (Some(profile), Some(store)) => match store.begin_targeted_attempt(profile.id, &script, seed, situation) {
            Ok(attempt) => (Some(attempt), None),
            Err(e) => (None, Some(e.message())),
        },
        _ => (None, records.problem.clone()),
    };
    let desk = Arc::new(Desk::for_file(&file));
    let mut run = Run::new(file, encounter, now, attempt, save_error);
    run.at_hand = desk;
    current.0 = Some(run);
    Ok(())
}

fn not_in_library(id: &str) -> Text {
    Text::new(format!("“{id}”不在场景库中"), format!("\"{id}\" is not in the library"))
}

/// Answers the current turn with option `choice` (in file order) after
/// `secs` on a timed turn, and commits the step. A stale choice is ignored.
pub fn answer(run: &mut Run, records: &Records, choice: usize, secs: Option<f32>, now: f64) {
    if let Ok(step) = run.encounter.choose(choice, secs) {
        let step = step.clone();
        let index = run.encounter.steps().len() - 1;
        if let Err(e) = records.record_step(run.attempt, index, &step) {
            warn!("could not save step: {}", e.en);
            run.save_error = Some(e);
        }
        run.turn_started = now;
        // The drafts go with each answer, so a crash loses no more of the
        // order or the notice than of the conversation.
        save_draft(run, records);
        save_notice_draft(run, records);
    }
}

/// Confirms the DISC guess and saves the finished attempt, once. False
/// when the encounter has not ended. A scenario asking for a work order
/// gets the order handed in as it stands, scored against what this call
/// revealed, and its caps on the card; one asking for a notice likewise
/// gets the notice handed over as it stands, and its caps after the
/// order's. The risk protocol's verdict comes last.
pub fn finish(run: &mut Run, records: &Records, words: &Words) -> bool {
    if run.encounter.ending().is_none() {
        return false;
    }
    let mut card = run.encounter.score();
    if run.wants_order() && !run.finished {
        submit_order(run, records);
        let (capped, report) = card_with_order(&run.encounter, Some(&run.desk.order), run.at_hand.context(words.get()));
        card = capped;
        run.desk.report = report;
    } else if let Some(report) = &run.desk.report {
        card = counterpart_core::workorder::apply_caps(&card, report);
    }
    if run.wants_notice() && !run.finished {
        hand_over_notice(run, records);
        let (capped, report) = card_with_notice(&card, run.encounter.scenario().notice.as_ref(), Some(&run.desk.notice), &run.at_hand.base);
        card = capped;
        run.desk.notice_report = report;
    } else if let Some(report) = &run.desk.notice_report {
        card = counterpart_core::notice::apply_notice(&card, report);
    }
    // A missed required protocol action fails the attempt whatever the caps.
    let card = counterpart_core::play::protocol::apply_protocol(&card, &run.encounter.protocol_report());
    let Some(ending) = run.encounter.ending() else { return false };
    let result = AttemptResult {
        card,
        ending_id: ending.id.clone(),
        outcome: ending.outcome,
        disc_guess: run.disc_guess,
        persona: run.encounter.persona_view().id,
    };
    let outcome = run.desk.report.as_ref().map(OrderOutcome::of);
    let notice = run.desk.notice_report.as_ref().map(NoticeOutcome::of);
    let saved = match (records.store(), run.attempt) {
        (Some(store), Some(attempt)) if !run.finished => store.finish_attempt_with(attempt, &result, outcome.as_ref(), notice.as_ref()).map_err(|e| e.message()),
        _ => Ok(()),
    };
    if let Err(e) = saved {
        warn!("could not save the attempt: {}", e.en);
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

/// A drawn scenario of an exam sitting, and its clocks. The scenario's
/// clock runs while it is on screen; it is written to the store every
/// second or so, so a crash loses at most that.
#[derive(Debug, Clone)]
pub struct ExamRun {
    pub sitting: i64,
    pub slot: usize,
    pub slots: usize,
    pub per_scenario_ms: u64,
    pub exam_ms: u64,
    /// This scenario's clock, and every other drawn scenario's, when this
    /// run began or went on.
    pub slot_base_ms: u64,
    pub others_ms: u64,
    /// Real time (seconds) when this run began or went on.
    pub since: f64,
    /// When the clock was last written.
    pub written: f64,
}

impl ExamRun {
    pub fn slot_ms(&self, now: f64) -> u64 {
        self.slot_base_ms + ((now - self.since).max(0.0) * 1000.0) as u64
    }

    pub fn scenario_left_secs(&self, now: f64) -> f32 {
        (self.per_scenario_ms as f64 - self.slot_ms(now) as f64).max(0.0) as f32 / 1000.0
    }

    pub fn exam_left_secs(&self, now: f64) -> f32 {
        (self.exam_ms as f64 - (self.others_ms + self.slot_ms(now)) as f64).max(0.0) as f32 / 1000.0
    }

    /// The scenario's time or the whole exam's is up.
    pub fn time_up(&self, now: f64) -> bool {
        self.scenario_left_secs(now) <= 0.0 || self.exam_left_secs(now) <= 0.0
    }
}

/// Begins, or goes on with, the next drawn scenario of an open sitting:
/// the attempt is the sitting's (the draw's seed and persona), a scenario
/// begun before (Esc, a crash) is replayed from its stored answers with
/// its desk and its clock as last written. None when every drawn scenario
/// is done.
pub fn begin_exam(scenarios: &Scenarios, store: &counterpart_core::records::store::Store, sitting: i64, now: f64) -> Result<Option<Run>, Text> {
    let Some(point) = store.exam_resume_point(sitting).map_err(|e| e.message())? else { return Ok(None) };
    let s = store.sitting(sitting).map_err(|e| e.message())?;
    let drawn = s.draw.slots.get(point.slot).ok_or_else(|| {
        Text::new(format!("第 {sitting} 场考试没有第 {} 题", point.slot + 1), format!("sitting {sitting} has no scenario {}", point.slot + 1))
    })?;
    let missing = || not_in_library(&drawn.scenario);
    let script = scenarios.library.script(&drawn.scenario).cloned().ok_or_else(missing)?;
    let file = scenarios.path_of(&drawn.scenario).ok_or_else(missing)?;
    let persona = counterpart_core::records::sittings::exam_persona(&script, drawn);
    let (encounter, attempt, record) = match point.attempt {
        Some(attempt) => {
            let encounter = Encounter::replay_steps_as(script, drawn.seed, persona, &point.steps).map_err(|e| e.message())?;
            (encounter, attempt, Some(store.attempt(attempt).map_err(|e| e.message())?))
        }
        None => {
            let attempt = store.begin_exam_attempt(sitting, point.slot, &script).map_err(|e| e.message())?;
            (Encounter::with_persona(script, drawn.seed, persona), attempt, None)
        }
    };
    let desk = Arc::new(Desk::for_file(&file));
    let mut run = Run::new(file, encounter, now, Some(attempt), None);
    run.at_hand = desk;
    if let Some(record) = &record {
        restore_desk(&mut run.desk, record);
    }
    run.exam = Some(ExamRun {
        sitting,
        slot: point.slot,
        slots: s.slots.len(),
        per_scenario_ms: u64::from(s.exam.time.per_scenario_minutes) * 60_000,
        exam_ms: u64::from(s.exam.time.exam_minutes) * 60_000,
        slot_base_ms: point.slot_elapsed_ms,
        others_ms: point.others_elapsed_ms,
        since: now,
        written: now,
    });
    Ok(Some(run))
}

/// Writes the exam clock of the run's drawn scenario when a second has
/// passed since the last write, or at once with `force`.
pub fn write_exam_clock(run: &mut Run, records: &Records, now: f64, force: bool) {
    let Some(exam) = run.exam.as_mut() else { return };
    if !force && now - exam.written < 1.0 {
        return;
    }
    exam.written = now;
    if let Some(store) = records.store()
        // Never past a limit: the run ends the moment one is reached.
        && let Err(e) = store.record_exam_clock(exam.sitting, exam.slot, exam.slot_ms(now).min(exam.per_scenario_ms).min(exam.exam_ms.saturating_sub(exam.others_ms)))
    {
        warn!("could not save the exam clock: {e}");
        run.save_error = Some(e.message());
    }
}

/// The drawn scenario's time (or the exam's) ran out: a call that ended
/// is handed in as it stands; one still going is set aside unfinished.
pub fn exam_time_up(run: &mut Run, records: &Records, words: &Words, now: f64) {
    write_exam_clock(run, records, now, true);
    if !finish(run, records, words) {
        records.abandon(run.attempt);
        run.finished = true;
    }
}
