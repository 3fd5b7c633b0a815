//! xAPI 1.0.3 statements from stored attempts, and a small LRS client.
//!
//! Statements are built from the store alone: the steps and result, and
//! the content stored when the attempt began (`records::content`: the
//! scenario's title, description, turns and options, the trainee's
//! identity). Their ids are UUID v5 of the attempt's UUID and the part of
//! the attempt they describe, and they carry no "now" timestamps, so
//! building them twice, from any folder, gives byte-identical JSON and a
//! re-send is recognised by the LRS as the same statements: no duplicates,
//! no conflicts. The vocabulary is listed in docs/xapi.md.

use crate::play::rubric::Dimension;
use crate::records::content::{AttemptContent, digest};
use crate::records::store::{AttemptRecord, AttemptSummary, Sent, Status, Store, StoreError};
use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use thiserror::Error;
use uuid::Uuid;

/// The root of our activity IRIs and of the statement-id namespace (the
/// same for every centre, so one scenario is one activity everywhere), and
/// the actor's account home page when the centre set none.
pub(crate) const HOME_PAGE: &str = "https://counterpart.local";
pub(crate) const XAPI_VERSION: &str = "1.0.3";

pub const VERB_INITIALIZED: &str = "http://adlnet.gov/expapi/verbs/initialized";
pub const VERB_RESPONDED: &str = "http://adlnet.gov/expapi/verbs/responded";
pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
pub const VERB_TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
/// ADL's verb (used by cmi5) for a session that ended without terminating.
pub const VERB_ABANDONED: &str = "https://w3id.org/xapi/adl/verbs/abandoned";

pub(crate) const ACTIVITY_SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";
pub(crate) const ACTIVITY_INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
pub(crate) const ACTIVITY_MEETING: &str = "http://adlnet.gov/expapi/activities/meeting";
pub const ACTIVITY_ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";

/// Namespace of all Counterpart statement ids: v5 of our home page in the
/// URL namespace, so it is derivable rather than a magic constant.
pub(crate) fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("{HOME_PAGE}/xapi").as_bytes())
}

/// `part` is `initialized`, `step/<index>`, `completed`, `result`,
/// `terminated` or `abandoned`.
pub fn statement_id(attempt_uuid: &str, part: &str) -> Uuid {
    Uuid::new_v5(&namespace(), format!("{attempt_uuid}/{part}").as_bytes())
}

/// An extension IRI under the default base
/// (`store::DEFAULT_EXTENSION_BASE`); a centre may set its own base, which
/// the attempt's `Identity::extension_base` carries.
pub fn extension(name: &str) -> String {
    format!("{}{name}", crate::records::store::DEFAULT_EXTENSION_BASE)
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

pub(crate) fn turn_activity_id(scenario_id: &str, turn_id: &str) -> String {
    format!("{}/turns/{}", scenario_activity_id(scenario_id), iri_segment(turn_id))
}

pub fn drill_activity_id(drill_uuid: &str) -> String {
    format!("{HOME_PAGE}/drills/{}", iri_segment(drill_uuid))
}

/// One exam is one activity whatever its version or sitting, so an LRS
/// query for the exam finds every candidate's statements.
pub fn exam_activity_id(exam_id: &str) -> String {
    format!("{HOME_PAGE}/exams/{}", iri_segment(exam_id))
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

/// A text typed in one language (a drill's title): tagged `zh-CN` when it
/// has Chinese characters, else `en-US`.
fn typed_text(s: &str) -> Value {
    let chinese = s.chars().any(|c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F));
    if chinese { json!({ "zh-CN": s }) } else { json!({ "en-US": s }) }
}

fn duration(secs: f64) -> String {
    format!("PT{:.2}S", secs.max(0.0))
}

use crate::records::when::instant_millis as epoch_millis;

/// Seconds from the attempt's start to its end (finish or abandonment):
/// time in the session, whether or not its turns were timed.
pub fn session_secs(summary: &AttemptSummary) -> Option<f64> {
    let start = epoch_millis(&summary.started_at)?;
    let end = epoch_millis(summary.finished_at.as_deref()?)?;
    Some((end - start).max(0) as f64 / 1000.0)
}

/// The actor for a profile name under the default home page.
pub fn actor(profile_name: &str) -> Value {
    json!({
        "objectType": "Agent",
        "name": profile_name,
        "account": { "homePage": HOME_PAGE, "name": profile_name },
    })
}

/// The attempt's actor: the trainee (account: employee number when they
/// had one, under the centre's home page), or for a class vote the class
/// as an identified xAPI Group (members are not listed, since who was
/// present is not who chose).
fn actor_of(summary: &AttemptSummary, content: &AttemptContent) -> Value {
    json!({
        "objectType": if summary.by_group { "Group" } else { "Agent" },
        "name": summary.profile_name,
        "account": { "homePage": content.identity.home_page, "name": content.identity.account },
    })
}

fn verb(id: &str, en: &str, zh: &str) -> Value {
    json!({ "id": id, "display": { "en-US": en, "zh-CN": zh } })
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum XapiError {
    #[error(
        "attempt {attempt} ({uuid}) has no stored statement content, and {scenario_id}.ron version {version} was not found to fill it in: \
         run the export once with --scenarios pointing at a folder holding that version. Nothing of this attempt was exported or sent. \
         / 第 {attempt} 次练习缺少 xAPI 所需的场景内容，且找不到 {scenario_id}.ron 第 {version} 版，未导出"
    )]
    NoContent { attempt: i64, uuid: String, scenario_id: String, version: u32 },
    #[error("attempt {attempt} ({uuid}): step {index} (turn {turn_id}, option {choice_id}) is not in its stored content; nothing of this attempt was exported")]
    StepNotInContent { attempt: i64, uuid: String, index: usize, turn_id: String, choice_id: String },
}

