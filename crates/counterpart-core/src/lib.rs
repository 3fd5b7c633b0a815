//! Counterpart's domain core: plain data and pure functions, no Bevy, no
//! global state, deterministic given a seed. The CLI, the app and the tests
//! all go through it.
//!
//! Layers, each depending only on those above it:
//! - [`scenario`]: the document trainers write — model, parsing, structural
//!   checks, translation sheets, the scaffold.
//! - [`knowledge`]: the knowledge base (知识库) — entries, the work-order
//!   category tree, loading with located diagnostics, search in Chinese and
//!   pinyin initials.
//! - [`play`]: rubric, scoring, the one transition (`flow`), the
//!   encounter engine and risk protocols.
//! - [`workorder`]: the hotline work order (工单) as typed, scored field by
//!   field against the scenario's truth, and the rubric caps it implies.
//! - [`notice`]: the counter's one-time notice (一次性告知单) as assembled,
//!   scored against the truth, and printed as the citizen's copy.
//! - [`analysis`]: every route explored — best/worst routes, gameability,
//!   graph export, generated scenarios.
//! - [`library`]: files loaded once into a library of scripts with their
//!   analyses and findings; live reload.
//! - [`drill`]: group drills as an event-sourced machine.
//! - [`exam`]: exam files (考核) checked against the library, the
//!   candidate's seeded draw, and the pass/fail judgement of a sitting.
//! - [`records`]: the trainee store, reports, progress and xAPI.

pub mod analysis;
pub mod drill;
pub mod exam;
pub mod knowledge;
pub mod library;
pub mod notice;
pub mod play;
pub mod records;
pub mod scenario;
pub mod workorder;
