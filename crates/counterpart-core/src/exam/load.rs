//! Reading exam files: parsed with the same located, plain-worded
//! diagnostics as scenario files, then checked against the library the
//! exam draws from. Nothing here panics on any input, and one broken exam
//! never stops the others from loading.

use crate::exam::{EXAMS_DIR, Exam};
use crate::library::Library;
use crate::library::load::display_path;
use crate::scenario::diag::{Diagnostic, closest};
use crate::scenario::parse::{MAX_FILE_BYTES, decode, parse_ron, too_large};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One exam file: the exam, or why it cannot be used; warnings either way.
#[derive(Debug, Clone)]
pub struct ExamFile {
    pub path: PathBuf,
    pub outcome: Result<Exam, Vec<Diagnostic>>,
    pub warnings: Vec<Diagnostic>,
}

impl ExamFile {
    fn failed(path: &Path, errors: Vec<Diagnostic>) -> ExamFile {
        ExamFile { path: path.to_path_buf(), outcome: Err(errors), warnings: Vec::new() }
    }

    pub fn exam(&self) -> Option<&Exam> {
        self.outcome.as_ref().ok()
    }

    pub fn errors(&self) -> &[Diagnostic] {
        match &self.outcome {
            Ok(_) => &[],
            Err(e) => e,
        }
    }
}

/// The exam files of a scenario folder (`<folder>/exams/*.ron`), sorted by
/// name; none when the folder has no `exams` folder.
pub fn exam_files(folder: &Path) -> Vec<PathBuf> {
    let dir = folder.join(EXAMS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    files
}

/// Loads every exam of a scenario folder against `library`, and marks
/// exam ids used by two files.
pub fn load_folder(folder: &Path, library: &Library) -> Vec<ExamFile> {
    load_paths(&exam_files(folder), library)
}

/// Loads exam files (or folders of them: a folder's `.ron` files) against
/// `library`; an id shared by two files is an error on the later one.
pub fn load_paths(paths: &[PathBuf], library: &Library) -> Vec<ExamFile> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "ron")).collect())
                .unwrap_or_default();
            inside.sort();
            files.extend(inside.iter().map(|p| load_file(p, library)));
        } else {
            files.push(load_file(path, library));
        }
    }
    reject_duplicate_ids(&mut files);
    files
}

/// Reads and checks one exam file.
pub fn load_file(path: &Path, library: &Library) -> ExamFile {
    let file = display_path(path);
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => return ExamFile::failed(path, vec![too_large(&file, meta.len())]),
        Ok(_) => {}
        Err(e) => {
            return ExamFile::failed(
                path,
                vec![Diagnostic::error("unreadable", &file, format!("cannot read the file: {e}")).zh(format!("无法读取文件：{e}"), None)],
            );
        }
    }
    match std::fs::read(path) {
        Ok(bytes) => load_bytes(&bytes, path, library),
        Err(e) => ExamFile::failed(
            path,
            vec![Diagnostic::error("unreadable", &file, format!("cannot read the file: {e}")).zh(format!("无法读取文件：{e}"), None)],
        ),
    }
}

/// Parses and checks exam bytes labelled with `path`.
pub fn load_bytes(bytes: &[u8], path: &Path, library: &Library) -> ExamFile {
    let file = display_path(path);
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return ExamFile::failed(path, vec![too_large(&file, bytes.len() as u64)]);
    }
    let source = match decode(bytes, &file) {
        Ok(s) => s,
        Err(d) => return ExamFile::failed(path, vec![d]),
    };
    let exam: Exam = match parse_ron(source, &file) {
        Ok(e) => e,
        Err(d) => return ExamFile::failed(path, vec![d]),
    };
    let findings = check(&exam, source, &file, library);
    let (errors, warnings): (Vec<_>, Vec<_>) = findings.into_iter().partition(Diagnostic::is_error);
    let outcome = if errors.is_empty() { Ok(exam) } else { Err(errors) };
    ExamFile { path: path.to_path_buf(), outcome, warnings }
}

