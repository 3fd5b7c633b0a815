//! The class overview (班级概览) for trainers: the centre's records read
//! back from its learning record store, for a date range and a scenario —
//! who practised what, pass rates, each dimension's spread, the most common
//! mistakes turn by turn, exam results and the weeks' progress — with the
//! connection, the time of the last fetch and the export to Excel.

use super::history::{DIMENSION_COLOURS, EXAM};
use super::widgets::{ACCENT, FAIL, MUTED, PASS};
use super::{screen_title, shortcut, tr};
use bevy_egui::egui::{self, RichText};
use counterpart_core::scenario::model::Lang;
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints, Points};

/// Where the data on screen comes from.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Freshness {
    /// Nothing fetched yet from this address.
    #[default]
    NeverFetched,
    /// The cache as last fetched (time as shown), nothing tried since.
    Cached { fetched_at: String },
    /// A fetch just finished: how many new records it brought.
    Fetched { fetched_at: String, added: usize },
    /// The LRS could not be read: the cache's data (if any) is shown, and why.
    Offline { fetched_at: Option<String>, problem: String },
}

/// What runs in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    Fetching,
    Computing,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WeekVm {
    /// The week's Monday, as shown on the axis (`11-30`).
    pub label: String,
    pub completed: usize,
    pub pass_rate: Option<f64>,
    pub mean: Option<f64>,
    pub active: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DimensionVm {
    pub name: String,
    /// Completed attempts per score band 0–9, 10–19 … 90–100.
    pub bands: [usize; 10],
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonaVm {
    pub name: String,
    pub completed: usize,
    pub pass_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScenarioVm {
    pub title: String,
    pub trainees: usize,
    pub completed: usize,
    pub pass_rate: Option<f64>,
    pub mean: Option<f64>,
    pub personas: Vec<PersonaVm>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraineeVm {
    /// Name, and the account (employee number) when it differs.
    pub name: String,
    pub started: usize,
    pub completed: usize,
    pub passed: usize,
    pub mean: Option<f64>,
    /// The scenarios completed, with how often: "停水报修 ×2 · …".
    pub scenarios: String,
    pub last_active: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MistakeVm {
    pub scenario: String,
    /// "第 3 轮".
    pub turn: String,
    pub option: String,
    pub times: usize,
    pub answers: usize,
    pub trainees: usize,
    pub red_flag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExamVm {
    pub name: String,
    pub candidates: usize,
    pub sittings: usize,
    pub sittings_passed: usize,
    pub scenarios_passed: usize,
    pub scenarios_judged: usize,
    pub mean: Option<f64>,
}

/// The overview's figures, titles resolved for display.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OverviewVm {
    pub trainees: usize,
    pub completed: usize,
    pub pass_rate: Option<f64>,
    /// First and last day of the records shown.
    pub period: Option<(String, String)>,
    pub weeks: Vec<WeekVm>,
    pub dimensions: Vec<DimensionVm>,
    pub scenarios: Vec<ScenarioVm>,
    pub people: Vec<TraineeVm>,
    pub mistakes: Vec<MistakeVm>,
    pub exams: Vec<ExamVm>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassVm {
    pub lang: Lang,
    /// The LRS address and account, edited in place.
    pub url: String,
    pub user: String,
    pub password: String,
    /// The password came from the PC's settings (environment), not typed.
    pub password_preset: bool,
    pub busy: Option<Busy>,
    pub freshness: Freshness,
    /// Records in this PC's copy of the LRS.
    pub cached: usize,
    /// Date range, `YYYY-MM-DD`, edited in place; empty is open.
    pub since: String,
    pub until: String,
    /// Scenarios to choose from: id and title.
    pub scenario_choices: Vec<(String, String)>,
    /// The scenario filtered on (an id of `scenario_choices`).
    pub scenario: Option<String>,
    pub filter_error: Option<String>,
    /// None until the first overview is ready.
    pub overview: Option<OverviewVm>,
    pub export_status: Option<Result<String, String>>,
    /// Why the screen cannot work at all (no records file).
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassAction {
    Back,
    /// Fetch what is new from the LRS (with the address and account shown).
    Refresh,
    /// Apply the typed dates.
    ApplyDates,
    /// Filter on one scenario, or all.
    Scenario(Option<String>),
    /// Clear the dates and the scenario.
    ClearFilter,
    Export,
}

pub fn url_id() -> egui::Id {
    egui::Id::new("class-lrs-url")
}

fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

fn score(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{v:.0}"))
}

pub fn class_view(ui: &mut egui::Ui, vm: &mut ClassVm) -> Option<ClassAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.horizontal(|ui| {
        screen_title(ui, tr(lang, "班级概览", "Class overview"));
        ui.label(RichText::new(tr(lang, "全中心的练习与考核记录", "Practice and exam records of the whole centre")).color(MUTED));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(tr(lang, "返回 (Esc)", "Back (Esc)")).clicked() {
                action = Some(ClassAction::Back);
            }
            let can_export = vm.overview.as_ref().is_some_and(|o| o.completed > 0 || !o.exams.is_empty() || !o.mistakes.is_empty());
            let export = ui.add_enabled(can_export, egui::Button::new(tr(lang, "导出 Excel (E)", "Export to Excel (E)")));
            if export.clicked() || (can_export && shortcut(ui, egui::Key::E)) {
                action = Some(ClassAction::Export);
            }
        });
    });
    if let Some(problem) = &vm.problem {
        ui.label(RichText::new(problem).color(FAIL));
        return action;
    }
    if let Some(a) = connection_row(ui, vm) {
        action = Some(a);
    }
    if let Some(a) = filter_row(ui, vm) {
        action = Some(a);
    }
    match &vm.export_status {
        Some(Ok(path)) => {
            ui.label(RichText::new(format!("{}{path}", tr(lang, "已导出到：", "Exported to: "))).color(PASS));
        }
        Some(Err(e)) => {
            ui.label(RichText::new(format!("{}{e}", tr(lang, "导出失败：", "Export failed: "))).color(FAIL));
        }
        None => {}
    }
    ui.separator();
    let Some(o) = &vm.overview else {
        ui.label(RichText::new(tr(lang, "正在读取本机缓存……", "Reading this PC's copy…")).color(MUTED));
        return action;
    };
    if o.completed == 0 && o.exams.is_empty() && o.mistakes.is_empty() {
        ui.label(match (&vm.freshness, vm.cached) {
            (Freshness::NeverFetched | Freshness::Offline { fetched_at: None, .. }, _) => tr(
                lang,
                "还没有从 LRS 获取过记录。填写中心 LRS 的地址、账号和密码，按“获取新记录”。",
                "Nothing has been fetched from the LRS yet. Fill in the centre's LRS address, account and password, then press “Fetch new records”.",
            ),
            (_, 0) => tr(lang, "LRS 中还没有本软件的练习记录。", "The LRS holds no practice records from this program yet."),
            _ => tr(lang, "所选日期和场景没有记录，请放宽筛选条件。", "No records for the dates and scenario chosen: widen the filter."),
        });
        return action;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        overview_body(ui, lang, o)
    });
    action
}

fn connection_row(ui: &mut egui::Ui, vm: &mut ClassVm) -> Option<ClassAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(tr(lang, "LRS 地址", "LRS address"));
        ui.add(egui::TextEdit::singleline(&mut vm.url).id(url_id()).hint_text("https://lrs.centre.example/xAPI/").desired_width(300.0));
        ui.label(tr(lang, "账号", "Account"));
        ui.add(egui::TextEdit::singleline(&mut vm.user).desired_width(110.0));
        ui.label(tr(lang, "密码", "Password"));
        let hint = if vm.password_preset { tr(lang, "已在本机设置", "set on this PC") } else { "" };
        let pw = ui.add(egui::TextEdit::singleline(&mut vm.password).password(true).hint_text(hint).desired_width(110.0));
        let entered = pw.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let ready = !vm.url.trim().is_empty() && !vm.user.trim().is_empty() && (!vm.password.is_empty() || vm.password_preset);
        let can = ready && vm.busy.is_none();
        let fetch = ui.add_enabled(can, egui::Button::new(tr(lang, "获取新记录 (R)", "Fetch new records (R)")));
        if fetch.clicked() || (can && (entered || shortcut(ui, egui::Key::R))) {
            action = Some(ClassAction::Refresh);
        }
    });
    let (text, colour) = match (&vm.busy, &vm.freshness) {
        (Some(Busy::Fetching), _) => (tr(lang, "正在从 LRS 获取新记录……", "Fetching new records from the LRS…").to_string(), ACCENT),
        (_, Freshness::NeverFetched) => (tr(lang, "尚未获取过。", "Never fetched.").to_string(), MUTED),
        (_, Freshness::Cached { fetched_at }) => (
            match lang {
                Lang::Zh => format!("显示本机缓存，上次获取：{fetched_at}（共 {} 条记录）", vm.cached),
                Lang::En => format!("Showing this PC's copy, last fetched {fetched_at} ({} records)", vm.cached),
            },
            MUTED,
        ),
        (_, Freshness::Fetched { fetched_at, added }) => (
            match lang {
                Lang::Zh => format!("已于 {fetched_at} 获取：新增 {added} 条，共 {} 条记录", vm.cached),
                Lang::En => format!("Fetched {fetched_at}: {added} new, {} records in all", vm.cached),
            },
            PASS,
        ),
        (_, Freshness::Offline { fetched_at, problem }) => (
            match (lang, fetched_at) {
                (Lang::Zh, Some(at)) => format!("无法读取 LRS，显示上次获取（{at}）的本机缓存。{problem}"),
                (Lang::Zh, None) => format!("无法读取 LRS，本机还没有缓存。{problem}"),
                (Lang::En, Some(at)) => format!("The LRS cannot be read: showing this PC's copy as last fetched {at}. {problem}"),
                (Lang::En, None) => format!("The LRS cannot be read and this PC has no copy yet. {problem}"),
            },
            FAIL,
        ),
    };
    ui.label(RichText::new(text).color(colour));
    action
}

