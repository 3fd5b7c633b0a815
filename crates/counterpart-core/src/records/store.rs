//! Trainee records: profiles, settings and every attempt, turn by turn, in
//! one SQLite file.
//!
//! Crash safety comes from SQLite itself: WAL journal, `synchronous=FULL`,
//! and every write is its own committed transaction, so a killed app loses
//! at most the turn that was being answered. An attempt that was never
//! finished stays `InProgress` and is offered for resume or abandonment.
//!
//! The schema is versioned with `PRAGMA user_version`; `migrate` brings any
//! older file up to `SCHEMA_VERSION` inside one transaction. A file that is
//! not a database, is damaged, or comes from a newer build is reported with
//! its path and left untouched; only `Store::start_fresh`, called on the
//! user's explicit request, moves it aside and creates a new one.

use crate::records::content::{AttemptContent, Identity, ScenarioSnapshot, digest};
use crate::play::engine::Script;
use crate::drill::{AtHand, Drill, DrillError, Effect, Event, Member, Mode, Phase, Plan};
use crate::play::engine::Step;
use crate::library::Library;
use crate::scenario::model::{DiscStyle, Message, Outcome, Text};
use crate::play::score::{AttemptResult, ScoreCard, main_persona};
use crate::notice::{Notice, NoticeOutcome};
use crate::workorder::{OrderOutcome, WorkOrder};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use thiserror::Error;

/// The schema this build writes. v1 had no response times and no attempt
/// UUIDs; v2 adds both; v3 adds group drills (plan, event log, and the
/// attempts their slots opened); v4 class-vote groups; v5 ratings; v6 what
/// an attempt's statements say (`content`), the LRS outbox and employee
/// numbers; v7 the hotline work order and the knowledge-base lookups; v8
/// the counter's one-time notice; v9 exam sittings; v10 the cache of statements read back from an LRS (`class`);
/// v11 the situation a targeted practice run (the mistake book's "practise from here") started from.
pub const SCHEMA_VERSION: i32 = 11;

/// Settings keys of the centre's xAPI identity (see docs/records.md).
pub const SETTING_HOME_PAGE: &str = "xapi.home_page";
pub const SETTING_EXTENSION_BASE: &str = "xapi.extension_base";

/// ISO 8601 UTC with milliseconds, computed by SQLite so that no clock
/// library is needed and all timestamps share one format.
pub(crate) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
/// The settings key of `mark_profile_used`.
const LAST_PROFILE: &str = "last_profile";

/// Why the records store refused or failed. What a person reads is
/// `message()`, in both languages, so that the app can show it in the
/// interface's language; `Display` (logs, the command line) prints both.
#[derive(Debug, Error)]
pub enum StoreError {
    Open { path: PathBuf, source: rusqlite::Error },
    Corrupt { path: PathBuf, detail: String },
    TooNew { path: PathBuf, found: i32, supported: i32 },
    Migration { path: PathBuf, from: i32, source: rusqlite::Error },
    Sql { path: PathBuf, source: rusqlite::Error },
    MoveAside { path: PathBuf, to: PathBuf, source: std::io::Error },
    CreateDir { path: PathBuf, source: std::io::Error },
    DuplicateProfile(String),
    EmptyProfileName,
    ProfileKindClash { name: String, group: bool },
    NoProfile(i64),
    NoProfileNamed(String),
    NoAttempt(i64),
    NotInProgress { attempt: i64, status: Status },
    StepOutOfOrder { attempt: i64, index: usize, have: usize },
    BadRow { attempt: i64, detail: String },
    NoDrill(i64),
    /// Named by its title: the trainer never sees a drill's number (a new
    /// drill has none yet).
    Drill { drill: i64, title: String, source: DrillError },
    Exam(#[from] SittingError),
    BadDrillRow { drill: i64, detail: String },
    DuplicateEmployeeId { employee_id: String, holder: String },
    EmployeeIdMismatch { name: String, has: String, typed: String },
    BadEmployeeId(String),
    BadIri { key: String, value: String },
    ContentMismatch { attempt: i64, scenario_id: String, version: u32, detail: String },
    DrillOutOfStep { drill: i64, stored: usize, applied: usize },
}

impl Message for StoreError {
    fn message(&self) -> Text {
        use StoreError::*;
        match self {
            Open { path, source } => Text::new(
                format!("无法打开学员记录数据库 {}：{source}", path.display()),
                format!("cannot open the records database {}: {source}", path.display()),
            ),
            Corrupt { path, detail } => Text::new(
                format!(
                    "学员记录数据库 {} 已损坏或不是数据库（{detail}），文件未做任何改动；如需重新开始，请选择“新建数据库”，旧文件会被移到一旁保留。",
                    path.display()
                ),
                format!(
                    "the records database {} is damaged or not a database ({detail}). It was left untouched; \
                     start fresh to move it aside and create a new one.",
                    path.display()
                ),
            ),
            TooNew { path, found, supported } => Text::new(
                format!("学员记录数据库 {} 的版本（{found}）比本程序支持的版本（{supported}）新，请升级 Counterpart。", path.display()),
                format!(
                    "the records database {} has schema version {found}, newer than this build supports ({supported}); please update Counterpart.",
                    path.display()
                ),
            ),
            Migration { path, from, source } => Text::new(
                format!("升级学员记录数据库 {}（从第 {from} 版）时出错：{source}", path.display()),
                format!("migrating the records database {} from version {from}: {source}", path.display()),
            ),
            Sql { path, source } => Text::new(
                format!("学员记录数据库 {} 出错：{source}", path.display()),
                format!("records database {}: {source}", path.display()),
            ),
            MoveAside { path, to, source } => Text::new(
                format!("无法把损坏的数据库 {} 移到 {}：{source}", path.display(), to.display()),
                format!("cannot move the damaged database {} aside to {}: {source}", path.display(), to.display()),
            ),
            CreateDir { path, source } => Text::new(
                format!("无法为学员记录数据库 {} 建立文件夹：{source}", path.display()),
                format!("cannot create the folder for the records database {}: {source}", path.display()),
            ),
            DuplicateProfile(name) => {
                Text::new(format!("已存在同名学员档案“{name}”"), format!("a profile named \"{name}\" already exists"))
            }
            EmptyProfileName => Text::new("学员姓名不能为空", "a profile name cannot be empty"),
            ProfileKindClash { name, group: true } => Text::new(
                format!("“{name}”已是学员档案，请给班级另取一个名字"),
                format!("\"{name}\" is already a trainee's profile; give the class group another name"),
            ),
            ProfileKindClash { name, group: false } => Text::new(
                format!("“{name}”已是班级名称，请给学员另取一个名字"),
                format!("\"{name}\" is already a class group; give the trainee another name"),
            ),
            NoProfile(id) => Text::new(format!("找不到编号为 {id} 的学员档案"), format!("no profile with id {id}")),
            NoProfileNamed(name) => Text::new(format!("找不到名为“{name}”的学员档案"), format!("no profile named \"{name}\"")),
            NoAttempt(id) => Text::new(format!("找不到第 {id} 次练习记录"), format!("no attempt with id {id}")),
            NotInProgress { attempt, status } => Text::new(
                format!("第 {attempt} 次练习已不在进行中（{status:?}）"),
                format!("attempt {attempt} is {status:?}, not in progress"),
            ),
            StepOutOfOrder { attempt, index, have } => Text::new(
                format!("第 {attempt} 次练习：第 {index} 步的记录顺序不对（已存 {have} 步）"),
                format!("attempt {attempt}: step {index} recorded out of order ({have} steps stored)"),
            ),
            BadRow { attempt, detail } => Text::new(
                format!("第 {attempt} 次练习的存储数据无法读取（{detail}）"),
                format!("attempt {attempt}: stored data is unreadable ({detail})"),
            ),
            NoDrill(id) => Text::new(format!("找不到演练 {id}"), format!("no drill with id {id}")),
            Drill { title, source, .. } => {
                let why = source.message();
                Text::new(format!("演练“{title}”：{}", why.zh), format!("drill “{title}”: {}", why.en))
            }
            Exam(e) => e.message(),
            BadDrillRow { drill, detail } => Text::new(
                format!("演练 {drill} 的存储数据无法读取（{detail}）"),
                format!("drill {drill}: stored data is unreadable ({detail})"),
            ),
            DuplicateEmployeeId { employee_id, holder } => Text::new(
                format!("工号“{employee_id}”已属于“{holder}”"),
                format!("the employee number \"{employee_id}\" already belongs to \"{holder}\""),
            ),
            EmployeeIdMismatch { name, has, typed } => Text::new(
                format!("“{name}”的工号已是 {has}，与名单中的 {typed} 不同，如需更改请在开始界面修改"),
                format!("“{name}” already has the employee number {has}, not {typed} as typed: change it on the start screen"),
            ),
            BadEmployeeId(typed) => Text::new(
                format!("“{typed}”不能用作工号：工号只能包含字母、数字、“-”“_”“.”，最多 64 个字符"),
                format!("\"{typed}\" is not a usable employee number: use 1–64 letters, digits, '-', '_' or '.'"),
            ),
            BadIri { key, value } => Text::new(
                format!("{key} 须是完整的 http(s) 地址，例如 https://12345.example.gov.cn/，而不是“{value}”"),
                format!("{key} must be an absolute http(s) address such as https://12345.example.gov.cn/, not \"{value}\""),
            ),
            ContentMismatch { attempt, scenario_id, version, detail } => Text::new(
                format!("第 {attempt} 次练习（{scenario_id} 第 {version} 版）无法从这个情景文件取得记录内容：{detail}"),
                format!(
                    "attempt {attempt} ({scenario_id} version {version}) cannot take its statement content from this scenario file: {detail}"
                ),
            ),
            DrillOutOfStep { drill, stored, applied } => Text::new(
                "演练记录已被其他窗口更新，请重新载入",
                format!("drill {drill} has {stored} events stored but the drill in memory applied {applied}; reload it"),
            ),
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt_both(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: i64,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    InProgress,
    Completed,
    Abandoned,
}

impl Status {
    fn from_sql(s: &str) -> Option<Status> {
        match s {
            "in_progress" => Some(Status::InProgress),
            "completed" => Some(Status::Completed),
            "abandoned" => Some(Status::Abandoned),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptSummary {
    pub id: i64,
    /// Globally unique, so statements from many PCs never collide in an LRS.
    pub uuid: String,
    pub profile_id: i64,
    pub profile_name: String,
    pub scenario_id: String,
    pub scenario_version: u32,
    pub seed: u64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: Status,
    /// Steps stored so far.
    pub steps: usize,
    pub overall: Option<f32>,
    /// In `Dimension::ALL` order.
    pub dimensions: Option<[f32; 5]>,
    pub passed: Option<bool>,
    /// The persona played, once finished under rules v2 or later.
    #[serde(default)]
    pub persona: Option<String>,
    /// The citizen's rating (`Rating::code`), once finished under rules v2 or later.
    #[serde(default)]
    pub rating: Option<String>,
    /// The scoring rules that produced the stored score (`score::RULES_VERSION`);
    /// 1 for attempts finished before ratings existed, none while unfinished.
    #[serde(default)]
    pub rules: Option<u32>,
    /// The profile is a class-vote group, not a trainee.
    #[serde(default)]
    pub by_group: bool,
    /// The group drill this attempt was a slot of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<DrillLink>,
    /// The exam sitting this attempt was a drawn scenario of; None for practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exam: Option<ExamLink>,
    /// Where a targeted practice run started (v11); None for a whole call
    /// from its first turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub situation: Option<Situation>,
}

/// A moment of a scenario to play from: the turn, the persona met there and
/// the mood and flags reached, as the mistake book keeps a wrong answer and
/// as a targeted practice run is stored, so its answers replay exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Situation {
    pub scenario_id: String,
    pub scenario_version: u32,
    pub turn_id: String,
    /// Index into the citizen's personas (0: the main one).
    pub persona: usize,
    pub mood: crate::scenario::model::Mood,
    pub flags: Vec<String>,
}

impl Situation {
    /// The encounter starting here on `script` (the scenario's current
    /// version): the author view's play from here, as the persona met.
    pub fn start(&self, script: std::sync::Arc<Script>, seed: u64) -> Result<crate::play::engine::Encounter, crate::play::engine::SituationError> {
        let flags: Vec<&str> = self.flags.iter().map(String::as_str).collect();
        crate::play::engine::Encounter::from_situation_as(script, seed, self.persona, &self.turn_id, self.mood, &flags)
    }

    /// The run started here with `steps` answered, as stored.
    pub fn replay(&self, script: std::sync::Arc<Script>, seed: u64, steps: &[Step]) -> Result<crate::play::engine::Encounter, crate::play::engine::PlayError> {
        self.start(script, seed)?.then_steps(steps)
    }
}

/// Which exam sitting, and which drawn scenario of it, an attempt belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamLink {
    /// The sitting's UUID: its registration in an LRS.
    pub uuid: String,
    pub sitting_id: i64,
    pub exam_id: String,
    /// The sitting number, from 1.
    pub sitting: u32,
    /// Zero-based place in the draw.
    pub slot: usize,
    /// The exam as the sitting keeps it: its version and title.
    #[serde(default)]
    pub exam_version: u32,
    #[serde(default)]
    pub title_zh: String,
    #[serde(default)]
    pub title_en: String,
}

/// Which drill, and which slot of it, an attempt belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillLink {
    /// Globally unique, like an attempt's, for grouping statements in an LRS.
    pub uuid: String,
    pub title: String,
    /// `HotSeat`, `ClassVote` or `RolePlay`.
    pub mode: String,
    /// Zero-based place in the drill's schedule.
    pub slot: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub index: usize,
    pub recorded_at: String,
    pub step: Step,
}

/// Everything stored about one attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    pub summary: AttemptSummary,
    pub steps: Vec<StepRecord>,
    /// Present once the attempt is completed.
    pub result: Option<AttemptResult>,
    /// What its statements say about the scenario and the trainee; absent
    /// for attempts recorded before v6 until `Store::attach_content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<AttemptContent>,
    /// The work order as typed (hotline, v7 on), with its scoring once the
    /// attempt finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_order: Option<StoredOrder>,
    /// Knowledge entries opened during the attempt, in order (v7 on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lookups: Vec<Lookup>,
    /// The one-time notice as assembled (counter, v8 on), with its scoring
    /// once the attempt finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<StoredNotice>,
}

/// A one-time notice kept with its attempt: the draft as last saved, or the
/// notice handed over (then never changed), and how it scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredNotice {
    pub notice: Notice,
    /// When it was handed over; None for a draft.
    pub handed_at: Option<String>,
    /// How many answers had been given when it was handed over.
    pub handed_after_step: Option<usize>,
    pub updated_at: String,
    /// Line by line, stored when the attempt finished.
    pub outcome: Option<NoticeOutcome>,
}

impl StoredNotice {
    pub fn is_handed(&self) -> bool {
        self.handed_at.is_some()
    }
}

/// A work order kept with its attempt: the draft as last saved, or the
/// order handed in (then never changed), and how it scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredOrder {
    pub order: WorkOrder,
    /// When it was handed in; None for a draft.
    pub submitted_at: Option<String>,
    /// How many answers had been given when it was handed in.
    pub submitted_after_step: Option<usize>,
    pub updated_at: String,
    /// Field by field, stored when the attempt finished.
    pub outcome: Option<OrderOutcome>,
}

impl StoredOrder {
    pub fn is_submitted(&self) -> bool {
        self.submitted_at.is_some()
    }
}

// Kept with the knowledge base, so drills (a layer below records) can hold it.
pub use crate::knowledge::Lookup;

impl AttemptRecord {
    /// Zero-based choices, for `Encounter::replay` when resuming.
    pub fn choices(&self) -> Vec<usize> {
        self.steps.iter().map(|s| s.step.choice).collect()
    }

