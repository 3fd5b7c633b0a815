//! `counterpart new`: a commented starting point for a new scenario that
//! validates out of the box (no errors, no warnings, training-validity
//! checks included), so a trainer edits working content instead of facing a
//! blank file. The template teaches by example: six turns of three options
//! of similar length, each claiming at most three rubric items; the best
//! answer in a different position each turn and never the longest in most
//! turns; a second persona of the partner DISC style (D↔S, I↔C) whose best
//! answers differ through `fit`; a `Persona(..)` line; a warm red-flag trap;
//! and a hang-up or walk-out reached by an encounter-wide upset route.

use crate::scenario::model::{Channel, DiscStyle};
use std::path::Path;

#[derive(Debug, Clone)]
pub struct ScaffoldSpec {
    pub id: String,
    pub channel: Channel,
    pub style: DiscStyle,
    /// The main persona's secondary style, if the citizen is a blend.
    pub secondary: Option<DiscStyle>,
    pub title_zh: String,
    pub title_en: String,
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// How an answer sounds when it suits `style`, for the option placeholders
/// (zh, en). The Chinese phrases have the same length, so that the two
/// styled answers of a turn are equally long.
fn manner(style: DiscStyle) -> (&'static str, &'static str) {
    match style {
        DiscStyle::D => ("简短果断，结果放最前", "short and decisive, the outcome first"),
        DiscStyle::I => ("热情友好，先认可感受", "warm and friendly, the feeling first"),
        DiscStyle::S => ("耐心平和，一步一步说", "patient and calm, one step at a time"),
        DiscStyle::C => ("准确严谨，讲清楚依据", "exact and careful, with the basis"),
    }
}

/// The style whose best answer differs most from `style`'s: the persona of
/// the template plays it.
fn partner(style: DiscStyle) -> DiscStyle {
    match style {
        DiscStyle::D => DiscStyle::S,
        DiscStyle::S => DiscStyle::D,
        DiscStyle::I => DiscStyle::C,
        DiscStyle::C => DiscStyle::I,
    }
}

/// The persona's secondary style: neither the main style nor its partner.
fn persona_secondary(style: DiscStyle) -> DiscStyle {
    match style {
        DiscStyle::D => DiscStyle::I,
        DiscStyle::S => DiscStyle::C,
        DiscStyle::I | DiscStyle::C => DiscStyle::S,
    }
}

/// Id and label (zh, en) of a persona whose primary style is `style`.
fn persona(style: DiscStyle) -> (&'static str, &'static str, &'static str) {
    match style {
        DiscStyle::S => ("steady", "担心但客气", "Worried but polite"),
        DiscStyle::D => ("hurried", "着急要结果", "In a hurry for results"),
        DiscStyle::I => ("talkative", "爱倾诉、重感受", "Talkative, wants to be heard"),
        DiscStyle::C => ("exact", "较真、要依据", "Precise, wants the rules"),
    }
}

fn letter(style: DiscStyle) -> String {
    format!("{style:?}")
}

/// A `fit` as RON text from (style, value) pairs; other styles count 0.
fn fit(pairs: &[(DiscStyle, i8)]) -> String {
    let parts: Vec<String> = pairs.iter().map(|(s, v)| format!("{}: {v}", letter(*s).to_lowercase())).collect();
    format!("({})", parts.join(", "))
}

/// What the template's placeholder texts start with, so the checker can
/// tell a text still to be written from the trainer's own (a warning, and
/// so a `--strict` failure, until none is left).
pub(crate) const PLACEHOLDER_ZH: &str = "待写：";
pub(crate) const PLACEHOLDER_EN: &str = "To write: ";

/// Marks every text in （） / () outside comments as a placeholder.
fn mark_placeholders(template: &str) -> String {
    template
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                line.to_string()
            } else {
                line.replace("zh: \"（", &format!("zh: \"（{PLACEHOLDER_ZH}")).replace("en: \"(", &format!("en: \"({PLACEHOLDER_EN}"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The template for a file written to `scenarios/<id>.ron`.
pub fn scaffold(spec: &ScaffoldSpec) -> String {
    scaffold_in(spec, Path::new("scenarios"))
}

/// The template for a file written to `dir/<id>.ron`; the header's commands
/// name that path.
pub fn scaffold_in(spec: &ScaffoldSpec, dir: &Path) -> String {
    let m = letter(spec.style);
    let partner_style = partner(spec.style);
    let t = letter(partner_style);
    let t2 = letter(persona_secondary(spec.style));
    let a = m.to_lowercase();
    let b = t.to_lowercase();
    let (pid, plabel_zh, plabel_en) = persona(partner_style);
    let (manner_a_zh, manner_a_en) = manner(spec.style);
    let (manner_b_zh, manner_b_en) = manner(partner_style);
    let fit_a = fit(&[(spec.style, 2), (partner_style, -1)]);
    let fit_b = fit(&[(spec.style, -1), (partner_style, 2)]);
    let fit_x = fit(&[(spec.style, -1), (partner_style, -1)]);
    let main_disc = match spec.secondary {
        Some(second) => format!("(primary: {m}, secondary: {})", letter(second)),
        None => format!("(primary: {m})"),
    };
    let hotline = spec.channel == Channel::Hotline;
    let pick = |h: &'static str, c: &'static str| if hotline { h } else { c };
    let channel = pick("Hotline", "Counter");
    let time_limit = pick("\n            time_limit: 20, // seconds to answer; hotline turns only / 限时作答，仅用于热线", "");
    let situation_zh = pick("为什么来电、之前发生了什么", "来办什么、之前发生了什么");
    let situation_en = pick("why they call, what happened before", "what they came for, what happened before");
    let cue_zh = pick("（电话接通，你已按标准开场：“您好，12345，工号0001，请讲。”）", "（走到窗口前，把一叠材料放在台面上）");
    let cue_en = pick(
        "(The call connects; you have given the standard pick-up: “Hello, 12345, operator 0001, go ahead.”)",
        "(Comes up to the window and puts a pile of papers on the counter.)",
    );
    // A hotline call states the right record of the call; the template's
    // category and time limit are real ids of the bundled library, to be
    // replaced (docs/work-orders.md).
    let work_order = if hotline {
        r#"
    // What a correct work order for this call holds (docs/work-orders.md):
    // the facts the caller gives and where, and the dispatch. A harassing or
    // invalid call states `no_order: (disposition: Harassing, why: (...))`
    // instead. 这通电话的标准工单：来电人在哪一轮说出哪些事实、怎么派单。
    work_order: (
        facts: [
            (id: "demand", kind: Demand, value: (zh: "（来电人的诉求）", en: "(What the caller wants.)"),
             revealed: [Turn("open")]),
            (id: "details", kind: Event, value: (zh: "（来电人在回答提问时说出的关键事实）", en: "(The key fact the caller gives when asked.)"),
             revealed: [Turn("ask")]),
        ],
        request_type: Complaint, // Enquiry | Help | Complaint | Report | Suggestion | Praise
        category: "urban-construction", // an id from knowledge/categories.ron / 分类表里的编号
        urgency: Normal, // Normal | Urgent | Critical
        callback: true,
        handling_unit: (zh: "（承办单位）", en: "(The handling unit.)"),
        time_limit: "hotline-complaint-limit", // a rule of city/profile.ron / 城市配置里的时限
    ),"#
    } else {
        r#"
    // What the one-time notice handed over at the end must hold
    // (docs/knowledge-base.md): the knowledge entries whose materials and
    // steps this citizen needs; the id below is a real entry of the bundled
    // library, to be replaced. Lines of the entries this citizen does not
    // need go in `not_needed`, later matters (e.g. tax registration after a
    // licence) in `follow_on`.
    // 一次性告知单应包含的知识库条目（下面是示例编号，请换成本事项的条目）；
    // 这位群众用不上的材料写进 not_needed，后续事项写进 follow_on。
    notice: (
        entries: ["residence-permit-application"],
        not_needed: [],
        follow_on: [],
    ),"#
    };
    let breakdown_id = pick("hung_up", "walked_out");
    let breakdown_outcome = pick("HungUp", "WalkedOut");
    let breakdown_en = pick("hang-up", "walk-out");
    let breakdown_zh = pick("挂断", "离开");
    let breakdown_en2 = pick("hangs up", "walks out");
    let breakdown_zh2 = pick("挂断电话", "转身离开");
    let breakdown_text_zh = pick("（来电人挂断了电话）", "（群众愤然离开）");
    let breakdown_text_en = pick("(The caller hangs up.)", "(The citizen walks out.)");
    let path = dir.join(format!("{}.ron", spec.id)).display().to_string().replace(['\n', '\r'], " ");
    let id = escape(&spec.id);
    let title_zh = escape(&spec.title_zh);
    let title_en = escape(&spec.title_en);
    let template = format!(
        r#"// A new scenario, written by `counterpart new`. 新场景模板。
// Replace every text in （） / () with your own, Chinese first, English beside it.
// 把所有（）里的占位文字换成你自己的内容：先写中文，再写英文。
// They are marked 待写： / To write: and `validate --strict` fails until none is left.
// 占位文字都标着“待写：”，全部换掉之前 `validate --strict` 不会通过。
//
// Check it / 检查:        counterpart validate --strict {path}
// Scores and routes / 分数与路线: counterpart analyze {path}
// Play one route / 试玩:  counterpart play {path} --choices 1,2,3,1,3,2
// Format / 格式说明: docs/scenario-format.md · Training validity / 训练有效性: docs/authoring.md
//
// How this template teaches / 这个模板示范了什么:
// - Six turns, three options each: an answer suited to the main style ({m}),
//   the same substance said the way a {t} citizen needs it, and one distractor
//   that is wrong in substance. 每回合三个选项：适合主风格的回答、内容相同但适合
//   另一种风格的回答、一个内容上出错的干扰项。
// - Options of similar length; the best one is never the longest. Each claims
//   at most 3 rubric items: one turn of a conversation, not a speech.
//   选项长度相近，最佳回答不是最长的；每个选项最多体现 3 个评分项。
// - The best answer sits in a different position in each turn (the app also
//   shuffles the order for every attempt). 最佳回答在各回合的位置不同。
// - The persona "{pid}" plays the same citizen as a {t}: `fit` decides which
//   answer is best for whom. 人设“{pid}”用 fit 决定谁该听哪种说法。
// - One red-flag trap (a warm promise beyond authority) and a {breakdown_en}
//   when upset reaches 90. 一个红线陷阱，情绪到 90 即{breakdown_zh}。
(
    id: "{id}",
    format: 1,
    version: 1, // raise it when you change the wording / 改了措辞就加一
    title: (zh: "{title_zh}", en: "{title_en}"),
    summary: (zh: "（一两句话说明情境）", en: "(One or two sentences describing the situation.)"),
    channel: {channel},
    difficulty: Introductory, // Introductory | Intermediate | Advanced
    objectives: [
        (zh: "（学员要练的第一件事）", en: "(The first thing the trainee practises.)"),
        (zh: "（学员要练的第二件事）", en: "(The second thing the trainee practises.)"),
    ],
    tags: [],
    minutes: 6,
    // When a reply gives a local figure (a time limit, a number, hours), say
    // it as "按本市规定…" with the figure exactly as city/profile.ron has it,
    // and name the rule here, e.g. local_rules: ["hotline-complaint-limit"],
    // (docs/city-profile.md).
    local_rules: [],{work_order}
    citizen: (
        name: (zh: "（称呼）", en: "(Name)"),
        age: 40,
        situation: (zh: "（群众的处境：{situation_zh}）", en: "(The citizen's situation: {situation_en}.)"),
        // The main persona, id "main". 主人设，id 为 "main"。
        disc: {main_disc}, // `secondary:` makes a blend / 可加 secondary 表示混合风格
        needs: [], // Elderly, HardOfHearing, LowVision, LowLiteracy, Disability, Dialect, ForeignNational
        mood: (upset: 60, trust: 35), // 0–100 each / 各 0–100
        // Other ways the same citizen may be played; the seed picks one per
        // attempt. A persona needs another DISC blend; `mood` is optional.
        // 同一位群众的其他演法：每次练习按种子抽一个；DISC 组合必须不同，mood 可省略。
        personas: [
            (id: "{pid}", label: (zh: "{plabel_zh}", en: "{plabel_en}"),
             disc: (primary: {t}, secondary: {t2})), // mood: (upset: 50, trust: 40),
        ],
    ),
    start: "open",
    // Checked after every answer: at upset 90 the citizen {breakdown_en2}.
    // 每次回答后都检查：情绪到 90，群众{breakdown_zh2}。
    routes: [(when: UpsetAtLeast(90), to: "{breakdown_id}")],
    turns: [
        (
            id: "open",
            says: [
                // The first line whose `when` holds is shown; the last has none.
                // 显示第一条条件成立的台词；最后一条不写 when。
                (when: Persona("{pid}"), variants: [
                    (zh: "（{t} 型人设的第一句话：同样的事，用 {t} 型的方式说）", en: "(The {pid} persona's first line: the same matter, said the {t} way.)"),
                ]),
                (variants: [
                    (zh: "（群众的第一句话：说出诉求和情绪）", en: "(The citizen's first line: the request and the feeling.)"),
                    (zh: "（同一句话的另一种说法）", en: "(Another wording of the same line.)"),
                ]),
            ],
            cue: (zh: "{cue_zh}", en: "{cue_en}"),{time_limit}
            options: [
                // Best for the main style: `fit` {m} 2 gives D1–D3 and calms more.
                // 主风格的最佳回答：fit 中 {m} 为 2，DISC 项由 fit 计分，不要在 evidence 里写 D1–D3。
                (
                    id: "{a}_own_it",
                    text: (zh: "（回应情绪、道歉并接下这件事：{manner_a_zh}）", en: "(Acknowledge the feeling, apologise, take it on: {manner_a_en}.)"),
                    evidence: {{E1: 3, E2: 3, P1: 3}}, // rubric item: level 0–3 / 评分项：等级 0–3
                    stage: Calming,
                    fit: {fit_a}, // -2 (a trigger) .. 2 (a perfect match)
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（为什么这样说对 {m} 型群众好）", en: "(Why this works for a {m}-style citizen.)"),
                    next: "ask",
                ),
                // Distractor: logging before calming. 干扰项：没安抚就先登记。
                (
                    id: "log_first",
                    text: (zh: "（不回应情绪，开口就要身份证号码和住址，先把信息登记上）", en: "(Ignores the feeling and asks for the ID number and address first, to log them.)"),
                    evidence: {{E1: 0, E2: 1, P1: 1, L1: 1}}, // L1 1: cuts the citizen short / 打断了对方
                    stage: Gathering,
                    fit: {fit_x},
                    mood: (upset: 15, trust: -12),
                    feedback: (zh: "（我注意到……；这很重要，因为……；你当时是怎么考虑的？）", en: "(I noticed…; it mattered because…; what were you thinking?)"),
                    better: "{a}_own_it",
                    next: "ask",
                ),
                // The same substance for the persona's style. No `better:` here: it is
                // the best answer for persona "{pid}", and `better:` is the same for all.
                // 同样内容，换成人设风格的说法；它是人设“{pid}”的最佳回答，所以不写 better。
                (
                    id: "{b}_own_it",
                    text: (zh: "（回应情绪、道歉并接下这件事：{manner_b_zh}）", en: "(Acknowledge the feeling, apologise, take it on: {manner_b_en}.)"),
                    evidence: {{E1: 3, E2: 3, P1: 3}},
                    stage: Calming,
                    fit: {fit_b},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（适合 {t} 型的“{pid}”人设；对 {m} 型群众为什么稍差）", en: "(Right for the {t}-style \"{pid}\" persona; why it suits a {m} citizen less.)"),
                    next: "ask",
                ),
            ],
        ),
        (
            id: "ask",
            says: [
                (when: UpsetAtLeast(75), variants: [(zh: "（群众仍然很激动时说的话）", en: "(What the citizen says while still very upset.)")]),
                (variants: [(zh: "（群众说出更多情况）", en: "(The citizen tells more about what happened.)")]),
            ],{time_limit}
            options: [
                (
                    id: "{b}_one_question",
                    text: (zh: "（先稳住情绪，再只问一个关键问题：{manner_b_zh}）", en: "(Steady the mood, then ask the one key question: {manner_b_en}.)"),
                    evidence: {{P2: 3, L2: 3, L4: 3}},
                    stage: Gathering,
                    fit: {fit_b},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（适合 {t} 型人设的问法）", en: "(The way to ask a {t}-style persona.)"),
                    next: "read_back",
                ),
                (
                    id: "{a}_one_question",
                    text: (zh: "（先稳住情绪，再只问一个关键问题：{manner_a_zh}）", en: "(Steady the mood, then ask the one key question: {manner_a_en}.)"),
                    evidence: {{P2: 3, L2: 3, L4: 3}},
                    stage: Gathering,
                    fit: {fit_a},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（为什么一次只问一件事）", en: "(Why one question at a time.)"),
                    next: "read_back",
                ),
                // Distractor: warm, but no action. 干扰项：热情但没有行动。
                (
                    id: "only_comfort",
                    text: (zh: "（连声说抱歉、说理解，热情安慰了好几句，却一个问题也没有问）", en: "(Says sorry and “I understand” again and again, comforts warmly, but asks nothing.)"),
                    evidence: {{P2: 2, L2: 0, L4: 1, P3: 1}}, // 2 only where the best answer has it too / 只有最佳回答也有的项才可给 2
                    stage: Calming,
                    fit: {fit_x},
                    mood: (upset: 15, trust: -12),
                    feedback: (zh: "（热情但没有行动：问题在哪里）", en: "(Warm with no action: what goes wrong.)"),
                    better: "{a}_one_question",
                    next: "read_back",
                ),
            ],
        ),
        (
            id: "read_back",
            says: [
                (variants: [(zh: "（群众回答了你的问题）", en: "(The citizen answers your question.)")]),
            ],{time_limit}
            options: [
                // The red-flag trap: warm, plausible, and beyond authority. A
                // red flag fails the attempt whatever the score.
                // 红线陷阱：语气热情、听起来可信，但超出权限；一旦选中，本次不通过。
                (
                    id: "promise_today",
                    text: (zh: "（还没弄清情况，就热情地说“请放心”，保证今天之内一定给解决好）", en: "(Before anything is clear, says warmly “please don't worry” and promises it will be sorted out today.)"),
                    evidence: {{L3: 0, P3: 0, L1: 1}},
                    stage: Solution,
                    fit: {fit_x},
                    red_flag: OverPromise,
                    mood: (upset: 15, trust: -12),
                    set: ["promised_today"],
                    feedback: (zh: "（超出权限的承诺：为什么做不到会更糟）", en: "(A promise beyond your authority: why it backfires.)"),
                    better: "{a}_read_back",
                    next: "route",
                ),
                (
                    id: "{b}_read_back",
                    text: (zh: "（复述时间、地点和诉求，让对方确认：{manner_b_zh}）", en: "(Read back when, where and what they want, and ask to confirm: {manner_b_en}.)"),
                    evidence: {{L3: 3, L1: 3, P3: 3}},
                    stage: Gathering,
                    fit: {fit_b},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（适合 {t} 型人设的复述方式）", en: "(Reading back the way a {t}-style persona needs.)"),
                    next: "route",
                ),
                (
                    id: "{a}_read_back",
                    text: (zh: "（复述时间、地点和诉求，让对方确认：{manner_a_zh}）", en: "(Read back when, where and what they want, and ask to confirm: {manner_a_en}.)"),
                    evidence: {{L3: 3, L1: 3, P3: 3}},
                    stage: Gathering,
                    fit: {fit_a},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（为什么先复述确认，再谈办法）", en: "(Why confirm the facts before any solution.)"),
                    next: "route",
                ),
            ],
        ),
        (
            id: "route",
            says: [
                // A flag set by an earlier answer changes the line. 前面设置的标记会改变台词。
                (when: Flag("promised_today"), variants: [(zh: "（群众追问你刚才的保证）", en: "(The citizen holds you to your promise.)")]),
                (variants: [(zh: "（群众问：那这事谁来办？）", en: "(The citizen asks who will deal with it.)")]),
            ],{time_limit}
            options: [
                (
                    id: "{a}_route",
                    text: (zh: "（说清由哪个单位办、要准备什么，一次说全：{manner_a_zh}）", en: "(Which unit handles it and what is needed, all in one go: {manner_a_en}.)"),
                    evidence: {{P4: 3, C2: 3, C1: 3}},
                    stage: Solution,
                    fit: {fit_a},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（一次性告知为什么能免去白跑）", en: "(Why telling everything in one go saves a wasted trip.)"),
                    next: "time_limit",
                ),
                (
                    id: "{b}_route",
                    text: (zh: "（说清由哪个单位办、要准备什么，一次说全：{manner_b_zh}）", en: "(Which unit handles it and what is needed, all in one go: {manner_b_en}.)"),
                    evidence: {{P4: 3, C2: 3, C1: 3}},
                    stage: Solution,
                    fit: {fit_b},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（适合 {t} 型人设的说法）", en: "(The way a {t}-style persona needs it.)"),
                    next: "time_limit",
                ),
                // Distractor: the wrong department. 干扰项：转错部门。
                (
                    id: "wrong_unit",
                    text: (zh: "（语气客气，满口内部科室简称，把事情转给了不管这件事的单位）", en: "(Polite, full of internal office abbreviations, and sends the matter to a unit that does not handle it.)"),
                    evidence: {{P4: 0, C2: 1, C1: 1}},
                    stage: Solution,
                    fit: {fit_x},
                    mood: (upset: 15, trust: -12),
                    feedback: (zh: "（转错部门：群众会多跑一趟）", en: "(The wrong department: one more wasted trip.)"),
                    better: "{a}_route",
                    next: "time_limit",
                ),
            ],
        ),
        (
            id: "time_limit",
            says: [
                (variants: [(zh: "（群众问：要等多久？）", en: "(The citizen asks how long it will take.)")]),
            ],{time_limit}
            options: [
                // Distractor: the handling unit's time limit as your own promise.
                // 干扰项：把承办单位的时限说成自己的保证。
                (
                    id: "own_deadline",
                    text: (zh: "（把承办单位的处理期限（本市规定的），说成是自己个人给出的一个保证）", en: "(Presents the handling unit's official time limit as a personal guarantee.)"),
                    evidence: {{C3: 0, E3: 1, P3: 1}},
                    stage: Solution,
                    fit: {fit_x},
                    mood: (upset: 15, trust: -12),
                    feedback: (zh: "（为什么不能替别的单位定期限）", en: "(Why you cannot set deadlines for another body.)"),
                    better: "{a}_time_limit",
                    next: "close",
                ),
                (
                    id: "{a}_time_limit",
                    text: (zh: "（说清本市规定的答复期限，如实讲限制：{manner_a_zh}）", en: "(The reply time under local rules, honest about limits: {manner_a_en}.)"),
                    evidence: {{C3: 3, E3: 3, E4: 3}},
                    stage: Solution,
                    fit: {fit_a},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（具体、诚实的承诺为什么让人放心）", en: "(Why a concrete, honest commitment reassures.)"),
                    next: "close",
                ),
                (
                    id: "{b}_time_limit",
                    text: (zh: "（说清本市规定的答复期限，如实讲限制：{manner_b_zh}）", en: "(The reply time under local rules, honest about limits: {manner_b_en}.)"),
                    evidence: {{C3: 3, E3: 3, E4: 3}},
                    stage: Solution,
                    fit: {fit_b},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（适合 {t} 型人设的说法）", en: "(The way a {t}-style persona needs it.)"),
                    next: "close",
                ),
            ],
        ),
        (
            id: "close",
            says: [
                (variants: [(zh: "（群众问：那之后呢？）", en: "(The citizen asks what happens next.)")]),
            ],{time_limit}
            options: [
                (
                    id: "{b}_close",
                    text: (zh: "（说明之后由谁回访，确认对方听明白，致谢：{manner_b_zh}）", en: "(Who will call back, a check that they understood, thanks: {manner_b_en}.)"),
                    kind: Exemplary, // a model answer: gives this stage's items (P5, E3, C4) at 3 / 示范回答：自动给这一步（FollowUp）的 P5、E3、C4 记 3
                    stage: FollowUp,
                    fit: {fit_b},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（适合 {t} 型人设的收尾）", en: "(The close a {t}-style persona needs.)"),
                    next: "resolved",
                ),
                // Distractor: correct but buried in jargon. 干扰项：内容对，但满口术语。
                (
                    id: "jargon_close",
                    text: (zh: "（用一长串流程术语收尾，内容倒也不算错，却始终没问对方听懂了没有）", en: "(Closes with a string of procedural jargon, not wrong, but never checks understanding.)"),
                    evidence: {{C1: 0, C4: 0, P5: 1}},
                    stage: FollowUp,
                    fit: {fit_x},
                    mood: (upset: 15, trust: -12),
                    feedback: (zh: "（术语为什么等于没说）", en: "(Why jargon says nothing to a citizen.)"),
                    better: "{a}_close",
                    next: "resolved",
                ),
                (
                    id: "{a}_close",
                    text: (zh: "（说明之后由谁回访，确认对方听明白，致谢：{manner_a_zh}）", en: "(Who will call back, a check that they understood, thanks: {manner_a_en}.)"),
                    kind: Exemplary,
                    stage: FollowUp,
                    fit: {fit_a},
                    mood: (upset: -12, trust: 10),
                    feedback: (zh: "（为什么这样收尾好）", en: "(Why this close works.)"),
                    next: "resolved",
                ),
            ],
        ),
    ],
    endings: [
        // A good ending still needs a calm citizen: the citizen's rating (满意 /
        // 基本满意 / 不满意) comes from the final mood. 以“解决”结束也要看最终情绪。
        (id: "resolved", outcome: Resolved, text: (zh: "（事情如何了结）", en: "(How it ends.)")),
        (id: "{breakdown_id}", outcome: {breakdown_outcome}, text: (zh: "{breakdown_text_zh}", en: "{breakdown_text_en}")),
    ],
)
"#
    );
    mark_placeholders(&template)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::load::load_bytes;
    use crate::play::rubric::{Dimension, MAX_CLAIMED_ITEMS};
    use std::path::Path;

    fn all_specs() -> Vec<ScaffoldSpec> {
        let mut specs = Vec::new();
        for channel in [Channel::Counter, Channel::Hotline] {
            for style in DiscStyle::ALL {
                for secondary in std::iter::once(None).chain(DiscStyle::ALL.into_iter().filter(|s| *s != style).map(Some)) {
                    specs.push(ScaffoldSpec {
                        id: "new-one".into(),
                        channel,
                        style,
                        secondary,
                        title_zh: "标题 \"引号\"".into(),
                        title_en: "Title".into(),
                    });
                }
            }
        }
        specs
    }

    #[test]
    fn every_scaffold_validates_without_errors() {
        for spec in all_specs() {
            let (channel, style) = (spec.channel, spec.style);
            let text = scaffold(&spec);
            let spec = &spec;
            let loaded = load_bytes(text.as_bytes(), Path::new("new-one.ron"));
            assert!(loaded.script().is_some(), "{channel:?}/{style:?}: {:?}", loaded.errors());
            // The placeholders are the only finding, so `--strict` fails
            // until they are written...
            let codes: Vec<&str> = loaded.warnings.iter().map(|w| w.code).collect();
            assert_eq!(codes, ["placeholder-text"], "{channel:?}/{style:?}: {:#?}", loaded.warnings);
            assert_eq!(loaded.warnings[0].line, text.lines().position(|l| !l.trim_start().starts_with("//") && l.contains(PLACEHOLDER_ZH)).unwrap() + 1);
            // ...and once they are, the template is clean.
            let written = text.replace(PLACEHOLDER_ZH, "").replace(PLACEHOLDER_EN, "");
            let clean = load_bytes(written.as_bytes(), Path::new("new-one.ron"));
            let warnings: Vec<String> = clean.warnings.iter().map(|w| w.to_string()).collect();
            assert!(warnings.is_empty(), "{channel:?}/{style:?}: {warnings:#?}");
            let script = loaded.script().unwrap();
            assert_eq!(script.scenario.citizen.disc.primary, style);
            assert_eq!(script.scenario.citizen.disc.secondary, spec.secondary);
            assert_eq!(script.scenario.channel, channel);
        }
    }

    #[test]
    fn the_template_shows_what_it_teaches() {
        for spec in all_specs() {
            let text = scaffold(&spec);
            let loaded = load_bytes(text.as_bytes(), Path::new("new-one.ron"));
            let s = &loaded.script().expect("loads").scenario;
            assert!(s.turns.len() >= 3 && s.turns.iter().all(|t| t.options.len() == 3));
            for option in s.turns.iter().flat_map(|t| &t.options) {
                let claimed = option.evidence.iter().filter(|(i, l)| **l >= 2 && i.dimension() != Dimension::Disc).count();
                assert!(claimed <= 3 && claimed <= MAX_CLAIMED_ITEMS, "{}", option.id);
            }
            assert!(s.citizen.personas.as_ref().is_some_and(|p| !p.is_empty()));
            assert!(text.contains("when: Persona(\""));
            assert!(s.turns.iter().flat_map(|t| &t.options).any(|o| o.red_flag.is_some()));
            assert!(s.turns.iter().flat_map(|t| &t.options).any(|o| o.kind.is_some()), "a model answer shows `kind:`");
            // The record the trainee makes is scored: a work order on a
            // call, a one-time notice at a counter.
            if spec.channel == Channel::Hotline {
                assert!(s.work_order.is_some() && s.notice.is_none());
            } else {
                assert!(s.notice.as_ref().is_some_and(|n| !n.entries.is_empty()) && s.work_order.is_none());
            }
            let breakdown = if spec.channel == Channel::Hotline { "HungUp" } else { "WalkedOut" };
            assert!(text.contains(&format!("outcome: {breakdown}")));
        }
    }

    #[test]
    fn the_header_names_the_real_path() {
        let spec = all_specs().remove(0);
        let text = scaffold_in(&spec, Path::new("my/folder"));
        let expected = Path::new("my/folder").join("new-one.ron").display().to_string();
        assert!(text.lines().take(10).any(|l| l.contains(&format!("counterpart validate --strict {expected}"))), "{text}");
        assert!(scaffold(&spec).contains(&Path::new("scenarios").join("new-one.ron").display().to_string()));
    }
}
