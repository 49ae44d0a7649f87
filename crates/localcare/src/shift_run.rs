//! The shift-left model followed, per unit, by the settlement of its year (docs/shift.md): each unit's expected actual spend is its benchmark less its net savings. The
//! rule every face runs when it is given benchmarks beside the activity.

use rust_decimal::Decimal;

use crate::Ruleset;
use crate::settle::Settlement;
use crate::shift::{ShiftError, ShiftInput, ShiftOutcome, ShiftTotals};

/// A unit's benchmark, for the settlement that follows its shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftBenchmark {
    /// Benchmark expenditure, pence.
    pub benchmark_pence: i64,
    /// People assigned to the ACO.
    pub assigned_population: u64,
    /// Quality score from 0 to 1; the settlement needs it, the minimum savings rate
    /// question does not.
    pub quality: Option<Decimal>,
}

/// One unit's shift, and its settlement when a benchmark was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shifted {
    /// The core's outcome.
    pub outcome: ShiftOutcome,
    /// With a benchmark: the benchmark it was settled against, pence.
    pub benchmark_pence: Option<i64>,
    /// With a benchmark: benchmark − net savings, pence.
    pub expected_actual_pence: Option<i64>,
    /// With a benchmark: the settlement of that year.
    pub settlement: Option<Settlement>,
    /// The outcome's steps, then, with a benchmark, the link and the settlement's steps.
    pub explanation: Vec<String>,
}

/// The shift of every unit, in input order, with the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftRun {
    /// One per unit.
    pub rows: Vec<Shifted>,
    /// The sums of the units' rounded amounts.
    pub totals: ShiftTotals,
}

impl Ruleset {
    /// Runs the model for every unit ([`Ruleset::shift_batch`]) and, with `benchmarks`
    /// (one per unit, in the same order; else an error), settles each
    /// ([`Ruleset::shift_settle`]). An error names the unit's row (`ShiftError::Row`).
    pub fn shift_run(
        &self,
        inputs: &[ShiftInput],
        benchmarks: Option<&[ShiftBenchmark]>,
    ) -> Result<ShiftRun, ShiftError> {
        let rs = self;
        let summary = rs.shift_batch(inputs)?;
        let rows = match benchmarks {
            None => summary
                .units
                .into_iter()
                .map(|outcome| Shifted {
                    explanation: outcome.explanation.clone(),
                    outcome,
                    benchmark_pence: None,
                    expected_actual_pence: None,
                    settlement: None,
                })
                .collect(),
            Some(b) => {
                if b.len() != inputs.len() {
                    return Err(ShiftError::Invalid {
                        unit_id: String::new(),
                        field: "benchmark_pence",
                        message: format!(
                            "is given for {} units, but there are {}; expected one benchmark per unit",
                            b.len(),
                            inputs.len()
                        ),
                    });
                }
                inputs
                    .iter()
                    .zip(b)
                    .enumerate()
                    .map(|(index, (input, b))| {
                        let row = |e| ShiftError::Row {
                            index,
                            source: Box::new(e),
                        };
                        let quality = b.quality.ok_or_else(|| {
                            row(ShiftError::Invalid {
                                unit_id: input.unit_id.clone(),
                                field: "quality",
                                message: "is not given; the settlement needs a score from 0 to 1"
                                    .into(),
                            })
                        })?;
                        let s = rs
                            .shift_settle(input, b.benchmark_pence, b.assigned_population, quality)
                            .map_err(row)?;
                        Ok(Shifted {
                            outcome: s.outcome,
                            benchmark_pence: Some(b.benchmark_pence),
                            expected_actual_pence: Some(s.expected_actual_pence),
                            settlement: Some(s.settlement),
                            explanation: s.explanation,
                        })
                    })
                    .collect::<Result<_, ShiftError>>()?
            }
        };
        Ok(ShiftRun {
            rows,
            totals: summary.totals,
        })
    }
}
