//! Runs every shared vector in `tests/vectors/` (the same files the Python and C suites
//! run) through the Rust core. See `tests/vectors/README.md` for the format.

use std::path::{Path, PathBuf};

use localcare::allocate::{Need, Needs};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;
use localcare::shift::{Reduction, ShiftInput};
use localcare::{Footprint, FootprintUnit, Ruleset, Unit};
use serde_json::{Value, json};

fn vectors(kind: &str) -> Vec<(PathBuf, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vectors in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let v = serde_json::from_str(&std::fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, v)
        })
        .collect()
}

fn ruleset(v: &Value) -> Ruleset {
    match (v.get("ruleset"), v.get("ruleset_toml")) {
        (Some(Value::String(name)), None) => Ruleset::builtin(name).unwrap(),
        (None, Some(Value::String(text))) => Ruleset::from_toml_str(text).unwrap(),
        _ => panic!("a vector has exactly one of `ruleset` and `ruleset_toml`"),
    }
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn dec(v: &Value) -> Option<Decimal> {
    v.as_str().map(|s| s.parse().unwrap())
}

fn footprint(v: &Value) -> Footprint {
    v.as_array()
        .unwrap()
        .iter()
        .map(|u| FootprintUnit {
            unit_id: s(&u["unit_id"]).unwrap(),
            parent_id: s(&u["parent_id"]),
            declared_tier: s(&u["declared_tier"]).unwrap(),
            // Whole numbers as JSON numbers, exact decimals as JSON numbers' text.
            population: (!u["population"].is_null())
                .then(|| u["population"].to_string().parse().unwrap()),
            capabilities: u["capabilities"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(s)
                .collect(),
        })
        .collect()
}

#[test]
fn classify_vectors() {
    for (path, v) in vectors("classify") {
        let rs = ruleset(&v);
        let got: Vec<Value> = v["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                let caps = rs
                    .capability_set(
                        u["capabilities"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter_map(Value::as_str),
                    )
                    .unwrap();
                let c = rs.classify(&Unit::new(u["population"].as_u64().unwrap(), caps));
                json!({
                    "unit_id": u["unit_id"],
                    "tier": rs.tiers()[c.tier()].id(),
                    "band_status": c.band_status().as_str(),
                    "reasons": c.reasons_line(&rs),
                })
            })
            .collect();
        assert_eq!(Value::Array(got), v["expected"], "{}", path.display());
    }
}

#[test]
fn validate_vectors() {
    for (path, v) in vectors("validate") {
        let rs = ruleset(&v);
        let r = rs.validate(&footprint(&v["footprint"]));
        let got = json!({
            "has_errors": r.has_errors(),
            "findings": r.findings().iter().map(|f| json!([f.code.as_str(), f.unit_id])).collect::<Vec<_>>(),
            "aco_count_range": r.aco_count_range().map(|x| x.to_string()),
        });
        assert_eq!(got, v["expected"], "{}\n{}", path.display(), r.to_text());
    }
}

#[test]
fn allocate_vectors() {
    for (path, v) in vectors("allocate") {
        let rs = ruleset(&v);
        let needs: Needs = v["needs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    s(&n["unit_id"]).unwrap(),
                    Need {
                        need_index: dec(&n["need_index"]),
                        hi_weighted_population: dec(&n["hi_weighted_population"]),
                        market_forces_factor: dec(&n["market_forces_factor"]),
                        ..Need::default()
                    },
                )
            })
            .collect();
        let baselines = v["baselines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    s(&b["unit_id"]).unwrap(),
                    b["baseline_pence"].as_i64().unwrap(),
                )
            })
            .collect();
        let result = rs.allocate(
            &footprint(&v["footprint"]),
            v["budget_pence"].as_i64().unwrap(),
            &needs,
            baselines,
        );
        match (result, v.get("expected_error")) {
            (Ok(a), None) => {
                let rows: Vec<Value> = a
                    .rows()
                    .map(|r| {
                        json!({
                            "unit_id": r.unit_id, "tier": r.tier, "parent_id": r.parent_id,
                            "weighted_population_micro": r.weighted_population_micro,
                            "target_pence": r.target_pence, "baseline_pence": r.baseline_pence,
                            "allocation_pence": r.allocation_pence, "retained_pence": r.retained_pence,
                            "distance_from_target_ppm": r.distance_from_target_ppm,
                        })
                    })
                    .collect();
                assert_eq!(
                    Value::Array(rows),
                    v["expected"]["rows"],
                    "{}",
                    path.display()
                );
                // Per-head payments, when the vector gives them: one object per row.
                if let Some(want) = v["expected"].get("per_head") {
                    let n = a.unit_count();
                    let ph = a.per_head_pence();
                    let got: Vec<Value> = a
                        .rows()
                        .enumerate()
                        .map(|(q, r)| {
                            let at = |c: Option<&[i64]>| c.filter(|_| q < n).map(|c| c[q]);
                            json!({
                                "unit_id": r.unit_id,
                                "per_head_gross_pence": at(ph.map(|p| p.gross)),
                                "per_head_deduction_pence": at(ph.map(|p| p.deduction)),
                                "per_head_payment_pence": at(ph.map(|p| p.payment)),
                            })
                        })
                        .collect();
                    assert_eq!(&Value::Array(got), want, "{}", path.display());
                }
                // Explanations, when the vector gives them: the same text in every face.
                for e in v["expected"]["explain"].as_array().into_iter().flatten() {
                    let got = a.explain(e["unit_id"].as_str().unwrap()).unwrap();
                    assert_eq!(
                        json!({"unit_id": got.unit_id, "allocation_pence": got.allocation_pence, "text": got.to_text()}),
                        *e,
                        "{}",
                        path.display()
                    );
                }
            }
            (Err(e), Some(want)) => {
                assert!(
                    e.to_string().contains(want.as_str().unwrap()),
                    "{}: got `{e}`",
                    path.display()
                );
            }
            (Ok(_), Some(want)) => panic!("{}: expected error `{want}`", path.display()),
            (Err(e), None) => panic!("{}: unexpected error `{e}`", path.display()),
        }
    }
}

