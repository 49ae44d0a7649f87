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
        Self::run_sliced(prepared, scenarios, SLICE_ROWS)
    }

    /// [`SweepOutput::run`] with slices of about `rows` rows.
    fn run_sliced(
        prepared: PreparedFootprint,
        scenarios: Scenarios,
        rows: usize,
    ) -> Result<Self, AllocationError> {
        // The width is the same for every scenario: learn it from none at all.
        let width = prepared.sweep(&[])?.width();
        let per_slice = (rows / width.max(1)).max(1);
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

#[cfg(test)]
mod tests {
    use super::*;
    use localcare::Ruleset;
    use localcare::allocate::{Needs, Scenario};

    fn prepared() -> PreparedFootprint {
        let rs = Ruleset::builtin("kent-medway-2017").unwrap();
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/kent-medway-synthetic.csv"
        ))
        .unwrap();
        let fp = crate::read::footprint(&crate::csv::read(&bytes).unwrap().table).unwrap();
        rs.prepare(&fp, &Needs::default()).unwrap()
    }

    fn scenarios(budgets: &[i64]) -> Scenarios {
        Scenarios {
            ids: (0..budgets.len()).map(|i| format!("s{i}")).collect(),
            scenarios: budgets.iter().map(|&b| Scenario::budget(b)).collect(),
        }
    }

    #[test]
    fn slices_write_the_whole_sweeps_table() {
        let p = prepared();
        let budgets: Vec<i64> = (0..10).map(|i| 61_740_000_000 + i * 12_345).collect();
        let s = scenarios(&budgets);
        let whole = sweep::sweep(&s.ids, p.sweep(&s.scenarios).unwrap(), Face::Cli);
        let want_csv = crate::csv::write(&whole);
        let mut want_json = Vec::new();
        crate::json::write_table(&whole, &mut want_json).unwrap();
        let width = p.sweep(&[]).unwrap().width();
        // One scenario a slice, three (the last slice short), and all in one.
        for rows in [1, 3 * width, usize::MAX / 2] {
            let mut csv = Vec::new();
            SweepOutput::run_sliced(p.clone(), s.clone(), rows)
                .unwrap()
                .write_csv(Face::Cli, &mut csv)
                .unwrap();
            assert_eq!(
                String::from_utf8(csv).unwrap(),
                want_csv,
                "{rows} rows a slice"
            );
            let mut json = Vec::new();
            SweepOutput::run_sliced(p.clone(), s.clone(), rows)
                .unwrap()
                .write_json(Face::Cli, &mut json)
                .unwrap();
            assert_eq!(json, want_json, "{rows} rows a slice");
        }
    }

    #[test]
    fn a_failing_scenario_in_a_later_slice_is_the_error_before_anything_is_written() {
        let p = prepared();
        let mut budgets = vec![61_740_000_000; 9];
        budgets[7] = -1;
        let width = p.sweep(&[]).unwrap().width();
        let e = SweepOutput::run_sliced(p, scenarios(&budgets), 2 * width)
            .err()
            .expect("scenario s7 fails");
        match e {
            AllocationError::NamedScenario { id, row, .. } => {
                assert_eq!((id.as_str(), row), ("s7", 7))
            }
            e => panic!("{e}"),
        }
    }
}
