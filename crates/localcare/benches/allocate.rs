//! Allocation over 1 million and 10 million practices (prepared once; the scenario is
//! what is timed), beside a float reference in the same run: f64 shares of the same
//! weights, floored, with the pence left over handed out by largest remainder — what a
//! numpy implementation does, without exactness.
//!
//! Each exact benchmark names what it includes, and checks it when it is prepared, so
//! that a change to the built-in ruleset cannot silently change what is measured:
//! `kent_medway_2017_with_per_head` is the built-in ruleset with its `[payments]`
//! per-head schedule (the GP global sum less a deduction, computed for every practice);
//! `kent_medway_2017_without_per_head` is the same ruleset with that schedule cut out,
//! the share-of-budget allocation alone. Run one, e.g.:
//! `cargo bench -p localcare --bench allocate -- 1m`.

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use localcare::allocate::{Needs, PreparedFootprint, Scenario};
use localcare::{Footprint, FootprintUnit, Ruleset};

/// 4 ACOs, `hubs` hubs each, practices spread over the hubs.
fn footprint(practices: usize) -> Footprint {
    let hubs_per_aco = 4;
    let hub = ["mdt", "mental_health", "seven_day"];
    let mut units = Vec::with_capacity(practices + 20);
    for a in 0..4 {
        units.push(FootprintUnit::aggregate(
            &format!("A{a}"),
            None,
            "aco",
            &["population_accountability", "capitated_budget"],
        ));
        for h in 0..hubs_per_aco {
            units.push(FootprintUnit::aggregate(
                &format!("H{a}{h}"),
                Some(&format!("A{a}")),
                "mcp_hub",
                &hub,
            ));
        }
    }
    for p in 0..practices {
        let h = p % 16;
        units.push(FootprintUnit::practice(
            &format!("P{p:08}"),
            &format!("H{}{}", h / 4, h % 4),
            1 + (p as u64 * 7919) % 20,
            &[],
        ));
    }
    Footprint::new(units)
}

/// `kent-medway-2017` with its bands open, so any size of footprint validates; with
/// or without its per-head schedule (the `[payments]` section, the last of the file).
fn ruleset(per_head: bool) -> Ruleset {
    let mut text = Ruleset::builtin_toml("kent-medway-2017")
        .unwrap()
        .replace(
            "population = { min = 50_000, max = 200_000 }",
            "population = { min = 1 }",
        )
        .replace(
            "population = { min = 400_000, max = 800_000 }",
            "population = { min = 1 }",
        );
    if !per_head {
        let at = text
            .find("[[payments.per_head]]")
            .expect("kent-medway-2017 has a per-head schedule");
        text.truncate(at);
    }
    let rs = Ruleset::from_toml_str(&text).unwrap();
    assert_eq!(
        rs.per_head_payments().is_some(),
        per_head,
        "the benchmark's name says whether the per-head schedule is included"
    );
    rs
}

fn prepared(practices: usize, per_head: bool) -> PreparedFootprint {
    ruleset(per_head)
        .prepare(&footprint(practices), &Needs::default())
        .unwrap()
}

static ONE_M_PER_HEAD: LazyLock<PreparedFootprint> = LazyLock::new(|| prepared(1_000_000, true));
static ONE_M_NO_PER_HEAD: LazyLock<PreparedFootprint> =
    LazyLock::new(|| prepared(1_000_000, false));
static TEN_M_PER_HEAD: LazyLock<PreparedFootprint> = LazyLock::new(|| prepared(10_000_000, true));

fn main() {
    divan::main();
}

const BUDGET: i64 = 61_740_000_000;

#[divan::bench(counter = divan::counter::ItemsCount::new(1_000_000usize))]
fn exact_1m_kent_medway_2017_with_per_head(b: Bencher) {
    let p = &*ONE_M_PER_HEAD;
    b.bench_local(|| p.allocate(black_box(&Scenario::budget(BUDGET))).unwrap());
}

#[divan::bench(counter = divan::counter::ItemsCount::new(1_000_000usize))]
fn exact_1m_kent_medway_2017_without_per_head(b: Bencher) {
    let p = &*ONE_M_NO_PER_HEAD;
    b.bench_local(|| p.allocate(black_box(&Scenario::budget(BUDGET))).unwrap());
}

#[divan::bench(counter = divan::counter::ItemsCount::new(10_000_000usize))]
fn exact_10m_kent_medway_2017_with_per_head(b: Bencher) {
    let p = &*TEN_M_PER_HEAD;
    b.bench_local(|| p.allocate(black_box(&Scenario::budget(BUDGET))).unwrap());
}

/// The float reference: one split of the budget over all practices' weights.
fn float_reference(weights: &[f64], budget: i64, out: &mut [i64], frac: &mut Vec<(f64, u32)>) {
    let total: f64 = weights.iter().sum();
    let mut given = 0i64;
    frac.clear();
    for (i, (&w, o)) in weights.iter().zip(out.iter_mut()).enumerate() {
        let share = budget as f64 * w / total;
        let f = share.floor();
        *o = f as i64;
        given += *o;
        frac.push((share - f, i as u32));
    }
    let left = (budget - given).clamp(0, weights.len() as i64) as usize;
    if left > 0 {
        frac.select_nth_unstable_by(left - 1, |a, b| b.0.total_cmp(&a.0));
        for &(_, i) in &frac[..left] {
            out[i as usize] += 1;
        }
    }
}

fn weights(n: usize) -> Vec<f64> {
    (0..n)
        .map(|p| (1 + (p as i64 * 7919) % 20) as f64)
        .collect()
}

#[divan::bench(counter = divan::counter::ItemsCount::new(1_000_000usize))]
fn float_reference_1m(b: Bencher) {
    let w = weights(1_000_000);
    let mut out = vec![0i64; w.len()];
    let mut frac = Vec::with_capacity(w.len());
    b.bench_local(|| float_reference(black_box(&w), BUDGET, &mut out, &mut frac));
}

#[divan::bench(counter = divan::counter::ItemsCount::new(10_000_000usize))]
fn float_reference_10m(b: Bencher) {
    let w = weights(10_000_000);
    let mut out = vec![0i64; w.len()];
    let mut frac = Vec::with_capacity(w.len());
    b.bench_local(|| float_reference(black_box(&w), BUDGET, &mut out, &mut frac));
}
