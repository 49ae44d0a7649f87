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

/// `num / den` rounded to the nearest integer, halves to even (num, den > 0): what
/// [`round_half_even_e9k`] is tested against.
#[cfg(test)]
fn round_half_even(num: u128, den: u128) -> u128 {
    let (q, r) = (num / den, num % den);
    if r * 2 > den || (r * 2 == den && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

const E9: u64 = 1_000_000_000;

/// `x / 10^9` and its remainder, by 32-bit limbs: each step divides a `u64` by a
/// constant, which compiles to a multiply, where a `u128` division is a library call
/// of dozens of cycles (it was most of the per-head time at a million practices).
#[inline]
fn div_rem_e9(x: u128) -> (u128, u64) {
    let mut q: u128 = 0;
    let mut r: u64 = 0;
    for shift in [96u32, 64, 32, 0] {
        // r < 10^9 < 2^30, so (r << 32) | limb < 2^62.
        let cur = (r << 32) | ((x >> shift) as u64 & 0xffff_ffff);
        q = (q << 32) | u128::from(cur / E9);
        r = cur % E9;
    }
    (q, r)
}

/// [`round_half_even`] of `num / 10^(9 k)`, `k` >= 1, without a `u128` division: `k`
/// steps of [`div_rem_e9`], the remainder's base-10^9 digits kept to compare with
/// half of the divisor.
#[inline]
fn round_half_even_e9k(num: u128, k: u32) -> u128 {
    let mut q = num;
    // The remainder's digits compared with half the divisor, 5 x 10^8 then zeros:
    // Less, Equal or Greater, decided by the most significant digit that differs.
    let mut half = std::cmp::Ordering::Equal;
    for i in 0..k {
        let (next, digit) = div_rem_e9(q);
        q = next;
        // Digits come least significant first: a later one decides over earlier ones.
        let against = if i + 1 == k { E9 / 2 } else { 0 };
        let c = digit.cmp(&against);
        if c != std::cmp::Ordering::Equal {
            half = c;
        }
    }
    match half {
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal if q % 2 == 1 => q + 1,
        _ => q,
    }
}

/// `y / 10^9` rounded half to even, in `u64` (a constant division, a multiply).
#[inline]
fn round_half_even_e9_u64(y: u64) -> u64 {
    let (q, r) = (y / E9, y % E9);
    q + u64::from(r > E9 / 2 || (r == E9 / 2 && q % 2 == 1))
}

/// An amount `patients x fixed` in 1e-18 pence, `patients` in billionths of a person
/// and `fixed` a price in billionths of a penny. A price in whole pence (every
/// published per-head price) times a practice's patients fits a `u64` when counted
/// in 1e-9 pence, and then every rounding below is `u64` arithmetic by constants.
#[derive(Clone, Copy)]
enum Amount {
    /// The amount is `n x 10^9` (in 1e-18 pence): `n` in 1e-9 pence.
    Nano(u64),
    /// Any other amount, in 1e-18 pence.
    Wide(u128),
}

impl Amount {
    #[inline]
    fn of(patients: u128, fixed: u64) -> Option<Amount> {
        if fixed % E9 == 0
            && let Some(n) = u64::try_from(patients)
                .ok()
                .and_then(|p| p.checked_mul(fixed / E9))
        {
            return Some(Amount::Nano(n));
        }
        patients.checked_mul(u128::from(fixed)).map(Amount::Wide)
    }

    /// The amount in pence, rounded once, half to even.
    #[inline]
    fn pence(self) -> u128 {
        match self {
            Amount::Nano(n) => u128::from(round_half_even_e9_u64(n)),
            Amount::Wide(w) => round_half_even_e9k(w, 2),
        }
    }

    /// `share` (billionths) of the amount in pence, rounded once, half to even.
    #[inline]
    fn share(self, share: u64) -> Option<u128> {
        if let Amount::Nano(y) = self
            && let Some(q) = nano_share(y, share)
        {
            return Some(u128::from(q));
        }
        let wide = match self {
            Amount::Nano(y) => u128::from(y) * u128::from(E9),
            Amount::Wide(w) => w,
        };
        share_of(wide, share)
    }
}

/// `y x share / 10^18` rounded half to even, in `u64` steps: `y = y1 10^9 + y0`,
/// `y0 share = t1 10^9 + t0`, then `y1 share + t1 = q 10^9 + u0`, and the remainder
/// over `10^18` is `u0 10^9 + t0`. `None` when a step would pass `u64`.
#[inline]
fn nano_share(y: u64, share: u64) -> Option<u64> {
    if share > E9 {
        return None;
    }
    let (y1, y0) = (y / E9, y % E9);
    let t = y0 * share; // < 10^18
    let (t1, t0) = (t / E9, t % E9);
    let u = y1.checked_mul(share)?.checked_add(t1)?;
    let (q, u0) = (u / E9, u % E9);
    let half = (u0, t0).cmp(&(E9 / 2, 0));
    Some(q + u64::from(half.is_gt() || (half.is_eq() && q % 2 == 1)))
}

/// `num x share / (10^18 x 10^9)` rounded half to even, `share` in billionths: the
/// deduction from a gross of `num / 10^18` pence. Exact without overflow while the
/// product fits a `u128`, and beyond it too by splitting `num` into the whole pence and
/// the remainder (`num = g x 10^18 + r`): `g x share` and `r x share` each fit.
fn share_of(num: u128, share: u64) -> Option<u128> {
    if let Some(p) = num.checked_mul(u128::from(share)) {
        return Some(round_half_even_e9k(p, 3));
    }
    let scale = E18;
    let den = scale * u128::from(FIXED_ONE);
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

/// Patients (1e-9) x price (1e-9): amounts in 1e-18 pence.
const E18: u128 = 1_000_000_000_000_000_000;

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
        let mut deductions = Vec::with_capacity(self.deductions.len());
        let (patients, gross, payment) =
            self.amounts(registered, wp_nano, |x| deductions.push(x))?;
        Some(PerHeadLine {
            patients,
            gross_pence: gross,
            deductions_pence: deductions,
            payment_pence: payment,
        })
    }

    /// The patients this item pays on at one practice; `None` on overflow.
    #[inline]
    fn patients(
        &self,
        registered: impl FnOnce() -> Population,
        wp_nano: u64,
    ) -> Option<Population> {
        match self.basis {
            PerHeadBasis::Registered => Some(registered()),
            PerHeadBasis::Weighted => Population::from_billionths(u128::from(wp_nano)),
        }
    }

    /// The rule itself, allocating nothing: the patients, the gross and the payment,
    /// each deduction handed to `deduction` in the item's order; `None` on overflow.
    #[inline]
    fn amounts(
        &self,
        registered: Population,
        wp_nano: u64,
        deduction: impl FnMut(i64),
    ) -> Option<(Population, i64, i64)> {
        let patients = self.patients(|| registered, wp_nano)?;
        let (gross, payment) = self.paid(patients, deduction)?;
        Some((patients, gross, payment))
    }

    /// The gross and the payment on `patients`, each deduction handed to `deduction`.
    #[inline]
    fn paid(&self, patients: Population, mut deduction: impl FnMut(i64)) -> Option<(i64, i64)> {
        // patients (1e-9) x price (1e-9) = 1e-18 pence.
        let gross_num = Amount::of(patients.billionths(), self.price_fixed)?;
        let gross = i64::try_from(gross_num.pence()).ok()?;
        let mut total: i64 = 0;
        for d in &self.deductions {
            let x = if d.pence_per_patient.is_some() {
                // patients (1e-9) x pence (1e-9) = 1e-18 pence, rounded once.
                let num = Amount::of(patients.billionths(), d.pence_fixed)?;
                i64::try_from(num.pence()).ok()?
            } else {
                i64::try_from(gross_num.share(d.share_fixed)?).ok()?
            };
            total = total.checked_add(x)?;
            deduction(x);
        }
        // The deductions add up to at most the price per patient and each part rounds
        // to nearest, so they can pass the gross by a penny or two at most: never
        // below 0.
        Some((gross, (gross - total).max(0)))
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
    ///
    /// They depend on the weighted population alone, never on a budget, so a prepared
    /// footprint works them out once, beside the cascade's shares, and every allocation
    /// under its policy shares them.
    pub(super) fn compute(&self, t: &Tree, wp: &[u64]) -> Result<PerHeadColumns, AllocationError> {
        let n = t.ids.len();
        let overflow = |q: usize| AllocationError::Money {
            context: format!("per-head payments of {}", t.ids[q]),
            source: crate::money::MoneyError::Overflow,
        };
        // Columns zeroed once (aggregates start at 0), each practice's values written
        // in place: no line structs, no vectors per row, and a registered population
        // read only when an item is paid on it.
        let mut c = PerHeadColumns {
            gross: vec![0; n],
            deduction: vec![0; n],
            payment: vec![0; n],
        };
        for q in 0..n {
            if t.tier[q] != 0 {
                continue;
            }
            let (mut gross, mut payment) = (0i64, 0i64);
            for item in &self.items {
                let (g, p) = item
                    .patients(|| t.population[q], wp[q])
                    .and_then(|patients| item.paid(patients, |_| {}))
                    .ok_or_else(|| overflow(q))?;
                gross = gross.checked_add(g).ok_or_else(|| overflow(q))?;
                payment = payment.checked_add(p).ok_or_else(|| overflow(q))?;
            }
            c.gross[q] = gross;
            c.payment[q] = payment;
            c.deduction[q] = gross - payment;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn halves_to_even_at_every_digit() {
        for (num, k) in [
            (0u128, 2u32),
            (E18 / 2, 2),
            (E18 / 2 + 1, 2),
            (3 * E18 / 2, 2),
            (5 * E18 / 2, 2),
            (E18 - 1, 2),
            (u128::MAX, 2),
            (u128::MAX, 3),
            (E18 * 1_000_000_000 / 2 * 3, 3),
            (E18 * 1_000_000_000 / 2 * 3 + 1, 3),
        ] {
            let den = 10u128.pow(9 * k);
            assert_eq!(
                round_half_even_e9k(num, k),
                round_half_even(num, den),
                "{num} {k}"
            );
        }
    }

    proptest! {
        /// The `u64` paths give what the `u128` division gives, for any patients,
        /// whole-penny price and share.
        #[test]
        fn whole_penny_amounts_as_dividing(patients in 0u64..(1 << 50), pence in 0u64..100_000, share in 0u64..=1_000_000_000) {
            let fixed = pence * E9;
            let exact = u128::from(patients) * u128::from(fixed);
            let a = Amount::of(u128::from(patients), fixed).unwrap();
            // Real practices (under 2^44 billionths, 17,592 people, at a price under
            // £655) take the u64 path; larger ones the u128 path, the same figures.
            if patients < 1 << 44 && pence < 1 << 16 {
                prop_assert!(matches!(a, Amount::Nano(_)));
            }
            prop_assert_eq!(a.pence(), round_half_even(exact, E18));
            prop_assert_eq!(
                a.share(share).unwrap(),
                round_half_even(exact * u128::from(share), E18 * u128::from(E9))
            );
        }

        #[test]
        fn the_same_rounding_as_dividing(num in any::<u128>(), small in 0u128..(1 << 70), k in 1u32..4) {
            let den = 10u128.pow(9 * k);
            prop_assert_eq!(round_half_even_e9k(num, k), round_half_even(num, den));
            prop_assert_eq!(round_half_even_e9k(small, k), round_half_even(small, den));
            let near_half = (small % 1000) * den + den / 2 + (small % 3) - 1;
            prop_assert_eq!(round_half_even_e9k(near_half, k), round_half_even(near_half, den));
        }
    }
}
