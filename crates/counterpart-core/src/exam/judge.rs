//! Judging a sitting: each drawn scenario passes or fails on its stored
//! attempt against the exam's pass mark and time limit, and the exam on
//! how many passed and on the whole exam's time. Pure: the store supplies
//! the attempts and the clock, nothing here reads a file or the time.

use crate::exam::Exam;
use crate::exam::draw::Slot;
use crate::play::rubric::{Dimension, Rating};
use crate::play::score::AttemptResult;
use crate::scenario::model::Text;
use serde::{Deserialize, Serialize};

/// What the store knows about one drawn scenario of a sitting.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotRecord<'a> {
    pub slot: &'a Slot,
    /// The finished attempt's result; None when never begun or not finished.
    pub result: Option<&'a AttemptResult>,
    /// Whether an attempt was begun at all.
    pub begun: bool,
    /// Seconds on this scenario's clock.
    pub elapsed_secs: u64,
}

/// Why a scenario or the exam failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reason {
    NotStarted,
    NotFinished,
    OverTime { secs: u64, limit_secs: u64 },
    Overall { score: f32, mark: f32 },
    Dimension { dimension: Dimension, score: f32, mark: f32 },
    RedFlag,
    Rating { got: Option<Rating>, needed: Rating },
    /// The exam: too few scenarios passed.
    TooFewPassed { passed: u32, needed: u32 },
    /// The exam: the whole exam's clock ran over.
    ExamOverTime { secs: u64, limit_secs: u64 },
}

fn minutes(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

impl Reason {
    pub fn text(&self) -> Text {
        match self {
            Reason::NotStarted => Text::new("未作答", "not attempted"),
            Reason::NotFinished => Text::new("未答完", "not finished"),
            Reason::OverTime { secs, limit_secs } => Text::new(
                format!("超时：用时 {}，限时 {}", minutes(*secs), minutes(*limit_secs)),
                format!("over time: {} taken, {} allowed", minutes(*secs), minutes(*limit_secs)),
            ),
            Reason::Overall { score, mark } => {
                Text::new(format!("总分 {score:.1}，低于合格分 {mark:.0}"), format!("overall {score:.1}, below the pass mark {mark:.0}"))
            }
            Reason::Dimension { dimension, score, mark } => Text::new(
                format!("{} {score:.1}，低于 {mark:.0}", dimension.label().zh),
                format!("{} {score:.1}, below {mark:.0}", dimension.label().en),
            ),
            Reason::RedFlag => Text::new("触犯红线", "a red flag was raised"),
            Reason::Rating { got, needed } => {
                let got = got.map_or(Text::new("无", "none"), |r| r.label());
                Text::new(format!("群众评价为{}，要求至少{}", got.zh, needed.label().zh), format!("citizen's rating {}, at least {} needed", got.en, needed.label().en))
            }
            Reason::TooFewPassed { passed, needed } => {
                Text::new(format!("通过 {passed} 道，要求 {needed} 道"), format!("{passed} scenario(s) passed, {needed} needed"))
            }
            Reason::ExamOverTime { secs, limit_secs } => Text::new(
                format!("整场超时：用时 {}，限时 {}", minutes(*secs), minutes(*limit_secs)),
                format!("the exam ran over: {} taken, {} allowed", minutes(*secs), minutes(*limit_secs)),
            ),
        }
    }
}

/// One drawn scenario on the result sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotVerdict {
    pub scenario: String,
    pub persona: Option<String>,
    pub passed: bool,
    /// Empty when passed.
    pub reasons: Vec<Reason>,
    pub overall: Option<f32>,
    pub dimensions: Option<[f32; 5]>,
    pub rating: Option<Rating>,
    pub elapsed_secs: u64,
}

/// The result sheet of a sitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub slots: Vec<SlotVerdict>,
    pub passed: bool,
    /// Why the exam failed; empty when passed.
    pub reasons: Vec<Reason>,
    pub elapsed_secs: u64,
}

impl Verdict {
    pub fn passed_count(&self) -> u32 {
        self.slots.iter().filter(|s| s.passed).count() as u32
    }
}

