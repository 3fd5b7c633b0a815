//! `counterpart fix`: repairs the typing slips whose correction is certain
//! (full-width punctuation outside texts, plain quotes inside a text, a
//! single text where both languages are expected), one at a time in the
//! order the parser meets them, and says what it changed. Anything else is
//! left for the trainer: the parser's diagnostic says what it is.

use crate::scenario::diag::Diagnostic;
use crate::scenario::model::Lang;
use crate::scenario::parse::{Lexical, lexical_problems, parse_scenario};
use std::path::{Path, PathBuf};

/// One repair, located in the repaired text (repairs never add or remove
/// lines, so the line is also the line in the original file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub line: usize,
    pub column: usize,
    pub en: String,
    pub zh: String,
}

impl Change {
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// The repaired source, what changed, and the first problem left (None
/// when the result parses).
#[derive(Debug, Clone)]
pub struct Fixed {
    pub source: String,
    pub changes: Vec<Change>,
    pub remaining: Option<Diagnostic>,
}

/// More repairs than any real file needs; a bound so no input loops.
const MAX_REPAIRS: usize = 5000;

pub fn fix_source(source: &str, file: &str) -> Fixed {
    let mut text = source.to_string();
    let mut changes = Vec::new();
    for _ in 0..MAX_REPAIRS {
        let problem = match parse_scenario(&text, file) {
            Ok(_) => return Fixed { source: text, changes, remaining: None },
            Err(d) => d,
        };
        let repaired = match problem.code {
            "full-width-punctuation" | "unescaped-quote" => {
                let problems = lexical_problems(&text);
                match problems.as_slice() {
                    [open @ Lexical::FullWidth { found: '“' | '＂', .. }, close @ Lexical::FullWidth { found: '”' | '＂', .. }, ..] => {
                        repair_chinese_quotes(&text, open, close)
                    }
                    [first, ..] => repair_lexical(&text, first),
                    [] => None,
                }
            }
            "text-needs-zh-en" => repair_bare_text(&text, &problem),
            _ => None,
        };
        let Some((next, change)) = repaired else {
            return Fixed { source: text, changes, remaining: Some(problem) };
        };
        text = next;
        changes.push(change);
    }
    let remaining = parse_scenario(&text, file).err();
    Fixed { source: text, changes, remaining }
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    (before.matches('\n').count() + 1, before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

fn repair_lexical(source: &str, problem: &Lexical) -> Option<(String, Change)> {
    match problem {
        Lexical::FullWidth { at, found, wanted } => {
            let mut next = String::with_capacity(source.len());
            next.push_str(&source[..*at]);
            next.push(*wanted);
            next.push_str(&source[at + found.len_utf8()..]);
            let (line, column) = line_col(&next, *at);
            let change = Change {
                line,
                column,
                en: format!("full-width `{found}` outside the quotes replaced with `{wanted}`"),
                zh: format!("引号外的全角「{found}」改成了半角「{wanted}」"),
            };
            Some((next, change))
        }
        Lexical::StrayQuote { at, quoted: Some(quoted) } => {
            // The quotes are the one before each quoted range and the one
            // after it. Chinese text gets 「」, which needs no escaping and
            // is what a Chinese reader expects; other text gets \".
            let first = quoted.first()?;
            let last = quoted.last()?;
            let piece_end = source[last.1 + 1..].find('"').map_or(source.len(), |p| p + last.1 + 2);
            let whole = &source[source[..*at].rfind('"').unwrap_or(0)..piece_end];
            let chinese = whole.chars().any(is_cjk);
            let (open, close) = if chinese { ("「", "」") } else { ("\\\"", "\\\"") };
            let mut next = String::with_capacity(source.len() + 8);
            let mut from = 0;
            let mut words = Vec::new();
            for &(start, end) in quoted {
                // `start` is just after a quote, `end` is on the next one.
                next.push_str(&source[from..start - 1]);
                next.push_str(open);
                next.push_str(&source[start..end]);
                next.push_str(close);
                from = end + 1;
                words.push(&source[start..end]);
            }
            next.push_str(&source[from..]);
            let (line, column) = line_col(&next, first.0 - 1);
            let shown: Vec<String> = words.iter().map(|w| format!("\"{w}\" → {open}{w}{close}")).collect();
            let change = Change {
                line,
                column,
                en: format!("plain quotes inside a text: {}", shown.join(", ")),
                zh: format!("文字里的英文引号：{}", shown.join("，")),
            };
            Some((next, change))
        }
        Lexical::StrayQuote { quoted: None, .. } => None,
    }
}

/// A text typed between “ ”: both marks become `"` in one change, since
/// once the first is replaced the second is inside the text.
fn repair_chinese_quotes(source: &str, open: &Lexical, close: &Lexical) -> Option<(String, Change)> {
    let (Lexical::FullWidth { at: a, found: fa, .. }, Lexical::FullWidth { at: b, found: fb, .. }) = (open, close) else { return None };
    let words = &source[a + fa.len_utf8()..*b];
    if words.contains('\n') {
        return None;
    }
    let next = format!("{}\"{words}\"{}", &source[..*a], &source[b + fb.len_utf8()..]);
    let (line, column) = line_col(&next, *a);
    let change = Change {
        line,
        column,
        en: format!("Chinese quotes around a text replaced with plain ones: {fa}{words}{fb} → \"{words}\""),
        zh: format!("文字两边的中文引号改成了英文引号：{fa}{words}{fb} 改成 \"{words}\""),
    };
    Some((next, change))
}

/// `"…"` at the diagnostic's place becomes `(zh: "…", en: "")`: the text
/// is kept as the Chinese and the English left empty, which the checker
/// reports as `missing-en` and `counterpart translations` lists for a
/// translator.
fn repair_bare_text(source: &str, problem: &Diagnostic) -> Option<(String, Change)> {
    let at = problem.offset_in(source)?;
    if !source[at..].starts_with('"') {
        return None;
    }
    let bytes = source.as_bytes();
    let mut i = at + 1;
    let end = loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => break i + 1,
            _ => i += 1,
        }
    };
    let literal = &source[at..end];
    if literal.contains('\n') {
        return None;
    }
    let next = format!("{}(zh: {literal}, en: \"\"){}", &source[..at], &source[end..]);
    let field = problem.path.rsplit('.').next().unwrap_or("text").split('[').next().unwrap_or("text").to_string();
    let change = Change {
        line: problem.line,
        column: problem.column,
        en: format!("`{field}` was a single text: kept as the Chinese, the English left empty to fill in"),
        zh: format!("`{field}` 只写了一段文字：保留为中文，英文留空待补"),
    };
    Some((next, change))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(option_text: &str) -> String {
        format!("(id: \"x\", title: (zh: {option_text}, en: \"T\"))")
    }

    #[test]
    fn paired_quotes_in_chinese_become_corner_brackets() {
        let fixed = fix_source(&wrap("\"叫\"鑫宏家\"的公司\""), "x.ron");
        assert!(fixed.source.contains("\"叫「鑫宏家」的公司\""), "{}", fixed.source);
        assert_eq!(fixed.changes.len(), 1);
        assert_eq!(fixed.changes[0].column, 25);
    }

    #[test]
    fn two_quoted_words_in_one_text_are_both_repaired() {
        let fixed = fix_source(&wrap("\"叫\"甲\"和\"乙\"的\""), "x.ron");
        assert!(fixed.source.contains("\"叫「甲」和「乙」的\""), "{}", fixed.source);
    }

    #[test]
    fn quotes_in_english_are_escaped() {
        let fixed = fix_source(&wrap("\"a firm called \"Xinhong\" here\""), "x.ron");
        assert!(fixed.source.contains(r#""a firm called \"Xinhong\" here""#), "{}", fixed.source);
    }

    #[test]
    fn a_single_stray_quote_is_left_alone() {
        // One quote: where the quoted words end cannot be known.
        let source = "(id: \"x\", title: (zh: \"他说\"好, en: \"OK\"))";
        let fixed = fix_source(source, "x.ron");
        assert!(fixed.changes.is_empty(), "{:?}", fixed.changes);
        assert_eq!(fixed.source, source);
        assert_eq!(fixed.remaining.map(|d| d.code), Some("unescaped-quote"));
    }

    #[test]
    fn full_width_punctuation_is_replaced_but_not_inside_texts() {
        let source = "（id： \"x\"， title: (zh: \"你好，世界\", en: \"T\")）";
        let fixed = fix_source(source, "x.ron");
        assert_eq!(fixed.source, "(id: \"x\", title: (zh: \"你好，世界\", en: \"T\"))");
        assert_eq!(fixed.changes.len(), 4);
    }

    #[test]
    fn chinese_quotes_around_a_text_become_plain_quotes() {
        let fixed = fix_source("(id: “x，y”, title: (zh: \"a\", en: \"T\"))", "x.ron");
        assert_eq!(fixed.source, "(id: \"x，y\", title: (zh: \"a\", en: \"T\"))");
    }
}

/// The diagnostic codes `fix_source` can repair with certainty; a file
/// whose first problem is one of these is worth offering the repair for.
pub const REPAIRABLE: [&str; 3] = ["full-width-punctuation", "unescaped-quote", "text-needs-zh-en"];

pub fn is_repairable(code: &str) -> bool {
    REPAIRABLE.contains(&code)
}

/// Where a repair keeps the original: FILE.bak, or FILE.1.bak, FILE.2.bak …
/// when older backups exist, so an earlier original is never overwritten.
/// The name never ends in `.ron`, so the backup is not loaded as a second
/// scenario with the same id.
pub fn backup_path(file: &Path) -> PathBuf {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let first = file.with_file_name(format!("{name}.bak"));
    if !first.exists() {
        return first;
    }
    (1..).map(|n| file.with_file_name(format!("{name}.{n}.bak"))).find(|p| !p.exists()).expect("some number is free")
}

/// What repairing a file on disk did.
#[derive(Debug)]
pub struct FileFix {
    pub fixed: Fixed,
    /// Where the original was kept; None when nothing was written (no
    /// change, or a dry run).
    pub backup: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum FixFileError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    /// Too large or not UTF-8: the repairs work on text, so none is tried.
    #[error("{}", .0.message)]
    NotText(Diagnostic),
}

/// Repairs a scenario file in place (the original kept first, see
/// `backup_path`), or only reports what it would change when `dry_run`.
pub fn fix_file(path: &Path, dry_run: bool) -> Result<FileFix, FixFileError> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| FixFileError::Read { path: path.to_path_buf(), source })?;
    if let Err(d) = crate::scenario::parse::parse_bytes(&bytes, &label)
        && matches!(d.code, "not-utf8" | "file-too-large")
    {
        return Err(FixFileError::NotText(d));
    }
    let source = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).into_owned();
    let fixed = fix_source(&source, &label);
    if dry_run || fixed.changes.is_empty() {
        return Ok(FileFix { fixed, backup: None });
    }
    let backup = backup_path(path);
    let write = |to: &Path, what: &[u8]| std::fs::write(to, what).map_err(|source| FixFileError::Write { path: to.to_path_buf(), source });
    write(&backup, &bytes)?;
    write(path, fixed.source.as_bytes())?;
    Ok(FileFix { fixed, backup: Some(backup) })
}
