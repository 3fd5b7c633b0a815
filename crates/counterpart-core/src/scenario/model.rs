//! The scenario document as trainers write it in RON.
//!
//! These are plain serde types: every struct denies unknown fields so that a
//! typo is an error with a suggestion rather than a silently ignored line.
//! Ids are strings here; `flow` resolves them into indices once validated.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format version this build reads.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// A line of text in both languages. Chinese is primary; a missing side is a
/// validator finding, not a parse error, so a translator can fill it later.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default)]
    pub zh: String,
    #[serde(default)]
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }

    /// The text in `lang`, falling back to the other language when missing.
    pub fn get(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::Zh => (&self.zh, &self.en),
            Lang::En => (&self.en, &self.zh),
        };
        if first.trim().is_empty() { second } else { first }
    }

    /// Both languages on one line, English first: for logs and the
    /// command line, which have no interface language to pick by.
    pub fn fmt_both(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.en.trim().is_empty(), self.zh.trim().is_empty()) {
            (false, false) => write!(f, "{} / {}", self.en, self.zh),
            (true, _) => f.write_str(&self.zh),
            (false, true) => f.write_str(&self.en),
        }
    }
}

/// What a person reads about an error or refusal, in both languages. The
/// core keeps its errors typed; the app turns one into words only where it
/// shows it, in the interface's language (`message().get(lang)`).
pub trait Message {
    fn message(&self) -> Text;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    /// Format version of the file (`FORMAT_VERSION`).
    pub format: u32,
    /// Content version, bumped by the author when the scenario changes, so
    /// records can tell which wording a trainee saw.
    #[serde(default = "one")]
    pub version: u32,
    pub title: Text,
    pub summary: Text,
    pub channel: Channel,
    pub difficulty: Difficulty,
    #[serde(default)]
    pub objectives: Vec<Text>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub minutes: u32,
    pub citizen: Citizen,
    /// Id of the first turn.
    pub start: String,
    /// Checked after every choice, after the turn's and the option's own
    /// routes: encounter-wide rules such as "walks out when upset reaches 95".
    #[serde(default)]
    pub routes: Vec<Route>,
    pub turns: Vec<Turn>,
    pub endings: Vec<Ending>,
    /// Ids of the city profile's rules this scenario's texts state (time
    /// limits, local numbers, hours): local figures are said "按本市规定" and
    /// checked against the one profile, never written as national rules.
    #[serde(default)]
    pub local_rules: Vec<String>,
    /// Hotline: what a correct work order (工单) for this call holds, and
    /// which facts the caller reveals where. Optional while the library is
    /// being given truth scenario by scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_order: Option<WorkOrderTruth>,
    /// Hotline: the right record of this call is no work order at all (a
    /// harassing or invalid call), logged with this disposition. Exclusive
    /// with `work_order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_order: Option<NoOrderTruth>,
    /// Counter: what a complete one-time notice (一次性告知) holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<NoticeTruth>,
    /// Risk protocols: where the citizen shows a risk (suicide, gas, a
    /// threat to go to the media...) and what the operator must do about
    /// it, by when. A required action not taken fails the attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<ProtocolTruth>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Channel {
    /// A service window in a government service hall.
    Counter,
    /// The 12345 citizen hotline.
    Hotline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Difficulty {
    Introductory,
    Intermediate,
    Advanced,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citizen {
    pub name: Text,
    pub age: u32,
    pub situation: Text,
    pub disc: DiscProfile,
    #[serde(default)]
    pub needs: Vec<SpecialNeed>,
    pub mood: Mood,
    /// Other ways the same citizen may be played: other DISC blends and,
    /// optionally, another starting mood. The seed picks one per attempt;
    /// `disc` and `mood` above are the main persona, id `MAIN_PERSONA`.
    /// `None` when the field is absent, so that an empty list written out
    /// is reported rather than taken as "no personas".
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub personas: Option<Vec<Persona>>,
}

/// The id of the persona that `Citizen::disc` and `Citizen::mood` describe.
pub(crate) const MAIN_PERSONA: &str = "main";

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<Persona>>, D::Error> {
    Vec::<Persona>::deserialize(d).map(Some)
}

/// One way the citizen may be played.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Lowercase ASCII, unique in the scenario; `Persona(id)` conditions name it.
    pub id: String,
    /// A short description for the author view and the debrief.
    #[serde(default)]
    pub label: Text,
    pub disc: DiscProfile,
    /// The starting mood; the main persona's when absent.
    #[serde(default)]
    pub mood: Option<Mood>,
}

/// A persona as played: the main one or one of `Citizen::personas`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaView {
    pub id: String,
    pub label: Text,
    pub disc: DiscProfile,
    pub mood: Mood,
}

