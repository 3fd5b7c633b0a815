//! Group drill screen: set-up, then the drill's phases. Every trainer action
//! becomes a `drill::Event` applied through the records store, which logs it
//! and its effects on trainee records in one transaction — so a drill
//! interrupted by a crash resumes where it was.

use super::{Screen, UiSet};
use crate::app::run::{self, Run};
use crate::app::session::Scenarios;
use crate::app::settings::{Records, Settings};
use crate::app::views::drill::{
    AgreementVm, OrderMark, ProfilePick, ReadyAction, RunningOrderVm, running_order_view, ReadyVm, RolePlayAction, RolePlayVm, ScenarioPick, SetupAction, SetupVm,
    UnfinishedAction, UnfinishedDrill, VoteAction, VoteDebriefAction, VotePapersVm, VoteVm, ready_view, role_play_view, setup_view, vote_debrief_with_papers, vote_with_desk,
};
use crate::app::run::{DeskState, Words};
use crate::app::views::workorder::{DeskAction, DeskVm, EntryVm};
use counterpart_core::drill::AtHand;
use counterpart_core::library::knowledge::Desk;
use counterpart_core::notice::NoticeOutcome;
use counterpart_core::workorder::FieldName;
use std::collections::HashMap;
use std::sync::Arc;
use crate::app::views::debrief::{DebriefAction, DebriefFrame, DebriefVm, debrief_view};
use crate::app::views::drill::{Confirm, confirm_view};
use crate::app::views::encounter::{EncounterAction, encounter_view_with_desk};
use crate::app::views::protocol::{ProtocolVm, protocol_notes, protocol_panel};
use crate::app::views::disc_label;
use crate::app::views::widgets::{Seat, trust_word, upset_word};
use counterpart_core::drill::{CueCard, Drill, Event, Member, Mode, Phase, Plan, Rotation, SlotStatus, VoteDebrief};
use counterpart_core::play::engine::Encounter;
use counterpart_core::scenario::model::{DiscStyle, Lang, Message, Outcome, Text};
use counterpart_core::records::store::Store;
use counterpart_core::library::Library;
use counterpart_core::records::report::{drill_html, file_stem, write_drill_csv};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<DrillScreen>();
    app.add_systems(OnEnter(Screen::Drill), enter);
    // A running drill is kept when left and picked up on return.
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::Drill)));
}

/// What the drill screen holds between frames.
#[derive(Resource, Default)]
pub struct DrillScreen {
    setup: Option<SetupVm>,
    active: Option<Active>,
    /// An unfinished drill to pick up on entering, asked for from the
    /// start screen or the library (`offer_unfinished`).
    resume: Option<i64>,
}

/// The drills left unfinished (closed window, crash), newest first, as the
/// start screen, the library and the drill set-up all offer them.
pub fn unfinished_drills(records: &Records, lang: Lang, zone: &counterpart_core::records::when::Zone) -> Vec<UnfinishedDrill> {
    records
        .store()
        .and_then(|s| s.unfinished_drills().ok())
        .unwrap_or_default()
        .into_iter()
        .map(|d| UnfinishedDrill { id: d.id, title: d.title, mode: d.mode.label().get(lang).to_string(), updated: zone.minute(&d.updated_at) })
        .collect()
}

impl DrillScreen {
    /// What the start screen and the library do with an unfinished drill:
    /// Continue opens the drill screen, which picks it up as its own set-up
    /// would; Close it closes it in place (and the drill screen lets go of
    /// it if it was the one left running). Returns the screen to go to, or
    /// the error to show.
    pub fn offer_unfinished(&mut self, action: UnfinishedAction, store: Option<&Store>, scripts: &Library) -> Result<Option<Screen>, Text> {
        match action {
            UnfinishedAction::Resume(id) => {
                self.resume = Some(id);
                Ok(Some(Screen::Drill))
            }
            UnfinishedAction::Close(id) => {
                let store = store.ok_or_else(|| Text::new("演练需要学员记录库", "drills need the records store"))?;
                close_unfinished(store, scripts, id)?;
                if self.active.as_ref().is_some_and(|a| a.id == id) {
                    self.active = None;
                }
                Ok(None)
            }
        }
    }
}

/// Closes a drill left unfinished without resuming it.
fn close_unfinished(store: &Store, scripts: &Library, id: i64) -> Result<(), Text> {
    store.load_drill(id, scripts).and_then(|mut drill| store.apply_drill_event(id, &mut drill, &Event::Close, scripts)).map_err(|e| e.message())
}

/// Picks up an unfinished drill from its log: the one way a drill resumes,
/// from the set-up, the start screen or the library. The log is replayed
/// with the desks its work orders and notices were scored with.
fn resume_drill(active: &mut Option<Active>, store: &Store, scenarios: &Scenarios, words: &Words, id: i64, now: f64) -> Result<(), Text> {
    if active.as_ref().is_some_and(|a| a.id == id) {
        // Left by Esc in this session: it is on screen as it was.
        return Ok(());
    }
    let scripts = scripts_of(scenarios);
    let (plan, _) = store.drill_log(id).map_err(|e| e.message())?;
    let desks = desks_for(&plan.scenarios, scenarios);
    let drill = store.load_drill_at(id, &scripts, AtHand::new(&desks, words.get())).map_err(|e| e.message())?;
    *active = Some(activate(id, drill, scripts, desks, now));
    Ok(())
}

/// The desk of each scenario's folder (knowledge base, category tree, city
/// rules), read once per folder when the drill starts or resumes.
fn desks_for(ids: &[String], scenarios: &Scenarios) -> HashMap<String, Arc<Desk>> {
    let mut by_folder: HashMap<std::path::PathBuf, Arc<Desk>> = HashMap::new();
    let mut out = HashMap::new();
    for id in ids {
        let Some(path) = scenarios.path_of(id) else { continue };
        let folder = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        let desk = by_folder.entry(folder).or_insert_with(|| Arc::new(Desk::for_file(&path))).clone();
        out.insert(id.clone(), desk);
    }
    out
}

impl DrillScreen {
    /// Who the screen is about (the top bar names them instead of the
    /// trainer at the keyboard): the member playing or responding, or the
    /// class in a class vote; the member whose debrief is on screen after
    /// their slot. None between slots.
    pub fn seat(&self) -> Option<Seat> {
        let active = self.active.as_ref()?;
        seat_of(&active.drill, active.slot_debrief.as_ref().map(|(slot, _, _)| *slot))
    }

    /// Whether typing on the desk waits to be written to the drill's log:
    /// the redraw policy wakes the screen so it is written after a pause.
    pub fn papers_unlogged(&self) -> bool {
        self.active.as_ref().is_some_and(|a| a.unlogged_since.is_some())
    }

    /// Whether a hotline answer countdown is on screen, so the redraw
    /// policy ticks the drill exactly as it ticks a solo encounter.
    pub fn timer_running(&self) -> bool {
        self.active.as_ref().and_then(|a| a.encounter.as_ref()).is_some_and(|e| {
            e.scenario().channel == counterpart_core::scenario::model::Channel::Hotline && e.prompt().is_some_and(|p| p.time_limit.is_some())
        })
    }
}

