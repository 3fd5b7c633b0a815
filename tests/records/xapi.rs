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
        (statements(&a).unwrap(), statements(&b).unwrap())
    };
    // initialized, a responded per step, completed, the verdict, terminated.
    assert_eq!(first.len(), route.len() + 4);
    let store = Store::open(&db).unwrap();
    let a = store.attempt(1).unwrap();
    assert_eq!(statements(&a).unwrap(), first, "rebuilt after reopening: identical");
    let ids: std::collections::HashSet<&str> = first.iter().chain(&second).map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2 * first.len(), "two identical plays still get distinct ids");
    assert_eq!(first[1]["id"], statement_id(&a.summary.uuid, "step/0").to_string());
    assert_eq!(uuid::Uuid::parse_str(first[1]["id"].as_str().unwrap()).unwrap().get_version_num(), 5);

    let responded = &first[1];
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
    let completed = &first[route.len() + 1];
    let verdict = &first[route.len() + 2];
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
    // Without its stored content an attempt's statements are refused,
    // never built with less under the same ids.
    let mut plain = a.clone();
    plain.content = None;
    let refused = statements(&plain).unwrap_err();
    assert!(matches!(&refused, xapi::XapiError::NoContent { attempt: 1, .. }), "{refused}");
    assert!(refused.to_string().contains(&script.scenario.id), "{refused}");
}

/// `counterpart export --xapi` run in `cwd`, optionally with `--scenarios`.
fn export_xapi(db: &Path, cwd: &Path, scenarios: Option<&Path>, out: &Path) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_counterpart"));
    c.current_dir(cwd).env_remove("COUNTERPART_SCENARIOS");
    if let Some(folder) = scenarios {
        c.arg("--scenarios").arg(folder);
    }
    c.args(["export", "--db"]).arg(db).arg("--xapi").arg(out).output().unwrap()
}

#[test]
fn an_export_from_an_empty_folder_or_after_an_edit_is_byte_identical() {
    let dir = temp();
    let db = dir.path().join("r.sqlite3");
    let script = script();
    let route = best_route(&script);
    let legacy = {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("赵敏").unwrap();
        play_and_record(&store, p.id, &script, 3, &route);
        play_and_record(&store, p.id, &script, 4, &route[..2]);
        // An attempt recorded as builds before v6 did: no stored content.
        let a = store.begin_attempt(p.id, &script.scenario.id, script.scenario.version, 8).unwrap();
        let mut enc = Encounter::new(script.clone(), 8);
        for (i, &c) in route.iter().enumerate() {
            let step = enc.choose(c, None).unwrap().clone();
            store.record_step(a, i, &step).unwrap();
        }
        store.mark_abandoned(a).unwrap();
        a
    };
    let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();

    // From an empty folder the older attempt cannot be described: refused
    // by name, the others exported.
    let first = export_xapi(&db, &empty, None, &dir.path().join("refused.json"));
    assert_eq!(first.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(stderr.contains(&format!("attempt {legacy}")) && stderr.contains("no stored statement content"), "{stderr}");
    assert!(stderr.contains(&script.scenario.id), "{stderr}");
    let partial: Vec<Value> = serde_json::from_slice(&std::fs::read(dir.path().join("refused.json")).unwrap()).unwrap();
    assert_eq!(partial.len(), (route.len() + 4) + (1 + 2));

    // From the checkout it gets its content once, from the same version.
    let from_checkout = dir.path().join("checkout.json");
    let run = export_xapi(&db, &checkout, Some(Path::new("tests/fixtures")), &from_checkout);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stdout).contains("stored the statement content of 1 older attempt"));

    // An empty folder, and a folder where the scenario was edited (new
    // wording, same and bumped version): the same bytes.
    let from_empty = dir.path().join("empty.json");
    assert!(export_xapi(&db, &empty, None, &from_empty).status.success());
    let edited = dir.path().join("edited");
    std::fs::create_dir_all(&edited).unwrap();
    let text = std::fs::read_to_string(scenario_path()).unwrap();
    let first_title = script.scenario.title.zh.clone();
    assert!(text.contains(&first_title));
    std::fs::write(edited.join(format!("{}.ron", script.scenario.id)), text.replace(&first_title, "改过的标题")).unwrap();
    let from_edited = dir.path().join("edited.json");
    assert!(export_xapi(&db, &empty, Some(&edited), &from_edited).status.success());
    let bumped = text.replace(&first_title, "又改过").replace(
        &format!("version: {}", script.scenario.version),
        &format!("version: {}", script.scenario.version + 1),
    );
    std::fs::write(edited.join(format!("{}.ron", script.scenario.id)), bumped).unwrap();
    let from_bumped = dir.path().join("bumped.json");
    assert!(export_xapi(&db, &empty, Some(&edited), &from_bumped).status.success());
    let bytes = std::fs::read(&from_checkout).unwrap();
    assert_eq!(std::fs::read(&from_empty).unwrap(), bytes, "empty folder");
    assert_eq!(std::fs::read(&from_edited).unwrap(), bytes, "edited scenario");
    assert_eq!(std::fs::read(&from_bumped).unwrap(), bytes, "edited scenario, version bumped");
    let all: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(all.len(), partial.len() + 1 + route.len() + 1, "the older attempt: initialized, its steps, abandoned");
    assert!(all.iter().any(|s| s["object"]["definition"]["name"]["zh-CN"] == first_title.as_str()));
    assert!(!String::from_utf8_lossy(&bytes).contains("改过"));
}

