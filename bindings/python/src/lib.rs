//! The pyo3 module `localcare._localcare` behind the `localcare` Python package.
//!
//! It translates and nothing more: tables in (Arrow PyCapsule objects or dicts of
//! columns), the core's functions with the GIL released, tables out (an Arrow table or
//! a dict of lists; the Python package turns the Arrow table into the caller's kind).
//! Errors become `localcare.Error` subclasses in `errors.rs`, the one place they map.
//! Every command is the run layer's (`localcare_tables::run`); one file per engine
//! holds its Python signature and result classes.

mod allocate;
mod appraise;
mod args;
mod bridge;
mod classify;
mod errors;
mod input;
mod output;
mod practices;
mod register;
mod ruleset;
mod settle;
mod shift;
mod stroke_maps;
mod validate;

use std::sync::{Arc, OnceLock};

use localcare::Ruleset;
use localcare::money::{Pounds, parse_money as core_parse_money};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString};

use crate::errors::{CoreResult, InputErr};
pub use crate::ruleset::PyRuleset;
use localcare_tables::spec::Face;

/// The default ruleset, parsed once: rulesets are immutable, so sharing one is safe.
pub(crate) fn default_ruleset() -> Arc<Ruleset> {
    static DEFAULT: OnceLock<Arc<Ruleset>> = OnceLock::new();
    DEFAULT
        .get_or_init(|| Arc::new(Ruleset::default_builtin()))
        .clone()
}

pub(crate) fn ruleset_or_default(rs: Option<&Bound<'_, PyRuleset>>) -> Arc<Ruleset> {
    rs.map_or_else(default_ruleset, |r| r.get().0.clone())
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Parses an amount of money to pence: `£617.4m`, `1,000.50` (pounds) or `613p`.
#[pyfunction]
fn parse_money(text: &Bound<'_, PyString>) -> CoreResult<i64> {
    let text = text_arg(text, "text")?;
    core_parse_money(&text).map_err(|e| InputErr::new(e.to_string()).into())
}

/// The columns of a table as Python gives them (`classification`, `findings`,
/// `allocation`, `settlement`, or an input table such as `footprint`), in order, from
/// the one description every face uses (docs/columns.md).
#[pyfunction]
fn columns(table: &str) -> CoreResult<Vec<&'static str>> {
    localcare_tables::spec::ALL
        .iter()
        .find(|t| t.name == table)
        .map(|t| t.names(Face::Python))
        .ok_or_else(|| {
            let names: Vec<&str> = localcare_tables::spec::ALL.iter().map(|t| t.name).collect();
            InputErr::new(format!(
                "no table `{table}`; the tables are: {}",
                names.join(", ")
            ))
            .into()
        })
}

/// Pence as pounds text: `£617,400,000.00`.
#[pyfunction]
fn format_pounds(pence: &Bound<'_, PyAny>) -> CoreResult<String> {
    let p = args::money(pence, "pence")?;
    if !pence.is_instance_of::<PyInt>() {
        return Err(InputErr::at("pence", None, "expected whole pence as an int").into());
    }
    Ok(Pounds(p).to_string())
}

/// Python text as Rust text; text holding lone surrogates (which UTF-8 cannot carry)
/// is an `InputError` naming the argument, not a `UnicodeEncodeError`.
pub(crate) fn text_arg(s: &Bound<'_, PyString>, what: &str) -> CoreResult<String> {
    s.to_str().map(str::to_string).map_err(|_| {
        InputErr::at(
            what,
            None,
            "text is not valid UTF-8 (it has lone surrogates)",
        )
        .into()
    })
}

#[pymodule]
fn _localcare(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<PyRuleset>()?;
    m.add_class::<classify::PyExplanation>()?;
    m.add_class::<validate::PyReport>()?;
    m.add_class::<allocate::PyPrepared>()?;
    m.add_class::<allocate::PyAllocationExplanation>()?;
    m.add_class::<appraise::PyAppraisal>()?;
    m.add_class::<bridge::PyBridge>()?;
    m.add_function(wrap_pyfunction!(appraise::appraise, m)?)?;
    m.add_function(wrap_pyfunction!(allocate::explain_allocation, m)?)?;
    m.add_function(wrap_pyfunction!(classify::explain, m)?)?;
    m.add_function(wrap_pyfunction!(classify::classify, m)?)?;
    m.add_function(wrap_pyfunction!(validate::validate, m)?)?;
    m.add_function(wrap_pyfunction!(allocate::prepare, m)?)?;
    m.add_function(wrap_pyfunction!(allocate::allocate, m)?)?;
    m.add_function(wrap_pyfunction!(settle::settle, m)?)?;
    m.add_function(wrap_pyfunction!(shift::shift, m)?)?;
    m.add_function(wrap_pyfunction!(bridge::bridge, m)?)?;
    m.add_function(wrap_pyfunction!(shift::shift_sweep, m)?)?;
    m.add_function(wrap_pyfunction!(shift::break_even_reduction, m)?)?;
    m.add_function(wrap_pyfunction!(
        shift::reduction_for_minimum_savings_rate,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(shift::reduction_for_target, m)?)?;
    m.add_function(wrap_pyfunction!(parse_money, m)?)?;
    m.add_function(wrap_pyfunction!(format_pounds, m)?)?;
    m.add_function(wrap_pyfunction!(columns, m)?)?;
    m.add_function(wrap_pyfunction!(practices::practices, m)?)?;
    m.add_function(wrap_pyfunction!(stroke_maps::stroke_maps, m)?)?;
    m.add_function(wrap_pyfunction!(register::needs_from_persons, m)?)?;
    m.add_function(wrap_pyfunction!(register::tally_persons, m)?)?;
    m.add_function(wrap_pyfunction!(register::needs_from_person_counts, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_RULESET", localcare::ruleset::DEFAULT_RULESET)?;
    Ok(())
}