    /// Every answer with its response time, for `Encounter::replay_answers`.
    pub fn answers(&self) -> Vec<crate::play::engine::Answer> {
        self.steps.iter().map(|s| (s.step.choice, s.step.response_secs)).collect()
    }

    pub fn response_secs(&self) -> Vec<Option<f32>> {
        self.steps.iter().map(|s| s.step.response_secs).collect()
    }

    /// The persona this attempt played on `script` (an index into the
    /// citizen's personas): a targeted run's situation says, else the
    /// finished attempt's stored persona, else the one its content was
    /// stored for (an exam's drawn persona), else its seed's.
    pub fn persona_on(&self, script: &Script) -> usize {
        if let Some(situation) = &self.summary.situation {
            return situation.persona;
        }
        let personas = script.scenario.citizen.all_personas();
        self.summary
            .persona
            .as_ref()
            .and_then(|p| personas.iter().position(|v| &v.id == p))
            .or_else(|| self.content.as_ref().and_then(|c| personas.iter().position(|v| v.id == c.scenario.persona)))
            .unwrap_or_else(|| script.persona_for_seed(self.summary.seed))
    }

    /// The one way a stored attempt is rebuilt on `script`: `steps` (its
    /// own, or the first of them) followed from where it started — a
    /// targeted run from its stored situation, any other from the first
    /// turn as the persona it played. The history's debrief, the reports,
    /// the mistake book, resuming and `Store::attach_content` all read an
    /// attempt through here.
    pub fn replay_with(&self, script: &std::sync::Arc<Script>, steps: &[Step]) -> Result<crate::play::engine::Encounter, crate::play::engine::PlayError> {
        match &self.summary.situation {
            Some(situation) => situation.replay(script.clone(), self.summary.seed, steps),
            None => crate::play::engine::Encounter::replay_steps_as(script.clone(), self.summary.seed, self.persona_on(script), steps),
        }
    }

    /// The attempt's first `n` steps (all of them when `n` is larger)
    /// replayed with their protocol actions: `replay_with` its own steps.
    pub fn replay_on(&self, script: &std::sync::Arc<Script>, n: usize) -> Result<crate::play::engine::Encounter, crate::play::engine::PlayError> {
        let steps: Vec<Step> = self.steps.iter().take(n).map(|s| s.step.clone()).collect();
        self.replay_with(script, &steps)
    }
}

pub struct Store {
    path: PathBuf,
    // A Mutex makes the store Sync, so the app can keep it in a resource
    // and the CLI in a plain variable.
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The v1 schema, kept verbatim: migrations start from it and the
/// migration test builds a v1 file with it.
pub const SCHEMA_V1: &str = "
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id),
    scenario_id TEXT NOT NULL,
    scenario_version INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'abandoned')),
    ending_id TEXT,
    outcome TEXT,
    overall REAL,
    listening REAL,
    empathy REAL,
    clarity REAL,
    disc REAL,
    process REAL,
    passed INTEGER,
    red_flags TEXT,
    card_json TEXT,
    disc_guess TEXT
);
CREATE INDEX attempts_by_profile ON attempts(profile_id, started_at);
CREATE TABLE steps (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    idx INTEGER NOT NULL,
    turn_id TEXT NOT NULL,
    choice INTEGER NOT NULL,
    choice_id TEXT NOT NULL,
    red_flag TEXT,
    step_json TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (attempt_id, idx)
);
";

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| classify(path, source)
}

/// Damage and "not a database" are their own error so the app can offer
/// "start fresh"; everything else is a plain SQL error.
fn classify(path: &Path, source: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match source.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt { path: path.to_path_buf(), detail: source.to_string() }
        }
        _ => StoreError::Sql { path: path.to_path_buf(), source },
    }
}

pub(crate) fn random_uuid() -> String {
    uuid::Builder::from_random_bytes(rand::random::<[u8; 16]>()).into_uuid().to_string()
}

impl Store {
    /// `$COUNTERPART_DB`, else `<data dir>/counterpart/records.sqlite3`
    /// (e.g. `~/.local/share/counterpart/` on Linux, `%APPDATA%\counterpart\data\` on Windows).
    pub fn default_path() -> PathBuf {
        if let Some(p) = std::env::var_os("COUNTERPART_DB").filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        match directories::ProjectDirs::from("", "", "counterpart") {
            Some(dirs) => dirs.data_dir().join("records.sqlite3"),
            None => PathBuf::from("records.sqlite3"),
        }
    }

