//! Group drills (分组演练): a class practising together on one screen.
//!
//! A drill is a plan (mode, scenarios, roster, rotation) and a state machine
//! driven by `Event`s. The state is plain data and every event is
//! serialisable, so the records store keeps the plan and the event log and a
//! drill interrupted by a crash is rebuilt exactly by replaying the log
//! (`Drill::replay`). Nothing here touches the store: `Drill::apply` returns
//! the `Effect`s on trainee records (begin, step, finish, abandon an
//! attempt) and `records::Store::apply_drill_event` performs them together
//! with appending the event, in one transaction.
//!
//! Modes:
//! - **Hot seat** (轮流上场): members take turns; each slot is a normal
//!   encounter recorded as an attempt of that member's profile.
//! - **Class vote** (全班表决): the class votes on each turn's options and the
//!   encounter follows the majority. The run is recorded as an attempt of the
//!   plan's `group` profile (e.g. the class's name), so it never mixes with a
//!   trainee's own record; the roster only says who was present.
//! - **Role-play** (角色扮演): one member plays the citizen from a cue card,
//!   another responds in their own words, the rest observe and score the
//!   responder on the rubric items; the median of the observers' levels is
//!   scored through the rubric and lands in the responder's record.
//!
//! A hotline slot whose scenario has work-order truth carries the work
//! order (工单) as typed, a counter slot with notice truth the one-time
//! notice (一次性告知单) as assembled: the player's own in the hot seat,
//! the class's one in a class vote. Every change is an event, so a resumed
//! drill has them as typed; finishing the slot scores them exactly as a
//! solo attempt is scored (`workorder::card_with_order`,
//! `notice::card_with_notice`) with the desk of the scenario's folder
//! (`AtHand`). In role-play the observers tick the order's fields the
//! responder got right, shown beside the truth (`Drill::order_ticks`).
//!
//! Risk-protocol actions (`Event::Protocol`) are taken in every mode and
//! replayed before the answer that followed them, so the slot's recorded
//! steps carry them as a solo attempt's do; `FinishSlot` applies the
//! protocol's verdict last (`protocol::apply_protocol`), so a missed
//! required action fails the slot exactly as it fails a solo attempt. A
//! role-play is judged along the cue card's path, ended where the trainer
//! finished it.
//!
//! Knowledge-base entries opened from the desk beside the call
//! (`Event::Lookup`) are kept in the slot's state, with the answers given
//! before each, and recorded with the slot's attempt
//! (`Effect::RecordLookup`), as a solo attempt records them: History, the
//! attempt's reports and a resumed drill have them. Reading cannot be
//! taken back, so `Event::Undo` passes over lookups.

use crate::analysis::analyze::bounds_after;
use crate::play::engine::{Encounter, PlayError, Script, Step, option_quality};
use crate::play::protocol::{ProtocolReport, apply_protocol};
use crate::scenario::model::{DiscStyle, Item, Message, Mood, Outcome, RedFlag, Text};
use crate::play::score::AttemptResult;
use crate::library::Library;
use crate::play::rubric::Dimension;
use crate::knowledge::Lookup;
use crate::play::score::{ScoreCard, Tally};
use crate::knowledge::Segmenter;
use crate::library::knowledge::Desk;
use crate::notice::{Notice, NoticeOutcome, NoticeReport, card_with_notice};
use crate::workorder::{FieldName, OrderOutcome, OrderReport, Verdict, WorkOrder, assess, card_with_order};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use thiserror::Error;

mod roster;
pub use roster::{RosterLine, RosterProblem, parse_roster, roster_problems, usable_employee_id};

/// How the class practises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    HotSeat,
    ClassVote,
    RolePlay,
}

impl Mode {
    pub fn label(self) -> Text {
        match self {
            Mode::HotSeat => Text::new("轮流上场", "Hot seat"),
            Mode::ClassVote => Text::new("全班表决", "Class vote"),
            Mode::RolePlay => Text::new("角色扮演与观察", "Role-play with observers"),
        }
    }

    /// Fewest roster members the mode can run with: hot seat needs one
    /// player, role-play a citizen, a responder and at least one observer;
    /// a class vote needs nobody on the roster (the class is the `group`).
    pub(crate) fn min_members(self) -> usize {
        match self {
            Mode::HotSeat => 1,
            Mode::ClassVote => 0,
            Mode::RolePlay => 3,
        }
    }
}

/// Which scenario each member gets in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rotation {
    /// Round `r`: everyone plays `scenarios[r % n]`, so the class can
    /// compare answers to the same citizen.
    Same,
    /// Round `r`: member `i` plays `scenarios[(i + r) % n]`, so neighbours
    /// face different citizens and nobody just copies the previous answer.
    Rotate,
}

/// A roster entry: an existing profile, or a typed name for which the store
/// creates (or reuses, names being unique) a profile when the drill starts,
/// so results land in that trainee's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    /// `None` until the store has resolved the name to a profile.
    pub profile_id: Option<i64>,
    /// An employee number (工号) typed with the name: the store gives it to
    /// the member's profile when the drill starts, or refuses the drill if
    /// another trainee holds it. Never kept in a resolved plan (the
    /// profile holds it), so stored plans read as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
}

impl Member {
    pub fn typed(name: impl Into<String>) -> Member {
        Member { name: name.into(), profile_id: None, employee_id: None }
    }

    pub fn profile(id: i64, name: impl Into<String>) -> Member {
        Member { name: name.into(), profile_id: Some(id), employee_id: None }
    }

    /// A typed member with the employee number typed beside the name.
    pub fn with_employee_id(mut self, employee_id: Option<String>) -> Member {
        self.employee_id = employee_id.filter(|e| !e.trim().is_empty());
        self
    }
}

/// What the trainer sets up before the drill starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Free text, e.g. "3月12日 窗口班".
    pub title: String,
    pub mode: Mode,
    /// Scenario ids, in the order the trainer picked them.
    pub scenarios: Vec<String>,
    pub roster: Vec<Member>,
    /// The profile a class vote's run is recorded under (e.g. the class's
    /// name). Required in `ClassVote`, ignored otherwise.
    pub group: Option<Member>,
    pub rotation: Rotation,
    /// At least 1. In hot seat and role-play each round gives every member
    /// one slot; in a class vote each round is one slot.
    pub rounds: u32,
    /// Seeds every slot's encounter (wording variants), so a replayed log
    /// shows the same lines.
    pub seed: u64,
}

/// One turn of the drill: who plays what, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub index: usize,
    pub round: u32,
    pub scenario: String,
    /// Roster index of the player (hot seat) or responder (role-play);
    /// `None` in a class vote, where the class plays.
    pub player: Option<usize>,
    /// Roster index of the member reading the citizen's cue card (role-play).
    pub citizen: Option<usize>,
    /// Roster indices of the observers (role-play).
    pub observers: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum PlanError {
    #[error("a drill needs at least one scenario")]
    NoScenarios,
    #[error("{mode:?} needs at least {need} members on the roster, {have} given")]
    TooFewMembers { mode: Mode, need: usize, have: usize },
    #[error("roster entry {} has an empty name", .index + 1)]
    EmptyName { index: usize },
    #[error("\"{name}\" is on the roster twice")]
    DuplicateMember { name: String },
    #[error("a class vote needs the group profile its run is recorded under")]
    NoGroup,
    #[error("rounds must be at least 1")]
    NoRounds,
    #[error("\"{name}\" has no profile yet; the store resolves typed names when the drill is created")]
    Unresolved { name: String },
}

/// An observer's mark for one rubric item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Observation {
    /// 0 harmful · 1 missed · 2 adequate · 3 exemplary.
    Level(u8),
    /// The observer saw nothing to judge this item by.
    NotObserved,
}

/// Everything that can happen in a drill. The app (or CLI) creates all
/// but `Linked`, which the store writes when it opens the slot's attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// Starts the current slot; yields `Effect::BeginAttempt`.
    StartSlot,
    /// The attempt the store opened for a slot, and the scenario version it
    /// was opened on, so that replaying the log against a scenario edited
    /// since is refused instead of silently following other options.
    Linked {
        slot: usize,
        attempt: i64,
        scenario_version: u32,
        /// When the attempt was opened (the store's UTC time), for the
        /// reports' dates; absent in logs from before it was kept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        started_at: Option<String>,
    },
    /// Hot seat: the player picks an option (zero-based).
    Choose { option: usize, response_secs: Option<f32> },
    /// Class vote: how many voted for each of the turn's options.
    Votes { counts: Vec<u32> },
    /// Class vote: only the majority option was entered.
    Majority { option: usize },
    /// Class vote: the trainer's pick among options tied for most votes.
    BreakTie { option: usize },
    /// Role-play: the citizen's player moves the cue card on by the option
    /// closest to what the responder said, so mood and branch follow. Not
    /// scored: the observers score.
    CueNext { closest: usize },
    /// Role-play: an observer marks an item (a later mark replaces it).
    Observe { observer: usize, item: Item, mark: Observation },
    /// Role-play: an observer saw the responder cross a red line (or takes
    /// that back with `raised: false`).
    RedFlag { observer: usize, flag: RedFlag, raised: bool },
    /// Closes the current slot and records its result. Encounter modes:
    /// only once the encounter has ended; `outcome` is ignored. Role-play:
    /// `outcome` (how the conversation ended) is required.
    FinishSlot { disc_guess: Option<DiscStyle>, outcome: Option<Outcome> },
    /// Skips the current slot (member absent); abandons its attempt if begun.
    SkipSlot,
    /// Ends the drill early; abandons the current slot's attempt if begun.
    Close,
    /// Hot seat, class vote: the work order as typed so far, replacing the
    /// last; refused once the order is handed in.
    Order { order: WorkOrder },
    /// Hands the order in as it stands, after the answers given so far.
    SubmitOrder,
    /// Hot seat, class vote: the one-time notice as assembled so far.
    Notice { notice: Notice },
    /// Hands the notice over as it stands, after the answers given so far.
    HandNotice,
    /// Role-play: an observer marks a work-order field the responder got
    /// right (`Some(true)`) or not (`Some(false)`), or takes the mark back.
    OrderTick { observer: usize, field: FieldName, right: Option<bool> },
    /// A risk-protocol action (an id of `play::protocol::ACTIONS`) taken on
    /// the turn faced now: by the member in the seat, as the class decides,
    /// or by the role-play's responder. Kept with that turn's step when it
    /// is answered, as in a solo attempt, and judged at `FinishSlot`.
    Protocol { action: String },
    /// A knowledge-base entry opened from the desk beside the call, with
    /// what was in the search box: by the member in the seat (hot seat),
    /// by the trainer at the class's desk (class vote, recorded with the
    /// class's attempt), or for the role-play's responder, whose attempt
    /// the slot is (the role-play screen has no desk of its own, but a
    /// responder looking something up counts for the responder). Kept with
    /// the answers given so far and recorded with the slot's attempt
    /// (`Effect::RecordLookup`). Refused between slots; refused for an
    /// entry the scenario folder's knowledge base does not hold when that
    /// desk is at hand. Not undoable: see `Undo`.
    Lookup { query: String, entry: String },
    /// Takes back the last action of the slot in play (a choice, a vote,
    /// a tie broken, a cue-card move, an observer's mark, red flag or
    /// work-order tick, a protocol action): the
    /// slot is rebuilt from its own events without the last one, and a
    /// recorded step is removed from the attempt (`Effect::UnrecordStep`).
    /// Being an event itself, it replays exactly after a crash. Starting,
    /// finishing and skipping a slot and closing the drill are not undone
    /// (they open, finish or abandon an attempt in a trainee's record); the
    /// app asks before skipping or closing instead. The order and the
    /// notice are not undone either: their own editing is the undo.
    /// Lookups are passed over, never taken back: an entry read stays read
    /// (the trainee knows what it says whatever is undone), so Undo takes
    /// back the last undoable action before them and the lookups stay in
    /// the slot and its attempt as they happened.
    Undo,
}

/// A change to trainee records that an event implies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Effect {
    BeginAttempt { slot: usize, profile_id: i64, scenario_id: String, scenario_version: u32, seed: u64 },
    RecordStep { attempt: i64, index: usize, step: Step },
    FinishAttempt { attempt: i64, result: AttemptResult },
    AbandonAttempt { attempt: i64 },
    /// Undo: the step at `index` (and any after it) is no longer part of
    /// the attempt.
    UnrecordStep { attempt: i64, index: usize },
    /// The work order as typed: a draft (`submitted_after` None) or handed
    /// in after that many answers.
    SaveOrder { attempt: i64, order: WorkOrder, submitted_after: Option<usize> },
    /// The one-time notice as assembled: a draft or handed over.
    SaveNotice { attempt: i64, notice: Notice, handed_after: Option<usize> },
    /// How the order scored, kept with the attempt; comes just before its
    /// `FinishAttempt`.
    OrderScored { attempt: i64, outcome: OrderOutcome },
    NoticeScored { attempt: i64, outcome: NoticeOutcome },
    /// A knowledge-base entry opened during the attempt (`recorded_at`
    /// empty: the store stamps it).
    RecordLookup { attempt: i64, lookup: Lookup },
}

/// What scoring a slot's work order and one-time notice needs besides the
/// scenario: the desk of each scenario's folder (knowledge base, category
/// tree, city rules), by scenario id, and the word segmenter. A scenario
/// with no desk here is scored against an empty one (no categories, no
/// city rules, no entries); without a segmenter one is built when a slot
/// with an order to score needs it. Replaying a log needs the same desks
/// for the same scores.
#[derive(Debug, Clone, Copy, Default)]
pub struct AtHand<'a> {
    pub desks: Option<&'a HashMap<String, Arc<Desk>>>,
    pub segmenter: Option<&'a Segmenter>,
}

