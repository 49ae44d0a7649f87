//! Whole-document checks that turn a parsed [`Document`] into a [`Ruleset`].
//!
//! Each failure names the key path (`tiers[2].population.min`) and, for TOML, the line
//! and column of that key, found by walking the spanned document `toml` parses.

use std::collections::{BTreeMap, HashSet};

use rust_decimal::Decimal;

use super::capabilities::{Capability, CapabilitySet, MAX_CAPABILITIES};
use super::error::{Location, RulesetError};
use super::locator::{KeyPath, Locator, path};
use super::schema::{Document, PresetsDoc, SCHEMA_VERSION, SettlementDoc};
use super::value::{Dec, is_identifier, is_unit_share, join_ids};
use super::{
    AllocationPolicy, Band, BelowMsrPolicy, LossPolicy, MinimumSavingsRate, MsrRow, PacePolicy,
    Pot, Ruleset, SETTLEMENT_PRESETS, STRATEGIC_COMMISSIONER, SettlementPolicy, ShiftPolicy, Tier,
};
use crate::appraise::read::read_appraisal;

/// Checks a whole document.
pub(crate) fn check(doc: Document, loc: &Locator) -> Result<Ruleset, RulesetError> {
    if doc.schema != SCHEMA_VERSION {
        return Err(loc.invalid(
            path("schema"),
            format!(
                "schema {} is not supported; this library reads schema {SCHEMA_VERSION}",
                doc.schema
            ),
        ));
    }
    if doc.id.trim().is_empty() {
        return Err(loc.invalid(path("id"), "the ruleset id is empty"));
    }

    // Capabilities: bit i is the i-th id in sorted order.
    if doc.capabilities.len() > MAX_CAPABILITIES {
        return Err(loc.invalid(
            path("capabilities"),
            format!(
                "{} capabilities declared; at most {MAX_CAPABILITIES}",
                doc.capabilities.len()
            ),
        ));
    }
    let capabilities: Vec<Capability> = doc
        .capabilities
        .iter()
        .map(|(id, c)| Capability {
            id: id.clone(),
            description: c.description.clone(),
        })
        .collect();
    for c in &capabilities {
        if !is_identifier(&c.id) {
            return Err(loc.invalid(
                path("capabilities").key(&c.id),
                format!(
                    "capability id `{}` must be lowercase letters, digits and `_`",
                    c.id
                ),
            ));
        }
    }
    let cap_bit = |id: &str| capabilities.iter().position(|c| c.id == id);

    // Tiers.
    if doc.tiers.len() < 2 {
        return Err(loc.invalid(
            path("tiers"),
            format!("{} tier(s) given; a ruleset needs at least a practice tier and an accountable tier", doc.tiers.len()),
        ));
    }
    if doc.tiers.len() > u8::MAX as usize {
        return Err(loc.invalid(path("tiers"), "more than 255 tiers"));
    }
    let mut seen = HashSet::new();
    for (i, t) in doc.tiers.iter().enumerate() {
        let p = path("tiers").idx(i).key("id");
        if !is_identifier(&t.id) {
            return Err(loc.invalid(
                p,
                format!(
                    "tier id `{}` must be lowercase letters, digits and `_`",
                    t.id
                ),
            ));
        }
        if t.id == STRATEGIC_COMMISSIONER {
            return Err(loc.invalid(
                p,
                format!(
                    "`{STRATEGIC_COMMISSIONER}` is reserved for the commissioner above the tiers"
                ),
            ));
        }
        if !seen.insert(t.id.as_str()) {
            return Err(loc.invalid(p, format!("duplicate tier id `{}`", t.id)));
        }
    }
    let tier_pos = |id: &str| doc.tiers.iter().position(|t| t.id == id);
    let mut tiers = Vec::with_capacity(doc.tiers.len());
    for (i, t) in doc.tiers.iter().enumerate() {
        let tp = path("tiers").idx(i);
        let band = match &t.population {
            None => None,
            Some(b) => {
                let min = b.min.unwrap_or(0);
                if min < 0 {
                    return Err(loc.invalid(
                        tp.key("population").key("min"),
                        format!("population minimum {min} is negative"),
                    ));
                }
                if let Some(max) = b.max {
                    if max < min {
                        return Err(loc.invalid(
                            tp.key("population").key("max"),
                            format!("population band is empty: max {max} is below min {min}"),
                        ));
                    }
                }
                Some(Band {
                    min: min as u64,
                    max: b.max.map(|m| m as u64),
                    advisory: b.advisory,
                })
            }
        };
        let mut requires = CapabilitySet::EMPTY;
        for (j, c) in t.requires.iter().enumerate() {
            let bit = cap_bit(c).ok_or_else(|| {
                loc.invalid(
                    tp.clone().key("requires").idx(j),
                    format!(
                        "unknown capability `{c}`; declared: {}",
                        join_ids(capabilities.iter().map(|c| c.id.as_str()))
                    ),
                )
            })?;
            requires = requires.with(bit);
        }
        let mut parents = Vec::new();
        let mut under_commissioner = false;
        for (j, p) in t.parents.iter().enumerate() {
            if p == STRATEGIC_COMMISSIONER {
                under_commissioner = true;
                continue;
            }
            let pi = tier_pos(p).ok_or_else(|| {
                loc.invalid(
                    tp.clone().key("parents").idx(j),
                    format!(
                        "unknown parent tier `{p}`; tiers: {}, or `{STRATEGIC_COMMISSIONER}`",
                        join_ids(doc.tiers.iter().map(|t| t.id.as_str()))
                    ),
                )
            })?;
            if pi <= i {
                return Err(loc.invalid(
                    tp.clone().key("parents").idx(j),
                    format!(
                        "parent tier `{p}` is not above `{}`; tiers are ordered lowest to highest",
                        t.id
                    ),
                ));
            }
            parents.push(pi);
        }
        tiers.push(Tier {
            id: t.id.clone(),
            name: t.name.clone(),
            band,
            requires,
            parents,
            under_commissioner,
            source: t.source.clone(),
        });
    }
    let top = tiers.len() - 1;
    if !tiers[top].under_commissioner {
        return Err(loc.invalid(
            path("tiers").idx(top).key("parents"),
            format!(
                "the highest tier `{}` must list `{STRATEGIC_COMMISSIONER}` as its parent",
                tiers[top].id
            ),
        ));
    }
    if tiers[0].band.is_some_and(|b| b.min > 0) {
        // Practices carry the populations everything else sums; a floor on them would make
        // small practices unplaceable rather than visible, so keep the base tier open.
        return Err(loc.invalid(
            path("tiers").idx(0).key("population"),
            format!(
                "the base tier `{}` must not have a population minimum",
                tiers[0].id
            ),
        ));
    }

    let allocation = match &doc.allocation {
        Some(a) => {
            let policy = read_allocation(a, &tiers, loc)?;
            check_allocation_policy(&policy, &tiers, &doc.id).map_err(|e| relocate(e, loc))?;
            Some(policy)
        }
        None => None,
    };
    let settlement = read_settlement(&doc, loc)?;
    let shift = read_shift(&doc, loc)?;
    let payments = read_payments(&doc, loc)?;
    let appraisal = read_appraisal(doc.appraisal.as_ref(), &capabilities, loc)?;

    Ok(Ruleset {
        doc,
        capabilities,
        tiers,
        allocation,
        settlement,
        shift,
        payments,
        appraisal,
    })
}

