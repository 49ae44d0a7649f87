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
    /// `floor(2^64 * w / T_parent)`, clamped, by position; for the top units (which
    /// have no parent) `T` is their own total.
    mult: Vec<u64>,
    /// The top units' total weight, when it is below 2^63 (a split among them can
    /// then use `mult` too).
    roots_total: Option<u64>,
    /// Whether every parent's total fits in 64 bits; when not, the caller splits with
    /// [`crate::money::apportion_into`].
    pub(super) narrow: bool,
    /// The positions that have children, in order: the only ones a cascade splits (in
    /// England's footprint a quarter of the units).
    parents: Vec<u32>,
    /// Whether every run of siblings (and the top units) has ascending keys (a tree's
    /// children sit in id order, and its keys are id ranks): then an earlier sibling
    /// wins a tie of remainders, and the hand-out compares remainders alone.
    ascending: bool,
}

/// A total below 2^63, so that a remainder before correction (below 2T) fits 64 bits.
fn narrow_total(weights: &[u64]) -> Option<u64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    u64::try_from(sum).ok().filter(|&t| t < 1 << 63)
}

impl Shares {
    pub(super) fn new(t: &Tree, wp: &[u64]) -> Self {
        let n = t.ids.len();
        let mut total = vec![0u64; n];
        let mut mult = vec![0u64; n];
        let mut narrow = true;
        let mut parents = Vec::new();
        let mut ascending = t.rank[..t.roots].is_sorted_by(|a, b| a < b);
        let mut multipliers = |c0: usize, c1: usize, tot: u64| {
            if tot > 0 {
                for c in c0..c1 {
                    let f = (u128::from(wp[c]) << 64) / u128::from(tot);
                    mult[c] = u64::try_from(f).unwrap_or(u64::MAX);
                }
            }
        };
        let roots_total = narrow_total(&wp[..t.roots]);
        if let Some(tot) = roots_total {
            multipliers(0, t.roots, tot);
        }
        for q in 0..n {
            let (c0, c1) = (t.child_start[q] as usize, t.child_start[q + 1] as usize);
            if c0 == c1 {
                continue;
            }
            parents.push(q as u32);
            ascending &= t.rank[c0..c1].is_sorted_by(|a, b| a < b);
            let Some(tot) = narrow_total(&wp[c0..c1]) else {
                narrow = false;
                continue;
            };
            total[q] = tot;
            multipliers(c0, c1, tot);
        }
        Shares {
            total,
            mult,
            roots_total,
            narrow,
            parents,
            ascending,
        }
    }

    /// The positions that have children, in order.
    pub(super) fn parents(&self) -> &[u32] {
        &self.parents
    }

    /// `floor(a * w / t)` and its remainder, exactly, for a unit of weight `w` and
    /// multiplier `m` among siblings of total `t`. The remainder is below `2 t < 2^64`
    /// before the correction (totals are below 2^63, see `new`), so it is worked out
    /// in wrapping 64-bit arithmetic: the true value is what wraps.
    #[inline(always)]
    fn div(t: u64, m: u64, w: u64, a: u64) -> (u64, u64) {
        let mut quot = ((u128::from(a) * u128::from(m)) >> 64) as u64;
        let mut rem = a.wrapping_mul(w).wrapping_sub(quot.wrapping_mul(t));
        let over = u64::from(rem >= t);
        quot += over;
        rem -= over * t;
        debug_assert_eq!(
            (u128::from(quot), u128::from(rem)),
            (
                u128::from(a) * u128::from(w) / u128::from(t),
                u128::from(a) * u128::from(w) % u128::from(t)
            )
        );
        (quot, rem)
    }

    /// The children's total weight of position `q`.
    pub(super) fn total(&self, q: usize) -> u64 {
        self.total[q]
    }

    /// The top units' total weight, when they can be split with [`Shares::split`].
    pub(super) fn roots_total(&self) -> Option<u64> {
        self.roots_total
    }

