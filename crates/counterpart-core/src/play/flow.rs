//! A scenario resolved for play: ids become indices, flags become bits, and
//! each option's DISC fit is folded into its evidence and mood effect. The
//! transition function `Flow::step` is the single definition of what a
//! choice does; the engine and the analyzer both call it.

use crate::scenario::model::{
    Choice, Condition, DiscProfile, DiscStyle, Item, Mood, Outcome, RedFlag, Route, Scenario, Stage,
};
use crate::play::rubric::{
    Aggregation, HIGHLY_UPSET, MAX_CLAIMED_ITEMS, OVERTALK_CAP, OVERTALK_LEVEL, disc_evidence_from_fit,
    spoken_length, talk_tolerance,
};
use crate::play::score::Tally;
use std::collections::HashMap;
use thiserror::Error;

/// At most this many distinct flags per scenario (they live in a `u64`).
pub(crate) const MAX_FLAGS: usize = 64;

/// Upset added and trust lost when a hotline turn's time limit passes.
pub const TIMEOUT_UPSET: i16 = 10;
pub const TIMEOUT_TRUST: i16 = -5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Turn(usize),
    Ending(usize),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cond {
    Always,
    UpsetAtLeast(u8),
    UpsetBelow(u8),
    TrustAtLeast(u8),
    TrustBelow(u8),
    Flag(u64),
    NotFlag(u64),
    All(Vec<Cond>),
    Any(Vec<Cond>),
}

impl Cond {
    // Inlined: the analyzer evaluates a condition on every edge of the
    // situation graph, and nearly all of them are a single comparison.
    #[inline]
    pub fn holds(&self, mood: Mood, flags: u64) -> bool {
        match self {
            Cond::Always => true,
            Cond::UpsetAtLeast(v) => mood.upset >= *v,
            Cond::UpsetBelow(v) => mood.upset < *v,
            Cond::TrustAtLeast(v) => mood.trust >= *v,
            Cond::TrustBelow(v) => mood.trust < *v,
            Cond::Flag(bit) => flags & bit != 0,
            Cond::NotFlag(bit) => flags & bit == 0,
            Cond::All(_) | Cond::Any(_) => self.holds_compound(mood, flags),
        }
    }

    #[inline(never)]
    fn holds_compound(&self, mood: Mood, flags: u64) -> bool {
        match self {
            Cond::All(all) => all.iter().all(|c| c.holds(mood, flags)),
            Cond::Any(any) => any.iter().any(|c| c.holds(mood, flags)),
            _ => self.holds(mood, flags),
        }
    }
}

/// The target of the first route in `routes` whose condition holds.
#[inline]
fn first_open(routes: &[FlowRoute], mood: Mood, flags: u64) -> Option<Target> {
    routes.iter().find(|r| r.when.holds(mood, flags)).map(|r| r.to)
}

#[derive(Debug, Clone)]
pub struct FlowRoute {
    pub when: Cond,
    pub to: Target,
}

#[derive(Debug, Clone)]
pub struct FlowChoice {
    /// Authored evidence, DISC evidence from the fit, and the cost of
    /// over-talking, as recorded when the option is chosen.
    pub evidence: Vec<(Item, u8)>,
    /// The content items this option's turn offered, with how this option
    /// did on each (1 when it does not show the item): missed chances.
    pub chances: Vec<(Item, u8)>,
    /// Too long for this persona, or claiming too many items at once.
    pub overtalk: bool,
    pub stage: Stage,
    pub red_flag: Option<RedFlag>,
    /// Upset and trust change including the reaction to the DISC fit.
    pub upset: i16,
    pub trust: i16,
    pub sets: u64,
    pub routes: Vec<FlowRoute>,
    pub next: Target,
}

#[derive(Debug, Clone)]
pub struct FlowTurn {
    pub lines: Vec<Cond>,
    pub routes: Vec<FlowRoute>,
    pub choices: Vec<FlowChoice>,
    pub time_limit: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub start: Target,
    pub mood: Mood,
    /// Which persona this flow plays (0: the main one).
    pub persona: usize,
    pub disc: DiscProfile,
    pub turns: Vec<FlowTurn>,
    pub ending_count: usize,
    pub outcomes: Vec<Outcome>,
    pub routes: Vec<FlowRoute>,
    pub flags: Vec<String>,
}

