//! As-you-type search over the knowledge base: Chinese (whole query, or
//! its jieba words), English, and pinyin initials (`gjj` finds 公积金).
//! The index is built once per library; a query is a linear scan over
//! precomputed, normalised fields, which for a few thousand entries is well
//! inside a frame (`benches/knowledge_search.rs`, BENCHMARKS.md) and keeps
//! ranking easy to explain.

use crate::knowledge::model::Entry;
use crate::knowledge::text::{Initials, Segmenter, initials_match, initials_runs, normalize};

/// Where a query part was found, best first: the panel may say why an
/// entry is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Title,
    Keyword,
    Summary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the entry in the slice the index was built from.
    pub entry: usize,
    pub id: String,
    /// Higher is better; only the order means anything.
    pub score: u32,
    /// The best field any part of the query was found in.
    pub field: Field,
}

#[derive(Debug, Clone)]
struct Doc {
    id: String,
    /// Chinese and English title, normalised, on two lines.
    title: String,
    keywords: Vec<String>,
    summary: String,
    title_initials: Vec<Vec<Initials>>,
    keyword_initials: Vec<Vec<Vec<Initials>>>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
}

/// What one part of the query scored in one entry.
const TITLE_WHOLE: u32 = 100;
const TITLE_START: u32 = 20;
const KEYWORD_WHOLE: u32 = 80;
const SUMMARY_WHOLE: u32 = 30;
const TITLE_INITIALS: u32 = 60;
const KEYWORD_INITIALS: u32 = 45;
const TITLE_WORD: u32 = 40;
const KEYWORD_WORD: u32 = 30;
const SUMMARY_WORD: u32 = 10;

/// Longer queries are cut here: nobody types more into a search box, and
/// a pasted page must not stall the frame.
pub(crate) const MAX_QUERY_CHARS: usize = 64;

impl SearchIndex {
    pub fn new(entries: &[Entry]) -> SearchIndex {
        let docs = entries
            .iter()
            .map(|e| {
                let title = format!("{}\n{}", normalize(&e.title.zh), normalize(&e.title.en));
                let keywords: Vec<String> = e.keywords.iter().map(|k| normalize(k)).collect();
                Doc {
                    id: e.id.clone(),
                    title_initials: initials_runs(&normalize(&e.title.zh)),
                    keyword_initials: keywords.iter().map(|k| initials_runs(k)).collect(),
                    summary: format!("{}\n{}", normalize(&e.summary.zh), normalize(&e.summary.en)),
                    title,
                    keywords,
                }
            })
            .collect();
        SearchIndex { docs }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The entries matching every space-separated part of `query`, best
    /// first (ties in file order), at most `limit`. An empty query finds
    /// nothing: the panel shows its own suggestions then.
    pub fn search(&self, query: &str, segmenter: &Segmenter, limit: usize) -> Vec<Hit> {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let query = normalize(&query);
        let parts: Vec<Part> = query.split_whitespace().map(|p| Part::new(p, segmenter)).collect();
        if parts.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut hits: Vec<Hit> = Vec::new();
        for (i, doc) in self.docs.iter().enumerate() {
            let mut total = 0;
            let mut best = Field::Summary;
            let mut all = true;
            for part in &parts {
                match part.score(doc) {
                    Some((score, field)) => {
                        total += score;
                        best = best.min(field);
                    }
                    None => {
                        all = false;
                        break;
                    }
                }
            }
            if all {
                hits.push(Hit { entry: i, id: doc.id.clone(), score: total, field: best });
            }
        }
        // Equal scores: the shorter title first, since it is about the query
        // rather than mentioning it ("住房公积金租房提取" before "企业变更后的
        // 社保和公积金单位信息变更" for `gjj`), then file order.
        let title_len = |hit: &Hit| self.docs[hit.entry].title.chars().count();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(title_len(a).cmp(&title_len(b))).then(a.entry.cmp(&b.entry)));
        hits.truncate(limit);
        hits
    }
}

/// One space-separated part of a query, prepared once per query.
struct Part {
    text: String,
    /// Lowercase ASCII letters only: may be pinyin initials.
    initials: Option<Vec<u8>>,
    /// The jieba words of a Chinese part, when it has more than one.
    words: Vec<String>,
}

impl Part {
    fn new(text: &str, segmenter: &Segmenter) -> Part {
        let initials = text.bytes().all(|b| b.is_ascii_lowercase()).then(|| text.as_bytes().to_vec());
        let words: Vec<String> = if text.chars().any(|c| !c.is_ascii()) {
            let mut words: Vec<String> = segmenter
                .words(text)
                .into_iter()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .map(str::to_string)
                .collect();
            words.dedup();
            if words.len() > 1 { words } else { Vec::new() }
        } else {
            Vec::new()
        };
        Part { text: text.to_string(), initials, words }
    }

