//! The citizen's face, drawn with egui's painter so no stock images are
//! needed. Expression follows the mood: brows tilt and the mouth turns down
//! as upset rises, the cheeks flush, and trust softens the eyes and mouth.
//! Appearance (hair, skin) is seeded by the citizen so faces differ.

use counterpart_core::scenario::model::Mood;
use bevy_egui::egui::{self, Color32, Pos2, Rect, Shape, Stroke, pos2, vec2};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub skin: Color32,
    pub hair: Color32,
    /// Grey hair and lines for older citizens.
    pub elderly: bool,
    /// Long hair.
    pub long_hair: bool,
}

impl Look {
    /// A stable look from a scenario id and the citizen's age.
    pub fn for_citizen(key: &str, age: u32) -> Look {
        let hash = key.bytes().fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
        let skins = [
            Color32::from_rgb(241, 204, 170),
            Color32::from_rgb(230, 190, 150),
            Color32::from_rgb(214, 172, 134),
        ];
        let elderly = age >= 65;
        let hair = if elderly {
            Color32::from_rgb(200, 200, 200)
        } else if age >= 50 {
            Color32::from_rgb(90, 85, 80)
        } else {
            Color32::from_rgb(40, 32, 28)
        };
        Look { skin: skins[(hash % 3) as usize], hair, elderly, long_hair: (hash >> 3) % 2 == 0 }
    }
}

fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

fn mix(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    Color32::from_rgb(
        lerp(a.r() as f32, b.r() as f32, t) as u8,
        lerp(a.g() as f32, b.g() as f32, t) as u8,
        lerp(a.b() as f32, b.b() as f32, t) as u8,
    )
}

/// Points of a quadratic Bézier from `a` through control `c` to `b`.
fn curve(a: Pos2, c: Pos2, b: Pos2, n: usize) -> Vec<Pos2> {
    (0..=n)
        .map(|i| {
            let t = i as f32 / n as f32;
            let u = 1.0 - t;
            pos2(u * u * a.x + 2.0 * u * t * c.x + t * t * b.x, u * u * a.y + 2.0 * u * t * c.y + t * t * b.y)
        })
        .collect()
}

