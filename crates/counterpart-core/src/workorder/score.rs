//! Scoring a work order against the call, field by field, and what the
//! result does to the conversation's score card.
//!
//! The order does not add a dimension: it caps rubric items whose meaning
//! it measures objectively. Facts captured cap L2 (questions that capture
//! the facts); a contact detail written wrong caps L3 (reading back is
//! what catches it); the classification and dispatch cap P4 (a solution
//! within policy, sent to the right place); the time limit and callback
//! cap P5 (follow-up with a time limit). A cap only ever lowers a level,
//! so the analyzer's best and worst routes stay bounds of the conversation
//! with a perfect order, and scenarios without truth score as before.

use crate::knowledge::model::CategoryTree;
use crate::knowledge::text::{Segmenter, compact, digits, normalize};
use crate::play::rubric::{Dimension, LEVEL_MAX, PASS_DIMENSION_FLOOR, PASS_OVERALL};
use crate::play::score::ScoreCard;
use crate::scenario::model::{CityProfile, Disposition, Fact, FactKind, Item, NoOrderTruth, Scenario, Text, WorkOrderTruth};
use crate::workorder::order::{FieldName, InputIssue, WorkOrder, check_input, scored_part};
use serde::{Deserialize, Serialize};

/// What the scorer needs besides the order and the truth.
#[derive(Debug, Clone, Copy)]
pub struct WorkOrderContext<'a> {
    pub categories: Option<&'a CategoryTree>,
    pub profile: Option<&'a CityProfile>,
    pub segmenter: &'a Segmenter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verdict {
    Right,
    /// Some of it: part of an address, the right branch of the category tree.
    Partly,
    Wrong,
    /// Left empty although the call gave it.
    Missing,
    /// The call did not give it in this attempt, and nothing was written.
    NotSaid,
    /// Written, although the caller never said it in this attempt.
    Unsupported,
}

/// One field of the debrief: what the trainee wrote, what the call said,
/// and why the difference matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldResult {
    pub field: FieldName,
    pub verdict: Verdict,
    /// As typed (or the label of the choice made); empty when nothing was.
    pub wrote: String,
    /// What a correct order holds, as far as this attempt revealed it.
    pub said: Text,
    pub why: Text,
    /// Problems with the input itself (too long, control characters...).
    pub issues: Vec<Text>,
}

/// How the content text did on one of the five elements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementResult {
    pub element: FactKind,
    pub present: bool,
    /// True when the scenario's facts decided; false when no fact of this
    /// kind was revealed and the words of the text were read instead.
    pub from_facts: bool,
}

/// A revealed fact and whether the order carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactResult {
    pub fact: String,
    pub kind: FactKind,
    pub verdict: Verdict,
    pub said: Text,
}

/// Recomputed from the stored order whenever it is shown, so it is only
/// ever serialised (for exports), never read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderReport {
    pub fields: Vec<FieldResult>,
    /// Time, place, people, event, demand.
    pub elements: Vec<ElementResult>,
    /// Every revealed fact, in the scenario's order.
    pub facts: Vec<FactResult>,
    /// The most each rubric item can count after this order (only items
    /// the order lowered), with the reason.
    pub caps: Vec<(Item, u8, Text)>,
    pub input_issues: Vec<InputIssue>,
    /// Whether the call was rightly recorded as an order or as no order
    /// (a harassing or invalid call); None when the scenario wants an
    /// order and the trainee made one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<DispositionResult>,
}

/// Order or no order: how the trainee recorded the call against what it
/// was, for the debrief's first row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispositionResult {
    pub verdict: Verdict,
    /// What the trainee recorded: a disposition, or "an order" with its type.
    pub wrote: Text,
    /// What the call was.
    pub said: Text,
    pub why: Text,
}

impl OrderReport {
    pub fn field(&self, field: FieldName) -> Option<&FieldResult> {
        self.fields.iter().find(|f| f.field == field)
    }

    pub fn cap(&self, item: Item) -> Option<u8> {
        self.caps.iter().filter(|(i, _, _)| *i == item).map(|(_, l, _)| *l).min()
    }
}

pub(crate) const ELEMENTS: [FactKind; 5] = [FactKind::Time, FactKind::Place, FactKind::People, FactKind::Event, FactKind::Demand];

