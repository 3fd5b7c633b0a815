//! Checks a parsed scenario for everything a trainer could get wrong that
//! the file format itself cannot catch. Errors make a scenario unplayable;
//! warnings point at weak content.

use super::analyze::analyze;
use super::diag::{Diagnostic, closest};
use super::engine::Script;
use super::flow::MAX_FLAGS;
use super::model::{Condition, FORMAT_VERSION, Scenario, Text};
use std::collections::{HashMap, HashSet};

struct Checker<'a> {
    file: &'a str,
    source: &'a str,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Locates a finding at the first place `needle` appears in the source
    /// after the text of `anchor` (a quoted id, usually), so a trainer lands
    /// on the right line.
    fn locate(&self, mut d: Diagnostic, anchor: Option<&str>, needle: Option<&str>) -> Diagnostic {
        let from = anchor.and_then(|a| self.source.find(a)).unwrap_or(0);
        let found = match needle {
            Some(n) => self.source[from..].find(n).map(|p| from + p),
            None => anchor.and_then(|a| self.source.find(a)),
        };
        if let Some(offset) = found {
            let before = &self.source[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            d = d.at(self.source, line, column);
        }
        d
    }

    fn error(&mut self, code: &'static str, path: String, message: String, anchor: Option<&str>, needle: Option<&str>) -> &mut Diagnostic {
        let d = self.locate(Diagnostic::error(code, self.file, message).path(path), anchor, needle);
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    fn warn(&mut self, code: &'static str, path: String, message: String, anchor: Option<&str>, needle: Option<&str>) -> &mut Diagnostic {
        let d = self.locate(Diagnostic::warning(code, self.file, message).path(path), anchor, needle);
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    fn text(&mut self, text: &Text, path: String, anchor: Option<&str>) {
        let (zh, en) = (text.zh.trim().is_empty(), text.en.trim().is_empty());
        if zh && en {
            self.error("empty-text", path, "this text is empty in both languages".into(), anchor, None);
        } else if zh {
            self.warn("missing-zh", path, "the Chinese text is missing".into(), anchor, Some(&text.en))
                .help = Some("add `zh: \"...\"`: trainees see Chinese first".into());
        } else if en {
            self.warn("missing-en", path, "the English text is missing".into(), anchor, Some(&text.zh))
                .help = Some("add `en: \"...\"` beside the Chinese".into());
        }
    }
}

fn quoted(id: &str) -> String {
    format!("\"{id}\"")
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn condition_flags<'a>(c: &'a Condition, out: &mut Vec<&'a str>) {
    match c {
        Condition::Flag(f) | Condition::NotFlag(f) => out.push(f),
        Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| condition_flags(c, out)),
        _ => {}
    }
}

fn condition_values(c: &Condition, out: &mut Vec<u8>) {
    match c {
        Condition::UpsetAtLeast(v) | Condition::UpsetBelow(v) | Condition::TrustAtLeast(v) | Condition::TrustBelow(v) => out.push(*v),
        Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| condition_values(c, out)),
        _ => {}
    }
}

