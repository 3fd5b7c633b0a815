//! The counter clerk's one-time notice (一次性告知单) on the desk beside
//! the conversation: the materials, steps and follow-on matters picked from
//! knowledge entries (the knowledge tab's open entry offers each line with
//! "+"), reordered and removed here, a note, and handing it over. Drawn
//! from a `NoticeVm`; the note is edited in place and the view says what
//! changed, as the work order does.

use super::tr;
use super::widgets::{ACCENT, FAIL, MUTED, PASS};
use bevy_egui::egui::{self, RichText};
use counterpart_core::notice::{MAX_NOTE_CHARS, Notice, Pick};
use counterpart_core::scenario::model::Lang;

/// One line on the notice as the clerk put it: its text and the entry it
/// came from; a pick that points nowhere (an entry edited away since a
/// draft was saved) says so instead of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeLineVm {
    pub text: String,
    pub from: String,
    pub dangling: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoticeVm {
    pub materials: Vec<NoticeLineVm>,
    pub steps: Vec<NoticeLineVm>,
    /// Titles of the follow-on matters named.
    pub follow_on: Vec<String>,
    /// As typed; the view edits it in place.
    pub note: String,
    /// Problems with the note itself, in the UI language.
    pub note_issues: Vec<String>,
    /// Handed over: shown, no longer editable.
    pub handed: bool,
    /// The conversation has ended: the notice is still to be handed over.
    pub call_over: bool,
}

impl NoticeVm {
    pub fn is_blank(&self) -> bool {
        self.materials.is_empty() && self.steps.is_empty() && self.follow_on.is_empty() && self.note.trim().is_empty()
    }
}

/// What of the knowledge entry open on the desk is already on the notice,
/// for its "+" buttons.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PicksVm {
    /// Per material of the entry, in the entry's order.
    pub materials: Vec<bool>,
    pub steps: Vec<bool>,
    /// The entry itself named as a follow-on matter.
    pub as_follow_on: bool,
    /// The notice is handed over: nothing can be added.
    pub closed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Materials,
    Steps,
    FollowOn,
}

/// A change to the notice asked for on the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeEdit {
    Add { part: Part, pick: Pick },
    AddFollowOn(String),
    Up(Part, usize),
    Down(Part, usize),
    Remove(Part, usize),
    /// The note in the view model changed.
    Note,
}

/// Applies `edit` to `notice`; `note` is the note as now typed. A stale
/// index (a frame drawn before the last change) changes nothing, and a
/// line already on the notice is not added twice.
pub fn apply_edit(notice: &mut Notice, edit: &NoticeEdit, note: &str) {
    fn moved<T>(list: &mut [T], from: usize, to: Option<usize>) {
        if let Some(to) = to
            && from < list.len()
            && to < list.len()
        {
            list.swap(from, to);
        }
    }
    match edit {
        NoticeEdit::Add { part: Part::Materials, pick } if !notice.materials.contains(pick) => notice.materials.push(pick.clone()),
        NoticeEdit::Add { part: Part::Steps, pick } if !notice.steps.contains(pick) => notice.steps.push(pick.clone()),
        NoticeEdit::Add { .. } => {}
        NoticeEdit::AddFollowOn(id) if !notice.follow_on.contains(id) => notice.follow_on.push(id.clone()),
        NoticeEdit::AddFollowOn(_) => {}
        NoticeEdit::Up(part, i) | NoticeEdit::Down(part, i) => {
            let to = if matches!(edit, NoticeEdit::Up(..)) { i.checked_sub(1) } else { i.checked_add(1) };
            match part {
                Part::Materials => moved(&mut notice.materials, *i, to),
                Part::Steps => moved(&mut notice.steps, *i, to),
                Part::FollowOn => moved(&mut notice.follow_on, *i, to),
            }
        }
        NoticeEdit::Remove(part, i) => {
            let len = match part {
                Part::Materials => notice.materials.len(),
                Part::Steps => notice.steps.len(),
                Part::FollowOn => notice.follow_on.len(),
            };
            if *i < len {
                match part {
                    Part::Materials => drop(notice.materials.remove(*i)),
                    Part::Steps => drop(notice.steps.remove(*i)),
                    Part::FollowOn => drop(notice.follow_on.remove(*i)),
                }
            }
        }
        NoticeEdit::Note => notice.note = note.to_string(),
    }
}

pub fn note_id() -> egui::Id {
    egui::Id::new("notice-note")
}

pub fn hand_over_id() -> egui::Id {
    egui::Id::new("notice-hand-over")
}

/// What the notice panel asks for: an edit, or handing it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeAction {
    Edit(NoticeEdit),
    HandOver,
}

