//! Group drill views (分组演练), drawn for a projector: the trainer sets up
//! a drill, then the class sees the scoreboard between turns, votes on
//! options, or plays the citizen from a cue card while observers score.
//! Every view is a function of plain data returning the trainer's action.

use super::widgets::{ACCENT, FAIL, MUTED, PASS, cell, widest};
use super::{digit_pressed, screen_title, shortcut, tr};
use counterpart_core::drill::{
    CueCard, FieldTicks, Kappa, KappaUndefined, Mode, Observation, RoundAgreement, Rotation, Scoreboard, VoteDebrief,
};
use counterpart_core::workorder::FieldName;
use super::debrief::{NoticeDebriefVm, OrderDebriefVm, knowledge_section, notice_section, order_section};
use super::workorder::{DeskAction, DeskVm, EntryVm, desk_view};
use counterpart_core::scenario::model::{Item, Lang, Message, Outcome, RedFlag, Text};
use counterpart_core::play::rubric::Dimension;
use counterpart_core::drill::{RosterLine, RosterProblem, parse_roster, roster_problems};
use bevy_egui::egui::{self, RichText};

// ---------------------------------------------------------------- set-up

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioPick {
    pub id: String,
    pub title: String,
    pub picked: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfilePick {
    pub id: i64,
    pub name: String,
    /// The trainee's employee number (工号), if they have one.
    pub employee_id: Option<String>,
    pub picked: bool,
}

/// One member of the roster as set up: a ticked profile with its stored
/// employee number, or a name typed with the number typed beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub name: String,
    pub employee_id: Option<String>,
    /// The ticked profile; None for a typed name.
    pub profile: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnfinishedDrill {
    pub id: i64,
    pub title: String,
    pub mode: String,
    pub updated: String,
}

/// What a trainer may do with a drill left unfinished (the app closed or
/// crashed): the same offer on the start screen, in the library and in the
/// drill set-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnfinishedAction {
    Resume(i64),
    /// Close it without resuming (its slot in play is abandoned).
    Close(i64),
}

/// The unfinished drills, each with Continue and Close it.
pub fn unfinished_drills_view(ui: &mut egui::Ui, lang: Lang, drills: &[UnfinishedDrill]) -> Option<UnfinishedAction> {
    let mut action = None;
    if drills.is_empty() {
        return None;
    }
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, ACCENT)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.add(egui::Label::new(RichText::new(tr(lang, "未完成的分组演练（可从中断处继续）", "Unfinished group drills (continue where they stopped)")).strong()).wrap());
        for d in drills {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{} · {} · {}", d.title, d.mode, d.updated));
                if ui.button(tr(lang, "继续演练", "Continue the drill")).clicked() {
                    action = Some(UnfinishedAction::Resume(d.id));
                }
                if ui.button(tr(lang, "结束它", "Close it")).clicked() {
                    action = Some(UnfinishedAction::Close(d.id));
                }
            });
        }
    });
    action
}

/// The set-up form; the view edits it in place.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupVm {
    pub lang: Lang,
    pub title: String,
    pub mode: Mode,
    pub rotation: Rotation,
    pub rounds: u32,
    pub scenarios: Vec<ScenarioPick>,
    pub profiles: Vec<ProfilePick>,
    /// Names typed by the trainer, one per line or separated by commas/、.
    pub typed_names: String,
    /// Class vote: the profile the class's run is recorded under.
    pub group: String,
    pub unfinished: Vec<UnfinishedDrill>,
    /// Why starting or resuming was refused, shown in the language of the moment.
    pub error: Option<Text>,
}

impl SetupVm {
    /// Ticked profiles then typed names, in that order, trimmed, without blanks.
    pub fn roster_names(&self) -> Vec<String> {
        self.roster().into_iter().map(|e| e.name).collect()
    }

    /// Ticked profiles (with their stored numbers), then the typed members
    /// with the numbers typed beside them (see `parse_roster`).
    pub fn roster(&self) -> Vec<RosterEntry> {
        let ticked = self.profiles.iter().filter(|p| p.picked).map(|p| RosterEntry { name: p.name.clone(), employee_id: p.employee_id.clone(), profile: Some(p.id) });
        let typed = parse_roster(&self.typed_names).into_iter().map(|l| RosterEntry { name: l.name, employee_id: l.employee_id, profile: None });
        ticked.chain(typed).collect()
    }

