//! The class overview screen (班级概览), for trainers, from History or the
//! start screen (O): the centre's statements read back from its LRS into
//! the records file's cache and the overview computed from that cache.
//!
//! Nothing here blocks a frame: every fetch and every recount runs on a
//! thread of its own with its own connection to the records file, and the
//! result is polled each frame (the thread wakes the sleeping event loop
//! when it is done). Offline, the cache is shown with the time of the last
//! fetch.
//!
//! The LRS address and account are remembered in the records file's
//! settings; the first time they come from `COUNTERPART_LRS` /
//! `COUNTERPART_LRS_USER`, else the address this PC last sent its records
//! to. The password is never written down: `COUNTERPART_LRS_PASSWORD`, as
//! for sending, or typed, kept for the app's session only.

use super::{Screen, UiSet, back_on};
use crate::app::session::Scenarios;
use crate::app::settings::{Records, Settings, export_root};
use crate::app::views::class::{
    Busy, ClassAction, ClassVm, DimensionVm, ExamVm, Freshness, MistakeVm, OverviewVm, PersonaVm, ScenarioVm, TraineeVm, WeekVm, class_view,
};
use crate::app::views::tr;
use bevy::prelude::*;
use bevy::window::RequestRedraw;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use counterpart_core::library::Library;
use counterpart_core::records::class::{CacheState, ClassError, ClassFilter, FetchRun, Overview, overview_from_cache, refresh, workbook};
use counterpart_core::records::store::{Store, utc_stamp};
use counterpart_core::records::when::Zone;
use counterpart_core::records::xapi::{Lrs, StatementQuery};
use counterpart_core::scenario::model::{Lang, Message, RedFlag, Text};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

pub const URL_ENV: &str = "COUNTERPART_LRS";
pub const USER_ENV: &str = "COUNTERPART_LRS_USER";
pub const PASSWORD_ENV: &str = "COUNTERPART_LRS_PASSWORD";
const URL_SETTING: &str = "class.lrs_url";
const USER_SETTING: &str = "class.lrs_user";

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ClassState>();
    app.init_resource::<LrsLogin>();
    app.add_systems(OnEnter(Screen::Class), enter);
    // The screen's own state goes when it is left; where Back leads stays,
    // set by the screen that opens it next time.
    app.add_systems(OnExit(Screen::Class), |mut state: ResMut<ClassState>| {
        *state = ClassState { return_to: state.return_to, ..ClassState::default() }
    });
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(Update, poll.run_if(in_state(Screen::Class)));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Class)));
}

/// The LRS to read, for the app's session: the password stays in memory.
#[derive(Resource, Default, Debug, Clone)]
pub struct LrsLogin {
    pub url: String,
    pub user: String,
    pub password: String,
    /// Read once from the settings and the environment.
    loaded: bool,
}

/// What a background job brings back.
#[derive(Debug)]
pub struct JobDone {
    /// `None` when the job only recounted the cache.
    pub fetch: Option<Result<FetchRun, Text>>,
    pub cache: Option<CacheState>,
    pub overview: Result<Overview, Text>,
    pub scenarios: Vec<String>,
}

/// A background job in flight. A Mutex only because a resource must be `Sync`.
struct Job {
    done: Mutex<Receiver<JobDone>>,
    fetching: bool,
}

/// The screen's own state, reset when it is left.
#[derive(Resource, Default)]
pub struct ClassState {
    /// Where Back leads: History or Start.
    pub return_to: Screen,
    pub since: String,
    pub until: String,
    pub scenario: Option<String>,
    /// The filter of the overview on show (or being counted).
    pub applied: ClassFilter,
    pub filter_error: Option<String>,
    pub overview: Option<Overview>,
    pub cache: Option<CacheState>,
    /// Where the data on show comes from; an `Offline` problem's words are
    /// in `problem`, in both languages.
    pub freshness: Freshness,
    pub problem: Option<Text>,
    pub scenarios: Vec<String>,
    pub export_status: Option<Result<String, String>>,
    /// The statements address the data on show belongs to.
    shown_for: String,
    job: Option<Job>,
    /// Asked for while a job ran: a fetch (true) or a recount.
    queued: Option<bool>,
}

