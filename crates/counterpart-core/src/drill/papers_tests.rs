//! The work order and the one-time notice in drills: typed as events,
//! scored at the slot's end exactly as a solo attempt is, ticked by
//! role-play observers. Uses the bundled scenarios (the frozen fixtures
//! have no work-order or notice truth).

use super::*;
use crate::analysis::analyze::{Objective, analyze};
use crate::library::load::load_file;
use crate::scenario::model::{RequestType, Urgency};
use std::path::PathBuf;

const WATER: &str = "hotline-water-outage";
const TRIPS: &str = "counter-repeated-trips";

fn bundled(id: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios")).join(format!("{id}.ron"))
}

struct Bench {
    scripts: Library,
    desks: HashMap<String, Arc<Desk>>,
    segmenter: Segmenter,
}

impl Bench {
    fn new() -> Bench {
        let ids = [WATER, TRIPS];
        let scripts = Library::from_scripts(ids.iter().map(|id| load_file(&bundled(id)).script().expect("bundled scenario loads").clone()));
        let desks = ids.iter().map(|id| (id.to_string(), Arc::new(Desk::for_file(&bundled(id))))).collect();
        Bench { scripts, desks, segmenter: Segmenter::new() }
    }

    fn at_hand(&self) -> AtHand<'_> {
        AtHand::new(&self.desks, &self.segmenter)
    }

    fn best(&self, id: &str) -> Vec<usize> {
        analyze(&self.scripts[id]).unwrap().best(Objective::Overall).unwrap().route.clone()
    }

    /// Applies the events like the store does (linking a started slot),
    /// keeping the log; returns every effect.
    fn run(&self, drill: &mut Drill, log: &mut Vec<Event>, events: &[Event]) -> Vec<Effect> {
        let mut all = Vec::new();
        for event in events {
            let effects = drill.apply_at(event, &self.scripts, self.at_hand()).unwrap_or_else(|e| panic!("{event:?}: {e}"));
            log.push(event.clone());
            if let Some(Effect::BeginAttempt { slot, scenario_version, .. }) = effects.first() {
                let link = Event::Linked { slot: *slot, attempt: 1000 + *slot as i64, scenario_version: *scenario_version, started_at: None };
                drill.apply_at(&link, &self.scripts, self.at_hand()).unwrap();
                log.push(link);
            }
            all.extend(effects);
        }
        all
    }
}

fn plan(mode: Mode, members: usize, scenario: &str) -> Plan {
    Plan {
        title: "工单演练".into(),
        mode,
        scenarios: vec![scenario.to_string()],
        roster: (0..members).map(|i| Member::profile(10 + i as i64, format!("学员{i}"))).collect(),
        group: (mode == Mode::ClassVote).then(|| Member::profile(99, "全班")),
        rotation: Rotation::Same,
        rounds: 1,
        seed: 7,
    }
}

/// What a careful operator writes for the water outage.
fn good_order() -> WorkOrder {
    WorkOrder {
        caller_name: "周先生".into(),
        address: "幸福里小区3栋".into(),
        request_type: Some(RequestType::Help),
        category: Some("urban-water".into()),
        content: "昨天早上8点起幸福里小区3栋整栋停水，家中82岁母亲卧床，没有看到停水通知，供水公司和物业互相推诿，要求尽快恢复供水。".into(),
        urgency: Some(Urgency::Urgent),
        confidential: Some(false),
        callback: Some(true),
        handling_unit: "市供水公司".into(),
        time_limit: Some("hotline-utilities-response".into()),
        ..WorkOrder::default()
    }
}

fn finish() -> Event {
    Event::FinishSlot { disc_guess: None, outcome: None }
}

fn result_of(effects: &[Effect]) -> &AttemptResult {
    effects.iter().find_map(|e| if let Effect::FinishAttempt { result, .. } = e { Some(result) } else { None }).expect("the slot finished")
}

