//! The knowledge base (知识库): policy and procedure entries that operators
//! look up during a call and that counter clerks build the one-time notice
//! from, the category tree work orders are filed under, and as-you-type
//! search in Chinese and pinyin initials.
//!
//! Depends only on `scenario` (texts, RON parsing, diagnostics), so that
//! play, the work order and the library can all use it.

pub mod load;
pub mod model;
pub mod search;
pub mod text;
pub mod validate;

pub use load::{KnowledgeLoad, load_folder};
pub use model::{Category, CategoryTree, Entry, EntryKind, KnowledgeBase, KnowledgeFile};
pub use search::{Hit, SearchIndex};
pub use text::Segmenter;

/// One knowledge entry opened during an attempt (solo or a drill's slot).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lookup {
    /// What was in the search box when the entry was opened.
    pub query: String,
    pub entry: String,
    /// How many answers had been given when it was opened.
    pub after_step: usize,
    /// Stored time; empty on a lookup not yet stored.
    #[serde(default)]
    pub recorded_at: String,
}
