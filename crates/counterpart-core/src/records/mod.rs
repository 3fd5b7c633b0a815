//! The trainee's records: the SQLite store, HTML/CSV reports, progress and
//! xAPI statements.

pub mod content;
pub mod exam_report;
pub mod mistakes;
pub mod progress;
pub mod report;
pub mod resume;
pub mod sittings;
pub mod store;
pub mod xapi;
pub mod xlsx;
pub mod class;
pub mod when;
