//! Per-head payments beside the share-of-budget allocation (`docs/allocation.md#per-head-payments`): a ruleset's
//! `[payments]` schedule of prices per registered or per weighted patient, each less
//! deductions given as shares of it (the GP global sum, less the out-of-hours
//! deduction, is the model).
//!
//! **Rounding rule.** At each practice, for each item of the schedule, the gross amount
//! `patients x price` and each deduction, `patients x price x share` or, for a deduction
//! given as an amount, `patients x pence_per_patient`, are computed exactly (integers in
//! `u128`, checked) and each is rounded once to the nearest penny, halves to even. The practice's payment is its gross less its deductions, so the three
//! columns always agree to the penny. Aggregates (and the ACOs) sum their practices
//! exactly; nothing is rounded above a practice.
//!
//! `patients` is the registered population for a `registered` item (exact, to the
//! billionth: NHS England's adjusted populations are fractional) and the practice's
//! weighted population (the one the allocation uses, in millionths of a person) for a
//! `weighted` item. Both are taken in billionths, so `patients x price` is in 1e-18
//! pence; for whole registered populations this is the same number, rounded the same
//! way, as the millionths the schedule used before.

use super::payments::{PerHeadBasis, PerHeadItem, PerHeadPayments};
use super::{AllocationError, NO_PARENT, Tree};
use crate::Population;
use crate::money::FIXED_ONE;

/// One practice's amounts for one item: gross, each deduction, net (pence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerHeadLine {
    /// Patients the price is paid on, exact.
    pub patients: Population,
    /// Gross amount, pence (rounded once).
    pub gross_pence: i64,
    /// Each deduction, pence (each rounded once), in the item's order.
    pub deductions_pence: Vec<i64>,
    /// Gross less deductions, pence.
    pub payment_pence: i64,
}

/// The per-head columns of an allocation, by position.
#[derive(Debug, Clone)]
pub(super) struct PerHeadColumns {
    pub(super) gross: Vec<i64>,
    pub(super) deduction: Vec<i64>,
    pub(super) payment: Vec<i64>,
}

/// `num / den` rounded to the nearest integer, halves to even (num, den > 0).
fn round_half_even(num: u128, den: u128) -> u128 {
    let (q, r) = (num / den, num % den);
    if r * 2 > den || (r * 2 == den && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

/// `num x share / (scale x 10^9)` rounded half to even, `share` in billionths: the
/// deduction from a gross of `num / scale` pence. Exact without overflow while the
/// product fits a `u128`, and beyond it too by splitting `num` into the whole pence and
/// the remainder (`num = g x scale + r`): `g x share` and `r x share` each fit.
fn share_of(num: u128, share: u64, scale: u128) -> Option<u128> {
    let den = scale * u128::from(FIXED_ONE);
    if let Some(p) = num.checked_mul(u128::from(share)) {
        return Some(round_half_even(p, den));
    }
    let (g, r) = (num / scale, num % scale);
    // g x share / 10^9 + r x share / den: the first part's remainder over 10^9 is
    // carried into the second at the scale of den.
    let gs = g.checked_mul(u128::from(share))?;
    let (q1, r1) = (gs / u128::from(FIXED_ONE), gs % u128::from(FIXED_ONE));
    let rest = r1
        .checked_mul(scale)?
        .checked_add(r.checked_mul(u128::from(share))?)?;
    q1.checked_add(round_half_even_carry(rest, den, q1))
}

/// The rounding of `q + rest / den` half to even, as the amount to add to `q`.
fn round_half_even_carry(rest: u128, den: u128, q: u128) -> u128 {
    let (a, r) = (rest / den, rest % den);
    let base = q + a;
    a + u128::from(r * 2 > den || (r * 2 == den && base % 2 == 1))
}

impl PerHeadItem {
    /// The item at one practice of `registered` patients and weighted population
    /// `wp_nano` (billionths of a person); `None` on overflow.
    pub fn at_practice(&self, registered: Population, wp_nano: u64) -> Option<PerHeadLine> {
        let patients = match self.basis {
            PerHeadBasis::Registered => registered,
            PerHeadBasis::Weighted => Population::from_billionths(u128::from(wp_nano))?,
        };
        // patients (1e-9) x price (1e-9) = 1e-18 pence.
        let gross_num = patients
            .billionths()
            .checked_mul(u128::from(self.price_fixed))?;
        const E18: u128 = 1_000_000_000_000_000_000;
        let gross = i64::try_from(round_half_even(gross_num, E18)).ok()?;
        let mut deductions = Vec::with_capacity(self.deductions.len());
        let mut total: i64 = 0;
        for d in &self.deductions {
            let x = if d.pence_per_patient.is_some() {
                // patients (1e-9) x pence (1e-9) = 1e-18 pence, rounded once.
                let num = patients
                    .billionths()
                    .checked_mul(u128::from(d.pence_fixed))?;
                i64::try_from(round_half_even(num, E18)).ok()?
            } else {
                i64::try_from(share_of(gross_num, d.share_fixed, E18)?).ok()?
            };
            total = total.checked_add(x)?;
            deductions.push(x);
        }
        Some(PerHeadLine {
            patients,
            gross_pence: gross,
            deductions_pence: deductions,
            // The deductions add up to at most the price per patient and each part
            // rounds to nearest, so they can pass the gross by a penny or two at most:
            // never below 0.
            payment_pence: (gross - total).max(0),
        })
    }
}

impl PerHeadPayments {
    /// Every item at one practice; `None` on overflow.
    pub fn at_practice(&self, registered: Population, wp_nano: u64) -> Option<Vec<PerHeadLine>> {
        self.items
            .iter()
            .map(|it| it.at_practice(registered, wp_nano))
            .collect()
    }

    /// The columns for a whole tree: practices by the rule, aggregates by summing.
    pub(super) fn compute(&self, t: &Tree, wp: &[u64]) -> Result<PerHeadColumns, AllocationError> {
        let n = t.ids.len();
        let mut c = PerHeadColumns {
            gross: vec![0; n],
            deduction: vec![0; n],
            payment: vec![0; n],
        };
        let overflow = |q: usize| AllocationError::Money {
            context: format!("per-head payments of {}", t.ids[q]),
            source: crate::money::MoneyError::Overflow,
        };
        for q in 0..n {
            if t.tier[q] != 0 {
                continue;
            }
            let lines = self
                .at_practice(t.population[q], wp[q])
                .ok_or_else(|| overflow(q))?;
            for l in lines {
                c.gross[q] = c.gross[q]
                    .checked_add(l.gross_pence)
                    .ok_or_else(|| overflow(q))?;
                c.payment[q] = c.payment[q]
                    .checked_add(l.payment_pence)
                    .ok_or_else(|| overflow(q))?;
            }
            c.deduction[q] = c.gross[q] - c.payment[q];
        }
        for q in (0..n).rev() {
            let p = t.parent[q];
            if p != NO_PARENT {
                let p = p as usize;
                for col in [&mut c.gross, &mut c.deduction, &mut c.payment] {
                    col[p] = col[p].checked_add(col[q]).ok_or_else(|| overflow(p))?;
                }
            }
        }
        Ok(c)
    }
}
