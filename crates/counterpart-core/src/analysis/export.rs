//! Graph exports of a scenario for trainers: Graphviz DOT and Mermaid,
//! drawn from the shared `graph::ScenarioGraph`.
//! Turns are nodes, options are edges coloured by quality, endings are
//! marked by outcome, and parts that can never be reached are greyed out.

use crate::analysis::analyze::Analysis;
pub use crate::analysis::graph::Quality;
use crate::analysis::graph::{EdgeKind, scenario_graph};
use crate::play::engine::Script;
use crate::scenario::model::{Lang, Outcome};
use std::fmt::Write;
use std::sync::Arc;

fn outcome_colour(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Resolved => "#c8e6c9",
        Outcome::Escalated => "#fff3c4",
        Outcome::WalkedOut | Outcome::HungUp => "#ffcdd2",
        Outcome::FormalComplaint => "#f8bbd0",
    }
}

fn escape_dot(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', " ")
}

fn short(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// Every edge of the scenario as the exports draw it: (from turn, option
/// index or None for a route, target id, label).
fn edges(script: &Arc<Script>) -> Vec<(usize, Option<usize>, String, String)> {
    let s = &script.scenario;
    let graph = scenario_graph(script, None);
    let id_of = |node: usize| if graph.is_turn(node) { s.turns[node].id.clone() } else { s.endings[node - graph.turns].id.clone() };
    graph
        .edges
        .iter()
        .map(|e| {
            let label = match (e.kind, e.option) {
                (EdgeKind::Next, Some(o)) => format!("{}. {}", o + 1, s.turns[e.from].options[o].id),
                (EdgeKind::OptionRoute, Some(o)) => format!("{}. {} (if …)", o + 1, s.turns[e.from].options[o].id),
                _ => "if …".into(),
            };
            (e.from, e.option, id_of(e.to), label)
        })
        .collect()
}

pub fn to_dot(script: &Arc<Script>, analysis: Option<&Analysis>, lang: Lang) -> String {
    let s = &script.scenario;
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", escape_dot(&s.id));
    let _ = writeln!(out, "  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Noto Sans SC\"];\n  edge [fontname=\"Noto Sans SC\", fontsize=10];");
    let _ = writeln!(out, "  \"__start\" [shape=circle, label=\"\", width=0.25, fillcolor=\"#000000\"];\n  \"__start\" -> \"{}\";", escape_dot(&s.start));
    for (t, turn) in s.turns.iter().enumerate() {
        let reached = analysis.is_none_or(|a| a.reachable_turns[t]);
        let said = turn.says.first().and_then(|l| l.variants.first()).map(|v| v.get(lang)).unwrap_or("");
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n{}\"{}];",
            escape_dot(&turn.id),
            escape_dot(&turn.id),
            escape_dot(&short(said, 24)),
            if reached { "" } else { ", fillcolor=\"#e0e0e0\", fontcolor=\"#757575\", style=\"rounded,filled,dashed\"" }
        );
    }
    for ending in &s.endings {
        let _ = writeln!(
            out,
            "  \"{}\" [shape=doubleoctagon, fillcolor=\"{}\", label=\"{}\\n{}\"];",
            escape_dot(&ending.id),
            outcome_colour(ending.outcome),
            escape_dot(&ending.id),
            escape_dot(ending.outcome.label().get(lang))
        );
    }
    for (t, option, to, label) in edges(script) {
        let from = escape_dot(&s.turns[t].id);
        match option {
            Some(o) => {
                let quality = Quality::of(script, t, o);
                let style = if quality == Quality::RedFlag { ", style=bold, penwidth=2" } else { "" };
                let _ = writeln!(
                    out,
                    "  \"{from}\" -> \"{}\" [label=\"{}\", color=\"{}\", fontcolor=\"{}\"{style}];",
                    escape_dot(&to),
                    escape_dot(&label),
                    quality.colour(),
                    quality.colour()
                );
            }
            None => {
                let _ = writeln!(out, "  \"{from}\" -> \"{}\" [label=\"{}\", style=dashed, color=\"#616161\"];", escape_dot(&to), escape_dot(&label));
            }
        }
    }
    out.push_str("}\n");
    out
}

/// Mermaid ids must be plain; scenario ids may contain '-'.
fn mermaid_id(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

fn escape_mermaid(text: &str) -> String {
    text.replace('"', "#quot;").replace('\n', " ")
}

pub fn to_mermaid(script: &Arc<Script>, analysis: Option<&Analysis>, lang: Lang) -> String {
    let s = &script.scenario;
    let mut out = String::from("flowchart TD\n");
    let _ = writeln!(out, "  start((\" \")) --> {}", mermaid_id(&s.start));
    for (t, turn) in s.turns.iter().enumerate() {
        let said = turn.says.first().and_then(|l| l.variants.first()).map(|v| v.get(lang)).unwrap_or("");
        let _ = writeln!(out, "  {}[\"{}<br/>{}\"]", mermaid_id(&turn.id), escape_mermaid(&turn.id), escape_mermaid(&short(said, 24)));
        if analysis.is_some_and(|a| !a.reachable_turns[t]) {
            let _ = writeln!(out, "  class {} unreachable", mermaid_id(&turn.id));
        }
    }
    for ending in &s.endings {
        let _ = writeln!(out, "  {}{{{{\"{}<br/>{}\"}}}}", mermaid_id(&ending.id), escape_mermaid(&ending.id), escape_mermaid(ending.outcome.label().get(lang)));
        let class = match ending.outcome {
            Outcome::Resolved => "resolved",
            Outcome::Escalated => "escalated",
            _ => "failed",
        };
        let _ = writeln!(out, "  class {} {class}", mermaid_id(&ending.id));
    }
    let mut styles = Vec::new();
    for (index, (t, option, to, label)) in edges(script).into_iter().enumerate() {
        let arrow = if option.is_some() { "-->" } else { "-.->" };
        let _ = writeln!(out, "  {} {arrow}|\"{}\"| {}", mermaid_id(&s.turns[t].id), escape_mermaid(&label), mermaid_id(&to));
        let colour = option.map_or("#616161", |o| Quality::of(script, t, o).colour());
        styles.push(format!("  linkStyle {index} stroke:{colour},color:{colour}"));
    }
    for style in styles {
        out.push_str(&style);
        out.push('\n');
    }
    out.push_str("  classDef unreachable fill:#e0e0e0,color:#757575,stroke-dasharray:4\n");
    out.push_str("  classDef resolved fill:#c8e6c9\n  classDef escalated fill:#fff3c4\n  classDef failed fill:#ffcdd2\n");
    out
}
