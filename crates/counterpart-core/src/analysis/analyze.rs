//! Exhaustive analysis of a scenario: every reachable situation, and the
//! best and worst score reachable overall and per dimension, with the
//! routes that reach them.
//!
//! Two passes. First the situations (turn, mood, flags) reachable from the
//! start are enumerated; this graph may have cycles, and is finite because
//! mood is bounded and flags are bits. Then scores are propagated through
//! it as Pareto sets of partial tallies: every rubric item aggregates by
//! best or worst, so a tally that is at least as good item by item can
//! never finish lower, and only undominated tallies need to be kept. A
//! cycle adds nothing once its evidence is in the tally, so propagation
//! stops. The result is exact, and because scoring goes through the same
//! `Flow::step` and `Tally` as play, a reported route replays to the same
//! score.
//!
//! What keeps it fast (see BENCHMARKS.md): flags and mood parts that no
//! condition ahead reads are cleared, merging situations; situations are
//! found turn component by turn component, sources first, so all the ways
//! into a turn are merged at once in one small reused table, and the
//! situation graph's components fall out of the turn graph's; situations
//! are 16 bytes in flat arrays; tallies are compared as packed ranks in
//! one `u128`; labels flow through components in topological order and
//! are stored only where they arrive; a greedy dive finds a real route
//! before the early turns' trade-offs pile up; and a label whose best
//! possible finish (bounded per turn from the evidence still reachable)
//! cannot improve on a route already found is dropped. The future bounds
//! are computed beside the search, and the highest and lowest scores
//! beside each other, on two threads.

use crate::play::engine::Script;
use crate::play::flow::{Cond, Flow, FlowChoice, State, Target};
use crate::scenario::model::{Item, Mood, Scenario, Stage};
use crate::play::rubric::{Aggregation, Dimension, LEVEL_MAX, Rating, citizen_rating};
use crate::play::score::{ScoreCard, Tally};
use serde::Serialize;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use thiserror::Error;

/// Analysis gives up past this many distinct situations or partial scores,
/// so a scenario with a loop that keeps shifting the mood cannot stall
/// loading; such a scenario is reported as too large to analyse.
pub(crate) const MAX_STATES: usize = 1_000_000;
pub(crate) const MAX_LABELS: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnalyzeError {
    #[error("the scenario has more than {MAX_STATES} distinct situations (turn × mood × flags) to analyse")]
    TooLarge,
    #[error("the scenario has more than {MAX_LABELS} distinct partial scores to compare; look for a loop whose options keep changing the mood")]
    TooManyScores,
    #[error("no ending can be reached from this point")]
    NoEnding,
}

impl AnalyzeError {
    /// The message in Chinese, for the checker's trainers.
    pub fn zh(&self) -> String {
        match self {
            AnalyzeError::TooLarge => format!("场景要分析的情形（回合 × 情绪 × 标记）超过了 {MAX_STATES} 种"),
            AnalyzeError::TooManyScores => format!("场景要比较的中间得分超过了 {MAX_LABELS} 种；看看有没有哪个循环里的选项不停地改变情绪"),
            AnalyzeError::NoEnding => "从这里走不到任何结局".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Objective {
    Overall,
    Dimension(Dimension),
}

impl Objective {
    pub const ALL: [Objective; 6] = [
        Objective::Overall,
        Objective::Dimension(Dimension::Listening),
        Objective::Dimension(Dimension::Empathy),
        Objective::Dimension(Dimension::Clarity),
        Objective::Dimension(Dimension::Disc),
        Objective::Dimension(Dimension::Process),
    ];

    pub fn of(self, card: &ScoreCard) -> f32 {
        match self {
            Objective::Overall => card.overall,
            Objective::Dimension(d) => card.dimension(d),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Objective::Overall => "overall",
            Objective::Dimension(Dimension::Listening) => "listening",
            Objective::Dimension(Dimension::Empathy) => "empathy",
            Objective::Dimension(Dimension::Clarity) => "clarity",
            Objective::Dimension(Dimension::Disc) => "disc",
            Objective::Dimension(Dimension::Process) => "process",
        }
    }
}

/// An extreme score and a route (zero-based choices) that reaches it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extreme {
    pub objective: Objective,
    pub score: f32,
    pub route: Vec<usize>,
    pub ending: String,
    pub red_flags: u8,
    /// The citizen's rating at the end of the route.
    pub rating: Rating,
    /// Whether the route passes (no red flag, the thresholds, a rating
    /// better than 不满意).
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The persona analysed (0: the main one).
    pub persona: usize,
    pub situations: usize,
    /// Undominated partial tallies created while propagating scores.
    pub labels: usize,
    pub reachable_turns: Vec<bool>,
    pub reachable_endings: Vec<bool>,
    /// Turns reached in some situation from which no ending can be reached.
    pub stuck_turns: Vec<usize>,
    /// Highest reachable score per objective (`Objective::ALL` order).
    pub max: Vec<Extreme>,
    /// Lowest reachable score per objective.
    pub min: Vec<Extreme>,
    /// A route that passes without red flags, if any does.
    pub passing_route: Option<Extreme>,
    /// Per turn and option: whether any reachable situation offers it.
    pub reachable_options: Vec<Vec<bool>>,
    /// Every route, and whether any reachable situation takes it: the
    /// scenario's routes, then each turn's, then each option's.
    pub routes: Vec<RouteUse>,
    /// Mood values every way of answering the first turns pushes to a
    /// bound, so that the persona's stated starting value stops mattering.
    pub pinned: Vec<MoodPinned>,
}

/// Within how many answers a mood value pushed to its bound whatever the
/// trainee answers makes the stated starting value meaningless.
pub const PINNED_WITHIN: usize = 3;

/// A part of the citizen's mood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MoodPart {
    Upset,
    Trust,
}

impl MoodPart {
    pub fn of(self, mood: Mood) -> u8 {
        match self {
            MoodPart::Upset => mood.upset,
            MoodPart::Trust => mood.trust,
        }
    }

    /// The field's name in the file.
    pub fn name(self) -> &'static str {
        match self {
            MoodPart::Upset => "upset",
            MoodPart::Trust => "trust",
        }
    }
}

/// A mood value that every on-time play of the first `PINNED_WITHIN`
/// answers drives to 0 or 100. Moods stop at their bounds, so from there on
/// the play is the same whatever the starting value was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoodPinned {
    pub part: MoodPart,
    /// 0 or 100.
    pub bound: u8,
    /// The persona's starting value, which stops mattering.
    pub start: u8,
    /// The answer (1 = the first) by which every play has reached the
    /// bound: the slowest way there.
    pub by_answer: usize,
    /// Without the reaction to the answers' DISC fit (the option's written
    /// mood change alone), some play would not reach the bound: the
    /// reaction is what pins the value.
    pub by_reaction: bool,
}

/// Mood values pinned in `flow` (played from `scenario`). Walks the
/// reachable situations of the first answers with `next_state`, the step
/// play and the situation graph take.
fn pinned_moods(flow: &Flow, scenario: &Scenario) -> Vec<MoodPinned> {
    let start = flow.initial();
    let mut out = Vec::new();
    // The same flow with each answer's mood change as written, without the
    // reaction to its DISC fit; built only when something is pinned.
    let mut written: Option<Flow> = None;
    for part in [MoodPart::Upset, MoodPart::Trust] {
        for bound in [0, 100] {
            if part.of(start.mood) == bound {
                continue; // a start at the bound is the author's own choice
            }
            let hit = |mood: Mood| part.of(mood) == bound;
            if let Some(by_answer) = latest_hit(flow, &start, 0, &hit) {
                let written: &Flow = written.get_or_insert_with(|| {
                    let mut written = flow.clone();
                    for (turn, authored) in written.turns.iter_mut().zip(&scenario.turns) {
                        for (choice, option) in turn.choices.iter_mut().zip(&authored.options) {
                            (choice.upset, choice.trust) = (option.mood.upset as i16, option.mood.trust as i16);
                        }
                    }
                    written
                });
                let by_reaction = latest_hit(written, &written.initial(), 0, &hit).is_none();
                out.push(MoodPinned { part, bound, start: part.of(start.mood), by_answer, by_reaction });
            }
        }
    }
    out
}

/// The latest answer by which every on-time play from `state` (reached
/// after `answered` answers) has met `hit`, counting no further than
/// `PINNED_WITHIN` answers; None when some play gets there, or to an
/// ending, without meeting it.
fn latest_hit(flow: &Flow, state: &State, answered: usize, hit: &dyn Fn(Mood) -> bool) -> Option<usize> {
    let Target::Turn(turn) = state.at else { return None };
    let mut latest = None;
    for choice in 0..flow.turns[turn].choices.len() {
        let next = flow.next_state(state, choice, false);
        let answer = answered + 1;
        let by = if hit(next.mood) {
            answer
        } else if answer >= PINNED_WITHIN {
            return None;
        } else {
            latest_hit(flow, &next, answer, hit)?
        };
        latest = latest.max(Some(by));
    }
    latest
}

