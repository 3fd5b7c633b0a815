//! The work order against the bundled worked example (hotline-water-outage)
//! and the bundled knowledge folder: what an attempt reveals, how orders
//! score field by field, the caps on the conversation's card, and that no
//! input makes scoring panic.

use counterpart_core::knowledge::{Segmenter, SearchIndex, load_folder};
use counterpart_core::library::load::load_all;
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::scenario::model::{CityProfile, FactKind, Item, RequestType, Urgency};
use counterpart_core::scenario::parse::parse_ron;
use counterpart_core::workorder::{FieldName, Verdict, WorkOrder, WorkOrderContext, apply_caps, heard, revealed_facts, score_order};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn water() -> Arc<Script> {
    let loaded = load_all(&[scenarios().join("hotline-water-outage.ron")]);
    loaded[0].script().cloned().unwrap_or_else(|| panic!("{:#?}", loaded[0].errors()))
}

fn profile() -> CityProfile {
    parse_ron(&std::fs::read_to_string(scenarios().join("city/profile.ron")).unwrap(), "profile.ron").unwrap()
}

fn option(script: &Script, turn: &str, id: &str) -> usize {
    let t = script.scenario.turns.iter().find(|t| t.id == turn).unwrap();
    t.options.iter().position(|o| o.id == id).unwrap()
}

/// The main persona (a D) answered with the brisk good answers.
fn good_call(script: &Arc<Script>) -> Encounter {
    let route: Vec<usize> = [
        ("open", "own_brief"),
        ("details", "confirm_brief"),
        ("cause", "order_brief"),
        ("buck_passing", "joint_brief"),
        ("mother", "water_brief"),
        ("time", "limit_brief"),
        ("close", "sms_brief"),
    ]
    .iter()
    .map(|(t, o)| option(script, t, o))
    .collect();
    Encounter::play_route_as(script.clone(), 7, 0, &route).unwrap()
}

fn good_order() -> WorkOrder {
    WorkOrder {
        caller_name: "周先生".into(),
        contact: String::new(),
        address: "幸福里小区三号楼".into(),
        request_type: Some(RequestType::Help),
        category: Some("urban-water".into()),
        content: "来电人反映：幸福里小区3栋自昨天早上8点多起整栋停水一天多，物业只说在修，没有看到停水通知。供水公司称漏点在小区内归物业，物业称是市政管网。家中82岁母亲卧床。诉求：尽快恢复供水。".into(),
        urgency: Some(Urgency::Urgent),
        confidential: Some(false),
        callback: Some(true),
        handling_unit: "市供水公司、街道办".into(),
        time_limit: Some("hotline-utilities-response".into()),
    }
}

#[test]
fn a_complete_order_scores_right_everywhere_and_caps_nothing() {
    let script = water();
    let encounter = good_call(&script);
    assert!(encounter.is_over());
    let truth = script.scenario.work_order.as_ref().unwrap();
    let revealed = revealed_facts(&script.scenario, truth, &heard(&encounter));
    let knowledge = load_folder(&scenarios().join("knowledge"), None);
    let seg = Segmenter::new();
    let profile = profile();
    let ctx = WorkOrderContext { categories: knowledge.base.categories.as_ref(), profile: Some(&profile), segmenter: &seg };
    let report = score_order(&good_order(), truth, &revealed, ctx);
    for f in &report.fields {
        assert!(matches!(f.verdict, Verdict::Right | Verdict::NotSaid), "{:?}: {:?} (wrote {:?}, said {:?})", f.field, f.verdict, f.wrote, f.said.zh);
    }
    assert!(report.elements.iter().all(|e| e.present), "{:?}", report.elements);
    assert!(report.caps.is_empty(), "{:?}", report.caps);
    let card = encounter.score();
    assert_eq!(apply_caps(&card, &report), card);
}

