//! The class overview from the LRS (issue 17, part 3): the centre's
//! statements read back page by page into a cache in the records file, and
//! the overview computed from that cache for a class or a date range.
//!
//! Memory stays bounded by the overview, not by the LRS: a page is reduced
//! to `Fact`s (one per statement, only what the overview reads) and written
//! to the cache before the next page is asked for; the overview is then
//! folded over the cache one row at a time, keeping counts per trainee,
//! scenario, turn option, exam sitting and week.
//!
//! For a screen: `refresh` (or nothing, offline), then `cache_state` for the
//! time of the last fetch and `overview_from_cache` for the data to draw;
//! `Overview` and its rows are plain data.

use crate::play::rubric::Dimension;
use crate::records::store::{Store, StoreError};
use crate::records::when::{Zone, instant_millis};
use crate::records::xapi::{
    HOME_PAGE, Lrs, LrsError, StatementQuery, VERB_ABANDONED, VERB_FAILED, VERB_INITIALIZED, VERB_PASSED, VERB_RESPONDED,
};
use rusqlite::params;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use thiserror::Error;

/// What the overview keeps of one statement. Empty strings stand for
/// "not present" so the cache's columns stay NOT NULL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fact {
    pub id: String,
    /// When the LRS stored it (the refresh's bookmark).
    pub stored: String,
    /// When it happened, per the statement.
    pub timestamp: String,
    pub verb: Verb,
    /// The actor's account name (employee number or profile name), else
    /// its mbox or name: who the trainee is across PCs.
    pub actor: String,
    pub actor_name: String,
    /// The attempt, or for an exam the sitting.
    pub registration: String,
    pub scenario: String,
    /// `responded` only.
    pub turn: String,
    pub choice: String,
    pub quality: Option<u8>,
    pub red_flag: String,
    /// The verdict statements (`passed`/`failed`) only.
    pub score: Option<f64>,
    pub success: Option<bool>,
    pub persona: String,
    /// The exam's id when the statement belongs to an exam sitting.
    pub exam: String,
    pub exam_name: String,
    /// Dimension scores 0–100 (verdict statements), in `Dimension::ALL` order.
    pub dimensions: Vec<(Dimension, f64)>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    Initialized,
    Responded,
    Passed,
    Failed,
    Abandoned,
    /// `completed`, `terminated` or another verb: kept so the refresh's
    /// bookmark moves past it, not counted.
    #[default]
    Other,
}

impl Verb {
    fn of(id: &str) -> Verb {
        match id {
            VERB_INITIALIZED => Verb::Initialized,
            VERB_RESPONDED => Verb::Responded,
            VERB_PASSED => Verb::Passed,
            VERB_FAILED => Verb::Failed,
            VERB_ABANDONED => Verb::Abandoned,
            _ => Verb::Other,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Verb::Initialized => "initialized",
            Verb::Responded => "responded",
            Verb::Passed => "passed",
            Verb::Failed => "failed",
            Verb::Abandoned => "abandoned",
            Verb::Other => "other",
        }
    }
    fn from_code(s: &str) -> Verb {
        match s {
            "initialized" => Verb::Initialized,
            "responded" => Verb::Responded,
            "passed" => Verb::Passed,
            "failed" => Verb::Failed,
            "abandoned" => Verb::Abandoned,
            _ => Verb::Other,
        }
    }
}

fn dimension_code(d: Dimension) -> String {
    format!("{d:?}").to_lowercase()
}

/// The inverse of `xapi::iri_segment`.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An extension by its last name, whatever base the centre set
/// (`Identity::extension_base`).
fn ext<'a>(exts: Option<&'a Value>, name: &str) -> Option<&'a Value> {
    let map = exts?.as_object()?;
    map.iter().find(|(k, _)| k.strip_suffix(name).is_some_and(|head| head.ends_with('/'))).map(|(_, v)| v)
}

fn text_of(v: &Value) -> String {
    let Some(map) = v.as_object() else { return String::new() };
    map.get("zh-CN").or_else(|| map.get("en-US")).or_else(|| map.values().next()).and_then(Value::as_str).unwrap_or("").to_string()
}

/// Why a statement was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Missing id, actor, verb or object: not a readable statement.
    Malformed(String),
    /// A well-formed statement about something else than a Counterpart
    /// scenario (another tool writing to the same LRS).
    NotOurs,
}

