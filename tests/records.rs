//! Trainee records: the SQLite store, crash safety, migrations, exports and
//! xAPI (against a real Ralph LRS when installed). One test binary, a
//! module per topic in `tests/records/`.
//!
//! Run with `cargo test --features dev --test records`.

#[path = "common/ralph.rs"]
mod ralph;

mod records {
    mod common;
    mod crash;
    mod drills;
    mod faults;
    mod lrs;
    mod play;
    mod reports;
    mod store;
    mod notices;
    mod work_orders;
    mod xapi;
}
