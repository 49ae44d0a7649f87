//! Pace of change: moving each ACO from last year's baseline toward its target.
//!
//! For each ACO with baseline `B` and target `T`:
//!
//! 1. the provisional allocation closes `rate` of the gap: `B + rate x (T - B)`,
//!    truncated toward the baseline to whole pence;
//! 2. it is held within bounds `[L, U]`: the growth floor `L = ceil(B x (1 + min_growth))`
//!    (never below 0) and the cap `U = floor(B x (1 + max_growth))` (if any); an ACO
//!    below target is also kept within `[B, 2T - B]`, so it ends no further from target
//!    than it started (the growth floor wins if the two ever conflict);
//! 3. the pool is then spent exactly. Money left over goes first to the ACOs still below
//!    target (up to their target), then to every ACO; money short is taken first from
//!    the ACOs above target (down to their target), then from every ACO. Within each
//!    step it is spread in proportion to weighted population (exact apportionment),
//!    each ACO held within its bounds, until nothing is left.
//!
//! If the floors alone cost more than the pool, or the caps cannot absorb it, that is
//! an error saying by how much: never a silent breach.

use rust_decimal::Decimal;

use super::AllocationError;
use super::policy::PacePolicy;
use crate::money::{FIXED_ONE, Scratch, apportion_into, to_fixed};

/// One ACO under a pace policy, before rebalancing: its bounds, the provisional
/// allocation `B + rate x (T - B)` and that held within the bounds. `hi` is
/// `i128::MAX` when there is no upper bound.
pub(super) struct PaceOne {
    pub(super) lo: i128,
    pub(super) hi: i128,
    pub(super) provisional: i128,
    pub(super) held: i128,
}

/// A pace policy in fixed point (nine decimals).
pub(super) struct FixedPace {
    rate: u64,
    /// `1 + min_growth`, fixed point (min_growth >= -1, so never negative).
    floor_factor: Option<u64>,
    /// `1 + max_growth`, fixed point.
    cap_factor: Option<u64>,
}