/// The notice tab. `focus` puts the cursor in the note (F3).
pub fn notice_panel(ui: &mut egui::Ui, lang: Lang, vm: &mut NoticeVm, focus: bool) -> Option<NoticeAction> {
    let mut action = None;
    if vm.handed {
        ui.label(RichText::new(tr(lang, "√ 告知单已交给群众，不能再改。", "√ The notice is handed over and can no longer change.")).color(PASS).strong());
    } else if vm.call_over {
        ui.label(RichText::new(tr(lang, "对话已结束：请补全并交出告知单，再看复盘。", "The conversation has ended: complete the notice and hand it over before the debrief.")).color(ACCENT).strong());
    }
    if vm.is_blank() {
        ui.label(
            RichText::new(tr(
                lang,
                "告知单还是空的：在知识库（F4）打开办事指南，点“+”把材料和步骤加进来。交出空单等于没有告知。",
                "The notice is empty: open the procedure guide in the knowledge base (F4) and add its materials and steps with “+”. An empty notice is no notice.",
            ))
            .color(if vm.handed { FAIL } else { MUTED }),
        );
    }
    let enabled = !vm.handed;
    for (part, heading, lines) in [
        (Part::Materials, tr(lang, "申请材料", "Materials to bring"), &vm.materials),
        (Part::Steps, tr(lang, "办理步骤（按顺序）", "Steps (in order)"), &vm.steps),
    ] {
        ui.add_space(4.0);
        ui.label(RichText::new(format!("{heading} · {}", lines.len())).strong());
        for (i, line) in lines.iter().enumerate() {
            if let Some(edit) = line_row(ui, lang, enabled, part, i, lines.len(), &line.text, Some(&line.from), line.dangling) {
                action = Some(NoticeAction::Edit(edit));
            }
        }
    }
    if !vm.follow_on.is_empty() {
        ui.add_space(4.0);
        ui.label(RichText::new(tr(lang, "后续事项", "Follow-on matters")).strong());
        for (i, title) in vm.follow_on.iter().enumerate() {
            if let Some(edit) = line_row(ui, lang, enabled, Part::FollowOn, i, vm.follow_on.len(), title, None, false) {
                action = Some(NoticeAction::Edit(edit));
            }
        }
    }
    ui.add_space(4.0);
    ui.label(RichText::new(tr(lang, "备注（写给这位群众的）", "Note (for this citizen)")).strong());
    // A generous hard limit keeps a pasted page from stalling every frame;
    // the note's own limit, far below it, is explained in place.
    let response = ui.add_enabled(
        enabled,
        egui::TextEdit::multiline(&mut vm.note)
            .id(note_id())
            .char_limit(MAX_NOTE_CHARS * 5)
            .desired_rows(2)
            .desired_width(ui.available_width())
            .hint_text(tr(lang, "如：材料都要带原件", "e.g. bring the originals")),
    );
    if focus {
        response.request_focus();
    }
    if response.changed() {
        action = Some(NoticeAction::Edit(NoticeEdit::Note));
    }
    for issue in &vm.note_issues {
        ui.add(egui::Label::new(RichText::new(format!("⚠ {issue}")).small().color(FAIL)).wrap());
    }
    ui.add_space(8.0);
    if !vm.handed {
        let button = egui::Button::new(RichText::new(tr(lang, "交给群众 (Ctrl+Enter)", "Hand it over (Ctrl+Enter)")).strong());
        if ui.add(button).on_hover_text(tr(lang, "交出后不能再改", "Once handed over it cannot change")).clicked() {
            action = Some(NoticeAction::HandOver);
        }
    }
    action
}

/// One line with its buttons first, so a long text wraps beside them and
/// never pushes them off the panel.
#[allow(clippy::too_many_arguments)]
fn line_row(ui: &mut egui::Ui, lang: Lang, enabled: bool, part: Part, i: usize, len: usize, text: &str, from: Option<&str>, dangling: bool) -> Option<NoticeEdit> {
    let mut edit = None;
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        if ui.add_enabled(enabled && i > 0, egui::Button::new("↑").small()).on_hover_text(tr(lang, "上移", "Move up")).clicked() {
            edit = Some(NoticeEdit::Up(part, i));
        }
        if ui.add_enabled(enabled && i + 1 < len, egui::Button::new("↓").small()).on_hover_text(tr(lang, "下移", "Move down")).clicked() {
            edit = Some(NoticeEdit::Down(part, i));
        }
        if ui.add_enabled(enabled, egui::Button::new("×").small()).on_hover_text(tr(lang, "删去", "Remove")).clicked() {
            edit = Some(NoticeEdit::Remove(part, i));
        }
        ui.vertical(|ui| {
            let text = if dangling { tr(lang, "（这一项指向的条目内容已不存在，打印时略去）", "(this line points to entry content that no longer exists; it is left off the print)").to_string() } else { format!("{}. {text}", i + 1) };
            ui.add(egui::Label::new(RichText::new(text).color(if dangling { FAIL } else { ui.visuals().text_color() })).wrap());
            if let Some(from) = from.filter(|f| !f.is_empty()) {
                ui.add(egui::Label::new(RichText::new(from).small().color(MUTED)).wrap());
            }
        });
    });
    edit
}

/// The "+" beside a line of the open knowledge entry: adds it to the
/// notice, or says it is already there.
pub fn add_button(ui: &mut egui::Ui, lang: Lang, on: bool, closed: bool) -> bool {
    if on {
        ui.add_enabled(false, egui::Button::new(RichText::new(tr(lang, "√ 已在告知单", "√ On the notice")).small()));
        false
    } else {
        ui.add_enabled(!closed, egui::Button::new(RichText::new(tr(lang, "+ 告知单", "+ Notice")).small())).on_hover_text(tr(lang, "加入一次性告知单", "Add to the one-time notice")).clicked()
    }
}