impl<'a> AtHand<'a> {
    pub fn new(desks: &'a HashMap<String, Arc<Desk>>, segmenter: &'a Segmenter) -> AtHand<'a> {
        AtHand { desks: Some(desks), segmenter: Some(segmenter) }
    }

    fn desk(&self, scenario: &str) -> Option<&'a Desk> {
        self.desks.and_then(|d| d.get(scenario)).map(|d| &**d)
    }
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum DrillError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("scenario \"{0}\" is not loaded")]
    UnknownScenario(String),
    #[error("scenario \"{id}\" is now version {loaded}, the drill used version {used}")]
    ScenarioChanged { id: String, used: u32, loaded: u32 },
    #[error("the drill is over")]
    Over,
    #[error("{event} is not possible now: {phase}")]
    WrongPhase { event: &'static str, phase: String },
    #[error("{event} does not apply to a {mode:?} drill")]
    WrongMode { event: &'static str, mode: Mode },
    #[error("slot {slot} is linked already or is not the slot being started")]
    BadLink { slot: usize },
    #[error(transparent)]
    Play(#[from] PlayError),
    #[error("option {given} is out of range: the turn has options 1 to {count}")]
    OptionOutOfRange { given: usize, count: usize },
    #[error("{given} vote counts for a turn with {count} options")]
    CountMismatch { given: usize, count: usize },
    #[error("no votes were entered")]
    NoVotes,
    #[error("{total} votes for {present} people present: check the counts")]
    TooManyVotes { total: u64, present: usize },
    #[error("nothing to undo in this slot")]
    NothingToUndo,
    #[error("option {given} was not among the tied options {tied:?}")]
    NotTied { given: usize, tied: Vec<usize> },
    #[error("roster member {} is not an observer of this slot", .member + 1)]
    NotObserver { member: usize },
    #[error("level {0} is out of range 0–3")]
    LevelOutOfRange(u8),
    #[error("the encounter has not ended yet")]
    NotEnded,
    #[error("a role-play slot needs its outcome to finish")]
    NoOutcome,
    #[error("this scenario has no work order to fill")]
    NoOrderHere,
    #[error("this scenario has no one-time notice")]
    NoNoticeHere,
    #[error("the work order is handed in already")]
    OrderHandedIn,
    #[error("the notice is handed over already")]
    NoticeHandedOver,
    #[error("no slot is in play: entries are looked up during a turn")]
    NoSlotInPlay,
    #[error("entry \"{entry}\" is not in this scenario's knowledge base")]
    UnknownEntry { entry: String },
    #[error("event {} of the log: {source}", .index + 1)]
    Replay { index: usize, source: Box<DrillError> },
}

impl Message for PlanError {
    fn message(&self) -> Text {
        let zh = match self {
            PlanError::NoScenarios => "演练至少要选一个情景".to_string(),
            PlanError::TooFewMembers { mode, need, have } => {
                format!("{}至少需要 {need} 名学员，名单上只有 {have} 名", mode.label().zh)
            }
            PlanError::EmptyName { index } => format!("名单第 {} 行的姓名是空的", index + 1),
            PlanError::DuplicateMember { name } => format!("学员“{name}”在名单上出现了两次"),
            PlanError::NoGroup => "全班表决需要指定一个班级档案，成绩记在它名下".to_string(),
            PlanError::NoRounds => "轮数至少为 1".to_string(),
            PlanError::Unresolved { name } => format!("“{name}”还没有学员档案；建立演练时会为手写的姓名建档"),
        };
        Text::new(zh, self.to_string())
    }
}

impl Message for DrillError {
    fn message(&self) -> Text {
        use DrillError::*;
        let zh = match self {
            Plan(e) => return e.message(),
            Play(e) => return e.message(),
            UnknownScenario(id) => format!("情景“{id}”没有载入，请检查场景文件夹"),
            ScenarioChanged { id, used, loaded } => format!("情景“{id}”已改为第 {loaded} 版，这场演练用的是第 {used} 版，无法按原样继续"),
            Over => "演练已经结束".to_string(),
            WrongPhase { event, phase } => format!("现在不能做这一步（{event}）：演练处于 {phase}"),
            WrongMode { event, mode } => format!("{}演练没有这一步（{event}）", mode.label().zh),
            BadLink { slot } => format!("第 {} 轮已关联练习记录，或不是正在开始的那一轮", slot + 1),
            OptionOutOfRange { given, count } => format!("没有第 {given} 个选项：这一轮的选项是 1 到 {count}"),
            CountMismatch { given, count } => format!("录入了 {given} 个票数，但这一轮有 {count} 个选项"),
            NoVotes => "还没有录入票数".to_string(),
            TooManyVotes { total, present } => format!("共 {total} 票，但在场只有 {present} 人，请核对票数"),
            NothingToUndo => "这一轮没有可以撤销的操作".to_string(),
            NotTied { given, tied } => format!(
                "选项 {given} 不在平票的选项（{}）之中",
                tied.iter().map(|t| t.to_string()).collect::<Vec<_>>().join("、")
            ),
            NotObserver { member } => format!("名单第 {} 名不是这一轮的观察员", member + 1),
            LevelOutOfRange(level) => format!("评分 {level} 超出范围，应为 0–3"),
            NotEnded => "对话还没有结束".to_string(),
            NoOutcome => "角色扮演结束时要选一个对话结果".to_string(),
            NoOrderHere => "这个情景不需要填写工单".to_string(),
            NoNoticeHere => "这个情景不需要一次性告知单".to_string(),
            OrderHandedIn => "工单已经提交，不能再改".to_string(),
            NoticeHandedOver => "告知单已经交给群众，不能再改".to_string(),
            NoSlotInPlay => "当前没有进行中的场次，查阅无法记录".to_string(),
            UnknownEntry { entry } => format!("这个情景的知识库中没有条目“{entry}”"),
            Replay { index, source } => {
                let inner = source.message();
                return Text::new(format!("演练记录第 {} 条无法重演：{}", index + 1, inner.zh), format!("event {} of the log: {}", index + 1, inner.en));
            }
        };
        Text::new(zh, self.to_string())
    }
}

/// Where the drill stands, for the app to pick a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Waiting for `StartSlot`; between slots the app shows the scoreboard.
    Ready { slot: usize },
    /// `StartSlot` applied, waiting for the store's `Linked`.
    Starting { slot: usize },
    /// Hot seat: waiting for `Choose`; class vote: for `Votes`/`Majority`;
    /// role-play: cue card, `CueNext`, `Observe`, then `FinishSlot`.
    Playing { slot: usize },
    /// Class vote: the top count is shared; the trainer must `BreakTie`.
    TieBreak { slot: usize, tied: Vec<usize> },
    /// The encounter reached an ending; debrief, then `FinishSlot`.
    Ended { slot: usize },
    /// Every slot is done or skipped.
    Finished,
    /// Ended early by `Close`.
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlotStatus {
    Pending,
    InProgress,
    Done,
    Skipped,
}

/// How the class voted on one turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnVote {
    /// Per option; `None` when only the majority was entered.
    pub counts: Option<Vec<u32>>,
    pub followed: usize,
    /// The top count was shared and the trainer picked `followed`.
    pub tie_broken: bool,
}

/// One observer's marks, in `Item::ALL` order; `None` = not yet marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObserverSheet {
    pub observer: usize,
    pub marks: Vec<Option<Observation>>,
    /// Red flags this observer saw the responder raise.
    #[serde(default)]
    pub red_flags: Vec<RedFlag>,
    /// Work-order fields this observer judged the responder got right
    /// (true) or not (false); a field not here is not judged.
    #[serde(default)]
    pub order_ticks: Vec<(FieldName, bool)>,
}

impl ObserverSheet {
    pub fn order_tick(&self, field: FieldName) -> Option<bool> {
        self.order_ticks.iter().find(|(f, _)| *f == field).map(|(_, right)| *right)
    }
}

/// Everything recorded about one slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotState {
    pub status: SlotStatus,
    pub attempt: Option<i64>,
    pub seed: u64,
    /// The scenario's content version when the slot started; a replay
    /// against a changed scenario is refused rather than misread.
    pub scenario_version: Option<u32>,
    /// Zero-based options followed: the player's (hot seat), the class's
    /// (class vote) or the cue card's "closest" (role-play).
    pub choices: Vec<usize>,
    pub response_secs: Vec<Option<f32>>,
    /// Class vote: one per followed turn.
    pub votes: Vec<TurnVote>,
    /// Class vote: counts entered for a tie the trainer has yet to break.
    pub pending_counts: Option<Vec<u32>>,
    /// Role-play: one per observer of the slot, in `Slot::observers` order.
    pub sheets: Vec<ObserverSheet>,
    pub result: Option<AttemptResult>,
    /// The slot's in-play events still in force (after `Linked`, undone
    /// ones removed): what `Event::Undo` rebuilds the slot from.
    #[serde(default)]
    pub undoable: Vec<Event>,
    /// When the slot's attempt was opened (UTC, as stored with the attempt).
    #[serde(default)]
    pub started_at: Option<String>,
    /// The work order as typed (the player's, or the class's in a vote).
    #[serde(default)]
    pub order: WorkOrder,
    /// The answers given when the order was handed in; None until then.
    #[serde(default)]
    pub order_submitted_after: Option<usize>,
    /// The one-time notice as assembled.
    #[serde(default)]
    pub notice: Notice,
    #[serde(default)]
    pub notice_handed_after: Option<usize>,
    /// How the order and the notice scored, once the slot finished.
    #[serde(default)]
    pub order_outcome: Option<OrderOutcome>,
    #[serde(default)]
    pub notice_outcome: Option<NoticeOutcome>,
    /// Risk-protocol actions taken, in order, each with the answers given
    /// before it: replayed before the answer that follows them.
    #[serde(default)]
    pub actions: Vec<TakenAction>,
    /// Knowledge-base entries opened, in order, each with the answers
    /// given before it (`after_step`), as recorded with the attempt.
    #[serde(default)]
    pub lookups: Vec<Lookup>,
}

/// A risk-protocol action taken in a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakenAction {
    /// How many answers had been given: the action belongs to the next one.
    pub after: usize,
    pub action: String,
}

/// A drill in progress: the plan, its schedule and every slot's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drill {
    pub plan: Plan,
    pub slots: Vec<Slot>,
    pub states: Vec<SlotState>,
    pub phase: Phase,
    /// Events applied so far (the length of the log).
    pub applied: usize,
}

/// Who plays what, in order. Pure: the same plan always gives the same
/// schedule. Role-play: the responder seat moves down the roster, the next
/// member reads the citizen, everyone else observes.
pub(crate) fn schedule(plan: &Plan) -> Vec<Slot> {
    let n = plan.scenarios.len();
    let m = plan.roster.len();
    let mut slots = Vec::new();
    if n == 0 {
        return slots;
    }
    for round in 0..plan.rounds {
        let r = round as usize;
        if plan.mode == Mode::ClassVote {
            slots.push(Slot {
                index: slots.len(),
                round,
                scenario: plan.scenarios[r % n].clone(),
                player: None,
                citizen: None,
                observers: Vec::new(),
            });
            continue;
        }
        for i in 0..m {
            let scenario = match plan.rotation {
                Rotation::Same => r % n,
                Rotation::Rotate => (i + r) % n,
            };
            let (citizen, observers) = if plan.mode == Mode::RolePlay {
                let c = (i + 1) % m;
                (Some(c), (0..m).filter(|&k| k != i && k != c).collect())
            } else {
                (None, Vec::new())
            };
            slots.push(Slot {
                index: slots.len(),
                round,
                scenario: plan.scenarios[scenario].clone(),
                player: Some(i),
                citizen,
                observers,
            });
        }
    }
    slots
}

/// The seed of slot `index`, derived from the plan's seed so that slots
/// differ but a replay is identical.
pub(crate) fn slot_seed(plan_seed: u64, index: usize) -> u64 {
    // SplitMix64 finaliser: neighbouring indices give unrelated seeds.
    let mut z = plan_seed.wrapping_add((index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The result of counting a turn's votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum VoteOutcome {
    /// One option has the most votes.
    Majority(usize),
    /// Several options share the most votes; the trainer picks one.
    Tie(Vec<usize>),
}

/// Counts a turn's votes. No votes at all is an error rather than a tie of
/// every option, so a forgotten entry is noticed.
pub(crate) fn tally_votes(counts: &[u32]) -> Result<VoteOutcome, DrillError> {
    let top = counts.iter().copied().max().unwrap_or(0);
    if top == 0 {
        return Err(DrillError::NoVotes);
    }
    let tied: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] == top).collect();
    Ok(if tied.len() == 1 { VoteOutcome::Majority(tied[0]) } else { VoteOutcome::Tie(tied) })
}

impl Plan {
    /// Checks the plan's shape; `resolved` also requires every member (and
    /// the group) to have a profile id.
    pub fn check(&self, resolved: bool) -> Result<(), PlanError> {
        if self.scenarios.is_empty() {
            return Err(PlanError::NoScenarios);
        }
        if self.rounds == 0 {
            return Err(PlanError::NoRounds);
        }
        let need = self.mode.min_members();
        if self.roster.len() < need {
            return Err(PlanError::TooFewMembers { mode: self.mode, need, have: self.roster.len() });
        }
        let mut seen = std::collections::HashSet::new();
        for (index, member) in self.roster.iter().enumerate() {
            let name = member.name.trim();
            if name.is_empty() {
                return Err(PlanError::EmptyName { index });
            }
            if !seen.insert(name) {
                return Err(PlanError::DuplicateMember { name: name.to_string() });
            }
            if resolved && member.profile_id.is_none() {
                return Err(PlanError::Unresolved { name: name.to_string() });
            }
        }
        if self.mode == Mode::ClassVote {
            let group = self.group.as_ref().filter(|g| !g.name.trim().is_empty()).ok_or(PlanError::NoGroup)?;
            if resolved && group.profile_id.is_none() {
                return Err(PlanError::Unresolved { name: group.name.clone() });
            }
        }
        Ok(())
    }
}

impl Drill {
    /// A fresh drill; the plan must be resolved (every member has a profile).
    pub fn new(plan: Plan) -> Result<Drill, DrillError> {
        plan.check(true)?;
        let slots = schedule(&plan);
        let states = slots
            .iter()
            .map(|slot| SlotState {
                status: SlotStatus::Pending,
                attempt: None,
                seed: slot_seed(plan.seed, slot.index),
                scenario_version: None,
                choices: Vec::new(),
                response_secs: Vec::new(),
                votes: Vec::new(),
                pending_counts: None,
                sheets: fresh_sheets(slot),
                result: None,
                undoable: Vec::new(),
                started_at: None,
                order: WorkOrder::default(),
                order_submitted_after: None,
                notice: Notice::default(),
                notice_handed_after: None,
                order_outcome: None,
                notice_outcome: None,
                actions: Vec::new(),
                lookups: Vec::new(),
            })
            .collect();
        let phase = if slots.is_empty() { Phase::Finished } else { Phase::Ready { slot: 0 } };
        Ok(Drill { plan, slots, states, phase, applied: 0 })
    }

    /// Rebuilds a drill from its plan and event log.
    pub fn replay(plan: Plan, events: &[Event], scripts: &Library) -> Result<Drill, DrillError> {
        Drill::replay_at(plan, events, scripts, AtHand::default())
    }

    /// `replay` with the desks its work orders and notices were scored with.
    pub fn replay_at(plan: Plan, events: &[Event], scripts: &Library, at_hand: AtHand<'_>) -> Result<Drill, DrillError> {
        let mut drill = Drill::new(plan)?;
        for (index, event) in events.iter().enumerate() {
            // Logged events were accepted when they happened: replay them
            // as they were, even if a check added since would refuse them.
            drill.apply_logged(event, scripts, at_hand).map_err(|e| DrillError::Replay { index, source: Box::new(e) })?;
        }
        Ok(drill)
    }

    /// Applies one event, returning what must change in trainee records.
    /// On error the drill is unchanged.
    pub fn apply(&mut self, event: &Event, scripts: &Library) -> Result<Vec<Effect>, DrillError> {
        self.apply_at(event, scripts, AtHand::default())
    }

