//! Debrief: the five dimensions as a radar, the overall score and verdict,
//! red flags stated plainly, score notes, the DISC guess beside the truth,
//! and a turn-by-turn replay with what would have been better.

use super::widgets::{ACCENT, FAIL, MUTED, PASS, cell, share_width, upset_word, widest};
use super::{disc_label, screen_title, shortcut, tr};
use counterpart_core::scenario::model::{DiscStyle, Lang, Mood};
use counterpart_core::play::rubric::Rating;
use counterpart_core::notice::LineVerdict;
use counterpart_core::workorder::Verdict;
use super::workorder::EntryVm;
use bevy_egui::egui::{self, Color32, RichText, Shape, Stroke, pos2, vec2};

#[derive(Debug, Clone, PartialEq)]
pub struct ReplayTurn {
    pub stage: String,
    pub said: String,
    pub chosen: String,
    pub mood_before: Mood,
    pub mood_after: Mood,
    /// 0–100.
    pub quality: u8,
    pub feedback: String,
    pub red_flag: Option<String>,
    pub premature_solution: bool,
    pub timed_out: bool,
    /// The better option and why, when the chosen one was not the best.
    pub better: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DebriefVm {
    pub lang: Lang,
    pub title: String,
    /// (label, 0–100) in rubric order.
    pub dimensions: Vec<(String, f32)>,
    pub overall: f32,
    pub passed: bool,
    pub outcome: String,
    pub ending_text: String,
    pub red_flags: Vec<String>,
    pub notes: Vec<String>,
    pub disc_guess: Option<DiscStyle>,
    pub disc_primary: DiscStyle,
    pub disc_secondary: Option<DiscStyle>,
    /// The citizen's rating of the service, once the encounter has ended.
    pub rating: Option<Rating>,
    /// The persona played, when the scenario has more than one.
    pub persona: Option<String>,
    pub turns: Vec<ReplayTurn>,
    pub has_next: bool,
    /// Shown when the attempt could not be saved.
    pub save_error: Option<String>,
    /// The turn an author's practice run started from: not recorded, and
    /// the buttons lead back to the author view.
    pub practice_from: Option<String>,
    /// Where the debrief is shown, which decides its buttons.
    pub frame: DebriefFrame,
    /// The turn-by-turn replay is on screen. A trainer projecting a
    /// member's debrief may show the scores only.
    pub show_replay: bool,
    /// Set when there is no turn-by-turn replay to show, and why (an
    /// observer-scored role-play, a scenario changed since).
    pub no_replay: Option<String>,
    /// Set when the attempt has no score (unfinished or abandoned): said
    /// instead of the score and verdict.
    pub unscored: Option<String>,
    /// The work order scored, field by field (hotline scenarios with truth).
    pub order: Option<OrderDebriefVm>,
    /// The one-time notice scored, line by line (counter scenarios with truth).
    pub notice: Option<NoticeDebriefVm>,
    /// The knowledge entries this call needed, and whether they were opened.
    pub knowledge: Vec<(EntryVm, bool)>,
    /// Why the route scores what it does (an author's practice run only).
    pub explain: Option<ExplainVm>,
}

/// An author's view of why the route scored what it did: the mood step by
/// step with the DISC reaction apart from the author's numbers, then each
/// dimension's items with their rule, the answers they came from and their
/// caps. Words in the interface language.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainVm {
    /// Persona, DISC style, the over-talking limit.
    pub header: String,
    pub start: Mood,
    pub steps: Vec<ExplainStepVm>,
    pub dimensions: Vec<ExplainDimensionVm>,
    /// "62.5×25% + … = 71.3".
    pub overall: String,
    pub rating: Option<String>,
    pub notes: Vec<String>,
    pub desk_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExplainStepVm {
    /// "turn: option".
    pub answer: String,
    /// (upset, trust) changes.
    pub authored: (i16, i16),
    pub reaction: (i16, i16),
    pub late: Option<(i16, i16)>,
    pub after: Mood,
    pub clamped: bool,
    /// "L1=2 E1=3".
    pub records: String,
    pub marks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExplainDimensionVm {
    pub name: String,
    pub score: f32,
    pub weight: u32,
    pub items: Vec<ExplainItemVm>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExplainItemVm {
    /// "L1 name".
    pub item: String,
    pub level: u8,
    pub rule: String,
    /// The answers it came from ("[1]=2 [3]=1") and what they combine to.
    pub seen: String,
    pub combined: u8,
    pub caps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderFieldVm {
    pub label: String,
    pub verdict: Verdict,
    pub wrote: String,
    pub said: String,
    pub why: String,
    pub issues: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderDebriefVm {
    pub fields: Vec<OrderFieldVm>,
    /// (element, present) for time, place, people, event, demand.
    pub elements: Vec<(String, bool)>,
    /// "L2 ≤ 2: why", for the items the order lowered.
    pub caps: Vec<String>,
    /// The answers given when it was handed in, and how many the call had.
    pub submitted_after: Option<(usize, usize)>,
}

/// One line of the notice in the debrief: what the clerk wrote beside what
/// the notice needed, and why the difference matters.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeRowVm {
    /// 申请材料 / 办理步骤 / 后续事项, in the UI language.
    pub part: String,
    /// On the notice as handed over; None when it was left off.
    pub wrote: Option<String>,
    /// What the notice needed; None for a line it should not have had.
    pub needed: Option<String>,
    pub verdict: LineVerdict,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoticeDebriefVm {
    pub rows: Vec<NoticeRowVm>,
    pub steps_in_order: bool,
    /// "C2 ≤ 1: why", for the items the notice lowered.
    pub caps: Vec<String>,
    /// Problems with the input (a note far too long, pasted control characters).
    pub issues: Vec<String>,
    pub note: String,
    /// The answers given when it was handed over, and how many there were.
    pub handed_after: Option<(usize, usize)>,
    /// The citizen's copy can be printed from here (P).
    pub can_print: bool,
    /// Where the citizen's copy was written, or why it could not be.
    pub printed: Option<Result<String, String>>,
}

pub fn line_verdict_label(lang: Lang, verdict: LineVerdict) -> &'static str {
    match verdict {
        LineVerdict::Included => tr(lang, "√ 已告知", "√ On the notice"),
        LineVerdict::Missing => tr(lang, "× 漏了", "× Missing"),
        LineVerdict::NotNeeded => tr(lang, "× 用不着", "× Not needed"),
        LineVerdict::Wrong => tr(lang, "× 不是这件事的", "× Another matter's"),
        LineVerdict::Unknown => tr(lang, "? 指向不存在的内容", "? Points to nothing"),
    }
}

pub fn verdict_label(lang: Lang, verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Right => tr(lang, "√ 正确", "√ Right"),
        Verdict::Partly => tr(lang, "◐ 部分正确", "◐ Partly right"),
        Verdict::Wrong => tr(lang, "× 错误", "× Wrong"),
        Verdict::Missing => tr(lang, "× 漏填", "× Missing"),
        Verdict::NotSaid => tr(lang, "— 来电人没说", "— Not said in this call"),
        Verdict::Unsupported => tr(lang, "? 来电人没说过", "? Never said in this call"),
    }
}

fn verdict_colour(verdict: Verdict) -> Color32 {
    match verdict {
        Verdict::Right => PASS,
        Verdict::Partly | Verdict::Unsupported => Color32::from_rgb(200, 130, 20),
        Verdict::Wrong | Verdict::Missing => FAIL,
        Verdict::NotSaid => MUTED,
    }
}

/// Where a debrief is shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DebriefFrame {
    /// Right after the trainee's own encounter (or an author's practice run).
    #[default]
    Own,
    /// A group drill's slot, projected: `label` says whose it is and where
    /// the drill stands; Enter goes on to the scoreboard.
    Drill { label: String },
    /// A past attempt opened from the history; `label` says what it was
    /// (when, and which drill it belonged to).
    Past { label: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebriefAction {
    TryAgain,
    Next,
    Library,
    /// Drill: on to the scoreboard. History: back to the list.
    Continue,
    /// Show or hide the turn-by-turn replay.
    ToggleReplay,
    /// Write the citizen's copy of the one-time notice to a file (P).
    PrintNotice,
}

pub fn debrief_view(ui: &mut egui::Ui, vm: &DebriefVm) -> Option<DebriefAction> {
    let lang = vm.lang;
    let mut action = None;
    if vm.notice.as_ref().is_some_and(|n| n.can_print) && shortcut(ui, egui::Key::P) {
        action = Some(DebriefAction::PrintNotice);
    }
    match &vm.frame {
        DebriefFrame::Own => {
            if shortcut(ui, egui::Key::R) {
                action = Some(DebriefAction::TryAgain);
            } else if vm.has_next && shortcut(ui, egui::Key::N) {
                action = Some(DebriefAction::Next);
            }
        }
        DebriefFrame::Drill { .. } | DebriefFrame::Past { .. } => {
            if shortcut(ui, egui::Key::V) && vm.no_replay.is_none() {
                action = Some(DebriefAction::ToggleReplay);
            } else if matches!(vm.frame, DebriefFrame::Drill { .. }) && shortcut(ui, egui::Key::Enter) {
                action = Some(DebriefAction::Continue);
            }
        }
    }

    egui::Panel::bottom("debrief-buttons").resizable(false).show(ui, |ui| {
        ui.add_space(6.0);
        if !matches!(vm.frame, DebriefFrame::Own) {
            ui.horizontal_wrapped(|ui| {
                let (go_on, replay) = match &vm.frame {
                    DebriefFrame::Drill { .. } => (tr(lang, "继续：记分板 (Enter)", "Continue: the scoreboard (Enter)"), true),
                    _ => (tr(lang, "返回练习记录 (Esc)", "Back to the history (Esc)"), true),
                };
                if ui.button(RichText::new(go_on).size(16.0)).clicked() {
                    action = Some(DebriefAction::Continue);
                }
                if replay && vm.no_replay.is_none() {
                    let toggle = if vm.show_replay {
                        tr(lang, "只显示分数 (V)", "Scores only (V)")
                    } else {
                        tr(lang, "显示逐轮回放 (V)", "Show the turn-by-turn replay (V)")
                    };
                    if ui.button(RichText::new(toggle).size(16.0)).clicked() {
                        action = Some(DebriefAction::ToggleReplay);
                    }
                }
            });
            ui.add_space(6.0);
            return;
        }
        let practice = vm.practice_from.is_some();
        ui.horizontal(|ui| {
            let again = if practice { tr(lang, "从同一轮再练 (R)", "Practise again from there (R)") } else { tr(lang, "再试一次 (R)", "Try again (R)") };
            if ui.button(RichText::new(again).size(16.0)).clicked() {
                action = Some(DebriefAction::TryAgain);
            }
            if vm.has_next && ui.button(RichText::new(tr(lang, "下一个场景 (N)", "Next scenario (N)")).size(16.0)).clicked() {
                action = Some(DebriefAction::Next);
            }
            let back = if practice { tr(lang, "返回作者视图 (Esc)", "Back to the author view (Esc)") } else { tr(lang, "返回场景库 (Esc)", "Back to the library (Esc)") };
            if ui.button(RichText::new(back).size(16.0)).clicked() {
                action = Some(DebriefAction::Library);
            }
        });
        ui.add_space(6.0);
    });

    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().id_salt("debrief").auto_shrink([false, false]).show(ui, |ui| {
            super::widgets::page_keys(ui);
            screen_title(ui, &format!("{} · {}", tr(lang, "复盘", "Debrief"), vm.title));
            if let DebriefFrame::Drill { label } | DebriefFrame::Past { label } = &vm.frame {
                ui.label(RichText::new(label).size(18.0).strong().color(ACCENT));
            }
            if let Some(turn) = &vm.practice_from {
                let text = match lang {
                    Lang::Zh => format!("作者练习：从「{turn}」这一轮开始，分数只算这之后的回答，不计入任何记录。"),
                    Lang::En => format!("Author practice from turn “{turn}”: the score counts only the answers from there, and nothing is recorded."),
                };
                ui.label(RichText::new(text).color(ACCENT).strong());
                ui.add_space(4.0);
            }
            ui.horizontal_top(|ui| {
                let size = 300.0_f32.min(ui.available_width() * 0.4);
                radar(ui, size, &vm.dimensions);
                ui.add_space(12.0);
                ui.vertical(|ui| summary(ui, vm));
            });
            if let Some(order) = &vm.order {
                ui.add_space(8.0);
                ui.separator();
                order_section(ui, lang, order);
            }
            if let Some(notice) = &vm.notice {
                ui.add_space(8.0);
                ui.separator();
                if notice_section(ui, lang, notice) {
                    action = Some(DebriefAction::PrintNotice);
                }
            }
            if !vm.knowledge.is_empty() {
                ui.add_space(8.0);
                ui.separator();
                knowledge_section(ui, lang, &vm.knowledge);
            }
            if let Some(explain) = &vm.explain {
                ui.add_space(8.0);
                ui.separator();
                explain_section(ui, lang, explain);
            }
            ui.add_space(8.0);
            ui.separator();
            if let Some(why) = &vm.no_replay {
                ui.label(RichText::new(why).color(MUTED));
            } else if vm.show_replay {
                ui.label(RichText::new(tr(lang, "逐轮回放", "Turn by turn")).size(18.0).strong());
                for (index, turn) in vm.turns.iter().enumerate() {
                    replay_turn(ui, lang, index, turn);
                }
            } else {
                ui.label(RichText::new(tr(lang, "逐轮回放未显示（V 显示）。", "The turn-by-turn replay is hidden (V shows it).")).color(MUTED));
            }
        });
    });
    action
}

fn summary(ui: &mut egui::Ui, vm: &DebriefVm) {
    let lang = vm.lang;
    if let Some(why) = &vm.unscored {
        ui.label(RichText::new(why).size(20.0).strong().color(MUTED));
        return;
    }
    let (verdict, colour) = if vm.passed {
        (tr(lang, "通过", "Passed"), PASS)
    } else {
        (tr(lang, "未通过", "Not passed"), FAIL)
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("{:.0}", vm.overall)).size(44.0).strong());
        ui.label(RichText::new(tr(lang, "/ 100 总分", "/ 100 overall")).color(MUTED));
        ui.label(RichText::new(verdict).size(24.0).strong().color(colour));
    });
    if let Some(rating) = vm.rating {
        let colour = match rating {
            Rating::Satisfied => PASS,
            Rating::BasicallySatisfied => MUTED,
            Rating::Dissatisfied => FAIL,
        };
        ui.horizontal(|ui| {
            ui.label(tr(lang, "群众评价：", "The citizen's rating: "));
            ui.label(RichText::new(rating.label().get(lang)).size(20.0).strong().color(colour));
        });
    }
    ui.label(format!("{}{}", tr(lang, "结局：", "Ending: "), vm.outcome));
    ui.label(RichText::new(&vm.ending_text).italics().color(MUTED));
    for (label, score) in &vm.dimensions {
        ui.label(format!("{label}: {score:.0}"));
    }
    if !vm.red_flags.is_empty() {
        ui.add_space(6.0);
        ui.label(
            RichText::new(tr(
                lang,
                "⚠ 触碰红线——无论总分多少，本次练习不通过：",
                "⚠ Red flags — these fail the encounter whatever the score:",
            ))
            .color(FAIL)
            .strong(),
        );
        for flag in &vm.red_flags {
            ui.label(RichText::new(format!("• {flag}")).color(FAIL));
        }
    }
    for note in &vm.notes {
        ui.label(RichText::new(format!("ⓘ {note}")).color(MUTED));
    }
    ui.add_space(6.0);
    let truth = match vm.disc_secondary {
        Some(second) => format!("{}{}{}", disc_label(lang, vm.disc_primary), tr(lang, "，兼有 ", ", with some "), disc_label(lang, second)),
        None => disc_label(lang, vm.disc_primary).to_string(),
    };
    let guess = vm.disc_guess.map_or(tr(lang, "未作判断", "no guess").to_string(), |g| disc_label(lang, g).to_string());
    let right = vm.disc_guess == Some(vm.disc_primary);
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("{}{guess}", tr(lang, "你判断的风格：", "Your DISC read: ")));
        ui.label("·");
        ui.label(format!("{}{truth}", tr(lang, "本次的风格：", "The citizen's style this time: ")));
        if let Some(persona) = &vm.persona {
            ui.label(RichText::new(format!("({persona})")).color(MUTED));
        }
        let (mark, colour) = if right { ("√", PASS) } else { ("×", FAIL) };
        ui.label(RichText::new(mark).color(colour).strong());
    });
    ui.label(
        RichText::new(tr(
            lang,
            "DISC 风格是混合的，判断只是练习，不计入分数；计分看你的回应是否贴合对方。",
            "Styles are blends; the guess is practice and not scored — the score looks at how your answers suited the citizen.",
        ))
        .small()
        .color(MUTED),
    );
    if let Some(error) = &vm.save_error {
        ui.colored_label(FAIL, error);
    }
}

