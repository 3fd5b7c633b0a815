//! The `counterpart` command line: validate, analyze and play scenarios
//! without a window. Every command writes to the given writers and returns
//! an exit code, so tests can run it in-process.

use crate::core::analyze::{Analysis, Objective, analyze};
use crate::core::diag::{Diagnostic, Severity};
use crate::core::engine::{Encounter, PlayError};
use crate::core::export::{to_dot, to_mermaid};
use crate::core::load::{LoadedFile, load_all, load_file};
use crate::core::model::Lang;
use crate::core::rubric::Dimension;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "counterpart", version, about = "Role-play simulator for service-window and 12345 hotline staff")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Scenario folder for the app (default: the bundled `scenarios/`).
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
    /// Check scenario files or folders for errors and warnings.
    Validate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
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
        /// One-based option numbers, comma separated: 2,1,3
        #[arg(long, value_delimiter = ',', required = true)]
        choices: Vec<usize>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        json: bool,
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
        #[arg(long, default_value = "新场景")]
        title: String,
        #[arg(long, default_value = "New scenario")]
        title_en: String,
        /// Folder to write into.
        #[arg(long, default_value = "scenarios")]
        dir: PathBuf,
    },
    /// Translation work: list missing lines, export or import CSV.
    Translations {
        #[command(subcommand)]
        action: TranslationAction,
    },
    /// Export trainee records: CSV, JSON, printable HTML, xAPI statements or straight to an LRS.
    Export(crate::records_cli::ExportArgs),
    #[command(hide = true)]
    RecordsCrashTest(crate::records_cli::CrashTestArgs),
    /// Group drills: list them, or write a drill's session report (HTML, CSV).
    Drill {
        #[command(subcommand)]
        action: crate::records_cli::DrillAction,
    },
    /// List the scenarios in a folder.
    List {
        #[arg(default_value = "scenarios")]
        path: PathBuf,
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

/// Renders a diagnostic with its source excerpt (ariadne), plain when not
/// writing to a terminal.
pub fn render_diagnostic(d: &Diagnostic, colour: bool) -> String {
    use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
    let source = std::fs::read_to_string(&d.file).ok();
    let offset = source.as_deref().and_then(|s| d.offset_in(s));
    let (Some(source), Some(offset)) = (source, offset) else {
        return format!("{d}\n");
    };
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let end = source[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
    let id = format!("{}:{}:{}", d.file, d.line, d.column);
    let mut label_text = d.message.clone();
    if !d.path.is_empty() {
        label_text = format!("{label_text} (at {})", d.path);
    }
    let mut report = Report::build(kind, (id.as_str(), offset..end))
        .with_config(Config::default().with_color(colour).with_index_type(IndexType::Byte))
        .with_code(d.code)
        .with_message(&d.message)
        .with_label(Label::new((id.as_str(), offset..end)).with_message(label_text));
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    let mut out = Vec::new();
    match report.finish().write((id.as_str(), Source::from(source.as_str())), &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => format!("{d}\n"),
    }
}

pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = match cli.command {
        Some(Command::Validate { paths, json, strict }) => validate_cmd(&paths, json, strict, out),
        Some(Command::Analyze { file, json, dot, mermaid, lang }) => analyze_cmd(&file, json, dot, mermaid, lang.into(), out, err),
        Some(Command::Play { file, choices, seed, json, lang }) => play_cmd(&file, &choices, seed, json, lang.into(), out, err),
        Some(Command::List { path }) => list_cmd(&path, out),
        Some(Command::Export(args)) => crate::records_cli::export_cmd(args, cli.scenarios.as_deref(), out, err),
        Some(Command::RecordsCrashTest(args)) => crate::records_cli::crash_test_cmd(args, out, err),
        Some(Command::Drill { action }) => crate::records_cli::drill_cmd(action, cli.scenarios.as_deref(), out, err),
        Some(Command::New { id, channel, style, title, title_en, dir }) => new_cmd(&id, channel, style, &title, &title_en, &dir, out, err),
        Some(Command::Translations { action }) => translations_cmd(action, out, err),
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

fn validate_cmd(paths: &[PathBuf], json: bool, strict: bool, out: &mut dyn Write) -> CmdResult {
    let loaded = load_all(paths);
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
                "diagnostics": diags,
            }));
        } else {
            let status = if file.script().is_some() { "ok" } else { "FAILED" };
            writeln!(out, "{status:>6}  {}", file.path.display())?;
            for d in diags {
                write!(out, "{}", render_diagnostic(d, colour_for_terminal()))?;
            }
        }
    }
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&json!({"files": report, "errors": errors, "warnings": warnings}))?)?;
    } else {
        writeln!(out, "{} file(s): {errors} error(s), {warnings} warning(s)", loaded.len())?;
    }
    Ok(if errors > 0 || (strict && warnings > 0) || loaded.is_empty() { 1 } else { 0 })
}

