//! Exam sittings in the records store (schema v9): who sat which exam,
//! which sitting it was, what they drew, each drawn scenario's attempt and
//! clock, and whether the trainer has released the debrief.
//!
//! A sitting keeps the exam as it was when it opened (pool, marks, time
//! limits) and its draw, so editing the exam file later never changes a
//! result already sat. Each scenario's clock is written as it runs, so a
//! crash mid-exam resumes where it stopped.

use crate::exam::Exam;
use crate::exam::draw::{Draw, draw};
use crate::exam::judge::{SlotRecord, Verdict, judge};
use crate::play::engine::Script;
use crate::records::content::ScenarioSnapshot;
use crate::records::store::{AttemptRecord, NOW, Status, Store, StoreError};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use crate::records::store::{SCHEMA_V9_EXAMS, SittingError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SittingStatus {
    Open,
    Finished,
    Abandoned,
}

impl SittingStatus {
    fn from_sql(s: &str) -> Option<SittingStatus> {
        match s {
            "open" => Some(SittingStatus::Open),
            "finished" => Some(SittingStatus::Finished),
            "abandoned" => Some(SittingStatus::Abandoned),
            _ => None,
        }
    }
}

/// One drawn scenario's state in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotState {
    pub attempt: Option<i64>,
    /// Time on this scenario's clock so far.
    pub elapsed_ms: u64,
}

/// A sitting as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sitting {
    pub id: i64,
    /// Globally unique: the sitting's registration in an LRS.
    pub uuid: String,
    /// The exam as it was when the sitting opened.
    pub exam: Exam,
    pub draw: Draw,
    pub profile_id: i64,
    pub profile_name: String,
    pub employee_id: String,
    /// From 1.
    pub sitting: u32,
    pub status: SittingStatus,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// When the trainer released the debrief; None while withheld.
    pub released_at: Option<String>,
    /// In draw order.
    pub slots: Vec<SlotState>,
}

impl Sitting {
    /// Whether the candidate may see the turn-by-turn debrief now.
    pub fn debrief_visible(&self) -> bool {
        self.released_at.is_some() || (self.exam.debrief == crate::exam::DebriefPolicy::AtEnd && self.status == SittingStatus::Finished)
    }

    /// The first drawn scenario not finished yet, to resume at; None when
    /// every one has a finished attempt (the caller passes `finished`).
    pub(crate) fn resume_at(&self, finished: impl Fn(i64) -> bool) -> Option<usize> {
        self.slots.iter().position(|s| !s.attempt.is_some_and(&finished))
    }

    /// Time on every scenario's clock so far.
    pub fn elapsed_ms(&self) -> u64 {
        self.slots.iter().map(|s| s.elapsed_ms).sum()
    }
}

fn sql_sitting_err(sitting: i64) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Exam(SittingError::BadRow { sitting, detail: e.to_string() })
}

