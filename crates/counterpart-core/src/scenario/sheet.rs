//! The spreadsheet round trip (`counterpart sheet export|import`): one row
//! per option for trainers who edit in Excel or WPS, applied back to the
//! scenario file in place.
//!
//! Import edits the *source*, field by field, so the trainer's comments,
//! layout and ids survive; only the cells that changed touch the file.
//! Routes, conditions and the citizen's lines stay in the file: a sheet
//! row cannot express them without becoming a program.

use crate::scenario::model::{AnswerKind, Choice, DiscFit, Item, MoodDelta, RedFlag, Scenario, Stage, Turn};
use crate::scenario::translate;
use std::collections::{BTreeMap, HashSet};

/// One column of the sheet: its key, Chinese and English header, width in
/// the workbook, what it shows for an option, and how an edited cell goes
/// back into the file. A new column is one line of `COLUMNS` (and, for a
/// field, the function that reads its cell).
pub(crate) struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    width: f64,
    show: fn(&Turn, &Choice) -> String,
    role: Role,
}

#[derive(Clone, Copy)]
enum Role {
    /// Shown for reference (grey): an edit there is never applied.
    Reference,
    /// One language of a text pair, written back as the translation import
    /// writes texts (escapes, layout).
    Text { field: &'static str, zh: bool },
    /// A field of the option: the cell is read and checked, then written in place.
    Field { field: &'static str, read: ReadCell },
}

/// Reads an edited cell (already trimmed, full-width punctuation made
/// ASCII) for option `o` of turn `t`: None when it says what the file says.
type ReadCell = fn(&str, &Scenario, usize, &Choice) -> Result<Option<Value>, Problem>;

#[rustfmt::skip]
pub(crate) const COLUMNS: [Column; 16] = [
    Column { key: "turn", zh: "回合", en: "Turn", width: 12.0, show: |t, _| t.id.clone(), role: Role::Reference },
    Column { key: "says", zh: "群众这一句", en: "Citizen's line", width: 30.0, show: says_cell, role: Role::Reference },
    Column { key: "option", zh: "选项", en: "Option", width: 14.0, show: |_, o| o.id.clone(), role: Role::Reference },
    Column { key: "text_zh", zh: "回答（中文）", en: "Answer (Chinese)", width: 40.0, show: |_, o| o.text.zh.clone(), role: Role::Text { field: "text", zh: true } },
    Column { key: "text_en", zh: "回答（英文）", en: "Answer (English)", width: 40.0, show: |_, o| o.text.en.clone(), role: Role::Text { field: "text", zh: false } },
    Column { key: "stage", zh: "阶段", en: "Stage", width: 12.0, show: |_, o| ron_value(&o.stage), role: Role::Field { field: "stage", read: read_stage } },
    Column { key: "kind", zh: "回答类型", en: "Answer kind", width: 16.0, show: |_, o| kind_cell(o.kind), role: Role::Field { field: "kind", read: read_kind } },
    Column { key: "evidence", zh: "评分项证据", en: "Evidence", width: 24.0, show: |_, o| evidence_cell(&written_evidence(o)), role: Role::Field { field: "evidence", read: read_evidence } },
    Column { key: "fit", zh: "DISC 适配", en: "DISC fit", width: 22.0, show: |_, o| fit_cell(o.fit), role: Role::Field { field: "fit", read: read_fit } },
    Column { key: "mood", zh: "情绪变化", en: "Mood change", width: 20.0, show: |_, o| mood_cell(o.mood), role: Role::Field { field: "mood", read: read_mood } },
    Column { key: "red_flag", zh: "红线", en: "Red flag", width: 14.0, show: |_, o| o.red_flag.map(|f| ron_value(&f)).unwrap_or_default(), role: Role::Field { field: "red_flag", read: read_red_flag } },
    Column { key: "set", zh: "设置标记", en: "Sets flags", width: 14.0, show: |_, o| o.set.join(", "), role: Role::Field { field: "set", read: read_set } },
    Column { key: "better", zh: "更好的选项", en: "Better option", width: 14.0, show: |_, o| o.better.clone().unwrap_or_default(), role: Role::Field { field: "better", read: read_better } },
    Column { key: "next", zh: "下一步", en: "Next", width: 14.0, show: |_, o| o.next.clone(), role: Role::Field { field: "next", read: read_next } },
    Column { key: "feedback_zh", zh: "点评（中文）", en: "Feedback (Chinese)", width: 36.0, show: |_, o| o.feedback.zh.clone(), role: Role::Text { field: "feedback", zh: true } },
    Column { key: "feedback_en", zh: "点评（英文）", en: "Feedback (English)", width: 36.0, show: |_, o| o.feedback.en.clone(), role: Role::Text { field: "feedback", zh: false } },
];

/// Rows are matched to options by these two columns.
const TURN_COLUMN: usize = 0;
const OPTION_COLUMN: usize = 2;

pub(crate) const SHEET_NAME: &str = "Options 选项";

/// The position of the column with this key (`"mood"`, `"kind"`, …).
pub fn column(key: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| c.key == key)
}

/// A header cell: "回合 / Turn".
pub fn header(column: usize) -> String {
    let c = &COLUMNS[column];
    format!("{} / {}", c.zh, c.en)
}

/// The sheet: a header row, then one row per option in file order.
pub fn rows(s: &Scenario) -> Vec<Vec<String>> {
    let mut out = vec![(0..COLUMNS.len()).map(header).collect()];
    for turn in &s.turns {
        for o in &turn.options {
            out.push(COLUMNS.iter().map(|c| (c.show)(turn, o)).collect());
        }
    }
    out
}

fn says_cell(turn: &Turn, _: &Choice) -> String {
    turn.says.last().and_then(|l| l.variants.first()).map(|t| t.zh.clone()).unwrap_or_default()
}

fn ron_value<T: serde::Serialize>(v: &T) -> String {
    ron::to_string(v).unwrap_or_default()
}

fn kind_cell(kind: Option<AnswerKind>) -> String {
    kind.map(|k| format!("{k:?}")).unwrap_or_default()
}

/// The evidence written in the file: once a scenario is resolved, its
/// kind's defaults are in `evidence` too, and they are not the trainer's
/// to edit cell by cell (the kind column says where they come from).
fn written_evidence(o: &Choice) -> BTreeMap<Item, u8> {
    o.evidence.iter().filter(|(item, _)| !o.kind_items.contains(item)).map(|(i, l)| (*i, *l)).collect()
}

fn evidence_cell(e: &BTreeMap<Item, u8>) -> String {
    e.iter().map(|(item, level)| format!("{}: {level}", format!("{item:?}"))).collect::<Vec<_>>().join(", ")
}

fn fit_cell(f: DiscFit) -> String {
    format!("d: {}, i: {}, s: {}, c: {}", f.d, f.i, f.s, f.c)
}

fn mood_cell(m: MoodDelta) -> String {
    format!("upset: {}, trust: {}", m.upset, m.trust)
}

/// The workbook: the options sheet (read-only columns shaded, the header
/// frozen) and a sheet saying how to fill it in.
pub fn export_xlsx(s: &Scenario) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook};
    let mut book = Workbook::new();
    let head = Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7)).set_text_wrap().set_align(FormatAlign::Top);
    let fixed = Format::new().set_background_color(Color::RGB(0xEEEEEE)).set_text_wrap().set_align(FormatAlign::Top);
    let open = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET_NAME)?;
    for (c, column) in COLUMNS.iter().enumerate() {
        sheet.set_column_width(c as u16, column.width)?;
    }
    for (r, row) in rows(s).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let format = if r == 0 {
                &head
            } else if matches!(COLUMNS[c].role, Role::Reference) {
                &fixed
            } else {
                &open
            };
            // Strings throughout: "3" typed as a number comes back as 3.0.
            sheet.write_string_with_format(r as u32, c as u16, cell, format)?;
        }
    }
    sheet.set_freeze_panes(1, 3)?;
    let help = book.add_worksheet();
    help.set_name("How to 填写说明")?;
    help.set_column_width(0, 100)?;
    let kinds_zh = AnswerKind::ALL.iter().map(|k| format!("{} {k:?}", k.label().zh)).collect::<Vec<_>>().join("、");
    let kinds_en = AnswerKind::ALL.iter().map(|k| format!("{k:?} ({})", k.label().en)).collect::<Vec<_>>().join(", ");
    let lines = [
        format!("场景：{} / Scenario: {} ({})", s.title.zh, s.title.en, s.id),
        "灰色的列（回合、群众这一句、选项）只用来对照，改了也不会写回文件。/ The grey columns are for reference: changes there are not applied.".into(),
        "评分项证据写成“P1: 3, E1: 2”，等级 0–3；DISC 适配写成“d: 2, i: 0, s: 1, c: -1”，每项 −2 到 +2；情绪变化写成“upset: -15, trust: 10”。".into(),
        "Evidence: \"P1: 3, E1: 2\", levels 0–3; DISC fit: \"d: 2, i: 0, s: 1, c: -1\", each −2 to +2; mood change: \"upset: -15, trust: 10\".".into(),
        format!("回答类型写中文或英文名都可以：{kinds_zh}；留空表示没有类型。写了类型，评分项证据一栏没写的项按类型和阶段取默认值（这一栏只列文件里自己写的）。"),
        format!("Answer kind, in Chinese or English: {kinds_en}; empty for none. With a kind, the items the evidence column does not name get the kind's default for the stage (the column lists only the evidence written in the file)."),
        "红线、更好的选项、设置标记可以留空；下一步写回合或结局的 id。/ Red flag, better option and flags may be empty; Next is a turn or ending id.".into(),
        "改完保存为 .xlsx，再运行 counterpart sheet import 场景文件 表格文件。/ Save as .xlsx, then run counterpart sheet import SCENARIO SHEET.".into(),
    ];
    for (r, line) in lines.iter().enumerate() {
        help.write_string_with_format(r as u32, 0, line, &open)?;
    }
    book.save_to_buffer()
}


