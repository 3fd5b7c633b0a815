//! The operator's desk beside the conversation: the work order (工单) a
//! hotline operator fills in while listening, and the knowledge base
//! (知识库) searched as one types. Drawn from a `DeskVm`; the text fields
//! edit the view model in place (as the drill set-up does) and the view
//! says what changed, so the screen copies it into the run.
//!
//! At a counter the desk holds the one-time notice instead of the order
//! (`super::notice`); the open knowledge entry then offers each of its
//! materials and steps with "+".
//!
//! Keys: F3 the order (focus on the first field) or, at a counter, the
//! notice (no focus: its lines are buttons, Tab reaches the note), F4 the knowledge base (focus on the search
//! box), Tab between fields and buttons, Ctrl+Enter hands the order in or
//! the notice over, Enter in the search box opens the first entry found.

use super::notice::{NoticeAction, NoticeEdit, NoticeVm, Part, PicksVm, add_button, notice_panel};
use super::tr;
use super::widgets::{ACCENT, FAIL, MUTED, PASS};
use bevy_egui::egui::{self, RichText};
use counterpart_core::scenario::model::{Disposition, Lang, RequestType, Urgency};
use counterpart_core::workorder::{FieldName, WorkOrder};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeskTab {
    #[default]
    Order,
    Knowledge,
    /// The counter's one-time notice.
    Notice,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CategoryVm {
    pub id: String,
    pub name: String,
    pub children: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderVm {
    /// As typed; the view edits it in place.
    pub order: WorkOrder,
    /// Problems with the input itself, per field, in the UI language.
    pub issues: Vec<(FieldName, String)>,
    pub categories: Vec<CategoryVm>,
    /// (rule id, "title: value") for the time-limit choice.
    pub time_limits: Vec<(String, String)>,
    /// Handed in: shown, no longer editable.
    pub submitted: bool,
    /// The conversation has ended: the order is still to be handed in.
    pub call_over: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HitVm {
    pub id: String,
    pub title: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntryVm {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub summary: String,
    pub materials: Vec<String>,
    pub steps: Vec<String>,
    pub time_limits: Vec<String>,
    pub handling_unit: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct KnowledgeVm {
    /// The search box; the view edits it in place.
    pub query: String,
    pub hits: Vec<HitVm>,
    pub open: Option<EntryVm>,
    /// Entries in the base; 0 when this scenario folder has none.
    pub entries: usize,
    /// At a counter with a notice: what of the open entry is on it.
    pub picks: Option<PicksVm>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeskVm {
    pub lang: Lang,
    pub tab: DeskTab,
    /// The work order (hotline scenarios with work-order truth only).
    pub order: Option<OrderVm>,
    /// The one-time notice (counter scenarios with notice truth only).
    pub notice: Option<NoticeVm>,
    pub knowledge: KnowledgeVm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskAction {
    Tab(DeskTab),
    /// The order in the view model changed.
    Edited,
    Submit,
    /// The query in the view model changed.
    Searched,
    Open(String),
    CloseEntry,
    /// A change to the notice (the note in the view model, for `Note`).
    Notice(NoticeEdit),
    HandOver,
}

pub fn field_id(field: FieldName) -> egui::Id {
    egui::Id::new(("work-order-field", field))
}

/// An id no widget has: switching to the tab focuses nothing.
fn return_no_focus() -> egui::Id {
    egui::Id::new("desk-no-focus")
}

pub fn search_id() -> egui::Id {
    egui::Id::new("knowledge-search")
}

/// Reads the desk's keys; call before the rest of the screen reads digits.
pub fn desk_keys(ui: &egui::Ui, vm: &DeskVm) -> Option<DeskAction> {
    let (f3, f4, submit) = ui.input_mut(|i| {
        (
            i.consume_key(egui::Modifiers::NONE, egui::Key::F3),
            i.consume_key(egui::Modifiers::NONE, egui::Key::F4),
            i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter),
        )
    });
    if f3 && vm.order.is_some() {
        return Some(DeskAction::Tab(DeskTab::Order));
    }
    if f3 && vm.notice.is_some() {
        return Some(DeskAction::Tab(DeskTab::Notice));
    }
    if f4 {
        return Some(DeskAction::Tab(DeskTab::Knowledge));
    }
    if submit && vm.order.as_ref().is_some_and(|o| !o.submitted) {
        return Some(DeskAction::Submit);
    }
    if submit && vm.notice.as_ref().is_some_and(|n| !n.handed) {
        return Some(DeskAction::HandOver);
    }
    None
}

pub fn desk_view(ui: &mut egui::Ui, vm: &mut DeskVm) -> Option<DeskAction> {
    let lang = vm.lang;
    let mut action = desk_keys(ui, vm);
    // F3 / F4 switch at once and put the cursor in the first field or the
    // search box, once that widget is drawn this frame.
    let focus = match action {
        Some(DeskAction::Tab(tab)) => {
            vm.tab = tab;
            Some(match tab {
                DeskTab::Order => field_id(FieldName::CallerName),
                // The notice's lines are buttons: F3 only shows it, so digits
                // still answer (and an author's practice run keeps F3 for its
                // inspector); Tab reaches the note.
                DeskTab::Notice => return_no_focus(),
                DeskTab::Knowledge => search_id(),
            })
        }
        _ => None,
    };
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if vm.order.is_some() && ui.add(egui::Button::selectable(vm.tab == DeskTab::Order, RichText::new(tr(lang, "工单 (F3)", "Work order (F3)")).strong())).clicked() {
            action = Some(DeskAction::Tab(DeskTab::Order));
        }
        if vm.notice.is_some() && ui.add(egui::Button::selectable(vm.tab == DeskTab::Notice, RichText::new(tr(lang, "告知单 (F3)", "Notice (F3)")).strong())).clicked() {
            action = Some(DeskAction::Tab(DeskTab::Notice));
        }
        let knowledge_on = vm.tab == DeskTab::Knowledge || (vm.order.is_none() && vm.notice.is_none());
        if ui.add(egui::Button::selectable(knowledge_on, RichText::new(tr(lang, "知识库 (F4)", "Knowledge base (F4)")).strong())).clicked() {
            action = Some(DeskAction::Tab(DeskTab::Knowledge));
        }
    });
    ui.separator();
    let lang_copy = lang;
    match (&mut vm.order, &mut vm.notice, vm.tab) {
        (Some(order), _, DeskTab::Order) => {
            egui::ScrollArea::vertical().id_salt("work-order").auto_shrink([false, false]).show(ui, |ui| {
                if let Some(a) = order_form(ui, lang_copy, order, focus) {
                    action = Some(a);
                }
            });
        }
        (_, Some(notice), DeskTab::Notice) => {
            let focus_note = focus == Some(super::notice::note_id());
            egui::ScrollArea::vertical().id_salt("notice").auto_shrink([false, false]).show(ui, |ui| {
                match notice_panel(ui, lang_copy, notice, focus_note) {
                    Some(NoticeAction::Edit(edit)) => action = Some(DeskAction::Notice(edit)),
                    Some(NoticeAction::HandOver) => action = Some(DeskAction::HandOver),
                    None => {}
                }
            });
        }
        _ => {
            if let Some(a) = knowledge_panel(ui, lang_copy, &mut vm.knowledge, focus) {
                action = Some(a);
            }
        }
    }
    action
}

fn issues_of(ui: &mut egui::Ui, order: &OrderVm, field: FieldName) {
    for (f, message) in &order.issues {
        if *f == field {
            ui.label(RichText::new(format!("⚠ {message}")).small().color(FAIL));
        }
    }
}

fn label(ui: &mut egui::Ui, lang: Lang, field: FieldName) {
    ui.label(RichText::new(field.label().get(lang)).strong());
}

/// A text field edited in place; true when it changed.
fn text_field(ui: &mut egui::Ui, lang: Lang, order: &mut OrderVm, field: FieldName, hint: &str, focus: Option<egui::Id>) -> bool {
    label(ui, lang, field);
    let width = ui.available_width();
    let enabled = !order.submitted;
    let text = match field {
        FieldName::CallerName => &mut order.order.caller_name,
        FieldName::Contact => &mut order.order.contact,
        FieldName::Address => &mut order.order.address,
        FieldName::HandlingUnit => &mut order.order.handling_unit,
        _ => &mut order.order.content,
    };
    // A generous hard limit keeps a pasted page from stalling every
    // frame; the field's own limit, far below it, is explained in place.
    let limit = field.max_chars() * 5;
    let edit = if field == FieldName::Content {
        egui::TextEdit::multiline(text).desired_rows(4)
    } else {
        egui::TextEdit::singleline(text)
    };
    let response = ui.add_enabled(enabled, edit.id(field_id(field)).char_limit(limit).desired_width(width).hint_text(hint));
    if focus == Some(field_id(field)) {
        response.request_focus();
    }
    let changed = response.changed();
    issues_of(ui, order, field);
    ui.add_space(4.0);
    changed
}

fn choice<T: PartialEq + Copy>(ui: &mut egui::Ui, enabled: bool, slot: &mut Option<T>, options: &[(T, String)]) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        for (value, text) in options {
            let selected = *slot == Some(*value);
            if ui.add_enabled(enabled, egui::Button::selectable(selected, text.as_str())).clicked() {
                // Clicking the choice made again takes it back.
                *slot = if selected { None } else { Some(*value) };
                changed = true;
            }
        }
    });
    ui.add_space(4.0);
    changed
}

fn order_form(ui: &mut egui::Ui, lang: Lang, order: &mut OrderVm, focus: Option<egui::Id>) -> Option<DeskAction> {
    let mut edited = false;
    let enabled = !order.submitted;
    if order.submitted {
        ui.label(RichText::new(tr(lang, "√ 工单已提交，不能再改。", "√ The order is handed in and can no longer change.")).color(PASS).strong());
    } else if order.call_over {
        ui.label(RichText::new(tr(lang, "通话已结束：请补全并提交工单，再看复盘。", "The call has ended: complete the order and hand it in before the debrief.")).color(ACCENT).strong());
    }
    ui.label(RichText::new(tr(lang, "不立单（骚扰或无效来电时选）", "No order (for a harassing or invalid call)")).strong());
    let dispositions: Vec<(Disposition, String)> = Disposition::ALL.iter().map(|d| (*d, d.label().get(lang).to_string())).collect();
    edited |= choice(ui, enabled, &mut order.order.no_order, &dispositions);
    edited |= text_field(ui, lang, order, FieldName::CallerName, tr(lang, "如：周先生", "e.g. Mr Zhou"), focus);
    edited |= text_field(ui, lang, order, FieldName::Contact, tr(lang, "手机或固话", "Mobile or landline"), focus);
    edited |= text_field(ui, lang, order, FieldName::Address, tr(lang, "小区、楼栋、门牌", "Estate, block, number"), focus);

    label(ui, lang, FieldName::RequestType);
    let types: Vec<(RequestType, String)> = RequestType::ALL.iter().map(|t| (*t, t.label().get(lang).to_string())).collect();
    edited |= choice(ui, enabled, &mut order.order.request_type, &types);

    label(ui, lang, FieldName::Category);
    edited |= category_choice(ui, lang, enabled, order);

    edited |= text_field(ui, lang, order, FieldName::Content, tr(lang, "时间、地点、人物、事件、诉求", "Time, place, people, event, demand"), focus);

    label(ui, lang, FieldName::Urgency);
    let urgencies: Vec<(Urgency, String)> = Urgency::ALL.iter().map(|u| (*u, u.label().get(lang).to_string())).collect();
    edited |= choice(ui, enabled, &mut order.order.urgency, &urgencies);

    let yes_no = [(true, tr(lang, "是", "Yes").to_string()), (false, tr(lang, "否", "No").to_string())];
    label(ui, lang, FieldName::Confidential);
    edited |= choice(ui, enabled, &mut order.order.confidential, &yes_no);
    label(ui, lang, FieldName::Callback);
    edited |= choice(ui, enabled, &mut order.order.callback, &yes_no);

    edited |= text_field(ui, lang, order, FieldName::HandlingUnit, tr(lang, "按派单目录的叫法", "As the dispatch list names it"), focus);

    label(ui, lang, FieldName::TimeLimit);
    if order.time_limits.is_empty() {
        ui.label(RichText::new(tr(lang, "本场景文件夹没有城市配置，没有时限可选。", "This scenario folder has no city profile, so there is no time limit to pick.")).small().color(MUTED));
    }
    let mut picked = order.order.time_limit.clone();
    for (id, text) in &order.time_limits {
        let selected = picked.as_deref() == Some(id.as_str());
        if ui.add_enabled(enabled, egui::Button::selectable(selected, RichText::new(text).small()).wrap()).clicked() {
            picked = if selected { None } else { Some(id.clone()) };
        }
    }
    if picked != order.order.time_limit {
        order.order.time_limit = picked;
        edited = true;
    }
    issues_of(ui, order, FieldName::TimeLimit);
    ui.add_space(8.0);
    let mut action = edited.then_some(DeskAction::Edited);
    if !order.submitted && ui.button(RichText::new(tr(lang, "提交工单 (Ctrl+Enter)", "Hand in the order (Ctrl+Enter)")).strong()).clicked() {
        action = Some(DeskAction::Submit);
    }
    action
}

fn category_choice(ui: &mut egui::Ui, lang: Lang, enabled: bool, order: &mut OrderVm) -> bool {
    if order.categories.is_empty() {
        ui.label(RichText::new(tr(lang, "本场景文件夹没有分类表。", "This scenario folder has no category list.")).small().color(MUTED));
        return false;
    }
    let current = order.order.category.clone();
    let branch = order.categories.iter().position(|c| current.as_deref() == Some(c.id.as_str()) || c.children.iter().any(|(id, _)| current.as_deref() == Some(id.as_str())));
    let mut picked = current.clone();
    ui.horizontal_wrapped(|ui| {
        for (i, c) in order.categories.iter().enumerate() {
            if ui.add_enabled(enabled, egui::Button::selectable(branch == Some(i), c.name.as_str())).clicked() {
                picked = if current.as_deref() == Some(c.id.as_str()) { None } else { Some(c.id.clone()) };
            }
        }
    });
    if let Some(c) = branch.and_then(|i| order.categories.get(i)).filter(|c| !c.children.is_empty()) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("·").color(MUTED));
            for (id, name) in &c.children {
                let selected = current.as_deref() == Some(id.as_str());
                if ui.add_enabled(enabled, egui::Button::selectable(selected, name.as_str())).clicked() {
                    picked = Some(if selected { c.id.clone() } else { id.clone() });
                }
            }
        });
    }
    issues_of(ui, order, FieldName::Category);
    ui.add_space(4.0);
    if picked != current {
        order.order.category = picked;
        true
    } else {
        false
    }
}

