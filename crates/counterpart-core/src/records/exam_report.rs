//! Exam results for trainers: the pass/fail sheet of a sitting as text,
//! the exam's class list (CSV with a byte-order mark, and an Excel
//! workbook), and a candidate's printable transcript (HTML, everything
//! escaped: a candidate called `<script>` stays text).

use crate::exam::judge::Verdict;
use crate::library::Library;
use crate::play::rubric::Dimension;
use crate::records::report::{both, csv_safe, csv_writer, html_escape, page};
use crate::records::sittings::{Sitting, SittingStatus};
use crate::scenario::model::{Lang, Text};
use std::fmt::Write as _;

/// A sitting judged: what the class list and the transcript are made of.
pub type Judged = (Sitting, Verdict);

fn status_words(s: SittingStatus) -> Text {
    match s {
        SittingStatus::Open => Text::new("进行中", "in progress"),
        SittingStatus::Finished => Text::new("已结束", "finished"),
        SittingStatus::Abandoned => Text::new("已放弃", "abandoned"),
    }
}

fn status_code(s: SittingStatus) -> &'static str {
    match s {
        SittingStatus::Open => "open",
        SittingStatus::Finished => "finished",
        SittingStatus::Abandoned => "abandoned",
    }
}

/// The result in words: an open sitting has no result yet.
fn result_words(sitting: &Sitting, verdict: &Verdict) -> Text {
    match (sitting.status, verdict.passed) {
        (SittingStatus::Open, _) => Text::new("未完成", "not finished"),
        (_, true) => Text::new("通过", "PASS"),
        (_, false) => Text::new("未通过", "FAIL"),
    }
}

fn title(library: &Library, id: &str) -> Text {
    library.script(id).map_or_else(|| Text::new(id, id), |s| s.scenario.title.clone())
}

