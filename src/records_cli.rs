//! `counterpart export`, `drill`, and (in `dev` builds only) the hidden
//! `records-crash-test` helper the crash-safety test drives.

use counterpart_core::play::engine::Script;
use counterpart_core::library::load::load_file;
use counterpart_core::records::store::{AttemptRecord, Store, StoreError};
use counterpart_core::library::Library;
use counterpart_core::records::report::{drill_html, to_json, write_csv, write_drill_csv, write_html_reports};
use counterpart_core::records::xapi::{Lrs, statements};
use clap::{ArgGroup, Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

type CmdResult = Result<i32, std::io::Error>;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["csv", "json", "html", "xapi", "lrs"])))]
pub struct ExportArgs {
    /// Only this trainee's attempts (profile name).
    #[arg(long)]
    pub profile: Option<String>,
    /// Records database (default: $COUNTERPART_DB, else the user data folder).
    #[arg(long, env = "COUNTERPART_DB")]
    pub db: Option<PathBuf>,
    /// One row per attempt, for a spreadsheet.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Full records including transcripts.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Printable HTML: one report per attempt and one per trainee.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// xAPI 1.0.3 statements as a JSON array.
    #[arg(long, value_name = "FILE")]
    pub xapi: Option<PathBuf>,
    /// Send xAPI statements to this LRS (base URL or its xAPI endpoint).
    #[arg(long, value_name = "URL", requires_all = ["user", "password"])]
    pub lrs: Option<String>,
    #[arg(long, requires = "lrs")]
    pub user: Option<String>,
    /// LRS password; prefer the environment variable to keep it out of the process list.
    #[arg(long, env = "COUNTERPART_LRS_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Extra tries per batch when the LRS is unreachable or busy.
    #[arg(long, default_value_t = 4)]
    pub retries: u32,
    /// First pause between tries in milliseconds (doubled each time).
    #[arg(long, default_value_t = 500)]
    pub backoff_ms: u64,
}

#[cfg(feature = "dev")]
#[derive(Debug, Args)]
pub struct CrashTestArgs {
    #[arg(long)]
    pub db: PathBuf,
    #[arg(long)]
    pub scenario: PathBuf,
    /// One-based choices to record before idling.
    #[arg(long, value_delimiter = ',', required = true)]
    pub choices: Vec<usize>,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[arg(long, default_value = "crash-test")]
    pub profile: String,
}

fn open_store(db: Option<&Path>, err: &mut dyn Write) -> Result<Option<Store>, std::io::Error> {
    let path = db.map(Path::to_path_buf).unwrap_or_else(Store::default_path);
    if !path.exists() {
        writeln!(err, "error: no records database at {} / 找不到学员记录数据库", path.display())?;
        return Ok(None);
    }
    match Store::open(&path) {
        Ok(s) => Ok(Some(s)),
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(None)
        }
    }
}

/// Scenario scripts for titles, debriefs and xAPI evidence, read from
/// `<folder>/<id>.ron` for the scenarios the records mention only (loading
/// a whole library validates every file, which can be slow). A missing or
/// broken file only makes the exports plainer.
pub fn load_scripts<'a>(folder: &Path, ids: impl IntoIterator<Item = &'a str>) -> Library {
    let mut scripts: Vec<std::sync::Arc<Script>> = Vec::new();
    for id in ids {
        if scripts.iter().any(|s| s.scenario.id == id) || id.contains(['/', '\\']) || id.starts_with('.') {
            continue;
        }
        let path = folder.join(format!("{id}.ron"));
        if !path.is_file() {
            continue;
        }
        if let Some(script) = load_file(&path).script().filter(|s| s.scenario.id == id) {
            scripts.push(script.clone());
        }
    }
    Library::from_scripts(scripts)
}

fn records(store: &Store, profile: Option<&str>) -> Result<Vec<AttemptRecord>, StoreError> {
    let profile_id = match profile {
        Some(name) => Some(store.profile_by_name(name)?.id),
        None => None,
    };
    store.attempts(profile_id)?.iter().map(|s| store.attempt(s.id)).collect()
}

fn io_context(path: &Path, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{}: {e}", path.display()))
}

