//! The class overview: attempts recorded as the app records them, their
//! statements served by a small LRS on 127.0.0.1, fetched into the cache by
//! the screen's own background job, and drawn by the view at 1280×720 and
//! 1920×1080, in Chinese and English; then the same cache offline, an LRS
//! that refuses the account, an empty cache and a filter that keeps nothing.

use super::*;
use counterpart_core::records::when::Zone;
use counterpart::app::screens::class::{ClassState, LrsLogin, apply, class_vm, export_to, filter_of, work};
use counterpart::app::views::class::{ClassAction, ClassVm, Freshness, class_view};
use counterpart_core::library::Library;
use counterpart_core::play::score::AttemptResult;
use counterpart_core::records::class::ClassFilter;
use counterpart_core::records::store::Store;
use counterpart_core::records::xapi::{Lrs, outgoing};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

fn sizes() -> [egui::Vec2; 2] {
    [egui::vec2(1280.0, 720.0), egui::vec2(1920.0, 1080.0)]
}

/// Plays `pick(turn options)` every turn and records it as the app does.
fn record(store: &Store, profile: i64, script: &Arc<Script>, seed: u64, pick: fn(usize) -> usize) {
    let attempt = store.begin_attempt_for(profile, script, seed).unwrap();
    let mut e = Encounter::new(script.clone(), seed);
    let mut i = 0;
    while let Some(prompt) = e.prompt() {
        let n = prompt.options.len();
        let step = e.choose(pick(n), Some(3.0)).unwrap().clone();
        store.record_step(attempt, i, &step).unwrap();
        i += 1;
    }
    let ending = e.ending().unwrap();
    let result = AttemptResult { card: e.score(), ending_id: ending.id.clone(), outcome: ending.outcome, disc_guess: None, persona: e.persona_view().id };
    store.finish_attempt(attempt, &result).unwrap();
}

/// A records file with two trainees' attempts and the statements an LRS
/// would hold for them (each with the `stored` an LRS adds).
fn centre() -> (tempfile::TempDir, PathBuf, Library, String) {
    let library = Library::from_files(load_all(&[Path::new(REFERENCE).to_path_buf()]));
    let script = library.script("hotline-water-outage").unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.sqlite3");
    let store = Store::open(&path).unwrap();
    let wang = store.create_profile("王芳").unwrap().id;
    store.set_employee_id(wang, Some("A-0042")).unwrap();
    let li = store.create_profile("李明").unwrap().id;
    record(&store, wang, &script, 1, |_| 0);
    record(&store, wang, &script, 2, |_| 0);
    record(&store, li, &script, 3, |n| n - 1);
    record(&store, li, &script, 4, |n| n - 1);
    let records: Vec<_> = store.attempts(None).unwrap().iter().map(|a| store.attempt(a.id).unwrap()).collect();
    let (list, refused) = outgoing(&records);
    assert!(refused.is_empty(), "{refused:?}");
    let statements: Vec<serde_json::Value> = list
        .into_iter()
        .map(|o| {
            let mut s = o.statement;
            s["stored"] = s["timestamp"].clone();
            s
        })
        .collect();
    let body = serde_json::json!({ "statements": statements, "more": "" }).to_string();
    (dir, path, library, body)
}

