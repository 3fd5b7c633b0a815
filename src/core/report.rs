//! Exports of trainee records for trainers: CSV and JSON for spreadsheets,
//! printable HTML per attempt and per trainee.
//!
//! Everything that came from a scenario file or a user (names, lines,
//! options) is escaped: a trainee called `<script>` stays text. CSV cells
//! that a spreadsheet would run as a formula are defused the usual way,
//! with a leading apostrophe.

use super::engine::{Encounter, Script};
use super::model::Lang;
use super::records::{AttemptRecord, AttemptSummary, Status};
use super::rubric::Dimension;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::fmt::Write as _;
use std::sync::Arc;

/// Scenario scripts by id, for titles and debriefs in the reports.
pub type Scripts = HashMap<String, Arc<Script>>;

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A cell starting with = + - @ (or a tab/CR) is a formula to Excel and
/// LibreOffice; an apostrophe makes it text.
pub fn csv_safe(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::InProgress => "in_progress",
        Status::Completed => "completed",
        Status::Abandoned => "abandoned",
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::InProgress => "进行中 In progress",
        Status::Completed => "已完成 Completed",
        Status::Abandoned => "已放弃 Abandoned",
    }
}

fn opt_num(v: Option<f32>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_default()
}

pub const CSV_HEADER: [&str; 23] = [
    "attempt_id",
    "attempt_uuid",
    "profile",
    "scenario_id",
    "scenario_version",
    "seed",
    "started_at",
    "finished_at",
    "status",
    "steps",
    "ending",
    "outcome",
    "overall",
    "listening",
    "empathy",
    "clarity",
    "disc",
    "process",
    "passed",
    "red_flags",
    "choices",
    "response_secs",
    "disc_guess",
];

/// One row per attempt. Choices are one-based, as the trainee saw them.
pub fn write_csv<W: std::io::Write>(records: &[AttemptRecord], out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for r in records {
        let s = &r.summary;
        let dims = s.dimensions.map(|d| d.map(|v| format!("{v:.1}"))).unwrap_or_default();
        let res = r.result.as_ref();
        let row: Vec<String> = vec![
            s.id.to_string(),
            s.uuid.clone(),
            csv_safe(&s.profile_name),
            csv_safe(&s.scenario_id),
            s.scenario_version.to_string(),
            s.seed.to_string(),
            s.started_at.clone(),
            s.finished_at.clone().unwrap_or_default(),
            status_name(s.status).into(),
            s.steps.to_string(),
            res.map(|r| csv_safe(&r.ending_id)).unwrap_or_default(),
            res.map(|r| format!("{:?}", r.outcome)).unwrap_or_default(),
            opt_num(s.overall),
            dims[0].clone(),
            dims[1].clone(),
            dims[2].clone(),
            dims[3].clone(),
            dims[4].clone(),
            s.passed.map(|p| p.to_string()).unwrap_or_default(),
            res.map(|r| r.card.red_flags.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(";")).unwrap_or_default(),
            r.choices().iter().map(|c| (c + 1).to_string()).collect::<Vec<_>>().join(";"),
            r.response_secs().iter().map(|t| t.map(|t| format!("{t:.1}")).unwrap_or_default()).collect::<Vec<_>>().join(";"),
            res.and_then(|r| r.disc_guess).map(|g| format!("{g:?}")).unwrap_or_default(),
        ];
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

#[derive(Serialize)]
struct JsonExport<'a> {
    format: &'static str,
    attempts: &'a [AttemptRecord],
}

/// The full records, transcript included, as one JSON document.
pub fn to_json(records: &[AttemptRecord]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&JsonExport { format: "counterpart-records/1", attempts: records })
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:60em;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.3em .6em;text-align:left;vertical-align:top}
.pass{color:#176f2c;font-weight:bold}.fail{color:#a31515;font-weight:bold}.flag{color:#a31515}
.said{color:#333}.chosen{font-weight:bold}.muted{color:#666;font-size:.9em}
@media print{a{color:inherit;text-decoration:none}body{margin:0}}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html_escape(title)
    )
}

fn both(zh: &str, en: &str) -> String {
    match (zh.trim().is_empty(), en.trim().is_empty()) {
        (false, false) if zh != en => format!("{}<br><span class=\"muted\">{}</span>", html_escape(zh), html_escape(en)),
        (false, _) => html_escape(zh),
        _ => html_escape(en),
    }
}

fn title_of(scripts: &Scripts, s: &AttemptSummary) -> String {
    match scripts.get(&s.scenario_id) {
        Some(sc) => both(&sc.scenario.title.zh, &sc.scenario.title.en),
        None => html_escape(&s.scenario_id),
    }
}

fn verdict(passed: Option<bool>) -> &'static str {
    match passed {
        Some(true) => "<span class=\"pass\">通过 PASS</span>",
        Some(false) => "<span class=\"fail\">未通过 FAIL</span>",
        None => "",
    }
}

