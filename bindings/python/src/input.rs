//! The caller's table arguments as Arrow: anything with the Arrow PyCapsule interface
//! (read zero-copy through pyo3-arrow), or a dict of columns (turned into Arrow arrays
//! first). The columns are then read by `localcare-tables`, without the GIL, as in
//! every face.

use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, NullArray, StringArray};
use localcare_tables::Table;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use pyo3_arrow::input::{AnyArray, AnyRecordBatch};

use crate::errors::InputErr;

type Res<T> = Result<T, InputErr>;

fn has_capsule(obj: &Bound<'_, PyAny>, name: &str) -> bool {
    obj.hasattr(name).unwrap_or(false)
}

/// Reads a table argument (`what` names it in errors): an Arrow PyCapsule object or a
/// dict (mapping) of columns.
pub fn read_table(obj: &Bound<'_, PyAny>, what: &'static str) -> Res<Table> {
    if let Ok(d) = obj.cast::<PyDict>() {
        return from_mapping(
            what,
            d.items()
                .iter()
                .map(|kv| kv.extract::<(Bound<PyAny>, Bound<PyAny>)>()),
        );
    }
    if has_capsule(obj, "__arrow_c_stream__") || has_capsule(obj, "__arrow_c_array__") {
        let rb: AnyRecordBatch = obj
            .extract()
            .map_err(|e| InputErr::new(format!("{what}: cannot read the Arrow table: {e}")))?;
        let reader = rb
            .into_reader()
            .map_err(|e| InputErr::new(format!("{what}: cannot read the Arrow table: {e}")))?;
        return Ok(Table::from_reader(what, reader)?);
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let items = m
            .items()
            .map_err(|e| InputErr::new(format!("cannot read the mapping: {e}")))?;
        return from_mapping(
            what,
            items
                .iter()
                .map(|kv| kv.extract::<(Bound<PyAny>, Bound<PyAny>)>()),
        );
    }
    Err(InputErr::new(format!(
        "{what}: expected a table (pandas, polars or pyarrow, anything with `__arrow_c_stream__`) or a dict of columns, got {}",
        type_name(obj)
    )))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}

fn from_mapping<'py>(
    what: &'static str,
    items: impl Iterator<Item = PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)>>,
) -> Res<Table> {
    let mut columns = Vec::new();
    for kv in items {
        let (k, v) = kv.map_err(|e| InputErr::new(e.to_string()))?;
        let name: String = k.extract().map_err(|_| {
            InputErr::new(format!(
                "column names must be strings, got {}",
                type_name(&k)
            ))
        })?;
        let chunks = column_from_py(&name, &v).map_err(|e| e.within(what))?;
        columns.push((name, chunks));
    }
    Ok(Table::from_columns(what, columns)?)
}

