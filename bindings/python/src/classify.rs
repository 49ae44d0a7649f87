//! Classification: one unit explained (`explain`), or the `units` table classified by
//! the run layer (`classify`).

use localcare::Unit;
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
pub fn explain(
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
