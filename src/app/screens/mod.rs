//! The app's screens as a Bevy state. Each screen module owns its state
//! (a resource of its own), draws its view in the egui pass, turns the
//! view's action into state changes, and answers `Back` (Esc, the top
//! bar's back button) itself. What screens share is in `app::session`
//! and `app::run`.

pub mod about;
pub mod author;
pub mod class;
pub mod debrief;
pub mod drill;
pub mod exam;
pub mod encounter;
pub mod history;
pub mod library;
pub mod mistakes;
pub mod start;

use super::session::Trainee;
use super::settings::{Records, Settings};
use super::views::widgets::{TopBarVm, top_bar_about};
use super::views::{GlobalAction, global_keys};
use counterpart_core::scenario::model::Lang;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

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
    /// Exams (考核): choose, sit the drawn scenarios, the result sheet.
    Exam,
    /// Version, licences, where records and scenarios live (F1).
    About,
    /// The trainee's mistake book (错题集), from History (M).
    Mistakes,
    /// The class overview (班级概览) from the centre's LRS, for trainers,
    /// from History or Start (O).
    Class,
}

/// Ordering inside the egui pass: the top bar and global keys first (so
/// panels nest correctly and F2/Esc win), then the screen's answer to
/// Back, then the current screen.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum UiSet {
    Global,
    /// Each screen's answer to `Back`.
    Back,
    Screen,
}

/// Esc or the top bar's back button, answered by the current screen's own
/// `back` system (in `UiSet::Back`, before the screen draws).
#[derive(Message, Debug, Clone, Copy)]
pub struct Back;

/// Whether Back was asked for on `screen` this frame. Every screen's back
/// system runs every frame and reads the messages, acting only on its own
/// screen: a reader that skipped frames would see a Back meant for the
/// screen before it.
pub fn back_on(screen: Screen, back: &mut MessageReader<Back>, current: &State<Screen>) -> bool {
    back.read().count() > 0 && *current.get() == screen
}

/// A back system for a screen whose Back always leads to `to`.
pub fn back_to(screen: Screen, to: Screen) -> impl FnMut(MessageReader<Back>, Res<State<Screen>>, ResMut<NextState<Screen>>) {
    move |mut back, current, mut next| {
        if back_on(screen, &mut back, &current) {
            next.set(to);
        }
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
    app.add_message::<Back>();
    app.configure_sets(EguiPrimaryContextPass, (UiSet::Global, UiSet::Back, UiSet::Screen).chain());
    app.add_systems(EguiPrimaryContextPass, global_ui.in_set(UiSet::Global));
    app.add_plugins((start::plugin, library::plugin, encounter::plugin, debrief::plugin, history::plugin, author::plugin, drill::plugin, about::plugin, exam::plugin, mistakes::plugin, class::plugin));
}

/// How much larger drill screens draw than the trainee's text size.
pub const PROJECTOR_BOOST: f32 = 1.25;

/// egui's default sizes are small for Chinese text at 1280×720; the
/// text-size setting scales from here.
pub fn readable_text(style: &mut egui::Style) {
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
    trainee: Res<Trainee>,
    mut back: MessageWriter<Back>,
    mut about: ResMut<about::AboutState>,
    drill: Res<drill::DrillScreen>,
    mut next: ResMut<NextState<Screen>>,
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
        profile: trainee.profile.as_ref().map(|p| p.name.clone()),
        seat: if *screen.get() == Screen::Drill { drill.seat() } else { None },
        text_scale: settings.text_scale,
        can_go_back: *screen.get() != Screen::Start,
    };
    let mut root = root_ui(ctx, ctx.content_rect(), "top");
    let bar = egui::Panel::top("top-bar").show(&mut root, |ui| {
        ui.add_space(2.0);
        if let Some(action) = top_bar_about(ui, &vm, about::can_open_from(*screen.get())) {
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
            GlobalAction::Back => {
                back.write(Back);
            }
            GlobalAction::About => {
                if about::can_open_from(*screen.get()) {
                    about.return_to = *screen.get();
                    next.set(Screen::About);
                }
            }
        }
    }
    Ok(())
}
