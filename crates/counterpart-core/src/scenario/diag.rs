//! Diagnostics: a problem in a scenario file, located precisely enough for a
//! trainer to find and fix it.

use crate::scenario::model::Lang;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short stable name for the kind of problem, e.g. `unknown-field`.
    pub code: &'static str,
    pub file: String,
    /// 1-based; 0 when the problem has no single place in the file.
    pub line: usize,
    pub column: usize,
    /// Where in the document, e.g. `turns[2].options[0].next`.
    pub path: String,
    /// In English; `message_zh` is the same in Chinese.
    pub message: String,
    pub help: Option<String>,
    /// The offending source line, when known.
    pub source_line: Option<String>,
    /// Chinese wording of `message` and `help`. Trainers read Chinese first,
    /// so the commands show these by default. Every check fills them (the
    /// diagnostics corpus test fails on one that does not); English is only
    /// a fallback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_zh: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.to_string(),
            line: 0,
            column: 0,
            path: String::new(),
            message: message.into(),
            help: None,
            source_line: None,
            message_zh: None,
            help_zh: None,
        }
    }

    pub fn warning(code: &'static str, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, file, message) }
    }

    pub fn at(mut self, source: &str, line: usize, column: usize) -> Diagnostic {
        self.line = line;
        self.column = column;
        self.source_line = source.lines().nth(line.saturating_sub(1)).map(|l| l.to_string());
        self
    }

    pub fn path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = path.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The Chinese wording of the message and, optionally, of the help.
    pub fn zh(mut self, message: impl Into<String>, help: Option<String>) -> Diagnostic {
        self.message_zh = Some(message.into());
        self.help_zh = help;
        self
    }

    /// Sets the help in both languages, for a finding already recorded.
    pub(crate) fn set_help(&mut self, en: impl Into<String>, zh: impl Into<String>) {
        self.help = Some(en.into());
        self.help_zh = Some(zh.into());
    }

    /// The message in `lang`, English when there is no Chinese wording.
    pub fn message_in(&self, lang: Lang) -> &str {
        match (lang, &self.message_zh) {
            (Lang::Zh, Some(zh)) => zh,
            _ => &self.message,
        }
    }

    /// The help in `lang`, English when there is no Chinese wording.
    pub(crate) fn help_in(&self, lang: Lang) -> Option<&str> {
        match (lang, &self.help_zh) {
            (Lang::Zh, Some(zh)) => Some(zh),
            _ => self.help.as_deref(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column` (or just the file when there is no position).
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column)
        }
    }

    /// Byte offset of the position in `source`, for span-based renderers.
    pub(crate) fn offset_in(&self, source: &str) -> Option<usize> {
        if self.line == 0 {
            return None;
        }
        let mut offset = 0;
        for (index, line) in source.split_inclusive('\n').enumerate() {
            if index + 1 == self.line {
                let col_bytes: usize =
                    line.chars().take(self.column.saturating_sub(1)).map(char::len_utf8).sum();
                return Some(offset + col_bytes.min(line.len()));
            }
            offset += line.len();
        }
        None
    }
}

impl Diagnostic {
    /// The one documented text form (docs/scenario-format.md, "What the
    /// checker prints"), used by the commands, the app and the tests:
    ///
    /// ```text
    /// scenarios/x.ron:12:9: error[unknown-field]: `evidnce` is not a field of an option
    ///   at turns[0].options[1].evidnce
    ///   12 |         evidnce: {E1: 3},
    ///      |         ^
    ///   help: did you mean `evidence`?
    /// ```
    ///
    /// The first line is always `file:line:column: severity[code]: message`
    /// (just `file: ...` when the problem has no single place), so editors
    /// and scripts can jump to it.
    pub fn render(&self, lang: Lang) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{}: {severity}[{}]: {}", self.location(), self.code, self.message_in(lang));
        if !self.path.is_empty() {
            out.push_str(&format!("\n  at {}", self.path));
        }
        if let Some(source_line) = &self.source_line {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            // Wide characters before the caret get a wide space, so the
            // caret stays under the right character in Chinese text.
            let caret_pad: String = source_line
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else if is_wide(c) { '\u{3000}' } else { ' ' })
                .collect();
            out.push_str(&format!("\n  {number} | {source_line}\n  {pad} | {caret_pad}^"));
        }
        if let Some(help) = self.help_in(lang) {
            let label = if lang == Lang::Zh && self.help_zh.is_some() { "提示" } else { "help" };
            out.push_str(&format!("\n  {label}: {help}"));
        }
        out
    }
}

/// Characters a terminal draws two columns wide (CJK and full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

impl fmt::Display for Diagnostic {
    /// The English form of `render`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// The closest of `candidates` to `found`, if it is close enough to be a typo.
pub fn closest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (c, strsim::damerau_levenshtein(&found.to_lowercase(), &c.to_lowercase())))
        .filter(|(c, distance)| *distance <= (c.chars().count().max(found.chars().count()) / 3).max(2))
        .min_by_key(|(_, distance)| *distance)
        .map(|(c, _)| c)
}
