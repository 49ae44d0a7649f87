//! Allocation: a budget over the `footprint` table (`allocate`, `explain_allocation`),
//! and a footprint prepared once for many budgets and sweeps (`PreparedFootprint`).

use std::sync::{Arc, OnceLock};

use localcare_tables::run::allocate as run_allocate;
use localcare_tables::spec::Face;
use localcare_tables::write;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::args;
use crate::errors::{CoreError, CoreResult, InputErr};
use crate::input::read_table;
use crate::output::Built;
use crate::{PyRuleset, esc, ruleset_or_default};

/// One unit's allocation explained: the chain from the budget to its money.
#[pyclass(frozen, name = "AllocationExplanation", module = "localcare")]
pub struct PyAllocationExplanation(localcare::allocate::AllocationExplanation);

#[pymethods]
impl PyAllocationExplanation {
    /// The unit (or pot).
    #[getter]
    fn unit_id(&self) -> &str {
        &self.0.unit_id
    }
    /// Its tier id (`strategic_commissioner` for a pot).
    #[getter]
    fn tier(&self) -> &str {
        &self.0.tier
    }
    /// The ruleset id.
    #[getter]
    fn ruleset(&self) -> &str {
        &self.0.ruleset
    }
    /// Its allocation, int pence.
    #[getter]
    fn allocation_pence(&self) -> i64 {
        self.0.allocation_pence
    }
    /// The explanation as numbered lines of text (the same in every face).
    #[getter]
    fn text(&self) -> String {
        self.0.to_text()
    }
    /// The steps: dicts with `kind`, `unit_id`, `text` and `numbers` (a list of dicts
    /// `name`, `value` (exact text), `unit`).
    #[getter]
    fn steps<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.0
            .steps
            .iter()
            .map(|s| {
                let d = PyDict::new(py);
                d.set_item("kind", s.kind)?;
                d.set_item("unit_id", &s.unit_id)?;
                d.set_item("text", &s.text)?;
                let nums = s
                    .numbers
                    .iter()
                    .map(|n| {
                        let x = PyDict::new(py);
                        x.set_item("name", &n.name)?;
                        x.set_item("value", &n.value)?;
                        x.set_item("unit", n.unit)?;
                        Ok(x)
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                d.set_item("numbers", nums)?;
                Ok(d)
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "AllocationExplanation(unit_id={:?}, tier={:?}, allocation_pence={}, steps={})",
            self.0.unit_id,
            self.0.tier,
            self.0.allocation_pence,
            self.0.steps.len()
        )
    }

    fn __str__(&self) -> String {
        self.0.to_text()
    }

    fn _repr_html_(&self) -> String {
        let e = &self.0;
        let mut h = format!(
            "<div class=\"localcare-allocation-explanation\"><p>how <b><code>{}</code></b> ({}) gets <b>{}</b> under ruleset <code>{}</code></p><ol>",
            esc(&e.unit_id),
            esc(&e.tier),
            esc(&localcare::money::Pounds(e.allocation_pence).to_string()),
            esc(&e.ruleset)
        );
        for s in &e.steps {
            h.push_str(&format!(
                "<li><code>{}</code> {}</li>",
                esc(s.kind),
                esc(&s.text)
            ));
        }
        h.push_str("</ol></div>");
        h
    }
}

/// Reads a budget: int pence, or text such as `£617.4m` (pounds) or `613p` (pence).
fn budget(obj: &Bound<'_, PyAny>) -> CoreResult<i64> {
    args::money(obj, "budget").map_err(CoreError::Input)
}

/// A footprint checked and joined to its needs, ready for many budgets.
#[pyclass(frozen, name = "PreparedFootprint", module = "localcare")]
pub struct PyPrepared {
    prepared: localcare::PreparedFootprint,
    /// The result's text columns, the same for every budget: built once.
    labels: OnceLock<write::AllocationLabels>,
}

impl PyPrepared {
    fn result(&self, a: &localcare::Allocation, as_dict: bool) -> Built {
        let rs = self.prepared.ruleset();
        let labels = self
            .labels
            .get_or_init(|| write::AllocationLabels::new(a, rs));
        Built::new(
            write::allocation(a, rs, Some(labels), Face::Python),
            as_dict,
        )
    }
}

/// A scenario of one budget, or of budget lines when `obj` is a dict `{line: amount}`.
fn budget_scenario(obj: &Bound<'_, PyAny>) -> CoreResult<localcare::Scenario> {
    Ok(match args::budget_lines(obj).map_err(CoreError::Input)? {
        Some(lines) => localcare::Scenario::lines(lines),
        None => localcare::Scenario::budget(budget(obj)?),
    })
}

fn scenario(item: &Bound<'_, PyAny>) -> CoreResult<localcare::Scenario> {
    if let Ok(t) = item.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(
                InputErr::new("a scenario is a budget, or a tuple (budget, baselines)").into(),
            );
        }
        let s = budget_scenario(&t.get_item(0).map_err(|e| InputErr::new(e.to_string()))?)?;
        let base = t.get_item(1).map_err(|e| InputErr::new(e.to_string()))?;
        let baselines = if base.is_none() {
            Vec::new()
        } else {
            args::baselines(&base)?
        };
        return Ok(s.with_baselines(baselines));
    }
    budget_scenario(item)
}

