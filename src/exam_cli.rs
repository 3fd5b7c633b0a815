//! `counterpart exam`: check exam files, show a candidate's draw, and the
//! results of sittings stored in the records database (the pass/fail
//! sheet, the class list as CSV or Excel, a candidate's printable
//! transcript).

use crate::records_cli::open_store;
use clap::{ArgGroup, Args, Subcommand};
use counterpart_core::exam::draw::draw;
use counterpart_core::exam::load::{ExamFile, exam_files, load_paths};
use counterpart_core::library::Library;
use counterpart_core::records::exam_report::{Judged, class_workbook, sheet_text, transcript_html, write_class_csv};
use counterpart_core::records::store::Store;
use counterpart_core::scenario::diag::Diagnostic;
use counterpart_core::scenario::model::Lang;
use std::io::Write;
use std::path::{Path, PathBuf};

type CmdResult = Result<i32, std::io::Error>;

#[derive(Debug, Subcommand)]
pub enum ExamAction {
    /// Check exam files (or folders of them; a scenario folder's exams/)
    /// against the scenarios of the folder they sit in (FOLDER/exams/), else
    /// the library the app reads.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value = "zh")]
        lang: crate::cli::LangArg,
    },
    /// The scenarios a candidate draws at a sitting.
    Draw {
        exam: PathBuf,
        #[arg(long)]
        employee_id: String,
        /// The sitting number, from 1 (a re-sit draws differently).
        #[arg(long, default_value_t = 1)]
        sitting: u32,
        #[arg(long, value_enum, default_value = "zh")]
        lang: crate::cli::LangArg,
    },
    /// The pass/fail sheet of a stored sitting.
    Result {
        /// Records database (default: $COUNTERPART_DB, else the user data folder).
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
        #[arg(long)]
        sitting: i64,
        #[arg(long, value_enum, default_value = "zh")]
        lang: crate::cli::LangArg,
    },
    /// The class list of an exam (every sitting): CSV and/or Excel.
    List(ListArgs),
    /// Release a sitting's turn-by-turn debrief to the candidate (an exam
    /// that withholds it until the trainer releases it).
    Release {
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
        #[arg(long)]
        sitting: i64,
    },
    /// Abandon a sitting left open (it still counts as a sitting).
    Abandon {
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
        #[arg(long)]
        sitting: i64,
    },
    /// A candidate's printable transcript of every sitting (HTML).
    Transcript {
        #[arg(long, env = "COUNTERPART_DB")]
        db: Option<PathBuf>,
        #[arg(long)]
        employee_id: String,
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).multiple(true).args(["csv", "xlsx"])))]
pub struct ListArgs {
    #[arg(long, env = "COUNTERPART_DB")]
    pub db: Option<PathBuf>,
    /// Only this exam (its id); every exam when absent.
    #[arg(long)]
    pub exam: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
}

/// Exam files under `path`: a file itself; a folder's `exams/` when it
/// has one (a scenario folder), else the folder's own `.ron` files.
fn expand(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() && path.join(counterpart_core::exam::EXAMS_DIR).is_dir() {
        exam_files(path)
    } else {
        vec![path.to_path_buf()]
    }
}

/// The scenario folder exam files sit in (`<folder>/exams/x.ron`), when
/// they all sit in one: they are checked against its scenarios, as
/// `validate FOLDER` does. Otherwise the library the app reads.
fn scenario_folder(files: &[PathBuf]) -> Option<PathBuf> {
    let folder_of = |f: &PathBuf| {
        let dir = f.parent()?;
        let folder = dir.parent().filter(|_| dir.file_name() == Some(std::ffi::OsStr::new(counterpart_core::exam::EXAMS_DIR)))?;
        Some(if folder.as_os_str().is_empty() { PathBuf::from(".") } else { folder.to_path_buf() })
    };
    let first = folder_of(files.first()?)?;
    files.iter().all(|f| folder_of(f).as_ref() == Some(&first)).then_some(first)
}

