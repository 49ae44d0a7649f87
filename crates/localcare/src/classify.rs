//! Tier classification (`docs/rules.md#classification`): which tier a unit belongs to, and why not higher.
//!
//! A unit's tier is the highest tier whose population band contains its population and
//! whose required capabilities it has. The base tier (GP practice) has no band and no
//! requirement, so every unit has a tier. Bands may overlap (a 55,000 unit is inside
//! both the Tier 1 and the Tier 2 band: capabilities decide) and leave gaps (200,001 to
//! 399,999 fits no band): [`BandStatus`] makes both visible rather than resolving them.
//!
//! An **advisory** band (the source says "usually" or "around", as for Primary Care
//! Networks of 30,000 – 50,000) does not decide the tier: a unit reaches that tier on
//! capabilities alone, and when its population lies outside the band its status is
//! [`BandStatus::OutsideAdvisoryBand`]. Advisory bands take no part in overlaps and gaps,
//! which are about the bands that do decide.
//!
//! ```
//! use localcare::{Ruleset, Unit, BandStatus};
//! let rs = Ruleset::builtin("kent-medway-2017").unwrap();
//! let caps = rs.capability_set(["enhanced_in_hours", "extended_hours"]).unwrap();
//! let c = rs.classify(&Unit::new(55_000, caps));
//! assert_eq!(rs.tiers()[c.tier()].id(), "extended_practice");
//! assert_eq!(c.band_status(), BandStatus::Overlap);
//! // Why not a hub: it lacks the Tier 2 capabilities.
//! assert!(c.explain(&rs).contains("mcp_hub: lacks mdt, mental_health, seven_day"));
//! ```

use std::fmt::{self, Write as _};

use crate::money::group_thousands;
pub use crate::ruleset::capabilities::{CapabilitySet, UnknownCapability, capability_ids};
use crate::{Population, Ruleset};

/// A unit to classify: the population it serves and its capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// Population served, exact (it may be fractional: NHS England's adjusted
    /// populations are).
    pub population: Population,
    /// Capabilities it has.
    pub capabilities: CapabilitySet,
}

impl Unit {
    /// A unit serving a whole number of people with `capabilities`.
    pub fn new(population: u64, capabilities: CapabilitySet) -> Self {
        Unit::exact(Population::whole(population), capabilities)
    }
    /// A unit serving an exact, possibly fractional, population.
    ///
    /// ```
    /// use localcare::{Population, Ruleset, Unit};
    /// let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    /// let caps = rs.capability_set(["enhanced_in_hours", "extended_hours"]).unwrap();
    /// // 19,999.5 people are below the extended practice minimum of 20,000.
    /// let c = rs.classify(&Unit::exact("19999.5".parse::<Population>().unwrap(), caps));
    /// assert_eq!(rs.tiers()[c.tier()].id(), "gp_practice");
    /// assert!(c.reasons_line(&rs).starts_with("extended_practice: population 19,999.5 below the minimum 20,000"));
    /// ```
    pub fn exact(population: Population, capabilities: CapabilitySet) -> Self {
        Unit {
            population,
            capabilities,
        }
    }
}

/// Where a population sits against the bands of the tiers above the base tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BandStatus {
    /// Inside exactly one band, or below every band (a practice-sized population).
    InBand,
    /// Inside two or more bands: capabilities decide between them.
    Overlap,
    /// Inside no band, though at or above the lowest band's minimum: no tier's band fits.
    Gap,
    /// The unit's tier has an advisory band ("usually", "around") and the population is
    /// outside it: the unit is in the tier, with a warning. Only a classification (which
    /// knows the tier) gives this status; [`Ruleset::band_status`] never does.
    OutsideAdvisoryBand,
}

impl BandStatus {
    /// Stable id: `in_band`, `overlap`, `gap` or `outside_advisory_band`.
    pub fn as_str(self) -> &'static str {
        match self {
            BandStatus::InBand => "in_band",
            BandStatus::Overlap => "overlap",
            BandStatus::Gap => "gap",
            BandStatus::OutsideAdvisoryBand => "outside_advisory_band",
        }
    }

    /// Every status, in the order of their stable ids above.
    pub const ALL: [BandStatus; 4] = [
        BandStatus::InBand,
        BandStatus::Overlap,
        BandStatus::Gap,
        BandStatus::OutsideAdvisoryBand,
    ];
}

impl fmt::Display for BandStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason a unit is not in a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Population below the tier's minimum.
    Below {
        /// The unit's population.
        population: Population,
        /// The tier's minimum.
        min: u64,
    },
    /// Population above the tier's maximum.
    Above {
        /// The unit's population.
        population: Population,
        /// The tier's maximum.
        max: u64,
    },
    /// A capability the tier requires and the unit lacks (bit index).
    Lacks(usize),
}

impl Reason {
    /// The reason in words, naming capabilities by id.
    pub fn describe(&self, rs: &Ruleset) -> String {
        match *self {
            Reason::Below { population, min } => {
                format!(
                    "population {} below the minimum {}",
                    population.group_thousands(),
                    group_thousands(min)
                )
            }
            Reason::Above { population, max } => {
                format!(
                    "population {} above the maximum {}",
                    population.group_thousands(),
                    group_thousands(max)
                )
            }
            Reason::Lacks(bit) => format!("lacks {}", rs.capabilities()[bit].id()),
        }
    }
}

