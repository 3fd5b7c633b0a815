//! Text as people type it: full-width and half-width forms, digits written
//! as Chinese numerals, spaces and punctuation. Everything here compares
//! what was typed with what was said, leniently and deterministically.
//! Segmentation is jieba's (its dictionary is compiled into the crate);
//! pinyin initials come from the `pinyin` crate's tables, heteronyms
//! included.

use jieba_rs::Jieba;
use std::sync::OnceLock;
use pinyin::ToPinyinMulti;

/// Word segmentation with jieba's built-in dictionary. Reading the
/// dictionary takes a few hundred milliseconds and some 33 MB, so it is
/// read the first time text is cut, not when a `Segmenter` is made: a
/// search for pinyin initials or English, a call with no work order and an
/// encounter whose trainee never searches in Chinese never pay for it. The
/// app keeps one for its whole run and hands it to search and scoring;
/// there is no hidden global instance.
#[derive(Default)]
pub struct Segmenter {
    jieba: OnceLock<Jieba>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.jieba.get().is_some() { "Segmenter (dictionary read)" } else { "Segmenter" })
    }
}

impl Segmenter {
    pub fn new() -> Segmenter {
        Segmenter::default()
    }

    /// Reads the dictionary now if it has not been read (benchmarks time
    /// it apart from the searches).
    pub fn prepare(&self) {
        self.jieba();
    }

    /// Whether the dictionary has been read.
    pub fn is_prepared(&self) -> bool {
        self.jieba.get().is_some()
    }

    fn jieba(&self) -> &Jieba {
        self.jieba.get_or_init(Jieba::new)
    }

    /// The words of `text`, as jieba cuts them (HMM on, so that names and
    /// place names missing from the dictionary still come out as words).
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba().cut(text, true).into_iter().map(|t| t.word).collect()
    }

    /// Words with jieba's part-of-speech tags (`t` time, `ns` place, `nr`
    /// person, `v` verb, `m` numeral...).
    pub(crate) fn tagged<'a>(&'a self, text: &'a str) -> Vec<(&'a str, &'a str)> {
        self.jieba().tag(text, true).into_iter().map(|t| (t.word, t.tag)).collect()
    }

    /// The content words of `text`: what is left after dropping
    /// punctuation, particles and the like, for matching facts in free text.
    pub(crate) fn content_words(&self, text: &str) -> Vec<String> {
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

/// Full-width forms to half-width, ASCII to lower case, and numbers
/// written with Chinese numerals to digits, read as people say them:
/// digit by digit on the phone ("一三八" → "138"), with units ("二十三" →
/// "23", "三百零五" → "305"), the spoken short forms ("一千五" → "1500",
/// "两万六" → "26000") and digits mixed with units ("2万" → "20000",
/// "2.6万" → "26000", "1千5" → "1500"). Both sides of every comparison
/// go through this, so a word that merely contains a numeral (一起) is
/// changed alike on both sides.
pub(crate) fn normalize(text: &str) -> String {
    let mut half = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        half.extend(c.to_lowercase());
    }
    let chars: Vec<char> = half.chars().collect();
    let mut out = String::with_capacity(half.len());
    let mut i = 0;
    while i < chars.len() {
        let (end, chinese) = number_run_end(&chars, i);
        if chinese {
            out.push_str(&number_run(&chars[i..end]));
            i = end;
        } else if end > i {
            // ASCII digits alone are kept, and skipped whole so that a long
            // string of digits is scanned once.
            out.extend(&chars[i..end]);
            i = end;
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
/// share. 号 and 楼 make a building only when written together: in
/// "18号，楼下" the 18 is a house number and 楼下 is downstairs, so the
/// building forms are merged before the punctuation between them is
/// dropped.
pub fn compact(text: &str) -> String {
    let merged = normalize(text).replace("号楼", "栋").replace('幢', "栋").replace('座', "栋");
    merged.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The ASCII digits of `text` after normalising, in order.
pub fn digits(text: &str) -> String {
    normalize(text).chars().filter(char::is_ascii_digit).collect()
}

/// The Chinese digits; 幺 is how 1 is read out on the phone.
fn chinese_digit(c: char) -> Option<u32> {
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
        _ => return None,
    })
}

/// The unit characters, which make a number positional.
fn chinese_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' => 10_000,
        '亿' => 100_000_000,
        _ => return None,
    })
}

fn is_chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || chinese_unit(c).is_some()
}