    /// Opens (creating if missing) and migrates the database at `path`.
    /// A damaged file is reported and never modified.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::CreateDir { path: path.to_path_buf(), source })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        let err = sql_err(path);
        conn.busy_timeout(Duration::from_secs(5)).map_err(&err)?;
        // Reading the header first: on a non-database this fails with
        // NOTADB before anything (like the WAL switch) writes to the file.
        let version: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(&err)?;
        if version < 0 {
            return Err(StoreError::Corrupt { path: path.to_path_buf(), detail: format!("schema version {version}") });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: path.to_path_buf(), found: version, supported: SCHEMA_VERSION });
        }
        let check: String = conn.pragma_query_value(None, "quick_check", |r| r.get(0)).map_err(&err)?;
        if check != "ok" {
            return Err(StoreError::Corrupt { path: path.to_path_buf(), detail: check });
        }
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).map_err(&err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            // Some file systems (network shares) cannot do WAL; the default
            // rollback journal is still crash safe, only slower.
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(&err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(&err)?;
        let mut conn = conn;
        migrate(&mut conn, path, version)?;
        Ok(Store { path: path.to_path_buf(), conn: Mutex::new(conn) })
    }

    /// Moves the file at `path` (and its -wal/-shm companions) aside to
    /// `<name>.corrupt-<UTC timestamp>` and opens a new, empty database.
    /// Only for when the user asked to start fresh after `Corrupt`/`TooNew`.
    pub fn start_fresh(path: &Path) -> Result<(Store, Option<PathBuf>), StoreError> {
        let moved = if path.exists() {
            let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
            name.push(format!(".corrupt-{}", utc_stamp()));
            let mut to = path.with_file_name(&name);
            let mut n = 1;
            while to.exists() {
                let mut again = name.clone();
                again.push(format!("-{n}"));
                to = path.with_file_name(again);
                n += 1;
            }
            std::fs::rename(path, &to)
                .map_err(|source| StoreError::MoveAside { path: path.to_path_buf(), to: to.clone(), source })?;
            for suffix in ["-wal", "-shm"] {
                let mut side = path.as_os_str().to_os_string();
                side.push(suffix);
                let side = PathBuf::from(side);
                if side.exists() {
                    let mut side_to = to.as_os_str().to_os_string();
                    side_to.push(suffix);
                    let side_to = PathBuf::from(side_to);
                    std::fs::rename(&side, &side_to)
                        .map_err(|source| StoreError::MoveAside { path: side.clone(), to: side_to, source })?;
                }
            }
            Some(to)
        } else {
            None
        };
        Ok((Store::open(path)?, moved))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (transactions roll back), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        sql_err(&self.path)
    }

    pub fn schema_version(&self) -> Result<i32, StoreError> {
        self.conn().pragma_query_value(None, "user_version", |r| r.get(0)).map_err(self.err())
    }

    pub fn profiles(&self) -> Result<Vec<Profile>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, name, created_at FROM profiles WHERE is_group = 0 ORDER BY name").map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| Ok(Profile { id: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? }))
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    pub fn create_profile(&self, name: &str) -> Result<Profile, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::EmptyProfileName);
        }
        let conn = self.conn();
        let inserted = conn.execute(&format!("INSERT INTO profiles (name, created_at) VALUES (?1, {NOW})"), params![name]);
        match inserted {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
                return Err(StoreError::DuplicateProfile(name.to_string()));
            }
            Err(e) => return Err(self.err()(e)),
        }
        let id = conn.last_insert_rowid();
        conn.query_row("SELECT id, name, created_at FROM profiles WHERE id = ?1", [id], |r| {
            Ok(Profile { id: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? })
        })
        .map_err(self.err())
    }

    pub fn profile_by_name(&self, name: &str) -> Result<Profile, StoreError> {
        self.conn()
            .query_row("SELECT id, name, created_at FROM profiles WHERE name = ?1", [name.trim()], |r| {
                Ok(Profile { id: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? })
            })
            .optional()
            .map_err(self.err())?
            .ok_or_else(|| StoreError::NoProfileNamed(name.to_string()))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(self.err())
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    pub fn begin_attempt(&self, profile: i64, scenario_id: &str, scenario_version: u32, seed: u64) -> Result<i64, StoreError> {
        self.begin_attempt_in(&self.conn(), profile, scenario_id, scenario_version, seed)
    }

    pub(crate) fn begin_attempt_in(&self, conn: &Connection, profile: i64, scenario_id: &str, scenario_version: u32, seed: u64) -> Result<i64, StoreError> {
        let exists: bool = conn
            .query_row("SELECT EXISTS(SELECT 1 FROM profiles WHERE id = ?1)", [profile], |r| r.get(0))
            .map_err(self.err())?;
        if !exists {
            return Err(StoreError::NoProfile(profile));
        }
        conn.execute(
            &format!(
                "INSERT INTO attempts (uuid, profile_id, scenario_id, scenario_version, seed, started_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, {NOW}, 'in_progress')"
            ),
            // The seed's bits are stored as a signed integer: SQLite has no
            // u64, and the cast round-trips exactly.
            params![random_uuid(), profile, scenario_id, scenario_version, seed as i64],
        )
        .map_err(self.err())?;
        Ok(conn.last_insert_rowid())
    }

    /// Stores step `index` (zero-based) of an attempt in progress and
    /// commits at once. Recording the same index again replaces it, so a
    /// resumed attempt can re-record safely.
    pub fn record_step(&self, attempt: i64, index: usize, step: &Step) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        self.record_step_in(&tx, attempt, index, step)?;
        tx.commit().map_err(self.err())
    }

    fn record_step_in(&self, tx: &Connection, attempt: i64, index: usize, step: &Step) -> Result<(), StoreError> {
        let status = attempt_status(&tx, attempt).map_err(self.err())?.ok_or(StoreError::NoAttempt(attempt))?;
        if status != Status::InProgress {
            return Err(StoreError::NotInProgress { attempt, status });
        }
        let have: i64 = tx
            .query_row("SELECT COUNT(*) FROM steps WHERE attempt_id = ?1", [attempt], |r| r.get(0))
            .map_err(self.err())?;
        if index as i64 > have {
            return Err(StoreError::StepOutOfOrder { attempt, index, have: have as usize });
        }
        let json = serde_json::to_string(step).map_err(|e| StoreError::BadRow { attempt, detail: e.to_string() })?;
        let red_flag = step.red_flag.map(|f| format!("{f:?}"));
        tx.execute(
            &format!(
                "INSERT INTO steps (attempt_id, idx, turn_id, choice, choice_id, red_flag, step_json, recorded_at, response_secs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, {NOW}, ?8)
                 ON CONFLICT(attempt_id, idx) DO UPDATE SET turn_id = excluded.turn_id, choice = excluded.choice,
                   choice_id = excluded.choice_id, red_flag = excluded.red_flag, step_json = excluded.step_json,
                   recorded_at = excluded.recorded_at, response_secs = excluded.response_secs"
            ),
            params![attempt, index as i64, step.turn_id, step.choice as i64, step.choice_id, red_flag, json, step.response_secs.map(f64::from)],
        )
        .map_err(self.err())?;
        // Steps after a re-recorded one belong to the old branch.
        tx.execute("DELETE FROM steps WHERE attempt_id = ?1 AND idx > ?2", params![attempt, index as i64])
            .map_err(self.err())?;
        Ok(())
    }

    /// A drill's undo: step `index` and any after it leave the attempt,
    /// which must still be in progress (finished attempts are never undone).
    fn unrecord_step_in(&self, tx: &Connection, attempt: i64, index: usize) -> Result<(), StoreError> {
        let status = attempt_status(tx, attempt).map_err(self.err())?.ok_or(StoreError::NoAttempt(attempt))?;
        if status != Status::InProgress {
            return Err(StoreError::NotInProgress { attempt, status });
        }
        tx.execute("DELETE FROM steps WHERE attempt_id = ?1 AND idx >= ?2", params![attempt, index as i64])
            .map(|_| ())
            .map_err(self.err())
    }

    pub fn finish_attempt(&self, attempt: i64, result: &AttemptResult) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        self.finish_attempt_in(&tx, attempt, result)?;
        tx.commit().map_err(self.err())
    }

    fn finish_attempt_in(&self, tx: &Connection, attempt: i64, result: &AttemptResult) -> Result<(), StoreError> {
        let status = attempt_status(&tx, attempt).map_err(self.err())?.ok_or(StoreError::NoAttempt(attempt))?;
        if status != Status::InProgress {
            return Err(StoreError::NotInProgress { attempt, status });
        }
        let card = &result.card;
        let card_json = serde_json::to_string(card).map_err(|e| StoreError::BadRow { attempt, detail: e.to_string() })?;
        let flags: Vec<String> = card.red_flags.iter().map(|f| format!("{f:?}")).collect();
        let d = card.dimensions.map(f64::from);
        tx.execute(
            &format!(
                "UPDATE attempts SET status = 'completed', finished_at = {NOW}, ending_id = ?2, outcome = ?3,
                   overall = ?4, listening = ?5, empathy = ?6, clarity = ?7, disc = ?8, process = ?9, passed = ?10,
                   red_flags = ?11, card_json = ?12, disc_guess = ?13, persona = ?14, rating = ?15, rules = ?16
                 WHERE id = ?1"
            ),
            params![
                attempt,
                result.ending_id,
                format!("{:?}", result.outcome),
                f64::from(card.overall),
                d[0],
                d[1],
                d[2],
                d[3],
                d[4],
                card.passed,
                flags.join(","),
                card_json,
                result.disc_guess.map(|s| format!("{s:?}")),
                result.persona,
                card.rating.map(|r| r.code()),
                card.rules,
            ],
        )
        .map_err(self.err())?;
        Ok(())
    }

    /// Attempts left in progress (the app was closed or crashed), newest
    /// first: offer to resume (`Encounter::replay` with `attempt(id).choices()`)
    /// or `mark_abandoned`. A drill's slot attempts are left out: they
    /// resume with their drill (`unfinished_drills`), never on their own;
    /// so are an exam's, which resume with their sitting.
    pub fn unfinished_attempts(&self, profile: i64) -> Result<Vec<AttemptSummary>, StoreError> {
        self.summaries(
            "WHERE a.profile_id = ?1 AND a.status = 'in_progress'
               AND a.id NOT IN (SELECT attempt_id FROM drill_attempts)
               AND a.id NOT IN (SELECT attempt_id FROM exam_slots WHERE attempt_id IS NOT NULL)",
            Some(profile),
        )
    }

    pub fn mark_abandoned(&self, attempt: i64) -> Result<(), StoreError> {
        self.mark_abandoned_in(&self.conn(), attempt)
    }

    fn mark_abandoned_in(&self, conn: &Connection, attempt: i64) -> Result<(), StoreError> {
        let status = attempt_status(&conn, attempt).map_err(self.err())?.ok_or(StoreError::NoAttempt(attempt))?;
        if status != Status::InProgress {
            return Err(StoreError::NotInProgress { attempt, status });
        }
        conn.execute(&format!("UPDATE attempts SET status = 'abandoned', finished_at = {NOW} WHERE id = ?1"), [attempt])
            .map(|_| ())
            .map_err(self.err())
    }

    pub fn attempts(&self, profile: Option<i64>) -> Result<Vec<AttemptSummary>, StoreError> {
        match profile {
            Some(p) => self.summaries("WHERE a.profile_id = ?1", Some(p)),
            None => self.summaries("", None),
        }
    }

    fn summaries(&self, filter: &str, param: Option<i64>) -> Result<Vec<AttemptSummary>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT a.id, a.uuid, a.profile_id, p.name, a.scenario_id, a.scenario_version, a.seed, a.started_at,
                    a.finished_at, a.status, (SELECT COUNT(*) FROM steps s WHERE s.attempt_id = a.id),
                    a.overall, a.listening, a.empathy, a.clarity, a.disc, a.process, a.passed,
                    p.is_group, d.uuid, d.title, d.mode, da.slot, a.persona, a.rating, a.rules,
                    es.uuid, es.id, es.exam_id, es.sitting, xs.slot, es.exam_version,
                    json_extract(es.exam_json, '$.title.zh'), json_extract(es.exam_json, '$.title.en'),
                    a.situation_json
             FROM attempts a JOIN profiles p ON p.id = a.profile_id
                  LEFT JOIN drill_attempts da ON da.attempt_id = a.id
                  LEFT JOIN drills d ON d.id = da.drill_id
                  LEFT JOIN exam_slots xs ON xs.attempt_id = a.id
                  LEFT JOIN exam_sittings es ON es.id = xs.sitting_id {filter}
             ORDER BY a.started_at, a.id"
        );
        let mut stmt = conn.prepare(&sql).map_err(self.err())?;
        let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Result<AttemptSummary, StoreError>> {
            let id: i64 = r.get(0)?;
            let status: String = r.get(9)?;
            let Some(status) = Status::from_sql(&status) else {
                return Ok(Err(StoreError::BadRow { attempt: id, detail: format!("unknown status {status}") }));
            };
            let dims: [Option<f64>; 5] = [r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?, r.get(16)?];
            let dimensions = if dims.iter().all(Option::is_some) { Some(dims.map(|d| d.unwrap_or(0.0) as f32)) } else { None };
            Ok(Ok(AttemptSummary {
                id,
                uuid: r.get(1)?,
                profile_id: r.get(2)?,
                profile_name: r.get(3)?,
                scenario_id: r.get(4)?,
                scenario_version: r.get(5)?,
                seed: r.get::<_, i64>(6)? as u64,
                started_at: r.get(7)?,
                finished_at: r.get(8)?,
                status,
                steps: r.get::<_, i64>(10)? as usize,
                overall: r.get::<_, Option<f64>>(11)?.map(|v| v as f32),
                dimensions,
                passed: r.get(17)?,
                persona: r.get(23)?,
                rating: r.get(24)?,
                rules: r.get::<_, Option<i64>>(25)?.map(|v| v as u32),
                by_group: r.get(18)?,
                drill: match (r.get::<_, Option<String>>(19)?, r.get::<_, Option<i64>>(22)?) {
                    (Some(uuid), Some(slot)) => {
                        Some(DrillLink { uuid, title: r.get(20)?, mode: r.get(21)?, slot: slot as usize })
                    }
                    _ => None,
                },
                exam: match (r.get::<_, Option<String>>(26)?, r.get::<_, Option<i64>>(27)?) {
                    (Some(uuid), Some(sitting_id)) => Some(ExamLink {
                        uuid,
                        sitting_id,
                        exam_id: r.get(28)?,
                        sitting: r.get(29)?,
                        slot: r.get::<_, i64>(30)? as usize,
                        exam_version: r.get(31)?,
                        title_zh: r.get::<_, Option<String>>(32)?.unwrap_or_default(),
                        title_en: r.get::<_, Option<String>>(33)?.unwrap_or_default(),
                    }),
                    _ => None,
                },
                situation: match r.get::<_, Option<String>>(34)? {
                    Some(json) => match serde_json::from_str(&json) {
                        Ok(s) => Some(s),
                        Err(e) => return Ok(Err(StoreError::BadRow { attempt: id, detail: format!("situation: {e}") })),
                    },
                    None => None,
                },
            }))
        };
        let rows = match param {
            Some(p) => stmt.query_map([p], map),
            None => stmt.query_map([], map),
        }
        .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(self.err())??);
        }
        Ok(out)
    }

    pub fn attempt(&self, attempt: i64) -> Result<AttemptRecord, StoreError> {
        let summary = self
            .summaries("WHERE a.id = ?1", Some(attempt))?
            .pop()
            .ok_or(StoreError::NoAttempt(attempt))?;
        let conn = self.conn();
        let bad = |detail: String| StoreError::BadRow { attempt, detail };
        let mut stmt = conn
            .prepare("SELECT idx, recorded_at, step_json, response_secs FROM steps WHERE attempt_id = ?1 ORDER BY idx")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([attempt], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<f64>>(3)?))
            })
            .map_err(self.err())?;
        let mut steps = Vec::new();
        for row in rows {
            let (idx, recorded_at, json, secs) = row.map_err(self.err())?;
            let mut step: Step = serde_json::from_str(&json).map_err(|e| bad(format!("step {idx}: {e}")))?;
            // The column is what migrations fill in, so it wins.
            step.response_secs = secs.map(|s| s as f32);
            steps.push(StepRecord { index: idx as usize, recorded_at, step });
        }
        let result = if summary.status == Status::Completed {
            let (ending_id, outcome, card_json, disc_guess): (String, String, String, Option<String>) = conn
                .query_row("SELECT ending_id, outcome, card_json, disc_guess FROM attempts WHERE id = ?1", [attempt], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .map_err(self.err())?;
            let card: ScoreCard = serde_json::from_str(&card_json).map_err(|e| bad(format!("score card: {e}")))?;
            let outcome: Outcome = serde_json::from_value(serde_json::Value::String(outcome.clone()))
                .map_err(|_| bad(format!("unknown outcome {outcome}")))?;
            let disc_guess = match disc_guess {
                Some(g) => Some(
                    serde_json::from_value::<DiscStyle>(serde_json::Value::String(g.clone()))
                        .map_err(|_| bad(format!("unknown DISC style {g}")))?,
                ),
                None => None,
            };
            let persona = summary.persona.clone().unwrap_or_else(main_persona);
            Some(AttemptResult { card, ending_id, outcome, disc_guess, persona })
        } else {
            None
        };
        drop(stmt);
        let content = self.content_in(&conn, attempt)?;
        let work_order = self.work_order_in(&conn, attempt)?;
        let lookups = self.lookups_in(&conn, attempt)?;
        let notice = self.notice_in(&conn, attempt)?;
        Ok(AttemptRecord { summary, steps, result, content, work_order, lookups, notice })
    }

    /// Best overall score per scenario over completed attempts, and whether
    /// that attempt passed (between equal scores, a pass counts).
    pub fn best_by_scenario(&self, profile: i64) -> Result<HashMap<String, (f32, bool)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT scenario_id, overall, COALESCE(passed, 0) FROM attempts
                 WHERE profile_id = ?1 AND status = 'completed' AND overall IS NOT NULL AND situation_json IS NULL
                 ORDER BY overall DESC, passed DESC",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([profile], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)? as f32, r.get::<_, bool>(2)?)))
            .map_err(self.err())?;
        let mut best = HashMap::new();
        for row in rows {
            let (scenario, overall, passed) = row.map_err(self.err())?;
            // Rows come best first: the first per scenario is its best.
            best.entry(scenario).or_insert((overall, passed));
        }
        Ok(best)
    }
}