impl Citizen {
    /// Every persona, the main one first.
    pub fn all_personas(&self) -> Vec<PersonaView> {
        let mut all = vec![PersonaView {
            id: MAIN_PERSONA.to_string(),
            label: Text::default(),
            disc: self.disc,
            mood: self.mood,
        }];
        for p in self.personas.iter().flatten() {
            all.push(PersonaView { id: p.id.clone(), label: p.label.clone(), disc: p.disc, mood: p.mood.unwrap_or(self.mood) });
        }
        all
    }

    pub fn persona_count(&self) -> usize {
        1 + self.personas.as_ref().map_or(0, Vec::len)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscProfile {
    pub primary: DiscStyle,
    #[serde(default)]
    pub secondary: Option<DiscStyle>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DiscStyle {
    /// Dominance 支配: direct and guarded.
    D,
    /// Influence 影响: direct and open.
    I,
    /// Steadiness 稳健: indirect and open.
    S,
    /// Conscientiousness 谨慎: indirect and guarded.
    C,
}

impl DiscStyle {
    pub const ALL: [DiscStyle; 4] = [DiscStyle::D, DiscStyle::I, DiscStyle::S, DiscStyle::C];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpecialNeed {
    Elderly,
    HardOfHearing,
    LowVision,
    LowLiteracy,
    Disability,
    Dialect,
    ForeignNational,
}

/// How upset (angry or distressed) the citizen is and how much they trust
/// the trainee, each 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mood {
    pub upset: u8,
    pub trust: u8,
}

/// A change of mood, in points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoodDelta {
    #[serde(default)]
    pub upset: i8,
    #[serde(default)]
    pub trust: i8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    pub id: String,
    /// What the citizen says; the first line whose condition holds is used.
    pub says: Vec<Line>,
    /// Stage direction shown with the line and on a role-player's cue card,
    /// e.g. "(slaps the counter)".
    #[serde(default)]
    pub cue: Option<Text>,
    /// Seconds the trainee has to answer (hotline turns).
    #[serde(default)]
    pub time_limit: Option<u32>,
    pub options: Vec<Choice>,
    /// Checked after the chosen option's own routes.
    #[serde(default)]
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    #[serde(default)]
    pub when: Condition,
    /// Alternative wordings of the same line; a seeded RNG picks one.
    pub variants: Vec<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Unique within its turn; used by `better`.
    pub id: String,
    /// What the trainee says.
    pub text: Text,
    /// What kind of answer this is; its default evidence for the stage
    /// fills in the items `evidence` does not name (`resolve_kind`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AnswerKind>,
    /// Rubric item → level 0 harmful, 1 missed, 2 adequate, 3 exemplary.
    /// Once resolved, also the kind's defaults for the items not written.
    #[serde(default)]
    pub evidence: BTreeMap<Item, u8>,
    /// The items of `evidence` that came from the kind's defaults rather
    /// than from the file, so the author view can say where each came from.
    #[serde(skip)]
    pub kind_items: Vec<Item>,
    pub stage: Stage,
    /// How well the option suits each DISC style, −2 (a trigger) to +2.
    #[serde(default)]
    pub fit: DiscFit,
    #[serde(default)]
    pub red_flag: Option<RedFlag>,
    #[serde(default)]
    pub mood: MoodDelta,
    /// Flags this option sets, for conditions later on.
    #[serde(default)]
    pub set: Vec<String>,
    /// Why this option scores as it does: shown in the debrief.
    pub feedback: Text,
    /// Id of a better option in the same turn.
    #[serde(default)]
    pub better: Option<String>,
    /// Turn or ending id that follows when no route applies.
    pub next: String,
    /// Checked first after this option.
    #[serde(default)]
    pub routes: Vec<Route>,
}

impl Choice {
    /// Fills in the kind's default evidence for this option's stage, for
    /// every item the author did not write: written evidence wins item by
    /// item. Idempotent, so a scenario resolved twice is unchanged.
    pub fn resolve_kind(&mut self) {
        let Some(kind) = self.kind else { return };
        for (item, level) in kind.defaults(self.stage) {
            if !self.evidence.contains_key(&item) {
                self.evidence.insert(item, level);
                self.kind_items.push(item);
            }
        }
    }
}

impl Scenario {
    /// Every option's kind resolved into evidence (see `Choice::resolve_kind`).
    pub fn resolve_kinds(&mut self) {
        self.turns.iter_mut().flat_map(|t| t.options.iter_mut()).for_each(Choice::resolve_kind);
    }
}

/// What kind of answer an option is: the classic answers of the domain's
/// distractor catalogue. Each gives default evidence per process stage, on
/// the stage's own items only, so that a kind never makes a turn offer an
/// item its exemplary answer lacks (a missed chance), and only `Exemplary`
/// reaches 3 on a content item: a long or warm distractor cannot win by
/// its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AnswerKind {
    /// 示范: does what this stage needs, well.
    Exemplary,
    /// 热情但含糊: warm words, no substance or action.
    WarmButVague,
    /// 正确但冷淡: the right substance, no warmth.
    CorrectButCold,
    /// 过早承诺: promises before the facts are checked.
    PrematurePromise,
    /// 推诿: pushes the matter (and the citizen) away.
    PushingAway,
    /// 说得太多: tries to do everything at once.
    OverTalking,
    /// 指责市民: blames the citizen.
    BlamingCitizen,
}

impl AnswerKind {
    pub const ALL: [AnswerKind; 7] = [
        AnswerKind::Exemplary,
        AnswerKind::WarmButVague,
        AnswerKind::CorrectButCold,
        AnswerKind::PrematurePromise,
        AnswerKind::PushingAway,
        AnswerKind::OverTalking,
        AnswerKind::BlamingCitizen,
    ];

