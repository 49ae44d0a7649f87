//! The appraisal of a service reconfiguration (docs/appraisal.md): `sites`, `zones` and
//! `travel` tables in (and optional `options` and `scores`), an `Appraisal` out holding
//! the core's result, whose four tables are written by `localcare-tables` on demand.

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use localcare::Ruleset;
use localcare::appraise::{AppraisalRequest, Progress, parse_weight};
use localcare::rust_decimal::Decimal;
use localcare_tables::format;
use localcare_tables::run::appraise::{self as run_appraise, Appraised};
use localcare_tables::spec::Face;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt};

use crate::errors::{CoreError, CoreResult, InputErr};
use crate::input::read_table;
use crate::output::Built;
use crate::{PyRuleset, esc};

/// The result of an appraisal: every option of the long list (or as given), its
/// hurdles, its HASUs' volumes and, for the shortlist, its evaluation.
#[pyclass(frozen, name = "Appraisal", module = "localcare")]
pub struct PyAppraisal {
    a: Arc<Appraised>,
}

#[pymethods]
impl PyAppraisal {
    /// One of the result tables (`appraisal`, `hurdles`, `volumes`, `evaluation`, `search`,
    /// `catchment`), as
    /// an Arrow table or, with `as_dict`, a dict of lists.
    #[pyo3(signature = (name, *, as_dict = false))]
    fn table(&self, py: Python<'_>, name: &str, as_dict: bool) -> PyResult<Py<PyAny>> {
        let a = self.a.clone();
        let name = name.to_string();
        let batch = py
            .detach(move || a.table(&name, Face::Python))
            .map_err(CoreError::from)?;
        Built::new(batch, as_dict).into_py(py)
    }

    /// The `catchment` table of the options named, in the order given: where each
    /// zone's patients go and how far.
    #[pyo3(signature = (options, *, as_dict = false))]
    fn catchment(
        &self,
        py: Python<'_>,
        options: Vec<String>,
        as_dict: bool,
    ) -> PyResult<Py<PyAny>> {
        let a = self.a.clone();
        let batch = py.detach(move || {
            let ids: Vec<&str> = options.iter().map(String::as_str).collect();
            a.catchment(&ids, Face::Python)
        });
        let batch =
            batch.map_err(|e| CoreError::Input(InputErr::at("option_id", None, e.to_string())))?;
        Built::new(batch, as_dict).into_py(py)
    }

    /// The preferred option's id: the first of the ranking; `None` when no option
    /// passes every hurdle.
    #[getter]
    fn preferred(&self) -> Option<String> {
        self.a.appraisal.preferred().map(|o| o.id.clone())
    }

    /// The shortlisted options' ids, best first.
    #[getter]
    fn ranking(&self) -> Vec<String> {
        self.a.appraisal.shortlist().map(|o| o.id.clone()).collect()
    }

    /// Every option's id, in the appraisal's order.
    #[getter]
    fn option_ids(&self) -> Vec<String> {
        self.a
            .appraisal
            .options
            .iter()
            .map(|o| o.id.clone())
            .collect()
    }

    /// The ruleset's id.
    #[getter]
    fn ruleset(&self) -> &str {
        &self.a.appraisal.ruleset
    }

