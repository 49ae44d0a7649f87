//! CSV in and out, for the command line: a CSV file is read into text columns (every
//! typed reading is then the same as for Arrow input), and a result batch is written
//! back as CSV. One pass each way; line numbers are counted as the reader goes.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch};

use crate::columns::Table;
use crate::format::cell;

/// A CSV file that cannot be read as a table: the line (1-based) when known, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CsvError {
    /// The line at fault.
    pub line: Option<u64>,
    /// What was wrong.
    pub message: String,
}

/// A CSV file read into a table of text columns, with each row's line.
#[derive(Debug, Clone)]
pub struct CsvTable {
    /// The columns, as text (an empty field is null).
    pub table: Table,
    lines: Vec<u64>,
}

impl CsvTable {
    /// The line on which row `row` (0-based) starts.
    pub fn line(&self, row: usize) -> Option<u64> {
        self.lines.get(row).copied()
    }
}

/// Reads CSV bytes: a header, then rows of as many fields. Fields are trimmed; a
/// byte-order mark is ignored; the text must be UTF-8.
pub fn read(bytes: &[u8]) -> Result<CsvTable, CsvError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        CsvError {
            line: Some(line),
            message: format!(
                "not valid UTF-8 (byte {} of the line); save the file as UTF-8",
                valid.len() - line_start + 1
            ),
        }
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| CsvError {
            line: Some(1),
            message: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    for (i, h) in header.iter().enumerate() {
        if let Some(first) = header[..i]
            .iter()
            .position(|g| g == h)
            .filter(|_| !h.is_empty())
        {
            return Err(CsvError {
                line: Some(1),
                message: format!(
                    "column {}: `{h}` appears twice in the header (first in column {})",
                    i + 1,
                    first + 1
                ),
            });
        }
    }
    let mut builders: Vec<StringBuilder> = header.iter().map(|_| StringBuilder::new()).collect();
    let mut lines = Vec::new();
    let mut counter = LineCounter::new(text);
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| counter.line_at(p.byte()));
                let message = match e.kind() {
                    // The csv crate's own message repeats a line count that is off
                    // after CRLF line ends.
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("this row has {len} fields but the header has {expected_len}"),
                    _ => e.to_string(),
                };
                return Err(CsvError { line, message });
            }
        }
        lines.push(rec.position().map_or(0, |p| counter.line_at(p.byte())));
        for (b, field) in builders.iter_mut().zip(rec.iter()) {
            if field.is_empty() {
                b.append_null();
            } else {
                b.append_value(field);
            }
        }
    }
    let columns = header
        .into_iter()
        .zip(builders)
        .map(|(h, mut b)| (h, vec![Arc::new(b.finish()) as ArrayRef]))
        .collect();
    let table = Table::from_columns("csv", columns).map_err(|e| CsvError {
        line: Some(1),
        message: e.message,
    })?;
    Ok(CsvTable { table, lines })
}

/// Line numbers by byte offset, counted once as offsets increase. The csv reader's
/// own line count is off after blank lines and CRLF line ends (a record's position
/// can point at the line end before it), so lines are counted from the text.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            at: 0,
            newlines: 0,
        }
    }

    /// The 1-based line of the first field of a record starting at `byte`.
    fn line_at(&mut self, byte: u64) -> u64 {
        let byte = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if byte >= self.at {
            self.newlines += self.text[self.at..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.at = byte;
        }
        let mut line = 1 + self.newlines;
        for &b in &self.text[byte..] {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
        }
        line
    }
}

/// A result batch as CSV text with a header.
pub fn write(batch: &RecordBatch) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let schema = batch.schema();
    // Writing to a Vec cannot fail.
    let _ = w.write_record(schema.fields().iter().map(|f| f.name().as_str()));
    let mut record: Vec<String> = vec![String::new(); batch.num_columns()];
    for row in 0..batch.num_rows() {
        for (c, a) in batch.columns().iter().enumerate() {
            record[c].clear();
            cell(a, row, &mut record[c]);
        }
        let _ = w.write_record(&record);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
