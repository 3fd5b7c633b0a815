//! Debrief screen: the finished encounter's score and replay.

use super::{Screen, UiSet};
use crate::app::run::{self, CurrentRun, Run};
use crate::app::session::Scenarios;
use crate::app::settings::Settings;
use crate::app::views::debrief::{DebriefAction, DebriefFrame, DebriefVm, ExplainDimensionVm, ExplainItemVm, ExplainStepVm, ExplainVm, NoticeDebriefVm, NoticeRowVm, OrderDebriefVm, OrderFieldVm, ReplayTurn, debrief_view};
use crate::app::session::Trainee;
use crate::app::settings::Records;
use counterpart_core::knowledge::KnowledgeBase;
use counterpart_core::notice::{LineResult, LineVerdict, Notice, NoticeHeader, NoticeOutcome, render_notice_html};
use crate::app::views::{disc_label, tr};
use counterpart_core::library::Library;
use counterpart_core::play::engine::Encounter;
use counterpart_core::play::score::ScoreCard;
use counterpart_core::records::store::{AttemptRecord, Status};
use counterpart_core::scenario::model::{DiscStyle, FactKind, Lang, Message, Text};
use counterpart_core::workorder::{FieldResult, OrderReport};
use counterpart_core::play::rubric::Dimension;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Debrief)));
}

/// A practice run's debrief goes back to the author view, a trainee's to the library.
fn back(mut back: MessageReader<super::Back>, screen: Res<State<Screen>>, current: Res<CurrentRun>, mut next: ResMut<NextState<Screen>>) {
    if super::back_on(Screen::Debrief, &mut back, &screen) {
        next.set(if current.0.as_ref().is_some_and(Run::is_practice) { Screen::Author } else { Screen::Library });
    }
}

pub fn debrief_vm(run: &Run, lang: Lang, has_next: bool) -> DebriefVm {
    let mut vm = encounter_debrief(&run.encounter, &run.card(), run.disc_guess, lang);
    vm.has_next = has_next && run.practice_from.is_none();
    vm.save_error = run.save_error.as_ref().map(|e| e.get(lang).to_string());
    vm.practice_from = run.practice_from.clone();
    // The author practising from the author view sees why the route
    // scores what it does; a trainee's debrief does not teach the rules.
    if run.is_practice() && run.encounter.ending().is_some() {
        vm.explain = Some(explain_vm(&counterpart_core::play::explain::explain(&run.encounter), lang));
    }
    vm.order = run.desk.report.as_ref().map(|report| order_debrief(report, lang, run.desk.submitted_after, run.encounter.steps().len()));
    vm.knowledge = run
        .encounter
        .scenario()
        .work_order
        .iter()
        .flat_map(|t| &t.knowledge)
        .filter_map(|id| run.at_hand.base.entry(id))
        .map(|e| (super::encounter::entry_vm(e, lang), run.desk.lookups.iter().any(|l| l.entry == e.id)))
        .collect();
    vm.notice = run.desk.notice_report.as_ref().map(|report| {
        let mut notice = notice_debrief(&NoticeOutcome::of(report), &run.desk.notice.note, lang, run.desk.notice_handed_after.map(|n| (n, run.encounter.steps().len())));
        // An author's practice run prints too: the copy is the trainer's to check.
        notice.can_print = true;
        notice.printed = run.desk.printed.as_ref().map(|r| r.as_ref().map(|p| p.display().to_string()).map_err(|e| e.get(lang).to_string()));
        notice
    });
    vm
}

