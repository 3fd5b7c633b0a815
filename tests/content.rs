//! The bundled scenario library: every file validates cleanly, meets the
//! content quality bar, and its analyzer extremes replay exactly in play.

use counterpart_core::analysis::analyze::{Objective, analyze, analyze_personas};
use counterpart_core::play::engine::Encounter;
use counterpart_core::library::load::{LoadedFile, load_all};
use counterpart_core::scenario::model::{Channel, DiscStyle, Difficulty};
use counterpart_core::play::rubric::Dimension;
use std::collections::HashSet;
use std::path::PathBuf;

fn bundled() -> Vec<LoadedFile> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    load_all(&[folder])
}

#[test]
fn every_bundled_scenario_loads_without_errors_or_warnings() {
    let loaded = bundled();
    assert!(!loaded.is_empty());
    for file in &loaded {
        let problems: Vec<String> =
            file.errors().iter().chain(&file.warnings).map(|d| d.to_string()).collect();
        assert!(problems.is_empty(), "{}:\n{}", file.path.display(), problems.join("\n"));
    }
}

#[test]
fn analyzer_extremes_replay_to_the_same_scores() {
    for file in bundled() {
        let script = file.script().expect("loads").clone();
        for analysis in analyze_personas(&script).expect("analysable") {
            let persona = analysis.persona;
            for objective in Objective::ALL {
                for extreme in [analysis.best(objective), analysis.worst(objective)].into_iter().flatten() {
                    let played = Encounter::play_route_as(script.clone(), 11, persona, &extreme.route).unwrap_or_else(|e| {
                        panic!("{} persona {persona}: {:?} route {:?}: {e}", script.scenario.id, objective, extreme.route)
                    });
                    let card = played.score();
                    assert_eq!(objective.of(&card), extreme.score, "{} persona {persona} {:?}", script.scenario.id, objective);
                    assert_eq!(played.ending().map(|e| e.id.as_str()), Some(extreme.ending.as_str()));
                    assert_eq!(card.rating, Some(extreme.rating), "{} persona {persona} {:?}", script.scenario.id, objective);
                    assert_eq!(card.passed, extreme.passed, "{} persona {persona} {:?}", script.scenario.id, objective);
                }
            }
        }
    }
}

/// The quality bar from the content brief, for every persona.
#[test]
fn every_scenario_meets_the_quality_bar() {
    let mut failures = Vec::new();
    for file in bundled() {
        let script = file.script().expect("loads").clone();
        let s = &script.scenario;
        let names: Vec<String> = s.citizen.all_personas().into_iter().map(|p| p.id).collect();
        let mut fail = |why: String| failures.push(format!("{}: {why}", s.id));
        for turn in &s.turns {
            if turn.options.len() < 3 {
                fail(format!("turn {} has {} options; at least 3 wanted", turn.id, turn.options.len()));
            }
        }
        if !s.turns.iter().flat_map(|t| &t.options).any(|o| o.red_flag.is_some()) {
            fail("no red-flag trap".into());
        }
        if !s.turns.iter().flat_map(|t| &t.says).any(|l| l.variants.len() > 1) {
            fail("no wording variants".into());
        }
        for analysis in analyze_personas(&script).expect("analysable") {
            let persona = analysis.persona;
            let who = &names[persona];
            let mut fail = |why: String| failures.push(format!("{} ({who}): {why}", s.id));
            let reachable = analysis.reachable_turns.iter().filter(|r| **r).count();
            let best_len = analysis.best(Objective::Overall).map_or(0, |b| b.route.len());
            if !(6..=15).contains(&best_len) {
                fail(format!("best route has {best_len} trainee turns; 6–15 wanted"));
            }
            if reachable < 6 {
                fail(format!("only {reachable} reachable turns"));
            }
            let best = analysis.best(Objective::Overall).expect("best");
            if best.score < 90.0 {
                fail(format!("best overall {:.1} < 90", best.score));
            }
            if !best.passed {
                fail(format!("the best route does not pass (rated {:?}, ends {})", best.rating, best.ending));
            }
            // The best overall route itself must have every dimension ≥ 80.
            let played = Encounter::play_route_as(script.clone(), 0, persona, &best.route).expect("plays");
            for dim in Dimension::ALL {
                if played.score().dimension(dim) < 80.0 {
                    fail(format!("on the best route {dim:?} is {:.1} < 80", played.score().dimension(dim)));
                }
            }
            match &analysis.passing_route {
                None => fail("no passing route".into()),
                Some(p) => assert!(Encounter::play_route_as(script.clone(), 0, persona, &p.route).expect("plays").score().passed),
            }
            let worst = analysis.worst(Objective::Overall).expect("worst").score;
            if worst >= 40.0 {
                fail(format!("worst overall {worst:.1} ≥ 40"));
            }
            let breakdown = s.endings.iter().zip(&analysis.reachable_endings).any(|(e, r)| *r && e.outcome.is_breakdown());
            if !breakdown {
                fail("no route ends in a hang-up, walk-out or formal complaint".into());
            }
        }
    }
    assert!(failures.is_empty(), "quality bar:\n{}", failures.join("\n"));
}

