//! The city profile beside a scenario folder (`city/profile.ron`): the one
//! place local figures live. Scenarios cite its rules by id and say their
//! values; validation checks both, so a centre that replaces the figures
//! with its own sees every scenario that still says the old ones.

use crate::scenario::diag::Diagnostic;
use crate::scenario::model::{CityProfile, Scenario, Text};
use crate::scenario::parse::parse_ron_bytes;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where the profile sits, relative to the folder of scenario files.
pub(crate) const PROFILE_PATH: &str = "city/profile.ron";

/// The words that mark a figure as local in a scenario's text.
pub(crate) const LOCAL_MARKER: &str = "按本市规定";

/// The city profile as the files of one folder see it.
#[derive(Debug, Clone)]
pub(crate) enum CityRules {
    /// No profile file beside the scenarios.
    Absent { expected: PathBuf },
    Loaded { profile: CityProfile },
    /// The profile exists but cannot be read or parsed, or is inconsistent.
    Broken(Vec<Diagnostic>),
}

impl CityRules {
    /// The profile of the folder holding `scenario_file`.
    pub fn for_file(scenario_file: &Path) -> CityRules {
        CityRules::for_folder(scenario_file.parent().unwrap_or(Path::new(".")))
    }

    /// The profile of a folder of scenario files, or when it has none of
    /// its own, the profile of `shared` (the bundled library's): a trainers'
    /// folder holds scenarios, not a second copy of the city's figures.
    pub(crate) fn for_folder_or(folder: &Path, shared: Option<&Path>) -> CityRules {
        match (CityRules::for_folder(folder), shared) {
            (CityRules::Absent { expected }, Some(shared)) => match CityRules::for_folder(shared) {
                CityRules::Absent { .. } => CityRules::Absent { expected },
                borrowed => borrowed,
            },
            (own, _) => own,
        }
    }

    /// The profile of a folder of scenario files.
    pub(crate) fn for_folder(folder: &Path) -> CityRules {
        let path = folder.join(PROFILE_PATH);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return CityRules::Absent { expected: path },
            Err(e) => {
                let file = path.to_string_lossy();
                return CityRules::Broken(vec![
                    Diagnostic::error("unreadable", &file, format!("cannot read the city profile: {e}")).zh(format!("无法读取城市配置：{e}"), None),
                ]);
            }
        };
        let file = path.to_string_lossy().into_owned();
        match parse_ron_bytes::<CityProfile>(&bytes, &file) {
            Ok(profile) => {
                let problems = check_profile(&profile, &file, &String::from_utf8_lossy(&bytes));
                if problems.is_empty() { CityRules::Loaded { profile } } else { CityRules::Broken(problems) }
            }
            Err(d) => CityRules::Broken(vec![d]),
        }
    }

}

/// A profile is broken when two rules share an id or a rule says no value:
/// a scenario citing it could not be checked.
fn check_profile(profile: &CityProfile, file: &str, source: &str) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, rule) in profile.rules.iter().enumerate() {
        let occurrence = seen.entry(rule.id.as_str()).and_modify(|n| *n += 1).or_insert(1);
        let place = |d: Diagnostic| match nth_line_col(source, &format!("\"{}\"", rule.id), *occurrence) {
            Some((line, column)) => d.at(source, line, column),
            None => d,
        };
        if *occurrence > 1 {
            out.push(place(
                Diagnostic::error("duplicate-rule-id", file, format!("the city profile has two rules with the id \"{}\"", rule.id))
                    .zh(format!("城市配置里有两条规定的编号都是 \"{}\"", rule.id), Some("每条规定都要有自己的编号".into()))
                    .path(format!("rules[{i}].id"))
                    .help("give every rule its own id"),
            ));
        }
        if rule.value.zh.trim().is_empty() {
            out.push(place(
                Diagnostic::error("empty-rule-value", file, format!("the rule \"{}\" has no Chinese value: scenarios could not be checked against it", rule.id))
                    .zh(
                        format!("规定 \"{}\" 没有写中文数值：场景没法拿它来核对", rule.id),
                        Some("按场景里的说法写出数值，例如 value: (zh: \"5个工作日\", en: \"5 working days\")".into()),
                    )
                    .path(format!("rules[{i}].value"))
                    .help("write the figure as scenarios say it, e.g. value: (zh: \"5个工作日\", en: \"5 working days\")"),

            ));
        }
    }
    out
}

/// Line and column (1-based, in characters) of the `n`th occurrence of `needle`.
fn nth_line_col(source: &str, needle: &str, n: usize) -> Option<(usize, usize)> {
    let (offset, _) = source.match_indices(needle).nth(n.checked_sub(1)?)?;
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

/// Every text of a scenario that a trainee may see or hear, Chinese side.
pub(crate) fn scenario_texts(s: &Scenario) -> Vec<&Text> {
    let mut texts = vec![&s.title, &s.summary, &s.citizen.situation];
    texts.extend(&s.objectives);
    for turn in &s.turns {
        texts.extend(turn.says.iter().flat_map(|l| &l.variants));
        texts.extend(turn.cue.as_ref());
        for option in &turn.options {
            texts.push(&option.text);
            texts.push(&option.feedback);
        }
    }
    texts.extend(s.endings.iter().map(|e| &e.text));
    texts
}