/// Allocation-policy errors from [`check_allocation_policy`] carry a key path but no line;
/// this fills in the line from the document.
fn relocate(e: RulesetError, loc: &Locator) -> RulesetError {
    match e {
        RulesetError::Invalid { key, message, .. } => {
            let kp = parse_key_path(&key);
            RulesetError::Invalid {
                location: loc.locate(&kp),
                key,
                message,
            }
        }
        other => other,
    }
}

fn parse_key_path(s: &str) -> KeyPath {
    let mut kp = KeyPath::default();
    for part in s.split('.') {
        let (name, rest) = part.split_once('[').map_or((part, ""), |(a, b)| (a, b));
        if !name.is_empty() {
            kp = kp.key(name);
        }
        for idx in rest.split('[') {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                kp = kp.idx(n);
            }
        }
    }
    kp
}

fn read_allocation(
    a: &super::schema::AllocationDoc,
    tiers: &[Tier],
    loc: &Locator,
) -> Result<AllocationPolicy, RulesetError> {
    let mut retained = vec![Decimal::ZERO; tiers.len()];
    for (tier_id, share) in &a.retained_share {
        let i = tiers.iter().position(|t| &t.id == tier_id).ok_or_else(|| {
            loc.invalid(
                path("allocation").key("retained_share").key(tier_id),
                format!("unknown tier `{tier_id}`"),
            )
        })?;
        retained[i] = share.0;
    }
    Ok(AllocationPolicy {
        aco_commissioned_share: a.aco_commissioned_share.0,
        inequalities_weight: a.inequalities_weight.0,
        market_forces_factor: a.market_forces_factor.map_or(Decimal::ONE, |d| d.0),
        pots: a
            .pots
            .iter()
            .map(|p| Pot {
                id: p.id.clone(),
                name: p.name.clone(),
                share: p.share.0,
            })
            .collect(),
        pace_of_change: a.pace_of_change.as_ref().map(|p| PacePolicy {
            rate: p.rate.0,
            min_growth: p.min_growth.map(|d| d.0),
            max_growth: p.max_growth.map(|d| d.0),
        }),
        retained_share: retained,
        age_band_weights: a
            .age_band_weights
            .iter()
            .map(|(k, v)| (k.clone(), v.0))
            .collect(),
    })
}

