//! The one real-window test, plus the font coverage check it relies on.
//!
//! `window_smoke_*` runs the built app under Xvfb (started here when DISPLAY
//! is unset) with COUNTERPART_AUTOPLAY, which walks Start → Library →
//! Encounter → DISC guess → Debrief → History and saves a screenshot of each
//! screen plus labels.json (where each screen title and each of its
//! characters was drawn). The test then requires every screenshot to be
//! non-blank and every Chinese screen title to show distinct glyph shapes:
//! missing glyphs render as identical boxes (or nothing), which fails. A
//! second run with COUNTERPART_NO_CJK_FONT=1 must fail that same check, so the
//! check is shown to be able to fail.
//!
//! Needs (Debian): xvfb mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 xauth.
//! Screenshots stay in target/tmp/window-smoke/; with
//! COUNTERPART_UPDATE_SCREENSHOTS=1 they are also copied to docs/screenshots/.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Counterpart.otf");

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every character of every bundled scenario must be in the bundled CJK font:
/// scenario text is drawn in the proportional family, where it comes first.
#[test]
fn font_covers_all_bundled_text() {
    use skrifa::MetadataProvider as _;
    let font = skrifa::FontRef::new(FONT).expect("bundled font parses");
    let charmap = font.charmap();
    assert!(charmap.map('对').is_some(), "font has no cmap entry for 对");

    let mut files: Vec<PathBuf> = Vec::new();
    collect(&manifest_dir().join("scenarios"), &mut files);
    assert!(!files.is_empty(), "no bundled scenarios found");
    let missing = missing_chars(&files, |c| charmap.map(c).is_some());
    assert!(
        missing.is_empty(),
        "characters missing from assets/fonts/NotoSansSC-Counterpart.otf (re-run assets/fonts/make-font.sh):\n{}",
        missing.join("\n")
    );
}

/// Every character in the app's source (its UI strings) must be drawable by
/// egui with the app's fonts (the CJK font or one of egui's own fallbacks).
#[cfg(feature = "app")]
#[test]
fn app_fonts_cover_all_ui_text() {
    use bevy_egui::egui;
    let ctx = egui::Context::default();
    ctx.set_fonts(counterpart::app::fonts::font_definitions(true));
    ctx.run_ui(egui::RawInput::default(), |_| {}).textures_delta.clear();
    let mut files: Vec<PathBuf> = Vec::new();
    collect(&manifest_dir().join("src"), &mut files);
    let font_id = egui::FontId::proportional(14.0);
    let missing = ctx.fonts_mut(|f| missing_chars(&files, |c| f.has_glyph(&font_id, c)));
    assert!(
        missing.is_empty(),
        "characters no app font can draw (they show as boxes; pick another symbol or extend make-font.sh):\n{}",
        missing.join("\n")
    );
}

fn missing_chars(files: &[PathBuf], mut has: impl FnMut(char) -> bool) -> Vec<String> {
    let mut missing = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let absent: BTreeSet<char> = text.chars().filter(|c| !c.is_control() && !has(*c)).collect();
        if !absent.is_empty() {
            let rel = file.strip_prefix(manifest_dir()).unwrap_or(file);
            missing.push(format!("{}: {}", rel.display(), absent.iter().collect::<String>()));
        }
    }
    missing
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "ron" || e == "rs") {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------
// Image checks (pure functions, tested below on synthetic images).

/// An RGB image.
struct Rgb {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Rgb {
    #[cfg_attr(not(feature = "app"), allow(dead_code))]
    fn load(path: &Path) -> Result<Rgb, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let mut buf = vec![0; reader.output_buffer_size().ok_or("image too large")?];
        let info = reader.next_frame(&mut buf).map_err(|e| format!("{}: {e}", path.display()))?;
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => return Err(format!("{}: unexpected colour type {other:?}", path.display())),
        };
        if info.bit_depth != png::BitDepth::Eight {
            return Err(format!("{}: unexpected bit depth {:?}", path.display(), info.bit_depth));
        }
        let data = buf[..info.buffer_size()].chunks_exact(channels).flat_map(|p| [p[0], p[1], p[2]]).collect();
        Ok(Rgb { width: info.width as usize, height: info.height as usize, data })
    }

    fn luma(&self, x: usize, y: usize) -> f32 {
        let i = (y * self.width + x) * 3;
        let p = &self.data[i..i + 3];
        0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
    }
}

