//! Author view: a scenario as a graph for the trainer who writes it. Turns
//! are nodes laid out in layers by distance from the start, endings sit in
//! the bottom row marked by outcome, options are edges coloured by quality
//! (the same measure as the debrief and the DOT export), parts that can
//! never be reached are greyed with a dashed red border, and the analyzer's
//! best route is traced in gold. The side panel shows the selected turn, the
//! score bounds, and the controls to play from that turn in a chosen mood.
//!
//! Also the inspector: a small overlay with the current turn, mood and
//! flags during any play (F3).

use super::widgets::{ACCENT, FAIL, MUTED, PASS};
use super::{screen_title, shortcut, tr};
use counterpart_core::analysis::export::Quality;
use counterpart_core::scenario::model::{Lang, Mood, Outcome};
use bevy_egui::egui::{self, Color32, RichText, Stroke, pos2, vec2};

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Turn,
    Ending { outcome: Outcome, label: String, text: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct OptionVm {
    pub id: String,
    pub text: String,
    pub quality: Quality,
    /// 0–100, as `engine::option_quality`.
    pub score: u8,
    /// Where it leads (a turn or ending id); routes are listed after `next`.
    pub to: Vec<String>,
    pub reachable: bool,
    pub on_best: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeVm {
    pub id: String,
    /// The citizen's first line (turns) in the UI language.
    pub said: String,
    pub kind: NodeKind,
    /// Row (distance from the start) and place within the row.
    pub layer: usize,
    pub slot: usize,
    pub reachable: bool,
    pub on_best: bool,
    pub is_start: bool,
    /// A global route can end the encounter here from any turn.
    pub from_any_turn: bool,
    pub options: Vec<OptionVm>,
}

impl NodeVm {
    pub fn is_turn(&self) -> bool {
        self.kind == NodeKind::Turn
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EdgeVm {
    pub from: usize,
    pub to: usize,
    /// The option (index in the turn) or None for a turn's own route.
    pub option: Option<usize>,
    /// None for a route, which is drawn grey and dashed.
    pub quality: Option<Quality>,
    pub reachable: bool,
    pub on_best: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoundRow {
    pub name: String,
    pub min: f32,
    pub max: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BestRouteVm {
    pub score: f32,
    /// "turn → option" per step, then the ending.
    pub steps: Vec<String>,
}

/// The situation an author wants to try a turn in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PracticeSetup {
    pub upset: u8,
    pub trust: u8,
    /// Every flag of the scenario and whether it is set.
    pub flags: Vec<(String, bool)>,
}

impl PracticeSetup {
    pub fn mood(&self) -> Mood {
        Mood { upset: self.upset.min(100), trust: self.trust.min(100) }
    }

    pub fn set_flags(&self) -> Vec<String> {
        self.flags.iter().filter(|(_, on)| *on).map(|(name, _)| name.clone()).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuthorVm {
    pub lang: Lang,
    pub title: String,
    pub file: String,
    /// Turns first (in file order), then endings.
    pub nodes: Vec<NodeVm>,
    pub edges: Vec<EdgeVm>,
    /// Index into `nodes`.
    pub selected: usize,
    /// The analyzer's min/max, overall first; or why there are none.
    pub bounds: Result<Vec<BoundRow>, String>,
    pub best: Option<BestRouteVm>,
    /// `file:line:column: message` of a newer version on disk that failed
    /// to load; the graph shows the last version that did.
    pub rejected: Vec<String>,
    pub practice: PracticeSetup,
    /// Why the last "play from here" could not start, if it could not.
    pub error: Option<String>,
    /// Training validity: could a trainee who does not read score here?
    pub validity: Option<ValidityVm>,
    /// Show the validity panel first in the side panel (V toggles it).
    pub show_validity: bool,
}

/// The training-validity panel: surface players, turn shapes, per-persona
/// bounds and findings, as plain text in the UI language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidityVm {
    /// (player, persona, score, best, passed)
    pub players: Vec<(String, String, f32, f32, bool)>,
    /// (persona, best, worst, best route as option ids)
    pub personas: Vec<(String, f32, f32, String)>,
    pub longest_share: f32,
    pub same_best_share: f32,
    /// (message, what to change)
    pub findings: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorAction {
    Select(usize),
    /// Play from this node (a turn) in the practice situation.
    PlayFrom(usize),
    /// Show or hide the training-validity panel at the top (V).
    ToggleValidity,
}

const NODE_W: f32 = 170.0;
const NODE_H: f32 = 48.0;
const GAP_X: f32 = 26.0;
const GAP_Y: f32 = 44.0;
const MARGIN: f32 = 14.0;
/// Room on the right for edges that go back up.
const LOOP_ROOM: f32 = 70.0;
pub const BEST: Color32 = Color32::from_rgb(230, 170, 20);

fn hex(colour: &str) -> Color32 {
    let channel = |i: usize| colour.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(128);
    Color32::from_rgb(channel(1), channel(3), channel(5))
}

/// The DOT export's colour for a quality, so both views agree.
pub fn quality_colour(quality: Quality) -> Color32 {
    hex(quality.colour())
}

pub fn quality_label(lang: Lang, quality: Quality) -> &'static str {
    match quality {
        Quality::Good => tr(lang, "好", "good"),
        Quality::Mixed => tr(lang, "一般", "mixed"),
        Quality::Poor => tr(lang, "差", "poor"),
        Quality::RedFlag => tr(lang, "红线", "red flag"),
    }
}

pub fn outcome_colour(outcome: Outcome) -> Color32 {
    match outcome {
        Outcome::Resolved => PASS,
        Outcome::Escalated => Color32::from_rgb(200, 130, 20),
        Outcome::WalkedOut | Outcome::HungUp | Outcome::FormalComplaint => FAIL,
    }
}

/// Where each node sits on the canvas, with the canvas size.
pub fn layout(nodes: &[NodeVm]) -> (Vec<egui::Rect>, egui::Vec2) {
    let layers = nodes.iter().map(|n| n.layer + 1).max().unwrap_or(0);
    let mut per_layer = vec![0usize; layers];
    for node in nodes {
        per_layer[node.layer] = per_layer[node.layer].max(node.slot + 1);
    }
    let widest = per_layer.iter().copied().max().unwrap_or(1).max(1);
    let width = MARGIN * 2.0 + widest as f32 * (NODE_W + GAP_X) - GAP_X + LOOP_ROOM;
    let height = MARGIN * 2.0 + layers as f32 * (NODE_H + GAP_Y) - GAP_Y;
    let rects = nodes
        .iter()
        .map(|node| {
            let row = per_layer[node.layer] as f32 * (NODE_W + GAP_X) - GAP_X;
            let x = MARGIN + (width - LOOP_ROOM - 2.0 * MARGIN - row) / 2.0 + node.slot as f32 * (NODE_W + GAP_X);
            let y = MARGIN + node.layer as f32 * (NODE_H + GAP_Y);
            egui::Rect::from_min_size(pos2(x, y), vec2(NODE_W, NODE_H))
        })
        .collect();
    (rects, vec2(width, height.max(NODE_H)))
}

/// The line an edge is drawn along, from the option's port on `from` to
/// `to`, as points. Down to the next row it is one S-curve. An edge that
/// skips rows goes down a lane clear of every node in the rows between
/// (the gap beside them, nearest the straight line), so it never runs
/// behind a turn it does not visit. Along a row it dips through the gap
/// below; back up the graph it goes out to the right-hand margin.
pub fn edge_path(from: egui::Rect, to: egui::Rect, port: f32, rects: &[egui::Rect], loop_x: f32) -> Vec<egui::Pos2> {
    let curve = |points: [egui::Pos2; 4]| {
        egui::epaint::CubicBezierShape::from_points_stroke(points, false, Color32::TRANSPARENT, Stroke::NONE).flatten(Some(0.5))
    };
    let start = pos2(port, from.max.y);
    if to.min.y > from.max.y {
        let end = pos2(to.center().x + (port - from.center().x) * 0.25, to.min.y);
        let between: Vec<egui::Rect> =
            rects.iter().filter(|r| r.min.y >= from.max.y && r.max.y <= to.min.y).map(|r| r.expand(6.0)).collect();
        let top = from.max.y + GAP_Y * 0.5;
        let bottom = to.min.y - GAP_Y * 0.5;
        let clear = |x: f32| between.iter().all(|r| !(r.min.x..=r.max.x).contains(&x));
        if between.is_empty() || clear(start.x) && clear(end.x) && clear((start.x + end.x) / 2.0) {
            let dy = (end.y - start.y) * 0.5;
            return curve([start, start + vec2(0.0, dy), end - vec2(0.0, dy), end]);
        }
        // Candidate lanes: the gaps beside each node in the way, nudged by
        // the port so that parallel edges do not share one line.
        let nudge = (port - from.center().x) * 0.08;
        let ideal = (start.x + end.x) / 2.0;
        let lane = between
            .iter()
            .flat_map(|r| [r.min.x - GAP_X * 0.5 + 6.0, r.max.x + GAP_X * 0.5 - 6.0])
            .map(|x| x + nudge)
            .filter(|&x| clear(x))
            .min_by(|a, b| (a - ideal).abs().total_cmp(&(b - ideal).abs()))
            .unwrap_or(loop_x);
        // Across the gap below `from` to the lane, straight down it, and
        // across the gap above `to`.
        let mut path = curve([start, pos2(start.x, top), pos2(lane, top), pos2(lane, top + GAP_Y * 0.5)]);
        path.extend(curve([pos2(lane, bottom - GAP_Y * 0.5), pos2(lane, bottom), pos2(end.x, bottom), end]));
        return path;
    }
    if (to.center().y - from.center().y).abs() < 1.0 {
        let end = pos2(to.center().x + (port - from.center().x) * 0.25, to.max.y);
        let dip = vec2(0.0, GAP_Y * 0.7);
        return curve([start, start + dip, end + dip, end]);
    }
    let end = pos2(to.max.x, to.center().y);
    curve([start, pos2(loop_x, start.y + 30.0), pos2(loop_x, end.y), end])
}

/// Arrow keys move the selection through the graph: up and down to the
/// nearest node in the row above or below, left and right along the row.
pub fn neighbour(nodes: &[NodeVm], from: usize, key: egui::Key) -> Option<usize> {
    let here = nodes.get(from)?;
    let (rects, _) = layout(nodes);
    let x = rects[from].center().x;
    match key {
        egui::Key::ArrowLeft | egui::Key::ArrowRight => {
            let step: isize = if key == egui::Key::ArrowLeft { -1 } else { 1 };
            let want = here.slot as isize + step;
            nodes.iter().position(|n| n.layer == here.layer && n.slot as isize == want)
        }
        egui::Key::ArrowUp | egui::Key::ArrowDown => {
            let down = key == egui::Key::ArrowDown;
            // The nearest row in that direction that has nodes.
            let layer = nodes
                .iter()
                .map(|n| n.layer)
                .filter(|&l| if down { l > here.layer } else { l < here.layer })
                .reduce(|a, b| if down { a.min(b) } else { a.max(b) })?;
            (0..nodes.len()).filter(|&i| nodes[i].layer == layer).min_by(|&a, &b| {
                let da = (rects[a].center().x - x).abs();
                let db = (rects[b].center().x - x).abs();
                da.total_cmp(&db)
            })
        }
        _ => None,
    }
}

fn keys(ui: &egui::Ui, vm: &AuthorVm) -> Option<AuthorAction> {
    // A focused slider or checkbox takes the arrow keys itself.
    if ui.ctx().memory(|m| m.focused().is_some()) {
        return None;
    }
    for key in [egui::Key::ArrowUp, egui::Key::ArrowDown, egui::Key::ArrowLeft, egui::Key::ArrowRight] {
        if shortcut(ui, key) {
            return neighbour(&vm.nodes, vm.selected, key).map(AuthorAction::Select);
        }
    }
    let playable = vm.nodes.get(vm.selected).is_some_and(NodeVm::is_turn);
    if playable && (shortcut(ui, egui::Key::P) || shortcut(ui, egui::Key::Enter)) {
        return Some(AuthorAction::PlayFrom(vm.selected));
    }
    if shortcut(ui, egui::Key::V) {
        return Some(AuthorAction::ToggleValidity);
    }
    None
}

pub fn author_view(ui: &mut egui::Ui, vm: &mut AuthorVm) -> Option<AuthorAction> {
    let lang = vm.lang;
    let mut action = keys(ui, vm);
    let moved = matches!(action, Some(AuthorAction::Select(_)));
    let selected = match action {
        Some(AuthorAction::Select(i)) => i,
        _ => vm.selected,
    };

    ui.horizontal(|ui| {
        screen_title(ui, &format!("{}{}", tr(lang, "作者视图：", "Author view: "), vm.title));
        ui.label(RichText::new(&vm.file).monospace().small().color(MUTED));
    });
    if !vm.rejected.is_empty() {
        rejected_banner(ui, lang, &vm.rejected);
    }

    let side = (ui.available_width() * 0.36).clamp(320.0, 460.0);
    egui::Panel::right("author-details").resizable(false).exact_size(side).show(ui, |ui| {
        egui::ScrollArea::vertical().id_salt("author-details-scroll").auto_shrink([false, false]).show(ui, |ui| {
            if let Some(a) = details(ui, vm, selected) {
                action = Some(a);
            }
        });
    });

    egui::CentralPanel::default().show(ui, |ui| {
        legend(ui, lang);
        egui::ScrollArea::both().id_salt("author-graph").auto_shrink([false, false]).show(ui, |ui| {
            if let Some(a) = graph(ui, vm, selected, moved) {
                action = Some(a);
            }
        });
    });
    action
}

/// The diagnostics of a newer version that failed to load, above the graph
/// of the version still in use.
pub fn rejected_banner(ui: &mut egui::Ui, lang: Lang, lines: &[String]) {
    egui::Frame::new()
        .fill(FAIL.gamma_multiply(0.12))
        .stroke(Stroke::new(1.0, FAIL))
        .corner_radius(6.0)
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(tr(
                    lang,
                    "⚠ 最新保存的版本有错误，仍在使用上一个可用版本：",
                    "⚠ The newest saved version has errors; the last good version is still in use:",
                ))
                .color(FAIL)
                .strong(),
            );
            for line in lines {
                ui.label(RichText::new(line).monospace().small());
            }
        });
}

fn legend(ui: &mut egui::Ui, lang: Lang) {
    ui.horizontal_wrapped(|ui| {
        for quality in [Quality::Good, Quality::Mixed, Quality::Poor, Quality::RedFlag] {
            ui.label(RichText::new("━").color(quality_colour(quality)).strong());
            ui.label(RichText::new(quality_label(lang, quality)).small());
        }
        ui.label(RichText::new("┅").color(MUTED));
        ui.label(RichText::new(tr(lang, "条件路线", "route")).small());
        ui.label(RichText::new("━").color(BEST).strong());
        ui.label(RichText::new(tr(lang, "最佳路线", "best route")).small());
        ui.label(RichText::new("□").color(FAIL));
        ui.label(RichText::new(tr(lang, "不可达", "unreachable")).small());
        ui.separator();
        ui.label(
            RichText::new(tr(lang, "方向键选择 · P 从此处练习 · F3 检视器", "Arrows select · P play from here · F3 inspector"))
                .small()
                .color(MUTED),
        );
    });
}

fn graph(ui: &mut egui::Ui, vm: &AuthorVm, selected: usize, moved: bool) -> Option<AuthorAction> {
    let mut action = None;
    let (rects, size) = layout(&vm.nodes);
    let (canvas, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let offset = canvas.min.to_vec2();
    let rects: Vec<egui::Rect> = rects.iter().map(|r| r.translate(offset)).collect();
    let painter = ui.painter_at(canvas);
    let loop_x = canvas.max.x - LOOP_ROOM * 0.5;

    // Edges under nodes; the best route last so it is on top.
    let mut order: Vec<&EdgeVm> = vm.edges.iter().collect();
    order.sort_by_key(|e| (e.on_best, e.reachable));
    for edge in order {
        let (Some(from), Some(to)) = (rects.get(edge.from), rects.get(edge.to)) else { continue };
        let count = vm.nodes[edge.from].options.len().max(1) as f32;
        let port = match edge.option {
            Some(o) => from.min.x + (o as f32 + 1.0) * from.width() / (count + 1.0),
            None => from.max.x - 6.0,
        };
        let path = edge_path(*from, *to, port, &rects, loop_x);
        let mut colour = edge.quality.map_or(MUTED, quality_colour);
        if !edge.reachable {
            colour = colour.gamma_multiply(0.3);
        }
        if edge.on_best {
            painter.add(egui::Shape::line(path.clone(), Stroke::new(7.0, BEST.gamma_multiply(0.55))));
        }
        let width = if edge.on_best { 2.6 } else { 1.5 };
        if edge.quality.is_none() {
            painter.extend(egui::Shape::dashed_line(&path, Stroke::new(width, colour), 5.0, 4.0));
        } else {
            painter.add(egui::Shape::line(path.clone(), Stroke::new(width, colour)));
        }
        // Arrowhead along the end of the path.
        let end = *path.last().expect("a path has points");
        let before = path.iter().rev().find(|p| p.distance(end) > 4.0).copied().unwrap_or(path[0]);
        let dir = (end - before).normalized();
        let side = vec2(-dir.y, dir.x);
        painter.add(egui::Shape::convex_polygon(
            vec![end, end - dir * 8.0 + side * 4.0, end - dir * 8.0 - side * 4.0],
            colour,
            Stroke::NONE,
        ));
    }

    let text_colour = ui.visuals().text_color();
    for (index, node) in vm.nodes.iter().enumerate() {
        let rect = rects[index];
        let id = ui.id().with(("author-node", index));
        let response = ui.interact(rect, id, egui::Sense::click());
        let label = node_label(vm.lang, node);
        response.widget_info(|| egui::WidgetInfo::selected(egui::WidgetType::Button, true, index == selected, &label));
        if response.clicked() {
            action = Some(AuthorAction::Select(index));
        }
        if response.double_clicked() && node.is_turn() {
            action = Some(AuthorAction::PlayFrom(index));
        }
        if moved && index == selected {
            ui.scroll_to_rect(rect.expand(GAP_Y), None);
        }
        let (fill, accent) = match &node.kind {
            NodeKind::Turn => (ui.visuals().extreme_bg_color, ACCENT),
            NodeKind::Ending { outcome, .. } => (outcome_colour(*outcome).gamma_multiply(0.18), outcome_colour(*outcome)),
        };
        let fill = if node.reachable { fill } else { ui.visuals().faint_bg_color };
        painter.rect_filled(rect, 6.0, fill);
        if node.on_best {
            painter.rect_stroke(rect.expand(2.0), 8.0, Stroke::new(2.5, BEST), egui::StrokeKind::Outside);
        }
        if !node.reachable {
            let r = rect.expand(1.0);
            let outline = [r.left_top(), r.right_top(), r.right_bottom(), r.left_bottom(), r.left_top()];
            painter.extend(egui::Shape::dashed_line(&outline, Stroke::new(1.5, FAIL), 6.0, 4.0));
        } else {
            painter.rect_stroke(rect, 6.0, Stroke::new(1.0, accent.gamma_multiply(0.7)), egui::StrokeKind::Inside);
        }
        if index == selected {
            painter.rect_stroke(rect.expand(4.0), 9.0, Stroke::new(3.0, ACCENT), egui::StrokeKind::Outside);
        }
        let title = match (&node.kind, node.is_start) {
            (NodeKind::Turn, true) => format!("▶ {}", node.id),
            (NodeKind::Turn, false) => node.id.clone(),
            (NodeKind::Ending { label, .. }, _) => format!("■ {label}"),
        };
        let sub = match &node.kind {
            NodeKind::Turn if !node.reachable => tr(vm.lang, "不可达", "unreachable").to_string(),
            NodeKind::Turn => node.said.clone(),
            NodeKind::Ending { .. } if !node.reachable => format!("{} · {}", node.id, tr(vm.lang, "不可达", "unreachable")),
            NodeKind::Ending { .. } => node.id.clone(),
        };
        let inner = rect.shrink2(vec2(8.0, 5.0));
        let line = |text: &str, size: f32, colour: Color32, strong: bool| {
            let mut job = egui::text::LayoutJob::single_section(
                text.to_string(),
                egui::TextFormat {
                    font_id: egui::FontId::proportional(size),
                    color: colour,
                    ..Default::default()
                },
            );
            job.wrap = egui::text::TextWrapping::truncate_at_width(inner.width());
            if strong {
                job.sections[0].format.color = colour;
            }
            painter.layout_job(job)
        };
        let title_colour = match &node.kind {
            NodeKind::Turn => text_colour,
            NodeKind::Ending { outcome, .. } => outcome_colour(*outcome),
        };
        let top = line(&title, 14.0, if node.reachable { title_colour } else { MUTED }, true);
        let bottom = line(&sub, 12.0, if node.reachable { MUTED } else { FAIL }, false);
        painter.galley(inner.min, top, text_colour);
        painter.galley(pos2(inner.min.x, inner.max.y - 15.0), bottom, text_colour);
        response.on_hover_text(label);
    }
    action
}

/// What a screen reader (and the kittest tests) call a node.
pub fn node_label(lang: Lang, node: &NodeVm) -> String {
    let mut label = match &node.kind {
        NodeKind::Turn => format!("{}{}", tr(lang, "回合 ", "Turn "), node.id),
        NodeKind::Ending { label, .. } => format!("{}{} ({label})", tr(lang, "结局 ", "Ending "), node.id),
    };
    if !node.reachable {
        label.push_str(tr(lang, "（不可达）", " (unreachable)"));
    }
    label
}

fn details(ui: &mut egui::Ui, vm: &mut AuthorVm, selected: usize) -> Option<AuthorAction> {
    let lang = vm.lang;
    let mut action = None;
    if let Some(validity) = vm.validity.as_ref().filter(|_| vm.show_validity) {
        validity_panel(ui, lang, validity);
        ui.separator();
    }
    if let Some(node) = vm.nodes.get(selected) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&node.id).size(18.0).strong().monospace());
            let kind = match &node.kind {
                NodeKind::Turn if node.is_start => tr(lang, "开场回合", "start turn"),
                NodeKind::Turn => tr(lang, "回合", "turn"),
                NodeKind::Ending { .. } => tr(lang, "结局", "ending"),
            };
            ui.label(RichText::new(kind).color(MUTED));
            if !node.reachable {
                ui.label(RichText::new(tr(lang, "不可达：任何路线都到不了这里", "unreachable: no route gets here")).color(FAIL).strong());
            }
        });
        match &node.kind {
            NodeKind::Turn => {
                ui.label(RichText::new(&node.said).italics());
                ui.add_space(4.0);
                for (index, option) in node.options.iter().enumerate() {
                    option_row(ui, lang, index, option);
                }
            }
            NodeKind::Ending { outcome, label, text } => {
                ui.label(RichText::new(label).color(outcome_colour(*outcome)).strong());
                ui.label(text);
                if node.from_any_turn {
                    ui.label(
                        RichText::new(tr(lang, "全局路线：任何回合满足条件都会到这里。", "A global route can end here from any turn."))
                            .small()
                            .color(MUTED),
                    );
                }
            }
        }
    }
    if vm.nodes.get(selected).is_some_and(NodeVm::is_turn) {
        ui.separator();
        if practice(ui, lang, &mut vm.practice) {
            action = Some(AuthorAction::PlayFrom(selected));
        }
        if let Some(error) = &vm.error {
            ui.label(RichText::new(error).color(FAIL));
        }
    }
    ui.separator();
    bounds(ui, lang, &vm.bounds, vm.best.as_ref());
    match &vm.validity {
        Some(validity) if !vm.show_validity => {
            ui.separator();
            validity_panel(ui, lang, validity);
        }
        _ => {}
    }
    action
}

