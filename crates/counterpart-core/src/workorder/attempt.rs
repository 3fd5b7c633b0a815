//! The work order of one attempt: scored against what this encounter
//! revealed, and the conversation's card with the order's caps. The app,
//! `counterpart play --work-order` and the records all go through here, so
//! an order scores the same wherever it was handed in.

use crate::play::engine::Encounter;
use crate::play::score::ScoreCard;
use crate::scenario::model::{Item, Text};
use crate::workorder::order::WorkOrder;
use crate::workorder::reveal::heard;
use crate::workorder::score::{FactResult, FieldResult, OrderReport, WorkOrderContext, apply_caps, score_call};
use serde::{Deserialize, Serialize};

/// `order` scored against the scenario's truth (an order, counting only
/// the facts `encounter` revealed, or no order); None for a scenario with
/// neither.
pub fn assess(encounter: &Encounter, order: &WorkOrder, ctx: WorkOrderContext<'_>) -> Option<OrderReport> {
    score_call(encounter.scenario(), order, &heard(encounter), ctx)
}

/// The card an attempt is finished with: the conversation's score, lowered
/// by the order's caps when the scenario has truth. A scenario with truth
/// and no order handed in is scored as a blank order: the fields were the
/// trainee's to fill.
pub fn card_with_order(encounter: &Encounter, order: Option<&WorkOrder>, ctx: WorkOrderContext<'_>) -> (ScoreCard, Option<OrderReport>) {
    let card = encounter.score();
    let blank = WorkOrder::default();
    match assess(encounter, order.unwrap_or(&blank), ctx) {
        Some(report) => (apply_caps(&card, &report), Some(report)),
        None => (card, None),
    }
}

/// What is kept of a scored order with the attempt, so that History, the
/// reports and xAPI can show it without the scenario folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderOutcome {
    pub fields: Vec<FieldResult>,
    pub facts: Vec<FactResult>,
    /// (item, the most it counts, why), for the items the order lowered.
    pub caps: Vec<(Item, u8, Text)>,
}

impl OrderOutcome {
    pub fn of(report: &OrderReport) -> OrderOutcome {
        OrderOutcome { fields: report.fields.clone(), facts: report.facts.clone(), caps: report.caps.clone() }
    }

    /// Fields right, out of the fields the call asked for (a field the
    /// caller never gave and that was left empty is not counted).
    pub fn right_of(&self) -> (usize, usize) {
        use crate::workorder::score::Verdict;
        let counted: Vec<&FieldResult> = self.fields.iter().filter(|f| f.verdict != Verdict::NotSaid).collect();
        (counted.iter().filter(|f| f.verdict == Verdict::Right).count(), counted.len())
    }
}