/// A five-axis radar drawn with the painter: rings at 25/50/75/100 and the
/// scores as a filled polygon.
pub fn radar(ui: &mut egui::Ui, size: f32, dimensions: &[(String, f32)]) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(vec2(size, size), egui::Sense::hover());
    if dimensions.len() < 3 || !ui.is_rect_visible(rect) {
        return response;
    }
    let painter = ui.painter_at(rect.expand(4.0));
    let centre = rect.center();
    let radius = size * 0.32;
    let n = dimensions.len();
    let at = |i: usize, r: f32| {
        let angle = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::TAU / n as f32;
        pos2(centre.x + r * angle.cos(), centre.y + r * angle.sin())
    };
    let grid = Stroke::new(1.0, ui.visuals().weak_text_color().gamma_multiply(0.5));
    for ring in [0.25, 0.5, 0.75, 1.0] {
        painter.add(Shape::closed_line((0..n).map(|i| at(i, radius * ring)).collect(), grid));
    }
    for i in 0..n {
        painter.line_segment([centre, at(i, radius)], grid);
    }
    let points: Vec<_> = dimensions
        .iter()
        .enumerate()
        .map(|(i, (_, score))| at(i, radius * (score.clamp(0.0, 100.0) / 100.0).max(0.02)))
        .collect();
    // The polygon need not be convex, so fill it as a fan of triangles.
    let fill = Color32::from_rgba_unmultiplied(ACCENT.r(), ACCENT.g(), ACCENT.b(), 70);
    for i in 0..n {
        painter.add(Shape::convex_polygon(vec![centre, points[i], points[(i + 1) % n]], fill, Stroke::NONE));
    }
    painter.add(Shape::closed_line(points.clone(), Stroke::new(2.0, ACCENT)));
    for p in &points {
        painter.circle_filled(*p, 3.0, ACCENT);
    }
    let font = egui::FontId::proportional(13.0);
    for (i, (label, score)) in dimensions.iter().enumerate() {
        let p = at(i, radius + 14.0);
        let align = if (p.x - centre.x).abs() < 4.0 {
            egui::Align2::CENTER_BOTTOM
        } else if p.x > centre.x {
            egui::Align2::LEFT_CENTER
        } else {
            egui::Align2::RIGHT_CENTER
        };
        painter.text(p, align, format!("{label} {score:.0}"), font.clone(), ui.visuals().text_color());
    }
    response
}