fn verbs(list: &[Value]) -> Vec<&str> {
    list.iter().map(|s| s["verb"]["id"].as_str().unwrap()).collect()
}

#[test]
fn statements_say_when_an_attempt_began_ended_or_was_abandoned() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let route = best_route(&script);
    let p = store.create_profile("孙丽").unwrap();
    let done = store.attempt(play_and_record(&store, p.id, &script, 1, &route).0).unwrap();
    let open = store.attempt(play_and_record(&store, p.id, &script, 2, &route[..2]).0).unwrap();
    let left = play_and_record(&store, p.id, &script, 3, &route[..1]).0;
    store.mark_abandoned(left).unwrap();
    let left = store.attempt(left).unwrap();

    let done_st = statements(&done).unwrap();
    let mut expected = vec![xapi::VERB_INITIALIZED];
    expected.extend(std::iter::repeat_n(xapi::VERB_RESPONDED, route.len()));
    let verdict = if done.result.as_ref().unwrap().card.passed { xapi::VERB_PASSED } else { xapi::VERB_FAILED };
    expected.extend([xapi::VERB_COMPLETED, verdict, xapi::VERB_TERMINATED]);
    assert_eq!(verbs(&done_st), expected);
    assert_eq!(verbs(&statements(&open).unwrap()), [xapi::VERB_INITIALIZED, xapi::VERB_RESPONDED, xapi::VERB_RESPONDED]);
    let left_st = statements(&left).unwrap();
    assert_eq!(verbs(&left_st), [xapi::VERB_INITIALIZED, xapi::VERB_RESPONDED, xapi::VERB_ABANDONED]);
    assert_eq!(left_st[2]["id"], statement_id(&left.summary.uuid, "abandoned").to_string());
    assert_eq!(left_st[2]["result"]["completion"], false);
    assert_eq!(left_st[2]["timestamp"].as_str(), left.summary.finished_at.as_deref());

    // The session's duration is from start to end, whatever the turns' timers.
    let secs = xapi::session_secs(&done.summary).expect("finished");
    let terminated = done_st.last().unwrap();
    assert_eq!(terminated["result"]["duration"], format!("PT{secs:.2}S"));
    assert_eq!(done_st[route.len() + 1]["result"]["duration"], terminated["result"]["duration"]);
    assert_eq!(done_st[0]["timestamp"].as_str(), Some(done.summary.started_at.as_str()));

    // The scenario is described, and never its own parent.
    let title = &script.scenario.title;
    for s in done_st.iter().chain(&left_st) {
        let parents = s["context"]["contextActivities"]["parent"].as_array().cloned().unwrap_or_default();
        assert!(parents.iter().all(|p| p["id"] != s["object"]["id"]), "self-parent in {}", s["verb"]["id"]);
    }
    let object = &done_st[0]["object"];
    assert_eq!(object["definition"]["name"]["zh-CN"], title.zh.as_str());
    assert_eq!(object["definition"]["description"]["zh-CN"], script.scenario.summary.zh.as_str());
    assert_eq!(object["definition"]["description"]["en-US"], script.scenario.summary.en.as_str());
    assert_eq!(done_st[1]["context"]["contextActivities"]["parent"][0]["id"], object["id"]);

    // A turn is one activity whatever wording the seed picked.
    let first_turn = &script.scenario.turns[0];
    let mut said = std::collections::HashSet::new();
    for seed in 0..12 {
        let record = store.attempt(play_and_record(&store, p.id, &script, seed, &route[..1]).0).unwrap();
        said.insert(record.steps[0].step.said.zh.clone());
        let st = statements(&record).unwrap();
        assert_eq!(st[1]["object"], done_st[1]["object"], "seed {seed}");
    }
    assert!(said.len() > 1, "the seeds picked different wordings");
    assert_eq!(done_st[1]["object"]["definition"]["name"]["zh-CN"], first_turn.says[0].variants[0].zh.as_str());
}

