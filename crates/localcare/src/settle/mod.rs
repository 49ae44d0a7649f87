//! Year-end settlement (`docs/settlement.md`): shared savings and losses, gated by quality.
//!
//! Seed `000_304436ec5367c809.txt` defines an ACO by "a payment and care delivery model
//! that seeks to tie provider reimbursements to quality metrics and reductions in the
//! total cost of care"; this module makes that tie executable. The shape follows the US
//! Medicare Shared Savings Program (42 CFR 425.604 – 425.610):
//!
//! - savings = benchmark − actual expenditure;
//! - savings are shared only when their rate (savings / benchmark) reaches the minimum
//!   savings rate (fixed, or a table by assigned population interpolated inside each
//!   row) **and** quality reaches the threshold; then from the first pound:
//!   `shared = savings × sharing_rate × quality`, capped at a share of the benchmark;
//! - in a two-sided arrangement, losses reaching the minimum loss rate are owed at
//!   `1 − sharing_rate × quality`, bounded below and above, capped likewise. Failing the
//!   quality gate forfeits savings but does not excuse losses.
//!
//! Features a policy may add (42 CFR 425.605 and 425.610 as for performance year 2026;
//! the named presets set them):
//!
//! - `quality_standard`: at or above it the sharing rate applies unscaled, between the
//!   threshold and it the rate is scaled by quality, below the threshold nothing is
//!   shared and losses are shared at the upper bound (the quality factor is 1, the
//!   score, or 0);
//! - a flat loss-sharing rate (BASIC levels C to E: 30%, whatever the quality);
//! - a loss limit that is the lesser of a share of the ACO participants' revenue and a
//!   share of the benchmark (`participant_revenue_pence` must then be given for a loss);
//! - a symmetric minimum savings and loss rate, fixed or by assigned population;
//! - low-revenue ACOs that save but miss the MSR share at a fraction (half) of the rate.
//!
//! Arithmetic is exact decimal; the amount is rounded to pence once, at the end, half
//! away from zero.
//!
//! ```
//! use localcare::{Ruleset, settle::SettlementInput};
//! let rs = Ruleset::builtin("kent-medway-2017").unwrap();
//! // 42 CFR 425.604 worked example: 12,000 assigned, benchmark $120m, actual $115.8m,
//! // quality 0.90: 120,000,000 x 0.035 x 0.50 x 0.90 = 1,890,000.
//! let s = rs.settle(&SettlementInput {
//!     unit_id: "ACO1".into(),
//!     benchmark_pence: 120_000_000_00,
//!     actual_pence: 115_800_000_00,
//!     assigned_population: 12_000,
//!     quality: "0.90".parse().unwrap(),
//!     participant_revenue_pence: None,
//! }).unwrap();
//! assert_eq!(s.final_pence, 1_890_000_00);
//! ```

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::Ruleset;
use crate::money::{Pounds, group_thousands};
pub(crate) mod policy;
pub(crate) mod read;

pub use policy::{BelowMsrPolicy, LossPolicy, MinimumSavingsRate, MsrRow, SettlementPolicy};
pub use read::SETTLEMENT_PRESETS;

use crate::ruleset::value::is_unit_share;

/// Why a settlement could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettlementError {
    /// The ruleset has no settlement policy.
    #[error("ruleset {ruleset} has no settlement policy")]
    NoPolicy {
        /// The ruleset id.
        ruleset: String,
    },
    /// An input is out of range.
    #[error("{unit_id}: `{field}` {message}")]
    Invalid {
        /// The ACO.
        unit_id: String,
        /// The input field.
        field: &'static str,
        /// What is wrong, with observed and expected values.
        message: String,
    },
    /// One input of a batch failed.
    #[error("row {index}: {source}")]
    Row {
        /// Index of the input in the batch.
        index: usize,
        /// Its error.
        source: Box<SettlementError>,
    },
}

/// One ACO's year, to settle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementInput {
    /// The ACO.
    pub unit_id: String,
    /// Benchmark expenditure, pence (positive).
    pub benchmark_pence: i64,
    /// Actual expenditure, pence (0 or more).
    pub actual_pence: i64,
    /// Assigned population.
    pub assigned_population: u64,
    /// Quality score in [0, 1].
    pub quality: Decimal,
    /// The ACO participants' fee-for-service revenue, pence (0 or more), when known.
    /// Needed for a loss under a policy whose loss limit is a share of revenue, and read
    /// for low-revenue status where the policy shares savings below the MSR.
    pub participant_revenue_pence: Option<i64>,
}

