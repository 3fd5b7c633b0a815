//! The knowledge folder beside a scenario folder (`knowledge/`): loaded once
//! per folder, its own findings shown like a broken file's, and the
//! scenarios' references into it (knowledge entries, work-order categories,
//! notice materials) checked once every file is loaded.

use crate::knowledge::load::{KNOWLEDGE_DIR, KnowledgeLoad, load_folder};
use crate::knowledge::model::KnowledgeBase;
use crate::library::city::CityRules;
use crate::scenario::diag::{Diagnostic, closest};
use crate::scenario::model::Scenario;
use std::path::{Path, PathBuf};

/// The knowledge folder of the scenario folder `folder`, with the rules
/// its entries cite checked against the city profile when it is loaded.
pub(crate) fn knowledge_for_folder(folder: &Path, city: &CityRules) -> KnowledgeLoad {
    let profile = match city {
        CityRules::Loaded { profile, .. } => Some(profile),
        _ => None,
    };
    load_folder(&folder.join(KNOWLEDGE_DIR), profile)
}

/// The folder whose `knowledge/` the scenarios of `folder` use: its own,
/// or when it has none, `shared` (the bundled library's), like the city
/// profile.
pub(crate) fn knowledge_home<'a>(folder: &'a Path, shared: Option<&'a Path>) -> &'a Path {
    match shared {
        Some(shared) if !folder.join(KNOWLEDGE_DIR).exists() && shared.join(KNOWLEDGE_DIR).is_dir() => shared,
        _ => folder,
    }
}

/// The knowledge files with findings, each as (path, errors, warnings), so
/// that loading shows each like a file of the library that did not load.
pub(crate) fn findings_by_file(folder: &Path, load: &KnowledgeLoad) -> Vec<(PathBuf, Vec<Diagnostic>, Vec<Diagnostic>)> {
    let mut files: Vec<String> = load.findings.iter().map(|d| d.file.clone()).collect();
    files.sort();
    files.dedup();
    files
        .into_iter()
        .map(|file| {
            let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) = load.findings.iter().filter(|d| d.file == file).cloned().partition(Diagnostic::is_error);
            let path = if file.is_empty() { folder.join(KNOWLEDGE_DIR) } else { file.into() };
            (path, errors, warnings)
        })
        .collect()
}

/// The references into the knowledge base of the scenario read from
/// `path`; nothing for a scenario without work-order or notice truth.
pub(crate) fn scenario_references(path: &Path, scenario: &Scenario, load: &KnowledgeLoad) -> Vec<Diagnostic> {
    if scenario.work_order.is_none() && scenario.notice.is_none() {
        return Vec::new();
    }
    // Reading the file again only to place the findings: this runs for
    // the few scenarios with truth, once per load.
    let source = std::fs::read_to_string(path).unwrap_or_default();
    references(scenario, &source, &path.to_string_lossy(), &load.base, load.present)
}

fn locate(d: Diagnostic, source: &str, words: &[&str]) -> Diagnostic {
    let mut from = 0;
    let mut found = None;
    for w in words {
        if let Some(at) = source.get(from..).and_then(|r| r.find(w)) {
            from += at;
            found = Some(from);
        }
    }
    let Some(offset) = found else { return d };
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    d.at(source, line, column)
}