/// The author's "why this score" from the core's explanation, in `lang`.
pub fn explain_vm(e: &counterpart_core::play::explain::Explanation, lang: Lang) -> ExplainVm {
    let style = match e.disc.secondary {
        Some(s) => format!("{}/{}", disc_label(lang, e.disc.primary), disc_label(lang, s)),
        None => disc_label(lang, e.disc.primary).to_string(),
    };
    let header = match lang {
        Lang::Zh => format!("角色 {} · DISC {style} · 回答超过 {} 字即为说得太多", e.persona, e.talk_limit),
        Lang::En => format!("Persona {} · DISC {style} · a reply longer than {} characters is over-talking", e.persona, e.talk_limit),
    };
    ExplainVm {
        header,
        start: e.start_mood,
        steps: e
            .steps
            .iter()
            .map(|s| ExplainStepVm {
                answer: format!("{}: {}", s.turn_id, s.option_id),
                authored: s.authored,
                reaction: s.reaction,
                late: s.late,
                after: s.mood_after,
                clamped: s.clamped,
                records: s.records(),
                marks: s.marks().iter().map(|m| m.get(lang).to_string()).collect(),
            })
            .collect(),
        dimensions: e
            .dimensions
            .iter()
            .map(|d| ExplainDimensionVm {
                name: d.dimension.label().get(lang).to_string(),
                score: d.score,
                weight: d.weight,
                items: d
                    .dimension
                    .items()
                    .iter()
                    .map(|item| {
                        let t = &e.items[item.index()];
                        ExplainItemVm {
                            item: format!("{:?} {}", t.item, t.item.label().get(lang)),
                            level: t.level,
                            rule: t.rule().get(lang).to_string(),
                            seen: t.seen().get(lang).to_string(),
                            combined: t.aggregated,
                            caps: t.caps().iter().map(|c| c.get(lang).to_string()).collect(),
                        }
                    })
                    .collect(),
            })
            .collect(),
        overall: e.overall_sum(),
        rating: e.rating.as_ref().map(|r| format!("{}{}{}", tr(lang, "群众评价：", "The citizen's rating: "), r.rating.label().get(lang), format!("{}{}", tr(lang, "——", " — "), r.why.get(lang)))),
        notes: e.notes.iter().map(|n| n.text().get(lang).to_string()).collect(),
        desk_note: e.desk_note().map(|n| n.get(lang).to_string()),
    }
}

/// Why a line of the notice matters, by part and verdict.
fn line_why(part: usize, verdict: LineVerdict) -> Text {
    match (part, verdict) {
        (_, LineVerdict::Included) => Text::new("", ""),
        (0, LineVerdict::Missing) => Text::new("群众照单准备，少了这一项还得再跑一趟：一次性告知就是要避免这个。", "A citizen who prepares by the notice comes back again for this one: exactly what a one-time notice is for."),
        (1, LineVerdict::Missing) => Text::new("少了这一步，群众办到这里就卡住了。", "Without this step the citizen gets stuck there."),
        (_, LineVerdict::Missing) => Text::new("办完这件事接着要办的，没提醒，群众过几天还得再来一趟。", "It comes right after this matter; not told, the citizen makes another trip in a few days."),
        (_, LineVerdict::NotNeeded) => Text::new("这位群众用不着：多列一项，群众白准备，还可能以为自己条件不够。", "This citizen does not need it: they prepare it for nothing, or think they do not qualify."),
        (_, LineVerdict::Wrong) => Text::new("这是别的事项的内容，照着做会让群众办错事。", "It belongs to another matter: following it leads the citizen astray."),
        (_, LineVerdict::Unknown) => Text::new("这一项指向不存在的条目内容，打印时略去。", "This line points to entry content that does not exist; it is left off the print."),
    }
}

/// The notice line by line, "you wrote / the notice needed / why it
/// matters", from its stored or just computed outcome.
pub fn notice_debrief(outcome: &NoticeOutcome, note: &str, lang: Lang, handed_after: Option<(usize, usize)>) -> NoticeDebriefVm {
    let parts: [(Text, &Vec<LineResult>); 3] = [
        (Text::new("申请材料", "Materials"), &outcome.materials),
        (Text::new("办理步骤", "Steps"), &outcome.steps),
        (Text::new("后续事项", "Follow-on matters"), &outcome.follow_on),
    ];
    let mut rows = Vec::new();
    for (i, (name, lines)) in parts.iter().enumerate() {
        for line in lines.iter() {
            let text = line.text.get(lang).to_string();
            let on = !matches!(line.verdict, LineVerdict::Missing);
            let needed = matches!(line.verdict, LineVerdict::Included | LineVerdict::Missing);
            rows.push(NoticeRowVm {
                part: name.get(lang).to_string(),
                wrote: on.then(|| text.clone()),
                needed: needed.then_some(text),
                verdict: line.verdict,
                why: line_why(i, line.verdict).get(lang).to_string(),
            });
        }
    }
    NoticeDebriefVm {
        rows,
        steps_in_order: outcome.steps_in_order,
        caps: outcome.caps.iter().map(|(item, level, why)| cap_line(item, *level, why, lang)).collect(),
        issues: outcome.issues.iter().map(|t| t.get(lang).to_string()).collect(),
        note: note.to_string(),
        handed_after,
        can_print: false,
        printed: None,
    }
}

