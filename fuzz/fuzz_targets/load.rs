//! Arbitrary bytes into the loader: it must never panic, hang or overflow
//! the stack, and whatever it reports must be a located diagnostic or a
//! playable script.
#![no_main]

use counterpart_core::library::load::load_bytes;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let loaded = load_bytes(data, Path::new("fuzz.ron"));
    match &loaded.outcome {
        Ok(script) => {
            // A script that loads must also be safe to play and to render.
            let mut encounter = counterpart_core::play::engine::Encounter::new(script.clone(), 1);
            for _ in 0..64 {
                if encounter.choose(0, Some(1.0)).is_err() {
                    break;
                }
            }
            let _ = encounter.score();
            let _ = encounter.debrief();
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a failed load must say why");
            for d in errors {
                let _ = d.to_string();
            }
        }
    }
});