/// One statement reduced to what the overview reads.
pub fn fact(st: &Value) -> Result<Fact, Skip> {
    let bad = |what: &str| Skip::Malformed(format!("{what} missing or not text"));
    let id = st.get("id").and_then(Value::as_str).ok_or_else(|| bad("id"))?;
    let verb_id = st.pointer("/verb/id").and_then(Value::as_str).ok_or_else(|| bad("verb.id"))?;
    let object = st.pointer("/object/id").and_then(Value::as_str).ok_or_else(|| bad("object.id"))?;
    let actor_v = st.get("actor").filter(|a| a.is_object()).ok_or_else(|| bad("actor"))?;
    let actor = actor_v
        .pointer("/account/name")
        .or_else(|| actor_v.get("mbox"))
        .or_else(|| actor_v.get("mbox_sha1sum"))
        .or_else(|| actor_v.get("openid"))
        .or_else(|| actor_v.get("name"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("actor's account"))?;
    let timestamp = st.get("timestamp").and_then(Value::as_str).ok_or_else(|| bad("timestamp"))?;
    let prefix = format!("{HOME_PAGE}/scenarios/");
    let rest = object.strip_prefix(&prefix).ok_or(Skip::NotOurs)?;
    let (scenario, turn) = match rest.split_once("/turns/") {
        Some((s, t)) => (unescape(s), unescape(t)),
        None => (unescape(rest), String::new()),
    };
    let verb = Verb::of(verb_id);
    let result = st.get("result");
    let exts = result.and_then(|r| r.get("extensions"));
    let mut f = Fact {
        id: id.to_string(),
        stored: st.get("stored").and_then(Value::as_str).unwrap_or(timestamp).to_string(),
        timestamp: timestamp.to_string(),
        verb,
        actor: actor.to_string(),
        actor_name: actor_v.get("name").and_then(Value::as_str).unwrap_or(actor).to_string(),
        registration: st.pointer("/context/registration").and_then(Value::as_str).unwrap_or("").to_string(),
        scenario,
        ..Fact::default()
    };
    let exam_prefix = format!("{HOME_PAGE}/exams/");
    if let Some(list) = st.pointer("/context/contextActivities/grouping").and_then(Value::as_array) {
        for a in list {
            if let Some(e) = a.get("id").and_then(Value::as_str).and_then(|i| i.strip_prefix(&exam_prefix)) {
                f.exam = unescape(e);
                f.exam_name = a.pointer("/definition/name").map(text_of).unwrap_or_default();
            }
        }
    }
    match verb {
        Verb::Responded => {
            if turn.is_empty() {
                return Err(Skip::Malformed("a response whose object is not a turn".into()));
            }
            f.turn = turn;
            f.choice = result.and_then(|r| r.get("response")).and_then(Value::as_str).unwrap_or("").to_string();
            f.quality = ext(exts, "quality").and_then(Value::as_u64).map(|q| q.min(100) as u8);
            f.red_flag = ext(exts, "red-flag").and_then(Value::as_str).unwrap_or("").to_string();
        }
        Verb::Passed | Verb::Failed => {
            let score = result.and_then(|r| r.pointer("/score/raw")).and_then(Value::as_f64);
            let score = score.or_else(|| result.and_then(|r| r.pointer("/score/scaled")).and_then(Value::as_f64).map(|s| s * 100.0));
            f.score = Some(score.filter(|s| s.is_finite()).ok_or_else(|| bad("result.score"))?.clamp(0.0, 100.0));
            f.success = Some(result.and_then(|r| r.get("success")).and_then(Value::as_bool).unwrap_or(verb == Verb::Passed));
            f.persona = ext(exts, "persona").and_then(Value::as_str).unwrap_or("").to_string();
            for d in Dimension::ALL {
                if let Some(v) = ext(exts, &format!("dimension/{}", dimension_code(d))).and_then(Value::as_f64).filter(|v| v.is_finite()) {
                    f.dimensions.push((d, v.clamp(0.0, 100.0)));
                }
            }
        }
        _ => {}
    }
    Ok(f)
}

#[derive(Debug, Error)]
pub enum ClassError {
    #[error(
        "the LRS at {url} cannot be reached ({detail}); check --lrs and the network, or use --offline to report from the cache \
         / 无法连接 LRS，请检查地址和网络，或加 --offline 使用本机缓存"
    )]
    Unreachable { url: String, detail: String },
    #[error(
        "the LRS at {url} refused the credentials (HTTP {status}); check --user and --password (or COUNTERPART_LRS_USER / COUNTERPART_LRS_PASSWORD) \
         / LRS 拒绝了账号或密码"
    )]
    Credentials { url: String, status: u16 },
    #[error("{url} is not an LRS statements address (HTTP {status}: {body}); check --lrs / 该地址不是 LRS 的 statements 接口")]
    NotAnLrs { url: String, status: u16, body: String },
    #[error("the LRS at {url} answered HTTP {status}: {body} / LRS 返回错误")]
    Status { url: String, status: u16, body: String },
    #[error("the LRS at {url} sent an answer that is not a statement list ({detail}) / LRS 的回答无法读取")]
    BadAnswer { url: String, detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<LrsError> for ClassError {
    fn from(e: LrsError) -> ClassError {
        match e {
            LrsError::Transport { url, detail } => ClassError::Unreachable { url, detail },
            LrsError::Status { url, status: status @ (401 | 403), .. } => ClassError::Credentials { url, status },
            LrsError::Status { url, status: status @ (404 | 405 | 410), body } => ClassError::NotAnLrs { url, status, body },
            LrsError::Status { url, status, body } => ClassError::Status { url, status, body },
            LrsError::BadAnswer { url, detail } => ClassError::BadAnswer { url, detail },
        }
    }
}

/// The cache's state for one LRS endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheState {
    /// When the last fetch finished (UTC, ISO 8601): what a screen shows
    /// when it works offline.
    pub fetched_at: String,
    /// Where the next refresh starts (its `since`): the earlier of the
    /// cache's newest `stored` and its newest `timestamp` when the fetch
    /// finished. xAPI filters `since` on `stored`, but Ralph (every backend,
    /// 5.1) filters it on `timestamp`; the earlier of the two misses nothing
    /// on a conformant LRS and, on Ralph, only statements that happened
    /// before the newest one cached yet reached the LRS after the fetch (a
    /// PC sending a backlog): `refresh(.., full: true)` catches those.
    pub bookmark: String,
    pub statements: usize,
    /// Statements skipped as malformed, over every fetch.
    pub skipped: usize,
}

/// What one `refresh` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchRun {
    pub pages: usize,
    /// Statements the LRS sent.
    pub received: usize,
    /// Of those, new to the cache.
    pub added: usize,
    /// Already in the cache (the `since` bookmark overlaps by design).
    pub known: usize,
    /// Not Counterpart scenario statements: left out.
    pub other: usize,
    /// Malformed: skipped and counted, with the first few reasons.
    pub malformed: usize,
    pub malformed_examples: Vec<String>,
    /// The `since` asked for (`None`: a full fetch).
    pub since: Option<String>,
}

/// Statements per page asked for: Ralph caps a page at its
/// `RUNSERVER_MAX_SEARCH_HITS_COUNT` (100 by default), Learning Locker at
/// its own limit; asking for more costs nothing.
pub const PAGE: usize = 500;

