//! Sending to an LRS: the real Ralph LRS.

use super::common::*;

/// A Ralph LRS (`ralph runserver -b fs`) on 127.0.0.1 for one test, with its
/// data, credentials and log in the test's temporary directory.
pub struct Ralph {
    exe: std::ffi::OsString,
    dir: PathBuf,
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

impl Ralph {
    pub const USER: &str = "counterpart";
    pub const PASSWORD: &str = "s3cret-lrs";

    /// `COUNTERPART_RALPH` (the `ralph` executable, e.g. in a venv) or
    /// `ralph` on PATH, when it runs.
    pub fn find() -> Option<std::ffi::OsString> {
        let exe = std::env::var_os("COUNTERPART_RALPH").filter(|v| !v.is_empty()).unwrap_or_else(|| "ralph".into());
        let runs = Command::new(&exe).arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status();
        runs.is_ok_and(|s| s.success()).then_some(exe)
    }

    /// Everything Ralph reads is set here, so a developer's own RALPH_*
    /// settings cannot point the test at another store.
    fn command(&self) -> Command {
        let mut c = Command::new(&self.exe);
        // Ralph 5.1's fs backend only takes the first POST; see the module.
        let fix = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ralph");
        let mut path = vec![fix];
        path.extend(std::env::var_os("PYTHONPATH").iter().flat_map(std::env::split_paths));
        c.env("PYTHONPATH", std::env::join_paths(path).unwrap())
            // No __pycache__ next to the fix in the source tree.
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("RALPH_APP_DIR", self.dir.join("ralph-app"))
            .env("RALPH_RUNSERVER_BACKEND", "fs")
            .env("RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH", self.data_dir())
            // runserver's reloader watches its working directory.
            .current_dir(&self.dir);
        c
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("ralph-data")
    }

    /// Writes credentials for `USER` and starts the server.
    pub fn setup(exe: std::ffi::OsString, dir: &Path) -> Ralph {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut r = Ralph { exe, dir: dir.to_path_buf(), child: None, port, log: dir.join("ralph.log") };
        std::fs::create_dir_all(r.dir.join("ralph-app")).unwrap();
        std::fs::create_dir_all(r.data_dir()).unwrap();
        let auth = r
            .command()
            .args(["auth", "-u", Self::USER, "-p", Self::PASSWORD, "-s", "all", "-M", "mailto:lrs-client@example.org", "-w"])
            .output()
            .expect("run ralph auth");
        assert!(auth.status.success(), "ralph auth failed: {}", String::from_utf8_lossy(&auth.stderr));
        r.start();
        r
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn answers(&self) -> bool {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(2))).build().into();
        agent.get(format!("{}/__heartbeat__", self.url())).call().is_ok_and(|r| r.status().as_u16() == 200)
    }

    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let mut cmd = self.command();
        cmd.args(["runserver", "-b", "fs", "-h", "127.0.0.1", "-p", &self.port.to_string(), "--fs-default-directory-path"])
            .arg(self.data_dir())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        // runserver serves from a child process of its reloader: a group of
        // its own lets `stop` end both.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        self.child = Some(cmd.spawn().expect("start ralph runserver"));
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.answers() {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("ralph runserver exited ({status}): {}", self.log_text());
            }
            assert!(Instant::now() < deadline, "ralph did not answer within 120 s: {}", self.log_text());
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Stops the server and waits until its port is closed.
    pub fn stop(&mut self) {
        self.end();
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.answers() {
            assert!(Instant::now() < deadline, "ralph still answers after being stopped");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Ends the process group without asserting, so it is safe in `drop`
    /// while a failed assertion unwinds.
    fn end(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        #[cfg(unix)]
        {
            let group = format!("-{}", child.id());
            let signal = |sig: &str| {
                let _ = Command::new("kill").args([sig, "--", &group]).stderr(Stdio::null()).status();
            };
            signal("-TERM");
            let deadline = Instant::now() + Duration::from_secs(15);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            // Whatever is left of the group, reloader or worker.
            signal("-KILL");
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Ralph {
    fn drop(&mut self) {
        self.end();
    }
}

/// Numbers compared by value: the LRS may store 100 as 100.0.
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < 1e-9,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w))),
        _ => a == b,
    }
}

