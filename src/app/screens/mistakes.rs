//! The mistake book screen (错题集), reached from History: the book is read
//! from the store once on entering; "practise from here" starts a recorded
//! targeted run from the mistake's situation; Back returns to History.

use super::{Screen, UiSet};
use crate::app::session::{LocalZone, Scenarios, Trainee};
use crate::app::settings::{Records, Settings};
use crate::app::views::mistakes::{GroupVm, Grouping, MistakeVm, MistakesAction, MistakesVm, mistakes_view};
use crate::app::views::tr;
use bevy::prelude::*;
use bevy::time::Real;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use counterpart_core::library::Library;
use counterpart_core::records::mistakes::{Mistake, MistakeBook};
use counterpart_core::records::when::Zone;
use counterpart_core::scenario::model::{Lang, Message, Text};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<MistakesState>();
    app.add_systems(OnEnter(Screen::Mistakes), load);
    app.add_systems(EguiPrimaryContextPass, super::back_to(Screen::Mistakes, Screen::History).in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Mistakes)));
}

/// The book as read on entering, and the grouping chosen (kept between visits).
#[derive(Resource, Default)]
pub struct MistakesState {
    pub book: MistakeBook,
    pub grouping: Grouping,
    pub problem: Option<Text>,
}

/// The trainee's book, or why there is none.
pub fn read_book(records: &Records, trainee: &Trainee, library: &Library, zone: &Zone) -> Result<MistakeBook, Text> {
    let store = records.store().ok_or_else(|| records.problem.clone().unwrap_or_default())?;
    let Some(profile) = &trainee.profile else { return Ok(MistakeBook::default()) };
    store.mistake_book(profile.id, library, zone).map_err(|e| e.message())
}

fn load(mut state: ResMut<MistakesState>, records: Res<Records>, trainee: Res<Trainee>, scenarios: Res<Scenarios>, zone: Res<LocalZone>) {
    match read_book(&records, &trainee, &scenarios.library, &zone.0) {
        Ok(book) => {
            state.book = book;
            state.problem = None;
        }
        Err(e) => {
            state.book = MistakeBook::default();
            state.problem = Some(e);
        }
    }
}

/// "第 3 轮 · greet" and the persona's name, from the library's script.
fn place(library: &Library, m: &Mistake, lang: Lang) -> (String, String) {
    let Some(script) = library.script(&m.situation.scenario_id) else { return (m.situation.turn_id.clone(), m.persona_id.clone()) };
    let n = script.scenario.turns.iter().position(|t| t.id == m.situation.turn_id).map_or(0, |i| i + 1);
    let turn = match lang {
        Lang::Zh => format!("第 {n} 轮"),
        Lang::En => format!("turn {n}"),
    };
    let persona = script
        .scenario
        .citizen
        .all_personas()
        .get(m.situation.persona)
        .map(|p| if p.label.get(lang).is_empty() { tr(lang, "主要人物", "main persona").to_string() } else { p.label.get(lang).to_string() })
        .unwrap_or_else(|| m.persona_id.clone());
    (turn, persona)
}

/// An option's words by its id on the mistake's turn.
fn option_text(library: &Library, m: &Mistake, id: &str, lang: Lang) -> String {
    library
        .script(&m.situation.scenario_id)
        .and_then(|s| s.scenario.turns.iter().find(|t| t.id == m.situation.turn_id))
        .and_then(|t| t.options.iter().find(|o| o.id == id))
        .map_or_else(|| id.to_string(), |o| o.text.get(lang).to_string())
}

fn why(m: &Mistake, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    if m.red_flag.is_some() {
        parts.push(tr(lang, "触犯红线", "red flag").into());
    }
    if m.late {
        parts.push(tr(lang, "超时未答", "answered too late").into());
    }
    if m.overtalk {
        parts.push(tr(lang, "说得太多", "over-talking").into());
    }
    if !m.items.is_empty() {
        let items: Vec<String> = m.items.iter().map(|i| i.label().get(lang).to_string()).collect();
        parts.push(format!("{}{}", tr(lang, "未做到：", "missed: "), items.join("；")));
    }
    parts.push(format!("{}{}", tr(lang, "该环节：", "stage: "), m.stage.label().get(lang)));
    parts.join(" · ")
}