    pub fn label(self) -> Text {
        match self {
            AnswerKind::Exemplary => Text::new("示范", "exemplary"),
            AnswerKind::WarmButVague => Text::new("热情但含糊", "warm but vague"),
            AnswerKind::CorrectButCold => Text::new("正确但冷淡", "correct but cold"),
            AnswerKind::PrematurePromise => Text::new("过早承诺", "premature promise"),
            AnswerKind::PushingAway => Text::new("推诿", "pushing away"),
            AnswerKind::OverTalking => Text::new("说得太多", "over-talking"),
            AnswerKind::BlamingCitizen => Text::new("指责市民", "blaming the citizen"),
        }
    }

    /// "Exemplary 示范, WarmButVague 热情但含糊, …": the valid kinds as a
    /// trainer writes them, for messages.
    pub fn catalogue() -> String {
        AnswerKind::ALL.iter().map(|k| format!("{k:?} {}", k.label().zh)).collect::<Vec<_>>().join(", ")
    }

    /// The evidence this kind of answer shows at `stage`. The table is
    /// documented for trainers in docs/scenario-format.md (a test keeps
    /// them in step: the_documented_kind_table_is_the_one_in_use).
    pub fn defaults(self, stage: Stage) -> Vec<(Item, u8)> {
        use AnswerKind::*;
        use Item::*;
        use Stage::*;
        // The items each stage is about: what the exemplary answer shows.
        let own: [Item; 3] = match stage {
            Reception => [P1, E4, L1],
            Calming => [E1, E2, P2],
            Gathering => [L2, L3, L4],
            Analysis => [P3, L3, C1],
            Solution => [C3, P4, C2],
            FollowUp => [P5, E3, C4],
        };
        match (self, stage) {
            (Exemplary, _) => own.iter().map(|&i| (i, 3)).collect(),
            (WarmButVague, Reception) => vec![(P1, 1), (E4, 2)],
            (WarmButVague, Calming) => vec![(E1, 2), (E2, 1), (P2, 1)],
            (WarmButVague, Gathering) => vec![(L2, 1), (L3, 1), (L4, 1)],
            (WarmButVague, Analysis) => vec![(P3, 1), (L3, 1), (C1, 2)],
            (WarmButVague, Solution) => vec![(C3, 1), (P4, 1), (C2, 1)],
            (WarmButVague, FollowUp) => vec![(P5, 1), (E3, 2), (C4, 1)],
            (CorrectButCold, Reception) => vec![(P1, 2), (E4, 1)],
            (CorrectButCold, Calming) => vec![(E1, 1), (P2, 1), (E4, 1)],
            (CorrectButCold, Gathering) => vec![(L2, 2), (L3, 2), (L4, 1)],
            (CorrectButCold, Analysis) => vec![(P3, 2), (L3, 2), (C1, 1)],
            (CorrectButCold, Solution) => vec![(C3, 2), (P4, 2), (E3, 1)],
            (CorrectButCold, FollowUp) => vec![(P5, 2), (C4, 2), (E3, 1)],
            (PrematurePromise, Reception) => vec![(P1, 2), (P3, 0), (C3, 1)],
            (PrematurePromise, Calming) => vec![(E1, 2), (P2, 1), (P3, 0)],
            (PrematurePromise, Gathering) => vec![(L2, 1), (P3, 0), (C3, 1)],
            (PrematurePromise, Analysis) => vec![(P3, 0), (L3, 1), (C3, 1)],
            (PrematurePromise, Solution) => vec![(C3, 1), (P4, 1), (P3, 0)],
            (PrematurePromise, FollowUp) => vec![(P5, 1), (C3, 1), (P3, 0)],
            (PushingAway, _) => vec![(P1, 0), (E2, 0), (P4, 0)],
            (OverTalking, Analysis) => vec![(P3, 2), (L3, 2), (C1, 1)],
            (OverTalking, _) => vec![(own[0], 2), (own[1], 2), (C1, 1)],
            (BlamingCitizen, _) => vec![(E1, 0), (E2, 0), (E4, 0)],
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscFit {
    #[serde(default)]
    pub d: i8,
    #[serde(default)]
    pub i: i8,
    #[serde(default)]
    pub s: i8,
    #[serde(default)]
    pub c: i8,
}

impl DiscFit {
    pub(crate) fn for_style(&self, style: DiscStyle) -> i8 {
        match style {
            DiscStyle::D => self.d,
            DiscStyle::I => self.i,
            DiscStyle::S => self.s,
            DiscStyle::C => self.c,
        }
    }
}

/// The complaint-handling stage an option belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    /// 接待
    Reception,
    /// 情绪安抚
    Calming,
    /// 信息收集
    Gathering,
    /// 分析原因
    Analysis,
    /// 方案制定
    Solution,
    /// 反馈跟踪
    FollowUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RedFlag {
    /// A 服务禁语 such as 你问我我问谁.
    ForbiddenPhrase,
    /// 推诿: "this is not my job" without routing the matter.
    PushingAway,
    /// Promising what is beyond the trainee's authority.
    OverPromise,
    /// Revealing someone's personal data.
    DataLeak,
    /// A risk protocol's required action (a handover to 110/119/120, the
    /// shift lead told, the order marked 特急) not taken in time. Raised by
    /// the protocol judgement of an attempt, never written on an option.
    MissedProtocol,
}

/// Rubric items (see `docs/scoring.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Item {
    L1,
    L2,
    L3,
    L4,
    E1,
    E2,
    E3,
    E4,
    C1,
    C2,
    C3,
    C4,
    D1,
    D2,
    D3,
    P1,
    P2,
    P3,
    P4,
    P5,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub when: Condition,
    pub to: String,
}

/// A test on the citizen's mood and on flags set earlier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Condition {
    #[default]
    Always,
    UpsetAtLeast(u8),
    UpsetBelow(u8),
    TrustAtLeast(u8),
    TrustBelow(u8),
    Flag(String),
    NotFlag(String),
    /// True when the citizen is played as this persona (`MAIN_PERSONA` or a
    /// declared persona id).
    Persona(String),
    All(Vec<Condition>),
    Any(Vec<Condition>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    pub id: String,
    pub outcome: Outcome,
    /// The citizen's last words or what happens next.
    pub text: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Outcome {
    Resolved,
    Escalated,
    WalkedOut,
    HungUp,
    FormalComplaint,
}

impl Outcome {
    /// The citizen left the service unhappy: hung up, walked out or
    /// complained formally. Such an attempt cannot pass.
    pub fn is_breakdown(self) -> bool {
        matches!(self, Outcome::WalkedOut | Outcome::HungUp | Outcome::FormalComplaint)
    }

    pub fn label(self) -> Text {
        match self {
            Outcome::Resolved => Text::new("问题解决", "Resolved"),
            Outcome::Escalated => Text::new("已升级处理", "Escalated"),
            Outcome::WalkedOut => Text::new("群众愤然离开", "Citizen walked out"),
            Outcome::HungUp => Text::new("来电者挂断", "Caller hung up"),
            Outcome::FormalComplaint => Text::new("正式投诉", "Formal complaint"),
        }
    }
}

/// The city profile: the local rules (time limits, numbers, hours, deadlines)
/// that scenarios state. One file per library, `city/profile.ron` beside the
/// scenario files, so a centre replaces the figures with its own in one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityProfile {
    /// The city the figures belong to.
    pub city: Text,
    /// What the figures are (for example: illustrative, from a given year).
    #[serde(default)]
    pub note: Text,
    pub rules: Vec<LocalRule>,
}

/// One local rule as a scenario states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalRule {
    pub id: String,
    /// What the rule is about: "咨询类工单办理时限".
    pub title: Text,
    /// The figure as scenarios say it: "2个工作日". Every scenario citing the
    /// rule must say this value somewhere in its text.
    pub value: Text,
    /// Where the figure comes from (a regulation, the centre's handbook).
    #[serde(default)]
    pub source: Text,
}

/// The work order a quality checker would accept for this call: the facts
/// the caller reveals and the classification, dispatch and time limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderTruth {
    /// Everything the caller says that belongs in the order.
    pub facts: Vec<Fact>,
    pub request_type: RequestType,
    /// A category id from the library's category tree (`knowledge/categories.ron`).
    pub category: String,
    pub urgency: Urgency,
    /// 是否保密: the caller asked not to be named to the handling unit.
    #[serde(default)]
    pub confidential: bool,
    /// 是否回访: the caller wants to hear back.
    pub callback: bool,
    /// 承办单位, as the centre's dispatch list names it.
    pub handling_unit: Text,
    /// Other names of the same unit that a checker accepts.
    #[serde(default)]
    pub handling_unit_also: Vec<String>,
    /// The city profile's rule for this order's time limit.
    pub time_limit: String,
    /// Knowledge entries that answer the caller's question.
    #[serde(default)]
    pub knowledge: Vec<String>,
}

/// A call that rightly ends in no work order: what it is logged as, and
/// why no order is the right record (shown in the debrief).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoOrderTruth {
    pub disposition: Disposition,
    pub why: Text,
}