impl PyPrepared {
    /// Reads the scenarios (and baselines) with the GIL held, then sweeps without it.
    fn run_sweep(
        &self,
        py: Python<'_>,
        scenarios: &Bound<'_, PyAny>,
        baselines: Option<&Bound<'_, PyAny>>,
    ) -> CoreResult<run_allocate::Swept> {
        let t = read_table(scenarios, "scenarios")?;
        let b = optional_table(baselines, "baselines")?;
        py.detach(|| -> CoreResult<_> {
            Ok(run_allocate::sweep_prepared(
                &self.prepared,
                &t,
                b.as_ref(),
            )?)
        })
    }
}

#[pymethods]
impl PyPrepared {
    /// Allocates a budget (int pence, or text such as `£617.4m`), with optional ACO
    /// baselines.
    #[pyo3(signature = (budget, baselines = None, *, as_dict = false))]
    fn allocate(
        &self,
        py: Python<'_>,
        budget: &Bound<'_, PyAny>,
        baselines: Option<&Bound<'_, PyAny>>,
        as_dict: bool,
    ) -> PyResult<Py<PyAny>> {
        let mut s = budget_scenario(budget)?;
        if let Some(b) = baselines.filter(|b| !b.is_none()) {
            s = s.with_baselines(args::baselines(b)?);
        }
        let built = py.detach(|| -> CoreResult<Built> {
            let a = self.prepared.allocate(&s)?;
            Ok(self.result(&a, as_dict))
        })?;
        built.into_py(py)
    }

    /// Allocates many scenarios: each a budget, or a tuple `(budget, baselines)`.
    #[pyo3(signature = (scenarios, *, as_dict = false))]
    fn allocate_many(
        &self,
        py: Python<'_>,
        scenarios: &Bound<'_, PyAny>,
        as_dict: bool,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let mut list = Vec::new();
        for (i, item) in scenarios
            .try_iter()
            .map_err(|_| InputErr::new("scenarios: expected a list of budgets"))?
            .enumerate()
        {
            let item = item?;
            list.push(scenario(&item).map_err(|e| match e {
                CoreError::Input(e) => CoreError::Input(e.within(&format!("scenario {i}"))),
                e => e,
            })?);
        }
        let built = py.detach(|| -> CoreResult<Vec<Built>> {
            Ok(self
                .prepared
                .allocate_many(&list)?
                .iter()
                .map(|a| self.result(a, as_dict))
                .collect())
        })?;
        built.into_iter().map(|b| b.into_py(py)).collect()
    }

