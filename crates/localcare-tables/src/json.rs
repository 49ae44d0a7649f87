//! Result tables written as JSON while the rows are produced: a table is an array of
//! one object per row, written to an [`io::Write`](std::io::Write) a batch at a time,
//! so a long table (a sweep of many scenarios, the long list's appraisal) is never
//! held as a tree of JSON values. The text is byte for byte what
//! `serde_json::to_string_pretty` gives for the same rows as a `serde_json::Value`
//! (two-space indents, object keys in name order, a float that is not finite as
//! `null`), so the output did not change when the whole-tree writer was replaced.

use std::io::{self, Write};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use serde_json::Value;

use crate::cell::{cell, dictionary_keys};

/// Bytes gathered before they are handed to the writer.
const FLUSH_AT: usize = 1 << 20;

/// A JSON array of row objects being written: [`JsonRows::begin`], then
/// [`JsonRows::batch`] for each batch of rows (all of one schema), then
/// [`JsonRows::end`]. An array of no rows is `[]`.
pub struct JsonRows<'w> {
    w: &'w mut dyn Write,
    buf: Vec<u8>,
    /// The indent of the line the array starts on (its depth in the document).
    depth: usize,
    /// Columns in key order, each with its `"name": ` text.
    keys: Option<Vec<(usize, Vec<u8>)>>,
    rows: u64,
}

impl<'w> JsonRows<'w> {
    /// Starts an array at nesting depth `depth` (0 for a whole document); nothing is
    /// written until the first row or the end.
    pub fn begin(w: &'w mut dyn Write, depth: usize) -> Self {
        JsonRows {
            w,
            buf: Vec::with_capacity(FLUSH_AT + (1 << 16)),
            depth,
            keys: None,
            rows: 0,
        }
    }

    /// Writes the rows of `batch`.
    pub fn batch(&mut self, batch: &RecordBatch) -> io::Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let keys = self.keys.get_or_insert_with(|| key_order(&batch.schema()));
        let columns: Vec<Cells<'_>> = batch.columns().iter().map(Cells::new).collect();
        let inner = "  ".repeat(self.depth + 1);
        let field = "  ".repeat(self.depth + 2);
        for row in 0..batch.num_rows() {
            self.buf
                .extend_from_slice(if self.rows == 0 { b"[\n" } else { b",\n" });
            self.rows += 1;
            self.buf.extend_from_slice(inner.as_bytes());
            if keys.is_empty() {
                self.buf.extend_from_slice(b"{}");
                continue;
            }
            self.buf.extend_from_slice(b"{\n");
            for (k, (c, key)) in keys.iter().enumerate() {
                if k > 0 {
                    self.buf.extend_from_slice(b",\n");
                }
                self.buf.extend_from_slice(field.as_bytes());
                self.buf.extend_from_slice(key);
                columns[*c].write(row, &mut self.buf);
            }
            self.buf.push(b'\n');
            self.buf.extend_from_slice(inner.as_bytes());
            self.buf.push(b'}');
            if self.buf.len() >= FLUSH_AT {
                self.w.write_all(&self.buf)?;
                self.buf.clear();
            }
        }
        Ok(())
    }

    /// Closes the array (no line end after it).
    pub fn end(mut self) -> io::Result<()> {
        if self.rows == 0 {
            self.buf.extend_from_slice(b"[]");
        } else {
            self.buf.push(b'\n');
            self.buf
                .extend_from_slice("  ".repeat(self.depth).as_bytes());
            self.buf.push(b']');
        }
        self.w.write_all(&self.buf)
    }
}

/// A whole table as a JSON document of rows, with a line end, as the CLI prints it.
pub fn write_table(batch: &RecordBatch, w: &mut dyn Write) -> io::Result<()> {
    let mut rows = JsonRows::begin(w, 0);
    rows.batch(batch)?;
    rows.end()?;
    w.write_all(b"\n")
}

/// Column indexes in the order `serde_json` writes an object's keys (by name), each
/// with its `"name": ` text.
fn key_order(schema: &SchemaRef) -> Vec<(usize, Vec<u8>)> {
    let mut keys: Vec<(usize, &str)> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| (i, f.name().as_str()))
        .collect();
    keys.sort_by(|a, b| a.1.cmp(b.1));
    // serde_json's map keeps one entry per key: a repeated name shows its last column.
    let mut out: Vec<(usize, Vec<u8>)> = Vec::with_capacity(keys.len());
    for (i, name) in keys {
        let mut text = Vec::with_capacity(name.len() + 4);
        string(&mut text, name);
        text.extend_from_slice(b": ");
        match out.last_mut() {
            Some(last) if last.1 == text => last.0 = last.0.max(i),
            _ => out.push((i, text)),
        }
    }
    out
}

/// Writes a member's value, given the writer and the member's depth.
pub type WriteMember<'a> = Box<dyn FnOnce(&mut dyn Write, usize) -> io::Result<()> + 'a>;