/// How a call that makes no work order is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Disposition {
    /// 无效来电: silence, a wrong number, a call cut off before any request.
    Invalid,
    /// 骚扰电话: abuse, harassment, repeated nuisance calls with no request.
    Harassing,
}

impl Disposition {
    pub const ALL: [Disposition; 2] = [Disposition::Invalid, Disposition::Harassing];

    pub fn label(self) -> Text {
        match self {
            Disposition::Invalid => Text::new("无效来电", "Invalid call"),
            Disposition::Harassing => Text::new("骚扰电话", "Harassing call"),
        }
    }

    /// A stable name for exports and xAPI.
    pub fn code(self) -> &'static str {
        match self {
            Disposition::Invalid => "invalid",
            Disposition::Harassing => "harassing",
        }
    }
}

/// One thing the caller says that the order must record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// Unique within the scenario.
    pub id: String,
    pub kind: FactKind,
    /// The fact as the caller gives it.
    pub value: Text,
    /// The words an order must contain for the fact to count, when the
    /// whole value is more than a checker asks for ("幸福里", "3栋").
    /// Empty: the value itself, leniently matched.
    #[serde(default)]
    pub key: Vec<String>,
    /// Where the caller says it; the fact counts only in an attempt that
    /// reached one of these places.
    pub revealed: Vec<Reveal>,
}

