//! Library screen: scenario cards from the loaded files.

use super::{Screen, Session, UiSet};
use crate::app::settings::{Records, Settings};
use crate::app::views::library::{Card, ErrorCard, LibraryAction, LibraryVm, ScenarioCard, library_view};
use crate::core::load::{LoadedFile, display_path};
use crate::core::model::Lang;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::collections::HashMap;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Library), refresh_best);
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Library)));
}

fn refresh_best(mut session: ResMut<Session>, records: Res<Records>) {
    session.best = session.profile.as_ref().map(|p| records.best(p.id)).unwrap_or_default();
}

/// One card per loaded file, in file order.
pub fn cards(files: &[LoadedFile], lang: Lang, best: &HashMap<String, (f32, bool)>) -> Vec<Card> {
    files
        .iter()
        .map(|file| match &file.outcome {
            Ok(script) => {
                let s = &script.scenario;
                Card::Scenario(ScenarioCard {
                    id: s.id.clone(),
                    title: s.title.get(lang).to_string(),
                    summary: s.summary.get(lang).to_string(),
                    channel: s.channel,
                    difficulty: s.difficulty,
                    minutes: s.minutes,
                    objectives: s.objectives.iter().map(|o| o.get(lang).to_string()).collect(),
                    tags: s.tags.clone(),
                    best: best.get(&s.id).copied(),
                })
            }
            Err(diagnostics) => Card::Error(ErrorCard {
                file: display_path(&file.path),
                diagnostics: diagnostics.iter().map(|d| format!("{}: {}", d.location(), d.message)).collect(),
            }),
        })
        .collect()
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut session: ResMut<Session>,
    settings: Res<Settings>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut vm = LibraryVm {
        lang: settings.lang,
        cards: cards(&session.files, settings.lang, &session.best),
        selected: session.selected,
        filter: std::mem::take(&mut session.filter),
    };
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| library_view(ui, &mut vm)).inner;
    session.filter = vm.filter;
    match action {
        Some(LibraryAction::Select(index)) => session.selected = index,
        Some(LibraryAction::Start(id)) => {
            if let Some(file) = session.find(&id) {
                session.selected = file;
                commands.run_system_cached_with(super::encounter::begin, file);
                next.set(Screen::Encounter);
            }
        }
        Some(LibraryAction::OpenHistory) => next.set(Screen::History),
        Some(LibraryAction::Author(id)) => {
            if let Some(file) = session.find(&id) {
                session.selected = file;
                next.set(Screen::Author);
            }
        }
        None => {}
    }
    Ok(())
}
