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
/// byte-order mark is ignored; the text must be UTF-8. A file without quotes is read
/// in parts, one per core when it is long (a line end then always ends a row), its rows
/// split by hand where it has no carriage return; anything a part finds wrong sends the
/// file to be read again whole by the csv crate, so that every error is the one reading
/// it whole names.
pub fn read(bytes: &[u8]) -> Result<CsvTable, CsvError> {
    let parts = if bytes.len() < PARALLEL_FROM {
        1
    } else {
        crate::parallel::threads()
    };
    match read_parts(bytes, parts) {
        Some(t) => Ok(t),
        None => read_whole(bytes),
    }
}

/// Bytes of CSV from which work is split over the cores: below it, starting threads
/// (their stacks, their allocators' first pages) costs more than it saves.
const PARALLEL_FROM: usize = 8 << 20;

/// The file read in `parts` parts split after line ends (one when it holds a quote);
/// `None` when any part cannot be read so.
fn read_parts(bytes: &[u8], parts: usize) -> Option<CsvTable> {
    // A quoted field may span lines: a file with quotes is one part.
    let parts = if memchr::memchr(b'"', bytes).is_some() {
        1
    } else {
        parts
    };
    let mut bounds = vec![0];
    for p in 1..parts {
        let from = (bytes.len() * p / parts).max(*bounds.last()?);
        match memchr::memchr(b'\n', &bytes[from..]) {
            Some(at) if from + at + 1 < bytes.len() => bounds.push(from + at + 1),
            _ => break,
        }
    }
    bounds.push(bytes.len());
    bounds.dedup();
    let read = crate::parallel::collect(bounds.len() - 1, |p| {
        read_part(&bytes[bounds[p]..bounds[p + 1]], p == 0)
    });
    let mut read = read.into_iter();
    let (names, first) = read.next()??;
    let mut columns: Vec<(String, Vec<ArrayRef>)> =
        names?.into_iter().map(|h| (h, Vec::new())).collect();
    let mut newlines = first.newlines;
    let mut lines = first.lines;
    for (c, a) in columns.iter_mut().zip(first.columns) {
        c.1.push(a);
    }
    for part in read {
        let (_, part) = part?;
        if part.width.is_some_and(|w| w != columns.len()) {
            return None;
        }
        lines.extend(part.lines.iter().map(|l| l + newlines));
        newlines += part.newlines;
        for (c, a) in columns.iter_mut().zip(part.columns) {
            c.1.push(a);
        }
    }
    let table = Table::from_columns("csv", columns).ok()?;
    Some(CsvTable { table, lines })
}

/// One part of a file without quotes (the first with the header, whose names it
/// returns), its lines counted from the part's start; `None` when it cannot be read.
fn read_part(bytes: &[u8], first: bool) -> Option<(Option<Vec<String>>, Rows)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(first)
        .from_reader(text.as_bytes());
    let (names, body) = if first {
        let names = header_names(&mut rdr).ok()?;
        let body = usize::try_from(rdr.position().byte()).ok()?;
        (Some(names), body)
    } else {
        (None, 0)
    };
    let mut rows = Rows::new(names.as_ref().map(Vec::len), text);
    if memchr::memchr(b'\r', &bytes[body..]).is_none() {
        let before = memchr::memchr_iter(b'\n', &bytes[..body]).count() as u64;
        rows.split(&text[body..], before)?;
    } else {
        rows.read(&mut rdr, text).ok()?;
    }
    Some((names, rows))
}

/// The CSV bytes read whole, on this thread.
fn read_whole(bytes: &[u8]) -> Result<CsvTable, CsvError> {
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
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = header_names(&mut rdr)?;
    let mut rows = Rows::new(Some(header.len()), text);
    rows.read(&mut rdr, text)?;
    let columns = header
        .into_iter()
        .zip(rows.columns)
        .map(|(h, a)| (h, vec![a]))
        .collect();
    let table = Table::from_columns("csv", columns).map_err(|e| CsvError {
        line: Some(1),
        message: e.message,
    })?;
    Ok(CsvTable {
        table,
        lines: rows.lines,
    })
}

