//! Knowledge entries and the category tree as trainers write them in RON.
//! Like the scenario model, every struct denies unknown fields so that a
//! misspelt field is reported rather than silently dropped.

use crate::scenario::model::Text;
use serde::{Deserialize, Serialize};

/// One file of `knowledge/`: any number of entries, so that a centre can
/// keep one file per department or one per entry as it prefers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeFile {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntryKind {
    /// 政策: what the rule is and who it applies to.
    Policy,
    /// 办事指南: how to get it done — materials, steps, time limits.
    Guide,
}

impl EntryKind {
    pub fn label(self) -> Text {
        match self {
            EntryKind::Policy => Text::new("政策", "Policy"),
            EntryKind::Guide => Text::new("办事指南", "Procedure guide"),
        }
    }
}

/// A policy or procedure, as an operator reads it out and a clerk hands it
/// over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Unique in the library; scenarios name entries by it.
    pub id: String,
    pub kind: EntryKind,
    pub title: Text,
    pub summary: Text,
    /// 申请材料, one item each, as the notice lists them.
    #[serde(default)]
    pub materials: Vec<Text>,
    /// 办理流程, in order.
    #[serde(default)]
    pub steps: Vec<Text>,
    /// 办理时限 as said to the citizen ("受理后7个工作日内办结").
    #[serde(default)]
    pub time_limits: Vec<Text>,
    /// Ids of the city profile's rules the time limits state, so that a
    /// change of city figures reaches the knowledge base too.
    #[serde(default)]
    pub local_rules: Vec<String>,
    /// 承办单位 / 办理部门.
    pub handling_unit: Text,
    /// Where the entry comes from: a regulation, the department's guide.
    pub source: Text,
    /// Extra words a searcher might type: 俗称, abbreviations, old names.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A category id from the category tree.
    #[serde(default)]
    pub category: Option<String>,
    /// Entries for matters that usually follow this one (tax registration
    /// after a business licence), for the full-chain notice.
    #[serde(default)]
    pub follow_on: Vec<String>,
}

/// The work-order categories, after the top levels of the national 12345
/// classification; `knowledge/categories.ron`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryTree {
    /// Where the tree comes from, for the trainer reading the file.
    #[serde(default)]
    pub note: Text,
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Unique in the tree, e.g. "urban-utilities-water".
    pub id: String,
    pub name: Text,
    #[serde(default)]
    pub children: Vec<Category>,
}

impl CategoryTree {
    /// Every category with its path of ancestors' ids (root first), depth
    /// first in file order.
    pub fn flatten(&self) -> Vec<(&Category, Vec<&str>)> {
        fn walk<'a>(c: &'a Category, above: &mut Vec<&'a str>, out: &mut Vec<(&'a Category, Vec<&'a str>)>) {
            out.push((c, above.clone()));
            above.push(&c.id);
            for child in &c.children {
                walk(child, above, out);
            }
            above.pop();
        }
        let mut out = Vec::new();
        for c in &self.categories {
            walk(c, &mut Vec::new(), &mut out);
        }
        out
    }

    pub fn find(&self, id: &str) -> Option<&Category> {
        self.flatten().into_iter().map(|(c, _)| c).find(|c| c.id == id)
    }

    /// The ids from the root down to `id` (inclusive), if it is in the tree.
    pub(crate) fn path_to(&self, id: &str) -> Option<Vec<&str>> {
        self.flatten().into_iter().find(|(c, _)| c.id == id).map(|(c, mut above)| {
            above.push(&c.id);
            above
        })
    }

    /// The category names from the root down, "城乡建设 / 供水".
    pub fn display_path(&self, id: &str) -> Option<Text> {
        let ids = self.path_to(id)?;
        let names: Vec<&Category> = ids.iter().filter_map(|i| self.find(i)).collect();
        let join = |f: fn(&Text) -> &str| names.iter().map(|c| f(&c.name)).collect::<Vec<_>>().join(" / ");
        Some(Text::new(join(|t| &t.zh), join(|t| &t.en)))
    }
}

/// Every entry of a library's knowledge folder, in file order, with the
/// file each came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KnowledgeBase {
    pub entries: Vec<Entry>,
    /// `files[i]` is the file `entries[i]` was read from.
    pub files: Vec<String>,
    pub categories: Option<CategoryTree>,
}

impl KnowledgeBase {
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }
}