/// Who the top bar names on the drill screen; `debrief` is the slot whose
/// debrief is on screen, shown once the slot is finished, when the drill
/// itself has already moved on to the next member's Ready.
pub fn seat_of(drill: &Drill, debrief: Option<usize>) -> Option<Seat> {
    let name = |slot: usize| drill.slots.get(slot).map(|s| member_name(drill, s.player)).filter(|n| !n.is_empty());
    if let Some(slot) = debrief {
        return name(slot).map(Seat::Debrief);
    }
    match drill.phase {
        Phase::Starting { slot } | Phase::Playing { slot } | Phase::TieBreak { slot, .. } | Phase::Ended { slot } => name(slot).map(Seat::Playing),
        _ => None,
    }
}

/// Esc answers an open question first (no), asks before leaving a slot in
/// play, and otherwise goes back to the library; the drill is kept either way.
fn back(mut back: MessageReader<super::Back>, screen: Res<State<Screen>>, mut state: ResMut<DrillScreen>, mut next: ResMut<NextState<Screen>>) {
    if !super::back_on(Screen::Drill, &mut back, &screen) {
        return;
    }
    match state.active.as_mut() {
        Some(active) if active.confirm.is_some() => active.confirm = None,
        Some(active) if matches!(active.drill.phase, Phase::Starting { .. } | Phase::Playing { .. } | Phase::TieBreak { .. } | Phase::Ended { .. }) => {
            active.confirm = Some(Confirm::Leave);
        }
        _ => next.set(Screen::Library),
    }
}

/// The drill set-ups the autoplay harness makes (dev builds only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoSetup {
    /// 李明 (employee number A-007) and 王芳 take the hot seat.
    HotSeat,
    /// Four members: a responder, a citizen and two observers per slot.
    RolePlay,
    /// Four members present voting as the class 三班.
    ClassVote,
}

impl DrillScreen {
    /// Fills the set-up as a trainer would with the mouse: the mode, the
    /// scenario `id` ticked, names typed. False until the set-up is shown.
    #[cfg(feature = "dev")]
    pub fn autoplay_setup(&mut self, setup: AutoSetup, id: &str) -> bool {
        let Some(vm) = self.setup.as_mut().filter(|_| self.active.is_none()) else { return false };
        for pick in &mut vm.scenarios {
            pick.picked = pick.id == id;
        }
        for profile in &mut vm.profiles {
            profile.picked = false;
        }
        (vm.mode, vm.typed_names) = match setup {
            // 李明 with an employee number typed beside the name.
            AutoSetup::HotSeat => (Mode::HotSeat, "李明 A-007\n王芳".to_string()),
            AutoSetup::RolePlay => (Mode::RolePlay, "李明、王芳、张伟、陈静".to_string()),
            AutoSetup::ClassVote => (Mode::ClassVote, "李明、王芳、张伟、陈静".to_string()),
        };
        if setup == AutoSetup::ClassVote {
            vm.group = "三班".to_string();
        }
        vm.scenarios.iter().any(|p| p.picked)
    }

    /// Types vote counts into the class vote's boxes, in the order the
    /// options are shown (dev builds only). False until a vote is on screen.
    #[cfg(feature = "dev")]
    pub fn autoplay_votes(&mut self, shown: &[u32]) -> bool {
        let Some(active) = self.active.as_mut().filter(|a| matches!(a.drill.phase, Phase::Playing { .. })) else { return false };
        let Some(order) = active.encounter.as_ref().and_then(|e| e.prompt()).map(|p| p.order.to_vec()) else { return false };
        let mut counts = vec![0; order.len()];
        for (position, &option) in order.iter().enumerate() {
            counts[option] = shown.get(position).copied().unwrap_or(0);
        }
        active.counts = counts;
        true
    }

    /// Marks the role-play's observer sheets as observers would (dev builds
    /// only): every item marked, the two observers one level apart on a few,
    /// the second observer raising a red flag, three work-order fields
    /// ticked (split on one), and the outcome picked.
    /// Ok(false) until the role-play is on screen.
    #[cfg(feature = "dev")]
    pub fn autoplay_observe(&mut self, store: &Store, now: f64) -> Result<bool, String> {
        use counterpart_core::drill::Observation;
        use counterpart_core::scenario::model::{Item, RedFlag};
        let Some(active) = self.active.as_mut() else { return Ok(false) };
        let Phase::Playing { slot } = active.drill.phase else { return Ok(false) };
        if active.drill.plan.mode != Mode::RolePlay {
            return Ok(false);
        }
        let observers = active.drill.slots[slot].observers.clone();
        for (n, &observer) in observers.iter().enumerate() {
            for (i, item) in Item::ALL.into_iter().enumerate() {
                let level = ((i + n * usize::from(i % 3 == 0)) % 4) as u8;
                let mark = if i == Item::ALL.len() - 1 { Observation::NotObserved } else { Observation::Level(level) };
                apply(active, store, Event::Observe { observer, item, mark }, now, None);
            }
            if n == 1 {
                apply(active, store, Event::RedFlag { observer, flag: RedFlag::DataLeak, raised: true }, now, None);
            }
            // The work order's fields: both tick the name, they split on the type.
            let has_order = active.scripts.script(&active.drill.slots[slot].scenario).is_some_and(|s| s.scenario.work_order.is_some());
            for (field, right) in [(FieldName::CallerName, true), (FieldName::RequestType, n == 0), (FieldName::HandlingUnit, true)] {
                if has_order {
                    apply(active, store, Event::OrderTick { observer, field, right: Some(right) }, now, None);
                }
            }
        }
        active.outcome = Some(Outcome::Resolved);
        active.error.take().map_or(Ok(true), |e| Err(e.en))
    }

    /// Types into the slot's work order what a class agrees on a first
    /// listen, as the trainer would (dev builds only): the caller's name
    /// and the request type from the scenario, a short content and the
    /// wrong urgency, written to the drill's log. Ok(false) until a slot
    /// that takes an order is on screen.
    #[cfg(feature = "dev")]
    pub fn autoplay_order(&mut self, store: &Store, now: f64) -> Result<bool, String> {
        let Some(active) = self.active.as_mut() else { return Ok(false) };
        if !active.drill.takes_order(&active.scripts) {
            return Ok(false);
        }
        let Some(slot) = current_slot(&active.drill) else { return Ok(false) };
        let Some(script) = active.scripts.script(&active.drill.slots[slot].scenario).cloned() else { return Ok(false) };
        let Some(truth) = &script.scenario.work_order else { return Ok(false) };
        active.desk.order = counterpart_core::workorder::WorkOrder {
            caller_name: script.scenario.citizen.name.zh.clone(),
            request_type: Some(truth.request_type),
            content: "来电反映家中暖气不热，要求尽快处理。".into(),
            urgency: Some(counterpart_core::scenario::model::Urgency::Normal),
            ..Default::default()
        };
        log_papers(active, store, now);
        active.error.take().map_or(Ok(true), |e| Err(e.en))
    }

    /// The hot-seat encounter on screen has ended (the DISC guess is next).
    pub fn encounter_ended(&self) -> bool {
        self.active.as_ref().is_some_and(|a| matches!(a.drill.phase, Phase::Ended { .. }))
    }
}

