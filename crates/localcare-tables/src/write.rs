//! The core's results as tables: one Arrow record batch per result, with the columns
//! the descriptions give, in their order, for the face asking. The CLI writes the same
//! batches as CSV or JSON; Python and C hand them over as Arrow.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::{Int8Type, Int16Type};
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int8Array, Int16Array, Int64Array,
    RecordBatch, StringArray,
};
use arrow_buffer::{Buffer, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{Field, Schema};
use localcare::allocate::{Allocation, NeedIndex, distance_from_target_ppm};
use localcare::appraise::{Appraisal, score_text};
use localcare::classify::ReasonsWriter;
use localcare::footprint::Report;
use localcare::money::{
    decimal_text, pounds_plain, write_nano_text, write_pounds_plain, write_ppm_text,
};
use localcare::register::PersonCount;
use localcare::ruleset::STRATEGIC_COMMISSIONER;
use localcare::rust_decimal::Decimal;
use localcare::rust_decimal::prelude::ToPrimitive;
use localcare::settle::Settlement;
use localcare::shift::{ReductionAnswer, ShiftOutcome};
use localcare::{BandStatus, Needs, Population, Ruleset};

mod bridge;
pub use bridge::{bridge, bridge_steps};

use crate::read::Units;
use crate::shift::{ShiftRun, Shifted};
use crate::spec::{self, Column, Face, TableSpec};

/// Builds one result table column by column, in the description's order; a column
/// the face does not show is never built.
struct Builder {
    spec: &'static TableSpec,
    face: Face,
    next: usize,
    fields: Vec<Field>,
    arrays: Vec<ArrayRef>,
}

impl Builder {
    fn new(spec: &'static TableSpec, face: Face) -> Self {
        Builder {
            spec,
            face,
            next: 0,
            fields: Vec::with_capacity(spec.columns.len()),
            arrays: Vec::with_capacity(spec.columns.len()),
        }
    }

    /// Puts column `name` (the next in the description), built by `make` if shown.
    fn put(&mut self, name: &str, make: impl FnOnce() -> ArrayRef) {
        let Some(offset) = self.spec.columns[self.next..]
            .iter()
            .position(|c| c.name == name)
        else {
            panic!(
                "{}.{name} is not described, or out of order",
                self.spec.name
            );
        };
        let c = &self.spec.columns[self.next + offset];
        self.next += offset + 1;
        if c.shown.in_face(self.face) {
            let a = make();
            self.fields.push(Field::new(
                c.name,
                a.data_type().clone(),
                a.null_count() > 0 || !c.required,
            ));
            self.arrays.push(a);
        }
    }

    /// Puts a column the description allows beyond those listed (`other_columns`),
    /// after the listed ones.
    fn put_other(&mut self, name: &str, a: ArrayRef) {
        assert!(
            self.spec.other_columns.is_some(),
            "{} takes no other columns",
            self.spec.name
        );
        self.next = self.spec.columns.len();
        self.fields
            .push(Field::new(name, a.data_type().clone(), a.null_count() > 0));
        self.arrays.push(a);
    }

    /// Puts a column of a pattern the description gives beyond those listed (such as
    /// `need_index_{component}`), named `name`, built by `make` if the face shows it.
    fn put_pattern(&mut self, pattern: &Column, name: &str, make: impl FnOnce() -> ArrayRef) {
        assert!(
            self.spec.other_columns.is_some(),
            "{} takes no other columns",
            self.spec.name
        );
        self.next = self.spec.columns.len();
        if pattern.shown.in_face(self.face) {
            let a = make();
            self.fields.push(Field::new(
                name,
                a.data_type().clone(),
                a.null_count() > 0 || !pattern.required,
            ));
            self.arrays.push(a);
        }
    }

    fn finish(self) -> RecordBatch {
        let rows = self.arrays.first().map_or(0, |a| a.len());
        let schema = Arc::new(Schema::new(self.fields));
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        // Columns are built to the schema and of one length: this cannot fail.
        RecordBatch::try_new_with_options(schema, self.arrays, &options)
            .expect("result columns match their description")
    }
}

fn strings<S: AsRef<str>>(v: impl IntoIterator<Item = S>) -> ArrayRef {
    let mut b = StringBuilder::new();
    for s in v {
        b.append_value(s);
    }
    Arc::new(b.finish())
}

fn opt_strings<S: AsRef<str>>(v: impl IntoIterator<Item = Option<S>>) -> ArrayRef {
    let mut b = StringBuilder::new();
    for s in v {
        b.append_option(s);
    }
    Arc::new(b.finish())
}

/// A text column of `n` rows, each appended by `cell` straight to the column's one
/// buffer (`false` for a null, which writes nothing): no `String` per row and no copy
/// of a cell's text.
fn text_cells(n: usize, mut cell: impl FnMut(usize, &mut String) -> bool) -> ArrayRef {
    let mut data = String::with_capacity(n * 12);
    let mut offsets: Vec<i32> = Vec::with_capacity(n + 1);
    offsets.push(0);
    let mut nulls = NullBufferBuilder::new(n);
    for q in 0..n {
        let valid = cell(q, &mut data);
        debug_assert!(valid || offsets.last() == Some(&(data.len() as i32)));
        // A column of more than 2 GiB of text has no 32-bit offsets (Arrow's
        // `StringBuilder` refuses it the same way).
        offsets.push(i32::try_from(data.len()).expect("a text column under 2 GiB"));
        nulls.append(valid);
    }
    // Offsets ascend from 0 and every cell is whole UTF-8: the array is valid as built.
    Arc::new(StringArray::new(
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Buffer::from_vec(data.into_bytes()),
        nulls.finish(),
    ))
}

/// A column of whole numbers, moved into Arrow without a copy.
fn int_vec(v: Vec<i64>) -> ArrayRef {
    Arc::new(Int64Array::from(v))
}

/// A column of whole numbers of `n` rows: `given` in the first rows, null in the rest
/// (per-unit amounts with the pots' rows after them), built in bulk.
fn prefix_ints(given: &[i64], n: usize) -> ArrayRef {
    let valid = given.len().min(n);
    let mut values = Vec::with_capacity(n);
    values.extend_from_slice(&given[..valid]);
    values.resize(n, 0);
    let mut nulls = NullBufferBuilder::new(n);
    nulls.append_n_non_nulls(valid);
    nulls.append_n_nulls(n - valid);
    Arc::new(Int64Array::new(ScalarBuffer::from(values), nulls.finish()))
}

/// A column of whole numbers of `n` rows, `value(q)` giving row `q`'s (`None` for a
/// null), built into one values buffer and one validity bitmap.
fn opt_int_cells(n: usize, mut value: impl FnMut(usize) -> Option<i64>) -> ArrayRef {
    let mut values = Vec::with_capacity(n);
    let mut nulls = NullBufferBuilder::new(n);
    for q in 0..n {
        let v = value(q);
        nulls.append(v.is_some());
        values.push(v.unwrap_or(0));
    }
    Arc::new(Int64Array::new(ScalarBuffer::from(values), nulls.finish()))
}

/// Pence as plain pounds, a row per amount.
fn pounds_column(v: &[i64]) -> ArrayRef {
    text_cells(v.len(), |q, s| {
        write_pounds_plain(s, v[q]);
        true
    })
}

fn ints(v: impl IntoIterator<Item = i64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(v))
}

