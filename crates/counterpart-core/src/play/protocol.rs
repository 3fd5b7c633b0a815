//! Risk protocols (12345 centres' 风险处置): the actions an operator can take
//! on any call (hand over to 110 / 119 / 120 in a three-way call, report to
//! the shift lead, mark the order 特急...), and an attempt judged against
//! the scenario's protocol truth: each required action taken in time or
//! missed, and handovers no risk called for.
//!
//! A missed required action is a one-strike failure (`RedFlag::
//! MissedProtocol`) with the requirement's own explanation; a handover to
//! an emergency service that nothing in the call needed is pushing the
//! caller away (`RedFlag::PushingAway`). Neither changes a rubric level, so
//! the analyzer's bounds are those of an attempt that follows the protocol.

use crate::play::score::ScoreCard;
use crate::scenario::model::{RedFlag, Reveal, Risk, Scenario, Text};
use serde::{Deserialize, Serialize};

/// What kind of step an action is: a handover sends the call to another
/// service (a needless one pushes the caller away); a report or a mark is
/// never wrong in itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionKind {
    Handover,
    Report,
    Mark,
}

/// One protocol action a centre's operator has at hand on every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolAction {
    pub id: &'static str,
    pub kind: ActionKind,
    label: (&'static str, &'static str),
    /// What its button says: the strip holds every action on one row of a
    /// 1280-wide screen at the 150 % text a training room projects.
    short: (&'static str, &'static str),
    what: (&'static str, &'static str),
}

impl ProtocolAction {
    pub fn label(&self) -> Text {
        Text::new(self.label.0, self.label.1)
    }

    pub fn short(&self) -> Text {
        Text::new(self.short.0, self.short.1)
    }

    /// When a centre's protocol calls for it.
    pub fn what(&self) -> Text {
        Text::new(self.what.0, self.what.1)
    }
}

/// The protocol actions, in the order the app offers them. The emergency
/// numbers are national; the gas company's emergency line and the crisis
/// line are the city's own, named by what they are.
pub const ACTIONS: &[ProtocolAction] = &[
    ProtocolAction {
        id: "handover-110",
        kind: ActionKind::Handover,
        label: ("转110（三方通话）", "Hand over to 110, police (three-way call)"),
        short: ("转110", "110"),
        what: ("暴力、人身威胁、有人正处于危险中、轻生风险需要民警上门。", "Violence, a threat to someone, a person in danger now, a suicide risk that needs the police to visit."),
    },
    ProtocolAction {
        id: "handover-119",
        kind: ActionKind::Handover,
        label: ("转119（三方通话）", "Hand over to 119, fire and rescue (three-way call)"),
        short: ("转119", "119"),
        what: ("火情、燃气泄漏有爆燃危险、被困需要救援。", "Fire, a gas leak that may ignite, someone trapped who needs rescue."),
    },
    ProtocolAction {
        id: "handover-120",
        kind: ActionKind::Handover,
        label: ("转120（三方通话）", "Hand over to 120, ambulance (three-way call)"),
        short: ("转120", "120"),
        what: ("有人受伤、急病、有自伤危险需要急救。", "Someone injured or acutely ill, or at risk of self-harm and in need of emergency care."),
    },
    ProtocolAction {
        id: "handover-gas",
        kind: ActionKind::Handover,
        label: ("转燃气抢修热线（三方通话）", "Hand over to the gas emergency line (three-way call)"),
        short: ("转燃气抢修", "Gas line"),
        what: ("闻到燃气味、燃气泄漏。", "A smell of gas, a gas leak."),
    },
    ProtocolAction {
        id: "handover-crisis-line",
        kind: ActionKind::Handover,
        label: ("转心理援助热线（三方通话）", "Hand over to the psychological crisis line (three-way call)"),
        short: ("转心理援助", "Crisis line"),
        what: ("来电人流露轻生念头或处于心理危机中。", "The caller speaks of ending their life or is in a psychological crisis."),
    },
    ProtocolAction {
        id: "report-shift-lead",
        kind: ActionKind::Report,
        label: ("报告值班班长", "Report to the shift lead"),
        short: ("报告班长", "Shift lead"),
        what: ("生命安全险情、舆情（扬言找媒体、网上广泛传播）、扬言集体上访、骚扰或威胁话务员。", "A danger to life, a public-opinion case (media, mass reposts), a threat of a mass petition, a caller harassing or threatening the operator."),
    },
    ProtocolAction {
        id: "mark-critical",
        kind: ActionKind::Mark,
        label: ("工单标注特急", "Mark the order critical (特急)"),
        short: ("标注特急", "Critical"),
        what: ("正在危及生命的险情：工单走特急通道，承办单位立即处置。", "A live danger to life: the order goes through the critical channel and the unit acts at once."),
    },
];