#[test]
fn statements_reach_a_real_lrs_once_and_survive_an_outage() {
    // Runs whenever Ralph is installed; CI sets COUNTERPART_REQUIRE_LRS so
    // a missing Ralph fails there instead of skipping.
    let required = std::env::var_os("COUNTERPART_REQUIRE_LRS").is_some_and(|v| !v.is_empty());
    let Some(exe) = Ralph::find() else {
        let how = "pip install 'ralph-malph[cli,lrs]==5.1.0' requests, then put `ralph` on PATH or set COUNTERPART_RALPH";
        assert!(!required, "COUNTERPART_REQUIRE_LRS is set but Ralph does not run: {how}");
        println!("SKIPPED statements_reach_a_real_lrs_once_and_survive_an_outage: Ralph not found ({how})");
        return;
    };
    let dir = temp();
    let mut ralph = Ralph::setup(exe, dir.path());
    let db = dir.path().join("r.sqlite3");
    let script = script();
    let route = best_route(&script);
    let store = Store::open(&db).unwrap();
    let p = store.create_profile("<陈静>").unwrap();
    let done = play_and_record(&store, p.id, &script, 4, &route).0;
    let open = play_and_record(&store, p.id, &script, 4, &route[..2]).0;
    let records = [store.attempt(done).unwrap(), store.attempt(open).unwrap()];
    let sent: Vec<Value> = records.iter().flat_map(|r| statements(r).unwrap()).collect();
    // Finished: initialized, the steps, completed, verdict, terminated;
    // in progress: initialized and two steps.
    assert_eq!(sent.len(), route.len() + 4 + 3);

    let mut lrs = Lrs::new(&ralph.url(), Ralph::USER, Ralph::PASSWORD);
    lrs.batch = 5; // several batches
    lrs.backoff = Duration::from_millis(100);
    let report = lrs.send(&sent);
    assert!(report.is_complete(), "{:?}", report.unsent);
    assert_eq!(report.accepted.len(), sent.len());

    let read_back = |lrs: &Lrs| -> Vec<Value> {
        records.iter().flat_map(|r| lrs.get_registration(&r.summary.uuid).unwrap()).collect()
    };
    let stored = read_back(&lrs);
    assert_eq!(stored.len(), sent.len(), "one stored statement per sent statement");
    for s in &sent {
        let id = s["id"].as_str().unwrap();
        let got = stored.iter().find(|g| g["id"] == id).unwrap_or_else(|| panic!("{id} not in the LRS"));
        for field in ["actor", "verb", "object", "result", "context", "timestamp", "version"] {
            let (a, b) = (&s[field], &got[field]);
            let ok = if field == "timestamp" {
                // The LRS may normalise the timestamp's format, not its instant.
                a.as_str().unwrap()[..19] == b.as_str().unwrap()[..19]
            } else {
                same_json(a, b)
            };
            assert!(ok, "{id} {field}: sent {a} stored {b}");
        }
    }
    let one = lrs.get_statement(sent[1]["id"].as_str().unwrap()).unwrap().expect("found by id");
    assert!(same_json(&one["result"], &sent[1]["result"]));
    assert_eq!(lrs.get_statement(&statement_id("no-such-attempt", "completed").to_string()).unwrap(), None);

    // A re-send (e.g. the export run twice) stores nothing new.
    let again = lrs.send(&sent);
    assert!(again.is_complete(), "{:?}", again.unsent);
    assert_eq!(read_back(&lrs).len(), sent.len(), "no duplicates after re-sending");
    // Through the CLI too, which re-reads the store.
    drop(store);
    let cli = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--scenarios", "tests/fixtures", "export", "--lrs", &ralph.url(), "--user", Ralph::USER, "--password", Ralph::PASSWORD, "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    assert_eq!(read_back(&lrs).len(), sent.len(), "no duplicates after the CLI re-sent everything");

    // The LRS goes down: a clear error naming every unsent statement, and
    // the local records are untouched.
    ralph.stop();
    lrs.retries = 2;
    lrs.backoff = Duration::from_millis(50);
    let started = Instant::now();
    let down = lrs.send(&sent);
    assert!(started.elapsed() >= Duration::from_millis(150), "backed off before giving up");
    assert!(!down.is_complete());
    assert!(down.accepted.is_empty());
    let unsent: Vec<&str> = down.unsent.iter().map(|u| u.id.as_str()).collect();
    let all: Vec<&str> = sent.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(unsent, all);
    assert!(down.unsent[0].reason.contains("unreachable"), "{}", down.unsent[0].reason);
    let cli = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .args(["export", "--resend", "--retries", "1", "--backoff-ms", "10", "--lrs", &ralph.url(), "--user", Ralph::USER, "--db"])
        .arg(&db)
        .env("COUNTERPART_LRS_PASSWORD", Ralph::PASSWORD)
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&cli.stderr);
    assert!(stderr.contains("NOT sent") && stderr.contains(all[0]), "{stderr}");
    let store = Store::open(&db).unwrap();
    let again: Vec<Value> = [done, open].iter().flat_map(|&a| statements(&store.attempt(a).unwrap()).unwrap()).collect();
    assert_eq!(again, sent, "nothing lost locally");

    // Back up: sending again completes, still without duplicates.
    ralph.start();
    let resent = lrs.send(&again);
    assert!(resent.is_complete(), "{:?}", resent.unsent);
    assert_eq!(read_back(&lrs).len(), sent.len());

    // Wrong password: refused, not retried forever, reported.
    let wrong = Lrs::new(&ralph.url(), Ralph::USER, "wrong");
    let refused = wrong.send(&sent[..1]);
    assert_eq!(refused.unsent.len(), 1);
    assert!(refused.unsent[0].reason.contains("401"), "{}", refused.unsent[0].reason);
}