fn mistake_vm(library: &Library, m: &Mistake, index: usize, lang: Lang, zone: &Zone) -> MistakeVm {
    let (turn, persona) = place(library, m, lang);
    MistakeVm {
        index,
        scenario: m.scenario_title.get(lang).to_string(),
        turn,
        persona,
        chosen: option_text(library, m, &m.chosen, lang),
        better: m.better.as_ref().map(|b| option_text(library, m, b, lang)),
        why: why(m, lang),
        times_wrong: m.times_wrong,
        good_since: m.good_since,
        when: zone.minute(&m.answered_at),
        from_exam: m.from_exam,
    }
}

/// The view model of `book`, grouped as asked.
pub fn mistakes_vm(book: &MistakeBook, library: &Library, grouping: Grouping, lang: Lang, zone: &Zone, profile: &str, problem: Option<String>) -> MistakesVm {
    let index_of = |m: &Mistake| book.open.iter().position(|o| std::ptr::eq(o, m)).unwrap_or(0);
    let groups: Vec<GroupVm> = match grouping {
        Grouping::Item => book
            .by_item()
            .into_iter()
            .map(|(item, ms)| GroupVm { name: format!("{item:?} {}", item.label().get(lang)), mistakes: ms.into_iter().map(|m| mistake_vm(library, m, index_of(m), lang, zone)).collect() })
            .chain({
                // A red flag or a late answer shows no low skill: keep it listed.
                let rest: Vec<MistakeVm> = book.open.iter().enumerate().filter(|(_, m)| m.items.is_empty()).map(|(i, m)| mistake_vm(library, m, i, lang, zone)).collect();
                (!rest.is_empty()).then(|| GroupVm { name: tr(lang, "红线、超时与其他", "Red flags, late answers and others").to_string(), mistakes: rest })
            })
            .collect(),
        Grouping::Stage => book
            .by_stage()
            .into_iter()
            .map(|(stage, ms)| GroupVm { name: stage.label().get(lang).to_string(), mistakes: ms.into_iter().map(|m| mistake_vm(library, m, index_of(m), lang, zone)).collect() })
            .collect(),
    };
    let mut note = problem;
    if !book.skipped.is_empty() {
        let skipped = match lang {
            Lang::Zh => format!("{} 次练习的场景已改动或移除，未计入错题集。", book.skipped.len()),
            Lang::En => format!("{} attempt(s) whose scenario has changed or gone are not in the book.", book.skipped.len()),
        };
        note = Some(note.map_or(skipped.clone(), |n| format!("{n} {skipped}")));
    }
    MistakesVm {
        lang,
        profile: profile.to_string(),
        grouping,
        groups,
        open: book.open.len(),
        cleared: book
            .cleared_mistakes
            .iter()
            .map(|m| {
                let (turn, persona) = place(library, m, lang);
                format!("{} · {turn} · {persona}", m.scenario_title.get(lang))
            })
            .collect(),
        note,
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut state: ResMut<MistakesState>,
    scenarios: Res<Scenarios>,
    trainee: Res<Trainee>,
    records: Res<Records>,
    settings: Res<Settings>,
    mut current: ResMut<crate::app::run::CurrentRun>,
    time: Res<Time<Real>>,
    zone: Res<LocalZone>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let profile = trainee.profile.as_ref().map(|p| p.name.clone()).unwrap_or_default();
    let vm = mistakes_vm(&state.book, &scenarios.library, state.grouping, settings.lang, &zone.0, &profile, state.problem.as_ref().map(|p| p.get(settings.lang).to_string()));
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| mistakes_view(ui, &vm)).inner;
    match action {
        Some(MistakesAction::Back) => next.set(Screen::History),
        Some(MistakesAction::Group(g)) => state.grouping = g,
        Some(MistakesAction::Practise(i)) => {
            let Some(m) = state.book.open.get(i) else { return Ok(()) };
            let situation = m.situation.clone();
            match crate::app::run::begin_targeted(&scenarios, &trainee, &records, &mut current, &situation, crate::app::run::now_secs(&time)) {
                Ok(()) => next.set(Screen::Encounter),
                Err(e) => state.problem = Some(e),
            }
        }
        None => {}
    }
    Ok(())
}