fn load_one(file: &std::path::Path, err: &mut dyn Write) -> Result<Option<LoadedFile>, std::io::Error> {
    let loaded = load_file(file);
    if loaded.script().is_none() {
        for d in loaded.errors() {
            write!(err, "{}", render_diagnostic(d, false))?;
        }
        return Ok(None);
    }
    Ok(Some(loaded))
}

fn fmt_route(route: &[usize]) -> String {
    route.iter().map(|c| (c + 1).to_string()).collect::<Vec<_>>().join(",")
}

fn analysis_json(analysis: &Analysis) -> serde_json::Value {
    let extreme = |e: &crate::core::analyze::Extreme| {
        json!({"score": e.score, "route": e.route.iter().map(|c| c + 1).collect::<Vec<_>>(), "ending": e.ending, "red_flags": e.red_flags})
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
        "situations": analysis.situations,
        "scores": dims,
        "passing_route": analysis.passing_route.as_ref().map(extreme),
    })
}

fn analyze_cmd(file: &std::path::Path, json: bool, dot: bool, mermaid: bool, lang: Lang, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let Some(loaded) = load_one(file, err)? else { return Ok(1) };
    let script = loaded.script().expect("checked");
    let analysis = match analyze(script) {
        Ok(a) => a,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(1);
        }
    };
    if dot {
        write!(out, "{}", to_dot(script, Some(&analysis), lang))?;
    } else if mermaid {
        write!(out, "{}", to_mermaid(script, Some(&analysis), lang))?;
    } else if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&analysis_json(&analysis))?)?;
    } else {
        let s = &script.scenario;
        writeln!(out, "{} — {}", s.id, s.title.get(lang))?;
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
        match &analysis.passing_route {
            Some(p) => writeln!(out, "\npassing route without red flags: {} ({:.1}, ends {})", fmt_route(&p.route), p.score, p.ending)?,
            None => writeln!(out, "\nno route passes without red flags")?,
        }
    }
    Ok(0)
}

