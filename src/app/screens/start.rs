//! Start screen: pick or create the trainee.

use super::{Screen, UiSet};
use crate::app::session::{Scenarios, Trainee};
use crate::app::settings::{Records, Settings};
use crate::app::views::tr;
use crate::app::views::start::{StartAction, StartVm, start_view};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use counterpart_core::records::store::Profile;
use counterpart_core::scenario::model::Text;
use crate::app::views::drill::UnfinishedDrill;
use super::drill::{DrillScreen, unfinished_drills};

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
    /// Each profile's employee number, in the order of `profiles`.
    pub employee_ids: Vec<Option<String>>,
    /// The employee number being edited for the selected profile.
    pub employee_input: String,
    pub new_employee_id: String,
    pub notice: Option<String>,
    pub selected: usize,
    pub new_name: String,
    pub error: Option<Text>,
    /// A trainee (or an unfinished drill) was chosen while the library was
    /// still loading: go on to this screen as soon as it is ready.
    pub waiting: Option<Screen>,
    /// Group drills left unfinished, offered here too.
    pub unfinished_drills: Vec<UnfinishedDrill>,
}

fn refresh_profiles(mut state: ResMut<StartState>, trainee: Res<Trainee>, records: Res<Records>, settings: Res<Settings>, zone: Res<crate::app::session::LocalZone>) {
    match records.trainees() {
        Ok(trainees) => (state.profiles, state.employee_ids) = trainees.into_iter().unzip(),
        Err(e) => state.error = Some(e),
    }
    let last = records.last_trainee();
    state.selected = preselected(&state.profiles, trainee.profile.as_ref().map(|p| p.id), last);
    state.employee_input = saved_employee_id(&state, state.selected);
    state.unfinished_drills = unfinished_drills(&records, settings.lang, &zone.0);
}

/// The trainee the start screen highlights: the one at the keyboard in
/// this session, else the one who played (or was chosen) last, else the
/// first by name.
pub fn preselected(profiles: &[Profile], in_session: Option<i64>, last: Option<i64>) -> usize {
    [in_session, last].into_iter().flatten().find_map(|id| profiles.iter().position(|p| p.id == id)).unwrap_or(0)
}

fn saved_employee_id(state: &StartState, index: usize) -> String {
    state.employee_ids.get(index).cloned().flatten().unwrap_or_default()
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut state: ResMut<StartState>,
    mut trainee: ResMut<Trainee>,
    mut records: ResMut<Records>,
    mut settings: ResMut<Settings>,
    scenarios: Res<Scenarios>,
    mut drill: ResMut<DrillScreen>,
    mut class: ResMut<super::class::ClassState>,
    zone: Res<crate::app::session::LocalZone>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if let Some(screen) = state.waiting.filter(|_| !scenarios.loading) {
        next.set(screen);
    }
    let mut vm = StartVm {
        lang: settings.lang,
        profiles: state.profiles.iter().map(|p| p.name.clone()).collect(),
        employee_ids: state.employee_ids.clone(),
        selected: state.selected,
        loading: scenarios.loading,
        new_name: std::mem::take(&mut state.new_name),
        new_employee_id: std::mem::take(&mut state.new_employee_id),
        employee_input: std::mem::take(&mut state.employee_input),
        notice: state.notice.clone(),
        unfinished_drills: state.unfinished_drills.clone(),
        error: state.error.as_ref().map(|e| e.get(settings.lang).to_string()).or_else(|| {
            records.problem.as_ref().map(|p| {
                format!("{}\n{}", crate::app::views::tr(settings.lang, "本次练习不会被保存：", "Nothing will be saved this session:"), p.get(settings.lang))
            })
        }),
    };
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| start_view(ui, &mut vm)).inner;
    state.new_name = vm.new_name;
    state.new_employee_id = vm.new_employee_id;
    state.employee_input = vm.employee_input;
    match action {
        Some(StartAction::Select(index)) => {
            state.selected = index;
            state.employee_input = saved_employee_id(&state, index);
            state.notice = None;
        }
        Some(StartAction::SetEmployeeId(index, value)) => {
            if let Some(profile) = state.profiles.get(index).cloned() {
                let value = value.trim().to_string();
                match records.set_employee_id(profile.id, Some(value.as_str()).filter(|v| !v.is_empty())) {
                    Ok(()) => {
                        refresh_profiles_keeping(&mut state, &records, profile.id);
                        state.error = None;
                        state.notice = Some(if value.is_empty() {
                            tr(settings.lang, "已删除工号", "Employee number removed").to_string()
                        } else {
                            format!("{}{value}", tr(settings.lang, "已保存工号 ", "Employee number saved: "))
                        });
                    }
                    Err(e) => state.error = Some(e),
                }
            }
        }
        Some(StartAction::Continue(index)) => {
            if let Some(profile) = state.profiles.get(index).cloned() {
                records.mark_used(profile.id);
                trainee.profile = Some(profile);
                go_on(&mut state, &scenarios, &mut next, Screen::Library);
            }
        }
        Some(StartAction::Drill(a)) => match drill.offer_unfinished(a, records.store(), &scenarios.library) {
            Ok(Some(screen)) => go_on(&mut state, &scenarios, &mut next, screen),
            Ok(None) => {
                state.unfinished_drills = unfinished_drills(&records, settings.lang, &zone.0);
                state.error = None;
            }
            Err(e) => state.error = Some(e),
        },
        Some(StartAction::Create(name)) => match records.create_profile(&name) {
            Ok(profile) => {
                let number = std::mem::take(&mut state.new_employee_id).trim().to_string();
                let saved = if number.is_empty() { Ok(()) } else { records.set_employee_id(profile.id, Some(&number)) };
                match saved {
                    Ok(()) => {
                        records.mark_used(profile.id);
                        trainee.profile = Some(profile);
                        go_on(&mut state, &scenarios, &mut next, Screen::Library);
                    }
                    Err(e) => {
                        // The profile exists now: select it, keep the number
                        // as typed for correcting, and stay on this screen.
                        refresh_profiles_keeping(&mut state, &records, profile.id);
                        state.employee_input = number;
                        state.error = Some(e);
                    }
                }
            }
            Err(e) => state.error = Some(e),
        },
        Some(StartAction::ClassOverview) => {
            class.return_to = Screen::Start;
            go_on(&mut state, &scenarios, &mut next, Screen::Class);
        }
        Some(StartAction::SetLanguage(lang)) => {
            settings.lang = lang;
            records.save_settings(&settings);
        }
        None => {}
    }
    Ok(())
}

/// Rereads the profiles and selects `profile` again.
fn refresh_profiles_keeping(state: &mut StartState, records: &Records, profile: i64) {
    if let Ok(trainees) = records.trainees() {
        (state.profiles, state.employee_ids) = trainees.into_iter().unzip();
    }
    if let Some(index) = state.profiles.iter().position(|p| p.id == profile) {
        state.selected = index;
    }
    state.employee_input = saved_employee_id(state, state.selected);
}

/// To the library (or a drill), once the library has loaded: leaving
/// earlier would show an empty library and offer no unfinished attempt to
/// resume, and a drill cannot be replayed without its scenarios.
fn go_on(state: &mut StartState, scenarios: &Scenarios, next: &mut NextState<Screen>, to: Screen) {
    if scenarios.loading {
        state.waiting = Some(to);
    } else {
        next.set(to);
    }
}
