//! `classify`: the `units` table in, the `classification` table out.

use std::io;
use std::ops::Range;

use arrow_array::RecordBatch;
use localcare::Ruleset;

use super::RunError;
use crate::read::{self, Units};
use crate::spec::Face;
use crate::{Table, write};

/// Rows classified and written as one part of a long table's CSV: a few megabytes of
/// text with reasons.
const SLICE: usize = 1 << 14;

/// Options of a classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassifyOptions {
    /// Whether the table says why each unit is not in each higher tier.
    pub reasons: bool,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        ClassifyOptions { reasons: true }
    }
}

/// Units read and ready to classify; the classification is written on demand (a
/// slice at a time for a long table).
#[derive(Debug, Clone)]
pub struct Classified {
    /// The units, as columns.
    pub units: Units,
    /// The options it was asked with.
    pub options: ClassifyOptions,
}

/// Reads the `units` table under `rs`.
pub fn classify(
    rs: &Ruleset,
    units: &Table,
    options: ClassifyOptions,
) -> Result<Classified, RunError> {
    Ok(Classified {
        units: read::units(units, rs)?,
        options,
    })
}

impl Classified {
    /// How many units.
    pub fn len(&self) -> usize {
        self.units.populations.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `classification` table.
    pub fn table(&self, rs: &Ruleset, face: Face) -> RecordBatch {
        write::classification(rs, &self.units, self.options.reasons, face)
    }

    /// Writes the `classification` table as CSV (with its header) to `w`, a slice of
    /// rows at a time: the slices are classified and turned into text over the cores
    /// and written in order, so a million rows' reasons are never held at once.
    pub fn write_csv(&self, rs: &Ruleset, face: Face, w: &mut dyn io::Write) -> io::Result<()> {
        let n = self.len();
        let parts = n.div_ceil(SLICE).max(1);
        crate::parallel::ordered(
            parts,
            |p| {
                let rows = p * SLICE..((p + 1) * SLICE).min(n);
                let batch = self.rows(rs, rows, face);
                let mut out = Vec::with_capacity(batch.num_rows() * 256 + 256);
                crate::csv::append(&batch, p == 0, &mut out);
                out
            },
            |part| w.write_all(&part),
        )
    }

    /// The `classification` table's rows `rows` (for writing a long table a slice at a
    /// time).
    pub fn rows(&self, rs: &Ruleset, rows: Range<usize>, face: Face) -> RecordBatch {
        write::classification_rows(rs, &self.units, self.options.reasons, face, rows)
    }
}
