//! Encounter screen: plays the script, times the turns, saves each step.

use super::{Screen, UiSet};
use crate::app::run::{self, CurrentRun, Run};
use crate::app::portrait::Look;
use crate::app::settings::{Records, Settings};
use crate::app::views::exam::ExamClockVm;
use crate::app::views::encounter::{Bubble, EncounterAction, EncounterVm, EndingVm, PromptVm, Speaker, encounter_view_with_desk};
use crate::app::views::notice::{NoticeLineVm, NoticeVm, PicksVm, apply_edit};
use crate::app::views::workorder::{CategoryVm, DeskAction, DeskTab, DeskVm, EntryVm, HitVm, KnowledgeVm, OrderVm};
use counterpart_core::knowledge::{Entry, Segmenter};
use counterpart_core::scenario::model::Lang;
use counterpart_core::workorder::check_input;
use crate::app::views::protocol::{ProtocolVm, protocol_panel};
use counterpart_core::scenario::model::Channel;
use bevy::prelude::*;
use bevy::time::Real;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Encounter)));
}

/// An author's practice run goes back to the author view (the run stays:
/// the screen still draws this frame); a trainee's encounter is left,
/// abandoned if unfinished, for the library.
fn back(
    mut back: MessageReader<super::Back>,
    screen: Res<State<Screen>>,
    mut current: ResMut<CurrentRun>,
    records: Res<Records>,
    time: Res<Time<Real>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if !super::back_on(Screen::Encounter, &mut back, &screen) {
        return;
    }
    if current.0.as_ref().is_some_and(Run::is_practice) {
        next.set(Screen::Author);
    } else if let Some(run) = current.0.as_mut().filter(|r| r.exam.is_some()) {
        // An exam's scenario is paused, not abandoned: the exam screen
        // offers to go on with it, its clock as written now.
        run::write_exam_clock(run, &records, run::now_secs(&time), true);
        next.set(Screen::Exam);
    } else {
        run::leave(&mut current, &records);
        next.set(Screen::Library);
    }
}

pub fn encounter_vm(run: &Run, lang: Lang, now: f64) -> EncounterVm {
    let encounter = &run.encounter;
    let scenario = encounter.scenario();
    let mut transcript = Vec::new();
    for step in encounter.steps() {
        let turn = scenario.turns.get(step.turn);
        transcript.push(Bubble {
            speaker: Speaker::Citizen,
            text: step.said.get(lang).to_string(),
            cue: turn.and_then(|t| t.cue.as_ref()).map(|c| c.get(lang).to_string()),
        });
        let chosen = turn.and_then(|t| t.options.get(step.choice)).map(|o| o.text.get(lang).to_string());
        transcript.push(Bubble { speaker: Speaker::Trainee, text: chosen.unwrap_or_default(), cue: None });
    }
    let prompt = encounter.prompt().map(|prompt| {
        transcript.push(Bubble {
            speaker: Speaker::Citizen,
            text: prompt.said.get(lang).to_string(),
            cue: prompt.turn.cue.as_ref().map(|c| c.get(lang).to_string()),
        });
        PromptVm {
            options: prompt.shown().map(|(_, o)| o.text.get(lang).to_string()).collect(),
            order: prompt.order.to_vec(),
            time_limit: prompt.time_limit,
        }
    });
    let ending = encounter.ending().map(|e| EndingVm { outcome: e.outcome.label().get(lang).to_string(), text: e.text.get(lang).to_string() });
    EncounterVm {
        lang,
        title: scenario.title.get(lang).to_string(),
        channel: scenario.channel,
        citizen_name: scenario.citizen.name.get(lang).to_string(),
        citizen_age: scenario.citizen.age,
        situation: scenario.citizen.situation.get(lang).to_string(),
        look: Look::for_citizen(&scenario.id, scenario.citizen.age),
        mood: encounter.mood(),
        transcript,
        prompt,
        ending,
        elapsed_secs: (now - run.started) as f32,
        turn_secs: (now - run.turn_started) as f32,
        ticket: run.ticket.clone(),
        disc_guess: run.disc_guess,
        exam: run.exam.as_ref().map(|e| ExamClockVm {
            label: match lang {
                Lang::Zh => format!("考核 · 第 {}/{} 题", e.slot + 1, e.slots),
                Lang::En => format!("Exam · scenario {} of {}", e.slot + 1, e.slots),
            },
            scenario_left_secs: e.scenario_left_secs(now),
            exam_left_secs: e.exam_left_secs(now),
        }),
    }
}

/// How many entries the knowledge search lists.
const HITS_SHOWN: usize = 8;