fn filter_row(ui: &mut egui::Ui, vm: &mut ClassVm) -> Option<ClassAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(tr(lang, "日期 从", "Dates from"));
        let a = ui.add(egui::TextEdit::singleline(&mut vm.since).hint_text("2026-09-01").desired_width(100.0));
        ui.label(tr(lang, "至", "to"));
        let b = ui.add(egui::TextEdit::singleline(&mut vm.until).hint_text("2026-12-31").desired_width(100.0));
        let entered = (a.lost_focus() || b.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(tr(lang, "应用", "Apply")).clicked() || entered {
            action = Some(ClassAction::ApplyDates);
        }
        ui.add_space(12.0);
        ui.label(tr(lang, "场景", "Scenario"));
        let all = tr(lang, "全部场景", "All scenarios").to_string();
        let shown = vm
            .scenario
            .as_ref()
            .and_then(|id| vm.scenario_choices.iter().find(|(i, _)| i == id).map(|(_, t)| t.clone()).or_else(|| Some(id.clone())))
            .unwrap_or_else(|| all.clone());
        egui::ComboBox::from_id_salt("class-scenario").selected_text(shown).width(260.0).show_ui(ui, |ui| {
            if ui.selectable_label(vm.scenario.is_none(), &all).clicked() && vm.scenario.is_some() {
                action = Some(ClassAction::Scenario(None));
            }
            for (id, title) in &vm.scenario_choices {
                if ui.selectable_label(vm.scenario.as_ref() == Some(id), title).clicked() && vm.scenario.as_ref() != Some(id) {
                    action = Some(ClassAction::Scenario(Some(id.clone())));
                }
            }
        });
        let filtered = !vm.since.is_empty() || !vm.until.is_empty() || vm.scenario.is_some();
        if ui.add_enabled(filtered, egui::Button::new(tr(lang, "清除筛选", "Clear filter"))).clicked() {
            action = Some(ClassAction::ClearFilter);
        }
        if vm.busy == Some(Busy::Computing) {
            ui.label(RichText::new(tr(lang, "正在统计……", "Counting…")).color(ACCENT));
        }
    });
    if let Some(e) = &vm.filter_error {
        ui.label(RichText::new(e).color(FAIL));
    }
    action
}