    /// What is wrong with the employee numbers typed, as far as the set-up
    /// can tell before the store is asked (it checks again on start).
    pub fn roster_problems(&self) -> Vec<RosterProblem> {
        let typed: Vec<RosterLine> = self.roster().into_iter().filter(|e| e.profile.is_none()).map(|e| RosterLine { name: e.name, employee_id: e.employee_id }).collect();
        let known: Vec<(String, Option<String>)> = self.profiles.iter().map(|p| (p.name.clone(), p.employee_id.clone())).collect();
        roster_problems(&typed, &known)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupAction {
    Start,
    Resume(i64),
    /// Close an unfinished drill without resuming it.
    CloseUnfinished(i64),
}

/// The typed-names box, for focusing it in tests.
pub fn typed_names_id() -> egui::Id {
    egui::Id::new("drill-setup-typed-names")
}

/// "李明（工号 A-007）", or the name alone.
pub fn with_number(lang: Lang, name: &str, employee_id: Option<&str>) -> String {
    match employee_id {
        Some(id) => format!("{name}（{}{id}）", tr(lang, "工号 ", "No. ")),
        None => name.to_string(),
    }
}

pub fn mode_label(lang: Lang, mode: Mode) -> String {
    mode.label().get(lang).to_string()
}

pub fn setup_view(ui: &mut egui::Ui, vm: &mut SetupVm) -> Option<SetupAction> {
    let lang = vm.lang;
    let mut action = None;
    screen_title(ui, tr(lang, "分组演练", "Group drill"));
    if !vm.unfinished.is_empty() {
        match unfinished_drills_view(ui, lang, &vm.unfinished) {
            Some(UnfinishedAction::Resume(id)) => action = Some(SetupAction::Resume(id)),
            Some(UnfinishedAction::Close(id)) => action = Some(SetupAction::CloseUnfinished(id)),
            None => {}
        }
        ui.add_space(6.0);
    }
    egui::ScrollArea::vertical().id_salt("drill-setup").auto_shrink([false, false]).show(ui, |ui| {
        egui::Grid::new("drill-setup-grid").num_columns(2).spacing([16.0, 10.0]).show(ui, |ui| {
            ui.label(tr(lang, "名称", "Title"));
            ui.add(egui::TextEdit::singleline(&mut vm.title).desired_width(360.0).hint_text(tr(lang, "例：3月12日 窗口班", "e.g. Counter class, 12 March")));
            ui.end_row();
            ui.label(tr(lang, "方式", "Mode"));
            // The mode's description under its buttons, in the same cell:
            // a grid cell does not wrap by itself, so the text gets the
            // width left of the screen (at 720p/150 % it wraps instead of
            // pushing the roster off the right edge), and the row grows
            // with its lines instead of running into the next one.
            let width = (ui.available_width() - 8.0).max(120.0);
            ui.vertical(|ui| {
                ui.set_max_width(width);
                ui.horizontal_wrapped(|ui| {
                    for mode in [Mode::HotSeat, Mode::ClassVote, Mode::RolePlay] {
                        ui.radio_value(&mut vm.mode, mode, mode_label(lang, mode));
                    }
                });
                ui.add(egui::Label::new(RichText::new(mode_help(lang, vm.mode)).color(MUTED)).wrap());
            });
            ui.end_row();
            if vm.mode != Mode::ClassVote {
                ui.label(tr(lang, "情景分配", "Scenarios per member"));
                ui.horizontal(|ui| {
                    ui.radio_value(&mut vm.rotation, Rotation::Same, tr(lang, "人人同一情景", "Everyone the same"));
                    ui.radio_value(&mut vm.rotation, Rotation::Rotate, tr(lang, "轮换情景", "Rotate scenarios"));
                });
                ui.end_row();
            }
            ui.label(tr(lang, "轮数", "Rounds"));
            ui.add(egui::DragValue::new(&mut vm.rounds).range(1..=10));
            ui.end_row();
            if vm.mode == Mode::ClassVote {
                ui.label(tr(lang, "班级档案", "Class profile"));
                ui.add(egui::TextEdit::singleline(&mut vm.group).desired_width(360.0).hint_text(tr(lang, "全班表决的成绩记在这个名下", "The class's result is recorded under this name")));
                ui.end_row();
            }
        });
        ui.add_space(8.0);
        ui.columns(2, |cols| {
            cols[0].label(RichText::new(tr(lang, "情景（按勾选顺序）", "Scenarios")).strong());
            for s in &mut vm.scenarios {
                cols[0].checkbox(&mut s.picked, &s.title);
            }
            cols[1].label(RichText::new(tr(lang, "名单", "Roster")).strong());
            for p in &mut vm.profiles {
                cols[1].checkbox(&mut p.picked, with_number(lang, &p.name, p.employee_id.as_deref()));
            }
            cols[1].add(
                egui::Label::new(tr(lang, "新学员：每行一人，姓名后空一格写工号（可不填），例：李明 A-007", "New trainees: one per line, the name, a space, then the employee number if any, e.g. Li Ming A-007"))
                    .wrap(),
            );
            cols[1].add(
                egui::TextEdit::multiline(&mut vm.typed_names)
                    .id(typed_names_id())
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .hint_text(tr(lang, "李明 A-007\n王芳", "Li Ming A-007\nWang Fang")),
            );
            let roster = vm.roster();
            // What the typed lines were read as, so a trainer sees which
            // text became a name and which a number before starting.
            for entry in roster.iter().filter(|e| e.profile.is_none()) {
                cols[1].add(egui::Label::new(RichText::new(format!("+ {}", with_number(lang, &entry.name, entry.employee_id.as_deref()))).color(MUTED)).wrap());
            }
            for problem in vm.roster_problems() {
                cols[1].add(egui::Label::new(RichText::new(problem.message().get(lang)).color(FAIL)).wrap());
            }
            cols[1].label(RichText::new(format!("{} {}", tr(lang, "共", "In all:"), roster.len())).color(MUTED));
        });
        if let Some(error) = &vm.error {
            ui.label(RichText::new(error.get(lang)).color(FAIL));
        }
        ui.add_space(8.0);
        if ui.button(RichText::new(tr(lang, "开始演练 (F5)", "Start the drill (F5)")).size(20.0)).clicked()
            || ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F5))
        {
            action = Some(SetupAction::Start);
        }
    });
    action
}

fn mode_help(lang: Lang, mode: Mode) -> &'static str {
    match mode {
        Mode::HotSeat => tr(lang, "学员轮流上场应答，成绩记入各自档案；每轮之间显示分维度记分板。", "Trainees take turns; each result lands in their own record; a scoreboard by dimension between turns."),
        Mode::ClassVote => tr(lang, "投影全班表决每一轮的选项，按多数继续；复盘时看全班分歧和少数选项的得分。", "The class votes on each turn's options and the majority is followed; the debrief shows where the class split."),
        Mode::RolePlay => tr(lang, "一人照提示卡扮演群众，一人用自己的话应答，其余人按评分项打分，再比较观察员之间的一致性。", "One plays the citizen from a cue card, one answers in their own words, the rest score the responder; then compare the observers."),
    }
}

// ---------------------------------------------------------------- between turns

#[derive(Debug, Clone, PartialEq)]
pub struct ReadyVm {
    pub lang: Lang,
    pub title: String,
    pub mode: Mode,
    /// e.g. "第 2/6 轮：李明 应答《停水》".
    pub next: Option<String>,
    pub progress: String,
    pub scoreboard: Scoreboard,
    /// Role-play: the observers' agreement on the slot just finished.
    pub last_agreement: Option<AgreementVm>,
    pub finished: bool,
    pub report: Option<Result<String, String>>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadyAction {
    StartNext,
    Skip,
    Close,
    Report,
    Leave,
}

pub fn ready_view(ui: &mut egui::Ui, vm: &ReadyVm) -> Option<ReadyAction> {
    let lang = vm.lang;
    let mut action = None;
    // One scroll for the whole page: with large text on a 720p projector
    // the heading and buttons alone fill the screen, and a scroll area of
    // its own below them would leave the scoreboard a sliver.
    egui::ScrollArea::vertical().id_salt("drill-ready").auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        ui.horizontal_wrapped(|ui| {
            screen_title(ui, &vm.title);
            ui.label(RichText::new(format!("{} · {}", mode_label(lang, vm.mode), vm.progress)).color(MUTED));
        });
        if let Some(error) = &vm.error {
            ui.add(egui::Label::new(RichText::new(error).color(FAIL)).wrap());
        }
        match &vm.next {
            Some(next) if !vm.finished => {
                ui.add(egui::Label::new(RichText::new(next).size(26.0).strong().color(ACCENT)).wrap());
                ui.horizontal_wrapped(|ui| {
                    if ui.button(RichText::new(tr(lang, "开始 (Enter)", "Start (Enter)")).size(20.0)).clicked() || shortcut(ui, egui::Key::Enter) {
                        action = Some(ReadyAction::StartNext);
                    }
                    if ui.button(tr(lang, "跳过（缺席）(S)", "Skip, absent (S)")).clicked() || shortcut(ui, egui::Key::S) {
                        action = Some(ReadyAction::Skip);
                    }
                    if ui.button(tr(lang, "提前结束演练", "End the drill now")).clicked() {
                        action = Some(ReadyAction::Close);
                    }
                });
            }
            _ => {
                ui.label(RichText::new(tr(lang, "演练结束。", "The drill is over.")).size(26.0).strong());
                ui.horizontal_wrapped(|ui| {
                    if ui.button(RichText::new(tr(lang, "导出演练报告 (E)", "Export the session report (E)")).size(20.0)).clicked() || shortcut(ui, egui::Key::E) {
                        action = Some(ReadyAction::Report);
                    }
                    if ui.button(tr(lang, "返回场景库 (Esc)", "Back to the library (Esc)")).clicked() {
                        action = Some(ReadyAction::Leave);
                    }
                });
                match &vm.report {
                    Some(Ok(path)) => {
                        ui.add(egui::Label::new(RichText::new(format!("{}{path}", tr(lang, "已导出到：", "Exported to: "))).color(PASS)).wrap());
                    }
                    Some(Err(e)) => {
                        ui.add(egui::Label::new(RichText::new(format!("{}{e}", tr(lang, "导出失败：", "Export failed: "))).color(FAIL)).wrap());
                    }
                    None => {}
                }
            }
        }
        ui.add_space(10.0);
        // The slot just finished first: the observers' agreement is that
        // slot's debrief (and reveals the citizen's style).
        if let Some(agreement) = &vm.last_agreement {
            agreement_view(ui, lang, agreement);
            ui.add_space(12.0);
        }
        scoreboard_view(ui, lang, &vm.scoreboard);
    });
    action
}

