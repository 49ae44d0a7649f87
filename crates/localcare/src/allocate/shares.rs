//! The cascade's splits made cheap for many scenarios: what does not depend on the
//! amount is worked out once per weighted population.
//!
//! Splitting `a` pence among children of weights `w_i` (total `T`) needs, per child,
//! the exact `floor(a * w_i / T)` and its remainder. With `a * w_i` past 64 bits (the
//! usual case in pence and millionths of a person) that is a 128-bit division, the
//! cascade's dearest step. Instead each child keeps `f_i = floor(2^64 * w_i / T)`
//! (clamped to 64 bits): `floor(a * f_i / 2^64)` is then the quotient or one less
//! (the error `a * (2^64 w_i / T - f_i) / 2^64` is below `a * 2 / 2^64 < 1`, as
//! `a < 2^63`), and one exact integer check, `a * w_i - q * T` against `T`, settles it.
//! Quotients and remainders are therefore exactly [`crate::money::apportion_into`]'s,
//! and so is every penny: the same largest-remainder hand-out follows.

use super::Tree;
use crate::money::{MoneyError, Scratch, give_leftover_pence};

/// Per position: the total weight of its children and its own multiplier `f`.
#[derive(Debug)]
pub(super) struct Shares {
    /// Children's total weight, by parent position (0 for a leaf).
    total: Vec<u64>,
    /// `floor(2^64 * w / T_parent)`, clamped, by position (0 for the ACOs).
    mult: Vec<u64>,
    /// Whether every parent's total fits in 64 bits; when not, the caller splits with
    /// [`crate::money::apportion_into`].
    pub(super) narrow: bool,
}

impl Shares {
    pub(super) fn new(t: &Tree, wp: &[u64]) -> Self {
        let n = t.ids.len();
        let mut total = vec![0u64; n];
        let mut mult = vec![0u64; n];
        let mut narrow = true;
        for q in 0..n {
            let (c0, c1) = (t.child_start[q] as usize, t.child_start[q + 1] as usize);
            let sum: u128 = wp[c0..c1].iter().map(|&w| u128::from(w)).sum();
            // Below 2^63, so that a remainder before correction (below 2T) fits 64 bits.
            let Some(tot) = u64::try_from(sum).ok().filter(|&t| t < 1 << 63) else {
                narrow = false;
                continue;
            };
            total[q] = tot;
            if tot == 0 {
                continue;
            }
            for c in c0..c1 {
                let f = (u128::from(wp[c]) << 64) / u128::from(tot);
                mult[c] = u64::try_from(f).unwrap_or(u64::MAX);
            }
        }
        Shares {
            total,
            mult,
            narrow,
        }
    }

    /// `floor(a * wp[c] / T_q)` and its remainder, exactly. The remainder is below
    /// `2 T_q < 2^64` before the correction (totals are below 2^63, see `new`), so it
    /// is worked out in wrapping 64-bit arithmetic: the true value is what wraps.
    #[inline(always)]
    fn div(&self, q: usize, c: usize, a: u64, wp: &[u64]) -> (u64, u64) {
        let t = self.total[q];
        let mut quot = ((u128::from(a) * u128::from(self.mult[c])) >> 64) as u64;
        let mut rem = a.wrapping_mul(wp[c]).wrapping_sub(quot.wrapping_mul(t));
        let over = u64::from(rem >= t);
        quot += over;
        rem -= over * t;
        debug_assert_eq!(
            (u128::from(quot), u128::from(rem)),
            (
                u128::from(a) * u128::from(wp[c]) / u128::from(t),
                u128::from(a) * u128::from(wp[c]) % u128::from(t)
            )
        );
        (quot, rem)
    }

    /// The children's total weight of position `q`.
    pub(super) fn total(&self, q: usize) -> u64 {
        self.total[q]
    }

