use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::*;
use crate::Ruleset;

/// The hand-worked vector's ruleset and input (`tests/vectors/appraise/hand-worked.json`).
pub(crate) fn hand_worked() -> (Ruleset, AppraisalInput, AppraisalRequest) {
    let v: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../tests/vectors/appraise/hand-worked.json"
    ))
    .unwrap();
    let rs = Ruleset::from_toml_str(v["ruleset_toml"].as_str().unwrap()).unwrap();
    let dec = |x: &serde_json::Value| -> Decimal {
        match x {
            serde_json::Value::String(s) => s.parse().unwrap(),
            x => x.to_string().parse().unwrap(),
        }
    };
    let sites = v["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut measures = BTreeMap::new();
            for (k, x) in s.as_object().unwrap() {
                if !["site_id", "name", "admissions", "capabilities"].contains(&k.as_str()) {
                    measures.insert(k.clone(), dec(x));
                }
            }
            Site {
                id: s["site_id"].as_str().unwrap().into(),
                name: s["name"].as_str().unwrap().into(),
                admissions: s["admissions"].as_i64().unwrap(),
                capabilities: s["capabilities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect(),
                measures,
                fixed_open: false,
            }
        })
        .collect();
    let zones = v["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| Zone {
            id: z["zone_id"].as_str().unwrap().into(),
            strokes: (!z["strokes"].is_null()).then(|| dec(&z["strokes"])),
            population: z["population"].as_i64(),
            in_area: z["in_area"].as_bool().unwrap_or(true),
        })
        .collect();
    let travel = v["travel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| TravelTime {
            zone_id: t["zone_id"].as_str().unwrap().into(),
            site_id: t["site_id"].as_str().unwrap().into(),
            minutes: dec(&t["minutes"]),
        })
        .collect();
    let scores = v["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| CallerScore {
            option_id: s["option_id"].as_str().unwrap().into(),
            criterion: s["criterion"].as_str().unwrap().into(),
            score: parse_score(s["score"].as_str().unwrap()).unwrap(),
        })
        .collect();
    (
        rs,
        AppraisalInput {
            sites,
            zones,
            travel,
            matrix: None,
        },
        AppraisalRequest {
            scores,
            ..AppraisalRequest::default()
        },
    )
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn hand_worked_example() {
    let (rs, input, request) = hand_worked();
    let a = rs.appraise(&input, &request).unwrap();
    let ids: Vec<&str> = a.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C", "A+B", "A+C", "B+C"]);
    assert_eq!(a.total_patients, d("250") * d("5"));
    let vols = |i: usize| -> Vec<(String, Decimal)> {
        a.options[i]
            .hasus
            .iter()
            .map(|h| (h.site_id.clone(), h.projected_admissions))
            .collect()
    };
    assert_eq!(vols(3), [("A".into(), d("400")), ("B".into(), d("850"))]);
    assert_eq!(vols(4), [("A".into(), d("700")), ("C".into(), d("550"))]);
    assert_eq!(vols(5), [("B".into(), d("700")), ("C".into(), d("550"))]);
    let passed: Vec<bool> = a.options.iter().map(|o| o.passed).collect();
    assert_eq!(passed, [false, false, false, false, true, true]);
    let a0 = &a.options[0];
    assert!(!a0.hurdles[0].passed && !a0.hurdles[1].passed);
    assert_eq!(
        a0.hurdles[1].remedy.as_deref(),
        Some("add a site within 45 min of Z4, such as C (30 min)")
    );
    assert_eq!(
        a.options[3].hurdles[0].remedy.as_deref(),
        Some("A needs 100 more admissions a year (fewer HASUs, or HASUs drawing from more zones)")
    );
    assert_eq!(a.options[4].mean_travel_minutes, d("19.6"));
    assert_eq!(a.options[5].mean_travel_minutes, d("23.6"));
    assert_eq!(a.options[5].max_travel_zone, "Z1");
    assert_eq!(a.options[4].total, Some(d("1.2")));
    assert_eq!(a.options[5].total, Some(d("1.4")));
    assert_eq!(a.preferred().unwrap().id, "B+C");
    assert_eq!(a.ranking, [5, 4]);
    let s = a.swap.as_ref().unwrap();
    assert_eq!(
        (
            s.criterion.as_str(),
            s.weight,
            s.tie_weight,
            s.change,
            s.swaps_at_tie
        ),
        ("access", d("0.4"), d("0.3"), d("-0.1"), true)
    );
    // At the tie weight the other option does rank first.
    let mut r2 = request.clone();
    r2.weights.insert("access".into(), d("0.3"));
    let b = rs.appraise(&input, &r2).unwrap();
    assert_eq!(b.preferred().unwrap().id, "A+C");
    let mut text = a.explanation().join("\n");
    for i in 0..a.options.len() {
        text.push_str("\n\n");
        text.push_str(&a.explain_option(i).join("\n"));
    }
    insta::assert_snapshot!("hand_worked_explanation", text);
}

#[test]
fn no_option_passing_names_the_nearest_misses() {
    let (rs, input, request) = hand_worked();
    let r = AppraisalRequest {
        sites_per_option: Some((1, 1)),
        scores: Vec::new(),
        ..request
    };
    let a = rs.appraise(&input, &r).unwrap();
    assert!(a.preferred().is_none() && a.swap.is_none());
    insta::assert_snapshot!("no_option_passes", a.explanation().join("\n"));
}

