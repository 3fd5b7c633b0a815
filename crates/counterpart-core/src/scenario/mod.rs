//! The scenario document as trainers write it: the model, parsing with
//! located diagnostics, translation sheets and the scaffold. Nothing here
//! knows how a scenario is played.

pub mod diag;
pub mod fix;
pub mod model;
pub mod parse;
pub mod scaffold;
pub mod sheet;
pub mod translate;