    fn score(&self, doc: &Doc) -> Option<(u32, Field)> {
        let mut best: Option<(u32, Field)> = None;
        let offer = |best: &mut Option<(u32, Field)>, score: u32, field: Field| {
            if best.is_none_or(|(s, _)| score > s) {
                *best = Some((score, field));
            }
        };
        if let Some(at) = doc.title.find(&self.text) {
            offer(&mut best, TITLE_WHOLE + if at == 0 { TITLE_START } else { 0 }, Field::Title);
        }
        if doc.keywords.iter().any(|k| k.contains(&self.text)) {
            offer(&mut best, KEYWORD_WHOLE, Field::Keyword);
        }
        if doc.summary.contains(&self.text) {
            offer(&mut best, SUMMARY_WHOLE, Field::Summary);
        }
        if let Some(query) = &self.initials {
            if let Some((run, start)) = initials_match(&doc.title_initials, query) {
                offer(&mut best, TITLE_INITIALS + if run == 0 && start == 0 { TITLE_START } else { 0 }, Field::Title);
            }
            if doc.keyword_initials.iter().any(|runs| initials_match(runs, query).is_some()) {
                offer(&mut best, KEYWORD_INITIALS, Field::Keyword);
            }
        }
        if best.is_none() && !self.words.is_empty() {
            // "公积金 租房提取" typed as one phrase in another order: every
            // word must be somewhere, each scored where it is best found.
            let mut total = 0;
            let mut field = Field::Summary;
            for word in &self.words {
                let (score, f) = if doc.title.contains(word.as_str()) {
                    (TITLE_WORD, Field::Title)
                } else if doc.keywords.iter().any(|k| k.contains(word.as_str())) {
                    (KEYWORD_WORD, Field::Keyword)
                } else if doc.summary.contains(word.as_str()) {
                    (SUMMARY_WORD, Field::Summary)
                } else {
                    return None;
                };
                total += score;
                field = field.min(f);
            }
            offer(&mut best, total / self.words.len() as u32 * 2, field);
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::model::EntryKind;
    use crate::scenario::model::Text;

    fn entry(id: &str, zh: &str, en: &str, keywords: &[&str], summary: &str) -> Entry {
        Entry {
            id: id.into(),
            kind: EntryKind::Guide,
            title: Text::new(zh, en),
            summary: Text::new(summary, ""),
            materials: vec![],
            steps: vec![],
            time_limits: vec![],
            local_rules: vec![],
            handling_unit: Text::new("单位", "Unit"),
            source: Text::new("示例", "Example"),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            category: None,
            follow_on: vec![],
        }
    }

    fn sample() -> Vec<Entry> {
        vec![
            entry("medical", "异地就医备案", "Registering for medical care in another city", &["医保", "异地"], "在外地看病前先备案，按规定报销。"),
            entry("fund", "住房公积金租房提取", "Withdrawing the housing provident fund for rent", &["公积金", "租房"], "无房职工租房可以提取公积金。"),
            entry("permit", "居住证申领", "Applying for a residence permit", &["居住证", "暂住证"], "居住满半年可以申领居住证。"),
        ]
    }

    fn ids(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn chinese_initials_and_english() {
        let seg = Segmenter::new();
        let index = SearchIndex::new(&sample());
        assert_eq!(ids(&index.search("公积金", &seg, 10)), vec!["fund"]);
        assert_eq!(ids(&index.search("gjj", &seg, 10)), vec!["fund"]);
        assert_eq!(ids(&index.search("GJJ", &seg, 10)), vec!["fund"]);
        assert_eq!(ids(&index.search("ＧＪＪ", &seg, 10)), vec!["fund"]);
        assert_eq!(ids(&index.search("jzz", &seg, 10)), vec!["permit"]);
        assert_eq!(ids(&index.search("ydjy", &seg, 10)), vec!["medical"]);
        assert_eq!(ids(&index.search("residence", &seg, 10)), vec!["permit"]);
        // An old name in the keywords.
        assert_eq!(ids(&index.search("暂住证", &seg, 10)), vec!["permit"]);
    }

    #[test]
    fn words_in_another_order_and_several_parts() {
        let seg = Segmenter::new();
        let index = SearchIndex::new(&sample());
        assert_eq!(ids(&index.search("租房公积金", &seg, 10)), vec!["fund"]);
        assert_eq!(ids(&index.search("gjj 租房", &seg, 10)), vec!["fund"]);
        assert!(index.search("gjj 居住", &seg, 10).is_empty());
    }

    #[test]
    fn title_beats_summary_and_order_is_stable() {
        let seg = Segmenter::new();
        let mut entries = sample();
        entries.push(entry("other", "其他事项", "Other", &[], "提到居住证的一段说明。"));
        let index = SearchIndex::new(&entries);
        let hits = index.search("居住证", &seg, 10);
        assert_eq!(ids(&hits), vec!["permit", "other"]);
        assert_eq!(hits[0].field, Field::Title);
        assert_eq!(hits, index.search("居住证", &seg, 10));
    }

    #[test]
    fn the_dictionary_is_read_only_when_a_chinese_query_needs_cutting() {
        // Reading jieba's dictionary costs some 33 MB and a few hundred
        // milliseconds: an encounter whose trainee searches by initials or
        // in English, or not at all, must not pay for it.
        let seg = Segmenter::new();
        let index = SearchIndex::new(&sample());
        for q in ["", "gjj", "GJJ", "ＧＪＪ", "residence permit", "jzz 12"] {
            let _ = index.search(q, &seg, 10);
        }
        assert!(!seg.is_prepared(), "{seg:?} after searches with nothing to cut");
        assert_eq!(ids(&index.search("租房公积金", &seg, 10)), vec!["fund"]);
        assert!(seg.is_prepared());
    }

    #[test]
    fn odd_queries_find_nothing_and_never_panic() {
        let seg = Segmenter::new();
        let index = SearchIndex::new(&sample());
        for q in ["", "   ", "\u{0}\u{7}", "💥", &"公".repeat(10_000), "a", "zzzzzzzz", "(", "\\"] {
            let _ = index.search(q, &seg, 10);
        }
        assert!(index.search("", &seg, 10).is_empty());
        assert!(index.search("公积金", &seg, 0).is_empty());
    }
}
