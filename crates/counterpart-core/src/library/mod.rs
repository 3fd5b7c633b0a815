//! The loaded library: scenario files read once into scripts, and the
//! folder watch that reloads them.

pub mod reload;
