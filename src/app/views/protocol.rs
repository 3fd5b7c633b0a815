//! Risk protocol actions on a hotline call (hand over to 110 / 119 / 120,
//! report to the shift lead, mark the order 特急): a strip under the
//! conversation, on every hotline call, whether or not the call holds a
//! risk — offering them only when one is scripted would give the answer
//! away. Alt+1 … Alt+7 take them from the keyboard.

use super::tr;
use super::widgets::PASS;
use bevy_egui::egui::{self, RichText};
use counterpart_core::play::protocol::{ACTIONS, ActionStatus, ProtocolReport};
use counterpart_core::scenario::model::Lang;

#[derive(Debug, Clone, PartialEq)]
pub struct ActionButton {
    pub id: String,
    /// On the button; `label` in full on hover.
    pub short: String,
    pub label: String,
    /// When a centre's protocol calls for it (the hover text).
    pub what: String,
    pub taken: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolVm {
    pub lang: Lang,
    pub actions: Vec<ActionButton>,
}

impl ProtocolVm {
    /// Every action the centre has, ticked where `taken` holds it.
    pub fn new(lang: Lang, taken: &[String]) -> ProtocolVm {
        let actions = ACTIONS
            .iter()
            .map(|a| ActionButton {
                id: a.id.to_string(),
                short: a.short().get(lang).to_string(),
                label: a.label().get(lang).to_string(),
                what: a.what().get(lang).to_string(),
                taken: taken.iter().any(|t| t == a.id),
            })
            .collect();
        ProtocolVm { lang, actions }
    }
}


/// The strip of actions; returns the id of the one taken this frame.
pub fn protocol_panel(ui: &mut egui::Ui, vm: &ProtocolVm) -> Option<String> {
    let lang = vm.lang;
    let mut taken = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{} (Alt+1–{})", tr(lang, "风险处置", "Risk protocol"), vm.actions.len())).strong())
            .on_hover_text(tr(lang, "按 Alt+数字 做第几项处置", "Alt+number takes the action in that place"));
        for (index, action) in vm.actions.iter().enumerate() {
            let key = index + 1;
            // Short words on the button, so that the strip stays one row and
            // leaves the answers on screen; the full action on hover.
            let text = if action.taken { format!("√ {}", action.short) } else { action.short.clone() };
            let hover = format!("{}{} (Alt+{key})\n{}", if action.taken { tr(lang, "已做：", "Done: ") } else { "" }, action.label, action.what);
            let button = egui::Button::new(RichText::new(text).color(if action.taken { PASS } else { ui.visuals().text_color() }));
            let clicked = ui.add_enabled(!action.taken, button).on_hover_text(&hover).on_disabled_hover_text(&hover).clicked();
            let pressed = !action.taken
                && super::DIGITS.get(index).is_some_and(|k| ui.input_mut(|i| i.consume_key(egui::Modifiers::ALT, *k)));
            if clicked || pressed {
                taken = Some(action.id.clone());
            }
        }
    });
    taken
}

/// The debrief's lines on the risk protocol: each requirement the call
/// raised and how it went, and every handover nothing called for. Nothing
/// when the call held no risk and no action was taken.
pub fn protocol_notes(report: &ProtocolReport, lang: Lang) -> Vec<String> {
    let mut notes = Vec::new();
    for r in report.required.iter().filter(|r| r.status != ActionStatus::NotRequired) {
        let mark = if r.status.fails() { "⚠ " } else { "" };
        let when = match (&r.taken_at, &r.by) {
            (Some(at), _) => format!("{}{at}", tr(lang, "（做于这一轮：", " (taken at turn ")),
            (None, Some(by)) => format!("{}{by}", tr(lang, "（最迟应在这一轮：", " (due by turn ")),
            (None, None) => String::new(),
        };
        let close = if when.is_empty() { "" } else { tr(lang, "）", ")") };
        notes.push(format!(
            "{mark}{}{} — {}{when}{close}{}{}",
            tr(lang, "风险处置：", "Risk protocol: "),
            r.label.get(lang),
            r.status.label().get(lang),
            tr(lang, "。", ". "),
            r.why.get(lang)
        ));
    }
    for n in &report.needless {
        notes.push(format!(
            "⚠ {}{}{}{}{}{}",
            tr(lang, "不必要的转接：", "A handover nothing called for: "),
            n.label.get(lang),
            tr(lang, "（做于这一轮：", " (taken at turn "),
            n.taken_at,
            tr(lang, "）。", "). "),
            n.why.get(lang)
        ));
    }
    notes
}
