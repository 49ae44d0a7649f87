//! Tables through the Arrow C Data Interface (`struct ArrowArrayStream`, as DuckDB,
//! nanoarrow and pyarrow use it): a C or C++ program holding Arrow data passes it
//! straight in and gets result tables back with the columns every face gives
//! (docs/columns.md). The tables are read and written by `localcare-tables`, as in
//! every face.
//!
//! Ownership: an input stream is *moved* into the library (the Arrow C stream
//! interface's rule for a consumer): on every status, each non-NULL input stream has
//! been released when the function returns (its `release` is NULL). An output stream
//! is written only on `LC_OK`; the caller then owns it and calls its `release`.

use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{RecordBatch, RecordBatchIterator};
use localcare_tables::spec::{ALL, Face};
use localcare_tables::{Table, TableError, read, write};

use crate::error::{Error, Result, lc_status};
use crate::guard::ffi_call;
use crate::ruleset::lc_ruleset;
use crate::text::{ref_arg, str_arg, write_text};
use crate::validate::lc_report;

impl From<TableError> for Error {
    fn from(e: TableError) -> Self {
        Error::input(e.to_string())
    }
}

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
    } else if (stream as usize) % align_of::<FFI_ArrowArrayStream>() != 0 {
        Input::Misaligned
    } else {
        // SAFETY: non-NULL, aligned, valid (caller's contract); replaced by a released one.
        Input::Stream(unsafe { FFI_ArrowArrayStream::from_raw(stream) })
    }
}

/// Reads a moved-in stream as a table; `what` names the argument and table.
pub(crate) fn table(stream: Input, what: &'static str) -> Result<Table> {
    let stream = match stream {
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

/// Writes a result batch to the caller's output stream.
///
/// # Safety
///
/// `out` was checked non-NULL and aligned; it is overwritten without being released.
pub(crate) unsafe fn put(out: *mut FFI_ArrowArrayStream, batch: RecordBatch) {
    let schema = batch.schema();
    let reader = RecordBatchIterator::new(vec![Ok(batch)], schema);
    // SAFETY: caller's contract; the previous content is not a live stream we own.
    unsafe { out.write(FFI_ArrowArrayStream::new(Box::new(reader))) };
}

pub(crate) fn out_arg(out: *mut FFI_ArrowArrayStream, what: &str) -> Result<()> {
    // SAFETY: only checked for NULL and alignment here, written in `put`.
    unsafe { ref_arg(out.cast_const(), what) }.map(|_| ())
}

/// Classifies a `units` table (`unit_id` optional, `population`, `capabilities`
/// optional) into a `classification` table (`unit_id`, `population`, `tier`,
/// `band_status`, and `reasons` when `reasons` is true). `tier` and `band_status` are
/// dictionary-encoded text.
///
/// - `rs`: a ruleset handle.
/// - `units`: an input stream, moved in (released on every status).
/// - `out`: receives the result stream on `LC_OK`; release it when done.
///
/// Returns `LC_INPUT_ERROR` for a table that cannot be read (a missing column, a value
/// of the wrong type, an unknown capability), naming the table, column and row.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; `units` points to an `ArrowArrayStream`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_classify_arrow(
    rs: *const lc_ruleset,
    units: *mut FFI_ArrowArrayStream,
    reasons: bool,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    // SAFETY: caller's contract.
    let units = unsafe { take(units) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let rs = &unsafe { ref_arg(rs, "rs") }?.rs;
        out_arg(out, "out")?;
        let t = table(units, "units")?;
        let u = read::units(&t, rs)?;
        let batch = write::classification(rs, &u, reasons, Face::C);
        // SAFETY: `out` checked above.
        unsafe { put(out, batch) };
        Ok(())
    })
}

/// Validates a `footprint` table (`unit_id`, `parent_id`, `declared_tier`,
/// `population`, `capabilities`) into a report handle, as `lc_validate` does from
/// arrays (free it with `lc_report_free`; its findings table comes from
/// `lc_report_findings_arrow`).
///
/// - `footprint`: an input stream, moved in (released on every status).
/// - `out_report`: receives the new handle on `LC_OK`.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; `footprint` points to an `ArrowArrayStream`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_validate_arrow(
    rs: *const lc_ruleset,
    footprint: *mut FFI_ArrowArrayStream,
    out_report: *mut *mut lc_report,
) -> lc_status {
    // SAFETY: caller's contract.
    let footprint = unsafe { take(footprint) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let rs = &unsafe { ref_arg(rs, "rs") }?.rs;
        // SAFETY: caller's contract.
        unsafe { ref_arg(out_report.cast_const(), "out_report") }?;
        let fp = read::footprint(&table(footprint, "footprint")?)?;
        let ids: Vec<&str> = fp.units().iter().map(|u| u.unit_id.as_str()).collect();
        let report = lc_report::new(rs.validate(&fp), &ids);
        // SAFETY: checked above; the handle is the caller's from here.
        unsafe { out_report.write(Box::into_raw(Box::new(report))) };
        Ok(())
    })
}

