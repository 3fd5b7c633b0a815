//! Training validity: could a trainee who does not read the options earn
//! the score? Players that go by surface features (the longest text, the
//! most courtesy words, a fixed position, the most process words) play
//! every persona; the shape of each turn is measured (is the best answer
//! the longest? does the best answer depend on the citizen's style?); and
//! the analyzer's bounds say whether good and poor play are far apart.
//! Every finding names the turn and options, why it undermines training,
//! and what to change.

use crate::analysis::analyze::{Analysis, Objective, best_dissatisfied as best_dissatisfied_route};
use crate::play::engine::{Encounter, Script};
use crate::play::flow::suitability;
use crate::scenario::model::{Choice, DiscStyle, Text};
use crate::play::rubric::{PASS_OVERALL, spoken_length};
use serde::Serialize;

/// A surface player within this many points of the best route is a
/// finding even when it fails.
pub(crate) const BOT_MARGIN: f32 = 15.0;
/// Above this share of turns with the best answer also the longest, length
/// gives the answer away.
pub const MAX_LONGEST_SHARE: f32 = 0.4;
/// Above this share of turns whose best answer is the same for every DISC
/// style, the style is not being trained.
pub const MAX_SAME_BEST_SHARE: f32 = 0.5;
/// Best and worst routes closer than this do not tell good play from poor.
pub(crate) const MIN_SPREAD: f32 = 30.0;
/// A surface player that has not ended by then is stuck in a loop.
const MAX_BOT_STEPS: usize = 200;

/// Words of service courtesy a test-wise trainee looks for.
pub(crate) const COURTESY_WORDS: &[&str] = &["您", "请", "理解", "抱歉", "对不起", "谢谢", "感谢", "工号", "辛苦", "麻烦"];
/// Words of procedure a test-wise trainee looks for.
pub(crate) const PROCESS_WORDS: &[&str] =
    &["核实", "登记", "转办", "工单", "回访", "时限", "工作日", "记录", "反馈", "承办", "受理", "编号", "单号", "跟进"];

/// A player that never reads for meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Bot {
    Longest,
    Politest,
    ProcessWords,
    /// Always the option at this position (0-based) in the authored order,
    /// the last one when a turn has fewer.
    Position(usize),
}

fn count_words(text: &str, words: &[&str]) -> usize {
    words.iter().map(|w| text.matches(w).count()).sum()
}

impl Bot {
    /// The option this player picks; ties go to the first.
    pub fn pick(self, options: &[Choice]) -> usize {
        let by = |f: &dyn Fn(&Choice) -> usize| {
            let mut best = 0;
            for (i, o) in options.iter().enumerate() {
                if f(o) > f(&options[best]) {
                    best = i;
                }
            }
            best
        };
        match self {
            Bot::Longest => by(&|o| spoken_length(&o.text.zh)),
            Bot::Politest => by(&|o| count_words(&o.text.zh, COURTESY_WORDS)),
            Bot::ProcessWords => by(&|o| count_words(&o.text.zh, PROCESS_WORDS)),
            Bot::Position(k) => k.min(options.len().saturating_sub(1)),
        }
    }

    pub fn label(self) -> Text {
        match self {
            Bot::Longest => Text::new("总选最长的回答", "always the longest answer"),
            Bot::Politest => Text::new("总选礼貌用语最多的回答", "always the answer with the most courtesy words"),
            Bot::ProcessWords => Text::new("总选流程用语最多的回答", "always the answer with the most process words"),
            Bot::Position(k) => Text::new(format!("总选第 {} 个选项", k + 1), format!("always option {}", k + 1)),
        }
    }
}

/// How one surface player did as one persona.
#[derive(Debug, Clone, Serialize)]
pub struct BotRun {
    pub bot: Bot,
    pub persona: usize,
    pub persona_id: String,
    pub score: f32,
    pub passed: bool,
    /// False when the player went round a loop without reaching an ending.
    pub finished: bool,
    /// The best route's score for this persona.
    pub best: f32,
    /// The option ids it chose.
    pub route: Vec<String>,
    /// Whether it passes once its protocol actions are judged: it takes
    /// none, so in a scenario whose risk cue it hears it must fail.
    pub passed_with_protocol: bool,
}

