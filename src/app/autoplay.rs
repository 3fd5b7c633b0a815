//! Scripted run of the real app, for the window smoke test, the README
//! screenshots and the benchmarks.
//!
//! `COUNTERPART_AUTOPLAY=<dir>` drives the app the way a trainee at the
//! keyboard would: it writes Bevy `KeyboardInput` messages (which Bevy's own
//! input and bevy_egui both read), walks Start → Library → Encounter (always
//! option 1) → DISC guess → Debrief → History → Library in English → Author
//! view → a practice run with the inspector → its debrief → Library, saves
//! `<dir>/<nn>-<screen>.png` of each screen, writes `<dir>/labels.json` with
//! the screen-title rects and per-character cells (so a test can check that
//! Chinese actually rendered) and exits with 0, or non-zero with a message on
//! stderr when anything fails or takes too long.
//!
//! Other variables:
//! - `COUNTERPART_DB` must point at a throw-away records database: autoplay
//!   creates a profile and an attempt, which must never land in a trainee's
//!   real records (the app opens the store before this plugin could move it).
//! - `COUNTERPART_AUTOPLAY_TIMEOUT` seconds for the whole walk (default 120).
//! - `COUNTERPART_AUTOPLAY_SCENARIO` scenario id to play (default: the first card).
//! - `COUNTERPART_AUTOPLAY_WINDOW` = `<width>x<height>`: the window's size
//!   (default 1280x720), for screenshots at other projector resolutions.
//! - `COUNTERPART_AUTOPLAY_WALK` = `drills`: walk the group-drill screens
//!   instead (`drill_script`): set-up, a hot seat through its debrief,
//!   scoreboard and report, a class vote with a tie, a role-play with its
//!   observer sheet and the observers' agreement; shots named `dNN-…`.
//! - `COUNTERPART_AUTOPLAY_TEXT` = the text size to walk at (e.g. `1.5`),
//!   as if the trainee had set it (the app keeps 0.8–2.0).
//! - `COUNTERPART_AUTOPLAY_WALK` = `exams`: sit
//!   the first exam under the employee number 1042 (option 1 every turn)
//!   to its result sheet; shots named `eN-…`.
//! - `COUNTERPART_AUTOPLAY_WALK` = `class`: the class overview from the
//!   start screen (O), once its background fetch and count are done, in
//!   Chinese, scrolled down, and in English; shots named `cN-…`. The LRS
//!   comes from `COUNTERPART_LRS`, `COUNTERPART_LRS_USER` and
//!   `COUNTERPART_LRS_PASSWORD` (or the settings in the records file).
//! - `COUNTERPART_AUTOPLAY_WALK` = `mistakes`: the first trainee's mistake
//!   book from History (M), grouped by item and by stage, the first
//!   mistake practised from its situation to the end and its debrief, then
//!   the same debrief again from History, and History scrolled to every
//!   attempt; shots named `mN-…`. The records
//!   file must already hold attempts with wrong answers.
//! - `COUNTERPART_AUTOPLAY_HOLD` = `library`, `encounter` or `practice-debrief`: stop driving once
//!   that screen's screenshot is saved, write `<dir>/holding` and leave the app
//!   idle until it is killed (benchmarks measure idle CPU and memory there).

use super::run::CurrentRun;
use super::screens::start::StartState;
use super::screens::{Screen, UiSet};
use super::session::Scenarios;
use super::views::title_rect_id;
use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyCode, KeyboardInput};
use bevy::input::InputSystems;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::{PrimaryWindow, RequestRedraw};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const AUTOPLAY_ENV: &str = "COUNTERPART_AUTOPLAY";
pub const TIMEOUT_ENV: &str = "COUNTERPART_AUTOPLAY_TIMEOUT";
pub const SCENARIO_ENV: &str = "COUNTERPART_AUTOPLAY_SCENARIO";
pub const HOLD_ENV: &str = "COUNTERPART_AUTOPLAY_HOLD";
pub const WALK_ENV: &str = "COUNTERPART_AUTOPLAY_WALK";
pub const TEXT_ENV: &str = "COUNTERPART_AUTOPLAY_TEXT";

/// Exit codes, documented for the smoke test and the benchmark script.
pub mod exit_code {
    pub const OK: i32 = 0;
    /// A step failed (a screenshot could not be saved, the flow went astray).
    pub const FAILED: i32 = 1;
    /// The environment is unusable (no COUNTERPART_DB, bad timeout).
    pub const CONFIG: i32 = 2;
    /// The walk did not finish in time.
    pub const TIMEOUT: i32 = 3;
}

/// Labels drawn this frame with their rects, in egui points. Screens record
/// their title through `views::screen_title`; autoplay collects it here each
/// frame (and anything else pushed by a screen) for `labels.json`.
#[derive(Resource, Default, Debug, Clone)]
pub struct LabelRects(pub Vec<(String, egui::Rect)>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    Library,
    Encounter,
    /// The author's practice debrief, for looking at its "why this score".
    PracticeDebrief,
}