#[test]
fn settle_vectors() {
    for (path, v) in vectors("settle") {
        let rs = ruleset(&v);
        let inputs: Vec<SettlementInput> = v["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| SettlementInput {
                unit_id: s(&i["unit_id"]).unwrap(),
                benchmark_pence: i["benchmark_pence"].as_i64().unwrap(),
                actual_pence: i["actual_pence"].as_i64().unwrap(),
                assigned_population: i["assigned_population"].as_u64().unwrap(),
                quality: dec(&i["quality"]).unwrap(),
                // Optional: absent or null is `None`.
                participant_revenue_pence: i
                    .get("participant_revenue_pence")
                    .and_then(Value::as_i64),
            })
            .collect();
        match (rs.settle_batch(&inputs), v.get("expected_error")) {
            (Ok(out), None) => {
                let got: Vec<Value> = out
                    .iter()
                    .map(|x| {
                        json!({
                            "unit_id": x.unit_id, "savings_pence": x.savings_pence,
                            "minimum_rate_met": x.minimum_rate_met, "quality_gate_passed": x.quality_gate_passed,
                            "amount_before_cap_pence": x.amount_before_cap_pence, "cap_pence": x.cap_pence,
                            "final_pence": x.final_pence,
                        })
                    })
                    .collect();
                assert_eq!(Value::Array(got), v["expected"], "{}", path.display());
            }
            (Err(e), Some(want)) => assert!(
                e.to_string().contains(want.as_str().unwrap()),
                "{}: got `{e}`",
                path.display()
            ),
            (r, want) => panic!(
                "{}: got {:?}, expected error {want:?}",
                path.display(),
                r.map(|_| ())
            ),
        }
    }
}

/// A decimal as the vectors write it: normalised (`966.96`, `1000`, `0.4`).
fn dec_text(d: Decimal) -> Value {
    Value::String(d.normalize().to_string())
}

