//! What an attempt's xAPI statements say about the scenario and the
//! trainee, stored with the attempt when it begins.
//!
//! Statements are built from the store alone (`xapi::statements`): the
//! scenario's title, description and version, every turn's id and fixed
//! text, every option's id, text, stage, quality and rubric evidence for the
//! persona played, and the trainee's identity as it was when the attempt
//! began. So an export run from any folder, or after a scenario was
//! edited, builds byte-identical statements, and one statement id never
//! carries two contents.
//!
//! The scenario part is the same for every attempt of one scenario version
//! and persona, so the store keeps it once (`ScenarioSnapshot::digest`).

use crate::play::engine::{Script, option_quality};
use crate::scenario::model::Text;
use serde::{Deserialize, Serialize};

/// The scenario as the attempt's statements describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSnapshot {
    pub scenario_id: String,
    pub scenario_version: u32,
    pub title: Text,
    /// The scenario's summary, as the activity's description.
    pub description: Text,
    /// The persona played (its id in the scenario).
    pub persona: String,
    pub turns: Vec<TurnSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnSnapshot {
    pub id: String,
    /// The turn's fixed text: the first wording of its first line, the same
    /// whatever the seed picked (the wording shown is in the step).
    pub text: Text,
    /// In file order.
    pub options: Vec<OptionSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionSnapshot {
    pub id: String,
    pub text: Text,
    /// `Stage` as its name, e.g. `Calming`.
    pub stage: String,
    /// 0–100, `engine::option_quality`.
    pub quality: u8,
    /// Rubric item (e.g. `E1`) → level 0–3, for the persona played.
    pub evidence: Vec<(String, u8)>,
}

/// Who the statements name, fixed when the attempt began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The account's home page: the centre's, or `xapi::HOME_PAGE`.
    pub home_page: String,
    /// The account name: the employee number (工号) when the trainee has
    /// one, else the profile name.
    pub account: String,
    /// Prefix of every extension IRI, ending in `/`.
    pub extension_base: String,
}

/// Everything the statements of one attempt need beyond its steps and result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptContent {
    pub scenario: ScenarioSnapshot,
    pub identity: Identity,
}

impl ScenarioSnapshot {
    /// The snapshot of `script` as played by `persona` (an index into the
    /// citizen's personas; out of range means the main one).
    pub fn of(script: &Script, persona: usize) -> ScenarioSnapshot {
        let scenario = &script.scenario;
        let persona = if persona < script.persona_count() { persona } else { 0 };
        let flow = script.flow_for(persona);
        let persona_id = scenario.citizen.all_personas().get(persona).map(|p| p.id.clone()).unwrap_or_default();
        let turns = scenario
            .turns
            .iter()
            .enumerate()
            .map(|(t, turn)| TurnSnapshot {
                id: turn.id.clone(),
                text: turn.says.first().and_then(|l| l.variants.first()).cloned().unwrap_or_default(),
                options: turn
                    .options
                    .iter()
                    .enumerate()
                    .map(|(c, o)| OptionSnapshot {
                        id: o.id.clone(),
                        text: o.text.clone(),
                        stage: format!("{:?}", o.stage),
                        quality: option_quality(script, t, c),
                        evidence: flow
                            .turns
                            .get(t)
                            .and_then(|ft| ft.choices.get(c))
                            .map(|fc| fc.evidence.iter().map(|(item, level)| (format!("{item:?}"), *level)).collect())
                            .unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect();
        ScenarioSnapshot {
            scenario_id: scenario.id.clone(),
            scenario_version: scenario.version,
            title: scenario.title.clone(),
            description: scenario.summary.clone(),
            persona: persona_id,
            turns,
        }
    }

    /// The turn with this id.
    pub fn turn(&self, id: &str) -> Option<&TurnSnapshot> {
        self.turns.iter().find(|t| t.id == id)
    }

}

/// A name for this exact text (UUID v5, i.e. SHA-1 based): identical
/// snapshots are stored once, and the outbox knows what it sent.
pub fn digest(text: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, text.as_bytes()).to_string()
}

impl TurnSnapshot {
    pub fn option(&self, id: &str) -> Option<&OptionSnapshot> {
        self.options.iter().find(|o| o.id == id)
    }
}
