//! Library: a card per scenario, filters and search; files that failed to
//! load appear as error cards with their diagnostics.

use super::widgets::{ACCENT, FAIL, MUTED, PASS, badge};
use super::drill::{UnfinishedAction, UnfinishedDrill, unfinished_drills_view};
use super::{channel_label, difficulty_label, screen_title, shortcut, tr};
use counterpart_core::scenario::model::{Channel, Difficulty, Lang};
use bevy_egui::egui::{self, RichText};

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioCard {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub channel: Channel,
    pub difficulty: Difficulty,
    pub minutes: u32,
    pub objectives: Vec<String>,
    pub tags: Vec<String>,
    /// The trainee's best overall score and whether that attempt passed.
    pub best: Option<(f32, bool)>,
    /// Which folder the file came from ("trainers' folder · /path"), when
    /// the library knows: trainers need to see whose copy they are playing.
    pub source: Option<String>,
    /// Set when this scenario replaces a bundled (or earlier) one with the
    /// same id: says which.
    pub replaces: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCard {
    pub file: String,
    /// `file:line:column: message` lines, one per diagnostic.
    pub diagnostics: Vec<String>,
    /// Which folder the file came from, as on a scenario card.
    pub source: Option<String>,
    /// The file on disk, for the repair button.
    pub path: std::path::PathBuf,
    /// The first problem is a typing slip the app can repair for certain
    /// (full-width punctuation, quotes inside a text, a text given in one
    /// language only).
    pub repairable: bool,
    /// What the last repair of this file did, shown on the card.
    pub repair_note: Option<(bool, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Card {
    Scenario(ScenarioCard),
    Error(ErrorCard),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LibraryFilter {
    pub channel: Option<Channel>,
    pub difficulty: Option<Difficulty>,
    pub tag: Option<String>,
    pub search: String,
}

impl LibraryFilter {
    /// Does a scenario card pass the filter? Search matches title, summary,
    /// tags and id, case-insensitively. Error cards always show: a trainer
    /// must not be able to filter a broken file out of sight.
    pub fn admits(&self, card: &Card) -> bool {
        let Card::Scenario(card) = card else { return true };
        if self.channel.is_some_and(|c| c != card.channel) {
            return false;
        }
        if self.difficulty.is_some_and(|d| d != card.difficulty) {
            return false;
        }
        if let Some(tag) = &self.tag
            && !card.tags.contains(tag)
        {
            return false;
        }
        let needle = self.search.trim().to_lowercase();
        needle.is_empty()
            || [&card.title, &card.summary, &card.id]
                .iter()
                .any(|s| s.to_lowercase().contains(&needle))
            || card.tags.iter().any(|t| t.to_lowercase().contains(&needle))
            || card.objectives.iter().any(|o| o.to_lowercase().contains(&needle))
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LibraryVm {
    pub lang: Lang,
    pub cards: Vec<Card>,
    /// Index into `cards` of the highlighted scenario.
    pub selected: usize,
    pub filter: LibraryFilter,
    /// An attempt left unfinished (the app closed or crashed mid-encounter).
    pub resume: Option<ResumeOffer>,
    /// Group drills left unfinished, offered as on the start screen.
    pub unfinished_drills: Vec<UnfinishedDrill>,
}

/// What the library says about an unfinished attempt.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResumeOffer {
    pub title: String,
    pub started: String,
    /// Turns already answered.
    pub steps: usize,
    /// Why it cannot be continued (the scenario changed or is gone); it can
    /// still be set aside.
    pub problem: Option<String>,
}

impl LibraryVm {
    /// Every tag used in the library, sorted, for the tag filter.
    pub fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = self
            .cards
            .iter()
            .filter_map(|c| match c {
                Card::Scenario(s) => Some(s.tags.iter().cloned()),
                Card::Error(_) => None,
            })
            .flatten()
            .collect();
        tags.sort();
        tags.dedup();
        tags
    }

    /// Indices of the playable cards the filter lets through, in order.
    pub fn playable(&self) -> Vec<usize> {
        self.cards
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c, Card::Scenario(_)) && self.filter.admits(c))
            .map(|(i, _)| i)
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LibraryAction {
    /// Start the scenario with this id.
    Start(String),
    Select(usize),
    OpenHistory,
    /// Open the group drill set-up.
    OpenDrill,
    /// Open the exams (考核).
    OpenExams,
    /// Open the author view of the scenario with this id.
    Author(String),
    /// Continue the unfinished attempt.
    Resume,
    /// Mark the unfinished attempt abandoned.
    Discard,
    /// Continue or close an unfinished group drill.
    Drill(UnfinishedAction),
    /// Repair the typing slips of the file that failed to load.
    Repair(std::path::PathBuf),
}

pub fn search_id() -> egui::Id {
    egui::Id::new("library-search")
}

pub fn library_view(ui: &mut egui::Ui, vm: &mut LibraryVm) -> Option<LibraryAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.horizontal(|ui| {
        screen_title(ui, tr(lang, "场景库", "Scenario library"));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(tr(lang, "练习记录 (H)", "History (H)")).clicked() {
                action = Some(LibraryAction::OpenHistory);
            }
            if ui.button(tr(lang, "分组演练 (G)", "Group drill (G)")).clicked() {
                action = Some(LibraryAction::OpenDrill);
            }
            if ui.button(tr(lang, "考核 (K)", "Exams (K)")).clicked() {
                action = Some(LibraryAction::OpenExams);
            }
        });
    });
    if let Some(offer) = &vm.resume
        && let Some(a) = resume_banner(ui, lang, offer)
    {
        action = Some(a);
    }
    if let Some(a) = unfinished_drills_view(ui, lang, &vm.unfinished_drills) {
        action = Some(LibraryAction::Drill(a));
    }
    filter_bar(ui, vm);
    ui.separator();

    let playable = vm.playable();
    // Keyboard: move among the visible playable cards, Enter starts.
    let mut moved = false;
    if !playable.is_empty() {
        let position = playable.iter().position(|&i| i == vm.selected);
        let next = |step: isize| {
            let p = position.map_or(0, |p| (p as isize + step).clamp(0, playable.len() as isize - 1) as usize);
            playable[p]
        };
        if shortcut(ui, egui::Key::ArrowDown) || shortcut(ui, egui::Key::Tab) {
            action = Some(LibraryAction::Select(next(1)));
            moved = true;
        } else if shortcut(ui, egui::Key::ArrowUp) {
            action = Some(LibraryAction::Select(next(-1)));
            moved = true;
        } else if shortcut(ui, egui::Key::Enter) {
            let index = if position.is_some() { vm.selected } else { playable[0] };
            if let Card::Scenario(card) = &vm.cards[index] {
                action = Some(LibraryAction::Start(card.id.clone()));
            }
        }
    }
    if action.is_none() && shortcut(ui, egui::Key::H) {
        action = Some(LibraryAction::OpenHistory);
    }
    if action.is_none() && shortcut(ui, egui::Key::G) {
        action = Some(LibraryAction::OpenDrill);
    }
    if action.is_none() && shortcut(ui, egui::Key::K) {
        action = Some(LibraryAction::OpenExams);
    }
    if action.is_none()
        && let Some(Card::Scenario(card)) = vm.cards.get(vm.selected).filter(|_| playable.contains(&vm.selected))
        && shortcut(ui, egui::Key::A)
    {
        action = Some(LibraryAction::Author(card.id.clone()));
    }
    let highlighted = match action {
        Some(LibraryAction::Select(i)) => i,
        _ => vm.selected,
    };

    let visible: Vec<usize> =
        (0..vm.cards.len()).filter(|&i| vm.filter.admits(&vm.cards[i])).collect();
    if playable.is_empty() {
        ui.label(tr(lang, "没有符合条件的场景。", "No scenario matches these filters."));
    }
    let columns = if ui.available_width() > 900.0 { 2 } else { 1 };
    egui::ScrollArea::vertical().id_salt("library-cards").auto_shrink([false, false]).show(ui, |ui| {
        let width = (ui.available_width() - 12.0 * (columns as f32 - 1.0)) / columns as f32;
        for row in visible.chunks(columns) {
            ui.horizontal_top(|ui| {
                for &index in row {
                    ui.allocate_ui_with_layout(
                        egui::vec2(width, 0.0),
                        egui::Layout::top_down(egui::Align::Min),
                        |ui| {
                            ui.set_width(width);
                            let response = match &vm.cards[index] {
                                Card::Scenario(card) => {
                                    let (response, start, author) = scenario_card(ui, lang, card, index == highlighted);
                                    if start {
                                        action = Some(LibraryAction::Start(card.id.clone()));
                                    }
                                    if author {
                                        action = Some(LibraryAction::Author(card.id.clone()));
                                    }
                                    response
                                }
                                Card::Error(card) => {
                                    let (response, repair) = error_card(ui, lang, card);
                                    if repair {
                                        action = Some(LibraryAction::Repair(card.path.clone()));
                                    }
                                    response
                                }
                            };
                            if moved && index == highlighted {
                                response.scroll_to_me(None);
                            }
                        },
                    );
                }
            });
            ui.add_space(10.0);
        }
    });
    action
}

fn resume_banner(ui: &mut egui::Ui, lang: Lang, offer: &ResumeOffer) -> Option<LibraryAction> {
    let mut action = None;
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, ACCENT)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let text = match lang {
            Lang::Zh => format!("上次的练习《{}》没有做完（{} 开始，已答 {} 轮）。", offer.title, offer.started, offer.steps),
            Lang::En => format!("Your last attempt at “{}” was not finished (started {}, {} turns answered).", offer.title, offer.started, offer.steps),
        };
        ui.label(RichText::new(text).strong());
        if let Some(problem) = &offer.problem {
            ui.label(RichText::new(problem).color(FAIL));
        }
        ui.horizontal(|ui| {
            let can_resume = offer.problem.is_none();
            let resume = ui.add_enabled(can_resume, egui::Button::new(tr(lang, "继续这次练习 (C)", "Continue it (C)")));
            if resume.clicked() || (can_resume && shortcut(ui, egui::Key::C)) {
                action = Some(LibraryAction::Resume);
            }
            if ui.button(tr(lang, "放弃，记为未完成 (X)", "Set it aside as abandoned (X)")).clicked() || shortcut(ui, egui::Key::X) {
                action = Some(LibraryAction::Discard);
            }
        });
    });
    action
}

