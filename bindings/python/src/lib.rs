//! The pyo3 module `localcare._localcare` behind the `localcare` Python package.
//!
//! It translates and nothing more: tables in (Arrow PyCapsule objects or dicts of
//! columns), the core's functions with the GIL released, tables out (an Arrow table or
//! a dict of lists; the Python package turns the Arrow table into the caller's kind).
//! Errors become `localcare.Error` subclasses in `errors.rs`, the one place they map.

mod appraise;
mod args;
mod errors;
mod input;
mod output;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use localcare::money::{Pounds, parse_money as core_parse_money};
use localcare::{Ruleset, Unit};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};

use crate::errors::{CoreError, CoreResult, InputErr};
use crate::input::read_table;
use crate::output::Built;
use localcare::money::decimal_text;
use localcare::rust_decimal::Decimal;
use localcare::shift::ShiftInput;
use localcare_tables::shift::{self as table_shift, ShiftBenchmark};
use localcare_tables::spec::Face;
use localcare_tables::{read, write};

/// The default ruleset, parsed once: rulesets are immutable, so sharing one is safe.
fn default_ruleset() -> Arc<Ruleset> {
    static DEFAULT: OnceLock<Arc<Ruleset>> = OnceLock::new();
    DEFAULT
        .get_or_init(|| Arc::new(Ruleset::default_builtin()))
        .clone()
}

