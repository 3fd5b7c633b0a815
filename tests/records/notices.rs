//! The one-time notice stored with an attempt (schema v8): a v7 file
//! migrates and keeps its attempts, drafts are replaced until the notice is
//! handed over, an attempt recorded with a notice carries the capped card
//! and the line-by-line outcome, and the outcome reaches the CSV, JSON,
//! HTML and xAPI.

use super::common::*;
use counterpart_core::analysis::analyze::analyze_personas;
use counterpart_core::knowledge::KnowledgeBase;
use counterpart_core::library::knowledge::Desk;
use counterpart_core::notice::{LineVerdict, Notice, Pick, complete_notice};
use counterpart_core::scenario::model::Item;

pub const LICENCE: &str = "scenarios/counter-business-licence.ron";

pub fn licence_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(LICENCE)
}

pub fn licence() -> Arc<Script> {
    let file = load_file(&licence_path());
    file.script().unwrap_or_else(|| panic!("{:#?}", file.errors())).clone()
}

pub fn base() -> KnowledgeBase {
    Desk::for_file(&licence_path()).base
}

/// The best route of the persona `seed` plays, played with that seed, so
/// that a resume or a report replays the same encounter.
pub fn best_encounter(script: &Arc<Script>, seed: u64) -> Encounter {
    let persona = script.persona_for_seed(seed);
    let route = analyze_personas(script).unwrap()[persona].best(Objective::Overall).unwrap().route.clone();
    Encounter::play_route(script.clone(), seed, &route).unwrap()
}

/// The model notice with its first material left off.
fn short_notice(script: &Script, base: &KnowledgeBase) -> Notice {
    let mut notice = complete_notice(script.scenario.notice.as_ref().unwrap(), base);
    notice.materials.remove(0);
    notice.note = "请带原件 <b>&</b>".into();
    notice
}

#[test]
fn a_v7_database_migrates_to_v8_and_keeps_its_attempts() {
    let dir = temp();
    let db = dir.path().join("v7.sqlite3");
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
        raw.execute_batch("DROP TABLE notices; PRAGMA user_version = 7;").unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 11);
    let old = store.attempt(done).unwrap();
    assert_eq!(old, before, "read exactly as it was");
    assert!(old.notice.is_none());
    // The new table works on the migrated file.
    let p = store.profiles().unwrap()[0].id;
    let licence = licence();
    let fresh = store.begin_attempt_for(p, &licence, 5).unwrap();
    let notice = short_notice(&licence, &base());
    assert!(store.save_notice(fresh, &notice, None).unwrap());
    assert_eq!(store.attempt(fresh).unwrap().notice.unwrap().notice, notice);
}

#[test]
fn drafts_are_replaced_until_the_notice_is_handed_over_then_never() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let p = store.create_profile("王芳").unwrap();
    let script = licence();
    let attempt = store.begin_attempt_for(p.id, &script, 4).unwrap();
    let mut notice = Notice { materials: vec![Pick { entry: "food-business-permit-application".into(), index: 0 }], ..Notice::default() };
    assert!(store.save_notice(attempt, &notice, None).unwrap());
    notice.note = "带原件\u{7}".into();
    notice.steps.push(Pick { entry: "nowhere".into(), index: usize::MAX });
    assert!(store.save_notice(attempt, &notice, None).unwrap());
    let stored = store.attempt(attempt).unwrap().notice.unwrap();
    assert_eq!(stored.notice, notice, "kept exactly as assembled, control character and dangling pick all");
    assert!(!stored.is_handed());
    assert!(store.save_notice(attempt, &notice, Some(2)).unwrap());
    assert!(!store.save_notice(attempt, &Notice::default(), None).unwrap(), "a notice handed over is never replaced");
    let stored = store.attempt(attempt).unwrap().notice.unwrap();
    assert_eq!((stored.notice, stored.handed_after_step), (notice.clone(), Some(2)));
    assert!(stored.handed_at.is_some());
    store.mark_abandoned(attempt).unwrap();
    assert!(matches!(store.save_notice(attempt, &notice, None), Err(StoreError::NotInProgress { .. })));
}