#[test]
fn a_hot_seat_order_is_scored_as_a_solo_attempt_and_lowers_the_card_when_blank() {
    let bench = Bench::new();
    let best = bench.best(WATER);
    let choices: Vec<Event> = best.iter().map(|&option| Event::Choose { option, response_secs: None }).collect();
    let (mut drill, mut log) = (Drill::new(plan(Mode::HotSeat, 2, WATER)).unwrap(), Vec::new());

    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let half = WorkOrder { caller_name: "周先生".into(), ..WorkOrder::default() };
    let effects = bench.run(&mut drill, &mut log, &[Event::Order { order: half.clone() }]);
    assert_eq!(effects, vec![Effect::SaveOrder { attempt: 1000, order: half, submitted_after: None }], "a draft is saved as typed");
    bench.run(&mut drill, &mut log, &choices[..2]);
    bench.run(&mut drill, &mut log, &[Event::Order { order: good_order() }]);
    let effects = bench.run(&mut drill, &mut log, &[Event::SubmitOrder]);
    assert_eq!(effects, vec![Effect::SaveOrder { attempt: 1000, order: good_order(), submitted_after: Some(2) }]);
    assert_eq!(drill.apply_at(&Event::Order { order: WorkOrder::default() }, &bench.scripts, bench.at_hand()), Err(DrillError::OrderHandedIn));
    assert_eq!(drill.apply_at(&Event::SubmitOrder, &bench.scripts, bench.at_hand()), Err(DrillError::OrderHandedIn));
    assert_eq!(drill.apply_at(&Event::Notice { notice: Notice::default() }, &bench.scripts, bench.at_hand()), Err(DrillError::NoNoticeHere));
    bench.run(&mut drill, &mut log, &choices[2..]);
    let effects = bench.run(&mut drill, &mut log, &[finish()]);

    // The same answers and order played solo give the same card and outcome.
    let encounter = Encounter::replay(bench.scripts[WATER].clone(), drill.states[0].seed, &best).unwrap();
    let desk = &bench.desks[WATER];
    let (solo, report) = card_with_order(&encounter, Some(&good_order()), desk.context(&bench.segmenter));
    let outcome = OrderOutcome::of(&report.unwrap());
    assert_eq!(result_of(&effects).card, solo);
    assert!(matches!(&effects[..], [Effect::OrderScored { attempt: 1000, outcome: o }, Effect::FinishAttempt { .. }] if *o == outcome), "{effects:?}");
    assert_eq!(drill.states[0].order_outcome.as_ref(), Some(&outcome));
    let (right, of) = outcome.right_of();
    assert!(right + 1 >= of, "the careful order gets (nearly) every field right: {right}/{of}");

    // Member 2 plays the same route and hands nothing in: the blank order
    // is handed in at the end, and its caps lower the card.
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let best2 = Encounter::replay(bench.scripts[WATER].clone(), drill.states[1].seed, &best).unwrap();
    let effects = bench.run(&mut drill, &mut log, &choices);
    assert!(effects.iter().all(|e| matches!(e, Effect::RecordStep { .. })));
    let effects = bench.run(&mut drill, &mut log, &[finish()]);
    assert!(matches!(&effects[0], Effect::SaveOrder { attempt: 1001, submitted_after: Some(n), order } if *n == best.len() && order.is_blank()));
    let blank = result_of(&effects);
    assert!(blank.card.overall < best2.score().overall, "a blank order costs points: {} vs {}", blank.card.overall, best2.score().overall);
    let blank_outcome = drill.states[1].order_outcome.clone().unwrap();
    assert_eq!(blank_outcome.right_of().0, 0);

    // The log replays to the same drill, orders and scores included.
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);
}

