//! A table as named Arrow columns, and its columns read as the core's values: text,
//! whole numbers, decimals, money, capability lists. Arrow is the interchange: Python
//! hands its tables over as Arrow, C passes Arrow streams, and the CLI reads CSV into
//! text columns; all are read here, by the same code.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, DataType};
use localcare::classify::capability_ids;
use localcare::money::parse_money;
use localcare::rust_decimal::Decimal;
use localcare::{Population, PopulationError, Ruleset};

use crate::error::TableError;
use crate::spec::{Column, Kind, TableSpec};
use crate::text;

type Res<T> = Result<T, TableError>;

/// A table as named columns of Arrow chunks, of one length.
#[derive(Debug, Clone, Default)]
pub struct Table {
    columns: Vec<(String, Vec<ArrayRef>)>,
    rows: usize,
}

/// Columns of pandas' index, which a table converted with its index carries; never data.
fn is_index_column(name: &str) -> bool {
    name.starts_with("__index_level_")
}

impl Table {
    /// A table from named columns; each column's chunks must add up to the same length.
    /// A name given twice is an error (`what` names the table in it).
    pub fn from_columns(
        what: &'static str,
        columns: Vec<(String, Vec<ArrayRef>)>,
    ) -> Result<Table, TableError> {
        let mut rows: Option<(usize, &str)> = None;
        for (i, (name, chunks)) in columns.iter().enumerate() {
            if columns[..i].iter().any(|(n, _)| n == name) {
                return Err(TableError::at(
                    what,
                    name,
                    None,
                    format!("column `{name}` appears more than once; expected each column once"),
                ));
            }
            let n: usize = chunks.iter().map(|c| c.len()).sum();
            match rows {
                Some((m, first)) if m != n => {
                    return Err(TableError::at(
                        what,
                        name,
                        None,
                        format!("has {n} values but column `{first}` has {m}"),
                    ));
                }
                Some(_) => {}
                None => rows = Some((n, name)),
            }
        }
        let rows = rows.map_or(0, |(n, _)| n);
        Ok(Table { columns, rows })
    }

    /// A table from a stream of record batches (an Arrow C stream, a pyarrow table).
    pub fn from_reader(
        what: &'static str,
        reader: impl RecordBatchReader,
    ) -> Result<Table, TableError> {
        let schema = reader.schema();
        let mut columns: Vec<(String, Vec<ArrayRef>)> = schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), Vec::new()))
            .collect();
        for batch in reader {
            let batch: RecordBatch = batch.map_err(|e: ArrowError| {
                TableError::table(what, format!("cannot read the Arrow table: {e}"))
            })?;
            for (i, c) in batch.columns().iter().enumerate() {
                columns[i].1.push(c.clone());
            }
        }
        Table::from_columns(what, columns)
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(n, _)| n.as_str())
    }

    /// The 0-based position of a column.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|(n, _)| n == name)
    }

    /// Lets the data go and keeps the column names (and the count of rows): what an
    /// error names once the rows have been read (a national travel matrix is 40 MB of
    /// text that an appraisal no longer needs once it is prepared).
    pub fn release_data(&mut self) {
        for (_, chunks) in &mut self.columns {
            *chunks = Vec::new();
        }
    }

    pub(crate) fn chunks(&self, name: &str) -> Option<&[ArrayRef]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_slice())
    }

    /// The column as one Arrow array, when it is one chunk of `dt` without nulls (to
    /// pass it through to a result without a copy).
    pub fn single_chunk(&self, name: &str, dt: &DataType) -> Option<ArrayRef> {
        match self.chunks(name)? {
            [c] if c.data_type() == dt && c.null_count() == 0 => Some(c.clone()),
            _ => None,
        }
    }

    /// The columns that no description in `spec` names (needs: age bands), pandas'
    /// index columns aside.
    pub fn other_columns<'a>(&'a self, spec: &'a TableSpec) -> impl Iterator<Item = &'a str> {
        self.names()
            .filter(move |n| !spec.knows(n) && !is_index_column(n))
    }
}

/// One table being read against its description.
pub struct Reader<'a> {
    pub(crate) t: &'a Table,
    pub(crate) spec: &'static TableSpec,
}

/// A column found under its name or an alias, with the kind to read it as.
pub(crate) struct Found<'a> {
    pub name: &'a str,
    pub kind: Kind,
    pub chunks: &'a [ArrayRef],
}

