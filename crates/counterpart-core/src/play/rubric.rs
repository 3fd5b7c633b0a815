//! The scoring rubric from the domain brief: five weighted dimensions, each
//! made of items scored 0 harmful · 1 missed · 2 adequate · 3 exemplary.
//!
//! Every item aggregates over an encounter either by its *best* evidence
//! (content: once shown, it counts) or its *worst* (form: one lapse spoils
//! it). The brief names L2, C2, C3, P5 as content and L1, E4 as form; we also
//! treat C1 (jargon), D3 (hitting a style's trigger) and P3 (a premature
//! promise) as form, because a single lapse is what those items describe, and
//! the remaining items as content.

use crate::scenario::model::{Item, Text};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dimension {
    Listening,
    Empathy,
    Clarity,
    Disc,
    Process,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Listening,
        Dimension::Empathy,
        Dimension::Clarity,
        Dimension::Disc,
        Dimension::Process,
    ];

    /// Weight in the overall score; the weights add up to 100.
    pub fn weight(self) -> u32 {
        match self {
            Dimension::Listening | Dimension::Empathy | Dimension::Clarity => 20,
            Dimension::Disc => 15,
            Dimension::Process => 25,
        }
    }

    pub fn label(self) -> Text {
        match self {
            Dimension::Listening => Text::new("倾听", "Listening"),
            Dimension::Empathy => Text::new("共情", "Empathy"),
            Dimension::Clarity => Text::new("清晰", "Clarity"),
            Dimension::Disc => Text::new("DISC 适配", "DISC adaptation"),
            Dimension::Process => Text::new("流程", "Process"),
        }
    }

    pub fn items(self) -> &'static [Item] {
        use Item::*;
        match self {
            Dimension::Listening => &[L1, L2, L3, L4],
            Dimension::Empathy => &[E1, E2, E3, E4],
            Dimension::Clarity => &[C1, C2, C3, C4],
            Dimension::Disc => &[D1, D2, D3],
            Dimension::Process => &[P1, P2, P3, P4, P5],
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Best,
    Worst,
}

pub(crate) const LEVEL_MAX: u8 = 3;

impl Item {
    pub const ALL: [Item; 20] = {
        use Item::*;
        [L1, L2, L3, L4, E1, E2, E3, E4, C1, C2, C3, C4, D1, D2, D3, P1, P2, P3, P4, P5]
    };

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn dimension(self) -> Dimension {
        use Item::*;
        match self {
            L1 | L2 | L3 | L4 => Dimension::Listening,
            E1 | E2 | E3 | E4 => Dimension::Empathy,
            C1 | C2 | C3 | C4 => Dimension::Clarity,
            D1 | D2 | D3 => Dimension::Disc,
            P1 | P2 | P3 | P4 | P5 => Dimension::Process,
        }
    }

    pub(crate) fn aggregation(self) -> Aggregation {
        use Item::*;
        match self {
            L1 | E4 | C1 | D3 | P3 => Aggregation::Worst,
            _ => Aggregation::Best,
        }
    }

    /// The level an item gets when nothing in the encounter showed it: a
    /// content item was missed (1); a form item saw no lapse (2, adequate).
    pub(crate) fn unseen_level(self) -> u8 {
        match self.aggregation() {
            Aggregation::Best => 1,
            Aggregation::Worst => 2,
        }
    }

    pub fn label(self) -> Text {
        use Item::*;
        match self {
            L1 => Text::new("让对方说完，不打断", "Lets the citizen finish, no interrupting"),
            L2 => Text::new("先开放后封闭地提问，抓住事实", "Open then closed questions that capture the facts"),
            L3 => Text::new("复述并确认", "Paraphrases and confirms"),
            L4 => Text::new("捕捉情绪、隐含需求和特殊群体信号", "Catches cues: emotion, hidden need, special-group signals"),
            E1 => Text::new("先回应情绪，再解决问题", "Acknowledges the emotion before problem-solving"),
            E2 => Text::new("为造成的影响诚恳道歉，不推卸", "Sincere apology for the impact, no blame-shifting"),
            E3 => Text::new("给予支持性承诺", "Supportive commitment"),
            E4 => Text::new("全程尊重，不用服务禁语", "Respectful tone throughout, no forbidden phrases"),
            C1 => Text::new("用词通俗，术语有解释", "Plain words, jargon explained"),
            C2 => Text::new("一次性告知完整", "Tells everything needed in one go (一次性告知)"),
            C3 => Text::new("承诺具体：谁、做什么、何时、单号，如实说明限制", "Concrete commitment: who, what, when, ticket; honest about limits"),
            C4 => Text::new("确认对方理解或提供书面清单", "Checks understanding or sends a written summary"),
            D1 => Text::new("识别风格线索", "Picks up the style's cues"),
            D2 => Text::new("节奏、细节、温度与风格匹配", "Matches pace, detail and warmth to the style"),
            D3 => Text::new("避开该风格的雷区", "Avoids the style's triggers"),
            P1 => Text::new("接待：问候、自我介绍、首问负责", "Reception: greets, identifies self, takes ownership"),
            P2 => Text::new("先安抚情绪再收集信息", "Calms before gathering information"),
            P3 => Text::new("收集与分析，不过早承诺", "Gathers and analyses, no premature promise"),
            P4 => Text::new("方案合规，必要时协调或升级", "Solution within policy, escalates when needed"),
            P5 => Text::new("跟踪反馈：时限与致谢", "Follow-up with a time limit and thanks"),
        }
    }
}

