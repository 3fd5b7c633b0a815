//! Times `analyze` on a generated 10,000-turn scenario.
//!
//! Plain `std::time` with a warm-up and the median of N runs rather than
//! criterion: criterion pulls in dozens of crates (plotters, rayon, serde
//! helpers) and minutes of build time on the shared 2-core machines, while
//! one number per run is all the target ("under 100 ms") needs. The median
//! shrugs off the noise of other builds running on the same cores.
//!
//! Run: `cargo bench --no-default-features --bench analyze`

use counterpart_core::analysis::analyze::{Objective, analyze};
use counterpart_core::play::engine::Script;
use counterpart_core::analysis::generate::{Shape, generate};
use std::time::{Duration, Instant};

const TURNS: usize = 10_000;
const SEED: u64 = 2024;
const WARM_UP: usize = 3;
const DEFAULT_RUNS: usize = 15;
const TARGET: Duration = Duration::from_millis(100);

fn main() {
    // `BENCH_RUNS=1` for profiling under valgrind or perf.
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(DEFAULT_RUNS).max(1);
    let warm_up = if runs < DEFAULT_RUNS { 0 } else { WARM_UP };
    // `BENCH_TURNS=50000` to see how it scales; the target is for 10,000.
    let turns: usize = std::env::var("BENCH_TURNS").ok().and_then(|t| t.parse().ok()).unwrap_or(TURNS);
    let build = Instant::now();
    let scenario = generate(SEED, &Shape::large(turns));
    let options: usize = scenario.turns.iter().map(|t| t.options.len()).sum();
    let script = Script::new(scenario).expect("generated scenarios resolve");
    println!("generated {turns} turns, {options} options in {:.1?}", build.elapsed());

    let mut first = None;
    for _ in 0..warm_up.max(1) {
        match analyze(&script) {
            Ok(analysis) => first = Some(analysis),
            Err(e) => {
                println!("analyze: {e}");
                std::process::exit(1);
            }
        }
    }
    let analysis = first.expect("at least one warm-up run");
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let result = analyze(&script).expect("analysable");
            let elapsed = start.elapsed();
            // Keep the optimiser from discarding the work.
            assert_eq!(result.situations, analysis.situations);
            elapsed
        })
        .collect();
    times.sort();
    let median = times[runs / 2];
    let best = analysis.best(Objective::Overall).map_or(f32::NAN, |e| e.score);
    let worst = analysis.worst(Objective::Overall).map_or(f32::NAN, |e| e.score);
    println!(
        "analyze: {} situations, overall {worst:.1}–{best:.1}; median {median:.2?} (min {:.2?}, max {:.2?}) over {runs} runs",
        analysis.situations,
        times[0],
        times[runs - 1],
    );
    if median > TARGET && turns == TURNS {
        println!("SLOWER than the {TARGET:?} target");
        std::process::exit(1);
    }
    println!("within the {TARGET:?} target");
}
