//! Exports of trainee records for trainers: CSV and JSON for spreadsheets,
//! printable HTML per attempt and per trainee.
//!
//! Everything that came from a scenario file or a user (names, lines,
//! options) is escaped: a trainee called `<script>` stays text. CSV cells
//! that a spreadsheet would run as a formula are defused the usual way,
//! with a leading apostrophe.

use crate::library::Library;
use crate::drill::{Drill, Kappa, KappaUndefined, Mode, Observation, SlotStatus, TurnVote};
use crate::play::engine::{better_option, option_quality};
use crate::play::protocol::{ActionStatus, ProtocolReport};
use crate::scenario::model::{Item, Lang, RedFlag, Text};
use crate::records::store::{AttemptRecord, AttemptSummary, Status};
use crate::play::rubric::Dimension;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::fmt::Write as _;

pub(crate) fn html_escape(s: &str) -> String {
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
pub(crate) fn csv_safe(s: &str) -> String {
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

pub(crate) const CSV_HEADER: [&str; 35] = [
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
    "persona",
    "rating",
    "rules",
    "work_order_right",
    "work_order_caps",
    "lookups",
    "notice_lines",
    "notice_extra",
    "notice_caps",
    "exam_id",
    "exam_sitting",
    "protocol_actions",
];

/// The UTF-8 byte-order mark every CSV the product writes starts with:
/// without it Excel and WPS on Chinese Windows read UTF-8 as GBK (mojibake).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV writer that has written the byte-order mark.
pub(crate) fn csv_writer<W: std::io::Write>(mut out: W) -> Result<csv::Writer<W>, csv::Error> {
    out.write_all(UTF8_BOM)?;
    Ok(csv::Writer::from_writer(out))
}

/// One row per attempt. Choices are one-based, as the trainee saw them.
pub fn write_csv<W: std::io::Write>(records: &[AttemptRecord], out: W) -> Result<(), csv::Error> {
    let mut w = csv_writer(out)?;
    w.write_record(CSV_HEADER)?;
    for row in attempt_rows(records, csv_safe) {
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// The rows of `write_csv` (`CSV_HEADER` columns); `text` makes user and
/// scenario text safe for the target (`csv_safe` for CSV).
pub(crate) fn attempt_rows(records: &[AttemptRecord], text: fn(&str) -> String) -> Vec<Vec<String>> {
    let csv_safe = text;
    let mut rows = Vec::new();
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
            res.map(|r| csv_safe(&r.persona)).unwrap_or_default(),
            res.and_then(|r| r.card.rating).map(|r| r.code().to_string()).unwrap_or_default(),
            res.map(|r| r.card.rules.to_string()).unwrap_or_default(),
            order_outcome(r).map(|o| { let (right, of) = o.right_of(); format!("{right}/{of}") }).unwrap_or_default(),
            order_outcome(r).map(|o| o.caps.iter().map(|(i, l, _)| format!("{i:?}<={l}")).collect::<Vec<_>>().join(";")).unwrap_or_default(),
            csv_safe(&r.lookups.iter().map(|l| l.entry.as_str()).collect::<Vec<_>>().join(";")),
            notice_outcome(r).map(|o| { let (on, of) = o.included_of(); format!("{on}/{of}") }).unwrap_or_default(),
            notice_outcome(r).map(|o| o.extra().to_string()).unwrap_or_default(),
            notice_outcome(r).map(|o| o.caps.iter().map(|(i, l, _)| format!("{i:?}<={l}")).collect::<Vec<_>>().join(";")).unwrap_or_default(),
            s.exam.as_ref().map(|e| csv_safe(&e.exam_id)).unwrap_or_default(),
            s.exam.as_ref().map(|e| e.sitting.to_string()).unwrap_or_default(),
            // action@n: taken while facing the turn of answer n (from 1).
            csv_safe(&r.steps.iter().enumerate().flat_map(|(k, st)| st.step.actions.iter().map(move |a| format!("{a}@{}", k + 1))).collect::<Vec<_>>().join(";")),
        ];
        rows.push(row);
    }
    rows
}

fn order_outcome(r: &AttemptRecord) -> Option<&crate::workorder::OrderOutcome> {
    r.work_order.as_ref().and_then(|o| o.outcome.as_ref())
}

fn notice_outcome(r: &AttemptRecord) -> Option<&crate::notice::NoticeOutcome> {
    r.notice.as_ref().and_then(|o| o.outcome.as_ref())
}

/// What a line of the notice was judged, in both languages.
pub(crate) fn line_verdict_words(v: crate::notice::LineVerdict) -> (&'static str, &'static str) {
    use crate::notice::LineVerdict;
    match v {
        LineVerdict::Included => ("已告知", "on the notice"),
        LineVerdict::Missing => ("漏了", "missing"),
        LineVerdict::NotNeeded => ("这位群众用不着", "not needed by this citizen"),
        LineVerdict::Wrong => ("不是这件事的", "another matter's"),
        LineVerdict::Unknown => ("指向不存在的内容", "points to nothing"),
    }
}

/// The one-time notice, line by line, for the attempt's printable report;
/// nothing for an attempt without one.
fn notice_html(b: &mut String, record: &AttemptRecord, h: u8) {
    let Some(stored) = &record.notice else { return };
    let _ = writeln!(b, "<h{h}>一次性告知单 One-time notice</h{h}>");
    match stored.handed_after_step {
        Some(n) => {
            let _ = writeln!(b, "<p class=\"muted\">第 {n} 轮回答后交给群众 Handed over after answer {n}</p>");
        }
        None => {
            let _ = writeln!(b, "<p class=\"muted\">未交出（草稿） Not handed over (draft)</p>");
        }
    }
    let Some(outcome) = &stored.outcome else {
        let n = &stored.notice;
        let _ = writeln!(b, "<p>{} 项材料 materials · {} 个步骤 steps · {}</p>", n.materials.len(), n.steps.len(), html_escape(&n.note));
        return;
    };
    let _ = writeln!(b, "<table><tr><th>部分 Part</th><th>内容 Line</th><th>判定 Verdict</th></tr>");
    for (zh, en, lines) in [("申请材料", "Materials", &outcome.materials), ("办理步骤", "Steps", &outcome.steps), ("后续事项", "Follow-on matters", &outcome.follow_on)] {
        for line in lines {
            let (vzh, ven) = line_verdict_words(line.verdict);
            let class = match line.verdict {
                crate::notice::LineVerdict::Included => "pass",
                _ => "fail",
            };
            let _ = writeln!(b, "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>", both(zh, en), both(&line.text.zh, &line.text.en), both(vzh, ven));
        }
    }
    let _ = writeln!(b, "</table>");
    if !outcome.steps_in_order {
        let _ = writeln!(b, "<p class=\"flag\">步骤顺序排乱 The steps are out of order</p>");
    }
    for issue in &outcome.issues {
        let _ = writeln!(b, "<p class=\"flag\">{}</p>", both(&issue.zh, &issue.en));
    }
    for (item, level, why) in &outcome.caps {
        let _ = writeln!(b, "<p class=\"flag\">{item:?} ≤ {level}: {}</p>", both(&why.zh, &why.en));
    }
    if !stored.notice.note.trim().is_empty() {
        let _ = writeln!(b, "<p>备注 Note: {}</p>", html_escape(&stored.notice.note));
    }
}

/// The work order, field by field, and the knowledge lookups, for the
/// attempt's printable report; nothing for an attempt without either.
fn order_html(b: &mut String, record: &AttemptRecord, h: u8) {
    if let Some(stored) = &record.work_order {
        let _ = writeln!(b, "<h{h}>工单 Work order</h{h}>");
        if let Some(n) = stored.submitted_after_step {
            let _ = writeln!(b, "<p class=\"muted\">第 {n} 轮回答后提交 Handed in after answer {n}</p>");
        } else {
            let _ = writeln!(b, "<p class=\"muted\">未提交（草稿） Not handed in (draft)</p>");
        }
        match &stored.outcome {
            Some(outcome) => {
                let _ = writeln!(b, "<table><tr><th>栏目 Field</th><th>判定 Verdict</th><th>学员写的 You wrote</th><th>来电说的 The call said</th><th>为什么要紧 Why it matters</th></tr>");
                for f in &outcome.fields {
                    let l = f.field.label();
                    let (zh, en) = verdict_words(f.verdict);
                    let class = match f.verdict {
                        crate::workorder::Verdict::Right => "pass",
                        crate::workorder::Verdict::Wrong | crate::workorder::Verdict::Missing => "fail",
                        _ => "muted",
                    };
                    let issues: String = f.issues.iter().map(|i| format!("<div class=\"flag\">{}</div>", both(&i.zh, &i.en))).collect();
                    let _ = writeln!(
                        b,
                        "<tr><td>{}</td><td class=\"{class}\">{}</td><td>{}{issues}</td><td>{}</td><td class=\"muted\">{}</td></tr>",
                        both(&l.zh, &l.en),
                        both(zh, en),
                        html_escape(&f.wrote),
                        both(&f.said.zh, &f.said.en),
                        both(&f.why.zh, &f.why.en)
                    );
                }
                let _ = writeln!(b, "</table>");
                for (item, level, why) in &outcome.caps {
                    let _ = writeln!(b, "<p class=\"flag\">{item:?} ≤ {level}: {}</p>", both(&why.zh, &why.en));
                }
            }
            None => {
                let o = &stored.order;
                let _ = writeln!(b, "<p>{}</p>", html_escape(&format!("{} · {} · {} · {}", o.caller_name, o.contact, o.address, o.content)));
            }
        }
    }
    if !record.lookups.is_empty() {
        let _ = writeln!(b, "<h{h}>查阅知识库 Knowledge looked up</h{h}><table><tr><th>#</th><th>查找 Searched for</th><th>条目 Entry</th><th>第几轮后 After answer</th></tr>");
        for (i, l) in record.lookups.iter().enumerate() {
            let _ = writeln!(b, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", i + 1, html_escape(&l.query), html_escape(&l.entry), l.after_step);
        }
        let _ = writeln!(b, "</table>");
    }
}

/// The risk protocol: each required action and how it went, any handover
/// nothing called for, and the actions taken; judged on the replayed
/// attempt (`report`) when the scenario is at hand, else only the actions
/// as stored. Nothing for a call with no risk and no action taken.
fn protocol_html(b: &mut String, record: &AttemptRecord, report: Option<&ProtocolReport>, h: u8) {
    let required: Vec<&crate::play::protocol::RequirementResult> =
        report.map(|r| r.required.iter().filter(|q| q.status != ActionStatus::NotRequired).collect()).unwrap_or_default();
    let needless = report.map(|r| r.needless.as_slice()).unwrap_or_default();
    let taken: Vec<(usize, &str)> = record.steps.iter().enumerate().flat_map(|(k, s)| s.step.actions.iter().map(move |a| (k + 1, a.as_str()))).collect();
    if required.is_empty() && needless.is_empty() && taken.is_empty() {
        return;
    }
    let _ = writeln!(b, "<h{h}>风险处置 Risk protocol</h{h}>");
    if !required.is_empty() {
        let _ = writeln!(b, "<table><tr><th>应做的处置 Required action</th><th>结果 Result</th><th>做于 Taken at</th><th>最迟 Due by</th><th>为什么 Why</th></tr>");
        for r in required {
            let status = r.status.label();
            let class = match r.status {
                ActionStatus::Done => "pass",
                ActionStatus::Pending => "muted",
                _ => "fail",
            };
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td class=\"{class}\">{}</td><td>{}</td><td>{}</td><td class=\"muted\">{}</td></tr>",
                both(&r.label.zh, &r.label.en),
                both(&status.zh, &status.en),
                html_escape(r.taken_at.as_deref().unwrap_or("—")),
                html_escape(r.by.as_deref().unwrap_or("—")),
                both(&r.why.zh, &r.why.en)
            );
        }
        let _ = writeln!(b, "</table>");
    }
    for n in needless {
        let _ = writeln!(
            b,
            "<p class=\"flag\">不必要的转接 A handover nothing called for: {} ({}) — {}</p>",
            both(&n.label.zh, &n.label.en),
            html_escape(&n.taken_at),
            both(&n.why.zh, &n.why.en)
        );
    }
    if !taken.is_empty() {
        let words: Vec<String> = taken.iter().map(|(answer, id)| format!("{} ({answer})", action_words(id))).collect();
        let _ = writeln!(b, "<p class=\"muted\">已做的处置（括号内为在第几轮回答前） Actions taken (before answer n): {}</p>", words.join(" · "));
    }
}

/// A protocol action as both languages say it, on one line; an id the
/// product no longer offers as itself.
fn action_words(id: &str) -> String {
    match crate::play::protocol::action(id) {
        Some(a) => {
            let l = a.label();
            format!("{} / {}", html_escape(&l.zh), html_escape(&l.en))
        }
        None => html_escape(id),
    }
}

fn verdict_words(v: crate::workorder::Verdict) -> (&'static str, &'static str) {
    use crate::workorder::Verdict;
    match v {
        Verdict::Right => ("正确", "right"),
        Verdict::Partly => ("部分正确", "partly right"),
        Verdict::Wrong => ("错误", "wrong"),
        Verdict::Missing => ("漏填", "missing"),
        Verdict::NotSaid => ("来电人没说", "not said in this call"),
        Verdict::Unsupported => ("来电人没说过", "never said in this call"),
    }
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

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html_escape(title)
    )
}

pub(crate) fn both(zh: &str, en: &str) -> String {
    match (zh.trim().is_empty(), en.trim().is_empty()) {
        (false, false) if zh != en => format!("{}<br><span class=\"muted\">{}</span>", html_escape(zh), html_escape(en)),
        (false, _) => html_escape(zh),
        _ => html_escape(en),
    }
}

fn title_of(scripts: &Library, s: &AttemptSummary) -> String {
    match scripts.script(&s.scenario_id) {
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
pub fn attempt_html(record: &AttemptRecord, scripts: &Library) -> String {
    let s = &record.summary;
    let script = scripts.script(&s.scenario_id).filter(|sc| sc.scenario.version == s.scenario_version);
    let replayed = script.and_then(|sc| record.replay_on(sc, record.steps.len()).ok());
    let debrief = replayed.as_ref().map(|e| e.debrief());
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
        if let Some(rating) = res.card.rating {
            let l = rating.label();
            let _ = writeln!(b, "<p>群众评价 Citizen's rating: {}</p>", both(&l.zh, &l.en));
        }
        let _ = writeln!(b, "<p class=\"muted\">评分规则 Scoring rules: v{} · 人设 Persona: {}</p>", res.card.rules, html_escape(&res.persona));
        for f in &res.card.red_flags {
            let l = f.label();
            let _ = writeln!(b, "<p class=\"flag\">红线 Red flag: {}</p>", both(&l.zh, &l.en));
        }
        for n in &res.card.notes {
            let t = n.text();
            let _ = writeln!(b, "<p class=\"muted\">{}</p>", both(&t.zh, &t.en));
        }
    }
    protocol_html(&mut b, record, replayed.as_ref().map(|e| e.protocol_report()).as_ref(), 2);
    order_html(&mut b, record, 2);
    notice_html(&mut b, record, 2);
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
        for a in &st.actions {
            let _ = write!(notes, "<div class=\"muted\">回答前的处置 Before answering: {}</div>", action_words(a));
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
pub fn trainee_html(name: &str, records: &[AttemptRecord], scripts: &Library, attempt_link: &dyn Fn(&AttemptRecord) -> Option<String>) -> String {
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
pub(crate) fn attempt_file_name(r: &AttemptRecord) -> String {
    format!("attempt-{}-{}-{}.html", r.summary.id, file_stem(&r.summary.profile_name), file_stem(&r.summary.scenario_id))
}

fn io_context(path: &Path, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{}: {e}", path.display()))
}

/// Writes one HTML report per attempt and one per trainee (linking to the
/// attempts) into `dir`. Returns (attempt reports, trainee reports).
pub fn write_html_reports(dir: &Path, records: &[AttemptRecord], scripts: &Library) -> std::io::Result<(usize, usize)> {
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
pub fn write_bundle(dir: &Path, records: &[AttemptRecord], scripts: &Library) -> std::io::Result<()> {
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

// ------------------------------------------------------------ drill reports

/// An option the class chose often that scored 0–1 (quality ≤ 33, or a red
/// flag), over every attempt of a drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mistake {
    pub scenario_id: String,
    pub turn_id: String,
    pub option_id: String,
    /// What the citizen said (the line first shown at that turn).
    pub said: Text,
    pub option: Text,
    pub times: usize,
    /// Names of who chose it (the group's name for a class vote), sorted.
    pub by: Vec<String>,
    pub quality: u8,
    pub red_flag: Option<RedFlag>,
    pub feedback: Text,
    pub better: Option<Text>,
    /// Mean upset before and after, over the times it was chosen.
    pub upset_before: f32,
    pub upset_after: f32,
}

/// The four debrief steps the seeds use for a discussion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DebriefStep {
    /// 感受
    Reactions,
    /// 经过
    WhatHappened,
    /// 分析
    Analysis,
    /// 总结
    Summary,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscussionPrompt {
    pub step: DebriefStep,
    pub text: Text,
}

/// Options chosen in the drill's attempts that scored 0–1, most chosen
/// first (ties: lower quality, then scenario, turn and option ids).
///
/// Attempts made on another version of a scenario than the one loaded are
/// left out: their option numbers may no longer mean the same options.
pub fn common_mistakes(attempts: &[AttemptRecord], scripts: &Library) -> Vec<Mistake> {
    mistakes(attempts, &|_| None, scripts)
}

/// The drill's mistakes for its session report: as `common_mistakes` over
/// the drill's attempts, except that where a class vote's counts were
/// entered every vote counts as one choice, so an option half the class
/// voted for ranks by those votes even when it was not followed.
pub fn drill_mistakes(drill: &Drill, attempts: &[AttemptRecord], scripts: &Library) -> Vec<Mistake> {
    let votes_of = |attempt: i64| {
        drill.states.iter().find(|s| s.attempt == Some(attempt)).map(|s| s.votes.as_slice()).filter(|v| !v.is_empty())
    };
    mistakes(attempts, &votes_of, scripts)
}

fn mistakes<'a>(attempts: &[AttemptRecord], votes_of: &dyn Fn(i64) -> Option<&'a [TurnVote]>, scripts: &Library) -> Vec<Mistake> {
    let mut found: Vec<Mistake> = Vec::new();
    let mut upset: Vec<(u32, u32)> = Vec::new();
    for record in attempts {
        let s = &record.summary;
        let Some(script) = scripts.script(&s.scenario_id).filter(|sc| sc.scenario.version == s.scenario_version) else {
            continue;
        };
        let votes = votes_of(s.id);
        for (k, rec) in record.steps.iter().enumerate() {
            let step = &rec.step;
            let Some(turn) = script.scenario.turns.get(step.turn).filter(|t| t.id == step.turn_id) else { continue };
            if turn.options.get(step.choice).is_none_or(|o| o.id != step.choice_id) {
                continue;
            }
            // (option, times, upset after) for this step.
            let chosen: Vec<(usize, u32, u8)> = match votes.and_then(|v| v.get(k)).and_then(|v| v.counts.as_ref()) {
                Some(counts) if counts.len() == turn.options.len() => {
                    let before = record.replay_on(script, k).ok();
                    counts
                        .iter()
                        .enumerate()
                        .filter(|&(_, &n)| n > 0)
                        .map(|(i, &n)| {
                            let after = if i == step.choice {
                                step.mood_after.upset
                            } else {
                                // What the option not followed would have done to the citizen.
                                before
                                    .clone()
                                    .and_then(|mut e| e.choose(i, None).ok().map(|st| st.mood_after.upset))
                                    .unwrap_or(step.mood_before.upset)
                            };
                            (i, n, after)
                        })
                        .collect()
                }
                _ => vec![(step.choice, 1, step.mood_after.upset)],
            };
            for (choice, times, after) in chosen {
                let option = &turn.options[choice];
                let quality = option_quality(script, step.turn, choice);
                let red_flag = script.flow.turns[step.turn].choices[choice].red_flag;
                if quality > MISTAKE_QUALITY && red_flag.is_none() {
                    continue;
                }
                let at = found.iter().position(|m| {
                    m.scenario_id == s.scenario_id && m.turn_id == step.turn_id && m.option_id == option.id
                });
                let at = match at {
                    Some(at) => at,
                    None => {
                        let better = better_option(script, step.turn, choice).map(|i| turn.options[i].text.clone());
                        found.push(Mistake {
                            scenario_id: s.scenario_id.clone(),
                            turn_id: step.turn_id.clone(),
                            option_id: option.id.clone(),
                            said: step.said.clone(),
                            option: option.text.clone(),
                            times: 0,
                            by: Vec::new(),
                            quality,
                            red_flag,
                            feedback: option.feedback.clone(),
                            better,
                            upset_before: 0.0,
                            upset_after: 0.0,
                        });
                        upset.push((0, 0));
                        found.len() - 1
                    }
                };
                let m = &mut found[at];
                m.times += times as usize;
                if !m.by.contains(&s.profile_name) {
                    m.by.push(s.profile_name.clone());
                }
                upset[at].0 += step.mood_before.upset as u32 * times;
                upset[at].1 += after as u32 * times;
            }
        }
    }
    for (m, (before, after)) in found.iter_mut().zip(upset) {
        m.by.sort();
        m.upset_before = before as f32 / m.times as f32;
        m.upset_after = after as f32 / m.times as f32;
    }
    found.sort_by(|a, b| {
        b.times
            .cmp(&a.times)
            .then(a.quality.cmp(&b.quality))
            .then_with(|| a.scenario_id.cmp(&b.scenario_id))
            .then_with(|| a.turn_id.cmp(&b.turn_id))
            .then_with(|| a.option_id.cmp(&b.option_id))
    });
    found
}

/// An option whose evidence averages 1 ("missed") or less scores at most
/// this quality (`engine::option_quality`, 0–100).
pub(crate) const MISTAKE_QUALITY: u8 = 33;

impl DebriefStep {
    pub const ALL: [DebriefStep; 4] =
        [DebriefStep::Reactions, DebriefStep::WhatHappened, DebriefStep::Analysis, DebriefStep::Summary];

    pub fn label(self) -> Text {
        match self {
            DebriefStep::Reactions => Text::new("感受", "Reactions"),
            DebriefStep::WhatHappened => Text::new("经过", "What happened"),
            DebriefStep::Analysis => Text::new("分析", "Analysis"),
            DebriefStep::Summary => Text::new("总结", "Summary"),
        }
    }
}

/// Discussion prompts for one mistake, in the order 感受 → 经过 → 分析 → 总结,
/// phrased as "I noticed X; it mattered because Y; what were you thinking?".
pub fn discussion_prompts(mistake: &Mistake) -> Vec<DiscussionPrompt> {
    let m = mistake;
    let said = &m.said;
    let reactions = Text::new(
        format!("如果你是这位群众，刚说完“{}”，听到“{}”，会有什么感受？", said.get(Lang::Zh), m.option.get(Lang::Zh)),
        format!(
            "If you were the citizen and had just said “{}”, how would “{}” make you feel?",
            said.get(Lang::En),
            m.option.get(Lang::En)
        ),
    );
    let who = m.by.join("、");
    let happened = Text::new(
        format!(
            "这一回答被选了 {} 次（{}）。群众的不满平均从 {:.0} 变为 {:.0}。当时对话里发生了什么？",
            m.times, who, m.upset_before, m.upset_after
        ),
        format!(
            "This answer was chosen {} time{} ({}). The citizen's upset went from {:.0} to {:.0} on average. What was happening in the conversation at that moment?",
            m.times,
            if m.times == 1 { "" } else { "s" },
            m.by.join(", "),
            m.upset_before,
            m.upset_after
        ),
    );
    let (flag_zh, flag_en) = match m.red_flag {
        Some(flag) => {
            let l = flag.label();
            (format!("这触碰了红线：{}。", l.zh), format!(" It crossed a red line: {}.", l.en))
        }
        None => (String::new(), String::new()),
    };
    let analysis = Text::new(
        format!("我注意到：{}{}这为什么重要？选它的时候你是怎么想的？", m.feedback.get(Lang::Zh), flag_zh),
        format!("I noticed: {}{} Why did it matter? What were you thinking when you chose it?", m.feedback.get(Lang::En), flag_en),
    );
    let summary = match &m.better {
        Some(better) => Text::new(
            format!("更好的说法是“{}”。下次遇到类似情况，你会怎么说？", better.get(Lang::Zh)),
            format!("A better answer was “{}”. What will you say next time something similar happens?", better.get(Lang::En)),
        ),
        None => Text::new(
            "下次遇到类似情况，你会怎么说？哪一条原则能帮到你？",
            "What will you say next time something similar happens? Which principle helps you?",
        ),
    };
    [reactions, happened, analysis, summary]
        .into_iter()
        .zip(DebriefStep::ALL)
        .map(|(text, step)| DiscussionPrompt { step, text })
        .collect()
}

fn slot_status_label(s: SlotStatus) -> &'static str {
    match s {
        SlotStatus::Pending => "未开始 Not started",
        SlotStatus::InProgress => "进行中 In progress",
        SlotStatus::Done => "已完成 Done",
        SlotStatus::Skipped => "已跳过 Skipped",
    }
}

fn slot_status_name(s: SlotStatus) -> &'static str {
    match s {
        SlotStatus::Pending => "pending",
        SlotStatus::InProgress => "in_progress",
        SlotStatus::Done => "done",
        SlotStatus::Skipped => "skipped",
    }
}

/// Who played slot `i`: the member, or the class vote's group.
fn player_name(drill: &Drill, slot: usize) -> String {
    match drill.slots[slot].player {
        Some(i) => drill.plan.roster[i].name.clone(),
        None => drill.plan.group.as_ref().map(|g| g.name.clone()).unwrap_or_default(),
    }
}

fn names(drill: &Drill, members: &[usize]) -> Vec<String> {
    members.iter().filter_map(|&i| drill.plan.roster.get(i)).map(|m| m.name.clone()).collect()
}

fn scenario_title(scripts: &Library, id: &str) -> String {
    match scripts.script(id) {
        Some(sc) => both(&sc.scenario.title.zh, &sc.scenario.title.en),
        None => html_escape(id),
    }
}

fn kappa_text(k: Kappa) -> String {
    match k {
        Kappa::Value(v) => format!("{v:.2}"),
        Kappa::Undefined(KappaUndefined::OneObserver) => "无法计算：只有一名观察员 · undefined: one observer".into(),
        Kappa::Undefined(KappaUndefined::TooFewSubjects) => {
            "无法计算：共同评分项太少 · undefined: too few items rated in common".into()
        }
        Kappa::Undefined(KappaUndefined::NoVariance) => {
            "无法计算：评分没有差异 · undefined: no variation in the scores".into()
        }
    }
}

/// As on the projected sheet: "—" the observer saw nothing to judge the
/// item by, "·" the observer left it unmarked (the legend says so).
fn mark_text(mark: Option<Observation>) -> String {
    match mark {
        Some(Observation::Level(l)) => l.to_string(),
        Some(Observation::NotObserved) => "—".into(),
        None => "·".into(),
    }
}

/// Both kappas, or the reason once when neither exists for the same reason.
fn kappas_text(linear: Kappa, quadratic: Kappa) -> String {
    match (linear, quadratic) {
        (Kappa::Undefined(a), Kappa::Undefined(b)) if a == b => {
            format!("加权 kappa Weighted kappa: {}", kappa_text(linear))
        }
        _ => format!(
            "加权 kappa（线性 / 二次）Weighted kappa (linear / quadratic): {} / {}",
            kappa_text(linear),
            kappa_text(quadratic)
        ),
    }
}

/// An item the observers scored 0 (harmful) or 1 (missed), over a
/// role-play drill's finished slots: the role-play's common mistakes, where
/// the responder's own words have no scripted option to count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedMistake {
    pub item: Item,
    /// Observers' marks of 0 or 1 on the item.
    pub marks: usize,
    /// Responders whose median on the item was 0 or 1 (what their score
    /// used), in slot order.
    pub responders: Vec<String>,
}

/// A red flag an observer raised in a role-play slot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaisedFlag {
    pub slot: usize,
    pub responder: String,
    pub flag: RedFlag,
    /// The observers who raised it.
    pub by: Vec<String>,
    /// At least half of the slot's observers raised it, so it counted and
    /// failed the attempt.
    pub failed: bool,
}

/// Items observers scored 0–1 over the drill's finished role-play slots,
/// most marks first (ties: rubric order).
pub fn observed_mistakes(drill: &Drill) -> Vec<ObservedMistake> {
    let mut found: Vec<ObservedMistake> = Vec::new();
    for slot in &drill.slots {
        if drill.states[slot.index].status != SlotStatus::Done {
            continue;
        }
        let Some(agreement) = drill.agreement(slot.index) else { continue };
        for row in &agreement.items {
            let low = row.marks.iter().filter(|m| matches!(m, Some(Observation::Level(l)) if *l <= 1)).count();
            if low == 0 {
                continue;
            }
            let at = match found.iter().position(|m| m.item == row.item) {
                Some(at) => at,
                None => {
                    found.push(ObservedMistake { item: row.item, marks: 0, responders: Vec::new() });
                    found.len() - 1
                }
            };
            found[at].marks += low;
            let responder = player_name(drill, slot.index);
            if row.median.is_some_and(|m| m <= 1) && !found[at].responders.contains(&responder) {
                found[at].responders.push(responder);
            }
        }
    }
    found.sort_by(|a, b| b.marks.cmp(&a.marks).then(a.item.index().cmp(&b.item.index())));
    found
}

/// Every red flag raised in the drill's finished role-play slots, in slot order.
pub fn raised_flags(drill: &Drill) -> Vec<RaisedFlag> {
    let mut out = Vec::new();
    for slot in &drill.slots {
        let state = &drill.states[slot.index];
        if state.status != SlotStatus::Done {
            continue;
        }
        let Some(agreement) = drill.agreement(slot.index) else { continue };
        let counted = state.result.as_ref().map(|r| r.card.red_flags.clone()).unwrap_or_default();
        for (flag, by) in &agreement.red_flags {
            out.push(RaisedFlag {
                slot: slot.index,
                responder: player_name(drill, slot.index),
                flag: *flag,
                by: names(drill, by),
                failed: counted.contains(flag),
            });
        }
    }
    out
}

/// The red flags that counted in a slot's result, with who raised them
/// where observers did (role-play), e.g. "data_leak (王芳;李雷)".
fn slot_flags(drill: &Drill, slot: usize) -> Vec<(RedFlag, Vec<String>)> {
    let counted = drill.states[slot].result.as_ref().map(|r| r.card.red_flags.clone()).unwrap_or_default();
    let raised = drill.agreement(slot).map(|a| a.red_flags).unwrap_or_default();
    counted
        .into_iter()
        .map(|flag| {
            let by = raised.iter().find(|(f, _)| *f == flag).map(|(_, by)| names(drill, by)).unwrap_or_default();
            (flag, by)
        })
        .collect()
}

/// The drill's dates (UTC), from when its slots' attempts were opened:
/// "2026-12-01", or a range when it ran over several days.
pub(crate) fn drill_dates(drill: &Drill) -> Option<String> {
    let mut days: Vec<&str> = drill.states.iter().filter_map(|s| s.started_at.as_deref()).filter_map(|t| t.get(..10)).collect();
    days.sort_unstable();
    days.dedup();
    match (days.first(), days.last()) {
        (Some(first), Some(last)) if first == last => Some(first.to_string()),
        (Some(first), Some(last)) => Some(format!("{first} – {last}")),
        _ => None,
    }
}

/// Who was there: a member with every slot skipped was absent. A class
/// vote's roster is who was present.
fn attendance(drill: &Drill) -> (Vec<String>, Vec<String>) {
    let mut present = Vec::new();
    let mut absent = Vec::new();
    for (i, member) in drill.plan.roster.iter().enumerate() {
        let slots: Vec<&SlotStatus> =
            drill.slots.iter().filter(|s| s.player == Some(i)).map(|s| &drill.states[s.index].status).collect();
        if !slots.is_empty() && slots.iter().all(|s| **s == SlotStatus::Skipped) {
            absent.push(member.name.clone());
        } else {
            present.push(member.name.clone());
        }
    }
    (present, absent)
}

fn disc_code(style: crate::scenario::model::DiscStyle) -> String {
    format!("{style:?}")
}

/// The trainer's session report: who did what, scores by dimension, the
/// most common mistakes and discussion prompts. `attempts` are the drill's
/// slot attempts (`Store::drill_attempts`).
pub fn drill_html(drill: &Drill, attempts: &[AttemptRecord], scripts: &Library) -> String {
    let plan = &drill.plan;
    let mode = plan.mode.label();
    let mut b = String::new();
    let _ = writeln!(b, "<h1>演练报告 Drill report: {}</h1>", html_escape(&plan.title));
    let done = drill.states.iter().filter(|s| s.status == SlotStatus::Done).count();
    let _ = writeln!(
        b,
        "<p>模式 Mode: {} · 共 {} 轮次，完成 {} · {} slots, {} done</p>",
        both(&mode.zh, &mode.en),
        drill.slots.len(),
        done,
        drill.slots.len(),
        done
    );
    if let Some(dates) = drill_dates(drill) {
        let _ = writeln!(b, "<p>日期 Date (UTC): {}</p>", html_escape(&dates));
    }
    let (present, absent) = attendance(drill);
    let _ = write!(b, "<p>出席 Present ({}): {}", present.len(), html_escape(&present.join("、")));
    if !absent.is_empty() {
        let _ = write!(b, " · 缺席 Absent ({}): {}", absent.len(), html_escape(&absent.join("、")));
    }
    let _ = writeln!(b, "</p>");
    if let Some(group) = &plan.group {
        let _ = writeln!(b, "<p class=\"muted\">成绩记入班级档案 Recorded under the class profile: {}</p>", html_escape(&group.name));
    }

    let _ = writeln!(b, "<h2>谁做了什么 Who did what</h2><table><tr><th>#</th><th>学员 Member</th><th>情景 Scenario</th><th>状态 Status</th>");
    for d in Dimension::ALL {
        let _ = write!(b, "<th>{}</th>", html_escape(&d.label().zh));
    }
    let _ = writeln!(b, "<th>总分 Overall</th><th></th><th>红线 Red flags</th><th>DISC 判断 guess</th></tr>");
    for (slot, state) in drill.slots.iter().zip(&drill.states) {
        let mut who = html_escape(&player_name(drill, slot.index));
        if let Some(c) = slot.citizen.and_then(|c| plan.roster.get(c)) {
            let _ = write!(who, "<div class=\"muted\">扮演群众 Citizen: {}</div>", html_escape(&c.name));
        }
        if !slot.observers.is_empty() {
            let _ = write!(who, "<div class=\"muted\">观察员 Observers: {}</div>", html_escape(&names(drill, &slot.observers).join("、")));
        }
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{who}</td><td>{}</td><td>{}</td>",
            slot.index + 1,
            scenario_title(scripts, &slot.scenario),
            slot_status_label(state.status)
        );
        let card = state.result.as_ref().map(|r| &r.card);
        for d in Dimension::ALL {
            let _ = write!(b, "<td>{}</td>", opt_num(card.map(|c| c.dimension(d))));
        }
        let flags: Vec<String> = slot_flags(drill, slot.index)
            .into_iter()
            .map(|(flag, by)| {
                let l = flag.label();
                let by = if by.is_empty() { String::new() } else { format!(" ({})", html_escape(&by.join("、"))) };
                format!("{}{by}", both(&l.zh, &l.en))
            })
            .collect();
        let flags = if flags.is_empty() { String::new() } else { format!("<span class=\"flag\">{} — 本次不通过 failed the attempt</span>", flags.join("; ")) };
        let guess = match (&state.result, plan.mode) {
            (Some(r), Mode::HotSeat) => {
                let truth = scripts
                    .script(&slot.scenario)
                    .and_then(|sc| sc.scenario.citizen.all_personas().into_iter().find(|p| p.id == r.persona))
                    .map(|p| p.disc.primary);
                match (r.disc_guess, truth) {
                    (Some(g), Some(t)) => format!("{} ({} {}) {}", disc_code(g), "实为 was", disc_code(t), if g == t { "√" } else { "×" }),
                    (Some(g), None) => disc_code(g),
                    (None, _) => "—".into(),
                }
            }
            _ => String::new(),
        };
        let _ = writeln!(
            b,
            "<td>{}</td><td>{}</td><td>{flags}</td><td>{}</td></tr>",
            opt_num(card.map(|c| c.overall)),
            verdict(card.map(|c| c.passed)),
            html_escape(&guess)
        );
    }
    let _ = writeln!(b, "</table>");

    let board = drill.scoreboard();
    let _ = writeln!(b, "<h2>各维度得分 Scores by dimension</h2><table><tr><th>学员 Member</th><th>完成 Done</th><th>通过 Passed</th>");
    for d in Dimension::ALL {
        let l = d.label();
        let _ = write!(b, "<th>{}</th>", both(&l.zh, &l.en));
    }
    let _ = writeln!(b, "<th>总分 Overall</th></tr>");
    let mut row = |name: String, finished: String, passed: String, dims: Option<[f32; 5]>, overall: Option<f32>| {
        let _ = write!(b, "<tr><td>{name}</td><td>{finished}</td><td>{passed}</td>");
        for i in 0..5 {
            let _ = write!(b, "<td>{}</td>", opt_num(dims.map(|d| d[i])));
        }
        let _ = writeln!(b, "<td>{}</td></tr>", opt_num(overall));
    };
    for r in &board.rows {
        row(html_escape(&r.name), r.finished.to_string(), r.passed.to_string(), r.dimensions, r.overall);
    }
    row("<strong>全体平均 Class mean</strong>".into(), String::new(), String::new(), board.class_dimensions, board.class_overall);
    let _ = writeln!(b, "</table>");

    papers_html(&mut b, drill, attempts, scripts);

    if plan.mode == Mode::ClassVote {
        let _ = writeln!(b, "<h2>全班表决分布 How the class split</h2>");
        for (slot, state) in drill.slots.iter().zip(&drill.states).filter(|(_, st)| !st.votes.is_empty()) {
            let _ = writeln!(
                b,
                "<h3>#{} {}</h3><table><tr><th>轮 Turn</th><th>票数 Votes (选项 option: n, %)</th><th>采纳 Followed</th></tr>",
                slot.index + 1,
                scenario_title(scripts, &slot.scenario)
            );
            for (k, vote) in state.votes.iter().enumerate() {
                let split = match &vote.counts {
                    Some(counts) => {
                        let total: u32 = counts.iter().sum();
                        counts
                            .iter()
                            .enumerate()
                            .map(|(i, n)| format!("{}: {n} ({:.0}%)", i + 1, 100.0 * *n as f64 / total.max(1) as f64))
                            .collect::<Vec<_>>()
                            .join(" · ")
                    }
                    None => "只录入多数 majority only".to_string(),
                };
                let tie = if vote.tie_broken { " <span class=\"muted\">(平票，由培训师选择 tie, trainer's pick)</span>" } else { "" };
                let _ = writeln!(b, "<tr><td>{}</td><td>{split}</td><td>{}{tie}</td></tr>", k + 1, vote.followed + 1);
            }
            let _ = writeln!(b, "</table>");
        }
    }

    if plan.mode == Mode::RolePlay {
        let _ = writeln!(b, "<h2>观察员评分一致性 Observer agreement</h2>");
        let _ = writeln!(
            b,
            "<p class=\"muted\">0 有害 harmful · 1 遗漏 missed · 2 合格 adequate · 3 优秀 exemplary · — 观察员表示未观察到 not observed · · 未打分 not marked. \
             加权 kappa：扣除偶然一致后的一致程度，1 完全一致，0 与偶然无异；0.6 以上较高，0.4 以下值得讨论。 \
             Weighted kappa: agreement beyond chance; 1 perfect, 0 no better than chance; above 0.6 substantial, below 0.4 worth discussing.</p>"
        );
        for slot in &drill.slots {
            let Some(agreement) = drill.agreement(slot.index) else { continue };
            if drill.states[slot.index].status != SlotStatus::Done {
                continue;
            }
            let _ = writeln!(
                b,
                "<h3>#{} {}</h3><p>{}</p>",
                slot.index + 1,
                html_escape(&player_name(drill, slot.index)),
                kappas_text(agreement.kappa_linear, agreement.kappa_quadratic)
            );
            for raised in raised_flags(drill).into_iter().filter(|f| f.slot == slot.index) {
                let l = raised.flag.label();
                let verdict = if raised.failed {
                    "至少一半观察员标出，计入成绩：本次不通过 — raised by at least half of the observers: it counted and failed the attempt"
                } else {
                    "不到一半观察员标出，不计入成绩 — raised by fewer than half of the observers: not counted"
                };
                let _ = writeln!(
                    b,
                    "<p class=\"flag\">红线 Red flag: {} — 标出者 raised by {}. {verdict}</p>",
                    both(&l.zh, &l.en),
                    html_escape(&raised.by.join("、"))
                );
            }
            let _ = writeln!(b, "<table><tr><th>评分项 Item</th>");
            for name in names(drill, &agreement.observers) {
                let _ = write!(b, "<th>{}</th>", html_escape(&name));
            }
            let _ = writeln!(b, "<th>一致 Agree %</th><th>中位数 Median</th></tr>");
            for item in agreement.items.iter().filter(|i| i.marks.iter().any(Option::is_some)) {
                let l = item.item.label();
                let _ = write!(b, "<tr><td>{:?} {}</td>", item.item, both(&l.zh, &l.en));
                for mark in &item.marks {
                    let _ = write!(b, "<td>{}</td>", mark_text(*mark));
                }
                let _ = writeln!(
                    b,
                    "<td>{}</td><td>{}</td></tr>",
                    item.percent.map(|p| format!("{p:.0}%")).unwrap_or_default(),
                    item.median.map(|m| m.to_string()).unwrap_or_default()
                );
            }
            let _ = writeln!(b, "</table>");
        }
    }

    let mistakes = drill_mistakes(drill, attempts, scripts);
    let _ = writeln!(b, "<h2>常见失误 Most common mistakes</h2>");
    // A role-play's responders speak freely: its mistakes are what the
    // observers scored 0–1 and the red flags they raised.
    let observed = observed_mistakes(drill);
    let flags = raised_flags(drill);
    if !observed.is_empty() {
        let _ = writeln!(b, "<h3>观察员评为 0–1 的评分项 Items observers scored 0–1</h3><table><tr><th>评分项 Item</th><th>0–1 次数 Marks of 0–1</th><th>中位数 0–1 的应答者 Responders with a median of 0–1</th></tr>");
        for m in &observed {
            let l = m.item.label();
            let _ = writeln!(
                b,
                "<tr><td>{:?} {}</td><td>{}</td><td>{}</td></tr>",
                m.item,
                both(&l.zh, &l.en),
                m.marks,
                html_escape(&m.responders.join("、"))
            );
        }
        let _ = writeln!(b, "</table>");
    }
    if !flags.is_empty() {
        let _ = writeln!(b, "<h3>观察员标出的红线 Red flags observers raised</h3><ul>");
        for f in &flags {
            let l = f.flag.label();
            let counted = if f.failed { "本次不通过 failed the attempt" } else { "未计入 not counted (fewer than half)" };
            let _ = writeln!(
                b,
                "<li>#{} {}: {} — {} · {counted}</li>",
                f.slot + 1,
                html_escape(&f.responder),
                both(&l.zh, &l.en),
                html_escape(&f.by.join("、"))
            );
        }
        let _ = writeln!(b, "</ul>");
    }
    if mistakes.is_empty() && observed.is_empty() && flags.is_empty() {
        let message = if plan.mode == Mode::RolePlay {
            "<p>观察员没有评 0–1 分，也没有标出红线。 No item was scored 0–1 by an observer and no red flag was raised.</p>"
        } else {
            "<p>没有得分 0–1 的选择。 No option scoring 0–1 was chosen.</p>"
        };
        let _ = writeln!(b, "{message}");
    }
    for (n, m) in mistakes.iter().take(MISTAKES_SHOWN).enumerate() {
        let _ = writeln!(
            b,
            "<h3>{}. {} × {}</h3><p class=\"said\">群众 Citizen: {}</p><p class=\"chosen\">回答 Answer: {}</p><p class=\"muted\">{} · {}</p>",
            n + 1,
            scenario_title(scripts, &m.scenario_id),
            m.times,
            both(&m.said.zh, &m.said.en),
            both(&m.option.zh, &m.option.en),
            html_escape(&m.turn_id),
            html_escape(&m.by.join("、"))
        );
        let _ = writeln!(b, "<ol>");
        for p in discussion_prompts(m) {
            let l = p.step.label();
            let _ = writeln!(b, "<li><strong>{} {}</strong>: {}</li>", html_escape(&l.zh), html_escape(&l.en), both(&p.text.zh, &p.text.en));
        }
        let _ = writeln!(b, "</ol>");
    }
    page(&format!("{} — Counterpart", plan.title), &b)
}