struct Active {
    id: i64,
    drill: Drill,
    scripts: Library,
    /// The current slot's encounter (hot seat, class vote).
    encounter: Option<Encounter>,
    /// When the current slot's call began (the "On call" clock) and when
    /// its current turn began (the answer countdown).
    call_started: f64,
    turn_started: f64,
    /// The slot whose encounter is shown, to tell a new call from a new turn.
    shown_slot: Option<usize>,
    counts: Vec<u32>,
    debrief: Option<(usize, Vec<VoteDebrief>)>,
    /// The last cue card, kept so the ending stays on screen.
    card: Option<CueCard>,
    observer_tab: usize,
    outcome: Option<Outcome>,
    /// Role-play: the cue card is on the projected screen (trainer only).
    trainer_view: bool,
    disc_guess: Option<DiscStyle>,
    last_agreement: Option<AgreementVm>,
    report: Option<Result<String, Text>>,
    /// The last refusal or failure, worded when shown.
    error: Option<Text>,
    /// A question waiting for the trainer's yes or no.
    confirm: Option<Confirm>,
    /// Hot seat: the slot just finished, whose debrief is on screen before
    /// the scoreboard (built once, per language).
    slot_debrief: Option<(usize, Lang, DebriefVm)>,
    /// The trainer's choice for members' debriefs: the turn-by-turn replay
    /// too, or the scores only. Kept for the whole drill.
    replay_shown: bool,
    /// The desk of each of the plan's scenarios, for orders and notices.
    desks: HashMap<String, Arc<Desk>>,
    /// The current slot's desk as on screen: the order being typed, the
    /// notice being assembled, the knowledge search.
    desk: DeskState,
    /// The slot `desk` belongs to.
    desk_slot: Option<usize>,
    /// When the desk's order or notice changed without being logged yet.
    unlogged_since: Option<f64>,
    /// Class vote debrief: the class's order and notice compared, built
    /// once they are handed in (slot, language).
    papers: Option<(usize, Lang, VotePapersVm)>,
}

/// How long typing on the desk waits before it is written to the log.
const PAPERS_LOGGED_AFTER_SECS: f64 = 1.0;

fn scripts_of(scenarios: &Scenarios) -> Library {
    scenarios.library.clone()
}

fn enter(mut state: ResMut<DrillScreen>, scenarios: Res<Scenarios>, records: Res<Records>, settings: Res<Settings>, words: Res<Words>, time: Res<Time<Real>>, zone: Res<crate::app::session::LocalZone>) {
    // A drill left by Esc is still running and is picked up again; a
    // finished one makes way for a new set-up.
    if state.active.as_ref().is_some_and(|a| matches!(a.drill.phase, Phase::Finished | Phase::Closed)) {
        state.active = None;
    }
    let mut resume_error = None;
    if let Some(id) = state.resume.take() {
        let resumed = match records.store() {
            Some(store) => resume_drill(&mut state.active, store, &scenarios, &words, id, run::now_secs(&time)),
            None => Err(records.problem.clone().unwrap_or_default()),
        };
        resume_error = resumed.err();
    }
    if state.active.is_some() {
        return;
    }
    let lang = settings.lang;
    let profiles = records.trainees().unwrap_or_default();
    let unfinished = unfinished_drills(&records, lang, &zone.0);
    let previous = state.setup.take();
    state.setup = Some(SetupVm {
        lang,
        // A new drill gets a new name: the last one's title is not kept.
        title: String::new(),
        mode: previous.as_ref().map_or(Mode::HotSeat, |p| p.mode),
        rotation: previous.as_ref().map_or(Rotation::Same, |p| p.rotation),
        rounds: previous.as_ref().map_or(1, |p| p.rounds),
        scenarios: scenarios.files()
            .iter()
            .filter_map(|f| f.script())
            .map(|s| ScenarioPick { id: s.scenario.id.clone(), title: s.scenario.title.get(lang).to_string(), picked: false })
            .collect(),
        profiles: profiles.into_iter().map(|(p, employee_id)| ProfilePick { id: p.id, name: p.name, employee_id, picked: false }).collect(),
        typed_names: String::new(),
        group: previous.map(|p| p.group).unwrap_or_default(),
        unfinished,
        error: match records.store() {
            None => {
                let problem = records.problem.clone().unwrap_or_default();
                Some(Text::new(format!("演练需要学员记录库才能保存与恢复：{}", problem.zh), format!("drills need the records store: {}", problem.en)))
            }
            Some(_) => resume_error,
        },
    });
}

/// The plan a set-up makes (public for tests).
pub fn plan_from(setup: &SetupVm, seed: u64) -> Plan {
    let picked: Vec<String> = setup.scenarios.iter().filter(|s| s.picked).map(|s| s.id.clone()).collect();
    let roster = setup
        .roster()
        .into_iter()
        .map(|entry| match entry.profile {
            Some(id) => Member::profile(id, entry.name),
            // The number typed beside a new name goes to its profile when
            // the store creates the drill (or the drill is refused).
            None => Member::typed(entry.name).with_employee_id(entry.employee_id),
        })
        .collect();
    let title = if setup.title.trim().is_empty() {
        // utc_stamp is 20261122T071100Z: the date and time make a fine default name.
        let d: Vec<char> = counterpart_core::records::store::utc_stamp().chars().filter(char::is_ascii_digit).collect();
        let part = |r: std::ops::Range<usize>| d.get(r).map(|c| c.iter().collect::<String>()).unwrap_or_default();
        format!("演练 Drill {}-{}-{} {}:{}", part(0..4), part(4..6), part(6..8), part(8..10), part(10..12))
    } else {
        setup.title.trim().to_string()
    };
    Plan {
        title,
        mode: setup.mode,
        scenarios: picked,
        roster,
        group: (setup.mode == Mode::ClassVote && !setup.group.trim().is_empty()).then(|| Member::typed(setup.group.trim())),
        rotation: setup.rotation,
        rounds: setup.rounds,
        seed,
    }
}

fn activate(id: i64, drill: Drill, scripts: Library, desks: HashMap<String, Arc<Desk>>, now: f64) -> Active {
    let mut active = Active {
        id,
        drill,
        scripts,
        encounter: None,
        call_started: now,
        turn_started: now,
        shown_slot: None,
        counts: Vec::new(),
        debrief: None,
        card: None,
        observer_tab: 0,
        outcome: None,
        trainer_view: false,
        disc_guess: None,
        last_agreement: None,
        report: None,
        error: None,
        confirm: None,
        slot_debrief: None,
        replay_shown: false,
        desks,
        desk: DeskState::default(),
        desk_slot: None,
        unlogged_since: None,
        papers: None,
    };
    refresh(&mut active, now);
    active
}

/// The hot seat's (call, turn) start times after an event: another slot is
/// another call, another answer only another turn, anything else neither.
/// `previous` and `shown` are (slot, steps) of the encounter on screen.
fn clocks(previous: Option<(Option<usize>, usize)>, shown: Option<(Option<usize>, usize)>, now: f64, (call, turn): (f64, f64)) -> (f64, f64) {
    if shown == previous {
        return (call, turn);
    }
    let new_call = shown.map(|(s, _)| s) != previous.map(|(s, _)| s);
    (if new_call { now } else { call }, now)
}

fn current_slot(drill: &Drill) -> Option<usize> {
    match drill.phase {
        Phase::Ready { slot } | Phase::Starting { slot } | Phase::Playing { slot } | Phase::TieBreak { slot, .. } | Phase::Ended { slot } => Some(slot),
        Phase::Finished | Phase::Closed => None,
    }
}