#[test]
fn the_library_covers_every_style_channel_and_two_levels() {
    let loaded = bundled();
    let mut cells: HashSet<(DiscStyle, Channel, Difficulty)> = HashSet::new();
    for file in &loaded {
        let s = &file.script().expect("loads").scenario;
        cells.insert((s.citizen.disc.primary, s.channel, s.difficulty));
    }
    let mut missing = Vec::new();
    for style in DiscStyle::ALL {
        for channel in [Channel::Counter, Channel::Hotline] {
            let levels = cells.iter().filter(|(s, c, _)| *s == style && *c == channel).count();
            if levels < 2 {
                missing.push(format!("{style:?}/{channel:?} has {levels} difficulty level(s)"));
            }
        }
    }
    assert!(missing.is_empty(), "library gaps: {missing:?}");
}

#[test]
fn wording_variants_make_replays_differ_but_stay_deterministic() {
    for file in bundled() {
        let script = file.script().expect("loads").clone();
        let route = analyze(&script).expect("analysable").best(Objective::Overall).expect("best").route.clone();
        let a = Encounter::play_route(script.clone(), 1, &route).expect("plays");
        let again = Encounter::play_route(script.clone(), 1, &route).expect("plays");
        assert_eq!(a.steps(), again.steps(), "same seed, same transcript");
        assert_eq!(a.mood_trace(), again.mood_trace());
        assert_eq!(a.score(), again.score());
        let differs = (2..40).any(|seed| {
            Encounter::play_route(script.clone(), seed, &route).expect("plays").steps() != a.steps()
        });
        assert!(differs, "{}: no seed changes the wording", script.scenario.id);
    }
}

// --- `counterpart play` and `validate` as trainers and scripts drive them ---

const FIXTURE: &str = "tests/fixtures/hotline-water-outage.ron";
const BEST_IDS: &str = "own_it,confirm_facts,explain_process,repair_first,water_truck,ticket_callback";

fn counterpart(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_counterpart"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn play_takes_option_ids_numbers_and_late_answers() {
    let by_ids = counterpart(&["play", FIXTURE, "--choices", BEST_IDS, "--json"], None);
    assert!(by_ids.status.success(), "{}", String::from_utf8_lossy(&by_ids.stderr));
    let by_numbers = counterpart(&["play", FIXTURE, "--choices", "2,2,2,2,2,3", "--json"], None);
    assert!(by_numbers.status.success(), "{}", String::from_utf8_lossy(&by_numbers.stderr));
    let (a, b) = (json_of(&by_ids), json_of(&by_numbers));
    assert_eq!(a["score"], b["score"], "ids and file numbers name the same options");
    assert_eq!(a["choices"], serde_json::json!(BEST_IDS.split(',').collect::<Vec<_>>()));
    assert_eq!(a["score"]["rating"], "satisfied");
    assert_eq!(a["score"]["rules"], 2);

    // The same route with the first answer late: timed out, the caller angrier.
    let late = json_of(&counterpart(&["play", FIXTURE, "--choices", BEST_IDS, "--late", "open", "--json"], None));
    assert_eq!(late["steps"][0]["timed_out"], true);
    assert!(late["mood_trace"][1]["upset"].as_u64() > a["mood_trace"][1]["upset"].as_u64());
    let typed = json_of(&counterpart(&["play", FIXTURE, "--choices", "own_it@40,confirm_facts,explain_process,repair_first,water_truck,ticket_callback", "--json"], None));
    assert_eq!(typed["steps"][0]["timed_out"], true);
    assert_eq!(typed["steps"][0]["response_secs"], 40.0);

    // Mistakes get a plain, specific message and exit 2.
    let wrong = counterpart(&["play", FIXTURE, "--choices", "own_it,confirm_fact"], None);
    assert_eq!(wrong.status.code(), Some(2));
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(message.contains("choice 2") && message.contains("has no option \"confirm_fact\"") && message.contains("Did you mean \"confirm_facts\""), "{message}");
    let zero = counterpart(&["play", FIXTURE, "--choices", "0"], None);
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("options 1 to 4"));
    let short = counterpart(&["play", FIXTURE, "--choices", "own_it"], None);
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("add more choices"));
    let persona = counterpart(&["play", FIXTURE, "--choices", BEST_IDS, "--persona", "nobody"], None);
    assert_eq!(persona.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&persona.stderr).contains("no persona \"nobody\"; personas: main"));
}

