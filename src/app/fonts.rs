//! Chinese text rendering: egui's default fonts have no CJK glyphs, so the app
//! bundles a Noto Sans CJK SC subset (assets/fonts/, OFL 1.1, cut by
//! assets/fonts/make-font.sh) and installs it into every egui context before
//! that context's first pass.
//!
//! The font is compiled in with `include_bytes!` so the binary runs from any
//! working directory without an asset folder next to it.

use bevy::prelude::*;
use bevy_egui::{EguiContext, EguiPreUpdateSet, egui};
use std::sync::Arc;

/// The bundled subset: GB2312, common punctuation and every character used in
/// the bundled scenarios and UI strings (see make-font.sh).
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Counterpart.otf");

/// Key of the bundled font in [`egui::FontDefinitions::font_data`].
pub const CJK_FONT_NAME: &str = "NotoSansSC-Counterpart";

/// Set to anything but "" or "0" to start without the CJK font. Only the
/// window smoke test uses it, as the negative control that proves its
/// Chinese-rendering check can fail.
pub const DISABLE_ENV: &str = "COUNTERPART_NO_CJK_FONT";

/// egui's fonts with the CJK font added.
///
/// Proportional text uses the CJK font first, for its Latin letters and digits
/// too: mixed lines such as "12345 热线" then share one weight and baseline,
/// where egui's Ubuntu-Light beside Noto Sans SC Regular looks patchy. Its
/// taller line height (1.45 em) also suits Chinese paragraphs. Monospace keeps
/// Hack first and falls back to the CJK font. egui's emoji fonts remain as the
/// last fallbacks in both families.
pub fn font_definitions(with_cjk: bool) -> egui::FontDefinitions {
    let mut fonts = egui::FontDefinitions::default();
    if !with_cjk {
        return fonts;
    }
    fonts.font_data.insert(
        CJK_FONT_NAME.to_owned(),
        Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    fonts
        .families
        .entry(egui::FontFamily::Proportional)
        .or_default()
        .insert(0, CJK_FONT_NAME.to_owned());
    let mono = fonts.families.entry(egui::FontFamily::Monospace).or_default();
    // After Hack, before the emoji fallbacks.
    let at = mono.iter().position(|n| n == "Hack").map_or(0, |i| i + 1);
    mono.insert(at, CJK_FONT_NAME.to_owned());
    fonts
}

/// Whether the CJK font is to be installed (read once from the environment).
#[derive(Resource, Debug, Clone, Copy)]
pub struct FontChoice {
    pub with_cjk: bool,
}

impl FontChoice {
    pub fn from_env() -> Self {
        let disabled = std::env::var(DISABLE_ENV).is_ok_and(|v| !v.is_empty() && v != "0");
        Self { with_cjk: !disabled }
    }
}

/// Marks an egui context whose fonts are installed.
#[derive(Component)]
struct FontsInstalled;

pub(super) fn plugin(app: &mut App) {
    let choice = FontChoice::from_env();
    if !choice.with_cjk {
        warn!("{DISABLE_ENV} is set: Chinese text will render as empty boxes");
    }
    app.insert_resource(choice);
    // Between context creation and the pass: `set_fonts` takes effect at the
    // start of the next pass, so the very first frame already has Chinese.
    app.add_systems(
        PreUpdate,
        install_fonts
            .after(EguiPreUpdateSet::InitContexts)
            .before(EguiPreUpdateSet::BeginPass),
    );
}

fn install_fonts(
    mut commands: Commands,
    choice: Res<FontChoice>,
    mut contexts: Query<(Entity, &mut EguiContext), Without<FontsInstalled>>,
) {
    for (entity, mut ctx) in &mut contexts {
        ctx.get_mut().set_fonts(font_definitions(choice.with_cjk));
        commands.entity(entity).insert(FontsInstalled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(fonts: &egui::FontDefinitions, f: egui::FontFamily) -> &[String] {
        fonts.families.get(&f).map(Vec::as_slice).unwrap_or_default()
    }

    #[test]
    fn cjk_font_is_primary_for_proportional_and_after_hack_for_monospace() {
        let fonts = font_definitions(true);
        assert!(fonts.font_data.contains_key(CJK_FONT_NAME));
        assert_eq!(family(&fonts, egui::FontFamily::Proportional)[0], CJK_FONT_NAME);
        let mono = family(&fonts, egui::FontFamily::Monospace);
        assert_eq!(&mono[..2], ["Hack", CJK_FONT_NAME]);
    }

    #[test]
    fn without_cjk_the_defaults_are_untouched() {
        let fonts = font_definitions(false);
        assert!(!fonts.font_data.contains_key(CJK_FONT_NAME));
        assert_eq!(
            family(&fonts, egui::FontFamily::Proportional),
            family(&egui::FontDefinitions::default(), egui::FontFamily::Proportional)
        );
    }

    /// egui itself (not just a cmap parser) resolves Chinese to a real glyph
    /// with the font installed, and has none without it.
    #[test]
    fn egui_resolves_chinese_glyphs_only_with_the_font() {
        let probe = "对练政务服务窗口，“您好！”";
        let font_id = egui::FontId::proportional(16.0);
        for with_cjk in [true, false] {
            let ctx = egui::Context::default();
            ctx.set_fonts(font_definitions(with_cjk));
            ctx.run_ui(egui::RawInput::default(), |_| {}).textures_delta.clear();
            let covered = ctx.fonts_mut(|f| probe.chars().all(|c| f.has_glyph(&font_id, c)));
            assert_eq!(covered, with_cjk, "with_cjk = {with_cjk}");
        }
    }
}