/// Statements for one attempt, from what the store holds about it:
/// `initialized`; a `responded` per stored choice; when completed
/// `completed`, `passed` or `failed`, and `terminated`; when abandoned
/// `abandoned`. Refused (never built with less) when the attempt has no
/// stored content or a step is not in it.
pub fn statements(record: &AttemptRecord) -> Result<Vec<Value>, XapiError> {
    let s = &record.summary;
    let content = record.content.as_ref().ok_or_else(|| XapiError::NoContent {
        attempt: s.id,
        uuid: s.uuid.clone(),
        scenario_id: s.scenario_id.clone(),
        version: s.scenario_version,
    })?;
    let snap = &content.scenario;
    let ext = |name: &str| format!("{}{name}", content.identity.extension_base);
    let actor = actor_of(s, content);
    let scenario_id = scenario_activity_id(&s.scenario_id);
    let scenario_activity = {
        let mut def = json!({ "type": ACTIVITY_SIMULATION });
        if let Some(name) = lang_map(&snap.title.zh, &snap.title.en) {
            def["name"] = name;
        }
        if let Some(description) = lang_map(&snap.description.zh, &snap.description.en) {
            def["description"] = description;
        }
        json!({ "objectType": "Activity", "id": scenario_id, "definition": def })
    };
    // The scenario-level context: the scenario is the object of these
    // statements, so it is nobody's parent here.
    // An exam attempt is registered under its sitting, so the LRS groups
    // a candidate's drawn scenarios as one exam sitting; practice under
    // the attempt itself.
    let registration = s.exam.as_ref().map_or(&s.uuid, |exam| &exam.uuid);
    let mut context = json!({
        "registration": registration,
        "platform": "Counterpart",
        "extensions": {
            ext("scenario-version"): s.scenario_version,
            // As a string: JSON consumers in JavaScript lose u64 precision.
            ext("seed"): s.seed.to_string(),
        },
    });
    // A slot of a group drill: the drill groups the statements of all its
    // slots, whoever was in the hot seat.
    if let Some(drill) = &s.drill {
        let mut activity = json!({
            "objectType": "Activity",
            "id": drill_activity_id(&drill.uuid),
            "definition": { "type": ACTIVITY_MEETING },
        });
        if !drill.title.trim().is_empty() {
            activity["definition"]["name"] = typed_text(&drill.title);
        }
        context["contextActivities"] = json!({ "grouping": [activity] });
        context["extensions"][ext("drill-mode")] = json!(drill.mode);
        context["extensions"][ext("drill-slot")] = json!(drill.slot + 1);
    }
    // A drawn scenario of an exam sitting: the exam is the grouping
    // activity, its own id across versions and sittings.
    if let Some(exam) = &s.exam {
        let mut activity = json!({
            "objectType": "Activity",
            "id": exam_activity_id(&exam.exam_id),
            "definition": { "type": ACTIVITY_ASSESSMENT },
        });
        if let Some(name) = lang_map(&exam.title_zh, &exam.title_en) {
            activity["definition"]["name"] = name;
        }
        context["contextActivities"] = json!({ "grouping": [activity] });
        context["extensions"][ext("exam-version")] = json!(exam.exam_version);
        context["extensions"][ext("exam-sitting")] = json!(exam.sitting);
        context["extensions"][ext("exam-slot")] = json!(exam.slot + 1);
    }
    let mut step_context = context.clone();
    step_context["contextActivities"]["parent"] = json!([{ "objectType": "Activity", "id": scenario_id }]);
    let statement = |part: &str, verb: Value, object: &Value, result: Option<Value>, context: &Value, timestamp: &str| {
        let mut st = json!({
            "id": statement_id(&s.uuid, part).to_string(),
            "actor": actor,
            "verb": verb,
            "object": object,
            "context": context,
            "timestamp": timestamp,
            "version": XAPI_VERSION,
        });
        if let Some(r) = result {
            st["result"] = r;
        }
        st
    };
    let mut out = vec![statement("initialized", verb(VERB_INITIALIZED, "initialized", "开始"), &scenario_activity, None, &context, &s.started_at)];
    for rec in &record.steps {
        let step = &rec.step;
        let missing = || XapiError::StepNotInContent {
            attempt: s.id,
            uuid: s.uuid.clone(),
            index: rec.index,
            turn_id: step.turn_id.clone(),
            choice_id: step.choice_id.clone(),
        };
        let turn = snap.turn(&step.turn_id).ok_or_else(missing)?;
        let option = turn.option(&step.choice_id).ok_or_else(missing)?;
        let mut def = json!({ "type": ACTIVITY_INTERACTION, "interactionType": "choice" });
        if let Some(name) = lang_map(&turn.text.zh, &turn.text.en) {
            def["name"] = name;
        }
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
        let object = json!({ "objectType": "Activity", "id": turn_activity_id(&s.scenario_id, &step.turn_id), "definition": def });
        let mut e = Map::new();
        e.insert(ext("choice-number"), json!(step.choice + 1));
        e.insert(
            ext("mood"),
            json!({
                "before": { "upset": step.mood_before.upset, "trust": step.mood_before.trust },
                "after": { "upset": step.mood_after.upset, "trust": step.mood_after.trust },
            }),
        );
        if let Some(flag) = step.red_flag {
            e.insert(ext("red-flag"), json!(format!("{flag:?}")));
        }
        if step.premature_solution {
            e.insert(ext("premature-solution"), json!(true));
        }
        if step.timed_out {
            e.insert(ext("timed-out"), json!(true));
        }
        // Only steps with actions carry this, so older statements stay
        // byte for byte as they were.
        if !step.actions.is_empty() {
            e.insert(ext("protocol-actions"), json!(step.actions));
        }
        if !step.shown.is_empty() {
            // The order the options were shown in, as one-based numbers in the file.
            e.insert(ext("shown-order"), json!(step.shown.iter().map(|i| i + 1).collect::<Vec<_>>()));
        }
        let evidence: Map<String, Value> = option.evidence.iter().map(|(item, level)| (item.clone(), json!(level))).collect();
        e.insert(ext("evidence"), Value::Object(evidence));
        e.insert(ext("stage"), json!(option.stage));
        e.insert(ext("quality"), json!(option.quality));
        let mut result = json!({ "response": step.choice_id, "extensions": e });
        if let Some(secs) = step.response_secs {
            result["duration"] = json!(duration(secs as f64));
        }
        out.push(statement(
            &format!("step/{}", rec.index),
            verb(VERB_RESPONDED, "responded", "作答"),
            &object,
            Some(result),
            &step_context,
            &rec.recorded_at,
        ));
    }
    let session = session_secs(s);
    let ended_at = s.finished_at.clone().unwrap_or_else(|| s.started_at.clone());
    let with_duration = |mut result: Value| {
        if let Some(secs) = session {
            result["duration"] = json!(duration(secs));
        }
        result
    };
    match (s.status, &record.result) {
        (Status::Completed, Some(res)) => {
            let card = &res.card;
            let mut e = Map::new();
            for d in Dimension::ALL {
                e.insert(ext(&format!("dimension/{}", format!("{d:?}").to_lowercase())), json!(round(card.dimension(d), 2)));
            }
            e.insert(ext("ending"), json!(res.ending_id));
            e.insert(ext("outcome"), json!(format!("{:?}", res.outcome)));
            e.insert(ext("red-flags"), json!(card.red_flags.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>()));
            if let Some(g) = res.disc_guess {
                e.insert(ext("disc-guess"), json!(format!("{g:?}")));
            }
            if let Some(rating) = card.rating {
                e.insert(ext("citizen-rating"), json!(rating.code()));
            }
            e.insert(ext("persona"), json!(res.persona));
            e.insert(ext("scoring-rules"), json!(card.rules));
            // Only attempts with a work order or lookups carry these, so
            // statements of older attempts stay byte for byte as they were.
            if let Some(outcome) = record.work_order.as_ref().and_then(|o| o.outcome.as_ref()) {
                let (right, of) = outcome.right_of();
                let fields: Map<String, Value> = outcome.fields.iter().map(|f| (format!("{:?}", f.field), json!(format!("{:?}", f.verdict)))).collect();
                let caps: Map<String, Value> = outcome.caps.iter().map(|(i, l, _)| (format!("{i:?}"), json!(l))).collect();
                e.insert(ext("work-order"), json!({ "right": right, "of": of, "fields": fields, "caps": caps }));
            }
            if let Some(outcome) = record.notice.as_ref().and_then(|n| n.outcome.as_ref()) {
                let (included, of) = outcome.included_of();
                let caps: Map<String, Value> = outcome.caps.iter().map(|(i, l, _)| (format!("{i:?}"), json!(l))).collect();
                let count = |lines: &[crate::notice::LineResult], v: crate::notice::LineVerdict| lines.iter().filter(|l| l.verdict == v).count();
                let missing = |lines: &[crate::notice::LineResult]| count(lines, crate::notice::LineVerdict::Missing);
                e.insert(
                    ext("one-time-notice"),
                    json!({
                        "included": included,
                        "of": of,
                        "missing": { "materials": missing(&outcome.materials), "steps": missing(&outcome.steps), "follow_on": missing(&outcome.follow_on) },
                        "extra": outcome.extra(),
                        "steps_in_order": outcome.steps_in_order,
                        "caps": caps,
                    }),
                );
            }
            if !record.lookups.is_empty() {
                e.insert(ext("knowledge-lookups"), json!(record.lookups.iter().map(|l| l.entry.clone()).collect::<Vec<_>>()));
            }
            let actions: Vec<&String> = record.steps.iter().flat_map(|r| &r.step.actions).collect();
            if !actions.is_empty() {
                e.insert(ext("protocol-actions"), json!(actions));
            }
            let overall = round(card.overall, 2);
            let result = with_duration(json!({
                "score": { "scaled": (overall / 100.0 * 10_000.0).round() / 10_000.0, "raw": overall, "min": 0, "max": 100 },
                "success": card.passed,
                "completion": true,
                "extensions": e,
            }));
            let (verdict, en, zh) = if card.passed { (VERB_PASSED, "passed", "通过") } else { (VERB_FAILED, "failed", "未通过") };
            out.push(statement("completed", verb(VERB_COMPLETED, "completed", "完成"), &scenario_activity, Some(result.clone()), &context, &ended_at));
            out.push(statement("result", verb(verdict, en, zh), &scenario_activity, Some(result), &context, &ended_at));
            let closing = with_duration(json!({}));
            out.push(statement("terminated", verb(VERB_TERMINATED, "terminated", "结束"), &scenario_activity, Some(closing), &context, &ended_at));
        }
        (Status::Abandoned, _) => {
            let closing = with_duration(json!({ "completion": false }));
            out.push(statement("abandoned", verb(VERB_ABANDONED, "abandoned", "放弃"), &scenario_activity, Some(closing), &context, &ended_at));
        }
        _ => {}
    }
    Ok(out)
}

