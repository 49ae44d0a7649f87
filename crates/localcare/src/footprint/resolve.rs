//! Resolving a footprint into a checked forest: ids to indices, parents, children,
//! top-down order, summed populations, cycles and coverage. Validation reports on it;
//! allocation walks it. Everything is iterative (no recursion) and O(n log n).

use std::collections::VecDeque;
use std::sync::{Arc, LazyLock};

use super::{AcoCountRange, Code, Finding, Footprint, FootprintUnit, Report, Severity};
use crate::classify::{BandStatus, CapabilitySet, TierTable};
use crate::ruleset::Tier;
use crate::{Population, Ruleset};

/// A footprint resolved against a ruleset. Units are held one per id, sorted by id, so
/// a unit's index is also its rank in id order: the tie-break key of apportionment, and
/// the reason nothing here depends on input row order.
pub(crate) struct Resolved<'a> {
    /// One unit per id (the canonical row of a duplicated id: the smallest by content).
    pub units: Vec<&'a FootprintUnit>,
    /// Parent index, when the parent id names a unit.
    pub parent: Vec<Option<usize>>,
    /// Declared tier index, when the ruleset knows it.
    pub tier: Vec<Option<usize>>,
    /// Known capabilities.
    pub caps: Vec<CapabilitySet>,
    /// Units reachable from a root, parents before children.
    pub order: Vec<usize>,
    /// Summed practice population beneath (and including) each unit, exact.
    pub population: Vec<Population>,
    /// Number of practices beneath (and including) each unit.
    practices_below: Vec<u64>,
    /// Whether each unit is reached from a root (not in or below a cycle).
    reached: Vec<bool>,
    findings: Findings,
}

/// Findings so far, one bucket per code, each finding with its sort rank (see
/// [`finding`]). The passes visit units in index order, so a bucket is nearly always in
/// rank order already and the report is assembled without a general sort.
struct Findings {
    by_code: Vec<Vec<(usize, Finding)>>,
    /// Keep errors alone (an allocation needs only to know the tree is valid): the
    /// other findings are never rendered, so a valid England footprint's 6,553 notes
    /// cost nothing.
    errors_only: bool,
}

impl Findings {
    fn new() -> Self {
        Findings {
            by_code: Code::ALL.iter().map(|_| Vec::new()).collect(),
            errors_only: false,
        }
    }

    /// A finding whose message is rendered only if it is kept.
    fn add(
        &mut self,
        code: Code,
        unit: Option<(usize, &str)>,
        rule: Arc<str>,
        message: std::fmt::Arguments<'_>,
    ) {
        if self.errors_only && code.severity() != Severity::Error {
            return;
        }
        self.push(finding(code, unit, rule, text(message)));
    }

    fn push(&mut self, (rank, f): (usize, Finding)) {
        self.by_code[f.code as usize].push((rank, f));
    }

    /// Errors first, then by code, unit id (its rank) and message.
    fn into_sorted(self) -> Vec<Finding> {
        let mut codes: Vec<Code> = Code::ALL.to_vec();
        codes.sort_by_key(|c| (c.severity(), *c));
        let mut by_code = self.by_code;
        let total = by_code.iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(total);
        for code in codes {
            let bucket = &mut by_code[code as usize];
            let key = |a: &(usize, Finding), b: &(usize, Finding)| {
                a.0.cmp(&b.0).then_with(|| a.1.message.cmp(&b.1.message))
            };
            if !bucket.is_sorted_by(|a, b| key(a, b).is_le()) {
                bucket.sort_by(key);
            }
            out.extend(std::mem::take(bucket).into_iter().map(|(_, f)| f));
        }
        out
    }
}

/// A finding's message, written into a buffer sized once for a usual message (`format!`
/// would grow it two or three times: a million findings, millions of reallocations).
fn text(args: std::fmt::Arguments<'_>) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(128);
    let _ = s.write_fmt(args);
    s
}

macro_rules! msg {
    ($($t:tt)*) => {
        text(format_args!($($t)*))
    };
}