impl FixedPace {
    pub(super) fn new(p: &PacePolicy) -> Result<Self, AllocationError> {
        let f = |what: &'static str, d: Decimal| {
            to_fixed(d).map_err(|source| AllocationError::Money {
                context: what.into(),
                source,
            })
        };
        Ok(FixedPace {
            rate: f("pace of change rate", p.rate)?,
            floor_factor: p
                .min_growth
                .map(|g| f("minimum growth", Decimal::ONE + g))
                .transpose()?,
            cap_factor: p
                .max_growth
                .map(|g| f("maximum growth", Decimal::ONE + g))
                .transpose()?,
        })
    }

    /// One ACO's bounds and provisional allocation, before the pool is rebalanced.
    pub(super) fn one(&self, baseline: i64, target: i64) -> PaceOne {
        let one = i128::from(FIXED_ONE);
        let (b, t) = (i128::from(baseline), i128::from(target));
        let mut lo = 0i128;
        let mut hi = i128::MAX;
        if let Some(f) = self.floor_factor {
            // ceil(B x f / 1e9)
            lo = (b * i128::from(f) + one - 1) / one;
        }
        if let Some(f) = self.cap_factor {
            hi = b * i128::from(f) / one;
        }
        if b < t {
            lo = lo.max(b);
            hi = hi.min(2 * t - b);
        }
        hi = hi.max(lo);
        // B + rate x (T - B), truncated toward B.
        let step = (t - b) * i128::from(self.rate) / one;
        PaceOne {
            lo,
            hi,
            provisional: b + step,
            held: (b + step).clamp(lo, hi),
        }
    }

    /// Allocations for the ACOs (same order as `target`, `baseline`, `weight`, `keys`)
    /// that add up to `pool` exactly.
    pub(super) fn apply(
        &self,
        pool: i64,
        target: &[i64],
        baseline: &[i64],
        weight: &[u64],
        keys: &[u32],
    ) -> Result<Vec<i64>, AllocationError> {
        let n = target.len();
        let mut lo = vec![0i128; n];
        let mut hi = vec![i128::MAX; n];
        let mut alloc = vec![0i128; n];
        for i in 0..n {
            let one_aco = self.one(baseline[i], target[i]);
            (lo[i], hi[i], alloc[i]) = (one_aco.lo, one_aco.hi, one_aco.held);
        }
        let pool_i = i128::from(pool);
        let need: i128 = lo.iter().sum();
        if need > pool_i {
            return Err(AllocationError::FloorInfeasible { needed: need, pool });
        }
        let room = hi.iter().try_fold(
            0i128,
            |acc, &h| if h == i128::MAX { None } else { Some(acc + h) },
        );
        if let Some(room) = room {
            if room < pool_i {
                return Err(AllocationError::CapInfeasible {
                    room: clamp_i64(room),
                    pool,
                });
            }
        }

        // Each baseline fits in i64 but their sum may not, and spreading the pool works
        // on what the baselines leave of it (the floor and cap, checked above, name
        // their own excess first).
        let total: i128 = baseline.iter().map(|&b| i128::from(b)).sum();
        if i64::try_from(total).is_err() {
            return Err(AllocationError::BaselinesOverflow { total });
        }
        // Spend the pool exactly: first toward targets, then within the full bounds.
        let mut left = pool_i - alloc.iter().sum::<i128>();
        let toward_lo: Vec<i128> = (0..n)
            .map(|i| lo[i].max(alloc[i].min(i128::from(target[i]))))
            .collect();
        let toward_hi: Vec<i128> = (0..n)
            .map(|i| hi[i].min(alloc[i].max(i128::from(target[i]))))
            .collect();
        left = spread(&mut alloc, &toward_lo, &toward_hi, left, weight, keys)?;
        left = spread(&mut alloc, &lo, &hi, left, weight, keys)?;
        if left != 0 {
            return Err(AllocationError::Internal(
                "pace of change: pool not spent within bounds".into(),
            ));
        }
        alloc
            .into_iter()
            .map(|a| {
                i64::try_from(a)
                    .map_err(|_| AllocationError::Internal("pace of change: overflow".into()))
            })
            .collect()
    }
}

/// Moves `left` pence into (or out of) `alloc`, in proportion to `weight`, each entry
/// held within `[lo, hi]`; returns what could not be placed.
fn spread(
    alloc: &mut [i128],
    lo: &[i128],
    hi: &[i128],
    mut left: i128,
    weight: &[u64],
    keys: &[u32],
) -> Result<i128, AllocationError> {
    let mut scratch = Scratch::default();
    while left != 0 {
        let up = left > 0;
        let movable: Vec<usize> = (0..alloc.len())
            .filter(|&i| {
                if up {
                    alloc[i] < hi[i]
                } else {
                    alloc[i] > lo[i]
                }
            })
            .collect();
        if movable.is_empty() {
            break;
        }
        let mut w: Vec<u64> = movable.iter().map(|&i| weight[i]).collect();
        if w.iter().all(|&x| x == 0) {
            w.iter_mut().for_each(|x| *x = 1);
        }
        let k: Vec<u32> = movable.iter().map(|&i| keys[i]).collect();
        let amount = i64::try_from(left.abs())
            .map_err(|_| AllocationError::Internal("pace of change: overflow".into()))?;
        let mut parts = vec![0i64; movable.len()];
        apportion_into(amount, &w, &k, &mut parts, &mut scratch).map_err(|source| {
            AllocationError::Money {
                context: "pace of change".into(),
                source,
            }
        })?;
        for (j, &i) in movable.iter().enumerate() {
            let part = i128::from(parts[j]);
            if up {
                let moved = part.min(hi[i] - alloc[i]);
                alloc[i] += moved;
                left -= moved;
            } else {
                let moved = part.min(alloc[i] - lo[i]);
                alloc[i] -= moved;
                left += moved;
            }
        }
    }
    Ok(left)
}

fn clamp_i64(x: i128) -> i64 {
    x.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}
