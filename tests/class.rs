//! The class overview from the LRS (`counterpart class report`) against a
//! real Ralph LRS that answers a few statements per page, so every fetch
//! follows `more` links: the first fetch, an incremental one, a full
//! refresh, offline use, a wrong password and an LRS that is down.
//!
//! Runs whenever Ralph is installed (COUNTERPART_RALPH or `ralph` on PATH);
//! with COUNTERPART_REQUIRE_LRS set, as in CI, a missing Ralph fails.

#[path = "records/common.rs"]
#[allow(dead_code, unused_imports)]
mod common;
#[path = "common/ralph.rs"]
mod ralph;

use common::*;
use counterpart_core::records::class::{ClassFilter, Overview, overview_from_cache};
use counterpart_core::records::store::AttemptRecord;
use ralph::{Ralph, ralph_or_skip};
use std::collections::BTreeMap;

/// Statements per page Ralph answers: small enough that a handful of
/// attempts spans several pages.
const PAGE: usize = 7;

struct Report {
    code: Option<i32>,
    out: String,
    err: String,
}

fn class_report(db: &Path, args: &[&str]) -> Report {
    let o = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["class", "report", "--db"])
        .arg(db)
        .args(args)
        // A developer's own settings must not reach the run.
        .env_remove("COUNTERPART_DB")
        .env_remove("COUNTERPART_LRS_USER")
        .env_remove("COUNTERPART_LRS_PASSWORD")
        .output()
        .unwrap();
    Report { code: o.status.code(), out: String::from_utf8_lossy(&o.stdout).into_owned(), err: String::from_utf8_lossy(&o.stderr).into_owned() }
}

/// `N 条新记录 new statements (P 页 pages; K 条已在缓存 already cached; …`
fn fetched(out: &str) -> (usize, usize, usize) {
    let line = out.lines().find(|l| l.contains("new statements")).unwrap_or_else(|| panic!("no fetch line in {out}"));
    let num_before = |marker: &str| -> usize {
        let head = &line[..line.find(marker).unwrap_or_else(|| panic!("{marker} not in {line}"))];
        head.trim_end().rsplit([' ', '(', ':']).next().unwrap().parse().unwrap_or_else(|_| panic!("{line}"))
    };
    (num_before(" 条新记录"), num_before(" 页 pages"), num_before(" 条已在缓存"))
}

/// Per trainee (their account): attempts started, completed, passed.
fn expected(records: &[&AttemptRecord]) -> BTreeMap<String, (usize, usize, usize)> {
    let mut m: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for r in records {
        let who = statements(r).unwrap()[0]["actor"]["account"]["name"].as_str().unwrap().to_string();
        let e = m.entry(who).or_default();
        e.0 += 1;
        if let Some(result) = &r.result {
            e.1 += 1;
            e.2 += usize::from(result.card.passed);
        }
    }
    m
}

fn counted(o: &Overview) -> BTreeMap<String, (usize, usize, usize)> {
    o.trainees.iter().map(|t| (t.actor.clone(), (t.started, t.completed, t.passed))).collect()
}

fn statements_of(records: &[&AttemptRecord]) -> Vec<Value> {
    records.iter().flat_map(|r| statements(r).unwrap()).collect()
}

