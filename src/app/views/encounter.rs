//! Encounter: the citizen's face, the conversation, the options. Hotline
//! encounters are dressed as a call (call timer, turn time limit); counter
//! encounters as a service window (queue ticket). After the last turn the
//! trainee says which DISC style they read before seeing the debrief.

use super::widgets::{ACCENT, FAIL, MUTED, trust_word, upset_word};
use super::workorder::{DeskAction, DeskVm, desk_view};
use super::{clock, disc_cues, disc_label, screen_title, shortcut, tr};
use crate::app::portrait::{self, Look};
use counterpart_core::scenario::model::{Channel, DiscStyle, Lang, Mood};
use bevy_egui::egui::{self, RichText};

#[derive(Debug, Clone, PartialEq)]
pub enum Speaker {
    Citizen,
    Trainee,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bubble {
    pub speaker: Speaker,
    pub text: String,
    /// Stage direction shown with a citizen line, e.g. "(slaps the counter)".
    pub cue: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PromptVm {
    /// The options' texts in the order shown; number keys follow it.
    pub options: Vec<String>,
    /// Position shown → the option's index in the scenario.
    pub order: Vec<usize>,
    pub time_limit: Option<u32>,
}

impl PromptVm {
    /// The option index of the option shown at `position`.
    pub fn option_at(&self, position: usize) -> Option<usize> {
        self.order.get(position).copied()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EndingVm {
    pub outcome: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncounterVm {
    pub lang: Lang,
    pub title: String,
    pub channel: Channel,
    pub citizen_name: String,
    pub citizen_age: u32,
    pub situation: String,
    pub look: Look,
    pub mood: Mood,
    /// The conversation so far, including the citizen's current line.
    pub transcript: Vec<Bubble>,
    /// The options to answer the current line; None once the encounter ended.
    pub prompt: Option<PromptVm>,
    pub ending: Option<EndingVm>,
    /// Seconds since the encounter (call) began.
    pub elapsed_secs: f32,
    /// Seconds since the current line was said.
    pub turn_secs: f32,
    /// Queue ticket for counter encounters, e.g. "A027".
    pub ticket: String,
    pub disc_guess: Option<DiscStyle>,
    /// Set when this is a drawn scenario of an exam: its clocks; the mood
    /// words and the DISC cues, which are hints, are not shown.
    pub exam: Option<super::exam::ExamClockVm>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EncounterAction {
    /// Answer with option n (zero-based).
    Choose(usize),
    Guess(DiscStyle),
    ConfirmGuess,
}

/// Below this height or width (in points, after the text-size zoom) the
/// encounter is laid out for a small screen: see `encounter_view_with_desk`.
const COMPACT_HEIGHT: f32 = 480.0;
const COMPACT_WIDTH: f32 = 760.0;

pub fn encounter_view(ui: &mut egui::Ui, vm: &EncounterVm) -> Option<EncounterAction> {
    encounter_view_with_desk(ui, vm, None).0
}

/// The encounter with the operator's desk (work order, knowledge base) on
/// the right, when the screen has one to show; returns what was asked of
/// the encounter and of the desk.
pub fn encounter_view_with_desk(ui: &mut egui::Ui, vm: &EncounterVm, mut desk: Option<&mut DeskVm>) -> (Option<EncounterAction>, Option<DeskAction>) {
    let lang = vm.lang;
    // The desk reads its own keys (F3, F4, Ctrl+Enter) when it is drawn;
    // none of them is a key of the conversation.
    let mut desk_action = None;
    let mut action = keys(ui, vm);
    let pending = match desk.as_deref() {
        Some(d) if d.order.as_ref().is_some_and(|o| !o.submitted) => Some(Pending::Order),
        Some(d) if d.notice.as_ref().is_some_and(|n| !n.handed) => Some(Pending::Notice),
        _ => None,
    };

    let width = ui.available_width();
    // Below 900 points (a small screen, or large text) the fixed minimums
    // would leave the conversation no room: every column takes a share.
    let narrow = width < 900.0;
    // Large text on a small screen (200 % on a 720p projector leaves
    // about 500×250 points): the answers cannot share the height with
    // the conversation in a panel of their own, so everything but the
    // citizen scrolls as one, and the countdown moves beside the face
    // where it never scrolls away.
    let compact = ui.available_height() < COMPACT_HEIGHT || width < COMPACT_WIDTH;
    let side_width = match (desk.is_some(), narrow) {
        (true, true) => width * 0.2,
        (true, false) => (width * 0.22).clamp(220.0, 300.0),
        (false, true) => (width * 0.28).clamp(140.0, 220.0),
        (false, false) => (width * 0.28).clamp(220.0, 340.0),
    };
    let desk_width = if narrow { width * 0.42 } else { (width * 0.32).clamp(340.0, 520.0) };
    if let Some(exam) = &vm.exam {
        egui::Panel::top("encounter-exam-clock").resizable(false).show(ui, |ui| super::exam::exam_clock_strip(ui, lang, exam));
    }
    egui::Panel::left("encounter-citizen")
        .resizable(false)
        .exact_size(side_width)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("citizen-side").auto_shrink([false, false]).show(ui, |ui| citizen_panel(ui, vm, compact));
        });

    let answers = |ui: &mut egui::Ui, action: &mut Option<EncounterAction>| {
        if let Some(prompt) = &vm.prompt {
            if let Some(chosen) = options(ui, lang, prompt, vm.turn_secs, !compact) {
                *action = Some(EncounterAction::Choose(chosen));
            }
        } else if let Some(a) = disc_guess(ui, vm, pending) {
            *action = Some(a);
        }
    };
    if !compact {
        egui::Panel::bottom("encounter-answers").resizable(false).show(ui, |ui| {
            ui.add_space(6.0);
            answers(ui, &mut action);
            ui.add_space(6.0);
        });
    }

    if let Some(desk) = desk.as_deref_mut() {
        egui::Panel::right("encounter-desk")
            .resizable(false)
            .exact_size(desk_width)
            .show(ui, |ui| {
                if let Some(a) = desk_view(ui, desk) {
                    desk_action = Some(a);
                }
            });
    }

    egui::CentralPanel::default().show(ui, |ui| {
        if compact {
            // The answers below would push the line just said out of view
            // if this stuck to the bottom: each new line is scrolled to the
            // top instead, the answers follow it and the earlier
            // conversation is a scroll away.
            egui::ScrollArea::vertical().id_salt("transcript").auto_shrink([false, false]).show(ui, |ui| {
                screen_title(ui, &vm.title);
                transcript(ui, vm, true);
                ui.separator();
                answers(ui, &mut action);
            });
        } else {
            screen_title(ui, &vm.title);
            egui::ScrollArea::vertical()
                .id_salt("transcript")
                .stick_to_bottom(true)
                .auto_shrink([false, false])
                .show(ui, |ui| transcript(ui, vm, false));
        }
    });
    (action, desk_action)
}

fn keys(ui: &egui::Ui, vm: &EncounterVm) -> Option<EncounterAction> {
    if let Some(prompt) = &vm.prompt {
        for (index, key) in super::DIGITS.iter().enumerate().take(prompt.options.len()) {
            if shortcut(ui, *key) {
                return Some(EncounterAction::Choose(index));
            }
        }
        return None;
    }
    for (style, key) in [
        (DiscStyle::D, egui::Key::D),
        (DiscStyle::I, egui::Key::I),
        (DiscStyle::S, egui::Key::S),
        (DiscStyle::C, egui::Key::C),
    ] {
        if shortcut(ui, key) {
            return Some(EncounterAction::Guess(style));
        }
    }
    if vm.disc_guess.is_some() && shortcut(ui, egui::Key::Enter) {
        return Some(EncounterAction::ConfirmGuess);
    }
    None
}

/// The citizen's side: the call clock or queue ticket, the face, the mood
/// in words, the situation. On a small screen (`compact`) the answer
/// countdown is here too, and the face shrinks to leave room for it.
fn citizen_panel(ui: &mut egui::Ui, vm: &EncounterVm, compact: bool) {
    let lang = vm.lang;
    ui.add_space(6.0);
    match vm.channel {
        Channel::Hotline => {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("☎ {}", tr(lang, "通话中", "On call"))).color(ACCENT).strong());
                // Never broken across lines: 0:0 / 4 reads as a wrong time.
                ui.add(egui::Label::new(RichText::new(clock(vm.elapsed_secs)).monospace().strong()).extend());
            });
        }
        Channel::Counter => {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(tr(lang, "服务窗口 · 排队号", "Service window · ticket")).color(ACCENT).strong());
                ui.label(RichText::new(&vm.ticket).monospace().size(18.0).strong());
            });
        }
    }
    if compact && let Some(limit) = vm.prompt.as_ref().and_then(|p| p.time_limit) {
        time_limit(ui, lang, limit, vm.turn_secs, ui.available_width());
    }
    ui.add_space(4.0);
    let size = if compact { (ui.available_width() - 8.0).min(110.0) } else { (ui.available_width() - 8.0).min(220.0) };
    ui.vertical_centered(|ui| {
        let frame = match vm.channel {
            // A call has no face to see: draw it inside a muted "line" frame.
            Channel::Hotline => egui::Frame::new().fill(ui.visuals().faint_bg_color).corner_radius(110.0),
            Channel::Counter => egui::Frame::new()
                .stroke(egui::Stroke::new(3.0, MUTED))
                .corner_radius(6.0)
                .inner_margin(4.0),
        };
        frame.show(ui, |ui| portrait::portrait(ui, size, vm.mood, vm.look));
    });
    ui.add_space(4.0);
    ui.add(egui::Label::new(RichText::new(format!("{} · {}{}", vm.citizen_name, vm.citizen_age, tr(lang, "岁", " yrs"))).strong()).wrap());
    // The quiet cue: words, not numbers; an exam gives no such hint.
    if vm.exam.is_none() {
        mood_words(ui, vm);
    }
    ui.add_space(6.0);
    // The whole side scrolls (the caller of this function wraps it), so
    // the situation is one more label, not a scroll area of its own.
    ui.add(egui::Label::new(RichText::new(&vm.situation).small()).wrap());
}

