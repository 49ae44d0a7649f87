//! `localcare shift`: the shift-left model on an activity CSV, with the settlement that
//! follows, sweeps over reductions and the inverse questions. Tables are read and
//! written by `localcare-tables`; every number is the core's.

use std::fmt::Write as _;

use localcare::Ruleset;
use localcare::money::{Pounds, decimal_text, parse_decimal, parse_money};
use localcare::rust_decimal::Decimal;
use localcare::shift::{ReductionAnswer, ShiftError};
use localcare_tables::read::{self, Benchmarks};
use localcare_tables::shift::{self as table_shift, ShiftRun};
use localcare_tables::spec::{self, Face};
use localcare_tables::{format, write};

use crate::files::File;
use crate::output::Output;
use crate::{Failure, Format, output, read_file};

/// What `localcare shift` is asked.
pub enum Question {
    /// The model at each unit's own (or the ruleset's) reduction.
    Run,
    /// The model at each of these reductions.
    Sweep(Vec<Decimal>),
    /// Each unit's break-even reduction.
    BreakEven,
    /// Each unit's reduction for the minimum savings rate.
    MinimumSavingsRate,
    /// The reduction for a total: an amount, or `None` for the ruleset's target.
    Target(Option<i64>),
}

impl Question {
    /// The question from the command's options (clap lets at most one through).
    pub fn of(
        reductions: Option<Vec<String>>,
        break_even: bool,
        minimum_savings_rate: bool,
        target: Option<String>,
    ) -> Result<Question, Failure> {
        if let Some(list) = reductions {
            let values = list
                .iter()
                .map(|r| {
                    parse_decimal(r.trim()).ok_or_else(|| {
                        Failure::input(format!(
                            "--reductions: `{r}` is not a decimal; expected shares such as 0,0.1,0.3"
                        ))
                    })
                })
                .collect::<Result<_, _>>()?;
            return Ok(Question::Sweep(values));
        }
        if break_even {
            return Ok(Question::BreakEven);
        }
        if minimum_savings_rate {
            return Ok(Question::MinimumSavingsRate);
        }
        match target.as_deref().map(str::trim) {
            Some("ruleset") => Ok(Question::Target(None)),
            Some(t) => parse_money(t)
                .map(|p| Question::Target(Some(p)))
                .map_err(|e| Failure::input(format!("--target: {e}"))),
            None => Ok(Question::Run),
        }
    }
}

/// The shift's error at its place: a row's error at its `FILE:LINE` (the benchmarks
/// file's for the settlement and the benchmark, the activity file's otherwise).
fn placed(e: ShiftError, activity: &File, benchmarks: Option<(&File, &Benchmarks)>) -> String {
    match e {
        ShiftError::Row { index, source } => {
            let in_benchmarks = matches!(
                &*source,
                ShiftError::Settlement(_)
                    | ShiftError::Invalid {
                        field: "benchmark_pence",
                        ..
                    }
            );
            let no_policy = matches!(
                &*source,
                ShiftError::NoPolicy { .. }
                    | ShiftError::Settlement(localcare::SettlementError::NoPolicy { .. })
            );
            match benchmarks {
                _ if no_policy => source.to_string(),
                Some((f, b)) if in_benchmarks => {
                    format!("{}: {source}", f.at(b.rows.get(index).copied()))
                }
                _ => format!("{}: {source}", activity.at(Some(index))),
            }
        }
        e => e.to_string(),
    }
}