/// The `findings` table of a report (`code`, `name`, `severity`, `unit_id`, `rule`,
/// `message`), errors first.
///
/// - `out`: receives the result stream on `LC_OK`; release it when done.
///
/// # Safety
///
/// Pointers are NULL or valid for the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_report_findings_arrow(
    report: *const lc_report,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let report = unsafe { ref_arg(report, "report") }?;
        out_arg(out, "out")?;
        // SAFETY: `out` checked above.
        unsafe { put(out, write::findings(report.report(), Face::C)) };
        Ok(())
    })
}

/// Allocates `budget_pence` over a `footprint` table into an `allocation` table
/// (`unit_id`, `tier`, `parent_id`, `weighted_population`, ..., `allocation_pence`,
/// ...), units top down, then the strategic commissioner's pots.
///
/// - `footprint`: an input stream, moved in (released on every status).
/// - `needs`: optional (NULL for none): a `needs` table, moved in.
/// - `baselines`: optional (NULL for none): a `baselines` table, moved in.
/// - `out`: receives the result stream on `LC_OK`; release it when done.
///
/// Returns `LC_INPUT_ERROR` for a table that cannot be read, `LC_ALLOCATION_ERROR`
/// when the rules refuse the allocation (as `lc_allocate`).
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_allocate_arrow(
    rs: *const lc_ruleset,
    footprint: *mut FFI_ArrowArrayStream,
    budget_pence: i64,
    needs: *mut FFI_ArrowArrayStream,
    baselines: *mut FFI_ArrowArrayStream,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (footprint, needs, baselines) = unsafe { (take(footprint), take(needs), take(baselines)) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let rs = &unsafe { ref_arg(rs, "rs") }?.rs;
        out_arg(out, "out")?;
        let fp = read::footprint(&table(footprint, "footprint")?)?;
        let needs = match needs {
            Input::Null => Default::default(),
            s => read::needs(&table(s, "needs")?)?,
        };
        let baselines = match baselines {
            Input::Null => Vec::new(),
            s => read::baselines(&table(s, "baselines")?)?,
        };
        let a = rs.allocate(&fp, budget_pence, &needs, baselines)?;
        // SAFETY: `out` checked above.
        unsafe { put(out, write::allocation(&a, rs, None, Face::C)) };
        Ok(())
    })
}

/// Runs many scenarios on one footprint in one call, over all cores: a `scenarios`
/// table (`scenario`, `budget_pence` or `budget`, optional overrides
/// `inequalities_weight`, `aco_commissioned_share`, `pace_rate`, `min_growth`,
/// `max_growth`) into one `sweep` table (`scenario`, `unit_id`, `allocation_pence`,
/// `target_pence`, `distance_from_target_ppm`); each scenario's rows equal a single
/// `lc_allocate_arrow`'s, to the penny.
///
/// - `footprint`, `scenarios`: input streams, moved in (released on every status).
/// - `needs`: optional (NULL for none): a `needs` table, moved in.
/// - `baselines`: optional (NULL for none): a `baselines` table, moved in; a row with
///   a `scenario` belongs to that scenario, one without to every scenario without
///   baselines of its own.
/// - `out`: receives the result stream on `LC_OK`; release it when done.
///
/// Returns `LC_INPUT_ERROR` for a table that cannot be read (a duplicate scenario, an
/// unknown column), `LC_ALLOCATION_ERROR` when the rules refuse a scenario (the
/// message names the scenario and its row); no partial result.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_sweep_arrow(
    rs: *const lc_ruleset,
    footprint: *mut FFI_ArrowArrayStream,
    needs: *mut FFI_ArrowArrayStream,
    scenarios: *mut FFI_ArrowArrayStream,
    baselines: *mut FFI_ArrowArrayStream,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (footprint, needs, scenarios, baselines) = unsafe {
        (
            take(footprint),
            take(needs),
            take(scenarios),
            take(baselines),
        )
    };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let rs = &unsafe { ref_arg(rs, "rs") }?.rs;
        out_arg(out, "out")?;
        let fp = read::footprint(&table(footprint, "footprint")?)?;
        let needs = match needs {
            Input::Null => Default::default(),
            s => read::needs(&table(s, "needs")?)?,
        };
        let scenarios = table(scenarios, "scenarios")?;
        let baselines = match baselines {
            Input::Null => None,
            s => Some(table(s, "baselines")?),
        };
        let list = localcare_tables::sweep::scenarios(&scenarios, rs, baselines.as_ref())?;
        let prepared = rs.prepare(&fp, &needs)?;
        let sw = localcare_tables::sweep::run(&prepared, &list)?;
        // SAFETY: `out` checked above.
        unsafe { put(out, localcare_tables::sweep::sweep(&list.ids, sw, Face::C)) };
        Ok(())
    })
}