impl Store {
    /// Opens the next sitting of `exam` for the trainee `profile` (who
    /// must have an employee number): checks that none is open, that a
    /// sitting is left and the waiting days have passed, draws the
    /// scenarios, and stores the exam and the draw with it.
    pub fn open_sitting(&self, exam: &Exam, profile: i64) -> Result<Sitting, StoreError> {
        let (name, employee_id): (String, Option<String>) = self
            .conn()
            .query_row("SELECT name, employee_id FROM profiles WHERE id = ?1", [profile], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(self.err())?
            .ok_or(StoreError::NoProfile(profile))?;
        let employee_id = employee_id.ok_or(SittingError::NoEmployeeId { name })?;
        let id = {
            let mut conn = self.conn();
            let tx = conn.transaction().map_err(self.err())?;
            let open: Option<u32> = tx
                .query_row("SELECT sitting FROM exam_sittings WHERE exam_id = ?1 AND employee_id = ?2 AND status = 'open'", params![exam.id, employee_id], |r| r.get(0))
                .optional()
                .map_err(self.err())?;
            if let Some(sitting) = open {
                return Err(SittingError::AlreadyOpen { employee_id, exam: exam.title.zh.clone(), sitting }.into());
            }
            let (count, last_day_wait): (u32, Option<String>) = tx
                .query_row(
                    "SELECT COUNT(*),
                            (SELECT date(MAX(COALESCE(finished_at, started_at)), '+' || ?3 || ' days') FROM exam_sittings
                              WHERE exam_id = ?1 AND employee_id = ?2
                              HAVING julianday('now') < julianday(MAX(COALESCE(finished_at, started_at)), '+' || ?3 || ' days'))
                     FROM exam_sittings WHERE exam_id = ?1 AND employee_id = ?2",
                    params![exam.id, employee_id, exam.retakes.wait_days],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(self.err())?;
            if count >= exam.retakes.sittings {
                return Err(SittingError::NoSittingsLeft { employee_id, exam: exam.title.zh.clone(), allowed: exam.retakes.sittings }.into());
            }
            if let (Some(from), true) = (last_day_wait, exam.retakes.wait_days > 0) {
                return Err(SittingError::TooSoon { employee_id, exam: exam.title.zh.clone(), from, days: exam.retakes.wait_days }.into());
            }
            let number = count + 1;
            let drawn = draw(exam, &employee_id, number);
            let exam_json = serde_json::to_string(exam).map_err(|e| StoreError::Exam(SittingError::BadRow { sitting: 0, detail: e.to_string() }))?;
            let draw_json = serde_json::to_string(&drawn).map_err(|e| StoreError::Exam(SittingError::BadRow { sitting: 0, detail: e.to_string() }))?;
            tx.execute(
                &format!(
                    "INSERT INTO exam_sittings (uuid, exam_id, exam_version, exam_json, draw_json, profile_id, employee_id, sitting, status, started_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', {NOW})"
                ),
                params![crate::records::store::random_uuid(), exam.id, exam.version, exam_json, draw_json, profile, employee_id, number],
            )
            .map_err(self.err())?;
            let id = tx.last_insert_rowid();
            for slot in 0..drawn.slots.len() {
                tx.execute("INSERT INTO exam_slots (sitting_id, slot) VALUES (?1, ?2)", params![id, slot as i64]).map_err(self.err())?;
            }
            tx.commit().map_err(self.err())?;
            id
        };
        self.sitting(id)
    }

    /// A stored sitting.
    pub fn sitting(&self, id: i64) -> Result<Sitting, StoreError> {
        let conn = self.conn();
        type Row = (String, String, String, i64, String, String, u32, String, String, Option<String>, Option<String>);
        let row: Option<Row> = conn
            .query_row(
                "SELECT s.uuid, s.exam_json, s.draw_json, s.profile_id, p.name, s.employee_id, s.sitting, s.status, s.started_at, s.finished_at, s.released_at
                 FROM exam_sittings s JOIN profiles p ON p.id = s.profile_id WHERE s.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?)),
            )
            .optional()
            .map_err(self.err())?;
        let (uuid, exam_json, draw_json, profile_id, profile_name, employee_id, sitting, status, started_at, finished_at, released_at) =
            row.ok_or(SittingError::NoSitting(id))?;
        let exam: Exam = serde_json::from_str(&exam_json).map_err(sql_sitting_err(id))?;
        let draw: Draw = serde_json::from_str(&draw_json).map_err(sql_sitting_err(id))?;
        let status = SittingStatus::from_sql(&status).ok_or_else(|| StoreError::Exam(SittingError::BadRow { sitting: id, detail: format!("unknown status {status}") }))?;
        let mut stmt = conn.prepare("SELECT attempt_id, elapsed_ms FROM exam_slots WHERE sitting_id = ?1 ORDER BY slot").map_err(self.err())?;
        let slots = stmt
            .query_map([id], |r| Ok(SlotState { attempt: r.get(0)?, elapsed_ms: r.get::<_, i64>(1)?.max(0) as u64 }))
            .map_err(self.err())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(Sitting { id, uuid, exam, draw, profile_id, profile_name, employee_id, sitting, status, started_at, finished_at, released_at, slots })
    }

    /// Every sitting, of one exam or of all, oldest first.
    pub fn sittings(&self, exam_id: Option<&str>) -> Result<Vec<Sitting>, StoreError> {
        let ids: Vec<i64> = {
            let conn = self.conn();
            let mut stmt = conn
                .prepare("SELECT id FROM exam_sittings WHERE ?1 IS NULL OR exam_id = ?1 ORDER BY started_at, id")
                .map_err(self.err())?;
            stmt.query_map([exam_id], |r| r.get(0)).map_err(self.err())?.collect::<Result<_, _>>().map_err(self.err())?
        };
        ids.into_iter().map(|id| self.sitting(id)).collect()
    }

    /// Sittings left open (the app closed or crashed mid-exam), for resuming.
    pub fn open_sittings(&self) -> Result<Vec<Sitting>, StoreError> {
        Ok(self.sittings(None)?.into_iter().filter(|s| s.status == SittingStatus::Open).collect())
    }

