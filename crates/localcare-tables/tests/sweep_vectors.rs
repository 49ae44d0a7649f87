//! The shared sweep vectors (`tests/vectors/sweep/`) through the table readers, the
//! core's sweep and the `sweep` table writer, as a Rust caller holding Arrow tables
//! would run them; each scenario is also checked against a single allocation.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use localcare::Ruleset;
use localcare_tables::{read, spec::Face, sweep};
use serde_json::Value;

mod common;
use common::{root, table};

fn label(a: &ArrayRef, row: usize) -> String {
    let d = a.as_dictionary::<Int32Type>();
    d.values()
        .as_string::<i32>()
        .value(d.keys().value(row) as usize)
        .to_string()
}

#[test]
fn sweep_vectors() {
    let dir = root().join("tests/vectors/sweep");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.display().to_string();
        let rs = match v.get("ruleset_toml") {
            Some(t) => Ruleset::from_toml_str(t.as_str().unwrap()).unwrap(),
            None => Ruleset::builtin(v["ruleset"].as_str().unwrap()).unwrap(),
        };
        let fp = read::footprint(&table(&v["footprint"])).unwrap();
        let needs = match v["needs"].as_array() {
            Some(n) if !n.is_empty() => read::needs(&table(&v["needs"]), &rs).unwrap(),
            _ => Default::default(),
        };
        let prepared = rs.prepare(&fp, &needs).unwrap();
        let baselines = v["baselines"]
            .as_array()
            .filter(|b| !b.is_empty())
            .map(|_| table(&v["baselines"]));
        let got = sweep::scenarios(&table(&v["scenarios"]), &rs, baselines.as_ref())
            .map_err(|e| e.to_string())
            .and_then(|list| {
                sweep::run(&prepared, &list)
                    .map(|sw| (list.clone(), sw))
                    .map_err(|e| e.to_string())
            });
        if let Some(err) = v["expected"].get("error") {
            let e = got
                .err()
                .unwrap_or_else(|| panic!("{name}: expected an error"));
            assert!(e.contains(err.as_str().unwrap()), "{name}: {e}");
            continue;
        }
        let (list, sw) = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        // Each scenario equals a single allocation, row for row.
        for (i, s) in list.scenarios.iter().enumerate() {
            let a = prepared.allocate(s).unwrap();
            let alloc: Vec<i64> = a.rows().map(|r| r.allocation_pence).collect();
            assert_eq!(alloc, sw.scenario_allocation(i), "{name}: scenario {i}");
        }
        let batch = sweep::sweep(&list.ids, sw, Face::C);
        let expected = v["expected"]["rows"].as_array().unwrap();
        assert_eq!(batch.num_rows(), expected.len(), "{name}");
        let col = |n: &str| batch.column_by_name(n).unwrap().clone();
        let (sc, unit) = (col("scenario"), col("unit_id"));
        let (alloc, target, dft) = (
            col("allocation_pence"),
            col("target_pence"),
            col("distance_from_target_ppm"),
        );
        for (row, e) in expected.iter().enumerate() {
            assert_eq!(
                label(&sc, row),
                e["scenario"].as_str().unwrap(),
                "{name} row {row}"
            );
            assert_eq!(
                label(&unit, row),
                e["unit_id"].as_str().unwrap(),
                "{name} row {row}"
            );
            assert_eq!(
                alloc.as_primitive::<Int64Type>().value(row),
                e["allocation_pence"].as_i64().unwrap(),
                "{name} row {row}"
            );
            assert_eq!(
                target.as_primitive::<Int64Type>().value(row),
                e["target_pence"].as_i64().unwrap(),
                "{name} row {row}"
            );
            let d = (!dft.is_null(row)).then(|| dft.as_primitive::<Int64Type>().value(row));
            assert_eq!(
                d,
                e["distance_from_target_ppm"].as_i64(),
                "{name} row {row}"
            );
        }
    }
}
