//! Result tables, built by `localcare-tables` without the GIL, handed to Python as an
//! Arrow table (PyCapsule interface) or as a dict of lists.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3_arrow::PyTable;

/// A built result: an Arrow batch, handed to Python as a table or a dict of lists.
pub struct Built {
    batch: RecordBatch,
    as_dict: bool,
}

impl Built {
    pub fn new(batch: RecordBatch, as_dict: bool) -> Self {
        Built { batch, as_dict }
    }

    pub fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.as_dict {
            return batch_to_dict(py, &self.batch);
        }
        let schema = self.batch.schema();
        let table = PyTable::try_new(vec![self.batch], schema)?;
        Ok(Py::new(py, table)?.into_any())
    }
}

/// One column as a Python list.
fn column_to_list<'py>(py: Python<'py>, a: &ArrayRef) -> PyResult<Bound<'py, PyList>> {
    let valid = |i: usize| a.is_valid(i);
    Ok(match a.data_type() {
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            PyList::new(py, (0..s.len()).map(|i| valid(i).then(|| s.value(i))))?
        }
        DataType::Int64 => {
            let v = a.as_primitive::<arrow_array::types::Int64Type>();
            PyList::new(py, (0..v.len()).map(|i| valid(i).then(|| v.value(i))))?
        }
        DataType::Float64 => {
            let v = a.as_primitive::<arrow_array::types::Float64Type>();
            PyList::new(py, (0..v.len()).map(|i| valid(i).then(|| v.value(i))))?
        }
        DataType::Boolean => {
            let v = a.as_boolean();
            PyList::new(py, (0..v.len()).map(|i| valid(i).then(|| v.value(i))))?
        }
        DataType::Dictionary(_, _) => {
            let d = a
                .as_any_dictionary_opt()
                .expect("a dictionary type is a dictionary array");
            // An empty column may have no labels, which `normalized_keys` refuses.
            if d.keys().is_empty() {
                return Ok(PyList::empty(py));
            }
            let labels = column_to_list(py, d.values())?;
            let labels: Vec<Bound<PyAny>> = labels.iter().collect();
            let keys = d.normalized_keys();
            PyList::new(
                py,
                keys.iter().enumerate().map(|(i, &k)| {
                    if d.keys().is_valid(i) {
                        labels[k].clone()
                    } else {
                        py.None().into_bound(py)
                    }
                }),
            )?
        }
        dt => {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "internal: no list conversion for {dt}"
            )));
        }
    })
}

fn batch_to_dict(py: Python<'_>, batch: &RecordBatch) -> PyResult<Py<PyAny>> {
    let d = PyDict::new(py);
    for (f, a) in batch.schema().fields().iter().zip(batch.columns()) {
        d.set_item(PyString::new(py, f.name()), column_to_list(py, a)?)?;
    }
    Ok(d.into_any().unbind())
}
