//! The shift-left model (`docs/shift.md`): emergency admissions avoided through local care,
//! the beds and money that releases, and the settlement that follows.
//!
//! Seed `003_cdf480bb6ca41185.txt` gives the shape: "as many as 40% of emergency hospital
//! admissions could be avoided through appropriate care in the community" (4.4.3); the STP
//! suggests "a reduction of 30% of admissions" (1.3); an acute bed "typically costs £220 per
//! day" (4.4.5); and the model "amount[s] to £160m of net system savings by 2020/21" (3.6).
//! Per unit (an ACO, or any unit of a footprint):
//!
//! - reduction `r`, a share of **all** emergency admissions, at most the avoidable share
//!   (given as such, as the STP states its 30%, or as a share `a` of the avoidable ones,
//!   `r = avoidable_share × a`: see [`Reduction`]);
//! - admissions avoided = emergency admissions × `r`;
//! - bed days released = admissions avoided × bed days per admission;
//! - beds released = bed days released / (365 × occupancy);
//! - gross savings = bed days released × bed-day cost;
//! - reinvestment = admissions avoided × replacement cost + fixed cost (the community care
//!   that takes the admissions' place; the fixed cost is 0 unless given);
//! - net savings = gross savings − reinvestment.
//!
//! Parameters a unit does not give come from the ruleset's `[shift]` table
//! ([`crate::ruleset::ShiftPolicy`]); `kent-medway-2017` cites the seeds for the ones they
//! give and marks the rest ILLUSTRATIVE.
//!
//! # Exactness and the rounding rule
//!
//! Every decimal parameter is read as the exact integer over a power of ten it is, and the
//! model is computed in checked `i128` arithmetic: no floating point, and overflow is an
//! error naming the unit, never a panic or a silently rounded number. Each unit's money is
//! rounded **once**, to the penny, half away from zero (as settlement rounds):
//!
//! - **gross savings** and **net savings** are each the exact value rounded once;
//! - **reinvestment** is gross − net in pence, so the three columns always add up. It is
//!   within one penny of its exact value (the penny the other two roundings leave).
//!
//! Net savings, which settlement and the inverse questions use, is thus never off its exact
//! value by more than half a penny, and never falls as the reduction grows while the
//! community care costs less than the bed days it replaces. Admissions avoided, bed days
//! released and beds released are given to [`QUANTITY_DIGITS`] (2) decimal places, half
//! away from zero. A footprint's totals are the sums of its units' rounded amounts, so the
//! total equals the sum of its units to the penny (and to the hundredth).
//!
//! # Inverse questions
//!
//! [`Ruleset::break_even_reduction`], [`Ruleset::reduction_for_minimum_savings_rate`] and
//! [`Ruleset::reduction_for_target`] search the reduction of all admissions over whole
//! multiples of 10^-[`REDUCTION_DIGITS`] (one millionth, 0.0001%) from 0 to the avoidable
//! share, by bisection on exact integers: each answers the smallest such reduction that
//! meets its condition, or says it is not reachable even at the avoidable share.
//!
//! ```
//! use localcare::{Ruleset, ShiftInput};
//! let rs = Ruleset::builtin("kent-medway-2017")?;
//! // 1,000 beds for 365 days at £220 a bed day: 250,000 admissions, 40% avoided,
//! // 3.65 bed days each, every bed full (occupancy 1), nothing reinvested.
//! let out = rs.shift(&ShiftInput {
//!     bed_days_per_admission: Some("3.65".parse()?),
//!     reduction: Some(localcare::shift::Reduction::OfAdmissions("0.40".parse()?)),
//!     replacement_cost_pence: Some(0),
//!     occupancy: Some("1".parse()?),
//!     ..ShiftInput::new("ACO1", 250_000)
//! })?;
//! assert_eq!(out.beds_released, "1000".parse()?);
//! assert_eq!(out.gross_savings_pence, 80_300_000_00);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;

use crate::Ruleset;
use crate::money::{Pounds, group_thousands};
pub(crate) mod policy;

use crate::ruleset::value::is_unit_share;
use crate::settle::{Settlement, SettlementError, SettlementInput, settle_with};
pub use policy::{Reduction, ShiftPolicy};

/// Days in the year that turns bed days into beds (leap days ignored).
pub const DAYS_PER_YEAR: i64 = 365;
/// Decimal places of the reductions the inverse questions answer: steps of one millionth.
pub const REDUCTION_DIGITS: u32 = 6;
/// Decimal places of admissions avoided, bed days released and beds released.
pub const QUANTITY_DIGITS: u32 = 2;