    /// Begins the attempt at drawn scenario `slot` of an open sitting, with
    /// the draw's seed and persona, storing its content like any attempt.
    pub fn begin_exam_attempt(&self, sitting: i64, slot: usize, script: &Script) -> Result<i64, StoreError> {
        let s = self.sitting(sitting)?;
        if s.status != SittingStatus::Open {
            return Err(SittingError::NotOpen(sitting).into());
        }
        let drawn = s.draw.slots.get(slot).ok_or(SittingError::NoSlot { sitting, slot })?;
        if drawn.scenario != script.scenario.id {
            return Err(SittingError::WrongScenario { sitting, slot, expected: drawn.scenario.clone(), got: script.scenario.id.clone() }.into());
        }
        if s.slots[slot].attempt.is_some() {
            return Err(SittingError::SlotTaken { sitting, slot }.into());
        }
        let persona = exam_persona(script, drawn);
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        let attempt = self.begin_attempt_in(&tx, s.profile_id, &script.scenario.id, script.scenario.version, drawn.seed)?;
        self.store_content_in(&tx, attempt, &ScenarioSnapshot::of(script, persona))?;
        tx.execute("UPDATE exam_slots SET attempt_id = ?3 WHERE sitting_id = ?1 AND slot = ?2", params![sitting, slot as i64, attempt])
            .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(attempt)
    }

    /// Writes drawn scenario `slot`'s clock (milliseconds so far), at once,
    /// so a crash loses at most the time since the last write.
    pub fn record_exam_clock(&self, sitting: i64, slot: usize, elapsed_ms: u64) -> Result<(), StoreError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE exam_slots SET elapsed_ms = ?3 WHERE sitting_id = ?1 AND slot = ?2
                   AND (SELECT status FROM exam_sittings WHERE id = ?1) = 'open'",
                params![sitting, slot as i64, elapsed_ms.min(i64::MAX as u64) as i64],
            )
            .map_err(self.err())?;
        if changed == 0 {
            self.sitting(sitting)?;
            return Err(SittingError::NotOpen(sitting).into());
        }
        Ok(())
    }

    /// Ends an open sitting (every drawn scenario done, or time up):
    /// unfinished attempts of it are set aside, and it is judged as it stands.
    pub fn finish_sitting(&self, sitting: i64) -> Result<(), StoreError> {
        self.close_sitting(sitting, "finished")
    }

    /// Abandons an open sitting (the trainer cancelled it); it still counts
    /// as a sitting for the retake rules.
    pub fn abandon_sitting(&self, sitting: i64) -> Result<(), StoreError> {
        self.close_sitting(sitting, "abandoned")
    }

    fn close_sitting(&self, sitting: i64, status: &str) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        let changed = tx
            .execute(&format!("UPDATE exam_sittings SET status = ?2, finished_at = {NOW} WHERE id = ?1 AND status = 'open'"), params![sitting, status])
            .map_err(self.err())?;
        if changed == 0 {
            drop(tx);
            drop(conn);
            self.sitting(sitting)?;
            return Err(SittingError::NotOpen(sitting).into());
        }
        tx.execute(
            &format!(
                "UPDATE attempts SET status = 'abandoned', finished_at = {NOW}
                 WHERE status = 'in_progress' AND id IN (SELECT attempt_id FROM exam_slots WHERE sitting_id = ?1)"
            ),
            [sitting],
        )
        .map_err(self.err())?;
        tx.commit().map_err(self.err())
    }

    /// Releases the debrief of a sitting to the candidate (idempotent).
    pub fn release_sitting(&self, sitting: i64) -> Result<(), StoreError> {
        let changed = self
            .conn()
            .execute(&format!("UPDATE exam_sittings SET released_at = COALESCE(released_at, {NOW}) WHERE id = ?1"), [sitting])
            .map_err(self.err())?;
        if changed == 0 {
            return Err(SittingError::NoSitting(sitting).into());
        }
        Ok(())
    }

    /// Every attempt that belongs to a sitting: attempt id → (sitting id,
    /// whether its debrief may be shown). Practice attempts are not in it.
    pub fn exam_attempts(&self) -> Result<HashMap<i64, (i64, bool)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT x.attempt_id, s.id, s.released_at IS NOT NULL
                        OR (json_extract(s.exam_json, '$.debrief') = 'AtEnd' AND s.status = 'finished')
                 FROM exam_slots x JOIN exam_sittings s ON s.id = x.sitting_id WHERE x.attempt_id IS NOT NULL",
            )
            .map_err(self.err())?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, (r.get::<_, i64>(1)?, r.get::<_, bool>(2)?)))).map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// The sitting with its attempts, judged against the exam it was sat under.
    pub fn judge_sitting(&self, sitting: i64) -> Result<(Sitting, Vec<Option<AttemptRecord>>, Verdict), StoreError> {
        let s = self.sitting(sitting)?;
        let records: Vec<Option<AttemptRecord>> = s.slots.iter().map(|slot| slot.attempt.map(|a| self.attempt(a)).transpose()).collect::<Result<_, _>>()?;
        let inputs: Vec<SlotRecord<'_>> = s
            .draw
            .slots
            .iter()
            .enumerate()
            .map(|(i, drawn)| {
                let record = records.get(i).and_then(Option::as_ref);
                SlotRecord {
                    slot: drawn,
                    result: record.filter(|r| r.summary.status == Status::Completed).and_then(|r| r.result.as_ref()),
                    begun: record.is_some(),
                    elapsed_secs: s.slots.get(i).map_or(0, |c| c.elapsed_ms / 1000),
                }
            })
            .collect();
        let verdict = judge(&s.exam, &inputs);
        Ok((s, records, verdict))
    }
}