/// The outcome of settling one ACO, with each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The ACO.
    pub unit_id: String,
    /// Benchmark, pence.
    pub benchmark_pence: i64,
    /// Actual expenditure, pence.
    pub actual_pence: i64,
    /// Benchmark − actual, pence: positive for savings, negative for a loss.
    pub savings_pence: i64,
    /// Savings (or loss, negative) as a share of the benchmark.
    pub savings_rate: Decimal,
    /// The minimum savings rate (or, for a loss, the minimum loss rate) that applied.
    pub minimum_rate: Decimal,
    /// Whether the savings (or loss) rate reached it.
    pub minimum_rate_met: bool,
    /// The quality score.
    pub quality: Decimal,
    /// Whether quality reached the threshold.
    pub quality_gate_passed: bool,
    /// The sharing rate applied: `sharing_rate × quality` for savings, the bounded
    /// loss-sharing rate for losses, 0 when nothing is shared.
    pub sharing_rate: Decimal,
    /// Amount before the cap, pence (rounded for display; the final amount is rounded
    /// once from the exact value).
    pub amount_before_cap_pence: i64,
    /// The cap, pence.
    pub cap_pence: i64,
    /// Whether the cap bound.
    pub capped: bool,
    /// Final amount, pence: positive is paid to the ACO, negative is owed by it.
    pub final_pence: i64,
    /// The steps, in words.
    pub explanation: Vec<String>,
}

fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(4))
}

/// A percentage without trailing zeros (`8%`, not `8.00%`), for rates given in a policy.
fn pct_short(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(4).normalize())
}

fn pounds_of(d: Decimal) -> String {
    Pounds(round_pence(d)).to_string()
}

