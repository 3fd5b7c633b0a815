//! `counterpart export`, `drill`, `class report`, and (in `dev` builds only) the hidden
//! `records-crash-test` helper the crash-safety test drives.

use counterpart_core::play::engine::Script;
use counterpart_core::library::load::load_file;
use counterpart_core::records::store::{AttemptRecord, Store, StoreError};
use counterpart_core::library::Library;
use counterpart_core::records::report::{drill_html, to_json, write_csv, write_drill_csv, write_html_reports};
use counterpart_core::records::class::{ClassError, ClassFilter, overview_from_cache, refresh, summary_text, workbook, write_trainees_csv};
use counterpart_core::records::xapi::{Lrs, StatementQuery, outgoing, send_new};
use clap::{ArgGroup, Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

type CmdResult = Result<i32, std::io::Error>;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).multiple(true).args(["csv", "json", "html", "xapi", "lrs", "xlsx"])))]
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
    /// First pause between tries in milliseconds (doubled each time; an
    /// LRS's Retry-After replaces it).
    #[arg(long, default_value_t = 500)]
    pub backoff_ms: u64,
    /// Send every statement again, not only those this LRS has not accepted yet.
    #[arg(long, requires = "lrs")]
    pub resend: bool,
    /// Longest a whole send may take, waits included, in seconds.
    #[arg(long, default_value_t = 120)]
    pub budget_secs: u64,
    /// Longest one request may take, in seconds.
    #[arg(long, default_value_t = 20)]
    pub timeout_secs: u64,
    /// An Excel workbook: attempts, per-dimension scores, and drill reports.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
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

/// The records file named by `--db` (else the default one), or a message
/// on `err` when it is missing or cannot be opened.
pub(crate) fn open_store(db: Option<&Path>, err: &mut dyn Write) -> Result<Option<Store>, std::io::Error> {
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
    let bundled = counterpart_core::library::sources::bundled_folder();
    let folder = scenarios.unwrap_or(&bundled);
    let scripts = load_scripts(folder, records.iter().map(|r| r.summary.scenario_id.as_str()));
    let mut records = records;
    if args.xapi.is_some() || args.lrs.is_some() {
        // Attempts recorded before their content was stored get it once,
        // from the scenario file of the same version whose replay agrees;
        // from then on their statements come from the store alone.
        let mut filled = 0;
        for r in records.iter_mut().filter(|r| r.content.is_none()) {
            let Some(script) = scripts.script(&r.summary.scenario_id) else { continue };
            match store.attach_content(r.summary.id, script) {
                Ok(_) => match store.attempt(r.summary.id) {
                    Ok(again) => {
                        *r = again;
                        filled += 1;
                    }
                    Err(e) => writeln!(err, "warning: {e}")?,
                },
                Err(StoreError::ContentMismatch { .. }) => {}
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(2);
                }
            }
        }
        if filled > 0 {
            writeln!(out, "stored the statement content of {filled} older attempt(s) from {}", folder.display())?;
        }
    }
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
    let mut code = 0;
    if let Some(path) = &args.xlsx {
        match write_workbook(&store, &records, path) {
            Ok(drills) => writeln!(out, "{} attempt(s), {drills} drill(s) → {}", records.len(), path.display())?,
            Err(e) => {
                writeln!(err, "error: {}: {e}", path.display())?;
                code = 2;
            }
        }
    }
    if args.xapi.is_none() && args.lrs.is_none() {
        return Ok(code);
    }
    let (list, refused) = outgoing(&records);
    for e in &refused {
        writeln!(err, "error: {e}")?;
    }
    if !refused.is_empty() {
        code = 1;
    }
    if let Some(path) = &args.xapi {
        let statements: Vec<&serde_json::Value> = list.iter().map(|o| &o.statement).collect();
        let text = serde_json::to_string_pretty(&statements).map_err(|e| io_context(path, e))?;
        std::fs::write(path, text).map_err(|e| io_context(path, e))?;
        writeln!(out, "{} xAPI statement(s) → {}", list.len(), path.display())?;
    }
    if let (Some(url), Some(user), Some(password)) = (&args.lrs, &args.user, &args.password) {
        let mut lrs = Lrs::new(url, user, password);
        lrs.retries = args.retries;
        lrs.backoff = Duration::from_millis(args.backoff_ms);
        lrs.budget = Duration::from_secs(args.budget_secs);
        lrs.request_timeout = Duration::from_secs(args.timeout_secs.max(1));
        let run = match send_new(&store, &lrs, &list, args.resend) {
            Ok(run) => run,
            Err(e) => {
                writeln!(err, "error: {e} (what the LRS accepted in this run will be sent again next time, without duplicates)")?;
                return Ok(2);
            }
        };
        let report = &run.report;
        writeln!(
            out,
            "{} xAPI statement(s) accepted by {}; {} already there from earlier runs; {} built",
            report.accepted.len(),
            lrs.statements_url(),
            run.already,
            run.built
        )?;
        if let Some(first) = run.changed.first() {
            // Not an error of this run: an earlier build (or a changed
            // setting) wrote them differently, and the LRS keeps the first.
            writeln!(
                err,
                "warning: {} statement(s) this LRS accepted earlier would now be written differently (first: {first}); \
                 they were not sent again, the LRS keeps what it has / {} 条记录此前已发送且内容不同，未重复发送",
                run.changed.len(),
                run.changed.len()
            )?;
        }
        for c in &report.conflicts {
            writeln!(
                err,
                "error: conflict: the LRS already holds statement {} with other content (differs in: {}); sending again cannot help / LRS 中已有同编号、内容不同的记录",
                c.id,
                c.differs.join(", ")
            )?;
        }
        if let Some(reason) = &report.stopped {
            writeln!(err, "error: stopped: {reason}")?;
        }
        if !report.unsent.is_empty() {
            writeln!(
                err,
                "error: {} statement(s) NOT sent (the records are unchanged; the next run sends them) / {} 条记录未发送，本地记录未受影响，下次运行会补发：",
                report.unsent.len(),
                report.unsent.len()
            )?;
            for u in &report.unsent {
                // After a stop every statement shares its reason, said once above.
                if report.stopped.as_ref() == Some(&u.reason) {
                    writeln!(err, "  {}", u.id)?;
                } else {
                    writeln!(err, "  {}  {}", u.id, u.reason)?;
                }
            }
        }
        if !report.is_complete() {
            code = 1;
        }
    }
    Ok(code)
}