/// Where a route is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RouteSite {
    Scenario { route: usize },
    Turn { turn: usize, route: usize },
    Option { turn: usize, option: usize, route: usize },
}

/// How a route fares over every reachable situation, answered
/// on time or late (an earlier route that holds is taken first, so a later
/// one is tested only where the earlier ones do not hold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteUse {
    pub site: RouteSite,
    /// Some situation tested the condition.
    pub tested: bool,
    /// Some situation took the route.
    pub taken: bool,
    /// The lowest and highest upset and trust where it was tested (after
    /// the answer's mood change): what the author can compare the
    /// condition's numbers with.
    pub upset: Option<(u8, u8)>,
    pub trust: Option<(u8, u8)>,
    /// Some tested situation met the condition's mood parts, its flags
    /// aside: the flags it names were what never lined up.
    pub mood_met: bool,
    /// Which upset values (0–100, one bit each) were seen where it was
    /// tested: a range can hide that a threshold inside it is jumped over.
    pub upset_seen: u128,
}

/// What `route_uses` gathers for one route while it walks the situations:
/// the moods as bit sets (one bit per value 0–100), so that a test is two
/// ORs and the condition, and the ranges come out at the end.
#[derive(Clone, Copy, Default)]
struct RouteTally {
    upset_seen: u128,
    trust_seen: u128,
    taken: bool,
    mood_met: bool,
    /// The condition names a flag, so its mood parts can hold where it
    /// does not (otherwise the two are the same test).
    names_flag: bool,
}

impl RouteTally {
    #[inline]
    fn test(&mut self, when: &Cond, mood: Mood, flags: u64) -> bool {
        self.upset_seen |= 1u128 << mood.upset.min(127);
        self.trust_seen |= 1u128 << mood.trust.min(127);
        if when.holds(mood, flags) {
            self.taken = true;
            self.mood_met = true;
            return true;
        }
        if self.names_flag && !self.mood_met && mood_parts_hold(when, mood) {
            self.mood_met = true;
        }
        false
    }

    fn into_use(self, site: RouteSite) -> RouteUse {
        let range = |seen: u128| (seen != 0).then(|| (seen.trailing_zeros() as u8, (127 - seen.leading_zeros()) as u8));
        RouteUse {
            site,
            tested: self.upset_seen != 0,
            taken: self.taken,
            upset: range(self.upset_seen),
            trust: range(self.trust_seen),
            mood_met: self.mood_met,
            upset_seen: self.upset_seen,
        }
    }
}

/// Every (upset, trust) pair, 0–100 each.
const MOOD_CELLS: usize = 101 * 101;

fn names_flag(when: &Cond) -> bool {
    match when {
        Cond::Flag(_) | Cond::NotFlag(_) => true,
        Cond::All(all) | Cond::Any(all) => all.iter().any(names_flag),
        _ => false,
    }
}

/// Whether a condition holds on `mood` with every flag it names counted as
/// it needs to be.
fn mood_parts_hold(when: &Cond, mood: Mood) -> bool {
    match when {
        Cond::Flag(_) | Cond::NotFlag(_) => true,
        Cond::All(all) => all.iter().all(|c| mood_parts_hold(c, mood)),
        Cond::Any(any) => any.iter().any(|c| mood_parts_hold(c, mood)),
        other => other.holds(mood, 0),
    }
}

/// Tests every conditional route where play would, in every reachable
/// situation. The situations' moods are exact for whatever a route there
/// reads (liveness keeps every mood part a later condition reads).
fn route_uses(flow: &Flow, graph: &Graph) -> Vec<RouteUse> {
    // Every route gets a slot, conditional or not, so that the slots line
    // up across personas (a `Persona` condition is `Always` in one flow and
    // never true in the others). Slots are numbered scenario routes first,
    // then each turn's, then each option's, so every list of routes is a
    // run of consecutive slots: `turn_first[t]` and `option_first[t][c]`.
    let mut sites: Vec<(RouteSite, &Cond)> = Vec::new();
    sites.extend(flow.routes.iter().enumerate().map(|(route, r)| (RouteSite::Scenario { route }, &r.when)));
    let mut turn_first = Vec::with_capacity(flow.turns.len());
    for (turn, t) in flow.turns.iter().enumerate() {
        turn_first.push(sites.len());
        sites.extend(t.routes.iter().enumerate().map(|(route, r)| (RouteSite::Turn { turn, route }, &r.when)));
    }
    let mut option_first: Vec<Vec<usize>> = Vec::with_capacity(flow.turns.len());
    for (turn, t) in flow.turns.iter().enumerate() {
        let mut firsts = Vec::with_capacity(t.choices.len());
        for (option, c) in t.choices.iter().enumerate() {
            firsts.push(sites.len());
            sites.extend(c.routes.iter().enumerate().map(|(route, r)| (RouteSite::Option { turn, option, route }, &r.when)));
        }
        option_first.push(firsts);
    }
    if sites.is_empty() {
        return Vec::new();
    }
    let mut tallies: Vec<RouteTally> = sites.iter().map(|(_, when)| RouteTally { names_flag: names_flag(when), ..RouteTally::default() }).collect();
    // Tests the routes of one list in order, as `next_state` does; true
    // when one holds (the later lists are then not reached).
    let test = |tallies: &mut [RouteTally], first: usize, routes: &[crate::play::flow::FlowRoute], mood: Mood, flags: u64| {
        routes.iter().zip(&mut tallies[first..]).any(|(route, tally)| tally.test(&route.when, mood, flags))
    };
    // Most answers have no routes of their own and their turn none either,
    // so only the scenario's routes are tested there. When those read no
    // flag, what a test gathers depends on the mood alone and repeats
    // nothing new, so such moods are noted in a 101 × 101 table and each
    // is tested once at the end (a few thousand tests instead of one per
    // situation and answer).
    let mut scenario_moods: Option<Vec<u64>> = (!flow.routes.iter().any(|r| names_flag(&r.when))).then(|| vec![0u64; MOOD_CELLS.div_ceil(64)]);
    // Each turn's answers with their mood change, on time and (when the
    // turn has a time limit) late: what `next_state` tests the routes after.
    let answers: Vec<Vec<(usize, i16, i16)>> = flow
        .turns
        .iter()
        .map(|turn| {
            let on_time = turn.choices.iter().enumerate().map(|(c, choice)| (c, choice.upset, choice.trust));
            let late = turn.choices.iter().enumerate().map(|(c, choice)| {
                (c, choice.upset + crate::play::flow::TIMEOUT_UPSET, choice.trust + crate::play::flow::TIMEOUT_TRUST)
            });
            on_time.chain(late.take(if turn.time_limit.is_some() { turn.choices.len() } else { 0 })).collect()
        })
        .collect();
    // Turns where only the scenario's routes are tested: there, with the
    // table in use, a situation only marks cells.
    let quiet: Vec<bool> = flow
        .turns
        .iter()
        .map(|turn| scenario_moods.is_some() && turn.routes.is_empty() && turn.choices.iter().all(|c| c.routes.is_empty()))
        .collect();
    for node in &graph.nodes {
        let Target::Turn(t) = node.at() else { continue };
        let turn = &flow.turns[t];
        for &(c, du, dt) in &answers[t] {
            let mood = Mood {
                upset: (node.mood.upset as i16 + du).clamp(0, 100) as u8,
                trust: (node.mood.trust as i16 + dt).clamp(0, 100) as u8,
            };
            if !quiet[t] {
                let (choice, flags) = (&turn.choices[c], node.flags | turn.choices[c].sets);
                if test(&mut tallies, option_first[t][c], &choice.routes, mood, flags) || test(&mut tallies, turn_first[t], &turn.routes, mood, flags) {
                    continue;
                }
                if scenario_moods.is_none() {
                    test(&mut tallies, 0, &flow.routes, mood, flags);
                    continue;
                }
            }
            if let Some(cells) = &mut scenario_moods {
                let cell = mood.upset as usize * 101 + mood.trust as usize;
                cells[cell / 64] |= 1 << (cell % 64);
            }
        }
    }
    for (word, &bits) in scenario_moods.iter().flatten().enumerate() {
        let mut bits = bits;
        while bits != 0 {
            let cell = word * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let mood = Mood { upset: (cell / 101) as u8, trust: (cell % 101) as u8 };
            test(&mut tallies, 0, &flow.routes, mood, 0);
        }
    }
    sites.into_iter().zip(tallies).map(|((site, _), tally)| tally.into_use(site)).collect()
}

impl Analysis {
    pub fn best(&self, objective: Objective) -> Option<&Extreme> {
        self.max.iter().find(|e| e.objective == objective)
    }

    pub fn worst(&self, objective: Objective) -> Option<&Extreme> {
        self.min.iter().find(|e| e.objective == objective)
    }
}

