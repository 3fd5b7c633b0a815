//! Parsing scenario files: bytes or RON text in, a `Scenario` or one
//! located diagnostic out. Nothing here panics on any input.

use crate::scenario::diag::{Diagnostic, closest};
use crate::scenario::model::Scenario;
use ron::extensions::Extensions;

/// Larger files are refused before parsing: a real scenario is a few
/// hundred kilobytes at most.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// Deeper nesting is refused, so hostile input cannot exhaust the stack.
pub const MAX_NESTING: usize = 64;

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
        .help("save the file as UTF-8; editors often call it \"UTF-8\" or \"Unicode (UTF-8)\", not GBK or GB2312");
        d.line = line;
        d.column = column;
        d.source_line = Some(String::from_utf8_lossy(&bytes[line_start..]).lines().next().unwrap_or("").to_string());
        d
    })
}

/// Names a serde type the way a trainer thinks of it.
fn plain_type(outer: &Option<String>) -> String {
    let name = outer.as_deref().unwrap_or("");
    match name {
        "Scenario" => "the scenario",
        "Citizen" => "the citizen",
        "Turn" => "a turn",
        "Choice" => "an option",
        "Line" => "a citizen line",
        "Text" => "a text (zh/en)",
        "Ending" => "an ending",
        "Route" => "a route",
        "Mood" => "a mood",
        "MoodDelta" => "a mood change",
        "DiscFit" => "a DISC fit",
        "DiscProfile" => "a DISC profile",
        "Channel" => "channel",
        "Difficulty" => "difficulty",
        "DiscStyle" => "a DISC style",
        "SpecialNeed" => "a special need",
        "Stage" => "stage",
        "RedFlag" => "red_flag",
        "Item" => "a rubric item",
        "Condition" => "a condition",
        "Outcome" => "outcome",
        "" => "this place",
        other => other,
    }
    .to_string()
}

