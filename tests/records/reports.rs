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
