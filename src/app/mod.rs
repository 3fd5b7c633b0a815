//! The desktop app: Bevy for the window and the loop, egui for the UI.
//! One plugin per module; screens are a Bevy state (see `screens`), and all
//! drawing lives in `views` as plain functions of view-model data.

#[cfg(feature = "dev")]
pub mod autoplay;
pub mod fonts;
pub mod portrait;
pub mod redraw;
pub mod reload;
pub mod run;
pub mod screens;
pub mod session;
pub mod settings;
pub mod views;

use bevy::prelude::*;
use bevy_egui::EguiPlugin;
use std::path::PathBuf;

pub const WINDOW_TITLE: &str = "Counterpart 对练";

/// Opens the app with the scenarios in `folder`.
pub fn run(folder: PathBuf) {
    redraw::tune_malloc();
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: WINDOW_TITLE.into(),
            resolution: (1280, 720).into(),
            ..default()
        }),
        ..default()
    }));
    app.add_plugins(EguiPlugin::default());
    // Redraw only on input; the encounter asks for more while a call timer runs.
    app.insert_resource(redraw::idle_winit());
    // Loads the library and watches it for the authoring loop (issue #6).
    reload::install(&mut app, folder);
    app.add_systems(Startup, |mut commands: Commands| {
        commands.spawn(Camera2d);
    });
    app.add_plugins((settings::plugin, session::plugin, run::plugin, screens::plugin, redraw::plugin));
    app.add_plugins(fonts::plugin);
    #[cfg(feature = "dev")]
    app.add_plugins(autoplay::plugin);
    app.run();
}