/// One member of a JSON object being written by [`write_object`]: a value, or a value
/// written by a function (a table's rows, streamed) at the member's depth.
pub enum Member<'a> {
    /// A value, written as `serde_json` writes it.
    Value(Value),
    /// A value written by the function, given the writer and the member's depth.
    Write(WriteMember<'a>),
}

impl From<Value> for Member<'_> {
    fn from(v: Value) -> Self {
        Member::Value(v)
    }
}

/// Writes a JSON object of `members` as a whole document (keys in name order, a line
/// end after it), each streamed member written in its turn.
pub fn write_object(members: Vec<(&str, Member<'_>)>, w: &mut dyn Write) -> io::Result<()> {
    let mut members = members;
    members.sort_by(|a, b| a.0.cmp(b.0));
    if members.is_empty() {
        return w.write_all(b"{}\n");
    }
    w.write_all(b"{\n")?;
    let n = members.len();
    for (i, (key, m)) in members.into_iter().enumerate() {
        let mut head = Vec::with_capacity(key.len() + 6);
        head.extend_from_slice(b"  ");
        string(&mut head, key);
        head.extend_from_slice(b": ");
        w.write_all(&head)?;
        match m {
            Member::Value(v) => w.write_all(&pretty(&v, 1))?,
            Member::Write(f) => f(w, 1)?,
        }
        w.write_all(if i + 1 < n { b",\n" } else { b"\n" })?;
    }
    w.write_all(b"}\n")
}

/// A value as `serde_json::to_string_pretty` writes it, indented for `depth`.
pub fn pretty(v: &Value, depth: usize) -> Vec<u8> {
    // Serialising a Value cannot fail.
    let text = serde_json::to_vec_pretty(v).unwrap_or_default();
    if depth == 0 || !text.contains(&b'\n') {
        return text;
    }
    // A string's line ends are escaped, so every raw line end starts a new line.
    let indent = "  ".repeat(depth);
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    for &b in &text {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(indent.as_bytes());
        }
    }
    out
}