#[test]
fn a_ruleset_without_a_policy_says_so() {
    let rs = Ruleset::builtin("kent-medway-2017").unwrap();
    let (_, input, request) = hand_worked();
    assert_eq!(
        rs.appraise(&input, &request).unwrap_err().to_string(),
        "ruleset kent-medway-2017 has no appraisal policy"
    );
}

mod properties {
    use proptest::prelude::*;

    use super::super::*;
    use crate::Ruleset;

    const RULESET: &str = r#"
schema = 1
id = "prop"
title = "t"
version = "1"
[capabilities.seven_day]
description = "d"
[[tiers]]
id = "site"
name = "Site"
parents = ["network"]
[[tiers]]
id = "network"
name = "Network"
parents = ["strategic_commissioner"]
[appraisal]
min_sites = 1
max_sites = 4
within_minutes = 20
[[appraisal.hurdles]]
id = "volume"
name = "v"
kind = "volume"
min = 30
max = 200
[[appraisal.hurdles]]
id = "travel"
name = "t"
kind = "max_travel"
max = 40
[[appraisal.hurdles]]
id = "near"
name = "n"
kind = "share_within"
minutes = 25
min_share = "0.5"
[[appraisal.criteria]]
id = "access"
name = "a"
weight = "0.5"
measure = "mean_travel"
scale = [10, 20, 30, 40]
[[appraisal.criteria]]
id = "size"
name = "s"
weight = "0.3"
measure = "min_volume"
scale = [120, 90, 60, 30]
[[appraisal.criteria]]
id = "within"
name = "w"
weight = "0.2"
measure = "share_within"
minutes = 25
scale = ["0.9", "0.8", "0.6", "0.4"]
"#;

    /// Sites, zones (some by population) and every pair's minutes (some tenths).
    fn input() -> impl Strategy<Value = AppraisalInput> {
        (4usize..8, 1usize..12).prop_flat_map(|(n, nz)| {
            (
                proptest::collection::vec(0i64..500, n),
                proptest::collection::vec((1i64..60, any::<bool>()), nz),
                proptest::collection::vec((0i64..600, any::<bool>()), n * nz),
            )
                .prop_map(move |(adm, zones, times)| AppraisalInput {
                    sites: adm
                        .iter()
                        .enumerate()
                        .map(|(i, &a)| Site::new(format!("S{i}"), a))
                        .collect(),
                    zones: zones
                        .iter()
                        .enumerate()
                        .map(|(i, &(w, half))| Zone {
                            id: format!("Z{i:02}"),
                            strokes: Some(
                                Decimal::from(w)
                                    + if half {
                                        Decimal::new(5, 1)
                                    } else {
                                        Decimal::ZERO
                                    },
                            ),
                            population: None,
                            in_area: true,
                        })
                        .collect(),
                    travel: times
                        .iter()
                        .enumerate()
                        .map(|(i, &(t, tenth))| TravelTime {
                            zone_id: format!("Z{:02}", i / n),
                            site_id: format!("S{}", i % n),
                            minutes: if tenth {
                                Decimal::new(t, 1)
                            } else {
                                Decimal::new(t / 10, 0)
                            },
                        })
                        .collect(),
                    matrix: None,
                })
        })
    }

    fn rs() -> Ruleset {
        Ruleset::from_toml_str(RULESET).unwrap()
    }

