//! The inputs of an appraisal checked once and held as integers at a common scale:
//! sites and zones in id order, each zone's sites sorted by travel time, the thresholds
//! and site-level hurdles the policy needs, and the fast leaf's dense matrix.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::ratio::{Ratio, pow10};
use super::{AppraisalError, AppraisalInput, AppraisalPolicy, Hurdle, Measure, Site, TravelMatrix};
use crate::Ruleset;

/// A zone's position for a site it cannot reach.
pub(crate) const NONE: u16 = u16::MAX;
/// The most decimal places of strokes and of minutes.
const MAX_SCALE: u32 = 9;
/// The most sites: positions in a zone's sorted list are `u16`, one value kept for "none".
const MAX_SITES: usize = (u16::MAX - 1) as usize;
/// Characters that separate site ids: `+` in a long-list option's id (`A+B`), `;` in
/// the options table's list of sites. A site id holding one would make an option
/// ambiguous ({A, B+C} and {A+B, C} are both `A+B+C`).
const ID_SEPARATORS: [char; 2] = ['+', ';'];

/// `d` as an integer at `scale` places, if it fits.
fn to_fixed(d: Decimal, scale: u32) -> Option<i64> {
    let n = d.normalize();
    n.mantissa()
        .checked_mul(pow10(scale.checked_sub(n.scale())?))?
        .try_into()
        .ok()
}
/// The inputs, checked, sorted by id and held as integers.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub ruleset: String,
    pub policy: AppraisalPolicy,
    /// Sites: the fixed-open ones first (`0..fixed`), then the candidates, each by id.
    pub sites: Vec<Site>,
    /// How many sites are fixed open.
    pub fixed: usize,
    /// Zone ids, sorted.
    pub zone_ids: Vec<String>,
    /// Patients a year per zone, at `stroke_scale` places.
    pub strokes: Vec<i64>,
    pub stroke_scale: u32,
    pub total: i64,
    pub time_scale: u32,
    /// `order[z * n + r]`: zone `z`'s `r`-th nearest site; `times` its minutes.
    pub order: Vec<u16>,
    pub times: Vec<i64>,
    /// How many sites each zone reaches.
    pub reach: Vec<u16>,
    /// `rank[s * zones + z]`: site `s`'s position in zone `z`'s list, or [`NONE`].
    pub rank: Vec<u16>,
    /// The travel-time thresholds the policy uses, minutes, ascending and distinct.
    pub thresholds: Vec<Decimal>,
    /// The same, at `time_scale` places (a time at or below it is within).
    pub thresholds_fixed: Vec<i64>,
    /// The same, capped below the fast leaf's [`FAR`] (an unreached zone's time there).
    pub thresholds_fast: Vec<i64>,
    /// Per hurdle, per site: whether a site-level hurdle (capabilities, measure)
    /// passes at it (empty for the others).
    pub site_pass: Vec<Vec<bool>>,
    /// `tmat[s * zones + z]`: site `s`'s minutes from zone `z` ([`FAR`] when
    /// unreachable), for the fast leaf; empty when the fast leaf's 64-bit sums could
    /// overflow (the exact 128-bit leaf is used then). Built on the first enumeration
    /// ([`Prepared::tmat`]): a searched long list never needs it, and nationally it is
    /// 35 MB.
    tmat: std::sync::OnceLock<Vec<i64>>,
}

/// A time beyond every real one: an unreachable pair in the fast leaf.
pub(crate) const FAR: i64 = i64::MAX / 4;

pub(crate) fn invalid(
    table: &'static str,
    row: usize,
    column: &str,
    message: impl Into<String>,
) -> AppraisalError {
    AppraisalError::Invalid {
        table,
        row,
        column: column.to_string(),
        message: message.into(),
    }
}

pub(crate) fn unique_ids<'a>(
    table: &'static str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<&'a str, usize>, AppraisalError> {
    let mut seen = HashMap::new();
    for (row, id) in ids.enumerate() {
        if id.trim().is_empty() {
            return Err(invalid(table, row, "id", "is empty; expected an id"));
        }
        if let Some(first) = seen.insert(id, row) {
            return Err(invalid(
                table,
                row,
                "id",
                format!("duplicate id `{id}` (first in row {first})"),
            ));
        }
    }
    Ok(seen)
}