fn from_ron(source: &str, file: &str, path: &str, code: ron::Error, at: ron::error::Position) -> Diagnostic {
    use ron::Error as E;
    let (mut line, mut column) = (at.line.max(1), at.col.max(1));
    let (code_name, message, help): (&'static str, String, Option<String>) = match &code {
        E::NoSuchStructField { expected, found, outer } => {
            if let Some((l, c)) = find_before(source, line, column, found) {
                (line, column) = (l, c);
            }
            (
                "unknown-field",
                format!("`{found}` is not a field of {}", plain_type(outer)),
                Some(suggest(found, expected, "fields")),
            )
        }
        E::NoSuchEnumVariant { expected, found, outer } => {
            if let Some((l, c)) = find_before(source, line, column, found) {
                (line, column) = (l, c);
            }
            (
                "unknown-value",
                format!("`{found}` is not a valid value for {}", plain_type(outer)),
                Some(suggest(found, expected, "values")),
            )
        }
        E::MissingStructField { field, outer } => (
            "missing-field",
            format!("{} is missing the field `{field}`", plain_type(outer)),
            Some(format!("add `{field}: ...` (see docs/scenario-format.md)")),
        ),
        E::DuplicateStructField { field, outer } => (
            "duplicate-field",
            format!("the field `{field}` appears twice in {}", plain_type(outer)),
            Some("keep one of them".into()),
        ),
        E::ExceededRecursionLimit => (
            "too-deep",
            format!("the file nests more than {MAX_NESTING} levels deep"),
            Some("conditions can be flattened with All([...]) and Any([...])".into()),
        ),
        E::Eof => (
            "unexpected-end",
            "the file ends too early: a bracket or quote is not closed".into(),
            Some("check that every ( [ { and \" has its partner".into()),
        ),
        E::TrailingCharacters => (
            "trailing-text",
            "there is more text after the end of the scenario".into(),
            Some("the whole file is one ( ... ); remove what follows the last )".into()),
        ),
        E::ExpectedString | E::ExpectedStringEnd => (
            "expected-text",
            "expected text in double quotes here".into(),
            Some("write text as \"...\"; inside it, write \\\" for a quote".into()),
        ),
        E::ExpectedComma => (
            "expected-comma",
            "expected a comma between items".into(),
            None,
        ),
        E::InvalidValueForType { expected, found } => (
            "wrong-type",
            format!("expected {expected} here, found {found}"),
            None,
        ),
        E::ExpectedInteger => ("wrong-type", "expected a whole number here".into(), Some("numbers are written without quotes: `age: 58`".into())),
        E::ExpectedBoolean => ("wrong-type", "expected true or false here".into(), None),
        E::ExpectedArray => ("wrong-type", "expected a list in square brackets here: [ ... ]".into(), None),
        E::ExpectedMap => ("wrong-type", "expected a table in braces here, e.g. {E1: 3, P2: 2}".into(), None),
        E::ExpectedStructLike | E::ExpectedNamedStructLike(_) => (
            "wrong-type",
            "expected a group of fields in round brackets here: ( ... )".into(),
            None,
        ),
        E::ExpectedMapColon => ("expected-colon", "expected a colon between a name and its value".into(), None),
        E::ExpectedArrayEnd => ("unclosed", "expected `]` to close this list (or a comma before the next item)".into(), None),
        E::ExpectedMapEnd => ("unclosed", "expected `}` to close this table (or a comma before the next entry)".into(), None),
        E::ExpectedStructLikeEnd | E::ExpectedOptionEnd => ("unclosed", "expected `)` to close this group (or a comma before the next field)".into(), None),
        E::ExpectedIdentifier => ("syntax", "expected a field name or value name here".into(), None),
        E::Message(message) => ("invalid-value", plain_serde_message(message), None),
        E::IntegerOutOfBounds => ("out-of-range", "this number is out of range here".into(), None),
        other => ("syntax", other.to_string(), None),
    };
    let (mut code_name, mut message, mut help) = (code_name, message, help);
    if code_name == "trailing-text" {
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
    let syntax = matches!(code_name, "expected-comma" | "syntax" | "unclosed" | "expected-colon" | "unexpected-end" | "expected-text");
    if let Some((l, c, opened)) = unclosed_text(source, line, column).filter(|_| syntax) {
        // A missing closing quote makes the parser trip over later words;
        // the place to fix is where the text began.
        (line, column) = (l, c);
        code_name = "unclosed-text";
        message = format!("the text that starts here seems to be missing its closing quote (it runs on to {opened})");
        help = Some("end the text with \" before the next field; inside text, write \\\" for a quote".into());
    } else if code_name == "expected-comma" {
        if let Some((l, c)) = end_of_previous_item(source, line, column) {
            (line, column) = (l, c);
            message = "a comma is missing after this item".into();
            help = Some("separate fields and list items with a comma: `minutes: 5,`".into());
        }
    }
    if matches!(code, E::ExpectedStructLike | E::ExpectedNamedStructLike(_)) && path.trim_matches('.').is_empty() {
        if significant(source).is_none() {
            code_name = "empty-file";
            message = "the file is empty: there is no scenario in it".into();
            help = Some("a scenario file holds one ( ... ); start from the example in docs/scenario-format.md".into());
            (line, column) = (0, 0);
        } else {
            code_name = "not-a-scenario";
            message = "this is not a scenario: a scenario file starts with `(`".into();
            help = Some("start from the example in docs/scenario-format.md".into());
        }
    }
    if matches!(code, E::IntegerOutOfBounds) || (code_name == "invalid-value" && message.contains("integer")) {
        code_name = "out-of-range";
        let number = number_at(source, line, column).unwrap_or_else(|| "this number".into());
        message = format!("{number} is out of range here: {}", range_for(path));
        help = None;
    }
    let path = clean_path(path);
    let mut d = Diagnostic::error(code_name, file, message).path(path);
    if line > 0 {
        d = d.at(source, line, column);
    }
    d.help = help;
    d
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

/// What a number may be at `path`, in a trainer's words.
fn range_for(path: &str) -> &'static str {
    let last = path.rsplit('.').next().unwrap_or("");
    if path.contains("mood") && matches!(last, "upset" | "trust") {
        if path.starts_with("citizen") {
            "moods run from 0 to 100"
        } else {
            "a mood change runs from -100 to 100 (and a file can hold -128 to 127)"
        }
    } else if path.contains("evidence") {
        "levels run 0 harmful, 1 missed, 2 adequate, 3 exemplary"
    } else if path.contains("fit") {
        "a DISC fit runs from -2 (a trigger) to 2 (a perfect match)"
    } else if path.contains("when") {
        "moods run from 0 to 100"
    } else {
        "the number is too large or negative"
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

fn plain_serde_message(message: &str) -> String {
    // serde's "invalid value: integer `300`, expected u8" is exact but terse.
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let expected = match expected {
                "u8" => "a whole number from 0 to 255 (moods and levels have smaller limits)",
                "i8" => "a whole number from -128 to 127",
                "u32" => "a whole number of 0 or more",
                other => other,
            };
            return format!("{found} is not allowed here: expected {expected}");
        }
    }
    message.to_string()
}

fn suggest(found: &str, expected: &[&str], what: &str) -> String {
    match closest(found, expected.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None if expected.is_empty() => format!("no {what} are allowed here"),
        None => format!("valid {what} here: {}", expected.join(", ")),
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

