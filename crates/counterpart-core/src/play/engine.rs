//! The encounter state machine. Scenario + seed + the trainee's choices
//! always give the same transcript, mood trace and score: the only
//! randomness is the seeded choice of wording.

use crate::play::flow::{Flow, FlowError, State, Target};
use crate::play::protocol::{Attempt, ProtocolReport, apply_protocol, judge};
use crate::scenario::model::{Choice, Ending, Item, Message, Mood, PersonaView, RedFlag, Scenario, Stage, Text, Turn};
use crate::play::score::{ScoreCard, Tally};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use thiserror::Error;

/// A scenario together with its resolved flow, shared by every encounter.
#[derive(Debug, Clone)]
pub struct Script {
    pub scenario: Scenario,
    /// The flow of the main persona.
    pub flow: Flow,
    /// The flows of the other personas, in the order they are declared.
    pub alternates: Vec<Flow>,
}

impl Script {
    pub fn new(mut scenario: Scenario) -> Result<Arc<Script>, FlowError> {
        // Play, analysis and the debrief all read the resolved evidence.
        scenario.resolve_kinds();
        let flow = Flow::new(&scenario)?;
        let alternates =
            (1..scenario.citizen.persona_count()).map(|p| Flow::for_persona(&scenario, p)).collect::<Result<_, _>>()?;
        Ok(Arc::new(Script { scenario, flow, alternates }))
    }

    /// How many personas the citizen may be played as (at least one).
    pub fn persona_count(&self) -> usize {
        1 + self.alternates.len()
    }

    /// The flow of persona `persona` (0: the main one); the main one when
    /// out of range, so that a record from an edited scenario still plays.
    pub fn flow_for(&self, persona: usize) -> &Flow {
        match persona {
            0 => &self.flow,
            p => self.alternates.get(p - 1).unwrap_or(&self.flow),
        }
    }

    /// The persona an attempt with this seed plays. Drawn from its own
    /// stream so that the wording an old seed picks does not move.
    pub fn persona_for_seed(&self, seed: u64) -> usize {
        if self.alternates.is_empty() {
            return 0;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ PERSONA_STREAM);
        rng.random_range(0..self.persona_count())
    }
}

/// Mixed into the seed for the persona draw (ASCII "PERSONA").
const PERSONA_STREAM: u64 = 0x0050_4552_534f_4e41;
/// Mixed into the seed for the order options are shown in (ASCII "ORDER").
const ORDER_STREAM: u64 = 0x0000_004f_5244_4552;

/// The order in which the options of the `step`-th answer of an attempt
/// with this seed are shown: position → option index. A pure function of
/// the seed and the step, so resume, replay and drills show the same.
pub(crate) fn display_order(seed: u64, step: usize, options: usize) -> Vec<usize> {
    use rand::seq::SliceRandom;
    let mut order: Vec<usize> = (0..options).collect();
    let mixed = seed ^ ORDER_STREAM ^ (step as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(mixed));
    order
}

/// One answer as recorded: the option chosen (its index in the scenario)
/// and how long the trainee took, when timed.
pub type Answer = (usize, Option<f32>);

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
    #[error("\"{0}\" is not a protocol action; the actions are {list}", list = crate::play::protocol::ACTIONS.iter().map(|a| a.id).collect::<Vec<_>>().join(", "))]
    UnknownAction(String),
    #[error("the protocol action \"{0}\" has already been taken in this call")]
    ActionAlreadyTaken(String),
    /// A run stored as starting from a situation can no longer start there.
    #[error("it cannot start where it started: {0}")]
    Situation(#[from] SituationError),
}

/// Why an encounter cannot start from a chosen situation.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SituationError {
    #[error("the scenario has no turn \"{0}\"")]
    UnknownTurn(String),
    #[error("the scenario never sets or tests a flag \"{0}\"")]
    UnknownFlag(String),
    #[error("a mood runs from 0 to 100; got upset {upset}, trust {trust}")]
    MoodOutOfRange { upset: u8, trust: u8 },
}