fn opt_ints(v: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(v.into_iter().collect::<Int64Array>())
}

fn bools(v: impl IntoIterator<Item = bool>) -> ArrayRef {
    Arc::new(v.into_iter().map(Some).collect::<BooleanArray>())
}

fn floats(v: impl IntoIterator<Item = Decimal>) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(
        v.into_iter().map(|d| d.to_f64().unwrap_or(f64::NAN)),
    ))
}

/// Values by code, `labels[codes[i]]`, as an Arrow dictionary (a categorical in pandas
/// and polars).
pub fn coded(labels: Vec<String>, codes: Vec<u8>) -> ArrayRef {
    let values: ArrayRef = Arc::new(StringArray::from(labels));
    // Codes index the labels by construction: building the dictionary cannot fail.
    if values.len() <= i8::MAX as usize {
        // Codes below 128 are the same bytes as i8: the buffer is taken as it is.
        let n = codes.len();
        let keys = Int8Array::new(ScalarBuffer::new(Buffer::from_vec(codes), 0, n), None);
        Arc::new(DictionaryArray::<Int8Type>::try_new(keys, values).expect("codes index labels"))
    } else {
        let keys = Int16Array::from_iter_values(codes.into_iter().map(i16::from));
        Arc::new(DictionaryArray::<Int16Type>::try_new(keys, values).expect("codes index labels"))
    }
}

/// The `classification` table of `units` under `rs`; `reasons` adds the reasons
/// column.
pub fn classification(rs: &Ruleset, units: &Units, reasons: bool, face: Face) -> RecordBatch {
    classification_rows(rs, units, reasons, face, 0..units.populations.len())
}

/// The rows `rows` of the `classification` table (see [`classification`]): a caller
/// writing a long table out may build and write it a slice at a time, so that the
/// whole table (its reasons above all) is never held at once.
pub fn classification_rows(
    rs: &Ruleset,
    units: &Units,
    reasons: bool,
    face: Face,
    rows: std::ops::Range<usize>,
) -> RecordBatch {
    let whole = rows.start == 0 && rows.end == units.populations.len();
    let (start, n) = (rows.start, rows.len());
    let exact = units.exact.as_ref().map(|e| &e[rows.clone()]);
    let (pops, caps) = (&units.populations[rows.clone()], &units.capabilities[rows]);
    let mut tiers = vec![0u8; n];
    let mut bands = vec![BandStatus::InBand; n];
    // The columns are of one length by construction.
    if let Some(exact) = exact {
        let _ = rs.classify_batch_exact(exact, caps, &mut tiers);
        let _ = rs.band_status_in_tiers_batch_exact(exact, &tiers, &mut bands);
    } else {
        let _ = rs.classify_batch(pops, caps, &mut tiers);
        let _ = rs.band_status_in_tiers_batch(pops, &tiers, &mut bands);
    }
    let mut b = Builder::new(&spec::CLASSIFICATION, face);
    if let Some(ids) = &units.ids {
        b.put("unit_id", || {
            if whole {
                ids.clone()
            } else {
                ids.slice(start, n)
            }
        });
    }
    b.put("population", || match &units.population_array {
        // The caller's own column, shared: no copy.
        Some(a) if whole => a.clone(),
        Some(a) => a.slice(start, n),
        // Some population is fractional: exact text for the whole column.
        None => match exact {
            Some(e) => Arc::new(StringArray::from_iter_values(
                e.iter().map(|p| p.to_string()),
            )),
            None => ints(pops.iter().map(|&p| p as i64)),
        },
    });
    b.put("tier", || {
        coded(rs.tier_ids().map(str::to_string).collect(), tiers.clone())
    });
    b.put("band_status", || {
        coded(
            BandStatus::ALL
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            bands.iter().map(|&s| band_code(s)).collect(),
        )
    });
    if reasons {
        b.put("reasons", || {
            // One buffer for every line, written in place: no string per row.
            let w = ReasonsWriter::new(rs);
            // Sized from the first lines, so the buffer is allocated once.
            let mut sample = String::new();
            let head = n.min(256);
            // Whole populations (most tables) write without looking at exact ones.
            type Cols<'c> = (&'c [u64], Option<&'c [Population]>, &'c [u64], &'c [u8]);
            fn line<W: std::fmt::Write>(
                w: &ReasonsWriter<'_>,
                i: usize,
                (pops, exact, caps, tiers): Cols<'_>,
                out: &mut W,
            ) {
                match exact {
                    Some(e) => w.write_exact(e[i], caps[i], tiers[i] as usize, out),
                    None => w.write(pops[i], caps[i], tiers[i] as usize, out),
                }
            }
            let cols = (pops, exact, caps, &tiers[..]);
            for i in 0..head {
                line(&w, i, cols, &mut sample);
            }
            let per_row = sample.len() / head.max(1) + 16;
            let mut out = StringBuilder::with_capacity(n, n * per_row);
            for i in 0..n {
                line(&w, i, cols, &mut out);
                out.append_value("");
            }
            Arc::new(out.finish())
        });
    }
    b.finish()
}