/// A stored drill, for the "resume a drill" list and reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillSummary {
    pub id: i64,
    pub title: String,
    pub mode: Mode,
    pub status: DrillStatus,
    pub created_at: String,
    pub updated_at: String,
    /// Events in the log.
    pub events: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DrillStatus {
    Running,
    Finished,
    Closed,
}

impl Store {
    /// Resolves the roster (a typed name gets its profile, created if
    /// missing), stores the plan and returns the new drill. One transaction.
    pub fn create_drill(&self, plan: &Plan) -> Result<(i64, Drill), StoreError> {
        let drill_err = |source: DrillError| StoreError::Drill { drill: 0, title: plan.title.clone(), source };
        plan.check(false).map_err(|e| drill_err(e.into()))?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        let mut resolved = plan.clone();
        for member in resolved.roster.iter_mut() {
            *member = self.resolve_member(&tx, member, false)?;
        }
        if let Some(group) = resolved.group.as_mut() {
            *group = self.resolve_member(&tx, group, true)?;
        }
        // Two typed names can resolve to one profile (an id and its name).
        resolved.check(true).map_err(|e| drill_err(e.into()))?;
        let drill = Drill::new(resolved).map_err(drill_err)?;
        let bad = |e: serde_json::Error| StoreError::BadDrillRow { drill: 0, detail: e.to_string() };
        let json = serde_json::to_string(&drill.plan).map_err(bad)?;
        let state = serde_json::to_string(&drill).map_err(bad)?;
        tx.execute(
            &format!(
                "INSERT INTO drills (title, mode, plan_json, state_json, status, created_at, updated_at, uuid)
                 VALUES (?1, ?2, ?3, ?4, ?5, {NOW}, {NOW}, ?6)"
            ),
            params![drill.plan.title, format!("{:?}", drill.plan.mode), json, state, drill_status_sql(&drill), random_uuid()],
        )
        .map_err(self.err())?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(self.err())?;
        Ok((id, drill))
    }

    /// An existing profile (its stored name wins), or the profile named by
    /// a typed name, created when missing. Trainees and class groups share
    /// one name space but never a profile: a name of the other kind is an
    /// error rather than a silent merge of one's record into the other's.
    fn resolve_member(&self, conn: &Connection, member: &Member, group: bool) -> Result<Member, StoreError> {
        if let Some(id) = member.profile_id {
            let name: Option<String> = conn
                .query_row("SELECT name FROM profiles WHERE id = ?1", [id], |r| r.get(0))
                .optional()
                .map_err(self.err())?;
            return name.map(|name| Member::profile(id, name)).ok_or(StoreError::NoProfile(id));
        }
        let name = member.name.trim();
        if name.is_empty() {
            return Err(StoreError::EmptyProfileName);
        }
        let existing: Option<(i64, bool)> = conn
            .query_row("SELECT id, is_group FROM profiles WHERE name = ?1", [name], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(self.err())?;
        let id = match existing {
            Some((id, is_group)) if is_group == group => id,
            Some(_) => return Err(StoreError::ProfileKindClash { name: name.to_string(), group }),
            None => {
                conn.execute(
                    &format!("INSERT INTO profiles (name, created_at, is_group) VALUES (?1, {NOW}, ?2)"),
                    params![name, group],
                )
                .map_err(self.err())?;
                conn.last_insert_rowid()
            }
        };
        if let Some(typed) = member.employee_id.as_deref() {
            self.give_employee_id(conn, id, name, typed)?;
        }
        Ok(Member::profile(id, name))
    }

    /// Gives the employee number typed beside a roster name to its profile
    /// (in the drill's transaction): refused when another trainee holds it
    /// or the profile already has a different one, so one number never
    /// names two people and a typo never overwrites a number.
    fn give_employee_id(&self, conn: &Connection, profile: i64, name: &str, typed: &str) -> Result<(), StoreError> {
        let typed = check_employee_id(typed)?;
        let holder: Option<(i64, String)> = conn
            .query_row("SELECT id, name FROM profiles WHERE employee_id = ?1", [&typed], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(self.err())?;
        match holder {
            Some((id, _)) if id == profile => Ok(()),
            Some((_, holder)) => Err(StoreError::DuplicateEmployeeId { employee_id: typed, holder }),
            None => {
                let has: Option<String> =
                    conn.query_row("SELECT employee_id FROM profiles WHERE id = ?1", [profile], |r| r.get(0)).map_err(self.err())?;
                if let Some(has) = has {
                    return Err(StoreError::EmployeeIdMismatch { name: name.to_string(), has, typed });
                }
                conn.execute("UPDATE profiles SET employee_id = ?2 WHERE id = ?1", params![profile, typed]).map_err(self.err())?;
                Ok(())
            }
        }
    }

    /// Applies `event` to `drill` and, in one transaction, appends it to the
    /// log and performs its effects on attempts (opening a slot's attempt
    /// also logs the `Linked` event). On any error nothing is written and
    /// `drill` is unchanged.
    pub fn apply_drill_event(&self, id: i64, drill: &mut Drill, event: &Event, scripts: &Library) -> Result<(), StoreError> {
        self.apply_drill_event_at(id, drill, event, scripts, AtHand::default())
    }

    /// `apply_drill_event` with the desks a finishing slot's work order and
    /// notice are scored with (`drill::AtHand`).
    pub fn apply_drill_event_at(&self, id: i64, drill: &mut Drill, event: &Event, scripts: &Library, at_hand: AtHand<'_>) -> Result<(), StoreError> {
        let title = drill.plan.title.clone();
        let drill_err = |source: DrillError| StoreError::Drill { drill: id, title: title.clone(), source };
        let mut next = drill.clone();
        let effects = next.apply_at(event, scripts, at_hand).map_err(drill_err)?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        let stored = self.drill_event_count(&tx, id)?;
        if stored != drill.applied {
            return Err(StoreError::DrillOutOfStep { drill: id, stored, applied: drill.applied });
        }
        self.append_drill_event(&tx, id, drill.applied, event)?;
        for effect in effects {
            match effect {
                Effect::BeginAttempt { slot, profile_id, scenario_id, scenario_version, seed } => {
                    let attempt = self.begin_attempt_in(&tx, profile_id, &scenario_id, scenario_version, seed)?;
                    if let Some(script) = scripts.script(&scenario_id).filter(|sc| sc.scenario.version == scenario_version) {
                        self.store_content_in(&tx, attempt, &ScenarioSnapshot::of(script, script.persona_for_seed(seed)))?;
                    }
                    tx.execute(
                        "INSERT INTO drill_attempts (drill_id, slot, attempt_id) VALUES (?1, ?2, ?3)",
                        params![id, slot as i64, attempt],
                    )
                    .map_err(self.err())?;
                    let started_at: Option<String> = tx
                        .query_row("SELECT started_at FROM attempts WHERE id = ?1", [attempt], |r| r.get(0))
                        .map_err(self.err())?;
                    let link = Event::Linked { slot, attempt, scenario_version, started_at };
                    let seq = next.applied;
                    next.apply_at(&link, scripts, at_hand).map_err(drill_err)?;
                    self.append_drill_event(&tx, id, seq, &link)?;
                }
                Effect::RecordStep { attempt, index, step } => self.record_step_in(&tx, attempt, index, &step)?,
                Effect::FinishAttempt { attempt, result } => self.finish_attempt_in(&tx, attempt, &result)?,
                Effect::AbandonAttempt { attempt } => self.mark_abandoned_in(&tx, attempt)?,
                Effect::UnrecordStep { attempt, index } => self.unrecord_step_in(&tx, attempt, index)?,
                Effect::SaveOrder { attempt, order, submitted_after } => {
                    self.save_work_order_in(&tx, attempt, &order, submitted_after)?;
                }
                Effect::SaveNotice { attempt, notice, handed_after } => {
                    self.save_notice_in(&tx, attempt, &notice, handed_after)?;
                }
                Effect::OrderScored { attempt, outcome } => self.store_order_outcome_in(&tx, attempt, &outcome)?,
                Effect::NoticeScored { attempt, outcome } => self.store_notice_outcome_in(&tx, attempt, &outcome)?,
                Effect::RecordLookup { attempt, lookup } => self.record_lookup_in(&tx, attempt, &lookup)?,
            }
        }
        let state = serde_json::to_string(&next).map_err(|e| StoreError::BadDrillRow { drill: id, detail: e.to_string() })?;
        tx.execute(
            &format!("UPDATE drills SET status = ?2, state_json = ?3, updated_at = {NOW} WHERE id = ?1"),
            params![id, drill_status_sql(&next), state],
        )
        .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        *drill = next;
        Ok(())
    }

    fn drill_event_count(&self, conn: &Connection, id: i64) -> Result<usize, StoreError> {
        let exists: bool = conn
            .query_row("SELECT EXISTS(SELECT 1 FROM drills WHERE id = ?1)", [id], |r| r.get(0))
            .map_err(self.err())?;
        if !exists {
            return Err(StoreError::NoDrill(id));
        }
        conn.query_row("SELECT COUNT(*) FROM drill_events WHERE drill_id = ?1", [id], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(self.err())
    }

    fn append_drill_event(&self, conn: &Connection, id: i64, seq: usize, event: &Event) -> Result<(), StoreError> {
        let json = serde_json::to_string(event).map_err(|e| StoreError::BadDrillRow { drill: id, detail: e.to_string() })?;
        conn.execute(
            &format!("INSERT INTO drill_events (drill_id, seq, event_json, recorded_at) VALUES (?1, ?2, ?3, {NOW})"),
            params![id, seq as i64, json],
        )
        .map(|_| ())
        .map_err(self.err())
    }

    /// Every drill, oldest first.
    pub fn drills(&self) -> Result<Vec<DrillSummary>, StoreError> {
        self.drill_summaries("", "ORDER BY d.created_at, d.id")
    }

    /// Drills left running (closed window or crash), newest first: offer to
    /// resume (`load_drill`) or close (`Event::Close`).
    pub fn unfinished_drills(&self) -> Result<Vec<DrillSummary>, StoreError> {
        self.drill_summaries("WHERE d.status = 'running'", "ORDER BY d.updated_at DESC, d.id DESC")
    }

    fn drill_summaries(&self, filter: &str, order: &str) -> Result<Vec<DrillSummary>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT d.id, d.title, d.mode, d.status, d.created_at, d.updated_at,
                    (SELECT COUNT(*) FROM drill_events e WHERE e.drill_id = d.id)
             FROM drills d {filter} {order}"
        );
        let mut stmt = conn.prepare(&sql).map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, title, mode, status, created_at, updated_at, events) = row.map_err(self.err())?;
            let bad = |detail: String| StoreError::BadDrillRow { drill: id, detail };
            let mode: Mode = serde_json::from_value(serde_json::Value::String(mode.clone()))
                .map_err(|_| bad(format!("unknown mode {mode}")))?;
            let status = match status.as_str() {
                "running" => DrillStatus::Running,
                "finished" => DrillStatus::Finished,
                "closed" => DrillStatus::Closed,
                other => return Err(bad(format!("unknown status {other}"))),
            };
            out.push(DrillSummary { id, title, mode, status, created_at, updated_at, events: events as usize });
        }
        Ok(out)
    }

    /// The stored plan and event log.
    pub fn drill_log(&self, id: i64) -> Result<(Plan, Vec<Event>), StoreError> {
        let conn = self.conn();
        let bad = |detail: String| StoreError::BadDrillRow { drill: id, detail };
        let plan_json: String = conn
            .query_row("SELECT plan_json FROM drills WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(self.err())?
            .ok_or(StoreError::NoDrill(id))?;
        let plan: Plan = serde_json::from_str(&plan_json).map_err(|e| bad(format!("plan: {e}")))?;
        let mut stmt = conn
            .prepare("SELECT seq, event_json FROM drill_events WHERE drill_id = ?1 ORDER BY seq")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(self.err())?;
        let mut events = Vec::new();
        for row in rows {
            let (seq, json) = row.map_err(self.err())?;
            if seq != events.len() as i64 {
                return Err(bad(format!("event {} is missing from the log", events.len())));
            }
            events.push(serde_json::from_str(&json).map_err(|e| bad(format!("event {seq}: {e}")))?);
        }
        Ok((plan, events))
    }

    /// The drill as it stood after its last event, without replaying: for
    /// reports, which must work after a scenario was edited. To continue a
    /// drill use `load_drill`, which checks the log against the scenarios.
    pub fn drill_snapshot(&self, id: i64) -> Result<Drill, StoreError> {
        let json: String = self
            .conn()
            .query_row("SELECT state_json FROM drills WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(self.err())?
            .ok_or(StoreError::NoDrill(id))?;
        serde_json::from_str(&json).map_err(|e| StoreError::BadDrillRow { drill: id, detail: format!("state: {e}") })
    }

    /// Rebuilds a drill exactly where it was by replaying its log.
    pub fn load_drill(&self, id: i64, scripts: &Library) -> Result<Drill, StoreError> {
        self.load_drill_at(id, scripts, AtHand::default())
    }

    /// `load_drill` with the desks its slots' orders and notices are scored with.
    pub fn load_drill_at(&self, id: i64, scripts: &Library, at_hand: AtHand<'_>) -> Result<Drill, StoreError> {
        let (plan, events) = self.drill_log(id)?;
        let title = plan.title.clone();
        Drill::replay_at(plan, &events, scripts, at_hand).map_err(|source| StoreError::Drill { drill: id, title, source })
    }

    /// The attempts a drill's slots opened, in slot order (for reports).
    pub fn drill_attempts(&self, drill: &Drill) -> Result<Vec<AttemptRecord>, StoreError> {
        drill.states.iter().filter_map(|s| s.attempt).map(|a| self.attempt(a)).collect()
    }
}

/// The account home page statements name when the centre set none.
pub const DEFAULT_HOME_PAGE: &str = "https://counterpart.local";
/// The extension base when the centre set none.
pub const DEFAULT_EXTENSION_BASE: &str = "https://counterpart.local/xapi/extensions/";

/// An absolute http(s) IRI with a host, without spaces.
fn check_iri(key: &str, value: &str) -> Result<String, StoreError> {
    let v = value.trim();
    let bad = || StoreError::BadIri { key: key.to_string(), value: value.to_string() };
    let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://")).ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c)) {
        return Err(bad());
    }
    Ok(v.to_string())
}