/// The shape of one reachable turn.
#[derive(Debug, Clone, Serialize)]
pub struct TurnShape {
    pub turn: String,
    /// The best option for the main persona's style (first on ties).
    pub best: String,
    pub longest: String,
    pub best_is_longest: bool,
    /// The best option's length over the longest other option's.
    pub length_ratio: f32,
    /// The best option per DISC style, in `DiscStyle::ALL` order.
    pub best_by_style: Vec<String>,
    pub same_best_for_all_styles: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub message: Text,
    pub help: Text,
    pub turn: Option<String>,
    pub options: Vec<String>,
}

/// Everything the check found, for `validate`, the CLI and the author view.
#[derive(Debug, Clone, Serialize)]
pub struct Validity {
    pub bots: Vec<BotRun>,
    pub turns: Vec<TurnShape>,
    pub longest_share: f32,
    pub same_best_share: f32,
    pub median_length_ratio: f32,
    /// Best and worst overall per persona.
    pub spread: Vec<(String, f32, f32)>,
    /// Per persona, the best route as option ids.
    pub best_routes: Vec<(String, Vec<String>)>,
    /// Per persona, the best score of a route ending 不满意, and its ending.
    pub best_dissatisfied: Vec<(String, f32, String)>,
    pub findings: Vec<Finding>,
}

fn best_options(options: &[Choice], style: DiscStyle) -> Vec<usize> {
    let q: Vec<f32> = options.iter().map(|o| suitability(o, style)).collect();
    let top = q.iter().copied().fold(f32::MIN, f32::max);
    (0..options.len()).filter(|&i| (q[i] - top).abs() < 1e-4).collect()
}

fn play_bot(script: &std::sync::Arc<Script>, bot: Bot, persona: usize) -> (f32, bool, bool, Vec<String>, bool) {
    let mut encounter = Encounter::with_persona(script.clone(), 0, persona);
    let mut route = Vec::new();
    for _ in 0..MAX_BOT_STEPS {
        let Some(prompt) = encounter.prompt() else { break };
        let choice = bot.pick(prompt.options);
        route.push(prompt.options[choice].id.clone());
        if encounter.choose(choice, None).is_err() {
            break;
        }
    }
    let card = encounter.score();
    let finished = encounter.is_over();
    let with_protocol = finished && encounter.score_with_protocol().passed;
    (card.overall, finished && card.passed, finished, route, with_protocol)
}

fn persona_name(script: &Script, persona: usize) -> String {
    script.scenario.citizen.all_personas().get(persona).map(|p| p.id.clone()).unwrap_or_default()
}

