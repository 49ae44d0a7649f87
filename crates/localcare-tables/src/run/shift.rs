//! `shift`: the shift-left model over the `activity` table, with the settlement that
//! follows when `benchmarks` are given: the `shift` table at each unit's own
//! reduction, the `reductions` table over a sweep of reductions, or the `answers`
//! table for an inverse question.

use std::fmt::Write as _;

use arrow_array::RecordBatch;
use localcare::Ruleset;
use localcare::money::{Pounds, decimal_text, parse_decimal};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementError;
use localcare::shift::{ReductionAnswer, ShiftError, ShiftInput};

use super::{Place, RunError, headed};
use crate::read::{self, Benchmarks};
use crate::shift::{self as table_shift, ShiftRun};
use crate::spec::{self, Face};
use crate::{Table, format, write};

/// The input tables of the model.
#[derive(Debug, Clone, Copy)]
pub struct ShiftTables<'a> {
    /// The `activity` table.
    pub activity: &'a Table,
    /// The `benchmarks` table: one row per unit of `activity`; each unit's year is then
    /// settled with actual spend = benchmark − net savings.
    pub benchmarks: Option<&'a Table>,
}

/// What the model is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// The model at each unit's own (or the ruleset's) reduction: the `shift` table.
    Run,
    /// The model at each of these reductions of all admissions in every unit: the
    /// `reductions` table.
    Sweep(Vec<Decimal>),
    /// Each unit's smallest reduction at which its net savings are £0 or more.
    BreakEven,
    /// Each unit's smallest reduction at which its net savings, taken off its
    /// benchmark, meet the settlement's minimum savings rate (needs `benchmarks`).
    MinimumSavingsRate,
    /// The smallest reduction, the same in every unit, at which total net savings
    /// reach this amount, pence; `None` for the ruleset's own target.
    Target(Option<i64>),
}

/// One answer to an inverse question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The question: `break_even`, `minimum_savings_rate` or `target`.
    pub question: &'static str,
    /// The unit, or `None` for a question about all units.
    pub unit_id: Option<String>,
    /// The core's answer.
    pub answer: ReductionAnswer,
}

/// The model's result, by question.
#[derive(Debug, Clone)]
pub enum Shifted {
    /// [`Question::Run`].
    Run(ShiftRun),
    /// [`Question::Sweep`]: the reductions, and the run at each.
    Sweep {
        /// The reductions, in the order asked.
        reductions: Vec<Decimal>,
        /// One run per reduction.
        runs: Vec<ShiftRun>,
    },
    /// The inverse questions.
    Answers(Vec<Answer>),
}

/// Reads the tables and asks the model `question` under `rs`. A refusal is placed at
/// the row at fault: of `benchmarks` for the settlement and the benchmark, of
/// `activity` otherwise, and at no row when the ruleset lacks a policy.
pub fn shift(
    rs: &Ruleset,
    tables: ShiftTables<'_>,
    question: Question,
) -> Result<Shifted, RunError> {
    let inputs = read::activity(tables.activity)?;
    let bench = match tables.benchmarks {
        Some(t) => {
            let ids: Vec<String> = inputs.iter().map(|i| i.unit_id.clone()).collect();
            Some(read::benchmarks(t, &ids)?)
        }
        None => None,
    };
    let refused = |e| placed(e, bench.as_ref());
    let values = bench.as_ref().map(|b| b.values.as_slice());
    Ok(match question {
        Question::Run => Shifted::Run(table_shift::run(rs, &inputs, values).map_err(refused)?),
        Question::Sweep(reductions) => {
            let runs = table_shift::sweep(rs, &inputs, values, &reductions).map_err(refused)?;
            Shifted::Sweep { reductions, runs }
        }
        Question::Target(amount) => {
            let target = match amount {
                Some(t) => t,
                None => default_target(rs)?,
            };
            let answer = rs.reduction_for_target(&inputs, target).map_err(refused)?;
            Shifted::Answers(vec![Answer {
                question: "target",
                unit_id: None,
                answer,
            }])
        }
        Question::BreakEven => Shifted::Answers(
            per_unit(&inputs, "break_even", |_, i| rs.break_even_reduction(i)).map_err(refused)?,
        ),
        Question::MinimumSavingsRate => {
            let b = values.ok_or_else(|| RunError::Option {
                option: "benchmarks",
                message: "not given; the minimum savings rate is taken off each unit's benchmark"
                    .into(),
            })?;
            Shifted::Answers(
                per_unit(&inputs, "minimum_savings_rate", |index, i| {
                    rs.reduction_for_minimum_savings_rate(
                        i,
                        b[index].benchmark_pence,
                        b[index].assigned_population,
                    )
                })
                .map_err(refused)?,
            )
        }
    })
}

/// Reductions given as decimal text (`"0.3"`), each a share of all admissions.
pub fn reductions<S: AsRef<str>>(list: &[S]) -> Result<Vec<Decimal>, RunError> {
    list.iter()
        .map(|r| {
            let r = r.as_ref();
            parse_decimal(r.trim()).ok_or_else(|| RunError::Option {
                option: "reductions",
                message: format!("`{r}` is not a decimal; expected shares such as 0.1 or 0.3"),
            })
        })
        .collect()
}

