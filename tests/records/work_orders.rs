//! The work order and knowledge lookups stored with an attempt (schema v7):
//! a v6 file migrates and keeps its attempts, drafts are replaced until the
//! order is handed in, and an attempt recorded with an order carries the
//! capped card and the field-by-field outcome.

use super::common::*;
use counterpart_core::knowledge::Segmenter;
use counterpart_core::library::knowledge::Desk;
use counterpart_core::records::store::Lookup;
use counterpart_core::scenario::model::{RequestType, Urgency};
use counterpart_core::workorder::{Verdict, WorkOrder, FieldName};

pub const WATER: &str = "scenarios/hotline-water-outage.ron";

pub fn water_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(WATER)
}

pub fn water() -> Arc<Script> {
    let file = load_file(&water_path());
    file.script().unwrap_or_else(|| panic!("{:#?}", file.errors())).clone()
}

/// A careless order: the wrong type and unit, a digit missing from nothing
/// (no number was said), the address partly right.
pub fn careless_order() -> WorkOrder {
    WorkOrder {
        caller_name: "周先生".into(),
        address: "幸福里".into(),
        request_type: Some(RequestType::Enquiry),
        category: Some("urban-water".into()),
        content: "停水了".into(),
        urgency: Some(Urgency::Normal),
        handling_unit: "物业公司".into(),
        ..WorkOrder::default()
    }
}

#[test]
fn a_v6_database_migrates_to_v7_and_keeps_its_attempts() {
    let dir = temp();
    let db = dir.path().join("v6.sqlite3");
    let script = script();
    let route = best_route(&script);
    let (done, before) = {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("老学员").unwrap();
        let done = play_and_record(&store, p.id, &script, 3, &route).0;
        (done, store.attempt(done).unwrap())
    };
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch("DROP TABLE work_orders; DROP TABLE lookups; PRAGMA user_version = 6;").unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let old = store.attempt(done).unwrap();
    assert_eq!(old, before, "read exactly as it was");
    assert!(old.work_order.is_none() && old.lookups.is_empty());
    // The new tables work on the migrated file.
    let p = store.profiles().unwrap()[0].id;
    let fresh = store.begin_attempt_for(p, &script, 5).unwrap();
    assert!(store.save_work_order(fresh, &careless_order(), None).unwrap());
    store.record_lookup(fresh, &Lookup { query: "gjj".into(), entry: "provident-fund-rent-withdrawal".into(), after_step: 0, recorded_at: String::new() }).unwrap();
    let record = store.attempt(fresh).unwrap();
    assert_eq!(record.work_order.unwrap().order, careless_order());
    assert_eq!(record.lookups.len(), 1);
}

#[test]
fn drafts_are_replaced_until_the_order_is_handed_in_then_never() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let p = store.create_profile("王芳").unwrap();
    let script = water();
    let attempt = store.begin_attempt_for(p.id, &script, 4).unwrap();
    let mut order = WorkOrder { caller_name: "周".into(), ..WorkOrder::default() };
    assert!(store.save_work_order(attempt, &order, None).unwrap());
    order.caller_name = "周先生\u{7}".into();
    assert!(store.save_work_order(attempt, &order, None).unwrap());
    let stored = store.attempt(attempt).unwrap().work_order.unwrap();
    assert_eq!(stored.order.caller_name, "周先生\u{7}", "kept exactly as typed, control character and all");
    assert!(!stored.is_submitted());
    assert!(store.save_work_order(attempt, &order, Some(3)).unwrap());
    let later = WorkOrder { caller_name: "改过".into(), ..WorkOrder::default() };
    assert!(!store.save_work_order(attempt, &later, None).unwrap(), "a handed-in order is never replaced");
    let stored = store.attempt(attempt).unwrap().work_order.unwrap();
    assert_eq!((stored.order, stored.submitted_after_step), (order.clone(), Some(3)));
    for (i, q) in ["gjj", "停水"].iter().enumerate() {
        store.record_lookup(attempt, &Lookup { query: q.to_string(), entry: format!("e{i}"), after_step: i, recorded_at: String::new() }).unwrap();
    }
    let lookups = store.attempt(attempt).unwrap().lookups;
    assert_eq!(lookups.iter().map(|l| (l.query.as_str(), l.entry.as_str(), l.after_step)).collect::<Vec<_>>(), vec![("gjj", "e0", 0), ("停水", "e1", 1)]);
    assert!(lookups.iter().all(|l| !l.recorded_at.is_empty()));
    store.mark_abandoned(attempt).unwrap();
    assert!(matches!(store.save_work_order(attempt, &order, None), Err(StoreError::NotInProgress { .. })));
}

