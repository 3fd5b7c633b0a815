//! `counterpart play --record`: a scripted attempt stored as the app would.

use super::common::*;

#[test]
fn play_record_stores_the_attempt_as_the_app_does() {
    let dir = temp();
    let db = dir.path().join("r.sqlite3");
    let script = script();
    let route = best_route(&script);
    let ids: Vec<String> = route
        .iter()
        .scan(Encounter::new(script.clone(), 11), |enc, &c| {
            let id = enc.prompt().unwrap().options[c].id.clone();
            enc.choose(c, None).unwrap();
            Some(id)
        })
        .collect();
    let play = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_counterpart"))
            .arg("play")
            .arg(scenario_path())
            .args(["--seed", "11", "--choices", &ids.join(","), "--record", "--profile", "吴刚", "--db"])
            .arg(&db)
            .args(extra)
            .output()
            .unwrap()
    };
    let run = play(&["--employee-id", "A-007", "--disc-guess", "s"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stderr).contains("recorded attempt 1"));

    // The same play recorded through the store, as the app records it.
    let store = Store::open(&db).unwrap();
    let p = store.profile_by_name("吴刚").unwrap();
    assert_eq!(store.employee_id(p.id).unwrap().as_deref(), Some("A-007"));
    let cli = store.attempt(1).unwrap();
    let mut enc = Encounter::new(script.clone(), 11);
    for &c in &route {
        enc.choose(c, None).unwrap();
    }
    let app = store.attempt(store.record_encounter(p.id, &enc, Some(counterpart_core::scenario::model::DiscStyle::S)).unwrap()).unwrap();
    assert_eq!(cli.summary.status, Status::Completed);
    assert_eq!(cli.steps.iter().map(|s| &s.step).collect::<Vec<_>>(), app.steps.iter().map(|s| &s.step).collect::<Vec<_>>());
    assert_eq!(cli.result, app.result);
    assert_eq!(cli.content, app.content, "the same statement content");
    assert_eq!(cli.result.as_ref().unwrap().card, enc.score());
    let st = statements(&cli).unwrap();
    assert_eq!(st[0]["actor"]["account"]["name"], "A-007");

    // Unfinished plays, forced personas and a taken employee number are refused.
    let short = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .arg("play")
        .arg(scenario_path())
        .args(["--choices", &ids[0], "--record", "--profile", "x", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2));
    let persona = play(&["--persona", "main"]);
    assert_eq!(persona.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&persona.stderr).contains("--persona"));
    store.create_profile("郑红").unwrap();
    let taken = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .arg("play")
        .arg(scenario_path())
        .args(["--seed", "11", "--choices", &ids.join(","), "--record", "--profile", "郑红", "--employee-id", "A-007", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(taken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("A-007"));
    assert_eq!(store.attempts(None).unwrap().len(), 2, "nothing recorded by the refused runs");

    // The records command sets and lists the same identities.
    let set = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["records", "trainee", "郑红", "--employee-id", "B-1", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let list = Command::new(env!("CARGO_BIN_EXE_counterpart")).args(["records", "trainees", "--db"]).arg(&db).output().unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("吴刚\tA-007") && text.contains("郑红\tB-1"), "{text}");
    let centre = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["records", "centre", "--home-page", "https://hotline.example.gov.cn", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(centre.status.success());
    assert_eq!(store.home_page().unwrap(), "https://hotline.example.gov.cn");
}