/// A rule key that names no tier, shared by every finding that cites it: a million
/// findings hold one text, not a million copies.
fn fixed_rule(key: &'static str) -> Arc<str> {
    const KEYS: [&str; 7] = [
        "footprint.unit_id",
        "footprint.parent_id",
        "footprint.population",
        "tiers",
        "capabilities",
        "classify",
        "tiers.population",
    ];
    static SHARED: LazyLock<Vec<Arc<str>>> =
        LazyLock::new(|| KEYS.iter().map(|&k| Arc::from(k)).collect());
    match KEYS.iter().position(|&k| k == key) {
        Some(i) => SHARED[i].clone(),
        None => Arc::from(key),
    }
}

/// A finding about `unit` (its index and id), paired with its rank in the report's unit
/// order: 0 for none, else the unit's index plus one. Units are in id order, so ranks
/// sort as ids do without a string compare or a lookup.
fn finding(
    code: Code,
    unit: Option<(usize, &str)>,
    rule: Arc<str>,
    message: String,
) -> (usize, Finding) {
    let rank = unit.map_or(0, |(k, _)| k + 1);
    let finding = Finding {
        code,
        severity: code.severity(),
        unit_id: unit.map(|(_, id)| id.to_string()),
        rule,
        message,
    };
    (rank, finding)
}

impl<'a> Resolved<'a> {
    pub fn new(rs: &Ruleset, fp: &'a Footprint) -> Self {
        Self::build(rs, fp, false)
    }

    /// [`Resolved::new`] keeping only error findings: for a caller that needs the tree
    /// and whether it is valid (with its errors), not a report.
    pub fn errors_only(rs: &Ruleset, fp: &'a Footprint) -> Self {
        Self::build(rs, fp, true)
    }

    fn build(rs: &Ruleset, fp: &'a Footprint, errors_only: bool) -> Self {
        let mut findings = Findings::new();
        findings.errors_only = errors_only;
        // 1. One unit per id, in id order.
        let units = unique_units(fp.units(), &mut findings);
        let n = units.len();
        let parent_found = find_parents(&units);
        // 2. Parents, tiers, capabilities.
        let top = rs.accountable_tier();
        let (parent, tier, caps) = link(rs, &units, &parent_found, &mut findings);
        // 3. Top-down order from the roots; what it does not reach hangs in or below a
        //    cycle.
        let (order, seen) = top_down(&parent);
        if order.len() < n {
            find_cycles(&units, &parent, &seen, &mut findings);
        }

        let mut r = Resolved {
            units,
            parent,
            tier,
            caps,
            order,
            population: vec![Population::ZERO; n],
            practices_below: vec![0; n],
            reached: seen,
            findings,
        };
        r.sum_populations();
        r.check_structure(rs, top);
        r
    }

