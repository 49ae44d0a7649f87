//! Whole-document checks that turn a parsed [`Document`] into a [`Ruleset`].
//!
//! Each failure names the key path (`tiers[2].population.min`) and, for TOML, the line
//! and column of that key, found by walking the spanned document `toml` parses.

use std::collections::HashSet;

use super::capabilities::{Capability, CapabilitySet, MAX_CAPABILITIES};
use super::error::RulesetError;
use super::locator::{Locator, path};
use super::schema::{Document, SCHEMA_VERSION, TierDoc};
use super::value::{is_identifier, join_ids};
use super::{Band, Ruleset, STRATEGIC_COMMISSIONER, Tier};
use crate::allocate::payments::read_payments;
use crate::allocate::policy::read_allocation;
use crate::appraise::read::read_appraisal;
use crate::bridge::policy::read_bridge;
use crate::settle::read::read_settlement;
use crate::shift::policy::read_shift;

/// Checks a whole document: its own parts (capabilities, tiers), then each engine's
/// policy through the reader beside that engine.
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
    let capabilities = read_capabilities(&doc, loc)?;
    check_tier_ids(&doc, loc)?;
    let tiers = doc
        .tiers
        .iter()
        .enumerate()
        .map(|(i, t)| read_tier(&doc, i, t, &capabilities, loc))
        .collect::<Result<Vec<_>, _>>()?;
    check_tier_ends(&tiers, loc)?;

    let allocation = match &doc.allocation {
        Some(a) => {
            let tier_ids: Vec<&str> = tiers.iter().map(|t| t.id.as_str()).collect();
            let policy = read_allocation(a, &tier_ids, loc)?;
            policy
                .check(&tier_ids, &doc.id)
                .map_err(|e| loc.relocate(e))?;
            Some(policy)
        }
        None => None,
    };
    let settlement = read_settlement(doc.settlement.as_ref(), loc)?;
    let shift = read_shift(doc.shift.as_ref(), loc)?;
    let payments = read_payments(doc.payments.as_ref(), loc)?;
    let appraisal = read_appraisal(doc.appraisal.as_ref(), &capabilities, loc)?;
    let bridge = read_bridge(doc.bridge.as_ref(), loc)?;

    Ok(Ruleset {
        doc,
        capabilities,
        tiers,
        allocation,
        settlement,
        shift,
        payments,
        appraisal,
        bridge,
    })
}

/// The capabilities: bit i is the i-th id in sorted order.
fn read_capabilities(doc: &Document, loc: &Locator) -> Result<Vec<Capability>, RulesetError> {
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
    Ok(capabilities)
}

/// At least two tiers, at most 255, with well-formed unique ids.
fn check_tier_ids(doc: &Document, loc: &Locator) -> Result<(), RulesetError> {
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
    Ok(())
}

/// Tier `i`: its band, the capabilities it requires (each declared) and its parents
/// (each a tier above it, or the commissioner).
fn read_tier(
    doc: &Document,
    i: usize,
    t: &TierDoc,
    capabilities: &[Capability],
    loc: &Locator,
) -> Result<Tier, RulesetError> {
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
        let bit = capabilities
            .iter()
            .position(|d| d.id == *c)
            .ok_or_else(|| {
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
        let pi = doc.tiers.iter().position(|t| t.id == *p).ok_or_else(|| {
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
    Ok(Tier {
        id: t.id.clone(),
        name: t.name.clone(),
        band,
        requires,
        parents,
        under_commissioner,
        source: t.source.clone(),
    })
}

/// The highest tier sits under the commissioner; the base tier has no population floor.
fn check_tier_ends(tiers: &[Tier], loc: &Locator) -> Result<(), RulesetError> {
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
    Ok(())
}
