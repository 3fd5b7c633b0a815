//! History screen: the trainee's progress and past attempts from the
//! records store, and the export of their reports.

use super::{Screen, UiSet};
use crate::app::session::{LocalZone, Scenarios, Trainee};
use counterpart_core::records::when::Zone;
use crate::app::settings::{Records, Settings};
use crate::app::views::history::{
    ChartPoint, HistoryAction, HistoryRow, HistoryVm, RowKind, ScenarioRow, Suggestion, WeakestVm, history_view,
};
use crate::app::views::debrief::{DebriefAction, DebriefFrame, DebriefVm, debrief_view};
use crate::app::views::tr;
use counterpart_core::scenario::model::{Lang, Message, Text};
use counterpart_core::records::progress::{Progress, progress};
use counterpart_core::records::store::{AttemptSummary, DrillLink, ExamLink, Status};
use std::collections::HashMap;
use counterpart_core::play::rubric::Dimension;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::History), load);
    // The listing is the screen's own and goes when it is left.
    app.add_systems(OnExit(Screen::History), |mut commands: Commands| commands.remove_resource::<Listing>());
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::History)));
}

/// The attempts are read once on entering the screen, not every frame.
#[derive(Resource, Default)]
struct Listing {
    attempts: Vec<AttemptSummary>,
    progress: Progress,
    problem: Option<Text>,
    export_status: Option<Result<String, Text>>,
    /// The attempt whose debrief is open, and in which language it was built.
    open: Option<(i64, Lang, DebriefVm)>,
    /// Exam attempts: attempt → (sitting, whether its debrief may be shown).
    exam_attempts: HashMap<i64, (i64, bool)>,
    /// Open mistakes per dimension, from the mistake book.
    open_mistakes: HashMap<Dimension, usize>,
}

/// Esc closes an open debrief first, then leaves for the library.
fn back(mut back: MessageReader<super::Back>, screen: Res<State<Screen>>, listing: Option<ResMut<Listing>>, mut next: ResMut<NextState<Screen>>) {
    if !super::back_on(Screen::History, &mut back, &screen) {
        return;
    }
    match listing {
        Some(mut listing) if listing.open.is_some() => listing.open = None,
        _ => next.set(Screen::Library),
    }
}

/// How a drill's slot is named in the history: the kind of slot says how
/// the score came about.
fn drill_label(link: &DrillLink, lang: Lang) -> String {
    let kind = match link.mode.as_str() {
        "HotSeat" => tr(lang, "分组演练 · 轮流上场", "Group drill · hot seat"),
        "ClassVote" => tr(lang, "分组演练 · 全班表决", "Group drill · class vote"),
        _ => tr(lang, "分组演练 · 角色扮演（观察员打分）", "Group drill · role-play, scored by observers"),
    };
    format!("{kind} · {}", link.title)
}

/// How an exam attempt is named in the history: the exam, which sitting,
/// which drawn scenario.
pub fn exam_label(link: &ExamLink, lang: Lang) -> String {
    let title = if lang == Lang::En && !link.title_en.is_empty() { &link.title_en } else { &link.title_zh };
    let title = if title.is_empty() { &link.exam_id } else { title };
    match lang {
        Lang::Zh => format!("考核 · {title} · 第 {} 次 · 第 {} 题", link.sitting, link.slot + 1),
        Lang::En => format!("Exam · {title} · sitting {} · scenario {}", link.sitting, link.slot + 1),
    }
}

fn row_kind(a: &AttemptSummary, exam_attempts: &HashMap<i64, (i64, bool)>, lang: Lang) -> RowKind {
    match (&a.exam, &a.drill) {
        (Some(link), _) => RowKind::Exam { label: exam_label(link, lang), withheld: !exam_attempts.get(&a.id).is_some_and(|(_, shown)| *shown) },
        (None, Some(link)) => RowKind::Drill(drill_label(link, lang)),
        (None, None) => RowKind::Practice,
    }
}