/// The citizen's copy of `notice` as print-ready HTML, written where the
/// exports go; the path, or why it could not be written.
pub fn print_notice(records: &Records, trainee: &Trainee, scenario: &counterpart_core::scenario::model::Scenario, notice: &Notice, base: &KnowledgeBase, stem: &str) -> Result<std::path::PathBuf, Text> {
    let stamp = counterpart_core::records::store::utc_stamp();
    let date = match (stamp.get(0..4), stamp.get(5..7).and_then(|m| m.parse::<u32>().ok()), stamp.get(8..10).and_then(|d| d.parse::<u32>().ok())) {
        (Some(y), Some(m), Some(d)) => format!("{y}年{m}月{d}日"),
        _ => stamp.clone(),
    };
    let clerk = trainee
        .profile
        .as_ref()
        .map(|p| records.store().and_then(|s| s.employee_id(p.id).ok().flatten()).unwrap_or_else(|| p.name.clone()))
        .unwrap_or_default();
    let header = NoticeHeader {
        office: Text::new("政务服务中心综合窗口", "Government service centre, general window"),
        matter: scenario.title.clone(),
        citizen: scenario.citizen.name.zh.clone(),
        clerk,
        date,
    };
    records.write_notice(stem, &render_notice_html(notice, base, &header))
}

fn element_name(kind: FactKind) -> Text {
    match kind {
        FactKind::Time => Text::new("时间", "time"),
        FactKind::Place => Text::new("地点", "place"),
        FactKind::People => Text::new("人物", "people"),
        FactKind::Event => Text::new("事件", "event"),
        _ => Text::new("诉求", "demand"),
    }
}

fn field_vm(f: &FieldResult, lang: Lang) -> OrderFieldVm {
    OrderFieldVm {
        label: f.field.label().get(lang).to_string(),
        verdict: f.verdict,
        wrote: f.wrote.clone(),
        said: f.said.get(lang).to_string(),
        why: f.why.get(lang).to_string(),
        issues: f.issues.iter().map(|i| i.get(lang).to_string()).collect(),
    }
}

fn cap_line(item: &counterpart_core::scenario::model::Item, level: u8, why: &Text, lang: Lang) -> String {
    format!("{item:?} ≤ {level}{}{}", if lang == Lang::Zh { "：" } else { ": " }, why.get(lang))
}

pub fn order_debrief(report: &OrderReport, lang: Lang, submitted_after: Option<usize>, steps: usize) -> OrderDebriefVm {
    OrderDebriefVm {
        fields: report.fields.iter().map(|f| field_vm(f, lang)).collect(),
        elements: report.elements.iter().map(|e| (element_name(e.element).get(lang).to_string(), e.present)).collect(),
        caps: report.caps.iter().map(|(item, level, why)| cap_line(item, *level, why, lang)).collect(),
        submitted_after: submitted_after.map(|n| (n, steps)),
    }
}

/// A stored order's outcome field by field (History, a drill's slot).
pub fn outcome_debrief(outcome: &counterpart_core::workorder::OrderOutcome, lang: Lang, submitted_after: Option<(usize, usize)>) -> OrderDebriefVm {
    OrderDebriefVm {
        fields: outcome.fields.iter().map(|f| field_vm(f, lang)).collect(),
        elements: Vec::new(),
        caps: outcome.caps.iter().map(|(item, level, why)| cap_line(item, *level, why, lang)).collect(),
        submitted_after,
    }
}

