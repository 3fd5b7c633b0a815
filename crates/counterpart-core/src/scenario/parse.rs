//! Parsing scenario files: bytes or RON text in, a `Scenario` or one
//! located diagnostic out. Nothing here panics on any input.

use crate::scenario::diag::{Diagnostic, closest};
use crate::scenario::model::Scenario;
use ron::extensions::Extensions;

/// Larger files are refused before parsing: a real scenario is a few
/// hundred kilobytes at most.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// Deeper nesting is refused, so hostile input cannot exhaust the stack.
pub(crate) const MAX_NESTING: usize = 64;

fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .with_recursion_limit(MAX_NESTING)
}

/// Parses scenario source text. `file` is only used to label diagnostics.
pub fn parse_scenario(source: &str, file: &str) -> Result<Scenario, Diagnostic> {
    parse_ron(source, file)
}

/// Parses any of the library's RON documents (a scenario, the city profile,
/// a knowledge entry) with the same located, plain-worded diagnostics.
pub fn parse_ron<T: serde::de::DeserializeOwned>(source: &str, file: &str) -> Result<T, Diagnostic> {
    let options = ron_options();
    let mut de = match ron::Deserializer::from_str_with_options(source, &options) {
        Ok(de) => de,
        Err(e) => return Err(from_ron(source, file, "", e.code, e.span.start)),
    };
    let scenario: T = match serde_path_to_error::deserialize(&mut de) {
        Ok(s) => s,
        Err(e) => {
            let path = e.path().to_string();
            let code = e.into_inner();
            let position = de.span_error(code.clone()).span.start;
            return Err(from_ron(source, file, &path, code, position));
        }
    };
    if let Err(e) = de.end() {
        let position = de.span_error(e.clone()).span.start;
        return Err(from_ron(source, file, "", e, position));
    }
    Ok(scenario)
}

/// Reads bytes as a scenario: size and encoding checks, then `parse_scenario`.
pub fn parse_bytes(bytes: &[u8], file: &str) -> Result<Scenario, Diagnostic> {
    parse_ron_bytes(bytes, file)
}

/// `parse_ron` on bytes, after the size and encoding checks.
pub fn parse_ron_bytes<T: serde::de::DeserializeOwned>(bytes: &[u8], file: &str) -> Result<T, Diagnostic> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(file, bytes.len() as u64));
    }
    let source = decode(bytes, file)?;
    parse_ron(source, file)
}

pub(crate) fn too_large(file: &str, size: u64) -> Diagnostic {
    Diagnostic::error(
        "file-too-large",
        file,
        format!("the file is {size} bytes; scenario files may be at most {MAX_FILE_BYTES} bytes"),
    )
    .zh(
        format!("文件有 {size} 字节；场景文件最大 {MAX_FILE_BYTES} 字节"),
        Some("把场景拆成几个文件，或者确认这真是一个场景文件".into()),
    )
    .help("split the scenario, or check that this is really a scenario file")
}

pub(crate) fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        let mut d = Diagnostic::error(
            "not-utf8",
            file,
            format!("the file is not valid UTF-8 text (bad byte at offset {})", e.valid_up_to()),
        )
        .zh(
            format!("文件不是有效的 UTF-8 文本（第 {} 个字节出错）", e.valid_up_to() + 1),
            Some("把文件另存为 UTF-8 编码；编辑器里一般叫“UTF-8”或“Unicode (UTF-8)”，不要选 GBK 或 GB2312".into()),
        )
        .help("save the file as UTF-8; editors often call it \"UTF-8\" or \"Unicode (UTF-8)\", not GBK or GB2312");
        d.line = line;
        d.column = column;
        d.source_line = Some(String::from_utf8_lossy(&bytes[line_start..]).lines().next().unwrap_or("").to_string());
        d
    })
}