/// Fetches what the LRS stored since the cache's newest statement (all of
/// it with `full` or on the first fetch) and adds it to the cache, one page
/// per transaction, so an interrupted fetch keeps its pages. `query` may
/// narrow the fetch (verb, activity); its `since` is replaced by the
/// bookmark unless `full`.
pub fn refresh(store: &Store, lrs: &Lrs, query: &StatementQuery, full: bool) -> Result<FetchRun, ClassError> {
    let endpoint = lrs.statements_url().to_string();
    let state = store.lrs_cache_state(&endpoint)?;
    let mut q = query.clone();
    if !full && let Some(s) = state.as_ref().filter(|s| !s.bookmark.is_empty()) {
        q.since = Some(s.bookmark.clone());
    }
    if q.limit.is_none() {
        q.limit = Some(PAGE);
    }
    let mut run = FetchRun { since: q.since.clone(), ..FetchRun::default() };
    let mut failure: Option<StoreError> = None;
    let pages = lrs.fetch_pages(&q, &mut |page| {
        run.received += page.len();
        let mut facts = Vec::with_capacity(page.len());
        for st in &page {
            match fact(st) {
                Ok(f) => facts.push(f),
                Err(Skip::NotOurs) => run.other += 1,
                Err(Skip::Malformed(why)) => {
                    run.malformed += 1;
                    if run.malformed_examples.len() < 5 {
                        let id = st.get("id").and_then(Value::as_str).unwrap_or("(no id)");
                        run.malformed_examples.push(format!("{id}: {why}"));
                    }
                }
            }
        }
        drop(page);
        match store.cache_facts(&endpoint, &facts) {
            Ok(added) => {
                run.added += added;
                run.known += facts.len() - added;
                true
            }
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    });
    if let Some(e) = failure {
        return Err(e.into());
    }
    run.pages = pages?;
    store.record_lrs_fetch(&endpoint, run.malformed)?;
    Ok(run)
}

impl Store {
    /// Adds facts not yet cached for `endpoint` (by statement id); returns
    /// how many were new.
    pub fn cache_facts(&self, endpoint: &str, facts: &[Fact]) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let err = self.err();
        let tx = conn.transaction().map_err(&err)?;
        let mut added = 0;
        {
            let mut ins = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO lrs_statements (endpoint, id, stored, timestamp, verb, actor, actor_name, registration, scenario, turn, choice, \
                     quality, red_flag, score, success, persona, exam, exam_name, dimensions) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                )
                .map_err(&err)?;
            for f in facts {
                let dims = serde_json::to_string(&f.dimensions.iter().map(|(d, v)| (dimension_code(*d), *v)).collect::<BTreeMap<_, _>>())
                    .unwrap_or_default();
                added += ins
                    .execute(params![
                        endpoint,
                        f.id,
                        f.stored,
                        f.timestamp,
                        f.verb.code(),
                        f.actor,
                        f.actor_name,
                        f.registration,
                        f.scenario,
                        f.turn,
                        f.choice,
                        f.quality,
                        f.red_flag,
                        f.score,
                        f.success,
                        f.persona,
                        f.exam,
                        f.exam_name,
                        dims
                    ])
                    .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)?;
        Ok(added)
    }

    fn record_lrs_fetch(&self, endpoint: &str, skipped: usize) -> Result<(), StoreError> {
        let conn = self.conn();
        let (stored, timestamp): (Option<String>, Option<String>) = conn
            .query_row("SELECT MAX(stored), MAX(timestamp) FROM lrs_statements WHERE endpoint = ?1", [endpoint], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(self.err())?;
        let bookmark = earlier(stored.as_deref().unwrap_or(""), timestamp.as_deref().unwrap_or(""));
        conn.execute(
            &format!(
                "INSERT INTO lrs_fetches (endpoint, fetched_at, newest_stored, skipped) VALUES (?1, {now}, ?2, ?3) \
                 ON CONFLICT (endpoint) DO UPDATE SET fetched_at = excluded.fetched_at, newest_stored = excluded.newest_stored, \
                 skipped = skipped + excluded.skipped",
                now = crate::records::store::NOW
            ),
            params![endpoint, bookmark, skipped as i64],
        )
        .map_err(self.err())?;
        Ok(())
    }

    /// The cache for `endpoint`, `None` before its first fetch.
    pub fn lrs_cache_state(&self, endpoint: &str) -> Result<Option<CacheState>, StoreError> {
        let conn = self.conn();
        let row = conn.query_row(
            "SELECT fetched_at, newest_stored, skipped, (SELECT COUNT(*) FROM lrs_statements WHERE endpoint = ?1) FROM lrs_fetches WHERE endpoint = ?1",
            [endpoint],
            |r| Ok(CacheState { fetched_at: r.get(0)?, bookmark: r.get(1)?, skipped: r.get::<_, i64>(2)? as usize, statements: r.get::<_, i64>(3)? as usize }),
        );
        match row {
            Ok(s) => Ok(Some(s)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(self.err()(e)),
        }
    }

    /// The scenario ids in the cache of `endpoint`, sorted: what a screen
    /// offers to filter by, whatever the PC's own library holds.
    pub fn cached_scenarios(&self, endpoint: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT DISTINCT scenario FROM lrs_statements WHERE endpoint = ?1 ORDER BY scenario").map_err(self.err())?;
        let rows = stmt.query_map([endpoint], |r| r.get::<_, String>(0)).map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// The LRS statements address this PC sent to most recently, if any:
    /// where a screen reading the class back looks first.
    pub fn last_sent_endpoint(&self) -> Result<Option<String>, StoreError> {
        let conn = self.conn();
        let row = conn.query_row("SELECT endpoint FROM outbox ORDER BY accepted_at DESC, rowid DESC LIMIT 1", [], |r| r.get::<_, String>(0));
        match row {
            Ok(e) => Ok(Some(e)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(self.err()(e)),
        }
    }

    /// Every cached fact of `endpoint`, oldest first, one at a time.
    pub fn for_each_cached_fact(&self, endpoint: &str, each: &mut dyn FnMut(Fact)) -> Result<(), StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, stored, timestamp, verb, actor, actor_name, registration, scenario, turn, choice, quality, red_flag, score, success, \
                 persona, exam, exam_name, dimensions FROM lrs_statements WHERE endpoint = ?1 ORDER BY timestamp, id",
            )
            .map_err(self.err())?;
        let mut rows = stmt.query([endpoint]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let get = |i: usize| r.get::<_, String>(i);
            let read = || -> rusqlite::Result<Fact> {
                let dims: BTreeMap<String, f64> = serde_json::from_str(&get(17)?).unwrap_or_default();
                Ok(Fact {
                    id: get(0)?,
                    stored: get(1)?,
                    timestamp: get(2)?,
                    verb: Verb::from_code(&get(3)?),
                    actor: get(4)?,
                    actor_name: get(5)?,
                    registration: get(6)?,
                    scenario: get(7)?,
                    turn: get(8)?,
                    choice: get(9)?,
                    quality: r.get::<_, Option<u8>>(10)?,
                    red_flag: get(11)?,
                    score: r.get(12)?,
                    success: r.get(13)?,
                    persona: get(14)?,
                    exam: get(15)?,
                    exam_name: get(16)?,
                    dimensions: Dimension::ALL.iter().filter_map(|d| dims.get(&dimension_code(*d)).map(|v| (*d, *v))).collect(),
                })
            };
            each(read().map_err(self.err())?);
        }
        Ok(())
    }
}

/// The earlier instant of two (an unreadable or empty one loses).
fn earlier(a: &str, b: &str) -> String {
    match (instant_millis(a), instant_millis(b)) {
        (Some(x), Some(y)) if y < x => b.to_string(),
        (Some(_), Some(_)) => a.to_string(),
        (None, Some(_)) => b.to_string(),
        _ => a.to_string(),
    }
}

/// Which trainees and dates an overview covers. Empty means everyone,
/// any date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassFilter {
    /// Account names or display names of the class's trainees.
    pub actors: Vec<String>,
    /// A part of the name or account, case-insensitive (a class whose
    /// accounts share a prefix, e.g. `2026A-`).
    pub name_contains: Option<String>,
    /// From this day (`YYYY-MM-DD`, a day in `zone`) or instant (ISO 8601
    /// with its offset) on.
    pub since: Option<String>,
    /// Up to and including this day or instant.
    pub until: Option<String>,
    /// Only these scenarios (ids); empty means every scenario.
    pub scenarios: Vec<String>,
    /// The zone whose days `since`, `until` and the weeks are: the trainer's
    /// PC's (statements carry UTC instants).
    pub zone: Zone,
}

impl ClassFilter {
    pub fn matches(&self, f: &Fact) -> bool {
        if !self.scenarios.is_empty() && !self.scenarios.contains(&f.scenario) {
            return false;
        }
        if !self.actors.is_empty() && !self.actors.iter().any(|a| *a == f.actor || *a == f.actor_name) {
            return false;
        }
        if let Some(part) = self.name_contains.as_ref().filter(|p| !p.is_empty()) {
            let part = part.to_lowercase();
            if !f.actor.to_lowercase().contains(&part) && !f.actor_name.to_lowercase().contains(&part) {
                return false;
            }
        }
        if let Some(since) = &self.since
            && self.bound_cmp(&f.timestamp, since) == Some(std::cmp::Ordering::Less)
        {
            return false;
        }
        if let Some(until) = &self.until
            && self.bound_cmp(&f.timestamp, until) == Some(std::cmp::Ordering::Greater)
        {
            return false;
        }
        true
    }

    /// How a statement's instant lies to a bound: by local day when the
    /// bound is a day, by instant when it is one (`None`: unreadable, kept).
    fn bound_cmp(&self, timestamp: &str, bound: &str) -> Option<std::cmp::Ordering> {
        if bound.len() == 10 {
            Some(self.zone.day(timestamp)?.as_str().cmp(bound))
        } else {
            Some(instant_millis(timestamp)?.cmp(&instant_millis(bound)?))
        }
    }
}

/// One trainee of the class.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraineeRow {
    pub actor: String,
    pub name: String,
    /// Practice attempts started (exam scenarios are in `exams`).
    pub started: usize,
    pub completed: usize,
    pub passed: usize,
    pub abandoned: usize,
    /// Mean overall score of completed attempts.
    pub mean_score: Option<f64>,
    /// Scenario id → completed attempts.
    pub scenarios: BTreeMap<String, usize>,
    pub last_active: String,
}

/// One scenario practised by the class.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioRow {
    pub scenario: String,
    pub started: usize,
    pub completed: usize,
    pub passed: usize,
    /// Trainees with at least one completed attempt.
    pub trainees: usize,
    pub mean_score: Option<f64>,
    /// Persona → (completed, passed).
    pub personas: BTreeMap<String, (usize, usize)>,
}

