//! The class overview against a real Ralph LRS on loopback loaded with a
//! generated centre year: the first full fetch, the overview's time to its
//! first summary, an incremental refresh, and the peak memory of this
//! process (which does the fetching and the overview) while it fetches.
//!
//! The centre: `BENCH_TRAINEES` trainees (200) sharing `BENCH_ATTEMPTS`
//! attempts (60,000; the figures are in BENCHMARKS.md) spread over a year,
//! each attempt with its real statements (initialized, every answered turn,
//! completed, the verdict, terminated). A dozen attempts are played and
//! recorded with the reference scenario as the app records them (the best
//! and worst routes per dimension, some left unfinished); their statements,
//! built by the same code that sends them, are the templates each generated
//! attempt copies with its own trainee, registration, statement ids and
//! times. The statements are written straight into the fs backend's file
//! (as Ralph would store them, with `stored`): POSTing them would cost
//! Ralph a read of its whole file per batch for the duplicate check.
//!
//! `BENCH_PAGE` is the page the fetch asks for (the query's `limit`; the
//! app and the command ask for `class::PAGE`, 500) and, unless
//! `BENCH_LRS_PAGE` says otherwise, Ralph's RUNSERVER_MAX_SEARCH_HITS_COUNT
//! (its most per page; Ralph's default is 100). With `BENCH_LRS_PAGE`
//! below `BENCH_PAGE` the fetch follows Ralph's smaller pages.
//!
//! Run: `COUNTERPART_RALPH=~/.cache/counterpart-ralph/bin/ralph BENCH_ATTEMPTS=2000 cargo bench --no-default-features --profile dev --bench class_overview`

#[path = "../tests/records/common.rs"]
#[allow(dead_code, unused_imports)]
mod common;
#[path = "../tests/common/ralph.rs"]
mod ralph;

use common::*;
use counterpart_core::records::class::{ClassFilter, PAGE, overview_from_cache, refresh, summary_text};
use counterpart_core::records::xapi::StatementQuery;
use ralph::Ralph;
use std::io::Write;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Peak resident memory of this process since the last `reset_peak`, in MiB.
fn peak_rss_mib() -> f64 {
    vm_hwm_mib("self")
}

/// VmHWM of `/proc/<process>`, in MiB (0 when it is gone).
fn vm_hwm_mib(process: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).unwrap_or_default();
    let kb: f64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0.0);
    kb / 1024.0
}

/// The largest peak resident memory among the processes of Ralph's group
/// (its reloader and the server it runs), in MiB, since each started.
fn ralph_peak_mib(group: u32) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())).map(str::to_string))
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // The process group is the third field after the command name.
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            after.split_whitespace().nth(2).and_then(|g| g.parse::<u32>().ok()) == Some(group)
        })
        .map(|pid| vm_hwm_mib(&pid))
        .fold(0.0, f64::max)
}

/// Starts the peak over (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// User + system CPU time of this process, in seconds.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after
    // the command name, at 100 ticks a second.
    (ticks(11) + ticks(12)) / 100.0
}

/// `2026-01-05T08:00:00.000000+00:00` plus `secs`, as Ralph writes times.
fn instant(secs: i64) -> String {
    // 2026-01-05 (a Monday) 00:00 UTC.
    const START: i64 = 1_767_571_200;
    let t = START + secs;
    let (days, rem) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000000+00:00", rem / 3600, rem % 3600 / 60, rem % 60)
}

struct Template {
    uuid: String,
    statements: Vec<Value>,
}

/// Real attempts of the reference scenario, recorded as the app records them.
fn templates(dir: &Path) -> Vec<Template> {
    let store = Store::open(&dir.join("templates.sqlite3")).unwrap();
    let profile = store.create_profile("template").unwrap();
    let script = script();
    let analysis = analyze(&script).unwrap();
    let mut routes: Vec<Vec<usize>> = Vec::new();
    for o in Objective::ALL {
        for e in [analysis.best(o), analysis.worst(o)].into_iter().flatten() {
            routes.push(e.route.clone());
        }
    }
    let best = analysis.best(Objective::Overall).unwrap().route.clone();
    routes.push(best[..2].to_vec());
    routes.push(best[..1].to_vec());
    routes
        .iter()
        .map(|route| {
            let id = play_and_record(&store, profile.id, &script, 4, route).0;
            let record = store.attempt(id).unwrap();
            Template { uuid: record.summary.uuid.clone(), statements: statements(&record).unwrap() }
        })
        .collect()
}

/// Appends attempts `from..to` of the `total` in the centre year, in time
/// order, to Ralph's statements file; returns how many statements were
/// written.
fn write_attempts(file: &Path, templates: &[Template], trainees: usize, total: usize, from: usize, to: usize) -> usize {
    let mut out = std::io::BufWriter::new(std::fs::OpenOptions::new().create(true).append(true).open(file).unwrap());
    let year_secs = 360 * 86_400_i64;
    let mut written = 0;
    for i in from..to {
        let t = &templates[(i * 7 + i / 13) % templates.len()];
        let trainee = i % trainees;
        let uuid = statement_id("bench-attempt", &i.to_string()).to_string();
        // Spread over the year in order; each statement a few seconds
        // after the one before, stored a minute after the attempt ends.
        let start = (i as i64) * year_secs / total.max(1) as i64;
        let stored = instant(start + 60 + 20 * t.statements.len() as i64);
        for (k, s) in t.statements.iter().enumerate() {
            let mut s: Value = serde_json::from_str(&s.to_string().replace(&t.uuid, &uuid)).unwrap();
            s["id"] = Value::String(statement_id(&uuid, &k.to_string()).to_string());
            s["actor"]["name"] = Value::String(format!("学员{trainee:03}"));
            s["actor"]["account"]["name"] = Value::String(format!("E{trainee:04}"));
            s["timestamp"] = Value::String(instant(start + 20 * k as i64));
            s["stored"] = Value::String(stored.clone());
            serde_json::to_writer(&mut out, &s).unwrap();
            out.write_all(b"\n").unwrap();
            written += 1;
        }
    }
    out.flush().unwrap();
    written
}

