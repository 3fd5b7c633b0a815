//! Translation support: every text of a scenario under a stable key, the
//! lines missing one language, and a CSV round trip for translators.
//!
//! Import patches the scenario *source* in place, string literal by string
//! literal, so the trainer's comments and layout survive; re-serialising the
//! RON would lose them.

use crate::scenario::model::{Scenario, Text};
use std::collections::HashMap;
use thiserror::Error;

/// Every text in document order, with a key built from ids (not indices)
/// so it stays valid when turns or options are reordered.
pub fn entries(s: &Scenario) -> Vec<(String, &Text)> {
    let mut out: Vec<(String, &Text)> = vec![("title".into(), &s.title), ("summary".into(), &s.summary)];
    for (i, o) in s.objectives.iter().enumerate() {
        out.push((format!("objectives.{i}"), o));
    }
    out.push(("citizen.name".into(), &s.citizen.name));
    out.push(("citizen.situation".into(), &s.citizen.situation));
    for turn in &s.turns {
        for (l, line) in turn.says.iter().enumerate() {
            for (v, text) in line.variants.iter().enumerate() {
                out.push((format!("turn.{}.says.{l}.{v}", turn.id), text));
            }
        }
        if let Some(cue) = &turn.cue {
            out.push((format!("turn.{}.cue", turn.id), cue));
        }
        for option in &turn.options {
            out.push((format!("turn.{}.option.{}.text", turn.id, option.id), &option.text));
            out.push((format!("turn.{}.option.{}.feedback", turn.id, option.id), &option.feedback));
        }
    }
    for ending in &s.endings {
        out.push((format!("ending.{}", ending.id), &ending.text));
    }
    out
}

/// Keys of texts missing their Chinese or English side.
pub fn missing(s: &Scenario) -> Vec<(String, &'static str)> {
    entries(s)
        .into_iter()
        .flat_map(|(key, text)| {
            let mut gaps = Vec::new();
            if text.zh.trim().is_empty() {
                gaps.push((key.clone(), "zh"));
            }
            if text.en.trim().is_empty() {
                gaps.push((key, "en"));
            }
            gaps
        })
        .collect()
}

/// The CSV for translators, starting with a UTF-8 byte-order mark so that
/// Excel and WPS on Chinese Windows open it as UTF-8.
pub fn export_csv(s: &Scenario) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer("\u{FEFF}".as_bytes().to_vec());
    writer.write_record(["key", "zh", "en"])?;
    for (key, text) in entries(s) {
        writer.write_record([key.as_str(), text.zh.as_str(), text.en.as_str()])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("csv of UTF-8 strings is UTF-8"))
}

/// How a translator's CSV was encoded: Excel re-saves a CSV on Chinese
/// Windows as GB18030 (GBK), or as UTF-8 with a byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8Bom,
    Utf8,
    Utf16,
    Gb18030,
}