/// An employee number as it is stored (trimmed), or why it cannot be one.
pub fn check_employee_id(value: &str) -> Result<String, StoreError> {
    crate::drill::usable_employee_id(value).ok_or_else(|| StoreError::BadEmployeeId(value.to_string()))
}

/// A trainee's profile with the employee number statements identify them by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trainee {
    pub profile: Profile,
    /// 工号, unique in the store when present.
    pub employee_id: Option<String>,
}

/// A statement an LRS endpoint accepted, for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub statement_id: String,
    pub attempt_id: i64,
    /// `content::digest` of the statement's JSON as sent.
    pub digest: String,
}

impl Store {
    /// The centre's home page for actor accounts (`xapi.home_page`), or
    /// `DEFAULT_HOME_PAGE`.
    pub fn home_page(&self) -> Result<String, StoreError> {
        Ok(self.setting(SETTING_HOME_PAGE)?.unwrap_or_else(|| DEFAULT_HOME_PAGE.to_string()))
    }

    /// Sets (or with `None` clears) the centre's home page. Attempts begun
    /// afterwards use it; recorded attempts keep the identity they have.
    pub fn set_home_page(&self, iri: Option<&str>) -> Result<(), StoreError> {
        match iri {
            Some(v) => self.set_setting(SETTING_HOME_PAGE, check_iri(SETTING_HOME_PAGE, v)?.trim_end_matches('/')),
            None => self.delete_setting(SETTING_HOME_PAGE),
        }
    }

    /// The prefix of extension IRIs (`xapi.extension_base`), ending in `/`.
    pub fn extension_base(&self) -> Result<String, StoreError> {
        Ok(self.setting(SETTING_EXTENSION_BASE)?.unwrap_or_else(|| DEFAULT_EXTENSION_BASE.to_string()))
    }

    pub fn set_extension_base(&self, iri: Option<&str>) -> Result<(), StoreError> {
        match iri {
            Some(v) => {
                let v = check_iri(SETTING_EXTENSION_BASE, v)?;
                let v = if v.ends_with('/') { v } else { format!("{v}/") };
                self.set_setting(SETTING_EXTENSION_BASE, &v)
            }
            None => self.delete_setting(SETTING_EXTENSION_BASE),
        }
    }