/// One thing the script does; the driver finishes one step before the next.
#[derive(Debug, Clone)]
enum Step {
    /// Wait until the app is on this screen, then let it settle.
    Screen(Screen),
    /// Take screenshots until one is not blank: the first visible frame.
    FirstVisible,
    Shot(&'static str),
    Press(AutoKey),
    Type(&'static str),
    /// On the Start screen: pick the first profile or create one.
    ChooseProfile,
    /// On the library: move the selection to the requested scenario.
    SelectScenario,
    /// Press option 1 `n` times, waiting for each turn to register.
    Choose(usize),
    /// Press option 1 until the encounter has ended.
    PlayToEnd,
    /// Stop driving (COUNTERPART_AUTOPLAY_HOLD) if this is the held screen.
    MaybeHold(Hold),
    /// On the drill set-up: pick the mode, the selected scenario and type
    /// the roster, as a trainer would with the mouse.
    DrillSetup(crate::app::screens::drill::AutoSetup),
    /// Press option 1 until the drill's hot-seat encounter has ended.
    DrillPlayToEnd,
    /// In a class vote: type these counts, in the order shown.
    DrillVotes(&'static [u32]),
    /// In a role-play: mark both observers' sheets and pick the outcome.
    DrillObserve,
    /// In a class vote or the hot seat: type into the work order what a
    /// class agrees on a first listen (some fields right, some not yet).
    DrillOrder,
    /// On the library: move the selection to this scenario, up or down.
    SelectId(&'static str),
    /// In a counter encounter with notice truth: put on the notice what a
    /// clerk adds with "+" from the open guide (the model notice short of
    /// its first material, with a note), as the desk's own edits do.
    FillNotice,
    /// After the notice's debrief and P: the notice was scored (C2 at most
    /// 1 for the material left off) and the citizen's copy written.
    CheckNotice,
    /// On the class overview: wait until no fetch or count runs and an
    /// overview is on screen.
    ClassReady,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AutoKey {
    Enter,
    Escape,
    F2,
    F3,
    F5,
    Down,
    Up,
    PageDown,
    Char(char),
}

impl AutoKey {
    fn codes(self) -> (KeyCode, Key, Option<&'static str>) {
        match self {
            AutoKey::Enter => (KeyCode::Enter, Key::Enter, None),
            AutoKey::Escape => (KeyCode::Escape, Key::Escape, None),
            AutoKey::F2 => (KeyCode::F2, Key::F2, None),
            AutoKey::F3 => (KeyCode::F3, Key::F3, None),
            AutoKey::F5 => (KeyCode::F5, Key::F5, None),
            AutoKey::Down => (KeyCode::ArrowDown, Key::ArrowDown, None),
            AutoKey::Up => (KeyCode::ArrowUp, Key::ArrowUp, None),
            AutoKey::PageDown => (KeyCode::PageDown, Key::PageDown, None),
            AutoKey::Char(c) => {
                let code = match c {
                    '0' => KeyCode::Digit0,
                    '1' => KeyCode::Digit1,
                    '2' => KeyCode::Digit2,
                    '4' => KeyCode::Digit4,
                    'k' => KeyCode::KeyK,
                    'm' => KeyCode::KeyM,
                    'i' => KeyCode::KeyI,
                    'a' => KeyCode::KeyA,
                    'c' => KeyCode::KeyC,
                    'd' => KeyCode::KeyD,
                    'e' => KeyCode::KeyE,
                    'g' => KeyCode::KeyG,
                    'h' => KeyCode::KeyH,
                    'l' => KeyCode::KeyL,
                    'n' => KeyCode::KeyN,
                    'o' => KeyCode::KeyO,
                    'p' => KeyCode::KeyP,
                    'r' => KeyCode::KeyR,
                    's' => KeyCode::KeyS,
                    't' => KeyCode::KeyT,
                    'u' => KeyCode::KeyU,
                    'v' => KeyCode::KeyV,
                    'y' => KeyCode::KeyY,
                    _ => KeyCode::Unidentified(bevy::input::keyboard::NativeKeyCode::Unidentified),
                };
                let text: &'static str = match c {
                    '0' => "0",
                    '1' => "1",
                    '2' => "2",
                    '4' => "4",
                    'k' => "k",
                    'm' => "m",
                    'i' => "i",
                    'a' => "a",
                    'c' => "c",
                    'd' => "d",
                    'e' => "e",
                    'g' => "g",
                    'h' => "h",
                    'l' => "l",
                    'n' => "n",
                    'o' => "o",
                    'p' => "p",
                    'r' => "r",
                    's' => "s",
                    't' => "t",
                    'u' => "u",
                    'v' => "v",
                    'y' => "y",
                    _ => "",
                };
                (code, Key::Character(text.into()), Some(text))
            }
        }
    }
}

/// A screenshot taken, with the labels drawn in the same frame.
#[derive(Debug, Clone)]
struct ShotRecord {
    file: String,
    screen: Screen,
    pixels_per_point: f32,
    size_px: [u32; 2],
    labels: Vec<LabelRecord>,
}

#[derive(Debug, Clone)]
struct LabelRecord {
    text: String,
    rect_px: [f32; 4],
    /// One cell per character as laid out by egui with the app's fonts.
    chars: Vec<(char, [f32; 4])>,
}

/// What the driver waits for between frames.
#[derive(Debug, Clone, Default)]
enum Wait {
    #[default]
    Nothing,
    /// Frames left before the step counts as settled.
    Frames(u32),
    /// A screenshot is in flight.
    Capture,
}

#[derive(Resource)]
struct Autoplay {
    dir: PathBuf,
    steps: Vec<Step>,
    cursor: usize,
    wait: Wait,
    /// Key to release next frame (press and release are separate frames, as
    /// from a real keyboard, so `just_pressed` fires exactly once).
    release: Option<AutoKey>,
    typed: usize,
    presses: usize,
    scenario: Option<String>,
    hold: Option<Hold>,
    holding: bool,
    deadline: Instant,
    timeout: Duration,
    /// Shot requested by the driver; taken in the egui pass of the same frame.
    shot_request: Option<String>,
    /// Shot in flight: its record is completed by the capture observer.
    pending: Option<ShotRecord>,
    shots: Vec<ShotRecord>,
    failure: Option<(i32, String)>,
    done: bool,
    launched_unix: f64,
    first_visible_unix: Option<f64>,
    first_visible_probe: bool,
    frames: u64,
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// The exam walk: the first exam sat under employee number 1042 to its
/// result sheet (every drawn scenario played with option 1), then History
/// and the mistake book.
fn exam_script() -> Vec<Step> {
    use AutoKey::*;
    use Step::*;
    let mut steps = vec![
        Screen(super::screens::Screen::Start),
        FirstVisible,
        ChooseProfile,
        Screen(super::screens::Screen::Library),
        Press(Char('k')),
        Screen(super::screens::Screen::Exam),
        Type("1042"),
        Shot("e1-exam-list"),
        Press(Enter),
        Shot("e2-exam-between"),
    ];
    for n in 0..3 {
        steps.extend([Press(Enter), Screen(super::screens::Screen::Encounter)]);
        if n == 0 {
            steps.extend([Choose(1), Shot("e3-exam-scenario")]);
        }
        steps.extend([PlayToEnd, Press(Char('d')), Press(Enter), Screen(super::screens::Screen::Exam)]);
    }
    steps.extend([Shot("e4-exam-sheet"), Press(Enter)]);
    steps
}

/// The class overview walk: from the start screen, as a trainer opens it.
fn class_script() -> Vec<Step> {
    use AutoKey::*;
    use Step::*;
    vec![
        Screen(super::screens::Screen::Start),
        FirstVisible,
        Press(Char('o')),
        Screen(super::screens::Screen::Class),
        ClassReady,
        Shot("c1-class-overview"),
        Press(PageDown),
        Shot("c2-class-overview-tables"),
        Press(F2),
        ClassReady,
        Shot("c3-class-overview-en"),
        Press(F2),
        Press(Escape),
        Screen(super::screens::Screen::Start),
    ]
}

/// The mistake book walk: History, the book both ways, one mistake
/// practised from its situation and its debrief, live and from History.
fn mistakes_script() -> Vec<Step> {
    use AutoKey::*;
    use Step::*;
    vec![
        Screen(super::screens::Screen::Start),
        FirstVisible,
        ChooseProfile,
        Screen(super::screens::Screen::Library),
        Press(Char('h')),
        Screen(super::screens::Screen::History),
        Press(Char('m')),
        Screen(super::screens::Screen::Mistakes),
        Shot("m1-mistakes-by-item"),
        Press(Char('s')),
        Shot("m2-mistakes-by-stage"),
        Press(Char('i')),
        Press(Char('1')),
        Screen(super::screens::Screen::Encounter),
        Shot("m3-practise-from-here"),
        PlayToEnd,
        Press(Char('d')),
        Press(Enter),
        Screen(super::screens::Screen::Debrief),
        Shot("m4-targeted-debrief"),
        Press(Escape),
        Screen(super::screens::Screen::Library),
        Press(Char('h')),
        Screen(super::screens::Screen::History),
        Shot("m5-history-after"),
        // Scrolled to the table of every attempt.
        Press(PageDown),
        Shot("m6-history-attempts"),
    ]
}

fn script(hold: Option<Hold>) -> Vec<Step> {
    use AutoKey::*;
    use Step::*;
    let mut steps = vec![
        Screen(super::screens::Screen::Start),
        FirstVisible,
        Shot("01-start"),
        ChooseProfile,
        Screen(super::screens::Screen::Library),
        Shot("02-library"),
        MaybeHold(Hold::Library),
        SelectScenario,
        Press(Enter),
        Screen(super::screens::Screen::Encounter),
        Shot("03-encounter"),
        MaybeHold(Hold::Encounter),
        Choose(2),
        Shot("04-encounter-later"),
        PlayToEnd,
        Shot("05-disc-guess"),
        Press(Char('d')),
        Press(Enter),
        Screen(super::screens::Screen::Debrief),
        Shot("06-debrief"),
        // A second attempt at the same scenario: a new seed, so the same
        // opening turn shows its options in another order.
        Press(Char('r')),
        Screen(super::screens::Screen::Encounter),
        Shot("06b-encounter-second-attempt"),
        PlayToEnd,
        Press(Char('s')),
        Press(Enter),
        Screen(super::screens::Screen::Debrief),
        Press(Escape),
        Screen(super::screens::Screen::Library),
        Press(Char('h')),
        Screen(super::screens::Screen::History),
        Shot("07-history"),
        Press(Escape),
        Screen(super::screens::Screen::Library),
        Press(F2),
        Shot("08-library-en"),
        Press(F2),
        // The author view of the selected scenario, then a practice run from
        // its start turn with the inspector open.
        Press(Char('a')),
        Screen(super::screens::Screen::Author),
        Shot("09-author"),
        Press(Char('v')),
        Shot("09b-author-validity"),
        Press(Char('v')),
        Press(Char('p')),
        Screen(super::screens::Screen::Encounter),
        Press(F3),
        Shot("10-practice-inspector"),
        Press(F3),
        // Finished, the practice debrief says so and leads back to the author view.
        PlayToEnd,
        Press(Char('c')),
        Press(Enter),
        Screen(super::screens::Screen::Debrief),
        Shot("11-practice-debrief"),
        MaybeHold(Hold::PracticeDebrief),
        Press(Escape),
        Screen(super::screens::Screen::Author),
        Press(Escape),
        Screen(super::screens::Screen::Library),
        // A hot-seat drill: one member's slot played through to their
        // debrief (scores only, then the replay), the scoreboard, and the
        // second member skipped (asked first).
        Press(Char('g')),
        Screen(super::screens::Screen::Drill),
        DrillSetup(crate::app::screens::drill::AutoSetup::HotSeat),
        Shot("11c-drill-setup"),
        Press(F5),
        Shot("12-drill-ready"),
        Press(Enter),
        Shot("13-drill-hot-seat"),
        DrillPlayToEnd,
        Press(Char('d')),
        Press(Enter),
        Shot("14-drill-debrief"),
        Press(Char('v')),
        Shot("15-drill-debrief-replay"),
        Press(Enter),
        Shot("16-drill-scoreboard"),
        Press(Char('s')),
        Shot("17-drill-confirm-skip"),
        Press(Char('y')),
        Press(Escape),
        Screen(super::screens::Screen::Library),
        // A role-play drill's observer sheet, then leaving it mid-slot (asked first).
        Press(Char('g')),
        Screen(super::screens::Screen::Drill),
        DrillSetup(crate::app::screens::drill::AutoSetup::RolePlay),
        Press(F5),
        Press(Enter),
        Shot("18-drill-observer-sheet"),
        Press(Escape),
        Press(Char('y')),
        Screen(super::screens::Screen::Library),
        // The role-play left mid-slot is offered for resuming in the library.
        Shot("18b-library-unfinished-drill"),
        // A counter encounter with notice truth: the notice assembled on the
        // desk beside the conversation, handed over on the DISC guess, its
        // line-by-line debrief and the citizen's copy printed (P).
        SelectId("counter-business-licence"),
        Press(Enter),
        Screen(super::screens::Screen::Encounter),
        FillNotice,
        Shot("19-counter-notice"),
        PlayToEnd,
        Press(Char('c')),
        Press(Enter),
        Screen(super::screens::Screen::Debrief),
        Press(Char('p')),
        Shot("20-counter-notice-debrief"),
        CheckNotice,
        Press(Escape),
        Screen(super::screens::Screen::Library),
    ];
    if hold.is_none() {
        steps.retain(|s| !matches!(s, MaybeHold(_)));
    }
    steps
}

/// The group-drill walk (`COUNTERPART_AUTOPLAY_WALK=drills`): every drill
/// screen a class sees, for checking layouts at each projector size and
/// text size and for the drill screenshots.
fn drill_script() -> Vec<Step> {
    use AutoKey::*;
    use Step::*;
    use crate::app::screens::drill::AutoSetup;
    vec![
        Screen(super::screens::Screen::Start),
        FirstVisible,
        ChooseProfile,
        Screen(super::screens::Screen::Library),
        // A hotline scenario, so the hot seat shows the call clock and countdown.
        SelectId("hotline-heating-outage"),
        Press(Char('g')),
        Screen(super::screens::Screen::Drill),
        DrillSetup(AutoSetup::HotSeat),
        Shot("d01-setup"),
        Press(F5),
        Shot("d02-ready"),
        Press(Enter),
        Shot("d03-hot-seat"),
        Press(Char('1')),
        Press(Char('1')),
        Shot("d04-hot-seat-later"),
        DrillPlayToEnd,
        Shot("d05-disc-guess"),
        Press(Char('d')),
        Press(Enter),
        Shot("d06-debrief"),
        Press(Char('v')),
        Shot("d07-debrief-replay"),
        Press(Enter),
        Shot("d08-scoreboard"),
        Press(Char('s')),
        Shot("d09-confirm-skip"),
        Press(Char('y')),
        Press(Char('e')),
        Shot("d10-report"),
        Press(Escape),
        Screen(super::screens::Screen::Library),
        // A class vote: counts typed, a tie and its break, then majorities
        // to the end and the class's debrief.
        Press(Char('g')),
        Screen(super::screens::Screen::Drill),
        DrillSetup(AutoSetup::ClassVote),
        Press(F5),
        Press(Enter),
        DrillVotes(&[2, 1, 1]),
        // The class's one work order beside the vote, typed as agreed.
        DrillOrder,
        Shot("d11-class-vote"),
        DrillVotes(&[2, 2, 0]),
        Press(F5),
        Shot("d12-class-vote-tie"),
        Press(Char('1')),
        DrillPlayToEnd,
        Shot("d13-class-vote-debrief"),
        // Enter hands the class's order in, then shows it compared.
        Press(Enter),
        Shot("d14-class-vote-order"),
        Press(Enter),
        Shot("d14b-class-vote-done"),
        Press(Escape),
        Screen(super::screens::Screen::Library),
        // A role-play: the projected view, the cue card shown to the
        // trainer, the observers' sheets marked, then their agreement.
        Press(Char('g')),
        Screen(super::screens::Screen::Drill),
        DrillSetup(AutoSetup::RolePlay),
        Press(F5),
        Press(Enter),
        Shot("d15-role-play"),
        Press(Char('t')),
        Shot("d16-role-play-cue-card"),
        Press(Char('t')),
        DrillObserve,
        Shot("d17-observer-sheet"),
        Press(F5),
        Shot("d18-role-play-agreement"),
        Press(Escape),
        Screen(super::screens::Screen::Library),
    ]
}

pub(super) fn plugin(app: &mut App) {
    let Some(dir) = std::env::var_os(AUTOPLAY_ENV).filter(|d| !d.is_empty()) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let fail = |message: String| -> ! {
        eprintln!("autoplay: {message}");
        std::process::exit(exit_code::CONFIG);
    };
    if std::env::var_os("COUNTERPART_DB").is_none_or(|v| v.is_empty()) {
        fail(format!(
            "{AUTOPLAY_ENV} needs COUNTERPART_DB set to a throw-away database (autoplay creates a profile and an attempt)"
        ));
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        fail(format!("cannot create {}: {e}", dir.display()));
    }
    let timeout = match std::env::var(TIMEOUT_ENV) {
        Ok(s) => match s.parse::<f64>() {
            Ok(secs) if secs > 0.0 && secs.is_finite() => Duration::from_secs_f64(secs),
            _ => fail(format!("{TIMEOUT_ENV}={s:?} is not a positive number of seconds")),
        },
        Err(_) => Duration::from_secs(120),
    };
    let hold = match std::env::var(HOLD_ENV).as_deref() {
        Err(_) | Ok("") => None,
        Ok("library") => Some(Hold::Library),
        Ok("encounter") => Some(Hold::Encounter),
        Ok("practice-debrief") => Some(Hold::PracticeDebrief),
        Ok(other) => fail(format!("{HOLD_ENV}={other:?}: expected library, encounter or practice-debrief")),
    };
    let steps = match std::env::var(WALK_ENV).as_deref() {
        Err(_) | Ok("") => script(hold),
        Ok("drills") => drill_script(),
        Ok("exams") => exam_script(),
        Ok("class") => class_script(),
        Ok("mistakes") => mistakes_script(),
        Ok(other) => fail(format!("{WALK_ENV}={other:?}: expected drills, exams, class or mistakes")),
    };
    if let Ok(text) = std::env::var(TEXT_ENV) {
        let scale = match text.parse::<f32>() {
            Ok(s) if (super::settings::TEXT_SCALE_MIN..=super::settings::TEXT_SCALE_MAX).contains(&s) => s,
            _ => fail(format!(
                "{TEXT_ENV}={text:?}: expected a text size from {} to {}",
                super::settings::TEXT_SCALE_MIN,
                super::settings::TEXT_SCALE_MAX
            )),
        };
        app.add_systems(Startup, move |mut settings: ResMut<super::settings::Settings>| settings.text_scale = scale);
    }
    let _ = std::fs::remove_file(dir.join("holding"));
    // The frame loop cannot time out a frame that never comes (a stuck GPU,
    // a window that is never mapped), so a watchdog thread backs it up.
    let watchdog = timeout + Duration::from_secs(15);
    std::thread::spawn(move || {
        std::thread::sleep(watchdog);
        if !HOLDING.load(std::sync::atomic::Ordering::SeqCst) {
            eprintln!(
                "autoplay: no progress for {:.0} s (frames stopped coming); giving up",
                watchdog.as_secs_f64()
            );
            std::process::exit(exit_code::TIMEOUT);
        }
    });
    app.insert_resource(Autoplay {
        dir,
        steps,
        cursor: 0,
        wait: Wait::Nothing,
        release: None,
        typed: 0,
        presses: 0,
        scenario: std::env::var(SCENARIO_ENV).ok().filter(|s| !s.is_empty()),
        hold,
        holding: false,
        deadline: Instant::now() + timeout,
        timeout,
        shot_request: None,
        pending: None,
        shots: Vec::new(),
        failure: None,
        done: false,
        launched_unix: unix_now(),
        first_visible_unix: None,
        first_visible_probe: false,
        frames: 0,
    });
    app.init_resource::<LabelRects>();
    if let Ok(size) = std::env::var("COUNTERPART_AUTOPLAY_WINDOW") {
        let parsed = size.split_once('x').and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)));
        let Some((w, h)) = parsed.filter(|(w, h)| *w > 0 && *h > 0) else {
            fail(format!("COUNTERPART_AUTOPLAY_WINDOW={size:?}: expected <width>x<height>, e.g. 1920x1080"));
        };
        app.add_systems(Startup, move |mut windows: Query<&mut Window, With<PrimaryWindow>>| {
            for mut window in &mut windows {
                window.resolution.set_physical_resolution(w, h);
            }
        });
    }
    app.add_systems(PreUpdate, drive.before(InputSystems));
    app.add_systems(
        EguiPrimaryContextPass,
        (
            forget_labels.before(UiSet::Global),
            (collect_labels, take_requested_shot).chain().after(UiSet::Screen),
        ),
    );
    app.add_systems(Last, finish);
}

static HOLDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn write_key(
    writer: &mut MessageWriter<KeyboardInput>,
    window: Entity,
    key: AutoKey,
    state: ButtonState,
) {
    let (key_code, logical_key, text) = key.codes();
    writer.write(KeyboardInput {
        key_code,
        logical_key,
        state,
        text: text.filter(|_| state == ButtonState::Pressed).map(Into::into),
        repeat: false,
        window,
    });
}

#[allow(clippy::too_many_arguments)]
fn drive(
    mut auto: ResMut<Autoplay>,
    screen: Option<Res<State<Screen>>>,
    start: Option<Res<StartState>>,
    scenarios: Option<Res<Scenarios>>,
    mut current_run: Option<ResMut<CurrentRun>>,
    mut drill: Option<ResMut<crate::app::screens::drill::DrillScreen>>,
    records: Option<Res<super::settings::Records>>,
    class: Option<Res<crate::app::screens::class::ClassState>>,
    time: Res<Time<Real>>,
    window: Query<Entity, With<PrimaryWindow>>,
    mut keys: MessageWriter<KeyboardInput>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let auto = &mut *auto;
    if auto.done || auto.holding {
        return;
    }
    auto.frames += 1;
    // desktop_app() would sleep until real input; autoplay is the input.
    redraw.write(RequestRedraw);
    if Instant::now() > auto.deadline {
        let step = auto.steps.get(auto.cursor).map(|s| format!("{s:?}")).unwrap_or_default();
        let on = screen.as_ref().map(|s| format!("{:?}", s.get())).unwrap_or_default();
        auto.fail(
            exit_code::TIMEOUT,
            format!(
                "timed out after {:.0} s at step {} ({step}) on screen {on}",
                auto.timeout.as_secs_f64(),
                auto.cursor + 1
            ),
        );
        return;
    }
    let Ok(window) = window.single() else { return };
    if let Some(key) = auto.release.take() {
        write_key(&mut keys, window, key, ButtonState::Released);
        auto.wait = Wait::Frames(3);
        return;
    }
    match auto.wait {
        Wait::Capture => return,
        Wait::Frames(0) => auto.wait = Wait::Nothing,
        Wait::Frames(n) => {
            auto.wait = Wait::Frames(n - 1);
            return;
        }
        Wait::Nothing => {}
    }
    let Some(step) = auto.steps.get(auto.cursor).cloned() else {
        auto.done = true;
        return;
    };
    let current = screen.as_ref().map(|s| *s.get());
    let press = |auto: &mut Autoplay, keys: &mut MessageWriter<KeyboardInput>, key: AutoKey| {
        write_key(keys, window, key, ButtonState::Pressed);
        auto.release = Some(key);
    };
    match step {
        Step::Screen(want) => {
            if current == Some(want) {
                // egui sizes some widgets in the frame after they first appear.
                auto.wait = Wait::Frames(6);
                auto.cursor += 1;
            }
        }
        Step::FirstVisible => {
            if auto.first_visible_unix.is_some() {
                auto.cursor += 1;
            } else {
                auto.first_visible_probe = true;
                auto.shot_request = Some(String::new());
                auto.wait = Wait::Capture;
            }
        }
        Step::Shot(name) => {
            auto.first_visible_probe = false;
            auto.shot_request = Some(name.to_string());
            auto.wait = Wait::Capture;
            auto.cursor += 1;
        }
        Step::Press(key) => {
            press(auto, &mut keys, key);
            auto.cursor += 1;
        }
        Step::Type(text) => match text.chars().nth(auto.typed) {
            Some(c) => {
                press(auto, &mut keys, AutoKey::Char(c));
                auto.typed += 1;
            }
            None => {
                auto.typed = 0;
                auto.cursor += 1;
            }
        },
        Step::ChooseProfile => {
            let has_profiles = start.as_ref().is_some_and(|s| !s.profiles.is_empty());
            // Replace this step with the keys for it.
            let keys_for: Vec<Step> = if has_profiles {
                vec![Step::Press(AutoKey::Enter)]
            } else {
                vec![Step::Press(AutoKey::Char('n')), Step::Type("autoplay"), Step::Press(AutoKey::Enter)]
            };
            let at = auto.cursor;
            auto.steps.splice(at..=at, keys_for);
        }
        Step::SelectScenario => {
            let Some(want) = auto.scenario.clone() else {
                auto.cursor += 1;
                return;
            };
            let Some(scenarios) = scenarios.as_ref() else { return };
            let selected_id = scenarios.selected_file().and_then(|f| f.script()).map(|s| s.scenario.id.clone());
            if selected_id.as_deref() == Some(want.as_str()) {
                auto.presses = 0;
                auto.cursor += 1;
            } else if auto.presses > scenarios.files().len() {
                auto.fail(exit_code::FAILED, format!("scenario {want:?} is not in the library"));
            } else {
                auto.presses += 1;
                press(auto, &mut keys, AutoKey::Down);
            }
        }
        Step::Choose(n) => {
            if auto.presses == n {
                auto.presses = 0;
                auto.cursor += 1;
            } else if encounter_ended(current_run.as_deref()) {
                // A short script may end before n choices; nothing more to choose.
                auto.presses = 0;
                auto.cursor += 1;
            } else {
                auto.presses += 1;
                press(auto, &mut keys, AutoKey::Char('1'));
            }
        }
        Step::PlayToEnd => {
            if encounter_ended(current_run.as_deref()) {
                auto.presses = 0;
                auto.cursor += 1;
                auto.wait = Wait::Frames(6);
            } else if current != Some(Screen::Encounter) {
                auto.fail(exit_code::FAILED, format!("left the encounter unexpectedly (now on {current:?})"));
            } else if auto.presses > 200 {
                auto.fail(exit_code::FAILED, "the encounter did not end after 200 choices".into());
            } else {
                auto.presses += 1;
                press(auto, &mut keys, AutoKey::Char('1'));
            }
        }
        Step::SelectId(want) => {
            let Some(scenarios) = scenarios.as_ref() else { return };
            let index = scenarios.files().iter().position(|f| f.script().is_some_and(|s| s.scenario.id == want));
            let Some(index) = index else {
                auto.fail(exit_code::FAILED, format!("scenario {want:?} is not in the library"));
                return;
            };
            let selected = scenarios.selected_index();
            if selected == index {
                auto.presses = 0;
                auto.cursor += 1;
                auto.wait = Wait::Frames(3);
            } else if auto.presses > 2 * scenarios.files().len() {
                auto.fail(exit_code::FAILED, format!("could not move the selection to {want:?}"));
            } else {
                auto.presses += 1;
                press(auto, &mut keys, if selected < index { AutoKey::Down } else { AutoKey::Up });
            }
        }
        Step::FillNotice => {
            let Some(run) = current_run.as_mut().and_then(|c| c.0.as_mut()) else { return };
            let Some(truth) = run.encounter.scenario().notice.clone() else {
                auto.fail(exit_code::FAILED, "the counter scenario has no notice truth".into());
                return;
            };
            use crate::app::views::notice::{NoticeEdit, Part, apply_edit};
            let model = counterpart_core::notice::complete_notice(&truth, &run.at_hand.base);
            let mut edits: Vec<NoticeEdit> = model.materials.iter().skip(1).map(|p| NoticeEdit::Add { part: Part::Materials, pick: p.clone() }).collect();
            edits.extend(model.steps.iter().map(|p| NoticeEdit::Add { part: Part::Steps, pick: p.clone() }));
            edits.extend(model.follow_on.iter().map(|id| NoticeEdit::AddFollowOn(id.clone())));
            for edit in &edits {
                apply_edit(&mut run.desk.notice, edit, "");
            }
            apply_edit(&mut run.desk.notice, &NoticeEdit::Note, "材料都要带原件；健康证每人一份。");
            run.desk.open = truth.entries.first().cloned();
            run.desk.tab = crate::app::views::workorder::DeskTab::Notice;
            auto.cursor += 1;
            auto.wait = Wait::Frames(4);
        }
        Step::CheckNotice => {
            let Some(run) = current_run.as_ref().and_then(|c| c.0.as_ref()) else { return };
            let capped = run.desk.notice_report.as_ref().and_then(|r| r.cap(counterpart_core::scenario::model::Item::C2));
            if capped != Some(1) {
                auto.fail(exit_code::FAILED, format!("the notice short of a material should cap C2 at 1, got {capped:?}"));
                return;
            }
            match &run.desk.printed {
                Some(Ok(path)) => match std::fs::read_to_string(path) {
                    Ok(html) if html.contains("一次性告知单") && html.contains("材料都要带原件") => {
                        eprintln!("autoplay: the citizen's copy is at {}", path.display());
                        auto.cursor += 1;
                    }
                    Ok(_) => auto.fail(exit_code::FAILED, format!("{} is not the notice handed over", path.display())),
                    Err(e) => auto.fail(exit_code::FAILED, format!("{}: {e}", path.display())),
                },
                Some(Err(e)) => auto.fail(exit_code::FAILED, format!("printing the notice failed: {}", e.en)),
                // P pressed, the frame that prints may not have run yet.
                None => {}
            }
        }
        Step::DrillSetup(setup) => {
            let Some(drill) = drill.as_mut() else { return };
            let Some(scenarios) = scenarios.as_ref() else { return };
            let id = scenarios.selected_file().and_then(|f| f.script()).map(|s| s.scenario.id.clone());
            match id {
                Some(id) if drill.autoplay_setup(setup, &id) => {
                    auto.cursor += 1;
                    auto.wait = Wait::Frames(3);
                }
                _ => {}
            }
        }
        Step::DrillPlayToEnd => {
            let Some(drill) = drill.as_ref() else { return };
            if drill.encounter_ended() {
                auto.presses = 0;
                auto.cursor += 1;
                auto.wait = Wait::Frames(6);
            } else if current != Some(Screen::Drill) {
                auto.fail(exit_code::FAILED, format!("left the drill unexpectedly (now on {current:?})"));
            } else if auto.presses > 200 {
                auto.fail(exit_code::FAILED, "the drill's encounter did not end after 200 choices".into());
            } else {
                auto.presses += 1;
                press(auto, &mut keys, AutoKey::Char('1'));
            }
        }
        Step::DrillVotes(counts) => {
            let Some(drill) = drill.as_mut() else { return };
            if drill.autoplay_votes(counts) {
                auto.cursor += 1;
                auto.wait = Wait::Frames(3);
            }
        }
        Step::DrillObserve => {
            let (Some(drill), Some(store)) = (drill.as_mut(), records.as_ref().and_then(|r| r.store())) else { return };
            match drill.autoplay_observe(store, super::run::now_secs(&time)) {
                Ok(true) => {
                    auto.cursor += 1;
                    auto.wait = Wait::Frames(3);
                }
                Ok(false) => {}
                Err(e) => auto.fail(exit_code::FAILED, format!("marking the observer sheets failed: {e}")),
            }
        }
        Step::DrillOrder => {
            let (Some(drill), Some(store)) = (drill.as_mut(), records.as_ref().and_then(|r| r.store())) else { return };
            match drill.autoplay_order(store, super::run::now_secs(&time)) {
                Ok(true) => {
                    auto.cursor += 1;
                    auto.wait = Wait::Frames(3);
                }
                Ok(false) => {}
                Err(e) => auto.fail(exit_code::FAILED, format!("typing the work order failed: {e}")),
            }
        }
        Step::ClassReady => {
            if class.as_ref().is_some_and(|c| c.busy().is_none() && c.overview.is_some()) {
                auto.cursor += 1;
                auto.wait = Wait::Frames(6);
            }
        }
        Step::MaybeHold(h) => {
            auto.cursor += 1;
            if auto.hold == Some(h) {
                auto.write_labels();
                if let Err(e) = std::fs::write(auto.dir.join("holding"), format!("{h:?}\n")) {
                    auto.fail(exit_code::FAILED, format!("cannot write the holding marker: {e}"));
                    return;
                }
                HOLDING.store(true, std::sync::atomic::Ordering::SeqCst);
                auto.holding = true;
                info!("autoplay: holding on {h:?}; the app is idle until killed");
            }
        }
    }
}

fn encounter_ended(current: Option<&CurrentRun>) -> bool {
    current.and_then(|c| c.0.as_ref()).is_some_and(|r| r.encounter.ending().is_some())
}

fn forget_labels(mut contexts: EguiContexts, mut labels: ResMut<LabelRects>) -> Result {
    labels.0.clear();
    contexts.ctx_mut()?.data_mut(|d| d.remove::<(String, egui::Rect)>(title_rect_id()));
    Ok(())
}

fn collect_labels(mut contexts: EguiContexts, mut labels: ResMut<LabelRects>) -> Result {
    let ctx = contexts.ctx_mut()?;
    if let Some(title) = ctx.data(|d| d.get_temp::<(String, egui::Rect)>(title_rect_id())) {
        labels.0.insert(0, title);
    }
    Ok(())
}

/// Lays `text` out as the title is drawn (egui's heading style) and returns a
/// cell per character, in physical pixels, placed in `rect`.
fn char_cells(ctx: &egui::Context, text: &str, rect: egui::Rect, ppp: f32) -> Vec<(char, [f32; 4])> {
    let font_id = egui::TextStyle::Heading.resolve(&ctx.global_style());
    let galley = ctx.fonts_mut(|f| f.layout_no_wrap(text.to_owned(), font_id, egui::Color32::WHITE));
    // Labels are placed by their left edge, or centred when narrower than the rect.
    let x0 = rect.min.x + ((rect.width() - galley.size().x) / 2.0).max(0.0) * f32::from(rect.width() > galley.size().x + 1.0);
    let mut cells = Vec::new();
    for row in &galley.rows {
        for g in &row.row.glyphs {
            let x = x0 + row.pos.x + g.pos.x;
            let y = rect.min.y + row.pos.y;
            cells.push((g.chr, [x * ppp, y * ppp, (x + g.advance_width) * ppp, (y + row.row.size.y) * ppp]));
        }
    }
    cells
}

fn take_requested_shot(
    mut commands: Commands,
    mut contexts: EguiContexts,
    mut auto: ResMut<Autoplay>,
    labels: Res<LabelRects>,
    screen: Res<State<Screen>>,
    window: Query<&Window, With<PrimaryWindow>>,
) -> Result {
    let Some(name) = auto.shot_request.take() else { return Ok(()) };
    let ctx = contexts.ctx_mut()?;
    let ppp = ctx.pixels_per_point();
    let size = window.single().map_or([0, 0], |w| [w.physical_width(), w.physical_height()]);
    let labels = labels
        .0
        .iter()
        .map(|(text, rect)| LabelRecord {
            text: text.clone(),
            rect_px: [rect.min.x * ppp, rect.min.y * ppp, rect.max.x * ppp, rect.max.y * ppp],
            chars: char_cells(ctx, text, *rect, ppp),
        })
        .collect();
    let probe = name.is_empty();
    let file = if probe { String::new() } else { format!("{name}.png") };
    auto.pending = Some(ShotRecord { file: file.clone(), screen: *screen.get(), pixels_per_point: ppp, size_px: size, labels });
    let path = auto.dir.join(&file);
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut auto: ResMut<Autoplay>| {
            auto.captured(&captured.image, &path, probe);
        },
    );
    Ok(())
}

impl Autoplay {
    fn fail(&mut self, code: i32, message: String) {
        if self.failure.is_none() {
            self.failure = Some((code, message));
        }
        self.done = true;
    }