/// Scores `order` against `truth`, counting only the facts in `revealed`
/// (indices into `truth.facts`, from `reveal::revealed_facts`).
pub fn score_order(order: &WorkOrder, truth: &WorkOrderTruth, revealed: &[usize], ctx: WorkOrderContext<'_>) -> OrderReport {
    let input_issues = check_input(order, ctx.categories, ctx.profile);
    let issues_of = |field: FieldName| input_issues.iter().filter(|i| i.field == field).map(|i| i.message.clone()).collect::<Vec<_>>();
    let facts: Vec<&Fact> = revealed.iter().filter_map(|&i| truth.facts.get(i)).collect();
    let of_kind = |kind: FactKind| facts.iter().copied().filter(move |f| f.kind == kind);
    let read = |field: FieldName, text: &str| scored_part(text, field.max_chars());
    let content = read(FieldName::Content, &order.content);
    let content_compact = compact(&content);

    let mut fields = Vec::new();
    let mut fact_results = Vec::new();

    // Name, number and address: each fact of the kind against its own field.
    for (field, kind, typed) in [
        (FieldName::CallerName, FactKind::Name, &order.caller_name),
        (FieldName::Contact, FactKind::Phone, &order.contact),
        (FieldName::Address, FactKind::Address, &order.address),
    ] {
        let typed = read(field, typed);
        let wanted: Vec<&Fact> = of_kind(kind).collect();
        let verdicts: Vec<Verdict> = wanted.iter().map(|f| match_own_field(kind, &typed, f)).collect();
        for (f, v) in wanted.iter().zip(&verdicts) {
            fact_results.push(FactResult { fact: f.id.clone(), kind, verdict: *v, said: f.value.clone() });
        }
        let verdict = if wanted.is_empty() {
            if typed.trim().is_empty() { Verdict::NotSaid } else { Verdict::Unsupported }
        } else {
            verdicts.iter().copied().min().unwrap_or(Verdict::Missing)
        };
        let said = join_texts(wanted.iter().map(|f| &f.value));
        fields.push(FieldResult { field, verdict, wrote: typed, said, why: why_own_field(kind, verdict), issues: issues_of(field) });
    }

    // The content: every other revealed fact, and the five elements.
    let mut content_verdicts = Vec::new();
    for f in facts.iter().filter(|f| !matches!(f.kind, FactKind::Name | FactKind::Phone | FactKind::Address)) {
        let v = match_in_text(&content, &content_compact, f, ctx.segmenter);
        content_verdicts.push(v);
        fact_results.push(FactResult { fact: f.id.clone(), kind: f.kind, verdict: v, said: f.value.clone() });
    }
    // Keep facts in the scenario's order whatever field they belong to.
    fact_results.sort_by_key(|r| truth.facts.iter().position(|f| f.id == r.fact));
    let elements: Vec<ElementResult> = ELEMENTS
        .iter()
        .map(|&element| {
            let results: Vec<&FactResult> = fact_results.iter().filter(|r| r.kind == element).collect();
            if results.is_empty() {
                ElementResult { element, present: element_in_words(element, &content, ctx.segmenter), from_facts: false }
            } else {
                ElementResult { element, present: results.iter().any(|r| matches!(r.verdict, Verdict::Right | Verdict::Partly)), from_facts: true }
            }
        })
        .collect();
    let content_verdict = if content.trim().is_empty() {
        Verdict::Missing
    } else if elements.iter().all(|e| e.present) && content_verdicts.iter().all(|v| *v == Verdict::Right) {
        Verdict::Right
    } else {
        Verdict::Partly
    };
    let missing: Vec<&str> = elements.iter().filter(|e| !e.present).map(|e| element_label(e.element)).collect();
    let content_said = join_texts(facts.iter().filter(|f| !matches!(f.kind, FactKind::Name | FactKind::Phone | FactKind::Address)).map(|f| &f.value));
    fields.push(FieldResult {
        field: FieldName::Content,
        verdict: content_verdict,
        wrote: content.clone(),
        said: content_said,
        why: if missing.is_empty() && content_verdict == Verdict::Right {
            Text::new("五要素齐全，关键事实都写进去了：承办单位不用再打电话问一遍。", "All five elements and every key fact are there: the handling unit need not call back to ask again.")
        } else if missing.is_empty() {
            Text::new("五要素都有，但有的关键事实没写全：承办单位拿到的是一份不完整的情况。", "The five elements are there, but some key facts are missing: the handling unit gets an incomplete picture.")
        } else {
            Text::new(
                format!("缺少要素：{}。质检会把缺要素的工单退回，承办单位也只能再打电话问群众，让人重复一遍。", missing.join("、")),
                format!("Missing: {}. Quality checks send back an order missing an element, and the handling unit has to call the citizen and make them repeat it.", missing.iter().map(|m| element_label_en(m)).collect::<Vec<_>>().join(", ")),
            )
        },
        issues: issues_of(FieldName::Content),
    });

    // Classification and dispatch.
    let rt_verdict = match order.request_type {
        None => Verdict::Missing,
        Some(t) if t == truth.request_type => Verdict::Right,
        Some(_) => Verdict::Wrong,
    };
    fields.push(FieldResult {
        field: FieldName::RequestType,
        verdict: rt_verdict,
        wrote: order.request_type.map(|t| t.label().zh).unwrap_or_default(),
        said: truth.request_type.label(),
        why: Text::new(
            "诉求类型决定办理时限和考核口径：把投诉记成咨询，是质检最常见的扣分项，群众的问题也就不会被当作投诉来办。",
            "The request type decides the time limit and how the case is judged: a complaint logged as an enquiry is the commonest quality-check fault, and the complaint is then never handled as one.",
        ),
        issues: vec![],
    });
    let (cat_verdict, cat_wrote) = match (&order.category, ctx.categories) {
        (None, _) => (Verdict::Missing, String::new()),
        (Some(id), _) if *id == truth.category => (Verdict::Right, display_category(ctx.categories, id)),
        (Some(id), Some(tree)) => {
            let mine = tree.path_to(id);
            let right = tree.path_to(&truth.category);
            let same_branch = matches!((mine, right), (Some(a), Some(b)) if a.first() == b.first());
            (if same_branch { Verdict::Partly } else { Verdict::Wrong }, display_category(ctx.categories, id))
        }
        (Some(id), None) => (Verdict::Wrong, id.clone()),
    };
    fields.push(FieldResult {
        field: FieldName::Category,
        verdict: cat_verdict,
        wrote: cat_wrote,
        said: ctx.categories.and_then(|t| t.display_path(&truth.category)).unwrap_or_else(|| Text::new(truth.category.clone(), truth.category.clone())),
        why: Text::new("分类决定工单派给哪条线、进哪张统计表；分错了，热点问题就统计不出来。", "The category decides which line the order goes to and which statistics it counts in; misfiled, a recurring problem never shows up."),
        issues: issues_of(FieldName::Category),
    });
    let urgency_verdict = match order.urgency {
        None => Verdict::Missing,
        Some(u) if u == truth.urgency => Verdict::Right,
        Some(_) => Verdict::Wrong,
    };
    fields.push(FieldResult {
        field: FieldName::Urgency,
        verdict: urgency_verdict,
        wrote: order.urgency.map(|u| u.label().zh).unwrap_or_default(),
        said: truth.urgency.label(),
        why: match order.urgency {
            Some(u) if u < truth.urgency => Text::new("标低了紧急程度：承办单位按一般件排队，急事就被耽误了。", "Marked less urgent than it is: the handling unit queues it as routine and the urgent matter waits."),
            Some(u) if u > truth.urgency => Text::new("标高了紧急程度：紧急通道要留给真正的急事，滥用会挤占别人的处置力量。", "Marked more urgent than it is: the urgent channel is for real emergencies; overusing it takes responders from others."),
            _ => Text::new("紧急程度决定承办单位多快到场或答复。", "Urgency decides how fast the handling unit must respond or be on site."),
        },
        issues: vec![],
    });
    for (field, wrote, right, why) in [
        (
            FieldName::Confidential,
            order.confidential,
            truth.confidential,
            Text::new("来电人要求保密时，工单必须标明，否则承办单位可能把来电人的身份透露给被反映的一方。", "When the caller asks for confidentiality the order must say so, or the handling unit may reveal who called to the party complained about."),
        ),
        (
            FieldName::Callback,
            order.callback,
            truth.callback,
            Text::new("是否回访决定承办单位答复后中心要不要回访群众；该回访而没有标，群众就等不到结果。", "Whether a callback is needed decides whether the centre calls the citizen back once the unit replies; left unmarked, the citizen never hears the result."),
        ),
    ] {
        let verdict = match wrote {
            None => Verdict::Missing,
            Some(w) if w == right => Verdict::Right,
            Some(_) => Verdict::Wrong,
        };
        fields.push(FieldResult { field, verdict, wrote: wrote.map(yes_no).unwrap_or_default(), said: Text::new(yes_no(right), if right { "yes" } else { "no" }), why, issues: vec![] });
    }
    let unit = read(FieldName::HandlingUnit, &order.handling_unit);
    let unit_verdict = if unit.trim().is_empty() {
        Verdict::Missing
    } else {
        let mine = compact(&unit);
        let names = std::iter::once(truth.handling_unit.zh.as_str()).chain([truth.handling_unit.en.as_str()]).chain(truth.handling_unit_also.iter().map(String::as_str));
        if names.map(compact).any(|n| !n.is_empty() && (mine == n || (mine.chars().count() >= 2 && (mine.contains(&n) || n.contains(&mine))))) {
            Verdict::Right
        } else {
            Verdict::Wrong
        }
    };
    fields.push(FieldResult {
        field: FieldName::HandlingUnit,
        verdict: unit_verdict,
        wrote: unit,
        said: truth.handling_unit.clone(),
        why: Text::new("派错承办单位，工单会被退回重派，群众白等好几天；质检把“派单错误”列为常见扣分项。", "Sent to the wrong unit, the order comes back to be redispatched and the citizen waits days for nothing; quality checks list wrong dispatch as a typical fault."),
        issues: issues_of(FieldName::HandlingUnit),
    });
    let rule_text = |id: &str| ctx.profile.and_then(|p| p.rules.iter().find(|r| r.id == id)).map(|r| Text::new(format!("{}：{}", r.title.zh, r.value.zh), format!("{}: {}", r.title.en, r.value.en)));
    let limit_verdict = match &order.time_limit {
        None => Verdict::Missing,
        Some(id) if *id == truth.time_limit => Verdict::Right,
        Some(_) => Verdict::Wrong,
    };
    fields.push(FieldResult {
        field: FieldName::TimeLimit,
        verdict: limit_verdict,
        wrote: order.time_limit.as_deref().map(|id| rule_text(id).map(|t| t.zh).unwrap_or_else(|| id.to_string())).unwrap_or_default(),
        said: rule_text(&truth.time_limit).unwrap_or_else(|| Text::new(truth.time_limit.clone(), truth.time_limit.clone())),
        why: Text::new("时限按本市规定随诉求类型和紧急程度而定；写错了，承办单位要么超期，要么群众被告知了错误的答复时间。", "The time limit follows the city's rules for the request type and urgency; written wrong, either the unit runs overdue or the citizen was told the wrong date."),
        issues: issues_of(FieldName::TimeLimit),
    });
    fields.sort_by_key(|f| FieldName::ALL.iter().position(|x| *x == f.field));

    let mut caps = caps_for(&fields, &fact_results, order, truth);
    let disposition = order.no_order.map(|d| {
        // Turning a real request away as a non-call is worse than any
        // wrong field: the citizen's matter reaches nobody.
        caps.retain(|(item, _, _)| *item != Item::P4);
        caps.push((
            Item::P4,
            0,
            Text::new(
                format!("把有真实诉求的来电登记成了“{}”：诉求没有派出去，群众的事没有人办。", d.label().zh),
                format!("A call with a real request was logged as “{}”: nothing was dispatched and nobody deals with the citizen's matter.", d.label().en),
            ),
        ));
        DispositionResult {
            verdict: Verdict::Wrong,
            wrote: no_order_text(d),
            said: order_text(truth.request_type),
            why: Text::new(
                "来电人提出了真实诉求，应当如实受理并派单；只有没有任何诉求的骚扰、无效来电才不形成工单。",
                "The caller made a real request, which must be taken and dispatched; only harassing or invalid calls with no request at all make no order.",
            ),
        }
    });
    OrderReport { fields, elements, facts: fact_results, caps, input_issues, disposition }
}