/// Why a unit is not in one higher tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The tier's index.
    pub tier: usize,
    /// Population reason, if the band excludes the unit.
    pub band: Option<Reason>,
    /// Capabilities the tier requires that the unit lacks.
    pub missing: CapabilitySet,
}

impl Shortfall {
    /// The reasons, population first, then each missing capability.
    pub fn reasons(&self) -> impl Iterator<Item = Reason> + '_ {
        self.band
            .into_iter()
            .chain(self.missing.iter().map(Reason::Lacks))
    }
    /// The reasons in words: `population 12,000 below the minimum 20,000, lacks
    /// extended_hours`.
    pub fn describe(&self, rs: &Ruleset) -> String {
        let mut out: Vec<String> = self.band.iter().map(|r| r.describe(rs)).collect();
        if !self.missing.is_empty() {
            let lacks: Vec<&str> = self
                .missing
                .iter()
                .map(|b| rs.capabilities()[b].id())
                .collect();
            out.push(format!("lacks {}", lacks.join(", ")));
        }
        out.join(", ")
    }

    /// True when only capabilities stand in the way (the population is in band).
    pub fn only_capabilities(&self) -> bool {
        self.band.is_none() && !self.missing.is_empty()
    }
}

/// The outcome of classifying one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    tier: usize,
    population: Population,
    band_status: BandStatus,
    shortfalls: Vec<Shortfall>,
}

impl Classification {
    /// Index of the unit's tier in [`Ruleset::tiers`].
    pub fn tier(&self) -> usize {
        self.tier
    }
    /// The population classified.
    pub fn population(&self) -> Population {
        self.population
    }
    /// In band, overlap, gap, or outside the advisory band of its tier.
    pub fn band_status(&self) -> BandStatus {
        self.band_status
    }
    /// For every tier above the unit's, why it is not in it (lowest first).
    pub fn shortfalls(&self) -> &[Shortfall] {
        &self.shortfalls
    }

    /// The reasons as one line: `mcp_hub: population 30,000 below the minimum 50,000,
    /// lacks mdt; aco: ...`. Empty for a unit in the highest tier.
    pub fn reasons_line(&self, rs: &Ruleset) -> String {
        let parts: Vec<String> = self
            .shortfalls
            .iter()
            .map(|s| format!("{}: {}", rs.tiers()[s.tier].id(), s.describe(rs)))
            .collect();
        parts.join("; ")
    }

    /// A short explanation in words, one line per tier above the unit's.
    pub fn explain(&self, rs: &Ruleset) -> String {
        let t = &rs.tiers()[self.tier];
        let mut out = format!(
            "population {}: tier {} ({}), band status {}\n",
            self.population.group_thousands(),
            t.id(),
            t.name(),
            self.band_status
        );
        if self.band_status == BandStatus::OutsideAdvisoryBand {
            if let Some(b) = t.band() {
                let _ = writeln!(
                    out,
                    "  outside the advisory band {b} of {}: a warning, not a bar to the tier",
                    t.id()
                );
            }
        }
        for s in &self.shortfalls {
            let _ = writeln!(out, "  not {}: {}", rs.tiers()[s.tier].id(), s.describe(rs));
        }
        if self.shortfalls.is_empty() {
            out.push_str("  highest tier: nothing above it\n");
        }
        out
    }

    /// The lowest higher tier that only capabilities keep the unit from: "would qualify as
    /// `tier` with these capabilities". `None` when no such tier exists.
    pub fn near_miss(&self) -> Option<&Shortfall> {
        self.shortfalls.iter().find(|s| s.only_capabilities())
    }
}

/// Writes the reasons line of many units ([`Classification::reasons_line`], byte for
/// byte) straight into one buffer: the tier ids, strict bands and capability ids are
/// taken from the ruleset once, so a million lines cost their numbers and their bytes,
/// not a million classifications and their strings.
///
/// ```
/// use localcare::{Ruleset, Unit, classify::ReasonsWriter};
/// let rs = Ruleset::builtin("kent-medway-2017").unwrap();
/// let caps = rs.capability_set(["enhanced_in_hours"]).unwrap();
/// let c = rs.classify(&Unit::new(12_000, caps));
/// let mut line = String::new();
/// ReasonsWriter::new(&rs).write(12_000, caps.bits(), c.tier(), &mut line);
/// assert_eq!(line, c.reasons_line(&rs));
/// ```
#[derive(Debug, Clone)]
pub struct ReasonsWriter<'a> {
    tier_ids: Vec<&'a str>,
    /// Per tier, its strict band as `(min, max)`; advisory bands bar nothing.
    bands: Vec<Option<(u64, Option<u64>)>>,
    reqs: Vec<u64>,
    capability_ids: Vec<&'a str>,
}

impl<'a> ReasonsWriter<'a> {
    /// A writer for units classified under `rs`.
    pub fn new(rs: &'a Ruleset) -> Self {
        let tiers = rs.tiers();
        ReasonsWriter {
            tier_ids: tiers.iter().map(|t| t.id()).collect(),
            bands: tiers
                .iter()
                .map(|t| {
                    t.band()
                        .filter(|b| !b.is_advisory())
                        .map(|b| (b.min(), b.max()))
                })
                .collect(),
            reqs: tiers.iter().map(|t| t.requires().bits()).collect(),
            capability_ids: rs.capabilities().iter().map(|c| c.id()).collect(),
        }
    }

