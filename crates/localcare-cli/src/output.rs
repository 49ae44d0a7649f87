//! What a command writes to standard output, and result tables printed as CSV or JSON.
//! The columns are the descriptions' (the `localcare-tables` crate), the same as every
//! face's, with the CLI's pounds beside pence. A table is written to the output as its
//! rows are turned into text, never held whole as text or as a JSON tree.

use std::io;

use arrow_array::RecordBatch;
use localcare_tables::{csv, json};
use serde_json::Value;

use crate::Format;

/// Writes a command's output to standard output, a part at a time.
pub type Stream = Box<dyn FnOnce(&mut dyn io::Write) -> io::Result<()>>;

/// What a command writes to standard output: text built whole (short), or a writer run
/// once everything that can fail has been done, so nothing is written when it fails.
pub enum Output {
    /// Text, written as it is.
    Text(String),
    /// Written by the function.
    Stream(Stream),
}

impl From<String> for Output {
    fn from(text: String) -> Self {
        Output::Text(text)
    }
}

/// Output written by `f`.
pub fn stream(f: impl FnOnce(&mut dyn io::Write) -> io::Result<()> + 'static) -> Output {
    Output::Stream(Box::new(f))
}

/// JSON text, pretty, ending in a newline.
pub fn json(v: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

/// A table as CSV, or as JSON rows.
pub fn table(batch: RecordBatch, format: Format) -> Output {
    stream(move |w| match format {
        Format::Json => json::write_table(&batch, w),
        Format::Csv | Format::Text => csv::write_to(&batch, true, w),
    })
}

/// A sweep's `sweep` table, run and written a slice of scenarios at a time.
pub fn sweep(sweep: localcare_tables::stream::SweepOutput, format: Format) -> Output {
    use localcare_tables::spec::Face;
    stream(move |w| match format {
        Format::Json => sweep.write_json(Face::Cli, w),
        Format::Csv | Format::Text => sweep.write_csv(Face::Cli, w),
    })
}