impl ClassState {
    pub fn busy(&self) -> Option<Busy> {
        self.job.as_ref().map(|j| if j.fetching { Busy::Fetching } else { Busy::Computing })
    }
}

fn back(mut messages: MessageReader<super::Back>, current: Res<State<Screen>>, state: Res<ClassState>, mut next: ResMut<NextState<Screen>>) {
    if back_on(Screen::Class, &mut messages, &current) {
        next.set(state.return_to);
    }
}

/// The statements address the cache is kept under for `url`.
pub fn endpoint_of(url: &str) -> String {
    Lrs::new(url.trim(), "", "").statements_url().to_string()
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn load_login(login: &mut LrsLogin, store: &Store) {
    if login.loaded {
        return;
    }
    login.loaded = true;
    let saved = |key: &str| store.setting(key).ok().flatten().filter(|v| !v.is_empty());
    login.url = saved(URL_SETTING).or_else(|| env(URL_ENV)).or_else(|| store.last_sent_endpoint().ok().flatten()).unwrap_or_default();
    login.user = saved(USER_SETTING).or_else(|| env(USER_ENV)).unwrap_or_default();
}

fn enter(mut state: ResMut<ClassState>, mut login: ResMut<LrsLogin>, records: Res<Records>, zone: Res<crate::app::session::LocalZone>, proxy: Option<Res<EventLoopProxyWrapper>>) {
    // Days typed, weeks charted and times shown are this PC's.
    state.applied.zone = zone.0.clone();
    let Some(store) = records.store() else { return };
    load_login(&mut login, store);
    let password_known = !login.password.is_empty() || env(PASSWORD_ENV).is_some();
    let ready = !login.url.trim().is_empty() && !login.user.trim().is_empty() && password_known;
    // Opening the screen fetches what is new when it can; otherwise (or
    // while that runs) the cache is what there is.
    start(&mut state, store, &login, ready, proxy.as_deref());
}

/// Starts a job (a fetch then a recount, or a recount alone), or queues it
/// behind the one in flight.
fn start(state: &mut ClassState, store: &Store, login: &LrsLogin, fetch: bool, proxy: Option<&EventLoopProxyWrapper>) {
    if state.job.is_some() {
        state.queued = Some(state.queued.unwrap_or(false) || fetch);
        return;
    }
    let path = store.path().to_path_buf();
    let url = login.url.trim().to_string();
    let endpoint = endpoint_of(&url);
    if endpoint != state.shown_for {
        // Another LRS: what is on show belongs to the old one.
        state.shown_for = endpoint;
        state.overview = None;
        state.cache = None;
        state.freshness = Freshness::NeverFetched;
    }
    let lrs = fetch.then(|| {
        let password = if login.password.is_empty() { env(PASSWORD_ENV).unwrap_or_default() } else { login.password.clone() };
        let mut lrs = Lrs::new(&url, login.user.trim(), &password);
        // A page of a centre's year from Ralph's file backend took up to
        // 13 s on the benchmark machine (BENCHMARKS.md): reading is safe to
        // wait for, and a page cut off at 20 s would be fetched again from
        // the start of the page each time.
        lrs.request_timeout = Duration::from_secs(60);
        lrs
    });
    let filter = state.applied.clone();
    let (tx, rx) = mpsc::channel();
    let proxy = proxy.map(|p| (**p).clone());
    let spawned = std::thread::Builder::new().name("class-overview".into()).spawn(move || {
        let done = work(&path, &url, lrs.as_ref(), &filter);
        // Fails only when the screen was left: the cache keeps what was fetched.
        let _ = tx.send(done);
        if let Some(proxy) = proxy {
            let _ = proxy.send_event(WinitUserEvent::WakeUp);
        }
    });
    match spawned {
        Ok(_) => state.job = Some(Job { done: Mutex::new(rx), fetching: fetch }),
        Err(e) => {
            state.freshness = Freshness::Offline { fetched_at: None, problem: String::new() };
            state.problem = Some(Text::new(format!("无法启动后台线程：{e}"), format!("Cannot start a background thread: {e}")));
        }
    }
}

/// A message for a trainer: the core's errors name command-line options.
fn fetch_problem(e: &ClassError) -> Text {
    match e {
        ClassError::Unreachable { detail, .. } => {
            Text::new(format!("无法连接 LRS，请检查地址和网络（{detail}）"), format!("The LRS cannot be reached: check the address and the network ({detail})"))
        }
        ClassError::Credentials { status, .. } => {
            Text::new(format!("LRS 拒绝了账号或密码（HTTP {status}）"), format!("The LRS refused the account or password (HTTP {status})"))
        }
        ClassError::NotAnLrs { status, .. } => Text::new(
            format!("该地址不是 LRS 的记录接口，请检查地址（HTTP {status}）"),
            format!("This address is not an LRS statements address: check it (HTTP {status})"),
        ),
        ClassError::Store(e) => e.message(),
        other => Text::new(other.to_string(), other.to_string()),
    }
}

/// The job: fetch what is new (when asked), then count the cache.
pub fn work(path: &std::path::Path, url: &str, lrs: Option<&Lrs>, filter: &ClassFilter) -> JobDone {
    let store = match Store::open(path) {
        Ok(s) => s,
        Err(e) => return JobDone { fetch: lrs.map(|_| Err(e.message())), cache: None, overview: Err(e.message()), scenarios: Vec::new() },
    };
    let fetch = lrs.map(|lrs| refresh(&store, lrs, &StatementQuery::default(), false).map_err(|e| fetch_problem(&e)));
    let endpoint = endpoint_of(url);
    JobDone {
        fetch,
        cache: store.lrs_cache_state(&endpoint).ok().flatten(),
        overview: overview_from_cache(&store, &endpoint, filter).map_err(|e| e.message()),
        scenarios: store.cached_scenarios(&endpoint).unwrap_or_default(),
    }
}

/// What `done` means for the screen.
pub fn apply(state: &mut ClassState, done: JobDone) {
    let fetched_at = done.cache.as_ref().map(|c| state.applied.zone.minute(&c.fetched_at));
    let offline = |fetched_at| Freshness::Offline { fetched_at, problem: String::new() };
    state.freshness = match (done.fetch, fetched_at) {
        (Some(Ok(run)), Some(at)) => {
            state.problem = None;
            Freshness::Fetched { fetched_at: at, added: run.added }
        }
        (Some(Err(problem)), at) => {
            state.problem = Some(problem);
            offline(at)
        }
        (_, at) => match (&state.freshness, at) {
            // A recount after a fetch keeps saying what the fetch did.
            (Freshness::Fetched { added, .. }, Some(at)) => Freshness::Fetched { fetched_at: at, added: *added },
            (Freshness::Offline { .. }, at) => offline(at),
            (_, Some(at)) => Freshness::Cached { fetched_at: at },
            (_, None) => Freshness::NeverFetched,
        },
    };
    state.cache = done.cache;
    state.scenarios = done.scenarios;
    match done.overview {
        Ok(o) => state.overview = Some(o),
        Err(e) => {
            state.problem = Some(e);
            state.freshness = offline(None);
        }
    }
}

fn poll(
    mut state: ResMut<ClassState>,
    records: Res<Records>,
    login: Res<LrsLogin>,
    proxy: Option<Res<EventLoopProxyWrapper>>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut settle: Local<u8>,
) {
    // New names and titles bring glyphs the font atlas lacks; they draw
    // right a frame or two later, and the app sleeps between inputs.
    if *settle > 0 {
        *settle -= 1;
        redraw.write(RequestRedraw);
    }
    let Some(job) = &state.job else { return };
    let received = match job.done.lock() {
        Ok(rx) => rx.try_recv(),
        Err(_) => Err(TryRecvError::Disconnected),
    };
    let done = match received {
        Ok(done) => done,
        Err(TryRecvError::Empty) => return,
        Err(TryRecvError::Disconnected) => JobDone {
            fetch: None,
            cache: state.cache.clone(),
            overview: Err(Text::new("后台统计意外中止", "The background count stopped unexpectedly")),
            scenarios: state.scenarios.clone(),
        },
    };
    state.job = None;
    apply(&mut state, done);
    *settle = 3;
    redraw.write(RequestRedraw);
    if let (Some(fetch), Some(store)) = (state.queued.take(), records.store()) {
        start(&mut state, store, &login, fetch, proxy.as_deref());
    }
}

/// A `YYYY-MM-DD` date, or empty for an open end.
fn date(text: &str) -> Result<Option<String>, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let b = t.as_bytes();
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && t.chars().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let month: u32 = t.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
    let day: u32 = t.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(0);
    if shape && (1..=12).contains(&month) && (1..=31).contains(&day) { Ok(Some(t.to_string())) } else { Err(()) }
}

