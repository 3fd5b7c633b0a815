//! Start: choose or create a trainee profile, language and text size.

use super::drill::{UnfinishedAction, UnfinishedDrill, unfinished_drills_view};
use super::{screen_title, shortcut, tr};
use counterpart_core::scenario::model::Lang;
use bevy_egui::egui::{self, RichText};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StartVm {
    pub lang: Lang,
    pub profiles: Vec<String>,
    /// Each profile's employee number (工号), in the order of `profiles`;
    /// missing entries have none.
    pub employee_ids: Vec<Option<String>>,
    pub selected: usize,
    /// The scenario library is still being read at start-up.
    pub loading: bool,
    /// The name being typed for a new profile (edited in place).
    pub new_name: String,
    /// The employee number typed for the new profile (optional).
    pub new_employee_id: String,
    /// The employee number being edited for the selected profile.
    pub employee_input: String,
    /// A short confirmation, e.g. that an employee number was saved.
    pub notice: Option<String>,
    /// A problem to show, e.g. the profile store could not be opened.
    pub error: Option<String>,
    /// Group drills left unfinished (a crash, a closed window), offered
    /// here as in the library and the drill set-up.
    pub unfinished_drills: Vec<UnfinishedDrill>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StartAction {
    Select(usize),
    Continue(usize),
    /// Create a profile with this name (and `new_employee_id` if typed).
    Create(String),
    /// Save (or, empty, clear) the employee number of the profile at this index.
    SetEmployeeId(usize, String),
    SetLanguage(Lang),
    /// Continue or close an unfinished drill.
    Drill(UnfinishedAction),
    /// Open the class overview (for trainers; no trainee needed).
    ClassOverview,
}

pub fn employee_id_input_id() -> egui::Id {
    egui::Id::new("start-employee-id")
}

pub fn new_name_id() -> egui::Id {
    egui::Id::new("start-new-profile")
}

pub fn start_view(ui: &mut egui::Ui, vm: &mut StartVm) -> Option<StartAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.vertical_centered(|ui| {
        ui.add_space(16.0);
        screen_title(ui, tr(lang, "欢迎使用 Counterpart 对练", "Welcome to Counterpart"));
        ui.label(tr(
            lang,
            "政务服务窗口与 12345 热线沟通对练",
            "Practice for service-window and 12345 hotline conversations",
        ));
        ui.add_space(12.0);
        if vm.loading {
            ui.label(RichText::new(tr(lang, "正在载入场景库……", "Loading the scenario library…")).weak());
        }
    });
    if let Some(a) = unfinished_drills_view(ui, lang, &vm.unfinished_drills) {
        action = Some(StartAction::Drill(a));
    }
    if !vm.unfinished_drills.is_empty() {
        ui.add_space(8.0);
    }
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        ui.label(RichText::new(tr(lang, "选择学员", "Choose a trainee")).strong());
        if vm.profiles.is_empty() {
            ui.label(tr(lang, "还没有学员档案，请在右侧新建。", "No trainee profiles yet: create one on the right."));
        }
        egui::ScrollArea::vertical().id_salt("profiles").max_height(300.0).show(ui, |ui| {
            for (index, name) in vm.profiles.iter().enumerate() {
                let selected = index == vm.selected;
                let shown = match vm.employee_ids.get(index).cloned().flatten() {
                    Some(id) => format!("{name}（{}{id}）", tr(lang, "工号 ", "No. ")),
                    None => name.clone(),
                };
                let response = ui.add_sized(
                    [ui.available_width(), 32.0],
                    egui::Button::selectable(selected, RichText::new(shown).size(16.0)),
                );
                if response.clicked() {
                    action = Some(StartAction::Continue(index));
                }
            }
        });
        if !vm.profiles.is_empty() {
            ui.add_space(6.0);
            ui.label(
                RichText::new(tr(lang, "↑/↓ 选择，Enter 继续", "↑/↓ to choose, Enter to continue"))
                    .small()
                    .weak(),
            );
            let index = vm.selected.min(vm.profiles.len() - 1);
            ui.add_space(10.0);
            ui.label(
                RichText::new(format!("{}{}", tr(lang, "工号：", "Employee number: "), vm.profiles[index])).strong(),
            );
            ui.horizontal(|ui| {
                let edit = ui.add(
                    egui::TextEdit::singleline(&mut vm.employee_input)
                        .id(employee_id_input_id())
                        .hint_text(tr(lang, "工号（可不填）", "Employee number (optional)"))
                        .desired_width(180.0),
                );
                let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let unchanged = vm.employee_ids.get(index).cloned().flatten().unwrap_or_default() == vm.employee_input.trim();
                let save = ui.add_enabled(!unchanged, egui::Button::new(tr(lang, "保存工号", "Save number"))).clicked();
                if (entered && !unchanged) || save {
                    action = Some(StartAction::SetEmployeeId(index, vm.employee_input.trim().to_string()));
                }
            });
            ui.label(
                RichText::new(tr(
                    lang,
                    "成绩上报学习记录平台时用工号识别学员；清空后保存即删除",
                    "Records sent to the learning record store name the trainee by this number; save it empty to remove it",
                ))
                .small()
                .weak(),
            );
            if let Some(notice) = &vm.notice {
                ui.label(RichText::new(notice).small().color(super::widgets::ACCENT));
            }
        }

        let ui = &mut cols[1];
        ui.label(RichText::new(tr(lang, "新建学员", "New trainee")).strong());
        let edit = ui.add(
            egui::TextEdit::singleline(&mut vm.new_name)
                .id(new_name_id())
                .hint_text(tr(lang, "姓名", "Name"))
                .desired_width(f32::INFINITY),
        );
        let mut submitted = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let number = ui.add(
            egui::TextEdit::singleline(&mut vm.new_employee_id)
                .hint_text(tr(lang, "新学员的工号（可不填）", "The new trainee's employee number (optional)"))
                .desired_width(f32::INFINITY),
        );
        submitted |= number.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let create = ui.button(tr(lang, "创建并开始", "Create and start")).clicked();
        if (submitted || create) && !vm.new_name.trim().is_empty() {
            action = Some(StartAction::Create(vm.new_name.trim().to_string()));
        }
        ui.label(RichText::new(tr(lang, "按 N 输入新名字", "Press N to type a new name")).small().weak());
        ui.add_space(16.0);
        ui.label(RichText::new(tr(lang, "界面语言", "Language")).strong());
        ui.horizontal(|ui| {
            if ui.selectable_label(lang == Lang::Zh, "中文").clicked() {
                action = Some(StartAction::SetLanguage(Lang::Zh));
            }
            if ui.selectable_label(lang == Lang::En, "English").clicked() {
                action = Some(StartAction::SetLanguage(Lang::En));
            }
            ui.label(RichText::new(tr(lang, "随时可按 F2 切换", "F2 switches at any time")).small().weak());
        });
        ui.label(
            RichText::new(tr(lang, "文字大小：右上角 A− / A+，或 Ctrl+- / Ctrl+=", "Text size: A− / A+ top right, or Ctrl+- / Ctrl+="))
                .small()
                .weak(),
        );
        ui.add_space(16.0);
        ui.label(RichText::new(tr(lang, "培训师", "Trainers")).strong());
        if ui.button(tr(lang, "班级概览：全中心的练习记录 (O)", "Class overview: the whole centre's records (O)")).clicked() {
            action = Some(StartAction::ClassOverview);
        }
        if let Some(error) = &vm.error {
            ui.add_space(8.0);
            ui.colored_label(super::widgets::FAIL, error);
        }
    });

    // Keys are read after the text field is drawn, so the N that moves focus
    // into the field is not also typed into it.
    if action.is_none() && !vm.profiles.is_empty() {
        let last = vm.profiles.len() - 1;
        if shortcut(ui, egui::Key::ArrowDown) {
            action = Some(StartAction::Select((vm.selected + 1).min(last)));
        } else if shortcut(ui, egui::Key::ArrowUp) {
            action = Some(StartAction::Select(vm.selected.saturating_sub(1)));
        } else if shortcut(ui, egui::Key::Enter) {
            action = Some(StartAction::Continue(vm.selected.min(last)));
        }
    }
    if action.is_none() && shortcut(ui, egui::Key::O) {
        action = Some(StartAction::ClassOverview);
    }
    if action.is_none() && shortcut(ui, egui::Key::N) {
        ui.memory_mut(|m| m.request_focus(new_name_id()));
    }
    action
}
