//! Tables of wrapping text fill the width they have: at 1280×720 with the
//! 150 % text a training room projects at, the class vote's order
//! comparison, the observers' order ticks and History's attempts once had
//! columns squeezed to a character or two a line (an egui grid sizes its
//! columns from its first, narrowest frame). Checked with the app's fonts,
//! so Chinese lays out as on screen.

use super::Probe;
use super::drill_papers::{class_vote_with_order, hurried_order, t};
use bevy_egui::egui;
use counterpart::app::run::Words;
use counterpart::app::screens::drill::vote_papers;
use counterpart::app::views::drill::{AgreementVm, VotePapersVm, agreement_view, vote_debrief_with_papers};
use counterpart::app::views::history::{HistoryRow, HistoryVm, RowKind, ScenarioRow, history_view};
use counterpart_core::drill::{AtHand, FieldTicks, Kappa, RoundAgreement};
use counterpart_core::scenario::model::{Lang, Text};
use counterpart_core::workorder::FieldName;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// (width, height, text size): a 720p projector at 150 % and at 100 %, and 1080p.
const CASES: [(f32, f32, f32); 3] = [(1280.0, 720.0, 1.5), (1280.0, 720.0, 1.0), (1920.0, 1080.0, 1.0)];

/// `view` on a screen of `size` pixels with text at `zoom` (the app's text
/// size zooms the whole UI) and the app's fonts.
fn zoomed<'a, V: 'a, A: 'a>(vm: V, (w, h, zoom): (f32, f32, f32), mut view: impl FnMut(&mut egui::Ui, &mut V) -> Option<A> + 'a) -> Harness<'a, Probe<V, A>> {
    let mut harness = Harness::builder().with_size(egui::vec2(w, h) / zoom).with_pixels_per_point(zoom).build_ui_state(
        move |ui, probe: &mut Probe<V, A>| {
            if let Some(action) = view(ui, &mut probe.vm) {
                probe.actions.push(action);
            }
        },
        Probe { vm, actions: Vec::new() },
    );
    harness.ctx.set_fonts(counterpart::app::fonts::font_definitions(true));
    harness.run();
    harness.run();
    harness
}

fn case_name((w, h, zoom): (f32, f32, f32), what: &str, lang: Lang) -> String {
    format!("{what} at {w}x{h}, {:.0}% text, {lang:?}", zoom * 100.0)
}

/// The height of one line of body text: a label taller than 1.5 of these
/// has wrapped.
fn line_height<S>(h: &Harness<'_, S>, one_line_label: &str) -> f32 {
    h.get_by_label(one_line_label).rect().height()
}

/// The right edge of the rightmost label starting at or right of `x` and
/// below `y`: how far a table's last column reaches.
fn reach_right_of<S>(h: &Harness<'_, S>, x: f32, y: f32) -> f32 {
    h.query_all_by_role(Role::Label).map(|n| n.rect()).filter(|r| r.left() >= x - 1.0 && r.top() > y).map(|r| r.right()).fold(f32::MIN, f32::max)
}

