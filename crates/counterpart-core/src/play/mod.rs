//! Playing a scenario: the rubric, scoring, the one transition shared by
//! play and analysis (`flow::step`), the encounter engine, and risk
//! protocols (the actions taken during a call, judged against the truth).

pub mod engine;
pub mod explain;
pub mod flow;
pub mod protocol;
pub mod rubric;
pub mod score;
