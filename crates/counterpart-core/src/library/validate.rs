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

    fn error(&mut self, code: &'static str, path: String, en: String, zh: String, anchors: &[&str], needle: Option<&str>) -> Found<'_> {
        let d = self.locate(Diagnostic::error(code, self.file, en).path(path), anchors, needle);
        self.push(d, zh)
    }

    fn warn(&mut self, code: &'static str, path: String, en: String, zh: String, anchors: &[&str], needle: Option<&str>) -> Found<'_> {
        let d = self.locate(Diagnostic::warning(code, self.file, en).path(path), anchors, needle);
        self.push(d, zh)
    }

    fn push(&mut self, mut d: Diagnostic, zh: String) -> Found<'_> {
        d.message_zh = Some(zh);
        self.out.push(d);
        Found(self.out.last_mut().expect("just pushed"))
    }

    fn text(&mut self, text: &Text, path: String, anchors: &[&str]) {
        let (zh, en) = (text.zh.trim().is_empty(), text.en.trim().is_empty());
        if zh && en {
            self.error("empty-text", path, "this text is empty in both languages".into(), "这段文字中英文都是空的".into(), anchors, None);
        } else if zh {
            self.warn("missing-zh", path, "the Chinese text is missing".into(), "缺少中文".into(), anchors, Some(&text.en))
                .help("add `zh: \"...\"`: trainees see Chinese first", "加上 `zh: \"...\"`：学员先看到的是中文");
        } else if en {
            self.warn("missing-en", path, "the English text is missing".into(), "缺少英文".into(), anchors, Some(&text.zh))
                .help("add `en: \"...\"` beside the Chinese", "在中文旁边加上 `en: \"...\"`");
        }
    }
}

/// A finding just recorded. Every check says its message in both
/// languages (the Checker takes both), and a help can only be added in
/// both: trainers read Chinese first, so no check can leave them an
/// English-only line.
struct Found<'d>(&'d mut Diagnostic);

impl Found<'_> {
    fn help(self, en: impl Into<String>, zh: impl Into<String>) {
        self.0.set_help(en, zh);
    }

    fn help_pair(self, (en, zh): (String, String)) {
        self.help(en, zh);
    }
}