/// The column names of the id columns, as the tables name them.
fn id_column(table: &'static str) -> &'static str {
    match table {
        "sites" => "site_id",
        "zones" => "zone_id",
        _ => "option_id",
    }
}

pub(crate) fn fix_id_column(e: AppraisalError) -> AppraisalError {
    match e {
        AppraisalError::Invalid {
            table,
            row,
            column,
            message,
        } if column == "id" => AppraisalError::Invalid {
            table,
            row,
            column: id_column(table).to_string(),
            message,
        },
        e => e,
    }
}

impl Prepared {
    pub(crate) fn new(
        rs: &Ruleset,
        policy: &AppraisalPolicy,
        input: &AppraisalInput,
    ) -> Result<Prepared, AppraisalError> {
        check_sites(rs, input)?;
        // Sites and zones in id order, so that nothing depends on row order.
        let mut site_order: Vec<usize> = (0..input.sites.len()).collect();
        // Fixed-open sites first (positions 0..fixed, which every option designates),
        // then the candidates; each group by id.
        site_order.sort_by(|&a, &b| {
            let (x, y) = (&input.sites[a], &input.sites[b]);
            (!x.fixed_open, &x.id).cmp(&(!y.fixed_open, &y.id))
        });
        let fixed = input.sites.iter().filter(|s| s.fixed_open).count();
        let sites: Vec<Site> = site_order.iter().map(|&i| input.sites[i].clone()).collect();
        let site_index: HashMap<&str, u16> = sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i as u16))
            .collect();
        let mut zone_order: Vec<usize> = (0..input.zones.len()).collect();
        zone_order.sort_by(|&a, &b| input.zones[a].id.cmp(&input.zones[b].id));
        let zone_index: HashMap<&str, usize> = zone_order
            .iter()
            .enumerate()
            .map(|(i, &row)| (input.zones[row].id.as_str(), i))
            .collect();
        let (strokes, stroke_scale, total) = patients(rs, policy, input, &zone_order)?;
        let (time_scale, lists) = match &input.matrix {
            None => travel_lists(input, &zone_index, &site_index)?,
            Some(_) if !input.travel.is_empty() => {
                return Err(AppraisalError::Table {
                    table: "travel",
                    message: "travel times were given both as a table of pairs and as a matrix; give one or the other".into(),
                });
            }
            Some(m) => matrix_lists(m, &zone_index, &site_index)?,
        };
        let (n, nz) = (sites.len(), zone_order.len());
        let mut order = vec![NONE; n * nz];
        let mut times = vec![i64::MAX; n * nz];
        let mut reach = vec![0u16; nz];
        let mut rank = vec![NONE; n * nz];
        let (mut lists, mut list) = (lists, Vec::with_capacity(n));
        for z in 0..nz {
            lists.take(z, &mut list);
            if list.is_empty() {
                return Err(invalid(
                    "zones",
                    zone_order[z],
                    "zone_id",
                    format!(
                        "zone `{}` has no travel time to any site; no option can reach it",
                        input.zones[zone_order[z]].id
                    ),
                ));
            }
            // Nearest first; ties by site id (sites are indexed in id order).
            list.sort_unstable();
            reach[z] = list.len() as u16;
            for (r, &(t, s)) in list.iter().enumerate() {
                order[z * n + r] = s;
                times[z * n + r] = t;
                rank[s as usize * nz + z] = r as u16;
            }
        }
        // Sums of patients × minutes fit 128 bits: each factor fits 64.
        let (thresholds, thresholds_fixed) = thresholds(policy, time_scale);
        measures_at_hand(policy, &sites)?;
        if let Some(s) = (0..fixed).find(|&s| (0..nz).all(|z| rank[s * nz + z] == NONE)) {
            return Err(invalid(
                "sites",
                site_order[s],
                "fixed_open",
                format!(
                    "site `{}` is fixed open but no zone reaches it; give its travel times, or leave it out",
                    sites[s].id
                ),
            ));
        }
        let site_pass = site_pass(policy, &sites);
        // In the fast leaf an unreached zone's time is FAR: a threshold at or beyond it
        // (a huge `within_minutes`) would count the unreached as within. Every real time
        // is below FAR / 4 there, so capping the threshold just under FAR changes no
        // real comparison.
        let thresholds_fast = thresholds_fixed.iter().map(|&t| t.min(FAR - 1)).collect();
        Ok(Prepared {
            ruleset: rs.id().to_string(),
            policy: policy.clone(),
            sites,
            fixed,
            zone_ids: zone_order
                .iter()
                .map(|&r| input.zones[r].id.clone())
                .collect(),
            strokes,
            stroke_scale,
            total,
            time_scale,
            order,
            times,
            reach,
            rank,
            tmat: std::sync::OnceLock::new(),
            thresholds,
            thresholds_fixed,
            thresholds_fast,
            site_pass,
        })
    }

    /// The fast leaf's site-major matrix (see the field), built on first use.
    pub(crate) fn tmat(&self) -> &[i64] {
        self.tmat.get_or_init(|| {
            fast_matrix(
                self.sites.len(),
                self.zone_ids.len(),
                &self.rank,
                &self.order,
                &self.times,
                &self.strokes,
            )
        })
    }

    pub(crate) fn patients(&self, v: i64) -> Decimal {
        Decimal::from_i128_with_scale(v as i128, self.stroke_scale)
    }
    pub(crate) fn minutes(&self, t: i64) -> Decimal {
        Decimal::from_i128_with_scale(t as i128, self.time_scale)
    }
    /// Zone `z`'s sites, nearest first, with their minutes.
    pub(crate) fn nearest(&self, z: usize) -> impl Iterator<Item = (usize, Decimal)> + '_ {
        let n = self.sites.len();
        (0..self.reach[z] as usize).map(move |r| {
            (
                self.order[z * n + r] as usize,
                self.minutes(self.times[z * n + r]),
            )
        })
    }
    /// The ratio of patients `part` to all patients.
    pub(crate) fn share(&self, part: i64) -> Ratio {
        Ratio {
            num: part as i128,
            den: self.total as i128,
        }
    }
}