/// Re-derives what the screen shows from the drill after each event.
fn refresh(active: &mut Active, now: f64) {
    let slot = current_slot(&active.drill);
    let previous = active.encounter.as_ref().map(|e| (active.shown_slot, e.steps().len()));
    active.encounter = slot.and_then(|s| active.drill.encounter(s, &active.scripts).ok().flatten());
    let shown = active.encounter.as_ref().map(|e| (slot, e.steps().len()));
    // Fresh boxes for a new turn only: after a tie, or its undo, the
    // counts entered stay in the boxes to be corrected.
    if let Some(options) = active.encounter.as_ref().and_then(|e| e.prompt()).map(|p| p.options.len())
        && (shown != previous || active.counts.len() != options)
    {
        active.counts = vec![0; options];
    }
    (active.call_started, active.turn_started) = clocks(previous, shown, now, (active.call_started, active.turn_started));
    active.shown_slot = slot;
    if let Ok(Some(card)) = active.drill.cue_card(&active.scripts) {
        active.card = Some(card);
    }
    // A new slot's desk starts from what the drill holds (a resumed slot's
    // order as typed); whether it is handed in always follows the drill.
    if slot != active.desk_slot {
        active.desk = slot.map(|s| slot_desk(&active.drill, s)).unwrap_or_default();
        active.desk_slot = slot;
        active.unlogged_since = None;
    }
    sync_desk(active);
    if let (Phase::Ended { slot }, Mode::ClassVote) = (&active.drill.phase, active.drill.plan.mode)
        && active.debrief.as_ref().is_none_or(|(s, _)| s != slot)
    {
        // The analyzer runs once per option here: once per slot, not per frame.
        active.debrief = active.drill.vote_debrief(*slot, &active.scripts).ok().map(|d| (*slot, d));
    }
}

/// The desk of a slot as the drill holds it, for a slot coming on screen
/// (a resumed one included): its order as typed, its notice as assembled,
/// its lookups with the last entry opened shown again, as a resumed solo
/// attempt's desk is (public for tests).
pub fn slot_desk(drill: &Drill, slot: usize) -> DeskState {
    let mut desk = DeskState::default();
    if let Some(state) = drill.states.get(slot) {
        desk.order = state.order.clone();
        desk.notice = state.notice.clone();
        desk.submitted_after = state.order_submitted_after;
        desk.notice_handed_after = state.notice_handed_after;
        desk.lookups = state.lookups.clone();
        if let Some(last) = state.lookups.last() {
            desk.open = Some(last.entry.clone());
            desk.query = last.query.clone();
        }
    }
    desk
}

/// Whether the desk's order and notice are handed in, and what was looked
/// up, follows the drill.
fn sync_desk(active: &mut Active) {
    if let Some(state) = active.desk_slot.and_then(|s| active.drill.states.get(s)) {
        active.desk.submitted_after = state.order_submitted_after;
        active.desk.notice_handed_after = state.notice_handed_after;
        active.desk.lookups = state.lookups.clone();
    }
}

/// Applies a trainer's action through the store. The order and notice as
/// typed go to the log first, so the log has them before the answer or
/// vote that follows them, as they were on screen. `words` scores a
/// finishing slot's order (built only then).
fn apply(active: &mut Active, store: &Store, event: Event, now: f64, words: Option<&Words>) {
    if !matches!(event, Event::Order { .. } | Event::Notice { .. }) {
        log_papers(active, store, now);
    }
    send(active, store, event, now, words);
}

fn send(active: &mut Active, store: &Store, event: Event, now: f64, words: Option<&Words>) {
    let segmenter = words.filter(|_| matches!(event, Event::FinishSlot { .. })).map(Words::get);
    let at_hand = AtHand { desks: Some(&active.desks), segmenter };
    match store.apply_drill_event_at(active.id, &mut active.drill, &event, &active.scripts, at_hand) {
        Ok(()) => {
            active.error = None;
            refresh(active, now);
        }
        Err(e) => {
            active.error = Some(e.message());
            sync_desk(active);
        }
    }
}

/// Writes the order and notice on the desk to the drill's log when they
/// differ from what it holds (after a pause in typing, before any other
/// event, when leaving the screen), so a resumed drill has them as typed.
fn log_papers(active: &mut Active, store: &Store, now: f64) {
    active.unlogged_since = None;
    if active.desk_slot.is_none() || active.desk_slot != current_slot(&active.drill) {
        return;
    }
    let Some(state) = active.desk_slot.and_then(|s| active.drill.states.get(s)) else { return };
    let (order, notice) = ((state.order != active.desk.order).then(|| active.desk.order.clone()), (state.notice != active.desk.notice).then(|| active.desk.notice.clone()));
    if let Some(order) = order.filter(|_| active.drill.takes_order(&active.scripts)) {
        send(active, store, Event::Order { order }, now, None);
    }
    if let Some(notice) = notice.filter(|_| active.drill.takes_notice(&active.scripts)) {
        send(active, store, Event::Notice { notice }, now, None);
    }
}

/// The slot's desk beside the call: the work order, the notice, the
/// knowledge search of the scenario's folder; `run` is the frame's run
/// built from the drill, given the desk as on screen. None when the
/// scenario has none of these.
fn desk_for_run(active: &Active, run: &mut Run, lang: Lang, words: &Words) -> Option<DeskVm> {
    let id = run.encounter.scenario().id.clone();
    run.at_hand = active.desks.get(&id).cloned()?;
    run.desk = active.desk.clone();
    super::encounter::desk_vm(run, lang, words.get())
}

/// The drill event a desk action makes at once: opening an entry is a
/// lookup, with what was in the search box (public for tests). Typing
/// waits for a pause (`log_papers`); handing in is sent by `desk_acted`.
pub fn lookup_event(action: &DeskAction, vm: &DeskVm) -> Option<Event> {
    match action {
        DeskAction::Open(entry) => Some(Event::Lookup { query: vm.knowledge.query.clone(), entry: entry.clone() }),
        _ => None,
    }
}

/// What was done on the desk: applied to the frame's run as in solo play,
/// kept on screen; handing in and opening an entry go to the drill (and
/// its log), so the slot's attempt records them.
fn desk_acted(active: &mut Active, store: &Store, records: &Records, run: &mut Run, vm: &DeskVm, action: DeskAction, now: f64) {
    let handing_in = matches!(action, DeskAction::Submit | DeskAction::HandOver);
    let lookup = lookup_event(&action, vm);
    // The frame's run has no attempt of its own: nothing here is stored.
    super::encounter::apply_desk(run, records, vm, action.clone());
    let changed = run.desk.order != active.desk.order || run.desk.notice != active.desk.notice;
    active.desk = run.desk.clone();
    sync_desk(active);
    if let Some(event) = lookup {
        // The entry stays open on the desk; what was looked up follows the
        // drill, which records it with the slot's attempt.
        apply(active, store, event, now, None);
    } else if handing_in {
        log_papers(active, store, now);
        match action {
            DeskAction::Submit if active.drill.takes_order(&active.scripts) => send(active, store, Event::SubmitOrder, now, None),
            DeskAction::HandOver if active.drill.takes_notice(&active.scripts) => send(active, store, Event::HandNotice, now, None),
            _ => {}
        }
    } else if changed {
        active.unlogged_since.get_or_insert(now);
    }
}

/// The class's order and notice in the vote debrief, compared as they were
/// handed in (jieba scores the order: built once per slot and language).
fn papers_vm(active: &Active, slot: usize, lang: Lang, words: &Words) -> VotePapersVm {
    vote_papers(&active.drill, &active.scripts, AtHand::new(&active.desks, words.get()), slot, lang)
}