#[test]
fn the_class_order_comparison_fills_the_width_and_keeps_each_field_name_on_one_line() {
    let words = Words::default();
    let dir = tempfile::tempdir().unwrap();
    let (scripts, drill, desks) = class_vote_with_order(dir.path(), hurried_order());
    let turns = drill.vote_debrief(0, &scripts).unwrap();
    for size in CASES {
        for lang in [Lang::Zh, Lang::En] {
            let case = case_name(size, "the class's order compared", lang);
            let papers = vote_papers(&drill, &scripts, AtHand::new(&desks, words.get()), 0, lang);
            let h = zoomed((turns.clone(), papers), size, move |ui, (turns, papers): &mut (Vec<_>, VotePapersVm)| {
                egui::CentralPanel::default().show(ui, |ui| vote_debrief_with_papers(ui, lang, turns, papers, None)).inner.0
            });
            let screen = h.ctx.content_rect();
            let line = line_height(&h, t(lang, "栏目", "Field"));
            let mut names = 0;
            for field in FieldName::ALL {
                for node in h.query_all_by_label(field.label().get(lang)) {
                    let r = node.rect();
                    assert!(r.height() < 1.5 * line, "{case}: “{}” wraps ({r:?}, a line is {line})", field.label().get(lang));
                    names += 1;
                }
            }
            assert!(names >= 8, "{case}: the fields are in the table ({names} found)");
            // Three text columns share what the names leave: the last one
            // starts well past the middle and its text reaches the edge.
            let said = h.get_by_label(t(lang, "来电说的", "The call said")).rect();
            let why = h.get_by_label(t(lang, "为什么要紧", "Why it matters")).rect();
            assert!(why.left() - said.left() >= 0.2 * screen.width(), "{case}: “the call said” is {} wide of {}", why.left() - said.left(), screen.width());
            assert!(why.left() >= screen.left() + 0.6 * screen.width(), "{case}: “why it matters” starts at {} of {screen:?}", why.left());
            if size.2 > 1.0 {
                let reach = reach_right_of(&h, why.left(), why.bottom());
                assert!(reach >= screen.left() + 0.9 * screen.width(), "{case}: the last column reaches {reach} of {screen:?}");
            }
            assert!(reach_right_of(&h, why.left(), why.bottom()) <= screen.right() + 0.5, "{case}: the table runs off the side");
        }
    }
}

fn history_vm(lang: Lang) -> HistoryVm {
    let long = t(lang, "要条款、要清单、要工作日的租房提取：公积金中心窗口前排了四十分钟的队之后，她又被告知还缺一份材料", "Rent withdrawal with the rules, the list and the working days: after forty minutes in the queue at the fund centre");
    let row = |id: i64, scenario: &str, kind: RowKind| HistoryRow {
        id,
        when: "2026-11-22 07:52".into(),
        scenario: scenario.into(),
        overall: Some(68.0),
        passed: Some(false),
        status: t(lang, "已完成", "finished").into(),
        kind,
    };
    HistoryVm {
        lang,
        profile: "王芳".into(),
        scenarios: vec![ScenarioRow { title: long.into(), attempts: 2, best: 68.0, best_passed: false, latest: 68.0, latest_passed: false }],
        rows: vec![
            row(1, t(lang, "老伴走后的那些手续", "The paperwork after a husband dies"), RowKind::Practice),
            row(2, long, RowKind::Drill(t(lang, "全班表决 · 周三热线班", "Class vote · Wednesday hotline class").into())),
        ],
        ..HistoryVm::default()
    }
}

#[test]
fn history_gives_a_scenario_title_a_line_of_its_own_and_cuts_a_long_one_short_with_the_whole_on_hover() {
    for size in CASES {
        for lang in [Lang::Zh, Lang::En] {
            let case = case_name(size, "history", lang);
            let vm = history_vm(lang);
            let short = vm.rows[0].scenario.clone();
            let long = vm.rows[1].scenario.clone();
            let mut h = zoomed(vm, size, |ui, vm: &mut HistoryVm| history_view(ui, vm));
            let screen = h.ctx.content_rect();
            let line = line_height(&h, t(lang, "状态", "Status"));
            // A short title whole on one line.
            let r = h.get_by_label(&short).rect();
            assert!(r.height() < 1.5 * line, "{case}: “{short}” wraps ({r:?})");
            // A long one on one line, cut short, at least a readable width,
            // in the attempts table and the per-scenario table alike.
            let body = h.ctx.global_style().text_styles[&egui::TextStyle::Body].clone();
            let whole = h.ctx.fonts_mut(|f| f.layout_no_wrap(long.clone(), body, egui::Color32::WHITE)).size().x;
            let cut: Vec<egui::Rect> = h.query_all_by_label(&long).map(|n| n.rect()).collect();
            assert_eq!(cut.len(), 2, "{case}: the long title in both tables");
            for r in &cut {
                assert!(r.height() < 1.5 * line, "{case}: the long title wraps ({r:?})");
                assert!(r.width() >= 170.0, "{case}: the scenario column is {} wide", r.width());
                assert!(r.width() < whole - 1.0, "{case}: the long title ({whole} wide) is cut short, not {}", r.width());
            }
            // Nothing runs off the right: the result column is on screen.
            for node in h.query_all_by_label(t(lang, "未通过", "not passed")) {
                assert!(node.rect().right() <= screen.right() + 0.5, "{case}: a result runs off the side");
            }
            // Hovering the cut title shows it whole, in a tooltip.
            h.ctx.all_styles_mut(|s| s.interaction.tooltip_delay = 0.0);
            h.query_all_by_label(&long).next().unwrap().hover();
            h.run();
            h.run();
            assert_eq!(h.query_all_by_label(&long).count(), 3, "{case}: hovering shows the whole title");
        }
    }
}

