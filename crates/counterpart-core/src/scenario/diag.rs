//! Diagnostics: a problem in a scenario file, located precisely enough for a
//! trainer to find and fix it.

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
    pub message: String,
    pub help: Option<String>,
    /// The offending source line, when known.
    pub source_line: Option<String>,
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
    pub fn offset_in(&self, source: &str) -> Option<usize> {
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

impl fmt::Display for Diagnostic {
    /// Plain, colourless form used in the app and in tests:
    ///
    /// ```text
    /// scenarios/x.ron:12:9: error[unknown-field]: ...
    ///   at turns[0].options[1]
    ///    12 | evidnce: {E1: 3},
    ///       |         ^
    ///   help: did you mean `evidence`?
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {severity}[{}]: {}", self.location(), self.code, self.message)?;
        if !self.path.is_empty() {
            write!(f, "\n  at {}", self.path)?;
        }
        if let Some(source_line) = &self.source_line {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            let caret_pad: String = source_line
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else if c.len_utf8() > 1 { '　' } else { ' ' })
                .collect();
            write!(f, "\n  {number} | {source_line}\n  {pad} | {caret_pad}^")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
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