fn arrow(before: u8, after: u8) -> &'static str {
    match after.cmp(&before) {
        std::cmp::Ordering::Greater => "↑",
        std::cmp::Ordering::Less => "↓",
        std::cmp::Ordering::Equal => "→",
    }
}

fn replay_turn(ui: &mut egui::Ui, lang: Lang, index: usize, turn: &ReplayTurn) {
    let border = if turn.red_flag.is_some() {
        FAIL
    } else if turn.quality >= 67 {
        PASS
    } else {
        egui::Color32::from_rgb(200, 130, 20)
    };
    egui::Frame::group(ui.style())
        .stroke(Stroke::new(1.5, border))
        .inner_margin(10.0)
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                let heading = match lang {
                    Lang::Zh => format!("第 {} 轮 · {}", index + 1, turn.stage),
                    Lang::En => format!("Turn {} · {}", index + 1, turn.stage),
                };
                ui.label(RichText::new(heading).strong());
                let (upset, trust, open, close) = match lang {
                    Lang::Zh => ("情绪", "信任", "（", "）"),
                    Lang::En => ("upset", "trust", " (", ") "),
                };
                let (before, after) = (turn.mood_before, turn.mood_after);
                let mood = format!(
                    "{upset} {}→{} {}{open}{}{close}· {trust} {}→{} {}",
                    before.upset,
                    after.upset,
                    arrow(before.upset, after.upset),
                    upset_word(lang, after.upset),
                    before.trust,
                    after.trust,
                    arrow(before.trust, after.trust),
                );
                ui.label(RichText::new(mood).color(MUTED));
            });
            ui.label(RichText::new(format!("{}{}", tr(lang, "群众：", "Citizen: "), turn.said)).color(MUTED));
            ui.label(format!("{}{}", tr(lang, "你：", "You: "), turn.chosen));
            if let Some(flag) = &turn.red_flag {
                ui.label(RichText::new(format!("⚠ {}{flag}", tr(lang, "红线：", "Red flag: "))).color(FAIL).strong());
            }
            if turn.premature_solution {
                ui.label(
                    RichText::new(tr(lang, "对方还很激动时就给了方案。", "A solution came while the citizen was still very upset."))
                        .color(FAIL),
                );
            }
            if turn.timed_out {
                ui.label(RichText::new(tr(lang, "这一轮超时了。", "This answer came after the time limit.")).color(FAIL));
            }
            ui.label(RichText::new(&turn.feedback).italics());
            if let Some((better, why)) = &turn.better {
                ui.label(RichText::new(format!("{}{better}", tr(lang, "更好的说法：", "A better answer: "))).color(PASS));
                if !why.is_empty() {
                    ui.label(RichText::new(why).small().color(MUTED));
                }
            }
        });
    ui.add_space(6.0);
}