/// Needs as a `needs` table (what a register becomes): `unit_id`, then
/// `hi_weighted_population` as exact text (when any practice has one), then one column
/// of counts per age band of `rs` (when any practice has counts), in the ruleset's
/// order. It reads back as the same needs.
pub fn needs(rs: &Ruleset, needs: &Needs, face: Face) -> RecordBatch {
    let rows = needs.rows();
    let mut b = Builder::new(&spec::NEEDS, face);
    b.put("unit_id", || strings(rows.iter().map(|(id, _)| id)));
    if rows.iter().any(|(_, n)| n.hi_weighted_population.is_some()) {
        b.put("hi_weighted_population", || {
            opt_strings(
                rows.iter()
                    .map(|(_, n)| n.hi_weighted_population.map(decimal_text)),
            )
        });
    }
    if rows.iter().any(|(_, n)| !n.age_counts.is_empty()) {
        for band in localcare::register::age_bands(rs) {
            let counts = ints(
                rows.iter()
                    .map(|(_, n)| n.age_counts.get(&band).map_or(0, |&c| c as i64)),
            );
            b.put_other(&band, counts);
        }
    }
    b.finish()
}

/// A register tallied by practice and age band, as a `person_counts` table.
pub fn person_counts(counts: &[PersonCount], face: Face) -> RecordBatch {
    let mut b = Builder::new(&spec::PERSON_COUNTS, face);
    b.put("unit_id", || strings(counts.iter().map(|c| &c.unit_id)));
    b.put("age_band", || {
        opt_strings(counts.iter().map(|c| c.age_band.as_deref()))
    });
    b.put("persons", || ints(counts.iter().map(|c| c.persons)));
    b.put("hi_weight_millionths", || {
        opt_ints(counts.iter().map(|c| c.weight_sum))
    });
    b.finish()
}

/// A band status's code in `BandStatus::ALL`.
fn band_code(s: BandStatus) -> u8 {
    match s {
        BandStatus::InBand => 0,
        BandStatus::Overlap => 1,
        BandStatus::Gap => 2,
        BandStatus::OutsideAdvisoryBand => 3,
    }
}

/// The `findings` table of a validation report.
pub fn findings(r: &Report, face: Face) -> RecordBatch {
    let f = r.findings();
    let mut b = Builder::new(&spec::FINDINGS, face);
    b.put("code", || strings(f.iter().map(|x| x.code.as_str())));
    b.put("name", || strings(f.iter().map(|x| x.code.name())));
    b.put("severity", || {
        strings(f.iter().map(|x| x.severity.as_str()))
    });
    b.put("unit_id", || {
        opt_strings(f.iter().map(|x| x.unit_id.as_deref()))
    });
    b.put("rule", || strings(f.iter().map(|x| &*x.rule)));
    b.put("message", || strings(f.iter().map(|x| x.message.as_str())));
    b.finish()
}

/// The text columns of an allocation (`unit_id`, `tier`, `parent_id`): the same for
/// every budget on one prepared footprint, so a caller running many may build them
/// once ([`AllocationLabels::new`]) and share them.
#[derive(Debug, Clone)]
pub struct AllocationLabels {
    ids: ArrayRef,
    tiers: ArrayRef,
    parents: ArrayRef,
    units: usize,
    pots: Vec<String>,
}

impl AllocationLabels {
    /// The labels of `a`'s rows.
    pub fn new(a: &Allocation, rs: &Ruleset) -> Self {
        let n = a.unit_count() + a.pots().len();
        // Tiers by code: the ruleset's tier ids, then the commissioner (for the pots).
        let mut labels: Vec<String> = rs.tier_ids().map(str::to_string).collect();
        labels.push(STRATEGIC_COMMISSIONER.to_string());
        let id_bytes: usize = a.unit_ids().iter().map(String::len).sum();
        let mut ids = StringBuilder::with_capacity(n, id_bytes);
        let mut parents = StringBuilder::with_capacity(n, id_bytes);
        let mut codes = Vec::with_capacity(n);
        // Rows of one tier come together (top-down order): look a tier up when it changes.
        let mut last: (&str, u8) = ("", 0);
        for r in a.rows() {
            ids.append_value(r.unit_id);
            parents.append_option(r.parent_id);
            if r.tier != last.0 {
                let code = labels
                    .iter()
                    .position(|l| l == r.tier)
                    .unwrap_or(labels.len() - 1) as u8;
                last = (r.tier, code);
            }
            codes.push(last.1);
        }
        AllocationLabels {
            ids: Arc::new(ids.finish()),
            tiers: coded(labels, codes),
            parents: Arc::new(parents.finish()),
            units: a.unit_count(),
            pots: a.pots().iter().map(|p| p.id.clone()).collect(),
        }
    }