    /// Explains one unit's (or pot's) allocation under a budget and optional baselines.
    #[pyo3(signature = (budget, unit_id, baselines = None))]
    fn explain(
        &self,
        py: Python<'_>,
        budget: &Bound<'_, PyAny>,
        unit_id: &str,
        baselines: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyAllocationExplanation> {
        let mut s = budget_scenario(budget)?;
        if let Some(b) = baselines.filter(|b| !b.is_none()) {
            s = s.with_baselines(args::baselines(b)?);
        }
        let e =
            py.detach(|| -> CoreResult<_> { Ok(self.prepared.allocate(&s)?.explain(unit_id)?) })?;
        Ok(PyAllocationExplanation(e))
    }

    /// The ruleset the footprint was prepared under.
    #[getter]
    fn ruleset(&self) -> PyRuleset {
        PyRuleset(Arc::new(self.prepared.ruleset().clone()))
    }

    /// Runs many scenarios in one call over all cores: a `scenarios` table (`scenario`,
    /// `budget_pence` or `budget`, optional policy overrides) with optional
    /// `baselines` (a `scenario` column puts a row on one scenario). Returns the
    /// `sweep` table; every scenario's rows equal a single `allocate`'s.
    #[pyo3(signature = (scenarios, baselines = None, *, as_dict = false))]
    fn sweep(
        &self,
        py: Python<'_>,
        scenarios: &Bound<'_, PyAny>,
        baselines: Option<&Bound<'_, PyAny>>,
        as_dict: bool,
    ) -> PyResult<Py<PyAny>> {
        let swept = self.run_sweep(py, scenarios, baselines)?;
        let batch = py.detach(move || swept.into_table(Face::Python));
        Built::new(batch, as_dict).into_py(py)
    }

    /// The sweep as matrices: `(allocation, target, scenario ids, row ids)`, the
    /// first two flat Arrow int64 arrays of `scenarios x rows` pence, scenario-major
    /// (the Python package reshapes them, without a copy, into numpy arrays).
    #[pyo3(signature = (scenarios, baselines = None))]
    fn sweep_matrix<'py>(
        &self,
        py: Python<'py>,
        scenarios: &Bound<'py, PyAny>,
        baselines: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let run_allocate::Swept { ids, sweep: sw } = self.run_sweep(py, scenarios, baselines)?;
        let rows: Vec<String> = sw.row_ids().map(str::to_string).collect();
        let (allocation, target) = sw.into_pence();
        let allocation = arrow_buffer::Buffer::from_vec(allocation);
        let target = target.map_or_else(|| allocation.clone(), arrow_buffer::Buffer::from_vec);
        let array = |b: arrow_buffer::Buffer| -> PyResult<Py<PyAny>> {
            let a: arrow_array::ArrayRef = Arc::new(arrow_array::Int64Array::new(
                arrow_buffer::ScalarBuffer::from(b),
                None,
            ));
            Ok(Py::new(py, pyo3_arrow::PyArray::from_array_ref(a))?.into_any())
        };
        PyTuple::new(
            py,
            [
                array(allocation)?.into_bound(py),
                array(target)?.into_bound(py),
                PyList::new(py, ids)?.into_any(),
                PyList::new(py, rows)?.into_any(),
            ],
        )
    }

    /// Row ids of every scenario's rows in a sweep or an allocation: the units top
    /// down, then the commissioner's pots.
    #[getter]
    fn row_ids(&self) -> CoreResult<Vec<String>> {
        let sw = self.prepared.sweep(&[])?;
        Ok(sw.row_ids().map(str::to_string).collect())
    }

    fn __len__(&self) -> usize {
        self.prepared.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "PreparedFootprint({} units, ruleset {:?})",
            self.prepared.len(),
            self.prepared.ruleset().id()
        )
    }
}

/// Reads `obj` as the table `table` when it is given (not None).
fn optional_table(
    obj: Option<&Bound<'_, PyAny>>,
    table: &'static str,
) -> CoreResult<Option<localcare_tables::Table>> {
    obj.filter(|o| !o.is_none())
        .map(|o| read_table(o, table))
        .transpose()
        .map_err(CoreError::from)
}