    /// Appends the reasons line of a unit of `population` with capability bits
    /// `capabilities`, classified into `tier` (as [`Ruleset::classify_batch`] gives it).
    /// Nothing is appended for a unit in the highest tier.
    pub fn write<W: fmt::Write + ?Sized>(
        &self,
        population: u64,
        capabilities: u64,
        tier: usize,
        out: &mut W,
    ) {
        self.write_exact(Population::whole(population), capabilities, tier, out);
    }

    /// [`ReasonsWriter::write`] for an exact, possibly fractional, population.
    pub fn write_exact<W: fmt::Write + ?Sized>(
        &self,
        population: Population,
        capabilities: u64,
        tier: usize,
        out: &mut W,
    ) {
        for t in tier + 1..self.tier_ids.len() {
            if t > tier + 1 {
                let _ = out.write_str("; ");
            }
            let _ = out.write_str(self.tier_ids[t]);
            let _ = out.write_str(": ");
            let mut band = false;
            if let Some((min, max)) = self.bands[t] {
                if population < Population::whole(min) {
                    let _ = out.write_str("population ");
                    population.push_thousands(out);
                    let _ = out.write_str(" below the minimum ");
                    crate::money::push_thousands(min, out);
                    band = true;
                } else if let Some(max) = max.filter(|&m| population > Population::whole(m)) {
                    let _ = out.write_str("population ");
                    population.push_thousands(out);
                    let _ = out.write_str(" above the maximum ");
                    crate::money::push_thousands(max, out);
                    band = true;
                }
            }
            let mut missing = self.reqs[t] & !capabilities;
            if missing != 0 {
                let _ = out.write_str(if band { ", lacks " } else { "lacks " });
                let mut first = true;
                while missing != 0 {
                    let bit = missing.trailing_zeros() as usize;
                    missing &= missing - 1;
                    if !first {
                        let _ = out.write_str(", ");
                    }
                    first = false;
                    let _ = out.write_str(self.capability_ids[bit]);
                }
            }
        }
    }
}

/// The bands of the tiers above the base one, flattened for the batch path.
#[derive(Debug, Clone)]
pub(crate) struct TierTable {
    mins: Vec<u64>,
    maxs: Vec<u64>,
    reqs: Vec<u64>,
    /// Smallest minimum of any band above the base tier (below it is not a gap).
    lowest_min: u64,
    /// Whether tier i (i >= 1) has a strict band (counts toward overlap and gap).
    banded: Vec<bool>,
    /// Per tier, its advisory band as `(min, max)`: it decides nothing, it is reported.
    /// A tier without one has `(0, u64::MAX)`, which no population is outside.
    advisory: Vec<(u64, u64)>,
}

impl TierTable {
    pub(crate) fn new(rs: &Ruleset) -> Self {
        let tiers = rs.tiers();
        let mut t = TierTable {
            mins: Vec::with_capacity(tiers.len()),
            maxs: Vec::with_capacity(tiers.len()),
            reqs: Vec::with_capacity(tiers.len()),
            lowest_min: u64::MAX,
            banded: Vec::with_capacity(tiers.len()),
            advisory: Vec::with_capacity(tiers.len()),
        };
        for (i, tier) in tiers.iter().enumerate() {
            let bounds = |b: crate::ruleset::Band| (b.min(), b.max().unwrap_or(u64::MAX));
            let strict = tier.band().filter(|b| !b.is_advisory());
            let (min, max) = strict.map_or((0, u64::MAX), bounds);
            t.mins.push(min);
            t.maxs.push(max);
            t.reqs.push(tier.requires().bits());
            t.advisory.push(
                tier.band()
                    .filter(|b| b.is_advisory())
                    .map_or((0, u64::MAX), bounds),
            );
            let banded = i > 0 && strict.is_some();
            t.banded.push(banded);
            if banded {
                t.lowest_min = t.lowest_min.min(min);
            }
        }
        t
    }

    #[inline]
    pub(crate) fn tier_of(&self, pop: u64, caps: u64) -> u8 {
        self.tier_of_range(pop, pop, caps)
    }

    /// The tier of an exact population: bands are whole people, so a population is
    /// at or above a minimum when its floor is, and at or below a maximum when its
    /// ceiling is (19,999.5 is below 20,000; 200,000.5 is above 200,000).
    pub(crate) fn tier_of_exact(&self, pop: Population, caps: u64) -> u8 {
        self.tier_of_range(pop.floor(), pop.ceil(), caps)
    }

    /// The tier of a population `p` with `floor <= p <= ceil`, `ceil - floor <= 1`.
    #[inline]
    fn tier_of_range(&self, floor: u64, ceil: u64, caps: u64) -> u8 {
        let mut tier = 0u8;
        for i in 1..self.mins.len() {
            let ok = (floor >= self.mins[i])
                & (ceil <= self.maxs[i])
                & (caps & self.reqs[i] == self.reqs[i]);
            tier = if ok { i as u8 } else { tier };
        }
        tier
    }

    /// Counted without a branch per tier: on a column of mixed populations the
    /// comparisons are unpredictable, and a mispredicted branch costs more than the
    /// whole count.
    pub(crate) fn band_status(&self, pop: u64) -> BandStatus {
        self.band_status_range(pop, pop)
    }