/// Which order field a fact belongs to: name, phone and address have their
/// own fields; the others are the five elements of the content (时间、地点、
/// 人物、事件、诉求) or any other fact the content must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FactKind {
    Name,
    Phone,
    Address,
    Time,
    Place,
    People,
    Event,
    Demand,
    Other,
}

/// Where a fact is said: anywhere in a turn (`Turn("details")`), or only in
/// one of its lines, counted from 1 in `says` order (`Line("details", 2)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reveal {
    Turn(String),
    Line(String, usize),
}

impl Reveal {
    pub fn turn(&self) -> &str {
        match self {
            Reveal::Turn(t) | Reveal::Line(t, _) => t,
        }
    }
}

/// 诉求类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RequestType {
    /// 咨询
    Enquiry,
    /// 求助
    Help,
    /// 投诉
    Complaint,
    /// 举报
    Report,
    /// 建议
    Suggestion,
    /// 表扬
    Praise,
}

impl RequestType {
    pub const ALL: [RequestType; 6] =
        [RequestType::Enquiry, RequestType::Help, RequestType::Complaint, RequestType::Report, RequestType::Suggestion, RequestType::Praise];

    pub fn label(self) -> Text {
        match self {
            RequestType::Enquiry => Text::new("咨询", "Enquiry"),
            RequestType::Help => Text::new("求助", "Request for help"),
            RequestType::Complaint => Text::new("投诉", "Complaint"),
            RequestType::Report => Text::new("举报", "Report of wrongdoing"),
            RequestType::Suggestion => Text::new("建议", "Suggestion"),
            RequestType::Praise => Text::new("表扬", "Praise"),
        }
    }
}