/// The debrief of `encounter` scored by `card`: the encounter's own score
/// after play, or the stored one for a past attempt (an observer-scored
/// role-play's card comes from the observers, not the encounter). Shown in
/// the trainee's own frame with the replay on; callers adjust the frame.
pub fn encounter_debrief(encounter: &Encounter, card: &ScoreCard, disc_guess: Option<DiscStyle>, lang: Lang) -> DebriefVm {
    let scenario = encounter.scenario();
    let ending = encounter.ending();
    let persona = encounter.persona_view();
    DebriefVm {
        lang,
        title: scenario.title.get(lang).to_string(),
        dimensions: Dimension::ALL
            .iter()
            .map(|d| (d.label().get(lang).to_string(), card.dimension(*d)))
            .collect(),
        overall: card.overall,
        passed: card.passed,
        outcome: ending.map(|e| e.outcome.label().get(lang).to_string()).unwrap_or_default(),
        ending_text: ending.map(|e| e.text.get(lang).to_string()).unwrap_or_default(),
        red_flags: card.red_flags.iter().map(|f| f.label().get(lang).to_string()).collect(),
        notes: card
            .notes
            .iter()
            .map(|n| n.text().get(lang).to_string())
            .chain(crate::app::views::protocol::protocol_notes(&encounter.protocol_report(), lang))
            .collect(),
        disc_guess,
        disc_primary: persona.disc.primary,
        disc_secondary: persona.disc.secondary,
        rating: card.rating,
        persona: (scenario.citizen.persona_count() > 1)
            .then(|| if persona.label.get(lang).is_empty() { persona.id.clone() } else { persona.label.get(lang).to_string() }),
        turns: encounter
            .debrief()
            .into_iter()
            .map(|t| ReplayTurn {
                stage: t.stage.label().get(lang).to_string(),
                said: t.said.get(lang).to_string(),
                chosen: t.chosen.get(lang).to_string(),
                mood_before: t.mood_before,
                mood_after: t.mood_after,
                quality: t.quality,
                feedback: t.feedback.get(lang).to_string(),
                red_flag: t.red_flag.map(|f| f.label().get(lang).to_string()),
                premature_solution: t.premature_solution,
                timed_out: t.timed_out,
                better: t.better.map(|b| (b.text.get(lang).to_string(), b.feedback.get(lang).to_string())),
            })
            .collect(),
        has_next: false,
        save_error: None,
        practice_from: None,
        frame: DebriefFrame::Own,
        show_replay: true,
        no_replay: None,
        unscored: None,
        order: None,
        notice: None,
        knowledge: Vec::new(),
        explain: None,
    }
}

