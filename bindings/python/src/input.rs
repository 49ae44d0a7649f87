//! Reading the caller's tables: anything with the Arrow PyCapsule interface (read
//! zero-copy through pyo3-arrow), or a dict of columns (turned into Arrow arrays first).
//! Everything after [`read_table`] works on Arrow arrays without the GIL.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, NullArray, StringArray};
use arrow_schema::DataType;
use localcare::Ruleset;
use localcare::rust_decimal::Decimal;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use pyo3_arrow::input::{AnyArray, AnyRecordBatch};

use crate::errors::InputErr;

type Res<T> = Result<T, InputErr>;

/// A table as columns of Arrow chunks.
pub struct Table {
    columns: Vec<(String, Vec<ArrayRef>)>,
    rows: usize,
}

fn has_capsule(obj: &Bound<'_, PyAny>, name: &str) -> bool {
    obj.hasattr(name).unwrap_or(false)
}

/// Reads a table argument: an Arrow PyCapsule object or a dict (mapping) of columns.
pub fn read_table(obj: &Bound<'_, PyAny>) -> Res<Table> {
    if let Ok(d) = obj.cast::<PyDict>() {
        return from_mapping(
            d.items()
                .iter()
                .map(|kv| kv.extract::<(Bound<PyAny>, Bound<PyAny>)>()),
        );
    }
    if has_capsule(obj, "__arrow_c_stream__") || has_capsule(obj, "__arrow_c_array__") {
        let rb: AnyRecordBatch = obj
            .extract()
            .map_err(|e| InputErr::new(format!("cannot read the Arrow table: {e}")))?;
        let reader = rb
            .into_reader()
            .map_err(|e| InputErr::new(format!("cannot read the Arrow table: {e}")))?;
        let schema = reader.schema();
        // A repeated name would make one of the columns silently unread.
        for (i, f) in schema.fields().iter().enumerate() {
            if schema.fields()[..i].iter().any(|g| g.name() == f.name()) {
                return Err(InputErr::at(
                    f.name(),
                    None,
                    format!(
                        "column `{}` appears more than once; expected each column once",
                        f.name()
                    ),
                ));
            }
        }
        let mut columns: Vec<(String, Vec<ArrayRef>)> = schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), Vec::new()))
            .collect();
        let mut rows = 0;
        for batch in reader {
            let batch =
                batch.map_err(|e| InputErr::new(format!("cannot read the Arrow table: {e}")))?;
            rows += batch.num_rows();
            for (i, c) in batch.columns().iter().enumerate() {
                columns[i].1.push(c.clone());
            }
        }
        return Ok(Table { columns, rows });
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let items = m
            .items()
            .map_err(|e| InputErr::new(format!("cannot read the mapping: {e}")))?;
        return from_mapping(
            items
                .iter()
                .map(|kv| kv.extract::<(Bound<PyAny>, Bound<PyAny>)>()),
        );
    }
    Err(InputErr::new(format!(
        "expected a table (pandas, polars or pyarrow, anything with `__arrow_c_stream__`) or a dict of columns, got {}",
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
    items: impl Iterator<Item = PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)>>,
) -> Res<Table> {
    let mut columns = Vec::new();
    let mut rows: Option<(usize, String)> = None;
    for kv in items {
        let (k, v) = kv.map_err(|e| InputErr::new(e.to_string()))?;
        let name: String = k.extract().map_err(|_| {
            InputErr::new(format!(
                "column names must be strings, got {}",
                type_name(&k)
            ))
        })?;
        let chunks = column_from_py(&name, &v)?;
        let n: usize = chunks.iter().map(|c| c.len()).sum();
        match &rows {
            Some((m, first)) if *m != n => {
                return Err(InputErr::at(
                    &name,
                    None,
                    format!("has {n} values but column `{first}` has {m}"),
                ));
            }
            Some(_) => {}
            None => rows = Some((n, name.clone())),
        }
        columns.push((name, chunks));
    }
    Ok(Table {
        columns,
        rows: rows.map_or(0, |(n, _)| n),
    })
}

/// The values of one Python column, by the kind of its non-null values.
enum PyCol {
    Null(usize),
    Str(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    List(Vec<Option<Vec<String>>>),
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
}

fn kind_of(name: &str, row: usize, v: &Bound<'_, PyAny>) -> Res<Kind> {
    if v.is_instance_of::<PyString>() {
        return Ok(Kind::Str(py_str(name, row, v)?));
    }
    if v.is_instance_of::<PyBool>() {
        return Err(InputErr::at(
            name,
            Some(row),
            "a boolean is not a valid value here",
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
            };
            match (&mut c, k) {
                (PyCol::Str(x), Kind::Str(s)) => x.push(Some(s)),
                (PyCol::Int(x), Kind::Int(i)) => x.push(Some(i)),
                (PyCol::Float(x), Kind::Float(f)) => x.push(Some(f)),
                (PyCol::List(x), Kind::List(l)) => x.push(Some(l)),
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
        (PyCol::Str(_), _) | (_, Kind::Str(_)) => return Err(mixed("text and other values")),
        _ => return Err(mixed("lists and numbers")),
    })
}

impl Table {
    /// Column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(n, _)| n.as_str())
    }

    fn column(&self, name: &str) -> Option<&[ArrayRef]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_slice())
    }

    /// The first of `names` that is a column.
    pub fn find(&self, names: &[&'static str]) -> Option<&'static str> {
        names.iter().copied().find(|n| self.column(n).is_some())
    }

    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }

    fn require(&self, name: &str) -> Res<&[ArrayRef]> {
        self.column(name).ok_or_else(|| {
            InputErr::at(
                name,
                None,
                format!(
                    "missing; the columns are: {}",
                    self.names().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }

    /// A text column (ids, tiers); whole numbers are read as their decimal text.
    pub fn strings(&self, name: &str) -> Res<Option<Vec<Option<String>>>> {
        let Some(chunks) = self.column(name) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.rows);
        let mut base = 0;
        for c in chunks {
            each_str(c, name, base, &mut |_, s| {
                out.push(s.map(str::to_string));
                Ok(())
            })?;
            base += c.len();
        }
        Ok(Some(out))
    }

    /// A whole-number column: integers, or floats that are whole (NaN reads as missing,
    /// as pandas writes a missing number).
    pub fn ints(&self, name: &str) -> Res<Option<Vec<Option<i64>>>> {
        let Some(chunks) = self.column(name) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.rows);
        let mut base = 0;
        for c in chunks {
            each_int(c, name, base, &mut |_, v| {
                out.push(v);
                Ok(())
            })?;
            base += c.len();
        }
        Ok(Some(out))
    }

    /// The column as one Arrow array, when it is one chunk of `dt` without nulls (to
    /// pass it through to the result without a copy).
    pub fn single_chunk(&self, name: &str, dt: &DataType) -> Option<ArrayRef> {
        match self.column(name)? {
            [c] if c.data_type() == dt && c.null_count() == 0 => Some(c.clone()),
            _ => None,
        }
    }

    /// A required column of whole numbers of people: present, 0 or more.
    pub fn populations(&self, name: &str) -> Res<Vec<u64>> {
        let chunks = self.require(name)?;
        let mut out = Vec::with_capacity(self.rows);
        let mut base = 0;
        for c in chunks {
            if c.data_type() == &DataType::Int64 && c.null_count() == 0 {
                // The common case, without a value-by-value callback.
                let v = c.as_primitive::<Int64Type>().values();
                if let Some(i) = v.iter().position(|&p| p < 0) {
                    return Err(negative_population(name, base + i, v[i]));
                }
                out.extend(v.iter().map(|&p| p as u64));
            } else {
                each_int(c, name, base, &mut |row, p| {
                    match p {
                        None => {
                            return Err(InputErr::at(
                                name,
                                Some(row),
                                "missing; expected a whole number of people",
                            ));
                        }
                        Some(p) if p < 0 => return Err(negative_population(name, row, p)),
                        Some(p) => out.push(p as u64),
                    }
                    Ok(())
                })?;
            }
            base += c.len();
        }
        Ok(out)
    }

    /// A required whole-number column.
    pub fn required_ints(&self, name: &str) -> Res<Vec<Option<i64>>> {
        self.require(name)?;
        Ok(self.ints(name)?.unwrap_or_default())
    }

    /// A decimal column: integers, floats (NaN is an error), decimal text or decimals.
    pub fn decimals(&self, name: &str) -> Res<Option<Vec<Option<Decimal>>>> {
        let Some(chunks) = self.column(name) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.rows);
        let mut base = 0;
        for c in chunks {
            each_decimal(c, name, base, &mut |_, v| {
                out.push(v);
                Ok(())
            })?;
            base += c.len();
        }
        Ok(Some(out))
    }

    /// Capability lists: a list column, or text separated by `;`.
    pub fn capability_lists(&self, name: &str) -> Res<Option<Vec<Vec<String>>>> {
        let Some(chunks) = self.column(name) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.rows);
        let mut base = 0;
        for c in chunks {
            each_caps(c, name, base, &mut |_, row| {
                out.push(match row {
                    CapRow::Null => Vec::new(),
                    CapRow::Text(s) => split_caps(s).map(str::to_string).collect(),
                    CapRow::List(items) => items
                        .iter()
                        .flatten()
                        .map(|s| s.trim())
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                });
                Ok(())
            })?;
            base += c.len();
        }
        Ok(Some(out))
    }

    /// Capability sets as bits under `rs` (an unknown capability is an error at its row).
    /// Text rows are parsed once per distinct text.
    pub fn capability_bits(&self, name: &str, rs: &Ruleset) -> Res<Option<Vec<u64>>> {
        let Some(chunks) = self.column(name) else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.rows);
        let mut cache: HashMap<String, u64> = HashMap::new();
        let mut base = 0;
        for c in chunks {
            if let Some(d) = c.as_any_dictionary_opt() {
                // Parse each dictionary value once, then map the keys.
                let mut value_bits: Vec<Res<u64>> = Vec::with_capacity(d.values().len());
                each_str(d.values(), name, 0, &mut |_, s| {
                    value_bits.push(
                        rs.capability_set(s.map(split_caps).into_iter().flatten())
                            .map(|set| set.bits())
                            .map_err(|e| e.to_string().into()),
                    );
                    Ok(())
                })?;
                let lookup = |i: usize, k: usize| -> Res<u64> {
                    match value_bits.get(k) {
                        Some(Ok(b)) => Ok(*b),
                        Some(Err(e)) => Err(InputErr::at(name, Some(base + i), e.message.clone())),
                        None => Ok(0),
                    }
                };
                macro_rules! typed_keys {
                    ($t:ty) => {{
                        let keys = c.as_dictionary::<$t>().keys();
                        if keys.null_count() == 0 {
                            for (i, &k) in keys.values().iter().enumerate() {
                                out.push(lookup(i, k as usize)?);
                            }
                            true
                        } else {
                            false
                        }
                    }};
                }
                let done = match d.keys().data_type() {
                    DataType::Int8 => typed_keys!(Int8Type),
                    DataType::Int16 => typed_keys!(Int16Type),
                    DataType::Int32 => typed_keys!(Int32Type),
                    DataType::UInt8 => typed_keys!(UInt8Type),
                    DataType::UInt16 => typed_keys!(UInt16Type),
                    DataType::UInt32 => typed_keys!(UInt32Type),
                    _ => false,
                };
                if !done {
                    for (i, k) in d.normalized_keys().into_iter().enumerate() {
                        out.push(if d.keys().is_valid(i) {
                            lookup(i, k)?
                        } else {
                            0
                        });
                    }
                }
                base += c.len();
                continue;
            }
            each_caps(c, name, base, &mut |row, r| {
                let bits = match r {
                    CapRow::Null => 0,
                    CapRow::Text(s) => match cache.get(s) {
                        Some(b) => *b,
                        None => {
                            let b = rs
                                .capability_set(split_caps(s))
                                .map_err(|e| InputErr::at(name, Some(row), e.to_string()))?
                                .bits();
                            cache.insert(s.to_string(), b);
                            b
                        }
                    },
                    CapRow::List(items) => rs
                        .capability_set(items.iter().flatten().map(String::as_str))
                        .map_err(|e| InputErr::at(name, Some(row), e.to_string()))?
                        .bits(),
                };
                out.push(bits);
                Ok(())
            })?;
            base += c.len();
        }
        Ok(Some(out))
    }
}