    fn id(&self, k: usize) -> &'a str {
        self.units[k].unit_id.as_str()
    }

    /// Practices carry populations; aggregates sum them, bottom-up in reverse order.
    fn sum_populations(&mut self) {
        let mut overflowed = false;
        // Unit order (id order), not tree order: the rows are read where they lie.
        for k in 0..self.units.len() {
            if !self.reached[k] || self.tier[k] != Some(0) {
                continue;
            }
            let id = self.id(k);
            match self.units[k].population {
                None => self.findings.add(
                    Code::PopulationMissing,
                    Some((k, id)),
                    fixed_rule("footprint.population"),
                    format_args!(
                        "practice {id} has no population; expected a number of people, 0 or more"
                    ),
                ),
                // A population is never negative (the type says so; readers refuse a
                // negative cell naming its row and column), so LC202 is no longer found.
                Some(p) => self.population[k] = p,
            }
            self.practices_below[k] = 1;
        }
        for &k in self.order.iter().rev() {
            if let Some(p) = self.parent[k] {
                match self.population[p].checked_add(self.population[k]) {
                    Some(s) => self.population[p] = s,
                    None => {
                        if !overflowed {
                            overflowed = true;
                            self.findings.add(
                                Code::PopulationOverflow,
                                Some((p, self.id(p))),
                                fixed_rule("footprint.population"),
                                format_args!(
                                    "the population beneath {} overflows a 64-bit count",
                                    self.id(p)
                                ),
                            );
                        }
                        self.population[p] = Population::MAX;
                    }
                }
                self.practices_below[p] += self.practices_below[k];
            }
        }
    }

    fn check_structure(&mut self, rs: &Ruleset, top: usize) {
        let tiers = rs.tiers();
        // What covers a practice: a unit of a tier that may sit directly under the
        // strategic commissioner (in kent-medway-2017 the ACOs alone; in a ruleset whose
        // neighbourhood providers may be commissioned directly, those too).
        let roots: Vec<&str> = tiers
            .iter()
            .filter(|t| t.under_commissioner())
            .map(|t| t.id())
            .collect();
        debug_assert!(roots.contains(&tiers[top].id()));
        let top_id = roots.join(" or ");
        let table = TierTable::new(rs);
        let reached = std::mem::take(&mut self.reached);
        let rules = TierRules::new(tiers);
        // Each unit's top ancestor, parents first (tree order, flat arrays only).
        let mut root = vec![usize::MAX; self.units.len()];
        for &k in &self.order {
            root[k] = self.parent[k].map_or(k, |p| root[p]);
        }
        // The checks in unit (id) order, which follows the rows rather than the tree.
        for k in 0..self.units.len() {
            if !reached[k] {
                continue;
            }
            let Some(t) = self.tier[k] else { continue };
            self.check_placement(k, t, tiers, &rules);
            if !self.check_aggregate_population(k, t, tiers) {
                continue;
            }
            self.check_declared_tier(k, t, rs, &table, &rules);
        }
        self.check_coverage(tiers, top, &reached, &root, &top_id);
    }

    /// Where unit `k` (of tier `t`) sits: under a parent its tier allows, or at the top
    /// only where its tier may.
    fn check_placement(&mut self, k: usize, t: usize, tiers: &[Tier], rules: &TierRules) {
        let id = self.id(k);
        let tier = &tiers[t];
        match self.parent[k] {
            Some(p) => {
                if let Some(pt) = self.tier[p] {
                    if !tier.parents().contains(&pt) {
                        self.findings.add(
                            Code::ParentTierNotAllowed,
                            Some((k, id)),
                            rules.parents[t].clone(),
                            format_args!(
                                "{id} ({}) sits under {} ({}); a {} may sit under {}",
                                tier.id(),
                                self.id(p),
                                tiers[pt].id(),
                                tier.id(),
                                rules.parents_text[t].0
                            ),
                        );
                    }
                }
            }
            None if !tier.under_commissioner()
                && self.units[k].parent_id.as_deref().is_none_or(is_blank) =>
            {
                self.findings.add(
                    Code::MissingParent,
                    Some((k, id)),
                    rules.parents[t].clone(),
                    format_args!(
                        "{id} ({}) has no parent; a {} must sit under {}",
                        tier.id(),
                        tier.id(),
                        rules.parents_text[t].1
                    ),
                );
            }
            None => {} // a root that may sit there, or an unknown parent (reported)
        }
    }

    /// An aggregate's population given beside its practices' sum, and an aggregate with
    /// no practices. False when the unit has nothing beneath it, so its tier is not
    /// checked further.
    fn check_aggregate_population(&mut self, k: usize, t: usize, tiers: &[Tier]) -> bool {
        if t == 0 {
            return true;
        }
        let id = self.id(k);
        let pop = self.population[k];
        // Population given on an aggregate is only checked against the sum.
        if let Some(given) = self.units[k].population {
            if given != pop {
                let given = given.group_thousands();
                self.findings.add(
                    Code::PopulationMismatch,
                    Some((k, id)),
                    fixed_rule("footprint.population"),
                    format_args!(
                        "{id} gives population {given}, but its practices add up to {}; the sum is used",
                        pop.group_thousands()
                    ),);
            }
        }
        if self.practices_below[k] == 0 {
            self.findings.add(
                Code::EmptyAggregate,
                Some((k, id)),
                fixed_rule("footprint.parent_id"),
                format_args!(
                    "{id} ({}) has no practices beneath it; its population is 0",
                    tiers[t].id()
                ),
            );
            return false;
        }
        true
    }

    /// The declared tier against the unit's population and capabilities: its band, the
    /// capabilities it requires, a higher tier the unit qualifies for, and bands that
    /// overlap or leave a gap at its population.
    fn check_declared_tier(
        &mut self,
        k: usize,
        t: usize,
        rs: &Ruleset,
        table: &TierTable,
        rules: &TierRules,
    ) {
        let tiers = rs.tiers();
        let tier = &tiers[t];
        let id = self.id(k);
        let pop = self.population[k];
        let (c_tier, c_status) = (
            table.tier_of_exact(pop, self.caps[k].bits()) as usize,
            table.band_status_exact(pop),
        );
        if let Some(band) = tier.band().filter(|b| b.is_advisory()) {
            if !band.contains_exact(pop) {
                let side = if pop < Population::whole(band.min()) {
                    "below"
                } else {
                    "above"
                };
                self.findings.add(
                    Code::OutsideAdvisoryBand,
                    Some((k, id)),
                    rules.population[t].clone(),
                    format_args!(
                        "{id} is declared {} but its population {} is {side} the advisory band {band}; an advisory band warns, it does not bar the tier",
                        tier.id(),
                        pop.group_thousands(),
                    ),);
            }
        } else if let Some(band) = tier.band() {
            if !band.contains_exact(pop) {
                let side = if pop < Population::whole(band.min()) {
                    "below"
                } else {
                    "above"
                };
                self.findings.add(
                    Code::BandNotMet,
                    Some((k, id)),
                    rules.population[t].clone(),
                    format_args!(
                        "{id} is declared {} but its population {} is {side} the band {}; by population and capabilities it is {}",
                        tier.id(),
                        pop.group_thousands(),
                        band,
                        tiers[c_tier].id()
                    ),);
            }
        }
        let missing = self.caps[k].missing(tier.requires());
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|b| rs.capabilities()[b].id()).collect();
            self.findings.add(
                Code::CapabilityNotMet,
                Some((k, id)),
                rules.requires[t].clone(),
                format_args!(
                    "{id} is declared {} but lacks {}",
                    tier.id(),
                    names.join(", ")
                ),
            );
        }
        if c_tier > t {
            self.findings.add(
                Code::QualifiesHigher,
                Some((k, id)),
                fixed_rule("classify"),
                format_args!(
                    "{id} is declared {} but its population {} and capabilities qualify it as {}",
                    tier.id(),
                    pop.group_thousands(),
                    tiers[c_tier].id()
                ),
            );
        }
        self.check_band_status(k, c_status, tiers);
    }

    /// A population several strict bands hold (capabilities decide), or none.
    fn check_band_status(&mut self, k: usize, status: BandStatus, tiers: &[Tier]) {
        let id = self.id(k);
        let pop = self.population[k];
        match status {
            BandStatus::Overlap => {
                let bands: Vec<String> = tiers[1..]
                    .iter()
                    .filter(|t| {
                        t.band()
                            .is_some_and(|b| !b.is_advisory() && b.contains_exact(pop))
                    })
                    .map(|t| {
                        msg!(
                            "{} {}",
                            t.id(),
                            t.band().map(|b| b.to_string()).unwrap_or_default()
                        )
                    })
                    .collect();
                self.findings.add(
                    Code::BandOverlap,
                    Some((k, id)),
                    fixed_rule("tiers.population"),
                    format_args!(
                        "{id} population {} lies in {} bands: {}; capabilities decide",
                        pop.group_thousands(),
                        bands.len(),
                        bands.join(", ")
                    ),
                );
            }
            BandStatus::Gap => self.findings.add(
                Code::BandGap,
                Some((k, id)),
                fixed_rule("tiers.population"),
                format_args!(
                    "{id} population {} lies in no tier band",
                    pop.group_thousands()
                ),
            ),
            BandStatus::InBand | BandStatus::OutsideAdvisoryBand => {}
        }
    }

    /// Coverage: every practice must hang, through its chain, from a unit of a tier that
    /// may sit under the commissioner (`top_id` names those tiers).
    fn check_coverage(
        &mut self,
        tiers: &[Tier],
        top: usize,
        reached: &[bool],
        root: &[usize],
        top_id: &str,
    ) {
        let covered_rule: Arc<str> = Arc::from(msg!("tiers.{}", tiers[top].id()));
        for k in 0..self.units.len() {
            if self.tier[k] != Some(0) {
                continue;
            }
            let id = self.id(k);
            let why = if !reached[k] {
                Some("its parent chain runs into a cycle".to_string())
            } else {
                let r = root[k];
                match self.tier[r] {
                    Some(t) if tiers[t].under_commissioner() => None,
                    _ if r == k => Some(
                        match self.units[k].parent_id.as_deref().filter(|p| !is_blank(p)) {
                            Some(p) => msg!("its parent {p} is not in the footprint"),
                            None => "it has no parent".to_string(),
                        },
                    ),
                    _ => Some(msg!(
                        "its chain ends at {} ({}), not an {top_id}",
                        self.id(r),
                        self.units[r].declared_tier
                    )),
                }
            };
            if let Some(why) = why {
                self.findings.add(
                    Code::NotCovered,
                    Some((k, id)),
                    covered_rule.clone(),
                    format_args!("practice {id} is not covered by any {top_id}: {why}"),
                );
            }
        }
    }

    /// Total population of all practices (each counted once), exact; saturates at
    /// [`Population::MAX`], where LC207 has been reported.
    pub fn total_population(&self) -> Population {
        (0..self.units.len())
            .filter(|&k| self.tier[k] == Some(0))
            .filter_map(|k| self.units[k].population)
            .sum()
    }

    /// The finished report: ACO-count feasibility, then every finding sorted.
    pub fn report(mut self, rs: &Ruleset) -> Report {
        let top = rs.accountable_tier();
        let top_tier = &rs.tiers()[top];
        let total = self.total_population();
        let aco_units = self.tier.iter().filter(|t| **t == Some(top)).count();
        let range = top_tier
            .band()
            .filter(|_| total > Population::ZERO)
            .map(|band| {
                // Counts of whole units from an exact total: ceil(P / max), floor(P / min),
                // in billionths (a u64 count of a total of at most u64::MAX people).
                let p = total.billionths();
                let per = |people: u64| u128::from(people) * crate::population::SCALE;
                let count = |c: u128| u64::try_from(c).unwrap_or(u64::MAX);
                let min = band.max().map_or(1, |b| count(p.div_ceil(per(b.max(1)))));
                match (band.min(), min) {
                    (0, _) => AcoCountRange::Feasible { min, max: None },
                    (a, min) if count(p / per(a)) >= min => AcoCountRange::Feasible {
                        min,
                        max: Some(count(p / per(a))),
                    },
                    (a, min) => AcoCountRange::Infeasible {
                        min,
                        max: count(p / per(a)),
                    },
                }
            });
        let advisory = top_tier.band().is_some_and(|b| b.is_advisory());
        if let Some(range) = range {
            let rule: Arc<str> = Arc::from(msg!("tiers.{}.population", top_tier.id()));
            let band = top_tier.band().map_or_else(String::new, |b| {
                if b.is_advisory() {
                    msg!("advisory band {b}")
                } else {
                    msg!("band {b}")
                }
            });
            self.findings.add(
                Code::AcoCountRange,
                None,
                rule.clone(),
                format_args!("{}", match range {
                    AcoCountRange::Infeasible { min, max } => msg!(
                        "total population {} and the {} {band} allow no whole number of {}s: at least {min} to keep each under the maximum, at most {max} to keep each at the minimum",
                        total.group_thousands(),
                        top_tier.id(),
                        top_tier.id()
                    ),
                    AcoCountRange::Feasible { .. } => msg!(
                        "total population {} and the {} {band} allow {range} {}s",
                        total.group_thousands(),
                        top_tier.id(),
                        top_tier.id()
                    ),
                }),);
            match range {
                // An advisory band bars no unit, so it bars no count either: the range is
                // stated (LC304) and each unit outside the band is warned of (LC209).
                _ if advisory => {}
                AcoCountRange::Infeasible { .. } => self.findings.add(
                    Code::NoFeasibleAcoCount,
                    None,
                    rule,
                    format_args!(
                        "no whole number of {}s fits total population {} into the {band}",
                        top_tier.id(),
                        total.group_thousands()
                    ),
                ),
                AcoCountRange::Feasible { min, max } => {
                    let count = aco_units as u64;
                    if count < min || max.is_some_and(|m| count > m) {
                        self.findings.add(
                            Code::AcoCountInfeasible,
                            None,
                            rule,
                            format_args!("the footprint has {count} {}s; expected {range} for total population {}", top_tier.id(), total.group_thousands()),);
                    }
                }
            }
        }
        let findings = std::mem::replace(&mut self.findings, Findings::new()).into_sorted();
        Report {
            findings,
            units: self.units.len(),
            practices: self.tier.iter().filter(|t| **t == Some(0)).count(),
            total_population: total,
            accountable_units: aco_units,
            accountable_tier: top_tier.id().to_string(),
            aco_count_range: range,
        }
    }
}