pub fn export_cmd(args: ExportArgs, scenarios: Option<&Path>, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let Some(store) = open_store(args.db.as_deref(), err)? else { return Ok(2) };
    let records = match records(&store, args.profile.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let scripts = load_scripts(scenarios.unwrap_or(Path::new("scenarios")), records.iter().map(|r| r.summary.scenario_id.as_str()));
    if let Some(path) = &args.csv {
        let file = std::fs::File::create(path).map_err(|e| io_context(path, e))?;
        write_csv(&records, std::io::BufWriter::new(file)).map_err(|e| io_context(path, e))?;
        writeln!(out, "{} attempt(s) → {}", records.len(), path.display())?;
    }
    if let Some(path) = &args.json {
        let text = to_json(&records).map_err(|e| io_context(path, e))?;
        std::fs::write(path, text).map_err(|e| io_context(path, e))?;
        writeln!(out, "{} attempt(s) → {}", records.len(), path.display())?;
    }
    if let Some(dir) = &args.html {
        let (attempts, trainees) = write_html_reports(dir, &records, &scripts)?;
        writeln!(out, "{attempts} attempt report(s), {trainees} trainee report(s) → {}", dir.display())?;
    }
    let all_statements = || -> Vec<serde_json::Value> {
        records
            .iter()
            .flat_map(|r| statements(r, scripts.script(&r.summary.scenario_id).map(|s| s.as_ref())))
            .collect()
    };
    if let Some(path) = &args.xapi {
        let list = all_statements();
        let text = serde_json::to_string_pretty(&list).map_err(|e| io_context(path, e))?;
        std::fs::write(path, text).map_err(|e| io_context(path, e))?;
        writeln!(out, "{} xAPI statement(s) → {}", list.len(), path.display())?;
    }
    if let (Some(url), Some(user), Some(password)) = (&args.lrs, &args.user, &args.password) {
        let list = all_statements();
        let mut lrs = Lrs::new(url, user, password);
        lrs.retries = args.retries;
        lrs.backoff = Duration::from_millis(args.backoff_ms);
        let report = lrs.send(&list);
        writeln!(out, "{} of {} xAPI statement(s) accepted by {}", report.accepted.len(), list.len(), lrs.statements_url())?;
        if !report.is_complete() {
            writeln!(
                err,
                "error: {} statement(s) NOT sent (the records are unchanged; run the export again later) / {} 条记录未发送，本地记录未受影响，可稍后重试：",
                report.unsent.len(),
                report.unsent.len()
            )?;
            for u in &report.unsent {
                writeln!(err, "  {}  {}", u.id, u.reason)?;
            }
            return Ok(1);
        }
    }
    Ok(0)
}

/// Records a few turns of an encounter, each committed, then keeps writing
/// until killed: the crash test kills it with SIGKILL and checks the store.
#[cfg(feature = "dev")]
pub fn crash_test_cmd(args: CrashTestArgs, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let loaded = load_file(&args.scenario);
    let Some(script) = loaded.script().cloned() else {
        writeln!(err, "error: cannot load {}", args.scenario.display())?;
        return Ok(2);
    };
    let fail = |err: &mut dyn Write, e: StoreError| -> CmdResult {
        writeln!(err, "error: {e}")?;
        Ok(2)
    };
    let store = match Store::open(&args.db) {
        Ok(s) => s,
        Err(e) => return fail(err, e),
    };
    let profile = match store.profile_by_name(&args.profile).or_else(|_| store.create_profile(&args.profile)) {
        Ok(p) => p,
        Err(e) => return fail(err, e),
    };
    let script: std::sync::Arc<Script> = script;
    let attempt = match store.begin_attempt(profile.id, &script.scenario.id, script.scenario.version, args.seed) {
        Ok(a) => a,
        Err(e) => return fail(err, e),
    };
    writeln!(out, "attempt {attempt}")?;
    out.flush()?;
    let mut encounter = counterpart_core::play::engine::Encounter::new(script, args.seed);
    for (i, &c) in args.choices.iter().enumerate() {
        let step = match encounter.choose(c.saturating_sub(1), Some(1.5 + i as f32)) {
            Ok(s) => s.clone(),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(2);
            }
        };
        if let Err(e) = store.record_step(attempt, i, &step) {
            return fail(err, e);
        }
        writeln!(out, "recorded {i}")?;
        out.flush()?;
    }
    writeln!(out, "ready")?;
    out.flush()?;
    let mut n: u64 = 0;
    loop {
        n += 1;
        if let Err(e) = store.set_setting("crash-test.heartbeat", &n.to_string()) {
            return fail(err, e);
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum DrillAction {
    /// List stored group drills.
    List {
        /// Records database (default: $COUNTERPART_DB, else the user data folder).
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
    },
    /// The trainer's session report of one drill: printable HTML and/or CSV.
    #[command(group(ArgGroup::new("target").required(true).multiple(true).args(["html", "csv"])))]
    Report {
        /// Drill id, as `drill list` shows it.
        #[arg(long)]
        drill: i64,
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// One row per slot.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
}

pub fn drill_cmd(action: DrillAction, scenarios: Option<&Path>, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    match action {
        DrillAction::List { db } => {
            let Some(store) = open_store(db.as_deref(), err)? else { return Ok(2) };
            let drills = match store.drills() {
                Ok(d) => d,
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(2);
                }
            };
            for d in drills {
                writeln!(out, "{}\t{:?}\t{:?}\t{}\t{}", d.id, d.mode, d.status, d.created_at, d.title)?;
            }
            Ok(0)
        }
        DrillAction::Report { drill, db, html, csv } => {
            let Some(store) = open_store(db.as_deref(), err)? else { return Ok(2) };
            let folder = scenarios.unwrap_or(Path::new("scenarios"));
            // The stored state, not a replay: the report must still work
            // after a scenario was edited; scripts only add titles and texts.
            let loaded = store.drill_snapshot(drill).and_then(|state| {
                let scripts = load_scripts(folder, state.plan.scenarios.iter().map(String::as_str));
                let attempts = store.drill_attempts(&state)?;
                Ok((state, attempts, scripts))
            });
            let (state, attempts, scripts) = match loaded {
                Ok(x) => x,
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(2);
                }
            };
            if let Some(path) = &html {
                std::fs::write(path, drill_html(&state, &attempts, &scripts)).map_err(|e| io_context(path, e))?;
                writeln!(out, "drill {drill} report → {}", path.display())?;
            }
            if let Some(path) = &csv {
                let file = std::fs::File::create(path).map_err(|e| io_context(path, e))?;
                write_drill_csv(&state, std::io::BufWriter::new(file)).map_err(|e| io_context(path, e))?;
                writeln!(out, "{} slot(s) → {}", state.slots.len(), path.display())?;
            }
            Ok(0)
        }
    }
}