impl Message for PlayError {
    fn message(&self) -> Text {
        let zh = match self {
            PlayError::Ended => "对话已经结束".to_string(),
            PlayError::OutOfRange { turn, given, count } => format!("没有第 {given} 个选项：回合“{turn}”的选项是 1 到 {count}"),
            PlayError::TooFewChoices { turn, made } => format!("选择不够：对话在第 {made} 次选择后停在回合“{turn}”"),
            PlayError::TooManyChoices { ending, extra } => format!("对话已在“{ending}”结束，还多出 {extra} 个选择"),
            PlayError::UnknownAction(action) => format!(
                "“{action}”不是应急处置动作；可用的动作是 {}",
                crate::play::protocol::ACTIONS.iter().map(|a| a.id).collect::<Vec<_>>().join("、")
            ),
            PlayError::ActionAlreadyTaken(action) => format!("这通电话里已经做过处置动作“{action}”"),
            PlayError::Situation(e) => format!("无法从原来的起点开始：{}", e.message().zh),
        };
        Text::new(zh, self.to_string())
    }
}

impl Message for SituationError {
    fn message(&self) -> Text {
        let zh = match self {
            SituationError::UnknownTurn(turn) => format!("情景里没有回合“{turn}”"),
            SituationError::UnknownFlag(flag) => format!("情景里从未设置或检查过标记“{flag}”"),
            SituationError::MoodOutOfRange { upset, trust } => {
                format!("情绪值应在 0 到 100 之间；现在是 不满 {upset}、信任 {trust}")
            }
        };
        Text::new(zh, self.to_string())
    }
}

/// Why an encounter in progress cannot continue on a reloaded script.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CarryOverError {
    #[error("the new version cannot start where this encounter started: {0}")]
    Start(#[from] SituationError),
    #[error("the choices made so far do not replay on the new version: {0}")]
    Replay(#[from] PlayError),
    #[error("on the new version the same choices lead to \"{now}\" instead of \"{was}\"")]
    Moved { was: String, now: String },
}

impl Message for CarryOverError {
    fn message(&self) -> Text {
        let zh = match self {
            CarryOverError::Start(e) => format!("新版本无法从这次对话的起点开始：{}", e.message().zh),
            CarryOverError::Replay(e) => format!("已做的选择在新版本上走不通：{}", e.message().zh),
            CarryOverError::Moved { was, now } => format!("在新版本上，同样的选择走到了“{now}”，而不是原来的“{was}”"),
        };
        Text::new(zh, self.to_string())
    }
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
    /// The options in the order they were shown (option indices); empty in
    /// records made before options were shuffled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shown: Vec<usize>,
    pub mood_before: Mood,
    pub mood_after: Mood,
    /// Seconds the trainee took to answer, when timed.
    pub response_secs: Option<f32>,
    pub timed_out: bool,
    pub premature_solution: bool,
    pub red_flag: Option<RedFlag>,
    /// Protocol actions (ids) taken while facing this turn, before the
    /// answer, in order. Stored with the step, so a record replays them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
}

/// What the trainee faces now.
#[derive(Debug, Clone, Copy)]
pub struct Prompt<'a> {
    pub turn: &'a Turn,
    pub turn_index: usize,
    pub said: &'a Text,
    pub options: &'a [Choice],
    /// The order to show `options` in: position → option index.
    pub order: &'a [usize],
    pub mood: Mood,
    pub time_limit: Option<u32>,
}

impl Prompt<'_> {
    /// The option shown at `position` (0-based), as an option index.
    pub fn option_at(&self, position: usize) -> Option<usize> {
        self.order.get(position).copied()
    }

    /// Where option `choice` is shown (0-based).
    pub fn position_of(&self, choice: usize) -> Option<usize> {
        self.order.iter().position(|&c| c == choice)
    }

    /// The options in the order shown, with their indices.
    pub fn shown(&self) -> impl Iterator<Item = (usize, &Choice)> + '_ {
        self.order.iter().map(|&i| (i, &self.options[i]))
    }
}

