//! The work order against the bundled worked example (hotline-water-outage)
//! and the bundled knowledge folder: what an attempt reveals, how orders
//! score field by field, the caps on the conversation's card, and that no
//! input makes scoring panic.

use counterpart_core::knowledge::{Segmenter, SearchIndex, load_folder};
use counterpart_core::library::load::load_all;
use counterpart_core::play::engine::{Encounter, Script};
use counterpart_core::scenario::model::{CityProfile, Disposition, FactKind, Item, RequestType, Urgency};
use counterpart_core::scenario::parse::parse_ron;
use counterpart_core::workorder::{FieldName, OrderReport, Verdict, WorkOrder, WorkOrderContext, apply_caps, heard, revealed_facts, score_call, score_no_order, score_order};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn water() -> Arc<Script> {
    bundled("hotline-water-outage")
}

fn bundled(id: &str) -> Arc<Script> {
    let loaded = load_all(&[scenarios().join(format!("{id}.ron"))]);
    loaded[0].script().cloned().unwrap_or_else(|| panic!("{:#?}", loaded[0].errors()))
}

/// `order` scored against `id`'s truth with every fact revealed.
fn score_all_revealed(id: &str, order: &WorkOrder) -> OrderReport {
    let script = bundled(id);
    let truth = script.scenario.work_order.as_ref().unwrap();
    let all: Vec<usize> = (0..truth.facts.len()).collect();
    let seg = Segmenter::new();
    score_order(order, truth, &all, WorkOrderContext { categories: None, profile: None, segmenter: &seg })
}