/// Runs every check. `analyses` holds one analysis per persona, in order.
pub fn check(script: &std::sync::Arc<Script>, analyses: &[Analysis]) -> Validity {
    let s = &script.scenario;
    let mut findings = Vec::new();
    let max_options = s.turns.iter().map(|t| t.options.len()).max().unwrap_or(0);
    let mut bots_to_run = vec![Bot::Longest, Bot::Politest, Bot::ProcessWords];
    bots_to_run.extend((0..max_options).map(Bot::Position));

    let mut bots = Vec::new();
    for analysis in analyses {
        let persona = analysis.persona;
        let Some(best) = analysis.best(Objective::Overall).map(|e| e.score) else { continue };
        for &bot in &bots_to_run {
            let (score, passed, finished, route, passed_with_protocol) = play_bot(script, bot, persona);
            bots.push(BotRun { bot, persona, persona_id: persona_name(script, persona), score, passed, finished, best, route, passed_with_protocol });
        }
    }
    for &bot in &bots_to_run {
        let runs: Vec<&BotRun> = bots.iter().filter(|r| r.bot == bot).collect();
        let passing: Vec<&&BotRun> = runs.iter().filter(|r| r.passed).collect();
        let close: Vec<&&BotRun> = runs.iter().filter(|r| !r.passed && r.finished && r.score >= r.best - BOT_MARGIN).collect();
        let label = bot.label();
        let describe = |rs: &[&&BotRun]| {
            rs.iter().map(|r| format!("{} {:.0}/{:.0}", r.persona_id, r.score, r.best)).collect::<Vec<_>>().join(", ")
        };
        if !passing.is_empty() {
            findings.push(Finding {
                code: "gameable-player-passes",
                message: Text::new(
                    format!("不看内容、{}也能通过（人设 得分/最佳：{}）", label.zh, describe(&passing)),
                    format!("a player who does not read, choosing {}, passes (persona score/best: {})", label.en, describe(&passing)),
                ),
                help: Text::new(
                    "这个分数不能说明学员会服务。让干扰项和最佳回答一样长、一样礼貌，只在内容上错（转错部门、温和的过早承诺、只安抚不行动……），并把最佳回答放在不同位置。",
                    "Such a score says nothing about service skill. Make distractors as long and as polite as the best answer, wrong in substance (wrong department, a warm premature promise, warm with no action…), and vary where the best answer sits.",
                ),
                turn: None,
                options: Vec::new(),
            });
        } else if !close.is_empty() {
            findings.push(Finding {
                code: "gameable-player-close",
                message: Text::new(
                    format!("不看内容、{}得分离最佳路线不到 {BOT_MARGIN:.0} 分（{}）", label.zh, describe(&close)),
                    format!("a player choosing {} without reading comes within {BOT_MARGIN:.0} points of the best route ({})", label.en, describe(&close)),
                ),
                help: Text::new(
                    "读懂和没读懂的学员分数应当明显拉开。检查这种选法在哪些回合选中了好答案，把那里的干扰项改得同样长、同样礼貌。",
                    "Reading should make a clear difference. See which turns this player gets right and make the distractors there as long and as polite.",
                ),
                turn: None,
                options: Vec::new(),
            });
        }
    }

    // Risk protocols: the analyzer's routes score the conversation as if the
    // protocol were followed; a player who takes no protocol action must
    // still fail, which holds only where the best route hears a cue.
    if s.protocol.as_ref().is_some_and(|p| !p.required.is_empty()) {
        for analysis in analyses {
            let Some(best) = analysis.best(Objective::Overall) else { continue };
            let Ok(played) = Encounter::play_route_as(script.clone(), 0, analysis.persona, &best.route) else { continue };
            if played.score().passed && played.score_with_protocol().passed {
                let who = persona_name(script, analysis.persona);
                findings.push(Finding {
                    code: "protocol-avoidable",
                    message: Text::new(
                        format!("人设“{who}”的最佳路线上听不到任何风险线索：一次处置都不做也能通过"),
                        format!("on the best route for persona \"{who}\" no risk cue is heard: a player who takes no protocol action passes"),
                    ),
                    help: Text::new(
                        "把风险线索标在每条好路线都会经过的轮次或台词上，或删掉这项处置要求。",
                        "Mark the cue on a turn or line every good route passes through, or remove the requirement.",
                    ),
                    turn: None,
                    options: Vec::new(),
                });
            }
        }
    }

    // Turn shapes over the turns some persona can reach.
    let reachable = |t: usize| analyses.iter().any(|a| a.reachable_turns.get(t).copied().unwrap_or(false));
    let main_style = s.citizen.disc.primary;
    let mut turns = Vec::new();
    for (t, turn) in s.turns.iter().enumerate() {
        if turn.options.len() < 2 || !reachable(t) {
            continue;
        }
        let lengths: Vec<usize> = turn.options.iter().map(|o| spoken_length(&o.text.zh)).collect();
        let longest = (0..lengths.len()).max_by_key(|&i| (lengths[i], std::cmp::Reverse(i))).unwrap_or(0);
        let best_main = best_options(&turn.options, main_style);
        let best = best_main[0];
        let max_len = lengths[longest];
        let best_is_longest = best_main.iter().any(|&b| lengths[b] == max_len);
        let other = (0..lengths.len()).filter(|&i| i != best).map(|i| lengths[i]).max().unwrap_or(1).max(1);
        let by_style: Vec<Vec<usize>> = DiscStyle::ALL.iter().map(|&st| best_options(&turn.options, st)).collect();
        let same = by_style.iter().all(|b| b == &by_style[0]);
        turns.push(TurnShape {
            turn: turn.id.clone(),
            best: turn.options[best].id.clone(),
            longest: turn.options[longest].id.clone(),
            best_is_longest,
            length_ratio: lengths[best] as f32 / other as f32,
            best_by_style: by_style.iter().map(|b| turn.options[b[0]].id.clone()).collect(),
            same_best_for_all_styles: same,
        });
    }
    let share = |f: &dyn Fn(&TurnShape) -> bool| {
        if turns.is_empty() { 0.0 } else { turns.iter().filter(|t| f(t)).count() as f32 / turns.len() as f32 }
    };
    let longest_share = share(&|t| t.best_is_longest);
    let same_best_share = share(&|t| t.same_best_for_all_styles);
    let mut ratios: Vec<f32> = turns.iter().map(|t| t.length_ratio).collect();
    ratios.sort_by(f32::total_cmp);
    let median_length_ratio = ratios.get(ratios.len() / 2).copied().unwrap_or(0.0);
    if longest_share > MAX_LONGEST_SHARE {
        for shape in turns.iter().filter(|t| t.best_is_longest) {
            findings.push(Finding {
                code: "best-is-longest",
                message: Text::new(
                    format!(
                        "回合“{}”中最佳回答“{}”也是最长的（最长者占本场景回合的 {:.0}%，上限 {:.0}%；与次长选项之比 {:.1}）",
                        shape.turn, shape.best, longest_share * 100.0, MAX_LONGEST_SHARE * 100.0, shape.length_ratio
                    ),
                    format!(
                        "in turn \"{}\" the best answer \"{}\" is also the longest ({:.0}% of the scenario's turns are like this, the limit is {:.0}%; {:.1}× the next longest)",
                        shape.turn, shape.best, longest_share * 100.0, MAX_LONGEST_SHARE * 100.0, shape.length_ratio
                    ),
                ),
                help: Text::new(
                    "学员只要挑最长的就能拿分。把最佳回答压缩成一个回合该说的话，或把一个干扰项写得同样长（例如热情但没有行动、话太多）。",
                    "A trainee can score by picking the longest text. Cut the best answer to one turn's worth, or make a distractor as long (warm but with no action, or over-talking).",
                ),
                turn: Some(shape.turn.clone()),
                options: vec![shape.best.clone()],
            });
        }
    }
    if same_best_share > MAX_SAME_BEST_SHARE {
        for shape in turns.iter().filter(|t| t.same_best_for_all_styles) {
            findings.push(Finding {
                code: "style-does-not-matter",
                message: Text::new(
                    format!(
                        "回合“{}”对四种 DISC 风格的最佳回答都是“{}”（这样的回合占 {:.0}%，上限 {:.0}%）",
                        shape.turn, shape.best, same_best_share * 100.0, MAX_SAME_BEST_SHARE * 100.0
                    ),
                    format!(
                        "in turn \"{}\" the best answer is \"{}\" for every DISC style ({:.0}% of turns are like this, the limit is {:.0}%)",
                        shape.turn, shape.best, same_best_share * 100.0, MAX_SAME_BEST_SHARE * 100.0
                    ),
                ),
                help: Text::new(
                    "风格适配没有被训练到。给这个回合加一个内容同样正确、但方式不同的回答（对 D 简短果断，对 S 耐心分步），并用 fit 区分。",
                    "DISC adaptation is not being trained. Add an answer with the same substance in another manner (short and decisive for D, patient and step by step for S) and tell them apart with `fit`.",
                ),
                turn: Some(shape.turn.clone()),
                options: vec![shape.best.clone()],
            });
        }
    }

    let mut spread = Vec::new();
    let mut best_routes = Vec::new();
    for analysis in analyses {
        let (Some(best), Some(worst)) = (analysis.best(Objective::Overall), analysis.worst(Objective::Overall)) else { continue };
        let id = persona_name(script, analysis.persona);
        spread.push((id.clone(), best.score, worst.score));
        if let Ok(played) = Encounter::play_route_as(script.clone(), 0, analysis.persona, &best.route) {
            best_routes.push((id.clone(), played.steps().iter().map(|s| s.choice_id.clone()).collect()));
        }
        if best.score - worst.score < MIN_SPREAD {
            findings.push(Finding {
                code: "narrow-spread",
                message: Text::new(
                    format!("人设“{id}”的最佳路线 {:.0} 分、最差路线 {:.0} 分，相差不到 {MIN_SPREAD:.0} 分", best.score, worst.score),
                    format!("for persona \"{id}\" the best route scores {:.0} and the worst {:.0}, less than {MIN_SPREAD:.0} apart", best.score, worst.score),
                ),
                help: Text::new(
                    "好坏表现分不开。让错误选项真正在内容上出错（证据给 0–1），而不是只差一点。",
                    "Good and poor play are not told apart. Make wrong options wrong in substance (evidence 0–1), not just slightly weaker.",
                ),
                turn: None,
                options: Vec::new(),
            });
        }
    }
    let mut best_dissatisfied = Vec::new();
    for analysis in analyses {
        let id = persona_name(script, analysis.persona);
        let Ok(Some(bad)) = best_dissatisfied_route(script, analysis.persona) else { continue };
        best_dissatisfied.push((id.clone(), bad.score, bad.ending.clone()));
        if bad.score >= PASS_OVERALL {
            findings.push(Finding {
                code: "outcome-ignored",
                message: Text::new(
                    format!("人设“{id}”有一条以“不满意”收场（结局“{}”）的路线，单看分数却有 {:.0} 分，达到及格线", bad.ending, bad.score),
                    format!("for persona \"{id}\" a route that ends with the citizen dissatisfied (ending \"{}\") scores {:.0} on the numbers, at or above the pass mark", bad.ending, bad.score),
                ),
                help: Text::new(
                    "这样的路线一定不通过，但各项证据却说服务很好：证据和结局对不上。让通向这个结局的选项在证据上也体现出问题，或者调整情绪变化，让好的服务不会落到这个结局。",
                    "Such a route always fails, yet its evidence says the service was good: evidence and outcome disagree. Give the options that lead there the evidence of what went wrong, or change the mood effects so good service does not end this way.",
                ),
                turn: None,
                options: Vec::new(),
            });
        }
    }
    if analyses.len() > 1 {
        let routes: Vec<Option<&Vec<usize>>> =
            analyses.iter().map(|a| a.best(Objective::Overall).map(|e| &e.route)).collect();
        if routes.iter().all(|r| *r == routes[0]) {
            findings.push(Finding {
                code: "personas-same-route",
                message: Text::new(
                    "每个人设的最佳路线都一样：换了风格，最好的做法却不变",
                    "every persona has the same best route: the citizen's style changes nothing about what is best",
                ),
                help: Text::new(
                    "人设存在的意义是让不同风格需要不同的回答。在关键回合用 fit 区分“简短果断”和“耐心分步”等做法。",
                    "Personas exist so that different styles need different answers. In the key turns, tell manners apart with `fit` (short and decisive vs patient, step by step).",
                ),
                turn: None,
                options: Vec::new(),
            });
        }
    }
    Validity { bots, turns, longest_share, same_best_share, median_length_ratio, spread, best_routes, best_dissatisfied, findings }
}