/// A printable report of one attempt: transcript, scores and, when the
/// scenario is at hand in the same version, the debrief of every turn.
pub fn attempt_html(record: &AttemptRecord, scripts: &Scripts) -> String {
    let s = &record.summary;
    let script = scripts.get(&s.scenario_id).filter(|sc| sc.scenario.version == s.scenario_version);
    let debrief = script.and_then(|sc| Encounter::replay(sc.clone(), s.seed, &record.choices()).ok()).map(|e| e.debrief());
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", title_of(scripts, s));
    let _ = writeln!(
        b,
        "<table><tr><th>学员 Trainee</th><td>{}</td></tr><tr><th>情景 Scenario</th><td>{} v{}</td></tr>\
         <tr><th>开始 Started</th><td>{}</td></tr><tr><th>结束 Finished</th><td>{}</td></tr>\
         <tr><th>状态 Status</th><td>{}</td></tr><tr><th>种子 Seed</th><td>{}</td></tr></table>",
        html_escape(&s.profile_name),
        html_escape(&s.scenario_id),
        s.scenario_version,
        html_escape(&s.started_at),
        html_escape(s.finished_at.as_deref().unwrap_or("—")),
        status_label(s.status),
        s.seed
    );
    if let Some(res) = &record.result {
        let _ = writeln!(b, "<h2>得分 Scores</h2><table><tr><th>维度 Dimension</th><th>得分 Score</th></tr>");
        for d in Dimension::ALL {
            let l = d.label();
            let _ = writeln!(b, "<tr><td>{}</td><td>{:.1}</td></tr>", both(&l.zh, &l.en), res.card.dimension(d));
        }
        let _ = writeln!(b, "<tr><th>总分 Overall</th><th>{:.1} {}</th></tr></table>", res.card.overall, verdict(Some(res.card.passed)));
        let outcome = res.outcome.label();
        let _ = writeln!(b, "<p>结局 Ending: {} — {}</p>", html_escape(&res.ending_id), both(&outcome.zh, &outcome.en));
        for f in &res.card.red_flags {
            let l = f.label();
            let _ = writeln!(b, "<p class=\"flag\">红线 Red flag: {}</p>", both(&l.zh, &l.en));
        }
        for n in &res.card.notes {
            let t = n.text();
            let _ = writeln!(b, "<p class=\"muted\">{}</p>", both(&t.zh, &t.en));
        }
    }
    let citizen = script.map(|sc| sc.scenario.citizen.name.clone());
    let _ = writeln!(b, "<h2>对话记录 Transcript</h2><table><tr><th>#</th><th>群众 Citizen</th><th>学员回答 Trainee</th><th>情绪 Mood</th><th>用时 Time</th></tr>");
    for (n, rec) in record.steps.iter().enumerate() {
        let st = &rec.step;
        let d = debrief.as_ref().and_then(|d| d.get(n)).filter(|d| d.turn_id == st.turn_id);
        let who = citizen.as_ref().map(|c| format!("<strong>{}</strong>: ", html_escape(c.get(Lang::Zh)))).unwrap_or_default();
        let chosen = match d {
            Some(d) => both(&d.chosen.zh, &d.chosen.en),
            None => format!("{}. {}", st.choice + 1, html_escape(&st.choice_id)),
        };
        let mut notes = String::new();
        if let Some(f) = st.red_flag {
            let l = f.label();
            let _ = write!(notes, "<div class=\"flag\">{}</div>", both(&l.zh, &l.en));
        }
        if let Some(d) = d {
            let _ = write!(notes, "<div class=\"muted\">{}</div>", both(&d.feedback.zh, &d.feedback.en));
            if let Some(better) = &d.better {
                let _ = write!(notes, "<div class=\"muted\">更好的说法 Better: {}</div>", both(&better.text.zh, &better.text.en));
            }
        }
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td class=\"said\">{who}{}</td><td><span class=\"chosen\">{chosen}</span>{notes}</td><td>{}/{} → {}/{}</td><td>{}</td></tr>",
            n + 1,
            both(&st.said.zh, &st.said.en),
            st.mood_before.upset,
            st.mood_before.trust,
            st.mood_after.upset,
            st.mood_after.trust,
            st.response_secs.map(|t| format!("{t:.1}s")).unwrap_or_default()
        );
    }
    let _ = writeln!(b, "</table><p class=\"muted\">情绪 = 不满/信任 (mood = upset/trust)</p>");
    page(&format!("{} — {}", s.profile_name, s.scenario_id), &b)
}

