//! Whole-document checks that turn a parsed [`Document`] into a [`Ruleset`].
//!
//! Each failure names the key path (`tiers[2].population.min`) and, for TOML, the line
//! and column of that key, found by walking the spanned document `toml` parses.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use rust_decimal::Decimal;
use toml::de::{DeTable, DeValue};

use super::schema::{Dec, Document, PresetsDoc, SCHEMA_VERSION, SettlementDoc};
use super::{
    AllocationPolicy, Band, BelowMsrPolicy, Capability, Location, LossPolicy, MAX_CAPABILITIES,
    MinimumSavingsRate, MsrRow, PacePolicy, Pot, Ruleset, RulesetError, SETTLEMENT_PRESETS,
    STRATEGIC_COMMISSIONER, SettlementPolicy, ShiftPolicy, Tier, line_col,
};
use crate::classify::CapabilitySet;

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A path to a key in a ruleset document, shown as `tiers[2].population.min`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    fn key(mut self, k: &str) -> Self {
        self.0.push(Seg::Key(k.to_string()));
        self
    }
    fn idx(mut self, i: usize) -> Self {
        self.0.push(Seg::Index(i));
        self
    }
}

fn path(k: &str) -> KeyPath {
    KeyPath::default().key(k)
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Finds where a key path sits in the source text.
pub(crate) struct Locator<'a> {
    source: &'a str,
    text: Option<&'a str>,
}

impl<'a> Locator<'a> {
    pub(crate) fn toml(text: &'a str, source: &'a str) -> Self {
        Locator {
            source,
            text: Some(text),
        }
    }
    pub(crate) fn json(source: &'a str) -> Self {
        Locator { source, text: None }
    }

    fn locate(&self, key: &KeyPath) -> Location {
        let (line, column) = self
            .text
            .and_then(|t| toml_span(t, key).map(|start| line_col(t, start)))
            .unwrap_or((None, None));
        Location {
            source: self.source.to_string(),
            line,
            column,
        }
    }

