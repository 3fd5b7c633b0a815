//! The one-time notice (一次性告知单) at a counter: the clerk assembles it
//! from knowledge entries' materials and steps (picked, reordered, with a
//! note), it is scored against the scenario's truth (complete, nothing
//! wrong, the follow-on matters named), and it prints as the citizen's copy.
//!
//! Like the work order, the notice adds no dimension: it caps C2 (tells
//! everything needed in one go) and C4 (a written summary the citizen can
//! follow), and only ever lowers them. Depends on `scenario` (the truth),
//! `knowledge` (the entries) and `workorder` (applying caps to a card).
//! Nothing here panics on any input: picks that point nowhere are reported.

use crate::knowledge::model::{Entry, KnowledgeBase};
use crate::knowledge::text::has_control_chars;
use crate::play::score::ScoreCard;
use crate::scenario::model::{Item, NoticeTruth, Text};
use crate::workorder::score::apply_item_caps;
use serde::{Deserialize, Serialize};

/// One line taken from a knowledge entry: its `index` in the entry's
/// materials (or steps).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pick {
    pub entry: String,
    pub index: usize,
}

/// The notice as the clerk assembled it, stored as assembled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Notice {
    /// 申请材料, in the order the clerk put them.
    pub materials: Vec<Pick>,
    /// 办理流程, in the order the clerk put them.
    pub steps: Vec<Pick>,
    /// Entries for the follow-on matters named (后续事项).
    pub follow_on: Vec<String>,
    /// 备注: what the clerk added for this citizen, as typed.
    pub note: String,
}

/// The most characters the note holds; past it the panel says so and the
/// printed copy carries only this much.
pub const MAX_NOTE_CHARS: usize = 500;

impl Notice {
    pub fn is_blank(&self) -> bool {
        self.materials.is_empty() && self.steps.is_empty() && self.follow_on.is_empty() && self.note.trim().is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineVerdict {
    /// On the notice, and needed.
    Included,
    /// Needed, not on the notice.
    Missing,
    /// On the notice, but this citizen does not need it.
    NotNeeded,
    /// On the notice, from an entry that is not this matter's.
    Wrong,
    /// A pick naming an entry or line that does not exist.
    Unknown,
}

/// One line of the debrief: a material, step or follow-on matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineResult {
    pub text: Text,
    pub verdict: LineVerdict,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeReport {
    pub materials: Vec<LineResult>,
    pub steps: Vec<LineResult>,
    /// The steps on the notice in the entry's order.
    pub steps_in_order: bool,
    pub follow_on: Vec<LineResult>,
    /// The most each rubric item can count after this notice, with why.
    pub caps: Vec<(Item, u8, Text)>,
    /// Problems with the input itself (a note far too long, control
    /// characters, picks that point nowhere).
    pub issues: Vec<Text>,
}

impl NoticeReport {
    pub fn cap(&self, item: Item) -> Option<u8> {
        self.caps.iter().filter(|(i, _, _)| *i == item).map(|(_, l, _)| *l).min()
    }
}

fn line<'a>(base: &'a KnowledgeBase, pick: &Pick, steps: bool) -> Option<&'a Text> {
    let entry = base.entry(&pick.entry)?;
    if steps { entry.steps.get(pick.index) } else { entry.materials.get(pick.index) }
}

/// The notice a model clerk hands over for `truth`: every material this
/// citizen needs and every step of the entries, in the entries' order, and
/// the follow-on matters. For the debrief ("a complete notice holds") and
/// for a trainer's preview of the printed copy.
pub fn complete_notice(truth: &NoticeTruth, base: &KnowledgeBase) -> Notice {
    let mut notice = Notice::default();
    for e in truth.entries.iter().filter_map(|id| base.entry(id)) {
        for (index, m) in e.materials.iter().enumerate() {
            if !truth.not_needed.iter().any(|n| n.trim() == m.zh.trim()) {
                notice.materials.push(Pick { entry: e.id.clone(), index });
            }
        }
        notice.steps.extend((0..e.steps.len()).map(|index| Pick { entry: e.id.clone(), index }));
    }
    notice.follow_on = truth.follow_on.clone();
    notice
}