fn knowledge_panel(ui: &mut egui::Ui, lang: Lang, vm: &mut KnowledgeVm, focus: Option<egui::Id>) -> Option<DeskAction> {
    let mut action = None;
    if vm.entries == 0 {
        ui.label(RichText::new(tr(lang, "本场景文件夹没有知识库。", "This scenario folder has no knowledge base.")).color(MUTED));
        return None;
    }
    let response = ui.add(
        egui::TextEdit::singleline(&mut vm.query)
            .id(search_id())
            .char_limit(200)
            .desired_width(ui.available_width())
            .hint_text(tr(lang, "查找：中文或拼音首字母，如 gjj", "Search: Chinese or pinyin initials, e.g. gjj")),
    );
    if focus == Some(search_id()) {
        response.request_focus();
    }
    if response.changed() {
        action = Some(DeskAction::Searched);
    }
    if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        if let Some(first) = vm.hits.first() {
            action = Some(DeskAction::Open(first.id.clone()));
        }
    }
    if !vm.query.trim().is_empty() && vm.hits.is_empty() {
        ui.label(RichText::new(tr(lang, "没有找到，换个说法或用拼音首字母试试。", "Nothing found; try other words or pinyin initials.")).small().color(MUTED));
    }
    egui::ScrollArea::vertical().id_salt("knowledge").auto_shrink([false, false]).show(ui, |ui| {
        for hit in &vm.hits {
            let open = vm.open.as_ref().is_some_and(|e| e.id == hit.id);
            let text = format!("{} · {}", hit.title, hit.kind);
            if ui.add(egui::Button::selectable(open, text).wrap()).clicked() {
                action = Some(DeskAction::Open(hit.id.clone()));
            }
        }
        if let Some(entry) = &vm.open {
            ui.separator();
            if let Some(a) = entry_view(ui, lang, entry, vm.picks.as_ref()) {
                action = Some(a);
            }
        }
    });
    action
}

