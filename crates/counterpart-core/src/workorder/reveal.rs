//! Which facts the caller revealed in one attempt. A fact said only on
//! some routes counts only when this attempt went that way: an order is
//! judged on what the trainee could have heard, never on the script.

use crate::play::engine::Encounter;
use crate::scenario::model::{Reveal, Scenario, WorkOrderTruth};

/// The (turn index, line index in `says`) the citizen said in `encounter`,
/// in order: every answered turn, and the turn being faced now.
pub fn heard(encounter: &Encounter) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = encounter.steps().iter().map(|s| (s.turn, s.line.0)).collect();
    if let Some(prompt) = encounter.prompt() {
        // The prompt shows one wording of one line; find which line.
        let line = prompt.turn.says.iter().position(|l| l.variants.iter().any(|v| std::ptr::eq(v, prompt.said)));
        if let Some(line) = line {
            out.push((prompt.turn_index, line));
        }
    }
    out
}

/// Indices into `truth.facts` of the facts revealed by what was `heard`.
/// Reveals naming unknown turns or lines reveal nothing (validation
/// reports them), so an edited scenario cannot make this fail.
pub fn revealed_facts(scenario: &Scenario, truth: &WorkOrderTruth, heard: &[(usize, usize)]) -> Vec<usize> {
    let turn_index = |id: &str| scenario.turns.iter().position(|t| t.id == id);
    truth
        .facts
        .iter()
        .enumerate()
        .filter(|(_, fact)| {
            fact.revealed.iter().any(|r| match r {
                Reveal::Turn(t) => turn_index(t).is_some_and(|t| heard.iter().any(|h| h.0 == t)),
                // Lines are counted from 1 in the file.
                Reveal::Line(t, line) => turn_index(t).is_some_and(|t| line.checked_sub(1).is_some_and(|l| heard.contains(&(t, l)))),
            })
        })
        .map(|(i, _)| i)
        .collect()
}