/// Pence rounded half away from zero, saturating (amounts here are bounded by i64 inputs).
fn round_pence(d: Decimal) -> i64 {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(if d.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
}

impl SettlementPolicy {
    /// The minimum savings rate for an assigned population, and how it was found.
    pub fn minimum_savings_rate_for(&self, population: u64) -> (Decimal, String) {
        match &self.minimum_savings_rate {
            MinimumSavingsRate::Fixed(r) => (*r, format!("fixed at {}", pct(*r))),
            MinimumSavingsRate::Table(rows) => {
                let row = rows
                    .iter()
                    .find(|r| population >= r.from && r.to.is_none_or(|t| population <= t))
                    .or(rows.last())
                    .expect("a table has rows");
                match row.to {
                    Some(to) if to > row.from && population <= to => {
                        let frac =
                            Decimal::from(population - row.from) / Decimal::from(to - row.from);
                        let r = row.rate_from + (row.rate_to - row.rate_from) * frac;
                        (
                            r,
                            format!(
                                "interpolated from {} at {} to {} at {}",
                                pct(row.rate_from),
                                group_thousands(row.from),
                                pct(row.rate_to),
                                group_thousands(to)
                            ),
                        )
                    }
                    Some(to) if population > to => (
                        row.rate_to,
                        format!("{} beyond the table's last row", pct(row.rate_to)),
                    ),
                    _ => (
                        row.rate_from,
                        format!(
                            "{} for {} and more",
                            pct(row.rate_from),
                            group_thousands(row.from)
                        ),
                    ),
                }
            }
        }
    }
}

impl Ruleset {
    /// Settles one ACO's year under this ruleset's settlement policy.
    pub fn settle(&self, input: &SettlementInput) -> Result<Settlement, SettlementError> {
        let policy = self
            .settlement_policy()
            .ok_or_else(|| SettlementError::NoPolicy {
                ruleset: self.id().to_string(),
            })?;
        settle_with(policy, input)
    }

    /// Settles many ACOs (or many scenarios of one); the first failure is returned with
    /// its row index, and no results.
    pub fn settle_batch(
        &self,
        inputs: &[SettlementInput],
    ) -> Result<Vec<Settlement>, SettlementError> {
        inputs
            .iter()
            .enumerate()
            .map(|(index, i)| {
                self.settle(i).map_err(|e| SettlementError::Row {
                    index,
                    source: Box::new(e),
                })
            })
            .collect()
    }
}

/// Settles one input under a policy.
pub fn settle_with(
    policy: &SettlementPolicy,
    input: &SettlementInput,
) -> Result<Settlement, SettlementError> {
    check_input(policy, input)?;
    let bench = Decimal::from(input.benchmark_pence);
    let savings = input.benchmark_pence - input.actual_pence; // both in range, cannot overflow
    let sav = Decimal::from(savings);
    let rate = sav / bench;
    // Normalised so that the settlement and its explanation do not depend on how the
    // score was spelt (`0.9` or `0.90`).
    let q = input.quality.normalize();
    let gate = q >= policy.quality_threshold;
    let mut steps = vec![format!(
        "savings = benchmark {} - actual {} = {} ({} of benchmark)",
        Pounds(input.benchmark_pence),
        Pounds(input.actual_pence),
        Pounds(savings),
        pct(rate)
    )];
    steps.push(format!(
        "quality {q} against threshold {}: {}",
        policy.quality_threshold,
        if gate { "passed" } else { "not passed" }
    ));

    // The factor the sharing rate is scaled by: the score itself, unless the policy has
    // a full quality standard (then 1 at or above it, the score between the threshold
    // and it, 0 below the threshold).
    let factor = match policy.quality_standard {
        None => q,
        Some(std) if q >= std => Decimal::ONE,
        Some(_) if gate => q,
        Some(_) => Decimal::ZERO,
    };
    if let Some(std) = policy.quality_standard {
        steps.push(if q >= std {
            format!("quality {q} meets the quality standard {std}: the sharing rate applies unscaled")
        } else if gate {
            format!("quality {q} is below the quality standard {std}: the sharing rate is scaled by quality")
        } else {
            format!("quality {q} meets neither the threshold nor the standard {std}: quality factor 0")
        });
    }
    let mut year = Year {
        policy,
        input,
        bench,
        savings,
        sav,
        rate,
        q,
        gate,
        factor,
        steps,
        limit_step: None,
    };
    let side = if savings >= 0 {
        year.shared_savings()
    } else {
        match &policy.losses {
            None => {
                year.steps
                    .push("one-sided arrangement: losses are not shared".into());
                Side {
                    minimum_rate: Decimal::ZERO,
                    met: false,
                    sharing: Decimal::ZERO,
                    before: Decimal::ZERO,
                    cap_share: Decimal::ZERO,
                }
            }
            Some(l) => year.shared_losses(l)?,
        }
    };
    Ok(year.finish(side))
}

/// The input's own rules, and the policy's smallest population.
fn check_input(policy: &SettlementPolicy, input: &SettlementInput) -> Result<(), SettlementError> {
    let invalid = |field, message: String| SettlementError::Invalid {
        unit_id: input.unit_id.clone(),
        field,
        message,
    };
    if input.benchmark_pence <= 0 {
        return Err(invalid(
            "benchmark",
            format!(
                "is {} pence; expected a positive benchmark",
                input.benchmark_pence
            ),
        ));
    }
    if input.actual_pence < 0 {
        return Err(invalid(
            "actual",
            format!("is {} pence; expected 0 or more", input.actual_pence),
        ));
    }
    if !is_unit_share(input.quality) {
        return Err(invalid(
            "quality",
            format!("is {}; expected a score in [0, 1]", input.quality),
        ));
    }
    if let Some(r) = input.participant_revenue_pence.filter(|&r| r < 0) {
        return Err(invalid(
            "participant_revenue",
            format!("is {r} pence; expected 0 or more"),
        ));
    }
    if input.assigned_population < policy.minimum_population {
        return Err(invalid(
            "assigned_population",
            format!(
                "is {}; the policy settles populations of {} or more",
                group_thousands(input.assigned_population),
                group_thousands(policy.minimum_population)
            ),
        ));
    }
    Ok(())
}

/// One year being settled: what is known before sharing, and the explanation so far.
struct Year<'a> {
    policy: &'a SettlementPolicy,
    input: &'a SettlementInput,
    bench: Decimal,
    savings: i64,
    sav: Decimal,
    /// Savings as a share of the benchmark (negative for a loss).
    rate: Decimal,
    q: Decimal,
    gate: bool,
    /// The quality factor the sharing rate is scaled by.
    factor: Decimal,
    steps: Vec<String>,
    /// The revenue-based loss limit's step, said with the cap.
    limit_step: Option<String>,
}

/// What one side (savings or losses) settles to, before the cap.
struct Side {
    minimum_rate: Decimal,
    met: bool,
    sharing: Decimal,
    before: Decimal,
    cap_share: Decimal,
}