fn negative_population(name: &str, row: usize, p: i64) -> InputErr {
    InputErr::at(
        name,
        Some(row),
        format!("population {p} is negative; expected 0 or more"),
    )
}

fn split_caps(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|c| !c.is_empty())
}

type StrFn<'a> = dyn FnMut(usize, Option<&str>) -> Res<()> + 'a;

fn wrong_type(col: &str, dt: &DataType, expected: &str) -> InputErr {
    InputErr::at(col, None, format!("has type {dt}; expected {expected}"))
}

fn each_str(arr: &ArrayRef, col: &str, base: usize, f: &mut StrFn<'_>) -> Res<()> {
    macro_rules! ints {
        ($t:ty) => {{
            let a = arr.as_primitive::<$t>();
            let mut buf = String::new();
            for i in 0..a.len() {
                if a.is_valid(i) {
                    buf.clear();
                    buf.push_str(&a.value(i).to_string());
                    f(base + i, Some(&buf))?;
                } else {
                    f(base + i, None)?;
                }
            }
        }};
    }
    match arr.data_type() {
        DataType::Utf8 => {
            let a = arr.as_string::<i32>();
            for i in 0..a.len() {
                f(base + i, a.is_valid(i).then(|| a.value(i)))?;
            }
        }
        DataType::LargeUtf8 => {
            let a = arr.as_string::<i64>();
            for i in 0..a.len() {
                f(base + i, a.is_valid(i).then(|| a.value(i)))?;
            }
        }
        DataType::Utf8View => {
            let a = arr.as_string_view();
            for i in 0..a.len() {
                f(base + i, a.is_valid(i).then(|| a.value(i)))?;
            }
        }
        DataType::Null => {
            for i in 0..arr.len() {
                f(base + i, None)?;
            }
        }
        DataType::Dictionary(_, _) => {
            let d = arr
                .as_any_dictionary_opt()
                .ok_or_else(|| wrong_type(col, arr.data_type(), "text"))?;
            let mut values: Vec<Option<String>> = Vec::with_capacity(d.values().len());
            each_str(d.values(), col, 0, &mut |_, s| {
                values.push(s.map(str::to_string));
                Ok(())
            })?;
            let keys = d.normalized_keys();
            for (i, k) in keys.iter().enumerate() {
                let v = if d.keys().is_valid(i) {
                    values.get(*k).and_then(|v| v.as_deref())
                } else {
                    None
                };
                f(base + i, v)?;
            }
        }
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => ints!(UInt64Type),
        dt => return Err(wrong_type(col, dt, "text")),
    }
    Ok(())
}