/// Reads the options sheet of a workbook as rows of text.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    use calamine::{Data, Reader, Xlsx};
    let unreadable = |detail: String| SheetError::Unreadable { detail };
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let names = book.sheet_names();
    let name = names.iter().find(|n| n.as_str() == SHEET_NAME).or(names.first()).cloned().ok_or_else(|| unreadable("the workbook has no sheets".into()))?;
    let range = book.worksheet_range(&name).map_err(|e| unreadable(e.to_string()))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut out = Vec::new();
    for (r, row) in range.rows().enumerate() {
        let mut cells = vec![String::new(); left as usize];
        cells.extend(row.iter().map(|cell| match cell {
            Data::String(s) => s.clone(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::Empty => String::new(),
            other => other.to_string(),
        }));
        while out.len() < top as usize + r {
            out.push(Vec::new());
        }
        out.push(cells);
    }
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("cannot read the workbook: {detail}")]
    Unreadable { detail: String },
    #[error("the first row must be the sheet's header as exported (missing column \"{column}\")")]
    Header { column: String },
    #[error("{} problem(s) in the sheet", .0.len())]
    Cells(Vec<CellProblem>),
    #[error("{0}")]
    Text(#[from] translate::ImportError),
}

/// A cell the import could not apply: where, and what is wrong, in both
/// languages.
#[derive(Debug, Clone, PartialEq)]
pub struct CellProblem {
    /// Spreadsheet name of the cell, e.g. "I7".
    pub cell: String,
    pub message: String,
    pub message_zh: String,
}