/// Problems with the note as typed (far too long, pasted control
/// characters), for the panel to say in place while the clerk writes and
/// for the scoring to keep.
pub fn check_note(note: &str) -> Vec<Text> {
    let mut issues = Vec::new();
    let count = note.chars().count();
    if count > MAX_NOTE_CHARS {
        issues.push(Text::new(format!("备注太长（{count}个字），最多{MAX_NOTE_CHARS}个字；打印件只印前{MAX_NOTE_CHARS}个字。"), format!("The note is too long ({count} characters); at most {MAX_NOTE_CHARS}. The printed copy carries only the first {MAX_NOTE_CHARS}.")));
    }
    if has_control_chars(note) {
        issues.push(Text::new("备注里有看不见的控制字符（多半是粘贴带来的），请删掉后重新输入。", "The note contains invisible control characters (usually from pasting); delete them and type it again."));
    }
    issues
}

/// Scores `notice` against `truth` with the library's knowledge `base`.
pub fn score_notice(notice: &Notice, truth: &NoticeTruth, base: &KnowledgeBase) -> NoticeReport {
    let mut issues = check_note(&notice.note);
    let entries: Vec<&Entry> = truth.entries.iter().filter_map(|id| base.entry(id)).collect();
    let needed = |m: &Text| !truth.not_needed.iter().any(|n| n.trim() == m.zh.trim());

    let judge_lines = |picks: &[Pick], steps: bool, issues: &mut Vec<Text>| -> Vec<LineResult> {
        let mut out = Vec::new();
        for e in &entries {
            let lines = if steps { &e.steps } else { &e.materials };
            for (i, text) in lines.iter().enumerate() {
                let on = picks.iter().any(|p| p.entry == e.id && p.index == i);
                let verdict = match (on, steps || needed(text)) {
                    (true, true) => LineVerdict::Included,
                    (false, true) => LineVerdict::Missing,
                    (true, false) => LineVerdict::NotNeeded,
                    (false, false) => continue,
                };
                out.push(LineResult { text: text.clone(), verdict });
            }
        }
        for p in picks {
            if truth.entries.contains(&p.entry) && line(base, p, steps).is_some() {
                continue;
            }
            match line(base, p, steps) {
                Some(text) => out.push(LineResult { text: text.clone(), verdict: LineVerdict::Wrong }),
                None => {
                    issues.push(Text::new(format!("告知单上有一项指向不存在的条目内容（{}第{}项），打印时略去。", p.entry, p.index.saturating_add(1)), format!("A line on the notice points to nothing ({} item {}); it is left off the printed copy.", p.entry, p.index.saturating_add(1))));
                    out.push(LineResult { text: Text::new(p.entry.clone(), p.entry.clone()), verdict: LineVerdict::Unknown });
                }
            }
        }
        out
    };
    let materials = judge_lines(&notice.materials, false, &mut issues);
    let steps = judge_lines(&notice.steps, true, &mut issues);
    // In order: the picked steps of each entry appear in the entry's order.
    let steps_in_order = truth.entries.iter().all(|id| {
        let idx: Vec<usize> = notice.steps.iter().filter(|p| &p.entry == id).map(|p| p.index).collect();
        idx.windows(2).all(|w| w[0] < w[1])
    });
    let mut follow_on: Vec<LineResult> = truth
        .follow_on
        .iter()
        .map(|id| {
            let text = base.entry(id).map(|e| e.title.clone()).unwrap_or_else(|| Text::new(id.clone(), id.clone()));
            LineResult { text, verdict: if notice.follow_on.contains(id) { LineVerdict::Included } else { LineVerdict::Missing } }
        })
        .collect();
    for id in notice.follow_on.iter().filter(|id| !truth.follow_on.contains(id)) {
        match base.entry(id) {
            Some(e) => follow_on.push(LineResult { text: e.title.clone(), verdict: LineVerdict::Wrong }),
            None => follow_on.push(LineResult { text: Text::new(id.clone(), id.clone()), verdict: LineVerdict::Unknown }),
        }
    }

    let mut caps = Vec::new();
    let count_of = |lines: &[LineResult], v: LineVerdict| lines.iter().filter(|l| l.verdict == v).count();
    let missing_materials = count_of(&materials, LineVerdict::Missing);
    let extra_materials = count_of(&materials, LineVerdict::NotNeeded) + count_of(&materials, LineVerdict::Wrong);
    let missing_steps = count_of(&steps, LineVerdict::Missing);
    let missing_follow = count_of(&follow_on, LineVerdict::Missing);
    if notice.is_blank() {
        caps.push((Item::C2, 1, Text::new("没有出具一次性告知单：群众只能凭记忆回去准备材料。", "No one-time notice was handed over: the citizen must prepare the materials from memory.")));
        caps.push((Item::C4, 1, Text::new("没有书面清单可以核对：群众有没有听懂，谁也不知道。", "No written list to check against: nobody knows whether the citizen understood.")));
    } else {
        if missing_materials > 0 {
            caps.push((
                Item::C2,
                1,
                Text::new(format!("告知单漏了{missing_materials}项材料：群众照单准备，还得再跑一趟，这正是一次性告知要避免的。"), format!("The notice leaves out {missing_materials} material(s): a citizen who prepares by it comes back again, which is exactly what a one-time notice is for.")),
            ));
        } else if extra_materials > 0 || missing_steps > 0 || missing_follow > 0 {
            let mut what_zh = Vec::new();
            let mut what_en = Vec::new();
            if extra_materials > 0 {
                what_zh.push(format!("多列了{extra_materials}项这位群众用不着的材料"));
                what_en.push(format!("{extra_materials} material(s) this citizen does not need"));
            }
            if missing_steps > 0 {
                what_zh.push(format!("漏了{missing_steps}个办理步骤"));
                what_en.push(format!("{missing_steps} step(s) missing"));
            }
            if missing_follow > 0 {
                what_zh.push(format!("没有提醒{missing_follow}项后续要办的事"));
                what_en.push(format!("{missing_follow} follow-on matter(s) not mentioned"));
            }
            caps.push((
                Item::C2,
                2,
                Text::new(format!("告知单{}：材料齐了，但一次告知还不完整。", what_zh.join("，")), format!("The notice has {}: the materials are complete, but it is not yet the whole picture.", what_en.join(", "))),
            ));
        }
        if !steps_in_order {
            caps.push((Item::C4, 2, Text::new("办理步骤的顺序排乱了：群众照着做会先办后面的事。", "The steps are out of order: a citizen following them would do a later step first.")));
        }
    }
    NoticeReport { materials, steps, steps_in_order, follow_on, caps, issues }
}