/// Paints the face into `rect` (best square).
pub fn paint(painter: &egui::Painter, rect: Rect, mood: Mood, look: Look) {
    let upset = mood.upset.min(100) as f32 / 100.0;
    let trust = mood.trust.min(100) as f32 / 100.0;
    let size = rect.width().min(rect.height());
    let c = rect.center();
    let s = size / 200.0; // design units: a 200×200 box
    let p = |x: f32, y: f32| pos2(c.x + x * s, c.y + y * s);
    let ink = Color32::from_rgb(60, 40, 35);

    // Background disc tinted by mood: cool when calm, warm when upset.
    let bg = mix(Color32::from_rgb(214, 228, 240), Color32::from_rgb(246, 214, 206), upset);
    painter.circle_filled(c, 98.0 * s, bg);

    // Shoulders.
    painter.add(Shape::convex_polygon(
        vec![p(-70.0, 100.0), p(-60.0, 70.0), p(60.0, 70.0), p(70.0, 100.0)],
        Color32::from_rgb(90, 110, 140),
        Stroke::NONE,
    ));
    painter.rect_filled(Rect::from_min_max(p(-14.0, 45.0), p(14.0, 75.0)), 0.0, look.skin);

    // Hair behind the head.
    if look.long_hair {
        painter.rect_filled(Rect::from_min_max(p(-52.0, -40.0), p(52.0, 40.0)), 20.0 * s, look.hair);
    }
    // Head, flushed as upset rises.
    let flush = Color32::from_rgb(232, 120, 105);
    let face = mix(look.skin, flush, (upset - 0.4).max(0.0) * 0.9);
    painter.add(egui::epaint::EllipseShape::filled(p(0.0, 0.0), vec2(46.0 * s, 56.0 * s), face));
    // Hair on top.
    painter.add(egui::epaint::EllipseShape::filled(p(0.0, -38.0), vec2(48.0 * s, 24.0 * s), look.hair));
    painter.rect_filled(Rect::from_min_max(p(-46.0, -40.0), p(46.0, -30.0)), 0.0, look.hair);

    // Cheek blush for anger.
    if upset > 0.5 {
        let alpha = ((upset - 0.5) * 2.0 * 140.0) as u8;
        let blush = Color32::from_rgba_unmultiplied(220, 70, 60, alpha);
        painter.circle_filled(p(-27.0, 16.0), 9.0 * s, blush);
        painter.circle_filled(p(27.0, 16.0), 9.0 * s, blush);
    }

    // Eyes: narrow with anger, round and open with trust.
    let eye_h = lerp(6.5, 3.0, upset) + trust * 1.5;
    for x in [-18.0, 18.0] {
        painter.add(egui::epaint::EllipseShape::filled(p(x, -4.0), vec2(7.0 * s, eye_h * s), Color32::WHITE));
        painter.circle_filled(p(x, -4.0), 3.6 * s, ink);
    }
    // Brows: inner ends pulled down with anger; lifted and relaxed when calm.
    let inner = lerp(-20.0, -11.0, upset);
    let outer = lerp(-18.0, -22.0, upset);
    let brow = Stroke::new(4.0 * s, look.hair.linear_multiply(0.7).to_opaque());
    let brow = if look.elderly { Stroke::new(4.0 * s, Color32::from_rgb(150, 150, 150)) } else { brow };
    painter.line_segment([p(-28.0, outer), p(-9.0, inner)], brow);
    painter.line_segment([p(28.0, outer), p(9.0, inner)], brow);
    if look.elderly {
        let line = Stroke::new(1.2 * s, ink.gamma_multiply(0.4));
        painter.line_segment([p(-14.0, -30.0), p(14.0, -30.0)], line);
        painter.line_segment([p(-10.0, -25.0), p(10.0, -25.0)], line);
    }

    // Nose.
    painter.add(Shape::line(vec![p(0.0, 0.0), p(-4.0, 14.0), p(2.0, 15.0)], Stroke::new(1.5 * s, ink.gamma_multiply(0.6))));

    // Mouth: a curve whose middle drops (smile) with trust and rises
    // (frown) with upset; very upset opens it.
    let warmth = trust - upset; // −1 … 1
    let width = lerp(14.0, 18.0, trust);
    let bend = warmth * 9.0;
    let (left, right) = (p(-width, 30.0), p(width, 30.0));
    let control = p(0.0, 30.0 + bend * 1.6);
    painter.add(Shape::line(curve(left, control, right, 16), Stroke::new(3.0 * s, ink)));
    if upset > 0.75 {
        // Shouting: an open mouth under the frown.
        let open = (upset - 0.75) * 4.0;
        painter.add(egui::epaint::EllipseShape::filled(
            p(0.0, 30.0 + bend * 0.8 + 3.0),
            vec2(width * 0.55 * s, (2.0 + 5.0 * open) * s),
            Color32::from_rgb(120, 40, 40),
        ));
    }

    // Anger marks beside the head when furious.
    if upset > 0.85 {
        let mark = Stroke::new(3.0 * s, Color32::from_rgb(210, 50, 40));
        for (dx, dy) in [(0.0, 0.0), (8.0, 0.0)] {
            painter.line_segment([p(50.0 + dx, -60.0 + dy), p(56.0 + dx, -48.0 + dy)], mark);
        }
    }
}

/// Reserves a square of `size` points in `ui` and paints the face there.
pub fn portrait(ui: &mut egui::Ui, size: f32, mood: Mood, look: Look) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(vec2(size, size), egui::Sense::hover());
    if ui.is_rect_visible(rect) {
        paint(ui.painter(), rect, mood, look);
    }
    response
}
