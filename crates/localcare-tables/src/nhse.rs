//! NHS England's practice file into a footprint and a needs table, in one step
//! (docs/practices.md). The file (table `nhse_practices`, described in [`crate::spec`])
//! is read under its own column names; each practice goes under a place (a district, or
//! the caller's mapping) or straight under its ICB, as the tiers of `england-icb-2024`
//! have it; each weighted population is copied into `wp_<component>` exactly as written,
//! never through a float, so that allocating the result gives exact apportionment by the
//! published figures.
//!
//! What the file's own shape can get wrong is refused here, naming the practice and the
//! file's column: a missing column, a practice code given twice, an empty population or
//! weighted population, a population of 0 beside a positive weighted population (NHS
//! England's tool replaces empty and zero values by 1; a guess is never made here), a
//! practice in no ICB or no place. Rows in any order give the same tables: units come out
//! sorted, ICB by ICB, place by place, practice by practice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use localcare::money::write_decimal;
use localcare::rust_decimal::Decimal;

use crate::columns::{Reader, Table};
use crate::error::TableError;
use crate::run::RunError;
use crate::spec;

/// The tier of a practice in `england-icb-2024`.
pub const PRACTICE_TIER: &str = "gp_practice";
/// The tier of a place (a cluster of practices within an ICB).
pub const PLACE_TIER: &str = "place";
/// The tier of an ICB: the accountable tier, under the strategic commissioner.
pub const ICB_TIER: &str = "icb";

/// The needs table's column holding a component's weighted population.
pub fn wp_column(component: &str) -> String {
    format!("wp_{component}")
}

/// How practices are grouped into places.
#[derive(Debug, Clone, Copy)]
pub enum Grouping<'a> {
    /// No places: every practice directly under its ICB.
    Icb,
    /// Places are the districts (`LTLA21`) within each ICB. A district whose practices
    /// lie in more than one ICB of the file is a place in each, named `DISTRICT (ICB)`.
    District,
    /// The caller's places: a `place_mapping` table, by practice or by district.
    Mapping(&'a Table),
}

/// An allocation component whose weighted population the file may hold: its id (the
/// needs column is `wp_<id>`) and the names NHS England gives its column.
#[derive(Debug, Clone)]
pub struct Component {
    /// The component's id in the ruleset (`core`).
    pub id: String,
    /// Its column's names in the published file (`Final WP`).
    pub aliases: Vec<String>,
}

/// The file turned into tables.
#[derive(Debug, Clone)]
pub struct Practices {
    /// `footprint`: `unit_id`, `parent_id`, `declared_tier`, `population`, `capabilities`
    /// (all text: populations exactly as written, empty on ICBs and places).
    pub footprint: RecordBatch,
    /// `needs`: `unit_id` and `wp_<component>` for each component whose column the file
    /// has, in the ruleset's order, exactly as written.
    pub needs: RecordBatch,
    /// ICBs, places and practices in the footprint.
    pub counts: (usize, usize, usize),
}

type Res<T> = Result<T, TableError>;

const CODE: &str = "Practice_Code";
const NAME: &str = "GP_Practice_Name";
const ICB: &str = "ICS22";
const DISTRICT: &str = "LTLA21";
const DISTRICT_CODE: &str = "LAD21";
const POPULATION: &str = "pop 2022/23";

/// One practice as read, before grouping.
struct Row {
    row: usize,
    code: String,
    icb: String,
    population: Decimal,
    weighted: Vec<Decimal>,
}