type IntFn<'a> = dyn FnMut(usize, Option<i64>) -> Res<()> + 'a;

fn float_to_int(col: &str, row: usize, v: f64) -> Res<Option<i64>> {
    if v.is_nan() {
        return Ok(None);
    }
    // 2^63 is exactly representable; every whole float below it fits in an i64.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if !v.is_finite() || v.fract() != 0.0 || !(-TWO_63..TWO_63).contains(&v) {
        return Err(InputErr::at(
            col,
            Some(row),
            format!("{v} is not a whole number"),
        ));
    }
    Ok(Some(v as i64))
}

fn each_int(arr: &ArrayRef, col: &str, base: usize, f: &mut IntFn<'_>) -> Res<()> {
    macro_rules! signed {
        ($t:ty) => {{
            let a = arr.as_primitive::<$t>();
            for i in 0..a.len() {
                f(base + i, a.is_valid(i).then(|| a.value(i) as i64))?;
            }
        }};
    }
    match arr.data_type() {
        DataType::Int8 => signed!(Int8Type),
        DataType::Int16 => signed!(Int16Type),
        DataType::Int32 => signed!(Int32Type),
        DataType::Int64 => signed!(Int64Type),
        DataType::UInt8 => signed!(UInt8Type),
        DataType::UInt16 => signed!(UInt16Type),
        DataType::UInt32 => signed!(UInt32Type),
        DataType::UInt64 => {
            let a = arr.as_primitive::<UInt64Type>();
            for i in 0..a.len() {
                let v = if a.is_valid(i) {
                    Some(i64::try_from(a.value(i)).map_err(|_| {
                        InputErr::at(
                            col,
                            Some(base + i),
                            format!("{} does not fit in 64 bits", a.value(i)),
                        )
                    })?)
                } else {
                    None
                };
                f(base + i, v)?;
            }
        }
        DataType::Float32 => {
            let a = arr.as_primitive::<Float32Type>();
            for i in 0..a.len() {
                let v = if a.is_valid(i) {
                    float_to_int(col, base + i, f64::from(a.value(i)))?
                } else {
                    None
                };
                f(base + i, v)?;
            }
        }
        DataType::Float64 => {
            let a = arr.as_primitive::<Float64Type>();
            for i in 0..a.len() {
                let v = if a.is_valid(i) {
                    float_to_int(col, base + i, a.value(i))?
                } else {
                    None
                };
                f(base + i, v)?;
            }
        }
        DataType::Null => {
            for i in 0..arr.len() {
                f(base + i, None)?;
            }
        }
        DataType::Decimal128(_, _) => {
            each_decimal(arr, col, base, &mut |row, d| {
                let v = match d {
                    Some(d) if d.fract().is_zero() => Some(i64::try_from(d).map_err(|_| {
                        InputErr::at(col, Some(row), format!("{d} does not fit in 64 bits"))
                    })?),
                    Some(d) => {
                        return Err(InputErr::at(
                            col,
                            Some(row),
                            format!("{d} is not a whole number"),
                        ));
                    }
                    None => None,
                };
                f(row, v)
            })?;
        }
        dt => return Err(wrong_type(col, dt, "whole numbers")),
    }
    Ok(())
}