    /// Splits `amount` (>= 0) among the siblings `c0..c1` (of total weight `tot`: a
    /// parent's [`Shares::total`], or [`Shares::roots_total`]) into `out`, exactly as
    /// `apportion_into(amount, &wp[c0..c1], &keys[c0..c1], out)` would. The total must
    /// be above 0 unless `amount` is 0.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(super) fn split(
        &self,
        tot: u64,
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
        if tot == 0 {
            return Err(MoneyError::ZeroWeight { amount });
        }
        let a = amount as u64;
        let k = c1 - c0;
        if self.ascending && k <= 8 {
            // The usual split down a tree: a few siblings, in key order; the loops
            // unrolled for each count.
            match k {
                1 => self.split_ascending::<1>(tot, c0, a, wp, out),
                2 => self.split_ascending::<2>(tot, c0, a, wp, out),
                3 => self.split_ascending::<3>(tot, c0, a, wp, out),
                4 => self.split_ascending::<4>(tot, c0, a, wp, out),
                5 => self.split_ascending::<5>(tot, c0, a, wp, out),
                6 => self.split_ascending::<6>(tot, c0, a, wp, out),
                7 => self.split_ascending::<7>(tot, c0, a, wp, out),
                // k is 8 here (a split has at least one sibling).
                _ => self.split_ascending::<8>(tot, c0, a, wp, out),
            }
            return Ok(());
        }
        if k <= SMALL {
            // A few children, remainders on the stack.
            let mut rem = [0u64; SMALL];
            let mut given: i64 = 0;
            for (i, c) in (c0..c1).enumerate() {
                let (quot, r) = Self::div(tot, self.mult[c], wp[c], a);
                out[i] = quot as i64;
                given += quot as i64;
                rem[i] = r;
            }
            if self.ascending {
                hand_out_ascending(amount - given, &rem[..k], out);
            } else {
                hand_out_small(amount - given, &rem[..k], &keys[c0..c1], out);
            }
            return Ok(());
        }
        let rems = scratch.narrow_mut();
        rems.clear();
        let mut given: i64 = 0;
        for (i, c) in (c0..c1).enumerate() {
            let (quot, r) = Self::div(tot, self.mult[c], wp[c], a);
            out[i] = quot as i64;
            given += quot as i64;
            if r != 0 {
                rems.push((r, keys[c], i as u32));
            }
        }
        give_leftover_pence(amount - given, rems, out);
        Ok(())
    }

    /// [`Shares::split`] of `a > 0` among `K` siblings whose keys ascend: fixed-size
    /// arrays, so every loop unrolls and no bound is checked.
    #[inline(always)]
    fn split_ascending<const K: usize>(
        &self,
        tot: u64,
        c0: usize,
        a: u64,
        wp: &[u64],
        out: &mut [i64],
    ) {
        let out: &mut [i64; K] = out.try_into().expect("one output slot per sibling");
        let mult: &[u64; K] = self.mult[c0..c0 + K].try_into().expect("K siblings");
        let w: &[u64; K] = wp[c0..c0 + K].try_into().expect("K siblings");
        let mut rem = [0u64; K];
        let mut given = 0u64;
        for i in 0..K {
            let (quot, r) = Self::div(tot, mult[i], w[i], a);
            out[i] = quot as i64;
            rem[i] = r;
            given += quot;
        }
        // Fewer than K pence are left, one each to the largest remainders, a tie to
        // the earlier sibling: a child's rank counts the siblings that beat it.
        let left = (a - given) as usize;
        if left == 0 {
            return;
        }
        for i in 0..K {
            let mut rank = 0usize;
            for j in 0..K {
                rank += usize::from(if j < i {
                    rem[j] >= rem[i]
                } else {
                    rem[j] > rem[i]
                });
            }
            out[i] += i64::from(rank < left);
        }
    }
}

/// Children per split handled on the stack.
const SMALL: usize = 16;

/// [`hand_out_small`] for siblings whose keys ascend with their position: an earlier
/// sibling wins a tie, so each child's rank (how many beat it) counts the earlier
/// siblings with a remainder at least its own and the later ones with a larger one.
/// No key is read.
#[inline]
fn hand_out_ascending(left: i64, rem: &[u64], out: &mut [i64]) {
    let left = left as usize;
    debug_assert!(left <= rem.len());
    if left == 0 {
        return;
    }
    for (i, o) in out.iter_mut().enumerate() {
        let r = rem[i];
        let before = rem[..i].iter().filter(|&&x| x >= r).count();
        let after = rem[i + 1..].iter().filter(|&&x| x > r).count();
        *o += i64::from(before + after < left);
    }
}

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
        /// The multiplier split is `apportion_into`, quotient, remainder and penny,
        /// whether the siblings' keys descend or ascend (a tree's ascend).
        #[test]
        fn split_is_apportion(
            amount in prop_oneof![0i64..1_000, 0i64..i64::MAX],
            weights in proptest::collection::vec(prop_oneof![0u64..10, 0u64..(1u64 << 40), 0u64..(1u64 << 58)], 1..24),
            ascending in any::<bool>(),
        ) {
            let n = weights.len();
            let mut t = Tree::empty();
            // One root whose children carry the weights.
            t.ids = (0..=n).map(|i| format!("U{i}")).collect();
            t.rank = if ascending {
                (0..=n as u32).collect()
            } else {
                (0..=n as u32).rev().collect()
            };
            t.child_start = std::iter::once(1u32).chain(std::iter::repeat_n(n as u32 + 1, n + 1)).collect();
            let mut wp = vec![0u64];
            wp.extend(&weights);
            let shares = Shares::new(&t, &wp);
            prop_assume!(shares.narrow);
            prop_assert_eq!(shares.ascending, ascending || n == 1);
            let mut fast = vec![0i64; n];
            let mut slow = vec![0i64; n];
            let mut scratch = Scratch::default();
            let f = shares.split(shares.total(0), 1, n + 1, amount, &wp, &t.rank, &mut fast, &mut scratch);
            let s = apportion_into(amount, &wp[1..], &t.rank[1..], &mut slow, &mut scratch);
            prop_assert_eq!(f, s);
            prop_assert_eq!(fast, slow);
        }
    }
}
