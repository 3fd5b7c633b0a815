//! The mistake book (错题集): the trainee's open mistakes grouped by skill
//! (rubric item or process stage), each with what they answered, the
//! better answer the debrief names, the good answers since and a button to
//! practise from that very moment; cleared mistakes apart, collapsed.

use super::widgets::{ACCENT, FAIL, MUTED, PASS};
use super::{screen_title, shortcut, tr};
use bevy_egui::egui::{self, RichText};
use counterpart_core::scenario::model::Lang;

/// How the open mistakes are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    /// By rubric item (a mistake showing several is under each).
    #[default]
    Item,
    /// By the process stage the moment called for.
    Stage,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MistakeVm {
    /// Index into the screen's list of open mistakes, for `Practise`.
    pub index: usize,
    pub scenario: String,
    /// "第 3 轮" and the turn's id.
    pub turn: String,
    pub persona: String,
    pub chosen: String,
    pub better: Option<String>,
    /// Why it counts as wrong: red flag, late, over-talking, skills missed.
    pub why: String,
    pub times_wrong: u32,
    /// Good answers since the last wrong one (two on separate days clear it).
    pub good_since: u32,
    pub when: String,
    pub from_exam: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupVm {
    pub name: String,
    pub mistakes: Vec<MistakeVm>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MistakesVm {
    pub lang: Lang,
    pub profile: String,
    pub grouping: Grouping,
    pub groups: Vec<GroupVm>,
    pub open: usize,
    /// Cleared mistakes: scenario · turn, one line each.
    pub cleared: Vec<String>,
    /// Why the book may be empty or incomplete (no store, attempts skipped).
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MistakesAction {
    Back,
    Group(Grouping),
    /// Practise open mistake `index` from its situation.
    Practise(usize),
}

pub fn mistakes_view(ui: &mut egui::Ui, vm: &MistakesVm) -> Option<MistakesAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.horizontal(|ui| {
        screen_title(ui, tr(lang, "错题集", "Mistake book"));
        ui.label(RichText::new(&vm.profile).color(MUTED));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(tr(lang, "返回练习记录 (Esc)", "Back to history (Esc)")).clicked() {
                action = Some(MistakesAction::Back);
            }
        });
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(match lang {
            Lang::Zh => format!("待改正 {} 题 · 已改正 {} 题。同一处连续两次答好且在不同的日子，即算改正。", vm.open, vm.cleared.len()),
            Lang::En => format!(
                "{} open · {} cleared. A mistake is cleared once answered well twice in a row, on separate days.",
                vm.open,
                vm.cleared.len()
            ),
        });
    });
    ui.horizontal(|ui| {
        ui.label(tr(lang, "分组：", "Group by:"));
        let by_item = ui.selectable_label(vm.grouping == Grouping::Item, tr(lang, "按评分项 (I)", "Rubric item (I)")).clicked() || shortcut(ui, egui::Key::I);
        let by_stage = ui.selectable_label(vm.grouping == Grouping::Stage, tr(lang, "按处理环节 (S)", "Process stage (S)")).clicked() || shortcut(ui, egui::Key::S);
        if by_item && vm.grouping != Grouping::Item {
            action = Some(MistakesAction::Group(Grouping::Item));
        } else if by_stage && vm.grouping != Grouping::Stage {
            action = Some(MistakesAction::Group(Grouping::Stage));
        }
    });
    if let Some(note) = &vm.note {
        ui.label(RichText::new(note).color(MUTED));
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        if vm.groups.is_empty() {
            ui.label(tr(lang, "没有待改正的错题。", "No open mistakes."));
        }
        // One number key per mistake in the order shown: the first nine.
        let mut shown = 0;
        for group in &vm.groups {
            ui.add_space(6.0);
            ui.label(RichText::new(format!("{}（{}）", group.name, group.mistakes.len())).strong().color(ACCENT));
            for m in &group.mistakes {
                if let Some(a) = mistake_card(ui, lang, m, shown) {
                    action = Some(a);
                }
                shown += 1;
            }
        }
        ui.add_space(8.0);
        egui::CollapsingHeader::new(match lang {
            Lang::Zh => format!("已改正（{}）", vm.cleared.len()),
            Lang::En => format!("Cleared ({})", vm.cleared.len()),
        })
        .id_salt("mistakes-cleared")
        .default_open(false)
        .show(ui, |ui| {
            for line in &vm.cleared {
                ui.label(RichText::new(format!("√ {line}")).color(PASS));
            }
        });
    });
    action
}

fn mistake_card(ui: &mut egui::Ui, lang: Lang, m: &MistakeVm, shown: usize) -> Option<MistakesAction> {
    let mut action = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&m.scenario).strong());
            ui.label(RichText::new(format!("· {} · {} · {}", m.turn, m.persona, m.when)).color(MUTED));
            if m.from_exam {
                ui.label(RichText::new(tr(lang, "· 考核", "· exam")).color(super::history::EXAM));
            }
        });
        ui.label(RichText::new(format!("{}{}", tr(lang, "你的回答：", "You answered: "), m.chosen)).color(FAIL));
        if let Some(better) = &m.better {
            ui.label(RichText::new(format!("{}{better}", tr(lang, "更好的回答：", "Better: "))).color(PASS));
        }
        ui.label(RichText::new(&m.why).small().color(MUTED));
        ui.horizontal(|ui| {
            ui.label(match lang {
                Lang::Zh => format!("答错 {} 次 · 此后答好 {} 次（还需 {} 次，且在另一天）", m.times_wrong, m.good_since, 2u32.saturating_sub(m.good_since)),
                Lang::En => format!("Wrong {} time(s) · answered well {} since (needs {} more, on another day)", m.times_wrong, m.good_since, 2u32.saturating_sub(m.good_since)),
            });
            let label = if shown < 9 {
                format!("{} ({})", tr(lang, "从这里练习", "Practise from here"), shown + 1)
            } else {
                tr(lang, "从这里练习", "Practise from here").to_string()
            };
            if ui.button(label).clicked() || super::digit_pressed(ui, shown) {
                action = Some(MistakesAction::Practise(m.index));
            }
        });
    });
    action
}