/// A class vote's work order and notice as handed in, scored against the
/// call: "you wrote / the call said" in its debrief (public for tests).
pub fn vote_papers(drill: &Drill, scripts: &Library, at_hand: AtHand<'_>, slot: usize, lang: Lang) -> VotePapersVm {
    let state = &drill.states[slot];
    let steps = state.choices.len();
    let order = drill.order_report(slot, scripts, at_hand).ok().flatten();
    let notice = drill.notice_report(slot, scripts, at_hand).ok().flatten();
    VotePapersVm {
        pending: false,
        order: order.map(|r| super::debrief::order_debrief(&r, lang, state.order_submitted_after, steps)),
        notice: notice.map(|r| super::debrief::notice_debrief(&NoticeOutcome::of(&r), &state.notice.note, lang, state.notice_handed_after.map(|n| (n, steps)))),
        protocol: protocol_lines(drill, scripts, slot, lang),
        knowledge: slot_knowledge(drill, scripts, at_hand, slot, lang),
    }
}

/// The knowledge entries the slot's call needed (its work-order truth's),
/// each marked whether it was looked up during the slot, as a solo
/// debrief marks them; empty without the folder's desk (public for tests).
pub fn slot_knowledge(drill: &Drill, scripts: &Library, at_hand: AtHand<'_>, slot: usize, lang: Lang) -> Vec<(EntryVm, bool)> {
    let Some(id) = drill.slots.get(slot).map(|s| &s.scenario) else { return Vec::new() };
    let (Some(script), Some(desk)) = (scripts.script(id), at_hand.desks.and_then(|d| d.get(id))) else { return Vec::new() };
    let lookups = &drill.states[slot].lookups;
    script
        .scenario
        .work_order
        .iter()
        .flat_map(|t| &t.knowledge)
        .filter_map(|entry| desk.base.entry(entry))
        .map(|e| (super::encounter::entry_vm(e, lang), lookups.iter().any(|l| l.entry == e.id)))
        .collect()
}

/// `slot_debrief` with the knowledge the call needed, marked as looked up
/// or not, from the folder's desk.
pub fn slot_debrief_at(drill: &Drill, scripts: &Library, at_hand: AtHand<'_>, slot: usize, lang: Lang) -> Option<DebriefVm> {
    let mut vm = slot_debrief(drill, scripts, slot, lang)?;
    vm.knowledge = slot_knowledge(drill, scripts, at_hand, slot, lang);
    Some(vm)
}

/// The slot's risk protocol as the debrief words it (empty when the call
/// held no risk and no action was taken).
pub fn protocol_lines(drill: &Drill, scripts: &Library, slot: usize, lang: Lang) -> Vec<String> {
    drill.protocol_report(slot, scripts).ok().flatten().map(|r| protocol_notes(&r, lang)).unwrap_or_default()
}

/// The risk-protocol strip of the slot in play, as under every solo
/// hotline call, risk or not (offering it only when one is scripted would
/// give the answer away): the member in the seat, the class, or the
/// role-play's responder takes the actions. None between slots, on a
/// counter, and once the call is over. `encounter` is the slot's, replayed.
pub fn protocol_strip(drill: &Drill, encounter: Option<&Encounter>, lang: Lang) -> Option<ProtocolVm> {
    if !matches!(drill.phase, Phase::Playing { .. } | Phase::TieBreak { .. }) {
        return None;
    }
    let encounter = encounter.filter(|e| e.scenario().channel == counterpart_core::scenario::model::Channel::Hotline && !e.is_over())?;
    let taken: Vec<String> = encounter.protocol_actions().into_iter().map(|(action, _)| action).collect();
    Some(ProtocolVm::new(lang, &taken))
}

/// Draws the strip at the bottom of the screen; an action taken goes to
/// the drill (and its log) as an event.
fn protocol_bar(root: &mut egui::Ui, active: &mut Active, store: &Store, lang: Lang, now: f64) {
    let Some(vm) = protocol_strip(&active.drill, active.encounter.as_ref(), lang) else { return };
    let picked = egui::Panel::bottom("drill-protocol").resizable(false).show(root, |ui| protocol_panel(ui, &vm)).inner;
    if let Some(action) = picked {
        apply(active, store, Event::Protocol { action }, now, None);
    }
}

fn member_name(drill: &Drill, index: Option<usize>) -> String {
    index.and_then(|i| drill.plan.roster.get(i)).map_or_else(|| drill.plan.group.as_ref().map_or_else(String::new, |g| g.name.clone()), |m| m.name.clone())
}

fn scenario_title(active: &Active, id: &str, lang: Lang) -> String {
    active.scripts.script(id).map_or_else(|| id.to_string(), |s| s.scenario.title.get(lang).to_string())
}

fn slot_line(active: &Active, slot: usize, lang: Lang) -> String {
    let s = &active.drill.slots[slot];
    let title = scenario_title(active, &s.scenario, lang);
    let of = active.drill.slots.len();
    let n = slot + 1;
    // One word for a slot in every mode: 第 n/N 场, "Turn n/N".
    match (active.drill.plan.mode, lang) {
        (Mode::HotSeat, Lang::Zh) => format!("第 {n}/{of} 场：{} 应对《{title}》", member_name(&active.drill, s.player)),
        (Mode::HotSeat, Lang::En) => format!("Turn {n}/{of}: {} faces “{title}”", member_name(&active.drill, s.player)),
        (Mode::ClassVote, Lang::Zh) => format!("第 {n}/{of} 场：全班一起应对《{title}》"),
        (Mode::ClassVote, Lang::En) => format!("Turn {n}/{of}: the class faces “{title}”"),
        (Mode::RolePlay, _) => {
            let observers: Vec<String> = s.observers.iter().map(|&o| member_name(&active.drill, Some(o))).collect();
            let (citizen, player) = (member_name(&active.drill, s.citizen), member_name(&active.drill, s.player));
            match lang {
                Lang::Zh => format!("第 {n}/{of} 场《{title}》：{citizen} 扮演群众，{player} 应答，{} 观察打分", observers.join("、")),
                Lang::En => format!("Turn {n}/{of}, “{title}”: {citizen} plays the citizen, {player} responds, {} observe", observers.join(", ")),
            }
        }
    }
}

/// The running order banner: every slot's player in order, who is on now
/// and who is next.
pub fn running_order(drill: &Drill, lang: Lang) -> RunningOrderVm {
    let current = current_slot(drill);
    let playing = matches!(drill.phase, Phase::Starting { .. } | Phase::Playing { .. } | Phase::TieBreak { .. } | Phase::Ended { .. });
    let name = |slot: usize| {
        let s = &drill.slots[slot];
        match (drill.plan.mode, lang) {
            (Mode::RolePlay, Lang::Zh) => format!("{}（群众：{}）", member_name(drill, s.player), member_name(drill, s.citizen)),
            (Mode::RolePlay, Lang::En) => format!("{} (citizen: {})", member_name(drill, s.player), member_name(drill, s.citizen)),
            (Mode::ClassVote, Lang::Zh) => format!("全班 · 第 {} 场", slot + 1),
            (Mode::ClassVote, Lang::En) => format!("the class · turn {}", slot + 1),
            _ => member_name(drill, s.player),
        }
    };
    let next_slot = match current {
        Some(c) if playing => (c + 1 < drill.slots.len()).then_some(c + 1),
        other => other,
    };
    let order = (0..drill.slots.len())
        .map(|i| {
            let mark = match drill.states[i].status {
                SlotStatus::Done => OrderMark::Done,
                SlotStatus::Skipped => OrderMark::Skipped,
                _ if playing && Some(i) == current => OrderMark::Now,
                _ if Some(i) == next_slot => OrderMark::Next,
                _ => OrderMark::Later,
            };
            (format!("{}. {}", i + 1, name(i)), mark)
        })
        .collect();
    RunningOrderVm {
        lang,
        now: current.filter(|_| playing).map(name),
        next: next_slot.filter(|_| !drill.is_over()).map(name),
        order,
    }
}