/// The debrief of a stored attempt, for the history and a drill's slot:
/// the stored score (what the record says, whatever the rules do now), the
/// turns replayed from the stored answers when the scenario is still the
/// version played. An observer-scored role-play has no scripted turns of
/// the responder's to replay; an unfinished or abandoned attempt no score.
pub fn record_debrief(record: &AttemptRecord, library: &Library, lang: Lang) -> Result<DebriefVm, Text> {
    let summary = &record.summary;
    let script = library.script(&summary.scenario_id).ok_or_else(|| {
        Text::new(
            format!("情景“{}”已不在场景库中，无法显示复盘。", summary.scenario_id),
            format!("The scenario “{}” is no longer in the library, so its debrief cannot be shown.", summary.scenario_id),
        )
    })?;
    let same_version = script.scenario.version == summary.scenario_version;
    let observed = summary.drill.as_ref().is_some_and(|d| d.mode == "RolePlay");
    let answers = if same_version && !observed { record.answers() } else { Vec::new() };
    // The stored steps carry the protocol actions taken before each answer;
    // replaying them gives the debrief the same protocol judgement as at the time.
    let steps: Vec<_> = if answers.is_empty() { Vec::new() } else { record.steps.iter().map(|s| s.step.clone()).collect() };
    // A targeted run (the mistake book's practise from here) replays from
    // the situation it started at, never from the first turn.
    let plain: Vec<_> = steps.iter().cloned().map(|mut s| {
        s.actions.clear();
        s
    }).collect();
    let encounter = record
        .replay_with(script, &steps)
        .or_else(|_| record.replay_with(script, &plain))
        .or_else(|e| if steps.is_empty() { Ok(Encounter::new(script.clone(), summary.seed)) } else { Err(e) })
        .map_err(|e| e.message())?;
    let card = match &record.result {
        Some(result) => result.card.clone(),
        None => encounter.score_with_protocol(),
    };
    let mut vm = encounter_debrief(&encounter, &card, record.result.as_ref().and_then(|r| r.disc_guess), lang);
    if let Some(result) = &record.result {
        // The stored ending: an observer-scored slot's is what the trainer recorded.
        vm.outcome = result.outcome.label().get(lang).to_string();
        if observed {
            vm.ending_text = String::new();
            vm.rating = None;
        }
    }
    vm.no_replay = if observed {
        Some(tr(lang, "角色扮演由观察员打分：应答是学员自己的话，没有逐轮回放。", "Role-play scored by the observers: the answers were the member's own words, so there is no turn-by-turn replay.").to_string())
    } else if !same_version {
        Some(match lang {
            Lang::Zh => format!("情景已改为第 {} 版（这次练的是第 {} 版），无法逐轮回放；分数是当时记录的。", script.scenario.version, summary.scenario_version),
            Lang::En => format!("The scenario is now version {} (this attempt played version {}), so the turns cannot be replayed; the score is the one recorded then.", script.scenario.version, summary.scenario_version),
        })
    } else {
        None
    };
    if let Some(stored) = &record.notice
        && let Some(outcome) = &stored.outcome
    {
        let mut notice = notice_debrief(outcome, &stored.notice.note, lang, stored.handed_after_step.map(|n| (n, record.steps.len())));
        notice.can_print = true;
        vm.notice = Some(notice);
    }
    if let Some(outcome) = record.work_order.as_ref().and_then(|o| o.outcome.as_ref()) {
        let stored = record.work_order.as_ref().and_then(|o| o.submitted_after_step);
        vm.order = Some(outcome_debrief(outcome, lang, stored.map(|n| (n, record.steps.len()))));
    }
    vm.unscored = match summary.status {
        Status::Completed => None,
        Status::InProgress => Some(tr(lang, "未完成：没有分数。", "Not finished: no score.").to_string()),
        Status::Abandoned => Some(tr(lang, "已放弃：没有分数。", "Abandoned: no score.").to_string()),
    };
    Ok(vm)
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut scenarios: ResMut<Scenarios>,
    mut current: ResMut<CurrentRun>,
    settings: Res<Settings>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
    mut author: ResMut<super::author::AuthorState>,
    time: Res<Time<Real>>,
    records: Res<Records>,
    trainee: Res<Trainee>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(run) = current.0.as_ref() else {
        next.set(Screen::Library);
        return Ok(());
    };
    let file = run.file.clone();
    let next_file = scenarios.next_playable(&file);
    let vm = debrief_vm(run, settings.lang, next_file.is_some());
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| debrief_view(ui, &vm)).inner;
    if action == Some(DebriefAction::PrintNotice)
        && let Some(run) = current.0.as_mut()
    {
        let stem = match run.attempt {
            Some(id) => format!("notice-{id}-{}", run.encounter.scenario().id),
            None => format!("notice-practice-{}", run.encounter.scenario().id),
        };
        let printed = print_notice(&records, &trainee, run.encounter.scenario(), &run.desk.notice, &run.at_hand.base, &stem);
        if let Err(e) = &printed {
            warn!("could not write the notice: {}", e.en);
        }
        run.desk.printed = Some(printed);
        ctx.request_repaint();
        return Ok(());
    }
    let Some(run) = current.0.as_ref() else { return Ok(()) };
    if let Some(turn) = run.practice_from.clone() {
        match action {
            Some(DebriefAction::TryAgain) => {
                // The same starting point and setup, a fresh wording seed.
                match run::begin_practice(&scenarios, &mut current, file, &turn, &author.practice, run::now_secs(&time)) {
                    Ok(()) => next.set(Screen::Encounter),
                    Err(e) => {
                        author.error = Some(e);
                        next.set(Screen::Author);
                    }
                }
            }
            Some(DebriefAction::Library | DebriefAction::Next) => next.set(Screen::Author),
            Some(DebriefAction::Continue | DebriefAction::ToggleReplay | DebriefAction::PrintNotice) | None => {}
        }
        return Ok(());
    }
    match action {
        Some(DebriefAction::TryAgain) => {
            commands.run_system_cached_with(run::begin, file);
            next.set(Screen::Encounter);
        }
        Some(DebriefAction::Next) => {
            if let Some(next_file) = next_file {
                scenarios.select(&next_file);
                commands.run_system_cached_with(run::begin, next_file);
                next.set(Screen::Encounter);
            }
        }
        Some(DebriefAction::Library) => next.set(Screen::Library),
        Some(DebriefAction::Continue | DebriefAction::ToggleReplay | DebriefAction::PrintNotice) | None => {}
    }
    Ok(())
}