/// Checks an allocation policy against the tiers it applies to. Errors carry key paths
/// (no line: the caller adds it when there is a document).
pub(crate) fn check_allocation_policy(
    p: &AllocationPolicy,
    tiers: &[Tier],
    source: &str,
) -> Result<(), RulesetError> {
    let bad = |key: String, message: String| RulesetError::Invalid {
        location: Location {
            source: source.to_string(),
            line: None,
            column: None,
        },
        key,
        message,
    };
    if !is_unit_share(p.aco_commissioned_share) {
        return Err(bad(
            "allocation.aco_commissioned_share".into(),
            format!("share {} is outside [0, 1]", p.aco_commissioned_share),
        ));
    }
    if !is_unit_share(p.inequalities_weight) {
        return Err(bad(
            "allocation.inequalities_weight".into(),
            format!("weight {} is outside [0, 1]", p.inequalities_weight),
        ));
    }
    if p.market_forces_factor <= Decimal::ZERO || p.market_forces_factor > Decimal::from(10) {
        return Err(bad(
            "allocation.market_forces_factor".into(),
            format!("factor {} is outside (0, 10]", p.market_forces_factor),
        ));
    }
    if p.pots.is_empty() && p.aco_commissioned_share < Decimal::ONE {
        return Err(bad(
            "allocation.pots".into(),
            "no commissioner pots, but the ACOs commission less than the whole budget".into(),
        ));
    }
    let mut ids = HashSet::new();
    let mut sum = Decimal::ZERO;
    for (i, pot) in p.pots.iter().enumerate() {
        if !is_identifier(&pot.id) {
            return Err(bad(
                format!("allocation.pots[{i}].id"),
                format!(
                    "pot id `{}` must be lowercase letters, digits and `_`",
                    pot.id
                ),
            ));
        }
        if !ids.insert(pot.id.as_str()) {
            return Err(bad(
                format!("allocation.pots[{i}].id"),
                format!("duplicate pot id `{}`", pot.id),
            ));
        }
        if !is_unit_share(pot.share) {
            return Err(bad(
                format!("allocation.pots[{i}].share"),
                format!("share {} is outside [0, 1]", pot.share),
            ));
        }
        sum += pot.share;
    }
    if !p.pots.is_empty() && sum != Decimal::ONE {
        return Err(bad(
            "allocation.pots".into(),
            format!("pot shares add up to {sum}, not 1"),
        ));
    }
    if let Some(pace) = &p.pace_of_change {
        if !is_unit_share(pace.rate) {
            return Err(bad(
                "allocation.pace_of_change.rate".into(),
                format!("rate {} is outside [0, 1]", pace.rate),
            ));
        }
        if let Some(g) = pace.min_growth {
            if g < -Decimal::ONE || g > Decimal::from(10) {
                return Err(bad(
                    "allocation.pace_of_change.min_growth".into(),
                    format!("growth {g} is outside [-1, 10]"),
                ));
            }
        }
        if let Some(g) = pace.max_growth {
            if g < -Decimal::ONE || g > Decimal::from(10) {
                return Err(bad(
                    "allocation.pace_of_change.max_growth".into(),
                    format!("growth {g} is outside [-1, 10]"),
                ));
            }
            if let Some(lo) = pace.min_growth {
                if g < lo {
                    return Err(bad(
                        "allocation.pace_of_change.max_growth".into(),
                        format!("maximum growth {g} is below minimum growth {lo}"),
                    ));
                }
            }
        }
    }
    if p.retained_share.len() != tiers.len() {
        return Err(bad(
            "allocation.retained_share".into(),
            format!(
                "{} shares for {} tiers",
                p.retained_share.len(),
                tiers.len()
            ),
        ));
    }
    for (t, s) in tiers.iter().zip(&p.retained_share) {
        if !is_unit_share(*s) {
            return Err(bad(
                format!("allocation.retained_share.{}", t.id),
                format!("share {s} is outside [0, 1]"),
            ));
        }
    }
    if p.retained_share[0] != Decimal::ZERO {
        return Err(bad(
            format!("allocation.retained_share.{}", tiers[0].id),
            "the base tier has no children to pass money to; it keeps all of it, so its retained share must be 0".into(),
        ));
    }
    let mut seen = BTreeMap::new();
    for (i, (band, w)) in p.age_band_weights.iter().enumerate() {
        if !is_identifier(band) {
            return Err(bad(
                format!("allocation.age_band_weights.{band}"),
                format!("age band id `{band}` must be lowercase letters, digits and `_`"),
            ));
        }
        if seen.insert(band.as_str(), i).is_some() {
            return Err(bad(
                format!("allocation.age_band_weights.{band}"),
                format!("duplicate age band `{band}`"),
            ));
        }
        if *w < Decimal::ZERO || *w > Decimal::from(1000) {
            return Err(bad(
                format!("allocation.age_band_weights.{band}"),
                format!("weight {w} is outside [0, 1000]"),
            ));
        }
    }
    Ok(())
}