/// Whether the scenario's score tells a reader from a guesser.
pub fn validity_panel(ui: &mut egui::Ui, lang: Lang, v: &ValidityVm) {
    ui.label(RichText::new(tr(lang, "训练有效性（V）", "Training validity (V)")).size(16.0).strong());
    let (verdict, colour) = if v.findings.is_empty() {
        (tr(lang, "√ 不读内容拿不到分", "√ No score without reading"), PASS)
    } else {
        (tr(lang, "⚠ 有捷径可走：", "⚠ Shortcuts exist:"), FAIL)
    };
    ui.label(RichText::new(verdict).color(colour).strong());
    for (message, help) in &v.findings {
        ui.label(RichText::new(format!("• {message}")).color(FAIL));
        ui.label(RichText::new(help).small().color(MUTED));
    }
    ui.add_space(4.0);
    ui.label(
        RichText::new(format!(
            "{} {:.0}% · {} {:.0}%",
            tr(lang, "最佳回答也是最长的回合：", "Turns whose best answer is the longest:"),
            v.longest_share * 100.0,
            tr(lang, "最佳回答不随风格变化的回合：", "turns whose best answer ignores the style:"),
            v.same_best_share * 100.0
        ))
        .small(),
    );
    for (persona, best, worst, route) in &v.personas {
        ui.label(RichText::new(format!("{} {persona}: {worst:.0}–{best:.0}", tr(lang, "人设", "Persona"))).small());
        ui.label(RichText::new(format!("  {} {route}", tr(lang, "最佳路线：", "best route:"))).small().color(MUTED));
    }
    egui::Grid::new("validity-players").num_columns(3).striped(true).show(ui, |ui| {
        for (player, persona, score, best, passed) in &v.players {
            ui.label(RichText::new(player).small());
            ui.label(RichText::new(format!("{persona} {score:.0}/{best:.0}")).small());
            let (mark, c) = if *passed { (tr(lang, "通过", "passes"), FAIL) } else { (tr(lang, "不通过", "fails"), PASS) };
            ui.label(RichText::new(mark).small().color(c));
            ui.end_row();
        }
    });
}

