//! The projection engine: inputs checked and held as integers at a common scale, each
//! zone's sites sorted by travel time, the long list enumerated depth first over the
//! cores, hurdles and scores applied.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use rust_decimal::Decimal;

use super::explain::{hurdle_outcome, weight_swap};
use super::{
    Appraisal, AppraisalError, AppraisalInput, AppraisalPolicy, AppraisalRequest, CriterionScore,
    HasuProjection, Hurdle, Measure, OptionAppraisal, Site,
};
use crate::Ruleset;

/// A zone's position for a site it cannot reach.
pub(crate) const NONE: u16 = u16::MAX;
/// The most decimal places of strokes and of minutes.
const MAX_SCALE: u32 = 9;
/// The most sites: positions in a zone's sorted list are `u16`, one value kept for "none".
const MAX_SITES: usize = (u16::MAX - 1) as usize;

fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

/// `d` as an integer at `scale` places, if it fits.
fn to_fixed(d: Decimal, scale: u32) -> Option<i64> {
    let n = d.normalize();
    n.mantissa()
        .checked_mul(pow10(scale.checked_sub(n.scale())?))?
        .try_into()
        .ok()
}

/// An exact ratio of integers (`den > 0`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl Ratio {
    /// Compares with a decimal, exactly when the products fit 128 bits.
    pub(crate) fn cmp_dec(self, d: Decimal) -> Ordering {
        let lhs = self.num.checked_mul(pow10(d.scale()));
        let rhs = d.mantissa().checked_mul(self.den);
        match (lhs, rhs) {
            (Some(l), Some(r)) => l.cmp(&r),
            // Beyond 128 bits (no real input): the decimal quotient, to 28 digits.
            _ => Decimal::from_i128_with_scale(self.num, 0)
                .checked_div(Decimal::from_i128_with_scale(self.den, 0))
                .map_or(Ordering::Greater, |q| q.cmp(&d)),
        }
    }
    /// Rounded half away from zero to `places`.
    pub(crate) fn round(self, places: u32) -> Decimal {
        let scaled = self.num.checked_mul(pow10(places));
        match scaled {
            Some(s) => {
                let (q, r) = (s / self.den, s % self.den);
                let q = if 2 * r.abs() >= self.den {
                    q + s.signum()
                } else {
                    q
                };
                Decimal::try_from_i128_with_scale(q, places).unwrap_or(Decimal::MAX)
            }
            None => Decimal::from_i128_with_scale(self.num, 0)
                .checked_div(Decimal::from_i128_with_scale(self.den, 0))
                .map_or(Decimal::MAX, |q| q.round_dp(places)),
        }
    }
}

/// The inputs, checked, sorted by id and held as integers.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub ruleset: String,
    pub policy: AppraisalPolicy,
    /// Sites by id.
    pub sites: Vec<Site>,
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
    /// Per hurdle, per site: whether a site-level hurdle (capabilities, measure)
    /// passes at it (empty for the others).
    pub site_pass: Vec<Vec<bool>>,
    /// `tmat[s * zones + z]`: site `s`'s minutes from zone `z` ([`FAR`] when
    /// unreachable), for the fast leaf; empty when the fast leaf's 64-bit sums could
    /// overflow (the exact 128-bit leaf is used then).
    pub tmat: Vec<i64>,
}

/// A time beyond every real one: an unreachable pair in the fast leaf.
const FAR: i64 = i64::MAX / 4;