    fn invalid(&self, key: KeyPath, message: impl Into<String>) -> RulesetError {
        RulesetError::Invalid {
            location: self.locate(&key),
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// Byte offset of the deepest part of `key` found in the TOML text.
fn toml_span(text: &str, key: &KeyPath) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let mut best = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut value: Option<&DeValue> = None;
    for seg in &key.0 {
        match seg {
            Seg::Key(k) => {
                let t = table.take().or(match value {
                    Some(DeValue::Table(t)) => Some(t),
                    _ => None,
                })?;
                // A key the document lacks (a missing field, or one a preset gave) is
                // placed at the deepest part that is there.
                let Some((kspan, v)) = t.get_key_value(k.as_str()) else {
                    return best;
                };
                best = Some(kspan.span().start);
                value = Some(v.get_ref());
            }
            Seg::Index(i) => {
                let DeValue::Array(a) = value? else {
                    return best;
                };
                let item = a.get(*i)?;
                best = Some(item.span().start);
                value = Some(item.get_ref());
            }
        }
    }
    best
}

fn unit_interval(d: Dec) -> bool {
    d.0 >= Decimal::ZERO && d.0 <= Decimal::ONE
}

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
    let appraisal = read_appraisal(&doc, &capabilities, loc)?;

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
    let in01 = |d: Decimal| d >= Decimal::ZERO && d <= Decimal::ONE;
    if !in01(p.aco_commissioned_share) {
        return Err(bad(
            "allocation.aco_commissioned_share".into(),
            format!("share {} is outside [0, 1]", p.aco_commissioned_share),
        ));
    }
    if !in01(p.inequalities_weight) {
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
        if !in01(pot.share) {
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
        if !in01(pace.rate) {
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
        if !in01(*s) {
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
        if !unit_interval(v) {
            return Err(loc.invalid(sp.clone().key(key), format!("{} is outside [0, 1]", v.0)));
        }
    }
    if let Some(std) = s.quality_standard {
        if !unit_interval(std) {
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
            if !unit_interval(r) {
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
                    if !unit_interval(v) {
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
                if !unit_interval(v) {
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
                if !unit_interval(v) {
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
            if !unit_interval(v) {
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
            if !unit_interval(d.share) {
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

/// Stable ids are lowercase ASCII letters, digits and `_`, starting with a letter.
fn is_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

fn join_ids<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// The key path of the innermost key or scalar whose span holds `offset`, so that a type
/// error from serde ("`half` is not a decimal number") can name the key it is about.
/// Table spans from `[header]` sections do not cover their contents, so every entry is
/// searched (the documents are small).
pub(crate) fn key_at(text: &str, offset: usize) -> Option<KeyPath> {
    let root = DeTable::parse(text).ok()?;
    let mut stack: Vec<(KeyPath, &DeValue)> = Vec::new();
    for (k, v) in root.get_ref().iter() {
        if k.span().contains(&offset) {
            return Some(KeyPath::default().key(k.get_ref()));
        }
        stack.push((KeyPath::default().key(k.get_ref()), v.get_ref()));
        if v.span().contains(&offset)
            && !matches!(v.get_ref(), DeValue::Table(_) | DeValue::Array(_))
        {
            return Some(KeyPath::default().key(k.get_ref()));
        }
    }
    while let Some((kp, value)) = stack.pop() {
        match value {
            DeValue::Table(t) => {
                for (k, v) in t.iter() {
                    let here = kp.clone().key(k.get_ref());
                    let scalar = !matches!(v.get_ref(), DeValue::Table(_) | DeValue::Array(_));
                    if k.span().contains(&offset) || (scalar && v.span().contains(&offset)) {
                        return Some(here);
                    }
                    stack.push((here, v.get_ref()));
                }
            }
            DeValue::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    let here = kp.clone().idx(i);
                    let scalar = !matches!(item.get_ref(), DeValue::Table(_) | DeValue::Array(_));
                    if scalar && item.span().contains(&offset) {
                        return Some(here);
                    }
                    stack.push((here, item.get_ref()));
                }
            }
            _ => {}
        }
    }
    None
}

/// The keys of an `[appraisal]` table that hold numbers (and so may have a source or be
/// illustrative).
const APPRAISAL_KEYS: &[&str] = &[
    "incidence",
    "min_sites",
    "max_sites",
    "max_options",
    "within_minutes",
];

fn read_appraisal(
    doc: &Document,
    capabilities: &[Capability],
    loc: &Locator,
) -> Result<Option<crate::appraise::AppraisalPolicy>, RulesetError> {
    use crate::appraise::{
        AppraisalPolicy, Better, DEFAULT_MAX_OPTIONS, EvaluationCriterion, Hurdle, HurdleCriterion,
        Measure,
    };
    let Some(a) = &doc.appraisal else {
        return Ok(None);
    };
    let ap = path("appraisal");
    if let Some(i) = a.incidence {
        if i.0 < Decimal::ZERO {
            return Err(loc.invalid(
                ap.clone().key("incidence"),
                format!(
                    "incidence {} is negative; expected events a year per person",
                    i.0
                ),
            ));
        }
    }
    let count = |key: &str, v: Option<i64>, min: i64| -> Result<Option<u64>, RulesetError> {
        match v {
            Some(v) if v < min => {
                Err(loc.invalid(ap.clone().key(key), format!("{v} is below {min}")))
            }
            v => Ok(v.map(|v| v as u64)),
        }
    };
    let min_sites = count("min_sites", a.min_sites, 1)?.unwrap_or(1) as usize;
    let max_sites = count("max_sites", a.max_sites, 1)?.map_or(min_sites, |v| v as usize);
    if max_sites < min_sites {
        return Err(loc.invalid(
            ap.clone().key("max_sites"),
            format!("max_sites {max_sites} is below min_sites {min_sites}"),
        ));
    }
    let max_options = count("max_options", a.max_options, 1)?.unwrap_or(DEFAULT_MAX_OPTIONS);
    let nonneg = |key: KeyPath, d: Dec, what: &str| -> Result<Decimal, RulesetError> {
        if d.0 < Decimal::ZERO {
            Err(loc.invalid(key, format!("{what} {} is negative", d.0)))
        } else {
            Ok(d.0)
        }
    };
    let within_minutes = match a.within_minutes {
        Some(m) => Some(nonneg(ap.clone().key("within_minutes"), m, "minutes")?),
        None => None,
    };
    for (where_, keys) in [
        ("sources", a.sources.keys().collect::<Vec<_>>()),
        ("illustrative", a.illustrative.iter().collect()),
    ] {
        for key in keys {
            if !APPRAISAL_KEYS.contains(&key.as_str()) {
                return Err(loc.invalid(
                    ap.clone().key(where_),
                    format!(
                        "`{key}` is not a number of the appraisal table; numbers: {}",
                        join_ids(APPRAISAL_KEYS.iter().copied())
                    ),
                ));
            }
        }
    }
    let mut seen = HashSet::new();
    let mut hurdles = Vec::with_capacity(a.hurdles.len());
    for (i, h) in a.hurdles.iter().enumerate() {
        let hp = ap.clone().key("hurdles").idx(i);
        if !is_identifier(&h.id) {
            return Err(loc.invalid(
                hp.key("id"),
                format!(
                    "`{}` is not an id (lowercase letters, digits and `_`, starting with a letter)",
                    h.id
                ),
            ));
        }
        if !seen.insert(h.id.clone()) {
            return Err(loc.invalid(hp.key("id"), format!("duplicate hurdle id `{}`", h.id)));
        }
        let unused = |keys: &[&str]| -> Result<(), RulesetError> {
            let given = [
                ("min", h.min.is_some()),
                ("max", h.max.is_some()),
                ("minutes", h.minutes.is_some()),
                ("min_share", h.min_share.is_some()),
                ("capabilities", !h.capabilities.is_empty()),
                ("measure", h.measure.is_some()),
            ];
            for (k, g) in given {
                if g && !keys.contains(&k) {
                    return Err(loc.invalid(
                        hp.clone().key(k),
                        format!(
                            "a `{}` hurdle takes no `{k}`; it takes: {}",
                            h.kind,
                            keys.join(", ")
                        ),
                    ));
                }
            }
            Ok(())
        };
        let need = |k: &str, v: Option<Dec>| -> Result<Decimal, RulesetError> {
            let v = v.ok_or_else(|| {
                loc.invalid(
                    hp.clone().key(k),
                    format!("a `{}` hurdle needs `{k}`", h.kind),
                )
            })?;
            nonneg(hp.clone().key(k), v, k)
        };
        let band = |keys: &[&str]| -> Result<(Option<Decimal>, Option<Decimal>), RulesetError> {
            unused(keys)?;
            if h.min.is_none() && h.max.is_none() {
                return Err(loc.invalid(
                    hp.clone().key("min"),
                    format!("a `{}` hurdle needs `min`, `max` or both", h.kind),
                ));
            }
            if let (Some(lo), Some(hi)) = (h.min, h.max) {
                if lo.0 > hi.0 {
                    return Err(loc.invalid(
                        hp.clone().key("min"),
                        format!("min {} is above max {}", lo.0, hi.0),
                    ));
                }
            }
            Ok((h.min.map(|d| d.0), h.max.map(|d| d.0)))
        };
        let hurdle = match h.kind.as_str() {
            "volume" => {
                let (min, max) = band(&["min", "max"])?;
                for (k, v) in [("min", min), ("max", max)] {
                    if let Some(v) = v {
                        nonneg(hp.clone().key(k), Dec(v), "volume")?;
                    }
                }
                Hurdle::Volume { min, max }
            }
            "max_travel" | "mean_travel" => {
                unused(&["max"])?;
                let max_minutes = need("max", h.max)?;
                if h.kind == "max_travel" {
                    Hurdle::MaxTravel { max_minutes }
                } else {
                    Hurdle::MeanTravel { max_minutes }
                }
            }
            "share_within" => {
                unused(&["minutes", "min_share"])?;
                let minutes = need("minutes", h.minutes)?;
                let min_share = need("min_share", h.min_share)?;
                if min_share > Decimal::ONE {
                    return Err(loc.invalid(
                        hp.key("min_share"),
                        format!("share {min_share} is outside [0, 1]"),
                    ));
                }
                Hurdle::ShareWithin { minutes, min_share }
            }
            "capabilities" => {
                unused(&["capabilities"])?;
                if h.capabilities.is_empty() {
                    return Err(loc.invalid(
                        hp.key("capabilities"),
                        "a `capabilities` hurdle needs at least one capability",
                    ));
                }
                for (j, c) in h.capabilities.iter().enumerate() {
                    if !capabilities.iter().any(|d| d.id == *c) {
                        return Err(loc.invalid(
                            hp.clone().key("capabilities").idx(j),
                            format!(
                                "unknown capability `{c}`; declared: {}",
                                join_ids(capabilities.iter().map(|d| d.id.as_str()))
                            ),
                        ));
                    }
                }
                Hurdle::Capabilities {
                    required: h.capabilities.clone(),
                }
            }
            "measure" => {
                let (min, max) = band(&["measure", "min", "max"])?;
                let measure = h
                    .measure
                    .clone()
                    .filter(|m| is_identifier(m))
                    .ok_or_else(|| {
                        loc.invalid(
                            hp.clone().key("measure"),
                            "a `measure` hurdle needs `measure`, the name of a site measure",
                        )
                    })?;
                Hurdle::Measure { measure, min, max }
            }
            other => {
                return Err(loc.invalid(
                    hp.key("kind"),
                    format!("unknown hurdle kind `{other}`; kinds: volume, max_travel, mean_travel, share_within, capabilities, measure"),
                ));
            }
        };
        hurdles.push(HurdleCriterion {
            id: h.id.clone(),
            name: h.name.clone(),
            hurdle,
            source: h.source.clone(),
            illustrative: h.illustrative,
        });
    }
    let mut seen = HashSet::new();
    let mut criteria = Vec::with_capacity(a.criteria.len());
    for (i, c) in a.criteria.iter().enumerate() {
        let cp = ap.clone().key("criteria").idx(i);
        if !is_identifier(&c.id) {
            return Err(loc.invalid(
                cp.key("id"),
                format!(
                    "`{}` is not an id (lowercase letters, digits and `_`, starting with a letter)",
                    c.id
                ),
            ));
        }
        if !seen.insert(c.id.clone()) {
            return Err(loc.invalid(cp.key("id"), format!("duplicate criterion id `{}`", c.id)));
        }
        let weight = nonneg(cp.clone().key("weight"), c.weight, "weight")?;
        let measure = match c.measure.as_str() {
            "mean_travel" => Measure::MeanTravel,
            "max_travel" => Measure::MaxTravel,
            "share_within" => Measure::ShareWithin(
                c.minutes
                    .map(|m| nonneg(cp.clone().key("minutes"), m, "minutes"))
                    .transpose()?
                    .ok_or_else(|| loc.invalid(cp.clone().key("minutes"), "a `share_within` criterion needs `minutes`"))?,
            ),
            "min_volume" => Measure::MinVolume,
            "max_volume" => Measure::MaxVolume,
            "hasus" => Measure::Hasus,
            "site_measure" => Measure::SiteMeasure(
                c.site_measure.clone().filter(|m| is_identifier(m)).ok_or_else(|| {
                    loc.invalid(cp.clone().key("site_measure"), "a `site_measure` criterion needs `site_measure`, the name of a site measure")
                })?,
            ),
            "scores" => Measure::Scores,
            other => {
                return Err(loc.invalid(
                    cp.key("measure"),
                    format!("unknown measure `{other}`; measures: mean_travel, max_travel, share_within, min_volume, max_volume, hasus, site_measure, scores"),
                ));
            }
        };
        if c.minutes.is_some() && !matches!(measure, Measure::ShareWithin(_)) {
            return Err(loc.invalid(
                cp.key("minutes"),
                "only a `share_within` criterion takes `minutes`",
            ));
        }
        if c.site_measure.is_some() && !matches!(measure, Measure::SiteMeasure(_)) {
            return Err(loc.invalid(
                cp.key("site_measure"),
                "only a `site_measure` criterion takes `site_measure`",
            ));
        }
        let default_better = match measure {
            Measure::MeanTravel | Measure::MaxTravel | Measure::Hasus => Better::Lower,
            _ => Better::Higher,
        };
        let better = match c.better.as_deref() {
            None => default_better,
            Some("lower") => Better::Lower,
            Some("higher") => Better::Higher,
            Some(other) => {
                return Err(loc.invalid(
                    cp.key("better"),
                    format!("`{other}` is neither `lower` nor `higher`"),
                ));
            }
        };
        let scale: Vec<Decimal> = c.scale.iter().map(|d| d.0).collect();
        if measure == Measure::Scores {
            if !scale.is_empty() || c.better.is_some() {
                return Err(loc.invalid(
                    cp.key("scale"),
                    "a `scores` criterion is scored by the caller; it takes no `scale` or `better`",
                ));
            }
        } else {
            if scale.len() != 4 {
                return Err(loc.invalid(
                    cp.key("scale"),
                    format!(
                        "expected four thresholds (for ++, +, 0, -), found {}",
                        scale.len()
                    ),
                ));
            }
            let ordered = scale.windows(2).all(|w| match better {
                Better::Lower => w[0] <= w[1],
                Better::Higher => w[0] >= w[1],
            });
            if !ordered {
                return Err(loc.invalid(
                    cp.key("scale"),
                    format!(
                        "thresholds must run from best to worst ({} for `better = {}`)",
                        if better == Better::Lower {
                            "ascending"
                        } else {
                            "descending"
                        },
                        if better == Better::Lower {
                            "lower"
                        } else {
                            "higher"
                        }
                    ),
                ));
            }
        }
        criteria.push(EvaluationCriterion {
            id: c.id.clone(),
            name: c.name.clone(),
            weight,
            measure,
            better,
            scale,
            source: c.source.clone(),
            illustrative: c.illustrative,
        });
    }
    Ok(Some(AppraisalPolicy {
        incidence: a.incidence.map(|d| d.0),
        min_sites,
        max_sites,
        max_options,
        within_minutes,
        hurdles,
        criteria,
        sources: a.sources.clone(),
        illustrative: a.illustrative.clone(),
    }))
}
