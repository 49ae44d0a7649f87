//! Validation of a 1,000,000-unit footprint (a realistic forest) and of a 1,000,000-long
//! parent chain (the worst case for depth, and for findings: two per unit), beside a
//! yardstick in the same run: copying every unit's id (a million small allocations and
//! copies), so that the figures read as ratios on a busy machine.
//! Run: `cargo bench -p localcare --bench validate`.

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use localcare::{Footprint, FootprintUnit, Ruleset};

const HUB: &[&str] = &["mdt", "mental_health", "seven_day"];
const ACO: &[&str] = &["population_accountability", "capitated_budget"];

static FOREST: LazyLock<Footprint> = LazyLock::new(|| {
    let mut u = Vec::with_capacity(1_000_000);
    for a in 0..100 {
        u.push(FootprintUnit::aggregate(
            &format!("A{a:03}"),
            None,
            "aco",
            ACO,
        ));
        for h in 0..10 {
            u.push(FootprintUnit::aggregate(
                &format!("H{a:03}{h}"),
                Some(&format!("A{a:03}")),
                "mcp_hub",
                HUB,
            ));
        }
    }
    let mut p = 0;
    while u.len() < 1_000_000 {
        let (a, h) = (p % 100, (p / 100) % 10);
        u.push(FootprintUnit::practice(
            &format!("P{p:07}"),
            &format!("H{a:03}{h}"),
            60,
            &[],
        ));
        p += 1;
    }
    Footprint::new(u)
});

static CHAIN: LazyLock<Footprint> = LazyLock::new(|| {
    let mut u = vec![FootprintUnit::aggregate("U0000000", None, "aco", ACO)];
    for i in 1..1_000_000 {
        u.push(FootprintUnit::aggregate(
            &format!("U{i:07}"),
            Some(&format!("U{:07}", i - 1)),
            "mcp_hub",
            HUB,
        ));
    }
    Footprint::new(u)
});

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10, counter = divan::counter::ItemsCount::new(1_000_000usize))]
fn forest_1m(b: Bencher) {
    let rs = Ruleset::default_builtin();
    let fp = &*FOREST;
    b.bench_local(|| rs.validate(black_box(fp)));
}

#[divan::bench(sample_count = 10, counter = divan::counter::ItemsCount::new(1_000_000usize))]
fn chain_1m(b: Bencher) {
    let rs = Ruleset::default_builtin();
    let fp = &*CHAIN;
    b.bench_local(|| rs.validate(black_box(fp)));
}

#[divan::bench(sample_count = 10, counter = divan::counter::ItemsCount::new(1_000_000usize))]
fn reference_copy_ids(b: Bencher) {
    let fp = &*FOREST;
    b.bench_local(|| {
        black_box(fp)
            .units()
            .iter()
            .map(|u| u.unit_id.clone())
            .collect::<Vec<String>>()
    });
}
