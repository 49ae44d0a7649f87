//! `Ruleset`: a checked, immutable ruleset, shared between calls.

use std::path::PathBuf;
use std::sync::Arc;

use localcare::Ruleset;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::errors::CoreResult;
use crate::{default_ruleset, esc, text_arg};

/// A checked, immutable ruleset: tiers, capabilities, allocation and settlement policy.
#[pyclass(frozen, name = "Ruleset", module = "localcare")]
pub struct PyRuleset(pub(crate) Arc<Ruleset>);

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

    /// This ruleset under another allocation policy: `policy` is a `Ruleset` (its
    /// `[allocation]`, retained shares matched to these tiers by id) or TOML text of an
    /// `[allocation]` table (retained shares by these tier ids). For a ruleset of tiers
    /// only, such as `england-neighbourhood-2025`, given `england-icb-2024`'s policy.
    fn with_allocation_policy(&self, policy: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(other) = policy.cast::<PyRuleset>() {
            let rs = self.0.with_allocation_policy_of(&other.get().0);
            return Ok(PyRuleset(Arc::new(
                rs.map_err(crate::errors::CoreError::from)?,
            )));
        }
        if let Ok(text) = policy.cast::<PyString>() {
            let text = text_arg(text, "policy")?;
            let rs = self.0.with_allocation_toml(&text);
            return Ok(PyRuleset(Arc::new(
                rs.map_err(crate::errors::CoreError::from)?,
            )));
        }
        Err(crate::errors::InputErr::new(
            "policy: expected a Ruleset, or TOML text of an [allocation] table",
        )
        .into())
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
