//! The system financial bridge (`docs/bridge.md`, DESIGN §16): the whole system's money
//! from a do-nothing position to what is left once every step is taken, the waterfall
//! NHS finance teams draw.
//!
//! A bridge is a **start** (the do-nothing position, signed: a deficit is negative) and
//! signed **steps**, each placed by its declared `order`:
//!
//! - **given**: an amount, as its source states it;
//! - **computed**: the shift-left model's net savings over a footprint's activity
//!   ([`Ruleset::shift_batch`]); the step may carry the amount its source *states*, shown
//!   beside the computed one. Without activity a computed step with a stated amount is
//!   carried at that amount, marked [`Basis::Stated`]; without either it is an error;
//! - **unquantified**: a step the source names without an amount (a "TBC"): it moves
//!   nothing and is marked so, never a £0 pretending to be known.
//!
//! Amounts are signed whole pence: a positive step closes the gap (a saving), a negative
//! one widens it. Every running total is computed in checked `i64` arithmetic (overflow
//! is an error naming the step, never a panic), so start + the sum of the quantified
//! steps = the residual, exactly. The result depends on the steps' `order` fields, never
//! on the order they are given in.
//!
//! ```
//! use localcare::Ruleset;
//! let rs = Ruleset::builtin("kent-medway-2017")?;
//! let steps = rs.bridge_policy().ok_or("no bridge")?.steps();
//! let b = rs.bridge(steps, None)?;
//! // The seeds' bridge: -£434m, +£160m local care (stated), +£190m productivity.
//! assert_eq!(b.residual_pence, -8_400_000_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Ruleset;
use crate::shift::{ShiftError, ShiftInput, ShiftTotals};

mod explain;
pub(crate) mod policy;
#[cfg(test)]
mod tests;

pub use policy::BridgePolicy;

/// A signed amount of money as text: what [`crate::money::parse_money`] reads, with an
/// optional leading minus (`-434m`, `-£434m`, `£-434m`): a bridge's start is a deficit
/// and a step may widen the gap, where every other amount in the library is 0 or more.
///
/// ```
/// use localcare::bridge::parse_amount;
/// assert_eq!(parse_amount("-£434m").unwrap(), -43_400_000_000);
/// assert_eq!(parse_amount("£48m").unwrap(), 4_800_000_000);
/// assert!(parse_amount("--1").is_err());
/// ```
pub fn parse_amount(text: &str) -> Result<i64, crate::money::MoneyError> {
    let t = text.trim();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => match t.strip_prefix("£-") {
            Some(rest) => (true, format!("£{rest}")),
            None => (false, t.to_string()),
        },
    };
    let pence = crate::money::parse_money(&body).map_err(|e| match e {
        crate::money::MoneyError::Parse { why, .. } => crate::money::MoneyError::Parse {
            text: text.to_string(),
            why,
        },
        e => e,
    })?;
    Ok(if negative { -pence } else { pence })
}

/// The id of the residual row, which no input step may take.
pub const RESIDUAL_ID: &str = "residual";

/// What a step of the bridge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepKind {
    /// The do-nothing position the bridge starts from (exactly one).
    Start,
    /// An amount as its source gives it.
    Given,
    /// The shift-left model's net savings over the activity given to the bridge.
    Computed,
    /// Named by its source without an amount: moves nothing.
    Unquantified,
    /// The position every step leaves (output only: computed, never given).
    Residual,
}

impl StepKind {
    /// Every kind, in the order the tables list them.
    pub const ALL: [StepKind; 5] = [
        StepKind::Start,
        StepKind::Given,
        StepKind::Computed,
        StepKind::Unquantified,
        StepKind::Residual,
    ];

    /// The kind as tables and rulesets spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Start => "start",
            StepKind::Given => "given",
            StepKind::Computed => "computed",
            StepKind::Unquantified => "unquantified",
            StepKind::Residual => "residual",
        }
    }

    /// The kind spelt so (`start`, `given`, `computed`, `unquantified`, `residual`).
    pub fn parse(text: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// How a row's amount was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// Given (the start, or a given step).
    Given,
    /// Computed by the shift-left model.
    Model,
    /// A computed step carried at its source's stated amount: no activity was given.
    Stated,
    /// Not quantified: no amount, moves nothing.
    Unquantified,
    /// The residual: start + every quantified step.
    Sum,
}

impl Basis {
    /// Every basis, in the order the tables list them.
    pub const ALL: [Basis; 5] = [
        Basis::Given,
        Basis::Model,
        Basis::Stated,
        Basis::Unquantified,
        Basis::Sum,
    ];

