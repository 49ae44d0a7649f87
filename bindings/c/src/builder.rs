//! `lc_builder`: an Arrow C stream made from plain C arrays, for a caller with no Arrow
//! library. It knows no table: the caller names the columns (docs/columns.md), and the
//! command reading the stream checks them with the table model's readers, as for any
//! other Arrow input.

use std::ffi::c_char;
use std::sync::Arc;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};

use crate::LC_NO_VALUE;
use crate::arrow::put_stream;
use crate::error::{Result, lc_status};
use crate::guard::{free_handle, give};
use crate::text::{lc_str, slice_arg, str_arg};

/// Columns on their way to an Arrow C stream. Made by `lc_builder_new`, filled by
/// `lc_builder_i64` and `lc_builder_text`, turned into a stream by `lc_builder_finish`
/// (which empties it for the next table), freed by `lc_builder_free`. Unlike the other
/// handles it changes: use one from one thread at a time.
#[derive(Default)]
pub struct lc_builder {
    columns: Vec<(String, ArrayRef)>,
}

impl lc_builder {
    fn add(&mut self, name: &str, column: ArrayRef) {
        self.columns.push((name.to_string(), column));
    }
}

/// Makes an empty builder. Errors: `LC_NULL_ARGUMENT`.
///
/// # Safety
///
/// `out` must point to a writable `lc_builder *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_builder_new(out: *mut *mut lc_builder) -> lc_status {
    entry! { give(out, lc_builder::default())? }
}

/// Frees a builder. NULL is allowed and does nothing.
///
/// # Safety
///
/// `builder` must be NULL or a builder not yet freed, which no other thread is using.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_builder_free(builder: *mut lc_builder) {
    // SAFETY: caller's contract (made by Box::into_raw, not yet freed).
    unsafe { free_handle(builder) }
}

/// Adds an integer column (pence, counts, populations) of `n` values; an entry
/// `LC_NO_VALUE` is null (not given).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8` (the name); nothing is added on error.
///
/// # Safety
///
/// `builder` must be a live builder; `name` `name_len` readable bytes; `values` `n`
/// readable values (NULL only when `n` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_builder_i64(
    builder: *mut lc_builder,
    name: *const c_char,
    name_len: usize,
    values: *const i64,
    n: usize,
) -> lc_status {
    entry! {
        let b = try_mut!(builder);
        let name = try_str!(name, name_len);
        // SAFETY: caller's contract.
        let values = unsafe { slice_arg(values, n, "values") }?;
        let column = values.iter().map(|&v| (v != LC_NO_VALUE).then_some(v));
        b.add(name, Arc::new(column.collect::<Int64Array>()));
    }
}

/// Adds a text column of `n` strings: ids, decimals as exact text (`"0.90"`), lists
/// such as capabilities joined by `;`; an entry with a NULL `ptr` is null (not given).
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INVALID_UTF8` (the name, or `values[i]`); nothing is
/// added on error.
///
/// # Safety
///
/// `builder` must be a live builder; `name` `name_len` readable bytes; `values` `n`
/// readable `lc_str` (NULL only when `n` is 0), each NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_builder_text(
    builder: *mut lc_builder,
    name: *const c_char,
    name_len: usize,
    values: *const lc_str,
    n: usize,
) -> lc_status {
    entry! {
        let b = try_mut!(builder);
        let name = try_str!(name, name_len);
        // SAFETY: caller's contract.
        let values = unsafe { slice_arg(values, n, "values") }?;
        let column = values
            .iter()
            .enumerate()
            .map(|(i, s)| match s.ptr.is_null() {
                true => Ok(None),
                // SAFETY: caller's contract.
                false => unsafe { str_arg(s.ptr, s.len, &format!("values[{i}]")) }.map(Some),
            })
            .collect::<Result<StringArray>>()?;
        b.add(name, Arc::new(column));
    }
}

/// Turns the builder's columns into one Arrow C stream, to pass to a command (which
/// moves it in), and empties the builder for the next table.
///
/// Errors: `LC_NULL_ARGUMENT`, `LC_INPUT_ERROR` (columns of different lengths; the
/// builder keeps its columns).
///
/// # Safety
///
/// `builder` must be a live builder; `out` must point to a writable `ArrowArrayStream`
/// (overwritten without being released).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_builder_finish(
    builder: *mut lc_builder,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    entry! {
        let b = try_mut!(builder);
        crate::text::out_ptr(out, "out")?;
        let batch = RecordBatch::try_from_iter(b.columns.iter().cloned())?;
        put_stream(out, batch)?;
        b.columns.clear();
    }
}