/// A printable overview of one trainee: every attempt with its scores.
/// `attempt_link` names each attempt's own report file, when written.
pub fn trainee_html(name: &str, records: &[AttemptRecord], scripts: &Scripts, attempt_link: &dyn Fn(&AttemptRecord) -> Option<String>) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "<h1>学员报告 Trainee report: {}</h1>", html_escape(name));
    let completed: Vec<&AttemptRecord> = records.iter().filter(|r| r.result.is_some()).collect();
    let _ = writeln!(
        b,
        "<p>练习 {} 次，完成 {} 次，通过 {} 次 · {} attempts, {} completed, {} passed</p>",
        records.len(),
        completed.len(),
        completed.iter().filter(|r| r.summary.passed == Some(true)).count(),
        records.len(),
        completed.len(),
        completed.iter().filter(|r| r.summary.passed == Some(true)).count()
    );
    if !completed.is_empty() {
        let _ = writeln!(b, "<h2>各维度平均 Average per dimension</h2><table>");
        for d in Dimension::ALL {
            let mean = completed.iter().filter_map(|r| r.summary.dimensions.map(|x| x[d.index()])).sum::<f32>() / completed.len() as f32;
            let l = d.label();
            let _ = writeln!(b, "<tr><td>{}</td><td>{mean:.1}</td></tr>", both(&l.zh, &l.en));
        }
        let _ = writeln!(b, "</table>");
    }
    let _ = writeln!(b, "<h2>练习记录 Attempts</h2><table><tr><th>开始 Started</th><th>情景 Scenario</th><th>状态 Status</th>");
    for d in Dimension::ALL {
        let _ = write!(b, "<th>{}</th>", html_escape(d.label().zh.as_str()));
    }
    let _ = writeln!(b, "<th>总分 Overall</th><th></th></tr>");
    for r in records {
        let s = &r.summary;
        let title = title_of(scripts, s);
        let title = match attempt_link(r) {
            Some(href) => format!("<a href=\"{}\">{title}</a>", html_escape(&href)),
            None => title,
        };
        let _ = write!(b, "<tr><td>{}</td><td>{title}</td><td>{}</td>", html_escape(&s.started_at), status_label(s.status));
        for i in 0..5 {
            let _ = write!(b, "<td>{}</td>", opt_num(s.dimensions.map(|d| d[i])));
        }
        let _ = writeln!(b, "<td>{}</td><td>{}</td></tr>", opt_num(s.overall), verdict(s.passed));
    }
    let _ = writeln!(b, "</table>");
    page(&format!("{name} — Counterpart"), &b)
}

/// The name of an attempt's own HTML report inside an export folder.
pub fn attempt_file_name(r: &AttemptRecord) -> String {
    format!("attempt-{}-{}-{}.html", r.summary.id, file_stem(&r.summary.profile_name), file_stem(&r.summary.scenario_id))
}

fn io_context(path: &Path, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{}: {e}", path.display()))
}

/// Writes one HTML report per attempt and one per trainee (linking to the
/// attempts) into `dir`. Returns (attempt reports, trainee reports).
pub fn write_html_reports(dir: &Path, records: &[AttemptRecord], scripts: &Scripts) -> std::io::Result<(usize, usize)> {
    std::fs::create_dir_all(dir).map_err(|e| io_context(dir, e))?;
    let mut by_trainee: BTreeMap<(i64, String), Vec<AttemptRecord>> = BTreeMap::new();
    for r in records {
        let path = dir.join(attempt_file_name(r));
        std::fs::write(&path, attempt_html(r, scripts)).map_err(|e| io_context(&path, e))?;
        by_trainee.entry((r.summary.profile_id, r.summary.profile_name.clone())).or_default().push(r.clone());
    }
    for ((id, name), list) in &by_trainee {
        let path = dir.join(format!("trainee-{id}-{}.html", file_stem(name)));
        std::fs::write(&path, trainee_html(name, list, scripts, &|r| Some(attempt_file_name(r)))).map_err(|e| io_context(&path, e))?;
    }
    Ok((records.len(), by_trainee.len()))
}

/// Everything a trainer may want from one export, in one folder:
/// `attempts.csv`, `attempts.json` and the HTML reports. This is what the
/// app's export button writes.
pub fn write_bundle(dir: &Path, records: &[AttemptRecord], scripts: &Scripts) -> std::io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_context(dir, e))?;
    let csv_path = dir.join("attempts.csv");
    let file = std::fs::File::create(&csv_path).map_err(|e| io_context(&csv_path, e))?;
    write_csv(records, std::io::BufWriter::new(file)).map_err(|e| io_context(&csv_path, e))?;
    let json_path = dir.join("attempts.json");
    let json = to_json(records).map_err(|e| io_context(&json_path, e))?;
    std::fs::write(&json_path, json).map_err(|e| io_context(&json_path, e))?;
    write_html_reports(dir, records, scripts)?;
    Ok(())
}

/// A file name from an arbitrary name: keeps letters (CJK included) and
/// digits, replaces the rest, so no name can climb out of the folder.
pub fn file_stem(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).take(60).collect();
    if s.is_empty() { "_".into() } else { s }
}