/// The Excel workbook: attempts, per-dimension scores and every stored
/// drill's report rows. Returns how many drills it holds.
fn write_workbook(store: &Store, records: &[AttemptRecord], path: &Path) -> Result<usize, String> {
    let mut drills = Vec::new();
    for d in store.drills().map_err(|e| e.to_string())? {
        drills.push((d.id, store.drill_snapshot(d.id).map_err(|e| e.to_string())?));
    }
    let bytes = counterpart_core::records::xlsx::workbook(records, &drills).map_err(|e| e.to_string())?;
    std::fs::write(path, bytes).map_err(|e| e.to_string())?;
    Ok(drills.len())
}

/// `play --record`: where and as whom a played attempt is stored.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// Store the finished attempt in the records, as the app does.
    #[arg(long, requires = "profile")]
    pub record: bool,
    /// The trainee (profile name), created when missing.
    #[arg(long)]
    pub profile: Option<String>,
    /// The trainee's employee number (工号), set on the profile.
    #[arg(long, requires = "record")]
    pub employee_id: Option<String>,
    /// The DISC style the trainee read, as the app asks after the last turn.
    #[arg(long, value_enum, requires = "record")]
    pub disc_guess: Option<DiscArg>,
    /// Records database (default: $COUNTERPART_DB, else the user data folder).
    #[arg(long, env = "COUNTERPART_DB", requires = "record")]
    pub db: Option<PathBuf>,
    /// The work order handed in after the last answer: a RON file with the
    /// order form's fields (caller_name, contact, address, request_type,
    /// category, content, urgency, confidential, callback, handling_unit,
    /// time_limit, no_order). Without it a hotline scenario with truth is
    /// scored as a blank order, as in the app.
    #[arg(long, value_name = "FILE.ron", requires = "record")]
    pub work_order: Option<PathBuf>,
    /// The one-time notice handed over after the last answer: a RON file
    /// (materials and steps as (entry, index) picks, follow_on entry ids,
    /// note). Without it a counter scenario with notice truth is scored as
    /// no notice, as in the app.
    #[arg(long, value_name = "FILE.ron", requires = "record")]
    pub notice: Option<PathBuf>,
}

