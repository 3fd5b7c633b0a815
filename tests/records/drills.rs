//! Group drills: resume after reopening, atomic and stale events, v2→v3
//! and v3→v4 migrations, session reports, class-vote statements.

use super::common::*;
use crate::ralph::{Ralph, same_json};
use counterpart_core::drill::{DrillError, Event, Member, Mode, Phase, Plan, Rotation, SlotStatus};
use counterpart_core::records::store::DrillStatus;
use counterpart_core::records::report::{DRILL_CSV_HEADER, common_mistakes, discussion_prompts, drill_html, drill_mistakes, write_drill_csv};

fn scripts_with(script: &Arc<Script>) -> Library {
    Library::from_scripts([script.clone()])
}

fn hot_seat(script: &Arc<Script>, roster: Vec<Member>, title: &str) -> Plan {
    Plan {
        title: title.into(),
        mode: Mode::HotSeat,
        scenarios: vec![script.scenario.id.clone()],
        roster,
        group: None,
        rotation: Rotation::Same,
        rounds: 1,
        seed: 2026,
    }
}

fn worst_route(script: &Arc<Script>) -> Vec<usize> {
    analyze(script).unwrap().worst(Objective::Overall).unwrap().route.clone()
}

#[test]
fn a_drill_resumes_from_its_log_after_the_store_is_reopened() {
    let dir = temp();
    let db = dir.path().join("records.sqlite3");
    let script = script();
    let scripts = scripts_with(&script);
    let route = best_route(&script);
    let store = Store::open(&db).unwrap();
    let known = store.create_profile("王芳").unwrap();
    let plan = hot_seat(&script, vec![Member::profile(known.id, "ignored"), Member::typed(" 李雷 ")], "周三窗口班");
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    let typed = store.profile_by_name("李雷").expect("a typed name gets a profile");
    assert_eq!(drill.plan.roster, vec![Member::profile(known.id, "王芳"), Member::profile(typed.id, "李雷")]);

    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    assert_eq!(drill.phase, Phase::Playing { slot: 0 }, "the store links the attempt in the same step");
    let attempt = drill.states[0].attempt.unwrap();
    for &o in &route[..2] {
        store.apply_drill_event(id, &mut drill, &Event::Choose { option: o, response_secs: Some(2.5) }, &scripts).unwrap();
    }
    assert!(store.unfinished_attempts(known.id).unwrap().is_empty(), "a slot's attempt resumes with its drill only");
    drop(store);

    // As after a crash: nothing but the file.
    let store = Store::open(&db).unwrap();
    let unfinished = store.unfinished_drills().unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!((unfinished[0].id, unfinished[0].status, unfinished[0].events), (id, DrillStatus::Running, 4));
    assert_eq!(unfinished[0].title, "周三窗口班");
    let mut resumed = store.load_drill(id, &scripts).unwrap();
    assert_eq!(resumed, drill);
    let record = store.attempt(attempt).unwrap();
    assert_eq!(record.summary.profile_id, known.id);
    assert_eq!(record.choices(), route[..2]);
    assert_eq!(record.response_secs(), vec![Some(2.5); 2]);

    for &o in &route[2..] {
        store.apply_drill_event(id, &mut resumed, &Event::Choose { option: o, response_secs: None }, &scripts).unwrap();
    }
    store.apply_drill_event(id, &mut resumed, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
    let record = store.attempt(attempt).unwrap();
    assert_eq!(record.summary.status, Status::Completed);
    let played = Encounter::replay(script.clone(), record.summary.seed, &route).unwrap();
    assert_eq!(record.result.unwrap().card, played.score());
    // The absent second member: skipped, and the drill is over.
    store.apply_drill_event(id, &mut resumed, &Event::SkipSlot, &scripts).unwrap();
    assert_eq!(resumed.phase, Phase::Finished);
    assert!(store.unfinished_drills().unwrap().is_empty());
    assert_eq!(store.drills().unwrap()[0].status, DrillStatus::Finished);
    assert_eq!(store.load_drill(id, &scripts).unwrap(), resumed);
    assert_eq!(store.drill_snapshot(id).unwrap(), resumed, "the stored state matches the replay");
    // An edited scenario stops a replay but not the snapshot reports use.
    let mut edited = script.scenario.clone();
    edited.version += 1;
    let edited = scripts_with(&Script::new(edited).unwrap());
    assert!(matches!(store.load_drill(id, &edited), Err(StoreError::Drill { source: DrillError::Replay { .. }, .. })));
    assert_eq!(store.drill_snapshot(id).unwrap(), resumed);
}

#[test]
fn a_rejected_or_stale_event_writes_nothing() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let scripts = scripts_with(&script);
    let (id, mut drill) = store.create_drill(&hot_seat(&script, vec![Member::typed("甲")], "t")).unwrap();
    let stale = drill.clone();
    let err = store.apply_drill_event(id, &mut drill, &Event::Choose { option: 0, response_secs: None }, &scripts);
    assert!(matches!(err, Err(StoreError::Drill { source: DrillError::WrongPhase { .. }, .. })), "{err:?}");
    assert_eq!(store.drill_log(id).unwrap().1.len(), 0);
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    let mut stale = stale;
    let err = store.apply_drill_event(id, &mut stale, &Event::StartSlot, &scripts);
    assert!(matches!(err, Err(StoreError::DrillOutOfStep { stored: 2, applied: 0, .. })), "{err:?}");
    assert_eq!(store.attempts(None).unwrap().len(), 1, "the stale start opened no second attempt");
    assert!(matches!(store.load_drill(999, &scripts), Err(StoreError::NoDrill(999))));
    // Closing abandons the open attempt in the same transaction.
    store.apply_drill_event(id, &mut drill, &Event::Close, &scripts).unwrap();
    assert_eq!(store.attempts(None).unwrap()[0].status, Status::Abandoned);
    assert_eq!(store.drills().unwrap()[0].status, DrillStatus::Closed);
    // A plan the store cannot run is refused before anything is written.
    let empty = Plan { roster: vec![], ..hot_seat(&script, vec![], "x") };
    let err = store.create_drill(&empty).unwrap_err();
    assert!(matches!(err, StoreError::Drill { .. }));
    assert!(!err.to_string().starts_with("drill 0"), "named by its title, not a number it does not have yet: {err}");
    assert!(err.to_string().contains("drill “x”"), "{err}");
    assert_eq!(store.drills().unwrap().len(), 1);
}