    /// The basis as tables spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Given => "given",
            Basis::Model => "model",
            Basis::Stated => "stated",
            Basis::Unquantified => "unquantified",
            Basis::Sum => "sum",
        }
    }
}

/// One input step (the start included), as a table row or a ruleset entry gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeStep {
    /// Unique, not empty.
    pub id: String,
    /// What the step is, in words.
    pub name: String,
    /// Its kind (not [`StepKind::Residual`]).
    pub kind: StepKind,
    /// Where it sits: steps run in increasing `order`, which must be unique. Needed
    /// for every step but the start, which comes first whatever its order.
    pub order: Option<i64>,
    /// Signed pence (positive closes the gap): required for the start and a given
    /// step; for a computed step, the amount its source states (optional); none for an
    /// unquantified step.
    pub amount_pence: Option<i64>,
    /// The seed file and section (or other source) the step comes from. Required for
    /// every step but a computed one, whose source is the model.
    pub source: String,
}

impl BridgeStep {
    /// A step of `kind` with its amount and source.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        kind: StepKind,
        order: Option<i64>,
        amount_pence: Option<i64>,
        source: impl Into<String>,
    ) -> Self {
        BridgeStep {
            id: id.into(),
            name: name.into(),
            kind,
            order,
            amount_pence,
            source: source.into(),
        }
    }
}

/// One row of the bridge: the start, each step in order, then the residual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeRow {
    /// The step's declared order (`None` for the start and the residual).
    pub order: Option<i64>,
    /// The step id (`residual` for the residual row).
    pub id: String,
    /// The step's name.
    pub name: String,
    /// Its kind.
    pub kind: StepKind,
    /// How its amount was reached.
    pub basis: Basis,
    /// Signed pence it moves the position by (the start: the position itself; the
    /// residual: the final position); `None` when not quantified.
    pub amount_pence: Option<i64>,
    /// The position after this row, pence.
    pub running_total_pence: i64,
    /// For a computed step: the amount its source states, pence.
    pub stated_pence: Option<i64>,
    /// Where the amount comes from: the seed and section, or the model and its input.
    pub source: String,
}

/// A bridge walked: every row, the residual and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    /// The start, each step in declared order, then the residual.
    pub rows: Vec<BridgeRow>,
    /// The do-nothing position, pence.
    pub start_pence: i64,
    /// The position every step leaves: start + the quantified steps, pence. Negative
    /// is a gap still to close; positive a surplus.
    pub residual_pence: i64,
    /// Steps not quantified (moving nothing).
    pub unquantified: usize,
    /// The shift-left model's totals, when a computed step ran it.
    pub shift: Option<ShiftTotals>,
    /// The bridge in words, one line a row.
    pub explanation: Vec<String>,
}

/// Why a bridge could not be walked. Each names the step at fault (by id, or by its
/// position in the input when it has no id). Nothing is returned with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    /// No steps at all.
    #[error("no steps given; a bridge needs a start")]
    NoSteps,
    /// A step's id is empty.
    #[error("step {index}: the id is empty; every step needs a unique id")]
    EmptyId {
        /// Its position in the input (0-based).
        index: usize,
    },
    /// Two steps share an id.
    #[error("step `{step}`: duplicate id (first at step {first}, again at step {index})")]
    DuplicateId {
        /// The id.
        step: String,
        /// The first step's position in the input (0-based).
        first: usize,
        /// The second's.
        index: usize,
    },
    /// No step is the start.
    #[error("no step is of kind `start`; a bridge starts from the do-nothing position")]
    NoStart,
    /// More than one step is the start.
    #[error("step `{step}`: a second start (the first is `{first}`); a bridge has one")]
    TwoStarts {
        /// The second start.
        step: String,
        /// The first.
        first: String,
    },
    /// A step is given as the residual (by kind or by its id, `residual`), which the
    /// bridge computes.
    #[error(
        "step `{step}`: the residual (kind and id `residual`) is computed by the bridge, not given"
    )]
    ResidualGiven {
        /// The step.
        step: String,
    },
    /// A step other than the start has no order.
    #[error("step `{step}`: `order` is missing; every step but the start needs one")]
    MissingOrder {
        /// The step.
        step: String,
    },
    /// Two steps share an order, so which comes first is not said.
    #[error("step `{step}`: order {order} is also the order of `{other}`; orders are unique")]
    DuplicateOrder {
        /// The step.
        step: String,
        /// The order both declare.
        order: i64,
        /// The other step.
        other: String,
    },
    /// The start or a given step has no amount.
    #[error("step `{step}`: a {kind} step needs an amount")]
    MissingAmount {
        /// The step.
        step: String,
        /// Its kind.
        kind: &'static str,
    },
    /// An unquantified step has an amount.
    #[error(
        "step `{step}`: an unquantified step has no amount (it moves nothing); give it as `given` if the amount is known"
    )]
    AmountOnUnquantified {
        /// The step.
        step: String,
    },
    /// A step other than a computed one cites no source.
    #[error("step `{step}`: `source` is empty; every step cites where its amount comes from")]
    MissingSource {
        /// The step.
        step: String,
    },
    /// A computed step has neither the model's input (activity) nor a stated amount.
    #[error(
        "step `{step}`: computed by the shift-left model, but no activity was given and the step states no amount"
    )]
    MissingModelInput {
        /// The step.
        step: String,
    },
    /// A second computed step: the one activity table is one footprint's net savings,
    /// which counted twice would close the gap twice.
    #[error(
        "step `{step}`: a second computed step (the first is `{first}`); the activity's net savings count once"
    )]
    SecondComputed {
        /// The second.
        step: String,
        /// The first.
        first: String,
    },
    /// The shift-left model refused the activity.
    #[error("step `{step}`: {source}")]
    Model {
        /// The computed step.
        step: String,
        /// The model's error.
        source: ShiftError,
    },
    /// A running total does not fit 64-bit pence.
    #[error("step `{step}`: the running total is too large to compute exactly")]
    Overflow {
        /// The step whose amount overflowed the running total.
        step: String,
    },
}

