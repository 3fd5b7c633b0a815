//! Sending to an LRS that misbehaves: a tiny HTTP server on 127.0.0.1
//! answers as told (401, 403, 409, 429 with Retry-After, 500 then success,
//! never), and the tests check how many requests were made, what was
//! reported, what the outbox marks, and that nothing is lost.

use super::common::*;
use counterpart_core::records::xapi::{Outgoing, outgoing, send_new};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// One request as the server read it.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    target: String,
    body: String,
    at: Instant,
}

/// How to answer a request.
#[derive(Debug, Clone)]
enum Reply {
    Status(u16, Vec<(&'static str, String)>, String),
    /// Read the request and never answer (the connection stays open).
    Silence,
}

fn ok() -> Reply {
    Reply::Status(200, vec![], "[]".into())
}

type Behaviour = Box<dyn Fn(usize, &Request) -> Reply + Send + Sync>;

struct FakeLrs {
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    behaviour: Arc<Mutex<Behaviour>>,
    stop: Arc<AtomicBool>,
}

impl FakeLrs {
    fn start(behaviour: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static) -> FakeLrs {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let behaviour: Arc<Mutex<Behaviour>> = Arc::new(Mutex::new(Box::new(behaviour)));
        let stop: Arc<AtomicBool> = Arc::default();
        let (r, b, s) = (requests.clone(), behaviour.clone(), stop.clone());
        std::thread::spawn(move || {
            // Silent connections are kept open until the server stops.
            let mut held: Vec<TcpStream> = Vec::new();
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        let Some(req) = read_request(&mut stream) else { continue };
                        let n = {
                            let mut list = r.lock().unwrap();
                            list.push(req.clone());
                            list.len() - 1
                        };
                        let reply = (b.lock().unwrap())(n, &req);
                        match reply {
                            Reply::Status(code, headers, body) => {
                                let mut head = format!("HTTP/1.1 {code} X\r\nContent-Length: {}\r\nConnection: close\r\nContent-Type: application/json\r\n", body.len());
                                for (k, v) in headers {
                                    head.push_str(&format!("{k}: {v}\r\n"));
                                }
                                let _ = stream.write_all(format!("{head}\r\n{body}").as_bytes());
                            }
                            Reply::Silence => held.push(stream),
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FakeLrs { port, requests, behaviour, stop }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    fn posts(&self) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.method == "POST").collect()
    }

    fn behave(&self, behaviour: impl Fn(usize, &Request) -> Reply + Send + Sync + 'static) {
        *self.behaviour.lock().unwrap() = Box::new(behaviour);
    }
}

impl Drop for FakeLrs {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let mut first = head.lines().next().unwrap_or("").split(' ');
    Some(Request {
        method: first.next().unwrap_or("").to_string(),
        target: first.next().unwrap_or("").to_string(),
        body: String::from_utf8_lossy(&data[head_end..]).to_string(),
        at: Instant::now(),
    })
}

/// Ids of the statements a POST carried.
fn ids_in(body: &str) -> Vec<String> {
    let list: Vec<Value> = serde_json::from_str(body).unwrap_or_default();
    list.iter().map(|s| s["id"].as_str().unwrap_or("").to_string()).collect()
}

/// A store with one finished attempt and one in progress: 7+ statements.
fn records() -> (tempfile::TempDir, Store, Vec<Outgoing>) {
    let dir = temp();
    let store = Store::open(&dir.path().join("r.sqlite3")).unwrap();
    let script = script();
    let route = best_route(&script);
    let p = store.create_profile("周强").unwrap();
    play_and_record(&store, p.id, &script, 1, &route);
    play_and_record(&store, p.id, &script, 2, &route[..2]);
    let records: Vec<_> = store.attempts(None).unwrap().iter().map(|s| store.attempt(s.id).unwrap()).collect();
    let (list, refused) = outgoing(&records);
    assert!(refused.is_empty());
    (dir, store, list)
}

fn client(server: &FakeLrs) -> Lrs {
    let mut lrs = Lrs::new(&server.url(), "u", "p");
    lrs.batch = 3;
    lrs.backoff = Duration::from_millis(10);
    lrs.retries = 2;
    lrs
}

fn ids(list: &[Outgoing]) -> Vec<String> {
    list.iter().map(|o| o.id.clone()).collect()
}

#[test]
fn wrong_credentials_stop_at_once_with_a_hint_and_lose_nothing() {
    for status in [401, 403] {
        let server = FakeLrs::start(move |_, _| Reply::Status(status, vec![], "{\"error\":\"no\"}".into()));
        let (_dir, store, list) = records();
        let lrs = client(&server);
        let run = send_new(&store, &lrs, &list, false).unwrap();
        assert_eq!(server.posts().len(), 1, "HTTP {status}: one request, not one per statement");
        let report = &run.report;
        assert!(report.accepted.is_empty());
        assert_eq!(report.unsent.iter().map(|u| u.id.clone()).collect::<Vec<_>>(), ids(&list), "everything reported unsent");
        let reason = report.stopped.clone().expect("stopped");
        assert!(reason.contains(&status.to_string()) && reason.contains("--user") && reason.contains("--password"), "{reason}");
        assert!(store.sent(lrs.statements_url()).unwrap().is_empty(), "nothing marked");

        // The password is fixed: the next run sends everything, once.
        server.behave(|_, _| ok());
        let run = send_new(&store, &lrs, &list, false).unwrap();
        assert!(run.report.is_complete(), "{:?}", run.report);
        assert_eq!(run.report.accepted, ids(&list));
        assert_eq!(store.sent(lrs.statements_url()).unwrap().len(), list.len());
        // Each run sends only what is new; --resend sends all again.
        let before = server.posts().len();
        let again = send_new(&store, &lrs, &list, false).unwrap();
        assert_eq!((again.already, again.report.accepted.len(), server.posts().len()), (list.len(), 0, before));
        let resent = send_new(&store, &lrs, &list, true).unwrap();
        assert_eq!(resent.report.accepted.len(), list.len());
        assert_eq!(server.posts().len(), before + list.len().div_ceil(3));
    }
}

#[test]
fn the_export_command_says_once_to_check_the_credentials() {
    let server = FakeLrs::start(|_, _| Reply::Status(401, vec![], "unauthorised".into()));
    let (_dir, store, list) = records();
    let db = store.path().to_path_buf();
    drop(store);
    let run = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["export", "--lrs", &server.url(), "--user", "u", "--password", "wrong", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(server.posts().len(), 1);
    assert_eq!(stderr.matches("HTTP 401").count(), 1, "said once: {stderr}");
    assert!(stderr.contains("--user and --password"), "{stderr}");
    assert!(stderr.contains(&format!("{} statement(s) NOT sent", list.len())), "{stderr}");
    assert!(list.iter().all(|o| stderr.contains(&o.id)), "every unsent statement named");
}

#[test]
fn a_conflict_names_the_statement_and_what_differs() {
    let (_dir, store, list) = records();
    let clash = list[1].clone();
    let clash_id = clash.id.clone();
    let mut theirs = clash.statement.clone();
    theirs["object"]["definition"]["name"]["zh-CN"] = Value::from("别的内容");
    theirs["stored"] = Value::from("2026-01-01T00:00:00Z");
    let theirs = theirs.to_string();
    let server = FakeLrs::start(move |_, req| match req.method.as_str() {
        "GET" if req.target.contains(&clash_id) => Reply::Status(200, vec![], theirs.clone()),
        "POST" if ids_in(&req.body).contains(&clash_id) => Reply::Status(409, vec![], "conflict".into()),
        _ => ok(),
    });
    let lrs = client(&server);
    let run = send_new(&store, &lrs, &list, false).unwrap();
    let report = &run.report;
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    assert_eq!(report.conflicts[0].id, clash.id);
    assert_eq!(report.conflicts[0].differs, ["object.definition.name.zh-CN"]);
    assert!(report.unsent.is_empty() && report.stopped.is_none());
    let others: Vec<String> = ids(&list).into_iter().filter(|i| *i != clash.id).collect();
    assert_eq!(report.accepted, others, "the rest of the batch is sent one by one and accepted");
    // The batch, its three statements alone, the read-back, the other batches.
    let batches = list.len().div_ceil(3);
    assert_eq!(server.posts().len(), batches + 3);
    assert_eq!(server.requests().iter().filter(|r| r.method == "GET").count(), 1);
    let marked = store.sent(lrs.statements_url()).unwrap();
    assert_eq!(marked.len(), list.len() - 1);
    assert!(!marked.contains_key(&clash.id), "a conflict is not marked as accepted");
}

#[test]
fn a_busy_server_is_waited_for_as_it_asks() {
    let (_dir, store, list) = records();
    let server = FakeLrs::start(|n, _| if n == 0 { Reply::Status(429, vec![("Retry-After", "1".into())], "slow down".into()) } else { ok() });
    let lrs = client(&server);
    let run = send_new(&store, &lrs, &list, false).unwrap();
    assert!(run.report.is_complete(), "{:?}", run.report);
    let posts = server.posts();
    assert_eq!(posts.len(), 1 + list.len().div_ceil(3), "the first batch twice");
    assert_eq!(ids_in(&posts[0].body), ids_in(&posts[1].body));
    assert!(posts[1].at.duration_since(posts[0].at) >= Duration::from_secs(1), "Retry-After: 1 was honoured, not the 10 ms backoff");
    assert_eq!(store.sent(lrs.statements_url()).unwrap().len(), list.len());

    // A wait longer than the time budget: stop at once and say so.
    let server = FakeLrs::start(|_, _| Reply::Status(429, vec![("Retry-After", "3600".into())], "".into()));
    let mut lrs = client(&server);
    lrs.budget = Duration::from_secs(30);
    let run = send_new(&store, &lrs, &list, false).unwrap();
    assert_eq!(server.posts().len(), 1);
    let reason = run.report.stopped.unwrap();
    assert!(reason.contains("3600") && reason.contains("budget"), "{reason}");
    assert_eq!(run.report.unsent.len(), list.len());
}

#[test]
fn a_server_error_is_retried_and_then_everything_arrives() {
    let (_dir, store, list) = records();
    let server = FakeLrs::start(|n, _| if n == 0 { Reply::Status(500, vec![], "oops".into()) } else { ok() });
    let lrs = client(&server);
    let run = send_new(&store, &lrs, &list, false).unwrap();
    assert!(run.report.is_complete(), "{:?}", run.report);
    assert_eq!(run.report.accepted, ids(&list));
    assert_eq!(server.posts().len(), 1 + list.len().div_ceil(3));
    let mut seen: Vec<String> = server.posts().iter().skip(1).flat_map(|p| ids_in(&p.body)).collect();
    seen.sort();
    let mut all = ids(&list);
    all.sort();
    assert_eq!(seen, all, "each statement arrived exactly once");
    assert_eq!(store.sent(lrs.statements_url()).unwrap().len(), list.len());
}

#[test]
fn refused_content_is_not_retried() {
    let (_dir, store, list) = records();
    let server = FakeLrs::start(|_, _| Reply::Status(400, vec![], "bad statement".into()));
    let lrs = client(&server);
    let run = send_new(&store, &lrs, &list, false).unwrap();
    // Each batch once, then (a batch of several) its statements once each,
    // to name them.
    let several = list.chunks(3).filter(|c| c.len() > 1).count();
    assert_eq!(server.posts().len(), several + list.len());
    assert_eq!(run.report.unsent.len(), list.len());
    assert!(run.report.unsent.iter().all(|u| u.reason.contains("HTTP 400")));
    assert!(store.sent(lrs.statements_url()).unwrap().is_empty());
}

#[test]
fn a_server_that_never_answers_costs_a_bounded_time() {
    let (_dir, store, list) = records();
    let server = FakeLrs::start(|_, _| Reply::Silence);
    let mut lrs = client(&server);
    lrs.request_timeout = Duration::from_millis(300);
    let run = send_new(&store, &lrs, &list, false).unwrap();
    assert_eq!(server.posts().len(), 3, "the first batch, tried 1 + 2 times; nothing after");
    assert_eq!(run.report.unsent.len(), list.len());
    assert!(run.report.stopped.as_deref().unwrap().contains("not accepted after 3 tries"), "{:?}", run.report.stopped);
    // However many retries are allowed, the time budget ends the run.
    lrs.retries = 10_000;
    lrs.request_timeout = Duration::from_millis(100);
    lrs.budget = Duration::from_millis(600);
    let run = send_new(&store, &lrs, &list, false).unwrap();
    assert!(run.report.stopped.as_deref().unwrap().contains("time budget"), "{:?}", run.report.stopped);
    assert!(server.posts().len() < 3 + 100);
    assert_eq!(run.report.unsent.len(), list.len());
    assert!(store.sent(lrs.statements_url()).unwrap().is_empty());
    // Nothing lost: the store still builds the same statements.
    let records: Vec<_> = store.attempts(None).unwrap().iter().map(|s| store.attempt(s.id).unwrap()).collect();
    assert_eq!(outgoing(&records).0, list);
}

#[test]
fn large_chinese_statements_go_in_batches_under_the_size_limit() {
    let (_dir, store, mut list) = records();
    // Pad every statement with ~100 KB of Chinese text (3 bytes a character).
    let padding = "停水投诉回访".repeat(6_000);
    for o in &mut list {
        o.statement["result"]["extensions"]["https://example.org/padding"] = Value::from(padding.clone());
        o.json = serde_json::to_string(&o.statement).unwrap();
        o.digest = counterpart_core::records::content::digest(&o.json);
    }
    let server = FakeLrs::start(|_, _| ok());
    let mut lrs = client(&server);
    lrs.batch = 50;
    let run = send_new(&store, &lrs, &list, false).unwrap();
    assert!(run.report.is_complete());
    let posts = server.posts();
    assert!(posts.len() >= list.len() / 2, "{} posts", posts.len());
    for p in &posts {
        assert!(p.body.len() <= lrs.batch_bytes, "{} bytes", p.body.len());
    }
    assert_eq!(posts.iter().map(|p| ids_in(&p.body).len()).sum::<usize>(), list.len());
}