/// Which parts of a situation can still matter: the flags, and whether
/// upset and trust, that some condition reads at this turn or at any turn
/// reachable from it. The rest is cleared before a situation is interned,
/// so two situations that can only differ in something never read again
/// are one (a flag set early and tested only early is the common case).
/// This is exact: the evidence an option gives never depends on the state,
/// and everything that does (routes, and the premature-solution cap, which
/// reads upset) is counted as a read.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Live {
    flags: u64,
    upset: bool,
    trust: bool,
}

impl Live {
    fn union(self, other: Live) -> Live {
        Live { flags: self.flags | other.flags, upset: self.upset || other.upset, trust: self.trust || other.trust }
    }

    fn read(&mut self, cond: &Cond) {
        match cond {
            Cond::Always => {}
            Cond::UpsetAtLeast(_) | Cond::UpsetBelow(_) => self.upset = true,
            Cond::TrustAtLeast(_) | Cond::TrustBelow(_) => self.trust = true,
            Cond::Flag(bit) | Cond::NotFlag(bit) => self.flags |= bit,
            Cond::All(all) | Cond::Any(all) => all.iter().for_each(|c| self.read(c)),
        }
    }
}

fn liveness(flow: &Flow, turn_comps: &TurnComponents) -> Vec<Live> {
    // Every ending reads the mood: the citizen's rating comes from it.
    let mut global = Live { flags: 0, upset: true, trust: true };
    flow.routes.iter().for_each(|r| global.read(&r.when));
    let own: Vec<Live> = flow
        .turns
        .iter()
        .map(|turn| {
            let mut own = global;
            turn.routes.iter().for_each(|r| own.read(&r.when));
            for choice in &turn.choices {
                choice.routes.iter().for_each(|r| own.read(&r.when));
                own.upset |= choice.stage == Stage::Solution;
            }
            own
        })
        .collect();
    // Sinks first, so a turn's successors are final before it, except
    // inside a cycle, which goes round until nothing changes; each turn's
    // set only grows, so that ends.
    let mut live = own;
    for (members, cyclic) in turn_comps.sinks_first() {
        loop {
            let mut changed = false;
            for &t in members {
                let t = t as usize;
                let merged = turn_comps.successors(t).iter().fold(live[t], |acc, &n| acc.union(live[n as usize]));
                changed |= merged != live[t];
                live[t] = merged;
            }
            if !cyclic || !changed {
                break;
            }
        }
    }
    live
}

/// FxHash (as in rustc): situations are small integer keys, and SipHash's
/// DoS resistance buys nothing here while costing most of `explore`.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(n as u64);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(n as u64);
    }
}

/// The reachable situations, ids in discovery order, with successors in
/// one flat array: the successors of `s` are `edges[edge_start[s]..edge_start[s + 1]]`,
/// one per choice (none for endings).
struct Graph {
    nodes: Vec<Node>,
    edge_start: Vec<u32>,
    edges: Vec<u32>,
}

/// A situation in half the space of a `State` (16 bytes, not 32): the
/// graph holds hundreds of thousands, and the search is bound by memory.
#[derive(Clone, Copy)]
struct Node {
    flags: u64,
    /// A turn index, or an ending index with `ENDING` set.
    at: u32,
    mood: Mood,
}

impl Node {
    const ENDING: u32 = 1 << 31;

    fn new(state: State) -> Node {
        let at = match state.at {
            Target::Turn(t) => t as u32,
            Target::Ending(e) => e as u32 | Self::ENDING,
        };
        Node { flags: state.flags, at, mood: state.mood }
    }

    fn at(self) -> Target {
        if self.at & Self::ENDING != 0 {
            Target::Ending((self.at & !Self::ENDING) as usize)
        } else {
            Target::Turn(self.at as usize)
        }
    }

    fn state(self) -> State {
        State { at: self.at(), mood: self.mood, flags: self.flags }
    }
}

impl Graph {
    fn len(&self) -> usize {
        self.nodes.len()
    }

    fn state(&self, id: usize) -> State {
        self.nodes[id].state()
    }

    fn successors(&self, state: u32) -> &[u32] {
        &self.edges[self.edge_start[state as usize] as usize..self.edge_start[state as usize + 1] as usize]
    }

    fn ending_of(&self, state: usize) -> Option<usize> {
        match self.nodes[state].at() {
            Target::Ending(e) => Some(e),
            Target::Turn(_) => None,
        }
    }
}

/// A situation found entering a turn, and the edge that leads to it.
#[derive(Clone, Copy)]
struct Arrival {
    flags: u64,
    edge: u32,
    mood: Mood,
}

/// The turn graph with every route open, and its strongly connected
/// components sinks first. A cycle of situations passes through a cycle of
/// turns, so situations can only share a component when their turns do.
struct TurnComponents {
    /// Turns grouped by component; component `c` is `order[starts[c]..starts[c + 1]]`.
    order: Vec<u32>,
    starts: Vec<u32>,
    comp_of: Vec<u32>,
    /// Whether a component holds a cycle (more than one turn, or a turn
    /// that can lead to itself).
    cyclic: Vec<bool>,
    succ_start: Vec<u32>,
    succ: Vec<u32>,
}

impl TurnComponents {
    fn successors(&self, turn: usize) -> &[u32] {
        &self.succ[self.succ_start[turn] as usize..self.succ_start[turn + 1] as usize]
    }

    /// Each component's turns and whether it holds a cycle, sinks first.
    fn sinks_first(&self) -> impl Iterator<Item = (&[u32], bool)> {
        (0..self.cyclic.len()).map(|c| (&self.order[self.starts[c] as usize..self.starts[c + 1] as usize], self.cyclic[c]))
    }
}

fn turn_components(flow: &Flow) -> TurnComponents {
    let turns = flow.turns.len();
    let mut succ_start = Vec::with_capacity(turns + 1);
    let mut succ: Vec<u32> = Vec::new();
    let mut self_loop = vec![false; turns];
    succ_start.push(0u32);
    for (t, turn) in flow.turns.iter().enumerate() {
        let from = succ.len();
        let global = flow.routes.iter().map(|r| r.to);
        let targets = turn.choices.iter().flat_map(|c| c.routes.iter().map(|r| r.to).chain([c.next]));
        for to in targets.chain(turn.routes.iter().map(|r| r.to)).chain(global) {
            if let Target::Turn(n) = to {
                succ.push(n as u32);
            }
        }
        succ[from..].sort_unstable();
        let mut kept = from;
        for i in from..succ.len() {
            if i == from || succ[i] != succ[kept - 1] {
                succ[kept] = succ[i];
                kept += 1;
            }
        }
        succ.truncate(kept);
        self_loop[t] = succ[from..].contains(&(t as u32));
        succ_start.push(succ.len() as u32);
    }
    let (mut order, mut starts) = (Vec::with_capacity(turns), Vec::new());
    let mut tarjan = Tarjan::new(turns);
    for t in 0..turns as u32 {
        tarjan.visit(t, &succ_start, &succ, |_| true, &mut order, &mut starts);
    }
    starts.push(order.len() as u32);
    let count = starts.len() - 1;
    let mut comp_of = vec![0u32; turns];
    let mut cyclic = vec![false; count];
    for c in 0..count {
        let members = &order[starts[c] as usize..starts[c + 1] as usize];
        cyclic[c] = members.len() > 1 || self_loop[members[0] as usize];
        members.iter().for_each(|&t| comp_of[t as usize] = c as u32);
    }
    TurnComponents { order, starts, comp_of, cyclic, succ_start, succ }
}