#[derive(Debug, Clone)]
pub struct Encounter {
    script: Arc<Script>,
    seed: u64,
    /// The persona played (index into `Citizen::all_personas`).
    persona: usize,
    rng: ChaCha8Rng,
    state: State,
    /// Where play began: the scenario's start, or a situation an author chose.
    start: State,
    /// True when started by `from_situation` (an author's practice run).
    from_situation: bool,
    /// The line picked for the current turn: (line, variant).
    line: (usize, usize),
    /// The order the current turn's options are shown in.
    order: Vec<usize>,
    tally: Tally,
    steps: Vec<Step>,
    /// Protocol actions taken on the turn faced now; they go into its step
    /// when it is answered.
    pending_actions: Vec<String>,
}

impl Encounter {
    /// A new attempt: the seed picks the persona and the wording.
    pub fn new(script: Arc<Script>, seed: u64) -> Encounter {
        let persona = script.persona_for_seed(seed);
        Encounter::with_persona(script, seed, persona)
    }

    /// A new attempt as a given persona (0: the main one), for replaying a
    /// record and for the analyzer's routes.
    pub fn with_persona(script: Arc<Script>, seed: u64, persona: usize) -> Encounter {
        let persona = if persona < script.persona_count() { persona } else { 0 };
        let state = script.flow_for(persona).initial();
        Encounter::starting_at(script, seed, persona, state, false)
    }

    fn starting_at(script: Arc<Script>, seed: u64, persona: usize, state: State, from_situation: bool) -> Encounter {
        let mut encounter = Encounter {
            script,
            seed,
            persona,
            rng: ChaCha8Rng::seed_from_u64(seed),
            state,
            start: state,
            from_situation,
            line: (0, 0),
            order: Vec::new(),
            tally: Tally::default(),
            steps: Vec::new(),
            pending_actions: Vec::new(),
        };
        encounter.pick_line();
        encounter
    }

    /// Starts at turn `turn` (its id) with the given mood and flags set, as
    /// if play had arrived there: for authors trying a turn in a situation.
    pub fn from_situation(
        script: Arc<Script>,
        seed: u64,
        turn: &str,
        mood: Mood,
        flags: &[&str],
    ) -> Result<Encounter, SituationError> {
        let index = script
            .scenario
            .turns
            .iter()
            .position(|t| t.id == turn)
            .ok_or_else(|| SituationError::UnknownTurn(turn.to_string()))?;
        if mood.upset > 100 || mood.trust > 100 {
            return Err(SituationError::MoodOutOfRange { upset: mood.upset, trust: mood.trust });
        }
        let mut bits = 0u64;
        for flag in flags {
            let bit = script
                .flow
                .flags
                .iter()
                .position(|f| f == flag)
                .ok_or_else(|| SituationError::UnknownFlag(flag.to_string()))?;
            bits |= 1 << bit;
        }
        let state = State { at: Target::Turn(index), mood, flags: bits };
        let persona = script.persona_for_seed(seed);
        Ok(Encounter::starting_at(script, seed, persona, state, true))
    }

    /// `from_situation` as a given persona: a trainee's replay of a turn
    /// from their mistake book is played as the persona they met there.
    pub(crate) fn from_situation_as(
        script: Arc<Script>,
        seed: u64,
        persona: usize,
        turn: &str,
        mood: Mood,
        flags: &[&str],
    ) -> Result<Encounter, SituationError> {
        let mut encounter = Encounter::from_situation(script, seed, turn, mood, flags)?;
        if persona < encounter.script.persona_count() && persona != encounter.persona {
            let state = encounter.state;
            encounter = Encounter::starting_at(encounter.script, seed, persona, state, true);
        }
        Ok(encounter)
    }

    /// The same encounter on a new version of its script (after a live
    /// reload): it starts where this one started, replays the same choices
    /// with the same timings, and must arrive at a turn or ending with the
    /// same id. Otherwise the caller should keep playing the old version.
    pub fn carry_over(&self, script: Arc<Script>) -> Result<Encounter, CarryOverError> {
        let mut next = if self.from_situation {
            let turn = match self.start.at {
                Target::Turn(t) => self.script.scenario.turns[t].id.clone(),
                Target::Ending(_) => String::new(),
            };
            let names: Vec<&str> = self.start_flags();
            // As the persona played: a trainee's targeted run keeps the one met.
            Encounter::from_situation_as(script, self.seed, self.persona, &turn, self.start.mood, &names)?
        } else {
            Encounter::with_persona(script, self.seed, self.persona)
        };
        next.follow(&self.steps)?;
        for action in &self.pending_actions {
            next.take_protocol_action(action)?;
        }
        let (was, now) = (self.position_id(), next.position_id());
        if was != now {
            return Err(CarryOverError::Moved { was, now });
        }
        Ok(next)
    }

