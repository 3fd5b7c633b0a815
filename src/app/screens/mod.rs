//! The app's screens as a Bevy state. Each screen module draws its view in
//! the egui pass and turns the view's action into state changes; the
//! `Session` resource holds what the screens share.

pub mod author;
pub mod debrief;
pub mod drill;
pub mod encounter;
pub mod history;
pub mod library;
pub mod start;

use counterpart_core::library::Library;
use super::settings::{Records, Settings};
use super::views::widgets::{TopBarVm, top_bar};
use super::views::{GlobalAction, global_keys};
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::library::load::LoadedFile;
use counterpart_core::scenario::model::{DiscStyle, Lang};
use counterpart_core::records::store::Profile;
use crate::app::views::library::LibraryFilter;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Start,
    Library,
    Encounter,
    Debrief,
    History,
    /// The scenario as a graph for its author (issue #6).
    Author,
    Drill,
}

/// Ordering inside the egui pass: the top bar and global keys first (so
/// panels nest correctly and F2/Esc win), then the current screen.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum UiSet {
    Global,
    Screen,
}

/// An encounter in progress or just finished.
pub struct Run {
    /// Index into `Session::files`.
    pub file: usize,
    pub encounter: Encounter,
    /// Real time (seconds) when the encounter and the current turn began.
    pub started: f64,
    pub turn_started: f64,
    pub attempt: Option<i64>,
    pub ticket: String,
    pub disc_guess: Option<DiscStyle>,
    /// Set once the guess is confirmed and the attempt saved.
    pub finished: bool,
    pub save_error: Option<String>,
    /// The turn an author's practice run started from ("play from here");
    /// such a run is never recorded.
    pub practice_from: Option<String>,
}

/// Seconds since the app started, read at the moment of the call, for
/// answer timing. Not `Time<Real>::elapsed`: with the render world that is
/// the instant the *previous* frame finished rendering, so on the first
/// frame after the reactive loop slept (every key press on a counter turn)
/// it is behind by the whole idle time, and each answer's response time
/// would land on the next turn.
pub fn now_secs(time: &Time<Real>) -> f64 {
    time.startup().elapsed().as_secs_f64()
}

impl Run {
    /// A run starting now; the queue ticket follows from the seed so a
    /// replayed attempt shows the same number.
    pub fn new(file: usize, encounter: Encounter, now: f64, attempt: Option<i64>, save_error: Option<String>) -> Run {
        let ticket = format!("A{:03}", encounter.seed() % 200 + 1);
        Run {
            file,
            encounter,
            started: now,
            turn_started: now,
            attempt,
            ticket,
            disc_guess: None,
            finished: false,
            save_error,
            practice_from: None,
        }
    }
}

#[derive(Resource, Default)]
pub struct Session {
    pub folder: PathBuf,
    pub library: Library,
    pub profile: Option<Profile>,
    pub profiles: Vec<Profile>,
    pub start_selected: usize,
    pub new_name: String,
    pub start_error: Option<String>,
    pub filter: LibraryFilter,
    /// Index into `files` of the highlighted card.
    pub selected: usize,
    pub best: HashMap<String, (f32, bool)>,
    pub run: Option<Run>,
    /// An unfinished attempt of the current trainee, offered in the library.
    pub resume: Option<PendingResume>,
}

/// An attempt the app was closed or killed in the middle of. Its committed
/// steps are replayed on the current script; `encounter` is None when that
/// is impossible (`problem` says why).
pub struct PendingResume {
    pub attempt: i64,
    pub scenario_id: String,
    pub started_at: String,
    pub steps: usize,
    pub file: Option<usize>,
    pub encounter: Option<Encounter>,
    pub problem: Option<String>,
}

impl Session {
    pub fn script(&self, file: usize) -> Option<&Arc<Script>> {
        self.library.files().get(file).and_then(LoadedFile::script)
    }

    pub fn find(&self, scenario_id: &str) -> Option<usize> {
        self.library.files().iter().position(|f| f.script().is_some_and(|s| s.scenario.id == scenario_id))
    }

    /// The next playable file after `file`, wrapping around.
    pub fn next_playable(&self, file: usize) -> Option<usize> {
        let n = self.library.files().len();
        if n == 0 {
            return None;
        }
        (1..=n).map(|k| (file + k) % n).find(|&i| self.library.files()[i].script().is_some() && i != file)
    }
}


/// Where the current screen draws: the window below the top bar. egui
/// panels live inside a `Ui`, so the bar's system leaves this for the
/// screen's system.
#[derive(Resource, Debug, Clone, Copy)]
pub struct ContentRect(pub egui::Rect);

impl Default for ContentRect {
    fn default() -> Self {
        ContentRect(egui::Rect::EVERYTHING)
    }
}

/// A root `Ui` on the background layer covering `rect`.
pub fn root_ui(ctx: &egui::Context, rect: egui::Rect, salt: &str) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        egui::Id::new(("counterpart-root", salt)),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(rect),
    )
}