    /// Splits `amount` (>= 0) among the children `c0..c1` of `q` into `out`, exactly as
    /// `apportion_into(amount, &wp[c0..c1], &keys[c0..c1], out)` would. The children's
    /// total must be above 0 unless `amount` is 0.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn split(
        &self,
        q: usize,
        c0: usize,
        c1: usize,
        amount: i64,
        wp: &[u64],
        keys: &[u32],
        out: &mut [i64],
        scratch: &mut Scratch,
    ) -> Result<(), MoneyError> {
        if amount < 0 {
            return Err(MoneyError::Negative(amount));
        }
        if amount == 0 {
            out.fill(0);
            return Ok(());
        }
        let tot = self.total[q];
        if tot == 0 {
            return Err(MoneyError::ZeroWeight { amount });
        }
        let a = amount as u64;
        let k = c1 - c0;
        if k <= SMALL {
            // The usual split down a tree: a few children, remainders on the stack.
            let mut rem = [0u64; SMALL];
            let mut given: i64 = 0;
            for (i, c) in (c0..c1).enumerate() {
                let (quot, r) = self.div(q, c, a, wp);
                out[i] = quot as i64;
                given += quot as i64;
                rem[i] = r;
            }
            hand_out_small(amount - given, &rem[..k], &keys[c0..c1], out);
            return Ok(());
        }
        let rems = scratch.narrow_mut();
        rems.clear();
        let mut given: i64 = 0;
        for (i, c) in (c0..c1).enumerate() {
            let (quot, r) = self.div(q, c, a, wp);
            out[i] = quot as i64;
            given += quot as i64;
            if r != 0 {
                rems.push((r, keys[c], i as u32));
            }
        }
        give_leftover_pence(amount - given, rems, out);
        Ok(())
    }
}

/// Children per split handled on the stack.
const SMALL: usize = 16;

/// Hands `left` pence, one each, to the largest remainders, equal remainders to the
/// smaller key: the same choice as [`give_leftover_pence`] (keys are unique, so the
/// order is total and the chosen set is the same however it is found), by picking the
/// best `left` times (or, when most get one, the worst `k - left` to leave out).
fn hand_out_small(left: i64, rem: &[u64], keys: &[u32], out: &mut [i64]) {
    let k = rem.len();
    let left = left as usize;
    debug_assert!(left <= k);
    if left == 0 {
        return;
    }
    let better = |i: usize, j: usize| rem[i] > rem[j] || (rem[i] == rem[j] && keys[i] < keys[j]);
    if k <= 8 {
        // Each child's rank (how many beat it), without branches: a penny to the
        // first `left`.
        for i in 0..k {
            let mut rank = 0usize;
            for j in 0..k {
                rank += usize::from((rem[j] > rem[i]) | ((rem[j] == rem[i]) & (keys[j] < keys[i])));
            }
            out[i] += i64::from(rank < left);
        }
        return;
    }
    let mut chosen = 0u32;
    if left * 2 <= k {
        for _ in 0..left {
            let mut best = usize::MAX;
            for i in 0..k {
                if chosen >> i & 1 == 0 && (best == usize::MAX || better(i, best)) {
                    best = i;
                }
            }
            chosen |= 1 << best;
        }
    } else {
        chosen = (1u32 << k) - 1;
        for _ in 0..k - left {
            let mut worst = usize::MAX;
            for i in 0..k {
                if chosen >> i & 1 == 1 && (worst == usize::MAX || better(worst, i)) {
                    worst = i;
                }
            }
            chosen &= !(1 << worst);
        }
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o += i64::from(chosen >> i & 1 == 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::apportion_into;
    use proptest::prelude::*;

    proptest! {
        /// The multiplier split is `apportion_into`, quotient, remainder and penny.
        #[test]
        fn split_is_apportion(
            amount in prop_oneof![0i64..1_000, 0i64..i64::MAX],
            weights in proptest::collection::vec(prop_oneof![0u64..10, 0u64..(1u64 << 40), 0u64..(1u64 << 58)], 1..24),
        ) {
            let n = weights.len();
            let mut t = Tree::empty();
            // One root whose children carry the weights.
            t.ids = (0..=n).map(|i| format!("U{i}")).collect();
            t.rank = (0..=n as u32).rev().collect();
            t.child_start = std::iter::once(1u32).chain(std::iter::repeat_n(n as u32 + 1, n + 1)).collect();
            let mut wp = vec![0u64];
            wp.extend(&weights);
            let shares = Shares::new(&t, &wp);
            prop_assume!(shares.narrow);
            let mut fast = vec![0i64; n];
            let mut slow = vec![0i64; n];
            let mut scratch = Scratch::default();
            let f = shares.split(0, 1, n + 1, amount, &wp, &t.rank, &mut fast, &mut scratch);
            let s = apportion_into(amount, &wp[1..], &t.rank[1..], &mut slow, &mut scratch);
            prop_assert_eq!(f, s);
            prop_assert_eq!(fast, slow);
        }
    }
}
