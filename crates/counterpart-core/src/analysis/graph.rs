//! The scenario as a graph, built once for everything that draws it (the
//! author view, the DOT and Mermaid exports): nodes are turns then endings,
//! edges are options and routes coloured by quality, with what the analysis
//! knows — which parts can be reached, rows by distance from the start, and
//! the best route replayed so each step knows where it led.

use crate::analysis::analyze::{Analysis, Objective};
use crate::play::engine::{Encounter, Script, option_quality};
use crate::play::flow::Target;
use std::collections::VecDeque;
use std::sync::Arc;

/// How good an option is, as graphs colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    Good,
    Mixed,
    Poor,
    RedFlag,
}

impl Quality {
    pub fn of(script: &Script, turn: usize, option: usize) -> Quality {
        if script.scenario.turns[turn].options[option].red_flag.is_some() {
            return Quality::RedFlag;
        }
        match option_quality(script, turn, option) {
            67.. => Quality::Good,
            34..=66 => Quality::Mixed,
            _ => Quality::Poor,
        }
    }

    pub fn colour(self) -> &'static str {
        match self {
            Quality::Good => "#2e7d32",
            Quality::Mixed => "#ef8f00",
            Quality::Poor => "#c62828",
            Quality::RedFlag => "#6a1b9a",
        }
    }
}

/// What an edge is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// An option's `next`.
    Next,
    /// One of an option's own routes.
    OptionRoute,
    /// One of the turn's routes.
    TurnRoute,
    /// A scenario-wide route, checked after every answer.
    ScenarioRoute,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphEdge {
    /// The turn the edge leaves.
    pub from: usize,
    /// The node it leads to: a turn index, or `turns + ending index`.
    pub to: usize,
    /// The option taken, None for a turn's or the scenario's route.
    pub option: Option<usize>,
    pub kind: EdgeKind,
    /// None for a route.
    pub quality: Option<Quality>,
    /// Whether some reachable situation can take this edge (true when the
    /// scenario was not analysed).
    pub reachable: bool,
    /// Whether the best route takes it.
    pub on_best: bool,
}

/// The best route by overall score, replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct BestRoute {
    pub score: f32,
    /// (turn, option, node it led to) per answer.
    pub steps: Vec<(usize, usize, usize)>,
    /// The ending reached, as an index into the endings.
    pub ending: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioGraph {
    pub turns: usize,
    pub endings: usize,
    /// In file order: per turn, each option's next and routes, then the
    /// turn's routes and the scenario's.
    pub edges: Vec<GraphEdge>,
    /// Per node, its row: breadth-first distance from the start over
    /// turn-to-turn edges; turns no edge reaches one row below the deepest;
    /// endings in the last row.
    pub rows: Vec<usize>,
    /// Per node, whether it can be reached.
    pub reachable: Vec<bool>,
    /// Per turn and option, whether some reachable situation offers it.
    pub reachable_options: Vec<Vec<bool>>,
    pub best: Option<BestRoute>,
}

impl ScenarioGraph {
    pub fn node_of(&self, target: Target) -> usize {
        match target {
            Target::Turn(t) => t,
            Target::Ending(e) => self.turns + e,
        }
    }

    pub fn is_turn(&self, node: usize) -> bool {
        node < self.turns
    }

    /// Whether the best route passes through `node`.
    pub fn on_best_route(&self, node: usize) -> bool {
        self.best.as_ref().is_some_and(|b| b.steps.iter().any(|&(t, _, next)| t == node || next == node))
    }

    /// Whether the best route answers turn `turn` with option `option`.
    pub fn best_takes(&self, turn: usize, option: usize) -> bool {
        self.best.as_ref().is_some_and(|b| b.steps.iter().any(|&(t, o, _)| t == turn && o == option))
    }
}