pub fn entry_vm(entry: &Entry, lang: Lang) -> EntryVm {
    let texts = |v: &[counterpart_core::scenario::model::Text]| v.iter().map(|t| t.get(lang).to_string()).collect();
    EntryVm {
        id: entry.id.clone(),
        title: entry.title.get(lang).to_string(),
        kind: entry.kind.label().get(lang).to_string(),
        summary: entry.summary.get(lang).to_string(),
        materials: texts(&entry.materials),
        steps: texts(&entry.steps),
        time_limits: texts(&entry.time_limits),
        handling_unit: entry.handling_unit.get(lang).to_string(),
        source: entry.source.get(lang).to_string(),
    }
}

/// The one-time notice as the clerk has it, for the notice tab.
pub fn notice_vm(run: &Run, lang: Lang) -> NoticeVm {
    let base = &run.at_hand.base;
    let notice = &run.desk.notice;
    let lines = |picks: &[counterpart_core::notice::Pick], steps: bool| -> Vec<NoticeLineVm> {
        picks
            .iter()
            .map(|p| {
                let entry = base.entry(&p.entry);
                let text = entry.and_then(|e| if steps { e.steps.get(p.index) } else { e.materials.get(p.index) });
                NoticeLineVm {
                    text: text.map(|t| t.get(lang).to_string()).unwrap_or_default(),
                    from: entry.map(|e| e.title.get(lang).to_string()).unwrap_or_default(),
                    dangling: text.is_none(),
                }
            })
            .collect()
    };
    NoticeVm {
        materials: lines(&notice.materials, false),
        steps: lines(&notice.steps, true),
        follow_on: notice.follow_on.iter().map(|id| base.entry(id).map_or_else(|| id.clone(), |e| e.title.get(lang).to_string())).collect(),
        note: notice.note.clone(),
        note_issues: counterpart_core::notice::check_note(&notice.note).iter().map(|t| t.get(lang).to_string()).collect(),
        handed: run.desk.notice_handed(),
        call_over: run.encounter.is_over(),
    }
}

/// The desk beside the conversation: the work order when the scenario asks
/// for one, the one-time notice when it asks for that, and the knowledge
/// base of its folder. None when there is none of these.
pub fn desk_vm(run: &Run, lang: Lang, words: &Segmenter) -> Option<DeskVm> {
    let at_hand = &run.at_hand;
    let base = &at_hand.base;
    if !run.wants_order() && !run.wants_notice() && base.entries.is_empty() {
        return None;
    }
    let order = run.wants_order().then(|| OrderVm {
        order: run.desk.order.clone(),
        issues: check_input(&run.desk.order, base.categories.as_ref(), at_hand.profile.as_ref())
            .into_iter()
            .map(|i| (i.field, i.message.get(lang).to_string()))
            .collect(),
        categories: base
            .categories
            .iter()
            .flat_map(|t| &t.categories)
            .map(|c| CategoryVm {
                id: c.id.clone(),
                name: c.name.get(lang).to_string(),
                children: c.children.iter().map(|k| (k.id.clone(), k.name.get(lang).to_string())).collect(),
            })
            .collect(),
        time_limits: at_hand.time_limits().iter().map(|r| (r.id.clone(), format!("{}{}{}", r.title.get(lang), if lang == Lang::Zh { "：" } else { ": " }, r.value.get(lang)))).collect(),
        submitted: run.desk.submitted(),
        call_over: run.encounter.is_over(),
    });
    let hits = at_hand
        .index
        .search(&run.desk.query, words, HITS_SHOWN)
        .into_iter()
        .filter_map(|h| base.entries.get(h.entry))
        .map(|e| HitVm { id: e.id.clone(), title: e.title.get(lang).to_string(), kind: e.kind.label().get(lang).to_string() })
        .collect();
    let notice = run.wants_notice().then(|| notice_vm(run, lang));
    let open = run.desk.open.as_deref().and_then(|id| base.entry(id));
    let picks = notice.as_ref().zip(open).map(|(_, e)| {
        let n = &run.desk.notice;
        let on = |list: &[counterpart_core::notice::Pick], i: usize| list.iter().any(|p| p.entry == e.id && p.index == i);
        PicksVm {
            materials: (0..e.materials.len()).map(|i| on(&n.materials, i)).collect(),
            steps: (0..e.steps.len()).map(|i| on(&n.steps, i)).collect(),
            as_follow_on: n.follow_on.contains(&e.id),
            closed: run.desk.notice_handed(),
        }
    });
    // The tab asked for, if this desk has it; else the desk's own form.
    let tab = match run.desk.tab {
        DeskTab::Order if order.is_some() => DeskTab::Order,
        DeskTab::Notice if notice.is_some() => DeskTab::Notice,
        DeskTab::Knowledge => DeskTab::Knowledge,
        _ if order.is_some() => DeskTab::Order,
        _ if notice.is_some() => DeskTab::Notice,
        _ => DeskTab::Knowledge,
    };
    Some(DeskVm {
        lang,
        tab,
        order,
        notice,
        knowledge: KnowledgeVm {
            query: run.desk.query.clone(),
            hits,
            open: open.map(|e| entry_vm(e, lang)),
            entries: base.entries.len(),
            picks,
        },
    })
}