/// Per slot, what was written and done beside the call: the work order
/// ("you wrote / the call said"), the one-time notice, the knowledge
/// looked up and the risk protocol, as each slot's attempt keeps them; in a
/// role-play, the observers' ticks of the responder's order. Nothing when
/// no slot has any of these.
fn papers_html(b: &mut String, drill: &Drill, attempts: &[AttemptRecord], scripts: &Library) {
    let mut body = String::new();
    for (slot, state) in drill.slots.iter().zip(&drill.states) {
        let record = state.attempt.and_then(|id| attempts.iter().find(|r| r.summary.id == id));
        let protocol = drill.protocol_report(slot.index, scripts).ok().flatten();
        let mut part = String::new();
        if let Some(record) = record {
            protocol_html(&mut part, record, protocol.as_ref(), 4);
            order_html(&mut part, record, 4);
            notice_html(&mut part, record, 4);
        }
        let ticked: Vec<&crate::drill::ObserverSheet> = state.sheets.iter().filter(|s| !s.order_ticks.is_empty()).collect();
        if !ticked.is_empty() {
            let _ = write!(part, "<h4>观察员对工单的勾选 Observers' ticks of the work order</h4><table><tr><th>栏目 Field</th>");
            for name in names(drill, &ticked.iter().map(|s| s.observer).collect::<Vec<_>>()) {
                let _ = write!(part, "<th>{}</th>", html_escape(&name));
            }
            let _ = writeln!(part, "</tr>");
            for field in crate::workorder::FieldName::ALL {
                if ticked.iter().all(|s| s.order_tick(field).is_none()) {
                    continue;
                }
                let l = field.label();
                let _ = write!(part, "<tr><td>{}</td>", both(&l.zh, &l.en));
                for sheet in &ticked {
                    let cell = match sheet.order_tick(field) {
                        Some(true) => "<span class=\"pass\">√ 对 right</span>",
                        Some(false) => "<span class=\"fail\">× 不对 not right</span>",
                        None => "",
                    };
                    let _ = write!(part, "<td>{cell}</td>");
                }
                let _ = writeln!(part, "</tr>");
            }
            let _ = writeln!(part, "</table>");
        }
        if !part.is_empty() {
            let _ = writeln!(body, "<h3>#{} {} — {}</h3>{part}", slot.index + 1, html_escape(&player_name(drill, slot.index)), scenario_title(scripts, &slot.scenario));
        }
    }
    if !body.is_empty() {
        let _ = writeln!(b, "<h2>工单、告知单与风险处置 Work orders, notices and risk protocols</h2>{body}");
    }
}