/// A statement ready to send: its attempt, JSON text and digest.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub attempt_id: i64,
    pub id: String,
    pub statement: Value,
    /// `serde_json::to_string` of `statement`, as posted.
    pub json: String,
    /// `content::digest(json)`, what the outbox keeps.
    pub digest: String,
}

/// Every attempt's statements, or why an attempt has none.
pub fn outgoing(records: &[AttemptRecord]) -> (Vec<Outgoing>, Vec<XapiError>) {
    let mut ready = Vec::new();
    let mut refused = Vec::new();
    for r in records {
        match statements(r) {
            Ok(list) => {
                for statement in list {
                    let json = serde_json::to_string(&statement).unwrap_or_default();
                    ready.push(Outgoing {
                        attempt_id: r.summary.id,
                        id: statement["id"].as_str().unwrap_or_default().to_string(),
                        digest: digest(&json),
                        json,
                        statement,
                    });
                }
            }
            Err(e) => refused.push(e),
        }
    }
    (ready, refused)
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

/// A statement the LRS already holds with other content under the same id
/// (HTTP 409): sending again cannot help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub id: String,
    /// Where the LRS's copy differs from ours (JSON paths such as
    /// `object.definition.name.zh-CN`), or why that could not be read.
    pub differs: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Accepted by the LRS (newly stored or already there unchanged).
    pub accepted: Vec<String>,
    /// Not accepted: refused, or not tried after the run stopped.
    pub unsent: Vec<Unsent>,
    pub conflicts: Vec<Conflict>,
    /// Why the run stopped before trying everything (bad credentials, a
    /// wrong address, the LRS unreachable, the time budget), if it did.
    pub stopped: Option<String>,
    /// HTTP requests made, retries included.
    pub requests: usize,
}