fn no_order_text(d: Disposition) -> Text {
    Text::new(format!("{}（不派单）", d.label().zh), format!("{} (no order)", d.label().en))
}

fn order_text(t: crate::scenario::model::RequestType) -> Text {
    Text::new(format!("派工单（{}）", t.label().zh), format!("A work order ({})", t.label().en))
}

/// Scores the record of a call that rightly makes no work order: logged
/// with the right disposition it is right; with the other disposition,
/// partly; an order dispatched instead is wrong and costs P4 (a
/// dispatch with no request sends a unit out for nothing, as quality
/// checks rule); nothing recorded at all is missing and costs P5 (the
/// next colleague the number rings sees no warning).
pub fn score_no_order(order: &WorkOrder, truth: &NoOrderTruth, ctx: WorkOrderContext<'_>) -> OrderReport {
    let input_issues = check_input(order, ctx.categories, ctx.profile);
    let said = no_order_text(truth.disposition);
    let mut caps = Vec::new();
    let (verdict, wrote, why) = match order.no_order {
        Some(d) if d == truth.disposition => (Verdict::Right, no_order_text(d), truth.why.clone()),
        Some(d) => {
            caps.push((
                Item::P4,
                2,
                Text::new(
                    format!("登记成了“{}”，应为“{}”：不派单是对的，但类别决定号码是否列入重点关注、进哪张统计表。", d.label().zh, truth.disposition.label().zh),
                    format!("Logged as “{}” instead of “{}”: no order is right, but the kind decides whether the number is flagged and which statistics it counts in.", d.label().en, truth.disposition.label().en),
                ),
            ));
            (Verdict::Partly, no_order_text(d), truth.why.clone())
        }
        None if order.has_order_fields() => {
            caps.push((
                Item::P4,
                0,
                Text::new(
                    "这通电话没有可派的诉求，却派了工单：承办单位白跑一趟，回访打回这个号码，质检认定“诉求不实、派单错误”。",
                    "There was no request to dispatch, yet an order was sent: the unit goes out for nothing, the callback rings the same number, and quality checks rule it a case with no real request and a wrong dispatch.",
                ),
            ));
            let wrote = match order.request_type {
                Some(t) => order_text(t),
                None => Text::new("派工单", "A work order"),
            };
            (Verdict::Wrong, wrote, truth.why.clone())
        }
        None => {
            caps.push((
                Item::P5,
                1,
                Text::new(
                    format!("这通电话没有登记：应登记为“{}”，否则下一位接到这个号码的同事看不到任何提示。", truth.disposition.label().zh),
                    format!("The call was not recorded: it should be logged as “{}”, or the next colleague this number rings sees no warning.", truth.disposition.label().en),
                ),
            ));
            (Verdict::Missing, Text::default(), truth.why.clone())
        }
    };
    OrderReport {
        fields: Vec::new(),
        elements: Vec::new(),
        facts: Vec::new(),
        caps,
        input_issues,
        disposition: Some(DispositionResult { verdict, wrote, said, why }),
    }
}