    /// [`TierTable::band_status`] of an exact population (floor and ceiling as in
    /// [`TierTable::tier_of_exact`]).
    pub(crate) fn band_status_exact(&self, pop: Population) -> BandStatus {
        self.band_status_range(pop.floor(), pop.ceil())
    }

    fn band_status_range(&self, floor: u64, ceil: u64) -> BandStatus {
        let mut inside = 0u32;
        for i in 1..self.mins.len() {
            inside += u32::from(self.banded[i] & (floor >= self.mins[i]) & (ceil <= self.maxs[i]));
        }
        // At or above the lowest minimum: a population of 19,999.5 is not, under 20,000.
        let gap = (inside == 0) & (floor >= self.lowest_min);
        if inside >= 2 {
            BandStatus::Overlap
        } else if gap {
            BandStatus::Gap
        } else {
            BandStatus::InBand
        }
    }

    /// The status of a unit of population `pop` classified (or declared) into `tier`:
    /// outside its tier's advisory band first, else the population's status.
    pub(crate) fn band_status_in(&self, pop: u64, tier: usize) -> BandStatus {
        self.band_status_in_range(pop, pop, tier)
    }

    /// [`TierTable::band_status_in`] of an exact population.
    pub(crate) fn band_status_in_exact(&self, pop: Population, tier: usize) -> BandStatus {
        self.band_status_in_range(pop.floor(), pop.ceil(), tier)
    }

    fn band_status_in_range(&self, floor: u64, ceil: u64, tier: usize) -> BandStatus {
        let (min, max) = self.advisory.get(tier).copied().unwrap_or((0, u64::MAX));
        if (floor < min) | (ceil > max) {
            BandStatus::OutsideAdvisoryBand
        } else {
            self.band_status_range(floor, ceil)
        }
    }
}

/// The lengths of the batch inputs disagree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "batch columns differ in length: {populations} populations, {capabilities} capability sets, {out} output slots"
)]
pub struct BatchLengthMismatch {
    /// Length of the populations column.
    pub populations: usize,
    /// Length of the capabilities column.
    pub capabilities: usize,
    /// Length of the output column.
    pub out: usize,
}

impl BatchLengthMismatch {
    /// `Ok` when the three columns of a batch have one length.
    fn check(populations: usize, capabilities: usize, out: usize) -> Result<(), Self> {
        if populations == capabilities && populations == out {
            Ok(())
        } else {
            Err(BatchLengthMismatch {
                populations,
                capabilities,
                out,
            })
        }
    }
}