/// Where an encounter stands between choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct State {
    pub at: Target,
    pub mood: Mood,
    pub flags: u64,
}

/// What a single choice did, besides moving the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepEffect {
    pub premature_solution: bool,
    pub red_flag: Option<RedFlag>,
    pub timed_out: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FlowError {
    #[error("{path}: no turn or ending has the id \"{id}\"")]
    UnknownTarget { path: String, id: String },
    #[error("the scenario uses {count} flags; at most {MAX_FLAGS} are supported")]
    TooManyFlags { count: usize },
    #[error("the scenario has no turns")]
    NoTurns,
    #[error("the scenario has no persona number {0}")]
    NoPersona(usize),
}

impl FlowError {
    /// The message in Chinese, for the checker's trainers.
    pub fn zh(&self) -> String {
        match self {
            FlowError::UnknownTarget { path, id } => format!("{path}：没有哪个回合或结局的 id 是 \"{id}\""),
            FlowError::TooManyFlags { count } => format!("场景用了 {count} 个标记；最多只支持 {MAX_FLAGS} 个"),
            FlowError::NoTurns => "场景里一个回合也没有".into(),
            FlowError::NoPersona(n) => format!("场景没有第 {n} 号人设"),
        }
    }
}

/// Whether a reply is over-talking for a caller of this style: longer than
/// they will listen to, or claiming too many rubric items at once.
pub(crate) fn is_overtalk(choice: &Choice, style: DiscStyle) -> bool {
    spoken_length(&choice.text.zh) > talk_tolerance(style) || claimed_items(choice) > MAX_CLAIMED_ITEMS
}

/// How many rubric items (DISC items aside) a reply claims at "adequate"
/// or better: doing more than a handful at once is over-talking.
pub(crate) fn claimed_items(choice: &Choice) -> usize {
    choice.evidence.iter().filter(|(item, level)| **level >= 2 && item.dimension() != crate::play::rubric::Dimension::Disc).count()
}

/// How well a reply suits a citizen of `style` on its own: the mean of
/// what it records for them (DISC fit and over-talking included); a red
/// flag is worst of all. Used to name a turn's best answer per style.
pub(crate) fn suitability(choice: &Choice, style: DiscStyle) -> f32 {
    if choice.red_flag.is_some() {
        return -1.0;
    }
    let (evidence, _) = evidence_for_style(choice, style);
    if evidence.is_empty() {
        return -1.0;
    }
    evidence.iter().map(|(_, l)| *l as f32).sum::<f32>() / evidence.len() as f32
}

/// Mood reaction to style fit: a well-matched answer calms and builds trust,
/// a trigger does the opposite. The secondary style counts half.
fn disc_reaction(choice: &Choice, primary: DiscStyle, secondary: Option<DiscStyle>) -> (i16, i16) {
    let fp = choice.fit.for_style(primary).clamp(-2, 2) as i16;
    let fs = secondary.map_or(0, |s| choice.fit.for_style(s).clamp(-2, 2) as i16);
    (-(4 * fp + 2 * fs), 3 * fp + fs)
}

/// What choosing `choice` records for a citizen of primary style `style`:
/// its authored evidence, DISC evidence from its fit for the items the
/// author left out, and the cost of over-talking; and whether it was
/// over-talking. The one definition, for play, analysis and the checks.
pub(crate) fn evidence_for_style(choice: &Choice, style: DiscStyle) -> (Vec<(Item, u8)>, bool) {
    let mut evidence: Vec<(Item, u8)> = choice.evidence.iter().map(|(item, level)| (*item, *level)).collect();
    for (item, level) in disc_evidence_from_fit(choice.fit.for_style(style)) {
        if !choice.evidence.contains_key(&item) {
            evidence.push((item, level));
        }
    }
    let overtalk = is_overtalk(choice, style);
    if overtalk {
        // The content was there but buried: nothing in it counts as
        // exemplary, and the form suffers.
        for (_, level) in evidence.iter_mut() {
            *level = (*level).min(OVERTALK_CAP);
        }
        let d3 = if style == DiscStyle::D { 0 } else { OVERTALK_LEVEL };
        // Both are form items (the worst counts): lower an entry already
        // there rather than add a second one for the same item.
        for (item, cost) in [(Item::C1, OVERTALK_LEVEL), (Item::D3, d3)] {
            match evidence.iter_mut().find(|(i, _)| *i == item) {
                Some((_, level)) => *level = (*level).min(cost),
                None => evidence.push((item, cost)),
            }
        }
    }
    (evidence, overtalk)
}