/// The filter the typed dates and the chosen scenario ask for, or what is wrong with them.
pub fn filter_of(since: &str, until: &str, scenario: Option<&str>, zone: &Zone, lang: Lang) -> Result<ClassFilter, String> {
    let bad = |what: &str| match lang {
        Lang::Zh => format!("日期“{what}”无法识别，请写成 2026-11-30 这样的格式。"),
        Lang::En => format!("The date “{what}” is not understood: write it as 2026-11-30."),
    };
    let since = date(since).map_err(|()| bad(since.trim()))?;
    let until = date(until).map_err(|()| bad(until.trim()))?;
    if let (Some(a), Some(b)) = (&since, &until)
        && a > b
    {
        return Err(tr(lang, "开始日期晚于结束日期。", "The first date is after the last.").to_string());
    }
    Ok(ClassFilter { since, until, scenarios: scenario.map(|s| vec![s.to_string()]).unwrap_or_default(), zone: zone.clone(), ..ClassFilter::default() })
}

fn title(library: &Library, id: &str, lang: Lang) -> String {
    library.script(id).map_or_else(|| id.to_string(), |s| s.scenario.title.get(lang).to_string())
}

fn turn_label(library: &Library, scenario: &str, turn: &str, lang: Lang) -> String {
    let n = library.script(scenario).and_then(|s| s.scenario.turns.iter().position(|t| t.id == turn)).map(|i| i + 1);
    match (n, lang) {
        (Some(n), Lang::Zh) => format!("第 {n} 轮"),
        (Some(n), Lang::En) => format!("turn {n}"),
        (None, _) => turn.to_string(),
    }
}