/// "did you mean" for a near miss among `candidates`, else `otherwise`.
fn did_you_mean<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>, otherwise: (String, String)) -> (String, String) {
    match closest(found, candidates) {
        Some(best) => (format!("did you mean \"{best}\"?"), format!("是不是想写 \"{best}\"？")),
        None => otherwise,
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

const SAME_STYLES_ZH: &str = "次风格（secondary）和主风格是同一种 DISC 风格";

/// "the starting upset is 300; …" in Chinese.
fn starting_mood_zh(name: &str, value: u8) -> String {
    let name = if name == "upset" { "不满" } else { "信任" };
    format!("起始{name}是 {value}；情绪值在 0 到 100 之间")
}

/// How to say where a fact or a cue is revealed.
const REVEALED_HELP: (&str, &str) = (
    "add `revealed: [Turn(\"turn-id\")]`, or `Line(\"turn-id\", 2)` for one line of a turn",
    "加上 `revealed: [Turn(\"回合id\")]`；只算某一句时写 `Line(\"回合id\", 2)`",
);

fn name_a_turn() -> (String, String) {
    ("name one of the scenario's turns".into(), "写场景里某个回合的 id".into())
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
    // The checks below judge the evidence an option scores with: its kind's
    // defaults included.
    let mut scenario = scenario;
    scenario.resolve_kinds();
    let scenario = &scenario;
    let s = scenario;

    if s.format != FORMAT_VERSION {
        ck.error(
            "format-version",
            "format".into(),
            format!("format version {} is not supported; this build reads version {FORMAT_VERSION}", s.format),
            format!("不支持格式版本 {}；本程序只能读格式版本 {FORMAT_VERSION}", s.format),
            &[],
            Some("format"),
        );
    }
    if !valid_id(&s.id) {
        ck.error("bad-id", "id".into(), format!("the scenario id \"{}\" must be letters, digits, _ or - only", s.id), format!("场景 id \"{}\" 只能用字母、数字、_ 或 -", s.id), &[], Some("id"));
    }
    ck.text(&s.title, "title".into(), &["title"]);
    ck.text(&s.summary, "summary".into(), &["summary"]);
    for (i, o) in s.objectives.iter().enumerate() {
        ck.text(o, format!("objectives[{i}]"), &["objectives"]);
    }
    if s.minutes == 0 {
        ck.warn("no-duration", "minutes".into(), "estimated minutes is 0".into(), "预计用时（minutes）是 0 分钟".into(), &[], Some("minutes"));
    }
    ck.text(&s.citizen.name, "citizen.name".into(), &["citizen"]);
    ck.text(&s.citizen.situation, "citizen.situation".into(), &["citizen"]);
    for (name, value) in [("upset", s.citizen.mood.upset), ("trust", s.citizen.mood.trust)] {
        if value > 100 {
            ck.error("out-of-range", format!("citizen.mood.{name}"), format!("the starting {name} is {value}; moods run from 0 to 100"), starting_mood_zh(name, value), &["citizen"], Some(name));
        }
    }
    if s.citizen.disc.secondary == Some(s.citizen.disc.primary) {
        ck.warn("same-styles", "citizen.disc.secondary".into(), "the secondary DISC style is the same as the primary".into(), SAME_STYLES_ZH.into(), &["citizen"], Some("secondary"));
    }
    let mut persona_ids: Vec<&str> = vec![MAIN_PERSONA];
    if let Some(personas) = &s.citizen.personas {
        if personas.is_empty() {
            ck.error("no-personas", "citizen.personas".into(), "the persona list is empty".into(), "人设列表（personas）是空的".into(), &["citizen", "personas"], None)
                .help("list at least one other persona, or remove `personas:` to play only the main one", "至少再列一个人设，或者删掉 `personas:`，只练主人设");
        }
        let mut blends = vec![(s.citizen.disc, MAIN_PERSONA.to_string())];
        for (p, persona) in personas.iter().enumerate() {
            let pp = format!("citizen.personas[{p}]");
            let anchor = quoted(&persona.id);
            let anchors = ["citizen", "personas", anchor.as_str()];
            if !valid_id(&persona.id) {
                ck.error("bad-id", format!("{pp}.id"), format!("the persona id \"{}\" must be letters, digits, _ or - only", persona.id), format!("人设 id \"{}\" 只能用字母、数字、_ 或 -", persona.id), &anchors, None);
            }
            if persona_ids.contains(&persona.id.as_str()) {
                let (message, message_zh) = if persona.id == MAIN_PERSONA {
                    (
                        format!("the persona id \"{MAIN_PERSONA}\" is taken by the citizen's own `disc` and `mood`"),
                        format!("人设 id \"{MAIN_PERSONA}\" 已经被群众自己的 `disc` 和 `mood` 占用了"),
                    )
                } else {
                    (format!("two personas have the id \"{}\"", persona.id), format!("有两个人设的 id 都是 \"{}\"", persona.id))
                };
                ck.error("duplicate-id", format!("{pp}.id"), message, message_zh, &anchors, None);
            }
            persona_ids.push(&persona.id);
            if let Some((_, other)) = blends.iter().find(|(b, _)| *b == persona.disc) {
                ck.error(
                    "duplicate-persona",
                    format!("{pp}.disc"),
                    format!("persona \"{}\" has the same DISC blend as persona \"{other}\"", persona.id),
                    format!("人设 \"{}\" 和人设 \"{other}\" 的 DISC 风格组合完全一样", persona.id),
                    &anchors,
                    Some("disc"),
                )
                .help(
                    "a persona is another way the citizen may be played: give it another primary or secondary style",
                    "人设是同一位群众的另一种演法：给它换一个主风格或次风格",
                );
            }
            blends.push((persona.disc, persona.id.clone()));
            if persona.disc.secondary == Some(persona.disc.primary) {
                ck.warn("same-styles", format!("{pp}.disc.secondary"), "the secondary DISC style is the same as the primary".into(), SAME_STYLES_ZH.into(), &anchors, Some("secondary"));
            }
            if let Some(mood) = persona.mood {
                for (name, value) in [("upset", mood.upset), ("trust", mood.trust)] {
                    if value > 100 {
                        ck.error("out-of-range", format!("{pp}.mood.{name}"), format!("the starting {name} is {value}; moods run from 0 to 100"), starting_mood_zh(name, value), &anchors, Some(name));
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
            ck.error("bad-id", format!("turns[{t}].id"), format!("the turn id \"{}\" must be letters, digits, _ or - only", turn.id), format!("回合 id \"{}\" 只能用字母、数字、_ 或 -", turn.id), &[&quoted(&turn.id)], None);
        }
        if targets.insert(&turn.id, "turn").is_some() {
            let earlier = s.turns[..t].iter().filter(|x| x.id == turn.id).count();
            let anchors = vec![quoted(&turn.id); earlier + 1];
            let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
            ck.error("duplicate-id", format!("turns[{t}].id"), format!("the id \"{}\" is used by more than one turn", turn.id), format!("不止一个回合用了 id \"{}\"", turn.id), &anchors, None).help(
                "every turn and ending needs its own id; rename one and update the `next` and `to` that mean it",
                "每个回合和结局都要有自己的 id；给其中一个改名，并改掉指向它的 `next` 和 `to`",
            );
        }
    }
    for (e, ending) in s.endings.iter().enumerate() {
        if let Some(kind) = targets.insert(&ending.id, "ending") {
            let kind_zh = if kind == "turn" { "回合" } else { "结局" };
            ck.error(
                "duplicate-id",
                format!("endings[{e}].id"),
                format!("the id \"{}\" is used by an ending and by a {kind}", ending.id),
                format!("id \"{}\" 同时用在一个结局和一个{kind_zh}上", ending.id),
                &["endings", &quoted(&ending.id)],
                None,
            )
            .help("every turn and ending needs its own id", "每个回合和结局都要有自己的 id");
        }
        ck.text(&ending.text, format!("endings[{e}].text"), &["endings", &quoted(&ending.id)]);
    }
    if s.turns.is_empty() {
        ck.error("no-turns", "turns".into(), "the scenario has no turns".into(), "场景里一个回合也没有".into(), &[], Some("turns"));
    }
    if s.endings.is_empty() {
        ck.error("no-endings", "endings".into(), "the scenario has no endings".into(), "场景里一个结局也没有".into(), &[], Some("endings"));
    }
    let all_targets: Vec<&str> = targets.keys().copied().collect();
    let check_target = |ck: &mut Checker, id: &str, path: String, anchors: &[&str]| {
        if !targets.contains_key(id) {
            ck.error("unknown-target", path, format!("no turn or ending has the id \"{id}\""), format!("没有哪个回合或结局的 id 是 \"{id}\""), anchors, Some(&quoted(id))).help_pair(did_you_mean(
                id,
                all_targets.iter().copied(),
                ("add a turn or ending with this id, or fix the reference".into(), "加一个用这个 id 的回合或结局，或者改正这里的引用".into()),
            ));

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
            ck.error("no-line", format!("{tp}.says"), format!("turn \"{}\" gives the citizen nothing to say", turn.id), format!("回合 \"{}\" 里群众一句台词也没有", turn.id), &[&anchor], None);
        }
        for (l, line) in turn.says.iter().enumerate() {
            if line.variants.is_empty() {
                ck.error("no-variants", format!("{tp}.says[{l}].variants"), "this line has no wording".into(), "这句台词没有写说法（variants 是空的）".into(), &[&anchor], Some("variants"));
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
            ck.warn(
                "no-fallback-line",
                format!("{tp}.says"),
                format!("the last line of turn \"{}\" has a condition; when none holds, the last line is shown anyway", turn.id),
                format!("回合 \"{}\" 的最后一句台词带了条件；所有条件都不成立时，照样显示最后一句", turn.id),
                &[&anchor],
                Some("says"),
            )
            .help("end `says` with a line without `when`", "`says` 的最后一句不要写 `when`，作为兜底");
        }
        if let Some(cue) = &turn.cue {
            ck.text(cue, format!("{tp}.cue"), &[&anchor]);
        }
        match turn.time_limit {
            Some(0) => {
                ck.error("out-of-range", format!("{tp}.time_limit"), "a time limit of 0 seconds cannot be met".into(), "作答时限是 0 秒，谁也来不及回答".into(), &[&anchor], Some("time_limit"));
            }
            Some(_) if s.channel == crate::scenario::model::Channel::Counter => {
                ck.warn("counter-time-limit", format!("{tp}.time_limit"), "time limits are meant for hotline turns".into(), "作答时限（time_limit）是给热线回合用的；这是窗口场景".into(), &[&anchor], Some("time_limit"));
            }
            _ => {}
        }
        if turn.options.is_empty() {
            ck.error("no-options", format!("{tp}.options"), format!("turn \"{}\" has no options, so the encounter cannot go on", turn.id), format!("回合 \"{}\" 没有选项，对话进行不下去", turn.id), &[&anchor], None);
        } else if turn.options.len() < 2 {
            ck.warn("one-option", format!("{tp}.options"), format!("turn \"{}\" has only one option: the trainee has no choice", turn.id), format!("回合 \"{}\" 只有一个选项：学员没得选", turn.id), &[&anchor], None);
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
                ck.error(
                    "duplicate-id",
                    format!("{op}.id"),
                    format!("two options of turn \"{}\" have the id \"{}\"", turn.id, option.id),
                    format!("回合 \"{}\" 里有两个选项的 id 都是 \"{}\"", turn.id, option.id),
                    &[&anchor, &oanchor],
                    Some(&quoted(&option.id)),
                );
            }
            ck.text(&option.text, format!("{op}.text"), &[&anchor, &oanchor]);
            if option.feedback.zh.trim().is_empty() && option.feedback.en.trim().is_empty() {
                ck.error("no-feedback", format!("{op}.feedback"), format!("option \"{}\" has no feedback for the debrief", option.id), format!("选项 \"{}\" 没有写讲评用的反馈（feedback）", option.id), &[&anchor, &oanchor], Some(&quoted(&option.id)));
            } else {
                ck.text(&option.feedback, format!("{op}.feedback"), &[&anchor, &oanchor]);
            }
            if option.evidence.is_empty() && option.kind.is_none() {
                ck.warn("no-evidence", format!("{op}.evidence"), format!("option \"{}\" carries no rubric evidence, so it cannot be scored", option.id), format!("选项 \"{}\" 没有写评分项证据（evidence），没法计分", option.id), &[&anchor, &oanchor], Some(&quoted(&option.id)));
            }
            let claimed = crate::play::flow::claimed_items(option);
            if claimed > MAX_CLAIMED_ITEMS {
                ck.warn(
                    "over-claiming",
                    format!("{op}.evidence"),
                    format!("option \"{}\" claims {claimed} rubric items at once (at most {MAX_CLAIMED_ITEMS}): it scores as over-talking", option.id),
                    format!("选项 \"{}\" 一次记了 {claimed} 个评分项（最多 {MAX_CLAIMED_ITEMS} 个）：会按“话太多”计分", option.id),
                    &[&anchor, &oanchor],
                    Some("evidence"),
                )
                .help(
                    "a good reply is one turn of a conversation: keep the one or two things this answer does best, and let later turns do the rest",
                    "好的回答是对话里的一个回合：只留这个回答做得最好的一两件事，其余的交给后面的回合",
                );
            }
            for (item, level) in &option.evidence {
                if *level > 3 {
                    ck.error(
                        "out-of-range",
                        format!("{op}.evidence.{item:?}"),
                        format!("{item:?}: {level} is not a level; levels run 0 harmful, 1 missed, 2 adequate, 3 exemplary"),
                        format!("{item:?}: {level} 不是有效的等级；等级只有 0 有害、1 缺失、2 合格、3 优秀"),
                        &[&anchor, &oanchor],
                        Some(&format!("{item:?}")),
                    );
                }
            }
            for (name, fit) in [("d", option.fit.d), ("i", option.fit.i), ("s", option.fit.s), ("c", option.fit.c)] {
                if !(-2..=2).contains(&fit) {
                    ck.error(
                        "out-of-range",
                        format!("{op}.fit.{name}"),
                        format!("a DISC fit of {fit} is out of range: use -2 (a trigger) to 2 (a perfect match)"),
                        format!("DISC 适配（fit）写了 {fit}，超出范围：只能从 -2（踩中这种风格的雷区）到 2（完全对路）"),
                        &[&anchor, &oanchor],
                        Some("fit"),
                    );
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
                    ck.warn("better-is-self", format!("{op}.better"), format!("option \"{}\" names itself as the better option", option.id), format!("选项 \"{}\" 的更好选项（better）写的是它自己", option.id), &[&anchor, &oanchor], Some("better"));
                } else if !turn.options.iter().any(|x| &x.id == better) {
                    let ids: Vec<&str> = turn.options.iter().map(|x| x.id.as_str()).collect();
                    ck.error("unknown-option", format!("{op}.better"), format!("turn \"{}\" has no option \"{better}\"", turn.id), format!("回合 \"{}\" 没有选项 \"{better}\"", turn.id), &[&anchor, &oanchor], Some(&quoted(better)))
                        .help_pair(did_you_mean(
                            better,
                            ids.iter().copied(),
                            (format!("options of this turn: {}", ids.join(", ")), format!("这个回合的选项：{}", ids.join("、"))),
                        ));
                }
            }
        }
    }
    for condition in route_conditions {
        let mut values = Vec::new();
        condition_values(condition, &mut values);
        for v in values.into_iter().filter(|v| *v > 100) {
            ck.error("out-of-range", String::new(), format!("a condition compares with {v}, but moods run from 0 to 100"), format!("条件里拿情绪和 {v} 比，但情绪值只在 0 到 100 之间"), &[], Some(&v.to_string()));
        }
    }
    for (flag, path, anchors) in &flags_used {
        if !flags_set.contains(flag) {
            let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
            let help = match closest(flag, flags_set.iter().copied()) {
                Some(best) => (format!("did you mean \"{best}\"? (set by an option's `set: [...]`)"), format!("是不是想写 \"{best}\"？（标记由选项的 `set: [...]` 设置）")),
                None => (
                    "add the flag to some option's `set: [...]`, or remove the condition".into(),
                    "在某个选项的 `set: [...]` 里设置这个标记，或者删掉这个条件".into(),
                ),
            };
            ck.warn("flag-never-set", path.clone(), format!("the flag \"{flag}\" is tested but no option sets it"), format!("条件检查了标记 \"{flag}\"，但没有哪个选项设置它"), &anchors, Some(&quoted(flag)))
                .help_pair(help);
        }
    }
    for (persona, path, anchors) in &personas_used {
        if !persona_ids.contains(persona) {
            let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
            let help = match closest(persona, persona_ids.iter().copied()) {
                Some(best) => (format!("did you mean \"{best}\"? (personas: {})", persona_ids.join(", ")), format!("是不是想写 \"{best}\"？（人设有：{}）", persona_ids.join("、"))),
                None => (format!("personas of this citizen: {}", persona_ids.join(", ")), format!("这位群众的人设：{}", persona_ids.join("、"))),
            };
            ck.error(
                "unknown-persona",
                path.clone(),
                format!("the condition names the persona \"{persona}\", which the citizen does not have"),
                format!("条件里写的人设 \"{persona}\"，这位群众没有"),
                &anchors,
                Some(&quoted(persona)),
            )
            .help_pair(help);
        }
    }
    let distinct_flags: HashSet<&str> = flags_set.iter().copied().chain(flags_used.iter().map(|f| f.0)).collect();
    if distinct_flags.len() > MAX_FLAGS {
        ck.error(
            "too-many-flags",
            String::new(),
            format!("the scenario uses {} flags; at most {MAX_FLAGS} are supported", distinct_flags.len()),
            format!("场景用了 {} 个标记；最多只支持 {MAX_FLAGS} 个", distinct_flags.len()),
            &[],
            None,
        );
    }
    if !any_red_flag && !s.turns.is_empty() {
        ck.warn("no-red-flag-trap", "turns".into(), "no option carries a red flag: trainees never meet a trap to avoid".into(), "没有哪个选项带红线（red_flag）：学员从来碰不到需要避开的陷阱".into(), &[], Some("turns"))
            .help(
                "add a tempting wrong answer with `red_flag: PushingAway` (or another red flag)",
                "加一个看着诱人、其实错了的回答，写上 `red_flag: PushingAway`（或别的红线）",
            );
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
            ck.error("unresolvable", String::new(), e.to_string(), e.zh(), &[], None);
            return Checked { findings: ck.out, script: None, analyses: None };
        }
    };
    let analysed = analyze_personas(&script);
    match &analysed {
        Err(e) => {
            ck.warn("not-analysed", String::new(), e.to_string(), e.zh(), &[], None);
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
                    ck.warn("unreachable-turn", format!("turns[{t}]"), format!("turn \"{id}\" can never be reached"), format!("回合 \"{id}\" 怎么走都到不了"), &[&quoted(id)], None);
                }
            }
            for (e, reached) in analysis.reachable_endings.iter().enumerate() {
                if !reached {
                    let id = &s.endings[e].id;
                    ck.warn("unreachable-ending", format!("endings[{e}]"), format!("ending \"{id}\" is never reached"), format!("结局 \"{id}\" 怎么走都到不了"), &["endings", &quoted(id)], None);
                }
            }
            route_findings(&mut ck, s, analyses, &analysis.reachable_turns);
            pinned_mood_findings(&mut ck, s, analyses);
            for &t in &analysis.stuck_turns {
                let id = &s.turns[t].id;
                ck.error(
                    "no-way-out",
                    format!("turns[{t}]"),
                    format!("from turn \"{id}\" the encounter can go round without ever reaching an ending"),
                    format!("从回合 \"{id}\" 开始，对话可能一直绕圈，永远走不到结局"),
                    &[&quoted(id)],
                    None,
                );
            }
            for one in analyses {
                if one.passing_route.is_none() && !s.endings.is_empty() {
                    let (who, who_zh) = if analyses.len() > 1 {
                        (format!(" as persona \"{}\"", names[one.persona]), format!("人设 \"{}\" ", names[one.persona]))
                    } else {
                        (String::new(), String::new())
                    };
                    ck.warn(
                        "no-passing-route",
                        String::new(),
                        format!("no route through the scenario passes{who}: even the best answers score below the pass mark, end in a breakdown or leave the citizen dissatisfied"),
                        format!("{who_zh}没有一条路线能通过：即使选最好的回答，也是分数不到合格线、以服务失败收场或群众不满意"),
                        &[],
                        Some("turns"),
                    )
                    .help(
                        "run `counterpart analyze` on the file to see the best route, its scores and the citizen's rating",
                        "对这个文件运行 `counterpart analyze`，看最佳路线、它的分数和群众评价",
                    );
                }
            }
            let breakdown = s.endings.iter().zip(&analysis.reachable_endings).any(|(e, r)| *r && e.outcome.is_breakdown());
            if !breakdown && !s.endings.is_empty() {
                ck.warn(
                    "no-breakdown-ending",
                    "endings".into(),
                    "no route ends in a hang-up, walk-out or formal complaint: trainees never see service break down".into(),
                    "没有哪条路线以挂断、离开或正式投诉收场：学员从来看不到服务失败".into(),
                    &["endings"],
                    None,
                )
                .help(
                    "add an ending with `outcome: HungUp` (hotline), `WalkedOut` (counter) or `FormalComplaint`, reached when the citizen's upset climbs too high",
                    "加一个结局，写 `outcome: HungUp`（热线）、`WalkedOut`（窗口）或 `FormalComplaint`，在群众不满升得太高时走到",
                );
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
                ck.warn(finding.code, path, finding.message.en.clone(), finding.message.zh.clone(), &anchors, needle).help(finding.help.en.clone(), finding.help.zh.clone());
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
                format!("有文字写了“{LOCAL_MARKER}”，但场景没有引用城市配置里的任何规定"),
                &[],
                Some(LOCAL_MARKER),
            )
            .help(
                format!("add `local_rules: [\"rule-id\"],` naming the rules of {PROFILE_PATH} whose figures the scenario says"),
                format!("加上 `local_rules: [\"规定编号\"],`，写明场景里说到的数字出自 {PROFILE_PATH} 的哪几条规定"),
            );
        }
        return;
    }
    let profile = match city {
        CityRules::Loaded { profile, .. } => profile,
        CityRules::Absent { expected } => {
            ck.warn(
                "no-city-profile",
                "local_rules".into(),
                format!("the scenario cites local rules but there is no city profile at {}", expected.display()),
                format!("场景引用了本市规定，但 {} 没有城市配置", expected.display()),
                &[],
                Some("local_rules"),
            )
            .help(
                "put the city profile (city/profile.ron) beside the scenario files, or remove `local_rules`",
                "把城市配置（city/profile.ron）放到场景文件旁边，或者删掉 `local_rules`",
            );
            return;
        }
        CityRules::Broken(problems) => {
            let first = problems.first().map(|d| format!("{}: {}", d.location(), d.message)).unwrap_or_default();
            let first_zh = problems.first().map(|d| format!("{}: {}", d.location(), d.message_in(crate::scenario::model::Lang::Zh))).unwrap_or_default();
            ck.warn(
                "city-profile-broken",
                "local_rules".into(),
                format!("the scenario's local rules cannot be checked: the city profile has errors ({first})"),
                format!("场景引用的本市规定暂时无法核对：城市配置有错（{first_zh}）"),
                &[],
                Some("local_rules"),
            )
            .help("run validate on the scenario folder to see the city profile's errors", "对场景文件夹运行 validate，查看城市配置的错误");
            return;
        }
    };
    let ids: Vec<&str> = profile.rules.iter().map(|r| r.id.as_str()).collect();
    for (i, id) in s.local_rules.iter().enumerate() {
        let path = format!("local_rules[{i}]");
        let Some(rule) = profile.rules.iter().find(|r| &r.id == id) else {
            let help = match closest(id, ids.iter().copied()) {
                Some(near) => (format!("did you mean \"{near}\"? The rules are listed in {PROFILE_PATH}"), format!("是不是想写 \"{near}\"？全部规定列在 {PROFILE_PATH} 里")),
                None => (format!("add the rule to {PROFILE_PATH}, or cite one of its rules"), format!("把这条规定加进 {PROFILE_PATH}，或者引用其中已有的规定")),
            };
            ck.error("unknown-local-rule", path, format!("the city profile has no rule \"{id}\""), format!("城市配置里没有规定 \"{id}\""), &["local_rules", &quoted(id)], None)
                .help_pair(help);
            continue;
        };
        let value = rule.value.zh.trim();
        if !texts.iter().any(|t| t.zh.contains(value)) {
            ck.warn(
                "local-rule-not-said",
                path,
                format!("the scenario cites the local rule \"{id}\" ({}: {value}) but none of its texts says {value}", rule.title.zh),
                format!("场景引用了本市规定 \"{id}\"（{}：{value}），但它的文字里没有一处说出“{value}”", rule.title.zh),
                &["local_rules", &quoted(id)],
                None,
            )
            .help(
                format!("say the figure as the city profile has it (\"{value}\"), or remove \"{id}\" from `local_rules`"),
                format!("按城市配置里的写法原样说出这个数值（“{value}”），或者把 \"{id}\" 从 `local_rules` 里删掉"),
            );
        }
    }
}

// Work-order and notice truth (issue 14). Every bundled hotline scenario
// now states what the right record of the call is (an order, or no order),
// so a hotline scenario with neither is warned about (`work-order-missing`),
// and likewise a counter scenario without a notice (`notice-missing`).

/// The truth's references inside the scenario: fact ids, the turns and
/// lines that reveal them, the city-profile rule of the time limit.
/// Knowledge entries and categories live outside the file and are checked
/// by `library::knowledge` once the folder's knowledge base is loaded.
fn work_order_refs(ck: &mut Checker, s: &Scenario, city: Option<&CityRules>) {
    use crate::scenario::model::{Channel, Reveal};
    if let Some(notice) = &s.notice {
        if s.channel == Channel::Hotline {
            ck.warn(
                "notice-on-hotline",
                "notice".into(),
                "a one-time notice is handed over at a counter; this is a hotline scenario".into(),
                "一次性告知单是在窗口当面交给群众的；这是热线场景".into(),
                &[],
                Some("notice"),
            )
            .help("give a hotline scenario `work_order: (...)` instead", "热线场景请改写 `work_order: (...)`");
        }
        if notice.entries.is_empty() {
            ck.error(
                "empty-notice",
                "notice.entries".into(),
                "the notice names no knowledge entries, so there is nothing to hand over".into(),
                "告知单一个知识库条目也没写，没有东西可以交给群众".into(),
                &["notice"],
                Some("entries"),
            );
        }
    }
    if let Some(none) = &s.no_order {
        if s.work_order.is_some() {
            ck.error(
                "order-and-no-order",
                "no_order".into(),
                "the scenario says both what the work order is and that the call makes no order".into(),
                "场景既写了标准工单，又说这通电话不用开工单".into(),
                &[],
                Some("no_order"),
            )
            .help(
                "keep `work_order` for a call that is dispatched, or `no_order` for a harassing or invalid call, not both",
                "要派单的电话留 `work_order`，骚扰或无效来电留 `no_order`，两者只能留一个",
            );
        }
        if s.channel == Channel::Counter {
            ck.warn(
                "work-order-on-counter",
                "no_order".into(),
                "how a call is logged is a hotline matter; this is a counter scenario".into(),
                "来电怎么登记是热线的事；这是窗口场景".into(),
                &[],
                Some("no_order"),
            )
            .help("remove `no_order`, or give a counter scenario `notice: (...)`", "删掉 `no_order`；窗口场景可以写 `notice: (...)`");
        }
        ck.text(&none.why, "no_order.why".into(), &["no_order", "why"]);
    }
    if s.channel == Channel::Hotline && s.work_order.is_none() && s.no_order.is_none() {
        ck.warn(
            "work-order-missing",
            String::new(),
            "the scenario does not say what the right record of the call is, so the trainee's work order cannot be scored".into(),
            "场景没有写这通电话该怎么登记，学员填的工单没法评分".into(),
            &[],
            Some("channel"),
        )
        .help(
            "add `work_order: (...)` with the facts and the dispatch, or `no_order: (disposition: Harassing, why: ...)` for a call that makes no order (see docs/work-orders.md)",
            "加上 `work_order: (...)`，写明事实和派单；不用开工单的来电写 `no_order: (disposition: Harassing, why: ...)`（见 docs/work-orders.md）",
        );
    }
    if s.channel == Channel::Counter && s.notice.is_none() {
        ck.warn(
            "notice-missing",
            String::new(),
            "the scenario does not say what the one-time notice must hold, so the notice the trainee hands over cannot be scored".into(),
            "场景没有写一次性告知单该包含什么，学员交给群众的告知单没法评分".into(),
            &[],
            Some("channel"),
        )
        .help(
            "add `notice: (entries: [...])` naming the knowledge entries whose materials and steps this citizen needs (see docs/knowledge-base.md)",
            "加上 `notice: (entries: [...])`，写明这位群众需要哪些知识库条目里的材料和流程（见 docs/knowledge-base.md）",
        );
    }
    let Some(truth) = &s.work_order else { return };
    if s.channel == Channel::Counter {
        ck.warn(
            "work-order-on-counter",
            "work_order".into(),
            "work orders are filled in on hotline calls; this is a counter scenario".into(),
            "工单是热线通话时填的；这是窗口场景".into(),
            &[],
            Some("work_order"),
        )
        .help("give a counter scenario `notice: (...)` instead", "窗口场景请改写 `notice: (...)`");
    }
    if truth.facts.is_empty() {
        ck.warn(
            "no-facts",
            "work_order.facts".into(),
            "the work order lists no facts: nothing the trainee takes down can be checked".into(),
            "标准工单一条事实也没列：学员记下的内容没法核对".into(),
            &["work_order"],
            Some("facts"),
        );
    }
    let mut ids = HashSet::new();
    for (f, fact) in truth.facts.iter().enumerate() {
        let fp = format!("work_order.facts[{f}]");
        let anchor = quoted(&fact.id);
        let anchors = ["work_order", anchor.as_str()];
        if !valid_id(&fact.id) {
            ck.error("bad-id", format!("{fp}.id"), format!("the fact id \"{}\" must be letters, digits, _ or - only", fact.id), format!("事实 id \"{}\" 只能用字母、数字、_ 或 -", fact.id), &anchors, None);
        }
        if !ids.insert(fact.id.as_str()) {
            ck.error("duplicate-id", format!("{fp}.id"), format!("two facts have the id \"{}\"", fact.id), format!("有两条事实的 id 都是 \"{}\"", fact.id), &anchors, None);
        }
        ck.text(&fact.value, format!("{fp}.value"), &anchors);
        if fact.key.iter().any(|k| k.split('|').all(|a| a.trim().is_empty())) {
            ck.error("empty-text", format!("{fp}.key"), format!("fact \"{}\" has an empty key word", fact.id), format!("事实 \"{}\" 有一个关键词是空的", fact.id), &anchors, Some("key"));
        }
        if fact.revealed.is_empty() {
            ck.error(
                "never-revealed",
                format!("{fp}.revealed"),
                format!("fact \"{}\" says nowhere where the caller reveals it", fact.id),
                format!("事实 \"{}\" 没有写来电人在哪里说出它（revealed 是空的）", fact.id),
                &anchors,
                Some("revealed"),
            )
            .help(REVEALED_HELP.0, REVEALED_HELP.1);
        }
        for (r, reveal) in fact.revealed.iter().enumerate() {
            let rp = format!("{fp}.revealed[{r}]");
            let Some(turn) = s.turns.iter().find(|t| t.id == reveal.turn()) else {
                let turns: Vec<&str> = s.turns.iter().map(|t| t.id.as_str()).collect();
                ck.error(
                    "unknown-turn",
                    rp,
                    format!("fact \"{}\" is revealed in turn \"{}\", which the scenario does not have", fact.id, reveal.turn()),
                    format!("事实 \"{}\" 写的是在回合 \"{}\" 里说出，但场景里没有这个回合", fact.id, reveal.turn()),
                    &anchors,
                    Some(&quoted(reveal.turn())),
                )
                .help_pair(did_you_mean(reveal.turn(), turns.iter().copied(), name_a_turn()));
                continue;
            };
            if let Reveal::Line(_, line) = reveal {
                if *line == 0 || *line > turn.says.len() {
                    ck.error(
                        "unknown-line",
                        rp,
                        format!("turn \"{}\" has {} line(s); line {line} does not exist (lines count from 1)", turn.id, turn.says.len()),
                        format!("回合 \"{}\" 只有 {} 句台词，没有第 {line} 句（从 1 数起）", turn.id, turn.says.len()),
                        &anchors,
                        Some(&quoted(&turn.id)),
                    );
                }
            }
        }
    }
    if truth.handling_unit.zh.trim().is_empty() && truth.handling_unit.en.trim().is_empty() {
        ck.error("empty-text", "work_order.handling_unit".into(), "the work order names no handling unit".into(), "标准工单没有写承办单位".into(), &["work_order"], Some("handling_unit"));
    } else {
        ck.text(&truth.handling_unit, "work_order.handling_unit".into(), &["work_order", "handling_unit"]);
    }
    if let Some(CityRules::Loaded { profile, .. }) = city {
        if !profile.rules.iter().any(|r| r.id == truth.time_limit) {
            let ids = profile.rules.iter().map(|r| r.id.as_str());
            let help = match closest(&truth.time_limit, ids) {
                Some(near) => (format!("did you mean \"{near}\"? The rules are listed in {PROFILE_PATH}"), format!("是不是想写 \"{near}\"？全部规定列在 {PROFILE_PATH} 里")),
                None => (format!("name a rule of {PROFILE_PATH}"), format!("写 {PROFILE_PATH} 里的一条规定")),
            };
            ck.error(
                "unknown-local-rule",
                "work_order.time_limit".into(),
                format!("the city profile has no rule \"{}\" for the work order's time limit", truth.time_limit),
                format!("工单时限写的规定 \"{}\"，城市配置里没有", truth.time_limit),
                &["work_order"],
                Some("time_limit"),
            )
            .help_pair(help);
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
            ck.warn(
                "fact-never-revealed",
                format!("work_order.facts[{f}].revealed"),
                format!("fact \"{}\" is revealed only where no attempt can get to: no trainee can ever write it down", fact.id),
                format!("事实 \"{}\" 只在怎么走都到不了的地方说出：没有学员能记下它", fact.id),
                &["work_order", &anchor],
                Some("revealed"),
            )
            .help(
                "reveal it in a turn (or line) that some route reaches; `counterpart analyze` shows the routes",
                "让它在某条路线走得到的回合（或台词）里说出；`counterpart analyze` 会列出路线",
            );
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
                ck.error(
                    "protocol-flag-on-option",
                    format!("turns[{t}].options[{o}].red_flag"),
                    format!("option \"{}\" carries MissedProtocol, which only the risk protocol's judgement raises", option.id),
                    format!("选项 \"{}\" 带了红线 MissedProtocol，这条红线只能由风险处置的判定给出", option.id),
                    &[&anchors[0], &anchors[1]],
                    Some("MissedProtocol"),
                )
                .help(
                    "state the required action in `protocol: (...)` instead, or use another red flag",
                    "改在 `protocol: (...)` 里写明必须做的处置，或者换一条红线",
                );
            }
        }
    }
    let Some(truth) = &s.protocol else { return };
    let turns: Vec<&str> = s.turns.iter().map(|t| t.id.as_str()).collect();
    let action_ids = ACTIONS.iter().map(|a| a.id);
    let unknown_turn = |ck: &mut Checker, path: String, (what, what_zh): (String, String), id: &str, anchors: &[&str]| {
        ck.error(
            "unknown-turn",
            path,
            format!("{what} names turn \"{id}\", which the scenario does not have"),
            format!("{what_zh}写的回合 \"{id}\"，场景里没有"),
            anchors,
            Some(&quoted(id)),
        )
        .help_pair(did_you_mean(id, turns.iter().copied(), name_a_turn()));
    };
    if truth.required.is_empty() {
        ck.warn(
            "no-required-action",
            "protocol.required".into(),
            "the protocol requires no action: there is nothing for the trainee to get right or miss".into(),
            "风险处置一项必须做的处置也没写：学员没有什么可做对或漏做的".into(),
            &["protocol"],
            Some("required"),
        );
    }
    let mut ids = HashSet::new();
    for (c, cue) in truth.cues.iter().enumerate() {
        let cp = format!("protocol.cues[{c}]");
        let anchor = quoted(&cue.id);
        let anchors = ["protocol", anchor.as_str()];
        if !valid_id(&cue.id) {
            ck.error("bad-id", format!("{cp}.id"), format!("the cue id \"{}\" must be letters, digits, _ or - only", cue.id), format!("线索 id \"{}\" 只能用字母、数字、_ 或 -", cue.id), &anchors, None);
        }
        if !ids.insert(cue.id.as_str()) {
            ck.error("duplicate-id", format!("{cp}.id"), format!("two cues have the id \"{}\"", cue.id), format!("有两条风险线索的 id 都是 \"{}\"", cue.id), &anchors, None);
        }
        if cue.revealed.is_empty() {
            ck.error(
                "never-revealed",
                format!("{cp}.revealed"),
                format!("cue \"{}\" says nowhere where the citizen shows the risk", cue.id),
                format!("风险线索 \"{}\" 没有写群众在哪里流露出这个风险（revealed 是空的）", cue.id),
                &anchors,
                Some("revealed"),
            )
            .help(REVEALED_HELP.0, REVEALED_HELP.1);
        }
        for (r, reveal) in cue.revealed.iter().enumerate() {
            let rp = format!("{cp}.revealed[{r}]");
            let Some(turn) = s.turns.iter().find(|t| t.id == reveal.turn()) else {
                unknown_turn(ck, rp, (format!("cue \"{}\"", cue.id), format!("风险线索 \"{}\" ", cue.id)), reveal.turn(), &anchors);
                continue;
            };
            if let Reveal::Line(_, line) = reveal {
                if *line == 0 || *line > turn.says.len() {
                    ck.error(
                        "unknown-line",
                        rp,
                        format!("turn \"{}\" has {} line(s); line {line} does not exist (lines count from 1)", turn.id, turn.says.len()),
                        format!("回合 \"{}\" 只有 {} 句台词，没有第 {line} 句（从 1 数起）", turn.id, turn.says.len()),
                        &anchors,
                        Some(&quoted(&turn.id)),
                    );
                }
            }
        }
    }
    let check_action = |ck: &mut Checker, path: String, id: &str, anchors: &[&str]| {
        if action(id).is_none() {
            let help = match closest(id, action_ids.clone()) {
                Some(best) => (
                    format!("did you mean \"{best}\"? The actions are listed in docs/risk-protocols.md"),
                    format!("是不是想写 \"{best}\"？全部处置动作列在 docs/risk-protocols.md 里"),
                ),
                None => {
                    let all = ACTIONS.iter().map(|a| a.id).collect::<Vec<_>>();
                    (format!("use one of: {}", all.join(", ")), format!("从这些里选一个：{}", all.join("、")))
                }
            };
            ck.error("unknown-action", path, format!("\"{id}\" is not a protocol action"), format!("\"{id}\" 不是风险处置动作"), anchors, Some(&quoted(id))).help_pair(help);
        }
    };
    for (q, req) in truth.required.iter().enumerate() {
        let qp = format!("protocol.required[{q}]");
        let anchors = ["protocol", "required"];
        let alternatives: Vec<&str> = req.alternatives().collect();
        if alternatives.is_empty() {
            ck.error("empty-text", format!("{qp}.action"), "a required action names no action".into(), "有一项必须做的处置没有写动作编号".into(), &anchors, Some("action"));
        }
        for id in alternatives {
            check_action(ck, format!("{qp}.action"), id, &anchors);
        }
        if !truth.cues.iter().any(|c| c.id == req.after) {
            ck.error(
                "unknown-cue",
                format!("{qp}.after"),
                format!("the required action \"{}\" follows cue \"{}\", which the protocol does not have", req.action, req.after),
                format!("必须做的处置 \"{}\" 跟在线索 \"{}\" 之后，但风险处置里没有这条线索", req.action, req.after),
                &anchors,
                Some(&quoted(&req.after)),
            )
            .help_pair(did_you_mean(
                &req.after,
                truth.cues.iter().map(|c| c.id.as_str()),
                ("name the id of one of the protocol's cues".into(), "写风险处置里某条线索的 id".into()),
            ));
        }
        if let Some(by) = &req.by {
            if !turns.contains(&by.as_str()) {
                unknown_turn(ck, format!("{qp}.by"), (format!("the required action \"{}\"", req.action), format!("必须做的处置 \"{}\" ", req.action)), by, &anchors);
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
            ck.warn(
                "cue-never-revealed",
                format!("protocol.cues[{c}].revealed"),
                format!("cue \"{}\" is revealed only where no attempt can get to: its required actions never apply", cue.id),
                format!("风险线索 \"{}\" 只在怎么走都到不了的地方出现：它要求的处置永远用不上", cue.id),
                &["protocol", &anchor],
                Some("revealed"),
            )
            .help(
                "reveal it in a turn that some route reaches; `counterpart analyze` shows the routes",
                "让它在某条路线走得到的回合里出现；`counterpart analyze` 会列出路线",
            );
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
        ck.warn("route-never-taken", path, message, message_zh, &anchors, Some(&target)).help(help, help_zh);
    }
}

/// A starting mood the answers make meaningless: whatever the trainee
/// says in the first turns, upset or trust is driven to 0 or 100, where
/// moods stop, so the play from there is the same for any starting value
/// (the "distrustful" caller at trust 100 by the third answer). Said once
/// per starting mood written in the file, naming the personas it holds for.
fn pinned_mood_findings(ck: &mut Checker<'_>, s: &Scenario, analyses: &[Analysis]) {
    use crate::analysis::analyze::{MoodPart, PINNED_WITHIN};
    let personas = s.citizen.all_personas();
    let many = personas.len() > 1;
    /// One starting mood pinned: where it is written (None: the citizen's
    /// own), the part and bound, and the personas it holds for.
    struct Pinned {
        written_at: Option<usize>,
        part: MoodPart,
        bound: u8,
        start: u8,
        personas: Vec<usize>,
        by: usize,
        by_reaction: bool,
    }
    let mut found: Vec<Pinned> = Vec::new();
    for one in analyses {
        let own_mood = |p: usize| s.citizen.personas.as_ref().is_some_and(|all| all.get(p).is_some_and(|x| x.mood.is_some()));
        let written_at = one.persona.checked_sub(1).filter(|&p| own_mood(p));
        for pin in &one.pinned {
            match found.iter_mut().find(|f| (f.written_at, f.part, f.bound) == (written_at, pin.part, pin.bound)) {
                Some(f) => {
                    f.personas.push(one.persona);
                    f.by = f.by.max(pin.by_answer);
                    f.by_reaction |= pin.by_reaction;
                }
                None => found.push(Pinned {
                    written_at,
                    part: pin.part,
                    bound: pin.bound,
                    start: pin.start,
                    personas: vec![one.persona],
                    by: pin.by_answer,
                    by_reaction: pin.by_reaction,
                }),
            }
        }
    }
    for Pinned { written_at, part, bound, start, personas: who, by, by_reaction } in found {
        let name = part.name();
        let (name_zh, verb_zh) = match (part, bound) {
            (MoodPart::Upset, 0) => ("不满", "降到了 0"),
            (MoodPart::Upset, _) => ("不满", "升到了 100"),
            (MoodPart::Trust, 0) => ("信任", "降到了 0"),
            (MoodPart::Trust, _) => ("信任", "升到了 100"),
        };
        let (whose, whose_zh) = if many {
            let ids: Vec<&str> = who.iter().map(|&p| personas[p].id.as_str()).collect();
            let quoted_en = ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
            let quoted_zh = ids.iter().map(|i| format!("“{i}”")).collect::<Vec<_>>().join("、");
            (format!(" for persona{} {quoted_en}", if ids.len() > 1 { "s" } else { "" }), format!("人设{quoted_zh}的"))
        } else {
            (String::new(), String::new())
        };
        let message = format!(
            "the starting {name} ({start}){whose} makes no difference: however the trainee answers the first {PINNED_WITHIN} turns (on time), {name} is at {bound} by answer {by} at the latest, and moods stop at 0 and 100, so the play from there is the same for any starting {name}"
        );
        let message_zh = format!(
            "{whose_zh}起始{name_zh}（{start}）没有意义：前 {PINNED_WITHIN} 个回合不管学员怎么（按时）回答，最迟到第 {by} 个回答{name_zh}就{verb_zh}，而情绪到 0 和 100 就不再变，所以从那以后不管起始{name_zh}写多少，走法都一样"
        );
        let (help, help_zh) = if by_reaction {
            (
                format!("it is the reaction to the answers' DISC fit, added on top of the mood changes written on the options, that takes {name} there (a fit of +2 or −2 for the citizen's style moves upset by 8 and trust by 6 beyond the written numbers, more with a matching secondary style): make those fits milder or the written changes smaller, so that poor answers and good ones move {name} in opposite directions"),
                format!("是回答的 DISC 适配（fit）带来的反应叠加在选项写的情绪变化上，才把{name_zh}推到了这里（对群众风格 +2 或 −2 的适配，在写的数字之外还会让不满变化 8、信任变化 6，次风格也对上时更多）：把这些适配写得温和一些，或者把写的情绪变化改小，让差的回答和好的回答把{name_zh}往相反的方向带"),
            )
        } else {
            (
                format!("make the options' mood changes smaller, so that poor answers and good ones move {name} in opposite directions and the starting mood still counts a few turns in"),
                format!("把选项写的情绪变化改小，让差的回答和好的回答把{name_zh}往相反的方向带，这样几个回合之后起始情绪仍然起作用"),
            )
        };
        let (path, anchors): (String, Vec<String>) = match written_at {
            Some(p) => {
                let id = &s.citizen.personas.as_ref().expect("a persona with its own mood")[p].id;
                (format!("citizen.personas[{p}].mood.{name}"), vec!["citizen".into(), "personas".into(), quoted(id), "mood".into()])
            }
            None => (format!("citizen.mood.{name}"), vec!["citizen".into(), "mood".into()]),
        };
        let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
        ck.warn("starting-mood-meaningless", path, message, message_zh, &anchors, Some(name)).help(help, help_zh);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse::parse_scenario;

    /// A hotline scenario a test-wise trainee could game: in every turn the
    /// best answer is the longest and the politest, and the same for every
    /// DISC style; one answer claims everything at once; nothing is a trap;
    /// a turn and an ending no route reaches, a flag nobody sets, an
    /// English text left out, no work order.
    const GAMEABLE: &str = r#"(
        id: "gameable", format: 1,
        title: (zh: "停水", en: "Water cut"), summary: (zh: "停水来电。", en: "A call about a water cut."),
        channel: Hotline, difficulty: Introductory, minutes: 5,
        citizen: (
            name: (zh: "王女士", en: "Ms Wang"), age: 40,
            situation: (zh: "家里停水一天了。", en: "No water at home for a day."),
            disc: (primary: D), mood: (upset: 40, trust: 40),
        ),
        start: "greet",
        turns: [
            (id: "greet", says: [(variants: [(zh: "又停水了！", en: "The water's off again!")])], options: [
                (id: "greet_best", text: (zh: "您好，抱歉让您久等了，请别着急，谢谢您来电，您慢慢说，我帮您记清楚。", en: "Hello, very sorry to keep you waiting."),
                 evidence: {P1: 3, E1: 3, E2: 3, E3: 3}, stage: Reception, fit: (d: 2, i: 2, s: 2, c: 2), mood: (upset: -10, trust: 10),
                 feedback: (zh: "好。", en: "Good."), next: "facts"),
                (id: "greet_meh", text: (zh: "嗯，说吧。", en: "Go on."),
                 evidence: {P1: 1, E1: 1}, stage: Reception, feedback: (zh: "冷淡。", en: "Cold."), next: "facts"),
            ]),
            (id: "facts", says: [(variants: [(zh: "从昨天就没水。", en: "Since yesterday."), (zh: "一整天了。", en: "")])], options: [
                (id: "facts_best", text: (zh: "请问您家地址是哪里？从昨天几点停的？麻烦您再说一下，我复述给您确认，谢谢。", en: "When did it start, and where do you live?"),
                 evidence: {L2: 3, L3: 3, L4: 3, P2: 3}, stage: Gathering, fit: (d: 2, i: 2, s: 2, c: 2), mood: (upset: -10, trust: 10),
                 feedback: (zh: "好。", en: "Good."), next: "promise"),
                (id: "facts_meh", text: (zh: "地址？", en: "Address?"),
                 evidence: {L2: 1}, stage: Gathering, feedback: (zh: "太短。", en: "Too short."), next: "promise"),
            ]),
            (id: "promise", says: [(variants: [(zh: "什么时候来水？", en: "When will it be back?")])], options: [
                (id: "promise_best", text: (zh: "感谢您理解，我马上登记工单转供水公司，两个工作日内回复您，请保持电话畅通，谢谢。", en: "I will log it and pass it to the water company."),
                 evidence: {C2: 3, C3: 3, C4: 3, P5: 3}, stage: Solution, fit: (d: 2, i: 2, s: 2, c: 2), mood: (upset: -10, trust: 10),
                 feedback: (zh: "好。", en: "Good."), next: "done"),
                (id: "promise_all", text: (zh: "我全都给您办好。", en: "I will sort out everything."),
                 evidence: {L2: 3, L3: 3, L4: 3, C2: 3, C3: 3, P4: 3}, stage: Solution, feedback: (zh: "话太多。", en: "Too much."), next: "done"),
                (id: "promise_meh", text: (zh: "等通知。", en: "Wait."),
                 evidence: {C2: 1}, stage: Solution, feedback: (zh: "不具体。", en: "Vague."), next: "done"),
            ]),
            (id: "orphan", says: [(when: Flag("callback_promised"), variants: [(zh: "你们说过回电的。", en: "You said you would call back.")]), (variants: [(zh: "喂？", en: "Hello?")])], options: [
                (id: "orphan_a", text: (zh: "再见。", en: "Goodbye."), evidence: {P5: 1}, stage: Solution, feedback: (zh: "差。", en: "Poor."), next: "lost"),
                (id: "orphan_b", text: (zh: "稍等。", en: "One moment."), evidence: {P5: 1}, stage: Solution, feedback: (zh: "差。", en: "Poor."), next: "done"),
            ]),
        ],
        endings: [
            (id: "done", outcome: Resolved, text: (zh: "好的，谢谢。", en: "All right, thanks.")),
            (id: "lost", outcome: HungUp, text: (zh: "挂断了。", en: "Hangs up.")),
        ],
    )"#;

    fn findings(source: &str) -> Vec<Diagnostic> {
        let scenario = parse_scenario(source, "gameable.ron").expect("the test scenario parses");
        check(scenario, source, "gameable.ron", None).findings
    }

    /// Every finding in both languages: trainers read Chinese first, and
    /// `validate --lang zh` is what they run.
    fn untranslated(found: &[Diagnostic]) -> Vec<String> {
        found
            .iter()
            .filter(|d| {
                d.message_zh.as_deref().is_none_or(|m| m.trim().is_empty() || !m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
                    || (d.help.is_some() && d.help_zh.as_deref().is_none_or(|h| h.trim().is_empty()))
            })
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect()
    }

    /// Three turns in which every answer calms the resident: the written
    /// numbers alone leave him at upset 20, the reaction to answers that
    /// suit a D (−8 each) takes him to 0 by the third answer whatever is
    /// said. The steady persona is put off by the same answers (+4 each).
    const PINNED: &str = r#"(
        id: "pinned", format: 1,
        title: (zh: "开证明", en: "A certificate"), summary: (zh: "第三趟。", en: "The third trip."),
        channel: Counter, difficulty: Introductory, minutes: 5,
        citizen: (
            name: (zh: "刘师傅", en: "Mr Liu"), age: 58,
            situation: (zh: "第三趟来开证明。", en: "His third trip for a certificate."),
            disc: (primary: D),
            mood: (upset: 50, trust: 30),
            personas: [(id: "steady", label: (zh: "稳健型", en: "Steady"), disc: (primary: S),
                        mood: (upset: 50, trust: 30))],
        ),
        start: "a",
        turns: [
            (id: "a", says: [(variants: [(zh: "又少东西？", en: "Missing again?")])], options: [
                (id: "a_good", text: (zh: "对不起，我来核。", en: "Sorry, let me check."), evidence: {E1: 3}, stage: Calming, fit: (d: 2, s: -1), mood: (upset: -12), feedback: (zh: "好", en: "Good"), next: "b"),
                (id: "a_cold", text: (zh: "材料给我。", en: "Papers, please."), evidence: {E1: 1}, stage: Calming, fit: (d: 2, s: -1), mood: (upset: -10), feedback: (zh: "冷", en: "Cold"), better: "a_good", next: "b"),
            ]),
            (id: "b", says: [(variants: [(zh: "还差什么？", en: "What's missing?")])], options: [
                (id: "b_good", text: (zh: "还差合同。", en: "The agreement."), evidence: {L2: 3}, stage: Gathering, fit: (d: 2, s: -1), mood: (upset: -12), feedback: (zh: "好", en: "Good"), next: "c"),
                (id: "b_cold", text: (zh: "回去拿。", en: "Go and get it."), evidence: {L2: 1}, stage: Gathering, fit: (d: 2, s: -1), mood: (upset: -10), feedback: (zh: "冷", en: "Cold"), better: "b_good", next: "c"),
            ]),
            (id: "c", says: [(variants: [(zh: "然后呢？", en: "And then?")])], options: [
                (id: "c_good", text: (zh: "直接找我。", en: "Come straight to me."), evidence: {P5: 3}, stage: FollowUp, fit: (d: 2, s: -1), mood: (upset: -12), feedback: (zh: "好", en: "Good"), next: "done"),
                (id: "c_cold", text: (zh: "再排队。", en: "Queue again."), evidence: {P5: 1}, stage: FollowUp, fit: (d: 2, s: -1), mood: (upset: -10), feedback: (zh: "冷", en: "Cold"), better: "c_good", next: "done"),
            ]),
        ],
        endings: [(id: "done", outcome: Resolved, text: (zh: "好的。", en: "Fine."))],
    )"#;

    fn pinned(source: &str) -> Vec<Diagnostic> {
        findings(source).into_iter().filter(|d| d.code == "starting-mood-meaningless").collect()
    }

    #[test]
    fn a_starting_mood_every_answer_overrides_is_warned_about_where_it_is_written() {
        let line_of = |source: &str, text: &str| source.lines().position(|l| l.contains(text)).unwrap() + 1;
        let found = pinned(PINNED);
        assert_eq!(found.len(), 1, "{found:#?}");
        let d = &found[0];
        assert!(!d.is_error());
        assert_eq!((d.line, d.path.as_str()), (line_of(PINNED, "            mood: (upset: 50"), "citizen.mood.upset"), "{d:?}");
        assert!(d.message.contains("the starting upset (50) for persona \"main\" makes no difference"), "{}", d.message);
        assert!(d.message.contains("upset is at 0 by answer 3"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("reaction to the answers' DISC fit"), "{:?}", d.help);
        assert!(d.message_zh.as_deref().unwrap().contains("人设“main”的起始不满（50）没有意义"), "{:?}", d.message_zh);
        assert_eq!(untranslated(&found), Vec::<String>::new());
        let script = Script::new(parse_scenario(PINNED, "pinned.ron").unwrap()).unwrap();
        let analyses = analyze_personas(&script).unwrap();
        assert_eq!(analyses[0].pinned.len(), 1);
        assert!(analyses[0].pinned[0].by_reaction, "the written numbers alone leave upset at 20");
        assert_eq!(analyses[1].pinned, vec![], "the steady persona is put off by the same answers");

        // Written numbers that calm him fully on their own pin both
        // personas, each at the mood it states; the help is then about
        // the written numbers.
        let strong = PINNED.replace("mood: (upset: -12)", "mood: (upset: -25)").replace("mood: (upset: -10)", "mood: (upset: -24)");
        let found = pinned(&strong);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[1].path, "citizen.personas[0].mood.upset");
        assert_eq!(found[1].line, line_of(&strong, "                        mood: (upset: 50"));
        assert!(found.iter().all(|d| !d.help.as_deref().unwrap().contains("DISC")), "{found:#?}");

        // One poor answer that upsets him is enough: the start counts.
        assert_eq!(pinned(&PINNED.replacen("mood: (upset: -10)", "mood: (upset: 12)", 1)), vec![]);
        // So does a bound he starts at: upset 0 is the author's choice.
        assert_eq!(pinned(&PINNED.replace("upset: 50", "upset: 0")), vec![]);
    }

    #[test]
    fn a_gameable_scenario_is_told_so_in_chinese() {
        let found = findings(GAMEABLE);
        let codes: HashSet<&str> = found.iter().map(|d| d.code).collect();
        for code in [
            "gameable-player-passes",
            "best-is-longest",
            "style-does-not-matter",
            "over-claiming",
            "no-red-flag-trap",
            "unreachable-turn",
            "unreachable-ending",
            "no-breakdown-ending",
            "flag-never-set",
            "missing-en",
            "work-order-missing",
        ] {
            assert!(codes.contains(code), "no {code} among {codes:?}");
        }
        assert_eq!(untranslated(&found), Vec::<String>::new());
        let longest = found.iter().find(|d| d.code == "best-is-longest").expect("found above");
        assert!(longest.message_in(crate::scenario::model::Lang::Zh).contains("最长"), "{longest:?}");
        assert!(longest.render(crate::scenario::model::Lang::Zh).contains("提示: "), "{}", longest.render(crate::scenario::model::Lang::Zh));
    }

    #[test]
    fn a_counter_scenario_without_a_notice_is_warned_about_and_one_with_a_notice_is_not() {
        let counter = GAMEABLE.replacen("channel: Hotline", "channel: Counter", 1);
        let found = findings(&counter);
        let missing: Vec<&Diagnostic> = found.iter().filter(|d| d.code == "notice-missing").collect();
        assert_eq!(missing.len(), 1, "{found:#?}");
        assert!(!missing[0].is_error());
        assert_eq!(missing[0].line, counter.lines().position(|l| l.contains("channel: Counter")).unwrap() + 1, "located at the channel");
        assert!(missing[0].message_in(crate::scenario::model::Lang::Zh).contains("告知单"), "{:?}", missing[0]);
        assert_eq!(untranslated(&found), Vec::<String>::new());
        assert!(!found.iter().any(|d| d.code == "work-order-missing"), "a counter scenario needs no work order");
        let with_notice = counter.replacen("minutes: 5,", "minutes: 5, notice: (entries: [\"some-entry\"]),", 1);
        assert!(!findings(&with_notice).iter().any(|d| d.code == "notice-missing"));
        // A hotline scenario is told about its work order, not a notice.
        assert!(!findings(GAMEABLE).iter().any(|d| d.code == "notice-missing"));
    }

    #[test]
    fn structural_mistakes_are_told_in_chinese_too() {
        // One scenario breaking many rules at once: ids, ranges, references.
        let broken = GAMEABLE
            .replacen("id: \"gameable\"", "id: \"game able\"", 1)
            .replacen("format: 1", "format: 2", 1)
            .replacen("minutes: 5", "minutes: 0", 1)
            .replacen("mood: (upset: 40, trust: 40)", "mood: (upset: 140, trust: 40), personas: []", 1)
            .replacen("id: \"facts\"", "id: \"greet\"", 1)
            .replacen("{P1: 1, E1: 1}", "{P1: 5, E1: 1}", 1)
            .replacen("fit: (d: 2, i: 2, s: 2, c: 2), mood: (upset: -10, trust: 10),\n                 feedback: (zh: \"好。\", en: \"Good.\"), next: \"facts\")", "fit: (d: 3), better: \"greet_best\", feedback: (zh: \"\", en: \"\"), next: \"fatcs\")", 1)
            .replacen("id: \"orphan_b\"", "id: \"orphan_a\"", 1)
            .replacen("next: \"lost\"", "next: \"lost\", routes: [(when: UpsetAtLeast(120), to: \"lots\")]", 1);
        let found = findings(&broken);
        let codes: HashSet<&str> = found.iter().map(|d| d.code).collect();
        for code in ["bad-id", "format-version", "no-duration", "out-of-range", "no-personas", "duplicate-id", "better-is-self", "no-feedback", "unknown-target"] {
            assert!(codes.contains(code), "no {code} among {codes:?}");
        }
        assert_eq!(untranslated(&found), Vec::<String>::new());
    }
}