impl Flow {
    /// The scenario played as its main persona.
    pub fn new(scenario: &Scenario) -> Result<Flow, FlowError> {
        Flow::for_persona(scenario, 0)
    }

    /// The scenario played as persona `persona` (0: the main one, then the
    /// declared personas in order).
    pub(crate) fn for_persona(scenario: &Scenario, persona: usize) -> Result<Flow, FlowError> {
        if scenario.turns.is_empty() {
            return Err(FlowError::NoTurns);
        }
        let personas = scenario.citizen.all_personas();
        let played = personas.get(persona).ok_or(FlowError::NoPersona(persona))?;
        let mut ids: HashMap<&str, Target> = HashMap::new();
        // Endings first so that a turn wins a clash; the validator reports
        // the clash itself.
        for (index, ending) in scenario.endings.iter().enumerate() {
            ids.insert(&ending.id, Target::Ending(index));
        }
        for (index, turn) in scenario.turns.iter().enumerate() {
            ids.insert(&turn.id, Target::Turn(index));
        }
        let target = |id: &str, path: String| {
            ids.get(id).copied().ok_or_else(|| FlowError::UnknownTarget { path, id: id.to_string() })
        };
        let mut flags = FlagTable { names: Vec::new(), persona: played.id.clone() };
        let routes = |routes: &[Route], path: &str, flags: &mut FlagTable| {
            routes
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    Ok(FlowRoute {
                        when: flags.cond(&r.when),
                        to: target(&r.to, format!("{path}.routes[{i}].to"))?,
                    })
                })
                .collect::<Result<Vec<_>, FlowError>>()
        };
        let disc = played.disc;
        let mut turns = Vec::with_capacity(scenario.turns.len());
        for (t, turn) in scenario.turns.iter().enumerate() {
            let path = format!("turns[{t}]");
            let mut choices = Vec::with_capacity(turn.options.len());
            for (o, choice) in turn.options.iter().enumerate() {
                let opath = format!("{path}.options[{o}]");
                let (evidence, overtalk) = evidence_for_style(choice, disc.primary);
                let (upset, trust) = disc_reaction(choice, disc.primary, disc.secondary);
                choices.push(FlowChoice {
                    evidence,
                    chances: Vec::new(),
                    overtalk,
                    stage: choice.stage,
                    red_flag: choice.red_flag,
                    upset: choice.mood.upset as i16 + upset,
                    trust: choice.mood.trust as i16 + trust,
                    sets: choice.set.iter().fold(0, |acc, f| acc | flags.bit(f)),
                    routes: routes(&choice.routes, &opath, &mut flags)?,
                    next: target(&choice.next, format!("{opath}.next"))?,
                });
            }
            // What the turn offers: every content item some option shows at
            // "adequate" or better. Each option is then measured on them.
            let mut offered: Vec<Item> = choices
                .iter()
                .flat_map(|c| c.evidence.iter())
                .filter(|(item, level)| *level >= 2 && item.aggregation() == Aggregation::Best)
                .map(|(item, _)| *item)
                .collect();
            offered.sort_unstable();
            offered.dedup();
            for choice in &mut choices {
                choice.chances = offered
                    .iter()
                    .map(|&item| {
                        let shown = choice.evidence.iter().filter(|(i, _)| *i == item).map(|(_, l)| *l).max();
                        (item, shown.unwrap_or(1))
                    })
                    .collect();
            }
            turns.push(FlowTurn {
                lines: turn.says.iter().map(|line| flags.cond(&line.when)).collect(),
                routes: routes(&turn.routes, &path, &mut flags)?,
                choices,
                time_limit: turn.time_limit,
            });
        }
        let global = routes(&scenario.routes, "", &mut flags)?;
        let start = target(&scenario.start, "start".into())?;
        if flags.names.len() > MAX_FLAGS {
            return Err(FlowError::TooManyFlags { count: flags.names.len() });
        }
        Ok(Flow {
            start,
            mood: Mood { upset: played.mood.upset.min(100), trust: played.mood.trust.min(100) },
            persona,
            disc,
            turns,
            ending_count: scenario.endings.len(),
            outcomes: scenario.endings.iter().map(|e| e.outcome).collect(),
            routes: global,
            flags: flags.names,
        })
    }

    pub fn initial(&self) -> State {
        State { at: self.start, mood: self.mood, flags: 0 }
    }

    /// Index of the citizen line shown in `turn` for this mood and flags;
    /// the last line is the fallback when no condition holds.
    pub(crate) fn line_for(&self, turn: usize, mood: Mood, flags: u64) -> usize {
        let lines = &self.turns[turn].lines;
        lines.iter().position(|c| c.holds(mood, flags)).unwrap_or(lines.len().saturating_sub(1))
    }

    /// Applies `choice` in `state`, records its evidence in `tally`, and
    /// returns the next state. `state.at` must be a turn and `choice` in range.
    pub fn step(&self, state: &State, choice: usize, timed_out: bool, tally: &mut Tally) -> (State, StepEffect) {
        let Target::Turn(turn_index) = state.at else {
            return (*state, StepEffect { premature_solution: false, red_flag: None, timed_out: false });
        };
        let turn = &self.turns[turn_index];
        let option = &turn.choices[choice];
        let premature = option.stage == Stage::Solution && state.mood.upset >= HIGHLY_UPSET;
        for &(item, level) in &option.evidence {
            tally.record(item, level);
        }
        for &(item, level) in &option.chances {
            tally.record_chance(item, level);
        }
        tally.premature_solution |= premature;
        if option.red_flag.is_some() {
            tally.red_flags = tally.red_flags.saturating_add(1);
        }
        let timed_out = timed_out && turn.time_limit.is_some();
        (
            self.next_state(state, choice, timed_out),
            StepEffect { premature_solution: premature, red_flag: option.red_flag, timed_out },
        )
    }

    /// Where `choice` leads from `state`, with the mood and flags on
    /// arrival: the part of `step` that does not score. The analyzer's
    /// search calls it once per edge of the situation graph.
    pub fn next_state(&self, state: &State, choice: usize, timed_out: bool) -> State {
        let Target::Turn(turn_index) = state.at else { return *state };
        let turn = &self.turns[turn_index];
        let option = &turn.choices[choice];
        let (mut upset, mut trust) = (option.upset, option.trust);
        if timed_out && turn.time_limit.is_some() {
            upset += TIMEOUT_UPSET;
            trust += TIMEOUT_TRUST;
        }
        let mood = Mood {
            upset: (state.mood.upset as i16 + upset).clamp(0, 100) as u8,
            trust: (state.mood.trust as i16 + trust).clamp(0, 100) as u8,
        };
        let flags = state.flags | option.sets;
        // Option routes first, then the turn's, then the scenario's.
        let at = first_open(&option.routes, mood, flags)
            .or_else(|| first_open(&turn.routes, mood, flags))
            .or_else(|| first_open(&self.routes, mood, flags))
            .unwrap_or(option.next);
        State { at, mood, flags }
    }
}