/// The record of a call scored against whichever truth the scenario has:
/// an order (`work_order`, counting only the facts `heard` revealed) or no
/// order (`no_order`). None for a scenario with neither. `heard` is
/// `reveal::heard(&encounter)`.
pub fn score_call(scenario: &Scenario, order: &WorkOrder, heard: &[(usize, usize)], ctx: WorkOrderContext<'_>) -> Option<OrderReport> {
    if let Some(truth) = &scenario.work_order {
        let revealed = crate::workorder::reveal::revealed_facts(scenario, truth, heard);
        return Some(score_order(order, truth, &revealed, ctx));
    }
    scenario.no_order.as_ref().map(|truth| score_no_order(order, truth, ctx))
}

fn yes_no(b: bool) -> String {
    if b { "是".into() } else { "否".into() }
}

fn display_category(tree: Option<&CategoryTree>, id: &str) -> String {
    tree.and_then(|t| t.display_path(id)).map(|t| t.zh).unwrap_or_else(|| id.to_string())
}

fn join_texts<'a>(texts: impl Iterator<Item = &'a Text>) -> Text {
    let texts: Vec<&Text> = texts.collect();
    Text::new(texts.iter().map(|t| t.zh.as_str()).collect::<Vec<_>>().join("；"), texts.iter().map(|t| t.en.as_str()).collect::<Vec<_>>().join("; "))
}