/// The ruleset's net savings target, for a target question that names no amount.
pub fn default_target(rs: &Ruleset) -> Result<i64, RunError> {
    rs.shift_policy()
        .and_then(|p| p.net_savings_target_pence)
        .ok_or_else(|| RunError::Option {
            option: "target",
            message: format!(
                "ruleset {} has no net savings target; give an amount",
                rs.id()
            ),
        })
}

/// Asks every unit in turn; an error names the unit's row.
fn per_unit(
    inputs: &[ShiftInput],
    question: &'static str,
    mut ask: impl FnMut(usize, &ShiftInput) -> Result<ReductionAnswer, ShiftError>,
) -> Result<Vec<Answer>, ShiftError> {
    inputs
        .iter()
        .enumerate()
        .map(|(index, i)| {
            ask(index, i)
                .map(|answer| Answer {
                    question,
                    unit_id: Some(i.unit_id.clone()),
                    answer,
                })
                .map_err(|e| ShiftError::Row {
                    index,
                    source: Box::new(e),
                })
        })
        .collect()
}

/// The shift's error at its row.
fn placed(e: ShiftError, benchmarks: Option<&Benchmarks>) -> RunError {
    let ShiftError::Row { index, source } = &e else {
        return RunError::refused(e);
    };
    let no_policy = matches!(
        **source,
        ShiftError::NoPolicy { .. } | ShiftError::Settlement(SettlementError::NoPolicy { .. })
    );
    if no_policy {
        return RunError::refused((**source).clone());
    }
    let in_benchmarks = matches!(
        **source,
        ShiftError::Settlement(_)
            | ShiftError::Invalid {
                field: "benchmark_pence",
                ..
            }
    );
    let place = match benchmarks {
        Some(b) if in_benchmarks => b.rows.get(*index).map(|&row| Place {
            table: spec::BENCHMARKS.name,
            row,
            column: None,
            message: source.to_string(),
        }),
        _ => Some(Place {
            table: spec::ACTIVITY.name,
            row: *index,
            column: None,
            message: source.to_string(),
        }),
    };
    RunError::refused_at(e, place)
}

impl Shifted {
    /// The result table: `shift`, `reductions` or `answers`, by question.
    pub fn table(&self, face: Face) -> RecordBatch {
        match self {
            Shifted::Run(r) => write::shift(r, face),
            Shifted::Sweep { runs, .. } => write::reductions(runs, face),
            Shifted::Answers(a) => {
                let rows: Vec<(&str, Option<&str>, &ReductionAnswer)> = a
                    .iter()
                    .map(|a| (a.question, a.unit_id.as_deref(), &a.answer))
                    .collect();
                write::answers(&rows, face)
            }
        }
    }

    /// Writes the result as JSON to `w`: the `shift` table with its totals; the other
    /// tables' rows.
    pub fn write_json(&self, face: Face, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Shifted::Run(r) => format::write_shift_json(r, &self.table(face), w),
            _ => crate::json::write_table(&self.table(face), w),
        }
    }

    /// The result as text: each unit's steps and the totals; a line per reduction of a
    /// sweep; each answer and its words.
    pub fn text(&self) -> String {
        match self {
            Shifted::Run(r) => run_text(r),
            Shifted::Sweep { reductions, runs } => sweep_text(reductions, runs),
            Shifted::Answers(a) => answers_text(a),
        }
    }
}

/// The settlements' total, when the run was settled (saturating past £92 quadrillion).
pub fn settled_total(r: &ShiftRun) -> Option<i64> {
    if r.rows.is_empty() {
        return None;
    }
    r.rows.iter().try_fold(0i64, |acc, row| {
        Some(acc.saturating_add(row.settlement.as_ref()?.final_pence))
    })
}

fn run_text(r: &ShiftRun) -> String {
    let mut out: String = r
        .rows
        .iter()
        .map(|row| headed(&row.outcome.unit_id, &row.explanation))
        .collect();
    let t = &r.totals;
    let _ = writeln!(
        out,
        "total over {} units: {} admissions avoided, {} bed days and {} beds released; gross savings {}, reinvestment {}, net savings {}",
        t.units,
        t.admissions_avoided,
        t.bed_days_released,
        t.beds_released,
        Pounds(t.gross_savings_pence),
        Pounds(t.reinvestment_pence),
        Pounds(t.net_savings_pence)
    );
    if let Some(f) = settled_total(r) {
        let _ = writeln!(out, "settlements in total: {}", Pounds(f));
    }
    out
}

fn sweep_text(reductions: &[Decimal], runs: &[ShiftRun]) -> String {
    let mut out = format!(
        "{:>10} {:>14} {:>10} {:>20} {:>20}\n",
        "reduction", "admissions", "beds", "net savings", "settlements"
    );
    for (r, run) in reductions.iter().zip(runs) {
        let t = &run.totals;
        let _ = writeln!(
            out,
            "{:>10} {:>14} {:>10} {:>20} {:>20}",
            decimal_text(*r),
            t.admissions_avoided.to_string(),
            t.beds_released.to_string(),
            Pounds(t.net_savings_pence).to_string(),
            settled_total(run).map_or("-".to_string(), |f| Pounds(f).to_string())
        );
    }
    out
}

fn answers_text(answers: &[Answer]) -> String {
    let mut out = String::new();
    for a in answers {
        let _ = writeln!(
            out,
            "{}: {}\n  {}",
            a.unit_id.as_deref().unwrap_or("all units"),
            a.answer
                .reduction
                .map_or("not reachable".to_string(), decimal_text),
            a.answer.explanation
        );
    }
    out
}