impl<'a> Reader<'a> {
    /// Reads `t` as the table `spec` describes.
    pub fn new(t: &'a Table, spec: &'static TableSpec) -> Self {
        Reader { t, spec }
    }

    pub(crate) fn err(&self, column: &str, row: Option<usize>, m: impl Into<String>) -> TableError {
        TableError::at(self.spec.name, column, row, m)
    }

    fn spec_column(&self, name: &str) -> &'static Column {
        self.spec
            .column(name)
            .unwrap_or_else(|| panic!("{}.{name} is not described", self.spec.name))
    }

    /// The column described as `name`, under its name or one alias; a required column
    /// that is missing, or one given under two names, is an error.
    pub(crate) fn find(&self, name: &str) -> Res<Option<Found<'a>>> {
        let c = self.spec_column(name);
        let t: &'a Table = self.t;
        let mut hits = std::iter::once((c.name, c.kind))
            .chain(c.aliases.iter().copied())
            .filter_map(|(n, k)| t.chunks(n).map(|ch| (n, k, ch)));
        let first = hits.next();
        if let (Some((a, ..)), Some((b, ..))) = (&first, hits.next()) {
            return Err(self.err(
                b,
                None,
                format!("`{a}` and `{b}` are the same column under two names; give one"),
            ));
        }
        match first {
            Some((n, kind, chunks)) => {
                let name = t.names().find(|x| *x == n).unwrap_or(n);
                Ok(Some(Found { name, kind, chunks }))
            }
            None if c.required => {
                let names = std::iter::once(c.name)
                    .chain(c.aliases.iter().map(|(a, _)| *a))
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                Err(self.err(
                    c.name,
                    None,
                    format!(
                        "missing; expected {names}; the columns are: {}",
                        t.names().collect::<Vec<_>>().join(", ")
                    ),
                ))
            }
            None => Ok(None),
        }
    }

    /// A text column, or `None` when absent (and not required).
    pub fn text(&self, name: &str) -> Res<Option<Vec<Option<String>>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        self.each(&f, |c, base| {
            each_str(self, c, f.name, base, &mut |_, s| {
                out.push(s.map(str::to_string));
                Ok(())
            })
        })?;
        Ok(Some(out))
    }

    /// A text column whose every value is present (ids).
    pub fn ids(&self, name: &str) -> Res<Option<Vec<String>>> {
        let Some(v) = self.text(name)? else {
            return Ok(None);
        };
        let col = self.find(name)?.map_or(name, |f| f.name);
        v.into_iter()
            .enumerate()
            .map(|(row, s)| {
                s.filter(|s| !s.is_empty())
                    .ok_or_else(|| self.err(col, Some(row), "missing; expected an id"))
            })
            .collect::<Res<Vec<_>>>()
            .map(Some)
    }

    /// A text column whose every value is present (ids), as one Arrow text column: the
    /// caller's own when it is already one chunk of `Utf8` without nulls or empty ids
    /// (shared, not copied), else built into one buffer.
    pub fn id_column(&self, name: &str) -> Res<Option<ArrayRef>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        if let [c] = f.chunks {
            if c.data_type() == &DataType::Utf8 && c.null_count() == 0 {
                let a = c.as_string::<i32>();
                let offsets = a.value_offsets();
                match offsets.windows(2).position(|w| w[0] == w[1]) {
                    None => return Ok(Some(c.clone())),
                    Some(row) => {
                        return Err(self.err(f.name, Some(row), "missing; expected an id"));
                    }
                }
            }
        }
        let mut out = StringBuilder::with_capacity(self.t.rows, 0);
        self.each(&f, |c, base| {
            each_str(self, c, f.name, base, &mut |row, s| match s {
                Some(s) if !s.is_empty() => {
                    out.append_value(s);
                    Ok(())
                }
                _ => Err(self.err(f.name, Some(row), "missing; expected an id")),
            })
        })?;
        Ok(Some(Arc::new(out.finish())))
    }

    /// A whole-number column (for `Pence` and `Int`; `Money` text is parsed as money).
    pub fn ints(&self, name: &str) -> Res<Option<Vec<Option<i64>>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        self.each(&f, |c, base| {
            let push = &mut |_, v| {
                out.push(v);
                Ok(())
            };
            match (f.kind, is_text(c.data_type())) {
                (Kind::Money, true) => each_str(self, c, f.name, base, &mut |row, s| {
                    let v = match s.map(str::trim).filter(|s| !s.is_empty()) {
                        Some(s) => Some(
                            parse_money(s)
                                .map_err(|e| self.err(f.name, Some(row), e.to_string()))?,
                        ),
                        None => None,
                    };
                    push(row, v)
                }),
                _ => each_int(self, c, f.name, base, push),
            }
        })?;
        Ok(Some(out))
    }

    /// A true/false column: Arrow booleans, whole numbers 0 and 1, or text `true` /
    /// `false` (also `yes` / `no`, `1` / `0`, any case); empty is `None`.
    pub fn bools(&self, name: &str) -> Res<Option<Vec<Option<bool>>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        self.each(&f, |c, base| {
            if let Some(b) = c.as_boolean_opt() {
                out.extend(b.iter());
                return Ok(());
            }
            if !is_text(c.data_type()) {
                return each_int(self, c, f.name, base, &mut |row, v| {
                    out.push(match v {
                        None => None,
                        Some(0) => Some(false),
                        Some(1) => Some(true),
                        Some(v) => {
                            return Err(self.err(
                                f.name,
                                Some(row),
                                format!("{v} is not true or false (1 or 0)"),
                            ));
                        }
                    });
                    Ok(())
                });
            }
            each_str(self, c, f.name, base, &mut |row, s| {
                let s = s.map(str::trim).filter(|s| !s.is_empty());
                out.push(match s.map(str::to_ascii_lowercase).as_deref() {
                    None => None,
                    Some("true" | "yes" | "1") => Some(true),
                    Some("false" | "no" | "0") => Some(false),
                    Some(_) => {
                        return Err(self.err(
                            f.name,
                            Some(row),
                            format!("`{}` is not true or false", s.unwrap_or_default()),
                        ));
                    }
                });
                Ok(())
            })
        })?;
        Ok(Some(out))
    }

    /// A whole-number column whose every value is present and 0 or more (people).
    pub fn counts(&self, name: &str, what: &str) -> Res<Option<Vec<u64>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        let negative = |row, p: i64| {
            self.err(
                f.name,
                Some(row),
                format!("{what} {p} is negative; expected 0 or more"),
            )
        };
        self.each(&f, |c, base| {
            if c.data_type() == &DataType::Int64 && c.null_count() == 0 {
                // The common case, without a value-by-value callback.
                let v = c.as_primitive::<Int64Type>().values();
                if let Some(i) = v.iter().position(|&p| p < 0) {
                    return Err(negative(base + i, v[i]));
                }
                out.extend(v.iter().map(|&p| p as u64));
                return Ok(());
            }
            each_int(self, c, f.name, base, &mut |row, p| match p {
                None => Err(self.err(
                    f.name,
                    Some(row),
                    format!("missing; expected a whole number ({what})"),
                )),
                Some(p) if p < 0 => Err(negative(row, p)),
                Some(p) => {
                    out.push(p as u64);
                    Ok(())
                }
            })
        })?;
        Ok(Some(out))
    }

    /// A column of people (`Kind::People`): whole numbers, or exact decimals of at
    /// most 9 places (NHS England's adjusted populations); `None` where empty. A
    /// negative value, more than 9 places, NaN or text that is not a number is an error
    /// at its row, saying `what` it is.
    pub fn people(&self, name: &str, what: &str) -> Res<Option<Vec<Option<Population>>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        self.each(&f, |c, base| {
            each_people(self, c, f.name, what, base, &mut |_, v| {
                out.push(v);
                Ok(())
            })
        })?;
        Ok(Some(out))
    }

    /// A column of people whose every value is present ([`Reader::people`]).
    pub fn people_counts(&self, name: &str, what: &str) -> Res<Option<Vec<Population>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        self.each(&f, |c, base| {
            if c.data_type() == &DataType::Int64 && c.null_count() == 0 {
                // The common case, without a value-by-value callback.
                let v = c.as_primitive::<Int64Type>().values();
                if let Some(i) = v.iter().position(|&p| p < 0) {
                    return Err(self.err(
                        f.name,
                        Some(base + i),
                        format!("{what} {} is negative; expected 0 or more", v[i]),
                    ));
                }
                out.extend(v.iter().map(|&p| Population::whole(p as u64)));
                return Ok(());
            }
            each_people(self, c, f.name, what, base, &mut |row, p| match p {
                None => Err(self.err(
                    f.name,
                    Some(row),
                    format!("missing; expected a number of people ({what})"),
                )),
                Some(p) => {
                    out.push(p);
                    Ok(())
                }
            })
        })?;
        Ok(Some(out))
    }

    /// A decimal column.
    pub fn decimals(&self, name: &str) -> Res<Option<Vec<Option<Decimal>>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        self.each(&f, |c, base| {
            each_decimal(self, c, f.name, base, &mut |_, v| {
                out.push(v);
                Ok(())
            })
        })?;
        Ok(Some(out))
    }

    /// Capability lists as text ids (for footprints, checked later by validation).
    pub fn capability_lists(&self, name: &str) -> Res<Option<Vec<Vec<String>>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        self.each(&f, |c, base| {
            each_caps(self, c, f.name, base, &mut |_, row| {
                out.push(match row {
                    CapRow::Null => Vec::new(),
                    CapRow::Text(s) => capability_ids(s).map(str::to_string).collect(),
                    CapRow::List(items) => items
                        .iter()
                        .flatten()
                        .flat_map(|s| capability_ids(s))
                        .map(str::to_string)
                        .collect(),
                });
                Ok(())
            })
        })?;
        Ok(Some(out))
    }

    /// Capability sets as bits under `rs`; an unknown capability is an error at its
    /// row. Each distinct text (or dictionary value) is parsed once.
    pub fn capability_bits(&self, name: &str, rs: &Ruleset) -> Res<Option<Vec<u64>>> {
        let Some(f) = self.find(name)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(self.t.rows);
        let mut cache: HashMap<String, Result<u64, String>> = HashMap::default();
        let mut bits_of = |s: &str| -> Result<u64, String> {
            if let Some(b) = cache.get(s) {
                return b.clone();
            }
            let b = rs
                .capability_set(capability_ids(s))
                .map(|set| set.bits())
                .map_err(|e| e.to_string());
            cache.insert(s.to_string(), b.clone());
            b
        };
        self.each(&f, |c, base| {
            if let Some(d) = c.as_any_dictionary_opt() {
                // Parse each dictionary value once, then map the keys.
                let mut value_bits: Vec<Result<u64, String>> = Vec::with_capacity(d.values().len());
                each_str(self, d.values(), f.name, 0, &mut |_, s| {
                    value_bits.push(s.map_or(Ok(0), &mut bits_of));
                    Ok(())
                })?;
                return dictionary_bits(d.keys(), &value_bits, &mut out)
                    .map_err(|(i, m)| self.err(f.name, Some(base + i), m));
            }
            each_caps(self, c, f.name, base, &mut |row, r| {
                let bits = match r {
                    CapRow::Null => Ok(0),
                    CapRow::Text(s) => bits_of(s),
                    CapRow::List(items) => rs
                        .capability_set(items.iter().flatten().flat_map(|s| capability_ids(s)))
                        .map(|set| set.bits())
                        .map_err(|e| e.to_string()),
                };
                out.push(bits.map_err(|m| self.err(f.name, Some(row), m))?);
                Ok(())
            })
        })?;
        Ok(Some(out))
    }

    /// Decimals from any column (site measures), by its own name.
    pub fn decimals_named(&self, name: &str) -> Res<Vec<Option<Decimal>>> {
        let chunks = self.t.chunks(name).unwrap_or(&[]);
        let mut out = Vec::with_capacity(self.t.rows);
        let mut base = 0;
        for c in chunks {
            each_decimal(self, c, name, base, &mut |_, v| {
                out.push(v);
                Ok(())
            })?;
            base += c.len();
        }
        Ok(out)
    }

    /// Whole counts from any column (needs' age bands), by its own name.
    pub fn counts_named(&self, name: &str) -> Res<Vec<Option<u64>>> {
        let chunks = self.t.chunks(name).unwrap_or(&[]);
        let mut out = Vec::with_capacity(self.t.rows);
        let mut base = 0;
        for c in chunks {
            each_int(self, c, name, base, &mut |row, v| {
                match v {
                    Some(n) if n < 0 => {
                        return Err(self.err(
                            name,
                            Some(row),
                            format!("count {n} is negative; expected 0 or more"),
                        ));
                    }
                    v => out.push(v.map(|n| n as u64)),
                }
                Ok(())
            })?;
            base += c.len();
        }
        Ok(out)
    }

    /// Calls `g` with each chunk of a column and the row it starts at. A chunk whose
    /// every value is null is passed as Arrow's Null type, whatever its type: a missing
    /// value means the same in every kind of table (pandas reads an empty column of a
    /// CSV as float64 NaN, which reaches here as nulls; polars as its Null type; a
    /// pyarrow table as nulls of any type), and whether it is allowed is the column's
    /// description's to say (`spec.rs`), not its type's.
    fn each(&self, f: &Found<'_>, mut g: impl FnMut(&ArrayRef, usize) -> Res<()>) -> Res<()> {
        let mut base = 0;
        for c in f.chunks {
            if !c.is_empty() && c.null_count() == c.len() && c.data_type() != &DataType::Null {
                let nulls: ArrayRef = Arc::new(arrow_array::NullArray::new(c.len()));
                g(&nulls, base)?;
            } else {
                g(c, base)?;
            }
            base += c.len();
        }
        Ok(())
    }
}

