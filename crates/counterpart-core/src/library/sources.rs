//! Where scenarios are read from: the bundled library, then any shared
//! folders a centre names in its config file, then the trainers' folder in
//! the user's data directory. A later folder wins when two hold the same
//! scenario id (`Library::from_sources`), so a trainer can replace a
//! bundled scenario without editing the bundled files, and an update that
//! replaces the bundled folder never touches what trainers wrote.
//!
//! Nothing here panics: a config file that cannot be read or parsed is a
//! located diagnostic, and a folder that cannot be read becomes an error
//! card when the library loads it.

use crate::scenario::diag::Diagnostic;
use crate::scenario::model::Text;
use crate::scenario::parse::parse_ron_bytes;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Overrides the trainers' folder (tests, and a centre that keeps it elsewhere).
pub(crate) const TRAINERS_ENV: &str = "COUNTERPART_TRAINER_SCENARIOS";
/// Overrides the config file's path (tests, and a centre's managed install).
pub(crate) const CONFIG_ENV: &str = "COUNTERPART_CONFIG";
/// The trainers' folder's name inside the user's data directory.
pub(crate) const TRAINERS_DIR: &str = "scenarios";
/// The config file's name inside the user's config directory.
pub(crate) const CONFIG_FILE: &str = "config.ron";

/// What kind of folder a scenario came from, in the order they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    /// The scenarios shipped with the app.
    Bundled,
    /// A folder named in the config file, e.g. on a network share.
    Shared,
    /// The trainers' own folder in the user's data directory.
    Trainers,
    /// Not a folder: the config file, when it is broken, so that its
    /// message shows where the library's files do.
    Config,
}

impl SourceKind {
    pub fn label(self) -> Text {
        match self {
            SourceKind::Bundled => Text::new("随附场景库", "bundled library"),
            SourceKind::Shared => Text::new("共享文件夹", "shared folder"),
            SourceKind::Trainers => Text::new("培训师文件夹", "trainers' folder"),
            SourceKind::Config => Text::new("配置文件", "config file"),
        }
    }
}

/// One folder the library reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: SourceKind,
    pub folder: PathBuf,
}

impl Source {
    pub fn new(kind: SourceKind, folder: impl Into<PathBuf>) -> Source {
        Source { kind, folder: folder.into() }
    }
}

/// The config file: `(scenario_folders: ["/mnt/share/scenarios"])`.
/// Unknown fields are errors, so a typo is named instead of ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Extra scenario folders, read after the bundled library and before
    /// the trainers' folder. A relative path is relative to the config file.
    #[serde(default)]
    pub scenario_folders: Vec<PathBuf>,
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "counterpart")
}

/// `$COUNTERPART_TRAINER_SCENARIOS`, else `<data dir>/scenarios`
/// (`~/.local/share/counterpart/scenarios` on Linux). None only when the
/// system names no home directory.
pub(crate) fn trainers_folder() -> Option<PathBuf> {
    env_path(TRAINERS_ENV).or_else(|| project_dirs().map(|d| d.data_dir().join(TRAINERS_DIR)))
}

/// `$COUNTERPART_CONFIG`, else `<config dir>/config.ron`
/// (`~/.config/counterpart/config.ron` on Linux).
pub(crate) fn config_path() -> Option<PathBuf> {
    env_path(CONFIG_ENV).or_else(|| project_dirs().map(|d| d.config_dir().join(CONFIG_FILE)))
}

/// Reads the config file. A missing file is an empty config: most PCs
/// have none. Anything else that goes wrong is a diagnostic naming the file
/// (and the line and column when it is a parse error).
pub(crate) fn read_config(path: &Path) -> Result<Config, Diagnostic> {
    let file = path.to_string_lossy().into_owned();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(Diagnostic::error("unreadable-config", &file, format!("cannot read the config file: {e}")).zh(format!("无法读取配置文件：{e}"), None)),
    };
    let mut config: Config = parse_ron_bytes(&bytes, &file)
        .map_err(|d| Diagnostic {
            code: "broken-config",
            message: format!("the config file is not valid: {}", d.message),
            message_zh: d.message_zh.as_ref().map(|zh| format!("配置文件有误：{zh}")),
            ..d
        })?;
    let base = path.parent().unwrap_or(Path::new("."));
    for folder in &mut config.scenario_folders {
        if folder.is_relative() {
            *folder = base.join(&*folder);
        }
    }
    Ok(config)
}

/// The folders to read, in order, and what went wrong finding them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources {
    pub sources: Vec<Source>,
    /// The trainers' folder, whether or not it exists yet (for the About
    /// view and the docs: where a trainer should put files).
    pub trainers: Option<PathBuf>,
    /// The config file looked for, whether or not it exists.
    pub config: Option<PathBuf>,
    /// A broken config file; its folders are then not read.
    pub problems: Vec<Diagnostic>,
}

/// The bundled library when no folder is given: the installed copy beside
/// the program (`<prefix>/share/counterpart/scenarios` for a program in
/// `<prefix>/bin`, as the Debian package lays it out), else `scenarios/` in
/// the working folder (a checkout).
pub fn bundled_folder() -> PathBuf {
    std::env::current_exe().ok().and_then(|exe| installed_folder(&exe)).unwrap_or_else(|| PathBuf::from("scenarios"))
}