fn option_text(library: &Library, scenario: &str, turn: &str, option: &str, lang: Lang) -> String {
    library
        .script(scenario)
        .and_then(|s| s.scenario.turns.iter().find(|t| t.id == turn))
        .and_then(|t| t.options.iter().find(|o| o.id == option))
        .map_or_else(|| option.to_string(), |o| o.text.get(lang).to_string())
}

fn persona_name(library: &Library, scenario: &str, persona: &str, lang: Lang) -> String {
    let main = || tr(lang, "主要人物", "main persona").to_string();
    if persona.is_empty() {
        return main();
    }
    library
        .script(scenario)
        .and_then(|s| s.scenario.citizen.all_personas().iter().find(|p| p.id == persona).map(|p| p.label.get(lang).to_string()))
        .map(|l| if l.is_empty() { main() } else { l })
        .unwrap_or_else(|| persona.to_string())
}

fn red_flag_label(code: &str, lang: Lang) -> String {
    serde_json::from_value::<RedFlag>(serde_json::Value::String(code.to_string())).map_or_else(|_| code.to_string(), |f| f.label().get(lang).to_string())
}

fn day(stamp: &str, zone: &Zone) -> String {
    zone.day(stamp).unwrap_or_else(|| stamp.chars().take(10).collect())
}