fn filter_bar(ui: &mut egui::Ui, vm: &mut LibraryVm) {
    let lang = vm.lang;
    let tags = vm.tags();
    let any = tr(lang, "全部", "All");
    ui.horizontal_wrapped(|ui| {
        ui.label(tr(lang, "渠道", "Channel"));
        egui::ComboBox::from_id_salt("filter-channel")
            .selected_text(vm.filter.channel.map_or(any, |c| channel_label(lang, c)))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut vm.filter.channel, None, any);
                for c in [Channel::Counter, Channel::Hotline] {
                    ui.selectable_value(&mut vm.filter.channel, Some(c), channel_label(lang, c));
                }
            });
        ui.label(tr(lang, "难度", "Difficulty"));
        egui::ComboBox::from_id_salt("filter-difficulty")
            .selected_text(vm.filter.difficulty.map_or(any, |d| difficulty_label(lang, d)))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut vm.filter.difficulty, None, any);
                for d in [Difficulty::Introductory, Difficulty::Intermediate, Difficulty::Advanced] {
                    ui.selectable_value(&mut vm.filter.difficulty, Some(d), difficulty_label(lang, d));
                }
            });
        ui.label(tr(lang, "标签", "Tag"));
        egui::ComboBox::from_id_salt("filter-tag")
            .selected_text(vm.filter.tag.clone().unwrap_or_else(|| any.to_string()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut vm.filter.tag, None, any);
                for tag in &tags {
                    ui.selectable_value(&mut vm.filter.tag, Some(tag.clone()), tag);
                }
            });
        ui.label(tr(lang, "搜索", "Search"));
        ui.add(
            egui::TextEdit::singleline(&mut vm.filter.search)
                .id(search_id())
                .hint_text(tr(lang, "标题、标签…", "title, tag…"))
                .desired_width(180.0),
        );
        if vm.filter != LibraryFilter::default()
            && ui.button(tr(lang, "清除筛选", "Clear filters")).clicked()
        {
            vm.filter = LibraryFilter::default();
        }
    });
}

