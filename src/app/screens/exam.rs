//! Exam screen (考核): the candidate picks an exam and enters their
//! employee number, plays the drawn scenarios one after the other on the
//! encounter screen (`run::begin_exam`: no hints, no debrief, the clocks
//! on screen and in the store), and gets the result sheet; the debrief
//! only when the exam's rules release it. A sitting left open (Esc, a
//! crash) is offered here to go on with. The trainer releases withheld
//! debriefs from the list of the exam's sittings.

use super::{Screen, UiSet};
use crate::app::run::{self, CurrentRun};
use crate::app::session::{Scenarios, Trainee};
use crate::app::settings::{Records, Settings};
use crate::app::views::debrief::{DebriefAction, DebriefFrame, DebriefVm, debrief_view};
use crate::app::views::exam::{
    BetweenVm, ExamAction, ExamCardVm, ExamChooseVm, ExamSheetVm, OpenSittingVm, SheetRowVm, TrainerRowVm, exam_between_view, exam_choose_view,
    exam_sheet_view, mm_ss,
};
use crate::app::views::tr;
use bevy::prelude::*;
use bevy::time::Real;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use counterpart_core::exam::judge::Verdict;
use counterpart_core::exam::load::load_folder;
use counterpart_core::exam::{DebriefPolicy, Exam};
use counterpart_core::library::Library;
use counterpart_core::records::sittings::{Sitting, SittingStatus};
use counterpart_core::records::store::{AttemptRecord, Store, check_employee_id};
use counterpart_core::scenario::model::{Lang, Message, Text};
use std::path::PathBuf;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ExamScreen>();
    app.add_systems(OnEnter(Screen::Exam), arrive);
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Exam)));
}

/// Where the screen is in a sitting.
#[derive(Default)]
pub enum Phase {
    /// Choosing an exam and typing the employee number.
    #[default]
    Choose,
    /// Before the next drawn scenario (also after a pause or a crash).
    Between { sitting: i64, problem: Option<Text> },
    /// The result sheet, and the debrief of one scenario when open.
    Sheet { sitting: i64, open: Option<(usize, Lang, DebriefVm)> },
}

#[derive(Resource, Default)]
pub struct ExamScreen {
    pub exams: Vec<Exam>,
    /// Exam files that cannot be used, and why.
    pub problems: Vec<String>,
    pub selected: usize,
    pub employee_id: String,
    pub message: Option<Text>,
    /// (exam id, employee number) of the sittings begun at this PC since
    /// the app started: a number is used once per exam session.
    pub used: Vec<(String, String)>,
    pub phase: Phase,
    /// The employee-number field takes the keyboard on the next frame.
    pub focus_field: bool,
}

impl ExamScreen {
    /// Whether an exam is under way here (a drawn scenario or the page between).
    pub fn sitting(&self) -> Option<i64> {
        match self.phase {
            Phase::Between { sitting, .. } | Phase::Sheet { sitting, .. } => Some(sitting),
            Phase::Choose => None,
        }
    }
}

/// The folders whose `exams/` are read: the bundled one and every other
/// scenario folder the library reads.
fn exam_folders(scenarios: &Scenarios) -> Vec<PathBuf> {
    let mut folders = vec![scenarios.folder.clone()];
    for source in &scenarios.sources.sources {
        if !folders.contains(&source.folder) {
            folders.push(source.folder.clone());
        }
    }
    folders
}

/// Reads the exam files of every scenario folder against the library.
pub fn load_exams(scenarios: &Scenarios) -> (Vec<Exam>, Vec<String>) {
    let mut exams: Vec<Exam> = Vec::new();
    let mut problems = Vec::new();
    for folder in exam_folders(scenarios) {
        for file in load_folder(&folder, &scenarios.library) {
            match file.exam() {
                // A later folder's exam with the same id replaces the earlier, as scenarios do.
                Some(exam) => match exams.iter().position(|e| e.id == exam.id) {
                    Some(at) => exams[at] = exam.clone(),
                    None => exams.push(exam.clone()),
                },
                None => {
                    let first = file.errors().first().map(|d| format!("{} {}:{} {} / {}", d.code, d.line, d.column, d.message_zh.as_deref().unwrap_or(""), d.message)).unwrap_or_default();
                    problems.push(format!("{}: {first}", file.path.display()));
                }
            }
        }
    }
    (exams, problems)
}

