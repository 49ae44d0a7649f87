//! Person-level registers over tables (docs/scale.md#registers): a `persons` table into a
//! `person_counts` table or straight into needs, and `person_counts` (added up by a
//! cluster, say) into needs. Only the columns are here; the rule is the core's
//! [`localcare::register`].

use localcare::register::{self, Person, PersonCount, RegisterError};
use localcare::{Needs, Ruleset};

use crate::columns::{Reader, Table};
use crate::error::TableError;
use crate::spec::{self, TableSpec};

type Res<T> = Result<T, TableError>;

/// The core's error at the column (as the caller named it) and row it is about.
fn at(r: &Reader<'_>, spec: &'static TableSpec, e: RegisterError) -> TableError {
    let described = match (spec.name, e.field()) {
        (_, Some("person_id")) => Some("person_id"),
        (_, Some("age_band")) => Some("age_band"),
        ("persons", Some("weight")) => Some("hi_weight"),
        (_, Some("persons")) => Some("persons"),
        (_, Some("weight") | Some("weight_sum")) => Some("hi_weight_millionths"),
        _ => None,
    };
    match described {
        Some(c) => {
            let name = r.find(c).ok().flatten().map_or(c, |f| f.name);
            r.err(name, e.row(), e.to_string())
        }
        None => TableError::table(spec.name, e.to_string()),
    }
}

/// Empty text is no value: a band column of empty text is a register without bands.
fn non_empty(v: Option<Vec<Option<String>>>, n: usize) -> Vec<Option<String>> {
    v.map(|v| v.into_iter().map(|s| s.filter(|s| !s.is_empty())).collect())
        .unwrap_or_else(|| vec![None; n])
}

/// Reads a `persons` table and tallies it by practice and age band (checking every
/// person), as the core's [`register::tally`].
pub fn tally(t: &Table, rs: &Ruleset) -> Res<Vec<PersonCount>> {
    let r = Reader::new(t, &spec::PERSONS);
    let ids = r.ids("person_id")?.unwrap_or_default();
    let units = r.ids("unit_id")?.unwrap_or_default();
    let n = ids.len();
    let bands = non_empty(r.text("age_band")?, n);
    let weights = r.decimals("hi_weight")?.unwrap_or_else(|| vec![None; n]);
    let people: Vec<Person<'_>> = (0..n)
        .map(|i| Person {
            person_id: &ids[i],
            unit_id: &units[i],
            age_band: bands[i].as_deref(),
            weight: weights[i],
        })
        .collect();
    register::tally(rs, &people).map_err(|e| at(&r, &spec::PERSONS, e))
}

/// Reads a `person_counts` table (rows for the same practice and band are added).
pub fn counts(t: &Table) -> Res<Vec<PersonCount>> {
    let r = Reader::new(t, &spec::PERSON_COUNTS);
    let units = r.ids("unit_id")?.unwrap_or_default();
    let n = units.len();
    let bands = non_empty(r.text("age_band")?, n);
    let persons = r.ints("persons")?.unwrap_or_default();
    let weights = r
        .ints("hi_weight_millionths")?
        .unwrap_or_else(|| vec![None; n]);
    units
        .into_iter()
        .zip(bands)
        .zip(persons.into_iter().zip(weights))
        .enumerate()
        .map(|(row, ((unit_id, age_band), (persons, weight_sum)))| {
            let persons = persons.ok_or_else(|| {
                r.err(
                    "persons",
                    Some(row),
                    "missing; expected a whole number of people",
                )
            })?;
            Ok(PersonCount {
                unit_id,
                age_band,
                persons,
                weight_sum,
            })
        })
        .collect()
}

/// A `person_counts` table into needs, as the core's [`register::needs_from_counts`].
pub fn needs_from_counts(t: &Table, rs: &Ruleset) -> Res<Needs> {
    let c = counts(t)?;
    let r = Reader::new(t, &spec::PERSON_COUNTS);
    register::needs_from_counts(rs, &c).map_err(|e| at(&r, &spec::PERSON_COUNTS, e))
}

/// A `persons` table into needs on one machine: [`tally`], then the core's
/// [`register::needs_from_counts`].
pub fn needs_from_persons(t: &Table, rs: &Ruleset) -> Res<Needs> {
    let c = tally(t, rs)?;
    register::needs_from_counts(rs, &c)
        .map_err(|e| TableError::table(spec::PERSONS.name, e.to_string()))
}
