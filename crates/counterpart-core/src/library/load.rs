//! Reading scenario files into the library: each file is read and decoded
//! once, validated once, and keeps the script and the analyses validation
//! made. Nothing here panics on any input, and a broken file never stops
//! the others in a folder from loading.

pub use crate::library::file::LoadedFile;
use crate::library::city::{CityRules, PROFILE_PATH};
use crate::library::validate::check;
use crate::scenario::diag::Diagnostic;
use crate::scenario::parse::{MAX_FILE_BYTES, decode, parse_scenario, too_large};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Loads, validates and resolves one file.
pub fn load_file(path: &Path) -> LoadedFile {
    load_file_in(path, &CityRules::for_file(path))
}

/// `load_file` with the city profile of the file's folder already read.
pub(crate) fn load_file_in(path: &Path, city: &CityRules) -> LoadedFile {
    let file = display_path(path);
    let fail = |d: Diagnostic| LoadedFile::failed(path, vec![d]);
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => return fail(too_large(&file, meta.len())),
        Ok(_) => {}
        Err(e) => return fail(Diagnostic::error("unreadable", &file, format!("cannot read the file: {e}")).zh(format!("无法读取文件：{e}"), None)),
    }
    match std::fs::read(path) {
        Ok(bytes) => load_bytes_in(&bytes, path, city),
        Err(e) => fail(Diagnostic::error("unreadable", &file, format!("cannot read the file: {e}")).zh(format!("无法读取文件：{e}"), None)),
    }
}

/// Loads, validates and resolves scenario bytes labelled with `path`.
pub fn load_bytes(bytes: &[u8], path: &Path) -> LoadedFile {
    load_bytes_in(bytes, path, &CityRules::for_file(path))
}

/// `load_bytes` with the city profile of the file's folder already read.
pub(crate) fn load_bytes_in(bytes: &[u8], path: &Path, city: &CityRules) -> LoadedFile {
    let file = display_path(path);
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return LoadedFile::failed(path, vec![too_large(&file, bytes.len() as u64)]);
    }
    let parsed = decode(bytes, &file).and_then(|source| Ok((parse_scenario(source, &file)?, source)));
    let (scenario, source) = match parsed {
        Ok(ok) => ok,
        Err(d) => return LoadedFile::failed(path, vec![d]),
    };
    let checked = check(scenario, source, &file, Some(city));
    let (errors, warnings): (Vec<_>, Vec<_>) = checked.findings.into_iter().partition(Diagnostic::is_error);
    match checked.script {
        Some(script) if errors.is_empty() => LoadedFile {
            path: path.to_path_buf(),
            outcome: Ok(script),
            warnings,
            analyses: checked.analyses.map(|a| a.map(Arc::from)),
        },
        _ => LoadedFile { path: path.to_path_buf(), outcome: Err(errors), warnings, analyses: None },
    }
}

/// The `.ron` files of a folder, sorted by name; a file path is itself.
pub(crate) fn scenario_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    Ok(files)
}

/// Loads every scenario under `paths` (files or folders). Each file stands
/// alone; of files sharing a scenario id one is used and the others say
/// which and why (`reject_duplicate_ids`).
/// `f` over `items` on every core, results in the order of `items`.
/// Validation analyses every persona of a scenario, and a library of forty
/// is loaded before the first frame: two cores halve the wait.
pub(crate) fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len()).max(1);
    if workers == 1 {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| scope.spawn(move || items.iter().enumerate().skip(w).step_by(workers).map(|(i, item)| (i, f(item))).collect::<Vec<_>>()))
            .collect();
        for handle in handles {
            for (i, result) in handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)) {
                slots[i] = Some(result);
            }
        }
    });
    slots.into_iter().map(|r| r.expect("every item was mapped")).collect()
}

pub fn load_all(paths: &[PathBuf]) -> Vec<LoadedFile> {
    load_all_sharing(paths, None)
}

/// `load_all`, where a folder without its own city profile or knowledge
/// folder uses those of `shared` (the bundled library): a trainers' or a
/// shared network folder then checks its scenarios against the same
/// figures and entries as the bundled ones. Findings in the borrowed files
/// are not repeated here; they belong to `shared`'s own load.
pub(crate) fn load_all_sharing(paths: &[PathBuf], shared: Option<&Path>) -> Vec<LoadedFile> {
    let mut loaded = Vec::new();
    for path in paths {
        match scenario_files(path) {
            Ok(files) => {
                let folder = if path.is_file() { path.parent().unwrap_or(Path::new(".")) } else { path.as_path() };
                let city = CityRules::for_folder_or(folder, shared);
                let first = loaded.len();
                loaded.extend(in_parallel(&files, |f| load_file_in(f, &city)));
                // The knowledge folder, once per folder: scenarios' references
                // into it, and its own files' findings when a folder is loaded.
                let home = crate::library::knowledge::knowledge_home(folder, shared);
                let knowledge = crate::library::knowledge::knowledge_for_folder(home, &city);
                for file in &mut loaded[first..] {
                    let found = file.script().map(|s| crate::library::knowledge::scenario_references(&file.path, &s.scenario, &knowledge)).unwrap_or_default();
                    let (errors, warnings): (Vec<_>, Vec<_>) = found.into_iter().partition(Diagnostic::is_error);
                    file.warnings.extend(warnings);
                    if !errors.is_empty() {
                        file.outcome = Err(errors);
                        file.analyses = None;
                    }
                }
                if !path.is_file() && home == folder {
                    for (path, errors, warnings) in crate::library::knowledge::findings_by_file(folder, &knowledge) {
                        loaded.push(LoadedFile { path, outcome: Err(errors), warnings, analyses: None });
                    }
                }
                // A broken profile is shown like a broken scenario file, once.
                let own_profile = folder.join(PROFILE_PATH).exists();
                if let (CityRules::Broken(problems), false, true) = (&city, path.is_file(), own_profile) {
                    loaded.push(LoadedFile::failed(&path.join(PROFILE_PATH), problems.clone()));
                }
            }
            Err(e) => loaded.push(LoadedFile::failed(
                path,
                vec![Diagnostic::error("unreadable", &display_path(path), format!("cannot read the folder: {e}")).zh(format!("无法读取文件夹：{e}"), None)],
            )),
        }
    }
    reject_duplicate_ids(&mut loaded);
    loaded
}

