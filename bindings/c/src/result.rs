//! `lc_result`: what every command gives, the one result handle of the C face. It holds
//! the command's record batches exactly as `localcare-tables` wrote them (named as in
//! docs/columns.md) and its text (an explanation, a report), read through typed getters
//! or exported as Arrow streams.

use std::ffi::c_char;

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;

use crate::LC_NO_VALUE;
use crate::arrow::put_stream;
use crate::error::{Error, Result, lc_status};
use crate::guard::free_handle;
use crate::text::{OwnedText, lc_str};

/// The result of a command: named tables and text. Made by the `lc_*_arrow` commands,
/// freed by `lc_result_free`; immutable, so it may be read from many threads at once.
/// Strings borrowed from it (table and column names) live until it is freed.
pub struct lc_result {
    tables: Vec<Written>,
    text: String,
}

struct Written {
    name: OwnedText,
    columns: Vec<OwnedText>,
    batch: RecordBatch,
}

impl lc_result {
    /// A result of `(table name, batch)` pairs and text.
    pub(crate) fn new(tables: Vec<(&str, RecordBatch)>, text: String) -> Self {
        let tables = tables
            .into_iter()
            .map(|(name, batch)| Written {
                name: OwnedText::new(name),
                columns: batch
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| OwnedText::new(f.name()))
                    .collect(),
                batch,
            })
            .collect();
        lc_result { tables, text }
    }

    fn table(&self, t: usize) -> Result<&Written> {
        self.tables.get(t).ok_or_else(|| {
            Error::range(format!(
                "table {t}: the result has {} tables",
                self.tables.len()
            ))
        })
    }

    /// The column `c` of table `t`, checked to have a row `row`.
    fn cell(&self, t: usize, c: usize, row: usize) -> Result<&ArrayRef> {
        let w = self.table(t)?;
        let name = w.name.as_str();
        let a = w.batch.columns().get(c).ok_or_else(|| {
            Error::range(format!(
                "column {c} of `{name}`: it has {} columns",
                w.columns.len()
            ))
        })?;
        if row >= a.len() {
            let n = a.len();
            return Err(Error::range(format!(
                "row {row} of `{name}`: it has {n} rows"
            )));
        }
        Ok(a)
    }
}

/// Looks a name up among `names`, or `LC_NOT_FOUND` listing them.
fn position(names: impl Iterator<Item = String> + Clone, name: &str, what: &str) -> Result<usize> {
    names.clone().position(|n| n == name).ok_or_else(|| {
        let all: Vec<String> = names.collect();
        Error::not_found(format!("no {what} `{name}`; there are: {}", all.join(", ")))
    })
}

/// Frees a result. NULL is allowed and does nothing.
///
/// # Safety
///
/// `result` must be NULL or a result not yet freed, which no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_free(result: *mut lc_result) {
    // SAFETY: caller's contract (made by Box::into_raw, not yet freed).
    unsafe { free_handle(result) }
}

/// The number of tables in the result.
///
/// # Safety
///
/// `result` must be a live result; `out` a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_table_count(
    result: *const lc_result,
    out: *mut usize,
) -> lc_status {
    entry! { put!(out, try_ref!(result).tables.len()) }
}

/// The name of table `table`, such as `"allocation"` (docs/columns.md), borrowed from
/// the result. Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `result` must be a live result; `out` a writable `lc_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_table_name(
    result: *const lc_result,
    table: usize,
    out: *mut lc_str,
) -> lc_status {
    entry! { put!(out, try_ref!(result).table(table)?.name.as_lc_str()) }
}

/// The index of the table named `name`. Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8`,
/// `LC_NOT_FOUND` (the message lists the result's tables).
///
/// # Safety
///
/// `result` must be a live result; `name` `name_len` readable bytes; `out` a writable
/// `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_table_index(
    result: *const lc_result,
    name: *const c_char,
    name_len: usize,
    out: *mut usize,
) -> lc_status {
    entry! {
        let names = try_ref!(result).tables.iter().map(|w| w.name.as_str().to_string());
        put!(out, position(names, try_str!(name, name_len), "table")?);
    }
}

/// The number of rows of table `table`. Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `result` must be a live result; `out` a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_row_count(
    result: *const lc_result,
    table: usize,
    out: *mut usize,
) -> lc_status {
    entry! { put!(out, try_ref!(result).table(table)?.batch.num_rows()) }
}