pub fn scoreboard_view(ui: &mut egui::Ui, lang: Lang, board: &Scoreboard) {
    ui.label(RichText::new(tr(lang, "记分板（各维度平均）", "Scoreboard (mean per dimension)")).strong());
    let cell = |ui: &mut egui::Ui, v: Option<f32>| {
        let text = v.map_or("—".to_string(), |v| format!("{v:.0}"));
        let colour = match v {
            Some(v) if v < counterpart_core::play::rubric::PASS_DIMENSION_FLOOR => FAIL,
            _ => ui.visuals().text_color(),
        };
        ui.label(RichText::new(text).color(colour));
    };
    // Overall right after the name, so the column that matters most is
    // never the one a narrow projector cuts off; the rest scrolls sideways.
    egui::ScrollArea::horizontal().id_salt("drill-scoreboard-scroll").show(ui, |ui| {
        egui::Grid::new("drill-scoreboard").striped(true).spacing([16.0, 8.0]).show(ui, |ui| {
            ui.label(RichText::new(tr(lang, "学员", "Trainee")).strong());
            ui.label(RichText::new(tr(lang, "总分", "Overall")).strong());
            ui.label(RichText::new(tr(lang, "完成/通过", "Done/passed")).strong());
            ui.label(RichText::new(tr(lang, "红线", "Red flags")).strong());
            for d in Dimension::ALL {
                ui.label(RichText::new(d.label().get(lang)).strong());
            }
            ui.end_row();
            for row in &board.rows {
                ui.label(&row.name);
                cell(ui, row.overall);
                ui.label(format!("{}/{}", row.finished, row.passed));
                if row.red_flagged > 0 {
                    ui.label(RichText::new(format!("⚠ {}", row.red_flagged)).color(FAIL));
                } else {
                    ui.label(if row.finished > 0 { "0" } else { "—" });
                }
                for i in 0..5 {
                    cell(ui, row.dimensions.map(|d| d[i]));
                }
                ui.end_row();
            }
            if board.rows.len() > 1 {
                ui.label(RichText::new(tr(lang, "全班", "Class")).strong());
                cell(ui, board.class_overall);
                ui.label("");
                ui.label("");
                for i in 0..5 {
                    cell(ui, board.class_dimensions.map(|d| d[i]));
                }
                ui.end_row();
            }
        });
    });
    if board.rows.iter().any(|r| r.red_flagged > 0) {
        ui.label(RichText::new(tr(lang, "红线：触碰红线的场次，无论总分多少都不通过。", "Red flags: slots failed by a red flag, whatever their score.")).color(MUTED));
    }
}

/// Where everyone stands in the running order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderMark {
    Done,
    Skipped,
    Now,
    Next,
    Later,
}

/// The running order: who plays, in slot order, and where the drill is.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningOrderVm {
    pub lang: Lang,
    /// The member (or the class) in the seat now, with their part.
    pub now: Option<String>,
    pub next: Option<String>,
    /// Every slot: "n. name", and its mark.
    pub order: Vec<(String, OrderMark)>,
}

/// Below this screen height (in points, after the zoom) the running-order
/// banner leaves out the full order.
pub const SHORT_SCREEN: f32 = 420.0;

/// A banner across the drill screens: now playing, next up, and the whole
/// running order with who is done, so the room knows who goes when.
pub fn running_order_view(ui: &mut egui::Ui, vm: &RunningOrderVm) {
    let lang = vm.lang;
    // On a short screen (large text on a 720p projector) the whole order
    // would take lines the drill needs: now and next say who goes when.
    let short = ui.ctx().content_rect().height() < SHORT_SCREEN;
    ui.horizontal_wrapped(|ui| {
        if let Some(now) = &vm.now {
            ui.label(RichText::new(format!("{}{now}", tr(lang, "正在进行：", "Now playing: "))).strong().color(ACCENT));
        }
        if let Some(next) = &vm.next {
            ui.label(RichText::new(format!("{}{next}", tr(lang, "下一位：", "Next up: "))).strong());
        }
        if short && (vm.now.is_some() || vm.next.is_some()) {
            return;
        }
        ui.label(RichText::new(tr(lang, "顺序：", "Order:")).color(MUTED));
        for (entry, mark) in &vm.order {
            let text = match mark {
                OrderMark::Done => RichText::new(format!("{entry} √")).color(PASS),
                OrderMark::Skipped => RichText::new(format!("{entry} {}", tr(lang, "跳过", "skipped"))).color(MUTED).strikethrough(),
                OrderMark::Now => RichText::new(format!("▶ {entry}")).strong().color(ACCENT),
                OrderMark::Next => RichText::new(entry).strong(),
                OrderMark::Later => RichText::new(entry).color(MUTED),
            };
            ui.label(text);
        }
    });
}

// ---------------------------------------------------------------- confirmation

/// A trainer action that cannot be undone (or that leaves a slot in play),
/// asked about before it is done: one key press must not end anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Skip the next slot; the member's name.
    Skip(String),
    /// End the drill now.
    Close,
    /// Leave the drill screen while a slot is in play.
    Leave,
}