    /// `apply` with the desks a finishing slot's order and notice are
    /// scored with.
    pub fn apply_at(&mut self, event: &Event, scripts: &Library, at_hand: AtHand<'_>) -> Result<Vec<Effect>, DrillError> {
        self.admit(event, at_hand)?;
        self.apply_logged(event, scripts, at_hand)
    }

    /// Checks on what a trainer enters now, which the log of a drill begun
    /// before the check existed need not pass.
    fn admit(&self, event: &Event, at_hand: AtHand<'_>) -> Result<(), DrillError> {
        // An entry must be in the knowledge base of the slot's folder when
        // that desk is at hand; without it there is nothing to check
        // against. Checked on entry only: a replayed log must not fail
        // because an entry was removed from the folder since.
        if let Event::Lookup { entry, .. } = event
            && let Ok(slot) = self.lookup_slot()
            && let Some(desk) = at_hand.desk(&self.slots[slot].scenario)
            && desk.base.entry(entry).is_none()
        {
            return Err(DrillError::UnknownEntry { entry: entry.clone() });
        }
        if let Event::Votes { counts } = event {
            let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
            let present = self.plan.roster.len();
            if present > 0 && total > present as u64 {
                return Err(DrillError::TooManyVotes { total, present });
            }
        }
        Ok(())
    }

    fn apply_logged(&mut self, event: &Event, scripts: &Library, at_hand: AtHand<'_>) -> Result<Vec<Effect>, DrillError> {
        // Work on a copy so a rejected event leaves no trace; drills are
        // small and events rare (one per click).
        let mut next = self.clone();
        let effects = next.step(event, scripts, at_hand)?;
        if is_undoable(event)
            && let Some(slot) = next.current_index()
        {
            next.states[slot].undoable.push(event.clone());
        }
        next.applied += 1;
        *self = next;
        Ok(effects)
    }

    fn step(&mut self, event: &Event, scripts: &Library, at_hand: AtHand<'_>) -> Result<Vec<Effect>, DrillError> {
        let name = event_name(event);
        let wrong_phase = |phase: &Phase| DrillError::WrongPhase { event: name, phase: format!("{phase:?}") };
        if self.is_over() {
            return Err(DrillError::Over);
        }
        let mode = self.plan.mode;
        let need_mode = |wanted: Mode| if mode == wanted { Ok(()) } else { Err(DrillError::WrongMode { event: name, mode }) };
        match event {
            Event::StartSlot => {
                let Phase::Ready { slot } = self.phase else { return Err(wrong_phase(&self.phase)) };
                let script = script_of(scripts, &self.slots[slot].scenario)?;
                let member = match self.slots[slot].player {
                    Some(i) => &self.plan.roster[i],
                    None => self.plan.group.as_ref().ok_or(PlanError::NoGroup)?,
                };
                let profile_id =
                    member.profile_id.ok_or_else(|| PlanError::Unresolved { name: member.name.clone() })?;
                let state = &mut self.states[slot];
                state.status = SlotStatus::InProgress;
                state.scenario_version = Some(script.scenario.version);
                self.phase = Phase::Starting { slot };
                Ok(vec![Effect::BeginAttempt {
                    slot,
                    profile_id,
                    scenario_id: script.scenario.id.clone(),
                    scenario_version: script.scenario.version,
                    seed: state.seed,
                }])
            }
            Event::Linked { slot, attempt, scenario_version, started_at } => {
                match self.phase {
                    Phase::Starting { slot: s } if s == *slot => {}
                    _ => return Err(DrillError::BadLink { slot: *slot }),
                }
                let loaded = self.states[*slot].scenario_version.unwrap_or(*scenario_version);
                if loaded != *scenario_version {
                    return Err(DrillError::ScenarioChanged {
                        id: self.slots[*slot].scenario.clone(),
                        used: *scenario_version,
                        loaded,
                    });
                }
                self.states[*slot].attempt = Some(*attempt);
                self.states[*slot].started_at = started_at.clone();
                self.phase = Phase::Playing { slot: *slot };
                Ok(Vec::new())
            }
            Event::Choose { option, response_secs } => {
                need_mode(Mode::HotSeat)?;
                let Phase::Playing { slot } = self.phase else { return Err(wrong_phase(&self.phase)) };
                self.follow(slot, *option, *response_secs, None, false, scripts)
            }
            Event::Votes { counts } => {
                need_mode(Mode::ClassVote)?;
                // Counts may be re-entered while a tie waits, to fix a typo.
                let slot = match self.phase {
                    Phase::Playing { slot } | Phase::TieBreak { slot, .. } => slot,
                    _ => return Err(wrong_phase(&self.phase)),
                };
                let options = self.options_now(slot, scripts)?;
                if counts.len() != options {
                    return Err(DrillError::CountMismatch { given: counts.len(), count: options });
                }
                // The roster says who is present; a total above it is a typo
                // (an extra digit), not a vote. No roster: nothing to check.
                match tally_votes(counts)? {
                    VoteOutcome::Majority(option) => {
                        self.follow(slot, option, None, Some(counts.clone()), false, scripts)
                    }
                    VoteOutcome::Tie(tied) => {
                        self.states[slot].pending_counts = Some(counts.clone());
                        self.phase = Phase::TieBreak { slot, tied };
                        Ok(Vec::new())
                    }
                }
            }
            Event::Majority { option } => {
                need_mode(Mode::ClassVote)?;
                let slot = match self.phase {
                    Phase::Playing { slot } | Phase::TieBreak { slot, .. } => slot,
                    _ => return Err(wrong_phase(&self.phase)),
                };
                self.follow(slot, *option, None, None, false, scripts)
            }
            Event::BreakTie { option } => {
                need_mode(Mode::ClassVote)?;
                let Phase::TieBreak { slot, tied } = &self.phase else { return Err(wrong_phase(&self.phase)) };
                if !tied.contains(option) {
                    return Err(DrillError::NotTied { given: *option, tied: tied.clone() });
                }
                let slot = *slot;
                let counts = self.states[slot].pending_counts.clone();
                self.follow(slot, *option, None, counts, true, scripts)
            }
            Event::CueNext { closest } => {
                need_mode(Mode::RolePlay)?;
                let Phase::Playing { slot } = self.phase else { return Err(wrong_phase(&self.phase)) };
                let mut encounter = self.replayed(slot, scripts)?;
                encounter.choose(*closest, None).map_err(play_error)?;
                self.states[slot].choices.push(*closest);
                self.states[slot].response_secs.push(None);
                Ok(Vec::new())
            }
            Event::Observe { observer, item, mark } => {
                need_mode(Mode::RolePlay)?;
                let Phase::Playing { slot } = self.phase else { return Err(wrong_phase(&self.phase)) };
                if let Observation::Level(level) = mark
                    && *level > crate::play::rubric::LEVEL_MAX
                {
                    return Err(DrillError::LevelOutOfRange(*level));
                }
                let sheet = self.states[slot]
                    .sheets
                    .iter_mut()
                    .find(|s| s.observer == *observer)
                    .ok_or(DrillError::NotObserver { member: *observer })?;
                sheet.marks[item.index()] = Some(*mark);
                Ok(Vec::new())
            }
            Event::RedFlag { observer, flag, raised } => {
                need_mode(Mode::RolePlay)?;
                let Phase::Playing { slot } = self.phase else { return Err(wrong_phase(&self.phase)) };
                let sheet = self.states[slot]
                    .sheets
                    .iter_mut()
                    .find(|s| s.observer == *observer)
                    .ok_or(DrillError::NotObserver { member: *observer })?;
                sheet.red_flags.retain(|f| f != flag);
                if *raised {
                    sheet.red_flags.push(*flag);
                }
                Ok(Vec::new())
            }
            Event::FinishSlot { disc_guess, outcome } => {
                let slot = match (&self.phase, mode) {
                    (Phase::Ended { slot }, Mode::HotSeat | Mode::ClassVote) => *slot,
                    (Phase::Playing { .. } | Phase::TieBreak { .. }, Mode::HotSeat | Mode::ClassVote) => {
                        return Err(DrillError::NotEnded);
                    }
                    (Phase::Playing { slot }, Mode::RolePlay) => *slot,
                    (phase, _) => return Err(wrong_phase(phase)),
                };
                let mut effects = Vec::new();
                let result = if mode == Mode::RolePlay {
                    let outcome = outcome.ok_or(DrillError::NoOutcome)?;
                    // Observers score a live role-play; there is no simulated
                    // mood to rate, but a breakdown still fails it.
                    let mut card = observed_card(&self.states[slot].sheets);
                    if outcome.is_breakdown() {
                        card.passed = false;
                        card.outcome = Some(outcome);
                        card.notes.push(crate::play::score::ScoreNote::Breakdown);
                    }
                    // The protocol as in solo play, judged along the cue
                    // card's path: the call ends where the trainer ends it.
                    let encounter = self.replayed(slot, scripts)?;
                    let card = apply_protocol(&card, &encounter.protocol_report_at_close());
                    AttemptResult {
                        card,
                        ending_id: ROLE_PLAY_ENDING.to_string(),
                        outcome,
                        disc_guess: *disc_guess,
                        persona: crate::scenario::model::MAIN_PERSONA.to_string(),
                    }
                } else {
                    let encounter = self.replayed(slot, scripts)?;
                    let ending = encounter.ending().ok_or(DrillError::NotEnded)?;
                    let attempt = self.linked(slot)?;
                    let scenario = encounter.scenario();
                    // As in a solo attempt: what is not handed in yet is
                    // handed in as it stands, then scored.
                    if wants_order(scenario) && self.states[slot].order_submitted_after.is_none() {
                        effects.push(self.submit_order(slot, attempt));
                    }
                    if scenario.notice.is_some() && self.states[slot].notice_handed_after.is_none() {
                        effects.push(self.hand_notice(slot, attempt));
                    }
                    let (card, order, notice) = self.scored(slot, &encounter, at_hand);
                    if let Some(outcome) = &order {
                        effects.push(Effect::OrderScored { attempt, outcome: outcome.clone() });
                    }
                    if let Some(outcome) = &notice {
                        effects.push(Effect::NoticeScored { attempt, outcome: outcome.clone() });
                    }
                    let state = &mut self.states[slot];
                    state.order_outcome = order;
                    state.notice_outcome = notice;
                    AttemptResult {
                        card,
                        ending_id: ending.id.clone(),
                        outcome: ending.outcome,
                        disc_guess: *disc_guess,
                        persona: encounter.persona_view().id,
                    }
                };
                let attempt = self.linked(slot)?;
                let state = &mut self.states[slot];
                state.status = SlotStatus::Done;
                state.result = Some(result.clone());
                self.advance(slot);
                effects.push(Effect::FinishAttempt { attempt, result });
                Ok(effects)
            }
            Event::SkipSlot => {
                let slot = self.current_index().ok_or_else(|| wrong_phase(&self.phase))?;
                let effects = self.abandon(slot);
                self.advance(slot);
                Ok(effects)
            }
            Event::Undo => self.undo(scripts, at_hand),
            Event::Order { order } => {
                let (slot, attempt) = self.desk_slot(name, scripts, Paper::Order)?;
                let state = &mut self.states[slot];
                state.order = order.clone();
                Ok(vec![Effect::SaveOrder { attempt, order: order.clone(), submitted_after: None }])
            }
            Event::SubmitOrder => {
                let (slot, attempt) = self.desk_slot(name, scripts, Paper::Order)?;
                Ok(vec![self.submit_order(slot, attempt)])
            }
            Event::Notice { notice } => {
                let (slot, attempt) = self.desk_slot(name, scripts, Paper::Notice)?;
                self.states[slot].notice = notice.clone();
                Ok(vec![Effect::SaveNotice { attempt, notice: notice.clone(), handed_after: None }])
            }
            Event::HandNotice => {
                let (slot, attempt) = self.desk_slot(name, scripts, Paper::Notice)?;
                Ok(vec![self.hand_notice(slot, attempt)])
            }
            Event::OrderTick { observer, field, right } => {
                need_mode(Mode::RolePlay)?;
                let Phase::Playing { slot } = self.phase else { return Err(wrong_phase(&self.phase)) };
                // Observers judge the fields of a real order only.
                if script_of(scripts, &self.slots[slot].scenario)?.scenario.work_order.is_none() {
                    return Err(DrillError::NoOrderHere);
                }
                let sheet = self.states[slot]
                    .sheets
                    .iter_mut()
                    .find(|s| s.observer == *observer)
                    .ok_or(DrillError::NotObserver { member: *observer })?;
                sheet.order_ticks.retain(|(f, _)| f != field);
                if let Some(right) = right {
                    sheet.order_ticks.push((*field, *right));
                }
                Ok(Vec::new())
            }
            Event::Protocol { action } => {
                let slot = match self.phase {
                    Phase::Playing { slot } | Phase::TieBreak { slot, .. } => slot,
                    _ => return Err(wrong_phase(&self.phase)),
                };
                // The engine refuses an unknown action, one taken already
                // and any once the call is over, as in solo play.
                let mut encounter = self.replayed(slot, scripts)?;
                encounter.take_protocol_action(action).map_err(play_error)?;
                let state = &mut self.states[slot];
                state.actions.push(TakenAction { after: state.choices.len(), action: action.clone() });
                Ok(Vec::new())
            }
            Event::Lookup { query, entry } => {
                let slot = self.lookup_slot()?;
                let attempt = self.linked(slot)?;
                let state = &mut self.states[slot];
                let lookup = Lookup { query: query.clone(), entry: entry.clone(), after_step: state.choices.len(), recorded_at: String::new() };
                state.lookups.push(lookup.clone());
                Ok(vec![Effect::RecordLookup { attempt, lookup }])
            }
            Event::Close => {
                let effects = match self.current_index() {
                    Some(slot) if self.states[slot].status == SlotStatus::InProgress => self.abandon(slot),
                    _ => Vec::new(),
                };
                self.phase = Phase::Closed;
                Ok(effects)
            }
        }
    }

    /// The slot whose desk a lookup is made at: one begun and not yet
    /// finished, its call going on or over (the desk stays beside the
    /// debrief until the slot is recorded).
    fn lookup_slot(&self) -> Result<usize, DrillError> {
        match self.phase {
            Phase::Playing { slot } | Phase::TieBreak { slot, .. } | Phase::Ended { slot } => Ok(slot),
            _ => Err(DrillError::NoSlotInPlay),
        }
    }

    /// Takes `option` in the slot's encounter (the player's or the class's).
    fn follow(
        &mut self,
        slot: usize,
        option: usize,
        response_secs: Option<f32>,
        counts: Option<Vec<u32>>,
        tie_broken: bool,
        scripts: &Library,
    ) -> Result<Vec<Effect>, DrillError> {
        let attempt = self.linked(slot)?;
        let mut encounter = self.replayed(slot, scripts)?;
        let step = encounter.choose(option, response_secs).map_err(play_error)?.clone();
        let state = &mut self.states[slot];
        let index = state.choices.len();
        state.choices.push(option);
        state.response_secs.push(response_secs);
        if self.plan.mode == Mode::ClassVote {
            state.votes.push(TurnVote { counts, followed: option, tie_broken });
            state.pending_counts = None;
        }
        self.phase = if encounter.is_over() { Phase::Ended { slot } } else { Phase::Playing { slot } };
        Ok(vec![Effect::RecordStep { attempt, index, step }])
    }