    pub fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM settings WHERE key = ?1", [key]).map(|_| ()).map_err(self.err())
    }

    /// Trainee profiles (no class groups) with their employee numbers, by name.
    pub fn trainees(&self) -> Result<Vec<Trainee>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, name, created_at, employee_id FROM profiles WHERE is_group = 0 ORDER BY name")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Trainee { profile: Profile { id: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? }, employee_id: r.get(3)? })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    pub fn employee_id(&self, profile: i64) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT employee_id FROM profiles WHERE id = ?1", [profile], |r| r.get::<_, Option<String>>(0))
            .optional()
            .map_err(self.err())?
            .ok_or(StoreError::NoProfile(profile))
    }

    /// Sets (or with `None` clears) a trainee's employee number (工号),
    /// unique in the store. Attempts begun afterwards name the trainee by
    /// it; recorded attempts keep the identity they were recorded under.
    pub fn set_employee_id(&self, profile: i64, employee_id: Option<&str>) -> Result<(), StoreError> {
        let value = employee_id.map(check_employee_id).transpose()?;
        let conn = self.conn();
        if let Some(v) = &value {
            let holder: Option<String> = conn
                .query_row("SELECT name FROM profiles WHERE employee_id = ?1 AND id != ?2", params![v, profile], |r| r.get(0))
                .optional()
                .map_err(self.err())?;
            if let Some(name) = holder {
                return Err(StoreError::DuplicateEmployeeId { employee_id: v.clone(), holder: name });
            }
        }
        let changed = conn
            .execute("UPDATE profiles SET employee_id = ?2 WHERE id = ?1", params![profile, value])
            .map_err(self.err())?;
        if changed == 0 {
            return Err(StoreError::NoProfile(profile));
        }
        Ok(())
    }

    /// Notes that `profile` was chosen at the keyboard, for `last_trainee`.
    /// The note holds the newest attempt id at that moment, so "used after
    /// that attempt" needs no clock (two events in one millisecond still
    /// come in order).
    pub fn mark_profile_used(&self, profile: i64) -> Result<(), StoreError> {
        let newest: i64 = self.conn().query_row("SELECT COALESCE(MAX(id), 0) FROM attempts", [], |r| r.get(0)).map_err(self.err())?;
        self.set_setting(LAST_PROFILE, &format!("{profile} {newest}"))
    }

    /// The trainee who played last: the profile of the newest attempt by a
    /// trainee (not a class group), unless a profile was chosen at the
    /// keyboard after it (`mark_profile_used`). None when neither exists.
    pub fn last_trainee(&self) -> Result<Option<i64>, StoreError> {
        let conn = self.conn();
        let latest: Option<(i64, i64)> = conn
            .query_row(
                "SELECT a.id, a.profile_id FROM attempts a JOIN profiles p ON p.id = a.profile_id
                 WHERE p.is_group = 0 ORDER BY a.id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())?;
        drop(conn);
        let used = self.setting(LAST_PROFILE)?.and_then(|v| {
            let mut parts = v.split(' ').map(str::parse::<i64>);
            match (parts.next(), parts.next()) {
                (Some(Ok(profile)), Some(Ok(after))) => Some((profile, after)),
                _ => None,
            }
        });
        // A deleted or group profile in the note is no answer.
        let used = match used {
            Some((profile, after)) => {
                let trainee: bool = self
                    .conn()
                    .query_row("SELECT COUNT(*) FROM profiles WHERE id = ?1 AND is_group = 0", [profile], |r| r.get::<_, i64>(0))
                    .map_err(self.err())?
                    > 0;
                trainee.then_some((profile, after))
            }
            None => None,
        };
        Ok(match (latest, used) {
            (Some((attempt, played)), Some((profile, after))) => Some(if attempt > after { played } else { profile }),
            (Some((_, played)), None) => Some(played),
            (None, Some((profile, _))) => Some(profile),
            (None, None) => None,
        })
    }

    pub fn profile_by_employee_id(&self, employee_id: &str) -> Result<Option<Profile>, StoreError> {
        self.conn()
            .query_row("SELECT id, name, created_at FROM profiles WHERE employee_id = ?1", [employee_id.trim()], |r| {
                Ok(Profile { id: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? })
            })
            .optional()
            .map_err(self.err())
    }

    /// Begins an attempt at `script` and stores, in the same transaction,
    /// what its statements will say (`content`): the way every new attempt
    /// should begin.
    pub fn begin_attempt_for(&self, profile: i64, script: &Script, seed: u64) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        let attempt = self.begin_attempt_in(&tx, profile, &script.scenario.id, script.scenario.version, seed)?;
        let snapshot = ScenarioSnapshot::of(script, script.persona_for_seed(seed));
        self.store_content_in(&tx, attempt, &snapshot)?;
        tx.commit().map_err(self.err())?;
        Ok(attempt)
    }

    /// Begins a targeted practice run from `situation` (the mistake book's
    /// "practise from here"), kept with the attempt so its answers replay
    /// from there and count for that mistake.
    pub fn begin_targeted_attempt(&self, profile: i64, script: &Script, seed: u64, situation: &Situation) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        let attempt = self.begin_attempt_in(&tx, profile, &script.scenario.id, script.scenario.version, seed)?;
        let json = serde_json::to_string(situation).map_err(|e| StoreError::BadRow { attempt, detail: format!("situation: {e}") })?;
        tx.execute("UPDATE attempts SET situation_json = ?2, persona = ?3 WHERE id = ?1", params![attempt, json, script.scenario.citizen.all_personas().get(situation.persona).map(|p| p.id.clone())])
            .map_err(self.err())?;
        let snapshot = ScenarioSnapshot::of(script, situation.persona);
        self.store_content_in(&tx, attempt, &snapshot)?;
        tx.commit().map_err(self.err())?;
        Ok(attempt)
    }

    /// Gives an attempt recorded without content (before v6, or begun with
    /// plain `begin_attempt`) the content of `script`, when that is the
    /// scenario and version it was played on and replaying its answers gives
    /// the steps stored. Ok(false) when it already has content (never
    /// replaced: statements already sent must not change).
    pub fn attach_content(&self, attempt: i64, script: &Script) -> Result<bool, StoreError> {
        let record = self.attempt(attempt)?;
        if record.content.is_some() {
            return Ok(false);
        }
        let s = &record.summary;
        let mismatch = |detail: String| StoreError::ContentMismatch {
            attempt,
            scenario_id: s.scenario_id.clone(),
            version: s.scenario_version,
            detail,
        };
        if script.scenario.id != s.scenario_id || script.scenario.version != s.scenario_version {
            return Err(mismatch(format!("the file is {} version {}", script.scenario.id, script.scenario.version)));
        }
        let arc = std::sync::Arc::new(script.clone());
        let replayed = record.replay_on(&arc, record.steps.len()).map_err(|e| mismatch(format!("its answers do not replay: {e}")))?;
        let same = replayed.steps().len() == record.steps.len()
            && replayed.steps().iter().zip(&record.steps).all(|(a, b)| a.turn_id == b.step.turn_id && a.choice_id == b.step.choice_id);
        if !same {
            return Err(mismatch("the file was edited without a version bump: its answers lead elsewhere".into()));
        }
        let snapshot = ScenarioSnapshot::of(script, replayed.persona());
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        self.store_content_in(&tx, attempt, &snapshot)?;
        tx.commit().map_err(self.err())?;
        Ok(true)
    }

    /// Stores the snapshot (once per distinct content) and the identity the
    /// attempt's profile and the centre's settings give now.
    pub(crate) fn store_content_in(&self, conn: &Connection, attempt: i64, snapshot: &ScenarioSnapshot) -> Result<(), StoreError> {
        let bad = |e: serde_json::Error| StoreError::BadRow { attempt, detail: e.to_string() };
        let json = serde_json::to_string(snapshot).map_err(bad)?;
        let key = digest(&json);
        conn.execute(
            "INSERT INTO scenario_snapshots (digest, scenario_id, scenario_version, content_json) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(digest) DO NOTHING",
            params![key, snapshot.scenario_id, snapshot.scenario_version, json],
        )
        .map_err(self.err())?;
        let setting = |k: &str, default: &str| -> Result<String, StoreError> {
            conn.query_row("SELECT value FROM settings WHERE key = ?1", [k], |r| r.get::<_, String>(0))
                .optional()
                .map_err(self.err())
                .map(|v| v.unwrap_or_else(|| default.to_string()))
        };
        let home_page = setting(SETTING_HOME_PAGE, DEFAULT_HOME_PAGE)?;
        let extension_base = setting(SETTING_EXTENSION_BASE, DEFAULT_EXTENSION_BASE)?;
        let (name, employee_id): (String, Option<String>) = conn
            .query_row(
                "SELECT p.name, p.employee_id FROM attempts a JOIN profiles p ON p.id = a.profile_id WHERE a.id = ?1",
                [attempt],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())?
            .ok_or(StoreError::NoAttempt(attempt))?;
        conn.execute(
            "INSERT INTO attempt_content (attempt_id, snapshot_id, home_page, account, extension_base)
             VALUES (?1, (SELECT id FROM scenario_snapshots WHERE digest = ?2), ?3, ?4, ?5)",
            params![attempt, key, home_page, employee_id.unwrap_or(name), extension_base],
        )
        .map_err(self.err())?;
        Ok(())
    }

    fn content_in(&self, conn: &Connection, attempt: i64) -> Result<Option<AttemptContent>, StoreError> {
        let row: Option<(String, String, String, String)> = conn
            .query_row(
                "SELECT s.content_json, c.home_page, c.account, c.extension_base
                 FROM attempt_content c JOIN scenario_snapshots s ON s.id = c.snapshot_id WHERE c.attempt_id = ?1",
                [attempt],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(self.err())?;
        let Some((json, home_page, account, extension_base)) = row else { return Ok(None) };
        let scenario: ScenarioSnapshot =
            serde_json::from_str(&json).map_err(|e| StoreError::BadRow { attempt, detail: format!("content: {e}") })?;
        Ok(Some(AttemptContent { scenario, identity: Identity { home_page, account, extension_base } }))
    }

    /// What `endpoint` (an LRS statements URL) has accepted: statement id →
    /// digest of what was sent.
    pub fn sent(&self, endpoint: &str) -> Result<HashMap<String, String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT statement_id, digest FROM outbox WHERE endpoint = ?1").map_err(self.err())?;
        let rows = stmt.query_map([endpoint], |r| Ok((r.get(0)?, r.get(1)?))).map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// Marks statements as accepted by `endpoint`, in one transaction.
    pub fn mark_sent(&self, endpoint: &str, sent: &[Sent]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        for s in sent {
            tx.execute(
                &format!(
                    "INSERT INTO outbox (endpoint, statement_id, attempt_id, digest, accepted_at) VALUES (?1, ?2, ?3, ?4, {NOW})
                     ON CONFLICT(endpoint, statement_id) DO UPDATE SET digest = excluded.digest, accepted_at = excluded.accepted_at"
                ),
                params![endpoint, s.statement_id, s.attempt_id, s.digest],
            )
            .map_err(self.err())?;
        }
        tx.commit().map_err(self.err())
    }

    /// Saves the work order of an in-progress attempt as typed: a draft
    /// (`submitted_after_step` None), replaced by each later save, or the
    /// order handed in after that many answers. A handed-in order is never
    /// replaced: Ok(false) then.
    pub fn save_work_order(&self, attempt: i64, order: &WorkOrder, submitted_after_step: Option<usize>) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        let saved = self.save_work_order_in(&tx, attempt, order, submitted_after_step)?;
        tx.commit().map_err(self.err())?;
        Ok(saved)
    }

    fn save_work_order_in(&self, tx: &Connection, attempt: i64, order: &WorkOrder, submitted_after_step: Option<usize>) -> Result<bool, StoreError> {
        let status = attempt_status(&tx, attempt).map_err(self.err())?.ok_or(StoreError::NoAttempt(attempt))?;
        if status != Status::InProgress {
            return Err(StoreError::NotInProgress { attempt, status });
        }
        let submitted: Option<Option<String>> =
            tx.query_row("SELECT submitted_at FROM work_orders WHERE attempt_id = ?1", [attempt], |r| r.get(0)).optional().map_err(self.err())?;
        if submitted.is_some_and(|s| s.is_some()) {
            return Ok(false);
        }
        let json = serde_json::to_string(order).map_err(|e| StoreError::BadRow { attempt, detail: e.to_string() })?;
        tx.execute(
            &format!(
                "INSERT INTO work_orders (attempt_id, order_json, submitted_at, submitted_after_step, updated_at)
                 VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN NULL ELSE {NOW} END, ?3, {NOW})
                 ON CONFLICT(attempt_id) DO UPDATE SET order_json = excluded.order_json, submitted_at = excluded.submitted_at,
                   submitted_after_step = excluded.submitted_after_step, updated_at = excluded.updated_at"
            ),
            params![attempt, json, submitted_after_step.map(|n| n as i64)],
        )
        .map_err(self.err())?;
        Ok(true)
    }

    fn work_order_in(&self, conn: &Connection, attempt: i64) -> Result<Option<StoredOrder>, StoreError> {
        let bad = |detail: String| StoreError::BadRow { attempt, detail };
        let row: Option<(String, Option<String>, Option<i64>, String, Option<String>)> = conn
            .query_row(
                "SELECT order_json, submitted_at, submitted_after_step, updated_at, outcome_json FROM work_orders WHERE attempt_id = ?1",
                [attempt],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .map_err(self.err())?;
        let Some((order, submitted_at, after, updated_at, outcome)) = row else { return Ok(None) };
        let order: WorkOrder = serde_json::from_str(&order).map_err(|e| bad(format!("work order: {e}")))?;
        let outcome = match outcome {
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| bad(format!("work-order outcome: {e}")))?),
            None => None,
        };
        Ok(Some(StoredOrder { order, submitted_at, submitted_after_step: after.map(|n| n as usize), updated_at, outcome }))
    }

    /// Appends a knowledge lookup to an in-progress attempt.
    pub fn record_lookup(&self, attempt: i64, lookup: &Lookup) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        self.record_lookup_in(&tx, attempt, lookup)?;
        tx.commit().map_err(self.err())
    }

    /// `record_lookup` inside a caller's transaction (a drill's lookup is
    /// stored with its event).
    fn record_lookup_in(&self, conn: &Connection, attempt: i64, lookup: &Lookup) -> Result<(), StoreError> {
        let status = attempt_status(conn, attempt).map_err(self.err())?.ok_or(StoreError::NoAttempt(attempt))?;
        if status != Status::InProgress {
            return Err(StoreError::NotInProgress { attempt, status });
        }
        conn.execute(
            &format!(
                "INSERT INTO lookups (attempt_id, idx, query, entry_id, after_step, recorded_at)
                 VALUES (?1, (SELECT COUNT(*) FROM lookups WHERE attempt_id = ?1), ?2, ?3, ?4, {NOW})"
            ),
            params![attempt, lookup.query, lookup.entry, lookup.after_step as i64],
        )
        .map_err(self.err())?;
        Ok(())
    }

    fn lookups_in(&self, conn: &Connection, attempt: i64) -> Result<Vec<Lookup>, StoreError> {
        let mut stmt =
            conn.prepare("SELECT query, entry_id, after_step, recorded_at FROM lookups WHERE attempt_id = ?1 ORDER BY idx").map_err(self.err())?;
        let rows = stmt
            .query_map([attempt], |r| {
                Ok(Lookup { query: r.get(0)?, entry: r.get(1)?, after_step: r.get::<_, i64>(2)? as usize, recorded_at: r.get(3)? })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Saves the one-time notice of an in-progress attempt as assembled: a
    /// draft (`handed_after_step` None), replaced by each later save, or
    /// the notice handed over after that many answers. A notice handed
    /// over is never replaced: Ok(false) then.
    pub fn save_notice(&self, attempt: i64, notice: &Notice, handed_after_step: Option<usize>) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        let saved = self.save_notice_in(&tx, attempt, notice, handed_after_step)?;
        tx.commit().map_err(self.err())?;
        Ok(saved)
    }

    fn save_notice_in(&self, tx: &Connection, attempt: i64, notice: &Notice, handed_after_step: Option<usize>) -> Result<bool, StoreError> {
        let status = attempt_status(&tx, attempt).map_err(self.err())?.ok_or(StoreError::NoAttempt(attempt))?;
        if status != Status::InProgress {
            return Err(StoreError::NotInProgress { attempt, status });
        }
        let handed: Option<Option<String>> =
            tx.query_row("SELECT handed_at FROM notices WHERE attempt_id = ?1", [attempt], |r| r.get(0)).optional().map_err(self.err())?;
        if handed.is_some_and(|s| s.is_some()) {
            return Ok(false);
        }
        let json = serde_json::to_string(notice).map_err(|e| StoreError::BadRow { attempt, detail: e.to_string() })?;
        tx.execute(
            &format!(
                "INSERT INTO notices (attempt_id, notice_json, handed_at, handed_after_step, updated_at)
                 VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN NULL ELSE {NOW} END, ?3, {NOW})
                 ON CONFLICT(attempt_id) DO UPDATE SET notice_json = excluded.notice_json, handed_at = excluded.handed_at,
                   handed_after_step = excluded.handed_after_step, updated_at = excluded.updated_at"
            ),
            params![attempt, json, handed_after_step.map(|n| n as i64)],
        )
        .map_err(self.err())?;
        Ok(true)
    }

    fn notice_in(&self, conn: &Connection, attempt: i64) -> Result<Option<StoredNotice>, StoreError> {
        let bad = |detail: String| StoreError::BadRow { attempt, detail };
        let row: Option<(String, Option<String>, Option<i64>, String, Option<String>)> = conn
            .query_row(
                "SELECT notice_json, handed_at, handed_after_step, updated_at, outcome_json FROM notices WHERE attempt_id = ?1",
                [attempt],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .map_err(self.err())?;
        let Some((notice, handed_at, after, updated_at, outcome)) = row else { return Ok(None) };
        let notice: Notice = serde_json::from_str(&notice).map_err(|e| bad(format!("one-time notice: {e}")))?;
        let outcome = match outcome {
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| bad(format!("one-time notice outcome: {e}")))?),
            None => None,
        };
        Ok(Some(StoredNotice { notice, handed_at, handed_after_step: after.map(|n| n as usize), updated_at, outcome }))
    }

    /// Finishes the attempt and, in the same transaction, stores how its
    /// work order scored (an attempt with truth but no order saved gets
    /// the blank order it was scored as).
    pub fn finish_attempt_with_order(&self, attempt: i64, result: &AttemptResult, outcome: Option<&OrderOutcome>) -> Result<(), StoreError> {
        self.finish_attempt_with(attempt, result, outcome, None)
    }

    /// Finishes the attempt and, in the same transaction, stores how its
    /// work order and its one-time notice scored (an attempt with truth but
    /// nothing saved gets the blank order or notice it was scored as).
    pub fn finish_attempt_with(&self, attempt: i64, result: &AttemptResult, outcome: Option<&OrderOutcome>, notice: Option<&NoticeOutcome>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(self.err())?;
        if let Some(outcome) = notice {
            self.store_notice_outcome_in(&tx, attempt, outcome)?;
        }
        if let Some(outcome) = outcome {
            self.store_order_outcome_in(&tx, attempt, outcome)?;
        }
        self.finish_attempt_in(&tx, attempt, result)?;
        tx.commit().map_err(self.err())
    }

    fn store_notice_outcome_in(&self, tx: &Connection, attempt: i64, outcome: &NoticeOutcome) -> Result<(), StoreError> {
        let bad = |e: serde_json::Error| StoreError::BadRow { attempt, detail: e.to_string() };
        let json = serde_json::to_string(outcome).map_err(bad)?;
        let blank = serde_json::to_string(&Notice::default()).map_err(bad)?;
        tx.execute(
            &format!(
                "INSERT INTO notices (attempt_id, notice_json, updated_at, outcome_json) VALUES (?1, ?2, {NOW}, ?3)
                 ON CONFLICT(attempt_id) DO UPDATE SET outcome_json = excluded.outcome_json"
            ),
            params![attempt, blank, json],
        )
        .map_err(self.err())?;
        Ok(())
    }

    fn store_order_outcome_in(&self, tx: &Connection, attempt: i64, outcome: &OrderOutcome) -> Result<(), StoreError> {
        let bad = |e: serde_json::Error| StoreError::BadRow { attempt, detail: e.to_string() };
        let json = serde_json::to_string(outcome).map_err(bad)?;
        let blank = serde_json::to_string(&WorkOrder::default()).map_err(bad)?;
        tx.execute(
            &format!(
                "INSERT INTO work_orders (attempt_id, order_json, updated_at, outcome_json) VALUES (?1, ?2, {NOW}, ?3)
                 ON CONFLICT(attempt_id) DO UPDATE SET outcome_json = excluded.outcome_json"
            ),
            params![attempt, blank, json],
        )
        .map_err(self.err())?;
        Ok(())
    }

    /// Records a played encounter as the app does: begins the attempt with
    /// its content, commits every step with its response time, and when the
    /// encounter ended finishes it with the score, ending, persona and the
    /// trainee's DISC guess. For `counterpart play --record` and tests.
    pub fn record_encounter(
        &self,
        profile: i64,
        encounter: &crate::play::engine::Encounter,
        disc_guess: Option<DiscStyle>,
    ) -> Result<i64, StoreError> {
        self.record_encounter_with(profile, encounter, disc_guess, None, None)
    }

    /// `record_encounter` with a work order handed in after the last answer,
    /// scored and capping the card as the app does (`workorder::card_with_order`;
    /// a scenario with truth and no order is scored as a blank one).
    pub fn record_encounter_with_order(
        &self,
        profile: i64,
        encounter: &crate::play::engine::Encounter,
        disc_guess: Option<DiscStyle>,
        order: Option<(&WorkOrder, crate::workorder::WorkOrderContext<'_>)>,
    ) -> Result<i64, StoreError> {
        self.record_encounter_with(profile, encounter, disc_guess, order, None)
    }

    /// `record_encounter_with_order` with a one-time notice handed over after
    /// the last answer too, scored against the scenario's notice truth with
    /// the knowledge `base` it was picked from (a scenario with truth and no
    /// notice is scored as a blank one, as in the app once a base is given).
    /// The card is capped as the app caps it: the order's caps, the notice's,
    /// then the risk protocol's verdict last.
    pub fn record_encounter_with(
        &self,
        profile: i64,
        encounter: &crate::play::engine::Encounter,
        disc_guess: Option<DiscStyle>,
        order: Option<(&WorkOrder, crate::workorder::WorkOrderContext<'_>)>,
        notice: Option<(Option<&Notice>, &crate::knowledge::model::KnowledgeBase)>,
    ) -> Result<i64, StoreError> {
        let attempt = self.begin_attempt_for(profile, encounter.script(), encounter.seed())?;
        for (i, step) in encounter.steps().iter().enumerate() {
            self.record_step(attempt, i, step)?;
        }
        if let Some((order, _)) = order {
            self.save_work_order(attempt, order, Some(encounter.steps().len()))?;
        }
        if let Some((Some(notice), _)) = notice {
            self.save_notice(attempt, notice, Some(encounter.steps().len()))?;
        }
        if let Some(ending) = encounter.ending() {
            let (card, report) = match order {
                Some((order, ctx)) => crate::workorder::card_with_order(encounter, Some(order), ctx),
                None => (encounter.score(), None),
            };
            let (card, notice_report) = match notice {
                Some((notice, base)) => crate::notice::card_with_notice(&card, encounter.scenario().notice.as_ref(), notice, base),
                None => (card, None),
            };
            // As the app stores it: the protocol's verdict last, so a missed
            // required action fails the attempt whatever the order's caps.
            let card = crate::play::protocol::apply_protocol(&card, &encounter.protocol_report());
            let result = AttemptResult {
                card,
                ending_id: ending.id.clone(),
                outcome: ending.outcome,
                disc_guess,
                persona: encounter.persona_view().id,
            };
            let outcome = report.as_ref().map(OrderOutcome::of);
            let notice_outcome = notice_report.as_ref().map(NoticeOutcome::of);
            self.finish_attempt_with(attempt, &result, outcome.as_ref(), notice_outcome.as_ref())?;
        }
        Ok(attempt)
    }
}

fn drill_status_sql(drill: &Drill) -> &'static str {
    match drill.phase {
        Phase::Finished => "finished",
        Phase::Closed => "closed",
        _ => "running",
    }
}