/// The settlement presets, parsed from [`SETTLEMENT_PRESETS`].
pub(crate) fn presets() -> BTreeMap<String, SettlementDoc> {
    // The presets file is checked by a unit test; it always parses.
    toml::from_str::<PresetsDoc>(SETTLEMENT_PRESETS)
        .map(|p| p.presets)
        .unwrap_or_default()
}

/// The settlement table with its preset's fields filled in where the table gives none.
/// The minimum savings rate is one choice: a fixed rate or a table given in the document
/// replaces the preset's, whichever form the preset used.
fn expand_preset(
    s: &SettlementDoc,
    loc: &Locator,
) -> Result<(SettlementDoc, Option<String>), RulesetError> {
    let Some(name) = &s.preset else {
        return Ok((s.clone(), None));
    };
    let all = presets();
    let p = all.get(name).ok_or_else(|| {
        loc.invalid(
            path("settlement").key("preset"),
            format!(
                "unknown settlement preset `{name}`; presets: {}",
                join_ids(all.keys().map(String::as_str))
            ),
        )
    })?;
    let own_msr = s.minimum_savings_rate.is_some() || !s.minimum_savings_rate_table.is_empty();
    let losses = match (&s.losses, &p.losses) {
        (Some(o), Some(pl)) => {
            let own_rate = o.flat_rate.is_some()
                || o.sharing_rate_min.is_some()
                || o.sharing_rate_max.is_some();
            Some(super::schema::LossesDoc {
                minimum_loss_rate: o.minimum_loss_rate.or(pl.minimum_loss_rate),
                sharing_rate_min: if own_rate {
                    o.sharing_rate_min
                } else {
                    pl.sharing_rate_min
                },
                sharing_rate_max: if own_rate {
                    o.sharing_rate_max
                } else {
                    pl.sharing_rate_max
                },
                flat_rate: if own_rate { o.flat_rate } else { pl.flat_rate },
                cap: o.cap.or(pl.cap),
                revenue_cap: o.revenue_cap.or(pl.revenue_cap),
            })
        }
        (o, pl) => o.clone().or(pl.clone()),
    };
    let below_msr = match (&s.below_msr, &p.below_msr) {
        (Some(o), Some(pb)) => Some(super::schema::BelowMsrDoc {
            sharing_fraction: o.sharing_fraction.or(pb.sharing_fraction),
            low_revenue_threshold: o.low_revenue_threshold.or(pb.low_revenue_threshold),
        }),
        (o, pb) => o.clone().or(pb.clone()),
    };
    Ok((
        SettlementDoc {
            preset: None,
            illustrative: s.illustrative.or(p.illustrative),
            sides: s.sides.clone().or(p.sides.clone()),
            sharing_rate: s.sharing_rate.or(p.sharing_rate),
            quality_threshold: s.quality_threshold.or(p.quality_threshold),
            quality_standard: s.quality_standard.or(p.quality_standard),
            savings_cap: s.savings_cap.or(p.savings_cap),
            minimum_savings_rate: if own_msr {
                s.minimum_savings_rate
            } else {
                p.minimum_savings_rate
            },
            minimum_savings_rate_table: if own_msr {
                s.minimum_savings_rate_table.clone()
            } else {
                p.minimum_savings_rate_table.clone()
            },
            symmetric_msr_mlr: s.symmetric_msr_mlr.clone().or(p.symmetric_msr_mlr.clone()),
            minimum_population: s.minimum_population.or(p.minimum_population),
            losses,
            below_msr,
        },
        Some(name.clone()),
    ))
}

/// The symmetric MSR/MLR an ACO may choose under 42 CFR 425.605(b)(1)(ii): 0%, 0.5% to
/// 2% in 0.5% steps, or by assigned population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Symmetric {
    Fixed(Decimal),
    Population,
}

fn read_symmetric(v: &str, loc: &Locator) -> Result<Symmetric, RulesetError> {
    if v.trim() == "population" {
        return Ok(Symmetric::Population);
    }
    let allowed: [Decimal; 5] = [
        Decimal::ZERO,
        Decimal::new(5, 3),
        Decimal::new(1, 2),
        Decimal::new(15, 3),
        Decimal::new(2, 2),
    ];
    match crate::money::parse_decimal(v.trim()) {
        Some(d) if allowed.contains(&d) => Ok(Symmetric::Fixed(d)),
        _ => Err(loc.invalid(
            path("settlement").key("symmetric_msr_mlr"),
            format!("`{v}` is not a symmetric MSR/MLR choice; expected \"0\", \"0.005\", \"0.01\", \"0.015\", \"0.02\" or \"population\""),
        )),
    }
}