pub fn order_section(ui: &mut egui::Ui, lang: Lang, order: &OrderDebriefVm) {
    ui.label(RichText::new(tr(lang, "工单逐栏对照", "The work order, field by field")).size(18.0).strong());
    if let Some((after, total)) = order.submitted_after {
        let text = match lang {
            Lang::Zh if after < total => format!("在第 {after} 轮回答后提交（全程 {total} 轮）；之后来电人说的也算在内。"),
            Lang::Zh => "通话结束后提交。".to_string(),
            Lang::En if after < total => format!("Handed in after answer {after} of {total}; what the caller said later counts too."),
            Lang::En => "Handed in after the call.".to_string(),
        };
        ui.label(RichText::new(text).small().color(MUTED));
    }
    for cap in &order.caps {
        ui.label(RichText::new(format!("↓ {cap}")).color(FAIL));
    }
    if !order.elements.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(tr(lang, "五要素：", "Five elements: "));
            for (name, present) in &order.elements {
                let (mark, colour) = if *present { ("√", PASS) } else { ("×", FAIL) };
                ui.label(RichText::new(format!("{mark} {name}")).color(colour));
            }
        });
    }
    // The table fills the width it has (see `widgets::cell`): the field's
    // name and verdict in a narrow column, the three texts share the rest.
    let room = ui.available_width() - 2.0;
    let names = order.fields.iter().flat_map(|f| [f.label.as_str(), verdict_label(lang, f.verdict)]);
    let name_width = widest(ui, names, 60.0).min(room * 0.22);
    let texts = share_width(room - name_width - TABLE_GAP, TABLE_GAP, &[1.0, 1.0, 1.0], 100.0);
    egui::Grid::new("order-fields").num_columns(4).striped(true).spacing([TABLE_GAP, 6.0]).show(ui, |ui| {
        let headings = [tr(lang, "栏目", "Field"), tr(lang, "你写的", "You wrote"), tr(lang, "来电说的", "The call said"), tr(lang, "为什么要紧", "Why it matters")];
        for (heading, width) in headings.into_iter().zip([name_width, texts[0], texts[1], texts[2]]) {
            cell(ui, width, |ui| ui.label(RichText::new(heading).strong()));
        }
        ui.end_row();
        for field in &order.fields {
            cell(ui, name_width, |ui| {
                ui.add(egui::Label::new(RichText::new(&field.label).strong()).wrap());
                ui.add(egui::Label::new(RichText::new(verdict_label(lang, field.verdict)).color(verdict_colour(field.verdict))).wrap());
            });
            cell(ui, texts[0], |ui| {
                let wrote = if field.wrote.trim().is_empty() { tr(lang, "（空）", "(empty)").to_string() } else { field.wrote.clone() };
                ui.add(egui::Label::new(wrote).wrap());
                for issue in &field.issues {
                    ui.add(egui::Label::new(RichText::new(format!("⚠ {issue}")).small().color(FAIL)).wrap());
                }
            });
            cell(ui, texts[1], |ui| ui.add(egui::Label::new(&field.said).wrap()));
            cell(ui, texts[2], |ui| ui.add(egui::Label::new(RichText::new(&field.why).small().color(MUTED)).wrap()));
            ui.end_row();
        }
    });
}

