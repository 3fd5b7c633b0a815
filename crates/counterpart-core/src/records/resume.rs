//! Which unfinished attempt a trainee is offered to continue after a crash
//! or a closed window, and the encounter that continues it.

use crate::play::engine::{Encounter, PlayError, Script};
use crate::records::store::{AttemptRecord, AttemptSummary};
use crate::scenario::model::{Message, Text};
use std::sync::Arc;
use thiserror::Error;

/// What to do with a trainee's unfinished attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumePlan {
    /// The one worth continuing: the latest started.
    pub offer: Option<AttemptSummary>,
    /// The older ones, to be marked abandoned: only the latest is worth
    /// continuing, and the trainee should not be asked about each.
    pub abandon: Vec<i64>,
}

/// `in_session` is the attempt open in this session right now, which is not
/// a crash and is neither offered nor abandoned.
pub fn plan_resume(mut unfinished: Vec<AttemptSummary>, in_session: Option<i64>) -> ResumePlan {
    unfinished.retain(|a| Some(a.id) != in_session);
    unfinished.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
    let mut rest = unfinished.into_iter();
    let offer = rest.next();
    ResumePlan { offer, abandon: rest.map(|a| a.id).collect() }
}

/// Why an unfinished attempt cannot be continued.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ResumeProblem {
    #[error("the scenario is no longer in the library")]
    ScenarioGone,
    #[error("the scenario was changed since, so it cannot be continued")]
    ScenarioChanged,
    #[error("the answered turns cannot be replayed ({0})")]
    Unreplayable(PlayError),
}

impl Message for ResumeProblem {
    fn message(&self) -> Text {
        match self {
            ResumeProblem::ScenarioGone => Text::new("这个场景已不在场景库中", self.to_string()),
            ResumeProblem::ScenarioChanged => Text::new("场景在这次练习之后修改过，无法接着做", self.to_string()),
            ResumeProblem::Unreplayable(e) => Text::new(format!("无法重放已答的轮次（{}）", e.message().zh), self.to_string()),
        }
    }
}

/// The encounter that continues `record` on `script` (the library's current
/// script for its scenario): its committed steps replayed exactly, each
/// with the protocol actions taken before its answer.
pub fn continue_attempt(script: Option<&Arc<Script>>, record: &AttemptRecord) -> Result<Encounter, ResumeProblem> {
    let script = script.ok_or(ResumeProblem::ScenarioGone)?;
    if script.scenario.version != record.summary.scenario_version {
        return Err(ResumeProblem::ScenarioChanged);
    }
    // A targeted run goes on from the situation it started at.
    record.replay_on(script, record.steps.len()).map_err(ResumeProblem::Unreplayable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::load::load_file;
    use crate::records::store::Store;
    use std::path::Path;

    fn script() -> Arc<Script> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hotline-water-outage.ron");
        load_file(&path).script().expect("the fixture loads").clone()
    }

    #[test]
    fn the_latest_unfinished_attempt_is_offered_the_older_abandoned_and_the_open_one_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let p = store.create_profile("李明").unwrap();
        let script = script();
        let ids: Vec<i64> = (1..=3).map(|seed| store.begin_attempt_for(p.id, &script, seed).unwrap()).collect();
        let unfinished = store.unfinished_attempts(p.id).unwrap();
        let plan = plan_resume(unfinished.clone(), None);
        assert_eq!(plan.offer.as_ref().map(|a| a.id), Some(ids[2]), "the latest started");
        assert_eq!(plan.abandon, vec![ids[1], ids[0]]);
        let plan = plan_resume(unfinished, Some(ids[2]));
        assert_eq!(plan.offer.as_ref().map(|a| a.id), Some(ids[1]), "the attempt open in this session is not a crash");
        assert_eq!(plan.abandon, vec![ids[0]]);
        assert_eq!(plan_resume(Vec::new(), None), ResumePlan { offer: None, abandon: vec![] });
    }

    #[test]
    fn an_attempt_continues_exactly_or_says_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let p = store.create_profile("王芳").unwrap();
        let script = script();
        let mut played = Encounter::new(script.clone(), 9);
        let attempt = store.begin_attempt_for(p.id, &script, 9).unwrap();
        for i in 0..2 {
            let step = played.choose(0, Some(3.0)).unwrap().clone();
            store.record_step(attempt, i, &step).unwrap();
        }
        let record = store.attempt(attempt).unwrap();
        let resumed = continue_attempt(Some(&script), &record).unwrap();
        assert_eq!(resumed.steps(), played.steps(), "the same answers, the same transcript");
        assert_eq!(continue_attempt(None, &record).unwrap_err(), ResumeProblem::ScenarioGone);
        let mut edited = script.scenario.clone();
        edited.version += 1;
        let edited = Script::new(edited).unwrap();
        assert_eq!(continue_attempt(Some(&edited), &record).unwrap_err(), ResumeProblem::ScenarioChanged);
    }
}