/// Runs `localcare shift`.
pub fn run(
    rs: &Ruleset,
    fmt: Format,
    activity: &str,
    benchmarks: Option<&str>,
    question: Question,
) -> Result<(u8, Output), Failure> {
    let af = read_file(activity)?;
    let inputs = read::activity(&af.csv.table).map_err(|e| Failure::input(af.table_error(e)))?;
    let bf = benchmarks.map(read_file).transpose()?;
    let bench = match &bf {
        Some(f) => {
            let ids: Vec<String> = inputs.iter().map(|i| i.unit_id.clone()).collect();
            Some(read::benchmarks(&f.csv.table, &ids).map_err(|e| {
                Failure::input(if e.table == spec::BENCHMARKS.name {
                    f.table_error(e)
                } else {
                    af.table_error(e)
                })
            })?)
        }
        None => None,
    };
    let refused = |e| Failure::refused(placed(e, &af, bf.as_ref().zip(bench.as_ref())));
    let values = bench.as_ref().map(|b| b.values.as_slice());
    let text = match question {
        Question::Run => {
            let r = table_shift::run(rs, &inputs, values).map_err(refused)?;
            match fmt {
                Format::Text => run_text(&r).into(),
                Format::Csv => output::table(write::shift(&r, Face::Cli), fmt),
                Format::Json => {
                    let rows = write::shift(&r, Face::Cli);
                    output::stream(move |w| format::write_shift_json(&r, &rows, w))
                }
            }
        }
        Question::Sweep(reductions) => {
            let runs = table_shift::sweep(rs, &inputs, values, &reductions).map_err(refused)?;
            match fmt {
                Format::Text => sweep_text(&reductions, &runs).into(),
                _ => output::table(write::reductions(&runs, Face::Cli), fmt),
            }
        }
        Question::BreakEven | Question::MinimumSavingsRate | Question::Target(_) => {
            let answers: Vec<(&str, Option<&str>, ReductionAnswer)> = match question {
                Question::Target(amount) => {
                    let target = match amount {
                        Some(t) => t,
                        None => rs
                            .shift_policy()
                            .and_then(|p| p.net_savings_target_pence)
                            .ok_or_else(|| {
                                Failure::input(format!(
                                    "--target ruleset: ruleset {} has no net savings target; give an amount",
                                    rs.id()
                                ))
                            })?,
                    };
                    vec![(
                        "target",
                        None,
                        rs.reduction_for_target(&inputs, target).map_err(refused)?,
                    )]
                }
                _ => inputs
                    .iter()
                    .enumerate()
                    .map(|(i, input)| {
                        let (q, a) = match (&question, values) {
                            (Question::MinimumSavingsRate, Some(b)) => (
                                "minimum_savings_rate",
                                rs.reduction_for_minimum_savings_rate(
                                    input,
                                    b[i].benchmark_pence,
                                    b[i].assigned_population,
                                ),
                            ),
                            _ => ("break_even", rs.break_even_reduction(input)),
                        };
                        a.map(|a| (q, Some(input.unit_id.as_str()), a))
                            .map_err(|e| ShiftError::Row {
                                index: i,
                                source: Box::new(e),
                            })
                    })
                    .collect::<Result<_, _>>()
                    .map_err(refused)?,
            };
            let rows: Vec<(&str, Option<&str>, &ReductionAnswer)> =
                answers.iter().map(|(q, u, a)| (*q, *u, a)).collect();
            match fmt {
                Format::Text => answers_text(&rows).into(),
                _ => output::table(write::answers(&rows, Face::Cli), fmt),
            }
        }
    };
    Ok((0, text))
}

fn run_text(r: &ShiftRun) -> String {
    let mut out = String::new();
    for row in &r.rows {
        let _ = writeln!(out, "{}:", row.outcome.unit_id);
        for l in &row.explanation {
            let _ = writeln!(out, "  {l}");
        }
    }
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

/// The settlements' total, when the run was settled (saturating past £92 quadrillion).
fn settled_total(r: &ShiftRun) -> Option<i64> {
    if r.rows.is_empty() {
        return None;
    }
    r.rows.iter().try_fold(0i64, |acc, row| {
        Some(acc.saturating_add(row.settlement.as_ref()?.final_pence))
    })
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

fn answers_text(rows: &[(&str, Option<&str>, &ReductionAnswer)]) -> String {
    let mut out = String::new();
    for (_, unit, a) in rows {
        let _ = writeln!(
            out,
            "{}: {}\n  {}",
            unit.unwrap_or("all units"),
            a.reduction
                .map_or("not reachable".to_string(), decimal_text),
            a.explanation
        );
    }
    out
}
