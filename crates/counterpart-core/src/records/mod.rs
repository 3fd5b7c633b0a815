//! The trainee's records: the SQLite store, HTML/CSV reports, progress and
//! xAPI statements.

pub mod progress;
pub mod report;
pub mod store;
pub mod xapi;