#[test]
fn a_poor_order_says_what_is_wrong_and_caps_the_rubric() {
    let script = water();
    let encounter = good_call(&script);
    let truth = script.scenario.work_order.as_ref().unwrap();
    let revealed = revealed_facts(&script.scenario, truth, &heard(&encounter));
    let knowledge = load_folder(&scenarios().join("knowledge"), None);
    let seg = Segmenter::new();
    let profile = profile();
    let ctx = WorkOrderContext { categories: knowledge.base.categories.as_ref(), profile: Some(&profile), segmenter: &seg };
    let order = WorkOrder {
        caller_name: "邹先生".into(),
        address: "幸福里".into(),
        request_type: Some(RequestType::Enquiry),
        category: Some("urban-property".into()),
        content: "市民咨询停水的事".into(),
        urgency: Some(Urgency::Normal),
        handling_unit: "物业公司".into(),
        time_limit: Some("hotline-enquiry-limit".into()),
        ..WorkOrder::default()
    };
    let report = score_order(&order, truth, &revealed, ctx);
    let verdict = |f| report.field(f).unwrap().verdict;
    assert_eq!(verdict(FieldName::CallerName), Verdict::Wrong);
    assert_eq!(verdict(FieldName::Address), Verdict::Partly);
    assert_eq!(verdict(FieldName::RequestType), Verdict::Wrong);
    // The right branch (城乡建设), the wrong leaf.
    assert_eq!(verdict(FieldName::Category), Verdict::Partly);
    assert_eq!(verdict(FieldName::HandlingUnit), Verdict::Wrong);
    assert_eq!(verdict(FieldName::Callback), Verdict::Missing);
    assert_eq!(report.field(FieldName::RequestType).unwrap().said.zh, "求助");
    assert!(report.field(FieldName::TimeLimit).unwrap().said.zh.contains("24小时"));
    assert!(report.field(FieldName::Urgency).unwrap().why.zh.contains("标低"));
    assert!(report.elements.iter().any(|e| e.element == FactKind::People && !e.present));
    assert_eq!(report.cap(Item::L2), Some(1));
    assert_eq!(report.cap(Item::L3), Some(1));
    assert_eq!(report.cap(Item::P4), Some(1));
    assert_eq!(report.cap(Item::P5), Some(2));
    let card = encounter.score();
    let capped = apply_caps(&card, &report);
    assert!(capped.overall < card.overall);
    assert_eq!(capped.item(Item::L2), 1);
    assert_eq!(capped.dimension(counterpart_core::play::rubric::Dimension::Empathy), card.dimension(counterpart_core::play::rubric::Dimension::Empathy));
}

#[test]
fn a_fact_said_on_another_route_is_not_expected() {
    let script = water();
    // Opening with a demand for the address keeps him above 80: at
    // "details" he only says "yesterday morning", never "a little after 8".
    let mut encounter = Encounter::with_persona(script.clone(), 7, 0);
    encounter.choose(option(&script, "open", "ask_address"), None).unwrap();
    let truth = script.scenario.work_order.as_ref().unwrap();
    let revealed = revealed_facts(&script.scenario, truth, &heard(&encounter));
    let ids: Vec<&str> = revealed.iter().map(|&i| truth.facts[i].id.as_str()).collect();
    assert!(ids.contains(&"address") && ids.contains(&"since"), "{ids:?}");
    assert!(!ids.contains(&"since_8am"), "{ids:?}");
    assert!(!ids.contains(&"buck_passing"), "{ids:?}");
    // On the good route he is calmer and gives the hour.
    let good = good_call(&script);
    let revealed = revealed_facts(&script.scenario, truth, &heard(&good));
    assert!(revealed.iter().any(|&i| truth.facts[i].id == "since_8am"));
}

#[test]
fn any_input_gives_messages_never_a_panic() {
    let script = water();
    let truth = script.scenario.work_order.as_ref().unwrap();
    let all: Vec<usize> = (0..truth.facts.len()).collect();
    let seg = Segmenter::new();
    let ctx = WorkOrderContext { categories: None, profile: None, segmenter: &seg };
    let huge = "停水".repeat(50_000);
    let weird = ["", " ", "\u{0}\u{1b}[31m", "💥🔥", "九九九九九九九九九九九九九九九九九九九九九九九九九九", "一万万万万万万万万", &huge, "\u{202E}kcab"];
    for w in weird {
        let order = WorkOrder {
            caller_name: w.into(),
            contact: w.into(),
            address: w.into(),
            content: w.into(),
            handling_unit: w.into(),
            category: Some(w.into()),
            time_limit: Some(w.into()),
            ..WorkOrder::default()
        };
        let report = score_order(&order, truth, &all, ctx);
        assert_eq!(report.fields.len(), FieldName::ALL.len());
    }
    let blank = score_order(&WorkOrder::default(), truth, &all, ctx);
    assert!(blank.fields.iter().all(|f| f.verdict != Verdict::Right));
    let long = score_order(&WorkOrder { content: huge.clone(), contact: "12".into(), ..WorkOrder::default() }, truth, &all, ctx);
    let codes: Vec<&str> = long.input_issues.iter().map(|i| i.code).collect();
    assert!(codes.contains(&"too-long") && codes.contains(&"odd-number"), "{codes:?}");
}

#[test]
fn the_bundled_knowledge_loads_clean_and_is_searchable() {
    let profile = profile();
    let knowledge = load_folder(&scenarios().join("knowledge"), Some(&profile));
    assert!(knowledge.findings.is_empty(), "{:#?}", knowledge.findings);
    let seg = Segmenter::new();
    let index = SearchIndex::new(&knowledge.base.entries);
    let first = |q: &str| index.search(q, &seg, 5).first().map(|h| h.id.clone());
    assert_eq!(first("gjj").as_deref(), Some("provident-fund-rent-withdrawal"));
    assert_eq!(first("公积金").as_deref(), Some("provident-fund-rent-withdrawal"));
    assert_eq!(first("ydjy").as_deref(), Some("medical-care-elsewhere-registration"));
    assert_eq!(first("居住证").as_deref(), Some("residence-permit-application"));
    assert_eq!(first("停水").as_deref(), Some("water-outage-repair"));
}
