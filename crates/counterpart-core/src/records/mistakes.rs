//! The mistake book (错题集): the turns a trainee answered wrongly, from
//! their stored practice attempts and the exam attempts whose debrief has
//! been released, grouped by skill, each with the situation to replay it
//! from, until answered well twice in a row on separate days.
//!
//! Plainly, for the persona played and as the debrief judges it:
//! - **wrong**: the debrief names a better option, and the answer chosen
//!   raised a red flag, was late, was over-talking, or showed some skill
//!   at 0 (harmful) or 1 (missed);
//! - **well**: the debrief names no better option, with no red flag and
//!   not late;
//! - anything else (a fair answer with a better one available) is neither:
//!   it adds no mistake but breaks a run of good answers.
//!
//! A mistake is a (scenario, turn, persona). It is cleared once its last
//! two answers were both good and given on different days (the date of the
//! stored answer, UTC); a wrong answer after that opens it again.
//!
//! A targeted run ("practise from here", stored with its `Situation`) is
//! replayed from that situation, and only its first answer — the one given
//! in the situation of the mistake — is judged: what follows starts from a
//! state the book set up, not from a call the trainee took from the start.

use crate::library::Library;
use crate::play::engine::{Script, better_option_for};
use crate::scenario::model::Item;
use crate::records::store::AttemptRecord;
use crate::records::when::Zone;
use crate::scenario::model::{RedFlag, Stage, Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Where to replay a mistake from (`Situation::start`: the author view's
/// play from here, at the mood and flags the trainee had reached, as the
/// persona met). Kept in the store with a targeted run.
pub use crate::records::store::Situation;

/// One open mistake, as last answered wrongly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mistake {
    pub scenario_title: Text,
    /// The persona's id.
    pub persona_id: String,
    pub situation: Situation,
    /// The attempt and step of the last wrong answer.
    pub attempt: i64,
    pub step: usize,
    pub answered_at: String,
    /// The option chosen then, and the one the debrief names as better.
    pub chosen: String,
    pub better: Option<String>,
    /// Skills shown at 0 or 1 by the answer chosen.
    pub items: Vec<Item>,
    /// The stage of the better option: what the moment called for.
    pub stage: Stage,
    pub red_flag: Option<RedFlag>,
    pub late: bool,
    pub overtalk: bool,
    /// How many times this turn was answered wrongly in all.
    pub times_wrong: u32,
    /// Good answers since the last wrong one (0 or 1: two on separate days clear it).
    pub good_since: u32,
    /// The last wrong answer was in an exam.
    pub from_exam: bool,
}

/// An attempt the book could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub attempt: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MistakeBook {
    /// Open mistakes, most recent first.
    pub open: Vec<Mistake>,
    /// How many times a mistake was cleared by two good answers on separate days.
    pub cleared: u32,
    /// The mistakes cleared now (not opened again since), as last answered
    /// wrongly, most recent first: the progress the trainee made.
    #[serde(default)]
    pub cleared_mistakes: Vec<Mistake>,
    pub skipped: Vec<Skipped>,
}

impl MistakeBook {
    /// Open mistakes by rubric item (one mistake may be under several).
    pub fn by_item(&self) -> BTreeMap<Item, Vec<&Mistake>> {
        let mut out: BTreeMap<Item, Vec<&Mistake>> = BTreeMap::new();
        for m in &self.open {
            for item in &m.items {
                out.entry(*item).or_default().push(m);
            }
        }
        out
    }

    /// Open mistakes by the stage the moment called for.
    pub fn by_stage(&self) -> BTreeMap<Stage, Vec<&Mistake>> {
        let mut out: BTreeMap<Stage, Vec<&Mistake>> = BTreeMap::new();
        for m in &self.open {
            out.entry(m.stage).or_default().push(m);
        }
        out
    }
}

/// How an answer counts for the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    Wrong,
    Well,
    Fair,
}