/// Each row's capability bits from its dictionary key: the bits of the value it names
/// (`value_bits`, parsed once per value), 0 for a null key (or one past the values); a
/// key naming a value that was refused is that value's error, at the row (its index).
/// Read by the keys' own type, a million rows at a time, with no key list built.
fn dictionary_bits(
    keys: &dyn Array,
    value_bits: &[Result<u64, String>],
    out: &mut Vec<u64>,
) -> Result<(), (usize, String)> {
    let bits: Vec<u64> = value_bits
        .iter()
        .map(|b| *b.as_ref().unwrap_or(&0))
        .collect();
    let refused = value_bits.iter().any(Result::is_err);
    macro_rules! keyed {
        ($t:ty) => {{
            let k = keys.as_primitive::<$t>();
            // A negative key reads as past the values, as Arrow's `as_usize` has it.
            let at = |x: <$t as arrow_array::ArrowPrimitiveType>::Native| {
                arrow_buffer::ArrowNativeType::as_usize(x)
            };
            if k.null_count() == 0 && !refused {
                out.extend(
                    k.values()
                        .iter()
                        .map(|&x| bits.get(at(x)).copied().unwrap_or(0)),
                );
                return Ok(());
            }
            for (i, x) in k.iter().enumerate() {
                let b = match x.and_then(|x| value_bits.get(at(x))) {
                    Some(Err(m)) => return Err((i, m.clone())),
                    Some(Ok(b)) => *b,
                    None => 0,
                };
                out.push(b);
            }
            Ok(())
        }};
    }
    match keys.data_type() {
        DataType::Int8 => keyed!(Int8Type),
        DataType::Int16 => keyed!(Int16Type),
        DataType::Int32 => keyed!(Int32Type),
        DataType::Int64 => keyed!(Int64Type),
        DataType::UInt8 => keyed!(UInt8Type),
        DataType::UInt16 => keyed!(UInt16Type),
        DataType::UInt32 => keyed!(UInt32Type),
        DataType::UInt64 => keyed!(UInt64Type),
        // Arrow's dictionary keys are integers: there are no others to read.
        _ => Ok(()),
    }
}

fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

fn wrong_type(r: &Reader<'_>, col: &str, dt: &DataType, expected: &str) -> TableError {
    r.err(col, None, format!("has type {dt}; expected {expected}"))
}

type StrFn<'a> = dyn FnMut(usize, Option<&str>) -> Res<()> + 'a;

fn each_str(r: &Reader<'_>, arr: &ArrayRef, col: &str, base: usize, f: &mut StrFn<'_>) -> Res<()> {
    macro_rules! ints {
        ($t:ty) => {{
            let a = arr.as_primitive::<$t>();
            let mut buf = String::new();
            for i in 0..a.len() {
                if a.is_valid(i) {
                    buf.clear();
                    buf.push_str(&a.value(i).to_string());
                    f(base + i, Some(&buf))?;
                } else {
                    f(base + i, None)?;
                }
            }
        }};
    }
    match arr.data_type() {
        DataType::Utf8 => {
            let a = arr.as_string::<i32>();
            for i in 0..a.len() {
                f(base + i, a.is_valid(i).then(|| a.value(i)))?;
            }
        }
        DataType::LargeUtf8 => {
            let a = arr.as_string::<i64>();
            for i in 0..a.len() {
                f(base + i, a.is_valid(i).then(|| a.value(i)))?;
            }
        }
        DataType::Utf8View => {
            let a = arr.as_string_view();
            for i in 0..a.len() {
                f(base + i, a.is_valid(i).then(|| a.value(i)))?;
            }
        }
        DataType::Null => {
            for i in 0..arr.len() {
                f(base + i, None)?;
            }
        }
        DataType::Dictionary(_, _) => {
            let d = arr
                .as_any_dictionary_opt()
                .ok_or_else(|| wrong_type(r, col, arr.data_type(), "text"))?;
            let mut values: Vec<Option<String>> = Vec::with_capacity(d.values().len());
            each_str(r, d.values(), col, 0, &mut |_, s| {
                values.push(s.map(str::to_string));
                Ok(())
            })?;
            for (i, k) in d.normalized_keys().iter().enumerate() {
                let v = if d.keys().is_valid(i) {
                    values.get(*k).and_then(|v| v.as_deref())
                } else {
                    None
                };
                f(base + i, v)?;
            }
        }
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => ints!(UInt64Type),
        dt => return Err(wrong_type(r, col, dt, "text")),
    }
    Ok(())
}

