//! The app's redraw policy, in one place: asleep until input, except while
//! a call's answer timer runs on screen (then twice a second), and
//! reactive rendering kept reactive.
//!
//! bevy_egui 0.42 pushes the current keyboard modifiers into egui's input as
//! a `ModifiersChanged` event on every frame, changed or not. egui treats any
//! input event as a reason to repaint at once, and bevy_egui turns egui's
//! repaint request into a Bevy `RequestRedraw`, so the app never went idle:
//! 170 % CPU on an untouched library screen under Xvfb. Dropping the event
//! when the modifiers did not change lets reactive rendering
//! sleep until real input arrives.

use super::run::CurrentRun;
use super::screens::Screen;
use super::screens::drill::DrillScreen;
use counterpart_core::scenario::model::Channel;
use bevy::prelude::*;
use bevy::winit::{UpdateMode, WinitSettings};
use bevy_egui::{EguiInput, EguiPreUpdateSet, egui};
use std::time::Duration;

/// How the app runs when nothing moves: asleep until input. Bevy's
/// `desktop_app()` also wakes every 5 s for nothing we draw; each wake is a
/// full software-rendered frame on lavapipe, so sleep longer.
pub fn idle_winit() -> WinitSettings {
    WinitSettings {
        focused_mode: UpdateMode::reactive(Duration::from_secs(60)),
        unfocused_mode: UpdateMode::reactive_low_power(Duration::from_secs(60)),
    }
}

/// While a hotline turn waits for an answer: often enough for the
/// countdown and the call clock to tick visibly.
pub fn ticking_winit() -> WinitSettings {
    WinitSettings {
        focused_mode: UpdateMode::reactive(Duration::from_millis(500)),
        unfocused_mode: UpdateMode::reactive(Duration::from_millis(500)),
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, tick_while_timed);
    app.add_systems(
        PreUpdate,
        drop_unchanged_modifiers
            .after(EguiPreUpdateSet::ProcessInput)
            .before(EguiPreUpdateSet::BeginPass),
    );
    app.init_resource::<FreedMemory>();
    app.add_systems(
        Last,
        (schedule_release.run_if(state_changed::<Screen>), release_when_settled).chain(),
    );
}

/// Timers only tick while visible: a hotline turn with an answer pending,
/// solo or in a drill's hot seat, and an exam's scenario, redraw twice a
/// second; everything else
/// waits for input.
fn tick_while_timed(screen: Res<State<Screen>>, current: Res<CurrentRun>, drill: Res<DrillScreen>, mut winit: ResMut<WinitSettings>) {
    let ticking = match screen.get() {
        // An exam's clocks count down on every scenario, call or counter.
        Screen::Encounter => current
            .0
            .as_ref()
            .is_some_and(|r| r.exam.is_some() || (r.encounter.scenario().channel == Channel::Hotline && r.encounter.prompt().is_some())),
        Screen::Drill => drill.timer_running() || drill.papers_unlogged(),
        _ => false,
    };
    let wanted = if ticking { ticking_winit() } else { idle_winit() };
    if winit.focused_mode != wanted.focused_mode {
        *winit = wanted;
    }
}

/// A screen change frees the old screen's layout, text and shapes; glibc
/// keeps that memory in per-thread arenas (about 10 MB here) unless asked to
/// return it. Waiting two frames lets the new screen finish its first
/// layouts, so the trim happens once per change, not per frame.
#[derive(Resource, Default)]
struct FreedMemory {
    frames_until_release: Option<u8>,
}

fn schedule_release(mut freed: ResMut<FreedMemory>) {
    freed.frames_until_release = Some(2);
}

fn release_when_settled(mut freed: ResMut<FreedMemory>) {
    match freed.frames_until_release {
        Some(0) => {
            freed.frames_until_release = None;
            release_freed_memory();
        }
        Some(n) => freed.frames_until_release = Some(n - 1),
        None => {}
    }
}

/// glibc keeps freed memory for reuse: every thread that allocates gets its
/// own 64 MB arena, and the mmap threshold grows with the largest block
/// freed, so big short-lived buffers (font atlas uploads, layout) end up
/// held in the heap. Two arenas, a fixed 64 KB mmap threshold (big blocks go
/// back to the system on free) and a 128 KB trim threshold keep the
/// resident set about 15 MB lower at no visible cost for a UI this size
/// (BENCHMARKS.md, measured first with the `MALLOC_*` environment variables).
/// Must run before the first threads start.
pub fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a glibc tuning value; called before other
    // threads exist, as glibc recommends.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}

fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas; it has no
    // preconditions and is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn drop_unchanged_modifiers(mut inputs: Query<&mut EguiInput>, mut last: Local<Option<egui::Modifiers>>) {
    for mut input in &mut inputs {
        retain_changed_modifiers(&mut input.events, &mut last);
    }
}

/// Keeps every event except a `ModifiersChanged` that repeats the last one.
pub fn retain_changed_modifiers(events: &mut Vec<egui::Event>, last: &mut Option<egui::Modifiers>) {
    events.retain(|event| match event {
        egui::Event::ModifiersChanged(now) => {
            let changed = *last != Some(*now);
            *last = Some(*now);
            changed
        }
        _ => true,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_modifiers_are_dropped_and_real_changes_kept() {
        let mut last = None;
        let none = egui::Event::ModifiersChanged(egui::Modifiers::NONE);
        let ctrl = egui::Event::ModifiersChanged(egui::Modifiers::CTRL);
        let key = egui::Event::Text("a".into());
        let mut frame1 = vec![none.clone()];
        retain_changed_modifiers(&mut frame1, &mut last);
        assert_eq!(frame1.len(), 1, "the first report is news");
        let mut idle = vec![none.clone()];
        retain_changed_modifiers(&mut idle, &mut last);
        assert!(idle.is_empty(), "an idle frame must carry no events");
        let mut typing = vec![ctrl.clone(), key.clone()];
        retain_changed_modifiers(&mut typing, &mut last);
        assert_eq!(typing, vec![ctrl, key]);
        let mut release = vec![none.clone()];
        retain_changed_modifiers(&mut release, &mut last);
        assert_eq!(release, vec![none]);
    }
}
