//! Result tables printed as CSV or JSON. The columns are the descriptions' (the
//! `localcare-tables` crate), the same as every face's, with the CLI's pounds beside
//! pence.

use arrow_array::RecordBatch;
use localcare_tables::{csv, format};
use serde_json::Value;

use crate::Format;

/// JSON text, pretty, ending in a newline.
pub fn json(v: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

/// A table as CSV, or as JSON rows.
pub fn table(batch: &RecordBatch, format: Format) -> String {
    match format {
        Format::Json => json(&format::json_rows(batch)),
        Format::Csv | Format::Text => csv::write(batch),
    }
}
