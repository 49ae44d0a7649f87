//! `classify`: the `units` table in, the `classification` table out.

use std::ops::Range;

use arrow_array::RecordBatch;
use localcare::Ruleset;

use super::RunError;
use crate::read::{self, Units};
use crate::spec::Face;
use crate::{Table, write};

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

    /// The `classification` table's rows `rows` (for writing a long table a slice at a
    /// time).
    pub fn rows(&self, rs: &Ruleset, rows: Range<usize>, face: Face) -> RecordBatch {
        write::classification_rows(rs, &self.units, self.options.reasons, face, rows)
    }
}