impl SendReport {
    pub fn is_complete(&self) -> bool {
        self.unsent.is_empty() && self.conflicts.is_empty()
    }
}

pub struct Lrs {
    statements_url: String,
    authorization: String,
    agent: ureq::Agent,
    /// Extra tries after the first, for network errors, 5xx and 429.
    pub retries: u32,
    /// First pause between tries; doubled each time. A 429's `Retry-After`
    /// replaces it.
    pub backoff: Duration,
    /// Most statements per POST.
    pub batch: usize,
    /// Most bytes per POST (a statement larger than this goes alone): well
    /// under the 1 MB request limit common in front of LRSs (nginx, Learning
    /// Locker), whatever the share of Chinese (3-byte) text.
    pub batch_bytes: usize,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// How long one `send` may take in all, waits included: a dead server
    /// costs at most this.
    pub budget: Duration,
}

/// How one POST went.
enum Answer {
    Ok,
    /// Worth trying again (network, 5xx, 429), after `retry_after` when the LRS said.
    Transient { reason: String, retry_after: Option<Duration> },
    /// 401/403: the credentials are wrong; nothing else will be accepted.
    Credentials(u16, String),
    /// 404/405/410: the address is not an LRS statements resource.
    Address(u16, String),
    Conflict,
    TooLarge,
    /// Another 4xx: the LRS refused the content; retrying will not help.
    Refused(u16, String),
}

