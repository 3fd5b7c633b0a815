//! Why a played route scores what it scores: for an author who wants to
//! see the rules at work. Every figure is recomputed from the flow the
//! encounter played, step by step in the order the scorer applies them,
//! and checked against the encounter's own score card, so the explanation
//! cannot drift from the score.

use crate::play::engine::Encounter;
use crate::play::flow::{TIMEOUT_TRUST, TIMEOUT_UPSET};
use crate::play::rubric::{
    Aggregation, DISC_GATE, DISSATISFIED_TRUST_BELOW, DISSATISFIED_UPSET, Dimension, LEVEL_MAX, Rating, SATISFIED_TRUST,
    SATISFIED_UPSET_BELOW, talk_tolerance,
};
use crate::play::score::ScoreNote;
use crate::scenario::model::{AnswerKind, DiscProfile, Item, Lang, Mood, Outcome, RedFlag, Text};
use std::fmt::Write;

/// One answer: what it recorded and how it moved the citizen.
#[derive(Debug, Clone, PartialEq)]
pub struct StepTrace {
    pub turn_id: String,
    pub option_id: String,
    pub mood_before: Mood,
    pub mood_after: Mood,
    /// The change the author wrote on the option (upset, trust).
    pub authored: (i16, i16),
    /// The citizen's reaction to the answer's fit with their DISC style,
    /// added on top of the author's numbers.
    pub reaction: (i16, i16),
    /// The cost of a hotline answer given after the turn's time limit.
    pub late: Option<(i16, i16)>,
    /// The sum went past 0 or 100 and was held there.
    pub clamped: bool,
    /// Too long for this caller, or claiming too many items at once.
    pub overtalk: bool,
    /// Evidence as recorded for this persona (DISC evidence from the fit
    /// and the over-talking cost included).
    pub evidence: Vec<(Item, u8)>,
    /// Content items this turn offered (another option showed them) that
    /// this answer showed below "adequate", with the level it showed.
    pub missed: Vec<(Item, u8)>,
    pub premature_solution: bool,
    pub red_flag: Option<RedFlag>,
    /// The option's kind, if it declares one, and the items (with their
    /// levels as written or defaulted) that came from the kind's defaults
    /// and from the file's `evidence`.
    pub kind: Option<AnswerKind>,
    pub from_kind: Vec<(Item, u8)>,
    pub written: Vec<(Item, u8)>,
}