fn attempt_status(conn: &Connection, attempt: i64) -> rusqlite::Result<Option<Status>> {
    let s: Option<String> = conn.query_row("SELECT status FROM attempts WHERE id = ?1", [attempt], |r| r.get(0)).optional()?;
    Ok(s.and_then(|s| Status::from_sql(&s)))
}

/// Brings the file from `from` to `SCHEMA_VERSION` in one transaction: a
/// failure leaves it exactly as it was.
fn migrate(conn: &mut Connection, path: &Path, from: i32) -> Result<(), StoreError> {
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    let wrap = |source: rusqlite::Error| StoreError::Migration { path: path.to_path_buf(), from, source };
    let tx = conn.transaction().map_err(wrap)?;
    let mut version = from;
    while version < SCHEMA_VERSION {
        match version {
            0 => tx.execute_batch(SCHEMA_V1).map_err(wrap)?,
            1 => migrate_v1_to_v2(&tx).map_err(wrap)?,
            2 => tx.execute_batch(SCHEMA_V3_DRILLS).map_err(wrap)?,
            3 => migrate_v3_to_v4(&tx).map_err(wrap)?,
            4 => tx.execute_batch(SCHEMA_V5_RATINGS).map_err(wrap)?,
            5 => migrate_v5_to_v6(&tx).map_err(wrap)?,
            6 => tx.execute_batch(SCHEMA_V7_WORK_ORDERS).map_err(wrap)?,
            7 => tx.execute_batch(SCHEMA_V8_NOTICES).map_err(wrap)?,
            8 => tx.execute_batch(SCHEMA_V9_EXAMS).map_err(wrap)?,
            9 => tx.execute_batch(SCHEMA_V10_LRS_CACHE).map_err(wrap)?,
            10 => migrate_v10_to_v11(&tx).map_err(wrap)?,
            _ => unreachable!("versions above SCHEMA_VERSION are rejected before migrating"),
        }
        version += 1;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(wrap)?;
    tx.commit().map_err(wrap)
}

/// v2: response times get their own column (filled from the step JSON,
/// where builds that timed answers already kept them) and every attempt a
/// UUID so that xAPI statement ids are unique across machines.
fn migrate_v1_to_v2(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "ALTER TABLE steps ADD COLUMN response_secs REAL;
         UPDATE steps SET response_secs = json_extract(step_json, '$.response_secs')
           WHERE json_valid(step_json);
         ALTER TABLE attempts ADD COLUMN uuid TEXT;",
    )?;
    fill_uuids(tx, "attempts")?;
    tx.execute_batch("CREATE UNIQUE INDEX attempts_by_uuid ON attempts(uuid);")
}

/// v4: a class-vote group is a profile of its own kind, so it is kept out
/// of the trainee lists (start screen, drill roster) while its runs stay
/// in the records. Profiles that v3 drills used as a group, and never as a
/// trainee (in a roster, or with attempts of their own outside drills),
/// become groups.
pub const SCHEMA_V4_GROUPS: &str = "
ALTER TABLE profiles ADD COLUMN is_group INTEGER NOT NULL DEFAULT 0;
UPDATE profiles SET is_group = 1
WHERE id IN (SELECT json_extract(plan_json, '$.group.profile_id') FROM drills)
  AND id NOT IN (SELECT profile_id FROM attempts WHERE id NOT IN (SELECT attempt_id FROM drill_attempts))
  AND NOT EXISTS (
      SELECT 1 FROM drills AS d, json_each(d.plan_json, '$.roster') AS r
      WHERE json_extract(r.value, '$.profile_id') = profiles.id
  );
";

/// v4 (see `SCHEMA_V4_GROUPS`), and every drill a UUID, as attempts got in
/// v2, so that statements of one drill can be grouped in an LRS.
fn migrate_v3_to_v4(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(SCHEMA_V4_GROUPS)?;
    tx.execute_batch("ALTER TABLE drills ADD COLUMN uuid TEXT;")?;
    fill_uuids(tx, "drills")?;
    tx.execute_batch("CREATE UNIQUE INDEX drills_by_uuid ON drills(uuid);")
}

/// v5: scoring rules v2 (missed chances, over-talking, personas, the
/// citizen's rating). Every attempt keeps the score it was given: those
/// finished before are marked as scored under rules 1 and never re-scored.
pub const SCHEMA_V5_RATINGS: &str = "
ALTER TABLE attempts ADD COLUMN persona TEXT;
ALTER TABLE attempts ADD COLUMN rating TEXT;
ALTER TABLE attempts ADD COLUMN rules INTEGER;
UPDATE attempts SET rules = 1 WHERE status = 'completed';
";

/// v6: what each attempt's xAPI statements say, kept with the attempt so
/// they never depend on the scenario folder (`content`); the scenario part
/// is stored once per distinct content. The outbox marks which statements
/// each LRS endpoint has accepted, with a digest of what was sent. Profiles
/// get an optional employee number (工号), unique when present.
/// Attempts recorded before have no content: the export fills it in from
/// the scenario file when its version and a replay agree
/// (`Store::attach_content`), and refuses otherwise.
pub const SCHEMA_V6_CONTENT: &str = "
CREATE TABLE IF NOT EXISTS scenario_snapshots (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    scenario_id TEXT NOT NULL,
    scenario_version INTEGER NOT NULL,
    content_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attempt_content (
    attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id),
    snapshot_id INTEGER NOT NULL REFERENCES scenario_snapshots(id),
    home_page TEXT NOT NULL,
    account TEXT NOT NULL,
    extension_base TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    endpoint TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    digest TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    PRIMARY KEY (endpoint, statement_id)
);
";