impl BridgeError {
    /// The id of the step at fault, when the error names one by id.
    pub fn step(&self) -> Option<&str> {
        match self {
            BridgeError::DuplicateId { step, .. }
            | BridgeError::TwoStarts { step, .. }
            | BridgeError::ResidualGiven { step }
            | BridgeError::MissingOrder { step }
            | BridgeError::DuplicateOrder { step, .. }
            | BridgeError::MissingAmount { step, .. }
            | BridgeError::AmountOnUnquantified { step }
            | BridgeError::MissingSource { step }
            | BridgeError::MissingModelInput { step }
            | BridgeError::SecondComputed { step, .. }
            | BridgeError::Model { step, .. }
            | BridgeError::Overflow { step } => Some(step),
            BridgeError::NoSteps | BridgeError::EmptyId { .. } | BridgeError::NoStart => None,
        }
    }

    /// The step's position in the input, for an error that names it by position or by an
    /// id found in `steps` (the last step with the id, for a duplicate).
    pub fn index(&self, steps: &[BridgeStep]) -> Option<usize> {
        match self {
            BridgeError::EmptyId { index } | BridgeError::DuplicateId { index, .. } => Some(*index),
            _ => {
                let id = self.step()?;
                steps.iter().rposition(|s| s.id == id)
            }
        }
    }
}

/// The steps checked and placed: the start's index, then the others' indices in order.
struct Placed {
    start: usize,
    steps: Vec<usize>,
    computed: Option<usize>,
}

/// Checks every rule that needs no arithmetic, then sorts by `order`.
fn place(steps: &[BridgeStep]) -> Result<Placed, BridgeError> {
    if steps.is_empty() {
        return Err(BridgeError::NoSteps);
    }
    let mut ids = std::collections::HashMap::with_capacity(steps.len());
    let mut orders: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
    let (mut start, mut computed) = (None::<usize>, None::<usize>);
    for (index, s) in steps.iter().enumerate() {
        let step = || s.id.clone();
        if s.id.trim().is_empty() {
            return Err(BridgeError::EmptyId { index });
        }
        if let Some(first) = ids.insert(s.id.as_str(), index) {
            return Err(BridgeError::DuplicateId {
                step: step(),
                first,
                index,
            });
        }
        match s.kind {
            StepKind::Residual => return Err(BridgeError::ResidualGiven { step: step() }),
            _ if s.id == RESIDUAL_ID => return Err(BridgeError::ResidualGiven { step: step() }),
            StepKind::Start => {
                if let Some(first) = start {
                    return Err(BridgeError::TwoStarts {
                        step: step(),
                        first: steps[first].id.clone(),
                    });
                }
                start = Some(index);
            }
            StepKind::Computed => {
                if let Some(first) = computed {
                    return Err(BridgeError::SecondComputed {
                        step: step(),
                        first: steps[first].id.clone(),
                    });
                }
                computed = Some(index);
            }
            StepKind::Given | StepKind::Unquantified => {}
        }
        match (s.kind, s.amount_pence) {
            (StepKind::Start | StepKind::Given, None) => {
                return Err(BridgeError::MissingAmount {
                    step: step(),
                    kind: s.kind.as_str(),
                });
            }
            (StepKind::Unquantified, Some(_)) => {
                return Err(BridgeError::AmountOnUnquantified { step: step() });
            }
            _ => {}
        }
        if s.kind != StepKind::Computed && s.source.trim().is_empty() {
            return Err(BridgeError::MissingSource { step: step() });
        }
        if s.kind != StepKind::Start {
            let order = s
                .order
                .ok_or_else(|| BridgeError::MissingOrder { step: step() })?;
            if let Some(&other) = orders.get(&order) {
                return Err(BridgeError::DuplicateOrder {
                    step: step(),
                    order,
                    other: steps[other].id.clone(),
                });
            }
            orders.insert(order, index);
        }
    }
    let start = start.ok_or(BridgeError::NoStart)?;
    Ok(Placed {
        start,
        steps: orders.into_values().collect(),
        computed,
    })
}