/// The header's names, trimmed, a byte-order mark dropped; a name given twice is an
/// error.
fn header_names(rdr: &mut csv::Reader<&[u8]>) -> Result<Vec<String>, CsvError> {
    // Fields are trimmed here rather than by the reader, whose trimming copies every
    // record into a new one.
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
    Ok(header)
}

/// Rows of a text read into text columns, with the line (within the text) each starts on.
struct Rows {
    /// The columns, once read.
    columns: Vec<ArrayRef>,
    lines: Vec<u64>,
    /// Fields per row: the header's, or (when reading a part without one) the first
    /// row's, once read.
    width: Option<usize>,
    /// Line ends in the text.
    newlines: u64,
    /// Bytes of text per column, about, to size each column once.
    bytes_per_column: usize,
}

impl Rows {
    fn new(width: Option<usize>, text: &str) -> Self {
        Rows {
            columns: Vec::new(),
            lines: Vec::new(),
            width,
            newlines: memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64,
            bytes_per_column: text.len(),
        }
    }

    /// Columns for a row of `width` fields, sized once from the text (a line per row at
    /// most), so that they never regrow.
    fn builders(&mut self, width: usize) -> Vec<StringBuilder> {
        let width = *self.width.get_or_insert(width);
        let rows = self.newlines as usize + 1;
        (0..width)
            .map(|_| {
                StringBuilder::with_capacity(rows, (2 * self.bytes_per_column / width.max(1)) + 64)
            })
            .collect()
    }

    fn finish(&mut self, builders: Vec<StringBuilder>, lines: Vec<u64>) {
        let builders = if builders.is_empty() {
            (0..self.width.unwrap_or(0))
                .map(|_| StringBuilder::new())
                .collect()
        } else {
            builders
        };
        self.columns = builders
            .into_iter()
            .map(|mut b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        self.lines = lines;
    }

    /// Reads every row of `rdr` (over `text`) into the columns.
    fn read(&mut self, rdr: &mut csv::Reader<&[u8]>, text: &str) -> Result<(), CsvError> {
        let mut builders: Vec<StringBuilder> = Vec::new();
        let mut lines = Vec::with_capacity(self.newlines as usize + 1);
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
            if builders.is_empty() {
                builders = self.builders(rec.len());
            }
            lines.push(rec.position().map_or(0, |p| counter.line_at(p.byte())));
            for (b, field) in builders.iter_mut().zip(rec.iter()) {
                push_field(b, field);
            }
        }
        self.finish(builders, lines);
        Ok(())
    }

    /// Reads the rows of `body`, text without a carriage return, as the csv crate
    /// reads them: every line a row and an empty line none, a field in quotes when it
    /// starts with one (a doubled quote inside is one quote); the body starts after
    /// `before` line ends of the text. `None` for what is read here otherwise or not at
    /// all (a row's width differing from the others', a line end inside quotes, text
    /// after a closing quote, a quote left open), which the csv crate then reads.
    fn split(&mut self, body: &str, before: u64) -> Option<()> {
        let bytes = body.as_bytes();
        let mut builders: Vec<StringBuilder> = Vec::new();
        let mut lines = Vec::with_capacity(self.newlines as usize + 1);
        let mut fields: Vec<std::borrow::Cow<'_, str>> = Vec::new();
        let (mut pos, mut line) = (0, before + 1);
        while pos < bytes.len() {
            if bytes[pos] == b'\n' {
                // An empty line: no row.
                (pos, line) = (pos + 1, line + 1);
                continue;
            }
            fields.clear();
            loop {
                if bytes.get(pos) == Some(&b'"') {
                    let (field, end) = quoted(body, pos)?;
                    fields.push(field);
                    pos = end;
                } else {
                    let end = memchr::memchr2(b',', b'\n', &bytes[pos..])
                        .map_or(bytes.len(), |e| pos + e);
                    fields.push(std::borrow::Cow::Borrowed(body.get(pos..end)?));
                    pos = end;
                }
                match bytes.get(pos) {
                    Some(b',') => pos += 1,
                    Some(b'\n') | None => break,
                    Some(_) => return None,
                }
            }
            if builders.is_empty() {
                builders = self.builders(fields.len());
            }
            if fields.len() != builders.len() {
                return None;
            }
            for (b, f) in builders.iter_mut().zip(&fields) {
                push_field(b, f);
            }
            lines.push(line);
            (pos, line) = (pos + 1, line + 1);
        }
        self.finish(builders, lines);
        Some(())
    }
}