/// The installed library of a program at `exe`, when there is one.
pub(crate) fn installed_folder(exe: &Path) -> Option<PathBuf> {
    let bin = exe.parent()?;
    if bin.file_name()? != "bin" {
        return None;
    }
    let folder = bin.parent()?.join("share").join("counterpart").join("scenarios");
    folder.is_dir().then_some(folder)
}

/// The bundled folder, the config's folders and the trainers' folder, from
/// the environment and the user's directories.
pub fn discover(bundled: &Path) -> Sources {
    discover_with(bundled, trainers_folder(), config_path())
}

/// `discover` with the trainers' folder and the config file given, so that
/// tests never read the real user directories.
pub fn discover_with(bundled: &Path, trainers: Option<PathBuf>, config: Option<PathBuf>) -> Sources {
    let mut sources = vec![Source::new(SourceKind::Bundled, bundled)];
    let mut problems = Vec::new();
    if let Some(path) = &config {
        match read_config(path) {
            // A configured folder is kept even when it is missing: the
            // library then shows that it cannot be read, which is what IT
            // needs to see when a network share is down.
            Ok(config) => sources.extend(config.scenario_folders.into_iter().map(|f| Source::new(SourceKind::Shared, f))),
            Err(d) => problems.push(d),
        }
    }
    // The trainers' folder is optional: until someone creates it there is
    // nothing to read and nothing to report.
    if let Some(folder) = trainers.as_ref().filter(|f| f.is_dir()) {
        sources.push(Source::new(SourceKind::Trainers, folder.clone()));
    }
    // The same folder named twice (the trainers' folder also in the config)
    // is read once, at its first place, or every file would replace itself.
    let mut seen: Vec<PathBuf> = Vec::new();
    sources.retain(|s| {
        let key = std::fs::canonicalize(&s.folder).unwrap_or_else(|_| s.folder.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    Sources { sources, trainers, config, problems }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_installed_program_reads_the_library_under_share() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("usr/bin");
        let library = root.path().join("usr/share/counterpart/scenarios");
        std::fs::create_dir_all(&bin).unwrap();
        assert_eq!(installed_folder(&bin.join("counterpart")), None, "no library installed yet");
        std::fs::create_dir_all(&library).unwrap();
        assert_eq!(installed_folder(&bin.join("counterpart")), Some(library));
        // A build in a checkout's target folder is not installed.
        let target = root.path().join("target/debug");
        std::fs::create_dir_all(&target).unwrap();
        assert_eq!(installed_folder(&target.join("counterpart")), None);
    }

    use super::*;

    #[test]
    fn no_config_and_no_trainers_folder_is_the_bundled_library_alone() {
        let dir = tempfile::tempdir().unwrap();
        let found = discover_with(Path::new("scenarios"), Some(dir.path().join("absent")), Some(dir.path().join("config.ron")));
        assert_eq!(found.sources, vec![Source::new(SourceKind::Bundled, "scenarios")]);
        assert!(found.problems.is_empty());
        assert_eq!(found.trainers, Some(dir.path().join("absent")));
    }

    #[test]
    fn config_folders_come_before_the_trainers_folder_and_relative_paths_follow_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let trainers = dir.path().join("mine");
        std::fs::create_dir(&trainers).unwrap();
        let config = dir.path().join("config.ron");
        // The trainers' folder listed again in the config is read once.
        std::fs::write(&config, format!("(scenario_folders: [\"shared\", {:?}])", trainers)).unwrap();
        let found = discover_with(Path::new("scenarios"), Some(trainers.clone()), Some(config));
        assert!(found.problems.is_empty(), "{:?}", found.problems);
        let kinds: Vec<(SourceKind, PathBuf)> = found.sources.iter().map(|s| (s.kind, s.folder.clone())).collect();
        assert_eq!(
            kinds,
            vec![
                (SourceKind::Bundled, PathBuf::from("scenarios")),
                (SourceKind::Shared, dir.path().join("shared")),
                (SourceKind::Shared, trainers),
            ]
        );
    }

    #[test]
    fn a_broken_config_is_a_located_message_and_the_other_folders_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.ron");
        std::fs::write(&config, "(\n  scenario_foldrs: [],\n)").unwrap();
        let found = discover_with(Path::new("scenarios"), None, Some(config.clone()));
        assert_eq!(found.sources.len(), 1);
        let problem = &found.problems[0];
        assert_eq!(problem.code, "broken-config");
        assert_eq!(problem.line, 2, "{problem:?}");
        assert!(problem.message.contains("scenario_foldrs"), "{}", problem.message);
        assert_eq!(problem.file, config.to_string_lossy());

        std::fs::write(&config, [0xff, 0xfe, 0x00]).unwrap();
        let found = discover_with(Path::new("scenarios"), None, Some(config));
        assert_eq!(found.problems.len(), 1, "bytes that are not text are a message, not a panic");
    }
}