/// Judges option `choice` on `turn` for `persona`, as the debrief does.
pub fn judge_answer(script: &Script, persona: usize, turn: usize, choice: usize, red_flag: bool, late: bool) -> Judged {
    let better = better_option_for(script, persona, turn, choice);
    let flow = &script.flow_for(persona).turns[turn].choices[choice];
    let low = flow.evidence.iter().any(|(_, level)| *level <= 1);
    match better {
        None if !red_flag && !late => Judged::Well,
        Some(_) if red_flag || late || flow.overtalk || low => Judged::Wrong,
        _ => Judged::Fair,
    }
}

struct Answer<'a> {
    record: &'a AttemptRecord,
    step: usize,
    script: Arc<Script>,
    persona: usize,
    judged: Judged,
}

/// The trainee's book from their stored attempts (any order) and the
/// store's exam attempts (`Store::exam_attempts`): an exam attempt counts
/// only once its debrief may be shown. Attempts are replayed on the
/// library's current scenario; one whose answers no longer replay there
/// (the scenario was changed or removed) is listed as skipped.
pub fn mistake_book(records: &[AttemptRecord], exam_attempts: &HashMap<i64, (i64, bool)>, library: &Library, zone: &Zone) -> MistakeBook {
    let mut book = MistakeBook::default();
    let mut answers: Vec<Answer<'_>> = Vec::new();
    for record in records {
        let id = record.summary.id;
        if exam_attempts.get(&id).is_some_and(|(_, visible)| !visible) || record.steps.is_empty() {
            continue;
        }
        let Some(script) = library.script(&record.summary.scenario_id) else {
            book.skipped.push(Skipped { attempt: id, reason: format!("scenario \"{}\" is not in the library", record.summary.scenario_id) });
            continue;
        };
        let persona = record.persona_on(script);
        let steps: Vec<_> = record.steps.iter().map(|s| s.step.clone()).collect();
        let replayed = match record.replay_with(script, &steps) {
            Ok(e) => e,
            Err(e) => {
                book.skipped.push(Skipped { attempt: id, reason: format!("its answers do not replay on the current scenario: {e}") });
                continue;
            }
        };
        if replayed.steps().iter().zip(&steps).any(|(a, b)| a.turn_id != b.turn_id || a.choice_id != b.choice_id)
            || record.summary.situation.as_ref().is_some_and(|s| steps[0].turn_id != s.turn_id)
        {
            book.skipped.push(Skipped { attempt: id, reason: "the scenario changed since: its turns are not the ones answered".into() });
            continue;
        }
        let judged_steps = if record.summary.situation.is_some() { 1 } else { replayed.steps().len() };
        for (i, step) in replayed.steps().iter().enumerate().take(judged_steps) {
            let judged = judge_answer(script, persona, step.turn, step.choice, step.red_flag.is_some(), step.timed_out);
            answers.push(Answer { record, step: i, script: script.clone(), persona, judged });
        }
    }
    answers.sort_by(|a, b| {
        let at = |x: &Answer<'_>| x.record.steps[x.step].recorded_at.clone();
        at(a).cmp(&at(b)).then(a.record.summary.id.cmp(&b.record.summary.id)).then(a.step.cmp(&b.step))
    });
    // Per (scenario, turn, persona): the last wrong answer, how many, and
    // the days of the good answers since.
    struct Track<'a> {
        last_wrong: Option<&'a Answer<'a>>,
        /// The wrong answer the last clearing put right.
        cleared: Option<&'a Answer<'a>>,
        wrong: u32,
        good_days: Vec<String>,
    }
    let mut tracks: Vec<((String, String, usize), Track<'_>)> = Vec::new();
    for answer in &answers {
        let step = &answer.record.steps[answer.step].step;
        let key = (answer.record.summary.scenario_id.clone(), step.turn_id.clone(), answer.persona);
        let at = match tracks.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                if answer.judged != Judged::Wrong {
                    continue;
                }
                tracks.push((key, Track { last_wrong: None, cleared: None, wrong: 0, good_days: Vec::new() }));
                tracks.len() - 1
            }
        };
        let track = &mut tracks[at].1;
        // Days on the trainee's clock: a Monday morning in Beijing is Sunday in UTC.
        let recorded_at = &answer.record.steps[answer.step].recorded_at;
        let day = zone.day(recorded_at).unwrap_or_else(|| recorded_at.chars().take(10).collect());
        match answer.judged {
            Judged::Wrong => {
                track.last_wrong = Some(answer);
                track.cleared = None;
                track.wrong += 1;
                track.good_days.clear();
            }
            Judged::Well => {
                if track.last_wrong.is_some() && track.good_days.last() != Some(&day) {
                    track.good_days.push(day);
                }
            }
            Judged::Fair => track.good_days.clear(),
        }
        if track.good_days.len() >= 2 {
            track.cleared = track.last_wrong.take();
            track.good_days.clear();
            book.cleared += 1;
        }
    }
    for (_, track) in tracks {
        match (track.last_wrong, track.cleared) {
            (Some(answer), _) => book.open.extend(mistake_of(answer, track.wrong, track.good_days.len() as u32, exam_attempts)),
            (None, Some(answer)) => book.cleared_mistakes.extend(mistake_of(answer, track.wrong, 2, exam_attempts)),
            (None, None) => {}
        }
    }
    book.open.sort_by(|a, b| b.answered_at.cmp(&a.answered_at));
    book.cleared_mistakes.sort_by(|a, b| b.answered_at.cmp(&a.answered_at));
    book
}