/// The quoted field starting at `start` (its opening quote) and the byte after its
/// closing quote; `None` when it holds a line end or is never closed.
fn quoted(body: &str, start: usize) -> Option<(std::borrow::Cow<'_, str>, usize)> {
    let bytes = body.as_bytes();
    let mut from = start + 1;
    let mut owned: Option<String> = None;
    loop {
        let q = from + memchr::memchr(b'"', &bytes[from..])?;
        let piece = body.get(from..q)?;
        if memchr::memchr(b'\n', piece.as_bytes()).is_some() {
            return None;
        }
        if bytes.get(q + 1) == Some(&b'"') {
            // A doubled quote: one quote of the text.
            let text = owned.get_or_insert_with(String::new);
            text.push_str(piece);
            text.push('"');
            from = q + 2;
            continue;
        }
        let field = match owned {
            Some(mut text) => {
                text.push_str(piece);
                std::borrow::Cow::Owned(text)
            }
            None => std::borrow::Cow::Borrowed(piece),
        };
        return Some((field, q + 1));
    }
}

/// A field, trimmed; an empty one is null.
#[inline]
fn push_field(b: &mut StringBuilder, field: &str) {
    let field = field.trim();
    if field.is_empty() {
        b.append_null();
    } else {
        b.append_value(field);
    }
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
/// straight from the columns, a dictionary's labels rendered once; a long batch is
/// written in parts over the cores and joined in order.
pub fn write(batch: &RecordBatch) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(estimate(batch));
    let _ = write_parts(batch, true, &mut |part| {
        out.extend_from_slice(part);
        Ok(())
    });
    // Every byte written is UTF-8 text from the columns, commas, quotes and line ends.
    String::from_utf8(out).unwrap_or_default()
}

/// Writes a result batch as CSV to `w`, as [`write`] prints it (with the header when
/// `header`), a part of about a megabyte at a time, the parts made over the cores and
/// written in order: a long table is never held whole as text.
pub fn write_to(
    batch: &RecordBatch,
    header: bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_parts(batch, header, &mut |part| w.write_all(part))
}

/// Bytes of CSV a part holds, about: enough that a thread's start is paid many times
/// over, few enough that the parts are many and memory stays small.
const PART_BYTES: usize = 1 << 20;

/// The batch's CSV (its header first when `header`) handed to `put` a part at a time.
fn write_parts(
    batch: &RecordBatch,
    header: bool,
    put: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let columns: Vec<Column<'_>> = batch.columns().iter().map(Column::new).collect();
    let mut first = Vec::new();
    if header {
        let schema = batch.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        write_record(&mut first, names.iter().map(|n| n.as_bytes()));
    }
    let n = batch.num_rows();
    let total = estimate(batch);
    let per_row = total / n.max(1) + 1;
    let rows_per_part = (PART_BYTES / per_row).max(1);
    let parts = n.div_ceil(rows_per_part);
    if parts <= 1 || total < PARALLEL_FROM {
        // One buffer, reused part after part.
        let mut out = first;
        for p in 0..parts {
            write_rows(
                &columns,
                p * rows_per_part..((p + 1) * rows_per_part).min(n),
                &mut out,
            );
            put(&out)?;
            out.clear();
        }
        return if parts == 0 { put(&out) } else { Ok(()) };
    }
    put(&first)?;
    crate::parallel::ordered(
        parts,
        |p| {
            let rows = p * rows_per_part..((p + 1) * rows_per_part).min(n);
            let mut out = Vec::with_capacity(rows.len() * per_row + (1 << 12));
            write_rows(&columns, rows, &mut out);
            out
        },
        |part| put(&part),
    )
}

/// Appends a result batch's CSV (its header first when `header`) to `out`, on this
/// thread: for a caller that makes parts over the cores itself.
pub fn append(batch: &RecordBatch, header: bool, out: &mut Vec<u8>) {
    let columns: Vec<Column<'_>> = batch.columns().iter().map(Column::new).collect();
    if header {
        let schema = batch.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        write_record(out, names.iter().map(|n| n.as_bytes()));
    }
    write_rows(&columns, 0..batch.num_rows(), out);
}