fn ruleset_or_default(rs: Option<&Bound<'_, PyRuleset>>) -> Arc<Ruleset> {
    rs.map_or_else(default_ruleset, |r| r.get().0.clone())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A checked, immutable ruleset: tiers, capabilities, allocation and settlement policy.
#[pyclass(frozen, name = "Ruleset", module = "localcare")]
pub struct PyRuleset(Arc<Ruleset>);

#[pymethods]
impl PyRuleset {
    /// A built-in ruleset by id (default `kent-medway-2017`).
    #[staticmethod]
    #[pyo3(signature = (name = None))]
    fn builtin(name: Option<&Bound<'_, PyString>>) -> CoreResult<Self> {
        let name = match name {
            Some(n) => text_arg(n, "name")?,
            None => localcare::ruleset::DEFAULT_RULESET.to_string(),
        };
        let name = name.as_str();
        if name == localcare::ruleset::DEFAULT_RULESET {
            return Ok(PyRuleset(default_ruleset()));
        }
        Ok(PyRuleset(Arc::new(Ruleset::builtin(name)?)))
    }

    /// Ids of the built-in rulesets.
    #[staticmethod]
    fn builtin_names() -> Vec<&'static str> {
        Ruleset::builtin_names().collect()
    }

    /// Reads a ruleset from TOML text.
    #[staticmethod]
    fn from_toml(text: &Bound<'_, PyString>) -> CoreResult<Self> {
        let text = text_arg(text, "text")?;
        Ok(PyRuleset(Arc::new(Ruleset::from_toml_str(&text)?)))
    }

    /// Reads a ruleset from JSON text (the same schema as TOML).
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyString>) -> CoreResult<Self> {
        let text = text_arg(text, "text")?;
        Ok(PyRuleset(Arc::new(Ruleset::from_json_str(&text)?)))
    }

    /// Reads a ruleset file: JSON when the name ends in `.json`, TOML otherwise.
    #[staticmethod]
    fn from_path(path: PathBuf) -> CoreResult<Self> {
        Ok(PyRuleset(Arc::new(Ruleset::from_path(path)?)))
    }

    /// A ruleset by file path or built-in name, as every face resolves a `ruleset`
    /// argument: a file of that name wins, else the built-in of that id.
    #[staticmethod]
    fn load(name_or_path: &Bound<'_, PyString>) -> CoreResult<Self> {
        let name_or_path = text_arg(name_or_path, "name_or_path")?;
        let name_or_path = name_or_path.as_str();
        if name_or_path == localcare::ruleset::DEFAULT_RULESET
            && !std::path::Path::new(name_or_path).is_file()
        {
            return Ok(PyRuleset(default_ruleset()));
        }
        Ok(PyRuleset(Arc::new(Ruleset::load(Some(name_or_path))?)))
    }

    #[getter]
    fn id(&self) -> &str {
        self.0.id()
    }

    #[getter]
    fn version(&self) -> &str {
        self.0.version()
    }

    #[getter]
    fn title(&self) -> &str {
        self.0.title()
    }

    /// `{capability id: description}`, in the ruleset's order.
    #[getter]
    fn capabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for c in self.0.capabilities() {
            d.set_item(c.id(), c.description())?;
        }
        Ok(d)
    }

    /// `{source id: title}`.
    #[getter]
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (id, title) in self.0.sources() {
            d.set_item(id, title)?;
        }
        Ok(d)
    }

    /// The tiers, lowest to highest, each a dict: `id`, `name`, `min`, `max` (None when
    /// open), `requires` (capability ids), `parents` (tier ids, or
    /// `strategic_commissioner`), `source`.
    #[getter]
    fn tiers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rs = &*self.0;
        let list = PyList::empty(py);
        for t in rs.tiers() {
            let d = PyDict::new(py);
            d.set_item("id", t.id())?;
            d.set_item("name", t.name())?;
            d.set_item("min", t.band().map(|b| b.min()))?;
            d.set_item("max", t.band().and_then(|b| b.max()))?;
            let req: Vec<&str> = t
                .requires()
                .iter()
                .map(|b| rs.capabilities()[b].id())
                .collect();
            d.set_item("requires", req)?;
            let mut parents: Vec<&str> = t.parents().iter().map(|&p| rs.tiers()[p].id()).collect();
            if t.under_commissioner() {
                parents.push(localcare::ruleset::STRATEGIC_COMMISSIONER);
            }
            d.set_item("parents", parents)?;
            d.set_item("source", t.source())?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// Tier ids, lowest to highest.
    #[getter]
    fn tier_ids(&self) -> Vec<String> {
        self.0.tier_ids().map(str::to_string).collect()
    }

    /// Whether the ruleset has a settlement policy.
    #[getter]
    fn has_settlement_policy(&self) -> bool {
        self.0.settlement_policy().is_some()
    }

    /// The document as JSON (the canonical form; `Ruleset.from_json` reads it back).
    fn to_json(&self) -> String {
        self.0.to_json_string()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyRuleset>()
            .is_ok_and(|o| *o.get().0 == *self.0)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut h = DefaultHasher::new();
        self.0.id().hash(&mut h);
        self.0.version().hash(&mut h);
        h.finish()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let from_json = py.get_type::<PyRuleset>().getattr("from_json")?;
        let args = PyTuple::new(py, [slf.get().0.to_json_string()])?;
        PyTuple::new(py, [from_json.into_any(), args.into_any()])
    }

    fn __repr__(&self) -> String {
        format!(
            "Ruleset(id={:?}, version={:?}, tiers=[{}])",
            self.0.id(),
            self.0.version(),
            self.0.tier_ids().collect::<Vec<_>>().join(", ")
        )
    }

    fn _repr_html_(&self) -> String {
        let rs = &*self.0;
        let mut h = format!(
            "<div class=\"localcare-ruleset\"><b>{}</b> <code>{}</code> version {}<table><thead><tr><th>tier</th><th>name</th><th>population band</th><th>requires</th><th>parents</th></tr></thead><tbody>",
            esc(rs.title()),
            esc(rs.id()),
            esc(rs.version())
        );
        for t in rs.tiers() {
            let band = t.band().map_or("any".to_string(), |b| b.to_string());
            let req: Vec<&str> = t
                .requires()
                .iter()
                .map(|b| rs.capabilities()[b].id())
                .collect();
            let mut parents: Vec<&str> = t.parents().iter().map(|&p| rs.tiers()[p].id()).collect();
            if t.under_commissioner() {
                parents.push(localcare::ruleset::STRATEGIC_COMMISSIONER);
            }
            h.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(t.id()),
                esc(t.name()),
                esc(&band),
                esc(&req.join(", ")),
                esc(&parents.join(", "))
            ));
        }
        h.push_str("</tbody></table></div>");
        h
    }
}

