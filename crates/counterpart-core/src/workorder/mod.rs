//! The hotline work order (工单): what the trainee typed, which facts the
//! caller revealed in this attempt, the order scored field by field against
//! the scenario's truth ("you wrote / the call said / why it matters"), and
//! how the result caps rubric items of the conversation's score card.
//!
//! Depends on `scenario` (the truth), `knowledge` (categories, lenient text,
//! segmentation) and `play` (rubric items, score cards, the steps of an
//! attempt). Nothing here panics on any input: the order is stored as typed
//! and every oddity becomes a message on its field.

pub mod attempt;
pub mod order;
pub mod reveal;
pub mod score;

pub use attempt::{OrderOutcome, assess, card_with_order};
pub use order::{FieldName, InputIssue, WorkOrder, check_input};
pub use reveal::{heard, revealed_facts};
pub use score::{DispositionResult, FactResult, FieldResult, OrderReport, Verdict, WorkOrderContext, apply_caps, apply_item_caps, score_call, score_no_order, score_order};