/// Enumerates the reachable situations and their components.
///
/// Turn components are visited sources first, so by the time a component
/// is reached every situation entering it from outside has been found:
/// they wait in a per-turn arrival list with the edge that leads there,
/// are merged with one small map that is reused (and stays in cache), and
/// the edges are filled in. Inside a cyclic component the search is a
/// plain breadth-first search on the same map. Every component's
/// situations get consecutive ids, which gives the situation components
/// almost for free: outside turn cycles each situation is its own.
fn explore(flow: &Flow, turn_comps: &TurnComponents, start: State) -> Result<(Graph, Components), AnalyzeError> {
    const PENDING: u32 = u32::MAX;
    let live = liveness(flow, turn_comps);
    let normalise = |s: State| match s.at {
        // Once the encounter has ended only the citizen's rating matters:
        // one situation per ending and rating.
        Target::Ending(e) => State { at: s.at, mood: rating_mood(citizen_rating(flow.outcomes[e], s.mood)), flags: 0 },
        Target::Turn(t) => {
            let l = live[t];
            State {
                at: s.at,
                mood: Mood { upset: if l.upset { s.mood.upset } else { 0 }, trust: if l.trust { s.mood.trust } else { 0 } },
                flags: s.flags & l.flags,
            }
        }
    };
    let key = |turn: usize, s: &State| {
        (s.flags, ((turn as u64) << 16) | ((s.mood.upset as u64) << 8) | s.mood.trust as u64)
    };
    let mut graph = Graph { nodes: Vec::new(), edge_start: Vec::new(), edges: Vec::new() };
    let mut ending_state = vec![PENDING; flow.ending_count * RATINGS];
    let mut ending_ids: Vec<u32> = Vec::new();
    // Situations entering a turn from an earlier component, with the edge to fill.
    let mut arrivals: Vec<Vec<Arrival>> = vec![Vec::new(); flow.turns.len()];
    let mut spare: Vec<Vec<Arrival>> = Vec::new();
    let mut here: HashMap<(u64, u64), u32, BuildHasherDefault<FxHasher>> = HashMap::default();
    // Moods are 0–100 each: a direct table for the common case of no flags.
    const MOODS: usize = 101;
    let mut by_mood = vec![PENDING; MOODS * MOODS];
    let mut touched: Vec<usize> = Vec::new();
    // Per visited turn component (sources first): its id range and whether it is cyclic.
    let mut visited: Vec<(u32, u32, bool)> = Vec::new();

    let add = |graph: &mut Graph, state: State| -> Result<u32, AnalyzeError> {
        if graph.len() >= MAX_STATES {
            return Err(AnalyzeError::TooLarge);
        }
        graph.nodes.push(Node::new(state));
        Ok(graph.len() as u32 - 1)
    };
    let first = normalise(start);
    match first.at {
        Target::Ending(e) => {
            let slot = ending_slot(flow, e, first.mood);
            ending_state[slot] = add(&mut graph, first)?;
            ending_ids.push(ending_state[slot]);
        }
        Target::Turn(t) => arrivals[t].push(Arrival { flags: first.flags, edge: PENDING, mood: first.mood }),
    }
    let mut expanded = 0;
    for c in (0..turn_comps.starts.len() - 1).rev() {
        let members = &turn_comps.order[turn_comps.starts[c] as usize..turn_comps.starts[c + 1] as usize];
        if members.iter().all(|&t| arrivals[t as usize].is_empty()) {
            continue;
        }
        let lo = graph.len() as u32;
        let cyclic = turn_comps.cyclic[c];
        here.clear();
        for &t in members {
            let mut list = std::mem::take(&mut arrivals[t as usize]);
            for Arrival { flags, edge, mood } in list.drain(..) {
                let state = State { at: Target::Turn(t as usize), mood, flags };
                let id = if !cyclic && state.flags == 0 {
                    // Most turns read no flag: one turn, so the mood alone is the key.
                    let cell = usize::from(state.mood.upset) * MOODS + usize::from(state.mood.trust);
                    if by_mood[cell] == PENDING {
                        by_mood[cell] = add(&mut graph, state)?;
                        touched.push(cell);
                    }
                    by_mood[cell]
                } else {
                    let fresh = graph.len() as u32;
                    let id = *here.entry(key(t as usize, &state)).or_insert(fresh);
                    if id == fresh {
                        add(&mut graph, state)?;
                    }
                    id
                };
                if edge != PENDING {
                    graph.edges[edge as usize] = id;
                }
            }
            // Emptied lists go back to a pool: the turns ahead reuse them
            // instead of allocating and growing their own.
            spare.push(list);
        }
        touched.drain(..).for_each(|cell| by_mood[cell] = PENDING);
        // Ids are expanded in order, so edges come out grouped by state
        // (endings found on the way get ids, and no edges, in between).
        while expanded < graph.len() {
            let state = graph.state(expanded);
            graph.edge_start.push(graph.edges.len() as u32);
            expanded += 1;
            let Target::Turn(turn) = state.at else { continue };
            for choice in 0..flow.turns[turn].choices.len() {
                let next = normalise(flow.next_state(&state, choice, false));
                let to = match next.at {
                    Target::Ending(e) => {
                        let slot = ending_slot(flow, e, next.mood);
                        if ending_state[slot] == PENDING {
                            ending_state[slot] = add(&mut graph, next)?;
                            ending_ids.push(ending_state[slot]);
                        }
                        ending_state[slot]
                    }
                    Target::Turn(n) if turn_comps.comp_of[n] == c as u32 => {
                        let fresh = graph.len() as u32;
                        let id = *here.entry(key(n, &next)).or_insert(fresh);
                        if id == fresh {
                            add(&mut graph, next)?;
                        }
                        id
                    }
                    Target::Turn(n) => {
                        if arrivals[n].capacity() == 0
                            && let Some(list) = spare.pop()
                        {
                            arrivals[n] = list;
                        }
                        arrivals[n].push(Arrival { flags: next.flags, edge: graph.edges.len() as u32, mood: next.mood });
                        PENDING
                    }
                };
                graph.edges.push(to);
            }
        }
        visited.push((lo, graph.len() as u32, cyclic));
    }
    graph.edge_start.push(graph.edges.len() as u32);

    // Components sinks first: the endings, then the visited turn
    // components in reverse, each situation on its own outside cycles.
    let n = graph.len();
    let mut order = Vec::with_capacity(n);
    let mut starts = Vec::with_capacity(n + 1);
    for &s in &ending_ids {
        starts.push(order.len() as u32);
        order.push(s);
    }
    let is_ending = |s: u32| graph.ending_of(s as usize).is_some();
    let mut tarjan = Tarjan::new(if visited.iter().any(|v| v.2) { n } else { 0 });
    for &(lo, hi, cyclic) in visited.iter().rev() {
        for s in (lo..hi).filter(|&s| !is_ending(s)) {
            if cyclic {
                let inside = |w: u32| (lo..hi).contains(&w) && !is_ending(w);
                tarjan.visit(s, &graph.edge_start, &graph.edges, inside, &mut order, &mut starts);
            } else {
                starts.push(order.len() as u32);
                order.push(s);
            }
        }
    }
    starts.push(order.len() as u32);
    let mut comp_of = vec![0u32; n];
    for c in 0..starts.len() - 1 {
        for &s in &order[starts[c] as usize..starts[c + 1] as usize] {
            comp_of[s as usize] = c as u32;
        }
    }
    Ok((graph, Components { order, starts, comp_of }))
}

/// How many ratings an ending situation is split by.
const RATINGS: usize = 3;

/// A mood that stands for every mood with this rating at any ending, so
/// that an ending situation keeps the rating and nothing else.
fn rating_mood(rating: Rating) -> Mood {
    match rating {
        Rating::Dissatisfied => Mood { upset: 100, trust: 0 },
        Rating::BasicallySatisfied => Mood { upset: 30, trust: 30 },
        Rating::Satisfied => Mood { upset: 0, trust: 100 },
    }
}

fn ending_slot(flow: &Flow, ending: usize, mood: Mood) -> usize {
    ending * RATINGS + citizen_rating(flow.outcomes[ending], mood) as usize
}

/// Strongly connected components of the situation graph, sinks first, so
/// every edge stays inside its component or goes to one listed earlier.
struct Components {
    /// States grouped by component; component `c` is `order[starts[c]..starts[c + 1]]`.
    order: Vec<u32>,
    starts: Vec<u32>,
    comp_of: Vec<u32>,
}

/// Iterative Tarjan over a graph stored as CSR (`succ_start`, `succ`),
/// seen only through the edges `inside` admits. Components are appended to
/// `order`/`starts` as they close, which is sinks first.
struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    call: Vec<(u32, u32)>,
    next_index: u32,
}

impl Tarjan {
    const UNSEEN: u32 = u32::MAX;

    fn new(nodes: usize) -> Tarjan {
        Tarjan {
            index: vec![Self::UNSEEN; nodes],
            low: vec![0; nodes],
            on_stack: vec![false; nodes],
            stack: Vec::new(),
            call: Vec::new(),
            next_index: 0,
        }
    }

    fn visit(
        &mut self,
        root: u32,
        succ_start: &[u32],
        succ: &[u32],
        inside: impl Fn(u32) -> bool,
        order: &mut Vec<u32>,
        starts: &mut Vec<u32>,
    ) {
        if self.index[root as usize] != Self::UNSEEN {
            return;
        }
        self.open(root);
        while let Some(&mut (v, ref mut pos)) = self.call.last_mut() {
            let edges = &succ[succ_start[v as usize] as usize..succ_start[v as usize + 1] as usize];
            if let Some(&w) = edges.get(*pos as usize) {
                *pos += 1;
                if !inside(w) {
                    continue;
                }
                if self.index[w as usize] == Self::UNSEEN {
                    self.open(w);
                } else if self.on_stack[w as usize] {
                    self.low[v as usize] = self.low[v as usize].min(self.index[w as usize]);
                }
                continue;
            }
            self.call.pop();
            if let Some(&(parent, _)) = self.call.last() {
                self.low[parent as usize] = self.low[parent as usize].min(self.low[v as usize]);
            }
            if self.low[v as usize] == self.index[v as usize] {
                starts.push(order.len() as u32);
                loop {
                    let w = self.stack.pop().expect("v is on the stack");
                    self.on_stack[w as usize] = false;
                    order.push(w);
                    if w == v {
                        break;
                    }
                }
            }
        }
    }

    fn open(&mut self, v: u32) {
        self.index[v as usize] = self.next_index;
        self.low[v as usize] = self.next_index;
        self.next_index += 1;
        self.stack.push(v);
        self.on_stack[v as usize] = true;
        self.call.push((v, 0));
    }
}

