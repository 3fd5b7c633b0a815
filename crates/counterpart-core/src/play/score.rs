//! Turning the evidence shown in an encounter into scores.
//!
//! `Tally` is the running aggregate that both the engine and the analyzer
//! update with the same `record` call, so a route the analyzer reports
//! always scores the same when it is played.

use crate::scenario::model::{DiscStyle, Item, Mood, Outcome, RedFlag, Text};
use crate::play::rubric::{
    Aggregation, DISC_GATE, Dimension, LEVEL_MAX, PASS_DIMENSION_FLOOR, PASS_OVERALL, Rating, citizen_rating,
};
use serde::{Deserialize, Serialize};

const ITEMS: usize = Item::ALL.len();

/// Which scoring rules produced a score card. 1: best/worst per item only;
/// 2: missed chances, over-talking, personas and the citizen's rating.
/// Stored with every card so that old attempts keep the score they got.
pub const RULES_VERSION: u32 = 2;

fn rules_v1() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Tally {
    levels: [Option<u8>; ITEMS],
    /// Per content item, the worst miss at a turn that offered the item:
    /// 0 none (or answered adequately), 1 answered at "missed", 2 at
    /// "harmful". The item's final level is capped at 3 − this.
    missed: [u8; ITEMS],
    /// A solution was offered while the citizen was still highly upset.
    pub premature_solution: bool,
    pub red_flags: u8,
}

impl Tally {
    pub fn record(&mut self, item: Item, level: u8) {
        let level = level.min(LEVEL_MAX);
        let slot = &mut self.levels[item.index()];
        *slot = Some(match (*slot, item.aggregation()) {
            (None, _) => level,
            (Some(old), Aggregation::Best) => old.max(level),
            (Some(old), Aggregation::Worst) => old.min(level),
        });
    }

    pub fn level(&self, item: Item) -> Option<u8> {
        self.levels[item.index()]
    }

    /// Records how the chosen answer did on a content item that its turn
    /// offered (some option there showed it at "adequate" or better). Like
    /// the other aggregates this is idempotent (a maximum of misses), which
    /// is what lets the analyzer stop on loops.
    pub(crate) fn record_chance(&mut self, item: Item, level: u8) {
        if item.aggregation() == Aggregation::Best {
            let miss = 2 - level.min(2);
            let slot = &mut self.missed[item.index()];
            *slot = (*slot).max(miss);
        }
    }

    /// The missed-chance state as a rank, higher is better: 2 no miss, 1 a
    /// "missed" answer, 0 a harmful one where the turn offered the item.
    pub(crate) fn chance_rank(&self, item: Item) -> u8 {
        2 - self.missed[item.index()]
    }

    /// The cap missed chances put on an item's final level.
    pub(crate) fn chance_cap(&self, item: Item) -> u8 {
        LEVEL_MAX - self.missed[item.index()]
    }

    /// Orders an item's partial aggregate by how good it can still end up,
    /// so that a higher rank is never worse whatever evidence follows. An
    /// unseen content item sits between 0 and 1 (more evidence replaces it);
    /// an unseen form item between 2 and 3 (a lapse can still spoil it).
    pub fn rank(&self, item: Item) -> u8 {
        match (self.levels[item.index()], item.aggregation()) {
            (None, Aggregation::Best) => 1,
            (Some(level), Aggregation::Best) => if level == 0 { 0 } else { level + 1 },
            (None, Aggregation::Worst) => 3,
            (Some(level), Aggregation::Worst) => if level == LEVEL_MAX { 4 } else { level },
        }
    }

