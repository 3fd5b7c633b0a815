//! Playing a scenario: the rubric, scoring, the one transition shared by
//! play and analysis (`flow::step`), and the encounter engine.

pub mod engine;
pub mod flow;
pub mod rubric;
pub mod score;