fn migrate_v5_to_v6(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(SCHEMA_V6_CONTENT)?;
    let has_column: bool =
        tx.query_row("SELECT EXISTS(SELECT 1 FROM pragma_table_info('profiles') WHERE name = 'employee_id')", [], |r| r.get(0))?;
    if !has_column {
        tx.execute_batch("ALTER TABLE profiles ADD COLUMN employee_id TEXT;")?;
    }
    tx.execute_batch("CREATE UNIQUE INDEX IF NOT EXISTS profiles_by_employee_id ON profiles(employee_id) WHERE employee_id IS NOT NULL;")
}

/// v7: the hotline work order of an attempt (one per attempt: the draft,
/// then the order handed in, with its field-by-field outcome once the
/// attempt finished) and the knowledge entries opened, in order. Older
/// attempts have neither, and score as they did.
pub const SCHEMA_V7_WORK_ORDERS: &str = "
CREATE TABLE IF NOT EXISTS work_orders (
    attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id),
    order_json TEXT NOT NULL,
    submitted_at TEXT,
    submitted_after_step INTEGER,
    updated_at TEXT NOT NULL,
    outcome_json TEXT
);
CREATE TABLE IF NOT EXISTS lookups (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id),
    idx INTEGER NOT NULL,
    query TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    after_step INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (attempt_id, idx)
);
";

/// v8: the counter's one-time notice of an attempt, kept like the work
/// order (the draft, then the notice handed over, with its line-by-line
/// outcome once the attempt finished). Older attempts have none, and score
/// as they did.
pub const SCHEMA_V8_NOTICES: &str = "
CREATE TABLE IF NOT EXISTS notices (
    attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id),
    notice_json TEXT NOT NULL,
    handed_at TEXT,
    handed_after_step INTEGER,
    updated_at TEXT NOT NULL,
    outcome_json TEXT
);
";

/// v11: the situation a targeted practice run started from (JSON of
/// `Situation`); older attempts all started at the first turn.
pub const SCHEMA_V11_SITUATIONS: &str = "ALTER TABLE attempts ADD COLUMN situation_json TEXT;";

/// v11 (see `SCHEMA_V11_SITUATIONS`); a file whose attempts already have
/// the column (a v11 file marked older by hand) keeps it.
fn migrate_v10_to_v11(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let has: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM pragma_table_info('attempts') WHERE name = 'situation_json')", [], |r| r.get(0))?;
    if !has {
        tx.execute_batch(SCHEMA_V11_SITUATIONS)?;
    }
    Ok(())
}

/// v9: exam sittings and their drawn scenarios. At most one open sitting
/// per exam and employee number (the partial unique index); an attempt
/// belongs to at most one slot.
pub const SCHEMA_V9_EXAMS: &str = "
CREATE TABLE IF NOT EXISTS exam_sittings (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    exam_id TEXT NOT NULL,
    exam_version INTEGER NOT NULL,
    exam_json TEXT NOT NULL,
    draw_json TEXT NOT NULL,
    profile_id INTEGER NOT NULL REFERENCES profiles(id),
    employee_id TEXT NOT NULL,
    sitting INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'finished', 'abandoned')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    released_at TEXT,
    UNIQUE (exam_id, employee_id, sitting)
);
CREATE UNIQUE INDEX IF NOT EXISTS exam_sittings_one_open ON exam_sittings(exam_id, employee_id) WHERE status = 'open';
CREATE TABLE IF NOT EXISTS exam_slots (
    sitting_id INTEGER NOT NULL REFERENCES exam_sittings(id),
    slot INTEGER NOT NULL,
    attempt_id INTEGER UNIQUE REFERENCES attempts(id),
    elapsed_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sitting_id, slot)
);
";

/// Why a sitting cannot be opened or changed.
/// (Kept here beside `StoreError`, which wraps it; the sittings' own code
/// is in `records::sittings`.)
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SittingError {
    AlreadyOpen { employee_id: String, exam: String, sitting: u32 },
    NoEmployeeId { name: String },
    NoSittingsLeft { employee_id: String, exam: String, allowed: u32 },
    TooSoon { employee_id: String, exam: String, from: String, days: u32 },
    NoSitting(i64),
    NoSlot { sitting: i64, slot: usize },
    NotOpen(i64),
    SlotTaken { sitting: i64, slot: usize },
    WrongScenario { sitting: i64, slot: usize, expected: String, got: String },
    BadRow { sitting: i64, detail: String },
}

impl Message for SittingError {
    fn message(&self) -> Text {
        use SittingError::*;
        match self {
            AlreadyOpen { employee_id, exam, sitting } => Text::new(
                format!("工号“{employee_id}”正在参加“{exam}”（第 {sitting} 次，尚未结束），请先完成或放弃这一场"),
                format!(
                    "the employee number \"{employee_id}\" is already sitting \"{exam}\" (sitting {sitting}, not finished): finish or abandon it first"
                ),
            ),
            NoEmployeeId { name } => Text::new(
                format!("“{name}”没有登记工号，考生需要以工号参加考核"),
                format!("\"{name}\" has no employee number: an exam candidate is known by it"),
            ),
            NoSittingsLeft { employee_id, exam, allowed } => Text::new(
                format!("工号“{employee_id}”已用完“{exam}”的 {allowed} 次考试机会"),
                format!("the employee number \"{employee_id}\" has used all {allowed} sitting(s) of \"{exam}\""),
            ),
            TooSoon { employee_id, exam, from, days } => Text::new(
                format!("工号“{employee_id}”须等到 {from} 才能再考“{exam}”（两次考试至少间隔 {days} 天）"),
                format!(
                    "the employee number \"{employee_id}\" may sit \"{exam}\" again from {from} (the exam asks for {days} day(s) between sittings)"
                ),
            ),
            NoSitting(id) => Text::new(format!("找不到考试记录 {id}"), format!("no exam sitting with id {id}")),
            NoSlot { sitting, slot } => Text::new(
                format!("第 {sitting} 场考试没有第 {slot} 题"),
                format!("sitting {sitting} has no drawn scenario {slot}"),
            ),
            NotOpen(id) => Text::new(format!("第 {id} 场考试已经结束"), format!("sitting {id} is not open")),
            SlotTaken { sitting, slot } => Text::new(
                format!("第 {sitting} 场考试第 {slot} 题已经开始作答"),
                format!("sitting {sitting}, scenario {slot} has an attempt already"),
            ),
            WrongScenario { sitting, slot, expected, got } => Text::new(
                format!("第 {sitting} 场考试第 {slot} 题应是“{expected}”，而不是“{got}”"),
                format!("sitting {sitting}, scenario {slot} is \"{expected}\", not \"{got}\""),
            ),
            BadRow { sitting, detail } => Text::new(
                format!("第 {sitting} 场考试的存储数据无法读取（{detail}）"),
                format!("sitting {sitting}: stored data is unreadable ({detail})"),
            ),
        }
    }
}

impl std::fmt::Display for SittingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt_both(f)
    }
}

/// Gives every row of `table` (one of ours, with `id` and `uuid` columns)
/// that has none a fresh random UUID.
fn fill_uuids(tx: &rusqlite::Transaction<'_>, table: &str) -> rusqlite::Result<()> {
    let ids: Vec<i64> = {
        let mut stmt = tx.prepare(&format!("SELECT id FROM {table} WHERE uuid IS NULL"))?;
        stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for id in ids {
        tx.execute(&format!("UPDATE {table} SET uuid = ?1 WHERE id = ?2"), params![random_uuid(), id])?;
    }
    Ok(())
}

/// v3: group drills. The plan is stored once; the event log holds every
/// event in order (the drill is rebuilt by replaying it); `drill_attempts`
/// links slots to the attempts they opened, so a slot's attempt is never
/// offered for resuming on its own.
/// v10: statements read back from an LRS for the class overview
/// (`records::class`), one row per statement and endpoint with only what
/// the overview reads, so the file stays small and a refresh asks the LRS
/// only for what came after `newest_stored` (the refresh's bookmark,
/// `CacheState::bookmark`); one row per endpoint for the last fetch.
pub const SCHEMA_V10_LRS_CACHE: &str = "
CREATE TABLE IF NOT EXISTS lrs_statements (
    endpoint TEXT NOT NULL,
    id TEXT NOT NULL,
    stored TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    verb TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    registration TEXT NOT NULL,
    scenario TEXT NOT NULL,
    turn TEXT NOT NULL,
    choice TEXT NOT NULL,
    quality INTEGER,
    red_flag TEXT NOT NULL,
    score REAL,
    success INTEGER,
    persona TEXT NOT NULL,
    exam TEXT NOT NULL,
    exam_name TEXT NOT NULL,
    dimensions TEXT NOT NULL,
    PRIMARY KEY (endpoint, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lrs_statements_stored ON lrs_statements (endpoint, stored);
CREATE TABLE IF NOT EXISTS lrs_fetches (
    endpoint TEXT PRIMARY KEY,
    fetched_at TEXT NOT NULL,
    newest_stored TEXT NOT NULL,
    skipped INTEGER NOT NULL DEFAULT 0
);
";

pub const SCHEMA_V3_DRILLS: &str = "
CREATE TABLE drills (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    mode TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    -- The drill's state after the last event, written with it: reports can
    -- read a drill whose scenarios have since been edited or removed.
    state_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'closed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE drill_events (
    drill_id INTEGER NOT NULL REFERENCES drills(id),
    seq INTEGER NOT NULL,
    event_json TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (drill_id, seq)
);
CREATE TABLE drill_attempts (
    drill_id INTEGER NOT NULL REFERENCES drills(id),
    slot INTEGER NOT NULL,
    attempt_id INTEGER NOT NULL UNIQUE REFERENCES attempts(id),
    PRIMARY KEY (drill_id, slot)
);
";

/// `YYYYMMDDTHHMMSSZ` for file names, from the system clock.
pub fn utc_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod message_tests {
    use super::*;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// The app shows one language: each message must say itself fully in
    /// both, the Chinese with no English sentence glued on, and the command
    /// line's `Display` must carry both.
    #[test]
    fn store_and_sitting_errors_say_themselves_in_each_language() {
        let path = PathBuf::from("/tmp/records.sqlite3");
        let errors = vec![
            StoreError::Corrupt { path: path.clone(), detail: "file is not a database".into() },
            StoreError::TooNew { path: path.clone(), found: 12, supported: 11 },
            StoreError::DuplicateProfile("王芳".into()),
            StoreError::EmptyProfileName,
            StoreError::ProfileKindClash { name: "一班".into(), group: true },
            StoreError::ProfileKindClash { name: "李明".into(), group: false },
            StoreError::NoProfile(3),
            StoreError::NoAttempt(7),
            StoreError::NoDrill(2),
            StoreError::DuplicateEmployeeId { employee_id: "A-007".into(), holder: "王芳".into() },
            StoreError::EmployeeIdMismatch { name: "李明".into(), has: "A-001".into(), typed: "A-002".into() },
            StoreError::BadEmployeeId("a b".into()),
            StoreError::DrillOutOfStep { drill: 1, stored: 4, applied: 3 },
            StoreError::Exam(SittingError::NoSittingsLeft { employee_id: "A-007".into(), exam: "上岗考核".into(), allowed: 2 }),
            StoreError::Exam(SittingError::TooSoon { employee_id: "A-007".into(), exam: "上岗考核".into(), from: "2026-12-09".into(), days: 7 }),
            StoreError::Exam(SittingError::NotOpen(5)),
        ];
        for e in errors {
            let m = e.message();
            assert!(has_cjk(&m.zh), "no Chinese in {m:?}");
            assert!(!m.zh.contains(" / ") && !m.en.contains(" / "), "two languages glued into one: {m:?}");
            assert!(!has_cjk(&m.en.replace(['王', '芳', '李', '明', '一', '班', '上', '岗', '考', '核'], "")), "Chinese words in the English: {m:?}");
            let shown = e.to_string();
            assert!(shown.contains(&m.en) && shown.contains(&m.zh), "{shown}");
        }
    }
}