struct FlagTable {
    names: Vec<String>,
    /// The persona this flow plays: `Persona` conditions are settled when
    /// the flow is built, so play and analysis never test them.
    persona: String,
}

impl FlagTable {
    fn bit(&mut self, name: &str) -> u64 {
        let index = match self.names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        };
        // Past MAX_FLAGS the flow is rejected after resolution; until then
        // extra flags share the top bit rather than overflow the shift.
        1u64 << index.min(MAX_FLAGS - 1)
    }

    fn cond(&mut self, condition: &Condition) -> Cond {
        match condition {
            Condition::Always => Cond::Always,
            Condition::UpsetAtLeast(v) => Cond::UpsetAtLeast(*v),
            Condition::UpsetBelow(v) => Cond::UpsetBelow(*v),
            Condition::TrustAtLeast(v) => Cond::TrustAtLeast(*v),
            Condition::TrustBelow(v) => Cond::TrustBelow(*v),
            Condition::Flag(f) => Cond::Flag(self.bit(f)),
            Condition::NotFlag(f) => Cond::NotFlag(self.bit(f)),
            Condition::Persona(id) if *id == self.persona => Cond::Always,
            Condition::Persona(_) => Cond::Any(Vec::new()),
            Condition::All(all) => Cond::All(all.iter().map(|c| self.cond(c)).collect()),
            Condition::Any(any) => Cond::Any(any.iter().map(|c| self.cond(c)).collect()),
        }
    }
}
