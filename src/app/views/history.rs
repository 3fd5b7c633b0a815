//! History: past attempts of the current trainee, newest first. The records
//! issue extends this screen; for now it lists what the store holds.

use super::widgets::{FAIL, MUTED, PASS};
use super::{screen_title, tr};
use crate::core::model::Lang;
use bevy_egui::egui::{self, RichText};

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub when: String,
    pub scenario: String,
    /// None while the attempt is unfinished or was abandoned.
    pub overall: Option<f32>,
    pub passed: Option<bool>,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HistoryVm {
    pub lang: Lang,
    pub profile: String,
    pub rows: Vec<HistoryRow>,
    /// Why the list may be empty or incomplete, e.g. the store failed to open.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryAction {
    Back,
}

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
        });
    });
    if let Some(note) = &vm.note {
        ui.label(RichText::new(note).color(MUTED));
    }
    if vm.rows.is_empty() {
        ui.label(tr(lang, "还没有练习记录。", "No attempts yet."));
        return action;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        egui::Grid::new("history-grid").striped(true).spacing([24.0, 8.0]).show(ui, |ui| {
            ui.label(RichText::new(tr(lang, "时间", "When")).strong());
            ui.label(RichText::new(tr(lang, "场景", "Scenario")).strong());
            ui.label(RichText::new(tr(lang, "状态", "Status")).strong());
            ui.label(RichText::new(tr(lang, "总分", "Overall")).strong());
            ui.label(RichText::new(tr(lang, "结果", "Result")).strong());
            ui.end_row();
            for row in &vm.rows {
                ui.label(&row.when);
                ui.label(&row.scenario);
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
    });
    action
}