type IntFn<'a> = dyn FnMut(usize, Option<i64>) -> Res<()> + 'a;

fn float_to_int(r: &Reader<'_>, col: &str, row: usize, v: f64) -> Res<Option<i64>> {
    if v.is_nan() {
        // pandas writes a missing whole number as NaN.
        return Ok(None);
    }
    // 2^63 is exactly representable; every whole float below it fits in an i64.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if !v.is_finite() || v.fract() != 0.0 {
        return Err(r.err(col, Some(row), format!("{v} is not a whole number")));
    }
    if !(-TWO_63..TWO_63).contains(&v) {
        // Whole, but past what 64 bits hold (and past what a float holds exactly).
        return Err(r.err(
            col,
            Some(row),
            format!(
                "{v:e} is too large for a 64-bit whole number; expected at most {}",
                localcare::money::group_thousands(i64::MAX as u64)
            ),
        ));
    }
    Ok(Some(v as i64))
}

fn each_int(r: &Reader<'_>, arr: &ArrayRef, col: &str, base: usize, f: &mut IntFn<'_>) -> Res<()> {
    macro_rules! signed {
        ($t:ty) => {{
            let a = arr.as_primitive::<$t>();
            for i in 0..a.len() {
                f(base + i, a.is_valid(i).then(|| a.value(i) as i64))?;
            }
        }};
    }
    macro_rules! floats {
        ($t:ty) => {{
            let a = arr.as_primitive::<$t>();
            for i in 0..a.len() {
                let v = if a.is_valid(i) {
                    float_to_int(r, col, base + i, f64::from(a.value(i)))?
                } else {
                    None
                };
                f(base + i, v)?;
            }
        }};
    }
    match arr.data_type() {
        DataType::Int8 => signed!(Int8Type),
        DataType::Int16 => signed!(Int16Type),
        DataType::Int32 => signed!(Int32Type),
        DataType::Int64 => signed!(Int64Type),
        DataType::UInt8 => signed!(UInt8Type),
        DataType::UInt16 => signed!(UInt16Type),
        DataType::UInt32 => signed!(UInt32Type),
        DataType::UInt64 => {
            let a = arr.as_primitive::<UInt64Type>();
            for i in 0..a.len() {
                let v = if a.is_valid(i) {
                    Some(i64::try_from(a.value(i)).map_err(|_| {
                        r.err(
                            col,
                            Some(base + i),
                            format!("{} does not fit in 64 bits", a.value(i)),
                        )
                    })?)
                } else {
                    None
                };
                f(base + i, v)?;
            }
        }
        DataType::Float32 => floats!(Float32Type),
        DataType::Float64 => floats!(Float64Type),
        DataType::Null => {
            for i in 0..arr.len() {
                f(base + i, None)?;
            }
        }
        DataType::Decimal128(_, _) => {
            each_decimal(r, arr, col, base, &mut |row, d| {
                let v = match d {
                    Some(d) if d.fract().is_zero() => Some(i64::try_from(d).map_err(|_| {
                        r.err(col, Some(row), format!("{d} does not fit in 64 bits"))
                    })?),
                    Some(d) => {
                        return Err(r.err(col, Some(row), format!("{d} is not a whole number")));
                    }
                    None => None,
                };
                f(row, v)
            })?;
        }
        dt if is_text(dt) => each_str(r, arr, col, base, &mut |row, s| {
            let v = match s.map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Some(text::int(s).map_err(|m| r.err(col, Some(row), m))?),
                None => None,
            };
            f(row, v)
        })?,
        dt => return Err(wrong_type(r, col, dt, "whole numbers")),
    }
    Ok(())
}