/// A `--work-order` or `--notice` file, or the located message of why not.
fn read_ron<T: serde::de::DeserializeOwned>(path: &Path, flag: &str) -> Result<T, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{flag} {}: {e}", path.display()))?;
    counterpart_core::scenario::parse::parse_ron_bytes(&bytes, &path.display().to_string())
        .map_err(|d| format!("{flag}: {}", crate::cli::render_diagnostic(&d, false, counterpart_core::scenario::model::Lang::En).trim_end()))
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DiscArg {
    D,
    I,
    S,
    C,
}

/// Stores a finished encounter as the app would: the same store, the same
/// rules (`Store::record_encounter`: content, every step with its time, the
/// result). A forced persona is refused: a replay of the record (resume,
/// reports) could not find it again.
pub fn record_played(
    args: &RecordArgs,
    file: &Path,
    encounter: &counterpart_core::play::engine::Encounter,
    forced_persona: bool,
    err: &mut dyn Write,
) -> CmdResult {
    use counterpart_core::scenario::model::DiscStyle;
    let Some(name) = args.profile.as_deref() else {
        writeln!(err, "error: --record needs --profile NAME")?;
        return Ok(2);
    };
    if forced_persona {
        writeln!(err, "error: --record cannot be used with --persona: the app plays the persona the seed picks")?;
        return Ok(2);
    }
    if encounter.ending().is_none() {
        writeln!(err, "error: --record stores finished attempts only")?;
        return Ok(2);
    }
    // Read before the store is touched, so a mistyped file records nothing.
    let order: Option<counterpart_core::workorder::WorkOrder> = match args.work_order.as_deref().map(|p| read_ron(p, "--work-order")).transpose() {
        Ok(o) => o,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let notice: Option<counterpart_core::notice::Notice> = match args.notice.as_deref().map(|p| read_ron(p, "--notice")).transpose() {
        Ok(n) => n,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let scenario = encounter.scenario();
    if order.is_some() && scenario.work_order.is_none() && scenario.no_order.is_none() {
        writeln!(err, "note: {} has no work-order truth: the order is stored but not scored", scenario.id)?;
    }
    if notice.is_some() && scenario.notice.is_none() {
        writeln!(err, "note: {} has no notice truth: the notice is stored but not scored", scenario.id)?;
    }
    let path = args.db.clone().unwrap_or_else(Store::default_path);
    let fail = |err: &mut dyn Write, e: StoreError| -> CmdResult {
        writeln!(err, "error: {e}")?;
        Ok(2)
    };
    let store = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => return fail(err, e),
    };
    let profile = match store.profile_by_name(name) {
        Ok(p) => p,
        Err(StoreError::NoProfileNamed(_)) => match store.create_profile(name) {
            Ok(p) => p,
            Err(e) => return fail(err, e),
        },
        Err(e) => return fail(err, e),
    };
    if let Some(id) = &args.employee_id
        && let Err(e) = store.set_employee_id(profile.id, Some(id))
    {
        return fail(err, e);
    }
    let guess = args.disc_guess.map(|g| match g {
        DiscArg::D => DiscStyle::D,
        DiscArg::I => DiscStyle::I,
        DiscArg::S => DiscStyle::S,
        DiscArg::C => DiscStyle::C,
    });
    // What the clerk or operator has at hand: the scenario folder's
    // knowledge base, categories and city rules, as the app loads them.
    let desk = counterpart_core::library::knowledge::Desk::for_file(file);
    let wants_order = scenario.work_order.is_some() || scenario.no_order.is_some();
    let segmenter = (wants_order || order.is_some()).then(counterpart_core::knowledge::Segmenter::new);
    let blank = counterpart_core::workorder::WorkOrder::default();
    let order_arg = segmenter.as_ref().map(|seg| (order.as_ref().unwrap_or(&blank), desk.context(seg)));
    let notice_arg = (scenario.notice.is_some() || notice.is_some()).then_some((notice.as_ref(), &desk.base));
    match store.record_encounter_with(profile.id, encounter, guess, order_arg, notice_arg) {
        Ok(attempt) => {
            // On the error stream: standard output stays the debrief (or its JSON).
            writeln!(err, "recorded attempt {attempt} for {} in {}", profile.name, path.display())?;
            if let Ok(record) = store.attempt(attempt) {
                let caps = |caps: &[(counterpart_core::scenario::model::Item, u8, counterpart_core::scenario::model::Text)]| {
                    caps.iter().map(|(i, l, _)| format!("{i:?}<={l}")).collect::<Vec<_>>().join(" ")
                };
                if let Some(o) = record.work_order.as_ref().and_then(|o| o.outcome.as_ref()) {
                    let (right, of) = o.right_of();
                    writeln!(err, "work order: {right}/{of} fields right{}", if o.caps.is_empty() { String::new() } else { format!("; caps {}", caps(&o.caps)) })?;
                }
                if let Some(n) = record.notice.as_ref().and_then(|n| n.outcome.as_ref()) {
                    let (on, of) = n.included_of();
                    writeln!(err, "notice: {on}/{of} lines needed on it, {} extra{}", n.extra(), if n.caps.is_empty() { String::new() } else { format!("; caps {}", caps(&n.caps)) })?;
                }
                if let Some(result) = &record.result {
                    writeln!(err, "stored overall {:.1}{}", result.card.overall, if result.card.passed { " (passed)" } else { " (not passed)" })?;
                }
            }
            Ok(0)
        }
        Err(e) => fail(err, e),
    }
}

#[derive(Debug, Subcommand)]
pub enum RecordsAction {
    /// The centre's xAPI identity: home page for trainee accounts, extension base.
    Centre {
        /// The centre's home page IRI, e.g. https://12345.example.gov.cn/
        #[arg(long, conflicts_with = "clear_home_page")]
        home_page: Option<String>,
        #[arg(long)]
        clear_home_page: bool,
        /// Prefix of the extension IRIs in statements.
        #[arg(long, conflicts_with = "clear_extension_base")]
        extension_base: Option<String>,
        #[arg(long)]
        clear_extension_base: bool,
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
    },
    /// List trainees with their employee numbers (工号).
    Trainees {
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
    },
    /// Create a trainee or set their employee number (工号).
    Trainee {
        /// Profile name.
        name: String,
        #[arg(long, conflicts_with = "clear_employee_id")]
        employee_id: Option<String>,
        #[arg(long)]
        clear_employee_id: bool,
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
    },
}

pub fn records_cmd(action: RecordsAction, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let open = |db: Option<PathBuf>, err: &mut dyn Write| -> Result<Option<Store>, std::io::Error> {
        let path = db.unwrap_or_else(Store::default_path);
        match Store::open(&path) {
            Ok(s) => Ok(Some(s)),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                Ok(None)
            }
        }
    };
    let done = |r: Result<(), StoreError>, err: &mut dyn Write| -> Result<bool, std::io::Error> {
        match r {
            Ok(()) => Ok(true),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                Ok(false)
            }
        }
    };
    match action {
        RecordsAction::Centre { home_page, clear_home_page, extension_base, clear_extension_base, db } => {
            let Some(store) = open(db, err)? else { return Ok(2) };
            if (home_page.is_some() || clear_home_page) && !done(store.set_home_page(home_page.as_deref()), err)? {
                return Ok(2);
            }
            if (extension_base.is_some() || clear_extension_base)
                && !done(store.set_extension_base(extension_base.as_deref()), err)?
            {
                return Ok(2);
            }
            match (store.home_page(), store.extension_base()) {
                (Ok(h), Ok(e)) => {
                    writeln!(out, "home page\t{h}")?;
                    writeln!(out, "extension base\t{e}")?;
                    Ok(0)
                }
                (Err(e), _) | (_, Err(e)) => {
                    writeln!(err, "error: {e}")?;
                    Ok(2)
                }
            }
        }
        RecordsAction::Trainees { db } => {
            let Some(store) = open(db, err)? else { return Ok(2) };
            match store.trainees() {
                Ok(list) => {
                    for t in list {
                        writeln!(out, "{}\t{}\t{}", t.profile.id, t.profile.name, t.employee_id.unwrap_or_default())?;
                    }
                    Ok(0)
                }
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    Ok(2)
                }
            }
        }
        RecordsAction::Trainee { name, employee_id, clear_employee_id, db } => {
            let Some(store) = open(db, err)? else { return Ok(2) };
            let profile = match store.profile_by_name(&name) {
                Ok(p) => p,
                Err(StoreError::NoProfileNamed(_)) => match store.create_profile(&name) {
                    Ok(p) => p,
                    Err(e) => {
                        writeln!(err, "error: {e}")?;
                        return Ok(2);
                    }
                },
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(2);
                }
            };
            if (employee_id.is_some() || clear_employee_id) && !done(store.set_employee_id(profile.id, employee_id.as_deref()), err)? {
                return Ok(2);
            }
            let id = store.employee_id(profile.id).ok().flatten().unwrap_or_default();
            writeln!(out, "{}\t{}\t{id}", profile.id, profile.name)?;
            Ok(0)
        }
    }
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
            let bundled = counterpart_core::library::sources::bundled_folder();
            let folder = scenarios.unwrap_or(&bundled);
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

