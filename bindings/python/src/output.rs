//! Result tables: built as columns without the GIL, then handed to Python as an Arrow
//! table (PyCapsule interface) or as a dict of lists.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3_arrow::PyTable;

/// One output column.
pub enum Col {
    Str(Vec<String>),
    OptStr(Vec<Option<String>>),
    /// Values by code: `labels[codes[i]]`.
    Coded {
        labels: Vec<String>,
        codes: Vec<u8>,
    },
    I64(Vec<i64>),
    OptI64(Vec<Option<i64>>),
    F64(Vec<f64>),
    OptF64(Vec<Option<f64>>),
    Bool(Vec<bool>),
}

/// A result table: named columns of one length.
#[derive(Default)]
pub struct Out {
    pub cols: Vec<(&'static str, Col)>,
}

impl Out {
    pub fn push(&mut self, name: &'static str, col: Col) {
        self.cols.push((name, col));
    }

    /// The columns as one Arrow record batch (no GIL needed).
    pub fn into_batch(self) -> RecordBatch {
        let mut fields = Vec::with_capacity(self.cols.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.cols.len());
        for (name, col) in self.cols {
            let (dt, nullable, arr): (DataType, bool, ArrayRef) = match col {
                Col::Str(v) => (DataType::Utf8, false, Arc::new(StringArray::from(v))),
                Col::OptStr(v) => (DataType::Utf8, true, Arc::new(StringArray::from(v))),
                Col::Coded { labels, codes } => {
                    let bytes: usize = codes.iter().map(|&c| labels[c as usize].len()).sum();
                    let mut b = StringBuilder::with_capacity(codes.len(), bytes);
                    for c in codes {
                        b.append_value(&labels[c as usize]);
                    }
                    (DataType::Utf8, false, Arc::new(b.finish()))
                }
                Col::I64(v) => (DataType::Int64, false, Arc::new(Int64Array::from(v))),
                Col::OptI64(v) => (DataType::Int64, true, Arc::new(Int64Array::from(v))),
                Col::F64(v) => (DataType::Float64, false, Arc::new(Float64Array::from(v))),
                Col::OptF64(v) => (DataType::Float64, true, Arc::new(Float64Array::from(v))),
                Col::Bool(v) => (DataType::Boolean, false, Arc::new(BooleanArray::from(v))),
            };
            fields.push(Field::new(name, dt, nullable));
            arrays.push(arr);
        }
        let schema = Arc::new(Schema::new(fields));
        // The columns are built to the schema and of one length: this cannot fail.
        RecordBatch::try_new(schema, arrays).expect("result columns match their schema")
    }

    /// The columns as a dict of lists (needs the GIL).
    pub fn into_dict(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let d = PyDict::new(py);
        for (name, col) in self.cols {
            let list = match col {
                Col::Str(v) => PyList::new(py, v)?,
                Col::OptStr(v) => PyList::new(py, v)?,
                Col::Coded { labels, codes } => {
                    let labels: Vec<Bound<PyString>> =
                        labels.iter().map(|l| PyString::new(py, l)).collect();
                    PyList::new(py, codes.iter().map(|&c| labels[c as usize].clone()))?
                }
                Col::I64(v) => PyList::new(py, v)?,
                Col::OptI64(v) => PyList::new(py, v)?,
                Col::F64(v) => PyList::new(py, v)?,
                Col::OptF64(v) => PyList::new(py, v)?,
                Col::Bool(v) => PyList::new(py, v)?,
            };
            d.set_item(name, list)?;
        }
        Ok(d.into_any().unbind())
    }
}

/// A built result: an Arrow batch, or the columns still to become a dict.
pub enum Built {
    Arrow(RecordBatch),
    Dict(Out),
}

impl Built {
    /// Builds the Arrow batch now (call without the GIL) unless a dict is wanted.
    pub fn new(out: Out, as_dict: bool) -> Self {
        if as_dict {
            Built::Dict(out)
        } else {
            Built::Arrow(out.into_batch())
        }
    }

    pub fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Built::Dict(out) => out.into_dict(py),
            Built::Arrow(batch) => {
                let schema = batch.schema();
                let table = PyTable::try_new(vec![batch], schema)?;
                Ok(Py::new(py, table)?.into_any())
            }
        }
    }
}