/// One unit's classification, with the reasons it is not in each higher tier.
#[pyclass(frozen, name = "Explanation", module = "localcare")]
pub struct PyExplanation {
    #[pyo3(get)]
    population: u64,
    #[pyo3(get)]
    tier: String,
    #[pyo3(get)]
    tier_name: String,
    #[pyo3(get)]
    band_status: String,
    /// `{higher tier id: why not}`.
    reasons: Vec<(String, String)>,
    #[pyo3(get)]
    near_miss: Option<String>,
    #[pyo3(get)]
    text: String,
}

#[pymethods]
impl PyExplanation {
    /// `{higher tier id: why the unit is not in it}`, lowest first.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.reasons {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Explanation(population={}, tier={:?}, band_status={:?})",
            self.population, self.tier, self.band_status
        )
    }

    fn __str__(&self) -> String {
        self.text.clone()
    }

    fn _repr_html_(&self) -> String {
        let mut h = format!(
            "<div class=\"localcare-explanation\">population {}: tier <b><code>{}</code></b> ({}), band status <code>{}</code><ul>",
            self.population,
            esc(&self.tier),
            esc(&self.tier_name),
            esc(&self.band_status)
        );
        for (t, why) in &self.reasons {
            h.push_str(&format!(
                "<li>not <code>{}</code>: {}</li>",
                esc(t),
                esc(why)
            ));
        }
        if self.reasons.is_empty() {
            h.push_str("<li>highest tier: nothing above it</li>");
        }
        h.push_str("</ul></div>");
        h
    }
}

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

fn capability_ids(obj: Option<&Bound<'_, PyAny>>) -> CoreResult<Vec<String>> {
    let Some(obj) = obj else {
        return Ok(Vec::new());
    };
    if obj.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s
            .to_str()
            .map_err(|_| InputErr::at("capabilities", None, "text is not valid UTF-8"))?;
        return Ok(localcare::classify::capability_ids(s)
            .map(str::to_string)
            .collect());
    }
    let iter = obj.try_iter().map_err(|_| {
        InputErr::at(
            "capabilities",
            None,
            "expected capability ids: a list of strings or text separated by `;`",
        )
    })?;
    let mut out = Vec::new();
    for x in iter {
        let x = x.map_err(|e| InputErr::at("capabilities", None, e.to_string()))?;
        let s: String = x
            .extract()
            .map_err(|_| InputErr::at("capabilities", None, "capability ids must be strings"))?;
        out.push(s);
    }
    Ok(out)
}

