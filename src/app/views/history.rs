//! History: the trainee's progress per dimension over time, best and latest
//! per scenario, the weakest dimension with scenarios that practise it, and
//! every attempt. An export button writes the trainer's files.

use super::widgets::{ACCENT, FAIL, MUTED, PASS, cell, text_width, widest};
use super::{screen_title, shortcut, tr};
use counterpart_core::scenario::model::Lang;
use bevy_egui::egui::{self, Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    /// The attempt, to open its debrief.
    pub id: i64,
    pub when: String,
    pub scenario: String,
    /// None while the attempt is unfinished or was abandoned.
    pub overall: Option<f32>,
    pub passed: Option<bool>,
    pub status: String,
    pub kind: RowKind,
}

/// What an attempt was, so exam results are never read as practice.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum RowKind {
    #[default]
    Practice,
    /// A group drill's slot: which kind (hot seat, class vote,
    /// observer-scored role-play) and the drill's title.
    Drill(String),
    /// A drawn scenario of an exam sitting: the exam, the sitting and the
    /// scenario's place; `withheld` while the trainer has not released
    /// its debrief.
    Exam { label: String, withheld: bool },
}

/// Exam rows stand out from practice in the list.
pub const EXAM: Color32 = Color32::from_rgb(150, 80, 170);

/// One completed attempt on the progress chart, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    /// In `Dimension::ALL` order.
    pub dimensions: [f32; 5],
    pub overall: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRow {
    pub title: String,
    pub attempts: usize,
    pub best: f32,
    pub best_passed: bool,
    pub latest: f32,
    pub latest_passed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub scenario_id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WeakestVm {
    pub dimension: String,
    pub mean: f32,
    pub over_attempts: usize,
    pub practise: Vec<Suggestion>,
    /// Open mistakes of this dimension's rubric items, in the mistake book.
    pub open_mistakes: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistoryVm {
    pub lang: Lang,
    pub profile: String,
    /// Dimension names in `Dimension::ALL` order, in the current language.
    pub dimension_names: [String; 5],
    pub chart: Vec<ChartPoint>,
    pub scenarios: Vec<ScenarioRow>,
    pub weakest: Option<WeakestVm>,
    pub rows: Vec<HistoryRow>,
    /// Why the list may be empty or incomplete, e.g. the store failed to open.
    pub note: Option<String>,
    /// The last export's outcome: where the files went, or why not.
    pub export_status: Option<Result<String, String>>,
    pub can_export: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryAction {
    Back,
    Export,
    /// Start a suggested scenario (by id).
    Practise(String),
    /// Open an attempt's debrief (by attempt id).
    Open(i64),
    /// Open the mistake book.
    Mistakes,
    /// Open the class overview (for trainers).
    ClassOverview,
}

/// One colour per dimension, distinct for colour-blind viewers where it
/// matters most (listening vs. empathy), and the overall line in black.
pub const DIMENSION_COLOURS: [Color32; 5] = [
    Color32::from_rgb(0, 114, 178),
    Color32::from_rgb(213, 94, 0),
    Color32::from_rgb(0, 158, 115),
    Color32::from_rgb(204, 121, 167),
    Color32::from_rgb(230, 159, 0),
];

pub fn history_view(ui: &mut egui::Ui, vm: &HistoryVm) -> Option<HistoryAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.horizontal(|ui| {
        screen_title(ui, tr(lang, "练习记录", "History"));
        ui.label(RichText::new(&vm.profile).color(MUTED));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(tr(lang, "返回场景库 (Esc)", "Back to the library (Esc)")).clicked() {
                action = Some(HistoryAction::Back);
            }
            if ui.button(tr(lang, "错题集 (M)", "Mistake book (M)")).clicked() || shortcut(ui, egui::Key::M) {
                action = Some(HistoryAction::Mistakes);
            }
            if ui.button(tr(lang, "班级概览 (O)", "Class overview (O)")).clicked() || shortcut(ui, egui::Key::O) {
                action = Some(HistoryAction::ClassOverview);
            }

            let export = ui.add_enabled(vm.can_export, egui::Button::new(tr(lang, "导出报告 (E)", "Export reports (E)")));
            if export.clicked() || (vm.can_export && shortcut(ui, egui::Key::E)) {
                action = Some(HistoryAction::Export);
            }
        });
    });
    match &vm.export_status {
        Some(Ok(path)) => {
            ui.label(RichText::new(format!("{}{path}", tr(lang, "已导出到：", "Exported to: "))).color(PASS));
        }
        Some(Err(e)) => {
            ui.label(RichText::new(format!("{}{e}", tr(lang, "导出失败：", "Export failed: "))).color(FAIL));
        }
        None => {}
    }
    if let Some(note) = &vm.note {
        ui.label(RichText::new(note).color(MUTED));
    }
    if vm.rows.is_empty() {
        ui.label(tr(lang, "还没有练习记录。", "No attempts yet."));
        return action;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        if let Some(weak) = &vm.weakest
            && let Some(a) = weakest_panel(ui, lang, weak)
        {
            action = Some(a);
        }
        ui.add_space(6.0);
        if vm.chart.is_empty() {
            ui.label(RichText::new(tr(lang, "完成一次练习后，这里会显示各维度的进步曲线。", "Finish an attempt to see your progress per dimension here.")).color(MUTED));
        } else {
            ui.label(RichText::new(tr(lang, "各维度得分变化", "Scores per dimension over time")).strong());
            progress_chart(ui, vm);
        }
        ui.add_space(8.0);
        if !vm.scenarios.is_empty() {
            ui.label(RichText::new(tr(lang, "各场景最好与最近成绩", "Best and latest per scenario")).strong());
            scenario_table(ui, lang, &vm.scenarios);
            ui.add_space(8.0);
        }
        ui.label(RichText::new(tr(lang, "全部练习（点“复盘”查看）", "All attempts (open a debrief with “Debrief”)")).strong());
        if let Some(a) = attempts_table(ui, lang, &vm.rows) {
            action = Some(a);
        }
    });
    action
}