#[derive(Debug, Subcommand)]
pub enum ClassAction {
    /// Fetch what is new from the LRS into the records file's cache and
    /// print the class overview (Chinese and English); --offline reads the
    /// cache only.
    Report(ClassReportArgs),
}

#[derive(Debug, Args)]
pub struct ClassReportArgs {
    /// The LRS the centre's PCs send to: its base URL, its xAPI endpoint or
    /// its statements address (Ralph: http://host:8100; Learning Locker:
    /// https://host/data/xAPI).
    #[arg(long, value_name = "URL")]
    pub lrs: String,
    /// LRS user (Learning Locker: the client's key).
    #[arg(long, env = "COUNTERPART_LRS_USER", required_unless_present = "offline")]
    pub user: Option<String>,
    /// LRS password (Learning Locker: the client's secret); prefer the
    /// environment variable to keep it out of the process list.
    #[arg(long, env = "COUNTERPART_LRS_PASSWORD", hide_env_values = true, required_unless_present = "offline")]
    pub password: Option<String>,
    /// Records database holding the cache (default: $COUNTERPART_DB, else
    /// the user data folder); created when missing.
    #[arg(long, env = "COUNTERPART_DB")]
    pub db: Option<PathBuf>,
    /// From this day on (YYYY-MM-DD, or an ISO 8601 instant), by when the
    /// statements say it happened.
    #[arg(long, value_name = "DATE", value_parser = iso_date)]
    pub since: Option<String>,
    /// Up to and including this day (YYYY-MM-DD) or instant.
    #[arg(long, value_name = "DATE", value_parser = iso_date)]
    pub until: Option<String>,
    /// Only this scenario (its id); repeat for several.
    // Not `scenarios`: that is the global scenario folder's id.
    #[arg(long = "scenario", value_name = "ID")]
    pub scenario_ids: Vec<String>,
    /// Only this trainee (account or name, as the LRS has it); repeat for the class list.
    #[arg(long = "trainee", value_name = "NAME")]
    pub trainees: Vec<String>,
    /// Only trainees whose account or name contains this text, case
    /// insensitive (a class whose accounts share a prefix, e.g. 2026A-).
    #[arg(long, value_name = "TEXT")]
    pub class: Option<String>,
    /// The overview as an Excel workbook (trainees, scenarios, dimensions,
    /// mistakes, exams, weeks).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// The class list as CSV: one row per trainee.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Do not ask the LRS: report from the cache of the last fetch.
    #[arg(long, conflicts_with = "full")]
    pub offline: bool,
    /// Fetch everything again, not only what is new: catches statements
    /// that reached the LRS after a later fetch (a PC that was offline).
    #[arg(long)]
    pub full: bool,
    /// Longest one request to the LRS may take, in seconds.
    #[arg(long, default_value_t = 60)]
    pub timeout_secs: u64,
}

