//! The real Ralph LRS for the tests that talk to one (tests/records.rs,
//! tests/class.rs) and the class overview benchmark: started on loopback
//! with its data, credentials and log in a temporary directory, stopped
//! with its whole process group. Each includer declares it with
//! `#[path = "common/ralph.rs"] mod ralph;` (benches: `../tests/common/ralph.rs`).

#![allow(dead_code)] // each includer uses a part

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether a test that needs Ralph should run: `Some(ralph)` when it runs,
/// `None` (after saying so) when it is missing, a failed assertion when it
/// is missing but COUNTERPART_REQUIRE_LRS is set, as in CI.
pub fn ralph_or_skip(test: &str) -> Option<std::ffi::OsString> {
    let required = std::env::var_os("COUNTERPART_REQUIRE_LRS").is_some_and(|v| !v.is_empty());
    let how = "pip install 'ralph-malph[cli,lrs]==5.1.0' requests, then put `ralph` on PATH or set COUNTERPART_RALPH";
    let found = Ralph::find();
    if found.is_none() {
        assert!(!required, "COUNTERPART_REQUIRE_LRS is set but Ralph does not run: {how}");
        println!("SKIPPED {test}: Ralph not found ({how})");
    }
    found
}

/// A Ralph LRS (`ralph runserver -b fs`) on 127.0.0.1 for one test, with its
/// data, credentials and log in the test's temporary directory.
pub struct Ralph {
    exe: std::ffi::OsString,
    dir: PathBuf,
    child: Option<Child>,
    port: u16,
    log: PathBuf,
    /// Most statements per page Ralph answers (`None`: its default, 100).
    page: Option<usize>,
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
        match self.page {
            Some(n) => c.env("RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT", n.to_string()),
            None => c.env_remove("RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT"),
        };
        c
    }

    /// Where the fs backend keeps its one statements file, `fs_lrs.jsonl`.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("ralph-data")
    }

    /// Writes credentials for `USER` and starts the server.
    pub fn setup(exe: std::ffi::OsString, dir: &Path) -> Ralph {
        Self::setup_paged(exe, dir, None)
    }

    /// As `setup`, answering at most `page` statements per request (with a
    /// `more` link to the rest), so a few statements take several pages.
    pub fn setup_paged(exe: std::ffi::OsString, dir: &Path, page: Option<usize>) -> Ralph {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut r = Ralph { exe, dir: dir.to_path_buf(), child: None, port, log: dir.join("ralph.log"), page };
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

    /// The process id of `ralph runserver` (its group's leader), while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
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
