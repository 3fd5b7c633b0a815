//! Start screen: pick or create the trainee.

use super::{Screen, Session, UiSet};
use crate::app::settings::{Records, Settings};
use crate::app::views::start::{StartAction, StartVm, start_view};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Start), refresh_profiles);
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Start)));
}

fn refresh_profiles(mut session: ResMut<Session>, records: Res<Records>) {
    match records.profiles() {
        Ok(profiles) => session.profiles = profiles,
        Err(e) => session.start_error = Some(e),
    }
    // Preselect the trainee who used the app last in this session.
    if let Some(current) = &session.profile
        && let Some(index) = session.profiles.iter().position(|p| p.id == current.id)
    {
        session.start_selected = index;
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut session: ResMut<Session>,
    mut records: ResMut<Records>,
    mut settings: ResMut<Settings>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut vm = StartVm {
        lang: settings.lang,
        profiles: session.profiles.iter().map(|p| p.name.clone()).collect(),
        selected: session.start_selected,
        new_name: std::mem::take(&mut session.new_name),
        error: session.start_error.clone().or_else(|| {
            records.problem.as_ref().map(|p| {
                format!("{}\n{p}", crate::app::views::tr(settings.lang, "本次练习不会被保存：", "Nothing will be saved this session:"))
            })
        }),
    };
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| start_view(ui, &mut vm)).inner;
    session.new_name = vm.new_name;
    match action {
        Some(StartAction::Select(index)) => session.start_selected = index,
        Some(StartAction::Continue(index)) => {
            if let Some(profile) = session.profiles.get(index).cloned() {
                session.start_selected = index;
                session.profile = Some(profile);
                session.start_error = None;
                next.set(Screen::Library);
            }
        }
        Some(StartAction::Create(name)) => match records.create_profile(&name) {
            Ok(profile) => {
                session.new_name.clear();
                session.start_error = None;
                session.profile = Some(profile);
                next.set(Screen::Library);
            }
            Err(e) => session.start_error = Some(e),
        },
        Some(StartAction::SetLanguage(lang)) => {
            settings.lang = lang;
            records.save_settings(&settings);
        }
        None => {}
    }
    Ok(())
}