    /// The slot in play whose order (or notice) `event` changes, and its
    /// attempt: hot seat or class vote, begun and not finished, a scenario
    /// that asks for it, not yet handed in.
    fn desk_slot(&self, event: &'static str, scripts: &Library, paper: Paper) -> Result<(usize, i64), DrillError> {
        if self.plan.mode == Mode::RolePlay {
            return Err(DrillError::WrongMode { event, mode: self.plan.mode });
        }
        let slot = match self.phase {
            Phase::Playing { slot } | Phase::TieBreak { slot, .. } | Phase::Ended { slot } => slot,
            _ => return Err(DrillError::WrongPhase { event, phase: format!("{:?}", self.phase) }),
        };
        let scenario = &script_of(scripts, &self.slots[slot].scenario)?.scenario;
        let state = &self.states[slot];
        match paper {
            Paper::Order if !wants_order(scenario) => return Err(DrillError::NoOrderHere),
            Paper::Order if state.order_submitted_after.is_some() => return Err(DrillError::OrderHandedIn),
            Paper::Notice if scenario.notice.is_none() => return Err(DrillError::NoNoticeHere),
            Paper::Notice if state.notice_handed_after.is_some() => return Err(DrillError::NoticeHandedOver),
            _ => {}
        }
        Ok((slot, self.linked(slot)?))
    }

    /// Whether the slot in play takes the work order now: hot seat or
    /// class vote, a scenario that asks for one, not handed in yet.
    pub fn takes_order(&self, scripts: &Library) -> bool {
        self.desk_slot("Order", scripts, Paper::Order).is_ok()
    }

    /// Whether the slot in play takes the one-time notice now.
    pub fn takes_notice(&self, scripts: &Library) -> bool {
        self.desk_slot("Notice", scripts, Paper::Notice).is_ok()
    }

    fn submit_order(&mut self, slot: usize, attempt: i64) -> Effect {
        let state = &mut self.states[slot];
        let after = state.choices.len();
        state.order_submitted_after = Some(after);
        Effect::SaveOrder { attempt, order: state.order.clone(), submitted_after: Some(after) }
    }

    fn hand_notice(&mut self, slot: usize, attempt: i64) -> Effect {
        let state = &mut self.states[slot];
        let after = state.choices.len();
        state.notice_handed_after = Some(after);
        Effect::SaveNotice { attempt, notice: state.notice.clone(), handed_after: Some(after) }
    }

    /// The slot's card as a solo attempt is scored: the conversation, the
    /// order's caps, then the notice's, then the risk protocol's verdict;
    /// with how the order and the notice scored.
    fn scored(&self, slot: usize, encounter: &Encounter, at_hand: AtHand<'_>) -> (ScoreCard, Option<OrderOutcome>, Option<NoticeOutcome>) {
        let state = &self.states[slot];
        let empty = Desk::default();
        let desk = at_hand.desk(&self.slots[slot].scenario).unwrap_or(&empty);
        let (card, order) = if wants_order(encounter.scenario()) {
            with_segmenter(at_hand, |segmenter| card_with_order(encounter, Some(&state.order), desk.context(segmenter)))
        } else {
            (encounter.score(), None)
        };
        let (card, notice) = card_with_notice(&card, encounter.scenario().notice.as_ref(), Some(&state.notice), &desk.base);
        // The protocol's verdict last, as in solo play: no cap lifts its fail.
        let card = apply_protocol(&card, &encounter.protocol_report());
        (card, order.as_ref().map(OrderOutcome::of), notice.as_ref().map(NoticeOutcome::of))
    }

    /// The slot's work order as it stands, scored against what its call
    /// has revealed so far: the vote debrief's "you wrote / the call said"
    /// before the slot is finished. None for a scenario without truth.
    /// Scores with jieba: compute it once per screen, not per frame.
    pub fn order_report(&self, slot: usize, scripts: &Library, at_hand: AtHand<'_>) -> Result<Option<OrderReport>, DrillError> {
        let Some(encounter) = self.encounter(slot, scripts)? else { return Ok(None) };
        let empty = Desk::default();
        let desk = at_hand.desk(&self.slots[slot].scenario).unwrap_or(&empty);
        Ok(with_segmenter(at_hand, |segmenter| assess(&encounter, &self.states[slot].order, desk.context(segmenter))))
    }

    /// The slot's notice as it stands, scored against the scenario's truth.
    pub fn notice_report(&self, slot: usize, scripts: &Library, at_hand: AtHand<'_>) -> Result<Option<NoticeReport>, DrillError> {
        let Some(encounter) = self.encounter(slot, scripts)? else { return Ok(None) };
        let empty = Desk::default();
        let desk = at_hand.desk(&self.slots[slot].scenario).unwrap_or(&empty);
        let card = encounter.score();
        Ok(card_with_notice(&card, encounter.scenario().notice.as_ref(), Some(&self.states[slot].notice), &desk.base).1)
    }

    /// Role-play: per work-order field, what a correct order holds as far
    /// as the cue card's path revealed it, and each observer's tick; None
    /// outside role-play or for a scenario without work-order truth.
    pub fn order_ticks(&self, slot: usize, scripts: &Library, at_hand: AtHand<'_>) -> Result<Option<Vec<FieldTicks>>, DrillError> {
        if self.plan.mode != Mode::RolePlay {
            return Ok(None);
        }
        let Some(encounter) = self.encounter(slot, scripts)? else { return Ok(None) };
        if encounter.scenario().work_order.is_none() {
            return Ok(None);
        }
        let empty = Desk::default();
        let desk = at_hand.desk(&self.slots[slot].scenario).unwrap_or(&empty);
        // A blank order's results carry the truth of every field; a field
        // the call never gave comes back as not said.
        let Some(truth) = with_segmenter(at_hand, |segmenter| assess(&encounter, &WorkOrder::default(), desk.context(segmenter))) else { return Ok(None) };
        let sheets = &self.states[slot].sheets;
        Ok(Some(
            truth
                .fields
                .iter()
                .map(|f| FieldTicks {
                    field: f.field,
                    said: f.said.clone(),
                    revealed: f.verdict != Verdict::NotSaid,
                    ticks: sheets.iter().map(|s| s.order_tick(f.field)).collect(),
                })
                .collect(),
        ))
    }

    /// Rebuilds the slot in play from its events without the last one.
    fn undo(&mut self, scripts: &Library, at_hand: AtHand<'_>) -> Result<Vec<Effect>, DrillError> {
        let slot = match self.phase {
            Phase::Playing { slot } | Phase::TieBreak { slot, .. } | Phase::Ended { slot } => slot,
            _ => return Err(DrillError::NothingToUndo),
        };
        let mut events = std::mem::take(&mut self.states[slot].undoable);
        if events.pop().is_none() {
            return Err(DrillError::NothingToUndo);
        }
        let steps_before = self.states[slot].choices.len();
        let state = &mut self.states[slot];
        state.choices.clear();
        state.response_secs.clear();
        state.votes.clear();
        state.pending_counts = None;
        state.sheets = fresh_sheets(&self.slots[slot]);
        state.actions.clear();
        self.phase = Phase::Playing { slot };
        // The steps these events record are in the store already: their
        // effects are dropped, only the one taken back is compensated.
        for event in &events {
            self.step(event, scripts, at_hand)?;
        }
        self.states[slot].undoable = events;
        let steps_after = self.states[slot].choices.len();
        let attempt = self.linked(slot)?;
        Ok(if steps_after < steps_before { vec![Effect::UnrecordStep { attempt, index: steps_after }] } else { Vec::new() })
    }

    /// Whether `Event::Undo` has something to take back now.
    pub fn can_undo(&self) -> bool {
        match self.phase {
            Phase::Playing { slot } | Phase::TieBreak { slot, .. } | Phase::Ended { slot } => !self.states[slot].undoable.is_empty(),
            _ => false,
        }
    }

    fn options_now(&self, slot: usize, scripts: &Library) -> Result<usize, DrillError> {
        let encounter = self.replayed(slot, scripts)?;
        encounter.prompt().map(|p| p.options.len()).ok_or(DrillError::Play(PlayError::Ended))
    }

    fn linked(&self, slot: usize) -> Result<i64, DrillError> {
        self.states[slot].attempt.ok_or(DrillError::BadLink { slot })
    }

    fn abandon(&mut self, slot: usize) -> Vec<Effect> {
        let state = &mut self.states[slot];
        let begun = state.status == SlotStatus::InProgress;
        state.status = SlotStatus::Skipped;
        state.pending_counts = None;
        match state.attempt {
            Some(attempt) if begun => vec![Effect::AbandonAttempt { attempt }],
            _ => Vec::new(),
        }
    }

    fn advance(&mut self, slot: usize) {
        self.phase = if slot + 1 < self.slots.len() { Phase::Ready { slot: slot + 1 } } else { Phase::Finished };
    }

    fn current_index(&self) -> Option<usize> {
        match self.phase {
            Phase::Ready { slot }
            | Phase::Starting { slot }
            | Phase::Playing { slot }
            | Phase::TieBreak { slot, .. }
            | Phase::Ended { slot } => Some(slot),
            Phase::Finished | Phase::Closed => None,
        }
    }

    /// The slot's encounter with every recorded choice replayed.
    fn replayed(&self, slot: usize, scripts: &Library) -> Result<Encounter, DrillError> {
        let state = &self.states[slot];
        let script = script_of(scripts, &self.slots[slot].scenario)?;
        if let Some(used) = state.scenario_version
            && used != script.scenario.version
        {
            return Err(DrillError::ScenarioChanged {
                id: script.scenario.id.clone(),
                used,
                loaded: script.scenario.version,
            });
        }
        // Response times matter: a late answer upsets the citizen. Each
        // protocol action is taken before the answer that followed it, so
        // the steps carry them as a solo attempt's do.
        let mut encounter = Encounter::new(script.clone(), state.seed);
        let take = |encounter: &mut Encounter, after: usize| -> Result<(), DrillError> {
            for taken in state.actions.iter().filter(|a| a.after == after) {
                encounter.take_protocol_action(&taken.action).map_err(play_error)?;
            }
            Ok(())
        };
        for (i, &choice) in state.choices.iter().enumerate() {
            take(&mut encounter, i)?;
            encounter.choose(choice, state.response_secs.get(i).copied().flatten()).map_err(play_error)?;
        }
        take(&mut encounter, state.choices.len())?;
        Ok(encounter)
    }

    /// The slot's risk protocol judged as it stands (the call over once it
    /// ended; a finished role-play where the trainer ended it); `None`
    /// before the slot started.
    pub fn protocol_report(&self, slot: usize, scripts: &Library) -> Result<Option<ProtocolReport>, DrillError> {
        let Some(encounter) = self.encounter(slot, scripts)? else { return Ok(None) };
        let closed = self.plan.mode == Mode::RolePlay && self.states[slot].status == SlotStatus::Done;
        Ok(Some(if closed { encounter.protocol_report_at_close() } else { encounter.protocol_report() }))
    }

    /// The slot being played or next to play, if any.
    pub fn current(&self) -> Option<&Slot> {
        self.current_index().map(|i| &self.slots[i])
    }

    pub fn is_over(&self) -> bool {
        matches!(self.phase, Phase::Finished | Phase::Closed)
    }

    /// The slot's encounter replayed to where it stands (hot seat, class
    /// vote, and the role-play cue card's path). `None` before it started.
    pub fn encounter(&self, slot: usize, scripts: &Library) -> Result<Option<Encounter>, DrillError> {
        match self.states.get(slot) {
            Some(state) if state.scenario_version.is_some() => self.replayed(slot, scripts).map(Some),
            _ => Ok(None),
        }
    }

    /// Per member, per dimension, overall and passes over finished slots.
    pub fn scoreboard(&self) -> Scoreboard {
        let done: Vec<(Option<usize>, &ScoreCard)> = self
            .slots
            .iter()
            .zip(&self.states)
            .filter_map(|(slot, state)| state.result.as_ref().map(|r| (slot.player, &r.card)))
            .collect();
        let row = |member: Option<usize>, name: &str| {
            let cards: Vec<&ScoreCard> = done.iter().filter(|(m, _)| *m == member).map(|(_, c)| *c).collect();
            let (dimensions, overall) = mean_cards(&cards);
            ScoreRow {
                member,
                name: name.to_string(),
                finished: cards.len(),
                passed: cards.iter().filter(|c| c.passed).count(),
                red_flagged: cards.iter().filter(|c| !c.red_flags.is_empty()).count(),
                dimensions,
                overall,
                last: cards.last().map(|c| (*c).clone()),
            }
        };
        let rows = match (self.plan.mode, &self.plan.group) {
            (Mode::ClassVote, Some(group)) => vec![row(None, &group.name)],
            (Mode::ClassVote, None) => vec![row(None, "")],
            _ => self.plan.roster.iter().enumerate().map(|(i, m)| row(Some(i), &m.name)).collect(),
        };
        let all: Vec<&ScoreCard> = done.iter().map(|(_, c)| *c).collect();
        let (class_dimensions, class_overall) = mean_cards(&all);
        Scoreboard { rows, class_dimensions, class_overall }
    }

    /// Class vote debrief of one slot: how the class split on each turn and
    /// how the options not followed would have scored.
    /// Runs the analyzer once per option of every voted turn: compute it
    /// once per debrief screen, not per frame.
    pub fn vote_debrief(&self, slot: usize, scripts: &Library) -> Result<Vec<VoteDebrief>, DrillError> {
        let Some(state) = self.states.get(slot) else { return Ok(Vec::new()) };
        if state.votes.is_empty() {
            return Ok(Vec::new());
        }
        let script = script_of(scripts, &self.slots[slot].scenario)?;
        let mut encounter = Encounter::new(script.clone(), state.seed);
        let mut out = Vec::with_capacity(state.votes.len());
        for (k, vote) in state.votes.iter().enumerate() {
            let prompt = encounter.prompt().ok_or(DrillError::Play(PlayError::Ended))?;
            let turn = prompt.turn_index;
            let total: u32 = vote.counts.as_ref().map_or(0, |c| c.iter().sum());
            let options = prompt
                .options
                .iter()
                .enumerate()
                .map(|(i, option)| {
                    let mut route = state.choices[..k].to_vec();
                    route.push(i);
                    let votes = vote.counts.as_ref().and_then(|c| c.get(i).copied());
                    OptionDebrief {
                        index: i,
                        text: option.text.clone(),
                        votes,
                        percent: votes.filter(|_| total > 0).map(|v| 100.0 * v as f64 / total as f64),
                        followed: i == vote.followed,
                        quality: option_quality(script, turn, i),
                        evidence: script.flow.turns[turn].choices[i].evidence.clone(),
                        feedback: option.feedback.clone(),
                        red_flag: script.flow.turns[turn].choices[i].red_flag,
                        reachable: bounds_after(script, &route).ok(),
                    }
                })
                .collect();
            out.push(VoteDebrief {
                turn_id: prompt.turn.id.clone(),
                said: prompt.said.clone(),
                mood_before: prompt.mood,
                counts: vote.counts.clone(),
                followed: vote.followed,
                tie_broken: vote.tie_broken,
                options,
            });
            encounter.choose(vote.followed, None).map_err(play_error)?;
        }
        Ok(out)
    }