/// Where the run of digits and numerals starting at `chars[start]` ends
/// (`start` when none starts there), and whether it has a Chinese numeral
/// in it: only those are read as numbers, ASCII digits alone being left
/// as they are. A decimal point counts only between two ASCII digits
/// ("2.6万").
fn number_run_end(chars: &[char], start: usize) -> (usize, bool) {
    let mut i = start;
    let mut chinese = false;
    while i < chars.len() {
        let c = chars[i];
        let point = c == '.' && i > start && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !(is_chinese_numeral(c) || c.is_ascii_digit() || point) {
            break;
        }
        chinese |= is_chinese_numeral(c);
        i += 1;
    }
    (i, chinese)
}

/// One run of numerals as digits; a run that does not read as one number
/// ("三二十") is left as written.
fn number_run(run: &[char]) -> String {
    let has_unit = run.iter().any(|&c| chinese_unit(c).is_some());
    if !has_unit {
        // Read out digit by digit: 一三八 → 138 (ASCII digits kept).
        return run.iter().map(|&c| chinese_digit(c).and_then(|d| char::from_digit(d, 10)).unwrap_or(c)).collect();
    }
    let as_written = || run.iter().collect::<String>();
    match positional_value(run) {
        Some(v) => v.to_string(),
        None => as_written(),
    }
}

/// The run with every digit as a Chinese one, for the crate: ASCII digits
/// one by one (so "三千12" becomes 三千一二, which reads as no number and
/// is left alone) and 幺 as 一.
fn as_chinese(part: &[char]) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    part.iter().map(|&c| if c == '幺' { '一' } else if let Some(d) = c.to_digit(10) { DIGITS[d as usize] } else { c }).collect()
}

/// The value of a positional run. The Chinese part is read by the
/// `chinese-number` crate, which knows the spoken short forms (一千五 is
/// 1500, 三万四 is 34000); what it does not cover is a leading number in
/// ASCII digits before the first unit ("2万", "15万", "2.6万"), worked
/// out here: that number times the unit, plus the rest read as a number
/// below the unit, a single digit after the unit counting one place down
/// as in speech ("2万6" is 26000).
fn positional_value(run: &[char]) -> Option<u64> {
    use chinese_number::{ChineseCountMethod, ChineseToNumber};
    let lead_len = run.iter().take_while(|c| c.is_ascii_digit() || **c == '.').count();
    let parse = |part: &[char]| -> Option<u64> { as_chinese(part).to_number(ChineseCountMethod::TenThousand).ok() };
    if lead_len == 0 {
        return parse(run);
    }
    let unit = chinese_unit(*run.get(lead_len)?)?;
    let lead: String = run[..lead_len].iter().collect();
    let lead_value = match lead.split_once('.') {
        None => lead.parse::<u64>().ok()?.checked_mul(unit)?,
        Some((int, frac)) => {
            let scale = 10u64.checked_pow(frac.len() as u32)?;
            let whole = int.parse::<u64>().ok()?.checked_mul(scale)?.checked_add(frac.parse::<u64>().ok()?)?.checked_mul(unit)?;
            // 2.6万 is exact; 2.65千 is no whole number and stays as written.
            if whole % scale != 0 {
                return None;
            }
            whole / scale
        }
    };
    let rest = &run[lead_len + 1..];
    let rest_value = match rest {
        [] => 0,
        [d] => {
            let d = chinese_digit(*d).map(u64::from).or_else(|| d.to_digit(10).map(u64::from))?;
            d * (unit / 10)
        }
        _ => {
            let v = parse(rest)?;
            // 2万3千 is 23000; 2万3万 is no number.
            if v >= unit {
                return None;
            }
            v
        }
    };
    if lead.contains('.') && rest_value != 0 {
        return None;
    }
    lead_value.checked_add(rest_value)
}

/// Letters a → z as bits 0–25.
pub(crate) type Initials = u32;