/// The scenario's references into `base`: work-order knowledge entries and
/// category, the notice's entries, follow-on matters and materials.
pub(crate) fn references(s: &Scenario, source: &str, file: &str, base: &KnowledgeBase, present: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let ids: Vec<&str> = base.ids().collect();
    let entry_ref = |out: &mut Vec<Diagnostic>, id: &str, path: String, section: &str| {
        if base.entry(id).is_some() {
            return;
        }
        let quoted = format!("\"{id}\"");
        if !present {
            out.push(
                locate(Diagnostic::warning("no-knowledge-base", file, format!("the scenario names the knowledge entry \"{id}\" but there is no knowledge folder")), source, &[section, &quoted])
                    .path(path)
                    .zh(
                        format!("场景引用了知识库条目 \"{id}\"，但没有知识库文件夹"),
                        Some("把知识库文件放在场景文件旁边的 knowledge/ 文件夹里（见 docs/knowledge-base.md）".into()),
                    )
                    .help("put the knowledge files in knowledge/ beside the scenario files (see docs/knowledge-base.md)"),
            );
            return;
        }
        let (help, help_zh) = match closest(id, ids.iter().copied()) {
            Some(near) => (format!("did you mean \"{near}\"?"), format!("是不是想写 \"{near}\"？")),
            None => ("add the entry to a file in knowledge/, or fix the id".into(), "把这个条目加进 knowledge/ 里的某个文件，或者改正编号".into()),
        };
        out.push(
            locate(Diagnostic::error("unknown-entry", file, format!("no knowledge entry has the id \"{id}\"")), source, &[section, &quoted])
                .path(path)
                .zh(format!("没有哪个知识库条目的编号是 \"{id}\""), Some(help_zh))
                .help(help),
        );
    };
    if let Some(truth) = &s.work_order {
        for (i, id) in truth.knowledge.iter().enumerate() {
            entry_ref(&mut out, id, format!("work_order.knowledge[{i}]"), "work_order");
        }
        let quoted = format!("\"{}\"", truth.category);
        match &base.categories {
            None if present => out.push(
                locate(Diagnostic::warning("no-category-tree", file, "the work order names a category but the knowledge folder has no categories.ron"), source, &["work_order", "category"])
                    .path("work_order.category")
                    .zh("标准工单写了分类，但知识库文件夹里没有 categories.ron", None),
            ),
            None => out.push(
                locate(Diagnostic::warning("no-category-tree", file, "the work order names a category but there is no knowledge folder with categories.ron"), source, &["work_order", "category"])
                    .path("work_order.category")
                    .zh(
                        "标准工单写了分类，但没有带 categories.ron 的知识库文件夹",
                        Some("把分类表放在场景文件旁边的 knowledge/categories.ron".into()),
                    )
                    .help("put the category tree in knowledge/categories.ron beside the scenario files"),
            ),
            Some(tree) if tree.find(&truth.category).is_none() => {
                let all: Vec<&str> = tree.flatten().into_iter().map(|(c, _)| c.id.as_str()).collect();
                let (help, help_zh) = match closest(&truth.category, all.iter().copied()) {
                    Some(near) => (format!("did you mean \"{near}\"?"), format!("是不是想写 \"{near}\"？")),
                    None => ("use an id from knowledge/categories.ron".into(), "用 knowledge/categories.ron 里的编号".into()),
                };
                out.push(
                    locate(Diagnostic::error("unknown-category", file, format!("the category tree has no category \"{}\"", truth.category)), source, &["work_order", &quoted])
                        .path("work_order.category")
                        .zh(format!("分类表里没有类目 \"{}\"", truth.category), Some(help_zh))
                        .help(help),
                );
            }
            Some(_) => {}
        }
    }
    if let Some(notice) = &s.notice {
        for (i, id) in notice.entries.iter().enumerate() {
            entry_ref(&mut out, id, format!("notice.entries[{i}]"), "notice");
        }
        for (i, id) in notice.follow_on.iter().enumerate() {
            entry_ref(&mut out, id, format!("notice.follow_on[{i}]"), "notice");
        }
        let materials: Vec<&str> = notice.entries.iter().filter_map(|id| base.entry(id)).flat_map(|e| e.materials.iter().map(|m| m.zh.as_str())).collect();
        for (i, m) in notice.not_needed.iter().enumerate() {
            if present && !materials.contains(&m.as_str()) {
                let (help, help_zh) = match closest(m, materials.iter().copied()) {
                    Some(near) => (
                        format!("did you mean \"{near}\"? Write the material as the entry has it"),
                        format!("是不是想写 \"{near}\"？材料要照条目里的写法抄"),
                    ),
                    None => (
                        "name a material of the notice's entries, as the entry writes it".into(),
                        "写告知单所用条目里的某一项材料，照条目里的写法抄".into(),
                    ),
                };
                out.push(
                    locate(Diagnostic::error("unknown-material", file, format!("none of the notice's entries lists the material \"{m}\"")), source, &["notice", "not_needed"])
                        .path(format!("notice.not_needed[{i}]"))
                        .zh(format!("告知单用到的条目里，没有哪条列了材料 \"{m}\""), Some(help_zh))
                        .help(help),
                );

            }
        }
    }
    out
}

/// What an operator has at hand beside a call from one scenario folder:
/// the knowledge base with its search index, the category tree, and the
/// city profile's rules the time limits come from. Loaded once per folder
/// by whoever shows a work order (the app, `counterpart play`).
#[derive(Debug, Clone, Default)]
pub struct Desk {
    pub base: KnowledgeBase,
    pub profile: Option<crate::scenario::model::CityProfile>,
    pub index: crate::knowledge::search::SearchIndex,
}

impl Desk {
    /// The desk of the folder holding `scenario_file`. A missing or broken
    /// knowledge folder or profile gives an emptier desk, never an error:
    /// the library screen already shows those files as failed.
    pub fn for_file(scenario_file: &Path) -> Desk {
        let city = crate::library::city::CityRules::for_file(scenario_file);
        let folder = scenario_file.parent().unwrap_or(Path::new("."));
        let base = knowledge_for_folder(folder, &city).base;
        let profile = match city {
            CityRules::Loaded { profile, .. } => Some(profile),
            _ => None,
        };
        let index = crate::knowledge::search::SearchIndex::new(&base.entries);
        Desk { base, profile, index }
    }

    pub fn context<'a>(&'a self, segmenter: &'a crate::knowledge::text::Segmenter) -> crate::workorder::score::WorkOrderContext<'a> {
        crate::workorder::score::WorkOrderContext { categories: self.base.categories.as_ref(), profile: self.profile.as_ref(), segmenter }
    }

    /// The city rules a work order's time limit is picked from: the
    /// hotline's own (ids starting `hotline-`), or every rule when the
    /// profile has none of those.
    pub fn time_limits(&self) -> Vec<&crate::scenario::model::LocalRule> {
        let Some(profile) = &self.profile else { return Vec::new() };
        let hotline: Vec<_> = profile.rules.iter().filter(|r| r.id.starts_with("hotline-")).collect();
        if hotline.is_empty() { profile.rules.iter().collect() } else { hotline }
    }
}

#[cfg(test)]
mod desk_tests {
    use super::*;

    #[test]
    fn the_bundled_folder_gives_a_desk_with_entries_categories_and_hotline_limits() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/hotline-water-outage.ron");
        let desk = Desk::for_file(&file);
        assert!(desk.base.entry("water-outage-repair").is_some());
        assert!(desk.base.categories.as_ref().is_some_and(|t| t.find("urban-water").is_some()));
        let limits = desk.time_limits();
        assert!(limits.iter().any(|r| r.id == "hotline-utilities-response"));
        assert!(limits.iter().all(|r| r.id.starts_with("hotline-")));
        let seg = crate::knowledge::text::Segmenter::new();
        assert_eq!(desk.index.search("gjj", &seg, 5).first().map(|h| h.id.as_str()), Some("provident-fund-rent-withdrawal"));
        // A file with no folder around it: an empty desk, no error.
        let lone = Desk::for_file(Path::new("/nonexistent/x.ron"));
        assert!(lone.base.entries.is_empty() && lone.profile.is_none() && lone.time_limits().is_empty());
    }
}
