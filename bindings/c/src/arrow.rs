//! Tables through the Arrow C Data Interface (`struct ArrowArrayStream`, as DuckDB,
//! nanoarrow and pyarrow use it): input streams read as `localcare-tables` tables,
//! result batches written as streams, and the description of every table's columns.
//!
//! Ownership: an input stream is *moved* into the library (the Arrow C stream
//! interface's rule for a consumer): on every status, each non-NULL input stream has
//! been released when the function returns (its `release` is NULL). An output stream
//! is written only on `LC_OK`; the caller then owns it and calls its `release`.

use std::ffi::c_char;

use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{RecordBatch, RecordBatchIterator};
use localcare_tables::Table;
use localcare_tables::spec::{ALL, Face};

use crate::error::{Error, Result, lc_status};

/// An input stream argument, taken out of the caller's struct before anything else
/// can fail, so that it is released on every status.
pub(crate) enum Input {
    Null,
    Misaligned,
    Stream(FFI_ArrowArrayStream),
}

/// Takes an input stream (leaving the caller's struct released).
///
/// # Safety
///
/// `stream` is NULL or points to a valid `ArrowArrayStream` (released or not).
pub(crate) unsafe fn take(stream: *mut FFI_ArrowArrayStream) -> Input {
    if stream.is_null() {
        Input::Null
    } else if !stream.is_aligned() {
        Input::Misaligned
    } else {
        // SAFETY: non-NULL, aligned, valid (caller's contract); replaced by a released one.
        Input::Stream(unsafe { FFI_ArrowArrayStream::from_raw(stream) })
    }
}

impl Input {
    /// Reads a required stream as the table `what` (which also names the argument).
    pub(crate) fn table(self, what: &'static str) -> Result<Table> {
        let stream = match self {
            Input::Null => return Err(Error::null(what)),
            Input::Misaligned => {
                return Err(Error::range(format!(
                    "`{what}` is not aligned for a struct ArrowArrayStream"
                )));
            }
            Input::Stream(s) => s,
        };
        if stream.release.is_none() {
            return Err(Error::input(format!(
                "`{what}`: the stream is already released; pass a live ArrowArrayStream"
            )));
        }
        let reader = ArrowArrayStreamReader::try_new(stream)
            .map_err(|e| Error::input(format!("`{what}`: cannot read the Arrow stream: {e}")))?;
        Ok(Table::from_reader(what, reader)?)
    }

    /// Reads an optional stream: `None` when the argument is NULL.
    pub(crate) fn opt_table(self, what: &'static str) -> Result<Option<Table>> {
        match self {
            Input::Null => Ok(None),
            s => s.table(what).map(Some),
        }
    }
}

/// Writes a batch to the caller's output stream, checked first.
pub(crate) fn put_stream(out: *mut FFI_ArrowArrayStream, batch: RecordBatch) -> Result<()> {
    crate::text::out_ptr(out, "out")?;
    let schema = batch.schema();
    let reader = RecordBatchIterator::new(vec![Ok(batch)], schema);
    // SAFETY: checked non-NULL and aligned; its previous content is not a live stream
    // the library owns, so it is overwritten without being released.
    unsafe { out.write(FFI_ArrowArrayStream::new(Box::new(reader))) };
    Ok(())
}

/// The name of column `index` of table `table` (`"classification"`, `"allocation"`,
/// an input table such as `"footprint"`; docs/columns.md) as the Arrow entry points
/// give it, NUL-terminated into `buf` (see "Text out" above). `LC_NOT_FOUND` for an
/// unknown table, `LC_OUT_OF_RANGE` for an index past the last column; `*count`, when
/// not NULL, receives the number of columns on `LC_OK` and `LC_OUT_OF_RANGE`.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; `table` points to `table_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_table_column(
    table: *const c_char,
    table_len: usize,
    index: usize,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut usize,
) -> lc_status {
    entry! {
        let name = try_str!(table, table_len);
        let spec = ALL.iter().find(|t| t.name == name).ok_or_else(|| {
            let names: Vec<&str> = ALL.iter().map(|t| t.name).collect();
            Error::not_found(format!("no table `{name}`; the tables are: {}", names.join(", ")))
        })?;
        let names = spec.names(Face::C);
        if !count.is_null() {
            put!(count, names.len());
        }
        let column = names.get(index).ok_or_else(|| {
            Error::range(format!("column {index} of `{name}`: it has {} columns", names.len()))
        })?;
        text_out!(column, buf, len, needed);
    }
}