/// The first eight bytes of an id as a big-endian integer (zero-padded): comparing these
/// first orders ids exactly as comparing the strings does, ties aside.
fn id_prefix(id: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = id.len().min(8);
    b[..n].copy_from_slice(&id.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// Orders ids as strings do, given each with its [`id_prefix`]: by the prefix, then (for
/// ids of up to eight bytes, which the prefix and length determine) by length, reading
/// the bytes only when both ids are longer. A sort or a merge on this key touches the
/// text of short ids never, and of long ones only on a tie of their first eight bytes.
fn id_order(a: (u64, &str), b: (u64, &str)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then_with(|| {
        if a.1.len() > 8 && b.1.len() > 8 {
            a.1.cmp(b.1)
        } else {
            a.1.len().cmp(&b.1.len())
        }
    })
}

/// Whether an id is empty or only white space. Ids start with a letter or digit almost
/// always, and then the first byte decides without scanning for Unicode white space.
#[inline]
fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii_alphanumeric() => false,
        Some(_) => s.trim().is_empty(),
    }
}

/// One unit per id, in id order; an empty id or a repeated one is a finding.
///
/// Sorting the rows themselves (id first, then content) makes the kept row of a
/// duplicated id independent of input order. Ids first (their first eight bytes as an
/// integer, computed once and held beside the row's index, then the whole row): the same
/// order as comparing the rows, with the common comparison an integer one in a flat array.
fn unique_units<'a>(all: &'a [FootprintUnit], findings: &mut Findings) -> Vec<&'a FootprintUnit> {
    let mut keyed: Vec<(u64, &str, usize)> = all
        .iter()
        .enumerate()
        .map(|(i, u)| (id_prefix(&u.unit_id), u.unit_id.as_str(), i))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        id_order((a.0, a.1), (b.0, b.1)).then_with(|| all[a.2].cmp(&all[b.2]))
    });
    let rows: Vec<&FootprintUnit> = keyed.iter().map(|&(_, _, i)| &all[i]).collect();
    let mut units: Vec<&FootprintUnit> = Vec::with_capacity(rows.len());
    let mut i = 0;
    while i < rows.len() {
        // Equal ids side by side, told by their prefixes (the text read only when two
        // long ids share their first eight bytes).
        let mut j = i + 1;
        while j < rows.len() && id_order((keyed[j].0, keyed[j].1), (keyed[i].0, keyed[i].1)).is_eq()
        {
            j += 1;
        }
        let id = keyed[i].1;
        if is_blank(id) {
            findings.add(
                Code::EmptyUnitId,
                None,
                fixed_rule("footprint.unit_id"),
                format_args!("{} unit(s) have an empty unit id and are left out", j - i),
            );
        } else {
            if j - i > 1 {
                findings.add(
                    Code::DuplicateUnitId,
                    Some((units.len(), id)),
                    fixed_rule("footprint.unit_id"),
                    format_args!("unit id {id} appears {} times; expected once (one row is used, the others are left out)", j - i),);
            }
            units.push(rows[i]);
        }
        i = j;
    }
    units
}