/// Why the shift-left model could not be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    /// The ruleset has no `[shift]` table.
    #[error("ruleset {ruleset} has no shift policy")]
    NoPolicy {
        /// The ruleset id.
        ruleset: String,
    },
    /// An input is out of range, or missing with no default in the ruleset.
    #[error("{unit_id}: `{field}` {message}")]
    Invalid {
        /// The unit.
        unit_id: String,
        /// The input field.
        field: &'static str,
        /// What is wrong, with observed and expected values.
        message: String,
    },
    /// A number of the model does not fit exact 128-bit (or, for money, 64-bit pence)
    /// arithmetic.
    #[error("{unit_id}: {quantity} is too large to compute exactly")]
    Overflow {
        /// The unit.
        unit_id: String,
        /// What overflowed.
        quantity: &'static str,
    },
    /// A question about a footprint was asked of no units.
    #[error("no units given")]
    NoUnits,
    /// The settlement that follows could not be made.
    #[error(transparent)]
    Settlement(#[from] SettlementError),
    /// One input of a batch failed.
    #[error("row {index}: {source}")]
    Row {
        /// Index of the input in the batch.
        index: usize,
        /// Its error.
        source: Box<ShiftError>,
    },
}

impl Reduction {
    /// The reduction from its two table columns, `reduction` and `avoided_share`, at most
    /// one of which a row may fill; `None` when neither is (the ruleset's default applies).
    pub fn from_columns(
        unit_id: &str,
        reduction: Option<Decimal>,
        avoided_share: Option<Decimal>,
    ) -> Result<Option<Reduction>, ShiftError> {
        match (reduction, avoided_share) {
            (Some(_), Some(_)) => Err(ShiftError::Invalid {
                unit_id: unit_id.to_string(),
                field: "avoided_share",
                message: "is given with `reduction`; give one: `reduction` (a share of all admissions) or `avoided_share` (a share of the avoidable ones)".into(),
            }),
            (Some(r), None) => Ok(Some(Reduction::OfAdmissions(r))),
            (None, Some(a)) => Ok(Some(Reduction::OfAvoidable(a))),
            (None, None) => Ok(None),
        }
    }
}

/// One unit's year, for the shift-left model. Every `None` takes the ruleset's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftInput {
    /// The unit (an ACO, or any unit of a footprint).
    pub unit_id: String,
    /// Emergency admissions a year (0 or more; signed so that a negative count from a
    /// table is reported here, in the core's words).
    pub emergency_admissions: i64,
    /// Share of emergency admissions that could be avoided, in [0, 1].
    pub avoidable_share: Option<Decimal>,
    /// The reduction, of all admissions or of the avoidable ones.
    pub reduction: Option<Reduction>,
    /// Bed days per emergency admission (0 or more).
    pub bed_days_per_admission: Option<Decimal>,
    /// Cost of one acute bed day, pence (0 or more).
    pub bed_day_cost_pence: Option<i64>,
    /// Cost of the community care that replaces one admission, pence (0 or more).
    pub replacement_cost_pence: Option<i64>,
    /// Yearly fixed cost of the local care that avoids the admissions, pence (0 or more;
    /// 0 when neither the unit nor the ruleset gives it).
    pub fixed_cost_pence: Option<i64>,
    /// Bed occupancy used to turn bed days into beds, in (0, 1].
    pub occupancy: Option<Decimal>,
}

impl ShiftInput {
    /// A unit with its emergency admissions and every parameter left to the ruleset.
    pub fn new(unit_id: impl Into<String>, emergency_admissions: i64) -> Self {
        ShiftInput {
            unit_id: unit_id.into(),
            emergency_admissions,
            avoidable_share: None,
            reduction: None,
            bed_days_per_admission: None,
            bed_day_cost_pence: None,
            replacement_cost_pence: None,
            fixed_cost_pence: None,
            occupancy: None,
        }
    }
}

/// The outcome of the model for one unit: the parameters it used and every number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftOutcome {
    /// The unit.
    pub unit_id: String,
    /// Emergency admissions a year.
    pub emergency_admissions: i64,
    /// Avoidable share used.
    pub avoidable_share: Decimal,
    /// Reduction of all admissions used (exact).
    pub reduction: Decimal,
    /// Bed days per admission used.
    pub bed_days_per_admission: Decimal,
    /// Bed-day cost used, pence.
    pub bed_day_cost_pence: i64,
    /// Replacement cost per admission used, pence.
    pub replacement_cost_pence: i64,
    /// Fixed cost used, pence.
    pub fixed_cost_pence: i64,
    /// Occupancy used.
    pub occupancy: Decimal,
    /// Admissions avoided a year, to 2 decimal places.
    pub admissions_avoided: Decimal,
    /// Bed days released a year, to 2 decimal places.
    pub bed_days_released: Decimal,
    /// Beds released (bed days / (365 × occupancy)), to 2 decimal places.
    pub beds_released: Decimal,
    /// Bed days released × bed-day cost, pence.
    pub gross_savings_pence: i64,
    /// Money reinvested in the community care that replaces the admissions, pence.
    pub reinvestment_pence: i64,
    /// Gross savings − reinvestment, pence (negative when the replacement costs more).
    pub net_savings_pence: i64,
    /// The steps, in words.
    pub explanation: Vec<String>,
}