#[test]
fn a_v2_database_gains_the_drill_tables_and_keeps_its_attempts() {
    let dir = temp();
    let db = dir.path().join("v2.sqlite3");
    let script = script();
    let route = best_route(&script);
    {
        let store = Store::open(&db).unwrap();
        let p = store.create_profile("老学员").unwrap();
        play_and_record(&store, p.id, &script, 3, &route);
    }
    // Turn it into exactly what a v2 build left: no drill tables, no group column.
    {
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute_batch(
            "DROP TABLE drill_attempts; DROP TABLE drill_events; DROP TABLE drills;
             ALTER TABLE profiles DROP COLUMN is_group;
             ALTER TABLE attempts DROP COLUMN persona; ALTER TABLE attempts DROP COLUMN rating;
             ALTER TABLE attempts DROP COLUMN rules;",
        )
        .unwrap();
        raw.pragma_update(None, "user_version", 2).unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 11);
    let attempts = store.attempts(None).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].status, Status::Completed);
    assert!(store.drills().unwrap().is_empty());
    let (id, _) = store.create_drill(&hot_seat(&script, vec![Member::typed("老学员")], "迁移后")).unwrap();
    assert_eq!(store.drills().unwrap()[0].id, id);
    assert_eq!(store.profiles().unwrap().len(), 1, "the typed name matched the existing profile");
}