fn option_row(ui: &mut egui::Ui, lang: Lang, index: usize, option: &OptionVm) {
    let colour = quality_colour(option.quality);
    let fade = |c: Color32| if option.reachable { c } else { c.gamma_multiply(0.45) };
    ui.horizontal_top(|ui| {
        ui.label(RichText::new("●").color(fade(colour)));
        ui.vertical(|ui| {
            let mut text = RichText::new(format!("{}. {}", index + 1, option.text));
            if option.on_best {
                text = text.strong();
            }
            ui.label(text.color(fade(ui.visuals().text_color())));
            let mut meta = format!(
                "{} {} · {} {} · → {}",
                tr(lang, "质量", "quality"),
                option.score,
                quality_label(lang, option.quality),
                option.id,
                option.to.join(" / ")
            );
            if option.on_best {
                meta.push_str(tr(lang, " · ★ 最佳路线", " · ★ best route"));
            }
            if !option.reachable {
                meta.push_str(tr(lang, " · 实际到不了", " · never offered in play"));
            }
            ui.label(RichText::new(meta).small().color(if option.on_best { BEST } else { MUTED }));
        });
    });
}

/// The practice controls; true when "play from here" was pressed.
fn practice(ui: &mut egui::Ui, lang: Lang, setup: &mut PracticeSetup) -> bool {
    ui.label(RichText::new(tr(lang, "从这里练习", "Play from here")).strong());
    ui.label(
        RichText::new(tr(lang, "选定情绪和标记，从这一回合开始；不计入学员记录。", "Pick a mood and flags and start at this turn; not saved as a trainee attempt."))
            .small()
            .color(MUTED),
    );
    egui::Grid::new("practice-mood").num_columns(2).show(ui, |ui| {
        ui.label(tr(lang, "不满", "Upset"));
        ui.add(egui::Slider::new(&mut setup.upset, 0..=100));
        ui.end_row();
        ui.label(tr(lang, "信任", "Trust"));
        ui.add(egui::Slider::new(&mut setup.trust, 0..=100));
        ui.end_row();
    });
    if setup.flags.is_empty() {
        ui.label(RichText::new(tr(lang, "（本场景没有标记）", "(this scenario uses no flags)")).small().color(MUTED));
    } else {
        ui.horizontal_wrapped(|ui| {
            ui.label(tr(lang, "标记：", "Flags:"));
            for (name, on) in &mut setup.flags {
                ui.checkbox(on, name.as_str());
            }
        });
    }
    ui.button(tr(lang, "▶ 从这里开始 (P)", "▶ Play from here (P)")).clicked()
}