/// The values of one Python column, by the kind of its non-null values.
enum PyCol {
    Null(usize),
    Str(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    List(Vec<Option<Vec<String>>>),
    Bool(Vec<Option<bool>>),
}

fn py_str(col: &str, row: usize, v: &Bound<'_, PyAny>) -> Res<String> {
    let s = v.cast::<PyString>().map_err(|_| {
        InputErr::at(
            col,
            Some(row),
            format!("expected text, got {}", type_name(v)),
        )
    })?;
    s.to_str().map(str::to_string).map_err(|_| {
        InputErr::at(
            col,
            Some(row),
            "text is not valid UTF-8 (it has lone surrogates)",
        )
    })
}

fn column_from_py(name: &str, v: &Bound<'_, PyAny>) -> Res<Vec<ArrayRef>> {
    if v.is_instance_of::<PyString>() || v.is_instance_of::<PyBytes>() {
        return Err(InputErr::at(
            name,
            None,
            "expected a sequence of values (a list, tuple or array), got a single string",
        ));
    }
    if has_capsule(v, "__arrow_c_array__") || has_capsule(v, "__arrow_c_stream__") {
        let a: AnyArray = v
            .extract()
            .map_err(|e| InputErr::at(name, None, format!("cannot read the Arrow array: {e}")))?;
        let chunked = a
            .into_chunked_array()
            .map_err(|e| InputErr::at(name, None, format!("cannot read the Arrow array: {e}")))?;
        return Ok(chunked.chunks().to_vec());
    }
    let iter = v.try_iter().map_err(|_| {
        InputErr::at(
            name,
            None,
            format!(
                "expected a sequence of values (a list, tuple or array), got {}",
                type_name(v)
            ),
        )
    })?;
    let mut col = PyCol::Null(0);
    for (row, item) in iter.enumerate() {
        let item = item.map_err(|e| InputErr::at(name, Some(row), e.to_string()))?;
        col = push_value(name, row, col, &item)?;
    }
    let arr: ArrayRef = match col {
        PyCol::Null(n) => Arc::new(NullArray::new(n)),
        PyCol::Str(v) => Arc::new(StringArray::from(v)),
        PyCol::Int(v) => Arc::new(Int64Array::from(v)),
        PyCol::Float(v) => Arc::new(Float64Array::from(v)),
        PyCol::Bool(v) => Arc::new(BooleanArray::from(v)),
        PyCol::List(v) => {
            let mut b = ListBuilder::new(StringBuilder::new());
            for row in v {
                match row {
                    Some(items) => {
                        for s in items {
                            b.values().append_value(s);
                        }
                        b.append(true);
                    }
                    None => b.append(false),
                }
            }
            Arc::new(b.finish())
        }
    };
    Ok(vec![arr])
}

fn is_missing(v: &Bound<'_, PyAny>) -> bool {
    v.is_none()
}

enum Kind {
    Str(String),
    Int(i64),
    Float(f64),
    List(Vec<String>),
    Bool(bool),
}

fn kind_of(name: &str, row: usize, v: &Bound<'_, PyAny>) -> Res<Kind> {
    if v.is_instance_of::<PyString>() {
        return Ok(Kind::Str(py_str(name, row, v)?));
    }
    if v.is_instance_of::<PyBool>() {
        // A flag (`fixed_open`); a column that wants another type says so when read.
        return Ok(Kind::Bool(
            v.is_truthy()
                .map_err(|e| InputErr::at(name, Some(row), e.to_string()))?,
        ));
    }
    if v.is_instance_of::<PyFloat>() {
        let f: f64 = v
            .extract()
            .map_err(|e: PyErr| InputErr::at(name, Some(row), e.to_string()))?;
        return Ok(Kind::Float(f));
    }
    if v.is_instance_of::<PyInt>() {
        return v
            .extract::<i64>()
            .map(Kind::Int)
            .map_err(|_| InputErr::at(name, Some(row), format!("{v} does not fit in 64 bits")));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() || has_len_iter(v) {
        let mut items = Vec::new();
        if let Ok(iter) = v.try_iter() {
            for x in iter {
                let x = x.map_err(|e| InputErr::at(name, Some(row), e.to_string()))?;
                items.push(py_str(name, row, &x)?);
            }
            return Ok(Kind::List(items));
        }
    }
    // numpy scalars and other numbers with __index__ or __float__.
    if let Ok(i) = v.extract::<i64>() {
        return Ok(Kind::Int(i));
    }
    let tn = type_name(v);
    if tn == "Decimal" {
        return Ok(Kind::Str(
            v.str()
                .map_err(|e| InputErr::at(name, Some(row), e.to_string()))?
                .to_string(),
        ));
    }
    if let Ok(f) = v.extract::<f64>() {
        return Ok(Kind::Float(f));
    }
    Err(InputErr::at(
        name,
        Some(row),
        format!("cannot read a value of type {tn}"),
    ))
}

fn has_len_iter(v: &Bound<'_, PyAny>) -> bool {
    // numpy arrays of strings in a capabilities column.
    type_name(v) == "ndarray"
}

fn push_value(name: &str, row: usize, col: PyCol, v: &Bound<'_, PyAny>) -> Res<PyCol> {
    if is_missing(v) {
        return Ok(match col {
            PyCol::Null(n) => PyCol::Null(n + 1),
            PyCol::Str(mut x) => {
                x.push(None);
                PyCol::Str(x)
            }
            PyCol::Int(mut x) => {
                x.push(None);
                PyCol::Int(x)
            }
            PyCol::Float(mut x) => {
                x.push(None);
                PyCol::Float(x)
            }
            PyCol::List(mut x) => {
                x.push(None);
                PyCol::List(x)
            }
            PyCol::Bool(mut x) => {
                x.push(None);
                PyCol::Bool(x)
            }
        });
    }
    let k = kind_of(name, row, v)?;
    let mixed = |what: &str| InputErr::at(name, Some(row), format!("mixes {what} in one column"));
    Ok(match (col, k) {
        (PyCol::Null(n), k) => {
            let mut c = match k {
                Kind::Str(_) => PyCol::Str(vec![None; n]),
                Kind::Int(_) => PyCol::Int(vec![None; n]),
                Kind::Float(_) => PyCol::Float(vec![None; n]),
                Kind::List(_) => PyCol::List(vec![None; n]),
                Kind::Bool(_) => PyCol::Bool(vec![None; n]),
            };
            match (&mut c, k) {
                (PyCol::Str(x), Kind::Str(s)) => x.push(Some(s)),
                (PyCol::Int(x), Kind::Int(i)) => x.push(Some(i)),
                (PyCol::Float(x), Kind::Float(f)) => x.push(Some(f)),
                (PyCol::List(x), Kind::List(l)) => x.push(Some(l)),
                (PyCol::Bool(x), Kind::Bool(b)) => x.push(Some(b)),
                _ => unreachable!("the column kind follows the value kind"),
            }
            c
        }
        (PyCol::Str(mut x), Kind::Str(s)) => {
            x.push(Some(s));
            PyCol::Str(x)
        }
        (PyCol::Int(mut x), Kind::Int(i)) => {
            x.push(Some(i));
            PyCol::Int(x)
        }
        (PyCol::Int(x), Kind::Float(f)) => {
            let mut y: Vec<Option<f64>> = x.into_iter().map(|v| v.map(|i| i as f64)).collect();
            y.push(Some(f));
            PyCol::Float(y)
        }
        (PyCol::Float(mut x), Kind::Float(f)) => {
            x.push(Some(f));
            PyCol::Float(x)
        }
        (PyCol::Float(mut x), Kind::Int(i)) => {
            x.push(Some(i as f64));
            PyCol::Float(x)
        }
        (PyCol::List(mut x), Kind::List(l)) => {
            x.push(Some(l));
            PyCol::List(x)
        }
        (PyCol::Bool(mut x), Kind::Bool(b)) => {
            x.push(Some(b));
            PyCol::Bool(x)
        }
        (PyCol::Str(_), _) | (_, Kind::Str(_)) => return Err(mixed("text and other values")),
        (PyCol::Bool(_), _) | (_, Kind::Bool(_)) => {
            return Err(mixed("true/false and other values"));
        }
        _ => return Err(mixed("lists and numbers")),
    })
}
