//! Every bridge vector (`tests/vectors/bridge/`) through the run layer, as a Rust caller
//! holding Arrow tables would run it: the `bridge` table's rows to the penny, or the
//! error the vector names.

use std::path::PathBuf;

use localcare::Ruleset;
use localcare_tables::run::bridge::{BridgeTables, bridge};
use localcare_tables::spec::Face;
use serde_json::Value;

mod common;
use common::{root, table};

#[test]
fn every_bridge_vector_through_the_run_layer() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/vectors/bridge"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 8);
    for path in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.display().to_string();
        let rs = Ruleset::builtin(v["ruleset"].as_str().unwrap()).unwrap();
        let steps = v.get("steps").map(table);
        let activity = v.get("activity").map(table);
        let tables = BridgeTables {
            steps: steps.as_ref(),
            activity: activity.as_ref(),
        };
        let got = bridge(&rs, tables);
        if let Some(want) = v["expected_error"].as_str() {
            let e = got.expect_err(&name).to_string();
            assert!(e.contains(want), "{name}: `{e}` lacks `{want}`");
            continue;
        }
        let b = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut json = Vec::new();
        localcare_tables::json::write_table(&b.table(Face::Python), &mut json).unwrap();
        let got: Value = serde_json::from_slice(&json).unwrap();
        let got = got.as_array().unwrap();
        let rows = v["expected"]["rows"].as_array().unwrap();
        assert_eq!(got.len(), rows.len(), "{name}: rows");
        for (i, (g, want)) in got.iter().zip(rows).enumerate() {
            for (c, w) in want.as_object().unwrap() {
                assert_eq!(&g[c], w, "{name}: row {i} {c}");
            }
        }
        assert_eq!(
            Value::from(b.bridge.residual_pence),
            v["expected"]["residual_pence"],
            "{name}: residual"
        );
    }
}