fn card_frame(ui: &egui::Ui, highlighted: bool, error: bool) -> egui::Frame {
    let stroke = if error {
        egui::Stroke::new(2.0, FAIL)
    } else if highlighted {
        egui::Stroke::new(2.5, ACCENT)
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke
    };
    egui::Frame::group(ui.style()).stroke(stroke).inner_margin(12.0).corner_radius(8.0)
}

/// Returns the card's response and whether its start or author button was clicked.
fn scenario_card(ui: &mut egui::Ui, lang: Lang, card: &ScenarioCard, highlighted: bool) -> (egui::Response, bool, bool) {
    let mut start = false;
    let mut author = false;
    let inner = card_frame(ui, highlighted, false).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(&card.title).size(18.0).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let label = if highlighted {
                    tr(lang, "开始 (Enter)", "Start (Enter)")
                } else {
                    tr(lang, "开始", "Start")
                };
                if ui.button(label).clicked() {
                    start = true;
                }
                let label = if highlighted { tr(lang, "作者视图 (A)", "Author view (A)") } else { tr(lang, "作者视图", "Author view") };
                if ui.button(label).clicked() {
                    author = true;
                }
            });
        });
        ui.horizontal_wrapped(|ui| {
            badge(ui, channel_label(lang, card.channel), ACCENT);
            let colour = match card.difficulty {
                Difficulty::Introductory => PASS,
                Difficulty::Intermediate => egui::Color32::from_rgb(200, 130, 20),
                Difficulty::Advanced => FAIL,
            };
            badge(ui, difficulty_label(lang, card.difficulty), colour);
            let minutes = match lang {
                Lang::Zh => format!("约 {} 分钟", card.minutes),
                Lang::En => format!("about {} min", card.minutes),
            };
            badge(ui, &minutes, MUTED);
            for tag in &card.tags {
                ui.label(RichText::new(format!("#{tag}")).small().weak());
            }
        });
        ui.label(&card.summary);
        if !card.objectives.is_empty() {
            ui.label(RichText::new(tr(lang, "练习目标", "Objectives")).strong());
            for objective in &card.objectives {
                ui.label(format!("• {objective}"));
            }
        }
        let best = match card.best {
            Some((score, passed)) => {
                let verdict = if passed { tr(lang, "通过", "passed") } else { tr(lang, "未通过", "not passed") };
                RichText::new(format!("{}{score:.0} ({verdict})", tr(lang, "最好成绩：", "Best result: ")))
                    .color(if passed { PASS } else { FAIL })
            }
            None => RichText::new(tr(lang, "尚未练习", "Not attempted yet")).weak(),
        };
        ui.label(best);
        if let Some(replaces) = &card.replaces {
            ui.label(RichText::new(format!("⇄ {replaces}")).color(ACCENT).small());
        }
        if let Some(source) = &card.source {
            ui.label(RichText::new(format!("{}{source}", tr(lang, "来源：", "From: "))).small().weak());
        }
    });
    (inner.response, start, author)
}

