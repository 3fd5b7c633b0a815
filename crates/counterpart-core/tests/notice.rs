//! The one-time notice against the bundled counter scenarios that carry
//! notice truth and the bundled knowledge folder: the model notice scores
//! clean, each fault lowers the conversation's card, and the citizen's
//! printed copy carries what the clerk assembled.

use counterpart_core::analysis::analyze::{Objective, analyze_personas};
use counterpart_core::knowledge::load_folder;
use counterpart_core::library::load::load_all;
use counterpart_core::notice::{LineVerdict, NoticeHeader, apply_notice, complete_notice, render_notice_html, score_notice};
use counterpart_core::play::engine::Encounter;
use counterpart_core::scenario::model::{Item, Text};
use std::path::{Path, PathBuf};

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

#[test]
fn the_bundled_notices_score_clean_when_complete_and_each_gap_costs_clarity() {
    let knowledge = load_folder(&scenarios().join("knowledge"), None);
    let base = &knowledge.base;
    for id in ["counter-residence-permit", "counter-provident-fund", "counter-business-licence", "counter-social-security-card", "counter-senior-card"] {
        let loaded = load_all(&[scenarios().join(format!("{id}.ron"))]);
        let script = loaded[0].script().cloned().unwrap_or_else(|| panic!("{id}: {:#?}", loaded[0].errors()));
        let truth = script.scenario.notice.as_ref().unwrap_or_else(|| panic!("{id} has notice truth"));
        let model = complete_notice(truth, base);
        assert!(!model.materials.is_empty() && !model.steps.is_empty(), "{id}");
        let report = score_notice(&model, truth, base);
        assert!(report.caps.is_empty(), "{id}: {:?}", report.caps);
        assert!(report.materials.iter().all(|l| l.verdict == LineVerdict::Included), "{id}");
        // The material this citizen does not need is not on the model notice.
        let entry = base.entry(&truth.entries[0]).unwrap();
        for unneeded in &truth.not_needed {
            let index = entry.materials.iter().position(|m| &m.zh == unneeded).expect("named as the entry writes it");
            assert!(!model.materials.iter().any(|p| p.index == index), "{id}");
        }

        let analyses = analyze_personas(&script).unwrap();
        let best = &analyses[0].best(Objective::Overall).unwrap().route;
        let card = Encounter::play_route_as(script.clone(), 3, 0, best).unwrap().score();
        assert_eq!(apply_notice(&card, &report), card, "{id}: a complete notice changes nothing");

        let mut short = model.clone();
        short.materials.pop();
        let report = score_notice(&short, truth, base);
        assert_eq!(report.cap(Item::C2), Some(1), "{id}");
        let capped = apply_notice(&card, &report);
        assert_eq!(capped.item(Item::C2), 1);
        assert!(capped.overall < card.overall, "{id}");

        let html = render_notice_html(
            &model,
            base,
            &NoticeHeader { office: Text::new("政务服务中心", "Service hall"), matter: script.scenario.title.clone(), citizen: script.scenario.citizen.name.zh.clone(), clerk: "0001".into(), date: "2026年12月1日".into() },
        );
        for p in &model.materials {
            assert!(html.contains(&entry.materials[p.index].zh.replace('"', "&quot;")), "{id}: material {} printed", p.index);
        }
        for unneeded in &truth.not_needed {
            assert!(!html.contains(unneeded.as_str()), "{id}: the unneeded material is not printed");
        }
        for follow in &truth.follow_on {
            assert!(html.contains(&base.entry(follow).unwrap().title.zh), "{id}: follow-on {follow} printed");
            // Leaving a follow-on matter out costs C2, short of a missing material.
            let mut without = model.clone();
            without.follow_on.retain(|f| f != follow);
            assert_eq!(score_notice(&without, truth, base).cap(Item::C2), Some(2), "{id}");
        }
        assert!(html.contains(&entry.handling_unit.zh));
    }
}