/// Classifies one unit and explains its tier.
#[pyfunction]
#[pyo3(signature = (population, capabilities = None, ruleset = None))]
fn explain(
    population: &Bound<'_, PyAny>,
    capabilities: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> CoreResult<PyExplanation> {
    let rs = ruleset_or_default(ruleset);
    let population: u64 = match population.extract::<u64>() {
        Ok(p) => p,
        // An int that does not fit says which way it is out of range.
        Err(_)
            if population.is_instance_of::<PyInt>() && !population.is_instance_of::<PyBool>() =>
        {
            let negative = population.lt(0).unwrap_or(false);
            return Err(InputErr::at(
                "population",
                None,
                if negative {
                    format!("population {population} is negative; expected 0 or more")
                } else {
                    format!(
                        "population {population} is too large; expected at most {}",
                        localcare::money::group_thousands(u64::MAX)
                    )
                },
            )
            .into());
        }
        Err(_) => {
            return Err(InputErr::at(
                "population",
                None,
                "expected a whole number of people, 0 or more",
            )
            .into());
        }
    };
    let ids = capability_ids(capabilities)?;
    let caps = rs
        .capability_set(ids.iter().map(String::as_str))
        .map_err(|e| InputErr::at("capabilities", None, e.to_string()))?;
    let c = rs.classify(&Unit::new(population, caps));
    let tier = &rs.tiers()[c.tier()];
    Ok(PyExplanation {
        population,
        tier: tier.id().to_string(),
        tier_name: tier.name().to_string(),
        band_status: c.band_status().as_str().to_string(),
        reasons: c
            .shortfalls()
            .iter()
            .map(|s| (rs.tiers()[s.tier].id().to_string(), s.describe(&rs)))
            .collect(),
        near_miss: c.near_miss().map(|s| rs.tiers()[s.tier].id().to_string()),
        text: c.explain(&rs),
    })
}

/// Classifies a table of units: `unit_id` (optional), `population`, `capabilities`
/// (optional; lists or `;`-separated text).
#[pyfunction]
#[pyo3(signature = (units, ruleset = None, *, reasons = true, as_dict = false))]
fn classify(
    py: Python<'_>,
    units: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    reasons: bool,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(units, "units")?;
    let built = py.detach(move || -> CoreResult<Built> {
        let units = read::units(&t, &rs)?;
        let out = write::classification(&rs, &units, reasons, Face::Python);
        Ok(Built::new(out, as_dict))
    })?;
    built.into_py(py)
}

/// A footprint's validation report.
#[pyclass(frozen, name = "Report", module = "localcare")]
pub struct PyReport(localcare::Report);

#[pymethods]
impl PyReport {
    #[getter]
    fn has_errors(&self) -> bool {
        self.0.has_errors()
    }
    #[getter]
    fn errors(&self) -> usize {
        self.0.count(localcare::footprint::Severity::Error)
    }
    #[getter]
    fn warnings(&self) -> usize {
        self.0.count(localcare::footprint::Severity::Warning)
    }
    #[getter]
    fn infos(&self) -> usize {
        self.0.count(localcare::footprint::Severity::Info)
    }
    #[getter]
    fn units(&self) -> usize {
        self.0.units()
    }
    #[getter]
    fn practices(&self) -> usize {
        self.0.practices()
    }
    #[getter]
    fn total_population(&self) -> u64 {
        self.0.total_population()
    }
    #[getter]
    fn accountable_units(&self) -> usize {
        self.0.accountable_units()
    }
    /// The feasible ACO counts as text (`3..=4`, `none`), or None.
    #[getter]
    fn aco_count_range(&self) -> Option<String> {
        self.0.aco_count_range().map(|r| r.to_string())
    }
    #[getter]
    fn summary(&self) -> String {
        self.0.summary()
    }
    /// The report as text, as the CLI prints it.
    fn to_text(&self) -> String {
        self.0.to_text()
    }
    /// `(code, unit_id)` for every finding, in the report's order.
    fn finding_keys(&self) -> Vec<(&'static str, Option<String>)> {
        self.0
            .findings()
            .iter()
            .map(|f| (f.code.as_str(), f.unit_id.clone()))
            .collect()
    }
    /// The findings as a table: `code`, `name`, `severity`, `unit_id`, `rule`, `message`.
    #[pyo3(signature = (*, as_dict = false))]
    fn findings(&self, py: Python<'_>, as_dict: bool) -> PyResult<Py<PyAny>> {
        Built::new(write::findings(&self.0, Face::Python), as_dict).into_py(py)
    }
    fn __len__(&self) -> usize {
        self.0.findings().len()
    }
    fn __repr__(&self) -> String {
        format!("Report({})", self.0.summary())
    }
}

/// Validates a footprint: `unit_id`, `parent_id`, `declared_tier`, `population`,
/// `capabilities` (optional).
#[pyfunction]
#[pyo3(signature = (footprint, ruleset = None))]
fn validate(
    py: Python<'_>,
    footprint: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<PyReport> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(footprint, "footprint")?;
    let report = py.detach(move || -> CoreResult<localcare::Report> {
        let fp = read::footprint(&t)?;
        Ok(rs.validate(&fp))
    })?;
    Ok(PyReport(report))
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

fn scenario(item: &Bound<'_, PyAny>) -> CoreResult<localcare::Scenario> {
    if let Ok(t) = item.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(
                InputErr::new("a scenario is a budget, or a tuple (budget, baselines)").into(),
            );
        }
        let b = budget(&t.get_item(0).map_err(|e| InputErr::new(e.to_string()))?)?;
        let base = t.get_item(1).map_err(|e| InputErr::new(e.to_string()))?;
        let baselines = if base.is_none() {
            Vec::new()
        } else {
            args::baselines(&base)?
        };
        return Ok(localcare::Scenario::budget(b).with_baselines(baselines));
    }
    Ok(localcare::Scenario::budget(budget(item)?))
}