fn play_cmd(file: &std::path::Path, choices: &[usize], seed: u64, json: bool, lang: Lang, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    let Some(loaded) = load_one(file, err)? else { return Ok(1) };
    let script = loaded.script().expect("checked").clone();
    if let Some(position) = choices.iter().position(|&c| c == 0) {
        writeln!(err, "error: choice {} is 0; options are numbered from 1", position + 1)?;
        return Ok(2);
    }
    let zero_based: Vec<usize> = choices.iter().map(|c| c - 1).collect();
    let encounter = match Encounter::play_route(script, seed, &zero_based) {
        Ok(e) => e,
        Err(e) => {
            let hint = match &e {
                PlayError::OutOfRange { .. } => "",
                PlayError::TooFewChoices { .. } => " (add more numbers to --choices)",
                PlayError::TooManyChoices { .. } => " (remove the extra numbers)",
                PlayError::Ended => "",
            };
            writeln!(err, "error: {e}{hint}")?;
            return Ok(2);
        }
    };
    let card = encounter.score();
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
                "items": crate::core::model::Item::ALL.iter().map(|i| (format!("{i:?}"), json!(card.item(*i)))).collect::<serde_json::Map<_, _>>(),
                "red_flags": card.red_flags,
                "notes": card.notes,
            }
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(0);
    }
    let s = encounter.scenario();
    writeln!(out, "{} — {} (seed {seed})\n", s.id, s.title.get(lang))?;
    let citizen = s.citizen.name.get(lang);
    for (n, (step, turn)) in encounter.steps().iter().zip(&debrief).enumerate() {
        writeln!(out, "[{}] {citizen}: {}", n + 1, step.said.get(lang))?;
        writeln!(out, "    → {}. {}", step.choice + 1, turn.chosen.get(lang))?;
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
    let trace: Vec<String> = encounter.mood_trace().iter().map(|m| format!("{}/{}", m.upset, m.trust)).collect();
    writeln!(out, "mood trace (upset/trust): {}", trace.join(" → "))?;
    writeln!(out, "\nscores:")?;
    for d in Dimension::ALL {
        writeln!(out, "  {:<16} {:>5.1}", d.label().get(lang), card.dimension(d))?;
    }
    writeln!(out, "  {:<16} {:>5.1}  {}", "overall", card.overall, if card.passed { "PASS" } else { "FAIL" })?;
    for flag in &card.red_flags {
        writeln!(out, "  red flag: {}", flag.label().get(lang))?;
    }
    for note in &card.notes {
        writeln!(out, "  note: {}", note.text().get(lang))?;
    }
    Ok(0)
}

fn list_cmd(path: &std::path::Path, out: &mut dyn Write) -> CmdResult {
    let loaded = load_all(&[path.to_path_buf()]);
    for file in &loaded {
        match file.script() {
            Some(script) => {
                let s = &script.scenario;
                writeln!(out, "{:<28} {:?}/{:?} {:>3} min  {}", s.id, s.channel, s.difficulty, s.minutes, s.title.zh)?;
            }
            None => {
                let first = &file.errors()[0];
                writeln!(out, "{:<28} ERROR {}", file.path.display(), first.location())?;
            }
        }
    }
    Ok(if loaded.iter().all(|f| f.script().is_some()) { 0 } else { 1 })
}

#[allow(clippy::too_many_arguments)]
fn new_cmd(id: &str, channel: ChannelArg, style: StyleArg, title: &str, title_en: &str, dir: &std::path::Path, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    use crate::core::model::{Channel, DiscStyle};
    use crate::core::scaffold::{ScaffoldSpec, scaffold};
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
        style: match style {
            StyleArg::D => DiscStyle::D,
            StyleArg::I => DiscStyle::I,
            StyleArg::S => DiscStyle::S,
            StyleArg::C => DiscStyle::C,
        },
        title_zh: title.to_string(),
        title_en: title_en.to_string(),
    };
    std::fs::create_dir_all(dir)?;
    std::fs::write(&path, scaffold(&spec))?;
    writeln!(out, "created {}\nnext: edit the texts in （）, then run `counterpart validate {}`", path.display(), path.display())?;
    Ok(0)
}

fn translations_cmd(action: TranslationAction, out: &mut dyn Write, err: &mut dyn Write) -> CmdResult {
    use crate::core::load::parse_bytes;
    use crate::core::translate::{export_csv, import_csv, missing};
    match action {
        TranslationAction::Missing { paths } => {
            let mut total = 0;
            for file in crate::core::load::load_all(&paths) {
                let Some(script) = file.script() else {
                    for d in file.errors() {
                        write!(err, "{}", render_diagnostic(d, false))?;
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
            let csv_text = std::fs::read_to_string(&csv)?;
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
