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
//! condition ahead reads are cleared, merging situations; the graph is
//! stored flat; tallies are compared as packed ranks in one `u128`; labels
//! flow through strongly connected components in topological order; and a
//! label whose best possible finish (bounded per turn from the evidence
//! still reachable) cannot improve on a route already found is dropped.

use super::engine::Script;
use super::flow::{Cond, Flow, State, Target};
use super::model::{Item, Mood, Stage};
use super::rubric::{Aggregation, Dimension, LEVEL_MAX};
use super::score::{ScoreCard, Tally};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use thiserror::Error;

/// Analysis gives up past this many distinct situations or partial scores,
/// so a scenario with a loop that keeps shifting the mood cannot stall
/// loading; such a scenario is reported as too large to analyse.
pub const MAX_STATES: usize = 1_000_000;
pub const MAX_LABELS: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnalyzeError {
    #[error("the scenario has more than {MAX_STATES} distinct situations (turn × mood × flags) to analyse")]
    TooLarge,
    #[error("the scenario has more than {MAX_LABELS} distinct partial scores to compare; look for a loop whose options keep changing the mood")]
    TooManyScores,
    #[error("no ending can be reached from this point")]
    NoEnding,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
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

fn liveness(flow: &Flow) -> Vec<Live> {
    let mut global = Live::default();
    flow.routes.iter().for_each(|r| global.read(&r.when));
    let turns = flow.turns.len();
    let mut live = vec![global; turns];
    let mut preds: Vec<Vec<u32>> = vec![Vec::new(); turns];
    let global_targets: Vec<usize> =
        flow.routes.iter().filter_map(|r| if let Target::Turn(t) = r.to { Some(t) } else { None }).collect();
    for (t, turn) in flow.turns.iter().enumerate() {
        let own = &mut live[t];
        turn.routes.iter().for_each(|r| own.read(&r.when));
        let mut succ: Vec<usize> = global_targets.clone();
        for choice in &turn.choices {
            choice.routes.iter().for_each(|r| own.read(&r.when));
            own.upset |= choice.stage == Stage::Solution;
            succ.extend(choice.routes.iter().chain(&turn.routes).map(|r| r.to).chain([choice.next]).filter_map(
                |to| if let Target::Turn(n) = to { Some(n) } else { None },
            ));
        }
        succ.sort_unstable();
        succ.dedup();
        for n in succ {
            preds[n].push(t as u32);
        }
    }
    // Backward fixpoint; each turn's set only grows, so this terminates
    // after at most (flags + 2) changes per turn.
    let mut queued = vec![true; turns];
    let mut work: Vec<u32> = (0..turns as u32).rev().collect();
    while let Some(t) = work.pop() {
        queued[t as usize] = false;
        let here = live[t as usize];
        for &p in &preds[t as usize] {
            let merged = live[p as usize].union(here);
            if merged != live[p as usize] {
                live[p as usize] = merged;
                if !queued[p as usize] {
                    queued[p as usize] = true;
                    work.push(p);
                }
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
}

/// The reachable situations, ids in discovery order, with successors in
/// one flat array: the successors of `s` are `edges[edge_start[s]..edge_start[s + 1]]`,
/// one per choice (none for endings).
struct Graph {
    states: Vec<State>,
    edge_start: Vec<u32>,
    edges: Vec<u32>,
}

impl Graph {
    fn successors(&self, state: u32) -> &[u32] {
        &self.edges[self.edge_start[state as usize] as usize..self.edge_start[state as usize + 1] as usize]
    }

    fn ending_of(&self, state: usize) -> Option<usize> {
        match self.states[state].at {
            Target::Ending(e) => Some(e),
            Target::Turn(_) => None,
        }
    }
}

fn explore(flow: &Flow, start: State) -> Result<Graph, AnalyzeError> {
    let live = liveness(flow);
    let normalise = |s: State| match s.at {
        // Mood and flags no longer matter once the encounter has ended.
        Target::Ending(_) => State { at: s.at, mood: Mood { upset: 0, trust: 0 }, flags: 0 },
        Target::Turn(t) => {
            let l = live[t];
            State {
                at: s.at,
                mood: Mood { upset: if l.upset { s.mood.upset } else { 0 }, trust: if l.trust { s.mood.trust } else { 0 } },
                flags: s.flags & l.flags,
            }
        }
    };
    // One small map per turn and ending rather than one big one: the
    // search moves along the turns, so the maps it touches stay in cache.
    let slot = |s: &State| match s.at {
        Target::Turn(t) => t,
        Target::Ending(e) => flow.turns.len() + e,
    };
    let key = |s: &State| (s.flags, ((s.mood.upset as u16) << 8) | s.mood.trust as u16);
    let mut index: Vec<HashMap<(u64, u16), u32, BuildHasherDefault<FxHasher>>> =
        (0..flow.turns.len() + flow.ending_count).map(|_| HashMap::default()).collect();
    let first = normalise(start);
    index[slot(&first)].insert(key(&first), 0);
    let mut graph = Graph { states: vec![first], edge_start: vec![0], edges: Vec::new() };
    // Ids are handed out in discovery order, so walking them in order is a
    // breadth-first search and the edges come out already grouped by state.
    let mut id = 0;
    while id < graph.states.len() {
        let state = graph.states[id];
        if let Target::Turn(turn) = state.at {
            for choice in 0..flow.turns[turn].choices.len() {
                let next = flow.next_state(&state, choice, false);
                let next = normalise(next);
                let fresh = graph.states.len() as u32;
                let to = *index[slot(&next)].entry(key(&next)).or_insert(fresh);
                if to == fresh {
                    if graph.states.len() >= MAX_STATES {
                        return Err(AnalyzeError::TooLarge);
                    }
                    graph.states.push(next);
                }
                graph.edges.push(to);
            }
        }
        graph.edge_start.push(graph.edges.len() as u32);
        id += 1;
    }
    Ok(graph)
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

/// Components of the situation graph, found through the turn graph: a
/// cycle of situations passes through a cycle of turns, so situations can
/// only share a component when their turns do. Situations are sorted by
/// their turn's component (a counting sort), and only the few turn
/// components that hold a cycle ("say that again") need Tarjan on
/// situations; everywhere else each situation is its own component.
fn components(flow: &Flow, graph: &Graph) -> Components {
    let turns = flow.turns.len();
    // The turn graph with every route open, as CSR.
    let mut turn_start = Vec::with_capacity(turns + 1);
    let mut turn_succ: Vec<u32> = Vec::new();
    let mut self_loop = vec![false; turns];
    turn_start.push(0u32);
    for (t, turn) in flow.turns.iter().enumerate() {
        let from = turn_succ.len();
        let global = flow.routes.iter().map(|r| r.to);
        let targets = turn.choices.iter().flat_map(|c| c.routes.iter().map(|r| r.to).chain([c.next]));
        for to in targets.chain(turn.routes.iter().map(|r| r.to)).chain(global) {
            if let Target::Turn(n) = to {
                turn_succ.push(n as u32);
            }
        }
        turn_succ[from..].sort_unstable();
        let mut kept = from;
        for i in from..turn_succ.len() {
            if i == from || turn_succ[i] != turn_succ[kept - 1] {
                turn_succ[kept] = turn_succ[i];
                kept += 1;
            }
        }
        turn_succ.truncate(kept);
        self_loop[t] = turn_succ[from..].contains(&(t as u32));
        turn_start.push(turn_succ.len() as u32);
    }
    let (mut turn_order, mut turn_starts) = (Vec::with_capacity(turns), Vec::new());
    let mut tarjan = Tarjan::new(turns);
    for t in 0..turns as u32 {
        tarjan.visit(t, &turn_start, &turn_succ, |_| true, &mut turn_order, &mut turn_starts);
    }
    turn_starts.push(turn_order.len() as u32);
    let turn_comps = turn_starts.len() - 1;
    let mut turn_comp = vec![0u32; turns];
    let mut cyclic = vec![false; turn_comps];
    for c in 0..turn_comps {
        let members = &turn_order[turn_starts[c] as usize..turn_starts[c + 1] as usize];
        cyclic[c] = members.len() > 1 || self_loop[members[0] as usize];
        members.iter().for_each(|&t| turn_comp[t as usize] = c as u32);
    }

    // Bucket 0 holds the endings (sinks); bucket 1 + c the situations of turn component c.
    let n = graph.states.len();
    let bucket_of = |s: u32| match graph.states[s as usize].at {
        Target::Ending(_) => 0,
        Target::Turn(t) => 1 + turn_comp[t] as usize,
    };
    let mut bucket_start = vec![0u32; turn_comps + 2];
    for s in 0..n as u32 {
        bucket_start[bucket_of(s) + 1] += 1;
    }
    for b in 0..=turn_comps {
        bucket_start[b + 1] += bucket_start[b];
    }
    let mut fill = bucket_start.clone();
    let mut sorted = vec![0u32; n];
    for s in 0..n as u32 {
        let b = bucket_of(s);
        sorted[fill[b] as usize] = s;
        fill[b] += 1;
    }

    let mut order = Vec::with_capacity(n);
    let mut starts = Vec::with_capacity(n + 1);
    let mut situations = Tarjan::new(if cyclic.iter().any(|&c| c) { n } else { 0 });
    for b in 0..=turn_comps {
        let members = &sorted[bucket_start[b] as usize..bucket_start[b + 1] as usize];
        if b > 0 && cyclic[b - 1] {
            for &s in members {
                situations.visit(s, &graph.edge_start, &graph.edges, |w| bucket_of(w) == b, &mut order, &mut starts);
            }
        } else {
            for &s in members {
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
    Components { order, starts, comp_of }
}

/// Per situation, whether some ending can still be reached from it. Sinks
/// first, a component can finish when one of its situations is an ending
/// or has an edge to one that can; every member of a component can reach
/// every other, so they share the answer.
fn can_finish(graph: &Graph, comps: &Components) -> Vec<bool> {
    let mut can = vec![false; graph.states.len()];
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

/// A partial score in the form dominance needs: one 4-bit field per rubric
/// item holding its rank (0–4), one for "no premature solution" and one for
/// "no red flag", with bit 3 of every field left clear as a borrow guard.
/// `a` is at least `b` in every field exactly when `((a | GUARD) - b) & GUARD == GUARD`.
type Key = u128;
const FIELDS: usize = Item::ALL.len() + 2;
const GUARD: Key = {
    let mut g: Key = 0;
    let mut i = 0;
    while i < FIELDS {
        g |= 8 << (4 * i);
        i += 1;
    }
    g
};

fn covers(a: Key, b: Key) -> bool {
    ((a | GUARD).wrapping_sub(b)) & GUARD == GUARD
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Highest,
    Lowest,
}

impl Direction {
    fn key(self, tally: &Tally) -> Key {
        let mut key: Key = 0;
        for (i, &item) in Item::ALL.iter().enumerate() {
            key |= (tally.rank(item) as Key) << (4 * i);
        }
        key |= (!tally.premature_solution as Key) << (4 * Item::ALL.len());
        // Red flags do not change a score; they only fail it, so whether
        // there was one is all the passing route needs, and only the
        // highest scores look for it.
        if self == Direction::Highest {
            key |= ((tally.red_flags == 0) as Key) << (4 * (Item::ALL.len() + 1));
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

/// Per turn and rubric item, what the rest of an encounter from that turn
/// could still record, with mood and flags ignored (every route counts as
/// open). Every real continuation is one of these relaxed paths, so the
/// bounds they give are safe: a partial score whose best possible finish
/// is already beaten on every objective can be dropped.
struct Futures {
    /// Highest evidence on the path that shows the most (−1: none can).
    most_high: Vec<[i8; ITEMS]>,
    /// Highest evidence on the path, among those that show the item at
    /// all, whose highest is lowest (4: no path shows it).
    least_high: Vec<[i8; ITEMS]>,
    /// Whether some path shows no evidence for the item at all.
    can_skip: Vec<[bool; ITEMS]>,
    /// Lowest evidence on the path whose lowest is highest (3 when a path shows none).
    most_low: Vec<[i8; ITEMS]>,
    /// Lowest evidence anywhere ahead (3 when none).
    least_low: Vec<[i8; ITEMS]>,
}

impl Futures {
    fn new(flow: &Flow) -> Futures {
        let turns = flow.turns.len();
        let mut f = Futures {
            most_high: vec![[-1; ITEMS]; turns],
            least_high: vec![[4; ITEMS]; turns],
            can_skip: vec![[false; ITEMS]; turns],
            most_low: vec![[-1; ITEMS]; turns],
            least_low: vec![[4; ITEMS]; turns],
        };
        // Per option: its evidence (−1 none) and every place it may lead.
        let mut options: Vec<Vec<([i8; ITEMS], Vec<Target>)>> = Vec::with_capacity(turns);
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); turns];
        for (t, turn) in flow.turns.iter().enumerate() {
            let mut here = Vec::with_capacity(turn.choices.len());
            for choice in &turn.choices {
                let mut evidence = [-1i8; ITEMS];
                for &(item, level) in &choice.evidence {
                    let level = level.min(LEVEL_MAX) as i8;
                    let slot = &mut evidence[item.index()];
                    // Several entries for one item aggregate as play would.
                    *slot = if *slot < 0 {
                        level
                    } else if item.aggregation() == Aggregation::Best {
                        (*slot).max(level)
                    } else {
                        (*slot).min(level)
                    };
                }
                let mut targets: Vec<Target> =
                    choice.routes.iter().chain(&turn.routes).chain(&flow.routes).map(|r| r.to).collect();
                targets.push(choice.next);
                targets.sort_unstable();
                targets.dedup();
                for to in &targets {
                    if let Target::Turn(n) = *to {
                        preds[n].push(t as u32);
                    }
                }
                here.push((evidence, targets));
            }
            options.push(here);
        }
        let mut queued = vec![true; turns];
        let mut work: Vec<u32> = (0..turns as u32).collect();
        while let Some(t) = work.pop() {
            queued[t as usize] = false;
            let (mut mh, mut lh, mut ml, mut ll) = ([-1i8; ITEMS], [4i8; ITEMS], [-1i8; ITEMS], [4i8; ITEMS]);
            let mut skip = [false; ITEMS];
            for (evidence, targets) in &options[t as usize] {
                for to in targets {
                    for i in 0..ITEMS {
                        let e = evidence[i];
                        let (nmh, nlh, nskip, nml, nll) = match *to {
                            Target::Ending(_) => (-1, 4, true, 3, 3),
                            Target::Turn(n) => (f.most_high[n][i], f.least_high[n][i], f.can_skip[n][i], f.most_low[n][i], f.least_low[n][i]),
                        };
                        let low = if e < 0 { 3 } else { e };
                        mh[i] = mh[i].max(e.max(nmh));
                        if e < 0 {
                            lh[i] = lh[i].min(nlh);
                            skip[i] |= nskip;
                        } else {
                            lh[i] = lh[i].min(e.max(nlh));
                            if nskip {
                                lh[i] = lh[i].min(e);
                            }
                        }
                        ml[i] = ml[i].max(low.min(nml));
                        ll[i] = ll[i].min(low.min(nll));
                    }
                }
            }
            let t = t as usize;
            if (mh, lh, skip, ml, ll) != (f.most_high[t], f.least_high[t], f.can_skip[t], f.most_low[t], f.least_low[t]) {
                (f.most_high[t], f.least_high[t], f.can_skip[t], f.most_low[t], f.least_low[t]) = (mh, lh, skip, ml, ll);
                for &p in &preds[t] {
                    if !queued[p as usize] {
                        queued[p as usize] = true;
                        work.push(p);
                    }
                }
            }
        }
        f
    }

    /// The best (or worst) score per objective that `tally` could still
    /// finish with from `turn`.
    fn bound(&self, tally: &Tally, turn: usize, direction: Direction) -> Bound {
        let mut finish = Tally::default();
        for item in Item::ALL {
            let i = item.index();
            let current = tally.level(item).map(|l| l as i8);
            let level = match (direction, item.aggregation()) {
                (Direction::Highest, Aggregation::Best) => current.unwrap_or(1).max(self.most_high[turn][i]),
                (Direction::Highest, Aggregation::Worst) => current.unwrap_or(3).min(self.most_low[turn][i]),
                (Direction::Lowest, Aggregation::Best) => {
                    let (shown, skip) = (self.least_high[turn][i], self.can_skip[turn][i]);
                    match current {
                        Some(l) => if skip { l } else { l.max(shown) },
                        None => if skip { shown.min(1) } else { shown },
                    }
                }
                (Direction::Lowest, Aggregation::Worst) => current.unwrap_or(2).min(self.least_low[turn][i]),
            };
            finish.record(item, level.clamp(0, LEVEL_MAX as i8) as u8);
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
        let card = tally.finish(vec![]);
        Bound { scores: Objective::ALL.map(|o| o.of(&card)), could_pass: card.passed && tally.red_flags == 0 }
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

/// Propagates undominated tallies through the components sources first,
/// so a situation's set is final before anything is sent on from it,
/// except inside a cycle, where labels go round until nothing new
/// survives. Returns the label arena and, per state, the surviving labels.
fn propagate(
    flow: &Flow,
    graph: &Graph,
    comps: &Components,
    futures: &Futures,
    start: Tally,
    direction: Direction,
) -> Result<(Vec<Label>, Vec<Vec<(Key, u32)>>), AnalyzeError> {
    let bound_at = |tally: &Tally, state: u32| match graph.states[state as usize].at {
        Target::Turn(t) => futures.bound(tally, t, direction),
        Target::Ending(_) => Bound::of(tally),
    };
    let mut labels = vec![Label { tally: start, state: 0, parent: NO_PARENT, choice: 0, steps: 0 }];
    let mut bounds = vec![bound_at(&start, 0)];
    let mut incumbent = Incumbent::new(direction);
    if graph.ending_of(0).is_some() {
        incumbent.record(&bounds[0]);
    }
    let mut alive = vec![true];
    let mut at: Vec<Vec<(Key, u32)>> = vec![Vec::new(); graph.states.len()];
    at[0].push((direction.key(&start), 0));
    let mut queue: VecDeque<u32> = VecDeque::new();
    // Sources first: the reverse of Tarjan's order.
    for c in (0..comps.starts.len() - 1).rev() {
        for &s in &comps.order[comps.starts[c] as usize..comps.starts[c + 1] as usize] {
            queue.extend(at[s as usize].iter().map(|&(_, l)| l));
        }
        while let Some(label_id) = queue.pop_front() {
            // Dominated since it was queued, or beaten by a route found since.
            if !alive[label_id as usize] || incumbent.beats(&bounds[label_id as usize]) {
                continue;
            }
            let label = labels[label_id as usize];
            let state = graph.states[label.state as usize];
            for (choice, &next) in graph.successors(label.state).iter().enumerate() {
                let mut tally = label.tally;
                let _ = flow.step(&state, choice, false, &mut tally);
                let key = direction.key(&tally);
                let existing = &mut at[next as usize];
                if existing.iter().any(|&(k, _)| direction.dominates(k, key)) {
                    continue;
                }
                let bound = bound_at(&tally, next);
                if incumbent.beats(&bound) {
                    continue;
                }
                existing.retain(|&(k, l)| {
                    let keep = !direction.dominates(key, k);
                    if !keep {
                        alive[l as usize] = false;
                    }
                    keep
                });
                if labels.len() >= MAX_LABELS {
                    return Err(AnalyzeError::TooManyScores);
                }
                let id = labels.len() as u32;
                labels.push(Label { tally, state: next, parent: label_id, choice: choice as u16, steps: label.steps + 1 });
                bounds.push(bound);
                alive.push(true);
                existing.push((key, id));
                if graph.ending_of(next as usize).is_some() {
                    incumbent.record(&bound);
                } else if comps.comp_of[next as usize] == c as u32 {
                    queue.push_back(id);
                }
            }
        }
    }
    Ok((labels, at))
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
fn finals(graph: &Graph, labels: &[Label], at: &[Vec<(Key, u32)>]) -> Vec<(u32, usize, ScoreCard)> {
    (0..graph.states.len())
        .filter_map(|state| graph.ending_of(state).map(|e| (state, e)))
        .flat_map(|(state, ending)| at[state].iter().map(move |&(_, l)| (l, ending, labels[l as usize].tally.finish(vec![]))))
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
            })
        })
        .collect()
}

pub fn analyze(script: &Script) -> Result<Analysis, AnalyzeError> {
    let flow = &script.flow;
    let graph = explore(flow, flow.initial())?;
    let n = graph.states.len();

    let mut reachable_turns = vec![false; flow.turns.len()];
    let mut reachable_endings = vec![false; flow.ending_count];
    let mut reachable_options: Vec<Vec<bool>> =
        flow.turns.iter().map(|t| vec![false; t.choices.len()]).collect();
    for state in &graph.states {
        match state.at {
            Target::Turn(t) => {
                if !reachable_turns[t] {
                    reachable_turns[t] = true;
                    reachable_options[t].iter_mut().for_each(|o| *o = true);
                }
            }
            Target::Ending(e) => reachable_endings[e] = true,
        }
    }

    let comps = components(flow, &graph);
    let can_finish = can_finish(&graph, &comps);
    let mut stuck_turns: Vec<usize> = graph
        .states
        .iter()
        .zip(&can_finish)
        .filter_map(|(s, ok)| match (s.at, ok) {
            (Target::Turn(t), false) => Some(t),
            _ => None,
        })
        .collect();
    stuck_turns.sort_unstable();
    stuck_turns.dedup();

    let futures = Futures::new(flow);
    let (max_labels, max_at) = propagate(flow, &graph, &comps, &futures, Tally::default(), Direction::Highest)?;
    let max_finals = finals(&graph, &max_labels, &max_at);
    let max = extremes(script, &max_labels, &max_finals, true);
    let (min_labels, min_at) = propagate(flow, &graph, &comps, &futures, Tally::default(), Direction::Lowest)?;
    let min = extremes(script, &min_labels, &finals(&graph, &min_labels, &min_at), false);

    // Passing is monotone in every item and in having no red flag, so if
    // any route passes, an undominated one does.
    let passing_route = max_finals
        .iter()
        .filter(|(l, _, card)| max_labels[*l as usize].tally.red_flags == 0 && card.passed)
        .max_by(|a, b| {
            a.2.overall.total_cmp(&b.2.overall).then(max_labels[b.0 as usize].steps.cmp(&max_labels[a.0 as usize].steps))
        })
        .map(|&(l, ending, ref card)| Extreme {
            objective: Objective::Overall,
            score: card.overall,
            route: route_of(&max_labels, l),
            ending: script.scenario.endings[ending].id.clone(),
            red_flags: 0,
        });

    Ok(Analysis {
        situations: n,
        labels: max_labels.len() + min_labels.len(),
        reachable_turns,
        reachable_endings,
        stuck_turns,
        max,
        min,
        passing_route,
        reachable_options,
    })
}

/// The best and worst overall score still reachable after playing `route`
/// (zero-based choices, untimed) from the start, evidence so far included.
/// Used by the class-vote debrief to show what an option not followed would
/// have led to. Routes are relative to `route`'s end; only scores are kept.
pub fn bounds_after(script: &Script, route: &[usize]) -> Result<(f32, f32), AnalyzeError> {
    let flow = &script.flow;
    let mut state = flow.initial();
    let mut tally = Tally::default();
    for &choice in route {
        let Target::Turn(turn) = state.at else { break };
        if choice >= flow.turns[turn].choices.len() {
            break;
        }
        state = flow.step(&state, choice, false, &mut tally).0;
    }
    let graph = explore(flow, state)?;
    let comps = components(flow, &graph);
    let futures = Futures::new(flow);
    let (max_labels, max_at) = propagate(flow, &graph, &comps, &futures, tally, Direction::Highest)?;
    let (min_labels, min_at) = propagate(flow, &graph, &comps, &futures, tally, Direction::Lowest)?;
    let best = extremes(script, &max_labels, &finals(&graph, &max_labels, &max_at), true);
    let worst = extremes(script, &min_labels, &finals(&graph, &min_labels, &min_at), false);
    let overall = |e: &[Extreme]| e.iter().find(|x| x.objective == Objective::Overall).map(|x| x.score);
    match (overall(&best), overall(&worst)) {
        (Some(b), Some(w)) => Ok((b, w)),
        // No ending is reachable from here: the analysis has nothing to say.
        _ => Err(AnalyzeError::NoEnding),
    }
}