fn main() {
    let attempts = env_usize("BENCH_ATTEMPTS", 60_000);
    let trainees = env_usize("BENCH_TRAINEES", 200).max(1);
    let page = env_usize("BENCH_PAGE", PAGE).max(1);
    let lrs_page = env_usize("BENCH_LRS_PAGE", page).max(1);
    let Some(exe) = Ralph::find() else {
        println!("class_overview: Ralph not found (set COUNTERPART_RALPH to its executable)");
        std::process::exit(1);
    };
    let dir = tempfile::tempdir().unwrap();
    let generated = Instant::now();
    let templates = templates(dir.path());
    // The fs backend reads its file on every request, so the data can be
    // written while it runs, between requests.
    let ralph = Ralph::setup_paged(exe, dir.path(), Some(lrs_page));
    let file = ralph.data_dir().join("fs_lrs.jsonl");
    let new_attempts = (attempts / 1000).max(trainees / 10).max(1);
    let statements = write_attempts(&file, &templates, trainees, attempts + new_attempts, 0, attempts);
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "centre: {trainees} trainees, {attempts} attempts, {statements} statements ({:.1} MiB in Ralph's file), generated in {:.1?}",
        bytes as f64 / 1048576.0,
        generated.elapsed()
    );
    let mut lrs = Lrs::new(&ralph.url(), Ralph::USER, Ralph::PASSWORD);
    lrs.request_timeout = Duration::from_secs(600);
    let store = Store::open(&dir.path().join("trainer.sqlite3")).unwrap();
    let query = StatementQuery { limit: Some(page), ..StatementQuery::default() };
    let per_page = page.min(lrs_page);
    println!("pages: the fetch asks for {page}, Ralph answers at most {lrs_page}");

    reset_peak();
    let base_rss = peak_rss_mib();
    let (cpu0, t0) = (cpu_secs(), Instant::now());
    let run = refresh(&store, &lrs, &query, true).unwrap();
    let full = t0.elapsed();
    let full_cpu = cpu_secs() - cpu0;
    let fetch_rss = peak_rss_mib();
    assert_eq!(run.added, statements, "every statement fetched once");
    // Full pages, then the rest (an empty last page when they divide
    // evenly: Ralph offers one more page after a full one).
    assert_eq!(run.pages, statements / per_page + 1, "pages of {per_page}");
    println!(
        "first full fetch: {:.1?} ({} pages of up to {per_page}; {:.0} statements/s; this process {full_cpu:.1} s CPU, the rest is Ralph); peak RSS {fetch_rss:.1} MiB (before: {base_rss:.1})",
        full,
        run.pages,
        statements as f64 / full.as_secs_f64()
    );

    reset_peak();
    let endpoint = lrs.statements_url().to_string();
    let t0 = Instant::now();
    let overview = overview_from_cache(&store, &endpoint, &ClassFilter::default()).unwrap();
    let text = summary_text(&overview);
    let first_summary = t0.elapsed();
    println!(
        "overview from the cache to first summary: {:.1?} ({} statements, {} trainees, {} completed attempts; {} bytes of summary); peak RSS {:.1} MiB",
        first_summary,
        overview.statements,
        overview.trainees.len(),
        overview.pass_rate().0,
        text.len(),
        peak_rss_mib()
    );
    assert_eq!(overview.trainees.len(), trainees.min(attempts));

    // New practice reaches the LRS (as if POSTed), then the refresh.
    let added = write_attempts(&file, &templates, trainees, attempts + new_attempts, attempts, attempts + new_attempts);
    reset_peak();
    let t0 = Instant::now();
    let run = refresh(&store, &lrs, &query, false).unwrap();
    let incremental = t0.elapsed();
    assert_eq!(run.added, added, "only the new statements: {run:?}");
    let t1 = Instant::now();
    let overview = overview_from_cache(&store, &endpoint, &ClassFilter::default()).unwrap();
    let _ = summary_text(&overview);
    println!(
        "incremental refresh: {:.1?} for {added} new statements of {new_attempts} attempts ({} pages, {} already cached); then the summary {:.1?}; peak RSS {:.1} MiB",
        incremental,
        run.pages,
        run.known,
        t1.elapsed(),
        peak_rss_mib()
    );
    let db_bytes = std::fs::metadata(dir.path().join("trainer.sqlite3")).map(|m| m.len()).unwrap_or(0);
    println!("cache in the records file: {:.1} MiB", db_bytes as f64 / 1048576.0);
    if let Some(pid) = ralph.pid() {
        println!("Ralph's peak RSS (its largest process, whole run): {:.1} MiB", ralph_peak_mib(pid));
    }
}