/// Decodes a CSV file's bytes, detecting the encoding: a byte-order mark
/// (UTF-8 or UTF-16) decides; otherwise valid UTF-8 is UTF-8 and anything
/// else is read as GB18030, which must then decode without errors. The
/// byte-order mark is dropped.
pub fn decode_csv(bytes: &[u8]) -> Result<(String, CsvEncoding), ImportError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(ImportError::Encoding { detail: format!("it starts with a {} byte-order mark but is not {0} throughout", encoding.name()) });
        }
        let kind = if encoding == encoding_rs::UTF_8 { CsvEncoding::Utf8Bom } else { CsvEncoding::Utf16 };
        return Ok((text.into_owned(), kind));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), CsvEncoding::Utf8));
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text.into_owned(), CsvEncoding::Gb18030)),
        None => Err(ImportError::Encoding { detail: "it is neither UTF-8 nor GB18030 (GBK)".into() }),
    }
}

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("cannot read the CSV's text: {detail}; save it from Excel as \"CSV UTF-8\" / 无法识别 CSV 文件编码，请在 Excel 中另存为“CSV UTF-8”")]
    Encoding { detail: String },
    #[error("CSV line {line}: {source}")]
    Csv { line: u64, source: csv::Error },
    #[error("CSV line {line}: the header must be key,zh,en")]
    Header { line: u64 },
    #[error("CSV line {line}: no text in the scenario has the key \"{key}\"")]
    UnknownKey { line: u64, key: String },
    #[error("\"{key}\": its current {lang} text appears {count} times in the file, so the one to change is ambiguous; edit it by hand")]
    Ambiguous { key: String, lang: &'static str, count: usize },
    #[error("\"{key}\": cannot find its {lang} text in the file to replace")]
    NotFound { key: String, lang: &'static str },
}

/// RON string literal for `text`.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Applies translated texts from `csv_text` to `source` (the scenario file
/// it was exported from) and returns the new source and how many texts
/// changed. Unchanged rows are left alone.
///
/// Texts are found by their current literal. When the same literal occurs
/// several times (two options with the same feedback, say), the n-th key
/// with that text in document order takes the n-th occurrence.
pub fn import_csv(source: &str, scenario: &Scenario, csv_text: &str) -> Result<(String, usize), ImportError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(false).from_reader(csv_text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 1;
        let record = record.map_err(|source| ImportError::Csv { line, source })?;
        if index == 0 {
            if record.iter().collect::<Vec<_>>() != ["key", "zh", "en"] {
                return Err(ImportError::Header { line });
            }
            continue;
        }
        rows.push((line, record[0].to_string(), record[1].to_string(), record[2].to_string()));
    }
    let mut edits = text_edits(source, scenario, &rows)?;
    let changed = edits.len();
    edits.sort_by(|a, b| b.0.cmp(&a.0));
    let mut out = source.to_string();
    for (start, end, text) in edits {
        out.replace_range(start..end, &text);
    }
    Ok((out, changed))
}

/// The replacements (start, end, text) against `source` that give the
/// texts of `rows` (line, key, zh, en); a row equal to the file gives none.
pub(crate) fn text_edits(source: &str, scenario: &Scenario, rows: &[(u64, String, String, String)]) -> Result<Vec<(usize, usize, String)>, ImportError> {
    let all = entries(scenario);
    let current: HashMap<&str, &Text> = all.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (line, key, zh, en) in rows {
        let (line, key) = (*line, key.as_str());
        let old = current.get(key).ok_or_else(|| ImportError::UnknownKey { line, key: key.to_string() })?;
        for (lang, new_value) in [("zh", zh), ("en", en)] {
            let (old_value, other_lang) = match lang {
                "zh" => (&old.zh, "en"),
                _ => (&old.en, "zh"),
            };
            if old_value == new_value {
                continue;
            }
            let new_field = format!("{lang}: {}", literal(new_value));
            let locate = |needle: &str, pick: &dyn Fn(&Text) -> &String| -> Result<usize, ImportError> {
                let matches: Vec<usize> = source.match_indices(needle).map(|(i, _)| i).collect();
                let same: Vec<&str> = all
                    .iter()
                    .filter(|(_, t)| format!("{}", pick(t)) == needle_text(needle))
                    .map(|(k, _)| k.as_str())
                    .collect();
                match (matches.len(), same.iter().position(|k| *k == key)) {
                    (0, _) => Err(ImportError::NotFound { key: key.to_string(), lang }),
                    (1, _) => Ok(matches[0]),
                    (n, Some(ordinal)) if n == same.len() => Ok(matches[ordinal]),
                    (n, _) => Err(ImportError::Ambiguous { key: key.to_string(), lang, count: n }),
                }
            };
            if !old_value.is_empty() {
                let needle = format!("{lang}: {}", literal(old_value));
                let at = locate(&needle, &|t: &Text| if lang == "zh" { &t.zh } else { &t.en })?;
                edits.push((at, at + needle.len(), new_field));
                continue;
            }
            // The side is empty or absent: anchor on the other language.
            let other_value = if lang == "zh" { &old.en } else { &old.zh };
            let anchor = format!("{other_lang}: {}", literal(other_value));
            let at = locate(&anchor, &|t: &Text| if other_lang == "zh" { &t.zh } else { &t.en })?;
            let end = at + anchor.len();
            let empty = format!("{lang}: \"\"");
            let rest = &source[end..];
            let trimmed = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
            if trimmed.starts_with(&empty) {
                let start = end + (rest.len() - trimmed.len());
                edits.push((start, start + empty.len(), new_field));
            } else if lang == "zh" {
                edits.push((at, at, format!("{new_field}, ")));
            } else {
                edits.push((end, end, format!(", {new_field}")));
            }
        }
    }
    Ok(edits)
}