/// How one rubric item reached its final level.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemTrace {
    pub item: Item,
    pub aggregation: Aggregation,
    /// (step index, level) for every answer that recorded the item.
    pub evidence: Vec<(usize, u8)>,
    /// The best or worst of `evidence`, or the unseen level.
    pub aggregated: u8,
    /// Missed chances: the cap and the steps that caused it.
    pub chance_cap: Option<(u8, Vec<usize>)>,
    /// Capped at "missed" because a solution came while the citizen was
    /// still highly upset (E1, P2).
    pub premature_cap: bool,
    /// Capped at "missed" because empathy or clarity was under the gate
    /// (DISC items).
    pub disc_gated: bool,
    pub level: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DimensionTrace {
    pub dimension: Dimension,
    pub weight: u32,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RatingTrace {
    pub rating: Rating,
    pub outcome: Outcome,
    pub mood: Mood,
    pub why: Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub persona: String,
    pub disc: DiscProfile,
    /// Characters this caller listens to before a reply is over-talking.
    pub talk_limit: usize,
    pub start_mood: Mood,
    pub steps: Vec<StepTrace>,
    /// Every rubric item, in `Item::ALL` order.
    pub items: Vec<ItemTrace>,
    pub dimensions: Vec<DimensionTrace>,
    pub overall: f32,
    pub passed: bool,
    pub red_flags: Vec<RedFlag>,
    pub notes: Vec<ScoreNote>,
    pub rating: Option<RatingTrace>,
    /// The scenario also scores a work order, a notice or a risk protocol,
    /// which can cap items further; this explanation covers the
    /// conversation only.
    pub desk_applies: bool,
}

/// Explains the conversation score of `encounter` as played so far.
pub fn explain(encounter: &Encounter) -> Explanation {
    let scenario = encounter.scenario();
    let flow = encounter.flow();
    let persona = encounter.persona_view();
    let mut steps = Vec::with_capacity(encounter.steps().len());
    for step in encounter.steps() {
        let turn = scenario.turns.iter().position(|t| t.id == step.turn_id).expect("a step names a turn of its scenario");
        let option = &scenario.turns[turn].options[step.choice];
        let played = &flow.turns[turn].choices[step.choice];
        let authored = (option.mood.upset as i16, option.mood.trust as i16);
        let late = (step.timed_out && flow.turns[turn].time_limit.is_some()).then_some((TIMEOUT_UPSET, TIMEOUT_TRUST));
        let (late_upset, late_trust) = late.unwrap_or((0, 0));
        let raw_upset = step.mood_before.upset as i16 + played.upset + late_upset;
        let raw_trust = step.mood_before.trust as i16 + played.trust + late_trust;
        steps.push(StepTrace {
            turn_id: step.turn_id.clone(),
            option_id: step.choice_id.clone(),
            mood_before: step.mood_before,
            mood_after: step.mood_after,
            authored,
            reaction: (played.upset - authored.0, played.trust - authored.1),
            late,
            clamped: !(0..=100).contains(&raw_upset) || !(0..=100).contains(&raw_trust),
            overtalk: played.overtalk,
            evidence: played.evidence.clone(),
            missed: played.chances.iter().copied().filter(|&(_, level)| level < 2).collect(),
            premature_solution: step.premature_solution,
            red_flag: step.red_flag,
            kind: option.kind,
            from_kind: option.evidence.iter().filter(|(i, _)| option.kind_items.contains(i)).map(|(i, l)| (*i, *l)).collect(),
            written: option.evidence.iter().filter(|(i, _)| !option.kind_items.contains(i)).map(|(i, l)| (*i, *l)).collect(),
        });
    }

    let mut items: Vec<ItemTrace> = Item::ALL
        .iter()
        .map(|&item| {
            let evidence: Vec<(usize, u8)> = steps
                .iter()
                .enumerate()
                .flat_map(|(n, s)| s.evidence.iter().filter(move |(i, _)| *i == item).map(move |(_, l)| (n, (*l).min(LEVEL_MAX))))
                .collect();
            let levels = evidence.iter().map(|(_, l)| *l);
            let aggregated = match item.aggregation() {
                Aggregation::Best => levels.max(),
                Aggregation::Worst => levels.min(),
            }
            .unwrap_or(item.unseen_level());
            let mut level = aggregated;
            // The scorer keeps the worst miss: "harmful" caps at 1, "missed" at 2.
            let misses: Vec<(usize, u8)> = steps
                .iter()
                .enumerate()
                .filter_map(|(n, s)| s.missed.iter().find(|(i, _)| *i == item).map(|(_, l)| (n, *l)))
                .collect();
            let chance_cap = (item.aggregation() == Aggregation::Best)
                .then(|| misses.iter().map(|(_, l)| 1 + *l).min())
                .flatten()
                .filter(|cap| level > *cap)
                .map(|cap| (cap, misses.iter().filter(|(_, l)| 1 + *l == cap).map(|(n, _)| *n).collect()));
            if let Some((cap, _)) = &chance_cap {
                level = *cap;
            }
            let premature_cap = matches!(item, Item::E1 | Item::P2) && steps.iter().any(|s| s.premature_solution) && level > 1;
            if premature_cap {
                level = 1;
            }
            ItemTrace { item, aggregation: item.aggregation(), evidence, aggregated, chance_cap, premature_cap, disc_gated: false, level }
        })
        .collect();
    let dimension_score = |items: &[ItemTrace], dim: Dimension| {
        let sum: u32 = dim.items().iter().map(|i| items[i.index()].level as u32).sum();
        100.0 * sum as f32 / (LEVEL_MAX as u32 * dim.items().len() as u32) as f32
    };
    if dimension_score(&items, Dimension::Empathy) < DISC_GATE || dimension_score(&items, Dimension::Clarity) < DISC_GATE {
        for item in Dimension::Disc.items() {
            let trace = &mut items[item.index()];
            if trace.level > 1 {
                trace.level = 1;
                trace.disc_gated = true;
            }
        }
    }

    let card = encounter.score();
    debug_assert!(
        items.iter().all(|t| t.level == card.item(t.item)),
        "the explanation recomputes the card: {:?} against {:?}",
        items.iter().map(|t| t.level).collect::<Vec<_>>(),
        card.items
    );
    let dimensions = Dimension::ALL
        .iter()
        .map(|&dimension| DimensionTrace { dimension, weight: dimension.weight(), score: card.dimension(dimension) })
        .collect();
    let rating = match (card.rating, card.outcome) {
        (Some(rating), Some(outcome)) => {
            let mood = encounter.mood();
            Some(RatingTrace { rating, outcome, mood, why: rating_reason(outcome, mood) })
        }
        _ => None,
    };
    Explanation {
        persona: persona.id.clone(),
        disc: persona.disc,
        talk_limit: talk_tolerance(persona.disc.primary),
        start_mood: encounter.mood_trace()[0],
        steps,
        items,
        dimensions,
        overall: card.overall,
        passed: card.passed,
        red_flags: card.red_flags.clone(),
        notes: card.notes.clone(),
        rating,
        desk_applies: scenario.work_order.is_some()
            || scenario.no_order.is_some()
            || scenario.notice.is_some()
            || scenario.protocol.is_some(),
    }
}

/// The rule of `citizen_rating` that decided, in words.
fn rating_reason(outcome: Outcome, mood: Mood) -> Text {
    let (u, t) = (mood.upset, mood.trust);
    if outcome.is_breakdown() {
        Text::new(
            format!("结局是“{}”：无论情绪如何都是“不满意”。", outcome.label().zh),
            format!("The ending is “{}”: “dissatisfied” whatever the mood.", outcome.label().en),
        )
    } else if u >= DISSATISFIED_UPSET {
        Text::new(
            format!("结束时不满 {u}，达到 {DISSATISFIED_UPSET}：“不满意”。"),
            format!("Upset ended at {u}, at least {DISSATISFIED_UPSET}: “dissatisfied”."),
        )
    } else if t < DISSATISFIED_TRUST_BELOW {
        Text::new(
            format!("结束时信任 {t}，低于 {DISSATISFIED_TRUST_BELOW}：“不满意”。"),
            format!("Trust ended at {t}, below {DISSATISFIED_TRUST_BELOW}: “dissatisfied”."),
        )
    } else if u < SATISFIED_UPSET_BELOW && t >= SATISFIED_TRUST {
        Text::new(
            format!("结束时不满 {u}（低于 {SATISFIED_UPSET_BELOW}），信任 {t}（不低于 {SATISFIED_TRUST}）：“满意”。"),
            format!("Upset ended at {u} (below {SATISFIED_UPSET_BELOW}) and trust at {t} (at least {SATISFIED_TRUST}): “satisfied”."),
        )
    } else {
        Text::new(
            format!(
                "结束时不满 {u}、信任 {t}：不算不满意，但“满意”要不满低于 {SATISFIED_UPSET_BELOW} 且信任不低于 {SATISFIED_TRUST}：“基本满意”。"
            ),
            format!(
                "Upset ended at {u} and trust at {t}: not dissatisfied, but “satisfied” needs upset below {SATISFIED_UPSET_BELOW} and trust of at least {SATISFIED_TRUST}: “basically satisfied”."
            ),
        )
    }
}

pub fn signed(n: i16) -> String {
    if n >= 0 { format!("+{n}") } else { n.to_string() }
}

fn levels(e: &[(Item, u8)]) -> String {
    if e.is_empty() { "-".to_string() } else { e.iter().map(|(i, l)| format!("{i:?}={l}")).collect::<Vec<_>>().join(" ") }
}

impl StepTrace {
    /// What this answer recorded, item by item ("L1=2 E1=3").
    pub fn records(&self) -> String {
        levels(&self.evidence)
    }

    /// What else the scorer noted about this answer: over-talking, a
    /// solution too early, a red flag, its answer kind, missed chances.
    /// Shared by the command line and the app's practice debrief.
    pub fn marks(&self) -> Vec<Text> {
        let mut marks = Vec::new();
        if self.overtalk {
            marks.push(Text::new("说得太多：证据最多记 2，C1、D3 记 1", "over-talking: evidence capped at 2, C1 and D3 recorded at 1"));
        }
        if self.premature_solution {
            marks.push(Text::new("对方还很激动就给方案", "a solution while the citizen was still highly upset"));
        }
        if let Some(flag) = self.red_flag {
            let label = flag.label();
            marks.push(Text::new(format!("红线：{}", label.zh), format!("red flag: {}", label.en)));
        }
        if let Some(kind) = self.kind {
            let label = kind.label();
            let (defaults, written) = (levels(&self.from_kind), levels(&self.written));
            marks.push(Text::new(
                format!("回答类型 {} ({kind:?})：按类型默认 {defaults}；文件里写的 {written}", label.zh),
                format!("kind {} ({kind:?}): its defaults for this stage {defaults}; written in the file {written}", label.en),
            ));
        }
        if !self.missed.is_empty() {
            let missed = levels(&self.missed);
            marks.push(Text::new(format!("错过的机会：{missed}"), format!("missed chances: {missed}")));
        }
        marks
    }
}

impl ItemTrace {
    /// How the item's answers combine.
    pub fn rule(&self) -> Text {
        match self.aggregation {
            Aggregation::Best => Text::new("取最好的一次", "best answer counts"),
            Aggregation::Worst => Text::new("取最差的一次", "worst answer counts"),
        }
    }

    /// Which answers showed the item, by step number ("[1]=2 [3]=1").
    pub fn seen(&self) -> Text {
        if self.evidence.is_empty() {
            Text::new("没有回答涉及，按未出现计", "no answer showed it: the unseen level")
        } else {
            let from: Vec<String> = self.evidence.iter().map(|(n, l)| format!("[{}]={l}", n + 1)).collect();
            let from = from.join(" ");
            Text::new(from.clone(), from)
        }
    }

    /// The caps that lowered the item after its answers were combined.
    pub fn caps(&self) -> Vec<Text> {
        let mut caps = Vec::new();
        if let Some((cap, at)) = &self.chance_cap {
            let at: Vec<String> = at.iter().map(|n| format!("[{}]", n + 1)).collect();
            let at = at.join(" ");
            caps.push(Text::new(format!("错过机会，封顶 {cap}：{at}"), format!("missed chance, capped at {cap}: {at}")));
        }
        if self.premature_cap {
            caps.push(Text::new("方案给早了，封顶 1", "solution too early, capped at 1"));
        }
        if self.disc_gated {
            caps.push(Text::new("共情或清晰不足 50，DISC 封顶 1", "empathy or clarity under 50, DISC capped at 1"));
        }
        caps
    }
}

impl Explanation {
    /// The overall score as the weighted sum it is ("62.5×25% + …").
    pub fn overall_sum(&self) -> String {
        let weighted: Vec<String> = self.dimensions.iter().map(|d| format!("{:.1}×{}%", d.score, d.weight)).collect();
        format!("{} = {:.1}", weighted.join(" + "), self.overall)
    }

    /// Said when the scenario's desk (work order, notice, protocol) scores
    /// too, which this explanation of the conversation leaves out.
    pub fn desk_note(&self) -> Option<Text> {
        self.desk_applies.then(|| {
            Text::new(
                "（本场景还要评工单、告知单或风险处置，它们可能再给某些项目封顶；这里只说明对话部分。）",
                "(This scenario also scores a work order, a notice or a risk protocol, which can cap items further; this explains the conversation only.)",
            )
        })
    }

    /// The explanation as plain text, for the command line.
    pub fn render_text(&self, lang: Lang) -> String {
        let tr = |zh: &str, en: &str| if lang == Lang::Zh { zh.to_string() } else { en.to_string() };
        let mut out = String::new();
        let style = match self.disc.secondary {
            Some(s) => format!("{:?}/{:?}", self.disc.primary, s),
            None => format!("{:?}", self.disc.primary),
        };
        let _ = writeln!(
            out,
            "{} {} · DISC {style} · {} {}",
            tr("角色", "Persona"),
            self.persona,
            tr("回答超过这么多字即为说得太多：", "a reply longer than this many characters is over-talking:"),
            self.talk_limit
        );
        let _ = writeln!(out, "\n{}", tr("情绪变化（作者写的 + 对 DISC 风格的反应）", "Mood, step by step (the author's numbers + the reaction to the DISC fit)"));
        let _ = writeln!(
            out,
            "  {}  {} {} · {} {}",
            tr("开始", "start"),
            tr("不满", "upset"),
            self.start_mood.upset,
            tr("信任", "trust"),
            self.start_mood.trust
        );
        for (n, s) in self.steps.iter().enumerate() {
            let late = s.late.map(|(u, t)| format!(" {} {}/{}", tr("超时", "late"), signed(u), signed(t))).unwrap_or_default();
            let clamped = if s.clamped { tr("（到 0 或 100 为止）", " (held at 0 or 100)") } else { String::new() };
            let _ = writeln!(
                out,
                "  [{}] {}: {}  {} {}/{} · DISC {}/{}{late} → {} {} · {} {}{clamped}",
                n + 1,
                s.turn_id,
                s.option_id,
                tr("作者", "author"),
                signed(s.authored.0),
                signed(s.authored.1),
                signed(s.reaction.0),
                signed(s.reaction.1),
                tr("不满", "upset"),
                s.mood_after.upset,
                tr("信任", "trust"),
                s.mood_after.trust
            );
            let _ = writeln!(out, "      {} {}", tr("记录：", "records:"), s.records());
            for mark in s.marks() {
                let _ = writeln!(out, "      · {}", mark.get(lang));
            }
        }

        let _ = writeln!(out, "\n{}", tr("各项得分（0 有害 · 1 缺失 · 2 合格 · 3 优秀）", "Items (0 harmful · 1 missed · 2 adequate · 3 exemplary)"));
        for dim in &self.dimensions {
            let _ = writeln!(
                out,
                "  {} {:.1}  ({} {}%)",
                dim.dimension.label().get(lang),
                dim.score,
                tr("权重", "weight"),
                dim.weight
            );
            for item in dim.dimension.items() {
                let t = &self.items[item.index()];
                let mut line = format!("    {:?} {} = {}  ({}; {} → {}", t.item, t.item.label().get(lang), t.level, t.rule().get(lang), t.seen().get(lang), t.aggregated);
                for cap in t.caps() {
                    let _ = write!(line, "; {}", cap.get(lang));
                }
                line.push(')');
                let _ = writeln!(out, "{line}");
            }
        }
        let _ = writeln!(out, "\n{} = {}", tr("总分", "Overall"), self.overall_sum());
        if let Some(r) = &self.rating {
            let _ = writeln!(out, "{} {}{}{}", tr("群众评价", "Citizen's rating"), r.rating.label().get(lang), tr("：", ": "), r.why.get(lang));
        }
        for note in &self.notes {
            let _ = writeln!(out, "· {}", note.text().get(lang));
        }
        let verdict = if self.passed { tr("通过", "pass") } else { tr("不通过", "fail") };
        let _ = writeln!(out, "{}{verdict}", tr("结果：", "Verdict: "));
        if let Some(note) = self.desk_note() {
            let _ = writeln!(out, "{}", note.get(lang));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze::{Objective, analyze_personas};
    use crate::library::load::load_all;
    use crate::play::engine::Script;
    use std::path::Path;
    use std::sync::Arc;

    fn load(path: &Path) -> Arc<Script> {
        let loaded = load_all(&[path.to_path_buf()]);
        loaded[0].script().cloned().unwrap_or_else(|| panic!("{}: {:#?}", path.display(), loaded[0].errors()))
    }

    fn play(script: &Arc<Script>, persona: usize, ids: &[&str]) -> Encounter {
        let mut encounter = Encounter::with_persona(script.clone(), 0, persona);
        for id in ids {
            let turn = encounter.prompt().expect("a turn to answer").turn;
            let choice = turn.options.iter().position(|o| o.id == *id).unwrap_or_else(|| panic!("no option {id}"));
            encounter.choose(choice, None).unwrap();
        }
        encounter
    }

    /// The worked example of the trainers' scoring guide, computed by hand
    /// there (section "A worked example / 算一遍").
    #[test]
    fn the_worked_example_is_explained_as_the_scoring_guide_computes_it_by_hand() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let script = load(&root.join("docs/examples/worked-example-third-trip.ron"));
        let played = play(&script, 0, &["d_own_it", "d_check", "s_list", "maybe", "d_close"]);
        let e = explain(&played);
        assert_eq!(e.start_mood, Mood { upset: 70, trust: 30 });
        let vent = &e.steps[0];
        assert_eq!((vent.authored, vent.reaction), ((-12, 10), (-8, 6)), "a D fit of +2 on a D: −8 upset, +6 trust");
        assert_eq!(vent.mood_after, Mood { upset: 50, trust: 46 });
        let list = &e.steps[2];
        assert_eq!((list.authored, list.reaction), ((-12, 10), (4, -3)), "the S way said to a D: fit −1");
        assert_eq!(list.mood_after, Mood { upset: 22, trust: 69 });
        assert_eq!(e.steps[3].mood_after, Mood { upset: 41, trust: 54 });
        assert_eq!(e.steps[4].mood_after, Mood { upset: 21, trust: 70 });

        let item = |i: Item| &e.items[i.index()];
        assert_eq!(item(Item::D1).level, 2);
        assert_eq!(item(Item::D1).aggregated, 3);
        assert_eq!(item(Item::D1).chance_cap, Some((2, vec![2, 3])), "missed in list and in when");
        assert_eq!(item(Item::D3).level, 1);
        assert_eq!(item(Item::D3).aggregation, Aggregation::Worst);
        assert_eq!(item(Item::C3).level, 0);
        assert_eq!(item(Item::C3).chance_cap, None, "its best is 0 anyway: the cap of 1 changes nothing");
        assert_eq!(item(Item::P3).level, 1);
        assert_eq!(item(Item::P4).level, 0);
        let scores: Vec<String> = e.dimensions.iter().map(|d| format!("{:.1}", d.score)).collect();
        assert_eq!(scores, ["100.0", "100.0", "75.0", "55.6", "66.7"]);
        assert_eq!(format!("{:.1}", e.overall), "80.0");
        assert!(e.passed);
        let rating = e.rating.as_ref().expect("ended");
        assert_eq!(rating.rating, Rating::Satisfied);
        assert!(rating.why.en.contains("21") && rating.why.en.contains("70"), "{}", rating.why.en);

        let text = e.render_text(Lang::En);
        assert!(text.contains("[1] vent: d_own_it  author -12/+10 · DISC -8/+6 → upset 50 · trust 46"), "{text}");
        assert!(text.contains("D1 ") && text.contains("missed chance, capped at 2: [3] [4]"), "{text}");
        assert!(text.contains("Overall = 100.0×20% + 100.0×20% + 75.0×20% + 55.6×15% + 66.7×25% = 80.0"), "{text}");
        assert!(e.render_text(Lang::Zh).contains("群众评价 满意"), "{}", e.render_text(Lang::Zh));

        // The guide's variant: closing with send_off is rated 不满意.
        let sent_off = explain(&play(&script, 0, &["d_own_it", "d_check", "s_list", "maybe", "send_off"]));
        assert_eq!(sent_off.rating.as_ref().map(|r| r.rating), Some(Rating::Dissatisfied));
        assert!(!sent_off.passed);
        assert_eq!(format!("{:.1}", sent_off.overall), "66.7");
    }

    /// Every bundled scenario's best and worst route for every persona: the
    /// explanation's levels are the card's, so it never explains a score
    /// the trainee did not get.
    #[test]
    fn the_explanation_recomputes_every_bundled_best_and_worst_route() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut files: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "ron")).collect();
        files.sort();
        let mut checked = 0;
        for path in files {
            let script = load(&path);
            for (persona, analysis) in analyze_personas(&script).unwrap().iter().enumerate() {
                for route in [analysis.best(Objective::Overall), analysis.worst(Objective::Overall)] {
                    let Some(route) = route else { continue };
                    let played = Encounter::play_route_as(script.clone(), 0, persona, &route.route).unwrap();
                    let e = explain(&played);
                    let card = played.score();
                    for trace in &e.items {
                        assert_eq!(trace.level, card.item(trace.item), "{} persona {persona} {:?}", path.display(), trace.item);
                    }
                    assert_eq!(e.steps.len(), played.steps().len());
                    for (s, step) in e.steps.iter().zip(played.steps()) {
                        let sum = |m: Mood, d: (i16, i16), r: (i16, i16), l: Option<(i16, i16)>| {
                            let l = l.unwrap_or((0, 0));
                            ((m.upset as i16 + d.0 + r.0 + l.0).clamp(0, 100) as u8, (m.trust as i16 + d.1 + r.1 + l.1).clamp(0, 100) as u8)
                        };
                        assert_eq!(sum(s.mood_before, s.authored, s.reaction, s.late), (step.mood_after.upset, step.mood_after.trust));
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= 80, "checked {checked} routes");
    }
}
