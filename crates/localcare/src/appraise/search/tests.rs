//! The search against enumeration on small instances: what it finds is an option (its
//! total is what evaluating it gives), never better than the optimum, and the bound is
//! never above the optimum.

use proptest::prelude::*;

use super::*;

/// Every way of choosing `size` of `items`, ascending.
fn combinations(items: &[usize], size: usize) -> Vec<Vec<usize>> {
    if size == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for (k, &first) in items.iter().enumerate() {
        for mut rest in combinations(&items[k + 1..], size - 1) {
            rest.insert(0, first);
            out.push(rest);
        }
    }
    out
}

/// The optimum by enumeration: least total over every option, and least over the
/// options that reach every zone.
fn enumerate(p: &SearchProblem, size: usize) -> (i128, Option<i128>) {
    let candidates: Vec<usize> = (0..p.sites()).filter(|&s| !p.fixed[s]).collect();
    let mut any = i128::MAX;
    let mut reaching = None::<i128>;
    for c in combinations(&candidates, size) {
        let f = p.evaluate(&c);
        any = any.min(f.total);
        if f.unreached_zones == 0 {
            reaching = Some(reaching.map_or(f.total, |r| r.min(f.total)));
        }
    }
    (any, reaching)
}

prop_compose! {
    fn instance()(zones in 1usize..12, sites in 1usize..7)(
        time in prop::collection::vec(prop_oneof![9 => 0u32..60, 1 => Just(UNREACHED)], zones * sites),
        weight in prop::collection::vec(0u64..20, zones),
        fixed in prop::collection::vec(prop::bool::weighted(0.2), sites),
        zones in Just(zones),
        sites in Just(sites),
        size_pick in 0usize..7,
    ) -> (usize, usize, Vec<u32>, Vec<u64>, Vec<bool>, usize) {
        (zones, sites, time, weight, fixed, size_pick)
    }
}

proptest! {
    #[test]
    fn found_and_bound_sandwich_the_optimum((zones, sites, time, weight, fixed, size_pick) in instance()) {
        let Ok(p) = SearchProblem::new(zones, sites, time, weight, fixed) else {
            // A zone that reaches nothing: refused, tested below.
            return Ok(());
        };
        let size = size_pick % (p.candidates() + 1);
        let params = SearchParams { restarts: 4, ..SearchParams::default() };
        match p.search(size, &params) {
            Err(SearchError::Empty) => prop_assert!(size == 0 && !p.fixed.iter().any(|&f| f)),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
            Ok(out) => {
                let (opt, opt_reaching) = enumerate(&p, size);
                prop_assert_eq!(&p.evaluate(&out.found.chosen), &out.found);
                prop_assert_eq!(out.found.chosen.len(), size);
                prop_assert!(out.found.total >= opt);
                if let Some(r) = opt_reaching {
                    prop_assert!(out.bound <= r, "bound {} above the optimum {}", out.bound, r);
                }
                let volume: u128 = out.found.volume.iter().sum();
                let reached: u128 = (0..p.zones()).map(|z| u128::from(p.weight[z])).sum::<u128>();
                prop_assert!(volume <= reached);
                // The same answer again: deterministic for a seed.
                prop_assert_eq!(p.search(size, &params).unwrap(), out);
            }
        }
    }
}

/// Instances drawn from a fixed seed: on small ones the search finds the optimum
/// (the interchange and restarts are enough where the neighbourhood is most of the
/// long list), and the bound proves it within the target gap.
#[test]
fn finds_the_optimum_on_small_instances() {
    let mut rng = 7u64;
    let mut next = |m: u64| {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 33) % m
    };
    let (mut found_opt, mut total) = (0, 0);
    for _ in 0..200 {
        let (zones, sites) = (5 + next(20) as usize, 4 + next(6) as usize);
        let time: Vec<u32> = (0..zones * sites).map(|_| next(90) as u32).collect();
        let weight: Vec<u64> = (0..zones).map(|_| 1 + next(30)).collect();
        let p = SearchProblem::new(zones, sites, time, weight, vec![false; sites]).unwrap();
        let size = 1 + next(sites as u64 - 1) as usize;
        let out = p.search(size, &SearchParams::default()).unwrap();
        let (opt, _) = enumerate(&p, size);
        assert!(out.bound <= opt && out.found.total >= opt);
        total += 1;
        found_opt += usize::from(out.found.total == opt);
    }
    assert_eq!(
        found_opt, total,
        "the search missed the optimum on some instances"
    );
}

