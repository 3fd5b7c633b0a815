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