/// On arriving: back from a drawn scenario (handed in, time up, or left
/// with Esc), the sitting goes on or ends; from elsewhere, the exam list.
fn arrive(mut state: ResMut<ExamScreen>, mut current: ResMut<CurrentRun>, scenarios: Res<Scenarios>, records: Res<Records>, trainee: Res<Trainee>) {
    let (exams, problems) = load_exams(&scenarios);
    state.exams = exams;
    state.problems = problems;
    state.selected = state.selected.min(state.exams.len().saturating_sub(1));
    let returning = current.0.as_ref().and_then(|r| r.exam.as_ref()).map(|e| e.sitting);
    match (returning, records.store()) {
        (Some(sitting), Some(store)) => {
            // The attempt stays as it is in the store (handed in, set
            // aside, or in progress to go on with).
            current.0 = None;
            state.phase = advance(store, sitting);
        }
        _ => {
            if state.sitting().is_none() || matches!(state.phase, Phase::Sheet { .. }) {
                state.phase = Phase::Choose;
            }
            state.focus_field = true;
            if state.employee_id.is_empty()
                && let (Some(store), Some(p)) = (records.store(), &trainee.profile)
            {
                state.employee_id = store.employee_id(p.id).ok().flatten().unwrap_or_default();
            }
        }
    }
}

/// What comes after a drawn scenario: the next one, or, when none is left
/// or the whole exam's time is up, the sitting is finished and judged.
fn advance(store: &Store, sitting: i64) -> Phase {
    let s = match store.sitting(sitting) {
        Ok(s) => s,
        Err(e) => return Phase::Between { sitting, problem: Some(e.message()) },
    };
    if s.status != SittingStatus::Open {
        return Phase::Sheet { sitting, open: None };
    }
    let time_up = s.elapsed_ms() >= u64::from(s.exam.time.exam_minutes) * 60_000;
    match store.exam_resume_point(sitting) {
        Ok(Some(_)) if !time_up => Phase::Between { sitting, problem: None },
        Ok(_) => match store.finish_sitting(sitting) {
            Ok(()) => Phase::Sheet { sitting, open: None },
            Err(e) => Phase::Between { sitting, problem: Some(e.message()) },
        },
        Err(e) => Phase::Between { sitting, problem: Some(e.message()) },
    }
}

/// Esc: a debrief closes to the sheet; the sheet and the page between
/// scenarios go back to the exam list (an open sitting stays open, to go
/// on with); the list goes back to the library.
fn back(mut back: MessageReader<super::Back>, screen: Res<State<Screen>>, mut state: ResMut<ExamScreen>, mut next: ResMut<NextState<Screen>>) {
    if !super::back_on(Screen::Exam, &mut back, &screen) {
        return;
    }
    match &mut state.phase {
        Phase::Sheet { open: open @ Some(_), .. } => *open = None,
        Phase::Choose => next.set(Screen::Library),
        _ => state.phase = Phase::Choose,
    }
}

fn exam_title(exam: &Exam, lang: Lang) -> String {
    exam.title.get(lang).to_string()
}

