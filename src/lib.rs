//! Counterpart: a role-play simulator for public-service counter and 12345
//! hotline staff. `core` is the Bevy-free domain; `app` the desktop app.

pub mod cli;
pub mod core;
pub mod records_cli;

#[cfg(feature = "app")]
pub mod app;