/// The overview's figures for the view, titled from `library` (ids where
/// this PC does not have the scenario).
pub fn overview_vm(o: &Overview, library: &Library, lang: Lang) -> OverviewVm {
    let (completed, pass_rate) = o.pass_rate();
    let rate = |ok: usize, n: usize| (n > 0).then(|| ok as f64 / n as f64);
    OverviewVm {
        trainees: o.trainees.len(),
        completed,
        pass_rate,
        period: o.first.as_ref().zip(o.last.as_ref()).map(|(a, b)| (day(a, &o.filter.zone), day(b, &o.filter.zone))),
        weeks: o
            .weeks
            .iter()
            .map(|w| WeekVm {
                label: w.monday.get(5..).unwrap_or(&w.monday).to_string(),
                completed: w.completed,
                pass_rate: rate(w.passed, w.completed),
                mean: w.mean_score,
                active: w.active_trainees,
            })
            .collect(),
        dimensions: o.dimensions.iter().map(|d| DimensionVm { name: d.dimension.label().get(lang).to_string(), bands: d.bands, mean: d.mean }).collect(),
        scenarios: o
            .scenarios
            .iter()
            .filter(|s| s.completed > 0 || s.started > 0)
            .map(|s| ScenarioVm {
                title: title(library, &s.scenario, lang),
                trainees: s.trainees,
                completed: s.completed,
                pass_rate: rate(s.passed, s.completed),
                mean: s.mean_score,
                personas: s
                    .personas
                    .iter()
                    .map(|(p, (n, ok))| PersonaVm { name: persona_name(library, &s.scenario, p, lang), completed: *n, pass_rate: rate(*ok, *n) })
                    .collect(),
            })
            .collect(),
        people: o
            .trainees
            .iter()
            .map(|t| TraineeVm {
                name: if t.name == t.actor || t.name.is_empty() { t.actor.clone() } else { format!("{}（{}）", t.name, t.actor) },
                started: t.started,
                completed: t.completed,
                passed: t.passed,
                mean: t.mean_score,
                scenarios: t.scenarios.iter().map(|(id, n)| format!("{} ×{n}", title(library, id, lang))).collect::<Vec<_>>().join(" · "),
                last_active: day(&t.last_active, &o.filter.zone),
            })
            .collect(),
        mistakes: o
            .mistakes
            .iter()
            .map(|m| MistakeVm {
                scenario: title(library, &m.scenario, lang),
                turn: turn_label(library, &m.scenario, &m.turn, lang),
                option: option_text(library, &m.scenario, &m.turn, &m.choice, lang),
                times: m.times,
                answers: m.answers,
                trainees: m.trainees,
                red_flag: (!m.red_flag.is_empty()).then(|| red_flag_label(&m.red_flag, lang)),
            })
            .collect(),
        exams: o
            .exams
            .iter()
            .map(|e| ExamVm {
                name: if e.name.is_empty() { e.exam.clone() } else { e.name.clone() },
                candidates: e.candidates,
                sittings: e.sittings,
                sittings_passed: e.sittings_passed,
                scenarios_passed: e.scenarios_passed,
                scenarios_judged: e.scenarios_judged,
                mean: e.mean_score,
            })
            .collect(),
    }
}