    /// Whether these are the labels of `a`'s rows.
    pub fn fits(&self, a: &Allocation) -> bool {
        self.units == a.unit_count() && self.pots.iter().eq(a.pots().iter().map(|p| &p.id))
    }
}

/// The `allocation` table: units top down, then the strategic commissioner's pots.
/// `labels`, when given, must fit `a` (else they are rebuilt).
pub fn allocation(
    a: &Allocation,
    rs: &Ruleset,
    labels: Option<&AllocationLabels>,
    face: Face,
) -> RecordBatch {
    let built;
    let labels = match labels {
        Some(l) if l.fits(a) => l,
        _ => {
            built = AllocationLabels::new(a, rs);
            &built
        }
    };
    // Straight from the result's columns (units in row order, then the pots), so a
    // million rows are a few copies rather than a million row structs; each column is
    // built once, into the buffer Arrow keeps, and only when the face shows it.
    let pots = a.pots();
    let units = a.unit_count();
    let n = units + pots.len();
    let column = |units: &[i64], pot: fn(&localcare::allocate::PotRow) -> i64| {
        let mut v = Vec::with_capacity(n);
        v.extend_from_slice(units);
        v.extend(pots.iter().map(pot));
        v
    };
    // Pots have no weighted population: 0.
    let nano = a.weighted_population_nano();
    let nano_at = |q: usize| nano.get(q).copied().unwrap_or(0);
    // Need indices by unit (none for a component not given), then empty for the pots.
    let indices = |v: Option<Vec<Option<NeedIndex>>>| v.unwrap_or_default();
    let index_at = |v: &[Option<NeedIndex>], q: usize| v.get(q).copied().flatten();
    let index_text = |v: &[Option<NeedIndex>]| {
        text_cells(n, |q, s| index_at(v, q).map(|x| x.write_text(s)).is_some())
    };
    let index_float = |v: &[Option<NeedIndex>]| -> ArrayRef {
        Arc::new(Float64Array::from_iter(
            (0..n).map(|q| index_at(v, q).as_ref().map(NeedIndex::to_f64)),
        ))
    };
    let relative = indices(a.need_indices(None));
    let target = Int64Array::from(column(a.target_pence(), |p| p.allocation_pence));
    let alloc = Int64Array::from(column(a.allocation_pence(), |p| p.allocation_pence));
    let (target_v, alloc_v) = (target.values(), alloc.values());
    let given = a.baseline_pence();
    let dft: Vec<Option<i64>> = target_v
        .iter()
        .zip(alloc_v.iter())
        .map(|(&t, &a)| distance_from_target_ppm(a, t))
        .collect();
    let mut b = Builder::new(&spec::ALLOCATION, face);
    b.put("unit_id", || labels.ids.clone());
    b.put("tier", || labels.tiers.clone());
    b.put("parent_id", || labels.parents.clone());
    b.put("weighted_population", || {
        text_cells(n, |q, s| {
            write_nano_text(s, nano_at(q));
            true
        })
    });
    // A weighted population past i64 millionths (9.2 trillion people) is saturated.
    b.put("weighted_population_micro", || {
        let micro = a.weighted_population_micro();
        let mut v: Vec<i64> = Vec::with_capacity(n);
        v.extend(micro.iter().map(|&m| i64::try_from(m).unwrap_or(i64::MAX)));
        v.resize(n, 0);
        int_vec(v)
    });
    b.put("relative_need_index", || index_text(&relative));
    b.put("relative_need_index_float", || index_float(&relative));
    b.put("target_pence", || Arc::new(target.clone()));
    b.put("target_pounds", || pounds_column(target_v));
    let baseline_at = |q: usize| given.get(q).copied();
    b.put("baseline_pence", || prefix_ints(given, n));
    b.put("baseline_pounds", || {
        text_cells(n, |q, s| {
            baseline_at(q).map(|p| write_pounds_plain(s, p)).is_some()
        })
    });
    b.put("allocation_pence", || Arc::new(alloc.clone()));
    b.put("allocation_pounds", || pounds_column(alloc_v));
    let retained = Int64Array::from(column(a.retained_pence(), |p| p.allocation_pence));
    b.put("retained_pence", || Arc::new(retained.clone()));
    b.put("retained_pounds", || pounds_column(retained.values()));
    b.put("distance_from_target", || {
        text_cells(n, |q, s| dft[q].map(|d| write_ppm_text(s, d)).is_some())
    });
    b.put("distance_from_target_ppm", || opt_int_cells(n, |q| dft[q]));
    let per_head = a.per_head_pence();
    let per_head_col = |pick: for<'b> fn(localcare::allocate::PerHeadPence<'b>) -> &'b [i64]| {
        prefix_ints(per_head.map(pick).unwrap_or(&[]), n)
    };
    b.put("per_head_gross_pence", || per_head_col(|p| p.gross));
    b.put("per_head_deduction_pence", || per_head_col(|p| p.deduction));
    b.put("per_head_payment_pence", || per_head_col(|p| p.payment));
    b.put("per_head_payment_pounds", || {
        let payment = per_head.map(|p| p.payment).unwrap_or(&[]);
        text_cells(n, |q, s| {
            payment.get(q).map(|&p| write_pounds_plain(s, p)).is_some()
        })
    });
    let [wp_c, ni_c, nif_c] = spec::ALLOCATION_PER_COMPONENT else {
        unreachable!("three columns per component")
    };
    for c in a.component_ids() {
        let wp = a.component_weighted_population_nano(c).unwrap_or(&[]);
        let ni = indices(a.need_indices(Some(c)));
        b.put_pattern(wp_c, &wp_c.name.replace("{component}", c), || {
            text_cells(n, |q, s| {
                wp.get(q).map(|&w| write_nano_text(s, w)).is_some()
            })
        });
        b.put_pattern(ni_c, &ni_c.name.replace("{component}", c), || {
            index_text(&ni)
        });
        b.put_pattern(nif_c, &nif_c.name.replace("{component}", c), || {
            index_float(&ni)
        });
    }
    let [lt_c, la_c, lp_c] = spec::ALLOCATION_PER_LINE else {
        unreachable!("three columns per line")
    };
    for l in a.lines() {
        let la = &l.allocation;
        let t = column(la.target_pence(), |_| 0);
        let al = column(la.allocation_pence(), |_| 0);
        // A pot's line amount is the pot's share of the line.
        let (t, al) = pots_of_line(la, t, al, a.unit_count());
        let al = Int64Array::from(al);
        b.put_pattern(lt_c, &lt_c.name.replace("{line}", &l.line), || int_vec(t));
        b.put_pattern(la_c, &la_c.name.replace("{line}", &l.line), || {
            Arc::new(al.clone())
        });
        b.put_pattern(lp_c, &lp_c.name.replace("{line}", &l.line), || {
            pounds_column(al.values())
        });
    }
    b.finish()
}