/// A footprint's totals: each the sum of its units' rounded amounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShiftTotals {
    /// Units summed.
    pub units: usize,
    /// Emergency admissions a year.
    pub emergency_admissions: i64,
    /// Admissions avoided.
    pub admissions_avoided: Decimal,
    /// Bed days released.
    pub bed_days_released: Decimal,
    /// Beds released.
    pub beds_released: Decimal,
    /// Gross savings, pence.
    pub gross_savings_pence: i64,
    /// Reinvestment, pence.
    pub reinvestment_pence: i64,
    /// Net savings, pence.
    pub net_savings_pence: i64,
}

/// The model over a footprint: one outcome per input, in input order, and the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftSummary {
    /// One outcome per input.
    pub units: Vec<ShiftOutcome>,
    /// Their totals.
    pub totals: ShiftTotals,
}

/// The settlement that follows the shift: the ACO's expected actual spend is its
/// benchmark less its net savings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftSettlement {
    /// The shift-left outcome.
    pub outcome: ShiftOutcome,
    /// Benchmark − net savings, pence.
    pub expected_actual_pence: i64,
    /// The settlement of that year under the ruleset's policy.
    pub settlement: Settlement,
    /// The outcome's steps, the link, then the settlement's steps.
    pub explanation: Vec<String>,
}

/// The answer to an inverse question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReductionAnswer {
    /// The smallest reduction of all admissions, a whole number of millionths, at which
    /// the condition holds; `None` when it holds nowhere up to `max_reduction`.
    pub reduction: Option<Decimal>,
    /// The largest reduction searched: the avoidable share (the smallest among the units,
    /// for a footprint), down to a whole number of millionths.
    pub max_reduction: Decimal,
    /// Net savings (the total, for a footprint) at `reduction`, or at `max_reduction`
    /// when the condition is not reachable, pence.
    pub net_savings_pence: i64,
    /// The answer in words.
    pub explanation: String,
}

// ---------------------------------------------------------------------------------------
// Exact arithmetic: a non-negative decimal as an integer over a power of ten.

/// `num / 10^exp`.
#[derive(Debug, Clone, Copy)]
struct Fx {
    num: i128,
    exp: u32,
}

impl Fx {
    fn of(d: Decimal) -> Fx {
        let d = d.normalize();
        Fx {
            num: d.mantissa(),
            exp: d.scale(),
        }
    }
    fn mul(self, o: Fx) -> Option<Fx> {
        Some(Fx {
            num: self.num.checked_mul(o.num)?,
            exp: self.exp.checked_add(o.exp)?,
        })
    }
    fn decimal(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.num, self.exp)
            .ok()
            .map(|d| d.normalize())
    }
}

fn pow10(e: u32) -> Option<i128> {
    10i128.checked_pow(e)
}

/// `num / den` rounded half away from zero; `den > 0`.
fn round_div(num: i128, den: i128) -> i128 {
    let (q, r) = (num / den, num % den);
    let r = r.abs();
    if r >= den - r { q + num.signum() } else { q }
}

/// `num / 10^exp` rounded to `digits` decimal places, as a decimal.
fn to_digits(num: i128, exp: u32, digits: u32) -> Option<Decimal> {
    let scaled = if exp <= digits {
        num.checked_mul(pow10(digits - exp)?)?
    } else {
        round_div(num, pow10(exp - digits)?)
    };
    Decimal::try_from_i128_with_scale(scaled, digits).ok()
}

// ---------------------------------------------------------------------------------------
// Resolving a unit's parameters against the ruleset's defaults.

/// A parameter and whether it came from the ruleset.
#[derive(Debug, Clone, Copy)]
struct Param<T> {
    value: T,
    default: bool,
}

/// A unit's parameters, all but the reduction, checked.
#[derive(Debug, Clone)]
struct Resolved<'a> {
    unit_id: &'a str,
    admissions: i64,
    avoidable: Param<Decimal>,
    bed_days: Param<Decimal>,
    bed_day_cost: Param<i64>,
    replacement: Param<i64>,
    fixed: Param<i64>,
    occupancy: Param<Decimal>,
}

/// The exact numbers of one unit at one reduction.
#[derive(Debug, Clone, Copy)]
struct Numbers {
    admissions_avoided: Decimal,
    bed_days_released: Decimal,
    beds_released: Decimal,
    gross: i64,
    reinvestment: i64,
    net: i64,
}

fn invalid(unit_id: &str, field: &'static str, message: String) -> ShiftError {
    ShiftError::Invalid {
        unit_id: unit_id.to_string(),
        field,
        message,
    }
}