#[test]
fn a_v3_database_marks_its_class_vote_groups_and_only_them() {
    let dir = temp();
    let db = dir.path().join("v3.sqlite3");
    let script = script();
    let route = best_route(&script);
    {
        let store = Store::open(&db).unwrap();
        let trainee = store.create_profile("小王").unwrap();
        play_and_record(&store, trainee.id, &script, 3, &route);
        // As a v3 build did: the group is a plain profile named in the plan.
        let raw = rusqlite::Connection::open(&db).unwrap();
        raw.execute("INSERT INTO profiles (name, created_at) VALUES ('三班', '2026-11-01T09:00:00Z')", []).unwrap();
        let group = raw.last_insert_rowid();
        let plan = Plan {
            mode: Mode::ClassVote,
            group: Some(Member::profile(group, "三班")),
            roster: vec![Member::profile(trainee.id, "小王")],
            ..hot_seat(&script, vec![], "表决")
        };
        // A drill that (wrongly, but v3 allowed it) used the trainee as a group too.
        let odd = Plan { group: Some(Member::profile(trainee.id, "小王")), ..plan.clone() };
        for plan in [plan, odd] {
            raw.execute(
                "INSERT INTO drills (title, mode, plan_json, state_json, status, created_at, updated_at)
                 VALUES ('表决', 'ClassVote', ?1, '{}', 'closed', '2026-11-01', '2026-11-01')",
                [serde_json::to_string(&plan).unwrap()],
            )
            .unwrap();
        }
        raw.execute_batch(
            "ALTER TABLE profiles DROP COLUMN is_group;
             DROP INDEX drills_by_uuid; ALTER TABLE drills DROP COLUMN uuid;
             ALTER TABLE attempts DROP COLUMN persona; ALTER TABLE attempts DROP COLUMN rating;
             ALTER TABLE attempts DROP COLUMN rules;
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let trainees: Vec<String> = store.profiles().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(trainees, ["小王"], "the group is hidden; the trainee it shared a drill with is not");
    assert_eq!(store.attempts(None).unwrap().len(), 1);
}

#[test]
fn the_session_report_ranks_common_mistakes_and_escapes_names() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let scripts = scripts_with(&script);
    let worst = worst_route(&script);
    let best = best_route(&script);
    let roster = vec![Member::typed("<script>alert(1)</script>"), Member::typed("=HYPERLINK(\"x\")"), Member::typed("张三 & 李四")];
    let (id, mut drill) = store.create_drill(&hot_seat(&script, roster, "<b>班</b>")).unwrap();
    for (route, guess) in [(&worst, None), (&worst, Some(counterpart_core::scenario::model::DiscStyle::C)), (&best, None)] {
        store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
        for &o in route.iter() {
            store.apply_drill_event(id, &mut drill, &Event::Choose { option: o, response_secs: None }, &scripts).unwrap();
        }
        store.apply_drill_event(id, &mut drill, &Event::FinishSlot { disc_guess: guess, outcome: None }, &scripts).unwrap();
    }
    assert!(drill.states.iter().all(|s| s.status == SlotStatus::Done));
    let attempts = store.drill_attempts(&drill).unwrap();
    assert_eq!(attempts.len(), 3);

    let mistakes = common_mistakes(&attempts, &scripts);
    assert!(!mistakes.is_empty(), "the worst route has options scoring 0–1");
    assert!(mistakes.windows(2).all(|w| w[0].times >= w[1].times), "most chosen first");
    let top = &mistakes[0];
    assert_eq!(top.times, 2);
    let mut both = vec!["<script>alert(1)</script>".to_string(), "=HYPERLINK(\"x\")".to_string()];
    both.sort();
    assert_eq!(top.by, both);
    assert!(top.quality <= 33 || top.red_flag.is_some());
    // Every low-quality option of the worst route is listed, chosen twice.
    let turns = Encounter::replay(script.clone(), 0, &worst).unwrap().steps().to_vec();
    for step in &turns {
        let q = counterpart_core::play::engine::option_quality(&script, step.turn, step.choice);
        let listed = mistakes.iter().find(|m| m.turn_id == step.turn_id && m.option_id == step.choice_id);
        if q <= 33 {
            assert_eq!(listed.map(|m| m.times), Some(2), "{}", step.choice_id);
        }
    }
    let prompts = discussion_prompts(top);
    let steps: Vec<String> = prompts.iter().map(|p| p.step.label().zh).collect();
    assert_eq!(steps, ["感受", "经过", "分析", "总结"]);
    assert!(prompts[0].text.zh.contains(&top.option.zh));
    assert!(prompts[2].text.zh.contains(&top.feedback.zh));

    let html = drill_html(&drill, &attempts, &scripts);
    assert!(!html.contains("<script>alert"), "names are escaped");
    assert!(!html.contains("<b>班</b>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("张三 &amp; 李四"));
    for label in ["感受", "经过", "分析", "总结", "Reactions", "Summary", "常见失误"] {
        assert!(html.contains(label), "{label}");
    }

    let mut csv_bytes = Vec::new();
    write_drill_csv(&drill, &mut csv_bytes).unwrap();
    let mut reader = csv::Reader::from_reader(&csv_bytes[..]);
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), DRILL_CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[1][3], "'=HYPERLINK(\"x\")", "a formula stays text");
    let overall: f32 = rows[2][10].parse().unwrap();
    let best_score = Encounter::replay(script.clone(), drill.states[2].seed, &best).unwrap().score().overall;
    assert!((overall - best_score).abs() < 0.051);
    assert_eq!(&rows[0][8], "done");
    // The date the slot was played, its red flags and the DISC guess.
    let today = &attempts[0].summary.started_at[..10];
    assert_eq!(&rows[0][18], today);
    let worst_flags = &drill.states[0].result.as_ref().unwrap().card.red_flags;
    assert!(!worst_flags.is_empty(), "the worst route crosses a red line");
    assert_eq!(rows[0][19], worst_flags.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(" "));
    assert_eq!((&rows[1][20], &rows[0][20]), ("C", ""));
    assert!(html.contains(&format!("日期 Date (UTC): {today}")));
    assert!(html.contains("出席 Present (3)"), "attendance");
    assert!(html.contains("failed the attempt"), "a red flag says it failed the attempt");
    assert!(html.contains("C (实为 was"), "the DISC guess beside the truth");

    // The CLI writes the same report from the stored drill.
    let db = store.path().to_path_buf();
    drop(store);
    let (html_path, csv_path) = (dir.path().join("drill.html"), dir.path().join("drill.csv"));
    let run = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--scenarios", "tests/fixtures", "drill", "report", "--drill", &id.to_string(), "--html"])
        .arg(&html_path)
        .arg("--csv")
        .arg(&csv_path)
        .env("COUNTERPART_DB", &db)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::read_to_string(&html_path).unwrap(), html);
    assert_eq!(std::fs::read(&csv_path).unwrap(), csv_bytes);
    let listed = Command::new(env!("CARGO_BIN_EXE_counterpart")).args(["drill", "list"]).env("COUNTERPART_DB", &db).output().unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with(&format!("{id}\tHotSeat\tFinished\t")));
    let missing = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["drill", "report", "--drill", "999", "--csv"])
        .arg(dir.path().join("none.csv"))
        .env("COUNTERPART_DB", &db)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn drill_statements_name_the_class_as_a_group_and_group_by_drill_and_reach_a_real_lrs() {
    let dir = temp();
    let store = Store::open(&dir.path().join("x.sqlite3")).unwrap();
    let script = script();
    let scripts = scripts_with(&script);
    let best = best_route(&script);
    let vote = Plan {
        mode: Mode::ClassVote,
        group: Some(Member::typed("三班")),
        roster: vec![Member::typed("到场学员")],
        ..hot_seat(&script, vec![], "周五表决")
    };
    let (vote_id, mut vote_drill) = store.create_drill(&vote).unwrap();
    store.apply_drill_event(vote_id, &mut vote_drill, &Event::StartSlot, &scripts).unwrap();
    for &o in &best {
        store.apply_drill_event(vote_id, &mut vote_drill, &Event::Majority { option: o }, &scripts).unwrap();
    }
    store.apply_drill_event(vote_id, &mut vote_drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
    let (seat_id, mut seat_drill) = store.create_drill(&hot_seat(&script, vec![Member::typed("李雷")], "周五轮换")).unwrap();
    store.apply_drill_event(seat_id, &mut seat_drill, &Event::StartSlot, &scripts).unwrap();
    store.apply_drill_event(seat_id, &mut seat_drill, &Event::Choose { option: best[0], response_secs: Some(3.0) }, &scripts).unwrap();
    // A solo attempt besides, which belongs to no drill.
    let solo_profile = store.create_profile("独自练习").unwrap();
    let solo = play_and_record(&store, solo_profile.id, &script, 5, &best[..1]).0;

    let vote_record = store.drill_attempts(&vote_drill).unwrap().remove(0);
    let seat_record = store.drill_attempts(&seat_drill).unwrap().remove(0);
    let solo_record = store.attempt(solo).unwrap();
    let (vote_link, seat_link) = (vote_record.summary.drill.clone().unwrap(), seat_record.summary.drill.clone().unwrap());
    assert_eq!((vote_link.mode.as_str(), vote_link.slot, vote_link.title.as_str()), ("ClassVote", 0, "周五表决"));
    assert_eq!(seat_link.mode, "HotSeat");
    assert_ne!(vote_link.uuid, seat_link.uuid);
    assert!(vote_record.summary.by_group && !seat_record.summary.by_group);
    assert!(solo_record.summary.drill.is_none());

    let vote_statements = statements(&vote_record).unwrap();
    let seat_statements = statements(&seat_record).unwrap();
    let solo_statements = statements(&solo_record).unwrap();
    // initialized, one responded per vote, completed, the verdict, terminated.
    assert_eq!(vote_statements.len(), best.len() + 4);
    for s in &vote_statements {
        assert_eq!(s["actor"]["objectType"], "Group", "the class chose, not a trainee");
        assert_eq!(s["actor"]["account"]["name"], "三班");
        let grouping = &s["context"]["contextActivities"]["grouping"][0];
        assert_eq!(grouping["id"], xapi::drill_activity_id(&vote_link.uuid));
        assert_eq!(grouping["definition"]["name"]["zh-CN"], "周五表决");
        assert_eq!(s["context"]["extensions"][xapi::extension("drill-mode")], "ClassVote");
        assert_eq!(s["context"]["extensions"][xapi::extension("drill-slot")], 1);
    }
    for s in &seat_statements {
        assert_eq!(s["actor"]["objectType"], "Agent");
        assert_eq!(s["context"]["contextActivities"]["grouping"][0]["id"], xapi::drill_activity_id(&seat_link.uuid));
    }
    for s in &solo_statements {
        assert!(s["context"]["contextActivities"].get("grouping").is_none());
        assert!(s["context"]["extensions"].get(xapi::extension("drill-mode")).is_none());
    }

    let required = std::env::var_os("COUNTERPART_REQUIRE_LRS").is_some_and(|v| !v.is_empty());
    let Some(exe) = Ralph::find() else {
        assert!(!required, "COUNTERPART_REQUIRE_LRS is set but Ralph does not run");
        println!("SKIPPED the LRS half of the drill statements test: Ralph not found");
        return;
    };
    let ralph = Ralph::setup(exe, dir.path());
    let lrs = Lrs::new(&ralph.url(), Ralph::USER, Ralph::PASSWORD);
    let sent: Vec<Value> = [vote_statements, seat_statements, solo_statements].concat();
    let report = lrs.send(&sent);
    assert!(report.is_complete(), "the LRS accepts group actors and drill groupings: {:?}", report.unsent);
    for record in [&vote_record, &seat_record] {
        for got in lrs.get_registration(&record.summary.uuid).unwrap() {
            let mine = sent.iter().find(|s| s["id"] == got["id"]).expect("sent");
            assert!(same_json(&mine["actor"], &got["actor"]), "actor: sent {} stored {}", mine["actor"], got["actor"]);
            assert!(same_json(&mine["context"], &got["context"]), "context: sent {} stored {}", mine["context"], got["context"]);
        }
    }
}

#[test]
fn every_vote_for_a_poor_option_counts_in_the_class_report() {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let scripts = scripts_with(&script);
    let best = best_route(&script);
    let first = &script.scenario.turns[0];
    let poor = (0..first.options.len())
        .find(|&i| i != best[0] && counterpart_core::play::engine::option_quality(&script, 0, i) <= 33)
        .expect("the first turn has a poor option besides the best");
    let plan = Plan {
        mode: Mode::ClassVote,
        group: Some(Member::typed("2026 春季班")),
        // Sixteen present: the vote totals are checked against the roster.
        roster: std::iter::once("到场学员".to_string()).chain((2..=16).map(|i| format!("学员{i:02}"))).map(Member::typed).collect(),
        ..hot_seat(&script, vec![], "表决")
    };
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    let mut counts = vec![0u32; first.options.len()];
    counts[best[0]] = 9;
    counts[poor] = 7;
    store.apply_drill_event(id, &mut drill, &Event::Votes { counts }, &scripts).unwrap();
    for &o in &best[1..] {
        store.apply_drill_event(id, &mut drill, &Event::Majority { option: o }, &scripts).unwrap();
    }
    store.apply_drill_event(id, &mut drill, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
    let attempts = store.drill_attempts(&drill).unwrap();
    assert_eq!(attempts[0].summary.profile_name, "2026 春季班", "the run is the group's, not a trainee's");
    assert!(store.profile_by_name("到场学员").is_ok());
    // The group keeps its record but is no trainee to pick on the start screen.
    let trainees: Vec<String> = store.profiles().unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(trainees.len(), 16);
    assert!(trainees.contains(&"到场学员".to_string()) && !trainees.contains(&"2026 春季班".to_string()));
    assert!(store.profile_by_name("2026 春季班").is_ok());
    // A trainee's name cannot become a group, nor a group's a trainee.
    let clash = Plan { group: Some(Member::typed("到场学员")), ..plan.clone() };
    assert!(matches!(store.create_drill(&clash), Err(StoreError::ProfileKindClash { group: true, .. })));
    let clash = Plan { roster: vec![Member::typed("2026 春季班")], ..hot_seat(&script, vec![], "x") };
    let err = store.create_drill(&clash).unwrap_err();
    assert!(matches!(err, StoreError::ProfileKindClash { group: false, .. }), "{err}");
    assert!(err.to_string().contains("class group"), "{err}");
    assert!(matches!(store.create_profile("2026 春季班"), Err(StoreError::DuplicateProfile(_))));

    let poor_id = &first.options[poor].id;
    assert!(common_mistakes(&attempts, &scripts).iter().all(|m| &m.option_id != poor_id), "not followed, not a step");
    let mistakes = drill_mistakes(&drill, &attempts, &scripts);
    let m = mistakes.iter().find(|m| &m.option_id == poor_id).expect("its votes count");
    assert_eq!((m.times, m.by.clone()), (7, vec!["2026 春季班".to_string()]));
    let mut alone = Encounter::new(script.clone(), attempts[0].summary.seed);
    let step = alone.choose(poor, None).unwrap();
    assert_eq!((m.upset_before, m.upset_after), (step.mood_before.upset as f32, step.mood_after.upset as f32));
    let html = drill_html(&drill, &attempts, &scripts);
    assert!(html.contains("× 7"), "the poor option ranks by its votes");
    assert!(html.contains(&format!("{}: 7 (44%)", poor + 1)), "the split: 7 of 16");
}

#[test]
fn a_role_play_result_lands_in_the_responders_record() {
    use counterpart_core::drill::Observation::Level;
    use counterpart_core::scenario::model::{Item, Outcome, RedFlag};
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let scripts = scripts_with(&script);
    let roster = ["答", "演", "观一", "观二"].map(Member::typed).to_vec();
    let plan = Plan { mode: Mode::RolePlay, ..hot_seat(&script, roster, "角色扮演") };
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    let apply = |drill: &mut counterpart_core::drill::Drill, e: Event| store.apply_drill_event(id, drill, &e, &scripts).unwrap();
    apply(&mut drill, Event::StartSlot);
    assert!(drill.cue_card(&scripts).unwrap().is_some());
    apply(&mut drill, Event::CueNext { closest: 0 });
    for (observer, level) in [(2, 3), (3, 2)] {
        apply(&mut drill, Event::Observe { observer, item: Item::E1, mark: Level(level) });
        apply(&mut drill, Event::Observe { observer, item: Item::P1, mark: Level(level) });
    }
    apply(&mut drill, Event::RedFlag { observer: 3, flag: RedFlag::DataLeak, raised: true });
    apply(&mut drill, Event::Observe { observer: 2, item: Item::L1, mark: Level(0) });
    apply(&mut drill, Event::Observe { observer: 3, item: Item::L1, mark: Level(1) });
    apply(&mut drill, Event::Observe { observer: 3, item: Item::C1, mark: counterpart_core::drill::Observation::NotObserved });
    apply(&mut drill, Event::FinishSlot { disc_guess: None, outcome: Some(Outcome::Escalated) });
    let responder = store.profile_by_name("答").unwrap();
    let record = store.attempt(drill.states[0].attempt.unwrap()).unwrap();
    assert_eq!(record.summary.profile_id, responder.id);
    assert_eq!(record.summary.status, Status::Completed);
    assert!(record.steps.is_empty(), "the responder spoke freely: no scripted steps");
    let result = record.result.unwrap();
    assert_eq!(result.outcome, Outcome::Escalated);
    assert_eq!(result.card.item(Item::E1), 2, "lower median of 3 and 2");
    assert_eq!(result.card.red_flags, vec![RedFlag::DataLeak], "one of two observers is half");
    assert!(!result.card.passed);
    let html = drill_html(&drill, &store.drill_attempts(&drill).unwrap(), &scripts);
    assert!(html.contains("Weighted kappa") && html.contains("观二"));
    assert!(html.contains("Leaked personal data"));
    // The role-play's common mistakes are what the observers scored 0–1 and
    // the flags they raised, not "no option scoring 0–1".
    assert!(!html.contains("No option scoring 0–1 was chosen"), "observers gave 0s and raised a data leak");
    let observed = counterpart_core::records::report::observed_mistakes(&drill);
    assert_eq!(observed.len(), 1, "{observed:?}");
    assert_eq!((observed[0].item, observed[0].marks, observed[0].responders.clone()), (Item::L1, 2, vec!["答".to_string()]));
    let flags = counterpart_core::records::report::raised_flags(&drill);
    assert_eq!(flags.len(), 1);
    assert_eq!((flags[0].flag, flags[0].by.clone(), flags[0].failed), (RedFlag::DataLeak, vec!["观二".to_string()], true));
    assert!(html.contains("Items observers scored 0–1") && html.contains("raised by 观二"));
    assert!(html.contains("it counted and failed the attempt"));
    assert!(html.contains("— 观察员表示未观察到 not observed · · 未打分 not marked"), "the marks are explained");
    assert_eq!(html.matches("Weighted kappa: agreement beyond chance").count(), 1, "the kappa explanation once");
    assert!(html.contains("出席 Present (4): 答、演、观一、观二"));
    let mut csv = Vec::new();
    write_drill_csv(&drill, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("DataLeak (观二)"), "{csv}");
    // Replaying the whole log gives the same drill.
    assert_eq!(store.load_drill(id, &scripts).unwrap(), drill);
}

#[test]
fn an_undone_choice_leaves_the_attempt_and_the_reopened_drill_alike() {
    let dir = temp();
    let db = dir.path().join("records.sqlite3");
    let script = script();
    let scripts = scripts_with(&script);
    let route = best_route(&script);
    let store = Store::open(&db).unwrap();
    let (id, mut drill) = store.create_drill(&hot_seat(&script, vec![Member::typed("李雷")], "撤销")).unwrap();
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    let attempt = drill.states[0].attempt.unwrap();
    for &o in &route[..2] {
        store.apply_drill_event(id, &mut drill, &Event::Choose { option: o, response_secs: Some(1.0) }, &scripts).unwrap();
    }
    // A wrong key: the trainer takes the second answer back.
    store.apply_drill_event(id, &mut drill, &Event::Undo, &scripts).unwrap();
    assert_eq!(store.attempt(attempt).unwrap().choices(), route[..1], "the step left the attempt");
    assert_eq!(drill.states[0].choices, route[..1]);
    drop(store);
    // As after a crash: the log, undo included, replays to the same drill.
    let store = Store::open(&db).unwrap();
    let mut resumed = store.load_drill(id, &scripts).unwrap();
    assert_eq!(resumed, drill);
    assert_eq!(store.drill_snapshot(id).unwrap(), drill);
    for &o in &route[1..] {
        store.apply_drill_event(id, &mut resumed, &Event::Choose { option: o, response_secs: None }, &scripts).unwrap();
    }
    store.apply_drill_event(id, &mut resumed, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();
    let record = store.attempt(attempt).unwrap();
    assert_eq!(record.choices(), route);
    let played = Encounter::replay(script.clone(), record.summary.seed, &route).unwrap();
    assert_eq!(record.result.unwrap().card, played.score(), "the report's score is the route actually kept");
    // A finished slot is not undone: the error changes nothing.
    let before = store.drill_log(id).unwrap().1.len();
    let mut after = resumed.clone();
    assert!(store.apply_drill_event(id, &mut after, &Event::Undo, &scripts).is_err());
    assert_eq!((after, store.drill_log(id).unwrap().1.len()), (resumed, before));
}

#[test]
fn employee_numbers_typed_in_the_roster_go_to_the_profiles_and_a_taken_one_refuses_the_drill() {
    let dir = temp();
    let store = Store::open(&dir.path().join("records.sqlite3")).unwrap();
    let script = script();
    let held = store.create_profile("王芳").unwrap();
    store.set_employee_id(held.id, Some("A-001")).unwrap();
    let numbered = |name: &str, number: &str| Member::typed(name).with_employee_id(Some(number.to_string()));

    // A number another trainee holds: no drill, no new profile, no number moved.
    let taken = hot_seat(&script, vec![numbered("李明", "B-7"), numbered("张伟", "A-001")], "周四热线班");
    let err = store.create_drill(&taken).unwrap_err().to_string();
    assert!(err.contains("A-001") && err.contains("王芳") && err.contains("已属于"), "{err}");
    assert!(store.profile_by_name("李明").is_err() && store.profile_by_name("张伟").is_err(), "the refused drill left no profiles");
    assert_eq!(store.profile_by_employee_id("B-7").unwrap(), None);
    assert!(store.drills().unwrap().is_empty());

    // Two typed members with one number: the second is refused.
    let twice = hot_seat(&script, vec![numbered("李明", "B-7"), numbered("张伟", "B-7")], "周四热线班");
    assert!(store.create_drill(&twice).unwrap_err().to_string().contains("B-7"));

    // Unusable numbers are refused with the rule.
    let bad = hot_seat(&script, vec![numbered("李明", "B 7"), Member::typed("张伟")], "周四热线班");
    assert!(store.create_drill(&bad).unwrap_err().to_string().contains("工号只能包含"));

    // Accepted: new members get their numbers, the holder's own number is no clash.
    let plan = hot_seat(&script, vec![numbered("李明", "B-7"), numbered("王芳", "A-001"), Member::typed("张伟")], "周四热线班");
    let (_, drill) = store.create_drill(&plan).unwrap();
    let li = store.profile_by_name("李明").unwrap();
    assert_eq!(store.employee_id(li.id).unwrap().as_deref(), Some("B-7"));
    assert_eq!(store.employee_id(held.id).unwrap().as_deref(), Some("A-001"));
    assert_eq!(store.employee_id(store.profile_by_name("张伟").unwrap().id).unwrap(), None);
    assert!(drill.plan.roster.iter().all(|m| m.employee_id.is_none()), "the stored plan names profiles, not numbers");

    // A profile that has a number is not given another by a typo.
    let other = hot_seat(&script, vec![numbered("李明", "B-8"), Member::typed("张伟")], "周五热线班");
    let err = store.create_drill(&other).unwrap_err().to_string();
    assert!(err.contains("B-7") && err.contains("B-8"), "{err}");
    assert_eq!(store.employee_id(li.id).unwrap().as_deref(), Some("B-7"));
}

/// The class's work order in a class vote: typed as drill events, so a
/// drill resumed after the store is reopened has it exactly as typed; handed
/// in and scored with the vote's attempt as a solo order is scored.
#[test]
fn a_class_votes_work_order_resumes_as_typed_and_is_stored_scored_with_the_attempt() {
    use super::work_orders::{careless_order, water, water_path};
    use counterpart_core::drill::AtHand;
    use counterpart_core::knowledge::Segmenter;
    use counterpart_core::library::knowledge::Desk;
    use counterpart_core::workorder::{OrderOutcome, card_with_order};
    use std::collections::HashMap;

    let dir = temp();
    let db = dir.path().join("records.sqlite3");
    let script = water();
    let scripts = scripts_with(&script);
    let route = best_route(&script);
    let desks: HashMap<String, Arc<Desk>> = [(script.scenario.id.clone(), Arc::new(Desk::for_file(&water_path())))].into();
    let words = Segmenter::new();
    let at_hand = AtHand::new(&desks, &words);
    let plan = Plan {
        title: "全班工单".into(),
        mode: Mode::ClassVote,
        scenarios: vec![script.scenario.id.clone()],
        roster: vec![Member::typed("甲"), Member::typed("乙"), Member::typed("丙")],
        group: Some(Member::typed("三班")),
        rotation: Rotation::Same,
        rounds: 1,
        seed: 11,
    };
    let store = Store::open(&db).unwrap();
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    let apply = |store: &Store, drill: &mut counterpart_core::drill::Drill, event: Event| store.apply_drill_event_at(id, drill, &event, &scripts, at_hand).unwrap();
    apply(&store, &mut drill, Event::StartSlot);
    let attempt = drill.states[0].attempt.unwrap();
    apply(&store, &mut drill, Event::Majority { option: route[0] });
    // Typed with a pasted control character and an absurd number: kept as typed.
    let mut typed = careless_order();
    typed.contact = "1\u{7}23".into();
    apply(&store, &mut drill, Event::Order { order: typed.clone() });
    assert_eq!(store.attempt(attempt).unwrap().work_order.unwrap().order, typed, "the draft is with the attempt too");
    drop(store);

    // As after a crash: the drill comes back from its log with the order as typed.
    let store = Store::open(&db).unwrap();
    let mut resumed = store.load_drill_at(id, &scripts, at_hand).unwrap();
    assert_eq!(resumed, drill);
    assert_eq!(resumed.states[0].order, typed);
    assert_eq!(resumed.states[0].order_submitted_after, None);
    for &o in &route[1..] {
        apply(&store, &mut resumed, Event::Majority { option: o });
    }
    apply(&store, &mut resumed, Event::SubmitOrder);
    assert!(matches!(store.apply_drill_event_at(id, &mut resumed, &Event::Order { order: careless_order() }, &scripts, at_hand), Err(StoreError::Drill { source: DrillError::OrderHandedIn, .. })));
    apply(&store, &mut resumed, Event::FinishSlot { disc_guess: None, outcome: None });

    let record = store.attempt(attempt).unwrap();
    let stored = record.work_order.expect("the class's order is kept with the vote's attempt");
    assert_eq!(stored.order, typed);
    assert_eq!(stored.submitted_after_step, Some(route.len()));
    let played = Encounter::replay(script.clone(), record.summary.seed, &route).unwrap();
    let (card, report) = card_with_order(&played, Some(&typed), desks[&script.scenario.id].context(&words));
    assert_eq!(record.result.unwrap().card, card, "scored as a solo order is");
    assert!(card.overall < played.score().overall, "the careless order lowered the card");
    assert_eq!(stored.outcome, Some(OrderOutcome::of(&report.unwrap())));
    assert_eq!(store.load_drill_at(id, &scripts, at_hand).unwrap(), resumed);
}

#[test]
fn a_drills_protocol_actions_are_stored_with_the_slots_steps_replay_after_reopening_and_a_miss_fails_as_solo() {
    use counterpart_core::analysis::analyze::analyze_persona;
    use counterpart_core::play::protocol::{ActionStatus, apply_protocol};
    use counterpart_core::scenario::model::RedFlag;

    let dir = temp();
    let db = dir.path().join("records.sqlite3");
    let file = load_file(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/hotline-gas-smell.ron"));
    let script = file.script().unwrap_or_else(|| panic!("{:#?}", file.errors())).clone();
    let scripts = scripts_with(&script);
    let store = Store::open(&db).unwrap();
    let (id, mut drill) = store.create_drill(&hot_seat(&script, vec![Member::typed("李明")], "风险处置")).unwrap();
    store.apply_drill_event(id, &mut drill, &Event::StartSlot, &scripts).unwrap();
    let attempt = drill.states[0].attempt.unwrap();
    let persona = script.persona_for_seed(drill.states[0].seed);
    let route = analyze_persona(&script, persona).unwrap().best(Objective::Overall).unwrap().route.clone();
    // The gas line joined on the opening turn; 119 forgotten.
    store.apply_drill_event(id, &mut drill, &Event::Protocol { action: "handover-gas".into() }, &scripts).unwrap();
    store.apply_drill_event(id, &mut drill, &Event::Choose { option: route[0], response_secs: Some(4.0) }, &scripts).unwrap();
    store.apply_drill_event(id, &mut drill, &Event::Protocol { action: "report-shift-lead".into() }, &scripts).unwrap();
    assert_eq!(store.attempt(attempt).unwrap().steps[0].step.actions, ["handover-gas"], "kept with the step it came before");
    drop(store);

    // As after a crash: the pending action comes back with the drill.
    let store = Store::open(&db).unwrap();
    let mut resumed = store.load_drill(id, &scripts).unwrap();
    assert_eq!(resumed, drill);
    let encounter = resumed.encounter(0, &scripts).unwrap().unwrap();
    assert_eq!(encounter.pending_actions(), ["report-shift-lead"]);
    assert!(matches!(
        store.apply_drill_event(id, &mut resumed, &Event::Protocol { action: "handover-gas".into() }, &scripts),
        Err(StoreError::Drill { source: DrillError::Play(_), .. })
    ));
    for &o in &route[1..] {
        store.apply_drill_event(id, &mut resumed, &Event::Choose { option: o, response_secs: None }, &scripts).unwrap();
    }
    store.apply_drill_event(id, &mut resumed, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts).unwrap();

    let record = store.attempt(attempt).unwrap();
    assert_eq!(record.steps[1].step.actions, ["report-shift-lead"]);
    // The stored attempt replays to the drill's judgement, and scores as a
    // solo attempt of the same steps: the missed handover fails it.
    let replayed = record.replay_on(&script, record.steps.len()).unwrap();
    assert_eq!(Some(replayed.protocol_report()), resumed.protocol_report(0, &scripts).unwrap());
    let report = replayed.protocol_report();
    let status = |action: &str| report.required.iter().find(|r| r.action == action).unwrap().status;
    assert_eq!((status("handover-gas"), status("handover-119"), status("report-shift-lead")), (ActionStatus::Done, ActionStatus::Missed, ActionStatus::Done));
    let card = record.result.unwrap().card;
    assert!(!card.passed && card.red_flags.contains(&RedFlag::MissedProtocol), "{card:?}");
    let (solo, _) = counterpart_core::workorder::card_with_order(&replayed, Some(&Default::default()), counterpart_core::library::knowledge::Desk::default().context(&counterpart_core::knowledge::Segmenter::new()));
    assert_eq!(card, apply_protocol(&solo, &report));
    assert_eq!(store.load_drill(id, &scripts).unwrap(), resumed);
}

#[test]
fn a_drills_lookups_are_stored_with_the_slots_attempt_in_its_transaction_and_come_back_after_reopening() {
    use counterpart_core::knowledge::Segmenter;
    use counterpart_core::library::knowledge::Desk;
    use counterpart_core::drill::AtHand;
    use std::collections::HashMap;

    let dir = temp();
    let db = dir.path().join("records.sqlite3");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/hotline-gas-smell.ron");
    let file = load_file(&path);
    let script = file.script().unwrap_or_else(|| panic!("{:#?}", file.errors())).clone();
    let scripts = scripts_with(&script);
    let desks: HashMap<String, Arc<Desk>> = [(script.scenario.id.clone(), Arc::new(Desk::for_file(&path)))].into();
    let words = Segmenter::new();
    let at_hand = AtHand::new(&desks, &words);
    let look = |query: &str, entry: &str| Event::Lookup { query: query.into(), entry: entry.into() };
    let store = Store::open(&db).unwrap();
    let (id, mut drill) = store.create_drill(&hot_seat(&script, vec![Member::typed("李明")], "查阅演练")).unwrap();
    store.apply_drill_event_at(id, &mut drill, &Event::StartSlot, &scripts, at_hand).unwrap();
    let attempt = drill.states[0].attempt.unwrap();
    let persona = script.persona_for_seed(drill.states[0].seed);
    let route = counterpart_core::analysis::analyze::analyze_persona(&script, persona).unwrap().best(Objective::Overall).unwrap().route.clone();

    store.apply_drill_event_at(id, &mut drill, &look("燃气", "gas-leak-emergency"), &scripts, at_hand).unwrap();
    store.apply_drill_event_at(id, &mut drill, &Event::Choose { option: route[0], response_secs: Some(3.0) }, &scripts, at_hand).unwrap();
    store.apply_drill_event_at(id, &mut drill, &look("停水", "water-outage-repair"), &scripts, at_hand).unwrap();
    let stored = store.attempt(attempt).unwrap().lookups;
    let seen: Vec<(&str, &str, usize)> = stored.iter().map(|l| (l.query.as_str(), l.entry.as_str(), l.after_step)).collect();
    assert_eq!(seen, [("燃气", "gas-leak-emergency", 0), ("停水", "water-outage-repair", 1)], "李明's attempt holds them, after the answers given");
    assert!(stored.iter().all(|l| !l.recorded_at.is_empty()), "the store stamps them");

    // An entry the folder does not hold: refused, nothing logged or stored.
    let events = store.drill_log(id).unwrap().1.len();
    match store.apply_drill_event_at(id, &mut drill, &look("燃气", "no-such-entry"), &scripts, at_hand) {
        Err(StoreError::Drill { source: DrillError::UnknownEntry { entry }, .. }) => assert_eq!(entry, "no-such-entry"),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.drill_log(id).unwrap().1.len(), events);
    assert_eq!(store.attempt(attempt).unwrap().lookups.len(), 2);
    drop(store);

    // As after a crash: the slot comes back with its lookups.
    let store = Store::open(&db).unwrap();
    let mut resumed = store.load_drill_at(id, &scripts, at_hand).unwrap();
    assert_eq!(resumed, drill);
    let kept: Vec<(&str, usize)> = resumed.states[0].lookups.iter().map(|l| (l.entry.as_str(), l.after_step)).collect();
    assert_eq!(kept, [("gas-leak-emergency", 0), ("water-outage-repair", 1)]);
    // Undo takes back the answer, passing over the lookup after it: the
    // step goes, the lookups stay in the attempt.
    store.apply_drill_event_at(id, &mut resumed, &Event::Undo, &scripts, at_hand).unwrap();
    let record = store.attempt(attempt).unwrap();
    assert!(record.steps.is_empty());
    assert_eq!(record.lookups.len(), 2);
    for &o in &route {
        store.apply_drill_event_at(id, &mut resumed, &Event::Choose { option: o, response_secs: None }, &scripts, at_hand).unwrap();
    }
    store.apply_drill_event_at(id, &mut resumed, &look("燃气", "gas-leak-emergency"), &scripts, at_hand).unwrap();
    store.apply_drill_event_at(id, &mut resumed, &Event::FinishSlot { disc_guess: None, outcome: None }, &scripts, at_hand).unwrap();

    let record = store.attempt(attempt).unwrap();
    assert_eq!(record.summary.status, Status::Completed);
    assert_eq!(record.lookups.iter().map(|l| l.after_step).collect::<Vec<_>>(), [0, 1, route.len()]);
    // The attempt's own report lists them, as for a solo attempt.
    let html = attempt_html(&record, &scripts);
    assert!(html.contains("Knowledge looked up") && html.contains("water-outage-repair"), "{html}");
    assert_eq!(store.load_drill_at(id, &scripts, at_hand).unwrap(), resumed);
}
