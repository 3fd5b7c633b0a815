//! Text as people type it: full-width and half-width forms, digits written
//! as Chinese numerals, spaces and punctuation. Everything here compares
//! what was typed with what was said, leniently and deterministically.
//! Segmentation is jieba's (its dictionary is compiled into the crate);
//! pinyin initials come from the `pinyin` crate's tables, heteronyms
//! included.

use jieba_rs::Jieba;
use pinyin::ToPinyinMulti;

/// Word segmentation with jieba's built-in dictionary. Building one reads
/// the dictionary (tens of milliseconds), so the app builds it once and
/// hands it to search and scoring; there is no hidden global instance.
pub struct Segmenter {
    jieba: Jieba,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Segmenter")
    }
}

impl Default for Segmenter {
    fn default() -> Self {
        Segmenter::new()
    }
}

impl Segmenter {
    pub fn new() -> Segmenter {
        Segmenter { jieba: Jieba::new() }
    }

    /// The words of `text`, as jieba cuts them (HMM on, so that names and
    /// place names missing from the dictionary still come out as words).
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba.cut(text, true).into_iter().map(|t| t.word).collect()
    }

    /// Finer cuts for search: long words also yield their dictionary parts.
    pub fn search_words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba.cut_for_search(text, true).into_iter().map(|t| t.word).collect()
    }

    /// Words with jieba's part-of-speech tags (`t` time, `ns` place, `nr`
    /// person, `v` verb, `m` numeral...).
    pub fn tagged<'a>(&'a self, text: &'a str) -> Vec<(&'a str, &'a str)> {
        self.jieba.tag(text, true).into_iter().map(|t| (t.word, t.tag)).collect()
    }

    /// The content words of `text`: what is left after dropping
    /// punctuation, particles and the like, for matching facts in free text.
    pub fn content_words(&self, text: &str) -> Vec<String> {
        let normal = normalize(text);
        self.tagged(&normal)
            .into_iter()
            .filter(|(w, tag)| {
                let w = w.trim();
                !w.is_empty()
                    && w.chars().any(char::is_alphanumeric)
                    && !matches!(*tag, "x" | "u" | "uj" | "ul" | "uz" | "ug" | "uv" | "ud" | "y" | "e" | "o" | "c" | "p" | "w")
                    && !STOP_WORDS.contains(&w)
            })
            .map(|(w, _)| w.trim().to_string())
            .collect()
    }
}

/// Words that carry nothing a checker looks for, whatever jieba tags them.
const STOP_WORDS: &[&str] = &["是", "有", "在", "就", "都", "也", "还", "又", "我", "我们", "你", "您", "他", "她", "这", "那", "个", "了", "的", "吧", "呢", "啊"];

/// Full-width forms to half-width, ASCII to lower case, and runs of
/// Chinese numerals to digits ("三栋" → "3栋", "一三八" → "138", "二十三" →
/// "23"). Both sides of every comparison go through this, so a word that
/// merely contains a numeral (一起) is changed alike on both sides.
pub fn normalize(text: &str) -> String {
    let mut half = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        half.extend(c.to_lowercase());
    }
    let mut out = String::with_capacity(half.len());
    let chars: Vec<char> = half.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if numeral_value(chars[i]).is_some() {
            let start = i;
            while i < chars.len() && numeral_value(chars[i]).is_some() {
                i += 1;
            }
            out.push_str(&numerals_to_digits(&chars[start..i]));
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `normalize`, then only letters, digits and Chinese characters, with the
/// usual ways of writing a building number made one ("3号楼", "3幢", "3座"
/// → "3栋"): the form two spellings of the same name, number or address
/// share.
pub fn compact(text: &str) -> String {
    let kept: String = normalize(text).chars().filter(|c| c.is_alphanumeric()).collect();
    kept.replace("号楼", "栋").replace('幢', "栋").replace('座', "栋")
}

/// The ASCII digits of `text` after normalising, in order.
pub fn digits(text: &str) -> String {
    normalize(text).chars().filter(char::is_ascii_digit).collect()
}

/// The unit characters (十 百 千 万) take part in positional numbers; the
/// others are digits. 幺 is how digits are read out on the phone (1).
fn numeral_value(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '幺' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' => 10_000,
        _ => return None,
    })
}

fn numerals_to_digits(run: &[char]) -> String {
    let positional = run.iter().any(|c| matches!(c, '十' | '百' | '千' | '万'));
    if !positional {
        return run.iter().filter_map(|&c| numeral_value(c)).map(|d| char::from_digit(d, 10).unwrap_or('0')).collect();
    }
    // 二十三 = 23, 十二 = 12, 三百零五 = 305, 一万二千 = 12000. A run that
    // does not read as one number (三二十) is left as written.
    let (mut total, mut section, mut digit): (u64, u64, Option<u64>) = (0, 0, None);
    for &c in run {
        let v = numeral_value(c).unwrap_or(0) as u64;
        match v {
            10 | 100 | 1000 => {
                section += digit.take().unwrap_or(1) * v;
            }
            10_000 => {
                total += (section + digit.take().unwrap_or(0)).max(1) * 10_000;
                section = 0;
            }
            // 零 only holds a place (三百零五).
            0 if digit.is_none() => {}
            d => {
                if digit.is_some() {
                    return run.iter().collect();
                }
                digit = Some(d);
            }
        }
    }
    (total + section + digit.unwrap_or(0)).to_string()
}