/// Checks a footprint and joins its needs once, for many allocations.
#[pyfunction]
#[pyo3(signature = (footprint, needs = None, ruleset = None))]
pub fn prepare(
    py: Python<'_>,
    footprint: &Bound<'_, PyAny>,
    needs: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<PyPrepared> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(footprint, "footprint")?;
    let needs = optional_table(needs, "needs")?;
    let p = py.detach(move || -> CoreResult<localcare::PreparedFootprint> {
        Ok(run_allocate::prepare(&rs, &t, needs.as_ref())?)
    })?;
    Ok(PyPrepared {
        prepared: p,
        labels: OnceLock::new(),
    })
}

/// The arguments of an allocation, read with the GIL held: the footprint and needs
/// tables, and the budget and baselines as options.
struct AllocationArgs {
    footprint: localcare_tables::Table,
    needs: Option<localcare_tables::Table>,
    options: run_allocate::AllocateOptions,
}

impl AllocationArgs {
    fn read(
        footprint: &Bound<'_, PyAny>,
        budget: &Bound<'_, PyAny>,
        needs: Option<&Bound<'_, PyAny>>,
        baselines: Option<&Bound<'_, PyAny>>,
    ) -> CoreResult<Self> {
        Ok(AllocationArgs {
            footprint: read_table(footprint, "footprint")?,
            needs: optional_table(needs, "needs")?,
            options: {
                // A dict is a budget in lines ({line: amount}); anything else one amount.
                let lines = args::budget_lines(budget).map_err(CoreError::Input)?;
                run_allocate::AllocateOptions {
                    budget_pence: match lines {
                        Some(_) => 0,
                        None => self::budget(budget)?,
                    },
                    baselines: match baselines.filter(|b| !b.is_none()) {
                        Some(b) => args::baselines(b)?,
                        None => Vec::new(),
                    },
                    lines: lines.unwrap_or_default(),
                }
            },
        })
    }

    /// The allocation, by the run layer.
    fn run(self, rs: &localcare::Ruleset) -> CoreResult<run_allocate::Allocated> {
        let tables = run_allocate::AllocateTables {
            footprint: &self.footprint,
            needs: self.needs.as_ref(),
            baselines: None,
        };
        Ok(run_allocate::allocate(rs, tables, self.options)?)
    }
}

/// Allocates a budget over a footprint.
#[pyfunction]
#[pyo3(signature = (footprint, budget, *, needs = None, baselines = None, ruleset = None, as_dict = false))]
#[allow(clippy::too_many_arguments)]
pub fn allocate(
    py: Python<'_>,
    footprint: &Bound<'_, PyAny>,
    budget: &Bound<'_, PyAny>,
    needs: Option<&Bound<'_, PyAny>>,
    baselines: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let args = AllocationArgs::read(footprint, budget, needs, baselines)?;
    let built = py.detach(move || -> CoreResult<Built> {
        let a = args.run(&rs)?;
        Ok(Built::new(a.table(&rs, None, Face::Python), as_dict))
    })?;
    built.into_py(py)
}

/// Explains one unit's (or pot's) allocation: the chain from the budget to its money.
#[pyfunction]
#[pyo3(signature = (footprint, budget, unit_id, *, needs = None, baselines = None, ruleset = None))]
pub fn explain_allocation(
    py: Python<'_>,
    footprint: &Bound<'_, PyAny>,
    budget: &Bound<'_, PyAny>,
    unit_id: &str,
    needs: Option<&Bound<'_, PyAny>>,
    baselines: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<PyAllocationExplanation> {
    let rs = ruleset_or_default(ruleset);
    let args = AllocationArgs::read(footprint, budget, needs, baselines)?;
    let e = py.detach(move || -> CoreResult<_> { Ok(args.run(&rs)?.explain(unit_id)?) })?;
    Ok(PyAllocationExplanation(e))
}
