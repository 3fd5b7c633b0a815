//! Exports: HTML, CSV and JSON escaping, and the export command.

use super::common::*;

/// A scenario whose texts try to inject markup, and a trainee named like a
/// script tag and a spreadsheet formula.
fn hostile_records() -> (tempfile::TempDir, Store, Library, Vec<counterpart_core::records::store::AttemptRecord>) {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let mut scenario = script().scenario.clone();
    scenario.title.zh = "<b>停水</b> & 投诉".into();
    scenario.citizen.name.zh = "<img src=x onerror=alert(1)>".into();
    for turn in &mut scenario.turns {
        for line in &mut turn.says {
            for v in &mut line.variants {
                v.zh = format!("<script>alert('said')</script>{}", v.zh);
            }
        }
        for o in &mut turn.options {
            o.text.zh = format!("<i>{}</i>", o.text.zh);
        }
    }
    let script = Script::new(scenario).unwrap();
    let route = best_route(&script);
    let p = store.create_profile("<script>alert(1)</script>").unwrap();
    let q = store.create_profile("=HYPERLINK(\"http://x\",\"y\")").unwrap();
    play_and_record(&store, p.id, &script, 1, &route);
    play_and_record(&store, q.id, &script, 2, &route[..2]);
    let scripts = Library::from_scripts([script.clone()]);
    let records: Vec<_> = store.attempts(None).unwrap().iter().map(|s| store.attempt(s.id).unwrap()).collect();
    (dir, store, scripts, records)
}

#[test]
fn exports_escape_names_and_scenario_text() {
    let (_dir, _store, scripts, records) = hostile_records();
    let html = attempt_html(&records[0], &scripts);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "trainee name shown, escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;b&gt;停水&lt;/b&gt; &amp; 投诉"));
    assert!(html.contains("&lt;i&gt;"), "chosen option text from the debrief");
    for bad in ["<script", "<img", "<b>", "<i>"] {
        assert!(!html.contains(bad), "unescaped {bad} in attempt report");
    }
    let trainee = trainee_html("<script>alert(1)</script>", &records[..1], &scripts, &|_| Some("a\"b.html".into()));
    assert!(!trainee.contains("<script") && !trainee.contains("<b>"));
    assert!(trainee.contains("href=\"a&quot;b.html\""));

    let mut csv_bytes = Vec::new();
    write_csv(&records, &mut csv_bytes).unwrap();
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][col("profile")], "<script>alert(1)</script>");
    assert_eq!(&rows[1][col("profile")], "'=HYPERLINK(\"http://x\",\"y\")", "formula defused");
    assert_eq!(&rows[0][col("status")], "completed");
    assert_eq!(&rows[1][col("status")], "in_progress");
    let overall: f32 = rows[0][col("overall")].parse().unwrap();
    assert!((overall - records[0].summary.overall.unwrap()).abs() < 0.06);
    let choices: Vec<usize> = rows[0][col("choices")].split(';').map(|c| c.parse().unwrap()).collect();
    assert_eq!(choices, records[0].choices().iter().map(|c| c + 1).collect::<Vec<_>>());

    let json: Value = serde_json::from_str(&to_json(&records).unwrap()).unwrap();
    let attempts = json["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["summary"]["profile_name"], "<script>alert(1)</script>");
    assert_eq!(attempts[0]["steps"].as_array().unwrap().len(), records[0].steps.len());
    let back: Vec<counterpart_core::records::store::AttemptRecord> = serde_json::from_value(json["attempts"].clone()).unwrap();
    assert_eq!(back, records);
}

#[test]
fn the_export_command_writes_every_format() {
    let (dir, store, _scripts, _records) = hostile_records();
    let db = store.path().to_path_buf();
    drop(store);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for (flag, target) in [("--csv", "a.csv"), ("--json", "a.json"), ("--html", "html"), ("--xapi", "x.json")] {
        let status = Command::new(env!("CARGO_BIN_EXE_counterpart"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["export", flag])
            .arg(out.join(target))
            .env("COUNTERPART_DB", &db)
            .status()
            .unwrap();
        assert!(status.success(), "{flag}");
    }
    assert!(std::fs::read_to_string(out.join("a.csv")).unwrap().lines().count() == 3);
    let html: Vec<_> = std::fs::read_dir(out.join("html")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(html.len(), 4, "two attempt and two trainee reports: {html:?}");
    for name in &html {
        let text = std::fs::read_to_string(out.join("html").join(name)).unwrap();
        assert!(!text.contains("<script"), "{name:?}");
    }
    let xapi: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(out.join("x.json")).unwrap()).unwrap();
    assert!(!xapi.is_empty());
    // --profile filters; --db wins over the environment; a missing profile is an error.
    let only = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["export", "--profile", "<script>alert(1)</script>", "--db"])
        .arg(&db)
        .arg("--csv")
        .arg(out.join("one.csv"))
        .env("COUNTERPART_DB", dir.path().join("nonexistent.sqlite3"))
        .status()
        .unwrap();
    assert!(only.success());
    assert_eq!(std::fs::read_to_string(out.join("one.csv")).unwrap().lines().count(), 2);
    let missing = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["export", "--profile", "nobody", "--csv"])
        .arg(out.join("none.csv"))
        .env("COUNTERPART_DB", &db)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nobody"));
}