/// One change the import made, said as the trainer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CellChange {
    pub cell: String,
    pub turn: String,
    pub option: String,
    pub column: &'static str,
    pub before: String,
    pub after: String,
}

/// What importing a sheet gave: the new source and every change.
#[derive(Debug)]
pub struct Imported {
    pub source: String,
    pub changes: Vec<CellChange>,
}

fn cell_name(row: usize, column: usize) -> String {
    let mut c = column + 1;
    let mut letters = Vec::new();
    while c > 0 {
        letters.push((b'A' + ((c - 1) % 26) as u8) as char);
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

/// Applies an edited sheet to `source` (the file `scenario` was parsed
/// from). Rows are matched by turn and option id, so sorting or filtering
/// the sheet is harmless; a row whose cells all equal the file changes
/// nothing. Every problem is reported, none applied, when any cell is bad.
/// Applies an edited sheet to `source` (the file `scenario` was parsed
/// from). Rows are matched by turn and option id, so sorting or filtering
/// the sheet is harmless; a row whose cells all equal the file changes
/// nothing. Every problem is reported, none applied, when any cell is bad.
pub fn import(source: &str, scenario: &Scenario, sheet: &[Vec<String>]) -> Result<Imported, SheetError> {
    let header_row = sheet.first().cloned().unwrap_or_default();
    // Columns by their name in either language or their key, so a trainer
    // who moved a column is understood.
    let mut at = [usize::MAX; COLUMNS.len()];
    for (c, Column { key, zh, en, .. }) in COLUMNS.iter().enumerate() {
        let found = header_row.iter().position(|h| {
            let h = h.trim();
            h == header(c) || h.eq_ignore_ascii_case(en) || h == *zh || h.eq_ignore_ascii_case(key)
        });
        at[c] = found.ok_or_else(|| SheetError::Header { column: header(c) })?;
    }
    // The text pairs: each field's Chinese and English column.
    let pairs: Vec<(&str, usize, usize)> = COLUMNS
        .iter()
        .enumerate()
        .filter_map(|(zh_at, c)| match c.role {
            Role::Text { field, zh: true } => {
                let en_at = COLUMNS.iter().position(|o| matches!(o.role, Role::Text { field: f, zh: false } if f == field))?;
                Some((field, zh_at, en_at))
            }
            _ => None,
        })
        .collect();
    let mut problems = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    let mut changes = Vec::new();
    let mut texts: Vec<(u64, String, String, String)> = Vec::new();
    let index = Index::new(source);
    let mut seen = HashSet::new();
    for (r, row) in sheet.iter().enumerate().skip(1) {
        let get = |c: usize| row.get(at[c]).map(|s| s.trim().to_string()).unwrap_or_default();
        let (turn_id, option_id) = (get(TURN_COLUMN), get(OPTION_COLUMN));
        if turn_id.is_empty() && option_id.is_empty() && row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let problem = |c: usize, en: String, zh: String| CellProblem { cell: cell_name(r, at[c]), message: en, message_zh: zh };
        let Some((t, turn)) = scenario.turns.iter().enumerate().find(|(_, t)| t.id == turn_id) else {
            problems.push(problem(TURN_COLUMN, format!("no turn has the id \"{turn_id}\""), format!("没有 id 为“{turn_id}”的回合")));
            continue;
        };
        let Some((o, option)) = turn.options.iter().enumerate().find(|(_, o)| o.id == option_id) else {
            problems.push(problem(OPTION_COLUMN, format!("turn \"{turn_id}\" has no option \"{option_id}\""), format!("回合“{turn_id}”里没有选项“{option_id}”")));
            continue;
        };
        if !seen.insert((t, o)) {
            problems.push(problem(OPTION_COLUMN, format!("option \"{option_id}\" of turn \"{turn_id}\" has two rows"), format!("回合“{turn_id}”的选项“{option_id}”出现了两行")));
            continue;
        }
        let Some(group) = index.option_group(&turn.id, &option.id) else {
            problems.push(problem(OPTION_COLUMN, format!("cannot find option \"{option_id}\" in the file to edit it"), format!("在文件里找不到选项“{option_id}”，无法修改")));
            continue;
        };
        let line = r as u64 + 1;
        for &(field, zh, en) in &pairs {
            texts.push((line, format!("turn.{}.option.{}.{field}", turn.id, option.id), get(zh), get(en)));
        }
        for (c, column) in COLUMNS.iter().enumerate() {
            let (cell, before) = (get(c), (column.show)(turn, option));
            let change = |after: String| CellChange { cell: cell_name(r, at[c]), turn: turn.id.clone(), option: option.id.clone(), column: column.key, before: before.clone(), after };
            match column.role {
                Role::Reference => {}
                Role::Text { .. } => {
                    if cell != before {
                        changes.push(change(cell));
                    }
                }
                Role::Field { field, read } => match read(&normalise(&cell), scenario, t, option) {
                    Err((en, zh)) => problems.push(problem(c, en, zh)),
                    Ok(None) => {}
                    Ok(Some(Value { ron, default })) => {
                        changes.push(change(cell));
                        edits.push(index.set_field(group, field, if default { None } else { Some(ron) }));
                    }
                },
            }
        }
    }
    if !problems.is_empty() {
        return Err(SheetError::Cells(problems));
    }
    edits.extend(translate::text_edits(source, scenario, &texts)?.into_iter().map(|(start, end, text)| Edit { start, end, text }));
    edits.sort_by(|a, b| b.start.cmp(&a.start).then(b.end.cmp(&a.end)));
    let mut out = source.to_string();
    for e in edits {
        out.replace_range(e.start..e.end, &e.text);
    }
    Ok(Imported { source: out, changes })
}

/// A field's new value in RON, and whether that is the default (the field
/// is then left out of the file).
struct Value {
    ron: String,
    default: bool,
}

type Problem = (String, String);

fn write(ron: String, default: bool) -> Result<Option<Value>, Problem> {
    Ok(Some(Value { ron, default }))
}

fn read_stage(cell: &str, _: &Scenario, _: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    let stage: Stage = ron::from_str(cell).map_err(|_| {
        (format!("\"{cell}\" is not a stage (e.g. Opening, Calming, Gathering, Analysis, Solution, FollowUp)"), format!("“{cell}”不是阶段名（如 Opening、Calming、Gathering、Analysis、Solution、FollowUp）"))
    })?;
    if stage == o.stage { Ok(None) } else { write(ron_value(&stage), false) }
}

fn read_kind(cell: &str, _: &Scenario, _: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    let kind = if cell.is_empty() {
        None
    } else {
        Some(kind_named(cell).ok_or_else(|| {
            let zh = AnswerKind::ALL.iter().map(|k| format!("{} {k:?}", k.label().zh)).collect::<Vec<_>>().join("、");
            (
                format!("\"{cell}\" is not an answer kind: write one of {} (in Chinese or English), or leave the cell empty for none", AnswerKind::catalogue()),
                format!("“{cell}”不是回答类型：请写其中一种（中文或英文都可以）：{zh}；没有类型就留空"),
            )
        })?)
    };
    if kind == o.kind { Ok(None) } else { write(kind_cell(kind), kind.is_none()) }
}

/// An answer kind as a trainer may write it in a cell: its name in the
/// file (`WarmButVague`), its Chinese or English name (热情但含糊, "warm but
/// vague"), or a name in each language together ("示范 Exemplary").
fn kind_named(written: &str) -> Option<AnswerKind> {
    let squash = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let key = squash(written);
    AnswerKind::ALL.into_iter().find(|k| {
        let zh = squash(&k.label().zh);
        key == zh || [squash(&format!("{k:?}")), squash(&k.label().en)].iter().any(|latin| key == *latin || key == format!("{latin}{zh}") || key == format!("{zh}{latin}"))
    })
}

fn read_evidence(cell: &str, _: &Scenario, _: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    let mut evidence = BTreeMap::new();
    let mut written = Vec::new();
    for pair in cell.trim_matches(|c| c == '{' || c == '}').split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (code, level) = pair.split_once(':').map(|(a, b)| (a.trim(), b.trim())).ok_or_else(|| {
            (format!("\"{pair}\" should be an item and a level, like \"P1: 3\""), format!("“{pair}”应写成评分项和等级，如“P1: 3”"))
        })?;
        let item = Item::ALL.iter().copied().find(|i| format!("{i:?}").eq_ignore_ascii_case(code)).ok_or_else(|| {
            (format!("\"{code}\" is not a rubric item (L1–L4, E1–E4, C1–C4, D1–D3, P1–P5)"), format!("“{code}”不是评分项（L1–L4、E1–E4、C1–C4、D1–D3、P1–P5）"))
        })?;
        let level: u8 = level.parse().ok().filter(|l| *l <= 3).ok_or_else(|| {
            (format!("the level of {code} must be 0, 1, 2 or 3, not \"{level}\""), format!("{code} 的等级只能是 0、1、2、3，不能是“{level}”"))
        })?;
        if evidence.insert(item, level).is_some() {
            return Err((format!("{code} is given twice"), format!("{code} 写了两次")));
        }
        written.push(format!("{}: {level}", format!("{item:?}")));
    }
    if evidence == written_evidence(o) { Ok(None) } else { write(format!("{{{}}}", written.join(", ")), evidence.is_empty()) }
}

fn read_fit(cell: &str, _: &Scenario, _: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    let fit: DiscFit = named_numbers(cell, &["d", "i", "s", "c"], -2, 2, "DISC fit", "DISC 适配").map(|n| DiscFit { d: n[0], i: n[1], s: n[2], c: n[3] })?;
    if fit == o.fit { Ok(None) } else { write(format!("(d: {}, i: {}, s: {}, c: {})", fit.d, fit.i, fit.s, fit.c), fit == DiscFit::default()) }
}

fn read_mood(cell: &str, _: &Scenario, _: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    let mood = named_numbers(cell, &["upset", "trust"], -100, 100, "mood change", "情绪变化").map(|n| MoodDelta { upset: n[0], trust: n[1] })?;
    if mood == o.mood { Ok(None) } else { write(format!("(upset: {}, trust: {})", mood.upset, mood.trust), mood == MoodDelta::default()) }
}

fn read_red_flag(cell: &str, _: &Scenario, _: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    let flag: Option<RedFlag> = if cell.is_empty() {
        None
    } else {
        Some(ron::from_str(cell).map_err(|_| (format!("\"{cell}\" is not a red flag (e.g. PushingAway, FalsePromise, DataLeak)"), format!("“{cell}”不是红线类别（如 PushingAway、FalsePromise、DataLeak）")))?)
    };
    if flag == o.red_flag { Ok(None) } else { write(flag.map(|f| ron_value(&f)).unwrap_or_default(), flag.is_none()) }
}

fn read_set(cell: &str, _: &Scenario, _: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    let set: Vec<String> = cell.split(',').map(str::trim).filter(|f| !f.is_empty()).map(str::to_string).collect();
    if let Some(bad) = set.iter().find(|f| !f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        return Err((format!("the flag \"{bad}\" must be letters, digits, _ or - only"), format!("标记“{bad}”只能用字母、数字、_ 或 -")));
    }
    if set == o.set {
        return Ok(None);
    }
    let list = set.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ");
    write(format!("[{list}]"), set.is_empty())
}

fn read_better(cell: &str, s: &Scenario, t: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    let better = (!cell.is_empty()).then(|| cell.to_string());
    if let Some(b) = &better
        && (!s.turns[t].options.iter().any(|x| &x.id == b) || b == &o.id)
    {
        return Err((format!("\"{b}\" is not another option of this turn"), format!("“{b}”不是本回合的另一个选项")));
    }
    if better == o.better { Ok(None) } else { write(better.map(|b| format!("\"{b}\"")).unwrap_or_default(), o.better.is_some() && cell.is_empty()) }
}

fn read_next(cell: &str, s: &Scenario, _: usize, o: &Choice) -> Result<Option<Value>, Problem> {
    if cell.is_empty() || !(s.turns.iter().any(|x| x.id == cell) || s.endings.iter().any(|e| e.id == cell)) {
        return Err((format!("\"{cell}\" is not the id of a turn or an ending"), format!("“{cell}”不是回合或结局的 id")));
    }
    if cell == o.next { Ok(None) } else { write(format!("\"{cell}\""), false) }
}

/// Full-width punctuation from a Chinese input method, read as ASCII.
fn normalise(cell: &str) -> String {
    cell.trim().replace(['：'], ":").replace(['，', '、'], ",").replace(['－', '−'], "-").replace('＋', "+")
}

fn named_numbers(cell: &str, names: &[&str], lo: i8, hi: i8, what: &str, what_zh: &str) -> Result<Vec<i8>, Problem> {
    let mut values = vec![0i8; names.len()];
    for pair in cell.trim_matches(|c| c == '(' || c == ')').split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let example = names.iter().map(|n| format!("{n}: 0")).collect::<Vec<_>>().join(", ");
        let (name, number) = pair.split_once(':').map(|(a, b)| (a.trim(), b.trim())).ok_or_else(|| {
            (format!("the {what} \"{pair}\" should look like \"{example}\""), format!("{what_zh}“{pair}”应写成“{example}”"))
        })?;
        let k = names.iter().position(|n| n.eq_ignore_ascii_case(name)).ok_or_else(|| {
            (format!("\"{name}\" is not part of the {what} ({})", names.join(", ")), format!("“{name}”不是{what_zh}的一项（{}）", names.join("、")))
        })?;
        values[k] = number.trim_start_matches('+').parse::<i8>().ok().filter(|n| (lo..=hi).contains(n)).ok_or_else(|| {
            (format!("{name} must be a whole number from {lo} to {hi}, not \"{number}\""), format!("{name} 必须是 {lo} 到 {hi} 的整数，不能是“{number}”"))
        })?;
    }
    Ok(values)
}