/// Overall score needed to pass, when no red flag was raised.
pub(crate) const PASS_OVERALL: f32 = 70.0;
/// No dimension may fall below this for a pass.
pub const PASS_DIMENSION_FLOOR: f32 = 40.0;
/// Offering a solution while the citizen's upset is at or above this caps
/// P2 and E1 at "missed".
pub(crate) const HIGHLY_UPSET: u8 = 70;
/// DISC adaptation counts only when empathy and clarity each reach this
/// score; otherwise its items are capped at "missed".
pub(crate) const DISC_GATE: f32 = 50.0;

/// Maps an option's fit for the citizen's style (−2..=2) to evidence for
/// the DISC items the author did not state explicitly.
pub(crate) fn disc_evidence_from_fit(fit: i8) -> [(Item, u8); 3] {
    let fit = fit.clamp(-2, 2);
    let matched = match fit {
        -2 => 0,
        -1 | 0 => 1,
        1 => 2,
        _ => 3,
    };
    let avoided = match fit {
        -2 => 0,
        -1 => 1,
        0 | 1 => 2,
        _ => 3,
    };
    [(Item::D1, matched), (Item::D2, matched), (Item::D3, avoided)]
}

/// The simulated citizen's rating of the service after the encounter, as
/// real 12345 callers give it (一次一评).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rating {
    /// 不满意: fails the attempt whatever the numbers.
    Dissatisfied,
    /// 基本满意
    BasicallySatisfied,
    /// 满意
    Satisfied,
}

impl Rating {
    pub fn label(self) -> Text {
        match self {
            Rating::Satisfied => Text::new("满意", "Satisfied"),
            Rating::BasicallySatisfied => Text::new("基本满意", "Basically satisfied"),
            Rating::Dissatisfied => Text::new("不满意", "Dissatisfied"),
        }
    }

    /// A stable name for exports and xAPI.
    pub fn code(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::BasicallySatisfied => "basically_satisfied",
            Rating::Dissatisfied => "dissatisfied",
        }
    }
}

/// A citizen still this upset at the end rates the service 不满意.
pub(crate) const DISSATISFIED_UPSET: u8 = 60;
/// A citizen whose trust ends below this rates the service 不满意.
pub(crate) const DISSATISFIED_TRUST_BELOW: u8 = 30;
/// 满意 needs upset below this and trust of at least `SATISFIED_TRUST`.
pub(crate) const SATISFIED_UPSET_BELOW: u8 = 30;
pub(crate) const SATISFIED_TRUST: u8 = 60;

/// The rating from how the encounter ended and the citizen's final mood:
/// a hang-up, walk-out or formal complaint is 不满意 whatever the mood; an
/// ending that resolved or escalated the matter is rated on the mood.
pub(crate) fn citizen_rating(outcome: crate::scenario::model::Outcome, mood: crate::scenario::model::Mood) -> Rating {
    if outcome.is_breakdown() || mood.upset >= DISSATISFIED_UPSET || mood.trust < DISSATISFIED_TRUST_BELOW {
        Rating::Dissatisfied
    } else if mood.upset < SATISFIED_UPSET_BELOW && mood.trust >= SATISFIED_TRUST {
        Rating::Satisfied
    } else {
        Rating::BasicallySatisfied
    }
}

/// Over-talking: how many Chinese characters (spaces aside) a reply may run
/// to before a caller of this primary style stops listening. Real operators
/// speak about 120 characters a minute; a D caller tolerates least, a C
/// caller most, because they want the detail.
pub(crate) fn talk_tolerance(style: crate::scenario::model::DiscStyle) -> usize {
    use crate::scenario::model::DiscStyle::*;
    match style {
        D => 50,
        I | S => 75,
        C => 90,
    }
}

/// A reply that claims more than this many rubric items at "adequate" or
/// better (DISC items aside) is doing everything at once.
pub(crate) const MAX_CLAIMED_ITEMS: usize = 4;

/// Over-talking caps the reply's own evidence at this level...
pub(crate) const OVERTALK_CAP: u8 = 2;
/// ...and records this for C1 (plain, digestible words) and D3 (the
/// style's triggers); a D caller's D3 takes 0, since it is their trigger.
pub(crate) const OVERTALK_LEVEL: u8 = 1;

/// The characters a reply is measured in: everything but whitespace.
pub(crate) fn spoken_length(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}