/// Each unit's parent, by position, where its parent id names a unit.
///
/// Found by merging the units (in id order) with the parent ids sorted the same way:
/// flat arrays walked in order, no hash probe (a cache miss) per unit.
fn find_parents(units: &[&FootprintUnit]) -> Vec<Option<usize>> {
    let n = units.len();
    let mut wanted: Vec<(u64, &str, usize)> = (0..n)
        .filter_map(|k| {
            units[k]
                .parent_id
                .as_deref()
                .filter(|p| !is_blank(p))
                .map(|p| (id_prefix(p), p, k))
        })
        .collect();
    wanted.sort_unstable_by(|a, b| id_order((a.0, a.1), (b.0, b.1)));
    let ids: Vec<(u64, &str)> = units
        .iter()
        .map(|u| (id_prefix(&u.unit_id), u.unit_id.as_str()))
        .collect();
    let mut parent_found: Vec<Option<usize>> = vec![None; n];
    let mut at = 0;
    for &(key, p, k) in &wanted {
        while at < n && id_order(ids[at], (key, p)).is_lt() {
            at += 1;
        }
        if at < n && id_order(ids[at], (key, p)).is_eq() {
            parent_found[k] = Some(at);
        }
    }
    parent_found
}

/// Each unit's parent, declared tier and capabilities, by position; an unknown parent,
/// tier or capability is a finding.
#[allow(clippy::type_complexity)]
fn link(
    rs: &Ruleset,
    units: &[&FootprintUnit],
    parent_found: &[Option<usize>],
    findings: &mut Findings,
) -> (Vec<Option<usize>>, Vec<Option<usize>>, Vec<CapabilitySet>) {
    let n = units.len();
    let mut parent = vec![None; n];
    let mut tier = vec![None; n];
    let mut caps = vec![CapabilitySet::EMPTY; n];
    for (k, u) in units.iter().enumerate() {
        let id = u.unit_id.as_str();
        if let Some(p) = u.parent_id.as_deref().filter(|p| !is_blank(p)) {
            match parent_found[k] {
                Some(pi) => parent[k] = Some(pi),
                None => findings.add(
                    Code::UnknownParent,
                    Some((k, id)),
                    fixed_rule("footprint.parent_id"),
                    format_args!("parent {p} of {id} is not a unit of the footprint"),
                ),
            }
        }
        match rs.tier_index(&u.declared_tier) {
            Some(t) => tier[k] = Some(t),
            None => findings.add(
                Code::UnknownTier,
                Some((k, id)),
                fixed_rule("tiers"),
                format_args!(
                    "declared tier `{}` is not a tier of {}; expected one of {}",
                    u.declared_tier,
                    rs.id(),
                    rs.tier_ids().collect::<Vec<_>>().join(", ")
                ),
            ),
        }
        for c in &u.capabilities {
            let c = c.trim();
            if c.is_empty() {
                continue;
            }
            match rs.capability_index(c) {
                Some(bit) => caps[k] = caps[k].with(bit),
                None => findings.add(
                    Code::UnknownCapability,
                    Some((k, id)),
                    fixed_rule("capabilities"),
                    format_args!("capability `{c}` of {id} is not declared by {}", rs.id()),
                ),
            }
        }
    }
    (parent, tier, caps)
}