fn pick<T: Copy>(
    unit_id: &str,
    ruleset: &str,
    field: &'static str,
    given: Option<T>,
    default: Option<T>,
) -> Result<Param<T>, ShiftError> {
    match (given, default) {
        (Some(value), _) => Ok(Param {
            value,
            default: false,
        }),
        (None, Some(value)) => Ok(Param {
            value,
            default: true,
        }),
        (None, None) => Err(invalid(
            unit_id,
            field,
            format!("is not given, and ruleset {ruleset} has no default for it"),
        )),
    }
}

impl<'a> Resolved<'a> {
    fn resolve(
        policy: &ShiftPolicy,
        ruleset: &str,
        input: &'a ShiftInput,
    ) -> Result<Resolved<'a>, ShiftError> {
        let id = input.unit_id.as_str();
        if input.emergency_admissions < 0 {
            return Err(invalid(
                id,
                "emergency_admissions",
                format!("is {}; expected 0 or more", input.emergency_admissions),
            ));
        }
        let avoidable = pick(
            id,
            ruleset,
            "avoidable_share",
            input.avoidable_share,
            policy.avoidable_share,
        )?;
        if !is_unit_share(avoidable.value) {
            return Err(invalid(
                id,
                "avoidable_share",
                format!("is {}; expected a share in [0, 1]", avoidable.value),
            ));
        }
        let bed_days = pick(
            id,
            ruleset,
            "bed_days_per_admission",
            input.bed_days_per_admission,
            policy.bed_days_per_admission,
        )?;
        if bed_days.value < Decimal::ZERO {
            return Err(invalid(
                id,
                "bed_days_per_admission",
                format!("is {}; expected 0 or more", bed_days.value),
            ));
        }
        let cost = |field, given, default: Option<i64>| -> Result<Param<i64>, ShiftError> {
            let p = pick(id, ruleset, field, given, default)?;
            if p.value < 0 {
                return Err(invalid(
                    id,
                    field,
                    format!("is {} pence; expected 0 or more", p.value),
                ));
            }
            Ok(p)
        };
        let bed_day_cost = cost(
            "bed_day_cost_pence",
            input.bed_day_cost_pence,
            policy.bed_day_cost_pence,
        )?;
        let replacement = cost(
            "replacement_cost_pence",
            input.replacement_cost_pence,
            policy.replacement_cost_pence,
        )?;
        let fixed = cost(
            "fixed_cost_pence",
            input.fixed_cost_pence,
            Some(policy.fixed_cost_pence.unwrap_or(0)),
        )?;
        let occupancy = pick(id, ruleset, "occupancy", input.occupancy, policy.occupancy)?;
        if occupancy.value <= Decimal::ZERO || occupancy.value > Decimal::ONE {
            return Err(invalid(
                id,
                "occupancy",
                format!(
                    "is {}; expected a share of beds occupied in (0, 1]",
                    occupancy.value
                ),
            ));
        }
        Ok(Resolved {
            unit_id: id,
            admissions: input.emergency_admissions,
            avoidable,
            bed_days,
            bed_day_cost,
            replacement,
            fixed,
            occupancy,
        })
    }

    /// The unit's own reduction (or the ruleset's), checked, as a share of all admissions.
    fn reduction(
        &self,
        policy: &ShiftPolicy,
        ruleset: &str,
        given: Option<Reduction>,
    ) -> Result<Param<Reduction>, ShiftError> {
        let id = self.unit_id;
        let r = pick(id, ruleset, "reduction", given, policy.reduction)?;
        let from = if r.default { " (ruleset default)" } else { "" };
        match r.value {
            Reduction::OfAdmissions(x) => {
                if !is_unit_share(x) {
                    return Err(invalid(
                        id,
                        "reduction",
                        format!("is {x}{from}; expected a share of all admissions in [0, 1]"),
                    ));
                }
                if x > self.avoidable.value {
                    return Err(invalid(
                        id,
                        "reduction",
                        format!(
                            "is {x} of all admissions{from}, above the avoidable share {}; a reduction is at most the avoidable share",
                            self.avoidable.value
                        ),
                    ));
                }
            }
            Reduction::OfAvoidable(a) => {
                if !is_unit_share(a) {
                    return Err(invalid(
                        id,
                        "avoided_share",
                        format!(
                            "is {a}{from}; expected a share of the avoidable admissions in [0, 1]"
                        ),
                    ));
                }
            }
        }
        Ok(r)
    }

    /// The reduction of all admissions, exactly.
    fn exact_reduction(&self, r: Reduction) -> Result<Fx, ShiftError> {
        match r {
            Reduction::OfAdmissions(x) => Ok(Fx::of(x)),
            Reduction::OfAvoidable(a) => Fx::of(self.avoidable.value)
                .mul(Fx::of(a))
                .ok_or_else(|| self.overflow("the reduction")),
        }
    }

    fn overflow(&self, quantity: &'static str) -> ShiftError {
        ShiftError::Overflow {
            unit_id: self.unit_id.to_string(),
            quantity,
        }
    }

    /// The largest reduction on the millionths grid: floor(avoidable share × 10^6).
    fn max_steps(&self) -> i64 {
        let a = Fx::of(self.avoidable.value);
        // avoidable in [0, 1]: the result is in [0, 10^6].
        let steps = if a.exp <= REDUCTION_DIGITS {
            a.num * pow10(REDUCTION_DIGITS - a.exp).unwrap_or(0)
        } else {
            a.num / pow10(a.exp - REDUCTION_DIGITS).unwrap_or(i128::MAX)
        };
        steps as i64
    }

    /// Every number of the model at reduction `r` (of all admissions), exactly.
    fn numbers(&self, r: Fx) -> Result<Numbers, ShiftError> {
        let ov = || self.overflow("a number of the model");
        let money = |q: &'static str, v: i128| i64::try_from(v).map_err(|_| self.overflow(q));
        let b = Fx::of(self.bed_days.value);
        let o = Fx::of(self.occupancy.value);
        // admissions avoided = adm / 10^e1
        let adm = i128::from(self.admissions)
            .checked_mul(r.num)
            .ok_or_else(ov)?;
        let e1 = r.exp;
        // bed days released = bd / 10^e2
        let bd = adm.checked_mul(b.num).ok_or_else(ov)?;
        let e2 = e1.checked_add(b.exp).ok_or_else(ov)?;
        let d2 = pow10(e2).ok_or_else(ov)?;
        // gross, replacement, fixed and net, all over 10^e2
        let gross = bd
            .checked_mul(i128::from(self.bed_day_cost.value))
            .ok_or_else(ov)?;
        let replacement = adm
            .checked_mul(i128::from(self.replacement.value))
            .and_then(|x| x.checked_mul(pow10(b.exp)?))
            .ok_or_else(ov)?;
        let fixed = i128::from(self.fixed.value)
            .checked_mul(d2)
            .ok_or_else(ov)?;
        let net = gross
            .checked_sub(replacement)
            .and_then(|x| x.checked_sub(fixed))
            .ok_or_else(ov)?;
        let gross = money("gross savings", round_div(gross, d2))?;
        let net = money("net savings", round_div(net, d2))?;
        let reinvestment = gross
            .checked_sub(net)
            .ok_or_else(|| self.overflow("reinvestment"))?;
        // beds = bd / 10^e2 / (365 × o.num / 10^o.exp), to QUANTITY_DIGITS places
        let beds_num = bd
            .checked_mul(pow10(o.exp + QUANTITY_DIGITS).ok_or_else(ov)?)
            .ok_or_else(ov)?;
        let beds_den = d2
            .checked_mul(i128::from(DAYS_PER_YEAR))
            .and_then(|x| x.checked_mul(o.num))
            .ok_or_else(ov)?;
        let beds =
            Decimal::try_from_i128_with_scale(round_div(beds_num, beds_den), QUANTITY_DIGITS)
                .map_err(|_| self.overflow("beds released"))?;
        Ok(Numbers {
            admissions_avoided: to_digits(adm, e1, QUANTITY_DIGITS)
                .ok_or_else(|| self.overflow("admissions avoided"))?,
            bed_days_released: to_digits(bd, e2, QUANTITY_DIGITS)
                .ok_or_else(|| self.overflow("bed days released"))?,
            beds_released: beds,
            gross,
            reinvestment,
            net,
        })
    }

    /// Net savings at `steps` millionths of all admissions.
    fn net_at(&self, steps: i64) -> Result<i64, ShiftError> {
        Ok(self.numbers(grid(steps))?.net)
    }
}