impl Ruleset {
    /// Classifies one unit, with the reasons it is not in each higher tier.
    pub fn classify(&self, unit: &Unit) -> Classification {
        let table = TierTable::new(self);
        let tier = table.tier_of_exact(unit.population, unit.capabilities.bits()) as usize;
        let shortfalls = self.tiers()[tier + 1..]
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let band = t.band().filter(|b| !b.is_advisory()).and_then(|b| {
                    if unit.population < Population::whole(b.min()) {
                        Some(Reason::Below {
                            population: unit.population,
                            min: b.min(),
                        })
                    } else {
                        b.max()
                            .filter(|&m| unit.population > Population::whole(m))
                            .map(|max| Reason::Above {
                                population: unit.population,
                                max,
                            })
                    }
                });
                Shortfall {
                    tier: tier + 1 + k,
                    band,
                    missing: unit.capabilities.missing(t.requires()),
                }
            })
            .collect();
        Classification {
            tier,
            population: unit.population,
            band_status: table.band_status_in_exact(unit.population, tier),
            shortfalls,
        }
    }

    /// Classifies a batch held as columns: `out[i]` becomes the tier index of the unit
    /// with `populations[i]` and capability bits `capabilities[i]`. Allocates nothing
    /// per row; agrees with [`Ruleset::classify`] on every unit.
    ///
    /// ```
    /// use localcare::Ruleset;
    /// let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    /// let t1 = rs.capability_set(["enhanced_in_hours", "extended_hours"]).unwrap().bits();
    /// let mut out = [0u8; 3];
    /// rs.classify_batch(&[5_000, 30_000, 30_000], &[0, t1, 0], &mut out).unwrap();
    /// assert_eq!(out, [0, 1, 0]);
    /// ```
    pub fn classify_batch(
        &self,
        populations: &[u64],
        capabilities: &[u64],
        out: &mut [u8],
    ) -> Result<(), BatchLengthMismatch> {
        BatchLengthMismatch::check(populations.len(), capabilities.len(), out.len())?;
        let table = TierTable::new(self);
        match self.tiers().len() {
            // The common shape (four tiers) gets a loop the compiler can unroll and vectorise.
            4 => classify_fixed::<4>(&table, populations, capabilities, out),
            _ => {
                for ((o, &p), &c) in out.iter_mut().zip(populations).zip(capabilities) {
                    *o = table.tier_of(p, c);
                }
            }
        }
        Ok(())
    }

    /// [`Ruleset::classify_batch`] over narrow columns: populations as `u32` (4.29
    /// billion people, far above any unit) and capability bits as `u32` (the first 32
    /// capabilities; a tier requiring a later one is out of reach of these units). Half
    /// the bytes of the 64-bit columns to read, so a memory-bound pass runs about twice
    /// as fast. Agrees with [`Ruleset::classify_batch`] on every unit it can express.
    ///
    /// ```
    /// use localcare::Ruleset;
    /// let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    /// let t1 = rs.capability_set(["enhanced_in_hours", "extended_hours"]).unwrap().bits() as u32;
    /// let mut out = [0u8; 3];
    /// rs.classify_batch_u32(&[5_000, 30_000, 30_000], &[0, t1, 0], &mut out).unwrap();
    /// assert_eq!(out, [0, 1, 0]);
    /// ```
    pub fn classify_batch_u32(
        &self,
        populations: &[u32],
        capabilities: &[u32],
        out: &mut [u8],
    ) -> Result<(), BatchLengthMismatch> {
        BatchLengthMismatch::check(populations.len(), capabilities.len(), out.len())?;
        let table = TierTable::new(self);
        match self.tiers().len() {
            4 => classify_fixed_u32::<4>(&table, populations, capabilities, out),
            _ => {
                for ((o, &p), &c) in out.iter_mut().zip(populations).zip(capabilities) {
                    *o = table.tier_of(u64::from(p), u64::from(c));
                }
            }
        }
        Ok(())
    }

    /// [`Ruleset::classify_batch`] over exact, possibly fractional, populations (the
    /// columns NHS England publishes). Bands compare exactly: 19,999.5 people are below a
    /// 20,000 minimum. Agrees with [`Ruleset::classify`] on every unit.
    ///
    /// ```
    /// use localcare::{Population, Ruleset};
    /// let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    /// let t1 = rs.capability_set(["enhanced_in_hours", "extended_hours"]).unwrap().bits();
    /// let pops: Vec<Population> = ["19999.5", "20000"].iter().map(|p| p.parse().unwrap()).collect();
    /// let mut out = [0u8; 2];
    /// rs.classify_batch_exact(&pops, &[t1, t1], &mut out).unwrap();
    /// assert_eq!(out, [0, 1]);
    /// ```
    pub fn classify_batch_exact(
        &self,
        populations: &[Population],
        capabilities: &[u64],
        out: &mut [u8],
    ) -> Result<(), BatchLengthMismatch> {
        BatchLengthMismatch::check(populations.len(), capabilities.len(), out.len())?;
        let table = TierTable::new(self);
        for ((o, &p), &c) in out.iter_mut().zip(populations).zip(capabilities) {
            *o = table.tier_of_exact(p, c);
        }
        Ok(())
    }

    /// [`Ruleset::band_status_in_tiers_batch`] over exact populations.
    pub fn band_status_in_tiers_batch_exact(
        &self,
        populations: &[Population],
        tiers: &[u8],
        out: &mut [BandStatus],
    ) -> Result<(), BatchLengthMismatch> {
        BatchLengthMismatch::check(populations.len(), tiers.len(), out.len())?;
        let table = TierTable::new(self);
        for ((o, &p), &t) in out.iter_mut().zip(populations).zip(tiers) {
            *o = table.band_status_in_exact(p, t as usize);
        }
        Ok(())
    }

    /// [`Ruleset::band_status`] of an exact, possibly fractional, population.
    pub fn band_status_exact(&self, population: Population) -> BandStatus {
        TierTable::new(self).band_status_exact(population)
    }

    /// The band status of a population under this ruleset, from the strict bands alone
    /// (overlap, gap or in band). It never says [`BandStatus::OutsideAdvisoryBand`]: that
    /// depends on the unit's tier; see [`Ruleset::band_status_in_tier`].
    pub fn band_status(&self, population: u64) -> BandStatus {
        TierTable::new(self).band_status(population)
    }

    /// The band status of a unit of `population` in tier `tier` (an index of
    /// [`Ruleset::tiers`]): [`BandStatus::OutsideAdvisoryBand`] when that tier's band is
    /// advisory and the population is outside it, else [`Ruleset::band_status`]. This is
    /// the status [`Ruleset::classify`] gives with the tier it finds.
    pub fn band_status_in_tier(&self, population: u64, tier: usize) -> BandStatus {
        TierTable::new(self).band_status_in(population, tier)
    }

    /// [`Ruleset::band_status_in_tier`] for a batch: `out[i]` becomes the status of
    /// `populations[i]` in tier `tiers[i]` (as [`Ruleset::classify_batch`] writes them).
    /// With the tiers from `classify_batch`, agrees with [`Ruleset::classify`] on every
    /// unit. Allocates nothing per row.
    ///
    /// ```
    /// use localcare::{BandStatus, Ruleset};
    /// let rs = Ruleset::builtin("england-pcn-2019").unwrap();
    /// let pcn = rs.capability_set(["network_agreement", "clinical_director", "extended_hours_access"]).unwrap().bits();
    /// let pops = [25_000, 40_000, 8_000];
    /// let mut tiers = [0u8; 3];
    /// rs.classify_batch(&pops, &[pcn, pcn, 0], &mut tiers).unwrap();
    /// assert_eq!(tiers, [1, 1, 0]); // the advisory band does not keep 25,000 out
    /// let mut out = [BandStatus::InBand; 3];
    /// rs.band_status_in_tiers_batch(&pops, &tiers, &mut out).unwrap();
    /// assert_eq!(out, [BandStatus::OutsideAdvisoryBand, BandStatus::InBand, BandStatus::InBand]);
    /// ```
    pub fn band_status_in_tiers_batch(
        &self,
        populations: &[u64],
        tiers: &[u8],
        out: &mut [BandStatus],
    ) -> Result<(), BatchLengthMismatch> {
        BatchLengthMismatch::check(populations.len(), tiers.len(), out.len())?;
        let table = TierTable::new(self);
        for ((o, &p), &t) in out.iter_mut().zip(populations).zip(tiers) {
            *o = table.band_status_in(p, t as usize);
        }
        Ok(())
    }

    /// The band status of each population of a batch: `out[i]` becomes
    /// [`Ruleset::band_status`] of `populations[i]`. Allocates nothing per row.
    ///
    /// ```
    /// use localcare::{BandStatus, Ruleset};
    /// let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    /// let mut out = [BandStatus::InBand; 3];
    /// rs.band_status_batch(&[30_000, 55_000, 300_000], &mut out).unwrap();
    /// assert_eq!(out, [BandStatus::InBand, BandStatus::Overlap, BandStatus::Gap]);
    /// ```
    pub fn band_status_batch(
        &self,
        populations: &[u64],
        out: &mut [BandStatus],
    ) -> Result<(), BatchLengthMismatch> {
        BatchLengthMismatch::check(populations.len(), populations.len(), out.len())?;
        let table = TierTable::new(self);
        // In a band iff `p - min <= max - min` in wrapping arithmetic, as in
        // `classify_fixed`: one compare per banded tier, no branches.
        let bands: Vec<(u64, u64)> = (1..table.mins.len())
            .filter(|&i| table.banded[i])
            .map(|i| (table.mins[i], table.maxs[i] - table.mins[i]))
            .collect();
        for (o, &p) in out.iter_mut().zip(populations) {
            let inside: u32 = bands
                .iter()
                .map(|&(min, width)| u32::from(p.wrapping_sub(min) <= width))
                .sum();
            *o = match inside {
                0 if p >= table.lowest_min => BandStatus::Gap,
                0 | 1 => BandStatus::InBand,
                _ => BandStatus::Overlap,
            };
        }
        Ok(())
    }
}

