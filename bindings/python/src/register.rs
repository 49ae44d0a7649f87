//! The person-level register: `persons` into needs or counts, and counts into needs,
//! each by the run layer.

use localcare::Ruleset;
use localcare_tables::Table;
use localcare_tables::run::{RunError, register as run_register};
use localcare_tables::spec::Face;
use pyo3::prelude::*;

use crate::errors::CoreResult;
use crate::input::read_table;
use crate::output::Built;
use crate::{PyRuleset, ruleset_or_default};

/// One of the run layer's register commands.
type Command = fn(&Ruleset, &Table, Face) -> Result<arrow_array::RecordBatch, RunError>;

/// Reads the one table a register call takes, runs `command` on it without the GIL,
/// and hands back the table it writes.
fn register_call(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    table: &'static str,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
    command: Command,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(obj, table)?;
    let built = py.detach(move || -> CoreResult<Built> {
        Ok(Built::new(command(&rs, &t, Face::Python)?, as_dict))
    })?;
    built.into_py(py)
}

/// A person-level register (`persons`: `person_id`, `unit_id`, `age_band`,
/// `hi_weight`) into practice needs, exactly: counts by age band, weights summed in
/// integer millionths.
#[pyfunction]
#[pyo3(signature = (persons, ruleset = None, *, as_dict = false))]
pub fn needs_from_persons(
    py: Python<'_>,
    persons: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let command = run_register::needs_from_persons;
    register_call(py, persons, "persons", ruleset, as_dict, command)
}

/// A register (or a part of one) counted by practice and age band: the
/// `person_counts` table that parts of a register add up to.
#[pyfunction]
#[pyo3(signature = (persons, ruleset = None, *, as_dict = false))]
pub fn tally_persons(
    py: Python<'_>,
    persons: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let command = run_register::tally_persons;
    register_call(py, persons, "persons", ruleset, as_dict, command)
}

/// A `person_counts` table (rows for one practice and band are added) into needs.
#[pyfunction]
#[pyo3(signature = (counts, ruleset = None, *, as_dict = false))]
pub fn needs_from_person_counts(
    py: Python<'_>,
    counts: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let command = run_register::needs_from_counts;
    register_call(py, counts, "person_counts", ruleset, as_dict, command)
}
