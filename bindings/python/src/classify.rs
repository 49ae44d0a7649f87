//! Classification: one unit explained (`explain`), or the `units` table classified by
//! the run layer (`classify`).

use localcare::{Population, Unit};
use localcare_tables::run;
use localcare_tables::spec::Face;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};

use crate::errors::{CoreResult, InputErr};
use crate::input::read_table;
use crate::output::Built;
use crate::{PyRuleset, esc, ruleset_or_default};

/// One unit's classification, with the reasons it is not in each higher tier.
#[pyclass(frozen, name = "Explanation", module = "localcare")]
pub struct PyExplanation {
    population: Population,
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

/// A population for Python: an `int` when whole (as it always was), else an exact
/// `decimal.Decimal` (a float would round it).
pub(crate) fn people_to_py(py: Python<'_>, p: Population) -> PyResult<Py<PyAny>> {
    match p.as_whole() {
        Some(n) => Ok(n.into_pyobject(py)?.into_any().unbind()),
        None => Ok(py
            .import("decimal")?
            .getattr("Decimal")?
            .call1((p.to_string(),))?
            .unbind()),
    }
}

#[pymethods]
impl PyExplanation {
    /// The population classified: an `int` when whole, else an exact `decimal.Decimal`.
    #[getter]
    fn population(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        people_to_py(py, self.population)
    }

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

/// The `population` argument of `explain`: an int, or an exact decimal given as a
/// `decimal.Decimal`, text or a float (read as its shortest text), at most 9 places.
fn people_arg(population: &Bound<'_, PyAny>) -> CoreResult<Population> {
    let err = |m: String| InputErr::at("population", None, m);
    if population.is_instance_of::<PyBool>() {
        return Err(err("expected a number of people, 0 or more".into()).into());
    }
    if population.is_instance_of::<PyInt>() {
        return match population.extract::<u64>() {
            Ok(p) => Ok(Population::whole(p)),
            // An int that does not fit says which way it is out of range.
            Err(_) if population.lt(0).unwrap_or(false) => Err(err(format!(
                "population {population} is negative; expected 0 or more"
            ))
            .into()),
            Err(_) => Err(err(format!(
                "population {population} is too large; expected at most {}",
                localcare::money::group_thousands(u64::MAX)
            ))
            .into()),
        };
    }
    let float = population
        .is_instance_of::<pyo3::types::PyFloat>()
        .then(|| population.extract::<f64>().ok())
        .flatten();
    let parsed = if let Some(f) = float {
        Population::from_f64(f)
    } else if population.is_instance_of::<PyString>()
        || population.get_type().name().is_ok_and(|n| n == "Decimal")
    {
        population
            .str()
            .map_err(|e| err(e.to_string()))?
            .to_string()
            .parse()
    } else {
        return Err(err("expected a number of people, 0 or more".into()).into());
    };
    parsed.map_err(|e| err(format!("population {e}")).into())
}

/// Classifies one unit and explains its tier.
#[pyfunction]
#[pyo3(signature = (population, capabilities = None, ruleset = None))]
pub fn explain(
    population: &Bound<'_, PyAny>,
    capabilities: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
) -> CoreResult<PyExplanation> {
    let rs = ruleset_or_default(ruleset);
    let population = people_arg(population)?;
    let ids = capability_ids(capabilities)?;
    let caps = rs
        .capability_set(ids.iter().map(String::as_str))
        .map_err(|e| InputErr::at("capabilities", None, e.to_string()))?;
    let c = rs.classify(&Unit::exact(population, caps));
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
pub fn classify(
    py: Python<'_>,
    units: &Bound<'_, PyAny>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    reasons: bool,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let rs = ruleset_or_default(ruleset);
    let t = read_table(units, "units")?;
    let built = py.detach(move || -> CoreResult<Built> {
        let options = run::classify::ClassifyOptions { reasons };
        let c = run::classify::classify(&rs, &t, options)?;
        Ok(Built::new(c.table(&rs, Face::Python), as_dict))
    })?;
    built.into_py(py)
}