/// `steps` millionths, exactly.
fn grid(steps: i64) -> Fx {
    Fx {
        num: i128::from(steps),
        exp: REDUCTION_DIGITS,
    }
}

fn grid_decimal(steps: i64) -> Decimal {
    Decimal::new(steps, REDUCTION_DIGITS).normalize()
}

// ---------------------------------------------------------------------------------------
// Words.

fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).normalize())
}

/// A decimal with thousands separators and no trailing zeros: `1,208.7`.
fn qty(d: Decimal) -> String {
    let s = d.normalize().to_string();
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    let int = int.parse::<u64>().map_or(int.to_string(), group_thousands);
    match frac {
        Some(f) => format!("{sign}{int}.{f}"),
        None => format!("{sign}{int}"),
    }
}

fn src<T>(p: Param<T>) -> &'static str {
    if p.default { " (ruleset default)" } else { "" }
}

struct Steps<'a> {
    unit: &'a Resolved<'a>,
    reduction: Param<Reduction>,
    r: Decimal,
    n: Numbers,
}

impl Steps<'_> {
    fn lines(&self) -> Vec<String> {
        let u = self.unit;
        let n = &self.n;
        let mut steps = vec![format!(
            "{}: {} emergency admissions a year; avoidable share {}{}",
            u.unit_id,
            group_thousands(u.admissions as u64),
            pct(u.avoidable.value),
            src(u.avoidable)
        )];
        steps.push(match self.reduction.value {
            Reduction::OfAdmissions(x) => format!(
                "reduction {} of all admissions{}, within the avoidable {}",
                pct(x),
                src(self.reduction),
                pct(u.avoidable.value)
            ),
            Reduction::OfAvoidable(a) => format!(
                "reduction = avoidable share {} x avoided share {}{} = {} of all admissions",
                pct(u.avoidable.value),
                pct(a),
                src(self.reduction),
                pct(self.r)
            ),
        });
        steps.push(format!(
            "admissions avoided = {} x {} = {}",
            group_thousands(u.admissions as u64),
            pct(self.r),
            qty(n.admissions_avoided)
        ));
        steps.push(format!(
            "bed days released = {} admissions x {} bed days each{} = {}",
            qty(n.admissions_avoided),
            qty(u.bed_days.value),
            src(u.bed_days),
            qty(n.bed_days_released)
        ));
        steps.push(format!(
            "beds released = {} bed days / ({DAYS_PER_YEAR} days x occupancy {}{}) = {}",
            qty(n.bed_days_released),
            pct(u.occupancy.value),
            src(u.occupancy),
            qty(n.beds_released)
        ));
        steps.push(format!(
            "gross savings = {} bed days x {} a bed day{} = {}",
            qty(n.bed_days_released),
            Pounds(u.bed_day_cost.value),
            src(u.bed_day_cost),
            Pounds(n.gross)
        ));
        let fixed = if u.fixed.value == 0 && u.fixed.default {
            String::new()
        } else {
            format!(" + fixed {}{}", Pounds(u.fixed.value), src(u.fixed))
        };
        steps.push(format!(
            "reinvestment = {} admissions x {} to replace each{}{fixed} = {}",
            qty(n.admissions_avoided),
            Pounds(u.replacement.value),
            src(u.replacement),
            Pounds(n.reinvestment)
        ));
        steps.push(format!(
            "net savings = gross {} - reinvestment {} = {}",
            Pounds(n.gross),
            Pounds(n.reinvestment),
            Pounds(n.net)
        ));
        steps
    }
}

