//! NHS England's practice file into footprint and needs tables, by the run layer
//! (`localcare_tables::run::practices`). This reads the arguments (a path is read as CSV
//! here, as the command line reads it; a table is read as Arrow) and hands back the two
//! tables.

use localcare::Ruleset;
use localcare_tables::nhse::Grouping;
use localcare_tables::run::practices as run_practices;
use localcare_tables::{Table, csv};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::PyRuleset;
use crate::errors::{CoreResult, InputErr};
use crate::input::read_table;
use crate::output::Built;

/// A table argument: a path (read as CSV) or a table.
fn table_or_path(obj: &Bound<'_, PyAny>, what: &'static str) -> PyResult<Table> {
    if let Ok(s) = obj.cast::<PyString>() {
        let path = s.to_str()?.to_string();
        let bytes = std::fs::read(&path)
            .map_err(|e| InputErr::new(format!("{what}: {path}: cannot read: {e}")))?;
        let t = csv::read(&bytes).map_err(|e| match e.line {
            Some(l) => InputErr::new(format!("{what}: {path}:{l}: {}", e.message)),
            None => InputErr::new(format!("{what}: {path}: {}", e.message)),
        })?;
        return Ok(t.table);
    }
    Ok(read_table(obj, what)?)
}

/// The practice file (`file`: a path or a table with NHS England's columns) grouped by
/// `by` (`"icb"`, `"district"` or `"mapping"` with `mapping` a path or a
/// `place_mapping` table), keeping the ICBs `icb` (all when empty): `(footprint, needs)`.
#[pyfunction]
#[pyo3(signature = (file, by, mapping = None, icb = Vec::new(), ruleset = None, *, as_dict = false))]
pub fn practices(
    py: Python<'_>,
    file: &Bound<'_, PyAny>,
    by: &str,
    mapping: Option<&Bound<'_, PyAny>>,
    icb: Vec<String>,
    ruleset: Option<&Bound<'_, PyRuleset>>,
    as_dict: bool,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let rs = match ruleset {
        Some(r) => r.get().0.clone(),
        None => std::sync::Arc::new(
            Ruleset::builtin(run_practices::DEFAULT_RULESET)
                .map_err(crate::errors::CoreError::from)?,
        ),
    };
    let file = table_or_path(file, "file")?;
    let mapping = match (by, mapping) {
        ("icb" | "district", None) => None,
        ("mapping", Some(m)) => Some(table_or_path(m, "mapping")?),
        _ => {
            return Err(InputErr::at(
                "by",
                None,
                format!("by: expected \"icb\", \"district\" or a mapping table, got {by:?}"),
            )
            .into());
        }
    };
    let (fp, needs) = py.detach(move || -> CoreResult<(Built, Built)> {
        let grouping = match &mapping {
            Some(m) => Grouping::Mapping(m),
            None if by == "icb" => Grouping::Icb,
            None => Grouping::District,
        };
        let p = run_practices::practices(&rs, &file, grouping, &icb)?;
        Ok((
            Built::new(p.footprint, as_dict),
            Built::new(p.needs, as_dict),
        ))
    })?;
    Ok((fp.into_py(py)?, needs.into_py(py)?))
}