/// Names a serde type the way a trainer thinks of it: (English, Chinese).
fn plain_type(outer: &Option<String>) -> (String, String) {
    let name = outer.as_deref().unwrap_or("");
    let (en, zh) = match name {
        "Scenario" => ("the scenario", "场景"),
        "Citizen" => ("the citizen", "群众信息（citizen）"),
        "Turn" => ("a turn", "回合（turn）"),
        "Choice" => ("an option", "选项（option）"),
        "Line" => ("a citizen line", "群众台词（line）"),
        "Text" => ("a text (zh/en)", "中英文文字（zh/en）"),
        "Ending" => ("an ending", "结局（ending）"),
        "Route" => ("a route", "路由（route）"),
        "Mood" => ("a mood", "情绪（mood）"),
        "MoodDelta" => ("a mood change", "情绪变化（mood）"),
        "DiscFit" => ("a DISC fit", "DISC 适配（fit）"),
        "DiscProfile" => ("a DISC profile", "DISC 风格（disc）"),
        "Channel" => ("channel", "渠道（channel）"),
        "Difficulty" => ("difficulty", "难度（difficulty）"),
        "DiscStyle" => ("a DISC style", "DISC 风格"),
        "SpecialNeed" => ("a special need", "特殊需求（needs）"),
        "Stage" => ("stage", "阶段（stage）"),
        "RedFlag" => ("red_flag", "红线（red_flag）"),
        "AnswerKind" => ("an answer's kind", "回答类型（kind）"),
        "Item" => ("a rubric item", "评分项"),
        "Condition" => ("a condition", "条件"),
        "Outcome" => ("outcome", "结局类型（outcome）"),
        "KnowledgeFile" => ("the knowledge file", "知识库文件"),
        "Entry" => ("a knowledge entry", "知识条目"),
        "EntryKind" => ("kind (Policy or Guide)", "条目类型 kind（Policy 或 Guide）"),
        "CategoryTree" => ("the category tree", "分类树"),
        "Category" => ("a category", "分类"),
        "Exam" => ("the exam", "考核"),
        "PoolEntry" => ("a pool entry", "抽题池条目（pool）"),
        "TimeLimits" => ("the time limits", "时限（time）"),
        "PassMark" => ("the pass mark", "合格标准（pass）"),
        "Retakes" => ("the retake rules", "补考规则（retakes）"),
        "DebriefPolicy" => ("debrief (AtEnd or WhenReleased)", "讲评方式 debrief（AtEnd 或 WhenReleased）"),
        "Rating" => ("a rating (Satisfied, BasicallySatisfied or Dissatisfied)", "评价（Satisfied、BasicallySatisfied 或 Dissatisfied）"),
        "Dimension" => ("a dimension", "维度"),
        "" => ("this place", "这里"),
        other => (other, other),
    };
    (en.to_string(), zh.to_string())
}

/// A diagnostic's wording in both languages.
struct Wording {
    code: &'static str,
    en: String,
    help: Option<String>,
    zh: String,
    help_zh: Option<String>,
}

fn wording(code: &'static str, en: impl Into<String>, zh: impl Into<String>) -> Wording {
    Wording { code, en: en.into(), help: None, zh: zh.into(), help_zh: None }
}

impl Wording {
    fn help(mut self, en: impl Into<String>, zh: impl Into<String>) -> Wording {
        self.help = Some(en.into());
        self.help_zh = Some(zh.into());
        self
    }
}