/// A line's target and allocation columns with its pots' amounts in the pot rows.
fn pots_of_line(
    la: &Allocation,
    mut t: Vec<i64>,
    mut al: Vec<i64>,
    units: usize,
) -> (Vec<i64>, Vec<i64>) {
    for (j, p) in la.pots().iter().enumerate() {
        t[units + j] = p.allocation_pence;
        al[units + j] = p.allocation_pence;
    }
    (t, al)
}

/// The `settlement` table.
pub fn settlements(s: &[Settlement], face: Face) -> RecordBatch {
    let mut b = Builder::new(&spec::SETTLEMENT, face);
    b.put("unit_id", || strings(s.iter().map(|x| &x.unit_id)));
    b.put("benchmark_pence", || {
        ints(s.iter().map(|x| x.benchmark_pence))
    });
    b.put("actual_pence", || ints(s.iter().map(|x| x.actual_pence)));
    b.put("savings_pence", || ints(s.iter().map(|x| x.savings_pence)));
    b.put("savings_rate", || {
        strings(s.iter().map(|x| decimal_text(x.savings_rate)))
    });
    b.put("savings_rate_float", || {
        floats(s.iter().map(|x| x.savings_rate))
    });
    b.put("minimum_rate", || {
        strings(s.iter().map(|x| decimal_text(x.minimum_rate)))
    });
    b.put("minimum_rate_float", || {
        floats(s.iter().map(|x| x.minimum_rate))
    });
    b.put("minimum_rate_met", || {
        bools(s.iter().map(|x| x.minimum_rate_met))
    });
    b.put("quality", || {
        strings(s.iter().map(|x| decimal_text(x.quality)))
    });
    b.put("quality_float", || floats(s.iter().map(|x| x.quality)));
    b.put("quality_gate_passed", || {
        bools(s.iter().map(|x| x.quality_gate_passed))
    });
    b.put("sharing_rate", || {
        strings(s.iter().map(|x| decimal_text(x.sharing_rate)))
    });
    b.put("sharing_rate_float", || {
        floats(s.iter().map(|x| x.sharing_rate))
    });
    b.put("amount_before_cap_pence", || {
        ints(s.iter().map(|x| x.amount_before_cap_pence))
    });
    b.put("cap_pence", || ints(s.iter().map(|x| x.cap_pence)));
    b.put("capped", || bools(s.iter().map(|x| x.capped)));
    b.put("final_pence", || ints(s.iter().map(|x| x.final_pence)));
    b.put("final_pounds", || {
        strings(s.iter().map(|x| pounds_plain(x.final_pence)))
    });
    b.put("explanation", || {
        strings(s.iter().map(|x| x.explanation.join("\n")))
    });
    b.finish()
}

fn opt_bools(v: impl IntoIterator<Item = Option<bool>>) -> ArrayRef {
    Arc::new(v.into_iter().collect::<BooleanArray>())
}

fn opt_floats(v: impl IntoIterator<Item = Option<Decimal>>) -> ArrayRef {
    Arc::new(
        v.into_iter()
            .map(|d| d.map(|d| d.to_f64().unwrap_or(f64::NAN)))
            .collect::<Float64Array>(),
    )
}

