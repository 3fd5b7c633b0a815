//! Exams (考核): a file a trainer writes beside the scenarios
//! (`exams/*.ron` in a scenario folder, as `city/` and `knowledge/` are),
//! naming a pool of scenarios, how many each candidate draws, time limits,
//! the pass mark, retake rules and when the debrief is shown.
//!
//! `load` reads and checks exam files against a library (located
//! diagnostics, like scenario files); `draw` is the candidate's draw, a
//! pure function of the employee number, the exam and the sitting number;
//! `judge` turns a sitting's stored attempts into a pass/fail sheet.
//! Storing sittings is the records store's job (`records::store`).

pub mod draw;
pub mod judge;
pub mod load;

use crate::play::rubric::{Dimension, Rating};
use crate::scenario::model::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where exam files sit, relative to a folder of scenario files.
pub const EXAMS_DIR: &str = "exams";

/// An exam file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exam {
    /// Lowercase letters, digits and `-`; unique among exam files.
    pub id: String,
    /// Raised by the trainer whenever the pool, the marks or the limits
    /// change; each sitting keeps the version it was sat under.
    pub version: u32,
    pub title: Text,
    #[serde(default)]
    pub description: Text,
    /// The scenarios a candidate's draw is taken from.
    pub pool: Vec<PoolEntry>,
    /// How many scenarios each candidate draws from the pool.
    pub draw: u32,
    pub time: TimeLimits,
    #[serde(default)]
    pub pass: PassMark,
    #[serde(default)]
    pub retakes: Retakes,
    #[serde(default)]
    pub debrief: DebriefPolicy,
}

/// One scenario of the pool, with the personas it may be played as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolEntry {
    pub scenario: String,
    /// Persona ids the draw picks one of; empty: the attempt's seed picks,
    /// as in practice.
    #[serde(default)]
    pub personas: Vec<String>,
}

/// Minutes per drawn scenario and for the whole exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLimits {
    pub per_scenario_minutes: u32,
    pub exam_minutes: u32,
}

/// What a drawn scenario needs to pass, and how many of them the exam needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassMark {
    /// Overall score, 0–100.
    #[serde(default = "default_overall")]
    pub overall: f32,
    /// Every dimension at least this.
    #[serde(default = "default_each_dimension")]
    pub each_dimension: f32,
    /// Higher marks for some dimensions, e.g. `{Empathy: 60}`.
    #[serde(default)]
    pub dimensions: BTreeMap<Dimension, f32>,
    /// The citizen's rating must be at least this.
    #[serde(default = "default_rating")]
    pub rating: Rating,
    /// A red flag fails the scenario.
    #[serde(default = "yes")]
    pub no_red_flag: bool,
    /// How many drawn scenarios must pass; all of them when absent.
    #[serde(default)]
    pub scenarios: Option<u32>,
}

fn default_overall() -> f32 {
    70.0
}
fn default_each_dimension() -> f32 {
    40.0
}
fn default_rating() -> Rating {
    Rating::BasicallySatisfied
}
fn yes() -> bool {
    true
}

impl Default for PassMark {
    /// The practice pass rule (docs/scoring.md section 8).
    fn default() -> PassMark {
        PassMark {
            overall: default_overall(),
            each_dimension: default_each_dimension(),
            dimensions: BTreeMap::new(),
            rating: default_rating(),
            no_red_flag: true,
            scenarios: None,
        }
    }
}

impl PassMark {
    /// The mark `dim` must reach: its own, else the one for every dimension.
    pub(crate) fn for_dimension(&self, dim: Dimension) -> f32 {
        self.dimensions.get(&dim).copied().unwrap_or(self.each_dimension).max(self.each_dimension)
    }
}

/// How often a candidate may sit the exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retakes {
    /// Sittings allowed in all, the first included.
    #[serde(default = "default_sittings")]
    pub sittings: u32,
    /// Days to wait after a sitting before the next.
    #[serde(default)]
    pub wait_days: u32,
}

fn default_sittings() -> u32 {
    2
}

impl Default for Retakes {
    fn default() -> Retakes {
        Retakes { sittings: default_sittings(), wait_days: 0 }
    }
}

/// When the candidate sees the turn-by-turn debrief.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DebriefPolicy {
    /// With the result sheet, at the end of the sitting.
    AtEnd,
    /// Only the result sheet at the end; the debrief once the trainer
    /// releases the sitting.
    #[default]
    WhenReleased,
}

impl Exam {
    /// The pool entry of `scenario`.
    pub fn entry(&self, scenario: &str) -> Option<&PoolEntry> {
        self.pool.iter().find(|e| e.scenario == scenario)
    }
}