#[test]
fn interchange_repairs_a_greedy_start() {
    // Zones at 0, 1, 9, 10 on a line; sites at 0, 1, 5, 9, 10. Greedy opens the
    // middle site (5) first, then one end; the best pair is one site at each end.
    let (zs, ss) = ([0i64, 1, 9, 10], [0i64, 1, 5, 9, 10]);
    let time: Vec<u32> = ss
        .iter()
        .flat_map(|s| zs.iter().map(move |z| (s - z).unsigned_abs() as u32))
        .collect();
    let p = SearchProblem::new(4, 5, time, vec![1; 4], vec![false; 5]).unwrap();
    let params = SearchParams {
        restarts: 1,
        ..SearchParams::default()
    };
    let out = p.search(2, &params).unwrap();
    assert_eq!(out.found.total, 2);
    assert_eq!(out.bound, 2);
    assert_eq!(out.gap_ppm(), Some(0));
}

#[test]
fn fixed_sites_take_their_nearest_and_are_not_chosen() {
    // Zones at 0 and 10; site 0 at 0 is fixed open; candidates at 9 and 10.
    let time = vec![0, 10, 9, 1, 10, 0];
    let p = SearchProblem::new(2, 3, time, vec![3, 2], vec![true, false, false]).unwrap();
    let out = p.search(1, &SearchParams::default()).unwrap();
    assert_eq!(out.found.chosen, vec![2]);
    assert_eq!(out.found.total, 0);
    assert_eq!(out.found.volume, vec![3, 0, 2]);
}

#[test]
fn bad_problems_are_refused() {
    assert_eq!(
        SearchProblem::new(2, 2, vec![1, 2, 3], vec![1, 1], vec![false; 2]).unwrap_err(),
        SearchError::Shape {
            given: 3,
            zones: 2,
            sites: 2,
            needed: 4
        }
    );
    assert_eq!(
        SearchProblem::new(2, 2, vec![1; 4], vec![1], vec![false; 2]).unwrap_err(),
        SearchError::Length {
            what: "weight",
            given: 1,
            expected: 2
        }
    );
    assert_eq!(
        SearchProblem::new(2, 1, vec![1, UNREACHED], vec![1, 1], vec![false]).unwrap_err(),
        SearchError::ZoneUnreachable { zone: 1 }
    );
    let p = SearchProblem::new(1, 2, vec![1, 2], vec![1], vec![false; 2]).unwrap();
    assert_eq!(
        p.search(3, &SearchParams::default()).unwrap_err(),
        SearchError::SizeTooLarge {
            size: 3,
            candidates: 2
        }
    );
    assert_eq!(
        p.search(0, &SearchParams::default()).unwrap_err(),
        SearchError::Empty
    );
}

#[test]
fn the_curve_warm_starts_each_size() {
    let at: Vec<u32> = (0..12).map(|k| k * 7 % 23).collect();
    let time: Vec<u32> = at
        .iter()
        .flat_map(|s| at.iter().map(move |z| s.abs_diff(*z)))
        .collect();
    let p = SearchProblem::new(12, 12, time, vec![1; 12], vec![false; 12]).unwrap();
    let curve = p.curve(1..=6, &SearchParams::default()).unwrap();
    assert_eq!(curve.len(), 6);
    for w in curve.windows(2) {
        // The next size starts from this one's best plus one site, and only improves.
        assert!(
            w[1].found.total <= w[0].found.total,
            "more sites never travel further"
        );
    }
    for o in &curve {
        let (opt, _) = enumerate(&p, o.size);
        assert!(o.bound <= opt && opt <= o.found.total, "size {}", o.size);
    }
}

