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
    for l in a.explanation() {
        println!("{l}");
    }
    for i in 0..a.options.len() {
        for l in a.explain_option(i) {
            println!("{l}");
        }
    }
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
