//! The shift-left model's defaults (`[shift]`, `docs/shift.md#parameters-and-defaults`): the policy type, how a
//! reduction is stated, the table as a ruleset writes it (serde) and its reader.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ruleset::error::RulesetError;
use crate::ruleset::locator::{Locator, path};
use crate::ruleset::value::{Dec, is_unit_share, join_ids};

/// How a unit's reduction of emergency admissions is stated. The two ways cannot both be
/// given, so a reduction is never ambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduction {
    /// A share of **all** emergency admissions, in [0, avoidable share], as the STP states
    /// its "reduction of 30% of admissions" (seed 003, 1.3). Column `reduction`.
    OfAdmissions(Decimal),
    /// A share of the **avoidable** admissions actually avoided, in [0, 1]; the reduction of
    /// all admissions is `avoidable_share × this`. Column `avoided_share`.
    OfAvoidable(Decimal),
}

/// Defaults of the shift-left model (`docs/shift.md#parameters-and-defaults`), from a ruleset's `[shift]` table.
///
/// Every parameter is optional: a unit's own input overrides the default, and a
/// parameter neither gives is an error naming the unit and the field. See
/// [`crate::shift`] for what each one means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftPolicy {
    /// Share of emergency admissions that could be avoided, in [0, 1].
    pub avoidable_share: Option<Decimal>,
    /// The reduction, stated as a share of all admissions or of the avoidable ones.
    pub reduction: Option<Reduction>,
    /// Bed days per emergency admission avoided (0 or more).
    pub bed_days_per_admission: Option<Decimal>,
    /// Cost of one acute bed day, pence (positive).
    pub bed_day_cost_pence: Option<i64>,
    /// Cost of the community care that replaces one admission, pence (0 or more).
    pub replacement_cost_pence: Option<i64>,
    /// Yearly fixed cost of the local care that avoids admissions, pence (0 or more).
    pub fixed_cost_pence: Option<i64>,
    /// Bed occupancy used to turn bed days into beds, in (0, 1].
    pub occupancy: Option<Decimal>,
    /// A system net-savings target, pence (such as the seeds' £160m), for
    /// [`crate::Ruleset::reduction_for_target`].
    pub net_savings_target_pence: Option<i64>,
    /// Key of the `[shift]` table -> the passage its number comes from.
    pub sources: BTreeMap<String, String>,
}

/// The `[shift]` table as a ruleset writes it: defaults of the shift-left model; every key optional, a unit's own input
/// overrides it. `sources` maps a key of this table to the passage its number is from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avoidable_share: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduction: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avoided_share: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bed_days_per_admission: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bed_day_cost_pence: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_cost_pence: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_cost_pence: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupancy: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_savings_target_pence: Option<i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
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

/// Reads and checks a ruleset's `[shift]` table, if it has one.
pub(crate) fn read_shift(
    doc: Option<&ShiftDoc>,
    loc: &Locator,
) -> Result<Option<ShiftPolicy>, RulesetError> {
    let Some(s) = doc else {
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