type DecFn<'a> = dyn FnMut(usize, Option<Decimal>) -> Res<()> + 'a;

fn float_to_decimal(r: &Reader<'_>, col: &str, row: usize, v: f64) -> Res<Decimal> {
    if !v.is_finite() {
        return Err(r.err(
            col,
            Some(row),
            format!("{v} is not a number; expected a finite decimal"),
        ));
    }
    // The shortest text that reads back as the same float: what the caller typed.
    format!("{v}")
        .parse::<Decimal>()
        .map_err(|_| r.err(col, Some(row), format!("{v} is out of range for a decimal")))
}

fn each_decimal(
    r: &Reader<'_>,
    arr: &ArrayRef,
    col: &str,
    base: usize,
    f: &mut DecFn<'_>,
) -> Res<()> {
    macro_rules! floats {
        ($t:ty) => {{
            let a = arr.as_primitive::<$t>();
            for i in 0..a.len() {
                let d = if a.is_valid(i) {
                    Some(float_to_decimal(r, col, base + i, f64::from(a.value(i)))?)
                } else {
                    None
                };
                f(base + i, d)?;
            }
        }};
    }
    match arr.data_type() {
        DataType::Float32 => floats!(Float32Type),
        DataType::Float64 => floats!(Float64Type),
        DataType::Decimal128(_, scale) => {
            let a = arr.as_primitive::<Decimal128Type>();
            let scale = u32::try_from(*scale)
                .map_err(|_| wrong_type(r, col, arr.data_type(), "decimals of scale 0 to 28"))?;
            for i in 0..a.len() {
                let d = if a.is_valid(i) {
                    Some(
                        Decimal::try_from_i128_with_scale(a.value(i), scale)
                            .map_err(|_| r.err(col, Some(base + i), "decimal out of range"))?,
                    )
                } else {
                    None
                };
                f(base + i, d)?;
            }
        }
        dt if is_text(dt) => each_str(r, arr, col, base, &mut |row, s| {
            let d = match s.map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Some(text::decimal(s).map_err(|m| r.err(col, Some(row), m))?),
                None => None,
            };
            f(row, d)
        })?,
        _ => each_int(r, arr, col, base, &mut |row, v| {
            f(row, v.map(Decimal::from))
        })?,
    }
    Ok(())
}

