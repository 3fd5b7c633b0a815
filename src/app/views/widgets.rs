//! Pieces shared by several screens: the top bar, badges and colours.

use super::{GlobalAction, tr};
use counterpart_core::scenario::model::Lang;
use bevy_egui::egui::{self, Color32, RichText};

pub const PASS: Color32 = Color32::from_rgb(46, 139, 87);
pub const FAIL: Color32 = Color32::from_rgb(200, 60, 50);
pub const MUTED: Color32 = Color32::from_rgb(120, 120, 120);
pub const ACCENT: Color32 = Color32::from_rgb(40, 110, 190);

#[derive(Debug, Clone, PartialEq)]
pub struct TopBarVm {
    pub lang: Lang,
    pub profile: Option<String>,
    /// In a group drill, the member in the seat now: named instead of the
    /// trainer whose profile is at the keyboard.
    pub seat: Option<String>,
    pub text_scale: f32,
    /// Shown as a "back" button when there is somewhere to go back to.
    pub can_go_back: bool,
}

/// The strip across the top of every screen: back, app name, trainee,
/// language and text size. Everything here also has a key (Esc, F2, Ctrl+=/-).
pub fn top_bar(ui: &mut egui::Ui, vm: &TopBarVm) -> Option<GlobalAction> {
    top_bar_about(ui, vm, false)
}

/// `top_bar` with an About button (F1) when `about` is true: screens where
/// leaving would stop a running clock do not offer it.
pub fn top_bar_about(ui: &mut egui::Ui, vm: &TopBarVm, about: bool) -> Option<GlobalAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        if vm.can_go_back && ui.button(tr(vm.lang, "← 返回 (Esc)", "← Back (Esc)")).clicked() {
            action = Some(GlobalAction::Back);
        }
        ui.label(RichText::new("Counterpart 对练").strong());
        if let Some(name) = &vm.seat {
            ui.separator();
            ui.label(RichText::new(format!("{}{name}", tr(vm.lang, "正在上场：", "In the seat: "))).strong());
        } else if let Some(name) = &vm.profile {
            ui.separator();
            ui.label(format!("{}{name}", tr(vm.lang, "学员：", "Trainee: ")));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let other = match vm.lang {
                Lang::Zh => "English (F2)",
                Lang::En => "中文 (F2)",
            };
            if ui.button(other).clicked() {
                action = Some(GlobalAction::ToggleLanguage);
            }
            if about && ui.button(tr(vm.lang, "关于 (F1)", "About (F1)")).clicked() {
                action = Some(GlobalAction::About);
            }
            ui.separator();
            if ui.button("A+").on_hover_text(tr(vm.lang, "放大文字 Ctrl+=", "Larger text Ctrl+=")).clicked() {
                action = Some(GlobalAction::TextLarger);
            }
            ui.label(format!("{:.0}%", vm.text_scale * 100.0));
            if ui.button("A−").on_hover_text(tr(vm.lang, "缩小文字 Ctrl+-", "Smaller text Ctrl+-")).clicked() {
                action = Some(GlobalAction::TextSmaller);
            }
            ui.label(tr(vm.lang, "文字大小", "Text size"));
        });
    });
    action
}

/// A small rounded tag such as a channel or difficulty.
pub fn badge(ui: &mut egui::Ui, text: &str, colour: Color32) {
    egui::Frame::new()
        .fill(colour.gamma_multiply(0.15))
        .stroke(egui::Stroke::new(1.0, colour.gamma_multiply(0.6)))
        .corner_radius(6.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(colour).small());
        });
}

/// A mood value 0–100 as a word, for the quiet cue and the replay.
pub fn upset_word(lang: Lang, upset: u8) -> &'static str {
    match upset {
        0..=19 => tr(lang, "平静", "calm"),
        20..=44 => tr(lang, "有些不满", "a little annoyed"),
        45..=69 => tr(lang, "不满", "upset"),
        70..=89 => tr(lang, "很激动", "very upset"),
        _ => tr(lang, "怒不可遏", "furious"),
    }
}

pub fn trust_word(lang: Lang, trust: u8) -> &'static str {
    match trust {
        0..=24 => tr(lang, "不信任你", "does not trust you"),
        25..=49 => tr(lang, "将信将疑", "unsure of you"),
        50..=74 => tr(lang, "愿意配合", "willing to work with you"),
        _ => tr(lang, "信任你", "trusts you"),
    }
}