/// 紧急程度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Urgency {
    /// 一般
    Normal,
    /// 紧急
    Urgent,
    /// 特急
    Critical,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Normal, Urgency::Urgent, Urgency::Critical];

    pub fn label(self) -> Text {
        match self {
            Urgency::Normal => Text::new("一般", "Normal"),
            Urgency::Urgent => Text::new("紧急", "Urgent"),
            Urgency::Critical => Text::new("特急", "Critical"),
        }
    }
}

/// What a complete one-time notice (一次性告知单) for this visit holds: the
/// materials and steps of the knowledge entries the matter needs, and the
/// follow-on matters the citizen should hear about in the same visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeTruth {
    /// Knowledge entries whose materials and steps the notice must carry.
    pub entries: Vec<String>,
    /// Materials of those entries this citizen does not need (by their
    /// text in the entry, Chinese): e.g. a tenancy agreement for an owner.
    #[serde(default)]
    pub not_needed: Vec<String>,
    /// Knowledge entries for the follow-on matters (tax registration after
    /// a business licence).
    #[serde(default)]
    pub follow_on: Vec<String>,
}

/// The risk protocol of a scenario: the cues, what each one requires, and
/// the actions that are not required but not wrong either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolTruth {
    pub cues: Vec<RiskCue>,
    pub required: Vec<RequiredAction>,
    /// Protocol actions that may be taken here without being required (a
    /// second handover, the shift lead told as well), by action id. Any
    /// other handover to an emergency service is a needless handover.
    #[serde(default)]
    pub acceptable: Vec<String>,
}

/// Where the citizen shows a risk; it counts only in an attempt that heard
/// one of these places, like a work-order fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskCue {
    /// Unique within the scenario; named by the requirements.
    pub id: String,
    pub risk: Risk,
    pub revealed: Vec<Reveal>,
}

/// The risks a 12345 centre has a protocol for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Risk {
    /// 轻生风险
    Suicide,
    /// 暴力、人身威胁
    Violence,
    /// 火情
    Fire,
    /// 燃气泄漏
    Gas,
    /// 扬言集体上访
    MassPetition,
    /// 舆情：扬言找媒体、网上广泛传播
    MediaExposure,
}

impl Risk {
    pub const ALL: [Risk; 6] = [Risk::Suicide, Risk::Violence, Risk::Fire, Risk::Gas, Risk::MassPetition, Risk::MediaExposure];

    pub fn label(self) -> Text {
        match self {
            Risk::Suicide => Text::new("轻生风险", "Risk of suicide"),
            Risk::Violence => Text::new("暴力或人身威胁", "Violence or a threat to someone"),
            Risk::Fire => Text::new("火情", "Fire"),
            Risk::Gas => Text::new("燃气泄漏", "Gas leak"),
            Risk::MassPetition => Text::new("扬言集体上访", "Threat of a mass petition"),
            Risk::MediaExposure => Text::new("舆情（扬言找媒体、网上传播）", "Public opinion (media, mass reposts)"),
        }
    }
}

/// One action the protocol requires once a cue has been heard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredAction {
    /// A protocol action id (`handover-120`); several that each do are
    /// separated by `|` (`handover-110|handover-120`).
    pub action: String,
    /// The id of the cue that makes it required.
    pub after: String,
    /// The turn by whose answer the action must have been taken; without
    /// it, before the call ends. A route that never reaches the turn has
    /// until the call ends.
    #[serde(default)]
    pub by: Option<String>,
    /// Why it is required: the debrief's explanation when it is missed.
    pub why: Text,
}