/// Line and column (1-based, in characters) of the `n`th (1-based)
/// occurrence of `needle` in `source`.
fn nth_line_col(source: &str, needle: &str, n: usize) -> Option<(usize, usize)> {
    let (offset, _) = source.match_indices(needle).nth(n.checked_sub(1)?)?;
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

/// Where a field is written: the first `name:` that is the whole word.
fn field_at(source: &str, name: &str) -> Option<(usize, usize)> {
    source.lines().enumerate().find_map(|(n, line)| {
        let mut from = 0;
        while let Some(at) = line[from..].find(name) {
            let start = from + at;
            let end = start + name.len();
            let word_before = line[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
            let colon_after = line[end..].trim_start().starts_with(':');
            if !word_before && colon_after && !line[..start].contains("//") {
                return Some((n + 1, line[..start].chars().count() + 1));
            }
            from = end;
        }
        None
    })
}

fn located(d: Diagnostic, source: &str, place: Option<(usize, usize)>) -> Diagnostic {
    match place {
        Some((line, column)) => d.at(source, line, column),
        None => d,
    }
}

/// Everything the format cannot catch: the pool against the library, the
/// draw against the pool, time limits, marks and retake rules.
pub fn check(exam: &Exam, source: &str, file: &str, library: &Library) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let field = |d: Diagnostic, name: &str| located(d, source, field_at(source, name));
    if exam.id.is_empty() || !exam.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        out.push(field(
            Diagnostic::error("bad-exam-id", file, format!("the exam id \"{}\" must be lowercase letters, digits and '-'", exam.id))
                .zh(format!("考核 id \"{}\" 只能用小写字母、数字和“-”", exam.id), Some("例如 id: \"new-operator-2026\"".into()))
                .path("id")
                .help("e.g. id: \"new-operator-2026\""),
            "id",
        ));
    }
    if exam.title.zh.trim().is_empty() {
        out.push(field(
            Diagnostic::error("missing-exam-title", file, "the exam has no Chinese title: candidates would see an empty heading")
                .zh("考核没有中文标题：考生会看到空白的标题", None)
                .path("title"),
            "title",
        ));
    } else if exam.title.en.trim().is_empty() {
        out.push(field(
            Diagnostic::warning("missing-translation", file, "the exam title has no English text").zh("考核标题缺少英文", None).path("title.en"),
            "title",
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let ids: Vec<&str> = library.scripts().map(|s| s.scenario.id.as_str()).collect();
    for (i, entry) in exam.pool.iter().enumerate() {
        let occurrence = seen.entry(entry.scenario.as_str()).and_modify(|n| *n += 1).or_insert(1);
        let place = nth_line_col(source, &format!("\"{}\"", entry.scenario), *occurrence);
        if *occurrence > 1 {
            out.push(located(
                Diagnostic::error("duplicate-pool-scenario", file, format!("the scenario \"{}\" is in the pool twice: the draw could give a candidate the same scenario twice", entry.scenario))
                    .zh(format!("场景 \"{}\" 在抽题池里出现了两次：考生可能抽到两道相同的题", entry.scenario), Some("删掉重复的一条；要限定人设，用一条里的 personas".into()))
                    .path(format!("pool[{i}].scenario"))
                    .help("remove the repeated entry; to choose personas, list them in one entry's personas"),
                source,
                place,
            ));
            continue;
        }
        let Some(script) = library.script(&entry.scenario) else {
            let suggestion = closest(&entry.scenario, ids.iter().copied());
            let mut d = Diagnostic::error("unknown-scenario", file, format!("the pool names the scenario \"{}\", which is not in the library", entry.scenario))
                .zh(
                    format!("抽题池里的场景 \"{}\" 不在场景库中", entry.scenario),
                    Some(suggestion.map_or("场景 id 写在场景文件的 id 字段里；`counterpart list` 列出全部场景".to_string(), |s| format!("是不是 \"{s}\"？"))),
                )
                .path(format!("pool[{i}].scenario"));
            d = d.help(suggestion.map_or("a scenario's id is its file's `id` field; `counterpart list` shows them all".to_string(), |s| format!("did you mean \"{s}\"?")));
            out.push(located(d, source, place));
            continue;
        };
        let personas: Vec<String> = script.scenario.citizen.all_personas().into_iter().map(|p| p.id).collect();
        let mut persona_seen: HashMap<&str, usize> = HashMap::new();
        for (k, persona) in entry.personas.iter().enumerate() {
            let twice = *persona_seen.entry(persona.as_str()).and_modify(|n| *n += 1).or_insert(1) > 1;
            let place = nth_line_col(source, &format!("\"{persona}\""), 1);
            if twice {
                out.push(located(
                    Diagnostic::error("duplicate-persona", file, format!("the persona \"{persona}\" is listed twice for \"{}\"", entry.scenario))
                        .zh(format!("人设 \"{persona}\" 在 \"{}\" 下列了两次", entry.scenario), Some("每个人设只列一次".into()))
                        .path(format!("pool[{i}].personas[{k}]"))
                        .help("list each persona once"),
                    source,
                    place,
                ));
            } else if !personas.contains(persona) {
                let list = personas.join(", ");
                out.push(located(
                    Diagnostic::error("unknown-persona", file, format!("the scenario \"{}\" has no persona \"{persona}\"", entry.scenario))
                        .zh(format!("场景 \"{}\" 没有人设 \"{persona}\"", entry.scenario), Some(format!("这个场景的人设：{list}")))
                        .path(format!("pool[{i}].personas[{k}]"))
                        .help(format!("this scenario's personas: {list}")),
                    source,
                    place,
                ));
            }
        }
    }
    let pool = seen.len() as u32;
    if exam.draw == 0 {
        out.push(field(
            Diagnostic::error("zero-draw", file, "the exam draws no scenario: `draw` must be at least 1")
                .zh("考核一道题也不抽：draw 至少为 1", None)
                .path("draw"),
            "draw",
        ));
    } else if exam.draw > pool {
        out.push(field(
            Diagnostic::error("pool-too-small", file, format!("the exam draws {} scenarios but the pool has only {pool}", exam.draw))
                .zh(format!("考核要抽 {} 道题，但抽题池只有 {pool} 个不同的场景", exam.draw), Some("往抽题池里加场景，或减小 draw".into()))
                .path("draw")
                .help("add scenarios to the pool or lower `draw`"),
            "draw",
        ));
    } else if exam.draw == pool && exam.retakes.sittings > 1 {
        out.push(field(
            Diagnostic::warning("no-variety", file, format!("the pool has exactly {pool} scenarios and each candidate draws {}: a re-sit gets the same scenarios again", exam.draw))
                .zh(format!("抽题池正好 {pool} 个场景，每人抽 {} 道：补考时抽到的还是同样的题", exam.draw), Some("往抽题池里多加几个场景".into()))
                .path("draw")
                .help("add more scenarios to the pool"),
            "draw",
        ));
    }
    if exam.time.per_scenario_minutes == 0 {
        out.push(field(
            Diagnostic::error("zero-time-limit", file, "the time limit per scenario is 0 minutes: no candidate could finish")
                .zh("每道题的时限是 0 分钟：没有人能答完", Some("例如 per_scenario_minutes: 12".into()))
                .path("time.per_scenario_minutes")
                .help("e.g. per_scenario_minutes: 12"),
            "per_scenario_minutes",
        ));
    }
    if exam.time.exam_minutes == 0 {
        out.push(field(
            Diagnostic::error("zero-time-limit", file, "the time limit for the whole exam is 0 minutes: no candidate could finish")
                .zh("整场考核的时限是 0 分钟：没有人能答完", Some("例如 exam_minutes: 40".into()))
                .path("time.exam_minutes")
                .help("e.g. exam_minutes: 40"),
            "exam_minutes",
        ));
    } else if exam.time.per_scenario_minutes > 0 && exam.draw > 0 && exam.time.exam_minutes < exam.time.per_scenario_minutes {
        out.push(field(
            Diagnostic::warning("exam-time-short", file, format!(
                "the whole exam has {} minutes, less than the {} allowed for one scenario", exam.time.exam_minutes, exam.time.per_scenario_minutes
            ))
            .zh(format!("整场考核只有 {} 分钟，比一道题的时限 {} 分钟还短", exam.time.exam_minutes, exam.time.per_scenario_minutes), None)
            .path("time.exam_minutes"),
            "exam_minutes",
        ));
    }
    let mark_fields = [("overall", exam.pass.overall), ("each_dimension", exam.pass.each_dimension)];
    for (name, value) in mark_fields {
        if !(0.0..=100.0).contains(&value) || value.is_nan() {
            out.push(field(
                Diagnostic::error("mark-out-of-range", file, format!("the pass mark `{name}` is {value}: scores run from 0 to 100"))
                    .zh(format!("合格分 `{name}` 是 {value}：分数在 0 到 100 之间"), None)
                    .path(format!("pass.{name}")),
                name,
            ));
        }
    }
    for (dim, value) in &exam.pass.dimensions {
        if !(0.0..=100.0).contains(value) || value.is_nan() {
            out.push(field(
                Diagnostic::error("mark-out-of-range", file, format!("the pass mark for {:?} is {value}: scores run from 0 to 100", dim))
                    .zh(format!("{}的合格分是 {value}：分数在 0 到 100 之间", dim.label().zh), None)
                    .path(format!("pass.dimensions.{:?}", dim)),
                "dimensions",
            ));
        }
    }
    if let Some(n) = exam.pass.scenarios {
        if n == 0 || n > exam.draw {
            out.push(field(
                Diagnostic::error("bad-scenarios-to-pass", file, format!("`scenarios: {n}` must be between 1 and the {} drawn", exam.draw))
                    .zh(format!("scenarios: {n} 必须在 1 到抽题数 {} 之间", exam.draw), Some("要求每道题都通过，就不写 scenarios".into()))
                    .path("pass.scenarios")
                    .help("leave `scenarios` out to require every drawn scenario"),
                "scenarios",
            ));
        }
    }
    if exam.retakes.sittings == 0 {
        out.push(field(
            Diagnostic::error("zero-sittings", file, "`sittings: 0` allows no sitting at all; 1 means no retake")
                .zh("sittings: 0 表示一次都不能考；1 表示不能补考", None)
                .path("retakes.sittings"),
            "sittings",
        ));
    }
    out
}

/// An exam id shared by two files: the first in name order is used, the
/// later ones get an error naming it.
fn reject_duplicate_ids(files: &mut [ExamFile]) {
    let mut first: HashMap<String, PathBuf> = HashMap::new();
    for file in files.iter_mut() {
        let Some(id) = file.exam().map(|e| e.id.clone()) else { continue };
        match first.get(&id) {
            None => {
                first.insert(id, file.path.clone());
            }
            Some(used) => {
                let used = display_path(used);
                let path = display_path(&file.path);
                let source = std::fs::read_to_string(&file.path).unwrap_or_default();
                let d = Diagnostic::error("duplicate-exam-id", &path, format!("the exam id \"{id}\" is also the id of {used}, which is used instead of this file"))
                    .zh(format!("考核 id \"{id}\" 与 {used} 相同；使用的是 {used}，不是这个文件"), Some("给这场考核换一个 id；如果是备份，把它移出 exams 文件夹".into()))
                    .path("id")
                    .help("give this exam its own id; if it is a backup, move it out of the exams folder");
                file.outcome = Err(vec![located(d, &source, nth_line_col(&source, &format!("\"{id}\""), 1))]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::load::load_all;

    fn library() -> Library {
        Library::from_files(load_all(&[PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/hotline-water-outage.ron")),
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/hotline-shop-noise.ron"))]))
    }

    const GOOD: &str = r#"(
    id: "t",
    version: 1,
    title: (zh: "测试", en: "Test"),
    pool: [
        (scenario: "hotline-water-outage"),
        (scenario: "hotline-shop-noise"),
    ],
    draw: 1,
    time: (per_scenario_minutes: 10, exam_minutes: 30),
)"#;

    fn errors_of(source: &str) -> Vec<Diagnostic> {
        let f = load_bytes(source.as_bytes(), Path::new("exams/t.ron"), &library());
        f.errors().to_vec()
    }

    #[test]
    fn a_good_exam_loads_with_the_default_marks() {
        let f = load_bytes(GOOD.as_bytes(), Path::new("exams/t.ron"), &library());
        let exam = f.exam().unwrap_or_else(|| panic!("{:?}", f.errors()));
        assert_eq!(exam.pass.overall, 70.0);
        assert_eq!(exam.retakes.sittings, 2);
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }

    #[test]
    fn a_missing_scenario_is_located_on_its_name_with_a_suggestion() {
        let e = errors_of(&GOOD.replace("\"hotline-shop-noise\"", "\"hotline-shop-nose\""));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].code, e[0].line, e[0].column), ("unknown-scenario", 7, 20));
        assert!(e[0].help.as_deref().unwrap().contains("hotline-shop-noise"), "{:?}", e[0].help);
        assert!(e[0].message_zh.is_some());
    }

    #[test]
    fn a_pool_smaller_than_the_draw_and_zero_limits_are_errors() {
        let e = errors_of(&GOOD.replace("draw: 1", "draw: 3").replace("exam_minutes: 30", "exam_minutes: 0"));
        let codes: Vec<_> = e.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(codes, vec![("pool-too-small", 9), ("zero-time-limit", 10)]);
    }

    #[test]
    fn unknown_and_repeated_personas_and_repeated_scenarios_are_errors() {
        let e = errors_of(&GOOD.replace(
            "(scenario: \"hotline-shop-noise\"),",
            "(scenario: \"hotline-shop-noise\", personas: [\"main\", \"zz\"]),\n        (scenario: \"hotline-water-outage\"),",
        ));
        let codes: Vec<_> = e.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["unknown-persona", "duplicate-pool-scenario"], "{e:?}");
        assert_eq!(e[1].line, 8);
    }

    #[test]
    fn an_unknown_field_is_named_in_plain_words() {
        let e = errors_of(&GOOD.replace("draw: 1", "drwa: 1"));
        assert_eq!(e[0].code, "unknown-field");
        assert!(e[0].message.contains("the exam"), "{}", e[0].message);
    }

    #[test]
    fn a_second_file_with_the_same_id_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.ron"), GOOD).unwrap();
        std::fs::write(dir.path().join("b.ron"), GOOD).unwrap();
        let files = load_paths(&[dir.path().to_path_buf()], &library());
        assert!(files[0].exam().is_some());
        assert_eq!(files[1].errors()[0].code, "duplicate-exam-id");
        assert_eq!(files[1].errors()[0].line, 2);
    }

    #[test]
    fn garbage_never_panics() {
        for bytes in [&b""[..], b"\xff\xfe", b"(", b"(id: 5)", b"[[[[[[[["] {
            let f = load_bytes(bytes, Path::new("x.ron"), &library());
            assert!(f.exam().is_none());
        }
    }
}
