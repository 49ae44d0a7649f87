//! A sweep written scenario by scenario: the `sweep` table of many scenarios on a large
//! footprint (100,000 scenarios of England's 8,670 units are 867 million rows) is never
//! held whole. As CSV, each scenario is run into its thread's reused buffers and its
//! rows written straight to text (the cores format scenarios side by side; the text is
//! written in scenario order); as JSON, a slice of scenarios at a time becomes a batch
//! of rows, written and dropped before the next.
//!
//! Nothing is written unless every scenario allocates: every scenario is first run for
//! its errors only (the first failing scenario, by index, is the error, as for a whole
//! sweep), then run again as it is written. Each scenario's rows are a single
//! allocation's whatever the slice, so the table is the same as the whole sweep's.

use std::io::{self, Write};
use std::sync::Mutex;

use arrow_array::RecordBatch;
use localcare::allocate::{AllocationError, PreparedFootprint, Sweep, distance_from_target_ppm};

use crate::json::JsonRows;
use crate::spec::{self, Face};
use crate::sweep::{self, Scenarios};

/// Rows (scenarios x units and pots) run and written at a time as JSON: about 64 MB
/// of pence for the allocation and target matrices together.
const SLICE_ROWS: usize = 1 << 22;

/// Scenarios formatted side by side as CSV before their text is written, in order
/// (England's are about 300 KB of text each).
const CSV_SCENARIOS: usize = 64;

/// A sweep whose every scenario has been run without error, ready to be written.
pub struct SweepOutput {
    prepared: PreparedFootprint,
    scenarios: Scenarios,
}

impl SweepOutput {
    /// Runs every scenario of `scenarios` on `prepared` for its errors (keeping no
    /// result), naming a failing scenario by its id and row.
    pub fn run(prepared: PreparedFootprint, scenarios: Scenarios) -> Result<Self, AllocationError> {
        prepared
            .sweep_each(&scenarios.scenarios, |_, _, _| {})
            .map_err(|e| named(&scenarios, 0, e))?;
        Ok(SweepOutput {
            prepared,
            scenarios,
        })
    }

    /// Writes the `sweep` table as CSV (with its header, even with no rows).
    pub fn write_csv(self, face: Face, w: &mut dyn Write) -> io::Result<()> {
        self.write_csv_by(face, w, CSV_SCENARIOS)
    }

    /// [`SweepOutput::write_csv`], `per_chunk` scenarios formatted at a time.
    fn write_csv_by(self, face: Face, w: &mut dyn Write, per_chunk: usize) -> io::Result<()> {
        let columns: Vec<(&str, CsvColumn)> = spec::SWEEP
            .columns
            .iter()
            .filter(|c| c.shown.in_face(face))
            .map(|c| {
                let col = match c.name {
                    "scenario" => CsvColumn::Scenario,
                    "unit_id" => CsvColumn::Unit,
                    "allocation_pence" => CsvColumn::Allocation,
                    "target_pence" => CsvColumn::Target,
                    "distance_from_target_ppm" => CsvColumn::Distance,
                    other => panic!("sweep.{other} has no writer"),
                };
                (c.name, col)
            })
            .collect();
        let mut head = Vec::new();
        crate::csv::write_record(&mut head, columns.iter().map(|(n, _)| n.as_bytes()));
        w.write_all(&head)?;
        // Labels as CSV fields, once: the scenarios' ids and the rows' (units, pots).
        let as_field = |s: &str| {
            let mut f = Vec::new();
            crate::csv::field(&mut f, s.as_bytes());
            f
        };
        let scenario_fields: Vec<Vec<u8>> =
            self.scenarios.ids.iter().map(|s| as_field(s)).collect();
        let empty = self.prepared.sweep(&[]).map_err(io::Error::other)?;
        let row_fields: Vec<Vec<u8>> = empty.row_ids().map(as_field).collect();
        let cols: Vec<CsvColumn> = columns.iter().map(|&(_, c)| c).collect();
        let n = self.scenarios.scenarios.len();
        let per_chunk = per_chunk.clamp(1, n.max(1));
        // One text buffer per scenario of a chunk, reused from chunk to chunk.
        let texts: Vec<Mutex<Vec<u8>>> = (0..per_chunk).map(|_| Mutex::new(Vec::new())).collect();
        let mut start = 0;
        while start < n {
            let end = (start + per_chunk).min(n);
            self.prepared
                .sweep_each(&self.scenarios.scenarios[start..end], |i, a, t| {
                    let mut out = texts[i].lock().unwrap_or_else(|e| e.into_inner());
                    out.clear();
                    let scenario = &scenario_fields[start + i];
                    out.reserve(a.len() * (scenario.len() + 48));
                    for r in 0..a.len() {
                        let row_start = out.len();
                        for (c, col) in cols.iter().enumerate() {
                            if c > 0 {
                                out.push(b',');
                            }
                            match col {
                                CsvColumn::Scenario => out.extend_from_slice(scenario),
                                CsvColumn::Unit => out.extend_from_slice(&row_fields[r]),
                                CsvColumn::Allocation => crate::csv::push_int(&mut out, a[r]),
                                CsvColumn::Target => crate::csv::push_int(&mut out, t[r]),
                                CsvColumn::Distance => {
                                    if let Some(d) = distance_from_target_ppm(a[r], t[r]) {
                                        crate::csv::push_int(&mut out, d);
                                    }
                                }
                            }
                        }
                        // A row of nothing but empty fields is written as one empty
                        // quoted field, as the table writer does.
                        if out.len() == row_start {
                            out.extend_from_slice(b"\"\"");
                        }
                        out.push(b'\n');
                    }
                })
                .map_err(|e| io::Error::other(named(&self.scenarios, start, e)))?;
            for text in &texts[..end - start] {
                w.write_all(&text.lock().unwrap_or_else(|e| e.into_inner()))?;
            }
            start = end;
        }
        Ok(())
    }

