//! Checks on knowledge files beyond what parsing catches: ids, empty
//! texts, references between entries, to the category tree and to the
//! city profile. Every finding names the file and, where it can, the line.

use crate::knowledge::model::{CategoryTree, Entry, EntryKind, KnowledgeFile};
use crate::scenario::diag::{Diagnostic, closest};
use crate::scenario::model::{CityProfile, Text};
use std::collections::{HashMap, HashSet};

/// Ids use the same characters as scenario ids, so a scenario can name
/// them without quoting rules of its own.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The byte offset of the `nth` (0-based) `id: "id"` in `source`, else of
/// the first mention of `"id"`.
fn find_id(source: &str, id: &str, nth: usize) -> Option<usize> {
    let quoted = format!("\"{id}\"");
    let declared: Vec<usize> = source
        .match_indices(&quoted)
        .map(|(at, _)| at)
        .filter(|&at| source[..at].trim_end().strip_suffix(':').is_some_and(|b| b.trim_end().ends_with("id")))
        .collect();
    declared.get(nth).copied().or_else(|| source.find(&quoted))
}

/// The offset of `field:` at or after `from`, if before the next `id:`
/// declaration (so a finding stays inside its own entry).
fn find_field(source: &str, from: usize, field: &str) -> Option<usize> {
    let rest = source.get(from..)?;
    let limit = rest.get(1..).and_then(|r| r.find("id:")).map_or(rest.len(), |l| l + 1);
    let needle = format!("{field}:");
    rest[..limit].find(&needle).map(|at| from + at)
}

fn at(d: Diagnostic, source: &str, offset: Option<usize>) -> Diagnostic {
    let Some(offset) = offset.filter(|&o| o <= source.len()) else { return d };
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    d.at(source, line, column)
}

struct Out<'a> {
    file: &'a str,
    source: &'a str,
    findings: &'a mut Vec<Diagnostic>,
}

impl Out<'_> {
    /// Records a finding with its Chinese wording (`zh`), which every
    /// check gives: trainers read Chinese first.
    fn push(&mut self, d: Diagnostic, zh: impl Into<String>, offset: Option<usize>, path: String) -> &mut Diagnostic {
        let mut d = at(d.path(path), self.source, offset);
        d.message_zh = Some(zh.into());
        self.findings.push(d);
        self.findings.last_mut().expect("just pushed")
    }

    fn text(&mut self, text: &Text, path: String, offset: Option<usize>, required: bool) {
        let (zh, en) = (text.zh.trim().is_empty(), text.en.trim().is_empty());
        if zh && en {
            if required {
                self.push(Diagnostic::error("empty-text", self.file, "this text is empty in both languages"), "这段文字中英文都是空的", offset, path);
            }
        } else if zh {
            self.push(Diagnostic::warning("missing-zh", self.file, "the Chinese text is missing"), "缺少中文", offset, path)
                .set_help("add `zh: \"...\"`: trainees see Chinese first", "加上 `zh: \"...\"`：学员先看到的是中文");
        } else if en {
            self.push(Diagnostic::warning("missing-en", self.file, "the English text is missing"), "缺少英文", offset, path)
                .set_help("add `en: \"...\"` beside the Chinese", "在中文旁边加上 `en: \"...\"`");
        }
    }
}

