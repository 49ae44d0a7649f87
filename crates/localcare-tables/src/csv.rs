//! CSV in and out, for the command line: a CSV file is read into text columns (every
//! typed reading is then the same as for Arrow input), and a result batch is written
//! back as CSV. One pass each way; line numbers are counted as the reader goes.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::DataType;

use crate::cell::{cell, dictionary_keys};
use crate::columns::Table;

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
    // Fields are trimmed here rather than by the reader, whose trimming copies every
    // record into a new one.
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| CsvError {
            line: Some(1),
            message: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
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
    // Sized once from the text (a line per row at most), so the columns never regrow.
    let rows = text.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut builders: Vec<StringBuilder> = header
        .iter()
        .map(|_| StringBuilder::with_capacity(rows, (2 * text.len() / header.len().max(1)) + 64))
        .collect();
    let mut lines = Vec::with_capacity(rows);
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
            let field = field.trim();
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

/// A result batch as CSV text with a header: the csv crate's bytes (fields quoted only
/// when they hold a comma, a quote or a line end; an empty record is `""`), written
/// straight from the columns into one buffer, a dictionary's labels rendered once.
pub fn write(batch: &RecordBatch) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(estimate(batch));
    let _ = write_rows(batch, true, &mut out, &mut |_| Ok(()));
    // Every byte written is UTF-8 text from the columns, commas, quotes and line ends.
    String::from_utf8(out).unwrap_or_default()
}

/// Writes a result batch as CSV to `w`, as [`write`] prints it (with the header when
/// `header`), a megabyte at a time: a long table is written in slices
/// (`write::classification_rows`) without ever being held whole as text.
pub fn write_to(
    batch: &RecordBatch,
    header: bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH_AT + (1 << 16));
    write_rows(batch, header, &mut buf, &mut |b| {
        w.write_all(b)?;
        b.clear();
        Ok(())
    })?;
    w.write_all(&buf)
}

const FLUSH_AT: usize = 1 << 20;

fn write_rows(
    batch: &RecordBatch,
    header: bool,
    out: &mut Vec<u8>,
    flush: &mut dyn FnMut(&mut Vec<u8>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let schema = batch.schema();
    let columns: Vec<Column<'_>> = batch.columns().iter().map(Column::new).collect();
    if header {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        write_record(out, names.iter().map(|n| n.as_bytes()));
    }
    let mut scratch = String::new();
    for row in 0..batch.num_rows() {
        let start = out.len();
        for (c, col) in columns.iter().enumerate() {
            if c > 0 {
                out.push(b',');
            }
            col.write(row, out, &mut scratch);
        }
        if out.len() == start {
            out.extend_from_slice(b"\"\"");
        }
        out.push(b'\n');
        if out.len() >= FLUSH_AT {
            flush(out)?;
        }
    }
    Ok(())
}

/// A guess at the output's size, to allocate once.
fn estimate(batch: &RecordBatch) -> usize {
    let text: usize = batch
        .columns()
        .iter()
        .map(|a| match a.data_type() {
            DataType::Utf8 => a.as_string::<i32>().values().len(),
            _ => a.len() * 12,
        })
        .sum();
    text + batch.num_rows() * (batch.num_columns() + 1) + 64
}

pub(crate) fn write_record<'a>(out: &mut Vec<u8>, fields: impl Iterator<Item = &'a [u8]>) {
    let start = out.len();
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        field(out, f);
    }
    if out.len() == start {
        out.extend_from_slice(b"\"\"");
    }
    out.push(b'\n');
}

/// Whether a field must be quoted: it holds a comma, a quote or a line end. Branch-free
/// over blocks so that long text (reasons) is scanned at memory speed.
#[inline]
fn needs_quotes(b: &[u8]) -> bool {
    let special = |x: u8| (x == b',') | (x == b'"') | (x == b'\n') | (x == b'\r');
    let mut chunks = b.chunks_exact(16);
    for c in &mut chunks {
        if c.iter().fold(false, |acc, &x| acc | special(x)) {
            return true;
        }
    }
    chunks.remainder().iter().any(|&x| special(x))
}

/// Writes one field, quoted (quotes doubled) when it needs it.
#[inline]
pub(crate) fn field(out: &mut Vec<u8>, b: &[u8]) {
    if needs_quotes(b) {
        out.push(b'"');
        let mut rest = b;
        while let Some(q) = rest.iter().position(|&x| x == b'"') {
            out.extend_from_slice(&rest[..=q]);
            out.push(b'"');
            rest = &rest[q + 1..];
        }
        out.extend_from_slice(rest);
        out.push(b'"');
    } else {
        out.extend_from_slice(b);
    }
}

