//! `validate`: the `footprint` table in, a report (the `findings` table and its text)
//! out.

use arrow_array::RecordBatch;
use localcare::{Report, Ruleset};

use super::RunError;
use crate::spec::Face;
use crate::{Table, read, write};

/// A footprint's validation.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The core's report.
    pub report: Report,
}

/// Reads the `footprint` table and validates it under `rs`.
pub fn validate(rs: &Ruleset, footprint: &Table) -> Result<Validated, RunError> {
    let fp = read::footprint(footprint)?;
    Ok(Validated {
        report: rs.validate(&fp),
    })
}

impl Validated {
    /// The `findings` table.
    pub fn findings(&self, face: Face) -> RecordBatch {
        write::findings(&self.report, face)
    }

    /// The report as text.
    pub fn text(&self) -> String {
        self.report.to_text()
    }

    /// Writes the report as JSON to `w`: its summary and the findings' rows.
    pub fn write_json(&self, face: Face, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        crate::format::write_report_json(&self.report, &self.findings(face), w)
    }
}
