//! Reading a library's knowledge folder (`knowledge/` beside the scenario
//! files): `categories.ron` is the category tree, every other top-level
//! `.ron` file holds entries. A broken file is reported and skipped; the
//! rest still load, as with scenarios.

use crate::knowledge::model::{CategoryTree, KnowledgeBase, KnowledgeFile};
use crate::knowledge::validate::check_sources;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::CityProfile;
use crate::scenario::parse::parse_ron_bytes;
use std::path::Path;

/// Where the knowledge folder sits, relative to the folder of scenarios.
pub(crate) const KNOWLEDGE_DIR: &str = "knowledge";
/// The category tree's file name inside the knowledge folder.
pub(crate) const CATEGORIES_FILE: &str = "categories.ron";

/// A knowledge folder after loading: every entry that parsed, and every
/// finding (parse errors, and the checks of `validate`).
#[derive(Debug, Clone, Default)]
pub struct KnowledgeLoad {
    pub base: KnowledgeBase,
    pub findings: Vec<Diagnostic>,
    /// False when there is no knowledge folder at all: a library may do
    /// without one until its scenarios refer to entries.
    pub present: bool,
}

impl KnowledgeLoad {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.findings.iter().filter(|d| d.is_error())
    }
}

/// One file's text, for loading from memory (tests, the author view).
#[derive(Debug, Clone)]
pub struct Source {
    /// How the file is named in diagnostics; a name ending in
    /// `categories.ron` is read as the category tree.
    pub file: String,
    pub bytes: Vec<u8>,
}

/// Loads the knowledge folder `dir`. `profile` is the city profile, if
/// any, for checking the rules that entries cite.
pub fn load_folder(dir: &Path, profile: Option<&CityProfile>) -> KnowledgeLoad {
    let listing = match std::fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return KnowledgeLoad::default(),
        Err(e) => {
            let file = dir.to_string_lossy();
            return KnowledgeLoad {
                present: true,
                findings: vec![Diagnostic::error("unreadable", &file, format!("cannot read the knowledge folder: {e}")).zh(format!("无法读取知识库文件夹：{e}"), None)],
                ..KnowledgeLoad::default()
            };
        }
    };
    let mut paths: Vec<_> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "ron"))
        .collect();
    paths.sort();
    let mut sources = Vec::new();
    let mut findings = Vec::new();
    for path in paths {
        let file = path.to_string_lossy().into_owned();
        match std::fs::read(&path) {
            Ok(bytes) => sources.push(Source { file, bytes }),
            Err(e) => findings.push(Diagnostic::error("unreadable", &file, format!("cannot read the file: {e}")).zh(format!("无法读取文件：{e}"), None)),
        }
    }
    let mut load = load_sources(&sources, profile);
    findings.append(&mut load.findings);
    load.findings = findings;
    load
}

/// Loads knowledge files given as text, in order.
pub fn load_sources(sources: &[Source], profile: Option<&CityProfile>) -> KnowledgeLoad {
    let mut findings = Vec::new();
    let mut parsed: Vec<(&str, &str, KnowledgeFile)> = Vec::new();
    let mut categories: Option<(&str, &str, CategoryTree)> = None;
    for source in sources {
        let file = source.file.as_str();
        let text = match std::str::from_utf8(source.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&source.bytes)) {
            Ok(text) => text,
            // parse_ron_bytes words the encoding error with its place.
            Err(_) => "",
        };
        if is_categories(file) {
            match parse_ron_bytes::<CategoryTree>(&source.bytes, file) {
                Ok(tree) => {
                    if categories.is_some() {
                        findings.push(Diagnostic::error("duplicate-category-file", file, "there is more than one category tree".to_string()).zh("分类表不止一个", None));
                    } else {
                        categories = Some((file, text, tree));
                    }
                }
                Err(d) => findings.push(plain(d)),
            }
        } else {
            match parse_ron_bytes::<KnowledgeFile>(&source.bytes, file) {
                Ok(k) => parsed.push((file, text, k)),
                Err(d) => findings.push(plain(d)),
            }
        }
    }
    findings.extend(check_sources(&parsed, categories.as_ref().map(|(f, s, t)| (*f, *s, t)), profile));
    let mut base = KnowledgeBase { categories: categories.map(|(_, _, t)| t), ..KnowledgeBase::default() };
    for (file, _, k) in parsed {
        for entry in k.entries {
            // The first of two entries with one id wins; the second was reported.
            if base.entry(&entry.id).is_none() {
                base.files.push(file.to_string());
                base.entries.push(entry);
            }
        }
    }
    KnowledgeLoad { base, findings, present: true }
}

