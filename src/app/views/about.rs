//! About: the version, the licences of what the app bundles, and where it
//! keeps things — records and settings, and the folders scenarios are read
//! from — so that a trainer or a centre's IT can find them without the docs.

use super::widgets::{FAIL, MUTED};
use super::{screen_title, tr};
use bevy_egui::egui::{self, RichText};
use counterpart_core::scenario::model::Lang;

/// The font's licence, shown in full: the font is compiled into the
/// binary, and the OFL asks that its licence travel with it.
pub const FONT_LICENCE: &str = include_str!("../../../assets/fonts/OFL.txt");

/// One bundled asset and its licence.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetLicence {
    pub name: String,
    pub licence: String,
    /// The licence's full text, shown folded.
    pub text: Option<String>,
}

/// One place the app reads or writes, with what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRow {
    /// What lives there ("Records and settings", "Trainers' folder").
    pub what: String,
    pub path: String,
    /// A note such as "not created yet" or a problem; shown beside the path.
    pub note: Option<String>,
    /// Whether the note is a problem (drawn in red).
    pub problem: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AboutVm {
    pub lang: Lang,
    pub version: String,
    pub assets: Vec<AssetLicence>,
    /// Records database (settings are kept in it too), exports.
    pub storage: Vec<PlaceRow>,
    /// The scenario folders in the order they are read, then the trainers'
    /// folder and the config file when they are not among them.
    pub folders: Vec<PlaceRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AboutAction {
    Back,
}

fn place_rows(ui: &mut egui::Ui, id: &str, rows: &[PlaceRow]) {
    egui::Grid::new(id).num_columns(2).spacing([16.0, 6.0]).striped(true).show(ui, |ui| {
        for row in rows {
            ui.label(RichText::new(&row.what).strong());
            ui.vertical(|ui| {
                ui.label(RichText::new(&row.path).monospace());
                if let Some(note) = &row.note {
                    ui.label(RichText::new(note).small().color(if row.problem { FAIL } else { MUTED }));
                }
            });
            ui.end_row();
        }
    });
}

pub fn about_view(ui: &mut egui::Ui, vm: &AboutVm) -> Option<AboutAction> {
    let lang = vm.lang;
    let mut action = None;
    ui.horizontal(|ui| {
        screen_title(ui, tr(lang, "关于 Counterpart 对练", "About Counterpart"));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(tr(lang, "返回 (Esc)", "Back (Esc)")).clicked() {
                action = Some(AboutAction::Back);
            }
        });
    });
    ui.label(format!("{}{}", tr(lang, "版本 ", "Version "), vm.version));
    ui.separator();
    egui::ScrollArea::vertical().id_salt("about").auto_shrink([false, false]).show(ui, |ui| {
        super::widgets::page_keys(ui);
        ui.label(RichText::new(tr(lang, "记录与设置", "Records and settings")).strong().size(17.0));
        place_rows(ui, "about-storage", &vm.storage);
        ui.add_space(10.0);
        ui.label(RichText::new(tr(lang, "场景从这些位置读取", "Scenarios are read from")).strong().size(17.0));
        ui.label(
            RichText::new(tr(
                lang,
                "按顺序读取；后面的文件夹中与前面编号相同的场景会替换前面的。",
                "In this order; a scenario in a later folder replaces one with the same id in an earlier folder.",
            ))
            .small()
            .weak(),
        );
        place_rows(ui, "about-folders", &vm.folders);
        ui.add_space(10.0);
        ui.label(RichText::new(tr(lang, "随附资源的许可", "Licences of bundled assets")).strong().size(17.0));
        for asset in &vm.assets {
            ui.label(format!("{} — {}", asset.name, asset.licence));
            if let Some(text) = &asset.text {
                egui::CollapsingHeader::new(tr(lang, "许可全文", "Full licence text"))
                    .id_salt(("about-licence", &asset.name))
                    .show(ui, |ui| {
                        ui.label(RichText::new(text).monospace().small());
                    });
            }
        }
    });
    action
}
