//! Exams (考核): choosing an exam and entering the employee number, the
//! page between drawn scenarios (and after a crash or a pause), the clock
//! strip over a drawn scenario, and the result sheet. The trainer's
//! release of withheld debriefs sits under the exam list.

use super::widgets::{ACCENT, FAIL, MUTED, PASS};
use super::{screen_title, shortcut, tr};
use counterpart_core::scenario::model::Lang;
use bevy_egui::egui::{self, RichText};

/// One exam on offer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExamCardVm {
    pub title: String,
    pub description: String,
    /// The draw, limits and pass mark in one line.
    pub facts: String,
    /// When the debrief is shown.
    pub debrief: String,
}

/// A sitting left open (closed midway, or the PC crashed), to go on with.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenSittingVm {
    pub sitting: i64,
    pub label: String,
}

/// A sitting of the selected exam, for the trainer.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainerRowVm {
    pub sitting: i64,
    pub label: String,
    pub result: String,
    pub passed: Option<bool>,
    /// The debrief is withheld and the sitting finished: it can be released.
    pub can_release: bool,
    pub released: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExamChooseVm {
    pub lang: Lang,
    pub exams: Vec<ExamCardVm>,
    pub selected: usize,
    /// The employee number as typed (edited in place).
    pub employee_id: String,
    /// Who is at the keyboard, when someone is.
    pub candidate: Option<String>,
    /// Why the last start was refused.
    pub message: Option<String>,
    pub open: Vec<OpenSittingVm>,
    pub trainer: Vec<TrainerRowVm>,
    /// Exam files that cannot be used, and why.
    pub problems: Vec<String>,
    /// Put the keyboard in the employee-number field (on arriving).
    pub focus_field: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExamAction {
    Select(usize),
    /// Start the selected exam under the typed employee number.
    Begin,
    /// Go on with an open sitting.
    Resume(i64),
    /// The trainer releases a sitting's debrief.
    Release(i64),
    /// Begin (or go back to) the next drawn scenario.
    Continue,
    /// Open the debrief of drawn scenario n (zero-based) of the sheet.
    OpenDebrief(usize),
    /// Leave the sheet.
    Done,
}

/// Minutes and seconds, as on a clock.
pub fn mm_ss(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

pub fn exam_choose_view(ui: &mut egui::Ui, vm: &mut ExamChooseVm) -> Option<ExamAction> {
    let lang = vm.lang;
    let mut action = None;
    screen_title(ui, tr(lang, "考核", "Exams"));
    ui.label(
        RichText::new(tr(
            lang,
            "考核中没有提示、没有更好选项、不显示得分；每道题和整场都有限时，时间到即结束。",
            "An exam gives no hints, no better options and no live score; each scenario and the whole exam have a time limit, and end when it is up.",
        ))
        .color(MUTED),
    );
    ui.add_space(6.0);
    for open in &vm.open {
        egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, ACCENT)).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&open.label).strong().color(ACCENT));
                if ui.button(tr(lang, "继续这场考试 (C)", "Continue this sitting (C)")).clicked() {
                    action = Some(ExamAction::Resume(open.sitting));
                }
            });
        });
    }
    if let Some(first) = vm.open.first()
        && shortcut(ui, egui::Key::C)
    {
        action = Some(ExamAction::Resume(first.sitting));
    }
    for problem in &vm.problems {
        ui.label(RichText::new(problem).small().color(FAIL));
    }
    if vm.exams.is_empty() {
        ui.label(tr(lang, "没有可用的考核。考核文件放在场景文件夹的 exams 文件夹中。", "No exam to sit. Exam files go in the exams folder of a scenario folder."));
        return action;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        for (i, exam) in vm.exams.iter().enumerate() {
            let selected = i == vm.selected;
            let stroke = if selected { egui::Stroke::new(2.0, ACCENT) } else { egui::Stroke::new(1.0, MUTED) };
            let frame = egui::Frame::group(ui.style()).stroke(stroke).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new(&exam.title).strong().size(18.0));
                if !exam.description.is_empty() {
                    ui.label(&exam.description);
                }
                ui.label(RichText::new(&exam.facts).color(MUTED));
                ui.label(RichText::new(&exam.debrief).small().color(MUTED));
            });
            if frame.response.interact(egui::Sense::click()).clicked() && !selected {
                action = Some(ExamAction::Select(i));
            }
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new(tr(lang, "工号：", "Employee number: ")).strong());
            let field = ui.add(egui::TextEdit::singleline(&mut vm.employee_id).id(employee_field_id()).desired_width(200.0));
            if vm.focus_field {
                field.request_focus();
            }
            if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                action = Some(ExamAction::Begin);
            }
            let ready = !vm.employee_id.trim().is_empty();
            if ui.add_enabled(ready, egui::Button::new(tr(lang, "开始考试 (Enter)", "Start the exam (Enter)"))).clicked() {
                action = Some(ExamAction::Begin);
            }
        });
        if let Some(name) = &vm.candidate {
            ui.label(RichText::new(format!("{}{name}", tr(lang, "考生：", "Candidate: "))).color(MUTED));
        }
        if let Some(message) = &vm.message {
            ui.label(RichText::new(message).color(FAIL));
        }
        if !vm.trainer.is_empty() {
            ui.add_space(12.0);
            ui.separator();
            ui.label(RichText::new(tr(lang, "培训师：本考核的考试记录", "Trainer: sittings of this exam")).strong());
            egui::Grid::new("exam-sittings").striped(true).spacing([20.0, 6.0]).show(ui, |ui| {
                for row in &vm.trainer {
                    ui.label(&row.label);
                    let colour = match row.passed {
                        Some(true) => PASS,
                        Some(false) => FAIL,
                        None => MUTED,
                    };
                    ui.label(RichText::new(&row.result).color(colour));
                    if row.can_release {
                        if ui.button(tr(lang, "发布讲评", "Release the debrief")).clicked() {
                            action = Some(ExamAction::Release(row.sitting));
                        }
                    } else if row.released {
                        ui.label(RichText::new(tr(lang, "讲评已发布", "debrief released")).color(MUTED));
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        }
    });
    if action.is_none() && !vm.exams.is_empty() && !ui.ctx().text_edit_focused() {
        if shortcut(ui, egui::Key::ArrowDown) {
            action = Some(ExamAction::Select((vm.selected + 1).min(vm.exams.len() - 1)));
        } else if shortcut(ui, egui::Key::ArrowUp) {
            action = Some(ExamAction::Select(vm.selected.saturating_sub(1)));
        }
    }
    action
}

pub fn employee_field_id() -> egui::Id {
    egui::Id::new("exam-employee-id")
}

/// Between drawn scenarios, and when a sitting is taken up again.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BetweenVm {
    pub lang: Lang,
    pub title: String,
    pub candidate: String,
    /// Zero-based: the scenario about to begin.
    pub next: usize,
    pub of: usize,
    /// Seconds left on the next scenario's clock and on the whole exam's.
    pub scenario_left: u64,
    pub exam_left: u64,
    /// The next scenario was begun before (a pause or a crash): it goes on
    /// where it stopped.
    pub goes_on: bool,
}