/// `card` with the notice's caps applied (see `workorder::apply_item_caps`).
pub fn apply_notice(card: &ScoreCard, report: &NoticeReport) -> ScoreCard {
    apply_item_caps(card, &report.caps)
}

/// `card` lowered by the notice of a scenario with notice truth: the notice
/// handed over, or a blank one when none was (the notice was the clerk's to
/// write). A scenario without truth keeps its card and has no report.
pub fn card_with_notice(card: &ScoreCard, truth: Option<&NoticeTruth>, notice: Option<&Notice>, base: &KnowledgeBase) -> (ScoreCard, Option<NoticeReport>) {
    let Some(truth) = truth else { return (card.clone(), None) };
    let blank = Notice::default();
    let report = score_notice(notice.unwrap_or(&blank), truth, base);
    (apply_notice(card, &report), Some(report))
}

/// What is kept of a scored notice with the attempt, so that History, the
/// reports and xAPI can show it without the scenario folder: every line
/// judged, with its text, and the caps with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeOutcome {
    pub materials: Vec<LineResult>,
    pub steps: Vec<LineResult>,
    pub steps_in_order: bool,
    pub follow_on: Vec<LineResult>,
    pub caps: Vec<(Item, u8, Text)>,
    #[serde(default)]
    pub issues: Vec<Text>,
}