impl PyPrepared {
    /// Reads the scenarios (and baselines) with the GIL held, then sweeps without it.
    fn run_sweep(
        &self,
        py: Python<'_>,
        scenarios: &Bound<'_, PyAny>,
        baselines: Option<&Bound<'_, PyAny>>,
    ) -> CoreResult<(Vec<String>, localcare::allocate::Sweep)> {
        let t = read_table(scenarios, "scenarios")?;
        let b = match baselines.filter(|b| !b.is_none()) {
            Some(b) => Some(read_table(b, "baselines")?),
            None => None,
        };
        py.detach(|| -> CoreResult<_> {
            let list = localcare_tables::sweep::scenarios(&t, self.prepared.ruleset(), b.as_ref())?;
            let sw = localcare_tables::sweep::run(&self.prepared, &list)?;
            Ok((list.ids, sw))
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
        let mut s = localcare::Scenario::budget(crate::budget(budget)?);
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
        let mut s = localcare::Scenario::budget(crate::budget(budget)?);
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
        let (ids, sw) = self.run_sweep(py, scenarios, baselines)?;
        let batch = py.detach(move || localcare_tables::sweep::sweep(&ids, sw, Face::Python));
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
        let (ids, sw) = self.run_sweep(py, scenarios, baselines)?;
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

fn read_needs(needs: Option<&Bound<'_, PyAny>>) -> CoreResult<localcare::Needs> {
    match needs.filter(|n| !n.is_none()) {
        None => Ok(localcare::Needs::default()),
        Some(n) => {
            let t = read_table(n, "needs")?;
            Ok(read::needs(&t)?)
        }
    }
}

/// Checks a footprint and joins its needs once, for many allocations.
#[pyfunction]
#[pyo3(signature = (footprint, needs = None, ruleset = None))]
fn prepare(
    py: Python<'_>,
    footprint: &Bound<'_, PyAny>,
    needs: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<PyPrepared> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(footprint, "footprint")?;
    let needs = read_needs(needs)?;
    let p = py.detach(move || -> CoreResult<localcare::PreparedFootprint> {
        let fp = read::footprint(&t)?;
        Ok(rs.prepare(&fp, &needs)?)
    })?;
    Ok(PyPrepared {
        prepared: p,
        labels: OnceLock::new(),
    })
}

/// The arguments of an allocation, read with the GIL held: the footprint table, the
/// budget in pence, the needs and the baselines (none when not given).
type AllocationArgs = (
    localcare_tables::Table,
    i64,
    localcare::Needs,
    Vec<(String, i64)>,
);

fn allocation_args(
    footprint: &Bound<'_, PyAny>,
    budget: &Bound<'_, PyAny>,
    needs: Option<&Bound<'_, PyAny>>,
    baselines: Option<&Bound<'_, PyAny>>,
) -> CoreResult<AllocationArgs> {
    let t = read_table(footprint, "footprint")?;
    let b = crate::budget(budget)?;
    let needs = read_needs(needs)?;
    let baselines = match baselines.filter(|b| !b.is_none()) {
        Some(b) => args::baselines(b)?,
        None => Vec::new(),
    };
    Ok((t, b, needs, baselines))
}

/// Allocates a budget over a footprint.
#[pyfunction]
#[pyo3(signature = (footprint, budget, *, needs = None, baselines = None, ruleset = None, as_dict = false))]
#[allow(clippy::too_many_arguments)]
fn allocate(
    py: Python<'_>,
    footprint: &Bound<'_, PyAny>,
    budget: &Bound<'_, PyAny>,
    needs: Option<&Bound<'_, PyAny>>,
    baselines: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let (t, b, needs, baselines) = allocation_args(footprint, budget, needs, baselines)?;
    let built = py.detach(move || -> CoreResult<Built> {
        let fp = read::footprint(&t)?;
        let a = rs.allocate(&fp, b, &needs, baselines)?;
        Ok(Built::new(
            write::allocation(&a, &rs, None, Face::Python),
            as_dict,
        ))
    })?;
    built.into_py(py)
}

/// Explains one unit's (or pot's) allocation: the chain from the budget to its money.
#[pyfunction]
#[pyo3(signature = (footprint, budget, unit_id, *, needs = None, baselines = None, ruleset = None))]
fn explain_allocation(
    py: Python<'_>,
    footprint: &Bound<'_, PyAny>,
    budget: &Bound<'_, PyAny>,
    unit_id: &str,
    needs: Option<&Bound<'_, PyAny>>,
    baselines: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<PyAllocationExplanation> {
    let rs = ruleset_or_default(ruleset);
    let (t, b, needs, baselines) = allocation_args(footprint, budget, needs, baselines)?;
    let e = py.detach(move || -> CoreResult<_> {
        let fp = read::footprint(&t)?;
        Ok(rs.allocate(&fp, b, &needs, baselines)?.explain(unit_id)?)
    })?;
    Ok(PyAllocationExplanation(e))
}

/// Settles ACOs' years: `unit_id`, `benchmark_pence`, `actual_pence` (or `benchmark`,
/// `actual`), `assigned_population`, `quality`.
#[pyfunction]
#[pyo3(signature = (results, ruleset = None, *, as_dict = false))]
fn settle(
    py: Python<'_>,
    results: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(results, "results")?;
    let built = py.detach(move || -> CoreResult<Built> {
        let inputs = read::settlement_inputs(&t)?;
        let s = rs.settle_batch(&inputs)?;
        Ok(Built::new(write::settlements(&s, Face::Python), as_dict))
    })?;
    built.into_py(py)
}

// ---------------------------------------------------------------------------------------
// The shift-left model.

/// The activity table and, when given, its benchmarks, read under the GIL into tables.
fn shift_tables(
    activity: &Bound<'_, PyAny>,
    benchmarks: Option<&Bound<'_, PyAny>>,
) -> CoreResult<(localcare_tables::Table, Option<localcare_tables::Table>)> {
    let t = read_table(activity, "activity")?;
    let b = match benchmarks.filter(|b| !b.is_none()) {
        Some(b) => Some(read_table(b, "benchmarks")?),
        None => None,
    };
    Ok((t, b))
}

/// The activity's inputs and, with a benchmarks table, one benchmark per unit.
fn shift_inputs(
    t: &localcare_tables::Table,
    b: Option<&localcare_tables::Table>,
) -> CoreResult<(Vec<ShiftInput>, Option<Vec<ShiftBenchmark>>)> {
    let inputs = read::activity(t)?;
    let bench = match b {
        Some(b) => {
            let ids: Vec<String> = inputs.iter().map(|i| i.unit_id.clone()).collect();
            Some(read::benchmarks(b, &ids)?.values)
        }
        None => None,
    };
    Ok((inputs, bench))
}

/// Runs the shift-left model for every unit of `activity`; with `benchmarks`, settles
/// each unit's year with actual spend = benchmark − net savings.
#[pyfunction]
#[pyo3(signature = (activity, ruleset = None, *, benchmarks = None, as_dict = false))]
fn shift(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    benchmarks: Option<&Bound<'_, PyAny>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let (t, b) = shift_tables(activity, benchmarks)?;
    let built = py.detach(move || -> CoreResult<Built> {
        let (inputs, bench) = shift_inputs(&t, b.as_ref())?;
        let run = table_shift::run(&rs, &inputs, bench.as_deref())?;
        Ok(Built::new(write::shift(&run, Face::Python), as_dict))
    })?;
    built.into_py(py)
}

/// Reductions as decimal text (`"0.3"`), each a share of all admissions.
fn reductions_arg(reductions: Vec<String>) -> CoreResult<Vec<Decimal>> {
    reductions
        .iter()
        .map(|r| {
            localcare::money::parse_decimal(r.trim()).ok_or_else(|| {
                InputErr::at(
                    "reductions",
                    None,
                    format!("`{r}` is not a decimal; expected shares such as 0.3"),
                )
                .into()
            })
        })
        .collect()
}

/// The model at each reduction in turn, every unit at that reduction of all its
/// admissions: one `reductions` table.
#[pyfunction]
#[pyo3(signature = (activity, reductions, ruleset = None, *, benchmarks = None, as_dict = false))]
fn shift_sweep(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    reductions: Vec<String>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    benchmarks: Option<&Bound<'_, PyAny>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let reductions = reductions_arg(reductions)?;
    let (t, b) = shift_tables(activity, benchmarks)?;
    let built = py.detach(move || -> CoreResult<Built> {
        let (inputs, bench) = shift_inputs(&t, b.as_ref())?;
        let runs = table_shift::sweep(&rs, &inputs, bench.as_deref(), &reductions)?;
        Ok(Built::new(write::reductions(&runs, Face::Python), as_dict))
    })?;
    built.into_py(py)
}

/// An answer as `(unit_id, reduction, max_reduction, net_savings_pence, explanation)`,
/// the reductions as exact decimal text.
type Answer = (Option<String>, Option<String>, String, i64, String);

fn answer(unit_id: Option<String>, a: localcare::ReductionAnswer) -> Answer {
    (
        unit_id,
        a.reduction.map(decimal_text),
        decimal_text(a.max_reduction),
        a.net_savings_pence,
        a.explanation,
    )
}

fn per_unit(
    inputs: &[ShiftInput],
    mut ask: impl FnMut(usize, &ShiftInput) -> Result<localcare::ReductionAnswer, localcare::ShiftError>,
) -> CoreResult<Vec<Answer>> {
    inputs
        .iter()
        .enumerate()
        .map(|(index, i)| {
            ask(index, i)
                .map(|a| answer(Some(i.unit_id.clone()), a))
                .map_err(|e| {
                    localcare::ShiftError::Row {
                        index,
                        source: Box::new(e),
                    }
                    .into()
                })
        })
        .collect()
}

/// Each unit's break-even reduction: the smallest reduction of all its admissions at
/// which its net savings are 0 or more.
#[pyfunction]
#[pyo3(signature = (activity, ruleset = None))]
fn break_even_reduction(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<Vec<Answer>> {
    let rs = ruleset_or_default(ruleset);
    let (t, _) = shift_tables(activity, None)?;
    Ok(py.detach(move || -> CoreResult<Vec<Answer>> {
        let (inputs, _) = shift_inputs(&t, None)?;
        per_unit(&inputs, |_, i| rs.break_even_reduction(i))
    })?)
}

/// Each unit's smallest reduction at which its net savings, taken off its benchmark,
/// meet the settlement's minimum savings rate.
#[pyfunction]
#[pyo3(signature = (activity, benchmarks, ruleset = None))]
fn reduction_for_minimum_savings_rate(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    benchmarks: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<Vec<Answer>> {
    let rs = ruleset_or_default(ruleset);
    let (t, b) = shift_tables(activity, Some(benchmarks))?;
    Ok(py.detach(move || -> CoreResult<Vec<Answer>> {
        let (inputs, bench) = shift_inputs(&t, b.as_ref())?;
        let bench = bench.unwrap_or_default();
        per_unit(&inputs, |index, i| {
            let b = &bench[index];
            rs.reduction_for_minimum_savings_rate(i, b.benchmark_pence, b.assigned_population)
        })
    })?)
}

/// The smallest reduction, the same in every unit, at which the units' total net
/// savings reach `target` (int pence or money text); `None` for the ruleset's target.
#[pyfunction]
#[pyo3(signature = (activity, target = None, ruleset = None))]
fn reduction_for_target(
    py: Python<'_>,
    activity: &Bound<'_, PyAny>,
    target: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> PyResult<Answer> {
    let rs = ruleset_or_default(ruleset);
    let target = match target.filter(|t| !t.is_none()) {
        Some(t) => args::money(t, "target").map_err(CoreError::Input)?,
        None => rs
            .shift_policy()
            .and_then(|p| p.net_savings_target_pence)
            .ok_or_else(|| {
                CoreError::Input(InputErr::at(
                    "target",
                    None,
                    format!(
                        "not given, and ruleset {} has no net savings target",
                        rs.id()
                    ),
                ))
            })?,
    };
    let (t, _) = shift_tables(activity, None)?;
    Ok(py.detach(move || -> CoreResult<Answer> {
        let (inputs, _) = shift_inputs(&t, None)?;
        Ok(answer(None, rs.reduction_for_target(&inputs, target)?))
    })?)
}

/// Reads the one table a register call takes, runs `f` on it without the GIL, and
/// hands back the table `f` writes: the shape every register function shares.
fn register_call(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    table: &'static str,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
    f: impl FnOnce(&localcare_tables::Table, &Ruleset) -> CoreResult<arrow_array::RecordBatch> + Send,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(obj, table)?;
    let built = py.detach(move || -> CoreResult<Built> { Ok(Built::new(f(&t, &rs)?, as_dict)) })?;
    built.into_py(py)
}

/// A person-level register (`persons`: `person_id`, `unit_id`, `age_band`,
/// `hi_weight`) into practice needs, exactly: counts by age band, weights summed in
/// integer millionths.
#[pyfunction]
#[pyo3(signature = (persons, ruleset = None, *, as_dict = false))]
fn needs_from_persons(
    py: Python<'_>,
    persons: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    register_call(py, persons, "persons", ruleset, as_dict, |t, rs| {
        let needs = localcare_tables::register::needs_from_persons(t, rs)?;
        Ok(write::needs(rs, &needs, Face::Python))
    })
}

/// A register (or a part of one) counted by practice and age band: the
/// `person_counts` table that parts of a register add up to.
#[pyfunction]
#[pyo3(signature = (persons, ruleset = None, *, as_dict = false))]
fn tally_persons(
    py: Python<'_>,
    persons: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    register_call(py, persons, "persons", ruleset, as_dict, |t, rs| {
        let counts = localcare_tables::register::tally(t, rs)?;
        Ok(write::person_counts(&counts, Face::Python))
    })
}

/// A `person_counts` table (rows for one practice and band are added) into needs.
#[pyfunction]
#[pyo3(signature = (counts, ruleset = None, *, as_dict = false))]
fn needs_from_person_counts(
    py: Python<'_>,
    counts: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    register_call(py, counts, "person_counts", ruleset, as_dict, |t, rs| {
        let needs = localcare_tables::register::needs_from_counts(t, rs)?;
        Ok(write::needs(rs, &needs, Face::Python))
    })
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
fn text_arg(s: &Bound<'_, PyString>, what: &str) -> CoreResult<String> {
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
    m.add_class::<PyExplanation>()?;
    m.add_class::<PyReport>()?;
    m.add_class::<PyPrepared>()?;
    m.add_class::<PyAllocationExplanation>()?;
    m.add_class::<appraise::PyAppraisal>()?;
    m.add_function(wrap_pyfunction!(appraise::appraise, m)?)?;
    m.add_function(wrap_pyfunction!(explain_allocation, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(classify, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(prepare, m)?)?;
    m.add_function(wrap_pyfunction!(allocate, m)?)?;
    m.add_function(wrap_pyfunction!(settle, m)?)?;
    m.add_function(wrap_pyfunction!(shift, m)?)?;
    m.add_function(wrap_pyfunction!(shift_sweep, m)?)?;
    m.add_function(wrap_pyfunction!(break_even_reduction, m)?)?;
    m.add_function(wrap_pyfunction!(reduction_for_minimum_savings_rate, m)?)?;
    m.add_function(wrap_pyfunction!(reduction_for_target, m)?)?;
    m.add_function(wrap_pyfunction!(parse_money, m)?)?;
    m.add_function(wrap_pyfunction!(format_pounds, m)?)?;
    m.add_function(wrap_pyfunction!(columns, m)?)?;
    m.add_function(wrap_pyfunction!(needs_from_persons, m)?)?;
    m.add_function(wrap_pyfunction!(tally_persons, m)?)?;
    m.add_function(wrap_pyfunction!(needs_from_person_counts, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_RULESET", localcare::ruleset::DEFAULT_RULESET)?;
    Ok(())
}