/// Judges one drawn scenario.
pub(crate) fn judge_slot(exam: &Exam, record: &SlotRecord<'_>) -> SlotVerdict {
    let mark = &exam.pass;
    let mut reasons = Vec::new();
    let limit_secs = exam.time.per_scenario_minutes as u64 * 60;
    let result = record.result;
    match result {
        None if !record.begun => reasons.push(Reason::NotStarted),
        None => reasons.push(Reason::NotFinished),
        Some(result) => {
            let card = &result.card;
            if card.overall + 1e-4 < mark.overall {
                reasons.push(Reason::Overall { score: card.overall, mark: mark.overall });
            }
            for dim in Dimension::ALL {
                let needed = mark.for_dimension(dim);
                let score = card.dimension(dim);
                if score + 1e-4 < needed {
                    reasons.push(Reason::Dimension { dimension: dim, score, mark: needed });
                }
            }
            if mark.no_red_flag && !card.red_flags.is_empty() {
                reasons.push(Reason::RedFlag);
            }
            // A hang-up, walk-out or complaint is 不满意 whatever the card
            // says, as in practice; a card from before ratings has none.
            let rating = if result.outcome.is_breakdown() { Some(Rating::Dissatisfied) } else { card.rating };
            if rating.is_none_or(|r| r < mark.rating) {
                reasons.push(Reason::Rating { got: rating, needed: mark.rating });
            }
        }
    }
    if record.elapsed_secs > limit_secs {
        reasons.push(Reason::OverTime { secs: record.elapsed_secs, limit_secs });
    }
    SlotVerdict {
        scenario: record.slot.scenario.clone(),
        persona: result.map(|r| r.persona.clone()).or_else(|| record.slot.persona.clone()),
        passed: reasons.is_empty(),
        reasons,
        overall: result.map(|r| r.card.overall),
        dimensions: result.map(|r| r.card.dimensions),
        rating: result.and_then(|r| if r.outcome.is_breakdown() { Some(Rating::Dissatisfied) } else { r.card.rating }),
        elapsed_secs: record.elapsed_secs,
    }
}