/// One result column, ready to be written a cell at a time.
enum Column<'a> {
    Text(&'a StringArray),
    Int(&'a Int64Array),
    /// Labels already as CSV fields, indexed by key; a null key is empty.
    Coded(Vec<Vec<u8>>, Vec<Option<usize>>),
    /// Anything else, through the shared cell text.
    Other(&'a ArrayRef),
}

impl<'a> Column<'a> {
    fn new(a: &'a ArrayRef) -> Self {
        match a.data_type() {
            DataType::Utf8 => Column::Text(a.as_string::<i32>()),
            DataType::Int64 => Column::Int(a.as_primitive::<Int64Type>()),
            DataType::Dictionary(_, _) => match a.as_any_dictionary_opt() {
                Some(d) => {
                    let labels = (0..d.values().len())
                        .map(|i| {
                            let mut s = String::new();
                            cell(d.values(), i, &mut s);
                            let mut f = Vec::new();
                            field(&mut f, s.as_bytes());
                            f
                        })
                        .collect();
                    let keys = dictionary_keys(d);
                    Column::Coded(labels, keys)
                }
                None => Column::Other(a),
            },
            _ => Column::Other(a),
        }
    }

    #[inline]
    fn write(&self, row: usize, out: &mut Vec<u8>, scratch: &mut String) {
        match self {
            Column::Text(a) => {
                if a.is_valid(row) {
                    field(out, a.value(row).as_bytes());
                }
            }
            Column::Int(a) => {
                if a.is_valid(row) {
                    push_int(out, a.value(row));
                }
            }
            Column::Coded(labels, keys) => {
                if let Some(k) = keys[row] {
                    out.extend_from_slice(&labels[k]);
                }
            }
            Column::Other(a) => {
                scratch.clear();
                cell(a, row, scratch);
                field(out, scratch.as_bytes());
            }
        }
    }
}

/// The two-digit numbers 00 to 99, as text.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// A whole number in decimal, as `Display` writes it: two digits a step (one division
/// by 100, a constant, for every two), the digits gathered on the stack and added in
/// one copy.
#[inline]
pub(crate) fn push_int(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = v.unsigned_abs();
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&PAIRS[d..d + 2]);
    }
    if n >= 10 {
        let d = n as usize * 2;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&PAIRS[d..d + 2]);
    } else {
        at -= 1;
        buf[at] = b'0' + n as u8;
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::builder::StringBuilder as Sb;
    use arrow_array::{BooleanArray, Float64Array};

    /// The csv crate's writer, as the reference for every byte.
    fn reference(batch: &RecordBatch) -> String {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let schema = batch.schema();
        w.write_record(schema.fields().iter().map(|f| f.name().as_str()))
            .unwrap();
        for row in 0..batch.num_rows() {
            let rec: Vec<String> = batch
                .columns()
                .iter()
                .map(|a| {
                    let mut s = String::new();
                    cell(a, row, &mut s);
                    s
                })
                .collect();
            w.write_record(&rec).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn whole_numbers_as_display_writes_them() {
        let mut edges = vec![0i64, 1, 9, 10, 99, 100, 101, 999, 1000, i64::MAX, i64::MIN];
        edges.extend(edges.clone().iter().map(|v| v.saturating_neg()));
        edges.extend((0..63).map(|s| (1i64 << s) - 1));
        edges.extend((0..19).map(|e| 10i64.pow(e)));
        for v in edges {
            let mut out = Vec::new();
            push_int(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }

    #[test]
    fn writes_what_the_csv_crate_writes() {
        let texts = [
            Some("plain"),
            Some(""),
            None,
            Some("a, b"),
            Some("say \"hi\""),
            Some("two\nlines"),
            Some("cr\r"),
            Some("a long text of more than sixteen bytes, with a comma"),
            Some("a long text of more than sixteen bytes without one"),
        ];
        let mut sb = Sb::new();
        for t in texts {
            sb.append_option(t);
        }
        let n = texts.len();
        let ints: Int64Array = (0..n as i64)
            .map(|i| (i != 2).then_some((i - 4) * 1_000_000_007))
            .collect();
        let floats: Float64Array = (0..n).map(|i| Some(i as f64 / 3.0)).collect();
        let bools: BooleanArray = (0..n).map(|i| Some(i % 2 == 0)).collect();
        let coded = crate::write::coded(
            vec!["in_band".into(), "x,y".into(), String::new()],
            (0..n).map(|i| (i % 3) as u8).collect(),
        );
        let batch = RecordBatch::try_from_iter([
            ("text", Arc::new(sb.finish()) as ArrayRef),
            ("int,s", Arc::new(ints) as ArrayRef),
            ("float", Arc::new(floats) as ArrayRef),
            ("bool", Arc::new(bools) as ArrayRef),
            ("coded", coded),
        ])
        .unwrap();
        assert_eq!(write(&batch), reference(&batch));
        // One column: an empty field is written `""`, as the csv crate does.
        let one = RecordBatch::try_from_iter([("text", batch.column(0).clone())]).unwrap();
        assert_eq!(write(&one), reference(&one));
    }
}
