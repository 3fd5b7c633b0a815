//! About screen: opened with F1 or the top bar's button from any screen but
//! an encounter or a drill in progress (leaving those would stop a clock a
//! trainee or a class is being timed by); Back returns to where it was.

use super::{Screen, UiSet, back_on};
use crate::app::session::Scenarios;
use crate::app::settings::{Records, Settings, export_root};
use crate::app::views::about::{AboutAction, AboutVm, AssetLicence, FONT_LICENCE, PlaceRow, about_view};
use crate::app::views::tr;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use counterpart_core::library::load::display_path;
use counterpart_core::library::sources::{SourceKind, Sources};
use counterpart_core::records::store::Store;
use counterpart_core::scenario::model::Lang;
use std::path::Path;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<AboutState>();
    app.add_systems(EguiPrimaryContextPass, back.in_set(UiSet::Back));
    app.add_systems(EguiPrimaryContextPass, ui.in_set(UiSet::Screen).run_if(in_state(Screen::About)));
}

/// The screen About was opened from, for Back.
#[derive(Resource, Debug, Default)]
pub struct AboutState {
    pub return_to: Screen,
}

/// Whether About may be opened from `screen`.
pub fn can_open_from(screen: Screen) -> bool {
    !matches!(screen, Screen::About | Screen::Encounter | Screen::Drill)
}

fn back(mut messages: MessageReader<super::Back>, current: Res<State<Screen>>, state: Res<AboutState>, mut next: ResMut<NextState<Screen>>) {
    if back_on(Screen::About, &mut messages, &current) {
        next.set(state.return_to);
    }
}

fn folder_note(lang: Lang, path: &Path) -> Option<String> {
    (!path.is_dir()).then(|| tr(lang, "（尚未创建）", "(not created yet)").to_string())
}

/// The About view's data. `records_path` is the database in use (None
/// when it could not be opened; `problem` says why).
pub fn about_vm(lang: Lang, sources: &Sources, records_path: Option<&Path>, problem: Option<&str>, exports: Option<&Path>) -> AboutVm {
    let db = records_path.map_or_else(Store::default_path, Path::to_path_buf);
    let mut storage = vec![PlaceRow {
        what: tr(lang, "练习记录、学员档案与设置", "Records, trainee profiles and settings").into(),
        path: display_path(&db),
        note: match problem {
            Some(p) => Some(format!("{}{p}", tr(lang, "无法打开，本次不保存：", "cannot be opened, nothing is saved this session: "))),
            None => Some(tr(lang, "一个 SQLite 文件；语言和文字大小也存在这里", "one SQLite file; language and text size are kept in it too").into()),
        },
        problem: problem.is_some(),
    }];
    if let Some(exports) = exports {
        storage.push(PlaceRow { what: tr(lang, "导出的报告", "Exported reports").into(), path: display_path(exports), note: None, problem: false });
    }
    let mut folders: Vec<PlaceRow> = sources
        .sources
        .iter()
        .map(|s| PlaceRow {
            what: s.kind.label().get(lang).to_string(),
            path: display_path(&s.folder),
            note: (!s.folder.is_dir()).then(|| tr(lang, "无法读取", "cannot be read").to_string()),
            problem: !s.folder.is_dir(),
        })
        .collect();
    if let Some(trainers) = &sources.trainers
        && !sources.sources.iter().any(|s| s.kind == SourceKind::Trainers)
    {
        folders.push(PlaceRow {
            what: SourceKind::Trainers.label().get(lang).to_string(),
            path: display_path(trainers),
            note: folder_note(lang, trainers).map(|n| {
                format!("{n} {}", tr(lang, "创建后重启本程序即可读取", "create it and restart the app to read it"))
            }),
            problem: false,
        });
    }
    if let Some(config) = &sources.config {
        let (note, problem) = match sources.problems.first() {
            Some(d) => (format!("{}: {}", d.location(), d.message_in(lang)), true),
            None if config.is_file() => (tr(lang, "可在其中列出共享文件夹", "may list shared folders").to_string(), false),
            None => (tr(lang, "（没有，不是必需的）可在其中列出共享文件夹", "(none; optional) may list shared folders").to_string(), false),
        };
        folders.push(PlaceRow { what: SourceKind::Config.label().get(lang).to_string(), path: display_path(config), note: Some(note), problem });
    }
    AboutVm {
        lang,
        version: env!("CARGO_PKG_VERSION").to_string(),
        assets: vec![AssetLicence {
            name: tr(lang, "字体 Noto Sans CJK SC（子集）", "Font: Noto Sans CJK SC (subset)").into(),
            licence: tr(lang, "© Adobe，SIL 开放字体许可 1.1（OFL）", "© Adobe, SIL Open Font License 1.1 (OFL)").into(),
            text: Some(FONT_LICENCE.to_string()),
        }],
        storage,
        folders,
    }
}

fn ui(
    mut contexts: EguiContexts,
    content: Res<super::ContentRect>,
    scenarios: Res<Scenarios>,
    records: Res<Records>,
    settings: Res<Settings>,
    state: Res<AboutState>,
    mut next: ResMut<NextState<Screen>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let store = records.store();
    let exports = store.map(export_root);
    let vm = about_vm(settings.lang, &scenarios.sources, store.map(Store::path), records.problem.as_ref().map(|p| p.get(settings.lang)), exports.as_deref());
    let action = egui::CentralPanel::default().show(&mut super::root_ui(ctx, content.0, "screen"), |ui| about_view(ui, &vm)).inner;
    if action == Some(AboutAction::Back) {
        next.set(state.return_to);
    }
    Ok(())
}