/// The units in top-down order from the roots, and which of them that order reaches.
fn top_down(parent: &[Option<usize>]) -> (Vec<usize>, Vec<bool>) {
    let n = parent.len();
    // Children as compressed rows, each list in id order since k ascends.
    let mut child_start = vec![0usize; n + 1];
    for p in parent.iter().flatten() {
        child_start[p + 1] += 1;
    }
    for k in 0..n {
        child_start[k + 1] += child_start[k];
    }
    let mut fill = child_start.clone();
    let mut child_list = vec![0usize; child_start[n]];
    for (k, p) in parent.iter().enumerate() {
        if let Some(p) = *p {
            child_list[fill[p]] = k;
            fill[p] += 1;
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    let mut queue: VecDeque<usize> = (0..n).filter(|&k| parent[k].is_none()).collect();
    while let Some(k) = queue.pop_front() {
        seen[k] = true;
        order.push(k);
        queue.extend(&child_list[child_start[k]..child_start[k + 1]]);
    }
    (order, seen)
}

/// Per tier, once: the rule keys its findings cite and the text of the tiers allowed
/// above it.
struct TierRules {
    parents: Vec<Arc<str>>,
    population: Vec<Arc<str>>,
    requires: Vec<Arc<str>>,
    /// The tiers allowed above, with the commissioner where the tier may sit under it;
    /// and without.
    parents_text: Vec<(String, String)>,
}

impl TierRules {
    fn new(tiers: &[Tier]) -> Self {
        let per_tier = |what: &str| -> Vec<Arc<str>> {
            tiers
                .iter()
                .map(|t| Arc::from(msg!("tiers.{}.{what}", t.id())))
                .collect()
        };
        let parents_text = tiers
            .iter()
            .map(|t| {
                let allowed: Vec<&str> = t.parents().iter().map(|&i| tiers[i].id()).collect();
                let mut with_root = allowed.clone();
                if t.under_commissioner() {
                    with_root.push("the strategic commissioner (no parent)");
                }
                (or_none(&with_root), or_none(&allowed))
            })
            .collect();
        TierRules {
            parents: per_tier("parents"),
            population: per_tier("population"),
            requires: per_tier("requires"),
            parents_text,
        }
    }
}

fn or_none(ids: &[&str]) -> String {
    if ids.is_empty() {
        "nothing".to_string()
    } else {
        ids.join(" or ")
    }
}

/// Reports each cycle among the units not reached from a root, once, starting from its
/// smallest id. Iterative: each unit is walked once.
fn find_cycles(
    units: &[&FootprintUnit],
    parent: &[Option<usize>],
    reached: &[bool],
    findings: &mut Findings,
) {
    // 0 = unvisited, 1 = on the current walk, 2 = done.
    let mut state: Vec<u8> = reached.iter().map(|&r| if r { 2 } else { 0 }).collect();
    let mut path = Vec::new();
    for start in 0..units.len() {
        if state[start] != 0 {
            continue;
        }
        path.clear();
        let mut k = start;
        loop {
            match state[k] {
                0 => {
                    state[k] = 1;
                    path.push(k);
                    match parent[k] {
                        Some(p) => k = p,
                        None => break, // cannot happen for unreached units
                    }
                }
                1 => {
                    // `k` is on this walk: the cycle is the path from k on.
                    let pos = path.iter().position(|&x| x == k).unwrap_or(0);
                    let cycle = &path[pos..];
                    // Parent links run child -> parent; show the cycle from its smallest id.
                    let smallest = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|&(_, &u)| u)
                        .map_or(0, |(i, _)| i);
                    // A long cycle is named by its first units and its length: a
                    // message is read by people, not a million ids long.
                    const SHOWN: usize = 20;
                    let mut names: Vec<&str> = cycle[smallest..]
                        .iter()
                        .chain(&cycle[..smallest])
                        .take(SHOWN)
                        .map(|&u| units[u].unit_id.as_str())
                        .collect();
                    let (first_k, first) = (cycle[smallest], names[0]);
                    let path = if cycle.len() > SHOWN {
                        msg!(
                            "{} -> ... ({} more) -> {first}",
                            names.join(" -> "),
                            cycle.len() - SHOWN
                        )
                    } else {
                        names.push(first);
                        names.join(" -> ")
                    };
                    findings.add(
                        Code::Cycle,
                        Some((first_k, first)),
                        fixed_rule("footprint.parent_id"),
                        format_args!("parent links form a cycle of {} units: {path}", cycle.len()),
                    );
                    break;
                }
                _ => break,
            }
        }
        for &u in &path {
            state[u] = 2;
        }
    }
}