#[test]
fn the_class_report_reads_every_page_then_only_what_is_new_and_works_offline() {
    let Some(exe) = ralph_or_skip("the_class_report_reads_every_page_then_only_what_is_new_and_works_offline") else { return };
    let dir = temp();
    let mut ralph = Ralph::setup_paged(exe, dir.path(), Some(PAGE));
    let url = ralph.url();
    let lrs = Lrs::new(&url, Ralph::USER, Ralph::PASSWORD);
    let online = ["--lrs", &url, "--user", Ralph::USER, "--password", Ralph::PASSWORD];

    // The training PCs' records (one file stands for them all) and the
    // trainer's, which holds only the cache.
    let pcs = Store::open(&dir.path().join("pcs.sqlite3")).unwrap();
    let trainer_db = dir.path().join("trainer.sqlite3");
    let script = script();
    let analysis = analyze(&script).unwrap();
    let good = analysis.best(Objective::Overall).unwrap().route.clone();
    let poor = analysis.worst(Objective::Overall).unwrap().route.clone();
    let wang = pcs.create_profile("王芳").unwrap();
    pcs.set_employee_id(wang.id, Some("E1001")).unwrap();
    let li = pcs.create_profile("李强").unwrap();
    let zhao = pcs.create_profile("赵敏").unwrap();
    let play = |who: i64, route: &[usize]| pcs.attempt(play_and_record(&pcs, who, &script, 4, route).0).unwrap();
    // 赵敏's PC is offline: her attempts reach the LRS only later.
    let late = [play(zhao.id, &good), play(zhao.id, &poor)];
    let first = [play(wang.id, &good), play(wang.id, &good), play(wang.id, &poor), play(wang.id, &good[..2]), play(li.id, &poor), play(li.id, &good)];
    // The frozen fixture has no passing route without a work order, so
    // every verdict here is "failed"; the core's own tests count passes.
    assert!(first.iter().filter(|r| r.result.is_some()).count() >= 4);
    let first_refs: Vec<&AttemptRecord> = first.iter().collect();
    let sent = statements_of(&first_refs);
    let report = lrs.send(&sent);
    assert!(report.is_complete(), "{:?}", report.unsent);

    // The first fetch: every statement, over several pages.
    let r = class_report(&trainer_db, &[&online[..], &["--xlsx", dir.path().join("class.xlsx").to_str().unwrap()]].concat());
    assert_eq!(r.code, Some(0), "{}{}", r.out, r.err);
    let (added, pages, known) = fetched(&r.out);
    assert_eq!((added, known), (sent.len(), 0), "{}", r.out);
    assert!(pages >= sent.len().div_ceil(PAGE) && pages <= sent.len() / PAGE + 1, "{pages} pages for {} statements: {}", sent.len(), r.out);
    assert!(r.out.contains("首次 first fetch"), "{}", r.out);
    assert!(std::fs::read(dir.path().join("class.xlsx")).unwrap().starts_with(b"PK"));
    let trainer = Store::open(&trainer_db).unwrap();
    let endpoint = lrs.statements_url().to_string();
    let o = overview_from_cache(&trainer, &endpoint, &ClassFilter::default()).unwrap();
    assert_eq!(counted(&o), expected(&first_refs));
    assert!(counted(&o).contains_key("E1001"), "the employee number is the account: {:?}", counted(&o));
    let (done, rate) = o.pass_rate();
    let passed = first.iter().filter(|r| r.result.as_ref().is_some_and(|x| x.card.passed)).count();
    assert_eq!(done, first.iter().filter(|r| r.result.is_some()).count());
    assert_eq!(rate, Some(passed as f64 / done as f64));
    assert!(r.out.contains(&format!("通过率 pass rate: {:.0}%", rate.unwrap() * 100.0)), "{}", r.out);
    assert!(!o.mistakes.is_empty(), "the poor route's answers are mistakes");
    let state = trainer.lrs_cache_state(&endpoint).unwrap().unwrap();
    assert_eq!(state.statements, sent.len());
    assert!(r.out.contains(&format!("上次获取 last fetched: {} (UTC)", state.fetched_at)), "{}", r.out);
    drop(trainer);

    // An incremental fetch: 王芳 practises once more; 赵敏's PC comes back
    // on line and sends the attempts she made before the first fetch.
    let more = [play(wang.id, &good)];
    let more_refs: Vec<&AttemptRecord> = more.iter().collect();
    let late_refs: Vec<&AttemptRecord> = late.iter().collect();
    let new_sent = statements_of(&more_refs);
    let late_sent = statements_of(&late_refs);
    assert!(lrs.send(&new_sent).is_complete());
    assert!(lrs.send(&late_sent).is_complete());
    let r = class_report(&trainer_db, &online);
    assert_eq!(r.code, Some(0), "{}{}", r.out, r.err);
    assert!(r.out.contains("增量 incremental"), "{}", r.out);
    let (added, pages, known) = fetched(&r.out);
    // Ralph 5.1 compares `since` with when the statement says it happened,
    // not with when it was stored (as xAPI says), so 赵敏's older attempts
    // are not in an incremental fetch: the trainer docs say to use --full
    // after a PC was offline. Should Ralph follow the standard one day, they
    // would be, and this line and the docs' paragraph need changing.
    assert_eq!((added, known), (new_sent.len(), 0), "only the new attempt: {}", r.out);
    assert!(pages < sent.len().div_ceil(PAGE), "an incremental fetch reads fewer pages ({pages}): {}", r.out);

    // A full refresh finds everything, the late attempts included.
    let r = class_report(&trainer_db, &[&online[..], &["--full", "--csv", dir.path().join("class.csv").to_str().unwrap()]].concat());
    assert_eq!(r.code, Some(0), "{}{}", r.out, r.err);
    assert!(r.out.contains("全部重新获取 full refresh"), "{}", r.out);
    let (added, pages, known) = fetched(&r.out);
    let total = sent.len() + new_sent.len() + late_sent.len();
    assert_eq!((added, known), (late_sent.len(), sent.len() + new_sent.len()), "{}", r.out);
    assert!(pages >= total.div_ceil(PAGE), "{}", r.out);
    let everyone: Vec<&AttemptRecord> = first.iter().chain(&more).chain(&late).collect();
    let trainer = Store::open(&trainer_db).unwrap();
    let all = overview_from_cache(&trainer, &endpoint, &ClassFilter::default()).unwrap();
    assert_eq!(counted(&all), expected(&everyone));
    let csv = std::fs::read_to_string(dir.path().join("class.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3, "a header and the three trainees: {csv}");
    assert!(csv.contains("E1001,王芳,"), "{csv}");
    let fetched_at = trainer.lrs_cache_state(&endpoint).unwrap().unwrap().fetched_at;
    drop(trainer);

    // The class and scenario filters.
    let r = class_report(&trainer_db, &["--lrs", &url, "--offline", "--trainee", "E1001"]);
    assert_eq!(r.code, Some(0), "{}{}", r.out, r.err);
    assert!(r.out.contains("学员 trainees: 1 "), "{}", r.out);
    let r = class_report(&trainer_db, &["--lrs", &url, "--offline", "--scenario", "no-such-scenario"]);
    assert_eq!(r.code, Some(0), "{}{}", r.out, r.err);
    assert!(r.out.contains("完成练习 completed attempts: 0 "), "{}", r.out);
    let r = class_report(&trainer_db, &["--lrs", &url, "--offline", "--scenario", &script.scenario.id, "--scenario", "another"]);
    assert_eq!(r.code, Some(0), "{}{}", r.out, r.err);
    assert!(r.out.contains(&format!("完成练习 completed attempts: {} ", all.pass_rate().0)), "{}", r.out);

    // Offline: no credentials needed, nothing asked of the LRS, the time
    // of the last fetch shown, the same overview.
    let r = class_report(&trainer_db, &["--lrs", &url, "--offline"]);
    assert_eq!(r.code, Some(0), "{}{}", r.out, r.err);
    assert!(r.out.contains("离线 offline") && r.out.contains(&format!("上次获取 last fetched: {fetched_at} (UTC)")), "{}", r.out);
    assert!(!r.out.contains("new statements"), "{}", r.out);
    assert!(r.out.contains(&format!("学员 trainees: 3   完成练习 completed attempts: {} ", all.pass_rate().0)), "{}", r.out);

    // A wrong password: said plainly, and the cache is shown instead.
    let r = class_report(&trainer_db, &["--lrs", &url, "--user", Ralph::USER, "--password", "wrong"]);
    assert_eq!(r.code, Some(1), "{}{}", r.out, r.err);
    assert!(r.err.contains("refused the credentials (HTTP 401)"), "{}", r.err);
    assert!(r.out.contains("学员 trainees: 3 "), "{}", r.out);

    // The LRS is down: a clear message, then the cache, saying when it was fetched.
    ralph.stop();
    let r = class_report(&trainer_db, &online);
    assert_eq!(r.code, Some(1), "{}{}", r.out, r.err);
    assert!(r.err.contains("cannot be reached") && r.err.contains("无法连接 LRS"), "{}", r.err);
    assert!(r.err.contains(&format!("falling back to the cache fetched at {fetched_at} (UTC)")), "{}", r.err);
    assert!(!r.err.contains("panicked"), "{}", r.err);
    assert!(r.out.contains(&format!("学员 trainees: 3   完成练习 completed attempts: {} ", all.pass_rate().0)), "{}", r.out);
    let trainer = Store::open(&trainer_db).unwrap();
    assert_eq!(trainer.lrs_cache_state(&endpoint).unwrap().unwrap().fetched_at, fetched_at, "a failed fetch is not a fetch");
    assert_eq!(trainer.lrs_cache_state(&endpoint).unwrap().unwrap().statements, total);
}

#[test]
fn without_a_cache_there_is_no_report_and_the_message_says_what_to_do() {
    // No LRS needed: nothing answers on this port.
    let dir = temp();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let db = dir.path().join("trainer.sqlite3");
    let r = class_report(&db, &["--lrs", &url, "--offline"]);
    assert_eq!(r.code, Some(2), "{}{}", r.out, r.err);
    assert!(r.err.contains("nothing fetched from") && r.err.contains("without --offline"), "{}", r.err);
    let r = class_report(&db, &["--lrs", &url, "--user", "u", "--password", "p"]);
    assert_eq!(r.code, Some(2), "{}{}", r.out, r.err);
    assert!(r.err.contains("cannot be reached"), "{}", r.err);
    assert!(r.err.contains("nothing fetched from"), "{}", r.err);
    let r = class_report(&db, &["--lrs", &url]);
    assert_eq!(r.code, Some(2), "credentials are needed to fetch: {}", r.err);
    assert!(r.err.contains("--user"), "{}", r.err);
    let r = class_report(&db, &["--lrs", &url, "--offline", "--since", "2026/09/01"]);
    assert_eq!(r.code, Some(2));
    assert!(r.err.contains("YYYY-MM-DD") && r.err.contains("日期格式"), "{}", r.err);
}