#[test]
fn explain_shows_the_worked_example_as_the_scoring_guide_computes_it_and_a_late_answer_costs_its_mood() {
    let example = "docs/examples/worked-example-third-trip.ron";
    let route = "d_own_it,d_check,s_list,maybe,d_close";
    let out = counterpart(&["explain", example, "--persona", "main", "--choices", route, "--lang", "en"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    // The figures of docs/scoring.md's worked example, computed there by hand.
    for expected in [
        "[3] list: s_list  author -12/+10 · DISC +4/-3 → upset 22 · trust 69",
        "missed chance, capped at 2: [3] [4]",
        "Overall = 100.0×20% + 100.0×20% + 75.0×20% + 55.6×15% + 66.7×25% = 80.0",
        "Citizen's rating Satisfied: Upset ended at 21 (below 30) and trust at 70 (at least 60)",
        "Verdict: pass",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // A hotline answer after its time limit shows the cost apart from the author's numbers.
    let late = counterpart(&["explain", FIXTURE, "--choices", BEST_IDS, "--late", "open", "--lang", "en"], None);
    assert!(late.status.success(), "{}", String::from_utf8_lossy(&late.stderr));
    let late = String::from_utf8_lossy(&late.stdout);
    let open = late.lines().find(|l| l.contains("] open: ")).unwrap_or_else(|| panic!("{late}"));
    assert!(open.contains("late +10/-5"), "{open}");
    // A wrong id is refused the way play refuses it.
    let bad = counterpart(&["explain", example, "--choices", "d_own_it,nonsense"], None);
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stdout));
}

#[test]
fn play_lists_every_option_with_its_id_and_quality_and_prints_a_route_to_paste_back() {
    let out = counterpart(&["play", FIXTURE, "--choices", BEST_IDS, "--late", "open", "--lang", "en"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let scenario = counterpart_core::scenario::parse::parse_scenario(&std::fs::read_to_string(FIXTURE).unwrap(), FIXTURE).unwrap();
    let played: Vec<&str> = BEST_IDS.split(',').collect();
    for (turn, chosen) in scenario.turns.iter().zip(&played) {
        for option in &turn.options {
            let row = text.lines().find(|l| l.contains(&format!("[{}]", option.id)) && !l.contains("→")).unwrap_or_else(|| panic!("{} not listed:\n{text}", option.id));
            let quality = if option.red_flag.is_some() { "RED FLAG" } else { "" };
            assert!(row.contains(quality) && ["good", "mixed", "poor", "RED FLAG"].iter().any(|q| row.contains(q)), "{row}");
            assert_eq!(row.trim_start().starts_with('*'), option.id == *chosen, "{row}");
        }
    }
    // The route line, pasted back, plays the same encounter.
    let route = text.lines().find_map(|l| l.strip_prefix("route: ")).expect("a route line");
    assert_eq!(route, format!("--persona main --choices {BEST_IDS} --late open"));
    let mut again = vec!["play", FIXTURE, "--json"];
    again.extend(route.split_whitespace());
    let (a, b) = (
        json_of(&counterpart(&["play", FIXTURE, "--choices", BEST_IDS, "--late", "open", "--json"], None)),
        json_of(&counterpart(&again, None)),
    );
    assert_eq!(a["score"], b["score"]);
    assert_eq!(a["mood_trace"], b["mood_trace"]);
}

#[test]
fn interactive_play_prints_json_prompts_in_the_order_shown_and_survives_bad_input() {
    // Answer by option id, after one line that is no answer at all.
    let mut input = String::from("nonsense\n");
    for id in BEST_IDS.split(',') {
        input.push_str(id);
        input.push('\n');
    }
    let out = counterpart(&["play", FIXTURE, "--interactive", "--json", "--seed", "5"], Some(&input));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .take_while(|l| l.starts_with("{\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["turn"], "open");
    assert_eq!(lines[0]["options"].as_array().unwrap().len(), 4);
    assert!(lines[1]["error"].as_str().unwrap().contains("no option \"nonsense\""), "{}", lines[1]);
    assert_eq!(lines[2]["turn"], "open", "asked again after the bad line");
    // The prompt lists the options in the order this attempt shows them,
    // which is what the engine shows for the same seed.
    let script = counterpart_core::library::load::load_file(std::path::Path::new(FIXTURE)).script().unwrap().clone();
    let encounter = Encounter::new(script.clone(), 5);
    let prompt = encounter.prompt().unwrap();
    let shown: Vec<&str> = prompt.shown().map(|(_, o)| o.id.as_str()).collect();
    let printed: Vec<&str> = lines[0]["options"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(printed, shown);
    assert!(text.contains("\"rating\": \"satisfied\""), "the debrief follows the last prompt");

    // Numbers in interactive play are positions as shown.
    let first_shown = prompt.option_at(0).unwrap();
    let one = counterpart(&["play", FIXTURE, "--interactive", "--json", "--seed", "5"], Some("1\n"));
    let after: Vec<serde_json::Value> = String::from_utf8_lossy(&one.stdout).lines().filter(|l| l.starts_with("{\"")).map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut expected = Encounter::new(script, 5);
    expected.choose(first_shown, None).unwrap();
    assert_eq!(after[1]["turn"], expected.prompt().unwrap().turn.id.as_str());

    // A closed input ends with a message, never a panic.
    assert_eq!(one.status.code(), Some(3));
    assert_eq!(after.last().unwrap()["closed"], true);
    assert!(!String::from_utf8_lossy(&one.stderr).contains("panicked"));
}

#[test]
fn persona_mistakes_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(FIXTURE).unwrap();
    let cases = [
        ("empty", "personas: [],", "no-personas"),
        ("same-blend", "personas: [(id: \"twin\", disc: (primary: D, secondary: I))],", "duplicate-persona"),
        ("twice", "personas: [(id: \"calm\", disc: (primary: S)), (id: \"calm\", disc: (primary: C))],", "duplicate-id"),
    ];
    for (name, personas, code) in cases {
        let text = base.replacen("mood: (upset: 82, trust: 22),", &format!("mood: (upset: 82, trust: 22),\n        {personas}"), 1);
        let path = dir.path().join(format!("{name}.ron"));
        std::fs::write(&path, text).unwrap();
        let out = counterpart(&["validate", path.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains(&format!("error[{code}]")), "{name}: {report}");
        assert!(!report.contains("panicked"));
    }
    // A condition naming a persona the citizen does not have.
    let text = base.replacen("(when: UpsetAtLeast(95), to: \"hung_up\")", "(when: Persona(\"stedy\"), to: \"hung_up\")", 1).replacen(
        "mood: (upset: 82, trust: 22),",
        "mood: (upset: 82, trust: 22),\n        personas: [(id: \"steady\", disc: (primary: S))],",
        1,
    );
    let path = dir.path().join("unknown.ron");
    std::fs::write(&path, text).unwrap();
    let out = counterpart(&["validate", "--lang", "en", path.to_str().unwrap()], None);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("error[unknown-persona]") && report.contains("did you mean \"steady\"?"), "{report}");
    assert!(report.contains("unknown.ron:"), "located: {report}");
    // In Chinese by default, as trainers read it.
    let out = counterpart(&["validate", path.to_str().unwrap()], None);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("条件里写的人设 \"stedy\"，这位群众没有") && report.contains("是不是想写 \"steady\"？"), "{report}");
}

#[test]
fn a_scenario_whose_best_answer_is_always_the_longest_fails_strict_validation() {
    // The frozen fixture was written the way authors naturally write: the
    // model answer is the long, complete one. The checks must say so.
    let out = counterpart(&["validate", "--strict", "--lang", "en", FIXTURE], None);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    for code in ["best-is-longest", "gameable-player", "over-claiming", "style-does-not-matter"] {
        assert!(report.contains(code), "{code} missing:\n{report}");
    }
    assert!(report.contains("Cut the best answer to one turn's worth"), "{report}");
    // Chinese by default, message and hint alike.
    let report = String::from_utf8_lossy(&counterpart(&["validate", "--strict", FIXTURE], None).stdout).into_owned();
    assert!(report.contains("也是最长的") && report.contains("提示: 学员只要挑最长的就能拿分"), "{report}");
    // Without --strict the same findings are warnings: it still loads.
    assert_eq!(counterpart(&["validate", FIXTURE], None).status.code(), Some(0));
}

/// Protocol cases: the right answer is a warm, explained handover, so the
/// best route of every persona ends escalated, never merely "resolved".
#[test]
fn protocol_scenarios_are_best_handled_by_escalating() {
    use counterpart_core::scenario::model::Outcome;
    let protocol = ["hotline-gas-smell", "hotline-suicide-risk", "hotline-public-opinion", "hotline-harassing-caller"];
    let loaded = bundled();
    for id in protocol {
        let script = loaded
            .iter()
            .filter_map(|f| f.script())
            .find(|s| s.scenario.id == id)
            .unwrap_or_else(|| panic!("protocol scenario {id} is bundled"))
            .clone();
        for analysis in analyze_personas(&script).expect("analysable") {
            let best = analysis.best(Objective::Overall).expect("best");
            let ending = script.scenario.endings.iter().find(|e| e.id == best.ending).expect("ending exists");
            assert_eq!(ending.outcome, Outcome::Escalated, "{id} persona {}: best route ends {}", analysis.persona, best.ending);
            assert!(best.passed, "{id} persona {}", analysis.persona);
        }
    }
}

/// The spreadsheet round trip on every bundled scenario: an untouched
/// workbook changes nothing; editing every option's mood, fit, answer kind
/// and English answer in the workbook gives a file whose own sheet is the
/// edited one, with every comment kept; the kinds typed in Chinese give the
/// same file.
#[test]
fn the_sheet_round_trip_is_lossless_on_every_bundled_scenario() {
    use counterpart_core::scenario::model::AnswerKind;
    use counterpart_core::scenario::parse::parse_scenario;
    use counterpart_core::scenario::sheet::{column, export_xlsx, import, read_xlsx, rows};
    let col = |key: &str| column(key).unwrap_or_else(|| panic!("the sheet has a {key} column"));
    let (mood, fit, kind, text_en) = (col("mood"), col("fit"), col("kind"), col("text_en"));
    // Every kind, and none, in turn.
    let kind_of = |n: usize| AnswerKind::ALL.get(n % (AnswerKind::ALL.len() + 1)).copied();
    let mut checked = 0;
    let mut kinds_written = 0;
    for file in bundled() {
        let source = std::fs::read_to_string(&file.path).unwrap();
        let label = file.path.display().to_string();
        let scenario = parse_scenario(&source, &label).unwrap();
        let sheet = read_xlsx(&export_xlsx(&scenario).unwrap()).unwrap();
        assert_eq!(sheet, rows(&scenario), "{label}: the workbook reads back as exported");
        let same = import(&source, &scenario, &sheet).unwrap();
        assert_eq!(same.source, source, "{label}: an untouched sheet changes the file");
        assert!(same.changes.is_empty());

        let mut edited = sheet.clone();
        let mut edited_zh = sheet.clone();
        for (n, (row, row_zh)) in edited.iter_mut().zip(edited_zh.iter_mut()).enumerate().skip(1) {
            let upset = if n % 2 == 0 { 7 } else { -7 };
            row[mood] = format!("upset: {upset}, trust: {}", n % 5);
            row[fit] = format!("d: {}, i: 1, s: 0, c: -1", (n % 5) as i8 - 2);
            row[text_en] = format!("{} (rev.)", row[text_en]);
            row[kind] = kind_of(n).map(|k| format!("{k:?}")).unwrap_or_default();
            kinds_written += usize::from(kind_of(n).is_some());
            *row_zh = row.clone();
            row_zh[kind] = kind_of(n).map(|k| k.label().zh).unwrap_or_default();
        }
        let done = import(&source, &scenario, &edited).unwrap_or_else(|e| panic!("{label}: {e:?}"));
        let reparsed = parse_scenario(&done.source, &label).unwrap_or_else(|d| panic!("{label}: the import broke the file: {d}"));
        assert_eq!(rows(&reparsed), edited, "{label}: the file's sheet is the edited sheet");
        let comments = |s: &str| s.lines().filter(|l| l.trim_start().starts_with("//")).count();
        assert_eq!(comments(&done.source), comments(&source), "{label}: comments kept");
        let done_zh = import(&source, &scenario, &edited_zh).unwrap_or_else(|e| panic!("{label}: {e:?}"));
        assert_eq!(done_zh.source, done.source, "{label}: kinds typed in Chinese are the same kinds");
        checked += 1;
    }
    assert!(kinds_written > 100, "only {kinds_written} kinds written");
    assert!(checked >= 30, "only {checked} scenarios checked");
}