/// Per situation, whether some ending can still be reached from it. Sinks
/// first, a component can finish when one of its situations is an ending
/// or has an edge to one that can; every member of a component can reach
/// every other, so they share the answer.
fn can_finish(graph: &Graph, comps: &Components) -> Vec<bool> {
    let mut can = vec![false; graph.len()];
    for c in 0..comps.starts.len() - 1 {
        let members = &comps.order[comps.starts[c] as usize..comps.starts[c + 1] as usize];
        let any = members.iter().any(|&s| {
            graph.ending_of(s as usize).is_some() || graph.successors(s).iter().any(|&w| can[w as usize])
        });
        if any {
            members.iter().for_each(|&s| can[s as usize] = true);
        }
    }
    can
}

/// The sum of a key's fields: how good a partial score is so far, roughly.
fn rank_sum(key: Key) -> u32 {
    key.iter().map(|w| (0..16).map(|i| ((w >> (4 * i)) & 0xf) as u32).sum::<u32>()).sum()
}

/// A partial score in the form dominance needs: 4-bit fields, 16 to a
/// word, holding per rubric item its rank (0–4), then per item its
/// missed-chance rank (0–2), then "no premature solution" and "no red
/// flag", with bit 3 of every field left clear as a borrow guard. `a` is
/// at least `b` in every field of a word exactly when
/// `((a | GUARD) - b) & GUARD == GUARD`.
type Key = [u64; WORDS];
const FIELDS: usize = 2 * Item::ALL.len() + 2;
const WORDS: usize = FIELDS.div_ceil(16);
const GUARD: u64 = 0x8888_8888_8888_8888;

fn set_field(key: &mut Key, field: usize, value: u64) {
    key[field / 16] |= value << (4 * (field % 16));
}

fn covers(a: Key, b: Key) -> bool {
    (0..WORDS).all(|w| ((a[w] | GUARD).wrapping_sub(b[w])) & GUARD == GUARD)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Highest,
    Lowest,
}

impl Direction {
    fn key(self, tally: &Tally) -> Key {
        let mut key: Key = [0; WORDS];
        for (i, &item) in Item::ALL.iter().enumerate() {
            set_field(&mut key, i, tally.rank(item) as u64);
            set_field(&mut key, ITEMS + i, tally.chance_rank(item) as u64);
        }
        set_field(&mut key, 2 * ITEMS, !tally.premature_solution as u64);
        // Red flags do not change a score; they only fail it, so whether
        // there was one is all the passing route needs, and only the
        // highest scores look for it.
        if self == Direction::Highest {
            set_field(&mut key, 2 * ITEMS + 1, (tally.red_flags == 0) as u64);
        }
        key
    }

    /// `a` scores at least as well as `b` in this direction, however the
    /// encounter continues.
    fn dominates(self, a: Key, b: Key) -> bool {
        match self {
            Direction::Highest => covers(a, b),
            Direction::Lowest => covers(b, a),
        }
    }
}

const ITEMS: usize = Item::ALL.len();

/// An option's evidence per item (−1: none), several entries for one item
/// aggregated as play would.
fn option_evidence(choice: &FlowChoice) -> [i8; ITEMS] {
    let mut evidence = [-1i8; ITEMS];
    for &(item, level) in &choice.evidence {
        let level = level.min(LEVEL_MAX) as i8;
        let slot = &mut evidence[item.index()];
        *slot = if *slot < 0 {
            level
        } else if item.aggregation() == Aggregation::Best {
            (*slot).max(level)
        } else {
            (*slot).min(level)
        };
    }
    evidence
}

/// An option's missed-chance levels per item (−1: the turn did not offer it).
fn option_chances(choice: &FlowChoice) -> [i8; ITEMS] {
    let mut chances = [-1i8; ITEMS];
    for &(item, level) in &choice.chances {
        let slot = &mut chances[item.index()];
        let level = level.min(LEVEL_MAX) as i8;
        *slot = if *slot < 0 { level } else { (*slot).min(level) };
    }
    chances
}

/// Per rubric item, what the rest of an encounter could still record on
/// the relaxed paths ahead of a turn (or after an option).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Ahead {
    /// Highest evidence on the path that shows the most (−1: none can).
    most_high: [i8; ITEMS],
    /// Highest evidence on the path, among those that show the item at
    /// all, whose highest is lowest (4: no path shows it).
    least_high: [i8; ITEMS],
    /// Whether some path shows no evidence for the item at all.
    can_skip: [bool; ITEMS],
    /// Lowest evidence on the path whose lowest is highest (3 when a path shows none).
    most_low: [i8; ITEMS],
    /// Lowest evidence anywhere ahead (3 when none).
    least_low: [i8; ITEMS],
    /// Lowest missed-chance level anywhere ahead (3 when none).
    least_chance: [i8; ITEMS],
}

impl Ahead {
    /// Nothing known yet: the start of every fold, and of every fixpoint.
    const NONE: Ahead = Ahead {
        most_high: [-1; ITEMS],
        least_high: [4; ITEMS],
        can_skip: [false; ITEMS],
        most_low: [-1; ITEMS],
        least_low: [4; ITEMS],
        least_chance: [4; ITEMS],
    };
    /// After an ending nothing more is shown.
    const END: Ahead = Ahead {
        most_high: [-1; ITEMS],
        least_high: [4; ITEMS],
        can_skip: [true; ITEMS],
        most_low: [3; ITEMS],
        least_low: [3; ITEMS],
        least_chance: [3; ITEMS],
    };

    /// Either way on: the choice between two sets of paths.
    fn or(&mut self, other: &Ahead) {
        for i in 0..ITEMS {
            self.most_high[i] = self.most_high[i].max(other.most_high[i]);
            self.least_high[i] = self.least_high[i].min(other.least_high[i]);
            self.can_skip[i] |= other.can_skip[i];
            self.most_low[i] = self.most_low[i].max(other.most_low[i]);
            self.least_low[i] = self.least_low[i].min(other.least_low[i]);
            self.least_chance[i] = self.least_chance[i].min(other.least_chance[i]);
        }
    }

    /// `evidence` (−1 per item when none) shown first, then these paths.
    fn after(&self, evidence: &[i8; ITEMS], chances: &[i8; ITEMS]) -> Ahead {
        let mut out = *self;
        for i in 0..ITEMS {
            out.least_chance[i] =
                if chances[i] < 0 { self.least_chance[i].min(3) } else { chances[i].min(self.least_chance[i]) };
            let e = evidence[i];
            if e < 0 {
                // Nothing shown here reads as a lowest of 3.
                out.most_low[i] = self.most_low[i].min(3);
                out.least_low[i] = self.least_low[i].min(3);
                continue;
            }
            out.most_high[i] = e.max(self.most_high[i]);
            out.least_high[i] = e.max(self.least_high[i]);
            if self.can_skip[i] {
                out.least_high[i] = out.least_high[i].min(e);
            }
            out.can_skip[i] = false;
            out.most_low[i] = e.min(self.most_low[i]);
            out.least_low[i] = e.min(self.least_low[i]);
        }
        out
    }
}

/// Per turn, what the rest of an encounter from that turn could still
/// record, with mood and flags ignored (every route counts as open). Every
/// real continuation is one of these relaxed paths, so the bounds they give
/// are safe: a partial score whose best possible finish is already beaten
/// on every objective can be dropped.
struct Futures {
    ahead: Vec<Ahead>,
}

impl Futures {
    fn new(flow: &Flow, turn_comps: &TurnComponents) -> Futures {
        let mut f = Futures { ahead: vec![Ahead::NONE; flow.turns.len()] };
        let ahead_of = |f: &Futures, to: Target| match to {
            Target::Ending(_) => Ahead::END,
            Target::Turn(n) => f.ahead[n],
        };
        // Sinks first: a turn's successors are final before it, except in
        // a cycle, which goes round until nothing changes (every value
        // only moves one way, so that ends).
        for (members, cyclic) in turn_comps.sinks_first() {
            loop {
                let mut changed = false;
                for &t in members {
                    let turn = &flow.turns[t as usize];
                    // Where any option may be sent by the turn's and the scenario's routes.
                    let mut shared = Ahead::NONE;
                    for r in turn.routes.iter().chain(&flow.routes) {
                        shared.or(&ahead_of(&f, r.to));
                    }
                    let mut here = Ahead::NONE;
                    for choice in &turn.choices {
                        let mut next = shared;
                        for to in choice.routes.iter().map(|r| r.to).chain([choice.next]) {
                            next.or(&ahead_of(&f, to));
                        }
                        here.or(&next.after(&option_evidence(choice), &option_chances(choice)));
                    }
                    if here != f.ahead[t as usize] {
                        f.ahead[t as usize] = here;
                        changed = true;
                    }
                }
                if !cyclic || !changed {
                    break;
                }
            }
        }
        f
    }