fn entry_view(ui: &mut egui::Ui, lang: Lang, entry: &EntryVm, picks: Option<&PicksVm>) -> Option<DeskAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&entry.title).size(17.0).strong());
        ui.label(RichText::new(&entry.kind).color(MUTED));
        if ui.small_button(tr(lang, "关闭", "Close")).clicked() {
            action = Some(DeskAction::CloseEntry);
        }
    });
    ui.label(&entry.summary);
    if let Some(picks) = picks {
        if !picks.as_follow_on && ui.add_enabled(!picks.closed, egui::Button::new(RichText::new(tr(lang, "+ 作为后续事项写进告知单", "+ Name it on the notice as a follow-on matter")).small()).wrap()).clicked() {
            action = Some(DeskAction::Notice(NoticeEdit::AddFollowOn(entry.id.clone())));
        } else if picks.as_follow_on {
            ui.label(RichText::new(tr(lang, "√ 已作为后续事项写进告知单", "√ On the notice as a follow-on matter")).small().color(PASS));
        }
    }
    let mut list = |ui: &mut egui::Ui, heading: &str, items: &[String], part: Option<Part>| {
        if items.is_empty() {
            return;
        }
        ui.label(RichText::new(heading).strong());
        for (i, item) in items.iter().enumerate() {
            let mark = if part == Some(Part::Steps) { format!("{}.", i + 1) } else { "•".to_string() };
            let on = picks.zip(part).map(|(p, part)| if part == Part::Steps { p.steps.get(i).copied().unwrap_or(false) } else { p.materials.get(i).copied().unwrap_or(false) });
            match (picks, part, on) {
                (Some(p), Some(part), Some(on)) => {
                    ui.horizontal_top(|ui| {
                        if add_button(ui, lang, on, p.closed) {
                            action = Some(DeskAction::Notice(NoticeEdit::Add { part, pick: counterpart_core::notice::Pick { entry: entry.id.clone(), index: i } }));
                        }
                        ui.add(egui::Label::new(format!("{mark} {item}")).wrap());
                    });
                }
                _ => {
                    ui.label(format!("{mark} {item}"));
                }
            }
        }
    };
    list(ui, tr(lang, "申请材料", "Materials"), &entry.materials, Some(Part::Materials));
    list(ui, tr(lang, "办理步骤", "Steps"), &entry.steps, Some(Part::Steps));
    list(ui, tr(lang, "办理时限", "Time limits"), &entry.time_limits, None);
    ui.label(format!("{}{}", tr(lang, "承办单位：", "Handling unit: "), entry.handling_unit));
    ui.label(RichText::new(format!("{}{}", tr(lang, "出处：", "Source: "), entry.source)).small().color(MUTED));
    action
}