fn retry_after(resp: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    let v = resp.headers().get("retry-after")?.to_str().ok()?.trim();
    v.parse::<u64>().ok().map(Duration::from_secs)
}

/// Paths where `ours` and `theirs` differ, ignoring what an LRS adds
/// (`stored`, `authority`, `version`) and how it writes numbers and
/// timestamps.
pub(crate) fn differences(ours: &Value, theirs: &Value) -> Vec<String> {
    fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if (x.as_f64().unwrap_or(0.0) - y.as_f64().unwrap_or(0.0)).abs() < 1e-9 => {}
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    if path.is_empty() && ["stored", "authority", "version"].contains(&k.as_str()) {
                        continue;
                    }
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    match (x.get(k), y.get(k)) {
                        (Some(a), Some(b)) => walk(&p, a, b, out),
                        _ => out.push(p),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (a, b)) in x.iter().zip(y).enumerate() {
                    walk(&format!("{path}[{i}]"), a, b, out);
                }
            }
            (Value::String(x), Value::String(y)) if path == "timestamp" && x.get(..19) == y.get(..19) => {}
            _ if a == b => {}
            _ => out.push(path.to_string()),
        }
    }
    let mut out = Vec::new();
    walk("", ours, theirs, &mut out);
    out
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
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Lrs {
            statements_url,
            authorization: format!("Basic {token}"),
            agent,
            retries: 4,
            backoff: Duration::from_millis(500),
            batch: 50,
            batch_bytes: 256 * 1024,
            request_timeout: Duration::from_secs(20),
            budget: Duration::from_secs(120),
        }
    }

    pub fn statements_url(&self) -> &str {
        &self.statements_url
    }

    fn post(&self, body: &str, timeout: Duration) -> Answer {
        let answer = self
            .agent
            .post(&self.statements_url)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Authorization", &self.authorization)
            .header("X-Experience-API-Version", XAPI_VERSION)
            .header("Content-Type", "application/json; charset=utf-8")
            .send(body);
        match answer {
            Err(e) => Answer::Transient { reason: format!("unreachable: {e}"), retry_after: None },
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let wait = retry_after(&resp);
                let body = resp.body_mut().read_to_string().unwrap_or_default();
                let body: String = body.chars().take(300).collect();
                match status {
                    200..=299 => Answer::Ok,
                    401 | 403 => Answer::Credentials(status, body),
                    404 | 405 | 410 => Answer::Address(status, body),
                    409 => Answer::Conflict,
                    413 => Answer::TooLarge,
                    429 | 500..=599 => Answer::Transient { reason: format!("HTTP {status}: {body}"), retry_after: wait },
                    _ => Answer::Refused(status, body),
                }
            }
        }
    }

    /// Posts `body`, retrying transient failures with backoff (or the
    /// LRS's `Retry-After`) while the time budget lasts. `Err` is why the
    /// whole run must stop.
    fn post_with_retries(&self, body: &str, deadline: Instant, requests: &mut usize) -> Result<Answer, String> {
        let mut pause = self.backoff;
        let mut tries = 0;
        let budget = || format!("gave up: the time budget of {} s for this send is used up", self.budget.as_secs_f32());
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(budget());
            }
            *requests += 1;
            match self.post(body, self.request_timeout.min(left)) {
                Answer::Transient { reason, retry_after } => {
                    if tries >= self.retries {
                        return Err(format!("not accepted after {} tries: {reason}", tries + 1));
                    }
                    let wait = retry_after.unwrap_or(pause);
                    if Instant::now() + wait >= deadline {
                        return Err(match retry_after {
                            Some(w) => format!("{reason}; the LRS asked to wait {} s, beyond the time budget of {} s", w.as_secs(), self.budget.as_secs_f32()),
                            None => format!("{} ({reason})", budget()),
                        });
                    }
                    std::thread::sleep(wait);
                    pause = pause.saturating_mul(2);
                    tries += 1;
                }
                Answer::Credentials(status, body) => {
                    return Err(format!(
                        "HTTP {status}: the LRS refused the credentials ({body}); check --user and --password \
                         (or COUNTERPART_LRS_PASSWORD) — stopped at once, nothing more was sent / LRS 拒绝了账号或密码，请检查 --user 和 --password"
                    ));
                }
                Answer::Address(status, body) => {
                    return Err(format!(
                        "HTTP {status} from {}: this is not an LRS statements address ({body}); check --lrs — stopped at once",
                        self.statements_url
                    ));
                }
                other => return Ok(other),
            }
        }
    }

    /// Groups statement indices into batches of at most `batch` statements
    /// and `batch_bytes` bytes.
    fn batches(&self, texts: &[&str]) -> VecDeque<Vec<usize>> {
        let mut out = VecDeque::new();
        let mut current: Vec<usize> = Vec::new();
        let mut bytes = 2;
        for (i, t) in texts.iter().enumerate() {
            let size = t.len() + 1;
            if !current.is_empty() && (current.len() >= self.batch.max(1) || bytes + size > self.batch_bytes) {
                out.push_back(std::mem::take(&mut current));
                bytes = 2;
            }
            current.push(i);
            bytes += size;
        }
        if !current.is_empty() {
            out.push_back(current);
        }
        out
    }

    /// Posts statements in batches. See `send_with`.
    pub fn send(&self, statements: &[Value]) -> SendReport {
        let texts: Vec<String> = statements.iter().map(|s| serde_json::to_string(s).unwrap_or_default()).collect();
        let refs: Vec<(&Value, &str)> = statements.iter().zip(texts.iter().map(String::as_str)).collect();
        self.send_with(&refs, &mut |_| {})
    }

    /// Posts `(statement, its JSON)` pairs in batches, calling `accepted`
    /// with the indices of each batch the LRS took, as it goes. Network
    /// errors, 5xx and 429 are retried (429 after its `Retry-After`) within
    /// the time budget; 401/403 and a wrong address stop the run at once;
    /// a batch with a 409 is sent one by one so each conflict is named, with
    /// what differs; other 4xx are never retried (a refused batch is sent
    /// one by one once, to name the refused statements); a 413 halves the
    /// batch. Everything not accepted is in `unsent` or `conflicts`.
    pub(crate) fn send_with(&self, statements: &[(&Value, &str)], accepted: &mut dyn FnMut(&[usize])) -> SendReport {
        let mut report = SendReport::default();
        let id_of = |i: usize| statements[i].0.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        let texts: Vec<&str> = statements.iter().map(|s| s.1).collect();
        let mut queue = self.batches(&texts);
        let deadline = Instant::now() + self.budget;
        // Batches split after a 409 or a refusal: their statements go alone
        // and a 409 then names the statement.
        while let Some(batch) = queue.pop_front() {
            let body = format!("[{}]", batch.iter().map(|&i| texts[i]).collect::<Vec<_>>().join(","));
            let answer = match self.post_with_retries(&body, deadline, &mut report.requests) {
                Ok(a) => a,
                Err(reason) => {
                    for i in batch.iter().copied().chain(queue.iter().flatten().copied()) {
                        report.unsent.push(Unsent { id: id_of(i), reason: reason.clone() });
                    }
                    report.stopped = Some(reason);
                    return report;
                }
            };
            match answer {
                Answer::Ok => {
                    report.accepted.extend(batch.iter().map(|&i| id_of(i)));
                    accepted(&batch);
                }
                Answer::Conflict | Answer::Refused(..) | Answer::TooLarge if batch.len() > 1 => {
                    let parts: Vec<Vec<usize>> = match answer {
                        Answer::TooLarge => {
                            let (a, b) = batch.split_at(batch.len() / 2);
                            vec![a.to_vec(), b.to_vec()]
                        }
                        _ => batch.iter().map(|&i| vec![i]).collect(),
                    };
                    for part in parts.into_iter().rev() {
                        queue.push_front(part);
                    }
                }
                Answer::Conflict => {
                    let id = id_of(batch[0]);
                    let differs = match self.get_statement_within(&id, deadline, &mut report.requests) {
                        Ok(Some(theirs)) => {
                            let d = differences(statements[batch[0]].0, &theirs);
                            if d.is_empty() { vec!["(the LRS reports a conflict but its copy reads the same)".into()] } else { d }
                        }
                        Ok(None) => vec!["(the LRS reports a conflict but does not return its copy)".into()],
                        Err(e) => vec![format!("(could not read the LRS's copy: {e})")],
                    };
                    report.conflicts.push(Conflict { id, differs });
                }
                Answer::TooLarge => report.unsent.push(Unsent {
                    id: id_of(batch[0]),
                    reason: "HTTP 413: the statement alone is larger than the LRS accepts".into(),
                }),
                Answer::Refused(status, body) => {
                    report.unsent.push(Unsent { id: id_of(batch[0]), reason: format!("HTTP {status}: {body}") })
                }
                Answer::Transient { .. } | Answer::Credentials(..) | Answer::Address(..) => {
                    unreachable!("post_with_retries turns these into Err")
                }
            }
        }
        report
    }

    fn get_statement_within(&self, id: &str, deadline: Instant, requests: &mut usize) -> Result<Option<Value>, LrsError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(LrsError::Transport { url: self.statements_url.clone(), detail: "time budget used up".into() });
        }
        *requests += 1;
        self.get_statement_timeout(id, self.request_timeout.min(left))
    }

    /// One statement by id, `None` when the LRS does not have it.
    pub fn get_statement(&self, id: &str) -> Result<Option<Value>, LrsError> {
        self.get_statement_timeout(id, self.request_timeout)
    }

    fn get_statement_timeout(&self, id: &str, timeout: Duration) -> Result<Option<Value>, LrsError> {
        let url = &self.statements_url;
        let mut resp = self
            .agent
            .get(url)
            .config()
            .timeout_global(Some(timeout))
            .build()
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
        let query = StatementQuery { registration: Some(registration.to_string()), limit: Some(500), ..StatementQuery::default() };
        let mut out = Vec::new();
        self.fetch_pages(&query, &mut |page| {
            out.extend(page);
            true
        })?;
        Ok(out)
    }

    /// Reads statements matching `query` page by page, following `more`,
    /// handing each page to `page` as it arrives so no more than one page
    /// is held; `page` answers `false` to stop early. Returns the pages read.
    /// 401/403 and a non-LRS address come back as `LrsError::Status`.
    pub fn fetch_pages(&self, query: &StatementQuery, page: &mut dyn FnMut(Vec<Value>) -> bool) -> Result<usize, LrsError> {
        let mut url = self.statements_url.clone();
        let mut first = true;
        let mut pages = 0;
        loop {
            let mut req = self
                .agent
                .get(&url)
                .config()
                .timeout_global(Some(self.request_timeout))
                .build()
                .header("Authorization", &self.authorization)
                .header("X-Experience-API-Version", XAPI_VERSION);
            if first {
                for (k, v) in query.params() {
                    req = req.query(k, v);
                }
            }
            let mut resp = req.call().map_err(|e| LrsError::Transport { url: url.clone(), detail: e.to_string() })?;
            let status = resp.status().as_u16();
            // ureq's default cap is 10 MB; a page of a few hundred
            // statements with Chinese texts stays well under 64 MB.
            let body = resp.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string();
            let body = body.map_err(|e| LrsError::Transport { url: url.clone(), detail: e.to_string() })?;
            if status != 200 {
                return Err(LrsError::Status { url, status, body: body.chars().take(300).collect() });
            }
            let mut v: Value = serde_json::from_str(&body).map_err(|e| LrsError::BadAnswer { url: url.clone(), detail: e.to_string() })?;
            drop(body);
            let more = v.get("more").and_then(Value::as_str).filter(|m| !m.is_empty()).map(str::to_string);
            let list = match v.get_mut("statements").map(Value::take) {
                Some(Value::Array(list)) => list,
                _ => return Err(LrsError::BadAnswer { url, detail: "no \"statements\" list in the answer".into() }),
            };
            pages += 1;
            if !page(list) {
                return Ok(pages);
            }
            match more {
                Some(more) => {
                    url = self.resolve_more(&more);
                    first = false;
                }
                None => return Ok(pages),
            }
        }
    }

    /// A `more` link is relative to the LRS's origin (xAPI 1.0.3: "relative
    /// to the LRS root"), or absolute.
    fn resolve_more(&self, more: &str) -> String {
        if more.starts_with("http://") || more.starts_with("https://") {
            return more.to_string();
        }
        let after_scheme = self.statements_url.find("://").map_or(0, |i| i + 3);
        let host_end = self.statements_url[after_scheme..].find('/').map_or(self.statements_url.len(), |i| after_scheme + i);
        let origin = &self.statements_url[..host_end];
        if more.starts_with('/') { format!("{origin}{more}") } else { format!("{origin}/{more}") }
    }
}

