//! Checks a parsed scenario for everything a trainer could get wrong that
//! the file format itself cannot catch. Errors make a scenario unplayable;
//! warnings point at weak content.

use crate::analysis::analyze::{Analysis, AnalyzeError, analyze_personas};
use crate::analysis::gameability;
use crate::library::city::{CityRules, LOCAL_MARKER, PROFILE_PATH, scenario_texts};
use crate::scenario::diag::{Diagnostic, closest};
use crate::play::engine::Script;
use crate::play::flow::MAX_FLAGS;
use crate::scenario::model::{Condition, FORMAT_VERSION, MAIN_PERSONA, Scenario, Text};
use crate::play::rubric::MAX_CLAIMED_ITEMS;
use std::collections::{HashMap, HashSet};

struct Checker<'a> {
    file: &'a str,
    source: &'a str,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Locates a finding: each of `anchors` (a quoted id or a field name) is
    /// found in turn, each after the previous one, preferring the place
    /// where it is declared (`id: "x"`, `name:`) over mere mentions; then
    /// `needle` is found after the last anchor. A trainer lands on the line
    /// at fault rather than on the first mention of the same word.
    fn locate(&self, mut d: Diagnostic, anchors: &[&str], needle: Option<&str>) -> Diagnostic {
        let mut from = 0;
        let mut anchored = None;
        for anchor in anchors {
            if let Some(at) = find_declared(self.source, from, anchor) {
                from = at;
                anchored = Some(at);
            }
        }
        let found = match needle {
            Some(n) => find_declared(self.source, from, n).or(anchored),
            None => anchored,
        };
        if let Some(offset) = found {
            let before = &self.source[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            d = d.at(self.source, line, column);
        }
        d
    }

    fn error(&mut self, code: &'static str, path: String, message: String, anchors: &[&str], needle: Option<&str>) -> &mut Diagnostic {
        let d = self.locate(Diagnostic::error(code, self.file, message).path(path), anchors, needle);
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    fn warn(&mut self, code: &'static str, path: String, message: String, anchors: &[&str], needle: Option<&str>) -> &mut Diagnostic {
        let d = self.locate(Diagnostic::warning(code, self.file, message).path(path), anchors, needle);
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    fn text(&mut self, text: &Text, path: String, anchors: &[&str]) {
        let (zh, en) = (text.zh.trim().is_empty(), text.en.trim().is_empty());
        if zh && en {
            self.error("empty-text", path, "this text is empty in both languages".into(), anchors, None);
        } else if zh {
            self.warn("missing-zh", path, "the Chinese text is missing".into(), anchors, Some(&text.en))
                .help = Some("add `zh: \"...\"`: trainees see Chinese first".into());
        } else if en {
            self.warn("missing-en", path, "the English text is missing".into(), anchors, Some(&text.zh))
                .help = Some("add `en: \"...\"` beside the Chinese".into());
        }
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first place at or after `from` where `word` occurs as a declaration:
/// a quoted id after `id:`, or a field name followed by `:`; failing that,
/// as a whole word; failing that, anywhere. Comments are not skipped, but a
/// declaration is preferred, which is what comments rarely contain.
fn find_declared(source: &str, from: usize, word: &str) -> Option<usize> {
    if word.is_empty() || from > source.len() {
        return None;
    }
    let rest = &source[from..];
    let hits: Vec<usize> = rest.match_indices(word).map(|(i, _)| from + i).collect();
    let whole = |&at: &usize| {
        let before = source[..at].chars().next_back();
        let after = source[at + word.len()..].chars().next();
        let edge_ok = |c: Option<char>, inner: Option<char>| match (c, inner) {
            (Some(c), Some(i)) if is_word(i) => !is_word(c),
            _ => true,
        };
        edge_ok(before, word.chars().next()) && edge_ok(after, word.chars().next_back())
    };
    let declared = |&at: &usize| {
        if word.starts_with('"') {
            let before = source[..at].trim_end();
            before.strip_suffix(':').is_some_and(|b| b.trim_end().ends_with("id"))
        } else {
            source[at + word.len()..].trim_start().starts_with(':')
        }
    };
    hits.iter()
        .copied()
        .find(|at| whole(at) && declared(at))
        .or_else(|| hits.iter().copied().find(|at| whole(at)))
        .or_else(|| hits.first().copied())
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

fn condition_personas<'a>(c: &'a Condition, out: &mut Vec<&'a str>) {
    match c {
        Condition::Persona(p) => out.push(p),
        Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| condition_personas(c, out)),
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
    check(scenario.clone(), source, file, None).findings
}

/// What validating a scenario produced: the findings, and when it is well
/// formed the script and every persona's analysis, kept so that loading
/// neither resolves nor analyses the scenario a second time.
pub(crate) struct Checked {
    pub findings: Vec<Diagnostic>,
    pub script: Option<std::sync::Arc<Script>>,
    pub analyses: Option<Result<Vec<Analysis>, AnalyzeError>>,
}

/// `city` is the profile beside the file; None skips the local-rule checks
/// (a scenario judged on its own, away from any library).
pub(crate) fn check(scenario: Scenario, source: &str, file: &str, city: Option<&CityRules>) -> Checked {
    let mut ck = Checker { file, source, out: Vec::new() };
    let scenario = &scenario;
    let s = scenario;

    if s.format != FORMAT_VERSION {
        ck.error("format-version", "format".into(), format!("format version {} is not supported; this build reads version {FORMAT_VERSION}", s.format), &[], Some("format"));
    }
    if !valid_id(&s.id) {
        ck.error("bad-id", "id".into(), format!("the scenario id \"{}\" must be letters, digits, _ or - only", s.id), &[], Some("id"));
    }
    ck.text(&s.title, "title".into(), &["title"]);
    ck.text(&s.summary, "summary".into(), &["summary"]);
    for (i, o) in s.objectives.iter().enumerate() {
        ck.text(o, format!("objectives[{i}]"), &["objectives"]);
    }
    if s.minutes == 0 {
        ck.warn("no-duration", "minutes".into(), "estimated minutes is 0".into(), &[], Some("minutes"));
    }
    ck.text(&s.citizen.name, "citizen.name".into(), &["citizen"]);
    ck.text(&s.citizen.situation, "citizen.situation".into(), &["citizen"]);
    for (name, value) in [("upset", s.citizen.mood.upset), ("trust", s.citizen.mood.trust)] {
        if value > 100 {
            ck.error("out-of-range", format!("citizen.mood.{name}"), format!("the starting {name} is {value}; moods run from 0 to 100"), &["citizen"], Some(name));
        }
    }
    if s.citizen.disc.secondary == Some(s.citizen.disc.primary) {
        ck.warn("same-styles", "citizen.disc.secondary".into(), "the secondary DISC style is the same as the primary".into(), &["citizen"], Some("secondary"));
    }
    let mut persona_ids: Vec<&str> = vec![MAIN_PERSONA];
    if let Some(personas) = &s.citizen.personas {
        if personas.is_empty() {
            ck.error("no-personas", "citizen.personas".into(), "the persona list is empty".into(), &["citizen", "personas"], None)
                .help = Some("list at least one other persona, or remove `personas:` to play only the main one".into());
        }
        let mut blends = vec![(s.citizen.disc, MAIN_PERSONA.to_string())];
        for (p, persona) in personas.iter().enumerate() {
            let pp = format!("citizen.personas[{p}]");
            let anchor = quoted(&persona.id);
            let anchors = ["citizen", "personas", anchor.as_str()];
            if !valid_id(&persona.id) {
                ck.error("bad-id", format!("{pp}.id"), format!("the persona id \"{}\" must be letters, digits, _ or - only", persona.id), &anchors, None);
            }
            if persona_ids.contains(&persona.id.as_str()) {
                let message = if persona.id == MAIN_PERSONA {
                    format!("the persona id \"{MAIN_PERSONA}\" is taken by the citizen's own `disc` and `mood`")
                } else {
                    format!("two personas have the id \"{}\"", persona.id)
                };
                ck.error("duplicate-id", format!("{pp}.id"), message, &anchors, None);
            }
            persona_ids.push(&persona.id);
            if let Some((_, other)) = blends.iter().find(|(b, _)| *b == persona.disc) {
                ck.error(
                    "duplicate-persona",
                    format!("{pp}.disc"),
                    format!("persona \"{}\" has the same DISC blend as persona \"{other}\"", persona.id),
                    &anchors,
                    Some("disc"),
                )
                .help = Some("a persona is another way the citizen may be played: give it another primary or secondary style".into());
            }
            blends.push((persona.disc, persona.id.clone()));
            if persona.disc.secondary == Some(persona.disc.primary) {
                ck.warn("same-styles", format!("{pp}.disc.secondary"), "the secondary DISC style is the same as the primary".into(), &anchors, Some("secondary"));
            }
            if let Some(mood) = persona.mood {
                for (name, value) in [("upset", mood.upset), ("trust", mood.trust)] {
                    if value > 100 {
                        ck.error("out-of-range", format!("{pp}.mood.{name}"), format!("the starting {name} is {value}; moods run from 0 to 100"), &anchors, Some(name));
                    }
                }
            }
            ck.text(&persona.label, format!("{pp}.label"), &anchors);
        }
    }

    // Ids and references.
    let mut targets: HashMap<&str, &'static str> = HashMap::new();
    for (t, turn) in s.turns.iter().enumerate() {
        if !valid_id(&turn.id) {
            ck.error("bad-id", format!("turns[{t}].id"), format!("the turn id \"{}\" must be letters, digits, _ or - only", turn.id), &[&quoted(&turn.id)], None);
        }
        if targets.insert(&turn.id, "turn").is_some() {
            let earlier = s.turns[..t].iter().filter(|x| x.id == turn.id).count();
            let anchors = vec![quoted(&turn.id); earlier + 1];
            let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
            ck.error("duplicate-id", format!("turns[{t}].id"), format!("the id \"{}\" is used by more than one turn", turn.id), &anchors, None)
                .help = Some("every turn and ending needs its own id; rename one and update the `next` and `to` that mean it".into());
        }
    }
    for (e, ending) in s.endings.iter().enumerate() {
        if let Some(kind) = targets.insert(&ending.id, "ending") {
            ck.error("duplicate-id", format!("endings[{e}].id"), format!("the id \"{}\" is used by an ending and by a {kind}", ending.id), &["endings", &quoted(&ending.id)], None)
                .help = Some("every turn and ending needs its own id".into());
        }
        ck.text(&ending.text, format!("endings[{e}].text"), &["endings", &quoted(&ending.id)]);
    }
    if s.turns.is_empty() {
        ck.error("no-turns", "turns".into(), "the scenario has no turns".into(), &[], Some("turns"));
    }
    if s.endings.is_empty() {
        ck.error("no-endings", "endings".into(), "the scenario has no endings".into(), &[], Some("endings"));
    }
    let all_targets: Vec<&str> = targets.keys().copied().collect();
    let check_target = |ck: &mut Checker, id: &str, path: String, anchors: &[&str]| {
        if !targets.contains_key(id) {
            let d = ck.error("unknown-target", path, format!("no turn or ending has the id \"{id}\""), anchors, Some(&quoted(id)));
            d.help = Some(match closest(id, all_targets.iter().copied()) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => "add a turn or ending with this id, or fix the reference".into(),
            });
        }
    };
    check_target(&mut ck, &s.start, "start".into(), &["start"]);

    let mut flags_set: HashSet<&str> = HashSet::new();
    let mut flags_used: Vec<(&str, String, Vec<String>)> = Vec::new();
    let mut route_conditions: Vec<&Condition> = Vec::new();
    for (r, route) in s.routes.iter().enumerate() {
        check_target(&mut ck, &route.to, format!("routes[{r}].to"), &["routes"]);
        route_conditions.push(&route.when);
        let mut f = Vec::new();
        condition_flags(&route.when, &mut f);
        flags_used.extend(f.into_iter().map(|x| (x, format!("routes[{r}].when"), vec!["routes".to_string()])));
    }
    let mut any_red_flag = false;
    let mut personas_used: Vec<(&str, String, Vec<String>)> = Vec::new();
    for (r, route) in s.routes.iter().enumerate() {
        let mut p = Vec::new();
        condition_personas(&route.when, &mut p);
        personas_used.extend(p.into_iter().map(|x| (x, format!("routes[{r}].when"), vec!["routes".to_string()])));
    }
    for (t, turn) in s.turns.iter().enumerate() {
        let tp = format!("turns[{t}]");
        let anchor = quoted(&turn.id);
        if turn.says.is_empty() {
            ck.error("no-line", format!("{tp}.says"), format!("turn \"{}\" gives the citizen nothing to say", turn.id), &[&anchor], None);
        }
        for (l, line) in turn.says.iter().enumerate() {
            if line.variants.is_empty() {
                ck.error("no-variants", format!("{tp}.says[{l}].variants"), "this line has no wording".into(), &[&anchor], Some("variants"));
            }
            for (v, text) in line.variants.iter().enumerate() {
                ck.text(text, format!("{tp}.says[{l}].variants[{v}]"), &[&anchor]);
            }
            let mut f = Vec::new();
            condition_flags(&line.when, &mut f);
            flags_used.extend(f.into_iter().map(|x| (x, format!("{tp}.says[{l}].when"), vec![anchor.clone()])));
            let mut p = Vec::new();
            condition_personas(&line.when, &mut p);
            personas_used.extend(p.into_iter().map(|x| (x, format!("{tp}.says[{l}].when"), vec![anchor.clone()])));
        }
        if let Some(last) = turn.says.last()
            && last.when != Condition::Always
        {
            ck.warn("no-fallback-line", format!("{tp}.says"), format!("the last line of turn \"{}\" has a condition; when none holds, the last line is shown anyway", turn.id), &[&anchor], Some("says"))
                .help = Some("end `says` with a line without `when`".into());
        }
        if let Some(cue) = &turn.cue {
            ck.text(cue, format!("{tp}.cue"), &[&anchor]);
        }
        match turn.time_limit {
            Some(0) => {
                ck.error("out-of-range", format!("{tp}.time_limit"), "a time limit of 0 seconds cannot be met".into(), &[&anchor], Some("time_limit"));
            }
            Some(_) if s.channel == crate::scenario::model::Channel::Counter => {
                ck.warn("counter-time-limit", format!("{tp}.time_limit"), "time limits are meant for hotline turns".into(), &[&anchor], Some("time_limit"));
            }
            _ => {}
        }
        if turn.options.is_empty() {
            ck.error("no-options", format!("{tp}.options"), format!("turn \"{}\" has no options, so the encounter cannot go on", turn.id), &[&anchor], None);
        } else if turn.options.len() < 2 {
            ck.warn("one-option", format!("{tp}.options"), format!("turn \"{}\" has only one option: the trainee has no choice", turn.id), &[&anchor], None);
        }
        for (r, route) in turn.routes.iter().enumerate() {
            check_target(&mut ck, &route.to, format!("{tp}.routes[{r}].to"), &[&anchor]);
            route_conditions.push(&route.when);
            let mut f = Vec::new();
            condition_flags(&route.when, &mut f);
            flags_used.extend(f.into_iter().map(|x| (x, format!("{tp}.routes[{r}].when"), vec![anchor.clone()])));
            let mut p = Vec::new();
            condition_personas(&route.when, &mut p);
            personas_used.extend(p.into_iter().map(|x| (x, format!("{tp}.routes[{r}].when"), vec![anchor.clone()])));
        }
        let mut option_ids = HashSet::new();
        for (o, option) in turn.options.iter().enumerate() {
            let op = format!("{tp}.options[{o}]");
            let oanchor = quoted(&option.id);
            if !option_ids.insert(option.id.as_str()) {
                ck.error("duplicate-id", format!("{op}.id"), format!("two options of turn \"{}\" have the id \"{}\"", turn.id, option.id), &[&anchor, &oanchor], Some(&quoted(&option.id)));
            }
            ck.text(&option.text, format!("{op}.text"), &[&anchor, &oanchor]);
            if option.feedback.zh.trim().is_empty() && option.feedback.en.trim().is_empty() {
                ck.error("no-feedback", format!("{op}.feedback"), format!("option \"{}\" has no feedback for the debrief", option.id), &[&anchor, &oanchor], Some(&quoted(&option.id)));
            } else {
                ck.text(&option.feedback, format!("{op}.feedback"), &[&anchor, &oanchor]);
            }
            if option.evidence.is_empty() {
                ck.warn("no-evidence", format!("{op}.evidence"), format!("option \"{}\" carries no rubric evidence, so it cannot be scored", option.id), &[&anchor, &oanchor], Some(&quoted(&option.id)));
            }
            let claimed = crate::play::flow::claimed_items(option);
            if claimed > MAX_CLAIMED_ITEMS {
                ck.warn(
                    "over-claiming",
                    format!("{op}.evidence"),
                    format!("option \"{}\" claims {claimed} rubric items at once (at most {MAX_CLAIMED_ITEMS}): it scores as over-talking", option.id),
                    &[&anchor, &oanchor],
                    Some("evidence"),
                )
                .help = Some("a good reply is one turn of a conversation: keep the one or two things this answer does best, and let later turns do the rest".into());
            }
            for (item, level) in &option.evidence {
                if *level > 3 {
                    ck.error("out-of-range", format!("{op}.evidence.{item:?}"), format!("{item:?}: {level} is not a level; levels run 0 harmful, 1 missed, 2 adequate, 3 exemplary"), &[&anchor, &oanchor], Some(&format!("{item:?}")));
                }
            }
            for (name, fit) in [("d", option.fit.d), ("i", option.fit.i), ("s", option.fit.s), ("c", option.fit.c)] {
                if !(-2..=2).contains(&fit) {
                    ck.error("out-of-range", format!("{op}.fit.{name}"), format!("a DISC fit of {fit} is out of range: use -2 (a trigger) to 2 (a perfect match)"), &[&anchor, &oanchor], Some("fit"));
                }
            }
            any_red_flag |= option.red_flag.is_some();
            flags_set.extend(option.set.iter().map(String::as_str));
            check_target(&mut ck, &option.next, format!("{op}.next"), &[&anchor, &oanchor]);
            for (r, route) in option.routes.iter().enumerate() {
                check_target(&mut ck, &route.to, format!("{op}.routes[{r}].to"), &[&anchor, &oanchor]);
                route_conditions.push(&route.when);
                let mut f = Vec::new();
                condition_flags(&route.when, &mut f);
                flags_used.extend(f.into_iter().map(|x| (x, format!("{op}.routes[{r}].when"), vec![anchor.clone(), oanchor.clone()])));
                let mut p = Vec::new();
                condition_personas(&route.when, &mut p);
                personas_used.extend(p.into_iter().map(|x| (x, format!("{op}.routes[{r}].when"), vec![anchor.clone(), oanchor.clone()])));
            }
            if let Some(better) = &option.better {
                if better == &option.id {
                    ck.warn("better-is-self", format!("{op}.better"), format!("option \"{}\" names itself as the better option", option.id), &[&anchor, &oanchor], Some("better"));
                } else if !turn.options.iter().any(|x| &x.id == better) {
                    let ids: Vec<&str> = turn.options.iter().map(|x| x.id.as_str()).collect();
                    let d = ck.error("unknown-option", format!("{op}.better"), format!("turn \"{}\" has no option \"{better}\"", turn.id), &[&anchor, &oanchor], Some(&quoted(better)));
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
            ck.error("out-of-range", String::new(), format!("a condition compares with {v}, but moods run from 0 to 100"), &[], Some(&v.to_string()));
        }
    }
    for (flag, path, anchors) in &flags_used {
        if !flags_set.contains(flag) {
            let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
            let d = ck.warn("flag-never-set", path.clone(), format!("the flag \"{flag}\" is tested but no option sets it"), &anchors, Some(&quoted(flag)));
            d.help = Some(match closest(flag, flags_set.iter().copied()) {
                Some(best) => format!("did you mean \"{best}\"? (set by an option's `set: [...]`)"),
                None => "add the flag to some option's `set: [...]`, or remove the condition".into(),
            });
        }
    }
    for (persona, path, anchors) in &personas_used {
        if !persona_ids.contains(persona) {
            let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
            let d = ck.error("unknown-persona", path.clone(), format!("the condition names the persona \"{persona}\", which the citizen does not have"), &anchors, Some(&quoted(persona)));
            d.help = Some(match closest(persona, persona_ids.iter().copied()) {
                Some(best) => format!("did you mean \"{best}\"? (personas: {})", persona_ids.join(", ")),
                None => format!("personas of this citizen: {}", persona_ids.join(", ")),
            });
        }
    }
    let distinct_flags: HashSet<&str> = flags_set.iter().copied().chain(flags_used.iter().map(|f| f.0)).collect();
    if distinct_flags.len() > MAX_FLAGS {
        ck.error("too-many-flags", String::new(), format!("the scenario uses {} flags; at most {MAX_FLAGS} are supported", distinct_flags.len()), &[], None);
    }
    if !any_red_flag && !s.turns.is_empty() {
        ck.warn("no-red-flag-trap", "turns".into(), "no option carries a red flag: trainees never meet a trap to avoid".into(), &[], Some("turns"))
            .help = Some("add a tempting wrong answer with `red_flag: PushingAway` (or another red flag)".into());
    }

    if let Some(city) = city {
        local_rules(&mut ck, s, city);
    }
    work_order_refs(&mut ck, s, city);
    protocol_refs(&mut ck, s);
    placeholders(&mut ck);

    if ck.out.iter().any(Diagnostic::is_error) {
        return Checked { findings: ck.out, script: None, analyses: None };
    }
    // The scenario is well formed: explore it for what only play reveals.
    let script = match Script::new(scenario.clone()) {
        Ok(script) => script,
        Err(e) => {
            ck.error("unresolvable", String::new(), e.to_string(), &[], None);
            return Checked { findings: ck.out, script: None, analyses: None };
        }
    };
    let analysed = analyze_personas(&script);
    match &analysed {
        Err(e) => {
            ck.warn("not-analysed", String::new(), e.to_string(), &[], None);
        }
        Ok(analyses) => {
            let names: Vec<String> = s.citizen.all_personas().into_iter().map(|p| p.id).collect();
            let mut analysis = analyses[0].clone();
            for other in &analyses[1..] {
                for (mine, theirs) in analysis.reachable_turns.iter_mut().zip(&other.reachable_turns) {
                    *mine |= theirs;
                }
                for (mine, theirs) in analysis.reachable_endings.iter_mut().zip(&other.reachable_endings) {
                    *mine |= theirs;
                }
                analysis.stuck_turns.extend(&other.stuck_turns);
            }
            analysis.stuck_turns.sort_unstable();
            analysis.stuck_turns.dedup();
            for (t, reached) in analysis.reachable_turns.iter().enumerate() {
                if !reached {
                    let id = &s.turns[t].id;
                    ck.warn("unreachable-turn", format!("turns[{t}]"), format!("turn \"{id}\" can never be reached"), &[&quoted(id)], None);
                }
            }
            for (e, reached) in analysis.reachable_endings.iter().enumerate() {
                if !reached {
                    let id = &s.endings[e].id;
                    ck.warn("unreachable-ending", format!("endings[{e}]"), format!("ending \"{id}\" is never reached"), &["endings", &quoted(id)], None);
                }
            }
            route_findings(&mut ck, s, analyses, &analysis.reachable_turns);
            for &t in &analysis.stuck_turns {
                let id = &s.turns[t].id;
                ck.error("no-way-out", format!("turns[{t}]"), format!("from turn \"{id}\" the encounter can go round without ever reaching an ending"), &[&quoted(id)], None);
            }
            for one in analyses {
                if one.passing_route.is_none() && !s.endings.is_empty() {
                    let who = if analyses.len() > 1 { format!(" as persona \"{}\"", names[one.persona]) } else { String::new() };
                    ck.warn("no-passing-route", String::new(), format!("no route through the scenario passes{who}: even the best answers score below the pass mark, end in a breakdown or leave the citizen dissatisfied"), &[], Some("turns"))
                        .help = Some("run `counterpart analyze` on the file to see the best route, its scores and the citizen's rating".into());
                }
            }
            let breakdown = s.endings.iter().zip(&analysis.reachable_endings).any(|(e, r)| *r && e.outcome.is_breakdown());
            if !breakdown && !s.endings.is_empty() {
                ck.warn("no-breakdown-ending", "endings".into(), "no route ends in a hang-up, walk-out or formal complaint: trainees never see service break down".into(), &["endings"], None)
                    .help = Some("add an ending with `outcome: HungUp` (hotline), `WalkedOut` (counter) or `FormalComplaint`, reached when the citizen's upset climbs too high".into());
            }
            for finding in gameability::check(&script, &analyses).findings {
                let mut anchors: Vec<String> = Vec::new();
                if let Some(turn) = &finding.turn {
                    anchors.push(quoted(turn));
                }
                anchors.extend(finding.options.iter().map(|o| quoted(o)));
                let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
                // A finding about the whole scenario is shown at its turns.
                let needle = anchors.is_empty().then_some("turns");
                let path = finding.turn.as_ref().and_then(|t| s.turns.iter().position(|x| &x.id == t)).map(|t| format!("turns[{t}]")).unwrap_or_default();
                ck.warn(finding.code, path, finding.message.en.clone(), &anchors, needle).help = Some(finding.help.en.clone());
            }
        }
    }
    if let Ok(analyses) = &analysed {
        work_order_reach(&mut ck, s, analyses);
        protocol_reach(&mut ck, s, analyses);
    }
    Checked { findings: ck.out, script: Some(script), analyses: Some(analysed) }
}

/// The scenario's local figures against the city profile: every cited rule
/// exists, its value is said somewhere, and a text marked 按本市规定 cites
/// at least one rule.
fn local_rules(ck: &mut Checker, s: &Scenario, city: &CityRules) {
    let texts = scenario_texts(s);
    if s.local_rules.is_empty() {
        if texts.iter().any(|t| t.zh.contains(LOCAL_MARKER)) {
            ck.warn(
                "local-rule-uncited",
                String::new(),
                format!("a text says {LOCAL_MARKER} but the scenario cites no rule of the city profile"),
                &[],
                Some(LOCAL_MARKER),
            )
            .help = Some(format!("add `local_rules: [\"rule-id\"],` naming the rules of {PROFILE_PATH} whose figures the scenario says"));
        }
        return;
    }
    let profile = match city {
        CityRules::Loaded { profile, .. } => profile,
        CityRules::Absent { expected } => {
            ck.warn("no-city-profile", "local_rules".into(), format!("the scenario cites local rules but there is no city profile at {}", expected.display()), &[], Some("local_rules"))
                .help = Some("put the city profile (city/profile.ron) beside the scenario files, or remove `local_rules`".into());
            return;
        }
        CityRules::Broken(problems) => {
            let first = problems.first().map(|d| format!("{}: {}", d.location(), d.message)).unwrap_or_default();
            ck.warn("city-profile-broken", "local_rules".into(), format!("the scenario's local rules cannot be checked: the city profile has errors ({first})"), &[], Some("local_rules"))
                .help = Some("run validate on the scenario folder to see the city profile's errors".into());
            return;
        }
    };
    let ids: Vec<&str> = profile.rules.iter().map(|r| r.id.as_str()).collect();
    for (i, id) in s.local_rules.iter().enumerate() {
        let path = format!("local_rules[{i}]");
        let Some(rule) = profile.rules.iter().find(|r| &r.id == id) else {
            let d = ck.error("unknown-local-rule", path, format!("the city profile has no rule \"{id}\""), &["local_rules", &quoted(id)], None);
            d.help = Some(match closest(id, ids.iter().copied()) {
                Some(near) => format!("did you mean \"{near}\"? The rules are listed in {PROFILE_PATH}"),
                None => format!("add the rule to {PROFILE_PATH}, or cite one of its rules"),
            });
            continue;
        };
        let value = rule.value.zh.trim();
        if !texts.iter().any(|t| t.zh.contains(value)) {
            ck.warn(
                "local-rule-not-said",
                path,
                format!("the scenario cites the local rule \"{id}\" ({}: {value}) but none of its texts says {value}", rule.title.zh),
                &["local_rules", &quoted(id)],
                None,
            )
            .help = Some(format!("say the figure as the city profile has it (\"{value}\"), or remove \"{id}\" from `local_rules`"));
        }
    }
}

// Work-order and notice truth (issue 14). Every bundled hotline scenario
// now states what the right record of the call is (an order, or no order),
// so a hotline scenario with neither is warned about (`work-order-missing`);
// counter scenarios are not yet (`no-notice` once they all have a notice).

/// The truth's references inside the scenario: fact ids, the turns and
/// lines that reveal them, the city-profile rule of the time limit.
/// Knowledge entries and categories live outside the file and are checked
/// by `library::knowledge` once the folder's knowledge base is loaded.
fn work_order_refs(ck: &mut Checker, s: &Scenario, city: Option<&CityRules>) {
    use crate::scenario::model::{Channel, Reveal};
    if let Some(notice) = &s.notice {
        if s.channel == Channel::Hotline {
            ck.warn("notice-on-hotline", "notice".into(), "a one-time notice is handed over at a counter; this is a hotline scenario".into(), &[], Some("notice"))
                .help = Some("give a hotline scenario `work_order: (...)` instead".into());
        }
        if notice.entries.is_empty() {
            ck.error("empty-notice", "notice.entries".into(), "the notice names no knowledge entries, so there is nothing to hand over".into(), &["notice"], Some("entries"));
        }
    }
    if let Some(none) = &s.no_order {
        if s.work_order.is_some() {
            ck.error("order-and-no-order", "no_order".into(), "the scenario says both what the work order is and that the call makes no order".into(), &[], Some("no_order"))
                .help = Some("keep `work_order` for a call that is dispatched, or `no_order` for a harassing or invalid call, not both".into());
        }
        if s.channel == Channel::Counter {
            ck.warn("work-order-on-counter", "no_order".into(), "how a call is logged is a hotline matter; this is a counter scenario".into(), &[], Some("no_order"))
                .help = Some("remove `no_order`, or give a counter scenario `notice: (...)`".into());
        }
        ck.text(&none.why, "no_order.why".into(), &["no_order", "why"]);
    }
    if s.channel == Channel::Hotline && s.work_order.is_none() && s.no_order.is_none() {
        ck.warn("work-order-missing", String::new(), "the scenario does not say what the right record of the call is, so the trainee's work order cannot be scored".into(), &[], Some("channel"))
            .help = Some("add `work_order: (...)` with the facts and the dispatch, or `no_order: (disposition: Harassing, why: ...)` for a call that makes no order (see docs/work-orders.md)".into());
    }
    let Some(truth) = &s.work_order else { return };
    if s.channel == Channel::Counter {
        ck.warn("work-order-on-counter", "work_order".into(), "work orders are filled in on hotline calls; this is a counter scenario".into(), &[], Some("work_order"))
            .help = Some("give a counter scenario `notice: (...)` instead".into());
    }
    if truth.facts.is_empty() {
        ck.warn("no-facts", "work_order.facts".into(), "the work order lists no facts: nothing the trainee takes down can be checked".into(), &["work_order"], Some("facts"));
    }
    let mut ids = HashSet::new();
    for (f, fact) in truth.facts.iter().enumerate() {
        let fp = format!("work_order.facts[{f}]");
        let anchor = quoted(&fact.id);
        let anchors = ["work_order", anchor.as_str()];
        if !valid_id(&fact.id) {
            ck.error("bad-id", format!("{fp}.id"), format!("the fact id \"{}\" must be letters, digits, _ or - only", fact.id), &anchors, None);
        }
        if !ids.insert(fact.id.as_str()) {
            ck.error("duplicate-id", format!("{fp}.id"), format!("two facts have the id \"{}\"", fact.id), &anchors, None);
        }
        ck.text(&fact.value, format!("{fp}.value"), &anchors);
        if fact.key.iter().any(|k| k.split('|').all(|a| a.trim().is_empty())) {
            ck.error("empty-text", format!("{fp}.key"), format!("fact \"{}\" has an empty key word", fact.id), &anchors, Some("key"));
        }
        if fact.revealed.is_empty() {
            ck.error("never-revealed", format!("{fp}.revealed"), format!("fact \"{}\" says nowhere where the caller reveals it", fact.id), &anchors, Some("revealed"))
                .help = Some("add `revealed: [Turn(\"turn-id\")]`, or `Line(\"turn-id\", 2)` for one line of a turn".into());
        }
        for (r, reveal) in fact.revealed.iter().enumerate() {
            let rp = format!("{fp}.revealed[{r}]");
            let Some(turn) = s.turns.iter().find(|t| t.id == reveal.turn()) else {
                let turns: Vec<&str> = s.turns.iter().map(|t| t.id.as_str()).collect();
                let d = ck.error("unknown-turn", rp, format!("fact \"{}\" is revealed in turn \"{}\", which the scenario does not have", fact.id, reveal.turn()), &anchors, Some(&quoted(reveal.turn())));
                d.help = Some(match closest(reveal.turn(), turns.iter().copied()) {
                    Some(best) => format!("did you mean \"{best}\"?"),
                    None => "name one of the scenario's turns".into(),
                });
                continue;
            };
            if let Reveal::Line(_, line) = reveal {
                if *line == 0 || *line > turn.says.len() {
                    ck.error("unknown-line", rp, format!("turn \"{}\" has {} line(s); line {line} does not exist (lines count from 1)", turn.id, turn.says.len()), &anchors, Some(&quoted(&turn.id)));
                }
            }
        }
    }
    if truth.handling_unit.zh.trim().is_empty() && truth.handling_unit.en.trim().is_empty() {
        ck.error("empty-text", "work_order.handling_unit".into(), "the work order names no handling unit".into(), &["work_order"], Some("handling_unit"));
    } else {
        ck.text(&truth.handling_unit, "work_order.handling_unit".into(), &["work_order", "handling_unit"]);
    }
    if let Some(CityRules::Loaded { profile, .. }) = city {
        if !profile.rules.iter().any(|r| r.id == truth.time_limit) {
            let ids = profile.rules.iter().map(|r| r.id.as_str());
            let d = ck.error("unknown-local-rule", "work_order.time_limit".into(), format!("the city profile has no rule \"{}\" for the work order's time limit", truth.time_limit), &["work_order"], Some("time_limit"));
            d.help = Some(match closest(&truth.time_limit, ids) {
                Some(near) => format!("did you mean \"{near}\"? The rules are listed in {PROFILE_PATH}"),
                None => format!("name a rule of {PROFILE_PATH}"),
            });
        }
    }
}

/// Each fact must be revealed on at least one route some persona can take:
/// its turn reachable, and for a single line, not always hidden behind an
/// earlier line that holds whenever it does (an earlier `Always`, or a line
/// for another persona). Mood conditions are not followed, so a line that
/// only an impossible mood would show still counts as reachable.
fn work_order_reach(ck: &mut Checker, s: &Scenario, analyses: &[Analysis]) {
    use crate::scenario::model::Reveal;
    let Some(truth) = &s.work_order else { return };
    let personas: Vec<String> = s.citizen.all_personas().into_iter().map(|p| p.id).collect();
    let certainly = |c: &Condition, persona: &str| matches!(c, Condition::Always) || matches!(c, Condition::Persona(p) if p == persona);
    let never = |c: &Condition, persona: &str| match c {
        Condition::Persona(p) => p != persona,
        Condition::All(cs) => cs.iter().any(|c| matches!(c, Condition::Persona(p) if p != persona)),
        _ => false,
    };
    for (f, fact) in truth.facts.iter().enumerate() {
        let reachable = fact.revealed.iter().any(|reveal| {
            let Some(t) = s.turns.iter().position(|x| x.id == reveal.turn()) else { return false };
            analyses.iter().any(|a| {
                let persona = personas.get(a.persona).map_or(MAIN_PERSONA, String::as_str);
                a.reachable_turns.get(t).copied().unwrap_or(false)
                    && match reveal {
                        Reveal::Turn(_) => true,
                        Reveal::Line(_, line) => {
                            let says = &s.turns[t].says;
                            line.checked_sub(1).and_then(|l| says.get(l).map(|x| (l, x))).is_some_and(|(l, x)| !never(&x.when, persona) && !says[..l].iter().any(|e| certainly(&e.when, persona)))
                        }
                    }
            })
        });
        if !reachable && !fact.revealed.is_empty() {
            let anchor = quoted(&fact.id);
            ck.warn("fact-never-revealed", format!("work_order.facts[{f}].revealed"), format!("fact \"{}\" is revealed only where no attempt can get to: no trainee can ever write it down", fact.id), &["work_order", &anchor], Some("revealed"))
                .help = Some("reveal it in a turn (or line) that some route reaches; `counterpart analyze` shows the routes".into());
        }
    }
}

/// The risk protocol's references inside the scenario: cue ids, the turns
/// and lines that reveal them, the actions (from `protocol::ACTIONS`), the
/// cue each requirement follows and the turn it is due by. An option that
/// carries `MissedProtocol` is an error: only the judgement raises it.
fn protocol_refs(ck: &mut Checker, s: &Scenario) {
    use crate::play::protocol::{ACTIONS, action};
    use crate::scenario::model::{RedFlag, Reveal};
    for (t, turn) in s.turns.iter().enumerate() {
        for (o, option) in turn.options.iter().enumerate() {
            if option.red_flag == Some(RedFlag::MissedProtocol) {
                let anchors = [quoted(&turn.id), quoted(&option.id)];
                ck.error("protocol-flag-on-option", format!("turns[{t}].options[{o}].red_flag"), format!("option \"{}\" carries MissedProtocol, which only the risk protocol's judgement raises", option.id), &[&anchors[0], &anchors[1]], Some("MissedProtocol"))
                    .help = Some("state the required action in `protocol: (...)` instead, or use another red flag".into());
            }
        }
    }
    let Some(truth) = &s.protocol else { return };
    let turns: Vec<&str> = s.turns.iter().map(|t| t.id.as_str()).collect();
    let action_ids = ACTIONS.iter().map(|a| a.id);
    let unknown_turn = |ck: &mut Checker, path: String, what: String, id: &str, anchors: &[&str]| {
        let d = ck.error("unknown-turn", path, format!("{what} names turn \"{id}\", which the scenario does not have"), anchors, Some(&quoted(id)));
        d.help = Some(match closest(id, turns.iter().copied()) {
            Some(best) => format!("did you mean \"{best}\"?"),
            None => "name one of the scenario's turns".into(),
        });
    };
    if truth.required.is_empty() {
        ck.warn("no-required-action", "protocol.required".into(), "the protocol requires no action: there is nothing for the trainee to get right or miss".into(), &["protocol"], Some("required"));
    }
    let mut ids = HashSet::new();
    for (c, cue) in truth.cues.iter().enumerate() {
        let cp = format!("protocol.cues[{c}]");
        let anchor = quoted(&cue.id);
        let anchors = ["protocol", anchor.as_str()];
        if !valid_id(&cue.id) {
            ck.error("bad-id", format!("{cp}.id"), format!("the cue id \"{}\" must be letters, digits, _ or - only", cue.id), &anchors, None);
        }
        if !ids.insert(cue.id.as_str()) {
            ck.error("duplicate-id", format!("{cp}.id"), format!("two cues have the id \"{}\"", cue.id), &anchors, None);
        }
        if cue.revealed.is_empty() {
            ck.error("never-revealed", format!("{cp}.revealed"), format!("cue \"{}\" says nowhere where the citizen shows the risk", cue.id), &anchors, Some("revealed"))
                .help = Some("add `revealed: [Turn(\"turn-id\")]`, or `Line(\"turn-id\", 2)` for one line of a turn".into());
        }
        for (r, reveal) in cue.revealed.iter().enumerate() {
            let rp = format!("{cp}.revealed[{r}]");
            let Some(turn) = s.turns.iter().find(|t| t.id == reveal.turn()) else {
                unknown_turn(ck, rp, format!("cue \"{}\"", cue.id), reveal.turn(), &anchors);
                continue;
            };
            if let Reveal::Line(_, line) = reveal {
                if *line == 0 || *line > turn.says.len() {
                    ck.error("unknown-line", rp, format!("turn \"{}\" has {} line(s); line {line} does not exist (lines count from 1)", turn.id, turn.says.len()), &anchors, Some(&quoted(&turn.id)));
                }
            }
        }
    }
    let check_action = |ck: &mut Checker, path: String, id: &str, anchors: &[&str]| {
        if action(id).is_none() {
            let d = ck.error("unknown-action", path, format!("\"{id}\" is not a protocol action"), anchors, Some(&quoted(id)));
            d.help = Some(match closest(id, action_ids.clone()) {
                Some(best) => format!("did you mean \"{best}\"? The actions are listed in docs/risk-protocols.md"),
                None => format!("use one of: {}", ACTIONS.iter().map(|a| a.id).collect::<Vec<_>>().join(", ")),
            });
        }
    };
    for (q, req) in truth.required.iter().enumerate() {
        let qp = format!("protocol.required[{q}]");
        let anchors = ["protocol", "required"];
        let alternatives: Vec<&str> = req.alternatives().collect();
        if alternatives.is_empty() {
            ck.error("empty-text", format!("{qp}.action"), "a required action names no action".into(), &anchors, Some("action"));
        }
        for id in alternatives {
            check_action(ck, format!("{qp}.action"), id, &anchors);
        }
        if !truth.cues.iter().any(|c| c.id == req.after) {
            let d = ck.error("unknown-cue", format!("{qp}.after"), format!("the required action \"{}\" follows cue \"{}\", which the protocol does not have", req.action, req.after), &anchors, Some(&quoted(&req.after)));
            d.help = Some(match closest(&req.after, truth.cues.iter().map(|c| c.id.as_str())) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => "name the id of one of the protocol's cues".into(),
            });
        }
        if let Some(by) = &req.by {
            if !turns.contains(&by.as_str()) {
                unknown_turn(ck, format!("{qp}.by"), format!("the required action \"{}\"", req.action), by, &anchors);
            }
        }
        ck.text(&req.why, format!("{qp}.why"), &["protocol", "required"]);
    }
    for (a, id) in truth.acceptable.iter().enumerate() {
        check_action(ck, format!("protocol.acceptable[{a}]"), id, &["protocol", "acceptable"]);
    }
}

/// Each cue must be heard on some route: otherwise its requirements never
/// apply, and the scenario trains nothing about the risk.
fn protocol_reach(ck: &mut Checker, s: &Scenario, analyses: &[Analysis]) {
    let Some(truth) = &s.protocol else { return };
    for (c, cue) in truth.cues.iter().enumerate() {
        let reachable = cue.revealed.iter().any(|r| s.turns.iter().position(|t| t.id == r.turn()).is_some_and(|t| analyses.iter().any(|a| a.reachable_turns.get(t).copied().unwrap_or(false))));
        if !reachable && !cue.revealed.is_empty() {
            let anchor = quoted(&cue.id);
            ck.warn("cue-never-revealed", format!("protocol.cues[{c}].revealed"), format!("cue \"{}\" is revealed only where no attempt can get to: its required actions never apply", cue.id), &["protocol", &anchor], Some("revealed"))
                .help = Some("reveal it in a turn that some route reaches; `counterpart analyze` shows the routes".into());
        }
    }
}

/// Texts still holding `counterpart new`'s placeholders: one warning at the
/// first, with the count, so `--strict` fails until the trainer has written
/// every one.
fn placeholders(ck: &mut Checker) {
    use crate::scenario::scaffold::{PLACEHOLDER_EN, PLACEHOLDER_ZH};
    let mut found = Vec::new();
    for (n, line) in ck.source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        // Once per line: a text's Chinese and English usually share one.
        let first = [PLACEHOLDER_ZH, PLACEHOLDER_EN.trim_end()].iter().filter_map(|m| code.find(m)).min();
        if let Some(at) = first {
            found.push((n + 1, code[..at].chars().count() + 1));
        }
    }
    let Some(&(line, column)) = found.first() else { return };
    let count = found.len();
    let d = Diagnostic::warning(
        "placeholder-text",
        ck.file,
        format!("{count} line(s) still hold the template's placeholder texts (marked 待写： / To write:); the first is here"),
    )
    .zh(
        format!("还有 {count} 行模板占位文字（标着“待写：”/ To write:）没有换成自己的内容，第一处在这里"),
        Some("把每一处标着“待写：”的文字换成这个场景自己的内容；全部换掉之前 `--strict` 不会通过".into()),
    )
    .help("replace each text marked 待写： / To write: with the scenario's own words; `--strict` fails until none is left")
    .at(ck.source, line, column);
    ck.out.push(d);
}

/// Routes whose condition no reachable situation meets, in any persona: a
/// hang-up rule at upset 30 the citizen never reaches, a flag never set.
/// Said with the mood actually reached there, so the author can see which
/// number to change.
fn route_findings(ck: &mut Checker<'_>, s: &Scenario, analyses: &[Analysis], reachable_turns: &[bool]) {
    use crate::analysis::analyze::RouteSite;
    let Some(first) = analyses.first() else { return };
    for (i, route) in first.routes.iter().enumerate() {
        let per_persona: Vec<&crate::analysis::analyze::RouteUse> = analyses.iter().filter_map(|a| a.routes.get(i)).collect();
        if per_persona.iter().any(|u| u.taken) {
            continue;
        }
        let (path, written, place_en, place_zh, reachable) = match route.site {
            RouteSite::Scenario { route } => {
                (format!("routes[{route}]"), &s.routes[route], "the scenario's".to_string(), "场景的".to_string(), true)
            }
            RouteSite::Turn { turn, route } => {
                let id = &s.turns[turn].id;
                (format!("turns[{turn}].routes[{route}]"), &s.turns[turn].routes[route], format!("turn \"{id}\"'s"), format!("回合“{id}”的"), reachable_turns[turn])
            }
            RouteSite::Option { turn, option, route } => {
                let (t, o) = (&s.turns[turn], &s.turns[turn].options[option]);
                (
                    format!("turns[{turn}].options[{option}].routes[{route}]"),
                    &o.routes[route],
                    format!("option \"{}\" (turn \"{}\")'s", o.id, t.id),
                    format!("回合“{}”选项“{}”的", t.id, o.id),
                    reachable_turns[turn],
                )
            }
        };
        if !reachable || written.when == Condition::Always {
            continue; // an unreachable turn is reported already; an unconditional route is a default
        }
        let range = |pick: fn(&crate::analysis::analyze::RouteUse) -> Option<(u8, u8)>| {
            per_persona.iter().filter_map(|u| pick(u)).reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
        };
        let to = &written.to;
        let mut flags = Vec::new();
        condition_flags(&written.when, &mut flags);
        let mood_met = per_persona.iter().any(|u| u.mood_met);
        let (message, message_zh, help, help_zh) = match (range(|u| u.upset), range(|u| u.trust)) {
            (Some(_), Some(_)) if mood_met && !flags.is_empty() => {
                let names = flags.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
                let names_zh = flags.iter().map(|f| format!("“{f}”")).collect::<Vec<_>>().join("、");
                (
                    format!("{place_en} route to \"{to}\" is never taken: the mood it asks for does occur there, but never with the flags it names ({names}) set as it needs"),
                    format!("{place_zh}去往“{to}”的路线永远走不到：它要求的情绪在这里出现过，但从来没有同时满足它写的标记（{names_zh}）"),
                    "check which options set those flags: the answers that lead to this mood must set them (or drop the flag from the condition)".to_string(),
                    "看看是哪些选项设置这些标记：导致这种情绪的回答要设置它们（或者把标记从条件里去掉）".to_string(),
                )
            }
            (Some((ulo, uhi)), Some((tlo, thi))) => {
                let seen = per_persona.iter().fold(0u128, |acc, u| acc | u.upset_seen);
                let values: Vec<String> = (0..=100u8).filter(|v| seen & (1u128 << v) != 0).map(|v| v.to_string()).collect();
                let (upset_en, upset_zh) = if values.len() <= 12 {
                    (format!("upset is only ever {}", values.join(", ")), format!("不满只出现过 {}", values.join("、")))
                } else {
                    (format!("upset is {ulo}–{uhi}"), format!("不满都在 {ulo}–{uhi}"))
                };
                (
                format!("{place_en} route to \"{to}\" is never taken: where it is tested, after the answer (on time or late), {upset_en} and trust {tlo}–{thi}, and its condition never holds"),
                format!("{place_zh}去往“{to}”的路线永远走不到：在检查它的地方（回答之后，按时或超时），{upset_zh}，信任在 {tlo}–{thi}，条件从不成立"),
                "change the condition's numbers to fall inside that range, or make the earlier answers move the mood more".to_string(),
                "把条件里的数字改到这个范围之内，或加大前面选项的情绪变化".to_string(),
                )
            }
            _ => (
                format!("{place_en} route to \"{to}\" is never tested: a route written before it is always taken first"),
                format!("{place_zh}去往“{to}”的路线从来轮不到检查：排在它前面的路线总是先成立"),
                "put the routes in another order, or narrow the condition of the one before it".to_string(),
                "调换路线的先后，或收紧前面那条的条件".to_string(),
            ),
        };
        let target = format!("to: {}", quoted(to));
        let anchors: Vec<String> = match route.site {
            RouteSite::Scenario { .. } => vec!["routes".into()],
            RouteSite::Turn { turn, .. } => vec![quoted(&s.turns[turn].id), "routes".into()],
            RouteSite::Option { turn, option, .. } => {
                vec![quoted(&s.turns[turn].id), quoted(&s.turns[turn].options[option].id), "routes".into()]
            }
        };
        let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
        let d = ck.warn("route-never-taken", path, message, &anchors, Some(&target));
        d.help = Some(help);
        d.message_zh = Some(message_zh);
        d.help_zh = Some(help_zh);
    }
}