fn from_ron(source: &str, file: &str, path: &str, code: ron::Error, at: ron::error::Position) -> Diagnostic {
    use ron::Error as E;
    let (mut line, mut column) = (at.line.max(1), at.col.max(1));
    let mut w = match &code {
        E::NoSuchStructField { expected, found, outer } => {
            if let Some((l, c)) = find_before(source, line, column, found) {
                (line, column) = (l, c);
            }
            let (en, zh) = plain_type(outer);
            let (help, help_zh) = suggest(found, expected, "fields", "字段");
            wording("unknown-field", format!("`{found}` is not a field of {en}"), format!("`{found}` 不是{zh}的字段")).help(help, help_zh)
        }
        E::NoSuchEnumVariant { expected, found, outer } => {
            if let Some((l, c)) = find_before(source, line, column, found) {
                (line, column) = (l, c);
            }
            let (en, zh) = plain_type(outer);
            let (mut help, mut help_zh) = suggest(found, expected, "values", "取值");
            if outer.as_deref() == Some("AnswerKind") {
                // The kinds are few and their names are English: list them
                // all with their Chinese names, near miss or not.
                let catalogue = crate::scenario::model::AnswerKind::catalogue();
                let near = help.starts_with("did you mean").then(|| (help.clone(), help_zh.clone()));
                (help, help_zh) = match near {
                    Some((en, zh)) => (format!("{en} The kinds are: {catalogue}"), format!("{zh} 回答类型有：{catalogue}")),
                    None => (format!("the kinds are: {catalogue}"), format!("回答类型有：{catalogue}")),
                };
            }
            wording("unknown-value", format!("`{found}` is not a valid value for {en}"), format!("`{found}` 不是{zh}的有效取值")).help(help, help_zh)
        }
        E::MissingStructField { field, outer } => {
            let (en, zh) = plain_type(outer);
            wording("missing-field", format!("{en} is missing the field `{field}`"), format!("{zh}缺少字段 `{field}`"))
                .help(format!("add `{field}: ...` (see docs/scenario-format.md)"), format!("加上 `{field}: ...`（见 docs/scenario-format.md）"))
        }
        E::DuplicateStructField { field, outer } => {
            let (en, zh) = plain_type(outer);
            wording("duplicate-field", format!("the field `{field}` appears twice in {en}"), format!("字段 `{field}` 在{zh}里出现了两次"))
                .help("keep one of them", "只保留其中一个")
        }
        E::ExceededRecursionLimit => wording(
            "too-deep",
            format!("the file nests more than {MAX_NESTING} levels deep"),
            format!("文件的括号嵌套超过了 {MAX_NESTING} 层"),
        )
        .help("conditions can be flattened with All([...]) and Any([...])", "条件可以用 All([...]) 和 Any([...]) 写得更平"),
        E::Eof => wording("unexpected-end", "the file ends too early: a bracket or quote is not closed", "文件提前结束了：有括号或引号没有闭合")
            .help("check that every ( [ { and \" has its partner", "检查每个 ( [ { 和 \" 是否都有配对的另一半"),
        E::TrailingCharacters => wording("trailing-text", "there is more text after the end of the scenario", "场景结束之后还有多余的内容")
            .help("the whole file is one ( ... ); remove what follows the last )", "整个文件是一个 ( ... )；删掉最后一个 ) 后面的内容"),
        E::ExpectedString | E::ExpectedStringEnd => wording("expected-text", "expected text in double quotes here", "这里应该是用英文双引号括起来的文字")
            .help("write text as \"...\"; inside it, write \\\" for a quote", "文字写成 \"...\"；文字里面的引号写成「」或 \\\""),
        E::ExpectedComma => wording("expected-comma", "expected a comma between items", "这里的两项之间缺少逗号"),
        E::InvalidValueForType { expected, found } => wording("wrong-type", format!("expected {expected} here, found {found}"), format!("这里应该是 {expected}，写的却是 {found}")),
        E::ExpectedInteger => wording("wrong-type", "expected a whole number here", "这里应该是一个整数")
            .help("numbers are written without quotes: `age: 58`", "数字不加引号：`age: 58`"),
        E::ExpectedBoolean => wording("wrong-type", "expected true or false here", "这里应该是 true 或 false"),
        E::ExpectedArray => wording("wrong-type", "expected a list in square brackets here: [ ... ]", "这里应该是方括号里的列表：[ ... ]"),
        E::ExpectedMap => wording("wrong-type", "expected a table in braces here, e.g. {E1: 3, P2: 2}", "这里应该是花括号里的表，例如 {E1: 3, P2: 2}"),
        E::ExpectedStructLike | E::ExpectedNamedStructLike(_) => {
            wording("wrong-type", "expected a group of fields in round brackets here: ( ... )", "这里应该是圆括号里的一组字段：( ... )")
        }
        E::ExpectedMapColon => wording("expected-colon", "expected a colon between a name and its value", "名称和值之间应该有一个英文冒号 :"),
        E::ExpectedArrayEnd => wording("unclosed", "expected `]` to close this list (or a comma before the next item)", "这里应该用 `]` 结束列表（或在下一项前加逗号）"),
        E::ExpectedMapEnd => wording("unclosed", "expected `}` to close this table (or a comma before the next entry)", "这里应该用 `}` 结束这个表（或在下一项前加逗号）"),
        E::ExpectedStructLikeEnd | E::ExpectedOptionEnd => {
            wording("unclosed", "expected `)` to close this group (or a comma before the next field)", "这里应该用 `)` 结束这一组（或在下一个字段前加逗号）")
        }
        E::ExpectedIdentifier => wording("syntax", "expected a field name or value name here", "这里应该是字段名或取值名"),
        E::Message(message) => {
            let (en, zh) = plain_serde_message(message);
            wording("invalid-value", en, zh)
        }
        E::IntegerOutOfBounds => wording("out-of-range", "this number is out of range here", "这个数字超出了这里允许的范围"),
        other => wording("syntax", other.to_string(), format!("格式错误：{other}")),
    };
    if w.code == "trailing-text" {
        // The parser stops after the scenario's last `)`; point at the
        // first thing that follows it instead, past comments.
        let mut at = offset_of(source, line, column);
        loop {
            let rest = &source[at..];
            let trimmed = rest.trim_start();
            at += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                at += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                break;
            }
        }
        if at < source.len() {
            (line, column) = line_col(source, at);
        }
    }
    let syntax = matches!(w.code, "expected-comma" | "syntax" | "unclosed" | "expected-colon" | "unexpected-end" | "expected-text" | "wrong-type" | "trailing-text");
    let error_at = offset_of(source, line, column);
    let struct_expected = matches!(code, E::ExpectedStructLike | E::ExpectedNamedStructLike(_));
    if let Some(field) = bare_text(source, path, &code, error_at) {
        // `text: "…"` where both languages are expected: say so, rather
        // than "expected a group of fields".
        w = wording(
            "text-needs-zh-en",
            format!("`{field}` needs the text in both languages here: (zh: \"…\", en: \"…\"), not a single text in quotes"),
            format!("`{field}` 这里要写中英文两段：(zh: \"…\", en: \"…\")，不能只写一段引号里的文字"),
        )
        .help(
            format!("write `{field}: (zh: \"中文\", en: \"English\")`; `counterpart fix FILE` keeps your text as the Chinese and leaves the English to fill in"),
            format!("写成 `{field}: (zh: \"中文\", en: \"English\")`；`counterpart fix 文件名` 会把这段文字当作中文保留，英文留空待补"),
        );
    } else if let Some((l, c, opened)) = unclosed_text(source, line, column).filter(|_| syntax) {
        // A missing closing quote makes the parser trip over later words;
        // the place to fix is where the text began.
        (line, column) = (l, c);
        w = wording(
            "unclosed-text",
            format!("the text that starts here seems to be missing its closing quote (it runs on to {opened})"),
            format!("从这里开始的文字好像缺少结尾的引号（一直延续到{}）", opened_zh(&opened)),
        )
        .help(
            "end the text with \" before the next field; inside text, write \\\" for a quote",
            "在下一个字段之前用 \" 结束这段文字；文字里面的引号写成「」或 \\\"",
        );
    } else if let Some(found) = first_lexical_problem(source).filter(|p| syntax && p.offset() <= skip_space(source, error_at)) {
        // Chinese input methods type full-width punctuation and plain
        // quotes inside text; the parser then trips a little later with a
        // message about commas. Name what was typed instead.
        (line, column) = line_col(source, found.offset());
        w = match found {
            Lexical::FullWidth { found, wanted, .. } => wording(
                "full-width-punctuation",
                format!("`{found}` is full-width (Chinese) punctuation; outside the quotes the file needs the half-width `{wanted}`"),
                format!("「{found}」是中文全角标点；引号外面要用英文半角的「{wanted}」"),
            )
            .help(
                format!("type `{wanted}` with the input method in English mode (inside quotes Chinese punctuation is fine), or run `counterpart fix FILE`"),
                format!("把输入法切到英文标点再输入「{wanted}」（引号里面的文字用中文标点没问题），或运行 `counterpart fix 文件名` 自动改正"),
            ),
            Lexical::StrayQuote { .. } => wording(
                "unescaped-quote",
                "a plain \" inside the text ends it early: the text stops at this quote, and the words after it are read as if they were part of the file's layout",
                "文字里面用了英文双引号 \"，文字在这里就提前结束了，后面的字被当成了文件格式的一部分",
            )
            .help(
                "inside a text write quotes as 「」 (叫「鑫宏家」) or as \\\" (叫\\\"鑫宏家\\\"); `counterpart fix FILE` does it for you",
                "文字里面的引号请写成「」（叫「鑫宏家」）或 \\\"（叫\\\"鑫宏家\\\"）；`counterpart fix 文件名` 可以自动改好",
            ),
        };
    } else if w.code == "expected-comma" {
        if let Some((l, c)) = end_of_previous_item(source, line, column) {
            (line, column) = (l, c);
            w = wording("expected-comma", "a comma is missing after this item", "这一项后面缺少逗号")
                .help("separate fields and list items with a comma: `minutes: 5,`", "字段之间、列表项之间用英文逗号隔开：`minutes: 5,`");
        }
    }
    if struct_expected && path.trim_matches('.').is_empty() && !matches!(w.code, "full-width-punctuation" | "unescaped-quote") {
        if significant(source).is_none() {
            w = wording("empty-file", "the file is empty: there is no scenario in it", "文件是空的：里面没有场景").help(
                "a scenario file holds one ( ... ); start from the example in docs/scenario-format.md",
                "场景文件里是一个 ( ... )；可以从 docs/scenario-format.md 里的示例开始",
            );
            (line, column) = (0, 0);
        } else {
            w = wording("not-a-scenario", "this is not a scenario: a scenario file starts with `(`", "这不是场景文件：场景文件以 `(` 开头")
                .help("start from the example in docs/scenario-format.md", "可以从 docs/scenario-format.md 里的示例开始");
        }
    }
    if matches!(code, E::IntegerOutOfBounds) || (w.code == "invalid-value" && w.en.contains("integer")) {
        let number = number_at(source, line, column).unwrap_or_else(|| "this number".into());
        let (range, range_zh) = range_for(path);
        w = wording("out-of-range", format!("{number} is out of range here: {range}"), format!("{number} 超出了这里的范围：{range_zh}"));
    }
    let path = clean_path(path);
    let mut d = Diagnostic::error(w.code, file, w.en).path(path).zh(w.zh, w.help_zh);
    if line > 0 {
        d = d.at(source, line, column);
    }
    d.help = w.help;
    d
}

