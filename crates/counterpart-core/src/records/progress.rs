//! A trainee's progress from their attempts: scores per dimension over time,
//! best and latest per scenario, and the weakest dimension with the
//! scenarios that practise it most. Pure data in, data out: the History
//! screen and reports draw it, tests check it without a store.

use crate::scenario::model::Scenario;
use crate::records::store::{AttemptSummary, Status};
use crate::play::rubric::Dimension;

/// How many recent completed attempts decide the weakest dimension: recent
/// enough to reflect improvement, enough to smooth out one bad day.
pub(crate) const RECENT_WINDOW: usize = 5;
/// How many scenarios to suggest for the weakest dimension.
pub(crate) const SUGGESTIONS: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct ProgressPoint {
    pub attempt_id: i64,
    pub when: String,
    pub scenario_id: String,
    /// In `Dimension::ALL` order.
    pub dimensions: [f32; 5],
    pub overall: f32,
    pub passed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioProgress {
    pub scenario_id: String,
    pub attempts: usize,
    pub best_overall: f32,
    pub best_passed: bool,
    pub latest_overall: f32,
    pub latest_passed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Weakness {
    pub dimension: Dimension,
    /// Mean of this dimension over the last `over_attempts` completed attempts.
    pub mean: f32,
    pub over_attempts: usize,
    /// Scenario ids that exercise this dimension most, best first.
    pub practise: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    /// Completed attempts, oldest first.
    pub series: Vec<ProgressPoint>,
    /// One row per scenario attempted to completion, by scenario id.
    pub per_scenario: Vec<ScenarioProgress>,
    pub weakest: Option<Weakness>,
}

/// Builds the progress view from one trainee's attempts (any order) and
/// the scenarios available to practise. Unfinished and abandoned attempts
/// carry no scores and are left out.
pub fn progress<'a>(attempts: &[AttemptSummary], library: impl IntoIterator<Item = &'a Scenario>) -> Progress {
    let mut series: Vec<ProgressPoint> = attempts
        .iter()
        // A targeted run practises one moment, not a whole call: its score
        // says nothing of the trainee's calls.
        .filter(|a| a.status == Status::Completed && a.situation.is_none())
        .filter_map(|a| {
            Some(ProgressPoint {
                attempt_id: a.id,
                when: a.finished_at.clone().unwrap_or_else(|| a.started_at.clone()),
                scenario_id: a.scenario_id.clone(),
                dimensions: a.dimensions?,
                overall: a.overall?,
                passed: a.passed.unwrap_or(false),
            })
        })
        .collect();
    // Timestamps are ISO-8601 UTC, so text order is time order; the id
    // breaks ties between attempts finished in the same second.
    series.sort_by(|a, b| a.when.cmp(&b.when).then(a.attempt_id.cmp(&b.attempt_id)));

    let mut per_scenario: Vec<ScenarioProgress> = Vec::new();
    for point in &series {
        match per_scenario.iter_mut().find(|s| s.scenario_id == point.scenario_id) {
            Some(row) => {
                row.attempts += 1;
                // Passing beats a higher failing score: a red flag fails
                // whatever the total.
                if (point.passed, point.overall) > (row.best_passed, row.best_overall) {
                    row.best_overall = point.overall;
                    row.best_passed = point.passed;
                }
                row.latest_overall = point.overall;
                row.latest_passed = point.passed;
            }
            None => per_scenario.push(ScenarioProgress {
                scenario_id: point.scenario_id.clone(),
                attempts: 1,
                best_overall: point.overall,
                best_passed: point.passed,
                latest_overall: point.overall,
                latest_passed: point.passed,
            }),
        }
    }
    per_scenario.sort_by(|a, b| a.scenario_id.cmp(&b.scenario_id));

    let weakest = weakest(&series, &library.into_iter().collect::<Vec<_>>());
    Progress { series, per_scenario, weakest }
}

fn weakest(series: &[ProgressPoint], library: &[&Scenario]) -> Option<Weakness> {
    let recent = &series[series.len().saturating_sub(RECENT_WINDOW)..];
    if recent.is_empty() {
        return None;
    }
    let mean = |d: Dimension| recent.iter().map(|p| p.dimensions[d.index()]).sum::<f32>() / recent.len() as f32;
    // Ties go to the earlier dimension in rubric order, so the answer is stable.
    let dimension = Dimension::ALL
        .into_iter()
        .min_by(|a, b| mean(*a).total_cmp(&mean(*b)).then(a.index().cmp(&b.index())))?;
    let own_best = |id: &str| {
        series
            .iter()
            .filter(|p| p.scenario_id == id)
            .map(|p| p.dimensions[dimension.index()])
            .fold(None, |acc: Option<f32>, v| Some(acc.map_or(v, |a| a.max(v))))
    };
    let mut ranked: Vec<(f32, f32, &str)> = library
        .iter()
        .map(|s| (practice_share(s, dimension), own_best(&s.id).unwrap_or(0.0), s.id.as_str()))
        .filter(|(share, _, _)| *share > 0.0)
        .collect();
    // Most practice first; among equals, the scenario where this trainee
    // has done worst on the dimension; then by id for stability.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(b.2)));
    Some(Weakness {
        dimension,
        mean: mean(dimension),
        over_attempts: recent.len(),
        practise: ranked.into_iter().take(SUGGESTIONS).map(|(_, _, id)| id.to_string()).collect(),
    })
}

/// The share of a scenario's options that give evidence on `dimension`: an
/// explicit rubric item of that dimension, or, for DISC, a non-zero fit to
/// the citizen's style (DISC evidence is derived from fit).
pub(crate) fn practice_share(scenario: &Scenario, dimension: Dimension) -> f32 {
    let style = scenario.citizen.disc.primary;
    let (mut hits, mut total) = (0usize, 0usize);
    for choice in scenario.turns.iter().flat_map(|t| &t.options) {
        total += 1;
        let explicit = choice.evidence.keys().any(|item| item.dimension() == dimension);
        let by_fit = dimension == Dimension::Disc && choice.fit.for_style(style) != 0;
        if explicit || by_fit {
            hits += 1;
        }
    }
    if total == 0 { 0.0 } else { hits as f32 / total as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::load::load_file;

    fn attempt(id: i64, scenario: &str, when: &str, dims: [f32; 5], passed: bool, status: Status) -> AttemptSummary {
        let overall = Dimension::ALL.iter().map(|d| dims[d.index()] * d.weight() as f32).sum::<f32>() / 100.0;
        AttemptSummary {
            id,
            uuid: format!("u{id}"),
            profile_id: 1,
            profile_name: "王芳".into(),
            scenario_id: scenario.into(),
            scenario_version: 1,
            seed: 7,
            started_at: when.into(),
            finished_at: (status == Status::Completed).then(|| when.into()),
            status,
            steps: 5,
            overall: (status == Status::Completed).then_some(overall),
            dimensions: (status == Status::Completed).then_some(dims),
            passed: (status == Status::Completed).then_some(passed),
            persona: None,
            rating: None,
            rules: None,
            by_group: false,
            drill: None,
            exam: None,
            situation: None,
        }
    }

    fn library() -> Vec<Scenario> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut out: Vec<Scenario> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| load_file(&e.unwrap().path()).script().map(|s| s.scenario.clone()))
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    #[test]
    fn series_is_chronological_and_skips_unscored_attempts() {
        let attempts = vec![
            attempt(3, "b", "2026-11-03T09:00:00Z", [80.0; 5], true, Status::Completed),
            attempt(1, "a", "2026-11-01T09:00:00Z", [50.0; 5], false, Status::Completed),
            attempt(2, "a", "2026-11-02T09:00:00Z", [0.0; 5], false, Status::Abandoned),
            attempt(4, "a", "2026-11-04T09:00:00Z", [0.0; 5], false, Status::InProgress),
        ];
        let p = progress(&attempts, []);
        assert_eq!(p.series.iter().map(|s| s.attempt_id).collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn best_prefers_a_pass_and_latest_is_the_last_finished() {
        let attempts = vec![
            attempt(1, "a", "2026-11-01T09:00:00Z", [90.0, 90.0, 90.0, 90.0, 90.0], false, Status::Completed),
            attempt(2, "a", "2026-11-02T09:00:00Z", [75.0; 5], true, Status::Completed),
            attempt(3, "a", "2026-11-03T09:00:00Z", [60.0; 5], false, Status::Completed),
        ];
        let p = progress(&attempts, []);
        assert_eq!(p.per_scenario.len(), 1);
        let row = &p.per_scenario[0];
        assert_eq!(row.attempts, 3);
        assert!(row.best_passed);
        assert_eq!(row.best_overall, 75.0);
        assert_eq!(row.latest_overall, 60.0);
        assert!(!row.latest_passed);
    }

    #[test]
    fn weakest_dimension_uses_recent_attempts_and_suggests_practice() {
        let lib = library();
        assert!(lib.len() >= 3, "needs the bundled library");
        // Early attempts were weak on listening; the recent five are weak on DISC.
        let mut attempts = vec![attempt(1, &lib[0].id, "2026-10-01T09:00:00Z", [10.0, 90.0, 90.0, 90.0, 90.0], false, Status::Completed)];
        for k in 0..RECENT_WINDOW as i64 {
            attempts.push(attempt(
                10 + k,
                &lib[1].id,
                &format!("2026-11-0{}T09:00:00Z", k + 1),
                [80.0, 80.0, 80.0, 30.0 + k as f32, 80.0],
                false,
                Status::Completed,
            ));
        }
        let p = progress(&attempts, &lib);
        let w = p.weakest.expect("a weakest dimension");
        assert_eq!(w.dimension, Dimension::Disc);
        assert_eq!(w.over_attempts, RECENT_WINDOW);
        assert!((w.mean - 32.0).abs() < 1e-4, "mean {}", w.mean);
        assert_eq!(w.practise.len(), SUGGESTIONS);
        // Suggestions are ordered by how much of the scenario practises DISC.
        let shares: Vec<f32> = w
            .practise
            .iter()
            .map(|id| practice_share(lib.iter().find(|s| &s.id == id).unwrap(), Dimension::Disc))
            .collect();
        assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{shares:?}");
        let top_share = lib.iter().map(|s| practice_share(s, Dimension::Disc)).fold(0.0f32, f32::max);
        assert_eq!(shares[0], top_share);
    }

    #[test]
    fn no_completed_attempts_means_no_weakest_dimension() {
        let lib = library();
        let p = progress(&[attempt(1, "a", "2026-11-01T09:00:00Z", [0.0; 5], false, Status::Abandoned)], &lib);
        assert!(p.weakest.is_none());
        assert!(p.series.is_empty() && p.per_scenario.is_empty());
    }
}