/// Judges a sitting from its drawn scenarios' records, in draw order.
pub fn judge(exam: &Exam, records: &[SlotRecord<'_>]) -> Verdict {
    let slots: Vec<SlotVerdict> = records.iter().map(|r| judge_slot(exam, r)).collect();
    let elapsed_secs: u64 = records.iter().map(|r| r.elapsed_secs).sum();
    let mut reasons = Vec::new();
    let needed = exam.pass.scenarios.unwrap_or(exam.draw).min(exam.draw).max(1);
    let passed = slots.iter().filter(|s| s.passed).count() as u32;
    if passed < needed || slots.is_empty() {
        reasons.push(Reason::TooFewPassed { passed, needed });
    }
    let limit_secs = exam.time.exam_minutes as u64 * 60;
    if elapsed_secs > limit_secs {
        reasons.push(Reason::ExamOverTime { secs: elapsed_secs, limit_secs });
    }
    Verdict { passed: reasons.is_empty(), slots, reasons, elapsed_secs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exam::{PassMark, PoolEntry, TimeLimits};
    use crate::play::score::ScoreCard;
    use crate::scenario::model::Outcome;

    fn exam() -> Exam {
        Exam {
            id: "e".into(),
            version: 1,
            title: Text::new("考", "Exam"),
            description: Text::default(),
            pool: vec![PoolEntry { scenario: "a".into(), personas: vec![] }, PoolEntry { scenario: "b".into(), personas: vec![] }],
            draw: 2,
            time: TimeLimits { per_scenario_minutes: 10, exam_minutes: 15 },
            pass: PassMark { dimensions: [(Dimension::Empathy, 60.0)].into_iter().collect(), ..PassMark::default() },
            retakes: Default::default(),
            debrief: Default::default(),
        }
    }

    fn result(overall: f32, dims: [f32; 5], rating: Rating, outcome: Outcome) -> AttemptResult {
        let card = ScoreCard { items: [2; crate::scenario::model::Item::ALL.len()], dimensions: dims, overall, passed: true, red_flags: vec![], notes: vec![], rating: Some(rating), outcome: Some(outcome), rules: 2 };
        AttemptResult { card, ending_id: "end".into(), outcome, disc_guess: None, persona: "main".into() }
    }

    fn slot(s: &str) -> Slot {
        Slot { scenario: s.into(), persona: None, seed: 1 }
    }

    #[test]
    fn a_good_attempt_in_time_passes_and_both_pass_the_exam() {
        let (a, b) = (slot("a"), slot("b"));
        let r = result(80.0, [80.0, 70.0, 80.0, 60.0, 75.0], Rating::Satisfied, Outcome::Resolved);
        let v = judge(&exam(), &[
            SlotRecord { slot: &a, result: Some(&r), begun: true, elapsed_secs: 400 },
            SlotRecord { slot: &b, result: Some(&r), begun: true, elapsed_secs: 400 },
        ]);
        assert!(v.passed, "{v:?}");
        assert_eq!(v.passed_count(), 2);
    }

    #[test]
    fn each_mark_fails_with_its_own_reason() {
        let a = slot("a");
        let judge_one = |r: &AttemptResult, secs| judge_slot(&exam(), &SlotRecord { slot: &a, result: Some(r), begun: true, elapsed_secs: secs }).reasons;
        let low_empathy = result(80.0, [80.0, 55.0, 80.0, 60.0, 75.0], Rating::Satisfied, Outcome::Resolved);
        assert_eq!(judge_one(&low_empathy, 10), vec![Reason::Dimension { dimension: Dimension::Empathy, score: 55.0, mark: 60.0 }]);
        let low_overall = result(69.9, [80.0, 70.0, 80.0, 60.0, 75.0], Rating::Satisfied, Outcome::Resolved);
        assert_eq!(judge_one(&low_overall, 10), vec![Reason::Overall { score: 69.9, mark: 70.0 }]);
        let hung_up = result(80.0, [80.0, 70.0, 80.0, 60.0, 75.0], Rating::Satisfied, Outcome::HungUp);
        assert_eq!(judge_one(&hung_up, 10), vec![Reason::Rating { got: Some(Rating::Dissatisfied), needed: Rating::BasicallySatisfied }]);
        let good = result(80.0, [80.0, 70.0, 80.0, 60.0, 75.0], Rating::Satisfied, Outcome::Resolved);
        assert_eq!(judge_one(&good, 601), vec![Reason::OverTime { secs: 601, limit_secs: 600 }]);
        assert!(judge_one(&good, 600).is_empty());
        let mut flagged = good.clone();
        flagged.card.red_flags.push(crate::scenario::model::RedFlag::ForbiddenPhrase);
        assert_eq!(judge_one(&flagged, 10), vec![Reason::RedFlag]);
    }

    #[test]
    fn a_missing_or_unfinished_attempt_fails_with_a_reason_and_the_exam_too() {
        let (a, b) = (slot("a"), slot("b"));
        let r = result(90.0, [90.0; 5], Rating::Satisfied, Outcome::Resolved);
        let v = judge(&exam(), &[
            SlotRecord { slot: &a, result: Some(&r), begun: true, elapsed_secs: 300 },
            SlotRecord { slot: &b, result: None, begun: false, elapsed_secs: 0 },
        ]);
        assert!(!v.passed);
        assert_eq!(v.slots[1].reasons, vec![Reason::NotStarted]);
        assert_eq!(v.reasons, vec![Reason::TooFewPassed { passed: 1, needed: 2 }]);
        let v = judge(&exam(), &[
            SlotRecord { slot: &a, result: None, begun: true, elapsed_secs: 30 },
            SlotRecord { slot: &b, result: Some(&r), begun: true, elapsed_secs: 30 },
        ]);
        assert_eq!(v.slots[0].reasons, vec![Reason::NotFinished]);
        assert!(v.slots[0].reasons[0].text().zh.contains("未答完"));
    }

    #[test]
    fn the_whole_exam_clock_and_the_scenarios_to_pass_count() {
        let (a, b) = (slot("a"), slot("b"));
        let good = result(90.0, [90.0; 5], Rating::Satisfied, Outcome::Resolved);
        let poor = result(50.0, [50.0; 5], Rating::Satisfied, Outcome::Resolved);
        let v = judge(&exam(), &[
            SlotRecord { slot: &a, result: Some(&good), begun: true, elapsed_secs: 500 },
            SlotRecord { slot: &b, result: Some(&good), begun: true, elapsed_secs: 500 },
        ]);
        assert_eq!(v.reasons, vec![Reason::ExamOverTime { secs: 1000, limit_secs: 900 }]);
        let mut lenient = exam();
        lenient.pass.scenarios = Some(1);
        let v = judge(&lenient, &[
            SlotRecord { slot: &a, result: Some(&good), begun: true, elapsed_secs: 100 },
            SlotRecord { slot: &b, result: Some(&poor), begun: true, elapsed_secs: 100 },
        ]);
        assert!(v.passed, "{v:?}");
        assert!(!v.slots[1].passed);
        assert!(!judge(&exam(), &[]).passed, "an empty sitting never passes");
    }
}
