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
    /// In a group drill, the member the screen is about: named instead of
    /// the trainer whose profile is at the keyboard.
    pub seat: Option<Seat>,
    pub text_scale: f32,
    /// Shown as a "back" button when there is somewhere to go back to.
    pub can_go_back: bool,
}

/// Who a drill screen is about, for the top bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seat {
    /// The member playing now (or the class, in a class vote).
    Playing(String),
    /// The member whose finished slot's debrief is on screen.
    Debrief(String),
}

/// The strip across the top of every screen: back, app name, trainee,
/// language and text size. Everything here also has a key (Esc, F2, Ctrl+=/-).
pub fn top_bar(ui: &mut egui::Ui, vm: &TopBarVm) -> Option<GlobalAction> {
    top_bar_about(ui, vm, false)
}

/// One thing in the bar: a label, or a button with what it does.
struct BarItem {
    text: String,
    action: Option<GlobalAction>,
    hover: Option<&'static str>,
    strong: bool,
    /// A separator comes before it (in reading order).
    separated: bool,
}

impl BarItem {
    fn label(text: impl Into<String>, strong: bool, separated: bool) -> BarItem {
        BarItem { text: text.into(), action: None, hover: None, strong, separated }
    }

    fn button(text: impl Into<String>, action: GlobalAction) -> BarItem {
        BarItem { text: text.into(), action: Some(action), hover: None, strong: false, separated: false }
    }

    fn rich(&self) -> RichText {
        let text = RichText::new(&self.text);
        if self.strong { text.strong() } else { text }
    }

    /// Its width on one line, with the spacing after it and its separator.
    fn width(&self, ui: &egui::Ui) -> f32 {
        let style = if self.action.is_some() { egui::TextStyle::Button } else { egui::TextStyle::Body };
        let galley = egui::WidgetText::from(self.rich()).into_galley(ui, Some(egui::TextWrapMode::Extend), f32::INFINITY, style);
        let spacing = ui.spacing().item_spacing.x;
        let padding = if self.action.is_some() { 2.0 * ui.spacing().button_padding.x } else { 0.0 };
        // egui's separator is 6 points wide plus item spacing.
        galley.size().x + padding + spacing + if self.separated { 6.0 + spacing } else { 0.0 }
    }

    fn draw(&self, ui: &mut egui::Ui) -> Option<GlobalAction> {
        match self.action {
            Some(action) => {
                let response = ui.button(self.rich());
                let response = match self.hover {
                    Some(hover) => response.on_hover_text(hover),
                    None => response,
                };
                response.clicked().then_some(action)
            }
            None => {
                ui.label(self.rich());
                None
            }
        }
    }
}

/// The bar's left part (back, the app, who the screen is about) and its
/// right part (text size, About, language), in reading order.
fn bar_items(vm: &TopBarVm, about: bool) -> (Vec<BarItem>, Vec<BarItem>) {
    let lang = vm.lang;
    let mut left = Vec::new();
    if vm.can_go_back {
        left.push(BarItem::button(tr(lang, "← 返回 (Esc)", "← Back (Esc)"), GlobalAction::Back));
    }
    left.push(BarItem::label("Counterpart 对练", true, false));
    match (&vm.seat, &vm.profile) {
        (Some(Seat::Playing(name)), _) => left.push(BarItem::label(format!("{}{name}", tr(lang, "正在上场：", "In the seat: ")), true, true)),
        (Some(Seat::Debrief(name)), _) => left.push(BarItem::label(
            match lang {
                Lang::Zh => format!("复盘：{name}"),
                Lang::En => format!("Debrief: {name}"),
            },
            true,
            true,
        )),
        (None, Some(name)) => left.push(BarItem::label(format!("{}{name}", tr(lang, "学员：", "Trainee: ")), false, true)),
        (None, None) => {}
    }
    let mut smaller = BarItem::button("A−", GlobalAction::TextSmaller);
    smaller.hover = Some(tr(lang, "缩小文字 Ctrl+-", "Smaller text Ctrl+-"));
    let mut larger = BarItem::button("A+", GlobalAction::TextLarger);
    larger.hover = Some(tr(lang, "放大文字 Ctrl+=", "Larger text Ctrl+="));
    let mut right = vec![
        BarItem::label(tr(lang, "文字大小", "Text size"), false, false),
        smaller,
        BarItem::label(format!("{:.0}%", vm.text_scale * 100.0), false, false),
        larger,
    ];
    if about {
        right.push(BarItem::button(tr(lang, "关于 (F1)", "About (F1)"), GlobalAction::About));
    }
    let other = match lang {
        Lang::Zh => "English (F2)",
        Lang::En => "中文 (F2)",
    };
    right.push(BarItem::button(other, GlobalAction::ToggleLanguage));
    if let Some(first) = right.get_mut(4) {
        first.separated = true;
    }
    (left, right)
}