fn mood_words(ui: &mut egui::Ui, vm: &EncounterVm) {
    let lang = vm.lang;
    ui.add(
        egui::Label::new(
            RichText::new(format!("{}{}{}", upset_word(lang, vm.mood.upset), tr(lang, "，", ", "), trust_word(lang, vm.mood.trust)))
                .italics()
                .color(MUTED),
        )
        .wrap(),
    );
}

/// The conversation; with `reveal_newest`, a line not shown before (and
/// the ending after it) is scrolled to the top of the enclosing scroll area, once, so the trainee
/// can scroll away from it afterwards.
fn transcript(ui: &mut egui::Ui, vm: &EncounterVm, reveal_newest: bool) {
    let lang = vm.lang;
    let width = ui.available_width();
    // The newest line by its place and text: a new encounter's first line
    // is new even when the last one also had a single line.
    let newest = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (vm.transcript.len(), vm.transcript.last().map(|b| &b.text), vm.ending.as_ref().map(|e| &e.text)).hash(&mut h);
        h.finish()
    };
    let seen_id = ui.id().with("newest-line-shown");
    let reveal = reveal_newest && ui.data(|d| d.get_temp::<u64>(seen_id)) != Some(newest);
    let last = vm.transcript.len().saturating_sub(1);
    for (k, bubble) in vm.transcript.iter().enumerate() {
        let citizen = bubble.speaker == Speaker::Citizen;
        let layout = if citizen {
            egui::Layout::top_down(egui::Align::Min)
        } else {
            egui::Layout::top_down(egui::Align::Max)
        };
        let shown = ui.with_layout(layout, |ui| {
            let who = if citizen { vm.citizen_name.as_str() } else { tr(lang, "你", "You") };
            ui.label(RichText::new(who).small().color(MUTED));
            if let Some(cue) = &bubble.cue {
                ui.label(RichText::new(format!("（{cue}）")).italics().small().color(MUTED));
            }
            let fill = if citizen {
                ui.visuals().faint_bg_color
            } else {
                ACCENT.gamma_multiply(0.18)
            };
            egui::Frame::new().fill(fill).corner_radius(10.0).inner_margin(10.0).show(ui, |ui| {
                ui.set_max_width(width * 0.78);
                ui.label(RichText::new(&bubble.text).size(15.0));
            });
        });
        if reveal && k == last {
            shown.response.scroll_to_me_animation(Some(egui::Align::TOP), egui::style::ScrollAnimation::none());
        }
        ui.add_space(6.0);
    }
    if let Some(ending) = &vm.ending {
        ui.separator();
        ui.label(RichText::new(&ending.text).italics());
        ui.label(RichText::new(format!("{}{}", tr(lang, "结局：", "Ending: "), ending.outcome)).strong());
    }
    if reveal {
        ui.data_mut(|d| d.insert_temp(seen_id, newest));
    }
}