/// Prints each exam file's findings as `validate` does; returns (errors, warnings).
pub fn report_exams(files: &[ExamFile], lang: Lang, colour: bool, out: &mut dyn Write) -> Result<(usize, usize), std::io::Error> {
    let (mut errors, mut warnings) = (0, 0);
    for file in files {
        let diags: Vec<&Diagnostic> = file.errors().iter().chain(&file.warnings).collect();
        errors += diags.iter().filter(|d| d.is_error()).count();
        warnings += diags.iter().filter(|d| !d.is_error()).count();
        let status = if file.exam().is_some() { "ok" } else { "FAILED" };
        writeln!(out, "{status:>6}  {}  (exam 考核)", file.path.display())?;
        for d in diags {
            write!(out, "{}", crate::cli::render_diagnostic(d, colour, lang))?;
        }
    }
    Ok((errors, warnings))
}

/// Scenario titles for the sheets: the scenarios the sittings drew.
fn titles(judged: &[Judged], scenarios: Option<&Path>) -> Library {
    let bundled = counterpart_core::library::sources::bundled_folder();
    let folder = scenarios.unwrap_or(&bundled);
    crate::records_cli::load_scripts(folder, judged.iter().flat_map(|(s, _)| s.draw.slots.iter().map(|d| d.scenario.as_str())))
}

fn judged(store: &Store, ids: impl IntoIterator<Item = i64>) -> Result<Vec<Judged>, counterpart_core::records::store::StoreError> {
    ids.into_iter().map(|id| store.judge_sitting(id).map(|(s, _, v)| (s, v))).collect()
}