    /// The best (or worst) score per objective that `tally` could still
    /// finish with from `turn`.
    fn bound(&self, tally: &Tally, turn: usize, direction: Direction) -> Bound {
        let mut finish = Tally::default();
        let ahead = &self.ahead[turn];
        for item in Item::ALL {
            let i = item.index();
            let current = tally.level(item).map(|l| l as i8);
            let level = match (direction, item.aggregation()) {
                (Direction::Highest, Aggregation::Best) => current.unwrap_or(1).max(ahead.most_high[i]),
                (Direction::Highest, Aggregation::Worst) => current.unwrap_or(3).min(ahead.most_low[i]),
                (Direction::Lowest, Aggregation::Best) => {
                    let (shown, skip) = (ahead.least_high[i], ahead.can_skip[i]);
                    match current {
                        Some(l) => if skip { l } else { l.max(shown) },
                        None => if skip { shown.min(1) } else { shown },
                    }
                }
                (Direction::Lowest, Aggregation::Worst) => current.unwrap_or(2).min(ahead.least_low[i]),
            };
            finish.record(item, level.clamp(0, LEVEL_MAX as i8) as u8);
            // Misses only accumulate: the highest keeps those so far, the
            // lowest adds the worst still reachable.
            finish.record_chance(item, tally.chance_rank(item));
            if direction == Direction::Lowest {
                finish.record_chance(item, ahead.least_chance[i].clamp(0, LEVEL_MAX as i8) as u8);
            }
        }
        // A premature solution only lowers a score: keep it for the
        // highest, assume it for the lowest.
        finish.premature_solution = tally.premature_solution || direction == Direction::Lowest;
        let mut bound = Bound::of(&finish);
        bound.could_pass &= tally.red_flags == 0;
        bound
    }
}

/// Scores per objective (`Objective::ALL` order) that a partial score can
/// at best (or worst) reach, and whether it could still pass.
#[derive(Clone, Copy)]
struct Bound {
    scores: [f32; 6],
    could_pass: bool,
}

impl Bound {
    fn of(tally: &Tally) -> Bound {
        Bound::of_card(&tally.finish(vec![]), tally)
    }

    fn of_card(card: &ScoreCard, tally: &Tally) -> Bound {
        Bound { scores: Objective::ALL.map(|o| o.of(card)), could_pass: card.passed && tally.red_flags == 0 }
    }
}

/// The best scores per objective found so far by a complete route.
struct Incumbent {
    direction: Direction,
    scores: [f32; 6],
    passing_found: bool,
}

impl Incumbent {
    fn new(direction: Direction) -> Incumbent {
        let start = if direction == Direction::Highest { f32::NEG_INFINITY } else { f32::INFINITY };
        Incumbent { direction, scores: [start; 6], passing_found: false }
    }

    fn record(&mut self, finished: &Bound) {
        for (mine, &theirs) in self.scores.iter_mut().zip(&finished.scores) {
            *mine = if self.direction == Direction::Highest { mine.max(theirs) } else { mine.min(theirs) };
        }
        self.passing_found |= finished.could_pass;
    }

    /// Nothing reachable from a label with this bound can improve on a
    /// route already found: not on any objective, nor (for the highest) by
    /// being the first route to pass. A tie is dropped too: the route that
    /// set the incumbent is a label at an ending, and dominance only ever
    /// replaces it by one at least as good.
    fn beats(&self, bound: &Bound) -> bool {
        let all = self.scores.iter().zip(&bound.scores).all(|(&mine, &b)| match self.direction {
            Direction::Highest => b <= mine,
            Direction::Lowest => b >= mine,
        });
        all && (self.direction == Direction::Lowest || self.passing_found || !bound.could_pass)
    }
}

#[derive(Clone, Copy)]
struct Label {
    tally: Tally,
    state: u32,
    parent: u32,
    choice: u16,
    /// Choices from the start, for preferring the shorter of equal routes.
    steps: u32,
}

const NO_PARENT: u32 = u32::MAX;

/// The undominated partial scores at one situation: keys apart from label
/// ids, so the dominance scan reads one packed array.
#[derive(Default)]
struct ParetoSet {
    keys: Vec<Key>,
    ids: Vec<u32>,
}

/// Surviving labels per situation, stored only for situations that got any
/// (a small fraction: bounds prune most of the graph).
struct Sets {
    slot: Vec<u32>,
    sets: Vec<ParetoSet>,
}

impl Sets {
    const NONE: u32 = u32::MAX;

    fn ids(&self, state: usize) -> &[u32] {
        match self.slot[state] {
            Self::NONE => &[],
            slot => &self.sets[slot as usize].ids,
        }
    }
}

/// The label arena, the Pareto sets and the best route found so far, for
/// one direction.
struct Search<'a> {
    flow: &'a Flow,
    graph: &'a Graph,
    comps: &'a Components,
    futures: &'a Futures,
    direction: Direction,
    labels: Vec<Label>,
    bounds: Vec<Bound>,
    alive: Vec<bool>,
    sets: Sets,
    incumbent: Incumbent,
    /// Components holding labels not yet sent on, highest (sourcemost) first.
    pending: BinaryHeap<u32>,
    /// Only endings the citizen rates 不满意 count (for the check that a
    /// bad outcome never scores well on the numbers).
    dissatisfied_only: bool,
}

/// Whether an offered label was kept.
enum Offer {
    /// Dominated by a label already there, or unable to beat the best route.
    Dropped,
    Kept { id: u32 },
}

impl Search<'_> {
    fn bound_at(&self, tally: &Tally, state: u32) -> Bound {
        match self.graph.nodes[state as usize].at() {
            Target::Turn(t) => self.futures.bound(tally, t, self.direction),
            Target::Ending(e) => {
                let mood = self.graph.nodes[state as usize].mood;
                let card = tally.finish(vec![]).concluded(self.flow.outcomes[e], mood);
                if self.dissatisfied_only && card.rating != Some(Rating::Dissatisfied) {
                    // Not an ending this search is about: it can improve on nothing.
                    return Bound { scores: [f32::NEG_INFINITY; 6], could_pass: false };
                }
                Bound::of_card(&card, tally)
            }
        }
    }

    /// The tally after taking `choice` from label `from`.
    fn extend(&self, from: u32, choice: usize) -> Tally {
        let label = &self.labels[from as usize];
        let mut tally = label.tally;
        let _ = self.flow.step(&self.graph.state(label.state as usize), choice, false, &mut tally);
        tally
    }

    /// Adds the label reached by `choice` from `from` at situation `next`
    /// unless a label there dominates it or its best finish cannot beat the
    /// best route found; drops the labels it dominates. A new situation's
    /// component is queued unless it is `current`, the one being worked.
    fn offer(&mut self, from: u32, choice: usize, next: u32, tally: Tally, current: u32) -> Result<Offer, AnalyzeError> {
        let key = self.direction.key(&tally);
        let slot = self.sets.slot[next as usize];
        if let Some(existing) = self.sets.sets.get(slot as usize)
            && existing.keys.iter().any(|&k| self.direction.dominates(k, key))
        {
            return Ok(Offer::Dropped);
        }
        let bound = self.bound_at(&tally, next);
        if self.incumbent.beats(&bound) {
            return Ok(Offer::Dropped);
        }
        let at_ending = self.graph.ending_of(next as usize).is_some();
        if slot == Sets::NONE {
            self.sets.slot[next as usize] = self.sets.sets.len() as u32;
            self.sets.sets.push(ParetoSet::default());
            let comp = self.comps.comp_of[next as usize];
            if comp != current && !at_ending {
                self.pending.push(comp);
            }
        }
        let existing = &mut self.sets.sets[self.sets.slot[next as usize] as usize];
        let mut kept = 0;
        for i in 0..existing.keys.len() {
            if self.direction.dominates(key, existing.keys[i]) {
                self.alive[existing.ids[i] as usize] = false;
            } else {
                existing.keys[kept] = existing.keys[i];
                existing.ids[kept] = existing.ids[i];
                kept += 1;
            }
        }
        existing.keys.truncate(kept);
        existing.ids.truncate(kept);
        if self.labels.len() >= MAX_LABELS {
            return Err(AnalyzeError::TooManyScores);
        }
        let id = self.labels.len() as u32;
        let steps = self.labels[from as usize].steps + 1;
        self.labels.push(Label { tally, state: next, parent: from, choice: choice as u16, steps });
        self.bounds.push(bound);
        self.alive.push(true);
        existing.keys.push(key);
        existing.ids.push(id);
        if at_ending {
            self.incumbent.record(&bound);
        }
        Ok(Offer::Kept { id })
    }

    /// Follows, from the start, the choice whose best possible finish is
    /// highest (lowest) until an ending, keeping every label on the way.
    /// Sources-first order reaches the endings last, so without this the
    /// best route found stays poor while the early turns' trade-offs pile
    /// up; a real route found first lets the bounds prune them. The labels
    /// are ordinary ones, so nothing is lost: this only changes the order.
    fn dive(&mut self) -> Result<(), AnalyzeError> {
        let overall = |b: &Bound| b.scores[0];
        let mut at = 0u32;
        while self.graph.ending_of(self.labels[at as usize].state as usize).is_none() {
            let state = self.labels[at as usize].state;
            let mut pick: Option<(usize, u32, Tally, f32, u32)> = None;
            for (choice, &next) in self.graph.successors(state).iter().enumerate() {
                let tally = self.extend(at, choice);
                let bound = self.bound_at(&tally, next);
                // Ties on the bound go to the higher ranks so far.
                let now = rank_sum(self.direction.key(&tally));
                let better = match (&pick, self.direction) {
                    (None, _) => true,
                    (Some(p), Direction::Highest) => (overall(&bound), now) > (p.3, p.4),
                    (Some(p), Direction::Lowest) => (overall(&bound), now) < (p.3, p.4),
                };
                if better {
                    pick = Some((choice, next, tally, overall(&bound), now));
                }
            }
            let Some((choice, next, tally, _, _)) = pick else { break };
            match self.offer(at, choice, next, tally, u32::MAX)? {
                Offer::Kept { id } => at = id,
                // Back at a situation with a label as good: a cycle, or a
                // merge onto a better route. Stop here.
                Offer::Dropped => break,
            }
        }
        Ok(())
    }
}