/// `top_bar` with an About button (F1) when `about` is true: screens where
/// leaving would stop a running clock do not offer it.
///
/// On one line when it fits (who on the left, text size and language on
/// the right); otherwise (large text, a small projector) each part gets a
/// line of its own and wraps, so nothing is drawn over anything else.
pub fn top_bar_about(ui: &mut egui::Ui, vm: &TopBarVm, about: bool) -> Option<GlobalAction> {
    let mut action = None;
    let (left, right) = bar_items(vm, about);
    let needed: f32 = left.iter().chain(&right).map(|item| item.width(ui)).sum::<f32>() + 16.0;
    let draw = |ui: &mut egui::Ui, items: &[BarItem], action: &mut Option<GlobalAction>| {
        for item in items {
            if item.separated {
                ui.separator();
            }
            if let Some(a) = item.draw(ui) {
                *action = Some(a);
            }
        }
    };
    if needed <= ui.available_width() {
        ui.horizontal(|ui| {
            draw(ui, &left, &mut action);
            // Right to left, so the last item hugs the right edge and a
            // separator comes after (to the left of) its item.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                for item in right.iter().rev() {
                    if let Some(a) = item.draw(ui) {
                        action = Some(a);
                    }
                    if item.separated {
                        ui.separator();
                    }
                }
            });
        });
    } else {
        ui.horizontal_wrapped(|ui| draw(ui, &left, &mut action));
        ui.horizontal_wrapped(|ui| draw(ui, &right, &mut action));
    }
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

/// PageUp / PageDown move a long page by most of a screen: egui's scroll
/// areas follow only the wheel and dragging, and the app is used from the
/// keyboard. Not while a text field has the keys. Call it last inside the
/// page's scroll area, so that this area takes it and not an inner one.
pub fn page_keys(ui: &egui::Ui) {
    if ui.ctx().text_edit_focused() {
        return;
    }
    let (down, up) = ui.input(|i| (i.key_pressed(egui::Key::PageDown), i.key_pressed(egui::Key::PageUp)));
    let page = ui.clip_rect().height() * 0.85;
    let dy = match (down, up) {
        (true, false) => -page,
        (false, true) => page,
        _ => return,
    };
    ui.scroll_with_delta_animation(egui::vec2(0.0, dy), egui::style::ScrollAnimation::none());
}

// Tables of wrapping text in an `egui::Grid`. A grid sizes its columns from
// the frame before, and its first frame is a sizing pass that makes every
// cell as narrow as it can be: a wrapping label (Chinese breaks between any
// two characters) then settles at one or two characters a line and stays
// there. Cells drawn with `cell` have a width fixed from the space the
// table has, so the columns fill the screen on the first frame and every
// frame after.

/// The width `text` takes on one line in the body font.
pub fn text_width(ui: &egui::Ui, text: impl Into<egui::WidgetText>) -> f32 {
    text.into().into_galley(ui, Some(egui::TextWrapMode::Extend), f32::INFINITY, egui::TextStyle::Body).size().x
}

/// The widest of `texts` on one line, at least `at_least`.
pub fn widest<'a>(ui: &egui::Ui, texts: impl IntoIterator<Item = &'a str>, at_least: f32) -> f32 {
    texts.into_iter().map(|t| text_width(ui, t)).fold(at_least, f32::max)
}

/// Shares `width` (the table's room, spacing between its columns taken
/// out) among columns in proportion to `weights`, no column below `min`.
pub fn share_width(width: f32, spacing: f32, weights: &[f32], min: f32) -> Vec<f32> {
    let gaps = spacing * weights.len().saturating_sub(1) as f32;
    let room = (width - gaps).max(0.0);
    let total: f32 = weights.iter().sum();
    weights.iter().map(|w| (room * w / total.max(f32::EPSILON)).max(min)).collect()
}

/// A table cell exactly `width` wide, its contents top to bottom.
pub fn cell<R>(ui: &mut egui::Ui, width: f32, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    ui.vertical(|ui| {
        ui.set_width(width);
        add(ui)
    })
    .inner
}