/// Scenario ids shared by two files of one list: one file is used and the
/// others get an error naming it and saying why, so a backup copy never
/// takes the real file's place unnoticed. The file used is, in order: one
/// whose name does not look like a backup copy, the one saved most
/// recently, the first in name order.
pub(crate) fn reject_duplicate_ids(loaded: &mut [LoadedFile]) {
    let mut by_id: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
    for (index, file) in loaded.iter().enumerate() {
        if let Ok(script) = &file.outcome {
            by_id.entry(script.scenario.id.clone()).or_default().push(index);
        }
    }
    let mut shared: Vec<(String, Vec<usize>)> = by_id.into_iter().filter(|(_, files)| files.len() > 1).collect();
    shared.sort_by_key(|(_, files)| files[0]);
    for (id, files) in shared {
        let saved: Vec<Option<std::time::SystemTime>> =
            files.iter().map(|&i| std::fs::metadata(&loaded[i].path).and_then(|m| m.modified()).ok()).collect();
        let backup: Vec<bool> = files.iter().map(|&i| looks_like_backup(&loaded[i].path)).collect();
        let rank = |k: usize| (backup[k], std::cmp::Reverse(saved[k]), k);
        let winner = (0..files.len()).min_by_key(|&k| rank(k)).expect("two or more files");
        let used = display_path(&loaded[files[winner]].path);
        for k in (0..files.len()).filter(|&k| k != winner) {
            let (why, why_zh) = if backup[k] && !backup[winner] {
                ("this file's name looks like a backup copy".to_string(), "这个文件的名字像是备份副本".to_string())
            } else if saved[winner] > saved[k] {
                ("it was saved more recently".to_string(), "它是最近保存的".to_string())
            } else {
                ("it comes first in name order".to_string(), "它在文件名顺序中排在前面".to_string())
            };
            let file = &mut loaded[files[k]];
            let path = display_path(&file.path);
            let mut d = Diagnostic::error(
                "duplicate-scenario-id",
                &path,
                format!("the scenario id \"{id}\" is also the id of {used}, which is used instead of this file: {why}"),
            )
            .zh(
                format!("场景 id \"{id}\" 与 {used} 相同；使用的是 {used}，不是这个文件：{why_zh}"),
                Some("如果这是备份，把它移出场景文件夹（或改成不以 .ron 结尾的名字）；如果是另一个场景，给它换一个 id".into()),
            )
            .path("id")
            .help("if this is a backup, move it out of the scenario folder (or give it a name not ending in .ron); if it is another scenario, give it its own id");
            if let Ok(source) = std::fs::read_to_string(&file.path)
                && let Some((line, column)) = locate_id(&source, &id)
            {
                d = d.at(&source, line, column);
            }
            file.outcome = Err(vec![d]);
            file.analyses = None;
        }
    }
}

/// Where the scenario's `id` is written: the first `id: "…"` with its value.
fn locate_id(source: &str, id: &str) -> Option<(usize, usize)> {
    let quoted = format!("\"{id}\"");
    source.lines().enumerate().find_map(|(n, line)| {
        let at = line.find(&quoted)?;
        let field = line[..at].trim_end().strip_suffix(':')?.trim_end();
        let named_id = field.strip_suffix("id").is_some_and(|before| !before.ends_with(|c: char| c.is_alphanumeric() || c == '_'));
        named_id.then(|| (n + 1, line[..at].chars().count() + 1))
    })
}

/// Whether a file name says it is a copy kept aside: 副本, 备份, backup,
/// bak, copy, old, orig, a trailing ~ or a "(2)" that file managers add.
pub(crate) fn looks_like_backup(path: &Path) -> bool {
    let name = path.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    if ["副本", "备份", "拷贝", "复制", "旧版"].iter().any(|w| name.contains(w)) || name.ends_with('~') {
        return true;
    }
    let numbered = name.trim_end().strip_suffix(')').and_then(|n| n.rsplit_once('(')).is_some_and(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    numbered || name.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| matches!(w, "backup" | "bak" | "copy" | "old" | "orig"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names_are_recognised_and_ordinary_names_are_not() {
        for name in ["x - 副本.ron", "x备份.ron", "x.bak.ron", "x-backup.ron", "copy of x.ron", "x_old.ron", "x (2).ron", "x~.ron", "x.orig.ron"] {
            assert!(looks_like_backup(Path::new(name)), "{name}");
        }
        for name in ["counter-household-register.ron", "hotline-bakery-noise.ron", "x.ron", "x-2.ron", "copyright-office.ron"] {
            assert!(!looks_like_backup(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn the_id_is_located_on_its_own_field() {
        let source = "(\n    start: \"x\",\n    id: \"x\",\n)";
        assert_eq!(locate_id(source, "x"), Some((3, 9)));
    }
}