/// A finished hot-seat slot's debrief, from the drill's own record of it:
/// the encounter replayed from the slot's answers, scored as stored.
pub fn slot_debrief(drill: &Drill, scripts: &Library, slot: usize, lang: Lang) -> Option<DebriefVm> {
    let encounter = drill.encounter(slot, scripts).ok().flatten()?;
    let result = drill.states[slot].result.as_ref()?;
    let mut vm = super::debrief::encounter_debrief(&encounter, &result.card, result.disc_guess, lang);
    let who = member_name(drill, drill.slots[slot].player);
    let of = drill.slots.len();
    let label = match lang {
        Lang::Zh => format!("第 {}/{of} 场 · {who} 的复盘（已记入 {who} 的档案）", slot + 1),
        Lang::En => format!("Turn {}/{of} · {who}'s debrief (recorded in {who}'s record)", slot + 1),
    };
    vm.frame = DebriefFrame::Drill { label };
    // Projected for the room: the scores unless the trainer shows more.
    vm.show_replay = false;
    let state = &drill.states[slot];
    let steps = state.choices.len();
    vm.order = state.order_outcome.as_ref().map(|o| super::debrief::outcome_debrief(o, lang, state.order_submitted_after.map(|n| (n, steps))));
    vm.notice = state.notice_outcome.as_ref().map(|o| super::debrief::notice_debrief(o, &state.notice.note, lang, state.notice_handed_after.map(|n| (n, steps))));
    Some(vm)
}