pub fn exam_cmd(action: ExamAction, scenarios: Option<&Path>, library: impl Fn() -> Library, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    match action {
        ExamAction::Check { paths, strict, lang } => {
            let files: Vec<PathBuf> = paths.iter().flat_map(|p| expand(p)).collect();
            let library = match scenario_folder(&files) {
                Some(folder) => Library::load(&[folder]),
                None => library(),
            };
            let loaded = load_paths(&files, &library);
            let (errors, warnings) = report_exams(&loaded, lang.into(), false, out)?;
            let n = loaded.len();
            writeln!(out, "{n} 个考核文件：{errors} 个错误，{warnings} 个警告 ({n} exam file(s): {errors} error(s), {warnings} warning(s))")?;
            Ok(if errors > 0 || (strict && warnings > 0) || loaded.is_empty() { 1 } else { 0 })
        }
        ExamAction::Draw { exam, employee_id, sitting, lang } => {
            let lang: Lang = lang.into();
            let library = match scenario_folder(std::slice::from_ref(&exam)) {
                Some(folder) => Library::load(&[folder]),
                None => library(),
            };
            let loaded = load_paths(std::slice::from_ref(&exam), &library);
            let Some(file) = loaded.first() else { return Ok(2) };
            let Some(e) = file.exam() else {
                report_exams(&loaded, lang, false, err)?;
                return Ok(1);
            };
            let drawn = draw(e, &employee_id, sitting);
            writeln!(out, "{} / {} (v{}) · 工号 employee {} · 第 {} 次 sitting {}", e.title.zh, e.title.en, e.version, employee_id, drawn.sitting, drawn.sitting)?;
            for (i, slot) in drawn.slots.iter().enumerate() {
                let title = library.script(&slot.scenario).map_or(slot.scenario.clone(), |s| s.scenario.title.get(lang).to_string());
                let persona = slot.persona.as_deref().map_or(String::new(), |p| format!(" · 人设 persona {p}"));
                writeln!(out, "{}. {} ({}){persona} · seed {}", i + 1, title, slot.scenario, slot.seed)?;
            }
            Ok(0)
        }
        ExamAction::Result { db, sitting, lang } => {
            let Some(store) = open_store(db.as_deref(), err)? else { return Ok(2) };
            match store.judge_sitting(sitting) {
                Ok((s, _, v)) => {
                    let names = titles(&[(s.clone(), v.clone())], scenarios);
                    write!(out, "{}", sheet_text(&s, &v, &names, lang.into()))?;
                    Ok(0)
                }
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    Ok(2)
                }
            }
        }
        ExamAction::Release { db, sitting } => release_or_abandon(db.as_deref(), sitting, true, out, err),
        ExamAction::Abandon { db, sitting } => release_or_abandon(db.as_deref(), sitting, false, out, err),
        ExamAction::List(args) => {
            let Some(store) = open_store(args.db.as_deref(), err)? else { return Ok(2) };
            let list = match store.sittings(args.exam.as_deref()).and_then(|s| judged(&store, s.iter().map(|s| s.id))) {
                Ok(l) => l,
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(2);
                }
            };
            if let Some(path) = &args.csv {
                let file = std::fs::File::create(path).map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
                write_class_csv(&list, std::io::BufWriter::new(file)).map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
                writeln!(out, "{} sitting(s) → {}", list.len(), path.display())?;
            }
            if let Some(path) = &args.xlsx {
                match class_workbook(&list).map_err(|e| e.to_string()).and_then(|b| std::fs::write(path, b).map_err(|e| e.to_string())) {
                    Ok(()) => writeln!(out, "{} sitting(s) → {}", list.len(), path.display())?,
                    Err(e) => {
                        writeln!(err, "error: {}: {e}", path.display())?;
                        return Ok(2);
                    }
                }
            }
            Ok(0)
        }
        ExamAction::Transcript { db, employee_id, html } => {
            let Some(store) = open_store(db.as_deref(), err)? else { return Ok(2) };
            let ids: Vec<i64> = match store.sittings(None) {
                Ok(all) => all.into_iter().filter(|s| s.employee_id == employee_id.trim()).map(|s| s.id).collect(),
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(2);
                }
            };
            if ids.is_empty() {
                writeln!(err, "error: no exam sitting for the employee number \"{employee_id}\" / 工号“{employee_id}”没有考核记录")?;
                return Ok(1);
            }
            let list = match judged(&store, ids) {
                Ok(l) => l,
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(2);
                }
            };
            let names = titles(&list, scenarios);
            std::fs::write(&html, transcript_html(&list, &names)).map_err(|e| std::io::Error::other(format!("{}: {e}", html.display())))?;
            writeln!(out, "{} sitting(s) → {}", list.len(), html.display())?;
            Ok(0)
        }
    }
}

/// Releases a sitting's debrief, or abandons a sitting left open.
fn release_or_abandon(db: Option<&Path>, sitting: i64, release: bool, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let Some(store) = open_store(db, err)? else { return Ok(2) };
    let done = if release { store.release_sitting(sitting) } else { store.abandon_sitting(sitting) };
    match done.and_then(|()| store.sitting(sitting)) {
        Ok(s) if release => {
            writeln!(out, "第 {} 场考试（工号 {}，{}）的讲评已发布 / sitting {sitting}'s debrief released to {}", s.id, s.employee_id, s.exam.title.zh, s.employee_id)?;
            Ok(0)
        }
        Ok(s) => {
            writeln!(out, "第 {} 场考试（工号 {}，{}）已放弃 / sitting {sitting} abandoned", s.id, s.employee_id, s.exam.title.zh)?;
            Ok(0)
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(1)
        }
    }
}

#[cfg(feature = "dev")]
#[derive(Debug, Args)]
pub struct ExamCrashTestArgs {
    #[arg(long)]
    pub db: PathBuf,
    /// An exam file in a scenario folder's exams/.
    #[arg(long)]
    pub exam: PathBuf,
    #[arg(long)]
    pub employee_id: String,
    /// Answers to give in the second drawn scenario before idling.
    #[arg(long, default_value_t = 2)]
    pub answers: usize,
}

