//! The appraisal's search (`localcare::appraise::search`): on instances small enough
//! to enumerate, what it finds is an option of the size asked (its total is what
//! evaluating it gives), never better than the optimum, and the proven bound is never
//! above the best option that reaches every zone.

use localcare::appraise::search::{SearchError, SearchParams, SearchProblem, UNREACHED};

use crate::Bytes;

/// Every way of choosing `size` of `items`.
fn combinations(items: &[usize], size: usize, out: &mut Vec<Vec<usize>>, prefix: &mut Vec<usize>) {
    if prefix.len() == size {
        out.push(prefix.clone());
        return;
    }
    for (k, &first) in items.iter().enumerate() {
        prefix.push(first);
        combinations(&items[k + 1..], size, out, prefix);
        prefix.pop();
    }
}

/// Zones and sites (at most 9 and 7), times from the bytes (255 unreachable), weights,
/// fixed-open sites, a size and a seed: the search against the long list.
pub fn search(data: &[u8]) {
    let mut b = Bytes(data);
    let zones = 1 + usize::from(b.u8() % 9);
    let sites = 1 + usize::from(b.u8() % 7);
    let time: Vec<u32> = (0..zones * sites)
        .map(|_| match b.u8() {
            255 => UNREACHED,
            t => u32::from(t) * (1 + u32::from(b.u8() % 4) * 1000),
        })
        .collect();
    let weight: Vec<u64> = (0..zones).map(|_| b.u64() >> (b.u8() % 64)).collect();
    let fixed: Vec<bool> = (0..sites).map(|_| b.u8() % 5 == 0).collect();
    let size = usize::from(b.u8() % 8);
    let params = SearchParams {
        restarts: 1 + usize::from(b.u8() % 4),
        choose_among: 1 + usize::from(b.u8() % 3),
        seed: b.u64(),
        bound_iterations: usize::from(b.u8()) * 4,
        target_gap_ppm: u64::from(b.u8()),
    };
    let Ok(p) = SearchProblem::new(zones, sites, time, weight, fixed.clone()) else {
        return;
    };
    let out = match p.search(size, &params) {
        Ok(out) => out,
        Err(SearchError::SizeTooLarge { .. }) => {
            assert!(size > p.candidates());
            return;
        }
        Err(SearchError::Empty) => {
            assert!(size == 0 && !fixed.contains(&true));
            return;
        }
        Err(e) => panic!("unexpected refusal: {e}"),
    };
    assert_eq!(out.found.chosen.len(), size);
    assert_eq!(
        p.evaluate(&out.found.chosen),
        out.found,
        "the found option's figures"
    );
    let candidates: Vec<usize> = (0..sites).filter(|&s| !fixed[s]).collect();
    let mut all = Vec::new();
    combinations(&candidates, size, &mut all, &mut Vec::new());
    let mut best_reaching = None::<i128>;
    for c in &all {
        let f = p.evaluate(c);
        assert!(f.total >= 0);
        if f.unreached_zones == 0 {
            best_reaching = Some(best_reaching.map_or(f.total, |r| r.min(f.total)));
        }
    }
    let optimum = all
        .iter()
        .map(|c| p.evaluate(c).total)
        .min()
        .expect("size <= candidates");
    assert!(
        out.found.total >= optimum,
        "found {} below the optimum {optimum}",
        out.found.total
    );
    if let Some(r) = best_reaching {
        assert!(out.bound <= r, "bound {} above the optimum {r}", out.bound);
        assert!(out.gap_ppm().is_none() || out.found.total >= r);
    }
}