#[test]
fn an_attempt_recorded_with_a_notice_keeps_the_capped_card_and_the_outcome() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let p = store.create_profile("李明").unwrap();
    let script = licence();
    let base = base();
    let encounter = best_encounter(&script, 7);
    let notice = short_notice(&script, &base);
    let id = store.record_encounter_with(p.id, &encounter, None, None, Some((Some(&notice), &base))).unwrap();
    let record = store.attempt(id).unwrap();
    let card = &record.result.as_ref().unwrap().card;
    assert_eq!(card.item(Item::C2), 1, "a material missing caps C2 at 1");
    assert!(card.overall < encounter.score().overall, "{} vs {}", card.overall, encounter.score().overall);
    assert_eq!(record.summary.overall, Some(card.overall));
    let stored = record.notice.unwrap();
    assert_eq!(stored.notice, notice);
    assert_eq!(stored.handed_after_step, Some(encounter.steps().len()));
    let outcome = stored.outcome.unwrap();
    assert_eq!(outcome.materials.iter().filter(|l| l.verdict == LineVerdict::Missing).count(), 1);
    assert!(outcome.caps.iter().any(|(item, level, _)| *item == Item::C2 && *level == 1));

    // A scenario with notice truth and no notice handed over is scored as a
    // blank one: C2 and C4 at most 1.
    let none = store.record_encounter_with(p.id, &encounter, None, None, Some((None, &base))).unwrap();
    let record = store.attempt(none).unwrap();
    let card = &record.result.as_ref().unwrap().card;
    assert_eq!((card.item(Item::C2), card.item(Item::C4)), (1, 1));
    let stored = record.notice.expect("the blank notice it was scored as is stored");
    assert!(stored.notice.is_blank() && stored.handed_after_step.is_none());
}

#[test]
fn the_notice_reaches_the_csv_json_html_and_xapi() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let p = store.create_profile("李明").unwrap();
    let script = licence();
    let base = base();
    let encounter = best_encounter(&script, 7);
    let plain = store.record_encounter(p.id, &encounter, None).unwrap();
    let id = store.record_encounter_with(p.id, &encounter, None, None, Some((Some(&short_notice(&script, &base)), &base))).unwrap();
    let records = vec![store.attempt(plain).unwrap(), store.attempt(id).unwrap()];
    let mut csv = Vec::new();
    write_csv(&records, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("notice_lines")], "", "an attempt without a notice leaves the columns empty");
    let lines = &rows[1][col("notice_lines")];
    let (on, of) = lines.split_once('/').unwrap();
    assert_eq!(on.parse::<usize>().unwrap() + 1, of.parse::<usize>().unwrap(), "one line missing: {lines}");
    assert_eq!(&rows[1][col("notice_extra")], "0");
    assert!(rows[1][col("notice_caps")].contains("C2<=1"));
    let json = to_json(&records).unwrap();
    assert!(json.contains("\"notice\"") && json.contains("\"Missing\""));
    let library = Library::load(&[licence_path()]);
    let html = attempt_html(&records[1], &library);
    assert!(html.contains("一次性告知单 One-time notice") && html.contains("C2 ≤ 1") && html.contains("漏了"));
    assert!(html.contains("请带原件 &lt;b&gt;&amp;&lt;/b&gt;") && !html.contains("<b>&</b>"), "the note is escaped");
    assert!(!attempt_html(&records[0], &library).contains("一次性告知单"));
    let ext = |record: &counterpart_core::records::store::AttemptRecord| {
        let st = statements(record).unwrap();
        let result = st.iter().find(|s| s["verb"]["id"].as_str().is_some_and(|v| v.ends_with("completed"))).unwrap().clone();
        result["result"]["extensions"].as_object().unwrap().clone()
    };
    let with = ext(&records[1]);
    let notice = with.iter().find(|(k, _)| k.ends_with("/one-time-notice")).map(|(_, v)| v).expect("one-time-notice extension");
    assert_eq!(notice["missing"]["materials"], 1);
    assert_eq!(notice["caps"]["C2"], 1);
    assert_eq!(notice["steps_in_order"], true);
    assert!(!ext(&records[0]).keys().any(|k| k.ends_with("/one-time-notice")), "older statements stay as they were");
}