fn read_settlement(
    doc: &Document,
    loc: &Locator,
) -> Result<Option<SettlementPolicy>, RulesetError> {
    let Some(own) = &doc.settlement else {
        return Ok(None);
    };
    let (s, preset) = expand_preset(own, loc)?;
    let s = &s;
    let sp = path("settlement");
    let from_preset = match &preset {
        Some(p) => format!(" (preset `{p}` does not set it)"),
        None => String::new(),
    };
    let required = |key: &str, v: Option<Dec>| {
        v.ok_or_else(|| {
            loc.invalid(
                sp.clone().key(key),
                format!("missing: give `{key}` or a `preset`{from_preset}"),
            )
        })
    };
    let sides = s.sides.as_deref().ok_or_else(|| {
        loc.invalid(
            sp.clone().key("sides"),
            format!(
                "missing: give `sides` (`one_sided` or `two_sided`) or a `preset`{from_preset}"
            ),
        )
    })?;
    let two_sided = match sides {
        "one_sided" => false,
        "two_sided" => true,
        other => {
            return Err(loc.invalid(
                sp.key("sides"),
                format!("`{other}` is not `one_sided` or `two_sided`"),
            ));
        }
    };
    let sharing_rate = required("sharing_rate", s.sharing_rate)?;
    let quality_threshold = required("quality_threshold", s.quality_threshold)?;
    let savings_cap = required("savings_cap", s.savings_cap)?;
    for (key, v) in [
        ("sharing_rate", sharing_rate),
        ("quality_threshold", quality_threshold),
        ("savings_cap", savings_cap),
    ] {
        if !is_unit_share(v.0) {
            return Err(loc.invalid(sp.clone().key(key), format!("{} is outside [0, 1]", v.0)));
        }
    }
    if let Some(std) = s.quality_standard {
        if !is_unit_share(std.0) {
            return Err(loc.invalid(
                sp.key("quality_standard"),
                format!("{} is outside [0, 1]", std.0),
            ));
        }
        if std < quality_threshold {
            return Err(loc.invalid(
                sp.key("quality_standard"),
                format!(
                    "quality standard {} is below the quality threshold {}; the full standard is the higher one",
                    std.0, quality_threshold.0
                ),
            ));
        }
    }
    let symmetric = match &s.symmetric_msr_mlr {
        None => None,
        Some(_) if !two_sided => {
            return Err(loc.invalid(
                sp.key("symmetric_msr_mlr"),
                "a symmetric MSR/MLR is for two-sided arrangements; a one-sided one has no minimum loss rate",
            ));
        }
        Some(v) => Some(read_symmetric(v, loc)?),
    };
    let msr = match (
        symmetric,
        s.minimum_savings_rate,
        s.minimum_savings_rate_table.is_empty(),
    ) {
        (_, Some(_), false) => {
            return Err(loc.invalid(
                sp.key("minimum_savings_rate"),
                "give either `minimum_savings_rate` or `minimum_savings_rate_table`, not both",
            ));
        }
        (Some(Symmetric::Fixed(_)), Some(_), _) | (Some(Symmetric::Fixed(_)), _, false)
            if preset.is_none()
                || own.minimum_savings_rate.is_some()
                || !own.minimum_savings_rate_table.is_empty() =>
        {
            return Err(loc.invalid(
                sp.key("symmetric_msr_mlr"),
                "a fixed symmetric MSR/MLR sets the minimum savings rate: remove `minimum_savings_rate` / `minimum_savings_rate_table`",
            ));
        }
        (Some(Symmetric::Fixed(r)), _, _) => MinimumSavingsRate::Fixed(r),
        (Some(Symmetric::Population), Some(_), _) | (Some(Symmetric::Population), None, true) => {
            return Err(loc.invalid(
                sp.key("symmetric_msr_mlr"),
                "a population-based symmetric MSR/MLR needs a `minimum_savings_rate_table`",
            ));
        }
        (None, None, true) => {
            return Err(loc.invalid(
                sp.key("minimum_savings_rate"),
                format!(
                    "missing: give `minimum_savings_rate` or `minimum_savings_rate_table`{}",
                    if two_sided && preset.is_some() {
                        ", or choose `symmetric_msr_mlr`"
                    } else {
                        ""
                    }
                ),
            ));
        }
        (None, Some(r), true) => {
            if !is_unit_share(r.0) {
                return Err(loc.invalid(
                    sp.key("minimum_savings_rate"),
                    format!("{} is outside [0, 1]", r.0),
                ));
            }
            MinimumSavingsRate::Fixed(r.0)
        }
        (_, None, false) => read_msr_table(s, loc)?,
    };
    let min_pop = match (s.minimum_population, &msr) {
        (Some(p), _) if p < 0 => {
            return Err(loc.invalid(
                sp.key("minimum_population"),
                format!("population {p} is negative"),
            ));
        }
        (Some(p), MinimumSavingsRate::Table(rows)) if (p as u64) < rows[0].from => {
            return Err(loc.invalid(
                sp.key("minimum_population"),
                format!("minimum population {p} is below the first row of the minimum savings rate table ({})", rows[0].from),
            ));
        }
        (Some(p), _) => p as u64,
        (None, MinimumSavingsRate::Table(rows)) => rows[0].from,
        (None, MinimumSavingsRate::Fixed(_)) => 0,
    };
    let losses = match (two_sided, &s.losses) {
        (false, None) => None,
        (false, Some(_)) => {
            return Err(loc.invalid(sp.key("losses"), "a one-sided arrangement shares no losses: remove `losses` or set sides = \"two_sided\""));
        }
        (true, None) => {
            return Err(loc.invalid(
                sp.key("losses"),
                "a two-sided arrangement needs a `losses` table",
            ));
        }
        (true, Some(l)) => {
            let lp = sp.clone().key("losses");
            let lmissing = |key: &str, what: &str| {
                loc.invalid(
                    lp.clone().key(key),
                    format!("missing: give `losses.{key}`{what}{from_preset}"),
                )
            };
            for (k, v) in [
                ("minimum_loss_rate", l.minimum_loss_rate),
                ("sharing_rate_min", l.sharing_rate_min),
                ("sharing_rate_max", l.sharing_rate_max),
                ("flat_rate", l.flat_rate),
                ("cap", l.cap),
                ("revenue_cap", l.revenue_cap),
            ] {
                if let Some(v) = v {
                    if !is_unit_share(v.0) {
                        return Err(
                            loc.invalid(lp.clone().key(k), format!("{} is outside [0, 1]", v.0))
                        );
                    }
                }
            }
            let (minimum_loss_rate, by_population) = match (symmetric, l.minimum_loss_rate) {
                (Some(_), Some(_))
                    if own
                        .losses
                        .as_ref()
                        .is_some_and(|o| o.minimum_loss_rate.is_some())
                        || preset.is_none() =>
                {
                    return Err(loc.invalid(
                        lp.key("minimum_loss_rate"),
                        "`symmetric_msr_mlr` sets the minimum loss rate: remove `losses.minimum_loss_rate`",
                    ));
                }
                (Some(Symmetric::Fixed(r)), _) => (r, false),
                (Some(Symmetric::Population), _) => (Decimal::ZERO, true),
                (None, Some(r)) => (r.0, false),
                (None, None) => {
                    return Err(lmissing(
                        "minimum_loss_rate",
                        " or choose `symmetric_msr_mlr`",
                    ));
                }
            };
            let (min, max, flat) = match (l.flat_rate, l.sharing_rate_min, l.sharing_rate_max) {
                (Some(f), None, None) => (f.0, f.0, Some(f.0)),
                (Some(_), _, _) => {
                    return Err(loc.invalid(
                        lp.key("flat_rate"),
                        "give either a `flat_rate` or the bounds `sharing_rate_min` and `sharing_rate_max`, not both",
                    ));
                }
                (None, Some(lo), Some(hi)) => {
                    if hi < lo {
                        return Err(loc.invalid(
                            lp.key("sharing_rate_max"),
                            format!("upper bound {} is below lower bound {}", hi.0, lo.0),
                        ));
                    }
                    (lo.0, hi.0, None)
                }
                (None, None, _) => {
                    return Err(lmissing(
                        "sharing_rate_min",
                        " and `sharing_rate_max`, or a `flat_rate`",
                    ));
                }
                (None, Some(_), None) => {
                    return Err(lmissing("sharing_rate_max", ""));
                }
            };
            let cap = l.cap.ok_or_else(|| lmissing("cap", ""))?;
            Some(LossPolicy {
                minimum_loss_rate,
                minimum_loss_rate_by_population: by_population,
                sharing_rate_min: min,
                sharing_rate_max: max,
                flat_rate: flat,
                cap: cap.0,
                revenue_cap: l.revenue_cap.map(|d| d.0),
            })
        }
    };
    let below_msr = match &s.below_msr {
        None => None,
        Some(b) => {
            let bp = sp.clone().key("below_msr");
            let get = |key: &str, v: Option<Dec>| -> Result<Decimal, RulesetError> {
                let v = v.ok_or_else(|| {
                    loc.invalid(
                        bp.clone().key(key),
                        format!("missing: give `below_msr.{key}`{from_preset}"),
                    )
                })?;
                if !is_unit_share(v.0) {
                    return Err(
                        loc.invalid(bp.clone().key(key), format!("{} is outside [0, 1]", v.0))
                    );
                }
                Ok(v.0)
            };
            Some(BelowMsrPolicy {
                sharing_fraction: get("sharing_fraction", b.sharing_fraction)?,
                low_revenue_threshold: get("low_revenue_threshold", b.low_revenue_threshold)?,
            })
        }
    };
    Ok(Some(SettlementPolicy {
        illustrative: s.illustrative.unwrap_or(false),
        sharing_rate: sharing_rate.0,
        quality_threshold: quality_threshold.0,
        quality_standard: s.quality_standard.map(|d| d.0),
        savings_cap: savings_cap.0,
        minimum_savings_rate: msr,
        minimum_population: min_pop,
        losses,
        below_msr,
        preset,
    }))
}

