//! The records as an Excel workbook (`counterpart export --xlsx`): real
//! cells, so numbers are numbers, Chinese text needs no byte-order mark and
//! nothing a trainee typed can run as a formula.
//!
//! Sheets: attempts (the CSV's columns), per-dimension scores (one row per
//! completed attempt and dimension, for pivot tables), and drills (the drill
//! report's rows, one per slot, for every drill).

use crate::drill::Drill;
use crate::play::rubric::Dimension;
use crate::records::report::{CSV_HEADER, DRILL_CSV_HEADER, attempt_rows, drill_rows};
use crate::records::store::{AttemptRecord, Status};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

pub(crate) const ATTEMPTS_SHEET: &str = "Attempts 练习";
pub(crate) const SCORES_SHEET: &str = "Scores 维度得分";
pub(crate) const DRILLS_SHEET: &str = "Drills 演练";

pub(crate) const SCORES_HEADER: [&str; 8] =
    ["attempt_id", "profile", "scenario_id", "started_at", "dimension", "维度", "score", "passed"];

/// Columns written as numbers when their cell parses as one (not the
/// seed: a u64 does not fit a spreadsheet's number exactly).
const NUMERIC: &[&str] = &[
    "attempt_id", "scenario_version", "steps", "overall", "listening", "empathy", "clarity", "disc", "process", "rules",
    "slot", "round", "score", "drill_id", "sitting_id", "exam_version", "sitting", "passed_scenarios", "drawn", "minutes",
    // The class overview (`class::workbook`).
    "started", "completed", "abandoned", "mean_score", "scenarios", "trainees", "count", "times", "answers", "quality", "candidates",
    "sittings", "sittings_passed", "scenarios_passed", "scenarios_judged", "active_trainees",
];

fn plain(s: &str) -> String {
    s.to_string()
}

pub(crate) fn sheet(ws: &mut Worksheet, name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let numeric = header.get(c).is_some_and(|h| NUMERIC.contains(h));
            match cell.parse::<f64>() {
                Ok(n) if numeric && n.is_finite() => ws.write_number(r, c as u16, n)?,
                _ if cell.is_empty() => ws,
                _ => ws.write_string(r, c as u16, cell.as_str())?,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    Ok(())
}

/// The workbook's bytes. `drills` are the stored drills (`Store::drill_snapshot`)
/// with their ids.
pub fn workbook(records: &[AttemptRecord], drills: &[(i64, Drill)]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    sheet(wb.add_worksheet(), ATTEMPTS_SHEET, &CSV_HEADER, &attempt_rows(records, plain))?;
    let mut scores = Vec::new();
    for r in records.iter().filter(|r| r.summary.status == Status::Completed) {
        let s = &r.summary;
        let Some(dims) = s.dimensions else { continue };
        for (d, v) in Dimension::ALL.iter().zip(dims) {
            scores.push(vec![
                s.id.to_string(),
                s.profile_name.clone(),
                s.scenario_id.clone(),
                s.started_at.clone(),
                format!("{d:?}").to_lowercase(),
                d.label().zh,
                format!("{v:.1}"),
                s.passed.map(|p| p.to_string()).unwrap_or_default(),
            ]);
        }
    }
    sheet(wb.add_worksheet(), SCORES_SHEET, &SCORES_HEADER, &scores)?;
    let mut header = vec!["drill_id", "drill_title"];
    header.extend(DRILL_CSV_HEADER);
    let mut rows = Vec::new();
    for (id, drill) in drills {
        for row in drill_rows(drill, plain) {
            let mut full = vec![id.to_string(), drill.plan.title.clone()];
            full.extend(row);
            rows.push(full);
        }
    }
    sheet(wb.add_worksheet(), DRILLS_SHEET, &header, &rows)?;
    wb.save_to_buffer()
}
