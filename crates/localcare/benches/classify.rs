//! classify_batch over 10 million synthetic units, beside two memory-bandwidth
//! references over the same columns: a plain copy of the populations, and a pass that
//! reads both columns and writes one byte per row (the same traffic as classify, no rule);
//! and classify_batch_u32 over the same units in 32-bit columns.
//! Run: `cargo bench -p localcare --bench classify`. Report rows/s as ratios between them.

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use localcare::Ruleset;

const N: usize = 10_000_000;

struct Input {
    pops: Vec<u64>,
    caps: Vec<u64>,
    pops32: Vec<u32>,
    caps32: Vec<u32>,
}

static INPUT: LazyLock<Input> = LazyLock::new(|| {
    // A deterministic spread over 0..1,000,000 people and all capability sets.
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let pops: Vec<u64> = (0..N).map(|_| next() % 1_000_000).collect();
    let caps: Vec<u64> = (0..N).map(|_| next() & 0x1FF).collect();
    let pops32 = pops.iter().map(|&p| p as u32).collect();
    let caps32 = caps.iter().map(|&c| c as u32).collect();
    Input {
        pops,
        caps,
        pops32,
        caps32,
    }
});

fn main() {
    divan::main();
}

#[divan::bench(counter = divan::counter::ItemsCount::new(N))]
fn classify_batch(b: Bencher) {
    let rs = Ruleset::default_builtin();
    let input = &*INPUT;
    let mut out = vec![0u8; N];
    b.bench_local(|| {
        rs.classify_batch(black_box(&input.pops), black_box(&input.caps), &mut out)
            .unwrap()
    });
}

/// The same units in 32-bit columns (populations fit in u32).
#[divan::bench(counter = divan::counter::ItemsCount::new(N))]
fn classify_batch_u32(b: Bencher) {
    let rs = Ruleset::default_builtin();
    let input = &*INPUT;
    let mut out = vec![0u8; N];
    b.bench_local(|| {
        rs.classify_batch_u32(black_box(&input.pops32), black_box(&input.caps32), &mut out)
            .unwrap()
    });
}

#[divan::bench(counter = divan::counter::ItemsCount::new(N))]
fn reference_copy_populations(b: Bencher) {
    let input = &*INPUT;
    let mut out = vec![0u64; N];
    b.bench_local(|| out.copy_from_slice(black_box(&input.pops)));
}

#[divan::bench(counter = divan::counter::ItemsCount::new(N))]
fn reference_read_both_write_byte(b: Bencher) {
    let input = &*INPUT;
    let mut out = vec![0u8; N];
    b.bench_local(|| {
        for ((o, &p), &c) in out
            .iter_mut()
            .zip(black_box(&input.pops))
            .zip(black_box(&input.caps))
        {
            *o = (p ^ c) as u8;
        }
    });
}