fn invalid(
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

fn unique_ids<'a>(
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

fn fix_id_column(e: AppraisalError) -> AppraisalError {
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

        // Sites and zones in id order, so that nothing depends on row order.
        let mut site_order: Vec<usize> = (0..input.sites.len()).collect();
        site_order.sort_by(|&a, &b| input.sites[a].id.cmp(&input.sites[b].id));
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

        // Patients a year per zone, exact.
        let mut patients = Vec::with_capacity(zone_order.len());
        for &row in &zone_order {
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
                        .ok_or(AppraisalError::Overflow {
                            quantity: "a zone's patients",
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
            let v = to_fixed(p, stroke_scale).ok_or(AppraisalError::Overflow {
                quantity: "a zone's patients",
            })?;
            total = total.checked_add(v).ok_or(AppraisalError::Overflow {
                quantity: "the zones' patients",
            })?;
            strokes.push(v);
        }
        if total == 0 {
            return Err(AppraisalError::Table {
                table: "zones",
                message: "every zone has 0 patients; there is nothing to project".into(),
            });
        }

        // Travel times, exact, at one scale.
        let (n, nz) = (sites.len(), zone_order.len());
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
            let t = to_fixed(m, time_scale).ok_or(AppraisalError::Overflow {
                quantity: "a travel time",
            })?;
            lists[z].push((t, s));
        }
        let mut order = vec![NONE; n * nz];
        let mut times = vec![i64::MAX; n * nz];
        let mut reach = vec![0u16; nz];
        let mut rank = vec![NONE; n * nz];
        for (z, list) in lists.iter_mut().enumerate() {
            if list.is_empty() {
                return Err(invalid(
                    "zones",
                    zone_order[z],
                    "zone_id",
                    format!(
                        "zone `{}` has no travel time to any site; no option can reach it",
                        zone_order_id(input, &zone_order, z)
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
                    .unwrap_or(i64::MAX)
            })
            .collect();

        let site_pass = policy
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
                        s.measures.get(measure).is_some_and(|v| {
                            min.is_none_or(|m| *v >= m) && max.is_none_or(|m| *v <= m)
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect();

        let tmat = fast_matrix(n, nz, &rank, &order, &times, &strokes);
        Ok(Prepared {
            ruleset: rs.id().to_string(),
            policy: policy.clone(),
            sites,
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
            tmat,
            thresholds,
            thresholds_fixed,
            site_pass,
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
    pub(crate) fn share(&self, part: i64) -> super::engine::Ratio {
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

fn zone_order_id<'a>(input: &'a AppraisalInput, zone_order: &[usize], z: usize) -> &'a str {
    &input.zones[zone_order[z]].id
}

/// The projection of one option, as integers.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    /// Designated sites, ascending.
    pub sites: Vec<u16>,
    /// Per designated site: patients (at the stroke scale) and zones.
    pub volumes: Vec<i64>,
    pub zones: Vec<u32>,
    /// The longest time and its zone.
    pub max_time: i64,
    pub max_zone: usize,
    /// Σ patients × minutes (at both scales).
    pub sum: i128,
    /// Per threshold: patients within it.
    pub within: Vec<i64>,
}

impl Raw {
    pub(crate) fn mean(&self, p: &Prepared) -> Ratio {
        Ratio {
            num: self.sum,
            den: p.total as i128 * pow10(p.time_scale),
        }
    }
}

/// Scratch per worker: volumes and zone counts by site.
struct Scratch {
    volume: Vec<i64>,
    zones: Vec<u32>,
    /// The fast leaf's parent: per zone the time (FAR unreached) and the time for sums
    /// (0 unreached), the site (`n` unreached); per site (and the unreached slot `n`)
    /// patients and zones; the sums.
    pt: Vec<i64>,
    pt_sum: Vec<i64>,
    psite: Vec<u16>,
    base_volume: Vec<i64>,
    base_zones: Vec<u32>,
    base_sum: i64,
    base_within: Vec<i64>,
    /// The zones the fast leaf's last site takes.
    captured: Vec<u32>,
}

impl Prepared {
    /// Projects the option `sites` (ascending), whose first sites' best positions per
    /// zone are `prev`, with `last` the final site. `Err(zone)` when a zone is
    /// unreached.
    fn leaf(&self, prev: &[u16], last: u16, sites: &[u16], sc: &mut Scratch) -> Result<Raw, usize> {
        let n = self.sites.len();
        let nz = self.zone_ids.len();
        let rl = &self.rank[last as usize * nz..(last as usize + 1) * nz];
        let mut max_time = -1i64;
        let mut max_zone = 0;
        let mut sum: i128 = 0;
        let mut within = vec![0i64; self.thresholds_fixed.len()];
        for z in 0..nz {
            let r = prev[z].min(rl[z]);
            if r == NONE {
                for &s in sites {
                    sc.volume[s as usize] = 0;
                    sc.zones[s as usize] = 0;
                }
                return Err(z);
            }
            let i = z * n + r as usize;
            let s = self.order[i] as usize;
            let t = self.times[i];
            let w = self.strokes[z];
            sc.volume[s] += w;
            sc.zones[s] += 1;
            if t > max_time {
                max_time = t;
                max_zone = z;
            }
            sum += w as i128 * t as i128;
            for (j, &th) in self.thresholds_fixed.iter().enumerate() {
                if t <= th {
                    within[j] += w;
                }
            }
        }
        let mut volumes = Vec::with_capacity(sites.len());
        let mut zones = Vec::with_capacity(sites.len());
        for &s in sites {
            volumes.push(std::mem::take(&mut sc.volume[s as usize]));
            zones.push(std::mem::take(&mut sc.zones[s as usize]));
        }
        Ok(Raw {
            sites: sites.to_vec(),
            volumes,
            zones,
            max_time,
            max_zone,
            sum,
            within,
        })
    }

    fn scratch(&self) -> Scratch {
        let (n, nz) = (self.sites.len(), self.zone_ids.len());
        Scratch {
            volume: vec![0; n + 1],
            zones: vec![0; n + 1],
            pt: vec![FAR; nz],
            pt_sum: vec![0; nz],
            psite: vec![n as u16; nz],
            base_volume: vec![0; n + 1],
            base_zones: vec![0; n + 1],
            base_sum: 0,
            base_within: vec![0; self.thresholds_fixed.len()],
            captured: vec![0; nz],
        }
    }

    /// The fast leaf's parent: the projection of the first `k - 1` sites (`prev` their
    /// best positions), once for every last site.
    fn parent(&self, prev: &[u16], sites: &[u16], sc: &mut Scratch) {
        let n = self.sites.len();
        for &s in sites {
            sc.base_volume[s as usize] = 0;
            sc.base_zones[s as usize] = 0;
        }
        sc.base_volume[n] = 0;
        sc.base_zones[n] = 0;
        sc.base_sum = 0;
        sc.base_within.iter_mut().for_each(|w| *w = 0);
        for (z, &r) in prev.iter().enumerate() {
            let w = self.strokes[z];
            if r == NONE {
                sc.pt[z] = FAR;
                sc.pt_sum[z] = 0;
                sc.psite[z] = n as u16;
                sc.base_zones[n] += 1;
                continue;
            }
            let i = z * n + r as usize;
            let (s, t) = (self.order[i], self.times[i]);
            sc.pt[z] = t;
            sc.pt_sum[z] = t;
            sc.psite[z] = s;
            sc.base_volume[s as usize] += w;
            sc.base_zones[s as usize] += 1;
            sc.base_sum += w * t;
            for (j, &th) in self.thresholds_fixed.iter().enumerate() {
                if t <= th {
                    sc.base_within[j] += w;
                }
            }
        }
    }

    /// The option `sites` (ascending) whose first sites are the parent in `sc` and whose
    /// last is `last`: only the zones `last` is nearer to move (an incremental nearest-site
    /// search), in 64-bit sums (`tmat` is only built when they cannot overflow).
    fn fast_leaf(
        &self,
        prev: &[u16],
        last: u16,
        sites: &[u16],
        sc: &mut Scratch,
    ) -> Result<Raw, usize> {
        let n = self.sites.len();
        let nz = self.zone_ids.len();
        let l = last as usize;
        let rl = &self.rank[l * nz..(l + 1) * nz];
        let tl = &self.tmat[l * nz..(l + 1) * nz];
        let (pt, pt_sum, psite) = (&sc.pt[..nz], &sc.pt_sum[..nz], &sc.psite[..nz]);
        let strokes = &self.strokes[..nz];
        let prev = &prev[..nz];
        let mut delta: i64 = 0;
        let mut gained: i64 = 0;
        let mut longest: i64 = -1;
        // Pass 1, without branches: which zones the last site is nearer to (compacted
        // into `captured`), the longest time, the change of Σ patients × minutes.
        let captured = &mut sc.captured;
        captured.resize(nz, 0);
        let mut count = 0usize;
        for z in 0..nz {
            let c = rl[z] < prev[z];
            let w = strokes[z];
            let (ts, old) = (tl[z], pt[z]);
            longest = longest.max(if c { ts } else { old });
            let cw = w & -i64::from(c);
            delta += cw * (ts - pt_sum[z]);
            gained += cw;
            captured[count] = z as u32;
            count += usize::from(c);
        }
        // Pass 2, over the zones that move: volumes and shares within.
        let mut within = sc.base_within.clone();
        let th = &self.thresholds_fixed;
        for &z in &captured[..count] {
            let z = z as usize;
            let w = strokes[z];
            let p = psite[z] as usize;
            sc.volume[p] += w;
            sc.zones[p] += 1;
            let (ts, old) = (tl[z], pt[z]);
            for (j, &h) in th.iter().enumerate() {
                within[j] += w * (i64::from(ts <= h) - i64::from(old <= h));
            }
        }
        let gained_zones = count as u32;
        if longest >= FAR {
            let z = (0..nz)
                .find(|&z| rl[z] >= prev[z] && pt[z] >= FAR)
                .unwrap_or(0);
            for &s in sites {
                sc.volume[s as usize] = 0;
                sc.zones[s as usize] = 0;
            }
            sc.volume[n] = 0;
            sc.zones[n] = 0;
            return Err(z);
        }
        // The first zone (by id) at the longest time.
        let max_zone = (0..nz)
            .find(|&z| (if rl[z] < prev[z] { tl[z] } else { pt[z] }) == longest)
            .unwrap_or(0);
        let mut volumes = Vec::with_capacity(sites.len());
        let mut zones = Vec::with_capacity(sites.len());
        for &s in sites {
            let s = s as usize;
            if s == l {
                volumes.push(gained);
                zones.push(gained_zones);
            } else {
                volumes.push(sc.base_volume[s] - std::mem::take(&mut sc.volume[s]));
                zones.push(sc.base_zones[s] - std::mem::take(&mut sc.zones[s]));
            }
        }
        sc.volume[n] = 0;
        sc.zones[n] = 0;
        Ok(Raw {
            sites: sites.to_vec(),
            volumes,
            zones,
            max_time: longest,
            max_zone,
            sum: i128::from(sc.base_sum + delta),
            within,
        })
    }

    fn unreachable(&self, id: &str, sites: &[u16], zone: usize) -> AppraisalError {
        AppraisalError::Unreachable {
            option: id.to_string(),
            zone: self.zone_ids[zone].clone(),
            sites: self.joined(sites),
        }
    }

    pub(crate) fn joined(&self, sites: &[u16]) -> String {
        sites
            .iter()
            .map(|&s| self.sites[s as usize].id.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }

    /// Projects one option from scratch.
    fn project(&self, id: &str, sites: &[u16], sc: &mut Scratch) -> Result<Raw, AppraisalError> {
        let nz = self.zone_ids.len();
        let mut prev = vec![NONE; nz];
        let (&last, first) = sites.split_last().ok_or_else(|| AppraisalError::Table {
            table: "options",
            message: format!("option {id} designates no site"),
        })?;
        for &s in first {
            let rs = &self.rank[s as usize * nz..(s as usize + 1) * nz];
            for z in 0..nz {
                prev[z] = prev[z].min(rs[z]);
            }
        }
        self.leaf(&prev, last, sites, sc)
            .map_err(|z| self.unreachable(id, sites, z))
    }

    /// Enumerates every option of `k` sites that starts with `prefix`, depth first,
    /// each added site lowering every zone's best position.
    fn enumerate(
        &self,
        k: usize,
        prefix: &[u16],
        sc: &mut Scratch,
        out: &mut Vec<OptionAppraisal>,
    ) -> Result<(), AppraisalError> {
        let nz = self.zone_ids.len();
        let n = self.sites.len();
        // states[d]: the best positions after the first d sites.
        let mut states: Vec<Vec<u16>> = vec![vec![NONE; nz]; k];
        let mut chosen: Vec<u16> = Vec::with_capacity(k);
        for &s in prefix {
            self.push_site(&mut states, &mut chosen, s, k);
        }
        self.descend(k, n, &mut states, &mut chosen, sc, out)
    }

    fn push_site(&self, states: &mut [Vec<u16>], chosen: &mut Vec<u16>, s: u16, k: usize) {
        let d = chosen.len();
        chosen.push(s);
        if d + 1 < k {
            let nz = self.zone_ids.len();
            let rs = &self.rank[s as usize * nz..(s as usize + 1) * nz];
            let (before, after) = states.split_at_mut(d + 1);
            let (prev, next) = (&before[d], &mut after[0]);
            for z in 0..nz {
                next[z] = prev[z].min(rs[z]);
            }
        }
    }

    fn descend(
        &self,
        k: usize,
        n: usize,
        states: &mut [Vec<u16>],
        chosen: &mut Vec<u16>,
        sc: &mut Scratch,
        out: &mut Vec<OptionAppraisal>,
    ) -> Result<(), AppraisalError> {
        let d = chosen.len();
        let start = chosen.last().map_or(0, |&s| s as usize + 1);
        if d + 1 == k {
            let fast = !self.tmat.is_empty();
            if fast {
                self.parent(&states[d], chosen, sc);
            }
            for s in start..n {
                chosen.push(s as u16);
                let raw = if fast {
                    self.fast_leaf(&states[d], s as u16, chosen, sc)
                } else {
                    self.leaf(&states[d], s as u16, chosen, sc)
                }
                .map_err(|z| self.unreachable(&self.joined(chosen), chosen, z))?;
                out.push(self.assess(self.joined(&raw.sites), raw));
                chosen.pop();
            }
            return Ok(());
        }
        for s in start..=(n - (k - d)) {
            self.push_site(states, chosen, s as u16, k);
            self.descend(k, n, states, chosen, sc, out)?;
            chosen.pop();
        }
        Ok(())
    }

    /// The option with its hurdles' outcomes (scores come later, for the shortlist).
    fn assess(&self, id: String, raw: Raw) -> OptionAppraisal {
        let hurdles: Vec<_> = self
            .policy
            .hurdles
            .iter()
            .enumerate()
            .map(|(h, _)| hurdle_outcome(self, h, &raw))
            .collect();
        let passed = hurdles.iter().all(|h| h.passed);
        let share_within = self.policy.within_minutes.map(|m| {
            let j = self.threshold_index(m);
            self.share(raw.within[j]).round(6)
        });
        OptionAppraisal {
            id,
            hasus: raw
                .sites
                .iter()
                .zip(&raw.volumes)
                .zip(&raw.zones)
                .map(|((&s, &v), &z)| HasuProjection {
                    site_id: self.sites[s as usize].id.clone(),
                    current_admissions: self.sites[s as usize].admissions,
                    projected_admissions: self.patients(v),
                    zones: z as usize,
                })
                .collect(),
            max_travel_minutes: self.minutes(raw.max_time),
            max_travel_zone: self.zone_ids[raw.max_zone].clone(),
            mean_travel_minutes: raw.mean(self).round(2),
            share_within,
            hurdles,
            passed,
            scores: Vec::new(),
            total: None,
            rank: None,
            exact: super::Exact {
                sum: raw.sum,
                within: raw.within,
            },
        }
    }

    pub(crate) fn threshold_index(&self, minutes: Decimal) -> usize {
        self.thresholds
            .iter()
            .position(|&t| t == minutes)
            .unwrap_or(0)
    }
}

/// How many options of `min ..= max` of `n` sites there are.
pub(crate) fn long_list_size(n: usize, min: usize, max: usize) -> u128 {
    (min..=max.min(n)).map(|k| binomial(n, k)).sum()
}

fn binomial(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c.saturating_mul((n - i) as u128) / (i as u128 + 1);
    }
    c
}

/// The work of the long list, cut into prefixes of up to two sites.
fn tasks(n: usize, min: usize, max: usize) -> Vec<(usize, Vec<u16>)> {
    let mut out = Vec::new();
    for k in min..=max {
        if k == 1 {
            out.extend((0..n).map(|s| (1, vec![s as u16])));
            continue;
        }
        for a in 0..n {
            for b in a + 1..n {
                if n - b > k - 2 {
                    out.push((k, vec![a as u16, b as u16]));
                }
            }
        }
    }
    out
}

fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `jobs` over the cores, each job's results in job order.
fn spread<T: Send>(
    jobs: usize,
    run: impl Fn(usize, &mut Scratch, &mut Vec<T>) -> Result<(), AppraisalError> + Sync,
    p: &Prepared,
) -> Result<Vec<T>, AppraisalError> {
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(usize::MAX);
    let threads = workers().min(jobs).max(1);
    let mut done: Vec<(usize, Result<Vec<T>, AppraisalError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut sc = p.scratch();
                    let mut mine = Vec::new();
                    loop {
                        let j = next.fetch_add(1, AtomicOrdering::Relaxed);
                        if j >= jobs || j > failed.load(AtomicOrdering::Relaxed) {
                            break;
                        }
                        let mut out = Vec::new();
                        let r = run(j, &mut sc, &mut out).map(|()| out);
                        let err = r.is_err();
                        mine.push((j, r));
                        if err {
                            failed.fetch_min(j, AtomicOrdering::Relaxed);
                            break;
                        }
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(j, _)| *j);
    // The first failure in job order wins, so the error does not depend on timing:
    // every job before a failed one ran (jobs are taken in order).
    let mut out = Vec::new();
    for (_, r) in done {
        out.extend(r?);
    }
    Ok(out)
}

/// Appraises the request's options.
pub(crate) fn appraise(
    p: &Arc<Prepared>,
    request: &AppraisalRequest,
) -> Result<Appraisal, AppraisalError> {
    let n = p.sites.len();
    let policy = &p.policy;
    let (options, long_list) = match &request.options {
        None => {
            let (min, max) = request
                .sites_per_option
                .unwrap_or((policy.min_sites, policy.max_sites));
            if min > max {
                return Err(AppraisalError::Table {
                    table: "options",
                    message: format!(
                        "the long list's sites per option run from {min} to {max}: the minimum is above the maximum"
                    ),
                });
            }
            for k in [min, max] {
                if k == 0 || k > n {
                    return Err(AppraisalError::SitesPerOption { k, sites: n });
                }
            }

            let count = long_list_size(n, min, max);
            let bound = request.max_options.unwrap_or(policy.max_options);
            if count > bound as u128 {
                return Err(AppraisalError::TooManyOptions {
                    count,
                    bound,
                    min_sites: min,
                    max_sites: max,
                    sites: n,
                });
            }
            let tasks = tasks(n, min, max);
            let options = spread(
                tasks.len(),
                |j, sc, out| {
                    let (k, prefix) = &tasks[j];
                    if prefix.len() == *k {
                        let id = p.joined(prefix);
                        let raw = p.project(&id, prefix, sc)?;
                        out.push(p.assess(id, raw));
                        Ok(())
                    } else {
                        p.enumerate(*k, prefix, sc, out)
                    }
                },
                p,
            )?;
            (options, Some((min, max)))
        }
        Some(given) => {
            if given.is_empty() {
                return Err(AppraisalError::Table {
                    table: "options",
                    message: "no options given".into(),
                });
            }
            unique_ids("options", given.iter().map(|o| o.id.as_str())).map_err(fix_id_column)?;
            let index: HashMap<&str, u16> = p
                .sites
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), i as u16))
                .collect();
            let mut designated = Vec::with_capacity(given.len());
            for (row, o) in given.iter().enumerate() {
                let mut sites = Vec::with_capacity(o.sites.len());
                for s in &o.sites {
                    let i = *index.get(s.trim()).ok_or_else(|| {
                        invalid(
                            "options",
                            row,
                            "sites",
                            format!("unknown site `{s}`; it is not in the sites table"),
                        )
                    })?;
                    sites.push(i);
                }
                sites.sort_unstable();
                if let Some(w) = sites.windows(2).find(|w| w[0] == w[1]) {
                    return Err(invalid(
                        "options",
                        row,
                        "sites",
                        format!("site `{}` is named twice", p.sites[w[0] as usize].id),
                    ));
                }
                if sites.is_empty() {
                    return Err(invalid(
                        "options",
                        row,
                        "sites",
                        "names no site; expected the sites the option designates",
                    ));
                }
                designated.push(sites);
            }
            let options = spread(
                given.len(),
                |j, sc, out| {
                    let raw = p.project(&given[j].id, &designated[j], sc)?;
                    out.push(p.assess(given[j].id.clone(), raw));
                    Ok(())
                },
                p,
            )?;
            (options, None)
        }
    };
    let mut options = options;
    let criteria = weighted_criteria(policy, &request.weights)?;
    let scores = caller_scores(request, &options, &criteria)?;
    for o in options.iter_mut().filter(|o| o.passed) {
        let mut total = Decimal::ZERO;
        let mut row = Vec::with_capacity(criteria.len());
        for (ci, c) in criteria.iter().enumerate() {
            let (value, score) = score_option(p, o, ci, c, &scores)?;
            let weighted =
                c.weight
                    .checked_mul(Decimal::from(score))
                    .ok_or(AppraisalError::Overflow {
                        quantity: "a weighted score",
                    })?;
            total = total
                .checked_add(weighted)
                .ok_or(AppraisalError::Overflow {
                    quantity: "a weighted total",
                })?;
            row.push(CriterionScore {
                value,
                score,
                weighted,
            });
        }
        o.scores = row;
        o.total = Some(total);
    }
    let mut ranking: Vec<usize> = (0..options.len()).filter(|&i| options[i].passed).collect();
    ranking.sort_by(|&a, &b| {
        options[b]
            .total
            .cmp(&options[a].total)
            .then_with(|| options[a].id.cmp(&options[b].id))
    });
    for (r, &i) in ranking.iter().enumerate() {
        options[i].rank = Some(r + 1);
    }
    let swap = match ranking.as_slice() {
        [a, b, ..] => weight_swap(&criteria, &options[*a], &options[*b]),
        _ => None,
    };
    Ok(Appraisal {
        ruleset: p.ruleset.clone(),
        hurdles: policy.hurdles.clone(),
        criteria,
        within_minutes: policy.within_minutes,
        long_list,
        sites: n,
        zones: p.zone_ids.len(),
        total_patients: p.patients(p.total),
        options,
        ranking,
        swap,
        _prepared: Arc::clone(p),
    })
}

/// The policy's criteria with the call's weights.
fn weighted_criteria(
    policy: &AppraisalPolicy,
    weights: &BTreeMap<String, Decimal>,
) -> Result<Vec<super::EvaluationCriterion>, AppraisalError> {
    let mut criteria = policy.criteria.clone();
    for (id, &w) in weights {
        let c =
            criteria
                .iter_mut()
                .find(|c| c.id == *id)
                .ok_or_else(|| AppraisalError::Weight {
                    criterion: id.clone(),
                    message: format!(
                        "no such criterion; the criteria are: {}",
                        policy
                            .criteria
                            .iter()
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?;
        if w < Decimal::ZERO {
            return Err(AppraisalError::Weight {
                criterion: id.clone(),
                message: format!("{w} is negative; expected 0 or more"),
            });
        }
        c.weight = w;
    }
    Ok(criteria)
}

/// The caller's scores by (option id, criterion index), checked.
fn caller_scores(
    request: &AppraisalRequest,
    options: &[OptionAppraisal],
    criteria: &[super::EvaluationCriterion],
) -> Result<HashMap<(String, usize), i8>, AppraisalError> {
    let ids: HashSet<&str> = options.iter().map(|o| o.id.as_str()).collect();
    let mut out = HashMap::with_capacity(request.scores.len());
    for (row, s) in request.scores.iter().enumerate() {
        let ci = criteria
            .iter()
            .position(|c| c.id == s.criterion)
            .ok_or_else(|| {
                invalid(
                    "scores",
                    row,
                    "criterion",
                    format!(
                        "unknown criterion `{}`; the criteria scored by the caller are: {}",
                        s.criterion,
                        scored_ids(criteria)
                    ),
                )
            })?;
        if criteria[ci].measure != Measure::Scores {
            return Err(invalid(
                "scores",
                row,
                "criterion",
                format!(
                    "criterion `{}` is scored from the projection, not by the caller; the criteria scored by the caller are: {}",
                    s.criterion,
                    scored_ids(criteria)
                ),
            ));
        }
        if !(-2..=2).contains(&s.score) {
            return Err(invalid(
                "scores",
                row,
                "score",
                format!("{} is outside -2 (--) to +2 (++)", s.score),
            ));
        }
        if !ids.contains(s.option_id.as_str()) {
            return Err(invalid(
                "scores",
                row,
                "option_id",
                format!("unknown option `{}`", s.option_id),
            ));
        }
        if out.insert((s.option_id.clone(), ci), s.score).is_some() {
            return Err(invalid(
                "scores",
                row,
                "criterion",
                format!(
                    "option `{}` is scored twice on `{}`",
                    s.option_id, s.criterion
                ),
            ));
        }
    }
    Ok(out)
}

fn scored_ids(criteria: &[super::EvaluationCriterion]) -> String {
    let v: Vec<&str> = criteria
        .iter()
        .filter(|c| c.measure == Measure::Scores)
        .map(|c| c.id.as_str())
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// A shortlisted option's value and score on criterion `ci`.
fn score_option(
    p: &Prepared,
    o: &OptionAppraisal,
    ci: usize,
    c: &super::EvaluationCriterion,
    scores: &HashMap<(String, usize), i8>,
) -> Result<(Option<Decimal>, i8), AppraisalError> {
    let better = |ord: Ordering| match c.better {
        super::Better::Lower => ord != Ordering::Greater,
        super::Better::Higher => ord != Ordering::Less,
    };
    Ok(match &c.measure {
        Measure::Scores => {
            let s = scores.get(&(o.id.clone(), ci)).copied().ok_or_else(|| {
                AppraisalError::MissingScore {
                    option: o.id.clone(),
                    criterion: c.id.clone(),
                }
            })?;
            (None, s)
        }
        Measure::MeanTravel | Measure::ShareWithin(_) => {
            let ratio = match c.measure {
                Measure::MeanTravel => Ratio {
                    num: o.exact.sum,
                    den: p.total as i128 * pow10(p.time_scale),
                },
                Measure::ShareWithin(m) => p.share(o.exact.within[p.threshold_index(m)]),
                _ => unreachable!("matched above"),
            };
            let shown = ratio.round(if c.measure == Measure::MeanTravel {
                2
            } else {
                6
            });
            (Some(shown), c.score_by(|t| better(ratio.cmp_dec(t))))
        }
        Measure::MaxTravel => (Some(o.max_travel_minutes), c.score_of(o.max_travel_minutes)),
        Measure::MinVolume | Measure::MaxVolume => {
            let vols = o.hasus.iter().map(|h| h.projected_admissions);
            let v = if c.measure == Measure::MinVolume {
                vols.min()
            } else {
                vols.max()
            }
            .unwrap_or_default();
            (Some(v), c.score_of(v))
        }
        Measure::Hasus => {
            let v = Decimal::from(o.hasus.len());
            (Some(v), c.score_of(v))
        }
        Measure::SiteMeasure(name) => {
            let mut worst: Option<Decimal> = None;
            for h in &o.hasus {
                let site = p
                    .sites
                    .iter()
                    .find(|s| s.id == h.site_id)
                    .expect("a designated site is a site");
                let v = *site.measures.get(name).ok_or_else(|| AppraisalError::Table {
                    table: "sites",
                    message: format!(
                        "site `{}` has no `{name}`, which criterion `{}` scores; give it for every site",
                        site.id, c.id
                    ),
                })?;
                worst = Some(match (worst, c.better) {
                    (None, _) => v,
                    (Some(w), super::Better::Lower) => w.max(v),
                    (Some(w), super::Better::Higher) => w.min(v),
                });
            }
            let v = worst.unwrap_or_default();
            (Some(v), c.score_of(v))
        }
    })
}