#[test]
fn the_actor_is_the_centres_employee_number_when_there_is_one() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let route = best_route(&script);
    let li = store.create_profile("李明").unwrap();
    let before = store.attempt(play_and_record(&store, li.id, &script, 1, &route[..1]).0).unwrap();

    assert!(matches!(store.set_home_page(Some("not a url")), Err(StoreError::BadIri { .. })));
    store.set_home_page(Some("https://12345.example.gov.cn/")).unwrap();
    assert_eq!(store.home_page().unwrap(), "https://12345.example.gov.cn");
    store.set_extension_base(Some("https://12345.example.gov.cn/xapi/ext")).unwrap();
    assert_eq!(store.extension_base().unwrap(), "https://12345.example.gov.cn/xapi/ext/");
    store.set_employee_id(li.id, Some(" 0571-0042 ")).unwrap();
    assert_eq!(store.employee_id(li.id).unwrap().as_deref(), Some("0571-0042"));
    let other = store.create_profile("李明 (二)").unwrap();
    let taken = store.set_employee_id(other.id, Some("0571-0042")).unwrap_err();
    assert!(matches!(&taken, StoreError::DuplicateEmployeeId { holder, .. } if holder == "李明"), "{taken}");
    assert!(matches!(store.set_employee_id(other.id, Some("a b")), Err(StoreError::BadEmployeeId(_))));
    assert_eq!(store.profile_by_employee_id("0571-0042").unwrap().map(|p| p.id), Some(li.id));
    let trainees = store.trainees().unwrap();
    assert_eq!(trainees.iter().find(|t| t.profile.id == li.id).unwrap().employee_id.as_deref(), Some("0571-0042"));

    let after = store.attempt(play_and_record(&store, li.id, &script, 1, &route[..1]).0).unwrap();
    let st = statements(&after).unwrap();
    assert_eq!(st[0]["actor"]["name"], "李明");
    assert_eq!(st[0]["actor"]["account"]["homePage"], "https://12345.example.gov.cn");
    assert_eq!(st[0]["actor"]["account"]["name"], "0571-0042");
    assert!(st[1]["result"]["extensions"].get("https://12345.example.gov.cn/xapi/ext/choice-number").is_some());
    // An attempt recorded before keeps the identity it was recorded under.
    let old = statements(&store.attempt(before.summary.id).unwrap()).unwrap();
    assert_eq!(old[0]["actor"]["account"]["name"], "李明");
    assert_eq!(old[0]["actor"]["account"]["homePage"], "https://counterpart.local");
    assert!(old[1]["result"]["extensions"].get(xapi::extension("choice-number")).is_some());
}

/// An exam's drawn scenario is registered under its sitting and grouped
/// under the exam; a practice attempt of the same scenario is neither.
#[test]
fn exam_attempts_carry_the_exam_and_the_sitting() {
    use counterpart_core::exam::load::load_bytes;
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let library = Library::from_files(vec![load_file(&scenario_path())]);
    let source = r#"(id: "hotline-cert", version: 4, title: (zh: "上岗考核", en: "Certification"),
        pool: [(scenario: "hotline-water-outage")], draw: 1, time: (per_scenario_minutes: 10, exam_minutes: 20))"#;
    let file = load_bytes(source.as_bytes(), Path::new("hotline-cert.ron"), &library);
    let exam = file.exam().unwrap_or_else(|| panic!("{:?}", file.errors())).clone();
    let p = store.create_profile("李明").unwrap().id;
    store.set_employee_id(p, Some("0571-0042")).unwrap();
    let sitting = store.open_sitting(&exam, p).unwrap();
    let drawn = &sitting.draw.slots[0];
    let attempt = store.begin_exam_attempt(sitting.id, 0, &script).unwrap();
    let persona = counterpart_core::records::sittings::exam_persona(&script, drawn);
    let mut enc = Encounter::with_persona(script.clone(), drawn.seed, persona);
    for (i, &c) in best_route(&script).iter().enumerate() {
        if enc.is_over() {
            break;
        }
        let step = enc.choose(c, None).unwrap().clone();
        store.record_step(attempt, i, &step).unwrap();
    }
    let practice = play_and_record(&store, p, &script, 1, &best_route(&script)).0;
    let exam_statements = statements(&store.attempt(attempt).unwrap()).unwrap();
    assert!(exam_statements.len() > 1);
    for st in &exam_statements {
        let context = &st["context"];
        assert_eq!(context["registration"], sitting.uuid.as_str(), "{st}");
        let grouping = &context["contextActivities"]["grouping"][0];
        assert_eq!(grouping["id"], xapi::exam_activity_id("hotline-cert"));
        assert_eq!(grouping["id"], "https://counterpart.local/exams/hotline-cert");
        assert_eq!(grouping["definition"]["type"], xapi::ACTIVITY_ASSESSMENT);
        assert_eq!(grouping["definition"]["name"]["zh-CN"], "上岗考核");
        assert_eq!(grouping["definition"]["name"]["en-US"], "Certification");
        assert_eq!(context["extensions"][xapi::extension("exam-version")], 4);
        assert_eq!(context["extensions"][xapi::extension("exam-sitting")], 1);
        assert_eq!(context["extensions"][xapi::extension("exam-slot")], 1);
    }
    // Responded statements keep the scenario as their parent beside the exam.
    assert_eq!(exam_statements[1]["context"]["contextActivities"]["parent"][0]["id"], xapi::scenario_activity_id("hotline-water-outage"));
    let practice = store.attempt(practice).unwrap();
    for st in statements(&practice).unwrap() {
        assert_eq!(st["context"]["registration"], practice.summary.uuid.as_str());
        assert!(st["context"]["contextActivities"].get("grouping").is_none(), "{st}");
        assert!(st["context"]["extensions"].get(xapi::extension("exam-sitting")).is_none());
    }
}