/// Appends `s` as a JSON string, escaped as `serde_json` escapes it.
fn string(out: &mut Vec<u8>, s: &str) {
    let plain = s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// One column, ready to be written a cell at a time.
enum Cells<'a> {
    Int(&'a arrow_array::Int64Array),
    Float(&'a arrow_array::Float64Array),
    Bool(&'a arrow_array::BooleanArray),
    Text(&'a arrow_array::StringArray),
    /// Labels already as JSON strings, by key; a null key is `null`.
    Coded(Vec<Vec<u8>>, Vec<Option<usize>>),
    /// Anything else, as the shared cell text.
    Other(&'a ArrayRef),
}

impl<'a> Cells<'a> {
    fn new(a: &'a ArrayRef) -> Self {
        match a.data_type() {
            DataType::Int64 => Cells::Int(a.as_primitive::<Int64Type>()),
            DataType::Float64 => Cells::Float(a.as_primitive::<Float64Type>()),
            DataType::Boolean => Cells::Bool(a.as_boolean()),
            DataType::Utf8 => Cells::Text(a.as_string::<i32>()),
            DataType::Dictionary(_, _) => match a.as_any_dictionary_opt() {
                Some(d) => {
                    let labels = (0..d.values().len())
                        .map(|i| {
                            let mut s = String::new();
                            cell(d.values(), i, &mut s);
                            let mut f = Vec::new();
                            string(&mut f, &s);
                            f
                        })
                        .collect();
                    let keys = dictionary_keys(d);
                    Cells::Coded(labels, keys)
                }
                None => Cells::Other(a),
            },
            _ => Cells::Other(a),
        }
    }

    #[inline]
    fn write(&self, row: usize, out: &mut Vec<u8>) {
        match self {
            Cells::Int(a) if a.is_valid(row) => {
                let mut b = itoa_buf(a.value(row));
                out.extend_from_slice(b.text());
            }
            Cells::Float(a) if a.is_valid(row) => {
                // serde_json writes a finite float as ryu does, and any other as null.
                let _ = serde_json::to_writer(&mut *out, &a.value(row));
            }
            Cells::Bool(a) if a.is_valid(row) => {
                out.extend_from_slice(if a.value(row) { b"true" } else { b"false" });
            }
            Cells::Text(a) if a.is_valid(row) => string(out, a.value(row)),
            Cells::Coded(labels, keys) => match keys[row] {
                Some(k) => out.extend_from_slice(&labels[k]),
                None => out.extend_from_slice(b"null"),
            },
            Cells::Other(a) if a.is_valid(row) => {
                let mut s = String::new();
                cell(a, row, &mut s);
                string(out, &s);
            }
            _ => out.extend_from_slice(b"null"),
        }
    }
}

/// A whole number's decimal digits, on the stack.
struct IntText {
    buf: [u8; 20],
    at: usize,
}

impl IntText {
    fn text(&mut self) -> &[u8] {
        &self.buf[self.at..]
    }
}

fn itoa_buf(v: i64) -> IntText {
    let mut t = IntText {
        buf: [0; 20],
        at: 20,
    };
    let mut n = v.unsigned_abs();
    loop {
        t.at -= 1;
        t.buf[t.at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        t.at -= 1;
        t.buf[t.at] = b'-';
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::builder::StringBuilder;
    use arrow_array::{BooleanArray, Float64Array, Int64Array};
    use serde_json::Map;
    use std::sync::Arc;

    /// The whole-tree writer this replaces, as the reference for every byte.
    fn reference(batch: &RecordBatch, depth: usize) -> String {
        let schema = batch.schema();
        let rows: Vec<Value> = (0..batch.num_rows())
            .map(|row| {
                let mut m = Map::new();
                for (f, a) in schema.fields().iter().zip(batch.columns()) {
                    let v = if a.is_null(row) {
                        Value::Null
                    } else {
                        match a.data_type() {
                            DataType::Int64 => {
                                Value::from(a.as_primitive::<Int64Type>().value(row))
                            }
                            DataType::Float64 => {
                                Value::from(a.as_primitive::<Float64Type>().value(row))
                            }
                            DataType::Boolean => Value::Bool(a.as_boolean().value(row)),
                            _ => {
                                let mut s = String::new();
                                cell(a, row, &mut s);
                                Value::String(s)
                            }
                        }
                    };
                    m.insert(f.name().clone(), v);
                }
                Value::Object(m)
            })
            .collect();
        String::from_utf8(pretty(&Value::Array(rows), depth)).unwrap()
    }

    fn streamed(batch: &RecordBatch, depth: usize, slices: usize) -> String {
        let mut out = Vec::new();
        let mut rows = JsonRows::begin(&mut out, depth);
        let n = batch.num_rows();
        let step = n.div_ceil(slices.max(1)).max(1);
        let mut start = 0;
        while start < n {
            let len = step.min(n - start);
            rows.batch(&batch.slice(start, len)).unwrap();
            start += len;
        }
        rows.end().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let texts = [
            Some("plain"),
            Some(""),
            None,
            Some("say \"hi\"\\"),
            Some("two\nlines\ttab\u{1}"),
            Some("é ünïcode ✓"),
            Some("\u{7f} del"),
        ];
        let mut sb = StringBuilder::new();
        for t in texts {
            sb.append_option(t);
        }
        let n = texts.len();
        let ints: Int64Array = (0..n as i64)
            .map(|i| (i != 2).then_some((i - 4) * 1_000_000_007 + i64::from(i == 0) * i64::MIN / 2))
            .collect();
        let floats: Float64Array = [0.5, f64::NAN, 1e-7, 1.0, f64::INFINITY, -3.25e21, 1.0 / 3.0]
            .into_iter()
            .map(Some)
            .collect();
        let bools: BooleanArray = (0..n).map(|i| (i != 3).then_some(i % 2 == 0)).collect();
        let coded = crate::write::coded(
            vec!["in_band".into(), "x\"y".into(), String::new()],
            (0..n).map(|i| (i % 3) as u8).collect(),
        );
        let batch = RecordBatch::try_from_iter([
            ("text", Arc::new(sb.finish()) as ArrayRef),
            ("b_int", Arc::new(ints) as ArrayRef),
            ("a float", Arc::new(floats) as ArrayRef),
            ("Bool", Arc::new(bools) as ArrayRef),
            ("coded", coded),
        ])
        .unwrap();
        for depth in [0, 1, 3] {
            for slices in [1, 2, 7] {
                assert_eq!(streamed(&batch, depth, slices), reference(&batch, depth));
            }
            let none = batch.slice(0, 0);
            assert_eq!(streamed(&none, depth, 1), reference(&none, depth));
        }
    }

    #[test]
    fn objects_are_written_as_serde_json_writes_them() {
        let batch =
            RecordBatch::try_from_iter([("x", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef)])
                .unwrap();
        let mut out = Vec::new();
        let b = batch.clone();
        write_object(
            vec![
                ("zeta", Value::from(vec![1, 2]).into()),
                (
                    "rows",
                    Member::Write(Box::new(move |w, depth| {
                        let mut r = JsonRows::begin(w, depth);
                        r.batch(&b)?;
                        r.end()
                    })),
                ),
                (
                    "alpha",
                    serde_json::json!({"a": [1, {"b": null}], "c": "d"}).into(),
                ),
                ("none", Value::Null.into()),
            ],
            &mut out,
        )
        .unwrap();
        let expected = serde_json::json!({
            "zeta": [1, 2],
            "rows": [{"x": 1}, {"x": 2}],
            "alpha": {"a": [1, {"b": null}], "c": "d"},
            "none": null,
        });
        let expected = format!("{}\n", serde_json::to_string_pretty(&expected).unwrap());
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