/// Propagates undominated tallies through the components sources first,
/// so a situation's set is final before anything is sent on from it,
/// except inside a cycle, where labels go round until nothing new
/// survives. Only components that received a label are visited, highest
/// (sourcemost) first. Returns the label arena and, per state, the
/// surviving labels.
fn propagate(
    flow: &Flow,
    graph: &Graph,
    comps: &Components,
    futures: &Futures,
    start: Tally,
    direction: Direction,
    dissatisfied_only: bool,
) -> Result<(Vec<Label>, Sets), AnalyzeError> {
    let mut search = Search {
        dissatisfied_only,
        flow,
        graph,
        comps,
        futures,
        direction,
        labels: vec![Label { tally: start, state: 0, parent: NO_PARENT, choice: 0, steps: 0 }],
        bounds: Vec::new(),
        alive: vec![true],
        sets: Sets { slot: vec![Sets::NONE; graph.len()], sets: Vec::new() },
        incumbent: Incumbent::new(direction),
        pending: BinaryHeap::from([comps.comp_of[0]]),
    };
    let start_bound = search.bound_at(&start, 0);
    search.bounds.push(start_bound);
    if graph.ending_of(0).is_some() {
        search.incumbent.record(&start_bound);
    }
    search.sets.slot[0] = 0;
    search.sets.sets.push(ParetoSet { keys: vec![direction.key(&start)], ids: vec![0] });
    search.dive()?;

    let mut last = None;
    let mut queue: VecDeque<u32> = VecDeque::new();
    while let Some(c) = search.pending.pop() {
        // A component is pushed once per situation of it that got labels.
        if last == Some(c) {
            continue;
        }
        last = Some(c);
        for &s in &comps.order[comps.starts[c as usize] as usize..comps.starts[c as usize + 1] as usize] {
            queue.extend(search.sets.ids(s as usize));
        }
        while let Some(label_id) = queue.pop_front() {
            // Dominated since it was queued, or beaten by a route found since.
            if !search.alive[label_id as usize] || search.incumbent.beats(&search.bounds[label_id as usize]) {
                continue;
            }
            let state = search.labels[label_id as usize].state;
            for (choice, &next) in graph.successors(state).iter().enumerate() {
                let tally = search.extend(label_id, choice);
                if let Offer::Kept { id } = search.offer(label_id, choice, next, tally, c)?
                    && comps.comp_of[next as usize] == c
                    && graph.ending_of(next as usize).is_none()
                {
                    queue.push_back(id);
                }
            }
        }
    }
    Ok((search.labels, search.sets))
}

/// The situation graph and the future bounds side by side: the bounds
/// need only the turn graph, and every PC this runs on has a second core.
fn explore_with_futures(
    flow: &Flow,
    turn_comps: &TurnComponents,
    start: State,
) -> Result<(Graph, Components, Futures), AnalyzeError> {
    std::thread::scope(|scope| {
        let futures = scope.spawn(|| Futures::new(flow, turn_comps));
        let explored = explore(flow, turn_comps, start);
        let futures = futures.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        explored.map(|(graph, comps)| (graph, comps, futures))
    })
}

type Propagated = (Vec<Label>, Sets);

/// The highest and the lowest scores side by side; the two searches share
/// nothing but the graph they read.
fn propagate_both(
    flow: &Flow,
    graph: &Graph,
    comps: &Components,
    futures: &Futures,
    start: Tally,
) -> Result<(Propagated, Propagated), AnalyzeError> {
    std::thread::scope(|scope| {
        let lowest = scope.spawn(|| propagate(flow, graph, comps, futures, start, Direction::Lowest, false));
        let highest = propagate(flow, graph, comps, futures, start, Direction::Highest, false);
        let lowest = lowest.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((highest?, lowest?))
    })
}

fn route_of(labels: &[Label], mut id: u32) -> Vec<usize> {
    let mut route = Vec::with_capacity(labels[id as usize].steps as usize);
    while labels[id as usize].parent != NO_PARENT {
        route.push(labels[id as usize].choice as usize);
        id = labels[id as usize].parent;
    }
    route.reverse();
    route
}

/// Every surviving label at an ending, with its ending and score card.
fn finals(flow: &Flow, graph: &Graph, labels: &[Label], sets: &Sets) -> Vec<(u32, usize, ScoreCard)> {
    (0..graph.len())
        .filter_map(|state| graph.ending_of(state).map(|e| (state, e)))
        .flat_map(|(state, ending)| {
            let mood = graph.nodes[state].mood;
            sets.ids(state).iter().map(move |&l| {
                let tally = &labels[l as usize].tally;
                let mut card = tally.finish(vec![]).concluded(flow.outcomes[ending], mood);
                card.passed &= tally.red_flags == 0;
                (l, ending, card)
            })
        })
        .collect()
}

fn extremes(script: &Script, labels: &[Label], finals: &[(u32, usize, ScoreCard)], highest: bool) -> Vec<Extreme> {
    Objective::ALL
        .iter()
        .filter_map(|&objective| {
            let pick = finals.iter().min_by(|a, b| {
                let (sa, sb) = (objective.of(&a.2), objective.of(&b.2));
                let by_score = if highest { sb.total_cmp(&sa) } else { sa.total_cmp(&sb) };
                // Ties: the shorter route is easier to show and to replay.
                by_score.then_with(|| labels[a.0 as usize].steps.cmp(&labels[b.0 as usize].steps))
            })?;
            Some(Extreme {
                objective,
                score: objective.of(&pick.2),
                route: route_of(labels, pick.0),
                ending: script.scenario.endings[pick.1].id.clone(),
                red_flags: labels[pick.0 as usize].tally.red_flags,
                rating: pick.2.rating.unwrap_or(Rating::Dissatisfied),
                passed: pick.2.passed,
            })
        })
        .collect()
}

/// The analysis of the main persona.
pub fn analyze(script: &Script) -> Result<Analysis, AnalyzeError> {
    analyze_persona(script, 0)
}

/// One analysis per persona, the main one first.
pub fn analyze_personas(script: &Script) -> Result<Vec<Analysis>, AnalyzeError> {
    (0..script.persona_count()).map(|p| analyze_persona(script, p)).collect()
}

/// The analysis of persona `persona` (0: the main one).
pub fn analyze_persona(script: &Script, persona: usize) -> Result<Analysis, AnalyzeError> {
    let flow = script.flow_for(persona);
    let turn_comps = turn_components(flow);
    let (graph, comps, futures) = explore_with_futures(flow, &turn_comps, flow.initial())?;
    let n = graph.len();

    let mut reachable_turns = vec![false; flow.turns.len()];
    let mut reachable_endings = vec![false; flow.ending_count];
    let mut reachable_options: Vec<Vec<bool>> =
        flow.turns.iter().map(|t| vec![false; t.choices.len()]).collect();
    for node in &graph.nodes {
        match node.at() {
            Target::Turn(t) => {
                if !reachable_turns[t] {
                    reachable_turns[t] = true;
                    reachable_options[t].iter_mut().for_each(|o| *o = true);
                }
            }
            Target::Ending(e) => reachable_endings[e] = true,
        }
    }

    let can_finish = can_finish(&graph, &comps);
    let mut stuck_turns: Vec<usize> = graph
        .nodes
        .iter()
        .zip(&can_finish)
        .filter_map(|(s, ok)| match (s.at(), ok) {
            (Target::Turn(t), false) => Some(t),
            _ => None,
        })
        .collect();
    stuck_turns.sort_unstable();
    stuck_turns.dedup();

    // The lowest scores take a fraction of the highest's time, so the
    // route-use walk follows them on their thread.
    let (((max_labels, max_at), (min_labels, min_at)), routes) = std::thread::scope(|scope| {
        let lowest_then_routes = scope.spawn(|| {
            let lowest = propagate(flow, &graph, &comps, &futures, Tally::default(), Direction::Lowest, false);
            (lowest, route_uses(flow, &graph))
        });
        let highest = propagate(flow, &graph, &comps, &futures, Tally::default(), Direction::Highest, false);
        let (lowest, routes) = lowest_then_routes.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok::<_, AnalyzeError>(((highest?, lowest?), routes))
    })?;
    let max_finals = finals(flow, &graph, &max_labels, &max_at);
    let max = extremes(script, &max_labels, &max_finals, true);
    let min = extremes(script, &min_labels, &finals(flow, &graph, &min_labels, &min_at), false);

    // Passing is monotone in every item and in having no red flag, so if
    // any route passes, an undominated one does.
    let passing_route = max_finals
        .iter()
        .filter(|(_, _, card)| card.passed)
        .max_by(|a, b| {
            a.2.overall.total_cmp(&b.2.overall).then(max_labels[b.0 as usize].steps.cmp(&max_labels[a.0 as usize].steps))
        })
        .map(|&(l, ending, ref card)| Extreme {
            objective: Objective::Overall,
            score: card.overall,
            route: route_of(&max_labels, l),
            ending: script.scenario.endings[ending].id.clone(),
            red_flags: 0,
            rating: card.rating.unwrap_or(Rating::Dissatisfied),
            passed: true,
        });

    let pinned = pinned_moods(flow, &script.scenario);
    Ok(Analysis {
        persona,
        situations: n,
        labels: max_labels.len() + min_labels.len(),
        reachable_turns,
        reachable_endings,
        stuck_turns,
        max,
        min,
        passing_route,
        reachable_options,
        routes,
        pinned,
    })
}