/// The file's practices (those of `icbs`, or all when empty) into a footprint and a
/// needs table, grouped by `grouping`; `components` are the ruleset's, in its order.
pub fn practices(
    file: &Table,
    grouping: Grouping<'_>,
    icbs: &[String],
    components: &[Component],
) -> Result<Practices, RunError> {
    let r = Reader::new(file, &spec::NHSE_PRACTICES);
    let text = |name: &str| -> Res<Vec<Option<String>>> {
        Ok(r.text(name)?.unwrap_or_else(|| vec![None; file.rows()]))
    };
    let codes = text(CODE)?;
    let names = text(NAME)?;
    let icb_of = text(ICB)?;
    let districts = r.text(DISTRICT)?;
    let district_codes = r.text(DISTRICT_CODE)?;
    let populations = r.decimals(POPULATION)?.unwrap_or_default();
    let columns = weighted_columns(&r, file, components)?;
    let weighted = columns
        .iter()
        .map(|(_, name)| r.decimals_named(name))
        .collect::<Res<Vec<_>>>()?;

    let wanted: BTreeSet<&str> = icbs.iter().map(String::as_str).collect();
    let present: BTreeSet<&str> = icb_of.iter().flatten().map(String::as_str).collect();
    if let Some(missing) = wanted.iter().find(|c| !present.contains(*c)) {
        return Err(RunError::Option {
            option: "icb",
            message: format!(
                "no practice in ICB `{missing}`; the file's ICBs are {}",
                present.iter().copied().collect::<Vec<_>>().join(", ")
            ),
        });
    }

    let practice = |row: usize| -> String {
        let code = codes[row].as_deref().unwrap_or_default();
        match names[row].as_deref() {
            Some(n) if !n.is_empty() => format!("practice `{code}` ({n})"),
            _ => format!("practice `{code}`"),
        }
    };
    // What each weighted population is, as errors name it: worded once, not per value.
    let what_weighted: Vec<String> = columns
        .iter()
        .map(|(id, _)| format!("its weighted population (component `{id}`)"))
        .collect();
    let mut rows = Vec::with_capacity(file.rows());
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(file.rows());
    for row in 0..file.rows() {
        let code = match codes[row].as_deref() {
            Some(c) if !c.is_empty() => c,
            _ => {
                return Err(r
                    .err(CODE, Some(row), "missing; expected the practice's code")
                    .into());
            }
        };
        let icb = match icb_of[row].as_deref() {
            Some(c) if !c.is_empty() => c,
            _ => {
                return Err(r
                    .err(
                        ICB,
                        Some(row),
                        format!("{} is in no ICB: `{ICB}` is empty", practice(row)),
                    )
                    .into());
            }
        };
        if !wanted.is_empty() && !wanted.contains(icb) {
            continue;
        }
        if let Some(first) = seen.insert(code, row) {
            return Err(r.err(
                CODE,
                Some(row),
                format!("practice `{code}` appears twice (first in row {first}); expected each practice once"),
            )
            .into());
        }
        let population = amount(
            &r,
            POPULATION,
            row,
            populations[row],
            || practice(row),
            "its population",
        )?;
        let mut wp = Vec::with_capacity(columns.len());
        for (((_, name), values), what) in columns.iter().zip(&weighted).zip(&what_weighted) {
            let w = amount(&r, name, row, values[row], || practice(row), what)?;
            if population.is_zero() && w > Decimal::ZERO {
                return Err(r.err(
                    POPULATION,
                    Some(row),
                    format!(
                        "{} has a population of 0 but a weighted population of {w} in `{name}`: its need per head is undefined; give its population (this library never replaces 0 by 1)",
                        practice(row)
                    ),
                )
                .into());
            }
            wp.push(w);
        }
        rows.push(Row {
            row,
            code: code.to_string(),
            icb: icb.to_string(),
            population,
            weighted: wp,
        });
    }

    let places = place_of_each(
        &r,
        &rows,
        grouping,
        &icb_of,
        districts.as_deref(),
        district_codes.as_deref(),
        &codes,
        &practice,
    )?;
    build(&rows, places.as_deref(), &columns)
}

/// A value of a practice's population or weighted population: present, 0 or more.
fn amount(
    r: &Reader<'_>,
    column: &str,
    row: usize,
    value: Option<Decimal>,
    practice: impl Fn() -> String,
    what: &str,
) -> Res<Decimal> {
    match value {
        None => Err(r.err(
            column,
            Some(row),
            format!(
                "{} has no value; expected {what}, in people, 0 or more",
                practice()
            ),
        )),
        Some(v) if v.is_sign_negative() && !v.is_zero() => Err(r.err(
            column,
            Some(row),
            format!(
                "{} has {v}, which is negative; expected {what}, in people, 0 or more",
                practice()
            ),
        )),
        Some(v) => Ok(v),
    }
}