type DecFn<'a> = dyn FnMut(usize, Option<Decimal>) -> Res<()> + 'a;

fn float_to_decimal(col: &str, row: usize, v: f64) -> Res<Decimal> {
    if !v.is_finite() {
        return Err(InputErr::at(
            col,
            Some(row),
            format!("{v} is not a number; expected a finite decimal"),
        ));
    }
    // The shortest text that reads back as the same float: what the caller typed.
    let s = format!("{v}");
    s.parse::<Decimal>()
        .map_err(|_| InputErr::at(col, Some(row), format!("{v} is out of range for a decimal")))
}

fn parse_decimal(col: &str, row: usize, s: &str) -> Res<Option<Decimal>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    localcare::money::parse_decimal(t)
        .map(Some)
        .ok_or_else(|| InputErr::at(col, Some(row), format!("`{s}` is not a decimal number")))
}

fn each_decimal(arr: &ArrayRef, col: &str, base: usize, f: &mut DecFn<'_>) -> Res<()> {
    match arr.data_type() {
        DataType::Float32 | DataType::Float64 => {
            let vals: Vec<Option<f64>> = match arr.data_type() {
                DataType::Float32 => arr
                    .as_primitive::<Float32Type>()
                    .iter()
                    .map(|v| v.map(f64::from))
                    .collect(),
                _ => arr.as_primitive::<Float64Type>().iter().collect(),
            };
            for (i, v) in vals.into_iter().enumerate() {
                let d = match v {
                    Some(v) => Some(float_to_decimal(col, base + i, v)?),
                    None => None,
                };
                f(base + i, d)?;
            }
        }
        DataType::Decimal128(_, scale) => {
            let a = arr.as_primitive::<arrow_array::types::Decimal128Type>();
            let scale = u32::try_from(*scale)
                .map_err(|_| wrong_type(col, arr.data_type(), "decimals of scale 0 to 28"))?;
            for i in 0..a.len() {
                let d = if a.is_valid(i) {
                    Some(
                        Decimal::try_from_i128_with_scale(a.value(i), scale).map_err(|_| {
                            InputErr::at(col, Some(base + i), "decimal out of range")
                        })?,
                    )
                } else {
                    None
                };
                f(base + i, d)?;
            }
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
            each_str(arr, col, base, &mut |row, s| {
                let d = match s {
                    Some(s) => parse_decimal(col, row, s)?,
                    None => None,
                };
                f(row, d)
            })?;
        }
        _ => {
            each_int(arr, col, base, &mut |row, v| f(row, v.map(Decimal::from)))?;
        }
    }
    Ok(())
}