/// Letters a → z as bits 0–25.
pub type Initials = u32;

/// The possible pinyin initials of `c` (every reading of a heteronym), or
/// the letter itself for an ASCII letter; 0 for anything else.
pub fn initials_of(c: char) -> Initials {
    if c.is_ascii_alphabetic() {
        return 1 << (c.to_ascii_lowercase() as u32 - 'a' as u32);
    }
    let Some(multi) = c.to_pinyin_multi() else { return 0 };
    let mut mask = 0;
    for reading in multi {
        if let Some(first) = reading.plain().chars().next().filter(char::is_ascii_lowercase) {
            mask |= 1 << (first as u32 - 'a' as u32);
        }
    }
    mask
}

/// The initials of each Chinese character (and ASCII letter) of `text`, in
/// order; other characters split the sequence, so an initials query never
/// matches across punctuation or a space.
pub fn initials_runs(text: &str) -> Vec<Vec<Initials>> {
    let mut runs = vec![Vec::new()];
    for c in text.chars() {
        let mask = initials_of(c);
        if mask == 0 {
            if runs.last().is_some_and(|r| !r.is_empty()) {
                runs.push(Vec::new());
            }
        } else if let Some(run) = runs.last_mut() {
            run.push(mask);
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// Where `query` (lowercase ASCII letters) first matches a stretch of
/// consecutive initials in `runs`: (run, offset), or None.
pub fn initials_match(runs: &[Vec<Initials>], query: &[u8]) -> Option<(usize, usize)> {
    if query.is_empty() {
        return None;
    }
    for (r, run) in runs.iter().enumerate() {
        if run.len() < query.len() {
            continue;
        }
        for start in 0..=run.len() - query.len() {
            if query.iter().zip(&run[start..]).all(|(&q, &mask)| mask & (1 << (q - b'a')) != 0) {
                return Some((r, start));
            }
        }
    }
    None
}

/// Characters that no typed field has a reason to hold: control
/// characters other than line breaks and tabs, and the invisible format
/// characters that pasting from chat apps brings along.
pub fn has_control_chars(text: &str) -> bool {
    text.chars().any(|c| (c.is_control() && c != '\n' && c != '\t' && c != '\r') || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_become_digits() {
        assert_eq!(normalize("三栋"), "3栋");
        assert_eq!(normalize("一三八零零一三八零零零"), "13800138000");
        assert_eq!(normalize("幺三八"), "138");
        assert_eq!(normalize("二十三号"), "23号");
        assert_eq!(normalize("十二号楼"), "12号楼");
        assert_eq!(normalize("三百零五室"), "305室");
        assert_eq!(normalize("一万二千"), "12000");
        assert_eq!(normalize("三二十"), "三二十");
    }

    #[test]
    fn full_width_and_case() {
        assert_eq!(normalize("１３８　ＡＢ"), "138 ab");
        assert_eq!(compact("幸福里小区 3号楼，2单元"), "幸福里小区3栋2单元");
        assert_eq!(compact("幸福里三幢"), "幸福里3栋");
        assert_eq!(digits("138-0013 8000"), "13800138000");
    }

    #[test]
    fn initials_with_heteronyms() {
        let runs = initials_runs("住房公积金提取");
        assert!(initials_match(&runs, b"gjj").is_some());
        assert!(initials_match(&runs, b"zfgjj").is_some());
        assert!(initials_match(&runs, b"gjjx").is_none());
        // 行 reads both háng and xíng.
        let runs = initials_runs("银行");
        assert!(initials_match(&runs, b"yh").is_some());
        assert!(initials_match(&runs, b"yx").is_some());
        // Punctuation splits: no match across it.
        assert!(initials_match(&initials_runs("公积，金"), b"gjj").is_none());
    }

    #[test]
    fn control_characters() {
        assert!(has_control_chars("a\u{0007}b"));
        assert!(has_control_chars("a\u{200B}b"));
        assert!(!has_control_chars("第一行\n第二行\t"));
    }

    #[test]
    fn content_words_drop_particles() {
        let seg = Segmenter::new();
        let words = seg.content_words("幸福里小区3栋从昨天早上就停水了");
        assert!(words.iter().any(|w| w.contains("幸福")), "{words:?}");
        assert!(words.iter().any(|w| w == "停水" || w == "停"), "{words:?}");
        assert!(!words.iter().any(|w| w == "了" || w == "就"), "{words:?}");
    }
}