pub fn exam_between_view(ui: &mut egui::Ui, vm: &BetweenVm) -> Option<ExamAction> {
    let lang = vm.lang;
    screen_title(ui, &vm.title);
    ui.label(RichText::new(&vm.candidate).color(MUTED));
    ui.add_space(12.0);
    let headline = match lang {
        Lang::Zh => format!("第 {} 题，共 {} 题", vm.next + 1, vm.of),
        Lang::En => format!("Scenario {} of {}", vm.next + 1, vm.of),
    };
    ui.label(RichText::new(headline).size(22.0).strong());
    if vm.goes_on {
        ui.label(RichText::new(tr(lang, "这道题已经开始作答，将从中断处继续，已用时间保留。", "This scenario was begun: it goes on where it stopped, with the time already used.")).color(ACCENT));
    }
    let clocks = match lang {
        Lang::Zh => format!("本题剩余 {} · 全场剩余 {}", mm_ss(vm.scenario_left), mm_ss(vm.exam_left)),
        Lang::En => format!("Left on this scenario: {} · on the whole exam: {}", mm_ss(vm.scenario_left), mm_ss(vm.exam_left)),
    };
    ui.label(clocks);
    ui.label(RichText::new(tr(lang, "计时在题目开始后才走。", "The clock runs only while a scenario is on screen.")).small().color(MUTED));
    ui.add_space(12.0);
    let start = ui.button(RichText::new(tr(lang, "开始这道题 (Enter)", "Begin this scenario (Enter)")).size(18.0));
    (start.clicked() || shortcut(ui, egui::Key::Enter)).then_some(ExamAction::Continue)
}

/// The clock over a drawn scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ExamClockVm {
    /// "考核 · 第 1/3 题" or the like.
    pub label: String,
    pub scenario_left_secs: f32,
    pub exam_left_secs: f32,
}