fn element_label(kind: FactKind) -> &'static str {
    match kind {
        FactKind::Time => "时间",
        FactKind::Place => "地点",
        FactKind::People => "人物",
        FactKind::Event => "事件",
        FactKind::Demand => "诉求",
        _ => "其他",
    }
}

fn element_label_en(zh: &str) -> &'static str {
    match zh {
        "时间" => "time",
        "地点" => "place",
        "人物" => "people",
        "事件" => "event",
        "诉求" => "demand",
        _ => "other",
    }
}

/// The forms a fact may be matched by: its key words, each a group of
/// alternatives written `"恢复供水|来水"`, or else its value.
fn keys(f: &Fact) -> Vec<Vec<String>> {
    let keys: Vec<Vec<String>> = f
        .key
        .iter()
        .map(|k| k.split('|').map(compact).filter(|a| !a.is_empty()).collect::<Vec<_>>())
        .filter(|g| !g.is_empty())
        .collect();
    if keys.is_empty() { vec![vec![compact(&f.value.zh)]].into_iter().filter(|g| !g[0].is_empty()).collect() } else { keys }
}

fn found_groups(keys: &[Vec<String>], text: &str) -> usize {
    keys.iter().filter(|g| g.iter().any(|a| text.contains(a.as_str()))).count()
}