fn read_msr_table(s: &SettlementDoc, loc: &Locator) -> Result<MinimumSavingsRate, RulesetError> {
    let sp = path("settlement");
    let mut rows = Vec::new();
    let n = s.minimum_savings_rate_table.len();
    for (i, r) in s.minimum_savings_rate_table.iter().enumerate() {
        let rp = sp.clone().key("minimum_savings_rate_table").idx(i);
        if r.from < 0 {
            return Err(loc.invalid(rp.key("from"), format!("population {} is negative", r.from)));
        }
        if let Some(to) = r.to {
            if to < r.from {
                return Err(loc.invalid(
                    rp.key("to"),
                    format!("row is empty: to {to} is below from {}", r.from),
                ));
            }
        } else if i + 1 != n {
            return Err(loc.invalid(
                rp.key("to"),
                "only the last row may be open-ended (no `to`)",
            ));
        }
        if let Some(prev) = rows.last() {
            let prev: &MsrRow = prev;
            if prev.to.is_some_and(|t| t + 1 != r.from as u64) {
                return Err(loc.invalid(
                    rp.clone().key("from"),
                    format!(
                        "row starts at {} but the row before ends at {}; rows must be contiguous",
                        r.from,
                        prev.to.unwrap_or(0)
                    ),
                ));
            }
        }
        for (k, v) in [("rate_from", Some(r.rate_from)), ("rate_to", r.rate_to)] {
            if let Some(v) = v {
                if !is_unit_share(v.0) {
                    return Err(
                        loc.invalid(rp.clone().key(k), format!("{} is outside [0, 1]", v.0))
                    );
                }
            }
        }
        if r.to.is_none() && r.rate_to.is_some_and(|t| t != r.rate_from) {
            return Err(loc.invalid(
                rp.key("rate_to"),
                "an open-ended row has one rate: leave out `rate_to`",
            ));
        }
        rows.push(MsrRow {
            from: r.from as u64,
            to: r.to.map(|t| t as u64),
            rate_from: r.rate_from.0,
            rate_to: r.rate_to.map_or(r.rate_from.0, |d| d.0),
        });
    }
    Ok(MinimumSavingsRate::Table(rows))
}