fn overview_body(ui: &mut egui::Ui, lang: Lang, o: &OverviewVm) {
    let period = o.period.as_ref().map_or(String::new(), |(a, b)| format!(" · {a} – {b}"));
    ui.label(
        RichText::new(match lang {
            Lang::Zh => format!("学员 {} 人 · 完成练习 {} 次 · 通过率 {}{period}", o.trainees, o.completed, pct(o.pass_rate)),
            Lang::En => format!("{} trainees · {} practice attempts completed · pass rate {}{period}", o.trainees, o.completed, pct(o.pass_rate)),
        })
        .strong()
        .size(17.0),
    );
    ui.add_space(4.0);
    if !o.weeks.is_empty() {
        ui.columns(2, |cols| {
            cols[0].label(RichText::new(tr(lang, "每周通过率与平均分", "Pass rate and mean score per week")).strong());
            weekly_lines(&mut cols[0], lang, &o.weeks);
            cols[1].label(RichText::new(tr(lang, "每周完成练习次数", "Practice attempts completed per week")).strong());
            weekly_bars(&mut cols[1], lang, &o.weeks);
        });
        ui.add_space(6.0);
    }
    if o.dimensions.iter().any(|d| d.bands.iter().any(|n| *n > 0)) {
        ui.label(RichText::new(tr(lang, "各维度得分分布（完成的练习，每 10 分一档）", "Each dimension's scores (completed attempts, in bands of 10)")).strong());
        ui.columns(o.dimensions.len().max(1), |cols| {
            for (k, (col, d)) in cols.iter_mut().zip(&o.dimensions).enumerate() {
                distribution(col, lang, k, d);
            }
        });
        ui.add_space(6.0);
    }
    ui.label(RichText::new(tr(lang, "最常见的错误（按回合）", "Most common mistakes, turn by turn")).strong());
    if o.mistakes.is_empty() {
        ui.label(RichText::new(tr(lang, "没有记录到错误回答。", "No wrong answers recorded.")).color(MUTED));
    } else {
        mistakes_table(ui, lang, &o.mistakes);
    }
    ui.add_space(8.0);
    if !o.exams.is_empty() {
        ui.label(RichText::new(tr(lang, "考核结果", "Exam results")).strong().color(EXAM));
        exams_table(ui, lang, &o.exams);
        ui.add_space(8.0);
    }
    if !o.scenarios.is_empty() {
        ui.label(RichText::new(tr(lang, "各场景与人物", "Scenarios and personas")).strong());
        scenarios_table(ui, lang, &o.scenarios);
        ui.add_space(8.0);
    }
    if !o.people.is_empty() {
        ui.label(RichText::new(tr(lang, "学员", "Trainees")).strong());
        people_table(ui, lang, &o.people);
    }
}