/// The optimum under volume limits by enumeration: least total over the options that
/// reach every zone with every open site within its limits.
fn enumerate_within(p: &SearchProblem, size: usize) -> Option<i128> {
    let candidates: Vec<usize> = (0..p.sites()).filter(|&s| !p.fixed[s]).collect();
    combinations(&candidates, size)
        .into_iter()
        .map(|c| p.evaluate(&c))
        .filter(|f| f.unreached_zones == 0 && f.outside_limits == 0)
        .map(|f| f.total)
        .min()
}

proptest! {
    /// Under volume limits, the search's answer is an option (evaluating it gives the
    /// same), it keeps the limits whenever some option does, it is never better than
    /// the limited optimum, and the bound is never above that optimum.
    #[test]
    fn volume_limits_are_kept_and_the_bound_holds(
        (zones, sites, time, weight, fixed, size_pick) in instance(),
        lo in 0u128..40,
        span in prop::option::of(0u128..60),
    ) {
        let hi = span.map_or(u128::MAX, |s| lo + s);
        let Ok(p) = SearchProblem::new(zones, sites, time, weight.clone(), fixed) else {
            return Ok(());
        };
        let p = p.with_volume_limits(weight, vec![(lo, hi); sites]).unwrap();
        let size = size_pick % (p.candidates() + 1);
        let params = SearchParams { restarts: 4, ..SearchParams::default() };
        let Ok(out) = p.search(size, &params) else { return Ok(()) };
        prop_assert_eq!(&p.evaluate(&out.found.chosen), &out.found);
        match enumerate_within(&p, size) {
            Some(best) => {
                prop_assert!(out.bound <= best, "bound {} above the limited optimum {}", out.bound, best);
                if out.found.outside_limits == 0 && out.found.unreached_zones == 0 {
                    prop_assert!(out.found.total >= best);
                }
            }
            None => prop_assert!(out.found.outside_limits > 0 || out.found.unreached_zones > 0),
        }
    }
}

/// On small instances with limits that bind, the search finds an option within them
/// almost whenever enumeration does, and almost always the limited optimum.
#[test]
fn finds_the_limited_optimum_on_small_instances() {
    let mut rng = 11u64;
    let mut next = |m: u64| {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 33) % m
    };
    let (mut feasible, mut kept, mut optimal, mut binding) = (0, 0, 0, 0);
    for _ in 0..300 {
        let (zones, sites) = (6 + next(20) as usize, 4 + next(6) as usize);
        let time: Vec<u32> = (0..zones * sites).map(|_| next(90) as u32).collect();
        let weight: Vec<u64> = (0..zones).map(|_| 1 + next(30)).collect();
        let size = 2 + next(sites as u64 - 2) as usize;
        let total: u64 = weight.iter().sum();
        // Each open site at least half its even share: binds often, rarely impossible.
        let lo = u128::from(total) / (2 * size as u128);
        let p = SearchProblem::new(zones, sites, time, weight.clone(), vec![false; sites])
            .unwrap()
            .with_volume_limits(weight, vec![(lo, u128::MAX); sites])
            .unwrap();
        let free = enumerate(&p, size).0;
        let Some(best) = enumerate_within(&p, size) else {
            continue;
        };
        feasible += 1;
        binding += usize::from(best > free);
        let out = p.search(size, &SearchParams::default()).unwrap();
        if out.found.outside_limits == 0 {
            kept += 1;
            optimal += usize::from(out.found.total == best);
        }
    }
    assert!(
        binding > 20,
        "only {binding} instances where the limits bind"
    );
    // A heuristic: where only a handful of the long list keeps the limits, single
    // swaps and kicks can miss them all (1 of 257 here). The appraisal enumerates
    // lists this small; the search is for the ones it cannot.
    assert!(
        kept * 100 >= feasible * 99,
        "an option within the limits found on {kept} of {feasible}"
    );
    assert!(
        optimal * 100 >= feasible * 95,
        "the limited optimum found on {optimal} of {feasible}"
    );
}