impl RequiredAction {
    /// The action ids that satisfy the requirement.
    pub(crate) fn alternatives(&self) -> impl Iterator<Item = &str> {
        self.action.split('|').map(str::trim).filter(|a| !a.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGES: [Stage; 6] = [Stage::Reception, Stage::Calming, Stage::Gathering, Stage::Analysis, Stage::Solution, Stage::FollowUp];

    /// Content items aggregate by their best evidence; the rest by the worst.
    fn content(item: Item) -> bool {
        !matches!(item, Item::L1 | Item::E4 | Item::C1 | Item::D3 | Item::P3)
    }

    /// The trainers' table of default evidence (docs/scenario-format.md,
    /// "Answer kinds") is exactly what `defaults` gives.
    #[test]
    fn the_documented_kind_table_is_the_one_in_use() {
        let doc = include_str!("../../../../docs/scenario-format.md");
        const STAGES: [Stage; 6] = [Stage::Reception, Stage::Calming, Stage::Gathering, Stage::Analysis, Stage::Solution, Stage::FollowUp];
        let header = format!("| 回答类型 kind | {} |", STAGES.iter().map(|s| format!("`{s:?}`")).collect::<Vec<_>>().join(" | "));
        assert!(doc.contains(&header), "the table's header lists the stages in order: {header}");
        for kind in AnswerKind::ALL {
            let cells: Vec<String> = STAGES
                .iter()
                .map(|&stage| kind.defaults(stage).iter().map(|(item, level)| format!("{item:?}={level}")).collect::<Vec<_>>().join(" "))
                .collect();
            let row = format!("| `{kind:?}` {} | {} |", kind.label().zh, cells.join(" | "));
            assert!(doc.contains(&row), "docs/scenario-format.md lacks the row\n{row}");
        }
    }

    #[test]
    fn a_kind_never_beats_the_exemplary_answer_of_its_stage() {
        for stage in STAGES {
            let best: BTreeMap<Item, u8> = AnswerKind::Exemplary.defaults(stage).into_iter().collect();
            let best_mean = best.values().map(|&l| l as f32).sum::<f32>() / best.len() as f32;
            for kind in AnswerKind::ALL {
                let d = kind.defaults(stage);
                assert!((2..=3).contains(&d.len()), "{kind:?} at {stage:?}: one turn's worth, not {}", d.len());
                if kind == AnswerKind::Exemplary {
                    continue;
                }
                for &(item, level) in &d {
                    // A distractor showing a content item the exemplary
                    // answer lacks would make the turn offer it, and the
                    // exemplary answer would miss a chance by default.
                    if content(item) && level >= 2 {
                        assert!(best.get(&item).is_some_and(|&b| b > level), "{kind:?} at {stage:?} offers {item:?}={level}");
                    }
                    assert!(level < 3 || !content(item), "{kind:?} at {stage:?} is exemplary on {item:?}");
                }
                let mean = d.iter().map(|(_, l)| *l as f32).sum::<f32>() / d.len() as f32;
                assert!(mean < best_mean - 0.9, "{kind:?} at {stage:?} scores {mean} against {best_mean}");
            }
        }
    }

    fn parse_choice(source: &str) -> Choice {
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME).from_str(source).expect("parses")
    }

    #[test]
    fn written_evidence_overrides_a_kinds_defaults_item_by_item() {
        let source = r#"(id: "a", text: (zh: "您好", en: "Hello"), kind: Exemplary, evidence: {E2: 1, L4: 2}, stage: Calming, feedback: (zh: "好", en: "Good"), next: "end")"#;
        let mut choice = parse_choice(source);
        choice.resolve_kind();
        assert_eq!(choice.evidence, BTreeMap::from([(Item::E1, 3), (Item::E2, 1), (Item::P2, 3), (Item::L4, 2)]));
        assert_eq!(choice.kind_items, vec![Item::E1, Item::P2]);
        let once = choice.clone();
        choice.resolve_kind();
        assert_eq!(choice, once, "resolving twice changes nothing");
        let plain = parse_choice(r#"(id: "b", text: (zh: "您好", en: "Hello"), stage: Calming, feedback: (zh: "好", en: "Good"), next: "end")"#);
        let mut resolved = plain.clone();
        resolved.resolve_kind();
        assert_eq!(resolved, plain, "no kind, no defaults");
    }
}
