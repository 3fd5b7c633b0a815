//! The domain core: scenario model, loading, validation, analysis, engine
//! and scoring. Plain data and pure functions; no Bevy, no global state.
//! Everything here is shared by the CLI, the app and the tests.

pub mod analyze;
pub mod diag;
pub mod drill;
pub mod engine;
pub mod export;
pub mod flow;
pub mod gameability;
pub mod generate;
pub mod load;
pub mod model;
pub mod progress;
#[cfg(test)]
mod properties;
pub mod records;
pub mod reload;
pub mod report;
pub mod rubric;
pub mod scaffold;
pub mod score;
pub mod translate;
pub mod validate;
pub mod xapi;