fn match_own_field(kind: FactKind, typed: &str, f: &Fact) -> Verdict {
    if typed.trim().is_empty() {
        return Verdict::Missing;
    }
    match kind {
        FactKind::Phone => {
            let mine = digits(typed);
            let wanted: Vec<String> =
                std::iter::once(digits(&f.value.zh)).chain(f.key.iter().flat_map(|k| k.split('|')).map(digits)).filter(|d| !d.is_empty()).collect();
            // An area code written in front of a landline number is fine.
            if wanted.iter().any(|w| mine == *w || (mine.len() > w.len() && mine.ends_with(w.as_str()))) { Verdict::Right } else { Verdict::Wrong }
        }
        _ => {
            let mine = compact(typed);
            let keys = keys(f);
            let found = found_groups(&keys, &mine);
            if (found == keys.len() && found > 0) || (kind == FactKind::Name && mine.chars().count() >= 2 && compact(&f.value.zh).contains(&mine)) {
                Verdict::Right
            } else if found > 0 {
                Verdict::Partly
            } else {
                Verdict::Wrong
            }
        }
    }
}

/// A fact in the content: all its key words there, or (without key words)
/// its value there whole, or most of its content words.
fn match_in_text(text: &str, text_compact: &str, f: &Fact, seg: &Segmenter) -> Verdict {
    if text.trim().is_empty() {
        return Verdict::Missing;
    }
    if !f.key.is_empty() {
        let keys = keys(f);
        let found = found_groups(&keys, text_compact);
        return if found == keys.len() {
            Verdict::Right
        } else if found > 0 {
            Verdict::Partly
        } else {
            Verdict::Missing
        };
    }
    let whole = compact(&f.value.zh);
    if !whole.is_empty() && text_compact.contains(&whole) {
        return Verdict::Right;
    }
    let words: Vec<String> = seg.content_words(&f.value.zh).iter().map(|w| compact(w)).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Verdict::Missing;
    }
    let found = words.iter().filter(|w| text_compact.contains(w.as_str())).count();
    // Two thirds of the words, rounded up, tell the fact apart from a
    // passing mention of one of them.
    if found * 3 >= words.len() * 2 {
        Verdict::Right
    } else if found > 0 {
        Verdict::Partly
    } else {
        Verdict::Missing
    }
}