/// Settles a `results` table (`unit_id`, `benchmark_pence`, `actual_pence`,
/// `assigned_population`, `quality`) into a `settlement` table, rates as exact decimal
/// text and the explanation one step per line.
///
/// - `results`: an input stream, moved in (released on every status).
/// - `out`: receives the result stream on `LC_OK`; release it when done.
///
/// # Safety
///
/// Pointers are NULL or valid for the call; `results` points to an `ArrowArrayStream`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_settle_arrow(
    rs: *const lc_ruleset,
    results: *mut FFI_ArrowArrayStream,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    // SAFETY: caller's contract.
    let results = unsafe { take(results) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let rs = &unsafe { ref_arg(rs, "rs") }?.rs;
        out_arg(out, "out")?;
        let inputs = read::settlement_inputs(&table(results, "results")?)?;
        let s = rs.settle_batch(&inputs)?;
        // SAFETY: `out` checked above.
        unsafe { put(out, write::settlements(&s, Face::C)) };
        Ok(())
    })
}

/// Runs the shift-left model on an `activity` table (`unit_id`,
/// `emergency_admissions`, and any per-unit parameter) into a `shift` table, one row
/// per unit; with a `benchmarks` table (`unit_id`, `benchmark_pence`,
/// `assigned_population`, `quality`; one row per unit), the settlement that follows
/// is added (`expected_actual_pence`, ..., `final_pence`). Decimals are exact decimal
/// text, the explanation one step per line.
///
/// - `activity`: an input stream, moved in (released on every status).
/// - `benchmarks`: optional (NULL for none): a `benchmarks` table, moved in.
/// - `out`: receives the result stream on `LC_OK`; release it when done.
///
/// Returns `LC_INPUT_ERROR` for a table that cannot be read (naming table, column and
/// row: a unit without a benchmark, both `reduction` and `avoided_share`),
/// `LC_SHIFT_ERROR` when the rules refuse the model (as `lc_shift`).
///
/// # Safety
///
/// Pointers are NULL or valid for the call; the streams point to `ArrowArrayStream`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lc_shift_arrow(
    rs: *const lc_ruleset,
    activity: *mut FFI_ArrowArrayStream,
    benchmarks: *mut FFI_ArrowArrayStream,
    out: *mut FFI_ArrowArrayStream,
) -> lc_status {
    // SAFETY: caller's contract (each stream is taken before anything can fail).
    let (activity, benchmarks) = unsafe { (take(activity), take(benchmarks)) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let rs = &unsafe { ref_arg(rs, "rs") }?.rs;
        out_arg(out, "out")?;
        let inputs = read::activity(&table(activity, "activity")?)?;
        let bench = match benchmarks {
            Input::Null => None,
            s => {
                let ids: Vec<String> = inputs.iter().map(|i| i.unit_id.clone()).collect();
                Some(read::benchmarks(&table(s, "benchmarks")?, &ids)?.values)
            }
        };
        let run = localcare_tables::shift::run(rs, &inputs, bench.as_deref())?;
        // SAFETY: `out` checked above.
        unsafe { put(out, write::shift(&run, Face::C)) };
        Ok(())
    })
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
    table: *const std::ffi::c_char,
    table_len: usize,
    index: usize,
    buf: *mut std::ffi::c_char,
    len: usize,
    needed: *mut usize,
    count: *mut usize,
) -> lc_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let name = unsafe { str_arg(table, table_len, "table") }?;
        let spec = ALL.iter().find(|t| t.name == name).ok_or_else(|| {
            let names: Vec<&str> = ALL.iter().map(|t| t.name).collect();
            Error::new(
                lc_status::LC_NOT_FOUND,
                format!("no table `{name}`; the tables are: {}", names.join(", ")),
            )
        })?;
        let names = spec.names(Face::C);
        if !count.is_null() {
            // SAFETY: caller's contract: valid when not NULL.
            unsafe { ref_arg(count.cast_const(), "count") }?;
            // SAFETY: checked just above.
            unsafe { count.write(names.len()) };
        }
        let column = names.get(index).ok_or_else(|| {
            Error::range(format!(
                "column {index} of `{name}`: it has {} columns",
                names.len()
            ))
        })?;
        // SAFETY: caller's contract.
        unsafe { write_text(column, buf, len, needed) }
    })
}