    /// Role-play cue card for the current slot; `None` outside a role-play
    /// slot in progress.
    pub fn cue_card(&self, scripts: &Library) -> Result<Option<CueCard>, DrillError> {
        let Phase::Playing { slot } = self.phase else { return Ok(None) };
        if self.plan.mode != Mode::RolePlay {
            return Ok(None);
        }
        let encounter = self.replayed(slot, scripts)?;
        let scenario = encounter.scenario();
        let citizen = &scenario.citizen;
        let persona = encounter.persona_view();
        let mood = encounter.mood();
        let prompt = encounter.prompt();
        Ok(Some(CueCard {
            scenario_title: scenario.title.clone(),
            citizen: citizen.name.clone(),
            situation: citizen.situation.clone(),
            // The role-player acts the persona this slot's seed picked.
            style: persona.disc.primary,
            secondary: persona.disc.secondary,
            style_cues: style_cues(persona.disc.primary),
            mood,
            mood_label: mood_label(mood),
            turn_id: prompt.map(|p| p.turn.id.clone()),
            lines: prompt.map(|p| vec![p.said.clone()]).unwrap_or_default(),
            stage_direction: prompt.and_then(|p| p.turn.cue.clone()),
            options: prompt.map(|p| p.options.iter().map(|o| o.text.clone()).collect()).unwrap_or_default(),
            ending: encounter.ending().map(|e| e.text.clone()),
        }))
    }

    /// Role-play: the observers' marks side by side with their agreement.
    pub fn agreement(&self, slot: usize) -> Option<RoundAgreement> {
        if self.plan.mode != Mode::RolePlay {
            return None;
        }
        let sheets = &self.states.get(slot)?.sheets;
        let items = Item::ALL
            .iter()
            .map(|&item| {
                let marks: Vec<Option<Observation>> = sheets.iter().map(|s| s.marks[item.index()]).collect();
                let levels: Vec<u8> = marks.iter().filter_map(|m| level_of(*m)).collect();
                ItemAgreement { item, marks, percent: percent_agreement(&levels), median: lower_median(levels) }
            })
            .collect();
        let ratings: Vec<Vec<Option<u8>>> =
            sheets.iter().map(|s| s.marks.iter().map(|m| level_of(*m)).collect()).collect();
        let mut red_flags: Vec<(RedFlag, Vec<usize>)> = Vec::new();
        for sheet in sheets {
            for flag in &sheet.red_flags {
                match red_flags.iter_mut().find(|(f, _)| f == flag) {
                    Some((_, by)) => by.push(sheet.observer),
                    None => red_flags.push((*flag, vec![sheet.observer])),
                }
            }
        }
        red_flags.sort();
        Some(RoundAgreement {
            observers: sheets.iter().map(|s| s.observer).collect(),
            items,
            red_flags,
            kappa_linear: mean_pairwise_kappa(&ratings, Weights::Linear),
            kappa_quadratic: mean_pairwise_kappa(&ratings, Weights::Quadratic),
        })
    }

    /// Role-play: per item, the mean pairwise kappa across the drill's
    /// role-play slots (the slots are the subjects, roster members the
    /// raters). Observers rotate, so a pair often shares few slots; such
    /// pairs are left out and an item with none is `TooFewSubjects`.
    #[cfg(test)]
    pub(crate) fn item_agreement_across_rounds(&self, weights: Weights) -> Vec<(Item, Kappa)> {
        if self.plan.mode != Mode::RolePlay {
            return Vec::new();
        }
        let members = self.plan.roster.len();
        Item::ALL
            .iter()
            .map(|&item| {
                let mut ratings = vec![vec![None; self.states.len()]; members];
                for (subject, state) in self.states.iter().enumerate() {
                    for sheet in &state.sheets {
                        if let Some(row) = ratings.get_mut(sheet.observer) {
                            row[subject] = level_of(sheet.marks[item.index()]);
                        }
                    }
                }
                (item, mean_pairwise_kappa(&ratings, weights))
            })
            .collect()
    }
}

/// The scoreboard between turns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scoreboard {
    pub rows: Vec<ScoreRow>,
    /// Mean of the finished slots' dimension scores, `Dimension::ALL` order.
    pub class_dimensions: Option<[f32; 5]>,
    pub class_overall: Option<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    /// Roster index; `None` for a class vote's group.
    pub member: Option<usize>,
    pub name: String,
    pub finished: usize,
    pub passed: usize,
    /// Finished slots failed by a red flag.
    #[serde(default)]
    pub red_flagged: usize,
    /// Mean over finished slots, `Dimension::ALL` order.
    pub dimensions: Option<[f32; 5]>,
    pub overall: Option<f32>,
    /// The most recent finished slot's card.
    pub last: Option<ScoreCard>,
}

/// One turn of a class vote's debrief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteDebrief {
    pub turn_id: String,
    pub said: Text,
    pub mood_before: Mood,
    pub counts: Option<Vec<u32>>,
    pub followed: usize,
    pub tie_broken: bool,
    pub options: Vec<OptionDebrief>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionDebrief {
    pub index: usize,
    pub text: Text,
    pub votes: Option<u32>,
    /// Share of the votes, 0–100; `None` when only the majority was entered.
    pub percent: Option<f64>,
    pub followed: bool,
    /// `engine::option_quality`, 0–100.
    pub quality: u8,
    pub evidence: Vec<(Item, u8)>,
    pub feedback: Text,
    pub red_flag: Option<RedFlag>,
    /// Best and worst overall still reachable after taking this option
    /// (from the analyzer); `None` when the analysis gave up.
    pub reachable: Option<(f32, f32)>,
}

/// What the member playing the citizen sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CueCard {
    pub scenario_title: Text,
    pub citizen: Text,
    pub situation: Text,
    pub style: DiscStyle,
    pub secondary: Option<DiscStyle>,
    /// How to play the style: cues, wants and fears (domain brief).
    pub style_cues: Vec<Text>,
    pub mood: Mood,
    pub mood_label: Text,
    /// The turn to play now: its id, lines and stage direction; `None`
    /// once an ending is reached.
    pub turn_id: Option<String>,
    pub lines: Vec<Text>,
    pub stage_direction: Option<Text>,
    /// The options, so the player can mark which one the responder's
    /// words came closest to.
    pub options: Vec<Text>,
    /// The ending's words once reached.
    pub ending: Option<Text>,
}

/// Observers' marks for one role-play slot, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundAgreement {
    pub observers: Vec<usize>,
    pub items: Vec<ItemAgreement>,
    /// Each red flag any observer raised, with the observers who raised it.
    pub red_flags: Vec<(RedFlag, Vec<usize>)>,
    /// Mean pairwise weighted kappa with the round's items as subjects.
    pub kappa_linear: Kappa,
    pub kappa_quadratic: Kappa,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemAgreement {
    pub item: Item,
    /// Per observer, in `RoundAgreement::observers` order.
    pub marks: Vec<Option<Observation>>,
    /// Share (0–100) of observer pairs who both gave a level and gave the
    /// same one; `None` when fewer than two observers gave a level.
    pub percent: Option<f64>,
    /// The median level the result uses (lower median for an even count).
    pub median: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum Weights {
    Linear,
    Quadratic,
}

/// A kappa statistic, or why it does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Kappa {
    Value(f64),
    Undefined(KappaUndefined),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KappaUndefined {
    /// Fewer than two observers.
    OneObserver,
    /// No pair of observers rated two or more subjects in common.
    TooFewSubjects,
    /// The chance disagreement is zero (e.g. both gave one and the same
    /// level to everything), so kappa is 0/0.
    NoVariance,
}

/// Cohen's weighted kappa for two raters over paired levels 0..=3.
/// κw = 1 − Σ w·observed / Σ w·expected, with disagreement weights |i−j|
/// (linear) or (i−j)² (quadratic) and expected = product of the marginals.
pub(crate) fn weighted_kappa(pairs: &[(u8, u8)], weights: Weights) -> Kappa {
    const K: usize = LEVELS;
    if pairs.len() < 2 {
        return Kappa::Undefined(KappaUndefined::TooFewSubjects);
    }
    let n = pairs.len() as f64;
    let mut observed = [[0.0f64; K]; K];
    let (mut rows, mut cols) = ([0.0f64; K], [0.0f64; K]);
    for &(a, b) in pairs {
        let (a, b) = ((a as usize).min(K - 1), (b as usize).min(K - 1));
        observed[a][b] += 1.0 / n;
        rows[a] += 1.0 / n;
        cols[b] += 1.0 / n;
    }
    let (mut disagree, mut chance) = (0.0, 0.0);
    for i in 0..K {
        for j in 0..K {
            let d = i.abs_diff(j) as f64;
            let w = match weights {
                Weights::Linear => d,
                Weights::Quadratic => d * d,
            };
            disagree += w * observed[i][j];
            chance += w * rows[i] * cols[j];
        }
    }
    if chance < 1e-12 {
        return Kappa::Undefined(KappaUndefined::NoVariance);
    }
    Kappa::Value(1.0 - disagree / chance)
}

/// Levels 0..=3.
const LEVELS: usize = crate::play::rubric::LEVEL_MAX as usize + 1;

/// Mean of Cohen's weighted kappa over every pair of raters (Light's
/// approach extended to weights). `ratings[rater][subject]`; `None` where a
/// rater gave no level. Pairs sharing fewer than two subjects and pairs
/// whose kappa is undefined are left out.
pub(crate) fn mean_pairwise_kappa(ratings: &[Vec<Option<u8>>], weights: Weights) -> Kappa {
    if ratings.len() < 2 {
        return Kappa::Undefined(KappaUndefined::OneObserver);
    }
    let mut values = Vec::new();
    let mut no_variance = false;
    for a in 0..ratings.len() {
        for b in a + 1..ratings.len() {
            let pairs: Vec<(u8, u8)> = ratings[a]
                .iter()
                .zip(&ratings[b])
                .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
                .collect();
            match weighted_kappa(&pairs, weights) {
                Kappa::Value(v) => values.push(v),
                Kappa::Undefined(KappaUndefined::NoVariance) => no_variance = true,
                Kappa::Undefined(_) => {}
            }
        }
    }
    if values.is_empty() {
        let why = if no_variance { KappaUndefined::NoVariance } else { KappaUndefined::TooFewSubjects };
        return Kappa::Undefined(why);
    }
    Kappa::Value(values.iter().sum::<f64>() / values.len() as f64)
}

/// Share (0–100) of rater pairs giving the same level to one subject;
/// `None` with fewer than two levels.
pub(crate) fn percent_agreement(levels: &[u8]) -> Option<f64> {
    if levels.len() < 2 {
        return None;
    }
    let (mut same, mut pairs) = (0u32, 0u32);
    for a in 0..levels.len() {
        for b in a + 1..levels.len() {
            pairs += 1;
            same += u32::from(levels[a] == levels[b]);
        }
    }
    Some(100.0 * same as f64 / pairs as f64)
}

/// The responder's score card from observers' marks: per item the lower
/// median of the levels given; items nobody observed count as unseen. A red
/// flag counts (and fails the attempt) when at least half of the observers
/// raised it: serious enough not to need a majority, but never one voice
/// among many.
pub(crate) fn observed_card(sheets: &[ObserverSheet]) -> ScoreCard {
    let mut tally = Tally::default();
    for item in Item::ALL {
        let levels: Vec<u8> = sheets.iter().filter_map(|s| level_of(s.marks[item.index()])).collect();
        if let Some(median) = lower_median(levels) {
            tally.record(item, median);
        }
    }
    let mut flags: Vec<RedFlag> = Vec::new();
    for sheet in sheets {
        for flag in &sheet.red_flags {
            let raised = sheets.iter().filter(|s| s.red_flags.contains(flag)).count();
            if 2 * raised >= sheets.len() && !flags.contains(flag) {
                flags.push(*flag);
            }
        }
    }
    flags.sort();
    tally.red_flags = flags.len().min(u8::MAX as usize) as u8;
    tally.finish(flags)
}

fn level_of(mark: Option<Observation>) -> Option<u8> {
    match mark {
        Some(Observation::Level(l)) => Some(l),
        _ => None,
    }
}

/// The lower of the two middle values for an even count: with observers
/// split between two levels the responder gets the more cautious one.
fn lower_median(mut levels: Vec<u8>) -> Option<u8> {
    if levels.is_empty() {
        return None;
    }
    levels.sort_unstable();
    Some(levels[(levels.len() - 1) / 2])
}

/// How to play a citizen of `style` (from the domain brief's DISC table):
/// how to speak, what you want and fear, what calms you, what sets you off.
pub fn style_cues(style: DiscStyle) -> Vec<Text> {
    let (speak, want, calms, triggers) = match style {
        DiscStyle::D => (
            ("说话大声、快，直接提要求：“现在就给我解决”，不寒暄。", "Speak loud and fast, make demands (“fix it now”), no small talk."),
            ("要结果、要掌控；怕被糊弄、被占便宜。", "You want results and control; you fear being taken advantage of."),
            ("对方先说结果、给两个选择、讲清时限，你就缓和下来。", "You ease off when they lead with the outcome, give two options and a deadline."),
            ("长篇道歉、闲聊、含糊承诺会让你更火。", "Long apologies, chit-chat and vague promises make you angrier."),
        ),
        DiscStyle::I => (
            ("情绪外露、爱讲经过，容易以偏概全（“每次都这样”）。", "Be animated, tell the story, generalise (“it's always like this”)."),
            ("想被听见、被认可，看重关系；怕被冷落。", "You want to be heard and recognised; you fear being brushed off."),
            ("对方先回应你的感受、语气热情、答应发书面清单，你就放心了。", "You relax when they acknowledge your feelings, sound warm and offer a written summary."),
            ("一大堆细节、冷冰冰的语气会让你失望。", "A flood of detail or a cold tone leaves you let down."),
        ),
        DiscStyle::S => (
            ("语气温和、说话慢、犹豫（“我也不太确定……”），不好意思投诉。", "Speak gently and slowly, hesitate (“I'm not sure…”), reluctant to complain."),
            ("要稳定、要安全、不想起冲突；怕突然的变化。", "You want stability and safety, no conflict; you fear sudden changes."),
            ("对方耐心、一步一步说、让你放心并主动跟进，你就安心了。", "You settle when they are patient, go step by step, reassure you and promise to follow up."),
            ("催促、施压、突然改变安排会让你退缩。", "Rushing, pressure and sudden changes make you withdraw."),
        ),
        DiscStyle::C => (
            ("问得细，引条款和日期，要依据。", "Ask precise questions, cite rules and dates, ask for proof."),
            ("要准确；怕出错。", "You want accuracy; you fear mistakes."),
            ("对方讲清具体条款、书面清单、准确时限和单号，你就信服了。", "You are satisfied by the exact rule, a written list, exact time limits and a ticket number."),
            ("含糊、夸大、临场编造会让你更不信任。", "Vagueness, exaggeration or improvising makes you trust them less."),
        ),
    };
    [speak, want, calms, triggers].into_iter().map(|(zh, en)| Text::new(zh, en)).collect()
}

/// A word for the citizen's mood on the cue card.
pub fn mood_label(mood: Mood) -> Text {
    if mood.upset >= crate::play::rubric::HIGHLY_UPSET {
        Text::new("非常激动", "Very upset")
    } else if mood.upset >= 40 {
        Text::new("不满", "Annoyed")
    } else if mood.trust >= 60 {
        Text::new("平静，开始信任", "Calm and starting to trust")
    } else {
        Text::new("平静", "Calm")
    }
}

/// Dimension scores of a card, for the scoreboard.
#[cfg(test)]
pub(crate) fn card_dimensions(card: &ScoreCard) -> [f32; 5] {
    Dimension::ALL.map(|d| card.dimension(d))
}

/// The ending id a role-play attempt is recorded with: the conversation
/// was free, so no scripted ending applies.
pub(crate) const ROLE_PLAY_ENDING: &str = "role-play";

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::StartSlot => "StartSlot",
        Event::Linked { .. } => "Linked",
        Event::Choose { .. } => "Choose",
        Event::Votes { .. } => "Votes",
        Event::Majority { .. } => "Majority",
        Event::BreakTie { .. } => "BreakTie",
        Event::CueNext { .. } => "CueNext",
        Event::Observe { .. } => "Observe",
        Event::RedFlag { .. } => "RedFlag",
        Event::FinishSlot { .. } => "FinishSlot",
        Event::SkipSlot => "SkipSlot",
        Event::Close => "Close",
        Event::Undo => "Undo",
        Event::Order { .. } => "Order",
        Event::SubmitOrder => "SubmitOrder",
        Event::Notice { .. } => "Notice",
        Event::HandNotice => "HandNotice",
        Event::OrderTick { .. } => "OrderTick",
        Event::Protocol { .. } => "Protocol",
        Event::Lookup { .. } => "Lookup",
    }
}

