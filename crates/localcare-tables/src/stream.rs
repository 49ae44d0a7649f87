//! A sweep written scenario by scenario: the `sweep` table of many scenarios on a large
//! footprint (100,000 scenarios of England's 8,670 units are 867 million rows) is run a
//! slice of scenarios at a time, and each slice's rows are written as CSV or JSON and
//! dropped before the next is run, so memory is bounded by one slice, not the table.
//!
//! Nothing is written unless every scenario allocates: a sweep that fits one slice is
//! run once and kept; a longer one is first run through, slice by slice, for its
//! errors only (the first failing scenario, by index, is the error, as for a whole
//! sweep), then run again as it is written. Each scenario's rows are a single
//! allocation's whatever the slice, so the table is the same as the whole sweep's.

use std::io::{self, Write};

use arrow_array::RecordBatch;
use localcare::allocate::{AllocationError, PreparedFootprint, Sweep};

use crate::json::JsonRows;
use crate::spec::Face;
use crate::sweep::{self, Scenarios};

/// Rows (scenarios x units and pots) run and written at a time: about 64 MB of pence
/// for the allocation and target matrices together.
const SLICE_ROWS: usize = 1 << 22;

/// A sweep whose every scenario has been run without error, ready to be written.
pub struct SweepOutput {
    prepared: PreparedFootprint,
    scenarios: Scenarios,
    /// Scenarios per slice.
    per_slice: usize,
    /// The first slice's result, kept from the check.
    first: Option<Sweep>,
}

impl SweepOutput {
    /// Runs every scenario of `scenarios` on `prepared` (a slice at a time, keeping
    /// only the first slice's result), naming a failing scenario by its id and row.
    pub fn run(prepared: PreparedFootprint, scenarios: Scenarios) -> Result<Self, AllocationError> {
        // The width is the same for every scenario: learn it from none at all.
        let width = prepared.sweep(&[])?.width();
        let per_slice = (SLICE_ROWS / width.max(1)).max(1);
        let n = scenarios.scenarios.len();
        let mut first = None;
        let mut start = 0;
        while start < n || first.is_none() {
            let end = (start + per_slice).min(n);
            let sw = run_slice(&prepared, &scenarios, start, end)?;
            if first.is_none() {
                first = Some(sw);
            }
            if end == n {
                break;
            }
            start = end;
        }
        Ok(SweepOutput {
            prepared,
            scenarios,
            per_slice,
            first,
        })
    }

    /// Writes the `sweep` table as CSV (with its header, even with no rows).
    pub fn write_csv(self, face: Face, w: &mut dyn Write) -> io::Result<()> {
        let mut header = true;
        self.each_batch(face, |batch| {
            crate::csv::write_to(batch, std::mem::take(&mut header), w)
        })
    }

    /// Writes the `sweep` table as a JSON document of rows, with a line end.
    pub fn write_json(self, face: Face, w: &mut dyn Write) -> io::Result<()> {
        let mut rows = JsonRows::begin(w, 0);
        self.each_batch(face, |batch| rows.batch(batch))?;
        rows.end()?;
        w.write_all(b"\n")
    }

    /// Gives each slice's `sweep` rows to `f` in scenario order (at least one batch,
    /// so that a table of no rows still has its columns).
    fn each_batch(
        self,
        face: Face,
        mut f: impl FnMut(&RecordBatch) -> io::Result<()>,
    ) -> io::Result<()> {
        let SweepOutput {
            prepared,
            scenarios,
            per_slice,
            first,
        } = self;
        let n = scenarios.ids.len();
        let mut start = 0;
        let mut next = first;
        loop {
            let end = (start + per_slice).min(n);
            let sw = match next.take() {
                Some(sw) => sw,
                // Run once already without error: the same scenarios give the same rows.
                None => run_slice(&prepared, &scenarios, start, end).map_err(io::Error::other)?,
            };
            f(&sweep::sweep(&scenarios.ids[start..end], sw, face))?;
            if end >= n {
                return Ok(());
            }
            start = end;
        }
    }
}

/// Scenarios `start..end` run as one sweep, a failure named by its id and row in the
/// whole table.
fn run_slice(
    prepared: &PreparedFootprint,
    s: &Scenarios,
    start: usize,
    end: usize,
) -> Result<Sweep, AllocationError> {
    prepared
        .sweep(&s.scenarios[start..end])
        .map_err(|e| match e {
            AllocationError::Scenario { index, source } => AllocationError::NamedScenario {
                id: s.ids.get(start + index).cloned().unwrap_or_default(),
                row: start + index,
                source,
            },
            e => e,
        })
}
