//! The year-end settlement policy of a ruleset (`[settlement]`, `docs/settlement.md#policy-keys`): sharing
//! and quality rates, the minimum savings rate, loss sharing and sharing below the
//! minimum savings rate. The table as written and its reader are in `read`.

use rust_decimal::Decimal;

/// One row of a minimum-savings-rate table: populations `from..=to` get a rate falling
/// linearly from `rate_from` to `rate_to` (42 CFR 425.604(b)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsrRow {
    /// Lowest population of the row.
    pub from: u64,
    /// Highest population, or `None` for an open-ended last row.
    pub to: Option<u64>,
    /// Rate at `from`.
    pub rate_from: Decimal,
    /// Rate at `to` (equal to `rate_from` on an open-ended row).
    pub rate_to: Decimal,
}

/// How the minimum savings rate is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MinimumSavingsRate {
    /// One rate for every population.
    Fixed(Decimal),
    /// A table by assigned population, interpolated inside each row.
    Table(Vec<MsrRow>),
}

/// Loss sharing, for two-sided arrangements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossPolicy {
    /// Losses count only at or above this share of the benchmark (ignored when
    /// [`LossPolicy::minimum_loss_rate_by_population`] is set).
    pub minimum_loss_rate: Decimal,
    /// When true, the minimum loss rate is the minimum savings rate for the assigned
    /// population (the symmetric, population-based MSR/MLR of 42 CFR 425.605(b)).
    pub minimum_loss_rate_by_population: bool,
    /// Lower bound of the loss-sharing rate `1 - sharing_rate x quality`.
    pub sharing_rate_min: Decimal,
    /// Upper bound of the loss-sharing rate.
    pub sharing_rate_max: Decimal,
    /// When `Some`, losses are shared at this one rate whatever the quality (BASIC
    /// levels C to E: 30%); `sharing_rate_min` and `sharing_rate_max` are then equal to it.
    pub flat_rate: Option<Decimal>,
    /// Losses owed are capped at this share of the benchmark.
    pub cap: Decimal,
    /// When `Some`, the loss limit is the lesser of this share of the ACO participants'
    /// fee-for-service revenue and `cap` of the benchmark (BASIC levels C to E); the
    /// settlement input must then give `participant_revenue_pence` for a loss.
    pub revenue_cap: Option<Decimal>,
}

/// Sharing savings that miss the minimum savings rate, for low-revenue ACOs
/// (42 CFR 425.605(h)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BelowMsrPolicy {
    /// The fraction of the (quality-adjusted) sharing rate applied: 0.5 in the rule.
    pub sharing_fraction: Decimal,
    /// An ACO is low revenue when its participants' fee-for-service revenue is below
    /// this share of the expenditure of its assigned population (0.35, 42 CFR 425.20).
    pub low_revenue_threshold: Decimal,
}

/// The year-end settlement policy (`docs/settlement.md#policy-keys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementPolicy {
    /// True when the parameters are illustrative rather than agreed.
    pub illustrative: bool,
    /// Savings sharing rate (before quality scaling).
    pub sharing_rate: Decimal,
    /// Quality score needed to share savings at all (standing for the quality
    /// performance standard, or the alternative standard where `quality_standard` is set).
    pub quality_threshold: Decimal,
    /// When `Some`, a quality score at or above it meets the full quality performance
    /// standard: the sharing rate applies unscaled (and the loss-sharing rate is
    /// `1 - sharing_rate`, bounded). Between `quality_threshold` and it, the rate is
    /// scaled by the score; below `quality_threshold`, nothing is shared and losses are
    /// shared at the upper bound. `None`: the rate is always scaled by the score.
    pub quality_standard: Option<Decimal>,
    /// Shared savings are capped at this share of the benchmark.
    pub savings_cap: Decimal,
    /// The minimum savings rate.
    pub minimum_savings_rate: MinimumSavingsRate,
    /// Smallest assigned population the policy settles.
    pub minimum_population: u64,
    /// `Some` for two-sided arrangements.
    pub losses: Option<LossPolicy>,
    /// `Some` when low-revenue ACOs share savings below the minimum savings rate.
    pub below_msr: Option<BelowMsrPolicy>,
    /// The preset the policy started from, if any.
    pub preset: Option<String>,
}
