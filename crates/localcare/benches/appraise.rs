//! The appraisal's long list at the issue's size: every option of 3 to 6 sites out of 24
//! (189,750 options) projected over 2,000 zones, each held to three hurdles and the
//! shortlist ranked, spread over the cores (target: at most 2 s on 2 cores). Beside it
//! in the same run, the reference: the same projection done the plain way on one core
//! (for every option, every zone scans the option's sites for the nearest), with the
//! same sums but no hurdles, text or ranking. Run:
//! `cargo bench -p localcare --bench appraise`.

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use localcare::Ruleset;
use localcare::appraise::{
    AppraisalInput, AppraisalRequest, PreparedAppraisal, Site, TravelTime, Zone,
};

const SITES: usize = 24;
const ZONES: usize = 2_000;

const RULESET: &str = r#"
schema = 1
id = "bench"
title = "Benchmark appraisal"
version = "1"
[capabilities.seven_day_consultant]
description = "7-day consultant-led service"
[[tiers]]
id = "site"
name = "Site"
parents = ["network"]
[[tiers]]
id = "network"
name = "Network"
parents = ["strategic_commissioner"]
[appraisal]
min_sites = 3
max_sites = 6
max_options = 200_000
within_minutes = 30
[[appraisal.hurdles]]
id = "volume"
name = "Admissions per HASU"
kind = "volume"
min = 500
max = 1500
[[appraisal.hurdles]]
id = "travel"
name = "Longest travel"
kind = "max_travel"
max = 60
[[appraisal.hurdles]]
id = "seven_day"
name = "7-day service"
kind = "capabilities"
capabilities = ["seven_day_consultant"]
[[appraisal.criteria]]
id = "access"
name = "Mean travel"
weight = "0.6"
measure = "mean_travel"
scale = [20, 25, 30, 35]
[[appraisal.criteria]]
id = "sustainability"
name = "Smallest HASU"
weight = "0.4"
measure = "min_volume"
scale = [900, 750, 600, 500]
"#;

/// 24 sites on a 160 x 100 km county, 2,000 zones, every pair's minutes (deterministic).
fn input() -> AppraisalInput {
    let mut x: u64 = 0x2017_0000_5EED;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let sites: Vec<(Site, (f64, f64))> = (0..SITES)
        .map(|i| {
            let mut s = Site::new(format!("S{i:02}"), 200 + (next() % 300) as i64);
            if i % 5 != 4 {
                s.capabilities.push("seven_day_consultant".into());
            }
            (s, ((next() % 160) as f64, (next() % 100) as f64))
        })
        .collect();
    let zones: Vec<(Zone, (f64, f64))> = (0..ZONES)
        .map(|i| {
            (
                Zone::strokes(format!("Z{i:04}"), 2 + (next() % 5) as i64),
                ((next() % 160) as f64, (next() % 100) as f64),
            )
        })
        .collect();
    let mut travel = Vec::with_capacity(SITES * ZONES);
    for (z, zp) in &zones {
        for (s, sp) in &sites {
            let km = ((zp.0 - sp.0).powi(2) + (zp.1 - sp.1).powi(2)).sqrt();
            travel.push(TravelTime::new(
                &z.id,
                &s.id,
                5 + (km * 1.2 / 75.0 * 60.0) as i64,
            ));
        }
    }
    AppraisalInput {
        sites: sites.into_iter().map(|(s, _)| s).collect(),
        zones: zones.into_iter().map(|(z, _)| z).collect(),
        travel,
        matrix: None,
    }
}

static PREPARED: LazyLock<PreparedAppraisal> = LazyLock::new(|| {
    Ruleset::from_toml_str(RULESET)
        .unwrap()
        .prepare_appraisal(&input())
        .unwrap()
});

/// The plain projection: a dense matrix of minutes, every option's zones scanning its
/// sites; returns a checksum of the sums the appraisal computes.
static DENSE: LazyLock<(Vec<i64>, Vec<i64>)> = LazyLock::new(|| {
    let input = input();
    let minutes = input
        .travel
        .iter()
        .map(|t| t.minutes.mantissa() as i64)
        .collect();
    let strokes = input
        .zones
        .iter()
        .map(|z| z.strokes.unwrap().mantissa() as i64)
        .collect();
    (minutes, strokes)
});

fn reference() -> i128 {
    let (minutes, strokes) = &*DENSE;
    let mut check: i128 = 0;
    let mut option = Vec::with_capacity(6);
    let mut volume = [0i64; SITES];
    fn combos(start: usize, k: usize, option: &mut Vec<usize>, f: &mut dyn FnMut(&[usize])) {
        if option.len() == k {
            f(option);
            return;
        }
        for s in start..SITES {
            option.push(s);
            combos(s + 1, k, option, f);
            option.pop();
        }
    }
    for k in 3..=6 {
        combos(0, k, &mut option, &mut |o: &[usize]| {
            let (mut max, mut sum, mut within) = (0i64, 0i128, 0i64);
            for z in 0..ZONES {
                let row = &minutes[z * SITES..(z + 1) * SITES];
                let (mut best, mut at) = (i64::MAX, 0);
                for &s in o {
                    if row[s] < best {
                        best = row[s];
                        at = s;
                    }
                }
                volume[at] += strokes[z];
                max = max.max(best);
                sum += (strokes[z] * best) as i128;
                if best <= 30 {
                    within += strokes[z];
                }
            }
            let smallest = o
                .iter()
                .map(|&s| std::mem::take(&mut volume[s]))
                .min()
                .unwrap();
            check += sum + (max + within + smallest) as i128;
        });
    }
    check
}

fn main() {
    LazyLock::force(&PREPARED);
    LazyLock::force(&DENSE);
    divan::main();
}

/// The long list appraised: 189,750 options, hurdles, shortlist, ranking.
#[divan::bench(sample_count = 5)]
fn appraise_long_list(bencher: Bencher) {
    let request = AppraisalRequest::default();
    bencher.bench(|| {
        let a = PREPARED.appraise(black_box(&request)).unwrap();
        assert_eq!(a.options.len(), 189_750);
        a.ranking.len()
    });
}

/// The reference: the same projection, the plain way, on one core.
#[divan::bench(sample_count = 5)]
fn reference_plain_projection(bencher: Bencher) {
    bencher.bench(reference);
}