// ---------------------------------------------------------------------------------------
// The entry points.

/// The smallest step in `0..=max` at which `cond` holds, by bisection. The answer always
/// holds where the step before it does not; it is the smallest such step when `cond` is
/// monotone (false, then true), as net savings are when no unit's replacement costs more
/// than the bed days it saves. `None` when `cond` does not hold at `max`.
fn search(
    max: i64,
    mut cond: impl FnMut(i64) -> Result<bool, ShiftError>,
) -> Result<Option<i64>, ShiftError> {
    if cond(0)? {
        return Ok(Some(0));
    }
    if !cond(max)? {
        return Ok(None);
    }
    let (mut lo, mut hi) = (0, max); // cond(lo) false, cond(hi) true
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if cond(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(Some(hi))
}

fn row(index: usize) -> impl FnOnce(ShiftError) -> ShiftError {
    move |e| ShiftError::Row {
        index,
        source: Box::new(e),
    }
}

impl Ruleset {
    fn shift_defaults(&self) -> Result<&ShiftPolicy, ShiftError> {
        self.shift_policy().ok_or_else(|| ShiftError::NoPolicy {
            ruleset: self.id().to_string(),
        })
    }

    /// Runs the shift-left model for one unit, every parameter it leaves out taken from
    /// the ruleset's `[shift]` table.
    pub fn shift(&self, input: &ShiftInput) -> Result<ShiftOutcome, ShiftError> {
        let policy = self.shift_defaults()?;
        let unit = Resolved::resolve(policy, self.id(), input)?;
        let reduction = unit.reduction(policy, self.id(), input.reduction)?;
        let r = unit.exact_reduction(reduction.value)?;
        let n = unit.numbers(r)?;
        let r_dec = r.decimal().ok_or_else(|| unit.overflow("the reduction"))?;
        let explanation = Steps {
            unit: &unit,
            reduction,
            r: r_dec,
            n,
        }
        .lines();
        Ok(ShiftOutcome {
            unit_id: input.unit_id.clone(),
            emergency_admissions: unit.admissions,
            avoidable_share: unit.avoidable.value,
            reduction: r_dec,
            bed_days_per_admission: unit.bed_days.value,
            bed_day_cost_pence: unit.bed_day_cost.value,
            replacement_cost_pence: unit.replacement.value,
            fixed_cost_pence: unit.fixed.value,
            occupancy: unit.occupancy.value,
            admissions_avoided: n.admissions_avoided,
            bed_days_released: n.bed_days_released,
            beds_released: n.beds_released,
            gross_savings_pence: n.gross,
            reinvestment_pence: n.reinvestment,
            net_savings_pence: n.net,
            explanation,
        })
    }

    /// Runs the model for every unit of a footprint and totals it. The first failure is
    /// returned with its row index, and no results.
    pub fn shift_batch(&self, inputs: &[ShiftInput]) -> Result<ShiftSummary, ShiftError> {
        self.shift_defaults()?;
        let units = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| self.shift(input).map_err(row(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut t = ShiftTotals {
            units: units.len(),
            ..ShiftTotals::default()
        };
        for (i, u) in units.iter().enumerate() {
            let ov = |quantity| {
                row(i)(ShiftError::Overflow {
                    unit_id: u.unit_id.clone(),
                    quantity,
                })
            };
            let add = |a: i64, b: i64, q| a.checked_add(b).ok_or_else(|| ov(q));
            let addd = |a: Decimal, b: Decimal, q| a.checked_add(b).ok_or_else(|| ov(q));
            t.emergency_admissions = add(
                t.emergency_admissions,
                u.emergency_admissions,
                "the total of emergency admissions",
            )?;
            t.admissions_avoided = addd(
                t.admissions_avoided,
                u.admissions_avoided,
                "the total of admissions avoided",
            )?;
            t.bed_days_released = addd(
                t.bed_days_released,
                u.bed_days_released,
                "the total of bed days released",
            )?;
            t.beds_released = addd(
                t.beds_released,
                u.beds_released,
                "the total of beds released",
            )?;
            t.gross_savings_pence = add(
                t.gross_savings_pence,
                u.gross_savings_pence,
                "the total of gross savings",
            )?;
            t.reinvestment_pence = add(
                t.reinvestment_pence,
                u.reinvestment_pence,
                "the total of reinvestment",
            )?;
            t.net_savings_pence = add(
                t.net_savings_pence,
                u.net_savings_pence,
                "the total of net savings",
            )?;
        }
        Ok(ShiftSummary { units, totals: t })
    }

    /// The shift, then the year-end settlement that follows: the ACO's expected actual
    /// spend is `benchmark_pence` less its net savings, settled by [`Ruleset::settle`]
    /// under the ruleset's settlement policy.
    pub fn shift_settle(
        &self,
        input: &ShiftInput,
        benchmark_pence: i64,
        assigned_population: u64,
        quality: Decimal,
    ) -> Result<ShiftSettlement, ShiftError> {
        let outcome = self.shift(input)?;
        let actual = benchmark_pence
            .checked_sub(outcome.net_savings_pence)
            .ok_or_else(|| ShiftError::Overflow {
                unit_id: input.unit_id.clone(),
                quantity: "the expected actual spend",
            })?;
        if actual < 0 && benchmark_pence > 0 {
            return Err(invalid(
                &input.unit_id,
                "benchmark_pence",
                format!(
                    "is {}, less than the net savings {}: the expected actual spend would be negative",
                    Pounds(benchmark_pence),
                    Pounds(outcome.net_savings_pence)
                ),
            ));
        }
        let settlement = self.settle(&SettlementInput {
            unit_id: input.unit_id.clone(),
            benchmark_pence,
            actual_pence: actual,
            assigned_population,
            quality,
            participant_revenue_pence: None,
        })?;
        let mut explanation = outcome.explanation.clone();
        explanation.push(format!(
            "expected actual spend = benchmark {} - net savings {} = {}",
            Pounds(benchmark_pence),
            Pounds(outcome.net_savings_pence),
            Pounds(actual)
        ));
        explanation.extend(settlement.explanation.iter().cloned());
        Ok(ShiftSettlement {
            outcome,
            expected_actual_pence: actual,
            settlement,
            explanation,
        })
    }

    /// The smallest reduction of all admissions at which the unit's net savings are 0 or
    /// more. Without a fixed cost that is 0; with one, it is the reduction whose savings
    /// pay for it. The unit's own reduction, if any, is ignored: it is what is solved for.
    pub fn break_even_reduction(&self, input: &ShiftInput) -> Result<ReductionAnswer, ShiftError> {
        let policy = self.shift_defaults()?;
        let unit = Resolved::resolve(policy, self.id(), input)?;
        let max = unit.max_steps();
        let found = search(max, |j| Ok(unit.net_at(j)? >= 0))?;
        answer(
            found,
            max,
            |j| unit.net_at(j),
            "net savings of £0.00 or more (break-even)".into(),
            "the avoidable share",
        )
    }

    /// The smallest reduction of all admissions at which the ACO's net savings, taken off
    /// `benchmark_pence`, meet the settlement policy's minimum savings rate for
    /// `assigned_population` (as [`Ruleset::settle`] decides it). The unit's own reduction,
    /// if any, is ignored.
    pub fn reduction_for_minimum_savings_rate(
        &self,
        input: &ShiftInput,
        benchmark_pence: i64,
        assigned_population: u64,
    ) -> Result<ReductionAnswer, ShiftError> {
        let policy = self.shift_defaults()?;
        let unit = Resolved::resolve(policy, self.id(), input)?;
        let settlement = self
            .settlement_policy()
            .ok_or_else(|| SettlementError::NoPolicy {
                ruleset: self.id().to_string(),
            })?;
        let settle_at = |actual_pence| {
            settle_with(
                settlement,
                &SettlementInput {
                    unit_id: input.unit_id.clone(),
                    benchmark_pence,
                    actual_pence,
                    assigned_population,
                    quality: Decimal::ONE,
                    participant_revenue_pence: None,
                },
            )
        };
        // Checks the benchmark and population once, in settlement's words.
        settle_at(benchmark_pence.max(0))?;
        let max = unit.max_steps();
        let found = search(max, |j| {
            let net = unit.net_at(j)?;
            if net >= benchmark_pence {
                // A savings rate of 100% or more meets any rate in [0, 1].
                return Ok(true);
            }
            let actual = benchmark_pence
                .checked_sub(net)
                .ok_or_else(|| unit.overflow("the expected actual spend"))?;
            Ok(settle_at(actual)?.minimum_rate_met)
        })?;
        let (msr, _) = settlement.minimum_savings_rate_for(assigned_population);
        answer(
            found,
            max,
            |j| unit.net_at(j),
            format!(
                "the minimum savings rate {} of the benchmark {} for {} assigned",
                pct(msr),
                Pounds(benchmark_pence),
                group_thousands(assigned_population)
            ),
            "the avoidable share",
        )
    }

    /// The smallest reduction of all admissions, the same in every unit, at which the
    /// units' total net savings reach `target_pence` (such as the £160m of seed 003, 3.6,
    /// which `kent-medway-2017` carries as `net_savings_target_pence`). The reduction is
    /// searched up to the smallest avoidable share among the units, since no unit may be
    /// reduced past its own. The units' own reductions, if any, are ignored.
    ///
    /// When every unit's replacement costs no more than the bed days it saves, the total
    /// never falls as the reduction grows and the answer is the exact smallest millionth.
    /// Where some units lose money on each admission avoided, the total is still linear in
    /// the reduction before rounding, but its per-unit pennies may wobble; the answer is
    /// then a millionth where the target is met and the one before it is not.
    pub fn reduction_for_target(
        &self,
        inputs: &[ShiftInput],
        target_pence: i64,
    ) -> Result<ReductionAnswer, ShiftError> {
        let policy = self.shift_defaults()?;
        if inputs.is_empty() {
            return Err(ShiftError::NoUnits);
        }
        let units = inputs
            .iter()
            .enumerate()
            .map(|(i, input)| Resolved::resolve(policy, self.id(), input).map_err(row(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let max = units.iter().map(Resolved::max_steps).min().unwrap_or(0);
        // The total in i128: a sum of i64 pence over fewer than 2^64 units cannot overflow.
        let total = |j: i64| -> Result<i128, ShiftError> {
            units.iter().enumerate().try_fold(0i128, |acc, (i, u)| {
                Ok(acc + i128::from(u.net_at(j).map_err(row(i))?))
            })
        };
        let found = search(max, |j| Ok(total(j)? >= i128::from(target_pence)))?;
        let plural = if units.len() == 1 { "unit" } else { "units" };
        answer(
            found,
            max,
            |j| {
                i64::try_from(total(j)?).map_err(|_| ShiftError::Overflow {
                    unit_id: "total".into(),
                    quantity: "the total of net savings",
                })
            },
            format!(
                "total net savings of {} or more over {} {plural}",
                Pounds(target_pence),
                group_thousands(units.len() as u64)
            ),
            if units.len() == 1 {
                "the avoidable share"
            } else {
                "the smallest avoidable share among the units"
            },
        )
    }
}

fn answer(
    found: Option<i64>,
    max: i64,
    net_at: impl Fn(i64) -> Result<i64, ShiftError>,
    goal: String,
    bound: &str,
) -> Result<ReductionAnswer, ShiftError> {
    let at = found.unwrap_or(max);
    let net = net_at(at)?;
    let explanation = match found {
        Some(j) => format!(
            "{goal}: reached at a reduction of {} of all admissions, the smallest in steps of 0.0001% (net savings {} there)",
            pct(grid_decimal(j)),
            Pounds(net)
        ),
        None => format!(
            "{goal}: not reachable even at a reduction of {} of all admissions, {bound} (net savings {} there)",
            pct(grid_decimal(max)),
            Pounds(net)
        ),
    };
    Ok(ReductionAnswer {
        reduction: found.map(grid_decimal),
        max_reduction: grid_decimal(max),
        net_savings_pence: net,
        explanation,
    })
}

#[cfg(test)]
mod tests;