/// Where an open sitting goes on: the first drawn scenario not done yet
/// (an attempt finished or set aside is done), with its attempt when one
/// was begun and the answers stored for it, and the clocks as last written.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumePoint {
    pub slot: usize,
    /// The attempt begun at this scenario, still in progress; None when
    /// the scenario is not begun yet.
    pub attempt: Option<i64>,
    /// Its stored answers, to replay it to where it stopped.
    pub steps: Vec<crate::play::engine::Step>,
    /// Time on this scenario's clock so far.
    pub slot_elapsed_ms: u64,
    /// Time on every other scenario's clock.
    pub others_elapsed_ms: u64,
}

impl Store {
    /// Where the open sitting `sitting` goes on; None when every drawn
    /// scenario is done (the sitting is ready to be finished).
    pub fn exam_resume_point(&self, sitting: i64) -> Result<Option<ResumePoint>, StoreError> {
        let s = self.sitting(sitting)?;
        let mut in_progress = HashMap::new();
        for slot in &s.slots {
            if let Some(a) = slot.attempt {
                let record = self.attempt(a)?;
                if record.summary.status == Status::InProgress {
                    in_progress.insert(a, record.steps.into_iter().map(|r| r.step).collect::<Vec<_>>());
                }
            }
        }
        let Some(slot) = s.resume_at(|a| !in_progress.contains_key(&a)) else { return Ok(None) };
        let attempt = s.slots[slot].attempt;
        let slot_elapsed_ms = s.slots[slot].elapsed_ms;
        Ok(Some(ResumePoint {
            slot,
            attempt,
            steps: attempt.and_then(|a| in_progress.remove(&a)).unwrap_or_default(),
            slot_elapsed_ms,
            others_elapsed_ms: s.elapsed_ms() - slot_elapsed_ms,
        }))
    }
}