/// Whether the content mentions an element no revealed fact covers, read
/// from jieba's part-of-speech tags and a few words operators use.
fn element_in_words(element: FactKind, text: &str, seg: &Segmenter) -> bool {
    let normal = normalize(text);
    if normal.trim().is_empty() {
        return false;
    }
    let tags = seg.tagged(&normal);
    let has_tag = |p: &dyn Fn(&str) -> bool| tags.iter().any(|(_, t)| p(t));
    let has_word = |words: &[&str]| words.iter().any(|w| normal.contains(w));
    match element {
        FactKind::Time => has_tag(&|t| t.starts_with('t')) || has_word(&["昨天", "今天", "前天", "上午", "下午", "早上", "晚上", "点", "时", "日", "号", "月", "年", "周"]),
        FactKind::Place => has_tag(&|t| t == "ns" || t == "s" || t == "f") || has_word(&["小区", "路", "街", "栋", "楼", "村", "区", "镇", "单元", "室", "门口", "附近"]),
        FactKind::People => has_tag(&|t| t == "nr" || t == "r") || has_word(&["先生", "女士", "老人", "居民", "住户", "来电人", "市民", "母亲", "父亲", "孩子", "业主"]),
        FactKind::Event => has_tag(&|t| t.starts_with('v')),
        FactKind::Demand => has_word(&["要求", "希望", "请求", "诉求", "尽快", "需要", "请", "要"]),
        _ => false,
    }
}

fn why_own_field(kind: FactKind, verdict: Verdict) -> Text {
    match (kind, verdict) {
        (_, Verdict::NotSaid) => Text::new("这次通话里来电人没有说，不扣分。", "The caller did not say it in this call: no deduction."),
        (_, Verdict::Unsupported) => Text::new("这次通话里来电人没有说过这一项：工单只记来电人说的，不猜。", "The caller never said this in this call: an order records what was said, never a guess."),
        (FactKind::Name, _) => Text::new("姓名用于回访时称呼和核对身份；写错了，回访人员一开口就让群众觉得不被重视。", "The name is how the callback team addresses and verifies the caller; written wrong, the callback starts by making them feel ignored."),
        (FactKind::Phone, _) => Text::new("电话号码错一位，承办单位和回访都联系不上群众，整张工单就白派了。", "One wrong digit and neither the unit nor the callback team can reach the citizen: the whole order is wasted."),
        (FactKind::Address, _) => Text::new("地址要有能找到现场的关键部分（小区、楼栋）；不全的地址，承办单位到了也找不到地方。", "An address needs the parts that find the place (estate, block); with a partial one the unit arrives and cannot find it."),
        _ => Text::new("", ""),
    }
}

/// The caps an order puts on the rubric (see the module comment).
fn caps_for(fields: &[FieldResult], facts: &[FactResult], order: &WorkOrder, truth: &WorkOrderTruth) -> Vec<(Item, u8, Text)> {
    let mut caps = Vec::new();
    let verdict = |f: FieldName| fields.iter().find(|r| r.field == f).map_or(Verdict::Missing, |r| r.verdict);
    if !facts.is_empty() {
        // Partly counts half: two of three facts right and one partly is 2.5 of 3.
        let got: f32 = facts.iter().map(|f| match f.verdict {
            Verdict::Right => 1.0,
            Verdict::Partly => 0.5,
            _ => 0.0,
        }).sum();
        let share = got / facts.len() as f32;
        if share < 1.0 {
            let level = if share >= 2.0 / 3.0 { 2 } else { 1 };
            caps.push((
                Item::L2,
                level,
                Text::new(
                    format!("工单只记下了来电人说出的{}项事实中的{}项：问到的事实没有记下来，等于没问。", facts.len(), got),
                    format!("The order holds {got} of the {} facts the caller gave: a fact asked for and not written down is as good as never asked.", facts.len()),
                ),
            ));
        }
    }
    let wrong_contact: Vec<&str> = [FieldName::CallerName, FieldName::Contact, FieldName::Address]
        .into_iter()
        .filter(|&f| verdict(f) == Verdict::Wrong)
        .map(|f| match f {
            FieldName::CallerName => "姓名",
            FieldName::Contact => "电话",
            _ => "地址",
        })
        .collect();
    if !wrong_contact.is_empty() {
        caps.push((
            Item::L3,
            1,
            Text::new(
                format!("{}写错了：复述核对正是为了抓住这种错。", wrong_contact.join("、")),
                format!("Contact details written wrong ({}): reading them back is what catches this.", wrong_contact.len()),
            ),
        ));
    }
    let under_urgent = order.urgency.is_some_and(|u| u < truth.urgency);
    let major: Vec<&str> = [
        (verdict(FieldName::RequestType) != Verdict::Right, "诉求类型"),
        (verdict(FieldName::HandlingUnit) != Verdict::Right, "承办单位"),
        (under_urgent || order.urgency.is_none(), "紧急程度"),
    ]
    .into_iter()
    .filter(|(bad, _)| *bad)
    .map(|(_, name)| name)
    .collect();
    let minor: Vec<&str> = [
        (verdict(FieldName::Category) != Verdict::Right, "分类"),
        (order.urgency.is_some_and(|u| u > truth.urgency), "紧急程度偏高"),
        (verdict(FieldName::Confidential) != Verdict::Right, "是否保密"),
    ]
    .into_iter()
    .filter(|(bad, _)| *bad)
    .map(|(_, name)| name)
    .collect();
    if !major.is_empty() {
        caps.push((Item::P4, 1, Text::new(format!("{}不对或没填：工单派不到该办的地方，方案就谈不上合规。", major.join("、")), format!("{} wrong or missing: the order does not reach the unit that must act, so the solution cannot stand.", major.len()))));
    } else if !minor.is_empty() {
        caps.push((Item::P4, 2, Text::new(format!("{}不对或没填：派单大方向对，细节会让工单被退回。", minor.join("、")), format!("{} wrong or missing: the dispatch is broadly right, but the details get orders sent back.", minor.len()))));
    }
    let follow: Vec<&str> = [(verdict(FieldName::TimeLimit) != Verdict::Right, "办理时限"), (verdict(FieldName::Callback) != Verdict::Right, "是否回访")]
        .into_iter()
        .filter(|(bad, _)| *bad)
        .map(|(_, name)| name)
        .collect();
    if !follow.is_empty() {
        caps.push((Item::P5, 2, Text::new(format!("{}不对或没填：跟踪反馈靠的是工单上的时限和回访标记。", follow.join("、")), format!("{} wrong or missing: follow-up runs on the order's time limit and callback mark.", follow.len()))));
    }
    caps
}