fn export_report(active: &Active, store: &Store) -> Result<String, Text> {
    let attempts = store.drill_attempts(&active.drill).map_err(|e| e.message())?;
    let stamp: String = counterpart_core::records::store::utc_stamp().chars().filter(|c| c.is_ascii_digit()).take(14).collect();
    let dir = crate::app::settings::export_root(store).join(format!("drill-{}-{stamp}", file_stem(&active.drill.plan.title)));
    let failed = |path: &std::path::Path, e: &dyn std::fmt::Display| {
        Text::new(format!("无法写入 {}：{e}", path.display()), format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(&dir).map_err(|e| failed(&dir, &e))?;
    let html = dir.join("session.html");
    std::fs::write(&html, drill_html(&active.drill, &attempts, &active.scripts)).map_err(|e| failed(&html, &e))?;
    let csv = dir.join("session.csv");
    let file = std::fs::File::create(&csv).map_err(|e| failed(&csv, &e))?;
    write_drill_csv(&active.drill, std::io::BufWriter::new(file)).map_err(|e| failed(&csv, &e))?;
    Ok(dir.display().to_string())
}

#[allow(clippy::too_many_arguments)]
fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    mut state: ResMut<DrillScreen>,
    scenarios: Res<Scenarios>,
    records: Res<Records>,
    settings: Res<Settings>,
    words: Res<Words>,
    time: Res<Time<Real>>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let words = &*words;
    let ctx = contexts.ctx_mut()?;
    let lang = settings.lang;
    let now = run::now_secs(&time);
    let mut root = super::root_ui(ctx, content.0, "screen");
    let state = &mut *state;
    let Some(store) = records.store() else {
        if let Some(setup) = state.setup.as_mut() {
            setup.lang = lang;
            egui::CentralPanel::default().show(&mut root, |ui| setup_view(ui, setup));
        }
        return Ok(());
    };
    let Some(active) = state.active.as_mut() else {
        let Some(setup) = state.setup.as_mut() else { return Ok(()) };
        if setup.lang != lang {
            // Titles follow the language switch (F2) while setting up.
            for pick in &mut setup.scenarios {
                if let Some(script) = scenarios.library.script(&pick.id) {
                    pick.title = script.scenario.title.get(lang).to_string();
                }
            }
        }
        setup.lang = lang;
        let action = egui::CentralPanel::default().show(&mut root, |ui| setup_view(ui, setup)).inner;
        match action {
            Some(SetupAction::Start) => {
                // Refused in place, the roster kept as typed to be corrected.
                let problems = setup.roster_problems();
                if !problems.is_empty() {
                    setup.error = Some(Text::new("名单中的工号有问题（见名单下方红字），改正后再开始", "An employee number in the roster needs correcting (in red under the roster)"));
                } else {
                    let plan = plan_from(setup, run::fresh_seed());
                    match store.create_drill(&plan) {
                        Ok((id, drill)) => state.active = Some(activate(id, drill, scripts_of(&scenarios), desks_for(&plan.scenarios, &scenarios), now)),
                        Err(e) => setup.error = Some(e.message()),
                    }
                }
            }
            Some(SetupAction::Resume(id)) => {
                if let Err(e) = resume_drill(&mut state.active, store, &scenarios, words, id, now) {
                    setup.error = Some(e);
                }
            }
            Some(SetupAction::CloseUnfinished(id)) => match close_unfinished(store, &scripts_of(&scenarios), id) {
                Ok(()) => setup.unfinished.retain(|d| d.id != id),
                Err(e) => setup.error = Some(e),
            },
            None => {}
        }
        return Ok(());
    };

    // Typing on the desk reaches the log after a short pause, so a crash
    // loses at most the last second of it.
    if let Some(since) = active.unlogged_since {
        if now - since >= PAPERS_LOGGED_AFTER_SECS {
            log_papers(active, store, now);
        } else {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(PAPERS_LOGGED_AFTER_SECS - (now - since) + 0.05));
        }
    }
    // Ctrl+Z on every drill phase (the hot seat's encounter view has no
    // button of its own): the core refuses what cannot be undone. Not
    // while typing: there Ctrl+Z undoes the typing.
    if active.drill.can_undo() && !ctx.text_edit_focused() && ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z)) {
        apply(active, store, Event::Undo, now, None);
    }
    let banner = running_order(&active.drill, lang);
    egui::Panel::top("drill-running-order").show(&mut root, |ui| {
        ui.add_space(2.0);
        running_order_view(ui, &banner);
        ui.add_space(2.0);
    });
    if let Some(confirm) = active.confirm.clone() {
        let answer = egui::CentralPanel::default().show(&mut root, |ui| confirm_view(ui, lang, &confirm)).inner;
        match answer {
            Some(true) => {
                active.confirm = None;
                match confirm {
                    Confirm::Skip(_) => apply(active, store, Event::SkipSlot, now, None),
                    Confirm::Close => apply(active, store, Event::Close, now, None),
                    Confirm::Leave => {
                        log_papers(active, store, now);
                        next.set(Screen::Library);
                    }
                }
            }
            Some(false) => active.confirm = None,
            None => {}
        }
        return Ok(());
    }
    if let Some((slot, shown_lang, _)) = &active.slot_debrief
        && *shown_lang != lang
    {
        let slot = *slot;
        active.slot_debrief = slot_debrief_at(&active.drill, &active.scripts, AtHand { desks: Some(&active.desks), segmenter: None }, slot, lang).map(|vm| (slot, lang, vm));
    }
    if let Some((_, _, vm)) = active.slot_debrief.as_mut() {
        vm.show_replay = active.replay_shown;
        let action = egui::CentralPanel::default().show(&mut root, |ui| debrief_view(ui, vm)).inner;
        match action {
            Some(DebriefAction::ToggleReplay) => active.replay_shown = !active.replay_shown,
            Some(DebriefAction::Continue) => active.slot_debrief = None,
            _ => {}
        }
        return Ok(());
    }
    let mode = active.drill.plan.mode;
    match active.drill.phase.clone() {
        Phase::Ready { .. } | Phase::Starting { .. } | Phase::Finished | Phase::Closed => {
            let over = matches!(active.drill.phase, Phase::Finished | Phase::Closed);
            // Played or skipped, as the report counts them: after "End the
            // drill now" the header says how many were played, not N/N.
            let done = active.drill.states.iter().filter(|s| matches!(s.status, SlotStatus::Done | SlotStatus::Skipped)).count();
            let vm = ReadyVm {
                lang,
                title: active.drill.plan.title.clone(),
                mode,
                next: current_slot(&active.drill).map(|s| slot_line(active, s, lang)),
                progress: match (&active.drill.phase, lang) {
                    (Phase::Closed, Lang::Zh) => format!("已提前结束：{done}/{} 场已进行", active.drill.slots.len()),
                    (Phase::Closed, Lang::En) => format!("ended early: {done} of {} slots played", active.drill.slots.len()),
                    _ => format!("{done}/{}", active.drill.slots.len()),
                },
                scoreboard: active.drill.scoreboard(),
                last_agreement: active.last_agreement.clone(),
                finished: over,
                report: active.report.clone().map(|r| r.map_err(|e| e.get(lang).to_string())),
                error: active.error.as_ref().map(|e| e.get(lang).to_string()),
            };
            let action = egui::CentralPanel::default().show(&mut root, |ui| ready_view(ui, &vm)).inner;
            match action {
                Some(ReadyAction::StartNext) => {
                    active.disc_guess = None;
                    active.outcome = None;
                    active.observer_tab = 0;
                    active.trainer_view = false;
                    active.card = None;
                    apply(active, store, Event::StartSlot, now, None);
                }
                Some(ReadyAction::Skip) => {
                    let who = active.drill.current().map(|s| member_name(&active.drill, s.player)).unwrap_or_default();
                    active.confirm = Some(Confirm::Skip(who));
                }
                Some(ReadyAction::Close) => active.confirm = Some(Confirm::Close),
                Some(ReadyAction::Report) => active.report = Some(export_report(active, store)),
                Some(ReadyAction::Leave) => {
                    state.active = None;
                    next.set(Screen::Library);
                }
                None => {}
            }
        }
        Phase::Playing { slot } | Phase::Ended { slot } | Phase::TieBreak { slot, .. } if mode == Mode::RolePlay => {
            let Some(card) = active.card.clone() else {
                active.error = Some(Text::new("这一轮没有提示卡", "this slot has no cue card"));
                return Ok(());
            };
            let observers: Vec<(usize, String)> = active.drill.slots[slot].observers.iter().map(|&o| (o, member_name(&active.drill, Some(o)))).collect();
            let tab = active.observer_tab.min(observers.len().saturating_sub(1));
            let sheet = active.drill.states[slot].sheets.get(tab);
            let marks = sheet.map(|s| s.marks.clone()).unwrap_or_default();
            let red_flags = sheet.map(|s| s.red_flags.clone()).unwrap_or_default();
            let has_order = active.scripts.script(&active.drill.slots[slot].scenario).is_some_and(|s| s.scenario.work_order.is_some());
            let order_ticks = has_order.then(|| FieldName::ALL.iter().map(|&f| (f, sheet.and_then(|s| s.order_tick(f)))).collect());
            let vm = RolePlayVm {
                lang,
                header: slot_line(active, slot, lang),
                card,
                observers: observers.clone(),
                observer_tab: tab,
                marks,
                red_flags,
                order_ticks,
                outcome: active.outcome,
                trainer_view: active.trainer_view,
                can_undo: active.drill.can_undo(),
                error: active.error.as_ref().map(|e| e.get(lang).to_string()),
            };
            protocol_bar(&mut root, active, store, lang, now);
            let action = egui::CentralPanel::default().show(&mut root, |ui| role_play_view(ui, &vm)).inner;
            match action {
                Some(RolePlayAction::Closest(k)) => apply(active, store, Event::CueNext { closest: k }, now, None),
                Some(RolePlayAction::Tab(t)) => active.observer_tab = t,
                Some(RolePlayAction::ToggleTrainerView) => active.trainer_view = !active.trainer_view,
                Some(RolePlayAction::Undo) => apply(active, store, Event::Undo, now, None),
                Some(RolePlayAction::Mark(item, mark)) => {
                    if let Some((observer, _)) = observers.get(tab) {
                        apply(active, store, Event::Observe { observer: *observer, item, mark }, now, None);
                    }
                }
                Some(RolePlayAction::RedFlag(flag, raised)) => {
                    if let Some((observer, _)) = observers.get(tab) {
                        apply(active, store, Event::RedFlag { observer: *observer, flag, raised }, now, None);
                    }
                }
                Some(RolePlayAction::OrderTick(field, right)) => {
                    if let Some((observer, _)) = observers.get(tab) {
                        apply(active, store, Event::OrderTick { observer: *observer, field, right }, now, None);
                    }
                }
                Some(RolePlayAction::Outcome(o)) => active.outcome = Some(o),
                Some(RolePlayAction::Finish) => {
                    let responder = member_name(&active.drill, active.drill.slots[slot].player);
                    let names = observers.iter().map(|(_, n)| n.clone()).collect();
                    let agreement = active.drill.agreement(slot);
                    // The ticks beside the truth the cue card's path revealed.
                    let order = if has_order {
                        active.drill.order_ticks(slot, &active.scripts, AtHand::new(&active.desks, words.get())).ok().flatten().unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    // Hidden during the slot, the style is revealed in its debrief.
                    let style = Some(format!(
                        "{}{}",
                        disc_label(lang, vm.card.style),
                        vm.card.secondary.map_or(String::new(), |s| format!(" / {}", disc_label(lang, s)))
                    ));
                    apply(active, store, Event::FinishSlot { disc_guess: None, outcome: active.outcome }, now, Some(words));
                    if active.error.is_none() {
                        let protocol = protocol_lines(&active.drill, &active.scripts, slot, lang);
                        active.last_agreement = agreement.map(|agreement| AgreementVm { responder, style, observers: names, agreement, order, protocol });
                    }
                }
                None => {}
            }
        }
        Phase::Playing { slot } | Phase::TieBreak { slot, .. } if mode == Mode::ClassVote => {
            let Some(encounter) = active.encounter.as_ref() else { return Ok(()) };
            let Some(prompt) = encounter.prompt() else { return Ok(()) };
            let scenario = encounter.scenario();
            let tied = match &active.drill.phase {
                Phase::TieBreak { tied, .. } => Some(tied.clone()),
                _ => None,
            };
            // The class sees the options in the attempt's shuffled order;
            // counts and choices are kept by option index.
            let order = prompt.order.to_vec();
            let position_of = |option: usize| order.iter().position(|&o| o == option).unwrap_or(option);
            // A tie shows the counts that made it (kept by the drill), not
            // the emptied boxes.
            let entered = match (&tied, &active.drill.states[slot].pending_counts) {
                (Some(_), Some(pending)) => pending.clone(),
                _ => active.counts.clone(),
            };
            let shown_counts: Vec<u32> =
                if entered.len() == order.len() { order.iter().map(|&o| entered[o]).collect() } else { entered };
            let mut vm = VoteVm {
                lang,
                header: slot_line(active, slot, lang),
                citizen: scenario.citizen.name.get(lang).to_string(),
                said: prompt.said.get(lang).to_string(),
                mood: format!("{} · {}", upset_word(lang, prompt.mood.upset), trust_word(lang, prompt.mood.trust)),
                options: prompt.shown().map(|(_, o)| o.text.get(lang).to_string()).collect(),
                counts: shown_counts,
                tied: tied.map(|t| t.into_iter().map(position_of).collect()),
                present: u32::try_from(active.drill.plan.roster.len()).ok().filter(|&n| n > 0),
                can_undo: active.drill.can_undo(),
                error: active.error.as_ref().map(|e| e.get(lang).to_string()),
            };
            let file = scenarios.path_of(&scenario.id).unwrap_or_default();
            let mut run = Run::new(file, encounter.clone(), active.call_started, None, None);
            let mut desk = desk_for_run(active, &mut run, lang, words);
            protocol_bar(&mut root, active, store, lang, now);
            let (action, desk_action) = egui::CentralPanel::default().show(&mut root, |ui| vote_with_desk(ui, &mut vm, desk.as_mut())).inner;
            if let (Some(a), Some(d)) = (desk_action, &desk) {
                desk_acted(active, store, &records, &mut run, d, a, now);
            }
            let by_option = |shown: &[u32]| -> Vec<u32> {
                if shown.len() != order.len() {
                    return shown.to_vec();
                }
                let mut counts = vec![0; order.len()];
                for (position, &option) in order.iter().enumerate() {
                    counts[option] = shown[position];
                }
                counts
            };
            let option_at = |position: usize| order.get(position).copied().unwrap_or(position);
            active.counts = by_option(&vm.counts);
            match action {
                Some(VoteAction::Counts) => apply(active, store, Event::Votes { counts: by_option(&vm.counts) }, now, None),
                Some(VoteAction::Majority(k)) => apply(active, store, Event::Majority { option: option_at(k) }, now, None),
                Some(VoteAction::BreakTie(k)) => apply(active, store, Event::BreakTie { option: option_at(k) }, now, None),
                Some(VoteAction::Undo) => apply(active, store, Event::Undo, now, None),
                None => {}
            }
        }
        Phase::Ended { slot } if mode == Mode::ClassVote => {
            let turns = active.debrief.as_ref().map(|(_, d)| d.clone()).unwrap_or_default();
            // The class completes its order after the call, then hands it in
            // to see it compared; "record" then finishes the slot.
            let pending = active.drill.takes_order(&active.scripts) || active.drill.takes_notice(&active.scripts);
            if !pending && active.papers.as_ref().is_none_or(|(s, l, _)| *s != slot || *l != lang) {
                active.papers = Some((slot, lang, papers_vm(active, slot, lang, words)));
            }
            let papers = if pending {
                VotePapersVm { pending: true, protocol: protocol_lines(&active.drill, &active.scripts, slot, lang), ..VotePapersVm::default() }
            } else {
                active.papers.as_ref().map(|p| p.2.clone()).unwrap_or_default()
            };
            let Some(encounter) = active.encounter.clone() else { return Ok(()) };
            let file = scenarios.path_of(&encounter.scenario().id).unwrap_or_default();
            let mut run = Run::new(file, encounter, active.call_started, None, None);
            let mut desk = if pending { desk_for_run(active, &mut run, lang, words) } else { None };
            let (action, desk_action) = egui::CentralPanel::default().show(&mut root, |ui| vote_debrief_with_papers(ui, lang, &turns, &papers, desk.as_mut())).inner;
            if let (Some(a), Some(d)) = (desk_action, &desk) {
                desk_acted(active, store, &records, &mut run, d, a, now);
            }
            match action {
                Some(VoteDebriefAction::HandIn) => {
                    log_papers(active, store, now);
                    if active.drill.takes_order(&active.scripts) {
                        send(active, store, Event::SubmitOrder, now, None);
                    }
                    if active.drill.takes_notice(&active.scripts) {
                        send(active, store, Event::HandNotice, now, None);
                    }
                }
                Some(VoteDebriefAction::Finish) => apply(active, store, Event::FinishSlot { disc_guess: None, outcome: None }, now, Some(words)),
                None => {}
            }
        }
        Phase::Playing { slot } | Phase::Ended { slot } | Phase::TieBreak { slot, .. } => {
            // Hot seat: the player's own encounter, as in solo practice.
            let Some(encounter) = active.encounter.clone() else { return Ok(()) };
            let file = scenarios.path_of(&encounter.scenario().id).unwrap_or_default();
            let mut run = Run::new(file, encounter, active.call_started, None, active.error.clone());
            run.turn_started = active.turn_started;
            run.disc_guess = active.disc_guess;
            // The member's own work order or notice, as in solo practice.
            let mut desk = desk_for_run(active, &mut run, lang, words);
            let vm = super::encounter::encounter_vm(&run, lang, now);
            protocol_bar(&mut root, active, store, lang, now);
            let (action, desk_action) = egui::CentralPanel::default().show(&mut root, |ui| encounter_view_with_desk(ui, &vm, desk.as_mut())).inner;
            if let (Some(a), Some(d)) = (desk_action, &desk) {
                desk_acted(active, store, &records, &mut run, d, a, now);
            }
            match action {
                Some(EncounterAction::Choose(position)) => {
                    let secs = vm.prompt.as_ref().and_then(|p| p.time_limit).map(|_| vm.turn_secs);
                    if let Some(option) = vm.prompt.as_ref().and_then(|p| p.option_at(position)) {
                        apply(active, store, Event::Choose { option, response_secs: secs }, now, None);
                    }
                }
                Some(EncounterAction::Guess(style)) => active.disc_guess = Some(style),
                Some(EncounterAction::ConfirmGuess) => {
                    apply(active, store, Event::FinishSlot { disc_guess: active.disc_guess, outcome: None }, now, Some(words));
                    // The member sees their debrief before the next scoreboard.
                    if active.error.is_none() {
                        active.slot_debrief = slot_debrief_at(&active.drill, &active.scripts, AtHand { desks: Some(&active.desks), segmenter: None }, slot, lang).map(|vm| (slot, lang, vm));
                    }
                }
                None => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::clocks;

    #[test]
    fn the_call_clock_runs_for_the_whole_call_and_the_countdown_per_turn() {
        let start = clocks(None, Some((Some(0), 0)), 10.0, (0.0, 0.0));
        assert_eq!(start, (10.0, 10.0), "the first slot starts a call");
        let answered = clocks(Some((Some(0), 0)), Some((Some(0), 1)), 25.0, start);
        assert_eq!(answered, (10.0, 25.0), "an answer restarts the countdown, not the call");
        let nothing = clocks(Some((Some(0), 1)), Some((Some(0), 1)), 30.0, answered);
        assert_eq!(nothing, answered, "an event that changes nothing on screen changes no clock");
        let next = clocks(Some((Some(0), 1)), Some((Some(1), 0)), 40.0, answered);
        assert_eq!(next, (40.0, 40.0), "the next member's slot is a new call");
        let skipped = clocks(Some((Some(1), 0)), Some((Some(2), 0)), 45.0, next);
        assert_eq!(skipped, (45.0, 45.0), "a skipped slot with no answers still starts a new call");
    }
}