    pub fn finish(&self, red_flags: Vec<RedFlag>) -> ScoreCard {
        let mut items = [0u8; ITEMS];
        for item in Item::ALL {
            items[item.index()] = self.levels[item.index()].unwrap_or(item.unseen_level());
        }
        let mut notes = Vec::new();
        let mut missed = false;
        for item in Item::ALL {
            let cap = self.chance_cap(item);
            if items[item.index()] > cap {
                items[item.index()] = cap;
                missed = true;
            }
        }
        if missed {
            notes.push(ScoreNote::MissedChances);
        }
        if self.premature_solution {
            for item in [Item::E1, Item::P2] {
                items[item.index()] = items[item.index()].min(1);
            }
            notes.push(ScoreNote::PrematureSolution);
        }
        let dimension_of = |items: &[u8; ITEMS], dim: Dimension| {
            let sum: u32 = dim.items().iter().map(|i| items[i.index()] as u32).sum();
            100.0 * sum as f32 / (LEVEL_MAX as u32 * dim.items().len() as u32) as f32
        };
        if dimension_of(&items, Dimension::Empathy) < DISC_GATE
            || dimension_of(&items, Dimension::Clarity) < DISC_GATE
        {
            let capped = Dimension::Disc.items().iter().any(|i| items[i.index()] > 1);
            for item in Dimension::Disc.items() {
                items[item.index()] = items[item.index()].min(1);
            }
            if capped {
                notes.push(ScoreNote::DiscGated);
            }
        }
        let dimensions = Dimension::ALL.map(|dim| dimension_of(&items, dim));
        let overall = Dimension::ALL
            .iter()
            .map(|dim| dimensions[dim.index()] * dim.weight() as f32)
            .sum::<f32>()
            / 100.0;
        let passed = red_flags.is_empty()
            && overall >= PASS_OVERALL
            && dimensions.iter().all(|&d| d >= PASS_DIMENSION_FLOOR);
        ScoreCard { items, dimensions, overall, passed, red_flags, notes, rating: None, outcome: None, rules: RULES_VERSION }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoreNote {
    /// E1 and P2 were capped at "missed".
    PrematureSolution,
    /// DISC items were capped at "missed" until empathy and clarity are there.
    DiscGated,
    /// Content items were capped because turns that offered them were
    /// answered without them.
    MissedChances,
    /// The citizen rated the service 不满意: the attempt fails.
    Dissatisfied,
    /// The encounter ended in a hang-up, walk-out or formal complaint.
    Breakdown,
}

impl ScoreNote {
    pub fn text(self) -> Text {
        match self {
            ScoreNote::PrematureSolution => Text::new(
                "对方情绪还很激动时就给出方案：“先回应情绪”和“先安抚再收集信息”两项最多记为“缺失”。",
                "A solution was offered while the citizen was still very upset, so “acknowledges the emotion first” and “calms before gathering information” count as missed at best.",
            ),
            ScoreNote::DiscGated => Text::new(
                "基本的共情和清晰表达还没到位，DISC 适配暂不计分。",
                "Basic empathy and clear information were not yet there, so DISC adaptation does not count yet.",
            ),
            ScoreNote::MissedChances => Text::new(
                "有些回合本可以做到某一项（其他选项做到了），你选的回答却没有做到：这些项目的得分最多比当时最差的一次高一级。",
                "Some turns offered a chance (another option there did it) that your answer let pass: those items score at most one level above your worst answer where the chance was.",
            ),
            ScoreNote::Dissatisfied => Text::new(
                "群众对这次服务的评价是“不满意”：无论其他得分多高，本次演练不通过。",
                "The citizen rated the service “dissatisfied”: the attempt fails whatever the other scores.",
            ),
            ScoreNote::Breakdown => Text::new(
                "这次服务以挂断、离开或正式投诉告终：本次演练不通过。",
                "The encounter ended in a hang-up, a walk-out or a formal complaint: the attempt fails.",
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreCard {
    /// Final level of every rubric item, in `Item::ALL` order.
    pub items: [u8; ITEMS],
    /// 0–100 per dimension, in `Dimension::ALL` order.
    pub dimensions: [f32; 5],
    pub overall: f32,
    pub passed: bool,
    pub red_flags: Vec<RedFlag>,
    pub notes: Vec<ScoreNote>,
    /// The citizen's rating, once the encounter has ended.
    #[serde(default)]
    pub rating: Option<Rating>,
    /// How the encounter ended, once it has.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The scoring rules that produced this card (`RULES_VERSION` now).
    #[serde(default = "rules_v1")]
    pub rules: u32,
}

impl ScoreCard {
    /// The card of an ended encounter: the citizen's rating from the
    /// ending and the final mood, and a fail when the rating is 不满意 or
    /// the ending is a breakdown. The numbers stay as they are.
    pub fn concluded(mut self, outcome: Outcome, mood: Mood) -> ScoreCard {
        let rating = citizen_rating(outcome, mood);
        self.rating = Some(rating);
        self.outcome = Some(outcome);
        if outcome.is_breakdown() {
            self.notes.push(ScoreNote::Breakdown);
        } else if rating == Rating::Dissatisfied {
            self.notes.push(ScoreNote::Dissatisfied);
        }
        if rating == Rating::Dissatisfied {
            self.passed = false;
        }
        self
    }

    pub fn dimension(&self, dim: Dimension) -> f32 {
        self.dimensions[dim.index()]
    }

    pub fn item(&self, item: Item) -> u8 {
        self.items[item.index()]
    }

}

impl RedFlag {
    pub fn label(self) -> Text {
        match self {
            RedFlag::ForbiddenPhrase => Text::new("使用服务禁语", "Used a forbidden phrase"),
            RedFlag::PushingAway => Text::new("推诿：把群众推走", "Pushed the citizen away (推诿)"),
            RedFlag::OverPromise => Text::new("超出权限的承诺", "Promised beyond authority"),
            RedFlag::DataLeak => Text::new("泄露个人信息", "Leaked personal data"),
            RedFlag::MissedProtocol => Text::new("风险处置缺项：该做的转接或上报没有及时做", "Risk protocol missed: a required handover or report not made in time"),
        }
    }
}

/// What a finished attempt comes to: its score card, ending and the
/// persona played. Produced by play and drills, stored by records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptResult {
    pub card: ScoreCard,
    pub ending_id: String,
    pub outcome: Outcome,
    /// The trainee's guess of the citizen's DISC style, when asked.
    pub disc_guess: Option<DiscStyle>,
    /// The persona played (`MAIN_PERSONA` unless the scenario has others).
    #[serde(default = "main_persona")]
    pub persona: String,
}

pub(crate) fn main_persona() -> String {
    crate::scenario::model::MAIN_PERSONA.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_items_take_the_best_and_form_items_the_worst() {
        let mut tally = Tally::default();
        tally.record(Item::C2, 1);
        tally.record(Item::C2, 3);
        tally.record(Item::L1, 3);
        tally.record(Item::L1, 0);
        let card = tally.finish(vec![]);
        assert_eq!(card.item(Item::C2), 3);
        assert_eq!(card.item(Item::L1), 0);
        assert_eq!(card.item(Item::L2), 1, "unseen content item is missed");
        assert_eq!(card.item(Item::E4), 2, "unseen form item is adequate");
    }

    #[test]
    fn premature_solution_caps_e1_and_p2() {
        let mut tally = Tally::default();
        tally.record(Item::E1, 3);
        tally.record(Item::P2, 3);
        tally.premature_solution = true;
        let card = tally.finish(vec![]);
        assert_eq!(card.item(Item::E1), 1);
        assert_eq!(card.item(Item::P2), 1);
        assert!(card.notes.contains(&ScoreNote::PrematureSolution));
    }

    #[test]
    fn disc_counts_only_with_basic_empathy_and_clarity() {
        let mut tally = Tally::default();
        for item in [Item::D1, Item::D2, Item::D3] {
            tally.record(item, 3);
        }
        let gated = tally.finish(vec![]);
        assert!(gated.dimension(Dimension::Disc) <= 100.0 / 3.0 + 0.01);
        for item in Dimension::Empathy.items().iter().chain(Dimension::Clarity.items()) {
            tally.record(*item, 2);
        }
        let open = tally.finish(vec![]);
        assert_eq!(open.dimension(Dimension::Disc), 100.0);
    }

    #[test]
    fn a_red_flag_fails_a_perfect_score() {
        let mut tally = Tally::default();
        for item in Item::ALL {
            tally.record(item, 3);
        }
        assert!(tally.finish(vec![]).passed);
        let card = tally.finish(vec![RedFlag::PushingAway]);
        assert_eq!(card.overall, 100.0);
        assert!(!card.passed);
    }

    #[test]
    fn rank_never_misorders_futures() {
        // For every pair of partial aggregates, a higher rank must finish at
        // least as high whatever single piece of evidence comes next.
        for item in [Item::C2, Item::L1] {
            let states: Vec<Option<u8>> = vec![None, Some(0), Some(1), Some(2), Some(3)];
            for a in &states {
                for b in &states {
                    let mk = |l: &Option<u8>| {
                        let mut t = Tally::default();
                        if let Some(l) = l {
                            t.record(item, *l);
                        }
                        t
                    };
                    let (ta, tb) = (mk(a), mk(b));
                    if ta.rank(item) < tb.rank(item) {
                        continue;
                    }
                    let mut futures: Vec<Option<u8>> = vec![None];
                    futures.extend((0..=3).map(Some));
                    for f in futures {
                        let (mut fa, mut fb) = (ta, tb);
                        if let Some(l) = f {
                            fa.record(item, l);
                            fb.record(item, l);
                        }
                        assert!(
                            fa.finish(vec![]).item(item) >= fb.finish(vec![]).item(item),
                            "{item:?} {a:?} vs {b:?} then {f:?}"
                        );
                    }
                }
            }
        }
    }
}