/// The action with this id, if the build knows it.
pub fn action(id: &str) -> Option<&'static ProtocolAction> {
    ACTIONS.iter().find(|a| a.id == id)
}

/// Whether `heard` (turn index, line index) includes one of `reveals`.
/// Reveals naming unknown turns or lines match nothing (validation reports
/// them), so an edited scenario cannot make this fail.
pub(crate) fn reveals_heard(scenario: &Scenario, reveals: &[Reveal], heard: &[(usize, usize)]) -> bool {
    let turn_index = |id: &str| scenario.turns.iter().position(|t| t.id == id);
    reveals.iter().any(|r| match r {
        Reveal::Turn(t) => turn_index(t).is_some_and(|t| heard.iter().any(|h| h.0 == t)),
        // Lines are counted from 1 in the file.
        Reveal::Line(t, line) => turn_index(t).is_some_and(|t| line.checked_sub(1).is_some_and(|l| heard.contains(&(t, l)))),
    })
}

/// Where a required action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionStatus {
    /// Taken in time.
    Done,
    /// Taken, but after the turn it was due by: still a miss.
    Late,
    /// Not taken and no longer possible in time: the attempt fails.
    Missed,
    /// Not yet taken, and there is still time.
    Pending,
    /// Its cue was not heard in this attempt: nothing was required.
    NotRequired,
}

impl ActionStatus {
    pub fn fails(self) -> bool {
        matches!(self, ActionStatus::Late | ActionStatus::Missed)
    }

    pub fn label(self) -> Text {
        match self {
            ActionStatus::Done => Text::new("已及时处置", "Done in time"),
            ActionStatus::Late => Text::new("处置过晚", "Done too late"),
            ActionStatus::Missed => Text::new("未处置", "Not done"),
            ActionStatus::Pending => Text::new("待处置", "Still to do"),
            ActionStatus::NotRequired => Text::new("本次未出现该险情", "The risk did not come up in this attempt"),
        }
    }
}

/// A cue and whether this attempt heard it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CueResult {
    pub id: String,
    pub risk: Risk,
    pub heard: bool,
}

/// One requirement of the protocol against the attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementResult {
    /// As the scenario writes it (`handover-110|handover-120`).
    pub action: String,
    /// The actions' labels, joined with “或” / “or”.
    pub label: Text,
    pub cue: String,
    pub status: ActionStatus,
    /// The turn (id) being faced when it was taken, if it was.
    pub taken_at: Option<String>,
    /// The turn it was due by, if any.
    pub by: Option<String>,
    /// Why it is required (the scenario's words).
    pub why: Text,
}

/// A handover nothing in this call called for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedlessAction {
    pub action: String,
    pub label: Text,
    pub taken_at: String,
    pub why: Text,
}

/// The protocol judgement of an attempt: what the debrief shows beside the
/// conversation, and what `apply_protocol` does to its card.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtocolReport {
    pub cues: Vec<CueResult>,
    pub required: Vec<RequirementResult>,
    pub needless: Vec<NeedlessAction>,
    /// Every action taken, with the turn being faced, in order.
    pub taken: Vec<(String, String)>,
}

impl ProtocolReport {
    /// A required action missed or late: the attempt fails.
    pub fn missed(&self) -> impl Iterator<Item = &RequirementResult> {
        self.required.iter().filter(|r| r.status.fails())
    }

    pub fn failed(&self) -> bool {
        self.missed().next().is_some() || !self.needless.is_empty()
    }
}

/// What the judgement reads of an attempt: the actions taken before each
/// answer (`actions[k]` before answer `k`, the last entry being those taken
/// on the turn faced now), the turn of each answer, what was heard, and
/// whether the call has ended.
pub struct Attempt<'a> {
    pub actions: &'a [Vec<String>],
    /// The turn id of each answer, then of the turn faced now (if any).
    pub turns: &'a [String],
    pub heard: &'a [(usize, usize)],
    pub ended: bool,
}