/// The debrief of attempt `id`, in the history's frame.
fn open_debrief(records: &Records, scenarios: &Scenarios, id: i64, lang: Lang, zone: &Zone) -> Result<DebriefVm, Text> {
    let store = records.store().ok_or_else(|| records.problem.clone().unwrap_or_default())?;
    let record = store.attempt(id).map_err(|e| e.message())?;
    let mut vm = super::debrief::record_debrief(&record, &scenarios.library, lang)?;
    let when = zone.minute(&record.summary.started_at);
    if record.summary.exam.is_some() && !store.exam_attempts().map_err(|e| e.message())?.get(&id).is_some_and(|(_, shown)| *shown) {
        return Err(Text::new("这场考核的讲评尚未发布。", "This exam's debrief has not been released yet."));
    }
    let label = match (record.summary.exam.as_ref(), record.summary.drill.as_ref()) {
        (Some(link), _) => format!("{when} · {}", exam_label(link, lang)),
        (None, Some(link)) => format!("{when} · {}", drill_label(link, lang)),
        (None, None) => when,
    };
    vm.frame = DebriefFrame::Past { label };
    Ok(vm)
}

/// The citizen's copy of a past attempt's notice, printed again from the
/// scenario folder's knowledge base as it is now.
fn reprint_notice(records: &Records, scenarios: &Scenarios, trainee: &Trainee, id: i64) -> Result<std::path::PathBuf, Text> {
    let store = records.store().ok_or_else(|| records.problem.clone().unwrap_or_default())?;
    let record = store.attempt(id).map_err(|e| e.message())?;
    let stored = record.notice.ok_or_else(|| Text::new("这次练习没有交出告知单", "this attempt handed over no notice"))?;
    let id_of = &record.summary.scenario_id;
    let not_loaded = || Text::new(format!("“{id_of}”不在场景库中"), format!("\"{id_of}\" is not in the library"));
    let file = scenarios.path_of(id_of).ok_or_else(not_loaded)?;
    let script = scenarios.library.script(id_of).ok_or_else(not_loaded)?;
    let base = counterpart_core::library::knowledge::Desk::for_file(&file).base;
    super::debrief::print_notice(records, trainee, &script.scenario, &stored.notice, &base, &format!("notice-{id}-{id_of}"))
}

fn load(mut commands: Commands, scenarios: Res<Scenarios>, trainee: Res<Trainee>, records: Res<Records>, zone: Res<LocalZone>) {
    let listing = match &trainee.profile {
        Some(profile) => match records.attempts(profile.id) {
            Ok(attempts) => {
                let library = scenarios.files().iter().filter_map(|f| f.script()).map(|s| &s.scenario);
                let progress = progress(&attempts, library);
                let exam_attempts = records.store().and_then(|s| s.exam_attempts().ok()).unwrap_or_default();
                let open_mistakes = super::mistakes::read_book(&records, &trainee, &scenarios.library, &zone.0).map(|b| open_by_dimension(&b)).unwrap_or_default();
                Listing { attempts, progress, problem: records.problem.clone(), export_status: None, open: None, exam_attempts, open_mistakes }
            }
            Err(e) => Listing { problem: Some(e), ..default() },
        },
        None => Listing::default(),
    };
    commands.insert_resource(listing);
}

/// How many open mistakes touch each dimension (a mistake once per dimension).
pub fn open_by_dimension(book: &counterpart_core::records::mistakes::MistakeBook) -> HashMap<Dimension, usize> {
    let mut out = HashMap::new();
    for m in &book.open {
        let mut dims: Vec<Dimension> = m.items.iter().map(|i| i.dimension()).collect();
        dims.sort_by_key(|d| d.index());
        dims.dedup();
        for d in dims {
            *out.entry(d).or_insert(0) += 1;
        }
    }
    out
}

fn title(scenarios: &Scenarios, id: &str, lang: Lang) -> String {
    scenarios
        .library
        .script(id)
        .map_or_else(|| id.to_string(), |s| s.scenario.title.get(lang).to_string())
}

