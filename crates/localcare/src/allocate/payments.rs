//! The per-head payment schedule of a ruleset (`[payments]`, `docs/allocation.md#per-head-payments`): prices per
//! registered or weighted patient, each less deductions given as shares of it or as
//! amounts per patient (on the item's basis). The
//! schedule's types, the table as a ruleset writes it (serde) and its reader; the
//! payments themselves are computed in `per_head`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ruleset::error::RulesetError;
use crate::ruleset::locator::{Locator, path};
use crate::ruleset::value::{Dec, is_false, is_identifier, is_unit_share};

/// What a per-head price is paid on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerHeadBasis {
    /// Registered patients (the practice's population).
    Registered,
    /// Weighted patients (the practice's weighted population, as allocation computes it).
    Weighted,
}

impl PerHeadBasis {
    /// `registered` or `weighted`, as in the ruleset.
    pub fn as_str(self) -> &'static str {
        match self {
            PerHeadBasis::Registered => "registered",
            PerHeadBasis::Weighted => "weighted",
        }
    }
}

/// A deduction from a per-head item: a share of its gross amount, or an amount per
/// patient (registered or weighted, as the item's basis says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerHeadDeduction {
    /// Stable id.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Share of the gross amount deducted, in [0, 1]; 0 for a deduction per patient.
    pub share: Decimal,
    pub(crate) share_fixed: u64,
    /// Pence deducted per patient, when the deduction is an amount rather than a share
    /// (the GP global sum's out-of-hours deduction is published as pounds per weighted
    /// patient).
    pub pence_per_patient: Option<Decimal>,
    pub(crate) pence_fixed: u64,
    /// Whether the share is illustrative rather than a sourced figure.
    pub illustrative: bool,
}

/// One item of a per-head schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerHeadItem {
    /// Stable id.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Registered or weighted patients.
    pub basis: PerHeadBasis,
    /// Pence per patient per year.
    pub price_pence: Decimal,
    pub(crate) price_fixed: u64,
    /// Whether the price is illustrative rather than a sourced figure.
    pub illustrative: bool,
    /// Deductions, as shares of the gross amount.
    pub deductions: Vec<PerHeadDeduction>,
}

/// A ruleset's per-head payment schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerHeadPayments {
    /// The items, in the ruleset's order.
    pub items: Vec<PerHeadItem>,
}

/// Per-head payments beside share-of-budget allocation (`[payments]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsDoc {
    pub per_head: Vec<PerHeadDoc>,
}

/// One per-head payment: a price per registered or weighted patient, less deductions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PerHeadDoc {
    pub id: String,
    pub name: String,
    /// `"registered"` or `"weighted"`.
    pub basis: String,
    /// Pence per patient per year (a decimal: fractions of a penny are allowed).
    pub price_pence: Dec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub illustrative: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deductions: Vec<DeductionDoc>,
}

/// A deduction from a per-head payment: `share` of its gross amount, or
/// `pence_per_patient` (exactly one of the two).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeductionDoc {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pence_per_patient: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub illustrative: bool,
}

/// Reads and checks a ruleset's `[payments]` table, if it has one.
pub(crate) fn read_payments(
    doc: Option<&PaymentsDoc>,
    loc: &Locator,
) -> Result<Option<PerHeadPayments>, RulesetError> {
    let Some(p) = doc else {
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
        // Pence per patient deducted in all: shares of the price and amounts.
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
            let (share, pence) = match (d.share, d.pence_per_patient) {
                (Some(s), None) => (s.0, None),
                (None, Some(p)) => (Decimal::ZERO, Some(p.0)),
                _ => {
                    return Err(loc.invalid(
                        dp,
                        "give either `share` (of the gross) or `pence_per_patient`, not both or neither",
                    ));
                }
            };
            if !is_unit_share(share) {
                return Err(
                    loc.invalid(dp.key("share"), format!("share {share} is outside [0, 1]"))
                );
            }
            let share_fixed = crate::money::to_fixed(share).map_err(|_| {
                loc.invalid(
                    dp.clone().key("share"),
                    format!("share {share} has more than nine decimals"),
                )
            })?;
            let pence_fixed = match pence {
                None => 0,
                Some(p) if p < Decimal::ZERO => {
                    return Err(loc.invalid(
                        dp.key("pence_per_patient"),
                        format!("{p} pence is negative"),
                    ));
                }
                Some(p) => crate::money::to_fixed(p)
                    .ok()
                    .filter(|_| p.normalize().scale() <= 9)
                    .ok_or_else(|| {
                        loc.invalid(
                            dp.clone().key("pence_per_patient"),
                            format!(
                                "{p} pence cannot be used exactly (at most nine decimals, below 18 billion pence)"
                            ),
                        )
                    })?,
            };
            total += share * it.price_pence.0 + pence.unwrap_or(Decimal::ZERO);
            deductions.push(PerHeadDeduction {
                id: d.id.clone(),
                name: d.name.clone(),
                share,
                share_fixed,
                pence_per_patient: pence,
                pence_fixed,
                illustrative: d.illustrative,
            });
        }
        if total > it.price_pence.0 {
            return Err(loc.invalid(
                ip.key("deductions"),
                format!(
                    "the deductions add up to {} pence per patient, more than the price of {} pence",
                    total.normalize(),
                    it.price_pence.0.normalize()
                ),
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