/// The answers; `with_timer` puts the countdown on the heading's line
/// (wrapping below it when the line is too short for both).
fn options(ui: &mut egui::Ui, lang: Lang, prompt: &PromptVm, turn_secs: f32, with_timer: bool) -> Option<usize> {
    let mut chosen = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(tr(lang, "你的回答（按数字键选择）", "Your answer (press its number)")).strong());
        if with_timer && let Some(limit) = prompt.time_limit {
            ui.add_space(24.0);
            time_limit(ui, lang, limit, turn_secs, 160.0);
        }
    });
    for (index, text) in prompt.options.iter().enumerate() {
        let button = egui::Button::new(RichText::new(format!("{}.  {text}", index + 1)).size(15.0))
            .wrap()
            .min_size(egui::vec2(ui.available_width(), 34.0));
        if ui.add(button).clicked() {
            chosen = Some(index);
        }
    }
    chosen
}

fn time_limit(ui: &mut egui::Ui, lang: Lang, limit: u32, secs: f32, bar_width: f32) {
    let left = limit as f32 - secs;
    let fraction = (left / limit.max(1) as f32).clamp(0.0, 1.0);
    let (text, colour) = if left > 0.0 {
        let text = match lang {
            Lang::Zh => format!("本轮限时 {limit} 秒 · 剩 {:.0} 秒", left.ceil()),
            Lang::En => format!("{limit} s to answer · {:.0} s left", left.ceil()),
        };
        (text, if fraction < 0.34 { FAIL } else { ACCENT })
    } else {
        (tr(lang, "已超时，对方更着急了", "Time is up: the caller grows impatient").to_string(), FAIL)
    };
    ui.add(egui::ProgressBar::new(fraction).desired_width(bar_width.min(160.0)).fill(colour));
    ui.add(egui::Label::new(RichText::new(text).color(colour)).wrap());
}