    fn captured(&mut self, image: &Image, path: &Path, probe: bool) {
        self.wait = Wait::Frames(1);
        let Some(mut record) = self.pending.take() else { return };
        let rgb = match image.clone().try_into_dynamic() {
            Ok(img) => img.to_rgb8(),
            Err(e) => {
                self.fail(exit_code::FAILED, format!("screenshot in an unreadable format: {e}"));
                return;
            }
        };
        if probe {
            if !is_blank(rgb.as_raw()) {
                self.first_visible_unix = Some(unix_now());
                info!(
                    "autoplay: first visible frame {:.3} s after the plugin was built (frame {})",
                    self.first_visible_unix.unwrap_or_default() - self.launched_unix,
                    self.frames
                );
            }
            return;
        }
        record.size_px = [rgb.width(), rgb.height()];
        if let Err(e) = rgb.save(path) {
            self.fail(exit_code::FAILED, format!("cannot save {}: {e}", path.display()));
            return;
        }
        info!("autoplay: saved {}", path.display());
        self.shots.push(record);
    }

    fn write_labels(&mut self) {
        let shots: Vec<_> = self
            .shots
            .iter()
            .map(|s| {
                json!({
                    "file": s.file,
                    "screen": format!("{:?}", s.screen),
                    "pixels_per_point": s.pixels_per_point,
                    "size_px": s.size_px,
                    "labels": s.labels.iter().map(|l| json!({
                        "text": l.text,
                        "rect_px": l.rect_px,
                        "chars": l.chars.iter().map(|(c, r)| json!({"char": c.to_string(), "rect_px": r})).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let doc = json!({
            "shots": shots,
            "timings": {
                "plugin_built_unix": self.launched_unix,
                "first_visible_unix": self.first_visible_unix,
            },
            "failure": self.failure.as_ref().map(|(code, m)| json!({"code": code, "message": m})),
        });
        let path = self.dir.join("labels.json");
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("autoplay: cannot write {}: {e}", path.display());
            if self.failure.is_none() {
                self.failure = Some((exit_code::FAILED, format!("cannot write {}", path.display())));
            }
        }
    }
}

/// A frame that is one flat colour (nothing drawn yet) or nearly so.
pub fn is_blank(rgb: &[u8]) -> bool {
    let n = (rgb.len() / 3).max(1) as f64;
    let mut sum = 0.0;
    let mut sum_sq = 0.0;
    for px in rgb.chunks_exact(3) {
        let l = 0.299 * f64::from(px[0]) + 0.587 * f64::from(px[1]) + 0.114 * f64::from(px[2]);
        sum += l;
        sum_sq += l * l;
    }
    let mean = sum / n;
    (sum_sq / n - mean * mean) < 4.0
}

/// Writes labels.json and ends the process with the walk's exit code once the
/// script is done or failed. `process::exit` rather than `AppExit` because
/// `app::run` does not pass the app's exit code on, and the test needs it.
fn finish(mut auto: ResMut<Autoplay>) {
    if !auto.done {
        return;
    }
    auto.write_labels();
    match &auto.failure {
        Some((code, message)) => {
            eprintln!("autoplay: FAILED: {message}");
            std::process::exit(*code);
        }
        None => {
            eprintln!("autoplay: done, {} screenshots in {}", auto.shots.len(), auto.dir.display());
            std::process::exit(exit_code::OK);
        }
    }
}