fn history_vm(scenarios: &Scenarios, trainee: &Trainee, listing: &Listing, lang: Lang, zone: &Zone, can_export: bool) -> HistoryVm {
    let mut rows: Vec<HistoryRow> = listing
        .attempts
        .iter()
        .map(|a| HistoryRow {
            id: a.id,
            kind: row_kind(a, &listing.exam_attempts, lang),
            when: zone.minute(&a.started_at),
            scenario: title(scenarios, &a.scenario_id, lang),
            overall: a.overall,
            passed: a.passed,
            status: {
                let status = match a.status {
                    Status::InProgress => tr(lang, "未完成", "unfinished"),
                    Status::Completed => tr(lang, "已完成", "completed"),
                    Status::Abandoned => tr(lang, "已放弃", "abandoned"),
                };
                // A score from the rules before ratings is kept, and says so.
                let rating = a.rating.as_deref().map(|r| match r {
                    "satisfied" => tr(lang, "满意", "satisfied"),
                    "basically_satisfied" => tr(lang, "基本满意", "basically satisfied"),
                    _ => tr(lang, "不满意", "dissatisfied"),
                });
                match (a.rules, rating) {
                    (Some(1), _) => format!("{status} · {}", tr(lang, "旧评分规则 v1", "scored under rules v1")),
                    (_, Some(rating)) => format!("{status} · {rating}"),
                    _ => status.to_string(),
                }
            },
        })
        .collect();
    rows.sort_by(|a, b| b.when.cmp(&a.when));
    let p = &listing.progress;
    HistoryVm {
        lang,
        profile: trainee.profile.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        dimension_names: Dimension::ALL.map(|d| d.label().get(lang).to_string()),
        chart: p.series.iter().map(|s| ChartPoint { dimensions: s.dimensions, overall: s.overall }).collect(),
        scenarios: p
            .per_scenario
            .iter()
            .map(|s| ScenarioRow {
                title: title(scenarios, &s.scenario_id, lang),
                attempts: s.attempts,
                best: s.best_overall,
                best_passed: s.best_passed,
                latest: s.latest_overall,
                latest_passed: s.latest_passed,
            })
            .collect(),
        weakest: p.weakest.as_ref().map(|w| WeakestVm {
            dimension: w.dimension.label().get(lang).to_string(),
            mean: w.mean,
            over_attempts: w.over_attempts,
            practise: w
                .practise
                .iter()
                .filter(|id| scenarios.library.contains(id))
                .map(|id| Suggestion { scenario_id: id.clone(), title: title(scenarios, id, lang) })
                .collect(),
            open_mistakes: listing.open_mistakes.get(&w.dimension).copied().unwrap_or(0),
        }),
        rows,
        note: listing.problem.as_ref().map(|p| p.get(lang).to_string()),
        export_status: listing.export_status.clone().map(|r| r.map_err(|e| e.get(lang).to_string())),
        can_export: can_export && !listing.attempts.is_empty(),
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut scenarios: ResMut<Scenarios>,
    trainee: Res<Trainee>,
    listing: Option<ResMut<Listing>>,
    records: Res<Records>,
    settings: Res<Settings>,
    zone: Res<LocalZone>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
    mut class: ResMut<super::class::ClassState>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(mut listing) = listing else { return Ok(()) };
    let lang = settings.lang;
    if let Some((id, built, _)) = &listing.open
        && *built != lang
    {
        let id = *id;
        listing.open = open_debrief(&records, &scenarios, id, lang, &zone.0).ok().map(|vm| (id, lang, vm));
    }
    if let Some((id, _, vm)) = listing.open.as_mut() {
        let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| debrief_view(ui, vm)).inner;
        let id = Some(*id);
        match action {
            Some(DebriefAction::ToggleReplay) => vm.show_replay = !vm.show_replay,
            Some(DebriefAction::Continue) => listing.open = None,
            Some(DebriefAction::PrintNotice) => {
                let printed = id.ok_or_else(Text::default).and_then(|id| reprint_notice(&records, &scenarios, &trainee, id));
                if let Some(notice) = vm.notice.as_mut() {
                    notice.printed = Some(printed.map(|p| p.display().to_string()).map_err(|e| e.get(lang).to_string()));
                }
                ctx.request_repaint();
            }
            _ => {}
        }
        return Ok(());
    }
    let vm = history_vm(&scenarios, &trainee, &listing, settings.lang, &zone.0, records.is_saving());
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| history_view(ui, &vm)).inner;
    match action {
        Some(HistoryAction::Back) => next.set(Screen::Library),
        Some(HistoryAction::Mistakes) => next.set(Screen::Mistakes),
        Some(HistoryAction::ClassOverview) => {
            class.return_to = Screen::History;
            next.set(Screen::Class);
        }
        Some(HistoryAction::Export) => {
            if let Some(profile) = &trainee.profile {
                listing.export_status = Some(records.export(profile, &scenarios.library).map(|dir| dir.display().to_string()));
                ctx.request_repaint();
            }
        }
        Some(HistoryAction::Open(id)) => match open_debrief(&records, &scenarios, id, lang, &zone.0) {
            Ok(vm) => listing.open = Some((id, lang, vm)),
            Err(e) => listing.problem = Some(e),
        },
        Some(HistoryAction::Practise(id)) => {
            if let Some(file) = scenarios.path_of(&id) {
                scenarios.select(&file);
                commands.run_system_cached_with(crate::app::run::begin, file);
                next.set(Screen::Encounter);
            }
        }
        None => {}
    }
    Ok(())
}