/// The dense matrix of the fast leaf, when Σ patients × minutes fits 64 bits with room
/// to spare and the matrix is of a reasonable size; else empty.
fn fast_matrix(
    n: usize,
    nz: usize,
    rank: &[u16],
    order: &[u16],
    times: &[i64],
    strokes: &[i64],
) -> Vec<i64> {
    let total: i64 = strokes.iter().sum();
    let longest = times
        .iter()
        .copied()
        .filter(|&t| t != i64::MAX)
        .max()
        .unwrap_or(0);
    let fits = total
        .checked_mul(longest.max(1))
        .and_then(|x| x.checked_mul(4))
        .is_some_and(|x| x < FAR)
        && longest < FAR / 4;
    if !fits || n.saturating_mul(nz) > 64 << 20 {
        return Vec::new();
    }
    let mut m = vec![FAR; n * nz];
    for s in 0..n {
        for z in 0..nz {
            let r = rank[s * nz + z];
            if r != NONE {
                debug_assert_eq!(order[z * n + r as usize] as usize, s);
                m[s * nz + z] = times[z * n + r as usize];
            }
        }
    }
    m
}

impl Prepared {
    /// The position of a threshold the policy uses in [`Prepared::thresholds`].
    pub(crate) fn threshold_index(&self, minutes: Decimal) -> usize {
        self.thresholds
            .iter()
            .position(|&t| t == minutes)
            .unwrap_or(0)
    }
}

