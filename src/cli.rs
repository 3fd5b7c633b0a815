//! The `counterpart` command line: validate, analyze and play scenarios
//! without a window. Every command writes to the given writers and returns
//! an exit code, so tests can run it in-process.

use counterpart_core::analysis::analyze::{Analysis, Objective, analyze_personas};
use counterpart_core::analysis::gameability::{self, Validity};
use counterpart_core::scenario::diag::{Diagnostic, Severity};
use counterpart_core::play::engine::{Encounter, PlayError};
use counterpart_core::analysis::export::{to_dot, to_mermaid};
use counterpart_core::library::Library;
use counterpart_core::library::load::{LoadedFile, load_all, load_file};
use counterpart_core::library::sources::{SourceKind, discover};
use counterpart_core::scenario::model::Lang;
use counterpart_core::scenario::fix::{FileFix, backup_path};
use counterpart_core::play::rubric::Dimension;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "counterpart", version, about = "Role-play simulator for service-window and 12345 hotline staff")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Scenario folder for the app (default: the bundled library: `scenarios/` in a checkout, `/usr/share/counterpart/scenarios` when installed).
    #[arg(long, global = true, env = "COUNTERPART_SCENARIOS")]
    pub scenarios: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scenario files or folders for errors and warnings (a folder's
    /// exam files in exams/ too). With no
    /// paths: the library the app reads (the bundled folder, the config
    /// file's shared folders, the trainers' folder), saying which file wins
    /// where two folders hold the same scenario id.
    Validate {
        paths: Vec<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Language of the messages (Chinese by default).
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Repair the typing slips whose fix is certain: full-width punctuation
    /// outside the quotes, plain quotes inside a text, a single text where
    /// Chinese and English are expected. Keeps a backup (FILE.bak) and
    /// prints each change.
    Fix {
        file: PathBuf,
        /// Print what would change without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Language of the messages (Chinese by default).
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Score bounds, best and worst routes, and graph export.
    Analyze {
        file: PathBuf,
        #[arg(long, conflicts_with_all = ["dot", "mermaid"])]
        json: bool,
        /// Graphviz DOT graph, options coloured by quality.
        #[arg(long, conflicts_with = "mermaid")]
        dot: bool,
        /// Mermaid flowchart.
        #[arg(long)]
        mermaid: bool,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Play a scenario with a list of choices and print the debrief.
    Play {
        file: PathBuf,
        /// Options as written in the file, comma separated: their ids
        /// (own_it,confirm_facts) or one-based numbers in file order (2,1,3).
        /// Add @SECONDS for a response time: own_it@20.
        #[arg(long, value_delimiter = ',', required_unless_present = "interactive", conflicts_with = "interactive")]
        choices: Vec<String>,
        /// Read each answer from standard input after printing the prompt;
        /// with --json, one JSON line per prompt (options in the order shown).
        #[arg(long)]
        interactive: bool,
        /// Answer this turn (its id) after its time limit; repeatable.
        #[arg(long)]
        late: Vec<String>,
        /// Take a risk-protocol action while facing a turn, before
        /// answering it: TURN:ACTION, e.g. cue:handover-120; repeatable.
        #[arg(long = "action")]
        actions: Vec<String>,
        /// Play as this persona (default: the one the seed picks).
        #[arg(long)]
        persona: Option<String>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
        #[command(flatten)]
        record: crate::records_cli::RecordArgs,
    },
    /// Why a route scores what it scores: each answer's mood change (the
    /// author's numbers and the reaction to the DISC fit apart), each rubric
    /// item with the answers it came from and the caps that applied, the
    /// dimensions, the overall sum and the citizen's rating.
    Explain {
        file: PathBuf,
        /// The route, as for `play`: option ids or numbers, comma separated.
        #[arg(long, value_delimiter = ',', required = true)]
        choices: Vec<String>,
        /// Answer this turn (its id) after its time limit; repeatable.
        #[arg(long)]
        late: Vec<String>,
        /// Play as this persona (default: the one the seed picks).
        #[arg(long)]
        persona: Option<String>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Start a new scenario from a commented template that validates as is.
    New {
        /// Scenario id, also the file name: scenarios/<id>.ron
        id: String,
        #[arg(long, value_enum, default_value = "counter")]
        channel: ChannelArg,
        /// The citizen's primary DISC style.
        #[arg(long, value_enum, default_value = "s")]
        style: StyleArg,
        /// The citizen's secondary DISC style, for a blend (e.g. --style s --secondary i).
        #[arg(long, value_enum)]
        secondary: Option<StyleArg>,
        #[arg(long, default_value = "新场景")]
        title: String,
        #[arg(long, default_value = "New scenario")]
        title_en: String,
        /// Folder to write into.
        #[arg(long, default_value = "scenarios")]
        dir: PathBuf,
    },
    /// The spreadsheet round trip: export a scenario's options to Excel,
    /// import the edited workbook back into the file.
    Sheet {
        #[command(subcommand)]
        action: SheetAction,
    },
    /// Translation work: list missing lines, export or import CSV.
    Translations {
        #[command(subcommand)]
        action: TranslationAction,
    },
    /// Export trainee records: CSV, JSON, printable HTML, xAPI statements or straight to an LRS.
    Export(crate::records_cli::ExportArgs),
    #[command(hide = true)]
    #[cfg(feature = "dev")]
    RecordsCrashTest(crate::records_cli::CrashTestArgs),
    #[command(hide = true)]
    #[cfg(feature = "dev")]
    ExamCrashTest(crate::exam_cli::ExamCrashTestArgs),
    /// Records set-up: the centre's xAPI identity, trainees' employee numbers.
    Records {
        #[command(subcommand)]
        action: crate::records_cli::RecordsAction,
    },
    /// Exams (考核): check exam files, a candidate's draw, results of
    /// stored sittings (sheet, class list, transcript).
    Exam {
        #[command(subcommand)]
        action: crate::exam_cli::ExamAction,
    },
    /// The class overview from the centre's LRS (班级概览): who practised
    /// what, pass rates, dimension scores, common mistakes, exams, weeks.
    Class {
        #[command(subcommand)]
        action: crate::records_cli::ClassAction,
    },
    /// Group drills: list them, or write a drill's session report (HTML, CSV).
    Drill {
        #[command(subcommand)]
        action: crate::records_cli::DrillAction,
    },
    /// List the scenarios in a folder; with none, the library the app
    /// reads, each scenario with the folder it came from.
    List {
        path: Option<PathBuf>,
        /// Language of the reasons given for files that do not load.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChannelArg {
    Counter,
    Hotline,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StyleArg {
    D,
    I,
    S,
    C,
}

#[derive(Debug, Subcommand)]
pub enum SheetAction {
    /// Every option of a scenario as an Excel workbook, one row per option
    /// (turn, line, option, texts, stage, evidence, fit, mood, red flag,
    /// flags, better, next, feedback).
    Export {
        file: PathBuf,
        /// Where to write the workbook (default: the scenario's name with .xlsx, beside it).
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// Apply an edited workbook to the scenario file in place, keeping
    /// comments and ids. Keeps a backup (FILE.bak) and prints each change.
    Import {
        file: PathBuf,
        xlsx: PathBuf,
        /// Print what would change without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Language of the messages (Chinese by default).
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum TranslationAction {
    /// Texts missing their Chinese or English side, with their keys.
    Missing {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Every text of a scenario as CSV (key, zh, en).
    Export {
        file: PathBuf,
        /// Output CSV (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Apply a translator's CSV to the scenario file in place, keeping comments.
    Import { file: PathBuf, csv: PathBuf },
}

/// A diagnostic in the documented form (`Diagnostic::render`), with the
/// severity coloured on a terminal.
pub fn render_diagnostic(d: &Diagnostic, colour: bool, lang: Lang) -> String {
    let mut text = d.render(lang);
    if colour {
        let (word, ansi) = match d.severity {
            Severity::Error => ("error[", "\x1b[1;31m"),
            Severity::Warning => ("warning[", "\x1b[1;33m"),
        };
        let plain = format!(": {word}");
        if let Some(at) = text.find(&plain) {
            let start = at + 2;
            text.replace_range(start..start + word.len() - 1, &format!("{ansi}{}\x1b[0m", &word[..word.len() - 1]));
        }
    }
    text.push('\n');
    text
}

pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = match cli.command {
        Some(Command::Validate { paths, json, strict, lang }) => validate_cmd(&paths, cli.scenarios.as_deref(), json, strict, lang.into(), out),
        Some(Command::Fix { file, dry_run, lang }) => fix_cmd(&file, dry_run, lang.into(), out, err),
        Some(Command::Analyze { file, json, dot, mermaid, lang }) => analyze_cmd(&file, json, dot, mermaid, lang.into(), out, err),
        Some(Command::Play { file, choices, interactive, late, actions, persona, seed, json, lang, record }) => {
            let record = record.record.then_some(record);
            let options = PlayOptions { late, actions, persona, seed, json, lang: lang.into(), record, explain: false };
            if interactive && options.record.is_some() {
                let _ = writeln!(err, "error: --record works with --choices, not --interactive");
                Ok(2)
            } else if interactive {
                interactive_cmd(&file, &options, &mut std::io::stdin().lock(), out, err)
            } else {
                play_cmd(&file, &choices, &options, out, err)
            }
        }
        Some(Command::Explain { file, choices, late, persona, seed, lang }) => {
            let options = PlayOptions { late, actions: Vec::new(), persona, seed, json: false, lang: lang.into(), record: None, explain: true };
            play_cmd(&file, &choices, &options, out, err)
        }
        Some(Command::List { path, lang }) => list_cmd(path.as_deref(), cli.scenarios.as_deref(), lang.into(), out),
        Some(Command::Export(args)) => crate::records_cli::export_cmd(args, cli.scenarios.as_deref(), out, err),
        #[cfg(feature = "dev")]
        Some(Command::RecordsCrashTest(args)) => crate::records_cli::crash_test_cmd(args, out, err),
        #[cfg(feature = "dev")]
        Some(Command::ExamCrashTest(args)) => crate::exam_cli::exam_crash_test_cmd(args, out, err),
        Some(Command::Records { action }) => crate::records_cli::records_cmd(action, out, err),
        Some(Command::Class { action }) => crate::records_cli::class_cmd(action, out, err),
        Some(Command::Drill { action }) => crate::records_cli::drill_cmd(action, cli.scenarios.as_deref(), out, err),
        Some(Command::Exam { action }) => {
            let scenarios = cli.scenarios.clone();
            crate::exam_cli::exam_cmd(action, cli.scenarios.as_deref(), || app_library(scenarios.as_deref()), out, err)
        }
        Some(Command::New { id, channel, style, secondary, title, title_en, dir }) => new_cmd(&id, channel, style, secondary, &title, &title_en, &dir, out, err),
        Some(Command::Translations { action }) => translations_cmd(action, out, err),
        Some(Command::Sheet { action }) => sheet_cmd(action, out, err),
        None => {
            let _ = writeln!(out, "Run `counterpart --help` for the commands.");
            Ok(0)
        }
    };
    result.unwrap_or_else(|e| {
        let _ = writeln!(err, "error: {e}");
        2
    })
}

type CmdResult = Result<i32, std::io::Error>;

fn colour_for_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The library the app reads: the bundled folder (`--scenarios`, else
/// `scenarios/`), the config file's folders and the trainers' folder.
fn app_library(bundled: Option<&std::path::Path>) -> Library {
    let bundled = bundled.map_or_else(counterpart_core::library::sources::bundled_folder, std::path::Path::to_path_buf);
    Library::load_discovered(&discover(&bundled))
}

/// `validate` and `list` of the app's library start by naming its folders.
fn write_sources(library: &Library, out: &mut dyn Write) -> CmdResult {
    for source in library.sources().iter().filter(|s| s.kind != SourceKind::Config) {
        writeln!(out, "reading {:<17} {}", source.kind.label().en, source.folder.display())?;
    }
    Ok(0)
}

fn validate_cmd(paths: &[PathBuf], bundled: Option<&std::path::Path>, json: bool, strict: bool, lang: Lang, out: &mut dyn Write) -> CmdResult {
    let library = paths.is_empty().then(|| app_library(bundled));
    let loaded = match &library {
        Some(library) => library.files().to_vec(),
        None => load_all(paths),
    };
    let source_of = |file: &LoadedFile| library.as_ref().and_then(|l| l.source_of(&file.path)).map(|s| s.kind.label().en);
    if let (Some(library), false) = (&library, json) {
        write_sources(library, out)?;
    }
    let mut errors = 0;
    let mut warnings = 0;
    let mut report = Vec::new();
    for file in &loaded {
        let diags: Vec<&Diagnostic> = file.errors().iter().chain(&file.warnings).collect();
        errors += diags.iter().filter(|d| d.is_error()).count();
        warnings += diags.iter().filter(|d| !d.is_error()).count();
        if json {
            report.push(json!({
                "file": file.path.to_string_lossy(),
                "ok": file.script().is_some(),
                "id": file.script().map(|s| s.scenario.id.clone()),
                "source": source_of(file),
                "diagnostics": diags,
            }));
        } else {
            let status = if file.script().is_some() { "ok" } else { "FAILED" };
            match source_of(file) {
                Some(source) => writeln!(out, "{status:>6}  {}  ({source})", file.path.display())?,
                None => writeln!(out, "{status:>6}  {}", file.path.display())?,
            }
            for d in diags {
                write!(out, "{}", render_diagnostic(d, colour_for_terminal(), lang))?;
            }
        }
    }
    // Exam files beside the scenarios (each folder's exams/), checked
    // against the scenarios just loaded.
    let scripts = match &library {
        Some(library) => library.clone(),
        None => Library::from_files(loaded.clone()),
    };
    let folders: Vec<PathBuf> = match &library {
        Some(library) => library.sources().iter().map(|s| s.folder.clone()).collect(),
        None => paths.iter().filter(|p| p.is_dir()).cloned().collect(),
    };
    let exam_paths: Vec<PathBuf> = folders.iter().flat_map(|f| counterpart_core::exam::load::exam_files(f)).collect();
    let exams = counterpart_core::exam::load::load_paths(&exam_paths, &scripts);
    if json {
        for file in &exams {
            let diags: Vec<&Diagnostic> = file.errors().iter().chain(&file.warnings).collect();
            errors += diags.iter().filter(|d| d.is_error()).count();
            warnings += diags.iter().filter(|d| !d.is_error()).count();
            report.push(json!({
                "file": file.path.to_string_lossy(),
                "ok": file.exam().is_some(),
                "exam": file.exam().map(|e| e.id.clone()),
                "diagnostics": diags,
            }));
        }
    } else {
        let (e, w) = crate::exam_cli::report_exams(&exams, lang, colour_for_terminal(), out)?;
        errors += e;
        warnings += w;
    }
    let checked = loaded.len() + exams.len();
    // A replaced scenario is a trainer's choice, not a mistake: a note, never
    // an error or a warning, so --strict passes with it.
    let overrides = library.as_ref().map_or(&[][..], |l| l.overrides());
    if json {
        let overrides: Vec<_> = overrides
            .iter()
            .map(|o| json!({"id": o.id, "used": o.winner.to_string_lossy(), "replaced": o.replaced.to_string_lossy(), "message": o.message()}))
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&json!({"files": report, "errors": errors, "warnings": warnings, "overrides": overrides}))?)?;
    } else {
        for o in overrides {
            writeln!(out, "  note: {}", o.message())?;
        }
        match lang {
            Lang::Zh => writeln!(out, "{checked} 个文件：{errors} 个错误，{warnings} 个警告 ({checked} file(s): {errors} error(s), {warnings} warning(s))")?,
            Lang::En => writeln!(out, "{checked} file(s): {errors} error(s), {warnings} warning(s)")?,
        }
    }
    Ok(if errors > 0 || (strict && warnings > 0) || loaded.is_empty() { 1 } else { 0 })
}

fn load_one(file: &std::path::Path, lang: Lang, err: &mut dyn Write) -> Result<Option<LoadedFile>, std::io::Error> {
    let loaded = load_file(file);
    if loaded.script().is_none() {
        for d in loaded.errors() {
            write!(err, "{}", render_diagnostic(d, false, lang))?;
        }
        return Ok(None);
    }
    Ok(Some(loaded))
}

fn fmt_route(route: &[usize]) -> String {
    route.iter().map(|c| (c + 1).to_string()).collect::<Vec<_>>().join(",")
}

fn analysis_json(analysis: &Analysis) -> serde_json::Value {
    let extreme = |e: &counterpart_core::analysis::analyze::Extreme| {
        json!({"score": e.score, "route": e.route.iter().map(|c| c + 1).collect::<Vec<_>>(), "ending": e.ending, "red_flags": e.red_flags, "rating": e.rating.code(), "passed": e.passed})
    };
    let mut dims = serde_json::Map::new();
    for objective in Objective::ALL {
        dims.insert(
            objective.name().into(),
            json!({
                "max": analysis.best(objective).map(extreme),
                "min": analysis.worst(objective).map(extreme),
            }),
        );
    }
    json!({
        "persona": analysis.persona,
        "situations": analysis.situations,
        "scores": dims,
        "passing_route": analysis.passing_route.as_ref().map(extreme),
    })
}

fn write_validity(validity: &Validity, lang: Lang, out: &mut dyn Write) -> CmdResult {
    writeln!(out, "
training validity (players who do not read):")?;
    for run in &validity.bots {
        let verdict = if !run.finished { "LOOPS" } else if run.passed { "PASSES" } else { "fails" };
        writeln!(out, "  {:<44} {:<10} {:>5.1} / best {:>5.1}  {verdict}", run.bot.label().get(lang), run.persona_id, run.score, run.best)?;
    }
    writeln!(
        out,
        "  best answer is the longest in {:.0}% of turns (limit {:.0}%), median length ratio best/next {:.2}",
        validity.longest_share * 100.0,
        gameability::MAX_LONGEST_SHARE * 100.0,
        validity.median_length_ratio
    )?;
    writeln!(
        out,
        "  best answer is the same for every DISC style in {:.0}% of turns (limit {:.0}%)",
        validity.same_best_share * 100.0,
        gameability::MAX_SAME_BEST_SHARE * 100.0
    )?;
    if validity.findings.is_empty() {
        writeln!(out, "  no findings")?;
    }
    for f in &validity.findings {
        writeln!(out, "  ! [{}] {}", f.code, f.message.get(lang))?;
    }
    Ok(0)
}

fn analyze_cmd(file: &std::path::Path, json: bool, dot: bool, mermaid: bool, lang: Lang, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let Some(loaded) = load_one(file, lang, err)? else { return Ok(1) };
    let script = loaded.script().expect("checked");
    // Loading analysed every persona already.
    let analyses = match loaded.analyses.clone().unwrap_or_else(|| analyze_personas(script).map(Into::into)) {
        Ok(a) => a,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(1);
        }
    };
    let analysis = analyses[0].clone();
    let personas = script.scenario.citizen.all_personas();
    if dot {
        write!(out, "{}", to_dot(script, Some(&analysis), lang))?;
    } else if mermaid {
        write!(out, "{}", to_mermaid(script, Some(&analysis), lang))?;
    } else if json {
        let mut value = analysis_json(&analysis);
        value["personas"] = serde_json::Value::Array(
            analyses
                .iter()
                .map(|a| {
                    let mut v = analysis_json(a);
                    v["id"] = json!(personas[a.persona].id);
                    v["disc"] = json!(personas[a.persona].disc);
                    v
                })
                .collect(),
        );
        value["validity"] = json!(gameability::check(script, &analyses));
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        let s = &script.scenario;
        writeln!(out, "{} — {}", s.id, s.title.get(lang))?;
        for analysis in analyses.iter() {
        let persona = &personas[analysis.persona];
        let secondary = persona.disc.secondary.map(|d| format!("/{d:?}")).unwrap_or_default();
        writeln!(out, "\npersona \"{}\" ({:?}{secondary}, starts upset {} trust {})", persona.id, persona.disc.primary, persona.mood.upset, persona.mood.trust)?;
        writeln!(out, "{} reachable situations (turn × mood × flags), {} partial scores explored\n", analysis.situations, analysis.labels)?;
        writeln!(out, "{:<18} {:>6} {:>6}   best route / worst route (option numbers)", "", "min", "max")?;
        for objective in Objective::ALL {
            let (Some(best), Some(worst)) = (analysis.best(objective), analysis.worst(objective)) else { continue };
            let name = match objective {
                Objective::Overall => "overall".to_string(),
                Objective::Dimension(d) => d.label().get(lang).to_string(),
            };
            writeln!(out, "{name:<18} {:>6.1} {:>6.1}   {} → {} / {} → {}", worst.score, best.score, fmt_route(&best.route), best.ending, fmt_route(&worst.route), worst.ending)?;
        }
        if let Some(best) = analysis.best(Objective::Overall) {
            writeln!(out, "best route: citizen's rating {}, {}", best.rating.label().get(lang), if best.passed { "passes" } else { "FAILS" })?;
        }
        match &analysis.passing_route {
            Some(p) => writeln!(out, "passing route: {} ({:.1}, ends {}, rated {})", fmt_route(&p.route), p.score, p.ending, p.rating.label().get(lang))?,
            None => writeln!(out, "no route passes")?,
        }
        }
        write_validity(&gameability::check(script, &analyses), lang, out)?;
    }
    Ok(0)
}

pub struct PlayOptions {
    pub late: Vec<String>,
    /// `--action TURN:ACTION`: protocol actions taken facing those turns.
    pub actions: Vec<String>,
    pub persona: Option<String>,
    pub seed: u64,
    pub json: bool,
    pub lang: Lang,
    /// `--record`: store the finished attempt as the app would.
    pub record: Option<crate::records_cli::RecordArgs>,
    /// `explain`: print why the route scores what it does instead of the debrief.
    pub explain: bool,
}

/// The encounter `play` starts: the persona named, or the seed's.
fn start_encounter(script: &std::sync::Arc<counterpart_core::play::engine::Script>, options: &PlayOptions) -> Result<Encounter, String> {
    match &options.persona {
        None => Ok(Encounter::new(script.clone(), options.seed)),
        Some(id) => {
            let personas = script.scenario.citizen.all_personas();
            match personas.iter().position(|p| &p.id == id) {
                Some(p) => Ok(Encounter::with_persona(script.clone(), options.seed, p)),
                None => Err(format!(
                    "the citizen has no persona \"{id}\"; personas: {}",
                    personas.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
                )),
            }
        }
    }
}

/// One answer typed by a person or a script: an option id or number, with
/// an optional "@seconds". `shown` maps numbers through the order shown
/// (interactive play) instead of the file's order.
fn parse_answer(text: &str, turn: &counterpart_core::scenario::model::Turn, shown: Option<&[usize]>) -> Result<(usize, Option<f32>), String> {
    let text = text.trim();
    let (what, secs) = match text.split_once('@') {
        Some((what, secs)) => {
            let secs: f32 = secs.trim().parse().ok().filter(|s: &f32| s.is_finite() && *s >= 0.0).ok_or_else(|| {
                format!("\"{}\" is not a response time: write seconds after @, e.g. own_it@20", secs.trim())
            })?;
            (what.trim(), Some(secs))
        }
        None => (text, None),
    };
    let ids: Vec<&str> = turn.options.iter().map(|o| o.id.as_str()).collect();
    if let Ok(n) = what.parse::<usize>() {
        let count = turn.options.len();
        if n == 0 || n > count {
            return Err(format!("turn \"{}\" has options 1 to {count}; {n} is not one of them (ids: {})", turn.id, ids.join(", ")));
        }
        let choice = match shown {
            Some(order) => order[n - 1],
            None => n - 1,
        };
        return Ok((choice, secs));
    }
    match turn.options.iter().position(|o| o.id == what) {
        Some(choice) => Ok((choice, secs)),
        None => {
            let hint = counterpart_core::scenario::diag::closest(what, ids.iter().copied()).map(|b| format!(" Did you mean \"{b}\"?")).unwrap_or_default();
            Err(format!("turn \"{}\" has no option \"{what}\"; its options are {}.{hint}", turn.id, ids.join(", ")))
        }
    }
}

/// The response time for an answer: as typed, or just past the limit for
/// a turn named in `--late`.
fn response_time(turn: &counterpart_core::scenario::model::Turn, typed: Option<f32>, late: &[String]) -> Option<f32> {
    typed.or_else(|| late.iter().any(|l| *l == turn.id).then(|| turn.time_limit.map_or(0.0, |l| l as f32 + 1.0)))
}

fn play_cmd(file: &std::path::Path, choices: &[String], options: &PlayOptions, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let Some(loaded) = load_one(file, options.lang, err)? else { return Ok(1) };
    let script = loaded.script().expect("checked").clone();
    let mut encounter = match start_encounter(&script, options) {
        Ok(e) => e,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let mut actions = match parse_actions(&options.actions, &script.scenario) {
        Ok(a) => a,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    for (made, typed) in choices.iter().enumerate() {
        if !encounter.is_over() {
            let turn_id = encounter.position_id();
            let now: Vec<String> = actions.iter().filter(|(t, _)| *t == turn_id).map(|(_, a)| a.clone()).collect();
            actions.retain(|(t, _)| *t != turn_id);
            for action in now {
                if let Err(e) = encounter.take_protocol_action(&action) {
                    writeln!(err, "error: --action {turn_id}:{action}: {e}")?;
                    return Ok(2);
                }
            }
        }
        let Some(prompt) = encounter.prompt() else {
            let ending = encounter.ending().map(|e| e.id.clone()).unwrap_or_default();
            writeln!(err, "error: {} (remove the extra choices)", PlayError::TooManyChoices { ending, extra: choices.len() - made })?;
            return Ok(2);
        };
        let turn = prompt.turn;
        let (choice, secs) = match parse_answer(typed, turn, None) {
            Ok(a) => a,
            Err(e) => {
                writeln!(err, "error: choice {} (\"{typed}\"): {e}", made + 1)?;
                return Ok(2);
            }
        };
        let secs = response_time(turn, secs, &options.late);
        if let Err(e) = encounter.choose(choice, secs) {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    }
    if let Some(prompt) = encounter.prompt() {
        writeln!(err, "error: {} (add more choices; turn \"{}\" has {})", PlayError::TooFewChoices { turn: prompt.turn.id.clone(), made: choices.len() }, prompt.turn.id, prompt.options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", "))?;
        return Ok(2);
    }
    if let Some((turn, action)) = actions.first() {
        writeln!(err, "error: --action {turn}:{action}: the route never faces turn \"{turn}\", so the action was not taken")?;
        return Ok(2);
    }
    if let Some(record) = &options.record {
        let code = crate::records_cli::record_played(record, file, &encounter, options.persona.is_some(), err)?;
        if code != 0 {
            return Ok(code);
        }
    }
    if options.explain {
        let s = encounter.scenario();
        let route: Vec<&str> = encounter.steps().iter().map(|s| s.choice_id.as_str()).collect();
        writeln!(out, "{} — {} (seed {}) --choices {}\n", s.id, s.title.get(options.lang), options.seed, route.join(","))?;
        write!(out, "{}", counterpart_core::play::explain::explain(&encounter).render_text(options.lang))?;
        return Ok(0);
    }
    write_played(&encounter, options, out)
}

/// `--action TURN:ACTION` values as (turn id, action id), each checked:
/// the turn exists in the scenario and the action is a protocol action.
fn parse_actions(values: &[String], scenario: &counterpart_core::scenario::model::Scenario) -> Result<Vec<(String, String)>, String> {
    use counterpart_core::play::protocol::{ACTIONS, action};
    use counterpart_core::scenario::diag::closest;
    let turns: Vec<&str> = scenario.turns.iter().map(|t| t.id.as_str()).collect();
    values
        .iter()
        .map(|v| {
            let Some((turn, act)) = v.split_once(':') else {
                return Err(format!("--action {v}: write TURN:ACTION, e.g. {}:{}", turns.first().copied().unwrap_or("open"), ACTIONS[0].id));
            };
            let (turn, act) = (turn.trim(), act.trim());
            if !turns.contains(&turn) {
                let hint = closest(turn, turns.iter().copied()).map(|b| format!(" Did you mean \"{b}\"?")).unwrap_or_default();
                return Err(format!("--action {v}: the scenario has no turn \"{turn}\".{hint}"));
            }
            if action(act).is_none() {
                let hint = closest(act, ACTIONS.iter().map(|a| a.id)).map(|b| format!(" Did you mean \"{b}\"?")).unwrap_or_default();
                return Err(format!("--action {v}: \"{act}\" is not a protocol action; the actions are {}.{hint}", ACTIONS.iter().map(|a| a.id).collect::<Vec<_>>().join(", ")));
            }
            Ok((turn.to_string(), act.to_string()))
        })
        .collect()
}

/// `play --interactive`: prompts on standard output, answers from `input`.
/// A line that is not a valid answer is reported and asked again; a
/// closed input ends the run with a message, not a panic.
pub fn interactive_cmd(file: &std::path::Path, options: &PlayOptions, input: &mut dyn std::io::BufRead, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let Some(loaded) = load_one(file, options.lang, err)? else { return Ok(1) };
    let script = loaded.script().expect("checked").clone();
    let mut encounter = match start_encounter(&script, options) {
        Ok(e) => e,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let lang = options.lang;
    let mut line = String::new();
    while let Some(prompt) = encounter.prompt() {
        let turn = prompt.turn;
        let order = prompt.order.to_vec();
        if options.json {
            let shown: Vec<serde_json::Value> = prompt
                .shown()
                .enumerate()
                .map(|(position, (index, o))| json!({"position": position + 1, "id": o.id, "number_in_file": index + 1, "text": o.text}))
                .collect();
            writeln!(out, "{}", json!({"turn": turn.id, "says": prompt.said, "cue": turn.cue, "mood": prompt.mood, "time_limit": prompt.time_limit, "options": shown}))?;
        } else {
            writeln!(out, "\n[{}] {}: {}", turn.id, script.scenario.citizen.name.get(lang), prompt.said.get(lang))?;
            for (position, (_, o)) in prompt.shown().enumerate() {
                writeln!(out, "  {}. [{}] {}", position + 1, o.id, o.text.get(lang))?;
            }
            write!(out, "> ")?;
        }
        out.flush()?;
        line.clear();
        if input.read_line(&mut line)? == 0 {
            let message = format!("input closed at turn \"{}\" after {} answer(s); nothing more to play", turn.id, encounter.steps().len());
            if options.json {
                writeln!(out, "{}", json!({"error": message, "closed": true}))?;
            } else {
                writeln!(err, "error: {message}")?;
            }
            return Ok(3);
        }
        match parse_answer(&line, turn, Some(&order)) {
            Ok((choice, secs)) => {
                let secs = response_time(turn, secs, &options.late);
                if let Err(e) = encounter.choose(choice, secs) {
                    writeln!(err, "error: {e}")?;
                    return Ok(2);
                }
            }
            Err(e) => {
                if options.json {
                    writeln!(out, "{}", json!({"error": e, "turn": turn.id}))?;
                } else {
                    writeln!(out, "{e}")?;
                }
            }
        }
    }
    write_played(&encounter, options, out)
}

fn write_played(encounter: &Encounter, options: &PlayOptions, out: &mut dyn Write) -> CmdResult {
    let (seed, json, lang) = (options.seed, options.json, options.lang);
    let choices: Vec<String> = encounter.steps().iter().map(|s| s.choice_id.clone()).collect();
    let card = encounter.score_with_protocol();
    let protocol = encounter.protocol_report();
    let debrief = encounter.debrief();
    let ending = encounter.ending().expect("play_route ends");
    if json {
        let value = json!({
            "scenario": encounter.scenario().id,
            "version": encounter.scenario().version,
            "seed": seed,
            "choices": choices,
            "ending": ending.id,
            "outcome": ending.outcome,
            "mood_trace": encounter.mood_trace(),
            "steps": encounter.steps(),
            "debrief": debrief,
            "score": {
                "overall": card.overall,
                "passed": card.passed,
                "dimensions": Dimension::ALL.iter().map(|d| (format!("{d:?}").to_lowercase(), json!(card.dimension(*d)))).collect::<serde_json::Map<_, _>>(),
                "items": counterpart_core::scenario::model::Item::ALL.iter().map(|i| (format!("{i:?}"), json!(card.item(*i)))).collect::<serde_json::Map<_, _>>(),
                "red_flags": card.red_flags,
                "notes": card.notes,
                "rating": card.rating.map(|r| r.code()),
                "rules": card.rules,
            },
            "persona": encounter.persona_view().id,
            "protocol": protocol,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(0);
    }
    let s = encounter.scenario();
    writeln!(out, "{} — {} (seed {seed})\n", s.id, s.title.get(lang))?;
    let citizen = s.citizen.name.get(lang);
    for (n, (step, turn)) in encounter.steps().iter().zip(&debrief).enumerate() {
        writeln!(out, "[{}] {citizen}: {}", n + 1, step.said.get(lang))?;
        // Every option as the trainee saw them, so a route can be read
        // against what else was on offer.
        let options = &s.turns[step.turn].options;
        let width = options.iter().map(|o| o.id.chars().count() + 2).max().unwrap_or(0);
        for (position, &index) in step.shown.iter().enumerate() {
            let option = &options[index];
            let mark = if index == step.choice { '*' } else { ' ' };
            writeln!(
                out,
                "    {mark} {}. {:<width$} {:<9} {}",
                position + 1,
                format!("[{}]", option.id),
                quality_label(encounter.script(), step.turn, index),
                clip(option.text.get(lang), 40)
            )?;
        }
        let position = step.shown.iter().position(|&c| c == step.choice).map_or(step.choice, |p| p);
        writeln!(out, "    → [{}] shown {} of {} · {}", step.choice_id, position + 1, step.shown.len(), turn.chosen.get(lang))?;
        if step.timed_out {
            writeln!(out, "      ! answered after the time limit ({:.0} s)", step.response_secs.unwrap_or(0.0))?;
        }
        if turn.overtalk {
            writeln!(out, "      ! over-talking: too long for this caller, or too much at once")?;
        }
        writeln!(out, "      mood: upset {} → {}, trust {} → {}", step.mood_before.upset, step.mood_after.upset, step.mood_before.trust, step.mood_after.trust)?;
        let evidence: Vec<String> = turn.evidence.iter().map(|(i, l)| format!("{i:?}:{l}")).collect();
        writeln!(out, "      {} · {}", turn.stage.label().get(lang), evidence.join(" "))?;
        writeln!(out, "      {}", turn.feedback.get(lang))?;
        if let Some(flag) = turn.red_flag {
            writeln!(out, "      RED FLAG: {}", flag.label().get(lang))?;
        }
        if turn.premature_solution {
            writeln!(out, "      ! solution offered while the citizen was still very upset")?;
        }
        if let Some(better) = &turn.better {
            writeln!(out, "      better: {}", better.text.get(lang))?;
        }
    }
    writeln!(out, "\nending: {} ({}) — {}", ending.id, ending.outcome.label().get(lang), ending.text.get(lang))?;
    let persona = encounter.persona_view();
    writeln!(out, "persona: {} ({:?}{})", persona.id, persona.disc.primary, persona.disc.secondary.map(|d| format!("/{d:?}")).unwrap_or_default())?;
    // A route to paste back: the persona named, so no seed is needed, and
    // the turns answered late.
    let late: Vec<&str> = encounter.steps().iter().filter(|s| s.timed_out).map(|s| s.turn_id.as_str()).collect();
    let late: String = late.iter().map(|t| format!(" --late {t}")).collect();
    writeln!(out, "route: --persona {} --choices {}{late}", persona.id, choices.join(","))?;
    let trace: Vec<String> = encounter.mood_trace().iter().map(|m| format!("{}/{}", m.upset, m.trust)).collect();
    writeln!(out, "mood trace (upset/trust): {}", trace.join(" → "))?;
    writeln!(out, "\nscores:")?;
    for d in Dimension::ALL {
        writeln!(out, "  {:<16} {:>5.1}", d.label().get(lang), card.dimension(d))?;
    }
    writeln!(out, "  {:<16} {:>5.1}  {}", "overall", card.overall, if card.passed { "PASS" } else { "FAIL" })?;
    if let Some(rating) = card.rating {
        writeln!(out, "  citizen's rating: {}", rating.label().get(lang))?;
    }
    for flag in &card.red_flags {
        writeln!(out, "  red flag: {}", flag.label().get(lang))?;
    }
    for note in &card.notes {
        writeln!(out, "  note: {}", note.text().get(lang))?;
    }
    if !protocol.required.is_empty() || !protocol.taken.is_empty() {
        writeln!(out, "\nrisk protocol:")?;
        for (action, turn) in &protocol.taken {
            writeln!(out, "  taken at [{turn}]: {action}")?;
        }
        for r in &protocol.required {
            let by = r.by.as_deref().map(|b| format!(" by [{b}]")).unwrap_or_default();
            writeln!(out, "  {}{by}: {}", r.label.get(lang), r.status.label().get(lang))?;
            if r.status.fails() {
                writeln!(out, "    {}", r.why.get(lang))?;
            }
        }
        for n in &protocol.needless {
            writeln!(out, "  needless at [{}]: {}", n.taken_at, n.label.get(lang))?;
            writeln!(out, "    {}", n.why.get(lang))?;
        }
    }
    Ok(0)
}

/// An option's quality as the author view colours it, with its score
/// (0–100, the mean of its evidence levels).
fn quality_label(script: &counterpart_core::play::engine::Script, turn: usize, option: usize) -> String {
    use counterpart_core::analysis::graph::Quality;
    let score = counterpart_core::play::engine::option_quality(script, turn, option);
    match Quality::of(script, turn, option) {
        Quality::RedFlag => "RED FLAG".to_string(),
        Quality::Good => format!("good {score}"),
        Quality::Mixed => format!("mixed {score}"),
        Quality::Poor => format!("poor {score}"),
    }
}

/// The first `max` characters of `text`, with … when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max).collect::<String>() + "…"
    }
}

fn list_cmd(path: Option<&std::path::Path>, bundled: Option<&std::path::Path>, lang: Lang, out: &mut dyn Write) -> CmdResult {
    let (library, loaded) = match path {
        Some(path) => (None, load_all(&[path.to_path_buf()])),
        None => {
            let library = app_library(bundled);
            let files = library.files().to_vec();
            (Some(library), files)
        }
    };
    if let Some(library) = &library {
        write_sources(library, out)?;
    }
    for file in &loaded {
        let source = library.as_ref().and_then(|l| l.source_of(&file.path)).map(|s| format!("  [{}]", s.kind.label().en)).unwrap_or_default();
        match file.script() {
            Some(script) => {
                let s = &script.scenario;
                writeln!(out, "{:<28} {:?}/{:?} {:>3} min  {}{source}", s.id, s.channel, s.difficulty, s.minutes, s.title.zh)?;
            }
            None => {
                // The reason, not just the word: a trainer looking at the
                // list needs to know what to open and fix.
                let first = &file.errors()[0];
                let more = match (file.errors().len() - 1, lang) {
                    (0, _) => String::new(),
                    (n, Lang::Zh) => format!("（另有 {n} 个错误）"),
                    (n, Lang::En) => format!(" (and {n} more)"),
                };
                writeln!(out, "{:<28} ERROR {}: [{}] {}{more}{source}", file.path.display(), first.location(), first.code, first.message_in(lang))?;
            }
        }
    }
    for o in library.as_ref().map_or(&[][..], |l| l.overrides()) {
        writeln!(out, "note: {}", o.message())?;
    }
    Ok(if loaded.iter().all(|f| f.script().is_some()) { 0 } else { 1 })
}

#[allow(clippy::too_many_arguments)]
fn new_cmd(id: &str, channel: ChannelArg, style: StyleArg, secondary: Option<StyleArg>, title: &str, title_en: &str, dir: &std::path::Path, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    use counterpart_core::scenario::model::{Channel, DiscStyle};
    use counterpart_core::scenario::scaffold::{ScaffoldSpec, scaffold_in};
    let disc_style = |s: StyleArg| match s {
        StyleArg::D => DiscStyle::D,
        StyleArg::I => DiscStyle::I,
        StyleArg::S => DiscStyle::S,
        StyleArg::C => DiscStyle::C,
    };
    if secondary.is_some_and(|s| disc_style(s) == disc_style(style)) {
        writeln!(err, "error: --secondary must be another style than --style")?;
        return Ok(2);
    }
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        writeln!(err, "error: the id \"{id}\" must be letters, digits, _ or - only (it becomes the file name)")?;
        return Ok(2);
    }
    let path = dir.join(format!("{id}.ron"));
    if path.exists() {
        writeln!(err, "error: {} already exists; choose another id", path.display())?;
        return Ok(2);
    }
    let spec = ScaffoldSpec {
        id: id.to_string(),
        channel: match channel {
            ChannelArg::Counter => Channel::Counter,
            ChannelArg::Hotline => Channel::Hotline,
        },
        style: disc_style(style),
        secondary: secondary.map(disc_style),
        title_zh: title.to_string(),
        title_en: title_en.to_string(),
    };
    std::fs::create_dir_all(dir)?;
    std::fs::write(&path, scaffold_in(&spec, dir))?;
    writeln!(out, "created {}\nnext: replace the texts marked 待写： / To write:, then run `counterpart validate --strict {}` (it fails until none is left)", path.display(), path.display())?;
    Ok(0)
}

fn fix_cmd(file: &std::path::Path, dry_run: bool, lang: Lang, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    use counterpart_core::scenario::fix::{FixFileError, fix_file};
    let zh = lang == Lang::Zh;
    let label = file.display().to_string();
    let FileFix { fixed, backup } = match fix_file(file, dry_run) {
        Ok(f) => f,
        Err(FixFileError::NotText(d)) => {
            write!(err, "{}", render_diagnostic(&d, false, lang))?;
            writeln!(err, "{}", if zh { "没有修改任何内容。" } else { "nothing changed." })?;
            return Ok(1);
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    for change in &fixed.changes {
        writeln!(out, "{label}:{}:{}: {}", change.line, change.column, change.text(lang))?;
    }
    if fixed.changes.is_empty() {
        writeln!(out, "{}", if zh { "没有可以自动修正的问题。" } else { "nothing to fix automatically." })?;
    } else if let Some(backup) = &backup {
        writeln!(
            out,
            "{}",
            if zh {
                format!("共修正 {} 处；原文件备份在 {}", fixed.changes.len(), backup.display())
            } else {
                format!("{} change(s) made; the original is kept in {}", fixed.changes.len(), backup.display())
            }
        )?;
    } else {
        writeln!(out, "{}", if zh { format!("共 {} 处可修正（--dry-run：未写入文件）", fixed.changes.len()) } else { format!("{} change(s) possible (--dry-run: nothing written)", fixed.changes.len()) })?;
    }
    // What is left is the checker's business: show it as validate would.
    let loaded = if backup.is_none() {
        counterpart_core::library::load::load_bytes(fixed.source.as_bytes(), file)
    } else {
        load_file(file)
    };
    let diags: Vec<&Diagnostic> = loaded.errors().iter().chain(&loaded.warnings).collect();
    for d in &diags {
        write!(out, "{}", render_diagnostic(d, colour_for_terminal(), lang))?;
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    match (errors, zh) {
        (0, true) => writeln!(out, "文件可以加载：0 个错误，{warnings} 个警告")?,
        (0, false) => writeln!(out, "the file loads: 0 errors, {warnings} warning(s)")?,
        (_, true) => writeln!(out, "还有 {errors} 个错误需要手动修改，{warnings} 个警告")?,
        (_, false) => writeln!(out, "{errors} error(s) left to fix by hand, {warnings} warning(s)")?,
    }
    Ok(if errors > 0 { 1 } else { 0 })
}

fn sheet_cmd(action: SheetAction, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    use counterpart_core::scenario::parse::parse_bytes;
    use counterpart_core::scenario::sheet::{SheetError, export_xlsx, import, read_xlsx};
    let read = |file: &std::path::Path, err: &mut dyn Write| -> Result<Option<(String, counterpart_core::scenario::model::Scenario)>, std::io::Error> {
        let label = file.display().to_string();
        let source = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) => {
                writeln!(err, "error: {label}: {e}")?;
                return Ok(None);
            }
        };
        match parse_bytes(&source, &label) {
            Ok(s) => Ok(Some((String::from_utf8_lossy(source.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&source)).into_owned(), s))),
            Err(d) => {
                write!(err, "{}", render_diagnostic(&d, false, Lang::Zh))?;
                Ok(None)
            }
        }
    };
    match action {
        SheetAction::Export { file, xlsx } => {
            let Some((_, scenario)) = read(&file, err)? else { return Ok(1) };
            let target = xlsx.unwrap_or_else(|| file.with_extension("xlsx"));
            let bytes = export_xlsx(&scenario).map_err(std::io::Error::other)?;
            std::fs::write(&target, bytes)?;
            let options: usize = scenario.turns.iter().map(|t| t.options.len()).sum();
            writeln!(out, "{options} option(s) written to {} / 已写出 {options} 个选项", target.display())?;
            Ok(0)
        }
        SheetAction::Import { file, xlsx, dry_run, lang } => {
            let lang: Lang = lang.into();
            let zh = lang == Lang::Zh;
            let Some((source, scenario)) = read(&file, err)? else { return Ok(1) };
            let bytes = match std::fs::read(&xlsx) {
                Ok(b) => b,
                Err(e) => {
                    writeln!(err, "error: {}: {e}", xlsx.display())?;
                    return Ok(1);
                }
            };
            let result = read_xlsx(&bytes).and_then(|sheet| import(&source, &scenario, &sheet));
            let imported = match result {
                Ok(i) => i,
                Err(SheetError::Cells(problems)) => {
                    for p in &problems {
                        writeln!(err, "{}:{}: error: {}", xlsx.display(), p.cell, if zh { &p.message_zh } else { &p.message })?;
                    }
                    writeln!(err, "{}", if zh { format!("表格里有 {} 处问题，文件没有改动", problems.len()) } else { format!("{} problem(s) in the sheet; nothing written", problems.len()) })?;
                    return Ok(1);
                }
                Err(e) => {
                    writeln!(err, "error: {}: {e}; nothing written / 文件没有改动", xlsx.display())?;
                    return Ok(1);
                }
            };
            // Never write a file that no longer parses.
            if let Err(d) = parse_bytes(imported.source.as_bytes(), &file.display().to_string()) {
                writeln!(err, "error: the import would break the file, nothing written / 导入会破坏文件，没有改动:")?;
                write!(err, "{}", render_diagnostic(&d, false, lang))?;
                return Ok(1);
            }
            for c in &imported.changes {
                writeln!(out, "{}:{}: {}.{} {}: {:?} → {:?}", xlsx.display(), c.cell, c.turn, c.option, c.column, c.before, c.after)?;
            }
            if imported.changes.is_empty() {
                writeln!(out, "{}", if zh { "表格和文件一致，没有改动。" } else { "the sheet matches the file; nothing changed." })?;
            } else if dry_run {
                writeln!(out, "{}", if zh { format!("共 {} 处改动（--dry-run：未写入文件）", imported.changes.len()) } else { format!("{} change(s) (--dry-run: nothing written)", imported.changes.len()) })?;
            } else {
                let backup = backup_path(&file);
                std::fs::write(&backup, std::fs::read(&file)?)?;
                std::fs::write(&file, &imported.source)?;
                writeln!(out, "{}", if zh { format!("共 {} 处改动；原文件备份在 {}", imported.changes.len(), backup.display()) } else { format!("{} change(s) made; the original is kept in {}", imported.changes.len(), backup.display()) })?;
                // What the edit did to the scenario is the checker's business.
                let loaded = load_file(&file);
                let diags: Vec<&Diagnostic> = loaded.errors().iter().chain(&loaded.warnings).collect();
                for d in &diags {
                    write!(out, "{}", render_diagnostic(d, colour_for_terminal(), lang))?;
                }
                let errors = diags.iter().filter(|d| d.is_error()).count();
                if errors > 0 {
                    return Ok(1);
                }
            }
            Ok(0)
        }
    }
}

fn translations_cmd(action: TranslationAction, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    use counterpart_core::scenario::parse::parse_bytes;
    use counterpart_core::scenario::translate::{export_csv, import_csv, missing};
    match action {
        TranslationAction::Missing { paths } => {
            let mut total = 0;
            for file in counterpart_core::library::load::load_all(&paths) {
                let Some(script) = file.script() else {
                    for d in file.errors() {
                        write!(err, "{}", render_diagnostic(d, false, Lang::En))?;
                    }
                    continue;
                };
                for (key, lang) in missing(&script.scenario) {
                    writeln!(out, "{}\t{key}\tmissing {lang}", file.path.display())?;
                    total += 1;
                }
            }
            writeln!(out, "{total} missing text(s)")?;
            Ok(if total > 0 { 1 } else { 0 })
        }
        TranslationAction::Export { file, out: target } => {
            let label = file.display().to_string();
            let scenario = match std::fs::read(&file).map_err(|e| e.to_string()).and_then(|b| parse_bytes(&b, &label).map_err(|d| d.to_string())) {
                Ok(s) => s,
                Err(e) => {
                    writeln!(err, "{e}")?;
                    return Ok(1);
                }
            };
            let csv = export_csv(&scenario).map_err(std::io::Error::other)?;
            match target {
                Some(path) => std::fs::write(path, csv)?,
                None => write!(out, "{csv}")?,
            }
            Ok(0)
        }
        TranslationAction::Import { file, csv } => {
            let label = file.display().to_string();
            let source = std::fs::read_to_string(&file)?;
            let scenario = match parse_bytes(source.as_bytes(), &label) {
                Ok(s) => s,
                Err(d) => {
                    writeln!(err, "{d}")?;
                    return Ok(1);
                }
            };
            // Excel may have re-saved it as GB18030 or with a byte-order mark.
            let csv_text = match counterpart_core::scenario::translate::decode_csv(&std::fs::read(&csv)?) {
                Ok((text, _)) => text,
                Err(e) => {
                    writeln!(err, "error: {}: {e}; nothing written", csv.display())?;
                    return Ok(1);
                }
            };
            match import_csv(&source, &scenario, &csv_text) {
                Ok((patched, changed)) => {
                    // Never write a file that no longer parses.
                    if let Err(d) = parse_bytes(patched.as_bytes(), &label) {
                        writeln!(err, "error: the import would break the file, nothing written:\n{d}")?;
                        return Ok(1);
                    }
                    std::fs::write(&file, patched)?;
                    writeln!(out, "{changed} text(s) updated in {}", file.display())?;
                    Ok(0)
                }
                Err(e) => {
                    writeln!(err, "error: {e}; nothing written")?;
                    Ok(1)
                }
            }
        }
    }
}
