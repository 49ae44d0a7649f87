//! Validation: the `footprint` table into a `Report`.

use localcare_tables::run;
use localcare_tables::spec::Face;
use pyo3::prelude::*;

use crate::errors::CoreResult;
use crate::input::read_table;
use crate::output::Built;
use crate::{PyRuleset, ruleset_or_default};

/// A footprint's validation report.
#[pyclass(frozen, name = "Report", module = "localcare")]
pub struct PyReport(run::validate::Validated);

#[pymethods]
impl PyReport {
    #[getter]
    fn has_errors(&self) -> bool {
        self.0.report.has_errors()
    }
    #[getter]
    fn errors(&self) -> usize {
        self.0.report.count(localcare::footprint::Severity::Error)
    }
    #[getter]
    fn warnings(&self) -> usize {
        self.0.report.count(localcare::footprint::Severity::Warning)
    }
    #[getter]
    fn infos(&self) -> usize {
        self.0.report.count(localcare::footprint::Severity::Info)
    }
    #[getter]
    fn units(&self) -> usize {
        self.0.report.units()
    }
    #[getter]
    fn practices(&self) -> usize {
        self.0.report.practices()
    }
    /// An int when whole (as always), else an exact `decimal.Decimal`.
    #[getter]
    fn total_population(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::classify::people_to_py(py, self.0.report.total_population())
    }
    #[getter]
    fn accountable_units(&self) -> usize {
        self.0.report.accountable_units()
    }
    /// The feasible ACO counts as text (`3..=4`, `none`), or None.
    #[getter]
    fn aco_count_range(&self) -> Option<String> {
        self.0.report.aco_count_range().map(|r| r.to_string())
    }
    #[getter]
    fn summary(&self) -> String {
        self.0.report.summary()
    }
    /// The report as text, as the CLI prints it.
    fn to_text(&self) -> String {
        self.0.text()
    }
    /// `(code, unit_id)` for every finding, in the report's order.
    fn finding_keys(&self) -> Vec<(&'static str, Option<String>)> {
        self.0
            .report
            .findings()
            .iter()
            .map(|f| (f.code.as_str(), f.unit_id.clone()))
            .collect()
    }
    /// The findings as a table: `code`, `name`, `severity`, `unit_id`, `rule`, `message`.
    #[pyo3(signature = (*, as_dict = false))]
    fn findings(&self, py: Python<'_>, as_dict: bool) -> PyResult<Py<PyAny>> {
        Built::new(self.0.findings(Face::Python), as_dict).into_py(py)
    }
    fn __len__(&self) -> usize {
        self.0.report.findings().len()
    }
    fn __repr__(&self) -> String {
        format!("Report({})", self.0.report.summary())
    }
}

/// Validates a footprint: `unit_id`, `parent_id`, `declared_tier`, `population`,
/// `capabilities` (optional).
#[pyfunction]
#[pyo3(signature = (footprint, ruleset = None))]
pub fn validate(
    py: Python<'_>,
    footprint: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<PyReport> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(footprint, "footprint")?;
    let v = py.detach(move || -> CoreResult<run::validate::Validated> {
        Ok(run::validate::validate(&rs, &t)?)
    })?;
    Ok(PyReport(v))
}