impl NoticeOutcome {
    pub fn of(report: &NoticeReport) -> NoticeOutcome {
        NoticeOutcome {
            materials: report.materials.clone(),
            steps: report.steps.clone(),
            steps_in_order: report.steps_in_order,
            follow_on: report.follow_on.clone(),
            caps: report.caps.clone(),
            issues: report.issues.clone(),
        }
    }

    /// Needed lines on the notice, out of the lines it needed (materials,
    /// steps and follow-on matters together).
    pub fn included_of(&self) -> (usize, usize) {
        let lines = || self.materials.iter().chain(&self.steps).chain(&self.follow_on);
        let included = lines().filter(|l| l.verdict == LineVerdict::Included).count();
        let needed = lines().filter(|l| matches!(l.verdict, LineVerdict::Included | LineVerdict::Missing)).count();
        (included, needed)
    }

    /// Lines on the notice that should not be there (not needed, another
    /// matter's, pointing nowhere).
    pub fn extra(&self) -> usize {
        self.materials.iter().chain(&self.steps).chain(&self.follow_on).filter(|l| matches!(l.verdict, LineVerdict::NotNeeded | LineVerdict::Wrong | LineVerdict::Unknown)).count()
    }
}

/// What the printed copy says about where it comes from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeHeader {
    /// The service hall or window (政务服务中心……窗口).
    pub office: Text,
    /// The matter, usually the scenario's title or the entry's.
    pub matter: Text,
    /// The citizen's name, as the clerk writes it.
    pub citizen: String,
    /// The clerk's employee number (工号).
    pub clerk: String,
    /// The date as printed ("2026年12月1日").
    pub date: String,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

fn both(t: &Text) -> String {
    if t.en.trim().is_empty() || t.en == t.zh {
        escape(&t.zh)
    } else {
        format!("{}<br><span class=\"en\">{}</span>", escape(&t.zh), escape(&t.en))
    }
}