enum CapRow<'a> {
    Null,
    Text(&'a str),
    List(&'a [Option<String>]),
}

type CapFn<'a> = dyn FnMut(usize, CapRow<'_>) -> Res<()> + 'a;

fn each_caps(arr: &ArrayRef, col: &str, base: usize, f: &mut CapFn<'_>) -> Res<()> {
    fn lists<O: arrow_array::OffsetSizeTrait>(
        a: &arrow_array::GenericListArray<O>,
        col: &str,
        base: usize,
        f: &mut CapFn<'_>,
    ) -> Res<()> {
        let mut items: Vec<Option<String>> = Vec::new();
        each_str(a.values(), col, 0, &mut |_, s| {
            items.push(s.map(str::to_string));
            Ok(())
        })?;
        let offsets = a.value_offsets();
        for i in 0..a.len() {
            if a.is_valid(i) {
                let (s, e) = (offsets[i].as_usize(), offsets[i + 1].as_usize());
                f(base + i, CapRow::List(&items[s..e]))?;
            } else {
                f(base + i, CapRow::Null)?;
            }
        }
        Ok(())
    }
    match arr.data_type() {
        DataType::List(_) => lists(arr.as_list::<i32>(), col, base, f),
        DataType::LargeList(_) => lists(arr.as_list::<i64>(), col, base, f),
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Dictionary(_, _)
        | DataType::Null => each_str(arr, col, base, &mut |row, s| {
            f(row, s.map_or(CapRow::Null, CapRow::Text))
        }),
        dt => Err(wrong_type(
            col,
            dt,
            "lists of capability ids, or text with ids separated by `;`",
        )),
    }
}