/// Completed attempts' scores of one dimension in ten bands: `bands[i]`
/// counts scores in `[10 i, 10 i + 10)`, the last band including 100.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub dimension: Dimension,
    pub bands: [usize; 10],
    pub count: usize,
    pub mean: Option<f64>,
}

/// An option the class chose that counts as a mistake: quality under
/// `MISTAKE_QUALITY` or a red flag.
#[derive(Debug, Clone, PartialEq)]
pub struct MistakeRow {
    pub scenario: String,
    pub turn: String,
    pub choice: String,
    /// Times chosen.
    pub times: usize,
    /// Answers given at this turn in all: `times / answers` is the share.
    pub answers: usize,
    pub trainees: usize,
    pub red_flag: String,
    pub quality: Option<u8>,
}

/// One exam's results: each sitting is a registration, passed when every
/// drawn scenario it finished was passed and none was left unfinished in
/// the statements (the app's result sheet applies the exam's own overall
/// pass mark; the LRS only has the scenario verdicts).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExamRow {
    pub exam: String,
    pub name: String,
    pub candidates: usize,
    pub sittings: usize,
    pub sittings_passed: usize,
    pub scenarios_passed: usize,
    pub scenarios_judged: usize,
    pub mean_score: Option<f64>,
}

/// One ISO week (Monday to Sunday, by the statements' dates).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekRow {
    /// The week's Monday, `YYYY-MM-DD`.
    pub monday: String,
    pub completed: usize,
    pub passed: usize,
    pub mean_score: Option<f64>,
    pub active_trainees: usize,
}

/// The class overview: plain data for the report, the workbook and a
/// screen's charts. Rows are sorted (trainees by name, scenarios by id,
/// mistakes most frequent first, weeks in order).
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub filter: ClassFilter,
    /// Statements read for it (after the filter).
    pub statements: usize,
    pub first: Option<String>,
    pub last: Option<String>,
    pub trainees: Vec<TraineeRow>,
    pub scenarios: Vec<ScenarioRow>,
    pub dimensions: Vec<Distribution>,
    pub mistakes: Vec<MistakeRow>,
    pub exams: Vec<ExamRow>,
    pub weeks: Vec<WeekRow>,
}

impl Overview {
    /// Completed practice attempts and the share passed.
    pub fn pass_rate(&self) -> (usize, Option<f64>) {
        let done: usize = self.scenarios.iter().map(|s| s.completed).sum();
        let passed: usize = self.scenarios.iter().map(|s| s.passed).sum();
        (done, (done > 0).then(|| passed as f64 / done as f64))
    }
}

/// Below this option quality (0–100, `engine::option_quality`) a choice is
/// a mistake: the options authors grade as poor or harmful.
pub const MISTAKE_QUALITY: u8 = 50;
/// Mistakes the overview keeps (most frequent first).
pub const MISTAKES_KEPT: usize = 50;