/// The question and its two answers. Y (or the button) says yes; N or Esc
/// (the screen's Back) says no.
pub fn confirm_view(ui: &mut egui::Ui, lang: Lang, confirm: &Confirm) -> Option<bool> {
    let mut answer = None;
    let (question, detail, yes) = match confirm {
        Confirm::Skip(who) => (
            match lang {
                Lang::Zh => format!("跳过 {who} 这一场（缺席）？"),
                Lang::En => format!("Skip {who}'s slot (absent)?"),
            },
            tr(lang, "这一场记为跳过，不能撤销。", "The slot is marked skipped; this cannot be undone."),
            tr(lang, "跳过 (Y)", "Skip it (Y)"),
        ),
        Confirm::Close => (
            tr(lang, "现在结束整个演练？", "End the whole drill now?").to_string(),
            tr(
                lang,
                "还没轮到的场次不再进行，正在进行的一场作废；不能撤销。已完成的成绩保留。",
                "Slots not yet played will not be played and a slot in progress is abandoned; this cannot be undone. Finished results are kept.",
            ),
            tr(lang, "结束演练 (Y)", "End the drill (Y)"),
        ),
        Confirm::Leave => (
            tr(lang, "这一场还在进行，要离开演练界面吗？", "A slot is in play: leave the drill screen?").to_string(),
            tr(
                lang,
                "演练不会结束：回到演练界面（或在开始界面、场景库里点“继续演练”）就从这里接着进行。",
                "The drill does not end: come back to the drill screen (or Continue it from the start screen or the library) to go on from here.",
            ),
            tr(lang, "离开 (Y)", "Leave (Y)"),
        ),
    };
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(2.0, FAIL)).inner_margin(16.0).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.add(egui::Label::new(RichText::new(question).size(24.0).strong()).wrap());
        ui.add(egui::Label::new(RichText::new(detail).color(MUTED)).wrap());
        ui.add_space(10.0);
        ui.horizontal_wrapped(|ui| {
            if ui.button(RichText::new(yes).size(20.0).color(FAIL)).clicked() || shortcut(ui, egui::Key::Y) {
                answer = Some(true);
            }
            if ui.button(RichText::new(tr(lang, "不，返回 (N / Esc)", "No, go back (N / Esc)")).size(20.0)).clicked() || shortcut(ui, egui::Key::N) {
                answer = Some(false);
            }
        });
    });
    answer
}

// ---------------------------------------------------------------- class vote

#[derive(Debug, Clone, PartialEq)]
pub struct VoteVm {
    pub lang: Lang,
    pub header: String,
    pub citizen: String,
    pub said: String,
    pub mood: String,
    pub options: Vec<String>,
    /// The counts being entered, one per option (edited in place).
    pub counts: Vec<u32>,
    /// Set when the top count is shared: the tied options (zero-based).
    pub tied: Option<Vec<usize>>,
    /// How many are present (the roster), to check the total against;
    /// `None` when the roster is empty.
    pub present: Option<u32>,
    /// There is a vote or tie to take back.
    pub can_undo: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteAction {
    /// Submit `counts`.
    Counts,
    /// Only the majority is known.
    Majority(usize),
    BreakTie(usize),
    Undo,
}

pub fn vote_view(ui: &mut egui::Ui, vm: &mut VoteVm) -> Option<VoteAction> {
    // Long options at large text run past the bottom of a 720p projector:
    // the whole vote scrolls, and digits and F5 work wherever it is scrolled.
    egui::ScrollArea::vertical().id_salt("drill-vote").auto_shrink([false, false]).show(ui, |ui| vote_body(ui, vm)).inner
}

fn vote_body(ui: &mut egui::Ui, vm: &mut VoteVm) -> Option<VoteAction> {
    let lang = vm.lang;
    let mut action = None;
    screen_title(ui, &vm.header);
    ui.label(RichText::new(format!("{}（{}）", vm.citizen, vm.mood)).color(MUTED));
    ui.add(egui::Label::new(RichText::new(format!("“{}”", vm.said)).size(24.0)).wrap());
    ui.add_space(10.0);
    if let Some(tied) = &vm.tied {
        ui.label(RichText::new(tr(lang, "票数并列第一，请培训师选择跟随哪一个：", "A tie for most votes: the trainer picks which to follow:")).strong().color(ACCENT));
        let votes = |k: usize| match (vm.counts.get(k), lang) {
            (Some(n), Lang::Zh) => format!("（{n} 票）"),
            (Some(n), Lang::En) => format!(" ({n} votes)"),
            (None, _) => String::new(),
        };
        // In the order shown, whatever order the drill found the tie in.
        let mut tied = tied.clone();
        tied.sort_unstable();
        for &k in &tied {
            let button = egui::Button::new(RichText::new(format!("{}. {}{}", k + 1, vm.options[k], votes(k))).size(20.0)).wrap();
            if ui.add(button).clicked() || digit_pressed(ui, k) {
                action = Some(VoteAction::BreakTie(k));
            }
        }
        let others: Vec<String> = (0..vm.options.len()).filter(|k| !tied.contains(k)).map(|k| format!("{}.{}", k + 1, votes(k))).collect();
        if !others.is_empty() {
            ui.label(RichText::new(format!("{}{}", tr(lang, "其他选项：", "Other options: "), others.join(" "))).color(MUTED));
        }
        ui.add_space(8.0);
        if ui.add_enabled(vm.can_undo, egui::Button::new(tr(lang, "返回，改正票数 (Ctrl+Z)", "Back: correct the counts (Ctrl+Z)"))).clicked() {
            action = Some(VoteAction::Undo);
        }
        return action;
    }
    ui.label(tr(lang, "录入每个选项的票数，或直接点“多数”：", "Enter the votes for each option, or just mark the majority:"));
    // Rows, not a grid: a grid column gives long option texts a sliver of width.
    for (k, option) in vm.options.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("{}.", k + 1)).size(22.0).strong());
            ui.add(egui::DragValue::new(&mut vm.counts[k]).range(0..=500).speed(0.2));
            if ui.button(tr(lang, "多数", "Majority")).clicked() || digit_pressed(ui, k) {
                action = Some(VoteAction::Majority(k));
            }
            ui.add(egui::Label::new(RichText::new(option).size(20.0)).wrap());
        });
        ui.add_space(6.0);
    }
    if let Some(error) = &vm.error {
        ui.label(RichText::new(error).color(FAIL));
    }
    let total: u32 = vm.counts.iter().fold(0u32, |a, &c| a.saturating_add(c));
    let too_many = vm.present.is_some_and(|p| total > p);
    if let Some(present) = vm.present {
        let text = match lang {
            Lang::Zh => format!("共 {total} 票，在场 {present} 人"),
            Lang::En => format!("{total} votes, {present} present"),
        };
        ui.label(RichText::new(text).color(if too_many { FAIL } else { MUTED }));
    }
    ui.add_space(8.0);
    // F5, not Enter: Enter also ends typing in a count box, and a count
    // typed must never be followed before the trainer says so.
    let ready = total > 0 && !too_many;
    ui.horizontal_wrapped(|ui| {
        let submit = ui.add_enabled(ready, egui::Button::new(RichText::new(format!("{} ({total}) (F5)", tr(lang, "按票数继续", "Follow the votes"))).size(20.0)));
        if submit.clicked() || (ready && shortcut(ui, egui::Key::F5)) {
            action = Some(VoteAction::Counts);
        }
        if ui.add_enabled(vm.can_undo, egui::Button::new(tr(lang, "撤销上一步 (Ctrl+Z)", "Undo last (Ctrl+Z)"))).clicked() {
            action = Some(VoteAction::Undo);
        }
    });
    action
}