/// The highest-scoring route, on the numbers alone, among the routes that
/// end with the citizen rating the service 不满意 (a hang-up, walk-out or
/// complaint, or a resolved ending with the citizen still upset); `None`
/// when no route ends so. Such a route always fails; a high score on it
/// means the evidence does not reflect the outcome.
pub fn best_dissatisfied(script: &Script, persona: usize) -> Result<Option<Extreme>, AnalyzeError> {
    let flow = script.flow_for(persona);
    let turn_comps = turn_components(flow);
    let (graph, comps, futures) = explore_with_futures(flow, &turn_comps, flow.initial())?;
    let (labels, at) = propagate(flow, &graph, &comps, &futures, Tally::default(), Direction::Highest, true)?;
    let finals: Vec<_> =
        finals(flow, &graph, &labels, &at).into_iter().filter(|f| f.2.rating == Some(Rating::Dissatisfied)).collect();
    Ok(extremes(script, &labels, &finals, true).into_iter().find(|e| e.objective == Objective::Overall))
}

/// The best and worst overall score still reachable after playing `route`
/// (zero-based choices, untimed) from the start, evidence so far included.
/// Used by the class-vote debrief to show what an option not followed would
/// have led to. Routes are relative to `route`'s end; only scores are kept.
pub(crate) fn bounds_after(script: &Script, route: &[usize]) -> Result<(f32, f32), AnalyzeError> {
    bounds_after_as(script, 0, route)
}

/// `bounds_after` for persona `persona`.
pub(crate) fn bounds_after_as(script: &Script, persona: usize, route: &[usize]) -> Result<(f32, f32), AnalyzeError> {
    let flow = script.flow_for(persona);
    let mut state = flow.initial();
    let mut tally = Tally::default();
    for &choice in route {
        let Target::Turn(turn) = state.at else { break };
        if choice >= flow.turns[turn].choices.len() {
            break;
        }
        state = flow.step(&state, choice, false, &mut tally).0;
    }
    let turn_comps = turn_components(flow);
    let (graph, comps, futures) = explore_with_futures(flow, &turn_comps, state)?;
    let ((max_labels, max_at), (min_labels, min_at)) = propagate_both(flow, &graph, &comps, &futures, tally)?;
    let best = extremes(script, &max_labels, &finals(flow, &graph, &max_labels, &max_at), true);
    let worst = extremes(script, &min_labels, &finals(flow, &graph, &min_labels, &min_at), false);
    let overall = |e: &[Extreme]| e.iter().find(|x| x.objective == Objective::Overall).map(|x| x.score);
    match (overall(&best), overall(&worst)) {
        (Some(b), Some(w)) => Ok((b, w)),
        // No ending is reachable from here: the analysis has nothing to say.
        _ => Err(AnalyzeError::NoEnding),
    }
}


#[cfg(test)]
mod route_use_tests {
    use super::*;
    use crate::analysis::generate::{Shape, generate};
    use crate::play::engine::Script;
    use crate::scenario::model::{Condition, Route};

    /// The walk as first written: every situation, answer and lateness
    /// tests its lists in order, nothing noted for later.
    fn every_situation(flow: &Flow, graph: &Graph) -> Vec<RouteUse> {
        let mut uses: Vec<(RouteUse, Cond)> = Vec::new();
        let mut slot = |site: RouteSite, when: &Cond| {
            uses.push((RouteUse { site, tested: false, taken: false, upset: None, trust: None, mood_met: false, upset_seen: 0 }, when.clone()));
            uses.len() - 1
        };
        let global: Vec<usize> = flow.routes.iter().enumerate().map(|(route, r)| slot(RouteSite::Scenario { route }, &r.when)).collect();
        let per_turn: Vec<Vec<usize>> =
            flow.turns.iter().enumerate().map(|(turn, t)| t.routes.iter().enumerate().map(|(route, r)| slot(RouteSite::Turn { turn, route }, &r.when)).collect()).collect();
        let per_option: Vec<Vec<Vec<usize>>> = flow
            .turns
            .iter()
            .enumerate()
            .map(|(turn, t)| {
                t.choices
                    .iter()
                    .enumerate()
                    .map(|(option, c)| c.routes.iter().enumerate().map(|(route, r)| slot(RouteSite::Option { turn, option, route }, &r.when)).collect())
                    .collect()
            })
            .collect();
        let widen = |range: &mut Option<(u8, u8)>, v: u8| *range = Some(range.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
        for node in &graph.nodes {
            let Target::Turn(t) = node.at() else { continue };
            let turn = &flow.turns[t];
            let lates: &[bool] = if turn.time_limit.is_some() { &[false, true] } else { &[false] };
            for (c, choice) in turn.choices.iter().enumerate() {
                for &late in lates {
                    let (du, dt) = if late {
                        (choice.upset + crate::play::flow::TIMEOUT_UPSET, choice.trust + crate::play::flow::TIMEOUT_TRUST)
                    } else {
                        (choice.upset, choice.trust)
                    };
                    let mood = Mood {
                        upset: (node.mood.upset as i16 + du).clamp(0, 100) as u8,
                        trust: (node.mood.trust as i16 + dt).clamp(0, 100) as u8,
                    };
                    let flags = node.flags | choice.sets;
                    'lists: for ids in [&per_option[t][c], &per_turn[t], &global] {
                        for &i in ids {
                            let (u, when) = &mut uses[i];
                            u.tested = true;
                            widen(&mut u.upset, mood.upset);
                            widen(&mut u.trust, mood.trust);
                            u.upset_seen |= 1u128 << mood.upset;
                            let holds = when.holds(mood, flags);
                            u.taken |= holds;
                            u.mood_met |= holds || mood_parts_hold(when, mood);
                            if holds {
                                break 'lists;
                            }
                        }
                    }
                }
            }
        }
        uses.into_iter().map(|(u, _)| u).collect()
    }

    fn check(scenario: crate::scenario::model::Scenario, what: &str) {
        let script = Script::new(scenario).expect("resolves");
        for persona in 0..script.persona_count() {
            let flow = script.flow_for(persona);
            let (graph, _, _) = explore_with_futures(flow, &turn_components(flow), flow.initial()).expect("explores");
            assert_eq!(route_uses(flow, &graph), every_situation(flow, &graph), "{what}, persona {persona}");
        }
    }

    #[test]
    fn noting_moods_gathers_what_testing_every_situation_does() {
        for seed in 0..30 {
            for shape in [Shape::small(10), Shape::large(40)] {
                let scenario = generate(seed, &shape);
                check(scenario.clone(), &format!("seed {seed}"));
                // A scenario route that names a flag, first in line: every
                // situation is tested then, and it shadows the hang-up.
                let mut flagged = scenario;
                let to = flagged.endings[0].id.clone();
                flagged.routes.insert(0, Route { when: Condition::All(vec![Condition::Flag("flag0".into()), Condition::UpsetAtLeast(60)]), to });
                check(flagged, &format!("seed {seed}, flagged"));
            }
        }
    }

    #[test]
    fn noting_moods_gathers_what_testing_every_situation_does_in_the_bundled_library() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).expect("bundled scenarios") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "ron") {
                let text = std::fs::read_to_string(&path).expect("reads");
                let scenario = crate::scenario::parse::parse_scenario(&text, &path.display().to_string()).expect("parses");
                check(scenario, &path.display().to_string());
                checked += 1;
            }
        }
        assert!(checked >= 30, "only {checked} bundled scenarios found");
    }
}
