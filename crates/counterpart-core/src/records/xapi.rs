//! xAPI 1.0.3 statements from stored attempts, and a small LRS client.
//!
//! Statement ids are UUID v5 of the attempt's UUID and the part of the
//! attempt they describe, and statements carry only stored data (no "now"
//! timestamps), so building them twice gives identical JSON and a re-send
//! is recognised by the LRS as the same statements: no duplicates.

use crate::play::engine::{Encounter, Script};
use crate::records::store::{AttemptRecord, AttemptSummary, Status};
use crate::play::rubric::Dimension;
use serde_json::{Map, Value, json};
use std::time::Duration;
use thiserror::Error;
use uuid::Uuid;

/// The actor's account home page and the root of our activity and
/// extension IRIs.
pub const HOME_PAGE: &str = "https://counterpart.local";
pub const XAPI_VERSION: &str = "1.0.3";

pub const VERB_RESPONDED: &str = "http://adlnet.gov/expapi/verbs/responded";
pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";

/// Namespace of all Counterpart statement ids: v5 of our home page in the
/// URL namespace, so it is derivable rather than a magic constant.
pub fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("{HOME_PAGE}/xapi").as_bytes())
}

/// `part` is `step/<index>`, `completed` or `result`.
pub fn statement_id(attempt_uuid: &str, part: &str) -> Uuid {
    Uuid::new_v5(&namespace(), format!("{attempt_uuid}/{part}").as_bytes())
}

pub fn extension(name: &str) -> String {
    format!("{HOME_PAGE}/xapi/extensions/{name}")
}

/// Keeps ids IRI-safe whatever characters an author used.
fn iri_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn scenario_activity_id(scenario_id: &str) -> String {
    format!("{HOME_PAGE}/scenarios/{}", iri_segment(scenario_id))
}

fn round(x: f32, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x as f64 * f).round() / f
}