fn is_categories(file: &str) -> bool {
    Path::new(file).file_name().is_some_and(|n| n == CATEGORIES_FILE)
}

/// The parser names serde types; say what they are in a trainer's words.
fn plain(mut d: Diagnostic) -> Diagnostic {
    for (from, to) in [
        ("KnowledgeFile", "the knowledge file"),
        ("Entry", "a knowledge entry"),
        ("EntryKind", "kind (Policy or Guide)"),
        ("CategoryTree", "the category tree"),
        ("Category", "a category"),
    ] {
        d.message = d.message.replace(&format!("of {from}"), &format!("of {to}")).replace(&format!("for {from}"), &format!("for {to}"));
    }
    if d.code == "not-a-scenario" {
        d.message = "this is not a knowledge file: it starts with `(entries: [`".into();
        d.help = Some("start from the example in docs/knowledge-base.md".into());
        d.message_zh = Some("这不是知识库文件：知识库文件以 `(entries: [` 开头".into());
        d.help_zh = Some("可以从 docs/knowledge-base.md 里的示例开始".into());
    } else if d.code == "empty-file" {
        d.message = "the file is empty".into();
        d.help = Some("a knowledge file holds `(entries: [ ... ])`; see docs/knowledge-base.md".into());
        d.message_zh = Some("文件是空的".into());
        d.help_zh = Some("知识库文件里是 `(entries: [ ... ])`；见 docs/knowledge-base.md".into());
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(file: &str, text: &str) -> Source {
        Source { file: file.into(), bytes: text.as_bytes().to_vec() }
    }

    const ENTRY: &str = r#"(entries: [(
        id: "a", kind: Guide,
        title: (zh: "住房公积金提取", en: "Housing provident fund withdrawal"),
        summary: (zh: "租房可以提取公积金。", en: "Renters may withdraw."),
        materials: [(zh: "身份证", en: "ID card")],
        steps: [(zh: "线上申请", en: "Apply online")],
        handling_unit: (zh: "市住房公积金管理中心", en: "City Housing Provident Fund Centre"),
        source: (zh: "示例", en: "Example"),
        category: "housing",
    )])"#;

    const TREE: &str = r#"(categories: [(id: "housing", name: (zh: "住房", en: "Housing"))])"#;

    #[test]
    fn loads_entries_and_tree() {
        let load = load_sources(&[src("k/categories.ron", TREE), src("k/a.ron", ENTRY)], None);
        assert!(load.findings.is_empty(), "{:#?}", load.findings);
        assert_eq!(load.base.entries.len(), 1);
        assert_eq!(load.base.files, vec!["k/a.ron".to_string()]);
        assert!(load.base.categories.as_ref().is_some_and(|t| t.find("housing").is_some()));
    }

    #[test]
    fn a_broken_file_does_not_stop_the_others() {
        let load = load_sources(&[src("k/a.ron", ENTRY), src("k/b.ron", "(entries: [(id: \"b\", kidn: Guide)])"), src("k/c.ron", "")], None);
        assert_eq!(load.base.entries.len(), 1);
        let codes: Vec<&str> = load.findings.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"unknown-field"), "{codes:?}");
        assert!(codes.contains(&"empty-file"), "{codes:?}");
        let unknown = load.findings.iter().find(|d| d.code == "unknown-field").unwrap();
        assert_eq!(unknown.line, 1);
        assert!(unknown.message.contains("a knowledge entry"), "{}", unknown.message);
        assert!(unknown.help.as_deref().is_some_and(|h| h.contains("kind")), "{unknown:?}");
    }

    #[test]
    fn bad_bytes_never_panic() {
        for bytes in [&b"\xff\xfe\x00"[..], b"(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((", b"(entries: [(id: \"\xe5\x85\")])"] {
            let load = load_sources(&[Source { file: "k/x.ron".into(), bytes: bytes.to_vec() }], None);
            assert!(load.errors().count() >= 1);
        }
    }
}