/// The offset of the first non-blank character at or after `at`.
fn skip_space(source: &str, at: usize) -> usize {
    let rest = &source[at.min(source.len())..];
    at + (rest.len() - rest.trim_start().len())
}

fn opened_zh(opened: &str) -> String {
    match opened.strip_prefix("line ") {
        Some(n) => format!("第 {n} 行"),
        None => "文件末尾".into(),
    }
}

/// `text: "…"` where a `(zh: …, en: …)` pair is expected: the name of the
/// field, when that is what the parser tripped over at `at`.
fn bare_text(source: &str, path: &str, code: &ron::Error, at: usize) -> Option<String> {
    let named_text = match code {
        ron::Error::ExpectedNamedStructLike(name) => *name == "Text",
        ron::Error::ExpectedStructLike => true,
        _ => false,
    };
    if !named_text || !source[at.min(source.len())..].starts_with('"') {
        return None;
    }
    let field = clean_path(path);
    let last = field.rsplit('.').next().unwrap_or("");
    let name = last.split('[').next().unwrap_or(last).to_string();
    (!name.is_empty()).then_some(name)
}

/// serde_path_to_error marks places it cannot name with `?` and the root
/// with `.`; neither helps a reader. Very deep paths are shortened.
fn clean_path(path: &str) -> String {
    let cleaned: Vec<&str> = path.split('.').filter(|p| !p.is_empty() && *p != "?").collect();
    let mut joined = cleaned.join(".");
    if joined.chars().count() > 80 {
        joined = joined.chars().take(77).collect::<String>() + "...";
    }
    joined
}