/// The persona index a drawn scenario is played as: the draw's, else the
/// seed's, as in practice.
pub fn exam_persona(script: &Script, drawn: &crate::exam::draw::Slot) -> usize {
    drawn
        .persona
        .as_ref()
        .and_then(|id| script.scenario.citizen.all_personas().iter().position(|p| &p.id == id))
        .unwrap_or_else(|| script.persona_for_seed(drawn.seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exam::load::load_bytes;
    use crate::library::Library;
    use crate::library::load::load_all;
    use crate::play::engine::Encounter;
    use std::path::{Path, PathBuf};

    fn library() -> Library {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios"));
        Library::from_files(load_all(&[dir.join("hotline-water-outage.ron"), dir.join("hotline-shop-noise.ron"), dir.join("hotline-parking-lock.ron")]))
    }

    fn exam(library: &Library, wait_days: u32) -> Exam {
        let source = format!(
            r#"(id: "t", version: 1, title: (zh: "测试考核", en: "Test"),
            pool: [(scenario: "hotline-water-outage"), (scenario: "hotline-shop-noise"), (scenario: "hotline-parking-lock")],
            draw: 2, time: (per_scenario_minutes: 10, exam_minutes: 30), retakes: (sittings: 3, wait_days: {wait_days}))"#
        );
        let f = load_bytes(source.as_bytes(), Path::new("t.ron"), library);
        f.exam().cloned().unwrap_or_else(|| panic!("{:?}", f.errors()))
    }

    fn store() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let p = store.create_profile("李明").unwrap().id;
        store.set_employee_id(p, Some("0571-0042")).unwrap();
        (dir, store, p)
    }

    /// Plays drawn scenario `slot` through with the best options and stores it.
    fn play_slot(store: &Store, library: &Library, sitting: &Sitting, slot: usize) -> i64 {
        let drawn = &sitting.draw.slots[slot];
        let script = library.script(&drawn.scenario).unwrap().clone();
        let attempt = store.begin_exam_attempt(sitting.id, slot, &script).unwrap();
        let persona = exam_persona(&script, drawn);
        let analysis = crate::analysis::analyze::analyze_personas(&script).unwrap().remove(persona);
        let route = analysis.best(crate::analysis::analyze::Objective::Overall).unwrap().route.clone();
        let played = Encounter::play_route_as(script, drawn.seed, persona, &route).unwrap();
        for (i, step) in played.steps().iter().enumerate() {
            store.record_step(attempt, i, step).unwrap();
        }
        let card = played.score_with_protocol();
        let ending = played.ending().unwrap();
        let result = crate::play::score::AttemptResult { card, ending_id: ending.id.clone(), outcome: ending.outcome, disc_guess: None, persona: played.persona_view().id };
        store.finish_attempt(attempt, &result).unwrap();
        store.record_exam_clock(sitting.id, slot, 120_000).unwrap();
        attempt
    }

    #[test]
    fn a_sitting_is_drawn_stored_resumed_and_judged() {
        let library = library();
        let (_dir, store, p) = store();
        let s = store.open_sitting(&exam(&library, 0), p).unwrap();
        assert_eq!((s.sitting, s.slots.len(), s.status), (1, 2, SittingStatus::Open));
        assert_eq!(s.draw, draw(&s.exam, "0571-0042", 1));
        let first = play_slot(&store, &library, &s, 0);
        // A crash here: the reopened store knows where to go on.
        let again = store.sitting(s.id).unwrap();
        assert_eq!(again.slots[0], SlotState { attempt: Some(first), elapsed_ms: 120_000 });
        assert_eq!(again.resume_at(|a| store.attempt(a).unwrap().summary.status == Status::Completed), Some(1));
        assert!(store.unfinished_attempts(p).unwrap().is_empty());
        let link = store.attempt(first).unwrap().summary.exam.expect("an exam attempt says so");
        assert_eq!((link.sitting_id, link.exam_id.as_str(), link.sitting, link.slot, link.uuid.as_str()), (s.id, "t", 1, 0, s.uuid.as_str()));
        let (_, _, verdict) = store.judge_sitting(s.id).unwrap();
        assert!(!verdict.passed, "the second scenario is not begun yet");
        assert_eq!(verdict.slots[1].reasons, vec![crate::exam::judge::Reason::NotStarted]);
        play_slot(&store, &library, &again, 1);
        store.finish_sitting(s.id).unwrap();
        let (s, _, verdict) = store.judge_sitting(s.id).unwrap();
        assert!(verdict.passed, "{verdict:?}");
        assert_eq!(verdict.elapsed_secs, 240);
        assert!(!s.debrief_visible());
        assert_eq!(store.exam_attempts().unwrap().get(&first), Some(&(s.id, false)));
        store.release_sitting(s.id).unwrap();
        assert!(store.sitting(s.id).unwrap().debrief_visible());
        assert_eq!(store.exam_attempts().unwrap().get(&first), Some(&(s.id, true)));
    }

    #[test]
    fn the_resume_point_is_the_first_scenario_not_done_with_its_answers_and_clocks() {
        let library = library();
        let (_dir, store, p) = store();
        let s = store.open_sitting(&exam(&library, 0), p).unwrap();
        let start = store.exam_resume_point(s.id).unwrap().unwrap();
        assert_eq!((start.slot, start.attempt, start.steps.len(), start.slot_elapsed_ms, start.others_elapsed_ms), (0, None, 0, 0, 0));
        play_slot(&store, &library, &s, 0);
        let drawn = &s.draw.slots[1];
        let script = library.script(&drawn.scenario).unwrap().clone();
        let attempt = store.begin_exam_attempt(s.id, 1, &script).unwrap();
        let mut e = Encounter::with_persona(script.clone(), drawn.seed, exam_persona(&script, drawn));
        let step = e.choose(0, None).unwrap().clone();
        store.record_step(attempt, 0, &step).unwrap();
        store.record_exam_clock(s.id, 1, 45_500).unwrap();
        let point = store.exam_resume_point(s.id).unwrap().unwrap();
        assert_eq!((point.slot, point.attempt, point.slot_elapsed_ms, point.others_elapsed_ms), (1, Some(attempt), 45_500, 120_000));
        assert_eq!(point.steps, vec![step]);
        // A scenario set aside when its time ran out is done, not resumed.
        store.mark_abandoned(attempt).unwrap();
        assert_eq!(store.exam_resume_point(s.id).unwrap(), None);
    }

    #[test]
    fn an_open_sitting_refuses_a_second_and_retakes_follow_the_rules() {
        let library = library();
        let (_dir, store, p) = store();
        let e = exam(&library, 0);
        let s = store.open_sitting(&e, p).unwrap();
        let err = store.open_sitting(&e, p).unwrap_err().to_string();
        assert!(err.contains("already sitting") && err.contains("0571-0042") && err.contains("正在参加"), "{err}");
        store.abandon_sitting(s.id).unwrap();
        let second = store.open_sitting(&e, p).unwrap();
        assert_eq!(second.sitting, 2);
        assert_ne!(second.draw.slots, s.draw.slots);
        store.finish_sitting(second.id).unwrap();
        assert!(matches!(store.finish_sitting(second.id), Err(StoreError::Exam(SittingError::NotOpen(_)))));
        assert!(matches!(store.record_exam_clock(second.id, 0, 5), Err(StoreError::Exam(SittingError::NotOpen(_)))));
        store.finish_sitting(store.open_sitting(&e, p).unwrap().id).unwrap();
        let err = store.open_sitting(&e, p).unwrap_err().to_string();
        assert!(err.contains("all 3 sitting(s)"), "{err}");
    }

    #[test]
    fn waiting_days_are_counted_from_the_last_sitting() {
        let library = library();
        let (_dir, store, p) = store();
        let e = exam(&library, 7);
        let s = store.open_sitting(&e, p).unwrap();
        store.finish_sitting(s.id).unwrap();
        let err = store.open_sitting(&e, p).unwrap_err();
        assert!(matches!(&err, StoreError::Exam(SittingError::TooSoon { days: 7, .. })), "{err}");
        store.conn().execute("UPDATE exam_sittings SET finished_at = '2000-01-01T00:00:00.000Z'", []).unwrap();
        assert_eq!(store.open_sitting(&e, p).unwrap().sitting, 2);
    }

    #[test]
    fn a_trainee_without_an_employee_number_cannot_sit() {
        let library = library();
        let (_dir, store, _) = store();
        let q = store.create_profile("王芳").unwrap().id;
        let err = store.open_sitting(&exam(&library, 0), q).unwrap_err().to_string();
        assert!(err.contains("no employee number"), "{err}");
    }

    #[test]
    fn a_slot_takes_only_its_drawn_scenario_and_once() {
        let library = library();
        let (_dir, store, p) = store();
        let s = store.open_sitting(&exam(&library, 0), p).unwrap();
        let other = library.scripts().find(|sc| !s.draw.scenarios().contains(&sc.scenario.id.as_str())).unwrap().clone();
        assert!(matches!(store.begin_exam_attempt(s.id, 0, &other), Err(StoreError::Exam(SittingError::WrongScenario { .. }))));
        let right = library.script(&s.draw.slots[0].scenario).unwrap().clone();
        store.begin_exam_attempt(s.id, 0, &right).unwrap();
        assert!(matches!(store.begin_exam_attempt(s.id, 0, &right), Err(StoreError::Exam(SittingError::SlotTaken { .. }))));
        assert!(matches!(store.begin_exam_attempt(s.id, 9, &right), Err(StoreError::Exam(SittingError::NoSlot { .. }))));
        // Finishing the sitting sets the unfinished attempt aside.
        store.finish_sitting(s.id).unwrap();
        let (_, records, verdict) = store.judge_sitting(s.id).unwrap();
        assert_eq!(records[0].as_ref().unwrap().summary.status, Status::Abandoned);
        assert_eq!(verdict.slots[0].reasons, vec![crate::exam::judge::Reason::NotFinished]);
    }
}