/// The columns of `shift` and `reductions`. The settlement's columns are put only when
/// the rows were settled.
fn shift_rows(spec: &'static TableSpec, rows: &[&Shifted], face: Face) -> RecordBatch {
    let o = || rows.iter().map(|r| &r.outcome);
    let mut b = Builder::new(spec, face);
    b.put("unit_id", || strings(o().map(|x| &x.unit_id)));
    b.put("emergency_admissions", || {
        ints(o().map(|x| x.emergency_admissions))
    });
    b.put("avoidable_share", || {
        strings(o().map(|x| decimal_text(x.avoidable_share)))
    });
    b.put("reduction", || {
        strings(o().map(|x| decimal_text(x.reduction)))
    });
    b.put("reduction_float", || floats(o().map(|x| x.reduction)));
    b.put("bed_days_per_admission", || {
        strings(o().map(|x| decimal_text(x.bed_days_per_admission)))
    });
    b.put("bed_day_cost_pence", || {
        ints(o().map(|x| x.bed_day_cost_pence))
    });
    b.put("replacement_cost_pence", || {
        ints(o().map(|x| x.replacement_cost_pence))
    });
    b.put("fixed_cost_pence", || ints(o().map(|x| x.fixed_cost_pence)));
    b.put("occupancy", || {
        strings(o().map(|x| decimal_text(x.occupancy)))
    });
    b.put("admissions_avoided", || {
        strings(o().map(|x| decimal_text(x.admissions_avoided)))
    });
    b.put("bed_days_released", || {
        strings(o().map(|x| decimal_text(x.bed_days_released)))
    });
    b.put("beds_released", || {
        strings(o().map(|x| decimal_text(x.beds_released)))
    });
    b.put("beds_released_float", || {
        floats(o().map(|x| x.beds_released))
    });
    for (pence, pounds, get) in [
        (
            "gross_savings_pence",
            "gross_savings_pounds",
            (|x: &ShiftOutcome| x.gross_savings_pence) as fn(&ShiftOutcome) -> i64,
        ),
        ("reinvestment_pence", "reinvestment_pounds", |x| {
            x.reinvestment_pence
        }),
        ("net_savings_pence", "net_savings_pounds", |x| {
            x.net_savings_pence
        }),
    ] {
        b.put(pence, || ints(o().map(get)));
        b.put(pounds, || strings(o().map(|x| pounds_plain(get(x)))));
    }
    if !rows.is_empty() && rows.iter().all(|r| r.settlement.is_some()) {
        let s = || rows.iter().map(|r| r.settlement.as_ref());
        b.put("benchmark_pence", || {
            opt_ints(rows.iter().map(|r| r.benchmark_pence))
        });
        b.put("expected_actual_pence", || {
            opt_ints(rows.iter().map(|r| r.expected_actual_pence))
        });
        b.put("expected_actual_pounds", || {
            opt_strings(
                rows.iter()
                    .map(|r| r.expected_actual_pence.map(pounds_plain)),
            )
        });
        b.put("savings_rate", || {
            opt_strings(s().map(|x| x.map(|x| decimal_text(x.savings_rate))))
        });
        b.put("savings_rate_float", || {
            opt_floats(s().map(|x| x.map(|x| x.savings_rate)))
        });
        b.put("minimum_rate", || {
            opt_strings(s().map(|x| x.map(|x| decimal_text(x.minimum_rate))))
        });
        b.put("minimum_rate_met", || {
            opt_bools(s().map(|x| x.map(|x| x.minimum_rate_met)))
        });
        b.put("quality", || {
            opt_strings(s().map(|x| x.map(|x| decimal_text(x.quality))))
        });
        b.put("quality_gate_passed", || {
            opt_bools(s().map(|x| x.map(|x| x.quality_gate_passed)))
        });
        b.put("sharing_rate", || {
            opt_strings(s().map(|x| x.map(|x| decimal_text(x.sharing_rate))))
        });
        b.put("capped", || opt_bools(s().map(|x| x.map(|x| x.capped))));
        b.put("final_pence", || {
            opt_ints(s().map(|x| x.map(|x| x.final_pence)))
        });
        b.put("final_pounds", || {
            opt_strings(s().map(|x| x.map(|x| pounds_plain(x.final_pence))))
        });
    }
    b.put("explanation", || {
        strings(rows.iter().map(|r| r.explanation.join("\n")))
    });
    b.finish()
}

/// The `shift` table: one row per unit, with the settlement's columns when the run was
/// settled against benchmarks.
pub fn shift(run: &ShiftRun, face: Face) -> RecordBatch {
    let rows: Vec<&Shifted> = run.rows.iter().collect();
    shift_rows(&spec::SHIFT, &rows, face)
}

/// The `reductions` table: the runs of a sweep, one after another.
pub fn reductions(runs: &[ShiftRun], face: Face) -> RecordBatch {
    let rows: Vec<&Shifted> = runs.iter().flat_map(|r| &r.rows).collect();
    shift_rows(&spec::REDUCTIONS, &rows, face)
}

/// The `answers` table: each answer with its question (`break_even`,
/// `minimum_savings_rate` or `target`) and unit (none for a target).
pub fn answers(answers: &[(&str, Option<&str>, &ReductionAnswer)], face: Face) -> RecordBatch {
    let a = || answers.iter().map(|(_, _, a)| *a);
    let mut b = Builder::new(&spec::ANSWERS, face);
    b.put("question", || strings(answers.iter().map(|(q, _, _)| *q)));
    b.put("unit_id", || {
        opt_strings(answers.iter().map(|(_, u, _)| *u))
    });
    b.put("reduction", || {
        opt_strings(a().map(|x| x.reduction.map(decimal_text)))
    });
    b.put("max_reduction", || {
        strings(a().map(|x| decimal_text(x.max_reduction)))
    });
    b.put("net_savings_pence", || {
        ints(a().map(|x| x.net_savings_pence))
    });
    b.put("net_savings_pounds", || {
        strings(a().map(|x| pounds_plain(x.net_savings_pence)))
    });
    b.put("explanation", || {
        strings(a().map(|x| x.explanation.as_str()))
    });
    b.finish()
}

