//! The encounter state machine. Scenario + seed + the trainee's choices
//! always give the same transcript, mood trace and score: the only
//! randomness is the seeded choice of wording.

use super::flow::{Flow, FlowError, State, Target};
use super::model::{Choice, Ending, Item, Mood, RedFlag, Scenario, Stage, Text, Turn};
use super::rubric::Dimension;
use super::score::{ScoreCard, Tally};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use thiserror::Error;

/// A scenario together with its resolved flow, shared by every encounter.
#[derive(Debug, Clone)]
pub struct Script {
    pub scenario: Scenario,
    pub flow: Flow,
}

impl Script {
    pub fn new(scenario: Scenario) -> Result<Arc<Script>, FlowError> {
        let flow = Flow::new(&scenario)?;
        Ok(Arc::new(Script { scenario, flow }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlayError {
    #[error("the encounter has already ended")]
    Ended,
    #[error("choice {given} is out of range: turn \"{turn}\" has options 1 to {count}")]
    OutOfRange { turn: String, given: usize, count: usize },
    #[error("the encounter needs more choices: it stopped at turn \"{turn}\" after {made} choices")]
    TooFewChoices { turn: String, made: usize },
    #[error("{extra} choices were left over after the encounter ended at \"{ending}\"")]
    TooManyChoices { ending: String, extra: usize },
}

/// One exchange: the citizen's line and the trainee's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub turn: usize,
    pub turn_id: String,
    /// Which of the turn's lines and which wording was shown.
    pub line: (usize, usize),
    pub said: Text,
    pub choice: usize,
    pub choice_id: String,
    pub mood_before: Mood,
    pub mood_after: Mood,
    /// Seconds the trainee took to answer, when timed.
    pub response_secs: Option<f32>,
    pub timed_out: bool,
    pub premature_solution: bool,
    pub red_flag: Option<RedFlag>,
}

/// What the trainee faces now.
#[derive(Debug, Clone, Copy)]
pub struct Prompt<'a> {
    pub turn: &'a Turn,
    pub turn_index: usize,
    pub said: &'a Text,
    pub options: &'a [Choice],
    pub mood: Mood,
    pub time_limit: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Encounter {
    script: Arc<Script>,
    seed: u64,
    rng: ChaCha8Rng,
    state: State,
    /// The line picked for the current turn: (line, variant).
    line: (usize, usize),
    tally: Tally,
    steps: Vec<Step>,
}

impl Encounter {
    pub fn new(script: Arc<Script>, seed: u64) -> Encounter {
        let state = script.flow.initial();
        let mut encounter = Encounter {
            script,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            state,
            line: (0, 0),
            tally: Tally::default(),
            steps: Vec::new(),
        };
        encounter.pick_line();
        encounter
    }

    /// Replays `choices` (zero-based) from the start.
    pub fn replay(script: Arc<Script>, seed: u64, choices: &[usize]) -> Result<Encounter, PlayError> {
        let mut encounter = Encounter::new(script, seed);
        for &choice in choices {
            encounter.choose(choice, None)?;
        }
        Ok(encounter)
    }

    /// Plays a whole route and insists that it ends exactly there.
    pub fn play_route(script: Arc<Script>, seed: u64, choices: &[usize]) -> Result<Encounter, PlayError> {
        let mut encounter = Encounter::new(script, seed);
        for (made, &choice) in choices.iter().enumerate() {
            if let Some(ending) = encounter.ending() {
                return Err(PlayError::TooManyChoices {
                    ending: ending.id.clone(),
                    extra: choices.len() - made,
                });
            }
            encounter.choose(choice, None)?;
        }
        if let Some(prompt) = encounter.prompt() {
            return Err(PlayError::TooFewChoices { turn: prompt.turn.id.clone(), made: choices.len() });
        }
        Ok(encounter)
    }

    fn pick_line(&mut self) {
        if let Target::Turn(turn) = self.state.at {
            let line = self.script.flow.line_for(turn, self.state.mood, self.state.flags);
            let variants = self.script.scenario.turns[turn].says.get(line).map_or(0, |l| l.variants.len());
            let variant = if variants > 1 { self.rng.random_range(0..variants) } else { 0 };
            self.line = (line, variant);
        }
    }

    pub fn script(&self) -> &Arc<Script> {
        &self.script
    }

    pub fn scenario(&self) -> &Scenario {
        &self.script.scenario
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn mood(&self) -> Mood {
        self.state.mood
    }

    pub fn flags(&self) -> Vec<&str> {
        let names = &self.script.flow.flags;
        (0..names.len()).filter(|i| self.state.flags & (1 << i) != 0).map(|i| names[i].as_str()).collect()
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn choices(&self) -> Vec<usize> {
        self.steps.iter().map(|s| s.choice).collect()
    }

    pub fn is_over(&self) -> bool {
        matches!(self.state.at, Target::Ending(_))
    }

    pub fn ending(&self) -> Option<&Ending> {
        match self.state.at {
            Target::Ending(e) => self.script.scenario.endings.get(e),
            Target::Turn(_) => None,
        }
    }

    pub fn prompt(&self) -> Option<Prompt<'_>> {
        let Target::Turn(index) = self.state.at else { return None };
        let turn = &self.script.scenario.turns[index];
        static EMPTY: Text = Text { zh: String::new(), en: String::new() };
        let said = turn.says.get(self.line.0).and_then(|l| l.variants.get(self.line.1)).unwrap_or(&EMPTY);
        Some(Prompt {
            turn,
            turn_index: index,
            said,
            options: &turn.options,
            mood: self.state.mood,
            time_limit: turn.time_limit,
        })
    }

    /// Answers the current turn with option `choice` (zero-based).
    /// `response_secs` is how long the trainee took; past the turn's time
    /// limit the citizen grows more upset.
    pub fn choose(&mut self, choice: usize, response_secs: Option<f32>) -> Result<&Step, PlayError> {
        let Target::Turn(turn_index) = self.state.at else { return Err(PlayError::Ended) };
        let turn = &self.script.scenario.turns[turn_index];
        if choice >= turn.options.len() {
            return Err(PlayError::OutOfRange {
                turn: turn.id.clone(),
                given: choice + 1,
                count: turn.options.len(),
            });
        }
        let timed_out = match (turn.time_limit, response_secs) {
            (Some(limit), Some(secs)) => secs > limit as f32,
            _ => false,
        };
        let before = self.state;
        let (after, effect) = self.script.flow.step(&before, choice, timed_out, &mut self.tally);
        let said = turn
            .says
            .get(self.line.0)
            .and_then(|l| l.variants.get(self.line.1))
            .cloned()
            .unwrap_or_default();
        self.steps.push(Step {
            turn: turn_index,
            turn_id: turn.id.clone(),
            line: self.line,
            said,
            choice,
            choice_id: turn.options[choice].id.clone(),
            mood_before: before.mood,
            mood_after: after.mood,
            response_secs,
            timed_out: effect.timed_out,
            premature_solution: effect.premature_solution,
            red_flag: effect.red_flag,
        });
        self.state = after;
        self.pick_line();
        Ok(self.steps.last().expect("just pushed"))
    }

    pub fn score(&self) -> ScoreCard {
        self.tally.finish(self.steps.iter().filter_map(|s| s.red_flag).collect())
    }

    pub fn mood_trace(&self) -> Vec<Mood> {
        let mut trace = vec![self.script.flow.mood];
        trace.extend(self.steps.iter().map(|s| s.mood_after));
        trace
    }

    pub fn debrief(&self) -> Vec<TurnDebrief> {
        self.steps.iter().map(|step| debrief_step(&self.script, step)).collect()
    }
}

/// The debrief of one exchange: what was chosen, what it did to the
/// citizen, why it scored as it did, and what would have been better.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnDebrief {
    pub turn_id: String,
    pub said: Text,
    pub chosen: Text,
    pub stage: Stage,
    pub mood_before: Mood,
    pub mood_after: Mood,
    pub evidence: Vec<(Item, u8)>,
    pub feedback: Text,
    pub red_flag: Option<RedFlag>,
    pub premature_solution: bool,
    pub timed_out: bool,
    /// Quality of the chosen option, 0–100 (its evidence's mean level).
    pub quality: u8,
    /// The better option, when the chosen one was not the best.
    pub better: Option<BetterOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetterOption {
    pub id: String,
    pub text: Text,
    pub feedback: Text,
}

/// How good an option is on its own: mean evidence level as 0–100, with a
/// red flag counting as zero. Used for colouring, tallying class mistakes
/// and picking "the better option" when the author named none.
pub fn option_quality(script: &Script, turn: usize, choice: usize) -> u8 {
    let flow_choice = &script.flow.turns[turn].choices[choice];
    if flow_choice.red_flag.is_some() || flow_choice.evidence.is_empty() {
        return 0;
    }
    let authored: Vec<u8> = script.scenario.turns[turn].options[choice].evidence.values().copied().collect();
    let levels: Vec<u8> = if authored.is_empty() {
        flow_choice.evidence.iter().map(|(_, l)| *l).collect()
    } else {
        authored
    };
    let sum: u32 = levels.iter().map(|&l| l.min(3) as u32).sum();
    (100 * sum / (3 * levels.len() as u32)) as u8
}

fn debrief_step(script: &Script, step: &Step) -> TurnDebrief {
    let turn = &script.scenario.turns[step.turn];
    let chosen = &turn.options[step.choice];
    let quality = option_quality(script, step.turn, step.choice);
    let better_index = chosen
        .better
        .as_ref()
        .and_then(|id| turn.options.iter().position(|o| &o.id == id))
        .or_else(|| {
            (0..turn.options.len())
                .max_by_key(|&i| (option_quality(script, step.turn, i), std::cmp::Reverse(i)))
                .filter(|&i| option_quality(script, step.turn, i) > quality)
        })
        .filter(|&i| i != step.choice);
    TurnDebrief {
        turn_id: step.turn_id.clone(),
        said: step.said.clone(),
        chosen: chosen.text.clone(),
        stage: chosen.stage,
        mood_before: step.mood_before,
        mood_after: step.mood_after,
        evidence: script.flow.turns[step.turn].choices[step.choice].evidence.clone(),
        feedback: chosen.feedback.clone(),
        red_flag: step.red_flag,
        premature_solution: step.premature_solution,
        timed_out: step.timed_out,
        quality,
        better: better_index.map(|i| BetterOption {
            id: turn.options[i].id.clone(),
            text: turn.options[i].text.clone(),
            feedback: turn.options[i].feedback.clone(),
        }),
    }
}

impl Stage {
    pub fn label(self) -> Text {
        match self {
            Stage::Reception => Text::new("接待", "Reception"),
            Stage::Calming => Text::new("情绪安抚", "Calming"),
            Stage::Gathering => Text::new("信息收集", "Gathering information"),
            Stage::Analysis => Text::new("分析原因", "Analysing the cause"),
            Stage::Solution => Text::new("方案制定", "Proposing a solution"),
            Stage::FollowUp => Text::new("反馈跟踪", "Follow-up"),
        }
    }
}

/// Scores per dimension as a plain array, handy for charts.
pub fn dimension_scores(card: &ScoreCard) -> Vec<(Dimension, f32)> {
    Dimension::ALL.iter().map(|d| (*d, card.dimension(*d))).collect()
}