/// The view model of the screen's state.
pub fn class_vm(state: &ClassState, login: &LrsLogin, library: &Library, lang: Lang, problem: Option<String>) -> ClassVm {
    let mut choices: Vec<(String, String)> = state.scenarios.iter().map(|id| (id.clone(), title(library, id, lang))).collect();
    choices.sort_by(|a, b| a.1.cmp(&b.1));
    ClassVm {
        lang,
        url: login.url.clone(),
        user: login.user.clone(),
        password: login.password.clone(),
        password_preset: env(PASSWORD_ENV).is_some(),
        busy: state.busy(),
        freshness: match &state.freshness {
            Freshness::Offline { fetched_at, .. } => {
                Freshness::Offline { fetched_at: fetched_at.clone(), problem: state.problem.as_ref().map(|p| p.get(lang).to_string()).unwrap_or_default() }
            }
            other => other.clone(),
        },
        cached: state.cache.as_ref().map_or(0, |c| c.statements),
        since: state.since.clone(),
        until: state.until.clone(),
        scenario_choices: choices,
        scenario: state.scenario.clone(),
        filter_error: state.filter_error.clone(),
        overview: state.overview.as_ref().map(|o| overview_vm(o, library, lang)),
        export_status: state.export_status.clone(),
        problem,
    }
}

/// Writes `overview` as a workbook into `dir` (created if need be) and
/// returns the file's path.
pub fn export_to(dir: &std::path::Path, overview: &Overview) -> Result<PathBuf, String> {
    let bytes = workbook(overview).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let stamp: String = utc_stamp().chars().filter(|c| c.is_ascii_digit()).take(14).collect();
    let path = dir.join(format!("班级概览 class-overview-{stamp}.xlsx"));
    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut state: ResMut<ClassState>,
    mut login: ResMut<LrsLogin>,
    scenarios: Res<Scenarios>,
    records: Res<Records>,
    settings: Res<Settings>,
    proxy: Option<Res<EventLoopProxyWrapper>>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let lang = settings.lang;
    let problem = match records.store() {
        Some(_) => None,
        None => Some(format!(
            "{}{}",
            tr(lang, "记录库不可用，无法保存从 LRS 获取的记录：", "The records file is unavailable, so records from the LRS cannot be kept: "),
            records.problem.as_ref().map(|p| p.get(lang).to_string()).unwrap_or_default()
        )),
    };
    let mut vm = class_vm(&state, &login, &scenarios.library, lang, problem);
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| class_view(ui, &mut vm)).inner;
    login.url = vm.url;
    login.user = vm.user;
    login.password = vm.password;
    state.since = vm.since;
    state.until = vm.until;
    let Some(store) = records.store() else {
        if action == Some(ClassAction::Back) {
            next.set(state.return_to);
        }
        return Ok(());
    };
    let refilter = |state: &mut ClassState, scenario: Option<String>| match filter_of(&state.since, &state.until, scenario.as_deref(), &state.applied.zone, lang) {
        Ok(f) => {
            state.filter_error = None;
            state.scenario = scenario;
            if f != state.applied {
                state.applied = f;
                start(state, store, &login, false, proxy.as_deref());
            }
        }
        Err(e) => state.filter_error = Some(e),
    };
    match action {
        Some(ClassAction::Back) => next.set(state.return_to),
        Some(ClassAction::Refresh) => {
            for (key, value) in [(URL_SETTING, login.url.trim()), (USER_SETTING, login.user.trim())] {
                if let Err(e) = store.set_setting(key, value) {
                    warn!("could not remember the LRS settings: {e}");
                }
            }
            start(&mut state, store, &login, true, proxy.as_deref());
        }
        Some(ClassAction::ApplyDates) => {
            let scenario = state.scenario.clone();
            refilter(&mut state, scenario);
        }
        Some(ClassAction::Scenario(s)) => refilter(&mut state, s),
        Some(ClassAction::ClearFilter) => {
            state.since.clear();
            state.until.clear();
            refilter(&mut state, None);
        }
        Some(ClassAction::Export) => {
            if let Some(o) = &state.overview {
                state.export_status = Some(export_to(&export_root(store), o).map(|p| p.display().to_string()));
            }
        }
        None => {}
    }
    Ok(())
}