fn card(exam: &Exam, lang: Lang) -> ExamCardVm {
    let pass = &exam.pass;
    let facts = match lang {
        Lang::Zh => format!(
            "抽 {} 题（共 {} 题）· 每题限时 {} 分钟 · 全场限时 {} 分钟 · 合格：总分 {:.0}、各维度 {:.0}、群众评价至少{}{}",
            exam.draw,
            exam.pool.len(),
            exam.time.per_scenario_minutes,
            exam.time.exam_minutes,
            pass.overall,
            pass.each_dimension,
            pass.rating.label().zh,
            if pass.no_red_flag { "、无红线" } else { "" },
        ),
        Lang::En => format!(
            "{} of {} scenarios drawn · {} min each · {} min in all · to pass: overall {:.0}, every dimension {:.0}, rating at least {}{}",
            exam.draw,
            exam.pool.len(),
            exam.time.per_scenario_minutes,
            exam.time.exam_minutes,
            pass.overall,
            pass.each_dimension,
            pass.rating.label().en,
            if pass.no_red_flag { ", no red flag" } else { "" },
        ),
    };
    let debrief = match exam.debrief {
        DebriefPolicy::AtEnd => tr(lang, "交卷后即可查看讲评。", "The debrief is shown at the end."),
        DebriefPolicy::WhenReleased => tr(lang, "交卷后只显示成绩单；讲评由培训师发布后查看。", "At the end only the result sheet; the debrief once the trainer releases it."),
    };
    ExamCardVm { title: exam_title(exam, lang), description: exam.description.get(lang).to_string(), facts, debrief: debrief.to_string() }
}

fn candidate_line(s: &Sitting, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{} · 工号 {} · 第 {} 次考试", s.profile_name, s.employee_id, s.sitting),
        Lang::En => format!("{} · employee {} · sitting {}", s.profile_name, s.employee_id, s.sitting),
    }
}

fn choose_vm(state: &ExamScreen, store: Option<&Store>, trainee: &Trainee, lang: Lang, zone: &counterpart_core::records::when::Zone) -> ExamChooseVm {
    let open: Vec<OpenSittingVm> = store
        .and_then(|s| s.open_sittings().ok())
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let used = mm_ss(s.elapsed_ms() / 1000);
            let label = match lang {
                Lang::Zh => format!("未结束的考试：{} · {} · 已用 {used}", exam_title(&s.exam, lang), candidate_line(s, lang)),
                Lang::En => format!("Unfinished exam: {} · {} · {used} used", exam_title(&s.exam, lang), candidate_line(s, lang)),
            };
            OpenSittingVm { sitting: s.id, label }
        })
        .collect();
    let open_is_empty = open.is_empty();
    let trainer = match (store, state.exams.get(state.selected)) {
        (Some(store), Some(exam)) => store.sittings(Some(&exam.id)).unwrap_or_default().iter().rev().map(|s| trainer_row(store, s, lang, zone)).collect(),
        _ => Vec::new(),
    };
    ExamChooseVm {
        lang,
        exams: state.exams.iter().map(|e| card(e, lang)).collect(),
        selected: state.selected,
        employee_id: state.employee_id.clone(),
        candidate: trainee.profile.as_ref().map(|p| p.name.clone()),
        message: state.message.as_ref().map(|m| m.get(lang).to_string()),
        open,
        trainer,
        problems: state.problems.clone(),
        // Not over an open sitting: its C (continue) must reach it.
        focus_field: state.focus_field && open_is_empty,
    }
}

fn trainer_row(store: &Store, s: &Sitting, lang: Lang, zone: &counterpart_core::records::when::Zone) -> TrainerRowVm {
    let when = zone.minute(&s.started_at);
    let label = format!("{when} · {}", candidate_line(s, lang));
    let (result, passed) = match s.status {
        SittingStatus::Open => (tr(lang, "进行中", "in progress").to_string(), None),
        SittingStatus::Abandoned => (tr(lang, "已放弃", "abandoned").to_string(), Some(false)),
        SittingStatus::Finished => match store.judge_sitting(s.id) {
            Ok((_, _, v)) => (passed_line(&v, lang), Some(v.passed)),
            Err(e) => (e.message().get(lang).to_string(), None),
        },
    };
    let withheld = s.status == SittingStatus::Finished && !s.debrief_visible();
    TrainerRowVm { sitting: s.id, label, result, passed, can_release: withheld, released: s.released_at.is_some() }
}