/// The width of the desk (the class's work order or notice) beside a vote.
fn desk_width(ui: &egui::Ui) -> f32 {
    let width = ui.available_width();
    if width < 900.0 { width * 0.42 } else { (width * 0.34).clamp(340.0, 520.0) }
}

/// The class vote with the class's work order (or notice) beside it: the
/// trainer types into it what the class agrees while the call goes on.
pub fn vote_with_desk(ui: &mut egui::Ui, vm: &mut VoteVm, desk: Option<&mut DeskVm>) -> (Option<VoteAction>, Option<DeskAction>) {
    let mut desk_action = None;
    if let Some(desk) = desk {
        let width = desk_width(ui);
        egui::Panel::right("vote-desk").resizable(false).exact_size(width).show(ui, |ui| desk_action = desk_view(ui, desk));
    }
    let action = egui::CentralPanel::default().show(ui, |ui| vote_view(ui, vm)).inner;
    (action, desk_action)
}

/// The class's work order and notice in the vote debrief: still to hand
/// in (the desk is beside the debrief), or handed in and compared.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VotePapersVm {
    /// The order (or notice) is not handed in yet: Enter hands it in first.
    pub pending: bool,
    pub order: Option<OrderDebriefVm>,
    pub notice: Option<NoticeDebriefVm>,
    /// The risk protocol as the class followed it: each requirement the
    /// call raised and how it went, needless handovers (⚠ marks a fail).
    pub protocol: Vec<String>,
    /// The knowledge entries the call needed, and whether the class
    /// looked each up during the slot.
    pub knowledge: Vec<(EntryVm, bool)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteDebriefAction {
    /// Hand in the class's order and notice as they stand, to compare them.
    HandIn,
    /// Record the result and go on.
    Finish,
}

pub fn vote_debrief_view(ui: &mut egui::Ui, lang: Lang, turns: &[VoteDebrief]) -> Option<()> {
    vote_debrief_body(ui, lang, turns, &VotePapersVm::default()).map(|_| ())
}

/// The vote debrief with the class's work order or notice: beside it while
/// still to hand in, then compared field by field above the turns.
pub fn vote_debrief_with_papers(ui: &mut egui::Ui, lang: Lang, turns: &[VoteDebrief], papers: &VotePapersVm, desk: Option<&mut DeskVm>) -> (Option<VoteDebriefAction>, Option<DeskAction>) {
    let mut desk_action = None;
    if let Some(desk) = desk.filter(|_| papers.pending) {
        let width = desk_width(ui);
        egui::Panel::right("vote-debrief-desk").resizable(false).exact_size(width).show(ui, |ui| desk_action = desk_view(ui, desk));
    }
    let action = egui::CentralPanel::default().show(ui, |ui| vote_debrief_body(ui, lang, turns, papers)).inner;
    (action, desk_action)
}

fn vote_debrief_body(ui: &mut egui::Ui, lang: Lang, turns: &[VoteDebrief], papers: &VotePapersVm) -> Option<VoteDebriefAction> {
    let mut finish = None;
    ui.horizontal_wrapped(|ui| {
        screen_title(ui, tr(lang, "全班表决复盘", "Class vote debrief"));
        let (text, action) = if papers.pending {
            (tr(lang, "提交全班的工单，逐栏对照 (Enter)", "Hand in the class's order and compare (Enter)"), VoteDebriefAction::HandIn)
        } else {
            (tr(lang, "记录结果，下一位 (Enter)", "Record and go on (Enter)"), VoteDebriefAction::Finish)
        };
        if ui.button(RichText::new(text).size(20.0)).clicked() || shortcut(ui, egui::Key::Enter) {
            finish = Some(action);
        }
    });
    if papers.pending {
        ui.add(egui::Label::new(RichText::new(tr(lang, "通话已结束：按全班的意见把右边的工单补完，提交后看“全班写的 / 来电说的”。", "The call is over: complete the order on the right as the class agrees, then hand it in to see what the class wrote beside what the call said.")).color(ACCENT)).wrap());
    }
    egui::ScrollArea::vertical().id_salt("vote-debrief").auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        protocol_lines(ui, &papers.protocol);
        if let Some(order) = &papers.order {
            order_section(ui, lang, order);
            ui.add_space(10.0);
        }
        if let Some(notice) = &papers.notice {
            notice_section(ui, lang, notice);
            ui.add_space(10.0);
        }
        if !papers.knowledge.is_empty() {
            knowledge_section(ui, lang, &papers.knowledge);
            ui.add_space(10.0);
        }
        for (t, turn) in turns.iter().enumerate() {
            let heading = match lang {
                Lang::Zh => format!("第 {} 轮 · “{}”", t + 1, turn.said.get(lang)),
                Lang::En => format!("Turn {} · “{}”", t + 1, turn.said.get(lang)),
            };
            ui.add(egui::Label::new(RichText::new(heading).strong()).wrap());
            for o in &turn.options {
                let share = o.percent.map_or(String::new(), |p| format!(" ({p:.0}%)"));
                let votes = o.votes.map_or(String::new(), |v| format!("{v} {}{share} · ", tr(lang, "票", "votes")));
                let reach = o.reachable.map_or(String::new(), |(best, worst)| match lang {
                    Lang::Zh => format!(" · 此后总分 {worst:.0}–{best:.0}"),
                    Lang::En => format!(" · overall after it: {worst:.0}–{best:.0}"),
                });
                let followed = if o.followed { tr(lang, " · 全班选择", " · followed") } else { "" };
                let colour = if o.red_flag.is_some() || o.quality < 40 { FAIL } else if o.quality >= 75 { PASS } else { ui.visuals().text_color() };
                egui::Frame::group(ui.style())
                    .stroke(egui::Stroke::new(if o.followed { 2.0 } else { 0.5 }, if o.followed { ACCENT } else { MUTED }))
                    .show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.label(RichText::new(format!("{}. {votes}{} {}{reach}{followed}", o.index + 1, tr(lang, "质量", "quality"), o.quality)).strong());
                        ui.add(egui::Label::new(RichText::new(o.text.get(lang)).color(colour)).wrap());
                        ui.add(egui::Label::new(RichText::new(o.feedback.get(lang)).color(MUTED)).wrap());
                    });
            }
            ui.add_space(10.0);
        }
    });
    finish
}

// ---------------------------------------------------------------- role-play