/// The space between a debrief table's columns.
const TABLE_GAP: f32 = 12.0;

/// The notice line by line; true when the print button was clicked.
pub fn notice_section(ui: &mut egui::Ui, lang: Lang, notice: &NoticeDebriefVm) -> bool {
    let mut print = false;
    ui.label(RichText::new(tr(lang, "一次性告知单逐项对照", "The one-time notice, line by line")).size(18.0).strong());
    if let Some((after, total)) = notice.handed_after {
        let text = match lang {
            Lang::Zh if after < total => format!("在第 {after} 轮回答后交给群众（全程 {total} 轮）。"),
            Lang::Zh => "对话结束后交给群众。".to_string(),
            Lang::En if after < total => format!("Handed over after answer {after} of {total}."),
            Lang::En => "Handed over after the conversation.".to_string(),
        };
        ui.label(RichText::new(text).small().color(MUTED));
    }
    for cap in &notice.caps {
        ui.add(egui::Label::new(RichText::new(format!("↓ {cap}")).color(FAIL)).wrap());
    }
    if !notice.steps_in_order {
        ui.label(RichText::new(tr(lang, "× 办理步骤的顺序排乱了。", "× The steps are out of order.")).color(FAIL));
    }
    for issue in &notice.issues {
        ui.add(egui::Label::new(RichText::new(format!("⚠ {issue}")).small().color(FAIL)).wrap());
    }
    // Three columns sharing the width the table has (see `widgets::cell`).
    let widths = share_width(ui.available_width() - 2.0, TABLE_GAP, &[1.0, 1.0, 1.0], 100.0);
    egui::Grid::new("notice-lines").num_columns(3).striped(true).spacing([TABLE_GAP, 6.0]).show(ui, |ui| {
        let headings = [tr(lang, "你写的", "You wrote"), tr(lang, "告知单应有的", "The notice needed"), tr(lang, "为什么要紧", "Why it matters")];
        for (heading, &width) in headings.into_iter().zip(&widths) {
            cell(ui, width, |ui| ui.label(RichText::new(heading).strong()));
        }
        ui.end_row();
        let mut part = "";
        for row in &notice.rows {
            if row.part != part {
                part = &row.part;
                ui.label(RichText::new(part).strong().color(ACCENT));
                ui.end_row();
            }
            cell(ui, widths[0], |ui| match &row.wrote {
                Some(text) => ui.add(egui::Label::new(text).wrap()),
                None => ui.label(RichText::new(tr(lang, "（没写）", "(left off)")).color(MUTED)),
            });
            cell(ui, widths[1], |ui| match &row.needed {
                Some(text) => ui.add(egui::Label::new(text).wrap()),
                None => ui.label(RichText::new(tr(lang, "（不该有）", "(should not be there)")).color(MUTED)),
            });
            cell(ui, widths[2], |ui| {
                let colour = if row.verdict == LineVerdict::Included { PASS } else { FAIL };
                ui.label(RichText::new(line_verdict_label(lang, row.verdict)).color(colour));
                if !row.why.is_empty() {
                    ui.add(egui::Label::new(RichText::new(&row.why).small().color(MUTED)).wrap());
                }
            });
            ui.end_row();
        }
    });
    if !notice.note.trim().is_empty() {
        ui.add(egui::Label::new(format!("{}{}", tr(lang, "备注：", "Note: "), notice.note)).wrap());
    }
    if notice.can_print {
        ui.add_space(4.0);
        if ui.button(RichText::new(tr(lang, "打印群众的那一份 (P)", "Print the citizen's copy (P)")).size(16.0)).clicked() {
            print = true;
        }
    }
    match &notice.printed {
        Some(Ok(path)) => {
            let text = match lang {
                Lang::Zh => format!("√ 已写好群众的那一份：{path}（用浏览器打开后按 Ctrl+P 打印）"),
                Lang::En => format!("√ The citizen's copy is written to {path} (open it in a browser and press Ctrl+P to print)"),
            };
            ui.add(egui::Label::new(RichText::new(text).color(PASS)).wrap());
        }
        Some(Err(e)) => {
            let text = match lang {
                Lang::Zh => format!("× 群众的那一份没能写出：{e}"),
                Lang::En => format!("× The citizen's copy could not be written: {e}"),
            };
            ui.add(egui::Label::new(RichText::new(text).color(FAIL)).wrap());
        }
        None => {}
    }
    print
}