    /// Writes the `sweep` table as a JSON document of rows, with a line end.
    pub fn write_json(self, face: Face, w: &mut dyn Write) -> io::Result<()> {
        self.write_json_by(face, w, SLICE_ROWS)
    }

    /// [`SweepOutput::write_json`], about `slice_rows` rows run and written at a time.
    fn write_json_by(self, face: Face, w: &mut dyn Write, slice_rows: usize) -> io::Result<()> {
        let mut rows = JsonRows::begin(w, 0);
        self.each_batch(face, slice_rows, |batch| rows.batch(batch))?;
        rows.end()?;
        w.write_all(b"\n")
    }

    /// Gives each slice's `sweep` rows (about `rows` rows a slice) to `f` in scenario
    /// order (at least one batch, so that a table of no rows still has its columns).
    fn each_batch(
        self,
        face: Face,
        rows: usize,
        mut f: impl FnMut(&RecordBatch) -> io::Result<()>,
    ) -> io::Result<()> {
        let SweepOutput {
            prepared,
            scenarios,
        } = self;
        // The width is the same for every scenario: learn it from none at all.
        let width = prepared.sweep(&[]).map_err(io::Error::other)?.width();
        let per_slice = (rows / width.max(1)).max(1);
        let n = scenarios.ids.len();
        let mut start = 0;
        loop {
            let end = (start + per_slice).min(n);
            // Run once already without error: the same scenarios give the same rows.
            let sw = run_slice(&prepared, &scenarios, start, end).map_err(io::Error::other)?;
            f(&sweep::sweep(&scenarios.ids[start..end], sw, face))?;
            if end >= n {
                return Ok(());
            }
            start = end;
        }
    }
}

/// A column of the `sweep` table as the CSV writer fills it.
#[derive(Debug, Clone, Copy)]
enum CsvColumn {
    Scenario,
    Unit,
    Allocation,
    Target,
    Distance,
}

/// A sweep's error for scenarios from `start` on, naming the failing scenario by its
/// id and row in the whole table.
fn named(s: &Scenarios, start: usize, e: AllocationError) -> AllocationError {
    match e {
        AllocationError::Scenario { index, source } => AllocationError::NamedScenario {
            id: s.ids.get(start + index).cloned().unwrap_or_default(),
            row: start + index,
            source,
        },
        e => e,
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
        .map_err(|e| named(s, start, e))
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
        for (rows, per_chunk) in [(1, 1), (3 * width, 3), (usize::MAX / 2, usize::MAX / 2)] {
            let mut csv = Vec::new();
            SweepOutput::run(p.clone(), s.clone())
                .unwrap()
                .write_csv_by(Face::Cli, &mut csv, per_chunk)
                .unwrap();
            assert_eq!(
                String::from_utf8(csv).unwrap(),
                want_csv,
                "{per_chunk} scenarios a chunk"
            );
            let mut json = Vec::new();
            SweepOutput::run(p.clone(), s.clone())
                .unwrap()
                .write_json_by(Face::Cli, &mut json, rows)
                .unwrap();
            assert_eq!(json, want_json, "{rows} rows a slice");
        }
    }

    #[test]
    fn a_failing_scenario_in_a_later_slice_is_the_error_before_anything_is_written() {
        let p = prepared();
        let mut budgets = vec![61_740_000_000; 9];
        budgets[7] = -1;
        let e = SweepOutput::run(p, scenarios(&budgets))
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