/// What a number may be at `path`, in a trainer's words (English, Chinese).
fn range_for(path: &str) -> (&'static str, &'static str) {
    let last = path.rsplit('.').next().unwrap_or("");
    if path.contains("mood") && matches!(last, "upset" | "trust") {
        if path.starts_with("citizen") {
            ("moods run from 0 to 100", "情绪在 0 到 100 之间")
        } else {
            ("a mood change runs from -100 to 100 (and a file can hold -128 to 127)", "情绪变化在 -100 到 100 之间")
        }
    } else if path.contains("evidence") {
        ("levels run 0 harmful, 1 missed, 2 adequate, 3 exemplary", "等级为 0 有害、1 缺失、2 合格、3 优秀")
    } else if path.contains("fit") {
        ("a DISC fit runs from -2 (a trigger) to 2 (a perfect match)", "DISC 适配在 -2（踩雷）到 2（完全契合）之间")
    } else if path.contains("when") {
        ("moods run from 0 to 100", "情绪在 0 到 100 之间")
    } else {
        ("the number is too large or negative", "数字太大或是负数")
    }
}

/// The number written at (line, column), if any.
fn number_at(source: &str, line: usize, column: usize) -> Option<String> {
    let text = source.lines().nth(line.checked_sub(1)?)?;
    let rest: String = text.chars().skip(column.saturating_sub(1)).collect();
    let number: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '-' || *c == '+').collect();
    (!number.is_empty()).then_some(number)
}