/// `card` with the order's caps applied: items lowered, dimensions and the
/// overall score recomputed, and the pass re-judged (a card that failed
/// still fails). The order caps no Empathy or Clarity item, so the DISC
/// gate stands as it was.
pub fn apply_caps(card: &ScoreCard, report: &OrderReport) -> ScoreCard {
    apply_item_caps(card, &report.caps)
}

/// `card` with each (item, most level) of `caps` applied, dimensions, the
/// overall score and the pass recomputed. When the caps bring Empathy or
/// Clarity under the DISC gate, the DISC items are capped at "missed" as
/// the card's own rules do (the one-time notice caps Clarity items).
pub fn apply_item_caps(card: &ScoreCard, caps: &[(Item, u8, Text)]) -> ScoreCard {
    use crate::play::rubric::DISC_GATE;
    use crate::play::score::ScoreNote;
    let mut out = card.clone();
    for (item, level, _) in caps {
        let slot = &mut out.items[item.index()];
        *slot = (*slot).min(*level);
    }
    let dimension = |items: &[u8], dim: Dimension| {
        let sum: u32 = dim.items().iter().map(|i| items[i.index()] as u32).sum();
        100.0 * sum as f32 / (LEVEL_MAX as u32 * dim.items().len() as u32) as f32
    };
    if dimension(&out.items, Dimension::Empathy) < DISC_GATE || dimension(&out.items, Dimension::Clarity) < DISC_GATE {
        let capped = Dimension::Disc.items().iter().any(|i| out.items[i.index()] > 1);
        for i in Dimension::Disc.items() {
            out.items[i.index()] = out.items[i.index()].min(1);
        }
        if capped && !out.notes.contains(&ScoreNote::DiscGated) {
            out.notes.push(ScoreNote::DiscGated);
        }
    }
    for dim in Dimension::ALL {
        out.dimensions[dim.index()] = dimension(&out.items, dim);
    }
    out.overall = Dimension::ALL.iter().map(|d| out.dimensions[d.index()] * d.weight() as f32).sum::<f32>() / 100.0;
    out.passed = card.passed && out.overall >= PASS_OVERALL && out.dimensions.iter().all(|&d| d >= PASS_DIMENSION_FLOOR);
    out
}