/// The number of columns of table `table`. Errors: `LC_NULL_ARGUMENT`,
/// `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `result` must be a live result; `out` a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_column_count(
    result: *const lc_result,
    table: usize,
    out: *mut usize,
) -> lc_status {
    entry! { put!(out, try_ref!(result).table(table)?.columns.len()) }
}

/// The name of column `column` of table `table`, borrowed from the result.
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `result` must be a live result; `out` a writable `lc_str`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_column_name(
    result: *const lc_result,
    table: usize,
    column: usize,
    out: *mut lc_str,
) -> lc_status {
    entry! {
        let w = try_ref!(result).table(table)?;
        let c = w.columns.get(column).ok_or_else(|| {
            Error::range(format!("column {column}: `{}` has {} columns", w.name.as_str(), w.columns.len()))
        })?;
        put!(out, c.as_lc_str());
    }
}

/// The index of the column named `name` in table `table`. Errors: `LC_NULL_ARGUMENT`,
/// `LC_INVALID_UTF8`, `LC_OUT_OF_RANGE`, `LC_NOT_FOUND` (the message lists the
/// table's columns).
///
/// # Safety
///
/// `result` must be a live result; `name` `name_len` readable bytes; `out` a writable
/// `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_column_index(
    result: *const lc_result,
    table: usize,
    name: *const c_char,
    name_len: usize,
    out: *mut usize,
) -> lc_status {
    entry! {
        let w = try_ref!(result).table(table)?;
        let names = w.columns.iter().map(|c| c.as_str().to_string());
        put!(out, position(names, try_str!(name, name_len), "column")?);
    }
}

/// Whether the cell at `row` of column `column` of table `table` is null (empty).
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `result` must be a live result; `out` a writable `bool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_is_null(
    result: *const lc_result,
    table: usize,
    column: usize,
    row: usize,
    out: *mut bool,
) -> lc_status {
    entry! { put!(out, try_ref!(result).cell(table, column, row)?.is_null(row)) }
}

/// The cell of an integer column (pence, counts, parts per million) as `int64_t`;
/// `LC_NO_VALUE` when null. Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE` (an index
/// past the end, or a column that is not of integers: read it with `lc_result_str`).
///
/// # Safety
///
/// `result` must be a live result; `out` a writable `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_i64(
    result: *const lc_result,
    table: usize,
    column: usize,
    row: usize,
    out: *mut i64,
) -> lc_status {
    entry! {
        let a = try_ref!(result).cell(table, column, row)?;
        if a.data_type() != &DataType::Int64 {
            return Err(Error::range(format!(
                "column {column} holds {}, not integers; read it with lc_result_str",
                a.data_type()
            )));
        }
        let v = if a.is_null(row) { LC_NO_VALUE } else { a.as_primitive::<Int64Type>().value(row) };
        put!(out, v);
    }
}

/// The cell as text, NUL-terminated into `buf` (see "Text out" above), as the CSV
/// writer gives it: text and categories as they are, decimals as their exact text,
/// integers in digits, booleans `true`/`false`, null as the empty string (tell it from
/// an empty text with `lc_result_is_null`). Errors: `LC_NULL_ARGUMENT`,
/// `LC_OUT_OF_RANGE`, `LC_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `result` must be a live result; `buf` NULL (with `len` 0) or `len` writable bytes;
/// `needed` NULL or a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_str(
    result: *const lc_result,
    table: usize,
    column: usize,
    row: usize,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    entry! {
        let mut text = String::new();
        localcare_tables::format::cell(try_ref!(result).cell(table, column, row)?, row, &mut text);
        text_out!(&text, buf, len, needed);
    }
}

/// Table `table` as an Arrow C stream (int64, utf8, bool and dictionary-encoded utf8
/// columns; docs/columns.md). The result keeps its own copy: export as often as needed.
///
/// - `out`: receives the stream on `LC_OK`; the caller releases it.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// `result` must be a live result; `out` must point to a writable `ArrowArrayStream`
/// (overwritten without being released).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_export(
    result: *const lc_result,
    table: usize,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    entry! { put_stream(out, try_ref!(result).table(table)?.batch.clone())? }
}

/// The result's text: the report of a validation, the explanation of an allocation's
/// unit, of an appraisal or of one of its options; empty when the command gives none.
/// Text out as in the conventions above.
///
/// # Safety
///
/// `result` must be a live result; `buf` NULL (with `len` 0) or `len` writable bytes;
/// `needed` NULL or a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_result_text(
    result: *const lc_result,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> lc_status {
    entry! { text_out!(&try_ref!(result).text, buf, len, needed) }
}
