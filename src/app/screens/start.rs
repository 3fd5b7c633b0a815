//! Start screen: pick or create the trainee.

use super::{Screen, UiSet};
use crate::app::session::Trainee;
use crate::app::settings::{Records, Settings};
use crate::app::views::start::{StartAction, StartVm, start_view};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use counterpart_core::records::store::Profile;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<StartState>();
    app.add_systems(OnEnter(Screen::Start), refresh_profiles);
    app.add_systems(OnExit(Screen::Start), |mut state: ResMut<StartState>| *state = StartState::default());
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Start)));
}

/// The start screen's own state, cleared when it is left.
#[derive(Resource, Default)]
pub struct StartState {
    pub profiles: Vec<Profile>,
    pub selected: usize,
    pub new_name: String,
    pub error: Option<String>,
}

fn refresh_profiles(mut state: ResMut<StartState>, trainee: Res<Trainee>, records: Res<Records>) {
    match records.profiles() {
        Ok(profiles) => state.profiles = profiles,
        Err(e) => state.error = Some(e),
    }
    // Preselect the trainee who used the app last in this session.
    if let Some(current) = &trainee.profile
        && let Some(index) = state.profiles.iter().position(|p| p.id == current.id)
    {
        state.selected = index;
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut state: ResMut<StartState>,
    mut trainee: ResMut<Trainee>,
    mut records: ResMut<Records>,
    mut settings: ResMut<Settings>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut vm = StartVm {
        lang: settings.lang,
        profiles: state.profiles.iter().map(|p| p.name.clone()).collect(),
        selected: state.selected,
        new_name: std::mem::take(&mut state.new_name),
        error: state.error.clone().or_else(|| {
            records.problem.as_ref().map(|p| {
                format!("{}\n{p}", crate::app::views::tr(settings.lang, "本次练习不会被保存：", "Nothing will be saved this session:"))
            })
        }),
    };
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| start_view(ui, &mut vm)).inner;
    state.new_name = vm.new_name;
    match action {
        Some(StartAction::Select(index)) => state.selected = index,
        Some(StartAction::Continue(index)) => {
            if let Some(profile) = state.profiles.get(index).cloned() {
                trainee.profile = Some(profile);
                next.set(Screen::Library);
            }
        }
        Some(StartAction::Create(name)) => match records.create_profile(&name) {
            Ok(profile) => {
                trainee.profile = Some(profile);
                next.set(Screen::Library);
            }
            Err(e) => state.error = Some(e),
        },
        Some(StartAction::SetLanguage(lang)) => {
            settings.lang = lang;
            records.save_settings(&settings);
        }
        None => {}
    }
    Ok(())
}