/// What the desk still holds that confirming the guess hands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Order,
    Notice,
}

fn disc_guess(ui: &mut egui::Ui, vm: &EncounterVm, pending: Option<Pending>) -> Option<EncounterAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.label(
        RichText::new(tr(
            lang,
            "对话结束。你觉得这位群众主要是哪种 DISC 风格？（按 D / I / S / C 选择，Enter 确认）",
            "The conversation is over. Which DISC style did you read in this citizen? (D / I / S / C, Enter to confirm)",
        ))
        .strong(),
    );
    if vm.exam.is_none() {
        ui.label(
            RichText::new(tr(
                lang,
                "提示：真实的人往往是几种风格的混合，选最突出的一种即可。",
                "Note: real people are blends of styles; pick the one that stood out most.",
            ))
            .small()
            .color(MUTED),
        );
    }
    ui.horizontal_wrapped(|ui| {
        for style in DiscStyle::ALL {
            let selected = vm.disc_guess == Some(style);
            // The cues under each style are a hint: not in an exam.
            let text = if vm.exam.is_some() { disc_label(lang, style).to_string() } else { format!("{}\n{}", disc_label(lang, style), disc_cues(lang, style)) };
            let button = egui::Button::selectable(selected, RichText::new(text)).min_size(egui::vec2(200.0, 48.0));
            if ui.add(button).clicked() {
                action = Some(EncounterAction::Guess(style));
            }
        }
    });
    match pending {
        Some(Pending::Order) => {
            ui.label(
                RichText::new(tr(
                    lang,
                    "工单还没有提交：确认后按现在填写的内容提交（没填的栏目算漏填）。",
                    "The work order is not handed in yet: confirming hands it in as it stands (empty fields count as missing).",
                ))
                .color(ACCENT),
            );
        }
        Some(Pending::Notice) => {
            ui.label(
                RichText::new(tr(
                    lang,
                    "告知单还没有交出：确认后按现在的内容交给群众（空单算没有告知）。",
                    "The notice is not handed over yet: confirming hands it over as it stands (an empty one counts as no notice).",
                ))
                .color(ACCENT),
            );
        }
        None => {}
    }
    let confirm_text = match (pending, vm.exam.is_some()) {
        (Some(Pending::Order), true) => tr(lang, "提交工单并交卷 (Enter)", "Hand in the order and this scenario (Enter)"),
        (Some(Pending::Notice), true) => tr(lang, "交出告知单并交卷 (Enter)", "Hand over the notice and this scenario (Enter)"),
        (None, true) => tr(lang, "交卷 (Enter)", "Hand in this scenario (Enter)"),
        (pending, false) => practice_confirm(lang, pending),
    };
    let confirm = ui.add_enabled(vm.disc_guess.is_some(), egui::Button::new(confirm_text));
    if confirm.clicked() {
        action = Some(EncounterAction::ConfirmGuess);
    }
    action
}

fn practice_confirm(lang: Lang, pending: Option<Pending>) -> &'static str {
    match pending {
        Some(Pending::Order) => tr(lang, "提交工单并查看复盘 (Enter)", "Hand in the order and see the debrief (Enter)"),
        Some(Pending::Notice) => tr(lang, "交出告知单并查看复盘 (Enter)", "Hand over the notice and see the debrief (Enter)"),
        None => tr(lang, "查看复盘 (Enter)", "See the debrief (Enter)"),
    }
}
