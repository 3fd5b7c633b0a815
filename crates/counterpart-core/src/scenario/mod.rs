//! The scenario document as trainers write it: model, parsing with located
//! diagnostics, structural checks, translation sheets and the scaffold.

pub mod diag;
pub mod load;
pub mod model;
pub mod scaffold;
pub mod translate;
pub mod validate;