/// Expected decimals are compared as numbers: normalise the vector's strings.
fn normalise(v: &Value) -> Value {
    match v {
        Value::String(s) => s.parse::<Decimal>().map_or_else(|_| v.clone(), dec_text),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let v = if k == "unit_id" {
                        v.clone()
                    } else {
                        normalise(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        _ => v.clone(),
    }
}

fn shift_input(i: &Value) -> Result<ShiftInput, localcare::ShiftError> {
    let unit_id = s(&i["unit_id"]).unwrap();
    let reduction =
        Reduction::from_columns(&unit_id, dec(&i["reduction"]), dec(&i["avoided_share"]))?;
    Ok(ShiftInput {
        emergency_admissions: i["emergency_admissions"].as_i64().unwrap(),
        avoidable_share: dec(&i["avoidable_share"]),
        reduction,
        bed_days_per_admission: dec(&i["bed_days_per_admission"]),
        bed_day_cost_pence: i["bed_day_cost_pence"].as_i64(),
        replacement_cost_pence: i["replacement_cost_pence"].as_i64(),
        fixed_cost_pence: i["fixed_cost_pence"].as_i64(),
        occupancy: dec(&i["occupancy"]),
        unit_id,
    })
}

fn answer_json(a: localcare::ReductionAnswer) -> Value {
    json!({
        "reduction": a.reduction.map(dec_text),
        "max_reduction": dec_text(a.max_reduction),
        "net_savings_pence": a.net_savings_pence,
    })
}

fn run_shift(rs: &Ruleset, v: &Value) -> Result<Value, localcare::ShiftError> {
    let rows = v["inputs"].as_array().unwrap();
    let inputs = rows
        .iter()
        .enumerate()
        .map(|(index, i)| {
            shift_input(i).map_err(|e| localcare::ShiftError::Row {
                index,
                source: Box::new(e),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bench = |i: usize| rows[i]["benchmark_pence"].as_i64().unwrap();
    let pop = |i: usize| rows[i]["assigned_population"].as_u64().unwrap();
    Ok(match v["question"].as_str().unwrap() {
        "shift" => {
            let s = rs.shift_batch(&inputs)?;
            let t = &s.totals;
            json!({
                "units": s.units.iter().map(|u| json!({
                    "unit_id": u.unit_id, "reduction": dec_text(u.reduction),
                    "admissions_avoided": dec_text(u.admissions_avoided),
                    "bed_days_released": dec_text(u.bed_days_released),
                    "beds_released": dec_text(u.beds_released),
                    "gross_savings_pence": u.gross_savings_pence,
                    "reinvestment_pence": u.reinvestment_pence,
                    "net_savings_pence": u.net_savings_pence,
                })).collect::<Vec<_>>(),
                "totals": {
                    "units": t.units, "emergency_admissions": t.emergency_admissions,
                    "admissions_avoided": dec_text(t.admissions_avoided),
                    "bed_days_released": dec_text(t.bed_days_released),
                    "beds_released": dec_text(t.beds_released),
                    "gross_savings_pence": t.gross_savings_pence,
                    "reinvestment_pence": t.reinvestment_pence,
                    "net_savings_pence": t.net_savings_pence,
                },
            })
        }
        "shift_settle" => Value::Array(
            inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    let x = rs.shift_settle(
                        input,
                        bench(i),
                        pop(i),
                        dec(&rows[i]["quality"]).unwrap(),
                    )?;
                    Ok(json!({
                        "unit_id": input.unit_id,
                        "net_savings_pence": x.outcome.net_savings_pence,
                        "expected_actual_pence": x.expected_actual_pence,
                        "savings_pence": x.settlement.savings_pence,
                        "minimum_rate_met": x.settlement.minimum_rate_met,
                        "quality_gate_passed": x.settlement.quality_gate_passed,
                        "final_pence": x.settlement.final_pence,
                    }))
                })
                .collect::<Result<Vec<_>, localcare::ShiftError>>()?,
        ),
        "break_even_reduction" => answer_json(rs.break_even_reduction(&inputs[0])?),
        "reduction_for_minimum_savings_rate" => {
            answer_json(rs.reduction_for_minimum_savings_rate(&inputs[0], bench(0), pop(0))?)
        }
        "reduction_for_target" => {
            answer_json(rs.reduction_for_target(&inputs, v["target_pence"].as_i64().unwrap())?)
        }
        q => panic!("unknown question `{q}`"),
    })
}

#[test]
fn shift_vectors() {
    for (path, v) in vectors("shift") {
        assert!(
            v["derivation"].as_str().is_some_and(|d| !d.is_empty()),
            "{}: a shift vector says how its numbers follow",
            path.display()
        );
        let rs = ruleset(&v);
        match (run_shift(&rs, &v), v.get("expected_error")) {
            (Ok(got), None) => {
                assert_eq!(got, normalise(&v["expected"]), "{}", path.display())
            }
            (Err(e), Some(want)) => assert!(
                e.to_string().contains(want.as_str().unwrap()),
                "{}: got `{e}`",
                path.display()
            ),
            (r, want) => panic!("{}: got {r:?}, expected error {want:?}", path.display()),
        }
    }
}

/// The appraisal input and request of an appraise vector.
fn appraisal_case(
    v: &Value,
) -> (
    localcare::appraise::AppraisalInput,
    localcare::appraise::AppraisalRequest,
) {
    use localcare::appraise::*;
    let num = |x: &Value| -> Option<Decimal> {
        match x {
            Value::Null => None,
            Value::String(s) => Some(s.parse().unwrap()),
            x => Some(x.to_string().parse().unwrap()),
        }
    };
    let rows = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    let sites = rows("sites")
        .iter()
        .map(|r| Site {
            id: s(&r["site_id"]).unwrap(),
            name: s(&r["name"]).unwrap_or_else(|| s(&r["site_id"]).unwrap()),
            admissions: r["admissions"].as_i64().unwrap(),
            capabilities: r["capabilities"]
                .as_array()
                .map(|a| a.iter().filter_map(s).collect())
                .unwrap_or_default(),
            measures: r
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| {
                    ![
                        "site_id",
                        "name",
                        "admissions",
                        "capabilities",
                        "fixed_open",
                    ]
                    .contains(&k.as_str())
                })
                .filter_map(|(k, x)| num(x).map(|d| (k.clone(), d)))
                .collect(),
            fixed_open: r["fixed_open"].as_bool().unwrap_or(false),
        })
        .collect();
    let zones = rows("zones")
        .iter()
        .map(|r| Zone {
            id: s(&r["zone_id"]).unwrap(),
            strokes: num(&r["strokes"]),
            population: r["population"].as_i64(),
            in_area: r["in_area"].as_bool().unwrap_or(true),
        })
        .collect();
    let travel = rows("travel")
        .iter()
        .map(|r| TravelTime {
            zone_id: s(&r["zone_id"]).unwrap(),
            site_id: s(&r["site_id"]).unwrap(),
            minutes: num(&r["minutes"]).unwrap(),
        })
        .collect();
    let options = v["options"].as_array().map(|a| {
        a.iter()
            .map(|r| AppraisalOption {
                id: s(&r["option_id"]).unwrap(),
                sites: r["sites"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(s)
                    .collect(),
            })
            .collect()
    });
    let scores = rows("scores")
        .iter()
        .map(|r| CallerScore {
            option_id: s(&r["option_id"]).unwrap(),
            criterion: s(&r["criterion"]).unwrap(),
            score: parse_score(&s(&r["score"]).unwrap()).unwrap(),
        })
        .collect();
    let weights = v["weights"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, x)| (k.clone(), num(x).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    (
        AppraisalInput {
            sites,
            zones,
            travel,
            matrix: None,
        },
        AppraisalRequest {
            options,
            weights,
            scores,
            ..AppraisalRequest::default()
        },
    )
}

/// The same, cell by cell: decimals as numbers; only the expected row's keys.
fn same_rows(got: &[Value], want: &Value, what: &str) {
    let want = want
        .as_array()
        .unwrap_or_else(|| panic!("{what}: expected rows"));
    assert_eq!(got.len(), want.len(), "{what}: row count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        for (k, wv) in w.as_object().unwrap() {
            let gv = &g[k.as_str()];
            let same = match (gv, wv) {
                (Value::String(a), Value::String(b)) => {
                    match (a.parse::<Decimal>(), b.parse::<Decimal>()) {
                        (Ok(x), Ok(y)) => x == y,
                        _ => a == b,
                    }
                }
                (a, b) => a == b,
            };
            assert!(same, "{what} row {i} `{k}`: got {gv}, expected {wv}");
        }
    }
}

#[test]
fn appraise_vectors() {
    use localcare::appraise::score_text;
    for (path, v) in vectors("appraise") {
        let what = path.display().to_string();
        assert!(
            v["derivation"].as_str().is_some_and(|d| !d.is_empty()),
            "{what}: an appraise vector says how its numbers follow"
        );
        let rs = ruleset(&v);
        let (input, request) = appraisal_case(&v);
        let a = match (rs.appraise(&input, &request), v.get("expected_error")) {
            (Ok(a), None) => a,
            (Err(e), Some(want)) => {
                assert!(
                    e.to_string().contains(want.as_str().unwrap()),
                    "{what}: got `{e}`"
                );
                continue;
            }
            (r, want) => panic!(
                "{what}: got {:?}, expected error {want:?}",
                r.map(|a| a.ranking)
            ),
        };
        let d = |x: Decimal| Value::String(x.normalize().to_string());
        let appraisal: Vec<Value> = a
            .options
            .iter()
            .map(|o| {
                let vols = o.hasus.iter().map(|h| h.projected_admissions);
                json!({
                    "option_id": o.id,
                    "sites": o.site_ids().collect::<Vec<_>>().join(";"),
                    "passed": o.passed,
                    "failed": a.hurdles.iter().zip(&o.hurdles).filter(|(_, h)| !h.passed)
                        .map(|(c, _)| c.id.as_str()).collect::<Vec<_>>().join(";"),
                    "rank": o.rank,
                    "total": o.total.map(d),
                    "min_volume": d(vols.clone().min().unwrap()),
                    "max_volume": d(vols.max().unwrap()),
                    "max_travel_minutes": d(o.max_travel_minutes),
                    "max_travel_zone": o.max_travel_zone,
                    "mean_travel_minutes": d(o.mean_travel_minutes),
                    "within_minutes": a.within_minutes.map(d),
                    "share_within": o.share_within.map(d),
                    "in_area_patients": d(a.total_patients),
                    "out_of_area_patients": d(a.out_of_area_patients),
                })
            })
            .collect();
        let ex = &v["expected"];
        same_rows(&appraisal, &ex["appraisal"], &format!("{what}: appraisal"));
        let volumes: Vec<Value> = a
            .options
            .iter()
            .flat_map(|o| {
                o.hasus.iter().map(|h| {
                    json!({"option_id": o.id, "site_id": h.site_id,
                           "current_admissions": h.current_admissions,
                           "projected_admissions": d(h.projected_admissions),
                           "out_of_area_admissions": d(h.out_of_area_admissions),
                           "fixed_open": h.fixed_open, "zones": h.zones})
                })
            })
            .collect();
        same_rows(&volumes, &ex["volumes"], &format!("{what}: volumes"));
        let hurdles: Vec<Value> = a
            .options
            .iter()
            .flat_map(|o| {
                a.hurdles.iter().zip(&o.hurdles).map(|(c, h)| {
                    json!({"option_id": o.id, "criterion": c.id, "passed": h.passed,
                           "observed": d(h.observed), "bound": d(h.bound), "at": h.at,
                           "reason": h.reason, "remedy": h.remedy})
                })
            })
            .collect();
        same_rows(&hurdles, &ex["hurdles"], &format!("{what}: hurdles"));
        let evaluation: Vec<Value> = a
            .shortlist()
            .flat_map(|o| {
                a.criteria.iter().zip(&o.scores).map(|(c, s)| {
                    json!({"option_id": o.id, "rank": o.rank, "criterion": c.id,
                           "value": s.value.map(d), "score": s.score,
                           "score_text": score_text(s.score), "weighted": d(s.weighted)})
                })
            })
            .collect();
        same_rows(
            &evaluation,
            &ex["evaluation"],
            &format!("{what}: evaluation"),
        );
        assert_eq!(
            a.preferred().map(|o| o.id.as_str()),
            ex["preferred"].as_str(),
            "{what}: preferred"
        );
        let swap: Vec<Value> = a
            .swap
            .iter()
            .map(|s| {
                json!({"criterion": s.criterion, "weight": d(s.weight), "tie_weight": d(s.tie_weight),
                       "change": d(s.change), "swaps_at_tie": s.swaps_at_tie})
            })
            .collect();
        match &ex["swap"] {
            Value::Null => assert!(swap.is_empty(), "{what}: no swap expected"),
            w => same_rows(
                &swap,
                &Value::Array(vec![w.clone()]),
                &format!("{what}: swap"),
            ),
        }
    }
}