fn weakest_panel(ui: &mut egui::Ui, lang: Lang, weak: &WeakestVm) -> Option<HistoryAction> {
    let mut action = None;
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, ACCENT)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let headline = match lang {
            Lang::Zh => format!("最需要加强：{}（最近 {} 次平均 {:.0} 分）", weak.dimension, weak.over_attempts, weak.mean),
            Lang::En => format!("Work on next: {} (mean {:.0} over the last {} attempts)", weak.dimension, weak.mean, weak.over_attempts),
        };
        ui.label(RichText::new(headline).strong().color(ACCENT));
        if weak.open_mistakes > 0 {
            ui.horizontal_wrapped(|ui| {
                ui.label(match lang {
                    Lang::Zh => format!("错题集里这一维度还有 {} 道错题待改正：从出错的那一步练起最见效。", weak.open_mistakes),
                    Lang::En => format!("{} open mistake(s) of this dimension in your mistake book: practising from where it went wrong works best.", weak.open_mistakes),
                });
                if ui.button(tr(lang, "打开错题集 (M)", "Open the mistake book (M)")).clicked() {
                    action = Some(HistoryAction::Mistakes);
                }
            });
        }
        if weak.practise.is_empty() {
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(tr(lang, "练这几个场景：", "Scenarios that practise it:"));
            for (k, s) in weak.practise.iter().enumerate() {
                let key = super::digit_pressed(ui, k);
                if ui.button(format!("{} {}", k + 1, s.title)).clicked() || key {
                    action = Some(HistoryAction::Practise(s.scenario_id.clone()));
                }
            }
        });
    });
    action
}