/// The in-play events `Event::Undo` can take back. Not `Lookup`: an entry
/// read cannot be unread, so Undo passes over lookups (they stay in the
/// slot, untouched by its rebuild) to the action before them; refusing
/// Undo after a lookup instead would leave a mistyped vote or a misclick
/// standing because someone opened an entry since.
fn is_undoable(event: &Event) -> bool {
    matches!(
        event,
        Event::Choose { .. }
            | Event::Votes { .. }
            | Event::Majority { .. }
            | Event::BreakTie { .. }
            | Event::CueNext { .. }
            | Event::Observe { .. }
            | Event::RedFlag { .. }
            | Event::OrderTick { .. }
            | Event::Protocol { .. }
    )
}

fn fresh_sheets(slot: &Slot) -> Vec<ObserverSheet> {
    slot.observers
        .iter()
        .map(|&observer| ObserverSheet { observer, marks: vec![None; Item::ALL.len()], red_flags: Vec::new(), order_ticks: Vec::new() })
        .collect()
}

/// Which of the desk's papers an event changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paper {
    Order,
    Notice,
}

/// Whether the scenario's record scores a work order: an order, or rightly
/// none (a harassing or invalid call), as in a solo attempt.
pub fn wants_order(scenario: &crate::scenario::model::Scenario) -> bool {
    scenario.work_order.is_some() || scenario.no_order.is_some()
}

fn with_segmenter<T>(at_hand: AtHand<'_>, f: impl FnOnce(&Segmenter) -> T) -> T {
    match at_hand.segmenter {
        Some(segmenter) => f(segmenter),
        None => f(&Segmenter::new()),
    }
}

/// One work-order field in the observers-compared view of a role-play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldTicks {
    pub field: FieldName,
    /// What a correct order holds, as far as this slot's call revealed it.
    pub said: Text,
    /// False for a field the caller never gave on this path.
    pub revealed: bool,
    /// Per observer, in the slot's observer order: right, not right, or
    /// not judged.
    pub ticks: Vec<Option<bool>>,
}

fn play_error(e: PlayError) -> DrillError {
    match e {
        PlayError::OutOfRange { given, count, .. } => DrillError::OptionOutOfRange { given, count },
        other => DrillError::Play(other),
    }
}

fn mean_cards(cards: &[&ScoreCard]) -> (Option<[f32; 5]>, Option<f32>) {
    if cards.is_empty() {
        return (None, None);
    }
    let n = cards.len() as f32;
    let dims = Dimension::ALL.map(|d| cards.iter().map(|c| c.dimension(d)).sum::<f32>() / n);
    (Some(dims), Some(cards.iter().map(|c| c.overall).sum::<f32>() / n))
}

fn script_of<'a>(scripts: &'a Library, id: &str) -> Result<&'a std::sync::Arc<Script>, DrillError> {
    scripts.script(id).ok_or_else(|| DrillError::UnknownScenario(id.to_string()))
}

#[cfg(test)]
mod papers_tests;

#[cfg(test)]
mod protocol_tests;