type PeopleFn<'a> = dyn FnMut(usize, Option<Population>) -> Res<()> + 'a;

/// A population error at a row, worded as the whole-number readers word theirs
/// (`population -5 is negative; expected 0 or more`).
fn people_err(r: &Reader<'_>, col: &str, what: &str, row: usize, e: PopulationError) -> TableError {
    let m = match e {
        PopulationError::Empty => format!("missing; expected a number of people ({what})"),
        e => format!("{what} {e}"),
    };
    r.err(col, Some(row), m)
}

/// Reads people from any numeric or text column, exactly: integers as whole people,
/// floats as their shortest round-trip text (NaN is pandas' missing value), Arrow
/// decimals from their digits and scale, text as written.
fn each_people(
    r: &Reader<'_>,
    arr: &ArrayRef,
    col: &str,
    what: &str,
    base: usize,
    f: &mut PeopleFn<'_>,
) -> Res<()> {
    let err = |row, e| people_err(r, col, what, row, e);
    macro_rules! floats {
        ($t:ty) => {{
            let a = arr.as_primitive::<$t>();
            for i in 0..a.len() {
                let v = f64::from(a.value(i));
                let p = if a.is_valid(i) && !v.is_nan() {
                    Some(Population::from_f64(v).map_err(|e| err(base + i, e))?)
                } else {
                    // pandas writes a missing number as NaN.
                    None
                };
                f(base + i, p)?;
            }
        }};
    }
    match arr.data_type() {
        DataType::Float32 => floats!(Float32Type),
        DataType::Float64 => floats!(Float64Type),
        DataType::Decimal128(_, scale) => {
            let a = arr.as_primitive::<Decimal128Type>();
            for i in 0..a.len() {
                let p = if a.is_valid(i) {
                    Some(decimal128_people(a.value(i), *scale).map_err(|e| err(base + i, e))?)
                } else {
                    None
                };
                f(base + i, p)?;
            }
        }
        dt if is_text(dt) => each_str(r, arr, col, base, &mut |row, s| {
            let p = match s.map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Some(s.parse::<Population>().map_err(|e| err(row, e))?),
                None => None,
            };
            f(row, p)
        })?,
        _ => each_int(r, arr, col, base, &mut |row, v| {
            let p = match v {
                Some(n) => Some(Population::try_from(n).map_err(|e| err(row, e))?),
                None => None,
            };
            f(row, p)
        })?,
    }
    Ok(())
}