fn bounds(ui: &mut egui::Ui, lang: Lang, bounds: &Result<Vec<BoundRow>, String>, best: Option<&BestRouteVm>) {
    ui.label(RichText::new(tr(lang, "可得分数范围（分析器）", "Reachable scores (analyzer)")).strong());
    match bounds {
        Ok(rows) => {
            egui::Grid::new("author-bounds").num_columns(3).striped(true).show(ui, |ui| {
                ui.label("");
                ui.label(RichText::new(tr(lang, "最低", "min")).small());
                ui.label(RichText::new(tr(lang, "最高", "max")).small());
                ui.end_row();
                for (i, row) in rows.iter().enumerate() {
                    let name = RichText::new(&row.name);
                    ui.label(if i == 0 { name.strong() } else { name });
                    ui.label(format!("{:.0}", row.min));
                    ui.label(format!("{:.0}", row.max));
                    ui.end_row();
                }
            });
        }
        Err(message) => {
            ui.label(RichText::new(message).color(FAIL));
        }
    }
    if let Some(best) = best {
        ui.add_space(4.0);
        ui.label(
            RichText::new(format!("{} {:.0}", tr(lang, "★ 最佳路线，总分", "★ Best route, overall"), best.score))
                .color(BEST)
                .strong(),
        );
        for step in &best.steps {
            ui.label(RichText::new(step).small().monospace());
        }
    }
}

