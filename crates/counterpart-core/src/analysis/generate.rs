//! Seeded random scenarios for tests and benchmarks.
//!
//! The same seed and shape always give the same scenario, so a failing
//! property test or a benchmark figure can be reproduced exactly. The
//! scenarios are structurally valid (every reference resolves, every turn
//! has options) but their text is filler: they exercise the flow, the
//! analyzer and the scorer, not the content checks.

use crate::scenario::model::{
    Channel, Choice, Citizen, Condition, Difficulty, DiscFit, DiscProfile, DiscStyle, Ending, FORMAT_VERSION,
    Item, Line, Mood, MoodDelta, Outcome, RedFlag, Route, Scenario, Stage, Text, Turn,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// What kind of scenario to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub turns: usize,
    /// Options per turn, inclusive range.
    pub min_options: usize,
    pub max_options: usize,
    /// How many turns ahead an option may jump. Options of nearby turns
    /// landing on the same turn are what makes branches merge again.
    pub reach: usize,
    pub endings: usize,
    /// Distinct flags set by options and tested by routes.
    pub flags: usize,
    /// Turn routes on mood (e.g. "demands a supervisor when upset").
    pub mood_routes: usize,
    /// Turn routes on flags set earlier.
    pub flag_routes: usize,
    /// Options that lead back to an earlier turn.
    pub cycles: usize,
    /// Mood deltas are multiples of this and at most `mood_steps` of them;
    /// a coarse grid keeps the number of reachable moods realistic.
    pub mood_step: i8,
    pub mood_steps: i8,
    /// Trust moves opposite to upset, as it mostly does in real scripts
    /// (a good answer calms and builds trust); otherwise they move freely.
    pub linked_mood: bool,
    /// Give options random DISC fits (which also move the mood).
    pub disc_fits: bool,
    /// An encounter-wide "hangs up when upset reaches 95" route.
    pub hang_up: bool,
    /// Options written the way trainers write them: each turn tests a few
    /// rubric items and its options are graded from exemplary to harmful,
    /// with the mood following the grade (a good answer calms) and red
    /// flags only on harmful answers. Otherwise evidence, mood and red
    /// flags are drawn independently, which makes the hardest cases for
    /// the analyzer's exactness tests.
    pub graded: bool,
    /// When set, each flag route tests its own flag, set by options at
    /// most this many turns before it ("promised a callback" is checked a
    /// few turns later), as in the bundled scripts; otherwise `flags`
    /// shared flags are set at random anywhere.
    pub flag_window: Option<usize>,
}

impl Shape {
    /// A few turns with every feature switched on: small enough for brute
    /// force enumeration of all routes.
    pub fn small(turns: usize) -> Shape {
        Shape {
            turns,
            min_options: 1,
            max_options: 3,
            reach: 3,
            endings: 3,
            flags: 2,
            mood_routes: 1,
            flag_routes: 1,
            cycles: 1,
            mood_step: 7,
            mood_steps: 3,
            linked_mood: false,
            disc_fits: true,
            hang_up: true,
            graded: false,
            flag_window: None,
        }
    }

    /// The benchmark's shape: long, branching and merging, with mood and
    /// flag routes and cycles, its moods on a coarse grid (steps of 10),
    /// options graded as in the bundled scripts, and each flag tested a few
    /// turns after it is set (BENCHMARKS.md says why this is representative).
    pub fn large(turns: usize) -> Shape {
        Shape {
            turns,
            min_options: 2,
            max_options: 4,
            reach: 3,
            endings: 5,
            flags: 64,
            mood_routes: turns / 200 + 1,
            flag_routes: turns / 200 + 1,
            cycles: turns / 1000 + 1,
            mood_step: 10,
            mood_steps: 2,
            linked_mood: true,
            disc_fits: false,
            hang_up: true,
            graded: true,
            flag_window: Some(10),
        }
    }
}

fn text(zh: String, en: String) -> Text {
    Text { zh, en }
}

fn turn_id(t: usize) -> String {
    format!("t{t}")
}

fn ending_id(e: usize) -> String {
    format!("end{e}")
}

const HANG_UP: &str = "hung_up";