/// What `Lrs::fetch_pages` asks for (xAPI `GET /statements` parameters);
/// `None` leaves a filter out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementQuery {
    /// One attempt's statements (its UUID).
    pub registration: Option<String>,
    pub verb: Option<String>,
    pub activity: Option<String>,
    /// Match `activity` in the context's parent and grouping too (an exam's
    /// statements carry it as grouping).
    pub related_activities: bool,
    /// Stored after this instant (ISO 8601).
    pub since: Option<String>,
    pub until: Option<String>,
    /// Statements per page asked for; the LRS may send fewer.
    pub limit: Option<usize>,
}

impl StatementQuery {
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        let mut add = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                p.push((k, v.clone()));
            }
        };
        add("registration", &self.registration);
        add("verb", &self.verb);
        add("activity", &self.activity);
        add("since", &self.since);
        add("until", &self.until);
        if self.related_activities && self.activity.is_some() {
            p.push(("related_activities", "true".into()));
        }
        if let Some(l) = self.limit {
            p.push(("limit", l.to_string()));
        }
        p
    }
}


/// What one `send_new` run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendRun {
    pub report: SendReport,
    /// Statements built for the run.
    pub built: usize,
    /// Already accepted by this endpoint (per the outbox), not sent again.
    pub already: usize,
    /// Built differently from what this endpoint accepted under the same
    /// id: never sent (an LRS must keep the first), reported.
    pub changed: Vec<String>,
}