/// An Arrow `Decimal128(_, scale)` value as people, exactly: its digits shifted to
/// billionths; more than 9 significant decimal places is refused, never rounded.
fn decimal128_people(v: i128, scale: i8) -> Result<Population, PopulationError> {
    let text = || {
        // The value as written, for the message.
        let d = Decimal::try_from_i128_with_scale(v, scale.clamp(0, 28) as u32);
        d.map_or_else(|_| format!("{v}e{}", -i32::from(scale)), |d| d.to_string())
    };
    if v < 0 {
        return Err(PopulationError::Negative(text()));
    }
    let v = v as u128;
    let b = if scale <= 9 {
        let shift = 9 - i32::from(scale);
        10u128
            .checked_pow(shift as u32)
            .and_then(|m| v.checked_mul(m))
    } else {
        let m = 10u128.checked_pow(u32::from(scale as u8) - 9);
        match m {
            Some(m) if v % m == 0 => Some(v / m),
            _ if v == 0 => Some(0),
            _ => {
                return Err(PopulationError::TooPrecise {
                    text: text(),
                    decimals: u32::from(scale as u8),
                });
            }
        }
    };
    b.and_then(Population::from_billionths)
        .ok_or_else(|| PopulationError::TooLarge(text()))
}

enum CapRow<'a> {
    Null,
    Text(&'a str),
    List(&'a [Option<String>]),
}

type CapFn<'a> = dyn FnMut(usize, CapRow<'_>) -> Res<()> + 'a;

fn each_caps(r: &Reader<'_>, arr: &ArrayRef, col: &str, base: usize, f: &mut CapFn<'_>) -> Res<()> {
    fn lists<O: arrow_array::OffsetSizeTrait>(
        r: &Reader<'_>,
        a: &arrow_array::GenericListArray<O>,
        col: &str,
        base: usize,
        f: &mut CapFn<'_>,
    ) -> Res<()> {
        let mut items: Vec<Option<String>> = Vec::new();
        each_str(r, a.values(), col, 0, &mut |_, s| {
            items.push(s.map(str::to_string));
            Ok(())
        })?;
        let offsets = a.value_offsets();
        for i in 0..a.len() {
            if a.is_valid(i) {
                let (s, e) = (offsets[i].as_usize(), offsets[i + 1].as_usize());
                f(base + i, CapRow::List(&items[s..e]))?;
            } else {
                f(base + i, CapRow::Null)?;
            }
        }
        Ok(())
    }
    match arr.data_type() {
        DataType::List(_) => lists(r, arr.as_list::<i32>(), col, base, f),
        DataType::LargeList(_) => lists(r, arr.as_list::<i64>(), col, base, f),
        dt if is_text(dt) || dt == &DataType::Null => each_str(r, arr, col, base, &mut |row, s| {
            f(row, s.map_or(CapRow::Null, CapRow::Text))
        }),
        dt => Err(wrong_type(
            r,
            col,
            dt,
            "lists of capability ids, or text with ids separated by `;`",
        )),
    }
}