fn passed_line(v: &Verdict, lang: Lang) -> String {
    let word = if v.passed { tr(lang, "通过", "passed") } else { tr(lang, "未通过", "not passed") };
    format!("{word} {}/{}", v.passed_count(), v.slots.len())
}

fn between_vm(store: &Store, sitting: i64, problem: Option<&Text>, lang: Lang) -> Result<BetweenVm, String> {
    let s = store.sitting(sitting).map_err(|e| e.message().get(lang).to_string())?;
    let point = store.exam_resume_point(sitting).map_err(|e| e.message().get(lang).to_string())?;
    let (next, slot_ms, goes_on) = point.map_or((s.slots.len().saturating_sub(1), 0, false), |p| (p.slot, p.slot_elapsed_ms, p.attempt.is_some()));
    let per = u64::from(s.exam.time.per_scenario_minutes) * 60;
    let all = u64::from(s.exam.time.exam_minutes) * 60;
    let title = match problem {
        Some(p) => format!("{} — {}", exam_title(&s.exam, lang), p.get(lang)),
        None => exam_title(&s.exam, lang),
    };
    Ok(BetweenVm {
        lang,
        title,
        candidate: candidate_line(&s, lang),
        next,
        of: s.slots.len(),
        scenario_left: per.saturating_sub(slot_ms / 1000),
        exam_left: all.saturating_sub(s.elapsed_ms() / 1000),
        goes_on,
    })
}

fn rating_text(r: Option<counterpart_core::play::rubric::Rating>, lang: Lang) -> String {
    r.map_or("—".to_string(), |r| r.label().get(lang).to_string())
}

/// The result sheet of a sitting, as the candidate sees it.
pub fn sheet_vm(sitting: &Sitting, records: &[Option<AttemptRecord>], verdict: &Verdict, library: &Library, lang: Lang, can_leave: bool) -> ExamSheetVm {
    let visible = sitting.debrief_visible();
    let rows = verdict
        .slots
        .iter()
        .enumerate()
        .map(|(i, v)| SheetRowVm {
            scenario: library.script(&v.scenario).map_or_else(|| v.scenario.clone(), |s| s.scenario.title.get(lang).to_string()),
            passed: v.passed,
            overall: v.overall,
            rating: rating_text(v.rating, lang),
            time: mm_ss(v.elapsed_secs),
            reasons: v.reasons.iter().map(|r| r.text().get(lang).to_string()).collect(),
            can_open: visible && records.get(i).is_some_and(|r| r.as_ref().is_some_and(|r| !r.steps.is_empty())),
        })
        .collect();
    let limit = u64::from(sitting.exam.time.exam_minutes) * 60;
    let summary = match lang {
        Lang::Zh => format!("通过 {}/{} 道 · 用时 {}（限时 {}）", verdict.passed_count(), verdict.slots.len(), mm_ss(verdict.elapsed_secs), mm_ss(limit)),
        Lang::En => format!("{}/{} scenarios passed · {} taken ({} allowed)", verdict.passed_count(), verdict.slots.len(), mm_ss(verdict.elapsed_secs), mm_ss(limit)),
    };
    let withheld = (!visible).then(|| {
        tr(lang, "讲评由培训师发布后，可在“练习记录”中查看每道题的逐轮讲评。", "Once the trainer releases the debrief, each scenario's turn-by-turn debrief can be opened from History.").to_string()
    });
    ExamSheetVm {
        lang,
        title: exam_title(&sitting.exam, lang),
        candidate: candidate_line(sitting, lang),
        passed: verdict.passed,
        summary,
        reasons: verdict.reasons.iter().map(|r| r.text().get(lang).to_string()).collect(),
        rows,
        withheld,
        can_leave,
    }
}