#[test]
fn the_class_fills_one_order_and_the_vote_debrief_scores_it_as_it_stands() {
    let bench = Bench::new();
    let best = bench.best(WATER);
    let (mut drill, mut log) = (Drill::new(plan(Mode::ClassVote, 4, WATER)).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    assert_eq!(drill.order_report(0, &bench.scripts, bench.at_hand()).unwrap().unwrap().fields.len(), FieldName::ALL.len());
    for &option in &best {
        bench.run(&mut drill, &mut log, &[Event::Majority { option }]);
    }
    assert_eq!(drill.phase, Phase::Ended { slot: 0 });
    // After the call: the class completes the order on the debrief, then hands it in.
    let mut wrong = good_order();
    wrong.request_type = Some(RequestType::Enquiry);
    bench.run(&mut drill, &mut log, &[Event::Order { order: wrong.clone() }, Event::SubmitOrder]);
    let report = drill.order_report(0, &bench.scripts, bench.at_hand()).unwrap().unwrap();
    let request = report.field(FieldName::RequestType).unwrap();
    assert_eq!(request.verdict, Verdict::Wrong, "an enquiry for a call for help");
    assert_eq!(request.said, RequestType::Help.label());
    let effects = bench.run(&mut drill, &mut log, &[finish()]);
    assert!(!effects.iter().any(|e| matches!(e, Effect::SaveOrder { .. })), "handed in already");
    let encounter = drill.encounter(0, &bench.scripts).unwrap().unwrap();
    let (solo, _) = card_with_order(&encounter, Some(&wrong), bench.desks[WATER].context(&bench.segmenter));
    assert_eq!(result_of(&effects).card, solo);
    assert!(effects.iter().any(|e| matches!(e, Effect::OrderScored { attempt: 1000, .. })));
}

#[test]
fn undo_leaves_the_order_as_typed_and_a_role_play_has_none_to_type() {
    let bench = Bench::new();
    let best = bench.best(WATER);
    let (mut drill, mut log) = (Drill::new(plan(Mode::HotSeat, 1, WATER)).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot, Event::Choose { option: best[0], response_secs: None }, Event::Order { order: good_order() }]);
    bench.run(&mut drill, &mut log, &[Event::Undo]);
    assert!(drill.states[0].choices.is_empty());
    assert_eq!(drill.states[0].order, good_order());
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed.states[0].order, good_order());

    let (mut role, mut log) = (Drill::new(plan(Mode::RolePlay, 3, WATER)).unwrap(), Vec::new());
    bench.run(&mut role, &mut log, &[Event::StartSlot]);
    assert!(matches!(role.apply(&Event::Order { order: good_order() }, &bench.scripts), Err(DrillError::WrongMode { mode: Mode::RolePlay, .. })));
}

#[test]
fn observers_tick_order_fields_beside_the_truth_the_call_revealed() {
    let bench = Bench::new();
    let best = bench.best(WATER);
    let (mut drill, mut log) = (Drill::new(plan(Mode::RolePlay, 4, WATER)).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    let observers = drill.slots[0].observers.clone();
    assert_eq!(observers.len(), 2);
    let tick = |observer: usize, field: FieldName, right: Option<bool>| Event::OrderTick { observer, field, right };
    bench.run(&mut drill, &mut log, &[tick(observers[0], FieldName::RequestType, Some(true)), tick(observers[1], FieldName::RequestType, Some(false))]);
    bench.run(&mut drill, &mut log, &[tick(observers[0], FieldName::Address, Some(true)), tick(observers[1], FieldName::HandlingUnit, Some(true))]);
    // A mark changed and one taken back.
    bench.run(&mut drill, &mut log, &[tick(observers[1], FieldName::RequestType, Some(true)), tick(observers[1], FieldName::HandlingUnit, None)]);
    assert_eq!(drill.apply(&tick(0, FieldName::Address, Some(true)), &bench.scripts), Err(DrillError::NotObserver { member: 0 }));

    let fields = drill.order_ticks(0, &bench.scripts, bench.at_hand()).unwrap().unwrap();
    assert_eq!(fields.iter().map(|f| f.field).collect::<Vec<_>>(), FieldName::ALL.to_vec());
    let of = |field: FieldName| fields.iter().find(|f| f.field == field).unwrap();
    assert_eq!(of(FieldName::RequestType).ticks, vec![Some(true), Some(true)]);
    assert_eq!(of(FieldName::RequestType).said, RequestType::Help.label());
    assert_eq!(of(FieldName::HandlingUnit).ticks, vec![None, None]);
    // The address is said on the "details" turn: not yet on the cue card's path.
    assert!(!of(FieldName::Address).revealed, "{:?}", of(FieldName::Address));
    assert_eq!(of(FieldName::Address).ticks, vec![Some(true), None]);
    // The caller gives the address on the next turn.
    bench.run(&mut drill, &mut log, &[Event::CueNext { closest: best[0] }]);
    let fields = drill.order_ticks(0, &bench.scripts, bench.at_hand()).unwrap().unwrap();
    let address = fields.iter().find(|f| f.field == FieldName::Address).unwrap();
    assert!(address.revealed && address.said.zh.contains("幸福里"), "{address:?}");

    // Undo takes back the last tick; the log replays to the same sheets.
    bench.run(&mut drill, &mut log, &[tick(observers[0], FieldName::Urgency, Some(false)), Event::Undo]);
    assert_eq!(drill.states[0].sheets[0].order_tick(FieldName::Urgency), None);
    assert_eq!(drill.states[0].sheets[0].order_tick(FieldName::Address), Some(true));
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);
    // Ticks are a discussion aid: the observers' rubric marks alone score.
    let before = observed_card(&drill.states[0].sheets);
    let mut untouched = drill.states[0].sheets.clone();
    untouched.iter_mut().for_each(|s| s.order_ticks.clear());
    assert_eq!(observed_card(&untouched), before);
    bench.run(&mut drill, &mut log, &[Event::FinishSlot { disc_guess: None, outcome: Some(crate::scenario::model::Outcome::Resolved) }]);
}