/// Byte offset of a 1-based (line, column) in `source`.
fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (index, text) in source.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let col: usize = text.chars().take(column.saturating_sub(1)).map(char::len_utf8).sum();
            return offset + col.min(text.len());
        }
        offset += text.len();
    }
    source.len()
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// String literals of `source` as (start, end) byte ranges, end exclusive
/// (None when the file ends inside it), skipping comments. Raw strings are
/// rare in scenarios and treated as plain ones.
fn string_literals(source: &str) -> Vec<(usize, Option<usize>)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                let start = i;
                i += 1;
                let mut end = None;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            end = Some(i + 1);
                            break;
                        }
                        _ => i += 1,
                    }
                }
                out.push((start, end));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// When the parser stops just after a text that looks like it swallowed
/// other fields (it spans lines or contains `en:`), or at the end of the
/// file inside an open text, returns where that text began.
fn unclosed_text(source: &str, line: usize, column: usize) -> Option<(usize, usize, String)> {
    let at = offset_of(source, line, column);
    let strings = string_literals(source);
    if let Some(&(start, None)) = strings.last() {
        if at >= start {
            let (l, c) = line_col(source, start);
            return Some((l, c, "the end of the file".into()));
        }
    }
    let before = source[..at.min(source.len())].trim_end();
    let &(start, end) = strings.iter().find(|(_, end)| *end == Some(before.len()))?;
    let end = end?;
    let inner = &source[start + 1..end - 1];
    let swallowed = inner.contains('\n')
        || ["zh:", "en:", "id:", "\",", "),"].iter().any(|p| inner.contains(p));
    if !swallowed {
        return None;
    }
    let (l, c) = line_col(source, start);
    let (el, _) = line_col(source, end - 1);
    Some((l, c, format!("line {el}")))
}