/// The report lists this many mistakes; the CSV and `common_mistakes` all.
pub(crate) const MISTAKES_SHOWN: usize = 10;

pub const DRILL_CSV_HEADER: [&str; 21] = [
    "slot", "round", "mode", "member", "role", "citizen", "observers", "scenario_id", "status", "attempt_id",
    "overall", "listening", "empathy", "clarity", "disc", "process", "passed", "choices", "date", "red_flags",
    "disc_guess",
];

/// One row per slot: who did what and how it scored.
pub fn write_drill_csv<W: std::io::Write>(drill: &Drill, out: W) -> Result<(), csv::Error> {
    let mut w = csv_writer(out)?;
    w.write_record(DRILL_CSV_HEADER)?;
    for row in drill_rows(drill, csv_safe) {
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// The rows of `write_drill_csv` (`DRILL_CSV_HEADER` columns).
pub(crate) fn drill_rows(drill: &Drill, text: fn(&str) -> String) -> Vec<Vec<String>> {
    let csv_safe = text;
    let mut rows = Vec::new();
    for (slot, state) in drill.slots.iter().zip(&drill.states) {
        let card = state.result.as_ref().map(|r| &r.card);
        let role = match (drill.plan.mode, slot.player) {
            (Mode::RolePlay, _) => "responder",
            (_, None) => "class",
            _ => "player",
        };
        let mut row: Vec<String> = vec![
            (slot.index + 1).to_string(),
            (slot.round + 1).to_string(),
            format!("{:?}", drill.plan.mode),
            csv_safe(&player_name(drill, slot.index)),
            role.into(),
            slot.citizen.and_then(|c| drill.plan.roster.get(c)).map(|m| csv_safe(&m.name)).unwrap_or_default(),
            names(drill, &slot.observers).iter().map(|n| csv_safe(n)).collect::<Vec<_>>().join(";"),
            csv_safe(&slot.scenario),
            slot_status_name(state.status).into(),
            state.attempt.map(|a| a.to_string()).unwrap_or_default(),
            opt_num(card.map(|c| c.overall)),
        ];
        row.extend(Dimension::ALL.iter().map(|&d| opt_num(card.map(|c| c.dimension(d)))));
        row.push(card.map(|c| c.passed.to_string()).unwrap_or_default());
        row.push(state.choices.iter().map(|c| (c + 1).to_string()).collect::<Vec<_>>().join(";"));
        row.push(state.started_at.as_deref().and_then(|t| t.get(..10)).unwrap_or_default().to_string());
        // The flags that counted (and failed the attempt), with who raised them.
        let flags: Vec<String> = slot_flags(drill, slot.index)
            .into_iter()
            .map(|(flag, by)| {
                let code = format!("{flag:?}");
                if by.is_empty() { code } else { format!("{code} ({})", by.join(";")) }
            })
            .collect();
        row.push(csv_safe(&flags.join(" ")));
        row.push(state.result.as_ref().and_then(|r| r.disc_guess).map(disc_code).unwrap_or_default());
        rows.push(row);
    }
    rows
}