/// All findings for `scenario`, errors and warnings, in file order where
/// possible. `source` is the file's text, used to locate findings.
pub fn validate(scenario: &Scenario, source: &str, file: &str) -> Vec<Diagnostic> {
    let mut ck = Checker { file, source, out: Vec::new() };
    let s = scenario;

    if s.format != FORMAT_VERSION {
        ck.error("format-version", "format".into(), format!("format version {} is not supported; this build reads version {FORMAT_VERSION}", s.format), None, Some("format"));
    }
    if !valid_id(&s.id) {
        ck.error("bad-id", "id".into(), format!("the scenario id \"{}\" must be letters, digits, _ or - only", s.id), None, Some("id"));
    }
    ck.text(&s.title, "title".into(), Some("title"));
    ck.text(&s.summary, "summary".into(), Some("summary"));
    for (i, o) in s.objectives.iter().enumerate() {
        ck.text(o, format!("objectives[{i}]"), Some("objectives"));
    }
    if s.minutes == 0 {
        ck.warn("no-duration", "minutes".into(), "estimated minutes is 0".into(), None, Some("minutes"));
    }
    ck.text(&s.citizen.name, "citizen.name".into(), Some("citizen"));
    ck.text(&s.citizen.situation, "citizen.situation".into(), Some("citizen"));
    for (name, value) in [("upset", s.citizen.mood.upset), ("trust", s.citizen.mood.trust)] {
        if value > 100 {
            ck.error("out-of-range", format!("citizen.mood.{name}"), format!("the starting {name} is {value}; moods run from 0 to 100"), Some("citizen"), Some(name));
        }
    }
    if s.citizen.disc.secondary == Some(s.citizen.disc.primary) {
        ck.warn("same-styles", "citizen.disc.secondary".into(), "the secondary DISC style is the same as the primary".into(), Some("citizen"), Some("secondary"));
    }

    // Ids and references.
    let mut targets: HashMap<&str, &'static str> = HashMap::new();
    for (t, turn) in s.turns.iter().enumerate() {
        if !valid_id(&turn.id) {
            ck.error("bad-id", format!("turns[{t}].id"), format!("the turn id \"{}\" must be letters, digits, _ or - only", turn.id), Some(&quoted(&turn.id)), None);
        }
        if targets.insert(&turn.id, "turn").is_some() {
            ck.error("duplicate-id", format!("turns[{t}].id"), format!("the id \"{}\" is used by more than one turn", turn.id), None, None);
        }
    }
    for (e, ending) in s.endings.iter().enumerate() {
        if let Some(kind) = targets.insert(&ending.id, "ending") {
            ck.error("duplicate-id", format!("endings[{e}].id"), format!("the id \"{}\" is used by an ending and by a {kind}", ending.id), None, None);
        }
        ck.text(&ending.text, format!("endings[{e}].text"), Some(&quoted(&ending.id)));
    }
    if s.turns.is_empty() {
        ck.error("no-turns", "turns".into(), "the scenario has no turns".into(), None, Some("turns"));
    }
    if s.endings.is_empty() {
        ck.error("no-endings", "endings".into(), "the scenario has no endings".into(), None, Some("endings"));
    }
    let all_targets: Vec<&str> = targets.keys().copied().collect();
    let check_target = |ck: &mut Checker, id: &str, path: String, anchor: &str| {
        if !targets.contains_key(id) {
            let d = ck.error("unknown-target", path, format!("no turn or ending has the id \"{id}\""), Some(anchor), Some(&quoted(id)));
            d.help = Some(match closest(id, all_targets.iter().copied()) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => "add a turn or ending with this id, or fix the reference".into(),
            });
        }
    };
    check_target(&mut ck, &s.start, "start".into(), "start");

    let mut flags_set: HashSet<&str> = HashSet::new();
    let mut flags_used: Vec<(&str, String, String)> = Vec::new();
    let mut route_conditions: Vec<&Condition> = Vec::new();
    for (r, route) in s.routes.iter().enumerate() {
        check_target(&mut ck, &route.to, format!("routes[{r}].to"), "routes");
        route_conditions.push(&route.when);
        let mut f = Vec::new();
        condition_flags(&route.when, &mut f);
        flags_used.extend(f.into_iter().map(|x| (x, format!("routes[{r}].when"), "routes".to_string())));
    }
    let mut any_red_flag = false;
    for (t, turn) in s.turns.iter().enumerate() {
        let tp = format!("turns[{t}]");
        let anchor = quoted(&turn.id);
        if turn.says.is_empty() {
            ck.error("no-line", format!("{tp}.says"), format!("turn \"{}\" gives the citizen nothing to say", turn.id), Some(&anchor), None);
        }
        for (l, line) in turn.says.iter().enumerate() {
            if line.variants.is_empty() {
                ck.error("no-variants", format!("{tp}.says[{l}].variants"), "this line has no wording".into(), Some(&anchor), Some("variants"));
            }
            for (v, text) in line.variants.iter().enumerate() {
                ck.text(text, format!("{tp}.says[{l}].variants[{v}]"), Some(&anchor));
            }
            let mut f = Vec::new();
            condition_flags(&line.when, &mut f);
            flags_used.extend(f.into_iter().map(|x| (x, format!("{tp}.says[{l}].when"), anchor.clone())));
        }
        if let Some(last) = turn.says.last()
            && last.when != Condition::Always
        {
            ck.warn("no-fallback-line", format!("{tp}.says"), format!("the last line of turn \"{}\" has a condition; when none holds, the last line is shown anyway", turn.id), Some(&anchor), Some("says"))
                .help = Some("end `says` with a line without `when`".into());
        }
        if let Some(cue) = &turn.cue {
            ck.text(cue, format!("{tp}.cue"), Some(&anchor));
        }
        match turn.time_limit {
            Some(0) => {
                ck.error("out-of-range", format!("{tp}.time_limit"), "a time limit of 0 seconds cannot be met".into(), Some(&anchor), Some("time_limit"));
            }
            Some(_) if s.channel == super::model::Channel::Counter => {
                ck.warn("counter-time-limit", format!("{tp}.time_limit"), "time limits are meant for hotline turns".into(), Some(&anchor), Some("time_limit"));
            }
            _ => {}
        }
        if turn.options.is_empty() {
            ck.error("no-options", format!("{tp}.options"), format!("turn \"{}\" has no options, so the encounter cannot go on", turn.id), Some(&anchor), None);
        } else if turn.options.len() < 2 {
            ck.warn("one-option", format!("{tp}.options"), format!("turn \"{}\" has only one option: the trainee has no choice", turn.id), Some(&anchor), None);
        }
        for (r, route) in turn.routes.iter().enumerate() {
            check_target(&mut ck, &route.to, format!("{tp}.routes[{r}].to"), &anchor);
            route_conditions.push(&route.when);
            let mut f = Vec::new();
            condition_flags(&route.when, &mut f);
            flags_used.extend(f.into_iter().map(|x| (x, format!("{tp}.routes[{r}].when"), anchor.clone())));
        }
        let mut option_ids = HashSet::new();
        for (o, option) in turn.options.iter().enumerate() {
            let op = format!("{tp}.options[{o}]");
            let oanchor = anchor.clone();
            if !option_ids.insert(option.id.as_str()) {
                ck.error("duplicate-id", format!("{op}.id"), format!("two options of turn \"{}\" have the id \"{}\"", turn.id, option.id), Some(&oanchor), Some(&quoted(&option.id)));
            }
            ck.text(&option.text, format!("{op}.text"), Some(&oanchor));
            if option.feedback.zh.trim().is_empty() && option.feedback.en.trim().is_empty() {
                ck.error("no-feedback", format!("{op}.feedback"), format!("option \"{}\" has no feedback for the debrief", option.id), Some(&oanchor), Some(&quoted(&option.id)));
            } else {
                ck.text(&option.feedback, format!("{op}.feedback"), Some(&oanchor));
            }
            if option.evidence.is_empty() {
                ck.warn("no-evidence", format!("{op}.evidence"), format!("option \"{}\" carries no rubric evidence, so it cannot be scored", option.id), Some(&oanchor), Some(&quoted(&option.id)));
            }
            for (item, level) in &option.evidence {
                if *level > 3 {
                    ck.error("out-of-range", format!("{op}.evidence.{item:?}"), format!("{item:?}: {level} is not a level; levels run 0 harmful, 1 missed, 2 adequate, 3 exemplary"), Some(&oanchor), Some(&format!("{item:?}")));
                }
            }
            for (name, fit) in [("d", option.fit.d), ("i", option.fit.i), ("s", option.fit.s), ("c", option.fit.c)] {
                if !(-2..=2).contains(&fit) {
                    ck.error("out-of-range", format!("{op}.fit.{name}"), format!("a DISC fit of {fit} is out of range: use -2 (a trigger) to 2 (a perfect match)"), Some(&oanchor), Some("fit"));
                }
            }
            any_red_flag |= option.red_flag.is_some();
            flags_set.extend(option.set.iter().map(String::as_str));
            check_target(&mut ck, &option.next, format!("{op}.next"), &oanchor);
            for (r, route) in option.routes.iter().enumerate() {
                check_target(&mut ck, &route.to, format!("{op}.routes[{r}].to"), &oanchor);
                route_conditions.push(&route.when);
                let mut f = Vec::new();
                condition_flags(&route.when, &mut f);
                flags_used.extend(f.into_iter().map(|x| (x, format!("{op}.routes[{r}].when"), oanchor.clone())));
            }
            if let Some(better) = &option.better {
                if better == &option.id {
                    ck.warn("better-is-self", format!("{op}.better"), format!("option \"{}\" names itself as the better option", option.id), Some(&oanchor), Some("better"));
                } else if !turn.options.iter().any(|x| &x.id == better) {
                    let ids: Vec<&str> = turn.options.iter().map(|x| x.id.as_str()).collect();
                    let d = ck.error("unknown-option", format!("{op}.better"), format!("turn \"{}\" has no option \"{better}\"", turn.id), Some(&oanchor), Some(&quoted(better)));
                    d.help = Some(match closest(better, ids.iter().copied()) {
                        Some(best) => format!("did you mean \"{best}\"?"),
                        None => format!("options of this turn: {}", ids.join(", ")),
                    });
                }
            }
        }
    }
    for condition in route_conditions {
        let mut values = Vec::new();
        condition_values(condition, &mut values);
        for v in values.into_iter().filter(|v| *v > 100) {
            ck.error("out-of-range", String::new(), format!("a condition compares with {v}, but moods run from 0 to 100"), None, Some(&v.to_string()));
        }
    }
    for (flag, path, anchor) in &flags_used {
        if !flags_set.contains(flag) {
            ck.warn("flag-never-set", path.clone(), format!("the flag \"{flag}\" is tested but no option sets it"), Some(anchor), Some(&quoted(flag)));
        }
    }
    let distinct_flags: HashSet<&str> = flags_set.iter().copied().chain(flags_used.iter().map(|f| f.0)).collect();
    if distinct_flags.len() > MAX_FLAGS {
        ck.error("too-many-flags", String::new(), format!("the scenario uses {} flags; at most {MAX_FLAGS} are supported", distinct_flags.len()), None, None);
    }
    if !any_red_flag && !s.turns.is_empty() {
        ck.warn("no-red-flag-trap", "turns".into(), "no option carries a red flag: trainees never meet a trap to avoid".into(), None, Some("turns"))
            .help = Some("add a tempting wrong answer with `red_flag: PushingAway` (or another red flag)".into());
    }

    if ck.out.iter().any(Diagnostic::is_error) {
        return ck.out;
    }
    // The scenario is well formed: explore it for what only play reveals.
    let script = match Script::new(scenario.clone()) {
        Ok(script) => script,
        Err(e) => {
            ck.error("unresolvable", String::new(), e.to_string(), None, None);
            return ck.out;
        }
    };
    match analyze(&script) {
        Err(e) => {
            ck.warn("not-analysed", String::new(), e.to_string(), None, None);
        }
        Ok(analysis) => {
            for (t, reached) in analysis.reachable_turns.iter().enumerate() {
                if !reached {
                    let id = &s.turns[t].id;
                    ck.warn("unreachable-turn", format!("turns[{t}]"), format!("turn \"{id}\" can never be reached"), Some(&quoted(id)), None);
                }
            }
            for (e, reached) in analysis.reachable_endings.iter().enumerate() {
                if !reached {
                    let id = &s.endings[e].id;
                    ck.warn("unreachable-ending", format!("endings[{e}]"), format!("ending \"{id}\" is never reached"), None, Some(&quoted(id)));
                }
            }
            for &t in &analysis.stuck_turns {
                let id = &s.turns[t].id;
                ck.error("no-way-out", format!("turns[{t}]"), format!("from turn \"{id}\" the encounter can go round without ever reaching an ending"), Some(&quoted(id)), None);
            }
            if analysis.passing_route.is_none() && !s.endings.is_empty() {
                ck.warn("no-passing-route", String::new(), "no route through the scenario passes: even the best answers score below the pass mark".into(), None, None)
                    .help = Some("run `counterpart analyze` on the file to see the best route and its scores".into());
            }
        }
    }
    ck.out
}
