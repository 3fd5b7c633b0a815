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

use super::engine::Script;
use super::flow::{State, Target};
use super::model::Mood;
use super::rubric::Dimension;
use super::score::{ScoreCard, Tally};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use thiserror::Error;

/// Analysis gives up past this many distinct situations or partial scores,
/// so a scenario with a loop that keeps shifting the mood cannot stall
/// loading; such a scenario is reported as too large to analyse.
pub const MAX_STATES: usize = 300_000;
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

struct Graph {
    states: Vec<State>,
    /// For each state, the successor per choice (empty for endings).
    edges: Vec<Vec<u32>>,
    /// `Some(ending)` for ending states.
    ending_of: Vec<Option<usize>>,
}

fn explore(script: &Script, start: State) -> Result<Graph, AnalyzeError> {
    let flow = &script.flow;
    let mut index: HashMap<State, u32> = HashMap::new();
    let mut graph = Graph { states: Vec::new(), edges: Vec::new(), ending_of: Vec::new() };
    // Mood and flags no longer matter once the encounter has ended.
    let normalise = |s: State| match s.at {
        Target::Ending(_) => State { at: s.at, mood: Mood { upset: 0, trust: 0 }, flags: 0 },
        Target::Turn(_) => s,
    };
    let mut intern = |s: State, graph: &mut Graph, queue: &mut VecDeque<u32>| -> Result<u32, AnalyzeError> {
        let s = normalise(s);
        if let Some(&id) = index.get(&s) {
            return Ok(id);
        }
        if graph.states.len() >= MAX_STATES {
            return Err(AnalyzeError::TooLarge);
        }
        let id = graph.states.len() as u32;
        index.insert(s, id);
        graph.states.push(s);
        graph.edges.push(Vec::new());
        graph.ending_of.push(match s.at {
            Target::Ending(e) => Some(e),
            Target::Turn(_) => None,
        });
        queue.push_back(id);
        Ok(id)
    };
    let mut queue = VecDeque::new();
    intern(start, &mut graph, &mut queue)?;
    let mut scratch = Tally::default();
    while let Some(id) = queue.pop_front() {
        let state = graph.states[id as usize];
        let Target::Turn(turn) = state.at else { continue };
        let mut successors = Vec::with_capacity(flow.turns[turn].choices.len());
        for choice in 0..flow.turns[turn].choices.len() {
            let (next, _) = flow.step(&state, choice, false, &mut scratch);
            successors.push(intern(next, &mut graph, &mut queue)?);
        }
        graph.edges[id as usize] = successors;
    }
    Ok(graph)
}

#[derive(Clone, Copy)]
struct Label {
    tally: Tally,
    parent: u32,
    choice: u16,
}

const NO_PARENT: u32 = u32::MAX;

/// Propagates undominated tallies; `better(a, b)` means a is at least as
/// good as b for this direction. Returns the label arena and, per state,
/// the surviving label ids.
fn propagate(script: &Script, graph: &Graph, start: Tally, better: fn(&Tally, &Tally) -> bool) -> Result<(Vec<Label>, Vec<Vec<u32>>), AnalyzeError> {
    let flow = &script.flow;
    let mut labels = vec![Label { tally: start, parent: NO_PARENT, choice: 0 }];
    let mut at: Vec<Vec<u32>> = vec![Vec::new(); graph.states.len()];
    let mut label_state = vec![0u32];
    at[0].push(0);
    let mut queue: VecDeque<u32> = VecDeque::from([0]);
    while let Some(label_id) = queue.pop_front() {
        let state_id = label_state[label_id as usize];
        if !at[state_id as usize].contains(&label_id) {
            continue; // dominated since it was queued
        }
        let state = graph.states[state_id as usize];
        let label = labels[label_id as usize];
        for (choice, &next) in graph.edges[state_id as usize].iter().enumerate() {
            let mut tally = label.tally;
            let _ = flow.step(&state, choice, false, &mut tally);
            let existing = &mut at[next as usize];
            if existing.iter().any(|&e| better(&labels[e as usize].tally, &tally)) {
                continue;
            }
            existing.retain(|&e| !better(&tally, &labels[e as usize].tally));
            if labels.len() >= MAX_LABELS {
                return Err(AnalyzeError::TooManyScores);
            }
            let id = labels.len() as u32;
            labels.push(Label { tally, parent: label_id, choice: choice as u16 });
            label_state.push(next);
            existing.push(id);
            queue.push_back(id);
        }
    }
    Ok((labels, at))
}

fn route_of(labels: &[Label], mut id: u32) -> Vec<usize> {
    let mut route = Vec::new();
    while labels[id as usize].parent != NO_PARENT {
        route.push(labels[id as usize].choice as usize);
        id = labels[id as usize].parent;
    }
    route.reverse();
    route
}

