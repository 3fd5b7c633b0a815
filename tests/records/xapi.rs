//! xAPI statements built from the store.

use super::common::*;

#[test]
fn xapi_statements_are_complete_and_their_ids_stable() {
    let dir = temp();
    let db = dir.path().join("r.sqlite3");
    let script = script();
    let route = best_route(&script);
    let (first, second) = {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("张伟").unwrap();
        let a = play_and_record(&store, p.id, &script, 1, &route).0;
        let b = play_and_record(&store, p.id, &script, 1, &route).0;
        let (a, b) = (store.attempt(a).unwrap(), store.attempt(b).unwrap());
        (statements(&a, Some(&*script)), statements(&b, Some(&*script)))
    };
    assert_eq!(first.len(), route.len() + 2);
    let store = Store::open(&db).unwrap();
    let a = store.attempt(1).unwrap();
    assert_eq!(statements(&a, Some(&*script)), first, "rebuilt after reopening: identical");
    let ids: std::collections::HashSet<&str> = first.iter().chain(&second).map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2 * first.len(), "two identical plays still get distinct ids");
    assert_eq!(first[0]["id"], statement_id(&a.summary.uuid, "step/0").to_string());
    assert_eq!(uuid::Uuid::parse_str(first[0]["id"].as_str().unwrap()).unwrap().get_version_num(), 5);

    let responded = &first[0];
    assert_eq!(responded["verb"]["id"], xapi::VERB_RESPONDED);
    assert_eq!(responded["actor"]["account"]["homePage"], "https://counterpart.local");
    assert_eq!(responded["actor"]["account"]["name"], "张伟");
    assert_eq!(responded["result"]["response"], a.steps[0].step.choice_id);
    assert_eq!(responded["result"]["duration"], "PT2.00S");
    assert_eq!(responded["context"]["registration"], a.summary.uuid);
    let evidence = &responded["result"]["extensions"][xapi::extension("evidence")];
    let debrief = Encounter::replay(script.clone(), 1, &route).unwrap().debrief();
    assert_eq!(evidence.as_object().unwrap().len(), debrief[0].evidence.len());
    for (item, level) in &debrief[0].evidence {
        assert_eq!(evidence[format!("{item:?}")], *level as u64);
    }
    let card = a.result.as_ref().unwrap().card.clone();
    let completed = &first[route.len()];
    let verdict = &first[route.len() + 1];
    assert_eq!(completed["verb"]["id"], xapi::VERB_COMPLETED);
    assert_eq!(verdict["verb"]["id"], if card.passed { xapi::VERB_PASSED } else { xapi::VERB_FAILED });
    for s in [completed, verdict] {
        let score = &s["result"]["score"];
        assert!((score["raw"].as_f64().unwrap() - card.overall as f64).abs() < 0.01);
        assert!((score["scaled"].as_f64().unwrap() - card.overall as f64 / 100.0).abs() < 0.0001);
        assert_eq!(s["result"]["success"], card.passed);
        for (i, d) in ["listening", "empathy", "clarity", "disc", "process"].iter().enumerate() {
            let v = s["result"]["extensions"][xapi::extension(&format!("dimension/{d}"))].as_f64().unwrap();
            assert!((v - card.dimensions[i] as f64).abs() < 0.01, "{d}");
        }
    }
    // Without the scenario at hand the statements still carry the record.
    let plain = statements(&a, None);
    assert_eq!(plain.len(), first.len());
    assert_eq!(plain[0]["id"], first[0]["id"]);
    assert!(plain[0]["result"]["extensions"].get(xapi::extension("evidence")).is_none());
}