impl Ruleset {
    /// Walks the bridge `steps` from the start, in declared order, to the residual. A
    /// computed step is the shift-left model's total net savings over `activity` under
    /// this ruleset's `[shift]` defaults; without `activity` it is carried at its stated
    /// amount (or refused, when it states none).
    pub fn bridge(
        &self,
        steps: &[BridgeStep],
        activity: Option<&[ShiftInput]>,
    ) -> Result<Bridge, BridgeError> {
        let placed = place(steps)?;
        let shift = match (placed.computed, activity) {
            (Some(c), Some(a)) => {
                Some(self.shift_batch(a).map_err(|source| BridgeError::Model {
                    step: steps[c].id.clone(),
                    source,
                })?)
            }
            (Some(c), None) if steps[c].amount_pence.is_none() => {
                return Err(BridgeError::MissingModelInput {
                    step: steps[c].id.clone(),
                });
            }
            _ => None,
        };
        let totals = shift.map(|s| s.totals);
        let first = &steps[placed.start];
        let start_pence = first.amount_pence.unwrap_or_default();
        let mut rows = Vec::with_capacity(placed.steps.len() + 2);
        rows.push(BridgeRow {
            order: None,
            id: first.id.clone(),
            name: first.name.clone(),
            kind: StepKind::Start,
            basis: Basis::Given,
            amount_pence: Some(start_pence),
            running_total_pence: start_pence,
            stated_pence: None,
            source: first.source.clone(),
        });
        let mut position = start_pence;
        let mut unquantified = 0;
        for &i in &placed.steps {
            let s = &steps[i];
            let (basis, amount, stated, source) = match s.kind {
                StepKind::Given => (Basis::Given, s.amount_pence, None, s.source.clone()),
                StepKind::Unquantified => {
                    unquantified += 1;
                    (Basis::Unquantified, None, None, s.source.clone())
                }
                StepKind::Computed => match &totals {
                    Some(t) => (
                        Basis::Model,
                        Some(t.net_savings_pence),
                        s.amount_pence,
                        explain::computed_source(self.id(), t, s),
                    ),
                    None => (
                        Basis::Stated,
                        s.amount_pence,
                        s.amount_pence,
                        explain::stated_source(s),
                    ),
                },
                // `place` keeps the start out of the ordered steps and refuses a residual.
                StepKind::Start | StepKind::Residual => continue,
            };
            if let Some(a) = amount {
                position = position
                    .checked_add(a)
                    .ok_or_else(|| BridgeError::Overflow { step: s.id.clone() })?;
            }
            rows.push(BridgeRow {
                order: s.order,
                id: s.id.clone(),
                name: s.name.clone(),
                kind: s.kind,
                basis,
                amount_pence: amount,
                running_total_pence: position,
                stated_pence: stated,
                source,
            });
        }
        rows.push(BridgeRow {
            order: None,
            id: RESIDUAL_ID.into(),
            name: explain::residual_name(position).into(),
            kind: StepKind::Residual,
            basis: Basis::Sum,
            amount_pence: Some(position),
            running_total_pence: position,
            stated_pence: None,
            source: "the start plus every quantified step".into(),
        });
        let mut b = Bridge {
            rows,
            start_pence,
            residual_pence: position,
            unquantified,
            shift: totals,
            explanation: Vec::new(),
        };
        b.explanation = explain::lines(&b);
        Ok(b)
    }
}