fn extremes(
    script: &Script,
    graph: &Graph,
    labels: &[Label],
    at: &[Vec<u32>],
    highest: bool,
) -> Vec<Extreme> {
    let finals: Vec<(u32, usize, ScoreCard)> = graph
        .ending_of
        .iter()
        .enumerate()
        .filter_map(|(state, ending)| ending.map(|e| (state, e)))
        .flat_map(|(state, ending)| {
            at[state].iter().map(move |&l| (l, ending, labels[l as usize].tally.finish(vec![])))
        })
        .collect();
    Objective::ALL
        .iter()
        .filter_map(|&objective| {
            let pick = finals.iter().min_by(|a, b| {
                let (sa, sb) = (objective.of(&a.2), objective.of(&b.2));
                let by_score = if highest { sb.total_cmp(&sa) } else { sa.total_cmp(&sb) };
                // Ties: the shorter route is easier to show and to replay.
                by_score.then_with(|| route_of(labels, a.0).len().cmp(&route_of(labels, b.0).len()))
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
    let graph = explore(script, script.flow.initial())?;
    let flow = &script.flow;

    let mut reachable_turns = vec![false; flow.turns.len()];
    let mut reachable_endings = vec![false; flow.ending_count];
    let mut reachable_options: Vec<Vec<bool>> =
        flow.turns.iter().map(|t| vec![false; t.choices.len()]).collect();
    for state in &graph.states {
        match state.at {
            Target::Turn(t) => {
                reachable_turns[t] = true;
                reachable_options[t].iter_mut().for_each(|o| *o = true);
            }
            Target::Ending(e) => reachable_endings[e] = true,
        }
    }

    // Situations from which some ending can still be reached.
    let mut reverse: Vec<Vec<u32>> = vec![Vec::new(); graph.states.len()];
    for (from, successors) in graph.edges.iter().enumerate() {
        for &to in successors {
            reverse[to as usize].push(from as u32);
        }
    }
    let mut can_finish = vec![false; graph.states.len()];
    let mut queue: VecDeque<u32> = (0..graph.states.len() as u32)
        .filter(|&s| graph.ending_of[s as usize].is_some())
        .collect();
    for &s in &queue {
        can_finish[s as usize] = true;
    }
    while let Some(s) = queue.pop_front() {
        for &p in &reverse[s as usize] {
            if !can_finish[p as usize] {
                can_finish[p as usize] = true;
                queue.push_back(p);
            }
        }
    }
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

    let (max_labels, max_at) = propagate(script, &graph, Tally::default(), Tally::at_least_as_good)?;
    let max = extremes(script, &graph, &max_labels, &max_at, true);
    let (min_labels, min_at) = propagate(script, &graph, Tally::default(), Tally::at_most_as_good)?;
    let min = extremes(script, &graph, &min_labels, &min_at, false);

    // Passing is monotone in every item and in fewer red flags, so if any
    // route passes, an undominated one does.
    let passing_route = graph
        .ending_of
        .iter()
        .enumerate()
        .filter_map(|(state, ending)| ending.map(|e| (state, e)))
        .flat_map(|(state, ending)| max_at[state].iter().map(move |&l| (l, ending)))
        .filter_map(|(l, ending)| {
            let tally = max_labels[l as usize].tally;
            let card = tally.finish(vec![]);
            (tally.red_flags == 0 && card.passed).then(|| Extreme {
                objective: Objective::Overall,
                score: card.overall,
                route: route_of(&max_labels, l),
                ending: script.scenario.endings[ending].id.clone(),
                red_flags: 0,
            })
        })
        .max_by(|a, b| a.score.total_cmp(&b.score).then(b.route.len().cmp(&a.route.len())));

    Ok(Analysis {
        situations: graph.states.len(),
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
    let graph = explore(script, state)?;
    let (max_labels, max_at) = propagate(script, &graph, tally, Tally::at_least_as_good)?;
    let (min_labels, min_at) = propagate(script, &graph, tally, Tally::at_most_as_good)?;
    let best = extremes(script, &graph, &max_labels, &max_at, true);
    let worst = extremes(script, &graph, &min_labels, &min_at, false);
    let overall = |e: &[Extreme]| e.iter().find(|x| x.objective == Objective::Overall).map(|x| x.score);
    match (overall(&best), overall(&worst)) {
        (Some(b), Some(w)) => Ok((b, w)),
        // No ending is reachable from here: the analysis has nothing to say.
        _ => Err(AnalyzeError::NoEnding),
    }
}
