//! Counterpart: a role-play simulator for public-service counter and 12345
//! hotline staff. The Bevy-free domain is the `counterpart-core` crate;
//! this crate holds the CLI and, with the `app` feature, the desktop app.

pub mod cli;
pub mod exam_cli;
pub mod records_cli;

#[cfg(feature = "app")]
pub mod app;