    fn start_flags(&self) -> Vec<&str> {
        let names = &self.flow().flags;
        (0..names.len()).filter(|i| self.start.flags & (1 << i) != 0).map(|i| names[i].as_str()).collect()
    }

    /// The id of the current turn, or of the ending once play is over.
    pub fn position_id(&self) -> String {
        match self.state.at {
            Target::Turn(t) => self.script.scenario.turns[t].id.clone(),
            Target::Ending(e) => self.script.scenario.endings.get(e).map(|e| e.id.clone()).unwrap_or_default(),
        }
    }

    /// True for an author's practice run started by `from_situation`.
    pub fn is_from_situation(&self) -> bool {
        self.from_situation
    }

    /// Replays untimed `choices` (zero-based) from the start: a route.
    pub fn replay(script: Arc<Script>, seed: u64, choices: &[usize]) -> Result<Encounter, PlayError> {
        let answers: Vec<Answer> = choices.iter().map(|&c| (c, None)).collect();
        Encounter::replay_answers(script, seed, &answers)
    }

    /// Replays recorded answers, each with its response time, from the
    /// start: the one way a recorded attempt is rebuilt (resume, reports,
    /// xAPI, drills), so a late answer replays as late.
    pub fn replay_answers(script: Arc<Script>, seed: u64, answers: &[Answer]) -> Result<Encounter, PlayError> {
        let mut encounter = Encounter::new(script, seed);
        encounter.answer_all(answers)?;
        Ok(encounter)
    }

    /// Replays recorded steps from the start, each step's protocol actions
    /// taken before its answer: the way a record with actions is rebuilt
    /// (resume, reports). For steps without actions it is `replay_answers`.
    pub fn replay_steps(script: Arc<Script>, seed: u64, steps: &[Step]) -> Result<Encounter, PlayError> {
        let mut encounter = Encounter::new(script, seed);
        encounter.follow(steps)?;
        Ok(encounter)
    }

    /// `replay_steps` as a given persona: an exam attempt plays the persona
    /// the draw named, not the one its seed would pick.
    pub fn replay_steps_as(script: Arc<Script>, seed: u64, persona: usize, steps: &[Step]) -> Result<Encounter, PlayError> {
        let mut encounter = Encounter::with_persona(script, seed, persona);
        encounter.follow(steps)?;
        Ok(encounter)
    }

    /// This encounter with recorded `steps` answered after where it is now:
    /// how a run that started from a situation is rebuilt.
    pub fn then_steps(mut self, steps: &[Step]) -> Result<Encounter, PlayError> {
        self.follow(steps)?;
        Ok(self)
    }

    fn follow(&mut self, steps: &[Step]) -> Result<(), PlayError> {
        for step in steps {
            for action in &step.actions {
                self.take_protocol_action(action)?;
            }
            self.choose(step.choice, step.response_secs)?;
        }
        Ok(())
    }

    fn answer_all(&mut self, answers: &[Answer]) -> Result<(), PlayError> {
        for &(choice, secs) in answers {
            self.choose(choice, secs)?;
        }
        Ok(())
    }

    /// The answers given so far, with their times.
    pub fn answers(&self) -> Vec<Answer> {
        self.steps.iter().map(|s| (s.choice, s.response_secs)).collect()
    }

    /// Plays a whole route and insists that it ends exactly there.
    pub fn play_route(script: Arc<Script>, seed: u64, choices: &[usize]) -> Result<Encounter, PlayError> {
        let persona = script.persona_for_seed(seed);
        Encounter::play_route_as(script, seed, persona, choices)
    }