#[test]
fn every_csv_starts_with_a_byte_order_mark_and_xlsx_is_a_workbook() {
    let (dir, store, _scripts, records) = hostile_records();
    let mut bytes = Vec::new();
    write_csv(&records, &mut bytes).unwrap();
    assert!(bytes.starts_with(counterpart_core::records::report::UTF8_BOM), "Excel reads it as UTF-8");
    let db = store.path().to_path_buf();
    drop(store);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["export", "--db"])
        .arg(&db)
        .arg("--csv")
        .arg(out.join("a.csv"))
        .arg("--xlsx")
        .arg(out.join("a.xlsx"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let csv = std::fs::read(out.join("a.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBFattempt_id,"));
    let xlsx = std::fs::read(out.join("a.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK\x03\x04"), "an OOXML zip");
    assert!(String::from_utf8_lossy(&run.stdout).contains("2 attempt(s), 0 drill(s)"));
    let book = counterpart_core::records::xlsx::workbook(&records, &[]).unwrap();
    assert!(book.starts_with(b"PK\x03\x04") && book.len() > 4000);
}

/// A hot-seat drill of the gas-smell call: the gas line joined on the
/// opening turn, the shift lead told before the second answer, 119 never
/// called. Every export of the slot's attempt and the drill's report say
/// which actions were taken, before which answer, and that 119 was missed.
#[test]
fn the_risk_protocol_is_in_every_export_of_the_attempt_and_in_the_drills_report() {
    use counterpart_core::analysis::analyze::analyze_persona;
    use counterpart_core::drill::{Event, Member, Mode, Plan, Rotation};
    use counterpart_core::records::report::drill_html;

    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let file = load_file(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/hotline-gas-smell.ron"));
    let script = file.script().unwrap_or_else(|| panic!("{:#?}", file.errors())).clone();
    let scripts = Library::from_scripts([script.clone()]);
    let plan = Plan {
        title: "风险处置".into(),
        mode: Mode::HotSeat,
        scenarios: vec![script.scenario.id.clone()],
        roster: vec![Member::typed("李明")],
        group: None,
        rotation: Rotation::Same,
        rounds: 1,
        seed: 2026,
    };
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    let apply = |drill: &mut counterpart_core::drill::Drill, event: Event| store.apply_drill_event(id, drill, &event, &scripts).unwrap();
    apply(&mut drill, Event::StartSlot);
    let attempt = drill.states[0].attempt.unwrap();
    let route = analyze_persona(&script, script.persona_for_seed(drill.states[0].seed)).unwrap().best(Objective::Overall).unwrap().route.clone();
    apply(&mut drill, Event::Protocol { action: "handover-gas".into() });
    apply(&mut drill, Event::Choose { option: route[0], response_secs: None });
    apply(&mut drill, Event::Protocol { action: "report-shift-lead".into() });
    for &o in &route[1..] {
        apply(&mut drill, Event::Choose { option: o, response_secs: None });
    }
    apply(&mut drill, Event::FinishSlot { disc_guess: None, outcome: None });
    let record = store.attempt(attempt).unwrap();

    let html = attempt_html(&record, &scripts);
    assert!(html.contains("风险处置 Risk protocol"), "{html}");
    let row_of = |html: &str, label: &str| html.split("<tr>").find(|r| r.contains(label)).unwrap_or_else(|| panic!("no row for {label}")).to_string();
    let fire = row_of(&html, "转119（三方通话）");
    assert!(fire.contains("未处置") && fire.contains("class=\"fail\""), "119 missed: {fire}");
    let gas = row_of(&html, "转燃气抢修热线（三方通话）");
    assert!(gas.contains("已及时处置") && gas.contains("class=\"pass\""), "{gas}");
    let first = row_of(&html, "<td>1</td><td class=\"said\">");
    assert!(first.contains("回答前的处置 Before answering: 转燃气抢修热线"), "the transcript says what came before answer 1: {first}");

    let mut csv_bytes = Vec::new();
    write_csv(std::slice::from_ref(&record), &mut csv_bytes).unwrap();
    let mut reader = csv::Reader::from_reader(&csv_bytes[3..]);
    let column = reader.headers().unwrap().iter().position(|h| h == "protocol_actions").expect("a protocol_actions column");
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[column], "handover-gas@1;report-shift-lead@2");

    let sent = statements(&record).unwrap();
    let ext = |st: &Value| -> Option<Value> {
        st["result"]["extensions"].as_object()?.iter().find(|(k, _)| k.ends_with("/protocol-actions")).map(|(_, v)| v.clone())
    };
    let answers: Vec<&Value> = sent.iter().filter(|s| s["verb"]["id"].as_str().is_some_and(|v| v.ends_with("responded"))).collect();
    assert_eq!(ext(answers[0]), Some(serde_json::json!(["handover-gas"])));
    assert_eq!(ext(answers[1]), Some(serde_json::json!(["report-shift-lead"])));
    assert_eq!(ext(answers[2]), None, "only answers with actions carry them");
    let completed = sent.iter().find(|s| s["verb"]["id"].as_str().is_some_and(|v| v.ends_with("completed"))).unwrap();
    assert_eq!(ext(completed), Some(serde_json::json!(["handover-gas", "report-shift-lead"])));

    let report = drill_html(&drill, &store.drill_attempts(&drill).unwrap(), &scripts);
    let papers = report.split("工单、告知单与风险处置 Work orders, notices and risk protocols").nth(1).expect("the drill report's section");
    assert!(papers.contains("#1 李明"), "{papers}");
    assert!(row_of(papers, "转119（三方通话）").contains("未处置"));
}

/// A class vote's order, handed in and scored with the vote's attempt,
/// appears in the drill's report field by field, as typed and escaped.
#[test]
fn the_drills_report_shows_the_class_votes_work_order_field_by_field() {
    use super::work_orders::{careless_order, water, water_path};
    use counterpart_core::drill::{AtHand, Event, Member, Mode, Plan, Rotation};
    use counterpart_core::knowledge::Segmenter;
    use counterpart_core::library::knowledge::Desk;
    use counterpart_core::records::report::drill_html;
    use std::collections::HashMap;

    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = water();
    let scripts = Library::from_scripts([script.clone()]);
    let desks: HashMap<String, Arc<Desk>> = [(script.scenario.id.clone(), Arc::new(Desk::for_file(&water_path())))].into();
    let words = Segmenter::new();
    let at_hand = AtHand::new(&desks, &words);
    let plan = Plan {
        title: "全班工单".into(),
        mode: Mode::ClassVote,
        scenarios: vec![script.scenario.id.clone()],
        roster: vec![Member::typed("甲"), Member::typed("乙")],
        group: Some(Member::typed("三班")),
        rotation: Rotation::Same,
        rounds: 1,
        seed: 11,
    };
    let (id, mut drill) = store.create_drill(&plan).unwrap();
    let apply = |drill: &mut counterpart_core::drill::Drill, event: Event| store.apply_drill_event_at(id, drill, &event, &scripts, at_hand).unwrap();
    apply(&mut drill, Event::StartSlot);
    let mut typed = careless_order();
    typed.content = "<b>停水</b>了".into();
    apply(&mut drill, Event::Order { order: typed });
    for o in best_route(&script) {
        apply(&mut drill, Event::Majority { option: o });
    }
    apply(&mut drill, Event::SubmitOrder);
    apply(&mut drill, Event::FinishSlot { disc_guess: None, outcome: None });

    let report = drill_html(&drill, &store.drill_attempts(&drill).unwrap(), &scripts);
    let papers = report.split("工单、告知单与风险处置 Work orders, notices and risk protocols").nth(1).expect("the drill report's section");
    assert!(papers.contains("#1 三班"), "the class's slot: {papers}");
    assert!(papers.contains("<h4>工单 Work order</h4>"));
    let unit = papers.split("<tr>").find(|r| r.starts_with("<td>承办单位")).expect("the handling unit's row");
    assert!(unit.contains("物业公司") && unit.contains("class=\"fail\""), "the wrong unit, as typed: {unit}");
    assert!(papers.contains("&lt;b&gt;停水&lt;/b&gt;了") && !papers.contains("<b>停水</b>"), "escaped");
}
