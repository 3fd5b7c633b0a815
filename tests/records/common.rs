//! Shared helpers: the frozen reference scenario, its best route, and
//! playing and recording an attempt as the app does.

pub use counterpart_core::analysis::analyze::{Objective, analyze};
pub use counterpart_core::library::Library;
pub use counterpart_core::library::load::load_file;
pub use counterpart_core::play::engine::{Encounter, Script};
pub use counterpart_core::play::score::AttemptResult;
pub use counterpart_core::records::report::{attempt_html, to_json, trainee_html, write_csv};
pub use counterpart_core::records::store::{SCHEMA_V1, SCHEMA_VERSION, Status, Store, StoreError};
pub use counterpart_core::records::xapi::{self, Lrs, statement_id, statements};
pub use serde_json::Value;
pub use std::io::{BufRead, BufReader};
pub use std::path::{Path, PathBuf};
pub use std::process::{Child, Command, Stdio};
pub use std::sync::Arc;
pub use std::time::{Duration, Instant};

pub const SCENARIO: &str = "tests/fixtures/hotline-water-outage.ron";

pub fn scenario_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SCENARIO)
}

pub fn script() -> Arc<Script> {
    load_file(&scenario_path()).script().expect("reference scenario loads").clone()
}

/// The analyzer's best route: a complete encounter that ends.
pub fn best_route(script: &Arc<Script>) -> Vec<usize> {
    analyze(script).expect("analysable").best(Objective::Overall).expect("has a best route").route.clone()
}

/// Plays `choices` and records every step as the app does, with response
/// times; finishes the attempt when the encounter ended.
pub fn play_and_record(store: &Store, profile: i64, script: &Arc<Script>, seed: u64, choices: &[usize]) -> (i64, Encounter) {
    let attempt = store.begin_attempt_for(profile, script, seed).unwrap();
    let mut enc = Encounter::new(script.clone(), seed);
    for (i, &c) in choices.iter().enumerate() {
        let step = enc.choose(c, Some(2.0 + i as f32 * 0.5)).unwrap().clone();
        store.record_step(attempt, i, &step).unwrap();
    }
    if let Some(ending) = enc.ending() {
        let result = AttemptResult {
            card: enc.score(),
            ending_id: ending.id.clone(),
            outcome: ending.outcome,
            disc_guess: Some(counterpart_core::scenario::model::DiscStyle::S),
            persona: enc.persona_view().id,
        };
        store.finish_attempt(attempt, &result).unwrap();
    }
    (attempt, enc)
}

pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}