/// The graph of `script`; `analysis` (the main persona's) adds
/// reachability and the best route.
pub fn scenario_graph(script: &Arc<Script>, analysis: Option<&Analysis>) -> ScenarioGraph {
    let s = &script.scenario;
    let flow = &script.flow;
    let turns = s.turns.len();
    let endings = s.endings.len();
    let node = |target: Target| match target {
        Target::Turn(t) => t,
        Target::Ending(e) => turns + e,
    };
    let mut edges = Vec::new();
    for (t, turn) in flow.turns.iter().enumerate() {
        for (o, choice) in turn.choices.iter().enumerate() {
            let quality = Some(Quality::of(script, t, o));
            edges.push(GraphEdge { from: t, to: node(choice.next), option: Some(o), kind: EdgeKind::Next, quality, reachable: true, on_best: false });
            for route in &choice.routes {
                edges.push(GraphEdge { from: t, to: node(route.to), option: Some(o), kind: EdgeKind::OptionRoute, quality, reachable: true, on_best: false });
            }
        }
        for route in &turn.routes {
            edges.push(GraphEdge { from: t, to: node(route.to), option: None, kind: EdgeKind::TurnRoute, quality: None, reachable: true, on_best: false });
        }
        for route in &flow.routes {
            edges.push(GraphEdge { from: t, to: node(route.to), option: None, kind: EdgeKind::ScenarioRoute, quality: None, reachable: true, on_best: false });
        }
    }

    // Rows by distance from the start, over a turn's own edges.
    let mut layer: Vec<Option<usize>> = vec![None; turns];
    let mut queue = VecDeque::new();
    if let Target::Turn(start) = flow.start {
        layer[start] = Some(0);
        queue.push_back(start);
    }
    while let Some(t) = queue.pop_front() {
        let depth = layer[t].unwrap_or(0);
        for edge in edges.iter().filter(|e| e.from == t && e.to < turns && e.kind != EdgeKind::ScenarioRoute) {
            if layer[edge.to].is_none() {
                layer[edge.to] = Some(depth + 1);
                queue.push_back(edge.to);
            }
        }
    }
    let deepest = layer.iter().flatten().copied().max().unwrap_or(0);
    let stray_row = deepest + 1;
    let ending_row = if layer.iter().any(Option::is_none) { stray_row + 1 } else { stray_row };
    let mut rows: Vec<usize> = layer.iter().map(|l| l.unwrap_or(stray_row)).collect();
    rows.extend(std::iter::repeat_n(ending_row, endings));

    let mut reachable: Vec<bool> = match analysis {
        Some(a) => a.reachable_turns.iter().chain(&a.reachable_endings).copied().collect(),
        None => vec![true; turns + endings],
    };
    reachable.resize(turns + endings, true);
    let reachable_options = match analysis {
        Some(a) => a.reachable_options.clone(),
        None => s.turns.iter().map(|t| vec![true; t.options.len()]).collect(),
    };

    // The best route: replayed, so every step knows where it led.
    let best = analysis.and_then(|a| a.best(Objective::Overall)).and_then(|best| {
        let replay = Encounter::replay(script.clone(), 0, &best.route).ok()?;
        let ending = replay.ending().and_then(|e| s.endings.iter().position(|x| x.id == e.id));
        let steps = replay.steps();
        let steps = steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let next = match steps.get(i + 1) {
                    Some(n) => n.turn,
                    None => ending.map_or(usize::MAX, |e| turns + e),
                };
                (step.turn, step.choice, next)
            })
            .collect();
        Some(BestRoute { score: best.score, steps, ending })
    });

    let option_reachable = |t: usize, o: usize| reachable_options.get(t).and_then(|v| v.get(o)).copied().unwrap_or(true);
    for edge in &mut edges {
        edge.reachable = reachable[edge.from] && edge.option.is_none_or(|o| option_reachable(edge.from, o)) && reachable.get(edge.to).copied().unwrap_or(true);
        edge.on_best = edge.option.is_some_and(|o| best.as_ref().is_some_and(|b| b.steps.contains(&(edge.from, o, edge.to))));
    }
    ScenarioGraph { turns, endings, edges, rows, reachable, reachable_options, best }
}
