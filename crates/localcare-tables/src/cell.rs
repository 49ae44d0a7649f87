//! One cell of a result column as text, the same for CSV and JSON output: what the
//! CSV writer ([`crate::csv`]), the JSON writer ([`crate::json`]) and C's typed getters
//! all print.

use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int8Type, Int16Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

/// Appends the text of `a[row]` to `out`; a null is empty.
pub fn cell(a: &ArrayRef, row: usize, out: &mut String) {
    if a.is_null(row) {
        return;
    }
    match a.data_type() {
        DataType::Utf8 => out.push_str(a.as_string::<i32>().value(row)),
        DataType::Int64 => {
            let _ = write!(out, "{}", a.as_primitive::<Int64Type>().value(row));
        }
        DataType::Float64 => {
            let _ = write!(out, "{}", a.as_primitive::<Float64Type>().value(row));
        }
        DataType::Boolean => out.push_str(if a.as_boolean().value(row) {
            "true"
        } else {
            "false"
        }),
        // Result categories have 8- or 16-bit keys (see `write::coded`), a sweep's
        // 32-bit keys (see `sweep::sweep`).
        DataType::Dictionary(k, _) => match k.as_ref() {
            DataType::Int32 => {
                let d = a.as_dictionary::<Int32Type>();
                cell(d.values(), d.keys().value(row) as usize, out);
            }
            DataType::Int8 => {
                let d = a.as_dictionary::<Int8Type>();
                cell(d.values(), d.keys().value(row) as usize, out);
            }
            DataType::Int16 => {
                let d = a.as_dictionary::<Int16Type>();
                cell(d.values(), d.keys().value(row) as usize, out);
            }
            _ => {}
        },
        // Result columns are of the types above.
        _ => {}
    }
}

/// The key of every row of a dictionary column (`None` for a null), as an index into
/// its labels. A column of no labels has no valid key: arrow's `normalized_keys`
/// asserts on an empty dictionary, which a table of no rows may hold.
pub(crate) fn dictionary_keys(d: &dyn arrow_array::AnyDictionaryArray) -> Vec<Option<usize>> {
    let n = d.keys().len();
    if d.values().is_empty() {
        return vec![None; n];
    }
    let keys = d.normalized_keys();
    (0..n)
        .map(|i| d.keys().is_valid(i).then(|| keys[i]))
        .collect()
}