fn error_card(ui: &mut egui::Ui, lang: Lang, card: &ErrorCard) -> (egui::Response, bool) {
    let mut repair = false;
    let response = card_frame(ui, false, true)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(tr(lang, "⚠ 无法加载的场景文件", "⚠ Scenario file failed to load")).color(FAIL).strong());
            ui.label(RichText::new(&card.file).monospace());
            if let Some(source) = &card.source {
                ui.label(RichText::new(format!("{}{source}", tr(lang, "来源：", "From: "))).small().weak());
            }
            for diagnostic in &card.diagnostics {
                ui.label(RichText::new(diagnostic).monospace().small());
            }
            if let Some((ok, note)) = &card.repair_note {
                ui.label(RichText::new(note).small().color(if *ok { PASS } else { FAIL }));
            }
            if card.repairable {
                let button = ui
                    .button(tr(lang, "🛠 自动修正输入法符号", "🛠 Repair the typing slips"))
                    .on_hover_text(tr(
                        lang,
                        "把引号外的全角标点改成半角、把文字里的英文引号改成「」、把只写了一种语言的文字补成中英一对；原文件先备份为 .bak",
                        "Full-width punctuation outside the quotes becomes half-width, plain quotes inside a text become 「」, a text in one language becomes a zh/en pair; the original is kept as .bak first",
                    ));
                repair = button.clicked();
            }
            ui.label(
                RichText::new(tr(
                    lang,
                    "其他场景不受影响。可用命令 counterpart validate 查看详情。",
                    "The other scenarios still work. Run `counterpart validate` for details.",
                ))
                .small()
                .weak(),
            );
        })
        .response;
    (response, repair)
}