    /// Past its bound, the long list is searched: for each size, the option found
    /// travels no less than the enumerated best (it is an option), the proven bound is
    /// no more, and the option is appraised as the enumerated list appraises it.
    fn check_search(input: &AppraisalInput) -> Result<(), TestCaseError> {
        let rs = rs();
        let r = |max_options| AppraisalRequest {
            sites_per_option: Some((1, 3)),
            max_options,
            ..AppraisalRequest::default()
        };
        let all = match rs.appraise(input, &r(None)) {
            Ok(a) => a,
            // A zone some option cannot reach: the search refuses it too.
            Err(_) => return Ok(()),
        };
        prop_assert!(all.search.is_empty());
        let searched = rs.appraise(input, &r(Some(1))).unwrap();
        prop_assert_eq!(searched.search.len(), 3);
        for (row, size) in searched.search.iter().zip(1..) {
            prop_assert_eq!(row.hasus, size);
            let best = all
                .options
                .iter()
                .filter(|o| o.hasus.len() == size)
                .map(|o| o.mean_travel_minutes)
                .min()
                .unwrap();
            prop_assert!(row.bound_minutes <= best && best <= row.mean_travel_minutes);
            let o = searched
                .options
                .iter()
                .find(|o| o.id == row.option_id)
                .unwrap();
            let same = all.options.iter().find(|x| x.id == o.id).unwrap();
            // The same appraisal but for its rank, which is among fewer options.
            let unranked = |o: &OptionAppraisal| {
                view(&OptionAppraisal {
                    rank: None,
                    ..o.clone()
                })
            };
            prop_assert_eq!(unranked(o), unranked(same));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn a_long_list_past_its_bound_is_searched(input in input()) {
            check_search(&input)?;
        }
    }

    /// A fixed-open site is designated in every option and not a choice: the long list
    /// over the candidates with it fixed projects exactly as the same options given
    /// with it named, and is one option per set of candidates.
    fn check_fixed(input: &AppraisalInput) -> Result<(), TestCaseError> {
        let rs = rs();
        let mut fixed = input.clone();
        let at = fixed.sites.iter().position(|s| s.id == "S0").unwrap();
        fixed.sites[at].fixed_open = true;
        let request = AppraisalRequest {
            sites_per_option: Some((1, 2)),
            ..AppraisalRequest::default()
        };
        let Ok(a) = rs.appraise(&fixed, &request) else {
            return Ok(());
        };
        let n = input.sites.len() - 1;
        prop_assert_eq!(a.options.len(), n + n * (n - 1) / 2);
        prop_assert_eq!(&a.fixed_open, &vec!["S0".to_string()]);
        let given: Vec<AppraisalOption> = a
            .options
            .iter()
            .map(|o| AppraisalOption {
                id: format!("S0+{}", o.id),
                sites: std::iter::once("S0")
                    .chain(o.id.split('+'))
                    .map(str::to_string)
                    .collect(),
            })
            .collect();
        let b = rs
            .appraise(
                input,
                &AppraisalRequest {
                    options: Some(given),
                    ..AppraisalRequest::default()
                },
            )
            .unwrap();
        for (x, y) in a.options.iter().zip(&b.options) {
            prop_assert!(!x.id.split('+').any(|s| s == "S0"));
            prop_assert_eq!(x.mean_travel_minutes, y.mean_travel_minutes);
            prop_assert_eq!(x.max_travel_minutes, y.max_travel_minutes);
            prop_assert_eq!(x.share_within, y.share_within);
            let view = |o: &OptionAppraisal| {
                o.hasus
                    .iter()
                    .map(|h| (h.site_id.clone(), h.projected_admissions, h.zones))
                    .collect::<Vec<_>>()
            };
            prop_assert_eq!(view(x), view(y));
            prop_assert!(x.hasus.iter().all(|h| h.fixed_open == (h.site_id == "S0")));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn a_fixed_open_site_is_in_every_option_and_never_a_choice(input in input()) {
            check_fixed(&input)?;
        }
    }

    /// Zones outside the area send their patients to their nearest open unit: every
    /// HASU's volume is the volume with every zone in the area, its out-of-area part
    /// is that less the volume of the area's zones alone, and the travel measures are
    /// those of the area's zones alone; the search's bound holds over the area's
    /// patients.
    fn check_out_of_area(input: &AppraisalInput, out: &[bool]) -> Result<(), TestCaseError> {
        let rs = rs();
        let mut marked = input.clone();
        for (z, &o) in marked.zones.iter_mut().zip(out.iter().cycle()) {
            z.in_area = !o;
        }
        if marked.zones.iter().all(|z| !z.in_area) {
            marked.zones[0].in_area = true;
        }
        let outside: Vec<String> = marked
            .zones
            .iter()
            .filter(|z| !z.in_area)
            .map(|z| z.id.clone())
            .collect();
        let mut alone = marked.clone();
        alone.zones.retain(|z| z.in_area);
        alone.travel.retain(|t| !outside.contains(&t.zone_id));
        let request = AppraisalRequest {
            sites_per_option: Some((1, 3)),
            ..AppraisalRequest::default()
        };
        let (Ok(all), Ok(m), Ok(a)) = (
            rs.appraise(input, &request),
            rs.appraise(&marked, &request),
            rs.appraise(&alone, &request),
        ) else {
            return Ok(());
        };
        prop_assert_eq!(m.out_of_area_zones, outside.len());
        prop_assert_eq!(m.total_patients, a.total_patients);
        prop_assert_eq!(
            m.total_patients + m.out_of_area_patients,
            all.total_patients
        );
        for ((x, y), z) in m.options.iter().zip(&a.options).zip(&all.options) {
            prop_assert_eq!(&x.id, &y.id);
            prop_assert_eq!(x.mean_travel_minutes, y.mean_travel_minutes);
            prop_assert_eq!(x.max_travel_minutes, y.max_travel_minutes);
            prop_assert_eq!(&x.max_travel_zone, &y.max_travel_zone);
            prop_assert_eq!(x.share_within, y.share_within);
            for ((hx, hy), hz) in x.hasus.iter().zip(&y.hasus).zip(&z.hasus) {
                prop_assert_eq!(hx.projected_admissions, hz.projected_admissions);
                prop_assert_eq!(hx.zones, hz.zones);
                prop_assert_eq!(
                    hx.out_of_area_admissions,
                    hz.projected_admissions - hy.projected_admissions
                );
            }
        }
        let searched = rs
            .appraise(
                &marked,
                &AppraisalRequest {
                    max_options: Some(1),
                    ..request
                },
            )
            .unwrap();
        for row in &searched.search {
            let best = m
                .options
                .iter()
                .filter(|o| o.hasus.len() == row.hasus)
                .map(|o| o.mean_travel_minutes)
                .min()
                .unwrap();
            prop_assert!(row.bound_minutes <= best && best <= row.mean_travel_minutes);
        }
        Ok(())
    }

    /// Each option's catchment is the projection's own assignment: every zone once,
    /// each at a designated site, the patients per site adding up to its projected
    /// admissions, the area's patients x minutes to its mean travel.
    fn check_catchment(input: &AppraisalInput) -> Result<(), TestCaseError> {
        let Ok(a) = rs().appraise(input, &AppraisalRequest::default()) else {
            return Ok(());
        };
        for (i, o) in a.options.iter().enumerate() {
            let c = a.catchment(i);
            prop_assert_eq!(c.len(), input.zones.len());
            let mut ids: Vec<&str> = c.iter().map(|z| z.zone_id.as_str()).collect();
            ids.dedup();
            prop_assert_eq!(ids.len(), c.len());
            for h in &o.hasus {
                let sum: Decimal = c
                    .iter()
                    .filter(|z| z.site_id == h.site_id)
                    .map(|z| z.patients)
                    .sum();
                prop_assert_eq!(sum, h.projected_admissions, "{} under {}", h.site_id, o.id);
            }
            prop_assert!(
                c.iter()
                    .all(|z| o.hasus.iter().any(|h| h.site_id == z.site_id))
            );
            let (pm, p): (Decimal, Decimal) = c
                .iter()
                .filter(|z| z.in_area)
                .fold((Decimal::ZERO, Decimal::ZERO), |(pm, p), z| {
                    (pm + z.patients * z.minutes, p + z.patients)
                });
            if !p.is_zero() {
                // The table's mean is rounded to 2 places from the exact sums; the
                // decimal division here may sit a last digit off a midpoint.
                let gap = (pm / p - o.mean_travel_minutes).abs();
                prop_assert!(
                    gap <= Decimal::new(5, 3),
                    "{}: {} against {}",
                    o.id,
                    pm / p,
                    o.mean_travel_minutes
                );
            }
        }
        prop_assert!(a.catchment(a.options.len()).is_empty());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn a_catchment_is_the_projections_assignment(input in input()) {
            check_catchment(&input)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn zones_outside_the_area_fill_volumes_but_not_travel(
            input in input(),
            out in proptest::collection::vec(any::<bool>(), 1..12),
        ) {
            check_out_of_area(&input, &out)?;
        }
    }

    #[test]
    fn the_searched_explanation() {
        let input = AppraisalInput {
            sites: (0..4).map(|i| Site::new(format!("S{i}"), 100)).collect(),
            zones: (0..6)
                .map(|i| Zone {
                    id: format!("Z{i}"),
                    strokes: Some(Decimal::from(10 + i)),
                    population: None,
                    in_area: true,
                })
                .collect(),
            travel: (0..6)
                .flat_map(|z| {
                    (0..4).map(move |s| {
                        TravelTime::new(format!("Z{z}"), format!("S{s}"), 5 + (z * 7 + s * 11) % 30)
                    })
                })
                .collect(),
            matrix: None,
        };
        check_search(&input).unwrap();
        let a = rs()
            .appraise(
                &input,
                &AppraisalRequest {
                    sites_per_option: Some((1, 3)),
                    max_options: Some(1),
                    ..AppraisalRequest::default()
                },
            )
            .unwrap();
        insta::assert_snapshot!("searched_explanation", a.explanation().join("\n"));
    }

    /// Everything an option's appraisal shows, for comparing two runs.
    fn view(o: &OptionAppraisal) -> String {
        format!("{o:?}")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The long list (the incremental search) gives exactly what the same options
        /// given one by one (projected from scratch) give.
        #[test]
        fn long_list_agrees_with_options_projected_from_scratch(input in input()) {
            let rs = rs();
            let long = rs.appraise(&input, &AppraisalRequest::default()).unwrap();
            let given = AppraisalRequest {
                options: Some(long.options.iter().map(|o| AppraisalOption {
                    id: o.id.clone(),
                    sites: o.site_ids().map(str::to_string).collect(),
                }).collect()),
                ..AppraisalRequest::default()
            };
            let again = rs.appraise(&input, &given).unwrap();
            prop_assert_eq!(long.options.len(), again.options.len());
            for (a, b) in long.options.iter().zip(&again.options) {
                prop_assert_eq!(view(a), view(b));
            }
            prop_assert_eq!(&long.ranking, &again.ranking);
            prop_assert_eq!(&long.swap, &again.swap);
        }

        /// Projected volumes add up to the zones' patients; adding a site never lengthens
        /// anyone's travel (the longest and the mean never rise, the share within never
        /// falls).
        #[test]
        fn volumes_add_up_and_more_sites_never_lengthen_travel(input in input()) {
            let a = rs().appraise(&input, &AppraisalRequest::default()).unwrap();
            let by_id: std::collections::HashMap<&str, &OptionAppraisal> =
                a.options.iter().map(|o| (o.id.as_str(), o)).collect();
            for o in &a.options {
                let sum: Decimal = o.hasus.iter().map(|h| h.projected_admissions).sum();
                prop_assert_eq!(sum, a.total_patients);
                let zones: usize = o.hasus.iter().map(|h| h.zones).sum();
                prop_assert_eq!(zones, a.zones);
                let sites: Vec<&str> = o.site_ids().collect();
                for drop in 0..sites.len() {
                    if sites.len() == 1 {
                        break;
                    }
                    let fewer: Vec<&str> = sites.iter().enumerate()
                        .filter(|(i, _)| *i != drop).map(|(_, s)| *s).collect();
                    let f = by_id[fewer.join("+").as_str()];
                    prop_assert!(o.max_travel_minutes <= f.max_travel_minutes);
                    prop_assert!(o.exact.sum <= f.exact.sum);
                    for (x, y) in o.exact.within.iter().zip(&f.exact.within) {
                        prop_assert!(x >= y);
                    }
                }
            }
        }

        /// Shuffling the rows of every input table changes nothing.
        #[test]
        fn row_order_changes_nothing(input in input(), seed in any::<u64>()) {
            let rs = rs();
            let a = rs.appraise(&input, &AppraisalRequest::default()).unwrap();
            let mut shuffled = input.clone();
            let mut x = seed | 1;
            let mut next = move |m: usize| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; (x % m as u64) as usize };
            for v in [&mut shuffled.sites] { for i in (1..v.len()).rev() { let j = next(i + 1); v.swap(i, j); } }
            for i in (1..shuffled.zones.len()).rev() { let j = next(i + 1); shuffled.zones.swap(i, j); }
            for i in (1..shuffled.travel.len()).rev() { let j = next(i + 1); shuffled.travel.swap(i, j); }
            let b = rs.appraise(&shuffled, &AppraisalRequest::default()).unwrap();
            prop_assert_eq!(a.options.len(), b.options.len());
            for (x, y) in a.options.iter().zip(&b.options) {
                prop_assert_eq!(view(x), view(y));
            }
            prop_assert_eq!(&a.ranking, &b.ranking);
        }
    }
}

#[test]
fn bad_requests_are_refused_with_their_numbers() {
    let (rs, input, request) = hand_worked();
    let with = |sites_per_option, max_options| AppraisalRequest {
        sites_per_option,
        max_options,
        scores: Vec::new(),
        ..request.clone()
    };
    let e = |r: AppraisalRequest| rs.appraise(&input, &r).unwrap_err().to_string();
    assert_eq!(
        e(with(Some((1, 4)), None)),
        "an option of 4 sites cannot be drawn from 3 sites"
    );
    assert_eq!(
        e(with(Some((0, 2)), None)),
        "an option of 0 sites cannot be drawn from 3 sites"
    );
    assert!(e(with(Some((2, 1)), None)).contains("the minimum is above the maximum"));
    // Past its bound the long list is searched, not refused: see
    // `a_long_list_past_its_bound_is_searched`.
    let mut weights = request.clone();
    weights.weights.insert("access".into(), d("-1"));
    assert_eq!(
        rs.appraise(&input, &weights).unwrap_err().to_string(),
        "weight of `access`: -1 is negative; expected 0 or more"
    );
    let mut missing = request.clone();
    missing.scores.pop();
    assert_eq!(
        rs.appraise(&input, &missing).unwrap_err().to_string(),
        "option B+C is shortlisted but has no score on criterion `access`; give one from -- to ++"
    );
}

/// Issue 26 (reliability): a worker's panic, extreme numbers, the fast path's sentinel,
/// separators in ids and the ruleset's range of sites per option.
mod reliability {
    use rust_decimal::Decimal;

    use super::super::*;
    use super::{d, hand_worked};
    use crate::Ruleset;

    pub(super) fn hand_worked_with(from: &str, to: &str) -> Ruleset {
        let v: serde_json::Value = serde_json::from_str(include_str!(
            "../../../../tests/vectors/appraise/hand-worked.json"
        ))
        .unwrap();
        let toml = v["ruleset_toml"].as_str().unwrap();
        assert!(toml.contains(from), "{from}");
        Ruleset::from_toml_str(&toml.replacen(from, to, 1)).unwrap()
    }

    /// A worker that panics makes the call an error; before, its options vanished.
    #[test]
    fn a_panicking_worker_is_an_error_not_a_shorter_list() {
        let rs = hand_worked_with(
            "id = \"appraise-hand-worked\"",
            &format!("id = \"{}\"", super::super::engine::PANIC_IN_WORKER),
        );
        let (_, input, _) = hand_worked();
        for _ in 0..4 {
            let e = rs
                .appraise(&input, &AppraisalRequest::default())
                .unwrap_err();
            assert!(
                matches!(&e, AppraisalError::WorkerPanicked { message } if message.contains("injected")),
                "{e}"
            );
        }
    }

    /// The issue's probe: single-site options, one site's measure -1 and a measure
    /// hurdle whose minimum is the largest decimal. The remedy's gap overflowed in a
    /// worker, whose options were dropped ("0 options", exit 0). The bound is now
    /// refused when the ruleset is read; a measure beyond the bounds (input) makes the
    /// call an error naming the site and the bound.
    #[test]
    fn an_overflowing_remedy_is_an_error_naming_the_input() {
        let v: serde_json::Value = serde_json::from_str(include_str!(
            "../../../../tests/vectors/appraise/hand-worked.json"
        ))
        .unwrap();
        let toml = v["ruleset_toml"].as_str().unwrap().replacen(
            "min = \"0.5\"",
            &format!("min = \"{}\"", Decimal::MAX),
            1,
        );
        let e = Ruleset::from_toml_str(&toml).unwrap_err().to_string();
        assert!(
            e.contains("appraisal.hurdles[3].min") && e.contains("out of range"),
            "{e}"
        );

        let rs = hand_worked_with("min = \"0.5\"", "max = \"-1000\"");
        let (_, mut input, _) = hand_worked();
        input.sites[1]
            .measures
            .insert("thrombolysed_60min".into(), Decimal::MAX);
        let request = AppraisalRequest {
            sites_per_option: Some((1, 1)),
            ..AppraisalRequest::default()
        };
        let e = rs.appraise(&input, &request).unwrap_err().to_string();
        assert!(
            e.contains("site `B`'s thrombolysed_60min 79228162514264337593543950335")
                && e.contains("too large"),
            "{e}"
        );
    }

    /// A weight of 3e28 with the top two scoring `++` and `--` panicked computing the
    /// gap between their totals; a weight is now held to 0 ..= MAX_WEIGHT.
    #[test]
    fn a_huge_weight_is_refused_as_out_of_range() {
        let (rs, input, mut request) = hand_worked();
        request.weights.insert("access".into(), d("3e28"));
        let e = rs.appraise(&input, &request).unwrap_err();
        assert_eq!(
            e.to_string(),
            "weight of `access`: 30000000000000000000000000000 is out of range; expected 0 to 1000000000000"
        );
        request.weights.insert("access".into(), MAX_WEIGHT);
        rs.appraise(&input, &request).unwrap();
    }

    /// `within_minutes = 10000000000` and a time of 30.000000001 minutes: the threshold
    /// at 9 places passes 64 bits, and the fast path counted unreached zones as within
    /// (0.666667 on the long list, 1 for the same option given).
    #[test]
    fn the_fast_paths_sentinel_never_counts_as_within() {
        let rs = hand_worked_with("within_minutes = 30", "within_minutes = 10000000000");
        // The ruleset's measure hurdle needs the column (checked up front).
        let site = |id: &str| {
            let mut s = Site::new(id, 0);
            s.measures.insert("thrombolysed_60min".into(), d("0.6"));
            s
        };
        let input = AppraisalInput {
            sites: vec![site("A"), site("B")],
            zones: vec![
                Zone::strokes("Z1", 1),
                Zone::strokes("Z2", 1),
                Zone::strokes("Z3", 1),
            ],
            travel: vec![
                TravelTime {
                    zone_id: "Z1".into(),
                    site_id: "A".into(),
                    minutes: d("30.000000001"),
                },
                TravelTime::new("Z2", "B", 10),
                TravelTime::new("Z3", "A", 10),
            ],
            matrix: None,
        };
        let long = rs
            .appraise(
                &input,
                &AppraisalRequest {
                    sites_per_option: Some((2, 2)),
                    ..AppraisalRequest::default()
                },
            )
            .unwrap();
        let given = rs
            .appraise(
                &input,
                &AppraisalRequest {
                    options: Some(vec![AppraisalOption {
                        id: "A+B".into(),
                        sites: vec!["A".into(), "B".into()],
                    }]),
                    ..AppraisalRequest::default()
                },
            )
            .unwrap();
        assert_eq!(long.options[0].share_within, Some(Decimal::ONE));
        assert_eq!(given.options[0].share_within, Some(Decimal::ONE));
        assert_eq!(
            format!("{:?}", long.options[0]),
            format!("{:?}", given.options[0])
        );
    }

    /// `+` and `;` in a site id would make option ids and lists ambiguous.
    #[test]
    fn separators_in_site_ids_are_refused_naming_the_row() {
        let (rs, mut input, _) = hand_worked();
        for id in ["B+C", "B;C"] {
            input.sites[1].id = id.into();
            let e = rs
                .appraise(&input, &AppraisalRequest::default())
                .unwrap_err();
            assert!(
                matches!(&e, AppraisalError::Invalid { table: "sites", row: 1, column, .. } if column == "site_id"),
                "{e:?}"
            );
            assert!(e.to_string().contains(&format!("`{id}` contains")), "{e}");
        }
    }

    /// The ruleset's range of sites per option is clipped at the sites given (and
    /// reported); a range the call asks for is held to them.
    #[test]
    fn the_rulesets_range_is_clipped_at_the_sites_given() {
        let rs = hand_worked_with("max_sites = 2", "max_sites = 4");
        let (_, input, request) = hand_worked();
        let a = rs.appraise(&input, &request).unwrap();
        assert_eq!(a.long_list, Some((1, 3)));
        assert_eq!(a.options.len(), 7);
        assert!(a.explanation()[0].contains("every set of 1 to 3 of 3 sites"));
        let too_few = hand_worked_with(
            "min_sites = 1\nmax_sites = 2",
            "min_sites = 4\nmax_sites = 5",
        );
        assert_eq!(
            too_few.appraise(&input, &request).unwrap_err().to_string(),
            "an option of 4 sites cannot be drawn from 3 sites"
        );
    }
}

/// The long list and the same options given explicitly agree on every column, also
/// with zones a site does not reach (the fast path's sentinel), huge thresholds and
/// times at 9 decimal places.
mod sentinel_properties {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::super::*;
    use crate::Ruleset;

    fn ruleset(within: &str) -> Ruleset {
        Ruleset::from_toml_str(&format!(
            r#"
schema = 1
id = "prop-sentinel"
title = "t"
version = "1"
capabilities = {{}}
[[tiers]]
id = "site"
name = "Site"
parents = ["network"]
[[tiers]]
id = "network"
name = "Network"
parents = ["strategic_commissioner"]
[appraisal]
min_sites = 2
max_sites = 3
within_minutes = "{within}"
[[appraisal.hurdles]]
id = "near"
name = "n"
kind = "share_within"
minutes = "{within}"
min_share = "0.9"
[[appraisal.criteria]]
id = "within"
name = "w"
weight = "1"
measure = "share_within"
minutes = "{within}"
scale = ["0.99", "0.9", "0.8", "0.5"]
"#
        ))
        .unwrap()
    }

    /// Every zone reaches every site but at most one, so every option of 2 or more
    /// sites reaches every zone; some times have 9 decimal places.
    fn input() -> impl Strategy<Value = AppraisalInput> {
        (3usize..7, 1usize..10).prop_flat_map(|(n, nz)| {
            (
                proptest::collection::vec((1i64..50, 0usize..8), nz),
                proptest::collection::vec((0i64..600, any::<bool>()), n * nz),
            )
                .prop_map(move |(zones, times)| AppraisalInput {
                    sites: (0..n).map(|i| Site::new(format!("S{i}"), 0)).collect(),
                    zones: zones
                        .iter()
                        .enumerate()
                        .map(|(i, &(w, _))| Zone::strokes(format!("Z{i:02}"), w))
                        .collect(),
                    travel: times
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| zones[i / n].1 != i % n)
                        .map(|(i, &(t, fine))| TravelTime {
                            zone_id: format!("Z{:02}", i / n),
                            site_id: format!("S{}", i % n),
                            minutes: if fine {
                                Decimal::new(t * 1_000_000_000 + 1, 9)
                            } else {
                                Decimal::from(t / 10)
                            },
                        })
                        .collect(),
                    matrix: None,
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn long_list_agrees_with_given_options_on_every_column(
            input in input(),
            within in prop::sample::select(vec!["20", "30.5", "10000000000"]),
        ) {
            let rs = ruleset(within);
            let long = rs.appraise(&input, &AppraisalRequest::default()).unwrap();
            let given = AppraisalRequest {
                options: Some(long.options.iter().map(|o| AppraisalOption {
                    id: o.id.clone(),
                    sites: o.site_ids().map(str::to_string).collect(),
                }).collect()),
                ..AppraisalRequest::default()
            };
            let again = rs.appraise(&input, &given).unwrap();
            prop_assert_eq!(long.options.len(), again.options.len());
            for (a, b) in long.options.iter().zip(&again.options) {
                prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
            prop_assert_eq!(&long.ranking, &again.ranking);
            prop_assert_eq!(&long.swap, &again.swap);
        }
    }
}

mod value_functions {
    use super::*;

    fn ruleset(criterion: &str) -> Result<Ruleset, crate::ruleset::RulesetError> {
        Ruleset::from_toml_str(&format!(
            r#"
schema = 1
id = "vf"
title = "t"
version = "1"
[capabilities.none]
description = "d"
[[tiers]]
id = "site"
name = "Site"
parents = ["network"]
[[tiers]]
id = "network"
name = "Network"
parents = ["strategic_commissioner"]
[appraisal]
min_sites = 1
max_sites = 1
[[appraisal.criteria]]
id = "access"
name = "Mean travel"
weight = "1"
measure = "mean_travel"
{criterion}
"#
        ))
    }

    #[test]
    fn a_value_function_scores_on_the_line_between_its_points() {
        let rs = ruleset("value_function = [[20, 2], [30, 0], [45, -2]]").unwrap();
        let c = &rs.appraisal_policy().unwrap().criteria[0];
        assert_eq!(c.points_of(d("10")), Some(d("2")));
        assert_eq!(c.points_of(d("20")), Some(d("2")));
        assert_eq!(c.points_of(d("25")), Some(d("1")));
        assert_eq!(c.points_of(d("23.34")), Some(d("1.332")));
        assert_eq!(c.points_of(d("23.62")), Some(d("1.276")));
        // 2/15 of the way from 30 to 45: -0.266666..., rounded half to even.
        assert_eq!(c.points_of(d("32")), Some(d("-0.266667")));
        assert_eq!(c.points_of(d("60")), Some(d("-2")));
    }

    #[test]
    fn bad_value_functions_are_refused_naming_the_key() {
        for (criterion, words) in [
            ("value_function = [[20, 2]]", "at least two points"),
            ("value_function = [[20, 2], [20, 0]]", "rise strictly"),
            (
                "value_function = [[20, 3], [30, 0]]",
                "outside -2 (--) to 2 (++)",
            ),
            (
                "value_function = [[20, 2], [30, 0]]\nscale = [1, 2, 3, 4]",
                "give no `scale` or `better`",
            ),
        ] {
            let e = ruleset(criterion).unwrap_err().to_string();
            assert!(
                e.contains("value_function") && e.contains(words),
                "{criterion}: {e}"
            );
        }
    }

    /// The issue's real-data tie: two options 23.34 and 23.62 minutes from their HASU
    /// score `0` and `0` on the review's bands and are ranked by id; on a value function
    /// the nearer ranks first on its exact total.
    #[test]
    fn close_options_no_longer_tie() {
        let rs = ruleset("value_function = [[20, 2], [30, 0], [45, -2]]").unwrap();
        let input = AppraisalInput {
            sites: vec![Site::new("A", 0), Site::new("B", 0)],
            zones: vec![Zone::strokes("Z1", 1)],
            travel: vec![
                TravelTime {
                    zone_id: "Z1".into(),
                    site_id: "A".into(),
                    minutes: d("23.62"),
                },
                TravelTime {
                    zone_id: "Z1".into(),
                    site_id: "B".into(),
                    minutes: d("23.34"),
                },
            ],
            matrix: None,
        };
        let a = rs.appraise(&input, &AppraisalRequest::default()).unwrap();
        assert_eq!(a.preferred().map(|o| o.id.as_str()), Some("B"));
        let b = a.options.iter().find(|o| o.id == "B").unwrap();
        assert_eq!(b.scores[0].points, d("1.332"));
        assert_eq!(b.scores[0].score, 1);
        assert_eq!(b.total, Some(d("1.332")));
        insta::assert_snapshot!("value_function_explanation", a.explanation().join("\n"));
    }
}

mod fixed_open {
    use super::*;

    fn hand() -> (Ruleset, AppraisalInput) {
        let (rs, mut input, _) = hand_worked();
        input
            .sites
            .iter_mut()
            .for_each(|s| s.fixed_open = s.id == "A");
        (rs, input)
    }

    /// One option per candidate, the caller's `access` score given for each.
    fn one_candidate_each() -> AppraisalRequest {
        AppraisalRequest {
            sites_per_option: Some((1, 1)),
            scores: ["B", "C"]
                .iter()
                .map(|o| CallerScore {
                    option_id: o.to_string(),
                    criterion: "access".into(),
                    score: 0,
                })
                .collect(),
            ..AppraisalRequest::default()
        }
    }

    #[test]
    fn a_fixed_site_is_designated_and_judged_only_when_the_hurdle_says() {
        let (rs, input) = hand();
        let a = rs.appraise(&input, &one_candidate_each()).unwrap();
        let ids: Vec<&str> = a.options.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, vec!["B", "C"]);
        assert!(
            a.options
                .iter()
                .all(|o| o.hasus[0].site_id == "A" && o.hasus[0].fixed_open)
        );
        insta::assert_snapshot!("fixed_open_explanation", a.explain_option(0).join("\n"));
        // Judging every designated site, the volume hurdle holds A's 400 to 500.
        let all = super::reliability::hand_worked_with(
            "kind = \"volume\"",
            "kind = \"volume\"\njudges = \"designated\"",
        );
        let b = all
            .appraise(&input, &one_candidate_each())
            .unwrap_or_else(|e| panic!("{e}"));
        let with_b = &b.options[0];
        assert!(a.options[0].hurdles[0].passed && !with_b.hurdles[0].passed);
        assert_eq!(with_b.hurdles[0].at.as_deref(), Some("A"));
    }

    #[test]
    fn bad_uses_of_a_fixed_site_are_refused_naming_it() {
        let (rs, mut input) = hand();
        let e = rs
            .appraise(
                &input,
                &AppraisalRequest {
                    options: Some(vec![AppraisalOption {
                        id: "AB".into(),
                        sites: vec!["A".into(), "B".into()],
                    }]),
                    ..AppraisalRequest::default()
                },
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("site `A` is fixed open"), "{e}");
        input.travel.retain(|t| t.site_id != "A");
        let e = rs
            .appraise(&input, &AppraisalRequest::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("site `A` is fixed open but no zone reaches it"),
            "{e}"
        );
    }
}

/// The real-data stroke ruleset needs nothing the public data lacks: no capability and
/// no site measure, and it appraises a bare input (admissions and travel) through the
/// search.
#[test]
fn the_real_data_stroke_ruleset_needs_only_travel_and_admissions() {
    let rs = Ruleset::builtin("england-stroke-2021").unwrap();
    let policy = rs.appraisal_policy().unwrap();
    assert!(policy.hurdles.iter().all(|h| !matches!(
        h.hurdle,
        Hurdle::Capabilities { .. } | Hurdle::Measure { .. }
    )));
    assert!(policy.criteria.iter().all(|c| !c.value_function.is_empty()));
    let input = AppraisalInput {
        sites: (0..6).map(|i| Site::new(format!("U{i}"), 0)).collect(),
        zones: (0..30)
            .map(|z| Zone::strokes(format!("Z{z:02}"), 40))
            .collect(),
        travel: (0..30)
            .flat_map(|z| {
                (0..6).map(move |s| {
                    TravelTime::new(
                        format!("Z{z:02}"),
                        format!("U{s}"),
                        5 + (z * 5 + s * 13) % 50,
                    )
                })
            })
            .collect(),
        matrix: None,
    };
    let a = rs
        .appraise(
            &input,
            &AppraisalRequest {
                sites_per_option: Some((2, 3)),
                max_options: Some(1),
                ..AppraisalRequest::default()
            },
        )
        .unwrap();
    assert_eq!(a.search.len(), 2);
}