fn fact_verdict(report: &OrderReport, id: &str) -> Verdict {
    report.facts.iter().find(|f| f.fact == id).unwrap_or_else(|| panic!("no fact {id}")).verdict
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
        no_order: None,
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

/// The misreadings content writers found: spoken amounts (两千二, 六千二,
/// 一千五, 两万) must match the digits a trainee types, and the old
/// misreadings (2002, 1005, 210000) must not.
#[test]
fn spoken_amounts_match_the_digits_typed() {
    let content = |text: &str| WorkOrder { content: text.into(), ..WorkOrder::default() };
    let subsidy = score_all_revealed("hotline-subsidy-refused", &content("单亲带儿子租房，房租每月2200元，2口人，每月到手6200元，问租房补贴"));
    assert_eq!(fact_verdict(&subsidy, "rent"), Verdict::Right);
    assert_eq!(fact_verdict(&subsidy, "income"), Verdict::Right);
    let spoken = score_all_revealed("hotline-subsidy-refused", &content("房租两千二，到手六千二"));
    assert_eq!(fact_verdict(&spoken, "rent"), Verdict::Right);
    assert_eq!(fact_verdict(&spoken, "income"), Verdict::Right);
    let misread = score_all_revealed("hotline-subsidy-refused", &content("房租2002元，到手6002元"));
    assert_eq!(fact_verdict(&misread, "rent"), Verdict::Missing);
    assert_eq!(fact_verdict(&misread, "income"), Verdict::Missing);

    let deposit = score_all_revealed("hotline-rental-deposit", &content("房东说墙有划痕，要扣1500元"));
    assert_eq!(fact_verdict(&deposit, "deduction"), Verdict::Right);
    let deposit = score_all_revealed("hotline-rental-deposit", &content("房东说墙有划痕，要扣1005元"));
    assert_eq!(fact_verdict(&deposit, "deduction"), Verdict::Partly);

    for typed in ["十来个工友，每人2万多", "10来个工友每人两万多", "工友十几个，每人20000多"] {
        let wages = score_all_revealed("hotline-wage-arrears", &content(typed));
        assert_eq!(fact_verdict(&wages, "workmates"), Verdict::Right, "{typed}");
    }
    let wages = score_all_revealed("hotline-wage-arrears", &content("工友每人210000"));
    assert_eq!(fact_verdict(&wages, "workmates"), Verdict::Partly);
}

/// "18号，楼下" is house number 18 and downstairs, not building 18: the
/// address keeps its 18号.
#[test]
fn a_house_number_before_punctuation_is_not_a_building() {
    let order = WorkOrder { address: "幸福路18号，楼下烧烤店".into(), ..WorkOrder::default() };
    let report = score_all_revealed("hotline-shop-noise", &order);
    assert_eq!(report.field(FieldName::Address).unwrap().verdict, Verdict::Right);
    let order = WorkOrder { address: "幸福路18栋".into(), ..WorkOrder::default() };
    let report = score_all_revealed("hotline-shop-noise", &order);
    assert_eq!(report.field(FieldName::Address).unwrap().verdict, Verdict::Partly);
}

fn harassing() -> Arc<Script> {
    bundled("hotline-harassing-caller")
}

#[test]
fn a_harassing_call_is_right_logged_as_one_and_wrong_dispatched() {
    let script = harassing();
    let truth = script.scenario.no_order.as_ref().expect("the harassing call has no-order truth");
    assert!(script.scenario.work_order.is_none());
    assert_eq!(truth.disposition, Disposition::Harassing);
    let seg = Segmenter::new();
    let ctx = WorkOrderContext { categories: None, profile: None, segmenter: &seg };

    let logged = WorkOrder { no_order: Some(Disposition::Harassing), ..WorkOrder::default() };
    let report = score_no_order(&logged, truth, ctx);
    assert_eq!(report.disposition.as_ref().unwrap().verdict, Verdict::Right);
    assert!(report.caps.is_empty());
    assert!(report.fields.is_empty());

    let invalid = WorkOrder { no_order: Some(Disposition::Invalid), ..WorkOrder::default() };
    let report = score_no_order(&invalid, truth, ctx);
    assert_eq!(report.disposition.as_ref().unwrap().verdict, Verdict::Partly);
    assert_eq!(report.cap(Item::P4), Some(2));

    let street_light = WorkOrder {
        request_type: Some(RequestType::Help),
        content: "路灯损坏，位置不详".into(),
        handling_unit: "路灯所".into(),
        ..WorkOrder::default()
    };
    let report = score_no_order(&street_light, truth, ctx);
    let d = report.disposition.as_ref().unwrap();
    assert_eq!(d.verdict, Verdict::Wrong);
    assert!(d.wrote.zh.contains("求助"), "{:?}", d.wrote);
    assert_eq!(report.cap(Item::P4), Some(0));

    let nothing = score_no_order(&WorkOrder::default(), truth, ctx);
    assert_eq!(nothing.disposition.as_ref().unwrap().verdict, Verdict::Missing);
    assert_eq!(nothing.cap(Item::P5), Some(1));

    // On the conversation's card: the dispatched street light costs the
    // process score; the right record costs nothing.
    let mut encounter = Encounter::with_persona(script.clone(), 1, 0);
    while let Some(prompt) = encounter.prompt() {
        let best = (0..prompt.options.len()).max_by_key(|&i| counterpart_core::play::engine::option_quality(&script, prompt.turn_index, i)).unwrap();
        encounter.choose(best, None).unwrap();
    }
    let card = encounter.score();
    let heard = heard(&encounter);
    let right = score_call(&script.scenario, &logged, &heard, ctx).unwrap();
    assert_eq!(apply_caps(&card, &right), card);
    let wrong = score_call(&script.scenario, &street_light, &heard, ctx).unwrap();
    let capped = apply_caps(&card, &wrong);
    assert_eq!(capped.item(Item::P4), 0);
    assert!(capped.overall < card.overall);
}

#[test]
fn a_real_request_logged_as_no_order_is_wrong() {
    let script = water();
    let encounter = good_call(&script);
    let seg = Segmenter::new();
    let ctx = WorkOrderContext { categories: None, profile: None, segmenter: &seg };
    let dismissed = WorkOrder { no_order: Some(Disposition::Invalid), ..WorkOrder::default() };
    let report = score_call(&script.scenario, &dismissed, &heard(&encounter), ctx).unwrap();
    let d = report.disposition.as_ref().unwrap();
    assert_eq!(d.verdict, Verdict::Wrong);
    assert!(d.said.zh.contains("求助"));
    assert_eq!(report.cap(Item::P4), Some(0));
    assert_eq!(report.fields.len(), FieldName::ALL.len());
    // A made order reports no disposition row.
    let made = score_call(&script.scenario, &good_order(), &heard(&encounter), ctx).unwrap();
    assert!(made.disposition.is_none());
}