/// Applies what was done on the desk to the run.
pub fn apply_desk(run: &mut Run, records: &Records, vm: &DeskVm, action: DeskAction) {
    match action {
        DeskAction::Tab(tab) => run.desk.tab = tab,
        DeskAction::Edited => {
            if let Some(order) = &vm.order
                && !run.desk.submitted()
            {
                run.desk.order = order.order.clone();
            }
        }
        DeskAction::Submit => {
            if let Some(order) = &vm.order {
                if !run.desk.submitted() {
                    run.desk.order = order.order.clone();
                }
            }
            run::submit_order(run, records);
        }
        DeskAction::Searched => run.desk.query = vm.knowledge.query.clone(),
        DeskAction::Open(id) => {
            run.desk.query = vm.knowledge.query.clone();
            run::open_entry(run, records, &id);
        }
        DeskAction::CloseEntry => run.desk.open = None,
        DeskAction::Notice(edit) => {
            if !run.desk.notice_handed() {
                let note = vm.notice.as_ref().map(|n| n.note.clone()).unwrap_or_default();
                apply_edit(&mut run.desk.notice, &edit, &note);
            }
        }
        DeskAction::HandOver => {
            if let Some(notice) = &vm.notice
                && !run.desk.notice_handed()
            {
                run.desk.notice.note = notice.note.clone();
            }
            run::hand_over_notice(run, records);
        }
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut current: ResMut<CurrentRun>,
    records: Res<Records>,
    settings: Res<Settings>,
    words: Res<run::Words>,
    time: Res<Time<Real>>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let now = run::now_secs(&time);
    let Some(run) = current.0.as_mut() else {
        // Nothing to play (the scenario vanished): back to the library.
        next.set(Screen::Library);
        return Ok(());
    };
    if run.exam.is_some() {
        if run.exam.as_ref().is_some_and(|e| e.time_up(now)) {
            run::exam_time_up(run, &records, &words, now);
            next.set(Screen::Exam);
            return Ok(());
        }
        run::write_exam_clock(run, &records, now, false);
    }
    let vm = encounter_vm(run, settings.lang, now);
    let mut desk = desk_vm(run, settings.lang, words.get());
    let mut root = super::root_ui(ctx, content.0, "screen");
    // Every hotline call offers the protocol actions, risk or not.
    if run.encounter.scenario().channel == Channel::Hotline && !run.encounter.is_over() {
        let taken: Vec<String> = run.encounter.protocol_actions().into_iter().map(|(action, _)| action).collect();
        let protocol = ProtocolVm::new(settings.lang, &taken);
        let picked = egui::Panel::bottom("protocol").resizable(false).show(&mut root, |ui| protocol_panel(ui, &protocol)).inner;
        if let Some(id) = picked
            && let Err(e) = run.encounter.take_protocol_action(&id)
        {
            // The strip offers only actions not yet taken, on a call not yet over.
            warn!("protocol action {id}: {e}");
        }
    }
    let (action, desk_action) = egui::CentralPanel::default().show(&mut root, |ui| encounter_view_with_desk(ui, &vm, desk.as_mut())).inner;
    if let (Some(a), Some(desk)) = (desk_action, &desk) {
        apply_desk(run, &records, desk, a);
    }
    match action {
        Some(EncounterAction::Choose(position)) => {
            let secs = vm.prompt.as_ref().and_then(|p| p.time_limit).map(|_| vm.turn_secs);
            // The view offers positions as shown; a stale frame must not
            // crash the app: a position with no option is just ignored.
            let choice = vm.prompt.as_ref().and_then(|p| p.option_at(position)).unwrap_or(usize::MAX);
            run::answer(run, &records, choice, secs, now);
        }
        Some(EncounterAction::Guess(style)) => run.disc_guess = Some(style),
        Some(EncounterAction::ConfirmGuess) => {
            if run::finish(run, &records, &words) {
                if run.exam.is_some() {
                    // An exam goes on to its next scenario: no debrief here.
                    run::write_exam_clock(run, &records, now, true);
                    next.set(Screen::Exam);
                } else {
                    next.set(Screen::Debrief);
                }
            }
        }
        None => {}
    }
    Ok(())
}