#[test]
fn the_observers_order_ticks_give_what_the_call_said_the_room_the_other_columns_leave() {
    let said = "幸福里小区3栋2单元，停水第二天了，楼上楼下都没水，老人孩子洗漱做饭都成问题，物业说是市政管网抢修但没说什么时候来水";
    let said_en = "Block 3, entrance 2, Xingfuli estate: the second day without water, upstairs and down, the elderly and the children cannot wash or cook; the management says the city is repairing a main but not when water comes back";
    let agreement = RoundAgreement { observers: vec![2, 3], items: Vec::new(), red_flags: Vec::new(), kappa_linear: Kappa::Value(0.5), kappa_quadratic: Kappa::Value(0.6) };
    let order = vec![
        FieldTicks { field: FieldName::Content, said: Text::new(said, said_en), revealed: true, ticks: vec![Some(true), Some(false)] },
        FieldTicks { field: FieldName::HandlingUnit, said: Text::new("市供水公司", "City Water Supply Company"), revealed: true, ticks: vec![Some(true), Some(true)] },
    ];
    for size in CASES {
        for lang in [Lang::Zh, Lang::En] {
            let case = case_name(size, "observers' order ticks", lang);
            let vm = AgreementVm { responder: "李明".into(), style: None, observers: vec!["王五".into(), "赵六".into()], agreement: agreement.clone(), order: order.clone(), protocol: Vec::new() };
            let h = zoomed(vm, size, move |ui, vm: &mut AgreementVm| {
                egui::CentralPanel::default().show(ui, |ui| agreement_view(ui, lang, vm));
                None::<()>
            });
            let screen = h.ctx.content_rect();
            let r = h.get_by_label(t(lang, said, said_en)).rect();
            let wide = (0.45 * screen.width()).min(500.0);
            assert!(r.width() >= wide, "{case}: what the call said is {} wide of {}", r.width(), screen.width());
            assert!(r.right() <= screen.right() + 0.5, "{case}: it runs off the side");
            for tick in h.query_all_by_label("√") {
                assert!(tick.rect().right() <= screen.right() + 0.5, "{case}: a tick runs off the side");
            }
        }
    }
}

/// The risk-protocol strip stays one row under the call at 1280×720 with
/// 150 % text: three rows of long labels once pushed the answers off the
/// screen in a hot-seat slot.
#[test]
fn the_protocol_strip_is_one_row_at_1280_by_720() {
    use counterpart::app::views::protocol::{ProtocolVm, protocol_panel};
    for case in CASES {
        for lang in [Lang::Zh, Lang::En] {
            let vm = ProtocolVm::new(lang, &["report-shift-lead".to_string()]);
            let shorts: Vec<String> = vm.actions.iter().map(|a| if a.taken { format!("√ {}", a.short) } else { a.short.clone() }).collect();
            let h = zoomed(vm, case, |ui, vm: &mut ProtocolVm| protocol_panel(ui, vm));
            let tops: Vec<f32> = shorts.iter().map(|s| h.get_by_label(s).rect().top()).collect();
            let (low, high) = tops.iter().fold((f32::MAX, f32::MIN), |(lo, hi), t| (lo.min(*t), hi.max(*t)));
            assert!(high - low < 2.0, "{}: the buttons wrap onto {:?}", case_name(case, "protocol strip", lang), tops);
        }
    }
}