/// Blank = one flat colour, or nearly: a frame where nothing was drawn.
fn blank_reason(img: &Rgb) -> Option<String> {
    let n = (img.width * img.height) as f64;
    if n == 0.0 {
        return Some("empty image".into());
    }
    let (mut sum, mut sum_sq) = (0.0f64, 0.0f64);
    let mut colours = std::collections::HashMap::<[u8; 3], usize>::new();
    for p in img.data.chunks_exact(3) {
        let l = 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]);
        sum += l;
        sum_sq += l * l;
        *colours.entry([p[0], p[1], p[2]]).or_default() += 1;
    }
    let mean = sum / n;
    let variance = sum_sq / n - mean * mean;
    let dominant = colours.values().max().copied().unwrap_or(0) as f64 / n;
    if variance < 20.0 || dominant > 0.995 || colours.len() < 16 {
        Some(format!(
            "blank: luma variance {variance:.1}, {} colours, dominant colour covers {:.1}%",
            colours.len(),
            dominant * 100.0
        ))
    } else {
        None
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

const GRID: usize = 12;

/// The ink of one character cell, normalised to its own bounding box on a
/// GRID×GRID grid, so the same glyph gives the same signature wherever it is.
fn glyph_signature(img: &Rgb, rect: [f32; 4], background: f32) -> Option<Vec<bool>> {
    let x0 = rect[0].floor().max(0.0) as usize;
    let y0 = rect[1].floor().max(0.0) as usize;
    let x1 = (rect[2].ceil() as usize).min(img.width);
    let y1 = (rect[3].ceil() as usize).min(img.height);
    if x1 <= x0 + 2 || y1 <= y0 + 2 {
        return None;
    }
    let ink = |x: usize, y: usize| (img.luma(x, y) - background).abs() > 60.0;
    let (mut bx0, mut by0, mut bx1, mut by1) = (usize::MAX, usize::MAX, 0, 0);
    let mut count = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            if ink(x, y) {
                count += 1;
                bx0 = bx0.min(x);
                by0 = by0.min(y);
                bx1 = bx1.max(x + 1);
                by1 = by1.max(y + 1);
            }
        }
    }
    // A real glyph at UI sizes has dozens of ink pixels; less is noise or nothing.
    if count < 12 {
        return None;
    }
    let (w, h) = ((bx1 - bx0) as f32, (by1 - by0) as f32);
    let mut sig = vec![false; GRID * GRID];
    for gy in 0..GRID {
        for gx in 0..GRID {
            let sx0 = bx0 + (gx as f32 * w / GRID as f32) as usize;
            let sx1 = (bx0 + ((gx + 1) as f32 * w / GRID as f32).ceil() as usize).max(sx0 + 1).min(bx1);
            let sy0 = by0 + (gy as f32 * h / GRID as f32) as usize;
            let sy1 = (by0 + ((gy + 1) as f32 * h / GRID as f32).ceil() as usize).max(sy0 + 1).min(by1);
            let (mut on, mut all) = (0, 0);
            for y in sy0..sy1 {
                for x in sx0..sx1 {
                    all += 1;
                    on += usize::from(ink(x, y));
                }
            }
            sig[gy * GRID + gx] = all > 0 && on * 4 >= all;
        }
    }
    Some(sig)
}

/// The most common luma in the label's rect: the background behind the text.
fn background_luma(img: &Rgb, rect: [f32; 4]) -> f32 {
    let mut hist = [0usize; 256];
    let x1 = (rect[2].ceil() as usize).min(img.width);
    let y1 = (rect[3].ceil() as usize).min(img.height);
    for y in (rect[1].max(0.0) as usize)..y1 {
        for x in (rect[0].max(0.0) as usize)..x1 {
            hist[img.luma(x, y).round() as usize] += 1;
        }
    }
    hist.iter().enumerate().max_by_key(|(_, n)| **n).map_or(0.0, |(l, _)| l as f32)
}