/// The entries the call needed, each marked looked up or not (a solo
/// debrief, and a class vote's).
pub fn knowledge_section(ui: &mut egui::Ui, lang: Lang, entries: &[(EntryVm, bool)]) {
    ui.label(RichText::new(tr(lang, "这次要查的知识库条目", "The knowledge this case needed")).size(18.0).strong());
    for (entry, opened) in entries {
        egui::Frame::group(ui.style()).inner_margin(8.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&entry.title).strong());
                ui.label(RichText::new(&entry.kind).color(MUTED));
                let (text, colour) = if *opened { (tr(lang, "√ 通话中查过", "√ Looked up during the call"), PASS) } else { (tr(lang, "通话中没有查", "Not looked up during the call"), FAIL) };
                ui.label(RichText::new(text).color(colour));
            });
            ui.label(&entry.summary);
            for (i, step) in entry.steps.iter().enumerate() {
                ui.label(RichText::new(format!("{}. {step}", i + 1)).small());
            }
            for limit in &entry.time_limits {
                ui.label(RichText::new(format!("⏱ {limit}")).small());
            }
            ui.label(RichText::new(format!("{}{}", tr(lang, "出处：", "Source: "), entry.source)).small().color(MUTED));
        });
    }
}

fn signed(n: i16) -> String {
    if n >= 0 { format!("+{n}") } else { n.to_string() }
}