impl crate::records::store::Store {
    /// A trainee's mistake book from everything stored for them: their
    /// attempts, and which of them belong to exams and may be shown.
    pub fn mistake_book(&self, profile: i64, library: &Library, zone: &Zone) -> Result<MistakeBook, crate::records::store::StoreError> {
        let records: Vec<AttemptRecord> = self.attempts(Some(profile))?.iter().map(|s| self.attempt(s.id)).collect::<Result<_, _>>()?;
        Ok(mistake_book(&records, &self.exam_attempts()?, library, zone))
    }
}

fn mistake_of(answer: &Answer<'_>, times_wrong: u32, good_since: u32, exam_attempts: &HashMap<i64, (i64, bool)>) -> Option<Mistake> {
    let script = &answer.script;
    let record = answer.record;
    let steps: Vec<_> = record.steps[..answer.step].iter().map(|s| s.step.clone()).collect();
    let before = record.replay_with(script, &steps).ok()?;
    let step = &record.steps[answer.step];
    let turn = step.step.turn;
    let flow = &script.flow_for(answer.persona).turns[turn].choices[step.step.choice];
    let options = &script.scenario.turns[turn].options;
    let better = better_option_for(script, answer.persona, turn, step.step.choice);
    let mut items: Vec<Item> = flow.evidence.iter().filter(|(_, l)| *l <= 1).map(|(i, _)| *i).collect();
    items.sort();
    items.dedup();
    Some(Mistake {
        scenario_title: script.scenario.title.clone(),
        persona_id: script.scenario.citizen.all_personas().get(answer.persona).map(|p| p.id.clone()).unwrap_or_default(),
        situation: Situation {
            scenario_id: script.scenario.id.clone(),
            scenario_version: script.scenario.version,
            turn_id: step.step.turn_id.clone(),
            persona: answer.persona,
            mood: before.mood(),
            flags: before.flags().into_iter().map(String::from).collect(),
        },
        attempt: record.summary.id,
        step: answer.step,
        answered_at: step.recorded_at.clone(),
        chosen: step.step.choice_id.clone(),
        better: better.map(|b| options[b].id.clone()),
        items,
        stage: better.map_or(options[step.step.choice].stage, |b| options[b].stage),
        red_flag: step.step.red_flag,
        late: step.step.timed_out,
        overtalk: flow.overtalk,
        times_wrong,
        good_since,
        from_exam: exam_attempts.contains_key(&record.summary.id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::load::load_all;
    use crate::play::engine::Encounter;
    use crate::records::store::{StepRecord, Store};
    use std::path::PathBuf;

    fn library() -> Library {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios"));
        Library::from_files(load_all(&[dir.join("hotline-water-outage.ron")]))
    }

    /// The first turn's best and a wrong option, and a full route through
    /// each (the best route, with the first answer swapped).
    fn routes(script: &Script, persona: usize) -> (Vec<usize>, Vec<usize>) {
        let analysis = crate::analysis::analyze::analyze_personas(&Arc::new(script.clone())).unwrap().remove(persona);
        let best = analysis.best(crate::analysis::analyze::Objective::Overall).unwrap().route.clone();
        let first = best[0];
        let wrong = (0..script.scenario.turns[0].options.len())
            .find(|&c| judge_answer(script, persona, 0, c, script.flow_for(persona).turns[0].choices[c].red_flag.is_some(), false) == Judged::Wrong)
            .expect("the first turn has a wrong option");
        assert_eq!(judge_answer(script, persona, 0, first, false, false), Judged::Well);
        let mut bad = best.clone();
        bad[0] = wrong;
        (best, bad)
    }

    /// A stored-looking record of `route` answered on `day`.
    fn record(id: i64, script: &Arc<Script>, seed: u64, route: &[usize], day: &str) -> AttemptRecord {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let p = store.create_profile("x").unwrap().id;
        let a = store.begin_attempt_for(p, script, seed).unwrap();
        let persona = script.persona_for_seed(seed);
        let mut e = Encounter::with_persona(script.clone(), seed, persona);
        for (i, &c) in route.iter().enumerate() {
            if e.is_over() {
                break;
            }
            let step = e.choose(c, None).unwrap().clone();
            store.record_step(a, i, &step).unwrap();
        }
        let mut r = store.attempt(a).unwrap();
        r.summary.id = id;
        for (i, s) in r.steps.iter_mut().enumerate() {
            *s = StepRecord { recorded_at: format!("{day}T10:00:{i:02}.000Z"), ..s.clone() };
        }
        r
    }

    #[test]
    fn a_wrong_turn_is_listed_with_its_situation_and_cleared_by_two_good_days() {
        let library = library();
        let script = library.script("hotline-water-outage").unwrap().clone();
        let seed = 3;
        let persona = script.persona_for_seed(seed);
        let (best, bad) = routes(&script, persona);
        let none = HashMap::new();
        let wrong = record(1, &script, seed, &bad, "2026-11-01");
        let book = mistake_book(std::slice::from_ref(&wrong), &none, &library, &Zone::utc());
        let first = book.open.iter().find(|m| m.situation.turn_id == script.scenario.turns[0].id).expect("the first turn is a mistake");
        assert_eq!(first.chosen, script.scenario.turns[0].options[bad[0]].id);
        assert!(first.better.is_some());
        assert_eq!(first.situation.mood, script.scenario.citizen.all_personas()[persona].mood);
        // The situation replays to the same turn, persona and mood.
        let replay = first.situation.start(script.clone(), 99).unwrap();
        assert_eq!(replay.prompt().unwrap().turn.id, first.situation.turn_id);
        assert_eq!((replay.persona(), replay.mood()), (persona, first.situation.mood));
        assert!(book.by_stage().values().flatten().any(|m| m.situation.turn_id == first.situation.turn_id));
        let open_first = |book: &MistakeBook| book.open.iter().any(|m| m.situation.turn_id == script.scenario.turns[0].id);
        // Two good answers the same day do not clear it; on a second day they do.
        let same_day = [wrong.clone(), record(2, &script, seed, &best, "2026-11-02"), record(3, &script, seed, &best, "2026-11-02")];
        let book = mistake_book(&same_day, &none, &library, &Zone::utc());
        assert!(open_first(&book));
        assert_eq!(book.open.iter().find(|m| m.situation.turn_id == script.scenario.turns[0].id).unwrap().good_since, 1);
        let two_days = [wrong.clone(), record(2, &script, seed, &best, "2026-11-02"), record(3, &script, seed, &best, "2026-11-03")];
        let book = mistake_book(&two_days, &none, &library, &Zone::utc());
        assert!(!open_first(&book));
        assert!(book.cleared >= 1);
        // Days are the trainee's own: 10:00 and 17:00 UTC on 2 Nov are 18:00
        // on 2 Nov and 01:00 on 3 Nov in Beijing.
        let mut late = record(3, &script, seed, &best, "2026-11-02");
        for (i, s) in late.steps.iter_mut().enumerate() {
            s.recorded_at = format!("2026-11-02T17:00:{i:02}.000Z");
        }
        let across_midnight = [wrong.clone(), record(2, &script, seed, &best, "2026-11-02"), late];
        assert!(open_first(&mistake_book(&across_midnight, &none, &library, &Zone::utc())));
        assert!(!open_first(&mistake_book(&across_midnight, &none, &library, &Zone::fixed_hours(8))));
        // A wrong answer between the good ones starts the count again.
        let broken = [wrong.clone(), record(2, &script, seed, &best, "2026-11-02"), record(3, &script, seed, &bad, "2026-11-03"), record(4, &script, seed, &best, "2026-11-04")];
        let book = mistake_book(&broken, &none, &library, &Zone::utc());
        let m = book.open.iter().find(|m| m.situation.turn_id == script.scenario.turns[0].id).unwrap();
        assert_eq!((m.times_wrong, m.good_since, m.attempt), (2, 1, 3));
    }

    /// A targeted run from `situation` answering `first` there on `day`,
    /// then (with `go_on`) a wrong option wherever a turn has one, as stored.
    fn targeted(id: i64, script: &Arc<Script>, situation: &Situation, first: usize, go_on: bool, day: &str) -> AttemptRecord {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let p = store.create_profile("x").unwrap().id;
        let seed = 4242;
        let a = store.begin_targeted_attempt(p, script, seed, situation).unwrap();
        let mut e = situation.start(script.clone(), seed).unwrap();
        let mut i = 0;
        while !e.is_over() && (i == 0 || go_on) {
            let turn = script.scenario.turns.iter().position(|t| t.id == e.prompt().unwrap().turn.id).unwrap();
            let flow = &script.flow_for(situation.persona).turns[turn];
            let c = if i == 0 {
                first
            } else {
                (0..flow.choices.len()).find(|&c| judge_answer(script, situation.persona, turn, c, flow.choices[c].red_flag.is_some(), false) == Judged::Wrong).unwrap_or(0)
            };
            let step = e.choose(c, None).unwrap().clone();
            store.record_step(a, i, &step).unwrap();
            i += 1;
        }
        let mut r = store.attempt(a).unwrap();
        assert_eq!(r.summary.situation.as_ref(), Some(situation));
        r.summary.id = id;
        for (i, s) in r.steps.iter_mut().enumerate() {
            *s = StepRecord { recorded_at: format!("{day}T11:00:{i:02}.000Z"), ..s.clone() };
        }
        r
    }

    #[test]
    fn a_targeted_run_counts_once_for_its_own_mistake_and_clears_it_over_two_days() {
        let library = library();
        let script = library.script("hotline-water-outage").unwrap().clone();
        let seed = 3;
        let persona = script.persona_for_seed(seed);
        let (best, bad) = routes(&script, persona);
        let none = HashMap::new();
        let first_turn = script.scenario.turns[0].id.clone();
        let wrong = record(1, &script, seed, &bad, "2026-11-01");
        let book = mistake_book(std::slice::from_ref(&wrong), &none, &library, &Zone::utc());
        let m = book.open.iter().find(|m| m.situation.turn_id == first_turn).unwrap().clone();
        let others = book.open.len();
        // Answered well from the situation, then badly on every later turn:
        // only the answer in the situation is judged.
        let well = targeted(2, &script, &m.situation, best[0], true, "2026-11-02");
        assert!(well.steps.len() > 1);
        let book = mistake_book(&[wrong.clone(), well.clone()], &none, &library, &Zone::utc());
        let after = book.open.iter().find(|m| m.situation.turn_id == first_turn).expect("one good day does not clear it");
        assert_eq!((after.good_since, after.times_wrong), (1, 1));
        assert_eq!(book.open.len(), others, "later answers of a targeted run open no mistakes");
        // A second good targeted answer the next day clears it.
        let again = targeted(3, &script, &m.situation, best[0], false, "2026-11-03");
        let book = mistake_book(&[wrong.clone(), well.clone(), again.clone()], &none, &library, &Zone::utc());
        assert!(!book.open.iter().any(|m| m.situation.turn_id == first_turn), "{book:?}");
        assert_eq!(book.cleared, 1);
        assert_eq!(book.cleared_mistakes.iter().filter(|c| c.situation == m.situation).count(), 1, "shown apart once cleared");
        // A wrong targeted answer after that reopens it, counted once.
        let relapse = targeted(4, &script, &m.situation, bad[0], false, "2026-11-04");
        let book = mistake_book(&[wrong, well, again, relapse], &none, &library, &Zone::utc());
        let reopened = book.open.iter().find(|m| m.situation.turn_id == first_turn).expect("reopened");
        assert!(!book.cleared_mistakes.iter().any(|c| c.situation == m.situation));
        assert_eq!((reopened.times_wrong, reopened.good_since, reopened.attempt), (2, 0, 4));
        assert_eq!(reopened.situation, m.situation);
    }

    #[test]
    fn the_store_gives_a_trainees_book_from_their_own_attempts() {
        let library = library();
        let script = library.script("hotline-water-outage").unwrap().clone();
        let seed = 3;
        let (_, bad) = routes(&script, script.persona_for_seed(seed));
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let (me, other) = (store.create_profile("甲").unwrap().id, store.create_profile("乙").unwrap().id);
        let a = store.begin_attempt_for(me, &script, seed).unwrap();
        let mut e = Encounter::new(script.clone(), seed);
        for (i, &c) in bad.iter().enumerate() {
            let step = e.choose(c, None).unwrap().clone();
            store.record_step(a, i, &step).unwrap();
        }
        let book = store.mistake_book(me, &library, &Zone::utc()).unwrap();
        assert!(book.open.iter().any(|m| m.attempt == a && m.situation.turn_id == script.scenario.turns[0].id), "{book:?}");
        assert!(store.mistake_book(other, &library, &Zone::utc()).unwrap().open.is_empty());
    }

    #[test]
    fn an_exam_attempt_counts_only_once_released_and_a_missing_scenario_is_skipped() {
        let library = library();
        let script = library.script("hotline-water-outage").unwrap().clone();
        let (_, bad) = routes(&script, script.persona_for_seed(3));
        let wrong = record(7, &script, 3, &bad, "2026-11-01");
        let withheld: HashMap<i64, (i64, bool)> = [(7, (1, false))].into_iter().collect();
        assert!(mistake_book(std::slice::from_ref(&wrong), &withheld, &library, &Zone::utc()).open.is_empty());
        let released: HashMap<i64, (i64, bool)> = [(7, (1, true))].into_iter().collect();
        let book = mistake_book(std::slice::from_ref(&wrong), &released, &library, &Zone::utc());
        assert!(!book.open.is_empty() && book.open.iter().all(|m| m.from_exam));
        let mut gone = wrong.clone();
        gone.summary.scenario_id = "no-such".into();
        let book = mistake_book(&[gone], &HashMap::new(), &library, &Zone::utc());
        assert_eq!(book.skipped.len(), 1);
        assert!(book.open.is_empty());
    }
}