fn clock(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// The pass/fail sheet of a sitting as plain text, in `lang` first with
/// the other language alongside where it helps.
pub fn sheet_text(sitting: &Sitting, verdict: &Verdict, library: &Library, lang: Lang) -> String {
    let mut out = String::new();
    let exam = &sitting.exam;
    let _ = writeln!(out, "{} / {} (v{})", exam.title.zh, exam.title.en, exam.version);
    let _ = writeln!(
        out,
        "考生 Candidate: {} ({}) · 第 {} 次 sitting {} · {} {}",
        sitting.profile_name,
        sitting.employee_id,
        sitting.sitting,
        sitting.sitting,
        status_words(sitting.status).get(lang),
        sitting.started_at
    );
    for (i, slot) in verdict.slots.iter().enumerate() {
        let t = title(library, &slot.scenario);
        let mark = if slot.passed { Text::new("通过", "PASS") } else { Text::new("未通过", "FAIL") };
        let score = slot.overall.map_or("—".to_string(), |o| format!("{o:.1}"));
        let rating = slot.rating.map_or("—".to_string(), |r| r.label().get(lang).to_string());
        let _ = writeln!(
            out,
            "{}. {} ({}) — {} · {score} · {rating} · {}",
            i + 1,
            t.get(lang),
            slot.scenario,
            mark.get(lang),
            clock(slot.elapsed_secs)
        );
        for reason in &slot.reasons {
            let _ = writeln!(out, "     {}", reason.text().get(lang));
        }
    }
    let _ = writeln!(
        out,
        "{}: {} ({}/{} · {} {})",
        Text::new("结果", "Result").get(lang),
        result_words(sitting, verdict).get(lang),
        verdict.passed_count(),
        verdict.slots.len(),
        Text::new("用时", "time").get(lang),
        clock(verdict.elapsed_secs)
    );
    for reason in &verdict.reasons {
        let _ = writeln!(out, "  {}", reason.text().get(lang));
    }
    if !sitting.debrief_visible() {
        let _ = writeln!(out, "{}", Text::new("逐轮讲评待培训师发布后查看。", "The turn-by-turn debrief is shown once the trainer releases it.").get(lang));
    }
    out
}

pub(crate) const CLASS_HEADER: [&str; 15] = [
    "sitting_id", "exam_id", "exam_version", "employee_id", "name", "sitting", "status", "started_at", "finished_at", "released",
    "result", "passed_scenarios", "drawn", "minutes", "scenarios",
];

/// One row per sitting; `text` makes names safe for the target.
pub(crate) fn class_rows(judged: &[Judged], text: fn(&str) -> String) -> Vec<Vec<String>> {
    judged
        .iter()
        .map(|(s, v)| {
            let result = match (s.status, v.passed) {
                (SittingStatus::Open, _) => "",
                (_, true) => "pass",
                (_, false) => "fail",
            };
            let scenarios: Vec<String> = v
                .slots
                .iter()
                .map(|slot| {
                    let score = slot.overall.map_or("-".into(), |o| format!("{o:.1}"));
                    format!("{}:{}:{score}", slot.scenario, if slot.passed { "pass" } else { "fail" })
                })
                .collect();
            vec![
                s.id.to_string(),
                text(&s.exam.id),
                s.exam.version.to_string(),
                text(&s.employee_id),
                text(&s.profile_name),
                s.sitting.to_string(),
                status_code(s.status).to_string(),
                s.started_at.clone(),
                s.finished_at.clone().unwrap_or_default(),
                s.released_at.is_some().to_string(),
                result.to_string(),
                v.passed_count().to_string(),
                v.slots.len().to_string(),
                format!("{:.1}", v.elapsed_secs as f64 / 60.0),
                text(&scenarios.join("; ")),
            ]
        })
        .collect()
}

/// The class list as CSV, with the byte-order mark Excel and WPS need.
pub fn write_class_csv<W: std::io::Write>(judged: &[Judged], out: W) -> Result<(), csv::Error> {
    let mut w = csv_writer(out)?;
    w.write_record(CLASS_HEADER)?;
    for row in class_rows(judged, csv_safe) {
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

pub(crate) const CLASS_SHEET: &str = "Sittings 考核";
pub(crate) const SLOTS_SHEET: &str = "Scenarios 抽题";
pub(crate) const SLOTS_HEADER: [&str; 14] = [
    "sitting_id", "employee_id", "name", "sitting", "slot", "scenario_id", "persona", "result", "overall", "listening", "empathy", "clarity", "disc",
    "process",
];

/// The class list as an Excel workbook: one sheet of sittings, one row per
/// drawn scenario on the second (for pivot tables).
pub fn class_workbook(judged: &[Judged]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let plain = |s: &str| s.to_string();
    let mut wb = rust_xlsxwriter::Workbook::new();
    crate::records::xlsx::sheet(wb.add_worksheet(), CLASS_SHEET, &CLASS_HEADER, &class_rows(judged, plain))?;
    let mut rows = Vec::new();
    for (s, v) in judged {
        for (i, slot) in v.slots.iter().enumerate() {
            let mut row = vec![
                s.id.to_string(),
                s.employee_id.clone(),
                s.profile_name.clone(),
                s.sitting.to_string(),
                (i + 1).to_string(),
                slot.scenario.clone(),
                slot.persona.clone().unwrap_or_default(),
                if slot.passed { "pass" } else { "fail" }.to_string(),
                slot.overall.map_or(String::new(), |o| format!("{o:.1}")),
            ];
            row.extend((0..5).map(|d| slot.dimensions.map_or(String::new(), |dims| format!("{:.1}", dims[d]))));
            rows.push(row);
        }
    }
    crate::records::xlsx::sheet(wb.add_worksheet(), SLOTS_SHEET, &SLOTS_HEADER, &rows)?;
    wb.save_to_buffer()
}

/// A candidate's printable transcript: every sitting given, oldest first,
/// each with its result sheet scenario by scenario.
pub fn transcript_html(judged: &[Judged], library: &Library) -> String {
    let mut b = String::new();
    let (name, employee) = judged.first().map_or((String::new(), String::new()), |(s, _)| (s.profile_name.clone(), s.employee_id.clone()));
    let _ = writeln!(b, "<h1>考核成绩单 Exam transcript</h1>");
    let _ = writeln!(b, "<p>考生 Candidate: <strong>{}</strong> · 工号 Employee no. {}</p>", html_escape(&name), html_escape(&employee));
    if judged.is_empty() {
        let _ = writeln!(b, "<p>没有考核记录。No exam sittings.</p>");
    }
    for (s, v) in judged {
        let result = result_words(s, v);
        let _ = writeln!(b, "<h2>{} <span class=\"muted\">v{}</span></h2>", both(&s.exam.title.zh, &s.exam.title.en), s.exam.version);
        let _ = writeln!(
            b,
            "<p>第 {} 次 Sitting {} · {} {} · {} — {} · 结果 Result: <strong>{}</strong> ({}/{})</p>",
            s.sitting,
            s.sitting,
            status_words(s.status).zh,
            status_words(s.status).en,
            html_escape(&s.started_at),
            html_escape(s.finished_at.as_deref().unwrap_or("—")),
            both(&result.zh, &result.en),
            v.passed_count(),
            v.slots.len()
        );
        let _ = write!(b, "<table>\n<tr><th>#</th><th>场景 Scenario</th><th>结果 Result</th><th>总分 Overall</th>");
        for d in Dimension::ALL {
            let _ = write!(b, "<th>{}</th>", html_escape(&d.label().zh));
        }
        let _ = writeln!(b, "<th>评价 Rating</th><th>用时 Time</th><th>原因 Reasons</th></tr>");
        for (i, slot) in v.slots.iter().enumerate() {
            let t = title(library, &slot.scenario);
            let mark = if slot.passed { "通过 PASS" } else { "未通过 FAIL" };
            let _ = write!(b, "<tr><td>{}</td><td>{}</td><td>{mark}</td><td>{}</td>", i + 1, both(&t.zh, &t.en), slot.overall.map_or("—".into(), |o| format!("{o:.1}")));
            for d in 0..5 {
                let _ = write!(b, "<td>{}</td>", slot.dimensions.map_or("—".into(), |dims| format!("{:.1}", dims[d])));
            }
            let rating = slot.rating.map_or("—".into(), |r| both(&r.label().zh, &r.label().en));
            let reasons: Vec<String> = slot.reasons.iter().map(|r| both(&r.text().zh, &r.text().en)).collect();
            let _ = writeln!(b, "<td>{rating}</td><td>{}</td><td>{}</td></tr>", clock(slot.elapsed_secs), reasons.join("<br>"));
        }
        let _ = writeln!(b, "</table>");
        for reason in &v.reasons {
            let _ = writeln!(b, "<p>{}</p>", both(&reason.text().zh, &reason.text().en));
        }
    }
    let _ = writeln!(b, "<p class=\"muted\">签名 Signature: ____________________ 日期 Date: ____________</p>");
    page(&format!("考核成绩单 Exam transcript: {name}"), &b)
}
