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

/// The option ids of `encounter`'s answers, as `--choices` takes them.
fn choice_ids(encounter: &Encounter) -> String {
    let script = encounter.script();
    encounter.steps().iter().map(|s| script.scenario.turns[s.turn].options[s.choice].id.clone()).collect::<Vec<_>>().join(",")
}

#[test]
fn play_record_takes_the_notice_and_the_work_order_from_files_and_scores_them_as_the_app_does() {
    use super::notices::{base, best_encounter, licence, licence_path};
    use super::work_orders::{careless_order, water, water_path};
    use counterpart_core::knowledge::Segmenter;
    use counterpart_core::library::knowledge::Desk;
    use counterpart_core::notice::{Notice, Pick};
    use counterpart_core::scenario::model::Item;
    let dir = temp();
    let db = dir.path().join("r.sqlite3");
    let play = |file: &Path, seed: u64, choices: &str, extra: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_counterpart"))
            .arg("play")
            .arg(file)
            .args(["--seed", &seed.to_string(), "--choices", choices, "--record", "--profile", "吴刚", "--db"])
            .arg(&db)
            .args(extra)
            .output()
            .unwrap()
    };

    // A counter attempt with a notice short of one material and one step.
    let script = licence();
    let encounter = best_encounter(&script, 7);
    let notice = Notice {
        materials: (1..5).map(|index| Pick { entry: "food-business-permit-application".into(), index }).collect(),
        steps: (0..3).map(|index| Pick { entry: "food-business-permit-application".into(), index }).collect(),
        follow_on: vec!["new-business-tax-confirmation".into(), "employee-social-insurance-registration".into()],
        note: "健康证 <每人一份>".into(),
    };
    let notice_file = dir.path().join("notice.ron");
    std::fs::write(
        &notice_file,
        "// 告知单\n(\n  materials: [(entry: \"food-business-permit-application\", index: 1), (entry: \"food-business-permit-application\", index: 2),\n    (entry: \"food-business-permit-application\", index: 3), (entry: \"food-business-permit-application\", index: 4)],\n  steps: [(entry: \"food-business-permit-application\", index: 0), (entry: \"food-business-permit-application\", index: 1), (entry: \"food-business-permit-application\", index: 2)],\n  follow_on: [\"new-business-tax-confirmation\", \"employee-social-insurance-registration\"],\n  note: \"健康证 <每人一份>\",\n)\n",
    )
    .unwrap();
    let run = play(&licence_path(), 7, &choice_ids(&encounter), &[std::ffi::OsStr::new("--notice"), notice_file.as_os_str()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("notice: ") && stderr.contains("C2<=1"), "{stderr}");
    let store = Store::open(&db).unwrap();
    let p = store.profile_by_name("吴刚").unwrap();
    let cli = store.attempt(1).unwrap();
    let app = store.attempt(store.record_encounter_with(p.id, &encounter, None, None, Some((Some(&notice), &base()))).unwrap()).unwrap();
    assert_eq!(cli.notice.as_ref().unwrap().notice, notice, "the file read as the app would have it");
    assert_eq!(cli.result, app.result, "scored and capped as the app does");
    assert_eq!(cli.notice.as_ref().unwrap().outcome, app.notice.as_ref().unwrap().outcome);
    assert_eq!(cli.result.as_ref().unwrap().card.item(Item::C2), 1);

    // Without --notice the counter attempt has no notice: C2 and C4 at most 1.
    let bare = play(&licence_path(), 7, &choice_ids(&encounter), &[]);
    assert!(bare.status.success(), "{}", String::from_utf8_lossy(&bare.stderr));
    let card = store.attempt(3).unwrap().result.unwrap().card;
    assert_eq!((card.item(Item::C2), card.item(Item::C4)), (1, 1));

    // A hotline attempt with a work order from a file.
    let water = water();
    let call = best_encounter(&water, 7);
    let order_file = dir.path().join("order.ron");
    std::fs::write(&order_file, "(caller_name: \"周先生\", address: \"幸福里\", request_type: Enquiry, category: \"urban-water\", content: \"停水了\", urgency: Normal, handling_unit: \"物业公司\")").unwrap();
    let run = play(&water_path(), 7, &choice_ids(&call), &[std::ffi::OsStr::new("--work-order"), order_file.as_os_str()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("work order: ") && stderr.contains("P4<=1"), "{stderr}");
    let cli = store.attempt(4).unwrap();
    let desk = Desk::for_file(&water_path());
    let seg = Segmenter::new();
    let app = store.attempt(store.record_encounter_with_order(p.id, &call, None, Some((&careless_order(), desk.context(&seg)))).unwrap()).unwrap();
    assert_eq!(cli.work_order.as_ref().unwrap().order, careless_order());
    assert_eq!(cli.result, app.result);

    // A mistyped file is a located error, and nothing is recorded.
    let broken = dir.path().join("broken.ron");
    std::fs::write(&broken, "(materials: [(entry: \"x\", idx: 0)])").unwrap();
    let before = store.attempts(None).unwrap().len();
    let run = play(&licence_path(), 7, &choice_ids(&encounter), &[std::ffi::OsStr::new("--notice"), broken.as_os_str()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--notice") && stderr.contains("broken.ron:1:"), "{stderr}");
    let missing = play(&licence_path(), 7, &choice_ids(&encounter), &[std::ffi::OsStr::new("--notice"), dir.path().join("nowhere.ron").as_os_str()]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(store.attempts(None).unwrap().len(), before, "nothing recorded by the refused runs");
}