/// The position just after the last item before (line, column), skipping
/// blank lines and `//` comments, so a missing comma is reported where it
/// belongs rather than on the next field.
fn end_of_previous_item(source: &str, line: usize, column: usize) -> Option<(usize, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut index = line.checked_sub(1)?;
    let mut limit = Some(column.saturating_sub(1));
    loop {
        let text = *lines.get(index)?;
        let mut cut: String = match limit {
            Some(chars) => text.chars().take(chars).collect(),
            None => text.to_string(),
        };
        if let Some(comment) = cut.find("//") {
            cut.truncate(comment);
        }
        let trimmed = cut.trim_end();
        if !trimmed.is_empty() {
            return Some((index + 1, trimmed.chars().count() + 1));
        }
        index = index.checked_sub(1)?;
        limit = None;
    }
}

/// The source without comments and whitespace, if anything is left.
fn significant(source: &str) -> Option<()> {
    let mut text = String::new();
    for line in source.lines() {
        text.push_str(line.split("//").next().unwrap_or(""));
    }
    (!text.trim().is_empty()).then_some(())
}

fn plain_serde_message(message: &str) -> (String, String) {
    // serde's "invalid value: integer `300`, expected u8" is exact but terse.
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let (en, zh) = match expected {
                "u8" => ("a whole number from 0 to 255 (moods and levels have smaller limits)", "0 到 255 之间的整数（情绪和等级的范围更小）"),
                "i8" => ("a whole number from -128 to 127", "-128 到 127 之间的整数"),
                "u32" => ("a whole number of 0 or more", "0 或更大的整数"),
                other => (other, other),
            };
            return (format!("{found} is not allowed here: expected {en}"), format!("这里不能写 {found}：应该是{zh}"));
        }
    }
    (message.to_string(), message.to_string())
}

fn suggest(found: &str, expected: &[&str], what: &str, what_zh: &str) -> (String, String) {
    match closest(found, expected.iter().copied()) {
        Some(best) => (format!("did you mean `{best}`?"), format!("是不是想写 `{best}`？")),
        None if expected.is_empty() => (format!("no {what} are allowed here"), format!("这里不能写{what_zh}")),
        None => (format!("valid {what} here: {}", expected.join(", ")), format!("这里可以写的{what_zh}：{}", expected.join(", "))),
    }
}

/// The parser reports where it stopped, which is after the word at fault;
/// move back to the word itself on the same line when it is there.
fn find_before(source: &str, line: usize, column: usize, word: &str) -> Option<(usize, usize)> {
    if word.is_empty() {
        return None;
    }
    let text = source.lines().nth(line - 1)?;
    let cut: usize = text.chars().take(column).map(char::len_utf8).sum();
    let start = text[..cut.min(text.len())].rfind(word).or_else(|| text.find(word))?;
    Some((line, text[..start].chars().count() + 1))
}


/// A typing slip the parser cannot name, found by reading the file the way
/// the parser does (texts in quotes, comments) without parsing it. Chinese
/// input methods make both kinds as a matter of course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lexical {
    /// Full-width punctuation at byte `at`, outside any text, where the
    /// half-width `wanted` belongs. A pair of “” around a text is two of
    /// these.
    FullWidth { at: usize, found: char, wanted: char },
    /// A text's closing quote at byte `at` directly followed by more words:
    /// a quote meant inside the text. `quoted` holds the byte ranges of the
    /// words between such quotes when they pair up on one line and the text
    /// then ends cleanly, so what was meant is certain; None otherwise.
    StrayQuote { at: usize, quoted: Option<Vec<(usize, usize)>> },
}

impl Lexical {
    pub fn offset(&self) -> usize {
        match self {
            Lexical::FullWidth { at, .. } | Lexical::StrayQuote { at, .. } => *at,
        }
    }
}