#[test]
fn an_attempt_recorded_with_an_order_keeps_the_capped_card_and_the_outcome() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let p = store.create_profile("李明").unwrap();
    let script = water();
    let route = best_route(&script);
    let encounter = Encounter::play_route(script.clone(), 7, &route).unwrap();
    let desk = Desk::for_file(&water_path());
    let seg = Segmenter::new();
    let order = careless_order();
    let id = store.record_encounter_with_order(p.id, &encounter, None, Some((&order, desk.context(&seg)))).unwrap();
    let record = store.attempt(id).unwrap();
    let card = &record.result.as_ref().unwrap().card;
    assert!(card.overall < encounter.score().overall, "the careless order lowers the score: {} vs {}", card.overall, encounter.score().overall);
    assert_eq!(record.summary.overall, Some(card.overall));
    let stored = record.work_order.unwrap();
    assert_eq!(stored.order, order);
    assert_eq!(stored.submitted_after_step, Some(encounter.steps().len()));
    let outcome = stored.outcome.unwrap();
    let field = |f: FieldName| outcome.fields.iter().find(|r| r.field == f).unwrap().verdict;
    assert_eq!(field(FieldName::RequestType), Verdict::Wrong);
    assert_eq!(field(FieldName::HandlingUnit), Verdict::Wrong);
    assert!(outcome.caps.iter().any(|(item, level, _)| *item == counterpart_core::scenario::model::Item::P4 && *level == 1));
}

#[test]
fn the_order_and_lookups_reach_the_csv_json_html_and_xapi() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let p = store.create_profile("李明").unwrap();
    let script = water();
    let route = best_route(&script);
    let encounter = Encounter::play_route(script.clone(), 7, &route).unwrap();
    let desk = Desk::for_file(&water_path());
    let seg = Segmenter::new();
    let attempt = store.begin_attempt_for(p.id, &script, 7).unwrap();
    store.record_lookup(attempt, &Lookup { query: "停水".into(), entry: "water-outage-repair".into(), after_step: 1, recorded_at: String::new() }).unwrap();
    store.mark_abandoned(attempt).unwrap();
    let id = store.record_encounter_with_order(p.id, &encounter, None, Some((&careless_order(), desk.context(&seg)))).unwrap();
    let records = vec![store.attempt(attempt).unwrap(), store.attempt(id).unwrap()];
    let mut csv = Vec::new();
    write_csv(&records, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("lookups")], "water-outage-repair");
    assert!(rows[1][col("work_order_right")].contains('/'));
    assert!(rows[1][col("work_order_caps")].contains("P4<=1"));
    let json = to_json(&records).unwrap();
    assert!(json.contains("\"work_order\"") && json.contains("\"lookups\""));
    let library = Library::load(&[water_path()]);
    let html = attempt_html(&records[1], &library);
    assert!(html.contains("工单 Work order") && html.contains("物业公司") && html.contains("P4 ≤ 1"));
    assert!(attempt_html(&records[0], &library).contains("water-outage-repair"));
    let st = statements(&records[1]).unwrap();
    let result = st.iter().find(|s| s["verb"]["id"].as_str().is_some_and(|v| v.ends_with("completed"))).unwrap();
    let ext = result["result"]["extensions"].as_object().unwrap();
    let order = ext.iter().find(|(k, _)| k.ends_with("/work-order")).map(|(_, v)| v).expect("work-order extension");
    assert_eq!(order["fields"]["RequestType"], "Wrong");
    assert_eq!(order["caps"]["P4"], 1);
}
