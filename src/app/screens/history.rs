//! History screen: the trainee's past attempts from the records store.

use super::{Screen, Session, UiSet};
use crate::app::settings::{Records, Settings};
use crate::app::views::history::{HistoryAction, HistoryRow, HistoryVm, history_view};
use crate::app::views::tr;
use crate::core::records::Status;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::History), load);
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::History)));
}

/// The attempts are read once on entering the screen, not every frame.
#[derive(Resource, Default)]
struct Listing {
    attempts: Vec<crate::core::records::AttemptSummary>,
    problem: Option<String>,
}

fn load(mut commands: Commands, session: Res<Session>, records: Res<Records>) {
    let listing = match &session.profile {
        Some(profile) => match records.attempts(profile.id) {
            Ok(attempts) => Listing { attempts, problem: records.problem.clone() },
            Err(e) => Listing { attempts: Vec::new(), problem: Some(e) },
        },
        None => Listing::default(),
    };
    commands.insert_resource(listing);
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    session: Res<Session>,
    listing: Option<Res<Listing>>,
    settings: Res<Settings>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let lang = settings.lang;
    let (attempts, problem) = match &listing {
        Some(l) => (l.attempts.as_slice(), l.problem.clone()),
        None => (&[][..], None),
    };
    let mut rows: Vec<HistoryRow> = attempts
        .iter()
        .map(|a| HistoryRow {
            when: a.started_at.replace('T', " ").chars().take(16).collect(),
            scenario: session
                .find(&a.scenario_id)
                .and_then(|f| session.script(f))
                .map_or_else(|| a.scenario_id.clone(), |s| s.scenario.title.get(lang).to_string()),
            overall: a.overall,
            passed: a.passed,
            status: match a.status {
                Status::InProgress => tr(lang, "未完成", "unfinished"),
                Status::Completed => tr(lang, "已完成", "completed"),
                Status::Abandoned => tr(lang, "已放弃", "abandoned"),
            }
            .to_string(),
        })
        .collect();
    rows.sort_by(|a, b| b.when.cmp(&a.when));
    let vm = HistoryVm {
        lang,
        profile: session.profile.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        rows,
        note: problem,
    };
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| history_view(ui, &vm)).inner;
    if action == Some(HistoryAction::Back) {
        next.set(Screen::Library);
    }
    Ok(())
}