/// `--since`/`--until`: the overview compares them with the statements'
/// ISO 8601 timestamps as text, so another spelling would filter wrongly.
fn iso_date(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let date_ok = b.len() >= 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    let month = s.get(5..7).and_then(|m| m.parse::<u8>().ok()).unwrap_or(0);
    let day = s.get(8..10).and_then(|d| d.parse::<u8>().ok()).unwrap_or(0);
    if date_ok && (1..=12).contains(&month) && (1..=31).contains(&day) && (b.len() == 10 || b[10] == b'T') {
        Ok(s.to_string())
    } else {
        Err("expected a date as YYYY-MM-DD (e.g. 2026-09-01) or an ISO 8601 instant / 日期格式应为 年-月-日，例如 2026-09-01".to_string())
    }
}

/// Why a class report could not be given.
#[derive(Debug, thiserror::Error)]
pub enum ClassReportError {
    #[error(
        "nothing fetched from {url} into {db} yet: run the report once without --offline while the LRS can be reached \
         / 本机还没有从该 LRS 获取过记录，请在能连接 LRS 时先运行一次（不加 --offline）"
    )]
    NoCache { url: String, db: String },
    #[error("{0}")]
    Class(#[from] ClassError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{path}: {detail} / 无法写入文件")]
    Write { path: String, detail: String },
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

pub fn class_cmd(action: ClassAction, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    match action {
        ClassAction::Report(args) => match class_report(&args, out, err) {
            Ok(code) => Ok(code),
            Err(ClassReportError::Output(e)) => Err(e),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                Ok(2)
            }
        },
    }
}