/// The citizen's copy as a print-ready HTML page (A4, Chinese first with
/// English beneath): the matter, the materials and steps in the order the
/// clerk put them, the time limits and handling units of the entries used,
/// the follow-on matters, the note, and a line to sign. Every text is
/// escaped; picks that point nowhere are left off.
pub fn render_notice_html(notice: &Notice, base: &KnowledgeBase, header: &NoticeHeader) -> String {
    use std::fmt::Write;
    let mut b = String::new();
    let _ = write!(
        b,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>一次性告知单 One-time notice — {}</title>\n<style>\n\
         @page {{ size: A4; margin: 18mm; }}\n\
         body {{ font-family: \"Noto Sans SC\", \"Source Han Sans SC\", \"Microsoft YaHei\", sans-serif; font-size: 11pt; line-height: 1.5; color: #000; }}\n\
         h1 {{ text-align: center; font-size: 18pt; margin: 0 0 4mm; }}\n\
         h2 {{ font-size: 12pt; border-bottom: 1px solid #000; margin: 5mm 0 2mm; }}\n\
         .en {{ color: #333; font-size: 9pt; }}\n\
         table.head td {{ padding: 1mm 3mm 1mm 0; vertical-align: top; }}\n\
         ol {{ margin: 0; padding-left: 7mm; }} li {{ margin-bottom: 1.5mm; break-inside: avoid; }}\n\
         .sign {{ margin-top: 10mm; display: flex; justify-content: space-between; }}\n\
         @media print {{ .noprint {{ display: none; }} }}\n\
         </style>\n</head>\n<body>\n<h1>一次性告知单<br><span class=\"en\">One-time notice</span></h1>\n",
        escape(&header.matter.zh)
    );
    let _ = writeln!(b, "<table class=\"head\">");
    for (zh, en, value) in [
        ("办理事项", "Matter", both(&header.matter)),
        ("办理窗口", "Office", both(&header.office)),
        ("申请人", "Applicant", escape(&header.citizen)),
        ("告知日期", "Date", escape(&header.date)),
    ] {
        let _ = writeln!(b, "<tr><td>{zh}<br><span class=\"en\">{en}</span></td><td>{value}</td></tr>");
    }
    let _ = writeln!(b, "</table>");
    let section = |b: &mut String, zh: &str, en: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(b, "<h2>{zh} <span class=\"en\">{en}</span></h2>\n<ol>");
        for item in items {
            let _ = writeln!(b, "<li>{item}</li>");
        }
        let _ = writeln!(b, "</ol>");
    };
    let picked = |picks: &[Pick], steps: bool| picks.iter().filter_map(|p| line(base, p, steps)).map(both).collect::<Vec<_>>();
    section(&mut b, "申请材料", "Materials to bring", picked(&notice.materials, false));
    section(&mut b, "办理流程", "Steps", picked(&notice.steps, true));
    // The entries the notice draws on, in first-use order, for their limits and units.
    let mut used: Vec<&Entry> = Vec::new();
    for p in notice.materials.iter().chain(&notice.steps) {
        if let Some(e) = base.entry(&p.entry) {
            if !used.iter().any(|u| u.id == e.id) {
                used.push(e);
            }
        }
    }
    section(&mut b, "办理时限", "Time limits", used.iter().flat_map(|e| e.time_limits.iter().map(both)).collect());
    section(&mut b, "办理部门", "Handling unit", used.iter().map(|e| both(&e.handling_unit)).collect());
    section(
        &mut b,
        "后续事项",
        "What to do next",
        notice.follow_on.iter().filter_map(|id| base.entry(id)).map(|e| format!("{}：{}", both(&e.title), both(&e.summary))).collect(),
    );
    let note: String = notice.note.chars().take(MAX_NOTE_CHARS).collect();
    if !note.trim().is_empty() {
        let _ = writeln!(b, "<h2>备注 <span class=\"en\">Note</span></h2>\n<p>{}</p>", escape(note.trim()).replace('\n', "<br>"));
    }
    let _ = writeln!(
        b,
        "<div class=\"sign\"><span>经办人工号 Clerk: {}</span><span>申请人签收 Received by: ____________</span></div>\n\
         <p class=\"en\">以上材料和流程一次性告知，按此准备即可办理。 Everything needed is on this notice: prepare by it and the matter can be done.</p>\n</body>\n</html>",
        escape(&header.clerk)
    );
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> KnowledgeBase {
        let entry = |id: &str, materials: &[&str], steps: &[&str], follow_on: &[&str]| Entry {
            id: id.into(),
            kind: crate::knowledge::model::EntryKind::Guide,
            title: Text::new(format!("{id}标题"), format!("{id} title")),
            summary: Text::new("摘要", "Summary"),
            materials: materials.iter().map(|m| Text::new(*m, format!("en {m}"))).collect(),
            steps: steps.iter().map(|s| Text::new(*s, format!("en {s}"))).collect(),
            time_limits: vec![Text::new("5个工作日", "5 working days")],
            local_rules: vec![],
            handling_unit: Text::new("区政务服务中心", "District service centre"),
            source: Text::new("办事指南", "Guide"),
            keywords: vec![],
            category: None,
            follow_on: follow_on.iter().map(|s| s.to_string()).collect(),
        };
        KnowledgeBase {
            entries: vec![
                entry("licence", &["身份证", "经营场所证明", "租赁合同（租用场所的）"], &["网上申报", "窗口核验", "领取执照"], &["tax"]),
                entry("tax", &["营业执照"], &["税务登记"], &[]),
            ],
            files: vec![],
            categories: None,
        }
    }

    fn truth() -> NoticeTruth {
        NoticeTruth { entries: vec!["licence".into()], not_needed: vec!["租赁合同（租用场所的）".into()], follow_on: vec!["tax".into()] }
    }

    fn pick(entry: &str, index: usize) -> Pick {
        Pick { entry: entry.into(), index }
    }

    fn complete() -> Notice {
        Notice {
            materials: vec![pick("licence", 0), pick("licence", 1)],
            steps: vec![pick("licence", 0), pick("licence", 1), pick("licence", 2)],
            follow_on: vec!["tax".into()],
            note: "带原件".into(),
        }
    }

    #[test]
    fn a_complete_notice_caps_nothing() {
        let report = score_notice(&complete(), &truth(), &base());
        assert!(report.caps.is_empty(), "{:?}", report.caps);
        assert!(report.materials.iter().all(|l| l.verdict == LineVerdict::Included));
        assert_eq!(report.materials.len(), 2, "the not-needed material is not expected");
        assert!(report.steps_in_order);
        assert!(report.issues.is_empty());
    }

    #[test]
    fn each_fault_has_its_cap() {
        let mut missing = complete();
        missing.materials.remove(1);
        let r = score_notice(&missing, &truth(), &base());
        assert_eq!(r.cap(Item::C2), Some(1));
        assert!(r.materials.iter().any(|l| l.verdict == LineVerdict::Missing && l.text.zh == "经营场所证明"));

        let mut extra = complete();
        extra.materials.push(pick("licence", 2));
        extra.materials.push(pick("tax", 0));
        let r = score_notice(&extra, &truth(), &base());
        assert_eq!(r.cap(Item::C2), Some(2));
        assert!(r.materials.iter().any(|l| l.verdict == LineVerdict::NotNeeded));
        assert!(r.materials.iter().any(|l| l.verdict == LineVerdict::Wrong && l.text.zh == "营业执照"));

        let mut no_follow = complete();
        no_follow.follow_on.clear();
        let r = score_notice(&no_follow, &truth(), &base());
        assert_eq!(r.cap(Item::C2), Some(2));
        assert_eq!(r.follow_on[0].verdict, LineVerdict::Missing);

        let mut jumbled = complete();
        jumbled.steps.swap(0, 2);
        let r = score_notice(&jumbled, &truth(), &base());
        assert!(!r.steps_in_order);
        assert_eq!(r.cap(Item::C4), Some(2));
        assert_eq!(r.cap(Item::C2), None);

        let r = score_notice(&Notice::default(), &truth(), &base());
        assert_eq!((r.cap(Item::C2), r.cap(Item::C4)), (Some(1), Some(1)));
    }

    #[test]
    fn bad_input_is_reported_never_a_panic() {
        let notice = Notice {
            materials: vec![pick("licence", 99), pick("nowhere", 0)],
            steps: vec![pick("licence", usize::MAX)],
            follow_on: vec!["nowhere".into()],
            note: format!("{}\u{0007}", "字".repeat(MAX_NOTE_CHARS + 1)),
        };
        let r = score_notice(&notice, &truth(), &base());
        assert_eq!(r.issues.len(), 2 + 3, "{:?}", r.issues);
        assert!(r.follow_on.iter().any(|l| l.verdict == LineVerdict::Unknown));
        let html = render_notice_html(&notice, &base(), &NoticeHeader::default());
        assert!(html.contains("</html>"));
        assert!(!html.contains('\u{0007}'));
    }

    #[test]
    fn the_printed_copy_is_escaped_and_in_the_clerks_order() {
        let mut notice = complete();
        notice.materials.reverse();
        notice.note = "<script>alert('x')</script> & 带原件".into();
        let header = NoticeHeader {
            office: Text::new("区政务服务中心3号窗口", "Window 3"),
            matter: Text::new("个体户营业执照", "Sole-trader licence"),
            citizen: "王<b>".into(),
            clerk: "0420".into(),
            date: "2026年12月1日".into(),
        };
        let html = render_notice_html(&notice, &base(), &header);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("@page"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 带原件"));
        assert!(html.contains("王&lt;b&gt;"));
        let (a, b) = (html.find("经营场所证明").unwrap(), html.find("身份证").unwrap());
        assert!(a < b, "materials print in the clerk's order");
        assert!(html.contains("tax标题"), "follow-on matters are printed");
        assert!(html.contains("5个工作日") && html.contains("区政务服务中心"));
    }
}