/// Starts the selected exam under the typed employee number, or says why not.
fn begin(state: &mut ExamScreen, store: &Store, trainee: &mut Trainee) -> Result<i64, Text> {
    let typed = check_employee_id(&state.employee_id).map_err(|e| e.message())?;
    let exam = state.exams.get(state.selected).cloned().ok_or_else(|| Text::new("请选择一个考核。", "Choose an exam."))?;
    if state.used.iter().any(|(e, n)| *e == exam.id && *n == typed) {
        return Err(Text::new(
            format!("工号“{typed}”已在本场考试中使用，不能再次参加；如需补考请由培训师安排。"),
            format!("The employee number \"{typed}\" was already used in this exam session; a retake is for the trainer to arrange."),
        ));
    }
    let candidate = match store.profile_by_employee_id(&typed).map_err(|e| e.message())? {
        Some(p) => p,
        None => match &trainee.profile {
            Some(p) => match store.employee_id(p.id).map_err(|e| e.message())? {
                None => {
                    store.set_employee_id(p.id, Some(&typed)).map_err(|e| e.message())?;
                    p.clone()
                }
                Some(has) => {
                    return Err(Text::new(
                        format!("工号“{typed}”未登记；当前学员“{}”的工号是 {has}。", p.name),
                        format!("The employee number \"{typed}\" is not registered; {} at the keyboard has {has}.", p.name),
                    ));
                }
            },
            None => {
                return Err(Text::new(
                    format!("工号“{typed}”未登记：请先在开始界面选择考生。"),
                    format!("The employee number \"{typed}\" is not registered: choose the candidate on the start screen first."),
                ));
            }
        },
    };
    let sitting = store.open_sitting(&exam, candidate.id).map_err(|e| e.message())?;
    state.used.push((exam.id.clone(), typed));
    trainee.profile = Some(candidate);
    Ok(sitting.id)
}

/// The candidate of a sitting becomes the trainee at the keyboard.
fn seat_candidate(store: &Store, sitting: i64, trainee: &mut Trainee) {
    if let Ok(s) = store.sitting(sitting)
        && trainee.profile.as_ref().is_none_or(|p| p.id != s.profile_id)
        && let Ok(profiles) = store.profiles()
    {
        trainee.profile = profiles.into_iter().find(|p| p.id == s.profile_id);
    }
}