#[test]
fn a_counter_notice_is_assembled_handed_over_and_scored_in_the_hot_seat() {
    let bench = Bench::new();
    let best = bench.best(TRIPS);
    let desk = &bench.desks[TRIPS];
    let truth = bench.scripts[TRIPS].scenario.notice.clone().unwrap();
    let entry = desk.base.entry(&truth.entries[0]).expect("the notice's entry is in the bundled knowledge base");
    // Every material and step of the entry, in order: more than needed.
    let picks = |n: usize| (0..n).map(|index| crate::notice::Pick { entry: entry.id.clone(), index }).collect::<Vec<_>>();
    let notice = Notice { materials: picks(entry.materials.len()), steps: picks(entry.steps.len()), follow_on: Vec::new(), note: "下午五点前审批科来电".into() };
    let (mut drill, mut log) = (Drill::new(plan(Mode::HotSeat, 1, TRIPS)).unwrap(), Vec::new());
    bench.run(&mut drill, &mut log, &[Event::StartSlot]);
    assert_eq!(drill.apply(&Event::Order { order: good_order() }, &bench.scripts), Err(DrillError::NoOrderHere));
    let effects = bench.run(&mut drill, &mut log, &[Event::Notice { notice: notice.clone() }]);
    assert_eq!(effects, vec![Effect::SaveNotice { attempt: 1000, notice: notice.clone(), handed_after: None }]);
    for &option in &best {
        bench.run(&mut drill, &mut log, &[Event::Choose { option, response_secs: None }]);
    }
    let effects = bench.run(&mut drill, &mut log, &[Event::HandNotice]);
    assert_eq!(effects, vec![Effect::SaveNotice { attempt: 1000, notice: notice.clone(), handed_after: Some(best.len()) }]);
    assert_eq!(drill.apply(&Event::HandNotice, &bench.scripts), Err(DrillError::NoticeHandedOver));
    let effects = bench.run(&mut drill, &mut log, &[finish()]);
    let encounter = drill.encounter(0, &bench.scripts).unwrap().unwrap();
    let (solo, report) = card_with_notice(&encounter.score(), Some(&truth), Some(&notice), &desk.base);
    assert_eq!(result_of(&effects).card, solo);
    let outcome = NoticeOutcome::of(&report.unwrap());
    assert!(matches!(&effects[..], [Effect::NoticeScored { attempt: 1000, outcome: o }, Effect::FinishAttempt { .. }] if *o == outcome), "{effects:?}");
    // Every material was picked, the two this citizen does not need too.
    let not_needed = outcome.materials.iter().filter(|l| l.verdict == crate::notice::LineVerdict::NotNeeded).count();
    assert_eq!(not_needed, truth.not_needed.len());
    assert!(outcome.caps.iter().any(|(item, level, _)| *item == Item::C2 && *level == 2), "{:?}", outcome.caps);
    let resumed = Drill::replay_at(drill.plan.clone(), &log, &bench.scripts, bench.at_hand()).unwrap();
    assert_eq!(resumed, drill);
}
