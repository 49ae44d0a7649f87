//! The shift-left model: the `activity` table (with optional `benchmarks`) into the
//! `shift` table, the `reductions` sweep, or the `answers` table of an inverse
//! question, each by the run layer.

use localcare_tables::run::shift::{self as run_shift, Question, ShiftTables};
use localcare_tables::spec::Face;
use pyo3::prelude::*;

use crate::args;
use crate::errors::{CoreError, CoreResult};
use crate::input::read_table;
use crate::output::Built;
use crate::{PyRuleset, ruleset_or_default};

/// Reads the tables with the GIL held, asks the run layer without it, and hands back
/// the result table.
fn ask(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    benchmarks: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    question: Question,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let a = read_table(activity, "activity")?;
    let b = benchmarks
        .filter(|b| !b.is_none())
        .map(|b| read_table(b, "benchmarks"))
        .transpose()?;
    let built = py.detach(move || -> CoreResult<Built> {
        let tables = ShiftTables {
            activity: &a,
            benchmarks: b.as_ref(),
        };
        let s = run_shift::shift(&rs, tables, question)?;
        Ok(Built::new(s.table(Face::Python), as_dict))
    })?;
    built.into_py(py)
}

/// Runs the shift-left model for every unit of `activity`; with `benchmarks`, settles
/// each unit's year with actual spend = benchmark − net savings.
#[pyfunction]
#[pyo3(signature = (activity, ruleset = None, *, benchmarks = None, as_dict = false))]
pub fn shift(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    benchmarks: Option<&Bound<'_, PyAny>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    ask(py, activity, benchmarks, ruleset, Question::Run, as_dict)
}

/// The model at each reduction in turn (decimal text such as `"0.3"`), every unit at
/// that reduction of all its admissions: one `reductions` table.
#[pyfunction]
#[pyo3(signature = (activity, reductions, ruleset = None, *, benchmarks = None, as_dict = false))]
pub fn shift_sweep(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    reductions: Vec<String>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    benchmarks: Option<&Bound<'_, PyAny>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let reductions = run_shift::reductions(&reductions).map_err(CoreError::from)?;
    let question = Question::Sweep(reductions);
    ask(py, activity, benchmarks, ruleset, question, as_dict)
}

/// Each unit's break-even reduction: the `answers` table.
#[pyfunction]
#[pyo3(signature = (activity, ruleset = None, *, as_dict = false))]
pub fn break_even_reduction(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    ask(py, activity, None, ruleset, Question::BreakEven, as_dict)
}

/// Each unit's smallest reduction at which its net savings, taken off its benchmark,
/// meet the settlement's minimum savings rate: the `answers` table.
#[pyfunction]
#[pyo3(signature = (activity, benchmarks, ruleset = None, *, as_dict = false))]
pub fn reduction_for_minimum_savings_rate(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    benchmarks: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let question = Question::MinimumSavingsRate;
    ask(py, activity, Some(benchmarks), ruleset, question, as_dict)
}

/// The smallest reduction, the same in every unit, at which the units' total net
/// savings reach `target` (int pence or money text; `None` for the ruleset's target):
/// the `answers` table, one row.
#[pyfunction]
#[pyo3(signature = (activity, target = None, ruleset = None, *, as_dict = false))]
pub fn reduction_for_target(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    target: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let target = target
        .filter(|t| !t.is_none())
        .map(|t| args::money(t, "target"))
        .transpose()
        .map_err(CoreError::Input)?;
    ask(
        py,
        activity,
        None,
        ruleset,
        Question::Target(target),
        as_dict,
    )
}