/// Rows `rows` of the columns as CSV records, appended to `out`.
fn write_rows(columns: &[Column<'_>], rows: std::ops::Range<usize>, out: &mut Vec<u8>) {
    let mut scratch = String::new();
    for row in rows {
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
    }
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

/// Whether a field must be quoted: it holds a comma, a quote or a line end. A short
/// field (most cells) is scanned branch-free in place; long text (reasons) by memchr.
#[inline]
fn needs_quotes(b: &[u8]) -> bool {
    if b.len() > 48 {
        return memchr::memchr3(b',', b'"', b'\n', b).is_some()
            || memchr::memchr(b'\r', b).is_some();
    }
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
        while let Some(q) = quote_in(rest) {
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

/// The first quote in `b`.
#[inline]
fn quote_in(b: &[u8]) -> Option<usize> {
    if b.len() > 48 {
        memchr::memchr(b'"', b)
    } else {
        b.iter().position(|&x| x == b'"')
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

/// A whole number in decimal, as `Display` writes it, without the formatting machinery
/// (`itoa`: two digits a step into a stack buffer, added in one copy).
#[inline]
pub(crate) fn push_int(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
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

    /// Every cell of a table read, row by row, and each row's line.
    fn cells(t: &CsvTable) -> (Vec<Vec<Option<String>>>, Vec<u64>) {
        let names: Vec<String> = t.table.names().map(str::to_string).collect();
        let rows = (0..t.table.rows())
            .map(|row| {
                names
                    .iter()
                    .map(|n| {
                        let mut at = row;
                        for c in t.table.chunks(n).unwrap() {
                            if at < c.len() {
                                let a = c.as_string::<i32>();
                                return a.is_valid(at).then(|| a.value(at).to_string());
                            }
                            at -= c.len();
                        }
                        unreachable!()
                    })
                    .collect()
            })
            .collect();
        (
            rows,
            (0..t.table.rows()).map(|r| t.line(r).unwrap()).collect(),
        )
    }

    #[test]
    fn a_long_file_read_in_parts_is_the_file_read_whole() {
        let mut long = String::from("\u{feff}id , n,caps\n\n");
        for i in 0..20_000 {
            long.push_str(&format!(
                "U{i}, {} ,{}\n",
                i * 7,
                if i % 3 == 0 { "" } else { "a;b" }
            ));
            if i % 997 == 0 {
                long.push('\n');
            }
        }
        let crlf = long.replace('\n', "\r\n");
        let quoted = long
            .replace("U1,", "\"U1\",")
            .replace("U2,", "\"U, \"\"2\"\"\",")
            .replace("U3,", " \"U3,")
            .replace("U4,", "U\"4,")
            .replace("a;b\n", "\"a;b\"\n");
        for text in [&long, &crlf, &quoted] {
            let whole = read_whole(text.as_bytes()).unwrap();
            for parts in [1, 2, 3, 7] {
                let read = read_parts(text.as_bytes(), parts).expect("read in parts");
                assert_eq!(cells(&read), cells(&whole), "{parts} parts");
                assert_eq!(read.table.names().collect::<Vec<_>>(), ["id", "n", "caps"]);
            }
        }
        // A short row late in the file, or a lone carriage return: the error of the
        // file read whole.
        let short = format!("{long}U9,1\n{long}");
        let lone_cr = format!("{long}U9,1\r,x\n");
        let open = format!("{long}U9,\"1,x\n");
        let after = format!("{long}U9,\"1\"2,x\n");
        let spans = format!("{long}U9,\"1\n2\",x\n");
        for text in [&short, &lone_cr, &open, &after, &spans] {
            for parts in [1, 2, 3] {
                if let Some(read) = read_parts(text.as_bytes(), parts) {
                    // Read here as the csv crate reads it (text after a closing quote is
                    // not: it goes to the csv crate).
                    let whole = read_whole(text.as_bytes()).unwrap();
                    assert_eq!(cells(&read), cells(&whole));
                }
            }
            assert_eq!(
                read(text.as_bytes()).err(),
                read_whole(text.as_bytes()).err()
            );
        }
        assert!(read(short.as_bytes()).is_err());
    }
}