/// Every finding for the parsed knowledge files (`(file, source, parsed)`)
/// and the category tree.
pub(crate) fn check_sources(files: &[(&str, &str, KnowledgeFile)], categories: Option<(&str, &str, &CategoryTree)>, profile: Option<&CityProfile>) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    let mut category_ids: HashSet<&str> = HashSet::new();
    if let Some((file, source, tree)) = categories {
        let mut out = Out { file, source, findings: &mut findings };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (c, above) in tree.flatten() {
            let nth = seen.entry(&c.id).or_insert(0);
            let offset = find_id(source, &c.id, *nth);
            *nth += 1;
            let path = format!("categories.{}", above.iter().chain([&c.id.as_str()]).copied().collect::<Vec<_>>().join("."));
            if !valid_id(&c.id) {
                out.push(
                    Diagnostic::error("bad-id", file, format!("the category id \"{}\" must be letters, digits, _ or - only", c.id)),
                    format!("类目编号 \"{}\" 只能用字母、数字、_ 或 -", c.id),
                    offset,
                    path.clone(),
                );
            }
            if !category_ids.insert(&c.id) {
                out.push(Diagnostic::error("duplicate-id", file, format!("two categories have the id \"{}\"", c.id)), format!("有两个类目的编号都是 \"{}\"", c.id), offset, path.clone())
                    .set_help("every category needs its own id: work orders name it", "每个类目都要有自己的编号：工单按编号写诉求分类");
            }
            out.text(&c.name, format!("{path}.name"), offset, true);
        }
        if tree.categories.is_empty() {
            out.push(Diagnostic::error("no-categories", file, "the category tree is empty"), "分类表是空的", None, "categories".into());
        }
    }

    let all: Vec<(&str, &str, usize, &Entry)> =
        files.iter().flat_map(|(file, source, k)| k.entries.iter().enumerate().map(move |(i, e)| (*file, *source, i, e))).collect();
    let known: HashSet<&str> = all.iter().map(|(_, _, _, e)| e.id.as_str()).collect();
    let mut first_file: HashMap<&str, &str> = HashMap::new();
    let mut nth_in_file: HashMap<(&str, &str), usize> = HashMap::new();
    for (file, source, i, e) in &all {
        let (file, source) = (*file, *source);
        let nth = nth_in_file.entry((file, &e.id)).or_insert(0);
        let offset = find_id(source, &e.id, *nth);
        *nth += 1;
        let mut out = Out { file, source, findings: &mut findings };
        let p = format!("entries[{i}]");
        if !valid_id(&e.id) {
            out.push(
                Diagnostic::error("bad-id", file, format!("the entry id \"{}\" must be letters, digits, _ or - only", e.id)),
                format!("条目编号 \"{}\" 只能用字母、数字、_ 或 -", e.id),
                offset,
                format!("{p}.id"),
            );
        }
        if let Some(first) = first_file.get(e.id.as_str()) {
            out.push(
                Diagnostic::error("duplicate-id", file, format!("the entry id \"{}\" is already used in {first}", e.id)),
                format!("条目编号 \"{}\" 在 {first} 里已经用过了", e.id),
                offset,
                format!("{p}.id"),
            )
            .set_help(
                "every knowledge entry needs its own id: scenarios name entries by it; this one is not loaded",
                "每个知识库条目都要有自己的编号：场景按编号引用条目；这一条不会载入",
            );
        } else {
            first_file.insert(&e.id, file);
        }
        let field = |name: &str| find_field(source, offset.unwrap_or(0), name).or(offset);
        out.text(&e.title, format!("{p}.title"), field("title"), true);
        out.text(&e.summary, format!("{p}.summary"), field("summary"), true);
        out.text(&e.handling_unit, format!("{p}.handling_unit"), field("handling_unit"), true);
        out.text(&e.source, format!("{p}.source"), field("source"), true);
        for (name, list) in [("materials", &e.materials), ("steps", &e.steps), ("time_limits", &e.time_limits)] {
            for (j, t) in list.iter().enumerate() {
                out.text(t, format!("{p}.{name}[{j}]"), field(name), true);
            }
        }
        if e.kind == EntryKind::Guide && (e.materials.is_empty() || e.steps.is_empty()) {
            let (missing, missing_zh) = if e.materials.is_empty() { ("materials", "材料（materials）") } else { ("steps", "步骤（steps）") };
            out.push(
                Diagnostic::warning("guide-incomplete", file, format!("the procedure guide \"{}\" lists no {missing}", e.id)),
                format!("办事指南 \"{}\" 一项{missing_zh}也没列", e.id),
                offset,
                format!("{p}.{missing}"),
            )
            .set_help(
                "a guide is what the one-time notice is made from: list every material and step, or make it `kind: Policy`",
                "一次性告知单就是用办事指南做的：把每一项材料和每一个步骤都列出来，或者改成 `kind: Policy`",
            );
        }
        for (j, k) in e.keywords.iter().enumerate() {
            if k.trim().is_empty() {
                out.push(Diagnostic::error("empty-text", file, "an empty keyword"), "有一个关键词是空的", field("keywords"), format!("{p}.keywords[{j}]"));
            }
        }
        if let Some(category) = &e.category {
            if categories.is_none() {
                out.push(
                    Diagnostic::warning("no-category-tree", file, format!("the entry names the category \"{category}\" but there is no category tree")),
                    format!("条目写了类目 \"{category}\"，但没有分类表"),
                    field("category"),
                    format!("{p}.category"),
                )
                .set_help("put the category tree in knowledge/categories.ron", "把分类表放在 knowledge/categories.ron");
            } else if !category_ids.contains(category.as_str()) {
                let d = out.push(
                    Diagnostic::error("unknown-category", file, format!("the category tree has no category \"{category}\"")),
                    format!("分类表里没有类目 \"{category}\""),
                    field("category"),
                    format!("{p}.category"),
                );
                match closest(category, category_ids.iter().copied()) {
                    Some(near) => d.set_help(format!("did you mean \"{near}\"?"), format!("是不是想写 \"{near}\"？")),
                    None => d.set_help("use an id from knowledge/categories.ron", "用 knowledge/categories.ron 里的编号"),
                }
            }
        }
        for (j, other) in e.follow_on.iter().enumerate() {
            if other == &e.id {
                out.push(
                    Diagnostic::warning("follow-on-self", file, "an entry names itself as its follow-on matter"),
                    "条目把自己写成了自己的后续事项（follow_on）",
                    field("follow_on"),
                    format!("{p}.follow_on[{j}]"),
                );
            } else if !known.contains(other.as_str()) {
                let d = out.push(
                    Diagnostic::error("unknown-entry", file, format!("no knowledge entry has the id \"{other}\"")),
                    format!("没有哪个知识库条目的编号是 \"{other}\""),
                    field("follow_on"),
                    format!("{p}.follow_on[{j}]"),
                );
                match closest(other, known.iter().copied()) {
                    Some(near) => d.set_help(format!("did you mean \"{near}\"?"), format!("是不是想写 \"{near}\"？")),
                    None => d.set_help("add the entry, or remove it from `follow_on`", "加上这个条目，或者把它从 `follow_on` 里删掉"),
                }
            }
        }
        if let Some(profile) = profile {
            for (j, rule) in e.local_rules.iter().enumerate() {
                match profile.rules.iter().find(|r| &r.id == rule) {
                    None => {
                        let ids = profile.rules.iter().map(|r| r.id.as_str());
                        let d = out.push(
                            Diagnostic::error("unknown-local-rule", file, format!("the city profile has no rule \"{rule}\"")),
                            format!("城市配置里没有规定 \"{rule}\""),
                            field("local_rules"),
                            format!("{p}.local_rules[{j}]"),
                        );
                        match closest(rule, ids) {
                            Some(near) => d.set_help(format!("did you mean \"{near}\"?"), format!("是不是想写 \"{near}\"？")),
                            None => d.set_help("add the rule to city/profile.ron, or cite one of its rules", "把这条规定加进 city/profile.ron，或者引用其中已有的规定"),
                        }
                    }
                    Some(r) => {
                        let value = r.value.zh.trim();
                        let said = [&e.summary].into_iter().chain(&e.time_limits).chain(&e.steps).any(|t| !value.is_empty() && t.zh.contains(value));
                        if !said {
                            out.push(
                                Diagnostic::warning("local-rule-not-said", file, format!("the entry cites the local rule \"{rule}\" ({value}) but its summary, steps and time limits never say {value}")),
                                format!("条目引用了本市规定 \"{rule}\"（{value}），但它的摘要、步骤和时限里没有一处说出“{value}”"),
                                field("local_rules"),
                                format!("{p}.local_rules[{j}]"),
                            )
                            .set_help(
                                format!("say the figure as the city profile has it (\"{value}\"), or remove \"{rule}\""),
                                format!("按城市配置里的写法原样说出这个数值（“{value}”），或者删掉 \"{rule}\""),
                            );

                        }
                    }
                }
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::knowledge::load::{Source, load_sources};
    use crate::scenario::model::{CityProfile, LocalRule, Text};

    fn load(files: &[(&str, &str)], profile: Option<&CityProfile>) -> Vec<crate::scenario::diag::Diagnostic> {
        let sources: Vec<Source> = files.iter().map(|(f, t)| Source { file: f.to_string(), bytes: t.as_bytes().to_vec() }).collect();
        load_sources(&sources, profile).findings
    }

    fn entry(id: &str, extra: &str) -> String {
        format!(
            r#"(
    id: "{id}", kind: Guide,
    title: (zh: "标题", en: "Title"),
    summary: (zh: "受理后7个工作日内办结。", en: "Done within 7 working days."),
    materials: [(zh: "身份证", en: "ID card")],
    steps: [(zh: "申请", en: "Apply")],
    handling_unit: (zh: "单位", en: "Unit"),
    source: (zh: "示例", en: "Example"),
    {extra}
)"#
        )
    }

    #[test]
    fn duplicate_ids_across_files_are_located() {
        let a = format!("(entries: [{}])", entry("x", ""));
        let b = format!("(entries: [\n{}])", entry("x", ""));
        let found = load(&[("k/a.ron", &a), ("k/b.ron", &b)], None);
        let d = found.iter().find(|d| d.code == "duplicate-id").expect("duplicate reported");
        assert_eq!(d.file, "k/b.ron");
        assert_eq!(d.line, 3);
        assert!(d.message.contains("k/a.ron"));
    }

    #[test]
    fn empty_fields_and_dangling_references() {
        let text = format!(
            "(entries: [{}, {}])",
            entry("x", "follow_on: [\"y\", \"nope\"], category: \"housing\", keywords: [\" \"],"),
            entry("y", "").replace("title: (zh: \"标题\", en: \"Title\")", "title: (zh: \"\", en: \"\")").replace("steps: [(zh: \"申请\", en: \"Apply\")]", "steps: []")
        );
        let tree = r#"(categories: [(id: "housing-x", name: (zh: "住房", en: "Housing"))])"#;
        let found = load(&[("k/categories.ron", tree), ("k/a.ron", &text)], None);
        let codes: Vec<&str> = found.iter().map(|d| d.code).collect();
        for code in ["unknown-entry", "unknown-category", "empty-text", "guide-incomplete"] {
            assert!(codes.contains(&code), "{code} missing from {codes:?}");
        }
        let dangling = found.iter().find(|d| d.code == "unknown-entry").unwrap();
        assert!(dangling.line > 0 && dangling.source_line.as_deref().is_some_and(|l| l.contains("follow_on")), "{dangling:?}");
        let category = found.iter().find(|d| d.code == "unknown-category").unwrap();
        assert_eq!(category.help.as_deref(), Some("did you mean \"housing-x\"?"));
        let empty_title = found.iter().find(|d| d.code == "empty-text" && d.path.ends_with("title")).unwrap();
        assert!(empty_title.source_line.as_deref().is_some_and(|l| l.contains("title")), "{empty_title:?}");
    }

    #[test]
    fn local_rules_checked_against_the_profile() {
        let profile = CityProfile {
            city: Text::new("示例市", "Example City"),
            note: Text::default(),
            rules: vec![LocalRule { id: "r7".into(), title: Text::new("t", "t"), value: Text::new("7个工作日", "7 working days"), source: Text::default() }],
        };
        let text = format!("(entries: [{}, {}])", entry("x", "local_rules: [\"r7\"],"), entry("y", "local_rules: [\"r8\"],"));
        let found = load(&[("k/a.ron", &text)], Some(&profile));
        let codes: Vec<&str> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["unknown-local-rule"], "{found:#?}");
        let text = format!("(entries: [{}])", entry("x", "local_rules: [\"r7\"],").replace("7个工作日", "五天"));
        let found = load(&[("k/a.ron", &text)], Some(&profile));
        assert_eq!(found.iter().map(|d| d.code).collect::<Vec<_>>(), vec!["local-rule-not-said"]);
    }
}
