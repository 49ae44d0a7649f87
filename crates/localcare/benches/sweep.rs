//! Sweeps on the SYNTHETIC England-shaped footprint (`examples/england/footprint.csv`:
//! 8,670 units, 6,528 practices, 60.3 million people): 1,000 and 10,000 budgets in one
//! call over all cores, against the same scenarios one `allocate` at a time and against
//! a float cascade (f64 shares floored, largest remainder per split: what numpy would
//! do, without exactness) over the same tree in the same run. Run:
//! `cargo bench -p localcare --bench sweep`.

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use localcare::allocate::{Needs, PreparedFootprint, Scenario};
use localcare::{Footprint, FootprintUnit, Ruleset};

const CSV: &str = include_str!("../../../examples/england/footprint.csv");

fn footprint() -> Footprint {
    let mut units = Vec::new();
    for line in CSV.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let caps: Vec<&str> = f[4].split(';').filter(|c| !c.is_empty()).collect();
        units.push(if f[2] == "gp_practice" {
            FootprintUnit::practice(f[0], f[1], f[3].parse().unwrap(), &caps)
        } else {
            FootprintUnit::aggregate(f[0], (!f[1].is_empty()).then_some(f[1]), f[2], &caps)
        });
    }
    Footprint::new(units)
}

static ENGLAND: LazyLock<PreparedFootprint> = LazyLock::new(|| {
    Ruleset::builtin("kent-medway-2017")
        .unwrap()
        .prepare(&footprint(), &Needs::default())
        .unwrap()
});

/// £90bn upward in £10m steps.
fn budgets(n: usize) -> Vec<Scenario> {
    (0..n)
        .map(|s| Scenario::budget(9_000_000_000_000 + s as i64 * 1_000_000_000))
        .collect()
}

fn main() {
    divan::main();
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn sweep(b: Bencher, n: usize) {
    let p = &*ENGLAND;
    let s = budgets(n);
    b.counter(divan::counter::ItemsCount::new(n * p.len()))
        .bench_local(|| p.sweep(black_box(&s)).unwrap());
}

#[divan::bench(args = [1_000], sample_count = 10)]
fn allocate_each(b: Bencher, n: usize) {
    let p = &*ENGLAND;
    let s = budgets(n);
    b.counter(divan::counter::ItemsCount::new(n * p.len()))
        .bench_local(|| p.allocate_many(black_box(&s)).unwrap());
}