#[cfg(test)]
mod lookup_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze::{Objective, analyze};
    use crate::library::load::load_file;
    use std::sync::Arc;

    const WATER: &str = "hotline-water-outage";
    const TRIPS: &str = "counter-repeated-trips";

    fn scripts() -> Library {
        Library::from_scripts([WATER, TRIPS]
            .iter()
            .map(|id| {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/fixtures/{id}.ron"));
                let script: Arc<Script> = load_file(&path).script().expect("bundled scenario loads").clone();
                script
            }))
    }

    fn route(scripts: &Library, id: &str, objective: Objective, best: bool) -> Vec<usize> {
        let analysis = analyze(&scripts[id]).unwrap();
        let e = if best { analysis.best(objective) } else { analysis.worst(objective) };
        e.unwrap().route.clone()
    }

    fn plan(mode: Mode, members: usize, scenarios: &[&str], rotation: Rotation, rounds: u32) -> Plan {
        Plan {
            title: "测试 <班>".into(),
            mode,
            scenarios: scenarios.iter().map(|s| s.to_string()).collect(),
            roster: (0..members).map(|i| Member::profile(10 + i as i64, format!("学员{i}"))).collect(),
            group: (mode == Mode::ClassVote).then(|| Member::profile(99, "全班")),
            rotation,
            rounds,
            seed: 7,
        }
    }

    /// Applies an event and, like the store, links a started slot.
    fn drive(drill: &mut Drill, event: Event, scripts: &Library) -> Vec<Effect> {
        let mut effects = drill.apply(&event, scripts).unwrap();
        if let Some(Effect::BeginAttempt { slot, .. }) = effects.first() {
            let slot = *slot;
            let link = Event::Linked { slot, attempt: 1000 + slot as i64, scenario_version: scripts[&drill.slots[slot].scenario].scenario.version, started_at: None };
            effects.extend(drill.apply(&link, scripts).unwrap());
        }
        effects
    }

    #[test]
    fn same_rotation_gives_everyone_the_round_scenario() {
        let slots = schedule(&plan(Mode::HotSeat, 3, &["a", "b"], Rotation::Same, 2));
        let got: Vec<(u32, Option<usize>, &str)> =
            slots.iter().map(|s| (s.round, s.player, s.scenario.as_str())).collect();
        assert_eq!(
            got,
            vec![(0, Some(0), "a"), (0, Some(1), "a"), (0, Some(2), "a"), (1, Some(0), "b"), (1, Some(1), "b"), (1, Some(2), "b")]
        );
        assert!(slots.iter().enumerate().all(|(i, s)| s.index == i && s.citizen.is_none() && s.observers.is_empty()));
    }

    #[test]
    fn rotate_gives_neighbours_different_scenarios_and_everyone_each_one() {
        let slots = schedule(&plan(Mode::HotSeat, 3, &["a", "b", "c"], Rotation::Rotate, 3));
        let round0: Vec<&str> = slots[..3].iter().map(|s| s.scenario.as_str()).collect();
        assert_eq!(round0, ["a", "b", "c"]);
        let round1: Vec<&str> = slots[3..6].iter().map(|s| s.scenario.as_str()).collect();
        assert_eq!(round1, ["b", "c", "a"]);
        for member in 0..3 {
            let mut seen: Vec<&str> =
                slots.iter().filter(|s| s.player == Some(member)).map(|s| s.scenario.as_str()).collect();
            seen.sort();
            assert_eq!(seen, ["a", "b", "c"], "member {member}");
        }
    }

    #[test]
    fn role_play_moves_every_seat_down_the_roster() {
        let slots = schedule(&plan(Mode::RolePlay, 4, &["a"], Rotation::Same, 1));
        assert_eq!(slots.len(), 4);
        for (i, s) in slots.iter().enumerate() {
            assert_eq!(s.player, Some(i));
            assert_eq!(s.citizen, Some((i + 1) % 4));
            let mut all: Vec<usize> = s.observers.clone();
            all.extend([i, (i + 1) % 4]);
            all.sort();
            assert_eq!(all, [0, 1, 2, 3], "each seat once per slot");
        }
        let class = schedule(&plan(Mode::ClassVote, 0, &["a", "b"], Rotation::Same, 3));
        let got: Vec<(Option<usize>, &str)> = class.iter().map(|s| (s.player, s.scenario.as_str())).collect();
        assert_eq!(got, [(None, "a"), (None, "b"), (None, "a")]);
    }

    #[test]
    fn plans_are_checked() {
        let ok = plan(Mode::RolePlay, 3, &["a"], Rotation::Same, 1);
        assert_eq!(ok.check(true), Ok(()));
        let mut p = ok.clone();
        p.scenarios.clear();
        assert_eq!(p.check(false), Err(PlanError::NoScenarios));
        let mut p = ok.clone();
        p.roster.pop();
        assert_eq!(p.check(false), Err(PlanError::TooFewMembers { mode: Mode::RolePlay, need: 3, have: 2 }));
        let mut p = ok.clone();
        p.roster[2].name = " 学员0 ".into();
        assert_eq!(p.check(false), Err(PlanError::DuplicateMember { name: "学员0".into() }));
        let mut p = ok.clone();
        p.roster[1] = Member::typed("  ");
        assert_eq!(p.check(false), Err(PlanError::EmptyName { index: 1 }));
        let mut p = ok.clone();
        p.roster[1] = Member::typed("新学员");
        assert_eq!(p.check(false), Ok(()));
        assert_eq!(p.check(true), Err(PlanError::Unresolved { name: "新学员".into() }));
        let mut p = ok.clone();
        p.rounds = 0;
        assert_eq!(p.check(false), Err(PlanError::NoRounds));
        let mut p = plan(Mode::ClassVote, 0, &["a"], Rotation::Same, 1);
        assert_eq!(p.check(true), Ok(()));
        p.group = None;
        assert_eq!(p.check(false), Err(PlanError::NoGroup));
        assert_eq!(Drill::new(p).unwrap_err(), DrillError::Plan(PlanError::NoGroup));
    }

    #[test]
    fn votes_are_tallied_and_ties_left_to_the_trainer() {
        assert_eq!(tally_votes(&[3, 9, 2]), Ok(VoteOutcome::Majority(1)));
        assert_eq!(tally_votes(&[5, 1, 5, 0]), Ok(VoteOutcome::Tie(vec![0, 2])));
        assert_eq!(tally_votes(&[0, 4]), Ok(VoteOutcome::Majority(1)));
        assert_eq!(tally_votes(&[2, 2, 2]), Ok(VoteOutcome::Tie(vec![0, 1, 2])));
        assert_eq!(tally_votes(&[0, 0, 0]), Err(DrillError::NoVotes));
        assert_eq!(tally_votes(&[]), Err(DrillError::NoVotes));
    }

    #[test]
    fn a_class_vote_follows_the_majority_and_debriefs_the_split() {
        let scripts = scripts();
        let best = route(&scripts, WATER, Objective::Overall, true);
        // No roster: the counts below are a larger class than anyone named.
        let mut drill = Drill::new(plan(Mode::ClassVote, 0, &[WATER], Rotation::Same, 1)).unwrap();
        let effects = drive(&mut drill, Event::StartSlot, &scripts);
        assert!(matches!(&effects[0], Effect::BeginAttempt { profile_id: 99, scenario_id, .. } if scenario_id == WATER));
        assert_eq!(drill.phase, Phase::Playing { slot: 0 });
        assert!(matches!(
            drill.apply(&Event::Choose { option: 0, response_secs: None }, &scripts),
            Err(DrillError::WrongMode { mode: Mode::ClassVote, .. })
        ));

        let options = scripts[WATER].scenario.turns[0].options.len();
        assert_eq!(
            drill.apply(&Event::Votes { counts: vec![1; options + 1] }, &scripts),
            Err(DrillError::CountMismatch { given: options + 1, count: options })
        );
        // Turn 1: a tie between the best option and another one.
        let other = (best[0] + 1) % options;
        let mut counts = vec![1u32; options];
        counts[best[0]] = 6;
        counts[other] = 6;
        assert!(drill.apply(&Event::Votes { counts: counts.clone() }, &scripts).unwrap().is_empty());
        let mut tied = vec![best[0], other];
        tied.sort();
        assert_eq!(drill.phase, Phase::TieBreak { slot: 0, tied: tied.clone() });
        let outsider = (0..options).find(|i| !tied.contains(i)).unwrap();
        assert_eq!(
            drill.apply(&Event::BreakTie { option: outsider }, &scripts),
            Err(DrillError::NotTied { given: outsider, tied })
        );
        let effects = drill.apply(&Event::BreakTie { option: best[0] }, &scripts).unwrap();
        assert!(matches!(&effects[..], [Effect::RecordStep { attempt: 1000, index: 0, .. }]));
        // Turn 2 by counts with a clear majority, the rest by majority only.
        let options = drill.encounter(0, &scripts).unwrap().unwrap().prompt().unwrap().options.len();
        let mut counts2 = vec![0u32; options];
        counts2[best[1]] = 10;
        counts2[(best[1] + 1) % options] = 3;
        drill.apply(&Event::Votes { counts: counts2.clone() }, &scripts).unwrap();
        for &option in &best[2..] {
            assert_eq!(
                drill.apply(&Event::FinishSlot { disc_guess: None, outcome: None }, &scripts),
                Err(DrillError::NotEnded)
            );
            drill.apply(&Event::Majority { option }, &scripts).unwrap();
        }
        assert_eq!(drill.phase, Phase::Ended { slot: 0 });
        let effects = drill.apply(&Event::FinishSlot { disc_guess: Some(DiscStyle::I), outcome: None }, &scripts).unwrap();
        let expected = Encounter::replay(scripts[WATER].clone(), drill.states[0].seed, &best).unwrap().score();
        match &effects[..] {
            [Effect::FinishAttempt { attempt: 1000, result }] => {
                assert_eq!(result.card, expected);
                assert_eq!(result.disc_guess, Some(DiscStyle::I));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(drill.phase, Phase::Finished);
        assert_eq!(drill.apply(&Event::StartSlot, &scripts), Err(DrillError::Over));

        let debrief = drill.vote_debrief(0, &scripts).unwrap();
        assert_eq!(debrief.len(), best.len());
        assert!(debrief[0].tie_broken && !debrief[1].tie_broken);
        assert_eq!(debrief[0].followed, best[0]);
        let split = &debrief[1];
        assert_eq!(split.counts.as_deref(), Some(&counts2[..]));
        let pct: Vec<f64> = split.options.iter().map(|o| o.percent.unwrap()).collect();
        assert!((pct[best[1]] - 100.0 * 10.0 / 13.0).abs() < 1e-9, "{pct:?}");
        assert!((pct.iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert!(debrief[2].options.iter().all(|o| o.votes.is_none() && o.percent.is_none()), "majority only");
        let best_score = expected.overall;
        for turn in &debrief {
            for o in &turn.options {
                let (hi, lo) = o.reachable.expect("analysable");
                assert!(hi >= lo, "{o:?}");
                assert_eq!(o.followed, o.index == turn.followed);
                assert_eq!(o.quality, option_quality(&scripts[WATER], scripts[WATER].scenario.turns.iter().position(|t| t.id == turn.turn_id).unwrap(), o.index));
                if o.followed {
                    assert!((hi - best_score).abs() < 1e-3, "the best route stays reachable along itself");
                }
            }
        }
        // A minority option that is a red flag or scores lower cannot reach more than the best.
        assert!(debrief.iter().flat_map(|t| &t.options).all(|o| o.reachable.unwrap().0 <= best_score + 1e-3));
    }

    #[test]
    fn hot_seat_records_each_member_and_keeps_a_scoreboard_by_dimension() {
        let scripts = scripts();
        let best = route(&scripts, WATER, Objective::Overall, true);
        let worst = route(&scripts, WATER, Objective::Overall, false);
        let mut drill = Drill::new(plan(Mode::HotSeat, 3, &[WATER], Rotation::Same, 1)).unwrap();
        assert!(matches!(
            drill.apply(&Event::Linked { slot: 0, attempt: 5, scenario_version: 1, started_at: None }, &scripts),
            Err(DrillError::BadLink { slot: 0 })
        ));
        let effects = drill.apply(&Event::StartSlot, &scripts).unwrap();
        assert!(matches!(&effects[..], [Effect::BeginAttempt { slot: 0, profile_id: 10, .. }]));
        assert!(matches!(
            drill.apply(&Event::Choose { option: 0, response_secs: None }, &scripts),
            Err(DrillError::WrongPhase { .. })
        ));
        let version = scripts[WATER].scenario.version;
        assert!(matches!(
            drill.apply(&Event::Linked { slot: 0, attempt: 1000, scenario_version: version + 1, started_at: None }, &scripts),
            Err(DrillError::ScenarioChanged { .. })
        ));
        drill.apply(&Event::Linked { slot: 0, attempt: 1000, scenario_version: version, started_at: None }, &scripts).unwrap();
        for (i, &option) in best.iter().enumerate() {
            let effects = drill.apply(&Event::Choose { option, response_secs: Some(3.0) }, &scripts).unwrap();
            assert!(matches!(&effects[..], [Effect::RecordStep { attempt: 1000, index, .. }] if *index == i));
        }
        assert_eq!(
            drill.apply(&Event::Choose { option: 0, response_secs: None }, &scripts).unwrap_err().to_string(),
            DrillError::WrongPhase { event: "Choose", phase: "Ended { slot: 0 }".into() }.to_string()
        );
        drive(&mut drill, Event::FinishSlot { disc_guess: None, outcome: None }, &scripts);
        // Member 1 is absent; member 2 plays the worst route.
        assert_eq!(drill.phase, Phase::Ready { slot: 1 });
        assert!(drill.apply(&Event::SkipSlot, &scripts).unwrap().is_empty(), "nothing begun, nothing to abandon");
        drive(&mut drill, Event::StartSlot, &scripts);
        for &option in &worst {
            drill.apply(&Event::Choose { option, response_secs: None }, &scripts).unwrap();
        }
        drill.apply(&Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
        assert!(drill.is_over());

        let board = drill.scoreboard();
        assert_eq!(board.rows.len(), 3);
        let good = Encounter::replay(scripts[WATER].clone(), drill.states[0].seed, &best).unwrap().score();
        let bad = Encounter::replay(scripts[WATER].clone(), drill.states[2].seed, &worst).unwrap().score();
        assert_eq!(board.rows[0].dimensions, Some(card_dimensions(&good)));
        assert_eq!((board.rows[0].finished, board.rows[0].passed), (1, usize::from(good.passed)));
        assert_eq!(board.rows[1].finished, 0);
        assert_eq!(board.rows[1].dimensions, None);
        assert_eq!(board.rows[2].overall, Some(bad.overall));
        assert_eq!(board.rows[2].last.as_ref(), Some(&bad));
        assert_eq!(
            board.rows.iter().map(|r| r.red_flagged).collect::<Vec<_>>(),
            [usize::from(!good.red_flags.is_empty()), 0, usize::from(!bad.red_flags.is_empty())]
        );
        assert!(!bad.red_flags.is_empty(), "the worst route crosses a red line, so the column is tested");
        let mean = (good.overall + bad.overall) / 2.0;
        assert!((board.class_overall.unwrap() - mean).abs() < 1e-4);
        assert_eq!(drill.states[1].status, SlotStatus::Skipped);
    }

    #[test]
    fn skipping_or_closing_a_begun_slot_abandons_its_attempt() {
        let scripts = scripts();
        let mut drill = Drill::new(plan(Mode::HotSeat, 2, &[WATER, TRIPS], Rotation::Rotate, 1)).unwrap();
        drive(&mut drill, Event::StartSlot, &scripts);
        assert_eq!(drill.apply(&Event::SkipSlot, &scripts).unwrap(), vec![Effect::AbandonAttempt { attempt: 1000 }]);
        drive(&mut drill, Event::StartSlot, &scripts);
        assert_eq!(drill.current().unwrap().scenario, TRIPS);
        assert_eq!(drill.apply(&Event::Close, &scripts).unwrap(), vec![Effect::AbandonAttempt { attempt: 1001 }]);
        assert_eq!(drill.phase, Phase::Closed);
        assert_eq!(drill.current(), None);
    }

    #[test]
    fn a_replayed_log_resumes_exactly_where_the_drill_was() {
        let scripts = scripts();
        let best = route(&scripts, TRIPS, Objective::Overall, true);
        let mut drill = Drill::new(plan(Mode::HotSeat, 2, &[TRIPS], Rotation::Same, 1)).unwrap();
        let mut log = Vec::new();
        let push = |drill: &mut Drill, e: Event, log: &mut Vec<Event>| {
            let effects = drill.apply(&e, &scripts).unwrap();
            log.push(e);
            if let Some(Effect::BeginAttempt { slot, scenario_version, .. }) = effects.first() {
                let link = Event::Linked { slot: *slot, attempt: 50 + *slot as i64, scenario_version: *scenario_version, started_at: None };
                drill.apply(&link, &scripts).unwrap();
                log.push(link);
            }
        };
        push(&mut drill, Event::StartSlot, &mut log);
        for &o in &best {
            push(&mut drill, Event::Choose { option: o, response_secs: Some(1.5) }, &mut log);
        }
        push(&mut drill, Event::FinishSlot { disc_guess: None, outcome: None }, &mut log);
        push(&mut drill, Event::StartSlot, &mut log);
        push(&mut drill, Event::Choose { option: best[0], response_secs: Some(99.0) }, &mut log);

        // The log goes through JSON as the store keeps it.
        let json: Vec<String> = log.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        let back: Vec<Event> = json.iter().map(|j| serde_json::from_str(j).unwrap()).collect();
        let resumed = Drill::replay(drill.plan.clone(), &back, &scripts).unwrap();
        assert_eq!(resumed, drill);
        assert_eq!(resumed.applied, log.len());
        let (a, b) = (drill.encounter(1, &scripts).unwrap().unwrap(), resumed.encounter(1, &scripts).unwrap().unwrap());
        assert_eq!(a.steps(), b.steps());
        assert_eq!(a.mood(), b.mood());
        // The state itself round-trips through JSON too.
        let state: Drill = serde_json::from_str(&serde_json::to_string(&drill).unwrap()).unwrap();
        assert_eq!(state, drill);

        // A log that no longer fits says which event broke.
        let mut broken = back.clone();
        broken.insert(1, Event::SkipSlot);
        assert!(matches!(Drill::replay(drill.plan.clone(), &broken, &scripts), Err(DrillError::Replay { index: 2, .. })));
    }

    #[test]
    fn a_changed_scenario_is_refused_on_resume() {
        let scripts = scripts();
        let mut drill = Drill::new(plan(Mode::HotSeat, 1, &[WATER], Rotation::Same, 1)).unwrap();
        drive(&mut drill, Event::StartSlot, &scripts);
        let version = scripts[WATER].scenario.version;
        let log = [Event::StartSlot, Event::Linked { slot: 0, attempt: 1000, scenario_version: version, started_at: None }];
        assert_eq!(Drill::replay(drill.plan.clone(), &log, &scripts).unwrap(), drill);
        let mut scenario = scripts[WATER].scenario.clone();
        scenario.version += 1;
        let scripts = Library::from_scripts([Script::new(scenario).unwrap(), scripts[TRIPS].clone()]);
        match Drill::replay(drill.plan.clone(), &log, &scripts) {
            Err(DrillError::Replay { index: 1, source }) => assert!(matches!(*source, DrillError::ScenarioChanged { used, loaded, .. } if used == version && loaded == version + 1)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            drill.apply(&Event::Choose { option: 0, response_secs: None }, &scripts),
            Err(DrillError::ScenarioChanged { .. })
        ));
        let scripts = Library::from_scripts([scripts[TRIPS].clone()]);
        assert_eq!(
            Drill::new(plan(Mode::HotSeat, 1, &[WATER], Rotation::Same, 1)).unwrap().apply(&Event::StartSlot, &scripts),
            Err(DrillError::UnknownScenario(WATER.into()))
        );
    }

    #[test]
    fn cohens_kappa_matches_the_textbook_example() {
        // 50 subjects: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
        // po = 0.70, pe = 0.5·0.6 + 0.5·0.4 = 0.50, κ = 0.2/0.5 = 0.40. With
        // two adjacent levels linear and quadratic weights equal 0/1 weights.
        let mut pairs = Vec::new();
        pairs.extend(std::iter::repeat_n((1u8, 1u8), 20));
        pairs.extend(std::iter::repeat_n((1, 0), 5));
        pairs.extend(std::iter::repeat_n((0, 1), 10));
        pairs.extend(std::iter::repeat_n((0, 0), 15));
        for w in [Weights::Linear, Weights::Quadratic] {
            let Kappa::Value(k) = weighted_kappa(&pairs, w) else { panic!() };
            assert!((k - 0.4).abs() < 1e-12, "{w:?}: {k}");
        }
    }

    #[test]
    fn weighted_kappa_matches_hand_computation() {
        // A = 0,1,2 and B = 0,2,2. Observed weighted disagreement: one pair
        // one level apart, 1/3 (linear) and 1/3 (quadratic). Expected, with
        // rows 1/3 each and columns {0: 1/3, 2: 2/3}: linear 4/9+3/9+2/9 = 1,
        // quadratic 8/9+3/9+4/9 = 5/3. κ_lin = 1 − 1/3 = 2/3, κ_quad = 0.8.
        let pairs = [(0, 0), (1, 2), (2, 2)];
        let Kappa::Value(l) = weighted_kappa(&pairs, Weights::Linear) else { panic!() };
        assert!((l - 2.0 / 3.0).abs() < 1e-12, "{l}");
        let Kappa::Value(q) = weighted_kappa(&pairs, Weights::Quadratic) else { panic!() };
        assert!((q - 0.8).abs() < 1e-12, "{q}");
        // Systematic disagreement is worse than chance.
        let Kappa::Value(neg) = weighted_kappa(&[(0, 3), (3, 0)], Weights::Linear) else { panic!() };
        assert!(neg < 0.0);
    }

    #[test]
    fn kappa_says_why_when_it_does_not_exist() {
        assert_eq!(mean_pairwise_kappa(&[vec![Some(2), Some(3)]], Weights::Linear), Kappa::Undefined(KappaUndefined::OneObserver));
        assert_eq!(mean_pairwise_kappa(&[], Weights::Linear), Kappa::Undefined(KappaUndefined::OneObserver));
        let same = vec![Some(2); 5];
        assert_eq!(
            mean_pairwise_kappa(&[same.clone(), same], Weights::Quadratic),
            Kappa::Undefined(KappaUndefined::NoVariance),
            "everyone gave 2 to everything: 0/0, not NaN"
        );
        let varied = vec![Some(0), Some(1), Some(3)];
        assert_eq!(mean_pairwise_kappa(&[varied.clone(), varied], Weights::Linear), Kappa::Value(1.0));
        assert_eq!(
            mean_pairwise_kappa(&[vec![Some(1), None], vec![None, Some(2)]], Weights::Linear),
            Kappa::Undefined(KappaUndefined::TooFewSubjects)
        );
        assert_eq!(weighted_kappa(&[(1, 1)], Weights::Linear), Kappa::Undefined(KappaUndefined::TooFewSubjects));
    }

    #[test]
    fn mean_pairwise_kappa_averages_every_pair() {
        let a = vec![Some(0), Some(1), Some(2)];
        let b = vec![Some(0), Some(2), Some(2)];
        let c = vec![Some(0), Some(1), Some(2)];
        // Pairs: (a,b) = 2/3 (above), (a,c) = 1, (b,c) = 2/3.
        let Kappa::Value(k) = mean_pairwise_kappa(&[a, b, c], Weights::Linear) else { panic!() };
        assert!((k - (2.0 / 3.0 + 1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12, "{k}");
    }

    #[test]
    fn percent_agreement_counts_agreeing_pairs() {
        assert_eq!(percent_agreement(&[2, 2]), Some(100.0));
        assert_eq!(percent_agreement(&[2, 3]), Some(0.0));
        let p = percent_agreement(&[2, 2, 3]).unwrap();
        assert!((p - 100.0 / 3.0).abs() < 1e-12);
        assert_eq!(percent_agreement(&[1, 1, 1, 1]), Some(100.0));
        assert_eq!(percent_agreement(&[3]), None);
    }

    fn sheet(observer: usize, marks: &[(Item, Observation)]) -> ObserverSheet {
        let mut s = ObserverSheet { observer, marks: vec![None; Item::ALL.len()], red_flags: Vec::new(), order_ticks: Vec::new() };
        for (item, mark) in marks {
            s.marks[item.index()] = Some(*mark);
        }
        s
    }

    #[test]
    fn observers_medians_go_through_the_rubric() {
        use Observation::*;
        let sheets = [
            sheet(0, &[(Item::E1, Level(3)), (Item::L1, Level(2)), (Item::C2, NotObserved)]),
            sheet(1, &[(Item::E1, Level(1)), (Item::L1, Level(3))]),
            sheet(2, &[(Item::E1, Level(2)), (Item::C2, NotObserved)]),
        ];
        let card = observed_card(&sheets);
        assert_eq!(card.item(Item::E1), 2, "median of 3, 1, 2");
        assert_eq!(card.item(Item::L1), 2, "lower median of 2 and 3");
        assert_eq!(card.item(Item::C2), Item::C2.unseen_level(), "nobody observed it");
        assert_eq!(card.item(Item::E4), Item::E4.unseen_level());
        let mut tally = Tally::default();
        tally.record(Item::E1, 2);
        tally.record(Item::L1, 2);
        assert_eq!(card, tally.finish(vec![]));
        assert!(card.red_flags.is_empty());

        // One observer of three is not enough for a red flag; two are.
        let mut flagged = sheets.clone();
        flagged[0].red_flags.push(RedFlag::PushingAway);
        assert!(observed_card(&flagged).red_flags.is_empty());
        flagged[2].red_flags.push(RedFlag::PushingAway);
        let card = observed_card(&flagged);
        assert_eq!(card.red_flags, vec![RedFlag::PushingAway]);
        assert!(!card.passed);
        // With two observers, one is half.
        assert_eq!(observed_card(&flagged[1..]).red_flags, vec![RedFlag::PushingAway]);
    }

    #[test]
    fn role_play_cue_card_observers_and_result() {
        use Observation::*;
        let scripts = scripts();
        let mut drill = Drill::new(plan(Mode::RolePlay, 4, &[WATER], Rotation::Same, 1)).unwrap();
        assert_eq!(drill.cue_card(&scripts).unwrap(), None, "not started");
        let effects = drive(&mut drill, Event::StartSlot, &scripts);
        assert!(matches!(&effects[0], Effect::BeginAttempt { profile_id: 10, .. }), "the responder's record");
        let card = drill.cue_card(&scripts).unwrap().unwrap();
        let scenario = &scripts[WATER].scenario;
        assert_eq!(card.turn_id.as_deref(), Some(scenario.start.as_str()));
        assert_eq!(card.style, scenario.citizen.disc.primary);
        assert_eq!(card.style_cues.len(), 4);
        assert_eq!(card.mood, scenario.citizen.mood);
        assert_eq!(card.options.len(), scenario.turns[0].options.len());
        assert!(!card.lines[0].zh.is_empty());
        drill.apply(&Event::CueNext { closest: 0 }, &scripts).unwrap();
        let next = drill.cue_card(&scripts).unwrap().unwrap();
        assert_ne!(next.turn_id, card.turn_id);

        // Slot 0: responder 0, citizen 1, observers 2 and 3.
        assert_eq!(
            drill.apply(&Event::Observe { observer: 1, item: Item::E1, mark: Level(2) }, &scripts),
            Err(DrillError::NotObserver { member: 1 })
        );
        assert_eq!(
            drill.apply(&Event::Observe { observer: 2, item: Item::E1, mark: Level(4) }, &scripts),
            Err(DrillError::LevelOutOfRange(4))
        );
        let marks = [
            (2, Item::E1, Level(3)),
            (3, Item::E1, Level(3)),
            (2, Item::L1, Level(1)),
            (3, Item::L1, Level(2)),
            (2, Item::C3, Level(0)),
            (3, Item::C3, NotObserved),
            (2, Item::P1, Level(2)),
            (2, Item::P1, Level(3)), // a later mark replaces the earlier one
            (3, Item::P1, Level(3)),
        ];
        for (observer, item, mark) in marks {
            drill.apply(&Event::Observe { observer, item, mark }, &scripts).unwrap();
        }
        let agreement = drill.agreement(0).unwrap();
        assert_eq!(agreement.observers, vec![2, 3]);
        let item = |i: Item| agreement.items.iter().find(|a| a.item == i).unwrap();
        assert_eq!(item(Item::E1).percent, Some(100.0));
        assert_eq!(item(Item::L1).percent, Some(0.0));
        assert_eq!(item(Item::L1).median, Some(1));
        assert_eq!(item(Item::C3).percent, None, "one level only");
        assert_eq!(item(Item::C3).marks, vec![Some(Level(0)), Some(NotObserved)]);
        // Items both rated: E1 (3,3), L1 (1,2), P1 (3,3): linear κ by hand:
        // rows {1:1/3, 3:2/3}, cols {2:1/3, 3:2/3}; observed 1/3·1 = 1/3;
        // expected 1/9·1 + 2/9·2 + 2/9·1 + 4/9·0 = 7/9; κ = 1 − 3/7 = 4/7.
        let Kappa::Value(k) = agreement.kappa_linear else { panic!("{:?}", agreement.kappa_linear) };
        assert!((k - 4.0 / 7.0).abs() < 1e-12, "{k}");

        assert_eq!(
            drill.apply(&Event::RedFlag { observer: 0, flag: RedFlag::DataLeak, raised: true }, &scripts),
            Err(DrillError::NotObserver { member: 0 }),
            "the responder cannot flag themself"
        );
        drill.apply(&Event::RedFlag { observer: 3, flag: RedFlag::DataLeak, raised: true }, &scripts).unwrap();
        assert_eq!(drill.agreement(0).unwrap().red_flags, vec![(RedFlag::DataLeak, vec![3])]);
        drill.apply(&Event::RedFlag { observer: 3, flag: RedFlag::DataLeak, raised: false }, &scripts).unwrap();
        assert!(drill.agreement(0).unwrap().red_flags.is_empty(), "taken back");

        assert_eq!(drill.apply(&Event::FinishSlot { disc_guess: None, outcome: None }, &scripts), Err(DrillError::NoOutcome));
        let effects =
            drill.apply(&Event::FinishSlot { disc_guess: None, outcome: Some(Outcome::Resolved) }, &scripts).unwrap();
        match &effects[..] {
            [Effect::FinishAttempt { attempt: 1000, result }] => {
                assert_eq!(result.card, observed_card(&drill.states[0].sheets));
                assert_eq!(result.card.item(Item::C3), 0);
                assert_eq!(result.ending_id, ROLE_PLAY_ENDING);
                assert_eq!(result.outcome, Outcome::Resolved);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(drill.scoreboard().rows[0].finished, 1);
        // One scored round: every pair shares at most one slot.
        let across = drill.item_agreement_across_rounds(Weights::Linear);
        assert_eq!(across.len(), Item::ALL.len());
        assert!(across.iter().all(|(_, k)| *k == Kappa::Undefined(KappaUndefined::TooFewSubjects)));
    }

    /// Applies `events` to a fresh drill of `plan` the way the store does,
    /// returning the drill and the log (with the store's `Linked` events).
    fn logged(plan: Plan, events: &[Event], scripts: &Library) -> (Drill, Vec<Event>, Vec<Effect>) {
        let mut drill = Drill::new(plan).unwrap();
        let (mut log, mut last) = (Vec::new(), Vec::new());
        for event in events {
            last = drill.apply(event, scripts).unwrap();
            log.push(event.clone());
            if let Some(Effect::BeginAttempt { slot, scenario_version, .. }) = last.first() {
                let link = Event::Linked { slot: *slot, attempt: 1000 + *slot as i64, scenario_version: *scenario_version, started_at: None };
                drill.apply(&link, scripts).unwrap();
                log.push(link);
            }
        }
        (drill, log, last)
    }

    #[test]
    fn undo_takes_back_a_choice_and_compensates_its_step() {
        let scripts = scripts();
        let best = route(&scripts, WATER, Objective::Overall, true);
        let plan = plan(Mode::HotSeat, 2, &[WATER], Rotation::Same, 1);
        let choose = |o: usize| Event::Choose { option: o, response_secs: Some(2.0) };
        let (without, _, _) = logged(plan.clone(), &[Event::StartSlot, choose(best[0])], &scripts);
        let (mut drill, mut log, _) = logged(plan.clone(), &[Event::StartSlot, choose(best[0]), choose(best[1])], &scripts);
        assert!(drill.can_undo());
        let effects = drill.apply(&Event::Undo, &scripts).unwrap();
        assert_eq!(effects, vec![Effect::UnrecordStep { attempt: 1000, index: 1 }]);
        log.push(Event::Undo);
        // The same slot, choices, mood and phase as if the choice had never been made.
        assert_eq!(drill.states, without.states);
        assert_eq!(drill.phase, without.phase);
        assert_eq!(drill.encounter(0, &scripts).unwrap().unwrap().mood(), without.encounter(0, &scripts).unwrap().unwrap().mood());
        assert_eq!(drill.applied, log.len(), "the undo is an event of the log");
        // A crash replays the log, undo included, to the same drill.
        assert_eq!(Drill::replay(plan.clone(), &log, &scripts).unwrap(), drill);
        // Undo again takes back the first choice; then nothing is left.
        assert_eq!(drill.apply(&Event::Undo, &scripts).unwrap(), vec![Effect::UnrecordStep { attempt: 1000, index: 0 }]);
        assert!(drill.states[0].choices.is_empty() && !drill.can_undo());
        assert_eq!(drill.apply(&Event::Undo, &scripts), Err(DrillError::NothingToUndo));
        // The last answer of an encounter can be taken back before the slot is finished, but not after.
        let mut all = vec![Event::StartSlot];
        all.extend(best.iter().map(|&o| choose(o)));
        let (mut ended, _, _) = logged(plan.clone(), &all, &scripts);
        assert_eq!(ended.phase, Phase::Ended { slot: 0 });
        ended.apply(&Event::Undo, &scripts).unwrap();
        assert_eq!(ended.phase, Phase::Playing { slot: 0 });
        all.push(Event::FinishSlot { disc_guess: None, outcome: None });
        let (mut finished, _, _) = logged(plan, &all, &scripts);
        assert_eq!(finished.apply(&Event::Undo, &scripts), Err(DrillError::NothingToUndo), "a finished slot stays finished");
    }

    #[test]
    fn undo_restores_a_tie_and_an_observers_marks() {
        use Observation::*;
        let scripts = scripts();
        let options = scripts[WATER].scenario.turns[0].options.len();
        let mut tie = vec![0u32; options];
        tie[0] = 2;
        tie[1] = 2;
        let vote = plan(Mode::ClassVote, 4, &[WATER], Rotation::Same, 1);
        let (mut drill, _, _) = logged(vote.clone(), &[Event::StartSlot, Event::Votes { counts: tie.clone() }, Event::BreakTie { option: 1 }], &scripts);
        assert_eq!(drill.apply(&Event::Undo, &scripts).unwrap(), vec![Effect::UnrecordStep { attempt: 1000, index: 0 }]);
        assert_eq!(drill.phase, Phase::TieBreak { slot: 0, tied: vec![0, 1] }, "back to the tie, counts kept");
        assert_eq!(drill.states[0].pending_counts.as_deref(), Some(&tie[..]));
        assert!(drill.apply(&Event::Undo, &scripts).unwrap().is_empty(), "the tie recorded no step");
        assert_eq!(drill.phase, Phase::Playing { slot: 0 });

        let role = plan(Mode::RolePlay, 3, &[WATER], Rotation::Same, 1);
        let events = [
            Event::StartSlot,
            Event::Observe { observer: 2, item: Item::E1, mark: Level(3) },
            Event::CueNext { closest: 0 },
            Event::Observe { observer: 2, item: Item::E1, mark: Level(1) },
            Event::RedFlag { observer: 2, flag: RedFlag::DataLeak, raised: true },
        ];
        let (mut drill, _, _) = logged(role.clone(), &events, &scripts);
        let (expected, _, _) = logged(role.clone(), &events[..3], &scripts);
        drill.apply(&Event::Undo, &scripts).unwrap();
        drill.apply(&Event::Undo, &scripts).unwrap();
        assert_eq!(drill.states[0].sheets, expected.states[0].sheets, "the earlier mark is back, the flag gone");
        assert_eq!(drill.states[0].sheets[0].marks[Item::E1.index()], Some(Level(3)));
        assert_eq!(drill.states[0].choices, vec![0], "the cue card stays where it was");
    }

    #[test]
    fn vote_totals_are_checked_against_who_is_present() {
        let scripts = scripts();
        let options = scripts[WATER].scenario.turns[0].options.len();
        let (mut drill, _, _) = logged(plan(Mode::ClassVote, 4, &[WATER], Rotation::Same, 1), &[Event::StartSlot], &scripts);
        let mut counts = vec![0u32; options];
        counts[0] = 1003;
        let err = drill.apply(&Event::Votes { counts: counts.clone() }, &scripts).unwrap_err();
        assert_eq!(err, DrillError::TooManyVotes { total: 1003, present: 4 });
        assert!(err.to_string().contains("1003 votes for 4 people present"), "{err}");
        counts[0] = u32::MAX;
        counts[1] = u32::MAX;
        assert!(matches!(drill.apply(&Event::Votes { counts }, &scripts), Err(DrillError::TooManyVotes { .. })), "no overflow");
        let mut four = vec![0u32; options];
        four[1] = 3;
        four[0] = 1;
        drill.apply(&Event::Votes { counts: four }, &scripts).unwrap();
        // A class vote with no roster has nobody to check against.
        let (mut open, _, _) = logged(plan(Mode::ClassVote, 0, &[WATER], Rotation::Same, 1), &[Event::StartSlot], &scripts);
        let mut many = vec![0u32; options];
        many[0] = 40;
        open.apply(&Event::Votes { counts: many }, &scripts).unwrap();
        // A drill logged before the check existed still resumes exactly.
        let mut old_votes = vec![0u32; options];
        old_votes[0] = 1003;
        let plan4 = plan(Mode::ClassVote, 4, &[WATER], Rotation::Same, 1);
        let (_, mut log, _) = logged(plan4.clone(), &[Event::StartSlot], &scripts);
        log.push(Event::Votes { counts: old_votes });
        let resumed = Drill::replay(plan4, &log, &scripts).expect("a logged event replays");
        assert_eq!(resumed.states[0].choices, vec![0], "the class followed option 1 back then");
    }

    #[test]
    fn slot_seeds_differ_and_are_stable() {
        let seeds: Vec<u64> = (0..50).map(|i| slot_seed(7, i)).collect();
        let mut unique = seeds.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seeds.len());
        assert_eq!(slot_seed(7, 3), seeds[3]);
        assert_ne!(slot_seed(8, 3), seeds[3]);
    }
}
