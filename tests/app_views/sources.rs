//! The library read from several folders as the trainee sees it: each card
//! names the folder it came from, a trainer's replacement says what it
//! replaces; and the About screen with its F1 key and Back.

use super::*;
use counterpart::app::screens::about::about_vm;
use counterpart::app::screens::library::library_cards;
use counterpart::app::views::about::{AboutAction, about_view};
use counterpart::app::views::widgets::top_bar_about;
use counterpart_core::library::Library;
use counterpart_core::library::sources::{Source, SourceKind, discover_with};

fn two_folders() -> (tempfile::TempDir, Source, Source) {
    let dir = tempfile::tempdir().unwrap();
    let bundled = Source::new(SourceKind::Bundled, dir.path().join("bundled"));
    let trainers = Source::new(SourceKind::Trainers, dir.path().join("trainers"));
    std::fs::create_dir(&bundled.folder).unwrap();
    std::fs::create_dir(&trainers.folder).unwrap();
    let source = std::fs::read_to_string(REFERENCE).unwrap();
    std::fs::write(bundled.folder.join("water.ron"), &source).unwrap();
    std::fs::write(bundled.folder.join("water-2.ron"), source.replacen("id: \"hotline-water-outage\"", "id: \"water-two\"", 1).replacen("Day two without water", "A second outage", 1)).unwrap();
    std::fs::write(trainers.folder.join("ours.ron"), source.replacen("Day two without water", "Our water outage", 1)).unwrap();
    (dir, bundled, trainers)
}

#[test]
fn each_card_names_its_folder_and_a_trainers_replacement_says_what_it_replaces() {
    let (_dir, bundled, trainers) = two_folders();
    let library = Library::load_sources(&[bundled.clone(), trainers.clone()]);
    let cards = library_cards(&library, Lang::En, &HashMap::new());
    assert_eq!(cards.len(), 2);
    let vm = LibraryVm { lang: Lang::En, cards, selected: 0, filter: LibraryFilter::default(), resume: None, unfinished_drills: Vec::new() };
    let h = harness(vm, wide(), library_view);
    h.get_by_label(&format!("From: bundled library · {}", bundled.folder.display()));
    h.get_by_label(&format!("From: trainers' folder · {}", trainers.folder.display()));
    h.get_by_label("Our water outage");
    assert!(h.query_by_label("Day two without water").is_none(), "the replaced bundled card is gone");
    h.get_by_label_contains(&format!("Replaces the scenario with the same id in {}", bundled.folder.join("water.ron").display()));

    let zh = LibraryVm { lang: Lang::Zh, cards: library_cards(&library, Lang::Zh, &HashMap::new()), ..LibraryVm::default() };
    let h = harness(zh, wide(), library_view);
    h.get_by_label(&format!("来源：培训师文件夹 · {}", trainers.folder.display()));
}

#[test]
fn about_shows_version_font_licence_and_where_things_live_and_back_returns() {
    let (dir, bundled, _) = two_folders();
    let trainers = dir.path().join("not-yet");
    let config = dir.path().join("config.ron");
    let found = discover_with(&bundled.folder, Some(trainers.clone()), Some(config.clone()));
    let db = dir.path().join("records.sqlite3");
    let vm = about_vm(Lang::En, &found, Some(&db), None, None);
    let mut h = harness(vm, wide(), |ui, vm: &mut _| about_view(ui, vm));
    h.get_by_label(&format!("Version {}", env!("CARGO_PKG_VERSION")));
    h.get_by_label_contains("SIL Open Font License 1.1");
    h.get_by_label(&db.display().to_string());
    h.get_by_label(&bundled.folder.display().to_string());
    h.get_by_label(&trainers.display().to_string());
    h.get_by_label_contains("(not created yet)");
    h.get_by_label(&config.display().to_string());
    h.get_by_label("Back (Esc)").click();
    h.run();
    assert_eq!(h.state().actions, vec![AboutAction::Back]);

    // A broken config file is named with its line on the About screen too.
    std::fs::write(&config, "(\n  scenario_foldrs: [],\n)").unwrap();
    let found = discover_with(&bundled.folder, None, Some(config.clone()));
    let h = harness(about_vm(Lang::Zh, &found, None, Some("disk full"), None), wide(), |ui, vm: &mut _| about_view(ui, vm));
    h.get_by_label_contains(&format!("{}:2:", config.display()));
    h.get_by_label_contains("disk full");
    h.get_by_label("关于 Counterpart 对练");
}

#[test]
fn f1_and_the_top_bar_button_open_about_where_it_is_offered() {
    let mut h = harness((), wide(), |ui, _: &mut ()| global_keys(ui.ctx()).first().copied());
    h.key_press(egui::Key::F1);
    h.run();
    assert_eq!(h.state().actions, vec![GlobalAction::About]);

    let bar = TopBarVm { lang: Lang::En, profile: None, seat: None, text_scale: 1.0, can_go_back: false };
    let mut h = harness(bar.clone(), wide(), |ui, vm: &mut TopBarVm| top_bar_about(ui, vm, true));
    h.get_by_label("About (F1)").click();
    h.run();
    assert_eq!(h.state().actions, vec![GlobalAction::About]);
    let h = harness(bar, wide(), |ui, vm: &mut TopBarVm| top_bar_about(ui, vm, false));
    assert!(h.query_by_label("About (F1)").is_none(), "not offered during an encounter or a drill");
}
