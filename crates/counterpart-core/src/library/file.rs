//! One file as the library holds it: a playable script with its analyses,
//! or the reasons it cannot be played.

use crate::analysis::analyze::{Analysis, AnalyzeError};
use crate::play::engine::Script;
use crate::scenario::diag::Diagnostic;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One scenario file after loading: a playable script, or the reasons it
/// cannot be played. Warnings never stop a file from loading.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    pub path: PathBuf,
    pub outcome: Result<Arc<Script>, Vec<Diagnostic>>,
    pub warnings: Vec<Diagnostic>,
    /// Every persona's analysis, made while validating; the author view and
    /// the CLI read it instead of analysing again. None when the file did
    /// not load.
    pub analyses: Option<Result<Arc<[Analysis]>, AnalyzeError>>,
}

impl LoadedFile {
    /// A file that cannot be played, for these reasons.
    pub fn failed(path: &Path, errors: Vec<Diagnostic>) -> Self {
        LoadedFile { path: path.to_path_buf(), outcome: Err(errors), warnings: vec![], analyses: None }
    }

    /// The main persona's analysis (`analyses()[0]`).
    pub fn analysis(&self) -> Option<Result<&Analysis, &AnalyzeError>> {
        self.analyses.as_ref().map(|a| a.as_ref().map(|all| &all[0]))
    }

    pub fn script(&self) -> Option<&Arc<Script>> {
        self.outcome.as_ref().ok()
    }

    pub fn errors(&self) -> &[Diagnostic] {
        match &self.outcome {
            Ok(_) => &[],
            Err(errors) => errors,
        }
    }
}