fn small_plot<'a>(id: &'a str, height: f32) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_x(false)
        .show_y(false)
}

/// One mark per labelled week, every `stride` weeks where `stride` weeks
/// are at least 80 points apart: egui_plot fades a label whose marks are
/// closer than that, and the default spacer marks every week.
fn week_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    // `base_step_size` is the value span of egui_plot's 8-point minimum
    // grid spacing, so a week is 8 / base_step_size points wide.
    let stride = (80.0 * input.base_step_size / 8.0).ceil().max(1.0);
    let (lo, hi) = (input.bounds.0.ceil().max(0.0), input.bounds.1.floor());
    let mut marks = Vec::new();
    let mut week = lo;
    while week <= hi && marks.len() < 500 {
        if week % stride == 0.0 {
            marks.push(egui_plot::GridMark { value: week, step_size: stride });
        }
        week += 1.0;
    }
    marks
}

fn week_axis(weeks: &[WeekVm]) -> impl Fn(egui_plot::GridMark, &std::ops::RangeInclusive<f64>) -> String + '_ {
    move |mark, _| {
        let i = mark.value.round();
        if (mark.value - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        weeks.get(i as usize).map_or(String::new(), |w| w.label.clone())
    }
}

fn weekly_lines(ui: &mut egui::Ui, lang: Lang, weeks: &[WeekVm]) {
    let rate: Vec<[f64; 2]> = weeks.iter().enumerate().filter_map(|(i, w)| w.pass_rate.map(|r| [i as f64, r * 100.0])).collect();
    let mean: Vec<[f64; 2]> = weeks.iter().enumerate().filter_map(|(i, w)| w.mean.map(|m| [i as f64, m])).collect();
    let (rate_name, mean_name) = (tr(lang, "通过率 %", "Pass rate %"), tr(lang, "平均分", "Mean score"));
    small_plot("class-weekly-lines", 190.0)
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(100.0)
        .include_x(-0.5)
        .include_x(weeks.len() as f64 - 0.5)
        .x_grid_spacer(week_marks)
        .x_axis_formatter(week_axis(weeks))
        .show(ui, |plot| {
            plot.line(Line::new(rate_name, PlotPoints::from(rate.clone())).color(PASS).width(2.5));
            plot.points(Points::new(rate_name, PlotPoints::from(rate)).color(PASS).radius(3.5));
            plot.line(Line::new(mean_name, PlotPoints::from(mean.clone())).color(ACCENT).width(2.5));
            plot.points(Points::new(mean_name, PlotPoints::from(mean)).color(ACCENT).radius(3.5));
        });
}