/// The half-width character a full-width one stands for, outside texts.
fn half_width(c: char) -> Option<char> {
    Some(match c {
        '，' => ',',
        '：' => ':',
        '（' => '(',
        '）' => ')',
        '【' => '[',
        '】' => ']',
        '［' => '[',
        '］' => ']',
        '｛' => '{',
        '｝' => '}',
        '“' | '”' | '＂' => '"',
        _ => return None,
    })
}

/// The end (exclusive) of the text whose opening quote is at `start`, or
/// None when the file ends inside it.
fn text_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Whether what follows a closing quote at `at` can follow a text in a
/// scenario: a separator, a bracket, a comment, full-width punctuation
/// (reported as such) or the end of the file.
fn ends_cleanly(source: &str, at: usize) -> bool {
    match source[at..].chars().next() {
        None => true,
        Some(c) => c.is_whitespace() || ",)]}:/".contains(c) || half_width(c).is_some(),
    }
}

/// Follows a stray quote: the words after the text's closing quote at
/// `end` up to the next quote, then the next piece of text, and so on
/// until a piece ends cleanly. Returns the quoted ranges and where the
/// last piece ends, or None when the pieces run over a line or swallow
/// what looks like the next field.
fn quoted_words(source: &str, mut end: usize) -> Option<(Vec<(usize, usize)>, usize)> {
    let bytes = source.as_bytes();
    let mut quoted = Vec::new();
    for _ in 0..16 {
        let gap = source[end..].find('"')? + end;
        let words = &source[end..gap];
        if words.contains("//") || looks_like_layout(words) {
            return None;
        }
        let piece_end = text_end(bytes, gap)?;
        if looks_like_layout(&source[gap + 1..piece_end - 1]) {
            return None;
        }
        quoted.push((end, gap));
        if ends_cleanly(source, piece_end) {
            return Some((quoted, piece_end));
        }
        end = piece_end;
    }
    None
}

/// Whether a stretch read as text or as quoted words holds the file's
/// layout (another line, the next field), so the quotes do not pair up
/// the way they look.
fn looks_like_layout(text: &str) -> bool {
    text.contains('\n') || ["zh:", "en:", "id:", "),", "\","].iter().any(|p| text.contains(p))
}

/// Every full-width punctuation mark outside texts and every stray quote,
/// in file order. After a stray quote that does not pair up the reading
/// is out of step with the file, so only the first slip is certain.
pub(crate) fn lexical_problems(source: &str) -> Vec<Lexical> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'/') {
            i += source[i..].find('\n').unwrap_or(source.len() - i);
            continue;
        }
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i += source[i + 2..].find("*/").map_or(source.len() - i, |p| p + 4);
            continue;
        }
        let c = source[i..].chars().next().expect("i is on a char boundary");
        if c == '"' {
            let Some(end) = text_end(bytes, i) else { break };
            if ends_cleanly(source, end) {
                i = end;
            } else {
                let found = quoted_words(source, end);
                out.push(Lexical::StrayQuote { at: end - 1, quoted: found.as_ref().map(|(q, _)| q.clone()) });
                i = found.map_or(end, |(_, after)| after);
            }
            continue;
        }
        if c == '“' || c == '＂' {
            // A text typed between Chinese quotes: its inside is text, so
            // its own full-width commas are not reported.
            out.push(Lexical::FullWidth { at: i, found: c, wanted: '"' });
            let after = i + c.len_utf8();
            let line_end = source[after..].find('\n').map_or(source.len(), |p| p + after);
            let close = source[after..line_end].char_indices().find(|&(_, d)| d == '”' || d == '＂' || d == '"');
            if let Some((p, d)) = close.filter(|&(_, d)| d != '"') {
                out.push(Lexical::FullWidth { at: after + p, found: d, wanted: '"' });
                i = after + p + d.len_utf8();
            } else {
                i = after;
            }
            continue;
        }
        if let Some(wanted) = half_width(c) {
            out.push(Lexical::FullWidth { at: i, found: c, wanted });
        }
        i += c.len_utf8();
    }
    out
}

fn first_lexical_problem(source: &str) -> Option<Lexical> {
    lexical_problems(source).into_iter().next()
}