/// Exit 0 with a fresh overview, 1 when the LRS failed and the overview is
/// the cache's (said on both streams), 2 when there is no overview.
fn class_report(args: &ClassReportArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, ClassReportError> {
    let path = args.db.clone().unwrap_or_else(Store::default_path);
    if args.offline && !path.exists() {
        return Err(ClassReportError::NoCache { url: args.lrs.clone(), db: path.display().to_string() });
    }
    let store = Store::open(&path)?;
    let mut lrs = Lrs::new(&args.lrs, args.user.as_deref().unwrap_or(""), args.password.as_deref().unwrap_or(""));
    lrs.request_timeout = Duration::from_secs(args.timeout_secs.max(1));
    let endpoint = lrs.statements_url().to_string();
    let mut code = 0;
    if args.offline {
        writeln!(out, "离线 offline: 不连接 LRS，使用本机缓存 not asking the LRS, reporting from the cache")?;
    } else {
        match refresh(&store, &lrs, &StatementQuery::default(), args.full) {
            Ok(run) => {
                writeln!(
                    out,
                    "从 {endpoint} 获取 fetched{}: {} 条新记录 new statements ({} 页 pages; {} 条已在缓存 already cached; {} 条非本系统 not Counterpart's; {} 条格式错误 malformed)",
                    if args.full { " (全部重新获取 full refresh)" } else if run.since.is_some() { " (增量 incremental)" } else { " (首次 first fetch)" },
                    run.added,
                    run.pages,
                    run.known,
                    run.other,
                    run.malformed
                )?;
                for example in &run.malformed_examples {
                    writeln!(err, "warning: skipped a malformed statement / 跳过格式错误的记录: {example}")?;
                }
            }
            Err(ClassError::Store(e)) => return Err(e.into()),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                code = 1;
            }
        }
    }
    let Some(state) = store.lrs_cache_state(&endpoint)? else {
        return Err(ClassReportError::NoCache { url: endpoint, db: path.display().to_string() });
    };
    if code == 1 {
        writeln!(err, "改用本机缓存 falling back to the cache fetched at {} (UTC) / 以下为缓存中的数据", state.fetched_at)?;
        writeln!(out, "LRS 无法获取，以下为本机缓存 the LRS failed; from the cache")?;
    }
    writeln!(out, "上次获取 last fetched: {} (UTC); 缓存 cache: {} 条记录 statements", state.fetched_at, state.statements)?;
    let filter = ClassFilter {
        actors: args.trainees.clone(),
        name_contains: args.class.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
        scenarios: args.scenario_ids.clone(),
        // --since/--until days and the weeks are this computer's.
        zone: counterpart_core::records::when::Zone::system(),
    };
    let overview = overview_from_cache(&store, &endpoint, &filter)?;
    writeln!(out)?;
    write!(out, "{}", summary_text(&overview))?;
    let write_failed = |path: &Path, detail: String| ClassReportError::Write { path: path.display().to_string(), detail };
    if let Some(file) = &args.xlsx {
        let bytes = workbook(&overview).map_err(|e| write_failed(file, e.to_string()))?;
        std::fs::write(file, bytes).map_err(|e| write_failed(file, e.to_string()))?;
        writeln!(out, "\n工作簿 workbook → {}", file.display())?;
    }
    if let Some(file) = &args.csv {
        let f = std::fs::File::create(file).map_err(|e| write_failed(file, e.to_string()))?;
        write_trainees_csv(&overview, std::io::BufWriter::new(f)).map_err(|e| write_failed(file, e.to_string()))?;
        writeln!(out, "{} 名学员 trainee(s) → {}", overview.trainees.len(), file.display())?;
    }
    Ok(code)
}