/// The plain text inside a `lang: "..."` needle, unescaped.
fn needle_text(needle: &str) -> String {
    let quoted = &needle[needle.find('"').unwrap_or(0)..];
    ron::from_str::<String>(quoted).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse::parse_scenario;
    use crate::scenario::model::{Channel, DiscStyle};
    use crate::scenario::scaffold::{ScaffoldSpec, scaffold};

    fn source() -> String {
        scaffold(&ScaffoldSpec {
            id: "t".into(),
            channel: Channel::Hotline,
            style: DiscStyle::S,
            secondary: None,
            title_zh: "停水第二天".into(),
            title_en: "Day two".into(),
        })
    }

    #[test]
    fn csv_round_trip_is_lossless() {
        let source = source();
        let scenario = parse_scenario(&source, "x.ron").unwrap();
        let csv = export_csv(&scenario).unwrap();
        let (same, changed) = import_csv(&source, &scenario, &csv).unwrap();
        assert_eq!(changed, 0);
        assert_eq!(same, source);
        // Edit every English text through the CSV and back.
        let edited: String = csv.replace("(", "[").replace(")", "]");
        let (patched, changed) = import_csv(&source, &scenario, &edited).unwrap();
        assert!(changed > 10);
        let reparsed = parse_scenario(&patched, "x.ron").unwrap();
        assert_eq!(export_csv(&reparsed).unwrap(), edited);
    }

    #[test]
    fn import_fills_a_missing_translation_and_keeps_comments() {
        let full = source().replacen(
            "title: (zh: \"停水第二天\", en: \"Day two\"),",
            "title: (zh: \"停水第二天\"), // comment survives",
            1,
        );
        let scenario = parse_scenario(&full, "x.ron").unwrap();
        assert_eq!(missing(&scenario), vec![("title".to_string(), "en")]);
        let csv = export_csv(&scenario).unwrap().replacen("title,停水第二天,\n", "title,停水第二天,\"Water, \"\"day\"\" two\"\n", 1);
        let (patched, changed) = import_csv(&full, &scenario, &csv).unwrap();
        assert_eq!(changed, 1);
        assert!(patched.contains("// comment survives"));
        let reparsed = parse_scenario(&patched, "x.ron").unwrap();
        assert_eq!(reparsed.title.en, "Water, \"day\" two");
        assert!(missing(&reparsed).is_empty());
    }

    #[test]
    fn a_csv_comes_back_in_utf8_with_or_without_bom_or_gb18030() {
        let source = source();
        let scenario = parse_scenario(&source, "x.ron").unwrap();
        let csv = export_csv(&scenario).unwrap();
        assert!(csv.starts_with("\u{FEFF}key,zh,en\n"), "{:?}", &csv[..20]);
        let edited = csv.replacen("停水第二天", "停水第三天", 1);
        let plain = edited.trim_start_matches('\u{FEFF}').to_string();
        let (gbk, _, lossy) = encoding_rs::GB18030.encode(&plain);
        assert!(!lossy);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(plain.encode_utf16().flat_map(u16::to_le_bytes));
        for (bytes, kind) in [
            (edited.as_bytes().to_vec(), CsvEncoding::Utf8Bom),
            (plain.as_bytes().to_vec(), CsvEncoding::Utf8),
            (gbk.into_owned(), CsvEncoding::Gb18030),
            (utf16, CsvEncoding::Utf16),
        ] {
            let (text, found) = decode_csv(&bytes).unwrap();
            assert_eq!(found, kind);
            let (patched, changed) = import_csv(&source, &scenario, &text).unwrap();
            assert_eq!(changed, 1, "{kind:?}");
            assert_eq!(parse_scenario(&patched, "x.ron").unwrap().title.zh, "停水第三天");
        }
        assert!(matches!(decode_csv(b"key,zh,en\n\xFF\xFF\x30,a,b\n"), Err(ImportError::Encoding { .. })));
    }

    #[test]
    fn unknown_keys_are_reported_with_their_line() {
        let source = source();
        let scenario = parse_scenario(&source, "x.ron").unwrap();
        let err = import_csv(&source, &scenario, "key,zh,en\nturn.nope.cue,a,b\n").unwrap_err();
        assert!(matches!(err, ImportError::UnknownKey { line: 2, .. }), "{err}");
    }
}