/// Judges `attempt` against the scenario's protocol truth; a scenario
/// without one requires nothing, but a needless handover is still one.
pub fn judge(scenario: &Scenario, attempt: &Attempt<'_>) -> ProtocolReport {
    let mut report = ProtocolReport::default();
    let turn_at = |i: usize| attempt.turns.get(i).cloned().unwrap_or_default();
    let first_taken = |ids: &[&str]| -> Option<usize> { attempt.actions.iter().position(|step| step.iter().any(|a| ids.contains(&a.as_str()))) };
    for (i, step) in attempt.actions.iter().enumerate() {
        for a in step {
            report.taken.push((a.clone(), turn_at(i)));
        }
    }
    let mut needed: Vec<&str> = Vec::new();
    let mut maybe_later: Vec<&str> = Vec::new();
    if let Some(truth) = &scenario.protocol {
        for cue in &truth.cues {
            report.cues.push(CueResult { id: cue.id.clone(), risk: cue.risk, heard: reveals_heard(scenario, &cue.revealed, attempt.heard) });
        }
        needed.extend(truth.acceptable.iter().map(String::as_str));
        for req in &truth.required {
            let ids: Vec<&str> = req.alternatives().collect();
            let heard = report.cues.iter().any(|c| c.id == req.after && c.heard);
            let taken = first_taken(&ids);
            // The deadline is the first answer to the `by` turn, once given.
            let answers = attempt.actions.len().saturating_sub(usize::from(!attempt.ended));
            let due = req.by.as_ref().and_then(|by| attempt.turns[..answers.min(attempt.turns.len())].iter().position(|t| t == by));
            let status = if !heard {
                ActionStatus::NotRequired
            } else {
                match (taken, due) {
                    (Some(t), Some(d)) if t > d => ActionStatus::Late,
                    (Some(_), _) => ActionStatus::Done,
                    (None, Some(_)) => ActionStatus::Missed,
                    (None, None) if attempt.ended => ActionStatus::Missed,
                    (None, None) => ActionStatus::Pending,
                }
            };
            if heard {
                needed.extend(ids.iter().copied());
            } else {
                maybe_later.extend(ids.iter().copied());
            }
            let labels: Vec<Text> = ids.iter().map(|id| action(id).map(|a| a.label()).unwrap_or_else(|| Text::new(*id, *id))).collect();
            report.required.push(RequirementResult {
                action: req.action.clone(),
                label: Text::new(labels.iter().map(|l| l.zh.as_str()).collect::<Vec<_>>().join("或"), labels.iter().map(|l| l.en.as_str()).collect::<Vec<_>>().join(" or ")),
                cue: req.after.clone(),
                status,
                taken_at: taken.map(turn_at),
                by: req.by.clone(),
                why: req.why.clone(),
            });
        }
    }
    for (i, step) in attempt.actions.iter().enumerate() {
        for a in step {
            let Some(def) = action(a) else { continue };
            // A handover whose cue may still come is judged at the end.
            let undecided = !attempt.ended && maybe_later.contains(&a.as_str());
            if def.kind == ActionKind::Handover && !needed.contains(&a.as_str()) && !undecided && !report.needless.iter().any(|n| n.action == *a) {
                report.needless.push(NeedlessAction {
                    action: a.clone(),
                    label: def.label(),
                    taken_at: turn_at(i),
                    why: Text::new(
                        format!("这通电话里没有需要“{}”的险情：把来电转走等于把群众推给别的热线（推诿），也占用了应急力量。", def.label().zh),
                        format!("Nothing in this call needed “{}”: passing the call on pushes the caller off to another line, and ties up emergency responders.", def.label().en),
                    ),
                });
            }
        }
    }
    report
}

/// `card` with the protocol judgement: a missed or late required action
/// raises `MissedProtocol`, a needless handover `PushingAway`, and either
/// fails the attempt. The levels and scores stay as they are.
pub fn apply_protocol(card: &ScoreCard, report: &ProtocolReport) -> ScoreCard {
    let mut out = card.clone();
    let mut raise = |flag: RedFlag| {
        if !out.red_flags.contains(&flag) {
            out.red_flags.push(flag);
        }
        out.passed = false;
    };
    if report.missed().next().is_some() {
        raise(RedFlag::MissedProtocol);
    }
    if !report.needless.is_empty() {
        raise(RedFlag::PushingAway);
    }
    out
}
