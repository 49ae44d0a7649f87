//! The on-disk shape of a ruleset (schema 1), as serde reads it from TOML or JSON.
//!
//! These types mirror the document one to one and check nothing beyond types: the
//! checks that need the whole document (unique ids, bands, references, shares) run in
//! [`super::check`], which turns a [`Document`] into a [`super::Ruleset`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::value::{Dec, is_false};
use crate::appraise::read::AppraisalDoc;

/// The ruleset schema version this library reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole ruleset document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub schema: u32,
    pub id: String,
    pub title: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub sources: Vec<SourceDoc>,
    pub capabilities: BTreeMap<String, CapabilityDoc>,
    pub tiers: Vec<TierDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<AllocationDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<SettlementDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<ShiftDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<PaymentsDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appraisal: Option<AppraisalDoc>,
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

/// A deduction from a per-head payment, as a share of its gross amount.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeductionDoc {
    pub id: String,
    pub name: String,
    pub share: Dec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub illustrative: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityDoc {
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TierDoc {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<BandDoc>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub parents: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BandDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// An advisory band ("usually", "around" in the source): outside it is a warning,
    /// never a bar to the tier.
    #[serde(default, skip_serializing_if = "is_false")]
    pub advisory: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationDoc {
    pub aco_commissioned_share: Dec,
    pub inequalities_weight: Dec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_forces_factor: Option<Dec>,
    pub pots: Vec<PotDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace_of_change: Option<PaceDoc>,
    /// Tier id -> share of a unit's allocation it keeps before splitting the rest.
    #[serde(default)]
    pub retained_share: BTreeMap<String, Dec>,
    /// Age band id -> weight, used when need is given as age-band counts.
    #[serde(default)]
    pub age_band_weights: BTreeMap<String, Dec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PotDoc {
    pub id: String,
    pub name: String,
    pub share: Dec,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaceDoc {
    pub rate: Dec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_growth: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_growth: Option<Dec>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementDoc {
    /// A named preset (see `rulesets/settlement-presets.toml`) whose fields this table's
    /// own fields override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illustrative: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sides: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_threshold: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_standard: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savings_cap: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_savings_rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub minimum_savings_rate_table: Vec<MsrRowDoc>,
    /// `"0"`, `"0.005"`, `"0.01"`, `"0.015"`, `"0.02"` or `"population"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symmetric_msr_mlr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_population: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub losses: Option<LossesDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_msr: Option<BelowMsrDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MsrRowDoc {
    pub from: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    pub rate_from: Dec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_to: Option<Dec>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LossesDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_loss_rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_rate_min: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_rate_max: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat_rate: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_cap: Option<Dec>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BelowMsrDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing_fraction: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_revenue_threshold: Option<Dec>,
}

/// The settlement presets file: preset name -> a settlement table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetsDoc {
    pub presets: BTreeMap<String, SettlementDoc>,
}

/// Defaults of the shift-left model (DESIGN §13); every key optional, a unit's own input
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
