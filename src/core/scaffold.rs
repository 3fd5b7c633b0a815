//! `counterpart new`: a commented starting point for a new scenario that
//! validates out of the box, so a trainer edits working content instead of
//! facing a blank file.

use super::model::{Channel, DiscStyle};

#[derive(Debug, Clone)]
pub struct ScaffoldSpec {
    pub id: String,
    pub channel: Channel,
    pub style: DiscStyle,
    pub title_zh: String,
    pub title_en: String,
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Fits that suit `style` best, as `(d, i, s, c)` RON text, for the
/// exemplary options; and one that triggers it, for the trap.
fn fits(style: DiscStyle) -> (&'static str, &'static str) {
    match style {
        DiscStyle::D => ("(d: 2, i: 1, s: 1, c: 1)", "(d: -2, i: -1, s: -1, c: -1)"),
        DiscStyle::I => ("(d: 1, i: 2, s: 1, c: 0)", "(d: -1, i: -2, s: -1, c: 0)"),
        DiscStyle::S => ("(d: 0, i: 1, s: 2, c: 1)", "(d: 0, i: -1, s: -2, c: -1)"),
        DiscStyle::C => ("(d: 1, i: 0, s: 1, c: 2)", "(d: -1, i: 0, s: -1, c: -2)"),
    }
}

pub fn scaffold(spec: &ScaffoldSpec) -> String {
    let (good_fit, trap_fit) = fits(spec.style);
    let (channel, time_limit, opening_zh, opening_en) = match spec.channel {
        Channel::Hotline => (
            "Hotline",
            "\n            time_limit: 20, // seconds to answer; hotline turns only",
            "您好，12345市民服务热线，我是话务员小李，工号0001，请问有什么可以帮您？",
            "Hello, 12345 citizen hotline, this is Li, operator 0001. How can I help you?",
        ),
        Channel::Counter => (
            "Counter",
            "",
            "您好，请坐，我是3号窗口的小李，请问您办理什么业务？",
            "Hello, please have a seat. I'm Li at window 3. What can I help you with today?",
        ),
    };
    let style = format!("{:?}", spec.style);
    let id = escape(&spec.id);
    let title_zh = escape(&spec.title_zh);
    let title_en = escape(&spec.title_en);
    format!(
        r#"// A new scenario. Replace every text in （） with your own; keep zh and en.
// Check it with:  counterpart validate scenarios/{id}.ron
// Scores and routes: counterpart analyze scenarios/{id}.ron
// Format reference: docs/scenario-format.md
(
    id: "{id}",
    format: 1,
    version: 1,
    title: (zh: "{title_zh}", en: "{title_en}"),
    summary: (zh: "（一两句话说明情境）", en: "(One or two sentences describing the situation.)"),
    channel: {channel},
    difficulty: Introductory, // Introductory | Intermediate | Advanced
    objectives: [
        (zh: "（学员要练的第一件事）", en: "(The first thing the trainee practises.)"),
    ],
    tags: [],
    minutes: 5,
    citizen: (
        name: (zh: "（称呼）", en: "(Name)"),
        age: 40,
        situation: (zh: "（群众的处境：来办什么、之前发生了什么）", en: "(The citizen's situation: what they came for, what happened before.)"),
        disc: (primary: {style}), // add `secondary: C` for a blend
        needs: [], // Elderly, HardOfHearing, LowVision, LowLiteracy, Disability, Dialect, ForeignNational
        mood: (upset: 60, trust: 30), // 0–100 each
    ),
    start: "open",
    // Checked after every choice: the citizen leaves if upset reaches 95.
    routes: [(when: UpsetAtLeast(95), to: "walked_out")],
    turns: [
        (
            id: "open",
            says: [
                // The first line whose `when` holds is shown; the last has none.
                (variants: [
                    (zh: "（群众的第一句话）", en: "(The citizen's first line.)"),
                    (zh: "（同一句话的另一种说法）", en: "(Another wording of the same line.)"),
                ]),
            ],{time_limit}
            options: [
                (
                    id: "welcome",
                    text: (zh: "{opening_zh}", en: "{opening_en}"),
                    evidence: {{P1: 3, E4: 3, L1: 3, E1: 2}}, // rubric item: level 0–3
                    stage: Reception,
                    fit: {good_fit}, // how each DISC style takes it, -2..2
                    mood: (upset: -10, trust: 10),
                    feedback: (zh: "（为什么这样说好）", en: "(Why this works.)"),
                    next: "solve",
                ),
                (
                    id: "rushed",
                    text: (zh: "（一个常见但欠妥的回答）", en: "(A common but weak answer.)"),
                    evidence: {{P1: 1, E1: 1}},
                    stage: Reception,
                    mood: (upset: 5, trust: -5),
                    feedback: (zh: "（这样说的问题在哪里）", en: "(What goes wrong with it.)"),
                    better: "welcome",
                    next: "solve",
                ),
                (
                    id: "trap",
                    text: (zh: "这不归我们管。", en: "That's not our job."),
                    evidence: {{E4: 0, P4: 0}},
                    stage: Solution,
                    fit: {trap_fit},
                    red_flag: PushingAway, // fails the encounter
                    mood: (upset: 25, trust: -20),
                    feedback: (zh: "推诿：即使不归本部门，也要登记并转给负责的部门。", en: "Pushing the citizen away: even if another department handles it, register and route it."),
                    better: "welcome",
                    next: "solve",
                ),
            ],
        ),
        (
            id: "solve",
            says: [
                (when: UpsetAtLeast(70), variants: [(zh: "（群众仍然很生气时说的话）", en: "(What the citizen says while still angry.)")]),
                (variants: [(zh: "（群众说明具体诉求）", en: "(The citizen explains what they need.)")]),
            ],{time_limit}
            options: [
                (
                    id: "complete",
                    text: (zh: "（先回应情绪，一次性告知：材料、步骤、时限，并给出回访时间）", en: "(Acknowledge the feeling, then tell everything in one go: documents, steps, time limit, callback time.)"),
                    evidence: {{E1: 3, E2: 3, E3: 3, L2: 3, L3: 3, L4: 3, C1: 3, C2: 3, C3: 3, C4: 3, P2: 3, P3: 3, P4: 3, P5: 3}},
                    stage: Solution,
                    fit: {good_fit},
                    mood: (upset: -20, trust: 20),
                    feedback: (zh: "（为什么这样说好）", en: "(Why this works.)"),
                    next: "resolved",
                ),
                (
                    id: "cold_fix",
                    text: (zh: "（方案正确但没有温度的回答）", en: "(The right fix with no empathy.)"),
                    evidence: {{C2: 3, P4: 3, E1: 0, E3: 1}},
                    stage: Solution,
                    mood: (upset: 5, trust: 0),
                    feedback: (zh: "（问题在哪里）", en: "(What goes wrong.)"),
                    better: "complete",
                    next: "resolved",
                ),
                (
                    id: "vague",
                    text: (zh: "（热情但含糊的回答）", en: "(Warm but vague.)"),
                    evidence: {{E1: 3, C2: 0, C3: 0}},
                    stage: Solution,
                    mood: (upset: -5, trust: -5),
                    feedback: (zh: "（问题在哪里）", en: "(What goes wrong.)"),
                    better: "complete",
                    next: "resolved",
                ),
            ],
        ),
    ],
    endings: [
        (id: "resolved", outcome: Resolved, text: (zh: "（事情如何了结）", en: "(How it ends.)")),
        (id: "walked_out", outcome: WalkedOut, text: (zh: "（群众愤然离开）", en: "(The citizen walks out.)")),
    ],
)
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::load_bytes;
    use std::path::Path;

    #[test]
    fn every_scaffold_validates_without_errors() {
        for channel in [Channel::Counter, Channel::Hotline] {
            for style in DiscStyle::ALL {
                let text = scaffold(&ScaffoldSpec {
                    id: "new-one".into(),
                    channel,
                    style,
                    title_zh: "标题 \"引号\"".into(),
                    title_en: "Title".into(),
                });
                let loaded = load_bytes(text.as_bytes(), Path::new("new-one.ron"));
                assert!(loaded.script().is_some(), "{channel:?}/{style:?}: {:?}", loaded.errors());
                let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
                assert!(warnings.is_empty(), "{channel:?}/{style:?}: {warnings:#?}");
                let script = loaded.script().unwrap();
                assert_eq!(script.scenario.citizen.disc.primary, style);
                assert_eq!(script.scenario.channel, channel);
            }
        }
    }
}