/// What the inspector shows during play.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectorVm {
    pub lang: Lang,
    /// The current turn's id, or the ending's once play is over.
    pub position: String,
    pub ended: bool,
    pub mood: Mood,
    /// Every flag of the scenario and whether it is set now.
    pub flags: Vec<(String, bool)>,
    pub steps: usize,
    pub practice: bool,
}

pub fn inspector_view(ui: &mut egui::Ui, vm: &InspectorVm) {
    let lang = vm.lang;
    ui.label(RichText::new(tr(lang, "检视器 (F3)", "Inspector (F3)")).strong());
    egui::Grid::new("inspector").num_columns(2).show(ui, |ui| {
        ui.label(if vm.ended { tr(lang, "结局", "Ending") } else { tr(lang, "回合", "Turn") });
        ui.label(RichText::new(&vm.position).monospace().strong());
        ui.end_row();
        for (name, value) in [(tr(lang, "不满", "Upset"), vm.mood.upset), (tr(lang, "信任", "Trust"), vm.mood.trust)] {
            ui.label(name);
            ui.horizontal(|ui| {
                ui.add(egui::ProgressBar::new(f32::from(value) / 100.0).desired_width(100.0));
                ui.label(RichText::new(value.to_string()).monospace());
            });
            ui.end_row();
        }
        ui.label(tr(lang, "已答", "Answers"));
        ui.label(vm.steps.to_string());
        ui.end_row();
    });
    if vm.flags.is_empty() {
        ui.label(RichText::new(tr(lang, "本场景没有标记", "No flags in this scenario")).small().color(MUTED));
    } else {
        ui.horizontal_wrapped(|ui| {
            for (name, on) in &vm.flags {
                let mark = if *on { "■" } else { "□" };
                let text = RichText::new(format!("{mark} {name}")).monospace().small();
                // One unbreakable label per flag, so a mark never ends a row without its name.
                ui.add(egui::Label::new(if *on { text.strong() } else { text.color(MUTED) }).extend());
            }
        });
    }
    if vm.practice {
        ui.label(RichText::new(tr(lang, "作者练习：不计入记录", "Author practice: not recorded")).small().color(ACCENT));
    }
}
