//! Times knowledge-base search as the trainee types, over a generated base
//! of 5,000 entries (more than a centre's few thousand).
//!
//! Same style as benches/analyze.rs: plain `std::time`, a warm-up, the
//! median of N runs, no criterion. Each "run" types a set of queries one
//! character at a time (Chinese, pinyin initials, English, several words)
//! and times every keystroke's search; the figure is the slowest keystroke's
//! median, since one slow keystroke is what a trainee would see.
//!
//! Run: `cargo bench --no-default-features --bench knowledge_search`

use counterpart_core::knowledge::model::{Entry, EntryKind};
use counterpart_core::knowledge::{SearchIndex, Segmenter};
use counterpart_core::scenario::model::Text;
use std::time::{Duration, Instant};

const ENTRIES: usize = 5_000;
const WARM_UP: usize = 2;
const DEFAULT_RUNS: usize = 15;
/// One frame at 60 Hz.
const TARGET: Duration = Duration::from_micros(16_667);

/// Words real entries are made of; combined deterministically so the base
/// has realistic overlap (many entries share 公积金, 提取, 办理...).
const TOPICS: &[&str] = &["住房公积金", "居住证", "异地就医", "社会保障卡", "营业执照", "不动产登记", "户口迁移", "残疾人证", "老年人优待证", "出入境证件", "医疗保险", "养老保险", "失业保险", "租赁补贴", "入学报名", "停水报修", "供暖", "噪声投诉", "网约车", "食品经营许可"];
const ACTIONS: &[&str] = &["提取", "申领", "备案", "补办", "变更", "注销", "转移", "查询", "缴费", "续期", "签注", "报销"];
const WHO: &[&str] = &["", "（退休人员）", "（灵活就业人员）", "（外地户籍）", "（未成年人）", "（企业）"];

fn base() -> Vec<Entry> {
    (0..ENTRIES)
        .map(|i| {
            let topic = TOPICS[i % TOPICS.len()];
            let action = ACTIONS[(i / TOPICS.len()) % ACTIONS.len()];
            let who = WHO[(i / (TOPICS.len() * ACTIONS.len())) % WHO.len()];
            let title = format!("{topic}{action}{who}");
            Entry {
                id: format!("entry-{i}"),
                kind: EntryKind::Guide,
                title: Text::new(title.clone(), format!("Entry {i}: {topic} {action}")),
                summary: Text::new(
                    format!("符合条件的申请人可以在政务服务大厅或网上办理{title}。材料齐全的当场受理，按本市规定的时限办结，办理进度可以在线查询。第{i}号示例。"),
                    format!("Eligible applicants may apply for entry {i} at the service hall or online. Complete applications are accepted on the spot and done within the city's time limit."),
                ),
                materials: vec![Text::new("身份证", "ID card")],
                steps: vec![Text::new("申请", "Apply")],
                time_limits: vec![],
                local_rules: vec![],
                handling_unit: Text::new("市政务服务中心", "City service centre"),
                source: Text::new("示例", "Example"),
                keywords: vec![topic.to_string(), action.to_string(), format!("{topic}{action}")],
                category: None,
                follow_on: vec![],
            }
        })
        .collect()
}

/// Typed a character at a time.
const QUERIES: &[&str] = &["公积金提取", "gjjtq", "居住证 签注", "ydjy", "residence", "社会保障卡补办", "不存在的事项名称"];

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(DEFAULT_RUNS).max(1);
    let build = Instant::now();
    let entries = base();
    let segmenter = Segmenter::new();
    // The dictionary is read on the first cut; read it here so that the
    // first Chinese keystroke's time is the search's, as for every later
    // search in the app (the one-time read is reported apart).
    segmenter.prepare();
    let built_segmenter = build.elapsed();
    let index = SearchIndex::new(&entries);
    println!("{ENTRIES} entries; segmenter {built_segmenter:.1?}, index {:.1?}", build.elapsed() - built_segmenter);

    let keystrokes: Vec<String> = QUERIES
        .iter()
        .flat_map(|q| {
            let chars: Vec<char> = q.chars().collect();
            (1..=chars.len()).map(move |n| chars[..n].iter().collect::<String>())
        })
        .collect();
    let mut per_key: Vec<Vec<Duration>> = vec![Vec::new(); keystrokes.len()];
    let mut found = 0;
    for run in 0..WARM_UP + runs {
        for (k, typed) in keystrokes.iter().enumerate() {
            let start = Instant::now();
            let hits = index.search(typed, &segmenter, 20);
            let elapsed = start.elapsed();
            if run >= WARM_UP {
                per_key[k].push(elapsed);
            }
            found += hits.len();
        }
    }
    let medians: Vec<(Duration, &str)> = per_key
        .iter_mut()
        .zip(&keystrokes)
        .map(|(times, typed)| {
            times.sort();
            (times[times.len() / 2], typed.as_str())
        })
        .collect();
    let (worst, worst_query) = medians.iter().max().copied().unwrap_or((Duration::ZERO, ""));
    let mut all: Vec<Duration> = medians.iter().map(|m| m.0).collect();
    all.sort();
    println!(
        "search: {} keystrokes over {} queries; median keystroke {:.2?}, slowest keystroke {worst:.2?} (\"{worst_query}\"); {runs} runs, {found} hits in all",
        keystrokes.len(),
        QUERIES.len(),
        all[all.len() / 2],
    );
    if worst > TARGET {
        println!("SLOWER than one frame ({TARGET:?})");
        std::process::exit(1);
    }
    println!("within one frame ({TARGET:?})");
}