/// Chinese rendered in a label when its distinct Chinese characters show
/// (mostly) distinct glyph shapes. Missing glyphs are drawn as one repeated
/// replacement box, or not at all, and fail.
fn check_chinese_label(img: &Rgb, label: &serde_json::Value) -> Result<String, String> {
    let text = label["text"].as_str().unwrap_or_default();
    let rect = rect_of(&label["rect_px"]).ok_or("label without rect_px")?;
    let background = background_luma(img, rect);
    let mut seen = BTreeSet::new();
    let mut signatures: Vec<(char, Vec<bool>)> = Vec::new();
    let mut empty = Vec::new();
    for cell in label["chars"].as_array().into_iter().flatten() {
        let c = cell["char"].as_str().and_then(|s| s.chars().next()).unwrap_or(' ');
        if !is_cjk(c) || !seen.insert(c) {
            continue;
        }
        let r = rect_of(&cell["rect_px"]).ok_or("char without rect_px")?;
        match glyph_signature(img, r, background) {
            Some(sig) => signatures.push((c, sig)),
            None => empty.push(c),
        }
    }
    let distinct_chars = seen.len();
    if distinct_chars < 2 {
        return Err(format!("{text:?}: fewer than 2 distinct Chinese characters, cannot judge"));
    }
    if !empty.is_empty() {
        return Err(format!("{text:?}: no ink where {:?} should be", empty.iter().collect::<String>()));
    }
    // Greedy clustering: a signature joins a cluster when it differs from its
    // first member in under 12% of the grid.
    let mut clusters: Vec<&Vec<bool>> = Vec::new();
    for (_, sig) in &signatures {
        let differs = |other: &Vec<bool>| sig.iter().zip(other).filter(|(a, b)| a != b).count();
        if !clusters.iter().any(|c| differs(c) * 100 < GRID * GRID * 12) {
            clusters.push(sig);
        }
    }
    let needed = (distinct_chars * 6).div_ceil(10).max(2);
    if clusters.len() >= needed {
        Ok(format!("{text:?}: {} glyph shapes for {distinct_chars} distinct characters", clusters.len()))
    } else {
        Err(format!(
            "{text:?}: only {} distinct glyph shapes for {distinct_chars} distinct Chinese characters (need {needed}): \
             Chinese did not render",
            clusters.len()
        ))
    }
}

fn rect_of(v: &serde_json::Value) -> Option<[f32; 4]> {
    let a = v.as_array()?;
    let f = |i: usize| a.get(i)?.as_f64().map(|x| x as f32);
    Some([f(0)?, f(1)?, f(2)?, f(3)?])
}

#[test]
fn image_checks_tell_glyphs_from_boxes_and_blank_frames() {
    // A 3-glyph label: two distinct shapes drawn in cells 0 and 1, and a box repeated.
    let (w, h) = (90, 30);
    let mut img = Rgb { width: w, height: h, data: vec![240; w * h * 3] };
    let mut dot = |x: usize, y: usize| {
        let i = (y * w + x) * 3;
        img.data[i..i + 3].copy_from_slice(&[20, 20, 20]);
    };
    for i in 5..25 {
        dot(5 + i / 2, i); // a diagonal stroke
        dot(15, i); // a vertical stroke
        dot(35 + i / 3, 15); // horizontal in cell 1
        dot(45, i);
        dot(40 - i / 4, i);
    }
    let label = |chars: &[(char, usize)]| {
        serde_json::json!({
            "text": "测试",
            "rect_px": [0.0, 0.0, w as f32, h as f32],
            "chars": chars.iter().map(|(c, x)| serde_json::json!({
                "char": c.to_string(), "rect_px": [*x as f32, 0.0, (*x + 30) as f32, h as f32]
            })).collect::<Vec<_>>(),
        })
    };
    let rgb = Rgb { width: w, height: h, data: img.data.clone() };
    assert!(check_chinese_label(&rgb, &label(&[('测', 0), ('试', 30)])).is_ok());
    // The same cell twice, as identical boxes would be.
    assert!(check_chinese_label(&rgb, &label(&[('测', 0), ('试', 0)])).is_err());
    // Nothing drawn where the characters should be.
    assert!(check_chinese_label(&rgb, &label(&[('测', 60), ('试', 60)])).is_err());
    assert!(blank_reason(&Rgb { width: 10, height: 10, data: vec![30; 300] }).is_some());
}

// ---------------------------------------------------------------------------
// The real window, driven by the app's autoplay harness (`dev` builds only).

#[cfg(feature = "dev")]
mod window {
    use super::*;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    struct Xvfb(Child);

