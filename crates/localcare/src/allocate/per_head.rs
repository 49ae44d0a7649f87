//! Per-head payments beside the share-of-budget allocation (`docs/allocation.md#per-head-payments`): a ruleset's
//! `[payments]` schedule of prices per registered or per weighted patient, each less
//! deductions given as shares of it (the GP global sum, less the out-of-hours
//! deduction, is the model).
//!
//! **Rounding rule.** At each practice, for each item of the schedule, the gross amount
//! `patients x price` and each deduction `patients x price x share` are computed exactly
//! (integers in `i128`, checked) and each is rounded once to the nearest penny, halves
//! to even. The practice's payment is its gross less its deductions, so the three
//! columns always agree to the penny. Aggregates (and the ACOs) sum their practices
//! exactly; nothing is rounded above a practice.
//!
//! `patients` is the registered population for a `registered` item and the practice's
//! weighted population (the one the allocation uses, in millionths of a person) for a
//! `weighted` item.

use super::payments::{PerHeadBasis, PerHeadItem, PerHeadPayments};
use super::{AllocationError, NO_PARENT, Tree};
use crate::money::FIXED_ONE;

/// One practice's amounts for one item: gross, each deduction, net (pence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerHeadLine {
    /// Patients the price is paid on, billionths of a person.
    pub patients_nano: u64,
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

impl PerHeadItem {
    /// The item at one practice of `registered` patients and weighted population
    /// `wp_nano` (billionths of a person); `None` on overflow.
    pub fn at_practice(&self, registered: u64, wp_nano: u64) -> Option<PerHeadLine> {
        let patients_nano = match self.basis {
            PerHeadBasis::Registered => registered.checked_mul(FIXED_ONE)?,
            PerHeadBasis::Weighted => wp_nano,
        };
        // patients (1e-9) x price (1e-9) = 1e-18 pence.
        let gross_num = u128::from(patients_nano).checked_mul(u128::from(self.price_fixed))?;
        const E18: u128 = 1_000_000_000_000_000_000;
        let gross = i64::try_from(round_half_even(gross_num, E18)).ok()?;
        let mut deductions = Vec::with_capacity(self.deductions.len());
        let mut total: i64 = 0;
        for d in &self.deductions {
            let num = gross_num.checked_mul(u128::from(d.share_fixed))?;
            let x = i64::try_from(round_half_even(num, E18 * u128::from(FIXED_ONE))).ok()?;
            total = total.checked_add(x)?;
            deductions.push(x);
        }
        Some(PerHeadLine {
            patients_nano,
            gross_pence: gross,
            deductions_pence: deductions,
            // Shares add up to at most 1 and each part rounds to nearest, so the
            // deductions can pass the gross by a penny or two at most: never below 0.
            payment_pence: (gross - total).max(0),
        })
    }
}

impl PerHeadPayments {
    /// Every item at one practice; `None` on overflow.
    pub fn at_practice(&self, registered: u64, wp_nano: u64) -> Option<Vec<PerHeadLine>> {
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