fn progress_chart(ui: &mut egui::Ui, vm: &HistoryVm) {
    let height = (ui.available_height() * 0.45).clamp(180.0, 360.0);
    let lang = vm.lang;
    let overall_colour = ui.visuals().strong_text_color();
    Plot::new("progress-chart")
        .height(height)
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(100.0)
        .include_x(0.5)
        .include_x(vm.chart.len() as f64 + 0.5)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .x_axis_label(tr(lang, "第几次练习", "Attempt"))
        .x_axis_formatter(|mark, _| if mark.value.fract() == 0.0 && mark.value >= 1.0 { format!("{:.0}", mark.value) } else { String::new() })
        .show(ui, |plot| {
            for (d, name) in vm.dimension_names.iter().enumerate() {
                let series: Vec<[f64; 2]> = vm.chart.iter().enumerate().map(|(k, p)| [k as f64 + 1.0, p.dimensions[d] as f64]).collect();
                plot.line(Line::new(name.as_str(), PlotPoints::from(series.clone())).color(DIMENSION_COLOURS[d]).width(2.0));
                // Single attempts draw no line, so mark every point.
                plot.points(Points::new(name.as_str(), PlotPoints::from(series)).color(DIMENSION_COLOURS[d]).radius(3.0));
            }
            let overall: Vec<[f64; 2]> = vm.chart.iter().enumerate().map(|(k, p)| [k as f64 + 1.0, p.overall as f64]).collect();
            let name = tr(lang, "总分", "Overall");
            plot.line(Line::new(name, PlotPoints::from(overall.clone())).color(overall_colour).width(3.0));
            plot.points(Points::new(name, PlotPoints::from(overall)).color(overall_colour).radius(4.0));
        });
}

fn verdict(ui: &mut egui::Ui, lang: Lang, score: f32, passed: bool) {
    let (word, colour) = if passed { (tr(lang, "通过", "passed"), PASS) } else { (tr(lang, "未通过", "not passed"), FAIL) };
    ui.label(RichText::new(format!("{score:.0} {word}")).color(colour));
}

/// The room left for a table's title column once the other columns (each
/// as wide as its widest text) and the spaces between them are taken out:
/// the whole width up to `TITLE_MAX`, never under `TITLE_MIN`.
fn title_width(ui: &egui::Ui, others: &[f32]) -> f32 {
    let used: f32 = others.iter().sum::<f32>() + TABLE_GAP * others.len() as f32;
    (ui.available_width() - 2.0 - used).clamp(TITLE_MIN, TITLE_MAX)
}

/// Narrower than this a title column cannot show a title's first words.
const TITLE_MIN: f32 = 180.0;
/// Wider than this the figures sit too far from the title they belong to.
const TITLE_MAX: f32 = 560.0;
const TABLE_GAP: f32 = 24.0;

/// A scenario title on one line in its column, cut short with "…" when too
/// long (hovering shows it whole).
fn title_cell(ui: &mut egui::Ui, width: f32, title: &str, under: Option<RichText>) {
    cell(ui, width, |ui| {
        ui.add(egui::Label::new(title).truncate());
        if let Some(under) = under {
            ui.add(egui::Label::new(under).truncate());
        }
    });
}

fn scenario_table(ui: &mut egui::Ui, lang: Lang, rows: &[ScenarioRow]) {
    let figures = |row: &ScenarioRow| [row.best, row.latest].map(|score| format!("{score:.0} {}", tr(lang, "未通过", "not passed")));
    // (A grid column is never narrower than the interact size.)
    let least = ui.spacing().interact_size.x;
    let attempts = widest(ui, [tr(lang, "次数", "Attempts")], least);
    let scores = rows.iter().map(|r| widest(ui, figures(r).iter().map(String::as_str), least)).fold(widest(ui, [tr(lang, "最好", "Best"), tr(lang, "最近", "Latest")], least), f32::max);
    let title = title_width(ui, &[attempts, scores, scores]);
    egui::Grid::new("history-scenarios").striped(true).spacing([TABLE_GAP, 6.0]).show(ui, |ui| {
        cell(ui, title, |ui| ui.label(RichText::new(tr(lang, "场景", "Scenario")).strong()));
        ui.label(RichText::new(tr(lang, "次数", "Attempts")).strong());
        ui.label(RichText::new(tr(lang, "最好", "Best")).strong());
        ui.label(RichText::new(tr(lang, "最近", "Latest")).strong());
        ui.end_row();
        for row in rows {
            title_cell(ui, title, &row.title, None);
            ui.label(row.attempts.to_string());
            verdict(ui, lang, row.best, row.best_passed);
            verdict(ui, lang, row.latest, row.latest_passed);
            ui.end_row();
        }
    });
}