fn classify_fixed<const N: usize>(table: &TierTable, pops: &[u64], caps: &[u64], out: &mut [u8]) {
    // In band iff `pop - min <= max - min` in wrapping arithmetic: one unsigned compare
    // per band instead of two, which the compiler keeps branch-free.
    let mut mins = [0u64; N];
    let mut widths = [0u64; N];
    let mut reqs = [0u64; N];
    for i in 0..N {
        mins[i] = table.mins[i];
        widths[i] = table.maxs[i] - table.mins[i];
        reqs[i] = table.reqs[i];
    }
    for ((o, &p), &c) in out.iter_mut().zip(pops).zip(caps) {
        let mut tier = 0u8;
        for i in 1..N {
            let ok = (p.wrapping_sub(mins[i]) <= widths[i]) & (c & reqs[i] == reqs[i]);
            tier = if ok { i as u8 } else { tier };
        }
        *o = tier;
    }
}

fn classify_fixed_u32<const N: usize>(
    table: &TierTable,
    pops: &[u32],
    caps: &[u32],
    out: &mut [u8],
) {
    // As `classify_fixed`, in 32 bits. A band that starts above u32::MAX holds no u32
    // population: its requirement is made unmeetable (a bit no u32 set has is not
    // expressible, so it is the whole mask with the band emptied instead).
    let mut mins = [0u32; N];
    let mut widths = [0u32; N];
    let mut reqs = [0u32; N];
    let mut reachable = [true; N];
    for i in 0..N {
        let (min, max) = (table.mins[i], table.maxs[i].min(u64::from(u32::MAX)));
        // A requirement past bit 31 cannot be met by a u32 set.
        reachable[i] = min <= u64::from(u32::MAX) && table.reqs[i] >> 32 == 0 && max >= min;
        mins[i] = min.min(u64::from(u32::MAX)) as u32;
        widths[i] = max.saturating_sub(min) as u32;
        reqs[i] = table.reqs[i] as u32;
    }
    for ((o, &p), &c) in out.iter_mut().zip(pops).zip(caps) {
        let mut tier = 0u8;
        for i in 1..N {
            let ok =
                reachable[i] & (p.wrapping_sub(mins[i]) <= widths[i]) & (c & reqs[i] == reqs[i]);
            tier = if ok { i as u8 } else { tier };
        }
        *o = tier;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rs() -> Ruleset {
        Ruleset::default_builtin()
    }

    fn tier_of(rs: &Ruleset, pop: u64, caps: &[&str]) -> (String, BandStatus) {
        let c = rs.classify(&Unit::new(
            pop,
            rs.capability_set(caps.iter().copied()).unwrap(),
        ));
        (rs.tiers()[c.tier()].id().to_string(), c.band_status())
    }

    #[test]
    fn the_issue_examples() {
        let rs = rs();
        let t1 = ["enhanced_in_hours", "extended_hours"];
        let t2 = [
            "enhanced_in_hours",
            "extended_hours",
            "mdt",
            "mental_health",
            "seven_day",
        ];
        assert_eq!(
            tier_of(&rs, 30_000, &t1),
            ("extended_practice".into(), BandStatus::InBand)
        );
        assert_eq!(
            tier_of(&rs, 55_000, &t2),
            ("mcp_hub".into(), BandStatus::Overlap)
        );
        assert_eq!(
            tier_of(&rs, 55_000, &t1),
            ("extended_practice".into(), BandStatus::Overlap)
        );
        let all: Vec<&str> = rs.capabilities().iter().map(|c| c.id()).collect();
        assert_eq!(
            tier_of(&rs, 250_000, &all),
            ("gp_practice".into(), BandStatus::Gap)
        );
        assert_eq!(tier_of(&rs, 20_000, &t1).0, "extended_practice");
        assert_eq!(tier_of(&rs, 60_000, &t1).0, "extended_practice");
        assert_eq!(tier_of(&rs, 19_999, &t1).0, "gp_practice");
        assert_eq!(tier_of(&rs, 60_001, &t1).0, "gp_practice");
        assert_eq!(
            tier_of(&rs, 5_000, &[]),
            ("gp_practice".into(), BandStatus::InBand)
        );
    }

    #[test]
    fn explanations() {
        let rs = rs();
        let caps = rs.capability_set(["enhanced_in_hours"]).unwrap();
        let small = rs.classify(&Unit::new(12_000, caps));
        insta::assert_snapshot!("explain_small_practice", small.explain(&rs));
        let t1 = rs
            .capability_set(["enhanced_in_hours", "extended_hours", "mdt"])
            .unwrap();
        let overlap = rs.classify(&Unit::new(55_000, t1));
        insta::assert_snapshot!("explain_overlap", overlap.explain(&rs));
        let all = CapabilitySet::from_bits((1 << rs.capabilities().len()) - 1);
        insta::assert_snapshot!(
            "explain_gap",
            rs.classify(&Unit::new(250_000, all)).explain(&rs)
        );
        insta::assert_snapshot!("reasons_line", small.reasons_line(&rs));
    }

    #[test]
    fn an_advisory_band_warns_and_does_not_bar() {
        let rs = Ruleset::builtin("england-pcn-2019").unwrap();
        let pcn = rs
            .capability_set([
                "network_agreement",
                "clinical_director",
                "extended_hours_access",
            ])
            .unwrap();
        let c = rs.classify(&Unit::new(25_000, pcn));
        assert_eq!(rs.tiers()[c.tier()].id(), "pcn");
        assert_eq!(c.band_status(), BandStatus::OutsideAdvisoryBand);
        assert_eq!(c.band_status().as_str(), "outside_advisory_band");
        // The population-only status knows no tier: no strict band, so in band.
        assert_eq!(rs.band_status(25_000), BandStatus::InBand);
        assert_eq!(
            rs.band_status_in_tier(25_000, 1),
            BandStatus::OutsideAdvisoryBand
        );
        insta::assert_snapshot!("explain_outside_advisory_band", c.explain(&rs));
        // A practice's shortfall names capabilities only: the advisory band bars no one.
        let p = rs.classify(&Unit::new(8_000, CapabilitySet::EMPTY));
        assert_eq!(p.band_status(), BandStatus::InBand);
        assert_eq!(
            p.reasons_line(&rs),
            "pcn: lacks clinical_director, extended_hours_access, network_agreement"
        );
    }

    #[test]
    fn near_miss_names_the_missing_capability() {
        let rs = rs();
        let c = rs.classify(&Unit::new(
            25_000,
            rs.capability_set(["enhanced_in_hours"]).unwrap(),
        ));
        let s = c.near_miss().unwrap();
        assert_eq!(rs.tiers()[s.tier].id(), "extended_practice");
        assert_eq!(
            s.missing
                .iter()
                .map(|b| rs.capabilities()[b].id())
                .collect::<Vec<_>>(),
            ["extended_hours"]
        );
    }

    #[test]
    fn unknown_capability_is_named() {
        let e = rs().capability_set(["mdt", "telepathy"]).unwrap_err();
        assert_eq!(e.id, "telepathy");
        assert!(e.to_string().contains("unknown capability `telepathy`"));
    }

    #[test]
    fn batch_length_mismatch_is_an_error() {
        let mut out = [0u8; 2];
        assert!(rs().classify_batch(&[1, 2], &[0], &mut out).is_err());
    }

    proptest! {
        #[test]
        fn batch_agrees_with_single(units in proptest::collection::vec((0u64..1_000_000, 0u64..512), 0..200)) {
            let rs = rs();
            let pops: Vec<u64> = units.iter().map(|u| u.0).collect();
            let caps: Vec<u64> = units.iter().map(|u| u.1).collect();
            let mut out = vec![0u8; units.len()];
            rs.classify_batch(&pops, &caps, &mut out).unwrap();
            for (i, (p, c)) in units.iter().enumerate() {
                prop_assert_eq!(out[i] as usize, rs.classify(&Unit::new(*p, CapabilitySet::from_bits(*c))).tier());
            }
        }

        /// Exact populations: the batch agrees with one-by-one classification and its
        /// reasons line, and a fraction just below a band's minimum (or above its
        /// maximum) is outside it, exactly as the whole number next to it would not be.
        #[test]
        fn exact_batch_agrees_with_single(units in proptest::collection::vec((0u64..1_000_000, 0u32..1_000_000_000, 0u64..512), 0..200)) {
            let rs = rs();
            let pops: Vec<Population> = units
                .iter()
                .map(|u| Population::from_billionths(u128::from(u.0) * 1_000_000_000 + u128::from(u.1)).unwrap())
                .collect();
            let caps: Vec<u64> = units.iter().map(|u| u.2).collect();
            let mut out = vec![0u8; units.len()];
            rs.classify_batch_exact(&pops, &caps, &mut out).unwrap();
            let mut status = vec![BandStatus::InBand; units.len()];
            rs.band_status_in_tiers_batch_exact(&pops, &out, &mut status).unwrap();
            let w = ReasonsWriter::new(&rs);
            for i in 0..units.len() {
                let one = rs.classify(&Unit::exact(pops[i], CapabilitySet::from_bits(caps[i])));
                prop_assert_eq!(out[i] as usize, one.tier());
                prop_assert_eq!(status[i], one.band_status());
                let mut line = String::new();
                w.write_exact(pops[i], caps[i], one.tier(), &mut line);
                prop_assert_eq!(line, one.reasons_line(&rs));
                // Whole people classify as the whole-number path does.
                if pops[i].is_whole() {
                    prop_assert_eq!(one.tier(), rs.classify(&Unit::new(units[i].0, CapabilitySet::from_bits(caps[i]))).tier());
                }
                // A fractional population sits between its floor's and ceiling's tiers'
                // bands: in a band only when both its floor and its ceiling are.
                let fl = rs.classify(&Unit::new(pops[i].floor(), CapabilitySet::from_bits(caps[i]))).tier();
                let ce = rs.classify(&Unit::new(pops[i].ceil(), CapabilitySet::from_bits(caps[i]))).tier();
                prop_assert!(one.tier() <= fl.max(ce));
            }
        }

        #[test]
        fn narrow_batch_agrees_with_wide(units in proptest::collection::vec((0u32..1_000_000, 0u32..512), 0..200)) {
            for name in Ruleset::builtin_names() {
                let rs = Ruleset::builtin(name).unwrap();
                let pops: Vec<u32> = units.iter().map(|u| u.0).collect();
                let caps: Vec<u32> = units.iter().map(|u| u.1).collect();
                let wide_pops: Vec<u64> = pops.iter().map(|&p| u64::from(p)).collect();
                let wide_caps: Vec<u64> = caps.iter().map(|&c| u64::from(c)).collect();
                let mut narrow = vec![0u8; units.len()];
                let mut wide = vec![0u8; units.len()];
                rs.classify_batch_u32(&pops, &caps, &mut narrow).unwrap();
                rs.classify_batch(&wide_pops, &wide_caps, &mut wide).unwrap();
                prop_assert_eq!(narrow, wide);
            }
        }

        #[test]
        fn band_status_batch_agrees_with_single(pops in proptest::collection::vec(0u64..1_000_000, 0..200)) {
            let rs = rs();
            let mut out = vec![BandStatus::InBand; pops.len()];
            rs.band_status_batch(&pops, &mut out).unwrap();
            for (i, p) in pops.iter().enumerate() {
                prop_assert_eq!(out[i], rs.band_status(*p));
            }
        }

        #[test]
        fn status_batch_agrees_with_single_for_every_builtin(units in proptest::collection::vec((0u64..1_000_000, 0u64..512), 0..100)) {
            for name in Ruleset::builtin_names() {
                let rs = Ruleset::builtin(name).unwrap();
                let pops: Vec<u64> = units.iter().map(|u| u.0).collect();
                let caps: Vec<u64> = units.iter().map(|u| u.1).collect();
                let mut tiers = vec![0u8; units.len()];
                rs.classify_batch(&pops, &caps, &mut tiers).unwrap();
                let mut out = vec![BandStatus::InBand; units.len()];
                rs.band_status_in_tiers_batch(&pops, &tiers, &mut out).unwrap();
                for (i, (p, c)) in units.iter().enumerate() {
                    let one = rs.classify(&Unit::new(*p, CapabilitySet::from_bits(*c)));
                    prop_assert_eq!(tiers[i] as usize, one.tier());
                    prop_assert_eq!(out[i], one.band_status());
                }
            }
        }

        #[test]
        fn reasons_writer_agrees_with_reasons_line(units in proptest::collection::vec((0u64..1_000_000, 0u64..512), 0..50)) {
            for name in Ruleset::builtin_names() {
                let rs = Ruleset::builtin(name).unwrap();
                let w = ReasonsWriter::new(&rs);
                let mask = (1u64 << rs.capabilities().len()) - 1;
                for &(p, c) in &units {
                    let c = c & mask;
                    let one = rs.classify(&Unit::new(p, CapabilitySet::from_bits(c)));
                    let mut line = String::new();
                    w.write(p, c, one.tier(), &mut line);
                    prop_assert_eq!(line, one.reasons_line(&rs));
                }
            }
        }

        #[test]
        fn more_capabilities_never_lower_the_tier(pop in 0u64..1_000_000, caps in 0u64..512, extra in 0u64..512) {
            let rs = rs();
            let a = rs.classify(&Unit::new(pop, CapabilitySet::from_bits(caps))).tier();
            let b = rs.classify(&Unit::new(pop, CapabilitySet::from_bits(caps | extra))).tier();
            prop_assert!(b >= a);
        }
    }
}