    /// `play_route` as a given persona: how the analyzer's routes replay.
    pub fn play_route_as(script: Arc<Script>, seed: u64, persona: usize, choices: &[usize]) -> Result<Encounter, PlayError> {
        let mut encounter = Encounter::with_persona(script, seed, persona);
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
            let line = self.flow().line_for(turn, self.state.mood, self.state.flags);
            let variants = self.script.scenario.turns[turn].says.get(line).map_or(0, |l| l.variants.len());
            let variant = if variants > 1 { self.rng.random_range(0..variants) } else { 0 };
            self.line = (line, variant);
            let options = self.script.scenario.turns[turn].options.len();
            self.order = display_order(self.seed, self.steps.len(), options);
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

    /// The persona played (0: the main one).
    pub fn persona(&self) -> usize {
        self.persona
    }

    /// The persona played, as the scenario describes it.
    pub fn persona_view(&self) -> PersonaView {
        let mut all = self.script.scenario.citizen.all_personas();
        all.swap_remove(self.persona.min(all.len() - 1))
    }

    /// The resolved flow of the persona played.
    pub fn flow(&self) -> &Flow {
        self.script.flow_for(self.persona)
    }

    pub fn mood(&self) -> Mood {
        self.state.mood
    }

    pub fn flags(&self) -> Vec<&str> {
        let names = &self.flow().flags;
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
            order: &self.order,
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
        let (after, effect) = self.script.flow_for(self.persona).step(&before, choice, timed_out, &mut self.tally);
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
            shown: self.order.clone(),
            mood_before: before.mood,
            mood_after: after.mood,
            response_secs,
            timed_out: effect.timed_out,
            premature_solution: effect.premature_solution,
            red_flag: effect.red_flag,
            actions: std::mem::take(&mut self.pending_actions),
        });
        self.state = after;
        self.pick_line();
        Ok(self.steps.last().expect("just pushed"))
    }

    /// The score so far; once the encounter has ended, with the citizen's
    /// rating and the verdict it implies.
    pub fn score(&self) -> ScoreCard {
        let card = self.tally.finish(self.steps.iter().filter_map(|s| s.red_flag).collect());
        match self.ending() {
            Some(ending) => card.concluded(ending.outcome, self.state.mood),
            None => card,
        }
    }

    /// Takes a protocol action (an id of `protocol::ACTIONS`) on the turn
    /// faced now. It is kept with that turn's step when the turn is
    /// answered, so replaying the steps takes it at the same point. Each
    /// action is taken once per call; none once the call has ended.
    pub fn take_protocol_action(&mut self, action: &str) -> Result<(), PlayError> {
        if self.is_over() {
            return Err(PlayError::Ended);
        }
        if crate::play::protocol::action(action).is_none() {
            return Err(PlayError::UnknownAction(action.to_string()));
        }
        if self.steps.iter().flat_map(|s| &s.actions).chain(&self.pending_actions).any(|a| a == action) {
            return Err(PlayError::ActionAlreadyTaken(action.to_string()));
        }
        self.pending_actions.push(action.to_string());
        Ok(())
    }

    /// Protocol actions taken on the turn faced now, not yet in a step.
    pub fn pending_actions(&self) -> &[String] {
        &self.pending_actions
    }

    /// Every protocol action taken so far, with the id of the turn faced
    /// when it was taken, in order.
    pub fn protocol_actions(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self.steps.iter().flat_map(|s| s.actions.iter().map(|a| (a.clone(), s.turn_id.clone()))).collect();
        let current = self.prompt().map(|p| p.turn.id.clone()).unwrap_or_default();
        out.extend(self.pending_actions.iter().map(|a| (a.clone(), current.clone())));
        out
    }

    /// The (turn index, line index) the citizen has said so far: every
    /// answered turn's line and the line of the turn faced now.
    pub(crate) fn heard_lines(&self) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = self.steps.iter().map(|s| (s.turn, s.line.0)).collect();
        if let Target::Turn(turn) = self.state.at {
            out.push((turn, self.line.0));
        }
        out
    }

    /// The risk protocol judged on this attempt so far: each required
    /// action done, pending, late or missed, and needless handovers.
    pub fn protocol_report(&self) -> ProtocolReport {
        self.protocol_judged(self.is_over())
    }

    /// The risk protocol judged as if the call ended where it stands: a
    /// role-play's conversation is over when the trainer finishes it,
    /// wherever the cue card has got to, so what is still pending then
    /// is missed.
    pub fn protocol_report_at_close(&self) -> ProtocolReport {
        self.protocol_judged(true)
    }

    fn protocol_judged(&self, ended: bool) -> ProtocolReport {
        let mut actions: Vec<Vec<String>> = self.steps.iter().map(|s| s.actions.clone()).collect();
        let mut turns: Vec<String> = self.steps.iter().map(|s| s.turn_id.clone()).collect();
        if let Some(prompt) = self.prompt() {
            actions.push(self.pending_actions.clone());
            turns.push(prompt.turn.id.clone());
        }
        let heard = self.heard_lines();
        judge(&self.script.scenario, &Attempt { actions: &actions, turns: &turns, heard: &heard, ended })
    }

    /// `score()` with the protocol judgement applied: a missed required
    /// action or a needless handover fails the attempt. This is the card
    /// to store for an attempt.
    pub fn score_with_protocol(&self) -> ScoreCard {
        apply_protocol(&self.score(), &self.protocol_report())
    }

    pub fn mood_trace(&self) -> Vec<Mood> {
        let mut trace = vec![self.start.mood];
        trace.extend(self.steps.iter().map(|s| s.mood_after));
        trace
    }

    pub fn debrief(&self) -> Vec<TurnDebrief> {
        self.steps.iter().map(|step| debrief_step(&self.script, self.persona, step)).collect()
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
    /// The answer was too long for this caller, or did everything at once.
    #[serde(default)]
    pub overtalk: bool,
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

/// The option to show as better than `choice` on `turn`: the author's
/// `better` if given, else the highest-quality option that beats it (the
/// first such on ties); `None` when the choice was already the best.
pub(crate) fn better_option(script: &Script, turn: usize, choice: usize) -> Option<usize> {
    let options = &script.scenario.turns[turn].options;
    let quality = option_quality(script, turn, choice);
    options[choice]
        .better
        .as_ref()
        .and_then(|id| options.iter().position(|o| &o.id == id))
        .or_else(|| {
            (0..options.len())
                .max_by_key(|&i| (option_quality(script, turn, i), std::cmp::Reverse(i)))
                .filter(|&i| option_quality(script, turn, i) > quality)
        })
        .filter(|&i| i != choice)
}

/// `better_option` for the persona played: the author's `better` names the
/// best answer for the main persona, so for another persona it is shown
/// only when it really suits them better than what was chosen; otherwise
/// the option that suits them best, if it beats the choice.
pub(crate) fn better_option_for(script: &Script, persona: usize, turn: usize, choice: usize) -> Option<usize> {
    if persona == 0 || script.persona_count() == 1 {
        return better_option(script, turn, choice);
    }
    let style = script.flow_for(persona).disc.primary;
    let options = &script.scenario.turns[turn].options;
    let q = |o: usize| crate::play::flow::suitability(&options[o], style);
    let chosen = q(choice);
    let count = options.len();
    let best = (0..count).max_by(|&a, &b| q(a).total_cmp(&q(b)).then(b.cmp(&a)))?;
    match better_option(script, turn, choice) {
        Some(named) if q(named) > chosen + 1e-4 => Some(named),
        _ => (q(best) > chosen + 1e-4 && best != choice).then_some(best),
    }
}

fn debrief_step(script: &Script, persona: usize, step: &Step) -> TurnDebrief {
    let turn = &script.scenario.turns[step.turn];
    let chosen = &turn.options[step.choice];
    let quality = option_quality(script, step.turn, step.choice);
    let better_index = better_option_for(script, persona, step.turn, step.choice);
    TurnDebrief {
        turn_id: step.turn_id.clone(),
        said: step.said.clone(),
        chosen: chosen.text.clone(),
        stage: chosen.stage,
        mood_before: step.mood_before,
        mood_after: step.mood_after,
        evidence: script.flow_for(persona).turns[step.turn].choices[step.choice].evidence.clone(),
        overtalk: script.flow_for(persona).turns[step.turn].choices[step.choice].overtalk,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::load::load_file;
    use std::path::Path;

    fn reference() -> Arc<Script> {
        load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hotline-water-outage.ron")).outcome.expect("the reference scenario loads")
    }

    #[test]
    fn from_situation_starts_at_that_turn_with_that_mood_and_flags() {
        let script = reference();
        // A turn other than the start, and a flag the scenario really uses.
        let turn = script.scenario.turns.iter().find(|t| t.id != script.scenario.start).unwrap().id.clone();
        let flag = script.flow.flags.first().cloned().expect("the reference scenario uses flags");
        let mood = Mood { upset: 90, trust: 10 };
        let encounter = Encounter::from_situation(script.clone(), 7, &turn, mood, &[flag.as_str()]).unwrap();
        assert_eq!(encounter.position_id(), turn);
        assert_eq!(encounter.mood(), mood);
        assert_eq!(encounter.flags(), vec![flag.as_str()]);
        assert_eq!(encounter.mood_trace(), vec![mood]);
        assert!(encounter.is_from_situation());
        // Choosing moves on from there through the same flow as normal play.
        let mut played = encounter.clone();
        played.choose(0, None).unwrap();
        assert_eq!(played.steps()[0].turn_id, turn);
        assert_eq!(played.steps()[0].mood_before, mood);

        assert_eq!(
            Encounter::from_situation(script.clone(), 7, "no-such-turn", mood, &[]).unwrap_err(),
            SituationError::UnknownTurn("no-such-turn".into())
        );
        assert_eq!(
            Encounter::from_situation(script.clone(), 7, &turn, mood, &["no-such-flag"]).unwrap_err(),
            SituationError::UnknownFlag("no-such-flag".into())
        );
        assert!(matches!(
            Encounter::from_situation(script, 7, &turn, Mood { upset: 101, trust: 0 }, &[]),
            Err(SituationError::MoodOutOfRange { .. })
        ));
    }

    #[test]
    fn carry_over_follows_an_edit_and_refuses_when_the_turn_is_gone() {
        let script = reference();
        let mut encounter = Encounter::new(script.clone(), 3);
        encounter.choose(0, Some(2.0)).unwrap();
        let at = encounter.position_id();

        // Reword a citizen line: same structure, so play continues, on the new text.
        let mut edited = script.scenario.clone();
        let t = edited.turns.iter().position(|t| t.id == at).unwrap();
        edited.turns[t].says[0].variants[0].en = "Reworded line".into();
        let edited = Script::new(edited).unwrap();
        let carried = encounter.carry_over(edited.clone()).unwrap();
        assert_eq!(carried.position_id(), at);
        assert_eq!(carried.choices(), encounter.choices());
        assert_eq!(carried.steps()[0].response_secs, Some(2.0));
        assert!(Arc::ptr_eq(carried.script(), &edited));

        // Rename the current turn: the same choices no longer arrive there.
        let mut renamed = script.scenario.clone();
        renamed.turns[t].id = "renamed".into();
        for turn in &mut renamed.turns {
            for option in &mut turn.options {
                if option.next == at {
                    option.next = "renamed".into();
                }
                for route in &mut option.routes {
                    if route.to == at {
                        route.to = "renamed".into();
                    }
                }
            }
            for route in &mut turn.routes {
                if route.to == at {
                    route.to = "renamed".into();
                }
            }
        }
        for route in &mut renamed.routes {
            if route.to == at {
                route.to = "renamed".into();
            }
        }
        if renamed.start == at {
            renamed.start = "renamed".into();
        }
        let renamed = Script::new(renamed).unwrap();
        assert_eq!(
            encounter.carry_over(renamed).unwrap_err(),
            CarryOverError::Moved { was: at.clone(), now: "renamed".into() }
        );

        // A practice run carries over from its own starting situation.
        let practice = Encounter::from_situation(script, 5, &at, Mood { upset: 50, trust: 50 }, &[]).unwrap();
        let carried = practice.carry_over(edited).unwrap();
        assert!(carried.is_from_situation());
        assert_eq!(carried.mood(), Mood { upset: 50, trust: 50 });
    }
}