#[derive(Debug, Clone, PartialEq)]
pub struct RolePlayVm {
    pub lang: Lang,
    pub header: String,
    pub card: CueCard,
    /// Observers: roster index and name.
    pub observers: Vec<(usize, String)>,
    /// The observer whose sheet is shown.
    pub observer_tab: usize,
    /// Marks of the shown observer, in `Item::ALL` order.
    pub marks: Vec<Option<Observation>>,
    /// Red flags the shown observer has marked.
    pub red_flags: Vec<RedFlag>,
    /// The work-order fields of a hotline scenario with work-order truth,
    /// with the shown observer's tick: got right, not right, or not judged.
    pub order_ticks: Option<Vec<(FieldName, Option<bool>)>>,
    pub outcome: Option<Outcome>,
    /// The cue card (DISC style, how to play it, the scripted options) is
    /// shown. Off by default: the one projected screen is also the
    /// responder's, and the card would give the answers away.
    pub trainer_view: bool,
    /// There is a mark, flag or cue-card move to take back.
    pub can_undo: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RolePlayAction {
    /// Show or hide the cue card (trainer only).
    ToggleTrainerView,
    Undo,
    /// The responder's words came closest to this option.
    Closest(usize),
    Tab(usize),
    Mark(Item, Observation),
    /// The shown observer raises (true) or withdraws a red flag.
    RedFlag(RedFlag, bool),
    /// The shown observer ticks a work-order field right, not right, or
    /// takes the tick back.
    OrderTick(FieldName, Option<bool>),
    Outcome(Outcome),
    Finish,
}

/// Below this width (in points, after the projector zoom) the cue card and
/// the observer sheet are stacked instead of side by side: at 1280×720 with
/// 150 % text a half column is too narrow for an item's five buttons.
const SIDE_BY_SIDE_MIN: f32 = 900.0;
/// Below this width an item's label goes on its own line above its buttons.
const SHEET_ROW_MIN: f32 = 560.0;

pub fn role_play_view(ui: &mut egui::Ui, vm: &RolePlayVm) -> Option<RolePlayAction> {
    let mut action = None;
    // "Scoring done" is pinned to the bottom so it is never below the fold,
    // whatever the text size; everything else scrolls above it.
    egui::Panel::bottom("role-play-footer").show(ui, |ui| {
        if let Some(a) = role_play_footer(ui, vm) {
            action = Some(a);
        }
    });
    egui::ScrollArea::vertical().id_salt("role-play").auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        screen_title(ui, &vm.header);
        if vm.trainer_view && ui.available_width() >= SIDE_BY_SIDE_MIN {
            ui.columns(2, |cols| {
                if let Some(a) = cue_card_view(&mut cols[0], vm) {
                    action = Some(a);
                }
                if let Some(a) = observer_sheet(&mut cols[1], vm) {
                    action = Some(a);
                }
            });
        } else {
            if let Some(a) = cue_card_view(ui, vm) {
                action = Some(a);
            }
            ui.add_space(8.0);
            if let Some(a) = observer_sheet(ui, vm) {
                action = Some(a);
            }
        }
    });
    action
}

/// The citizen's side, which everyone may see (who is calling, what they
/// say now, how they sound), and behind the trainer-only toggle the cue
/// card proper: the situation, the DISC style and how to play it, the stage
/// direction and the scripted options.
fn cue_card_view(ui: &mut egui::Ui, vm: &RolePlayVm) -> Option<RolePlayAction> {
    let (lang, card) = (vm.lang, &vm.card);
    let mut action = None;
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(2.0, ACCENT)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{} · {} {}", card.citizen.get(lang), tr(lang, "情绪", "Mood"), card.mood_label.get(lang))).strong().color(ACCENT));
            let toggle = if vm.trainer_view {
                tr(lang, "隐藏提示卡 (T)", "Hide the cue card (T)")
            } else {
                tr(lang, "显示提示卡（仅培训师）(T)", "Show the cue card, trainer only (T)")
            };
            if ui.button(toggle).clicked() || shortcut(ui, egui::Key::T) {
                action = Some(RolePlayAction::ToggleTrainerView);
            }
        });
        if let Some(ending) = &card.ending {
            ui.label(RichText::new(tr(lang, "对话到此结束：", "The conversation ends:")).strong());
            ui.add(egui::Label::new(RichText::new(ending.get(lang)).size(20.0)).wrap());
            return;
        }
        for line in &card.lines {
            ui.add(egui::Label::new(RichText::new(format!("“{}”", line.get(lang))).size(22.0)).wrap());
        }
        if !vm.trainer_view {
            ui.add(egui::Label::new(RichText::new(tr(lang, "性格、演法和选项只给扮演群众的同学和培训师看，复盘时揭晓。", "The style, how to play it and the options are for the citizen's player and the trainer; the debrief reveals them.")).color(MUTED)).wrap());
            return;
        }
        ui.separator();
        ui.label(RichText::new(tr(lang, "提示卡：扮演群众的同学看这里", "Cue card: for the person playing the citizen")).strong().color(ACCENT));
        ui.add(egui::Label::new(RichText::new(card.situation.get(lang)).color(MUTED)).wrap());
        ui.label(format!(
            "{} {}{}",
            tr(lang, "性格", "Style"),
            super::disc_label(lang, card.style),
            card.secondary.map_or(String::new(), |s| format!(" / {}", super::disc_label(lang, s))),
        ));
        for cue in &card.style_cues {
            ui.add(egui::Label::new(RichText::new(format!("· {}", cue.get(lang))).color(MUTED)).wrap());
        }
        if let Some(direction) = &card.stage_direction {
            ui.add(egui::Label::new(RichText::new(direction.get(lang)).italics().color(MUTED)).wrap());
        }
        ui.add_space(6.0);
        ui.add(egui::Label::new(tr(lang, "对方说完后，选最接近他/她说法的一项（数字键）：", "When the responder has spoken, pick the option closest to what they said (digit keys):")).wrap());
        // Digits pick only while the options are on screen: a blind key
        // press must not move the card along a branch nobody saw.
        for (k, option) in card.options.iter().enumerate() {
            let button = egui::Button::new(format!("{}. {}", k + 1, option.get(lang))).wrap();
            if ui.add(button).clicked() || digit_pressed(ui, k) {
                action = Some(RolePlayAction::Closest(k));
            }
        }
    });
    action
}