fn categories<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    let mut labels: Vec<String> = Vec::new();
    let codes = values
        .map(|v| match labels.iter().position(|l| l == v) {
            Some(i) => i as u8,
            None => {
                labels.push(v.to_string());
                (labels.len() - 1) as u8
            }
        })
        .collect();
    coded(labels, codes)
}

/// The `appraisal` table: one row per option, in the appraisal's order.
pub fn appraisal(a: &Appraisal, face: Face) -> RecordBatch {
    let o = || a.options.iter();
    let mut b = Builder::new(&spec::APPRAISAL, face);
    b.put("option_id", || strings(o().map(|x| &x.id)));
    b.put("sites", || {
        strings(o().map(|x| x.site_ids().collect::<Vec<_>>().join(";")))
    });
    b.put("hasus", || ints(o().map(|x| x.hasus.len() as i64)));
    b.put("passed", || bools(o().map(|x| x.passed)));
    b.put("failed", || {
        strings(o().map(|x| {
            a.hurdles
                .iter()
                .zip(&x.hurdles)
                .filter(|(_, h)| !h.passed)
                .map(|(c, _)| c.id.as_str())
                .collect::<Vec<_>>()
                .join(";")
        }))
    });
    b.put("rank", || opt_ints(o().map(|x| x.rank.map(|r| r as i64))));
    b.put("total", || {
        opt_strings(o().map(|x| x.total.map(decimal_text)))
    });
    b.put("total_float", || opt_floats(o().map(|x| x.total)));
    b.put("min_volume", || {
        strings(o().map(|x| {
            decimal_text(
                x.hasus
                    .iter()
                    .map(|h| h.projected_admissions)
                    .min()
                    .unwrap_or_default(),
            )
        }))
    });
    b.put("min_volume_float", || {
        floats(o().map(|x| {
            x.hasus
                .iter()
                .map(|h| h.projected_admissions)
                .min()
                .unwrap_or_default()
        }))
    });
    b.put("max_volume", || {
        strings(o().map(|x| {
            decimal_text(
                x.hasus
                    .iter()
                    .map(|h| h.projected_admissions)
                    .max()
                    .unwrap_or_default(),
            )
        }))
    });
    b.put("max_volume_float", || {
        floats(o().map(|x| {
            x.hasus
                .iter()
                .map(|h| h.projected_admissions)
                .max()
                .unwrap_or_default()
        }))
    });
    b.put("max_travel_minutes", || {
        strings(o().map(|x| decimal_text(x.max_travel_minutes)))
    });
    b.put("max_travel_minutes_float", || {
        floats(o().map(|x| x.max_travel_minutes))
    });
    b.put("max_travel_zone", || {
        strings(o().map(|x| &x.max_travel_zone))
    });
    b.put("mean_travel_minutes", || {
        strings(o().map(|x| decimal_text(x.mean_travel_minutes)))
    });
    b.put("mean_travel_minutes_float", || {
        floats(o().map(|x| x.mean_travel_minutes))
    });
    b.put("within_minutes", || {
        opt_strings(o().map(|_| a.within_minutes.map(decimal_text)))
    });
    b.put("share_within", || {
        opt_strings(o().map(|x| x.share_within.map(decimal_text)))
    });
    b.put("share_within_float", || {
        opt_floats(o().map(|x| x.share_within))
    });
    b.put("in_area_patients", || {
        strings(o().map(|_| decimal_text(a.total_patients)))
    });
    b.put("out_of_area_patients", || {
        strings(o().map(|_| decimal_text(a.out_of_area_patients)))
    });
    b.put("explanation", || {
        strings((0..a.options.len()).map(|i| a.explain_option(i).join("\n")))
    });
    b.finish()
}

/// The `hurdles` table: one row per option and hurdle criterion.
pub fn hurdles(a: &Appraisal, face: Face) -> RecordBatch {
    let rows = || {
        a.options.iter().flat_map(|o| {
            a.hurdles
                .iter()
                .zip(&o.hurdles)
                .map(move |(c, h)| (o, c, h))
        })
    };
    let mut b = Builder::new(&spec::HURDLES, face);
    b.put("option_id", || strings(rows().map(|(o, _, _)| &o.id)));
    b.put("criterion", || strings(rows().map(|(_, c, _)| &c.id)));
    b.put("kind", || {
        categories(rows().map(|(_, c, _)| c.hurdle.kind()))
    });
    b.put("passed", || bools(rows().map(|(_, _, h)| h.passed)));
    b.put("observed", || {
        strings(rows().map(|(_, _, h)| decimal_text(h.observed)))
    });
    b.put("observed_float", || {
        floats(rows().map(|(_, _, h)| h.observed))
    });
    b.put("bound", || {
        strings(rows().map(|(_, _, h)| decimal_text(h.bound)))
    });
    b.put("bound_float", || floats(rows().map(|(_, _, h)| h.bound)));
    b.put("at", || {
        opt_strings(rows().map(|(_, _, h)| h.at.as_deref()))
    });
    b.put("reason", || strings(rows().map(|(_, _, h)| &h.reason)));
    b.put("remedy", || {
        opt_strings(rows().map(|(_, _, h)| h.remedy.as_deref()))
    });
    b.finish()
}