/// Generates a scenario from `seed`. Turn `t{i}` leads to later turns and,
/// from the last turns, to the endings; option 0 of every turn leads to the
/// next turn unless a route applies (routes only jump forward), so an
/// ending is always in reach and nearly every turn is reachable.
pub fn generate(seed: u64, shape: &Shape) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let turns = shape.turns.max(1);
    let endings = shape.endings.max(1);
    let flag_name = |f: usize| format!("flag{f}");
    let target = |rng: &mut ChaCha8Rng, from: usize| -> String {
        let to = from + rng.random_range(1..=shape.reach.max(1));
        if to >= turns { ending_id(rng.random_range(0..endings)) } else { turn_id(to) }
    };
    let mood_delta = |rng: &mut ChaCha8Rng| -> i8 {
        let steps = shape.mood_steps.max(0);
        shape.mood_step.saturating_mul(rng.random_range(-steps..=steps))
    };
    let stages = [Stage::Reception, Stage::Calming, Stage::Gathering, Stage::Analysis, Stage::Solution, Stage::FollowUp];
    let flags_red = [RedFlag::ForbiddenPhrase, RedFlag::PushingAway, RedFlag::OverPromise, RedFlag::DataLeak];

    let mut scenario_turns = Vec::with_capacity(turns);
    for t in 0..turns {
        let count = rng.random_range(shape.min_options.max(1)..=shape.max_options.max(shape.min_options).max(1));
        let mut options = Vec::with_capacity(count);
        // Graded turns: the items this moment tests, and a grade per option
        // with one exemplary and one harmful answer among them.
        let (mut focus, mut grades): (Vec<Item>, Vec<i8>) = (Vec::new(), Vec::new());
        if shape.graded {
            focus = (0..rng.random_range(3..=5)).map(|_| Item::ALL[rng.random_range(0..Item::ALL.len())]).collect();
            grades = (0..count).map(|g| match g {
                0 => 3,
                1 => 0,
                _ => rng.random_range(1..=2),
            }).collect();
            for i in (1..grades.len()).rev() {
                grades.swap(i, rng.random_range(0..=i));
            }
        }
        for o in 0..count {
            let mut evidence = BTreeMap::new();
            if shape.graded {
                // As in the bundled scripts: the exemplary answer is 3 on
                // everything it shows and the harmful one 0, while the ones
                // in between mix levels.
                for &item in &focus {
                    let noise = if grades[o] == 0 || grades[o] == 3 { 0 } else { rng.random_range(-1..=1) };
                    evidence.insert(item, (grades[o] + noise).clamp(0, 3) as u8);
                }
            } else {
                for _ in 0..rng.random_range(1..=3) {
                    evidence.insert(Item::ALL[rng.random_range(0..Item::ALL.len())], rng.random_range(0..=3u8));
                }
            }
            let fit = if shape.disc_fits {
                DiscFit {
                    d: rng.random_range(-2..=2),
                    i: rng.random_range(-2..=2),
                    s: rng.random_range(-2..=2),
                    c: rng.random_range(-2..=2),
                }
            } else {
                DiscFit::default()
            };
            let mut set = Vec::new();
            if shape.flags > 0 && shape.flag_window.is_none() && rng.random_ratio(1, 8) {
                set.push(flag_name(rng.random_range(0..shape.flags)));
            }
            let next = if o == 0 {
                if t + 1 < turns { turn_id(t + 1) } else { ending_id(rng.random_range(0..endings)) }
            } else {
                target(&mut rng, t)
            };
            options.push(Choice {
                id: format!("o{o}"),
                text: text(format!("回答 {t}.{o}"), format!("Answer {t}.{o}")),
                kind: None,
                evidence,
                kind_items: Vec::new(),
                stage: stages[rng.random_range(0..stages.len())],
                fit,
                red_flag: if shape.graded {
                    (grades[o] == 0 && rng.random_ratio(1, 3)).then(|| flags_red[rng.random_range(0..flags_red.len())])
                } else {
                    rng.random_ratio(1, 12).then(|| flags_red[rng.random_range(0..flags_red.len())])
                },
                mood: {
                    let upset = if shape.graded {
                        // Exemplary calms by one or two steps, harmful upsets as much.
                        let steps = (1 - grades[o] as i16 + rng.random_range(0..=1)).clamp(-(shape.mood_steps as i16), shape.mood_steps as i16);
                        shape.mood_step.saturating_mul(steps as i8)
                    } else {
                        mood_delta(&mut rng)
                    };
                    let trust = if shape.linked_mood { upset.saturating_neg() } else { mood_delta(&mut rng) };
                    MoodDelta { upset, trust }
                },
                set,
                feedback: text(format!("点评 {t}.{o}"), format!("Feedback {t}.{o}")),
                better: (o > 0).then(|| "o0".to_string()),
                next,
                routes: Vec::new(),
            });
        }
        scenario_turns.push(Turn {
            id: turn_id(t),
            says: vec![
                Line {
                    when: Condition::UpsetAtLeast(80),
                    variants: vec![text(format!("（生气）第 {t} 句"), format!("(angry) line {t}"))],
                },
                Line {
                    when: Condition::Always,
                    variants: vec![
                        text(format!("第 {t} 句"), format!("Line {t}")),
                        text(format!("第 {t} 句，换个说法"), format!("Line {t}, reworded")),
                    ],
                },
            ],
            cue: None,
            time_limit: rng.random_ratio(1, 3).then(|| rng.random_range(10..=30)),
            options,
            routes: Vec::new(),
        });
    }

    // Routes jump forward only, so they never trap the encounter.
    let forward = |rng: &mut ChaCha8Rng, from: usize| -> Option<(usize, String)> {
        (from + 2 < turns).then(|| {
            let to = rng.random_range(from + 2..turns.min(from + 2 + shape.reach.max(1) * 3));
            (to, turn_id(to))
        })
    };
    for _ in 0..shape.mood_routes {
        let from = rng.random_range(0..turns);
        if let Some((_, to)) = forward(&mut rng, from) {
            let when = match rng.random_range(0..3) {
                0 => Condition::UpsetAtLeast(rng.random_range(6..=9) * 10),
                1 => Condition::TrustBelow(rng.random_range(1..=3) * 10),
                _ => Condition::All(vec![Condition::UpsetBelow(40), Condition::TrustAtLeast(50)]),
            };
            scenario_turns[from].routes.push(Route { when, to });
        }
    }
    for route in 0..shape.flag_routes {
        if shape.flags == 0 {
            break;
        }
        let from = rng.random_range(0..turns);
        if let Some((_, to)) = forward(&mut rng, from) {
            let flag = match shape.flag_window {
                Some(window) => {
                    // Its own flag, set by an option of one or two turns just before.
                    let flag = flag_name(route % shape.flags);
                    for _ in 0..2 {
                        let at = from.saturating_sub(rng.random_range(1..=window.max(1)));
                        let option = rng.random_range(0..scenario_turns[at].options.len());
                        scenario_turns[at].options[option].set.push(flag.clone());
                    }
                    flag
                }
                None => flag_name(rng.random_range(0..shape.flags)),
            };
            let when = if rng.random_bool(0.5) { Condition::Flag(flag) } else { Condition::NotFlag(flag) };
            let option = rng.random_range(0..scenario_turns[from].options.len());
            scenario_turns[from].options[option].routes.push(Route { when, to });
        }
    }
    // A "could you say that again?" option that goes back a little way; the
    // spine (option 0) always leads on, so the cycle has a way out.
    for cycle in 0..shape.cycles {
        let from = rng.random_range(0..turns);
        let back = from.saturating_sub(rng.random_range(0..=2));
        scenario_turns[from].options.push(Choice {
            id: format!("again{cycle}"),
            text: text("您能再说一遍吗？".into(), "Could you say that again?".into()),
            kind: None,
            evidence: BTreeMap::from([(Item::L3, 1), (Item::L1, 2)]),
            kind_items: Vec::new(),
            stage: Stage::Gathering,
            fit: DiscFit::default(),
            red_flag: None,
            mood: MoodDelta { upset: shape.mood_step, trust: 0 },
            set: Vec::new(),
            feedback: text("让对方重复会增加不耐烦。".into(), "Asking for a repeat wears patience thin.".into()),
            better: Some("o0".into()),
            next: turn_id(back),
            routes: Vec::new(),
        });
    }

    let outcomes = [Outcome::Resolved, Outcome::Escalated, Outcome::FormalComplaint, Outcome::WalkedOut];
    let mut scenario_endings: Vec<Ending> = (0..endings)
        .map(|e| Ending {
            id: ending_id(e),
            outcome: outcomes[e % outcomes.len()],
            text: text(format!("结局 {e}"), format!("Ending {e}")),
        })
        .collect();
    let mut routes = Vec::new();
    if shape.hang_up {
        scenario_endings.push(Ending {
            id: HANG_UP.into(),
            outcome: Outcome::HungUp,
            text: text("对方挂断了电话。".into(), "The caller hung up.".into()),
        });
        routes.push(Route { when: Condition::UpsetAtLeast(95), to: HANG_UP.into() });
    }
    let styles = DiscStyle::ALL;
    Scenario {
        id: format!("generated-{seed}"),
        format: FORMAT_VERSION,
        version: 1,
        title: text(format!("生成的场景 {seed}"), format!("Generated scenario {seed}")),
        summary: text("用于测试和基准的随机场景。".into(), "A random scenario for tests and benchmarks.".into()),
        channel: Channel::Hotline,
        difficulty: Difficulty::Intermediate,
        objectives: Vec::new(),
        tags: vec!["generated".into()],
        minutes: 5,
        citizen: Citizen {
            name: text("测试市民".into(), "Test citizen".into()),
            age: 40,
            situation: text("随机生成。".into(), "Randomly generated.".into()),
            disc: DiscProfile {
                primary: styles[rng.random_range(0..4)],
                secondary: rng.random_bool(0.5).then(|| styles[rng.random_range(0..4)]),
            },
            needs: Vec::new(),
            mood: Mood { upset: rng.random_range(4..=8) * 10, trust: rng.random_range(2..=5) * 10 },
            personas: None,
        },
        start: turn_id(0),
        routes,
        turns: scenario_turns,
        endings: scenario_endings,
        local_rules: Vec::new(),
        work_order: None,
        no_order: None,
        notice: None,
        protocol: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_scenario() {
        let shape = Shape::small(8);
        assert_eq!(generate(5, &shape), generate(5, &shape));
        assert_ne!(generate(5, &shape), generate(6, &shape));
    }

    #[test]
    fn generated_scenarios_resolve_and_validate_without_errors() {
        for seed in 0..20 {
            let scenario = generate(seed, &Shape::small(10));
            let source = ron::ser::to_string_pretty(&scenario, ron::ser::PrettyConfig::default()).expect("serialises");
            let errors: Vec<_> = crate::library::validate::validate(&scenario, &source, "generated")
                .into_iter()
                .filter(|d| d.is_error())
                .collect();
            assert!(errors.is_empty(), "seed {seed}: {errors:?}");
        }
    }
}