/// An LRS on 127.0.0.1 answering its first `times` requests with
/// `status` and `body`, then gone (connections refused); its base address.
fn lrs_answering(status: u16, body: String, times: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(times) {
            let Ok(mut conn) = conn else { return };
            let mut buf = [0u8; 8192];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(body.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn fetched(path: &Path, url: &str, filter: &ClassFilter) -> ClassState {
    let mut state = ClassState::default();
    apply(&mut state, work(path, url, Some(&Lrs::new(url, "pc-07", "secret")), filter));
    state
}

fn vm_of(state: &ClassState, url: &str, library: &Library, lang: Lang) -> ClassVm {
    let mut login = LrsLogin::default();
    (login.url, login.user, login.password) = (url.to_string(), "pc-07".into(), "secret".into());
    class_vm(state, &login, library, lang, None)
}

/// Nothing drawn past the window's right edge.
fn fits(h: &Harness<'_, Probe<ClassVm, ClassAction>>, size: egui::Vec2, needle: &str) {
    for node in h.get_all_by_label_contains(needle) {
        assert!(node.rect().max.x <= size.x + 0.5, "{needle}: {:?} in {size:?}", node.rect());
    }
}

#[test]
fn a_fetch_shows_who_practised_what_pass_rates_mistakes_and_weeks() {
    let (_dir, path, library, body) = centre();
    let url = lrs_answering(200, body, 1);
    let state = fetched(&path, &url, &ClassFilter::default());
    let Freshness::Fetched { added, .. } = state.freshness.clone() else { panic!("{:?}", state.freshness) };
    assert!(added > 8, "every statement is new on the first fetch: {added}");
    let o = state.overview.as_ref().unwrap();
    assert_eq!((o.trainees.len(), o.pass_rate().0), (2, 4));
    assert!(!o.mistakes.is_empty(), "the last option every turn is a mistake somewhere");
    let script = library.script("hotline-water-outage").unwrap();
    let worst = &o.mistakes[0];
    let turn = script.scenario.turns.iter().position(|t| t.id == worst.turn).unwrap();
    let option = script.scenario.turns[turn].options.iter().find(|x| x.id == worst.choice).unwrap();
    for size in sizes() {
        let vm = vm_of(&state, &url, &library, Lang::Zh);
        let mut h = harness(vm, size, |ui, vm| class_view(ui, vm));
        h.get_by_label("班级概览");
        h.get_by_label_contains("学员 2 人 · 完成练习 4 次 · 通过率");
        h.get_by_label_contains(&format!("新增 {added} 条"));
        h.get_by_label("每周通过率与平均分");
        h.get_by_label_contains("各维度得分分布");
        h.get_by_label("最常见的错误（按回合）");
        h.get_all_by_label(&format!("第 {} 轮", turn + 1)).next().unwrap();
        h.get_all_by_label(option.text.zh.as_str()).next().unwrap();
        h.get_by_label("各场景与人物");
        h.get_all_by_label_contains(&script.scenario.title.zh).next().unwrap();
        h.get_by_label("王芳（A-0042）");
        h.get_by_label("李明");
        fits(&h, size, "学员 2 人");
        fits(&h, size, option.text.zh.as_str());
        h.key_press(egui::Key::R);
        h.run();
        h.key_press(egui::Key::E);
        h.run();
        h.get_by_label("返回 (Esc)").click();
        h.run();
        assert_eq!(h.state().actions, vec![ClassAction::Refresh, ClassAction::Export, ClassAction::Back]);
        let en = vm_of(&state, &url, &library, Lang::En);
        let h = harness(en, size, |ui, vm| class_view(ui, vm));
        h.get_by_label("Class overview");
        h.get_by_label_contains("2 trainees · 4 practice attempts completed");
        h.get_by_label("Most common mistakes, turn by turn");
        h.get_all_by_label(option.text.en.as_str()).next().unwrap();
        h.get_by_label("Scenarios and personas");
    }
    // The export is the overview on show, as a workbook.
    let out = tempfile::tempdir().unwrap();
    let file = export_to(out.path(), o).unwrap();
    assert!(std::fs::read(&file).unwrap().starts_with(b"PK"));
}

#[test]
fn page_down_and_page_up_move_the_overview_a_screen_at_a_time() {
    let (_dir, path, library, body) = centre();
    let url = lrs_answering(200, body, 1);
    let state = fetched(&path, &url, &ClassFilter::default());
    let size = egui::vec2(1280.0, 720.0);
    let mut h = harness(vm_of(&state, &url, &library, Lang::Zh), size, |ui, vm| class_view(ui, vm));
    let top = |h: &Harness<'_, Probe<ClassVm, ClassAction>>| h.get_by_label("李明").rect().min.y;
    let before = top(&h);
    assert!(before > size.y, "the last trainee is below the first screen: {before}");
    h.key_press(egui::Key::PageDown);
    h.run();
    let after = h.get_by_label("李明").rect();
    assert!(after.min.y < before && after.max.y <= size.y, "PageDown brought it into view: {before} → {after:?}");
    h.key_press(egui::Key::PageUp);
    h.run();
    assert!((top(&h) - before).abs() < 1.0, "PageUp came back: {}", top(&h));
    assert!(h.state().actions.is_empty(), "paging is no action: {:?}", h.state().actions);
}

#[test]
fn offline_the_cache_is_shown_with_the_time_of_the_last_fetch_and_a_second_fetch_adds_nothing() {
    let (_dir, path, library, body) = centre();
    let url = lrs_answering(200, body, 2);
    let first = fetched(&path, &url, &ClassFilter::default());
    let again = fetched(&path, &url, &ClassFilter::default());
    assert!(matches!(again.freshness, Freshness::Fetched { added: 0, .. }), "only what is new is added: {:?}", again.freshness);
    assert_eq!(again.overview, first.overview);
    let cached_at = again.cache.as_ref().unwrap().fetched_at.clone();
    // The LRS gone: the screen's state keeps the overview and says since when.
    let mut state = again;
    // On a PC in Beijing the time is Beijing's.
    let beijing = Zone::fixed_hours(8);
    state.applied.zone = beijing.clone();
    apply(&mut state, work(&path, &url, Some(&Lrs::new(&url, "pc-07", "secret")), &ClassFilter::default()));
    let Freshness::Offline { fetched_at: Some(at), .. } = state.freshness.clone() else { panic!("{:?}", state.freshness) };
    let problem = state.problem.clone().unwrap().zh;
    assert_eq!(at, beijing.minute(&cached_at), "{cached_at}");
    assert_ne!(at, Zone::utc().minute(&cached_at));
    assert!(problem.contains("无法连接 LRS"), "{problem}");
    assert_eq!(state.overview, first.overview);
    for size in sizes() {
        for lang in [Lang::Zh, Lang::En] {
            let h = harness(vm_of(&state, &url, &library, lang), size, |ui, vm| class_view(ui, vm));
            match lang {
                Lang::Zh => {
                    h.get_by_label_contains(&format!("无法读取 LRS，显示上次获取（{at}）的本机缓存"));
                    h.get_by_label_contains("学员 2 人 · 完成练习 4 次");
                }
                Lang::En => {
                    h.get_by_label_contains(&format!("showing this PC's copy as last fetched {at}"));
                    h.get_by_label_contains("2 trainees · 4 practice attempts completed");
                }
            }
            fits(&h, size, "LRS");
        }
    }
}

#[test]
fn a_refused_account_and_a_bad_date_are_said_plainly() {
    let (_dir, path, library, _) = centre();
    let url = lrs_answering(401, "{\"error\":\"bad credentials\"}".into(), 1);
    let state = fetched(&path, &url, &ClassFilter::default());
    let Freshness::Offline { fetched_at: None, .. } = state.freshness.clone() else { panic!("{:?}", state.freshness) };
    let problem = state.problem.clone().unwrap().zh;
    assert!(problem.contains("LRS 拒绝了账号或密码") && problem.contains("401"), "{problem}");
    for size in sizes() {
        let mut vm = vm_of(&state, &url, &library, Lang::Zh);
        vm.filter_error = filter_of("2026-13-01", "", None, &Zone::utc(), Lang::Zh).err();
        let h = harness(vm, size, |ui, vm| class_view(ui, vm));
        h.get_by_label_contains("无法读取 LRS，本机还没有缓存。");
        h.get_by_label_contains("LRS 拒绝了账号或密码");
        h.get_by_label("日期“2026-13-01”无法识别，请写成 2026-11-30 这样的格式。");
        h.get_by_label_contains("还没有从 LRS 获取过记录");
        fits(&h, size, "LRS 拒绝");
        let en = vm_of(&state, &url, &library, Lang::En);
        let h = harness(en, size, |ui, vm| class_view(ui, vm));
        h.get_by_label_contains("The LRS cannot be read and this PC has no copy yet. The LRS refused the account or password (HTTP 401)");
    }
    assert_eq!(filter_of("2026-12-01", "2026-11-01", None, &Zone::utc(), Lang::En).unwrap_err(), "The first date is after the last.");
    let f = filter_of(" 2026-11-01 ", "2026-11-30", Some("hotline-water-outage"), &Zone::utc(), Lang::En).unwrap();
    assert_eq!((f.since.as_deref(), f.until.as_deref(), f.scenarios.as_slice()), (Some("2026-11-01"), Some("2026-11-30"), ["hotline-water-outage".to_string()].as_slice()));
}

#[test]
fn an_empty_cache_asks_for_the_lrs_and_a_filter_that_keeps_nothing_says_so() {
    let (_dir, path, library, body) = centre();
    let mut empty = ClassState::default();
    apply(&mut empty, work(&path, "", None, &ClassFilter::default()));
    assert_eq!(empty.freshness, Freshness::NeverFetched);
    for size in sizes() {
        let mut vm = vm_of(&empty, "", &library, Lang::Zh);
        vm.url.clear();
        let mut h = harness(vm, size, |ui, vm| class_view(ui, vm));
        h.get_by_label_contains("还没有从 LRS 获取过记录。填写中心 LRS 的地址、账号和密码");
        h.get_by_label("尚未获取过。");
        h.key_press(egui::Key::R);
        h.key_press(egui::Key::E);
        h.run();
        assert!(h.state().actions.is_empty(), "no address to fetch from, nothing to export: {:?}", h.state().actions);
        let en = vm_of(&empty, "", &library, Lang::En);
        let h = harness(en, size, |ui, vm| class_view(ui, vm));
        h.get_by_label_contains("Nothing has been fetched from the LRS yet.");
    }
    let url = lrs_answering(200, body, 1);
    let long_ago = filter_of("2001-01-01", "2001-12-31", None, &Zone::utc(), Lang::Zh).unwrap();
    let state = fetched(&path, &url, &long_ago);
    assert_eq!(state.overview.as_ref().unwrap().statements, 0);
    let h = harness(vm_of(&state, &url, &library, Lang::Zh), wide(), |ui, vm| class_view(ui, vm));
    h.get_by_label("所选日期和场景没有记录，请放宽筛选条件。");
    // The scenario filter: the one scenario kept, another scenario nothing.
    let mut one = ClassState::default();
    apply(&mut one, work(&path, &url, None, &filter_of("", "", Some("hotline-water-outage"), &Zone::utc(), Lang::Zh).unwrap()));
    assert_eq!(one.overview.as_ref().unwrap().pass_rate().0, 4);
    assert_eq!(one.scenarios, ["hotline-water-outage"]);
    let mut other = ClassState::default();
    apply(&mut other, work(&path, &url, None, &filter_of("", "", Some("counter-other"), &Zone::utc(), Lang::Zh).unwrap()));
    assert_eq!(other.overview.as_ref().unwrap().pass_rate().0, 0);
}
