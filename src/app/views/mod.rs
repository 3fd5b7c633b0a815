//! Screens as plain functions of view-model data. Each view draws into an
//! `egui::Ui`, reads the keyboard through egui and returns what the trainee
//! asked for; the Bevy systems in `screens` own all state changes. That keeps
//! every view testable without a window (tests/app_views.rs).

pub mod about;
pub mod author;
pub mod class;
pub mod debrief;
pub mod drill;
pub mod encounter;
pub mod exam;
pub mod history;
pub mod library;
pub mod mistakes;
pub mod notice;
pub mod protocol;
pub mod start;
pub mod widgets;
pub mod workorder;

use counterpart_core::scenario::model::{Channel, Difficulty, DiscStyle, Lang, Outcome};
use bevy_egui::egui;

/// Picks the Chinese or English form of a UI label.
pub fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// egui temp-data key under which every view stores its screen title and
/// the title's rect, so the autoplay harness can check Chinese rendering
/// on a known label without reaching into the views.
pub fn title_rect_id() -> egui::Id {
    egui::Id::new("counterpart-screen-title")
}

/// Draws a screen title and records where it went.
pub fn screen_title(ui: &mut egui::Ui, text: &str) -> egui::Response {
    let response = ui.heading(text);
    let rect = response.rect;
    let owned = text.to_string();
    ui.ctx().data_mut(|d| d.insert_temp(title_rect_id(), (owned, rect)));
    response
}

/// Keys that work on every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalAction {
    ToggleLanguage,
    TextLarger,
    TextSmaller,
    Back,
    /// Open the About screen (F1).
    About,
}

/// Reads the global shortcuts: F1 about, F2 language, Ctrl+= / Ctrl+- text size,
/// Esc back. Esc is left alone while a text field has focus, where it
/// means "leave the field".
pub fn global_keys(ctx: &egui::Context) -> Vec<GlobalAction> {
    let typing = ctx.text_edit_focused();
    ctx.input_mut(|i| {
        let mut actions = Vec::new();
        if i.consume_key(egui::Modifiers::NONE, egui::Key::F2) {
            actions.push(GlobalAction::ToggleLanguage);
        }
        // F1, the usual help key; the screen decides whether About may open.
        if i.consume_key(egui::Modifiers::NONE, egui::Key::F1) {
            actions.push(GlobalAction::About);
        }
        for key in [egui::Key::Equals, egui::Key::Plus] {
            if i.consume_key(egui::Modifiers::COMMAND, key) {
                actions.push(GlobalAction::TextLarger);
            }
        }
        if i.consume_key(egui::Modifiers::COMMAND, egui::Key::Minus) {
            actions.push(GlobalAction::TextSmaller);
        }
        if !typing && i.consume_key(egui::Modifiers::NONE, egui::Key::Escape) {
            actions.push(GlobalAction::Back);
        }
        actions
    })
}

/// True when a plain key (no modifiers) was pressed this frame and no text
/// field is taking the keyboard.
/// Number keys 1–9, for picking the n-th option anywhere in the app.
pub const DIGITS: [egui::Key; 9] = [
    egui::Key::Num1,
    egui::Key::Num2,
    egui::Key::Num3,
    egui::Key::Num4,
    egui::Key::Num5,
    egui::Key::Num6,
    egui::Key::Num7,
    egui::Key::Num8,
    egui::Key::Num9,
];

/// Whether number key `k + 1` was pressed (outside text fields).
pub fn digit_pressed(ui: &egui::Ui, k: usize) -> bool {
    DIGITS.get(k).is_some_and(|key| shortcut(ui, *key))
}

pub fn shortcut(ui: &egui::Ui, key: egui::Key) -> bool {
    !ui.ctx().text_edit_focused() && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, key))
}

pub fn channel_label(lang: Lang, channel: Channel) -> &'static str {
    match channel {
        Channel::Counter => tr(lang, "政务服务窗口", "Service window"),
        Channel::Hotline => tr(lang, "12345 热线", "12345 hotline"),
    }
}

pub fn difficulty_label(lang: Lang, difficulty: Difficulty) -> &'static str {
    match difficulty {
        Difficulty::Introductory => tr(lang, "入门", "Introductory"),
        Difficulty::Intermediate => tr(lang, "进阶", "Intermediate"),
        Difficulty::Advanced => tr(lang, "高级", "Advanced"),
    }
}

pub fn disc_label(lang: Lang, style: DiscStyle) -> &'static str {
    match style {
        DiscStyle::D => tr(lang, "D 支配型", "D · Dominance"),
        DiscStyle::I => tr(lang, "I 影响型", "I · Influence"),
        DiscStyle::S => tr(lang, "S 稳健型", "S · Steadiness"),
        DiscStyle::C => tr(lang, "C 谨慎型", "C · Conscientiousness"),
    }
}

/// The cues a trainee can listen for, shown beside each style in the guess.
pub fn disc_cues(lang: Lang, style: DiscStyle) -> &'static str {
    match style {
        DiscStyle::D => tr(lang, "直接、急、要结果，不爱寒暄", "Direct, fast, wants results, no small talk"),
        DiscStyle::I => tr(lang, "情绪外露、爱讲经过、想被听见", "Animated, tells stories, wants to be heard"),
        DiscStyle::S => tr(lang, "语气温和、犹豫、不愿添麻烦", "Gentle, hesitant, avoids conflict"),
        DiscStyle::C => tr(lang, "问得细、引条款、要依据", "Precise questions, cites rules, wants proof"),
    }
}

pub fn outcome_label(lang: Lang, outcome: Outcome) -> String {
    outcome.label().get(lang).to_string()
}

/// Formats seconds as m:ss.
pub fn clock(secs: f32) -> String {
    let s = secs.max(0.0) as u32;
    format!("{}:{:02}", s / 60, s % 60)
}