fn open_debrief(store: &Store, library: &Library, sitting: i64, slot: usize, lang: Lang) -> Result<DebriefVm, String> {
    let s = store.sitting(sitting).map_err(|e| e.message().get(lang).to_string())?;
    if !s.debrief_visible() {
        return Err(tr(lang, "这场考核的讲评尚未发布。", "This exam's debrief has not been released yet.").to_string());
    }
    let attempt = s.slots.get(slot).and_then(|x| x.attempt).ok_or_else(|| tr(lang, "这道题没有作答。", "This scenario was not attempted.").to_string())?;
    let record = store.attempt(attempt).map_err(|e| e.message().get(lang).to_string())?;
    let mut vm = super::debrief::record_debrief(&record, library, lang).map_err(|e| e.get(lang).to_string())?;
    let label = match lang {
        Lang::Zh => format!("{} · 第 {} 题", exam_title(&s.exam, lang), slot + 1),
        Lang::En => format!("{} · scenario {}", exam_title(&s.exam, lang), slot + 1),
    };
    vm.frame = DebriefFrame::Past { label };
    Ok(vm)
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut state: ResMut<ExamScreen>,
    scenarios: Res<Scenarios>,
    mut trainee: ResMut<Trainee>,
    records: Res<Records>,
    settings: Res<Settings>,
    zone: Res<crate::app::session::LocalZone>,
    mut current: ResMut<CurrentRun>,
    time: Res<Time<Real>>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let lang = settings.lang;
    let mut root = super::root_ui(ctx, content.0, "screen");
    let Some(store) = records.store() else {
        egui::CentralPanel::default().show(&mut root, |ui| {
            ui.heading(tr(lang, "考核", "Exams"));
            ui.label(tr(lang, "考核需要学员记录数据库，但它没有打开：", "Exams need the records file, which could not be opened: "));
            ui.label(records.problem.as_ref().map(|p| p.get(lang)).unwrap_or_default());
        });
        return Ok(());
    };
    match &mut state.phase {
        Phase::Choose => {
            let mut vm = choose_vm(&state, Some(store), &trainee, lang, &zone.0);
            let action = egui::CentralPanel::default().show(&mut root, |ui| exam_choose_view(ui, &mut vm)).inner;
            state.employee_id = vm.employee_id;
            state.focus_field = false;
            match action {
                Some(ExamAction::Select(i)) => {
                    state.selected = i;
                    state.message = None;
                }
                Some(ExamAction::Begin) => match begin(&mut state, store, &mut trainee) {
                    Ok(sitting) => {
                        state.message = None;
                        state.phase = Phase::Between { sitting, problem: None };
                    }
                    Err(e) => state.message = Some(e),
                },
                Some(ExamAction::Resume(sitting)) => {
                    seat_candidate(store, sitting, &mut trainee);
                    state.phase = advance(store, sitting);
                }
                Some(ExamAction::Release(sitting)) => {
                    if let Err(e) = store.release_sitting(sitting) {
                        state.message = Some(e.message());
                    }
                }
                _ => {}
            }
        }
        Phase::Between { sitting, problem } => {
            let sitting = *sitting;
            let vm = match between_vm(store, sitting, problem.as_ref(), lang) {
                Ok(vm) => vm,
                Err(e) => BetweenVm { lang, title: e, ..default() },
            };
            let action = egui::CentralPanel::default().show(&mut root, |ui| exam_between_view(ui, &vm)).inner;
            if action == Some(ExamAction::Continue) {
                match run::begin_exam(&scenarios, store, sitting, run::now_secs(&time)) {
                    Ok(Some(run)) => {
                        current.0 = Some(run);
                        next.set(Screen::Encounter);
                    }
                    Ok(None) => state.phase = advance(store, sitting),
                    Err(e) => state.phase = Phase::Between { sitting, problem: Some(e) },
                }
            }
        }
        Phase::Sheet { sitting, open } => {
            let sitting = *sitting;
            if let Some((slot, built, _)) = open
                && *built != lang
            {
                let slot = *slot;
                *open = open_debrief(store, &scenarios.library, sitting, slot, lang).ok().map(|vm| (slot, lang, vm));
            }
            if let Some((_, _, vm)) = open.as_mut() {
                let action = egui::CentralPanel::default().show(&mut root, |ui| debrief_view(ui, vm)).inner;
                match action {
                    Some(DebriefAction::ToggleReplay) => vm.show_replay = !vm.show_replay,
                    Some(DebriefAction::Continue) => *open = None,
                    _ => {}
                }
                return Ok(());
            }
            let vm = match store.judge_sitting(sitting) {
                Ok((s, records, verdict)) => sheet_vm(&s, &records, &verdict, &scenarios.library, lang, true),
                Err(e) => ExamSheetVm { lang, title: e.message().get(lang).to_string(), can_leave: true, ..default() },
            };
            let action = egui::CentralPanel::default().show(&mut root, |ui| exam_sheet_view(ui, &vm)).inner;
            match action {
                Some(ExamAction::OpenDebrief(slot)) => match open_debrief(store, &scenarios.library, sitting, slot, lang) {
                    Ok(vm) => *open = Some((slot, lang, vm)),
                    Err(e) => warn!("exam debrief: {e}"),
                },
                Some(ExamAction::Done) => {
                    state.phase = Phase::Choose;
                    state.employee_id.clear();
                }
                _ => {}
            }
        }
    }
    Ok(())
}