/// Why this score, for the author: open at first, folded away with a click.
fn explain_section(ui: &mut egui::Ui, lang: Lang, e: &ExplainVm) {
    egui::CollapsingHeader::new(RichText::new(tr(lang, "为什么是这个分数（作者视图）", "Why this score (author view)")).size(18.0).strong())
        .id_salt("explain")
        .default_open(true)
        .show(ui, |ui| {
            ui.label(RichText::new(&e.header).color(MUTED));
            ui.add_space(4.0);
            ui.label(RichText::new(tr(lang, "情绪逐步变化：作者写的数值，加上对 DISC 风格的反应（蓝色）", "Mood step by step: the author's numbers, plus the reaction to the DISC fit (in blue)")).strong());
            ui.label(format!("{} · {} {} · {} {}", tr(lang, "开始", "Start"), tr(lang, "不满", "upset"), e.start.upset, tr(lang, "信任", "trust"), e.start.trust));
            for (n, step) in e.steps.iter().enumerate() {
                ui.horizontal_wrapped(|ui| {
                    ui.spacing_mut().item_spacing.x = 6.0;
                    ui.label(RichText::new(format!("[{}] {}", n + 1, step.answer)).strong());
                    ui.label(format!("{} {}/{}", tr(lang, "作者", "author"), signed(step.authored.0), signed(step.authored.1)));
                    ui.label(RichText::new(format!("DISC {}/{}", signed(step.reaction.0), signed(step.reaction.1))).color(ACCENT));
                    if let Some((u, t)) = step.late {
                        ui.label(RichText::new(format!("{} {}/{}", tr(lang, "超时", "late"), signed(u), signed(t))).color(FAIL));
                    }
                    ui.label(format!("→ {} {} · {} {}", tr(lang, "不满", "upset"), step.after.upset, tr(lang, "信任", "trust"), step.after.trust));
                    if step.clamped {
                        ui.label(RichText::new(tr(lang, "（到 0 或 100 为止）", "(held at 0 or 100)")).color(MUTED));
                    }
                });
                ui.indent(("explain-step", n), |ui| {
                    ui.label(RichText::new(format!("{}{}", tr(lang, "记录：", "Records: "), step.records)).small());
                    for mark in &step.marks {
                        ui.label(RichText::new(format!("· {mark}")).small().color(MUTED));
                    }
                });
            }
            ui.add_space(6.0);
            ui.label(RichText::new(tr(lang, "各项得分（0 有害 · 1 缺失 · 2 合格 · 3 优秀）", "Items (0 harmful · 1 missed · 2 adequate · 3 exemplary)")).strong());
            for dim in &e.dimensions {
                ui.label(RichText::new(format!("{} {:.1}  ({} {}%)", dim.name, dim.score, tr(lang, "权重", "weight"), dim.weight)).strong());
                ui.indent(("explain-dim", &dim.name), |ui| {
                    for item in &dim.items {
                        let mut line = format!("{} = {}  ({}; {} → {}", item.item, item.level, item.rule, item.seen, item.combined);
                        for cap in &item.caps {
                            line.push_str("; ");
                            line.push_str(cap);
                        }
                        line.push(')');
                        let colour = if item.caps.is_empty() { ui.visuals().text_color() } else { FAIL };
                        ui.label(RichText::new(line).small().color(colour));
                    }
                });
            }
            ui.add_space(4.0);
            ui.label(RichText::new(format!("{} = {}", tr(lang, "总分", "Overall"), e.overall)).strong());
            if let Some(rating) = &e.rating {
                ui.label(rating);
            }
            for note in &e.notes {
                ui.label(RichText::new(format!("ⓘ {note}")).color(MUTED));
            }
            if let Some(note) = &e.desk_note {
                ui.label(RichText::new(note).small().color(MUTED));
            }
        });
}