/// Sits an exam as the app does until killed: the first drawn scenario
/// played through (best route) and handed in with 5:00 on its clock, the
/// second begun with `answers` answers, then its clock written again and
/// again, one millisecond more each time. The crash test kills it with
/// SIGKILL and resumes the sitting.
#[cfg(feature = "dev")]
pub fn exam_crash_test_cmd(args: ExamCrashTestArgs, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    use counterpart_core::analysis::analyze::{Objective, analyze_personas};
    use counterpart_core::play::engine::Encounter;
    use counterpart_core::play::score::AttemptResult;
    use counterpart_core::records::sittings::exam_persona;
    let fail = |err: &mut dyn Write, e: String| -> CmdResult {
        writeln!(err, "error: {e}")?;
        Ok(2)
    };
    let Some(folder) = scenario_folder(std::slice::from_ref(&args.exam)) else { return fail(err, "the exam is not in a scenario folder's exams/".into()) };
    let library = Library::load(&[folder]);
    let loaded = load_paths(std::slice::from_ref(&args.exam), &library);
    let Some(exam) = loaded.first().and_then(ExamFile::exam).cloned() else { return fail(err, format!("cannot load {}", args.exam.display())) };
    let store = match Store::open(&args.db) {
        Ok(s) => s,
        Err(e) => return fail(err, e.to_string()),
    };
    let run = || -> Result<i64, String> {
        let profile = match store.profile_by_employee_id(&args.employee_id).map_err(|e| e.to_string())? {
            Some(p) => p,
            None => {
                let p = store.create_profile(&format!("考生 {}", args.employee_id)).map_err(|e| e.to_string())?;
                store.set_employee_id(p.id, Some(&args.employee_id)).map_err(|e| e.to_string())?;
                p
            }
        };
        let sitting = store.open_sitting(&exam, profile.id).map_err(|e| e.to_string())?;
        for slot in 0..2 {
            let drawn = &sitting.draw.slots[slot];
            let script = library.script(&drawn.scenario).cloned().ok_or_else(|| format!("{} is not in the library", drawn.scenario))?;
            let persona = exam_persona(&script, drawn);
            let route = analyze_personas(&script)
                .map_err(|e| e.to_string())?
                .remove(persona)
                .best(Objective::Overall)
                .ok_or("no best route")?
                .route
                .clone();
            let attempt = store.begin_exam_attempt(sitting.id, slot, &script).map_err(|e| e.to_string())?;
            let mut encounter = Encounter::with_persona(script, drawn.seed, persona);
            let answers = if slot == 0 { route.len() } else { args.answers.min(route.len()) };
            for (i, &c) in route[..answers].iter().enumerate() {
                let step = encounter.choose(c, None).map_err(|e| e.to_string())?.clone();
                store.record_step(attempt, i, &step).map_err(|e| e.to_string())?;
            }
            if slot == 0 {
                let ending = encounter.ending().ok_or("the best route does not end")?;
                let result = AttemptResult {
                    card: encounter.score_with_protocol(),
                    ending_id: ending.id.clone(),
                    outcome: ending.outcome,
                    disc_guess: None,
                    persona: encounter.persona_view().id,
                };
                store.finish_attempt(attempt, &result).map_err(|e| e.to_string())?;
                store.record_exam_clock(sitting.id, 0, 300_000).map_err(|e| e.to_string())?;
            }
        }
        Ok(sitting.id)
    };
    let sitting = match run() {
        Ok(s) => s,
        Err(e) => return fail(err, e),
    };
    writeln!(out, "sitting {sitting}")?;
    let mut clock: u64 = 60_000;
    if let Err(e) = store.record_exam_clock(sitting, 1, clock) {
        return fail(err, e.to_string());
    }
    writeln!(out, "ready")?;
    out.flush()?;
    loop {
        clock += 1;
        if let Err(e) = store.record_exam_clock(sitting, 1, clock) {
            return fail(err, e.to_string());
        }
    }
}