    /// The smallest change of one weight that swaps the top two, as a dict
    /// (`criterion`, `weight`, `tie_weight`, `change`, `exact`, `swaps_at_tie`;
    /// decimals as exact text); `None` when fewer than two are shortlisted or no
    /// change of one weight does.
    #[getter]
    fn swap<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(serde_json::Value::Object(fields)) = format::swap_json(&self.a.appraisal) else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        for (k, v) in fields {
            match v {
                serde_json::Value::Bool(b) => d.set_item(k, b)?,
                serde_json::Value::String(s) => d.set_item(k, s)?,
                v => d.set_item(k, v.to_string())?,
            }
        }
        Ok(Some(d))
    }

    /// The explanation, as `localcare appraise` prints it: what was weighed, the
    /// shortlist and ranking, then the preferred option's explanation.
    #[getter]
    fn explanation(&self) -> String {
        self.a.text()
    }

    /// One option's explanation (`localcare appraise --explain OPTION`).
    fn explain(&self, option_id: &str) -> CoreResult<String> {
        self.a
            .explain(option_id)
            .map_err(|e| CoreError::Input(InputErr::at("option_id", None, e.to_string())))
    }

    fn __len__(&self) -> usize {
        self.a.appraisal.options.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Appraisal(ruleset={:?}, options={}, shortlisted={}, preferred={:?})",
            self.a.appraisal.ruleset,
            self.a.appraisal.options.len(),
            self.a.appraisal.ranking.len(),
            self.a.appraisal.preferred().map(|o| o.id.as_str())
        )
    }

    fn __str__(&self) -> String {
        self.explanation()
    }

    /// The options as a table (shortlist first, by rank) and the explanation.
    fn _repr_html_(&self) -> String {
        let a = &self.a.appraisal;
        let mut h = format!(
            "<div class=\"localcare-appraisal\"><p>Appraisal under <code>{}</code>: {} options, {} shortlisted; preferred: <b>{}</b></p>",
            esc(&a.ruleset),
            a.options.len(),
            a.ranking.len(),
            a.preferred().map_or("none".to_string(), |o| esc(&o.id))
        );
        h.push_str(
            "<table><thead><tr><th>rank</th><th>option</th><th>passed</th><th>failed</th><th>total</th><th>mean travel (min)</th><th>longest travel (min)</th></tr></thead><tbody>",
        );
        let order = a
            .ranking
            .iter()
            .copied()
            .chain((0..a.options.len()).filter(|i| !a.ranking.contains(i)));
        for i in order {
            let o = &a.options[i];
            let failed: Vec<&str> = a
                .hurdles
                .iter()
                .zip(&o.hurdles)
                .filter(|(_, h)| !h.passed)
                .map(|(c, _)| c.id.as_str())
                .collect();
            h.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td></tr>",
                o.rank.map(|r| r.to_string()).unwrap_or_default(),
                esc(&o.id),
                if o.passed { "yes" } else { "no" },
                esc(&failed.join(", ")),
                o.total.map(|t| t.normalize().to_string()).unwrap_or_default(),
                o.mean_travel_minutes.normalize(),
                o.max_travel_minutes.normalize(),
                esc(&o.max_travel_zone)
            ));
        }
        h.push_str("</tbody></table><pre>");
        h.push_str(&esc(&self.explanation()));
        h.push_str("</pre></div>");
        h
    }
}

/// `sites_per_option`: `k`, or `(min, max)`.
fn sites_per_option(obj: &Bound<'_, PyAny>) -> CoreResult<(usize, usize)> {
    let bad = || {
        CoreError::Input(InputErr::at(
            "sites_per_option",
            None,
            "sites_per_option: expected a number of sites k (an int, 1 or more) or a range (min, max)",
        ))
    };
    if obj.is_instance_of::<PyBool>() {
        return Err(bad());
    }
    if obj.is_instance_of::<PyInt>() {
        let k: usize = obj.extract().map_err(|_| bad())?;
        return Ok((k, k));
    }
    obj.extract::<(usize, usize)>().map_err(|_| bad())
}

/// `weights`: `{criterion id: weight}`, each weight a Decimal, int, float or decimal
/// text.
fn weights(obj: &Bound<'_, PyAny>) -> CoreResult<std::collections::BTreeMap<String, Decimal>> {
    let d = obj.cast::<PyDict>().map_err(|_| {
        CoreError::Input(InputErr::at(
            "weights",
            None,
            "weights: expected a dict {criterion id: weight}",
        ))
    })?;
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in d.iter() {
        let id: String = k.extract().map_err(|_| {
            CoreError::Input(InputErr::at(
                "weights",
                None,
                "weights: keys must be criterion ids (strings)",
            ))
        })?;
        // `str()` of the value: text as given, a number as Python writes it, a bool as
        // `True`, which is no decimal.
        let text = v.str().map(|s| s.to_string()).unwrap_or_default();
        let w = parse_weight(&id, &text).map_err(|e| {
            CoreError::Input(InputErr::at("weights", None, format!("weights: {e}")))
        })?;
        out.insert(id, w);
    }
    Ok(out)
}