/// The possible pinyin initials of `c` (every reading of a heteronym), or
/// the letter itself for an ASCII letter; 0 for anything else.
pub(crate) fn initials_of(c: char) -> Initials {
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
pub(crate) fn initials_runs(text: &str) -> Vec<Vec<Initials>> {
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
pub(crate) fn initials_match(runs: &[Vec<Initials>], query: &[u8]) -> Option<(usize, usize)> {
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
pub(crate) fn has_control_chars(text: &str) -> bool {
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

    /// The cases content writers found misread: spoken short forms, digits
    /// with units, approximate counts.
    #[test]
    fn spoken_numbers() {
        assert_eq!(normalize("一千五"), "1500");
        assert_eq!(normalize("两千二"), "2200");
        assert_eq!(normalize("六千二"), "6200");
        assert_eq!(normalize("房租两千二，到手六千二左右"), "房租2200,到手6200左右");
        assert_eq!(normalize("扣一千五刷墙"), "扣1500刷墙");
        assert_eq!(normalize("2万"), "20000");
        assert_eq!(normalize("每人2万多"), "每人20000多");
        assert_eq!(normalize("两万多"), "20000多");
        assert_eq!(normalize("两万六"), "26000");
        assert_eq!(normalize("2万6"), "26000");
        assert_eq!(normalize("2.6万"), "26000");
        assert_eq!(normalize("15万"), "150000");
        assert_eq!(normalize("1千5"), "1500");
        assert_eq!(normalize("一万二"), "12000");
        assert_eq!(normalize("三百五"), "350");
        assert_eq!(normalize("一千零五"), "1005");
        assert_eq!(normalize("十来个工友"), "10来个工友");
        assert_eq!(normalize("二十来分钟"), "20来分钟");
        assert_eq!(normalize("十几个人"), "10几个人");
        assert_eq!(normalize("一个人"), "1个人");
        // Not one number: left as written, alike on both sides.
        assert_eq!(normalize("2.65千"), "2650");
        assert_eq!(normalize("1.25十"), "1.25十");
        assert_eq!(normalize("两万6"), "26000");
        assert_eq!(normalize("2万3千"), "23000");
        assert_eq!(normalize("三千12"), "三千12");
        assert_eq!(normalize("一三八0013"), "1380013");
        assert_eq!(normalize("3.5"), "3.5");
        assert_eq!(normalize("幺三八"), "138");
    }

    #[test]
    fn spoken_amounts_match_their_digits() {
        for (said, typed) in [("一千五", "1500"), ("两千二", "2200元"), ("六千二", "6200"), ("两万", "2万"), ("两万六", "2.6万"), ("十来个", "10来个")] {
            assert!(compact(typed).contains(&compact(said)), "{typed} should hold {said}: {} vs {}", compact(typed), compact(said));
        }
        // And the old misreadings no longer match.
        assert!(!compact("1005").contains(&compact("一千五")));
        assert!(!compact("210000").contains(&compact("2万")));
    }

    /// Against an independent reading: every number below 100 000 000
    /// written out in full (三万零二百零五) and in the spoken short form
    /// where one exists (三万二 for 32000) reads back as its digits.
    #[test]
    fn written_out_numbers_read_back() {
        let digit = |d: u64| ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'][d as usize];
        // Below 10 000, the standard long form.
        fn section(n: u64, digit: &dyn Fn(u64) -> char) -> String {
            let mut out = String::new();
            let mut zero = false;
            for (unit, ch) in [(1000, '千'), (100, '百'), (10, '十'), (1, ' ')] {
                let d = n / unit % 10;
                if d == 0 {
                    zero = !out.is_empty();
                    continue;
                }
                if zero {
                    out.push('零');
                    zero = false;
                }
                out.push(digit(d));
                if ch != ' ' {
                    out.push(ch);
                }
            }
            out
        }
        let mut n: u64 = 1;
        while n < 100_000_000 {
            let (high, low) = (n / 10_000, n % 10_000);
            let mut written = String::new();
            if high > 0 {
                written.push_str(&section(high, &digit));
                written.push('万');
                if low > 0 && low < 1000 {
                    written.push('零');
                }
            }
            written.push_str(&section(low, &digit));
            assert_eq!(normalize(&written), n.to_string(), "{written}");
            n = n * 3 + 7;
        }
        // The spoken short form: a digit after the leading unit counts one
        // place down (一千五 = 1500, 三万二 = 32000), in Chinese digits and
        // in ASCII ones.
        for a in 1..10u64 {
            for b in 1..10u64 {
                for (unit, value) in [('百', 100u64), ('千', 1000), ('万', 10_000)] {
                    let want = (a * value + b * value / 10).to_string();
                    assert_eq!(normalize(&format!("{}{unit}{}", digit(a), digit(b))), want);
                    assert_eq!(normalize(&format!("{a}{unit}{b}")), want);
                }
            }
        }
    }

    #[test]
    fn building_numbers_do_not_span_punctuation() {
        assert_eq!(compact("18号，楼下"), "18号楼下");
        assert!(!compact("幸福里18号，楼下有人施工").contains("18栋"));
        assert_eq!(compact("18号楼下"), "18栋下");
        assert_eq!(compact("3 号楼"), "3栋");
        assert_eq!(compact("3号楼，2单元"), "3栋2单元");
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