/// The keys of a `[shift]` table that hold numbers (and so may have a source).
const SHIFT_KEYS: &[&str] = &[
    "avoidable_share",
    "reduction",
    "avoided_share",
    "bed_days_per_admission",
    "bed_day_cost_pence",
    "replacement_cost_pence",
    "fixed_cost_pence",
    "occupancy",
    "net_savings_target_pence",
];

fn read_shift(doc: &Document, loc: &Locator) -> Result<Option<ShiftPolicy>, RulesetError> {
    use crate::shift::Reduction;
    let Some(s) = &doc.shift else {
        return Ok(None);
    };
    let sp = path("shift");
    for (key, v) in [
        ("avoidable_share", s.avoidable_share),
        ("reduction", s.reduction),
        ("avoided_share", s.avoided_share),
    ] {
        if let Some(v) = v {
            if !is_unit_share(v.0) {
                return Err(loc.invalid(
                    sp.clone().key(key),
                    format!("share {} is outside [0, 1]", v.0),
                ));
            }
        }
    }
    let reduction = match (s.reduction, s.avoided_share) {
        (Some(_), Some(_)) => {
            return Err(loc.invalid(
                sp.key("avoided_share"),
                "give either `reduction` (a share of all admissions) or `avoided_share` (a share of the avoidable ones), not both",
            ));
        }
        (Some(r), None) => {
            if let Some(a) = s.avoidable_share {
                if r.0 > a.0 {
                    return Err(loc.invalid(
                        sp.key("reduction"),
                        format!(
                            "a reduction of {} of all admissions is above the avoidable share {}",
                            r.0, a.0
                        ),
                    ));
                }
            }
            Some(Reduction::OfAdmissions(r.0))
        }
        (None, Some(a)) => Some(Reduction::OfAvoidable(a.0)),
        (None, None) => None,
    };
    if let Some(b) = s.bed_days_per_admission {
        if b.0 < Decimal::ZERO {
            return Err(loc.invalid(
                sp.key("bed_days_per_admission"),
                format!("{} is negative", b.0),
            ));
        }
    }
    if let Some(o) = s.occupancy {
        if o.0 <= Decimal::ZERO || o.0 > Decimal::ONE {
            return Err(loc.invalid(
                sp.key("occupancy"),
                format!("occupancy {} is outside (0, 1]", o.0),
            ));
        }
    }
    if let Some(c) = s.bed_day_cost_pence {
        if c <= 0 {
            return Err(loc.invalid(
                sp.key("bed_day_cost_pence"),
                format!("{c} pence is not a positive cost"),
            ));
        }
    }
    for (key, v) in [
        ("replacement_cost_pence", s.replacement_cost_pence),
        ("fixed_cost_pence", s.fixed_cost_pence),
        ("net_savings_target_pence", s.net_savings_target_pence),
    ] {
        if let Some(v) = v {
            if v < 0 {
                return Err(loc.invalid(sp.clone().key(key), format!("{v} pence is negative")));
            }
        }
    }
    for key in s.sources.keys() {
        if !SHIFT_KEYS.contains(&key.as_str()) {
            return Err(loc.invalid(
                sp.clone().key("sources").key(key),
                format!(
                    "`{key}` is not a parameter of the shift table; parameters: {}",
                    join_ids(SHIFT_KEYS.iter().copied())
                ),
            ));
        }
    }
    Ok(Some(ShiftPolicy {
        avoidable_share: s.avoidable_share.map(|d| d.0),
        reduction,
        bed_days_per_admission: s.bed_days_per_admission.map(|d| d.0),
        bed_day_cost_pence: s.bed_day_cost_pence,
        replacement_cost_pence: s.replacement_cost_pence,
        fixed_cost_pence: s.fixed_cost_pence,
        occupancy: s.occupancy.map(|d| d.0),
        net_savings_target_pence: s.net_savings_target_pence,
        sources: s.sources.clone(),
    }))
}