fn attempts_table(ui: &mut egui::Ui, lang: Lang, rows: &[HistoryRow]) -> Option<HistoryAction> {
    let mut action = None;
    // Every column but the scenario's as wide as its widest text; the
    // scenario's takes the rest, so a title is never squeezed to a sliver.
    // (A grid column is never narrower than the interact size.)
    let least = ui.spacing().interact_size.x;
    let open = (text_width(ui, tr(lang, "复盘", "Debrief")) + 2.0 * ui.spacing().button_padding.x).max(least);
    let when = widest(ui, rows.iter().map(|r| r.when.as_str()).chain([tr(lang, "时间", "When")]), least);
    let status = widest(ui, rows.iter().map(|r| r.status.as_str()).chain([tr(lang, "状态", "Status")]), least);
    let overall = widest(ui, ["100", tr(lang, "总分", "Overall")], least);
    let result = widest(ui, [tr(lang, "未通过", "not passed"), tr(lang, "结果", "Result")], least);
    let title = title_width(ui, &[open, when, status, overall, result]);
    egui::Grid::new("history-grid").striped(true).spacing([TABLE_GAP, 6.0]).show(ui, |ui| {
        ui.label("");
        ui.label(RichText::new(tr(lang, "时间", "When")).strong());
        cell(ui, title, |ui| ui.label(RichText::new(tr(lang, "场景", "Scenario")).strong()));
        ui.label(RichText::new(tr(lang, "状态", "Status")).strong());
        ui.label(RichText::new(tr(lang, "总分", "Overall")).strong());
        ui.label(RichText::new(tr(lang, "结果", "Result")).strong());
        ui.end_row();
        for row in rows {
            let withheld = matches!(row.kind, RowKind::Exam { withheld: true, .. });
            let open = ui
                .add_enabled(!withheld, egui::Button::new(tr(lang, "复盘", "Debrief")))
                .on_disabled_hover_text(tr(lang, "考核讲评待培训师发布", "The exam debrief is withheld until the trainer releases it"));
            if open.clicked() {
                action = Some(HistoryAction::Open(row.id));
            }
            ui.label(&row.when);
            let under = match &row.kind {
                RowKind::Practice => RichText::new(tr(lang, "练习", "Practice")).small().color(MUTED),
                RowKind::Drill(drill) => RichText::new(drill).small().color(ACCENT),
                RowKind::Exam { label, withheld } => {
                    let text = if *withheld {
                        format!("{label} · {}", tr(lang, "讲评待发布", "debrief withheld"))
                    } else {
                        label.clone()
                    };
                    RichText::new(text).small().strong().color(EXAM)
                }
            };
            title_cell(ui, title, &row.scenario, Some(under));
            ui.label(&row.status);
            ui.label(row.overall.map_or("—".to_string(), |o| format!("{o:.0}")));
            match row.passed {
                Some(true) => ui.label(RichText::new(tr(lang, "通过", "passed")).color(PASS)),
                Some(false) => ui.label(RichText::new(tr(lang, "未通过", "not passed")).color(FAIL)),
                None => ui.label("—"),
            };
            ui.end_row();
        }
    });
    action
}
