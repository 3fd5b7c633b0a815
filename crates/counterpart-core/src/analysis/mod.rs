//! What only exploring every route reveals: best and worst routes per
//! persona, the gameability check, graph export and generated scenarios.

pub mod analyze;
pub mod export;
pub mod gameability;
pub mod generate;
pub mod graph;