fn weekly_bars(ui: &mut egui::Ui, lang: Lang, weeks: &[WeekVm]) {
    let bars: Vec<Bar> = weeks.iter().enumerate().map(|(i, w)| Bar::new(i as f64, w.completed as f64).width(0.6)).collect();
    small_plot("class-weekly-bars", 190.0)
        .include_y(0.0)
        .include_x(-0.5)
        .include_x(weeks.len() as f64 - 0.5)
        .x_grid_spacer(week_marks)
        .x_axis_formatter(week_axis(weeks))
        .show(ui, |plot| plot.bar_chart(BarChart::new(tr(lang, "完成次数", "Completed"), bars).color(ACCENT)));
}

fn distribution(ui: &mut egui::Ui, lang: Lang, k: usize, d: &DimensionVm) {
    ui.label(RichText::new(format!("{} · {}{}", d.name, tr(lang, "平均 ", "mean "), score(d.mean))).color(DIMENSION_COLOURS[k % 5]));
    let bars: Vec<Bar> = d.bands.iter().enumerate().map(|(i, n)| Bar::new(i as f64 * 10.0 + 5.0, *n as f64).width(8.5)).collect();
    small_plot(&format!("class-dimension-{k}"), 120.0)
        .include_y(0.0)
        .include_x(0.0)
        .include_x(100.0)
        .show(ui, |plot| plot.bar_chart(BarChart::new(d.name.clone(), bars).color(DIMENSION_COLOURS[k % 5])));
}

fn mistakes_table(ui: &mut egui::Ui, lang: Lang, rows: &[MistakeVm]) {
    egui::Grid::new("class-mistakes").striped(true).spacing([18.0, 5.0]).show(ui, |ui| {
        for h in [tr(lang, "场景", "Scenario"), tr(lang, "回合", "Turn"), tr(lang, "选择的回答", "Answer chosen"), tr(lang, "次数", "Times"), tr(lang, "学员", "Trainees")] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for m in rows.iter().take(15) {
            ui.label(&m.scenario);
            ui.label(&m.turn);
            ui.vertical(|ui| {
                ui.set_max_width(520.0);
                ui.add(egui::Label::new(RichText::new(&m.option).color(FAIL)).wrap());
                if let Some(flag) = &m.red_flag {
                    ui.label(RichText::new(format!("{}{flag}", tr(lang, "红线：", "Red flag: "))).small().strong().color(FAIL));
                }
            });
            ui.label(match lang {
                Lang::Zh => format!("{} / {} 次作答（{}）", m.times, m.answers, pct((m.answers > 0).then(|| m.times as f64 / m.answers as f64))),
                Lang::En => format!("{} of {} answers ({})", m.times, m.answers, pct((m.answers > 0).then(|| m.times as f64 / m.answers as f64))),
            });
            ui.label(m.trainees.to_string());
            ui.end_row();
        }
    });
    if rows.len() > 15 {
        ui.label(
            RichText::new(match lang {
                Lang::Zh => format!("另有 {} 条，见导出的 Excel。", rows.len() - 15),
                Lang::En => format!("{} more in the Excel export.", rows.len() - 15),
            })
            .small()
            .color(MUTED),
        );
    }
}