fn observer_sheet(ui: &mut egui::Ui, vm: &RolePlayVm) -> Option<RolePlayAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.label(RichText::new(tr(lang, "观察员评分", "Observers' scores")).strong());
    ui.horizontal_wrapped(|ui| {
        for (tab, (_, name)) in vm.observers.iter().enumerate() {
            if ui.selectable_label(tab == vm.observer_tab, name).clicked() {
                action = Some(RolePlayAction::Tab(tab));
            }
        }
    });
    ui.add(egui::Label::new(RichText::new(tr(lang, "0 有害 · 1 遗漏 · 2 合格 · 3 优秀 · — 未观察到", "0 harmful · 1 missed · 2 adequate · 3 exemplary · — not observed")).color(MUTED)).wrap());
    let marks = |ui: &mut egui::Ui, item: Item, action: &mut Option<RolePlayAction>| {
        let current = vm.marks.get(item.index()).copied().flatten();
        for level in 0..=3u8 {
            let mark = Observation::Level(level);
            if mark_button(ui, current == Some(mark), &level.to_string()).clicked() {
                *action = Some(RolePlayAction::Mark(item, mark));
            }
        }
        if mark_button(ui, current == Some(Observation::NotObserved), "—").clicked() {
            *action = Some(RolePlayAction::Mark(item, Observation::NotObserved));
        }
    };
    // Side by side only when the longest item and its five buttons fit
    // (English item names are long): else each label above its buttons.
    let longest = Item::ALL
        .iter()
        .map(|item| {
            egui::WidgetText::from(format!("{:?} {}", item, item.label().get(lang)))
                .into_galley(ui, Some(egui::TextWrapMode::Extend), f32::INFINITY, egui::TextStyle::Body)
                .size()
                .x
        })
        .fold(0.0, f32::max);
    let buttons = 5.0 * (MARK_BUTTON_WIDTH + ui.spacing().item_spacing.x);
    if ui.available_width() >= SHEET_ROW_MIN && longest + 6.0 + buttons + 16.0 <= ui.available_width() {
        egui::Grid::new("observer-grid").striped(true).spacing([6.0, 4.0]).show(ui, |ui| {
            for item in Item::ALL {
                ui.label(format!("{:?} {}", item, item.label().get(lang)));
                ui.horizontal(|ui| marks(ui, item, &mut action));
                ui.end_row();
            }
        });
    } else {
        // Narrow (small projector, large text): the label on its own line,
        // then the five buttons, so none is pushed off the right edge.
        for item in Item::ALL {
            ui.add(egui::Label::new(format!("{:?} {}", item, item.label().get(lang))).wrap());
            ui.horizontal(|ui| marks(ui, item, &mut action));
            ui.add_space(4.0);
        }
    }
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(tr(lang, "红线", "Red flags")).color(FAIL));
        for flag in [RedFlag::ForbiddenPhrase, RedFlag::PushingAway, RedFlag::OverPromise, RedFlag::DataLeak] {
            let raised = vm.red_flags.contains(&flag);
            if ui.selectable_label(raised, flag.label().get(lang)).clicked() {
                action = Some(RolePlayAction::RedFlag(flag, !raised));
            }
        }
    });
    if let Some(ticks) = &vm.order_ticks {
        ui.add_space(6.0);
        ui.label(RichText::new(tr(lang, "工单栏目：应答的同学问清、说对了哪几栏？", "Work order: which fields did the responder get right?")).strong());
        ui.add(egui::Label::new(RichText::new(tr(lang, "√ 问清并说对 · × 没问到或说错 · 再点一次取消", "√ asked and got it right · × missed or wrong · click again to clear")).color(MUTED)).wrap());
        for (field, tick) in ticks {
            ui.horizontal_wrapped(|ui| {
                if mark_button(ui, *tick == Some(true), "√").clicked() {
                    action = Some(RolePlayAction::OrderTick(*field, if *tick == Some(true) { None } else { Some(true) }));
                }
                if mark_button(ui, *tick == Some(false), "×").clicked() {
                    action = Some(RolePlayAction::OrderTick(*field, if *tick == Some(false) { None } else { Some(false) }));
                }
                ui.label(field.label().get(lang));
            });
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(tr(lang, "对话结果", "How it ended"));
        for outcome in [Outcome::Resolved, Outcome::Escalated, Outcome::WalkedOut, Outcome::HungUp, Outcome::FormalComplaint] {
            if ui.selectable_label(vm.outcome == Some(outcome), outcome.label().get(lang)).clicked() {
                action = Some(RolePlayAction::Outcome(outcome));
            }
        }
    });
    action
}

/// A score button wide enough to hit on a projector from a mouse or a pen.
fn mark_button(ui: &mut egui::Ui, selected: bool, text: &str) -> egui::Response {
    ui.add(egui::Button::selectable(selected, text).min_size(egui::vec2(MARK_BUTTON_WIDTH, 0.0)))
}

/// A score button's width; wider than its digit, for a mouse or a pen.
const MARK_BUTTON_WIDTH: f32 = 30.0;

/// Always on screen: the error and "Scoring done".
fn role_play_footer(ui: &mut egui::Ui, vm: &RolePlayVm) -> Option<RolePlayAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.add_space(4.0);
    if let Some(error) = &vm.error {
        ui.add(egui::Label::new(RichText::new(error).color(FAIL)).wrap());
    }
    ui.horizontal_wrapped(|ui| {
        let finish = ui.add_enabled(vm.outcome.is_some(), egui::Button::new(RichText::new(tr(lang, "评分完成，比较观察员 (F5)", "Scoring done: compare observers (F5)")).size(18.0)));
        if finish.clicked() || (vm.outcome.is_some() && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F5))) {
            action = Some(RolePlayAction::Finish);
        }
        if ui.add_enabled(vm.can_undo, egui::Button::new(tr(lang, "撤销上一步 (Ctrl+Z)", "Undo last (Ctrl+Z)"))).clicked() {
            action = Some(RolePlayAction::Undo);
        }
        if vm.outcome.is_none() {
            ui.label(RichText::new(tr(lang, "先选对话结果", "Pick how it ended first")).color(MUTED));
        }
    });
    ui.add_space(4.0);
    action
}

// ---------------------------------------------------------------- agreement

#[derive(Debug, Clone, PartialEq)]
pub struct AgreementVm {
    pub responder: String,
    /// The citizen's DISC style as played, revealed here in the debrief
    /// (hidden from the projected screen during the slot).
    pub style: Option<String>,
    pub observers: Vec<String>,
    pub agreement: RoundAgreement,
    /// The work order's fields: the truth as far as the call revealed it,
    /// beside each observer's tick (empty without work-order truth).
    pub order: Vec<FieldTicks>,
    /// The responder's risk protocol, judged where the slot ended.
    pub protocol: Vec<String>,
}

/// The debrief's risk-protocol lines, a failing one (⚠) in red.
fn protocol_lines(ui: &mut egui::Ui, notes: &[String]) {
    for note in notes {
        let text = if note.starts_with('⚠') { RichText::new(note).color(FAIL).strong() } else { RichText::new(note) };
        ui.add(egui::Label::new(text).wrap());
    }
    if !notes.is_empty() {
        ui.add_space(10.0);
    }
}

fn kappa_text(lang: Lang, kappa: Kappa) -> String {
    match kappa {
        Kappa::Value(v) => format!("{v:.2}"),
        Kappa::Undefined(why) => match why {
            KappaUndefined::OneObserver => tr(lang, "无法计算（只有一名观察员）", "undefined (one observer)").into(),
            KappaUndefined::TooFewSubjects => tr(lang, "无法计算（共同评分项太少）", "undefined (too few items in common)").into(),
            _ => tr(lang, "无法计算（评分没有变化）", "undefined (no variation in the marks)").into(),
        },
    }
}