    impl Drop for Xvfb {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// Uses DISPLAY when set; otherwise starts a private Xvfb.
    fn display() -> (String, Option<Xvfb>) {
        if let Ok(d) = std::env::var("DISPLAY")
            && !d.is_empty()
        {
            return (d, None);
        }
        let found = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join("Xvfb").is_file()))
            .unwrap_or(false);
        assert!(
            found,
            "DISPLAY is unset and Xvfb is not installed. Install the window-test packages with:\n  \
             apt-get install -y xvfb mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 xauth"
        );
        let base = 100 + (std::process::id() % 400);
        let n = (base..base + 100)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("no free X display number");
        let child = Command::new("Xvfb")
            .args([format!(":{n}"), "-screen".into(), "0".into(), "1920x1080x24".into(), "-nolisten".into(), "tcp".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let guard = Xvfb(child);
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let start = Instant::now();
        while !socket.exists() {
            assert!(start.elapsed() < Duration::from_secs(15), "Xvfb :{n} did not start within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        (format!(":{n}"), Some(guard))
    }

    fn runtime_dir(root: &Path) -> PathBuf {
        if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
            return d.into();
        }
        let dir = root.join("xdg-runtime");
        std::fs::create_dir_all(&dir).expect("create XDG_RUNTIME_DIR");
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod XDG_RUNTIME_DIR");
        dir
    }

    struct Run {
        dir: PathBuf,
        status: Option<i32>,
        stderr: String,
        labels: serde_json::Value,
    }

    /// Runs the app with autoplay into `dir`; `extra` env vars on top.
    fn run_app(root: &Path, name: &str, display: &str, extra: &[(&str, &str)], hold: bool) -> Run {
        let dir = root.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create output dir");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_counterpart"));
        cmd.current_dir(manifest_dir())
            .env("DISPLAY", display)
            .env("XDG_RUNTIME_DIR", runtime_dir(root))
            .env("COUNTERPART_AUTOPLAY", &dir)
            .env("COUNTERPART_DB", dir.join("records.sqlite3"))
            // The citizen's copy of the notice is printed here, not into a Documents folder.
            .env("COUNTERPART_EXPORT_DIR", dir.join("exports"))
            .env("COUNTERPART_AUTOPLAY_TIMEOUT", "240")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("COUNTERPART_NO_CJK_FONT")
            .env_remove("COUNTERPART_AUTOPLAY_HOLD")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr.log")).expect("stderr log"));
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the app");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the app") {
                break status.code();
            }
            if hold && dir.join("holding").exists() {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            // The app's own watchdog ends it at 255 s; this only guards the test.
            if start.elapsed() > Duration::from_secs(300) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the app was still running after 300 s; see {}", dir.join("stderr.log").display());
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let stderr = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
        let labels = std::fs::read_to_string(dir.join("labels.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null);
        Run { dir, status, stderr, labels }
    }

    fn tail(s: &str) -> String {
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Checks every shot in a run; returns (non-blank failures, Chinese results per shot).
    fn check_run(run: &Run) -> (Vec<String>, Vec<(String, Result<String, String>)>) {
        let mut blank = Vec::new();
        let mut chinese = Vec::new();
        for shot in run.labels["shots"].as_array().into_iter().flatten() {
            let file = shot["file"].as_str().unwrap_or_default().to_string();
            let img = match Rgb::load(&run.dir.join(&file)) {
                Ok(img) => img,
                Err(e) => {
                    blank.push(e);
                    continue;
                }
            };
            if let Some(reason) = blank_reason(&img) {
                blank.push(format!("{file}: {reason}"));
            }
            for label in shot["labels"].as_array().into_iter().flatten() {
                let text = label["text"].as_str().unwrap_or_default();
                if text.chars().filter(|c| is_cjk(*c)).collect::<BTreeSet<_>>().len() >= 2 {
                    chinese.push((file.clone(), check_chinese_label(&img, label)));
                }
            }
        }
        (blank, chinese)
    }

    #[test]
    fn window_smoke_walks_an_encounter_and_renders_chinese() {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("window-smoke");
        std::fs::create_dir_all(&root).expect("create target/tmp/window-smoke");
        let (display, _xvfb) = display();

        let run = run_app(&root, "run", &display, &[], false);
        assert_eq!(
            run.status,
            Some(0),
            "autoplay failed (exit {:?}); last lines of {}:\n{}",
            run.status,
            run.dir.join("stderr.log").display(),
            tail(&run.stderr)
        );
        let shots: Vec<String> = run.labels["shots"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["screen"].as_str().map(str::to_string))
            .collect();
        for screen in ["Start", "Library", "Encounter", "Debrief", "History", "Author"] {
            assert!(shots.iter().any(|s| s == screen), "no screenshot of {screen}; got {shots:?}");
        }
        let files: Vec<&str> =
            run.labels["shots"].as_array().into_iter().flatten().filter_map(|s| s["file"].as_str()).collect();
        assert!(files.iter().any(|f| f.starts_with("11-practice-debrief")), "the practice run reached its debrief: {files:?}");
        // A hot-seat slot played through ends in the member's debrief, on the
        // drill screen, before the scoreboard; then the observer sheet.
        let titles_of = |name: &str| -> Vec<String> {
            run.labels["shots"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| s["file"].as_str().is_some_and(|f| f.starts_with(name)))
                .flat_map(|s| s["labels"].as_array().cloned().unwrap_or_default())
                .filter_map(|l| l["text"].as_str().map(str::to_string))
                .collect()
        };
        for shot in ["13-drill-hot-seat", "14-drill-debrief", "15-drill-debrief-replay", "16-drill-scoreboard", "18-drill-observer-sheet"] {
            assert!(files.iter().any(|f| f.starts_with(shot)), "no {shot} screenshot: {files:?}");
        }
        let debrief = titles_of("14-drill-debrief");
        assert!(debrief.iter().any(|t| t.starts_with("复盘")), "the slot's debrief is on screen after the DISC guess: {debrief:?}");
        let board = titles_of("16-drill-scoreboard");
        assert!(!board.iter().any(|t| t.starts_with("复盘")), "Enter went on from the debrief to the scoreboard: {board:?}");
        // The counter encounter: the notice on the desk, then its debrief
        // after the DISC guess (autoplay itself checks the notice was scored
        // and the citizen's copy written), and the copy is where it said.
        for shot in ["19-counter-notice", "20-counter-notice-debrief"] {
            assert!(files.iter().any(|f| f.starts_with(shot)), "no {shot} screenshot: {files:?}");
        }
        let counter = titles_of("20-counter-notice-debrief");
        assert!(counter.iter().any(|t| t.starts_with("复盘") && t.contains("执照")), "the counter encounter's debrief is on screen: {counter:?}");
        let copies: Vec<PathBuf> = std::fs::read_dir(run.dir.join("exports").join("告知单 notices"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        assert_eq!(copies.len(), 1, "one citizen's copy printed: {copies:?}");
        let copy = std::fs::read_to_string(&copies[0]).expect("read the citizen's copy");
        assert!(copy.contains("一次性告知单") && copy.contains("材料都要带原件") && copy.contains("</html>"), "{}", copies[0].display());
        let (blank, chinese) = check_run(&run);
        assert!(blank.is_empty(), "blank screenshots:\n{}", blank.join("\n"));
        let failures: Vec<String> =
            chinese.iter().filter_map(|(f, r)| r.as_ref().err().map(|e| format!("{f}: {e}"))).collect();
        assert!(failures.is_empty(), "Chinese did not render:\n{}", failures.join("\n"));
        let passed = chinese.iter().filter(|(_, r)| r.is_ok()).count();
        assert!(passed >= 4, "only {passed} screen titles with Chinese to check: {chinese:?}");
        for (file, result) in &chinese {
            eprintln!("{file}: {}", result.as_ref().unwrap_or_else(|e| e));
        }

        // Negative control: without the CJK font the same check must fail.
        let control = run_app(&root, "no-cjk-font", &display, &[("COUNTERPART_NO_CJK_FONT", "1"), ("COUNTERPART_AUTOPLAY_HOLD", "library")], true);
        let (blank, chinese) = check_run(&control);
        assert!(blank.is_empty(), "negative control: blank screenshots:\n{}", blank.join("\n"));
        assert!(
            chinese.len() >= 2,
            "negative control produced no Chinese labels to check (exit {:?}):\n{}",
            control.status,
            tail(&control.stderr)
        );
        for (file, result) in &chinese {
            assert!(result.is_err(), "negative control: {file} passed the Chinese check without the CJK font: {result:?}");
        }

        if std::env::var_os("COUNTERPART_UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
            let docs = manifest_dir().join("docs/screenshots");
            std::fs::create_dir_all(&docs).expect("create docs/screenshots");
            for shot in run.labels["shots"].as_array().into_iter().flatten() {
                let file = shot["file"].as_str().unwrap_or_default();
                std::fs::copy(run.dir.join(file), docs.join(file)).expect("copy screenshot");
            }
        }
    }
}