/// `max_options`: a whole number from 1 to 2**64 - 1 (a bound on the long list); any
/// other value is an `InputError` naming the argument, not a bare `OverflowError`.
fn max_options(obj: &Bound<'_, PyAny>) -> CoreResult<u64> {
    let n = if obj.is_instance_of::<PyBool>() {
        None
    } else {
        obj.extract::<u64>().ok().filter(|&n| n >= 1)
    };
    n.ok_or_else(|| {
        CoreError::Input(InputErr::at(
            "max_options",
            None,
            format!(
                "max_options: {} is out of range; expected a whole number from 1 to {}",
                obj.repr().map_or_else(|_| "?".into(), |r| r.to_string()),
                u64::MAX
            ),
        ))
    })
}

fn opt<'a, 'py>(obj: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    obj.filter(|o| !o.is_none())
}

/// Appraises the options (the long list of the ruleset's sites per option when
/// `options` is None) over `sites`, `zones` and `travel`.
#[pyfunction]
#[pyo3(signature = (sites, zones, travel, *, options = None, scores = None, ruleset = None, sites_per_option = None, max_options = None, weights = None, progress = None))]
#[allow(clippy::too_many_arguments)]
pub fn appraise(
    py: Python<'_>,
    sites: &Bound<'_, PyAny>,
    zones: &Bound<'_, PyAny>,
    travel: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyAny>>,
    scores: Option<&Bound<'_, PyAny>>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    sites_per_option: Option<&Bound<'_, PyAny>>,
    max_options: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyAny>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<PyAppraisal> {
    let rs: Arc<Ruleset> = match ruleset {
        Some(r) => r.get().0.clone(),
        None => Arc::new(run_appraise::ruleset(None).map_err(CoreError::from)?),
    };
    let request = AppraisalRequest {
        sites_per_option: opt(sites_per_option)
            .map(self::sites_per_option)
            .transpose()?,
        max_options: opt(max_options).map(self::max_options).transpose()?,
        weights: opt(weights)
            .map(self::weights)
            .transpose()?
            .unwrap_or_default(),
        ..AppraisalRequest::default()
    };
    // The callback's own exception (a KeyboardInterrupt, say) is what the caller sees
    // when it stops the search.
    let raised: Arc<Mutex<Option<PyErr>>> = Arc::default();
    let request = AppraisalRequest {
        progress: match progress.filter(|p| !p.is_none(py)) {
            None => Progress::default(),
            Some(callback) => {
                let raised = Arc::clone(&raised);
                Progress::new(move |p| {
                    Python::attach(|py| {
                        let told = py.check_signals().and_then(|()| {
                            callback.call1(py, (p.done, p.of, p.elapsed.as_secs_f64(), p.line()))
                        });
                        match told {
                            Ok(_) => ControlFlow::Continue(()),
                            Err(e) => {
                                *raised.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                                ControlFlow::Break(())
                            }
                        }
                    })
                })
            }
        },
        ..request
    };
    let s = read_table(sites, "sites")?;
    let z = read_table(zones, "zones")?;
    let t = read_table(travel, "travel")?;
    let o = opt(options).map(|o| read_table(o, "options")).transpose()?;
    let c = opt(scores).map(|c| read_table(c, "scores")).transpose()?;
    let a = py.detach(move || -> CoreResult<Appraised> {
        let tables = run_appraise::AppraiseTables {
            sites: &s,
            zones: &z,
            travel: &t,
            options: o.as_ref(),
            scores: c.as_ref(),
        };
        Ok(run_appraise::appraise(&rs, tables, request)?)
    });
    if let Some(e) = raised.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(e);
    }
    let a = a?;
    Ok(PyAppraisal { a: Arc::new(a) })
}