/// The `volumes` table: one row per option and HASU.
pub fn volumes(a: &Appraisal, face: Face) -> RecordBatch {
    let rows = || {
        a.options
            .iter()
            .flat_map(|o| o.hasus.iter().map(move |h| (o, h)))
    };
    let mut b = Builder::new(&spec::VOLUMES, face);
    b.put("option_id", || strings(rows().map(|(o, _)| &o.id)));
    b.put("site_id", || strings(rows().map(|(_, h)| &h.site_id)));
    b.put("current_admissions", || {
        ints(rows().map(|(_, h)| h.current_admissions))
    });
    b.put("projected_admissions", || {
        strings(rows().map(|(_, h)| decimal_text(h.projected_admissions)))
    });
    b.put("projected_admissions_float", || {
        floats(rows().map(|(_, h)| h.projected_admissions))
    });
    b.put("out_of_area_admissions", || {
        strings(rows().map(|(_, h)| decimal_text(h.out_of_area_admissions)))
    });
    b.put("out_of_area_admissions_float", || {
        floats(rows().map(|(_, h)| h.out_of_area_admissions))
    });
    b.put("fixed_open", || bools(rows().map(|(_, h)| h.fixed_open)));
    b.put("zones", || ints(rows().map(|(_, h)| h.zones as i64)));
    b.finish()
}

/// The `evaluation` table: one row per shortlisted option (best first) and criterion.
pub fn evaluation(a: &Appraisal, face: Face) -> RecordBatch {
    let rows = || {
        a.shortlist().flat_map(|o| {
            a.criteria
                .iter()
                .zip(&o.scores)
                .map(move |(c, s)| (o, c, s))
        })
    };
    let mut b = Builder::new(&spec::EVALUATION, face);
    b.put("option_id", || strings(rows().map(|(o, _, _)| &o.id)));
    b.put("rank", || {
        ints(rows().map(|(o, _, _)| o.rank.unwrap_or_default() as i64))
    });
    b.put("criterion", || strings(rows().map(|(_, c, _)| &c.id)));
    b.put("measure", || {
        categories(rows().map(|(_, c, _)| c.measure.kind()))
    });
    b.put("value", || {
        opt_strings(rows().map(|(_, _, s)| s.value.map(decimal_text)))
    });
    b.put("value_float", || {
        opt_floats(rows().map(|(_, _, s)| s.value))
    });
    b.put("score", || ints(rows().map(|(_, _, s)| i64::from(s.score))));
    b.put("score_text", || {
        strings(rows().map(|(_, _, s)| score_text(s.score)))
    });
    b.put("points", || {
        strings(rows().map(|(_, _, s)| decimal_text(s.points)))
    });
    b.put("points_float", || floats(rows().map(|(_, _, s)| s.points)));
    b.put("weight", || {
        strings(rows().map(|(_, c, _)| decimal_text(c.weight)))
    });
    b.put("weighted", || {
        strings(rows().map(|(_, _, s)| decimal_text(s.weighted)))
    });
    b.put("weighted_float", || {
        floats(rows().map(|(_, _, s)| s.weighted))
    });
    b.finish()
}

/// The `catchment` table of options `indices` (in the order given): one row per
/// zone under each.
pub fn catchment(a: &Appraisal, indices: &[usize], face: Face) -> RecordBatch {
    let rows: Vec<(&str, localcare::appraise::ZoneCatchment)> = indices
        .iter()
        .flat_map(|&i| {
            let id = a.options.get(i).map_or("", |o| o.id.as_str());
            a.catchment(i).into_iter().map(move |c| (id, c))
        })
        .collect();
    let r = || rows.iter();
    let mut b = Builder::new(&spec::CATCHMENT, face);
    b.put("option_id", || strings(r().map(|x| x.0)));
    b.put("zone_id", || strings(r().map(|x| &x.1.zone_id)));
    b.put("site_id", || strings(r().map(|x| &x.1.site_id)));
    b.put("minutes", || {
        strings(r().map(|x| decimal_text(x.1.minutes)))
    });
    b.put("minutes_float", || floats(r().map(|x| x.1.minutes)));
    b.put("patients", || {
        strings(r().map(|x| decimal_text(x.1.patients)))
    });
    b.put("patients_float", || floats(r().map(|x| x.1.patients)));
    b.put("in_area", || bools(r().map(|x| x.1.in_area)));
    b.finish()
}

/// The `search` table: one row per number of HASUs searched (none when the long list
/// was enumerated).
pub fn search(a: &Appraisal, face: Face) -> RecordBatch {
    let r = || a.search.iter();
    let mut b = Builder::new(&spec::SEARCH, face);
    b.put("hasus", || ints(r().map(|x| x.hasus as i64)));
    b.put("option_id", || strings(r().map(|x| &x.option_id)));
    b.put("mean_travel_minutes", || {
        strings(r().map(|x| decimal_text(x.mean_travel_minutes)))
    });
    b.put("mean_travel_minutes_float", || {
        floats(r().map(|x| x.mean_travel_minutes))
    });
    b.put("bound_minutes", || {
        strings(r().map(|x| decimal_text(x.bound_minutes)))
    });
    b.put("bound_minutes_float", || {
        floats(r().map(|x| x.bound_minutes))
    });
    b.put("gap_ppm", || {
        opt_ints(r().map(|x| x.gap_ppm.map(|g| i64::try_from(g).unwrap_or(i64::MAX))))
    });
    b.put("volume_outside", || {
        opt_strings(r().map(|x| x.volume_outside.map(decimal_text)))
    });
    b.put("volume_outside_float", || {
        opt_floats(r().map(|x| x.volume_outside))
    });
    b.put("restarts", || ints(r().map(|x| x.restarts as i64)));
    b.put("bound_steps", || ints(r().map(|x| x.bound_steps as i64)));
    b.finish()
}