fn lang_map(zh: &str, en: &str) -> Option<Value> {
    let mut m = Map::new();
    if !zh.trim().is_empty() {
        m.insert("zh-CN".into(), json!(zh));
    }
    if !en.trim().is_empty() {
        m.insert("en-US".into(), json!(en));
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

fn duration(secs: f32) -> String {
    format!("PT{:.2}S", secs.max(0.0))
}

pub fn actor(profile_name: &str) -> Value {
    json!({
        "objectType": "Agent",
        "name": profile_name,
        "account": { "homePage": HOME_PAGE, "name": profile_name },
    })
}

/// The attempt's actor: the trainee, or for a class vote the class as an
/// identified xAPI Group (the account names it; members are not listed,
/// since who was present is not who chose).
fn actor_of(summary: &AttemptSummary) -> Value {
    let mut actor = actor(&summary.profile_name);
    if summary.by_group {
        actor["objectType"] = json!("Group");
    }
    actor
}

pub fn drill_activity_id(drill_uuid: &str) -> String {
    format!("{HOME_PAGE}/drills/{}", iri_segment(drill_uuid))
}

fn verb(id: &str, en: &str, zh: &str) -> Value {
    json!({ "id": id, "display": { "en-US": en, "zh-CN": zh } })
}

/// Statements for one attempt: a "responded" per stored choice and, when
/// completed, "completed" plus "passed" or "failed". `script` (matching
/// scenario id and version) adds the rubric evidence and the scenario's
/// wording; without it the statements carry what the record holds.
pub fn statements(record: &AttemptRecord, script: Option<&Script>) -> Vec<Value> {
    let s = &record.summary;
    let script = script.filter(|sc| sc.scenario.id == s.scenario_id && sc.scenario.version == s.scenario_version);
    // Replaying the stored choices gives the debrief, whose evidence is the
    // rubric's judgement of each answer. A replay that disagrees with the
    // record (edited scenario without a version bump) is not trusted.
    let debrief = script.and_then(|sc| {
        let arc = std::sync::Arc::new(sc.clone());
        let enc = Encounter::replay_answers(arc, s.seed, &record.answers()).ok()?;
        let same = enc.steps().len() == record.steps.len()
            && enc.steps().iter().zip(&record.steps).all(|(a, b)| a.turn_id == b.step.turn_id && a.choice_id == b.step.choice_id);
        same.then(|| enc.debrief())
    });
    let scenario_activity = {
        let mut a = json!({ "objectType": "Activity", "id": scenario_activity_id(&s.scenario_id) });
        let mut def = json!({ "type": "http://adlnet.gov/expapi/activities/simulation" });
        if let Some(name) = script.and_then(|sc| lang_map(&sc.scenario.title.zh, &sc.scenario.title.en)) {
            def["name"] = name;
        }
        a["definition"] = def;
        a
    };
    let mut context = json!({
        "registration": s.uuid,
        "platform": "Counterpart",
        "contextActivities": { "parent": [ { "objectType": "Activity", "id": scenario_activity_id(&s.scenario_id) } ] },
        "extensions": {
            extension("scenario-version"): s.scenario_version,
            // As a string: JSON consumers in JavaScript lose u64 precision.
            extension("seed"): s.seed.to_string(),
        },
    });
    // A slot of a group drill: the drill groups the statements of all its
    // slots, whoever was in the hot seat.
    if let Some(drill) = &s.drill {
        let mut activity = json!({
            "objectType": "Activity",
            "id": drill_activity_id(&drill.uuid),
            "definition": { "type": "http://adlnet.gov/expapi/activities/meeting" },
        });
        if !drill.title.trim().is_empty() {
            activity["definition"]["name"] = json!({ "zh-CN": drill.title, "en-US": drill.title });
        }
        context["contextActivities"]["grouping"] = json!([activity]);
        context["extensions"][extension("drill-mode")] = json!(drill.mode);
        context["extensions"][extension("drill-slot")] = json!(drill.slot + 1);
    }
    let mut out = Vec::new();
    for (n, rec) in record.steps.iter().enumerate() {
        let step = &rec.step;
        let mut object = json!({
            "objectType": "Activity",
            "id": format!("{}/turns/{}", scenario_activity_id(&s.scenario_id), iri_segment(&step.turn_id)),
        });
        let mut def = json!({
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "interactionType": "choice",
        });
        if let Some(name) = lang_map(&step.said.zh, &step.said.en) {
            def["name"] = name;
        }
        if let Some(sc) = script {
            if let Some(turn) = sc.scenario.turns.get(step.turn) {
                let choices: Vec<Value> = turn
                    .options
                    .iter()
                    .map(|o| {
                        let mut c = json!({ "id": o.id });
                        if let Some(d) = lang_map(&o.text.zh, &o.text.en) {
                            c["description"] = d;
                        }
                        c
                    })
                    .collect();
                def["choices"] = json!(choices);
            }
        }
        object["definition"] = def;
        let mut ext = Map::new();
        ext.insert(extension("choice-number"), json!(step.choice + 1));
        ext.insert(
            extension("mood"),
            json!({
                "before": { "upset": step.mood_before.upset, "trust": step.mood_before.trust },
                "after": { "upset": step.mood_after.upset, "trust": step.mood_after.trust },
            }),
        );
        if let Some(flag) = step.red_flag {
            ext.insert(extension("red-flag"), json!(format!("{flag:?}")));
        }
        if step.premature_solution {
            ext.insert(extension("premature-solution"), json!(true));
        }
        if step.timed_out {
            ext.insert(extension("timed-out"), json!(true));
        }
        if !step.shown.is_empty() {
            // The order the options were shown in, as one-based numbers in
            // the file: from the record alone, so any folder sends the same.
            ext.insert(extension("shown-order"), json!(step.shown.iter().map(|i| i + 1).collect::<Vec<_>>()));
        }
        if let Some(d) = debrief.as_ref().and_then(|d| d.get(n)) {
            let evidence: Map<String, Value> = d.evidence.iter().map(|(item, level)| (format!("{item:?}"), json!(level))).collect();
            ext.insert(extension("evidence"), Value::Object(evidence));
            ext.insert(extension("stage"), json!(format!("{:?}", d.stage)));
            ext.insert(extension("quality"), json!(d.quality));
        }
        let mut result = json!({ "response": step.choice_id, "extensions": ext });
        if let Some(secs) = step.response_secs {
            result["duration"] = json!(duration(secs));
        }
        out.push(json!({
            "id": statement_id(&s.uuid, &format!("step/{}", rec.index)).to_string(),
            "actor": actor_of(s),
            "verb": verb(VERB_RESPONDED, "responded", "作答"),
            "object": object,
            "result": result,
            "context": context,
            "timestamp": rec.recorded_at,
            "version": XAPI_VERSION,
        }));
    }
    if let (Status::Completed, Some(res)) = (s.status, &record.result) {
        let card = &res.card;
        let mut ext = Map::new();
        for d in Dimension::ALL {
            ext.insert(extension(&format!("dimension/{}", format!("{d:?}").to_lowercase())), json!(round(card.dimension(d), 2)));
        }
        ext.insert(extension("ending"), json!(res.ending_id));
        ext.insert(extension("outcome"), json!(format!("{:?}", res.outcome)));
        ext.insert(extension("red-flags"), json!(card.red_flags.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>()));
        if let Some(g) = res.disc_guess {
            ext.insert(extension("disc-guess"), json!(format!("{g:?}")));
        }
        if let Some(rating) = card.rating {
            ext.insert(extension("citizen-rating"), json!(rating.code()));
        }
        ext.insert(extension("persona"), json!(res.persona));
        ext.insert(extension("scoring-rules"), json!(card.rules));
        let overall = round(card.overall, 2);
        let mut result = json!({
            "score": { "scaled": (overall / 100.0 * 10_000.0).round() / 10_000.0, "raw": overall, "min": 0, "max": 100 },
            "success": card.passed,
            "completion": true,
            "extensions": ext,
        });
        let secs: Option<f32> = record.steps.iter().map(|r| r.step.response_secs).sum();
        if let Some(secs) = secs {
            result["duration"] = json!(duration(secs));
        }
        let timestamp = s.finished_at.clone().unwrap_or_else(|| s.started_at.clone());
        let (verb_id, en, zh) = if card.passed { (VERB_PASSED, "passed", "通过") } else { (VERB_FAILED, "failed", "未通过") };
        for (part, v) in [("completed", verb(VERB_COMPLETED, "completed", "完成")), ("result", verb(verb_id, en, zh))] {
            out.push(json!({
                "id": statement_id(&s.uuid, part).to_string(),
                "actor": actor_of(s),
                "verb": v,
                "object": scenario_activity,
                "result": result,
                "context": context,
                "timestamp": timestamp,
                "version": XAPI_VERSION,
            }));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LrsError {
    #[error("LRS request to {url} failed: {detail}")]
    Transport { url: String, detail: String },
    #[error("LRS at {url} answered {status}: {body}")]
    Status { url: String, status: u16, body: String },
    #[error("LRS at {url} sent an unreadable answer: {detail}")]
    BadAnswer { url: String, detail: String },
}

/// The statement in a `statementId` answer. xAPI 1.0.3 answers with the
/// Statement itself (404 when absent), but Ralph 5.1 answers with a
/// StatementResult (`{"statements": [...]}`, empty when absent); both are
/// read so the client works with either kind of LRS.
fn single_statement(answer: Value, id: &str) -> Option<Value> {
    match answer.get("statements").and_then(Value::as_array) {
        Some(list) if answer.get("id").is_none() => list.iter().find(|s| s.get("id").and_then(Value::as_str) == Some(id)).cloned(),
        _ => Some(answer),
    }
}

/// A statement the LRS did not accept, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsent {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Accepted by the LRS (newly stored or already there unchanged).
    pub accepted: Vec<String>,
    pub unsent: Vec<Unsent>,
}

impl SendReport {
    pub fn is_complete(&self) -> bool {
        self.unsent.is_empty()
    }
}

pub struct Lrs {
    statements_url: String,
    authorization: String,
    agent: ureq::Agent,
    /// Extra tries after the first, for network errors, 5xx and 429.
    pub retries: u32,
    /// First pause between tries; doubled each time.
    pub backoff: Duration,
    /// Statements per POST.
    pub batch: usize,
}

enum Attempt {
    Ok,
    /// Worth trying again later (network, 5xx, 429).
    Transient(String),
    /// The LRS refused the content (4xx): retrying will not help.
    Refused(u16, String),
}

impl Lrs {
    /// `endpoint` is the LRS base (`http://host:8100`), its xAPI root
    /// (`…/xAPI/`) or the statements resource itself.
    pub fn new(endpoint: &str, user: &str, password: &str) -> Lrs {
        use base64::Engine;
        let e = endpoint.trim_end_matches('/');
        let statements_url = if e.ends_with("/statements") {
            e.to_string()
        } else if e.to_ascii_lowercase().ends_with("/xapi") {
            format!("{e}/statements")
        } else {
            format!("{e}/xAPI/statements")
        };
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Lrs {
            statements_url,
            authorization: format!("Basic {token}"),
            agent,
            retries: 4,
            backoff: Duration::from_millis(500),
            batch: 50,
        }
    }

    pub fn statements_url(&self) -> &str {
        &self.statements_url
    }

    fn post(&self, body: &[&Value]) -> Attempt {
        let text = match serde_json::to_string(body) {
            Ok(t) => t,
            Err(e) => return Attempt::Refused(0, e.to_string()),
        };
        let answer = self
            .agent
            .post(&self.statements_url)
            .header("Authorization", &self.authorization)
            .header("X-Experience-API-Version", XAPI_VERSION)
            .header("Content-Type", "application/json")
            .send(&text);
        match answer {
            Err(e) => Attempt::Transient(format!("unreachable: {e}")),
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let body = resp.body_mut().read_to_string().unwrap_or_default();
                let body: String = body.chars().take(300).collect();
                match status {
                    200..=299 => Attempt::Ok,
                    429 | 500..=599 => Attempt::Transient(format!("HTTP {status}: {body}")),
                    _ => Attempt::Refused(status, body),
                }
            }
        }
    }

    fn post_with_retries(&self, body: &[&Value]) -> Attempt {
        let mut pause = self.backoff;
        let mut tries = 0;
        loop {
            match self.post(body) {
                Attempt::Transient(reason) if tries < self.retries => {
                    let _ = reason;
                    std::thread::sleep(pause);
                    pause = pause.saturating_mul(2);
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// Posts statements in batches, retrying with exponential backoff. A
    /// batch the LRS refuses is retried one statement at a time so the
    /// report names exactly the refused ones; when the LRS stays
    /// unreachable every statement not yet accepted is reported unsent.
    pub fn send(&self, statements: &[Value]) -> SendReport {
        let mut report = SendReport::default();
        let id_of = |v: &Value| v.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        let chunks: Vec<&[Value]> = statements.chunks(self.batch.max(1)).collect();
        for (n, chunk) in chunks.iter().enumerate() {
            let refs: Vec<&Value> = chunk.iter().collect();
            match self.post_with_retries(&refs) {
                Attempt::Ok => report.accepted.extend(chunk.iter().map(id_of)),
                Attempt::Transient(reason) => {
                    let reason = format!("not accepted after {} tries: {reason}", self.retries + 1);
                    for rest in &chunks[n..] {
                        report.unsent.extend(rest.iter().map(|v| Unsent { id: id_of(v), reason: reason.clone() }));
                    }
                    return report;
                }
                Attempt::Refused(status, body) if chunk.len() == 1 => {
                    report.unsent.push(Unsent { id: id_of(&chunk[0]), reason: format!("HTTP {status}: {body}") });
                }
                Attempt::Refused(..) => {
                    for one in chunk.iter() {
                        match self.post_with_retries(&[one]) {
                            Attempt::Ok => report.accepted.push(id_of(one)),
                            Attempt::Transient(r) => report.unsent.push(Unsent { id: id_of(one), reason: r }),
                            Attempt::Refused(status, body) => {
                                report.unsent.push(Unsent { id: id_of(one), reason: format!("HTTP {status}: {body}") })
                            }
                        }
                    }
                }
            }
        }
        report
    }

    /// One statement by id, `None` when the LRS does not have it.
    pub fn get_statement(&self, id: &str) -> Result<Option<Value>, LrsError> {
        let url = &self.statements_url;
        let mut resp = self
            .agent
            .get(url)
            .query("statementId", id)
            .header("Authorization", &self.authorization)
            .header("X-Experience-API-Version", XAPI_VERSION)
            .call()
            .map_err(|e| LrsError::Transport { url: url.clone(), detail: e.to_string() })?;
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        match status {
            200 => {
                let v: Value = serde_json::from_str(&body).map_err(|e| LrsError::BadAnswer { url: url.clone(), detail: e.to_string() })?;
                Ok(single_statement(v, id))
            }
            404 => Ok(None),
            _ => Err(LrsError::Status { url: url.clone(), status, body }),
        }
    }

    /// Statements of one registration (attempt UUID), following `more`.
    pub fn get_registration(&self, registration: &str) -> Result<Vec<Value>, LrsError> {
        let mut out = Vec::new();
        let mut url = self.statements_url.clone();
        let mut first = true;
        loop {
            let mut req = self
                .agent
                .get(&url)
                .header("Authorization", &self.authorization)
                .header("X-Experience-API-Version", XAPI_VERSION);
            if first {
                req = req.query("registration", registration).query("limit", "500");
            }
            let mut resp = req.call().map_err(|e| LrsError::Transport { url: url.clone(), detail: e.to_string() })?;
            let status = resp.status().as_u16();
            let body = resp.body_mut().read_to_string().unwrap_or_default();
            if status != 200 {
                return Err(LrsError::Status { url, status, body });
            }
            let v: Value = serde_json::from_str(&body).map_err(|e| LrsError::BadAnswer { url: url.clone(), detail: e.to_string() })?;
            if let Some(list) = v.get("statements").and_then(Value::as_array) {
                out.extend(list.iter().cloned());
            }
            match v.get("more").and_then(Value::as_str).filter(|m| !m.is_empty()) {
                Some(more) => {
                    // `more` is relative to the LRS root.
                    let root = self.statements_url.split("/xAPI").next().unwrap_or("").to_string();
                    url = if more.starts_with("http") { more.to_string() } else { format!("{root}{more}") };
                    first = false;
                }
                None => return Ok(out),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_id_answer_is_read_in_both_shapes() {
        let id = "b4a7f3a2-5c1e-5d0a-9a55-0c8f5f9c1e01";
        let statement = json!({ "id": id, "verb": { "id": VERB_COMPLETED } });
        // xAPI 1.0.3: the Statement itself.
        assert_eq!(single_statement(statement.clone(), id), Some(statement.clone()));
        // Ralph: a StatementResult, empty when the id is unknown.
        let other = json!({ "id": "00000000-0000-5000-8000-000000000000" });
        assert_eq!(single_statement(json!({ "statements": [other, statement.clone()] }), id), Some(statement));
        assert_eq!(single_statement(json!({ "statements": [] }), id), None);
    }
}