/// A replacement of `start..end` in the original source.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// Where the code is in a RON source: for every byte, its bracket depth and
/// whether it is code (not inside a string or a comment); every bracket
/// pair's open and close.
struct Index<'a> {
    source: &'a str,
    code: Vec<bool>,
    comment: Vec<bool>,
    depth: Vec<u16>,
    groups: Vec<(usize, usize)>,
}

impl<'a> Index<'a> {
    fn new(source: &'a str) -> Index<'a> {
        let bytes = source.as_bytes();
        let (mut code, mut depth) = (vec![true; bytes.len()], vec![0u16; bytes.len()]);
        let mut comment = vec![false; bytes.len()];
        let (mut stack, mut groups) = (Vec::new(), Vec::new());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    let start = i;
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    let end = (i + 1).min(bytes.len());
                    code[start..end].iter_mut().for_each(|c| *c = false);
                    depth[start..end].iter_mut().for_each(|d| *d = stack.len() as u16);
                    i = end;
                    continue;
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    let end = source[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    code[i..end].iter_mut().for_each(|c| *c = false);
                    comment[i..end].iter_mut().for_each(|c| *c = true);
                    depth[i..end].iter_mut().for_each(|d| *d = stack.len() as u16);
                    i = end;
                    continue;
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let end = source[i + 2..].find("*/").map_or(bytes.len(), |n| i + 2 + n + 2);
                    code[i..end].iter_mut().for_each(|c| *c = false);
                    comment[i..end].iter_mut().for_each(|c| *c = true);
                    depth[i..end].iter_mut().for_each(|d| *d = stack.len() as u16);
                    i = end;
                    continue;
                }
                b'(' | b'[' | b'{' => {
                    depth[i] = stack.len() as u16;
                    stack.push(i);
                }
                b')' | b']' | b'}' => {
                    if let Some(open) = stack.pop() {
                        groups.push((open, i));
                    }
                    depth[i] = stack.len() as u16;
                }
                _ => depth[i] = stack.len() as u16,
            }
            i += 1;
        }
        groups.sort();
        Index { source, code, comment, depth, groups }
    }

    /// The innermost bracket pair around `at`.
    fn group_around(&self, at: usize) -> Option<(usize, usize)> {
        self.groups.iter().filter(|(o, c)| *o < at && at < *c).max_by_key(|(o, _)| *o).copied()
    }

    /// Positions of `id: "value"` in code within `range`.
    fn ids(&self, value: &str, range: (usize, usize)) -> Vec<usize> {
        let quoted = format!("\"{value}\"");
        self.source[range.0..range.1]
            .match_indices(&quoted)
            .map(|(i, _)| range.0 + i)
            .filter(|&at| {
                let before = self.source[..at].trim_end();
                before.strip_suffix(':').map(str::trim_end).is_some_and(|b| b.ends_with("id") && self.code[b.len() - 2])
            })
            .collect()
    }

    /// The bracket pair of option `option` in turn `turn`.
    fn option_group(&self, turn: &str, option: &str) -> Option<(usize, usize)> {
        let whole = (0, self.source.len());
        for at in self.ids(turn, whole) {
            let Some(turn_group) = self.group_around(at) else { continue };
            if let Some(found) = self.ids(option, turn_group).into_iter().filter_map(|p| self.group_around(p)).find(|g| *g != turn_group) {
                return Some(found);
            }
        }
        None
    }

    /// The fields written directly in a group: name, where the name starts,
    /// where the value starts and ends (trimmed).
    fn fields(&self, group: (usize, usize)) -> Vec<(&'a str, usize, usize, usize)> {
        let inner = self.depth[group.0] + 1;
        let bytes = self.source.as_bytes();
        let top = |i: usize| self.code[i] && self.depth[i] == inner;
        let mut out = Vec::new();
        let mut i = group.0 + 1;
        while i < group.1 {
            let at_word = top(i) && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') && !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
            if at_word {
                let mut end = i;
                while end < group.1 && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                    end += 1;
                }
                let mut colon = end;
                while colon < group.1 && bytes[colon].is_ascii_whitespace() {
                    colon += 1;
                }
                if colon < group.1 && bytes[colon] == b':' && top(colon) {
                    let mut start = colon + 1;
                    while start < group.1 && bytes[start].is_ascii_whitespace() {
                        start += 1;
                    }
                    let mut stop = start;
                    while stop < group.1 && !(top(stop) && bytes[stop] == b',') {
                        stop += 1;
                    }
                    let mut value_end = stop;
                    while value_end > start && (bytes[value_end - 1].is_ascii_whitespace() || self.comment[value_end - 1]) {
                        value_end -= 1;
                    }
                    out.push((&self.source[i..end], i, start, value_end));
                    i = stop;
                    continue;
                }
                i = end;
                continue;
            }
            i += 1;
        }
        out
    }

    /// The edit that sets field `name` of `group` to `value` (a RON value),
    /// or removes it (None), adding it when absent.
    fn set_field(&self, group: (usize, usize), name: &str, value: Option<String>) -> Edit {
        let fields = self.fields(group);
        let bytes = self.source.as_bytes();
        if let Some(&(_, name_at, start, end)) = fields.iter().find(|f| f.0 == name) {
            return match value {
                Some(text) => Edit { start, end, text },
                None => {
                    // The field and its comma; the whole line when it stood alone.
                    let mut stop = end;
                    while stop < group.1 && bytes[stop].is_ascii_whitespace() && bytes[stop] != b'\n' {
                        stop += 1;
                    }
                    if stop < group.1 && bytes[stop] == b',' {
                        stop += 1;
                    }
                    let line_start = self.source[..name_at].rfind('\n').map_or(0, |n| n + 1);
                    let rest_end = self.source[stop..].find('\n').map_or(self.source.len(), |n| stop + n);
                    if self.source[line_start..name_at].trim().is_empty() && self.source[stop..rest_end].trim().is_empty() {
                        Edit { start: line_start, end: (rest_end + 1).min(self.source.len()), text: String::new() }
                    } else {
                        while stop < group.1 && bytes[stop] == b' ' {
                            stop += 1;
                        }
                        Edit { start: name_at, end: stop, text: String::new() }
                    }
                }
            };
        }
        let Some(text) = value else { return Edit { start: group.1, end: group.1, text: String::new() } };
        // Added after the last field, on a line of its own when the fields
        // are one per line, with that line's indentation.
        let Some(&(_, last_name, _, last_end)) = fields.last() else {
            return Edit { start: group.0 + 1, end: group.0 + 1, text: format!("{name}: {text}") };
        };
        let mut after = last_end;
        while after < group.1 && bytes[after].is_ascii_whitespace() && bytes[after] != b'\n' {
            after += 1;
        }
        let has_comma = after < group.1 && bytes[after] == b',';
        let multiline = self.source[last_end..group.1].contains('\n');
        if multiline {
            let line_start = self.source[..last_name].rfind('\n').map_or(0, |n| n + 1);
            let indent: String = self.source[line_start..last_name].chars().take_while(|c| c.is_whitespace()).collect();
            let at = if has_comma { after + 1 } else { last_end };
            let comma = if has_comma { "" } else { "," };
            // After the comma and any comment on that line.
            let at = self.source[at..].find('\n').map_or(at, |n| at + n);
            Edit { start: at, end: at, text: format!("{comma}\n{indent}{name}: {text},") }
        } else if has_comma {
            Edit { start: after + 1, end: after + 1, text: format!(" {name}: {text},") }
        } else {
            Edit { start: last_end, end: last_end, text: format!(", {name}: {text}") }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse::parse_scenario;

    fn col(key: &str) -> usize {
        column(key).unwrap_or_else(|| panic!("no column {key}"))
    }

    const FILE: &str = r#"(
    id: "t", format: 1, version: 1,
    title: (zh: "测试", en: "Test"), summary: (zh: "一", en: "One"),
    objectives: [], tags: [], minutes: 3, channel: Counter, difficulty: Introductory,
    citizen: (name: (zh: "张", en: "Zhang"), age: 40, situation: (zh: "办事", en: "Errand"),
              disc: (primary: D), needs: [], mood: (upset: 50, trust: 40)),
    start: "a",
    turns: [
        (
            id: "a",
            says: [(variants: [(zh: "你好", en: "Hello")])],
            options: [
                (
                    id: "good", // the model answer
                    text: (zh: "您好，请讲。", en: "Hello, go ahead."),
                    evidence: {E1: 3},
                    stage: Calming,
                    mood: (upset: -10, trust: 5),
                    feedback: (zh: "好", en: "Good"),
                    next: "done",
                ),
                (id: "bad", text: (zh: "等着。", en: "Wait."), evidence: {E1: 0}, stage: Calming, red_flag: PushingAway,
                 feedback: (zh: "差", en: "Poor"), better: "good", next: "done"),
            ],
        ),
    ],
    endings: [(id: "done", outcome: Resolved, text: (zh: "好的", en: "Fine"))],
)"#;

    fn sheet_with(edit: impl Fn(&mut Vec<Vec<String>>)) -> Imported {
        let s = parse_scenario(FILE, "t.ron").unwrap();
        let mut sheet = rows(&s);
        edit(&mut sheet);
        import(FILE, &s, &sheet).unwrap()
    }

    #[test]
    fn an_unchanged_sheet_changes_nothing() {
        let done = sheet_with(|_| {});
        assert_eq!(done.source, FILE);
        assert!(done.changes.is_empty());
    }

    #[test]
    fn edited_cells_are_written_in_place_and_comments_survive() {
        let done = sheet_with(|sheet| {
            sheet[1][col("mood")] = "upset: -20，trust: 10".into(); // full-width comma from an input method
            sheet[1][col("fit")] = "d: 2, s: -1".into(); // fit added to an option without one
            sheet[1][col("text_zh")] = "您好，您慢慢说。".into();
            sheet[2][col("red_flag")] = String::new(); // red flag removed
            sheet[2][col("better")] = String::new(); // better removed
            sheet[2][col("evidence")] = "E1: 1, L1: 0".into();
        });
        assert!(done.source.contains("// the model answer"));
        let s = parse_scenario(&done.source, "t.ron").unwrap_or_else(|d| panic!("{d}\n{}", done.source));
        let (good, bad) = (&s.turns[0].options[0], &s.turns[0].options[1]);
        assert_eq!(good.mood, MoodDelta { upset: -20, trust: 10 });
        assert_eq!(good.fit, DiscFit { d: 2, i: 0, s: -1, c: 0 });
        assert_eq!(good.text.zh, "您好，您慢慢说。");
        assert_eq!(bad.red_flag, None);
        assert_eq!(bad.better, None);
        assert_eq!(bad.evidence, BTreeMap::from([(Item::E1, 1), (Item::L1, 0)]));
        assert_eq!(done.changes.len(), 6);
        assert!(done.source.contains("                    fit: (d: 2, i: 0, s: -1, c: 0),\n"), "{}", done.source);
        // And back: the file's sheet is the edited sheet.
        let again = import(&done.source, &s, &rows(&s)).unwrap();
        assert_eq!(again.source, done.source);
    }

    #[test]
    fn bad_cells_are_all_reported_with_their_cell_and_nothing_is_applied() {
        let s = parse_scenario(FILE, "t.ron").unwrap();
        let mut sheet = rows(&s);
        sheet[1][col("evidence")] = "E1: 4".into();
        sheet[1][col("fit")] = "d: 3".into();
        sheet[2][col("next")] = "nowhere".into();
        sheet[2][col("stage")] = "Calm".into();
        let Err(SheetError::Cells(problems)) = import(FILE, &s, &sheet) else { panic!("expected cell problems") };
        let cells: Vec<&str> = problems.iter().map(|p| p.cell.as_str()).collect();
        assert_eq!(cells, ["H2", "I2", "F3", "N3"]);
        assert!(problems[0].message_zh.contains("0、1、2、3"), "{}", problems[0].message_zh);
        assert!(problems[3].message.contains("\"nowhere\""));
    }

    #[test]
    fn rows_are_found_by_id_so_a_sorted_sheet_still_imports() {
        let done = sheet_with(|sheet| {
            sheet.swap(1, 2);
            sheet[1][col("next")] = "a".into(); // "bad" now loops back to the first turn
        });
        let s = parse_scenario(&done.source, "t.ron").unwrap();
        assert_eq!(s.turns[0].options[1].next, "a");
        assert_eq!(s.turns[0].options[0].next, "done");
    }

    #[test]
    fn the_answer_kind_is_read_in_either_language_and_written_as_the_file_names_it() {
        let done = sheet_with(|sheet| {
            sheet[1][col("kind")] = "示范".into();
            sheet[2][col("kind")] = "warm but vague".into();
        });
        let s = parse_scenario(&done.source, "t.ron").unwrap_or_else(|d| panic!("{d}\n{}", done.source));
        assert_eq!(s.turns[0].options[0].kind, Some(AnswerKind::Exemplary));
        assert_eq!(s.turns[0].options[1].kind, Some(AnswerKind::WarmButVague));
        assert!(done.source.contains("                    kind: Exemplary,\n"), "{}", done.source);
        assert_eq!(rows(&s)[1][col("kind")], "Exemplary");
        // Both names together, as the kinds table shows them, and the
        // file's own name, are the same kind; an empty cell removes it.
        for written in ["Exemplary 示范", "示范（Exemplary）", "exemplary", "Exemplary"] {
            assert_eq!(kind_named(written), Some(AnswerKind::Exemplary), "{written}");
        }
        assert_eq!(kind_named("blaming the citizen"), Some(AnswerKind::BlamingCitizen));
        assert_eq!(kind_named("示范 WarmButVague"), None, "two different kinds are not one");
        let mut sheet = rows(&s);
        sheet[1][col("kind")] = String::new();
        let cleared = import(&done.source, &s, &sheet).unwrap();
        assert_eq!(cleared.changes.len(), 1);
        assert!(!cleared.source.contains("kind: Exemplary"), "{}", cleared.source);
        assert_eq!(parse_scenario(&cleared.source, "t.ron").unwrap().turns[0].options[0].kind, None);
    }

    #[test]
    fn a_bad_kind_is_a_located_error_listing_every_kind() {
        let s = parse_scenario(FILE, "t.ron").unwrap();
        let mut sheet = rows(&s);
        sheet[2][col("kind")] = "示例".into();
        let Err(SheetError::Cells(problems)) = import(FILE, &s, &sheet) else { panic!("expected a cell problem") };
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].cell, "G3");
        for kind in AnswerKind::ALL {
            assert!(problems[0].message.contains(&format!("{kind:?}")), "{}", problems[0].message);
            assert!(problems[0].message_zh.contains(&kind.label().zh), "{}", problems[0].message_zh);
        }
        assert!(problems[0].message_zh.contains("“示例”"), "{}", problems[0].message_zh);
    }

    #[test]
    fn a_resolved_scenario_shows_only_the_evidence_written_in_the_file() {
        let source = FILE.replace("evidence: {E1: 3},", "kind: Exemplary, evidence: {E1: 2},");
        let mut s = parse_scenario(&source, "t.ron").unwrap();
        let unresolved = rows(&s);
        s.resolve_kinds();
        assert!(s.turns[0].options[0].evidence.len() > 1, "the kind's defaults were added");
        assert_eq!(rows(&s), unresolved);
        assert_eq!(unresolved[1][col("evidence")], "E1: 2");
        let same = import(&source, &s, &unresolved).unwrap();
        assert_eq!(same.source, source);
    }

    #[test]
    fn the_workbook_reads_back_as_the_sheet() {
        let s = parse_scenario(FILE, "t.ron").unwrap();
        let bytes = export_xlsx(&s).unwrap();
        assert_eq!(read_xlsx(&bytes).unwrap(), rows(&s));
    }
}
