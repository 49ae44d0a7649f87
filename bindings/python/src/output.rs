//! Result tables: built as columns without the GIL, then handed to Python as an Arrow
//! table (PyCapsule interface) or as a dict of lists.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int8Type, Int16Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int8Array, Int16Array,
    Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3_arrow::PyTable;

/// One output column.
pub enum Col {
    Str(Vec<String>),
    OptStr(Vec<Option<String>>),
    /// An array built already.
    Arrow(ArrayRef, bool),
    /// Values by code, `labels[codes[i]]`: an Arrow dictionary (a pandas or polars
    /// categorical), plain strings in a dict.
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
                Col::Arrow(a, nullable) => (a.data_type().clone(), nullable, a),
                Col::Coded { labels, codes } => {
                    let arr = coded_array(labels, codes);
                    (arr.data_type().clone(), false, arr)
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
}

/// Values by code as an Arrow dictionary array: `labels[codes[i]]`.
pub fn coded_array(labels: Vec<String>, codes: Vec<u8>) -> ArrayRef {
    let values: ArrayRef = Arc::new(StringArray::from(labels));
    // Codes index the labels by construction: building the dictionary cannot fail.
    if values.len() <= i8::MAX as usize {
        let keys = Int8Array::from(codes.into_iter().map(|c| c as i8).collect::<Vec<_>>());
        Arc::new(
            DictionaryArray::<Int8Type>::try_new(keys, values).expect("codes index the labels"),
        )
    } else {
        let keys = Int16Array::from(codes.into_iter().map(i16::from).collect::<Vec<_>>());
        Arc::new(
            DictionaryArray::<Int16Type>::try_new(keys, values).expect("codes index the labels"),
        )
    }
}

/// A built result: an Arrow batch, handed to Python as a table or a dict of lists.
pub struct Built {
    batch: RecordBatch,
    as_dict: bool,
}

impl Built {
    /// Builds the Arrow batch (call without the GIL).
    pub fn new(out: Out, as_dict: bool) -> Self {
        Built {
            batch: out.into_batch(),
            as_dict,
        }
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