#[derive(Default)]
struct Mean {
    sum: f64,
    n: usize,
}
impl Mean {
    fn add(&mut self, x: f64) {
        self.sum += x;
        self.n += 1;
    }
    fn get(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// Folds facts (any order) into the overview of those `filter` keeps.
/// Holds counts per trainee, scenario, option, sitting and week, never the
/// facts themselves.
#[derive(Default)]
pub struct OverviewBuilder {
    filter: ClassFilter,
    statements: usize,
    first: Option<String>,
    last: Option<String>,
    trainees: HashMap<String, (TraineeRow, Mean)>,
    scenarios: HashMap<String, (ScenarioRow, Mean, BTreeSet<String>)>,
    dims: HashMap<Dimension, ([usize; 10], Mean)>,
    answers_at: HashMap<(String, String), usize>,
    chosen: HashMap<(String, String, String), (usize, BTreeSet<String>, String, Option<u8>)>,
    sittings: HashMap<String, (String, String, bool, usize, usize)>,
    exams: HashMap<String, (String, BTreeSet<String>, Mean)>,
    weeks: BTreeMap<String, (usize, usize, Mean, BTreeSet<String>)>,
}

impl OverviewBuilder {
    pub fn new(filter: ClassFilter) -> OverviewBuilder {
        OverviewBuilder { filter, ..OverviewBuilder::default() }
    }

    pub fn add(&mut self, f: &Fact) {
        if !self.filter.matches(f) {
            return;
        }
        self.statements += 1;
        if self.first.as_ref().is_none_or(|t| f.timestamp < *t) {
            self.first = Some(f.timestamp.clone());
        }
        if self.last.as_ref().is_none_or(|t| f.timestamp > *t) {
            self.last = Some(f.timestamp.clone());
        }
        let in_exam = !f.exam.is_empty();
        if in_exam {
            self.add_exam(f);
        }
        if f.verb == Verb::Responded {
            self.add_answer(f);
            return;
        }
        if in_exam {
            return;
        }
        let (trainee, trainee_mean) = self
            .trainees
            .entry(f.actor.clone())
            .or_insert_with(|| (TraineeRow { actor: f.actor.clone(), name: f.actor_name.clone(), ..TraineeRow::default() }, Mean::default()));
        if f.timestamp > trainee.last_active {
            trainee.last_active = f.timestamp.clone();
        }
        let (scenario, scenario_mean, who) = self
            .scenarios
            .entry(f.scenario.clone())
            .or_insert_with(|| (ScenarioRow { scenario: f.scenario.clone(), ..ScenarioRow::default() }, Mean::default(), BTreeSet::new()));
        match f.verb {
            Verb::Initialized => {
                trainee.started += 1;
                scenario.started += 1;
            }
            Verb::Abandoned => trainee.abandoned += 1,
            Verb::Passed | Verb::Failed => {
                let passed = f.success.unwrap_or(f.verb == Verb::Passed);
                let score = f.score.unwrap_or(0.0);
                trainee.completed += 1;
                trainee.passed += usize::from(passed);
                trainee_mean.add(score);
                *trainee.scenarios.entry(f.scenario.clone()).or_default() += 1;
                scenario.completed += 1;
                scenario.passed += usize::from(passed);
                scenario_mean.add(score);
                who.insert(f.actor.clone());
                let persona = scenario.personas.entry(f.persona.clone()).or_default();
                persona.0 += 1;
                persona.1 += usize::from(passed);
                for (d, v) in &f.dimensions {
                    let (bands, mean) = self.dims.entry(*d).or_default();
                    bands[((v / 10.0) as usize).min(9)] += 1;
                    mean.add(*v);
                }
                if let Some(monday) = self.filter.zone.week(&f.timestamp) {
                    let w = self.weeks.entry(monday).or_default();
                    w.0 += 1;
                    w.1 += usize::from(passed);
                    w.2.add(score);
                    w.3.insert(f.actor.clone());
                }
            }
            _ => {}
        }
    }

    fn add_answer(&mut self, f: &Fact) {
        *self.answers_at.entry((f.scenario.clone(), f.turn.clone())).or_default() += 1;
        let mistake = !f.red_flag.is_empty() || f.quality.is_some_and(|q| q < MISTAKE_QUALITY);
        if mistake {
            let e = self.chosen.entry((f.scenario.clone(), f.turn.clone(), f.choice.clone())).or_insert_with(|| {
                (0, BTreeSet::new(), f.red_flag.clone(), f.quality)
            });
            e.0 += 1;
            e.1.insert(f.actor.clone());
        }
    }

    fn add_exam(&mut self, f: &Fact) {
        let exam = self.exams.entry(f.exam.clone()).or_insert_with(|| (f.exam_name.clone(), BTreeSet::new(), Mean::default()));
        if exam.0.is_empty() {
            exam.0 = f.exam_name.clone();
        }
        exam.1.insert(f.actor.clone());
        let key = if f.registration.is_empty() { format!("{}/{}", f.exam, f.actor) } else { f.registration.clone() };
        let s = self.sittings.entry(key).or_insert_with(|| (f.exam.clone(), f.actor.clone(), true, 0, 0));
        match f.verb {
            Verb::Initialized => s.3 += 1,
            Verb::Passed | Verb::Failed => {
                s.4 += 1;
                let passed = f.success.unwrap_or(f.verb == Verb::Passed);
                s.2 &= passed;
                exam.2.add(f.score.unwrap_or(0.0));
            }
            Verb::Abandoned => s.2 = false,
            _ => {}
        }
    }

    pub fn finish(self) -> Overview {
        let mut trainees: Vec<TraineeRow> = self
            .trainees
            .into_values()
            .map(|(mut t, m)| {
                t.mean_score = m.get();
                t
            })
            .collect();
        trainees.sort_by(|a, b| a.name.cmp(&b.name).then(a.actor.cmp(&b.actor)));
        let mut scenarios: Vec<ScenarioRow> = self
            .scenarios
            .into_values()
            .map(|(mut s, m, who)| {
                s.mean_score = m.get();
                s.trainees = who.len();
                s
            })
            .collect();
        scenarios.sort_by(|a, b| a.scenario.cmp(&b.scenario));
        let dimensions = Dimension::ALL
            .iter()
            .map(|d| {
                let (bands, mean) = self.dims.get(d).map(|(b, m)| (*b, m.get())).unwrap_or(([0; 10], None));
                Distribution { dimension: *d, count: bands.iter().sum(), bands, mean }
            })
            .collect();
        let mut mistakes: Vec<MistakeRow> = self
            .chosen
            .into_iter()
            .map(|((scenario, turn, choice), (times, who, red_flag, quality))| MistakeRow {
                answers: self.answers_at.get(&(scenario.clone(), turn.clone())).copied().unwrap_or(times),
                scenario,
                turn,
                choice,
                times,
                trainees: who.len(),
                red_flag,
                quality,
            })
            .collect();
        mistakes.sort_by(|a, b| {
            b.times.cmp(&a.times).then_with(|| (&a.scenario, &a.turn, &a.choice).cmp(&(&b.scenario, &b.turn, &b.choice)))
        });
        mistakes.truncate(MISTAKES_KEPT);
        let mut exams: Vec<ExamRow> = self
            .exams
            .into_iter()
            .map(|(id, (name, who, mean))| {
                let mine = self.sittings.values().filter(|s| s.0 == id);
                let (mut sittings, mut passed, mut judged, mut scen_passed) = (0, 0, 0, 0);
                for s in mine {
                    sittings += 1;
                    // A sitting is judged once every drawn scenario it
                    // started has a verdict.
                    passed += usize::from(s.2 && s.4 > 0 && s.4 >= s.3);
                    judged += s.4;
                    scen_passed += if s.2 { s.4 } else { 0 };
                }
                ExamRow {
                    exam: id,
                    name,
                    candidates: who.len(),
                    sittings,
                    sittings_passed: passed,
                    scenarios_passed: scen_passed,
                    scenarios_judged: judged,
                    mean_score: mean.get(),
                }
            })
            .collect();
        exams.sort_by(|a, b| a.exam.cmp(&b.exam));
        let weeks = self
            .weeks
            .into_iter()
            .map(|(monday, (completed, passed, mean, who))| WeekRow { monday, completed, passed, mean_score: mean.get(), active_trainees: who.len() })
            .collect();
        Overview {
            filter: self.filter,
            statements: self.statements,
            first: self.first,
            last: self.last,
            trainees,
            scenarios,
            dimensions,
            mistakes,
            exams,
            weeks,
        }
    }
}

/// The overview of `filter`'s class from the cache of `endpoint` (an
/// `Lrs::statements_url`), without the network.
pub fn overview_from_cache(store: &Store, endpoint: &str, filter: &ClassFilter) -> Result<Overview, StoreError> {
    let mut b = OverviewBuilder::new(filter.clone());
    store.for_each_cached_fact(endpoint, &mut |f| b.add(&f))?;
    Ok(b.finish())
}

/// The overview of a list of facts: for tests and callers holding facts.
pub fn overview(facts: &[Fact], filter: &ClassFilter) -> Overview {
    let mut b = OverviewBuilder::new(filter.clone());
    for f in facts {
        b.add(f);
    }
    b.finish()
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{:.0}%", v * 100.0))
}

fn score(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{v:.1}"))
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// A readable bilingual summary of the overview, for the command line.
pub fn summary_text(o: &Overview) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let (done, rate) = o.pass_rate();
    let _ = writeln!(s, "班级概览 Class overview");
    let _ = writeln!(
        s,
        "  {} 条记录 statements, {} – {}",
        o.statements,
        o.first.as_deref().and_then(|t| o.filter.zone.day(t)).as_deref().unwrap_or("–"),
        o.last.as_deref().and_then(|t| o.filter.zone.day(t)).as_deref().unwrap_or("–")
    );
    let _ = writeln!(s, "  学员 trainees: {}   完成练习 completed attempts: {done}   通过率 pass rate: {}", o.trainees.len(), pct(rate));
    let _ = writeln!(s, "\n学员 Trainees (开始/完成/通过/平均分 started/completed/passed/mean):");
    for t in &o.trainees {
        let label = if t.name == t.actor { t.name.clone() } else { format!("{} ({})", t.name, t.actor) };
        let _ = writeln!(s, "  {label}: {}/{}/{} {}  场景 scenarios: {}", t.started, t.completed, t.passed, score(t.mean_score), t.scenarios.len());
    }
    let _ = writeln!(s, "\n场景 Scenarios (完成/通过率/平均分/学员 completed/pass rate/mean/trainees):");
    for sc in &o.scenarios {
        let personas: Vec<String> = sc.personas.iter().map(|(p, (n, ok))| format!("{}: {n}, {}", if p.is_empty() { "–" } else { p }, pct(ratio(*ok, *n)))).collect();
        let _ = writeln!(
            s,
            "  {}: {} / {} / {} / {}   角色 personas: {}",
            sc.scenario,
            sc.completed,
            pct(ratio(sc.passed, sc.completed)),
            score(sc.mean_score),
            sc.trainees,
            personas.join("; ")
        );
    }
    let _ = writeln!(s, "\n维度得分分布 Dimension scores (0–9 … 90–100):");
    for d in &o.dimensions {
        let bands: Vec<String> = d.bands.iter().map(usize::to_string).collect();
        let _ = writeln!(s, "  {} {}: 平均 mean {}  [{}]", d.dimension.label().zh, d.dimension.label().en, score(d.mean), bands.join(" "));
    }
    let _ = writeln!(s, "\n常见错误 Most common mistakes (场景/回合/选项: 次数/该回合作答 scenario/turn/option: times/answers):");
    if o.mistakes.is_empty() {
        let _ = writeln!(s, "  无 none");
    }
    for m in o.mistakes.iter().take(15) {
        let flag = if m.red_flag.is_empty() { String::new() } else { format!("  红线 red flag: {}", m.red_flag) };
        let _ = writeln!(s, "  {}/{}/{}: {}/{} ({}), 学员 trainees {}{flag}", m.scenario, m.turn, m.choice, m.times, m.answers, pct(ratio(m.times, m.answers)), m.trainees);
    }
    if !o.exams.is_empty() {
        let _ = writeln!(s, "\n考核 Exams (考生/场次/通过场次/场景通过 candidates/sittings/sittings passed/scenarios passed):");
        for e in &o.exams {
            let _ = writeln!(
                s,
                "  {}{}: {} / {} / {} / {} of {}, 平均分 mean {}",
                e.exam,
                if e.name.is_empty() { String::new() } else { format!(" {}", e.name) },
                e.candidates,
                e.sittings,
                e.sittings_passed,
                e.scenarios_passed,
                e.scenarios_judged,
                score(e.mean_score)
            );
        }
    }
    let _ = writeln!(s, "\n每周进度 Progress per week (周一 完成/通过率/平均分/活跃学员 Monday completed/pass rate/mean/active):");
    for w in &o.weeks {
        let _ = writeln!(s, "  {}: {} / {} / {} / {}", w.monday, w.completed, pct(ratio(w.passed, w.completed)), score(w.mean_score), w.active_trainees);
    }
    s
}

const TRAINEE_COLUMNS: [&str; 9] = ["account", "name", "started", "completed", "passed", "abandoned", "mean_score", "scenarios", "last_active"];

/// One row per trainee (`TRAINEE_COLUMNS`); `text` makes the names safe
/// for the target: they come from whatever wrote to the LRS.
fn trainee_rows(o: &Overview, text: fn(&str) -> String) -> Vec<Vec<String>> {
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.2}"));
    o.trainees
        .iter()
        .map(|t| {
            vec![
                text(&t.actor),
                text(&t.name),
                t.started.to_string(),
                t.completed.to_string(),
                t.passed.to_string(),
                t.abandoned.to_string(),
                opt(t.mean_score),
                t.scenarios.len().to_string(),
                t.last_active.clone(),
            ]
        })
        .collect()
}

/// The class list as CSV (UTF-8 with BOM, for Excel and WPS): one row per
/// trainee, as the workbook's first sheet.
pub fn write_trainees_csv<W: std::io::Write>(o: &Overview, out: W) -> Result<(), csv::Error> {
    use crate::records::report::{csv_safe, csv_writer};
    let mut w = csv_writer(out)?;
    w.write_record(TRAINEE_COLUMNS)?;
    for row in trainee_rows(o, csv_safe) {
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// The overview as an Excel workbook: one sheet per table.
pub fn workbook(o: &Overview) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::records::xlsx::sheet;
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v:.2}"));
    let mut wb = rust_xlsxwriter::Workbook::new();
    sheet(wb.add_worksheet(), "Trainees 学员", &TRAINEE_COLUMNS, &trainee_rows(o, |s| s.to_string()))?;
    let mut rows = Vec::new();
    for sc in &o.scenarios {
        for (p, (n, ok)) in &sc.personas {
            rows.push(vec![sc.scenario.clone(), p.clone(), n.to_string(), ok.to_string(), sc.started.to_string(), sc.trainees.to_string(), opt(sc.mean_score)]);
        }
    }
    sheet(wb.add_worksheet(), "Scenarios 场景", &["scenario", "persona", "completed", "passed", "started", "trainees", "mean_score"], &rows)?;
    let rows: Vec<Vec<String>> = o
        .dimensions
        .iter()
        .flat_map(|d| {
            d.bands.iter().enumerate().map(move |(i, n)| vec![dimension_code(d.dimension), format!("{}-{}", i * 10, if i == 9 { 100 } else { i * 10 + 9 }), n.to_string()])
        })
        .collect();
    sheet(wb.add_worksheet(), "Dimensions 维度", &["dimension", "band", "count"], &rows)?;
    let rows: Vec<Vec<String>> = o
        .mistakes
        .iter()
        .map(|m| {
            vec![
                m.scenario.clone(),
                m.turn.clone(),
                m.choice.clone(),
                m.times.to_string(),
                m.answers.to_string(),
                m.trainees.to_string(),
                m.red_flag.clone(),
                m.quality.map_or(String::new(), |q| q.to_string()),
            ]
        })
        .collect();
    sheet(wb.add_worksheet(), "Mistakes 常见错误", &["scenario", "turn", "option", "times", "answers", "trainees", "red_flag", "quality"], &rows)?;
    let rows: Vec<Vec<String>> = o
        .exams
        .iter()
        .map(|e| {
            vec![
                e.exam.clone(),
                e.name.clone(),
                e.candidates.to_string(),
                e.sittings.to_string(),
                e.sittings_passed.to_string(),
                e.scenarios_passed.to_string(),
                e.scenarios_judged.to_string(),
                opt(e.mean_score),
            ]
        })
        .collect();
    sheet(
        wb.add_worksheet(),
        "Exams 考核",
        &["exam", "name", "candidates", "sittings", "sittings_passed", "scenarios_passed", "scenarios_judged", "mean_score"],
        &rows,
    )?;
    let rows: Vec<Vec<String>> = o
        .weeks
        .iter()
        .map(|w| vec![w.monday.clone(), w.completed.to_string(), w.passed.to_string(), opt(w.mean_score), w.active_trainees.to_string()])
        .collect();
    sheet(wb.add_worksheet(), "Weeks 每周", &["monday", "completed", "passed", "mean_score", "active_trainees"], &rows)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::xapi::{extension, scenario_activity_id};
    use serde_json::json;

    fn verdict(id: &str, who: &str, scenario: &str, ts: &str, score: f64, passed: bool, persona: &str) -> Value {
        json!({
            "id": id,
            "actor": { "objectType": "Agent", "name": format!("{who} name"), "account": { "homePage": HOME_PAGE, "name": who } },
            "verb": { "id": if passed { VERB_PASSED } else { VERB_FAILED } },
            "object": { "id": scenario_activity_id(scenario) },
            "timestamp": ts,
            "stored": ts,
            "context": { "registration": format!("reg-{id}") },
            "result": { "score": { "raw": score }, "success": passed, "extensions": {
                extension("persona"): persona,
                extension("dimension/empathy"): score,
                extension("dimension/listening"): 100.0,
            } },
        })
    }

    fn answer(id: &str, who: &str, turn: &str, choice: &str, quality: u8, flag: Option<&str>) -> Value {
        let mut e = json!({ extension("quality"): quality });
        if let Some(f) = flag {
            e[extension("red-flag")] = json!(f);
        }
        json!({
            "id": id,
            "actor": { "account": { "homePage": HOME_PAGE, "name": who } },
            "verb": { "id": VERB_RESPONDED },
            "object": { "id": format!("{}/turns/{turn}", scenario_activity_id("water outage")) },
            "timestamp": "2026-11-24T09:00:00Z",
            "result": { "response": choice, "extensions": e },
        })
    }

    fn facts(list: &[Value]) -> Vec<Fact> {
        list.iter().map(|s| fact(s).unwrap()).collect()
    }

    #[test]
    fn statements_are_read_back_with_escaped_ids_and_any_extension_base() {
        let f = fact(&verdict("a", "E001", "water outage", "2026-11-24T09:00:00Z", 72.5, true, "angry")).unwrap();
        assert_eq!((f.scenario.as_str(), f.verb, f.score, f.success), ("water outage", Verb::Passed, Some(72.5), Some(true)));
        assert_eq!(f.persona, "angry");
        assert_eq!(f.dimensions, vec![(Dimension::Listening, 100.0), (Dimension::Empathy, 72.5)]);
        assert_eq!((f.actor.as_str(), f.actor_name.as_str()), ("E001", "E001 name"));
        let mut other_base = answer("b", "E001", "t%2F1", "own_it", 20, Some("Blame"));
        let e = other_base["result"]["extensions"].take();
        other_base["result"]["extensions"] = json!({ "https://centre.example/x/quality": e[extension("quality")], "https://centre.example/x/red-flag": "Blame" });
        let f = fact(&other_base).unwrap();
        assert_eq!((f.turn.as_str(), f.choice.as_str(), f.quality, f.red_flag.as_str()), ("t/1", "own_it", Some(20), "Blame"));
    }

    #[test]
    fn malformed_and_foreign_statements_are_skipped_not_fatal() {
        let good = verdict("a", "E001", "s", "2026-11-24T09:00:00Z", 50.0, true, "");
        for broken in ["id", "actor", "verb", "object", "timestamp"] {
            let mut s = good.clone();
            s.as_object_mut().unwrap().remove(broken);
            assert!(matches!(fact(&s), Err(Skip::Malformed(_))), "{broken}");
        }
        let mut s = good.clone();
        s["result"]["score"] = json!({ "raw": "lots" });
        assert!(matches!(fact(&s), Err(Skip::Malformed(_))));
        let mut s = good.clone();
        s["object"]["id"] = json!("https://lms.example/course/1");
        assert_eq!(fact(&s), Err(Skip::NotOurs));
        assert!(matches!(fact(&json!("not an object")), Err(Skip::Malformed(_))));
    }

    #[test]
    fn the_overview_counts_pass_rates_personas_distributions_mistakes_and_weeks() {
        let list = facts(&[
            verdict("1", "E001", "s1", "2026-11-24T09:00:00Z", 80.0, true, "angry"),
            verdict("2", "E001", "s1", "2026-12-01T09:00:00Z", 40.0, false, "calm"),
            verdict("3", "E002", "s1", "2026-11-30T23:59:00Z", 95.0, true, "angry"),
            verdict("4", "E002", "s2", "2026-12-02T09:00:00Z", 100.0, true, ""),
            answer("5", "E001", "t1", "blame", 10, None),
            answer("6", "E002", "t1", "blame", 10, None),
            answer("7", "E002", "t1", "own_it", 90, None),
            answer("8", "E001", "t2", "promise", 70, Some("FalsePromise")),
        ]);
        let o = overview(&list, &ClassFilter::default());
        assert_eq!(o.pass_rate(), (4, Some(0.75)));
        assert_eq!(o.trainees.iter().map(|t| (t.actor.as_str(), t.completed, t.passed)).collect::<Vec<_>>(), [("E001", 2, 1), ("E002", 2, 2)]);
        let s1 = &o.scenarios[0];
        assert_eq!((s1.completed, s1.passed, s1.trainees), (3, 2, 2));
        assert_eq!(s1.personas["angry"], (2, 2));
        assert_eq!(s1.personas["calm"], (1, 0));
        let empathy = o.dimensions.iter().find(|d| d.dimension == Dimension::Empathy).unwrap();
        assert_eq!(empathy.bands, [0, 0, 0, 0, 1, 0, 0, 0, 1, 2], "40, 80, 95 and 100 (in the last band)");
        assert_eq!(empathy.mean, Some(78.75));
        assert_eq!(o.mistakes.len(), 2, "the good answer is not a mistake; a red flag is, whatever its quality");
        let m = &o.mistakes[0];
        assert_eq!((m.turn.as_str(), m.choice.as_str(), m.times, m.answers, m.trainees), ("t1", "blame", 2, 3, 2));
        assert_eq!(o.mistakes[1].red_flag, "FalsePromise");
        // 2026-11-24 is a Tuesday; 11-30 is the next Monday.
        assert_eq!(o.weeks.iter().map(|w| (w.monday.as_str(), w.completed, w.passed)).collect::<Vec<_>>(), [("2026-11-23", 1, 1), ("2026-11-30", 3, 2)]);

        let one = overview(&list, &ClassFilter { actors: vec!["E002 name".into()], ..ClassFilter::default() });
        assert_eq!(one.trainees.len(), 1);
        assert_eq!(one.pass_rate(), (2, Some(1.0)));
        let range = overview(&list, &ClassFilter { since: Some("2026-11-30".into()), until: Some("2026-12-01".into()), ..ClassFilter::default() });
        assert_eq!(range.pass_rate(), (2, Some(0.5)), "until takes the whole day; the answers of 11-24 are out");
        assert!(range.mistakes.is_empty());
        let prefix = overview(&list, &ClassFilter { name_contains: Some("e001".into()), ..ClassFilter::default() });
        assert_eq!(prefix.trainees.len(), 1);
        let s2 = overview(&list, &ClassFilter { scenarios: vec!["s2".into()], ..ClassFilter::default() });
        assert_eq!((s2.scenarios.len(), s2.pass_rate()), (1, (1, Some(1.0))));
        assert!(s2.mistakes.is_empty(), "the answers were in another scenario");
    }

    #[test]
    fn exam_sittings_pass_only_when_every_drawn_scenario_passed() {
        let exam = |v: Value, reg: &str| {
            let mut v = v;
            v["context"]["registration"] = json!(reg);
            v["context"]["contextActivities"] = json!({ "grouping": [{ "id": format!("{HOME_PAGE}/exams/cert-2026"), "definition": { "name": { "zh-CN": "上岗考核" } } }] });
            v
        };
        let list = facts(&[
            exam(verdict("1", "E001", "s1", "2026-11-24T09:00:00Z", 80.0, true, ""), "sit-1"),
            exam(verdict("2", "E001", "s2", "2026-11-24T09:10:00Z", 90.0, true, ""), "sit-1"),
            exam(verdict("3", "E002", "s1", "2026-11-24T09:00:00Z", 80.0, true, ""), "sit-2"),
            exam(verdict("4", "E002", "s2", "2026-11-24T09:10:00Z", 30.0, false, ""), "sit-2"),
        ]);
        let o = overview(&list, &ClassFilter::default());
        assert_eq!(o.exams.len(), 1);
        let e = &o.exams[0];
        assert_eq!((e.exam.as_str(), e.name.as_str(), e.candidates, e.sittings, e.sittings_passed), ("cert-2026", "上岗考核", 2, 2, 1));
        assert_eq!((e.scenarios_passed, e.scenarios_judged), (2, 4));
        assert_eq!(o.pass_rate(), (0, None), "exam scenarios are not practice");
    }

    #[test]
    fn a_scenario_filter_keeps_only_its_scenarios() {
        let list = facts(&[
            verdict("1", "E001", "s1", "2026-11-24T09:00:00Z", 80.0, true, "angry"),
            verdict("2", "E001", "s2", "2026-11-24T10:00:00Z", 40.0, false, "calm"),
        ]);
        let o = overview(&list, &ClassFilter { scenarios: vec!["s2".into()], ..ClassFilter::default() });
        assert_eq!(o.scenarios.iter().map(|s| s.scenario.as_str()).collect::<Vec<_>>(), ["s2"]);
        assert_eq!(o.pass_rate(), (1, Some(0.0)));
        let mut csv = Vec::new();
        let mut hostile = o.clone();
        hostile.trainees[0].name = "=1+2".into();
        write_trainees_csv(&hostile, &mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        // The name, a formula from the LRS, is written as text.
        assert_eq!(text.lines().nth(1), Some("E001,'=1+2,0,1,0,0,40.00,1,2026-11-24T10:00:00Z"), "{text}");
    }

    #[test]
    fn instants_are_compared_across_offsets() {
        assert_eq!(instant_millis("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(instant_millis("1970-01-01T08:00:01.5+08:00"), Some(1500));
        assert_eq!(instant_millis("2026-12-02T02:40:00.123456+00:00"), instant_millis("2026-12-02T02:40:00.123Z"));
        assert_eq!(instant_millis("2026-12-01T21:40:00-05:00"), instant_millis("2026-12-02T02:40:00Z"));
        assert_eq!(instant_millis("yesterday"), None);
        assert_eq!(earlier("2026-12-02T10:00:00+00:00", "2026-12-02T17:30:00+08:00"), "2026-12-02T17:30:00+08:00");
        assert_eq!(earlier("2026-12-02T10:00:00Z", "garbage"), "2026-12-02T10:00:00Z");
        assert_eq!(earlier("", "2026-12-02T10:00:00Z"), "2026-12-02T10:00:00Z");
    }

    #[test]
    fn the_next_refresh_starts_at_the_newest_timestamp_when_it_is_earlier_than_the_newest_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        // Played at 09:00 and 09:30, sent together at 11:00.
        let mut a = verdict("1", "E001", "s1", "2026-11-24T09:00:00Z", 80.0, true, "");
        let mut b = verdict("2", "E002", "s1", "2026-11-24T09:30:00+00:00", 80.0, true, "");
        a["stored"] = json!("2026-11-24T11:00:00.000100+00:00");
        b["stored"] = json!("2026-11-24T11:00:00.000200+00:00");
        store.cache_facts("e", &facts(&[a, b])).unwrap();
        store.record_lrs_fetch("e", 0).unwrap();
        // A PC that played at 10:00 and sends at 12:00 is found by a
        // refresh from 09:30 on an LRS that filters on the timestamp, and
        // by one from 11:00 on an LRS that filters on stored: 09:30 serves both.
        assert_eq!(store.lrs_cache_state("e").unwrap().unwrap().bookmark, "2026-11-24T09:30:00+00:00");
        // A clock running ahead cannot push the bookmark past what was stored.
        let mut ahead = verdict("3", "E003", "s1", "2027-01-01T00:00:00Z", 80.0, true, "");
        ahead["stored"] = json!("2026-11-24T11:05:00+00:00");
        store.cache_facts("e", &facts(&[ahead])).unwrap();
        store.record_lrs_fetch("e", 0).unwrap();
        assert_eq!(store.lrs_cache_state("e").unwrap().unwrap().bookmark, "2026-11-24T11:05:00+00:00");
    }

    #[test]
    fn days_and_weeks_are_the_trainers_own() {
        // Monday 07:30 in Beijing is Sunday 23:30 UTC: on a Beijing PC it is
        // in the week of 30 Nov and inside a range starting that day.
        let list = facts(&[verdict("a", "E001", "s1", "2026-11-29T23:30:00.000Z", 90.0, true, "")]);
        let beijing = ClassFilter { zone: Zone::fixed_hours(8), since: Some("2026-11-30".into()), ..ClassFilter::default() };
        let o = overview(&list, &beijing);
        assert_eq!(o.weeks.iter().map(|w| (w.monday.as_str(), w.completed)).collect::<Vec<_>>(), [("2026-11-30", 1)]);
        let utc = ClassFilter { since: Some("2026-11-30".into()), ..ClassFilter::default() };
        assert_eq!(overview(&list, &utc).statements, 0, "in UTC it was still Sunday");
        let until_sunday = ClassFilter { zone: Zone::fixed_hours(8), until: Some("2026-11-29".into()), ..ClassFilter::default() };
        assert_eq!(overview(&list, &until_sunday).statements, 0);
        assert!(summary_text(&o).contains("2026-11-30 – 2026-11-30"), "{}", summary_text(&o));
        let instant = ClassFilter { since: Some("2026-11-30T07:00:00+08:00".into()), ..ClassFilter::default() };
        assert_eq!(overview(&list, &instant).statements, 1, "an instant bound is an instant in any zone");
    }

    #[test]
    fn the_cache_keeps_each_statement_once_and_gives_the_same_overview() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
        let list = facts(&[
            verdict("1", "E001", "s1", "2026-11-24T09:00:00Z", 80.0, true, "angry"),
            answer("5", "E001", "t1", "blame", 10, Some("Blame")),
            verdict("2", "E002", "s1", "2026-11-25T09:00:00Z", 40.0, false, "calm"),
        ]);
        assert_eq!(store.cache_facts("http://lrs/xAPI/statements", &list).unwrap(), 3);
        assert_eq!(store.cache_facts("http://lrs/xAPI/statements", &list[1..]).unwrap(), 0);
        assert_eq!(store.cache_facts("http://other/xAPI/statements", &list[..1]).unwrap(), 1, "per endpoint");
        assert_eq!(store.lrs_cache_state("http://lrs/xAPI/statements").unwrap(), None, "no fetch recorded yet");
        store.record_lrs_fetch("http://lrs/xAPI/statements", 2).unwrap();
        let state = store.lrs_cache_state("http://lrs/xAPI/statements").unwrap().unwrap();
        assert_eq!((state.statements, state.skipped, state.bookmark.as_str()), (3, 2, "2026-11-25T09:00:00Z"));
        assert!(state.fetched_at.starts_with("20"));
        let cached = overview_from_cache(&store, "http://lrs/xAPI/statements", &ClassFilter::default()).unwrap();
        assert_eq!(cached, overview(&list, &ClassFilter::default()));
        assert_eq!(store.cached_scenarios("http://lrs/xAPI/statements").unwrap(), ["s1", "water outage"]);
        assert_eq!(store.last_sent_endpoint().unwrap(), None, "nothing sent from this file");
        let me = store.create_profile("王芳").unwrap().id;
        let a = store.begin_attempt(me, "s1", 1, 7).unwrap();
        let sent = |id: &str| crate::records::store::Sent { statement_id: id.into(), attempt_id: a, digest: "d".into() };
        store.mark_sent("http://old/xAPI/statements", &[sent("x1")]).unwrap();
        store.mark_sent("http://lrs/xAPI/statements", &[sent("x2")]).unwrap();
        assert_eq!(store.last_sent_endpoint().unwrap().as_deref(), Some("http://lrs/xAPI/statements"), "the later send wins");
        let book = workbook(&cached).unwrap();
        assert!(book.starts_with(b"PK"));
        let text = summary_text(&cached);
        assert!(text.contains("通过率 pass rate: 50%"), "{text}");
        assert!(text.contains("water outage/t1/blame: 1/1"), "{text}");
    }

    #[test]
    fn a_version_9_file_gains_the_cache_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        drop(Store::open(&path).unwrap());
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch("DROP TABLE lrs_statements; DROP TABLE lrs_fetches; PRAGMA user_version = 9;").unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), crate::records::store::SCHEMA_VERSION);
        assert_eq!(store.cache_facts("e", &facts(&[answer("5", "E001", "t1", "blame", 10, None)])).unwrap(), 1);
    }
}
