//! The Lagrangian lower bound of the p-median problem.
//!
//! The problem: open the fixed sites and exactly `size` candidates, serve each zone
//! from one open site, least total `weight x time`. Relaxing "each zone is served
//! exactly once" with a multiplier `lambda_z` per zone leaves a problem solved exactly
//! by sorting: site `s`'s reduced cost is `rho_s = sum over zones of
//! min(0, weight_z x time_zs - lambda_z)`, the relaxation opens the fixed sites and the
//! `size` candidates of least `rho`, and its value
//! `L(lambda) = sum lambda_z + sum of the open sites' rho` is at most the total of
//! every option reaching every zone (weak duality), whatever `lambda` is. Subgradient
//! steps move `lambda` towards the best bound; the multipliers are integers, so each
//! `L(lambda)` is computed exactly in `i128` and the bound is proven, not estimated.

use rayon::prelude::*;

use super::local::State;
use super::{SearchParams, SearchProblem};

/// The best bound reached and the steps it took.
pub(super) struct Bound {
    pub value: i128,
    pub iterations: usize,
}

/// Subgradient optimisation of `L(lambda)`, started from each zone's cost in the best
/// option found (`best`), stepping by Polyak's rule towards its total; the step's factor
/// halves after 20 steps without a better bound. Stops at `params.bound_iterations`,
/// at the target gap, or when the relaxation's answer serves every zone once (then
/// the bound is the optimum).
pub(super) fn lagrangian(
    p: &SearchProblem,
    size: usize,
    best: &State,
    params: &SearchParams,
) -> Bound {
    let upper = best.total;
    let w = |z: usize| i128::from(p.weight[z]);
    let mut lambda: Vec<i128> = (0..p.zones)
        .map(|z| w(z) * i128::from(best.d1[z]))
        .collect();
    let candidates: Vec<usize> = (0..p.sites).filter(|&s| !p.fixed[s]).collect();
    let mut rho = vec![0i128; p.sites];
    let mut open = vec![false; p.sites];
    let mut order = candidates.clone();
    let mut g = vec![0i64; p.zones];
    // A zone of no weight costs nothing wherever it goes: its multiplier stays 0 and it
    // takes no part (left in, it would swing the steps for nothing).
    let live: Vec<usize> = (0..p.zones).filter(|&z| p.weight[z] > 0).collect();
    // Per live zone, how many of its nearest sites are cheaper than its multiplier.
    let mut below = vec![0u32; live.len()];
    let (mut best_l, mut theta, mut stale) = (i128::MIN, 2.0f64, 0);
    let mut iterations = 0;
    while iterations < params.bound_iterations.max(1) {
        iterations += 1;
        // Reduced costs: only pairs cheaper than the zone's multiplier count, and the
        // zone's list is sorted by time, so the walk stops at the first that is not.
        reduced_costs(p, &live, &lambda, &mut rho, &mut below);
        order.sort_unstable_by(|&a, &b| rho[a].cmp(&rho[b]).then(a.cmp(&b)));
        open.copy_from_slice(&p.fixed);
        for &s in &order[..size] {
            open[s] = true;
        }
        let l: i128 = lambda.iter().sum::<i128>()
            + (0..p.sites)
                .filter(|&s| open[s])
                .map(|s| rho[s])
                .sum::<i128>();
        if l > best_l {
            (best_l, stale) = (l, 0);
        } else {
            stale += 1;
            if stale >= 20 {
                (theta, stale) = (theta / 2.0, 0);
            }
        }
        if best_l >= upper
            || (upper - best_l) * 1_000_000 <= upper * i128::from(params.target_gap_ppm)
            || theta < 1e-6
        {
            break;
        }
        // Subgradient: 1 - the number of open sites serving the zone.
        let mut norm = 0i128;
        for (k, &z) in live.iter().enumerate() {
            let served: i64 = p.near(z)[..below[k] as usize]
                .iter()
                .map(|&s| i64::from(open[usize::from(s)]))
                .sum();
            g[z] = 1 - served;
            norm += i128::from(g[z]) * i128::from(g[z]);
        }
        if norm == 0 {
            // The relaxation serves every zone exactly once: it is an option, and its
            // value (already counted) is the optimum.
            break;
        }
        let step = theta * (upper - l) as f64 / norm as f64;
        for &z in &live {
            if g[z] != 0 {
                lambda[z] += (step * g[z] as f64).round() as i128;
            }
        }
    }
    Bound {
        value: best_l,
        iterations,
    }
}

/// Zones per parallel chunk of the reduced costs.
const CHUNK: usize = 2048;

/// Each site's reduced cost `rho_s = sum over live zones of min(0, c_zs - lambda_z)`,
/// into `rho`, and per live zone how many of its nearest sites are below its multiplier,
/// into `below`. A zone's list is sorted by time, so its walk stops at the first site
/// that is not below; chunks of zones run on all cores, each summing into its own
/// array, added up in chunk order (the sums are exact integers, so order cannot change
/// them).
fn reduced_costs(
    p: &SearchProblem,
    live: &[usize],
    lambda: &[i128],
    rho: &mut [i128],
    below: &mut [u32],
) {
    let sites = rho.len();
    let parts: Vec<Vec<i128>> = live
        .par_chunks(CHUNK)
        .zip(below.par_chunks_mut(CHUNK))
        .map(|(zones, below)| {
            let mut part = vec![0i128; sites];
            for (&z, k) in zones.iter().zip(below.iter_mut()) {
                let (near, times) = p.near_times(z);
                let (w, l) = (i128::from(p.weight[z]), lambda[z]);
                let mut n = 0;
                for (&s, &t) in near.iter().zip(times) {
                    let c = w * i128::from(t);
                    if c >= l {
                        break;
                    }
                    part[usize::from(s)] += c - l;
                    n += 1;
                }
                *k = n;
            }
            part
        })
        .collect();
    rho.fill(0);
    for part in parts {
        for (r, x) in rho.iter_mut().zip(part) {
            *r += x;
        }
    }
}