fn exams_table(ui: &mut egui::Ui, lang: Lang, rows: &[ExamVm]) {
    egui::Grid::new("class-exams").striped(true).spacing([18.0, 5.0]).show(ui, |ui| {
        for h in [
            tr(lang, "考核", "Exam"),
            tr(lang, "考生", "Candidates"),
            tr(lang, "场次（通过）", "Sittings (passed)"),
            tr(lang, "场景通过", "Scenarios passed"),
            tr(lang, "平均分", "Mean"),
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for e in rows {
            ui.label(&e.name);
            ui.label(e.candidates.to_string());
            let colour = if e.sittings_passed == e.sittings { PASS } else { FAIL };
            ui.label(RichText::new(format!("{} ({})", e.sittings, e.sittings_passed)).color(colour));
            ui.label(format!("{} / {}", e.scenarios_passed, e.scenarios_judged));
            ui.label(score(e.mean));
            ui.end_row();
        }
    });
}

fn rate_bar(ui: &mut egui::Ui, rate: Option<f64>) {
    match rate {
        Some(r) => {
            let colour = if r >= 0.6 { PASS } else { FAIL };
            ui.add(egui::ProgressBar::new(r as f32).desired_width(120.0).fill(colour).text(pct(Some(r))));
        }
        None => {
            ui.label("—");
        }
    }
}

fn scenarios_table(ui: &mut egui::Ui, lang: Lang, rows: &[ScenarioVm]) {
    egui::Grid::new("class-scenarios").striped(true).spacing([18.0, 5.0]).show(ui, |ui| {
        for h in [tr(lang, "场景", "Scenario"), tr(lang, "学员", "Trainees"), tr(lang, "完成", "Completed"), tr(lang, "通过率", "Pass rate"), tr(lang, "平均分", "Mean"), tr(lang, "人物（完成 · 通过率）", "Personas (completed · pass rate)")] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for s in rows {
            ui.label(&s.title);
            ui.label(s.trainees.to_string());
            ui.label(s.completed.to_string());
            rate_bar(ui, s.pass_rate);
            ui.label(score(s.mean));
            let personas: Vec<String> = s.personas.iter().map(|p| format!("{} {} · {}", p.name, p.completed, pct(p.pass_rate))).collect();
            ui.label(RichText::new(personas.join("；")).small());
            ui.end_row();
        }
    });
}

fn people_table(ui: &mut egui::Ui, lang: Lang, rows: &[TraineeVm]) {
    egui::Grid::new("class-trainees").striped(true).spacing([18.0, 5.0]).show(ui, |ui| {
        for h in [
            tr(lang, "学员", "Trainee"),
            tr(lang, "开始", "Started"),
            tr(lang, "完成", "Completed"),
            tr(lang, "通过率", "Pass rate"),
            tr(lang, "平均分", "Mean"),
            tr(lang, "练过的场景", "Scenarios practised"),
            tr(lang, "最近练习", "Last active"),
        ] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for t in rows {
            ui.label(&t.name);
            ui.label(t.started.to_string());
            ui.label(t.completed.to_string());
            rate_bar(ui, (t.completed > 0).then(|| t.passed as f64 / t.completed as f64));
            ui.label(score(t.mean));
            ui.vertical(|ui| {
                ui.set_max_width(360.0);
                ui.add(egui::Label::new(RichText::new(&t.scenarios).small()).wrap());
            });
            ui.label(&t.last_active);
            ui.end_row();
        }
    });
}