/// The exam's clock strip, above the conversation: red in the last minute.
pub fn exam_clock_strip(ui: &mut egui::Ui, lang: Lang, vm: &ExamClockVm) {
    let left = |secs: f32| mm_ss(secs.max(0.0).ceil() as u64);
    let urgent = vm.scenario_left_secs.min(vm.exam_left_secs) <= 60.0;
    let colour = if urgent { FAIL } else { ACCENT };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&vm.label).strong().color(colour));
        let text = match lang {
            Lang::Zh => format!("本题剩余 {} · 全场剩余 {}", left(vm.scenario_left_secs), left(vm.exam_left_secs)),
            Lang::En => format!("Left on this scenario {} · on the exam {}", left(vm.scenario_left_secs), left(vm.exam_left_secs)),
        };
        ui.label(RichText::new(text).strong().monospace().color(colour));
    });
}

/// One drawn scenario on the result sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRowVm {
    pub scenario: String,
    pub passed: bool,
    pub overall: Option<f32>,
    pub rating: String,
    pub time: String,
    pub reasons: Vec<String>,
    /// Its debrief may be opened (released, with an attempt).
    pub can_open: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExamSheetVm {
    pub lang: Lang,
    pub title: String,
    /// "李明 · 工号 0571-0042 · 第 1 次".
    pub candidate: String,
    pub passed: bool,
    /// Scenarios passed and the time, in one line.
    pub summary: String,
    pub reasons: Vec<String>,
    pub rows: Vec<SheetRowVm>,
    /// Set while the debrief is withheld: says when it can be seen.
    pub withheld: Option<String>,
    /// Whether leaving returns to the exam list (the sheet of a sitting just sat).
    pub can_leave: bool,
}

pub fn exam_sheet_view(ui: &mut egui::Ui, vm: &ExamSheetVm) -> Option<ExamAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.horizontal(|ui| {
        screen_title(ui, tr(lang, "考核成绩单", "Exam result sheet"));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if vm.can_leave && ui.button(tr(lang, "完成 (Enter)", "Done (Enter)")).clicked() {
                action = Some(ExamAction::Done);
            }
        });
    });
    ui.label(RichText::new(&vm.title).strong().size(18.0));
    ui.label(RichText::new(&vm.candidate).color(MUTED));
    ui.add_space(6.0);
    let (word, colour) = if vm.passed { (tr(lang, "考核通过", "PASSED"), PASS) } else { (tr(lang, "考核未通过", "NOT PASSED"), FAIL) };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(word).size(26.0).strong().color(colour));
        ui.label(RichText::new(&vm.summary).size(16.0));
    });
    for reason in &vm.reasons {
        ui.label(RichText::new(format!("· {reason}")).color(FAIL));
    }
    ui.add_space(8.0);
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        for (i, row) in vm.rows.iter().enumerate() {
            // One block per scenario: its line of figures, then every
            // reason it failed at full width, so long reasons never squeeze
            // the scenario's title into a column.
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("{}. {}", i + 1, row.scenario)).strong());
                    let (word, colour) = if row.passed { (tr(lang, "通过", "pass"), PASS) } else { (tr(lang, "未通过", "fail"), FAIL) };
                    ui.label(RichText::new(word).strong().color(colour));
                    let figures = match lang {
                        Lang::Zh => format!("总分 {} · 群众评价 {} · 用时 {}", row.overall.map_or("—".to_string(), |o| format!("{o:.0}")), row.rating, row.time),
                        Lang::En => format!("overall {} · rating {} · time {}", row.overall.map_or("—".to_string(), |o| format!("{o:.0}")), row.rating, row.time),
                    };
                    ui.label(RichText::new(figures).color(MUTED));
                    if row.can_open {
                        let key = super::digit_pressed(ui, i);
                        if ui.button(format!("{} {}", tr(lang, "讲评", "Debrief"), i + 1)).clicked() || key {
                            action = Some(ExamAction::OpenDebrief(i));
                        }
                    }
                });
                for reason in &row.reasons {
                    ui.label(RichText::new(format!("· {reason}")).color(FAIL));
                }
            });
        }
        if let Some(note) = &vm.withheld {
            ui.add_space(8.0);
            ui.label(RichText::new(note).color(MUTED));
        }
    });
    if action.is_none() && vm.can_leave && shortcut(ui, egui::Key::Enter) {
        action = Some(ExamAction::Done);
    }
    action
}
