//! The candidate's draw: which scenarios, in which order, as which
//! persona, with which seed. A pure function of the employee number, the
//! exam (id and version) and the sitting number, so a trainer can say in
//! advance or afterwards exactly what a candidate got, and a re-sit draws
//! differently.

use crate::exam::Exam;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// One drawn scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub scenario: String,
    /// The persona to play, when the pool entry names personas; otherwise
    /// the seed picks, as in practice.
    pub persona: Option<String>,
    /// The attempt's seed (wording, option order and, without a persona,
    /// the persona).
    pub seed: u64,
}

/// A candidate's draw for one sitting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    pub exam_id: String,
    pub exam_version: u32,
    pub employee_id: String,
    /// From 1.
    pub sitting: u32,
    pub slots: Vec<Slot>,
}

impl Draw {
    /// The drawn scenario ids, in order.
    pub fn scenarios(&self) -> Vec<&str> {
        self.slots.iter().map(|s| s.scenario.as_str()).collect()
    }
}

/// FNV-1a over the parts, each ended by a zero byte so ("ab", "c") and
/// ("a", "bc") differ. Stable across builds and platforms, unlike the
/// standard library's hasher.
fn seed_of(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0u8]) {
            hash ^= b as u64;
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Distinct pool scenarios, in file order (a checked exam has no repeats;
/// this keeps the draw sound on one that was not checked).
fn distinct_pool(exam: &Exam) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    (0..exam.pool.len()).filter(|&i| seen.insert(exam.pool[i].scenario.as_str())).collect()
}

/// The scenarios (pool indices) drawn for one sitting, before the re-sit rule.
fn pick(exam: &Exam, rng: &mut ChaCha8Rng, pool: &[usize]) -> Vec<usize> {
    let mut order = pool.to_vec();
    // A partial Fisher–Yates shuffle: the first `draw` places are the draw.
    let n = (exam.draw as usize).min(order.len());
    for i in 0..n {
        let j = rng.random_range(i..order.len());
        order.swap(i, j);
    }
    order
}

/// The draw of sitting `sitting` (from 1; 0 counts as 1) for the candidate
/// with this employee number. Never more scenarios than the pool holds.
/// When the pool has more scenarios than the draw, a sitting never draws
/// exactly the same scenarios as the sitting before it: the last one drawn
/// is swapped for the first in the shuffled remainder.
pub fn draw(exam: &Exam, employee_id: &str, sitting: u32) -> Draw {
    let sitting = sitting.max(1);
    let pool = distinct_pool(exam);
    let n = (exam.draw as usize).min(pool.len());
    let mut previous: Option<Vec<usize>> = None;
    let mut slots = Vec::new();
    for k in 1..=sitting {
        let seed = seed_of(&[exam.id.as_bytes(), &exam.version.to_le_bytes(), employee_id.as_bytes(), &k.to_le_bytes()]);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let order = pick(exam, &mut rng, &pool);
        let mut chosen: Vec<usize> = order[..n].to_vec();
        if let Some(prev) = &previous {
            let same = {
                let (mut a, mut b) = (chosen.clone(), prev.clone());
                a.sort_unstable();
                b.sort_unstable();
                a == b
            };
            if same && n > 0 && pool.len() > n {
                chosen[n - 1] = order[n];
            }
        }
        if k == sitting {
            slots = chosen
                .iter()
                .map(|&i| {
                    let entry = &exam.pool[i];
                    let persona = (!entry.personas.is_empty()).then(|| entry.personas[rng.random_range(0..entry.personas.len())].clone());
                    Slot { scenario: entry.scenario.clone(), persona, seed: rng.random() }
                })
                .collect();
        }
        previous = Some(chosen);
    }
    Draw { exam_id: exam.id.clone(), exam_version: exam.version, employee_id: employee_id.to_string(), sitting, slots }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exam::{PoolEntry, TimeLimits};
    use crate::scenario::model::Text;

    fn exam(pool: usize, draw: u32) -> Exam {
        Exam {
            id: "e".into(),
            version: 1,
            title: Text::new("考", "Exam"),
            description: Text::default(),
            pool: (0..pool).map(|i| PoolEntry { scenario: format!("s{i}"), personas: if i == 0 { vec!["main".into(), "s".into()] } else { vec![] } }).collect(),
            draw,
            time: TimeLimits { per_scenario_minutes: 10, exam_minutes: 30 },
            pass: Default::default(),
            retakes: Default::default(),
            debrief: Default::default(),
        }
    }

    #[test]
    fn the_same_inputs_give_the_same_draw() {
        let e = exam(6, 3);
        assert_eq!(draw(&e, "0571-0042", 1), draw(&e, "0571-0042", 1));
        assert_eq!(draw(&e, "0571-0042", 2), draw(&e, "0571-0042", 2));
    }

    #[test]
    fn a_draw_has_distinct_pool_scenarios_and_never_more_than_the_pool() {
        for pool in 1..6 {
            for n in 1..8 {
                let d = draw(&exam(pool, n), "x", 1);
                assert_eq!(d.slots.len(), (n as usize).min(pool));
                let mut ids = d.scenarios();
                ids.sort();
                ids.dedup();
                assert_eq!(ids.len(), d.slots.len());
            }
        }
    }

    #[test]
    fn every_re_sit_draws_other_scenarios_when_the_pool_allows() {
        for employee in ["1", "2", "0571-0042", "A-7", "李"] {
            for pool in [3usize, 4, 6] {
                let e = exam(pool, 2);
                for k in 1..10u32 {
                    let mut a = draw(&e, employee, k).scenarios().into_iter().map(String::from).collect::<Vec<_>>();
                    let mut b = draw(&e, employee, k + 1).scenarios().into_iter().map(String::from).collect::<Vec<_>>();
                    a.sort();
                    b.sort();
                    assert_ne!(a, b, "{employee} pool {pool} sitting {k}");
                }
            }
        }
    }

    #[test]
    fn candidates_and_exams_draw_differently_and_personas_come_from_the_entry() {
        let e = exam(8, 3);
        let draws: std::collections::HashSet<Vec<String>> =
            (0..20).map(|n| draw(&e, &n.to_string(), 1).scenarios().into_iter().map(String::from).collect()).collect();
        assert!(draws.len() > 10, "{} distinct draws of 20", draws.len());
        let mut other = e.clone();
        other.id = "f".into();
        assert_ne!(draw(&e, "1", 1).slots, draw(&other, "1", 1).slots);
        for n in 0..20 {
            for slot in draw(&e, &n.to_string(), 1).slots {
                match slot.scenario.as_str() {
                    "s0" => assert!(matches!(slot.persona.as_deref(), Some("main" | "s"))),
                    _ => assert_eq!(slot.persona, None),
                }
            }
        }
    }

    #[test]
    fn a_pool_equal_to_the_draw_still_changes_the_seeds() {
        let e = exam(3, 3);
        let (a, b) = (draw(&e, "1", 1), draw(&e, "1", 2));
        assert_ne!(a.slots.iter().map(|s| s.seed).collect::<Vec<_>>(), b.slots.iter().map(|s| s.seed).collect::<Vec<_>>());
    }
}