/// The sites table as a whole and row by row: ids unique and free of the separators
/// option ids and lists use, admissions not negative, capabilities declared.
fn check_sites(rs: &Ruleset, input: &AppraisalInput) -> Result<(), AppraisalError> {
    if input.sites.is_empty() {
        return Err(AppraisalError::Table {
            table: "sites",
            message: "no sites given".into(),
        });
    }
    if input.zones.is_empty() {
        return Err(AppraisalError::Table {
            table: "zones",
            message: "no zones given".into(),
        });
    }
    if input.sites.len() > MAX_SITES {
        return Err(AppraisalError::Table {
            table: "sites",
            message: format!(
                "{} sites given; at most {MAX_SITES} are appraised",
                input.sites.len()
            ),
        });
    }
    unique_ids("sites", input.sites.iter().map(|s| s.id.as_str())).map_err(fix_id_column)?;
    unique_ids("zones", input.zones.iter().map(|z| z.id.as_str())).map_err(fix_id_column)?;
    for (row, s) in input.sites.iter().enumerate() {
        if let Some(c) = s.id.chars().find(|c| ID_SEPARATORS.contains(c)) {
            return Err(invalid(
                "sites",
                row,
                "site_id",
                format!(
                    "`{}` contains `{c}`, which separates site ids (`+` joins an option's sites into its id, `;` lists them in the options table); rename the site",
                    s.id
                ),
            ));
        }
        if s.admissions < 0 {
            return Err(invalid(
                "sites",
                row,
                "admissions",
                format!(
                    "{} is negative; expected 0 or more admissions a year",
                    s.admissions
                ),
            ));
        }
        for c in &s.capabilities {
            if rs.capability_index(c).is_none() {
                return Err(invalid(
                    "sites",
                    row,
                    "capabilities",
                    format!(
                        "unknown capability `{c}`; ruleset {} declares: {}",
                        rs.id(),
                        rs.capabilities()
                            .iter()
                            .map(|c| c.id())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Patients a year per zone (in id order), at one scale, and their total.
fn patients(
    rs: &Ruleset,
    policy: &AppraisalPolicy,
    input: &AppraisalInput,
    zone_order: &[usize],
) -> Result<(Vec<i64>, u32, i64), AppraisalError> {
    let mut patients = Vec::with_capacity(zone_order.len());
    for &row in zone_order {
        let z = &input.zones[row];
        let p = match (z.strokes, z.population) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "zones",
                    row,
                    "population",
                    "is given with `strokes`; give one of the two",
                ));
            }
            (Some(s), None) => {
                if s < Decimal::ZERO {
                    return Err(invalid(
                        "zones",
                        row,
                        "strokes",
                        format!("{s} is negative; expected 0 or more patients a year"),
                    ));
                }
                s
            }
            (None, Some(p)) => {
                if p < 0 {
                    return Err(invalid(
                        "zones",
                        row,
                        "population",
                        format!("{p} is negative; expected 0 or more people"),
                    ));
                }
                let incidence = policy.incidence.ok_or_else(|| {
                    invalid(
                        "zones",
                        row,
                        "population",
                        format!(
                            "needs an incidence, and ruleset {} gives none; give `strokes` instead",
                            rs.id()
                        ),
                    )
                })?;
                Decimal::from(p)
                    .checked_mul(incidence)
                    .ok_or_else(|| AppraisalError::Overflow {
                        quantity: "a zone's patients".into(),
                    })?
            }
            (None, None) => {
                return Err(invalid(
                    "zones",
                    row,
                    "strokes",
                    "missing; give `strokes` (patients a year) or `population`",
                ));
            }
        };
        patients.push((row, p));
    }
    let stroke_scale = patients
        .iter()
        .map(|(_, p)| p.normalize().scale())
        .max()
        .unwrap_or(0);
    if stroke_scale > MAX_SCALE {
        let (row, p) = patients
            .iter()
            .find(|(_, p)| p.normalize().scale() > MAX_SCALE)
            .copied()
            .unwrap_or_default();
        return Err(invalid(
            "zones",
            row,
            "strokes",
            format!("{p} has more than {MAX_SCALE} decimal places"),
        ));
    }
    let mut strokes = Vec::with_capacity(patients.len());
    let mut total: i64 = 0;
    for &(_, p) in &patients {
        let v = to_fixed(p, stroke_scale).ok_or_else(|| AppraisalError::Overflow {
            quantity: "a zone's patients".into(),
        })?;
        total = total
            .checked_add(v)
            .ok_or_else(|| AppraisalError::Overflow {
                quantity: "the zones' patients".into(),
            })?;
        strokes.push(v);
    }
    if total == 0 {
        return Err(AppraisalError::Table {
            table: "zones",
            message: "every zone has 0 patients; there is nothing to project".into(),
        });
    }
    Ok((strokes, stroke_scale, total))
}

/// Travel times, exact, at one scale: per zone (in id order) its (time, site) pairs.
#[allow(clippy::type_complexity)]
fn travel_lists(
    input: &AppraisalInput,
    zone_index: &HashMap<&str, usize>,
    site_index: &HashMap<&str, u16>,
) -> Result<(u32, Lists<'static>), AppraisalError> {
    let nz = zone_index.len();
    let mut time_scale = 0;
    let mut pairs: Vec<(usize, u16, Decimal, usize)> = Vec::with_capacity(input.travel.len());
    let mut seen: HashSet<(usize, u16)> = HashSet::with_capacity(input.travel.len());
    for (row, t) in input.travel.iter().enumerate() {
        let z = *zone_index.get(t.zone_id.as_str()).ok_or_else(|| {
            invalid(
                "travel",
                row,
                "zone_id",
                format!("unknown zone `{}`; it is not in the zones table", t.zone_id),
            )
        })?;
        let s = *site_index.get(t.site_id.as_str()).ok_or_else(|| {
            invalid(
                "travel",
                row,
                "site_id",
                format!("unknown site `{}`; it is not in the sites table", t.site_id),
            )
        })?;
        if t.minutes < Decimal::ZERO {
            return Err(invalid(
                "travel",
                row,
                "minutes",
                format!("{} is negative; expected 0 or more minutes", t.minutes),
            ));
        }
        let scale = t.minutes.normalize().scale();
        if scale > MAX_SCALE {
            return Err(invalid(
                "travel",
                row,
                "minutes",
                format!("{} has more than {MAX_SCALE} decimal places", t.minutes),
            ));
        }
        if !seen.insert((z, s)) {
            return Err(invalid(
                "travel",
                row,
                "site_id",
                format!(
                    "the time from zone `{}` to site `{}` is given twice",
                    t.zone_id, t.site_id
                ),
            ));
        }
        time_scale = time_scale.max(scale);
        pairs.push((z, s, t.minutes, row));
    }
    let mut lists: Vec<Vec<(i64, u16)>> = vec![Vec::new(); nz];
    for &(z, s, m, _) in &pairs {
        let t = to_fixed(m, time_scale).ok_or_else(|| AppraisalError::Overflow {
            quantity: "a travel time".into(),
        })?;
        lists[z].push((t, s));
    }
    Ok((time_scale, Lists::Pairs(lists)))
}

/// Every site measure a hurdle judges or a criterion scores must be in the sites table
/// (given for at least one site), checked before any option is projected: a ruleset
/// asking for data the input does not have is told so up front, naming the hurdle or
/// criterion and the column, rather than failing every option or erring once options
/// are shortlisted. (A site that lacks a measure other sites have fails the hurdle, as
/// before.)
fn measures_at_hand(policy: &AppraisalPolicy, sites: &[Site]) -> Result<(), AppraisalError> {
    let at_hand = |m: &str| sites.iter().any(|s| s.measures.contains_key(m));
    let columns = || {
        let mut names: Vec<&str> = sites
            .iter()
            .flat_map(|s| s.measures.keys().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    let wanted = policy
        .hurdles
        .iter()
        .filter_map(|h| match &h.hurdle {
            Hurdle::Measure { measure, .. } => Some(("hurdle", &h.id, measure)),
            _ => None,
        })
        .chain(policy.criteria.iter().filter_map(|c| match &c.measure {
            Measure::SiteMeasure(m) => Some(("criterion", &c.id, m)),
            _ => None,
        }));
    for (what, id, measure) in wanted {
        if !at_hand(measure) {
            return Err(AppraisalError::Table {
                table: "sites",
                message: format!(
                    "{what} `{id}` needs the sites' `{measure}`, which the sites table does not have (its measure columns: {}); add the column, or appraise under a ruleset without that {what}",
                    columns()
                ),
            });
        }
    }
    Ok(())
}

/// Travel times from the wide matrix: per zone (in id order) its (time, site) pairs,
/// at the matrix's scale. Rows are zones and columns sites, each known and given once.
#[allow(clippy::type_complexity)]
/// Each zone's travel times, `(minutes, site)`: lists built from the pairs, or read
/// from the matrix's row one zone at a time, so that a national matrix is never held
/// twice over as lists of pairs.
enum Lists<'a> {
    /// Per zone, its pairs.
    Pairs(Vec<Vec<(i64, u16)>>),
    /// Per zone, its row of the matrix (`usize::MAX` when it has none), and per column
    /// its site.
    Matrix {
        m: &'a TravelMatrix,
        row_of: Vec<usize>,
        columns: Vec<u16>,
    },
}

impl Lists<'_> {
    /// Zone `z`'s pairs into `list`, unsorted (checked when the lists were made).
    fn take(&mut self, z: usize, list: &mut Vec<(i64, u16)>) {
        list.clear();
        match self {
            Lists::Pairs(lists) => *list = std::mem::take(&mut lists[z]),
            Lists::Matrix { m, row_of, columns } => {
                let width = columns.len();
                if let Some(row) = row_of.get(z).copied().filter(|&r| r != usize::MAX) {
                    let cells = &m.minutes[row * width..(row + 1) * width];
                    list.extend(
                        cells
                            .iter()
                            .zip(columns.iter())
                            .filter(|&(&t, _)| t != TravelMatrix::UNREACHABLE)
                            .map(|(&t, &s)| (t, s)),
                    );
                }
            }
        }
    }
}

fn matrix_lists<'a>(
    m: &'a TravelMatrix,
    zone_index: &HashMap<&str, usize>,
    site_index: &HashMap<&str, u16>,
) -> Result<(u32, Lists<'a>), AppraisalError> {
    let table = |message: String| AppraisalError::Table {
        table: "travel",
        message,
    };
    let width = m.site_ids.len();
    if Some(m.minutes.len()) != m.zone_ids.len().checked_mul(width) {
        return Err(table(format!(
            "the matrix has {} times for {} zones x {} sites",
            m.minutes.len(),
            m.zone_ids.len(),
            width
        )));
    }
    if m.scale > MAX_SCALE {
        return Err(table(format!(
            "the matrix's minutes have {} decimal places; at most {MAX_SCALE}",
            m.scale
        )));
    }
    let mut columns = Vec::with_capacity(width);
    let mut seen_site = HashSet::with_capacity(width);
    for id in &m.site_ids {
        let s = *site_index.get(id.as_str()).ok_or_else(|| {
            table(format!(
                "column `{id}`: unknown site; every column but the zone's is a site of the sites table"
            ))
        })?;
        if !seen_site.insert(s) {
            return Err(table(format!("column `{id}`: the site has two columns")));
        }
        columns.push(s);
    }
    let mut row_of = vec![usize::MAX; zone_index.len()];
    for (row, id) in m.zone_ids.iter().enumerate() {
        let z = *zone_index.get(id.as_str()).ok_or_else(|| {
            invalid(
                "travel",
                row,
                "zone_id",
                format!("unknown zone `{id}`; it is not in the zones table"),
            )
        })?;
        if std::mem::replace(&mut row_of[z], row) != usize::MAX {
            return Err(invalid(
                "travel",
                row,
                "zone_id",
                format!("zone `{id}` has two rows"),
            ));
        }
        let cells = &m.minutes[row * width..(row + 1) * width];
        for (k, &t) in cells.iter().enumerate() {
            if t < 0 && t != TravelMatrix::UNREACHABLE {
                return Err(invalid(
                    "travel",
                    row,
                    &m.site_ids[k],
                    format!(
                        "{} is negative; expected 0 or more minutes, or blank when unreachable",
                        Decimal::from_i128_with_scale(i128::from(t), m.scale)
                    ),
                ));
            }
        }
    }
    Ok((m.scale, Lists::Matrix { m, row_of, columns }))
}

/// The travel-time thresholds the policy uses (ascending, distinct), and the same at
/// `time_scale` places.
fn thresholds(policy: &AppraisalPolicy, time_scale: u32) -> (Vec<Decimal>, Vec<i64>) {
    let mut thresholds: Vec<Decimal> = policy.within_minutes.into_iter().collect();
    for h in &policy.hurdles {
        if let Hurdle::ShareWithin { minutes, .. } = h.hurdle {
            thresholds.push(minutes);
        }
    }
    for c in &policy.criteria {
        if let Measure::ShareWithin(m) = c.measure {
            thresholds.push(m);
        }
    }
    thresholds.sort();
    thresholds.dedup();
    let thresholds_fixed = thresholds
        .iter()
        .map(|m| {
            // A time (an integer at `time_scale`) is within `m` when it is at most
            // floor(m × 10^scale).
            let scaled = m.checked_mul(Decimal::from_i128_with_scale(pow10(time_scale), 0));
            scaled
                .map(|s| s.floor())
                .and_then(|s| i64::try_from(s.mantissa() / pow10(s.scale())).ok())
                // Beyond 64 bits: beyond (or, negative, below) every time.
                .unwrap_or(if m.is_sign_negative() { -1 } else { i64::MAX })
        })
        .collect();
    (thresholds, thresholds_fixed)
}

/// Per hurdle, per site: whether a site-level hurdle passes at it.
fn site_pass(policy: &AppraisalPolicy, sites: &[Site]) -> Vec<Vec<bool>> {
    policy
        .hurdles
        .iter()
        .map(|h| match &h.hurdle {
            Hurdle::Capabilities { required } => sites
                .iter()
                .map(|s| required.iter().all(|c| s.capabilities.contains(c)))
                .collect(),
            Hurdle::Measure { measure, min, max } => sites
                .iter()
                .map(|s| {
                    s.measures
                        .get(measure)
                        .is_some_and(|v| min.is_none_or(|m| *v >= m) && max.is_none_or(|m| *v <= m))
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}