fn read_payments(
    doc: &Document,
    loc: &Locator,
) -> Result<Option<crate::allocate::PerHeadPayments>, RulesetError> {
    use crate::allocate::{PerHeadBasis, PerHeadDeduction, PerHeadItem, PerHeadPayments};
    let Some(p) = &doc.payments else {
        return Ok(None);
    };
    let mut items = Vec::with_capacity(p.per_head.len());
    let mut seen = std::collections::BTreeSet::new();
    for (i, it) in p.per_head.iter().enumerate() {
        let ip = path("payments").key("per_head").idx(i);
        if !is_identifier(&it.id) || !seen.insert(it.id.as_str()) {
            return Err(loc.invalid(
                ip.key("id"),
                format!(
                    "`{}` must be a unique id of lowercase letters, digits and `_`",
                    it.id
                ),
            ));
        }
        let basis = match it.basis.as_str() {
            "registered" => PerHeadBasis::Registered,
            "weighted" => PerHeadBasis::Weighted,
            other => {
                return Err(loc.invalid(
                    ip.key("basis"),
                    format!("`{other}` is not a basis; expected `registered` or `weighted`"),
                ));
            }
        };
        if it.price_pence.0 < Decimal::ZERO {
            return Err(loc.invalid(
                ip.key("price_pence"),
                format!("{} pence is negative", it.price_pence.0),
            ));
        }
        let price_fixed = crate::money::to_fixed(it.price_pence.0).map_err(|_| {
            loc.invalid(
                ip.clone().key("price_pence"),
                format!(
                    "{} pence cannot be used exactly (at most nine decimals, below 18 billion pence)",
                    it.price_pence.0
                ),
            )
        })?;
        let mut deductions = Vec::with_capacity(it.deductions.len());
        let mut total = Decimal::ZERO;
        for (j, d) in it.deductions.iter().enumerate() {
            let dp = ip.clone().key("deductions").idx(j);
            if !is_identifier(&d.id) {
                return Err(loc.invalid(
                    dp.key("id"),
                    format!(
                        "`{}` is not an id of lowercase letters, digits and `_`",
                        d.id
                    ),
                ));
            }
            if !is_unit_share(d.share.0) {
                return Err(loc.invalid(
                    dp.key("share"),
                    format!("share {} is outside [0, 1]", d.share.0),
                ));
            }
            let share_fixed = crate::money::to_fixed(d.share.0).map_err(|_| {
                loc.invalid(
                    dp.clone().key("share"),
                    format!("share {} has more than nine decimals", d.share.0),
                )
            })?;
            total += d.share.0;
            deductions.push(PerHeadDeduction {
                id: d.id.clone(),
                name: d.name.clone(),
                share: d.share.0,
                share_fixed,
                illustrative: d.illustrative,
            });
        }
        if total > Decimal::ONE {
            return Err(loc.invalid(
                ip.key("deductions"),
                format!("the deductions add up to {total} of the price, more than all of it"),
            ));
        }
        items.push(PerHeadItem {
            id: it.id.clone(),
            name: it.name.clone(),
            basis,
            price_pence: it.price_pence.0,
            price_fixed,
            illustrative: it.illustrative,
            deductions,
        });
    }
    Ok(Some(PerHeadPayments { items }))
}