/// Sends what `lrs` has not accepted yet (all of `list` with `resend`),
/// marking each accepted batch in the store's outbox as it goes, so an
/// interrupted run loses nothing and the next sends only the rest.
pub fn send_new(store: &Store, lrs: &Lrs, list: &[Outgoing], resend: bool) -> Result<SendRun, StoreError> {
    let endpoint = lrs.statements_url().to_string();
    let sent = store.sent(&endpoint)?;
    let mut run = SendRun { built: list.len(), ..SendRun::default() };
    let mut todo: Vec<&Outgoing> = Vec::new();
    for o in list {
        match sent.get(&o.id) {
            Some(d) if *d != o.digest => run.changed.push(o.id.clone()),
            Some(_) if !resend => run.already += 1,
            _ => todo.push(o),
        }
    }
    let pairs: Vec<(&Value, &str)> = todo.iter().map(|o| (&o.statement, o.json.as_str())).collect();
    let mut failure: Option<StoreError> = None;
    let report = lrs.send_with(&pairs, &mut |batch: &[usize]| {
        if failure.is_some() {
            return;
        }
        let marks: Vec<Sent> = batch
            .iter()
            .map(|&i| Sent { statement_id: todo[i].id.clone(), attempt_id: todo[i].attempt_id, digest: todo[i].digest.clone() })
            .collect();
        if let Err(e) = store.mark_sent(&endpoint, &marks) {
            failure = Some(e);
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    run.report = report;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_timestamps_give_the_session_duration() {
        assert_eq!(epoch_millis("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(epoch_millis("2000-03-01T00:00:01.5Z"), Some(951_868_801_500));
        let a = epoch_millis("2026-12-31T23:59:59.900Z").unwrap();
        let b = epoch_millis("2027-01-01T00:00:01.100Z").unwrap();
        assert_eq!(b - a, 1_200);
        assert_eq!(epoch_millis("yesterday"), None);
    }

    #[test]
    fn a_typed_title_is_tagged_with_its_language() {
        assert_eq!(typed_text("周五表决"), json!({ "zh-CN": "周五表决" }));
        assert_eq!(typed_text("Friday vote 3"), json!({ "en-US": "Friday vote 3" }));
    }

    #[test]
    fn differences_ignore_what_an_lrs_adds() {
        let ours = json!({ "id": "x", "result": { "score": { "raw": 100 } }, "timestamp": "2026-01-01T10:00:00.123Z" });
        let theirs = json!({ "id": "x", "result": { "score": { "raw": 100.0 } }, "timestamp": "2026-01-01T10:00:00.123000+00:00",
            "stored": "…", "authority": {}, "version": "1.0.0" });
        assert!(differences(&ours, &theirs).is_empty());
        let changed = json!({ "id": "x", "result": { "score": { "raw": 90 } }, "timestamp": "2026-01-01T10:00:00Z" });
        assert_eq!(differences(&ours, &changed), ["result.score.raw"]);
    }

    #[test]
    fn batches_keep_under_the_byte_limit() {
        let mut lrs = Lrs::new("http://127.0.0.1:9", "u", "p");
        lrs.batch = 3;
        lrs.batch_bytes = 100;
        let texts = ["a".repeat(40), "b".repeat(40), "c".repeat(150), "d".repeat(10), "e".repeat(10), "f".repeat(10), "g".repeat(10)];
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let batches: Vec<Vec<usize>> = lrs.batches(&refs).into_iter().collect();
        assert_eq!(batches, vec![vec![0, 1], vec![2], vec![3, 4, 5], vec![6]]);
    }

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