pub fn agreement_view(ui: &mut egui::Ui, lang: Lang, vm: &AgreementVm) {
    let a = &vm.agreement;
    let title = match lang {
        Lang::Zh => format!("观察员对 {} 的评分比较", vm.responder),
        Lang::En => format!("How the observers scored {}", vm.responder),
    };
    ui.label(RichText::new(title).strong());
    if let Some(style) = &vm.style {
        ui.label(format!("{}{style}", tr(lang, "群众的性格（揭晓）：", "The citizen's style (revealed): ")));
    }
    protocol_lines(ui, &vm.protocol);
    // The reason is said once when neither kappa exists for the same reason.
    match (a.kappa_linear, a.kappa_quadratic) {
        (Kappa::Undefined(x), Kappa::Undefined(y)) if x == y => {
            ui.label(format!("{}: {}", tr(lang, "加权 kappa", "weighted kappa"), kappa_text(lang, a.kappa_linear)));
        }
        _ => {
            ui.label(format!(
                "{}: {} · {}: {}",
                tr(lang, "加权 kappa（线性）", "weighted kappa (linear)"),
                kappa_text(lang, a.kappa_linear),
                tr(lang, "（平方）", "(quadratic)"),
                kappa_text(lang, a.kappa_quadratic)
            ));
        }
    }
    ui.label(RichText::new(tr(lang, "— 未观察到 · · 未打分", "— not observed · · not marked")).color(MUTED));
    egui::Grid::new("agreement-grid").striped(true).spacing([18.0, 4.0]).show(ui, |ui| {
        ui.label(RichText::new(tr(lang, "评分项", "Item")).strong());
        for name in &vm.observers {
            ui.label(RichText::new(name).strong());
        }
        ui.label(RichText::new(tr(lang, "一致率", "Agreement")).strong());
        ui.label(RichText::new(tr(lang, "中位数", "Median")).strong());
        ui.end_row();
        for row in &a.items {
            if row.marks.iter().all(Option::is_none) {
                continue;
            }
            ui.label(format!("{:?} {}", row.item, row.item.label().get(lang)));
            for mark in &row.marks {
                ui.label(match mark {
                    Some(Observation::Level(l)) => l.to_string(),
                    Some(Observation::NotObserved) => "—".into(),
                    None => "·".into(),
                });
            }
            let split = row.percent.is_some_and(|p| p < 100.0);
            let text = row.percent.map_or("—".to_string(), |p| format!("{p:.0}%"));
            ui.label(RichText::new(text).color(if split { FAIL } else { ui.visuals().text_color() }));
            ui.label(row.median.map_or("—".to_string(), |m| m.to_string()));
            ui.end_row();
        }
    });
    for (flag, by) in &a.red_flags {
        let names: Vec<&str> = by.iter().filter_map(|o| a.observers.iter().position(|x| x == o)).filter_map(|k| vm.observers.get(k).map(String::as_str)).collect();
        // As the result counts it: raised by at least half of the observers.
        let failed = 2 * by.len() >= a.observers.len();
        let verdict = match (failed, lang) {
            (true, Lang::Zh) => "，至少一半观察员标出：本次不通过",
            (true, Lang::En) => " — at least half of the observers: it failed the attempt",
            (false, Lang::Zh) => "，不到一半观察员标出：不计入成绩",
            (false, Lang::En) => " — fewer than half of the observers: not counted",
        };
        let text = match lang {
            Lang::Zh => format!("红线 · {}：{} 标出{verdict}", flag.label().get(lang), names.join("、")),
            Lang::En => format!("Red flag · {}: raised by {}{verdict}", flag.label().get(lang), names.join(", ")),
        };
        ui.add(egui::Label::new(RichText::new(text).color(FAIL)).wrap());
    }
    if vm.order.iter().any(|f| f.ticks.iter().any(Option::is_some)) {
        order_ticks_view(ui, lang, vm);
    }
}

/// The observers' work-order ticks beside what a correct order holds.
fn order_ticks_view(ui: &mut egui::Ui, lang: Lang, vm: &AgreementVm) {
    ui.add_space(8.0);
    ui.label(RichText::new(tr(lang, "工单栏目：观察员的判断与来电实情对照", "The work order: the observers' ticks beside what the call said")).strong());
    ui.label(RichText::new(tr(lang, "√ 说对 · × 没问到或说错 · · 未判断；“来电没说”的栏目本来就不该有内容。", "√ right · × missed or wrong · · not judged; a field the call never gave should stay empty.")).color(MUTED));
    // "The call said" takes the width the other columns leave (see
    // `widgets::cell`), so it is not squeezed to a word a line.
    // (A grid column is never narrower than the interact size.)
    const GAP: f32 = 14.0;
    let least = ui.spacing().interact_size.x;
    let names: Vec<String> = vm.order.iter().map(|f| f.field.label().get(lang).to_string()).collect();
    let fields = widest(ui, names.iter().map(String::as_str).chain([tr(lang, "栏目", "Field")]), least);
    let observers: f32 = vm.observers.iter().map(|name| widest(ui, [name.as_str(), "√"], least)).sum();
    let agree = widest(ui, [tr(lang, "观察员一致", "Observers agree"), tr(lang, "分歧，讨论", "split: discuss")], least);
    let columns = vm.observers.len() as f32 + 3.0;
    let said_width = (ui.available_width() - 2.0 - fields - observers - agree - GAP * (columns - 1.0)).clamp(160.0, 640.0);
    egui::Grid::new("order-ticks-grid").striped(true).spacing([GAP, 4.0]).show(ui, |ui| {
        ui.label(RichText::new(tr(lang, "栏目", "Field")).strong());
        cell(ui, said_width, |ui| ui.label(RichText::new(tr(lang, "来电说的", "The call said")).strong()));
        for name in &vm.observers {
            ui.label(RichText::new(name).strong());
        }
        ui.label(RichText::new(tr(lang, "观察员一致", "Observers agree")).strong());
        ui.end_row();
        for field in &vm.order {
            ui.label(field.field.label().get(lang));
            cell(ui, said_width, |ui| {
                let said = if field.revealed { field.said.get(lang).to_string() } else { tr(lang, "（来电没说）", "(not said in this call)").to_string() };
                ui.add(egui::Label::new(said).wrap());
            });
            for tick in &field.ticks {
                let (text, colour) = match tick {
                    Some(true) => ("√", PASS),
                    Some(false) => ("×", FAIL),
                    None => ("·", MUTED),
                };
                ui.label(RichText::new(text).color(colour));
            }
            let given: Vec<bool> = field.ticks.iter().flatten().copied().collect();
            let agree = match given.as_slice() {
                [] | [_] => "—".to_string(),
                [first, rest @ ..] if rest.iter().all(|t| t == first) => tr(lang, "一致", "agree").to_string(),
                _ => tr(lang, "分歧，讨论", "split: discuss").to_string(),
            };
            let split = given.len() > 1 && given.iter().any(|t| *t != given[0]);
            ui.label(RichText::new(agree).color(if split { FAIL } else { ui.visuals().text_color() }));
            ui.end_row();
        }
    });
}
