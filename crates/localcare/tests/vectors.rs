//! Runs every shared vector in `tests/vectors/` (the same files the Python and C suites
//! run) through the Rust core. See `tests/vectors/README.md` for the format.

use std::path::{Path, PathBuf};

use localcare::allocate::{Need, Needs};
use localcare::rust_decimal::Decimal;
use localcare::settle::SettlementInput;
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
            population: u["population"].as_i64(),
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
