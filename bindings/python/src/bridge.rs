//! The system financial bridge (docs/bridge.md): an optional `bridge_steps` table (the
//! ruleset's built-in bridge without one) and an optional `activity` table in, a `Bridge`
//! out holding the run layer's result, whose table is written by `localcare-tables`.

use std::sync::Arc;

use localcare::bridge::StepKind;
use localcare::money::Pounds;
use localcare_tables::run::bridge::{self as run_bridge, BridgeTables, Bridged};
use localcare_tables::spec::Face;
use pyo3::prelude::*;

use crate::errors::CoreResult;
use crate::input::read_table;
use crate::output::Built;
use crate::{PyRuleset, esc, ruleset_or_default};

/// A bridge walked: the start, each step in declared order, the residual.
#[pyclass(frozen, name = "Bridge", module = "localcare")]
pub struct PyBridge {
    b: Arc<Bridged>,
}

#[pymethods]
impl PyBridge {
    /// The `bridge` table, as an Arrow table or, with `as_dict`, a dict of lists.
    #[pyo3(signature = (*, as_dict = false))]
    fn table(&self, py: Python<'_>, as_dict: bool) -> PyResult<Py<PyAny>> {
        Built::new(self.b.table(Face::Python), as_dict).into_py(py)
    }

    /// The steps walked as a `bridge_steps` table (the ruleset's built-in ones when no
    /// table was given), to edit and give back.
    #[pyo3(signature = (*, as_dict = false))]
    fn steps(&self, py: Python<'_>, as_dict: bool) -> PyResult<Py<PyAny>> {
        Built::new(self.b.steps_table(Face::Python), as_dict).into_py(py)
    }

    /// The do-nothing position, pence (a deficit is negative).
    #[getter]
    fn start_pence(&self) -> i64 {
        self.b.bridge.start_pence
    }

    /// The position every step leaves, pence: negative is a gap still to close.
    #[getter]
    fn residual_pence(&self) -> i64 {
        self.b.bridge.residual_pence
    }

    /// Steps not quantified (they move nothing).
    #[getter]
    fn unquantified(&self) -> usize {
        self.b.bridge.unquantified
    }

    /// The ruleset's title of its built-in bridge; `None` for a table of steps.
    #[getter]
    fn title(&self) -> Option<String> {
        self.b.title.clone()
    }

    /// The bridge in words, as `localcare bridge` prints it.
    #[getter]
    fn explanation(&self) -> String {
        self.b.text()
    }

    fn __len__(&self) -> usize {
        self.b.bridge.rows.len()
    }

    fn __str__(&self) -> String {
        self.explanation()
    }

    fn __repr__(&self) -> String {
        format!(
            "<localcare.Bridge: {} rows, start {}, residual {}>",
            self.b.bridge.rows.len(),
            Pounds(self.b.bridge.start_pence),
            Pounds(self.b.bridge.residual_pence)
        )
    }

    /// The rows as a table: amount, running total, basis and source of each.
    fn _repr_html_(&self) -> String {
        let b = &self.b.bridge;
        let mut h = format!(
            "<div class=\"localcare-bridge\"><p>{}from <b>{}</b> to a residual of <b>{}</b>; {} step(s) not quantified</p>",
            self.b
                .title
                .as_ref()
                .map_or(String::new(), |t| format!("{}: ", esc(t))),
            Pounds(b.start_pence),
            Pounds(b.residual_pence),
            b.unquantified
        );
        h.push_str("<table><thead><tr><th>order</th><th>step</th><th>name</th><th>amount</th><th>running total</th><th>basis</th><th>source</th></tr></thead><tbody>");
        for r in &b.rows {
            let amount = match (r.kind, r.amount_pence) {
                (StepKind::Unquantified, _) | (_, None) => "not quantified".to_string(),
                (_, Some(a)) => Pounds(a).to_string(),
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td style=\"text-align:right\">{}</td><td style=\"text-align:right\">{}</td><td>{}</td><td>{}</td></tr>",
                r.order.map(|o| o.to_string()).unwrap_or_default(),
                esc(&r.id),
                esc(&r.name),
                amount,
                Pounds(r.running_total_pence),
                r.basis.as_str(),
                esc(&r.source)
            ));
        }
        h.push_str("</tbody></table></div>");
        h
    }
}

/// Walks a bridge: `steps` (a `bridge_steps` table; `None` for the ruleset's built-in
/// bridge) and `activity` (the shift-left model's input for the computed step).
#[pyfunction]
#[pyo3(signature = (steps = None, ruleset = None, *, activity = None))]
pub fn bridge(
    py: Python<'_>,
    steps: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    activity: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBridge> {
    let rs = ruleset_or_default(ruleset);
    let s = steps
        .filter(|s| !s.is_none())
        .map(|s| read_table(s, "bridge_steps"))
        .transpose()?;
    let a = activity
        .filter(|a| !a.is_none())
        .map(|a| read_table(a, "activity"))
        .transpose()?;
    let b = py.detach(move || -> CoreResult<Bridged> {
        let tables = BridgeTables {
            steps: s.as_ref(),
            activity: a.as_ref(),
        };
        Ok(run_bridge::bridge(&rs, tables)?)
    })?;
    Ok(PyBridge { b: Arc::new(b) })
}