/// The file's column for each component that has one: (component id, column name).
fn weighted_columns(
    r: &Reader<'_>,
    file: &Table,
    components: &[Component],
) -> Res<Vec<(String, String)>> {
    let mut out = Vec::new();
    for c in components {
        let mut hits = c.aliases.iter().filter(|a| file.position(a).is_some());
        if let Some(first) = hits.next() {
            if let Some(second) = hits.next() {
                return Err(r.err(
                    second,
                    None,
                    format!("`{first}` and `{second}` are both the weighted population of component `{}`; give one", c.id),
                ));
            }
            out.push((c.id.clone(), first.clone()));
        }
    }
    if out.is_empty() {
        let names: Vec<String> = components
            .iter()
            .flat_map(|c| c.aliases.iter().map(|a| format!("`{a}`")))
            .collect();
        return Err(TableError::table(
            spec::NHSE_PRACTICES.name,
            format!(
                "no weighted population column; expected one or more of {}",
                names.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// Each kept practice's place (in the order of `rows`), or `None` when grouping by ICB.
#[allow(clippy::too_many_arguments)]
fn place_of_each(
    r: &Reader<'_>,
    rows: &[Row],
    grouping: Grouping<'_>,
    icb_of: &[Option<String>],
    districts: Option<&[Option<String>]>,
    district_codes: Option<&[Option<String>]>,
    codes: &[Option<String>],
    practice: &dyn Fn(usize) -> String,
) -> Result<Option<Vec<String>>, RunError> {
    let district_of = |row: usize| -> Option<&str> {
        districts
            .and_then(|d| d[row].as_deref())
            .filter(|d| !d.is_empty())
    };
    match grouping {
        Grouping::Icb => Ok(None),
        Grouping::District => {
            if districts.is_none() {
                return Err(r
                    .err(
                        DISTRICT,
                        None,
                        format!(
                            "missing; grouping by district needs `{DISTRICT}`; the columns are: {}",
                            r.t.names().collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .into());
            }
            // A district that spans ICBs anywhere in the file is named with its ICB,
            // whichever ICBs are kept, so that a place's id never depends on the filter.
            let mut icbs_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
            for (row, icb) in icb_of.iter().enumerate() {
                if let (Some(d), Some(i)) = (district_of(row), icb.as_deref()) {
                    icbs_of.entry(d).or_default().insert(i);
                }
            }
            rows.iter()
                .map(|p| match district_of(p.row) {
                    None => Err(r
                        .err(
                            DISTRICT,
                            Some(p.row),
                            format!("{} is in no place: `{DISTRICT}` is empty", practice(p.row)),
                        )
                        .into()),
                    Some(d) if icbs_of[d].len() > 1 => Ok(format!("{d} ({})", p.icb)),
                    Some(d) => Ok(d.to_string()),
                })
                .collect::<Result<Vec<_>, RunError>>()
                .map(Some)
        }
        Grouping::Mapping(m) => {
            let mapping = read_mapping(m, codes, districts, district_codes)?;
            rows.iter()
                .map(|p| {
                    let by_code = mapping.by_practice.get(p.code.as_str());
                    let by_district = || {
                        let d = district_of(p.row)?;
                        let code = district_codes.and_then(|c| c[p.row].as_deref());
                        mapping
                            .by_district
                            .get(d)
                            .or_else(|| code.and_then(|c| mapping.by_district.get(c)))
                    };
                    match by_code.or_else(by_district) {
                        Some(place) => Ok(place.clone()),
                        None => {
                            let why = match (mapping.keyed_by_district, district_of(p.row)) {
                                (true, Some(d)) => {
                                    format!("the mapping names no place for its district `{d}`")
                                }
                                (true, None) => format!("its `{DISTRICT}` is empty"),
                                (false, _) => "the mapping has no row for it".to_string(),
                            };
                            Err(r
                                .err(
                                    CODE,
                                    Some(p.row),
                                    format!("{} is in no place: {why}", practice(p.row)),
                                )
                                .into())
                        }
                    }
                })
                .collect::<Result<Vec<_>, RunError>>()
                .map(Some)
        }
    }
}

/// A `place_mapping` table, read and checked against the file.
struct Mapping {
    by_practice: HashMap<String, String>,
    by_district: HashMap<String, String>,
    keyed_by_district: bool,
}

fn read_mapping(
    m: &Table,
    codes: &[Option<String>],
    districts: Option<&[Option<String>]>,
    district_codes: Option<&[Option<String>]>,
) -> Res<Mapping> {
    let r = Reader::new(m, &spec::PLACE_MAPPING);
    let by_code = r.text("practice_code")?;
    let by_district = r.text("district")?;
    let places = r.ids("place")?.unwrap_or_default();
    let (keys, column, known): (Vec<Option<String>>, &str, BTreeSet<&str>) = match (
        by_code,
        by_district,
    ) {
        (Some(_), Some(_)) => {
            return Err(r.err(
                "district",
                None,
                "the mapping has both `practice_code` and `district`; map by one of them",
            ));
        }
        (None, None) => {
            return Err(r.err(
                "place",
                None,
                format!(
                    "the mapping needs `practice_code` or `district` beside `place`; the columns are: {}",
                    m.names().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        (Some(k), None) => (
            k,
            "practice_code",
            codes.iter().flatten().map(String::as_str).collect(),
        ),
        (None, Some(k)) => {
            let names = districts
                .into_iter()
                .chain(district_codes)
                .flatten()
                .flatten();
            (k, "district", names.map(String::as_str).collect())
        }
    };
    let mut map: HashMap<String, String> = HashMap::with_capacity(keys.len());
    let mut first_row: HashMap<String, usize> = HashMap::with_capacity(keys.len());
    for (row, (key, place)) in keys.into_iter().zip(places).enumerate() {
        let Some(key) = key.filter(|k| !k.is_empty()) else {
            return Err(r.err(
                column,
                Some(row),
                "missing; expected the key the place is given for",
            ));
        };
        if !known.contains(key.as_str()) {
            let what = if column == "district" {
                format!(
                    "no practice of the file is in district `{key}` (by `{DISTRICT}` name or `{DISTRICT_CODE}` code)"
                )
            } else {
                format!("no practice of the file has code `{key}`")
            };
            return Err(r.err(column, Some(row), what));
        }
        if let Some(first) = first_row.insert(key.clone(), row) {
            return Err(r.err(
                column,
                Some(row),
                format!("`{key}` is mapped twice (first in row {first}); expected each once"),
            ));
        }
        map.insert(key, place);
    }
    let keyed_by_district = column == "district";
    Ok(Mapping {
        by_practice: if keyed_by_district {
            HashMap::new()
        } else {
            map.clone()
        },
        by_district: if keyed_by_district {
            map
        } else {
            HashMap::new()
        },
        keyed_by_district,
    })
}

/// The footprint and needs tables, sorted.
fn build(
    rows: &[Row],
    places: Option<&[String]>,
    columns: &[(String, String)],
) -> Result<Practices, RunError> {
    // ICB -> place (or "" when none) -> practices (indices into `rows`), all sorted.
    let mut tree: BTreeMap<&str, BTreeMap<&str, Vec<usize>>> = BTreeMap::new();
    let mut icb_of_place: HashMap<&str, &str> = HashMap::new();
    for (i, p) in rows.iter().enumerate() {
        let place = places.map_or("", |pl| pl[i].as_str());
        if places.is_some() {
            match icb_of_place.insert(place, p.icb.as_str()) {
                Some(other) if other != p.icb => {
                    return Err(TableError::table(
                        spec::PLACE_MAPPING.name,
                        format!(
                            "place `{place}` has practices in two ICBs, `{other}` and `{}` (practice `{}`); a place lies within one ICB: give it a name in each",
                            p.icb, p.code
                        ),
                    )
                    .into());
                }
                _ => {}
            }
        }
        tree.entry(&p.icb)
            .or_default()
            .entry(place)
            .or_default()
            .push(i);
    }
    // Ids are unique across tiers: a place named like an ICB or a practice is refused.
    let practice_codes: BTreeSet<&str> = rows.iter().map(|p| p.code.as_str()).collect();
    for (icb, places) in &tree {
        if practice_codes.contains(icb) {
            return Err(TableError::table(
                spec::NHSE_PRACTICES.name,
                format!("`{icb}` is both an ICB and a practice code"),
            )
            .into());
        }
        for place in places.keys().filter(|p| !p.is_empty()) {
            if practice_codes.contains(place) || tree.contains_key(place) {
                return Err(TableError::table(
                    spec::PLACE_MAPPING.name,
                    format!(
                        "place `{place}` has the id of a practice or an ICB; give it another name"
                    ),
                )
                .into());
            }
        }
    }

    let mut unit: Vec<&str> = Vec::new();
    let mut parent: Vec<Option<&str>> = Vec::new();
    let mut tier: Vec<&str> = Vec::new();
    // Decimal text written into one buffer per column, not a `String` per value.
    let mut population = StringBuilder::with_capacity(rows.len() + 64, rows.len() * 12);
    let mut needs_ids: Vec<&str> = Vec::with_capacity(rows.len());
    let mut wp: Vec<StringBuilder> = (0..columns.len())
        .map(|_| StringBuilder::with_capacity(rows.len(), rows.len() * 14))
        .collect();
    let mut text = String::with_capacity(32);
    let mut put = |b: &mut StringBuilder, d: Decimal| {
        text.clear();
        write_decimal(&mut text, d);
        b.append_value(&text);
    };
    let mut place_count = 0;
    for (icb, places) in &tree {
        unit.push(icb);
        parent.push(None);
        tier.push(ICB_TIER);
        population.append_null();
        for (place, members) in places {
            let above = if place.is_empty() {
                *icb
            } else {
                place_count += 1;
                unit.push(place);
                parent.push(Some(icb));
                tier.push(PLACE_TIER);
                population.append_null();
                place
            };
            let mut members = members.clone();
            members.sort_by(|a, b| rows[*a].code.cmp(&rows[*b].code));
            for i in members {
                let p = &rows[i];
                unit.push(&p.code);
                parent.push(Some(above));
                tier.push(PRACTICE_TIER);
                put(&mut population, p.population);
                needs_ids.push(&p.code);
                for (c, w) in wp.iter_mut().zip(&p.weighted) {
                    put(c, *w);
                }
            }
        }
    }
    let n = unit.len();
    let footprint = batch(vec![
        ("unit_id", Arc::new(StringArray::from(unit)) as ArrayRef),
        ("parent_id", Arc::new(StringArray::from(parent))),
        ("declared_tier", Arc::new(StringArray::from(tier))),
        ("population", Arc::new(population.finish())),
        (
            "capabilities",
            Arc::new(StringArray::from(vec![None::<&str>; n])),
        ),
    ]);
    let mut needs_columns: Vec<(String, ArrayRef)> =
        vec![("unit_id".into(), Arc::new(StringArray::from(needs_ids)))];
    for ((id, _), mut values) in columns.iter().zip(wp) {
        needs_columns.push((wp_column(id), Arc::new(values.finish())));
    }
    let needs = batch(needs_columns);
    Ok(Practices {
        footprint,
        needs,
        counts: (tree.len(), place_count, rows.len()),
    })
}

fn batch<S: Into<String>>(columns: Vec<(S, ArrayRef)>) -> RecordBatch {
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns
        .into_iter()
        .map(|(n, a)| (Field::new(n.into(), DataType::Utf8, true), a))
        .unzip();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .expect("columns of text of one length")
}