pub(super) fn plugin(app: &mut App) {
    app.init_state::<Screen>();
    app.init_resource::<ContentRect>();
    app.configure_sets(EguiPrimaryContextPass, (UiSet::Global, UiSet::Screen).chain());
    app.add_systems(EguiPrimaryContextPass, global_ui.in_set(UiSet::Global));
    app.add_plugins((start::plugin, library::plugin, encounter::plugin, debrief::plugin, history::plugin, author::plugin, drill::plugin));
}

/// How much larger drill screens draw than the trainee's text size.
pub const PROJECTOR_BOOST: f32 = 1.25;

/// egui's default sizes are small for Chinese text at 1280×720; the
/// text-size setting scales from here.
fn readable_text(style: &mut egui::Style) {
    use egui::{FontFamily, FontId, TextStyle};
    style.text_styles = [
        (TextStyle::Small, FontId::new(12.5, FontFamily::Proportional)),
        (TextStyle::Body, FontId::new(15.0, FontFamily::Proportional)),
        (TextStyle::Button, FontId::new(15.0, FontFamily::Proportional)),
        (TextStyle::Heading, FontId::new(22.0, FontFamily::Proportional)),
        (TextStyle::Monospace, FontId::new(13.5, FontFamily::Monospace)),
    ]
    .into();
}

fn global_ui(
    mut contexts: EguiContexts,
    mut settings: ResMut<Settings>,
    records: Res<Records>,
    screen: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
    mut session: ResMut<Session>,
    mut content: ResMut<ContentRect>,
    mut last: Local<Option<(Screen, Lang, f32)>>,
    mut settle: Local<u8>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    // A new screen or language lays out text whose glyphs are not in the
    // font atlas yet; they only draw correctly a frame later, and reactive
    // rendering would otherwise leave the half-drawn frame on screen.
    if last.is_none() {
        ctx.all_styles_mut(readable_text);
    }
    let now = (*screen.get(), settings.lang, settings.text_scale);
    if *last != Some(now) {
        *last = Some(now);
        *settle = 3;
    } else if ctx.input(|i| !i.events.is_empty()) {
        // Input may have brought new text (the next line, a filter).
        *settle = (*settle).max(1);
    }
    if *settle > 0 {
        *settle -= 1;
        ctx.request_repaint();
    }
    // Text size is our own setting (remembered, shown in the bar), so
    // egui's built-in Ctrl+= zoom must not apply on top of it.
    ctx.options_mut(|o| o.zoom_with_keyboard = false);
    // A projector washes out egui's grey body text: drills draw plain text
    // near-white (coloured text such as scores keeps its colour).
    let projector_text = (*screen.get() == Screen::Drill).then_some(egui::Color32::from_gray(235));
    if ctx.global_style().visuals.override_text_color != projector_text {
        ctx.all_styles_mut(|style| style.visuals.override_text_color = projector_text);
    }
    // Drills are run on a projector for a room: larger text on top of the
    // trainee's own setting.
    let zoom = settings.text_scale * if *screen.get() == Screen::Drill { PROJECTOR_BOOST } else { 1.0 };
    if (ctx.zoom_factor() - zoom).abs() > f32::EPSILON {
        ctx.set_zoom_factor(zoom);
    }
    let mut actions = global_keys(ctx);
    let vm = TopBarVm {
        lang: settings.lang,
        profile: session.profile.as_ref().map(|p| p.name.clone()),
        text_scale: settings.text_scale,
        can_go_back: *screen.get() != Screen::Start,
    };
    let mut root = root_ui(ctx, ctx.content_rect(), "top");
    let bar = egui::Panel::top("top-bar").show(&mut root, |ui| {
        ui.add_space(2.0);
        if let Some(action) = top_bar(ui, &vm) {
            actions.push(action);
        }
        ui.add_space(2.0);
    });
    let full = ctx.content_rect();
    content.0 = egui::Rect::from_min_max(egui::pos2(full.min.x, bar.response.rect.max.y), full.max);
    for action in actions {
        match action {
            GlobalAction::ToggleLanguage => {
                settings.lang = match settings.lang {
                    Lang::Zh => Lang::En,
                    Lang::En => Lang::Zh,
                };
                records.save_settings(&settings);
            }
            GlobalAction::TextLarger | GlobalAction::TextSmaller => {
                let step = if action == GlobalAction::TextLarger { 1.0 } else { -1.0 };
                settings.text_scale = settings.scaled(step);
                records.save_settings(&settings);
            }
            GlobalAction::Back => match screen.get() {
                Screen::Start => {}
                Screen::Library => next.set(Screen::Start),
                // An author's practice run (never recorded), playing or in its
                // debrief, goes back to the author view. The run stays: the
                // screen still draws this frame and would send a missing run
                // to the library.
                Screen::Encounter | Screen::Debrief if session.run.as_ref().is_some_and(|r| r.practice_from.is_some()) => {
                    next.set(Screen::Author);
                }
                Screen::Encounter => {
                    if let Some(run) = session.run.take()
                        && !run.finished
                    {
                        records.abandon(run.attempt);
                    }
                    next.set(Screen::Library);
                }
                Screen::Debrief | Screen::History | Screen::Author | Screen::Drill => next.set(Screen::Library),
            },
        }
    }
    Ok(())
}