impl Year<'_> {
    /// The sharing rate scaled by quality, and how it was scaled.
    fn scaled(&self, rate: Decimal) -> (Decimal, String) {
        let r = rate * self.factor;
        let how = match self.policy.quality_standard {
            Some(std) if self.q >= std => format!("{rate} (quality standard met)"),
            _ => format!("{rate} x quality {}", self.q),
        };
        (r, how)
    }

    /// Savings: shared when the minimum rate and the quality gate are met, or below the
    /// minimum rate for a low-revenue ACO where the policy allows it.
    fn shared_savings(&mut self) -> Side {
        let (policy, input) = (self.policy, self.input);
        let (msr, how) = policy.minimum_savings_rate_for(input.assigned_population);
        let met = self.savings > 0 && self.rate >= msr;
        self.steps.push(format!(
            "minimum savings rate for {} assigned: {} ({how}); {}",
            group_thousands(input.assigned_population),
            pct(msr),
            if met { "met" } else { "not met" }
        ));
        let sharing = if met && self.gate {
            let (r, how) = self.scaled(policy.sharing_rate);
            self.steps
                .push(format!("sharing rate {how} = {}", r.normalize()));
            r
        } else if let Some(b) = policy
            .below_msr
            .as_ref()
            .filter(|_| self.savings > 0 && !met && self.gate)
        {
            self.below_msr_sharing(b)
        } else {
            self.steps.push("nothing is shared: savings are shared only when both the minimum rate and the quality gate are met".into());
            Decimal::ZERO
        };
        Side {
            minimum_rate: msr,
            met,
            sharing,
            before: self.sav * sharing,
            cap_share: policy.savings_cap,
        }
    }

    /// Savings below the minimum rate, shared at a fraction of the rate by a low-revenue
    /// ACO (42 CFR 425.605(h)).
    fn below_msr_sharing(&mut self, b: &BelowMsrPolicy) -> Decimal {
        let threshold = self.bench * b.low_revenue_threshold;
        match self.input.participant_revenue_pence {
            Some(rev) if Decimal::from(rev) < threshold => {
                let (r, how) = self.scaled(self.policy.sharing_rate);
                let r = r * b.sharing_fraction;
                self.steps.push(format!(
                    "low revenue: participant revenue {} is below {} of benchmark ({}); savings below the minimum rate are shared at {} x {how} = {}",
                    Pounds(rev),
                    pct(b.low_revenue_threshold),
                    pounds_of(threshold),
                    b.sharing_fraction.normalize(),
                    r.normalize()
                ));
                r
            }
            Some(rev) => {
                self.steps.push(format!(
                    "nothing is shared: the minimum rate is not met, and participant revenue {} is not below {} of benchmark ({}), so the ACO is not low revenue",
                    Pounds(rev),
                    pct(b.low_revenue_threshold),
                    pounds_of(threshold)
                ));
                Decimal::ZERO
            }
            None => {
                self.steps.push("nothing is shared: the minimum rate is not met, and no participant revenue is given, so the ACO is not treated as low revenue".into());
                Decimal::ZERO
            }
        }
    }

    /// Losses, for a two-sided arrangement: owed when the minimum loss rate is met.
    fn shared_losses(&mut self, l: &LossPolicy) -> Result<Side, SettlementError> {
        let (policy, input, q, factor) = (self.policy, self.input, self.q, self.factor);
        let loss_rate = -self.rate;
        let mlr = if l.minimum_loss_rate_by_population {
            policy.minimum_savings_rate_for(input.assigned_population).0
        } else {
            l.minimum_loss_rate
        };
        let met = loss_rate >= mlr;
        self.steps.push(format!(
            "loss of {} of benchmark against minimum loss rate {}{}: {}",
            pct(loss_rate),
            pct(mlr),
            if l.minimum_loss_rate_by_population {
                format!(
                    " (symmetric with the minimum savings rate for {} assigned)",
                    group_thousands(input.assigned_population)
                )
            } else {
                String::new()
            },
            if met { "met" } else { "not met" }
        ));
        if let Some(rc) = l.revenue_cap {
            self.revenue_limit(l, rc)?;
        }
        let raw = Decimal::ONE - policy.sharing_rate * factor;
        let bounded = raw.clamp(l.sharing_rate_min, l.sharing_rate_max);
        let sharing = if met { bounded } else { Decimal::ZERO };
        if met && l.flat_rate.is_some() {
            self.steps.push(format!(
                "loss-sharing rate {}, flat whatever the quality",
                bounded.normalize()
            ));
        } else if met && policy.quality_standard.is_some() {
            self.steps.push(format!(
                "loss-sharing rate 1 - {} x quality factor {} = {}, bounded to [{}, {}]: {}",
                policy.sharing_rate,
                factor.normalize(),
                raw.normalize(),
                l.sharing_rate_min,
                l.sharing_rate_max,
                bounded.normalize()
            ));
        } else if met {
            self.steps.push(format!(
                "loss-sharing rate 1 - {} x quality {q} = {}, bounded to [{}, {}]: {}",
                policy.sharing_rate,
                raw.normalize(),
                l.sharing_rate_min,
                l.sharing_rate_max,
                bounded.normalize()
            ));
        } else {
            self.steps
                .push("nothing is owed: losses below the minimum loss rate are not shared".into());
        }
        Ok(Side {
            minimum_rate: mlr,
            met,
            sharing,
            before: -self.sav * sharing,
            cap_share: l.cap,
        })
    }

    /// The loss limit by participant revenue (BASIC levels C to E), which then must be
    /// given; its step is said with the cap.
    fn revenue_limit(&mut self, l: &LossPolicy, rc: Decimal) -> Result<(), SettlementError> {
        let Some(rev) = self.input.participant_revenue_pence else {
            return Err(SettlementError::Invalid {
                unit_id: self.input.unit_id.clone(),
                field: "participant_revenue",
                message: format!(
                    "is missing; the policy's loss limit is the lesser of {} of ACO participants' revenue and {} of the benchmark",
                    pct_short(rc),
                    pct_short(l.cap)
                ),
            });
        };
        let by_rev = Decimal::from(rev) * rc;
        let by_bench = self.bench * l.cap;
        self.limit_step = Some(format!(
            "loss limit = lesser of {} of participant revenue {} = {} and {} of benchmark = {}: {}",
            pct(rc),
            Pounds(rev),
            pounds_of(by_rev),
            pct(l.cap),
            pounds_of(by_bench),
            pounds_of(by_rev.min(by_bench))
        ));
        Ok(())
    }

    /// The cap (or loss limit), the final amount to the penny, and the settlement.
    fn finish(mut self, side: Side) -> Settlement {
        let (policy, input, bench, savings) = (self.policy, self.input, self.bench, self.savings);
        let Side {
            minimum_rate,
            met,
            sharing,
            before,
            cap_share,
        } = side;
        let cap = match (&policy.losses, savings < 0) {
            (Some(l), true) => match (l.revenue_cap, input.participant_revenue_pence) {
                (Some(rc), Some(rev)) => (Decimal::from(rev) * rc).min(bench * cap_share),
                _ => bench * cap_share,
            },
            _ => bench * cap_share,
        };
        let capped = before > cap;
        let amount = if capped { cap } else { before };
        let owed = savings < 0;
        if !before.is_zero() {
            self.steps.push(format!(
                "{} before cap = {} x {} = {}",
                if owed { "owed" } else { "shared" },
                Pounds(savings.abs()),
                sharing.normalize(),
                pounds_of(before)
            ));
            let binds = if capped {
                "the cap binds"
            } else {
                "not reached"
            };
            self.steps.push(match self.limit_step.take() {
                Some(limit) => format!(
                    "{limit}; {}",
                    if capped {
                        "the limit binds"
                    } else {
                        "not reached"
                    }
                ),
                None => format!(
                    "cap = {} of benchmark = {}; {binds}",
                    pct(cap_share),
                    pounds_of(cap),
                ),
            });
        }
        let final_pence = if owed {
            -round_pence(amount)
        } else {
            round_pence(amount)
        };
        self.steps.push(match final_pence {
            0 => "final: nothing paid or owed".to_string(),
            p if p > 0 => format!("final: {} paid to {}", Pounds(p), input.unit_id),
            p => format!("final: {} owed by {}", Pounds(-p), input.unit_id),
        });
        Settlement {
            unit_id: input.unit_id.clone(),
            benchmark_pence: input.benchmark_pence,
            actual_pence: input.actual_pence,
            savings_pence: savings,
            savings_rate: self.rate,
            minimum_rate,
            minimum_rate_met: met,
            quality: self.q,
            quality_gate_passed: self.gate,
            sharing_rate: sharing,
            amount_before_cap_pence: round_pence(before),
            cap_pence: round_pence(cap),
            capped,
            final_pence,
            explanation: self.steps,
        }
    }
}

#[cfg(test)]
mod tests;

impl Settlement {
    /// Whether savings were made but the quality gate withheld the ACO's share.
    pub fn withheld_by_quality(&self) -> bool {
        !self.quality_gate_passed && self.savings_pence > 0
    }
}
