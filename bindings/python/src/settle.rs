//! Settlement: the `results` table into the `settlement` table.

use localcare_tables::run;
use localcare_tables::spec::Face;
use pyo3::prelude::*;

use crate::errors::CoreResult;
use crate::input::read_table;
use crate::output::Built;
use crate::{PyRuleset, ruleset_or_default};

/// Settles ACOs' years: `unit_id`, `benchmark_pence`, `actual_pence` (or `benchmark`,
/// `actual`), `assigned_population`, `quality`.
#[pyfunction]
#[pyo3(signature = (results, ruleset = None, *, as_dict = false))]
pub fn settle(
    py: Python<'_>,
    results: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(results, "results")?;
    let built = py.detach(move || -> CoreResult<Built> {
        let s = run::settle::settle(&rs, &t)?;
        Ok(Built::new(s.table(Face::Python), as_dict))
    })?;
    built.into_py(py)
}
